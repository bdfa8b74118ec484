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
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// stdio is the standard streams a command reads and writes; tests pass
// buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
	// tty is true when err is a terminal, where long runs show progress.
	tty bool
}

// A command runs one subcommand with its arguments and returns the process
// exit code. ctx ends when the process is asked to stop (SIGINT or
// SIGTERM); commands that run until then watch it, tests cancel it.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, io stdio) int
}

// commands lists every subcommand. Each lives in its own file.
var commands = map[string]command{
	"run":          {summary: "run the rules of a file on events from a file, standard input or HTTP", run: runRun},
	"schedule":     {summary: "print the next fire times of AWS schedule expressions", run: runSchedule},
	"test-pattern": {summary: "check an event against an event pattern, as AWS TestEventPattern does", run: testPattern},
	"validate":     {summary: "check a rules file without running it", run: runValidate},
}

func main() {
	// The first SIGINT or SIGTERM ends ctx: commands stop taking input and
	// drain. Once it has, the signals get their default behaviour back, so
	// a second one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, tty: isTerminal(os.Stderr)})
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a terminal (a character device, which
// /dev/null also is: progress written there is lost, harmlessly).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// run dispatches to a subcommand and returns the exit code.
func run(ctx context.Context, args []string, io stdio) int {
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
	return cmd.run(ctx, args[1:], io)
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
