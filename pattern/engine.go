package pattern

import (
	"hash/maphash"
	"math/bits"
	"strings"
)

// The matching engine shared by Matcher and Pattern.
//
// Patterns are split into leaves (one leaf array, on one path) and
// alternatives (one per $or combination: the leaves that must all hold).
// Leaves are shared: patterns whose leaf arrays on a path are the same
// (the same conditions, written alike up to white space) hold one leaf,
// which the builder counts references to. A snapshot holds the leaves in a
// trie of path components whose nodes carry the value index of their path
// (index.go). Matching an event walks the trie while scanning the event
// (scan.go): keys that lead nowhere are skipped unread, and each value on a
// named path is looked up in its index, which yields the leaves the value
// satisfies; a hit stamps the leaf for the event.
//
// Each alternative with required (non-exists:false) leaves is anchored on
// one of them, chosen when it is added: the one that the fewest
// alternatives held at that time (then a leaf found through a hash index
// rather than tested one by one, then the first path). A hit on a leaf
// makes candidates of the alternatives anchored on it only, so a condition
// that many patterns share costs one stamp per event, not one step per
// sharer. A candidate is decided at the end of the event:
//
//   - every other required leaf must have been stamped too;
//   - if at most one of its leaves has values inside event arrays, array
//     consistency cannot fail, and the stamps decide: every leaf is hit, or
//     is an exists:false leaf whose path has no value;
//   - otherwise the exact search of eval.go runs over the recorded values.
//
// An alternative of a single required leaf is direct: a hit on its anchor
// is a match. Alternatives made only of exists:false leaves are candidates
// for every event. The cost of an event thus depends on the distinct
// conditions on its paths and on the alternatives anchored on the leaves
// it hits; it grows with the number of sharers of a condition only when
// they are anchored on it, which happens when an alternative has no rarer
// leaf (patterns that are identical up to their names, say).
//
// Everything in a snapshot is immutable: the writer (a Matcher's Add,
// AddPattern and Delete, under its mutex) builds a new snapshot that
// shares every unchanged node with the old one and publishes it
// atomically. A shared leaf whose anchored alternatives change is replaced
// in the index by a new version (the same id, conditions and path); the
// alternatives refer to its first version, of which they read only what
// every version has in common. The list of anchored alternatives is a
// persistent vector (altvec.go): a new version shares all of the old
// one's list but its tail and the path to at most one chunk, so an update
// costs O(log n) in the number n of alternatives anchored on the leaf.

// leaf is one leaf array on one path, shared by the alternatives (of any
// patterns) that have the same array there.
type leaf struct {
	id     int32
	pathID int32
	f      *field   // the array, as the pattern that added the leaf first compiled it
	abIDs  *[]int32 // by condition: the id of an indexed anything-but condition, or -1; nil if none
	absent bool     // the leaf contains {"exists": false}
	multi  bool     // some alternative that holds the leaf has other leaves
	rank   uint8    // anchor preference: 0 found through a hash index, 1 tested one by one, 2 exists:true
	// anchored lists the alternatives anchored on this version of the
	// leaf: a hit on it makes them candidates. It is a persistent list
	// (altvec.go), so that a new version copies little of it.
	anchored altVec
	// direct is the pattern of the leaf's only anchored alternative when
	// that alternative is direct: a hit on the leaf is a match of the
	// pattern and makes no other candidate.
	direct *patEntry

	// Builder state, kept in the first version of the leaf: written by
	// the builder (under the Matcher's mutex), never read by Match.
	cur       *leaf  // the version in the index of the latest snapshot
	key       string // the conds of its leafKey (its path is f.path)
	refs      int32  // occurrences in alternatives
	multiRefs int32  // occurrences in alternatives with other leaves
}

// leafKey identifies a shared leaf: its path and its leaf array's source
// text without insignificant white space.
type leafKey struct {
	path, conds string
}

