package pattern

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

// matchNames matches event against m and fails the test on an error.
func matchNames(t *testing.T, m *Matcher, event string) string {
	t.Helper()
	got, err := m.Match([]byte(event), nil)
	if err != nil {
		t.Fatalf("Match(%s): %v", event, err)
	}
	return strings.Join(got, ",")
}

// TestMatcherSharedLeaves checks that patterns sharing leaf arrays hold
// one leaf per distinct array and answer as if each had its own.
func TestMatcherSharedLeaves(t *testing.T) {
	const n = 200
	m := NewMatcher()
	rule := func(i int) string {
		return fmt.Sprintf(`{"source": ["shop"], "detail-type": ["Order Placed"], "detail": {"customer": ["cust-%d"], "total": [{"numeric": [">", 0]}]}}`, i)
	}
	for i := range n {
		if err := m.Add(fmt.Sprintf("r%03d", i), []byte(rule(i))); err != nil {
			t.Fatal(err)
		}
	}
	// One entry for each shared condition, one per customer.
	if st := m.Stats(); st.IndexEntries != 3+n || st.Fields != 4*n || st.Patterns != n {
		t.Fatalf("Stats = %+v, want %d index entries, %d fields", st, 3+n, 4*n)
	}
	event := func(source, customer string, total string) string {
		return `{"source":"` + source + `","detail-type":"Order Placed","detail":{"customer":"` + customer + `","total":` + total + `}}`
	}
	checks := []struct{ event, want string }{
		{event("shop", "cust-7", "1"), "r007"},
		{event("shop", "cust-199", "0.5"), "r199"},
		{event("shop", "cust-7", "0"), ""},       // the shared range fails
		{event("store", "cust-7", "1"), ""},      // the shared source fails
		{event("shop", "cust-none", "1"), ""},    // every shared leaf holds, no own one
		{`{"detail":{"customer":"cust-7"}}`, ""}, // only the own leaf holds
	}
	for _, c := range checks {
		if got := matchNames(t, m, c.event); got != c.want {
			t.Errorf("Match(%s) = %q, want %q", c.event, got, c.want)
		}
	}

	// Deleting one sharer leaves the others matching.
	m.Delete("r007")
	if got := matchNames(t, m, event("shop", "cust-7", "1")); got != "" {
		t.Errorf("deleted r007 still matches: %q", got)
	}
	if got := matchNames(t, m, event("shop", "cust-8", "1")); got != "r008" {
		t.Errorf("after deleting r007, cust-8 gives %q, want r008", got)
	}
	// The pattern that created the shared leaves goes too.
	m.Delete("r000")
	if got := matchNames(t, m, event("shop", "cust-9", "3")); got != "r009" {
		t.Errorf("after deleting r000, cust-9 gives %q, want r009", got)
	}

	// Replacing a pattern under its name keeps the shared leaves right.
	if err := m.Add("r009", []byte(`{"source": ["shop"], "detail": {"customer": ["cust-9b"]}}`)); err != nil {
		t.Fatal(err)
	}
	if got := matchNames(t, m, event("shop", "cust-9", "3")); got != "" {
		t.Errorf("replaced r009 still matches its old text: %q", got)
	}
	if got := matchNames(t, m, event("shop", "cust-9b", "-1")); got != "r009" {
		t.Errorf("replaced r009 gives %q, want r009", got)
	}

	for i := range n {
		m.Delete(fmt.Sprintf("r%03d", i))
	}
	if st := m.Stats(); st != (MatcherStats{}) {
		t.Fatalf("Stats after deleting everything = %+v", st)
	}
	if s := m.snap.Load(); s.nLeaves != 0 || s.nAlts != 0 || s.nABs != 0 || m.b.shared.len() != 0 {
		t.Fatalf("ids or shared leaves left: %d leaves, %d alts, %d anything-but, %d shared", s.nLeaves, s.nAlts, s.nABs, m.b.shared.len())
	}
}

