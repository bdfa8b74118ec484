package pattern

import (
	"math/bits"
	"strings"
)

// The matching engine shared by Matcher and Pattern.
//
// Patterns are split into leaves (one leaf array of one pattern, on one
// path) and alternatives (one per $or combination: the leaves that must all
// hold). A snapshot holds them in a trie of path components whose nodes
// carry the value index of their path (index.go). Matching an event walks
// the trie while scanning the event (scan.go): keys that lead nowhere are
// skipped unread, and each value on a named path is looked up in its index,
// which yields the leaves the value satisfies. A hit on a leaf counts
// towards each of its alternatives; an alternative whose required
// (non-exists:false) leaves have all been hit is a candidate, decided at the
// end of the event:
//
//   - if at most one of its leaves has values inside event arrays, array
//     consistency cannot fail, and the hits decide: every leaf is hit, or is
//     an exists:false leaf whose path has no value;
//   - otherwise the exact search of eval.go runs over the recorded values.
//
// Alternatives made only of exists:false leaves are candidates for every
// event. Everything in a snapshot is immutable: the writer (a Matcher's
// Add, AddPattern and Delete, under its mutex) builds a new snapshot that
// shares every unchanged node with the old one and publishes it atomically.

// leaf is one leaf array of one pattern: a field of one or more of the
// pattern's alternatives.
type leaf struct {
	id     int32
	pathID int32
	f      *field
	abIDs  []int32 // by condition: the id of an indexed anything-but condition, or -1; nil if none
	absent bool    // the leaf contains {"exists": false}
	multi  bool    // some alternative of the leaf has other leaves
	alts   []*alt  // the alternatives the leaf belongs to
	// direct is the leaf's pattern when a hit on the leaf is a match of
	// the pattern and nothing else (the leaf is its only alternative).
	direct *patEntry
}

// alt is one alternative of a pattern.
type alt struct {
	id     int32
	pat    *patEntry
	leaves []*leaf // in AWS's evaluation order (paths in UTF-16 order)
	need   int32   // leaves without exists:false
	direct bool    // a single leaf without exists:false: a hit is a match
}

// patEntry is one named pattern of a snapshot.
type patEntry struct {
	id     int32
	key    uint64 // the first 8 bytes of name, big-endian, for sorting
	name   string
	p      *Pattern
	alts   []*alt
	leaves []*leaf
}

// pnode is a node of the path trie: one path component.
type pnode struct {
	name   string
	anchor int        // the byte of name to look for first in an early-exit test
	pathID int32      // -1 when no leaf names this path
	idx    *pathIndex // the leaves on this path, nil when none
	kids   pmap[*pnode]
	kt     *kidTab // kids, when they are few
}

// snapshot is an immutable set of patterns.
type snapshot struct {
	order    *orderCache // the name order, once built (order.go)
	root     *pnode
	always   []*alt // alternatives without required leaves
	patterns int
	// Sizes of the id spaces, for the per-match scratch arrays.
	nLeaves, nAlts, nPats, nPaths, nABs int32
	stats                               MatcherStats
}

// MatcherStats describes the size of a [Matcher]'s shared structure.
type MatcherStats struct {
	// Patterns is the number of named patterns, as Len reports.
	Patterns int
	// Alternatives counts the patterns' $or combinations (a pattern
	// without $or has one).
	Alternatives int
	// Fields counts the leaf arrays of all patterns.
	Fields int
	// Paths counts the distinct event paths that some pattern names.
	Paths int
	// Nodes counts the nodes of the path trie (path components).
	Nodes int
	// IndexEntries counts the conditions stored in the value indexes.
	IndexEntries int
}

// idAlloc hands out small integer ids, lowest free first, so that the id
// space shrinks back when ids are released.
type idAlloc struct {
	used []uint64
	n    int32 // 1 + the highest id in use
}

