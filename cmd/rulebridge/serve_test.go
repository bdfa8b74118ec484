package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// watchBuffer is standard error that tells when a text has appeared in it.
type watchBuffer struct {
	syncBuffer
	mu      sync.Mutex
	waiting map[string]chan struct{}
}

// when returns a channel closed once the output contains text.
func (w *watchBuffer) when(text string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waiting == nil {
		w.waiting = map[string]chan struct{}{}
	}
	ch, ok := w.waiting[text]
	if !ok {
		ch = make(chan struct{})
		w.waiting[text] = ch
	}
	w.check()
	return ch
}

func (w *watchBuffer) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	w.mu.Lock()
	w.check()
	w.mu.Unlock()
	return n, err
}

// check closes the channels of the texts that have appeared; w.mu is held.
func (w *watchBuffer) check() {
	s := w.String()
	for text, ch := range w.waiting {
		if strings.Contains(s, text) {
			close(ch)
			delete(w.waiting, text)
		}
	}
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+)\n`)

// server is a "rulebridge run --listen 127.0.0.1:0" running for a test.
type server struct {
	url    string
	stop   context.CancelFunc // as SIGINT does
	result *cliResult
	stderr *watchBuffer
	client *http.Client
}

// listen starts the command with a rules file and --listen on a free
// port, and returns once it listens. The test must call stop and wait for
// the exit code.
func listen(t *testing.T, rulesYAML string, args ...string) *server {
	t.Helper()
	rulesPath := writeFile(t, t.TempDir(), "rules.yaml", rulesYAML)
	ctx, stop := context.WithCancel(context.Background())
	w := new(watchBuffer)
	args = append([]string{"run", "--rules", rulesPath, "--listen", "127.0.0.1:0"}, args...)
	r := startCLI(ctx, strings.NewReader(""), w, args...)
	tr := &http.Transport{}
	s := &server{stop: stop, result: r, stderr: w, client: &http.Client{Transport: tr}}
	t.Cleanup(func() {
		stop()
		tr.CloseIdleConnections()
	})
	select {
	case <-w.when("\n"): // the first line says where it listens
		m := listeningRE.FindStringSubmatch(w.String())
		if m == nil {
			t.Fatalf("no address in %q", w.String())
		}
		s.url = m[1]
	case code := <-r.code:
		t.Fatalf("exited %d before listening; stderr:\n%s", code, w.String())
	}
	return s
}

// do sends a request and returns the status, the Allow header and the body.
func (s *server) do(t *testing.T, method, path, contentType string, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// shutdown signals the command and returns its exit code.
func (s *server) shutdown() int {
	s.stop()
	return <-s.result.code
}

const listenRules = `Rules:
  - Name: orders
    EventPattern: {source: [shop]}
    Targets:
      - Id: print
        InputPath: $.detail
        Stdout: {}
