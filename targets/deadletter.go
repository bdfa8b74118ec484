package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DeadLetterTimeout bounds the dead-letter write of one event, retries
// included. The write runs on a context detached from the delivery's
// cancellation, so that a delivery interrupted at shutdown still reaches
// the dead-letter target.
const DeadLetterTimeout = 5 * time.Second

// DeadLetterAttempts is how many times [DeadLetter] tries to write one
// record to its dead-letter target before it reports the event lost. The
// waits between tries are short (full jitter under 100 ms, then under
// 200 ms), and every try and wait falls within [DeadLetterTimeout].
const DeadLetterAttempts = 3

// The backoff between dead-letter writes: Backoff{Base, Cap} with full
// jitter, so the waits are random in [0, 100 ms) and [0, 200 ms).
const (
	deadLetterBackoffBase = 100 * time.Millisecond
	deadLetterBackoffCap  = time.Second
)

// DeadLetterRecord is the JSON document [DeadLetter] sends as the payload
// to a dead-letter target: the original event with EventBridge's
// dead-letter attributes (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
// EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS) beside it. Unmarshal a
// payload, or a line of a [File] used as a dead-letter target, into it.
//
//	{"rule":"orders","ruleArn":"arn:aws:events:us-east-1:123456789012:rule/orders",
//	 "target":"billing","eventId":"7bf73129-...","errorCode":"ERROR_FROM_TARGET",
//	 "errorMessage":"...","exhaustedRetryCondition":"MaximumRetryAttempts",
//	 "retryAttempts":3,"ingestionTime":"2026-01-02T03:04:05Z",
//	 "time":"2026-01-02T03:05:00Z","event":{...}}
type DeadLetterRecord struct {
	// RuleName and RuleARN identify the rule (RULE_ARN).
	RuleName string `json:"rule"`
	RuleARN  string `json:"ruleArn,omitempty"`
	// TargetID is the id of the target that failed (TARGET_ARN).
	TargetID string `json:"target"`
	// EventID is the event's id.
	EventID string `json:"eventId"`
	// ErrorCode and ErrorMessage describe the last failure (ERROR_CODE,
	// ERROR_MESSAGE).
	ErrorCode    ErrorCode `json:"errorCode"`
	ErrorMessage string    `json:"errorMessage"`
	// ExhaustedRetryCondition is the limit that ended retries, omitted
	// when the error was permanent or the delivery was interrupted
	// (EXHAUSTED_RETRY_CONDITION).
	ExhaustedRetryCondition ExhaustedCondition `json:"exhaustedRetryCondition,omitempty"`
	// RetryAttempts is the number of retries made, attempts − 1
	// (RETRY_ATTEMPTS).
	RetryAttempts int `json:"retryAttempts"`
	// IngestionTime is when the event was accepted; omitted if unknown.
	IngestionTime time.Time `json:"ingestionTime,omitzero"`
	// Time is when the event was dead-lettered.
	Time time.Time `json:"time"`
	// Event is the original event, never the shaped payload. An event
	// that is not JSON is stored as a JSON string.
	Event json.RawMessage `json:"event"`
}

// NewDeadLetterRecord builds the record for delivery d that failed with
// err at time now. err is usually a [*DeliveryError] from [Retry]; any
// other error counts as one attempt, classified by [Classify].
func NewDeadLetterRecord(d Delivery, err error, now time.Time) DeadLetterRecord {
	rec := DeadLetterRecord{
		RuleName:      d.RuleName,
		RuleARN:       d.RuleARN,
		TargetID:      d.TargetID,
		EventID:       d.EventID,
		IngestionTime: d.IngestionTime.UTC(),
		Time:          now.UTC(),
		Event:         json.RawMessage(d.Event),
	}
	var de *DeliveryError
	if errors.As(err, &de) {
		rec.ErrorCode = de.Code
		rec.ExhaustedRetryCondition = de.Condition
		rec.RetryAttempts = de.RetryAttempts()
		if de.Err != nil {
			rec.ErrorMessage = de.Err.Error()
		}
	} else if err != nil {
		rec.ErrorCode = Classify(err).Code
		rec.ErrorMessage = err.Error()
	}
	if !json.Valid(d.Event) {
		rec.Event, _ = json.Marshal(string(d.Event))
	}
	return rec
}

