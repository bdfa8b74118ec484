package rules

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrorCode names the kind of an [*Error], after the exception EventBridge
// throws for the same mistake.
type ErrorCode string

// Error codes of management calls, as EventBridge names its exceptions.
const (
	// CodeResourceNotFound: the rule (or a target of it) does not exist.
	CodeResourceNotFound ErrorCode = "ResourceNotFoundException"
	// CodeValidation: a parameter is malformed or out of range.
	CodeValidation ErrorCode = "ValidationException"
	// CodeLimitExceeded: the call would exceed a limit, such as five
	// targets per rule.
	CodeLimitExceeded ErrorCode = "LimitExceededException"
	// CodeInvalidEventPattern: the event pattern is not valid.
	CodeInvalidEventPattern ErrorCode = "InvalidEventPatternException"
)

// Sentinels matched by errors.Is: every [*Error] matches the one of its
// Code, and ErrClosed reports a call on a closed [Bus].
var (
	ErrResourceNotFound    = errors.New("rules: " + string(CodeResourceNotFound))
	ErrValidation          = errors.New("rules: " + string(CodeValidation))
	ErrLimitExceeded       = errors.New("rules: " + string(CodeLimitExceeded))
	ErrInvalidEventPattern = errors.New("rules: " + string(CodeInvalidEventPattern))
	// ErrClosed is returned by every call on a Bus after Close has begun.
	ErrClosed = errors.New("rules: bus is closed")
)

// Error is the error of a management call (PutRule, PutTargets, ...) or of
// TestEventPattern. Code says which of EventBridge's exceptions it mirrors;
// Field says which property was at fault; Message says what is wrong, in
// EventBridge's words. Err, when not nil, is the underlying error: a
// *pattern.Error for an invalid pattern, a *schedule.Error for an invalid
// schedule expression or time zone, *targets.ConfigError values for an
// invalid target.
//
// Use errors.Is with the sentinels ([ErrResourceNotFound],
// [ErrValidation], ...) to test the kind, and errors.As to read the fields.
type Error struct {
	Code   ErrorCode
	Rule   string // the rule concerned, if any
	Target string // the target id concerned, if any
	// Field is the property at fault in a ValidationException or an
	// InvalidEventPatternException, named as the [Rule] or [Target]
	// struct field is: "Name", "Description", "State", "EventPattern",
	// "ScheduleExpression", "ScheduleExpressionTimezone", "Condition",
	// "Threshold" for a rule; "ID", "Target", "Input", "InputPath",
	// "InputTransformer", "RetryPolicy", "Timeout", "RateLimit" or
	// "Concurrency" for a target (with Target set). A member of a struct
	// property is named by its dotted path, such as "Threshold.Period" or
	// "InputTransformer.InputTemplate". For [TestEventPattern] it is
	// "EventPattern" or "Event". Field is empty when no one property is at
	// fault: a rule without both EventPattern and ScheduleExpression, a
	// wrong number of targets or ids in a call, a target with several
	// problems (Err holds each), a rule that DeleteRule refuses because it
	// still has targets, a missing resource, a limit.
	Field   string
	Message string
	Err     error
}

// Error returns "rules: <Code>: " followed by the rule and target, when
// set, and the message:
//
//	rules: ValidationException: rule "orders", target "billing": Target billing is not valid: ...
func (e *Error) Error() string {
	s := "rules: " + string(e.Code) + ": "
	if e.Rule != "" {
		s += "rule " + strconv.Quote(e.Rule)
		if e.Target != "" {
			s += ", target " + strconv.Quote(e.Target)
		}
		s += ": "
	}
	return s + e.Message
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's Code.
func (e *Error) Is(target error) bool {
	switch e.Code {
	case CodeResourceNotFound:
		return target == ErrResourceNotFound
	case CodeValidation:
		return target == ErrValidation
	case CodeLimitExceeded:
		return target == ErrLimitExceeded
	case CodeInvalidEventPattern:
		return target == ErrInvalidEventPattern
	}
	return false
}

func ruleNotFound(name string) *Error {
	return &Error{Code: CodeResourceNotFound, Rule: name,
		Message: fmt.Sprintf("Rule %s does not exist on EventBus default.", name)}
}

// constraintError is a ValidationException about property prop (see
// [Error.Field]; "" for none), with a message formatted like AWS's "1
// validation error detected: Value 'x' at 'name' failed to satisfy
// constraint: ...", where awsField is the parameter's name in the AWS API.
func constraintError(rule, target, prop, value, awsField, constraint string) *Error {
	return &Error{Code: CodeValidation, Rule: rule, Target: target, Field: prop,
		Message: fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, awsField, constraint)}
}
