package pattern

import (
	"hash/maphash"
	"math/bits"
)

// A persistent hash map from strings to values: every update returns a new
// map that shares all unchanged nodes with the old one, so a map that a
// Matcher snapshot has published is never modified and readers need no
// lock. Small maps (up to hamtSmall keys) are a plain list, compared key by
// key; larger ones are a hash array mapped trie with 32-way nodes, so an
// update copies only the nodes on one root-to-leaf path.

// hashSeed seeds the hash of every map in the process. It is chosen at
// random when the program starts and never changes.
var hashSeed = maphash.MakeSeed()

const (
	hamtSmall    = 8
	hamtBits     = 5
	hamtMaxShift = 60 // nodes at this depth are lists (full 64-bit collisions)
)

type hamt[V any] struct {
	small []hent[V] // the keys when n <= hamtSmall
	root  *hnode[V] // the trie when n > hamtSmall
	n     int
}

type hnode[V any] struct {
	bitmap uint32
	ents   []hent[V]
}

// hent is a key and its value, or (sub != nil) a child node.
type hent[V any] struct {
	key string
	val V
	sub *hnode[V]
}

func (t *hamt[V]) len() int { return t.n }

// get returns the value of key.
func (t *hamt[V]) get(key []byte) (V, bool) {
	var zero V
	if t.root == nil {
		for i := range t.small {
			if t.small[i].key == string(key) {
				return t.small[i].val, true
			}
		}
		return zero, false
	}
	h := maphash.Bytes(hashSeed, key)
	n := t.root
	for shift := uint(0); ; shift += hamtBits {
		if shift >= hamtMaxShift {
			for i := range n.ents {
				if n.ents[i].key == string(key) {
					return n.ents[i].val, true
				}
			}
			return zero, false
		}
		bit := uint32(1) << ((h >> shift) & 31)
		if n.bitmap&bit == 0 {
			return zero, false
		}
		e := &n.ents[bits.OnesCount32(n.bitmap&(bit-1))]
		if e.sub == nil {
			if e.key == string(key) {
				return e.val, true
			}
			return zero, false
		}
		n = e.sub
	}
}

func (t *hamt[V]) getString(key string) (V, bool) {
	var zero V
	if t.root == nil {
		for i := range t.small {
			if t.small[i].key == key {
				return t.small[i].val, true
			}
		}
		return zero, false
	}
	h := maphash.String(hashSeed, key)
	n := t.root
	for shift := uint(0); ; shift += hamtBits {
		if shift >= hamtMaxShift {
			for i := range n.ents {
				if n.ents[i].key == key {
					return n.ents[i].val, true
				}
			}
			return zero, false
		}
		bit := uint32(1) << ((h >> shift) & 31)
		if n.bitmap&bit == 0 {
			return zero, false
		}
		e := &n.ents[bits.OnesCount32(n.bitmap&(bit-1))]
		if e.sub == nil {
			if e.key == key {
				return e.val, true
			}
			return zero, false
		}
		n = e.sub
	}
}

// each calls fn for every key and value, in no particular order.
func (t *hamt[V]) each(fn func(key string, val V)) {
	for i := range t.small {
		fn(t.small[i].key, t.small[i].val)
	}
	if t.root != nil {
		t.root.each(fn)
	}
}

func (n *hnode[V]) each(fn func(key string, val V)) {
	for i := range n.ents {
		if n.ents[i].sub != nil {
			n.ents[i].sub.each(fn)
		} else {
			fn(n.ents[i].key, n.ents[i].val)
		}
	}
}

// set returns a map in which key has value val.
func (t hamt[V]) set(key string, val V) hamt[V] {
	if t.root == nil {
		for i := range t.small {
			if t.small[i].key == key {
				s := append([]hent[V](nil), t.small...)
				s[i].val = val
				return hamt[V]{small: s, n: t.n}
			}
		}
		if t.n < hamtSmall {
			s := make([]hent[V], len(t.small), len(t.small)+1)
			copy(s, t.small)
			return hamt[V]{small: append(s, hent[V]{key: key, val: val}), n: t.n + 1}
		}
		// Grow into a trie.
		var root *hnode[V]
		for _, e := range t.small {
			root, _ = root.set(maphash.String(hashSeed, e.key), 0, e.key, e.val)
		}
		root, _ = root.set(maphash.String(hashSeed, key), 0, key, val)
		return hamt[V]{root: root, n: t.n + 1}
	}
	root, added := t.root.set(maphash.String(hashSeed, key), 0, key, val)
	n := t.n
	if added {
		n++
	}
	return hamt[V]{root: root, n: n}
}

