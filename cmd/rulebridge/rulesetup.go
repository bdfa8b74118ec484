package main

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/rules"
)

// loadRules loads the rules file at path and checks everything run needs
// before anything runs, except what the engine checks (see putRules): the
// file itself (rulesfile.Load) and the directories of File targets
// (File.Check). The error is a rulesfile.ErrorList naming every problem by
// file, line, rule and target.
func loadRules(path string) (*rulesfile.File, error) {
	f, err := rulesfile.Load(path)
	if err != nil {
		return nil, err
	}
	var errs rulesfile.ErrorList
	if err := f.Check(); err != nil {
		if !errors.As(err, &errs) {
			return nil, err
		}
	}
	return f, sorted(errs)
}

// putRules puts every rule of f on bus, disabled, and returns a
// rulesfile.ErrorList locating each rule the bus refused: the bus compiles
// their conditions and checks their thresholds against its own bounds,
// which the file loader leaves to the engine.
// Nothing matches or fires until enableRules.
func putRules(ctx context.Context, bus *rules.Bus, f *rulesfile.File) error {
	var errs rulesfile.ErrorList
	for i := range f.Rules {
		r := &f.Rules[i]
		rule := rules.Rule{
			Name:                       r.Name,
			Description:                r.Description,
			EventPattern:               string(r.Pattern),
			ScheduleExpression:         r.Schedule,
			ScheduleExpressionTimezone: r.TimeZone,
			State:                      rules.Disabled,
			Condition:                  r.Condition,
			Threshold:                  threshold(r.Threshold),
		}
		if _, err := bus.PutRule(ctx, rule); err != nil {
			errs = append(errs, locateRuleError(r, err))
		}
	}
	return sorted(errs)
}

// threshold converts a rules file's Threshold to the engine's; nil stays nil.
func threshold(t *rulesfile.Threshold) *rules.Threshold {
	if t == nil {
		return nil
	}
	return &rules.Threshold{Count: t.Count, Period: t.Period, Field: t.Field, Comparison: rules.Comparison(t.Comparison)}
}

// locateRuleError turns an error of PutRule into a located rules-file
// error on the property at fault, which the rules.Error's Field names (the
// file locates top-level properties: "Threshold.Period" is reported at
// Threshold). The message drops EventBridge's "Parameter <Field> is not
// valid: " opening, which the located error already says.
func locateRuleError(r *rulesfile.Rule, err error) *rulesfile.Error {
	var re *rules.Error
	if !errors.As(err, &re) {
		return r.Errorf("", "%v", err)
	}
	msg := re.Message
	prop, _, nested := strings.Cut(re.Field, ".")
	switch {
	case nested:
		msg = strings.TrimPrefix(msg, "Parameter ")
	case re.Field != "":
		msg = strings.TrimPrefix(msg, "Parameter "+re.Field+" is not valid: ")
	}
	return r.Errorf(prop, "%s", msg)
}

// putTargets gives every rule of f its targets, built in b, and returns a
// rulesfile.ErrorList locating each rule whose targets the bus refused
// (which the file's own checks should make impossible).
func putTargets(ctx context.Context, bus *rules.Bus, f *rulesfile.File, b *rulesfile.Built) error {
	var errs rulesfile.ErrorList
	for i := range f.Rules {
		r := &f.Rules[i]
		ts := make([]rules.Target, 0, len(b.Targets[i]))
		for _, bt := range b.Targets[i] {
			ts = append(ts, rules.Target{
				ID:               bt.ID,
				Target:           bt.Target,
				Input:            bt.Config.Shaping.Input,
				InputPath:        bt.Config.Shaping.InputPath,
				InputTransformer: bt.Config.Shaping.InputTransformer,
				RetryPolicy:      bt.Config.RetryPolicy,
				DeadLetter:       bt.Config.DeadLetter,
			})
		}
		if len(ts) == 0 {
			continue
		}
		if err := bus.PutTargets(ctx, r.Name, ts...); err != nil {
			errs = append(errs, r.Errorf("Targets", "%v", err))
		}
	}
	return sorted(errs)
}

// enableRules enables the rules of f that the file does not disable.
func enableRules(ctx context.Context, bus *rules.Bus, f *rulesfile.File) error {
	for _, r := range f.Rules {
		if r.State == rulesfile.Disabled {
			continue
		}
		if err := bus.EnableRule(ctx, r.Name); err != nil {
			return err
		}
	}
	return nil
}

// sorted returns errs sorted by position, or nil when it is empty.
func sorted(errs rulesfile.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *rulesfile.Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return errs
}
