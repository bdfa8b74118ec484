package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Threshold makes a rule an alarm, as a CloudWatch metric filter plus an
// alarm: the rule's matched events are counted (or a numeric field of
// them summed) over a sliding window of Period, and the rule's targets
// fire when the alarm this makes enters the ALARM state, not on each
// event. See the package documentation, "Alarms".
//
// The zero Comparison means [GreaterOrEqual]; Count and Period are
// required.
type Threshold struct {
	// Count is the threshold the window's value is compared with: at
	// least 1, at most [MaxThresholdCount].
	Count int64
	// Period is the length of the window: a whole number of seconds from
	// [MinThresholdPeriod] to [MaxThresholdPeriod].
	Period time.Duration
	// Field, if set, is the dotted path of a numeric field of the event,
	// such as "detail.errors" (a leading "$." is dropped), whose values
	// are summed instead of counting events. Names are separated by dots,
	// so a name that holds a dot cannot be reached; array indexes and
	// wildcards ([, ], *) are refused. An event whose field is missing or
	// not a number is not counted, and is reported.
	Field string
	// Comparison is how the window's value compares with Count for the
	// alarm to be in ALARM: [GreaterOrEqual] (the default), [Greater],
	// [LessOrEqual] or [Less].
	Comparison Comparison
}

// Comparison is how a [Threshold] compares the value of its window with
// its Count.
type Comparison string

// The comparisons, as CloudWatch's GreaterThanOrEqualToThreshold,
// GreaterThanThreshold, LessThanOrEqualToThreshold and LessThanThreshold.
const (
	GreaterOrEqual Comparison = ">="
	Greater        Comparison = ">"
	LessOrEqual    Comparison = "<="
	Less           Comparison = "<"
)

// Limits of a Threshold.
const (
	MinThresholdPeriod = time.Second
	MaxThresholdPeriod = 7 * 24 * time.Hour
	MaxThresholdCount  = 1 << 53 // counts and sums are float64s, exact up to here
	MaxFieldLen        = 256
)

// bucketWidths are the widths an alarm's buckets may have: each divides a
// second or is a whole number of seconds, so that buckets start on whole
// seconds of the clock. Consecutive widths differ by at most 2.5 times.
var bucketWidths = [...]time.Duration{
	10 * time.Millisecond, 20 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 20 * time.Minute,
}

// bucketWidth returns the width of an alarm's buckets, the widest of
// bucketWidths no wider than period/400 (10 ms for periods under 4 s),
// and the most buckets a window can hold: ceil(period/width), from 100
// (a 1 s period) to 1000.
func bucketWidth(period time.Duration) (time.Duration, int64) {
	w := bucketWidths[0]
	for _, bw := range bucketWidths {
		if bw <= period/400 {
			w = bw
		}
	}
	return w, int64((period + w - 1) / w)
}

// breaches reports whether v is on the ALARM side of the threshold.
func (t *Threshold) breaches(v float64) bool {
	c := float64(t.Count)
	switch t.Comparison {
	case Greater:
		return v > c
	case LessOrEqual:
		return v <= c
	case Less:
		return v < c
	}
	return v >= c
}

// upward reports whether the alarm is about high values (>= or >), so
// that during the first period a breach decides (ALARM) and its absence
// does not; for <= and < it is the other way round.
func (t *Threshold) upward() bool { return t.Comparison == GreaterOrEqual || t.Comparison == Greater }

// words says the comparison in words, as CloudWatch's reasons do.
func (c Comparison) words() string {
	switch c {
	case Greater:
		return "greater than"
	case LessOrEqual:
		return "less than or equal to"
	case Less:
		return "less than"
	}
	return "greater than or equal to"
}

// compileThreshold checks t and returns a normalized copy (Comparison set,
// Field without "$.") and the gjson path of its field ("" when counting).
func compileThreshold(r *Rule) (*Threshold, string, error) {
	t := *r.Threshold
	bad := func(field, format string, args ...any) error {
		return &Error{Code: CodeValidation, Rule: r.Name, Field: "Threshold." + field,
			Message: "Parameter Threshold." + field + " is not valid: " + fmt.Sprintf(format, args...) + "."}
	}
	if r.EventPattern == "" || r.ScheduleExpression != "" {
		return nil, "", &Error{Code: CodeValidation, Rule: r.Name, Field: "Threshold",
			Message: "Parameter Threshold is only valid with an EventPattern and no ScheduleExpression: a threshold counts matched events."}
	}
	if t.Count < 1 || t.Count > MaxThresholdCount {
		return nil, "", bad("Count", "%d is out of range 1-%d", t.Count, int64(MaxThresholdCount))
	}
	if t.Period < MinThresholdPeriod || t.Period > MaxThresholdPeriod {
		return nil, "", bad("Period", "%v is out of range %v-%v", t.Period, MinThresholdPeriod, MaxThresholdPeriod)
	}
	if t.Period%time.Second != 0 {
		return nil, "", bad("Period", "%v is not a whole number of seconds", t.Period)
	}
	switch t.Comparison {
	case "":
		t.Comparison = GreaterOrEqual
	case GreaterOrEqual, Greater, LessOrEqual, Less:
	default:
		return nil, "", bad("Comparison", "%q is not one of >=, >, <=, <", string(t.Comparison))
	}
	if t.Field == "" {
		return &t, "", nil
	}
	path, gpath, why := fieldPath(t.Field)
	if why != "" {
		return nil, "", bad("Field", "%q %s", t.Field, why)
	}
	t.Field = path
	return &t, gpath, nil
}

// fieldPath checks a Threshold's Field and returns it without a leading
// "$.", and as a gjson path, or the reason it is not valid.
func fieldPath(f string) (path, gpath, why string) {
	if len(f) > MaxFieldLen {
		return "", "", "is longer than " + strconv.Itoa(MaxFieldLen) + " bytes"
	}
	p := strings.TrimPrefix(f, "$.")
	if strings.ContainsAny(p, "[]*") {
		return "", "", "has an array index or a wildcard: give a dotted path such as detail.errors"
	}
	segs := strings.Split(p, ".")
	for i, s := range segs {
		if s == "" {
			return "", "", "has an empty name: give a dotted path such as detail.errors"
		}
		segs[i] = gjson.Escape(s)
	}
	return p, strings.Join(segs, "."), ""
}

// fieldValue reads the numeric value at gpath in ev, or says why it
// cannot.
func fieldValue(ev []byte, gpath string) (float64, string) {
	r := gjson.GetBytes(ev, gpath)
	switch {
	case !r.Exists():
		return 0, "is missing"
	case r.Type != gjson.Number:
		return 0, "is not a number"
	case math.IsInf(r.Num, 0) || math.IsNaN(r.Num):
		return 0, "is out of range"
	}
	return r.Num, ""
}
