package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateExamples(t *testing.T) {
	t.Setenv("ALERT_WEBHOOK_URL", "https://hooks.example.com/services/T0/B0/X")
	t.Setenv("WEBHOOK_URL", "https://partner.example.com/api")
	t.Setenv("WEBHOOK_API_KEY", "key")
	t.Setenv("LEDGER_PASSWORD", "pw")
	for _, tc := range []struct{ dir, want string }{
		{"quickstart", "ok: 3 rules, 3 targets\n"},
		{"audit-alerts", "ok: 3 rules, 3 targets\n"},
		{"webhook", "ok: 2 rules, 2 targets\n"},
	} {
		dir := filepath.Join("..", "..", "examples", tc.dir)
		before, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		out, errs, code := runCLI(t, "", "validate", "--rules", filepath.Join(dir, "rules.yaml"))
		if code != 0 || out != tc.want || errs != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0, %q", tc.dir, code, out, errs, tc.want)
		}
		if after, _ := os.ReadDir(dir); len(after) != len(before) {
			t.Errorf("%s: validate created files: %v", tc.dir, after)
		}
	}
}

func TestValidateMissingEnvironment(t *testing.T) {
	t.Setenv("ALERT_WEBHOOK_URL", "")
	path := filepath.Join("..", "..", "examples", "audit-alerts", "rules.yaml")
	out, errs, code := runCLI(t, "", "validate", "--rules", path)
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	if code != 2 || out != "" || len(lines) != 3 {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant 2 and one line per rule", code, out, errs)
	}
	for i, rule := range []string{"console-login-without-mfa", "cloudtrail-tampering", "root-account-usage"} {
		want := `rule "` + rule + `": target "webhook": Http.Endpoint: environment variable ALERT_WEBHOOK_URL is not set`
		if !strings.HasPrefix(lines[i], path+":") || !strings.HasSuffix(lines[i], want) {
			t.Errorf("line %d = %q, want %s:LINE:COL: %s", i+1, lines[i], path, want)
		}
	}
}

func TestValidateProblems(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	src := `Rules:
  - Name: orders
    EventPattern: {source: com.example}
    Targts: []
  - Name: orders
    ScheduleExpression: rate(5 minute)
    Targets:
      - Id: t
        File: {Path: no/such/dir/out.jsonl}
`
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "", "validate", "--rules", path)
	want := path + `:3:28: rule "orders": EventPattern: $.source: "source" must be an object or an array` + "\n" +
		path + `:4:5: rule "orders": Targts: unknown property; did you mean Targets?` + "\n" +
		path + `:5:11: rule "orders": Name: another rule has this name (line 2)` + "\n" +
		path + `:6:25: rule "orders": ScheduleExpression: `
	if code != 2 || out != "" || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 4 {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant 2 and stderr starting\n%s", code, out, errs, want)
	}

	// Once the file loads, missing directories are reported, and nothing
	// is created.
	src = strings.Replace(strings.Replace(strings.Replace(src, "Targts: []", "State: ENABLED", 1), "Name: orders\n    Sched", "Name: nightly\n    Sched", 1), "5 minute", "5 minutes", 1)
	src = strings.Replace(src, "source: com.example", "source: [com.example]", 1)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLI(t, "", "validate", "--rules", path)
	want = path + `:9:22: rule "nightly": target "t": File.Path: directory ` + filepath.Join(dir, "no", "such", "dir") + " does not exist\n"
	if code != 2 || out != "" || errs != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 2, %q", code, out, errs, want)
	}
	if err := os.MkdirAll(filepath.Join(dir, "no", "such", "dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLI(t, "", "validate", "--rules", path)
	if code != 0 || out != "ok: 2 rules, 1 target\n" || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0, ok: 2 rules, 1 target", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "no", "such", "dir", "out.jsonl")); !os.IsNotExist(err) {
		t.Errorf("validate created the target file (stat: %v)", err)
	}
}

func TestValidateUsage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no --rules", []string{"validate"}, 2, "--rules is required"},
		{"extra argument", []string{"validate", "--rules", "x.yaml", "y.yaml"}, 2, `unexpected argument "y.yaml"`},
		{"unknown flag", []string{"validate", "--rulez", "x"}, 2, "flag provided but not defined"},
		{"missing file", []string{"validate", "--rules", "no-such-rules.yaml"}, 2, "no-such-rules.yaml: no such file or directory\n"},
		{"help", []string{"validate", "-h"}, 0, "usage: rulebridge validate --rules FILE"},
	} {
		out, errs, code := runCLI(t, "", tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errs, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d and stderr containing %q", tc.name, code, out, errs, tc.code, tc.stderr)
		}
	}
	if out, _, _ := runCLI(t, "", "help"); !strings.Contains(out, "validate       check a rules file") {
		t.Errorf("help does not list validate:\n%s", out)
	}
}
