package targets_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rulebridge/rulebridge/targets"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recorder is a Func target's memory: what it accepted, under a lock.
type recorder struct {
	honourContext bool // refuse deliveries whose context is done
	mu            sync.Mutex
	got           []targets.Delivery
}

func (r *recorder) Deliver(ctx context.Context, d targets.Delivery) error {
	if r.honourContext && ctx.Err() != nil {
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, d)
	return nil
}

func (r *recorder) deliveries() []targets.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]targets.Delivery(nil), r.got...)
}

// noticeLog is an Observer that keeps every notice.
type noticeLog struct {
	mu sync.Mutex
	n  []targets.Notice
}

func (l *noticeLog) Observe(_ context.Context, n targets.Notice) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n = append(l.n, n)
}

func (l *noticeLog) kinds() []targets.Kind {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]targets.Kind, len(l.n))
	for i, n := range l.n {
		out[i] = n.Kind
	}
	return out
}

func (l *noticeLog) of(k targets.Kind) []targets.Notice {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []targets.Notice
	for _, n := range l.n {
		if n.Kind == k {
			out = append(out, n)
		}
	}
	return out
}

// event returns a small valid event with the given id.
func event(id string) targets.Delivery {
	e := fmt.Appendf(nil, `{"version":"0","id":%q,"detail-type":"t","source":"s","account":"1","time":"2026-01-01T00:00:00Z","region":"r","resources":[],"detail":{"n":1}}`, id)
	return targets.Delivery{Payload: e, Event: e, EventID: id, RuleName: "rule", RuleARN: "arn:aws:events:r:1:rule/rule", TargetID: "target", IngestionTime: time.Now()}
}

// fixedRand returns a Backoff.Rand that always answers v.
func fixedRand(v float64) func() float64 { return func() float64 { return v } }

// fast is a retry policy for tests against real servers: millisecond waits.
func fast(retries int) targets.RetryPolicy {
	return targets.RetryPolicy{MaximumRetryAttempts: retries, Backoff: targets.Backoff{Base: time.Millisecond, Cap: 4 * time.Millisecond}}
}
