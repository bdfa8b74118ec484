package pattern

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/rulebridge/rulebridge/internal/jsonscan"
)

// The event scanner walks the raw bytes of an event once. It validates the
// whole document (strict JSON, as encoding/json accepts it) but decodes only
// the values at paths some pattern names; everything else is skipped.
//
// Object keys join into dotted paths ({"a":{"b":1}} and {"a.b":1} both give
// a.b). Arrays are transparent: each element is a value at the array's
// path, nested arrays flatten, and every value remembers the array elements
// it lies in (its trail) so that matching can require fields to come from
// the same element.

// arrayPos says that a value lies in element idx of array arr (arrays are
// numbered in document order).
type arrayPos struct {
	arr, idx int32
}

// flatValue is one decoded leaf value at a named path.
type flatValue struct {
	pid        int32 // path id in the pathTable
	val        value
	trailStart int32 // the value's trail is trails[trailStart:trailEnd]
	trailEnd   int32
}

// flatEvent is the result of scanning an event.
type flatEvent struct {
	values []flatValue
	trails []arrayPos
	byPath [][]int32 // path id -> indexes into values, in document order
	arrays int32     // number of arrays seen on named paths
}

func (e *flatEvent) trail(i int32) []arrayPos {
	v := &e.values[i]
	return e.trails[v.trailStart:v.trailEnd]
}

// scanner holds reusable state for scanning events.
type scanner struct {
	src   []byte
	pos   int
	table *pathTable
	path  []byte     // current dotted path
	stack []arrayPos // current array trail
	ev    flatEvent
	depth int
}

var scannerPool = sync.Pool{New: func() any { return new(scanner) }}

func getScanner() *scanner { return scannerPool.Get().(*scanner) }

func putScanner(s *scanner) {
	if cap(s.ev.values) > 1<<14 {
		*s = scanner{} // do not keep huge buffers
	}
	s.src = nil
	s.table = nil
	for i := range s.ev.values {
		s.ev.values[i] = flatValue{}
	}
	scannerPool.Put(s)
}

const maxDepth = 10000

type scanError struct {
	msg string
	off int
}

// scan scans event for the paths of t. The returned flatEvent is valid
// until the scanner is reused.
func (s *scanner) scan(event []byte, t *pathTable) (*flatEvent, error) {
	s.src, s.pos, s.table = event, 0, t
	s.path = s.path[:0]
	s.stack = s.stack[:0]
	s.depth = 0
	s.ev.values = s.ev.values[:0]
	s.ev.trails = s.ev.trails[:0]
	s.ev.arrays = 0
	if cap(s.ev.byPath) < t.n {
		s.ev.byPath = make([][]int32, t.n)
	}
	s.ev.byPath = s.ev.byPath[:t.n]
	for i := range s.ev.byPath {
		s.ev.byPath[i] = s.ev.byPath[i][:0]
	}
	err := s.document()
	if err != nil {
		if se, ok := err.(*scanError); ok {
			return nil, &EventError{Reason: se.msg, Offset: se.off}
		}
		return nil, err
	}
	for i := range s.ev.values {
		p := s.ev.values[i].pid
		s.ev.byPath[p] = append(s.ev.byPath[p], int32(i))
	}
	return &s.ev, nil
}

func (s *scanner) errorf(off int, format string, args ...any) error {
	return &scanError{msg: fmt.Sprintf(format, args...), off: off}
}

func (s *scanner) ws() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) document() error {
	s.ws()
	if s.pos >= len(s.src) {
		return s.errorf(s.pos, "the event is empty; it must be a JSON object")
	}
	if s.src[s.pos] != '{' {
		if err := s.skipValue(); err != nil {
			return err
		}
		return s.errorf(0, "the event is not a JSON object")
	}
	if err := s.object(false); err != nil {
		return err
	}
	s.ws()
	if s.pos < len(s.src) {
		return s.errorf(s.pos, "invalid character %s after the top-level object", quoteChar(s.src[s.pos:]))
	}
	return nil
}

func quoteChar(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	return fmt.Sprintf("%q", r)
}

