package schedule_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr, field, msg string
	}{
		// The shape of the expression.
		{"", "expression", `schedule: expression: "" is not cron(...), rate(...) or at(...)`},
		{"every 5 minutes", "expression", `schedule: expression: "every 5 minutes" is not cron(...), rate(...) or at(...)`},
		{"CRON(0 9 * * ? *)", "expression", `schedule: expression: "CRON(0 9 * * ? *)" is not cron(...), rate(...) or at(...)`},
		{"cron(0 9 * * ? *", "expression", `schedule: expression: "cron(0 9 * * ? *" is not cron(...), rate(...) or at(...)`},
		{"cron()", "expression", "schedule: expression: cron() is empty; want 6 fields: minutes hours day-of-month month day-of-week year"},
		{"cron(INVALID)", "expression", "schedule: expression: cron has 1 field; want 6: minutes hours day-of-month month day-of-week year"},
		{"cron(0 18 ? * MON-FRI)", "expression", "schedule: expression: cron has 5 fields; want 6: minutes hours day-of-month month day-of-week year"},
		{"cron(0 18  ? * MON-FRI *)", "expression", "schedule: expression: cron fields must be separated by single spaces"},
		{"cron(" + strings.Repeat("1,", 130) + "1 * * * ? *)", "expression", "schedule: expression: 277 characters long; AWS allows at most 256"},
		// Minutes.
		{"cron(71 8 1 * ? *)", "minutes", "schedule: minutes: 71 is out of range 0-59"},
		{"cron(*/60 * * * ? *)", "minutes", "schedule: minutes: step 60 is out of range 1-59"},
		{"cron(5/155 10 * * ? *)", "minutes", "schedule: minutes: step 155 is out of range 1-59"},
		{"cron(0/0 10 * * ? *)", "minutes", "schedule: minutes: step 0 is out of range 1-59"},
		{"cron(65/15 10 * * ? *)", "minutes", "schedule: minutes: 65 is out of range 0-59"},
		{"cron(5/ 10 * * ? *)", "minutes", `schedule: minutes: missing step after / in "5/"`},
		{"cron(/5 10 * * ? *)", "minutes", `schedule: minutes: missing value before / in "/5"`},
		{"cron(x 10 * * ? *)", "minutes", `schedule: minutes: "X" is not a number (0-59)`},
		{"cron(? 10 * * ? *)", "minutes", `schedule: minutes: "?" is only allowed in day-of-month and day-of-week`},
		{"cron(L 10 * * ? *)", "minutes", `schedule: minutes: "L" is only allowed in day-of-month and day-of-week`},
		{"cron(99999999999 10 * * ? *)", "minutes", "schedule: minutes: 99999999999 is out of range 0-59"},
		// Hours.
		{"cron(0 25 * * ? *)", "hours", "schedule: hours: 25 is out of range 0-23"},
		{"cron(0 dummy ? * MON-FRI *)", "hours", `schedule: hours: "DUMMY" is not a number (0-23)`},
		{"cron(* ? * * * *)", "hours", `schedule: hours: "?" is only allowed in day-of-month and day-of-week`},
		{"cron(0 1-7/2,11-23/2, * * ? *)", "hours", `schedule: hours: empty element in list "1-7/2,11-23/2,"`},
		{"cron(0 -1 * * ? *)", "hours", `schedule: hours: "-1": missing start of range`},
		{"cron(0 1- * * ? *)", "hours", `schedule: hours: "1-": missing end of range`},
		{"cron(0 1#2 * * ? *)", "hours", `schedule: hours: "#" is only allowed in day-of-week`},
		// Day of month.
		{"cron(0 18 32W * ? *)", "day-of-month", "schedule: day-of-month: 32 is out of range 1-31"},
		{"cron(0 18 W * ? *)", "day-of-month", `schedule: day-of-month: "W" needs a day before it, as in 15W`},
		{"cron(0 18 L-31 * ? *)", "day-of-month", `schedule: day-of-month: offset 31 in "L-31" is out of range 1-30`},
		{"cron(0 18 L,15 * ? *)", "day-of-month", `schedule: day-of-month: "L,15": "L" and "W" must stand alone, as in L, L-3, LW or 15W`},
		{"cron(0 18 0 * ? *)", "day-of-month", "schedule: day-of-month: 0 is out of range 1-31"},
		{"cron(0 18 ?,1 * ? *)", "day-of-month", `schedule: day-of-month: "?,1": "?" must stand alone`},
		{"cron(0 9 ? * ? *)", "day-of-month", `schedule: day-of-month: "?" in both day-of-month and day-of-week; exactly one of them must be "?"`},
		// Month.
		{"cron(10 10 31 04,09,13 ? *)", "month", "schedule: month: 13 is out of range 1-12"},
		{"cron(0 0 1 JANUARY ? *)", "month", `schedule: month: "JANUARY" is not a number (1-12) or a month name (JAN-DEC)`},
		{"cron(0 0 1 */13 ? *)", "month", "schedule: month: step 13 is out of range 1-12"},
		// Day of week.
		{"cron(0 1 * * * *)", "day-of-week", `schedule: day-of-week: "*" needs "?" in day-of-month ("*"); exactly one of them must be "?"`},
		{"cron(0 0 1 * 2 2025)", "day-of-week", `schedule: day-of-week: "2" needs "?" in day-of-month ("1"); exactly one of them must be "?"`},
		{"cron(7 20 * * NOT *)", "day-of-week", `schedule: day-of-week: "NOT" is not a number (1-7) or a day name (SUN-SAT)`},
		{"cron(15 12 ? * -1 *)", "day-of-week", `schedule: day-of-week: "-1": missing start of range`},
		{"cron(0,5 07/12 ? * 01,05,8 *)", "day-of-week", "schedule: day-of-week: 8 is out of range 1-7"},
		{"cron(0 9 ? * 2#6 *)", "day-of-week", `schedule: day-of-week: week 6 in "2#6" is out of range 1-5`},
		{"cron(0 9 ? * 3#1,6#3 *)", "day-of-week", `schedule: day-of-week: "3#1,6#3": "#" must stand alone, as in 3#2 or TUE#2 (only one expression is allowed with "#")`},
		{"cron(0 9 ? * 6L,2 *)", "day-of-week", `schedule: day-of-week: "6L,2": "L" must stand alone, as in L, 6L or FRIL`},
		{"cron(15 10 ? * L-2 *)", "day-of-week", `schedule: day-of-week: "L-2": L-n is only allowed in day-of-month`},
		{"cron(0 9 ? * 0 *)", "day-of-week", "schedule: day-of-week: 0 is out of range 1-7"},
		// Year.
		{"cron(0,5 07/12 ? * 1 2000-2200)", "year", "schedule: year: 2200 is out of range 1970-2199"},
		{"cron(0 0 1 1 ? 1969)", "year", "schedule: year: 1969 is out of range 1970-2199"},
		{"cron(0 0 1 1 ? 2030-2025)", "year", "schedule: year: range 2030-2025 runs backwards"},
		// rate(...).
		{"rate()", "expression", "schedule: expression: want rate(value unit), as in rate(5 minutes)"},
		{"rate(10)", "expression", "schedule: expression: want rate(value unit), as in rate(5 minutes)"},
		{"rate(5minutes)", "expression", "schedule: expression: want rate(value unit), as in rate(5 minutes)"},
		{"rate( 10 minutes )", "expression", "schedule: expression: want rate(value unit), as in rate(5 minutes)"},
		{" rate(10 minutes)", "expression", `schedule: expression: " rate(10 minutes)" is not cron(...), rate(...) or at(...)`},
		{"rate(foo minutes)", "rate value", `schedule: rate value: "foo" is not a positive whole number`},
		{"rate(-10 minutes)", "rate value", `schedule: rate value: "-10" is not a positive whole number`},
		{"rate(0 minutes)", "rate value", "schedule: rate value: 0 is not positive; the smallest rate is rate(1 minute)"},
		{"rate(999999999999 days)", "rate value", "schedule: rate value: 999999999999 days is longer than the longest supported interval (106751 days)"},
		{"rate(10 seconds)", "rate unit", `schedule: rate unit: "seconds" is not one of minute, minutes, hour, hours, day, days`},
		{"rate(10 MINUTES)", "rate unit", `schedule: rate unit: "MINUTES" is not one of minute, minutes, hour, hours, day, days`},
		{"rate(1 hours)", "rate unit", `schedule: rate unit: want "hour" for a value of 1, not "hours"`},
		{"rate(10 minute)", "rate unit", `schedule: rate unit: want "minutes" for a value of 10, not "minute"`},
		// at(...).
		{"at(2021-12-31)", "at timestamp", `schedule: at timestamp: "2021-12-31" is not yyyy-mm-ddThh:mm:ss (local time, no zone or offset)`},
		{"at(2025-03-15T12:45:30Z)", "at timestamp", `schedule: at timestamp: "2025-03-15T12:45:30Z" is not yyyy-mm-ddThh:mm:ss (local time, no zone or offset)`},
		{"at(2025-13-01T00:00:00)", "at timestamp", "schedule: at timestamp: month 13 is out of range 1-12"},
		{"at(2025-02-30T00:00:00)", "at timestamp", "schedule: at timestamp: day 30 is out of range 1-28 for February 2025"},
		{"at(2025-01-01T25:00:00)", "at timestamp", "schedule: at timestamp: hour 25 is out of range 0-23"},
		{"at(2025-01-01T00:60:00)", "at timestamp", "schedule: at timestamp: minute 60 is out of range 0-59"},
		{"at(2025-01-01T00:00:60)", "at timestamp", "schedule: at timestamp: second 60 is out of range 0-59"},
		{"at(2200-01-01T00:00:00)", "at timestamp", "schedule: at timestamp: year 2200 is out of range 1970-2199"},
	}
	for _, tt := range tests {
		_, err := schedule.Parse(tt.expr)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want %q", tt.expr, tt.msg)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.expr, err, tt.msg)
		}
		var e *schedule.Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q): %T is not *schedule.Error", tt.expr, err)
			continue
		}
		if e.Field != tt.field || e.Expr != tt.expr {
			t.Errorf("Parse(%q): Field, Expr = %q, %q; want %q, %q", tt.expr, e.Field, e.Expr, tt.field, tt.expr)
		}
		if !errors.Is(err, schedule.ErrInvalidExpression) {
			t.Errorf("Parse(%q): error does not match ErrInvalidExpression", tt.expr)
		}
		if e.RulesMessage() != "Parameter ScheduleExpression is not valid." {
			t.Errorf("RulesMessage() = %q", e.RulesMessage())
		}
		if want := "Invalid Schedule Expression " + tt.expr + "."; e.SchedulerMessage() != want {
			t.Errorf("SchedulerMessage() = %q, want %q", e.SchedulerMessage(), want)
		}
	}
}

