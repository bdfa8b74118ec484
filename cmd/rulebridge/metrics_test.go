package main

import (
	"strings"
	"testing"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// TestWriteMetricsRules checks the per-rule samples: one per rule and
// counter, in the order given, labelled with the rule's name.
func TestWriteMetricsRules(t *testing.T) {
	var b strings.Builder
	rs := []rules.RuleMetrics{
		{Name: "a", MatchedEvents: 3, TriggeredRules: 3, Metrics: targets.Metrics{Invocations: 2, RetryInvocationAttempts: 5, ThrottledRules: 7}},
		{Name: "b.2", ConditionErrors: 4, Metrics: targets.Metrics{DeadLetterInvocations: 1, InvocationsFailedToBeSentToDlq: 1}},
	}
	if err := writeMetrics(&b, rules.Metrics{}, rs, 0); err != nil {
		t.Fatal(err)
	}
	values := parseExposition(t, b.String())
	if len(values) != len(metrics)+2*len(ruleMetrics) {
		t.Errorf("%d samples, want %d", len(values), len(metrics)+2*len(ruleMetrics))
	}
	for name, want := range map[string]int64{
		`rulebridge_rule_matched_events_total{rule="a"}`:                         3,
		`rulebridge_rule_triggered_rules_total{rule="a"}`:                        3,
		`rulebridge_rule_invocations_total{rule="a"}`:                            2,
		`rulebridge_rule_retry_invocation_attempts_total{rule="a"}`:              5,
		`rulebridge_rule_throttled_rules_total{rule="a"}`:                        7,
		`rulebridge_rule_condition_errors_total{rule="b.2"}`:                     4,
		`rulebridge_rule_dead_letter_invocations_total{rule="b.2"}`:              1,
		`rulebridge_rule_invocations_failed_to_be_sent_to_dlq_total{rule="b.2"}`: 1,
		`rulebridge_rule_matched_events_total{rule="b.2"}`:                       0,
		`rulebridge_rule_invocations_failed_to_be_sent_to_dlq_total{rule="a"}`:   0,
	} {
		if got, ok := values[name]; !ok || got != want {
			t.Errorf("%s = %d (present: %v), want %d", name, got, ok, want)
		}
	}
	if a, b2 := strings.Index(b.String(), `{rule="a"}`), strings.Index(b.String(), `{rule="b.2"}`); a < 0 || b2 < a {
		t.Errorf("rule a's samples do not come before rule b.2's")
	}
	if got := labelValue("x\"y\\z\nw"); got != `x\"y\\z\nw` {
		t.Errorf("labelValue = %s", got)
	}
}
