package pattern

import (
	"math/bits"
	"unsafe"
)

// Fast paths of the scanner: loops that call nothing and keep their state
// in registers, for the usual JSON (no escapes, moderate nesting). Each
// gives up on anything else, without reporting it, and its caller then
// reads the same bytes by the general way, which validates and reports
// errors. So the fast paths must accept nothing the general way rejects;
// they may reject what it accepts.

// strStopsW returns a word whose lowest set bit is in the first byte of w
// (8 bytes of text, the first in the lowest byte) that is '"', '\\' or a
// control character (bytes after it may be set too).
func strStopsW(w uint64) uint64 {
	q := w ^ 0x2222222222222222
	b := w ^ 0x5C5C5C5C5C5C5C5C
	return ((q-0x0101010101010101)&^q | (b-0x0101010101010101)&^b | (w-0x2020202020202020)&^w) & 0x8080808080808080
}

// strEnd returns the offset of the '"' that closes the string whose body
// starts at src[i], or -1 if the body has an escape or a control
// character, or the event ends.
func strEnd(src []byte, i int) int {
	base := unsafe.Pointer(unsafe.SliceData(src))
	for ; i+8 <= len(src); i += 8 {
		if m := strStopsW(le64(base, i)); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if src[i] == '"' {
				return i
			}
			return -1
		}
	}
	for ; i < len(src); i++ {
		switch c := src[i]; {
		case c == '"':
			return i
		case c == '\\' || c < 0x20:
			return -1
		}
	}
	return -1
}

// keyStops is strStopsW for an object key, which must have no dot either.
func keyStops(w uint64) uint64 {
	d := w ^ 0x2E2E2E2E2E2E2E2E
	return strStopsW(w) | (d-0x0101010101010101)&^d&0x8080808080808080
}

// keyEnd is strEnd for an object key, which must have no dot either.
func keyEnd(src []byte, i int) int {
	base := unsafe.Pointer(unsafe.SliceData(src))
	for ; i+8 <= len(src); i += 8 {
		if m := keyStops(le64(base, i)); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if src[i] == '"' {
				return i
			}
			return -1
		}
	}
	return -1
}

// kidTab finds the child of a trie node with few children by the length
// and the first 8 bytes of a key, hashed to a slot that no other child
// takes. It holds indexes into the node's list of children, so it stays
// valid while the names of the children do not change.
type kidTab struct {
	mul   uint64
	slots [kidSlots]kidSlot
}

type kidSlot struct {
	first uint64 // the first 8 bytes of the name, zero-padded, little-endian
	n     int32  // the length of the name; -1 for an empty slot
	idx   int32  // in the node's kids.small
}

const (
	maxKidTab = 8  // the most children a kidTab holds
	kidSlots  = 16 // slots of a kidTab
)

func kidHash(first uint64, n int, mul uint64) uint64 {
	return ((first ^ uint64(n)) * mul) >> 60
}

// newKidTab returns a kidTab of kids, or nil if there are none or too
// many, or no multiplier that it tries gives every name its own slot.
func newKidTab(kids *pmap[*pnode]) *kidTab {
	if kids.n == 0 || kids.n > maxKidTab || kids.dir != nil {
		return nil
	}
	firsts := make([]uint64, len(kids.small))
	for i := range kids.small {
		var b [8]byte
		copy(b[:], kids.small[i].key)
		firsts[i] = le64(unsafe.Pointer(&b), 0)
	}
	t := &kidTab{}
	mul := uint64(0x9E3779B97F4A7C15)
try:
	for tries := 0; tries < 64; tries++ {
		mul = mul*6364136223846793005 + 1442695040888963407 | 1
		for k := range t.slots {
			t.slots[k] = kidSlot{n: -1}
		}
		for i := range kids.small {
			sl := &t.slots[kidHash(firsts[i], len(kids.small[i].key), mul)]
			if sl.n >= 0 {
				continue try
			}
			*sl = kidSlot{first: firsts[i], n: int32(len(kids.small[i].key)), idx: int32(i)}
		}
		t.mul = mul
		return t
	}
	return nil
}

// skipMaxDepth is the deepest nesting skipFast reads.
const skipMaxDepth = 64

