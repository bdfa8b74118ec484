package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/rulebridge/rulebridge/internal/jsonx"
)

// The source and detail-type of the audit events the Bus puts on itself
// for every management call. See the package documentation, "Audit
// trail", for the detail.
const (
	AuditSource     = "rulebridge.audit"
	AuditDetailType = "Rulebridge API Call"
)

// UnknownPrincipal is the principal of a management call whose context
// carries none (see [WithPrincipal]).
const UnknownPrincipal = "unknown"

type principalKey struct{}

// WithPrincipal returns a copy of ctx that names who makes the management
// calls made with it, for the audit trail: a user name, a service
// account, an API key's id (never a secret: the audit trail is readable by
// every rule on the Bus). An empty principal means [UnknownPrincipal].
func WithPrincipal(ctx context.Context, principal string) context.Context {
	return context.WithValue(ctx, principalKey{}, principal)
}

// PrincipalFrom returns the principal ctx carries (see [WithPrincipal]),
// or [UnknownPrincipal].
func PrincipalFrom(ctx context.Context) string {
	if p, _ := ctx.Value(principalKey{}).(string); p != "" {
		return p
	}
	return UnknownPrincipal
}

// AuditRecord is the record of one management call (or of the alarm
// change it made), shaped like a CloudTrail record. Its JSON form
// (MarshalJSON) is the detail of the audit event on the Bus and the line
// an [AuditLog] writes:
//
//	{"eventVersion":"1.0","eventID":"...","eventTime":"2026-01-02T03:04:05Z",
//	 "eventSource":"rulebridge","eventName":"DeleteRule","awsRegion":"us-east-1",
//	 "recipientAccountId":"123456789012","userIdentity":{"principal":"bob"},
//	 "requestParameters":{"name":"orders","force":true},
//	 "errorCode":"ResourceNotFoundException","errorMessage":"Rule orders does not exist on EventBus default."}
//
// errorCode and errorMessage are left out when the call succeeded; eventID
// when the Bus could not get an id for the event.
type AuditRecord struct {
	// EventID is the id of the audit event put on the Bus; "" if the
	// event-id source failed.
	EventID string
	// EventTime is when the call returned, by the Bus's clock
	// (WithClock); written with whole seconds, as CloudTrail does.
	EventTime time.Time
	// EventName is the call: PutRule, DeleteRule, EnableRule,
	// DisableRule, PutTargets or RemoveTargets; or PutAlarm or
	// DeleteAlarm for the alarm a PutRule or DeleteRule created, changed
	// or deleted (recorded after the call's own record).
	EventName string
	// Principal is who made the call (see WithPrincipal).
	Principal string
	// Account and Region are the Bus's.
	Account, Region string
	// RequestParameters is the request as a JSON object. It never holds a
	// target's credentials or constant input: targets are described by
	// id, kind (their Go type), shaping and dead-letter kind.
	RequestParameters json.RawMessage
	// ErrorCode and ErrorMessage say why the call failed: the [ErrorCode]
	// and message of an [*Error], or InternalException and the error's
	// text. Both are empty when it succeeded.
	ErrorCode    string
	ErrorMessage string
}

// MarshalJSON writes the record in CloudTrail's shape (see
// [AuditRecord]), compactly.
func (r AuditRecord) MarshalJSON() ([]byte, error) {
	return r.appendJSON(nil), nil
}

func (r *AuditRecord) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"eventVersion":"1.0"`...)
	if r.EventID != "" {
		dst = append(dst, `,"eventID":`...)
		dst = jsonx.AppendString(dst, r.EventID)
	}
	dst = append(dst, `,"eventTime":"`...)
	dst = appendTime(dst, r.EventTime)
	dst = append(dst, `","eventSource":"rulebridge","eventName":`...)
	dst = jsonx.AppendString(dst, r.EventName)
	dst = append(dst, `,"awsRegion":`...)
	dst = jsonx.AppendString(dst, r.Region)
	dst = append(dst, `,"recipientAccountId":`...)
	dst = jsonx.AppendString(dst, r.Account)
	dst = append(dst, `,"userIdentity":{"principal":`...)
	dst = jsonx.AppendString(dst, r.Principal)
	dst = append(dst, `},"requestParameters":`...)
	if p, ok := appendCompactJSON(dst, string(r.RequestParameters)); ok {
		dst = p
	} else { // empty or not JSON; dst's length is unchanged
		dst = append(dst, "null"...)
	}
	if r.ErrorCode != "" {
		dst = append(dst, `,"errorCode":`...)
		dst = jsonx.AppendString(dst, r.ErrorCode)
		dst = append(dst, `,"errorMessage":`...)
		dst = jsonx.AppendString(dst, r.ErrorMessage)
	}
	return append(dst, '}')
}