`

// TestListenPutEvents puts entries over HTTP and checks the answers, the
// deliveries, /metrics and /healthz.
func TestListenPutEvents(t *testing.T) {
	s := listen(t, listenRules)
	body := `{"Entries": [
		{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\": 1}"},
		{"Source": "shop", "DetailType": "Order", "Detail": {"n": 2}, "Time": 1767225600},
		{"DetailType": "Order", "Detail": "{}"},
		{"Source": "shop", "DetailType": "Order", "Detail": "{}", "EventBusName": "default"},
		{"source": "shop", "detail-type": "Order", "detail": {}},
		{"Source": "other", "DetailType": "Order", "Detail": "{\"n\": 3}"}
	]}`
	code, hdr, resp := s.do(t, "POST", "/events", "application/json", strings.NewReader(body))
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("POST /events: %d %s %s", code, hdr.Get("Content-Type"), resp)
	}
	var got putEventsResponse
	if err := json.Unmarshal([]byte(resp), &got); err != nil {
		t.Fatalf("answer %s: %v", resp, err)
	}
	want := []entryResult{
		{EventID: "?"}, {EventID: "?"},
		{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument."},
		{ErrorCode: "InvalidArgument", ErrorMessage: "EventBusName: not supported: rulebridge has one bus; leave it out"},
		{ErrorCode: "InvalidArgument", ErrorMessage: "not a PutEvents entry: it has none of Source, DetailType and Detail"},
		{EventID: "?"},
	}
	ids := map[string]bool{}
	for i := range got.Entries {
		if got.Entries[i].EventID != "" {
			ids[got.Entries[i].EventID] = true
			got.Entries[i].EventID = "?"
		}
	}
	if got.FailedEntryCount != 3 || !slices.Equal(got.Entries, want) || len(ids) != 3 {
		t.Errorf("answer %s\nwant FailedEntryCount 3 and %+v, with 3 distinct ids", resp, want)
	}
	if !strings.Contains(resp, `{"EventId":"`) || strings.Contains(resp, `"ErrorCode":""`) {
		t.Errorf("answer %s does not use PutEvents' member names or leaves empty members", resp)
	}

	code, _, resp = s.do(t, "GET", "/healthz", "", nil)
	if code != http.StatusOK || resp != "ok\n" {
		t.Errorf("GET /healthz: %d %q", code, resp)
	}

	if exit := s.shutdown(); exit != 0 {
		t.Errorf("exit %d after a signal; stderr:\n%s", exit, s.stderr.String())
	}
	out := lines(s.result.out.String())
	slices.Sort(out)
	if want := []string{`{"n":1}`, `{"n":2}`}; !slices.Equal(out, want) {
		t.Errorf("stdout %q, want %q", out, want)
	}
	summary := "rulebridge: 3 events, 2 matched, 2 delivered, 0 retried, 0 dead-lettered, 0 failed, 3 rejected\n"
	if errs := s.stderr.String(); !strings.HasSuffix(errs, summary) || !strings.HasPrefix(errs, "rulebridge: 1 rule, 1 target from ") {
		t.Errorf("stderr:\n%s\nwant the rules, the address and at the end %q", errs, summary)
	}
}

// TestListenMetrics checks GET /metrics: every counter with HELP and TYPE
// lines and the values after some events, in Prometheus text format.
func TestListenMetrics(t *testing.T) {
	s := listen(t, listenRules)
	defer s.shutdown()
	body := `{"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{}"},
		{"Source": "other", "DetailType": "Order", "Detail": "{}"},
		{"Source": "shop", "DetailType": "Order", "Detail": "[]"},
		{"Source": "shop", "DetailType": "Order", "Detail": "{}", "Extra": 1}]}`
	if code, _, resp := s.do(t, "POST", "/events", "", strings.NewReader(body)); code != http.StatusOK {
		t.Fatalf("POST /events: %d %s", code, resp)
	}
	code, hdr, text := s.do(t, "GET", "/metrics", "", nil)
	if code != http.StatusOK || hdr.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("GET /metrics: %d %q", code, hdr.Get("Content-Type"))
	}
	values := parseExposition(t, text)
	if len(values) != len(metrics)+len(ruleMetrics) { // one rule
		t.Errorf("%d samples, want %d", len(values), len(metrics)+len(ruleMetrics))
	}
	for name, want := range map[string]int64{
		"rulebridge_put_events_entries_total":           3,
		"rulebridge_put_events_failed_entries_total":    1,
		"rulebridge_invalid_inputs_total":               1,
		"rulebridge_events_total":                       2,
		"rulebridge_matched_events_total":               1,
		"rulebridge_triggered_rules_total":              1,
		"rulebridge_failed_invocations_total":           0,
		"rulebridge_invocations_sent_to_dlq_total":      0,
		"rulebridge_put_events_throttled_entries_total": 0,
	} {
		if got, ok := values[name]; !ok || got != want {
			t.Errorf("%s = %d (present: %v), want %d", name, got, ok, want)
		}
	}
	// The delivery is asynchronous: it has been made or is pending.
	if d, p := values["rulebridge_successful_invocation_attempts_total"], values["rulebridge_pending_deliveries"]; d+p != 1 {
		t.Errorf("delivered %d + pending %d, want 1", d, p)
	}
	for name, want := range map[string]int64{
		`rulebridge_rule_matched_events_total{rule="orders"}`:     1,
		`rulebridge_rule_triggered_rules_total{rule="orders"}`:    1,
		`rulebridge_rule_condition_errors_total{rule="orders"}`:   0,
		`rulebridge_rule_failed_invocations_total{rule="orders"}`: 0,
		`rulebridge_rule_throttled_rules_total{rule="orders"}`:    0,
	} {
		if got, ok := values[name]; !ok || got != want {
			t.Errorf("%s = %d (present: %v), want %d", name, got, ok, want)
		}
	}
	// The rule's counters are read after the bus's: its one delivery is
	// counted there if it was in the bus's.
	if d, bd := values[`rulebridge_rule_successful_invocation_attempts_total{rule="orders"}`], values["rulebridge_successful_invocation_attempts_total"]; d < bd || d > 1 {
		t.Errorf("rule orders delivered %d, the bus %d before: want the bus's count or 1", d, bd)
	}
}