// skipFast returns the offset after the value that starts at src[pos],
// having validated it, or -1 if it leaves the value to skipValue: a
// string with an escape or a control character, nesting deeper than
// skipMaxDepth, anything invalid, or the end of the event.
func skipFast(src []byte, pos int) int {
	var (
		stack uint64 // bit d: the container at depth d+1 is an object
		depth int
		c     byte
	)
	base := unsafe.Pointer(unsafe.SliceData(src))
value:
	if pos >= len(src) {
		return -1
	}
	switch c = src[pos]; c {
	case '"':
		// The string, a word at a time.
		for pos++; ; pos += 8 {
			if pos+8 > len(src) {
				if pos = strEnd(src, pos); pos < 0 {
					return -1
				}
				break
			}
			if m := strStopsW(le64(base, pos)); m != 0 {
				pos += bits.TrailingZeros64(m) >> 3
				if src[pos] != '"' {
					return -1
				}
				break
			}
		}
		pos++
	case '{':
		if depth == skipMaxDepth-1 {
			return -1
		}
		stack |= 1 << depth
		depth++
		if pos = skipWS(src, pos+1); pos < len(src) && src[pos] == '}' {
			pos++
			depth--
			stack &^= 1 << depth
			goto after
		}
		goto key
	case '[':
		if depth == skipMaxDepth-1 {
			return -1
		}
		depth++
		if pos = skipWS(src, pos+1); pos < len(src) && src[pos] == ']' {
			pos++
			depth--
			goto after
		}
		goto value
	case 't', 'n':
		// "true" or "null", little-endian.
		if pos+4 > len(src) {
			return -1
		}
		if w := *(*[4]byte)(unsafe.Add(base, pos)); w != [4]byte{'t', 'r', 'u', 'e'} && w != [4]byte{'n', 'u', 'l', 'l'} {
			return -1
		}
		pos += 4
	case 'f':
		if pos+5 > len(src) || *(*[5]byte)(unsafe.Add(base, pos)) != [5]byte{'f', 'a', 'l', 's', 'e'} {
			return -1
		}
		pos += 5
	default:
		// A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
		if c == '-' {
			pos++
		}
		if pos >= len(src) || src[pos]-'0' > 9 {
			return -1
		}
		if src[pos] == '0' {
			pos++
		} else {
			pos = skipDigits(src, pos+1)
		}
		if pos < len(src) && src[pos] == '.' {
			if pos++; pos >= len(src) || src[pos]-'0' > 9 {
				return -1
			}
			pos = skipDigits(src, pos+1)
		}
		if pos < len(src) && src[pos]|0x20 == 'e' {
			if pos++; pos < len(src) && (src[pos] == '+' || src[pos] == '-') {
				pos++
			}
			if pos >= len(src) || src[pos]-'0' > 9 {
				return -1
			}
			pos = skipDigits(src, pos+1)
		}
	}
after:
	if depth == 0 {
		return pos
	}
	if pos = skipWS(src, pos); pos >= len(src) {
		return -1
	}
	switch src[pos] {
	case ',':
		pos = skipWS(src, pos+1)
		if stack&(1<<(depth-1)) != 0 {
			goto key
		}
		goto value
	case '}':
		if stack&(1<<(depth-1)) == 0 {
			return -1
		}
		pos++
		depth--
		stack &^= 1 << depth
		goto after
	case ']':
		if stack&(1<<(depth-1)) != 0 {
			return -1
		}
		pos++
		depth--
		goto after
	}
	return -1
key:
	if pos >= len(src) || src[pos] != '"' {
		return -1
	}
	for pos++; ; pos += 8 {
		if pos+8 > len(src) {
			if pos = strEnd(src, pos); pos < 0 {
				return -1
			}
			break
		}
		if m := strStopsW(le64(base, pos)); m != 0 {
			pos += bits.TrailingZeros64(m) >> 3
			if src[pos] != '"' {
				return -1
			}
			break
		}
	}
	if pos = skipWS(src, pos+1); pos >= len(src) || src[pos] != ':' {
		return -1
	}
	pos = skipWS(src, pos+1)
	goto value
}

// skip validates and skips the value at s.pos: by skipFast, or by
// skipValue where skipFast cannot.
func (s *scanner) skip() error {
	if s.depth+skipMaxDepth <= maxDepth {
		if p := skipFast(s.src, s.pos); p >= 0 {
			s.pos = p
			return nil
		}
	}
	return s.skipValue()
}
