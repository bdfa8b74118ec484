package pattern

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// sharedBenchCases are sets of 10,000 patterns that differ only in one
// customer and share the rest of their conditions; own is the baseline,
// in which each pattern has only its own condition.
var sharedBenchCases = []struct {
	name string
	rule func(i int) string
}{
	{"own", func(i int) string {
		return fmt.Sprintf(`{"detail": {"customer": ["cust-%d"]}}`, i)
	}},
	{"source", func(i int) string {
		return fmt.Sprintf(`{"source": ["shop"], "detail": {"customer": ["cust-%d"]}}`, i)
	}},
	{"source+type+range", func(i int) string {
		return fmt.Sprintf(`{"source": ["shop"], "detail-type": ["Order Placed"], "detail": {"customer": ["cust-%d"], "total": [{"numeric": [">", 0]}]}}`, i)
	}},
	{"anything-but", func(i int) string {
		return fmt.Sprintf(`{"source": [{"anything-but": "x"}], "detail": {"customer": ["cust-%d"]}}`, i)
	}},
}

// BenchmarkSharedConditions matches events against 10,000 patterns that
// share conditions (see sharedBenchCases): "hit" is an event that matches
// exactly one pattern, "miss" one that matches none but satisfies every
// shared condition. The cost should stay close to own's however many
// patterns share a condition; compare the ratios within one run.
func BenchmarkSharedConditions(b *testing.B) {
	const n = 10000
	for _, c := range sharedBenchCases {
		m := NewMatcher()
		for i := range n {
			if err := m.Add(fmt.Sprintf("rule-%05d", i), []byte(c.rule(i))); err != nil {
				b.Fatal(err)
			}
		}
		for _, ev := range []struct {
			name, customer string
			want           int
		}{{"hit", "cust-4321", 1}, {"miss", "cust-none", 0}} {
			event := []byte(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Order Placed","source":"shop","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":{"customer":"` + ev.customer + `","total":42.5,"items":3}}`)
			b.Run(c.name+"/"+ev.name, func(b *testing.B) {
				dst, err := m.Match(event, nil)
				if err != nil || len(dst) != ev.want {
					b.Fatalf("Match = %v, %v; want %d names", dst, err, ev.want)
				}
				b.ReportAllocs()
				b.SetBytes(int64(len(event)))
				for b.Loop() {
					dst, _ = m.Match(event, dst[:0])
				}
			})
		}
	}
}

// BenchmarkAddIdentical10000 adds 10,000 patterns that differ only in
// their names to an empty Matcher: all are anchored on one leaf. The time
// per op is the time for all 10,000; MB/10000 is the memory allocated
// meanwhile (garbage included).
func BenchmarkAddIdentical10000(b *testing.B) {
	benchSharers(b, func(int) string { return `{"source": ["shop"]}` }, false)
}

// BenchmarkDeleteIdentical10000 deletes, in a random order, the 10,000
// patterns of BenchmarkAddIdentical10000 (added with the timer stopped).
func BenchmarkDeleteIdentical10000(b *testing.B) {
	benchSharers(b, func(int) string { return `{"source": ["shop"]}` }, true)
}

// BenchmarkAddSharedSource10000 adds 10,000 patterns that share a source
// and have their own customer, on which each is anchored.
func BenchmarkAddSharedSource10000(b *testing.B) {
	benchSharers(b, func(i int) string {
		return fmt.Sprintf(`{"source": ["shop"], "detail": {"customer": ["c-%d"]}}`, i)
	}, false)
}

func benchSharers(b *testing.B, rule func(int) string, del bool) {
	const n = 10000
	srcs, names := make([][]byte, n), make([]string, n)
	for i := range n {
		srcs[i], names[i] = []byte(rule(i)), fmt.Sprintf("rule-%05d", i)
	}
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	add := func(m *Matcher) {
		for i, src := range srcs {
			if err := m.Add(names[i], src); err != nil {
				b.Fatal(err)
			}
		}
	}
	var allocated uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := NewMatcher()
		if del {
			add(m)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		if del {
			for _, j := range order {
				m.Delete(names[j])
			}
		} else {
			add(m)
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		allocated += after.TotalAlloc - before.TotalAlloc
		if want := map[bool]int{false: n, true: 0}[del]; m.Len() != want {
			b.Fatalf("Len = %d, want %d", m.Len(), want)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Millisecond), "ms/10000")
	b.ReportMetric(float64(allocated)/float64(b.N)/1e6, "MB/10000")
}
