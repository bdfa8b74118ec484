package main

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
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

// A ruleMetric is a counter of GET /metrics with one sample per rule,
// labelled rule="<name>": EventBridge's metrics with the RuleName
// dimension.
type ruleMetric struct {
	name, help string
	value      func(m *rules.RuleMetrics) int64
}

// ruleMetrics lists the per-rule counters GET /metrics exposes after the
// bus's, in order. Their names start with rulebridge_rule_, apart from the
// bus's totals, so that summing a family over its rules never counts a
// total twice.
var ruleMetrics = []ruleMetric{
	{"rulebridge_rule_matched_events_total", "Events that matched the rule, scheduled events included (MatchedEvents by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.MatchedEvents }},
	{"rulebridge_rule_triggered_rules_total", "Times the rule was triggered (TriggeredRules by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.TriggeredRules }},
	{"rulebridge_rule_condition_errors_total", "Evaluations of the rule's condition that failed; the rule then did not match.",
		func(m *rules.RuleMetrics) int64 { return m.ConditionErrors }},
	{"rulebridge_rule_invocations_total", "Deliveries to the rule's targets that ended, delivered or not (Invocations by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.Invocations }},
	{"rulebridge_rule_failed_invocations_total", "Deliveries to the rule's targets that failed for good and were not dead-lettered (FailedInvocations by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.FailedInvocations }},
	{"rulebridge_rule_invocation_attempts_total", "Delivery attempts to the rule's targets (InvocationAttempts by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.InvocationAttempts }},
	{"rulebridge_rule_successful_invocation_attempts_total", "Delivery attempts to the rule's targets that delivered (SuccessfulInvocationAttempts by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.SuccessfulInvocationAttempts }},
	{"rulebridge_rule_retry_invocation_attempts_total", "Retries of failed attempts to the rule's targets (RetryInvocationAttempts by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.RetryInvocationAttempts }},
	{"rulebridge_rule_dead_letter_invocations_total", "Deliveries of the rule handed to a dead-letter target, whatever the outcome (DeadLetterInvocations by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.DeadLetterInvocations }},
	{"rulebridge_rule_invocations_sent_to_dlq_total", "Events of the rule written to a dead-letter target (InvocationsSentToDlq by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.InvocationsSentToDlq }},
	{"rulebridge_rule_invocations_failed_to_be_sent_to_dlq_total", "Events of the rule the dead-letter target failed to take: lost (InvocationsFailedToBeSentToDlq by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.InvocationsFailedToBeSentToDlq }},
	{"rulebridge_rule_throttled_rules_total", "Attempts to the rule's targets delayed by a rate limit (ThrottledRules by RuleName).",
		func(m *rules.RuleMetrics) int64 { return m.ThrottledRules }},
}

// writeMetrics writes m, then rs (one rule's counters each, ordered by
// name), in the Prometheus text exposition format (0.0.4): for each metric
// a HELP line, a TYPE line and its samples, one for a bus counter, one per
// rule (labelled rule="<name>") for a rule counter.
func writeMetrics(w io.Writer, m rules.Metrics, rs []rules.RuleMetrics, invalid int64) error {
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
	for _, x := range ruleMetrics {
		bw.WriteString("# HELP " + x.name + " " + x.help + "\n")
		bw.WriteString("# TYPE " + x.name + " counter\n")
		for i := range rs {
			bw.WriteString(x.name + `{rule="` + labelValue(rs[i].Name) + `"} ` + strconv.FormatInt(x.value(&rs[i]), 10) + "\n")
		}
	}
	return bw.Flush()
}

// labelValue escapes a label value as the text format wants: backslash,
// double quote and line feed. (Rule names have none of them; the check
// costs little.)
func labelValue(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer("\\", `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// ruleThrottles counts, by rule, the Throttled notices of the Http
// targets, which wait for their own rate limit without the bus seeing it.
// Its map is filled before any delivery and only read after: Observe
// takes no lock.
type ruleThrottles map[string]*atomic.Int64

func newRuleThrottles(f *rulesfile.File) ruleThrottles {
	t := ruleThrottles{}
	for _, r := range f.Rules {
		t[r.Name] = new(atomic.Int64)
	}
	return t
}

// Observe counts n if it is a Throttled notice of a known rule.
func (t ruleThrottles) Observe(_ context.Context, n targets.Notice) {
	if c := t[n.Delivery.RuleName]; c != nil && n.Kind == targets.Throttled {
		c.Add(1)
	}
}