// leafTable finds the first version of a shared leaf by its key. It keys
// leaves by a 64-bit hash of the key, which takes a third of the memory
// of a map keyed by the key itself, and keeps the rare key whose hash a
// different key holds already in a second map.
type leafTable struct {
	seed   maphash.Seed
	byHash map[uint64]*leaf
	more   map[leafKey]*leaf
}

func (t *leafTable) hash(k leafKey) uint64 {
	if t.byHash == nil {
		t.seed = maphash.MakeSeed()
		t.byHash = map[uint64]*leaf{}
	}
	return maphash.String(t.seed, k.path)*31 + maphash.String(t.seed, k.conds)
}

func (l *leaf) hasKey(k leafKey) bool { return l.key == k.conds && l.f.path == k.path }

// get returns the leaf of key k, or nil.
func (t *leafTable) get(k leafKey) *leaf {
	if l := t.byHash[t.hash(k)]; l != nil && l.hasKey(k) {
		return l
	}
	return t.more[k] // nil when more is nil
}

// add stores l, which no leaf of the table has the key of, under k.
func (t *leafTable) add(k leafKey, l *leaf) {
	l.key = k.conds
	h := t.hash(k)
	if t.byHash[h] == nil {
		t.byHash[h] = l
		return
	}
	if t.more == nil {
		t.more = map[leafKey]*leaf{}
	}
	t.more[k] = l
}

// del removes the leaf of key k.
func (t *leafTable) del(k leafKey) {
	h := t.hash(k)
	if l := t.byHash[h]; l != nil && l.hasKey(k) {
		delete(t.byHash, h)
		return
	}
	delete(t.more, k)
}

// alt is one alternative of a pattern.
type alt struct {
	id     int32
	need   int32 // leaves without exists:false
	pat    *patEntry
	leaves []*leaf // first versions, in AWS's evaluation order (paths in UTF-16 order)
	anchor int32   // the index in leaves of the leaf it is anchored on; -1 if need is 0
	direct bool    // a single leaf without exists:false: a hit is a match
}

// patEntry is one named pattern of a snapshot.
type patEntry struct {
	id     int32
	key    uint64 // the first 8 bytes of name, big-endian, for sorting
	name   string
	p      *Pattern
	alts   []*alt
	fields int32 // distinct leaf arrays of p, for MatcherStats.Fields
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
// the shared leaves, and turns one snapshot into the next.
type builder struct {
	leafIDs, altIDs, patIDs, pathIDs, abIDs idAlloc
	nodes                                   int          // trie nodes, root excluded
	shared                                  leafTable    // first versions of the leaves in use
	edits                                   []leafEdit   // of the update in progress
	changes                                 []leafChange // scratch for commit
	// altPos holds, by alternative id, the position of each anchored
	// alternative in the anchored list of its anchor's latest version.
	altPos []int32
}

// leafChange replaces old by nl in the index of path: either may be nil.
type leafChange struct {
	path    string
	old, nl *leaf
	done    bool
}

// leafEdit is a leaf that the update in progress changes.
type leafEdit struct {
	base     *leaf // first version
	old      *leaf // the version in the index before the update; nil for a new leaf
	anchored altVec
	changed  bool // anchored differs from old's
}

func emptySnapshot() *snapshot {
	return &snapshot{order: &orderCache{}, root: &pnode{pathID: -1}}
}

// canonKey returns the key of the leaf array f of a pattern whose source
// is src: its text without the white space outside its strings, a
// substring of src unless there is white space to drop.
func canonKey(src string, f *field) leafKey {
	t := src[f.off:f.end]
	var b []byte // nil until the first white space to drop
	in, esc := false, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			if b == nil {
				b = append(make([]byte, 0, len(t)), t[:i]...)
			}
			continue
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return leafKey{f.path, t}
	}
	return leafKey{f.path, string(b)}
}

// leafRank returns the anchor preference of a leaf array.
func leafRank(f *field) uint8 {
	r := uint8(0)
	for i := range f.conds {
		switch c := &f.conds[i]; c.kind {
		case condString, condNumber, condIP, condTrue, condFalse, condNull, condPrefix, condSuffix:
		case condEqualsIgnoreCase, condPrefixIgnoreCase, condSuffixIgnoreCase:
			if !isASCII(c.str) {
				r = max(r, 1)
			}
		case condExists:
			r = 2
		default:
			r = max(r, 1)
		}
	}
	return r
}

