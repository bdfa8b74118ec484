package targets

import (
	"context"
	"strconv"
	"time"
)

// Kind says what a [Notice] reports.
type Kind int

// The notices, in the order one delivery produces them. Each names the
// EventBridge metric it feeds (see [Counters]).
const (
	// AttemptStarted: an attempt is about to call the target
	// (InvocationAttempts). From [Retry].
	AttemptStarted Kind = iota + 1
	// AttemptFailed: an attempt returned Err, classified as Code. From
	// [Retry]; followed by Retrying or Failed.
	AttemptFailed
	// Retrying: another attempt follows after Delay
	// (RetryInvocationAttempts). From [Retry].
	Retrying
	// Delivered: the target accepted the event on attempt Attempt
	// (Invocations, SuccessfulInvocationAttempts). From [Retry].
	Delivered
	// Failed: the delivery stopped without success: a permanent error, an
	// exhausted limit (Condition), or an interrupted context (Code
	// INTERRUPTED) (Invocations, FailedInvocations). From [Retry].
	Failed
	// DeadLettered: the original event reached the dead-letter target
	// (InvocationsSentToDlq). From [DeadLetter].
	DeadLettered
	// DeadLetterFailed: the dead-letter target failed too, on every write
	// tried; Err is the [*DeadLetterError], with the record that could not
	// be written (InvocationsFailedToBeSentToDlq). From [DeadLetter].
	DeadLetterFailed
	// Throttled: a rate limit delays the attempt by Delay
	// (ThrottledRules). From [RateLimit] and the HTTP target.
	Throttled
)

var kindNames = [...]string{
	AttemptStarted:   "AttemptStarted",
	AttemptFailed:    "AttemptFailed",
	Retrying:         "Retrying",
	Delivered:        "Delivered",
	Failed:           "Failed",
	DeadLettered:     "DeadLettered",
	DeadLetterFailed: "DeadLetterFailed",
	Throttled:        "Throttled",
}

// String returns the kind's name, such as "Retrying".
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Notice is one thing that happened to one delivery.
type Notice struct {
	Kind Kind
	// Delivery is the delivery concerned; its Attempt is the attempt the
	// notice is about. Its bytes are read-only.
	Delivery Delivery
	// Err is the failure, for AttemptFailed, Failed and DeadLetterFailed.
	Err error
	// Code classifies Err.
	Code ErrorCode
	// Condition is the retry limit that ended the delivery (Failed only).
	Condition ExhaustedCondition
	// Delay is the wait before the next attempt (Retrying) or the wait for
	// the rate limit (Throttled).
	Delay time.Duration
}

// Observer receives the notices of deliveries, to count metrics, log or
// trace. Observe is called synchronously on the delivering goroutine, from
// many goroutines at once: implementations must be safe for concurrent use
// and quick, and must not retain n.Delivery's bytes beyond the call unless
// they copy them. A nil Observer is valid wherever one is accepted and
// observes nothing.
type Observer interface {
	Observe(ctx context.Context, n Notice)
}

// ObserverFunc adapts a function to the [Observer] interface. The function
// is called as Observe is, from many goroutines at once: it must be safe
// for concurrent use.
type ObserverFunc func(ctx context.Context, n Notice)

// Observe calls f(ctx, n).
func (f ObserverFunc) Observe(ctx context.Context, n Notice) { f(ctx, n) }

// MultiObserver returns an Observer that passes each notice to every
// non-nil observer, in order.
func MultiObserver(observers ...Observer) Observer {
	var list multiObserver
	for _, o := range observers {
		if o != nil {
			list = append(list, o)
		}
	}
	return list
}

type multiObserver []Observer

func (m multiObserver) Observe(ctx context.Context, n Notice) {
	for _, o := range m {
		o.Observe(ctx, n)
	}
}

func observe(o Observer, ctx context.Context, n Notice) {
	if o != nil {
		o.Observe(ctx, n)
	}
}
