package targets

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// jsonPath is a compiled JSONPath of the subset EventBridge accepts in
// InputPath and InputPathsMap: "$", then any number of ".name", ".*",
// "[index]" or "[*]" steps, where a name is made of ASCII letters, digits,
// "-", "_" and "/". A wildcard selects every element of an array or every
// member value of an object, and yields a JSON array of what the rest of
// the path selects in each.
type jsonPath struct {
	src   string
	steps []step
	// gj is the equivalent gjson path when the path has no wildcard.
	gj       string
	wildcard bool
}

type step struct {
	name     string // a gjson path component (field name or array index)
	wildcard bool
}

// maxPathLen is EventBridge's limit on InputPath and on each
// InputPathsMap value.
const maxPathLen = 256

// compilePath parses src. Errors say what is wrong and at which byte.
func compilePath(src string) (*jsonPath, error) {
	if src == "" {
		return nil, fmt.Errorf("empty JSONPath: want \"$\" or \"$.field...\"")
	}
	if len(src) > maxPathLen {
		return nil, fmt.Errorf("JSONPath is %d characters long: the limit is %d", len(src), maxPathLen)
	}
	if src[0] != '$' {
		return nil, fmt.Errorf("JSONPath %q must start with \"$\"", src)
	}
	p := &jsonPath{src: src}
	i := 1
	for i < len(src) {
		switch src[i] {
		case '.':
			i++
			if i < len(src) && src[i] == '*' {
				p.steps = append(p.steps, step{wildcard: true})
				i++
				continue
			}
			j := i
			for j < len(src) && isPathNameByte(src[j]) {
				j++
			}
			if j == i {
				if j < len(src) && src[j] == '.' {
					return nil, fmt.Errorf("JSONPath %q: deep scan \"..\" at offset %d is not supported", src, i-1)
				}
				return nil, fmt.Errorf("JSONPath %q: want a field name after \".\" at offset %d", src, i-1)
			}
			p.steps = append(p.steps, step{name: src[i:j]})
			i = j
		case '[':
			end := strings.IndexByte(src[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("JSONPath %q: unclosed \"[\" at offset %d", src, i)
			}
			inner := src[i+1 : i+end]
			switch {
			case inner == "*":
				p.steps = append(p.steps, step{wildcard: true})
			case inner != "" && isDigits(inner):
				if _, err := strconv.Atoi(inner); err != nil {
					return nil, fmt.Errorf("JSONPath %q: array index %s at offset %d is too large", src, inner, i)
				}
				p.steps = append(p.steps, step{name: inner})
			case strings.HasPrefix(inner, "'") || strings.HasPrefix(inner, "\""):
				return nil, fmt.Errorf("JSONPath %q: bracket notation %q at offset %d is not supported: use dot notation", src, "["+inner+"]", i)
			default:
				return nil, fmt.Errorf("JSONPath %q: %q at offset %d is not an array index: want [0], [1], ... or [*]", src, "["+inner+"]", i)
			}
			i += end + 1
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q at offset %d: names may hold only letters, digits, \"-\", \"_\" and \"/\"", src, src[i], i)
		}
	}
	names := make([]string, 0, len(p.steps))
	for _, s := range p.steps {
		if s.wildcard {
			p.wildcard = true
			break
		}
		names = append(names, s.name)
	}
	if !p.wildcard {
		p.gj = strings.Join(names, ".")
	}
	return p, nil
}

func isPathNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/'
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// value is what a path selects: raw JSON text, or nothing.
type value struct {
	raw  string // JSON text; "" when missing
	kind gjson.Type
}

func (v value) missing() bool { return v.raw == "" }

// eval applies p to event, which must be valid JSON.
func (p *jsonPath) eval(event string) value {
	if len(p.steps) == 0 {
		return value{raw: strings.TrimSpace(event), kind: gjson.Parse(event).Type}
	}
	if !p.wildcard {
		r := gjson.Get(event, p.gj)
		if !r.Exists() {
			return value{}
		}
		return value{raw: r.Raw, kind: r.Type}
	}
	r := evalSteps(gjson.Parse(event), p.steps)
	if !r.Exists() {
		return value{}
	}
	return value{raw: r.Raw, kind: r.Type}
}

// evalSteps walks steps from r; a wildcard fans out and gathers the
// results into a JSON array.
func evalSteps(r gjson.Result, steps []step) gjson.Result {
	for i, s := range steps {
		if !r.Exists() {
			return r
		}
		if !s.wildcard {
			r = r.Get(s.name)
			continue
		}
		if !r.IsArray() && !r.IsObject() {
			return gjson.Result{}
		}
		var b strings.Builder
		b.WriteByte('[')
		n := 0
		r.ForEach(func(_, v gjson.Result) bool {
			sub := evalSteps(v, steps[i+1:])
			if sub.Exists() {
				if n > 0 {
					b.WriteByte(',')
				}
				b.WriteString(sub.Raw)
				n++
			}
			return true
		})
		b.WriteByte(']')
		return gjson.Parse(b.String())
	}
	return r
}

// bytesToString views b as a string without copying. Delivery bytes are
// immutable by contract, so the view stays valid.
func bytesToString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// pathTree evaluates many paths in one pass over the event: paths that
// share a prefix share its lookups, every object or array on the way is
// scanned once, and the scan stops as soon as every value is found.
type pathTree struct {
	root    pathNode
	targets int   // nodes that carry variables
	wild    []int // variables whose paths have wildcards, evaluated alone
	paths   []*jsonPath
}

type pathNode struct {
	name     string // one step: a member name or an array index
	index    int    // name as an array index, or -1
	vars     []int  // variables whose path ends here
	children []*pathNode
}

// newPathTree indexes paths[v] for each v in used.
func newPathTree(paths []*jsonPath, used []bool) *pathTree {
	t := &pathTree{paths: paths, root: pathNode{index: -1}}
	for v, p := range paths {
		if !used[v] {
			continue
		}
		if p.wildcard {
			t.wild = append(t.wild, v)
			continue
		}
		n := &t.root
		for _, s := range p.steps {
			var next *pathNode
			for _, c := range n.children {
				if c.name == s.name {
					next = c
					break
				}
			}
			if next == nil {
				next = &pathNode{name: s.name, index: -1}
				if isDigits(s.name) {
					if i, err := strconv.Atoi(s.name); err == nil {
						next.index = i
					}
				}
				n.children = append(n.children, next)
			}
			n = next
		}
		if len(n.vars) == 0 {
			t.targets++
		}
		n.vars = append(n.vars, v)
	}
	return t
}

// eval fills vals with every used variable's value; the others are left
// as they are. event must be valid JSON; on anything else eval neither
// panics nor reads out of bounds, but may miss values.
func (t *pathTree) eval(event string, vals []value) {
	if t.targets > 0 {
		left := t.targets
		scanValue(event, skipSpace(event, 0), &t.root, vals, &left)
	}
	for _, v := range t.wild {
		vals[v] = t.paths[v].eval(event)
	}
}