// TestMatcherSharedCases checks sharing in $or, across arrays, within one
// pattern and with exists:false.
func TestMatcherSharedCases(t *testing.T) {
	cases := []struct {
		name     string
		patterns []string // named a, b, c, ...
		checks   [][2]string
	}{{
		name: "or",
		patterns: []string{
			`{"source": ["shop"], "$or": [{"detail": {"customer": ["c1"]}}, {"detail": {"vip": [true]}}]}`,
			`{"source": ["shop"], "$or": [{"detail": {"customer": ["c2"]}}, {"detail": {"vip": [true]}}]}`,
			`{"$or": [{"source": ["shop"]}, {"detail": {"customer": ["c1"]}}]}`,
		},
		checks: [][2]string{
			{`{"source":"shop","detail":{"customer":"c1"}}`, "a,c"},
			{`{"source":"shop","detail":{"customer":"c2"}}`, "b,c"},
			{`{"source":"shop","detail":{"vip":true}}`, "a,b,c"},
			{`{"source":"store","detail":{"customer":"c1","vip":true}}`, "c"},
			{`{"source":"store"}`, ""},
		},
	}, {
		name: "arrays",
		patterns: []string{
			`{"tags": {"k": ["env"], "v": ["prod"]}}`,
			`{"tags": {"k": ["env"], "v": ["dev"]}}`,
			`{"tags": {"k": ["env"]}, "source": ["shop"]}`,
		},
		checks: [][2]string{
			{`{"tags":[{"k":"env","v":"prod"},{"k":"team","v":"dev"}]}`, "a"},
			{`{"tags":[{"k":"team","v":"prod"},{"k":"env","v":"dev"}]}`, "b"},
			{`{"tags":[{"k":"team","v":"prod"},{"k":"owner","v":"dev"}]}`, ""},
			{`{"tags":[{"k":"env","v":"qa"}],"source":["x","shop"]}`, "c"},
		},
	}, {
		name: "self",
		patterns: []string{
			// The same leaf in both branches, and in another pattern.
			`{"$or": [{"source": ["shop"], "a": ["1"]}, {"source": ["shop"], "b": ["2"]}]}`,
			`{"source": ["shop"], "a": ["1"]}`,
			`{"$or": [{"source": ["shop"]}, {"source": ["shop"], "a": ["1"]}]}`,
		},
		checks: [][2]string{
			{`{"source":"shop","a":"1"}`, "a,b,c"},
			{`{"source":"shop","b":"2"}`, "a,c"},
			{`{"source":"shop"}`, "c"},
			{`{"a":"1","b":"2"}`, ""},
		},
	}, {
		name: "exists-false",
		patterns: []string{
			`{"source": ["shop"], "detail": {"coupon": [{"exists": false}], "customer": ["c1"]}}`,
			`{"source": ["shop"], "detail": {"coupon": [{"exists": false}], "customer": ["c2"]}}`,
			`{"detail": {"coupon": [{"exists": false}]}}`,
			`{"detail": {"coupon": [{"exists": false}]}}`,
			`{"items": {"sku": ["x"], "wrap": [{"exists": false}]}}`,
			`{"items": {"sku": ["y"], "wrap": [{"exists": false}]}}`,
		},
		checks: [][2]string{
			{`{"source":"shop","detail":{"customer":"c1"}}`, "a,c,d"},
			{`{"source":"shop","detail":{"customer":"c2","coupon":"z"}}`, ""},
			{`{"items":[{"sku":"x"},{"sku":"y","wrap":true}]}`, "c,d,e"},
			{`{"items":[{"sku":"x","wrap":1},{"sku":"y"}],"detail":{"coupon":0}}`, "f"},
		},
	}, {
		name: "white-space",
		patterns: []string{
			`{"source": ["shop"], "n": [{"numeric": [">", 0, "<=", 5]}]}`,
			`{"source":[ "shop" ],"n":[{ "numeric" : [ ">" , 0 , "<=" , 5 ] }], "x": ["a b"]}`,
			`{"source": [{"anything-but": "x"}], "n": [{"numeric": [">", 0, "<=", 5]}], "x": ["a  b"]}`,
		},
		checks: [][2]string{
			{`{"source":"shop","n":5}`, "a"},
			{`{"source":"shop","n":5,"x":"a b"}`, "a,b"},
			{`{"source":"shop","n":5,"x":"a  b"}`, "a,c"},
			{`{"source":"shop","n":6,"x":"a b"}`, ""},
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := NewMatcher()
			for i, p := range c.patterns {
				if err := m.Add(string(rune('a'+i)), []byte(p)); err != nil {
					t.Fatal(err)
				}
			}
			for _, ch := range c.checks {
				if got := matchNames(t, m, ch[0]); got != ch[1] {
					t.Errorf("Match(%s) = %q, want %q", ch[0], got, ch[1])
				}
				// The reference agrees with the expectation.
				var want []string
				for i, p := range c.patterns {
					if ok, err := refMatch([]byte(p), []byte(ch[0])); err != nil {
						t.Fatal(err)
					} else if ok {
						want = append(want, string(rune('a'+i)))
					}
				}
				if w := strings.Join(want, ","); w != ch[1] {
					t.Fatalf("the reference says %q for %s, the test %q", w, ch[0], ch[1])
				}
			}
			// Deleting the patterns one by one leaves the others right.
			for i := range c.patterns {
				m.Delete(string(rune('a' + i)))
				for _, ch := range c.checks {
					var want []string
					for _, w := range strings.Split(ch[1], ",") {
						if w != "" && w[0] > byte('a'+i) {
							want = append(want, w)
						}
					}
					if got := matchNames(t, m, ch[0]); got != strings.Join(want, ",") {
						t.Errorf("after deleting %c: Match(%s) = %q, want %q", 'a'+i, ch[0], got, strings.Join(want, ","))
					}
				}
			}
			if st := m.Stats(); st != (MatcherStats{}) {
				t.Fatalf("Stats after deleting everything = %+v", st)
			}
		})
	}
}