// object scans an object whose "{" is at s.pos. hasPrefix reports whether
// s.path is the path of the object (false at the top level).
func (s *scanner) object(hasPrefix bool) error {
	s.depth++
	if s.depth > maxDepth {
		return s.errorf(s.pos, "the event nests deeper than %d levels", maxDepth)
	}
	s.pos++ // {
	s.ws()
	if s.pos < len(s.src) && s.src[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil
	}
	base := len(s.path)
	for {
		s.ws()
		if s.pos >= len(s.src) {
			return s.errorf(s.pos, "unexpected end of the event inside an object")
		}
		if s.src[s.pos] != '"' {
			return s.errorf(s.pos, "invalid character %s looking for the beginning of an object key", quoteChar(s.src[s.pos:]))
		}
		kstart := s.pos
		kend, esc, err := s.skipString()
		if err != nil {
			return err
		}
		s.path = s.path[:base]
		if hasPrefix {
			s.path = append(s.path, '.')
		}
		if esc {
			s.path = jsonscan.AppendUnquoted(s.path, s.src[kstart+1:kend-1])
		} else {
			s.path = append(s.path, s.src[kstart+1:kend-1]...)
		}
		s.ws()
		if s.pos >= len(s.src) || s.src[s.pos] != ':' {
			if s.pos >= len(s.src) {
				return s.errorf(s.pos, "unexpected end of the event after an object key")
			}
			return s.errorf(s.pos, "invalid character %s after an object key", quoteChar(s.src[s.pos:]))
		}
		s.pos++
		s.ws()
		flags := s.table.flags[string(s.path)]
		if flags == 0 {
			if err := s.skipValue(); err != nil {
				return err
			}
		} else if err := s.value(flags); err != nil {
			return err
		}
		s.ws()
		if s.pos >= len(s.src) {
			return s.errorf(s.pos, "unexpected end of the event inside an object")
		}
		switch s.src[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.path = s.path[:base]
			s.depth--
			return nil
		default:
			return s.errorf(s.pos, "invalid character %s after an object value", quoteChar(s.src[s.pos:]))
		}
	}
}

// value scans a value at the current path, which is named by a pattern
// (flagPath) or lies above one (flagPrefix).
func (s *scanner) value(flags uint8) error {
	if s.pos >= len(s.src) {
		return s.errorf(s.pos, "unexpected end of the event, expecting a value")
	}
	switch c := s.src[s.pos]; c {
	case '{':
		if flags&flagPrefix == 0 {
			return s.skipValue()
		}
		return s.object(true)
	case '[':
		return s.array(flags)
	}
	if flags&flagPath == 0 {
		return s.skipValue()
	}
	start := s.pos
	v := value{}
	switch c := s.src[s.pos]; {
	case c == '"':
		end, esc, err := s.skipString()
		if err != nil {
			return err
		}
		v.kind = vString
		body := s.src[start+1 : end-1]
		if esc || !utf8.Valid(body) {
			v.str = jsonscan.AppendUnquoted(nil, body)
		} else {
			v.str = body
		}
	case c == '-' || (c >= '0' && c <= '9'):
		if err := s.skipNumber(); err != nil {
			return err
		}
		v.kind = vNumber
		v.str = s.src[start:s.pos]
	case c == 't':
		if err := s.literal("true"); err != nil {
			return err
		}
		v.kind = vTrue
	case c == 'f':
		if err := s.literal("false"); err != nil {
			return err
		}
		v.kind = vFalse
	case c == 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
		v.kind = vNull
	default:
		return s.errorf(s.pos, "invalid character %s looking for the beginning of a value", quoteChar(s.src[s.pos:]))
	}
	v.raw = s.src[start:s.pos]
	ts := int32(len(s.ev.trails))
	s.ev.trails = append(s.ev.trails, s.stack...)
	s.ev.values = append(s.ev.values, flatValue{pid: s.table.ids[string(s.path)], val: v, trailStart: ts, trailEnd: int32(len(s.ev.trails))})
	return nil
}

