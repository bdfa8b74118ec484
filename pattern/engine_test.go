package pattern

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// matcherCase is a generated set of patterns and an event for testing a
// Matcher against the reference matcher.
type matcherCase struct {
	patterns []string
	event    string
}

// padding is long enough for Matcher.Match to try an early exit.
var padding = `"zz` + strings.Repeat("0", 72) + `": [` + strings.Repeat(`"zz", `, 12) + `1]`

// generateSet builds up to six patterns and an event from data. The event
// is two generated objects joined around a long member that no pattern
// names, so that Match may stop early and the second half may repeat keys
// of the first, directly or as dotted keys.
func generateSet(data []byte) matcherCase {
	g := &gen{data: data}
	var c matcherCase
	n := 1 + g.intn(6)
	for i := 0; i < n; i++ {
		c.patterns = append(c.patterns, g.patternObject(0))
	}
	first := strings.TrimSuffix(strings.TrimPrefix(g.eventObject(0), "{"), "}")
	second := strings.TrimSuffix(strings.TrimPrefix(g.eventObject(0), "{"), "}")
	parts := []string{}
	if first != "" {
		parts = append(parts, first)
	}
	// The shape does not depend on the generator, whose input may be used
	// up by now.
	h := uint(len(data))
	for _, b := range data {
		h = h*31 + uint(b)
	}
	switch h % 4 {
	case 0: // no padding
		second = ""
	case 1:
		parts = append(parts, padding)
		second = ""
	case 2:
		parts = append(parts, padding)
	default:
		parts = append([]string{padding}, parts...)
		parts = append(parts, padding)
	}
	if second != "" {
		parts = append(parts, second)
	}
	if h/4%5 == 0 {
		// An escaped key: Match must not stop before it.
		parts = append(parts, `"\u0061": `+g.eventValue(1))
	}
	c.event = "{" + strings.Join(parts, ", ") + "}"
	return c
}

// checkMatcherCase adds the case's patterns to a Matcher (deleting and
// replacing some on the way) and compares Match with the reference.
func checkMatcherCase(t *testing.T, c matcherCase) (matches int, stopped bool) {
	t.Helper()
	m := NewMatcher(WithMaxPatternSize(0), WithMaxCombinations(64))
	var want []string
	live := map[string]bool{}
	for i, src := range c.patterns {
		name := fmt.Sprintf("p%d", i)
		if err := m.Add(name, []byte(src)); err != nil {
			var pe *Error
			if errors.As(err, &pe) && (pe.Reason == tooComplex || strings.Contains(pe.Reason, "$or combinations")) {
				continue
			}
			t.Fatalf("generated pattern rejected: %v\npattern: %s", err, src)
		}
		live[name] = true
		// A ghost: added under another name, then deleted.
		ghost := "ghost" + name
		if err := m.Add(ghost, []byte(src)); err != nil {
			t.Fatal(err)
		}
		m.Delete(ghost)
	}
	// Replace the first pattern by the last one's text under its name, then
	// put it back: the Matcher must answer for the final contents only.
	if len(c.patterns) > 1 && live["p0"] {
		_ = m.Add("p0", []byte(c.patterns[len(c.patterns)-1]))
		if err := m.Add("p0", []byte(c.patterns[0])); err != nil {
			t.Fatal(err)
		}
	}
	for i, src := range c.patterns {
		name := fmt.Sprintf("p%d", i)
		if !live[name] {
			continue
		}
		ok, err := refMatch([]byte(src), []byte(c.event))
		if err != nil {
			t.Fatalf("reference: %v\nevent: %s", err, c.event)
		}
		if ok {
			want = append(want, name)
		}
	}
	sort.Strings(want)
	got, err := m.Match([]byte(c.event), nil)
	if err != nil {
		t.Fatalf("Match: %v\nevent: %s", err, c.event)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Matcher = %v, reference = %v\npatterns:\n  %s\nevent: %s", got, want, strings.Join(c.patterns, "\n  "), c.event)
	}
	if m.Len() != len(live) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(live))
	}
	sc := getScanner()
	defer putScanner(sc)
	sc.reset([]byte(c.event), m.snap.Load(), true, false)
	_ = sc.run()
	return len(want), sc.stopped
}

