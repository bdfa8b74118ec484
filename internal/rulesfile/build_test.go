package rulesfile_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/targets"
)

const event = `{"version":"0","id":"ev-1","detail-type":"Order Placed","source":"com.example.orders","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":{"id":7,"total":250}}`

// deliver wraps bt as the engine would and delivers event to it.
func deliver(t *testing.T, rule string, bt rulesfile.BuiltTarget) error {
	t.Helper()
	w, err := targets.Wrap(bt.Target, bt.Config)
	if err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	return w.Deliver(context.Background(), targets.Delivery{Payload: []byte(event), Event: []byte(event),
		EventID: "ev-1", RuleName: rule, TargetID: bt.ID})
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func TestBuildFileAndStdout(t *testing.T) {
	dir := t.TempDir()
	src := `Rules:
  - Name: r
    EventPattern: {source: [com.example.orders]}
    Targets:
      - Id: file
        File: {Path: out.jsonl}
      - Id: shaped
        InputTransformer:
          InputPathsMap: {id: $.detail.id}
          InputTemplate: |
            {
              "order": <id>,
              "rule": "<aws.events.rule-name>"
            }
        Stdout: {}
      - Id: same-file
        InputPath: $.detail
        File: {Path: ./out.jsonl}
`
	f := mustParse(t, filepath.Join(dir, "rules.yaml"), src)
	var stdout bytes.Buffer
	b, err := f.Build(rulesfile.BuildOptions{Stdout: &stdout})
	if err != nil {
		t.Fatal(err)
	}
	row := b.Targets[0]
	if len(b.Targets) != 1 || len(row) != 3 || row[0].ID != "file" || row[1].ID != "shaped" || row[2].ID != "same-file" {
		t.Fatalf("Targets = %+v", b.Targets)
	}
	if _, ok := row[0].Target.(*targets.File); !ok || row[0].Target != row[2].Target {
		t.Errorf("File targets %T %p and %p: want one shared *targets.File for one path", row[0].Target, row[0].Target, row[2].Target)
	}
	for _, bt := range row {
		if err := deliver(t, "r", bt); err != nil {
			t.Fatalf("target %s: %v", bt.ID, err)
		}
	}
	if err := deliver(t, "r", row[0]); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, filepath.Join(dir, "out.jsonl"))
	want := []string{event, `{"id":7,"total":250}`, event}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("out.jsonl:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got, want := stdout.String(), `{"order":7,"rule":"r"}`+"\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := deliver(t, "r", row[0]); !errors.Is(err, targets.ErrFileClosed) {
		t.Errorf("deliver after Close: %v, want ErrFileClosed", err)
	}
}

// authServer records the requests it gets; /token is an OAuth token
// endpoint; /fail answers 400.
type authServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path, auth, apiKey, source, body string
}

