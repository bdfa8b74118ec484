package pattern

import (
	"bytes"
	"fmt"
)

// Wildcards.
//
// A wildcard operand is a glob over the bytes of a string: "*" matches any
// run of bytes, including none; "\*" is a literal star and "\\" a literal
// backslash; any other backslash, and two stars in a row, are errors. The
// glob is anchored at both ends, so "" matches only "".

// wildcard is a compiled wildcard operand.
type wildcard struct {
	src  string   // operand as written (decoded JSON string)
	segs [][]byte // literal runs between stars
	// star[i] reports a star before segs[i]; star[len(segs)] one after the
	// last segment.
	lead, trail bool
	toks        []int // literal bytes and -1 for a star, for complexity
}

// compileWildcard parses s. On error it returns AWS's reason text, whose
// position counts UTF-8 bytes of the quoted operand.
func compileWildcard(s string) (*wildcard, string) {
	w := &wildcard{src: s}
	var cur []byte
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '*':
			if i+1 < len(b) && b[i+1] == '*' {
				return nil, fmt.Sprintf("Consecutive wildcard characters at pos %d", i+1)
			}
			if len(w.toks) == 0 {
				w.lead = true
			} else {
				w.segs = append(w.segs, cur)
			}
			cur = nil
			w.toks = append(w.toks, -1)
		case '\\':
			if i+1 < len(b) && (b[i+1] == '*' || b[i+1] == '\\') {
				cur = append(cur, b[i+1])
				w.toks = append(w.toks, int(b[i+1]))
				i++
				continue
			}
			return nil, fmt.Sprintf("Invalid escape character at pos %d", i+1)
		default:
			cur = append(cur, c)
			w.toks = append(w.toks, int(c))
		}
	}
	if len(w.toks) > 0 && w.toks[len(w.toks)-1] == -1 {
		w.trail = true
	} else {
		w.segs = append(w.segs, cur)
	}
	if !w.lead && !w.trail && len(w.segs) == 0 {
		w.segs = append(w.segs, nil) // the empty operand
	}
	return w, ""
}

// match reports whether v matches the whole glob.
func (w *wildcard) match(v []byte) bool {
	segs := w.segs
	if !w.lead {
		if len(segs) == 0 {
			return true // only possible for "*", handled as lead
		}
		first := segs[0]
		if !bytes.HasPrefix(v, first) {
			return false
		}
		if len(segs) == 1 && !w.trail {
			return len(v) == len(first)
		}
		v = v[len(first):]
		segs = segs[1:]
	}
	if !w.trail {
		if len(segs) == 0 {
			return true
		}
		last := segs[len(segs)-1]
		if !bytes.HasSuffix(v, last) {
			return false
		}
		v = v[:len(v)-len(last)]
		segs = segs[:len(segs)-1]
	}
	for _, s := range segs {
		i := bytes.Index(v, s)
		if i < 0 {
			return false
		}
		v = v[i+len(s):]
	}
	return true
}

// complexityBudget bounds the work spent evaluating wildcard complexity.
const complexityBudget = 200000

// wildcardComplexity returns the largest number of wildcard-pattern
// prefixes that one input can match at the same time, summed over the
// given operands (each wrapped in JSON quotes, as AWS compiles them). This is
// the measure of aws/event-ruler's MachineComplexityEvaluator. It stops
// early and returns limit+1 once the count exceeds limit, or when the
// search exceeds its budget.
func wildcardComplexity(ops [][]int, limit int) int {
	if len(ops) == 0 {
		return 0
	}
	qs := make([][]int, len(ops))
	used := map[int]bool{}
	for i, t := range ops {
		q := make([]int, 0, len(t)+2)
		q = append(q, '"')
		q = append(q, t...)
		q = append(q, '"')
		qs[i] = q
		for _, c := range q {
			if c >= 0 {
				used[c] = true
			}
		}
	}
	alpha := make([]int, 0, len(used)+1)
	for c := range used {
		alpha = append(alpha, c)
	}
	for c := 0; c < 256; c++ { // one byte that no operand names
		if !used[c] {
			alpha = append(alpha, c)
			break
		}
	}
	// A state is, per operand, the set of positions reached (bit k set when
	// the input so far matches the first k tokens).
	type state []uint64
	words := 0
	for _, q := range qs {
		words += (len(q) + 1 + 63) / 64
	}
	offsets := make([]int, len(qs))
	w := 0
	for i, q := range qs {
		offsets[i] = w
		w += (len(q) + 1 + 63) / 64
	}
	closure := func(q []int, s []uint64) {
		for k := 0; k < len(q); k++ {
			if s[k/64]&(1<<(k%64)) != 0 && q[k] == -1 {
				s[(k+1)/64] |= 1 << ((k + 1) % 64)
			}
		}
	}
	start := make(state, words)
	for i, q := range qs {
		s := start[offsets[i]:]
		s[0] |= 1
		closure(q, s)
	}
	key := func(s state) string {
		b := make([]byte, 8*len(s))
		for i, x := range s {
			for j := 0; j < 8; j++ {
				b[8*i+j] = byte(x >> (8 * j))
			}
		}
		return string(b)
	}
	count := func(s state) int {
		n := 0
		for i, q := range qs {
			ss := s[offsets[i]:]
			for k := 1; k <= len(q); k++ {
				if ss[k/64]&(1<<(k%64)) != 0 {
					n++
				}
			}
		}
		return n
	}
	seen := map[string]bool{key(start): true}
	todo := []state{start}
	best := 0
	for len(todo) > 0 {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if n := count(s); n > best {
			best = n
			if best > limit {
				return limit + 1
			}
		}
		for _, c := range alpha {
			nx := make(state, words)
			for i, q := range qs {
				cur := s[offsets[i]:]
				out := nx[offsets[i]:]
				for k := 0; k <= len(q); k++ {
					if cur[k/64]&(1<<(k%64)) == 0 {
						continue
					}
					if k > 0 && q[k-1] == -1 { // a star absorbs the byte
						out[k/64] |= 1 << (k % 64)
					}
					if k < len(q) && q[k] == c {
						out[(k+1)/64] |= 1 << ((k + 1) % 64)
					}
				}
				closure(q, out)
			}
			kk := key(nx)
			if seen[kk] {
				continue
			}
			if len(seen) >= complexityBudget {
				return limit + 1
			}
			seen[kk] = true
			todo = append(todo, nx)
		}
	}
	return best
}
