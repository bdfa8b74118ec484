package rules_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// auditDetail is an audit record as JSON, the detail of an audit event.
type auditDetail struct {
	EventVersion      string                     `json:"eventVersion"`
	EventID           string                     `json:"eventID"`
	EventTime         string                     `json:"eventTime"`
	EventSource       string                     `json:"eventSource"`
	EventName         string                     `json:"eventName"`
	UserIdentity      struct{ Principal string } `json:"userIdentity"`
	RequestParameters json.RawMessage            `json:"requestParameters"`
	ErrorCode         string                     `json:"errorCode"`
	ErrorMessage      string                     `json:"errorMessage"`
}

func (d auditDetail) line() string {
	return strings.TrimSpace(d.EventName + " " + d.UserIdentity.Principal + " " + d.ErrorCode)
}

// auditSink keeps the records it receives, in order, as JSON.
type auditSink struct {
	mu   sync.Mutex
	recs []rules.AuditRecord
	fail func(rules.AuditRecord) error // nil: never fails
}

func (s *auditSink) WriteAudit(_ context.Context, r rules.AuditRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, r)
	if s.fail != nil {
		return s.fail(r)
	}
	return nil
}

func (s *auditSink) records() []rules.AuditRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recs)
}

func (s *auditSink) lines(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, r := range s.records() {
		out = append(out, decodeAudit(t, mustJSON(t, r)).line())
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeAudit(t testing.TB, b []byte) auditDetail {
	t.Helper()
	var d auditDetail
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("audit record %s: %v", b, err)
	}
	return d
}

// auditEvents decodes the audit events a recorder received, by event id.
func auditEvents(t testing.TB, r *recorder) map[string]auditDetail {
	t.Helper()
	out := map[string]auditDetail{}
	for _, d := range r.deliveries() {
		var ev struct {
			ID         string          `json:"id"`
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(d.Payload, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Source != rules.AuditSource || ev.DetailType != rules.AuditDetailType {
			t.Errorf("audit event with source %q and detail-type %q", ev.Source, ev.DetailType)
		}
		det := decodeAudit(t, ev.Detail)
		if det.EventID != ev.ID {
			t.Errorf("audit event %s carries eventID %s", ev.ID, det.EventID)
		}
		out[ev.ID] = det
	}
	return out
}

// TestAuditEveryCall: every management call, successful or not, and every
// alarm change is recorded with its principal, to the sink (in call
// order) and as an event on the Bus.
func TestAuditEveryCall(t *testing.T) {
	ctx := context.Background()
	sink := &auditSink{}
	b := newBus(t, rules.WithClock(fixedClock), rules.WithEventIDs(counterIDs()), rules.WithAuditSink(sink))
	alice, bob, carol := rules.WithPrincipal(ctx, "alice"), rules.WithPrincipal(ctx, "bob"), rules.WithPrincipal(ctx, "carol")
	dave := rules.WithPrincipal(ctx, "dave")
	watch := &recorder{}
	th := func(n int64) *rules.Threshold { return &rules.Threshold{Count: n, Period: time.Minute} }
	bigOrders := `{"detail": {"total": [{"numeric": [">", 100]}]}}`

	type step struct {
		err  error
		code rules.ErrorCode // "" for success
	}
	var steps []step
	do := func(err error, code rules.ErrorCode) { steps = append(steps, step{err, code}) }
	_, err := b.PutRule(alice, rules.Rule{Name: "audit-watch", EventPattern: `{"source": ["rulebridge.audit"]}`})
	do(err, "")
	do(b.PutTargets(alice, "audit-watch", rules.Target{ID: "rec", Target: watch}), "")
	_, err = b.PutRule(bob, rules.Rule{Name: "orders", EventPattern: bigOrders})
	do(err, "")
	_, err = b.PutRule(ctx, rules.Rule{Name: "bad", EventPattern: `{"source": "x"}`})
	do(err, rules.CodeInvalidEventPattern)
	do(b.PutTargets(bob, "orders", rules.Target{ID: "rec", Target: &recorder{}}), "")
	do(b.PutTargets(bob, "nope", rules.Target{ID: "rec", Target: &recorder{}}), rules.CodeResourceNotFound)
	do(b.RemoveTargets(bob, "orders", "x"), rules.CodeResourceNotFound)
	do(b.RemoveTargets(bob, "orders", "rec"), "")
	do(b.DisableRule(carol, "orders"), "")
	do(b.EnableRule(carol, "orders"), "")
	do(b.EnableRule(carol, "nope"), rules.CodeResourceNotFound)
	do(b.PutTargets(carol, "orders", rules.Target{ID: "rec", Target: &recorder{}}), "")
	do(b.DeleteRule(carol, "orders", false), rules.CodeValidation)
	do(b.DeleteRule(carol, "orders", true), "")
	for _, r := range []*rules.Threshold{th(3), th(4), nil, th(4)} {
		_, err = b.PutRule(dave, rules.Rule{Name: "alarmed", EventPattern: `{"source": ["app"]}`, Threshold: r})
		do(err, "")
	}
	do(b.DeleteRule(dave, "alarmed", false), "")
	do(b.DisableRule(dave, "nope"), rules.CodeResourceNotFound)
	for i, s := range steps {
		var e *rules.Error
		if s.code == "" && s.err != nil || s.code != "" && (!errors.As(s.err, &e) || e.Code != s.code) {
			t.Errorf("call %d: err = %v, want %q", i+1, s.err, s.code)
		}
	}
	flush(t, b)

	want := []string{
		"PutRule alice",
		"PutTargets alice",
		"PutRule bob",
		"PutRule unknown InvalidEventPatternException",
		"PutTargets bob",
		"PutTargets bob ResourceNotFoundException",
		"RemoveTargets bob ResourceNotFoundException",
		"RemoveTargets bob",
		"DisableRule carol",
		"EnableRule carol",
		"EnableRule carol ResourceNotFoundException",
		"PutTargets carol",
		"DeleteRule carol ValidationException",
		"DeleteRule carol",
		"PutRule dave", "PutAlarm dave",
		"PutRule dave", "PutAlarm dave", // changed threshold
		"PutRule dave", "DeleteAlarm dave", // threshold removed
		"PutRule dave", "PutAlarm dave",
		"DeleteRule dave", "DeleteAlarm dave",
		"DisableRule dave ResourceNotFoundException",
	}
	equalLines(t, "sink records", sink.lines(t), want...)
	t.Logf("%d audit records checked", len(want))

	// The Bus got the same records as events (all but the first, put
	// before the watching rule had a target), with the same ids.
	events := auditEvents(t, watch)
	var got []string
	for _, r := range sink.records() {
		if ev, ok := events[r.EventID]; ok {
			if want := decodeAudit(t, mustJSON(t, r)); !slices.Equal(mustJSON(t, ev), mustJSON(t, want)) {
				t.Errorf("event %s differs from the sink's record:\n%s\n%s", r.EventID, mustJSON(t, ev), mustJSON(t, want))
			}
			got = append(got, ev.line())
		}
	}
	equalLines(t, "audit events", got, want[1:]...)

	// One record in full, with the event around it.
	var deleted targets.Delivery
	for _, d := range watch.deliveries() {
		if strings.Contains(string(d.Payload), `"eventName":"DeleteRule","awsRegion":"us-east-1","recipientAccountId":"123456789012","userIdentity":{"principal":"carol"},"requestParameters":{"name":"orders","force":true}}`) {
			deleted = d
		}
	}
	id := deleted.EventID
	wantEvent := `{"version":"0","id":"` + id + `","detail-type":"Rulebridge API Call","source":"rulebridge.audit","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/orders"],` +
		`"detail":{"eventVersion":"1.0","eventID":"` + id + `","eventTime":"2026-01-02T03:04:05Z","eventSource":"rulebridge","eventName":"DeleteRule","awsRegion":"us-east-1","recipientAccountId":"123456789012","userIdentity":{"principal":"carol"},"requestParameters":{"name":"orders","force":true}}}`
	if string(deleted.Payload) != wantEvent {
		t.Errorf("DeleteRule audit event:\n got %s\nwant %s", deleted.Payload, wantEvent)
	}
	recs := sink.records()
	if got := string(recs[2].RequestParameters); got != `{"name":"orders","eventPattern":"{\"detail\": {\"total\": [{\"numeric\": [\">\", 100]}]}}"}` {
		t.Errorf("PutRule parameters: %s", got)
	}
	if got := recs[5]; got.ErrorMessage != "Rule nope does not exist on EventBus default." || string(got.RequestParameters) != `{"rule":"nope","targets":[{"id":"rec","kind":"*rules_test.recorder"}]}` {
		t.Errorf("failed PutTargets record: %+v, parameters %s", got, got.RequestParameters)
	}
	if got := string(recs[17].RequestParameters); got != `{"alarmName":"alarmed","threshold":{"count":4,"period":"1m0s","comparison":">="}}` {
		t.Errorf("PutAlarm parameters: %s", got)
	}
	if m := b.Metrics(); m.AuditRecords != int64(len(want)) || m.AuditRecordsFailed != 0 || m.Events != 0 {
		t.Errorf("metrics: %d audit records, %d failed, %d events; want %d, 0, 0 (audit events are not counted as Events)",
			m.AuditRecords, m.AuditRecordsFailed, m.Events, len(want))
	}
}

// TestAuditDetectsForbiddenDelete: an ordinary rule on the audit events
// catches a DeleteRule by anyone but alice.
func TestAuditDetectsForbiddenDelete(t *testing.T) {
	ctx := context.Background()
	alice, bob := rules.WithPrincipal(ctx, "alice"), rules.WithPrincipal(ctx, "bob")
	b := newBus(t)
	alerts := &recorder{}
	mustPutRule(t, b, rules.Rule{Name: "forbidden-delete", EventPattern: `{"source": ["rulebridge.audit"], "detail": {
		"eventName": ["DeleteRule"], "userIdentity": {"principal": [{"anything-but": ["alice"]}]}}}`})
	mustPutTargets(t, b, "forbidden-delete", rules.Target{ID: "alert", Target: alerts,
		InputTransformer: &targets.InputTransformer{
			InputPathsMap: map[string]string{"who": "$.detail.userIdentity.principal", "rule": "$.detail.requestParameters.name", "error": "$.detail.errorCode"},
			InputTemplate: `"<who> deleted <rule> <error>"`,
		}})
	for _, name := range []string{"r1", "r2", "r3"} {
		if _, err := b.PutRule(alice, rules.Rule{Name: name, EventPattern: `{"source": ["x"]}`}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.DeleteRule(alice, "r1", false); err != nil {
		t.Fatal(err)
	}
	if err := b.DisableRule(bob, "r2"); err != nil { // not a delete
		t.Fatal(err)
	}
	if err := b.DeleteRule(bob, "r2", false); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteRule(ctx, "r3", false); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteRule(bob, "r9", false); err == nil { // an attempt is caught too
		t.Fatal("deleted an unknown rule")
	}
	flush(t, b)
	if got := fmt.Sprint(alerts.payloads()); got != `["bob deleted r2 " "bob deleted r9 ResourceNotFoundException" "unknown deleted r3 "]` {
		t.Errorf("alerts: %s", got)
	}
}

// TestAuditFailures: a record the sink refuses, or whose event the Bus
// cannot take, is reported; the call still says what happened to it.
func TestAuditFailures(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var failed []rules.Notice
	obs := rules.ObserverFunc(func(_ context.Context, n rules.Notice) {
		if n.Kind == rules.AuditFailed {
			mu.Lock()
			failed = append(failed, n)
			mu.Unlock()
		}
	})
	takeFailed := func() []rules.Notice {
		mu.Lock()
		defer mu.Unlock()
		f := failed
		failed = nil
		return f
	}

	t.Run("sink", func(t *testing.T) {
		sink := &auditSink{fail: func(r rules.AuditRecord) error {
			if strings.Contains(string(r.RequestParameters), "doomed") {
				if r.EventName == "DeleteRule" {
					panic("sink bug")
				}
				return errors.New("disk full")
			}
			return nil
		}}
		var logs bytes.Buffer
		var logMu sync.Mutex
		b := newBus(t, rules.WithAuditSink(sink), rules.WithObserver(obs), rules.WithEventIDs(counterIDs()),
			rules.WithLogger(slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))))
		watch := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "watch", EventPattern: `{"source": ["rulebridge.audit"]}`})
		mustPutTargets(t, b, "watch", rules.Target{ID: "rec", Target: watch})
		if _, err := b.PutRule(ctx, rules.Rule{Name: "doomed", EventPattern: `{"source": ["x"]}`}); err != nil {
			t.Fatalf("PutRule failed with its audit record: %v", err)
		}
		if err := b.DeleteRule(ctx, "doomed", false); err != nil {
			t.Fatalf("DeleteRule failed with its audit record: %v", err)
		}
		if _, err := b.DescribeRule("doomed"); !errors.Is(err, rules.ErrResourceNotFound) {
			t.Errorf("the delete did not happen: %v", err)
		}
		flush(t, b)
		f := takeFailed()
		if len(f) != 2 || f[0].Rule != "doomed" || f[0].Audit.EventName != "PutRule" || f[0].Err.Error() != "audit sink: disk full" ||
			f[1].Audit.EventName != "DeleteRule" || f[1].Err.Error() != "audit sink: panic: sink bug" || f[0].EventID != f[0].Audit.EventID {
			t.Errorf("AuditFailed notices: %+v", f)
		}
		// The events were put on the Bus all the same.
		if n := len(auditEvents(t, watch)); n != 3 {
			t.Errorf("%d audit events on the Bus, want 3", n)
		}
		if m := b.Metrics(); m.AuditRecords != 2 || m.AuditRecordsFailed != 2 {
			t.Errorf("metrics: %d written, %d failed; want 2, 2", m.AuditRecords, m.AuditRecordsFailed)
		}
		logMu.Lock()
		text := logs.String()
		logMu.Unlock()
		if !strings.Contains(text, `"level":"ERROR","msg":"audit record failed","call":"PutRule","rule":"doomed","event_id":"ev-3","error":"audit sink: disk full"`) {
			t.Errorf("log:\n%s", text)
		}
	})

	t.Run("full queue", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBus(t, rules.WithQueueCapacity(1), rules.WithObserver(obs))
			g := newGate()
			mustPutRule(t, b, rules.Rule{Name: "watch", EventPattern: `{"source": ["rulebridge.audit"]}`})
			mustPutTargets(t, b, "watch", rules.Target{ID: "gate", Target: g}) // its own audit event fills the queue
			synctest.Wait()
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			start := time.Now()
			if _, err := b.PutRule(ctx, rules.Rule{Name: "r", EventPattern: `{"source": ["x"]}`}); err != nil {
				t.Fatalf("PutRule failed with its audit event: %v", err)
			}
			if waited := time.Since(start); waited != 10*time.Second {
				t.Errorf("PutRule waited %v for room, want its context's 10 s", waited)
			}
			if _, err := b.DescribeRule("r"); err != nil {
				t.Errorf("the rule was not put: %v", err)
			}
			f := takeFailed()
			if len(f) != 1 || f[0].Audit.EventName != "PutRule" || !strings.Contains(f[0].Err.Error(), "ThrottlingException") {
				t.Errorf("AuditFailed notices: %+v", f)
			}
			if m := b.Metrics(); m.AuditRecordsFailed != 1 {
				t.Errorf("AuditRecordsFailed = %d", m.AuditRecordsFailed)
			}
			g.release()
		})
	})

	t.Run("event ids", func(t *testing.T) {
		sink := &auditSink{}
		b := newBus(t, rules.WithAuditSink(sink), rules.WithObserver(obs), rules.WithEventIDs(func() string { return "" }))
		if _, err := b.PutRule(ctx, rules.Rule{Name: "r", EventPattern: `{"source": ["x"]}`}); err != nil {
			t.Fatal(err)
		}
		f := takeFailed()
		if len(f) != 1 || !strings.Contains(f[0].Err.Error(), "event id source") {
			t.Errorf("AuditFailed notices: %+v", f)
		}
		if r := sink.records(); len(r) != 1 || r[0].EventID != "" {
			t.Errorf("the sink got %+v", r)
		}
	})
}

