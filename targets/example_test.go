package targets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

const orderEvent = `{"version":"0","id":"e-1","detail-type":"Order Placed","source":"shop","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"eu-west-1","resources":[],"detail":{"order":42,"customer":"Ada","total":99.5}}`

func orderDelivery() targets.Delivery {
	e := []byte(orderEvent)
	return targets.Delivery{Payload: e, Event: e, EventID: "e-1", RuleName: "orders", TargetID: "billing"}
}

func ExampleFunc() {
	t := targets.Func(func(ctx context.Context, d targets.Delivery) error {
		fmt.Printf("rule %s, target %s, event %s\n", d.RuleName, d.TargetID, d.EventID)
		return nil
	})
	err := t.Deliver(context.Background(), orderDelivery())
	fmt.Println(err)
	// Output:
	// rule orders, target billing, event e-1
	// <nil>
}

// Wrap gives a target a rule target's whole configuration: shaping, retry
// policy, dead-letter target and observer.
func ExampleWrap() {
	calls := 0
	flaky := targets.Func(func(ctx context.Context, d targets.Delivery) error {
		calls++
		if calls < 3 {
			return errors.New("503 Service Unavailable")
		}
		fmt.Printf("attempt %d delivered %s\n", d.Attempt, d.Payload)
		return nil
	})
	counters := &targets.Counters{}
	t, err := targets.Wrap(flaky, targets.Config{
		Shaping:     targets.Shaping{InputPath: "$.detail"},
		RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: 5, Backoff: targets.Backoff{Base: time.Millisecond}},
		DeadLetter:  targets.Func(func(context.Context, targets.Delivery) error { return nil }),
		Observer:    counters,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Deliver(context.Background(), orderDelivery()))
	m := counters.Snapshot()
	fmt.Println("attempts:", m.InvocationAttempts, "retries:", m.RetryInvocationAttempts, "invocations:", m.Invocations)
	// Output:
	// attempt 3 delivered {"order":42,"customer":"Ada","total":99.5}
	// <nil>
	// attempts: 3 retries: 2 invocations: 1
}

