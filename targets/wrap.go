package targets

import (
	"errors"
	"time"
)

// Config is the delivery configuration of one target of one rule: what
// an EventBridge PutTargets entry says about input, retries and the
// dead-letter queue, plus the limits an embedded engine wants. The zero
// Config delivers the whole event with the default retry policy (185
// retries within 24 hours) and no dead-letter target.
type Config struct {
	// Shaping builds the payload from the event.
	Shaping Shaping
	// RetryPolicy bounds retries; see [RetryPolicy].
	RetryPolicy RetryPolicy
	// DeadLetter receives a [DeadLetterRecord] for every event the target
	// fails to take. Nil: none; a failed event is then reported through
	// the returned error and a Failed notice.
	DeadLetter Target
	// Timeout bounds each attempt; 0 means no bound beyond the target's
	// own (the HTTP target has its own, 5 s by default).
	Timeout time.Duration
	// RateLimit caps attempts per second; 0 means no cap (the HTTP target
	// has its own, 300/s by default).
	RateLimit float64
	// Concurrency caps attempts in flight at once for this target; 0 means
	// no cap. Waiting retries do not count.
	Concurrency int
	// PerAttempt, if set, wraps every attempt, inside Retry and outside
	// Timeout: the place for limits shared across targets, such as one
	// engine-wide Concurrency value, which then bounds attempts while
	// deliveries waiting to retry hold no slot.
	PerAttempt Middleware
	// Observer receives every notice; nil observes nothing.
	Observer Observer
}

// Wrap decorates t as c says, in a fixed order, outermost first:
//
//	DeadLetter → Retry → Shape → RateLimit → Concurrency → PerAttempt → Timeout → t
//
// so that dead-lettering sees only final outcomes with the original event,
// each attempt is shaped, rate-limited, bounded and timed on its own, and
// waits between retries hold no concurrency slot. Wrap validates c and
// returns every problem at once (as [*ConfigError] values joined with
// errors.Join). The returned Target is safe for concurrent use if t and
// c.DeadLetter are; its Deliver returns nil when the event was delivered
// or dead-lettered (see [DeadLetter]).
func Wrap(t Target, c Config) (Target, error) {
	if t == nil {
		return nil, &ConfigError{Field: "Target", Reason: "is nil"}
	}
	var errs []error
	sh, err := NewShaper(c.Shaping)
	if err != nil {
		errs = append(errs, err)
	}
	retry, err := Retry(c.RetryPolicy, c.Observer)
	if err != nil {
		errs = append(errs, err)
	}
	if c.Timeout < 0 {
		errs = append(errs, &ConfigError{Field: "Timeout", Reason: c.Timeout.String() + " is negative"})
	}
	if c.RateLimit < 0 {
		errs = append(errs, &ConfigError{Field: "RateLimit", Reason: "is negative"})
	}
	if c.Concurrency < 0 {
		errs = append(errs, &ConfigError{Field: "Concurrency", Reason: "is negative"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return Chain(
		DeadLetter(c.DeadLetter, c.Observer),
		retry,
		Shape(sh),
		RateLimit(c.RateLimit, c.Observer),
		Concurrency(c.Concurrency),
		c.PerAttempt,
		Timeout(c.Timeout),
	)(t), nil
}
