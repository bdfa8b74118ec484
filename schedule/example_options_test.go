package schedule_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
)

// MustParse suits expressions written in the program; it panics on a bad
// one, where Parse would return the error.
func ExampleMustParse() {
	daily := schedule.MustParse("cron(0 6 * * ? *)")
	fmt.Println(daily.Next(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)).Format(time.RFC3339))
	defer func() { fmt.Println("panic:", recover()) }()
	schedule.MustParse("cron(0 6 * *)")
	// Output:
	// 2026-05-02T06:00:00Z
	// panic: schedule: expression: cron has 4 fields; want 6: minutes hours day-of-month month day-of-week year
}

// A time zone is an IANA name; the machine's local zone is refused.
func ExampleWithTimeZone() {
	s := schedule.MustParse("cron(0 9 * * ? *)", schedule.WithTimeZone("Europe/Paris"))
	fmt.Println(s.Next(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)).UTC().Format(time.RFC3339))
	_, err := schedule.Parse("cron(0 9 * * ? *)", schedule.WithTimeZone("Local"))
	fmt.Println(err)
	// Output:
	// 2026-07-01T07:00:00Z
	// schedule: time zone "Local" is not an IANA time zone name
}

// WithLocation takes a *time.Location, such as one built with
// time.FixedZone.
func ExampleWithLocation() {
	s := schedule.MustParse("cron(30 8 * * ? *)", schedule.WithLocation(time.FixedZone("UTC+5:30", 5*3600+1800)))
	fmt.Println(s.Next(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)).UTC().Format(time.RFC3339))
	// Output:
	// 2026-07-01T03:00:00Z
}

// A rate with a start date fires at the start date and every interval
// after it.
func ExampleWithStartDate() {
	start := time.Date(2026, 7, 1, 8, 20, 0, 0, time.UTC)
	s := schedule.MustParse("rate(1 hour)", schedule.WithStartDate(start))
	printNext(s, time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), 2)
	// Output:
	// 2026-07-01T12:20:00Z
	// 2026-07-01T13:20:00Z
}

// Nothing fires after the end date; a fire at exactly the end date does.
func ExampleWithEndDate() {
	s := schedule.MustParse("cron(0 12 * * ? *)", schedule.WithEndDate(time.Date(2026, 7, 2, 12, 0, 0, 0, time.UTC)))
	printNext(s, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), 3)
	// Output:
	// 2026-07-01T12:00:00Z
	// 2026-07-02T12:00:00Z
	// no more fires
}

// Two schedules with the same random source give the same delays.
func ExampleWithRandSource() {
	delays := func() [3]time.Duration {
		s := schedule.MustParse("rate(1 hour)",
			schedule.WithFlexibleWindow(10*time.Minute),
			schedule.WithRandSource(rand.NewPCG(7, 7)))
		return [3]time.Duration{s.Delay(), s.Delay(), s.Delay()}
	}
	a, b := delays(), delays()
	fmt.Println(a == b, a[0] < 10*time.Minute)
	// Output:
	// true true
}

// The Scheduler's log reports recovered panics (here without the time
// and the stack, to make the output reproducible).
func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == "stack") {
				return slog.Attr{}
			}
			return a
		},
	}))
	s, err := schedule.NewScheduler(schedule.WithLogger(logger))
	if err != nil {
		panic(err)
	}
	ran := make(chan struct{})
	start := time.Now().Add(10 * time.Millisecond)
	if _, err := s.Add("nightly", schedule.MustParse("rate(1 day)", schedule.WithStartDate(start)), func(context.Context) {
		close(ran)
		panic("disk full")
	}); err != nil {
		panic(err)
	}
	s.Start()
	<-ran
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println("stop:", s.Stop(ctx)) // waits for the run, and its log line
	// Output:
	// level=ERROR msg="schedule: job panicked" job=nightly id=1 panic="disk full"
	// stop: <nil>
}

// SkipIfRunning keeps at most one run of a job going: a fire time that
// comes while the previous run is still running is skipped, with a
// warning in the log, instead of starting a second run beside it. Here a
// job fires every minute from a start date a few milliseconds ahead; its
// first run lasts until Stop, so the fire time a minute later would be
// skipped. (Waiting a minute is too long for an example: the package's
// tests show the skipped runs under a fake clock.)
func ExampleSkipIfRunning() {
	s, err := schedule.NewScheduler()
	if err != nil {
		panic(err)
	}
	start := time.Now().Add(50 * time.Millisecond)
	every := schedule.MustParse("rate(1 minute)", schedule.WithStartDate(start))
	running := make(chan struct{})
	if _, err := s.Add("export", every, func(ctx context.Context) {
		close(running) // never twice: no second run starts while this one runs
		<-ctx.Done()   // a long run, outlasting the next fire time
	}, schedule.SkipIfRunning()); err != nil {
		panic(err)
	}
	s.Start()
	<-running
	job := s.Jobs()[0]
	fmt.Printf("%s is running for the fire time at start+%v; the next, at start+%v, is skipped if it still is\n",
		job.Name, job.Prev.Sub(start), job.Next.Sub(start))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println("stop:", s.Stop(ctx))
	// Output:
	// export is running for the fire time at start+0s; the next, at start+1m0s, is skipped if it still is
	// stop: <nil>
}