func (a *idAlloc) get() int32 {
	for w, x := range a.used {
		if x != ^uint64(0) {
			id := int32(w*64 + bits.TrailingZeros64(^x))
			a.used[w] |= 1 << (uint(id) % 64)
			if id+1 > a.n {
				a.n = id + 1
			}
			return id
		}
	}
	id := int32(len(a.used) * 64)
	a.used = append(a.used, 1)
	if id+1 > a.n {
		a.n = id + 1
	}
	return id
}

func (a *idAlloc) put(id int32) {
	a.used[id/64] &^= 1 << (uint(id) % 64)
	for a.n > 0 && a.used[(a.n-1)/64]&(1<<(uint(a.n-1)%64)) == 0 {
		a.n--
	}
	keep := (int(a.n) + 63) / 64
	if keep < len(a.used)/2 {
		a.used = append([]uint64(nil), a.used[:keep]...)
	}
}

// builder is the writer side of an engine: it owns the id allocators and
// turns one snapshot into the next.
type builder struct {
	leafIDs, altIDs, patIDs, pathIDs, abIDs idAlloc
	nodes                                   int // trie nodes, root excluded
}

func emptySnapshot() *snapshot {
	return &snapshot{order: &orderCache{}, root: &pnode{pathID: -1}}
}

// newEntry splits p into leaves and alternatives with fresh ids.
func (b *builder) newEntry(name string, p *Pattern) *patEntry {
	pe := &patEntry{id: b.patIDs.get(), name: name, p: p}
	for i := 0; i < 8; i++ {
		pe.key <<= 8
		if i < len(name) {
			pe.key |= uint64(name[i])
		}
	}
	byField := map[*field]*leaf{}
	for _, pa := range p.alts {
		a := &alt{id: b.altIDs.get(), pat: pe}
		for _, f := range pa.fields {
			l := byField[f]
			if l == nil {
				l = &leaf{id: b.leafIDs.get(), pathID: -1, f: f, absent: f.absent}
				for i := range f.conds {
					if abIndexable(&f.conds[i]) {
						if l.abIDs == nil {
							l.abIDs = make([]int32, len(f.conds))
							for j := range l.abIDs {
								l.abIDs[j] = -1
							}
						}
						l.abIDs[i] = b.abIDs.get()
					}
				}
				byField[f] = l
				pe.leaves = append(pe.leaves, l)
			}
			a.leaves = append(a.leaves, l)
			l.alts = append(l.alts, a)
			if !f.absent {
				a.need++
			}
		}
		a.direct = len(a.leaves) == 1 && !a.leaves[0].absent
		if len(a.leaves) > 1 {
			for _, l := range a.leaves {
				l.multi = true
			}
		}
		pe.alts = append(pe.alts, a)
	}
	for _, l := range pe.leaves {
		if len(l.alts) == 1 && l.alts[0].direct {
			l.direct = pe
		}
	}
	return pe
}

// release returns the ids of pe.
func (b *builder) release(pe *patEntry) {
	for _, l := range pe.leaves {
		b.leafIDs.put(l.id)
		for _, id := range l.abIDs {
			if id >= 0 {
				b.abIDs.put(id)
			}
		}
	}
	for _, a := range pe.alts {
		b.altIDs.put(a.id)
	}
	b.patIDs.put(pe.id)
}

