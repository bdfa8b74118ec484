package pattern

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unique"

	"github.com/rulebridge/rulebridge/internal/jsonscan"
)

// The compiler reads the pattern as a stream of tokens and checks it in the
// order AWS (aws/event-ruler's JsonRuleCompiler) does, so that a pattern
// with several problems gets the same first reason. It builds a small tree,
// counts the $or combinations without expanding them, and only then expands
// the tree into alternatives.

// orReserved lists the names that may not be field names inside $or.
var orReserved = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true, "anything-but": true,
	"exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true, "date-on-or-before": true, "in-date-range": true,
	"ip-address-in-range": true, "ip-address-not-in-range": true,
}

const tooComplex = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"

// objNode is a pattern object: its entries in document order.
type objNode struct {
	entries []entry
}

type entry struct {
	or   []*objNode // a $or entry
	obj  *objNode   // a nested object
	leaf *field     // a leaf array
}

type compiler struct {
	lx   *jsonscan.Lexer
	src  []byte
	path []string // JSON path components of the current position
	opts options
	// jpaths holds the JSON paths of the leaf arrays with wildcards.
	jpaths map[*field]string
}

// patErr builds an *Error located at byte offset off.
func (c *compiler) errAt(off int, reason string) error {
	line, col := jsonscan.LineColumn(c.src, off)
	return &Error{Reason: reason, Path: "$" + strings.Join(c.path, ""), Line: line, Column: col, Offset: off}
}

func (c *compiler) errTok(t jsonscan.Token, reason string) error { return c.errAt(t.Start, reason) }

// wrap turns a lexer error into an *Error.
func (c *compiler) wrap(err error) error {
	if se, ok := err.(*jsonscan.SyntaxError); ok {
		return c.errAt(se.Offset, se.Msg)
	}
	return err
}

func (c *compiler) next() (jsonscan.Token, error) {
	t, err := c.lx.Next()
	if err != nil {
		return t, c.wrap(err)
	}
	return t, nil
}

func (c *compiler) text() (string, error) {
	s, err := c.lx.Text()
	if err != nil {
		return "", c.wrap(err)
	}
	return s, nil
}

// raw returns Jackson's getText() of a token: "{", "[", "]", "}" or the
// literal text.
func (c *compiler) raw(t jsonscan.Token) string {
	switch t.Kind {
	case jsonscan.EOF:
		return "null"
	case jsonscan.Name, jsonscan.String:
		return jsonscan.Unquote(c.src[t.Start:t.End])
	}
	return string(c.src[t.Start:t.End])
}

func (c *compiler) push(s string) { c.path = append(c.path, s) }
func (c *compiler) pop()          { c.path = c.path[:len(c.path)-1] }

