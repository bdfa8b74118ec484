package rules_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// gate is a target that holds every delivery until it is opened, or until
// the delivery's context ends.
type gate struct {
	open    chan struct{}
	once    sync.Once
	started atomic.Int64
	done    atomic.Int64
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) Deliver(ctx context.Context, _ targets.Delivery) error {
	g.started.Add(1)
	select {
	case <-g.open:
		g.done.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// TestFullQueue fills the pending-delivery queue and checks the policy:
// PutEvents waits for room; a context that ends first gets
// ThrottlingException for that entry, all of whose deliveries are refused
// while the others go on; an event wider than the queue waits for an empty
// queue; nothing is dropped.
func TestFullQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var throttled atomic.Int64
		obs := rules.ObserverFunc(func(_ context.Context, n rules.Notice) {
			if n.Kind == rules.EventThrottled && n.Code == rules.ThrottlingException {
				throttled.Add(1)
			}
		})
		b := newBus(t, rules.WithQueueCapacity(3), rules.WithObserver(obs))
		g := newGate()
		wideRec := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "one", EventPattern: orderPattern})
		mustPutTargets(t, b, "one", rules.Target{ID: "gate", Target: g})
		mustPutRule(t, b, rules.Rule{Name: "wide", EventPattern: `{"source": ["wide"]}`})
		mustPutTargets(t, b, "wide", rules.Target{ID: "a", Target: wideRec}, rules.Target{ID: "b", Target: wideRec})
		wide := rules.Entry{Source: "wide", DetailType: "W", Detail: `{}`}

		mustPut(t, b, order(1, 1), order(2, 1))
		if p := b.Metrics().PendingDeliveries; p != 2 {
			t.Fatalf("pending %d, want 2", p)
		}
		// One slot is free; the wide event needs two: all or nothing.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := b.PutEvents(ctx, wide, order(3, 1))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if e := res.Entries[0]; e.ErrorCode != rules.ThrottlingException || !strings.Contains(e.ErrorMessage, "2 deliveries found no room in the queue (capacity 3)") {
			t.Errorf("wide entry: %+v", e)
		}
		if e := res.Entries[1]; e.EventID == "" || res.FailedEntryCount != 1 {
			t.Errorf("the next entry should take the free slot: %+v", res)
		}

		// A full queue makes PutEvents wait until a slot frees up.
		var done atomic.Bool
		var res2 rules.PutEventsResult
		go func() {
			res2, _ = b.PutEvents(context.Background(), order(4, 1))
			done.Store(true)
		}()
		synctest.Wait()
		if done.Load() {
			t.Fatal("PutEvents did not wait for room")
		}
		g.release()
		synctest.Wait()
		if !done.Load() || res2.FailedEntryCount != 0 {
			t.Fatalf("PutEvents after room was made: done %v, %+v", done.Load(), res2)
		}
		flush(t, b)

		// An event with more deliveries than the capacity waits for an
		// empty queue, then goes through whole.
		mustPutTargets(t, b, "wide", rules.Target{ID: "c", Target: wideRec}, rules.Target{ID: "d", Target: wideRec}, rules.Target{ID: "e", Target: wideRec})
		mustPut(t, b, wide, wide)
		flush(t, b)
		if n := len(wideRec.deliveries()); n != 10 {
			t.Errorf("wide events delivered %d times, want 10", n)
		}
		m := b.Metrics()
		if m.PutEventsThrottledEntries != 1 || m.PutEventsFailedEntries != 1 || throttled.Load() != 1 ||
			g.done.Load() != 4 || m.SuccessfulInvocationAttempts != 14 || m.PendingDeliveries != 0 {
			t.Errorf("metrics %+v, gate delivered %d, throttled notices %d", m, g.done.Load(), throttled.Load())
		}
	})
}

// TestCloseInterruptsRetries closes a Bus whose deliveries are waiting to
// retry: when Close's context ends they are interrupted and dead-lettered
// with code INTERRUPTED (or reported failed, without a dead-letter
// target), and Close says so. None is lost.
func TestCloseInterruptsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := rules.New()
		if err != nil {
			t.Fatal(err)
		}
		var attempts atomic.Int64
		failing := targets.Func(func(context.Context, targets.Delivery) error {
			attempts.Add(1)
			return errors.New("503")
		})
		dlq := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern})
		mustPutTargets(t, b, "r",
			rules.Target{ID: "with-dlq", Target: failing, DeadLetter: dlq},
			rules.Target{ID: "without", Target: failing})
		ids := mustPut(t, b, order(1, 1), order(2, 1), order(3, 1))
		synctest.Wait() // every delivery is waiting out its backoff
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		err = b.Close(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "6 deliveries were interrupted") {
			t.Errorf("Close = %v", err)
		}
		if waited := time.Since(start); waited != time.Hour {
			t.Errorf("Close returned after %v, want 1h", waited)
		}
		recs := dlq.deadLetters(t)
		if len(recs) != 3 {
			t.Fatalf("%d dead letters, want 3", len(recs))
		}
		got := map[string]bool{}
		for _, r := range recs {
			if r.ErrorCode != targets.CodeInterrupted || r.TargetID != "with-dlq" || r.RuleName != "r" || r.RetryAttempts < 1 {
				t.Errorf("dead letter %+v", r)
			}
			got[r.EventID] = true
		}
		for _, id := range ids {
			if !got[id] {
				t.Errorf("event %s not dead-lettered", id)
			}
		}
		m := b.Metrics()
		if m.InvocationsSentToDlq != 3 || m.FailedInvocations != 3 || m.Invocations != 6 || m.PendingDeliveries != 0 {
			t.Errorf("metrics %+v", m)
		}
		if err := b.Close(context.Background()); err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("second Close = %v, want the first one's result", err)
		}
	})
}

