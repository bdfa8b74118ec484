package rules

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/schedule"
)

// RuleState says whether a rule is enabled, as EventBridge's State.
type RuleState string

// Rule states. The empty state means Enabled, EventBridge's default.
const (
	Enabled  RuleState = "ENABLED"
	Disabled RuleState = "DISABLED"
)

// Limits of rules, as EventBridge has them.
const (
	MaxRuleNameLen    = 64
	MaxDescriptionLen = 512
	MaxConditionLen   = 4096 // ours: EventBridge has no conditions
	MaxTargetsPerRule = 5
)

// Rule is what PutRule takes: a rule as EventBridge's PutRule request
// describes it, plus a Condition.
type Rule struct {
	// Name is 1-64 characters of ASCII letters, digits, ".", "-" and "_".
	Name string
	// EventPattern is an EventBridge event pattern (JSON text; see package
	// pattern). A rule needs an EventPattern, a ScheduleExpression, or both.
	EventPattern string
	// ScheduleExpression is cron(...), rate(...) or at(...) (see package
	// schedule); the rule then fires on that schedule with a scheduled
	// event.
	ScheduleExpression string
	// ScheduleExpressionTimezone is the IANA time zone the schedule is
	// read in, such as "Asia/Tokyo"; empty means UTC. (EventBridge Scheduler
	// has this field; EventBridge rules are always UTC.)
	ScheduleExpressionTimezone string
	// State is Enabled or Disabled; empty means Enabled. A disabled rule
	// matches nothing and its schedule does not fire.
	State RuleState
	// Description is free text of at most 512 characters.
	Description string
	// Condition is an optional CEL expression of type bool, evaluated after
	// the pattern matched, with the event bound as `event` (a map from the
	// event's JSON). The rule matches only when it yields true. See the
	// package documentation, "Conditions".
	Condition string
	// Threshold, if set, makes the rule an alarm: its matched events are
	// counted over a sliding window, and its targets fire when the count
	// (or sum) crosses the threshold, once per crossing, rather than on
	// every event. It needs an EventPattern and no ScheduleExpression. See
	// the package documentation, "Alarms". PutRule keeps a copy.
	Threshold *Threshold
}

// RuleInfo is what DescribeRule and ListRules return: the rule as put
// (with its State filled in, and its Threshold normalized: Comparison set,
// Field without "$.") and its ARN. Its Threshold is a copy of the rule's.
type RuleInfo struct {
	Rule
	ARN string
}

// ruleSlot holds the current version of a rule, for schedule runs, which
// must see target changes without being rescheduled.
type ruleSlot struct {
	cur atomic.Pointer[rule]
	// waiting is set while a schedule run of the rule waits for room in
	// the delivery queue; runs that fall due meanwhile are throttled.
	waiting atomic.Bool
	// m counts for RuleMetrics: the slot lives as long as the rule.
	m ruleCounters
}

// rule is one immutable version of a rule.
type rule struct {
	spec    Rule // normalized: State is never empty
	arn     string
	key     string // matcher key; changes when the pattern does
	pat     *pattern.Pattern
	sched   schedule.Schedule // zero without a ScheduleExpression
	cond    *condition
	targets []*target     // in the order put
	gpath   string        // gjson path of the Threshold's Field; "" when counting
	alarm   *alarm        // set with a Threshold; shared by versions that keep it
	m       *ruleCounters // its slot's
}

func (r *rule) enabled() bool   { return r.spec.State == Enabled }
func (r *rule) inMatcher() bool { return r != nil && r.enabled() && r.pat != nil }
func (r *rule) scheduled() bool { return r != nil && r.enabled() && r.spec.ScheduleExpression != "" }

// with returns a copy of r, for a new version.
func (r *rule) with() *rule {
	c := *r
	return &c
}

func (r *rule) info() RuleInfo {
	in := RuleInfo{Rule: r.spec, ARN: r.arn}
	if r.spec.Threshold != nil {
		t := *r.spec.Threshold
		in.Threshold = &t
	}
	return in
}

