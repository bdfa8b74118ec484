package rulesfile_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/targets"
)

func ExampleParse() {
	src := `
Rules:
  - Name: big-orders
    EventPattern:
      source: [com.example.orders]
      detail:
        total: [{numeric: [">", 100]}]
    Targets:
      - Id: log
        Stdout: {}
`
	f, err := rulesfile.Parse("rules.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := f.Rules[0]
	fmt.Println(r.Name, r.State, string(r.Pattern))
	fmt.Println(r.Targets[0].ID, r.Targets[0].Sink.Kind())
	// Output:
	// big-orders ENABLED {"source":["com.example.orders"],"detail":{"total":[{"numeric":[">",100]}]}}
	// log Stdout
}

// Load reads a rules file from disk; relative File paths are resolved
// against the file's directory.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "rules")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "rules.yaml")
	src := `
Rules:
  - Name: audit
    EventPattern: {source: [com.example.orders]}
    Targets:
      - Id: archive
        File: {Path: out/orders.jsonl}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	f, err := rulesfile.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	sink := f.Rules[0].Targets[0].Sink.File
	fmt.Println(sink.Path == filepath.Join(dir, "out", "orders.jsonl"))
	_, err = rulesfile.Load(filepath.Join(dir, "missing.yaml"))
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// true
	// true
}

func ExampleParse_errors() {
	src := `
Rules:
  - Name: big-orders
    EventPattern:
      source: com.example.orders
    Targts:
      - Id: log
        Stdout: {}
  - Name: nightly
    ScheduleExpression: cron(0 24 * * ? *)
    Targets:
      - Id: hook
        RetryPolicy: {MaximumRetryAttempts: 200}
        Http: {Endpoint: "${NO_SUCH_VARIABLE}"}
`
	_, err := rulesfile.Parse("rules.yaml", []byte(src))
	fmt.Println(err)
	// Output:
	// rules.yaml:5:15: rule "big-orders": EventPattern: $.source: "source" must be an object or an array
	// rules.yaml:6:5: rule "big-orders": Targts: unknown property; did you mean Targets?
	// rules.yaml:10:25: rule "nightly": ScheduleExpression: hours: 24 is out of range 0-23
	// rules.yaml:13:45: rule "nightly": target "hook": RetryPolicy.MaximumRetryAttempts: 200 is out of range 0-185 (0 means no retries; leave it out for the default, 185)
	// rules.yaml:14:26: rule "nightly": target "hook": Http.Endpoint: environment variable NO_SUCH_VARIABLE is not set
}

func ExampleFile_Build() {
	src := `
Rules:
  - Name: orders
    EventPattern: {source: [com.example.orders]}
    Targets:
      - Id: summary
        InputTransformer:
          InputPathsMap: {id: $.detail.id}
          InputTemplate: '{"order": <id>, "rule": "<aws.events.rule-name>"}'
        Stdout: {}
`
	f, err := rulesfile.Parse("rules.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	built, err := f.Build(rulesfile.BuildOptions{Stdout: os.Stdout})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer built.Close()
	for i, r := range f.Rules {
		for _, bt := range built.Targets[i] {
			t, err := targets.Wrap(bt.Target, bt.Config)
			if err != nil {
				fmt.Println(err)
				return
			}
			ev := []byte(`{"id":"1","source":"com.example.orders","detail":{"id":42}}`)
			_ = t.Deliver(context.Background(), targets.Delivery{Payload: ev, Event: ev, EventID: "1", RuleName: r.Name, TargetID: bt.ID})
		}
	}
	// Output:
	// {"order":42,"rule":"orders"}
}

func ExampleNewLineWriter() {
	w := rulesfile.NewLineWriter(os.Stdout)
	_ = w.Deliver(context.Background(), targets.Delivery{Payload: []byte("{\n  \"hello\": \"world\"\n}")})
	// Output:
	// {"hello":"world"}
}
