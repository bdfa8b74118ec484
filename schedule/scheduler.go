package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// Errors returned by [Scheduler] methods.
var (
	// ErrStopped is returned by [Scheduler.Add] after [Scheduler.Stop].
	ErrStopped = errors.New("schedule: scheduler is stopped")
	// ErrDuplicateName is returned by [Scheduler.Add] for a name already in use.
	ErrDuplicateName = errors.New("schedule: job name already in use")
)

// JobID identifies a job added to a [Scheduler]. IDs are positive and never
// reused by the same Scheduler.
type JobID int

// Scheduler runs functions on [Schedule]s. It is a thin owner of a
// robfig/cron/v3 cron.Cron that adds what AWS schedules need: a context for
// every run (cancelled when the job is removed or the Scheduler stops), the
// flexible time window, panic recovery, an optional skip-if-still-running
// rule, removal by name, and a Stop that waits for running jobs.
//
// Runs start at the nominal fire times given by [Schedule.Next], delayed by
// [Schedule.Delay] when the schedule has a flexible window; [FireTime]
// tells a run its nominal time. Missed fire times
// (the process was suspended, the clock jumped) are not caught up, as in
// cron.Cron.
//
// A Scheduler is safe for concurrent use. Its goroutines are the cron.Cron
// loop (from [Scheduler.Start] to [Scheduler.Stop]) and one per run; Stop
// ends the loop and waits for the runs. A Scheduler cannot be restarted.
// Create one with [NewScheduler]; the zero Scheduler is not usable.
type Scheduler struct {
	cron   *cron.Cron
	log    *slog.Logger
	ctx    context.Context // parent of every job's context; cancelled by Stop
	cancel context.CancelFunc

	mu      sync.Mutex
	lastID  JobID
	jobs    map[JobID]*job
	names   map[string]JobID
	stopped bool
}

// A SchedulerOption configures a [Scheduler] in [NewScheduler].
type SchedulerOption func(*Scheduler) error

// WithLogger sets the logger the Scheduler reports to: recovered panics at
// level Error, skipped runs at Warn, and cron.Cron's own trace at Debug. The
// default discards everything.
func WithLogger(l *slog.Logger) SchedulerOption {
	return func(s *Scheduler) error {
		if l == nil {
			return errors.New("schedule: WithLogger: nil logger")
		}
		s.log = l
		return nil
	}
}

// NewScheduler returns a Scheduler with no jobs. Call [Scheduler.Start] to
// run it and [Scheduler.Stop] to end it.
func NewScheduler(opts ...SchedulerOption) (*Scheduler, error) {
	s := &Scheduler{
		log:   slog.New(slog.DiscardHandler),
		jobs:  make(map[JobID]*job),
		names: make(map[string]JobID),
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("schedule: nil SchedulerOption")
		}
		if err := opt(s); err != nil {
			return nil, err
		}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.cron = cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cronLogger{s.log}))
	return s, nil
}

// A JobOption configures one job in [Scheduler.Add].
type JobOption func(*job)

// SkipIfRunning makes the Scheduler skip a run of the job, with a warning
// in the log, while the job's previous run has not returned. Without it,
// runs may overlap.
func SkipIfRunning() JobOption {
	return func(j *job) { j.skipIfRunning = true }
}

// Add schedules fn to run on sched under name, and returns the job's ID.
// name may be empty; a non-empty name must be unique within the Scheduler
// and can be given to [Scheduler.RemoveByName]. Each run gets a context
// that is cancelled when the job is removed or the Scheduler stops.
//
// [FireTime] of a run's context is the nominal fire time the run is for.
//
// Add may be called before or after Start; it returns [ErrStopped] after
// Stop. A rate(...) schedule without a start date counts from the moment
// the Scheduler first asks it for a fire time: when it starts, or at Add if
// it is already running. Each job has its own anchor, even when sched has
// been used before (by Next, or by another job): adding the same Schedule
// again starts a new grid. (Give sched a start date, or pass
// sched.Anchored(t), to choose the grid.)
func (s *Scheduler) Add(name string, sched Schedule, fn func(ctx context.Context), opts ...JobOption) (JobID, error) {
	if sched.s == nil {
		return 0, errors.New("schedule: Add: zero Schedule")
	}
	if fn == nil {
		return 0, errors.New("schedule: Add: nil func")
	}
	if !sched.anchored() {
		sched, _ = sched.unanchored()
	}
	j := &job{name: name, sched: sched, fn: fn, log: s.log}
	for _, opt := range opts {
		if opt == nil {
			return 0, errors.New("schedule: Add: nil JobOption")
		}
		opt(j)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return 0, ErrStopped
	}
	if _, dup := s.names[name]; dup && name != "" {
		return 0, fmt.Errorf("%w: %q", ErrDuplicateName, name)
	}
	// Everything the job's goroutines read is set before cron.Cron sees it.
	s.lastID++
	j.id = s.lastID
	j.ctx, j.cancel = context.WithCancel(s.ctx)
	j.entry = s.cron.Schedule(j, j)
	s.jobs[j.id] = j
	if name != "" {
		s.names[name] = j.id
	}
	return j.id, nil
}

// Remove removes the job with the given ID and cancels the context of its
// runs; a run in progress is not waited for. It reports whether the job
// existed.
func (s *Scheduler) Remove(id JobID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return false
	}
	s.remove(j)
	return true
}

