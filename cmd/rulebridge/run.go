package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rulebridge/rulebridge/internal/rulesfile"
	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

const runUsage = `usage: rulebridge run --rules FILE [--events FILE|-] [--listen ADDR] [flags]

Runs the rules of FILE (YAML or JSON, as "rulebridge validate" checks it):
events are matched against the rules' patterns and delivered to their
targets, with retries and dead-lettering; scheduled rules fire on their
schedules for as long as the command runs. A bad rules file is reported,
every problem with its file, line, rule and target, before anything runs.

--events FILE reads events from FILE ("-": standard input), one JSON object
a line: a PutEvents entry
  {"Source": "...", "DetailType": "...", "Detail": {...} or "{...}", "Resources": [...], "Time": ...}
(Time: RFC 3339 text, or seconds since 1970 as the AWS SDKs send it)
or a full event
  {"source": "...", "detail-type": "...", "detail": {...}, "id": ..., "time": ..., ...}
A line that cannot be put is reported on standard error with its line
number and skipped. At the end of the input the command waits until every
delivery has been made or dead-lettered, then exits (with --listen it
says so on standard error and keeps serving).

--listen ADDR serves HTTP on ADDR (such as :8080, or 127.0.0.1:0 for a free
port; the address is printed on standard error):
  POST /events   {"Entries": [...]}, 1 to 10 PutEvents entries (as above;
                 not full events), answered as PutEvents answers:
                 {"FailedEntryCount": N, "Entries": [...]}
                 (400 for a malformed request, 413 for a body over 1 MiB)
  GET /metrics   the counters, in Prometheus text format (rulebridge_*),
                 and each rule's (rulebridge_rule_*{rule="NAME"})
  GET /healthz   200 "ok"
--token-file FILE makes POST /events and GET /metrics require the header
"Authorization: Bearer TOKEN", TOKEN being the first line of FILE (401
otherwise; /healthz stays open). Without it there is no authentication:
then listen on an interface only trusted clients reach (such as
127.0.0.1). The token travels in clear text over HTTP: put a TLS proxy in
front when clients are not on the same host or network.
With --listen, or with neither --events nor --listen, the command runs until
SIGINT or SIGTERM; it then stops taking events, waits for pending
deliveries (at most --shutdown-timeout; those still pending are then
dead-lettered with the code INTERRUPTED) and exits. A second signal ends it
at once.

Standard output holds only what Stdout targets write, one JSON document a
line. Everything else goes to standard error: bad input lines, the log
(--log-level), progress on a terminal, and at exit a summary:
  rulebridge: 5 events, 4 matched, 6 delivered, 2 retried, 1 dead-lettered, 0 failed, 0 rejected
(events accepted, events that matched a rule, deliveries made, retries,
events dead-lettered, events neither delivered nor dead-lettered, input
lines and HTTP entries refused).

Exit status: 0 when all went well; 1 when an input line was rejected, an
event failed without being dead-lettered, the input was interrupted, or
the shutdown timed out; 2 for bad usage, a bad rules file, an events file
that cannot be opened or an address that cannot be listened on.

Flags:
`

// maxBodySize bounds the body of a POST /events request: ten entries of
// a few kilobytes, or a few of the bus's largest (256 KB).
const maxBodySize = 1 << 20

