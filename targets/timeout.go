package targets

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var errAttemptTimeout = errors.New("targets: attempt timeout")

// Timeout returns a middleware that gives each call of the wrapped target
// at most d, through its context. A call that fails once d has passed (and
// the caller's own context is still live) fails with code TIMEOUT, which
// [Retry] retries. A target that ignores its context cannot be cut short:
// the Target contract asks it to return promptly once ctx is done.
// A d <= 0 makes the middleware the identity. The returned Target is safe
// for concurrent use if next is.
func Timeout(d time.Duration) Middleware {
	return func(next Target) Target {
		if d <= 0 {
			return next
		}
		return &timeout{next: next, d: d}
	}
}

type timeout struct {
	next Target
	d    time.Duration
}

func (t *timeout) Deliver(ctx context.Context, d Delivery) error {
	tctx, cancel := context.WithTimeoutCause(ctx, t.d, errAttemptTimeout)
	defer cancel()
	err := t.next.Deliver(tctx, d)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(tctx), errAttemptTimeout) {
		return &Error{Code: CodeTimeout, Err: fmt.Errorf("targets: attempt timed out after %v: %w", t.d, err)}
	}
	return err
}
