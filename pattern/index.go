package pattern

import (
	"math"
	"slices"
)

// The value index of one path: for an event value at the path, it finds the
// leaves (fields of patterns) that the value satisfies without testing them
// one by one.
//
//   - Strings, IP addresses, comparable numbers (by their key), other
//     numbers (by their text), true, false and null: a map from the value.
//   - prefix and suffix: a map from the operand, probed with the value's
//     first (last) n bytes for each operand length n in use.
//   - equals-ignore-case and its prefix and suffix forms with an ASCII
//     operand: the same maps over operands and values lowered to ASCII
//     lower case (for an ASCII operand, Java's per-character rule reduces
//     to that).
//   - wildcards: by their literal head (or, for a leading star, their
//     literal tail), then checked in full.
//   - exists:true: a list, hit by every value.
//   - numeric ranges: a list of closed bounds on number keys, tested one by
//     one on a key computed from the number's digits; the exact key, and
//     whether the number is comparable at all, are worked out only for a
//     range that may hold the number and whose leaf is not yet satisfied.
//   - anything-but (all forms), cidr, ignore-case operands that are not
//     ASCII, and wildcards with stars at both ends: a list, tested one by
//     one (a leaf already satisfied is not tested again).
//
// The maps are persistent (pmap.go). A pathIndex is immutable; with returns
// an updated copy that shares what did not change. The maps that most
// paths do not need sit behind one pointer (indexExtra), so that adding,
// say, an exact string copies a small struct.

type pathIndex struct {
	strs        pmap[[]*leaf]
	flat        *flatCache // the flat table of strs, when it is large (flattab.go)
	any         []*leaf
	ranges      []rangeRef // numeric conditions
	rtab        *rangeTab  // ranges by prefix key; nil when there are none or too many
	slow        []slowRef
	*indexExtra // the other indexes; nil when they are all empty

	leaves  int // leaves on this path
	multi   int // leaves that belong to an alternative with other fields
	entries int // index entries, for statistics
}

// indexExtra holds the indexes that most paths do not need, so that
// updating the others copies less.
type indexExtra struct {
	ips    pmap[[]*leaf]
	nums   pmap[[]*leaf] // by the 8-byte key of comparable numbers
	numTxt pmap[[]*leaf] // other numbers, by text
	lits   [3][]*leaf    // true, false, null
	pre    affixIndex[[]*leaf]
	suf    affixIndex[[]*leaf]
	eic    pmap[[]*leaf] // ASCII-lowered operands
	peic   affixIndex[[]*leaf]
	seic   affixIndex[[]*leaf]
	wpre   affixIndex[[]wildRef]
	wsuf   affixIndex[[]wildRef]
	abx    *abIndex // anything-but conditions (abindex.go)
}

func (x *indexExtra) empty() bool {
	return x.ips.n == 0 && x.nums.n == 0 && x.numTxt.n == 0 && x.lits[0] == nil && x.lits[1] == nil &&
		x.lits[2] == nil && x.pre.m.n == 0 && x.suf.m.n == 0 && x.eic.n == 0 && x.peic.m.n == 0 &&
		x.seic.m.n == 0 && x.wpre.m.n == 0 && x.wsuf.m.n == 0 && x.abx == nil
}

// wildRef is a wildcard condition of a leaf.
type wildRef struct {
	l *leaf
	g *wildcard
}

// rangeRef is a numeric condition of a leaf, as closed bounds on number
// keys (adjacent doubles have adjacent keys, so "> x" is ">= key(x)+1"),
// and as the prefix keys of its bounds (prefixkey.go; 0 and MaxUint64 for
// a missing bound, which no number's key equals).
type rangeRef struct {
	lo, hi   uint64
	plo, phi uint64
	lid      int32 // l.id
	l        *leaf
}

