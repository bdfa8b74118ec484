package schedule

import (
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// rateSpec is a parsed rate(value unit) expression.
type rateSpec struct {
	value int
	unit  string        // as written: minute, minutes, hour, hours, day, days
	every time.Duration // value × unit; a day is a fixed 24 hours

	// anchor is the instant the rate counts from when no start date is
	// set: the argument of the first call to Next. It is set once.
	anchor atomic.Pointer[time.Time]
	// explicit is set (before the schedule is shared) when the anchor was
	// given by Schedule.Anchored.
	explicit bool
}

var rateUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute,
	"hour": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
}

// parseRate parses the inside of rate(...): "value unit", one space, value
// a positive integer, unit singular for 1 and plural otherwise (as
// EventBridge's PutRule requires).
func parseRate(expr, body string) (*rateSpec, error) {
	valueText, unit, ok := strings.Cut(body, " ")
	if !ok || valueText == "" || unit == "" {
		return nil, exprError(expr, FieldExpression, `want rate(value unit), as in rate(5 minutes)`)
	}
	if !isDigits(valueText) {
		return nil, exprError(expr, FieldRateValue, "%q is not a positive whole number", valueText)
	}
	base, known := rateUnits[unit]
	if !known {
		return nil, exprError(expr, FieldRateUnit, "%q is not one of minute, minutes, hour, hours, day, days", unit)
	}
	value, err := strconv.ParseInt(valueText, 10, 64)
	limit := int64(math.MaxInt64 / base)
	if err != nil || value > limit {
		return nil, exprError(expr, FieldRateValue, "%s %s is longer than the longest supported interval (%d %s)",
			strings.TrimLeft(valueText, "0"), unit, limit, strings.TrimSuffix(unit, "s")+"s")
	}
	if value < 1 {
		return nil, exprError(expr, FieldRateValue, "%s is not positive; the smallest rate is rate(1 minute)", valueText)
	}
	singular := !strings.HasSuffix(unit, "s")
	if value == 1 && !singular {
		return nil, exprError(expr, FieldRateUnit, "want %q for a value of 1, not %q", strings.TrimSuffix(unit, "s"), unit)
	}
	if value > 1 && singular {
		return nil, exprError(expr, FieldRateUnit, "want %q for a value of %d, not %q", unit+"s", value, unit)
	}
	return &rateSpec{value: int(value), unit: unit, every: time.Duration(value) * base}, nil
}

func (r *rateSpec) String() string {
	return "rate(" + strconv.Itoa(r.value) + " " + r.unit + ")"
}

// next returns the first instant anchor + k·every (k >= 0) strictly after
// t. With a zero start the anchor is fixed by the first call.
func (r *rateSpec) next(t, start time.Time) time.Time {
	anchor := start
	if anchor.IsZero() {
		r.anchor.CompareAndSwap(nil, &t)
		anchor = *r.anchor.Load()
	}
	if t.Before(anchor) {
		return anchor
	}
	// k = floor((t - anchor) / every), computed in whole seconds so that it
	// cannot overflow; every is a whole number of minutes.
	k := (t.Unix() - anchor.Unix()) / int64(r.every/time.Second)
	n := addTimes(anchor, r.every, k)
	for !n.After(t) {
		n = n.Add(r.every)
	}
	return n
}

// addTimes returns t + k·d without overflowing time.Duration.
func addTimes(t time.Time, d time.Duration, k int64) time.Time {
	for k > 0 {
		chunk := min(k, int64(math.MaxInt64/d))
		t = t.Add(time.Duration(chunk) * d)
		k -= chunk
	}
	return t
}