// TestMatcherSharedDifferential builds pattern sets from a small pool of
// leaf arrays, so that most leaves are shared, changes them with adds,
// replacements and deletes in random order, and compares every Match with
// the reference matcher.
func TestMatcherSharedDifferential(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	rng := rand.New(rand.NewPCG(4, 2))
	checked, matches := 0, 0
	for r := range rounds {
		data := make([]byte, 256)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		g := &gen{data: data}
		// A pool of leaf arrays on a few paths.
		var pool []string
		for range 3 + g.intn(5) {
			m := 1 + g.intn(2)
			var cs []string
			for range m {
				cs = append(cs, g.condition())
			}
			pool = append(pool, js(g.pick(genKeys))+":["+strings.Join(cs, ",")+"]")
		}
		member := func() string { return pool[rng.IntN(len(pool))] }
		object := func() string {
			var parts []string
			used := map[string]bool{}
			for range 1 + rng.IntN(3) {
				mb := member()
				key := mb[:strings.Index(mb, ":[")]
				if !used[key] {
					used[key] = true
					parts = append(parts, mb)
				}
			}
			return "{" + strings.Join(parts, ",") + "}"
		}
		pattern := func() string {
			p := object()
			if rng.IntN(3) == 0 {
				p = strings.TrimSuffix(p, "}") + `,"$or":[` + object() + "," + object() + "]}"
			}
			return p
		}
		var events []string
		for range 4 {
			events = append(events, g.eventObject(0))
		}
		m := NewMatcher(WithMaxPatternSize(0), WithMaxCombinations(64))
		live := map[string]string{}
		for step := range 40 {
			name := fmt.Sprintf("p%d", rng.IntN(12))
			if rng.IntN(4) == 0 {
				m.Delete(name)
				delete(live, name)
			} else {
				src := pattern()
				if err := m.Add(name, []byte(src)); err != nil {
					var pe *Error
					if errors.As(err, &pe) {
						continue // e.g. a key in $or and beside it
					}
					t.Fatal(err)
				}
				live[name] = src
			}
			if step%5 != 4 {
				continue
			}
			for _, ev := range events {
				var want []string
				for name, src := range live {
					ok, err := refMatch([]byte(src), []byte(ev))
					if err != nil {
						t.Fatalf("reference: %v\npattern %s\nevent %s", err, src, ev)
					}
					if ok {
						want = append(want, name)
					}
				}
				sort.Strings(want)
				got := matchNames(t, m, ev)
				if got != strings.Join(want, ",") {
					var ps []string
					for name, src := range live {
						ps = append(ps, name+": "+src)
					}
					sort.Strings(ps)
					t.Fatalf("round %d: Matcher = %q, reference = %q\npatterns:\n  %s\nevent: %s", r, got, strings.Join(want, ","), strings.Join(ps, "\n  "), ev)
				}
				checked++
				matches += len(want)
			}
		}
		if m.Len() != len(live) {
			t.Fatalf("Len = %d, want %d", m.Len(), len(live))
		}
	}
	t.Logf("%d matches of shared-leaf pattern sets agree with the reference (%d names matched)", checked, matches)
	if matches < checked/4 {
		t.Errorf("too few matches (%d of %d events) to test anything", matches, checked)
	}
}