// del returns a map without key.
func (t hamt[V]) del(key string) hamt[V] {
	if t.root == nil {
		for i := range t.small {
			if t.small[i].key == key {
				if t.n == 1 {
					return hamt[V]{}
				}
				s := make([]hent[V], 0, len(t.small)-1)
				s = append(append(s, t.small[:i]...), t.small[i+1:]...)
				return hamt[V]{small: s, n: t.n - 1}
			}
		}
		return t
	}
	root, found := t.root.del(maphash.String(hashSeed, key), 0, key)
	if !found {
		return t
	}
	if t.n-1 <= hamtSmall {
		// Shrink back into a list, so that the shape depends only on the
		// keys, not on the history of updates.
		out := hamt[V]{small: make([]hent[V], 0, t.n-1), n: t.n - 1}
		if root != nil {
			root.each(func(k string, v V) { out.small = append(out.small, hent[V]{key: k, val: v}) })
		}
		if out.n == 0 {
			return hamt[V]{}
		}
		return out
	}
	return hamt[V]{root: root, n: t.n - 1}
}

func (n *hnode[V]) set(h uint64, shift uint, key string, val V) (*hnode[V], bool) {
	if n == nil {
		n = &hnode[V]{}
	}
	if shift >= hamtMaxShift {
		for i := range n.ents {
			if n.ents[i].key == key {
				c := &hnode[V]{ents: append([]hent[V](nil), n.ents...)}
				c.ents[i].val = val
				return c, false
			}
		}
		c := &hnode[V]{ents: make([]hent[V], len(n.ents), len(n.ents)+1)}
		copy(c.ents, n.ents)
		c.ents = append(c.ents, hent[V]{key: key, val: val})
		return c, true
	}
	bit := uint32(1) << ((h >> shift) & 31)
	i := bits.OnesCount32(n.bitmap & (bit - 1))
	if n.bitmap&bit == 0 {
		c := &hnode[V]{bitmap: n.bitmap | bit, ents: make([]hent[V], len(n.ents)+1)}
		copy(c.ents, n.ents[:i])
		c.ents[i] = hent[V]{key: key, val: val}
		copy(c.ents[i+1:], n.ents[i:])
		return c, true
	}
	c := &hnode[V]{bitmap: n.bitmap, ents: append([]hent[V](nil), n.ents...)}
	e := &c.ents[i]
	switch {
	case e.sub != nil:
		sub, added := e.sub.set(h, shift+hamtBits, key, val)
		e.sub = sub
		return c, added
	case e.key == key:
		e.val = val
		return c, false
	}
	old := *e
	sub, _ := (*hnode[V])(nil).set(maphash.String(hashSeed, old.key), shift+hamtBits, old.key, old.val)
	sub, _ = sub.set(h, shift+hamtBits, key, val)
	*e = hent[V]{sub: sub}
	return c, true
}

func (n *hnode[V]) del(h uint64, shift uint, key string) (*hnode[V], bool) {
	if shift >= hamtMaxShift {
		for i := range n.ents {
			if n.ents[i].key == key {
				if len(n.ents) == 1 {
					return nil, true
				}
				c := &hnode[V]{ents: make([]hent[V], 0, len(n.ents)-1)}
				c.ents = append(append(c.ents, n.ents[:i]...), n.ents[i+1:]...)
				return c, true
			}
		}
		return n, false
	}
	bit := uint32(1) << ((h >> shift) & 31)
	if n.bitmap&bit == 0 {
		return n, false
	}
	i := bits.OnesCount32(n.bitmap & (bit - 1))
	e := n.ents[i]
	if e.sub == nil {
		if e.key != key {
			return n, false
		}
		return n.without(i, bit), true
	}
	sub, found := e.sub.del(h, shift+hamtBits, key)
	if !found {
		return n, false
	}
	if sub == nil {
		return n.without(i, bit), true
	}
	c := &hnode[V]{bitmap: n.bitmap, ents: append([]hent[V](nil), n.ents...)}
	if len(sub.ents) == 1 && sub.ents[0].sub == nil {
		c.ents[i] = sub.ents[0] // pull a lone key up
	} else {
		c.ents[i] = hent[V]{sub: sub}
	}
	return c, true
}

func (n *hnode[V]) without(i int, bit uint32) *hnode[V] {
	if len(n.ents) == 1 {
		return nil
	}
	// A node left holding a single key is pulled up by the caller.
	c := &hnode[V]{bitmap: n.bitmap &^ bit, ents: make([]hent[V], 0, len(n.ents)-1)}
	c.ents = append(append(c.ents, n.ents[:i]...), n.ents[i+1:]...)
	return c
}