func TestParseAtInGap(t *testing.T) {
	_, err := schedule.Parse("at(2025-03-09T02:30:00)", schedule.WithTimeZone("America/New_York"))
	want := "schedule: at timestamp: 2025-03-09T02:30:00 does not exist in America/New_York (it falls in a daylight-saving gap)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	// The same wall time is fine in UTC, and the repeated hour at fall-back
	// resolves to its first occurrence.
	s := mustParse(t, "at(2025-11-02T01:30:00)", schedule.WithTimeZone("America/New_York"))
	if got := s.Next(time.Time{}).UTC().Format(time.RFC3339); got != "2025-11-02T05:30:00Z" {
		t.Errorf("at in the repeated hour fires at %s, want the first occurrence 05:30Z", got)
	}
}

func TestOptionErrors(t *testing.T) {
	start := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		opts []schedule.Option
		msg  string
	}{
		{"unknown zone", []schedule.Option{schedule.WithTimeZone("Mars/Olympus")}, `schedule: time zone "Mars/Olympus": unknown time zone Mars/Olympus`},
		{"Local", []schedule.Option{schedule.WithTimeZone("Local")}, `schedule: time zone "Local" is not an IANA time zone name`},
		{"empty zone", []schedule.Option{schedule.WithTimeZone("")}, `schedule: time zone "" is not an IANA time zone name`},
		{"nil location", []schedule.Option{schedule.WithLocation(nil)}, "schedule: WithLocation: nil location"},
		{"two zones", []schedule.Option{schedule.WithTimeZone("UTC"), schedule.WithLocation(time.UTC)}, "schedule: time zone given more than once"},
		{"zero start", []schedule.Option{schedule.WithStartDate(time.Time{})}, "schedule: WithStartDate: zero time"},
		{"end before start", []schedule.Option{schedule.WithStartDate(start), schedule.WithEndDate(start.Add(-time.Hour))},
			"schedule: end date 2025-01-01T23:00:00Z is before start date 2025-01-02T00:00:00Z"},
		{"window 0", []schedule.Option{schedule.WithFlexibleWindow(0)}, "schedule: flexible window 0s is not a whole number of minutes from 1 to 1440"},
		{"window 1441m", []schedule.Option{schedule.WithFlexibleWindow(1441 * time.Minute)}, "schedule: flexible window 24h1m0s is not a whole number of minutes from 1 to 1440"},
		{"window 90s", []schedule.Option{schedule.WithFlexibleWindow(90 * time.Second)}, "schedule: flexible window 1m30s is not a whole number of minutes from 1 to 1440"},
		{"nil source", []schedule.Option{schedule.WithRandSource(nil)}, "schedule: WithRandSource: nil source"},
		{"nil option", []schedule.Option{nil}, "schedule: nil Option"},
	}
	for _, tt := range tests {
		_, err := schedule.Parse("rate(1 minute)", tt.opts...)
		if err == nil || err.Error() != tt.msg {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.msg)
			continue
		}
		if errors.Is(err, schedule.ErrInvalidExpression) {
			t.Errorf("%s: an option error matches ErrInvalidExpression", tt.name)
		}
	}
	// The window's bounds are inclusive.
	for _, d := range []time.Duration{time.Minute, 1440 * time.Minute} {
		if _, err := schedule.Parse("rate(1 minute)", schedule.WithFlexibleWindow(d)); err != nil {
			t.Errorf("WithFlexibleWindow(%v): %v", d, err)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cron(15 12 ? * sun,mon *)", "cron(15 12 ? * SUN,MON *)"},
		{"cron(0-29/5 22 09 05 ? 2021,2020,2022)", "cron(0-29/5 22 9 5 ? 2021,2020,2022)"},
		{"cron(0 07/12 ? * * *)", "cron(0 7/12 ? * * *)"},
		{"cron(30 0 1 jan-Apr,JUL-OCT/2,DEC ? *)", "cron(30 0 1 JAN-APR,JUL-OCT/2,DEC ? *)"},
		{"cron(0 9 ? * friL *)", "cron(0 9 ? * FRIL *)"},
		{"cron(0 9 ? * tue#02 *)", "cron(0 9 ? * TUE#2 *)"},
		{"cron(0 9 l-03 * ? *)", "cron(0 9 L-3 * ? *)"},
		{"cron(0 9 lw * ? *)", "cron(0 9 LW * ? *)"},
		{"cron(0 9 03w * ? *)", "cron(0 9 3W * ? *)"},
		{"cron(*/15 * * * ? *)", "cron(*/15 * * * ? *)"},
		{"rate(05 minutes)", "rate(5 minutes)"},
		{"at(2027-01-29T09:00:00)", "at(2027-01-29T09:00:00)"},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.in)
		if got := s.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := (schedule.Schedule{}).String(); got != "" {
		t.Errorf("zero Schedule: String() = %q", got)
	}
}

