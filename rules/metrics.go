package rules

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/rulebridge/rulebridge/targets"
)

// Metrics is a snapshot of a Bus's counters, named after EventBridge's
// CloudWatch metrics. The delivery counters (Invocations,
// FailedInvocations, InvocationAttempts, SuccessfulInvocationAttempts,
// RetryInvocationAttempts, DeadLetterInvocations, InvocationsSentToDlq,
// InvocationsFailedToBeSentToDlq, ThrottledRules) come from the embedded
// [targets.Metrics] and mean what they mean there.
//
// A one-line summary of a run reads: events = Events, matched =
// MatchedEvents, delivered = SuccessfulInvocationAttempts, retried =
// RetryInvocationAttempts, dead-lettered = InvocationsSentToDlq, rejected =
// PutEventsFailedEntries.
type Metrics struct {
	// PutEventsEntries counts entries given to PutEvents and
	// PutRawEvents (PutEventsEntriesCount).
	PutEventsEntries int64
	// PutEventsFailedEntries counts entries that got an ErrorCode, for
	// any reason (PutEventsFailedEntriesCount).
	PutEventsFailedEntries int64
	// PutEventsThrottledEntries counts entries that got
	// ThrottlingException: their deliveries found no room in time.
	PutEventsThrottledEntries int64
	// Events counts events accepted: PutEvents entries that got an
	// EventId, and scheduled events. The Bus's own events (audit and
	// alarm events) are not counted here nor in MatchedEvents and
	// TriggeredRules, so that these describe the caller's traffic; see
	// AuditRecords and AlarmStateChanges.
	Events int64
	// MatchedEvents counts events that matched at least one rule.
	MatchedEvents int64
	// TriggeredRules counts (event, rule) matches, threshold rules
	// included (each matched event counts, whether or not it moves the
	// alarm).
	TriggeredRules int64
	// ConditionErrors counts condition evaluations that failed (the rule
	// then did not match).
	ConditionErrors int64
	// ScheduledEventsThrottled counts schedule runs that made no delivery
	// for want of room in the queue: runs skipped because an earlier run
	// of the same rule was still waiting, and waiting runs given up when
	// the rule changed or the Bus closed.
	ScheduledEventsThrottled int64
	// AuditRecords counts audit records written: handed to the audit sink
	// (if any) and put on the Bus as audit events.
	AuditRecords int64
	// AuditRecordsFailed counts audit records that the sink refused or
	// whose audit event could not be put on the Bus (see AuditFailed).
	AuditRecordsFailed int64
	// AlarmStateChanges counts alarm transitions (each announced by an
	// Alarm State Change event).
	AlarmStateChanges int64
	// AlarmEventsThrottled counts Alarm State Change events whose
	// deliveries found no room in the queue in time (the transition
	// happened all the same; see EventThrottled).
	AlarmEventsThrottled int64
	// AlarmValuesSkipped counts matched events a summing Threshold did not
	// count because the field was missing or not a number.
	AlarmValuesSkipped int64
	// Delivery counts, from the targets package.
	targets.Metrics
	// PendingDeliveries is the number of deliveries admitted and not yet
	// settled (delivered, dead-lettered or failed) at the time of the
	// snapshot: a gauge, not a counter.
	PendingDeliveries int64
}

// counters are a Bus's own counts; delivery counts live in a
// targets.Counters.
//
// The counters PutEvents updates and those delivery goroutines update
// live on separate cache lines, so that the two sides, running on
// different cores, do not slow each other down.
type counters struct {
	entries, failedEntries, throttledEntries atomic.Int64
	events, matched, triggered, condErrors   atomic.Int64
	schedThrottled                           atomic.Int64
	alarmSkipped                             atomic.Int64
	admitted                                 atomic.Int64 // deliveries; pending = admitted - settled
	_                                        [64]byte
	auditWritten, auditFailed                atomic.Int64
	alarmChanges, alarmThrottled             atomic.Int64
	_                                        [64]byte
	settled, interrupted                     atomic.Int64
	_                                        [64]byte
	deliveries                               targets.Counters
}

// ruleCounters are one rule's counts, kept in its slot: they live as long
// as the rule, across its versions, and go with it when it is deleted.
// The counts PutEvents updates and those delivery goroutines update live
// on separate cache lines, as in counters.
type ruleCounters struct {
	triggered, condErrors, alarmSkipped atomic.Int64
	_                                   [64]byte
	deliveries                          targets.Counters
}

// deliveryObserver receives the targets package's notices for the targets
// of one rule: it counts them for the Bus and for the rule, counts
// interrupted deliveries for Close's report, logs them and forwards them
// to the Bus's Observer.
type deliveryObserver struct {
	c    *counters
	rule *ruleCounters    // nil in the Bus's template
	log  targets.Observer // nil when the logger discards everything
	obs  Observer         // nil: none
}

func (o *deliveryObserver) Observe(ctx context.Context, n targets.Notice) {
	o.c.deliveries.Observe(ctx, n)
	if o.rule != nil {
		o.rule.deliveries.Observe(ctx, n)
	}
	if n.Kind == targets.Failed && n.Code == targets.CodeInterrupted {
		o.c.interrupted.Add(1)
	}
	if o.log != nil {
		o.log.Observe(ctx, n)
	}
	if o.obs != nil {
		o.forward(ctx, n)
	}
}

