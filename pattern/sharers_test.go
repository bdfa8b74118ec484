package pattern

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

// checkAnchored checks, for every leaf of m, that the latest version's
// anchored list holds exactly the alternatives anchored on it, at the
// positions the builder records, and that every alternative is in one
// list.
func checkAnchored(t *testing.T, m *Matcher) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	inLists := 0
	for _, base := range m.b.shared.all() {
		i := 0
		base.cur.anchored.each(func(a *alt) {
			if a.leaves[a.anchor] != base {
				t.Fatalf("alternative %d of %q is in the list of a leaf it is not anchored on", a.id, a.pat.name)
			}
			if p := m.b.altPos[a.id]; int(p) != i {
				t.Fatalf("alternative %d of %q is at %d, the builder says %d", a.id, a.pat.name, i, p)
			}
			i++
		})
		inLists += i
	}
	s := m.snap.Load()
	if want := s.stats.Alternatives - len(s.always); inLists != want {
		t.Fatalf("%d alternatives in anchored lists, want %d", inLists, want)
	}
}

// TestMatcherManySharers adds and deletes, in random order, thousands of
// patterns anchored on the same few leaves (identical patterns with
// distinct names, and patterns whose other leaf is shared too), replaces
// some under their names, and compares Match with the reference at each
// stage.
func TestMatcherManySharers(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 800
	}
	rng := rand.New(rand.NewPCG(3, 1))
	srcs := []string{
		`{"source": ["shop"]}`,
		`{"source": ["shop"], "detail": {"n": [{"numeric": [">", 5]}]}}`,
		`{"$or": [{"source": ["shop"]}, {"detail": {"vip": [true]}}]}`,
		`{"source": ["shop"], "detail": {"coupon": [{"exists": false}]}}`,
		`{"detail": {"vip": [true]}}`,
	}
	events := []string{
		`{"source":"shop","detail":{"n":7}}`,
		`{"source":"shop","detail":{"n":3,"coupon":"x"}}`,
		`{"source":"store","detail":{"vip":true}}`,
		`{"source":"shop","detail":{"vip":true,"n":9}}`,
		`{"source":"store"}`,
	}
	// want[e][s]: whether event e matches source s.
	want := make([][]bool, len(events))
	for e, ev := range events {
		for _, src := range srcs {
			ok, err := refMatch([]byte(src), []byte(ev))
			if err != nil {
				t.Fatal(err)
			}
			want[e] = append(want[e], ok)
		}
	}
	m := NewMatcher()
	live := map[string]int{} // name -> index in srcs
	checked := 0
	check := func(stage string) {
		t.Helper()
		checkAnchored(t, m)
		for e, ev := range events {
			var names []string
			for name, s := range live {
				if want[e][s] {
					names = append(names, name)
				}
			}
			sort.Strings(names)
			if got := matchNames(t, m, ev); got != strings.Join(names, ",") {
				t.Fatalf("%s: Match(%s) gives %d names, want %d", stage, ev, strings.Count(got, ",")+1, len(names))
			}
			checked++
		}
		if m.Len() != len(live) {
			t.Fatalf("%s: Len = %d, want %d", stage, m.Len(), len(live))
		}
	}
	// Mostly identical patterns, so that one leaf gets a trie.
	pick := func() int {
		if rng.IntN(4) > 0 {
			return 0
		}
		return rng.IntN(len(srcs))
	}
	add := func(name string) {
		s := pick()
		if err := m.Add(name, []byte(srcs[s])); err != nil {
			t.Fatal(err)
		}
		live[name] = s
	}
	for i := range n {
		add(fmt.Sprintf("p%05d", i))
		if i%500 == 499 {
			check(fmt.Sprintf("after %d adds", i+1))
		}
	}
	if h := heightOf(m.b.shared.get(leafKey{"source", `["shop"]`}).cur.anchored); h < 1 {
		t.Fatalf("the shared source's list is no trie after %d adds", n)
	}
	// Replace some patterns under their names, delete others, in random
	// order; deletes empty chunks and shorten the trie.
	names := make([]string, 0, len(live))
	for name := range live {
		names = append(names, name)
	}
	sort.Strings(names)
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for i, name := range names {
		if i%5 == 0 {
			add(name)
		} else {
			m.Delete(name)
			delete(live, name)
		}
		if i%400 == 399 {
			check(fmt.Sprintf("after %d replacements and deletes", i+1))
		}
	}
	check("after the deletes")
	for name := range live {
		m.Delete(name)
		delete(live, name)
	}
	check("after deleting everything")
	if st := m.Stats(); st != (MatcherStats{}) {
		t.Fatalf("Stats after deleting everything = %+v", st)
	}
	t.Logf("%d matches of up to %d patterns on shared anchors agree with the reference", checked, n)
}

// TestMatcherManySharersConcurrent matches in parallel with a writer that
// adds and deletes many patterns anchored on the leaf that a stable
// pattern is anchored on too, so that the leaf's list is a trie whose
// chunks move: the stable pattern must always match, and a pattern that
// is stored throughout must too.
func TestMatcherManySharersConcurrent(t *testing.T) {
	m := NewMatcher()
	for _, name := range []string{"stable", "zz-stable"} {
		if err := m.Add(name, []byte(`{"source": ["s"]}`)); err != nil {
			t.Fatal(err)
		}
	}
	ev := []byte(`{"source":"s","x":"1"}`)
	done := make(chan struct{})
	errs := make(chan error, 3)
	tries := 0 // updates after which the source's list is a trie
	var matches atomic.Int64
	go func() {
		defer close(done)
		rng := rand.New(rand.NewPCG(5, 6))
		for i := range 2000 {
			m.mu.Lock()
			if heightOf(m.b.shared.get(leafKey{"source", `["s"]`}).cur.anchored) > 0 {
				tries++
			}
			m.mu.Unlock()
			name := fmt.Sprintf("w%03d", rng.IntN(200))
			if rng.IntN(3) == 0 {
				m.Delete(name)
				continue
			}
			src := `{"source": ["s"]}`
			if i%2 == 0 {
				src = `{"source": ["s"], "x": ["1"]}` // anchored on x, or on source while x is popular
			}
			if err := m.Add(name, []byte(src)); err != nil {
				errs <- err
				return
			}
		}
	}()
	for range 2 {
		go matchUntilDone(m, ev, done, errs, &matches, "stable", "zz-stable")
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if tries < 1000 {
		t.Fatalf("the source's list was a trie after only %d of 2000 updates", tries)
	}
	t.Logf("%d matches during 2000 updates, %d of them on a trie", matches.Load(), tries)
	checkAnchored(t, m)
	if got := matchNames(t, m, string(ev)); strings.Count(got, ",")+1 != m.Len() {
		t.Fatalf("Match gives %q for %d patterns that all match", got, m.Len())
	}
}