// PutRule creates the rule, or replaces the rule of that name, and returns
// its ARN. As in EventBridge, replacing a rule keeps its targets and
// replaces every other field (an omitted field is not kept). The rule
// takes effect for events put after PutRule returns; a changed schedule
// starts anew.
//
// Everything is checked first, and nothing changes if anything is wrong:
// an invalid name, state or description, or neither pattern nor schedule,
// is a ValidationException; an invalid pattern an
// InvalidEventPatternException wrapping the *pattern.Error; an invalid
// schedule expression or time zone a ValidationException wrapping the
// schedule package's error; a condition that does not compile or is not
// of type bool a ValidationException; so is an invalid Threshold, naming
// the field at fault.
//
// A rule whose Threshold is unchanged (equal after normalizing) keeps its
// alarm, state and window; a new or changed Threshold starts a new alarm
// (see the package documentation, "Alarms").
func (b *Bus) PutRule(ctx context.Context, r Rule) (arn string, err error) {
	err = b.manage(ctx, call{name: "PutRule", rule: r.Name, params: putRuleParamsOf(&r)}, func() error {
		nr, err := b.compileRule(r)
		if err != nil {
			return err
		}
		slot := b.rules[r.Name]
		var old *rule
		if slot == nil {
			slot = &ruleSlot{}
		} else {
			old = slot.cur.Load()
			nr.targets = old.targets
		}
		nr.m = &slot.m
		if nr.spec.Threshold != nil {
			if old != nil && old.alarm != nil && *old.spec.Threshold == *nr.spec.Threshold {
				nr.alarm = old.alarm
			} else {
				nr.alarm = b.newAlarm(slot, nr)
			}
		}
		if nr.pat != nil {
			if old != nil && old.pat != nil && old.spec.EventPattern == nr.spec.EventPattern {
				nr.key = old.key
			} else {
				b.lastGen++
				nr.key = r.Name + "#" + strconv.FormatUint(b.lastGen, 10)
			}
		}
		if err := b.publish(slot, old, nr); err != nil {
			return err
		}
		b.rules[r.Name] = slot
		b.updateAlarm(old, nr)
		arn = nr.arn
		return nil
	})
	if err != nil {
		return "", err
	}
	return arn, nil
}

// compileRule checks r and compiles its pattern, schedule and condition.
func (b *Bus) compileRule(r Rule) (*rule, error) {
	if err := checkName(r.Name); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(r.Description); n > MaxDescriptionLen {
		return nil, constraintError(r.Name, "", "Description", r.Description, "description",
			"Member must have length less than or equal to "+strconv.Itoa(MaxDescriptionLen))
	}
	switch r.State {
	case "":
		r.State = Enabled
	case Enabled, Disabled:
	default:
		return nil, constraintError(r.Name, "", "State", string(r.State), "state", "Member must satisfy enum value set: [ENABLED, DISABLED]")
	}
	if r.EventPattern == "" && r.ScheduleExpression == "" {
		return nil, &Error{Code: CodeValidation, Rule: r.Name, Message: "Parameter(s) EventPattern or ScheduleExpression must be specified."}
	}
	nr := &rule{spec: r, arn: b.RuleARN(r.Name)}
	if r.EventPattern != "" {
		p, err := pattern.Compile([]byte(r.EventPattern))
		if err != nil {
			return nil, &Error{Code: CodeInvalidEventPattern, Rule: r.Name, Field: "EventPattern", Message: err.Error(), Err: err}
		}
		nr.pat = p
	}
	if r.ScheduleExpression != "" {
		sc, err := parseSchedule(r)
		if err != nil {
			if errors.Is(err, schedule.ErrInvalidExpression) {
				return nil, &Error{Code: CodeValidation, Rule: r.Name, Field: "ScheduleExpression", Err: err,
					Message: schedule.RulesMessage + " " + strings.TrimPrefix(err.Error(), "schedule: ")}
			}
			return nil, &Error{Code: CodeValidation, Rule: r.Name, Field: "ScheduleExpressionTimezone", Err: err,
				Message: "Parameter ScheduleExpressionTimezone is not valid. " + strings.TrimPrefix(err.Error(), "schedule: ")}
		}
		nr.sched = sc
	} else if r.ScheduleExpressionTimezone != "" {
		return nil, &Error{Code: CodeValidation, Rule: r.Name, Field: "ScheduleExpressionTimezone",
			Message: "Parameter ScheduleExpressionTimezone is only valid with a ScheduleExpression."}
	}
	if r.Condition != "" {
		c, err := b.compileCondition(r.Name, r.Condition)
		if err != nil {
			return nil, err
		}
		nr.cond = c
	}
	if r.Threshold != nil {
		t, gpath, err := compileThreshold(&r)
		if err != nil {
			return nil, err
		}
		nr.spec.Threshold, nr.gpath = t, gpath
	}
	return nr, nil
}