// TestMatcherDifferential runs generated pattern sets and events, many of
// them long enough for an early exit, through a Matcher and the
// reference matcher.
func TestMatcherDifferential(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	matches, stops := 0, 0
	for i := 0; i < n; i++ {
		data := []byte(fmt.Sprintf("%d:%d:%d:%d:%d:%d", i, i*7919, i*i, i*104729, i*31, i*131))
		for j := range data {
			data[j] = byte(int(data[j])*(j+3)*(i+5)) ^ byte(i>>2)
		}
		k, stopped := checkMatcherCase(t, generateSet(data))
		matches += k
		if stopped {
			stops++
		}
	}
	t.Logf("%d generated pattern sets agree with the reference (%d matches; %d events read only in part)", n, matches, stops)
	if matches < n/10 || stops < n/20 {
		t.Errorf("the generator gives too few matches (%d) or early exits (%d)", matches, stops)
	}
}

// FuzzMatcher checks Matcher.Match, with several patterns and with adds,
// replacements and deletes, against the reference matcher.
func FuzzMatcher(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add([]byte("\x05\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMatcherCase(t, generateSet(data))
	})
}

// TestMatcherEarlyExit checks the cases that early exit must get right.
func TestMatcherEarlyExit(t *testing.T) {
	pad := `"zz": "` + strings.Repeat("x", 100) + `"` // no pattern name in it
	tests := []struct {
		name, pattern, event string
		match                bool
	}{
		{"repeated key after the stop point", `{"a":["y"]}`, `{"a":"x", ` + pad + `, "a":"y"}`, true},
		{"repeated object", `{"a":{"b":["y"]}}`, `{"a":{"b":"x"}, ` + pad + `, "a":{"b":"y"}}`, true},
		{"dotted key later", `{"a":{"b":["y"]}}`, `{"a":{"b":"x"}, ` + pad + `, "a.b":"y"}`, true},
		{"dotted key inside", `{"a":{"b":{"c":["y"]}}}`, `{"a":{"b":{"c":"x"}, ` + pad + `, "b.c":"y"}}`, true},
		{"escaped key", `{"a":["y"]}`, `{"a":"x", ` + pad + `, "\u0061":"y"}`, true},
		{"escape elsewhere", `{"a":["x"]}`, `{"a":"x", ` + pad + `, "b":"\n"}`, true},
		{"exists false, value later", `{"b":[{"exists":false}]}`, `{"a":1, ` + pad + `, "b":2}`, false},
		{"exists false, no value", `{"b":[{"exists":false}]}`, `{"a":1, ` + pad + `, "c":2}`, true},
		{"array element later", `{"a":[2]}`, `{"a":[1, ` + strings.Repeat(`"x", `, 30) + `2]}`, true},
		{"no named key at all", `{"q":["x"]}`, `{` + pad + `, "r":"x"}`, false},
		{"anything-but, second value", `{"a":[{"anything-but":"x"}]}`, `{"a":"x", ` + pad + `, "a":"z"}`, true},
		{"two arrays under a repeated key", `{"a":{"b":["1"],"c":["2"]}}`,
			`{"a":[{"b":"1","c":"0"}], ` + pad + `, "a":[{"b":"0","c":"2"}]}`, true},
		{"one array", `{"a":{"b":["1"],"c":["2"]}}`,
			`{"a":[{"b":"1","c":"0"}, "` + strings.Repeat("x", 100) + `", {"b":"0","c":"2"}]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMatcher()
			if err := m.Add("p", []byte(tc.pattern)); err != nil {
				t.Fatal(err)
			}
			got, err := m.Match([]byte(tc.event), nil)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != tc.match {
				t.Fatalf("Match = %v, want match=%v", got, tc.match)
			}
			want, err := refMatch([]byte(tc.pattern), []byte(tc.event))
			if err != nil || want != tc.match {
				t.Fatalf("reference says %v (%v)", want, err)
			}
		})
	}
}

// TestMatcherStops checks that Match does stop early where it can, and
// reads on where it cannot.
func TestMatcherStops(t *testing.T) {
	pad := `"zz": [` + strings.Repeat(`1.5, `, 30) + `2]`
	m := NewMatcher()
	for _, p := range []string{`{"a":{"b":["x"]}}`, `{"c":[{"exists":false}]}`} {
		if err := m.Add(p, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		event string
		stop  bool
	}{
		{`{"a":{"b":"x", ` + pad + `}, ` + pad + `}`, true},
		{`{"y":1, ` + pad + `, "a":{"b":"x"}}`, false},    // "a" follows
		{`{"a":{"b":"x"}, ` + pad + `, "c":1}`, false},    // "c" follows
		{`{"a":{"b":"x"}, ` + pad + `, "y":"\n"}`, false}, // an escape follows
		{`{"a":[{"b":"x"}, ` + pad[6:] + `]}`, false},     // inside an array
		{`{"a":{"b":"x"}, "zz":1}`, false},                // too little left to read
	}
	for _, tc := range tests {
		s := m.snap.Load()
		sc := getScanner()
		sc.reset([]byte(tc.event), s, true, false)
		err := sc.run()
		stopped := sc.stopped
		putScanner(sc)
		if err != nil || stopped != tc.stop {
			t.Errorf("%s: stopped %v (%v), want %v", tc.event, stopped, err, tc.stop)
		}
	}
}

// TestMatcherErrors checks which syntax errors Match reports: those in the
// part it reads, and no others; Pattern.Match reads everything.
func TestMatcherErrors(t *testing.T) {
	pad := `"zz": "` + strings.Repeat("x", 100) + `"` // no pattern name in it
	p, err := Compile([]byte(`{"a":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher()
	if err := m.AddPattern("p", p); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, event string
		matcherErr  bool // whether Match reports the error
	}{
		{"error before the value", `{"b": [1,}, "a":"x", ` + pad + `}`, true},
		{"error in the value", `{"a":"x` + "\x01" + `", ` + pad + `}`, true},
		{"error after the stop point", `{"a":"x", ` + pad + `, "z": [1,}`, false},
		{"truncated", `{"a":"x", ` + pad, true},
		{"trailing garbage", `{"a":"x", ` + pad + `} x`, true},
		{"not an object", `["a", "x", ` + pad + `]`, true},
		{"not JSON", `{'a': 'x', ` + pad + `}`, true},
		{"empty", ``, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.Match([]byte(tc.event)); !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("Pattern.Match error = %v, want an invalid event", err)
			}
			got, err := m.Match([]byte(tc.event), []string{"keep"})
			if tc.matcherErr {
				if !errors.Is(err, ErrInvalidEvent) || len(got) != 1 {
					t.Fatalf("Match = %v, %v; want dst unchanged and an invalid event", got, err)
				}
				_, perr := p.Match([]byte(tc.event))
				if err.Error() != perr.Error() {
					t.Fatalf("Match error %q differs from Pattern.Match's %q", err, perr)
				}
				return
			}
			if err != nil || strings.Join(got, ",") != "keep,p" {
				t.Fatalf("Match = %v, %v; want a match read before the error", got, err)
			}
		})
	}
}

