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
