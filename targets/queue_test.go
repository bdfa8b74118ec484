package targets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

func mustQueue(t *testing.T, c targets.QueueConfig) *targets.Queue {
	t.Helper()
	q, err := targets.NewQueue(c)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestQueueAckNack(t *testing.T) {
	q := mustQueue(t, targets.QueueConfig{Capacity: 2})
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if err := q.Deliver(ctx, event(id)); err != nil {
			t.Fatal(err)
		}
	}
	m, err := q.Receive(ctx)
	if err != nil || m.Delivery.EventID != "a" || m.Receives != 1 {
		t.Fatalf("Receive = %+v, %v", m, err)
	}
	if q.Len() != 1 || q.InFlight() != 1 {
		t.Errorf("Len %d InFlight %d", q.Len(), q.InFlight())
	}
	if err := m.Nack(); err != nil {
		t.Fatal(err)
	}
	if err := m.Ack(); !errors.Is(err, targets.ErrSettled) {
		t.Errorf("Ack after Nack: %v, want ErrSettled", err)
	}
	again, err := q.Receive(ctx)
	if err != nil || again.Delivery.EventID != "a" || again.Receives != 2 {
		t.Fatalf("a nacked message must come back first: %+v, %v", again, err)
	}
	if err := m.Nack(); !errors.Is(err, targets.ErrSettled) {
		t.Errorf("stale Nack: %v, want ErrSettled", err)
	}
	if err := again.Ack(); err != nil {
		t.Fatal(err)
	}
	if err := again.Ack(); !errors.Is(err, targets.ErrSettled) {
		t.Errorf("double Ack: %v", err)
	}
	if q.Len() != 1 || q.InFlight() != 0 {
		t.Errorf("Len %d InFlight %d, want 1 and 0", q.Len(), q.InFlight())
	}
}

func TestQueueFullPolicies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		q := mustQueue(t, targets.QueueConfig{Capacity: 1})
		if err := q.Deliver(ctx, event("a")); err != nil {
			t.Fatal(err)
		}
		// In-flight messages count: a received one still holds the place.
		m, _ := q.Receive(ctx)
		done := make(chan error)
		go func() { done <- q.Deliver(ctx, event("b")) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Deliver to a full queue returned %v; want it to block", err)
		default:
		}
		_ = m.Ack() // frees the place: the blocked Deliver goes through
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		// A blocked Deliver gives up with its context, and queues nothing.
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := q.Deliver(tctx, event("c")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want the context's error", err)
		}
		if q.Len() != 1 {
			t.Errorf("Len %d, want 1", q.Len())
		}

		r := mustQueue(t, targets.QueueConfig{Capacity: 1, WhenFull: targets.RejectWhenFull})
		_ = r.Deliver(ctx, event("a"))
		err := r.Deliver(ctx, event("b"))
		if c := targets.Classify(err); !errors.Is(err, targets.ErrQueueFull) || c.Code != targets.CodeThrottling || c.Permanent {
			t.Errorf("reject policy: %v, want a retryable THROTTLING ErrQueueFull", err)
		}
	})
}

func TestQueueClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		q := mustQueue(t, targets.QueueConfig{Capacity: 1})
		_ = q.Deliver(ctx, event("a"))
		blocked := make(chan error)
		go func() { blocked <- q.Deliver(ctx, event("b")) }()
		waiting := make(chan error)
		empty := mustQueue(t, targets.QueueConfig{})
		go func() { _, err := empty.Receive(ctx); waiting <- err }()
		synctest.Wait()
		q.Close()
		empty.Close()
		if err := <-blocked; !errors.Is(err, targets.ErrQueueClosed) || !targets.IsPermanent(err) {
			t.Errorf("blocked Deliver after Close: %v", err)
		}
		if err := <-waiting; !errors.Is(err, targets.ErrQueueClosed) {
			t.Errorf("blocked Receive after Close: %v", err)
		}
		m, err := q.Receive(ctx) // what was queued still comes out
		if err != nil || m.Delivery.EventID != "a" {
			t.Fatalf("Receive after Close: %v", err)
		}
		_ = m.Nack() // and a nack still puts it back
		m, err = q.Receive(ctx)
		if err != nil || m.Receives != 2 {
			t.Fatalf("Receive of a nacked message after Close: %+v %v", m, err)
		}
		_ = m.Ack()
		if _, err := q.Receive(ctx); !errors.Is(err, targets.ErrQueueClosed) {
			t.Errorf("Receive on a closed, empty queue: %v", err)
		}
		if err := q.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// TestQueueConcurrentProducersConsumers pushes events through a full
