// Package rules is the engine of rulebridge: an in-process event bus whose
// API mirrors Amazon EventBridge's, so that anyone who knows EventBridge
// knows it. Rules match the events put on a [Bus] (or fire on schedules),
// and deliver them to their targets with input shaping, retries and
// dead-lettering.
//
//	bus, err := rules.New()
//	...
//	defer bus.Close(ctx)
//	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
//	bus.PutTargets(ctx, "orders", rules.Target{ID: "billing", Target: targets.Func(bill)})
//	res, err := bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"total": 120}`})
//
// # Rules and targets
//
// [Bus.PutRule] creates or replaces a [Rule]: a name, an event pattern
// (the language of package pattern), a schedule expression (cron(...),
// rate(...) or at(...) of package schedule, in an optional time zone), or
// both; a state; a description; and an optional [Rule.Condition].
// [Bus.PutTargets] gives a rule up to five [Target] values, each with its
// own input shaping, retry policy and dead-letter target, and the Go
// targets.Target that receives the deliveries. [Bus.DeleteRule],
// [Bus.EnableRule], [Bus.DisableRule], [Bus.DescribeRule], [Bus.ListRules],
// [Bus.RemoveTargets] and [Bus.ListTargetsByRule] complete the set.
//
// Every management call is checked whole before anything changes. Errors
// are [*Error] values named after EventBridge's exceptions
// (ResourceNotFoundException, ValidationException, LimitExceededException,
// InvalidEventPatternException), with EventBridge's messages where it has
// them, the rule and target named, and the property at fault in
// [Error.Field] (such as "Condition" or "Threshold.Period"); match them
// with errors.Is and the sentinels [ErrResourceNotFound], [ErrValidation],
// [ErrLimitExceeded] and [ErrInvalidEventPattern]. Rule ARNs have AWS's form,
// arn:aws:events:<region>:<account>:rule/<name>, from [WithRegion] and
// [WithAccount].
//
// # Events
//
// [Bus.PutEvents] takes up to ten [Entry] values with EventBridge's fields
// (Source, DetailType, Detail, Resources, Time), validates each (its
// result carries EventBridge's error code and a message naming the field),
// and builds the event EventBridge would deliver:
//
//	{"version":"0","id":"...","detail-type":"...","source":"...","account":"...",
//	 "time":"2026-01-02T03:04:05Z","region":"...","resources":[...],"detail":{...}}
//
// [Bus.PutRawEvents] puts full events as they are, filling in missing
// envelope fields. [TestEventPattern] answers as EventBridge's API of that
// name.
//
// # Conditions
//
// A rule's Condition is a CEL expression (https://cel.dev) of type bool,
// evaluated after its pattern matched, with the event bound as `event`:
//
//	event.detail.total > 100.0 && event.detail.items.size() >= 3
//
// The event is decoded from its JSON for CEL (objects are maps, arrays
// lists, numbers doubles as in CEL's JSON mapping; comparing a double with
// an int literal works, arithmetic across them does not), only for rules
// that have a condition and whose pattern matched, and once per event. A
// condition is compiled and type-checked by PutRule, which refuses one that
// does not compile or is not of type bool. At run time each evaluation is
// bounded by a cost limit ([WithConditionCostLimit]); an evaluation that
// fails (a missing field, a type error, the cost limit) means no match and
// is reported: a ConditionFailed notice, a Warn log line and the
// ConditionErrors counter. A condition applies to every event its rule
// fires on, scheduled ones included.
//
// # Scheduled rules
//
// A rule with a ScheduleExpression runs on a schedule.Scheduler and
// delivers, at each fire time, the event EventBridge sends, whose "time"
// is the nominal fire time (schedule.FireTime), even when the run starts
// late:
//
//	{"version":"0","id":"...","detail-type":"Scheduled Event","source":"aws.events",
//	 "account":"...","time":"...","region":"...","resources":["<rule ARN>"],"detail":{}}
//
// to its own targets only (other rules do not see it). Disabling or
// deleting the rule stops its schedule; enabling it or changing its
// expression or time zone starts it anew (a rate(...) counts from then);
// changing its targets or pattern does not move it. Missed fire times are
// not caught up. A run that finds the delivery queue full waits for room
// (scheduled deliveries are delayed, not dropped); runs of the same rule
// that fall due meanwhile are throttled, counted and notified.
//
// # Audit trail
//
// Every management call (PutRule, DeleteRule, EnableRule, DisableRule,
// PutTargets, RemoveTargets), whether it succeeds or fails, makes an
// [AuditRecord], as CloudTrail records AWS's API calls; so does every
// alarm a PutRule or DeleteRule creates, changes (PutAlarm) or deletes
// (DeleteAlarm), after the call's own record. [WithPrincipal] names who
// calls, through the context:
//
//	ctx = rules.WithPrincipal(ctx, "alice")
//	bus.DeleteRule(ctx, "orders", true) // recorded with principal "alice" ("unknown" without)
//
// The record is put on the Bus itself as an event, so that ordinary rules
// can catch forbidden operations (the CloudTrail + EventBridge pattern):
//
//	{"version":"0","id":"...","detail-type":"Rulebridge API Call","source":"rulebridge.audit",
//	 "account":"...","time":"...","region":"...","resources":["<rule ARN>"],
//	 "detail":{"eventVersion":"1.0","eventID":"<the event's id>","eventTime":"2026-01-02T03:04:05Z",
//	   "eventSource":"rulebridge","eventName":"DeleteRule","awsRegion":"...","recipientAccountId":"...",
//	   "userIdentity":{"principal":"bob"},"requestParameters":{"name":"orders","force":true},
//	   "errorCode":"ResourceNotFoundException","errorMessage":"..."}}
//
// errorCode and errorMessage appear only for a failed call (an [*Error]'s
// Code and Message). requestParameters echo the request with CloudTrail's
// names (name, eventPattern, scheduleExpression, state, description,
// condition, threshold {count, period, field, comparison}; force; rule,
// targets, ids; alarmName); targets appear as {id, kind (their Go type),
// shaping (Input, InputPath or InputTransformer), deadLetterKind}, never
// with credentials, headers or constant input. A rule such as
//
//	{"source": ["rulebridge.audit"], "detail": {"eventName": ["DeleteRule"],
//	 "userIdentity": {"principal": [{"anything-but": ["alice"]}]}}}
//
// then alerts on a DeleteRule by anyone else. The same record, as one
// JSON object, goes to the [AuditSink] given by [WithAuditSink], if any;
// [AuditLog] writes JSON lines to a writer ([NewAuditLog]) or a file
// ([OpenAuditLog]).
//
// The record is written after the change, before the call returns, with
// the call's context: the sink is called, and the audit event is
// dispatched like a PutEvents entry (if rules match it and the delivery
// queue is full, the call waits for room until its context ends). A
// failure to record (the sink's error or panic, no room in time, the Bus
// closing, the event-id source failing) is reported (an AuditFailed
// [Notice] carrying the record, an Error log line and the
// AuditRecordsFailed counter) and does not change the call's result. Calls
// refused because the Bus is closed are not recorded.
//
// An audit event never causes an audit record: it is dispatched, not
// managed. A target that makes a management call when it receives one is
// recorded like any caller (give it a principal), and its own audit event
// may match its rule again: write such rules so that they do not feed on
// themselves, as EventBridge advises for rules that put events.
//
// # Alarms
//
// A rule with a [Threshold] is an alarm, as a CloudWatch metric filter
// plus an alarm: its matched events (pattern, then condition) are counted,
// or a numeric Field of them summed, over a sliding window of Period, and
// compared with Count (>=, >, <= or <). Its targets do not receive the
// events: they fire when the alarm enters ALARM, once per transition.
//
//	bus.PutRule(ctx, rules.Rule{
//		Name:         "warn-burst",
//		EventPattern: `{"source": ["app"], "detail": {"level": ["WARN"]}}`,
//		Threshold:    &rules.Threshold{Count: 3, Period: 5 * time.Minute},
//	})
//
// The window is sliding and bucketed, with bounded memory whatever the
// event rate. Buckets are as wide as the widest of 10, 20, 25, 50, 100,
// 200, 250, 500 ms, 1, 2, 5, 10, 15, 20, 30 s, 1, 2, 5, 10, 15, 20 min that
// is no wider than Period/400 (10 ms for periods under 4 s; 500 ms for 5
// minutes), and start on multiples of that width on the clock; an alarm
// holds at most ceil(Period/width) of them (100 to 1000), empty ones not at
// all. A bucket leaves the window Period after it starts, so an event
// counts for less than Period and at least Period - width after it was
// matched: exactly Period for an event at the start of its bucket (at a
// whole second when the width divides a second). With 5 minutes, a third
// WARN 4:59 after the first alarms and one 5:00 after does not (for WARNs
// at whole seconds; in general the edge is exact to within 500 ms). This
// is a sliding window, unlike CloudWatch's periods aligned on the clock
// (where 2 WARNs at 10:04 and 2 at 10:06 never alarm); it matches
// CloudWatch's alarm with one evaluation period and missing data treated
// as not breaching.
//
// States:
//
//   - INSUFFICIENT_DATA: from the alarm's start (PutRule with a new or
//     changed threshold, or EnableRule) until one whole Period has passed,
//     unless what it has seen decides: for >= and >, a breach decides
//     ALARM (events before the start could only add to it); for <= and <,
//     its absence decides OK. Also while the rule is disabled.
//   - ALARM: the window's value breaches the threshold.
//   - OK: it does not.
//
// The alarm is evaluated when a matched event is counted and, on the
// clock, when its first Period ends and whenever its oldest bucket leaves
// the window (one time.AfterFunc per alarm, armed only when such a moment
// is ahead; no goroutine waits meanwhile): a quiet period returns an alarm
// to OK (or, for < and <=, to ALARM) without a new event. Each transition
// is put on the Bus as an event shaped like CloudWatch's:
//
//	{"version":"0","id":"...","detail-type":"Alarm State Change","source":"rulebridge.alarms",
//	 "account":"...","time":"...","region":"...","resources":["<rule ARN>"],
//	 "detail":{"alarmName":"warn-burst",
//	   "state":{"value":"ALARM","reason":"Threshold Crossed: the value 3 (matched events in the last 300 seconds) was greater than or equal to the threshold (3).",
//	     "reasonData":{"value":3,"threshold":3},"timestamp":"2026-01-02T03:04:05.000Z"},
//	   "previousState":{"value":"INSUFFICIENT_DATA","reason":"Unchecked: Initial alarm creation","timestamp":"..."},
//	   "configuration":{"description":"<the rule's>","count":3,"periodSeconds":300,"comparison":">=","field":"detail.errors"}}}
//
// (reasonData, the value that decided, is absent for states not reached by
// evaluating, such as a disabled rule's; field only for sums.) Ordinary
// rules route these events; the threshold rule's own targets receive the
// one entering ALARM, shaped by their Input, InputPath or InputTransformer.
// Alarm events are not counted by thresholds, so that no alarm feeds on
// announcements. Like all events, transitions of one alarm may be
// delivered out of order; previousState and timestamp tell them apart.
// [Bus.DescribeAlarm] reports an alarm's state; [Bus.ListAlarms] lists the
// alarms of the rules whose names start with a prefix.
//
// An event whose Field is missing or not a number is not counted, and is
// reported (an AlarmValueSkipped notice, a Warn log line, the
// AlarmValuesSkipped counter). PutRule keeps an alarm, its state and its
// window when the threshold is unchanged (other fields, targets and state
// may change); a changed threshold starts a new alarm in
// INSUFFICIENT_DATA, announced as a transition if the old one was
// elsewhere. Removing the threshold, or deleting the rule, deletes the
// alarm (audited as DeleteAlarm). Disabling the rule moves its alarm to
// INSUFFICIENT_DATA (announced) and stops it; enabling starts it anew. A
// threshold needs an EventPattern and no ScheduleExpression.
//
// # Dispatch and backpressure
//
// Every (rule, target) pair an event matches becomes one delivery, made
// through targets.Wrap (shaping, retry policy, dead-letter target) on a
// goroutine of its own, so that a target waiting to retry holds up nothing
// else. A target's panic is recovered and counts as a failed attempt.
//
// Deliveries are bounded two ways. At most [WithQueueCapacity] deliveries
// may be pending (admitted and not settled, retries included); an event's
// deliveries are admitted all together or not at all, and when there is no
// room PutEvents waits until its context ends, then gives that entry
// ThrottlingException and makes none of its deliveries: nothing is dropped
// silently. And at most [WithConcurrency] attempts run at once across the
// Bus (a target's own [Target.Concurrency] bounds it further); a delivery
// waiting out its backoff holds no attempt slot.
//
// There are no ordering guarantees: the deliveries of one event, and of
// successive events, reach a target in any order, and retries reorder
// further. Delivery is at least once: a target may see an event again if
// an attempt fails after the target took it; deduplicate on the event id.
//
// # Shutdown
//
// [Bus.Close] stops intake and schedules, then waits for every pending
// delivery. If its context ends first, the remaining deliveries are
// interrupted: each is dead-lettered with the targets package's code
// INTERRUPTED (or, without a dead-letter target, reported as failed), and
// Close says how many. [Bus.Flush] waits for the deliveries admitted so far
// without closing, as a command does at the end of its input.
//
// # Time
//
// The clock given by [WithClock] supplies the timestamps written into
// events, and nothing else: the "time" of an entry that has none, and of
// the Bus's own audit and alarm events (and their eventTime and state
// timestamps). A scheduled event's "time" is its nominal fire time, which
// comes from the schedule. Everything that is measured or waited for uses
// package time directly: alarm windows, fire times of schedules, backoff
// between retries, the
// ingestion time of a delivery (from which a retry policy's
// MaximumEventAgeInSeconds counts), timeouts. Tests control all of it by
// running inside a testing/synctest bubble, whose fake clock drives
// package time (and robfig/cron under the schedules); examples pass a
// fixed clock and [WithEventIDs] to print reproducible events.
//
// # Observability
//
// An [Observer] ([WithObserver]) receives a [Notice] for each event
// received, rejected or throttled, each rule matched, each condition
// error, each audit record that failed, each alarm transition and skipped
// alarm value, and every delivery notice of the targets package (attempt
// started, attempt failed, retrying, delivered, failed, dead-lettered,
// dead-letter failed, throttled). [Bus.Metrics] returns counters named
// after EventBridge's CloudWatch metrics, and AuditRecords,
// AuditRecordsFailed, AlarmStateChanges, AlarmEventsThrottled and
// AlarmValuesSkipped; [Bus.RuleMetrics] and [Bus.ListRuleMetrics] return
// one rule's counters (EventBridge's metrics with the RuleName dimension:
// MatchedEvents, TriggeredRules, Invocations, FailedInvocations,
// RetryInvocationAttempts, DeadLetterInvocations, ThrottledRules, ...),
// kept by the rule and deleted with it. The Bus's own events (audit and
// alarm events) have no EventReceived notice and are not counted in the
// Bus's Events, MatchedEvents and TriggeredRules, which describe the
// caller's traffic; rules that match them are notified (RuleMatched),
// count them in their own MatchedEvents, and their deliveries are counted
// as any. The log ([WithLogger]) uses stable keys (event_id, rule,
// target, attempt, error_code, error) and never contains event payloads. A Bus keeps no global state: two buses in
// one process share nothing.
//
// # Concurrency
//
// A Bus is safe for concurrent use. Management calls are serialized by a
// mutex; PutEvents takes none while matching: it reads an immutable
// snapshot of the enabled rules through an atomic pointer, and one
// pattern.Matcher holds every rule's pattern. A management call takes
// effect for the events put after it returns; an event put while a rule
// changes sees that rule wholly before or wholly after the change (its
// pattern, condition and targets together). Observers and targets are
// called from many goroutines at once.
//
// The Bus owns its goroutines: the schedule loop (from New to Close), one
// per schedule run, one per pending delivery (reused: a delivery's
// goroutine, once done, waits for the next, up to 64 of them at a time),
// and an alarm's timer callback while it runs. Close ends them all.
//
// Targets and observers may call the Bus, with two cautions: Flush and
// Close wait for deliveries, so a target that calls them waits for itself
// and never returns; and a target that puts events holds a slot of the
// delivery queue while it waits for room, so it should pass a context
// with a deadline, lest targets that all do so fill the queue and wait
// for each other.
//
// # Differences from EventBridge
//
// Where EventBridge is silent, does not apply in-process, or would get in
// the way of testing, this package chooses:
//
//   - PutEvents accepts sources that start with "aws." (EventBridge refuses
//     them for custom events), so tests can put AWS-shaped events.
//   - The size limit applies to each entry (default 256 KB, EventBridge's
//     long-standing limit; it raised its own to 1 MB in 2026); EventBridge
//     also limits the whole request. EventBusName and TraceHeader are not
//     supported: a Bus is one bus.
//   - PutTargets and RemoveTargets are all or nothing, with every problem
//     reported, where EventBridge may accept some entries and fail others;
//     RemoveTargets of an unknown id is a ResourceNotFoundException.
//   - Rules may have a Condition and a ScheduleExpressionTimezone, and
//     at(...) schedules (EventBridge Scheduler features), and there is no
//     limit on the number of rules.
//   - A Detail's JSON is rewritten compactly; an event's "time" has whole
//     seconds.
//   - Shutdown exists: deliveries it interrupts are dead-lettered with the
//     code INTERRUPTED.
//   - ThrottlingException means the bounded delivery queue had no room in
//     time, not an account quota.
//   - The audit trail is the Bus's own: records have CloudTrail's shape,
//     but the source is rulebridge.audit (not aws.events via
//     aws.cloudtrail) and the principal is whatever WithPrincipal says.
//   - Alarms belong to rules (an alarm's name is its rule's), windows
//     slide rather than align on the clock, there is one evaluation
//     period, and the state change event's source is rulebridge.alarms.
package rules
