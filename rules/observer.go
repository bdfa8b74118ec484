package rules

import (
	"context"
	"strconv"

	"github.com/rulebridge/rulebridge/targets"
)

// Kind says what a [Notice] reports.
type Kind int

// The notices of a Bus. Delivery notices forward the targets package's
// own, so one Observer sees an event from ingestion to its last delivery.
const (
	// EventReceived: an event was accepted (a PutEvents entry or a
	// scheduled event). EventID is set.
	EventReceived Kind = iota + 1
	// EventRejected: a PutEvents entry failed validation. Code and Err say
	// why; Entry is its index in the call; no EventID was assigned.
	EventRejected
	// EventThrottled: an accepted event found no room for its deliveries
	// before its context ended (or the bus closed), so none was made. Code
	// is ThrottlingException (or InternalFailure at close); for a PutEvents
	// entry the caller gets the same code back. A schedule run skipped
	// because an earlier run of its rule is still waiting for room is
	// reported too, with Rule set and no EventID.
	EventThrottled
	// RuleMatched: the event matched Rule (pattern and condition both).
	RuleMatched
	// ConditionFailed: evaluating Rule's condition failed (a run-time
	// error or the cost limit); Err says why, and the rule does not match.
	ConditionFailed
	// DeliveryNotice: something happened to a delivery; Delivery holds
	// the targets package's notice (attempt started or failed, retrying,
	// delivered, failed, dead-lettered, dead-letter failed, throttled).
	DeliveryNotice
	// AuditFailed: the audit record of a management call could not be
	// written to the audit sink, or its audit event could not be put on
	// the Bus (no room in the delivery queue before the call's context
	// ended, the Bus closing, the event-id source failing). Err says
	// which and why; Audit is the record, so that the observer can keep
	// it elsewhere; Rule is the rule of the call. The call itself
	// returned what happened to it.
	AuditFailed
	// AlarmStateChanged: the alarm of Rule (a rule with a Threshold)
	// changed state; Alarm says from what to what and why, and EventID is
	// the Alarm State Change event put on the Bus ("" if the event-id
	// source failed).
	AlarmStateChanged
	// AlarmValueSkipped: an event matched Rule, whose Threshold sums a
	// Field, but the field is missing or not a number, so the event was
	// not counted. Err says which.
	AlarmValueSkipped
)

var kindNames = [...]string{
	EventReceived:     "EventReceived",
	EventRejected:     "EventRejected",
	EventThrottled:    "EventThrottled",
	RuleMatched:       "RuleMatched",
	ConditionFailed:   "ConditionFailed",
	DeliveryNotice:    "DeliveryNotice",
	AuditFailed:       "AuditFailed",
	AlarmStateChanged: "AlarmStateChanged",
	AlarmValueSkipped: "AlarmValueSkipped",
}

// String returns the kind's name, such as "RuleMatched".
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Notice is one thing that happened on a Bus.
type Notice struct {
	Kind Kind
	// EventID is the event concerned; empty for EventRejected.
	EventID string
	// Rule is the rule concerned (RuleMatched, ConditionFailed,
	// deliveries, and EventThrottled for a scheduled event).
	Rule string
	// Entry is the index of the entry in its PutEvents call
	// (EventRejected, EventThrottled, and the rest for an entry's event);
	// -1 for scheduled events and the Bus's own events (audit and alarm
	// events).
	Entry int
	// Code is the PutEvents error code (EventRejected, EventThrottled).
	Code string
	// Err is the failure, if any.
	Err error
	// Delivery is the delivery notice (DeliveryNotice only).
	Delivery targets.Notice
	// Audit is the record that failed to be written (AuditFailed only).
	Audit AuditRecord
	// Alarm is the alarm's transition (AlarmStateChanged only).
	Alarm AlarmChange
}

// AlarmChange is an alarm's change of state, in a [Notice] of kind
// AlarmStateChanged.
type AlarmChange struct {
	Previous, State AlarmState
	// Reason says why the alarm is in State, as in the Alarm State Change
	// event.
	Reason string
	// Value is the window's value that decided (0 for changes that are
	// not evaluations, such as a disabled rule's).
	Value float64
}

// Observer receives the notices of a Bus, to count, log or trace. Observe
// is called synchronously, from many goroutines at once (the PutEvents
// caller's, delivery goroutines, schedule runs): implementations must be
// safe for concurrent use and quick, and must not keep n.Delivery's bytes
// beyond the call unless they copy them.
type Observer interface {
	Observe(ctx context.Context, n Notice)
}

// ObserverFunc adapts a function to the [Observer] interface. The function
// is called as Observe is, from many goroutines at once: it must be safe
// for concurrent use.
type ObserverFunc func(ctx context.Context, n Notice)

// Observe calls f(ctx, n).
func (f ObserverFunc) Observe(ctx context.Context, n Notice) { f(ctx, n) }
