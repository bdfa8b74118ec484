package pattern

// Matching one alternative against a scanned event.
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
// touch, so it stays small for real events.

// membership is a set of array element choices, sorted by array id.
type membership []arrayPos

// consistent reports whether trail t agrees with m on every shared array.
func (m membership) consistent(t []arrayPos) bool {
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

// merge returns m with the choices of t added (m and t are consistent),
// keeping only arrays with keep(arr) true.
func (m membership) merge(t []arrayPos, keep func(int32) bool) membership {
	out := make(membership, 0, len(m)+len(t))
	i, j := 0, 0
	for i < len(m) || j < len(t) {
		var p arrayPos
		switch {
		case j >= len(t) || (i < len(m) && m[i].arr < t[j].arr):
			p = m[i]
			i++
		case i >= len(m) || t[j].arr < m[i].arr:
			p = t[j]
			j++
		default:
			p = m[i]
			i++
			j++
		}
		if keep(p.arr) {
			out = append(out, p)
		}
	}
	return out
}

func (m membership) equal(o membership) bool {
	if len(m) != len(o) {
		return false
	}
	for i := range m {
		if m[i] != o[i] {
			return false
		}
	}
	return true
}

// values returns the indexes of the event values at the field's path.
func fieldValues(ev *flatEvent, f *field, gid []int32) []int32 {
	id := int32(f.pid)
	if gid != nil {
		id = gid[f.pid]
	}
	return ev.byPath[id]
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

// match reports whether the alternative matches the event. gid maps the
// pattern's path ids to the event's (nil when they are the same).
func (a *alternative) match(ev *flatEvent, gid []int32) bool {
	// Fast path: no value involved lies in an array.
	arrays := false
	for _, f := range a.fields {
		for _, vi := range fieldValues(ev, f, gid) {
			if ev.values[vi].trailEnd > ev.values[vi].trailStart {
				arrays = true
				break
			}
		}
		if arrays {
			break
		}
	}
	if !arrays {
		for _, f := range a.fields {
			vals := fieldValues(ev, f, gid)
			if len(vals) == 0 {
				if !f.absent {
					return false
				}
				continue
			}
			ok := false
			for _, vi := range vals {
				if f.matchesAny(&ev.values[vi].val) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	return a.matchArrays(ev, gid) != nil
}

// matchArrays runs the array-consistent search. It returns, for a match,
// the index of the value chosen for each field (-1 for an absent field),
// or nil.
func (a *alternative) matchArrays(ev *flatEvent, gid []int32) []int32 {
	// lastUse[arr] is the last field index whose values touch arr.
	lastUse := make(map[int32]int, 8)
	for i, f := range a.fields {
		for _, vi := range fieldValues(ev, f, gid) {
			for _, p := range ev.trail(vi) {
				lastUse[p.arr] = i
			}
		}
	}
	type state struct {
		m      membership
		choice []int32
	}
	states := []state{{}}
	for i, f := range a.fields {
		keep := func(arr int32) bool {
			last, ok := lastUse[arr]
			return ok && last > i
		}
		vals := fieldValues(ev, f, gid)
		ok := make([]bool, len(vals))
		for k, vi := range vals {
			ok[k] = f.matchesAny(&ev.values[vi].val)
		}
		var next []state
		add := func(m membership, choice []int32, v int32) {
			for _, s := range next {
				if s.m.equal(m) {
					return
				}
			}
			c := make([]int32, len(choice)+1)
			copy(c, choice)
			c[len(choice)] = v
			next = append(next, state{m, c})
		}
		for _, s := range states {
			if f.absent {
				present := false
				for _, vi := range vals {
					if s.m.consistent(ev.trail(vi)) {
						present = true
						break
					}
				}
				if !present {
					add(s.m.merge(nil, keep), s.choice, -1)
				}
			}
			for k, vi := range vals {
				if ok[k] && s.m.consistent(ev.trail(vi)) {
					add(s.m.merge(ev.trail(vi), keep), s.choice, vi)
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		states = next
	}
	return states[0].choice
}
