package rules

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// Target is what PutTargets takes: one target of a rule, as EventBridge's
// PutTargets entry describes it, with the Go value to deliver to in place
// of an ARN.
//
// At most one of Input, InputPath and InputTransformer may be set; with
// none the target receives the whole event (see [targets.Shaping]).
type Target struct {
	// ID is 1-64 characters of ASCII letters, digits, ".", "-" and "_",
	// unique within the rule.
	ID string
	// Target receives the deliveries. Required.
	Target targets.Target
	// Input is constant JSON text sent instead of the event.
	Input string
	// InputPath is a JSONPath selecting the part of the event to send.
	InputPath string
	// InputTransformer builds the input from a template.
	InputTransformer *targets.InputTransformer
	// RetryPolicy bounds retries; the zero value is EventBridge's default
	// (185 retries within 24 hours).
	RetryPolicy targets.RetryPolicy
	// DeadLetter receives a targets.DeadLetterRecord for every event the
	// target fails to take (EventBridge's DeadLetterConfig). Nil: none;
	// such a failure is then reported (observer, log, FailedInvocations).
	DeadLetter targets.Target
	// Timeout bounds each attempt; 0 means no bound beyond the target's
	// own.
	Timeout time.Duration
	// RateLimit caps attempts per second to this target; 0 means no cap.
	RateLimit float64
	// Concurrency caps this target's attempts in flight; 0 means it is
	// bounded only by the Bus's (see WithConcurrency).
	Concurrency int
}

// target is a Target with its delivery chain built.
type target struct {
	spec    Target
	deliver targets.Target
}

// PutTargets adds targets to the rule, or replaces those with the same
// IDs. A rule may have at most five (LimitExceededException); a call may
// give at most ten. Unlike EventBridge, which may accept some entries and
// fail others, PutTargets is all or nothing: every target is checked
// first, every problem is reported (a ValidationException naming the
// target, wrapping targets.ConfigError values), and nothing changes unless
// all are valid. An unknown rule is a ResourceNotFoundException. The new
// targets receive the events put after the call returns.
func (b *Bus) PutTargets(ctx context.Context, rule string, ts ...Target) error {
	return b.manage(ctx, call{name: "PutTargets", rule: rule, params: putTargetsParamsOf(rule, ts)}, func() error {
		slot := b.rules[rule]
		if slot == nil {
			return ruleNotFound(rule)
		}
		if len(ts) == 0 || len(ts) > 10 {
			return constraintError(rule, "", "", strconv.Itoa(len(ts))+" targets", "targets", "Member must have length between 1 and 10")
		}
		built := make([]*target, len(ts))
		seen := map[string]bool{}
		for i, t := range ts {
			if seen[t.ID] {
				return &Error{Code: CodeValidation, Rule: rule, Target: t.ID, Field: "ID", Message: "The target id " + t.ID + " appears more than once in the request."}
			}
			seen[t.ID] = true
			bt, err := b.buildTarget(slot, rule, t)
			if err != nil {
				return err
			}
			built[i] = bt
		}
		old := slot.cur.Load()
		list := slices.Clone(old.targets)
		for _, bt := range built {
			i := slices.IndexFunc(list, func(x *target) bool { return x.spec.ID == bt.spec.ID })
			if i >= 0 {
				list[i] = bt
			} else {
				list = append(list, bt)
			}
		}
		if len(list) > MaxTargetsPerRule {
			return &Error{Code: CodeLimitExceeded, Rule: rule,
				Message: fmt.Sprintf("The requested resource exceeds the maximum number allowed: rule %s would have %d targets, the limit is %d.", rule, len(list), MaxTargetsPerRule)}
		}
		nr := old.with()
		nr.targets = list
		return b.publish(slot, old, nr)
	})
}

