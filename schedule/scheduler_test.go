package schedule_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
)

// Scheduler tests run inside synctest bubbles: time.Now, timers and sleeps
// (also inside robfig/cron) use the bubble's fake clock, which starts at
// 2000-01-01T00:00:00Z and advances only when every goroutine is blocked.

// recorder records the (fake) times at which a job ran.
type recorder struct {
	mu    sync.Mutex
	times []time.Time
}

func (r *recorder) job(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.times = append(r.times, time.Now())
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.times))
	for i, t := range r.times {
		out[i] = t.UTC().Format(time.RFC3339)
	}
	return out
}

func mustParse(t *testing.T, expr string, opts ...schedule.Option) schedule.Schedule {
	t.Helper()
	s, err := schedule.Parse(expr, opts...)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return s
}

func newScheduler(t *testing.T, opts ...schedule.SchedulerOption) *schedule.Scheduler {
	t.Helper()
	s, err := schedule.NewScheduler(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sleepUntil advances the bubble's clock to t and lets every goroutine
// settle.
func sleepUntil(t time.Time) {
	time.Sleep(time.Until(t))
	synctest.Wait()
}

// sleepCtx sleeps for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func stop(t *testing.T, s *schedule.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestSchedulerRunsOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec recorder
		s := newScheduler(t)
		// 1 Jan 2000 is a Saturday; Fridays 09:00 in Tokyo are 00:00 UTC.
		if _, err := s.Add("friday", mustParse(t, "cron(0 9 ? * FRI *)", schedule.WithTimeZone("Asia/Tokyo")), rec.job); err != nil {
			t.Fatal(err)
		}
		s.Start()
		sleepUntil(mustTime(t, "2000-01-22T00:00:00Z"))
		stop(t, s)
		equalStrings(t, "runs", rec.got(), []string{"2000-01-07T00:00:00Z", "2000-01-14T00:00:00Z", "2000-01-21T00:00:00Z"})
	})
}

func TestSchedulerStopWaitsForRunningJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScheduler(t)
		started := make(chan struct{})
		var finished time.Time
		_, err := s.Add("slow", mustParse(t, "rate(1 minute)"), func(ctx context.Context) {
			close(started)
			<-ctx.Done()                 // Stop cancels the run's context...
			time.Sleep(30 * time.Second) // ...and waits while it cleans up.
			finished = time.Now()
		}, schedule.SkipIfRunning())
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		<-started
		begin := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if got := time.Since(begin); got != 30*time.Second {
			t.Errorf("Stop returned after %v, want 30s (the job's cleanup)", got)
		}
		if finished.IsZero() || finished.After(time.Now()) {
			t.Errorf("Stop returned before the job finished (finished %v)", finished)
		}
	})
}

func TestSchedulerStopDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScheduler(t)
		started := make(chan struct{})
		_, err := s.Add("stubborn", mustParse(t, "rate(1 minute)"), func(ctx context.Context) {
			close(started)
			time.Sleep(5 * time.Minute) // ignores ctx
		}, schedule.SkipIfRunning())
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err = s.Stop(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want context.DeadlineExceeded", err)
		}
		// The run still ends on its own; a second Stop waits for it.
		if err := s.Stop(context.Background()); err != nil {
			t.Fatalf("second Stop: %v", err)
		}
		if _, err := s.Add("late", mustParse(t, "rate(1 minute)"), func(context.Context) {}); !errors.Is(err, schedule.ErrStopped) {
			t.Errorf("Add after Stop = %v, want ErrStopped", err)
		}
	})
}

func TestSchedulerRecoversPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		var mu sync.Mutex
		logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
		s := newScheduler(t, schedule.WithLogger(logger))
		var rec recorder
		_, err := s.Add("boom", mustParse(t, "rate(1 hour)", schedule.WithStartDate(mustTime(t, "2000-01-01T01:00:00Z"))), func(ctx context.Context) {
			rec.job(ctx)
			panic("kaput")
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		sleepUntil(mustTime(t, "2000-01-01T03:30:00Z"))
		stop(t, s)
		equalStrings(t, "runs (each panicked, the next still ran)", rec.got(),
			[]string{"2000-01-01T01:00:00Z", "2000-01-01T02:00:00Z", "2000-01-01T03:00:00Z"})
		mu.Lock()
		defer mu.Unlock()
		text := logs.String()
		if n := strings.Count(text, `level=ERROR msg="schedule: job panicked" job=boom`); n != 3 {
			t.Errorf("logged %d panics, want 3; log:\n%s", n, text)
		}
		if !strings.Contains(text, "panic=kaput") || !strings.Contains(text, "stack=") {
			t.Errorf("panic log lacks the value or the stack:\n%s", text)
		}
	})
}

func TestSchedulerPanicsDiscardedByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScheduler(t)
		var rec recorder
		if _, err := s.Add("", mustParse(t, "rate(1 minute)"), func(ctx context.Context) { rec.job(ctx); panic("x") }); err != nil {
			t.Fatal(err)
		}
		s.Start()
		time.Sleep(3*time.Minute + time.Second)
		synctest.Wait()
		stop(t, s)
		if n := len(rec.got()); n != 3 {
			t.Errorf("got %d runs, want 3", n)
		}
	})
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestSchedulerSkipIfRunning(t *testing.T) {
	for _, skip := range []bool{true, false} {
		t.Run(map[bool]string{true: "skip", false: "overlap"}[skip], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logs bytes.Buffer
				var mu sync.Mutex
				s := newScheduler(t, schedule.WithLogger(slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))))
				var rec recorder
				var opts []schedule.JobOption
				if skip {
					opts = append(opts, schedule.SkipIfRunning())
				}
				// Fires every minute from 00:01; each run takes 150 s.
				_, err := s.Add("long", mustParse(t, "rate(1 minute)", schedule.WithStartDate(mustTime(t, "2000-01-01T00:01:00Z"))), func(ctx context.Context) {
					rec.job(ctx)
					sleepCtx(ctx, 150*time.Second)
				}, opts...)
				if err != nil {
					t.Fatal(err)
				}
				s.Start()
				sleepUntil(mustTime(t, "2000-01-01T00:07:30Z"))
				stop(t, s)
				mu.Lock()
				skipped := strings.Count(logs.String(), "run skipped")
				mu.Unlock()
				if skip {
					// 00:01 runs until 00:03:30, so 00:02 and 00:03 are skipped; 00:04 runs until 00:06:30...
					equalStrings(t, "runs", rec.got(), []string{"2000-01-01T00:01:00Z", "2000-01-01T00:04:00Z", "2000-01-01T00:07:00Z"})
					if skipped != 4 {
						t.Errorf("logged %d skips, want 4 (00:02, 00:03, 00:05, 00:06)", skipped)
					}
				} else {
					if n := len(rec.got()); n != 7 {
						t.Errorf("got %d overlapping runs, want 7", n)
					}
					if skipped != 0 {
						t.Errorf("logged %d skips without SkipIfRunning", skipped)
					}
				}
			})
		})
	}
}

