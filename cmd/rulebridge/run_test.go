package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// lines splits output into its lines, without the last newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// withoutLog drops the engine's log lines (level=...) from stderr.
func withoutLog(stderr string) []string {
	var out []string
	for _, l := range lines(stderr) {
		if !strings.HasPrefix(l, "level=") {
			out = append(out, l)
		}
	}
	return out
}

const shopRules = `Rules:
  - Name: orders
    EventPattern: {source: [shop]}
    Targets:
      - Id: print
        Stdout: {}
      - Id: keep
        InputPath: $.detail
        File: {Path: kept.jsonl}
`

// TestRunEvents feeds PutEvents entries, full events and bad lines, and
// checks the deliveries, the report of every bad line with its number, the
// summary and the exit status.
func TestRunEvents(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "rules.yaml", shopRules)
	input := strings.Join([]string{
		`{"Source": "shop", "DetailType": "Order", "Detail": {"n": 1}}`,
		`not json`,
		`{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\": 2}", "Time": 1767225600, "Resources": ["arn:x"]}`,
		``,
		`{"source": "shop", "detail-type": "Order", "detail": {"n": 3}, "id": "e-3", "time": "2026-01-01T00:00:00Z"}`,
		`{"Source": "shop", "detailType": "Order", "Detail": {}}`,
		`{"DetailType": "Order", "Detail": {}}`,
		`{"Source": "shop", "DetailType": "Order", "Detail": "[1]"}`,
		`{"Source": "shop", "DetailType": "Order", "Detail": 5}`,
		`{"source": "shop", "detail-type": "Order"}`,
		`{"Source": "shop", "Source": "x", "DetailType": "Order", "Detail": {}}`,
		`{"Source": "shop", "DetailType": "Order", "Detail": {}, "EventBusName": "default"}`,
		`{"Source": "shop", "DetailType": "Order", "Detail": {}, "Resources": "arn"}`,
		`{"Source": "shop", "DetailType": "Order", "Detail": {}, "Time": "yesterday"}`,
		`[1, 2]`,
		`{"Source": "shop", "DetailType": "Order", "Detail": {}} {}`,
		`{"Source": "elsewhere", "DetailType": "Order", "Detail": {"n": 4}}`,
	}, "\n")
	out, errs, code := runCLI(t, input, "run", "--rules", rulesPath, "--events", "-")
	if code != 1 {
		t.Errorf("exit %d, want 1 (lines were rejected)", code)
	}
	wantErr := []string{
		`-:2: not JSON: invalid character 'o' in literal null (expecting 'u')`,
		`-:6: unknown member "detailType" in a PutEvents entry; did you mean DetailType?`,
		`-:7: InvalidArgument: Parameter Source is not valid. Reason: Source is a required argument.`,
		`-:8: MalformedDetail: Detail is malformed.`,
		`-:9: Detail: must be a JSON object, or a string holding one`,
		`-:10: InvalidArgument: Event field "detail" is missing.`,
		`-:11: member "Source" is repeated`,
		`-:12: EventBusName: not supported: rulebridge has one bus; leave it out`,
		`-:13: Resources: must be an array of strings`,
		`-:14: Time: "yesterday" is not an RFC 3339 time such as 2026-01-05T10:00:00Z`,
		`-:15: not a JSON object`,
		`-:16: not JSON: more data after the object`,
		`rulebridge: 4 events, 3 matched, 6 delivered, 0 retried, 0 dead-lettered, 0 failed, 12 rejected`,
	}
	if got := withoutLog(errs); !slices.Equal(got, wantErr) {
		t.Errorf("stderr without the log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantErr, "\n"))
	}

	// Standard output holds the three matched events and nothing else.
	type event struct {
		ID        string          `json:"id"`
		Source    string          `json:"source"`
		Time      string          `json:"time"`
		Resources []string        `json:"resources"`
		Detail    json.RawMessage `json:"detail"`
	}
	var details []string
	for _, l := range lines(out) {
		var ev event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("stdout line %q: %v", l, err)
		}
		details = append(details, string(ev.Detail))
		switch string(ev.Detail) {
		case `{"n":2}`:
			if ev.Time != "2026-01-01T00:00:00Z" || !slices.Equal(ev.Resources, []string{"arn:x"}) {
				t.Errorf("entry with Time and Resources became %s", l)
			}
		case `{"n":3}`:
			if ev.ID != "e-3" {
				t.Errorf("full event lost its id: %s", l)
			}
		}
	}
	slices.Sort(details)
	if want := []string{`{"n":1}`, `{"n":2}`, `{"n":3}`}; !slices.Equal(details, want) {
		t.Errorf("stdout details %v, want %v", details, want)
	}
	kept := lines(readFile(t, filepath.Join(dir, "kept.jsonl")))
	slices.Sort(kept)
	if want := []string{`{"n":1}`, `{"n":2}`, `{"n":3}`}; !slices.Equal(kept, want) {
		t.Errorf("kept.jsonl %v, want %v", kept, want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRunEventsFile reads a file and exits 0 when every line was put.
func TestRunEventsFile(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "rules.yaml", shopRules)
	events := writeFile(t, dir, "events.jsonl", `{"Source": "shop", "DetailType": "Order", "Detail": {"n": 1}}`+"\n"+
		`{"Source": "other", "DetailType": "Order", "Detail": {"n": 2}}`+"\n")
	out, errs, code := runCLI(t, "", "run", "--rules", rulesPath, "--events", events)
	if code != 0 || len(lines(out)) != 1 || errs != "rulebridge: 2 events, 1 matched, 2 delivered, 0 retried, 0 dead-lettered, 0 failed, 0 rejected\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestRunRefusesBeforeRunning checks that every problem of a rules file,
// those the engine finds included, is reported with its line before
// anything runs: no file target is created, nothing is read or printed.
func TestRunRefusesBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "rules.yaml", `Rules:
  - Name: big
    EventPattern: {source: [shop]}
    Condition: event.detail.total >
    Targets:
      - Id: out
        File: {Path: out.jsonl}
  - Name: typed
    EventPattern: {source: [shop]}
    Condition: event.detail.total + 1
    Targets:
      - Id: out
        Stdout: {}
  - Name: alarm
    EventPattern: {source: [shop]}
    Threshold: {Count: 3, Period: 1500ms}
    Targets:
      - Id: out
        Stdout: {}
`)
	for _, cmd := range [][]string{
		{"run", "--rules", rulesPath, "--events", "-"},
		{"validate", "--rules", rulesPath},
	} {
		out, errs, code := runCLI(t, `{"Source": "shop", "DetailType": "x", "Detail": {}}`, cmd...)
		// CEL's syntax errors span lines: split on the locations.
		got := strings.Split(errs, rulesPath+":")
		if code != 2 || out != "" || len(got) != 4 || got[0] != "" ||
			!strings.HasPrefix(got[1], `4:16: rule "big": Condition: ERROR: <input>:1:21: Syntax error`) ||
			got[2] != `10:16: rule "typed": Condition: it has type int, not bool.`+"\n" ||
			!strings.HasPrefix(got[3], `16:16: rule "alarm": Threshold: Threshold.Period is not valid`) {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s", cmd[0], code, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a refused rules file created its File target (stat: %v)", err)
	}
}

