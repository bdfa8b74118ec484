package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rulebridge/rulebridge/targets"
)

// copyExample copies examples/NAME into dir/examples/NAME, so that the
// files a run writes beside the rules file (dead-letter files) land in a
// temporary directory, and returns dir/examples/NAME.
func copyExample(t *testing.T, dir, name string) string {
	t.Helper()
	src := filepath.Join("..", "..", "examples", name)
	dst := filepath.Join(dir, "examples", name)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// countLog counts the log lines with msg and rule.
func countLog(stderr, msg, rule string) int {
	n := 0
	for _, l := range lines(stderr) {
		if strings.Contains(l, `msg="`+msg+`"`) && strings.Contains(l, " rule="+rule+" ") {
			n++
		}
	}
	return n
}

// readDeadLetters decodes a dead-letter file.
func readDeadLetters(t *testing.T, path string) []targets.DeadLetterRecord {
	t.Helper()
	var recs []targets.DeadLetterRecord
	for _, l := range lines(readFile(t, path)) {
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("%s: %q: %v", path, l, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// TestExampleQuickstart runs the README's first command,
//
//	go run ./cmd/rulebridge run --rules examples/quickstart/rules.yaml --events examples/quickstart/events.jsonl
//
// in a copy of the example, and checks that it shows matches, a
// transformed payload, a retry and a dead-letter, with no network.
func TestExampleQuickstart(t *testing.T) {
	dir := t.TempDir()
	copyExample(t, dir, "quickstart")
	t.Chdir(dir)
	out, errs, code := runCLI(t, "", "run", "--rules", "examples/quickstart/rules.yaml", "--events", "examples/quickstart/events.jsonl")
	if code != 0 {
		t.Errorf("exit %d, want 0; stderr:\n%s", code, errs)
	}

	// Matches: every order event, as it arrived; a transformed payload: the
	// summaries of the two big orders.
	var got []string
	for _, l := range lines(out) {
		var ev struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Detail     struct {
				OrderID string `json:"orderId"`
			} `json:"detail"`
		}
		switch {
		case strings.HasPrefix(l, `{"summary":`):
			got = append(got, l)
		case json.Unmarshal([]byte(l), &ev) == nil && ev.Source == "com.example.orders":
			got = append(got, ev.DetailType+" "+ev.Detail.OrderID)
		default:
			t.Errorf("unexpected stdout line %s", l)
		}
	}
	slices.Sort(got)
	want := []string{
		"Order Placed o-1001", "Order Placed o-1002", "Order Placed o-1003", "Order Shipped o-1001",
		`{"summary":"Order o-1001 from Ada","total":250,"rule":"big-orders"}`,
		`{"summary":"Order o-1003 from Edsger","total":999.5,"rule":"big-orders"}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("stdout, sorted:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A retry and a dead-letter, logged and summed up.
	if n := countLog(errs, "delivery will be retried", "notify-warehouse"); n != 2 {
		t.Errorf("%d retries logged, want 2:\n%s", n, errs)
	}
	if n := countLog(errs, "event dead-lettered", "notify-warehouse"); n != 1 {
		t.Errorf("%d dead-letters logged, want 1:\n%s", n, errs)
	}
	summary := []string{"rulebridge: 5 events, 4 matched, 6 delivered, 2 retried, 1 dead-lettered, 0 failed, 0 rejected"}
	if got := withoutLog(errs); !slices.Equal(got, summary) {
		t.Errorf("stderr without the log: %q, want %q", got, summary)
	}
	recs := readDeadLetters(t, filepath.Join("examples", "quickstart", "dlq.jsonl"))
	if len(recs) != 1 {
		t.Fatalf("%d dead-letter records, want 1", len(recs))
	}
	r := recs[0]
	if r.RuleName != "notify-warehouse" || r.TargetID != "warehouse" || r.EventID != "6a7e8feb-b491-4cf7-a9f1-bf3703467718" ||
		r.ErrorCode != targets.CodeConnectionFailure || r.ExhaustedRetryCondition != targets.MaximumRetryAttempts ||
		r.RetryAttempts != 2 || !strings.Contains(r.ErrorMessage, "http://127.0.0.1:9/orders") ||
		!strings.Contains(string(r.Event), `"detail":{"orderId":"o-1001","carrier":"UPS"}`) {
		t.Errorf("dead-letter record %+v", r)
	}
}

// recordingEndpoint is an HTTP endpoint that keeps every request and
// answers with the status its handler picks.
type recordingEndpoint struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []request
	status func(r request, n int) int // n: how many requests came before to this path
}

type request struct {
	path, body string
	header     http.Header
	user, pass string
}

func newRecordingEndpoint(t *testing.T, status func(r request, n int) int) *recordingEndpoint {
	e := &recordingEndpoint{status: status}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		req := request{path: r.URL.Path, body: string(b), header: r.Header.Clone()}
		req.user, req.pass, _ = r.BasicAuth()
		e.mu.Lock()
		n := 0
		for _, g := range e.got {
			if g.path == req.path {
				n++
			}
		}
		e.got = append(e.got, req)
		e.mu.Unlock()
		w.WriteHeader(e.status(req, n))
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *recordingEndpoint) requests() []request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.got)
}

// TestExampleAuditAlerts runs
//
//	go run ./cmd/rulebridge run --rules examples/audit-alerts/rules.yaml --events examples/audit-alerts/events.jsonl
//
// against a webhook and checks which alerts arrive: a console login without
// MFA, StopLogging and DeleteTrail, and the root user's sign-in and API
// call; not the login with MFA, an ordinary API call or a service's use of
// the root account.
func TestExampleAuditAlerts(t *testing.T) {
	hook := newRecordingEndpoint(t, func(request, int) int { return http.StatusOK })
	t.Setenv("ALERT_WEBHOOK_URL", hook.srv.URL+"/services/T0/B0/X")
	rules := filepath.Join(copyExample(t, t.TempDir(), "audit-alerts"), "rules.yaml")
	out, errs, code := runCLI(t, "", "run", "--rules", rules, "--events", "../../examples/audit-alerts/events.jsonl")
	if code != 0 || out != "" {
		t.Errorf("exit %d, stdout %q; want 0 and nothing", code, out)
	}
	var alerts []string
	for _, r := range hook.requests() {
		if r.path != "/services/T0/B0/X" || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("request to %s with Content-Type %q", r.path, r.header.Get("Content-Type"))
		}
		alerts = append(alerts, r.body)
	}
	slices.Sort(alerts)
	want := []string{
		`{"text":"Console sign-in without MFA by arn:aws:iam::123456789012:user/mallory from 203.0.113.7 at 2026-01-05T09:12:44Z"}`,
		`{"text":"DeleteTrail on trail management-events by arn:aws:iam::123456789012:user/mallory"}`,
		`{"text":"Root user of account 123456789012: ConsoleLogin from 192.0.2.44"}`,
		`{"text":"Root user of account 123456789012: CreateAccessKey from 192.0.2.44"}`,
		`{"text":"StopLogging on trail arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events by arn:aws:iam::123456789012:user/mallory"}`,
	}
	if !slices.Equal(alerts, want) {
		t.Errorf("alerts, sorted:\n%s\nwant\n%s", strings.Join(alerts, "\n"), strings.Join(want, "\n"))
	}
	if errs != "rulebridge: 8 events, 5 matched, 5 delivered, 0 retried, 0 dead-lettered, 0 failed, 0 rejected\n" {
		t.Errorf("stderr %q", errs)
	}
}

// TestExampleWebhook runs examples/webhook against an API that fails
// (503) the first two order requests, then recovers, and refuses (400)
// the ledger's: the orders are delivered after retries, with the API key;
// the refund, sent with Basic auth, is dead-lettered at once (a 400 is not
// worth retrying) with the original event.
func TestExampleWebhook(t *testing.T) {
	api := newRecordingEndpoint(t, func(r request, n int) int {
		switch {
		case r.path == "/api/orders" && n < 2:
			return http.StatusServiceUnavailable
		case r.path == "/api/orders":
			return http.StatusAccepted
		}
		return http.StatusBadRequest
	})
	t.Setenv("WEBHOOK_URL", api.srv.URL+"/api")
	t.Setenv("WEBHOOK_API_KEY", "k-123")
	t.Setenv("LEDGER_PASSWORD", "s3cret")
	dir := copyExample(t, t.TempDir(), "webhook")
	out, errs, code := runCLI(t, "", "run", "--rules", filepath.Join(dir, "rules.yaml"), "--events", filepath.Join(dir, "events.jsonl"))
	if code != 0 || out != "" {
		t.Errorf("exit %d, stdout %q; want 0 and nothing", code, out)
	}
	var orders, ledger []string
	for _, r := range api.requests() {
		switch r.path {
		case "/api/orders":
			if r.header.Get("X-Api-Key") != "k-123" || r.header.Get("X-Source") != "rulebridge" || r.user != "" {
				t.Errorf("order request headers %v", r.header)
			}
			orders = append(orders, r.body)
		case "/api/ledger":
			if r.user != "rulebridge" || r.pass != "s3cret" || r.header.Get("X-Api-Key") != "" {
				t.Errorf("ledger request with Basic user %q password %q, X-Api-Key %q", r.user, r.pass, r.header.Get("X-Api-Key"))
			}
			ledger = append(ledger, r.body)
		default:
			t.Errorf("request to %s", r.path)
		}
	}
	// Four order requests: two refused, two retried and delivered, whatever
	// the order in which the two events came.
	slices.Sort(orders)
	o1, o2 := `{"orderId":"o-2001","total":42.5}`, `{"orderId":"o-2002","total":310}`
	if len(orders) != 4 || !slices.Contains(orders, o1) || !slices.Contains(orders, o2) ||
		strings.Count(strings.Join(orders, "\n"), o1)+strings.Count(strings.Join(orders, "\n"), o2) != 4 {
		t.Errorf("order requests %q, want 4 of %s and %s", orders, o1, o2)
	}
	if want := []string{`{"type":"refund","reference":"r-9","amount":42.5,"currency":"EUR"}`}; !slices.Equal(ledger, want) {
		t.Errorf("ledger requests %q, want %q", ledger, want)
	}
	if n := countLog(errs, "delivery will be retried", "orders-to-partner"); n != 2 {
		t.Errorf("%d retries logged, want 2:\n%s", n, errs)
	}
	summary := []string{"rulebridge: 4 events, 3 matched, 2 delivered, 2 retried, 1 dead-lettered, 0 failed, 0 rejected"}
	if got := withoutLog(errs); !slices.Equal(got, summary) {
		t.Errorf("stderr without the log: %q, want %q", got, summary)
	}
	recs := readDeadLetters(t, filepath.Join(dir, "webhook-dlq.jsonl"))
	if len(recs) != 1 {
		t.Fatalf("%d dead-letter records, want 1", len(recs))
	}
	r := recs[0]
	if r.RuleName != "refunds-to-ledger" || r.TargetID != "ledger" || r.ErrorCode != targets.CodeErrorFromTarget ||
		r.RetryAttempts != 0 || r.ExhaustedRetryCondition != "" || !strings.Contains(r.ErrorMessage, "400") ||
		!strings.Contains(string(r.Event), `"detail":{"refundId":"r-9","orderId":"o-2001","amount":42.5,"currency":"EUR"}`) {
		t.Errorf("dead-letter record %+v", r)
	}
	if strings.Contains(errs, "s3cret") || strings.Contains(errs, "k-123") || strings.Contains(readFile(t, filepath.Join(dir, "webhook-dlq.jsonl")), "s3cret") {
		t.Errorf("a credential leaked into the log or the dead-letter file")
	}
}
