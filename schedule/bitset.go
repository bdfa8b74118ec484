package schedule

import "math/bits"

// bitset is a set of small non-negative integers (0-255), used for the
// values a cron field allows.
type bitset [4]uint64

func (b *bitset) add(i int)     { b[i>>6] |= 1 << (i & 63) }
func (b bitset) has(i int) bool { return i >= 0 && i < 256 && b[i>>6]&(1<<(i&63)) != 0 }

// next returns the smallest member >= i, or -1 if there is none.
func (b bitset) next(i int) int {
	if i < 0 {
		i = 0
	}
	for w := i >> 6; w < len(b); w++ {
		word := b[w]
		if w == i>>6 {
			word &= ^uint64(0) << (i & 63)
		}
		if word != 0 {
			return w<<6 + bits.TrailingZeros64(word)
		}
	}
	return -1
}