func TestRunUsage(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "rules.yaml", shopRules)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no --rules", []string{"run"}, 2, "rulebridge run: --rules is required\nusage: rulebridge run"},
		{"argument", []string{"run", "--rules", rulesPath, "x"}, 2, `unexpected argument "x"`},
		{"log level", []string{"run", "--rules", rulesPath, "--log-level", "loud"}, 2, `--log-level "loud" is not debug, info, warn or error`},
		{"timeout", []string{"run", "--rules", rulesPath, "--shutdown-timeout", "-1s"}, 2, "--shutdown-timeout -1s is negative"},
		{"missing rules", []string{"run", "--rules", filepath.Join(dir, "none.yaml")}, 2, "none.yaml: no such file or directory"},
		{"missing events", []string{"run", "--rules", rulesPath, "--events", filepath.Join(dir, "none.jsonl")}, 2, "rulebridge run: open " + filepath.Join(dir, "none.jsonl") + ": no such file or directory\n"},
		{"bad address", []string{"run", "--rules", rulesPath, "--listen", "127.0.0.1:99999"}, 2, "rulebridge run: --listen: listen tcp: address 99999: invalid port\n"},
		{"help", []string{"run", "-h"}, 0, "-shutdown-timeout duration"},
	} {
		out, errs, code := runCLI(t, "", tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errs, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d and stderr containing %q", tc.name, code, out, errs, tc.code, tc.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "kept.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a run refused for its usage created a File target (stat: %v)", err)
	}
	if out, _, _ := runCLI(t, "", "help"); !strings.Contains(out, "run            run the rules of a file") {
		t.Errorf("help does not list run:\n%s", out)
	}
}