// DeadLetter returns a middleware that sends every delivery its target
// fails to dlq, as a [DeadLetterRecord] payload, and reports the outcome
// to o (which may be nil). Put it outside [Retry]: it then sees only the
// final outcome, and a permanent error reaches it after one attempt.
//
// Deliver returns nil when the event was delivered or dead-lettered: either
// way it is accounted for, and o sees one DeadLettered notice. A dlq
// failure is retried: up to [DeadLetterAttempts] writes, with short
// jittered waits (longer if the error asks, through [RetryAfter]), all
// within [DeadLetterTimeout]. An error that [IsPermanent] says no retry can
// help ends the writes at once, as does the budget running out. When the
// last write fails, Deliver returns a [*DeadLetterError] holding the
// record, and o sees one DeadLetterFailed notice whose Err is that error:
// the event is lost unless the caller acts ([NewLogObserver] logs the
// record's JSON, so that an operator can replay it from the log).
// A nil dlq makes the middleware the identity.
//
// The dlq writes use a context that is not cancelled with ctx (so a
// delivery interrupted at shutdown is still dead-lettered, with code
// INTERRUPTED) but is bounded by [DeadLetterTimeout]; it keeps ctx's
// values. Each dlq delivery carries the original metadata with Attempt 0
// and the same payload. The waits run on the calling goroutine, which
// starts no other. The returned Target is safe for concurrent use if next
// and dlq are.
func DeadLetter(dlq Target, o Observer) Middleware {
	return func(next Target) Target {
		if dlq == nil {
			return next
		}
		return &deadLetter{next: next, dlq: dlq, obs: o}
	}
}

type deadLetter struct {
	next, dlq Target
	obs       Observer
}

func (m *deadLetter) Deliver(ctx context.Context, d Delivery) error {
	err := m.next.Deliver(ctx, d)
	if err == nil {
		return nil
	}
	rec := NewDeadLetterRecord(d, err, time.Now())
	if de := (*DeliveryError)(nil); errors.As(err, &de) {
		d.Attempt = de.Attempts // notices report the last attempt
	}
	payload, merr := json.Marshal(rec)
	if merr != nil { // unreachable: every field marshals
		return m.failed(ctx, d, rec, err, merr, 0)
	}
	dd := d
	dd.Payload, dd.Attempt = payload, 0 // the dlq write is not an attempt of the target
	if n, derr := m.write(ctx, dd); derr != nil {
		return m.failed(ctx, d, rec, err, derr, n)
	}
	observe(m.obs, ctx, Notice{Kind: DeadLettered, Delivery: d, Err: err, Code: rec.ErrorCode, Condition: rec.ExhaustedRetryCondition})
	return nil
}

// write hands dd to the dlq, retrying as [DeadLetter] says, and returns the
// number of writes made and the last one's error (nil on success).
func (m *deadLetter) write(ctx context.Context, dd Delivery) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DeadLetterTimeout)
	defer cancel()
	b := Backoff{Base: deadLetterBackoffBase, Cap: deadLetterBackoffCap}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for n := 1; ; n++ {
		err := m.dlq.Deliver(ctx, dd)
		if err == nil || n == DeadLetterAttempts || ctx.Err() != nil || IsPermanent(err) {
			return n, err
		}
		wait := max(b.Delay(n), Classify(err).RetryAfter)
		if deadline, _ := ctx.Deadline(); time.Until(deadline) <= wait {
			return n, err // the next write could not start within the budget
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
			return n, err
		}
	}
}

func (m *deadLetter) failed(ctx context.Context, d Delivery, rec DeadLetterRecord, cause, err error, attempts int) error {
	dle := &DeadLetterError{Record: rec, Attempts: attempts, Err: err, Cause: cause}
	observe(m.obs, ctx, Notice{Kind: DeadLetterFailed, Delivery: d, Err: dle, Code: rec.ErrorCode, Condition: rec.ExhaustedRetryCondition})
	return dle
}

// DeadLetterError reports an event that neither its target nor its
// dead-letter target took. Record is what could not be written: marshal it
// to JSON and hand it to a dead-letter target to replay the event.
type DeadLetterError struct {
	Record DeadLetterRecord
	// Attempts is how many writes to the dead-letter target were made
	// (at most [DeadLetterAttempts]).
	Attempts int
	// Err is the dead-letter target's last error; Cause is the delivery's.
	Err, Cause error
}

// Error names the event, rule and target, the number of writes tried, the
// dead-letter target's last error, and the delivery's error code and error.
func (e *DeadLetterError) Error() string {
	return fmt.Sprintf("targets: dead-letter target failed for event %q (rule %q, target %q) after %s: %v; the delivery had failed with %s: %v",
		e.Record.EventID, e.Record.RuleName, e.Record.TargetID, plural(e.Attempts, "write"), e.Err, e.Record.ErrorCode, e.Cause)
}

// Unwrap returns both the dead-letter target's error and the delivery's.
func (e *DeadLetterError) Unwrap() []error { return []error{e.Err, e.Cause} }