// TestListenMetricsHTTPThrottling checks that the waits of an Http
// target for its own rate limit (1 a second here) count as throttled.
func TestListenMetricsHTTPThrottling(t *testing.T) {
	arrived := make(chan struct{}, 2)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { arrived <- struct{}{} }))
	defer api.Close()
	s := listen(t, `Rules:
  - Name: orders
    EventPattern: {source: [shop]}
    Targets:
      - Id: slow
        Http: {Endpoint: "`+api.URL+`", RateLimitPerSecond: 1}
`)
	defer s.shutdown()
	entry := `{"Source": "shop", "DetailType": "Order", "Detail": "{}"}`
	if code, _, resp := s.do(t, "POST", "/events", "", strings.NewReader(`{"Entries": [`+entry+`,`+entry+`]}`)); code != http.StatusOK {
		t.Fatalf("POST /events: %d %s", code, resp)
	}
	<-arrived
	<-arrived // the later one waited for the limit, after saying so
	_, _, text := s.do(t, "GET", "/metrics", "", nil)
	values := parseExposition(t, text)
	if v := values["rulebridge_throttled_rules_total"]; v != 1 {
		t.Errorf("rulebridge_throttled_rules_total = %d, want 1", v)
	}
	if v := values[`rulebridge_rule_throttled_rules_total{rule="orders"}`]; v != 1 {
		t.Errorf(`rulebridge_rule_throttled_rules_total{rule="orders"} = %d, want 1`, v)
	}
}

// parseExposition checks the Prometheus text format strictly as this
// command writes it (HELP, TYPE, then one sample without labels for a bus
// counter, or a sample per rule, labelled rule="<name>", for a
// rulebridge_rule_ counter) and returns the samples, by name and, for rule
// counters, name{rule="<name>"}.
func parseExposition(t *testing.T, text string) map[string]int64 {
	t.Helper()
	name := regexp.MustCompile(`^rulebridge_[a-z_]+$`)
	ruleSample := regexp.MustCompile(`^(rulebridge_rule_[a-z_]+)\{rule="([.\-_A-Za-z0-9]+)"\}$`)
	values := map[string]int64{}
	ls := lines(text)
	for i := 0; i < len(ls); {
		if i+1 >= len(ls) {
			t.Fatalf("line %d: a HELP line without TYPE:\n%s", i+1, text)
		}
		help := strings.SplitN(ls[i], " ", 4)
		typ := strings.Split(ls[i+1], " ")
		if len(help) != 4 || help[0] != "#" || help[1] != "HELP" || !name.MatchString(help[2]) || help[3] == "" ||
			len(typ) != 4 || typ[0] != "#" || typ[1] != "TYPE" || typ[2] != help[2] {
			t.Fatalf("lines %d-%d are not HELP and TYPE:\n%s", i+1, i+2, strings.Join(ls[i:i+2], "\n"))
		}
		if counter := strings.HasSuffix(help[2], "_total"); (typ[3] == "counter") != counter || (typ[3] != "counter" && typ[3] != "gauge") {
			t.Errorf("%s has type %s: counters, and only they, end in _total", help[2], typ[3])
		}
		perRule := strings.HasPrefix(help[2], "rulebridge_rule_")
		i += 2
		n := 0
		for ; i < len(ls) && !strings.HasPrefix(ls[i], "#"); i++ {
			sample := strings.Split(ls[i], " ")
			key := ""
			if len(sample) == 2 {
				key = sample[0]
			}
			if m := ruleSample.FindStringSubmatch(key); perRule && (m == nil || m[1] != help[2]) || !perRule && key != help[2] {
				t.Fatalf("line %d is not a sample of %s: %s", i+1, help[2], ls[i])
			}
			v, err := strconv.ParseInt(sample[1], 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", ls[i], err)
			}
			if _, dup := values[key]; dup {
				t.Errorf("%s appears twice", key)
			}
			values[key] = v
			n++
		}
		if !perRule && n != 1 {
			t.Errorf("%s has %d samples, want 1", help[2], n)
		}
	}
	return values
}

