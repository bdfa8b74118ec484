package pattern

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// Benchmarks over citylots-shaped events (../../shared/benchdata): the rule
// sets of aws/event-ruler's and quamina's citylots benchmarks, adapted to
// the generated data (see ../../shared/reference/patterns.md, section d),
// and three floors measured in the same run. Run with
//
//	go test ./pattern -run '^$' -bench CityLots -benchmem
//
// Each sub-benchmark matches one event per iteration, cycling through the
// 21,307 events, and checks once, before timing, that every rule matches
// exactly as many events as the reference matcher of reference_test.go
// says. The data is read on first use, so tests do not pay for it.

const cityLotsPath = "../../shared/benchdata/citylots-sample.jlines.gz"

var cityLots struct {
	once   sync.Once
	events [][]byte
	bytes  int
	err    error

	refOnce sync.Once
	ref     []*refEvent

	mu     sync.Mutex
	counts map[string]int // reference counts by rule text
}

func loadCityLots(b *testing.B) [][]byte {
	b.Helper()
	cityLots.once.Do(func() {
		f, err := os.Open(cityLotsPath)
		if err != nil {
			cityLots.err = err
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			cityLots.err = err
			return
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			line := append([]byte(nil), sc.Bytes()...)
			cityLots.events = append(cityLots.events, line)
			cityLots.bytes += len(line)
		}
		cityLots.err = sc.Err()
	})
	if cityLots.err != nil {
		b.Fatalf("citylots data: %v", cityLots.err)
	}
	if len(cityLots.events) != 21307 {
		b.Fatalf("citylots data: %d events, want 21307", len(cityLots.events))
	}
	return cityLots.events
}

// refEvents returns the events decoded by the reference matcher.
func refEvents(b *testing.B, events [][]byte) []*refEvent {
	b.Helper()
	cityLots.refOnce.Do(func() {
		for _, ev := range events {
			re, err := refParseEvent(ev)
			if err != nil {
				panic(err)
			}
			cityLots.ref = append(cityLots.ref, re)
		}
	})
	return cityLots.ref
}

// refCount returns how many events the reference matcher says rule
// matches, computing it once per rule.
func refCount(b *testing.B, events [][]byte, rule string) int {
	b.Helper()
	cityLots.mu.Lock()
	defer cityLots.mu.Unlock()
	if n, ok := cityLots.counts[rule]; ok {
		return n
	}
	p, err := refCompile([]byte(rule))
	if err != nil {
		b.Fatalf("reference: %v", err)
	}
	n := 0
	for _, e := range refEvents(b, events) {
		if p.match(e) {
			n++
		}
	}
	if cityLots.counts == nil {
		cityLots.counts = map[string]int{}
	}
	cityLots.counts[rule] = n
	return n
}

func prop(field, cond string) string {
	return `{"properties": {"` + field + `": [` + cond + `]}}`
}

func geom(field, cond string) string {
	return `{"geometry": {"` + field + `": [` + cond + `]}}`
}

