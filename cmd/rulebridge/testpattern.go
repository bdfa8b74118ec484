package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rulebridge/rulebridge/pattern"
)

const testPatternUsage = `usage: rulebridge test-pattern --pattern P --event E
       rulebridge test-pattern --cases FILE.jsonl

Checks an event against an EventBridge event pattern and answers as AWS's
TestEventPattern API does. P and E are each a file name, "-" for standard
input, or inline JSON (text starting with "{" or "[").

Prints "match", or "no match" followed by an explanation of every condition.
Exit status: 0 match, 1 no match, 2 invalid pattern or event (message on
standard error) or bad usage.

With --cases, reads JSON lines {"id":..., "pattern":"...", "event":"..."}
(pattern and event are JSON text in strings) and prints, in input order, one
line per case: {"id":..., "result":"match"|"nomatch"|"invalid", "error":"..."}.
Exit status 0 once every line is answered, 2 if the file cannot be read.
`

func testPattern(_ context.Context, args []string, sio stdio) int {
	fs := flag.NewFlagSet("test-pattern", flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() { fmt.Fprint(sio.err, testPatternUsage) }
	patArg := fs.String("pattern", "", "event pattern: file, - for stdin, or inline JSON")
	evArg := fs.String("event", "", "event: file, - for stdin, or inline JSON")
	cases := fs.String("cases", "", "JSON-lines file of cases to answer in bulk")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *cases != "" {
		if *patArg != "" || *evArg != "" {
			fmt.Fprintln(sio.err, "rulebridge test-pattern: --cases cannot be combined with --pattern or --event")
			return 2
		}
		return runPatternCases(*cases, sio)
	}
	if *patArg == "" || *evArg == "" {
		fmt.Fprintln(sio.err, "rulebridge test-pattern: both --pattern and --event are required")
		fs.Usage()
		return 2
	}
	if *patArg == "-" && *evArg == "-" {
		fmt.Fprintln(sio.err, "rulebridge test-pattern: only one of --pattern and --event can be read from stdin")
		return 2
	}
	pat, err := readArg(*patArg, sio.in)
	if err != nil {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: --pattern: %v\n", err)
		return 2
	}
	ev, err := readArg(*evArg, sio.in)
	if err != nil {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: --event: %v\n", err)
		return 2
	}
	ok, err := pattern.TestEventPattern(pat, ev)
	if err != nil {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: %v\n", err)
		return 2
	}
	if ok {
		fmt.Fprintln(sio.out, "match")
		return 0
	}
	// TestEventPattern accepted both, so these cannot fail.
	p, err := pattern.Compile(pat, pattern.WithMaxPatternSize(4096))
	if err != nil {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: %v\n", err)
		return 2
	}
	x, err := p.Explain(ev)
	if err != nil {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: %v\n", err)
		return 2
	}
	fmt.Fprint(sio.out, x.String())
	return 1
}

// readArg returns the JSON text named by a --pattern or --event argument.
func readArg(arg string, stdin io.Reader) ([]byte, error) {
	if arg == "-" {
		return io.ReadAll(stdin)
	}
	if t := strings.TrimSpace(arg); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return []byte(arg), nil
	}
	return os.ReadFile(arg)
}

type caseLine struct {
	ID      json.RawMessage `json:"id"`
	Pattern *string         `json:"pattern"`
	Event   *string         `json:"event"`
}

type patternCase struct {
	ID     json.RawMessage `json:"id"`
	Result string          `json:"result"`
	Error  string          `json:"error,omitempty"`
}

// runPatternCases answers every line of a JSON-lines file.
func runPatternCases(name string, sio stdio) int {
	r, err := openInput(name, sio.in)
	if err != nil {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: %v\n", err)
		return 2
	}
	defer r.Close()
	w := bufio.NewWriter(sio.out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	err = eachLine(r, func(n int, line []byte) error {
		return enc.Encode(answerPatternCase(line, n))
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintf(sio.err, "rulebridge test-pattern: %s: %v\n", name, err)
		return 2
	}
	return 0
}

func answerPatternCase(line []byte, n int) patternCase {
	var c caseLine
	if err := json.Unmarshal(line, &c); err != nil {
		return patternCase{ID: json.RawMessage("null"), Result: "invalid", Error: fmt.Sprintf("line %d is not a JSON object: %v", n, err)}
	}
	id := c.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if c.Pattern == nil || c.Event == nil {
		return patternCase{ID: id, Result: "invalid", Error: fmt.Sprintf("line %d needs string fields \"pattern\" and \"event\"", n)}
	}
	ok, err := pattern.TestEventPattern([]byte(*c.Pattern), []byte(*c.Event))
	switch {
	case err != nil:
		return patternCase{ID: id, Result: "invalid", Error: err.Error()}
	case ok:
		return patternCase{ID: id, Result: "match"}
	}
	return patternCase{ID: id, Result: "nomatch"}
}
