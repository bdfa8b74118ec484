package pattern

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/rulebridge/rulebridge/internal/jsonscan"
)

// The event scanner walks the raw bytes of an event once, validating what
// it reads as strict JSON (as encoding/json accepts it), and follows the
// path trie of a snapshot as it goes: the value of a key that leads to no
// pattern path is skipped without being decoded, and each value on a
// pattern path is decoded and looked up in the path's index at once.
//
// Object keys join into dotted paths ({"a":{"b":1}} and {"a.b":1} both give
// a.b). Arrays are transparent: each element is a value at the array's
// path, nested arrays flatten, and every value remembers the array elements
// it lies in (its trail) so that matching can require fields to come from
// the same element. (Arrays at a path that has only numeric ranges, whose
// values no alternative needs to record, are read in one loop that keeps
// no trail: rangeArray.)
//
// Early exit. When allowed (Matcher.Match), the scanner stops reading as
// soon as the rest of the event cannot hold a value on a pattern path. That
// is the case when no array is open and the rest of the event contains no
// backslash (so every key is written as it reads) and none of the names
// that could continue a path from the objects being read (the children of
// their trie nodes): any key that leads to a pattern path must contain one
// of them. The test is a handful of substring searches, far cheaper than
// reading the rest; it is tried only where a search set of at most
// maxStopNames names suffices, and not again before the scanner has passed
// the occurrences that made the last try fail. The unread rest is not
// validated.

// arrayPos says that a value lies in element idx of array arr (arrays are
// numbered in document order).
type arrayPos struct {
	arr, idx int32
}

// occ is the offset of the next occurrence of a name in the event.
type occ struct {
	name string
	at   int
}

// matchRef is a matching pattern: its id, its name and the first 8 bytes
// of its name, for sorting.
type matchRef struct {
	key  uint64
	name string
	id   int32
}

// flatValue is one recorded value.
type flatValue struct {
	pid        int32 // path id
	val        value
	trailStart int32 // the value's trail is trails[trailStart:trailEnd]
	trailEnd   int32
}

const (
	maxDepth     = 10000
	maxStopNames = 4  // largest search set for an early-exit test
	minStopRest  = 48 // do not test for early exit when less is left to read
	bigNode      = 1 << 20
)

// scanner holds the reusable state for matching events.
type scanner struct {
	// The pads keep the fields that every match writes off the cache
	// lines of neighbouring objects, such as another goroutine's scanner.
	_         [64]byte
	src       []byte
	pos       int
	snap      *snapshot
	early     bool // may stop before the end of the event
	recordAll bool // record every value on a pattern path (Explain)
	stopped   bool
	nextTry   int // earliest offset for the next early-exit test
	depth     int
	trail     []arrayPos // the array elements around the current value
	narr      int32      // arrays walked so far
	open      []*pnode   // trie nodes of the objects being read
	openSeen  []uint64   // by object in open: the children (by index in kids.small) whose key it has had
	openNames int        // total children of open, or more than bigNode
	kbuf      []byte     // a decoded key
	vbuf      []byte     // decoded string values of this event
	lbuf      []byte     // a value lowered to ASCII lower case
	cur       value      // the value being read
	occs      []occ      // next occurrences of names, for early exit
	backslash int        // offset of the next backslash, -1 for none

	recs   []flatValue // recorded values
	trails []arrayPos

	// Per-event matching state, indexed by the ids of the snapshot. An
	// entry counts only if its stamp equals gen.
	gen       uint32
	leafStamp []uint32
	pathStamp []uint32 // the path has a value
	pathArr   []uint32 // the path has a value inside an array
	patStamp  []uint32
	abStamp   []uint32 // by anything-but condition: excluded by the current value (abGen)
	abGen     uint32
	cands     []*alt
	matched   []matchRef

	// Name order (order.go).
	rankBits  []uint64
	rankWords []int32

	// Search state (eval.go).
	byPathBuilt bool
	byPathOff   []int32 // values of path p: byPathIdx[byPathOff[p]:byPathOff[p+1]]
	byPathIdx   []int32
	lastUse     []int32
	mem         []arrayPos
	states      []searchState
	ok          []bool
	choice      []int32
	_           [64]byte
}

var scannerPool = sync.Pool{New: func() any { return new(scanner) }}

func getScanner() *scanner { return scannerPool.Get().(*scanner) }

func putScanner(s *scanner) {
	s.release()
	scannerPool.Put(s)
}

// release drops references to the event and the snapshot.
func (s *scanner) release() {
	s.src, s.snap = nil, nil
	clear(s.recs)
	s.recs = s.recs[:0]
	clear(s.cands)
	s.cands = s.cands[:0]
	clear(s.matched)
	s.matched = s.matched[:0]
	clear(s.open)
	s.open = s.open[:0]
	s.openSeen = s.openSeen[:0]
	clear(s.occs)
	s.occs = s.occs[:0]
	if cap(s.recs) > 1<<14 || cap(s.vbuf) > 1<<20 {
		s.recs, s.trails, s.vbuf = nil, nil, nil
	}
}

func grow32(b []uint32, n int32) []uint32 {
	if int(n) <= len(b) {
		return b
	}
	nb := make([]uint32, n+n/4+8)
	copy(nb, b)
	return nb
}

// reset prepares s for one event.
func (s *scanner) reset(event []byte, snap *snapshot, early, recordAll bool) {
	s.src, s.pos, s.snap = event, 0, snap
	s.early, s.recordAll, s.stopped = early, recordAll, false
	s.nextTry, s.depth, s.narr, s.openNames = 0, 0, 0, 0
	s.occs = s.occs[:0]
	s.backslash = -2 // not searched yet
	s.trail = s.trail[:0]
	s.open = s.open[:0]
	s.openSeen = s.openSeen[:0]
	s.vbuf = s.vbuf[:0]
	s.recs = s.recs[:0]
	s.trails = s.trails[:0]
	s.cands = s.cands[:0]
	s.matched = s.matched[:0]
	s.byPathBuilt = false
	s.leafStamp = grow32(s.leafStamp, snap.nLeaves)
	s.pathStamp = grow32(s.pathStamp, snap.nPaths)
	s.pathArr = grow32(s.pathArr, snap.nPaths)
	s.patStamp = grow32(s.patStamp, snap.nPats)
	s.abStamp = grow32(s.abStamp, snap.nABs)
	s.gen++
	if s.gen == 0 {
		clear(s.leafStamp)
		clear(s.pathStamp)
		clear(s.pathArr)
		clear(s.patStamp)
		s.gen = 1
	}
}

func (s *scanner) errorf(off int, format string, args ...any) error {
	return &EventError{Reason: fmt.Sprintf(format, args...), Offset: off}
}

func quoteChar(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	return fmt.Sprintf("%q", r)
}

