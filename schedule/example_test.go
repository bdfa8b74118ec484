package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rulebridge/rulebridge/schedule"
)

// printNext prints the next n fire times of s after from, in UTC.
func printNext(s schedule.Schedule, from time.Time, n int) {
	for range n {
		from = s.Next(from)
		if from.IsZero() {
			fmt.Println("no more fires")
			return
		}
		fmt.Println(from.UTC().Format(time.RFC3339))
	}
}

// A cron expression in a time zone: every Friday at 07:00 Tokyo time.
func ExampleParse() {
	s, err := schedule.Parse("cron(0 7 ? * FRI *)", schedule.WithTimeZone("Asia/Tokyo"))
	if err != nil {
		panic(err)
	}
	printNext(s, time.Date(2027, 1, 25, 0, 0, 0, 0, time.UTC), 3)
	// Output:
	// 2027-01-28T22:00:00Z
	// 2027-02-04T22:00:00Z
	// 2027-02-11T22:00:00Z
}

// AWS's cron extras: the last Friday of the month, in 2026 only.
func ExampleParse_lastFriday() {
	s := schedule.MustParse("cron(15 10 ? * 6L 2026)")
	printNext(s, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), 4)
	// Output:
	// 2026-10-30T10:15:00Z
	// 2026-11-27T10:15:00Z
	// 2026-12-25T10:15:00Z
	// no more fires
}

// A rate counts from its start date (or, without one, from the first call
// to Next).
func ExampleParse_rate() {
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	s := schedule.MustParse("rate(90 minutes)", schedule.WithStartDate(start))
	printNext(s, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), 3)
	// Output:
	// 2026-01-01T08:00:00Z
	// 2026-01-01T09:30:00Z
	// 2026-01-01T11:00:00Z
}

// A one-time schedule: local wall time in the schedule's time zone.
func ExampleParse_at() {
	s := schedule.MustParse("at(2027-01-29T09:00:00)", schedule.WithTimeZone("Europe/London"))
	printNext(s, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 2)
	// Output:
	// 2027-01-29T09:00:00Z
	// no more fires
}

// Start and end dates bound a recurring schedule; both are inclusive.
func ExampleParse_options() {
	s := schedule.MustParse("cron(0 9 ? * MON-FRI *)",
		schedule.WithTimeZone("America/New_York"),
		schedule.WithStartDate(time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)),
		schedule.WithEndDate(time.Date(2026, 3, 10, 23, 59, 0, 0, time.UTC)),
	)
	fmt.Println(s.Describe())
	printNext(s, time.Time{}, 5)
	// Output:
	// at 09:00, only on Monday through Friday, America/New_York, from 2026-03-06T00:00:00Z, until 2026-03-10T23:59:00Z
	// 2026-03-06T14:00:00Z
	// 2026-03-09T13:00:00Z
	// 2026-03-10T13:00:00Z
	// no more fires
}

// Daylight saving: the spring-forward gap is skipped, and a time repeated
// at fall-back fires once, at its first occurrence.
func ExampleParse_daylightSaving() {
	ny := schedule.WithTimeZone("America/New_York")
	spring := schedule.MustParse("cron(30 2 * * ? *)", ny) // 2026-03-08 has no 02:30
	printNext(spring, time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC), 2)
	fall := schedule.MustParse("cron(30 1 * * ? *)", ny) // 2026-11-01 has 01:30 twice
	printNext(fall, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 2)
	// Output:
	// 2026-03-09T06:30:00Z
	// 2026-03-10T06:30:00Z
	// 2026-11-01T05:30:00Z
	// 2026-11-02T06:30:00Z
}

// A flexible window delays each run by a random amount below the window.
// Next keeps returning nominal times; the Scheduler applies Delay.
func ExampleWithFlexibleWindow() {
	s := schedule.MustParse("cron(0 9 * * ? *)",
		schedule.WithFlexibleWindow(15*time.Minute),
		schedule.WithRandSource(rand.NewPCG(1, 2)), // reproducible delays
	)
	fmt.Println(s.FlexibleWindow())
	d := s.Delay()
	fmt.Println(d >= 0 && d < 15*time.Minute)
	// Output:
	// 15m0s
	// true
}

