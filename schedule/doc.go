// Package schedule parses AWS EventBridge schedule expressions — cron(...),
// rate(...) and at(...) — into [Schedule] values that compute fire times
// and run on github.com/robfig/cron/v3, and runs functions on them with a
// [Scheduler].
//
//	s, err := schedule.Parse("cron(0 7 ? * FRI *)", schedule.WithTimeZone("Asia/Tokyo"))
//	next := s.Next(time.Now()) // the next Friday 07:00 in Tokyo
//
// A Schedule implements robfig's cron.Schedule: Next(t) returns the first
// fire time strictly after t, or the zero time when nothing fires any more.
// It answers as AWS does, checked against the shared vectors in
// ../shared/schedule/cron_vectors.jsonl (see TestVectors).
//
// # Expressions
//
// Parse accepts exactly one expression, with no surrounding spaces and at
// most 256 characters:
//
//	cron(Minutes Hours Day-of-month Month Day-of-week Year)
//	rate(Value Unit)
//	at(yyyy-mm-ddThh:mm:ss)
//
// The six cron fields are separated by single spaces, and all six are
// required:
//
//	Field          Values                         Special characters
//	Minutes        0-59                           , - * /
//	Hours          0-23                           , - * /
//	Day-of-month   1-31                           , - * / ? L W
//	Month          1-12 or JAN-DEC                , - * /
//	Day-of-week    1-7 or SUN-SAT (1 = Sunday)    , - * / ? L #
//	Year           1970-2199                      , - * /
//
// "," separates a list, "a-b" is an inclusive range, "*" is every value,
// "a/n" starts at a and steps by n to the end of the field ("0/15" in
// minutes is :00, :15, :30, :45 of every hour; "*/n" is "min/n"), and
// "a-b/n" steps within the range. Numbers may have leading zeros (09).
//
// Exactly one of day-of-month and day-of-week must be "?" ("no specific
// value"); "?" is not allowed anywhere else. In day-of-month, "L" is the
// last day of the month, "LW" its last weekday (Monday-Friday), and "15W"
// the weekday nearest the 15th that stays in the month (Saturday the 1st
// moves to Monday the 3rd, Sunday the 31st to Friday the 29th). In
// day-of-week, "L" alone is Saturday, "6L" or "FRIL" is the last Friday of
// the month, and "3#2" or "TUE#2" the second Tuesday (weeks 1-5; a month
// without a fifth Tuesday does not fire). "L", "LW", "nW", "nL" and "n#k"
// must stand alone in their field. A time more frequent than once a minute
// cannot be written.
//
// rate(value unit): value is a positive whole number, unit one of minute,
// minutes, hour, hours, day, days, in lower case, singular for 1 and plural
// otherwise (rate(1 hour), rate(5 hours)), as EventBridge's PutRule
// requires. A day is a fixed 24 hours. The interval must fit in a
// time.Duration (at most 106,751 days).
//
// at(yyyy-mm-ddThh:mm:ss): one fire, at that wall-clock time in the
// schedule's time zone, with no offset or "Z" and seconds required. The date
// must exist (no 30 February) and the year must be within 1970-2199.
//
// # Choices where AWS is silent
//
// AWS parses cron with Quartz-derived code, and some Quartz syntax is
// reported to work without being documented. This package decides:
//
//   - Names are accepted in any case (mon, Mon, MON), as reported from the
//     AWS console; the rate unit stays case-sensitive, as AWS checks it.
//   - Ranges may wrap around the end of a field in every field but the
//     year: hours 22-2 are 22, 23, 0, 1, 2 of the same calendar day (AWS's
//     own example uses 20-2); FRI-MON is Friday to Monday; NOV-FEB is
//     November to February. Steps inside lists work (1/10,2,3/8).
//   - "L-n" in day-of-month (n = 1-30) is n days before the last day; a
//     month where that falls before the 1st does not fire. "L-n" in
//     day-of-week has no defined meaning and is rejected.
//   - "/" is accepted in day-of-week (MON/2 = Monday, Wednesday, Friday), as
//     in Quartz and the German AWS documentation.
//   - A step may be at most the field's largest value (59 minutes, 23
//     hours, 31 days, 12 months, 7 days of the week; 229 years), Quartz's
//     limits; AWS rejects */60.
//   - "nW" in a month shorter than n days (31W in June) does not fire that
//     month.
//   - The singular/plural rule of rate units is enforced everywhere, though
//     EventBridge Scheduler may be laxer.
//   - An at(...) time that does not exist in its time zone (it falls in a
//     spring-forward gap) is an error, rather than a one-time schedule that
//     never fires.
//   - Fields must be separated by exactly one space. (PutRule has been seen
//     to accept looser spellings; this package is strict.)
//
// # Time zones and daylight saving
//
// A schedule is evaluated in UTC unless [WithTimeZone] or [WithLocation]
// gives a zone, as with Scheduler's ScheduleExpressionTimezone. cron and at
// times are wall-clock times in that zone. Where the zone changes its
// clocks, this package follows AWS's documented behaviour:
//
//   - Spring forward: a wall time that does not exist that day is skipped,
//     not moved. cron(30 2 * * ? *) in America/New_York does not fire on
//     the day clocks jump from 02:00 to 03:00.
//   - Fall back: a wall time that happens twice fires once, at its first
//     occurrence (the earlier instant, still on summer time).
//   - Every wall-clock time fires at most once, so a schedule more frequent
//     than hourly does not fire again during the repeated hour:
//     cron(0/30 * * * ? *) in New York fires at 01:00 and 01:30 EDT and then
//     02:00 EST, leaving 90 minutes between the last two. (This is the
//     literal reading of AWS's "runs only once"; it is not confirmed against
//     AWS.) Use UTC or rate(...) for a cadence that never pauses.
//   - rate(...) counts absolute time, so rate(1 day) drifts by an hour of
//     wall-clock time across a change.
//
// # Start and end dates, rate anchors, flexible windows
//
// [WithStartDate] and [WithEndDate] mirror Scheduler's StartDate and
// EndDate: a cron schedule fires at matching times on or after the start
// and on or before the end; at(...) ignores both, as in AWS.
//
// A rate schedule fires at anchor, anchor+interval, anchor+2·interval, ...
// The anchor is the start date if there is one. Otherwise it is the
// argument of the first call to Next, so that the first fire comes one
// interval after the schedule is first asked (a [Scheduler] asks when it
// starts, or when the job is added to a running Scheduler), as an
// EventBridge rule counts from its creation. Copies of a Schedule share
// that anchor, but each job of a [Scheduler] gets its own: adding the same
// Schedule again later (to restart a disabled rule, say) counts from the
// new job's first fire time, not on the old grid. [Schedule.Anchored]
// returns a copy with an explicit anchor.
//
// [WithFlexibleWindow] mirrors FlexibleTimeWindow: each run starts at a
// random moment within the window after its nominal time. Next returns
// nominal times, so schedules stay pure and testable; [Schedule.Delay] draws
// the delay (from [WithRandSource] if given), and the Scheduler applies it.
//
// # Errors
//
// An invalid expression returns an *[Error] that names the field and the
// reason, such as
//
//	schedule: hours: 25 is out of range 0-23
//
// It matches [ErrInvalidExpression] with errors.Is, and gives the messages
// AWS itself returns through [Error.RulesMessage] ("Parameter
// ScheduleExpression is not valid.") and [Error.SchedulerMessage] ("Invalid
// Schedule Expression cron(0 25 * * ? *)."), for code that mirrors the AWS
// APIs.
//
// # Running schedules
//
// A [Scheduler] runs func(ctx context.Context) jobs on schedules, over a
// robfig/cron cron.Cron: [Scheduler.Add] and [Scheduler.Remove] (or
// [Scheduler.RemoveByName]) manage jobs, [Scheduler.Start] starts it, and
// [Scheduler.Stop] cancels every run's context and waits for running jobs
// until its own context is done. [FireTime] of a run's context is the
// nominal fire time it is for (a run may start later: a flexible window, a
// busy machine), the time to write into what the run produces. Panics in
// jobs are recovered and logged
// ([WithLogger]; discarded by default), [SkipIfRunning] skips a run while
// the previous one is still going, and flexible windows delay runs. Missed
// fire times are not caught up.
//
// A Schedule also works on a cron.Cron directly through
// (*cron.Cron).Schedule; it then fires at nominal times, with none of the
// Scheduler's contexts, recovery or windows.
//
// # Concurrency
//
// A Schedule is immutable after Parse and safe for concurrent use; copies
// share state. The one mutation is a rate schedule's anchor, set atomically
// by the first call to Next when there is no start date, so share such a
// schedule only between users that agree on when it starts (or give it a
// start date, or use [Schedule.Anchored]; a [Scheduler] already gives each
// job its own anchor). Delay serializes its use of the random source.
//
// A Scheduler is safe for concurrent use. It owns one goroutine from Start
// to Stop (the cron.Cron loop) plus one per run, which Stop waits for; a
// run still waiting out its flexible window when the job is removed or the
// Scheduler stops does not start. The package's tests check for leaked
// goroutines with go.uber.org/goleak and run the Scheduler inside
// testing/synctest bubbles, whose fake clock also drives robfig/cron.
package schedule
