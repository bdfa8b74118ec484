package pattern

import (
	"hash/maphash"
	"math/bits"
)

// A persistent hash map from strings to values: every update returns a new
// map that shares all unchanged parts with the old one, so a map that a
// Matcher snapshot has published is never modified and readers need no
// lock.
//
// Small maps (up to pmapSmall keys) are a plain list, compared key by key.
// Larger ones are a directory of segments, chosen by the top bits of the
// key's hash; a segment is an open-addressing table (linear probing, at
// most 3/4 full) whose slots hold an 8-bit tag of the hash next to the key
// and value. A lookup reads the directory entry and, usually, one slot: a
// key that is absent is rejected by the tags without reading any key, and
// a key that is present costs one string comparison. An update copies the
// directory (a few hundred bytes to a few kilobytes) and one segment; the
// directory doubles (or halves) when the average segment holds more than
// pmapGrow (fewer than pmapShrink) keys, which rebuilds every segment, so
// updates cost amortized O(segment + directory).

// hashSeed seeds the hash of every map in the process. It is chosen at
// random when the program starts and never changes.
var hashSeed = maphash.MakeSeed()

const (
	pmapSmall  = 8  // at most this many keys: a list
	pmapGrow   = 48 // average keys per segment above which the directory doubles
	pmapShrink = 12 // ... below which it halves
	pmapMinCap = 8  // the smallest segment table
)

type pmap[V any] struct {
	small []pslot[V] // the keys when dir is nil (tags unused)
	dir   *pdir[V]
	n     int
	sig   uint64 // with small: bit sigBit(k) set for every key k
}

// sigBit returns the bit of key in the signature of a small map: a key
// whose bit is not set is not in the map.
func sigBit(key string) uint64 {
	if len(key) == 0 {
		return 1
	}
	return 1 << ((uint(len(key))*37 + uint(key[0])*7 + uint(key[len(key)-1])) & 63)
}

// smallMap returns the map of the list s of n keys.
func smallMap[V any](s []pslot[V], n int) pmap[V] {
	t := pmap[V]{small: s, n: n}
	for i := range s {
		t.sig |= sigBit(s[i].key)
	}
	return t
}

// pdir is the directory of a large map: len(segs) is a power of two, and
// a key with hash h lives in segs[h>>shift] (shift = 64 - log2(len(segs)),
// so 64 for one segment).
type pdir[V any] struct {
	shift uint
	segs  [][]pslot[V]
}

// pslot is one slot of a segment: tag is 0 when the slot is empty.
type pslot[V any] struct {
	tag uint8
	key string
	val V
}

// tagOf returns the tag of hash h: bits that neither the segment (top
// bits) nor the slot (low bits) uses, never 0.
func tagOf(h uint64) uint8 {
	t := uint8(h >> 32)
	if t == 0 {
		t = 1
	}
	return t
}

func (t *pmap[V]) len() int { return t.n }

// get returns the value of key.
func (t *pmap[V]) get(key []byte) (V, bool) {
	if t.dir == nil {
		if t.sig&sigBit(asString(key)) == 0 {
			var zero V
			return zero, false
		}
		for i := range t.small {
			if t.small[i].key == string(key) {
				return t.small[i].val, true
			}
		}
		var zero V
		return zero, false
	}
	return t.dir.lookup(maphash.Bytes(hashSeed, key), asString(key))
}

func (t *pmap[V]) getString(key string) (V, bool) {
	if t.dir == nil {
		for i := range t.small {
			if t.small[i].key == key {
				return t.small[i].val, true
			}
		}
		var zero V
		return zero, false
	}
	return t.dir.lookup(maphash.String(hashSeed, key), key)
}

func (d *pdir[V]) lookup(h uint64, key string) (V, bool) {
	seg := d.segs[h>>d.shift]
	mask := uint64(len(seg) - 1)
	tag := tagOf(h)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &seg[i]
		if s.tag == tag && s.key == key {
			return s.val, true
		}
		if s.tag == 0 {
			var zero V
			return zero, false
		}
	}
}

// each calls fn for every key and value, in no particular order.
func (t *pmap[V]) each(fn func(key string, val V)) {
	for i := range t.small {
		fn(t.small[i].key, t.small[i].val)
	}
	if t.dir != nil {
		for _, seg := range t.dir.segs {
			for i := range seg {
				if seg[i].tag != 0 {
					fn(seg[i].key, seg[i].val)
				}
			}
		}
	}
}

// set returns a map in which key has value val.
func (t pmap[V]) set(key string, val V) pmap[V] {
	if t.dir == nil {
		for i := range t.small {
			if t.small[i].key == key {
				s := append([]pslot[V](nil), t.small...)
				s[i].val = val
				return smallMap(s, t.n)
			}
		}
		if t.n < pmapSmall {
			s := make([]pslot[V], len(t.small), len(t.small)+1)
			copy(s, t.small)
			return smallMap(append(s, pslot[V]{key: key, val: val}), t.n+1)
		}
		// Grow into a directory.
		all := append(append(make([]pslot[V], 0, t.n+1), t.small...), pslot[V]{key: key, val: val})
		return pmap[V]{dir: buildDir(all, 1), n: t.n + 1}
	}
	h := maphash.String(hashSeed, key)
	d := t.dir
	k := h >> d.shift
	seg, added := segSet(d.segs[k], h, key, val)
	n := t.n
	if added {
		n++
		if n > pmapGrow*len(d.segs) {
			return pmap[V]{dir: buildDir(t.appendAll(make([]pslot[V], 0, n), key, val), 2*len(d.segs)), n: n}
		}
	}
	nd := &pdir[V]{shift: d.shift, segs: append([][]pslot[V](nil), d.segs...)}
	nd.segs[k] = seg
	return pmap[V]{dir: nd, n: n}
}

