package schedule

import (
	"time"
)

// atLayout is the timestamp inside at(...): local wall time, no zone.
const atLayout = "2006-01-02T15:04:05"

// atSpec is a parsed at(...) expression: one wall-clock time.
type atSpec struct {
	wall string // canonical yyyy-mm-ddThh:mm:ss
	y    int
	m    time.Month
	d    int
	h    int
	mi   int
	s    int
}

// parseAt parses the inside of at(...): yyyy-mm-ddThh:mm:ss exactly, a
// real calendar date, year 1970-2199 (the range of the cron year field).
func parseAt(expr, body string) (*atSpec, error) {
	if len(body) != len(atLayout) || body[4] != '-' || body[7] != '-' || body[10] != 'T' || body[13] != ':' || body[16] != ':' {
		return nil, exprError(expr, FieldAtTimestamp, "%q is not yyyy-mm-ddThh:mm:ss (local time, no zone or offset)", body)
	}
	num := func(i, j int) (int, bool) { return atoi(body[i:j]) }
	y, ok1 := num(0, 4)
	m, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	s, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return nil, exprError(expr, FieldAtTimestamp, "%q is not yyyy-mm-ddThh:mm:ss (local time, no zone or offset)", body)
	}
	switch {
	case y < minYear || y > maxYear:
		return nil, exprError(expr, FieldAtTimestamp, "year %d is out of range %d-%d", y, minYear, maxYear)
	case m < 1 || m > 12:
		return nil, exprError(expr, FieldAtTimestamp, "month %d is out of range 1-12", m)
	case d < 1 || d > daysIn(y, time.Month(m)):
		return nil, exprError(expr, FieldAtTimestamp, "day %d is out of range 1-%d for %s %d", d, daysIn(y, time.Month(m)), time.Month(m), y)
	case h > 23:
		return nil, exprError(expr, FieldAtTimestamp, "hour %d is out of range 0-23", h)
	case mi > 59:
		return nil, exprError(expr, FieldAtTimestamp, "minute %d is out of range 0-59", mi)
	case s > 59:
		return nil, exprError(expr, FieldAtTimestamp, "second %d is out of range 0-59", s)
	}
	return &atSpec{wall: body, y: y, m: time.Month(m), d: d, h: h, mi: mi, s: s}, nil
}

func (a *atSpec) String() string { return "at(" + a.wall + ")" }

// instant returns the instant of the wall time in loc; ok is false if the
// wall time falls in a daylight-saving gap of loc.
func (a *atSpec) instant(loc *time.Location) (time.Time, bool) {
	return resolve(a.y, a.m, a.d, a.h, a.mi, a.s, loc)
}
