package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/schedule"
	"github.com/rulebridge/rulebridge/targets"
)

// TestPutRuleValidation checks that every invalid rule is refused with the
// right exception, a message naming the rule, and the underlying error
// where there is one; and that a refused PutRule changes nothing.
func TestPutRuleValidation(t *testing.T) {
	cases := []struct {
		name     string
		rule     rules.Rule
		sentinel error
		msg      string
		wrapped  error  // matched with errors.Is, when set
		field    string // the Error's Field
	}{
		{"empty name", rules.Rule{EventPattern: orderPattern}, rules.ErrValidation, "at 'name' failed to satisfy constraint: Member must have length between 1 and 64", nil, "Name"},
		{"long name", rules.Rule{Name: strings.Repeat("n", 65), EventPattern: orderPattern}, rules.ErrValidation, "Member must have length between 1 and 64", nil, "Name"},
		{"bad name", rules.Rule{Name: "my rule", EventPattern: orderPattern}, rules.ErrValidation, `Value 'my rule' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`, nil, "Name"},
		{"long description", rules.Rule{Name: "r", EventPattern: orderPattern, Description: strings.Repeat("d", 513)}, rules.ErrValidation, "at 'description'", nil, "Description"},
		{"bad state", rules.Rule{Name: "r", EventPattern: orderPattern, State: "ON"}, rules.ErrValidation, "Member must satisfy enum value set: [ENABLED, DISABLED]", nil, "State"},
		{"nothing to fire on", rules.Rule{Name: "r"}, rules.ErrValidation, "Parameter(s) EventPattern or ScheduleExpression must be specified.", nil, ""},
		{"bad pattern", rules.Rule{Name: "r", EventPattern: `{"source": "shop"}`}, rules.ErrInvalidEventPattern, "Event pattern is not valid. Reason:", pattern.ErrInvalidPattern, "EventPattern"},
		{"pattern not JSON", rules.Rule{Name: "r", EventPattern: `{`}, rules.ErrInvalidEventPattern, "Event pattern is not valid.", pattern.ErrInvalidPattern, "EventPattern"},
		{"bad schedule", rules.Rule{Name: "r", ScheduleExpression: "cron(0 25 * * ? *)"}, rules.ErrValidation, "Parameter ScheduleExpression is not valid. hours: 25 is out of range 0-23", schedule.ErrInvalidExpression, "ScheduleExpression"},
		{"bad time zone", rules.Rule{Name: "r", ScheduleExpression: "rate(5 minutes)", ScheduleExpressionTimezone: "Mars/Olympus"}, rules.ErrValidation, "Parameter ScheduleExpressionTimezone is not valid.", nil, "ScheduleExpressionTimezone"},
		{"time zone without schedule", rules.Rule{Name: "r", EventPattern: orderPattern, ScheduleExpressionTimezone: "UTC"}, rules.ErrValidation, "only valid with a ScheduleExpression", nil, "ScheduleExpressionTimezone"},
		{"condition syntax", rules.Rule{Name: "r", EventPattern: orderPattern, Condition: "event.detail.total >"}, rules.ErrValidation, "Parameter Condition is not valid: ERROR: <input>:1:", nil, "Condition"},
		{"condition undeclared", rules.Rule{Name: "r", EventPattern: orderPattern, Condition: "evnt.detail.total > 1.0"}, rules.ErrValidation, "undeclared reference to 'evnt'", nil, "Condition"},
		{"condition not bool", rules.Rule{Name: "r", EventPattern: orderPattern, Condition: "event.detail.total + 1.0"}, rules.ErrValidation, "it has type double, not bool", nil, "Condition"},
		{"condition dyn", rules.Rule{Name: "r", EventPattern: orderPattern, Condition: "event.detail.flag"}, rules.ErrValidation, "it has type dyn, not bool", nil, "Condition"},
		{"threshold without pattern", rules.Rule{Name: "r", ScheduleExpression: "rate(5 minutes)", Threshold: &rules.Threshold{Count: 3, Period: time.Minute}}, rules.ErrValidation, "Parameter Threshold is only valid with an EventPattern", nil, "Threshold"},
		{"threshold period", rules.Rule{Name: "r", EventPattern: orderPattern, Threshold: &rules.Threshold{Count: 3, Period: 1500 * time.Millisecond}}, rules.ErrValidation, "Parameter Threshold.Period is not valid: 1.5s is not a whole number of seconds", nil, "Threshold.Period"},
		{"threshold comparison", rules.Rule{Name: "r", EventPattern: orderPattern, Threshold: &rules.Threshold{Count: 3, Period: time.Minute, Comparison: "=="}}, rules.ErrValidation, "Parameter Threshold.Comparison is not valid", nil, "Threshold.Comparison"},
		{"condition too long", rules.Rule{Name: "r", EventPattern: orderPattern, Condition: strings.Repeat("true && ", 600) + "true"}, rules.ErrValidation, "the limit is 4096", nil, "Condition"},
	}
	b := newBus(t)
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern, Description: "original"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.PutRule(context.Background(), c.rule)
			if !errors.Is(err, c.sentinel) {
				t.Fatalf("err = %v, want %v", err, c.sentinel)
			}
			var re *rules.Error
			if !errors.As(err, &re) || re.Rule != c.rule.Name || !strings.Contains(re.Message, c.msg) {
				t.Errorf("err = %#v, want message containing %q", err, c.msg)
			}
			if c.rule.Name != "" && !strings.Contains(err.Error(), `rule "`+c.rule.Name+`"`) {
				t.Errorf("Error() = %q does not name the rule", err.Error())
			}
			if re != nil && re.Field != c.field {
				t.Errorf("Field = %q, want %q", re.Field, c.field)
			}
			if c.wrapped != nil && !errors.Is(err, c.wrapped) {
				t.Errorf("err does not wrap %v", c.wrapped)
			}
		})
	}
	t.Logf("%d PutRule validation cases ran", len(cases))
	info, err := b.DescribeRule("r")
	if err != nil || info.Description != "original" || len(b.ListRules("")) != 1 {
		t.Errorf("a refused PutRule changed the rules: %+v, %v", info, err)
	}
}

