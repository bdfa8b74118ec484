package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Describe returns the schedule in English, for people and the command
// line: "at 07:00, only on Friday, Asia/Tokyo", "every 5 minutes",
// "once at 2027-01-29 09:00:00, UTC". The text is meant to be read, not
// parsed, and may change between versions; use [Schedule.String] for a
// stable form.
func (s Schedule) Describe() string {
	if s.s == nil {
		return "never"
	}
	p := s.s
	var parts []string
	switch p.kind {
	case KindCron:
		parts = append(parts, p.cron.describe()...)
		parts = append(parts, p.loc.String())
	case KindRate:
		parts = append(parts, "every "+unitPhrase(p.rate.value, strings.TrimSuffix(p.rate.unit, "s")))
	case KindAt:
		parts = append(parts, "once at "+strings.Replace(p.at.wall, "T", " ", 1), p.loc.String())
	}
	if p.kind != KindAt {
		if !p.start.IsZero() {
			parts = append(parts, "from "+p.start.Format(time.RFC3339))
		}
		if !p.end.IsZero() {
			parts = append(parts, "until "+p.end.Format(time.RFC3339))
		}
	}
	if p.window > 0 {
		parts = append(parts, fmt.Sprintf("within a %d-minute flexible window", p.window/time.Minute))
	}
	return strings.Join(parts, ", ")
}

func unitPhrase(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

var ordinals = []string{"", "first", "second", "third", "fourth", "fifth"}

var longDayNames = []string{"", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// describe returns the phrases for the time of day, the days, the months
// and the years, leaving out those that do not restrict anything.
func (c *cronSpec) describe() []string {
	var parts []string
	parts = append(parts, c.describeTime())
	switch c.dom.kind {
	case domSet:
		if days := members(c.dom.days, 1, 31); len(days) < 31 {
			parts = append(parts, "on day"+pluralS(len(days))+" "+listPhrase(days, strconv.Itoa, "-")+" of the month")
		}
	case domLast:
		if c.dom.n == 0 {
			parts = append(parts, "on the last day of the month")
		} else {
			parts = append(parts, fmt.Sprintf("%s before the last day of the month", unitPhrase(c.dom.n, "day")))
		}
	case domLastWeekday:
		parts = append(parts, "on the last weekday of the month")
	case domNearestWeekday:
		parts = append(parts, fmt.Sprintf("on the weekday nearest day %d of the month", c.dom.n))
	}
	switch c.dow.kind {
	case dowSet:
		if days := members(c.dow.days, 1, 7); len(days) < 7 {
			parts = append(parts, "only on "+listPhrase(days, func(d int) string { return longDayNames[d] }, " through "))
		}
	case dowLast:
		parts = append(parts, "on the last "+longDayNames[c.dow.weekday]+" of the month")
	case dowNth:
		parts = append(parts, "on the "+ordinals[c.dow.nth]+" "+longDayNames[c.dow.weekday]+" of the month")
	}
	if months := members(c.months, 1, 12); len(months) < 12 {
		parts = append(parts, "only in "+listPhrase(months, func(m int) string { return time.Month(m).String() }, " through "))
	}
	if years := members(c.years, 0, maxYear-minYear); len(years) < maxYear-minYear+1 {
		for i := range years {
			years[i] += minYear
		}
		parts = append(parts, "only in "+listPhrase(years, strconv.Itoa, "-"))
	}
	return parts
}

// describeTime describes the minutes and hours fields.
func (c *cronSpec) describeTime() string {
	minutes := members(c.minutes, 0, 59)
	hours := members(c.hours, 0, 23)
	if len(minutes)*len(hours) <= 4 {
		var times []string
		for _, h := range hours {
			for _, m := range minutes {
				times = append(times, fmt.Sprintf("%02d:%02d", h, m))
			}
		}
		return "at " + joinAnd(times)
	}
	var phrase string
	switch step := evenStep(minutes, 60); {
	case len(minutes) == 60:
		phrase = "every minute"
	case step > 0:
		phrase = fmt.Sprintf("every %d minutes", step)
	default:
		phrase = "at minute" + pluralS(len(minutes)) + " " + listPhrase(minutes, strconv.Itoa, "-")
	}
	switch {
	case len(hours) == 24:
		if phrase == "every minute" || strings.HasPrefix(phrase, "every ") {
			return phrase
		}
		return phrase + " of every hour"
	default:
		return phrase + " past hour" + pluralS(len(hours)) + " " + listPhrase(hours, strconv.Itoa, "-")
	}
}

// evenStep returns n if values are exactly 0, n, 2n, ... below size and n
// divides size, else 0.
func evenStep(values []int, size int) int {
	if len(values) < 2 || values[0] != 0 {
		return 0
	}
	n := values[1]
	if size%n != 0 || len(values) != size/n {
		return 0
	}
	for i, v := range values {
		if v != i*n {
			return 0
		}
	}
	return n
}

// members returns the members of b in [lo, hi], in order.
func members(b bitset, lo, hi int) []int {
	var out []int
	for v := b.next(lo); v != -1 && v <= hi; v = b.next(v + 1) {
		out = append(out, v)
	}
	return out
}

// listPhrase renders sorted values, folding runs of three or more into
// "a<sep>b": listPhrase([1 2 3 5], itoa, "-") = "1-3 and 5".
func listPhrase(values []int, name func(int) string, sep string) string {
	var items []string
	for i := 0; i < len(values); {
		j := i
		for j+1 < len(values) && values[j+1] == values[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			items = append(items, name(values[i])+sep+name(values[j]))
		case j == i+1:
			items = append(items, name(values[i]), name(values[j]))
		default:
			items = append(items, name(values[i]))
		}
		i = j + 1
	}
	return joinAnd(items)
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