// runRun implements "rulebridge run".
func runRun(ctx context.Context, args []string, sio stdio) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() { fmt.Fprint(sio.err, runUsage); fs.PrintDefaults() }
	rulesPath := fs.String("rules", "", "rules `file` to run (YAML or JSON)")
	eventsPath := fs.String("events", "", "JSON-lines `file` of events to put (- for standard input)")
	listen := fs.String("listen", "", "`address` to serve HTTP on (host:port)")
	tokenFile := fs.String("token-file", "", "`file` whose first line is the bearer token --listen requires")
	logLevel := fs.String("log-level", "info", "log `level`: debug (every attempt), info (retries, with the failed attempt's error), warn (failures, dead-letters) or error")
	shutdownTimeout := fs.Duration("shutdown-timeout", 30*time.Second, "how long to wait for pending deliveries after a signal (0: no limit)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageError := func(format string, args ...any) int {
		fmt.Fprintf(sio.err, "rulebridge run: "+format+"\n", args...)
		fs.Usage()
		return 2
	}
	var level slog.Level
	switch {
	case fs.NArg() > 0:
		return usageError("unexpected argument %q", fs.Arg(0))
	case *rulesPath == "":
		return usageError("--rules is required")
	case level.UnmarshalText([]byte(*logLevel)) != nil:
		return usageError("--log-level %q is not debug, info, warn or error", *logLevel)
	case *shutdownTimeout < 0:
		return usageError("--shutdown-timeout %v is negative", *shutdownTimeout)
	case *tokenFile != "" && *listen == "":
		return usageError("--token-file needs --listen")
	}
	var token string
	if *tokenFile != "" {
		t, err := readToken(*tokenFile)
		if err != nil {
			fmt.Fprintf(sio.err, "rulebridge run: --token-file: %v\n", err)
			return 2
		}
		token = t
	}

	f, err := loadRules(*rulesPath)
	if err != nil {
		fmt.Fprintln(sio.err, err)
		return 2
	}
	rn := &runner{sio: sio, errw: sio.err, rulesPath: *rulesPath, rules: f, shutdownTimeout: *shutdownTimeout, token: token}
	if sio.tty {
		rn.status = newStatusLine(sio.err)
		rn.errw = rn.status
	}
	var events io.ReadCloser
	if *eventsPath != "" {
		if events, err = openInput(*eventsPath, sio.in); err != nil {
			fmt.Fprintf(sio.err, "rulebridge run: %v\n", err)
			return 2
		}
		defer events.Close()
	}
	var ln net.Listener
	if *listen != "" {
		if ln, err = net.Listen("tcp", *listen); err != nil {
			fmt.Fprintf(sio.err, "rulebridge run: --listen: %v\n", err)
			return 2
		}
		defer ln.Close() // in case setup fails; Serve closes it otherwise
	}
	if code := rn.setup(ctx, level); code != 0 {
		return code
	}
	return rn.run(ctx, *eventsPath, events, ln)
}

// A runner is one "rulebridge run": the rules file, the bus running it, the
// built targets, and the counts the summary reports.
type runner struct {
	sio             stdio
	errw            io.Writer   // standard error, through status when it is set
	status          *statusLine // the progress line on a terminal; nil otherwise
	rulesPath       string
	rules           *rulesfile.File
	shutdownTimeout time.Duration
	token           string // the bearer token of --listen; "" for none

	bus           *rules.Bus
	built         *rulesfile.Built
	httpThrottles targets.Counters // the Http targets' own rate-limit waits
	ruleThrottles ruleThrottles    // the same, by rule

	invalid     atomic.Int64 // input lines and HTTP entries refused before reaching the bus
	badLines    int          // input lines refused, by run or by the bus
	linesRead   atomic.Int64 // input lines read, for progress
	lastLine    int          // the number of the last input line read
	interrupted bool         // the input was not read to its end
}

// setup creates the bus, puts the rules (disabled), builds and puts the
// targets, then enables the rules, so that nothing fires before everything
// is in place. The log is quiet (Warn) until then, as the management calls
// are logged at Info; then it takes level. It returns 0, or the exit code
// after reporting the problem (and releasing what it made).
func (rn *runner) setup(ctx context.Context, level slog.Level) int {
	lv := new(slog.LevelVar)
	lv.Set(slog.LevelWarn)
	logger := slog.New(slog.NewTextHandler(rn.errw, &slog.HandlerOptions{Level: lv, ReplaceAttr: dropTime}))
	bus, err := rules.New(rules.WithLogger(logger))
	if err != nil {
		fmt.Fprintf(rn.sio.err, "rulebridge run: %v\n", err)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(rn.sio.err, err)
		_ = bus.Close(context.WithoutCancel(ctx))
		if rn.built != nil {
			_ = rn.built.Close()
		}
		return 2
	}
	if err := putRules(ctx, bus, rn.rules); err != nil {
		return fail(err)
	}
	// Http targets wait for their own rate limit without the bus seeing
	// it: count and log their Throttled notices here.
	rn.ruleThrottles = newRuleThrottles(rn.rules)
	opts := rulesfile.BuildOptions{Stdout: rn.sio.out,
		Observer: targets.MultiObserver(&rn.httpThrottles, rn.ruleThrottles, targets.NewLogObserver(logger))}
	if rn.built, err = rn.rules.Build(opts); err != nil {
		return fail(err)
	}
	if err := putTargets(ctx, bus, rn.rules, rn.built); err != nil {
		return fail(err)
	}
	if err := enableRules(ctx, bus, rn.rules); err != nil {
		return fail(fmt.Errorf("rulebridge run: %w", err))
	}
	lv.Set(level)
	rn.bus = bus
	return 0
}

