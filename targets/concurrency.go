package targets

import "context"

// Concurrency returns a middleware that lets at most n calls run in the
// wrapped targets at once; further calls wait for a slot, or for ctx to be
// done (then they return ctx's error without calling the target).
//
// The bound is shared by every Target this Middleware value wraps, so one
// Concurrency can bound a whole engine. Placed inside [Retry], it bounds
// attempts, not deliveries: a delivery waiting out its backoff holds no
// slot, so slow retries cannot starve fresh events. An n <= 0 makes the
// middleware the identity. The returned Target is safe for concurrent use
// if next is.
func Concurrency(n int) Middleware {
	if n <= 0 {
		return func(next Target) Target { return next }
	}
	sem := make(chan struct{}, n)
	return func(next Target) Target {
		return &bounded{next: next, sem: sem}
	}
}

type bounded struct {
	next Target
	sem  chan struct{}
}

func (b *bounded) Deliver(ctx context.Context, d Delivery) error {
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	defer func() { <-b.sem }()
	return b.next.Deliver(ctx, d)
}