// TestMatcherSharedConcurrent matches in parallel with writers that add
// and delete patterns sharing the leaves of a stable pattern, some of them
// anchored on those leaves (so that the leaves get new versions): the
// stable pattern must always match.
func TestMatcherSharedConcurrent(t *testing.T) {
	m := NewMatcher()
	if err := m.Add("stable", []byte(`{"source": ["s"], "n": [{"numeric": [">", 1]}]}`)); err != nil {
		t.Fatal(err)
	}
	ev := []byte(`{"source":"s","n":5,"x":"3"}`)
	done := make(chan struct{})
	errs := make(chan error, 3)
	go func() {
		defer close(done)
		for i := range 300 {
			name := fmt.Sprintf("w%d", i%7)
			src := []string{
				`{"source": ["s"]}`,
				`{"n": [{"numeric": [">", 1]}], "source": ["s"]}`,
				fmt.Sprintf(`{"source": ["s"], "x": ["%d"]}`, i%5),
				`{"$or": [{"source": ["s"]}, {"n": [{"numeric": [">", 1]}]}]}`,
			}[i%4]
			if err := m.Add(name, []byte(src)); err != nil {
				errs <- err
				return
			}
			if i%3 == 0 {
				m.Delete(name)
			}
		}
	}()
	for range 2 {
		go matchUntilDone(m, ev, done, errs, nil, "stable")
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// matchUntilDone matches ev on m until done is closed, then sends nil on
// errs; it sends an error instead, and stops, when a Match fails or its
// names are out of order or lack one of want. It counts its matches in
// n, if n is not nil.
func matchUntilDone(m *Matcher, ev []byte, done <-chan struct{}, errs chan<- error, n *atomic.Int64, want ...string) {
	var buf []string
	for {
		select {
		case <-done:
			errs <- nil
			return
		default:
		}
		var err error
		if buf, err = m.Match(ev, buf[:0]); err != nil {
			errs <- err
			return
		}
		if !sort.StringsAreSorted(buf) {
			errs <- fmt.Errorf("names out of order: %v", buf)
			return
		}
		for _, w := range want {
			if !slices.Contains(buf, w) {
				errs <- fmt.Errorf("%v lacks %q", buf, w)
				return
			}
		}
		if n != nil {
			n.Add(1)
		}
	}
}

// len returns the number of leaves in t.
func (t *leafTable) len() int { return len(t.byHash) + len(t.more) }

// all returns the leaves of t.
func (t *leafTable) all() []*leaf {
	var ls []*leaf
	for _, l := range t.byHash {
		ls = append(ls, l)
	}
	for _, l := range t.more {
		ls = append(ls, l)
	}
	return ls
}

// TestLeafTableCollisions stores keys whose hashes collide (a table with
// a forced hash would be needed otherwise): it fills byHash by hand with
// a foreign leaf under each key's hash and checks that get, add and del
// keep the keys apart.
func TestLeafTableCollisions(t *testing.T) {
	var tab leafTable
	mk := func(path, conds string) (leafKey, *leaf) {
		return leafKey{path, conds}, &leaf{f: &field{path: path}}
	}
	k1, l1 := mk("a", `["x"]`)
	k2, l2 := mk("a", `["y"]`)
	k3, l3 := mk("b", `["x"]`)
	tab.add(k1, l1)
	// Pretend k2 and k3 hash as k1 does: put them through more.
	if tab.more == nil {
		tab.more = map[leafKey]*leaf{}
	}
	l2.key, l3.key = k2.conds, k3.conds
	tab.more[k2], tab.more[k3] = l2, l3
	for _, c := range []struct {
		k    leafKey
		want *leaf
	}{{k1, l1}, {k2, l2}, {k3, l3}, {leafKey{"a", `["z"]`}, nil}} {
		if got := tab.get(c.k); got != c.want {
			t.Errorf("get(%v) = %p, want %p", c.k, got, c.want)
		}
	}
	tab.del(k2)
	if tab.get(k2) != nil || tab.get(k1) != l1 || tab.get(k3) != l3 || tab.len() != 2 {
		t.Errorf("after del(k2): get k1 %p k2 %p k3 %p, len %d", tab.get(k1), tab.get(k2), tab.get(k3), tab.len())
	}
	tab.del(k1)
	if tab.get(k1) != nil || tab.get(k3) != l3 || tab.len() != 1 {
		t.Errorf("after del(k1): get k1 %p k3 %p, len %d", tab.get(k1), tab.get(k3), tab.len())
	}
	// A key whose hash slot holds another key is found in more.
	var tab2 leafTable
	k4, l4 := mk("c", `[1]`)
	k5, l5 := mk("d", `[2]`)
	h := tab2.hash(k4)
	l5.key = k5.conds
	tab2.byHash[h] = l5 // as if k5 hashed as k4 does and came first
	tab2.add(k4, l4)
	if tab2.more[k4] != l4 || tab2.get(k4) != l4 || tab2.byHash[h] != l5 {
		t.Errorf("add of a key whose slot is taken: more[k4] %p, get(k4) %p (want %p), slot %p (want %p)", tab2.more[k4], tab2.get(k4), l4, tab2.byHash[h], l5)
	}
	tab2.del(k4)
	if tab2.get(k4) != nil || tab2.byHash[h] != l5 {
		t.Errorf("del of the key in more: get(k4) %p, slot %p (want %p)", tab2.get(k4), tab2.byHash[h], l5)
	}
}