// TestListenBadRequests checks the answers to requests PutEvents refuses
// as a whole, to oversized bodies, wrong methods and unknown paths.
func TestListenBadRequests(t *testing.T) {
	s := listen(t, listenRules)
	defer s.shutdown()
	entry := `{"Source": "shop", "DetailType": "Order", "Detail": "{}"}`
	eleven := `{"Entries": [` + strings.Repeat(entry+",", 10) + entry + `]}`
	big := `{"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{\"pad\": \"` + strings.Repeat("x", maxBodySize) + `\"}"}]}`
	for _, tc := range []struct {
		name, method, path string
		body               io.Reader
		status             int
		typ, message       string
	}{
		{"malformed JSON", "POST", "/events", strings.NewReader(`{"Entries": [`), 400, "ValidationException",
			`the request body must be a JSON object {"Entries": [...]}: not JSON: unexpected end of input`},
		{"not an object", "POST", "/events", strings.NewReader(`[1]`), 400, "ValidationException",
			`the request body must be a JSON object {"Entries": [...]}: not a JSON object`},
		{"empty body", "POST", "/events", strings.NewReader(``), 400, "ValidationException",
			`the request body must be a JSON object {"Entries": [...]}: not JSON: unexpected end of input`},
		{"no Entries", "POST", "/events", strings.NewReader(`{}`), 400, "ValidationException", "the request has no Entries"},
		{"unknown member", "POST", "/events", strings.NewReader(`{"Entries": [], "EndpointId": "x"}`), 400, "ValidationException",
			`unknown member "EndpointId" in the request; it takes only Entries`},
		{"Entries not an array", "POST", "/events", strings.NewReader(`{"Entries": {}}`), 400, "ValidationException",
			"the request's Entries must be an array of PutEvents entries"},
		{"no entries", "POST", "/events", strings.NewReader(`{"Entries": []}`), 400, "ValidationException",
			"the request has 0 Entries; PutEvents takes 1 to 10"},
		{"too many entries", "POST", "/events", strings.NewReader(eleven), 400, "ValidationException",
			"the request has 11 Entries; PutEvents takes 1 to 10"},
		{"oversized body", "POST", "/events", strings.NewReader(big), 413, "RequestEntityTooLarge",
			fmt.Sprintf("the request body is %d bytes; the limit is %d", len(big), maxBodySize)},
		// Without a Content-Length the limit is found while reading.
		{"oversized chunked body", "POST", "/events", io.MultiReader(strings.NewReader(big)), 413, "RequestEntityTooLarge",
			fmt.Sprintf("the request body is over the limit of %d bytes", maxBodySize)},
	} {
		code, hdr, resp := s.do(t, tc.method, tc.path, "application/json", tc.body)
		var e apiError
		if err := json.Unmarshal([]byte(resp), &e); err != nil || code != tc.status ||
			hdr.Get("Content-Type") != "application/json" || e.Type != tc.typ || e.Message != tc.message {
			t.Errorf("%s: %d %s %s\nwant %d %s %q", tc.name, code, hdr.Get("Content-Type"), resp, tc.status, tc.typ, tc.message)
		}
	}
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/events", 405, "POST"},
		{"PUT", "/events", 405, "POST"},
		{"POST", "/metrics", 405, "GET, HEAD"},
		{"DELETE", "/healthz", 405, "GET, HEAD"},
		{"GET", "/", 404, ""},
		{"POST", "/events/x", 404, ""},
	} {
		code, hdr, _ := s.do(t, tc.method, tc.path, "", nil)
		if code != tc.status || hdr.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d, Allow %q; want %d, %q", tc.method, tc.path, code, hdr.Get("Allow"), tc.status, tc.allow)
		}
	}
	// Nothing above reached the bus.
	_, _, text := s.do(t, "GET", "/metrics", "", nil)
	if v := parseExposition(t, text)["rulebridge_put_events_entries_total"]; v != 0 {
		t.Errorf("rulebridge_put_events_entries_total = %d after refused requests, want 0", v)
	}
}