// parseSchedule parses r's schedule expression in its time zone.
func parseSchedule(r Rule) (schedule.Schedule, error) {
	var opts []schedule.Option
	if r.ScheduleExpressionTimezone != "" {
		opts = append(opts, schedule.WithTimeZone(r.ScheduleExpressionTimezone))
	}
	return schedule.Parse(r.ScheduleExpression, opts...)
}

// checkName validates a rule name as EventBridge does.
func checkName(name string) error {
	if name == "" || len(name) > MaxRuleNameLen {
		return constraintError(name, "", "Name", name, "name", "Member must have length between 1 and "+strconv.Itoa(MaxRuleNameLen))
	}
	if !validID(name) {
		return constraintError(name, "", "Name", name, "name", `Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`)
	}
	return nil
}

// validID reports whether s is made only of [.\-_A-Za-z0-9].
func validID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// DeleteRule deletes the rule. As in EventBridge, a rule that still has
// targets is refused with a ValidationException ("Rule can't be deleted
// since it has targets.") unless force is true, which deletes it with its
// targets. Deliveries already admitted still run. An unknown rule is a
// ResourceNotFoundException. Deleting a rule with a Threshold deletes its
// alarm (audited as DeleteAlarm).
func (b *Bus) DeleteRule(ctx context.Context, name string, force bool) error {
	return b.manage(ctx, call{name: "DeleteRule", rule: name, params: deleteRuleParams{name, force}}, func() error {
		slot := b.rules[name]
		if slot == nil {
			return ruleNotFound(name)
		}
		old := slot.cur.Load()
		if len(old.targets) > 0 && !force {
			return &Error{Code: CodeValidation, Rule: name, Message: "Rule can't be deleted since it has targets."}
		}
		if err := b.publish(slot, old, nil); err != nil {
			return err
		}
		delete(b.rules, name)
		b.updateAlarm(old, nil)
		return nil
	})
}

// EnableRule enables the rule: it matches events again, and its schedule
// and its alarm (if it has a Threshold) start anew. Enabling an enabled
// rule does nothing.
func (b *Bus) EnableRule(ctx context.Context, name string) error {
	return b.setState(ctx, "EnableRule", name, Enabled)
}

// DisableRule disables the rule: it matches no event put after the call,
// and its schedule stops; its alarm (if it has a Threshold) moves to
// INSUFFICIENT_DATA and stops evaluating. Deliveries already admitted
// still run.
func (b *Bus) DisableRule(ctx context.Context, name string) error {
	return b.setState(ctx, "DisableRule", name, Disabled)
}

func (b *Bus) setState(ctx context.Context, op, name string, s RuleState) error {
	return b.manage(ctx, call{name: op, rule: name, params: nameParams{name}}, func() error {
		slot := b.rules[name]
		if slot == nil {
			return ruleNotFound(name)
		}
		old := slot.cur.Load()
		if old.spec.State == s {
			return nil
		}
		nr := old.with()
		nr.spec.State = s
		if err := b.publish(slot, old, nr); err != nil {
			return err
		}
		b.updateAlarm(old, nr)
		return nil
	})
}

// DescribeRule returns the rule, or a ResourceNotFoundException.
func (b *Bus) DescribeRule(name string) (RuleInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	slot := b.rules[name]
	if slot == nil {
		return RuleInfo{}, ruleNotFound(name)
	}
	return slot.cur.Load().info(), nil
}

// ListRules returns the rules whose names start with prefix (all of them
// for ""), ordered by name.
func (b *Bus) ListRules(prefix string) []RuleInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []RuleInfo
	for name, slot := range b.rules {
		if strings.HasPrefix(name, prefix) {
			out = append(out, slot.cur.Load().info())
		}
	}
	slices.SortFunc(out, func(a, b RuleInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}
