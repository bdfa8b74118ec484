package targets

import (
	"context"
	"time"
)

// A Target receives deliveries: the shaped bytes of one matched event plus
// the metadata that says which rule, target and event they belong to.
//
// Deliver hands d to the target and reports the outcome. It returns nil once
// the target has accepted the delivery; after that the event is the target's
// responsibility. A non-nil error means the delivery may not have been
// accepted; classify it with [Permanent], [RetryAfter] or [Error] so that
// [Retry] knows whether to try again, and [Classify] reads it back.
//
// Implementations must be safe for concurrent use by multiple goroutines,
// must return promptly once ctx is done (with an error, unless the delivery
// was already accepted), and must treat d.Payload and d.Event as read-only.
// They may keep references to them: callers never modify or reuse the bytes
// of a Delivery.
//
// Optional abilities are separate interfaces, found by type assertion: a
// target that holds resources (connections, files) implements io.Closer.
// Middlewares do not forward Close; close the target you built.
type Target interface {
	Deliver(ctx context.Context, d Delivery) error
}

// Delivery is one event on its way to one target.
//
// The engine fills every field but Attempt and sets Payload to Event; the
// [Shape] middleware replaces Payload with the shaped input and [Retry] sets
// Attempt. The byte slices are shared and read-only: nobody may modify them
// once the Delivery exists, so targets may keep them without copying, and
// goroutines may read one Delivery at once.
type Delivery struct {
	// Payload is what the target should receive: the event after input
	// shaping. It is JSON text.
	Payload []byte
	// Event is the original event, as matched, before input shaping. A
	// dead-letter record always carries this, never the shaped payload.
	Event []byte
	// EventID is the event's "id" field.
	EventID string
	// RuleName and RuleARN identify the rule that matched. RuleARN may be
	// empty outside an engine.
	RuleName string
	RuleARN  string
	// TargetID is the target's id, unique within the rule.
	TargetID string
	// IngestionTime is when the engine accepted the event. The retry
	// policy's MaximumEventAgeInSeconds is measured from it; a zero value
	// means "the start of the first attempt".
	IngestionTime time.Time
	// Attempt is the 1-based number of this attempt, set by [Retry]; 0 when
	// no Retry middleware is in the chain.
	Attempt int
}

// Func adapts an ordinary function to the [Target] interface. The function
// must follow the Target contract: safe for concurrent use, prompt return
// once ctx is done, read-only Delivery bytes.
type Func func(ctx context.Context, d Delivery) error

// Deliver calls f(ctx, d).
func (f Func) Deliver(ctx context.Context, d Delivery) error { return f(ctx, d) }

// Middleware decorates a Target with one concern (retry, dead-lettering,
// input shaping, rate limiting, timeouts, ...). It is called once, when a
// chain is built; the Target it returns is shared by every delivery, so it
// must follow the Target contract (safe for concurrent use, among the
// rest) whenever the one it wraps does.
type Middleware func(Target) Target

// Chain composes middlewares so that the first one is the outermost:
// Chain(a, b, c)(t) is a(b(c(t))). Nil middlewares are skipped. Chain() is
// the identity.
func Chain(ms ...Middleware) Middleware {
	return func(t Target) Target {
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i] != nil {
				t = ms[i](t)
			}
		}
		return t
	}
}
