package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
)

const scheduleUsage = `usage:
  rulebridge schedule next EXPR [--tz ZONE] [--from RFC3339] [-n N]
  rulebridge schedule next --cases FILE.jsonl

next prints the next N (default 5) fire times of an AWS schedule expression
(cron(...), rate(...) or at(...)) strictly after --from (default: now), one
RFC 3339 UTC time per line. An invalid expression exits with status 2 and
the reason on stderr.

With --cases, each line of FILE (or standard input for "-") is a JSON
object {"expr": ..., "tz": ..., "from": ..., "n": ...} (only expr is
required; other fields are ignored) and the answer is one line per case,
in input order:
  {"expr":...,"valid":true|false,"error":"...","next":["RFC3339 UTC",...]}
The exit status is 1 if a line could not be read or had a bad tz, from or
n, and 0 otherwise (invalid expressions are answers, not failures).
`

// runSchedule implements "rulebridge schedule".
func runSchedule(_ context.Context, args []string, io stdio) int {
	if len(args) == 0 {
		fmt.Fprint(io.err, scheduleUsage)
		return 2
	}
	switch args[0] {
	case "next":
		return runScheduleNext(args[1:], io)
	case "help", "-h", "--help":
		fmt.Fprint(io.out, scheduleUsage)
		return 0
	}
	fmt.Fprintf(io.err, "rulebridge schedule: unknown subcommand %q\n", args[0])
	fmt.Fprint(io.err, scheduleUsage)
	return 2
}

// runScheduleNext implements "rulebridge schedule next". Flags may come
// before or after EXPR.
func runScheduleNext(args []string, io stdio) int {
	fs := flag.NewFlagSet("schedule next", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() { fmt.Fprint(io.err, scheduleUsage) }
	tz := fs.String("tz", "UTC", "IANA time zone the expression is evaluated in")
	from := fs.String("from", "", "RFC 3339 time to start after (default now)")
	n := fs.Int("n", 5, "number of fire times to print")
	cases := fs.String("cases", "", "JSON-lines file of cases to answer (- for standard input)")
	var positional []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
	now := time.Now().UTC().Truncate(time.Second)
	if *cases != "" {
		if len(positional) > 0 {
			fmt.Fprintln(io.err, "rulebridge schedule next: give either EXPR or --cases, not both")
			return 2
		}
		return runScheduleCases(*cases, now, io)
	}
	if len(positional) != 1 {
		fmt.Fprintf(io.err, "rulebridge schedule next: want one EXPR, got %d arguments (quote the expression)\n", len(positional))
		fmt.Fprint(io.err, scheduleUsage)
		return 2
	}
	if *n < 0 {
		fmt.Fprintf(io.err, "rulebridge schedule next: -n %d is negative\n", *n)
		return 2
	}
	start := now
	if *from != "" {
		t, err := time.Parse(time.RFC3339, *from)
		if err != nil {
			fmt.Fprintf(io.err, "rulebridge schedule next: --from: %v\n", err)
			return 2
		}
		start = t
	}
	s, err := schedule.Parse(positional[0], schedule.WithTimeZone(*tz))
	if err != nil {
		fmt.Fprintf(io.err, "rulebridge schedule next: %v\n", err)
		return 2
	}
	for _, t := range nextTimes(s, start, *n) {
		fmt.Fprintln(io.out, t)
	}
	return 0
}

// nextTimes returns up to n fire times of s after from, in RFC 3339 UTC;
// fewer if the schedule runs out.
func nextTimes(s schedule.Schedule, from time.Time, n int) []string {
	out := []string{}
	for range n {
		from = s.Next(from)
		if from.IsZero() {
			break
		}
		out = append(out, from.UTC().Format(time.RFC3339))
	}
	return out
}

// scheduleCase is one input line of --cases.
type scheduleCase struct {
	Expr *string `json:"expr"`
	TZ   string  `json:"tz"`
	From string  `json:"from"`
	N    *int    `json:"n"`
}

// scheduleResult is one output line of --cases. Keep the fields and their
// order: scripts depend on this shape.
type scheduleResult struct {
	Expr  string   `json:"expr"`
	Valid bool     `json:"valid"`
	Error string   `json:"error"`
	Next  []string `json:"next"`
}

func runScheduleCases(path string, now time.Time, std stdio) int {
	r, err := openInput(path, std.in)
	if err != nil {
		fmt.Fprintf(std.err, "rulebridge schedule next: %v\n", err)
		return 2
	}
	defer r.Close()
	enc := json.NewEncoder(std.out)
	enc.SetEscapeHTML(false)
	status := 0
	err = eachLine(r, func(line int, text []byte) error {
		res, inputErr := answerScheduleCase(text, now)
		if inputErr {
			status = 1
			fmt.Fprintf(std.err, "rulebridge schedule next: %s:%d: %s\n", path, line, res.Error)
		}
		return enc.Encode(res)
	})
	if err != nil {
		fmt.Fprintf(std.err, "rulebridge schedule next: %s: %v\n", path, err)
		return 1
	}
	return status
}

// answerScheduleCase answers one --cases line. inputErr reports a problem with the
// line itself rather than an invalid expression.
func answerScheduleCase(line []byte, now time.Time) (res scheduleResult, inputErr bool) {
	res.Next = []string{}
	var c scheduleCase
	if err := json.Unmarshal(line, &c); err != nil {
		res.Error = "not a JSON object: " + err.Error()
		return res, true
	}
	if c.Expr == nil {
		res.Error = `missing "expr"`
		return res, true
	}
	res.Expr = *c.Expr
	n := 5
	if c.N != nil {
		n = *c.N
	}
	if n < 0 {
		res.Error = fmt.Sprintf("n: %d is negative", n)
		return res, true
	}
	start := now
	if c.From != "" {
		t, err := time.Parse(time.RFC3339, c.From)
		if err != nil {
			res.Error = "from: " + err.Error()
			return res, true
		}
		start = t
	}
	tz := c.TZ
	if tz == "" {
		tz = "UTC"
	}
	s, err := schedule.Parse(res.Expr, schedule.WithTimeZone(tz))
	if err != nil {
		res.Error = err.Error()
		return res, !errors.Is(err, schedule.ErrInvalidExpression)
	}
	res.Valid = true
	res.Next = nextTimes(s, start, n)
	return res, false
}