// run scans the event and decides which alternatives match; the matching
// patterns are in s.matched, in no particular order.
func (s *scanner) run() error {
	if err := s.document(); err != nil {
		return err
	}
	s.finish()
	return nil
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
	if err := s.object(s.snap.root); err != nil {
		return err
	}
	if s.stopped {
		return nil
	}
	s.ws()
	if s.pos < len(s.src) {
		return s.errorf(s.pos, "invalid character %s after the top-level object", quoteChar(s.src[s.pos:]))
	}
	return nil
}

var wsTab = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func (s *scanner) ws() {
	i := s.pos
	for i < len(s.src) && wsTab[s.src[i]] {
		i++
	}
	s.pos = i
}

// String byte classes.
const (
	chStop = 1 // '"', '\\' or a control character: the plain run ends
	chDot  = 2
	chHigh = 4
	chEsc  = 8 // set in the flags of a string with escapes
)

var strTab = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = chStop
	}
	t['"'] = chStop
	t['\\'] = chStop
	t['.'] = chDot
	for c := 0x80; c < 0x100; c++ {
		t[c] = chHigh
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// zeroBytes returns a word with the high bit of the lowest zero byte of x
// set (and perhaps of bytes above it; none below).
func zeroBytes(x uint64) uint64 { return (x - ones) &^ x & highs }

// strStops returns a word whose lowest set bit is in the first byte of w (8
// bytes of text, the first in the lowest byte) that ends a plain run of a
// JSON string: '"', '\\' or a control character.
func strStops(w uint64) uint64 {
	return zeroBytes(w^('"'*ones)) | zeroBytes(w^('\\'*ones)) | ((w - 0x20*ones) &^ w & highs)
}

// scanString validates the string whose quote is at s.pos and moves past
// it. It returns the offset of its closing quote and its flags (chHigh,
// chEsc, and for a key chDot).
func (s *scanner) scanString(key bool) (int, uint8, error) {
	src := s.src
	i := s.pos + 1
	var flags uint8
	for i < len(src) {
		// Eight bytes at a time up to the next '"', '\\' or control
		// character. Only keys need chDot.
		var acc uint64 // the bytes read, ORed
		for i+8 <= len(src) {
			w := binary.LittleEndian.Uint64(src[i:])
			if stop := strStops(w); stop != 0 {
				n := uint(bits.TrailingZeros64(stop) / 8)
				w &= 1<<(8*n) - 1
				acc |= w
				if key && zeroBytes(w^('.'*ones)) != 0 {
					flags |= chDot
				}
				i += int(n)
				break
			}
			acc |= w
			if key && zeroBytes(w^('.'*ones)) != 0 {
				flags |= chDot
			}
			i += 8
		}
		if acc&highs != 0 {
			flags |= chHigh
		}
		if i >= len(src) {
			break
		}
		t := strTab[src[i]]
		if t&chStop == 0 {
			flags |= t
			i++
			continue
		}
		switch c := src[i]; {
		case c == '"':
			s.pos = i + 1
			return i, flags, nil
		case c == '\\':
			flags |= chEsc
			if i+1 >= len(src) {
				return 0, 0, s.errorf(i, "unexpected end of the event inside a string")
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) {
					return 0, 0, s.errorf(i, "unexpected end of the event inside a string")
				}
				for k := i + 2; k < i+6; k++ {
					if !isHexDigit(src[k]) {
						return 0, 0, s.errorf(k, "invalid character %s in \\u escape", quoteChar(src[k:]))
					}
				}
				i += 6
			default:
				return 0, 0, s.errorf(i+1, "invalid escape character %s in a string", quoteChar(src[i+1:]))
			}
		default:
			return 0, 0, s.errorf(i, "invalid control character %#02x in a string", c)
		}
	}
	return 0, 0, s.errorf(len(src), "unexpected end of the event inside a string")
}

// object scans an object whose "{" is at s.pos; n is the trie node of its
// path.
func (s *scanner) object(n *pnode) error {
	s.depth++
	if s.depth > maxDepth {
		return s.errorf(s.pos, "the event nests deeper than %d levels", maxDepth)
	}
	src := s.src
	base := unsafe.Pointer(unsafe.SliceData(src))
	pos := skipWS(src, s.pos+1)
	if pos < len(src) && src[pos] == '}' {
		s.pos = pos + 1
		s.depth--
		return nil
	}
	names := n.kids.len()
	if n.kids.dir != nil {
		names = bigNode
	}
	s.open = append(s.open, n)
	s.openSeen = append(s.openSeen, 0)
	s.openNames += names
	if s.early && len(s.trail) == 0 && pos >= s.nextTry && s.openNames <= maxStopNames {
		if s.pos = pos; s.tryStop() {
			return nil
		}
	}
	for {
		pos = skipWS(src, pos)
		if pos >= len(src) {
			return s.errorf(pos, "unexpected end of the event inside an object")
		}
		if src[pos] != '"' {
			return s.errorf(pos, "invalid character %s looking for the beginning of an object key", quoteChar(src[pos:]))
		}
		kstart := pos + 1
		var child *pnode
		// A plain key (no escape, control character or dot), a word at
		// a time; w0 is its first 8 bytes, zero-padded.
		kend, colon := -1, -1
		var w0 uint64
		for k := kstart; k+8 <= len(src); k += 8 {
			w := le64(base, k)
			if m := keyStops(w); m != 0 {
				e := k + bits.TrailingZeros64(m)>>3
				if src[e] == '"' {
					kend = e
				}
				if k == kstart {
					w0 = w & (1<<(8*(e-k)) - 1)
				}
				break
			}
			if k == kstart {
				w0 = w
			}
		}
		if kend >= 0 {
			if colon = kend + 1; colon < len(src) && src[colon] != ':' {
				colon = skipWS(src, colon)
			}
			if colon >= len(src) || src[colon] != ':' {
				colon = -1
			}
		}
		if colon >= 0 {
			pos = skipWS(src, colon+1)
			if t := n.kt; t != nil {
				l := kend - kstart
				sl := &t.slots[kidHash(w0, l, t.mul)]
				if sl.first == w0 && int(sl.n) == l {
					if e := &n.kids.small[sl.idx]; l <= 8 || string(src[kstart+8:kend]) == e.key[8:] {
						child = e.val
						s.openSeen[len(s.openSeen)-1] |= 1 << sl.idx
					}
				}
			} else if names > 0 {
				child, _ = n.kids.get(src[kstart:kend])
			}
		} else {
			s.pos = pos
			kend, flags, err := s.scanString(true)
			if err != nil {
				return err
			}
			pos = skipWS(src, s.pos)
			if pos >= len(src) || src[pos] != ':' {
				if pos >= len(src) {
					return s.errorf(pos, "unexpected end of the event after an object key")
				}
				return s.errorf(pos, "invalid character %s after an object key", quoteChar(src[pos:]))
			}
			pos = skipWS(src, pos+1)
			if names > 0 {
				child = s.child(n, src[kstart:kend], flags)
			}
		}
		if child == nil {
			if p := skipFast(src, pos); p >= 0 && s.depth+skipMaxDepth <= maxDepth {
				pos = p
			} else {
				s.pos = pos
				if err := s.skipValue(); err != nil {
					return err
				}
				pos = s.pos
			}
		} else {
			s.pos = pos
			if err := s.value(child); err != nil {
				return err
			}
			if s.stopped {
				return nil
			}
			pos = s.pos
		}
		pos = skipWS(src, pos)
		if pos >= len(src) {
			return s.errorf(pos, "unexpected end of the event inside an object")
		}
		switch src[pos] {
		case ',':
			pos++
			if s.early && len(s.trail) == 0 && pos >= s.nextTry && s.openNames <= maxStopNames {
				if s.pos = pos; s.tryStop() {
					return nil
				}
			}
		case '}':
			s.pos = pos + 1
			s.depth--
			s.open = s.open[:len(s.open)-1]
			s.openSeen = s.openSeen[:len(s.openSeen)-1]
			s.openNames -= names
			return nil
		default:
			return s.errorf(pos, "invalid character %s after an object value", quoteChar(src[pos:]))
		}
	}
}

