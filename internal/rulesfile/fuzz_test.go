package rulesfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/targets"
)

// FuzzLoad checks that Parse never panics, that a failure is a non-empty
// ErrorList of problems that each carry the file name, and that what it
// accepts is valid (patterns compile, shapings and retry policies check).
// The seed corpus is the examples and the inputs under testdata/fuzz.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{
		"../../examples/quickstart/rules.yaml",
		"../../examples/audit-alerts/rules.yaml",
		"../../examples/webhook/rules.yaml",
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(fullYAML))
	f.Add([]byte(fullJSON))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := rulesfile.Parse(filepath.Join("dir", "fuzz.yaml"), data)
		if err != nil {
			var list rulesfile.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not a non-empty ErrorList: %v", err, err)
			}
			for _, e := range list {
				if e.File != filepath.Join("dir", "fuzz.yaml") || e.Reason == "" || e.Line < 0 || e.Column < 0 {
					t.Fatalf("malformed problem %+v", e)
				}
			}
			return
		}
		names := map[string]bool{}
		for _, r := range file.Rules {
			if names[r.Name] {
				t.Fatalf("duplicate rule name %q accepted", r.Name)
			}
			names[r.Name] = true
			if r.Pattern == nil && r.Schedule == "" {
				t.Fatalf("rule %q has neither pattern nor schedule", r.Name)
			}
			if r.Pattern != nil {
				if _, err := pattern.Compile(r.Pattern); err != nil {
					t.Fatalf("rule %q: accepted pattern does not compile: %v", r.Name, err)
				}
			}
			if len(r.Targets) > 5 {
				t.Fatalf("rule %q has %d targets", r.Name, len(r.Targets))
			}
			for _, tg := range r.Targets {
				if _, err := targets.NewShaper(tg.Shaping); err != nil {
					t.Fatalf("accepted shaping does not check: %v", err)
				}
				if err := tg.RetryPolicy.Validate(); err != nil {
					t.Fatalf("accepted retry policy does not check: %v", err)
				}
				if tg.Sink.Kind() == "" {
					t.Fatalf("target %q has no kind", tg.ID)
				}
			}
		}
	})
}
