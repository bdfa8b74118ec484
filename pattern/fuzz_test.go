package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// gen turns fuzz input into choices.
type gen struct {
	data []byte
	i    int
}

func (g *gen) intn(n int) int {
	if n <= 1 {
		return 0
	}
	if g.i >= len(g.data) {
		return 0
	}
	b := int(g.data[g.i])
	g.i++
	return b % n
}

func (g *gen) pick(s []string) string { return s[g.intn(len(s))] }

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var (
	genKeys    = []string{"a", "b", "c", "a.b", "x", "b.c"}
	genStrings = []string{"", "x", "X", "xy", "xY", "yx", "10.0.0.1", "10.0.0.2", "10.0.1.1", "::ffff:a00:1",
		"2001:db8::1", "2001:0db8:0:0:0:0:0:1", "2001:DB8::2", "ß", "SS", "ss", "\u212a", "k", "K", "\u0130", "i\u0307",
		"\U0001F680", "??", "a*b", "null", "1", "true", "x\"y", "é", "É"}
	genNumbers = []string{"0", "-0", "1", "1.0", "1e0", "10", "1e1", "2.5", "-1", "37.807807921694092", "1e400",
		"300", "3e2", "0.1", "-2.5", "5e-324", "9007199254740993"}
	genComparable = []string{"0", "-0", "1", "1.0", "10", "1e1", "2.5", "-1", "300", "3e2", "0.1", "-2.5"}
	genGlobs      = []string{"x*", "*y", "*", "", "x*y", `\*x`, "*x*", "a\\*b", "*\u212a", "1*0"}
	genAffixes    = []string{"x", "X", "xy", "1", "ß", "k", "y", "0.0", "2001"}
	genCIDRs      = []string{"10.0.0.0/24", "10.0.0.1/31", "2001:db8::/32", "0.0.0.0/0", "10.0.0.0/8", "::ffff:a00:0/8"}
)

func (g *gen) number() string { return g.pick(genNumbers) }

func (g *gen) condition() string {
	switch g.intn(22) {
	case 0, 1:
		return js(g.pick(genStrings))
	case 2:
		return g.number()
	case 3:
		return g.pick([]string{"true", "false", "null"})
	case 4:
		return `{"prefix":` + js(g.pick(genAffixes)) + `}`
	case 5:
		return `{"suffix":` + js(g.pick(genAffixes)) + `}`
	case 6:
		return `{"equals-ignore-case":` + js(g.pick(genStrings)) + `}`
	case 7:
		return `{"prefix":{"equals-ignore-case":` + js(g.pick(genStrings)) + `}}`
	case 8:
		return `{"suffix":{"equals-ignore-case":` + js(g.pick(genStrings)) + `}}`
	case 9:
		return `{"wildcard":` + js(g.pick(genGlobs)) + `}`
	case 10:
		return `{"anything-but":` + js(g.pick(genStrings)) + `}`
	case 11:
		return `{"anything-but":` + g.pick(genComparable) + `}`
	case 12:
		return `{"anything-but":[` + js(g.pick(genStrings)) + `,` + js(g.pick(genStrings)) + `]}`
	case 13:
		return `{"anything-but":[` + g.pick(genComparable) + `,` + g.pick(genComparable) + `]}`
	case 14:
		op := g.pick([]string{"prefix", "suffix", "equals-ignore-case", "wildcard"})
		vals := genAffixes
		if op == "wildcard" {
			vals = genGlobs
		}
		if g.intn(2) == 0 {
			return `{"anything-but":{"` + op + `":` + js(g.pick(vals)) + `}}`
		}
		return `{"anything-but":{"` + op + `":[` + js(g.pick(vals)) + `,` + js(g.pick(vals)) + `]}}`
	case 15, 16:
		a, b := g.pick(genComparable), g.pick(genComparable)
		switch g.intn(4) {
		case 0:
			return `{"numeric":["` + g.pick([]string{"=", "<", "<=", ">", ">="}) + `",` + a + `]}`
		default:
			fa, _ := refNumber(a)
			fb, _ := refNumber(b)
			if fa >= fb {
				return `{"numeric":[">=",` + a + `]}`
			}
			return `{"numeric":["` + g.pick([]string{">", ">="}) + `",` + a + `,"` + g.pick([]string{"<", "<="}) + `",` + b + `]}`
		}
	case 17:
		return `{"cidr":` + js(g.pick(genCIDRs)) + `}`
	case 18, 19:
		return `{"exists":` + g.pick([]string{"true", "false"}) + `}`
	case 20:
		return `{"exactly":` + js(g.pick(genStrings)) + `}`
	}
	return js(g.pick(genStrings))
}

