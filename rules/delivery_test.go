package rules_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// TestDeliveries puts events through rules with shaped targets and checks
// what each target received: count, content and metadata.
func TestDeliveries(t *testing.T) {
	b := newBus(t, rules.WithClock(fixedClock), rules.WithEventIDs(counterIDs()))
	whole, detail, constant, transformed, other := &recorder{}, &recorder{}, &recorder{}, &recorder{}, &recorder{}
	mustPutRule(t, b, rules.Rule{Name: "orders", EventPattern: orderPattern})
	mustPutTargets(t, b, "orders",
		rules.Target{ID: "whole", Target: whole},
		rules.Target{ID: "detail", Target: detail, InputPath: "$.detail"},
		rules.Target{ID: "constant", Target: constant, Input: `{"ping": true}`},
		rules.Target{ID: "transformed", Target: transformed, InputTransformer: &targets.InputTransformer{
			InputPathsMap: map[string]string{"order": "$.detail.order", "who": "$.detail.customer"},
			InputTemplate: `{"order": <order>, "text": "<who> ordered", "rule": <aws.events.rule-name>}`,
		}},
	)
	mustPutRule(t, b, rules.Rule{Name: "big", EventPattern: `{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}`})
	mustPutTargets(t, b, "big", rules.Target{ID: "other", Target: other, InputPath: "$.id"})

	mustPut(t, b, order(1, 50), order(2, 150), rules.Entry{Source: "elsewhere", DetailType: "Order Placed", Detail: `{}`})
	flush(t, b)

	check := func(name string, r *recorder, want ...string) {
		t.Helper()
		got := r.payloads()
		slices.Sort(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s received:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	ev := func(id string, n int, total int) string {
		return fmt.Sprintf(`{"version":"0","id":"%s","detail-type":"Order Placed","source":"shop","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":{"order":%d,"total":%d,"customer":"Ada"}}`, id, n, total)
	}
	// ev-1 to ev-4 are the audit events of the four management calls.
	check("whole", whole, ev("ev-5", 1, 50), ev("ev-6", 2, 150))
	check("detail", detail, `{"order":1,"total":50,"customer":"Ada"}`, `{"order":2,"total":150,"customer":"Ada"}`)
	check("constant", constant, `{"ping":true}`, `{"ping":true}`)
	check("transformed", transformed, `{"order":1,"text":"Ada ordered","rule":"orders"}`, `{"order":2,"text":"Ada ordered","rule":"orders"}`)
	check("other", other, `"ev-6"`)
	for _, d := range detail.deliveries() {
		if !strings.Contains(string(d.Event), `"id":"`+d.EventID+`"`) || d.Attempt != 1 || d.TargetID != "detail" {
			t.Errorf("delivery %+v", d)
		}
	}
	m := b.Metrics()
	if m.Events != 3 || m.MatchedEvents != 2 || m.TriggeredRules != 3 || m.Invocations != 9 ||
		m.SuccessfulInvocationAttempts != 9 || m.PendingDeliveries != 0 {
		t.Errorf("metrics %+v", m)
	}
}

func TestDisabledRuleDoesNotFire(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	rec := &recorder{}
	mustPutRule(t, b, rules.Rule{Name: "off", EventPattern: orderPattern, State: rules.Disabled})
	mustPutTargets(t, b, "off", rules.Target{ID: "rec", Target: rec})
	mustPut(t, b, order(1, 1))
	flush(t, b)
	if n := len(rec.deliveries()); n != 0 {
		t.Fatalf("disabled rule delivered %d events", n)
	}
	if err := b.EnableRule(ctx, "off"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, order(2, 1))
	flush(t, b)
	if n := len(rec.deliveries()); n != 1 {
		t.Fatalf("enabled rule delivered %d events, want 1", n)
	}
	if err := b.DisableRule(ctx, "off"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, order(3, 1))
	flush(t, b)
	if n := len(rec.deliveries()); n != 1 {
		t.Fatalf("re-disabled rule delivered: %d events", n)
	}
	if m := b.Metrics(); m.MatchedEvents != 1 || m.Events != 3 {
		t.Errorf("metrics %+v", m)
	}
}

// TestObserverAndLogs follows one event through the observer and the log:
// received, matched, delivery notices; a rejected entry; and checks that
// the log uses the stable keys and never prints the payload.
func TestObserverAndLogs(t *testing.T) {
	var mu sync.Mutex
	var notices []string
	obs := rules.ObserverFunc(func(_ context.Context, n rules.Notice) {
		mu.Lock()
		defer mu.Unlock()
		s := n.Kind.String()
		if n.Kind == rules.DeliveryNotice {
			s += "/" + n.Delivery.Kind.String()
		}
		notices = append(notices, s+" "+n.EventID+" "+n.Rule+" "+n.Code)
	})
	var logs bytes.Buffer
	var logMu sync.Mutex
	h := slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug})
	b := newBus(t, rules.WithObserver(obs), rules.WithLogger(slog.New(h)), rules.WithEventIDs(counterIDs()))
	mustPutRule(t, b, rules.Rule{Name: "orders", EventPattern: orderPattern})
	mustPutTargets(t, b, "orders", rules.Target{ID: "rec", Target: &recorder{}})
	secret := rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"card": "4111-SECRET"}`}
	mustPut(t, b, secret)
	flush(t, b)
	res, _ := b.PutEvents(context.Background(), rules.Entry{Source: "shop"})
	if res.FailedEntryCount != 1 {
		t.Fatalf("result %+v", res)
	}
	mu.Lock()
	got := strings.Join(notices, "\n")
	mu.Unlock()
	// ev-1 and ev-2 are the audit events of PutRule and PutTargets: they
	// match no rule, and have no EventReceived notice.
	want := strings.Join([]string{
		"EventReceived ev-3  ",
		"RuleMatched ev-3 orders ",
		"DeliveryNotice/AttemptStarted ev-3 orders ",
		"DeliveryNotice/Delivered ev-3 orders ",
		"EventRejected   InvalidArgument",
	}, "\n")
	if got != want {
		t.Errorf("notices:\n%s\nwant:\n%s", got, want)
	}
	logMu.Lock()
	text := logs.String()
	logMu.Unlock()
	if strings.Contains(text, "SECRET") {
		t.Errorf("the log shows the payload:\n%s", text)
	}
	for _, want := range []string{`"msg":"event received","event_id":"ev-3"`, `"msg":"rule matched","event_id":"ev-3","rule":"orders"`,
		`"msg":"delivered","rule":"orders","target":"rec","event_id":"ev-3","attempt":1`,
		`"msg":"entry rejected","entry":0,"error_code":"InvalidArgument"`, `"msg":"management call","call":"PutTargets","rule":"orders"`} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %s:\n%s", want, text)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestPanickingTarget checks that a panic in a target is a failed attempt:
// retried, and dead-lettered when retries run out, with the process alive.
func TestPanickingTarget(t *testing.T) {
	b := newBus(t)
	var mu sync.Mutex
	calls := map[string]int{}
	flaky := targets.Func(func(_ context.Context, d targets.Delivery) error {
		mu.Lock()
		calls[d.EventID]++
		n := calls[d.EventID]
		mu.Unlock()
		if n == 1 || strings.Contains(string(d.Payload), `"order":2`) {
			panic("boom")
		}
		return nil
	})
	dlq := &recorder{}
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern})
	mustPutTargets(t, b, "r", rules.Target{ID: "flaky", Target: flaky, DeadLetter: dlq,
		RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: 2, Backoff: targets.Backoff{Base: 1, Cap: 1}}})
	ids := mustPut(t, b, order(1, 1), order(2, 1))
	flush(t, b)
	recs := dlq.deadLetters(t)
	if len(recs) != 1 || recs[0].EventID != ids[1] || recs[0].ErrorCode != targets.CodeErrorFromTarget ||
		!strings.Contains(recs[0].ErrorMessage, `target "flaky" of rule "r" panicked: boom`) || recs[0].RetryAttempts != 2 {
		t.Errorf("dead letters %+v", recs)
	}
	m := b.Metrics()
	if m.SuccessfulInvocationAttempts != 1 || m.RetryInvocationAttempts != 3 || m.InvocationsSentToDlq != 1 {
		t.Errorf("metrics %+v", m)
	}
	// A panicking dead-letter target is a failed dead-letter write.
	mustPutTargets(t, b, "r", rules.Target{ID: "flaky", Target: flaky, RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: targets.NoRetries},
		DeadLetter: targets.Func(func(context.Context, targets.Delivery) error { panic("dlq boom") })})
	mustPut(t, b, order(2, 1))
	flush(t, b)
	if m := b.Metrics(); m.InvocationsFailedToBeSentToDlq != 1 {
		t.Errorf("metrics after a panicking dead-letter target: %+v", m)
	}
}

// TestTwoBuses checks that buses share nothing: rules, events, metrics,
// ids and closing are their own.
func TestTwoBuses(t *testing.T) {
	a := newBus(t, rules.WithRegion("eu-west-1"))
	b, err := rules.New(rules.WithRegion("us-west-2"))
	if err != nil {
		t.Fatal(err)
	}
	ra, rb := &recorder{}, &recorder{}
	for _, x := range []struct {
		bus *rules.Bus
		rec *recorder
	}{{a, ra}, {b, rb}} {
		mustPutRule(t, x.bus, rules.Rule{Name: "orders", EventPattern: orderPattern})
		mustPutTargets(t, x.bus, "orders", rules.Target{ID: "rec", Target: x.rec})
	}
	mustPut(t, a, order(1, 1), order(2, 2))
	mustPut(t, b, order(3, 3))
	flush(t, a)
	flush(t, b)
	if len(ra.deliveries()) != 2 || len(rb.deliveries()) != 1 {
		t.Fatalf("a got %d, b got %d", len(ra.deliveries()), len(rb.deliveries()))
	}
	if !strings.Contains(string(rb.deliveries()[0].Payload), `"region":"us-west-2"`) || rb.deliveries()[0].RuleARN != "arn:aws:events:us-west-2:123456789012:rule/orders" {
		t.Errorf("b's event: %s", rb.deliveries()[0].Payload)
	}
	if a.Metrics().Events != 2 || b.Metrics().Events != 1 {
		t.Errorf("metrics a %+v, b %+v", a.Metrics(), b.Metrics())
	}
	if err := b.DeleteRule(context.Background(), "orders", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DescribeRule("orders"); err != nil {
		t.Errorf("deleting b's rule touched a's: %v", err)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutEvents(context.Background(), order(4, 4)); !errors.Is(err, rules.ErrClosed) {
		t.Errorf("PutEvents on closed b: %v", err)
	}
	mustPut(t, a, order(5, 5))
	flush(t, a)
	if len(ra.deliveries()) != 3 {
		t.Errorf("a after b closed got %d", len(ra.deliveries()))
	}
}

// TestNoMatchIsAccepted: an event no rule matches is accepted and
// discarded, as in EventBridge.
func TestNoMatchIsAccepted(t *testing.T) {
	b := newBus(t)
	ids := mustPut(t, b, order(1, 1))
	if ids[0] == "" {
		t.Fatal("no id")
	}
	if m := b.Metrics(); m.Events != 1 || m.MatchedEvents != 0 || m.Invocations != 0 {
		t.Errorf("metrics %+v", m)
	}
}