// citySets are the rule sets, five rules each.
var citySets = []struct {
	name  string
	rules []string
}{
	{"exact", []string{prop("STREET", `"CRANLEIGH"`), prop("STREET", `"BEACH"`), prop("STREET", `"21ST"`),
		prop("STREET", `"NORTH POINT"`), prop("STREET", `"JEFFERSON"`)}},
	{"prefix", []string{prop("STREET", `{"prefix": "AC"}`), prop("STREET", `{"prefix": "BL"}`),
		prop("STREET", `{"prefix": "DR"}`), prop("STREET", `{"prefix": "FU"}`), prop("STREET", `{"prefix": "RH"}`)}},
	{"prefix-eic", []string{prop("STREET", `{"prefix": {"equals-ignore-case": "Ac"}}`),
		prop("STREET", `{"prefix": {"equals-ignore-case": "bL"}}`), prop("STREET", `{"prefix": {"equals-ignore-case": "dR"}}`),
		prop("STREET", `{"prefix": {"equals-ignore-case": "Fu"}}`), prop("STREET", `{"prefix": {"equals-ignore-case": "rH"}}`)}},
	{"suffix", []string{prop("STREET", `{"suffix": "ON"}`), prop("STREET", `{"suffix": "KE"}`),
		prop("STREET", `{"suffix": "MM"}`), prop("STREET", `{"suffix": "ING"}`), prop("STREET", `{"suffix": "GO"}`)}},
	{"suffix-eic", []string{prop("STREET", `{"suffix": {"equals-ignore-case": "oN"}}`),
		prop("STREET", `{"suffix": {"equals-ignore-case": "Ke"}}`), prop("STREET", `{"suffix": {"equals-ignore-case": "mM"}}`),
		prop("STREET", `{"suffix": {"equals-ignore-case": "InG"}}`), prop("STREET", `{"suffix": {"equals-ignore-case": "gO"}}`)}},
	{"eic", []string{prop("STREET", `{"equals-ignore-case": "jefferson"}`), prop("STREET", `{"equals-ignore-case": "bEaCh"}`),
		prop("STREET", `{"equals-ignore-case": "HyDe"}`), prop("STREET", `{"equals-ignore-case": "CHESTNUT"}`),
		prop("ST_TYPE", `{"equals-ignore-case": "st"}`)}},
	{"wildcard", []string{prop("MAPBLKLOT", `{"wildcard": "143*"}`), prop("MAPBLKLOT", `{"wildcard": "2*0*1*7"}`),
		prop("MAPBLKLOT", `{"wildcard": "*218"}`), prop("MAPBLKLOT", `{"wildcard": "3*5*2"}`),
		prop("MAPBLKLOT", `{"wildcard": "VA*IL"}`)}},
	{"anything-but", []string{prop("STREET", `{"anything-but": ["FULTON"]}`), prop("STREET", `{"anything-but": ["MASON"]}`),
		prop("ST_TYPE", `{"anything-but": ["ST"]}`), geom("type", `{"anything-but": ["Polygon"]}`),
		prop("FROM_ST", `{"anything-but": ["441"]}`)}},
	{"anything-but-prefix", []string{prop("STREET", `{"anything-but": {"prefix": "FULTO"}}`),
		prop("STREET", `{"anything-but": {"prefix": "MASO"}}`), prop("ST_TYPE", `{"anything-but": {"prefix": "S"}}`),
		geom("type", `{"anything-but": {"prefix": "Poly"}}`), prop("FROM_ST", `{"anything-but": {"prefix": "44"}}`)}},
	{"anything-but-suffix", []string{prop("STREET", `{"anything-but": {"suffix": "ULTON"}}`),
		prop("STREET", `{"anything-but": {"suffix": "ASON"}}`), prop("ST_TYPE", `{"anything-but": {"suffix": "T"}}`),
		geom("type", `{"anything-but": {"suffix": "olygon"}}`), prop("FROM_ST", `{"anything-but": {"suffix": "41"}}`)}},
	{"anything-but-eic", []string{prop("STREET", `{"anything-but": {"equals-ignore-case": "fUlToN"}}`),
		prop("STREET", `{"anything-but": {"equals-ignore-case": "MaSoN"}}`), prop("ST_TYPE", `{"anything-but": {"equals-ignore-case": "sT"}}`),
		geom("type", `{"anything-but": {"equals-ignore-case": "pOLYGON"}}`), prop("FROM_ST", `{"anything-but": {"equals-ignore-case": "441"}}`)}},
	{"anything-but-wildcard", []string{prop("MAPBLKLOT", `{"anything-but": {"wildcard": "143*"}}`),
		prop("MAPBLKLOT", `{"anything-but": {"wildcard": "2*0*1*7"}}`), prop("MAPBLKLOT", `{"anything-but": {"wildcard": "*218"}}`),
		prop("MAPBLKLOT", `{"anything-but": {"wildcard": "3*5*2"}}`), prop("MAPBLKLOT", `{"anything-but": {"wildcard": "VA*IL"}}`)}},
	{"numeric", []string{geom("coordinates", `{"numeric": [">", -122.46471267081272, "<", -122.4063085128395]}`),
		geom("coordinates", `{"numeric": ["<", -122.41600944012424]}`), geom("coordinates", `{"numeric": [">", -122.41600944012424]}`),
		geom("coordinates", `{"numeric": [">=", 37.75, "<", 37.76]}`), geom("coordinates", `{"numeric": [">", 37.8]}`)}},
	{"exists", []string{prop("STREET", `{"exists": true}`), prop("FROM_ST", `{"exists": true}`),
		prop("ODD_EVEN", `{"exists": false}`), geom("type", `{"exists": true}`), prop("UNKNOWN", `{"exists": false}`)}},
}

func combinedRules() []string {
	var all []string
	for _, s := range citySets {
		all = append(all, s.rules...)
	}
	return all
}