// TestMatcherLeavesNoTrace adds and deletes many patterns of every kind and
// checks that the structure and the heap return to their size before.
func TestMatcherLeavesNoTrace(t *testing.T) {
	conds := []string{`"v%d"`, `%d`, `{"prefix":"p%d"}`, `{"suffix":"s%d"}`, `{"equals-ignore-case":"E%d"}`,
		`{"prefix":{"equals-ignore-case":"P%d"}}`, `{"suffix":{"equals-ignore-case":"S%d"}}`, `{"wildcard":"w*%d"}`,
		`{"wildcard":"*w%d"}`, `{"wildcard":"*x%d*"}`, `{"anything-but":"a%d"}`, `{"numeric":[">",%d]}`,
		`{"cidr":"10.%d.0.0/16"}`, `{"exists":true}`, `{"exists":false}`, `"10.0.0.%d"`, `{"equals-ignore-case":"é%d"}`, `null`}
	patterns := func(n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			c := strings.ReplaceAll(conds[i%len(conds)], "%d", fmt.Sprint(i%200))
			switch i % 3 {
			case 0:
				out = append(out, fmt.Sprintf(`{"f%d":{"g":[%s]}}`, i%17, c))
			case 1:
				out = append(out, fmt.Sprintf(`{"f%d":[%s],"h":{"i":[%s, "z"]}}`, i%13, c, c))
			default:
				out = append(out, fmt.Sprintf(`{"$or":[{"f%d":[%s]},{"k":[{"exists":false}],"f1":{"g":[%s]}}]}`, i%11, c, c))
			}
		}
		return out
	}
	events := [][]byte{
		[]byte(`{"f1":{"g":"v1"},"h":{"i":["z","10.0.0.5"]},"f3":[{"g":"p3x"},{"g":3}],"k":null}`),
		[]byte(`{"f2":"S2","f4":{"g":"ab*x4y"},"f7":7}`),
	}
	m := NewMatcher()
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	if _, err := m.Match(events[0], nil); err != nil {
		t.Fatal(err)
	}
	before := heap()
	srcs := patterns(3000)
	for cycle := 0; cycle < 3; cycle++ {
		for i, src := range srcs {
			if err := m.Add(fmt.Sprintf("n%d", i), []byte(src)); err != nil {
				t.Fatalf("%s: %v", src, err)
			}
		}
		st := m.Stats()
		if st.Patterns != len(srcs) || st.Fields == 0 || st.IndexEntries == 0 || st.Paths == 0 {
			t.Fatalf("Stats after adding: %+v", st)
		}
		var names []string
		for _, ev := range events {
			got, err := m.Match(ev, nil)
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, got...)
		}
		if len(names) == 0 {
			t.Fatal("no pattern matches")
		}
		// Delete in an order unlike the insertion order.
		for i := range srcs {
			m.Delete(fmt.Sprintf("n%d", (i*7)%len(srcs)))
		}
		if st := m.Stats(); st != (MatcherStats{}) {
			t.Fatalf("Stats after deleting everything: %+v", st)
		}
		for _, ev := range events {
			if got, err := m.Match(ev, nil); err != nil || len(got) != 0 {
				t.Fatalf("ghost matches %v (%v)", got, err)
			}
		}
		s := m.snap.Load()
		if s.root.kids.len() != 0 || s.nLeaves != 0 || s.nAlts != 0 || s.nPats != 0 || s.nPaths != 0 || len(s.always) != 0 {
			t.Fatalf("snapshot not empty: %d kids, ids %d %d %d %d, %d always", s.root.kids.len(), s.nLeaves, s.nAlts, s.nPats, s.nPaths, len(s.always))
		}
	}
	after := heap()
	t.Logf("heap before %d, after 3 cycles of 3,000 adds and deletes %d", before, after)
	if after > before+256<<10 {
		t.Errorf("heap grew by %d bytes", after-before)
	}
}

