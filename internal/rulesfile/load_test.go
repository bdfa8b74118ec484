package rulesfile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/schedule"
	"github.com/rulebridge/rulebridge/targets"
)

// problems parses src and returns its error messages, failing the test if
// it parses or if the error is not an ErrorList.
func problems(t *testing.T, src string) []string {
	t.Helper()
	f, err := rulesfile.Parse("r.yaml", []byte(src))
	if err == nil {
		t.Fatalf("parsed, want errors; rules: %+v", f.Rules)
	}
	var list rulesfile.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
	}
	msgs := make([]string, len(list))
	for i, e := range list {
		msgs[i] = e.Error()
	}
	if got := err.Error(); got != strings.Join(msgs, "\n") {
		t.Errorf("ErrorList.Error() = %q, want the messages joined by newlines", got)
	}
	return msgs
}

// rule wraps target YAML lines (indented for a target entry) in a rule.
const head = "Rules:\n  - Name: r1\n    EventPattern: {source: [a]}\n    Targets:\n      - Id: t1\n"

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want lists every expected message: each must be a prefix of
		// one message (in order), and there must be no others.
		want []string
	}{
		// File structure.
		{"empty file", "", []string{`r.yaml: empty file: want a mapping with a Rules sequence`}},
		{"comments only", "# nothing\n", []string{`r.yaml: empty file`}},
		{"syntax error", "Rules:\n  - Name: a\n    X: [\n", []string{`r.yaml:3: invalid YAML: did not find expected node content`}},
		{"syntax error at a context", "Rules:\n  - Name: a\n   bad: x\n", []string{`r.yaml:1: invalid YAML: did not find expected '-' indicator`}},
		{"not a mapping", "- a\n", []string{`r.yaml:1:1: want a mapping, got a sequence`}},
		{"no Rules", "Rulez: []\n", []string{`r.yaml:1:1: Rulez: unknown property; did you mean Rules?`, `r.yaml:1:1: Rules: is required`}},
		{"Rules not a sequence", "Rules: {a: b}\n", []string{`r.yaml:1:8: Rules: want a sequence of rules, got a mapping`}},
		{"rule not a mapping", "Rules:\n  - just a string\n", []string{`r.yaml:2:5: rule #1: want a mapping, got a string`}},
		{"two documents", "Rules: []\n---\nRules: []\n", []string{`r.yaml:2: invalid YAML: a second YAML document: a rules file holds one`}},
		{"CloudFormation template", "Resources: {}\nRules: []\n", []string{`r.yaml:1:1: Resources: CloudFormation property not supported by rulebridge: give the rules' Properties as a Rules sequence`}},
		{"alias", "Rules:\n  - &r {Name: a, ScheduleExpression: rate(1 day)}\n  - *r\n", []string{`r.yaml:3:5: YAML aliases (*r) are not supported`}},
		{"intrinsic function", "Rules:\n  - Name: a\n    ScheduleExpression: !Sub rate(1 day)\n", []string{`r.yaml:3:25: YAML tag !Sub is not supported (CloudFormation intrinsic functions are not evaluated)`}},
		{"merge key", "Rules:\n  - Name: a\n    <<: {X: 1}\n    ScheduleExpression: rate(1 day)\n", []string{`r.yaml:3:5: YAML merge keys (<<) are not supported`}},

		// Rule properties.
		{"typo in rule property", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    Targts: []\n",
			[]string{`r.yaml:4:5: rule "a": Targts: unknown property; did you mean Targets?`}},
		{"wrong case", "Rules:\n  - name: a\n    ScheduleExpression: rate(1 day)\n",
			[]string{`r.yaml:2:5: rule #1: name: unknown property; did you mean Name?`, `r.yaml:2:5: rule #1: Name: is required`}},
		{"unrelated property", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    Zzzzzzzz: 1\n",
			[]string{`r.yaml:4:5: rule "a": Zzzzzzzz: unknown property; want one of Name, Description, EventPattern`}},
		{"unsupported CFN property", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    EventBusName: default\n",
			[]string{`r.yaml:4:5: rule "a": EventBusName: CloudFormation property not supported by rulebridge: rulebridge has one event bus per engine`}},
		{"repeated property", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    Name: b\n",
			[]string{`r.yaml:4:5: rule "a": Name: repeated (first at line 2)`}},
		{"missing name", "Rules:\n  - ScheduleExpression: rate(1 day)\n",
			[]string{`r.yaml:2:5: rule #1: Name: is required`}},
		{"bad name", "Rules:\n  - Name: has space\n    ScheduleExpression: rate(1 day)\n",
			[]string{`r.yaml:2:11: rule "has space": Name: must be 1-64 characters of . - _ A-Z a-z 0-9`}},
		{"long name", "Rules:\n  - Name: " + strings.Repeat("n", 65) + "\n    ScheduleExpression: rate(1 day)\n",
			[]string{`r.yaml:2:11: rule "nnnn`}},
		{"name is a mapping", "Rules:\n  - Name: {a: b}\n    ScheduleExpression: rate(1 day)\n",
			[]string{`r.yaml:2:11: rule #1: Name: want a string, got a mapping`}},
		{"duplicate names", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n  - Name: a\n    ScheduleExpression: rate(2 days)\n",
			[]string{`r.yaml:4:11: rule "a": Name: another rule has this name (line 2)`}},
		{"long description", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    Description: " + strings.Repeat("d", 513) + "\n",
			[]string{`r.yaml:4:18: rule "a": Description: 513 characters long: the limit is 512`}},
		{"neither pattern nor schedule", "Rules:\n  - Name: a\n    State: ENABLED\n",
			[]string{`r.yaml:2:5: rule "a": needs an EventPattern or a ScheduleExpression (or both)`}},
		{"bad state", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    State: enabled\n",
			[]string{`r.yaml:4:12: rule "a": State: "enabled" is not ENABLED or DISABLED`}},
		{"empty condition", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    Condition: '  '\n",
			[]string{`r.yaml:4:16: rule "a": Condition: is empty: give a CEL expression or leave Condition out`}},
		{"condition not a string", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    Condition: 42\n",
			[]string{`r.yaml:4:16: rule "a": Condition: want a CEL expression in a string, got an integer`}},

		// Event patterns.
		{"pattern object error", "Rules:\n  - Name: a\n    EventPattern:\n      source: [aws.ec2]\n      detail:\n        state: [{prefix: 5}]\n",
			[]string{`r.yaml:6:26: rule "a": EventPattern: $.detail.state[0].prefix: prefix match pattern must be a string`}},
		{"pattern leaf not an array", "Rules:\n  - Name: a\n    EventPattern:\n      source: aws.ec2\n",
			[]string{`r.yaml:4:15: rule "a": EventPattern: $.source: "source" must be an object or an array`}},
		{"pattern string error", "Rules:\n  - Name: a\n    EventPattern: '{\"source\": \"x\"}'\n",
			[]string{`r.yaml:3:19: rule "a": EventPattern: $.source: "source" must be an object or an array (line 1, column 12 of the pattern)`}},
		{"pattern string not JSON", "Rules:\n  - Name: a\n    EventPattern: 'source: x'\n",
			[]string{`r.yaml:3:19: rule "a": EventPattern: $: Unrecognized token 'source'`}},
		{"pattern block error", "Rules:\n  - Name: a\n    EventPattern: |\n      {\"source\": [\"x\"],\n       \"detail\": {\"n\": [{\"numeric\": [\"<\", \"a\"]}]}}\n",
			[]string{`r.yaml:5:43: rule "a": EventPattern: $.detail.n[0].numeric: Value of < must be numeric`}},
		{"pattern is a sequence", "Rules:\n  - Name: a\n    EventPattern: [a]\n",
			[]string{`r.yaml:3:19: rule "a": EventPattern: want a mapping or a string holding a JSON object, got a sequence`}},
		{"pattern with infinity", "Rules:\n  - Name: a\n    EventPattern: {n: [.inf]}\n",
			[]string{`r.yaml:3:24: rule "a": EventPattern: .inf is not a JSON number`}},

		// Schedules.
		{"bad schedule", "Rules:\n  - Name: a\n    ScheduleExpression: cron(0 25 * * ? *)\n",
			[]string{`r.yaml:3:25: rule "a": ScheduleExpression: hours: 25 is out of range 0-23`}},
		{"bad zone and bad schedule", "Rules:\n  - Name: a\n    ScheduleExpression: rate(0 minutes)\n    ScheduleExpressionTimezone: Mars/Base\n",
			[]string{`r.yaml:3:25: rule "a": ScheduleExpression: `, `r.yaml:4:33: rule "a": ScheduleExpressionTimezone: time zone "Mars/Base"`}},
		{"Local zone", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    ScheduleExpressionTimezone: Local\n",
			[]string{`r.yaml:4:33: rule "a": ScheduleExpressionTimezone: time zone "Local" is not an IANA time zone name`}},
		{"zone without schedule", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    ScheduleExpressionTimezone: UTC\n",
			[]string{`r.yaml:4:33: rule "a": ScheduleExpressionTimezone: needs a ScheduleExpression`}},

		// Thresholds.
		{"threshold errors", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Threshold: {Count: 0, Period: 5x, Field: 'detail..x', Comparison: '=='}\n",
			[]string{
				`r.yaml:4:24: rule "a": Threshold.Count: 0 is not a positive integer`,
				`r.yaml:4:35: rule "a": Threshold.Period: "5x" is not a duration`,
				`r.yaml:4:46: rule "a": Threshold.Field: "detail..x" has an empty name`,
				`r.yaml:4:71: rule "a": Threshold.Comparison: "==" is not one of >=, >, <=, <`,
			}},
		{"threshold missing fields", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Threshold: {Field: x}\n",
			[]string{`r.yaml:4:16: rule "a": Threshold.Count: is required`, `r.yaml:4:16: rule "a": Threshold.Period: is required`}},
		{"threshold wrong types", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Threshold: {Count: '3', Period: -5, Field: 'detail.x[0]'}\n",
			[]string{
				`r.yaml:4:24: rule "a": Threshold.Count: want an integer, got a string "3"`,
				`r.yaml:4:37: rule "a": Threshold.Period: -5s is not positive`,
				`r.yaml:4:48: rule "a": Threshold.Field: "detail.x[0]": array indexes and wildcards are not supported`,
			}},
		{"threshold on a schedule", "Rules:\n  - Name: a\n    ScheduleExpression: rate(1 day)\n    Threshold: {Count: 1, Period: 60}\n",
			[]string{`r.yaml:4:16: rule "a": Threshold: needs an EventPattern`}},
		{"threshold typo", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Threshold: {Count: 1, Period: 60, Comparision: '>'}\n",
			[]string{`r.yaml:4:39: rule "a": Threshold.Comparision: unknown property; did you mean Comparison?`}},

		// Targets.
		{"targets not a sequence", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Targets: {Id: x}\n",
			[]string{`r.yaml:4:14: rule "a": Targets: want a sequence of targets, got a mapping`}},
		{"six targets", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Targets:\n" + strings.Repeat("      - {Id: x, Stdout: {}}\n", 1) +
			"      - {Id: b, Stdout: {}}\n      - {Id: c, Stdout: {}}\n      - {Id: d, Stdout: {}}\n      - {Id: e, Stdout: {}}\n      - {Id: f, Stdout: {}}\n",
			[]string{`r.yaml:5:7: rule "a": Targets: 6 targets: a rule may have at most 5`}},
		{"missing id", "Rules:\n  - Name: a\n    EventPattern: {a: [1]}\n    Targets:\n      - Stdout: {}\n",
			[]string{`r.yaml:5:9: rule "a": target #1: Id: is required`}},
		{"bad id", head[:len(head)-len("      - Id: t1\n")] + "      - Id: 'a/b'\n        Stdout: {}\n",
			[]string{`r.yaml:5:13: rule "r1": target "a/b": Id: must be 1-64 characters of . - _ A-Z a-z 0-9`}},
		{"duplicate ids", head + "        Stdout: {}\n      - Id: t1\n        Stdout: {}\n",
			[]string{`r.yaml:7:13: rule "r1": target "t1": Id: another target of this rule has this Id (line 5)`}},
		{"target typo", head + "        Stdout: {}\n        InputPth: $.detail\n",
			[]string{`r.yaml:7:9: rule "r1": target "t1": InputPth: unknown property; did you mean InputPath?`}},
		{"target Arn", head + "        Arn: arn:aws:sqs:us-east-1:123456789012:q\n",
			[]string{`r.yaml:5:9: rule "r1": target "t1": needs one of Http, File or Stdout`, `r.yaml:6:9: rule "r1": target "t1": Arn: CloudFormation property not supported by rulebridge: rulebridge targets are given by kind`}},
		{"no kind", head + "        InputPath: $.detail\n",
			[]string{`r.yaml:5:9: rule "r1": target "t1": needs one of Http, File or Stdout`}},
		{"two kinds", head + "        Stdout: {}\n        File: {Path: x}\n",
			[]string{`r.yaml:7:9: rule "r1": target "t1": File: Stdout and File are given: give exactly one kind`}},
		{"stdout with a property", head + "        Stdout: {Pretty: true}\n",
			[]string{`r.yaml:6:18: rule "r1": target "t1": Stdout.Pretty: unknown property`}},
		{"file without path", head + "        File: {}\n",
			[]string{`r.yaml:6:15: rule "r1": target "t1": File.Path: is required`}},
		{"file path with env", head + "        File: {Path: '${HOME}/x.jsonl'}\n",
			[]string{`r.yaml:6:22: rule "r1": target "t1": File.Path: ${NAME} is not expanded in File paths (only in Http properties): write the path out`}},
		{"file path empty", head + "        File: {Path: ''}\n",
			[]string{`r.yaml:6:22: rule "r1": target "t1": File.Path: is empty`}},

		// Input shaping.
		{"two inputs", head + "        Stdout: {}\n        Input: '{}'\n        InputPath: $.detail\n",
			[]string{`r.yaml:8:20: rule "r1": target "t1": InputPath: a target may have only one of Input, InputPath and InputTransformer, but Input and InputPath are given`}},
		{"input not JSON", head + "        Stdout: {}\n        Input: 'hello'\n",
			[]string{`r.yaml:7:16: rule "r1": target "t1": Input: not valid JSON`}},
		{"bad input path", head + "        Stdout: {}\n        InputPath: detail\n",
			[]string{`r.yaml:7:20: rule "r1": target "t1": InputPath: JSONPath "detail" must start with "$"`}},
		{"transformer errors", head + "        Stdout: {}\n        InputTransformer:\n          InputPathsMap:\n            aws.x: $.a\n            ok: detail\n          InputTemplate: '<ok>'\n",
			[]string{
				`r.yaml:9:13: rule "r1": target "t1": InputTransformer.InputPathsMap.aws.x: variable names starting with "aws." are reserved`,
				`r.yaml:10:13: rule "r1": target "t1": InputTransformer.InputPathsMap.ok: JSONPath "detail" must start with "$"`,
			}},
		{"template names no variable", head + "        Stdout: {}\n        InputTransformer:\n          InputPathsMap: {a: $.a}\n          InputTemplate: '{\"x\": <b>}'\n",
			[]string{`r.yaml:9:26: rule "r1": target "t1": InputTransformer.InputTemplate: placeholder <b> at offset 6 names no variable`}},
		{"template missing", head + "        Stdout: {}\n        InputTransformer:\n          InputPathsMap: {a: $.a}\n",
			[]string{`r.yaml:8:11: rule "r1": target "t1": InputTransformer.InputTemplate: is required`}},
		{"paths map repeated", head + "        Stdout: {}\n        InputTransformer:\n          InputPathsMap: {a: $.a, a: $.b}\n          InputTemplate: '<a>'\n",
			[]string{`r.yaml:8:35: rule "r1": target "t1": InputTransformer.InputPathsMap.a: repeated (first at line 8)`}},

		// Retry policies.
		{"retry out of range", head + "        Stdout: {}\n        RetryPolicy: {MaximumRetryAttempts: 186, MaximumEventAgeInSeconds: 59}\n",
			[]string{
				`r.yaml:7:45: rule "r1": target "t1": RetryPolicy.MaximumRetryAttempts: 186 is out of range 0-185 (0 means no retries; leave it out for the default, 185)`,
				`r.yaml:7:76: rule "r1": target "t1": RetryPolicy.MaximumEventAgeInSeconds: 59 is out of range 60-86400`,
			}},
		{"retry negative and zero", head + "        Stdout: {}\n        RetryPolicy: {MaximumRetryAttempts: -1, MaximumEventAgeInSeconds: 0}\n",
			[]string{
				`r.yaml:7:45: rule "r1": target "t1": RetryPolicy.MaximumRetryAttempts: -1 is out of range 0-185`,
				`r.yaml:7:75: rule "r1": target "t1": RetryPolicy.MaximumEventAgeInSeconds: 0 is out of range 60-86400`,
			}},
		{"retry wrong type", head + "        Stdout: {}\n        RetryPolicy: {MaximumRetryAttempts: two}\n",
			[]string{`r.yaml:7:45: rule "r1": target "t1": RetryPolicy.MaximumRetryAttempts: want an integer, got a string "two"`}},
		{"retry typo", head + "        Stdout: {}\n        RetryPolicy: {MaxRetryAttempts: 2}\n",
			[]string{`r.yaml:7:23: rule "r1": target "t1": RetryPolicy.MaxRetryAttempts: unknown property; did you mean MaximumRetryAttempts?`}},

		// Dead-letter configs.
		{"dead letter Arn", head + "        Stdout: {}\n        DeadLetterConfig: {Arn: 'arn:aws:sqs:us-east-1:1:q'}\n",
			[]string{
				`r.yaml:7:27: rule "r1": target "t1": DeadLetterConfig: needs one of Http, File or Stdout`,
				`r.yaml:7:28: rule "r1": target "t1": DeadLetterConfig.Arn: CloudFormation property not supported`,
			}},
		{"dead letter file without path", head + "        Stdout: {}\n        DeadLetterConfig: {File: {}}\n",
			[]string{`r.yaml:7:34: rule "r1": target "t1": DeadLetterConfig.File.Path: is required`}},
		{"dead letter not a mapping", head + "        Stdout: {}\n        DeadLetterConfig: dlq.jsonl\n",
			[]string{`r.yaml:7:27: rule "r1": target "t1": DeadLetterConfig: want a mapping, got a string`}},

		// HTTP.
		{"http errors", head + "        Http:\n          Endpoint: ftp://example.com\n          Method: TRACE\n          Headers: {'bad header': x}\n          TimeoutSeconds: 0\n          RateLimitPerSecond: -1\n",
			[]string{
				`r.yaml:7:21: rule "r1": target "t1": Http.Endpoint: want an absolute http or https URL`,
				`r.yaml:8:19: rule "r1": target "t1": Http.Method: "TRACE" is not an allowed method`,
				`r.yaml:9:21: rule "r1": target "t1": Http.Headers.bad header: not a valid header name`,
				`r.yaml:10:27: rule "r1": target "t1": Http.TimeoutSeconds: 0 is out of range: want more than 0, at most 86400`,
				`r.yaml:11:31: rule "r1": target "t1": Http.RateLimitPerSecond: -1 is not positive`,
			}},
		{"http missing endpoint", head + "        Http: {Method: GET}\n",
			[]string{`r.yaml:6:15: rule "r1": target "t1": Http.Endpoint: is required`}},
		{"http header repeated in another case", head + "        Http:\n          Endpoint: http://x.example\n          Headers: {X-A: a, x-a: b}\n",
			[]string{`r.yaml:8:29: rule "r1": target "t1": Http.Headers.x-a: repeated: header names are case-insensitive (first at line 8)`}},
		{"http timeout type", head + "        Http: {Endpoint: 'http://x.example', TimeoutSeconds: soon}\n",
			[]string{`r.yaml:6:62: rule "r1": target "t1": Http.TimeoutSeconds: want a number, got a string "soon"`}},
		{"auth none", head + "        Http: {Endpoint: 'http://x.example', Auth: {}}\n",
			[]string{`r.yaml:6:52: rule "r1": target "t1": Http.Auth: needs one of Basic, ApiKey or OAuth`}},
		{"auth two", head + "        Http: {Endpoint: 'http://x.example', Auth: {Basic: {Username: a, Password: b}, ApiKey: {Header: h, Value: v}}}\n",
			[]string{`r.yaml:6:88: rule "r1": target "t1": Http.Auth.ApiKey: Basic and ApiKey are given: give exactly one`}},
		{"basic auth errors", head + "        Http: {Endpoint: 'http://x.example', Auth: {Basic: {Username: 'a:b'}}}\n",
			[]string{
				`r.yaml:6:60: rule "r1": target "t1": Http.Auth.Basic.Password: is required`,
				`r.yaml:6:71: rule "r1": target "t1": Http.Auth.Basic.Username: must be non-empty and hold no colon`,
			}},
		{"api key errors", head + "        Http: {Endpoint: 'http://x.example', Auth: {ApiKey: {Header: 'x y', Value: ''}}}\n",
			[]string{
				`r.yaml:6:70: rule "r1": target "t1": Http.Auth.ApiKey.Header: "x y" is not a valid header name`,
				`r.yaml:6:84: rule "r1": target "t1": Http.Auth.ApiKey.Value: is empty`,
			}},
		{"oauth errors", head + "        Http: {Endpoint: 'http://x.example', Auth: {OAuth: {TokenUrl: 'not a url', ClientId: c, ClientSecret: s, Scopes: a}}}\n",
			[]string{
				`r.yaml:6:71: rule "r1": target "t1": Http.Auth.OAuth.TokenUrl: want an absolute http or https URL`,
				`r.yaml:6:122: rule "r1": target "t1": Http.Auth.OAuth.Scopes: want a sequence of strings, got a string`,
			}},
		{"env reference malformed", head + "        Http: {Endpoint: 'http://x.example/${1X}', Headers: {X-A: '${unterminated'}}\n",
			[]string{
				`r.yaml:6:26: rule "r1": target "t1": Http.Endpoint: ${...} at offset 17 does not hold a variable name`,
				`r.yaml:6:67: rule "r1": target "t1": Http.Headers.X-A: unterminated ${ at offset 0 (write $${ for a literal ${)`,
			}},
		{"dead letter http error", head + "        Stdout: {}\n        DeadLetterConfig: {Http: {Endpoint: 'mailto:x'}}\n",
			[]string{`r.yaml:7:45: rule "r1": target "t1": DeadLetterConfig.Http.Endpoint: want an absolute http or https URL`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := problems(t, tc.src)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) || !strings.HasPrefix(got[i], "r.yaml") {
					t.Errorf("problem %d:\n got  %s\n want %s", i, got[i], w)
				}
			}
		})
	}
	t.Logf("%d validation cases", len(tests))
}