func TestRuleLifecycle(t *testing.T) {
	ctx := context.Background()
	b := newBus(t, rules.WithAccount("111122223333"), rules.WithRegion("eu-west-1"))
	arn := mustPutRule(t, b, rules.Rule{Name: "orders.big", EventPattern: orderPattern, Description: "big orders"})
	if arn != "arn:aws:events:eu-west-1:111122223333:rule/orders.big" || arn != b.RuleARN("orders.big") {
		t.Errorf("ARN %q", arn)
	}
	mustPutRule(t, b, rules.Rule{Name: "orders-small", EventPattern: orderPattern, State: rules.Disabled})
	mustPutRule(t, b, rules.Rule{Name: "nightly", ScheduleExpression: "cron(0 3 * * ? *)", ScheduleExpressionTimezone: "Europe/Paris"})

	info, err := b.DescribeRule("orders.big")
	if err != nil || info.State != rules.Enabled || info.Description != "big orders" || info.EventPattern != orderPattern || info.ARN != arn {
		t.Errorf("DescribeRule: %+v, %v", info, err)
	}
	var names []string
	for _, r := range b.ListRules("orders") {
		names = append(names, r.Name+":"+string(r.State))
	}
	if got := strings.Join(names, ","); got != "orders-small:DISABLED,orders.big:ENABLED" {
		t.Errorf("ListRules(orders) = %s", got)
	}
	if n := len(b.ListRules("")); n != 3 {
		t.Errorf("ListRules() has %d rules", n)
	}

	if err := b.EnableRule(ctx, "orders-small"); err != nil {
		t.Fatal(err)
	}
	if err := b.DisableRule(ctx, "orders.big"); err != nil {
		t.Fatal(err)
	}
	if err := b.DisableRule(ctx, "orders.big"); err != nil {
		t.Errorf("disabling a disabled rule: %v", err)
	}
	if i, _ := b.DescribeRule("orders-small"); i.State != rules.Enabled {
		t.Errorf("EnableRule left state %s", i.State)
	}
	if i, _ := b.DescribeRule("orders.big"); i.State != rules.Disabled {
		t.Errorf("DisableRule left state %s", i.State)
	}

	// Replacing a rule keeps its targets and replaces every other field.
	mustPutTargets(t, b, "orders.big", rules.Target{ID: "t1", Target: &recorder{}})
	mustPutRule(t, b, rules.Rule{Name: "orders.big", EventPattern: `{"source": ["shop2"]}`})
	info, _ = b.DescribeRule("orders.big")
	if info.Description != "" || info.State != rules.Enabled || info.EventPattern != `{"source": ["shop2"]}` {
		t.Errorf("replaced rule: %+v", info)
	}
	if ts, err := b.ListTargetsByRule("orders.big"); err != nil || len(ts) != 1 || ts[0].ID != "t1" {
		t.Errorf("targets after replacing the rule: %+v, %v", ts, err)
	}

	// DeleteRule refuses while targets remain, unless forced.
	err = b.DeleteRule(ctx, "orders.big", false)
	if !errors.Is(err, rules.ErrValidation) || !strings.Contains(err.Error(), "Rule can't be deleted since it has targets.") {
		t.Errorf("DeleteRule with targets: %v", err)
	}
	if err := b.DeleteRule(ctx, "orders.big", true); err != nil {
		t.Errorf("forced DeleteRule: %v", err)
	}
	if err := b.DeleteRule(ctx, "nightly", false); err != nil {
		t.Errorf("DeleteRule without targets: %v", err)
	}
	if n := len(b.ListRules("")); n != 1 {
		t.Errorf("%d rules left, want 1", n)
	}

	// Unknown rules.
	for name, err := range map[string]error{
		"DescribeRule":      func() error { _, err := b.DescribeRule("orders.big"); return err }(),
		"DeleteRule":        b.DeleteRule(ctx, "orders.big", true),
		"EnableRule":        b.EnableRule(ctx, "nope"),
		"DisableRule":       b.DisableRule(ctx, "nope"),
		"PutTargets":        b.PutTargets(ctx, "nope", rules.Target{ID: "a", Target: &recorder{}}),
		"RemoveTargets":     b.RemoveTargets(ctx, "nope", "a"),
		"ListTargetsByRule": func() error { _, err := b.ListTargetsByRule("nope"); return err }(),
	} {
		var re *rules.Error
		if !errors.Is(err, rules.ErrResourceNotFound) || !errors.As(err, &re) || !strings.Contains(re.Message, "does not exist on EventBus default.") {
			t.Errorf("%s of an unknown rule: %v", name, err)
		}
	}
}

