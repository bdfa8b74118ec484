package targets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// flakyDLQ is a dead-letter target that answers each write with the next
// of errs (nil once errs run out) and keeps what every write saw.
type flakyDLQ struct {
	mu     sync.Mutex
	errs   []error
	writes []dlqWrite
}

type dlqWrite struct {
	d        targets.Delivery
	at       time.Time
	ctxErr   error
	ctxValue any
}

type ctxKey struct{}

func (f *flakyDLQ) Deliver(ctx context.Context, d targets.Delivery) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, dlqWrite{d: d, at: time.Now(), ctxErr: ctx.Err(), ctxValue: ctx.Value(ctxKey{})})
	if len(f.errs) == 0 {
		return nil
	}
	err := f.errs[0]
	f.errs = f.errs[1:]
	return err
}

func (f *flakyDLQ) all() []dlqWrite {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]dlqWrite(nil), f.writes...)
}

// failing is a target whose every delivery fails permanently, so that
// DeadLetter takes over after one attempt.
var failing = targets.Func(func(context.Context, targets.Delivery) error {
	return targets.Permanent(errors.New("400 Bad Request"))
})

// TestDeadLetterRetriesTransientFailures: a dead-letter target that fails
// twice and then takes the record dead-letters the event once, with no
// DeadLetterFailed notice; each write gets the same record, the caller's
// context values and a context that the caller's cancellation (here, a
// shutdown) does not reach; the writes end well within DeadLetterTimeout.
func TestDeadLetterRetriesTransientFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dlq := &flakyDLQ{errs: []error{errors.New("connection reset"), errors.New("503 Service Unavailable")}}
		notices := &noticeLog{}
		counters := &targets.Counters{}
		tg := targets.DeadLetter(dlq, targets.MultiObserver(notices, counters))(failing)

		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "request-42"))
		cancel() // the delivery is already interrupted: the dlq writes must not be
		start := time.Now()
		if err := tg.Deliver(ctx, event("e-1")); err != nil {
			t.Fatalf("Deliver: %v; want nil (dead-lettered on the third write)", err)
		}
		elapsed := time.Since(start)

		writes := dlq.all()
		if len(writes) != 3 {
			t.Fatalf("%d dead-letter writes, want 3 (two failures, then success)", len(writes))
		}
		for i, w := range writes {
			if !bytes.Equal(w.d.Payload, writes[0].d.Payload) || w.d.Attempt != 0 || w.d.EventID != "e-1" {
				t.Errorf("write %d: payload %s attempt %d event %q; want the first write's record, attempt 0, e-1", i+1, w.d.Payload, w.d.Attempt, w.d.EventID)
			}
			if w.ctxErr != nil {
				t.Errorf("write %d saw a done context (%v); the dlq write must not be cancelled with the delivery", i+1, w.ctxErr)
			}
			if w.ctxValue != "request-42" {
				t.Errorf("write %d: context value %v, want the caller's (request-42)", i+1, w.ctxValue)
			}
		}
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal(writes[0].d.Payload, &rec); err != nil || rec.EventID != "e-1" || rec.ErrorMessage != "400 Bad Request" {
			t.Errorf("record %s (%v)", writes[0].d.Payload, err)
		}
		// Full jitter: the waits are under 100 ms and 200 ms.
		if gap := writes[1].at.Sub(writes[0].at); gap >= 100*time.Millisecond {
			t.Errorf("wait before the 2nd write %v, want < 100ms", gap)
		}
		if gap := writes[2].at.Sub(writes[1].at); gap >= 200*time.Millisecond {
			t.Errorf("wait before the 3rd write %v, want < 200ms", gap)
		}
		if elapsed >= targets.DeadLetterTimeout {
			t.Errorf("dead-lettering took %v, want < DeadLetterTimeout", elapsed)
		}
		if got := notices.of(targets.DeadLettered); len(got) != 1 {
			t.Errorf("%d DeadLettered notices, want 1", len(got))
		}
		if got := notices.of(targets.DeadLetterFailed); len(got) != 0 {
			t.Errorf("%d DeadLetterFailed notices, want 0: the event was dead-lettered", len(got))
		}
		m := counters.Snapshot()
		if m.InvocationsSentToDlq != 1 || m.InvocationsFailedToBeSentToDlq != 0 || m.DeadLetterInvocations != 1 {
			t.Errorf("metrics %+v", m)
		}
	})
}