// blockingEndpoint is an HTTP target that holds each request until
// released, and says when one has arrived.
type blockingEndpoint struct {
	srv     *httptest.Server
	arrived chan string
	release chan struct{}
}

func newBlockingEndpoint(t *testing.T) *blockingEndpoint {
	e := &blockingEndpoint{arrived: make(chan string, 10), release: make(chan struct{})}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.arrived <- string(b)
		select {
		case <-e.release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// TestListenGracefulShutdown signals the command while a delivery is in
// flight: the server stops taking requests, the delivery completes, and
// the command exits 0 having delivered it.
func TestListenGracefulShutdown(t *testing.T) {
	e := newBlockingEndpoint(t)
	s := listen(t, `Rules:
  - Name: orders
    EventPattern: {source: [shop]}
    Targets:
      - Id: slow
        Http: {Endpoint: "`+e.srv.URL+`"}
`)
	code, _, resp := s.do(t, "POST", "/events", "", strings.NewReader(`{"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\": 1}"}]}`))
	if code != http.StatusOK || !strings.Contains(resp, `"FailedEntryCount":0`) {
		t.Fatalf("POST /events: %d %s", code, resp)
	}
	if got := <-e.arrived; !strings.Contains(got, `"detail":{"n":1}`) {
		t.Fatalf("the endpoint got %s", got)
	}
	s.stop() // the delivery is in flight
	<-s.stderr.when("rulebridge: stopping: waiting for the pending deliveries (1, at most 30s)\n")
	close(e.release)
	if exit := <-s.result.code; exit != 0 {
		t.Errorf("exit %d, want 0", exit)
	}
	errs := s.stderr.String()
	if !strings.HasSuffix(errs, "rulebridge: 1 event, 1 matched, 1 delivered, 0 retried, 0 dead-lettered, 0 failed, 0 rejected\n") {
		t.Errorf("stderr:\n%s\nwant the delivery made", errs)
	}
	s.client.Transport.(*http.Transport).CloseIdleConnections()
	if resp, err := s.client.Post(s.url+"/events", "application/json", strings.NewReader(`{}`)); err == nil {
		resp.Body.Close()
		t.Errorf("the server still answers after the shutdown: %s", resp.Status)
	}
}

// TestListenShutdownTimeout signals the command while a delivery hangs:
// after --shutdown-timeout the delivery is interrupted and dead-lettered
// with INTERRUPTED, and the command exits 1.
func TestListenShutdownTimeout(t *testing.T) {
	e := newBlockingEndpoint(t)
	dir := t.TempDir()
	dlq := filepath.Join(dir, "dlq.jsonl")
	s := listen(t, `Rules:
  - Name: orders
    EventPattern: {source: [shop]}
    Targets:
      - Id: stuck
        DeadLetterConfig: {File: {Path: `+dlq+`}}
        Http: {Endpoint: "`+e.srv.URL+`", TimeoutSeconds: 60}
`, "--shutdown-timeout", "50ms")
	code, _, resp := s.do(t, "POST", "/events", "", strings.NewReader(`{"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{}"}]}`))
	if code != http.StatusOK {
		t.Fatalf("POST /events: %d %s", code, resp)
	}
	<-e.arrived
	if exit := s.shutdown(); exit != 1 {
		t.Errorf("exit %d, want 1", exit)
	}
	var rec targets.DeadLetterRecord
	ls := lines(readFile(t, dlq))
	if len(ls) != 1 || json.Unmarshal([]byte(ls[0]), &rec) != nil || rec.ErrorCode != targets.CodeInterrupted || rec.TargetID != "stuck" {
		t.Errorf("dlq.jsonl %q, want one INTERRUPTED record of target stuck", ls)
	}
	if errs := s.stderr.String(); !strings.HasSuffix(errs, "rulebridge: 1 event, 1 matched, 0 delivered, 0 retried, 1 dead-lettered, 0 failed, 0 rejected\n") {
		t.Errorf("stderr:\n%s", errs)
	}
}

// TestListenAddressInUse exits 2 when the address is taken.
func TestListenAddressInUse(t *testing.T) {
	s := listen(t, listenRules)
	defer s.shutdown()
	addr := strings.TrimPrefix(s.url, "http://")
	out, errs, code := runCLI(t, "", "run", "--rules", writeFile(t, t.TempDir(), "r.yaml", listenRules), "--listen", addr)
	if code != 2 || out != "" || !strings.Contains(errs, "rulebridge run: --listen: listen tcp "+addr+": bind: address already in use") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestListenWithEvents reads an events file, then keeps serving until
// signalled. (It signals once the command says the file is read and
// delivered: a signal before that interrupts the input, exit 1.)
func TestListenWithEvents(t *testing.T) {
	events := writeFile(t, t.TempDir(), "events.jsonl", `{"Source": "shop", "DetailType": "Order", "Detail": {"from": "file"}}`+"\n")
	s := listen(t, listenRules, "--events", events)
	code, _, _ := s.do(t, "POST", "/events", "", strings.NewReader(`{"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{\"from\": \"http\"}"}]}`))
	if code != http.StatusOK {
		t.Fatalf("POST /events: %d", code)
	}
	select {
	case <-s.stderr.when("read to its end and delivered; still listening\n"):
	case <-time.After(time.Minute):
		t.Fatalf("the file was not read and delivered within a minute; stderr:\n%s", s.stderr.String())
	}
	if exit := s.shutdown(); exit != 0 {
		t.Errorf("exit %d", exit)
	}
	out := lines(s.result.out.String())
	slices.Sort(out)
	if want := []string{`{"from":"file"}`, `{"from":"http"}`}; !slices.Equal(out, want) {
		t.Errorf("stdout %q, want %q", out, want)
	}
}

// TestListenToken runs --listen with --token-file: POST /events and GET
// /metrics refuse requests without the token, or with another, and take
// those with it; /healthz stays open.
func TestListenToken(t *testing.T) {
	tokenPath := writeFile(t, t.TempDir(), "token", "s3cret-token\nignored second line\n")
	s := listen(t, listenRules, "--token-file", tokenPath)
	send := func(method, path, auth string, body string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	entry := `{"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\": 1}"}]}`
	for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret-token2", "Basic s3cret-token", "s3cret-token", "Bearer "} {
		for _, path := range []string{"/events", "/metrics"} {
			method := "GET"
			if path == "/events" {
				method = "POST"
			}
			code, hdr, body := send(method, path, auth, entry)
			if code != http.StatusUnauthorized || hdr.Get("WWW-Authenticate") == "" || !strings.Contains(body, "UnrecognizedClientException") {
				t.Errorf("%s %s with Authorization %q: %d %q %s, want 401 with WWW-Authenticate", method, path, auth, code, hdr.Get("WWW-Authenticate"), body)
			}
		}
	}
	if code, _, body := send("GET", "/healthz", "", ""); code != http.StatusOK {
		t.Errorf("GET /healthz without a token: %d %s", code, body)
	}
	if code, _, body := send("POST", "/events", "Bearer s3cret-token", entry); code != http.StatusOK || !strings.Contains(body, `"FailedEntryCount":0`) {
		t.Errorf("POST /events with the token: %d %s", code, body)
	}
	if code, _, body := send("GET", "/metrics", "Bearer s3cret-token", ""); code != http.StatusOK || !strings.Contains(body, "rulebridge_") {
		t.Errorf("GET /metrics with the token: %d %s", code, body)
	}
	if exit := s.shutdown(); exit != 0 {
		t.Errorf("exit %d; stderr:\n%s", exit, s.stderr.String())
	}
	// Only the authorized entry was put and delivered.
	if out := lines(s.result.out.String()); !slices.Equal(out, []string{`{"n":1}`}) {
		t.Errorf("stdout %q, want the one authorized event", out)
	}
}

// TestTokenFileErrors checks that a token file that cannot serve is a
// usage error (exit 2) naming the problem, before anything runs.
func TestTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "rules.yaml", listenRules)
	blank := writeFile(t, dir, "blank", "\n  \nsecond\n")
	ctrl := writeFile(t, dir, "ctrl", "ab\x01cd\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "127.0.0.1:0", "--token-file", filepath.Join(dir, "missing")}, "--token-file: open "},
		{[]string{"--listen", "127.0.0.1:0", "--token-file", blank}, "the first line is empty"},
		{[]string{"--listen", "127.0.0.1:0", "--token-file", ctrl}, "control characters"},
		{[]string{"--token-file", blank}, "--token-file needs --listen"},
	} {
		_, errs, code := runCLI(t, "", append([]string{"run", "--rules", rulesPath}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("run %q: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}