func newAuthServer(t *testing.T) *authServer {
	s := &authServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			if id, secret, ok := r.BasicAuth(); !ok || id != "client" || secret != "client-secret" || r.FormValue("scope") != "a b" {
				http.Error(w, "bad client", http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token":"tok-123","token_type":"Bearer","expires_in":3600}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"), r.Header.Get("X-Source"), string(body)})
		s.mu.Unlock()
		if r.URL.Path == "/fail" {
			http.Error(w, "no", http.StatusBadRequest)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestBuildHTTP(t *testing.T) {
	srv := newAuthServer(t)
	dir := t.TempDir()
	t.Setenv("RB_TEST_URL", srv.URL)
	t.Setenv("RB_TEST_KEY", "key-456")
	src := `Rules:
  - Name: r
    EventPattern: {source: [com.example.orders]}
    Targets:
      - Id: basic
        Http:
          Endpoint: ${RB_TEST_URL}/basic
          Headers: {X-Source: rulebridge}
          Auth: {Basic: {Username: alice, Password: pw}}
      - Id: apikey
        InputPath: $.detail
        Http:
          Endpoint: ${RB_TEST_URL}/apikey
          Method: PUT
          Auth: {ApiKey: {Header: X-Api-Key, Value: '${RB_TEST_KEY}'}}
      - Id: oauth
        Http:
          Endpoint: ${RB_TEST_URL}/oauth
          Auth: {OAuth: {TokenUrl: '${RB_TEST_URL}/token', ClientId: client, ClientSecret: client-secret, Scopes: [a, b]}}
      - Id: failing
        RetryPolicy: {MaximumRetryAttempts: 0}
        DeadLetterConfig: {File: {Path: dlq.jsonl}}
        Http: {Endpoint: '${RB_TEST_URL}/fail'}
`
	f := mustParse(t, filepath.Join(dir, "rules.yaml"), src)
	b, err := f.Build(rulesfile.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, bt := range b.Targets[0] {
		if err := deliver(t, "r", bt); err != nil {
			t.Errorf("target %s: %v", bt.ID, err)
		}
	}
	srv.mu.Lock()
	got := srv.reqs
	srv.mu.Unlock()
	want := []recorded{
		{"POST", "/basic", "Basic YWxpY2U6cHc=", "", "rulebridge", event},
		{"PUT", "/apikey", "", "key-456", "", `{"id":7,"total":250}`},
		{"POST", "/oauth", "Bearer tok-123", "", "", event},
		{"POST", "/fail", "", "", "", event},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests:\n%v\nwant\n%v", got, want)
	}
	// The failing target was tried once (no retries) and dead-lettered.
	lines := readLines(t, filepath.Join(dir, "dlq.jsonl"))
	if len(lines) != 1 {
		t.Fatalf("dlq.jsonl has %d lines, want 1", len(lines))
	}
	var rec targets.DeadLetterRecord
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RuleName != "r" || rec.TargetID != "failing" || rec.ErrorCode != targets.CodeErrorFromTarget ||
		rec.RetryAttempts != 0 || string(rec.Event) != event || !strings.Contains(rec.ErrorMessage, "400") {
		t.Errorf("dead-letter record = %+v", rec)
	}
}

func TestBuildErrorsAndCheck(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o700); err != nil {
		t.Fatal(err)
	}
	src := `Rules:
  - Name: r
    EventPattern: {source: [x]}
    Targets:
      - Id: ok
        DeadLetterConfig: {File: {Path: missing/dlq.jsonl}}
        File: {Path: fine.jsonl}
      - Id: isdir
        File: {Path: adir}
`
	f := mustParse(t, filepath.Join(dir, "rules.yaml"), src)
	err := f.Check()
	wantCheck := []string{
		filepath.Join(dir, "rules.yaml") + `:6:41: rule "r": target "ok": DeadLetterConfig.File.Path: directory ` + filepath.Join(dir, "missing") + ` does not exist`,
		filepath.Join(dir, "rules.yaml") + `:9:22: rule "r": target "isdir": File.Path: ` + filepath.Join(dir, "adir") + ` is a directory`,
	}
	if err == nil || err.Error() != strings.Join(wantCheck, "\n") {
		t.Errorf("Check:\n%v\nwant\n%s", err, strings.Join(wantCheck, "\n"))
	}
	if _, err := os.Stat(filepath.Join(dir, "fine.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Check created fine.jsonl (stat: %v)", err)
	}

	b, err := f.Build(rulesfile.BuildOptions{})
	if b != nil || err == nil {
		t.Fatalf("Build = %v, %v; want an error", b, err)
	}
	var list rulesfile.ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("Build error %v: want an ErrorList of 2", err)
	}
	if !strings.HasPrefix(list[0].Error(), filepath.Join(dir, "rules.yaml")+`:6:41: rule "r": target "ok": DeadLetterConfig.File.Path: cannot open `) ||
		!strings.HasPrefix(list[1].Error(), filepath.Join(dir, "rules.yaml")+`:9:22: rule "r": target "isdir": File.Path: cannot open `) {
		t.Errorf("Build errors:\n%v", err)
	}

	// Fixing the paths makes both pass; Check still creates nothing. (The
	// failed Build created fine.jsonl: Build creates files.)
	f = mustParse(t, filepath.Join(dir, "rules.yaml"), strings.ReplaceAll(strings.ReplaceAll(src, "missing/", ""), "adir", "adir/x.jsonl"))
	if err := f.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	for _, p := range []string{"dlq.jsonl", "adir/x.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Check created %s (stat: %v)", p, err)
		}
	}
	b, err = f.Build(rulesfile.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
}

func TestLineWriter(t *testing.T) {
	var buf bytes.Buffer
	lw := rulesfile.NewLineWriter(&buf)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			payload := fmt.Sprintf("{\n  \"i\": %d,\n  \"pad\": %q\n}", i, strings.Repeat("x", 1000))
			if err := lw.Deliver(context.Background(), targets.Delivery{Payload: []byte(payload)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	seen := map[int]bool{}
	for sc.Scan() {
		var v struct{ I int }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		seen[v.I] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct whole lines, want %d", len(seen), n)
	}

	err := lw.Deliver(context.Background(), targets.Delivery{Payload: []byte("not json"), EventID: "e"})
	if c := targets.Classify(err); !c.Permanent || c.Code != targets.CodeInvalidJSON {
		t.Errorf("non-JSON payload: %+v, want permanent INVALID_JSON", c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := lw.Deliver(ctx, targets.Delivery{Payload: []byte("{}")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	failing := rulesfile.NewLineWriter(errWriter{})
	if err := failing.Deliver(context.Background(), targets.Delivery{Payload: []byte("{}")}); err == nil || targets.IsPermanent(err) {
		t.Errorf("write error: %v, want a retryable error", err)
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }
