package pattern

import (
	"errors"
	"fmt"
)

// ErrInvalidPattern is matched by every [*Error], so
// errors.Is(err, ErrInvalidPattern) tells an invalid pattern apart from an
// invalid event.
var ErrInvalidPattern = errors.New("pattern: invalid event pattern")

// ErrInvalidEvent is matched by every [*EventError].
var ErrInvalidEvent = errors.New("pattern: invalid event")

// Error reports an event pattern that AWS EventBridge would reject with
// InvalidEventPatternException.
//
// Reason is AWS's reason text, word for word, for every rule AWS enforces
// (it is the part of AWS's message after "Reason: "). Path is the JSON path
// of the offending part of the pattern, such as `$.detail.state[0].prefix`;
// Line and Column (1-based, columns in UTF-16 units as AWS counts them) and
// Offset (in bytes) locate it in the source.
type Error struct {
	Reason string
	Path   string
	Line   int
	Column int
	Offset int
}

// Error returns "Event pattern is not valid. Reason: <Reason>" followed by
// the location, e.g.
//
//	Event pattern is not valid. Reason: "int" must be an object or an array (at $.int, line 1, column 9)
func (e *Error) Error() string {
	return fmt.Sprintf("Event pattern is not valid. Reason: %s (at %s, line %d, column %d)", e.Reason, e.Path, e.Line, e.Column)
}

// Is reports whether target is [ErrInvalidPattern].
func (e *Error) Is(target error) bool { return target == ErrInvalidPattern }

// EventError reports an event that cannot be matched: it is not JSON, not a
// JSON object, or (for [TestEventPattern]) lacks a field that AWS requires.
//
// Reason says what is wrong; Offset is the byte offset of the problem in the
// event, or -1 when there is no single place.
type EventError struct {
	Reason string
	Offset int
}

// Error returns AWS's message for an invalid event, "Parameter Event is not
// valid.", followed by the reason, e.g.
//
//	Parameter Event is not valid. Reason: missing required field "detail-type"
func (e *EventError) Error() string {
	return "Parameter Event is not valid. Reason: " + e.Reason
}

// Is reports whether target is [ErrInvalidEvent].
func (e *EventError) Is(target error) bool { return target == ErrInvalidEvent }