// AuditSink receives the audit records of a Bus ([WithAuditSink]), to
// keep them beyond the Bus: a file, a database, a log service.
//
// WriteAudit is called synchronously by the management call, after the
// change and before the call returns, with the call's context; calls made
// concurrently write concurrently, so implementations must be safe for
// concurrent use. Records of calls made one after another arrive in that
// order. An error (or a panic) is reported as a failure to record (see the
// package documentation, "Audit trail") and does not change the call's
// result.
type AuditSink interface {
	WriteAudit(ctx context.Context, r AuditRecord) error
}

// AuditSinkFunc adapts a function to the [AuditSink] interface. The
// function is called as WriteAudit is, concurrently for concurrent calls:
// it must be safe for concurrent use.
type AuditSinkFunc func(ctx context.Context, r AuditRecord) error

// WriteAudit calls f(ctx, r).
func (f AuditSinkFunc) WriteAudit(ctx context.Context, r AuditRecord) error { return f(ctx, r) }

// AuditLog is an [AuditSink] that writes each record as one line of JSON
// (JSON Lines, the record's MarshalJSON form), with a single Write call
// per line under a mutex, so lines never interleave. Safe for concurrent
// use.
type AuditLog struct {
	mu sync.Mutex
	w  io.Writer
	f  *os.File // opened by OpenAuditLog; nil otherwise
}

// NewAuditLog returns an AuditLog that writes to w (os.Stdout, a file the
// caller owns, a network stream).
func NewAuditLog(w io.Writer) *AuditLog {
	return &AuditLog{w: w}
}

// OpenAuditLog opens the file at path for appending (creating it with
// mode 0600 if needed) and returns an AuditLog that writes to it. Close it
// after closing the Bus.
func OpenAuditLog(path string) (*AuditLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("rules: audit log: %w", err)
	}
	return &AuditLog{w: f, f: f}, nil
}

// WriteAudit writes r as one line.
func (l *AuditLog) WriteAudit(_ context.Context, r AuditRecord) error {
	line := append(r.appendJSON(make([]byte, 0, 512)), '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(line); err != nil {
		return fmt.Errorf("rules: audit log: %w", err)
	}
	return nil
}

// Close closes the file OpenAuditLog opened; for an AuditLog made by
// NewAuditLog it does nothing (the writer is the caller's).
func (l *AuditLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	if err != nil {
		return fmt.Errorf("rules: audit log: %w", err)
	}
	return nil
}

// WithAuditSink sets a sink that receives every audit record, besides the
// audit events the Bus puts on itself. The default is none.
func WithAuditSink(s AuditSink) Option {
	return func(c *config) error {
		if s == nil {
			return errors.New("rules: WithAuditSink: nil sink")
		}
		if err := c.once("WithAuditSink"); err != nil {
			return err
		}
		c.auditSink = s
		return nil
	}
}

// The request parameters of the audit records, as CloudTrail names them.
type (
	putRuleParams struct {
		Name                       string           `json:"name"`
		EventPattern               string           `json:"eventPattern,omitempty"`
		ScheduleExpression         string           `json:"scheduleExpression,omitempty"`
		ScheduleExpressionTimezone string           `json:"scheduleExpressionTimezone,omitempty"`
		State                      RuleState        `json:"state,omitempty"`
		Description                string           `json:"description,omitempty"`
		Condition                  string           `json:"condition,omitempty"`
		Threshold                  *thresholdParams `json:"threshold,omitempty"`
	}
	thresholdParams struct {
		Count      int64      `json:"count"`
		Period     string     `json:"period"`
		Field      string     `json:"field,omitempty"`
		Comparison Comparison `json:"comparison,omitempty"`
	}
	deleteRuleParams struct {
		Name  string `json:"name"`
		Force bool   `json:"force"`
	}
	nameParams struct {
		Name string `json:"name"`
	}
	putTargetsParams struct {
		Rule    string         `json:"rule"`
		Targets []targetParams `json:"targets"`
	}
	targetParams struct {
		ID             string `json:"id"`
		Kind           string `json:"kind"`
		Shaping        string `json:"shaping,omitempty"`
		DeadLetterKind string `json:"deadLetterKind,omitempty"`
	}
	removeTargetsParams struct {
		Rule string   `json:"rule"`
		IDs  []string `json:"ids"`
	}
	alarmParams struct {
		AlarmName string           `json:"alarmName"`
		Threshold *thresholdParams `json:"threshold,omitempty"`
	}
)

func putRuleParamsOf(r *Rule) putRuleParams {
	return putRuleParams{Name: r.Name, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
		ScheduleExpressionTimezone: r.ScheduleExpressionTimezone, State: r.State, Description: r.Description,
		Condition: r.Condition, Threshold: thresholdParamsOf(r.Threshold)}
}