func TestNext(t *testing.T) {
	tests := []struct {
		expr, tz, from string
		want           []string // RFC 3339 in UTC; "" = zero time
	}{
		// Far-away fires: no 5-year horizon, and 2199 is the last year.
		{"cron(0 0 1 1 ? 2199)", "UTC", "2025-01-01T00:00:00Z", []string{"2199-01-01T00:00:00Z", ""}},
		{"cron(0 0 29 2 ? 2100-2199)", "UTC", "2025-01-01T00:00:00Z", []string{"2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z"}},
		{"cron(0 0 30 2 ? *)", "UTC", "2025-01-01T00:00:00Z", []string{""}},
		{"cron(0 0 1 1 ? 2020)", "UTC", "2025-01-01T00:00:00Z", []string{""}},
		{"cron(0 0 1 1 ? *)", "UTC", "2199-06-01T00:00:00Z", []string{""}},
		{"cron(0 0 1 1 ? *)", "UTC", "9999-06-01T00:00:00Z", []string{""}},
		// Before 1970 the search starts at 1970.
		{"cron(0 0 1 1 ? *)", "UTC", "1900-06-01T00:00:00Z", []string{"1970-01-01T00:00:00Z", "1971-01-01T00:00:00Z"}},
		{"cron(0 0 1 1 ? *)", "UTC", "0001-01-01T00:00:00Z", []string{"1970-01-01T00:00:00Z"}},
		// Seconds within the minute: strictly after.
		{"cron(* * * * ? *)", "UTC", "2025-01-01T00:00:00Z", []string{"2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z"}},
		{"cron(* * * * ? *)", "UTC", "2025-01-01T00:00:59Z", []string{"2025-01-01T00:01:00Z"}},
		// W rules: 1 Feb 2025 is a Saturday -> Monday 3rd; 30 Nov 2025 is a Sunday -> Friday 28th.
		{"cron(0 0 1W * ? 2025)", "UTC", "2025-01-15T00:00:00Z", []string{"2025-02-03T00:00:00Z", "2025-03-03T00:00:00Z"}},
		{"cron(0 0 30W 11 ? 2025)", "UTC", "2025-01-01T00:00:00Z", []string{"2025-11-28T00:00:00Z"}},
		// LW: 31 Aug 2025 is a Sunday -> Friday 29th; 31 May 2025 a Saturday -> Friday 30th.
		{"cron(0 0 LW 5,8 ? 2025)", "UTC", "2025-01-01T00:00:00Z", []string{"2025-05-30T00:00:00Z", "2025-08-29T00:00:00Z", ""}},
		// L in day-of-week alone means Saturday.
		{"cron(0 0 ? 1 L 2025)", "UTC", "2025-01-01T00:00:00Z", []string{"2025-01-04T00:00:00Z", "2025-01-11T00:00:00Z"}},
		// 5th Friday: only months that have one.
		{"cron(0 0 ? * FRI#5 2025)", "UTC", "2025-01-01T00:00:00Z", []string{"2025-01-31T00:00:00Z", "2025-05-30T00:00:00Z", "2025-08-29T00:00:00Z"}},
		// Step in day-of-week (Quartz extension): MON/2 = Monday, Wednesday, Friday.
		{"cron(0 0 ? * MON/2 *)", "UTC", "2025-01-05T00:00:00Z", []string{"2025-01-06T00:00:00Z", "2025-01-08T00:00:00Z", "2025-01-10T00:00:00Z", "2025-01-13T00:00:00Z"}},
		// Wrap with a step: hours 22-2/2 = 22, 0, 2.
		{"cron(0 22-2/2 * * ? *)", "UTC", "2025-01-01T00:30:00Z", []string{"2025-01-01T02:00:00Z", "2025-01-01T22:00:00Z", "2025-01-02T00:00:00Z"}},
		// Time zones: Kolkata (+05:30, no DST), Tokyo.
		{"cron(0 9 * * ? *)", "Asia/Kolkata", "2025-01-01T00:00:00Z", []string{"2025-01-01T03:30:00Z"}},
		{"cron(0 7 ? * FRI *)", "Asia/Tokyo", "2027-01-25T00:00:00Z", []string{"2027-01-28T22:00:00Z", "2027-02-04T22:00:00Z"}},
		// Sub-hourly across New York's spring-forward gap: 02:00-02:59 is skipped.
		{"cron(0/20 * * * ? *)", "America/New_York", "2025-03-09T06:30:00Z", []string{"2025-03-09T06:40:00Z", "2025-03-09T07:00:00Z", "2025-03-09T07:20:00Z"}},
		// From inside the repeated hour (second pass, 06:15Z = 01:15 EST): the next is 02:00 EST.
		{"cron(0/30 * * * ? *)", "America/New_York", "2025-11-02T06:15:00Z", []string{"2025-11-02T07:00:00Z"}},
		// A fixed zone with no DST.
		{"cron(0 12 * * ? *)", "Etc/GMT-3", "2025-01-01T00:00:00Z", []string{"2025-01-01T09:00:00Z"}},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.expr, schedule.WithTimeZone(tt.tz))
		at := mustTime(t, tt.from)
		var got []string
		for range tt.want {
			n := s.Next(at)
			if n.IsZero() {
				got = append(got, "")
				break
			}
			if n.Location() != s.Location() {
				t.Errorf("%s: Next returned a time in %v, want %v", tt.expr, n.Location(), s.Location())
			}
			got = append(got, n.UTC().Format(time.RFC3339))
			at = n
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s in %s from %s:\n got %q\nwant %q", tt.expr, tt.tz, tt.from, got, tt.want)
		}
	}
}

