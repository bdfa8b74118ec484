package targets

import (
	"context"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit returns a middleware that lets at most perSecond calls a
// second through to the wrapped target, with bursts of up to
// ceil(perSecond). A call over the limit waits for its turn (a Throttled
// notice to o, which may be nil, says for how long); it is delayed, never
// dropped. A cancelled ctx ends the wait at once with ctx's error.
//
// The limit is shared by every Target this Middleware value wraps: call
// RateLimit once per limit. A perSecond <= 0 makes the middleware the
// identity. The returned Target is safe for concurrent use if next is.
func RateLimit(perSecond float64, o Observer) Middleware {
	if perSecond <= 0 || math.IsInf(perSecond, 1) || math.IsNaN(perSecond) {
		return func(next Target) Target { return next }
	}
	lim := rate.NewLimiter(rate.Limit(perSecond), int(math.Max(1, math.Ceil(perSecond))))
	return func(next Target) Target {
		return &rateLimited{next: next, lim: lim, obs: o}
	}
}

type rateLimited struct {
	next Target
	lim  *rate.Limiter
	obs  Observer
}

func (r *rateLimited) Deliver(ctx context.Context, d Delivery) error {
	if err := waitTurn(ctx, r.lim, r.obs, d); err != nil {
		return err
	}
	return r.next.Deliver(ctx, d)
}

// waitTurn waits until lim allows one event, reporting a Throttled notice
// when that means waiting.
func waitTurn(ctx context.Context, lim *rate.Limiter, o Observer, d Delivery) error {
	if lim.Allow() { // the common case, without allocating a Reservation
		return nil
	}
	res := lim.Reserve() // burst >= 1, so always OK
	delay := res.Delay()
	if delay <= 0 {
		return nil
	}
	observe(o, ctx, Notice{Kind: Throttled, Delivery: d, Delay: delay})
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		res.Cancel()
		return context.Cause(ctx)
	}
}
