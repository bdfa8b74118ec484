package pattern

// A reference matcher written the obvious way: the pattern and the event
// are decoded with encoding/json into ordered trees (duplicate keys kept),
// $or is expanded by copying maps, the event is flattened into leaves, and
// each alternative is checked by a plain depth-first search. It shares no
// matching code with the package; it uses only the Java case table.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// jv is a decoded JSON value.
type jv struct {
	kind byte // 's' string, 'n' number, 't' true, 'f' false, 'z' null, 'o' object, 'a' array
	s    string
	obj  []jkv
	arr  []jv
}

type jkv struct {
	k string
	v jv
}

func refDecode(b []byte) (jv, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := refValue(d)
	if err != nil {
		return jv{}, err
	}
	if _, err := d.Token(); err != io.EOF {
		return jv{}, fmt.Errorf("trailing data")
	}
	return v, nil
}

func refValue(d *json.Decoder) (jv, error) {
	t, err := d.Token()
	if err != nil {
		return jv{}, err
	}
	switch x := t.(type) {
	case json.Delim:
		if x == '{' {
			v := jv{kind: 'o'}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return jv{}, err
				}
				e, err := refValue(d)
				if err != nil {
					return jv{}, err
				}
				v.obj = append(v.obj, jkv{kt.(string), e})
			}
			_, err := d.Token()
			return v, err
		}
		v := jv{kind: 'a'}
		for d.More() {
			e, err := refValue(d)
			if err != nil {
				return jv{}, err
			}
			v.arr = append(v.arr, e)
		}
		_, err := d.Token()
		return v, err
	case string:
		return jv{kind: 's', s: x}, nil
	case json.Number:
		return jv{kind: 'n', s: string(x)}, nil
	case bool:
		if x {
			return jv{kind: 't'}, nil
		}
		return jv{kind: 'f'}, nil
	case nil:
		return jv{kind: 'z'}, nil
	}
	return jv{}, fmt.Errorf("unexpected token %v", t)
}

// refRule maps a dotted path to its leaf array; order keeps first insertion.
type refRule struct {
	m     map[string]jv
	order []string
}

func (r refRule) copy() refRule {
	n := refRule{m: map[string]jv{}, order: append([]string(nil), r.order...)}
	for k, v := range r.m {
		n.m[k] = v
	}
	return n
}

func refExpand(obj jv, prefix string, nested bool, rules []refRule) []refRule {
	for _, e := range obj.obj {
		if e.k == "$or" {
			var out []refRule
			for _, b := range e.v.arr {
				var nr []refRule
				for _, r := range rules {
					nr = append(nr, r.copy())
				}
				if len(nr) == 0 {
					nr = []refRule{{m: map[string]jv{}}}
				}
				out = append(out, refExpand(b, prefix, nested, nr)...)
			}
			rules = out
			continue
		}
		path := e.k
		if nested {
			path = prefix + "." + e.k
		}
		if e.v.kind == 'o' {
			rules = refExpand(e.v, path, true, rules)
			continue
		}
		if len(rules) == 0 {
			rules = []refRule{{m: map[string]jv{}}}
		}
		for i := range rules {
			if _, ok := rules[i].m[path]; !ok {
				rules[i].order = append(rules[i].order, path)
			}
			rules[i].m[path] = e.v
		}
	}
	return rules
}

type refLeaf struct {
	path  string
	v     jv
	trail [][2]int
}

func refFlatten(v jv, path string, nested bool, trail [][2]int, arrays *int, out *[]refLeaf) {
	switch v.kind {
	case 'o':
		for _, e := range v.obj {
			p := e.k
			if nested {
				p = path + "." + e.k
			}
			refFlatten(e.v, p, true, trail, arrays, out)
		}
	case 'a':
		id := *arrays
		*arrays++
		for i, e := range v.arr {
			t := append(append([][2]int(nil), trail...), [2]int{id, i})
			refFlatten(e, path, nested, t, arrays, out)
		}
	default:
		*out = append(*out, refLeaf{path, v, trail})
	}
}

// refMatch is the reference answer for a valid pattern and an event object.
func refMatch(pattern, event []byte) (bool, error) {
	p, err := refCompile(pattern)
	if err != nil {
		return false, err
	}
	e, err := refParseEvent(event)
	if err != nil {
		return false, err
	}
	return p.match(e), nil
}

// refPattern is a decoded pattern, expanded into its alternatives.
type refPattern struct {
	rules []refRule
	keys  [][]string // per rule, its paths in UTF-16 order
}

