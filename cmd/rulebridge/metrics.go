package main

import (
	"bufio"
	"io"
	"strconv"

	"github.com/rulebridge/rulebridge/rules"
)

// A metric is one line of GET /metrics: a Prometheus counter (or gauge)
// read from a snapshot of the bus's counters.
type metric struct {
	name, help string
	gauge      bool
	value      func(m *rules.Metrics, invalid int64) int64
}

// metrics lists what GET /metrics exposes, in order: the bus's counters
// (named after EventBridge's CloudWatch metrics, whose names the help texts
// give) and the inputs the command refused itself.
var metrics = []metric{
	{"rulebridge_put_events_entries_total", "Entries given to PutEvents, over HTTP or from --events (PutEventsEntriesCount).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.PutEventsEntries }},
	{"rulebridge_put_events_failed_entries_total", "Entries the bus refused, with an error code (PutEventsFailedEntriesCount).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.PutEventsFailedEntries }},
	{"rulebridge_put_events_throttled_entries_total", "Entries refused with ThrottlingException: no room in the delivery queue in time.", false,
		func(m *rules.Metrics, _ int64) int64 { return m.PutEventsThrottledEntries }},
	{"rulebridge_invalid_inputs_total", "Input lines and HTTP entries refused before reaching the bus (not JSON, unknown or mistyped members).", false,
		func(_ *rules.Metrics, invalid int64) int64 { return invalid }},
	{"rulebridge_events_total", "Events accepted: entries given an event id, and scheduled events.", false,
		func(m *rules.Metrics, _ int64) int64 { return m.Events }},
	{"rulebridge_matched_events_total", "Events that matched at least one rule (MatchedEvents).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.MatchedEvents }},
	{"rulebridge_triggered_rules_total", "Matches of an event and a rule (TriggeredRules).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.TriggeredRules }},
	{"rulebridge_condition_errors_total", "Rule condition evaluations that failed; the rule then did not match.", false,
		func(m *rules.Metrics, _ int64) int64 { return m.ConditionErrors }},
	{"rulebridge_scheduled_events_throttled_total", "Schedule runs that made no delivery for want of room in the delivery queue.", false,
		func(m *rules.Metrics, _ int64) int64 { return m.ScheduledEventsThrottled }},
	{"rulebridge_invocations_total", "Deliveries that ended, delivered or not (Invocations).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.Invocations }},
	{"rulebridge_failed_invocations_total", "Deliveries that failed for good and were not dead-lettered (FailedInvocations).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.FailedInvocations }},
	{"rulebridge_invocation_attempts_total", "Delivery attempts (InvocationAttempts).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.InvocationAttempts }},
	{"rulebridge_successful_invocation_attempts_total", "Delivery attempts that delivered (SuccessfulInvocationAttempts).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.SuccessfulInvocationAttempts }},
	{"rulebridge_retry_invocation_attempts_total", "Retries of failed attempts (RetryInvocationAttempts).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.RetryInvocationAttempts }},
	{"rulebridge_dead_letter_invocations_total", "Deliveries handed to a dead-letter target, whatever the outcome (DeadLetterInvocations).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.DeadLetterInvocations }},
	{"rulebridge_invocations_sent_to_dlq_total", "Events written to a dead-letter target (InvocationsSentToDlq).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.InvocationsSentToDlq }},
	{"rulebridge_invocations_failed_to_be_sent_to_dlq_total", "Events the dead-letter target failed to take: lost (InvocationsFailedToBeSentToDlq).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.InvocationsFailedToBeSentToDlq }},
	{"rulebridge_throttled_rules_total", "Attempts delayed by a rate limit (ThrottledRules).", false,
		func(m *rules.Metrics, _ int64) int64 { return m.ThrottledRules }},
	{"rulebridge_pending_deliveries", "Deliveries admitted and not yet delivered, dead-lettered or failed.", true,
		func(m *rules.Metrics, _ int64) int64 { return m.PendingDeliveries }},
}

// writeMetrics writes m in the Prometheus text exposition format (0.0.4):
// for each metric a HELP line, a TYPE line and one sample.
func writeMetrics(w io.Writer, m rules.Metrics, invalid int64) error {
	bw := bufio.NewWriter(w)
	for _, x := range metrics {
		typ := "counter"
		if x.gauge {
			typ = "gauge"
		}
		bw.WriteString("# HELP " + x.name + " " + x.help + "\n")
		bw.WriteString("# TYPE " + x.name + " " + typ + "\n")
		bw.WriteString(x.name + " " + strconv.FormatInt(x.value(&m, invalid), 10) + "\n")
	}
	return bw.Flush()
}