func TestNextStartEnd(t *testing.T) {
	start := mustTime(t, "2025-01-01T09:00:00Z")
	end := mustTime(t, "2025-01-03T09:00:00Z")
	s := mustParse(t, "cron(0 9 * * ? *)", schedule.WithStartDate(start), schedule.WithEndDate(end))
	var got []string
	var at time.Time
	for {
		at = s.Next(at)
		if at.IsZero() {
			break
		}
		got = append(got, at.Format(time.RFC3339))
	}
	// Start and end are both inclusive.
	equalStrings(t, "fires", got, []string{"2025-01-01T09:00:00Z", "2025-01-02T09:00:00Z", "2025-01-03T09:00:00Z"})

	// at(...) ignores start and end dates, as AWS does.
	a := mustParse(t, "at(2030-01-01T00:00:00)", schedule.WithStartDate(start), schedule.WithEndDate(end))
	if got := a.Next(start).Format(time.RFC3339); got != "2030-01-01T00:00:00Z" {
		t.Errorf("at with an earlier end date: Next = %s", got)
	}
	if got := a.Next(mustTime(t, "2030-01-01T00:00:00Z")); !got.IsZero() {
		t.Errorf("at: Next after the time = %v, want zero", got)
	}
}

func TestRate(t *testing.T) {
	start := mustTime(t, "2025-01-01T00:00:00Z")
	s := mustParse(t, "rate(90 minutes)", schedule.WithStartDate(start))
	for _, tt := range []struct{ from, want string }{
		{"2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}, // before the start: the start itself
		{"2025-01-01T00:00:00Z", "2025-01-01T01:30:00Z"}, // strictly after
		{"2025-01-01T01:29:59Z", "2025-01-01T01:30:00Z"},
		{"2025-01-01T01:30:00Z", "2025-01-01T03:00:00Z"},
		{"2200-01-01T00:00:00Z", "2200-01-01T01:30:00Z"}, // rates have no year limit
		{"2262-01-01T00:00:00Z", "2262-01-01T01:30:00Z"}, // far from the start: no overflow
	} {
		if got := s.Next(mustTime(t, tt.from)).Format(time.RFC3339); got != tt.want {
			t.Errorf("rate(90 minutes) from 2025-01-01: Next(%s) = %s, want %s", tt.from, got, tt.want)
		}
	}

	// Without a start date, the first call fixes the anchor.
	r := mustParse(t, "rate(5 minutes)")
	first := mustTime(t, "2025-06-01T09:00:30Z")
	if got := r.Next(first).Format(time.RFC3339); got != "2025-06-01T09:05:30Z" {
		t.Errorf("first Next = %s, want 09:05:30", got)
	}
	if got := r.Next(first.Add(time.Hour + time.Minute)).Format(time.RFC3339); got != "2025-06-01T10:05:30Z" {
		t.Errorf("later Next = %s, want 10:05:30 (anchored at 09:00:30)", got)
	}
	if got := r.Next(first.Add(-time.Hour)).Format(time.RFC3339); got != "2025-06-01T09:00:30Z" {
		t.Errorf("Next before the anchor = %s, want the anchor", got)
	}

	// Day rates are 24 hours, whatever the time zone.
	d := mustParse(t, "rate(1 day)", schedule.WithTimeZone("America/New_York"), schedule.WithStartDate(mustTime(t, "2025-03-08T12:00:00-05:00")))
	if got := d.Next(mustTime(t, "2025-03-08T12:00:00-05:00")).Format(time.RFC3339); got != "2025-03-09T13:00:00-04:00" {
		t.Errorf("rate(1 day) across spring-forward = %s, want 13:00 EDT", got)
	}
}

func TestZeroSchedule(t *testing.T) {
	var z schedule.Schedule
	if !z.Next(time.Now()).IsZero() || z.Kind() != 0 || z.Location() != time.UTC || z.Delay() != 0 ||
		!z.StartDate().IsZero() || !z.EndDate().IsZero() || z.FlexibleWindow() != 0 {
		t.Error("the zero Schedule should never fire and report no options")
	}
}

func TestAccessors(t *testing.T) {
	start := mustTime(t, "2025-01-01T00:00:00Z")
	s := mustParse(t, "cron(0 9 * * ? *)", schedule.WithTimeZone("Europe/London"), schedule.WithStartDate(start),
		schedule.WithEndDate(start.Add(time.Hour)), schedule.WithFlexibleWindow(10*time.Minute), schedule.WithRandSource(rand.NewPCG(7, 7)))
	if s.Kind() != schedule.KindCron || s.Kind().String() != "cron" || s.Location().String() != "Europe/London" ||
		!s.StartDate().Equal(start) || !s.EndDate().Equal(start.Add(time.Hour)) || s.FlexibleWindow() != 10*time.Minute {
		t.Errorf("accessors: %v %v %v %v %v", s.Kind(), s.Location(), s.StartDate(), s.EndDate(), s.FlexibleWindow())
	}
	if mustParse(t, "rate(1 day)").Kind() != schedule.KindRate || mustParse(t, "at(2025-01-01T00:00:00)").Kind() != schedule.KindAt {
		t.Error("Kind of rate/at")
	}
	same := rand.New(rand.NewPCG(7, 7))
	for range 100 {
		d := s.Delay()
		if want := time.Duration(same.Int64N(int64(10 * time.Minute))); d != want {
			t.Fatalf("Delay() = %v, want %v from the seeded source", d, want)
		}
		if d < 0 || d >= 10*time.Minute {
			t.Fatalf("Delay() = %v outside [0, 10m)", d)
		}
	}
	if mustParse(t, "rate(1 day)").Delay() != 0 {
		t.Error("Delay without a window should be 0")
	}
}

// TestNextSearchIsBounded checks that a schedule which never fires answers
// quickly, by counting calls rather than timing them.
func TestNextSearchIsBounded(t *testing.T) {
	s := mustParse(t, "cron(* * 31 2 ? *)") // 31 February: never
	n := testing.AllocsPerRun(10, func() {
		if !s.Next(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
			t.Fatal("31 February fired")
		}
	})
	if n > 10 {
		t.Errorf("a full search allocates %v times, want a handful", n)
	}
}
