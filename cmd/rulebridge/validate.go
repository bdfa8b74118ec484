package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/rules"
)

const validateUsage = `usage: rulebridge validate --rules FILE

Checks a rules file (YAML or JSON, with CloudFormation's AWS::Events::Rule
property names) without running anything: its syntax and properties, every
event pattern, schedule expression and time zone, input transformer, retry
policy and HTTP setting, every Condition (compiled as the engine compiles
it), that the environment variables it refers to as ${NAME} are set, and
that the directory of every File path exists (no file is created, nothing
is sent), and every Threshold (checked against the engine's bounds). A file
validate accepts is one "rulebridge run" starts.

Prints "ok: N rules, M targets" and exits 0 when the file is valid.
Otherwise prints every problem on standard error, one per line, as
FILE:LINE:COLUMN: rule "NAME": target "ID": PROPERTY: reason
and exits 2 (also for bad usage).
`

// runValidate implements "rulebridge validate".
func runValidate(ctx context.Context, args []string, sio stdio) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() { fmt.Fprint(sio.err, validateUsage) }
	rulesPath := fs.String("rules", "", "rules file to check (YAML or JSON)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(sio.err, "rulebridge validate: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *rulesPath == "" {
		fmt.Fprintln(sio.err, "rulebridge validate: --rules is required")
		fs.Usage()
		return 2
	}
	f, err := loadRules(*rulesPath)
	if err == nil {
		err = checkConditions(ctx, f)
	}
	if err != nil {
		fmt.Fprintln(sio.err, err)
		return 2
	}
	targets := 0
	for _, r := range f.Rules {
		targets += len(r.Targets)
	}
	fmt.Fprintf(sio.out, "ok: %s, %s\n", plural(len(f.Rules), "rule"), plural(targets, "target"))
	return 0
}

// checkConditions puts f's rules (disabled: nothing fires) on a bus of its
// own, which compiles their conditions, and returns the located errors.
func checkConditions(ctx context.Context, f *rulesfile.File) error {
	bus, err := rules.New()
	if err != nil {
		return err
	}
	defer bus.Close(context.WithoutCancel(ctx))
	return putRules(ctx, bus, f)
}

// plural returns "1 rule", "2 rules", "0 rules".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