// pipeline (retry, dead-letter) into small queues, from many producers,
// while several consumers ack, and nack some messages (a few again and
// again). Every event must end up acked exactly once or dead-lettered
// exactly once: none lost, none duplicated, and the counters must agree.
func TestQueueConcurrentProducersConsumers(t *testing.T) {
	for _, policy := range []targets.FullPolicy{targets.BlockWhenFull, targets.RejectWhenFull} {
		t.Run(fmt.Sprintf("policy=%d", policy), func(t *testing.T) {
			const producers, perProducer, consumers = 6, 200, 3
			q := mustQueue(t, targets.QueueConfig{Capacity: 8, WhenFull: policy})
			dlq := &recorder{}
			counters := &targets.Counters{}
			retry := targets.RetryPolicy{MaximumRetryAttempts: 2, Backoff: targets.Backoff{Base: 50 * time.Microsecond, Cap: 200 * time.Microsecond}}
			tg, err := targets.Wrap(q, targets.Config{RetryPolicy: retry, DeadLetter: dlq, Observer: counters})
			if err != nil {
				t.Fatal(err)
			}

			var (
				mu    sync.Mutex
				acked = map[string]int{}
				nacks int
			)
			var cwg sync.WaitGroup
			for range consumers {
				cwg.Go(func() {
					for {
						m, err := q.Receive(context.Background())
						if errors.Is(err, targets.ErrQueueClosed) {
							return
						}
						if err != nil {
							t.Error(err)
							return
						}
						id := m.Delivery.EventID
						h := hash(id)
						// Nack one in four on first receipt, one in 16 three times.
						if h%4 == 0 && m.Receives == 1 || h%16 == 1 && m.Receives <= 3 {
							mu.Lock()
							nacks++
							mu.Unlock()
							if err := m.Nack(); err != nil {
								t.Error(err)
							}
							continue
						}
						mu.Lock()
						acked[id]++
						mu.Unlock()
						if err := m.Ack(); err != nil {
							t.Error(err)
						}
					}
				})
			}

			var pwg sync.WaitGroup
			var ids []string
			for p := range producers {
				for i := range perProducer {
					ids = append(ids, fmt.Sprintf("p%d-%d", p, i))
				}
				pwg.Go(func() {
					for i := range perProducer {
						if err := tg.Deliver(context.Background(), event(fmt.Sprintf("p%d-%d", p, i))); err != nil {
							t.Errorf("Deliver: %v (the event is neither queued nor dead-lettered)", err)
						}
					}
				})
			}
			pwg.Wait()
			q.Close()
			cwg.Wait()

			var dead []targets.DeadLetterRecord
			for _, d := range dlq.deliveries() {
				var rec targets.DeadLetterRecord
				if err := json.Unmarshal(d.Payload, &rec); err != nil {
					t.Fatal(err)
				}
				if rec.ErrorCode != targets.CodeThrottling || rec.ExhaustedRetryCondition != targets.MaximumRetryAttempts {
					t.Errorf("dead-letter record %+v: want THROTTLING after MaximumRetryAttempts", rec)
				}
				dead = append(dead, rec)
			}
			exactlyOnce(t, ids, acked, dead)
			m := counters.Snapshot()
			if m.Invocations != int64(len(ids)) || m.InvocationsSentToDlq != int64(len(dead)) ||
				m.SuccessfulInvocationAttempts != int64(len(ids)-len(dead)) || m.FailedInvocations != 0 {
				t.Errorf("metrics %+v with %d events, %d dead-lettered", m, len(ids), len(dead))
			}
			if policy == targets.BlockWhenFull && len(dead) != 0 {
				t.Errorf("blocking queue dead-lettered %d events", len(dead))
			}
			if nacks == 0 {
				t.Error("no message was nacked: the test did not exercise redelivery")
			}
			t.Logf("%d events: %d acked, %d dead-lettered, %d nacks, %d retries",
				len(ids), len(acked), len(dead), nacks, m.RetryInvocationAttempts)
		})
	}
}