// child returns the trie node that the key (raw bytes between the quotes)
// leads to from n, or nil.
func (s *scanner) child(n *pnode, key []byte, flags uint8) *pnode {
	if flags&chEsc != 0 {
		s.kbuf = jsonscan.AppendUnquoted(s.kbuf[:0], key)
		key = s.kbuf
		flags |= chDot
	}
	if flags&chDot != 0 {
		for {
			i := bytes.IndexByte(key, '.')
			if i < 0 {
				break
			}
			c, _ := n.kids.get(key[:i])
			if c == nil {
				return nil
			}
			n, key = c, key[i+1:]
		}
	}
	c, _ := n.kids.get(key)
	return c
}

// tryStop stops the scan if the rest of the event cannot hold a value on a
// pattern path (see the comment at the top of this file).
func (s *scanner) tryStop() bool {
	rest := s.src[s.pos:]
	if len(rest) < minStopRest {
		s.nextTry = len(s.src) + 1
		return false
	}
	// Every try fails until the scanner has passed an occurrence of a
	// name. The names of the objects being read that they have not had
	// yet are looked for first, innermost first: they usually come soon.
	for pass := 0; pass < 2; pass++ {
		for i := len(s.open) - 1; i >= 0; i-- {
			seen := s.openSeen[i]
			for k, e := range s.open[i].kids.small {
				if (seen>>k&1 == 0) == (pass == 0) {
					if at := s.occurrence(e.key, e.val.anchor); at >= 0 {
						s.nextTry = at + 1
						return false
					}
				}
			}
		}
	}
	e := len(s.src) - 1
	for e >= 0 && wsTab[s.src[e]] {
		e--
	}
	if s.src[e] != '}' {
		// Not the end of an object: read on and report the error.
		s.nextTry = len(s.src) + 1
		return false
	}
	if s.backslash < s.pos && s.backslash != -1 {
		s.backslash = -1
		if j := bytes.IndexByte(rest, '\\'); j >= 0 {
			s.backslash = s.pos + j
		}
	}
	if s.backslash >= 0 {
		s.nextTry = s.backslash + 1
		return false
	}
	s.stopped = true
	return true
}

// occurrence returns the offset of the next occurrence of name at or after
// s.pos, or -1. Results are remembered for the event, so that each name is
// searched for about once.
func (s *scanner) occurrence(name string, anchor int) int {
	for i := range s.occs {
		o := &s.occs[i]
		if len(o.name) == len(name) && unsafe.StringData(o.name) == unsafe.StringData(name) {
			if o.at < 0 || o.at >= s.pos {
				return o.at
			}
			o.at = -1
			if j := indexAnchored(s.src[s.pos:], name, anchor); j >= 0 {
				o.at = s.pos + j
			}
			return o.at
		}
	}
	at := -1
	if j := indexAnchored(s.src[s.pos:], name, anchor); j >= 0 {
		at = s.pos + j
	}
	s.occs = append(s.occs, occ{name, at})
	return at
}

// indexAnchored returns the index of the first occurrence of name in b, or
// -1, looking for name[anchor] first.
func indexAnchored(b []byte, name string, anchor int) int {
	if len(name) == 0 {
		return 0
	}
	c := name[anchor]
	for i := anchor; i < len(b); {
		j := bytes.IndexByte(b[i:], c)
		if j < 0 {
			return -1
		}
		i += j
		start := i - anchor
		if start+len(name) <= len(b) && string(b[start:start+len(name)]) == name {
			return start
		}
		i++
	}
	return -1
}

// value scans a value at the path of trie node n.
func (s *scanner) value(n *pnode) error {
	if s.pos >= len(s.src) {
		return s.errorf(s.pos, "unexpected end of the event, expecting a value")
	}
	switch s.src[s.pos] {
	case '{':
		if n.kids.len() == 0 {
			return s.skip()
		}
		return s.object(n)
	case '[':
		return s.array(n)
	}
	if n.idx == nil {
		return s.skip()
	}
	return s.scalar(n)
}

