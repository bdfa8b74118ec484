package targets_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// ec2Event is the example event of AWS's "Transforming target input" page.
const ec2Event = `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": [
    "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"
  ],
  "detail": {
    "instance-id": "i-0123456789",
    "state": "RUNNING"
  }
}`

const ec2EventWithoutDetail = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}`

var ec2Paths = map[string]string{
	"timestamp": "$.time",
	"instance":  "$.detail.instance-id",
	"state":     "$.detail.state",
	"status":    "$.detail.state",
}

func ec2Delivery() targets.Delivery {
	return targets.Delivery{
		Event:         []byte(ec2Event),
		EventID:       "7bf73129-1428-4cd3-a780-95db273d1602",
		RuleName:      "example",
		RuleARN:       "arn:aws:events:us-east-2:123456789012:rule/example",
		TargetID:      "t1",
		IngestionTime: time.Date(2015, 11, 11, 21, 29, 55, 0, time.UTC),
	}
}

// TestTransformAWSExamples renders the templates of AWS's documentation
// (user guide "Transforming target input", the API reference's
// InputTransformer, and the input-transformer tutorial) against their
// example event.
func TestTransformAWSExamples(t *testing.T) {
	cases := []struct {
		name, template, want string
	}{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"string with escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-0123456789\" is in RUNNING"`},
		{"simple JSON", "{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}", `{"instance":"i-0123456789","state":"RUNNING"}`},
		{"JSON with strings and variables",
			"{\n \"instance\" : <instance>,\n \"state\": \"<state>\",\n \"instanceStatus\": \"instance \\\"<instance>\\\" is in <state>\"\n}",
			`{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \"i-0123456789\" is in RUNNING"}`},
		{"JSON with a mix of variables and static information",
			"{\n  \"instance\" : <instance>,\n  \"state\": [ 9, <state>, true ],\n  \"Transformed\" : \"Yes\"\n}",
			`{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}`},
		{"including reserved variables in JSON",
			"{\n  \"instance\" : <instance>,\n  \"state\": <state>,\n  \"ruleArn\" : <aws.events.rule-arn>,\n  \"ruleName\" : <aws.events.rule-name>,\n  \"originalEvent\" : <aws.events.event>\n}",
			`{"instance":"i-0123456789","state":"RUNNING","ruleArn":"arn:aws:events:us-east-2:123456789012:rule/example","ruleName":"example","originalEvent":` + ec2EventWithoutDetail + `}`},
		{"including reserved variables in a string", `"<aws.events.rule-name> triggered"`, `"example triggered"`},
		// AWS shows the timestamp unquoted for a CloudWatch Logs target, which
		// is not JSON; we quote it, as in every other value position.
		{"CloudWatch log group", "{\n  \"timestamp\" : <timestamp>,\n  \"message\": \"instance \\\"<instance>\\\" is in <state>\"\n}",
			`{"timestamp":"2015-11-11T21:29:54Z","message":"instance \"i-0123456789\" is in RUNNING"}`},
		// API reference, InputTransformer.InputTemplate.
		{"API: text template", `<instance> is in state <status>`, `"i-0123456789 is in state RUNNING"`},
		{"API: text template with quotes", `<instance> is in state "<status>"`, `"i-0123456789 is in state \"RUNNING\""`},
		{"API: JSON with variables in quotes or out", `{"myInstance": <instance>,"myStatus": "<instance> is in state \"<status>\""}`,
			`{"myInstance":"i-0123456789","myStatus":"i-0123456789 is in state \"RUNNING\""}`},
		// Tutorial: the SNS message.
		{"tutorial", `"The EC2 instance <instance> has changed state to <state>."`, `"The EC2 instance i-0123456789 has changed state to RUNNING."`},
	}
	passed := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := targets.RenderInput(targets.Shaping{InputTransformer: &targets.InputTransformer{
				InputPathsMap: ec2Paths, InputTemplate: c.template}}, ec2Delivery())
			if err != nil {
				t.Fatalf("RenderInput: %v", err)
			}
			if string(got) != c.want {
				t.Fatalf("template %s\n got %s\nwant %s", c.template, got, c.want)
			}
			if !json.Valid(got) {
				t.Fatalf("output is not JSON: %s", got)
			}
			passed++
		})
	}
	t.Logf("AWS transformer examples: %d run, %d passed", len(cases), passed)
}