// TestAuditNoSecrets: targets are recorded by id and kind; credentials,
// headers and constant inputs never reach the audit trail or the log.
func TestAuditNoSecrets(t *testing.T) {
	ctx := context.Background()
	sink := &auditSink{}
	var logs bytes.Buffer
	var logMu sync.Mutex
	b := newBus(t, rules.WithAuditSink(sink),
		rules.WithLogger(slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	watch := &recorder{}
	mustPutRule(t, b, rules.Rule{Name: "watch", EventPattern: `{"source": ["rulebridge.audit"]}`})
	mustPutTargets(t, b, "watch", rules.Target{ID: "rec", Target: watch})
	conn, err := targets.BasicAuth("user", "hunter2-SECRET")
	if err != nil {
		t.Fatal(err)
	}
	h, err := targets.NewHTTP(targets.HTTPConfig{URL: "https://user:pw-SECRET@example.com/hook?token=q-SECRET",
		Header: http.Header{"X-Api-Key": {"key-SECRET"}}, Connection: conn})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	mustPutRule(t, b, rules.Rule{Name: "r", EventPattern: `{"source": ["x"]}`})
	if err := b.PutTargets(ctx, "r",
		rules.Target{ID: "hook", Target: h, Input: `{"token": "tok-SECRET"}`, DeadLetter: targets.Func(func(context.Context, targets.Delivery) error { return nil })},
		rules.Target{ID: "shaped", Target: &recorder{}, InputTransformer: &targets.InputTransformer{InputTemplate: `"x-SECRET"`}},
	); err != nil {
		t.Fatal(err)
	}
	flush(t, b)
	recs := sink.records()
	last := recs[len(recs)-1]
	if got := string(last.RequestParameters); got != `{"rule":"r","targets":[{"id":"hook","kind":"*targets.HTTP","shaping":"Input","deadLetterKind":"targets.Func"},{"id":"shaped","kind":"*rules_test.recorder","shaping":"InputTransformer"}]}` {
		t.Errorf("PutTargets parameters: %s", got)
	}
	all := string(mustJSON(t, recs)) + fmt.Sprint(watch.payloads())
	logMu.Lock()
	all += logs.String()
	logMu.Unlock()
	if strings.Contains(all, "SECRET") {
		t.Errorf("a secret reached the audit trail or the log:\n%s", all)
	}
	if !strings.Contains(fmt.Sprint(watch.payloads()), `"kind":"*targets.HTTP"`) {
		t.Errorf("the audit events lack the PutTargets record:\n%s", watch.payloads())
	}
}

// TestAuditLog writes records as JSON lines to a file, appending.
func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	for round := range 2 {
		l, err := rules.OpenAuditLog(path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := rules.New(rules.WithAuditSink(l))
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("r%d", round)
		if _, err := b.PutRule(rules.WithPrincipal(ctx, "ops"), rules.Rule{Name: name, EventPattern: `{"source": ["x"]}`}); err != nil {
			t.Fatal(err)
		}
		if err := b.DeleteRule(ctx, "nope", false); err == nil {
			t.Fatal("deleted an unknown rule")
		}
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.PutRule(ctx, rules.Rule{Name: "late", EventPattern: `{"source": ["x"]}`}); !errors.Is(err, rules.ErrClosed) {
			t.Fatalf("PutRule after Close: %v", err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fi, _ := f.Stat(); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v, want 0600", fi.Mode().Perm())
	}
	var got []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		got = append(got, decodeAudit(t, sc.Bytes()).line())
	}
	// Calls after Close are not audited.
	equalLines(t, "audit log", got,
		"PutRule ops", "DeleteRule unknown ResourceNotFoundException",
		"PutRule ops", "DeleteRule unknown ResourceNotFoundException")

	if err := rules.NewAuditLog(failingWriter{}).WriteAudit(ctx, rules.AuditRecord{EventName: "PutRule"}); err == nil || !strings.Contains(err.Error(), "rules: audit log: no space") {
		t.Errorf("WriteAudit to a failing writer: %v", err)
	}
	if err := rules.NewAuditLog(failingWriter{}).Close(); err != nil {
		t.Errorf("Close of a writer's AuditLog: %v", err)
	}
	if _, err := rules.OpenAuditLog(filepath.Join(t.TempDir(), "no", "such", "dir")); err == nil {
		t.Error("OpenAuditLog in a missing directory succeeded")
	}
	if _, err := rules.New(rules.WithAuditSink(nil)); err == nil {
		t.Error("WithAuditSink(nil) accepted")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space") }

// TestAuditTriggeredCalls: a target that makes a management call when it
// sees an audit event is audited like any caller, and audit events
// themselves cause no records: the records are exactly the calls.
func TestAuditTriggeredCalls(t *testing.T) {
	ctx := context.Background()
	sink := &auditSink{}
	b := newBus(t, rules.WithAuditSink(sink))
	var once sync.Once
	react := targets.Func(func(ctx context.Context, d targets.Delivery) error {
		once.Do(func() {
			_, err := b.PutRule(rules.WithPrincipal(ctx, "bot"), rules.Rule{Name: "derived", EventPattern: `{"source": ["y"]}`})
			if err != nil {
				t.Error(err)
			}
		})
		return nil
	})
	everything := &recorder{} // a rule that sees all audit events, of the bot's call too
	mustPutRule(t, b, rules.Rule{Name: "all-audit", EventPattern: `{"source": ["rulebridge.audit"]}`})
	mustPutTargets(t, b, "all-audit", rules.Target{ID: "rec", Target: everything})
	mustPutRule(t, b, rules.Rule{Name: "on-trigger", EventPattern: `{"source": ["rulebridge.audit"], "detail": {"requestParameters": {"name": ["trigger"]}}}`})
	mustPutTargets(t, b, "on-trigger", rules.Target{ID: "react", Target: react})
	if _, err := b.PutRule(rules.WithPrincipal(ctx, "alice"), rules.Rule{Name: "trigger", EventPattern: `{"source": ["x"]}`}); err != nil {
		t.Fatal(err)
	}
	flush(t, b) // the reaction ran...
	flush(t, b) // ...and its audit event was delivered
	equalLines(t, "records", sink.lines(t),
		"PutRule unknown", "PutTargets unknown", "PutRule unknown", "PutTargets unknown", "PutRule alice", "PutRule bot")
	if m := b.Metrics(); m.AuditRecords != 6 {
		t.Errorf("AuditRecords = %d, want 6: one per call", m.AuditRecords)
	}
	if n := len(auditEvents(t, everything)); n != 5 {
		t.Errorf("all-audit saw %d audit events, want 5", n)
	}
}