// scalar scans a string, number or literal at the path of n, which has an
// index.
func (s *scanner) scalar(n *pnode) error {
	start := s.pos
	v := &s.cur
	v.numSt, v.ipState = numUnparsed, 0
	switch c := s.src[s.pos]; {
	case c == '"':
		end, flags, err := s.scanString(false)
		if err != nil {
			return err
		}
		v.kind = vString
		body := s.src[start+1 : end]
		if flags&chEsc != 0 || (flags&chHigh != 0 && !utf8.Valid(body)) {
			off := len(s.vbuf)
			s.vbuf = jsonscan.AppendUnquoted(s.vbuf, body)
			v.str = s.vbuf[off:len(s.vbuf):len(s.vbuf)]
		} else {
			v.str = body
		}
	case c == '-' || (c >= '0' && c <= '9'):
		if err := s.number(v); err != nil {
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
	s.onValue(n, v)
	return nil
}

// array scans an array whose elements all sit at the path of n.
func (s *scanner) array(n *pnode) error {
	if ix := n.idx; ix != nil && n.kids.n == 0 && !s.recordAll && ix.multi == 0 && ix.strs.n == 0 &&
		ix.indexExtra == nil && len(ix.any) == 0 && len(ix.slow) == 0 {
		return s.rangeArray(n)
	}
	s.depth++
	if s.depth > maxDepth {
		return s.errorf(s.pos, "the event nests deeper than %d levels", maxDepth)
	}
	src := s.src
	pos := skipWS(src, s.pos+1)
	id := s.narr
	s.narr++
	if pos < len(src) && src[pos] == ']' {
		s.pos = pos + 1
		s.depth--
		return nil
	}
	s.trail = append(s.trail, arrayPos{arr: id})
	top := len(s.trail) - 1
	ix := n.idx
	nums := ix != nil
	// Numbers at a path with numeric ranges and nothing else take a
	// shorter way.
	onlyRanges := nums && !s.recordAll && ix.multi == 0 && ix.strs.n == 0 && ix.indexExtra == nil && len(ix.any) == 0 && len(ix.slow) == 0
	for i := int32(0); ; i++ {
		s.trail[top].idx = i
		if pos >= len(src) {
			s.pos = pos
			return s.errorf(pos, "unexpected end of the event, expecting a value")
		}
		var err error
		if c := src[pos]; nums && (c == '-' || c-'0' < 10) {
			if onlyRanges {
				pos, err = s.rangeNumberAt(n, pos)
			} else {
				pos, err = s.numberAt(n, pos)
			}
		} else {
			s.pos = pos
			if c == '[' {
				err = s.array(n)
			} else {
				err = s.value(n)
			}
			pos = s.pos
		}
		if err != nil {
			return err
		}
		pos = skipWS(src, pos)
		if pos >= len(src) {
			s.pos = pos
			return s.errorf(pos, "unexpected end of the event inside an array")
		}
		switch src[pos] {
		case ',':
			pos = skipWS(src, pos+1)
		case ']':
			s.pos = pos + 1
			s.trail = s.trail[:top]
			s.depth--
			return nil
		default:
			s.pos = pos
			return s.errorf(pos, "invalid character %s after an array element", quoteChar(src[pos:]))
		}
	}
}

// skipWS returns the offset of the first byte at or after src[i] that is
// not white space.
func skipWS(src []byte, i int) int {
	// Mostly no white space or a single space.
	if i+1 < len(src) {
		if src[i] > ' ' {
			return i
		}
		if src[i] == ' ' && src[i+1] > ' ' {
			return i + 1
		}
	}
	for i < len(src) && wsTab[src[i]] {
		i++
	}
	return i
}

// rangeArray scans the array at s.pos, and the arrays nested in it, at a
// path whose index has only numeric ranges, whose values need not be
// recorded and which no pattern path continues: array does the same, in
// one loop and without keeping the array elements of the values (nor
// numbering the arrays: their numbers only order the arrays that values
// record).
//
// The usual elements are read by rangeRun, a loop that calls nothing;
// what it leaves (other values, numbers of unusual form, numbers that it
// cannot decide, errors) is read here, numbers by the general way
// (readNumber, rangeNumber).
func (s *scanner) rangeArray(n *pnode) error {
	src := s.src
	pos := s.pos // at '['
	base := s.depth
	rs := n.idx.ranges
	t := n.idx.rtab
	pid := n.pathID
	fast := t != nil && base+runMaxDepth <= maxDepth
	var open uint64 // ranges whose leaf is not hit yet (by index in rs)
	if fast {
		open = s.openRanges(rs)
	}
	var (
		d   decimal
		err error
		end int
		why int
	)
open:
	s.depth++
	if s.depth > maxDepth {
		s.pos = pos
		return s.errorf(pos, "the event nests deeper than %d levels", maxDepth)
	}
	pos = skipWS(src, pos+1)
	if pos < len(src) && src[pos] == ']' {
		pos++
		goto closed
	}
elem:
	if fast {
		st := runState{depth: s.depth - base, t: &t.coarse, open: open, same: t.same}
		pos, why, end = rangeRun(src, pos, &st)
		s.depth = base + st.depth
		if st.hits != 0 {
			for m := st.hits; m != 0; m &= m - 1 {
				s.hit(rs[bits.TrailingZeros64(m)].l)
			}
			open = s.openRanges(rs)
		}
		if end != 0 {
			s.pathStamp[pid] = s.gen
			s.pathArr[pid] = s.gen
		}
		switch why {
		case runDone:
			s.pos = pos
			return nil
		case runSep:
			goto next
		case runFine:
			if !s.fineRanges(rs, t, open, pos, end) {
				goto general
			}
			open = s.openRanges(rs)
			pos = end
			goto next
		}
		// runElem: read it here.
	}
	if pos >= len(src) {
		s.pos = pos
		return s.errorf(pos, "unexpected end of the event, expecting a value")
	}
	switch c := src[pos]; {
	case c == '[':
		goto open
	case c == '-' || c-'0' < 10:
		goto general
	default:
		if c != '{' {
			// A string or literal: a value at the path, which matches no
			// range.
			s.pathStamp[pid] = s.gen
			s.pathArr[pid] = s.gen
		}
		s.pos = pos
		if err = s.skip(); err != nil {
			return err
		}
		pos = s.pos
	}
next:
	pos = skipWS(src, pos)
	if pos >= len(src) {
		s.pos = pos
		return s.errorf(pos, "unexpected end of the event inside an array")
	}
	switch src[pos] {
	case ',':
		pos = skipWS(src, pos+1)
		goto elem
	case ']':
		pos++
		goto closed
	}
	s.pos = pos
	return s.errorf(pos, "invalid character %s after an array element", quoteChar(src[pos:]))
closed:
	s.depth--
	if s.depth > base {
		goto next
	}
	s.pos = pos
	return nil
general:
	// A number, by the general way.
	if end, err = s.readNumber(src, pos, &d); err != nil {
		return err
	}
	s.pathStamp[pid] = s.gen
	s.pathArr[pid] = s.gen
	if d.nd < 18 && (open != 0 || !fast) {
		s.rangeNumber(rs, src[pos:end], &d)
		if fast {
			open = s.openRanges(rs)
		}
	}
	pos = end
	goto next
}

// Why rangeRun returns.
const (
	runDone = iota // the array closed
	runElem        // src[pos] begins an element left to the caller
	runSep         // src[pos] does not continue the array as it should, or the event ends
	runFine        // the coarse key of the number src[pos:end] equals a bound's
)

// runMaxDepth is how deep rangeRun nests arrays; deeper ones are left to
// its caller.
const runMaxDepth = 32

// rangeRun reads the elements of the arrays of rangeArray from src[pos],
// where an element begins, st.depth arrays deep, for as long as they are
// arrays or numbers in the usual form: an integer part of at most 7
// digits, an optional fraction of at most 23, no exponent, and 8 bytes of
// event after the first digit and after the point. It validates each such
// number a word at a time and finds the gap of st.t that its coarse key
// falls in (prefixkey.go);
// only a number that lies inside a range of st.open (the ranges whose
// leaf is not hit yet) is classified, by its number of significant digits:
// when it has more than 17 it is not comparable and no range holds it;
// when it has at most 15 it is comparable; with 16 or 17, comparableText
// finds out. For a comparable number, rangeRun adds the ranges that hold
// it to st.hits, removes them and the other ranges of their leaves from
// st.open, and reads on. When the coarse key equals a bound's, it returns
// runFine. Once st.open is empty, numbers are only validated.
//
// It returns the offset where it stopped, why it stopped and the end of
// the last number it read (0 if none: the caller learns whether the path
// has a value); the depth there is in st. It calls nothing but, seldom,
// comparableText, so that its state stays in registers.
func rangeRun(src []byte, pos int, st *runState) (int, int, int) {
	var (
		i, il, j, end int
		lo, m, p      uint64
	)
	base := unsafe.Pointer(unsafe.SliceData(src))
elem:
	if pos >= len(src) {
		return pos, runElem, end
	}
	if src[pos] == '[' {
		if st.depth >= runMaxDepth {
			return pos, runElem, end
		}
		st.depth++
		pos = skipWS(src, pos+1)
		if pos < len(src) && src[pos] == ']' {
			pos++
			goto closed
		}
		goto elem
	}
	i = pos
	if src[pos] == '-' {
		i++
	}
	if i+8 > len(src) {
		return pos, runElem, end
	}
	// lo: the first 8 bytes as digit values; il digits before the point.
	lo = le64(base, i) ^ 0x3030303030303030
	il = bits.TrailingZeros64(nonDigitVals(lo)) >> 3
	if uint(il-1) > 6 || (il > 1 && lo&0xFF == 0) {
		return pos, runElem, end // no digit, 8 or more, or a leading zero
	}
	if lo&0xFFFFFF == 0x1E00 && lo>>24&0xFF > 9 && lo>>24&0xFF|0x20 != 'e'^0x30|0x20 {
		// 0.0, as GeoJSON has many: its gap is known.
		if end = i + 3; st.open != 0 {
			if st.t.zeroK < 0 {
				return pos, runFine, end
			}
			if m = st.t.inside[st.t.zeroK] & st.open; m != 0 {
				goto hit
			}
		}
		goto sep0
	}
	j = i + il
	// c: the byte after the integer part, then after the number.
	if c := lo >> ((8 * il) & 63) & 0xFF; c == '.'^0x30 {
		// The coarse key (prefixkey.go) counts the point as a 0.
		lo &^= 0xFF << ((8 * il) & 63)
		// The fraction: at most 23 digits here.
		if j++; j+8 > len(src) {
			return pos, runElem, end
		}
		w := le64(base, j)
		if m = nonDigits(w); m == 0 {
			if j+16 > len(src) {
				return pos, runElem, end
			}
			if w = le64(base, j+8); nonDigits(w) == 0 {
				if j+24 > len(src) {
					return pos, runElem, end
				}
				if w = le64(base, j+16); nonDigits(w) == 0 {
					return pos, runElem, end
				}
				j += 8
			}
			m = nonDigits(w)
			j += 8
		}
		k := bits.TrailingZeros64(m) >> 3
		if j += k; j == i+il+1 {
			return pos, runElem, end // no digit after the point
		}
		if w>>((8*k)&63)&0xFF|0x20 == 'e' {
			return pos, runElem, end
		}
	} else if c|0x20 == 'e'^0x30|0x20 {
		return pos, runElem, end
	}
	end = j
	if st.open == 0 {
		goto sep0
	}
	// The coarse key: the first 7 characters after the sign, with the
	// point and what follows the number as zeros.
	lo &= ^uint64(0) >> ((64 - bits.TrailingZeros64(nonDigitVals(lo))&^7) & 63)
	p = (0x80|uint64(il))<<56 | bits.ReverseBytes64(lo)>>8
	if src[pos] == '-' {
		if p&(1<<56-1) == 0 {
			return pos, runElem, end // perhaps -0
		}
		p = ^p
	}
	{
		// Its gap: k keys lie below it.
		t := st.t
		k := 0
		if t.small {
			if t.fixed[7] < p {
				k = 8
			}
			if t.fixed[(k+3)&15] < p {
				k += 4
			}
			if t.fixed[(k+1)&15] < p {
				k += 2
			}
			if t.fixed[k&15] < p {
				k++
			}
			if t.fixed[k&15] == p {
				return pos, runFine, end
			}
			m = t.fixedIn[k&15]
		} else {
			for h := len(t.keys) >> 1; h > 0; h >>= 1 {
				if t.keys[k+h-1] < p {
					k += h
				}
			}
			if t.keys[k] == p {
				return pos, runFine, end
			}
			m = t.inside[k]
		}
		if m &= st.open; m != 0 {
			// Inside a range: is the number comparable? Count its
			// significant digits (j), usually from its length.
			if src[end-1] != '0' && lo&0xFF != 0 {
				if j = end - i; end > i+il {
					j-- // the point
				}
			} else {
				// From i to j: the first and the last.
				il += i // the point, if any
				for i = pos; i < end && (src[i]-'0' == 0 || src[i] == '.' || src[i] == '-'); i++ {
				}
				if i == end {
					goto hit // zero
				}
				for j = end - 1; src[j] == '0' || src[j] == '.'; j-- {
				}
				if j -= i - 1; i < il && il < i+j {
					j-- // the point
				}
			}
			switch {
			case j >= 18:
				// Not comparable: no range holds it.
			case j <= 15:
				// Comparable (the fraction has at most 23 digits, so the
				// number is not subnormal).
				goto hit
			default:
				// 16 or 17 digits.
				if comparableText(src, pos, end) {
					goto hit
				}
			}
		}
	}
	goto sep0
hit:
	// The ranges of m hold the number: note them, and close them and
	// every other range of their leaves.
	for ; m != 0; m &= m - 1 {
		r := bits.TrailingZeros64(m)
		st.hits |= 1 << r
		st.open &^= st.same[r]
	}
sep0:
	pos = end
sepw:
	// Mostly ", " or "," and the next element, or " ]" or "]".
	if pos+8 <= len(src) {
		switch w := le64(base, pos); {
		case w&0xFF == ',':
			if w>>8&0xFF > ' ' {
				pos++
				goto elem
			}
			if w>>8&0xFF == ' ' && w>>16&0xFF > ' ' {
				pos += 2
				goto elem
			}
		case w&0xFF == ']':
			pos++
			goto closed
		case w&0xFFFF == ' '|']'<<8:
			pos += 2
			goto closed
		}
	}
	pos = skipWS(src, pos)
	if pos >= len(src) {
		return pos, runSep, end
	}
	switch src[pos] {
	case ',':
		pos = skipWS(src, pos+1)
		goto elem
	case ']':
		pos++
		goto closed
	}
	return pos, runSep, end
closed:
	if st.depth--; st.depth == 0 {
		return pos, runDone, end
	}
	goto sepw
}

// runState is the state of rangeRun that its loop reads seldom: the depth
// of arrays, the ranges' coarse table, the ranges whose leaf is not hit
// yet (open), and the ranges that hold the comparable numbers read (hits).
type runState struct {
	depth int
	t     *gapTab
	open  uint64
	same  []uint64 // by range: the ranges of the same leaf
	hits  uint64   // ranges that hold a comparable number read
}

// fineRanges decides the ranges of open on the number src[pos:end], read
// by rangeRun (whose coarse key equals a bound's), by its fine key: it
// hits the leaves of the ranges that hold it, and reports false if the
// fine key does not decide (the number must be read by the general way).
func (s *scanner) fineRanges(rs []rangeRef, t *rangeTab, open uint64, pos, end int) bool {
	src := s.src
	neg := src[pos] == '-'
	i := pos
	if neg {
		i++
	}
	il := i
	for il < end && src[il] != '.' {
		il++
	}
	il -= i
	p, ok := prefixKey(neg, src[i:end], il)
	if !ok {
		return false
	}
	k, ok := t.fine.gap(p)
	if !ok {
		return false
	}
	m := t.fine.inside[k] & open
	if m == 0 {
		return true
	}
	switch nd, lead := sigDigits(src, i, il, end); {
	case nd <= 15 && lead < 300:
	case nd >= 18:
		return true
	default:
		if !comparableText(src, pos, end) {
			return true
		}
	}
	for ; m != 0; m &= m - 1 {
		s.hit(rs[bits.TrailingZeros64(m)].l)
	}
	return true
}

// comparableText reports whether the number src[pos:end], in the form
// rangeRun reads (no exponent, nonzero), is comparable: by exactDigits
// when it can tell, as it can for most numbers of 16 and 17 significant
// digits.
func comparableText(src []byte, pos, end int) bool {
	// a and b: the first and the last significant digit; dp: the point.
	a, b, dp := pos, end-1, end
	for a < end && (src[a] == '0' || src[a] == '.' || src[a] == '-') {
		a++
	}
	for b > a && (src[b] == '0' || src[b] == '.') {
		b--
	}
	for k := pos; k < end; k++ {
		if src[k] == '.' {
			dp = k
			break
		}
	}
	var m uint64
	nd := b - a + 1
	if a < dp && dp < b {
		nd--
	}
	if nd <= 17 {
		// The digits of src past the number let digitsValue read words.
		if a < dp && dp < b {
			m = digitsValue(src, a, dp)*pow10u64[b-dp] + digitsValue(src, dp+1, b+1)
		} else {
			m = digitsValue(src, a, b+1)
		}
	}
	q := dp - 1 - b // b in the integer part: the zeros after it
	if b > dp {
		q = dp - b
	}
	if nd >= 16 && nd <= 17 && q >= -22 && q <= 0 {
		f := float64(m) / pow10tab[-q] // within a few units in the last place
		if _, st, ok := exactDigits(m, q, nd, f); ok {
			return st == numExact
		}
	}
	text := src[pos:end]
	v := value{kind: vNumber, str: text, raw: text, dec: parseDecimal(text)}
	_, ok := v.numKey()
	return ok
}

// le64 returns the 8 bytes at p+i as a little-endian number.
func le64(p unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, i))[:])
}

