package pattern

// The anything-but index of a path: an anything-but condition holds for
// every value that it does not exclude, so instead of testing each
// condition on each value, the index maps the excluded operands (strings,
// number keys, prefixes, suffixes, ASCII-lowered ignore-case operands, and
// wildcards by their literal head or tail) to the conditions that exclude
// them. A value stamps the conditions it finds there, and hits the leaf of
// every other condition of the path.
//
// Conditions whose operands the maps cannot hold (non-ASCII ignore-case
// operands, wildcards with stars at both ends) are tested one by one
// (pathIndex.slow). Each indexed condition has an id in the snapshot's
// space of anything-but conditions (leaf.abIDs), for the scanner's
// per-value stamps.

// abIndex is the anything-but index of a path. It is immutable; with
// returns an updated copy.
type abIndex struct {
	all      []abRef       // every indexed condition
	strs     pmap[[]int32] // excluded strings: condition ids
	nums     pmap[[]int32] // excluded numbers, by key
	pre, suf affixIndex[[]int32]
	eic      pmap[[]int32] // ASCII-lowered operands
	wpre     affixIndex[[]abWild]
	wsuf     affixIndex[[]abWild]
}

// abRef is an indexed anything-but condition: its id and its leaf.
type abRef struct {
	id, lid int32
	l       *leaf
}

// abWild is an excluded wildcard, under its literal head or tail.
type abWild struct {
	id int32
	g  *wildcard
}

// abIndexable reports whether the anything-but index can hold c.
func abIndexable(c *cond) bool {
	switch c.kind {
	case condAnythingBut, condAnythingButPrefix, condAnythingButSuffix:
		return true
	case condAnythingButIgnoreCase:
		for _, s := range c.strs {
			if !isASCII(s) {
				return false
			}
		}
		return true
	case condAnythingButWildcard:
		for _, g := range c.globs {
			if !wildIndexable(g) {
				return false
			}
		}
		return true
	}
	return false
}

// wildIndexable reports whether g has a literal head or tail to index it
// by.
func wildIndexable(g *wildcard) bool {
	return !g.lead || (!g.trail && len(g.segs) > 0 && len(g.segs[len(g.segs)-1]) > 0)
}

// idList returns an update function that adds or removes id.
func idList(id int32, add bool) func([]int32, bool) ([]int32, bool) {
	return func(old []int32, _ bool) ([]int32, bool) {
		for i, x := range old {
			if x == id {
				if add {
					return old, true
				}
				out := make([]int32, 0, len(old)-1)
				out = append(append(out, old[:i]...), old[i+1:]...)
				return out, len(out) > 0
			}
		}
		if !add {
			return old, len(old) > 0
		}
		out := make([]int32, len(old), len(old)+1)
		copy(out, old)
		return append(out, id), true
	}
}

func abWildList(id int32, g *wildcard, add bool) func([]abWild, bool) ([]abWild, bool) {
	return func(old []abWild, _ bool) ([]abWild, bool) {
		for i, x := range old {
			if x.id == id && x.g == g {
				if add {
					return old, true
				}
				out := make([]abWild, 0, len(old)-1)
				out = append(append(out, old[:i]...), old[i+1:]...)
				return out, len(out) > 0
			}
		}
		if !add {
			return old, len(old) > 0
		}
		out := make([]abWild, len(old), len(old)+1)
		copy(out, old)
		return append(out, abWild{id, g}), true
	}
}

// with returns the index with condition c of leaf l, whose id is id,
// added or removed; nil when it is left empty.
func (x *abIndex) with(l *leaf, c *cond, id int32, add bool) *abIndex {
	n := &abIndex{}
	if x != nil {
		*n = *x
	}
	if add {
		n.all = append(append(make([]abRef, 0, len(n.all)+1), n.all...), abRef{id, l.id, l})
	} else {
		all := make([]abRef, 0, len(n.all))
		for _, r := range n.all {
			if r.id != id {
				all = append(all, r)
			}
		}
		n.all = all
	}
	up := idList(id, add)
	switch c.kind {
	case condAnythingBut:
		for _, k := range c.nums {
			n.nums = updatePmap(n.nums, numKeyString(k), up)
		}
		if len(c.nums) == 0 {
			for _, s := range c.strs {
				n.strs = updatePmap(n.strs, s, up)
			}
		}
	case condAnythingButPrefix:
		for _, s := range c.strs {
			n.pre = n.pre.update(s, up)
		}
	case condAnythingButSuffix:
		for _, s := range c.strs {
			n.suf = n.suf.update(s, up)
		}
	case condAnythingButIgnoreCase:
		for _, s := range c.strs {
			n.eic = updatePmap(n.eic, lowerASCII(s), up)
		}
	case condAnythingButWildcard:
		for _, g := range c.globs {
			if !g.lead {
				n.wpre = n.wpre.update(string(g.segs[0]), abWildList(id, g, add))
			} else {
				n.wsuf = n.wsuf.update(string(g.segs[len(g.segs)-1]), abWildList(id, g, add))
			}
		}
	}
	if len(n.all) == 0 {
		return nil
	}
	return n
}

// lookupAB hits the leaf of every condition of x that the value v does
// not exclude.
func (s *scanner) lookupAB(x *abIndex, v *value) {
	s.abGen++
	if s.abGen == 0 {
		clear(s.abStamp)
		s.abGen = 1
	}
	switch v.kind {
	case vString:
		s.excludeString(x, v.str)
	case vNumber:
		if x.nums.n > 0 {
			if k, st := v.numExactKey(); st != numNot {
				kb := [8]byte{byte(k >> 56), byte(k >> 48), byte(k >> 40), byte(k >> 32), byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}
				if ids, ok := x.nums.get(kb[:]); ok {
					if _, ok := v.numKey(); ok {
						s.exclude(ids)
					}
				}
			}
		}
	}
	g := s.abGen
	for i := range x.all {
		r := &x.all[i]
		if s.abStamp[r.id] != g && s.leafStamp[r.lid] != s.gen {
			s.hit(r.l)
		}
	}
}

// excludeString stamps the conditions of x that exclude the string str.
func (s *scanner) excludeString(x *abIndex, str []byte) {
	if x.strs.n > 0 {
		if ids, ok := x.strs.get(str); ok {
			s.exclude(ids)
		}
	}
	for _, lc := range x.pre.lens {
		if lc.n > len(str) {
			break
		}
		if ids, ok := x.pre.m.get(str[:lc.n]); ok {
			s.exclude(ids)
		}
	}
	for _, lc := range x.suf.lens {
		if lc.n > len(str) {
			break
		}
		if ids, ok := x.suf.m.get(str[len(str)-lc.n:]); ok {
			s.exclude(ids)
		}
	}
	if x.eic.n > 0 {
		low := str // lowered only if the map is large (see foldGet)
		if x.eic.dir != nil {
			low = s.lower(str)
		}
		if ids, ok := foldGet(&x.eic, low); ok {
			s.exclude(ids)
		}
	}
	for _, lc := range x.wpre.lens {
		if lc.n > len(str) {
			break
		}
		if ws, ok := x.wpre.m.get(str[:lc.n]); ok {
			s.excludeWild(ws, str)
		}
	}
	for _, lc := range x.wsuf.lens {
		if lc.n > len(str) {
			break
		}
		if ws, ok := x.wsuf.m.get(str[len(str)-lc.n:]); ok {
			s.excludeWild(ws, str)
		}
	}
}

func (s *scanner) exclude(ids []int32) {
	for _, id := range ids {
		s.abStamp[id] = s.abGen
	}
}

func (s *scanner) excludeWild(ws []abWild, str []byte) {
	for _, w := range ws {
		if s.abStamp[w.id] != s.abGen && w.g.match(str) {
			s.abStamp[w.id] = s.abGen
		}
	}
}