// cliResult is the outcome of a command run on a goroutine of its own.
type cliResult struct {
	out  *watchBuffer // standard output, which tests may wait on
	err  *syncBuffer
	code chan int
}

// startCLI runs the command line on a goroutine until ctx ends; wait for
// its exit code on the code channel.
func startCLI(ctx context.Context, stdin io.Reader, stderr io.Writer, args ...string) *cliResult {
	r := &cliResult{out: new(watchBuffer), err: new(syncBuffer), code: make(chan int, 1)}
	if stderr == nil {
		stderr = r.err
	}
	go func() { r.code <- run(ctx, args, stdio{in: stdin, out: r.out, err: stderr}) }()
	return r
}

// TestRunSchedules runs a file with a scheduled rule and no input: the
// command fires the schedule until it is signalled, then exits 0.
func TestRunSchedules(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "rules.yaml", `Rules:
  - Name: tick
    ScheduleExpression: rate(1 minute)
    Targets:
      - Id: print
        InputTransformer:
          InputPathsMap: {time: $.time}
          InputTemplate: '{"tick": <time>}'
        Stdout: {}
  - Name: off
    State: DISABLED
    ScheduleExpression: rate(1 minute)
    Targets:
      - Id: print
        Stdout: {}
`)
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancel(t.Context())
		start := time.Now().UTC()
		r := startCLI(ctx, strings.NewReader(""), nil, "run", "--rules", rulesPath)
		time.Sleep(3*time.Minute + 30*time.Second)
		stop() // as SIGINT does
		code := <-r.code
		var want []string
		for i := 1; i <= 3; i++ {
			want = append(want, `{"tick":"`+start.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)+`"}`)
		}
		got := lines(r.out.String())
		slices.Sort(got)
		if code != 0 || !slices.Equal(got, want) {
			t.Errorf("exit %d, stdout %q; want 0, %q", code, got, want)
		}
		wantErr := []string{
			"rulebridge: 2 rules, 2 targets from " + rulesPath + "; running until interrupted",
			"rulebridge: 3 events, 3 matched, 3 delivered, 0 retried, 0 dead-lettered, 0 failed, 0 rejected",
		}
		if got := lines(r.err.String()); !slices.Equal(got, wantErr) {
			t.Errorf("stderr %q, want %q", got, wantErr)
		}
	})
}

// TestRunInterrupted signals the command while it waits for more input:
// it stops reading at once, drains and exits 1, as the input was not read
// to its end.
func TestRunInterrupted(t *testing.T) {
	rulesPath := writeFile(t, t.TempDir(), "rules.yaml", shopRules)
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close() // lets the reading goroutine end
		ctx, stop := context.WithCancel(t.Context())
		r := startCLI(ctx, pr, nil, "run", "--rules", rulesPath, "--events", "-")
		io.WriteString(pw, `{"Source": "shop", "DetailType": "Order", "Detail": {"n": 1}}`+"\n")
		synctest.Wait()
		if got := len(lines(r.out.String())); got != 1 {
			t.Fatalf("%d lines delivered before the signal, want 1", got)
		}
		stop()
		code := <-r.code
		wantErr := []string{
			"rulebridge: stopping: the input was not read to its end (last line read: 1)",
			"rulebridge: 1 event, 1 matched, 2 delivered, 0 retried, 0 dead-lettered, 0 failed, 0 rejected",
		}
		if got := lines(r.err.String()); code != 1 || !slices.Equal(got, wantErr) {
			t.Errorf("exit %d, stderr %q; want 1, %q", code, got, wantErr)
		}
	})
}