// TestPmap checks the persistent map against a Go map through inserts,
// updates and deletes, keeping old versions, which must not change, and
// checks that it grows into a directory of segments and shrinks back.
func TestPmap(t *testing.T) {
	var h pmap[int]
	ref := map[string]int{}
	versions := []pmap[int]{}
	refs := []map[string]int{}
	r := uint64(7)
	maxSegs := 0
	for i := 0; i < 40000; i++ {
		r = r*6364136223846793005 + 1442695040888963407
		k := fmt.Sprint(r % 3000)
		// Mostly inserts for 20,000 steps, then mostly deletes.
		if del := r>>40%4 == 0; (i < 20000) == del {
			h = h.del(k)
			delete(ref, k)
		} else {
			h = h.set(k, i)
			ref[k] = i
		}
		if h.dir != nil {
			maxSegs = max(maxSegs, len(h.dir.segs))
		}
		if i == 39999 && (h.len() > pmapSmall) != (h.dir != nil) {
			t.Fatalf("%d keys left in a directory of %d segments", h.len(), len(h.dir.segs))
		}
		if i%4000 == 0 || i == 20000 {
			versions = append(versions, h)
			c := map[string]int{}
			for k, v := range ref {
				c[k] = v
			}
			refs = append(refs, c)
		}
		if h.len() != len(ref) {
			t.Fatalf("len %d, want %d", h.len(), len(ref))
		}
	}
	versions = append(versions, h)
	refs = append(refs, ref)
	t.Logf("%d keys at most in %d segments, %d left", len(refs[5]), maxSegs, h.len())
	for vi, v := range versions {
		n := 0
		v.each(func(k string, x int) {
			n++
			if refs[vi][k] != x {
				t.Fatalf("version %d: %s = %d, want %d", vi, k, x, refs[vi][k])
			}
		})
		if n != len(refs[vi]) {
			t.Fatalf("version %d has %d keys, want %d", vi, n, len(refs[vi]))
		}
		for k, x := range refs[vi] {
			if got, ok := v.get([]byte(k)); !ok || got != x {
				t.Fatalf("version %d: get(%s) = %d %v, want %d", vi, k, got, ok, x)
			}
		}
		if _, ok := v.get([]byte("absent")); ok {
			t.Fatal("found an absent key")
		}
	}
	// Deleting everything gives the empty map.
	for k := range ref {
		h = h.del(k)
	}
	if h.len() != 0 || h.dir != nil || h.small != nil {
		t.Fatalf("not empty: %+v", h)
	}
	if maxSegs < 16 {
		t.Fatalf("the directory grew to %d segments only", maxSegs)
	}
}

