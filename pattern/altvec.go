package pattern

// altVec is the persistent list of the alternatives anchored on one
// version of a leaf. Like every part of a snapshot it never changes once
// published: an update returns a new altVec that shares all but a few
// small nodes with the old one.
//
// Shape (a persistent vector, after Bagwell's and Clojure's): the last 1
// to altChunk alternatives sit in tail, a plain slice; the ones before
// them, in full chunks of altChunk, in a trie of fan-out altChunk (more,
// nil while there are at most altChunk alternatives, as on most leaves).
// The order of the list means nothing: adding appends, and removing moves
// the last alternative into the removed one's place, so that no
// alternative after it has to move. The builder records where each
// alternative is (builder.altPos), so a removal searches nothing.
//
// Costs, for n alternatives: an append copies the tail (at most altChunk
// pointers) and, once per altChunk appends, a path of the trie (altChunk
// pointers per level, log n / log altChunk levels); a removal copies the
// tail and at most one chunk and its path. The old flat list was copied
// whole on each update, so adding n alternatives anchored on one leaf
// took O(n²) time and garbage; now it takes O(n log n) at worst. Match
// reads the tail as before, in one tight loop, and a chunk of the trie
// likewise (scanner.hitTrie).
//
// Why not the alternatives: a flat directory of chunks is simpler but
// still copies O(n/altChunk) per update; a B-tree ordered by alternative
// id needs no position table but splits and merges. A chunk of 32 keeps
// each copy to 256 bytes while a trie of 32,768 alternatives is two
// levels deep.
type altVec struct {
	tail []*alt   // the last 1 to altChunk alternatives; nil when there are none
	more *altTrie // the full chunks before tail; nil when there are none
}

const (
	altBits  = 5
	altChunk = 1 << altBits // alternatives per chunk, and fan-out of the trie
)

// altTrie holds full chunks of alternatives.
type altTrie struct {
	root   *altNode
	height int // of root: its kids are chunks at height 1
	chunks int
}

// altNode is a node of an altTrie: either a chunk (alts holds altChunk
// alternatives, kids is nil) or an inner node (kids holds 1 to altChunk
// subtrees of the same height, all full but the last).
type altNode struct {
	kids []*altNode
	alts []*alt
}

// len returns the number of alternatives in v.
func (v *altVec) len() int {
	n := len(v.tail)
	if v.more != nil {
		n += v.more.chunks * altChunk
	}
	return n
}

// each calls fn for every alternative of v.
func (v *altVec) each(fn func(*alt)) {
	if v.more != nil {
		v.more.root.each(fn)
	}
	for _, a := range v.tail {
		fn(a)
	}
}

func (n *altNode) each(fn func(*alt)) {
	for _, k := range n.kids {
		k.each(fn)
	}
	for _, a := range n.alts {
		fn(a)
	}
}

// push returns v with a appended, and the position of a in it.
func (v altVec) push(a *alt) (altVec, int) {
	if len(v.tail) == altChunk {
		v.more = v.more.pushChunk(v.tail)
		v.tail = nil
	}
	t := make([]*alt, len(v.tail)+1)
	copy(t, v.tail)
	t[len(v.tail)] = a
	v.tail = t
	return v, v.len() - 1
}

// removeAt returns v without the alternative at position i; the last
// alternative moves into position i, and removeAt returns it (nil if i was
// the last position).
func (v altVec) removeAt(i int) (altVec, *alt) {
	last := v.tail[len(v.tail)-1]
	// The shortened tail shares the old one's array; its capacity ends
	// at its length, so that no later push writes into the array.
	v.tail = v.tail[: len(v.tail)-1 : len(v.tail)-1]
	if len(v.tail) == 0 {
		v.tail = nil
		if v.more != nil {
			v.more, v.tail = v.more.popChunk()
		}
	}
	if i == v.len() {
		return v, nil
	}
	return v.set(i, last), last
}

