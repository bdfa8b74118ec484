package pattern

import (
	"bytes"
)

// condKind is the kind of one match condition in a leaf array.
type condKind uint8

const (
	condString                condKind = iota // "x" (or {"exactly": "x"})
	condIP                                    // "10.0.0.1": any spelling of the same address
	condNumber                                // 300: by value if comparable, else by text
	condTrue                                  // true
	condFalse                                 // false
	condNull                                  // null
	condPrefix                                // {"prefix": "x"}
	condSuffix                                // {"suffix": "x"}
	condEqualsIgnoreCase                      // {"equals-ignore-case": "x"}
	condPrefixIgnoreCase                      // {"prefix": {"equals-ignore-case": "x"}}
	condSuffixIgnoreCase                      // {"suffix": {"equals-ignore-case": "x"}}
	condWildcard                              // {"wildcard": "x*"}
	condAnythingBut                           // {"anything-but": "x" | 1 | [...]}
	condAnythingButPrefix                     // {"anything-but": {"prefix": ...}}
	condAnythingButSuffix                     // {"anything-but": {"suffix": ...}}
	condAnythingButIgnoreCase                 // {"anything-but": {"equals-ignore-case": ...}}
	condAnythingButWildcard                   // {"anything-but": {"wildcard": ...}}
	condNumeric                               // {"numeric": [...]}
	condCIDR                                  // {"cidr": "10.0.0.0/8"}
	condExists                                // {"exists": true}
)

// cond is one compiled match condition. Which fields are set depends on
// kind.
type cond struct {
	kind           condKind
	str            string      // string operand
	strs           []string    // anything-but string operands
	nums           []uint64    // anything-but number keys
	num            uint64      // condNumber key
	numOK          bool        // condNumber is comparable
	fold           *foldString // ignore-case operand
	folds          []*foldString
	glob           *wildcard
	globs          []*wildcard
	ip             ipRange // condIP, condCIDR
	lo, hi         uint64  // condNumeric bounds (keys)
	loSet, hiSet   bool
	loOpen, hiOpen bool
	src            string // the condition as written, compacted JSON
}

// valueKind is the JSON type of an event value.
type valueKind uint8

const (
	vString valueKind = iota
	vNumber
	vTrue
	vFalse
	vNull
)

// value is one leaf value of an event.
type value struct {
	kind    valueKind
	numSt   numStatus // numbers: how the text compares, once parsed
	ipState uint8     // 0 unknown, 1 an IP address, 2 not
	str     []byte    // decoded string, or the number's text
	raw     []byte    // the value as written in the event
	numF    float64   // numbers: the nearest float64, once parsed
	ip      ipAddr
}

// numCandidate returns the number's float64 and whether it may be
// comparable, without the costly exactness test that numKey adds.
func (v *value) numCandidate() (float64, bool) {
	if v.numSt == numUnparsed {
		v.numF, v.numSt = numParse(v.str)
	}
	return v.numF, v.numSt == numExact || v.numSt == numCheck
}

func (v *value) numKey() (uint64, bool) {
	if _, ok := v.numCandidate(); !ok {
		return 0, false
	}
	if v.numSt == numCheck {
		v.numSt = numNot
		if isShortest(v.str, v.numF) {
			v.numSt = numExact
		}
		if v.numSt != numExact {
			return 0, false
		}
	}
	return floatKey(v.numF), true
}

func (v *value) ipAddr() (ipAddr, bool) {
	if v.ipState == 0 {
		v.ipState = 2
		if looksLikeIP(asString(v.str)) {
			if a, ok := parseIP(asString(v.str)); ok {
				v.ip, v.ipState = a, 1
			}
		}
	}
	return v.ip, v.ipState == 1
}

// match reports whether the event value v satisfies c.
func (c *cond) match(v *value) bool {
	switch c.kind {
	case condString:
		return v.kind == vString && string(v.str) == c.str
	case condIP, condCIDR:
		if v.kind != vString {
			return false
		}
		a, ok := v.ipAddr()
		return ok && c.ip.contains(a)
	case condNumber:
		if v.kind != vNumber {
			return false
		}
		if !c.numOK {
			return string(v.str) == c.str
		}
		f, ok := v.numCandidate()
		if !ok || floatKey(f) != c.num {
			return false
		}
		_, ok = v.numKey()
		return ok
	case condTrue:
		return v.kind == vTrue
	case condFalse:
		return v.kind == vFalse
	case condNull:
		return v.kind == vNull
	case condPrefix:
		return v.kind == vString && bytes.HasPrefix(v.str, []byte(c.str))
	case condSuffix:
		return v.kind == vString && bytes.HasSuffix(v.str, []byte(c.str))
	case condEqualsIgnoreCase:
		return v.kind == vString && c.fold.equal(v.str)
	case condPrefixIgnoreCase:
		return v.kind == vString && c.fold.prefixOf(v.str)
	case condSuffixIgnoreCase:
		return v.kind == vString && c.fold.suffixOf(v.str)
	case condWildcard:
		return v.kind == vString && c.glob.match(v.str)
	case condAnythingBut:
		switch v.kind {
		case vString:
			for _, s := range c.strs {
				if string(v.str) == s {
					return false
				}
			}
		case vNumber:
			if f, ok := v.numCandidate(); ok {
				k := floatKey(f)
				for _, n := range c.nums {
					if n == k {
						_, ok := v.numKey()
						return !ok
					}
				}
			}
		}
		return true
	case condAnythingButPrefix:
		if v.kind == vString {
			for _, s := range c.strs {
				if bytes.HasPrefix(v.str, []byte(s)) {
					return false
				}
			}
		}
		return true
	case condAnythingButSuffix:
		if v.kind == vString {
			for _, s := range c.strs {
				if bytes.HasSuffix(v.str, []byte(s)) {
					return false
				}
			}
		}
		return true
	case condAnythingButIgnoreCase:
		if v.kind == vString {
			for _, f := range c.folds {
				if f.equal(v.str) {
					return false
				}
			}
		}
		return true
	case condAnythingButWildcard:
		if v.kind == vString {
			for _, g := range c.globs {
				if g.match(v.str) {
					return false
				}
			}
		}
		return true
	case condNumeric:
		if v.kind != vNumber {
			return false
		}
		f, ok := v.numCandidate()
		if !ok {
			return false
		}
		k := floatKey(f)
		if c.loSet && (k < c.lo || (c.loOpen && k == c.lo)) {
			return false
		}
		if c.hiSet && (k > c.hi || (c.hiOpen && k == c.hi)) {
			return false
		}
		_, ok = v.numKey()
		return ok
	case condExists:
		return true
	}
	return false
}

// exactOnly reports whether every condition is a plain value (so Explain
// can say "is one of").
func exactOnly(cs []cond) bool {
	for i := range cs {
		switch cs[i].kind {
		case condString, condIP, condNumber, condTrue, condFalse, condNull:
		default:
			return false
		}
	}
	return true
}
