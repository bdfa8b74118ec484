package rules

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/rulebridge/rulebridge/targets"
)

// TestDeliveryWorkers checks the reuse of delivery goroutines: a delivery
// never waits behind another (all of a burst run at once, each on its own
// goroutine), at most maxIdleWorkers goroutines stay idle once the burst
// is over, idle ones take the next deliveries, and Close ends them all.
func TestDeliveryWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b, err := New(WithConcurrency(1000)) // the attempt limit is not under test
		if err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		defer func() { // on failure too, so that the bubble can end
			select {
			case <-release:
			default:
				close(release)
			}
			b.Close(ctx)
		}()
		var running, delivered atomic.Int64
		block := targets.Func(func(context.Context, targets.Delivery) error {
			running.Add(1)
			<-release
			delivered.Add(1)
			return nil
		})
		const burst = 3 * maxIdleWorkers
		for i := range 5 {
			name := fmt.Sprintf("r%d", i)
			if _, err := b.PutRule(ctx, Rule{Name: name, EventPattern: `{"source": ["burst"]}`}); err != nil {
				t.Fatal(err)
			}
			if err := b.PutTargets(ctx, name, Target{ID: "t", Target: block}); err != nil {
				t.Fatal(err)
			}
		}
		for range burst / 5 {
			if _, err := b.PutEvents(ctx, Entry{Source: "burst", DetailType: "x", Detail: "{}"}); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		if got := running.Load(); got != burst/5*5 {
			t.Fatalf("%d deliveries running at once, want %d: some wait behind others", got, burst/5*5)
		}
		close(release)
		if err := b.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := b.idleWorkers.Load(); n != maxIdleWorkers {
			t.Errorf("%d idle workers after the burst, want %d", n, maxIdleWorkers)
		}
		// The idle workers take the next deliveries: no goroutine is
		// started for them.
		for range 10 {
			if _, err := b.PutEvents(ctx, Entry{Source: "burst", DetailType: "x", Detail: "{}"}); err != nil {
				t.Fatal(err)
			}
			if err := b.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
			if n := b.idleWorkers.Load(); n != maxIdleWorkers {
				t.Fatalf("%d idle workers between events, want %d", n, maxIdleWorkers)
			}
		}
		if got, want := delivered.Load(), int64(burst/5*5+50); got != want {
			t.Errorf("delivered %d, want %d", got, want)
		}
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if n := b.idleWorkers.Load(); n != 0 {
			t.Errorf("%d idle workers after Close", n)
		}
		// synctest.Test fails if a goroutine of the bubble outlives it.
	})
}