// TestMatcherNameOrder checks that Match returns names in ascending byte
// order, both while it sorts them and once the snapshot's name order has
// been built, and again after an update.
func TestMatcherNameOrder(t *testing.T) {
	m := NewMatcher()
	above := map[string]int{} // name -> the pattern's lower bound
	r := uint64(3)
	for i := 0; i < 150; i++ {
		r = r*6364136223846793005 + 1442695040888963407
		// Names that share long prefixes, and some that are prefixes of
		// others (and replace earlier patterns).
		name := fmt.Sprintf("rule-%08d-%d", r%7, i)
		if i%10 == 0 {
			name = fmt.Sprintf("rule-%08d", r%7)
		}
		if m.Add(name, []byte(`{"a":[{"numeric":[">",`+fmt.Sprint(i%50)+`]}]}`)) != nil {
			t.Fatal(name)
		}
		above[name] = i % 50
	}
	check := func(a float64) {
		t.Helper()
		var want []string
		for name, lo := range above {
			if a > float64(lo) {
				want = append(want, name)
			}
		}
		sort.Strings(want)
		got, err := m.Match([]byte(fmt.Sprintf(`{"a":%v}`, a)), []string{"first"})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(append([]string{"first"}, want...)) {
			t.Fatalf("a=%v: got %v, want %v", a, got, want)
		}
	}
	snap := m.snap.Load()
	for i := 0; i < orderAfter+4*int(snap.nPats); i++ {
		if i == 1 && snap.order.p.Load() != nil {
			t.Fatal("the name order was built at once")
		}
		check(25.5)
		check(3)
		check(0)
	}
	if snap.order.p.Load() == nil {
		t.Fatal("the name order was not built")
	}
	check(100)
	// An update publishes a snapshot without the order; Match sorts
	// until it builds the new one.
	var gone string
	for name := range above {
		if gone == "" || name < gone {
			gone = name
		}
	}
	m.Delete(gone)
	delete(above, gone)
	if m.snap.Load().order.p.Load() != nil {
		t.Fatal("a new snapshot has an order already")
	}
	check(100)
	check(30)
}