// dropTime removes the time from log records: a command's log lines are
// read as they come, and services that collect them add their own.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// run feeds the events, serves HTTP, waits for the end (of the input, or
// ctx with --listen or without --events), shuts down and prints the
// summary. It returns the exit code.
func (rn *runner) run(ctx context.Context, eventsPath string, events io.Reader, ln net.Listener) int {
	var srv *http.Server
	serveErr := make(chan error, 1)
	if ln != nil {
		srv = &http.Server{
			Handler:           newHandler(rn.bus, rn.metrics, rn.ruleMetrics, &rn.invalid, rn.token),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       time.Minute,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(rn.errw, &slog.HandlerOptions{ReplaceAttr: dropTime}), slog.LevelWarn),
		}
		fmt.Fprintf(rn.errw, "rulebridge: %s from %s; listening on http://%s\n", rn.ruleCount(), rn.rulesPath, ln.Addr())
		go func() { serveErr <- srv.Serve(ln) }() // ends with srv.Shutdown below
	} else if events == nil {
		fmt.Fprintf(rn.errw, "rulebridge: %s from %s; running until interrupted\n", rn.ruleCount(), rn.rulesPath)
	}

	if events != nil {
		stop := rn.showProgress()
		if !rn.feed(ctx, eventsPath, events) {
			rn.interrupted = true
			if ctx.Err() != nil {
				fmt.Fprintf(rn.errw, "rulebridge: stopping: the input was not read to its end (last line read: %d)\n", rn.lastLine)
			}
		} else if err := rn.bus.Flush(ctx); err != nil {
			rn.interrupted = true // signalled while waiting: Close drains, within the timeout
		} else if ln != nil {
			fmt.Fprintf(rn.errw, "rulebridge: %s read to its end and delivered; still listening\n", inputName(eventsPath))
		}
		stop()
	}
	if ln != nil || events == nil {
		select {
		case <-ctx.Done():
		case err := <-serveErr:
			fmt.Fprintf(rn.errw, "rulebridge run: %v\n", err)
			rn.interrupted = true
		}
	}
	return rn.shutdown(ctx, srv)
}

// metrics returns the bus's counters, with the Http targets' rate-limit
// waits added to ThrottledRules.
func (rn *runner) metrics() rules.Metrics {
	m := rn.bus.Metrics()
	m.ThrottledRules += rn.httpThrottles.Snapshot().ThrottledRules
	return m
}

// ruleMetrics returns the rules' counters, ordered by name, each with
// its Http targets' rate-limit waits added to ThrottledRules.
func (rn *runner) ruleMetrics() []rules.RuleMetrics {
	rs := rn.bus.ListRuleMetrics("")
	for i := range rs {
		if c := rn.ruleThrottles[rs[i].Name]; c != nil {
			rs[i].ThrottledRules += c.Load()
		}
	}
	return rs
}

// ruleCount says "3 rules, 4 targets".
func (rn *runner) ruleCount() string {
	targets := 0
	for _, r := range rn.rules.Rules {
		targets += len(r.Targets)
	}
	return plural(len(rn.rules.Rules), "rule") + ", " + plural(targets, "target")
}