func TestPutTargetsValidation(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern})
	rec := &recorder{}
	tgt := func(id string) rules.Target { return rules.Target{ID: id, Target: rec} }
	cases := []struct {
		name     string
		ts       []rules.Target
		sentinel error
		msg      string
		target   string // the Error's Target
		field    string // the Error's Field
	}{
		{"none", nil, rules.ErrValidation, "Member must have length between 1 and 10", "", ""},
		{"eleven", []rules.Target{tgt("1"), tgt("2"), tgt("3"), tgt("4"), tgt("5"), tgt("6"), tgt("7"), tgt("8"), tgt("9"), tgt("10"), tgt("11")}, rules.ErrValidation, "between 1 and 10", "", ""},
		{"six", []rules.Target{tgt("1"), tgt("2"), tgt("3"), tgt("4"), tgt("5"), tgt("6")}, rules.ErrLimitExceeded, "the limit is 5", "", ""},
		{"empty id", []rules.Target{tgt("")}, rules.ErrValidation, "Member must have length between 1 and 64", "", "ID"},
		{"bad id", []rules.Target{tgt("a/b")}, rules.ErrValidation, "Member must satisfy regular expression pattern", "a/b", "ID"},
		{"duplicate id", []rules.Target{tgt("a"), tgt("a")}, rules.ErrValidation, "appears more than once", "a", "ID"},
		{"no target", []rules.Target{{ID: "a"}}, rules.ErrValidation, "has no Target", "a", "Target"},
		{"two shapings", []rules.Target{{ID: "a", Target: rec, Input: `{}`, InputPath: "$.detail"}}, rules.ErrValidation, "Target a is not valid", "a", ""},
		{"bad input path", []rules.Target{{ID: "a", Target: rec, InputPath: "detail"}}, rules.ErrValidation, "InputPath", "a", "InputPath"},
		{"bad retry policy", []rules.Target{{ID: "a", Target: rec, RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: 186}}}, rules.ErrValidation, "MaximumRetryAttempts", "a", "RetryPolicy.MaximumRetryAttempts"},
		{"two problems", []rules.Target{{ID: "a", Target: rec, InputPath: "detail", Timeout: -1}}, rules.ErrValidation, "Timeout", "a", ""},
		{"bad template", []rules.Target{{ID: "a", Target: rec, InputTransformer: &targets.InputTransformer{InputTemplate: `{"x": <nope>}`}}}, rules.ErrValidation, "nope", "a", "InputTransformer.InputTemplate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := b.PutTargets(ctx, "r", c.ts...)
			if !errors.Is(err, c.sentinel) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), `rule "r"`) {
				t.Errorf("err = %v, want %v with %q", err, c.sentinel, c.msg)
			}
			var re *rules.Error
			if !errors.As(err, &re) || re.Target != c.target || re.Field != c.field {
				t.Errorf("err = %#v, want Target %q, Field %q", err, c.target, c.field)
			}
		})
	}
	t.Logf("%d PutTargets validation cases ran", len(cases))
	if ts, _ := b.ListTargetsByRule("r"); len(ts) != 0 {
		t.Errorf("refused calls left targets: %+v", ts)
	}

	// Five fit; a sixth in a later call does not; replacing by id does.
	mustPutTargets(t, b, "r", tgt("1"), tgt("2"), tgt("3"))
	mustPutTargets(t, b, "r", tgt("4"), tgt("5"))
	if err := b.PutTargets(ctx, "r", tgt("6")); !errors.Is(err, rules.ErrLimitExceeded) {
		t.Errorf("sixth target: %v", err)
	}
	mustPutTargets(t, b, "r", rules.Target{ID: "3", Target: rec, Input: `{"replaced":true}`})
	ts, _ := b.ListTargetsByRule("r")
	var ids []string
	for _, x := range ts {
		ids = append(ids, x.ID)
	}
	if strings.Join(ids, ",") != "1,2,3,4,5" || ts[2].Input != `{"replaced":true}` {
		t.Errorf("targets %v (third: %+v)", ids, ts[2])
	}
}