// Middlewares compose your own targets the same way Wrap does.
func ExampleChain() {
	retry, err := targets.Retry(targets.RetryPolicy{MaximumRetryAttempts: targets.NoRetries}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	shaper, err := targets.NewShaper(targets.Shaping{Input: `{"ping": true}`})
	if err != nil {
		fmt.Println(err)
		return
	}
	t := targets.Chain(retry, targets.Shape(shaper), targets.Timeout(time.Second))(
		targets.Func(func(_ context.Context, d targets.Delivery) error {
			fmt.Printf("%s (attempt %d)\n", d.Payload, d.Attempt)
			return nil
		}))
	fmt.Println(t.Deliver(context.Background(), orderDelivery()))
	// Output:
	// {"ping":true} (attempt 1)
	// <nil>
}

func ExampleRetry() {
	retry, err := targets.Retry(targets.RetryPolicy{MaximumRetryAttempts: 2, Backoff: targets.Backoff{Base: time.Millisecond}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := retry(targets.Func(func(context.Context, targets.Delivery) error { return errors.New("connection reset") }))
	err = t.Deliver(context.Background(), orderDelivery())
	var de *targets.DeliveryError
	if errors.As(err, &de) {
		fmt.Println(de.Code, de.Attempts, de.Condition)
	}
	fmt.Println(err)
	// Output:
	// ERROR_FROM_TARGET 3 MaximumRetryAttempts
	// targets: retries exhausted (MaximumRetryAttempts) after 3 attempts: ERROR_FROM_TARGET: connection reset
}

func ExampleDeadLetter() {
	dlq := targets.Func(func(_ context.Context, d targets.Delivery) error {
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal(d.Payload, &rec); err != nil {
			return err
		}
		fmt.Println(rec.EventID, rec.ErrorCode, rec.ErrorMessage, rec.RetryAttempts)
		return nil
	})
	t := targets.DeadLetter(dlq, nil)(targets.Func(func(context.Context, targets.Delivery) error {
		return targets.Permanent(errors.New("404 Not Found"))
	}))
	fmt.Println(t.Deliver(context.Background(), orderDelivery()))
	// Output:
	// e-1 ERROR_FROM_TARGET 404 Not Found 0
	// <nil>
}

// When the dead-letter target fails too (here permanently, so after one
// write; a transient failure gets DeadLetterAttempts writes), Deliver
// returns a *DeadLetterError holding the record: keep it elsewhere to
// replay the event later.
func ExampleDeadLetterError() {
	dlq := targets.Func(func(context.Context, targets.Delivery) error {
		return targets.Permanent(errors.New("403 Forbidden"))
	})
	t := targets.DeadLetter(dlq, nil)(targets.Func(func(context.Context, targets.Delivery) error {
		return targets.Permanent(errors.New("404 Not Found"))
	}))
	err := t.Deliver(context.Background(), orderDelivery())
	var dle *targets.DeadLetterError
	if errors.As(err, &dle) {
		fmt.Println(dle.Attempts, dle.Record.EventID, dle.Record.ErrorMessage, string(dle.Record.Event) == orderEvent)
		fmt.Println(err)
	}
	// Output:
	// 1 e-1 404 Not Found true
	// targets: dead-letter target failed for event "e-1" (rule "orders", target "billing") after 1 write: 403 Forbidden; the delivery had failed with ERROR_FROM_TARGET: 404 Not Found
}

func ExampleNewDeadLetterRecord() {
	err := &targets.DeliveryError{Code: targets.CodeTimeout, Attempts: 4, Condition: targets.MaximumEventAgeInSeconds, Err: errors.New("no response within 5s")}
	rec := targets.NewDeadLetterRecord(orderDelivery(), err, time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC))
	rec.Event = json.RawMessage(`{"id":"e-1"}`) // shortened for the example
	out, _ := json.Marshal(rec)
	fmt.Println(string(out))
	// Output:
	// {"rule":"orders","target":"billing","eventId":"e-1","errorCode":"TIMEOUT","errorMessage":"no response within 5s","exhaustedRetryCondition":"MaximumEventAgeInSeconds","retryAttempts":3,"time":"2026-01-02T03:05:00Z","event":{"id":"e-1"}}
}

func ExampleNewShaper() {
	s, err := targets.NewShaper(targets.Shaping{InputTransformer: &targets.InputTransformer{
		InputPathsMap: map[string]string{"order": "$.detail.order", "who": "$.detail.customer"},
		InputTemplate: `{"order": <order>, "text": "<who> ordered #<order>", "rule": <aws.events.rule-name>}`,
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := s.Render(orderDelivery())
	fmt.Println(string(out), err)
	// Output:
	// {"order":42,"text":"Ada ordered #42","rule":"orders"} <nil>
}

// Configuration errors name the field and the variable at fault.
func ExampleNewShaper_errors() {
	_, err := targets.NewShaper(targets.Shaping{InputTransformer: &targets.InputTransformer{
		InputPathsMap: map[string]string{"state": "$.detail[state]"},
		InputTemplate: `{"s": <state>, "k": <key>}`,
	}})
	fmt.Println(err)
	// Output:
	// targets: InputTransformer.InputPathsMap["state"]: JSONPath "$.detail[state]": "[state]" at offset 8 is not an array index: want [0], [1], ... or [*]
}

// RenderInput is the transformer "sandbox": it renders without delivering.
func ExampleRenderInput() {
	out, err := targets.RenderInput(targets.Shaping{InputTransformer: &targets.InputTransformer{
		InputPathsMap: map[string]string{"who": "$.detail.customer", "total": "$.detail.total"},
		InputTemplate: `<who> spent <total> EUR`,
	}}, orderDelivery())
	fmt.Println(string(out), err)
	// Output:
	// "Ada spent 99.5 EUR" <nil>
}

func ExampleShape() {
	s, _ := targets.NewShaper(targets.Shaping{InputPath: "$.detail.customer"})
	t := targets.Shape(s)(targets.Func(func(_ context.Context, d targets.Delivery) error {
		fmt.Printf("payload %s, event id %s\n", d.Payload, d.EventID)
		return nil
	}))
	_ = t.Deliver(context.Background(), orderDelivery())
	// Output:
	// payload "Ada", event id e-1
}

func ExampleTimeout() {
	slow := targets.Func(func(ctx context.Context, _ targets.Delivery) error {
		<-ctx.Done()
		return ctx.Err()
	})
	err := targets.Timeout(10*time.Millisecond)(slow).Deliver(context.Background(), orderDelivery())
	fmt.Println(targets.Classify(err).Code, err)
	// Output:
	// TIMEOUT targets: attempt timed out after 10ms: context deadline exceeded
}

func ExampleRateLimit() {
	throttled := 0
	obs := targets.ObserverFunc(func(_ context.Context, n targets.Notice) {
		if n.Kind == targets.Throttled {
			throttled++
		}
	})
	t := targets.RateLimit(4, obs)(targets.Func(func(context.Context, targets.Delivery) error { return nil }))
	for range 5 { // a burst of 4, then one that waits its turn (~250 ms)
		_ = t.Deliver(context.Background(), orderDelivery())
	}
	fmt.Println("throttled:", throttled)
	// Output:
	// throttled: 1
}

func ExampleConcurrency() {
	// One Concurrency value bounds every target it wraps: here, two targets
	// share one slot.
	one := targets.Concurrency(1)
	a := one(targets.Func(func(context.Context, targets.Delivery) error { fmt.Println("a"); return nil }))
	b := one(targets.Func(func(context.Context, targets.Delivery) error { fmt.Println("b"); return nil }))
	_ = a.Deliver(context.Background(), orderDelivery())
	_ = b.Deliver(context.Background(), orderDelivery())
	// Output:
	// a
	// b
}

func ExampleNewHTTP() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("%s %s %s %s\n", r.Method, r.URL.Path, r.Header.Get("Content-Type"), body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	h, err := targets.NewHTTP(targets.HTTPConfig{URL: srv.URL + "/orders", Method: "PUT"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	d := orderDelivery()
	d.Payload = []byte(`{"order":42}`)
	fmt.Println(h.Deliver(context.Background(), d))
	// Output:
	// PUT /orders application/json; charset=utf-8 {"order":42}
	// <nil>
}

func ExampleBasicAuth() {
	conn, err := targets.BasicAuth("alice", "s3cret")
	fmt.Println(conn, err)
	// Output:
	// targets.Connection(basic) <nil>
}

func ExampleAPIKeyAuth() {
	conn, err := targets.APIKeyAuth("x-api-key", "k3y")
	fmt.Println(conn, err)
	// Output:
	// targets.Connection(api-key) <nil>
}

func ExampleOAuthClientCredentials() {
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"t-1","token_type":"Bearer","expires_in":3600}`)
	}))
	defer tokens.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("api got", r.Header.Get("Authorization"))
	}))
	defer api.Close()

	conn, err := targets.OAuthClientCredentials(targets.OAuthConfig{TokenURL: tokens.URL, ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	h, _ := targets.NewHTTP(targets.HTTPConfig{URL: api.URL, Connection: conn})
	defer h.Close()
	fmt.Println(h.Deliver(context.Background(), orderDelivery()))
	// Output:
	// api got Bearer t-1
	// <nil>
}

func ExampleSecretFromEnv() {
	os.Setenv("EXAMPLE_API_KEY", "k3y")
	defer os.Unsetenv("EXAMPLE_API_KEY")
	key, err := targets.SecretFromEnv("EXAMPLE_API_KEY")
	fmt.Println(key, err)
	_, err = targets.SecretFromEnv("EXAMPLE_MISSING")
	fmt.Println(err)
	// Output:
	// [REDACTED] <nil>
	// targets: environment variable EXAMPLE_MISSING is not set
}

func ExampleNewQueue() {
	q, err := targets.NewQueue(targets.QueueConfig{Capacity: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	_ = q.Deliver(ctx, orderDelivery())

	m, _ := q.Receive(ctx)
	fmt.Println("received", m.Delivery.EventID, "time", m.Receives)
	_ = m.Nack() // not now: it comes back

	m, _ = q.Receive(ctx)
	fmt.Println("received", m.Delivery.EventID, "time", m.Receives)
	_ = m.Ack()
	fmt.Println("left:", q.Len(), q.InFlight())
	// Output:
	// received e-1 time 1
	// received e-1 time 2
	// left: 0 0
}

func ExampleNewFile() {
	dir, _ := os.MkdirTemp("", "dlq")
	defer os.RemoveAll(dir)
	f, err := targets.NewFile(filepath.Join(dir, "dead-letters.jsonl"))
	if err != nil {
		fmt.Println(err)
		return
	}
	t := targets.DeadLetter(f, nil)(targets.Func(func(context.Context, targets.Delivery) error {
		return targets.Permanent(errors.New("400 Bad Request"))
	}))
	_ = t.Deliver(context.Background(), orderDelivery())
	f.Close()
	data, _ := os.ReadFile(f.Name())
	var rec targets.DeadLetterRecord
	_ = json.Unmarshal(data, &rec)
	fmt.Println(rec.RuleName, rec.TargetID, rec.ErrorCode, rec.ErrorMessage)
	// Output:
	// orders billing ERROR_FROM_TARGET 400 Bad Request
}

// A dead-letter target that keeps failing: after DeadLetterAttempts writes
// the event is lost, and the Error line carries the record to replay it.
func ExampleNewLogObserver() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey:
				return slog.Attr{}
			case "record": // the record's JSON holds the current time: shortened here
				return slog.String("record", "{...}")
			}
			return a
		},
	}))
	t := targets.DeadLetter(
		targets.Func(func(context.Context, targets.Delivery) error { return errors.New("disk full") }),
		targets.NewLogObserver(logger),
	)(targets.Func(func(context.Context, targets.Delivery) error { return targets.Permanent(errors.New("410 Gone")) }))
	_ = t.Deliver(context.Background(), orderDelivery())
	// Output:
	// level=ERROR msg="dead-letter target failed: event lost" rule=orders target=billing event_id=e-1 attempt=0 error_code=ERROR_FROM_TARGET error="targets: dead-letter target failed for event \"e-1\" (rule \"orders\", target \"billing\") after 3 writes: disk full; the delivery had failed with ERROR_FROM_TARGET: 410 Gone" record={...}
}

func ExampleMultiObserver() {
	var a, b targets.Counters
	obs := targets.MultiObserver(&a, nil, &b)
	obs.Observe(context.Background(), targets.Notice{Kind: targets.Delivered})
	fmt.Println(a.Snapshot().Invocations, b.Snapshot().Invocations)
	// Output:
	// 1 1
}

func ExampleCounters() {
	var c targets.Counters // the zero value is ready
	retry, _ := targets.Retry(targets.RetryPolicy{MaximumRetryAttempts: 1, Backoff: targets.Backoff{Base: time.Millisecond}}, &c)
	t := targets.DeadLetter(targets.Func(func(context.Context, targets.Delivery) error { return nil }), &c)(
		retry(targets.Func(func(context.Context, targets.Delivery) error { return errors.New("down") })))
	_ = t.Deliver(context.Background(), orderDelivery())
	fmt.Printf("%+v\n", c.Snapshot())
	// Output:
	// {Invocations:1 FailedInvocations:0 InvocationAttempts:2 SuccessfulInvocationAttempts:0 RetryInvocationAttempts:1 DeadLetterInvocations:1 InvocationsSentToDlq:1 InvocationsFailedToBeSentToDlq:0 ThrottledRules:0}
}

func ExamplePermanent() {
	err := targets.Permanent(errors.New("422 Unprocessable Entity"))
	fmt.Println(targets.IsPermanent(err), err)
	// Output:
	// true 422 Unprocessable Entity
}

func ExampleRetryAfter() {
	err := targets.RetryAfter(errors.New("busy"), 30*time.Second)
	p := targets.RetryPolicy{Backoff: targets.Backoff{Base: time.Second, Rand: func() float64 { return 0.5 }}}
	fmt.Println(p.Decide(1, err, 0))
	// Output:
	// {true 30s ERROR_FROM_TARGET }
}

func ExampleClassify() {
	c := targets.Classify(fmt.Errorf("calling billing: %w", context.DeadlineExceeded))
	fmt.Println(c.Code, c.Permanent)
	// Output:
	// TIMEOUT false
}

func ExampleRetryPolicy_Decide() {
	p := targets.RetryPolicy{MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 60,
		Backoff: targets.Backoff{Base: 10 * time.Second, Rand: func() float64 { return 0.5 }}}
	err := errors.New("503")
	fmt.Println(p.Decide(1, err, 0))
	fmt.Println(p.Decide(4, err, 30*time.Second))
	fmt.Println(p.Decide(2, err, 58*time.Second))
	// Output:
	// {true 5s ERROR_FROM_TARGET }
	// {false 0s ERROR_FROM_TARGET MaximumRetryAttempts}
	// {false 0s ERROR_FROM_TARGET MaximumEventAgeInSeconds}
}

func ExampleRetryPolicy_Validate() {
	fmt.Println(targets.RetryPolicy{MaximumRetryAttempts: 200, MaximumEventAgeInSeconds: 30}.Validate())
	// Output:
	// targets: RetryPolicy.MaximumRetryAttempts: 200 is out of range: want 0-185 (0 means the default, 185) or NoRetries (-1)
	// targets: RetryPolicy.MaximumEventAgeInSeconds: 30 is out of range: want 60-86400, or 0 for the default (86400)
}

func ExampleBackoff_Delay() {
	b := targets.Backoff{Base: time.Second, Cap: 8 * time.Second, Rand: func() float64 { return 0.5 }}
	for n := 1; n <= 5; n++ {
		fmt.Print(b.Delay(n), " ")
	}
	fmt.Println()
	// Output:
	// 500ms 1s 2s 4s 4s
}

func ExampleObserverFunc() {
	obs := targets.ObserverFunc(func(_ context.Context, n targets.Notice) {
		fmt.Println(n.Kind, n.Delivery.EventID, n.Delivery.Attempt)
	})
	retry, _ := targets.Retry(targets.RetryPolicy{}, obs)
	_ = retry(targets.Func(func(context.Context, targets.Delivery) error { return nil })).Deliver(context.Background(), orderDelivery())
	// Output:
	// AttemptStarted e-1 1
	// Delivered e-1 1
}
