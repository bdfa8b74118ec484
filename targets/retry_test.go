package targets_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// flaky fails its first n calls with err, then succeeds, recording when
// each call happened.
type flaky struct {
	mu    sync.Mutex
	n     int
	err   error
	calls []time.Time
	atts  []int
}

func (f *flaky) Deliver(_ context.Context, d targets.Delivery) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, time.Now())
	f.atts = append(f.atts, d.Attempt)
	if len(f.calls) <= f.n {
		return f.err
	}
	return nil
}

func (f *flaky) offsets(start time.Time) []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for _, c := range f.calls {
		out = append(out, c.Sub(start))
	}
	return out
}

func mustRetry(t *testing.T, p targets.RetryPolicy, o targets.Observer) targets.Middleware {
	t.Helper()
	m, err := targets.Retry(p, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRetryBackoffTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		f := &flaky{n: 3, err: errors.New("503")}
		obs := &noticeLog{}
		tg := mustRetry(t, targets.RetryPolicy{Backoff: targets.Backoff{Base: time.Second, Cap: time.Minute, Rand: fixedRand(0.5)}}, obs)(f)
		d := event("e1")
		d.IngestionTime = start
		if err := tg.Deliver(context.Background(), d); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		want := []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond}
		if got := f.offsets(start); !slices.Equal(got, want) {
			t.Errorf("attempts at %v, want %v", got, want)
		}
		if !slices.Equal(f.atts, []int{1, 2, 3, 4}) {
			t.Errorf("Attempt numbers %v", f.atts)
		}
		wantKinds := []targets.Kind{
			targets.AttemptStarted, targets.AttemptFailed, targets.Retrying,
			targets.AttemptStarted, targets.AttemptFailed, targets.Retrying,
			targets.AttemptStarted, targets.AttemptFailed, targets.Retrying,
			targets.AttemptStarted, targets.Delivered,
		}
		if got := obs.kinds(); !slices.Equal(got, wantKinds) {
			t.Errorf("notices %v, want %v", got, wantKinds)
		}
		var delays []time.Duration
		for _, n := range obs.of(targets.Retrying) {
			delays = append(delays, n.Delay)
		}
		if !slices.Equal(delays, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}) {
			t.Errorf("Retrying delays %v", delays)
		}
	})
}

func TestRetryEventAgeLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := targets.RetryPolicy{MaximumEventAgeInSeconds: 60, Backoff: targets.Backoff{Base: 10 * time.Second, Cap: 20 * time.Second, Rand: fixedRand(0.5)}}
		// Waits 5, 10, 10, ... s: attempts at 0, 5, 15, 25, 35, 45, 55; the
		// next would start at 65 s, past the 60 s age.
		start := time.Now()
		f := &flaky{n: 1000, err: errors.New("down")}
		d := event("e1")
		d.IngestionTime = start
		err := mustRetry(t, p, nil)(f).Deliver(context.Background(), d)
		var de *targets.DeliveryError
		if !errors.As(err, &de) || de.Condition != targets.MaximumEventAgeInSeconds || de.Attempts != 7 {
			t.Fatalf("got %v (%+v), want MaximumEventAgeInSeconds after 7 attempts", err, de)
		}
		if got := time.Since(start); got != 55*time.Second {
			t.Errorf("gave up after %v, want 55s (no waiting past the limit)", got)
		}

		// Age counts from ingestion, not from the first attempt.
		f = &flaky{n: 1000, err: errors.New("down")}
		d.IngestionTime = time.Now().Add(-50 * time.Second)
		err = mustRetry(t, p, nil)(f).Deliver(context.Background(), d)
		if !errors.As(err, &de) || de.Condition != targets.MaximumEventAgeInSeconds || de.Attempts != 2 {
			t.Fatalf("ingested 50 s ago: got %v, want age limit after 2 attempts", err)
		}
	})
}

func TestRetryAttemptLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 1000, err: errors.New("down")}
		err := mustRetry(t, targets.RetryPolicy{MaximumRetryAttempts: 2}, nil)(f).Deliver(context.Background(), event("e"))
		var de *targets.DeliveryError
		if !errors.As(err, &de) || de.Condition != targets.MaximumRetryAttempts || de.Attempts != 3 || de.RetryAttempts() != 2 {
			t.Fatalf("got %v, want MaximumRetryAttempts after 3 attempts", err)
		}
		f = &flaky{n: 1000, err: errors.New("down")}
		err = mustRetry(t, targets.RetryPolicy{MaximumRetryAttempts: targets.NoRetries}, nil)(f).Deliver(context.Background(), event("e"))
		if !errors.As(err, &de) || de.Attempts != 1 || len(f.calls) != 1 {
			t.Fatalf("NoRetries: got %v after %d calls, want 1 attempt", err, len(f.calls))
		}
	})
}

func TestRetryPermanentAndRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 1000, err: targets.Permanent(errors.New("400 Bad Request"))}
		err := mustRetry(t, targets.RetryPolicy{}, nil)(f).Deliver(context.Background(), event("e"))
		var de *targets.DeliveryError
		if !errors.As(err, &de) || de.Attempts != 1 || de.Condition != "" {
			t.Fatalf("permanent: got %v, want one attempt and no condition", err)
		}

		start := time.Now()
		f = &flaky{n: 1, err: targets.RetryAfter(errors.New("429"), 30*time.Second)}
		err = mustRetry(t, targets.RetryPolicy{Backoff: targets.Backoff{Base: time.Second, Rand: fixedRand(0.5)}}, nil)(f).Deliver(context.Background(), event("e"))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.offsets(start); !slices.Equal(got, []time.Duration{0, 30 * time.Second}) {
			t.Errorf("retry-after 30 s: attempts at %v", got)
		}
	})
}

func TestRetryCancelStopsWaitingAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &flaky{n: 1000, err: errors.New("down")}
		tg := mustRetry(t, targets.RetryPolicy{Backoff: targets.Backoff{Base: time.Hour, Cap: time.Hour, Rand: fixedRand(0.9)}}, nil)(f)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Minute)
			cancel()
		}()
		start := time.Now()
		err := tg.Deliver(ctx, event("e"))
		if got := time.Since(start); got != time.Minute {
			t.Errorf("returned after %v, want 1m (at cancellation, not after the 54 min backoff)", got)
		}
		var de *targets.DeliveryError
		if !errors.As(err, &de) || de.Code != targets.CodeInterrupted || de.Attempts != 1 || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want an INTERRUPTED DeliveryError wrapping context.Canceled", err)
		}
		if !strings.Contains(err.Error(), "down") {
			t.Errorf("error %q does not carry the last attempt's error", err)
		}
	})
}

func TestDeadLetterRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dlq := &recorder{}
		obs := &targets.Counters{}
		f := &flaky{n: 1000, err: errors.New("503 Service Unavailable")}
		tg, err := targets.Wrap(f, targets.Config{
			RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: 2, Backoff: targets.Backoff{Rand: fixedRand(0)}},
			DeadLetter:  dlq, Observer: obs,
			Shaping: targets.Shaping{InputPath: "$.detail"},
		})
		if err != nil {
			t.Fatal(err)
		}
		d := event("evt-1")
		if err := tg.Deliver(context.Background(), d); err != nil {
			t.Fatalf("Deliver returned %v; want nil: the event was dead-lettered", err)
		}
		got := dlq.deliveries()
		if len(got) != 1 {
			t.Fatalf("%d dead-letter deliveries, want 1", len(got))
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(got[0].Payload, &fields); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		wantKeys := []string{"errorCode", "errorMessage", "event", "eventId", "exhaustedRetryCondition", "ingestionTime", "retryAttempts", "rule", "ruleArn", "target", "time"}
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("record keys %v, want %v", keys, wantKeys)
		}
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal(got[0].Payload, &rec); err != nil {
			t.Fatal(err)
		}
		if rec.RuleName != "rule" || rec.RuleARN != d.RuleARN || rec.TargetID != "target" || rec.EventID != "evt-1" ||
			rec.ErrorCode != targets.CodeErrorFromTarget || rec.ErrorMessage != "503 Service Unavailable" ||
			rec.ExhaustedRetryCondition != targets.MaximumRetryAttempts || rec.RetryAttempts != 2 {
			t.Errorf("record %+v", rec)
		}
		if string(rec.Event) != string(d.Event) {
			t.Errorf("record event %s, want the original (unshaped) event %s", rec.Event, d.Event)
		}
		m := obs.Snapshot()
		want := targets.Metrics{Invocations: 1, FailedInvocations: 0, InvocationAttempts: 3, RetryInvocationAttempts: 2,
			DeadLetterInvocations: 1, InvocationsSentToDlq: 1}
		if m != want {
			t.Errorf("metrics %+v, want %+v", m, want)
		}
	})
}