// forward passes n on to the Bus's Observer. It is a function of its own
// so that its Notice, a large value, takes room on the stack of delivery
// goroutines only when there is an Observer.
//
//go:noinline
func (o *deliveryObserver) forward(ctx context.Context, n targets.Notice) {
	o.obs.Observe(ctx, Notice{Kind: DeliveryNotice, EventID: n.Delivery.EventID, Rule: n.Delivery.RuleName, Entry: -1, Err: n.Err, Delivery: n})
}

// Metrics returns a snapshot of the Bus's counters. Each count is exact,
// but counts taken while events flow are not mutually consistent. Safe for
// concurrent use, also after Close.
func (b *Bus) Metrics() Metrics {
	c := &b.counters
	settled := c.settled.Load() // first: admitted only grows past it
	return Metrics{
		PutEventsEntries:          c.entries.Load(),
		PutEventsFailedEntries:    c.failedEntries.Load(),
		PutEventsThrottledEntries: c.throttledEntries.Load(),
		Events:                    c.events.Load(),
		MatchedEvents:             c.matched.Load(),
		TriggeredRules:            c.triggered.Load(),
		ConditionErrors:           c.condErrors.Load(),
		ScheduledEventsThrottled:  c.schedThrottled.Load(),
		AuditRecords:              c.auditWritten.Load(),
		AuditRecordsFailed:        c.auditFailed.Load(),
		AlarmStateChanges:         c.alarmChanges.Load(),
		AlarmEventsThrottled:      c.alarmThrottled.Load(),
		AlarmValuesSkipped:        c.alarmSkipped.Load(),
		Metrics:                   c.deliveries.Snapshot(),
		PendingDeliveries:         c.admitted.Load() - settled,
	}
}

// RuleMetrics is a snapshot of one rule's counters: the CloudWatch
// metrics EventBridge reports with the RuleName dimension.
//
// A rule's counters start at zero when the rule is created and last as
// long as it does: replacing it with PutRule, changing its targets or
// disabling it keeps them, deleting it deletes them (a rule created again
// under the same name starts from zero). Unlike the Bus's MatchedEvents
// and TriggeredRules, which leave out the Bus's own events, a rule's
// counts include the audit and alarm events it matched.
type RuleMetrics struct {
	// Name is the rule's name.
	Name string
	// MatchedEvents counts the events that matched the rule (pattern and
	// condition), its scheduled events included. TriggeredRules is the
	// same count: EventBridge reports both metrics for a rule, and for
	// one rule they agree.
	MatchedEvents  int64
	TriggeredRules int64
	// ConditionErrors counts evaluations of the rule's condition that
	// failed (the rule then did not match).
	ConditionErrors int64
	// AlarmValuesSkipped counts matched events the rule's summing
	// Threshold did not count because the field was missing or not a
	// number.
	AlarmValuesSkipped int64
	// Delivery counts of the rule's targets (and their dead-letter
	// targets), as in [Metrics]; ThrottledRules counts the attempts a
	// rate limit delayed.
	targets.Metrics
}

func (c *ruleCounters) snapshot(name string) RuleMetrics {
	// Deliveries first: a delivery counted there was matched before, so
	// the snapshot never has more deliveries than its matches make.
	d := c.deliveries.Snapshot()
	matched := c.triggered.Load()
	return RuleMetrics{
		Name:               name,
		MatchedEvents:      matched,
		TriggeredRules:     matched,
		ConditionErrors:    c.condErrors.Load(),
		AlarmValuesSkipped: c.alarmSkipped.Load(),
		Metrics:            d,
	}
}

// RuleMetrics returns a snapshot of the rule's counters, or a
// ResourceNotFoundException. Each count is exact, but counts taken while
// events flow are not mutually consistent. Safe for concurrent use, also
// after Close. Counting costs PutEvents and deliveries a few atomic
// additions on the rule's own counters, and no lock.
func (b *Bus) RuleMetrics(name string) (RuleMetrics, error) {
	b.mu.Lock()
	slot := b.rules[name]
	b.mu.Unlock()
	if slot == nil {
		return RuleMetrics{}, ruleNotFound(name)
	}
	return slot.m.snapshot(name), nil
}

// ListRuleMetrics returns the counters of the rules whose names start with
// prefix (all of them for ""), ordered by name, as ListRules orders rules;
// each is what RuleMetrics returns. It serves exporters that report every
// rule, such as the rulebridge command's GET /metrics.
func (b *Bus) ListRuleMetrics(prefix string) []RuleMetrics {
	type named struct {
		name string
		c    *ruleCounters
	}
	b.mu.Lock()
	var cs []named
	for name, slot := range b.rules {
		if strings.HasPrefix(name, prefix) {
			cs = append(cs, named{name, &slot.m})
		}
	}
	b.mu.Unlock()
	slices.SortFunc(cs, func(x, y named) int { return strings.Compare(x.name, y.name) })
	out := make([]RuleMetrics, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.c.snapshot(c.name))
	}
	return out
}