// at returns the alternative at position i.
func (v *altVec) at(i int) *alt {
	inTrie := 0
	if v.more != nil {
		inTrie = v.more.chunks * altChunk
	}
	if i >= inTrie {
		return v.tail[i-inTrie]
	}
	n := v.more.root
	for h := v.more.height; h > 0; h-- {
		n = n.kids[(i>>(altBits*h))&(altChunk-1)]
	}
	return n.alts[i&(altChunk-1)]
}

// set returns v with the alternative at position i replaced by a.
func (v altVec) set(i int, a *alt) altVec {
	inTrie := 0
	if v.more != nil {
		inTrie = v.more.chunks * altChunk
	}
	if i >= inTrie {
		t := make([]*alt, len(v.tail))
		copy(t, v.tail)
		t[i-inTrie] = a
		v.tail = t
		return v
	}
	v.more = &altTrie{root: setAt(v.more.root, v.more.height, i, a), height: v.more.height, chunks: v.more.chunks}
	return v
}

// setAt returns a copy of n, of height h, with the alternative at
// position i below it replaced by a.
func setAt(n *altNode, h, i int, a *alt) *altNode {
	if h == 0 {
		alts := make([]*alt, len(n.alts))
		copy(alts, n.alts)
		alts[i&(altChunk-1)] = a
		return &altNode{alts: alts}
	}
	kids := make([]*altNode, len(n.kids))
	copy(kids, n.kids)
	k := (i >> (altBits * h)) & (altChunk - 1)
	kids[k] = setAt(n.kids[k], h-1, i, a)
	return &altNode{kids: kids}
}

// pushChunk returns t (nil for none) with the full chunk c appended.
func (t *altTrie) pushChunk(c []*alt) *altTrie {
	ch := &altNode{alts: c}
	switch {
	case t == nil:
		return &altTrie{root: &altNode{kids: []*altNode{ch}}, height: 1, chunks: 1}
	case t.chunks == 1<<(altBits*t.height):
		// Full: a new root above the old one.
		root := &altNode{kids: []*altNode{t.root, pathTo(t.height, ch)}}
		return &altTrie{root: root, height: t.height + 1, chunks: t.chunks + 1}
	}
	return &altTrie{root: pushAt(t.root, t.height, t.chunks, ch), height: t.height, chunks: t.chunks + 1}
}

// pushAt returns a copy of n, of height h, with the chunk ch added as its
// chunk number c (the one after its last).
func pushAt(n *altNode, h, c int, ch *altNode) *altNode {
	shift := altBits * (h - 1)
	k := c >> shift
	kids := make([]*altNode, max(len(n.kids), k+1))
	copy(kids, n.kids)
	if k < len(n.kids) {
		kids[k] = pushAt(n.kids[k], h-1, c&(1<<shift-1), ch)
	} else {
		kids[k] = pathTo(h-1, ch)
	}
	return &altNode{kids: kids}
}

// pathTo returns a node of height h whose only chunk is ch.
func pathTo(h int, ch *altNode) *altNode {
	for ; h > 0; h-- {
		ch = &altNode{kids: []*altNode{ch}}
	}
	return ch
}

// popChunk returns t without its last chunk (nil if that was the only
// one), and that chunk.
func (t *altTrie) popChunk() (*altTrie, []*alt) {
	root, c := popAt(t.root, t.height, t.chunks-1)
	if t.chunks == 1 {
		return nil, c
	}
	h := t.height
	for h > 1 && len(root.kids) == 1 {
		root, h = root.kids[0], h-1
	}
	return &altTrie{root: root, height: h, chunks: t.chunks - 1}, c
}

// popAt returns n, of height h, without its chunk number c, its last (nil
// if n is left empty), and that chunk.
func popAt(n *altNode, h, c int) (*altNode, []*alt) {
	shift := altBits * (h - 1)
	k := c >> shift
	var kid *altNode
	var ch []*alt
	if h == 1 {
		ch = n.kids[k].alts
	} else {
		kid, ch = popAt(n.kids[k], h-1, c&(1<<shift-1))
	}
	kids := n.kids[:k:k] // shares n's array, but append copies it
	if kid != nil {
		kids = append(kids, kid)
	}
	if len(kids) == 0 {
		return nil, ch
	}
	return &altNode{kids: kids}, ch
}