func rangeOf(l *leaf, c *cond) rangeRef {
	r := rangeRef{lo: 0, hi: math.MaxUint64, phi: math.MaxUint64, lid: l.id, l: l}
	if c.loSet {
		r.lo, r.plo = c.lo, boundKey(c.lo)
		if c.loOpen {
			r.lo++
		}
	}
	if c.hiSet {
		r.hi, r.phi = c.hi, boundKey(c.hi)
		if c.hiOpen {
			r.hi--
		}
	}
	return r
}

// rangeTab sorts the ranges of a path (at most 64) by the prefix keys of
// their bounds (prefixkey.go), coarse and fine: in each table the distinct
// keys of the bounds cut the keys into gaps, and each gap has the set of
// ranges that hold every number whose key lies in it. A number whose key
// equals a bound's is not decided by that table.
type rangeTab struct {
	coarse, fine gapTab
	same         []uint64 // by range: the ranges of the same leaf
}

// gapTab is one table of a rangeTab.
type gapTab struct {
	// keys holds the distinct keys of the bounds, ascending, then
	// MaxUint64 (no number's key) up to a power of two, at least once.
	keys []uint64
	// inside[k] is the set of ranges (bits by index) that hold every
	// key between keys[k-1] and keys[k].
	inside []uint64
	// small says that keys has at most 16 entries, copied in fixed
	// (padded with MaxUint64) as inside is in fixedIn, so that four
	// steps find a key's gap.
	small   bool
	fixed   [16]uint64
	fixedIn [16]uint64
	// zeroK is the gap of the key of 0, or -1 if it equals a bound's.
	zeroK int
}

// maxTabRanges is the most ranges a rangeTab holds.
const maxTabRanges = 64

func newRangeTab(rs []rangeRef) *rangeTab {
	if len(rs) == 0 || len(rs) > maxTabRanges {
		return nil
	}
	t := &rangeTab{same: make([]uint64, len(rs))}
	for i := range rs {
		for j := range rs {
			if rs[i].l == rs[j].l {
				t.same[i] |= 1 << j
			}
		}
	}
	t.coarse.init(rs, coarseOf)
	t.fine.init(rs, func(p uint64) uint64 { return p })
	return t
}

// init builds the table of the keys key(p) of the bounds' prefix keys.
func (g *gapTab) init(rs []rangeRef, key func(uint64) uint64) {
	const none = math.MaxUint64
	var bs []uint64
	for _, r := range rs {
		if r.plo != 0 {
			bs = append(bs, key(r.plo))
		}
		if r.phi != none {
			bs = append(bs, key(r.phi))
		}
	}
	slices.Sort(bs)
	bs = slices.Compact(bs)
	size := 1
	for size <= len(bs) {
		size *= 2
	}
	g.keys, g.inside = make([]uint64, size), make([]uint64, size)
	copy(g.keys, bs)
	for k := len(bs); k < size; k++ {
		g.keys[k] = none
	}
	for i, r := range rs {
		for k := 0; k <= len(bs); k++ {
			// The gap k lies above bs[k-1] and below bs[k].
			if (r.plo == 0 || (k > 0 && key(r.plo) <= bs[k-1])) && (r.phi == none || (k < len(bs) && key(r.phi) >= bs[k])) {
				g.inside[k] |= 1 << i
			}
		}
	}
	g.zeroK = -1
	if k, ok := g.gap(key(0x81 << 56)); ok {
		g.zeroK = k
	}
	if g.small = size <= 16; g.small {
		for k := range g.fixed {
			g.fixed[k] = none
		}
		copy(g.fixed[:], g.keys)
		copy(g.fixedIn[:], g.inside)
	}
}

// gap returns the gap of the key p, and false if p equals a bound's key.
func (g *gapTab) gap(p uint64) (int, bool) {
	k := 0
	for h := len(g.keys) >> 1; h > 0; h >>= 1 {
		if g.keys[k+h-1] < p {
			k += h
		}
	}
	return k, g.keys[k] != p
}

