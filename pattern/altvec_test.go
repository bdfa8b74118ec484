package pattern

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkAltVec checks the shape of v (a tail of 1 to altChunk alternatives
// unless v is empty, full chunks, the least height) and that it holds
// want, in that order.
func checkAltVec(t *testing.T, v altVec, want []*alt) {
	t.Helper()
	if v.len() != len(want) {
		t.Fatalf("len = %d, want %d", v.len(), len(want))
	}
	if len(want) > 0 && (len(v.tail) == 0 || len(v.tail) > altChunk) || len(want) == 0 && (v.tail != nil || v.more != nil) {
		t.Fatalf("tail of %d for %d alternatives (trie %v)", len(v.tail), len(want), v.more != nil)
	}
	if tr := v.more; tr != nil {
		if tr.chunks < 1 || tr.height < 1 || tr.chunks > 1<<(altBits*tr.height) ||
			tr.height > 1 && tr.chunks <= 1<<(altBits*(tr.height-1)) {
			t.Fatalf("trie of %d chunks has height %d", tr.chunks, tr.height)
		}
		if n := checkAltNode(t, tr.root, tr.height); n != tr.chunks {
			t.Fatalf("trie holds %d chunks, says %d", n, tr.chunks)
		}
	}
	var got []*alt
	v.each(func(a *alt) { got = append(got, a) })
	if !slices.Equal(got, want) {
		t.Fatalf("each gives %d alternatives, not the %d expected in order", len(got), len(want))
	}
	for i, a := range want {
		if v.at(i) != a {
			t.Fatalf("at(%d) = alternative %d, want %d", i, v.at(i).id, a.id)
		}
	}
}

// checkAltNode checks the node n of height h and returns its chunks.
func checkAltNode(t *testing.T, n *altNode, h int) int {
	t.Helper()
	if h == 0 {
		if len(n.alts) != altChunk || n.kids != nil {
			t.Fatalf("chunk of %d alternatives and %d kids", len(n.alts), len(n.kids))
		}
		return 1
	}
	if len(n.kids) == 0 || len(n.kids) > altChunk || n.alts != nil {
		t.Fatalf("inner node at height %d has %d kids and %d alternatives", h, len(n.kids), len(n.alts))
	}
	total := 0
	for i, k := range n.kids {
		c := checkAltNode(t, k, h-1)
		if i < len(n.kids)-1 && c != 1<<(altBits*(h-1)) {
			t.Fatalf("kid %d of %d at height %d is not full: %d chunks", i, len(n.kids), h, c)
		}
		total += c
	}
	return total
}

// TestAltVec pushes and removes alternatives in random order, through
// tries of one, two and three levels, and compares each list with a
// slice; every earlier version must stay as it was.
func TestAltVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	next := int32(0)
	newAlt := func() *alt { next++; return &alt{id: next} }
	type version struct {
		v    altVec
		want []*alt
	}
	var kept []version
	var v altVec
	var model []*alt
	step := func(op string) {
		switch op {
		case "push":
			a := newAlt()
			var pos int
			v, pos = v.push(a)
			if pos != len(model) {
				t.Fatalf("push gave position %d, want %d", pos, len(model))
			}
			model = append(model, a)
		case "remove":
			i := rng.IntN(len(model))
			var moved *alt
			v, moved = v.removeAt(i)
			last := model[len(model)-1]
			model = model[:len(model)-1]
			switch {
			case i == len(model) && moved != nil:
				t.Fatalf("removing the last moved alternative %d", moved.id)
			case i < len(model) && moved != last:
				t.Fatalf("removing %d of %d did not move the last alternative", i, len(model)+1)
			case i < len(model):
				model[i] = last // kept versions have copies
			}
		}
	}
	// Grow to 2 levels, shrink a little, grow to 3 levels (more than
	// altChunk² chunks), then remove everything.
	plan := []struct {
		to      int
		removes int // per 10 steps
	}{{40, 0}, {1500, 2}, {1000, 8}, {altChunk*altChunk*altChunk + 100, 1}, {0, 10}}
	checks, steps := 0, 0
	for _, p := range plan {
		for len(model) != p.to {
			if steps++; steps%211 == 0 {
				kept = append(kept, version{v, slices.Clone(model)})
			}
			if len(model) > p.to || (len(model) > 0 && rng.IntN(10) < p.removes) {
				step("remove")
			} else {
				step("push")
			}
			// Checking is quadratic: check the small lists often, the
			// big ones now and then.
			if len(model) < 200 || rng.IntN(len(model)/50+1) == 0 && rng.IntN(20) == 0 {
				checkAltVec(t, v, model)
				checks++
				if rng.IntN(8) == 0 {
					kept = append(kept, version{v, slices.Clone(model)})
				}
			}
		}
		checkAltVec(t, v, model)
		t.Logf("at %d alternatives (trie height %d): %d checks so far", len(model), heightOf(v), checks)
		if p.to > altChunk*altChunk*altChunk && heightOf(v) != 3 {
			t.Fatalf("%d alternatives in a trie of height %d, want 3", len(model), heightOf(v))
		}
	}
	for _, k := range kept {
		checkAltVec(t, k.v, k.want)
	}
	t.Logf("%d versions kept unchanged", len(kept))
}

func heightOf(v altVec) int {
	if v.more == nil {
		return 0
	}
	return v.more.height
}
