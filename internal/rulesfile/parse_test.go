package rulesfile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/targets"
)

func mustParse(t *testing.T, name, src string) *rulesfile.File {
	t.Helper()
	f, err := rulesfile.Parse(name, []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

const fullYAML = `# every property, with values that differ from the defaults
Rules:
  - Name: orders.big-1
    Description: Big orders
    EventPattern:
      source: [com.example.orders]
      detail-type: [Order Placed]
      detail:
        total: [{numeric: [">", 100]}]
        account: ["123456789012"]
        id: [12345678901234567890]
        flag: [true, null]
    ScheduleExpression: cron(0 7 ? * FRI *)
    ScheduleExpressionTimezone: Asia/Tokyo
    State: DISABLED
    Condition: event.detail.total > 1000
    Threshold: {Count: 3, Period: 5m, Field: $.detail.errors, Comparison: GreaterThanThreshold}
    Targets:
      - Id: shaped
        InputTransformer:
          InputPathsMap: {id: $.detail.id, total: $.detail.total}
          InputTemplate: '{"order": <id>, "total": <total>}'
        RetryPolicy: {MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60}
        DeadLetterConfig: {File: {Path: dlq.jsonl}}
        Http:
          Endpoint: https://example.com/hook
          Method: put
          Headers: {X-Source: rulebridge}
          TimeoutSeconds: 2.5
          RateLimitPerSecond: 0.5
          Auth: {ApiKey: {Header: x-api-key, Value: k}}
      - Id: "2"
        Input: {fixed: [1, 2.50, "x"]}
        RetryPolicy: {MaximumRetryAttempts: 7}
        File: {Path: /abs/out.jsonl}
      - Id: path
        InputPath: $.detail
        Stdout:
`

// fullJSON is fullYAML written as JSON, as a CloudFormation JSON user
// would, with EventPattern as an object.
const fullJSON = `{
  "Rules": [
    {
      "Name": "orders.big-1",
      "Description": "Big orders",
      "EventPattern": {
        "source": ["com.example.orders"],
        "detail-type": ["Order Placed"],
        "detail": {
          "total": [{"numeric": [">", 100]}],
          "account": ["123456789012"],
          "id": [12345678901234567890],
          "flag": [true, null]
        }
      },
      "ScheduleExpression": "cron(0 7 ? * FRI *)",
      "ScheduleExpressionTimezone": "Asia/Tokyo",
      "State": "DISABLED",
      "Condition": "event.detail.total > 1000",
      "Threshold": {"Count": 3, "Period": "5m", "Field": "$.detail.errors", "Comparison": "GreaterThanThreshold"},
      "Targets": [
        {
          "Id": "shaped",
          "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.id", "total": "$.detail.total"},
            "InputTemplate": "{\"order\": <id>, \"total\": <total>}"
          },
          "RetryPolicy": {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60},
          "DeadLetterConfig": {"File": {"Path": "dlq.jsonl"}},
          "Http": {
            "Endpoint": "https://example.com/hook",
            "Method": "put",
            "Headers": {"X-Source": "rulebridge"},
            "TimeoutSeconds": 2.5,
            "RateLimitPerSecond": 0.5,
            "Auth": {"ApiKey": {"Header": "x-api-key", "Value": "k"}}
          }
        },
        {"Id": 2, "Input": {"fixed": [1, 2.50, "x"]}, "RetryPolicy": {"MaximumRetryAttempts": 7}, "File": {"Path": "/abs/out.jsonl"}},
        {"Id": "path", "InputPath": "$.detail", "Stdout": {}}
      ]
    }
  ]
}`

func TestParseFull(t *testing.T) {
	f := mustParse(t, "conf/rules.yaml", fullYAML)
	if f.Name != "conf/rules.yaml" || len(f.Rules) != 1 {
		t.Fatalf("File = %q with %d rules", f.Name, len(f.Rules))
	}
	r := f.Rules[0]
	wantPattern := `{"source":["com.example.orders"],"detail-type":["Order Placed"],"detail":{"total":[{"numeric":[">",100]}],"account":["123456789012"],"id":[12345678901234567890],"flag":[true,null]}}`
	if string(r.Pattern) != wantPattern {
		t.Errorf("Pattern =\n %s\nwant\n %s", r.Pattern, wantPattern)
	}
	if r.Name != "orders.big-1" || r.Description != "Big orders" || r.Schedule != "cron(0 7 ? * FRI *)" ||
		r.TimeZone != "Asia/Tokyo" || r.State != rulesfile.Disabled || r.Condition != "event.detail.total > 1000" {
		t.Errorf("rule = %+v", r)
	}
	wantTh := rulesfile.Threshold{Count: 3, Period: 5 * time.Minute, Field: "detail.errors", Comparison: rulesfile.Greater}
	if r.Threshold == nil || *r.Threshold != wantTh {
		t.Errorf("Threshold = %+v, want %+v", r.Threshold, wantTh)
	}
	if len(r.Targets) != 3 {
		t.Fatalf("%d targets, want 3", len(r.Targets))
	}

	t0 := r.Targets[0]
	if t0.ID != "shaped" || t0.Shaping.InputTransformer == nil ||
		!reflect.DeepEqual(t0.Shaping.InputTransformer.InputPathsMap, map[string]string{"id": "$.detail.id", "total": "$.detail.total"}) ||
		t0.Shaping.InputTransformer.InputTemplate != `{"order": <id>, "total": <total>}` {
		t.Errorf("target 0 shaping = %+v", t0.Shaping)
	}
	if want := (targets.RetryPolicy{MaximumRetryAttempts: targets.NoRetries, MaximumEventAgeInSeconds: 60}); !reflect.DeepEqual(t0.RetryPolicy, want) {
		t.Errorf("MaximumRetryAttempts 0 gave %+v, want %+v (no retries)", t0.RetryPolicy, want)
	}
	if t0.DeadLetter == nil || t0.DeadLetter.Kind() != "File" || t0.DeadLetter.File.Path != filepath.Join("conf", "dlq.jsonl") {
		t.Errorf("DeadLetter = %+v, want File conf/dlq.jsonl (relative to the rules file)", t0.DeadLetter)
	}
	h := t0.Sink.HTTP
	if t0.Sink.Kind() != "Http" || h.Endpoint != "https://example.com/hook" || h.Method != "PUT" ||
		h.Header.Get("X-Source") != "rulebridge" || h.Timeout != 2500*time.Millisecond || h.RateLimit != 0.5 ||
		h.Auth == nil || h.Auth.APIKey == nil || h.Auth.APIKey.Header != "x-api-key" || string(h.Auth.APIKey.Value) != "k" {
		t.Errorf("Http = %+v", h)
	}

	t1 := r.Targets[1]
	if t1.ID != "2" || t1.Shaping.Input != `{"fixed":[1,2.50,"x"]}` {
		t.Errorf("target 1: Id %q, Input %q; want \"2\" and the YAML value as JSON", t1.ID, t1.Shaping.Input)
	}
	if t1.RetryPolicy.MaximumRetryAttempts != 7 || t1.RetryPolicy.MaximumEventAgeInSeconds != 0 {
		t.Errorf("target 1 RetryPolicy = %+v, want 7 retries and the default age", t1.RetryPolicy)
	}
	if t1.Sink.Kind() != "File" || t1.Sink.File.Path != "/abs/out.jsonl" || t1.DeadLetter != nil {
		t.Errorf("target 1 sink = %+v, dead letter %+v", t1.Sink, t1.DeadLetter)
	}

	t2 := r.Targets[2]
	if t2.Shaping.InputPath != "$.detail" || t2.Sink.Kind() != "Stdout" || !reflect.DeepEqual(t2.RetryPolicy, targets.RetryPolicy{}) {
		t.Errorf("target 2 = %+v; want InputPath, Stdout (given as null) and the default retry policy", t2)
	}
}

// TestYAMLAndJSON checks that a file and its JSON translation load to the
// same rules.
func TestYAMLAndJSON(t *testing.T) {
	y := mustParse(t, "conf/rules.yaml", fullYAML)
	j := mustParse(t, "conf/rules.json", fullJSON)
	rulesfile.StripPositions(y)
	rulesfile.StripPositions(j)
	if !reflect.DeepEqual(y, j) {
		t.Errorf("YAML and JSON differ:\n%+v\n%+v", y, j)
	}
	if y.Rules[0].Threshold == nil || len(y.Rules[0].Targets) != 3 {
		t.Errorf("the comparison does not cover the threshold and targets")
	}
}

func TestJSONErrorsHaveLines(t *testing.T) {
	src := "{\n  \"Rules\": [\n    {\"Name\": \"a\", \"EventPattern\": {\"source\": \"x\"},\n     \"Targts\": []}\n  ]\n}\n"
	got := problems(t, src)
	want := []string{
		`r.yaml:3:46: rule "a": EventPattern: $.source: "source" must be an object or an array`,
		`r.yaml:4:6: rule "a": Targts: unknown property; did you mean Targets?`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestJSONSurrogatePairs checks JSON escapes that YAML refuses: a
// surrogate pair is one character, a lone surrogate U+FFFD.
func TestJSONSurrogatePairs(t *testing.T) {
	src := `{"Rules": [{"Name": "a", "EventPattern": {"detail": {"mood": ["\ud83d\ude00", "\ud800x", "\\ud83d"]}}}]}`
	f := mustParse(t, "r.json", src)
	want := `{"detail":{"mood":["😀","` + "\ufffd" + `x","\\ud83d"]}}`
	if got := string(f.Rules[0].Pattern); got != want {
		t.Errorf("Pattern = %s, want %s", got, want)
	}
}

// TestPatternForms checks that an EventPattern given as a YAML mapping, as
// a JSON string and as a literal block string means the same: each
// compiles and answers the same on every event.
func TestPatternForms(t *testing.T) {
	src := `Rules:
  - Name: object
    EventPattern:
      source: [aws.ec2]
      detail:
        state: [running, {prefix: "stop"}]
        size: [{numeric: [">=", 2, "<", 10]}]
        tags: [{exists: false}]
  - Name: string
    EventPattern: '{"source": ["aws.ec2"], "detail": {"state": ["running", {"prefix": "stop"}], "size": [{"numeric": [">=", 2, "<", 10]}], "tags": [{"exists": false}]}}'
  - Name: block
    EventPattern: |
      {
        "source": ["aws.ec2"],
        "detail": {
          "state": ["running", {"prefix": "stop"}],
          "size": [{"numeric": [">=", 2, "<", 10]}],
          "tags": [{"exists": false}]
        }
      }
`
	f := mustParse(t, "r.yaml", src)
	var ps []*pattern.Pattern
	for _, r := range f.Rules {
		p, err := pattern.Compile(r.Pattern)
		if err != nil {
			t.Fatalf("rule %s: %v", r.Name, err)
		}
		ps = append(ps, p)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, f.Rules[1].Pattern); err != nil || compact.String() != string(f.Rules[0].Pattern) {
		t.Errorf("object form %s is not the string form compacted (%s)", f.Rules[0].Pattern, compact.String())
	}
	events := []string{
		`{"source":"aws.ec2","detail":{"state":"running","size":2}}`,
		`{"source":"aws.ec2","detail":{"state":"stopping","size":9.5}}`,
		`{"source":"aws.ec2","detail":{"state":"running","size":10}}`,
		`{"source":"aws.ec2","detail":{"state":"pending","size":3}}`,
		`{"source":"aws.ec2","detail":{"state":"running","size":3,"tags":["x"]}}`,
		`{"source":"aws.s3","detail":{"state":"running","size":3}}`,
		`{"source":"aws.ec2","detail":{"state":"stop","size":"3"}}`,
	}
	matched := 0
	for _, ev := range events {
		var answers []bool
		for _, p := range ps {
			ok, err := p.Match([]byte(ev))
			if err != nil {
				t.Fatal(err)
			}
			answers = append(answers, ok)
		}
		if answers[0] != answers[1] || answers[0] != answers[2] {
			t.Errorf("event %s: object, string, block answer %v", ev, answers)
		}
		if answers[0] {
			matched++
		}
	}
	if matched != 2 {
		t.Errorf("%d of %d events matched, want 2 (the test must exercise both answers)", matched, len(events))
	}
	t.Logf("%d events, %d matched, same answer from the 3 forms", len(events), matched)
}

// TestYAMLScalarsInPatterns pins how YAML scalars become JSON in patterns.
func TestYAMLScalarsInPatterns(t *testing.T) {
	src := "Rules:\n  - Name: a\n    EventPattern:\n      x: [0x1F, 1_000, .5, 1e3, \"007\", 007, yes, No, ~, 2001-12-14, -0, 1.0]\n"
	f := mustParse(t, "r.yaml", src)
	want := `{"x":[31,1000,0.5,1e3,"007",7,"yes","No",null,"2001-12-14",-0,1.0]}`
	if got := string(f.Rules[0].Pattern); got != want {
		t.Errorf("Pattern = %s, want %s", got, want)
	}
}

func TestDefaults(t *testing.T) {
	f := mustParse(t, "rules.yaml", "Rules:\n  - Name: a\n    EventPattern: {source: [x]}\n    Threshold: {Count: 1, Period: 300}\n"+
		"    Targets:\n      - Id: t\n        RetryPolicy: {}\n        File: {Path: out.jsonl}\n")
	r := f.Rules[0]
	if r.State != rulesfile.Enabled || r.Schedule != "" || r.TimeZone != "" || r.Condition != "" || r.Description != "" {
		t.Errorf("rule = %+v, want State ENABLED and the rest empty", r)
	}
	if want := (rulesfile.Threshold{Count: 1, Period: 5 * time.Minute, Comparison: rulesfile.GreaterOrEqual}); *r.Threshold != want {
		t.Errorf("Threshold = %+v, want %+v (integer Period is seconds, default >=)", *r.Threshold, want)
	}
	tg := r.Targets[0]
	if !reflect.DeepEqual(tg.RetryPolicy, targets.RetryPolicy{}) || tg.Shaping != (targets.Shaping{}) || tg.Sink.File.Path != "out.jsonl" {
		t.Errorf("target = %+v, want the zero retry policy and shaping, path out.jsonl", tg)
	}
	// Null is the same as leaving a property out, but for a kind.
	nulls := mustParse(t, "r.yaml", "Rules:\n  - Name: a\n    Description:\n    EventPattern: {a: [1]}\n    Threshold:\n"+
		"    Targets:\n      - Id: t\n        DeadLetterConfig:\n        RetryPolicy:\n        Input:\n        Http: {Endpoint: 'http://x.example'}\n").Rules[0]
	if nt := nulls.Targets[0]; nulls.Threshold != nil || nt.DeadLetter != nil || nt.Shaping != (targets.Shaping{}) || nt.Sink.HTTP.Method != "POST" {
		t.Errorf("null properties: rule %+v, target %+v; want them absent and Method POST", nulls, nt)
	}
	// A rule without targets is valid, as in EventBridge.
	if len(r.Targets) != 1 || len(mustParse(t, "r.yaml", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n").Rules[0].Targets) != 0 {
		t.Errorf("target counts wrong")
	}
	// Both a pattern and a schedule.
	both := mustParse(t, "r.yaml", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    EventPattern: {a: [1]}\n").Rules[0]
	if both.Schedule == "" || both.Pattern == nil {
		t.Errorf("rule with both = %+v", both)
	}
	// No rules at all.
	if got := mustParse(t, "r.yaml", "Rules: []\n"); len(got.Rules) != 0 {
		t.Errorf("Rules: [] gave %d rules", len(got.Rules))
	}
}

func TestComparisons(t *testing.T) {
	for in, want := range map[string]rulesfile.Comparison{
		">=": rulesfile.GreaterOrEqual, ">": rulesfile.Greater, "<=": rulesfile.LessOrEqual, "<": rulesfile.Less,
		"GreaterThanOrEqualToThreshold": rulesfile.GreaterOrEqual, "GreaterThanThreshold": rulesfile.Greater,
		"LessThanOrEqualToThreshold": rulesfile.LessOrEqual, "LessThanThreshold": rulesfile.Less,
	} {
		f := mustParse(t, "r.yaml", fmt.Sprintf("Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Threshold: {Count: 2, Period: 1h30m, Comparison: '%s'}\n", in))
		if th := f.Rules[0].Threshold; th.Comparison != want || th.Period != 90*time.Minute {
			t.Errorf("Comparison %s gave %+v, want %s", in, th, want)
		}
	}
}

func TestEnvSecrets(t *testing.T) {
	const secret = "s3cr3t-VALUE"
	t.Setenv("RB_URL", "https://hooks.example.com/services/"+secret)
	t.Setenv("RB_PASSWORD", secret)
	t.Setenv("RB_USER", "alice")
	src := "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Targets:\n      - Id: t\n        Http:\n" +
		"          Endpoint: ${RB_URL}\n" +
		"          Headers: {X-Token: 'Bearer ${RB_PASSWORD}', X-Literal: 'a$b $${RB_USER} $'}\n" +
		"          Auth: {Basic: {Username: '${RB_USER}', Password: '${RB_PASSWORD}'}}\n"
	f := mustParse(t, "r.yaml", src)
	h := f.Rules[0].Targets[0].Sink.HTTP
	if h.Endpoint != "https://hooks.example.com/services/"+secret || h.Header.Get("X-Token") != "Bearer "+secret ||
		h.Header.Get("X-Literal") != "a$b ${RB_USER} $" || h.Auth.Basic.Username != "alice" || string(h.Auth.Basic.Password) != secret {
		t.Errorf("expanded Http = %+v", h)
	}
	if s := fmt.Sprintf("%v %+v %#v", h.Auth, *h.Auth.Basic, h.Auth.Basic); strings.Contains(s, secret) {
		t.Errorf("formatting the auth shows the secret: %s", s)
	}

	// Absent variables are reported by name, each one.
	got := problems(t, strings.ReplaceAll(strings.ReplaceAll(src, "RB_PASSWORD", "RB_MISSING_1"), "RB_URL", "RB_MISSING_2"))
	want := []string{
		`r.yaml:7:21: rule "a": target "t": Http.Endpoint: environment variable RB_MISSING_2 is not set`,
		`r.yaml:8:30: rule "a": target "t": Http.Headers.X-Token: environment variable RB_MISSING_1 is not set`,
		`r.yaml:9:60: rule "a": target "t": Http.Auth.Basic.Password: environment variable RB_MISSING_1 is not set`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// An empty variable counts as absent.
	t.Setenv("RB_EMPTY", "")
	if got := problems(t, strings.ReplaceAll(src, "${RB_URL}", "${RB_EMPTY}")); len(got) != 1 || !strings.Contains(got[0], "RB_EMPTY is not set") {
		t.Errorf("empty variable: %v", got)
	}

	// Values from the environment are never echoed, even when invalid.
	t.Setenv("RB_BAD_URL", "ftp://"+secret)
	t.Setenv("RB_BAD_USER", "user:"+secret)
	t.Setenv("RB_BAD_TOKEN_URL", secret)
	bad := "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Targets:\n" +
		"      - Id: t\n        Http:\n          Endpoint: ${RB_BAD_URL}\n          Auth: {Basic: {Username: '${RB_BAD_USER}', Password: x}}\n" +
		"      - Id: u\n        Http:\n          Endpoint: https://x.example\n          Auth: {OAuth: {TokenUrl: '${RB_BAD_TOKEN_URL}', ClientId: c, ClientSecret: '${RB_PASSWORD}'}}\n"
	got = problems(t, bad)
	if len(got) != 3 {
		t.Errorf("got %d problems, want 3:\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, m := range got {
		if strings.Contains(m, secret) {
			t.Errorf("message shows a secret: %s", m)
		}
	}
}

func TestRuleErrorf(t *testing.T) {
	f := mustParse(t, "r.yaml", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Condition: event.detail.x >\n  - Name: b\n    ScheduleExpression: rate(1 day)\n")
	e := f.Rules[0].Errorf("Condition", "does not compile: %s", "syntax error")
	if got, want := e.Error(), `r.yaml:4:16: rule "a": Condition: does not compile: syntax error`; got != want {
		t.Errorf("Errorf = %q, want %q", got, want)
	}
	e = f.Rules[1].Errorf("Condition", "missing")
	if got, want := e.Error(), `r.yaml:5:5: rule "b": Condition: missing`; got != want {
		t.Errorf("Errorf for an absent property = %q, want %q (at the rule)", got, want)
	}
	var list rulesfile.ErrorList = []*rulesfile.Error{e}
	if !errors.As(error(list), &e) {
		t.Errorf("errors.As on an ErrorList of one does not find it")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	writeFile(t, path, "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Targets:\n      - Id: t\n        File: {Path: out/x.jsonl}\n")
	f, err := rulesfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Rules[0].Targets[0].Sink.File.Path, filepath.Join(dir, "out", "x.jsonl"); got != want {
		t.Errorf("Path = %s, want %s (relative to the rules file)", got, want)
	}
	_, err = rulesfile.Load(filepath.Join(dir, "missing.yaml"))
	var list rulesfile.ErrorList
	if !errors.As(err, &list) || !strings.Contains(err.Error(), "missing.yaml") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Load of a missing file: %v", err)
	}
}