func rangesWith(old []rangeRef, l *leaf, c *cond, add bool, entries *int) []rangeRef {
	if add {
		*entries++
		out := make([]rangeRef, len(old), len(old)+1)
		copy(out, old)
		return append(out, rangeOf(l, c))
	}
	out := make([]rangeRef, 0, len(old))
	for _, x := range old {
		if x.l != l {
			out = append(out, x)
		} else {
			*entries--
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// slowRef is a condition that is tested one by one.
type slowRef struct {
	l *leaf
	c *cond
}

// affixIndex maps operands to values and keeps the distinct operand
// lengths, ascending, with the number of operands of each length.
type affixIndex[V any] struct {
	m    pmap[V]
	lens []lenCount
}

type lenCount struct{ n, count int }

func (a affixIndex[V]) update(key string, fn func(V, bool) (V, bool)) affixIndex[V] {
	old, had := a.m.getString(key)
	nv, keep := fn(old, had)
	switch {
	case keep:
		a.m = a.m.set(key, nv)
		if !had {
			a.lens = lensAdd(a.lens, len(key), 1)
		}
	case had:
		a.m = a.m.del(key)
		a.lens = lensAdd(a.lens, len(key), -1)
	}
	return a
}

func lensAdd(ls []lenCount, n, d int) []lenCount {
	out := make([]lenCount, 0, len(ls)+1)
	done := false
	for _, lc := range ls {
		if !done && lc.n >= n {
			done = true
			if lc.n == n {
				lc.count += d
				if lc.count > 0 {
					out = append(out, lc)
				}
				continue
			}
			out = append(out, lenCount{n, d})
		}
		out = append(out, lc)
	}
	if !done {
		out = append(out, lenCount{n, d})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func updatePmap[V any](t pmap[V], key string, fn func(V, bool) (V, bool)) pmap[V] {
	old, had := t.getString(key)
	nv, keep := fn(old, had)
	switch {
	case keep:
		return t.set(key, nv)
	case had:
		return t.del(key)
	}
	return t
}

// leafList returns an update function that adds or removes l.
func leafList(l *leaf, add bool, entries *int) func([]*leaf, bool) ([]*leaf, bool) {
	return func(old []*leaf, _ bool) ([]*leaf, bool) {
		nl := listWith(old, l, add, entries)
		return nl, len(nl) > 0
	}
}

func listWith(old []*leaf, l *leaf, add bool, entries *int) []*leaf {
	for i, x := range old {
		if x == l {
			if add {
				return old
			}
			*entries--
			if len(old) == 1 {
				return nil
			}
			out := make([]*leaf, 0, len(old)-1)
			return append(append(out, old[:i]...), old[i+1:]...)
		}
	}
	if !add {
		return old
	}
	*entries++
	out := make([]*leaf, len(old), len(old)+1)
	copy(out, old)
	return append(out, l)
}

func wildList(l *leaf, g *wildcard, add bool, entries *int) func([]wildRef, bool) ([]wildRef, bool) {
	return func(old []wildRef, _ bool) ([]wildRef, bool) {
		for i, x := range old {
			if x.l == l && x.g.src == g.src {
				if add {
					return old, true
				}
				*entries--
				out := make([]wildRef, 0, len(old)-1)
				out = append(append(out, old[:i]...), old[i+1:]...)
				return out, len(out) > 0
			}
		}
		if !add {
			return old, len(old) > 0
		}
		*entries++
		out := make([]wildRef, len(old), len(old)+1)
		copy(out, old)
		return append(out, wildRef{l, g}), true
	}
}

// isASCII reports whether s has only ASCII characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lowerASCII returns s with A-Z mapped to a-z.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func ipKey(a ipAddr) string { return string(a.b[:a.n]) }

func numKeyString(k uint64) string {
	var b [8]byte
	for i := range b {
		b[i] = byte(k >> (56 - 8*i))
	}
	return string(b[:])
}

// with returns the index with leaf l added (add) or removed, or nil when no
// leaf is left.
func (ix *pathIndex) with(l *leaf, add bool) *pathIndex {
	n := &pathIndex{}
	if ix != nil {
		*n = *ix
	}
	e := &n.entries
	copied := false
	for i := range l.f.conds {
		c := &l.f.conds[i]
		switch c.kind {
		case condString, condExists, condNumeric:
		default:
			if !copied {
				x := &indexExtra{}
				if n.indexExtra != nil {
					*x = *n.indexExtra
				}
				n.indexExtra, copied = x, true
			}
		}
		switch c.kind {
		case condString:
			n.strs = updatePmap(n.strs, c.str, leafList(l, add, e))
			n.flat = nil
			if n.strs.dir != nil {
				n.flat = &flatCache{}
			}
		case condIP:
			n.ips = updatePmap(n.ips, ipKey(c.ip.lo), leafList(l, add, e))
		case condNumber:
			if c.numOK {
				n.nums = updatePmap(n.nums, numKeyString(c.num), leafList(l, add, e))
			} else {
				n.numTxt = updatePmap(n.numTxt, c.str, leafList(l, add, e))
			}
		case condTrue:
			n.lits[0] = listWith(n.lits[0], l, add, e)
		case condFalse:
			n.lits[1] = listWith(n.lits[1], l, add, e)
		case condNull:
			n.lits[2] = listWith(n.lits[2], l, add, e)
		case condPrefix:
			n.pre = n.pre.update(c.str, leafList(l, add, e))
		case condSuffix:
			n.suf = n.suf.update(c.str, leafList(l, add, e))
		case condEqualsIgnoreCase:
			if !isASCII(c.str) {
				n.slow = slowWith(n.slow, l, c, add, e)
				continue
			}
			n.eic = updatePmap(n.eic, lowerASCII(c.str), leafList(l, add, e))
		case condPrefixIgnoreCase:
			if !isASCII(c.str) {
				n.slow = slowWith(n.slow, l, c, add, e)
				continue
			}
			n.peic = n.peic.update(lowerASCII(c.str), leafList(l, add, e))
		case condSuffixIgnoreCase:
			if !isASCII(c.str) {
				n.slow = slowWith(n.slow, l, c, add, e)
				continue
			}
			n.seic = n.seic.update(lowerASCII(c.str), leafList(l, add, e))
		case condWildcard:
			g := c.glob
			switch {
			case !g.lead:
				n.wpre = n.wpre.update(string(g.segs[0]), wildList(l, g, add, e))
			case !g.trail && len(g.segs) > 0 && len(g.segs[len(g.segs)-1]) > 0:
				n.wsuf = n.wsuf.update(string(g.segs[len(g.segs)-1]), wildList(l, g, add, e))
			default:
				n.slow = slowWith(n.slow, l, c, add, e)
			}
		case condAnythingBut, condAnythingButPrefix, condAnythingButSuffix, condAnythingButIgnoreCase, condAnythingButWildcard:
			if l.abIDs == nil || (*l.abIDs)[i] < 0 {
				n.slow = slowWith(n.slow, l, c, add, e)
				continue
			}
			n.abx = n.abx.with(l, c, (*l.abIDs)[i], add)
			if add {
				*e++
			} else {
				*e--
			}
		case condExists:
			n.any = listWith(n.any, l, add, e)
		case condNumeric:
			n.ranges = rangesWith(n.ranges, l, c, add, e)
			n.rtab = newRangeTab(n.ranges)
		default:
			n.slow = slowWith(n.slow, l, c, add, e)
		}
	}
	if n.indexExtra != nil && n.indexExtra.empty() {
		n.indexExtra = nil
	}
	d := 1
	if !add {
		d = -1
	}
	n.leaves += d
	if l.multi {
		n.multi += d
	}
	if n.leaves == 0 {
		return nil
	}
	return n
}

func slowWith(old []slowRef, l *leaf, c *cond, add bool, entries *int) []slowRef {
	if add {
		*entries++
		out := make([]slowRef, len(old), len(old)+1)
		copy(out, old)
		return append(out, slowRef{l, c})
	}
	out := make([]slowRef, 0, len(old))
	for _, x := range old {
		if x.l != l {
			out = append(out, x)
		} else {
			*entries--
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