func TestRemoveTargets(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: orderPattern})
	a, c := &recorder{}, &recorder{}
	mustPutTargets(t, b, "r", rules.Target{ID: "a", Target: a}, rules.Target{ID: "b", Target: &recorder{}}, rules.Target{ID: "c", Target: c})
	err := b.RemoveTargets(ctx, "r", "b", "zz")
	if !errors.Is(err, rules.ErrResourceNotFound) || !strings.Contains(err.Error(), "Target zz does not exist on rule r.") {
		t.Errorf("removing an unknown id: %v", err)
	}
	if ts, _ := b.ListTargetsByRule("r"); len(ts) != 3 {
		t.Errorf("a refused RemoveTargets removed targets: %d left", len(ts))
	}
	if err := b.RemoveTargets(ctx, "r", "b", "c"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, order(1, 1))
	flush(t, b)
	if len(a.deliveries()) != 1 || len(c.deliveries()) != 0 {
		t.Errorf("after removing c: a got %d, c got %d", len(a.deliveries()), len(c.deliveries()))
	}
	if err := b.DeleteRule(ctx, "r", false); !errors.Is(err, rules.ErrValidation) {
		t.Errorf("DeleteRule with one target left: %v", err)
	}
	if err := b.RemoveTargets(ctx, "r", "a"); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteRule(ctx, "r", false); err != nil {
		t.Errorf("DeleteRule without targets: %v", err)
	}
}

func TestOptions(t *testing.T) {
	cases := []struct {
		name string
		opts []rules.Option
		msg  string
	}{
		{"nil option", []rules.Option{nil}, "nil Option"},
		{"nil logger", []rules.Option{rules.WithLogger(nil)}, "nil logger"},
		{"nil observer", []rules.Option{rules.WithObserver(nil)}, "nil observer"},
		{"short account", []rules.Option{rules.WithAccount("123")}, "not 12 digits"},
		{"bad region", []rules.Option{rules.WithRegion("EU WEST")}, "not a region name"},
		{"zero size", []rules.Option{rules.WithMaxEventSize(0)}, "not positive"},
		{"zero concurrency", []rules.Option{rules.WithConcurrency(0)}, "not positive"},
		{"zero capacity", []rules.Option{rules.WithQueueCapacity(-1)}, "not positive"},
		{"nil clock", []rules.Option{rules.WithClock(nil)}, "nil func"},
		{"nil ids", []rules.Option{rules.WithEventIDs(nil)}, "nil func"},
		{"zero cost", []rules.Option{rules.WithConditionCostLimit(0)}, "not positive"},
		{"twice", []rules.Option{rules.WithRegion("eu-west-1"), rules.WithRegion("eu-west-2")}, "WithRegion given more than once"},
	}
	for _, c := range cases {
		b, err := rules.New(c.opts...)
		if err == nil || !strings.Contains(err.Error(), c.msg) || b != nil {
			t.Errorf("%s: New = %v, %v; want an error with %q", c.name, b, err, c.msg)
		}
	}
	b := newBus(t)
	if b.Account() != rules.DefaultAccount || b.Region() != rules.DefaultRegion {
		t.Errorf("defaults: account %s, region %s", b.Account(), b.Region())
	}
}