// TestMatcherNumberArrays compares the Matcher with the reference on
// numeric ranges over arrays of numbers near the bounds: 16- and
// 17-digit numbers one or two doubles away from a bound, numbers with
// more digits than a double holds, exponents, zeros and overflow, on
// paths with ranges only (the short way of rangeNumberAt) and with other
// conditions too.
func TestMatcherNumberArrays(t *testing.T) {
	r := uint64(11)
	next := func(n int) int {
		r = r*6364136223846793005 + 1442695040888963407
		return int(r>>33) % n
	}
	bases := []float64{37.75, 37.753314871415085, -122.41600944012424, 0.1, 1e-3, 12345.678901234567, 3e15, 0}
	number := func() string {
		b := bases[next(len(bases))]
		f := b
		for k := next(5) - 2; k != 0; {
			if k > 0 {
				f, k = math.Nextafter(f, math.Inf(1)), k-1
			} else {
				f, k = math.Nextafter(f, math.Inf(-1)), k+1
			}
		}
		switch next(9) {
		case 0:
			return strconv.FormatFloat(f, 'f', 15, 64) // often 17 or 18 digits
		case 1:
			return strconv.FormatFloat(f, 'e', 16, 64) // 17 digits, exponent
		case 2:
			if g := strconv.FormatFloat(f, 'g', -1, 64); strings.Contains(g, ".") && !strings.Contains(g, "e") {
				return g + "1" // one digit too many
			}
			return strconv.FormatFloat(f, 'f', 20, 64)
		case 3:
			return []string{"0", "-0", "0.0", "1e400", "-5e-324", "300", "3e2", "1E0"}[next(8)]
		default:
			return strconv.FormatFloat(f, 'g', -1, 64) // comparable
		}
	}
	bound := func() string { return strconv.FormatFloat(bases[next(len(bases))], 'g', -1, 64) }
	array := func(depth int) string {
		var sb strings.Builder
		var rec func(d int)
		rec = func(d int) {
			sb.WriteString("[")
			for i, n := 0, 1+next(4); i < n; i++ {
				if i > 0 {
					sb.WriteString(", ")
				}
				switch {
				case d > 0 && next(3) == 0:
					rec(d - 1)
				case next(12) == 0:
					sb.WriteString([]string{`"37.75"`, `true`, `null`, `{"c": 38}`, `[]`, `{}`, `{"x": "y"}`}[next(7)])
				default:
					sb.WriteString(number())
				}
			}
			sb.WriteString("]")
		}
		rec(depth)
		return sb.String()
	}
	cases := 0
	for i := 0; i < 1500; i++ {
		var c matcherCase
		for j, n := 0, 1+next(5); j < n; j++ {
			var cond string
			switch next(6) {
			case 0:
				cond = `{"numeric": [">", ` + bound() + `]}`
			case 1:
				cond = `{"numeric": ["<=", ` + bound() + `]}`
			case 2:
				lo, hi := bound(), bound()
				if a, _ := strconv.ParseFloat(lo, 64); a >= func() float64 { b, _ := strconv.ParseFloat(hi, 64); return b }() {
					continue
				}
				cond = `{"numeric": [">=", ` + lo + `, "<", ` + hi + `]}`
			case 3:
				cond = `{"numeric": ["=", ` + bound() + `]}`
			case 4:
				cond = bound() // an exact number: not only ranges any more
			default:
				cond = `{"exists": true}`
			}
			c.patterns = append(c.patterns, `{"g": {"c": [`+cond+`]}}`)
		}
		if len(c.patterns) == 0 {
			continue
		}
		if next(4) == 0 {
			// A path below g.c: its arrays take the general way.
			c.patterns = append(c.patterns, `{"g": {"c": {"x": ["y"]}}}`)
		}
		c.event = `{"g": {"c": ` + array(1+next(3)) + `}, "pad": "` + strings.Repeat("x", next(60)) + `"}`
		checkMatcherCase(t, c)
		cases++
	}
	t.Logf("%d cases agree with the reference", cases)
}

// TestRangeArrayErrors checks that arrays at a path with only numeric
// ranges (scanned by rangeArray) report the same errors as other arrays.
func TestRangeArrayErrors(t *testing.T) {
	ranges := NewMatcher()
	if err := ranges.Add("r", []byte(`{"a": [{"numeric": [">", 1]}]}`)); err != nil {
		t.Fatal(err)
	}
	mixed := NewMatcher()
	if err := mixed.Add("r", []byte(`{"a": [{"numeric": [">", 1]}, {"exists": true}]}`)); err != nil {
		t.Fatal(err)
	}
	events := []string{`{"a": [1, ]}`, `{"a": [1 2]}`, `{"a": [[1, 2]`, `{"a": [1.]}`, `{"a": [-]}`, `{"a": [1e]}`,
		`{"a": [01]}`, `{"a": [[[`, `{"a": [1, "x]}`, `{"a": [1, tru]}`, `{"a": [1, {"b": }]}`, `{"a": [`,
		`{"a": [1, [2, [3, ] ]]}`, `{"a": [1, 2] ] }`, `{"a": [1, 2]]}`, `{"a":[` + strings.Repeat("[", maxDepth) + `]}`}
	for _, ev := range events {
		_, err1 := ranges.Match([]byte(ev), nil)
		_, err2 := mixed.Match([]byte(ev), nil)
		if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
			t.Errorf("%.40s: ranges only: %v; other conditions too: %v", ev, err1, err2)
		}
	}
}