// TestDeadLetterGivesUpAfterAttempts: a dead-letter target that always
// fails gets DeadLetterAttempts writes; then Deliver returns a
// *DeadLetterError with the record, observers see one DeadLetterFailed
// notice carrying it, and the log's Error line holds the record's JSON,
// from which the original event can be replayed.
func TestDeadLetterGivesUpAfterAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errs := make([]error, 10)
		for i := range errs {
			errs[i] = errors.New("disk full")
		}
		dlq := &flakyDLQ{errs: errs}
		notices := &noticeLog{}
		var logs bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logs, nil))
		tg := targets.DeadLetter(dlq, targets.MultiObserver(notices, targets.NewLogObserver(logger)))(failing)

		d := event("lost-1")
		start := time.Now()
		err := tg.Deliver(context.Background(), d)
		elapsed := time.Since(start)

		if n := len(dlq.all()); n != targets.DeadLetterAttempts {
			t.Errorf("%d dead-letter writes, want DeadLetterAttempts (%d)", n, targets.DeadLetterAttempts)
		}
		if elapsed >= targets.DeadLetterTimeout {
			t.Errorf("gave up after %v, want < DeadLetterTimeout", elapsed)
		}
		var dle *targets.DeadLetterError
		if !errors.As(err, &dle) {
			t.Fatalf("Deliver returned %v, want a *DeadLetterError", err)
		}
		if dle.Attempts != targets.DeadLetterAttempts || dle.Record.EventID != "lost-1" || !bytes.Equal(dle.Record.Event, d.Event) ||
			dle.Record.ErrorMessage != "400 Bad Request" || dle.Err.Error() != "disk full" {
			t.Errorf("DeadLetterError %+v", dle)
		}
		if !strings.Contains(err.Error(), "after 3 writes: disk full") {
			t.Errorf("error %q does not say how many writes failed", err)
		}
		failed := notices.of(targets.DeadLetterFailed)
		if len(failed) != 1 {
			t.Fatalf("%d DeadLetterFailed notices, want 1", len(failed))
		}
		if got := notices.of(targets.DeadLettered); len(got) != 0 {
			t.Errorf("%d DeadLettered notices, want 0", len(got))
		}
		var fromNotice *targets.DeadLetterError
		if !errors.As(failed[0].Err, &fromNotice) || fromNotice != dle {
			t.Errorf("notice Err %v, want the returned *DeadLetterError", failed[0].Err)
		}

		// The Error line: one, with the record nested as JSON.
		var lines []map[string]json.RawMessage
		for line := range bytes.Lines(logs.Bytes()) {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("log line %s: %v", line, err)
			}
			lines = append(lines, m)
		}
		if len(lines) != 1 || string(lines[0]["level"]) != `"ERROR"` || string(lines[0]["msg"]) != `"dead-letter target failed: event lost"` {
			t.Fatalf("log:\n%s\nwant one Error line", logs.String())
		}
		var logged targets.DeadLetterRecord
		if err := json.Unmarshal(lines[0]["record"], &logged); err != nil {
			t.Fatalf("record in the log %s: %v", lines[0]["record"], err)
		}
		if !logged.Time.Equal(dle.Record.Time) || logged.EventID != "lost-1" || logged.ErrorMessage != "400 Bad Request" || logged.TargetID != "target" {
			t.Errorf("logged record %+v, want %+v", logged, dle.Record)
		}
		var ev, orig any
		if err := json.Unmarshal(logged.Event, &ev); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(d.Event, &orig); err != nil {
			t.Fatal(err)
		}
		if evJSON, origJSON := mustJSON(t, ev), mustJSON(t, orig); evJSON != origJSON {
			t.Errorf("logged event %s, want the original %s", evJSON, origJSON)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeadLetterWriteLimits: errors that no retry can help end the writes
// at once, a Retry-After is honoured, and no write starts or waits past
// DeadLetterTimeout.
func TestDeadLetterWriteLimits(t *testing.T) {
	cases := []struct {
		name      string
		errs      []error
		hang      bool // the dlq blocks until its context is done
		wantN     int
		wantOK    bool
		wantSpent time.Duration // exact, or -1 for "less than 300ms"
	}{
		{"permanent", []error{targets.Permanent(errors.New("403 Forbidden"))}, false, 1, false, 0},
		{"no-such-resource", []error{&targets.Error{Code: targets.CodeNoResource, Permanent: true, Err: errors.New("no queue")}}, false, 1, false, 0},
		{"negative-retry-after", []error{targets.RetryAfter(errors.New("stop"), -1)}, false, 1, false, 0},
		{"retry-after-honoured", []error{targets.RetryAfter(errors.New("429"), 2*time.Second)}, false, 2, true, 2 * time.Second},
		{"retry-after-past-budget", []error{targets.RetryAfter(errors.New("429"), time.Minute)}, false, 1, false, 0},
		{"hangs", nil, true, 1, false, targets.DeadLetterTimeout},
		{"two-then-ok", []error{errors.New("a"), errors.New("b")}, false, 3, true, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				dlq := &flakyDLQ{errs: c.errs}
				var target targets.Target = dlq
				if c.hang {
					target = targets.Func(func(ctx context.Context, d targets.Delivery) error {
						_ = dlq.Deliver(ctx, d)
						<-ctx.Done()
						return ctx.Err()
					})
				}
				start := time.Now()
				err := targets.DeadLetter(target, nil)(failing).Deliver(context.Background(), event("e"))
				spent := time.Since(start)
				if n := len(dlq.all()); n != c.wantN {
					t.Errorf("%d writes, want %d", n, c.wantN)
				}
				if (err == nil) != c.wantOK {
					t.Errorf("Deliver: %v, want ok=%v", err, c.wantOK)
				}
				var dle *targets.DeadLetterError
				if err != nil && (!errors.As(err, &dle) || dle.Attempts != c.wantN) {
					t.Errorf("Deliver: %v, want a *DeadLetterError after %d writes", err, c.wantN)
				}
				switch {
				case c.wantSpent < 0 && spent >= 300*time.Millisecond:
					t.Errorf("took %v, want < 300ms", spent)
				case c.wantSpent >= 0 && spent != c.wantSpent:
					t.Errorf("took %v, want %v", spent, c.wantSpent)
				}
			})
		})
	}
	t.Logf("%d cases run", len(cases))
}