func compile(src []byte, o options) (*Pattern, error) {
	if o.maxSize > 0 {
		if n := utf16Len(src); n > o.maxSize {
			return nil, &Error{Reason: fmt.Sprintf("Event pattern is %d characters long; the limit is %d", n, o.maxSize), Path: "$", Line: 1, Column: 1}
		}
	}
	c := &compiler{lx: jsonscan.NewLexer(src), src: src, opts: o}
	t, err := c.next()
	if err != nil {
		return nil, err
	}
	if t.Kind != jsonscan.BeginObject {
		return nil, c.errTok(t, "Filter is not an object")
	}
	root, err := c.object(nil, false, t)
	if err != nil {
		return nil, err
	}
	// AWS stops reading at the end of the pattern object; we refuse
	// anything after it.
	t, err = c.next()
	if err != nil {
		return nil, err
	}
	if t.Kind != jsonscan.EOF {
		return nil, c.errTok(t, "Unexpected content after the end of the pattern object")
	}

	if o.maxCombos > 0 {
		if n := combinations(root, o.maxCombos); n > o.maxCombos {
			return nil, &Error{Reason: fmt.Sprintf("Event pattern has more than %d $or combinations", o.maxCombos), Path: "$", Line: 1, Column: 1}
		}
	}
	rules := expand(root, nil)
	p := &Pattern{src: string(src)}
	for _, r := range rules {
		a := &alternative{doc: r.fields}
		a.fields = append([]*field(nil), r.fields...)
		sort.SliceStable(a.fields, func(i, j int) bool { return lessUTF16(a.fields[i].path, a.fields[j].path) })
		p.alts = append(p.alts, a)
	}
	if o.maxComplexity > 0 {
		if err := checkComplexity(p, o.maxComplexity, src, c.jpaths); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// object reads the members of an object whose "{" was open. prefix is the
// dotted path of the object (nil at the top level).
func (c *compiler) object(prefix *string, inOr bool, open jsonscan.Token) (*objNode, error) {
	n := &objNode{}
	for {
		t, err := c.next()
		if err != nil {
			return nil, err
		}
		if t.Kind == jsonscan.EndObject {
			if len(n.entries) == 0 {
				return nil, c.errTok(open, "Empty objects are not allowed")
			}
			return n, nil
		}
		key, err := c.text()
		if err != nil {
			return nil, err
		}
		c.push(jsonPathKey(key))
		if key == "$or" {
			branches, err := c.or(prefix)
			if err != nil {
				return nil, err
			}
			n.entries = append(n.entries, entry{or: branches})
			c.pop()
			continue
		}
		if inOr && orReserved[key] {
			return nil, c.errTok(t, key+" is Ruler reserved fieldName which cannot be used inside $or.")
		}
		v, err := c.next()
		if err != nil {
			return nil, err
		}
		path := key
		if prefix != nil {
			path = *prefix + "." + key
		}
		switch v.Kind {
		case jsonscan.BeginObject:
			child, err := c.object(&path, inOr, v)
			if err != nil {
				return nil, err
			}
			n.entries = append(n.entries, entry{obj: child})
		case jsonscan.BeginArray:
			f, err := c.leaf(path, v)
			if err != nil {
				return nil, err
			}
			n.entries = append(n.entries, entry{leaf: f})
		default:
			return nil, c.errTok(v, fmt.Sprintf("%q must be an object or an array", key))
		}
		c.pop()
	}
}

// or reads the array of a $or member.
func (c *compiler) or(prefix *string) ([]*objNode, error) {
	t, err := c.next()
	if err != nil {
		return nil, err
	}
	if t.Kind != jsonscan.BeginArray {
		return nil, c.errTok(t, "It must be an Array followed with $or.")
	}
	var branches []*objNode
	for i := 0; ; i++ {
		b, err := c.next()
		if err != nil {
			return nil, err
		}
		if b.Kind == jsonscan.EndArray {
			if len(branches) < 2 {
				return nil, c.errTok(b, "There must have at least 2 Objects in $or relationship.")
			}
			return branches, nil
		}
		c.push("[" + strconv.Itoa(i) + "]")
		if b.Kind != jsonscan.BeginObject {
			return nil, c.errTok(b, "Only JSON object is allowed in array of $or relationship.")
		}
		obj, err := c.object(prefix, true, b)
		if err != nil {
			return nil, err
		}
		branches = append(branches, obj)
		c.pop()
	}
}

// leaf reads a leaf array: the conditions of one field.
func (c *compiler) leaf(path string, open jsonscan.Token) (*field, error) {
	// Paths repeat across patterns: share one copy of each.
	f := &field{path: unique.Make(path).Value(), off: open.Start}
	jpath := "$" + strings.Join(c.path, "")
	for i := 0; ; i++ {
		t, err := c.next()
		if err != nil {
			return nil, err
		}
		if t.Kind == jsonscan.EndArray {
			if len(f.conds) == 0 && !f.absent {
				return nil, c.errTok(open, "Empty arrays are not allowed")
			}
			f.end = t.End
			for i := range f.conds {
				if k := f.conds[i].kind; k == condWildcard || k == condAnythingButWildcard {
					if c.jpaths == nil {
						c.jpaths = map[*field]string{}
					}
					c.jpaths[f] = jpath // for checkComplexity
					break
				}
			}
			return f, nil
		}
		c.push("[" + strconv.Itoa(i) + "]")
		switch t.Kind {
		case jsonscan.BeginObject:
			cd, absent, err := c.expression(t)
			if err != nil {
				return nil, err
			}
			if absent {
				f.absent = true
			} else {
				f.conds = append(f.conds, cd)
			}
		case jsonscan.String:
			s, err := c.text()
			if err != nil {
				return nil, err
			}
			cd := cond{kind: condString, str: s}
			if looksLikeIP(s) {
				if a, ok := parseIP(s); ok {
					cd.kind = condIP
					cd.ip = &ipRange{lo: a, hi: a}
				}
			}
			f.conds = append(f.conds, cd)
		case jsonscan.Number:
			s := c.raw(t)
			k, ok := numKey(s)
			f.conds = append(f.conds, cond{kind: condNumber, str: s, num: k, numOK: ok})
		case jsonscan.True:
			f.conds = append(f.conds, cond{kind: condTrue})
		case jsonscan.False:
			f.conds = append(f.conds, cond{kind: condFalse})
		case jsonscan.Null:
			f.conds = append(f.conds, cond{kind: condNull})
		default:
			return nil, c.errTok(t, "Match value must be String, number, true, false, or null")
		}
		c.pop()
	}
}

// endObject requires the "}" that closes a match expression.
func (c *compiler) endObject(reason string) error {
	t, err := c.next()
	if err != nil {
		return err
	}
	if t.Kind != jsonscan.EndObject {
		return c.errTok(t, reason)
	}
	return nil
}

const (
	onlyOneKey      = "Only one key allowed in match expression"
	tooManyElements = "Too many elements in numeric expression"
)

// expression reads a match expression such as {"prefix": "x"}, whose "{"
// was read. It reports absent for {"exists": false}.
func (c *compiler) expression(open jsonscan.Token) (cd cond, absent bool, err error) {
	t, err := c.next()
	if err != nil {
		return cd, false, err
	}
	if t.Kind != jsonscan.Name {
		return cd, false, c.errTok(t, "Match expression name not found")
	}
	op, err := c.text()
	if err != nil {
		return cd, false, err
	}
	c.push(jsonPathKey(op))
	defer func() {
		if err == nil {
			c.pop()
		}
	}()
	cd, absent, err = c.operator(op, t)
	if err != nil {
		return cd, false, err
	}
	return cd, absent, nil
}

func (c *compiler) operator(op string, name jsonscan.Token) (cond, bool, error) {
	switch op {
	case "exactly", "equals-ignore-case", "wildcard":
		v, err := c.next()
		if err != nil {
			return cond{}, false, err
		}
		if v.Kind != jsonscan.String {
			what := map[string]string{"exactly": "exact", "equals-ignore-case": "equals-ignore-case", "wildcard": "wildcard"}[op]
			return cond{}, false, c.errTok(v, what+" match pattern must be a string")
		}
		s, err := c.text()
		if err != nil {
			return cond{}, false, err
		}
		var cd cond
		switch op {
		case "exactly":
			cd = cond{kind: condString, str: s}
		case "equals-ignore-case":
			cd = cond{kind: condEqualsIgnoreCase, str: s, fold: compileFold(s)}
		case "wildcard":
			g, reason := compileWildcard(s)
			if reason != "" {
				return cond{}, false, c.errTok(v, reason)
			}
			cd = cond{kind: condWildcard, str: s, glob: g}
		}
		return cd, false, c.endObject(onlyOneKey)

	case "prefix", "suffix":
		v, err := c.next()
		if err != nil {
			return cond{}, false, err
		}
		if v.Kind == jsonscan.BeginObject {
			return c.ignoreCaseAffix(op)
		}
		if v.Kind != jsonscan.String {
			return cond{}, false, c.errTok(v, op+" match pattern must be a string")
		}
		s, err := c.text()
		if err != nil {
			return cond{}, false, err
		}
		k := condPrefix
		if op == "suffix" {
			k = condSuffix
		}
		return cond{kind: k, str: s}, false, c.endObject(onlyOneKey)

	case "numeric":
		v, err := c.next()
		if err != nil {
			return cond{}, false, err
		}
		if v.Kind != jsonscan.BeginArray {
			return cond{}, false, c.errTok(v, "Value of numeric must be an array.")
		}
		cd, err := c.numeric()
		if err != nil {
			return cond{}, false, err
		}
		return cd, false, c.endObject(tooManyElements)

	case "anything-but":
		cd, err := c.anythingBut()
		return cd, false, err

	case "exists":
		v, err := c.next()
		if err != nil {
			return cond{}, false, err
		}
		if v.Kind != jsonscan.True && v.Kind != jsonscan.False {
			return cond{}, false, c.errTok(v, "exists match pattern must be either true or false.")
		}
		if err := c.endObject(onlyOneKey); err != nil {
			return cond{}, false, err
		}
		return cond{kind: condExists}, v.Kind == jsonscan.False, nil

	case "cidr":
		v, err := c.next()
		if err != nil {
			return cond{}, false, err
		}
		if v.Kind != jsonscan.String {
			return cond{}, false, c.errTok(v, "prefix match pattern must be a string")
		}
		s, err := c.text()
		if err != nil {
			return cond{}, false, err
		}
		r, reason := parseCIDR(s)
		if reason != "" {
			return cond{}, false, c.errTok(v, reason)
		}
		return cond{kind: condCIDR, str: s, ip: &r}, false, c.endObject(onlyOneKey)
	}
	return cond{}, false, c.errTok(name, "Unrecognized match type "+op)
}

// ignoreCaseAffix reads {"equals-ignore-case": "x"} inside prefix or suffix.
func (c *compiler) ignoreCaseAffix(op string) (cond, bool, error) {
	title := "Prefix"
	k := condPrefixIgnoreCase
	if op == "suffix" {
		title, k = "Suffix", condSuffixIgnoreCase
	}
	t, err := c.next()
	if err != nil {
		return cond{}, false, err
	}
	if t.Kind != jsonscan.Name {
		return cond{}, false, c.errTok(t, title+" expression name not found")
	}
	inner, err := c.text()
	if err != nil {
		return cond{}, false, err
	}
	if inner != "equals-ignore-case" {
		return cond{}, false, c.errTok(t, "Unsupported "+op+" pattern: "+inner)
	}
	c.push(jsonPathKey(inner))
	v, err := c.next()
	if err != nil {
		return cond{}, false, err
	}
	if v.Kind != jsonscan.String {
		return cond{}, false, c.errTok(v, "equals-ignore-case match pattern must be a string")
	}
	s, err := c.text()
	if err != nil {
		return cond{}, false, err
	}
	if err := c.endObject(onlyOneKey); err != nil {
		return cond{}, false, err
	}
	c.pop()
	if err := c.endObject(onlyOneKey); err != nil {
		return cond{}, false, err
	}
	return cond{kind: k, str: s, fold: compileFold(s)}, false, nil
}

// numeric reads the array of a numeric expression, whose "[" was read.
func (c *compiler) numeric() (cond, error) {
	t, err := c.next()
	if err != nil {
		return cond{}, err
	}
	if t.Kind != jsonscan.String {
		return cond{}, c.errTok(t, "Invalid member in numeric match: "+c.raw(t))
	}
	op, err := c.text()
	if err != nil {
		return cond{}, err
	}
	v, err := c.next()
	if err != nil {
		return cond{}, err
	}
	key := func(t jsonscan.Token) (uint64, error) {
		s := c.raw(t)
		k, ok := numKey(s)
		if !ok {
			return 0, c.errTok(t, "Cannot compare number : "+s)
		}
		return k, nil
	}
	end := func(reason string) error {
		t, err := c.next()
		if err != nil {
			return err
		}
		if t.Kind != jsonscan.EndArray {
			return c.errTok(t, reason)
		}
		return nil
	}
	switch op {
	case "=":
		if v.Kind != jsonscan.Number {
			return cond{}, c.errTok(v, "Value of equals must be numeric")
		}
		if err := end(tooManyElements); err != nil {
			return cond{}, err
		}
		k, err := key(v)
		if err != nil {
			return cond{}, err
		}
		return cond{kind: condNumeric, lo: k, hi: k, loSet: true, hiSet: true}, nil
	case ">=", ">":
		if v.Kind != jsonscan.Number {
			return cond{}, c.errTok(v, "Value of "+op+" must be numeric")
		}
		t, err := c.next()
		if err != nil {
			return cond{}, err
		}
		if t.Kind == jsonscan.EndArray {
			k, err := key(v)
			if err != nil {
				return cond{}, err
			}
			return cond{kind: condNumeric, lo: k, loSet: true, loOpen: op == ">"}, nil
		}
		return c.numericRange(t, v, op == ">")
	case "<=", "<":
		if v.Kind != jsonscan.Number {
			return cond{}, c.errTok(v, "Value of "+op+" must be numeric")
		}
		if err := end(tooManyElements); err != nil {
			return cond{}, err
		}
		k, err := key(v)
		if err != nil {
			return cond{}, err
		}
		return cond{kind: condNumeric, hi: k, hiSet: true, hiOpen: op == "<"}, nil
	}
	return cond{}, c.errTok(t, "Unrecognized numeric range operator: "+op)
}

// numericRange reads the upper half of a two-sided numeric range.
func (c *compiler) numericRange(t, bottom jsonscan.Token, openBottom bool) (cond, error) {
	if t.Kind != jsonscan.String {
		return cond{}, c.errTok(t, "Bad value in numeric range: "+c.raw(t))
	}
	op, err := c.text()
	if err != nil {
		return cond{}, err
	}
	if op != "<" && op != "<=" {
		return cond{}, c.errTok(t, "Bad numeric range operator: "+op)
	}
	top, err := c.next()
	if err != nil {
		return cond{}, err
	}
	if top.Kind != jsonscan.Number {
		return cond{}, c.errTok(top, "Value of "+op+" must be numeric")
	}
	e, err := c.next()
	if err != nil {
		return cond{}, err
	}
	if e.Kind != jsonscan.EndArray {
		return cond{}, c.errTok(e, "Too many terms in numeric range expression")
	}
	bs, ts := c.raw(bottom), c.raw(top)
	lo, ok := numKey(bs)
	if !ok {
		return cond{}, c.errTok(bottom, "Cannot compare number : "+bs)
	}
	hi, ok := numKey(ts)
	if !ok {
		return cond{}, c.errTok(top, "Cannot compare number : "+ts)
	}
	if lo >= hi {
		return cond{}, c.errTok(bottom, "Bottom must be less than top")
	}
	return cond{kind: condNumeric, lo: lo, hi: hi, loSet: true, hiSet: true, loOpen: openBottom, hiOpen: op == "<"}, nil
}

// anythingBut reads the operand of anything-but.
func (c *compiler) anythingBut() (cond, error) {
	kind := condAnythingBut
	nested := false
	v, err := c.next()
	if err != nil {
		return cond{}, err
	}
	if v.Kind == jsonscan.BeginObject {
		nested = true
		t, err := c.next()
		if err != nil {
			return cond{}, err
		}
		if t.Kind != jsonscan.Name {
			return cond{}, c.errTok(t, "Anything-But expression name not found")
		}
		op, err := c.text()
		if err != nil {
			return cond{}, err
		}
		switch op {
		case "equals-ignore-case":
			kind = condAnythingButIgnoreCase
		case "prefix":
			kind = condAnythingButPrefix
		case "suffix":
			kind = condAnythingButSuffix
		case "wildcard":
			kind = condAnythingButWildcard
		default:
			return cond{}, c.errTok(t, "Unsupported anything-but pattern: "+op)
		}
		c.push(jsonPathKey(op))
		defer c.pop()
		if v, err = c.next(); err != nil {
			return cond{}, err
		}
	}
	if v.Kind != jsonscan.BeginArray && v.Kind != jsonscan.String && v.Kind != jsonscan.Number {
		return cond{}, c.errTok(v, "Value of anything-but must be an array or single string/number value.")
	}
	cd := cond{kind: kind, condLists: &condLists{}}
	// typeErr is AWS's complaint about a non-string inside a nested form.
	typeErr := func(t jsonscan.Token) error {
		switch kind {
		case condAnythingButIgnoreCase:
			return c.errTok(t, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
		case condAnythingButWildcard:
			return c.errTok(t, "wildcard match pattern must be a string")
		}
		return c.errTok(t, "prefix/suffix match pattern must be a string")
	}
	var strToks []jsonscan.Token
	addString := func(t jsonscan.Token) error {
		s, err := c.text()
		if err != nil {
			return err
		}
		if s == "" && (kind == condAnythingButPrefix || kind == condAnythingButSuffix) {
			return c.errTok(t, "Null prefix/suffix not allowed")
		}
		cd.strs = append(cd.strs, s)
		strToks = append(strToks, t)
		return nil
	}
	if v.Kind == jsonscan.BeginArray {
		hasNum, hasStr := false, false
		for i := 0; ; i++ {
			t, err := c.next()
			if err != nil {
				return cond{}, err
			}
			if t.Kind == jsonscan.EndArray {
				break
			}
			c.push("[" + strconv.Itoa(i) + "]")
			switch {
			case t.Kind == jsonscan.String:
				if err := addString(t); err != nil {
					return cond{}, err
				}
				hasStr = true
			case kind != condAnythingBut:
				return cond{}, typeErr(t)
			case t.Kind == jsonscan.Number:
				s := c.raw(t)
				k, ok := numKey(s)
				if !ok {
					return cond{}, c.errTok(t, "Cannot compare number : "+s)
				}
				cd.nums = append(cd.nums, k)
				cd.strs = append(cd.strs, s) // kept for Explain only
				hasNum = true
			default:
				return cond{}, c.errTok(t, "Inside anything but list, start|null|boolean is not supported.")
			}
			c.pop()
		}
		if kind == condAnythingBut && hasNum == hasStr {
			return cond{}, c.errTok(v, "Inside anything but list, either all values are number or string, mixed type is not supported")
		}
		if hasNum {
			cd.strs = nil
		}
	} else {
		switch {
		case v.Kind == jsonscan.String:
			if err := addString(v); err != nil {
				return cond{}, err
			}
		case kind != condAnythingBut:
			return cond{}, typeErr(v)
		default: // a number
			s := c.raw(v)
			k, ok := numKey(s)
			if !ok {
				return cond{}, c.errTok(v, "Cannot compare number : "+s)
			}
			cd.nums = append(cd.nums, k)
		}
	}
	switch kind {
	case condAnythingButWildcard:
		for i, s := range cd.strs {
			g, reason := compileWildcard(s)
			if reason != "" {
				return cond{}, c.errTok(strToks[i], reason)
			}
			cd.globs = append(cd.globs, g)
		}
	case condAnythingButIgnoreCase:
		for _, s := range cd.strs {
			cd.folds = append(cd.folds, compileFold(s))
		}
	}
	if err := c.endObject(tooManyElements); err != nil {
		return cond{}, err
	}
	if nested {
		if err := c.endObject(tooManyElements); err != nil {
			return cond{}, err
		}
	}
	return cd, nil
}

// combinations returns how many alternatives n expands to, saturating just
// above max.
func combinations(n *objNode, max int) int {
	total := 1
	for _, e := range n.entries {
		k := 1
		switch {
		case e.or != nil:
			k = 0
			for _, b := range e.or {
				k += combinations(b, max)
				if k > max {
					k = max + 1
				}
			}
		case e.obj != nil:
			k = combinations(e.obj, max)
		}
		total *= k
		if total > max {
			total = max + 1
		}
	}
	return total
}

// rule is one alternative under construction: its fields by path, with
// "last wins" for repeated paths.
type rule struct {
	fields []*field
	index  map[string]int
}

func (r *rule) put(f *field) {
	if i, ok := r.index[f.path]; ok {
		r.fields[i] = f
		return
	}
	r.index[f.path] = len(r.fields)
	r.fields = append(r.fields, f)
}

func (r *rule) clone() *rule {
	n := &rule{fields: append([]*field(nil), r.fields...), index: make(map[string]int, len(r.index))}
	for k, v := range r.index {
		n.index[k] = v
	}
	return n
}

func newRule() *rule { return &rule{index: map[string]int{}} }

// expand applies the entries of n to rules, in document order, the way AWS
// does: a leaf sets its path in every rule, a $or multiplies the rules.
func expand(n *objNode, rules []*rule) []*rule {
	for _, e := range n.entries {
		switch {
		case e.or != nil:
			var out []*rule
			for _, b := range e.or {
				nr := make([]*rule, 0, len(rules))
				for _, r := range rules {
					nr = append(nr, r.clone())
				}
				if len(nr) == 0 {
					nr = append(nr, newRule())
				}
				out = append(out, expand(b, nr)...)
			}
			rules = out
		case e.obj != nil:
			rules = expand(e.obj, rules)
		default:
			if len(rules) == 0 {
				rules = append(rules, newRule())
			}
			for _, r := range rules {
				r.put(e.leaf)
			}
		}
	}
	return rules
}

// checkComplexity rejects patterns whose wildcards are too complex.
func checkComplexity(p *Pattern, limit int, src []byte, jpaths map[*field]string) error {
	type op struct {
		kind condKind
		s    string
	}
	byPath := map[string][]op{}
	first := map[string]*field{}
	seen := map[string]map[op]bool{}
	for _, a := range p.alts {
		for _, f := range a.fields {
			for i := range f.conds {
				cd := &f.conds[i]
				var ss []string
				switch cd.kind {
				case condWildcard:
					ss = []string{cd.str}
				case condAnythingButWildcard:
					ss = cd.strs
				default:
					continue
				}
				if seen[f.path] == nil {
					seen[f.path] = map[op]bool{}
					first[f.path] = f
				}
				for _, s := range ss {
					o := op{cd.kind, s}
					if !seen[f.path][o] {
						seen[f.path][o] = true
						byPath[f.path] = append(byPath[f.path], o)
					}
				}
			}
		}
	}
	paths := make([]string, 0, len(byPath))
	for k := range byPath {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	for _, path := range paths {
		var toks [][]int
		for _, o := range byPath[path] {
			w, _ := compileWildcard(o.s)
			toks = append(toks, w.toks)
		}
		if wildcardComplexity(toks, limit) > limit {
			f := first[path]
			line, col := jsonscan.LineColumn(src, f.off)
			return &Error{Reason: tooComplex, Path: jpaths[f], Line: line, Column: col, Offset: f.off}
		}
	}
	return nil
}

// compactJSON removes insignificant white space from well-formed JSON.
func compactJSON(b []byte) string {
	var sb strings.Builder
	in := false
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if in {
			sb.WriteByte(ch)
			if ch == '\\' && i+1 < len(b) {
				i++
				sb.WriteByte(b[i])
			} else if ch == '"' {
				in = false
			}
			continue
		}
		switch ch {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			in = true
		}
		sb.WriteByte(ch)
	}
	return sb.String()
}