// array scans an array whose elements all sit at the current path.
func (s *scanner) array(flags uint8) error {
	s.depth++
	if s.depth > maxDepth {
		return s.errorf(s.pos, "the event nests deeper than %d levels", maxDepth)
	}
	s.pos++ // [
	id := s.ev.arrays
	s.ev.arrays++
	s.ws()
	if s.pos < len(s.src) && s.src[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	s.stack = append(s.stack, arrayPos{arr: id})
	top := len(s.stack) - 1
	base := len(s.path)
	for i := int32(0); ; i++ {
		s.stack[top].idx = i
		s.ws()
		if err := s.value(flags); err != nil {
			return err
		}
		s.path = s.path[:base]
		s.ws()
		if s.pos >= len(s.src) {
			return s.errorf(s.pos, "unexpected end of the event inside an array")
		}
		switch s.src[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.stack = s.stack[:top]
			s.depth--
			return nil
		default:
			return s.errorf(s.pos, "invalid character %s after an array element", quoteChar(s.src[s.pos:]))
		}
	}
}

// skipValue validates and skips any value.
func (s *scanner) skipValue() error {
	if s.pos >= len(s.src) {
		return s.errorf(s.pos, "unexpected end of the event, expecting a value")
	}
	switch c := s.src[s.pos]; {
	case c == '"':
		_, _, err := s.skipString()
		return err
	case c == '{':
		s.depth++
		if s.depth > maxDepth {
			return s.errorf(s.pos, "the event nests deeper than %d levels", maxDepth)
		}
		s.pos++
		s.ws()
		if s.pos < len(s.src) && s.src[s.pos] == '}' {
			s.pos++
			s.depth--
			return nil
		}
		for {
			s.ws()
			if s.pos >= len(s.src) || s.src[s.pos] != '"' {
				if s.pos >= len(s.src) {
					return s.errorf(s.pos, "unexpected end of the event inside an object")
				}
				return s.errorf(s.pos, "invalid character %s looking for the beginning of an object key", quoteChar(s.src[s.pos:]))
			}
			if _, _, err := s.skipString(); err != nil {
				return err
			}
			s.ws()
			if s.pos >= len(s.src) || s.src[s.pos] != ':' {
				if s.pos >= len(s.src) {
					return s.errorf(s.pos, "unexpected end of the event after an object key")
				}
				return s.errorf(s.pos, "invalid character %s after an object key", quoteChar(s.src[s.pos:]))
			}
			s.pos++
			s.ws()
			if err := s.skipValue(); err != nil {
				return err
			}
			s.ws()
			if s.pos >= len(s.src) {
				return s.errorf(s.pos, "unexpected end of the event inside an object")
			}
			switch s.src[s.pos] {
			case ',':
				s.pos++
			case '}':
				s.pos++
				s.depth--
				return nil
			default:
				return s.errorf(s.pos, "invalid character %s after an object value", quoteChar(s.src[s.pos:]))
			}
		}
	case c == '[':
		s.depth++
		if s.depth > maxDepth {
			return s.errorf(s.pos, "the event nests deeper than %d levels", maxDepth)
		}
		s.pos++
		s.ws()
		if s.pos < len(s.src) && s.src[s.pos] == ']' {
			s.pos++
			s.depth--
			return nil
		}
		for {
			s.ws()
			if err := s.skipValue(); err != nil {
				return err
			}
			s.ws()
			if s.pos >= len(s.src) {
				return s.errorf(s.pos, "unexpected end of the event inside an array")
			}
			switch s.src[s.pos] {
			case ',':
				s.pos++
			case ']':
				s.pos++
				s.depth--
				return nil
			default:
				return s.errorf(s.pos, "invalid character %s after an array element", quoteChar(s.src[s.pos:]))
			}
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return s.skipNumber()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.errorf(s.pos, "invalid character %s looking for the beginning of a value", quoteChar(s.src[s.pos:]))
}

// skipString skips the string at s.pos and returns the offset after its
// closing quote and whether it has escapes.
func (s *scanner) skipString() (end int, esc bool, err error) {
	i := s.pos + 1
	src := s.src
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(src) {
				return 0, false, s.errorf(i, "unexpected end of the event inside a string")
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) {
					return 0, false, s.errorf(i, "unexpected end of the event inside a string")
				}
				for k := i + 2; k < i+6; k++ {
					if !isHexDigit(src[k]) {
						return 0, false, s.errorf(k, "invalid character %s in \\u escape", quoteChar(src[k:]))
					}
				}
				i += 6
			default:
				return 0, false, s.errorf(i+1, "invalid escape character %s in a string", quoteChar(src[i+1:]))
			}
		case c < 0x20:
			return 0, false, s.errorf(i, "invalid control character %#02x in a string", c)
		default:
			i++
		}
	}
	return 0, false, s.errorf(len(src), "unexpected end of the event inside a string")
}

func (s *scanner) skipNumber() error {
	src := s.src
	i := s.pos
	if src[i] == '-' {
		i++
	}
	if i >= len(src) || src[i] < '0' || src[i] > '9' {
		return s.errorf(i, "invalid number: expecting a digit")
	}
	if src[i] == '0' {
		i++
	} else {
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	if i < len(src) && src[i] == '.' {
		i++
		if i >= len(src) || src[i] < '0' || src[i] > '9' {
			return s.errorf(i, "invalid number: expecting a digit after the decimal point")
		}
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) || src[i] < '0' || src[i] > '9' {
			return s.errorf(i, "invalid number: expecting a digit in the exponent")
		}
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	s.pos = i
	return nil
}

func (s *scanner) literal(word string) error {
	if len(s.src)-s.pos < len(word) || string(s.src[s.pos:s.pos+len(word)]) != word {
		return s.errorf(s.pos, "invalid literal; expecting %q", word)
	}
	s.pos += len(word)
	return nil
}

func (e *scanError) Error() string { return e.msg }