// TestRunProgress shows progress on a terminal: a status line redrawn
// every second, kept below the reports of bad lines, and erased at the end.
func TestRunProgress(t *testing.T) {
	rulesPath := writeFile(t, t.TempDir(), "rules.yaml", shopRules)
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe()
		var stderr syncBuffer
		r := &cliResult{out: new(watchBuffer), code: make(chan int, 1)}
		go func() {
			r.code <- run(t.Context(), []string{"run", "--rules", rulesPath, "--events", "-"},
				stdio{in: pr, out: r.out, err: &stderr, tty: true})
		}()
		for range 3 {
			io.WriteString(pw, `{"Source": "shop", "DetailType": "Order", "Detail": {}}`+"\n")
		}
		synctest.Wait()
		if stderr.String() != "" {
			t.Fatalf("progress before a second has passed: %q", stderr.String())
		}
		time.Sleep(progressEvery)
		synctest.Wait()
		status := "rulebridge: 3 lines read, 3 events, 3 matched, 6 delivered, 0 pending"
		if got := stderr.String(); got != clearLine+status {
			t.Fatalf("stderr after a second: %q, want %q", got, clearLine+status)
		}
		io.WriteString(pw, "oops\n")
		synctest.Wait()
		report := "-:4: not JSON: invalid character 'o' looking for beginning of value\n"
		if got := stderr.String(); got != clearLine+status+clearLine+report+status {
			t.Fatalf("a report with the status shown: %q", got)
		}
		pw.Close()
		code := <-r.code
		summary := "rulebridge: 3 events, 3 matched, 6 delivered, 0 retried, 0 dead-lettered, 0 failed, 1 rejected\n"
		if got := stderr.String(); code != 1 || got != clearLine+status+clearLine+report+status+clearLine+summary {
			t.Errorf("exit %d, stderr %q; want 1 and the status erased before the summary", code, got)
		}
	})
}

// TestRunLineTooLong reports a line over the limit with its number; the
// rest of the input cannot be read, so the run exits 1.
func TestRunLineTooLong(t *testing.T) {
	rulesPath := writeFile(t, t.TempDir(), "rules.yaml", shopRules)
	input := `{"Source": "shop", "DetailType": "Order", "Detail": {}}` + "\n" + strings.Repeat(" ", maxLineSize+1) + "x\n"
	out, errs, code := runCLI(t, input, "run", "--rules", rulesPath, "--events", "-")
	want := []string{
		"-: line 2 is longer than 67108864 bytes",
		"rulebridge: 1 event, 1 matched, 2 delivered, 0 retried, 0 dead-lettered, 0 failed, 0 rejected",
	}
	if got := lines(errs); code != 1 || len(lines(out)) != 1 || !slices.Equal(got, want) {
		t.Errorf("exit %d, %d stdout lines, stderr %q; want 1, 1, %q", code, len(lines(out)), got, want)
	}
}

// TestRunThreshold checks that a rules file's Threshold reaches the engine:
// the rule's target receives one Alarm State Change event when the second
// WARN arrives, and none for the WARNs before and after it.
func TestRunThreshold(t *testing.T) {
	dir := t.TempDir()
	rulesPath := writeFile(t, dir, "rules.yaml", `Rules:
  - Name: warn-burst
    EventPattern: {source: [app], detail: {level: [WARN]}}
    Threshold: {Count: 2, Period: 5m, Comparison: GreaterThanOrEqualToThreshold}
    Targets:
      - Id: page
        InputTransformer:
          InputPathsMap: {alarm: $.detail.alarmName, state: $.detail.state.value, was: $.detail.previousState.value}
          InputTemplate: '{"alarm": <alarm>, "state": <state>, "was": <was>}'
        Stdout: {}
`)
	in := strings.Repeat(`{"Source": "app", "DetailType": "log", "Detail": {"level": "WARN"}}`+"\n", 3) +
		`{"Source": "app", "DetailType": "log", "Detail": {"level": "INFO"}}` + "\n"
	out, errs, code := runCLI(t, in, "run", "--rules", rulesPath, "--events", "-")
	want := `{"alarm":"warn-burst","state":"ALARM","was":"INSUFFICIENT_DATA"}` + "\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, stdout %q, want %q; stderr:\n%s", code, out, want, errs)
	}
}
