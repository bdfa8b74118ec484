package rules_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixedClock is 2026-01-02T03:04:05Z.
var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return fixedTime }

// counterIDs returns an event-id source "ev-1", "ev-2", ...
func counterIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("ev-%d", n.Add(1)) }
}

// newBus returns a Bus that is closed when the test ends; closing must
// succeed.
func newBus(t testing.TB, opts ...rules.Option) *rules.Bus {
	t.Helper()
	b, err := rules.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// recorder is a target that keeps what it receives.
type recorder struct {
	mu  sync.Mutex
	got []targets.Delivery
}

func (r *recorder) Deliver(_ context.Context, d targets.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, d)
	return nil
}

func (r *recorder) deliveries() []targets.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func (r *recorder) payloads() []string {
	var out []string
	for _, d := range r.deliveries() {
		out = append(out, string(d.Payload))
	}
	slices.Sort(out)
	return out
}

// deadLetters decodes the records a dead-letter recorder received.
func (r *recorder) deadLetters(t testing.TB) []targets.DeadLetterRecord {
	t.Helper()
	var out []targets.DeadLetterRecord
	for _, d := range r.deliveries() {
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal(d.Payload, &rec); err != nil {
			t.Fatalf("dead-letter payload %s: %v", d.Payload, err)
		}
		out = append(out, rec)
	}
	return out
}

func mustPutRule(t testing.TB, b *rules.Bus, r rules.Rule) string {
	t.Helper()
	arn, err := b.PutRule(context.Background(), r)
	if err != nil {
		t.Fatalf("PutRule(%s): %v", r.Name, err)
	}
	return arn
}

func mustPutTargets(t testing.TB, b *rules.Bus, rule string, ts ...rules.Target) {
	t.Helper()
	if err := b.PutTargets(context.Background(), rule, ts...); err != nil {
		t.Fatalf("PutTargets(%s): %v", rule, err)
	}
}

// mustPut puts entries and fails the test unless all were accepted.
func mustPut(t testing.TB, b *rules.Bus, entries ...rules.Entry) []string {
	t.Helper()
	res, err := b.PutEvents(context.Background(), entries...)
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	var ids []string
	for i, e := range res.Entries {
		if e.ErrorCode != "" {
			t.Fatalf("PutEvents entry %d: %s: %s", i, e.ErrorCode, e.ErrorMessage)
		}
		ids = append(ids, e.EventID)
	}
	return ids
}

func flush(t testing.TB, b *rules.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func order(n int, total float64) rules.Entry {
	return rules.Entry{Source: "shop", DetailType: "Order Placed",
		Detail: fmt.Sprintf(`{"order": %d, "total": %v, "customer": "Ada"}`, n, total)}
}

const orderPattern = `{"source": ["shop"], "detail-type": ["Order Placed"]}`
