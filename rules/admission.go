package rules

import (
	"context"
	"slices"
	"sync"
)

// admission bounds the deliveries pending on a Bus: a FIFO weighted
// semaphore whose waiters wait on their context and on the Bus closing.
//
// When the queue is full, a waiter is woken only once a few slots are
// free (an eighth of the capacity, or what it needs if more), not at every
// single release: a producer that outpaces its targets then sleeps once per
// burst instead of once per event, which keeps a saturated Bus from
// spending its time waking goroutines.
type admission struct {
	mu      sync.Mutex
	size    int64
	free    int64
	wake    int64 // free slots that wake the first waiter
	waiters []*waiter
}

type waiter struct {
	n     int64
	ready chan struct{} // closed when the slots are granted
}

func newAdmission(size int64) *admission {
	return &admission{size: size, free: size, wake: max(1, size/8)}
}

// acquire takes n slots (n <= size), waiting in FIFO order until they are
// free, ctx ends (ctx's cause) or closing is closed (ErrClosed).
func (a *admission) acquire(ctx context.Context, closing <-chan struct{}, n int64) error {
	a.mu.Lock()
	if len(a.waiters) == 0 && a.free >= n {
		a.free -= n
		a.mu.Unlock()
		return nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	a.waiters = append(a.waiters, w)
	a.mu.Unlock()

	var err error
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		err = context.Cause(ctx)
	case <-closing:
		err = ErrClosed
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-w.ready: // granted meanwhile: give the slots back
		a.free += n
	default:
		if i := slices.Index(a.waiters, w); i >= 0 {
			a.waiters = slices.Delete(a.waiters, i, i+1)
		}
	}
	a.grant()
	return err
}

// release gives back n slots.
func (a *admission) release(n int64) {
	a.mu.Lock()
	a.free += n
	if len(a.waiters) > 0 {
		a.grant()
	}
	a.mu.Unlock()
}

// grant wakes the waiters at the head of the queue that now fit. Called
// with a.mu held.
func (a *admission) grant() {
	for len(a.waiters) > 0 {
		w := a.waiters[0]
		if a.free < max(w.n, min(a.wake, a.size)) {
			return
		}
		a.free -= w.n
		close(w.ready)
		a.waiters[0] = nil
		a.waiters = a.waiters[1:]
	}
}
