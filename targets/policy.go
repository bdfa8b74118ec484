package targets

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Retry-policy limits and defaults, as EventBridge has them.
const (
	// DefaultMaximumRetryAttempts is the number of retries a zero
	// RetryPolicy allows.
	DefaultMaximumRetryAttempts = 185
	// DefaultMaximumEventAgeInSeconds is the event age (24 h) a zero
	// RetryPolicy allows.
	DefaultMaximumEventAgeInSeconds = 86400
	// MinimumEventAgeInSeconds is the least MaximumEventAgeInSeconds
	// EventBridge accepts.
	MinimumEventAgeInSeconds = 60
	// NoRetries, as MaximumRetryAttempts, allows no retry at all: the first
	// failure is final. (Zero means "the default", 185.)
	NoRetries = -1
)

// Backoff defaults.
const (
	DefaultBackoffBase = time.Second
	DefaultBackoffCap  = 15 * time.Minute
)

// RetryPolicy says how long [Retry] keeps trying, as EventBridge's
// RetryPolicy does: at most MaximumRetryAttempts retries, and none once the
// event is older than MaximumEventAgeInSeconds; whichever comes first ends
// the delivery. Waits between attempts follow Backoff.
//
// The zero value is EventBridge's default: 185 retries within 24 hours.
// Zero in a field means that field's default, so "no retries" is spelled
// [NoRetries]. A RetryPolicy is a plain value, safe to copy and share.
type RetryPolicy struct {
	// MaximumRetryAttempts is the number of retries after the first
	// attempt: 1-185, 0 for the default (185), or NoRetries for none.
	MaximumRetryAttempts int
	// MaximumEventAgeInSeconds bounds the event's age, measured from
	// Delivery.IngestionTime, at which a retry may still start: 60-86400,
	// or 0 for the default (86400).
	MaximumEventAgeInSeconds int
	// Backoff computes the wait before each retry.
	Backoff Backoff
}

// Backoff is exponential backoff with full jitter: the wait before retry n
// (1-based) is a random duration in [0, min(Cap, Base·2^(n-1))).
//
// The zero value uses DefaultBackoffBase (1 s) and DefaultBackoffCap
// (15 min): with full jitter the mean wait at the cap is 7.5 minutes, so the
// default 185 retries span about the default 24 hours, and both limits of
// the default policy matter. (EventBridge does not publish its formula.)
type Backoff struct {
	Base time.Duration
	Cap  time.Duration
	// Rand returns a pseudo-random number in [0, 1). It must be safe for
	// concurrent use. Nil means math/rand/v2.Float64. Tests inject a fixed
	// sequence to make waits predictable.
	Rand func() float64
}

// Delay returns the wait before retry n (n >= 1).
func (b Backoff) Delay(n int) time.Duration {
	base, ceil := b.Base, b.Cap
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if ceil <= 0 {
		ceil = DefaultBackoffCap
	}
	d := base
	for i := 1; i < n && d < ceil; i++ {
		d *= 2
	}
	d = min(d, ceil)
	r := b.Rand
	if r == nil {
		r = rand.Float64
	}
	return time.Duration(r() * float64(d))
}

// Validate reports every field out of range, each as a [*ConfigError],
// joined with errors.Join.
func (p RetryPolicy) Validate() error {
	var errs []error
	if n := p.MaximumRetryAttempts; n != NoRetries && (n < 0 || n > DefaultMaximumRetryAttempts) {
		errs = append(errs, &ConfigError{Field: "RetryPolicy.MaximumRetryAttempts",
			Reason: fmt.Sprintf("%d is out of range: want 0-%d (0 means the default, %d) or NoRetries (-1)",
				n, DefaultMaximumRetryAttempts, DefaultMaximumRetryAttempts)})
	}
	if s := p.MaximumEventAgeInSeconds; s != 0 && (s < MinimumEventAgeInSeconds || s > DefaultMaximumEventAgeInSeconds) {
		errs = append(errs, &ConfigError{Field: "RetryPolicy.MaximumEventAgeInSeconds",
			Reason: fmt.Sprintf("%d is out of range: want %d-%d, or 0 for the default (%d)",
				s, MinimumEventAgeInSeconds, DefaultMaximumEventAgeInSeconds, DefaultMaximumEventAgeInSeconds)})
	}
	if p.Backoff.Base < 0 {
		errs = append(errs, &ConfigError{Field: "RetryPolicy.Backoff.Base", Reason: fmt.Sprintf("%v is negative", p.Backoff.Base)})
	}
	if p.Backoff.Cap < 0 {
		errs = append(errs, &ConfigError{Field: "RetryPolicy.Backoff.Cap", Reason: fmt.Sprintf("%v is negative", p.Backoff.Cap)})
	}
	return errors.Join(errs...)
}

// retries is the effective MaximumRetryAttempts.
func (p RetryPolicy) retries() int {
	switch p.MaximumRetryAttempts {
	case 0:
		return DefaultMaximumRetryAttempts
	case NoRetries:
		return 0
	}
	return p.MaximumRetryAttempts
}

// maxAge is the effective MaximumEventAgeInSeconds.
func (p RetryPolicy) maxAge() time.Duration {
	if p.MaximumEventAgeInSeconds == 0 {
		return DefaultMaximumEventAgeInSeconds * time.Second
	}
	return time.Duration(p.MaximumEventAgeInSeconds) * time.Second
}

// Decision is what a [RetryPolicy] says to do after a failed attempt.
type Decision struct {
	// Retry is true when another attempt should start after Delay.
	Retry bool
	Delay time.Duration
	// Code classifies the failure (see [Classify]).
	Code ErrorCode
	// Condition names the limit that forbids a retry; empty when Retry is
	// true or the error is permanent.
	Condition ExhaustedCondition
}

// Decide says what to do after attempt number attempt (1-based) failed with
// err, when the event is age old. It is a pure function of its arguments
// and p.Backoff.Rand, so an engine may use it to schedule retries itself
// instead of waiting inside [Retry].
//
// A permanent error, or a negative retry-after, is never retried. Otherwise
// the wait is the longer of the backoff and the error's retry-after (the
// more conservative of policy and server, as EventBridge does), and a retry
// is refused when it would exceed MaximumRetryAttempts or would start after
// the event is MaximumEventAgeInSeconds old.
func (p RetryPolicy) Decide(attempt int, err error, age time.Duration) Decision {
	c := Classify(err)
	d := Decision{Code: c.Code}
	if c.Permanent || c.RetryAfter < 0 {
		return d
	}
	if attempt-1 >= p.retries() {
		d.Condition = MaximumRetryAttempts
		return d
	}
	delay := max(p.Backoff.Delay(attempt), c.RetryAfter)
	if age+delay > p.maxAge() {
		d.Condition = MaximumEventAgeInSeconds
		return d
	}
	d.Retry, d.Delay = true, delay
	return d
}

// ConfigError reports one invalid configuration value: the field, written
// as a Go selector or map index, and what is wrong with it. Several come
// back together through errors.Join.
type ConfigError struct {
	Field  string
	Reason string
}

// Error returns "targets: <Field>: <Reason>".
func (e *ConfigError) Error() string { return "targets: " + e.Field + ": " + e.Reason }