func (g *gen) patternObject(depth int) string {
	n := 1 + g.intn(3)
	var parts []string
	for i := 0; i < n; i++ {
		switch r := g.intn(10); {
		case r < 7 || depth >= 3:
			m := 1 + g.intn(3)
			var cs []string
			for j := 0; j < m; j++ {
				cs = append(cs, g.condition())
			}
			parts = append(parts, js(g.pick(genKeys))+":["+strings.Join(cs, ",")+"]")
		case r < 9:
			parts = append(parts, js(g.pick(genKeys))+":"+g.patternObject(depth+1))
		default:
			b := 2 + g.intn(2)
			var bs []string
			for j := 0; j < b; j++ {
				bs = append(bs, g.patternObject(depth+1))
			}
			parts = append(parts, `"$or":[`+strings.Join(bs, ",")+"]")
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (g *gen) eventValue(depth int) string {
	switch r := g.intn(12); {
	case r < 4:
		return js(g.pick(genStrings))
	case r < 6:
		return g.number()
	case r < 7:
		return g.pick([]string{"true", "false", "null"})
	case r < 9 && depth < 3:
		n := g.intn(4)
		var es []string
		for i := 0; i < n; i++ {
			es = append(es, g.eventValue(depth+1))
		}
		return "[" + strings.Join(es, ",") + "]"
	case depth < 3:
		return g.eventObject(depth + 1)
	}
	return js(g.pick(genStrings))
}

func (g *gen) eventObject(depth int) string {
	n := g.intn(5)
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, js(g.pick(genKeys))+":"+g.eventValue(depth))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// generate builds a valid pattern and an event from fuzz input.
func generate(data []byte) (pattern, event string) {
	g := &gen{data: data}
	pattern = g.patternObject(0)
	event = g.eventObject(0)
	return
}

var fuzzSeeds = [][]byte{
	{0, 0, 0, 0},
	{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
	{9, 9, 9, 200, 7, 1, 3, 5, 8, 8, 8, 4, 2, 0, 1},
	{8, 3, 2, 0, 8, 1, 1, 7, 3, 3, 1, 0, 0, 9, 1, 3, 8, 0, 2, 2, 2, 2},
	{5, 15, 16, 4, 6, 100, 33, 12, 9, 3, 7, 8, 11, 2, 0, 5},
	[]byte("array consistency and exists false"),
	[]byte("\x02\x00\x12\x01\x02\x03\x0a\x08\x07\x07\x07\x03\x01\x0a\x01\x02\x03"),
}

// FuzzDifferential checks Pattern.Match, Matcher.Match and Explain against
// the reference matcher on generated patterns and events.
func FuzzDifferential(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pat, ev := generate(data)
		p, err := Compile([]byte(pat), WithMaxPatternSize(0), WithMaxCombinations(64))
		if err != nil {
			var pe *Error
			if errors.As(err, &pe) && (pe.Reason == tooComplex || strings.Contains(pe.Reason, "$or combinations")) {
				return
			}
			t.Fatalf("generated pattern rejected: %v\npattern: %s", err, pat)
		}
		want, err := refMatch([]byte(pat), []byte(ev))
		if err != nil {
			t.Fatalf("reference: %v", err)
		}
		got, err := p.Match([]byte(ev))
		if err != nil {
			t.Fatalf("Match: %v\nevent: %s", err, ev)
		}
		if got != want {
			x, _ := p.Explain([]byte(ev))
			t.Fatalf("Match = %v, reference = %v\npattern: %s\nevent:   %s\n%s", got, want, pat, ev, x)
		}
		x, err := p.Explain([]byte(ev))
		if err != nil || x.Match != got {
			t.Fatalf("Explain.Match = %v (err %v), Match = %v\npattern: %s\nevent: %s", x.Match, err, got, pat, ev)
		}
		m := NewMatcher(WithMaxPatternSize(0))
		if err := m.AddPattern("p", p); err != nil {
			t.Fatal(err)
		}
		if err := m.Add("always", []byte(`{"zzz":[{"exists":false}]}`)); err != nil {
			t.Fatal(err)
		}
		names, err := m.Match([]byte(ev), nil)
		if err != nil {
			t.Fatal(err)
		}
		wantNames := "always"
		if want {
			wantNames = "always,p"
		}
		if strings.Join(names, ",") != wantNames {
			t.Fatalf("Matcher = %q, want %s\npattern: %s\nevent: %s", names, wantNames, pat, ev)
		}
	})
}

// FuzzCompile checks that no input makes Compile, Match or Explain panic,
// that errors are typed, and that Explain agrees with Match.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`{"a":["b"]}`, `{"a":[{"prefix":"x"}]}`, `{"$or":[{"a":[1]},{"b":[2]}]}`, `{"a":{"b":[{"numeric":[">",0,"<=",5]}]}}`,
		`{"a":[{"anything-but":{"wildcard":["*x","y*"]}}]}`, `{"a":[{"cidr":"10.0.0.0/8"}]}`, `this`, `{"a":[`, `[1]`,
		`{"a":[{"wildcard":"*a*a*a*a*a*a*"}]}`, `{"a":["\ud83d\ude80"]}`, `{"a":[{"equals-ignore-case":"ß"}]}`,
		`{"a":[{"exists":false},{"suffix":"x"}]}`, `{"a":[1e400, -0, 37.807807921694092]}`, "{\"a\":[\"\x01\"]}",
	} {
		f.Add([]byte(s))
	}
	events := [][]byte{
		[]byte(`{}`),
		[]byte(`{"a":"b","x":[1,"x",null,{"y":true}]}`),
		[]byte(`{"a":[{"b":1,"c":"x"},{"b":2,"c":["y","10.0.0.1"]}],"a.b":300.0}`),
		[]byte(`{"a":{"b":{"c":"ß"}},"b":[[1,2],[3]],"c":"2001:db8::1"}`),
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Compile(src)
		if err != nil {
			if !errors.Is(err, ErrInvalidPattern) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Reason == "" || !strings.HasPrefix(pe.Path, "$") {
				t.Fatalf("bad *Error: %#v", err)
			}
			return
		}
		for _, ev := range events {
			got, err := p.Match(ev)
			if err != nil {
				t.Fatalf("Match(%s): %v", ev, err)
			}
			x, err := p.Explain(ev)
			if err != nil || x.Match != got {
				t.Fatalf("Explain disagrees with Match on %s: %v %v", ev, x.Match, err)
			}
			_ = x.String()
		}
		if _, err := p.Match(src); err != nil && !errors.Is(err, ErrInvalidEvent) {
			t.Fatalf("untyped event error %T", err)
		}
	})
}