// shutdown stops the HTTP server (no new requests; those in progress
// finish), then closes the bus, which stops the schedules and waits for the
// pending deliveries, within the shutdown timeout once ctx has ended. It
// prints the summary and returns the exit code.
func (rn *runner) shutdown(ctx context.Context, srv *http.Server) int {
	drain := context.WithoutCancel(ctx)
	if ctx.Err() != nil {
		limit := "no time limit"
		if rn.shutdownTimeout > 0 {
			limit = "at most " + rn.shutdownTimeout.String()
			var cancel context.CancelFunc
			drain, cancel = context.WithTimeout(drain, rn.shutdownTimeout)
			defer cancel()
		}
		if n := rn.bus.Metrics().PendingDeliveries; n > 0 {
			fmt.Fprintf(rn.errw, "rulebridge: stopping: waiting for the pending deliveries (%d, %s)\n", n, limit)
		}
	}
	failed := rn.interrupted
	if srv != nil {
		if err := srv.Shutdown(drain); err != nil {
			fmt.Fprintf(rn.errw, "rulebridge run: stopping the HTTP server: %v\n", err)
			_ = srv.Close()
			failed = true
		}
	}
	if err := rn.bus.Close(drain); err != nil {
		fmt.Fprintf(rn.errw, "rulebridge run: %v\n", err)
		failed = true
	}
	if err := rn.built.Close(); err != nil {
		fmt.Fprintf(rn.errw, "rulebridge run: closing targets: %v\n", err)
		failed = true
	}
	m := rn.metrics()
	lost := m.FailedInvocations + m.InvocationsFailedToBeSentToDlq
	fmt.Fprintf(rn.errw, "rulebridge: %s, %d matched, %d delivered, %d retried, %d dead-lettered, %d failed, %d rejected\n",
		plural(int(m.Events), "event"), m.MatchedEvents, m.SuccessfulInvocationAttempts, m.RetryInvocationAttempts,
		m.InvocationsSentToDlq, lost, rn.invalid.Load()+m.PutEventsFailedEntries)
	if failed || rn.badLines > 0 || lost > 0 {
		return 1
	}
	return 0
}

// feed puts each line of r on the bus, reporting and skipping the lines
// that cannot be put. It returns true at the end of r, false when ctx ended
// first or r could not be read to its end.
func (rn *runner) feed(ctx context.Context, name string, r io.Reader) bool {
	type line struct {
		n    int
		text []byte
	}
	// The reader runs on a goroutine of its own so that a signal is seen
	// while it waits for input. It stops at the end of r or, once ctx has
	// ended, at its next line; a read from standard input that never
	// returns keeps it until the process exits.
	lines := make(chan line, 64)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		readErr <- eachLine(r, func(n int, text []byte) error {
			select {
			case lines <- line{n, bytes.Clone(text)}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for {
		select {
		case <-ctx.Done():
			return false
		case l, ok := <-lines:
			if !ok {
				if err := <-readErr; err != nil {
					if ctx.Err() == nil {
						fmt.Fprintf(rn.errw, "%s: %v\n", name, err)
					}
					return false
				}
				return true
			}
			if ctx.Err() != nil {
				return false
			}
			rn.linesRead.Add(1)
			rn.lastLine = l.n
			if msg := rn.put(ctx, l.text); msg != "" {
				rn.badLines++
				fmt.Fprintf(rn.errw, "%s:%d: %s\n", name, l.n, msg)
			}
		}
	}
}

// put puts one input line on the bus and returns what was wrong with it,
// or "".
func (rn *runner) put(ctx context.Context, text []byte) string {
	in, err := decodeInput(text, true)
	if err != nil {
		rn.invalid.Add(1)
		return err.Error()
	}
	var res rules.PutEventsResult
	if in.raw != nil {
		res, err = rn.bus.PutRawEvents(ctx, in.raw)
	} else {
		res, err = rn.bus.PutEvents(ctx, in.entry)
	}
	if err != nil {
		return err.Error()
	}
	if e := res.Entries[0]; e.ErrorCode != "" {
		return e.ErrorCode + ": " + e.ErrorMessage
	}
	return ""
}

// readToken returns the first line of the file at path, without
// surrounding white space: the bearer token of --token-file. A file whose
// first line is empty is an error, so that a blank file cannot turn the
// check off.
func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	token := strings.TrimSpace(line)
	switch {
	case token == "":
		return "", fmt.Errorf("%s: the first line is empty", path)
	case strings.ContainsFunc(token, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", fmt.Errorf("%s: the token has control characters", path)
	}
	return token, nil
}

// inputName names the --events input in messages.
func inputName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}
