package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs rulebridge with args and stdin, returning exit code, stdout
// and stderr.
const envelope = `"id":"1","account":"123456789012","source":"aws.ec2","time":"2024-01-01T00:00:00Z","region":"us-east-1","detail-type":"x"`

// TestTestPatternExample checks the pattern example against its event.
func TestTestPatternExample(t *testing.T) {
	root := filepath.Join("..", "..")
	out, errs, code := runCLI(t, "", "test-pattern",
		"--pattern", filepath.Join(root, "examples/patterns/ec2-running.json"),
		"--event", filepath.Join(root, "examples/patterns/ec2-event.json"))
	if code != 0 || out != "match\n" || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0, \"match\\n\", \"\"", code, out, errs)
	}
}

func TestTestPatternNoMatchExplains(t *testing.T) {
	out, errs, code := runCLI(t, "", "test-pattern",
		"--pattern", `{"source":["aws.ec2"],"detail":{"state":["running"]}}`,
		"--event", `{`+envelope+`,"detail":{"state":"stopped"}}`)
	want := "no match\n  source: \"aws.ec2\" is one of [\"aws.ec2\"]\n  detail.state: \"stopped\" is not one of [\"running\"]\n"
	if code != 1 || out != want || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 1, %q", code, out, errs, want)
	}
}

func TestTestPatternStdinAndErrors(t *testing.T) {
	// pattern from stdin
	out, _, code := runCLI(t, `{"source":["aws.ec2"]}`, "test-pattern", "--pattern", "-", "--event", `{`+envelope+`}`)
	if code != 0 || out != "match\n" {
		t.Fatalf("stdin pattern: exit %d, out %q", code, out)
	}
	// event from stdin
	out, _, code = runCLI(t, `{`+envelope+`}`, "test-pattern", "--pattern", `{"source":["x"]}`, "--event", "-")
	if code != 1 || !strings.HasPrefix(out, "no match\n") {
		t.Fatalf("stdin event: exit %d, out %q", code, out)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"invalid pattern", []string{"--pattern", `{"a":42}`, "--event", `{` + envelope + `}`}, `Reason: "a" must be an object or an array`},
		{"event without envelope", []string{"--pattern", `{"a":["b"]}`, "--event", `{"a":"b"}`}, "Parameter Event is not valid."},
		{"event not JSON", []string{"--pattern", `{"a":["b"]}`, "--event", `{"a":`}, "Parameter Event is not valid."},
		{"missing file", []string{"--pattern", "no-such-file.json", "--event", `{}`}, "no-such-file.json"},
		{"missing flag", []string{"--pattern", `{"a":["b"]}`}, "both --pattern and --event are required"},
		{"both stdin", []string{"--pattern", "-", "--event", "-"}, "only one of"},
		{"unknown flag", []string{"--nope"}, "flag provided but not defined"},
	} {
		out, errs, code := runCLI(t, "", append([]string{"test-pattern"}, tc.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and stderr containing %q", tc.name, code, out, errs, tc.stderr)
		}
	}
}

func TestTestPatternCasesShape(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cases.jsonl")
	lines := []string{
		`{"id":"m","pattern":"{\"source\":[\"aws.ec2\"]}","event":"{` + strings.ReplaceAll(envelope, `"`, `\"`) + `}"}`,
		`{"id":2,"pattern":"{\"source\":[\"x\"]}","event":"{` + strings.ReplaceAll(envelope, `"`, `\"`) + `}"}`,
		`{"id":"bad","pattern":"{\"a\":[]}","event":"{` + strings.ReplaceAll(envelope, `"`, `\"`) + `}"}`,
		`not json`,
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "", "test-pattern", "--cases", file)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	want := []string{
		`{"id":"m","result":"match"}`,
		`{"id":2,"result":"nomatch"}`,
		`{"id":"bad","result":"invalid","error":"Event pattern is not valid. Reason: Empty arrays are not allowed (at $.a, line 1, column 6)"}`,
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(got), out)
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("line %d: got %s, want %s", i+1, got[i], w)
		}
	}
	if !strings.HasPrefix(got[3], `{"id":null,"result":"invalid","error":"line 4 is not a JSON object`) {
		t.Errorf("line 4: got %s", got[3])
	}
	_, errs, code = runCLI(t, "", "test-pattern", "--cases", filepath.Join(dir, "missing.jsonl"))
	if code != 2 || errs == "" {
		t.Errorf("unreadable file: exit %d, stderr %q; want 2 and a message", code, errs)
	}
}

// TestTestPatternCasesCorpus runs the whole AWS conformance corpus through
// --cases and checks every answer against AWS's.
func TestTestPatternCasesCorpus(t *testing.T) {
	const corpus = "../../../shared/conformance/patterns.jsonl"
	if _, err := os.Stat(corpus); err != nil {
		t.Fatalf("conformance corpus: %v", err)
	}
	out, errs, code := runCLI(t, "", "test-pattern", "--cases", corpus)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	f, err := os.Open(corpus)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := bufio.NewScanner(f)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	outs := bufio.NewScanner(strings.NewReader(out))
	outs.Buffer(make([]byte, 1<<20), 1<<24)
	passed, failed := 0, 0
	for in.Scan() {
		var c struct {
			ID       string `json:"id"`
			Expect   string `json:"expect"`
			AWSError *struct {
				Message string `json:"message"`
			} `json:"aws_error"`
		}
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if !outs.Scan() {
			t.Fatalf("output ends before case %s", c.ID)
		}
		var r struct {
			ID     string `json:"id"`
			Result string `json:"result"`
			Error  string `json:"error"`
		}
		if err := json.Unmarshal(outs.Bytes(), &r); err != nil {
			t.Fatalf("output line for %s: %v", c.ID, err)
		}
		ok := r.ID == c.ID && r.Result == c.Expect
		if ok && c.Expect == "invalid" {
			ok = strings.HasPrefix(r.Error, strings.SplitN(c.AWSError.Message, "\n", 2)[0])
		}
		if ok {
			passed++
		} else {
			failed++
			t.Errorf("%s: got %s", c.ID, outs.Text())
		}
	}
	if outs.Scan() {
		t.Errorf("extra output line %q", outs.Text())
	}
	t.Logf("cli corpus: %d passed, %d failed", passed, failed)
	if passed == 0 {
		t.Fatal("no cases ran")
	}
}
