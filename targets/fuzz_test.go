package targets_test

import (
	"encoding/json"
	"testing"

	"github.com/rulebridge/rulebridge/targets"
)

// FuzzInputTransformer checks that compiling never panics, and that every
// template that compiles renders valid JSON against any valid event.
func FuzzInputTransformer(f *testing.F) {
	f.Add(`{"a": <a>, "s": "x <a> y"}`, "$.detail.a", ec2Event)
	f.Add(`"<a> is <a>"`, "$.detail", ec2Event)
	f.Add(`<a> plain "text" \ <aws.events.rule-name>`, "$.resources[*]", ec2Event)
	f.Add(`[<a>, <aws.events.event>, <aws.events.event.json>]`, "$", `{"detail":{"a":"q\"uote\\"}}`)
	f.Add(`{"k": "<a>"}`, "$.detail.*", `{"detail":{"a":{"b":[1,{"c":"d"}]}}}`)
	f.Fuzz(func(t *testing.T, template, path, event string) {
		if !json.Valid([]byte(event)) {
			return
		}
		s := targets.Shaping{InputTransformer: &targets.InputTransformer{InputPathsMap: map[string]string{"a": path}, InputTemplate: template}}
		sh, err := targets.NewShaper(s)
		if err != nil {
			return
		}
		out, err := sh.Render(targets.Delivery{Event: []byte(event), RuleName: `r"ule`, RuleARN: "arn"})
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("template %q, path %q, event %q: output %q is not JSON", template, path, event, out)
		}
	})
}

// FuzzInputPath checks that any path that compiles selects valid JSON or
// nothing.
func FuzzInputPath(f *testing.F) {
	for _, p := range []string{"$", "$.detail", "$.resources[0]", "$.detail.*", "$.a[*].b", "$.a/b-c_d"} {
		f.Add(p, ec2Event)
	}
	f.Fuzz(func(t *testing.T, path, event string) {
		if !json.Valid([]byte(event)) {
			return
		}
		sh, err := targets.NewShaper(targets.Shaping{InputPath: path})
		if err != nil {
			return
		}
		out, err := sh.Render(targets.Delivery{Event: []byte(event)})
		if err == nil && !json.Valid(out) {
			t.Fatalf("path %q on %q selected %q: not JSON", path, event, out)
		}
	})
}