// openRanges returns the set of ranges of rs (at most 64) whose leaf is
// not hit yet.
func (s *scanner) openRanges(rs []rangeRef) uint64 {
	var m uint64
	for i := range rs {
		if s.leafStamp[rs[i].lid] != s.gen {
			m |= 1 << i
		}
	}
	return m
}

// rangeNumber tests the numeric ranges rs on the number text with digits d
// (fewer than 18).
func (s *scanner) rangeNumber(rs []rangeRef, text []byte, d *decimal) {
	var k uint64
	approx := false
	switch {
	case d.nd == 0:
		k = floatKey(0)
	case d.exp >= -22 && d.exp <= 22:
		f := float64(d.mant) // as classify does
		if d.exp >= 0 {
			f *= pow10tab[d.exp]
		} else {
			f /= pow10tab[-d.exp]
		}
		if d.neg {
			f = -f
		}
		k, approx = floatKey(f), d.nd > 15
	default:
		s.lookupRanges(rs, s.numValue(text, d))
		return
	}
	for i := range rs {
		r := &rs[i]
		if approx {
			if (k < r.lo && r.lo-k > numSlack) || (k > r.hi && k-r.hi > numSlack) || s.leafStamp[r.l.id] == s.gen {
				continue // out of range, however the number rounds
			}
			s.lookupRanges(rs, s.numValue(text, d))
			return
		}
		if k >= r.lo && k <= r.hi && s.leafStamp[r.l.id] != s.gen {
			s.hit(r.l)
		}
	}
}

