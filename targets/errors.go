package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"
)

// ErrorCode names why a delivery failed. The values are EventBridge's
// dead-letter ERROR_CODE attribute values, plus [CodeInterrupted].
type ErrorCode string

// Error codes. Those without a comment keep EventBridge's meaning.
const (
	// CodeErrorFromTarget: the target ran and reported a failure (a Func
	// error, an HTTP status that is not 2xx). The default for errors that
	// are not otherwise classified.
	CodeErrorFromTarget ErrorCode = "ERROR_FROM_TARGET"
	// CodeTimeout: an attempt ran past its timeout.
	CodeTimeout ErrorCode = "TIMEOUT"
	// CodeThrottling: the target refused for load (HTTP 429, a full queue).
	CodeThrottling ErrorCode = "THROTTLING"
	// CodeConnectionFailure: the target could not be reached.
	CodeConnectionFailure ErrorCode = "CONNECTION_FAILURE"
	CodeInvalidJSON       ErrorCode = "INVALID_JSON"
	CodeInvalidParameter  ErrorCode = "INVALID_PARAMETER"
	CodeNoPermissions     ErrorCode = "NO_PERMISSIONS"
	CodeNoResource        ErrorCode = "NO_RESOURCE"
	CodeInternalError     ErrorCode = "INTERNAL_ERROR"
	CodeUnknown           ErrorCode = "UNKNOWN"
	// CodeInterrupted: the delivery's context was cancelled (for example
	// at shutdown) before the event was delivered or given up on. This code
	// is ours: EventBridge never shuts down.
	CodeInterrupted ErrorCode = "INTERRUPTED"
)

// ExhaustedCondition names the retry-policy limit that ended a delivery. It
// is EventBridge's EXHAUSTED_RETRY_CONDITION attribute.
type ExhaustedCondition string

// The two limits of a [RetryPolicy].
const (
	MaximumRetryAttempts     ExhaustedCondition = "MaximumRetryAttempts"
	MaximumEventAgeInSeconds ExhaustedCondition = "MaximumEventAgeInSeconds"
)

// Error is an error with a delivery classification. Targets return one (or
// wrap one) to say how a failure should be handled; [Permanent] and
// [RetryAfter] build the common cases, and [Classify] reads any error back
// as an Error.
type Error struct {
	// Code is the dead-letter error code. Empty means: classify Err as
	// [Classify] would.
	Code ErrorCode
	// Permanent means retrying cannot help: the event goes to the
	// dead-letter target at once.
	Permanent bool
	// RetryAfter, when positive, is the least time to wait before the next
	// attempt (the retry waits the longer of this and its own backoff).
	// When negative, no retry is made, as EventBridge does for a negative
	// Retry-After.
	RetryAfter time.Duration
	// Err is the underlying failure. Its text is the error message.
	Err error
}

// Error returns the underlying error's text, or the code if there is none.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	if e.Code != "" {
		return "targets: " + string(e.Code)
	}
	return "targets: delivery failed"
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying. It returns nil for a nil err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	c := Classify(err)
	return &Error{Code: c.Code, Permanent: true, Err: err}
}

// RetryAfter asks for the next attempt to start no sooner than d from now;
// a negative d asks for no retry at all. It returns nil for a nil err.
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	c := Classify(err)
	return &Error{Code: c.Code, Permanent: c.Permanent, RetryAfter: d, Err: err}
}

// Classify reports how err is handled: its code, whether it is permanent
// and any retry-after, with defaults filled in. The result's Err is err.
//
// An [*Error] in err's chain decides, its empty Code filled in from what it
// wraps. Otherwise: context.DeadlineExceeded and network time-outs are
// TIMEOUT; a DNS "no such host" is a permanent CONNECTION_FAILURE (as
// EventBridge does not retry an invalid address); other network errors are
// CONNECTION_FAILURE; context.Canceled is INTERRUPTED; anything else is
// ERROR_FROM_TARGET. All but the DNS case are retryable.
func Classify(err error) Error {
	if err == nil {
		return Error{}
	}
	var e *Error
	if errors.As(err, &e) {
		out := *e
		if out.Code == "" {
			inner := Classify(e.Err)
			out.Code = inner.Code
			if inner.Permanent {
				out.Permanent = true
			}
		}
		out.Err = err
		return out
	}
	return Error{Code: defaultCode(err), Permanent: isNoSuchHost(err), Err: err}
}

// IsPermanent reports whether Classify(err) says no retry can help.
func IsPermanent(err error) bool {
	c := Classify(err)
	return c.Permanent || c.RetryAfter < 0
}

func defaultCode(err error) ErrorCode {
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return CodeTimeout
	case errors.Is(err, context.Canceled):
		return CodeInterrupted
	case isConnectionError(err):
		return CodeConnectionFailure
	}
	return CodeErrorFromTarget
}

func isNoSuchHost(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

func isConnectionError(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

// DeliveryError is what [Retry] returns when it stops without delivering:
// the error was permanent, a retry-policy limit was reached, or the context
// was cancelled. [DeadLetter] turns it into a [DeadLetterRecord].
type DeliveryError struct {
	// Code classifies the last failure; CodeInterrupted when the context
	// ended the delivery.
	Code ErrorCode
	// Attempts is how many attempts were made (retries + 1; 0 if the
	// context was done before the first).
	Attempts int
	// Condition is the limit that stopped the retries, or empty when the
	// error was permanent or the delivery was interrupted.
	Condition ExhaustedCondition
	// Err is the last attempt's error; for an interrupted delivery it also
	// wraps the context's error.
	Err error
}

// Error describes why and after how many attempts the delivery stopped.
func (e *DeliveryError) Error() string {
	var why string
	switch {
	case e.Code == CodeInterrupted:
		why = "delivery interrupted"
	case e.Condition != "":
		why = "retries exhausted (" + string(e.Condition) + ")"
	default:
		why = "permanent failure"
	}
	return fmt.Sprintf("targets: %s after %s: %s: %v", why, plural(e.Attempts, "attempt"), e.Code, e.Err)
}

// Unwrap returns the last attempt's error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// RetryAttempts is the number of retries made: Attempts-1, never negative.
// It is EventBridge's RETRY_ATTEMPTS attribute.
func (e *DeliveryError) RetryAttempts() int { return max(e.Attempts-1, 0) }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