// edit returns the edit of the shared leaf for the leaf array f of a
// pattern whose source is src, creating the leaf if it is new.
func (b *builder) edit(src string, f *field) int {
	k := canonKey(src, f)
	if base := b.shared.get(k); base != nil {
		return b.findEdit(base)
	}
	l := &leaf{id: b.leafIDs.get(), pathID: -1, f: f, absent: f.absent, rank: leafRank(f)}
	for i := range f.conds {
		if abIndexable(&f.conds[i]) {
			if l.abIDs == nil {
				ids := make([]int32, len(f.conds))
				for j := range ids {
					ids[j] = -1
				}
				l.abIDs = &ids
			}
			(*l.abIDs)[i] = b.abIDs.get()
		}
	}
	l.cur = l
	b.shared.add(k, l)
	b.edits = append(b.edits, leafEdit{base: l})
	return len(b.edits) - 1
}

// findEdit returns the index in b.edits of the edit of the leaf whose
// first version is base.
func (b *builder) findEdit(base *leaf) int {
	for i := range b.edits {
		if b.edits[i].base == base {
			return i
		}
	}
	b.edits = append(b.edits, leafEdit{base: base, old: base.cur, anchored: base.cur.anchored})
	return len(b.edits) - 1
}

// add returns s with p added under name, and the pattern's entry.
func (b *builder) add(s *snapshot, name string, p *Pattern) (*snapshot, *patEntry) {
	pe := &patEntry{id: b.patIDs.get(), name: name, p: p}
	for i := 0; i < 8; i++ {
		pe.key <<= 8
		if i < len(name) {
			pe.key |= uint64(name[i])
		}
	}
	var seen []*field
	for _, pa := range p.alts {
		a := &alt{id: b.altIDs.get(), pat: pe, leaves: make([]*leaf, 0, len(pa.fields)), anchor: -1}
		best := -1
		for j, f := range pa.fields {
			if !containsField(seen, f) {
				seen = append(seen, f)
			}
			l := b.edits[b.edit(p.src, f)].base
			a.leaves = append(a.leaves, l)
			if f.absent {
				continue
			}
			a.need++
			if best < 0 || l.refs < a.leaves[best].refs || (l.refs == a.leaves[best].refs && l.rank < a.leaves[best].rank) {
				best = j
			}
		}
		for _, l := range a.leaves {
			l.refs++
			if len(a.leaves) > 1 {
				l.multiRefs++
			}
		}
		a.direct = len(a.leaves) == 1 && !a.leaves[0].absent
		if best >= 0 {
			a.anchor = int32(best)
			e := &b.edits[b.findEdit(a.leaves[best])]
			var pos int
			e.anchored, pos = e.anchored.push(a)
			e.changed = true
			if int(a.id) >= len(b.altPos) {
				b.altPos = append(b.altPos, make([]int32, int(a.id)+1-len(b.altPos))...)
			}
			b.altPos[a.id] = int32(pos)
		}
		pe.alts = append(pe.alts, a)
	}
	pe.fields = int32(len(seen))
	return b.commit(s, pe, true), pe
}

func containsField(fs []*field, f *field) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// remove returns s without pe, and releases its ids.
func (b *builder) remove(s *snapshot, pe *patEntry) *snapshot {
	for i, a := range pe.alts {
		if a.anchor >= 0 {
			e := &b.edits[b.findEdit(a.leaves[a.anchor])]
			pos := b.altPos[a.id]
			var moved *alt
			e.anchored, moved = e.anchored.removeAt(int(pos))
			e.changed = true
			if moved != nil {
				b.altPos[moved.id] = pos
			}
		}
		for j, l := range a.leaves {
			b.findEdit(l)
			l.refs--
			if len(a.leaves) > 1 {
				l.multiRefs--
			}
			switch f := pe.p.alts[i].fields[j]; {
			case l.refs == 0:
				b.shared.del(canonKey(pe.p.src, f))
			case l.f == f:
				// The leaf outlives the pattern that added it, whose
				// source text its key may be part of: keep a copy.
				// (The hash of the key stays the same.)
				l.key = strings.Clone(l.key)
			}
		}
		b.altIDs.put(a.id)
	}
	if n := int(b.altIDs.n); len(b.altPos) > 64 && n < len(b.altPos)/4 {
		b.altPos = append([]int32(nil), b.altPos[:n]...) // let the memory go
	}
	b.patIDs.put(pe.id)
	return b.commit(s, pe, false)
}

