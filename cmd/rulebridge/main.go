// Command rulebridge runs EventBridge-style rules from a file and tests event
// patterns and schedule expressions from the shell.
//
// Usage:
//
//	rulebridge <command> [flags]
//
// Run "rulebridge help" for the list of commands.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// stdio is the standard streams a command reads and writes; tests pass
// buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// A command runs one subcommand with its arguments and returns the process
// exit code.
type command struct {
	summary string
	run     func(args []string, io stdio) int
}

// commands lists every subcommand. Each lives in its own file.
var commands = map[string]command{
	"schedule":     {summary: "print the next fire times of AWS schedule expressions", run: runSchedule},
	"test-pattern": {summary: "check an event against an event pattern, as AWS TestEventPattern does", run: testPattern},
	"validate":     {summary: "check a rules file without running it", run: runValidate},
}

func main() {
	os.Exit(run(os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

// run dispatches to a subcommand and returns the exit code.
func run(args []string, io stdio) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(io.out)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(io.err, "rulebridge: unknown command %q\n", args[0])
		usage(io.err)
		return 2
	}
	return cmd.run(args[1:], io)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: rulebridge <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-14s %s\n", name, commands[name].summary)
	}
}
