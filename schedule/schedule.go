package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Kind is the kind of a schedule expression.
type Kind uint8

// The kinds of schedule expressions.
const (
	KindCron Kind = iota + 1 // cron(minutes hours day-of-month month day-of-week year)
	KindRate                 // rate(value unit)
	KindAt                   // at(yyyy-mm-ddThh:mm:ss)
)

// String returns "cron", "rate" or "at".
func (k Kind) String() string {
	switch k {
	case KindCron:
		return "cron"
	case KindRate:
		return "rate"
	case KindAt:
		return "at"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// maxExprLen is the longest ScheduleExpression AWS accepts.
const maxExprLen = 256

// Schedule is a parsed AWS schedule expression with its options. It
// implements robfig/cron/v3's Schedule interface, so it runs on a cron.Cron
// (through (*cron.Cron).Schedule) as well as on this package's [Scheduler].
//
// A Schedule is immutable and safe for concurrent use, with one exception
// documented on [Schedule.Next]: a rate(...) schedule without a start date
// fixes its anchor on the first call to Next. Copies share that anchor; use
// [Schedule.Anchored] for a copy with an anchor of its own. A [Scheduler]
// gives each job its own anchor.
//
// The zero Schedule never fires: Next returns the zero time and String
// returns "".
type Schedule struct {
	s *spec
}

type spec struct {
	kind       Kind
	loc        *time.Location
	start, end time.Time
	window     time.Duration
	rand       *lockedRand
	cron       *cronSpec
	rate       *rateSpec
	at         *atSpec
	atInstant  time.Time
}

// Parse parses an AWS schedule expression: cron(...), rate(...) or
// at(...), as the package documentation describes. The expression must be
// exact: no surrounding spaces, lower-case kind, at most 256 characters.
//
// An invalid expression returns an *[Error] naming the field and the
// reason, which matches [ErrInvalidExpression]; a failing option returns
// its own error.
func Parse(expr string, opts ...Option) (Schedule, error) {
	var cfg config
	for _, opt := range opts {
		if opt == nil {
			return Schedule{}, fmt.Errorf("schedule: nil Option")
		}
		if err := opt(&cfg); err != nil {
			return Schedule{}, err
		}
	}
	if cfg.loc == nil {
		cfg.loc = time.UTC
	}
	if !cfg.start.IsZero() && !cfg.end.IsZero() && cfg.end.Before(cfg.start) {
		return Schedule{}, fmt.Errorf("schedule: end date %s is before start date %s",
			cfg.end.Format(time.RFC3339), cfg.start.Format(time.RFC3339))
	}
	s := &spec{loc: cfg.loc, start: cfg.start, end: cfg.end, window: cfg.window, rand: cfg.rand}
	if len(expr) > maxExprLen {
		return Schedule{}, exprError(expr, FieldExpression, "%d characters long; AWS allows at most %d", len(expr), maxExprLen)
	}
	kind, body, ok := strings.Cut(expr, "(")
	if !ok || !strings.HasSuffix(body, ")") {
		return Schedule{}, exprError(expr, FieldExpression, "%q is not cron(...), rate(...) or at(...)", expr)
	}
	body = body[:len(body)-1]
	var err error
	switch kind {
	case "cron":
		s.kind = KindCron
		s.cron, err = parseCron(expr, body)
	case "rate":
		s.kind = KindRate
		s.rate, err = parseRate(expr, body)
	case "at":
		s.kind = KindAt
		if s.at, err = parseAt(expr, body); err == nil {
			var exists bool
			if s.atInstant, exists = s.at.instant(s.loc); !exists {
				err = exprError(expr, FieldAtTimestamp, "%s does not exist in %s (it falls in a daylight-saving gap)",
					body, s.loc)
			}
		}
	default:
		return Schedule{}, exprError(expr, FieldExpression, "%q is not cron(...), rate(...) or at(...)", expr)
	}
	if err != nil {
		return Schedule{}, err
	}
	return Schedule{s}, nil
}

// MustParse is like [Parse] but panics if the expression or an option is
// invalid. It is meant for expressions written in the program's source.
func MustParse(expr string, opts ...Option) Schedule {
	s, err := Parse(expr, opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// Next returns the first fire time strictly after t, in the schedule's
// time zone, or the zero time if the schedule never fires again (a past
// at(...), an exhausted year list, a passed end date). It is a pure function
// of t, except that a rate(...) schedule without a start date takes its
// anchor from the first call: rate(5 minutes) first asked at 09:00:30 fires
// at 09:05:30, 09:10:30, and so on.
//
// Use [Schedule.Anchored] to fix the anchor explicitly, or [WithStartDate].
//
// Next searches cron expressions up to the end of 2199 (the last year AWS
// accepts) and costs at most a few operations per month searched.
func (s Schedule) Next(t time.Time) time.Time {
	if s.s == nil {
		return time.Time{}
	}
	p := s.s
	var n time.Time
	switch p.kind {
	case KindAt:
		// StartDate and EndDate do not apply to one-time schedules.
		if p.atInstant.After(t) {
			return p.atInstant
		}
		return time.Time{}
	case KindRate:
		n = p.rate.next(t, p.start)
	case KindCron:
		from := t
		if !p.start.IsZero() && t.Before(p.start) {
			from = p.start.Add(-time.Nanosecond) // a fire exactly at start counts
		}
		n = p.cron.next(from, p.loc)
	}
	if n.IsZero() || (!p.end.IsZero() && n.After(p.end)) {
		return time.Time{}
	}
	return n.In(p.loc)
}

// Anchored returns a copy of s whose rate(...) counts from t: it fires at
// t, t+interval, t+2·interval, ... (Next(u) returns t for any u before
// t). The copy has an anchor of its own, which s and its other copies do
// not share. A schedule that is not a rate, or that has a start date (the
// start date is its anchor), is returned unchanged; so is the zero
// Schedule.
func (s Schedule) Anchored(t time.Time) Schedule {
	c, ok := s.unanchored()
	if ok {
		c.s.rate.anchor.Store(&t)
		c.s.rate.explicit = true
	}
	return c
}

// anchored reports whether s is a rate schedule whose anchor is fixed by
// Anchored (not by a start date, nor by a call to Next).
func (s Schedule) anchored() bool {
	return s.s != nil && s.s.rate != nil && s.s.start.IsZero() && s.s.rate.explicit
}

// unanchored returns a copy of a rate schedule without a start date, with a
// fresh anchor that the first call to Next will fix, and true; any other
// schedule unchanged, and false.
func (s Schedule) unanchored() (Schedule, bool) {
	if s.s == nil || s.s.kind != KindRate || !s.s.start.IsZero() {
		return s, false
	}
	c := *s.s
	r := s.s.rate
	c.rate = &rateSpec{value: r.value, unit: r.unit, every: r.every}
	return Schedule{&c}, true
}

// String returns the canonical expression: names in upper case, numbers
// without leading zeros, lists and ranges as written. Parsing it again
// gives an equal schedule. Options (time zone, dates, window) are not part
// of the expression.
func (s Schedule) String() string {
	if s.s == nil {
		return ""
	}
	switch s.s.kind {
	case KindCron:
		return s.s.cron.String()
	case KindRate:
		return s.s.rate.String()
	default:
		return s.s.at.String()
	}
}

// Kind reports whether s is a cron, rate or at schedule; 0 for the zero
// Schedule.
func (s Schedule) Kind() Kind {
	if s.s == nil {
		return 0
	}
	return s.s.kind
}

// Location returns the time zone the schedule is evaluated in (UTC unless
// set by [WithTimeZone] or [WithLocation]).
func (s Schedule) Location() *time.Location {
	if s.s == nil {
		return time.UTC
	}
	return s.s.loc
}

// StartDate returns the start date set by [WithStartDate], or the zero time.
func (s Schedule) StartDate() time.Time {
	if s.s == nil {
		return time.Time{}
	}
	return s.s.start
}

// EndDate returns the end date set by [WithEndDate], or the zero time.
func (s Schedule) EndDate() time.Time {
	if s.s == nil {
		return time.Time{}
	}
	return s.s.end
}

// FlexibleWindow returns the window set by [WithFlexibleWindow], or 0
// (flexible window OFF).
func (s Schedule) FlexibleWindow() time.Duration {
	if s.s == nil {
		return 0
	}
	return s.s.window
}

// Delay draws how long after a nominal fire time the run should start: a
// uniformly random duration in [0, FlexibleWindow()), from the source set by
// [WithRandSource]. It returns 0 when no window is set. It is safe for
// concurrent use.
func (s Schedule) Delay() time.Duration {
	if s.s == nil || s.s.window == 0 {
		return 0
	}
	return time.Duration(s.s.rand.int64N(int64(s.s.window)))
}