// rangeNumberAt is numberAt inside an array, for a path whose index has
// only numeric ranges and whose values need not be recorded.
func (s *scanner) rangeNumberAt(n *pnode, pos int) (int, error) {
	src := s.src
	var d decimal
	end, err := s.readNumber(src, pos, &d)
	if err != nil {
		return end, err
	}
	pid := n.pathID
	s.pathStamp[pid] = s.gen
	s.pathArr[pid] = s.gen
	if d.nd < 18 {
		s.rangeNumber(n.idx.ranges, src[pos:end], &d)
	}
	return end, nil
}

// numValue returns s.cur set to the number text with digits d.
func (s *scanner) numValue(text []byte, d *decimal) *value {
	v := &s.cur
	v.kind, v.numSt, v.ipState = vNumber, numUnparsed, 0
	v.dec = *d
	v.str, v.raw = text, text
	return v
}

// numberAt scans the number at src[pos] at the path of n, which has an
// index, and returns the offset after it.
func (s *scanner) numberAt(n *pnode, pos int) (int, error) {
	v := &s.cur
	end, err := s.readNumber(s.src, pos, &v.dec)
	if err != nil {
		return end, err
	}
	v.kind, v.numSt, v.ipState = vNumber, numUnparsed, 0
	v.str = s.src[pos:end]
	v.raw = v.str
	s.onNumber(n, v)
	return end, nil
}

