package rulesfile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// position is a place in a rules file: 1-based line and column, as YAML
// counts them. A zero Line means the place is unknown.
type position struct {
	Line, Column int
}

// Error is one problem found in a rules file. It prints as
//
//	rules.yaml:12:9: rule "orders": target "billing": RetryPolicy.MaximumRetryAttempts: 200 is out of range 0-185
//
// with the rule and target parts left out where they do not apply, and
// "rule #2" or "target #1" (1-based) standing in for a missing name.
type Error struct {
	// File is the rules file's name, as given to [Load] or [Parse].
	File string
	// Line and Column locate the problem; 0 when unknown. Syntax errors
	// from the YAML parser have a line but no column.
	Line, Column int
	// Rule is the rule's Name, and RuleIndex its 1-based position in
	// Rules (0 outside any rule).
	Rule      string
	RuleIndex int
	// Target is the target's Id, and TargetIndex its 1-based position in
	// the rule's Targets (0 outside any target).
	Target      string
	TargetIndex int
	// Field is the property at fault, as a path from the rule or target,
	// such as "RetryPolicy.MaximumRetryAttempts" or "EventPattern".
	Field string
	// Reason says what is wrong. It never holds a secret value.
	Reason string
	// Err is the underlying error, if any: a *pattern.Error,
	// *schedule.Error, *targets.ConfigError or an I/O error.
	Err error
}

// Error formats the problem as file:line:col: rule: target: field: reason.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	switch {
	case e.Rule != "":
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	case e.RuleIndex > 0:
		fmt.Fprintf(&b, "rule #%d: ", e.RuleIndex)
	}
	switch {
	case e.Target != "":
		fmt.Fprintf(&b, "target %q: ", e.Target)
	case e.TargetIndex > 0:
		fmt.Fprintf(&b, "target #%d: ", e.TargetIndex)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem found in a rules file, sorted by position.
// [Load], [Parse], [File.Build] and [File.Check] return one (never empty)
// as their error; errors.As finds it, and errors.As and errors.Is also
// reach each *Error and what it wraps.
type ErrorList []*Error

// Error returns the problems, one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// err returns l sorted by position as an error, or nil when l is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	slices.SortStableFunc(l, func(a, b *Error) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Column, b.Column)
	})
	return l
}

// scope is where in the file a problem lies: which rule and target.
type scope struct {
	rule      string
	ruleIndex int // 1-based; 0 outside a rule
	target    string
	targetIdx int // 1-based; 0 outside a target
}

// newError builds an *Error at pos in scope sc.
func newError(file string, pos position, sc scope, field, reason string, cause error) *Error {
	return &Error{
		File: file, Line: pos.Line, Column: pos.Column,
		Rule: sc.rule, RuleIndex: sc.ruleIndex,
		Target: sc.target, TargetIndex: sc.targetIdx,
		Field: field, Reason: reason, Err: cause,
	}
}