func TestSchedulerDST(t *testing.T) {
	tests := []struct {
		name, expr, tz, start, until string
		want                         []string
	}{
		{
			// 2025-03-09: clocks go from 02:00 EST to 03:00 EDT; 02:30 does not exist that day.
			name: "New York spring forward skips the gap", expr: "cron(30 2 * * ? *)", tz: "America/New_York",
			start: "2025-03-08T00:00:00Z", until: "2025-03-11T12:00:00Z",
			want: []string{"2025-03-08T07:30:00Z", "2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z"},
		},
		{
			// 2025-11-02: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST); it runs once, at the first.
			name: "New York fall back runs once", expr: "cron(30 1 * * ? *)", tz: "America/New_York",
			start: "2025-11-01T00:00:00Z", until: "2025-11-03T12:00:00Z",
			want: []string{"2025-11-01T05:30:00Z", "2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z"},
		},
		{
			// Sub-hourly: the repeated 01:00-01:59 EST is not run again (no runs at 06:00Z, 06:30Z).
			name: "New York fall back half-hourly", expr: "cron(0/30 0-3 2 NOV ? 2025)", tz: "America/New_York",
			start: "2025-11-02T00:00:00Z", until: "2025-11-03T00:00:00Z",
			want: []string{"2025-11-02T04:00:00Z", "2025-11-02T04:30:00Z", "2025-11-02T05:00:00Z", "2025-11-02T05:30:00Z",
				"2025-11-02T07:00:00Z", "2025-11-02T07:30:00Z", "2025-11-02T08:00:00Z", "2025-11-02T08:30:00Z"},
		},
		{
			// 2025-03-30: London goes from 01:00 GMT to 02:00 BST; 01:15 does not exist.
			name: "London spring forward skips the gap", expr: "cron(15 1 * * ? *)", tz: "Europe/London",
			start: "2025-03-29T00:00:00Z", until: "2025-03-31T12:00:00Z",
			want: []string{"2025-03-29T01:15:00Z", "2025-03-31T00:15:00Z"},
		},
		{
			// 2025-10-26: London's 01:00-01:59 happens in BST (00:xxZ) then in GMT (01:xxZ).
			name: "London fall back runs once", expr: "cron(15 1 * * ? *)", tz: "Europe/London",
			start: "2025-10-25T00:00:00Z", until: "2025-10-27T12:00:00Z",
			want: []string{"2025-10-25T00:15:00Z", "2025-10-26T00:15:00Z", "2025-10-27T01:15:00Z"},
		},
		{
			// A rate counts absolute time: rate(1 day) keeps 24 h, so the wall-clock time shifts.
			name: "rate days are 24 hours", expr: "rate(1 day)", tz: "America/New_York",
			start: "2025-03-08T14:00:00Z", until: "2025-03-10T15:00:00Z",
			want: []string{"2025-03-08T14:00:00Z", "2025-03-09T14:00:00Z", "2025-03-10T14:00:00Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var rec recorder
				s := newScheduler(t)
				sched := mustParse(t, tt.expr, schedule.WithTimeZone(tt.tz), schedule.WithStartDate(mustTime(t, tt.start)))
				if _, err := s.Add(tt.name, sched, rec.job); err != nil {
					t.Fatal(err)
				}
				s.Start()
				sleepUntil(mustTime(t, tt.until))
				stop(t, s)
				equalStrings(t, "runs", rec.got(), tt.want)
			})
		})
	}
}

func TestSchedulerFlexibleWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const window = 15 * time.Minute
		start := mustTime(t, "2000-01-01T01:00:00Z")
		sched := mustParse(t, "rate(1 hour)", schedule.WithStartDate(start),
			schedule.WithFlexibleWindow(window), schedule.WithRandSource(rand.NewPCG(1, 2)))
		var rec recorder
		s := newScheduler(t)
		if _, err := s.Add("flex", sched, rec.job); err != nil {
			t.Fatal(err)
		}
		s.Start()
		sleepUntil(mustTime(t, "2000-01-01T04:30:00Z"))
		stop(t, s)

		// The same seed gives the same delays, drawn one per run.
		same := rand.New(rand.NewPCG(1, 2))
		var want []string
		for i := range 4 {
			nominal := start.Add(time.Duration(i) * time.Hour)
			delay := time.Duration(same.Int64N(int64(window)))
			want = append(want, nominal.Add(delay).Format(time.RFC3339))
		}
		got := rec.got()
		equalStrings(t, "runs", got, want)
		for i, g := range got {
			at := mustTime(t, g)
			nominal := start.Add(time.Duration(i) * time.Hour)
			if at.Before(nominal) || !at.Before(nominal.Add(window)) {
				t.Errorf("run %d at %s is outside [%s, +15m)", i, g, nominal.Format(time.RFC3339))
			}
		}
		if got[0] == start.Format(time.RFC3339) && got[1] == start.Add(time.Hour).Format(time.RFC3339) {
			t.Error("no delay was applied")
		}
	})
}