// skipValue validates and skips any value.
func (s *scanner) skipValue() error {
	if s.pos >= len(s.src) {
		return s.errorf(s.pos, "unexpected end of the event, expecting a value")
	}
	switch c := s.src[s.pos]; {
	case c == '"':
		_, _, err := s.scanString(false)
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
			if _, _, err := s.scanString(true); err != nil {
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

// number validates the number at s.pos, moves past it and reads it into
// v.dec (as parseDecimal does).
func (s *scanner) number(v *value) error {
	end, err := s.readNumber(s.src, s.pos, &v.dec)
	if err != nil {
		return err
	}
	s.pos = end
	return nil
}

// readNumber validates the number at src[i:], reads it into d (as
// parseDecimal does) and returns the offset after it.
func (s *scanner) readNumber(src []byte, i int, d *decimal) (int, error) {
	d.neg = false
	if src[i] == '-' {
		d.neg = true
		i++
	}
	if i >= len(src) || src[i]-'0' > 9 {
		return i, s.errorf(i, "invalid number: expecting a digit")
	}
	is := i
	if src[i] == '0' {
		i++
	} else {
		i = skipDigits(src, i+1)
	}
	ie, fs, fe := i, i, i
	if i < len(src) && src[i] == '.' {
		i++
		if i >= len(src) || src[i]-'0' > 9 {
			return i, s.errorf(i, "invalid number: expecting a digit after the decimal point")
		}
		fs = i
		i = skipDigits(src, i+1)
		fe = i
	}
	if i >= len(src) || src[i]|0x20 != 'e' {
		// The usual shape: no exponent, a first digit that is not 0
		// and a last one that is not 0.
		if src[is] != '0' && src[i-1] != '0' {
			d.nd = ie - is + fe - fs
			if d.nd > 17 {
				d.mant, d.exp = 0, 0
				return i, nil
			}
			m := digitsValue(src, is, ie)
			if fe > fs {
				m = m*pow10u64[fe-fs] + digitsValue(src, fs, fe)
			}
			d.mant, d.exp = m, fs-fe
			return i, nil
		}
		d.setDigits(src, is, ie, fs, fe, 0)
		return i, nil
	}
	j := i + 1
	if j < len(src) && (src[j] == '+' || src[j] == '-') {
		j++
	}
	if j >= len(src) || src[j]-'0' > 9 {
		return j, s.errorf(j, "invalid number: expecting a digit in the exponent")
	}
	e := parseExp(src, i+1)
	for j < len(src) && src[j]-'0' < 10 {
		j++
	}
	d.setDigits(src, is, ie, fs, fe, e)
	return j, nil
}

// skipDigits returns the offset of the first byte at or after src[i] that
// is not a digit.
func skipDigits(src []byte, i int) int {
	for i+8 <= len(src) {
		if m := nonDigits(binary.LittleEndian.Uint64(src[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(src) && src[i]-'0' < 10 {
		i++
	}
	return i
}

// nonDigits returns a word in which the high nibble of each byte of w (8
// bytes of text, the first in the lowest byte) is non-zero when that byte
// is not an ASCII digit; bytes after the first such byte may be wrong.
func nonDigits(w uint64) uint64 { return nonDigitVals(w ^ 0x3030303030303030) }

// nonDigitVals is nonDigits of w ^ 0x3030303030303030, in which digits are
// the bytes 0 to 9.
func nonDigitVals(t uint64) uint64 {
	// A byte is a digit when its high nibble is 0 and adding 6 keeps it
	// so; a carry out of a non-digit byte only disturbs the bytes after it.
	return (t + 0x0606060606060606 | t) & 0xF0F0F0F0F0F0F0F0
}

// digitsValue returns the value of the digits s[i:end] (at most 19).
func digitsValue(s []byte, i, end int) uint64 {
	var m uint64
	for end-i >= 8 {
		m = m*1e8 + eightDigits(binary.LittleEndian.Uint64(s[i:]))
		i += 8
	}
	r := end - i
	if r == 0 {
		return m
	}
	if i+8 <= len(s) {
		// Move the r digits to the top and pad with '0's.
		sh := uint(8 * (8 - r))
		w := binary.LittleEndian.Uint64(s[i:])<<sh | 0x3030303030303030&(1<<sh-1)
		return m*pow10u64[r] + eightDigits(w)
	}
	for ; i < end; i++ {
		m = m*10 + uint64(s[i]-'0')
	}
	return m
}

// eightDigits returns the value of the eight ASCII digits in w (the first
// digit in the lowest byte).
func eightDigits(w uint64) uint64 {
	w -= 0x3030303030303030
	w = w*10 + w>>8
	return ((w&0x000000FF000000FF)*(100+1000000<<32) + (w>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32
}

func (s *scanner) literal(word string) error {
	if len(s.src)-s.pos < len(word) || string(s.src[s.pos:s.pos+len(word)]) != word {
		return s.errorf(s.pos, "invalid literal; expecting %q", word)
	}
	s.pos += len(word)
	return nil
}

// onValue records the value v at the path of n and looks it up in the
// path's index.
func (s *scanner) onValue(n *pnode, v *value) {
	if v.kind == vNumber {
		s.onNumber(n, v)
		return
	}
	ix := n.idx
	s.stampPath(n, v)
	switch v.kind {
	case vString:
		s.lookupString(ix, v)
	case vTrue, vFalse, vNull:
		if ix.indexExtra != nil {
			s.hitList(ix.lits[v.kind-vTrue])
		}
	}
	if ix.indexExtra != nil && ix.abx != nil {
		s.lookupAB(ix.abx, v)
	}
	s.hitList(ix.any)
	s.lookupSlow(ix, v)
}

// stampPath notes that the path of n has the value v, and records v if
// some alternative needs the exact search (or for Explain).
func (s *scanner) stampPath(n *pnode, v *value) {
	pid := n.pathID
	s.pathStamp[pid] = s.gen
	if len(s.trail) > 0 {
		s.pathArr[pid] = s.gen
	}
	if s.recordAll || n.idx.multi > 0 {
		ts := int32(len(s.trails))
		s.trails = append(s.trails, s.trail...)
		s.recs = append(s.recs, flatValue{pid: pid, val: *v, trailStart: ts, trailEnd: int32(len(s.trails))})
	}
}

// onNumber is onValue for a number.
func (s *scanner) onNumber(n *pnode, v *value) {
	ix := n.idx
	s.stampPath(n, v)
	if len(ix.ranges) > 0 && v.dec.nd < 18 {
		s.lookupRanges(ix.ranges, v)
	}
	if ix.indexExtra != nil {
		s.lookupNumber(ix.indexExtra, v)
		if ix.abx != nil {
			s.lookupAB(ix.abx, v)
		}
	}
	if len(ix.any) > 0 {
		s.hitList(ix.any)
	}
	if len(ix.slow) > 0 {
		s.lookupSlow(ix, v)
	}
}

// lookupNumber looks the number v up in the maps of numbers.
func (s *scanner) lookupNumber(ix *indexExtra, v *value) {
	if ix.numTxt.n > 0 {
		if ls, ok := ix.numTxt.get(v.str); ok {
			s.hitList(ls)
		}
	}
	if ix.nums.n > 0 {
		if k, st := v.numExactKey(); st != numNot {
			kb := [8]byte{byte(k >> 56), byte(k >> 48), byte(k >> 40), byte(k >> 32), byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}
			if ls, ok := ix.nums.get(kb[:]); ok {
				if _, ok := v.numKey(); ok {
					s.hitList(ls)
				}
			}
		}
	}
}

// lookupSlow tests the conditions that are tested one by one.
func (s *scanner) lookupSlow(ix *pathIndex, v *value) {
	for i := range ix.slow {
		r := &ix.slow[i]
		if s.leafStamp[r.l.id] != s.gen && r.c.match(v) {
			s.hit(r.l)
		}
	}
}

func (s *scanner) lookupString(ix *pathIndex, v *value) {
	str := v.str
	if ix.strs.n > 0 {
		s.lookupStrs(ix, str)
	}
	if ix.indexExtra != nil {
		s.lookupExtra(ix.indexExtra, v)
	}
}

// lookupExtra looks the string v up in the indexes of indexExtra.
func (s *scanner) lookupExtra(ix *indexExtra, v *value) {
	str := v.str
	if ix.ips.n > 0 {
		if a, ok := v.ipAddr(); ok {
			if ls, ok := ix.ips.get(a.b[:a.n]); ok {
				s.hitList(ls)
			}
		}
	}
	for _, lc := range ix.pre.lens {
		if lc.n > len(str) {
			break
		}
		if ls, ok := ix.pre.m.get(str[:lc.n]); ok {
			s.hitList(ls)
		}
	}
	for _, lc := range ix.suf.lens {
		if lc.n > len(str) {
			break
		}
		if ls, ok := ix.suf.m.get(str[len(str)-lc.n:]); ok {
			s.hitList(ls)
		}
	}
	if ix.eic.n > 0 || len(ix.peic.lens) > 0 || len(ix.seic.lens) > 0 {
		low := str // lowered only if a map is large (see foldGet)
		if ix.eic.dir != nil || ix.peic.m.dir != nil || ix.seic.m.dir != nil {
			low = s.lower(str)
		}
		if ix.eic.n > 0 {
			if ls, ok := foldGet(&ix.eic, low); ok {
				s.hitList(ls)
			}
		}
		for _, lc := range ix.peic.lens {
			if lc.n > len(low) {
				break
			}
			if ls, ok := foldGet(&ix.peic.m, low[:lc.n]); ok {
				s.hitList(ls)
			}
		}
		for _, lc := range ix.seic.lens {
			if lc.n > len(low) {
				break
			}
			if ls, ok := foldGet(&ix.seic.m, low[len(low)-lc.n:]); ok {
				s.hitList(ls)
			}
		}
	}
	for _, lc := range ix.wpre.lens {
		if lc.n > len(str) {
			break
		}
		if ws, ok := ix.wpre.m.get(str[:lc.n]); ok {
			s.hitWild(ws, str)
		}
	}
	for _, lc := range ix.wsuf.lens {
		if lc.n > len(str) {
			break
		}
		if ws, ok := ix.wsuf.m.get(str[len(str)-lc.n:]); ok {
			s.hitWild(ws, str)
		}
	}
}

// lookupRanges tests the numeric conditions rs on the number v. It works
// on the approximate key as long as that decides, and makes the key exact
// (and checks that the number is comparable) only for a range that may
// hold the number and whose leaf is not hit yet.
func (s *scanner) lookupRanges(rs []rangeRef, v *value) {
	k, st := v.numApproxKey()
	if st == numNot {
		return
	}
	for i := range rs {
		r := &rs[i]
		if st == numApprox {
			if (k < r.lo && r.lo-k > numSlack) || (k > r.hi && k-r.hi > numSlack) || s.leafStamp[r.l.id] == s.gen {
				continue // out of range, however the number rounds
			}
			if k, st = v.numExactKey(); st == numNot {
				return
			}
		}
		if k < r.lo || k > r.hi || s.leafStamp[r.l.id] == s.gen {
			continue
		}
		if st == numCheck {
			ok := false
			if k, ok = v.numKey(); !ok {
				return
			}
			st = numExact
		}
		s.hit(r.l)
	}
}

// foldGet looks b up in m, whose keys are in ASCII lower case: b itself
// when m is a list, which is compared ignoring ASCII case, and otherwise b
// lowered already.
func foldGet[V any](m *pmap[V], b []byte) (V, bool) {
	if m.dir != nil {
		return m.get(b)
	}
	var zero V
	if len(b) > 0 {
		f, l := b[0], b[len(b)-1]
		if f-'A' < 26 {
			f += 'a' - 'A'
		}
		if l-'A' < 26 {
			l += 'a' - 'A'
		}
		if m.sig&(1<<((uint(len(b))*37+uint(f)*7+uint(l))&63)) == 0 {
			return zero, false
		}
	}
	for i := range m.small {
		if k := m.small[i].key; len(k) == len(b) && equalLowerASCII(b, k) {
			return m.small[i].val, true
		}
	}
	return zero, false
}

// equalLowerASCII reports whether b, with A-Z lowered, equals low (of the
// same length).
func equalLowerASCII(b []byte, low string) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c-'A' < 26 {
			c += 'a' - 'A'
		}
		if c != low[i] {
			return false
		}
	}
	return true
}

func (s *scanner) lower(b []byte) []byte {
	s.lbuf = append(s.lbuf[:0], b...)
	for i, c := range s.lbuf {
		if c-'A' < 26 {
			s.lbuf[i] = c + 'a' - 'A'
		}
	}
	return s.lbuf
}

func (s *scanner) hitWild(ws []wildRef, str []byte) {
	for i := range ws {
		if s.leafStamp[ws[i].l.id] != s.gen && ws[i].g.match(str) {
			s.hit(ws[i].l)
		}
	}
}

func (s *scanner) hitList(ls []*leaf) {
	for _, l := range ls {
		s.hit(l)
	}
}

// hit records that a value satisfies leaf l.
func (s *scanner) hit(l *leaf) {
	if s.leafStamp[l.id] == s.gen {
		return
	}
	s.leafStamp[l.id] = s.gen
	if l.direct != nil {
		s.matchPattern(l.direct)
		return
	}
	for _, a := range l.anchored.tail {
		if a.direct {
			s.matchPattern(a.pat)
			continue
		}
		s.cands = append(s.cands, a)
	}
	if l.anchored.more != nil {
		s.hitTrie(l.anchored.more.root)
	}
}

// hitTrie does for the alternatives below n what hit does for those of a
// list's tail; n is a node of the trie of an anchored list longer than
// altChunk (altvec.go).
func (s *scanner) hitTrie(n *altNode) {
	for _, k := range n.kids {
		s.hitTrie(k)
	}
	for _, a := range n.alts {
		if a.direct {
			s.matchPattern(a.pat)
			continue
		}
		s.cands = append(s.cands, a)
	}
}

func (s *scanner) matchPattern(p *patEntry) {
	if s.patStamp[p.id] != s.gen {
		s.patStamp[p.id] = s.gen
		s.matched = append(s.matched, matchRef{p.key, p.name, p.id})
	}
}

// finish decides the candidate alternatives: those whose anchor has been
// hit, if their other required leaves have been hit too, and those without
// required leaves.
func (s *scanner) finish() {
	for _, a := range s.cands {
		if s.patStamp[a.pat.id] != s.gen && s.allHit(a) && s.decide(a) {
			s.matchPattern(a.pat)
		}
	}
	for _, a := range s.snap.always {
		if s.patStamp[a.pat.id] != s.gen && s.decide(a) {
			s.matchPattern(a.pat)
		}
	}
}

// allHit reports whether every required leaf of a has been hit.
func (s *scanner) allHit(a *alt) bool {
	for _, l := range a.leaves {
		if !l.absent && s.leafStamp[l.id] != s.gen {
			return false
		}
	}
	return true
}

// decide reports whether alternative a, whose required leaves have all been
// hit, matches.
func (s *scanner) decide(a *alt) bool {
	arrays := 0
	for _, l := range a.leaves {
		if s.pathArr[l.pathID] == s.gen {
			arrays++
		}
	}
	if arrays > 1 {
		return s.search(a, false)
	}
	for _, l := range a.leaves {
		if l.absent && s.leafStamp[l.id] != s.gen && s.pathStamp[l.pathID] == s.gen {
			return false
		}
	}
	return true
}