func TestDeadLetterFailureIsReported(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	counters := &targets.Counters{}
	dlqErr := errors.New("disk full")
	tg, err := targets.Wrap(targets.Func(func(context.Context, targets.Delivery) error {
		return targets.Permanent(errors.New("400 Bad Request"))
	}), targets.Config{
		DeadLetter: targets.Func(func(context.Context, targets.Delivery) error { return dlqErr }),
		Observer:   targets.MultiObserver(counters, targets.NewLogObserver(logger)),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = tg.Deliver(context.Background(), event("lost-1"))
	var dle *targets.DeadLetterError
	if !errors.As(err, &dle) || !errors.Is(err, dlqErr) || dle.Record.EventID != "lost-1" || dle.Record.RetryAttempts != 0 {
		t.Fatalf("got %v, want a *DeadLetterError wrapping the DLQ's error", err)
	}
	if !strings.Contains(err.Error(), "400 Bad Request") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %q should name both failures", err)
	}
	m := counters.Snapshot()
	if m.InvocationsFailedToBeSentToDlq != 1 || m.FailedInvocations != 1 || m.InvocationsSentToDlq != 0 || m.DeadLetterInvocations != 1 {
		t.Errorf("metrics %+v", m)
	}
	if !strings.Contains(logs.String(), "level=ERROR msg=\"dead-letter target failed: event lost\"") || !strings.Contains(logs.String(), "event_id=lost-1") {
		t.Errorf("log does not report the DLQ failure:\n%s", logs.String())
	}
}

func TestInterruptedDeliveryIsDeadLettered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dlq := &recorder{honourContext: true} // as a real DLQ would, it refuses a cancelled context
		var calls atomic.Int32
		tg, err := targets.Wrap(targets.Func(func(context.Context, targets.Delivery) error {
			calls.Add(1)
			return errors.New("down")
		}), targets.Config{RetryPolicy: targets.RetryPolicy{Backoff: targets.Backoff{Base: time.Hour, Rand: fixedRand(0.5)}}, DeadLetter: dlq})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Second, cancel) // shutdown while the delivery waits to retry
		if err := tg.Deliver(ctx, event("e")); err != nil {
			t.Fatalf("Deliver: %v; want nil (dead-lettered)", err)
		}
		got := dlq.deliveries()
		if len(got) != 1 {
			t.Fatalf("%d DLQ records, want 1: an interrupted delivery must not be dropped", len(got))
		}
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal(got[0].Payload, &rec); err != nil {
			t.Fatal(err)
		}
		if rec.ErrorCode != targets.CodeInterrupted || rec.RetryAttempts != 0 || rec.ExhaustedRetryCondition != "" || !strings.Contains(rec.ErrorMessage, "context canceled") {
			t.Errorf("record %+v", rec)
		}
		if calls.Load() != 1 {
			t.Errorf("%d attempts, want 1", calls.Load())
		}
	})
}