func TestSchedulerStartEndDates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cronRec, rateRec recorder
		s := newScheduler(t)
		start := mustTime(t, "2000-01-03T00:00:00Z")
		end := mustTime(t, "2000-01-05T12:00:00Z")
		if _, err := s.Add("daily", mustParse(t, "cron(0 12 * * ? *)", schedule.WithStartDate(start), schedule.WithEndDate(end)), cronRec.job); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add("rate", mustParse(t, "rate(1 day)", schedule.WithStartDate(start.Add(6*time.Hour)), schedule.WithEndDate(end)), rateRec.job); err != nil {
			t.Fatal(err)
		}
		s.Start()
		sleepUntil(mustTime(t, "2000-01-10T00:00:00Z"))
		for _, j := range s.Jobs() {
			if !j.Next.IsZero() {
				t.Errorf("job %q: Next = %v after its end date, want zero", j.Name, j.Next)
			}
		}
		stop(t, s)
		// The end date is inclusive: 2000-01-05T12:00 still runs.
		equalStrings(t, "cron runs", cronRec.got(), []string{"2000-01-03T12:00:00Z", "2000-01-04T12:00:00Z", "2000-01-05T12:00:00Z"})
		equalStrings(t, "rate runs", rateRec.got(), []string{"2000-01-03T06:00:00Z", "2000-01-04T06:00:00Z", "2000-01-05T06:00:00Z"})
	})
}

func TestSchedulerRemove(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScheduler(t)
		var a, b recorder
		every := mustParse(t, "cron(* * * * ? *)")
		idA, err := s.Add("a", every, a.job)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add("b", every, b.job); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add("a", every, a.job); !errors.Is(err, schedule.ErrDuplicateName) {
			t.Errorf("duplicate name: err = %v, want ErrDuplicateName", err)
		}
		var cancelled time.Time
		idC, err := s.Add("c", mustParse(t, "at(2000-01-01T00:01:00)"), func(ctx context.Context) {
			<-ctx.Done() // runs until removed
			cancelled = time.Now()
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		sleepUntil(mustTime(t, "2000-01-01T00:02:30Z"))
		if !s.Remove(idA) || s.Remove(idA) {
			t.Error("Remove(idA) should succeed once")
		}
		if !s.RemoveByName("c") || s.RemoveByName("c") || s.Remove(idC) {
			t.Error(`RemoveByName("c") should succeed once`)
		}
		synctest.Wait()
		if got := cancelled.Format(time.RFC3339); got != "2000-01-01T00:02:30Z" {
			t.Errorf("removed job's context cancelled at %s, want at removal (00:02:30)", got)
		}
		var names []string
		for _, j := range s.Jobs() {
			names = append(names, j.Name)
		}
		equalStrings(t, "jobs left", names, []string{"b"})
		// The name is free again.
		if _, err := s.Add("a", every, func(context.Context) {}); err != nil {
			t.Errorf("re-adding a removed name: %v", err)
		}
		sleepUntil(mustTime(t, "2000-01-01T00:04:30Z"))
		stop(t, s)
		equalStrings(t, "a runs", a.got(), []string{"2000-01-01T00:01:00Z", "2000-01-01T00:02:00Z"})
		if n := len(b.got()); n != 4 {
			t.Errorf("b ran %d times, want 4", n)
		}
	})
}

