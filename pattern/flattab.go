package pattern

import (
	"hash/maphash"
	"sync/atomic"
	"unsafe"
)

// The flat table of a large string map.
//
// A path's map of exact strings (pathIndex.strs) is a persistent map, cheap
// to update but with its keys spread over segments. Once a path index has
// served enough lookups (flatAfter plus twice its keys), the Match that
// reaches that count copies the map into a flatTab, one open-addressing
// table: an array of 32-bit fingerprints of the keys' hashes, apart from
// the entries, which keep the first 16 bytes of their key inline. A lookup
// of an absent key reads a fingerprint or two; one of a present key reads
// one entry besides. The flat table belongs to one immutable path index and
// is shared by every Match on it; an update of the path makes a new index,
// which counts its lookups from zero again. Building is amortized over the
// lookups counted, and allocates (once per index).

const flatAfter = 256 // lookups of an index, plus 2 per key, before its flat table is built

// flatCache holds the flat table of one path index, once built.
type flatCache struct {
	tab   atomic.Pointer[flatTab]
	count atomic.Int64 // lookups so far
}

// flatTab is an open-addressing table (linear probing, at most 3/4 full).
type flatTab struct {
	mask  uint64
	fps   []uint32 // 0: an empty slot; otherwise the fingerprint of the key's hash (never 0)
	ents  []flatEnt
	lists map[int32][]*leaf // by slot: the leaves of an entry with more than one, or whose leaf is not direct
}

// flatEnt is an entry of a flatTab: 64 bytes, one cache line.
type flatEnt struct {
	kw   [2]uint64 // the first 16 bytes of key, zero-padded, little-endian
	key  string
	lid  int32  // the entry's leaf, if it has one leaf, which is direct; else -1
	pid  int32  // the leaf's pattern
	nkey uint64 // its name key
	name string // its name
}

func fingerprint(h uint64) uint32 { return uint32(h>>32) | 1 }

// keyWords returns the first 16 bytes of k, zero-padded, as two
// little-endian words.
func keyWords(k []byte) [2]uint64 {
	var b [16]byte
	copy(b[:], k)
	return [2]uint64{le64(unsafe.Pointer(&b), 0), le64(unsafe.Pointer(&b), 8)}
}

func buildFlatTab(m *pmap[[]*leaf]) *flatTab {
	size := 8
	for size*3 < m.n*4 {
		size *= 2
	}
	t := &flatTab{mask: uint64(size - 1), fps: make([]uint32, size), ents: make([]flatEnt, size)}
	m.each(func(k string, ls []*leaf) {
		h := maphash.String(hashSeed, k)
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			if t.fps[i] == 0 {
				t.fps[i] = fingerprint(h)
				e := flatEnt{kw: keyWords(asBytes(k)), key: k, lid: -1}
				if p := ls[0].direct; len(ls) == 1 && p != nil {
					e.lid, e.pid, e.nkey, e.name = ls[0].id, p.id, p.key, p.name
				} else {
					if t.lists == nil {
						t.lists = map[int32][]*leaf{}
					}
					t.lists[int32(i)] = ls
				}
				t.ents[i] = e
				return
			}
		}
	})
	return t
}

// get returns the slot of key, or -1.
func (t *flatTab) get(key []byte) int {
	h := maphash.Bytes(hashSeed, key)
	f := fingerprint(h)
	var kw [2]uint64
	computed := false
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.fps[i] {
		case f:
			if !computed {
				kw, computed = keyWords(key), true
			}
			if e := &t.ents[i]; e.kw == kw && len(e.key) == len(key) && (len(key) <= 16 || e.key == string(key)) {
				return int(i)
			}
		case 0:
			return -1
		}
	}
}

// lookupStrs hits the leaves that the string key finds in the string map
// of ix, through its flat table once that is built.
func (s *scanner) lookupStrs(ix *pathIndex, key []byte) {
	if fc := ix.flat; fc != nil {
		t := fc.tab.Load()
		if t == nil && fc.count.Add(1) == int64(flatAfter+2*ix.strs.n) {
			t = buildFlatTab(&ix.strs)
			fc.tab.Store(t)
		}
		if t != nil {
			if i := t.get(key); i >= 0 {
				if e := &t.ents[i]; e.lid >= 0 {
					if s.leafStamp[e.lid] != s.gen {
						s.leafStamp[e.lid] = s.gen
						if s.patStamp[e.pid] != s.gen {
							s.patStamp[e.pid] = s.gen
							s.matched = append(s.matched, matchRef{e.nkey, e.name, e.pid})
						}
					}
				} else {
					s.hitList(t.lists[int32(i)])
				}
			}
			return
		}
	}
	if ls, ok := ix.strs.get(key); ok {
		s.hitList(ls)
	}
}
