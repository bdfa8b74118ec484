package rulesfile

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder walks the YAML tree of one rules file, collecting every problem.
type decoder struct {
	file string
	dir  string // relative File paths are joined to it
	src  []byte
	errs ErrorList
	// bad holds nodes already reported (aliases, custom tags): decoding
	// skips them without a second message.
	bad   map[*yaml.Node]bool
	lines [][]byte // src split into lines, on first use
}

func pos(n *yaml.Node) position {
	if n == nil {
		return position{}
	}
	return position{Line: n.Line, Column: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, sc scope, field, format string, args ...any) {
	d.errs = append(d.errs, newError(d.file, pos(n), sc, field, fmt.Sprintf(format, args...), nil))
}

func (d *decoder) wrap(n *yaml.Node, sc scope, field, reason string, cause error) {
	d.errs = append(d.errs, newError(d.file, pos(n), sc, field, reason, cause))
}

// join appends key to the property path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// standardTags are the tags of YAML's core schema (plus timestamp and
// binary, which go.yaml.in/yaml/v3 resolves); anything else, such as
// CloudFormation's !Sub or !Ref, is refused.
var standardTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true,
	"!!map": true, "!!seq": true, "!!timestamp": true, "!!binary": true,
}

// screen reports what the loader does not support anywhere in the tree:
// aliases, merge keys and non-standard tags. The nodes are marked bad.
func (d *decoder) screen(n *yaml.Node) {
	switch {
	case n.Kind == yaml.AliasNode:
		d.bad[n] = true
		d.errorf(n, scope{}, "", "YAML aliases (*%s) are not supported: write the value out", n.Value)
		return
	case n.Kind == yaml.ScalarNode && n.Tag == "!!merge":
		d.bad[n] = true
		d.errorf(n, scope{}, "", "YAML merge keys (<<) are not supported")
		return
	case !standardTags[n.ShortTag()] && n.Kind != yaml.DocumentNode:
		d.bad[n] = true
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			d.errorf(n, scope{}, "", "YAML tag %s is not supported (CloudFormation intrinsic functions are not evaluated)", n.Tag)
		} else {
			d.errorf(n, scope{}, "", "YAML tag %s is not supported", n.Tag)
		}
		return
	}
	for _, c := range n.Content {
		d.screen(c)
	}
}

// describe names a node's type for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	}
	return "a string"
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// object is a mapping's known properties.
type object struct {
	node *yaml.Node
	keys map[string]*yaml.Node
	vals map[string]*yaml.Node
}

// has reports whether key is present, even with a null value.
func (o object) has(key string) bool { _, ok := o.vals[key]; return ok }

// get returns key's value, or nil when it is absent or null: null is the
// same as leaving the key out.
func (o object) get(key string) *yaml.Node {
	v := o.vals[key]
	if isNull(v) {
		return nil
	}
	return v
}

// at returns the position of key's value, or of the mapping.
func (o object) at(key string) *yaml.Node {
	if v, ok := o.vals[key]; ok {
		return v
	}
	return o.node
}

// scalarIn returns the text of key's value in the mapping n, when it is a
// usable scalar, before n is decoded: a rule's Name or a target's Id, which
// every message about the rule or target carries. Otherwise it returns "".
func (d *decoder) scalarIn(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == key && v.Kind == yaml.ScalarNode && !isNull(v) && !d.bad[v] {
			return v.Value
		}
	}
	return ""
}

// identifier reads the required property key of o, a rule's Name or a
// target's Id: a string of 1-64 of . - _ A-Z a-z 0-9, unique among seen
// (the values met so far, which it extends). A repeated value is reported
// with dupFormat, given the line of the first. It returns the string read,
// even when it is reported, or "".
func (d *decoder) identifier(o object, sc scope, key string, seen map[string]*yaml.Node, dupFormat string) string {
	v := o.get(key)
	if v == nil {
		d.errorf(o.at(key), sc, key, "is required")
		return ""
	}
	s, ok := d.str(v, sc, key)
	if !ok {
		return ""
	}
	if !validName(s) {
		d.errorf(v, sc, key, "must be 1-%d characters of . - _ A-Z a-z 0-9", maxNameLen)
	} else if first, dup := seen[s]; dup {
		d.errorf(v, sc, key, dupFormat, first.Line)
	} else {
		seen[s] = v
	}
	return s
}