func TestSchedulerAddErrors(t *testing.T) {
	s := newScheduler(t)
	defer stop(t, s)
	if _, err := s.Add("x", schedule.Schedule{}, func(context.Context) {}); err == nil {
		t.Error("zero Schedule accepted")
	}
	if _, err := s.Add("x", schedule.MustParse("rate(1 minute)"), nil); err == nil {
		t.Error("nil func accepted")
	}
	if _, err := schedule.NewScheduler(schedule.WithLogger(nil)); err == nil {
		t.Error("nil logger accepted")
	}
}

// TestSchedulerConcurrentUse adds, lists and removes jobs from several
// goroutines while jobs fire; run with -race.
func TestSchedulerConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScheduler(t)
		s.Start()
		var rec recorder
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 25 {
					name := string(rune('a'+g)) + strings.Repeat("x", i)
					id, err := s.Add(name, mustParse(t, "rate(1 minute)", schedule.WithStartDate(time.Now())), rec.job)
					if err != nil {
						t.Error(err)
						return
					}
					_ = s.Jobs()
					time.Sleep(30 * time.Second)
					if i%2 == 0 && !s.Remove(id) {
						t.Errorf("Remove(%d) failed", id)
					}
				}
			})
		}
		wg.Wait()
		if n := len(s.Jobs()); n != 4*12 {
			t.Errorf("%d jobs left, want 48", n)
		}
		stop(t, s)
		if len(rec.got()) == 0 {
			t.Error("no job ran")
		}
	})
}

// TestSchedulerJobsHaveOwnAnchors: a rate schedule used by an earlier job
// (or by a direct call to Next) does not put a later job on its grid.
func TestSchedulerJobsHaveOwnAnchors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		every5 := mustParse(t, "rate(5 minutes)")
		// A direct call fixes the anchor of every5 and its copies...
		if got := every5.Next(mustTime(t, "2000-01-01T00:00:30Z")).Format(time.RFC3339); got != "2000-01-01T00:05:30Z" {
			t.Fatalf("Next = %s", got)
		}
		s := newScheduler(t)
		s.Start()
		var a, b recorder
		// ...but not the anchor of a job: it counts from its own start.
		idA, err := s.Add("a", every5, a.job)
		if err != nil {
			t.Fatal(err)
		}
		sleepUntil(mustTime(t, "2000-01-01T00:12:00Z"))
		s.Remove(idA)
		sleepUntil(mustTime(t, "2000-01-01T00:13:00Z"))
		// Re-adding the same Schedule (a rule disabled and enabled again)
		// starts a new grid.
		if _, err := s.Add("b", every5, b.job); err != nil {
			t.Fatal(err)
		}
		sleepUntil(mustTime(t, "2000-01-01T00:24:00Z"))
		stop(t, s)
		equalStrings(t, "a runs", a.got(), []string{"2000-01-01T00:05:00Z", "2000-01-01T00:10:00Z"})
		equalStrings(t, "b runs", b.got(), []string{"2000-01-01T00:18:00Z", "2000-01-01T00:23:00Z"})
		if got := every5.Next(mustTime(t, "2000-01-01T00:06:00Z")).Format(time.RFC3339); got != "2000-01-01T00:10:30Z" {
			t.Errorf("the jobs moved the original's anchor: Next = %s, want 00:10:30", got)
		}
	})
}

