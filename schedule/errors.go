package schedule

import (
	"errors"
	"fmt"
)

// ErrInvalidExpression is matched by every error that Parse returns for a
// malformed schedule expression: errors.Is(err, ErrInvalidExpression)
// reports whether AWS would have answered with a ValidationException. Errors
// in options (an unknown time zone, a window out of range) do not match it.
var ErrInvalidExpression = errors.New("schedule: invalid schedule expression")

// Messages AWS returns (HTTP 400, code ValidationException) for an invalid
// ScheduleExpression, recorded against the real services. Use them to
// mirror the AWS APIs; see [Error.RulesMessage] and [Error.SchedulerMessage].
const (
	// RulesMessage is the message of events:PutRule.
	RulesMessage = "Parameter ScheduleExpression is not valid."
	// schedulerMessageFormat is the message of scheduler:CreateSchedule,
	// which echoes the raw expression.
	schedulerMessageFormat = "Invalid Schedule Expression %s."
)

// Field names used in [Error.Field].
const (
	FieldExpression  = "expression"   // the shape of the whole expression
	FieldMinutes     = "minutes"      // cron field 1
	FieldHours       = "hours"        // cron field 2
	FieldDayOfMonth  = "day-of-month" // cron field 3
	FieldMonth       = "month"        // cron field 4
	FieldDayOfWeek   = "day-of-week"  // cron field 5
	FieldYear        = "year"         // cron field 6
	FieldRateValue   = "rate value"   // the number in rate(...)
	FieldRateUnit    = "rate unit"    // the unit in rate(...)
	FieldAtTimestamp = "at timestamp" // the date and time in at(...)
)

// Error describes an invalid schedule expression: which part is wrong and
// why. It prints as "schedule: <field>: <reason>", for example
//
//	schedule: hours: 25 is out of range 0-23
//
// and matches [ErrInvalidExpression] with errors.Is.
type Error struct {
	Expr   string // the expression as given to Parse
	Field  string // one of the Field constants
	Reason string // what is wrong, in a few words
}

// Error returns "schedule: <Field>: <Reason>", such as "schedule: hours:
// 25 is out of range 0-23".
func (e *Error) Error() string {
	return "schedule: " + e.Field + ": " + e.Reason
}

// Is reports whether target is [ErrInvalidExpression].
func (e *Error) Is(target error) bool { return target == ErrInvalidExpression }

// RulesMessage returns the message EventBridge's PutRule gives for this
// expression: always [RulesMessage].
func (e *Error) RulesMessage() string { return RulesMessage }

// SchedulerMessage returns the message EventBridge Scheduler's
// CreateSchedule gives for this expression, which quotes it verbatim:
// "Invalid Schedule Expression cron(0 25 * * ? *)."
func (e *Error) SchedulerMessage() string { return fmt.Sprintf(schedulerMessageFormat, e.Expr) }

// exprError builds an *Error.
func exprError(expr, field, format string, args ...any) *Error {
	return &Error{Expr: expr, Field: field, Reason: fmt.Sprintf(format, args...)}
}
