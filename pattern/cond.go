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
// kind; what only some kinds need sits behind pointers, to keep the
// struct small (a Matcher holds one per condition of every pattern).
type cond struct {
	kind           condKind
	numOK          bool // condNumber is comparable
	loSet, hiSet   bool
	loOpen, hiOpen bool
	str            string      // string operand
	num            uint64      // condNumber key
	lo, hi         uint64      // condNumeric bounds (keys)
	fold           *foldString // ignore-case operand
	glob           *wildcard
	ip             *ipRange // condIP, condCIDR
	*condLists              // anything-but operands
}

// condLists holds the operands of anything-but.
type condLists struct {
	strs  []string // string operands
	nums  []uint64 // number keys
	folds []*foldString
	globs []*wildcard
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
	numF    float64   // numbers: the float, once parsed (see numSt)
	dec     decimal   // numbers: the digits, read by the scanner
	ip      ipAddr
}

// numApproxKey returns the number's key and its status: numNot (not
// comparable), numExact, numCheck (the key is the nearest double's;
// comparable only if the text is its shortest decimal) or numApprox (the
// key is within numSlack of the nearest double's). It avoids the costly
// steps of numKey.
func (v *value) numApproxKey() (uint64, numStatus) {
	if v.numSt == numUnparsed {
		v.classify()
	}
	return floatKey(v.numF), v.numSt
}

// numExactKey returns the key of the nearest double and its status,
// numNot, numExact or numCheck.
func (v *value) numExactKey() (uint64, numStatus) {
	if v.numSt == numUnparsed {
		v.classify()
	}
	if v.numSt == numApprox {
		v.nearest()
	}
	return floatKey(v.numF), v.numSt
}

// numKey returns the key of a comparable number.
func (v *value) numKey() (uint64, bool) {
	k, st := v.numExactKey()
	if st == numCheck {
		st = numNot
		if isShortest(v.str, v.numF) {
			st = numExact
		}
		v.numSt = st
	}
	return k, st == numExact
}

// near reports whether key a may be the exact key of an approximate key b.
func near(a, b uint64) bool {
	if a > b {
		return a-b <= numSlack
	}
	return b-a <= numSlack
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
		k, st := v.numApproxKey()
		if st == numNot || (st == numApprox && !near(c.num, k)) || (st != numApprox && k != c.num) {
			return false
		}
		k, ok := v.numKey()
		return ok && k == c.num
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
			if len(c.nums) > 0 && c.excludesNumber(v) {
				return false
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
		k, st := v.numApproxKey()
		switch st {
		case numNot:
			return false
		case numApprox:
			if (c.loSet && k < c.lo && !near(k, c.lo)) || (c.hiSet && k > c.hi && !near(k, c.hi)) {
				return false // out of range, however the number rounds
			}
			k, _ = v.numExactKey()
		}
		if c.loSet && (k < c.lo || (c.loOpen && k == c.lo)) {
			return false
		}
		if c.hiSet && (k > c.hi || (c.hiOpen && k == c.hi)) {
			return false
		}
		_, ok := v.numKey()
		return ok
	case condExists:
		return true
	}
	return false
}

// excludesNumber reports whether the number v is one of c.nums.
func (c *cond) excludesNumber(v *value) bool {
	k, st := v.numApproxKey()
	if st == numNot {
		return false
	}
	maybe := false
	for _, n := range c.nums {
		if n == k || (st == numApprox && near(n, k)) {
			maybe = true
			break
		}
	}
	if !maybe {
		return false
	}
	k, ok := v.numKey()
	if !ok {
		return false
	}
	for _, n := range c.nums {
		if n == k {
			return true
		}
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
