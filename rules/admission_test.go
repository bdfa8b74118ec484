package rules

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// TestAdmission checks the pending-delivery semaphore: all-or-nothing
// grants, FIFO order, the wake-up threshold, and giving up on a context or
// on closing without losing slots.
func TestAdmission(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		never := make(chan struct{})
		a := newAdmission(16) // wakes waiters when 2 slots are free
		if err := a.acquire(ctx, never, 15); err != nil {
			t.Fatal(err)
		}
		got := make(chan int64, 10)
		wait := func(n int64) {
			go func() {
				if err := a.acquire(ctx, never, n); err != nil {
					t.Error(err)
				}
				got <- n
			}()
			synctest.Wait()
		}
		wait(3) // needs 3, 1 free
		wait(1) // behind it: FIFO, even though 1 is free
		if len(got) != 0 {
			t.Fatal("a waiter was granted slots that were not free, or out of order")
		}
		a.release(1) // 2 free: not enough for the head (3)
		synctest.Wait()
		if len(got) != 0 {
			t.Fatal("granted 3 with 2 free")
		}
		a.release(1) // 3 free: the head gets 3; 0 left for the next
		synctest.Wait()
		if len(got) != 1 || <-got != 3 {
			t.Fatal("head waiter not granted")
		}
		a.release(1) // 1 free, but the threshold is 2
		synctest.Wait()
		if len(got) != 0 {
			t.Fatal("woken below the threshold")
		}
		a.release(1)
		synctest.Wait()
		if len(got) != 1 || <-got != 1 {
			t.Fatal("second waiter not granted at the threshold")
		}

		// Giving up: a cancelled context and closing both return the
		// waiter's place, and later grants still work.
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 2)
		go func() { errc <- a.acquire(cctx, never, 5) }()
		closing := make(chan struct{})
		go func() { errc <- a.acquire(ctx, closing, 5) }()
		synctest.Wait()
		cancel()
		close(closing)
		e1, e2 := <-errc, <-errc
		if !(errors.Is(e1, context.Canceled) && errors.Is(e2, ErrClosed) || errors.Is(e2, context.Canceled) && errors.Is(e1, ErrClosed)) {
			t.Fatalf("errors %v, %v", e1, e2)
		}
		a.release(16 - a.free)
		if a.free != 16 || len(a.waiters) != 0 {
			t.Fatalf("free %d, waiters %d after everything was released", a.free, len(a.waiters))
		}
	})
}

// TestAdmissionConcurrent has goroutines take and give back slots at
// once, some straight away and some through the queue, and checks that no
// more than the size is ever granted, that every waiter is granted in the
// end (none misses a wake-up), and that every slot comes back.
func TestAdmissionConcurrent(t *testing.T) {
	const size, workers, rounds = 8, 8, 2000
	a := newAdmission(size)
	var inUse atomic.Int64
	var wg sync.WaitGroup
	never := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				n := int64(1 + (w+i)%3)
				if err := a.acquire(context.Background(), never, n); err != nil {
					t.Error(err)
					return
				}
				if u := inUse.Add(n); u > size {
					t.Errorf("%d slots in use, size %d", u, size)
				}
				inUse.Add(-n)
				a.release(n)
			}
		})
	}
	wg.Wait()
	if a.free != size || len(a.waiters) != 0 {
		t.Fatalf("free %d, waiters %d at the end", a.free, len(a.waiters))
	}
}
