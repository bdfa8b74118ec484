package targets

import (
	"context"
	"sync/atomic"
)

// Metrics is a snapshot of delivery counts, named after EventBridge's
// CloudWatch metrics.
type Metrics struct {
	// Invocations counts deliveries that ended, delivered or not
	// (Delivered + Failed notices).
	Invocations int64
	// FailedInvocations counts deliveries that failed for good and did not
	// reach a dead-letter target (Failed − DeadLettered notices).
	FailedInvocations int64
	// InvocationAttempts counts attempts (AttemptStarted).
	InvocationAttempts int64
	// SuccessfulInvocationAttempts counts attempts that delivered
	// (Delivered).
	SuccessfulInvocationAttempts int64
	// RetryInvocationAttempts counts retries (Retrying).
	RetryInvocationAttempts int64
	// DeadLetterInvocations counts deliveries handed to dead-lettering,
	// whatever the outcome (DeadLettered + DeadLetterFailed).
	DeadLetterInvocations int64
	// InvocationsSentToDlq counts events that reached the dead-letter
	// target (DeadLettered).
	InvocationsSentToDlq int64
	// InvocationsFailedToBeSentToDlq counts events the dead-letter target
	// failed to take (DeadLetterFailed). Such an event is lost unless the
	// caller acts on the returned error.
	InvocationsFailedToBeSentToDlq int64
	// ThrottledRules counts attempts delayed by a rate limit (Throttled).
	ThrottledRules int64
}

// Counters is an [Observer] that counts notices into [Metrics]. The zero
// value is ready to use. It is safe for concurrent use; Snapshot may run
// while deliveries are observed.
type Counters struct {
	attempts, retries, delivered, failed      atomic.Int64
	deadLettered, deadLetterFailed, throttled atomic.Int64
}

// Observe counts n.
func (c *Counters) Observe(_ context.Context, n Notice) {
	switch n.Kind {
	case AttemptStarted:
		c.attempts.Add(1)
	case Retrying:
		c.retries.Add(1)
	case Delivered:
		c.delivered.Add(1)
	case Failed:
		c.failed.Add(1)
	case DeadLettered:
		c.deadLettered.Add(1)
	case DeadLetterFailed:
		c.deadLetterFailed.Add(1)
	case Throttled:
		c.throttled.Add(1)
	}
}

// Snapshot returns the current counts. Counts taken while deliveries are in
// flight are each exact but not mutually consistent (a delivery may be
// counted as Failed before it is counted as DeadLettered).
func (c *Counters) Snapshot() Metrics {
	delivered, failed := c.delivered.Load(), c.failed.Load()
	dl, dlf := c.deadLettered.Load(), c.deadLetterFailed.Load()
	return Metrics{
		Invocations:                    delivered + failed,
		FailedInvocations:              max(failed-dl, 0),
		InvocationAttempts:             c.attempts.Load(),
		SuccessfulInvocationAttempts:   delivered,
		RetryInvocationAttempts:        c.retries.Load(),
		DeadLetterInvocations:          dl + dlf,
		InvocationsSentToDlq:           dl,
		InvocationsFailedToBeSentToDlq: dlf,
		ThrottledRules:                 c.throttled.Load(),
	}
}
