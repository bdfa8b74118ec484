package rules_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rulebridge/rulebridge/rules"
)

// TestConditions checks conditions that hold, fail, err and run out of
// budget: only holding ones deliver; errors are reported to the observer
// and counted, and mean no match.
func TestConditions(t *testing.T) {
	var mu sync.Mutex
	var failures []string
	obs := rules.ObserverFunc(func(_ context.Context, n rules.Notice) {
		if n.Kind == rules.ConditionFailed {
			mu.Lock()
			failures = append(failures, n.Rule+": "+n.Err.Error())
			mu.Unlock()
		}
	})
	b := newBus(t, rules.WithObserver(obs), rules.WithConditionCostLimit(200))
	conds := map[string]string{
		"big-basket": `event.detail.total > 100.0 && event.detail.items.size() >= 3`,
		"int-cmp":    `event.detail.total > 100`,
		"vip":        `event.detail.customer.startsWith("V") || "vip" in event.detail.tags`,
		"missing":    `event.detail.nope > 1.0`,
		"costly":     `event.detail.items.exists(x, x > 5000.0)`,
	}
	recs := map[string]*recorder{}
	for name, c := range conds {
		recs[name] = &recorder{}
		mustPutRule(t, b, rules.Rule{Name: name, EventPattern: orderPattern, Condition: c})
		mustPutTargets(t, b, name, rules.Target{ID: "rec", Target: recs[name], InputPath: "$.detail.n"})
	}
	items := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat("1.0,", n), ",") + "]" }
	event := func(n int, total float64, nItems int, customer string) rules.Entry {
		return rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: fmt.Sprintf(
			`{"n": %d, "total": %v, "items": %s, "customer": %q, "tags": ["new"]}`, n, total, items(nItems), customer)}
	}
	mustPut(t, b,
		event(1, 150, 3, "Ada"),   // big-basket, int-cmp
		event(2, 150, 2, "Vera"),  // int-cmp, vip
		event(3, 50, 5, "Bob"),    // nothing
		event(4, 101, 500, "Ada"), // big-basket, int-cmp; costly runs out of budget
	)
	flush(t, b)
	want := map[string]string{"big-basket": "1,4", "int-cmp": "1,2,4", "vip": "2", "missing": "", "costly": ""}
	for name, w := range want {
		if got := strings.Join(recs[name].payloads(), ","); got != w {
			t.Errorf("rule %s delivered events %q, want %q", name, got, w)
		}
	}
	m := b.Metrics()
	if m.ConditionErrors != 5 || m.TriggeredRules != 6 || m.MatchedEvents != 3 {
		t.Errorf("metrics %+v", m)
	}
	mu.Lock()
	defer mu.Unlock()
	var missing, costly int
	for _, f := range failures {
		switch {
		case strings.HasPrefix(f, "missing: ") && strings.Contains(f, "no such key: nope"):
			missing++
		case strings.HasPrefix(f, "costly: ") && strings.Contains(f, "cost limit exceeded"):
			costly++
		default:
			t.Errorf("unexpected condition failure %q", f)
		}
	}
	if missing != 4 || costly != 1 {
		t.Errorf("failures: %d missing-key (want 4), %d cost-limit (want 1): %q", missing, costly, failures)
	}
}

// TestConditionReplaced checks that changing only the condition takes
// effect for the next event.
func TestConditionReplaced(t *testing.T) {
	b := newBus(t)
	rec := &recorder{}
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern, Condition: `event.detail.total > 100.0`})
	mustPutTargets(t, b, "r", rules.Target{ID: "rec", Target: rec, InputPath: "$.detail.order"})
	mustPut(t, b, order(1, 50), order(2, 500))
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern, Condition: `event.detail.total < 100.0`})
	mustPut(t, b, order(3, 50), order(4, 500))
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern})
	mustPut(t, b, order(5, 50))
	flush(t, b)
	if got := strings.Join(rec.payloads(), ","); got != "2,3,5" {
		t.Errorf("delivered %s, want 2,3,5", got)
	}
}
