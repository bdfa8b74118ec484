package rulesfile

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/rulebridge/rulebridge/internal/jsonx"
)

// jsonWriter renders a YAML tree as compact JSON and remembers where each
// node's text starts, so that an offset in the JSON (from a pattern error)
// leads back to a line of the rules file.
type jsonWriter struct {
	buf   []byte
	marks []mark
	max   int // refuse output longer than this
}

type mark struct {
	off  int
	node *yaml.Node
}

// renderError is a node that has no JSON form.
type renderError struct {
	node   *yaml.Node
	reason string
}

// jsonNumber is the grammar of a JSON number.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// render appends n as JSON. Mappings become objects (keys in file order,
// repeats kept), sequences arrays, and scalars follow their YAML type:
// strings (quoted or not), null, booleans and numbers. A number keeps the
// text it was written with when that is a JSON number, so large or precise
// numbers are not rounded.
func (w *jsonWriter) render(n *yaml.Node) *renderError {
	if len(w.buf) > w.max {
		return &renderError{n, "value is too large"}
	}
	w.marks = append(w.marks, mark{len(w.buf), n})
	switch n.Kind {
	case yaml.MappingNode:
		w.buf = append(w.buf, '{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if k.Kind != yaml.ScalarNode || isNull(k) {
				return &renderError{k, "object keys must be strings, got " + describe(k)}
			}
			w.marks = append(w.marks, mark{len(w.buf), k})
			w.buf = jsonx.AppendString(w.buf, k.Value)
			w.buf = append(w.buf, ':')
			if err := w.render(v); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, '}')
	case yaml.SequenceNode:
		w.buf = append(w.buf, '[')
		for i, c := range n.Content {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if err := w.render(c); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, ']')
	case yaml.ScalarNode:
		return w.scalar(n)
	default:
		return &renderError{n, "has no JSON form"}
	}
	return nil
}

func (w *jsonWriter) scalar(n *yaml.Node) *renderError {
	switch n.ShortTag() {
	case "!!null":
		w.buf = append(w.buf, "null"...)
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return &renderError{n, "not a boolean"}
		}
		w.buf = strconv.AppendBool(w.buf, b)
	case "!!int":
		if jsonNumber.MatchString(n.Value) {
			w.buf = append(w.buf, n.Value...)
			break
		}
		var i int64
		if err := n.Decode(&i); err != nil {
			var u uint64
			if err := n.Decode(&u); err != nil {
				return &renderError{n, "integer " + n.Value + " has no exact JSON form"}
			}
			w.buf = strconv.AppendUint(w.buf, u, 10)
			break
		}
		w.buf = strconv.AppendInt(w.buf, i, 10)
	case "!!float":
		if jsonNumber.MatchString(n.Value) {
			w.buf = append(w.buf, n.Value...)
			break
		}
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return &renderError{n, n.Value + " is not a JSON number"}
		}
		w.buf = strconv.AppendFloat(w.buf, f, 'g', -1, 64)
	default: // strings, timestamps, binary: their text
		w.buf = jsonx.AppendString(w.buf, n.Value)
	}
	return nil
}

// nodeAt returns the node whose JSON text contains offset off.
func (w *jsonWriter) nodeAt(off int) *yaml.Node {
	var n *yaml.Node
	for _, m := range w.marks {
		if m.off > off {
			break
		}
		n = m.node
	}
	return n
}

// fixSurrogates rewrites, in JSON text, the \uD83D\uDE00 escapes of
// characters outside the Basic Multilingual Plane as YAML's \U0001F600,
// and lone surrogate escapes as \uFFFD (what encoding/json decodes them
// to): go.yaml.in/yaml/v3 refuses surrogate escapes, which JSON writers
// such as Python's json module produce. The text must be valid JSON.
// Columns after such an escape on the same line shift left by two.
func fixSurrogates(src []byte) []byte {
	if !bytes.Contains(src, []byte(`\u`)) && !bytes.Contains(src, []byte(`\U`)) {
		return src
	}
	out := make([]byte, 0, len(src))
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !inString {
			out = append(out, c)
			if c == '"' {
				inString = true
			}
			continue
		}
		switch c {
		case '"':
			inString = false
			out = append(out, c)
		case '\\':
			if src[i+1] != 'u' {
				out = append(out, c, src[i+1])
				i++
				continue
			}
			r := hex4(src[i+2 : i+6])
			switch {
			case r >= 0xD800 && r < 0xDC00 && i+12 <= len(src) && src[i+6] == '\\' && src[i+7] == 'u' &&
				hex4(src[i+8:i+12]) >= 0xDC00 && hex4(src[i+8:i+12]) < 0xE000:
				full := 0x10000 + (r-0xD800)<<10 + (hex4(src[i+8:i+12]) - 0xDC00)
				out = append(out, `\U`...)
				out = append(out, []byte(strconv.FormatInt(int64(full)+0x100000000, 16))[1:]...)
				i += 11
			case r >= 0xD800 && r < 0xE000:
				out = append(out, `\uFFFD`...)
				i += 5
			default:
				out = append(out, src[i:i+6]...)
				i += 5
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

func hex4(b []byte) int {
	v, err := strconv.ParseUint(string(b), 16, 16)
	if err != nil {
		return -1
	}
	return int(v)
}

// isJSON reports whether src is a JSON document (an object), which may
// need fixSurrogates before YAML parses it.
func isJSON(src []byte) bool {
	t := bytes.TrimLeft(src, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] == '{' && json.Valid(src)
}