func render(t *testing.T, paths map[string]string, template, event string) string {
	t.Helper()
	d := ec2Delivery()
	d.Event = []byte(event)
	got, err := targets.RenderInput(targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: paths, InputTemplate: template}}, d)
	if err != nil {
		t.Fatalf("RenderInput(%s): %v", template, err)
	}
	if !json.Valid(got) {
		t.Fatalf("RenderInput(%s) = %s: not JSON", template, got)
	}
	return string(got)
}

func TestTransformValueKinds(t *testing.T) {
	event := `{"detail":{"n":42,"f":1.5,"b":true,"z":null,"o":{"k": "v", "a": [1, 2]},"arr":["x","y"],"q":"say \"hi\"\n","items":[{"id":"a"},{"id":"b"},{"no":1}]},"resources":["r0","r1"]}`
	paths := map[string]string{
		"n": "$.detail.n", "f": "$.detail.f", "b": "$.detail.b", "z": "$.detail.z",
		"o": "$.detail.o", "arr": "$.detail.arr", "q": "$.detail.q", "missing": "$.detail.nope",
		"r0": "$.resources[0]", "ids": "$.detail.items[*].id", "all": "$.detail.o.*", "root": "$",
	}
	cases := []struct{ template, want string }{
		{`{"n":<n>,"f":<f>,"b":<b>,"z":<z>}`, `{"n":42,"f":1.5,"b":true,"z":null}`},
		{`{"o":<o>,"arr":<arr>}`, `{"o":{"k":"v","a":[1,2]},"arr":["x","y"]}`},
		{`"n=<n> b=<b> z=<z>"`, `"n=42 b=true z=null"`},
		// An object inside a string literal loses its inner quotes.
		{`{"msg":"Body is <o>"}`, `{"msg":"Body is {k:v,a:[1,2]}"}`},
		{`{"msg":"items <arr>"}`, `{"msg":"items [x,y]"}`},
		// Missing paths: null as a value, nothing inside a string.
		{`{"m":<missing>,"s":"[<missing>]"}`, `{"m":null,"s":"[]"}`},
		// Quotes in values keep their escapes: the output stays JSON.
		{`{"q":<q>,"s":"q=<q>"}`, `{"q":"say \"hi\"\n","s":"q=say \"hi\"\n"}`},
		{`say: <q>`, `"say: say \"hi\"\n"`},
		{`{"r":<r0>,"ids":<ids>,"all":<all>}`, `{"r":"r0","ids":["a","b"],"all":["v",[1,2]]}`},
		{`{"whole":<root>}`, `{"whole":` + compact(event) + `}`},
		{`{"e":<aws.events.event.json>}`, `{"e":` + compact(event) + `}`},
		{`{"t":<aws.events.event.ingestion-time>,"s":"at <aws.events.event.ingestion-time>"}`, `{"t":"2015-11-11T21:29:55Z","s":"at 2015-11-11T21:29:55Z"}`},
		{`[<n>, <arr>]`, `[42,["x","y"]]`},
		{`<n>`, `42`},
		{`plain text, no variables`, `"plain text, no variables"`},
		{`1 2`, `"1 2"`},
	}
	for _, c := range cases {
		if got := render(t, paths, c.template, event); got != c.want {
			t.Errorf("template %s\n got %s\nwant %s", c.template, got, c.want)
		}
	}
	t.Logf("value kinds: %d cases", len(cases))
}

func compact(s string) string {
	var b strings.Builder
	in, esc := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if in {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				in = false
			}
		} else if c == ' ' || c == '\n' || c == '\t' {
			continue
		} else if c == '"' {
			in = true
		}
		b.WriteByte(c)
	}
	return b.String()
}

func TestInputAndInputPath(t *testing.T) {
	d := ec2Delivery()
	got, err := targets.RenderInput(targets.Shaping{Input: `{ "fixed" : [1, 2] }`}, d)
	if err != nil || string(got) != `{"fixed":[1,2]}` {
		t.Fatalf("Input: %s, %v", got, err)
	}
	got, err = targets.RenderInput(targets.Shaping{InputPath: "$.detail"}, d)
	if err != nil || string(got) != `{"instance-id":"i-0123456789","state":"RUNNING"}` {
		t.Fatalf("InputPath: %s, %v", got, err)
	}
	got, err = targets.RenderInput(targets.Shaping{}, d)
	if err != nil || string(got) != ec2Event {
		t.Fatalf("no shaping: %s, %v", got, err)
	}
	_, err = targets.RenderInput(targets.Shaping{InputPath: "$.detail.nope"}, d)
	if !targets.IsPermanent(err) || targets.Classify(err).Code != targets.CodeInvalidParameter {
		t.Fatalf("missing InputPath: want a permanent INVALID_PARAMETER error, got %v", err)
	}
	if _, err := targets.RenderInput(targets.Shaping{}, targets.Delivery{Event: []byte(`[1]`)}); err == nil {
		t.Fatal("RenderInput accepted an event that is not an object")
	}
}

