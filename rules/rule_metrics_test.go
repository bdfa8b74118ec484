package rules_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

func ruleMetrics(t testing.TB, b *rules.Bus, name string) rules.RuleMetrics {
	t.Helper()
	m, err := b.RuleMetrics(name)
	if err != nil {
		t.Fatalf("RuleMetrics(%s): %v", name, err)
	}
	return m
}

// TestRuleMetrics checks each rule's counters against what happened to
// it: matches, condition errors, deliveries, retries and dead letters of
// its own targets only; that the rules' counts add up to the Bus's; that
// they survive PutRule and go with DeleteRule.
func TestRuleMetrics(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	ok := targets.Func(func(context.Context, targets.Delivery) error { return nil })
	var calls atomic.Int64
	flaky := targets.Func(func(context.Context, targets.Delivery) error { // fails every other attempt
		if calls.Add(1)%2 == 1 {
			return errors.New("flaky")
		}
		return nil
	})
	failing := targets.Func(func(context.Context, targets.Delivery) error { return errors.New("down") })
	dlq := &recorder{}
	retry := targets.RetryPolicy{MaximumRetryAttempts: 1, Backoff: targets.Backoff{Base: 1, Cap: 1}}

	mustPutRule(t, b, rules.Rule{Name: "orders-all", EventPattern: orderPattern})
	mustPutTargets(t, b, "orders-all", rules.Target{ID: "ok", Target: ok}, rules.Target{ID: "flaky", Target: flaky, RetryPolicy: retry})
	mustPutRule(t, b, rules.Rule{Name: "orders-big", EventPattern: orderPattern, Condition: `event.detail.total > 100.0`})
	mustPutTargets(t, b, "orders-big", rules.Target{ID: "down", Target: failing, RetryPolicy: retry, DeadLetter: dlq})
	mustPutRule(t, b, rules.Rule{Name: "orders-odd", EventPattern: orderPattern, Condition: `event.detail.nope > 1.0`}) // always fails
	mustPutRule(t, b, rules.Rule{Name: "payments", EventPattern: `{"source": ["bank"]}`})

	mustPut(t, b, order(1, 50), order(2, 150), order(3, 250))
	flush(t, b)

	all := ruleMetrics(t, b, "orders-all")
	if all.MatchedEvents != 3 || all.TriggeredRules != 3 || all.ConditionErrors != 0 ||
		all.Invocations != 6 || all.SuccessfulInvocationAttempts != 6 || all.InvocationAttempts != 9 ||
		all.RetryInvocationAttempts != 3 || all.FailedInvocations != 0 || all.DeadLetterInvocations != 0 {
		t.Errorf("orders-all: %+v", all)
	}
	big := ruleMetrics(t, b, "orders-big")
	if big.MatchedEvents != 2 || big.TriggeredRules != 2 || big.Invocations != 2 || big.InvocationAttempts != 4 ||
		big.RetryInvocationAttempts != 2 || big.SuccessfulInvocationAttempts != 0 || big.FailedInvocations != 0 ||
		big.DeadLetterInvocations != 2 || big.InvocationsSentToDlq != 2 || big.InvocationsFailedToBeSentToDlq != 0 {
		t.Errorf("orders-big: %+v", big)
	}
	if n := len(dlq.deadLetters(t)); n != 2 {
		t.Errorf("%d dead letters, want 2", n)
	}
	odd := ruleMetrics(t, b, "orders-odd")
	if odd.MatchedEvents != 0 || odd.ConditionErrors != 3 || odd.Invocations != 0 {
		t.Errorf("orders-odd: %+v", odd)
	}
	if pay := ruleMetrics(t, b, "payments"); pay != (rules.RuleMetrics{Name: "payments"}) {
		t.Errorf("payments, which matched nothing: %+v", pay)
	}

	// The rules' counts add up to the Bus's.
	var sum rules.RuleMetrics
	for _, m := range b.ListRuleMetrics("") {
		sum.TriggeredRules += m.TriggeredRules
		sum.ConditionErrors += m.ConditionErrors
		sum.Invocations += m.Invocations
		sum.InvocationAttempts += m.InvocationAttempts
		sum.RetryInvocationAttempts += m.RetryInvocationAttempts
		sum.InvocationsSentToDlq += m.InvocationsSentToDlq
	}
	bm := b.Metrics()
	if sum.TriggeredRules != bm.TriggeredRules || sum.ConditionErrors != bm.ConditionErrors || sum.Invocations != bm.Invocations ||
		sum.InvocationAttempts != bm.InvocationAttempts || sum.RetryInvocationAttempts != bm.RetryInvocationAttempts ||
		sum.InvocationsSentToDlq != bm.InvocationsSentToDlq {
		t.Errorf("rules add up to %+v, the Bus has %+v", sum, bm)
	}

	// ListRuleMetrics: by prefix, in name order.
	var names []string
	for _, m := range b.ListRuleMetrics("orders") {
		names = append(names, m.Name)
	}
	if fmt.Sprint(names) != "[orders-all orders-big orders-odd]" {
		t.Errorf(`ListRuleMetrics("orders") names %v`, names)
	}

	// Replacing a rule, disabling and enabling it keep its counters.
	mustPutRule(t, b, rules.Rule{Name: "orders-all", EventPattern: `{"source": ["shop"]}`, Description: "v2"})
	if err := b.DisableRule(ctx, "orders-all"); err != nil {
		t.Fatal(err)
	}
	if err := b.EnableRule(ctx, "orders-all"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, order(4, 10))
	flush(t, b)
	if m := ruleMetrics(t, b, "orders-all"); m.MatchedEvents != 4 || m.Invocations != 8 {
		t.Errorf("orders-all after PutRule: %+v", m)
	}

	// Deleting a rule deletes its counters; one made again starts anew.
	if err := b.DeleteRule(ctx, "orders-big", true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RuleMetrics("orders-big"); !errors.Is(err, rules.ErrResourceNotFound) {
		t.Errorf("RuleMetrics of a deleted rule: %v", err)
	}
	mustPutRule(t, b, rules.Rule{Name: "orders-big", EventPattern: orderPattern})
	if m := ruleMetrics(t, b, "orders-big"); m != (rules.RuleMetrics{Name: "orders-big"}) {
		t.Errorf("orders-big made again: %+v", m)
	}
	if _, err := b.RuleMetrics("nope"); !errors.Is(err, rules.ErrResourceNotFound) {
		t.Errorf("RuleMetrics of an unknown rule: %v", err)
	}
}

// TestRuleMetricsConcurrent reads rule counters while producers put events
// and other rules come and go, and checks the stable rules' final counts
// exactly.
func TestRuleMetricsConcurrent(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	ok := targets.Func(func(context.Context, targets.Delivery) error { return nil })
	for _, name := range []string{"a", "b"} {
		mustPutRule(t, b, rules.Rule{Name: name, EventPattern: orderPattern})
		mustPutTargets(t, b, name, rules.Target{ID: "ok", Target: ok})
	}
	const producers, events = 4, 200
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range events {
				mustPut(t, b, order(p*events+i, 1))
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() { // churns rules and reads counters
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			name := fmt.Sprintf("churn-%d", i%3)
			if _, err := b.PutRule(ctx, rules.Rule{Name: name, EventPattern: orderPattern}); err != nil {
				t.Error(err)
				return
			}
			for _, m := range b.ListRuleMetrics("") {
				if m.Invocations > m.MatchedEvents {
					t.Errorf("%s: %d invocations of %d matched events with one target", m.Name, m.Invocations, m.MatchedEvents)
				}
			}
			if err := b.DeleteRule(ctx, name, true); err != nil {
				t.Error(err)
				return
			}
			runtime.Gosched() // let the producers run
		}
	})
	wg.Wait()
	close(stop)
	readers.Wait()
	flush(t, b)
	for _, name := range []string{"a", "b"} {
		if m := ruleMetrics(t, b, name); m.MatchedEvents != producers*events || m.Invocations != producers*events ||
			m.SuccessfulInvocationAttempts != producers*events {
			t.Errorf("%s: %+v, want %d matches and deliveries", name, m, producers*events)
		}
	}
}