func thresholdParamsOf(t *Threshold) *thresholdParams {
	if t == nil {
		return nil
	}
	return &thresholdParams{Count: t.Count, Period: t.Period.String(), Field: t.Field, Comparison: t.Comparison}
}

// putTargetsParamsOf describes targets without their credentials or
// constant input.
func putTargetsParamsOf(rule string, ts []Target) putTargetsParams {
	p := putTargetsParams{Rule: rule, Targets: make([]targetParams, len(ts))}
	for i, t := range ts {
		tp := targetParams{ID: t.ID, Kind: fmt.Sprintf("%T", t.Target)}
		switch {
		case t.Input != "":
			tp.Shaping = "Input"
		case t.InputPath != "":
			tp.Shaping = "InputPath"
		case t.InputTransformer != nil:
			tp.Shaping = "InputTransformer"
		}
		if t.DeadLetter != nil {
			tp.DeadLetterKind = fmt.Sprintf("%T", t.DeadLetter)
		}
		p.Targets[i] = tp
	}
	return p
}

// marshalParams encodes request parameters without escaping <, > and &
// (event patterns have them).
func marshalParams(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage("null") // unreachable: plain structs of strings and numbers
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// pendingAudit is an audit record to make after the management call that
// queued it, for the alarm it changed.
type pendingAudit struct {
	name, rule string
	params     any
}

// queueAudit queues an audit record. Called with b.mu held.
func (b *Bus) queueAudit(name, rule string, params any) {
	b.pendingAudits = append(b.pendingAudits, pendingAudit{name, rule, params})
}

// queueTransition queues an alarm transition to announce after the
// management call. Called with b.mu held.
func (b *Bus) queueTransition(tr *transition) {
	if tr != nil {
		b.pendingTransitions = append(b.pendingTransitions, tr)
	}
}

// audit records a management call: it hands the record to the sink and
// puts the audit event on the Bus. A failure of either is reported
// (observer, log, AuditRecordsFailed) and changes nothing else.
//
// The audit event goes through matching and dispatch like any event, but
// no management call: an audit event never causes an audit record (a
// target that makes a management call does, and its own audit event is
// recorded like any other).
func (b *Bus) audit(ctx context.Context, name, rule string, params any, callErr error) {
	rec := AuditRecord{EventTime: b.now(), EventName: name, Principal: PrincipalFrom(ctx),
		Account: b.cfg.account, Region: b.cfg.region, RequestParameters: marshalParams(params)}
	if callErr != nil {
		var e *Error
		if errors.As(callErr, &e) {
			rec.ErrorCode, rec.ErrorMessage = string(e.Code), e.Message
		} else {
			rec.ErrorCode, rec.ErrorMessage = "InternalException", callErr.Error()
		}
	}
	id, idOK := b.eventID()
	if idOK {
		rec.EventID = id
	}
	var errs []error
	if b.cfg.auditSink != nil {
		if err := writeAudit(ctx, b.cfg.auditSink, rec); err != nil {
			errs = append(errs, fmt.Errorf("audit sink: %w", err))
		}
	}
	if !idOK {
		errs = append(errs, errors.New("audit event: the event id source returned an empty or over-long id"))
	} else {
		var resources []string
		if checkName(rule) == nil {
			resources = []string{b.RuleARN(rule)}
		}
		env := envelope{id: id, detailType: AuditDetailType, source: AuditSource, account: b.cfg.account,
			region: b.cfg.region, time: rec.EventTime, resources: resources, detail: string(rec.appendJSON(nil))}
		ev, _ := appendEvent(make([]byte, 0, env.sizeHint()), &env) // the detail is valid JSON
		if code, msg := b.dispatch(ctx, &inbound{ev: ev, id: id, entry: -1, kind: kindAudit}); code != "" {
			errs = append(errs, fmt.Errorf("audit event %s: %s: %s", id, code, msg))
		}
	}
	if len(errs) == 0 {
		b.counters.auditWritten.Add(1)
		return
	}
	err := errors.Join(errs...)
	b.counters.auditFailed.Add(1)
	b.log.LogAttrs(ctx, slog.LevelError, "audit record failed", slog.String("call", name), attrRule(rule),
		attrEventID(rec.EventID), attrErr(err.Error()))
	b.notify(ctx, Notice{Kind: AuditFailed, EventID: rec.EventID, Rule: rule, Entry: -1, Err: err, Audit: rec})
}

// writeAudit calls the sink, turning a panic into an error.
func writeAudit(ctx context.Context, s AuditSink, rec AuditRecord) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return s.WriteAudit(ctx, rec)
}
