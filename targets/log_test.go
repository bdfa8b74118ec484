package targets_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// TestLogObserverLevels checks the level, message and keys of each
// notice's log line.
func TestLogObserverLevels(t *testing.T) {
	d := event("e-1")
	d.Attempt = 2
	boom := errors.New("boom")
	cases := []struct {
		n    targets.Notice
		want string // the line, without the time
	}{
		{targets.Notice{Kind: targets.AttemptStarted, Delivery: d},
			`level=DEBUG msg="delivery attempt" rule=rule target=target event_id=e-1 attempt=2`},
		{targets.Notice{Kind: targets.AttemptFailed, Delivery: d, Err: boom, Code: targets.CodeErrorFromTarget},
			`level=DEBUG msg="delivery attempt failed" rule=rule target=target event_id=e-1 attempt=2 error_code=ERROR_FROM_TARGET error=boom`},
		{targets.Notice{Kind: targets.Retrying, Delivery: d, Err: boom, Code: targets.CodeErrorFromTarget, Delay: 1500 * time.Millisecond},
			`level=INFO msg="delivery will be retried" rule=rule target=target event_id=e-1 attempt=2 error_code=ERROR_FROM_TARGET error=boom delay=1.5s`},
		{targets.Notice{Kind: targets.Delivered, Delivery: d},
			`level=DEBUG msg=delivered rule=rule target=target event_id=e-1 attempt=2`},
		{targets.Notice{Kind: targets.Failed, Delivery: d, Err: boom, Code: targets.CodeErrorFromTarget, Condition: targets.MaximumRetryAttempts},
			`level=WARN msg="delivery failed" rule=rule target=target event_id=e-1 attempt=2 error_code=ERROR_FROM_TARGET error=boom condition=MaximumRetryAttempts`},
		{targets.Notice{Kind: targets.DeadLettered, Delivery: d, Err: boom, Code: targets.CodeErrorFromTarget, Condition: targets.MaximumRetryAttempts},
			`level=WARN msg="event dead-lettered" rule=rule target=target event_id=e-1 attempt=2 error_code=ERROR_FROM_TARGET condition=MaximumRetryAttempts`},
		{targets.Notice{Kind: targets.DeadLetterFailed, Delivery: d, Err: boom, Code: targets.CodeErrorFromTarget},
			`level=ERROR msg="dead-letter target failed: event lost" rule=rule target=target event_id=e-1 attempt=2 error_code=ERROR_FROM_TARGET error=boom`},
		{targets.Notice{Kind: targets.DeadLetterFailed, Delivery: d, Code: targets.CodeErrorFromTarget, Err: &targets.DeadLetterError{
			Record:   targets.DeadLetterRecord{RuleName: "rule", TargetID: "target", EventID: "e-1", ErrorCode: targets.CodeErrorFromTarget, ErrorMessage: "boom", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Event: []byte(`{"id":"e-1"}`)},
			Attempts: 3, Err: errors.New("disk full"), Cause: boom}},
			`level=ERROR msg="dead-letter target failed: event lost" rule=rule target=target event_id=e-1 attempt=2 error_code=ERROR_FROM_TARGET error="targets: dead-letter target failed for event \"e-1\" (rule \"rule\", target \"target\") after 3 writes: disk full; the delivery had failed with ERROR_FROM_TARGET: boom" record="{\"rule\":\"rule\",\"target\":\"target\",\"eventId\":\"e-1\",\"errorCode\":\"ERROR_FROM_TARGET\",\"errorMessage\":\"boom\",\"retryAttempts\":0,\"time\":\"2026-01-02T03:04:05Z\",\"event\":{\"id\":\"e-1\"}}"`},
		{targets.Notice{Kind: targets.Throttled, Delivery: d, Delay: time.Second},
			`level=DEBUG msg="delivery throttled" rule=rule target=target event_id=e-1 attempt=2 delay=1s`},
	}
	for _, c := range cases {
		var buf strings.Builder
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime}))
		targets.NewLogObserver(logger).Observe(context.Background(), c.n)
		if got := strings.TrimSuffix(buf.String(), "\n"); got != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.n.Kind, got, c.want)
		}
	}
	t.Logf("%d notice kinds checked", len(cases))
	targets.NewLogObserver(nil).Observe(context.Background(), cases[0].n) // a nil logger logs nothing, and does not panic
}

// TestLogObserverSaysEachThingOnce delivers an event that fails three
// times and is dead-lettered: at Info each attempt's error is logged once
// (as a retry, or as the delivery's failure), and the dead-lettering does
// not repeat it; at Debug the attempts are logged too.
func TestLogObserverSaysEachThingOnce(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var buf strings.Builder
				logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level, ReplaceAttr: dropTime}))
				calls := 0
				tg, err := targets.Wrap(targets.Func(func(context.Context, targets.Delivery) error {
					calls++
					return fmt.Errorf("boom-%d", calls)
				}), targets.Config{
					RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: 2, Backoff: targets.Backoff{Base: time.Second, Rand: fixedRand(0.5)}},
					DeadLetter:  &recorder{},
					Observer:    targets.NewLogObserver(logger),
				})
				if err != nil {
					t.Fatal(err)
				}
				if err := tg.Deliver(context.Background(), event("e-1")); err != nil {
					t.Fatalf("Deliver: %v", err)
				}
				log := buf.String()
				var msgs []string
				for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
					_, rest, _ := strings.Cut(line, "msg=")
					msg, _, _ := strings.Cut(strings.TrimPrefix(rest, `"`), `"`)
					msgs = append(msgs, msg)
				}
				want := []string{"delivery will be retried", "delivery will be retried", "delivery failed", "event dead-lettered"}
				perAttempt := 1
				if level == slog.LevelDebug {
					want = []string{"delivery attempt", "delivery attempt failed", "delivery will be retried",
						"delivery attempt", "delivery attempt failed", "delivery will be retried",
						"delivery attempt", "delivery attempt failed", "delivery failed", "event dead-lettered"}
					perAttempt = 2 // the attempt's own line, and the retry or failure
				}
				if strings.Join(msgs, "|") != strings.Join(want, "|") {
					t.Errorf("messages %q, want %q\n%s", msgs, want, log)
				}
				for i := 1; i <= 3; i++ {
					if n := strings.Count(log, fmt.Sprintf("boom-%d", i)); n != perAttempt {
						t.Errorf("boom-%d logged %d times, want %d:\n%s", i, n, perAttempt, log)
					}
				}
			})
		})
	}
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