// del returns a map without key.
func (t pmap[V]) del(key string) pmap[V] {
	if t.dir == nil {
		for i := range t.small {
			if t.small[i].key == key {
				if t.n == 1 {
					return pmap[V]{}
				}
				s := make([]pslot[V], 0, len(t.small)-1)
				s = append(append(s, t.small[:i]...), t.small[i+1:]...)
				return smallMap(s, t.n-1)
			}
		}
		return t
	}
	h := maphash.String(hashSeed, key)
	if _, ok := t.dir.lookup(h, key); !ok {
		return t
	}
	n := t.n - 1
	d := t.dir
	if n <= pmapSmall || (len(d.segs) > 1 && n < pmapShrink*len(d.segs)) {
		all := make([]pslot[V], 0, n)
		t.each(func(k string, v V) {
			if k != key {
				all = append(all, pslot[V]{key: k, val: v})
			}
		})
		if n <= pmapSmall {
			return smallMap(all, n)
		}
		return pmap[V]{dir: buildDir(all, max(1, len(d.segs)/2)), n: n}
	}
	k := h >> d.shift
	nd := &pdir[V]{shift: d.shift, segs: append([][]pslot[V](nil), d.segs...)}
	nd.segs[k] = segDel(d.segs[k], key)
	return pmap[V]{dir: nd, n: n}
}

// appendAll appends every key and value of t, and key with val, to out.
func (t *pmap[V]) appendAll(out []pslot[V], key string, val V) []pslot[V] {
	t.each(func(k string, v V) {
		if k != key {
			out = append(out, pslot[V]{key: k, val: v})
		}
	})
	return append(out, pslot[V]{key: key, val: val})
}

// buildDir returns a directory of nseg segments (a power of two) holding
// the keys of all.
func buildDir[V any](all []pslot[V], nseg int) *pdir[V] {
	d := &pdir[V]{shift: uint(64 - bits.TrailingZeros(uint(nseg))), segs: make([][]pslot[V], nseg)}
	counts := make([]int, nseg)
	hs := make([]uint64, len(all))
	for i := range all {
		hs[i] = maphash.String(hashSeed, all[i].key)
		counts[hs[i]>>d.shift]++
	}
	for k := range d.segs {
		d.segs[k] = make([]pslot[V], segCap(counts[k]))
	}
	for i := range all {
		segPut(d.segs[hs[i]>>d.shift], hs[i], all[i].key, all[i].val)
	}
	return d
}

// segCap returns the table size for n keys: a power of two, at most 3/4
// full.
func segCap(n int) int {
	c := pmapMinCap
	for c*3 < n*4 {
		c *= 2
	}
	return c
}

// segPut stores key in seg, which has room and does not hold it.
func segPut[V any](seg []pslot[V], h uint64, key string, val V) {
	mask := uint64(len(seg) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if seg[i].tag == 0 {
			seg[i] = pslot[V]{tag: tagOf(h), key: key, val: val}
			return
		}
	}
}

// segSet returns a copy of seg in which key has value val, and whether key
// is new.
func segSet[V any](seg []pslot[V], h uint64, key string, val V) ([]pslot[V], bool) {
	mask := uint64(len(seg) - 1)
	tag := tagOf(h)
	n := 0
	for i := h & mask; ; i = (i + 1) & mask {
		s := &seg[i]
		if s.tag == tag && s.key == key {
			c := append([]pslot[V](nil), seg...)
			c[i].val = val
			return c, false
		}
		if s.tag == 0 {
			break
		}
	}
	for i := range seg {
		if seg[i].tag != 0 {
			n++
		}
	}
	if (n+1)*4 > len(seg)*3 {
		c := make([]pslot[V], segCap(n+1))
		for i := range seg {
			if seg[i].tag != 0 {
				segPut(c, maphash.String(hashSeed, seg[i].key), seg[i].key, seg[i].val)
			}
		}
		segPut(c, h, key, val)
		return c, true
	}
	c := append([]pslot[V](nil), seg...)
	segPut(c, h, key, val)
	return c, true
}

// segDel returns seg without key, rebuilt at the size its keys need.
func segDel[V any](seg []pslot[V], key string) []pslot[V] {
	n := 0
	for i := range seg {
		if seg[i].tag != 0 && seg[i].key != key {
			n++
		}
	}
	c := make([]pslot[V], segCap(n))
	for i := range seg {
		if seg[i].tag != 0 && seg[i].key != key {
			segPut(c, maphash.String(hashSeed, seg[i].key), seg[i].key, seg[i].val)
		}
	}
	return c
}