// buildTarget checks t, a target of the rule in slot, and builds its
// delivery chain, which counts its deliveries for the Bus and the rule.
func (b *Bus) buildTarget(slot *ruleSlot, rule string, t Target) (*target, error) {
	if t.ID == "" || len(t.ID) > 64 {
		return nil, constraintError(rule, t.ID, "ID", t.ID, "targets.member.id", "Member must have length between 1 and 64")
	}
	if !validID(t.ID) {
		return nil, constraintError(rule, t.ID, "ID", t.ID, "targets.member.id", `Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`)
	}
	if t.Target == nil {
		return nil, &Error{Code: CodeValidation, Rule: rule, Target: t.ID, Field: "Target", Message: "Target " + t.ID + " has no Target to deliver to."}
	}
	obs := new(deliveryObserver)
	*obs = *b.deliveryObs
	obs.rule = &slot.m
	var dlq targets.Target
	if t.DeadLetter != nil {
		dlq = recovering{t: t.DeadLetter, log: b.log, dlq: true}
	}
	d, err := targets.Wrap(recovering{t: t.Target, log: b.log}, targets.Config{
		Shaping:     targets.Shaping{Input: t.Input, InputPath: t.InputPath, InputTransformer: t.InputTransformer},
		RetryPolicy: t.RetryPolicy,
		DeadLetter:  dlq,
		Timeout:     t.Timeout,
		RateLimit:   t.RateLimit,
		Concurrency: t.Concurrency,
		PerAttempt:  b.perAttempt,
		Observer:    obs,
	})
	if err != nil {
		return nil, &Error{Code: CodeValidation, Rule: rule, Target: t.ID, Field: configField(err), Err: err,
			Message: "Target " + t.ID + " is not valid: " + strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	return &target{spec: t, deliver: d}, nil
}

// configField returns the property of a Target that err, an error of
// targets.Wrap, is about: the Field of its one *targets.ConfigError, or ""
// when it holds several, or one about no single property (Input, InputPath
// and InputTransformer set together).
func configField(err error) string {
	field := ""
	n := 0
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case *targets.ConfigError:
			field = e.Field
			n++
		case interface{ Unwrap() []error }:
			for _, err := range e.Unwrap() {
				walk(err)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	if n != 1 || field == "Shaping" {
		return ""
	}
	return field
}

// RemoveTargets removes the targets with the given IDs from the rule.
// Deliveries already admitted still run. All or nothing: an ID the rule
// does not have is a ResourceNotFoundException and nothing is removed. An
// unknown rule is a ResourceNotFoundException.
func (b *Bus) RemoveTargets(ctx context.Context, rule string, ids ...string) error {
	return b.manage(ctx, call{name: "RemoveTargets", rule: rule, params: removeTargetsParams{rule, ids}}, func() error {
		slot := b.rules[rule]
		if slot == nil {
			return ruleNotFound(rule)
		}
		if len(ids) == 0 || len(ids) > 10 {
			return constraintError(rule, "", "", strconv.Itoa(len(ids))+" ids", "ids", "Member must have length between 1 and 10")
		}
		old := slot.cur.Load()
		list := slices.Clone(old.targets)
		for _, id := range ids {
			i := slices.IndexFunc(list, func(x *target) bool { return x.spec.ID == id })
			if i < 0 {
				return &Error{Code: CodeResourceNotFound, Rule: rule, Target: id,
					Message: "Target " + id + " does not exist on rule " + rule + "."}
			}
			list = slices.Delete(list, i, i+1)
		}
		nr := old.with()
		nr.targets = list
		return b.publish(slot, old, nr)
	})
}

// ListTargetsByRule returns the rule's targets in the order they were
// first put, or a ResourceNotFoundException.
func (b *Bus) ListTargetsByRule(rule string) ([]Target, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	slot := b.rules[rule]
	if slot == nil {
		return nil, ruleNotFound(rule)
	}
	ts := slot.cur.Load().targets
	out := make([]Target, len(ts))
	for i, t := range ts {
		out[i] = t.spec
	}
	return out, nil
}

// recovering turns a panic in a user's target into a failed attempt
// (retryable, ERROR_FROM_TARGET), logged with its stack at level Error, so
// that a panicking target cannot crash the process.
type recovering struct {
	t   targets.Target
	log *slog.Logger
	dlq bool
}

func (r recovering) Deliver(ctx context.Context, d targets.Delivery) (err error) {
	defer func() {
		if p := recover(); p != nil {
			what := "target"
			if r.dlq {
				what = "dead-letter target"
			}
			r.log.LogAttrs(ctx, slog.LevelError, what+" panicked",
				slog.String("rule", d.RuleName), slog.String("target", d.TargetID),
				slog.String("event_id", d.EventID), slog.Int("attempt", d.Attempt),
				slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
			err = &targets.Error{Code: targets.CodeErrorFromTarget,
				Err: fmt.Errorf("rules: %s %q of rule %q panicked: %v", what, d.TargetID, d.RuleName, p)}
		}
	}()
	return r.t.Deliver(ctx, d)
}