func TestShapingConfigErrors(t *testing.T) {
	many := map[string]string{}
	for i := range 101 {
		many[fmt.Sprintf("v%d", i)] = "$.detail"
	}
	cases := []struct {
		name  string
		s     targets.Shaping
		field string // the ConfigError.Field expected
		in    string // text expected in the message
	}{
		{"exclusive", targets.Shaping{Input: `1`, InputPath: "$"}, "Shaping", "mutually exclusive"},
		{"bad Input", targets.Shaping{Input: `{nope`}, "Input", "not valid JSON"},
		{"long Input", targets.Shaping{Input: `"` + strings.Repeat("x", 8192) + `"`}, "Input", "limit is 8192"},
		{"InputPath no $", targets.Shaping{InputPath: "detail.x"}, "InputPath", `must start with "$"`},
		{"InputPath brackets", targets.Shaping{InputPath: "$['detail']"}, "InputPath", "bracket notation"},
		{"InputPath filter", targets.Shaping{InputPath: "$.a[?(@.x)]"}, "InputPath", "not an array index"},
		{"InputPath deep scan", targets.Shaping{InputPath: "$..x"}, "InputPath", "deep scan"},
		{"InputPath bad char", targets.Shaping{InputPath: "$.a b"}, "InputPath", "offset 3"},
		{"InputPath too long", targets.Shaping{InputPath: "$." + strings.Repeat("a", 300)}, "InputPath", "limit is 256"},
		{"too many variables", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: many, InputTemplate: `1`}}, "InputTransformer.InputPathsMap", "101 variables"},
		{"reserved redefined", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"aws.events.rule-name": "$.x"}, InputTemplate: `1`}},
			`InputTransformer.InputPathsMap["aws.events.rule-name"]`, "reserved variable and cannot be redefined"},
		{"aws. prefix", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"AWS.mine": "$.x"}, InputTemplate: `1`}},
			`InputTransformer.InputPathsMap["AWS.mine"]`, "reserved"},
		{"bad variable path", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"state": "$.detail.[0]"}, InputTemplate: `<state>`}},
			`InputTransformer.InputPathsMap["state"]`, "want a field name"},
		{"bad variable name", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"a b": "$.x"}, InputTemplate: `1`}},
			`InputTransformer.InputPathsMap["a b"]`, "may hold only"},
		{"undefined placeholder", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"a": "$.x"}, InputTemplate: `{"a": <a>, "b": <typo>}`}},
			"InputTransformer.InputTemplate", "placeholder <typo> at offset 16"},
		{"placeholder as key", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"k": "$.x"}, InputTemplate: `{<k>: 1}`}},
			"InputTransformer.InputTemplate", "object key"},
		{"placeholder in key string", targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"k": "$.x"}, InputTemplate: `{"a": 1, "<k>": 1}`}},
			"InputTransformer.InputTemplate", "object key"},
		{"event inside string", targets.Shaping{InputTransformer: &targets.InputTransformer{InputTemplate: `{"a": "x <aws.events.event>"}`}},
			"InputTransformer.InputTemplate", "only be used as a JSON value"},
		{"empty template", targets.Shaping{InputTransformer: &targets.InputTransformer{}}, "InputTransformer.InputTemplate", "must not be empty"},
		{"long template", targets.Shaping{InputTransformer: &targets.InputTransformer{InputTemplate: strings.Repeat("x", 8193)}}, "InputTransformer.InputTemplate", "limit is 8192"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := targets.NewShaper(c.s)
			if err == nil {
				t.Fatal("NewShaper accepted it")
			}
			var ce *targets.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
			if ce.Field != c.field {
				t.Errorf("Field = %q, want %q (error: %v)", ce.Field, c.field, err)
			}
			if !strings.Contains(err.Error(), c.in) || !strings.HasPrefix(err.Error(), "targets: ") {
				t.Errorf("error %q does not say %q", err, c.in)
			}
		})
	}
}

func TestShapingReportsEveryProblem(t *testing.T) {
	_, err := targets.NewShaper(targets.Shaping{InputTransformer: &targets.InputTransformer{
		InputPathsMap: map[string]string{"a": "nope", "b": "$.ok", "aws.events.event": "$"},
		InputTemplate: "",
	}})
	for _, want := range []string{`["a"]`, `["aws.events.event"]`, "InputTemplate: must not be empty"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}