// TestErrorsUnwrap checks that each problem keeps the error it came from,
// for errors.As and errors.Is, and that the fields name the rule and target.
func TestErrorsUnwrap(t *testing.T) {
	src := "Rules:\n  - Name: a\n    EventPattern: {source: x}\n    ScheduleExpression: cron(0 25 * * ? *)\n" +
		"    Targets:\n      - Id: t\n        Stdout: {}\n        InputPath: nope\n"
	_, err := rulesfile.Parse("r.yaml", []byte(src))
	var pe *pattern.Error
	if !errors.As(err, &pe) || pe.Path != "$.source" || !errors.Is(err, pattern.ErrInvalidPattern) {
		t.Errorf("errors.As(*pattern.Error) = %v, want the pattern error at $.source", pe)
	}
	var se *schedule.Error
	if !errors.As(err, &se) || se.Field != schedule.FieldHours || !errors.Is(err, schedule.ErrInvalidExpression) {
		t.Errorf("errors.As(*schedule.Error) = %v, want the hours error", se)
	}
	var ce *targets.ConfigError
	if !errors.As(err, &ce) || ce.Field != "InputPath" {
		t.Errorf("errors.As(*targets.ConfigError) = %v, want the InputPath error", ce)
	}
	var list rulesfile.ErrorList
	errors.As(err, &list)
	last := list[len(list)-1]
	want := rulesfile.Error{File: "r.yaml", Line: 8, Column: 20, Rule: "a", RuleIndex: 1, Target: "t", TargetIndex: 1, Field: "InputPath"}
	if last.File != want.File || last.Line != want.Line || last.Column != want.Column || last.Rule != want.Rule ||
		last.RuleIndex != want.RuleIndex || last.Target != want.Target || last.TargetIndex != want.TargetIndex || last.Field != want.Field {
		t.Errorf("last problem = %+v, want %+v", *last, want)
	}
}
