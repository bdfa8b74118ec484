package rules_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// benchRulePattern is the pattern of rule i: each event matches exactly
// one rule, chosen by its customer.
func benchRulePattern(i int) string {
	return fmt.Sprintf(`{"source": ["shop"], "detail-type": ["Order Placed"], "detail": {"customer": ["cust-%d"], "total": [{"numeric": [">", 0]}]}}`, i)
}

func benchEntry(i int) rules.Entry {
	return rules.Entry{Source: "shop", DetailType: "Order Placed",
		Detail: fmt.Sprintf(`{"order": %d, "customer": "cust-%d", "total": 120.5, "items": ["a", "b", "c"]}`, i, i)}
}

// BenchmarkPutEvents puts one-entry events on a Bus with n rules, each
// event matching one rule whose Func target counts it, and reports
// events/s end to end (deliveries included: the Bus is flushed before the
// clock stops). The matcher sub-benchmark is the baseline: the same
// rules' patterns in one pattern.Matcher, matching the same events (already
// in their envelope). The difference per event is what the Bus adds.
func BenchmarkPutEvents(b *testing.B) {
	for _, n := range benchRuleCounts {
		const distinct = 64 // events cycle through this many customers
		b.Run(fmt.Sprintf("bus/rules=%d", n), func(b *testing.B) {
			bus, err := rules.New(rules.WithClock(fixedClock), rules.WithQueueCapacity(benchCapacity))
			if err != nil {
				b.Fatal(err)
			}
			defer bus.Close(context.Background())
			var delivered atomic.Int64
			count := targets.Func(func(context.Context, targets.Delivery) error { delivered.Add(1); return nil })
			ctx := context.Background()
			for i := range n {
				name := fmt.Sprintf("rule-%d", i)
				if _, err := bus.PutRule(ctx, rules.Rule{Name: name, EventPattern: benchRulePattern(i)}); err != nil {
					b.Fatal(err)
				}
				if err := bus.PutTargets(ctx, name, rules.Target{ID: "count", Target: count}); err != nil {
					b.Fatal(err)
				}
			}
			entries := make([]rules.Entry, distinct)
			for i := range entries {
				entries[i] = benchEntry(i * n / distinct)
			}
			b.ReportAllocs()
			start, cpu := time.Now(), cpuTime()
			i := 0
			for b.Loop() {
				res, err := bus.PutEvents(ctx, entries[i%distinct])
				if err != nil || res.FailedEntryCount != 0 {
					b.Fatal(err, res)
				}
				i++
			}
			if err := bus.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			reportRates(b, i, start, cpu)
			if delivered.Load() != int64(i) {
				b.Fatalf("delivered %d of %d", delivered.Load(), i)
			}
		})
		b.Run(fmt.Sprintf("matcher/rules=%d", n), func(b *testing.B) {
			m := pattern.NewMatcher()
			for i := range n {
				if err := m.Add(fmt.Sprintf("rule-%d", i), []byte(benchRulePattern(i))); err != nil {
					b.Fatal(err)
				}
			}
			events := make([][]byte, distinct)
			for i := range events {
				e := benchEntry(i * n / distinct)
				events[i] = []byte(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Order Placed","source":"shop","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":` + e.Detail + `}`)
			}
			b.ReportAllocs()
			start, cpu := time.Now(), cpuTime()
			var dst []string
			i := 0
			for b.Loop() {
				var err error
				dst, err = m.Match(events[i%distinct], dst[:0])
				if err != nil || len(dst) != 1 {
					b.Fatal(err, dst)
				}
				i++
			}
			reportRates(b, i, start, cpu)
		})
	}
}

// BenchmarkCondition puts events that match a rule with a CEL condition,
// beside the same rule without one: the difference is the cost of
// decoding the event for CEL and evaluating the condition.
func BenchmarkCondition(b *testing.B) {
	for _, tc := range []struct{ name, cond string }{
		{"none", ""},
		{"cel", `event.detail.total > 100.0 && event.detail.items.size() >= 3`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			bus, err := rules.New()
			if err != nil {
				b.Fatal(err)
			}
			defer bus.Close(context.Background())
			var delivered atomic.Int64
			ctx := context.Background()
			if _, err := bus.PutRule(ctx, rules.Rule{Name: "r", EventPattern: benchRulePattern(7), Condition: tc.cond}); err != nil {
				b.Fatal(err)
			}
			if err := bus.PutTargets(ctx, "r", rules.Target{ID: "count", Target: targets.Func(func(context.Context, targets.Delivery) error {
				delivered.Add(1)
				return nil
			})}); err != nil {
				b.Fatal(err)
			}
			e := benchEntry(7)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if _, err := bus.PutEvents(ctx, e); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := bus.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			if delivered.Load() != int64(n) {
				b.Fatalf("delivered %d of %d", delivered.Load(), n)
			}
		})
	}
}

// BenchmarkThreshold puts events that match a rule with a target (the
// baseline), a threshold rule that counts them, or one that sums a field:
// the difference is the cost of an alarm per matched event.
func BenchmarkThreshold(b *testing.B) {
	for _, tc := range []struct {
		name string
		th   *rules.Threshold
	}{
		{"target", nil},
		{"count", &rules.Threshold{Count: 1 << 50, Period: 5 * time.Minute}},
		{"sum", &rules.Threshold{Count: 1 << 50, Period: 5 * time.Minute, Field: "detail.total"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			bus, err := rules.New()
			if err != nil {
				b.Fatal(err)
			}
			defer bus.Close(context.Background())
			ctx := context.Background()
			if _, err := bus.PutRule(ctx, rules.Rule{Name: "r", EventPattern: benchRulePattern(7), Threshold: tc.th}); err != nil {
				b.Fatal(err)
			}
			if err := bus.PutTargets(ctx, "r", rules.Target{ID: "noop", Target: targets.Func(func(context.Context, targets.Delivery) error { return nil })}); err != nil {
				b.Fatal(err)
			}
			e := benchEntry(7)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bus.PutEvents(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			if err := bus.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			if m := bus.Metrics(); m.TriggeredRules == 0 || m.AlarmValuesSkipped != 0 {
				b.Fatalf("metrics %+v", m)
			}
		})
	}
}

// benchRuleCounts are the rule-set sizes of BenchmarkPutEvents. With a
// single rule the matcher costs little, so the Bus's own cost shows best.
var benchRuleCounts = []int{1, 100, 10_000}

var benchCapacity = 256

// reportRates reports events/s (wall clock) and the process's CPU time per
// event, GC and delivery goroutines included, since start.
func reportRates(b *testing.B, events int, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
	if c := cpuTime(); c > 0 {
		b.ReportMetric(float64(c-cpu)/float64(events), "cpu-ns/event")
	}
}
