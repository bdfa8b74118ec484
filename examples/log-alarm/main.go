// Command log-alarm reads an application log and pages on what it finds:
// an alert for every [ERROR] line, and an alarm when three or more [WARN]
// lines arrive within five minutes (and word when they no longer do).
//
//	log-alarm [-speed N] [file]    # reads standard input without a file
//	log-alarm -speed 60 app.log    # the sample log, in 15 seconds
//	tail -F /var/log/app.log | log-alarm
//
// Each line, such as
//
//	2026-03-02T09:00:41Z [WARN] disk 91% full on /var
//
// becomes an event (source "app.log", detail {"level", "message"}, time
// from the line) on a rules.Bus. A rule with a pattern on the level fires
// the alerts; a rule with a Threshold of 3 in 5 minutes is the alarm, and
// a third rule routes its Alarm State Change events back to OK.
//
// An alarm's window is measured on the clock, not on the events' times.
// So the lines are put at the pace of their timestamps: a line is held
// until as long after the first line as its timestamp says (lines that
// arrive later, as from tail -F, go at once). -speed N replays N times
// faster and shrinks the window by as much (N must divide 300, for a
// window of whole seconds); the Bus's clock maps back to the log's time, so
// the output is the same at any speed, but for the window's edges, which
// are exact to within N times its bucket width in log time (0.5 s at speed
// 1, 0.6 s at speed 60; see package rules, "Alarms"). The test replays
// the sample log in a testing/synctest bubble, where they are exact. Lines
// that are not log lines are reported on standard error and skipped.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"regexp"
	"sync"
	"time"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

func main() {
	speed := flag.Float64("speed", 1, "replay `N` times faster than the timestamps (N divides 300)")
	flag.Parse()
	in := io.Reader(os.Stdin)
	if flag.NArg() > 0 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		in = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, in, os.Stdout, os.Stderr, *speed); err != nil {
		log.Fatal(err)
	}
}

var logLine = regexp.MustCompile(`^(\S+) \[([A-Z]+)\] (.*)$`)

func run(ctx context.Context, in io.Reader, out, errOut io.Writer, speed float64) error {
	if speed <= 0 {
		return fmt.Errorf("-speed %g is not positive", speed)
	}
	clock := &replayClock{speed: speed}
	bus, err := rules.New(rules.WithClock(clock.now))
	if err != nil {
		return err
	}
	defer bus.Close(context.Background())

	// say returns a target that prints a line of the event's time and text.
	var mu sync.Mutex
	say := func(text func(message string, value float64) string) targets.Target {
		return targets.Func(func(_ context.Context, d targets.Delivery) error {
			var ev struct {
				Time   time.Time
				Detail struct {
					Message string                                       // of a log line
					State   struct{ ReasonData struct{ Value float64 } } // of an alarm
				}
			}
			if err := json.Unmarshal(d.Payload, &ev); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(out, ev.Time.Format("15:04:05"), text(ev.Detail.Message, ev.Detail.State.ReasonData.Value))
			return nil
		})
	}
	window := time.Duration(float64(5*time.Minute) / speed)
	for _, r := range []struct {
		rule   rules.Rule
		target targets.Target
	}{
		{rules.Rule{Name: "errors", EventPattern: `{"source": ["app.log"], "detail": {"level": ["ERROR"]}}`},
			say(func(msg string, _ float64) string { return "ERROR: " + msg })},
		{rules.Rule{Name: "warn-burst", EventPattern: `{"source": ["app.log"], "detail": {"level": ["WARN"]}}`,
			Threshold: &rules.Threshold{Count: 3, Period: window}},
			say(func(_ string, n float64) string { return fmt.Sprintf("ALARM: %g WARN lines within 5 minutes", n) })},
		{rules.Rule{Name: "warn-burst-over", EventPattern: `{"source": ["rulebridge.alarms"], "detail": {"alarmName": ["warn-burst"],
			"previousState": {"value": ["ALARM"]}, "state": {"value": ["OK"]}}}`},
			say(func(_ string, n float64) string { return fmt.Sprintf("OK: %g WARN lines in the last 5 minutes", n) })},
	} {
		if _, err := bus.PutRule(ctx, r.rule); err != nil {
			return fmt.Errorf("-speed %g: %w", speed, err)
		}
		if err := bus.PutTargets(ctx, r.rule.Name, rules.Target{ID: "print", Target: r.target}); err != nil {
			return err
		}
	}

	sc := bufio.NewScanner(in)
	for n := 1; sc.Scan(); n++ {
		m := logLine.FindStringSubmatch(sc.Text())
		var at time.Time
		if m != nil {
			at, err = time.Parse(time.RFC3339, m[1])
		}
		if m == nil || err != nil {
			fmt.Fprintf(errOut, "line %d: not \"<RFC 3339 time> [LEVEL] message\": skipped\n", n)
			continue
		}
		if err := clock.wait(ctx, at); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]string{"level": m[2], "message": m[3]})
		res, err := bus.PutEvents(ctx, rules.Entry{Source: "app.log", DetailType: "Log Line", Detail: string(detail), Time: at})
		if err != nil {
			return err
		}
		if e := res.Entries[0]; e.ErrorCode != "" {
			fmt.Fprintf(errOut, "line %d: %s: %s\n", n, e.ErrorCode, e.ErrorMessage)
		}
		if err := bus.Flush(ctx); err != nil { // print in the log's order
			return err
		}
	}
	return sc.Err()
}

// replayClock maps the time since the first line back to the log's time.
type replayClock struct {
	speed float64
	mu    sync.Mutex
	first time.Time // the first line's timestamp; zero before it
	start time.Time // when it was put
}

// now is the Bus's clock: the log's time, once a line has been seen.
func (c *replayClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first.IsZero() {
		return time.Now()
	}
	return c.first.Add(time.Duration(float64(time.Since(c.start)) * c.speed).Round(time.Millisecond))
}

// wait waits until the line of time at is due.
func (c *replayClock) wait(ctx context.Context, at time.Time) error {
	c.mu.Lock()
	if c.first.IsZero() {
		c.first, c.start = at, time.Now()
	}
	due := c.start.Add(time.Duration(float64(at.Sub(c.first)) / c.speed))
	c.mu.Unlock()
	t := time.NewTimer(time.Until(due))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