// TestMatcherManyIgnoreCase compares the Matcher with the reference when a
// path has more equals-ignore-case operands (plain, prefix and suffix)
// than fit in a list, so that values are lowered and looked up by hash,
// and when it has a few, compared while lowering.
func TestMatcherManyIgnoreCase(t *testing.T) {
	words := []string{"Alpha", "BETA", "gamma", "DeLtA", "epsilon", "ZETA", "eta", "Theta", "iota", "KAPPA", "lambda", "Mu"}
	for _, n := range []int{3, len(words)} {
		var c matcherCase
		for _, w := range words[:n] {
			for _, op := range []string{`{"equals-ignore-case": %q}`, `{"prefix": {"equals-ignore-case": %q}}`, `{"suffix": {"equals-ignore-case": %q}}`} {
				c.patterns = append(c.patterns, fmt.Sprintf(`{"v": [`+op+`]}`, w), fmt.Sprintf(`{"v": [`+op+`]}`, strings.ToUpper(w[:2])))
			}
		}
		for _, v := range []string{"alpha", "ALPHA", "betaX", "xGAMMA", "DELTA", "Epsilonic", "zeta", "ETA!", "thETa", "IOTA", "kappa", "LAMBDA", "mu", "MU", "nope", "É"} {
			c.event = fmt.Sprintf(`{"v": %q}`, v)
			checkMatcherCase(t, c)
			c.event = fmt.Sprintf(`{"v": [%q, "zz"]}`, v)
			checkMatcherCase(t, c)
		}
	}
}

// TestMatcherFlatTable checks matches on a path with many exact strings
// before and after its flat table is built, and after updates, which start
// a new one.
func TestMatcherFlatTable(t *testing.T) {
	m := NewMatcher()
	const n = 300
	for i := 0; i < n; i++ {
		if err := m.Add(fmt.Sprintf("p%03d", i), []byte(fmt.Sprintf(`{"a": ["v%d"], "b": [{"exists": %v}]}`, i%200, i%3 != 0))); err != nil {
			t.Fatal(err)
		}
	}
	check := func(round int, deleted map[int]bool) {
		t.Helper()
		for k := 0; k < flatAfter+2*n+50; k++ {
			v := k % 250
			ev := fmt.Sprintf(`{"a": "v%d", "c": 1}`, v)
			if k%2 == 1 {
				ev = fmt.Sprintf(`{"b": 2, "a": ["x", "v%d"]}`, v)
			}
			var want []string
			for i := 0; i < n; i++ {
				if deleted[i] || i%200 != v {
					continue
				}
				if (i%3 != 0) == (k%2 == 1) {
					want = append(want, fmt.Sprintf("p%03d", i))
				}
			}
			got, err := m.Match([]byte(ev), nil)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("round %d, %s: got %v, want %v", round, ev, got, want)
			}
		}
		a, _ := m.snap.Load().root.kids.getString("a")
		if a.idx.flat == nil || a.idx.flat.tab.Load() == nil {
			t.Fatalf("round %d: no flat table built", round)
		}
	}
	check(0, nil)
	deleted := map[int]bool{}
	for i := 0; i < n; i += 7 {
		m.Delete(fmt.Sprintf("p%03d", i))
		deleted[i] = true
	}
	if a, _ := m.snap.Load().root.kids.getString("a"); a.idx.flat.tab.Load() != nil {
		t.Fatal("an updated index kept the flat table of the old one")
	}
	check(1, deleted)
}