// RemoveByName is like [Scheduler.Remove] for the job added under name.
func (s *Scheduler) RemoveByName(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.names[name]
	if !ok || name == "" {
		return false
	}
	s.remove(s.jobs[id])
	return true
}

// remove is called with s.mu held.
func (s *Scheduler) remove(j *job) {
	j.cancel()
	s.cron.Remove(j.entry)
	delete(s.jobs, j.id)
	if j.name != "" {
		delete(s.names, j.name)
	}
}

// JobInfo describes a scheduled job.
type JobInfo struct {
	ID       JobID
	Name     string
	Schedule Schedule
	Next     time.Time // the next nominal fire time; zero if none or not started
	Prev     time.Time // the last nominal fire time; zero if none
}

// Jobs returns the scheduled jobs, ordered by ID.
func (s *Scheduler) Jobs() []JobInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	byEntry := make(map[cron.EntryID]*job, len(s.jobs))
	for _, j := range s.jobs {
		byEntry[j.entry] = j
	}
	var out []JobInfo
	for _, e := range s.cron.Entries() {
		j, ok := byEntry[e.ID]
		if !ok {
			continue
		}
		out = append(out, JobInfo{ID: j.id, Name: j.name, Schedule: j.sched, Next: e.Next, Prev: e.Prev})
	}
	slices.SortFunc(out, func(a, b JobInfo) int { return int(a.ID - b.ID) })
	return out
}

// Start starts running jobs in a goroutine of its own. It does nothing if
// the Scheduler is already running or has been stopped.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.cron.Start()
}

// Stop stops scheduling new runs, cancels the context of every run, and
// waits until the runs in progress have returned or ctx is done, whichever
// comes first. It returns nil once all runs have returned, or an error
// wrapping ctx.Err() if some were still running; calling Stop again waits
// again. Runs still waiting out a flexible window are abandoned.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	s.cancel()
	done := s.cron.Stop()
	s.mu.Unlock()
	select {
	case <-done.Done():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("schedule: stop: jobs still running: %w", ctx.Err())
	}
}

// FireTime returns the nominal fire time of the run whose context ctx is
// (or is derived from): the time [Schedule.Next] gave for it, before any
// flexible-window delay, in the schedule's time zone. It returns the zero
// time for a context that is not a run's. A run may start later than its
// fire time (a flexible window, a busy machine); FireTime says which fire
// time it is for, as EventBridge writes the nominal time into a scheduled
// event.
func FireTime(ctx context.Context) time.Time {
	t, _ := ctx.Value(fireTimeKey{}).(time.Time)
	return t
}

type fireTimeKey struct{}

// job is what cron.Cron runs: the user's func with the Scheduler's rules.
// It is also the schedule cron.Cron asks for fire times, so that each run
// knows the nominal time it is for.
type job struct {
	id            JobID
	entry         cron.EntryID // guarded by Scheduler.mu
	name          string
	sched         Schedule
	fn            func(context.Context)
	log           *slog.Logger
	skipIfRunning bool
	running       atomic.Bool

	ctx    context.Context
	cancel context.CancelFunc

	mu    sync.Mutex
	fires []time.Time // fire times handed to cron.Cron and not yet run, oldest first
}

// maxPendingFires bounds job.fires. cron.Cron asks for the next fire time
// right after starting a run, so at most two are pending: the one a run
// is starting for, and the next.
const maxPendingFires = 4

// Next implements cron.Schedule. cron.Cron calls it once when the job is
// scheduled and once after each run it starts, and starts a run for each
// non-zero time it returns, in order; the run takes its nominal time from
// the front of j.fires.
func (j *job) Next(t time.Time) time.Time {
	n := j.sched.Next(t)
	if !n.IsZero() {
		j.mu.Lock()
		if len(j.fires) == maxPendingFires { // never expected; keep the newest
			j.fires = append(j.fires[:0], j.fires[1:]...)
		}
		j.fires = append(j.fires, n)
		j.mu.Unlock()
	}
	return n
}

// fireTime returns the nominal time of the run being started.
func (j *job) fireTime() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.fires) == 0 { // never expected
		return time.Now().In(j.sched.Location())
	}
	t := j.fires[0]
	j.fires = append(j.fires[:0], j.fires[1:]...)
	return t
}

// Run implements cron.Job: wait out the flexible window, apply the skip
// rule, and call fn with panics recovered.
func (j *job) Run() {
	fire := j.fireTime()
	if j.ctx.Err() != nil {
		return // removed or stopped since the fire time
	}
	if d := j.sched.Delay(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-j.ctx.Done():
			t.Stop()
			return
		}
	}
	if j.skipIfRunning {
		if !j.running.CompareAndSwap(false, true) {
			j.log.Warn("schedule: run skipped: previous run still running", "job", j.name, "id", int(j.id))
			return
		}
		defer j.running.Store(false)
	}
	defer func() {
		if r := recover(); r != nil {
			j.log.Error("schedule: job panicked", "job", j.name, "id", int(j.id), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	j.fn(context.WithValue(j.ctx, fireTimeKey{}, fire))
}

// cronLogger adapts slog to cron.Logger: cron's chatter goes to Debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, keysAndValues ...any) {
	c.l.Debug("cron: "+msg, keysAndValues...)
}

func (c cronLogger) Error(err error, msg string, keysAndValues ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, keysAndValues...)...)
}