// exact10000 returns the rules of exact-10000 and their reference counts.
func exact10000(b *testing.B, events [][]byte) ([]string, []int) {
	b.Helper()
	rules, values := exact10000Rules(events)
	// The reference matcher is too slow for 10,000 rules times 21,307
	// events, so each event is checked only against the rules whose value
	// is one of the event's strings: an exact string rule cannot match
	// any other event (the events have no escapes, checked here).
	byValue := map[string][]int{}
	for i, v := range values {
		byValue[v] = append(byValue[v], i)
	}
	compiled := make([]*refPattern, len(rules))
	counts := make([]int, len(rules))
	for ei, e := range refEvents(b, events) {
		if bytes.IndexByte(events[ei], '\\') >= 0 {
			b.Fatal("event with an escape")
		}
		done := map[int]bool{}
		for _, l := range e.leaves {
			if l.v.kind != 's' {
				continue
			}
			for _, ri := range byValue[l.v.s] {
				if done[ri] {
					continue
				}
				done[ri] = true
				if compiled[ri] == nil {
					p, err := refCompile([]byte(rules[ri]))
					if err != nil {
						b.Fatal(err)
					}
					compiled[ri] = p
				}
				if compiled[ri].match(e) {
					counts[ri]++
				}
			}
		}
	}
	return rules, counts
}

// newBenchMatcher adds rules as r0, r1, ... and checks every rule's match
// count over all events against want.
func newBenchMatcher(b *testing.B, events [][]byte, rules []string, want []int) *Matcher {
	b.Helper()
	m := NewMatcher()
	names := map[string]int{}
	for i, r := range rules {
		name := fmt.Sprintf("r%d", i)
		if err := m.Add(name, []byte(r)); err != nil {
			b.Fatalf("%s: %v", r, err)
		}
		names[name] = i
	}
	got := make([]int, len(rules))
	var dst []string
	for _, ev := range events {
		var err error
		dst, err = m.Match(ev, dst[:0])
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range dst {
			got[names[n]]++
		}
	}
	total := 0
	for i := range rules {
		if got[i] != want[i] {
			b.Fatalf("rule %s matches %d events, the reference matcher says %d", rules[i], got[i], want[i])
		}
		total += got[i]
	}
	if total == 0 {
		b.Fatal("no rule matches any event")
	}
	return m
}

func refCounts(b *testing.B, events [][]byte, rules []string) []int {
	b.Helper()
	want := make([]int, len(rules))
	for i, r := range rules {
		want[i] = refCount(b, events, r)
	}
	return want
}

var benchSink []string

func runMatch(b *testing.B, m *Matcher, events [][]byte) {
	b.Helper()
	b.SetBytes(int64(cityLots.bytes / len(events)))
	b.ReportAllocs()
	var dst []string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		dst, err = m.Match(events[i%len(events)], dst[:0])
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	benchSink = dst
	reportRate(b)
}

func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "events/s")
	}
}