// requiredMapping is mapping for a list item (a rule, a target) that must
// be a mapping: null is an error too.
func (d *decoder) requiredMapping(n *yaml.Node, sc scope, known []string, unsupported map[string]string) (object, bool) {
	o, ok := d.mapping(n, sc, "", known, unsupported)
	if ok && isNull(n) {
		d.errorf(n, sc, "", "want a mapping, got null")
		return o, false
	}
	return o, ok
}

// mapping checks that n is a mapping (null counts as an empty one) and
// returns its properties. Unknown keys, repeated keys and keys that are
// not strings are reported; unsupported names CloudFormation properties
// that rulebridge refuses, with the reason. ok is false when n is not a
// mapping at all.
func (d *decoder) mapping(n *yaml.Node, sc scope, path string, known []string, unsupported map[string]string) (object, bool) {
	o := object{node: n, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	if d.bad[n] {
		return o, false
	}
	if isNull(n) {
		return o, true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, sc, path, "want a mapping, got %s", describe(n))
		return o, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if d.bad[k] {
			continue
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errorf(k, sc, path, "keys must be strings, got %s", describe(k))
			continue
		}
		name := k.Value
		field := join(path, name)
		if first, dup := o.keys[name]; dup {
			d.errorf(k, sc, field, "repeated (first at line %d)", first.Line)
			continue
		}
		if !contains(known, name) {
			if why, ok := unsupported[name]; ok {
				d.errorf(k, sc, field, "CloudFormation property not supported by rulebridge: %s", why)
			} else if s := suggest(name, known); s != "" {
				d.errorf(k, sc, field, "unknown property; did you mean %s?", s)
			} else {
				d.errorf(k, sc, field, "unknown property; want one of %s", strings.Join(known, ", "))
			}
			o.keys[name] = k // still a duplicate if repeated
			continue
		}
		o.keys[name] = k
		o.vals[name] = v
	}
	return o, true
}

// present returns those of keys that o has, in file order.
func (o object) present(keys []string) []string {
	var out []string
	for _, k := range keys {
		if o.has(k) {
			out = append(out, k)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		ka, kb := o.keys[a], o.keys[b]
		if c := cmp.Compare(ka.Line, kb.Line); c != 0 {
			return c
		}
		return cmp.Compare(ka.Column, kb.Column)
	})
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the known name closest to name: equal but for case, or
// at most two edits away (a quarter of its length for long names). "" when
// none is close.
func suggest(name string, known []string) string {
	best, bestDist := "", max(2, len(name)/4)+1
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt32 // not a typo of any property name
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// str returns a scalar's text. Numbers and booleans are taken as written
// (Id: 1 is the string "1"); mappings and sequences are errors.
func (d *decoder) str(n *yaml.Node, sc scope, field string) (string, bool) {
	if d.bad[n] {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, sc, field, "want a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// integer returns an integer scalar's value.
func (d *decoder) integer(n *yaml.Node, sc scope, field string) (int64, bool) {
	if d.bad[n] {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.errorf(n, sc, field, "want an integer, got %s", describeValue(n))
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		d.errorf(n, sc, field, "integer %s is out of range", n.Value)
		return 0, false
	}
	return v, true
}

// number returns a finite numeric scalar's value.
func (d *decoder) number(n *yaml.Node, sc scope, field string) (float64, bool) {
	if d.bad[n] {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" && n.ShortTag() != "!!float" {
		d.errorf(n, sc, field, "want a number, got %s", describeValue(n))
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		d.errorf(n, sc, field, "want a finite number, got %s", n.Value)
		return 0, false
	}
	return v, true
}

// describeValue is describe plus the scalar's text, for fields whose
// values are never secret.
func describeValue(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		s := n.Value
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return fmt.Sprintf("%s %q", describe(n), s)
	}
	return describe(n)
}

// strList returns a sequence of strings.
func (d *decoder) strList(n *yaml.Node, sc scope, field string) ([]string, bool) {
	if d.bad[n] {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, sc, field, "want a sequence of strings, got %s", describe(n))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		s, good := d.str(c, sc, fmt.Sprintf("%s[%d]", field, i))
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}