// apply returns s with pe added (add) or removed.
func (b *builder) apply(s *snapshot, pe *patEntry, add bool) *snapshot {
	ns := *s
	byPath := map[string][]*leaf{}
	var paths []string
	for _, l := range pe.leaves {
		if byPath[l.f.path] == nil {
			paths = append(paths, l.f.path)
		}
		byPath[l.f.path] = append(byPath[l.f.path], l)
	}
	d := 1
	if !add {
		d = -1
	}
	for _, path := range paths {
		ls := byPath[path]
		ns.root = b.updatePath(ns.root, strings.Split(path, "."), func(n *pnode) *pnode {
			c := *n
			for _, l := range ls {
				ns.stats.IndexEntries -= c.idx.entryCount()
				c.idx = c.idx.with(l, add)
				ns.stats.IndexEntries += c.idx.entryCount()
			}
			switch {
			case c.idx != nil && c.pathID < 0:
				c.pathID = b.pathIDs.get()
				ns.stats.Paths++
			case c.idx == nil && c.pathID >= 0:
				b.pathIDs.put(c.pathID)
				c.pathID = -1
				ns.stats.Paths--
			}
			if add {
				// Leaves are published only now; once published they
				// never change.
				for _, l := range ls {
					l.pathID = c.pathID
				}
			}
			return &c
		})
	}
	var always []*alt
	for _, a := range pe.alts {
		if a.need == 0 {
			always = append(always, a)
		}
	}
	if len(always) > 0 {
		if add {
			ns.always = append(append([]*alt(nil), s.always...), always...)
		} else {
			ns.always = nil
			for _, a := range s.always {
				if a.pat != pe {
					ns.always = append(ns.always, a)
				}
			}
		}
	}
	ns.patterns += d
	ns.stats.Patterns = ns.patterns
	ns.stats.Alternatives += d * len(pe.alts)
	ns.stats.Fields += d * len(pe.leaves)
	ns.stats.Nodes = b.nodes
	ns.order = &orderCache{}
	ns.nLeaves, ns.nAlts, ns.nPats, ns.nPaths, ns.nABs = b.leafIDs.n, b.altIDs.n, b.patIDs.n, b.pathIDs.n, b.abIDs.n
	return &ns
}

func (ix *pathIndex) entryCount() int {
	if ix == nil {
		return 0
	}
	return ix.entries
}

// updatePath returns a copy of n in which fn has replaced the node at the
// path comps below n (creating it if needed). Nodes left with no leaf and
// no child are removed.
func (b *builder) updatePath(n *pnode, comps []string, fn func(*pnode) *pnode) *pnode {
	if len(comps) == 0 {
		return fn(n)
	}
	child, ok := n.kids.getString(comps[0])
	if !ok {
		child = &pnode{name: comps[0], pathID: -1, anchor: anchorOf(comps[0])}
	}
	nc := b.updatePath(child, comps[1:], fn)
	c := *n
	if nc.idx == nil && nc.kids.len() == 0 {
		if ok {
			c.kids = c.kids.del(comps[0])
			b.nodes--
		}
		c.kt = newKidTab(&c.kids)
	} else {
		c.kids = c.kids.set(comps[0], nc)
		if !ok {
			b.nodes++
			c.kt = newKidTab(&c.kids)
		}
	}
	return &c
}

// buildSingle returns a snapshot holding only p, for Pattern.Match.
func buildSingle(p *Pattern) (*snapshot, *patEntry) {
	var b builder
	pe := b.newEntry("", p)
	return b.apply(emptySnapshot(), pe, true), pe
}

// anchorOf returns the index of the byte of name that is probably rarest in
// JSON text: digits, white space and punctuation are common, then '_'
// (frequent in keys), then letters by their frequency in English text
// (lower case more common than upper case), and other bytes are rare.
func anchorOf(name string) int {
	best, bestRank := 0, 1000
	for i := 0; i < len(name); i++ {
		c := name[i]
		r := 1
		switch {
		case c >= '0' && c <= '9', strings.IndexByte(" \t\n\r\",:.-[]{}", c) >= 0:
			r = 200
		case c == '_':
			r = 150 // common in keys
		case c >= 'a' && c <= 'z':
			r = 100 + letterRank(c-'a')
		case c >= 'A' && c <= 'Z':
			r = 50 + letterRank(c-'A')
		}
		if r < bestRank {
			best, bestRank = i, r
		}
	}
	return best
}

// letterRank ranks letter l (0 for a) by frequency, most frequent highest.
func letterRank(l byte) int {
	const byFreq = "zqxjkvbpygfwmucldrhsnioate" // rarest first
	return strings.IndexByte(byFreq, 'a'+l)
}
