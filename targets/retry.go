package targets

import (
	"context"
	"fmt"
	"time"
)

// Retry returns a middleware that retries failed deliveries as p says, and
// reports each attempt, retry and outcome to o (which may be nil).
//
// Each attempt gets a copy of the delivery with Attempt set (1, 2, ...).
// After a failure the wait is computed by [RetryPolicy.Decide]; the event
// age is measured from Delivery.IngestionTime (or from the first attempt if
// that is zero). On success Retry returns nil. Otherwise it returns a
// [*DeliveryError] saying why it stopped, how many attempts it made and
// which limit, if any, was reached.
//
// Cancellation: when ctx is done, Retry stops waiting at once and returns a
// *DeliveryError with Code [CodeInterrupted] that wraps ctx's error, so the
// caller can tell "interrupted at shutdown" from "failed": [DeadLetter]
// dead-letters it with that code rather than dropping it.
//
// Retry waits on the calling goroutine and starts none of its own. To bound
// concurrency without letting waiting deliveries hold a slot, put
// [Concurrency] inside Retry: then only attempts count, not waits. The
// returned Target is safe for concurrent use if next is. Retry returns an
// error if p is invalid (see [RetryPolicy.Validate]).
func Retry(p RetryPolicy, o Observer) (Middleware, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return func(next Target) Target {
		return &retrier{next: next, policy: p, obs: o}
	}, nil
}

type retrier struct {
	next   Target
	policy RetryPolicy
	obs    Observer
}

func (r *retrier) Deliver(ctx context.Context, d Delivery) error {
	start := d.IngestionTime
	if start.IsZero() {
		start = time.Now()
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var last error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return r.interrupted(ctx, d, attempt-1, last)
		}
		d.Attempt = attempt
		observe(r.obs, ctx, Notice{Kind: AttemptStarted, Delivery: d})
		err := r.next.Deliver(ctx, d)
		if err == nil {
			observe(r.obs, ctx, Notice{Kind: Delivered, Delivery: d})
			return nil
		}
		last = err
		if ctx.Err() != nil {
			observe(r.obs, ctx, Notice{Kind: AttemptFailed, Delivery: d, Err: err, Code: CodeInterrupted})
			return r.interrupted(ctx, d, attempt, err)
		}
		dec := r.policy.Decide(attempt, err, time.Since(start))
		observe(r.obs, ctx, Notice{Kind: AttemptFailed, Delivery: d, Err: err, Code: dec.Code})
		if !dec.Retry {
			derr := &DeliveryError{Code: dec.Code, Attempts: attempt, Condition: dec.Condition, Err: err}
			observe(r.obs, ctx, Notice{Kind: Failed, Delivery: d, Err: derr, Code: dec.Code, Condition: dec.Condition})
			return derr
		}
		observe(r.obs, ctx, Notice{Kind: Retrying, Delivery: d, Err: err, Code: dec.Code, Delay: dec.Delay})
		if timer == nil {
			timer = time.NewTimer(dec.Delay)
		} else {
			timer.Reset(dec.Delay)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
			return r.interrupted(ctx, d, attempt, err)
		}
	}
}

func (r *retrier) interrupted(ctx context.Context, d Delivery, attempts int, last error) error {
	cause := context.Cause(ctx)
	var err error
	if last != nil {
		err = fmt.Errorf("%w (last attempt: %w)", cause, last)
	} else {
		err = fmt.Errorf("%w before the first attempt", cause)
	}
	derr := &DeliveryError{Code: CodeInterrupted, Attempts: attempts, Err: err}
	if attempts > 0 {
		d.Attempt = attempts
	}
	observe(r.obs, ctx, Notice{Kind: Failed, Delivery: d, Err: derr, Code: CodeInterrupted})
	return derr
}