func refCompile(pattern []byte) (*refPattern, error) {
	p, err := refDecode(pattern)
	if err != nil {
		return nil, err
	}
	rp := &refPattern{rules: refExpand(p, "", false, nil)}
	for _, r := range rp.rules {
		keys := append([]string(nil), r.order...)
		sort.Slice(keys, func(i, j int) bool { return refLessUTF16(keys[i], keys[j]) })
		rp.keys = append(rp.keys, keys)
	}
	return rp, nil
}

// refEvent is a decoded event, flattened into its leaves.
type refEvent struct {
	leaves []refLeaf
}

func refParseEvent(event []byte) (*refEvent, error) {
	e, err := refDecode(event)
	if err != nil {
		return nil, err
	}
	if e.kind != 'o' {
		return nil, fmt.Errorf("event is not an object")
	}
	re := &refEvent{}
	n := 0
	refFlatten(e, "", false, nil, &n, &re.leaves)
	return re, nil
}

func (p *refPattern) match(e *refEvent) bool {
	for i, r := range p.rules {
		if refSearch(p.keys[i], r.m, e.leaves, 0, map[int]int{}) {
			return true
		}
	}
	return false
}

func refLessUTF16(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

func refConsistent(m map[int]int, t [][2]int) bool {
	for _, p := range t {
		if i, ok := m[p[0]]; ok && i != p[1] {
			return false
		}
	}
	return true
}

func refSearch(keys []string, fields map[string]jv, leaves []refLeaf, i int, m map[int]int) bool {
	if i == len(keys) {
		return true
	}
	conds := fields[keys[i]].arr
	absent := false
	for _, c := range conds {
		if c.kind == 'o' && c.obj[0].k == "exists" && c.obj[0].v.kind == 'f' {
			absent = true
		}
	}
	if absent {
		present := false
		for _, l := range leaves {
			if l.path == keys[i] && refConsistent(m, l.trail) {
				present = true
			}
		}
		if !present && refSearch(keys, fields, leaves, i+1, m) {
			return true
		}
	}
	for _, l := range leaves {
		if l.path != keys[i] || !refConsistent(m, l.trail) {
			continue
		}
		ok := false
		for _, c := range conds {
			if refCond(c, l.v) {
				ok = true
			}
		}
		if !ok {
			continue
		}
		m2 := map[int]int{}
		for k, v := range m {
			m2[k] = v
		}
		for _, p := range l.trail {
			m2[p[0]] = p[1]
		}
		if refSearch(keys, fields, leaves, i+1, m2) {
			return true
		}
	}
	return false
}

// refNumber returns the float value of a JSON number and whether AWS
// compares it by value: its exact decimal value must equal that of the
// decimal Java prints for the nearest double.
func refNumber(s string) (float64, bool) {
	exact, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	// Java's Double.toString: shortest digits, but at least two
	// significant digits when that is closer.
	repr := strconv.FormatFloat(f, 'e', -1, 64)
	if mant := strings.SplitN(repr, "e", 2)[0]; len(strings.Trim(strings.Replace(mant, ".", "", 1), "-")) == 1 {
		two := strconv.FormatFloat(f, 'e', 1, 64)
		if g, _ := strconv.ParseFloat(two, 64); g == f {
			repr = two
		}
	}
	back, _ := new(big.Rat).SetString(repr)
	if exact.Cmp(back) != 0 {
		return 0, false
	}
	return f, true
}

var (
	refV4 = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	refV6 = regexp.MustCompile(`^[0-9a-fA-F:]*:[0-9a-fA-F:]*$`)
)

func refIP(s string) (netip.Addr, bool) {
	if !refV4.MatchString(s) && !refV6.MatchString(s) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// refFold reports the end offsets at which a case-insensitive match of op
// starting at v[from:] can end, following AWS's per-UTF-16-unit rule.
func refFold(op string, v string, from int) []int {
	units := utf16.Encode([]rune(op))
	ends := []int{from}
	for _, u := range units {
		var alts []string
		if utf16.IsSurrogate(rune(u)) {
			alts = []string{"?"}
		} else {
			lo, up := javaCase(rune(u))
			alts = []string{lo, up}
		}
		var next []int
		for _, p := range ends {
			for _, a := range alts {
				if strings.HasPrefix(v[p:], a) {
					next = append(next, p+len(a))
				}
			}
		}
		ends = next
	}
	return ends
}

func refFoldEqual(op, v string) bool {
	for _, e := range refFold(op, v, 0) {
		if e == len(v) {
			return true
		}
	}
	return false
}

func refFoldPrefix(op, v string) bool { return len(refFold(op, v, 0)) > 0 }

func refFoldSuffix(op, v string) bool {
	for i := 0; i <= len(v); i++ {
		for _, e := range refFold(op, v, i) {
			if e == len(v) {
				return true
			}
		}
	}
	return false
}

func refGlob(op, v string) bool {
	var re strings.Builder
	re.WriteString(`^(?s)`)
	for i := 0; i < len(op); i++ {
		switch op[i] {
		case '*':
			re.WriteString(".*")
		case '\\':
			i++
			re.WriteString(regexp.QuoteMeta(op[i : i+1]))
		default:
			re.WriteString(regexp.QuoteMeta(op[i : i+1]))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(v)
}

func refCIDR(op string, v jv) bool {
	if v.kind != 's' {
		return false
	}
	a, ok := refIP(v.s)
	if !ok {
		return false
	}
	parts := strings.Split(op, "/")
	base, _ := refIP(parts[0])
	bits, _ := strconv.Atoi(parts[1])
	if a.BitLen() != base.BitLen() {
		return false
	}
	lo := base.AsSlice()
	hi := base.AsSlice()
	for i := bits; i < len(hi)*8; i++ {
		hi[i/8] |= 0x80 >> (i % 8)
	}
	x := a.AsSlice()
	return bytes.Compare(x, lo) >= 0 && bytes.Compare(x, hi) <= 0
}

func refCond(c jv, v jv) bool {
	switch c.kind {
	case 's':
		if ca, ok := refIP(c.s); ok {
			va, ok := refIP(v.s)
			return v.kind == 's' && ok && va == ca
		}
		return v.kind == 's' && v.s == c.s
	case 'n':
		if v.kind != 'n' {
			return false
		}
		if cf, ok := refNumber(c.s); ok {
			vf, ok := refNumber(v.s)
			return ok && vf == cf
		}
		return v.s == c.s
	case 't', 'f', 'z':
		return v.kind == c.kind
	}
	op, arg := c.obj[0].k, c.obj[0].v
	str := v.kind == 's'
	switch op {
	case "exactly":
		return str && v.s == arg.s
	case "prefix":
		if arg.kind == 'o' {
			return str && refFoldPrefix(arg.obj[0].v.s, v.s)
		}
		return str && strings.HasPrefix(v.s, arg.s)
	case "suffix":
		if arg.kind == 'o' {
			return str && refFoldSuffix(arg.obj[0].v.s, v.s)
		}
		return str && strings.HasSuffix(v.s, arg.s)
	case "equals-ignore-case":
		return str && refFoldEqual(arg.s, v.s)
	case "wildcard":
		return str && refGlob(arg.s, v.s)
	case "exists":
		return arg.kind == 't'
	case "cidr":
		return refCIDR(arg.s, v)
	case "numeric":
		if v.kind != 'n' {
			return false
		}
		x, ok := refNumber(v.s)
		if !ok {
			return false
		}
		for i := 0; i+1 < len(arg.arr); i += 2 {
			b, _ := refNumber(arg.arr[i+1].s)
			var holds bool
			switch arg.arr[i].s {
			case "=":
				holds = x == b
			case "<":
				holds = x < b
			case "<=":
				holds = x <= b
			case ">":
				holds = x > b
			case ">=":
				holds = x >= b
			}
			if !holds {
				return false
			}
		}
		return true
	case "anything-but":
		if arg.kind == 'o' {
			kind, ops := arg.obj[0].k, arg.obj[0].v
			list := []jv{ops}
			if ops.kind == 'a' {
				list = ops.arr
			}
			if !str {
				return true
			}
			for _, o := range list {
				var hit bool
				switch kind {
				case "prefix":
					hit = strings.HasPrefix(v.s, o.s)
				case "suffix":
					hit = strings.HasSuffix(v.s, o.s)
				case "equals-ignore-case":
					hit = refFoldEqual(o.s, v.s)
				case "wildcard":
					hit = refGlob(o.s, v.s)
				}
				if hit {
					return false
				}
			}
			return true
		}
		list := []jv{arg}
		if arg.kind == 'a' {
			list = arg.arr
		}
		for _, o := range list {
			switch {
			case o.kind == 's' && str && v.s == o.s:
				return false
			case o.kind == 'n' && v.kind == 'n':
				of, _ := refNumber(o.s)
				if vf, ok := refNumber(v.s); ok && vf == of {
					return false
				}
			}
		}
		return true
	}
	panic("reference: unknown operator " + op)
}
