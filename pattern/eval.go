package pattern

// The exact, array-consistent evaluation of one alternative against the
// recorded values of an event.
//
// Every field of the alternative needs a value that satisfies one of its
// conditions (or, with {"exists": false}, no value), and the chosen values
// must be array-consistent: no two may come from different elements of the
// same event array. AWS evaluates the fields in the order of their paths
// (UTF-16 order) and checks {"exists": false} against the array elements
// chosen so far; we do the same.
//
// The search keeps the set of distinct "memberships" (array element choices)
// reachable after each field, forgetting arrays that no later field can
// touch, so it stays small for real events. It runs on the scanner's
// scratch buffers and allocates nothing once they have grown.

// searchState is one reachable membership: mem[ms:me], reached from state
// parent of the previous field by choosing value v (-1: none).
type searchState struct {
	ms, me int32
	parent int32
	v      int32
}

// matchesAny reports whether some condition of f accepts the value.
func (f *field) matchesAny(v *value) bool {
	for i := range f.conds {
		if f.conds[i].match(v) {
			return true
		}
	}
	return false
}

// buildByPath groups the recorded values by path.
func (s *scanner) buildByPath() {
	if s.byPathBuilt {
		return
	}
	s.byPathBuilt = true
	np := int(s.snap.nPaths)
	if cap(s.byPathOff) < np+1 {
		s.byPathOff = make([]int32, np+1)
	}
	off := s.byPathOff[:np+1]
	clear(off)
	for i := range s.recs {
		off[s.recs[i].pid+1]++
	}
	for p := 1; p <= np; p++ {
		off[p] += off[p-1]
	}
	if cap(s.byPathIdx) < len(s.recs) {
		s.byPathIdx = make([]int32, len(s.recs)+len(s.recs)/2)
	}
	idx := s.byPathIdx[:len(s.recs)]
	// Fill in document order, using off[p] as the cursor, then shift back.
	for i := range s.recs {
		p := s.recs[i].pid
		idx[off[p]] = int32(i)
		off[p]++
	}
	for p := np; p > 0; p-- {
		off[p] = off[p-1]
	}
	off[0] = 0
	s.byPathOff = off
	s.byPathIdx = idx
}

// valsOf returns the indexes of the recorded values at path pid.
func (s *scanner) valsOf(pid int32) []int32 {
	return s.byPathIdx[s.byPathOff[pid]:s.byPathOff[pid+1]]
}

func (s *scanner) trailOf(i int32) []arrayPos {
	r := &s.recs[i]
	return s.trails[r.trailStart:r.trailEnd]
}

// consistent reports whether trail t agrees with m on every shared array.
func consistent(m, t []arrayPos) bool {
	i, j := 0, 0
	for i < len(m) && j < len(t) {
		switch {
		case m[i].arr < t[j].arr:
			i++
		case m[i].arr > t[j].arr:
			j++
		default:
			if m[i].idx != t[j].idx {
				return false
			}
			i++
			j++
		}
	}
	return true
}

// search runs the array-consistent search for alternative a. With want,
// s.choice receives the index of the value chosen for each leaf (-1 for an
// absent field) when a matches.
func (s *scanner) search(a *alt, want bool) bool {
	s.buildByPath()
	if cap(s.lastUse) < int(s.narr) {
		s.lastUse = make([]int32, s.narr)
	}
	lu := s.lastUse[:s.narr]
	for i := range lu {
		lu[i] = -1
	}
	for i, l := range a.leaves {
		for _, vi := range s.valsOf(l.pathID) {
			for _, p := range s.trailOf(vi) {
				lu[p.arr] = int32(i)
			}
		}
	}
	s.mem = s.mem[:0]
	s.states = append(s.states[:0], searchState{parent: -1, v: -1})
	lo, hi := 0, 1
	for i, l := range a.leaves {
		vals := s.valsOf(l.pathID)
		if cap(s.ok) < len(vals) {
			s.ok = make([]bool, len(vals))
		}
		ok := s.ok[:len(vals)]
		for k, vi := range vals {
			ok[k] = l.f.matchesAny(&s.recs[vi].val)
		}
		next := len(s.states)
		for si := lo; si < hi; si++ {
			st := s.states[si]
			m := s.mem[st.ms:st.me]
			if l.absent {
				present := false
				for _, vi := range vals {
					if consistent(m, s.trailOf(vi)) {
						present = true
						break
					}
				}
				if !present {
					s.addState(next, int32(si), -1, m, nil, int32(i), lu)
				}
			}
			for k, vi := range vals {
				if ok[k] {
					t := s.trailOf(vi)
					if consistent(m, t) {
						s.addState(next, int32(si), vi, m, t, int32(i), lu)
					}
				}
			}
		}
		if len(s.states) == next {
			return false
		}
		lo, hi = next, len(s.states)
	}
	if want {
		n := len(a.leaves)
		if cap(s.choice) < n {
			s.choice = make([]int32, n)
		}
		s.choice = s.choice[:n]
		si := int32(lo)
		for i := n - 1; i >= 0; i-- {
			s.choice[i] = s.states[si].v
			si = s.states[si].parent
		}
	}
	return true
}

// addState adds the membership m ∪ t, restricted to arrays that a field
// after field i still touches, as a state of the level starting at
// states[next], unless that level has it already.
func (s *scanner) addState(next int, parent, v int32, m, t []arrayPos, i int32, lu []int32) {
	ms := int32(len(s.mem))
	a, b := 0, 0
	for a < len(m) || b < len(t) {
		var p arrayPos
		switch {
		case b >= len(t) || (a < len(m) && m[a].arr < t[b].arr):
			p = m[a]
			a++
		case a >= len(m) || t[b].arr < m[a].arr:
			p = t[b]
			b++
		default:
			p = m[a]
			a++
			b++
		}
		if lu[p.arr] > i {
			s.mem = append(s.mem, p)
		}
	}
	me := int32(len(s.mem))
	nm := s.mem[ms:me]
	for k := next; k < len(s.states); k++ {
		o := s.mem[s.states[k].ms:s.states[k].me]
		if len(o) == len(nm) && equalPos(o, nm) {
			s.mem = s.mem[:ms]
			return
		}
	}
	s.states = append(s.states, searchState{ms: ms, me: me, parent: parent, v: v})
}

func equalPos(a, b []arrayPos) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
