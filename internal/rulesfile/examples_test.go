package rulesfile_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/targets"
)

// toEvent turns a line of an events file into an event: full events pass
// as they are; PutEvents entries (Source, DetailType, Detail as a JSON
// string, ...) get the envelope EventBridge adds.
func toEvent(t *testing.T, line []byte) []byte {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if _, ok := fields["Source"]; !ok { // encoding/json matches keys case-insensitively
		return line
	}
	var entry struct {
		Source, DetailType, Detail, Time string
		Resources                        []string
	}
	if err := json.Unmarshal(line, &entry); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if entry.Resources == nil {
		entry.Resources = []string{}
	}
	if entry.Time == "" {
		entry.Time = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
	ev, err := json.Marshal(map[string]any{
		"version": "0", "id": "test", "account": "123456789012", "region": "us-east-1",
		"source": entry.Source, "detail-type": entry.DetailType, "time": entry.Time,
		"resources": entry.Resources, "detail": json.RawMessage(entry.Detail),
	})
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return ev
}

func readEvents(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		events = append(events, toEvent(t, append([]byte(nil), sc.Bytes()...)))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events
}

// TestExamples loads each example rules file, checks it as rulebridge
// validate does, and checks which rules each sample event matches and what
// the transformed payloads are.
func TestExamples(t *testing.T) {
	t.Setenv("ALERT_WEBHOOK_URL", "https://hooks.example.com/services/T0/B0/X")
	t.Setenv("WEBHOOK_URL", "https://partner.example.com/api")
	t.Setenv("WEBHOOK_API_KEY", "key")
	t.Setenv("LEDGER_PASSWORD", "pw")
	tests := []struct {
		dir   string
		rules int
		// matches[i] lists the rules event i matches.
		matches [][]string
		// payloads gives, for some rule/target pairs, the payload that
		// the first event matched by the rule gets.
		payloads map[string]string
	}{
		{"quickstart", 3,
			[][]string{{"all-orders", "big-orders"}, {"all-orders"}, {"all-orders", "notify-warehouse"}, nil, {"all-orders", "big-orders"}},
			map[string]string{"big-orders/summary": `{"summary":"Order o-1001 from Ada","total":250,"rule":"big-orders"}`}},
		{"audit-alerts", 3,
			[][]string{{"console-login-without-mfa"}, nil, {"cloudtrail-tampering"}, {"cloudtrail-tampering"}, {"root-account-usage"}, {"root-account-usage"}, nil, nil},
			map[string]string{
				"console-login-without-mfa/webhook": `{"text":"Console sign-in without MFA by arn:aws:iam::123456789012:user/mallory from 203.0.113.7 at 2026-01-05T09:12:44Z"}`,
				"cloudtrail-tampering/webhook":      `{"text":"StopLogging on trail arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events by arn:aws:iam::123456789012:user/mallory"}`,
				"root-account-usage/webhook":        `{"text":"Root user of account 123456789012: ConsoleLogin from 192.0.2.44"}`,
			}},
		{"webhook", 2,
			[][]string{{"orders-to-partner"}, {"orders-to-partner"}, {"refunds-to-ledger"}, nil},
			map[string]string{
				"orders-to-partner/partner-api": `{"orderId":"o-2001","total":42.5}`,
				"refunds-to-ledger/ledger":      `{"type":"refund","reference":"r-9","amount":42.5,"currency":"EUR"}`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("..", "..", "examples", tc.dir)
			f, err := rulesfile.Load(filepath.Join(dir, "rules.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Check(); err != nil {
				t.Fatal(err)
			}
			if len(f.Rules) != tc.rules {
				t.Fatalf("%d rules, want %d", len(f.Rules), tc.rules)
			}
			events := readEvents(t, filepath.Join(dir, "events.jsonl"))
			if len(events) != len(tc.matches) {
				t.Fatalf("%d events, want %d", len(events), len(tc.matches))
			}
			pats := make([]*pattern.Pattern, len(f.Rules))
			for i, r := range f.Rules {
				if pats[i], err = pattern.Compile(r.Pattern); err != nil {
					t.Fatal(err)
				}
			}
			rendered := 0
			for i, ev := range events {
				var got []string
				for j, r := range f.Rules {
					ok, err := pats[j].Match(ev)
					if err != nil {
						t.Fatalf("event %d: %v", i+1, err)
					}
					if !ok {
						continue
					}
					got = append(got, r.Name)
					for _, tg := range r.Targets {
						key := r.Name + "/" + tg.ID
						want, ok := tc.payloads[key]
						if !ok {
							continue
						}
						delete(tc.payloads, key) // the first event only
						out, err := targets.RenderInput(tg.Shaping, targets.Delivery{Event: ev, RuleName: r.Name})
						if err != nil {
							t.Fatalf("%s: %v", key, err)
						}
						if string(out) != want {
							t.Errorf("%s payload:\n got  %s\n want %s", key, out, want)
						}
						rendered++
					}
				}
				if !reflect.DeepEqual(got, tc.matches[i]) {
					t.Errorf("event %d matches %v, want %v", i+1, got, tc.matches[i])
				}
			}
			if len(tc.payloads) != 0 {
				t.Errorf("payloads not checked (no event matched): %v", tc.payloads)
			}
			t.Logf("%d rules, %d events, %d payloads checked", len(f.Rules), len(events), rendered)
		})
	}
}

// TestQuickstartNeedsNoEnvironment pins that the README's first command
// works on a fresh machine: the quickstart needs no variable.
func TestQuickstartNeedsNoEnvironment(t *testing.T) {
	data, err := os.ReadFile("../../examples/quickstart/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "${") {
		t.Errorf("quickstart/rules.yaml refers to environment variables")
	}
}

// TestQuickstartDeadLetter delivers the shipped-order event to the
// quickstart's notify-warehouse target as the run command will: the
// closed port refuses, the policy retries twice, and the event lands in
// dlq.jsonl beside the rules file with the reason. (The backoff's jitter
// is set to zero so the test does not wait; the rules file is parsed as if
// it lived in a temporary directory, so dlq.jsonl is written there.)
func TestQuickstartDeadLetter(t *testing.T) {
	data, err := os.ReadFile("../../examples/quickstart/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := mustParse(t, filepath.Join(dir, "rules.yaml"), string(data))
	b, err := f.Build(rulesfile.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ri := -1
	for i, r := range f.Rules {
		if r.Name == "notify-warehouse" {
			ri = i
		}
	}
	if ri < 0 {
		t.Fatal("no notify-warehouse rule")
	}
	bt := b.Targets[ri][0]
	cfg := bt.Config
	cfg.RetryPolicy.Backoff.Rand = func() float64 { return 0 }
	var retries int
	cfg.Observer = targets.ObserverFunc(func(_ context.Context, n targets.Notice) {
		if n.Kind == targets.Retrying {
			retries++ // Retry notifies on the delivering goroutine
		}
	})
	w, err := targets.Wrap(bt.Target, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev := readEvents(t, "../../examples/quickstart/events.jsonl")[2]
	if err := w.Deliver(context.Background(), targets.Delivery{Payload: ev, Event: ev, EventID: "e3",
		RuleName: "notify-warehouse", TargetID: bt.ID, IngestionTime: time.Now()}); err != nil {
		t.Fatalf("Deliver: %v (want nil: dead-lettered)", err)
	}
	lines := readLines(t, filepath.Join(dir, "dlq.jsonl"))
	var rec targets.DeadLetterRecord
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &rec) != nil {
		t.Fatalf("dlq.jsonl = %q", lines)
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, ev)
	if retries != 2 || rec.RetryAttempts != 2 || rec.ErrorCode != targets.CodeConnectionFailure ||
		rec.ExhaustedRetryCondition != targets.MaximumRetryAttempts || rec.TargetID != "warehouse" || string(rec.Event) != compact.String() {
		t.Errorf("retries %d, record %+v; want 2 retries, CONNECTION_FAILURE, MaximumRetryAttempts", retries, rec)
	}
}
