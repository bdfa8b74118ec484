package pattern

import (
	"math/bits"
	"slices"
	"strings"
	"sync/atomic"
)

// Match returns names in ascending byte order. A few names are sorted by
// insertion on the first 8 bytes of each name. Many are put in order
// through a table of the snapshot's patterns ranked by name: each match
// sets the bit of its rank, and the names come out of the bit set in
// order, without comparisons.
//
// The table costs O(n log n) to build for n patterns, so it is built only
// for a snapshot that has served many such matches (about orderAfter plus
// 4 per pattern), by the Match call that reaches that count; snapshots
// that are replaced sooner keep sorting. Once built it is shared by every
// Match on the snapshot. (Building allocates; a Matcher whose patterns do
// not change stops allocating once it is built.)

const (
	orderMin   = 8  // fewer matches are sorted by insertion
	orderAfter = 64 // matches of orderMin or more on one snapshot, plus 4 per pattern, before the table is built
)

// orderCache holds the name order of one snapshot, once built.
type orderCache struct {
	p     atomic.Pointer[nameOrder]
	count atomic.Int64 // matches of orderMin or more names so far
}

type nameOrder struct {
	rank   []int32     // by pattern id
	byRank []*patEntry // by rank
}

// sortedNames appends the names of ms to dst in ascending byte order.
func (sc *scanner) sortedNames(s *snapshot, ms []matchRef, dst []string) []string {
	if len(ms) >= orderMin {
		o := s.order.p.Load()
		if o == nil && countLarge(s) {
			o = buildOrder(s)
			if !s.order.p.CompareAndSwap(nil, o) {
				o = s.order.p.Load()
			}
		}
		if o != nil {
			return sc.byRank(o, ms, dst)
		}
	}
	sortByName(ms)
	for _, m := range ms {
		dst = append(dst, m.name)
	}
	return dst
}

// countLarge counts a match with many names on s and reports whether the
// name order of s should now be built. (The shared count costs an atomic
// addition per such match, only until the order is built.)
func countLarge(s *snapshot) bool {
	return s.order.count.Add(1) == int64(orderAfter+4*int(s.nPats))
}

// byRank appends the names of ms to dst in the order o.
func (sc *scanner) byRank(o *nameOrder, ms []matchRef, dst []string) []string {
	words := (len(o.byRank) + 63) / 64
	if cap(sc.rankBits) < words {
		sc.rankBits = make([]uint64, words)
	}
	rb := sc.rankBits[:words]
	sc.rankWords = sc.rankWords[:0]
	for _, m := range ms {
		r := o.rank[m.id]
		w := r / 64
		if rb[w] == 0 {
			sc.rankWords = append(sc.rankWords, w)
		}
		rb[w] |= 1 << (uint(r) % 64)
	}
	ws := sc.rankWords
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && ws[j] < ws[j-1]; j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
	for _, w := range ws {
		for b := rb[w]; b != 0; b &= b - 1 {
			dst = append(dst, o.byRank[int(w)*64+bits.TrailingZeros64(b)].name)
		}
		rb[w] = 0
	}
	return dst
}

// buildOrder ranks the patterns of s by name.
func buildOrder(s *snapshot) *nameOrder {
	byID := make([]*patEntry, s.nPats)
	var walk func(n *pnode)
	addLeaves := func(ls []*leaf) {
		for _, l := range ls {
			l.anchored.each(func(a *alt) { byID[a.pat.id] = a.pat })
		}
	}
	addWild := func(ws []wildRef) {
		for _, w := range ws {
			addLeaves([]*leaf{w.l})
		}
	}
	walk = func(n *pnode) {
		if ix := n.idx; ix != nil {
			ix.strs.each(func(_ string, ls []*leaf) { addLeaves(ls) })
			addLeaves(ix.any)
			for _, r := range ix.ranges {
				addLeaves([]*leaf{r.l})
			}
			for _, r := range ix.slow {
				addLeaves([]*leaf{r.l})
			}
			if x := ix.indexExtra; x != nil {
				for _, m := range []*pmap[[]*leaf]{&x.ips, &x.nums, &x.numTxt, &x.eic, &x.pre.m, &x.suf.m, &x.peic.m, &x.seic.m} {
					m.each(func(_ string, ls []*leaf) { addLeaves(ls) })
				}
				for _, ls := range x.lits {
					addLeaves(ls)
				}
				if x.abx != nil {
					for _, r := range x.abx.all {
						addLeaves([]*leaf{r.l})
					}
				}
				x.wpre.m.each(func(_ string, ws []wildRef) { addWild(ws) })
				x.wsuf.m.each(func(_ string, ws []wildRef) { addWild(ws) })
			}
		}
		n.kids.each(func(_ string, c *pnode) { walk(c) })
	}
	walk(s.root)
	for _, a := range s.always {
		byID[a.pat.id] = a.pat
	}
	o := &nameOrder{rank: make([]int32, s.nPats)}
	for _, p := range byID {
		if p != nil {
			o.byRank = append(o.byRank, p)
		}
	}
	slices.SortFunc(o.byRank, func(a, b *patEntry) int { return strings.Compare(a.name, b.name) })
	for r, p := range o.byRank {
		o.rank[p.id] = int32(r)
	}
	return o
}