// TestCloseWaits checks that Close waits for deliveries in flight and
// retries that finish in time, then refuses every call.
func TestCloseWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := rules.New()
		if err != nil {
			t.Fatal(err)
		}
		var calls, delivered atomic.Int64
		slow := targets.Func(func(ctx context.Context, d targets.Delivery) error {
			if calls.Add(1)%2 == 1 {
				return errors.New("first attempt fails")
			}
			time.Sleep(10 * time.Second)
			delivered.Add(1)
			return nil
		})
		mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern})
		mustPutTargets(t, b, "r", rules.Target{ID: "slow", Target: slow, Concurrency: 1,
			RetryPolicy: targets.RetryPolicy{Backoff: targets.Backoff{Base: time.Second, Cap: time.Second}}})
		mustPut(t, b, order(1, 1), order(2, 1), order(3, 1))
		if err := b.Close(context.Background()); err != nil {
			t.Fatalf("Close = %v", err)
		}
		if delivered.Load() != 3 {
			t.Errorf("Close returned with %d of 3 delivered", delivered.Load())
		}
		ctx := context.Background()
		if _, err := b.PutEvents(ctx, order(4, 1)); !errors.Is(err, rules.ErrClosed) {
			t.Errorf("PutEvents after Close: %v", err)
		}
		if _, err := b.PutRawEvents(ctx, []byte(`{}`)); !errors.Is(err, rules.ErrClosed) {
			t.Errorf("PutRawEvents after Close: %v", err)
		}
		if _, err := b.PutRule(ctx, rules.Rule{Name: "x", EventPattern: orderPattern}); !errors.Is(err, rules.ErrClosed) {
			t.Errorf("PutRule after Close: %v", err)
		}
		if err := b.DisableRule(ctx, "r"); !errors.Is(err, rules.ErrClosed) {
			t.Errorf("DisableRule after Close: %v", err)
		}
		if err := b.Flush(ctx); err != nil {
			t.Errorf("Flush after Close: %v", err)
		}
		if _, err := b.DescribeRule("r"); err != nil {
			t.Errorf("DescribeRule after Close: %v", err)
		}
	})
}

// TestCloseWhilePutEventsWaits: a PutEvents waiting for room when Close
// begins gives up with InternalFailure rather than hanging.
func TestCloseWhilePutEventsWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := rules.New(rules.WithQueueCapacity(1))
		if err != nil {
			t.Fatal(err)
		}
		g := newGate()
		mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern})
		mustPutTargets(t, b, "r", rules.Target{ID: "gate", Target: g, RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: targets.NoRetries}})
		mustPut(t, b, order(1, 1))
		var res rules.PutEventsResult
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _ = b.PutEvents(context.Background(), order(2, 1))
		}()
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := b.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Close = %v", err)
		}
		wg.Wait()
		if e := res.Entries[0]; e.ErrorCode != rules.InternalFailure || !strings.Contains(e.ErrorMessage, "bus is closed") {
			t.Errorf("waiting entry: %+v", e)
		}
		if m := b.Metrics(); m.FailedInvocations != 1 || g.started.Load() != 1 {
			t.Errorf("metrics %+v", m)
		}
	})
}

// TestFlush checks that Flush waits for the deliveries admitted before it,
// and only for those.
func TestFlush(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		g1, g2 := newGate(), newGate()
		mustPutRule(t, b, rules.Rule{Name: "one", EventPattern: `{"source": ["one"]}`})
		mustPutTargets(t, b, "one", rules.Target{ID: "g", Target: g1})
		mustPutRule(t, b, rules.Rule{Name: "two", EventPattern: `{"source": ["two"]}`})
		mustPutTargets(t, b, "two", rules.Target{ID: "g", Target: g2})
		mustPut(t, b, rules.Entry{Source: "one", DetailType: "x", Detail: `{}`})

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := b.Flush(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Flush with a cancelled context = %v", err)
		}
		var flushed atomic.Bool
		go func() {
			if err := b.Flush(context.Background()); err != nil {
				t.Errorf("Flush = %v", err)
			}
			flushed.Store(true)
		}()
		synctest.Wait()
		mustPut(t, b, rules.Entry{Source: "two", DetailType: "x", Detail: `{}`})
		synctest.Wait()
		if flushed.Load() {
			t.Fatal("Flush returned with a delivery pending")
		}
		g1.release()
		synctest.Wait()
		if !flushed.Load() {
			t.Fatal("Flush waited for a delivery admitted after it was called")
		}
		if g2.started.Load() != 1 || g2.done.Load() != 0 {
			t.Errorf("second delivery: started %d, done %d", g2.started.Load(), g2.done.Load())
		}
		g2.release()
		flush(t, b)
		if b.Metrics().PendingDeliveries != 0 {
			t.Error("deliveries pending after Flush")
		}
	})
}