func TestScheduleAnchored(t *testing.T) {
	r := mustParse(t, "rate(10 minutes)")
	a := r.Anchored(mustTime(t, "2025-06-01T09:03:00Z"))
	b := r.Anchored(mustTime(t, "2025-06-01T09:07:00Z"))
	for _, tt := range []struct {
		s    schedule.Schedule
		from string
		want string
	}{
		{a, "2025-06-01T12:00:00Z", "2025-06-01T12:03:00Z"},
		{b, "2025-06-01T12:00:00Z", "2025-06-01T12:07:00Z"},
		{a, "2025-06-01T08:00:00Z", "2025-06-01T09:03:00Z"}, // before the anchor: the anchor
		{r, "2025-06-01T12:00:00Z", "2025-06-01T12:10:00Z"}, // r was not anchored by a or b: its first call fixes it
		{r, "2025-06-01T12:15:00Z", "2025-06-01T12:20:00Z"},
		{a, "2025-06-01T12:15:00Z", "2025-06-01T12:23:00Z"}, // nor was a by r
	} {
		if got := tt.s.Next(mustTime(t, tt.from)).Format(time.RFC3339); got != tt.want {
			t.Errorf("%s anchored differently: Next(%s) = %s, want %s", tt.s, tt.from, got, tt.want)
		}
	}
	// Schedules with a fixed grid are returned unchanged.
	start := mustTime(t, "2025-06-01T09:01:00Z")
	withStart := mustParse(t, "rate(10 minutes)", schedule.WithStartDate(start))
	if got := withStart.Anchored(mustTime(t, "2025-06-01T09:05:00Z")).Next(start).Format(time.RFC3339); got != "2025-06-01T09:11:00Z" {
		t.Errorf("Anchored moved a start date: Next = %s", got)
	}
	cron := mustParse(t, "cron(0 * * * ? *)")
	if got := cron.Anchored(start).Next(start).Format(time.RFC3339); got != "2025-06-01T10:00:00Z" {
		t.Errorf("Anchored changed a cron schedule: Next = %s", got)
	}
	if !(schedule.Schedule{}).Anchored(start).Next(start).IsZero() {
		t.Error("anchored zero Schedule fires")
	}
}

// TestSchedulerFireTime: each run knows its nominal fire time, also when
// it starts later (a flexible window) and when runs overlap.
func TestSchedulerFireTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if !schedule.FireTime(context.Background()).IsZero() {
			t.Error("FireTime outside a run is not zero")
		}
		type run struct{ fire, at string }
		var mu sync.Mutex
		var flex, slow []run
		record := func(to *[]run) func(ctx context.Context) {
			return func(ctx context.Context) {
				mu.Lock()
				*to = append(*to, run{schedule.FireTime(ctx).UTC().Format(time.RFC3339), time.Now().UTC().Format(time.RFC3339)})
				mu.Unlock()
			}
		}
		s := newScheduler(t)
		start := mustTime(t, "2000-01-01T01:00:00Z")
		if _, err := s.Add("flex", mustParse(t, "rate(1 hour)", schedule.WithStartDate(start),
			schedule.WithFlexibleWindow(15*time.Minute), schedule.WithRandSource(rand.NewPCG(1, 2))), record(&flex)); err != nil {
			t.Fatal(err)
		}
		// Each run of "slow" lasts 150 s, so three overlap at a time.
		slowRun := record(&slow)
		if _, err := s.Add("slow", mustParse(t, "cron(* * * * ? *)", schedule.WithTimeZone("Asia/Tokyo")), func(ctx context.Context) {
			select {
			case <-time.After(150 * time.Second):
				slowRun(ctx)
			case <-ctx.Done(): // stopped
			}
		}); err != nil {
			t.Fatal(err)
		}
		s.Start()
		sleepUntil(mustTime(t, "2000-01-01T03:00:00Z"))
		stop(t, s)
		if len(flex) != 2 {
			t.Fatalf("flex ran %d times, want 2", len(flex))
		}
		for i, r := range flex {
			want := start.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)
			if r.fire != want || r.at == want {
				t.Errorf("flex run %d: fire time %s at %s, want fire time %s and a later start", i, r.fire, r.at, want)
			}
		}
		if len(slow) < 170 {
			t.Fatalf("slow ran %d times", len(slow))
		}
		for i, r := range slow {
			want := mustTime(t, "2000-01-01T00:01:00Z").Add(time.Duration(i) * time.Minute)
			if r.fire != want.Format(time.RFC3339) || r.at != want.Add(150*time.Second).Format(time.RFC3339) {
				t.Errorf("slow run %d: fire time %s, finished at %s; want %s and 150 s later", i, r.fire, r.at, want.Format(time.RFC3339))
				break
			}
		}
	})
}