func BenchmarkCityLots(b *testing.B) {
	events := loadCityLots(b)
	for _, set := range citySets {
		b.Run(set.name, func(b *testing.B) {
			m := newBenchMatcher(b, events, set.rules, refCounts(b, events, set.rules))
			runMatch(b, m, events)
		})
	}
	b.Run("combined", func(b *testing.B) {
		rules := combinedRules()
		m := newBenchMatcher(b, events, rules, refCounts(b, events, rules))
		runMatch(b, m, events)
	})
	b.Run("exact-10000", func(b *testing.B) {
		rules, want := exact10000(b, events)
		m := newBenchMatcher(b, events, rules, want)
		runMatch(b, m, events)
	})

	// Floors: what it costs to look at the events at all.
	b.Run("floor-gjson-street", func(b *testing.B) {
		n := 0
		for _, ev := range events {
			if gjson.GetBytes(ev, "properties.STREET").Exists() {
				n++
			}
		}
		if want := refCount(b, events, prop("STREET", `{"exists": true}`)); n != want {
			b.Fatalf("gjson finds properties.STREET in %d events, the reference matcher in %d", n, want)
		}
		b.SetBytes(int64(cityLots.bytes / len(events)))
		b.ReportAllocs()
		b.ResetTimer()
		found := 0
		for i := 0; i < b.N; i++ {
			if gjson.GetBytes(events[i%len(events)], "properties.STREET").Exists() {
				found++
			}
		}
		b.StopTimer()
		if found == 0 {
			b.Fatal("nothing found")
		}
		reportRate(b)
	})
	b.Run("floor-gjson-absent", func(b *testing.B) {
		for _, ev := range events {
			if gjson.GetBytes(ev, "properties.ABSENT").Exists() {
				b.Fatal("found an absent key")
			}
		}
		if want := refCount(b, events, prop("ABSENT", `{"exists": true}`)); want != 0 {
			b.Fatalf("the reference matcher finds properties.ABSENT in %d events", want)
		}
		b.SetBytes(int64(cityLots.bytes / len(events)))
		b.ReportAllocs()
		b.ResetTimer()
		found := 0
		for i := 0; i < b.N; i++ {
			if gjson.GetBytes(events[i%len(events)], "ABSENT").Exists() {
				found++
			}
		}
		b.StopTimer()
		if found != 0 {
			b.Fatal("found an absent key")
		}
		reportRate(b)
	})
	b.Run("floor-encoding-json", func(b *testing.B) {
		street := func(ev []byte) bool {
			var m map[string]any
			if err := json.Unmarshal(ev, &m); err != nil {
				b.Fatal(err)
			}
			p, _ := m["properties"].(map[string]any)
			_, ok := p["STREET"]
			return ok
		}
		n := 0
		for _, ev := range events {
			if street(ev) {
				n++
			}
		}
		if want := refCount(b, events, prop("STREET", `{"exists": true}`)); n != want {
			b.Fatalf("encoding/json finds properties.STREET in %d events, the reference matcher in %d", n, want)
		}
		b.SetBytes(int64(cityLots.bytes / len(events)))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			street(events[i%len(events)])
		}
		b.StopTimer()
		reportRate(b)
	})
}

// BenchmarkCityLotsParallel runs the combined set from every goroutine of
// b.RunParallel over one Matcher.
func BenchmarkCityLotsParallel(b *testing.B) {
	events := loadCityLots(b)
	rules := combinedRules()
	m := newBenchMatcher(b, events, rules, refCounts(b, events, rules))
	b.SetBytes(int64(cityLots.bytes / len(events)))
	b.ReportAllocs()
	var next sync.Mutex
	start := 0
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		next.Lock()
		i := start
		start += 7919
		next.Unlock()
		var dst []string
		for pb.Next() {
			var err error
			dst, err = m.Match(events[i%len(events)], dst[:0])
			if err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.StopTimer()
	reportRate(b)
}

// BenchmarkAdd10000 measures adding 10,000 exact rules to an empty Matcher:
// the time per op is the time for all 10,000, and heap-bytes is the live
// heap the Matcher holds afterwards.
func BenchmarkAdd10000(b *testing.B) {
	events := loadCityLots(b)
	rules, _ := exact10000Rules(events)
	srcs := make([][]byte, len(rules))
	names := make([]string, len(rules))
	for i, r := range rules {
		srcs[i] = []byte(r)
		names[i] = fmt.Sprintf("r%d", i)
	}
	b.ReportAllocs()
	var heap uint64
	var keep *Matcher
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		keep = nil
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		m := NewMatcher()
		for j, src := range srcs {
			if err := m.Add(names[j], src); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - before.HeapAlloc
		keep = m
		b.StartTimer()
	}
	b.StopTimer()
	if keep.Len() != len(rules) {
		b.Fatalf("Len = %d", keep.Len())
	}
	b.ReportMetric(float64(heap), "heap-bytes")
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Millisecond), "ms/10000")
}

// exact10000Rules returns 10,000 distinct exact rules on the properties
// fields MAPBLKLOT, BLKLOT and STREET, with values taken from every
// seventh event, and the rules' values. Like the five rules of exact, they
// name values that occur in the events; a typical event matches one or two
// of them.
func exact10000Rules(events [][]byte) (rules, values []string) {
	fields := []string{"MAPBLKLOT", "BLKLOT", "STREET"}
	seen := map[string]bool{}
	for i := 0; len(rules) < 10000; i++ {
		ev := events[(i*7)%len(events)]
		f := fields[i%len(fields)]
		r := gjson.GetBytes(ev, "properties."+f)
		if r.Type != gjson.String || seen[f+"\x00"+r.Str] {
			continue
		}
		seen[f+"\x00"+r.Str] = true
		v, _ := json.Marshal(r.Str)
		rules = append(rules, prop(f, string(v)))
		values = append(values, r.Str)
	}
	return rules, values
}
