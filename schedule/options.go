package schedule

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// An Option configures a [Schedule] in [Parse]. Options can fail: Parse
// returns their error, which never matches [ErrInvalidExpression].
type Option func(*config) error

type config struct {
	loc        *time.Location
	start, end time.Time
	window     time.Duration
	rand       *lockedRand
}

// WithTimeZone evaluates the expression in the IANA time zone name, such as
// "Asia/Tokyo", like Scheduler's ScheduleExpressionTimezone. The default is
// UTC. Go's "Local" and the empty name are rejected: a schedule must not
// depend on the machine it runs on. Give at most one of WithTimeZone and
// [WithLocation].
func WithTimeZone(name string) Option {
	return func(c *config) error {
		if name == "" || name == "Local" || len(name) > 50 {
			return fmt.Errorf("schedule: time zone %q is not an IANA time zone name", name)
		}
		loc, err := time.LoadLocation(name)
		if err != nil {
			return fmt.Errorf("schedule: time zone %q: %w", name, err)
		}
		return c.setLocation(loc)
	}
}

// WithLocation evaluates the expression in loc, which must not be nil.
// Give at most one of WithLocation and [WithTimeZone].
func WithLocation(loc *time.Location) Option {
	return func(c *config) error {
		if loc == nil {
			return errors.New("schedule: WithLocation: nil location")
		}
		return c.setLocation(loc)
	}
}

func (c *config) setLocation(loc *time.Location) error {
	if c.loc != nil {
		return errors.New("schedule: time zone given more than once")
	}
	c.loc = loc
	return nil
}

// WithStartDate sets Scheduler's StartDate: a cron schedule fires at the
// first matching time on or after t; a rate schedule fires at t and then
// every interval after it. It is ignored by at(...) schedules, as in AWS.
func WithStartDate(t time.Time) Option {
	return func(c *config) error {
		if t.IsZero() {
			return errors.New("schedule: WithStartDate: zero time")
		}
		if !c.start.IsZero() {
			return errors.New("schedule: start date given more than once")
		}
		c.start = t
		return nil
	}
}

// WithEndDate sets Scheduler's EndDate: nothing fires after t (a fire at
// exactly t still happens). It is ignored by at(...) schedules, as in AWS.
func WithEndDate(t time.Time) Option {
	return func(c *config) error {
		if t.IsZero() {
			return errors.New("schedule: WithEndDate: zero time")
		}
		if !c.end.IsZero() {
			return errors.New("schedule: end date given more than once")
		}
		c.end = t
		return nil
	}
}

// WithFlexibleWindow sets Scheduler's FlexibleTimeWindow in FLEXIBLE mode:
// each run happens at a random moment in [nominal, nominal+d). d must be a
// whole number of minutes from 1 to 1440, as MaximumWindowInMinutes.
// [Schedule.Next] still returns nominal times; the [Scheduler] applies the
// delay (see [Schedule.Delay]).
func WithFlexibleWindow(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Minute || d > 1440*time.Minute || d%time.Minute != 0 {
			return fmt.Errorf("schedule: flexible window %v is not a whole number of minutes from 1 to 1440", d)
		}
		if c.window != 0 {
			return errors.New("schedule: flexible window given more than once")
		}
		c.window = d
		return nil
	}
}

// WithRandSource sets the random source of the flexible window's delays,
// for reproducible runs (rand.NewPCG(1, 2), say). The default is the
// math/rand/v2 global source. The schedule serializes its calls to src.
func WithRandSource(src rand.Source) Option {
	return func(c *config) error {
		if src == nil {
			return errors.New("schedule: WithRandSource: nil source")
		}
		if c.rand != nil {
			return errors.New("schedule: random source given more than once")
		}
		c.rand = &lockedRand{r: rand.New(src)}
		return nil
	}
}

// lockedRand makes a *rand.Rand safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) int64N(n int64) int64 {
	if l == nil {
		return rand.Int64N(n)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Int64N(n)
}