// TestGeneratorCoverage makes sure the generator produces matches and
// non-matches in useful proportions, so the differential test means
// something.
func TestGeneratorCoverage(t *testing.T) {
	matches, total := 0, 0
	for i := 0; i < 3000; i++ {
		data := []byte(fmt.Sprintf("%d-%d-%d-%d-%d", i*7919, i*104729, i, i*i, i*31))
		for j := range data {
			data[j] = byte(int(data[j])*(j+1)*(i+3)) ^ byte(i>>3)
		}
		pat, ev := generate(data)
		p, err := Compile([]byte(pat), WithMaxPatternSize(0), WithMaxCombinations(64))
		if err != nil {
			continue
		}
		ok, err := p.Match([]byte(ev))
		if err != nil {
			t.Fatal(err)
		}
		want, err := refMatch([]byte(pat), []byte(ev))
		if err != nil {
			t.Fatal(err)
		}
		if ok != want {
			t.Fatalf("Match = %v, reference = %v\npattern: %s\nevent: %s", ok, want, pat, ev)
		}
		total++
		if ok {
			matches++
		}
	}
	t.Logf("generated %d cases, %d matches", total, matches)
	if matches < total/50 || matches == total {
		t.Errorf("generator gives %d matches out of %d", matches, total)
	}
}