func TestTimeoutMiddleware(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := targets.Func(func(ctx context.Context, _ targets.Delivery) error {
			<-ctx.Done()
			return ctx.Err()
		})
		start := time.Now()
		err := targets.Timeout(2*time.Second)(hang).Deliver(context.Background(), event("e"))
		if got := time.Since(start); got != 2*time.Second {
			t.Errorf("returned after %v, want 2s", got)
		}
		if c := targets.Classify(err); c.Code != targets.CodeTimeout || c.Permanent {
			t.Errorf("got %v (%+v), want a retryable TIMEOUT", err, c)
		}
		// The caller's own cancellation is not a timeout.
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		err = targets.Timeout(time.Hour)(hang).Deliver(ctx, event("e"))
		if c := targets.Classify(err); c.Code != targets.CodeInterrupted {
			t.Errorf("cancelled: got %v, want INTERRUPTED", err)
		}
	})
}

func TestRateLimitMiddleware(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		obs := &noticeLog{}
		f := &flaky{}
		tg := targets.RateLimit(2, obs)(f)
		start := time.Now()
		for range 5 {
			if err := tg.Deliver(context.Background(), event("e")); err != nil {
				t.Fatal(err)
			}
		}
		want := []time.Duration{0, 0, 500 * time.Millisecond, time.Second, 1500 * time.Millisecond}
		if got := f.offsets(start); !slices.Equal(got, want) {
			t.Errorf("calls at %v, want %v", got, want)
		}
		if n := len(obs.of(targets.Throttled)); n != 3 {
			t.Errorf("%d Throttled notices, want 3", n)
		}
		// A cancelled context ends the wait for the limiter.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := tg.Deliver(ctx, event("e")); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled wait: %v", err)
		}
	})
}

func TestConcurrencyMiddleware(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var now, peak atomic.Int32
		slow := targets.Func(func(context.Context, targets.Delivery) error {
			n := now.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(time.Second)
			now.Add(-1)
			return nil
		})
		tg := targets.Concurrency(2)(slow)
		var wg sync.WaitGroup
		start := time.Now()
		for range 6 {
			wg.Go(func() {
				if err := tg.Deliver(context.Background(), event("e")); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if peak.Load() != 2 || time.Since(start) != 3*time.Second {
			t.Errorf("peak %d in flight over %v, want 2 over 3s", peak.Load(), time.Since(start))
		}
	})
}

func TestWrapValidates(t *testing.T) {
	_, err := targets.Wrap(&recorder{}, targets.Config{
		RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: 200},
		Shaping:     targets.Shaping{InputPath: "nope"},
		Timeout:     -1, Concurrency: -1,
	})
	for _, want := range []string{"MaximumRetryAttempts", "InputPath", "Timeout", "Concurrency"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Wrap error %v does not mention %s", err, want)
		}
	}
	if _, err := targets.Wrap(nil, targets.Config{}); err == nil {
		t.Error("Wrap(nil) succeeded")
	}
}

// TestWaitingRetriesHoldNoSlot is the engine's pattern: one Concurrency
// shared by every target, inside Retry. A delivery waiting an hour to
// retry must not keep another target's delivery from running.
func TestWaitingRetriesHoldNoSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared := targets.Concurrency(1)
		failing, err := targets.Wrap(targets.Func(func(context.Context, targets.Delivery) error { return errors.New("down") }),
			targets.Config{PerAttempt: shared, RetryPolicy: targets.RetryPolicy{Backoff: targets.Backoff{Base: time.Hour, Rand: fixedRand(0.5)}}})
		if err != nil {
			t.Fatal(err)
		}
		healthy, err := targets.Wrap(&recorder{}, targets.Config{PerAttempt: shared})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { _ = failing.Deliver(ctx, event("slow")) }()
		synctest.Wait() // the failing delivery is now waiting to retry
		start := time.Now()
		if err := healthy.Deliver(context.Background(), event("fast")); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("the healthy delivery waited %v for the slot", waited)
		}
		cancel()
		synctest.Wait()
	})
}