// commit publishes the edits of the update in progress in the index and
// returns the next snapshot.
func (b *builder) commit(s *snapshot, pe *patEntry, add bool) *snapshot {
	chs := b.changes[:0]
	for _, e := range b.edits {
		base := e.base
		ch := leafChange{path: base.f.path}
		switch {
		case base.refs == 0:
			ch.old = e.old
			b.leafIDs.put(base.id)
			if base.abIDs != nil {
				for _, id := range *base.abIDs {
					if id >= 0 {
						b.abIDs.put(id)
					}
				}
			}
			base.cur = nil
		case e.old == nil:
			base.anchored, base.multi = e.anchored, base.multiRefs > 0
			base.direct = directOf(e.anchored)
			ch.nl = base
		default:
			multi := base.multiRefs > 0
			if !e.changed && multi == e.old.multi {
				continue
			}
			nl := &leaf{id: base.id, pathID: base.pathID, f: base.f, abIDs: base.abIDs, absent: base.absent,
				rank: base.rank, multi: multi, anchored: e.anchored, direct: directOf(e.anchored)}
			base.cur = nl
			ch.old, ch.nl = e.old, nl
		}
		chs = append(chs, ch)
	}
	clear(b.edits)
	b.edits = b.edits[:0]

	ns := *s
	for i := range chs {
		if chs[i].done {
			continue // with an earlier change of its path
		}
		path := chs[i].path
		ns.root = b.updatePath(ns.root, strings.Split(path, "."), func(n *pnode) *pnode {
			c := *n
			ns.stats.IndexEntries -= c.idx.entryCount()
			for j := i; j < len(chs); j++ {
				ch := &chs[j]
				if ch.done || ch.path != path {
					continue
				}
				ch.done = true
				if ch.old != nil {
					c.idx = c.idx.with(ch.old, false)
				}
				if ch.nl != nil {
					c.idx = c.idx.with(ch.nl, true)
				}
			}
			ns.stats.IndexEntries += c.idx.entryCount()
			switch {
			case c.idx != nil && c.pathID < 0:
				c.pathID = b.pathIDs.get()
				ns.stats.Paths++
			case c.idx == nil && c.pathID >= 0:
				b.pathIDs.put(c.pathID)
				c.pathID = -1
				ns.stats.Paths--
			}
			// Leaves are published only now; once published they
			// never change (but for the builder state of first
			// versions).
			for j := i; j < len(chs); j++ {
				if ch := &chs[j]; ch.nl != nil && ch.path == path {
					ch.nl.pathID = c.pathID
				}
			}
			return &c
		})
	}
	clear(chs)
	b.changes = chs[:0]
	d := 1
	if !add {
		d = -1
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
	ns.stats.Fields += d * int(pe.fields)
	ns.stats.Nodes = b.nodes
	ns.order = &orderCache{}
	ns.nLeaves, ns.nAlts, ns.nPats, ns.nPaths, ns.nABs = b.leafIDs.n, b.altIDs.n, b.patIDs.n, b.pathIDs.n, b.abIDs.n
	return &ns
}

// directOf returns the pattern of the only alternative of anchored if that
// is direct, else nil.
func directOf(anchored altVec) *patEntry {
	if anchored.more == nil && len(anchored.tail) == 1 && anchored.tail[0].direct {
		return anchored.tail[0].pat
	}
	return nil
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
	return b.add(emptySnapshot(), "", p)
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