// Errors name the field and the reason, and keep AWS's own messages.
func ExampleError() {
	_, err := schedule.Parse("cron(0 25 * * ? *)")
	fmt.Println(err)
	fmt.Println(errors.Is(err, schedule.ErrInvalidExpression))
	var e *schedule.Error
	if errors.As(err, &e) {
		fmt.Println(e.Field)
		fmt.Println(e.RulesMessage())
		fmt.Println(e.SchedulerMessage())
	}
	// Output:
	// schedule: hours: 25 is out of range 0-23
	// true
	// hours
	// Parameter ScheduleExpression is not valid.
	// Invalid Schedule Expression cron(0 25 * * ? *).
}

func ExampleSchedule_Describe() {
	for _, expr := range []string{
		"cron(0 7 ? * FRI *)",
		"cron(0/15 8-17 ? * MON-FRI *)",
		"cron(0 9 ? * TUE#2 *)",
		"rate(5 minutes)",
	} {
		fmt.Println(schedule.MustParse(expr, schedule.WithTimeZone("Asia/Tokyo")).Describe())
	}
	// Output:
	// at 07:00, only on Friday, Asia/Tokyo
	// every 15 minutes past hours 8-17, only on Monday through Friday, Asia/Tokyo
	// at 09:00, on the second Tuesday of the month, Asia/Tokyo
	// every 5 minutes
}

// String gives the canonical expression.
func ExampleSchedule_String() {
	fmt.Println(schedule.MustParse("cron(0 07/12 ? * mon-fri *)"))
	fmt.Println(schedule.MustParse("rate(05 minutes)"))
	// Output:
	// cron(0 7/12 ? * MON-FRI *)
	// rate(5 minutes)
}

// A Schedule is a cron.Schedule: it runs on robfig/cron directly too
// (without the Scheduler's flexible window, contexts and recovery).
func ExampleSchedule_robfigCron() {
	s := schedule.MustParse("cron(0 9 L * ? *)")
	c := cron.New()
	id := c.Schedule(s, cron.FuncJob(func() {}))
	next := c.Entry(id).Schedule.Next(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(next.Format(time.RFC3339))
	// Output:
	// 2026-02-28T09:00:00Z
}

// A Scheduler runs func(ctx) jobs; Stop cancels their contexts and waits
// for them. Here a rate whose start date is a few milliseconds ahead runs
// its first run, and the example stops the Scheduler from inside it.
func ExampleNewScheduler() {
	s, err := schedule.NewScheduler()
	if err != nil {
		panic(err)
	}
	start := time.Now().Add(10 * time.Millisecond)
	every := schedule.MustParse("rate(1 hour)", schedule.WithStartDate(start))
	ran := make(chan struct{})
	if _, err := s.Add("report", every, func(ctx context.Context) {
		// FireTime is the nominal time of this run; the run itself
		// starts a little later.
		fmt.Println("report ran for its fire time at the start date:", schedule.FireTime(ctx).Equal(start))
		close(ran)
		<-ctx.Done() // Stop cancels the run's context...
		fmt.Println("report saw:", ctx.Err())
	}); err != nil {
		panic(err)
	}
	s.Start()
	<-ran
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println("stop:", s.Stop(ctx)) // ...and waits for it to return.
	// Output:
	// report ran for its fire time at the start date: true
	// report saw: context canceled
	// stop: <nil>
}

// A rate(...) without a start date counts from the first time it is asked
// for a fire time; Anchored fixes that moment explicitly, in a copy that
// shares nothing with the original.
func ExampleSchedule_Anchored() {
	every15 := schedule.MustParse("rate(15 minutes)")
	nineOClock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := every15.Anchored(nineOClock.Add(5 * time.Minute))
	fmt.Println(a.Next(nineOClock.Add(time.Hour)).Format(time.Kitchen))
	fmt.Println(every15.Next(nineOClock.Add(time.Hour)).Format(time.Kitchen)) // its first call anchors it at 10:00
	// Output:
	// 10:05AM
	// 10:15AM
}
