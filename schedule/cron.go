package schedule

import (
	"strconv"
	"strings"
	"time"
)

// Year bounds of the cron year field, as AWS documents them. Next never
// searches past maxYear.
const (
	minYear = 1970
	maxYear = 2199
)

// cronSpec is a parsed cron(...) expression: the set of allowed values of
// each field. Sets are indexed by value, except years (value - minYear).
type cronSpec struct {
	minutes, hours, months, years bitset
	dom                           domSpec
	dow                           dowSpec
	fields                        [6]string // canonical text of each field
}

type domKind uint8

const (
	domAny            domKind = iota // ?
	domSet                           // a list of days
	domLast                          // L or L-n: n days before the last day
	domLastWeekday                   // LW
	domNearestWeekday                // nW
)

type domSpec struct {
	kind domKind
	days bitset // domSet: days 1-31
	n    int    // domLast: offset; domNearestWeekday: the day
}

type dowKind uint8

const (
	dowAny  dowKind = iota // ?
	dowSet                 // a list of weekdays (1 = Sunday ... 7 = Saturday)
	dowLast                // nL: the last weekday n of the month
	dowNth                 // n#k: the k-th weekday n of the month
)

type dowSpec struct {
	kind    dowKind
	days    bitset // dowSet: weekdays 1-7
	weekday int    // dowLast, dowNth: 1-7
	nth     int    // dowNth: 1-5
}

// fieldDef describes one cron field.
type fieldDef struct {
	name     string
	min, max int
	offset   int      // bitset index = value - offset
	names    []string // names[i] names the value min+i; nil if none
	maxStep  int      // largest step after "/" (Quartz's limits)
	wrap     bool     // a range may wrap around (22-2 = 22,23,0,1,2)
	nameKind string   // "month" or "day" for messages
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

	minutesDef = fieldDef{name: FieldMinutes, min: 0, max: 59, maxStep: 59, wrap: true}
	hoursDef   = fieldDef{name: FieldHours, min: 0, max: 23, maxStep: 23, wrap: true}
	domDef     = fieldDef{name: FieldDayOfMonth, min: 1, max: 31, maxStep: 31, wrap: true}
	monthDef   = fieldDef{name: FieldMonth, min: 1, max: 12, names: monthNames, maxStep: 12, wrap: true, nameKind: "month"}
	dowDef     = fieldDef{name: FieldDayOfWeek, min: 1, max: 7, names: dayNames, maxStep: 7, wrap: true, nameKind: "day"}
	yearDef    = fieldDef{name: FieldYear, min: minYear, max: maxYear, offset: minYear, maxStep: maxYear - minYear}
)

// parseCron parses the inside of cron(...).
func parseCron(expr, body string) (*cronSpec, error) {
	if body == "" {
		return nil, exprError(expr, FieldExpression, "cron() is empty; want 6 fields: minutes hours day-of-month month day-of-week year")
	}
	fields := strings.Split(body, " ")
	for _, f := range fields {
		if f == "" {
			return nil, exprError(expr, FieldExpression, "cron fields must be separated by single spaces")
		}
	}
	if len(fields) != 6 {
		return nil, exprError(expr, FieldExpression, "cron has %d field%s; want 6: minutes hours day-of-month month day-of-week year",
			len(fields), plural(len(fields)))
	}
	for i, f := range fields {
		fields[i] = strings.ToUpper(f)
	}
	c := &cronSpec{}
	var err error
	if c.minutes, c.fields[0], err = parseList(expr, minutesDef, fields[0]); err != nil {
		return nil, err
	}
	if c.hours, c.fields[1], err = parseList(expr, hoursDef, fields[1]); err != nil {
		return nil, err
	}
	if c.dom, c.fields[2], err = parseDom(expr, fields[2]); err != nil {
		return nil, err
	}
	if c.months, c.fields[3], err = parseList(expr, monthDef, fields[3]); err != nil {
		return nil, err
	}
	if c.dow, c.fields[4], err = parseDow(expr, fields[4]); err != nil {
		return nil, err
	}
	if c.years, c.fields[5], err = parseList(expr, yearDef, fields[5]); err != nil {
		return nil, err
	}
	switch {
	case c.dom.kind == domAny && c.dow.kind == dowAny:
		return nil, exprError(expr, FieldDayOfMonth, `"?" in both day-of-month and day-of-week; exactly one of them must be "?"`)
	case c.dom.kind != domAny && c.dow.kind != dowAny:
		return nil, exprError(expr, FieldDayOfWeek, `%q needs "?" in day-of-month (%q); exactly one of them must be "?"`,
			c.fields[4], c.fields[2])
	}
	return c, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// parseList parses a list of values, ranges and steps (",-*/") of field f.
// text is upper case.
func parseList(expr string, f fieldDef, text string) (bitset, string, error) {
	var set bitset
	if f.name != FieldDayOfMonth && f.name != FieldDayOfWeek {
		if strings.Contains(text, "?") {
			return set, "", exprError(expr, f.name, `"?" is only allowed in day-of-month and day-of-week`)
		}
		if strings.Contains(text, "#") {
			return set, "", exprError(expr, f.name, `"#" is only allowed in day-of-week`)
		}
		if strings.Contains(text, "W") {
			return set, "", exprError(expr, f.name, `"W" is only allowed in day-of-month`)
		}
		if strings.Contains(text, "L") && f.names == nil {
			return set, "", exprError(expr, f.name, `"L" is only allowed in day-of-month and day-of-week`)
		}
	}
	items := strings.Split(text, ",")
	canon := make([]string, len(items))
	for i, item := range items {
		if item == "" {
			return set, "", exprError(expr, f.name, "empty element in list %q", text)
		}
		c, err := parseItem(expr, f, item, &set)
		if err != nil {
			return set, "", err
		}
		canon[i] = c
	}
	return set, strings.Join(canon, ","), nil
}

// parseItem parses one list element: "*", "v", "v-w", each optionally
// followed by "/step". It adds the values to set and returns the canonical
// text.
func parseItem(expr string, f fieldDef, item string, set *bitset) (string, error) {
	base, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		if stepText == "" {
			return "", exprError(expr, f.name, "missing step after / in %q", item)
		}
		n, ok := atoi(stepText)
		if !ok {
			return "", exprError(expr, f.name, "step %q in %q is not a number", stepText, item)
		}
		if n < 1 || n > f.maxStep {
			return "", exprError(expr, f.name, "step %d is out of range 1-%d", n, f.maxStep)
		}
		step = n
	}
	var lo, hi int
	var canon string
	switch {
	case base == "*":
		lo, hi, canon = f.min, f.max, "*"
	case base == "":
		return "", exprError(expr, f.name, "missing value before / in %q", item)
	case strings.Contains(base, "-"):
		a, b, _ := strings.Cut(base, "-")
		if a == "" {
			return "", exprError(expr, f.name, "%q: missing start of range", item)
		}
		if b == "" {
			return "", exprError(expr, f.name, "%q: missing end of range", item)
		}
		var ca, cb string
		var err error
		if lo, ca, err = parseValue(expr, f, a); err != nil {
			return "", err
		}
		if hi, cb, err = parseValue(expr, f, b); err != nil {
			return "", err
		}
		if lo > hi && !f.wrap {
			return "", exprError(expr, f.name, "range %s runs backwards", base)
		}
		canon = ca + "-" + cb
	default:
		var err error
		if lo, canon, err = parseValue(expr, f, base); err != nil {
			return "", err
		}
		hi = lo
		if hasStep {
			hi = f.max // a/n runs from a to the end of the field
		}
	}
	size := f.max - f.min + 1
	span := hi - lo
	if span < 0 {
		span += size // wrap-around range
	}
	for p := 0; p <= span; p += step {
		v := f.min + (lo-f.min+p)%size
		set.add(v - f.offset)
	}
	if hasStep {
		canon += "/" + strconv.Itoa(step)
	}
	return canon, nil
}

// parseValue parses a number or, where f has names, a name (upper case).
// It returns the value and its canonical text.
func parseValue(expr string, f fieldDef, tok string) (int, string, error) {
	if n, ok := atoi(tok); ok {
		if n < f.min || n > f.max {
			return 0, "", exprError(expr, f.name, "%d is out of range %d-%d", n, f.min, f.max)
		}
		return n, strconv.Itoa(n), nil
	}
	if isDigits(tok) { // too long for atoi
		return 0, "", exprError(expr, f.name, "%s is out of range %d-%d", tok, f.min, f.max)
	}
	for i, name := range f.names {
		if tok == name {
			return f.min + i, name, nil
		}
	}
	if f.names != nil {
		return 0, "", exprError(expr, f.name, "%q is not a number (%d-%d) or a %s name (%s-%s)",
			tok, f.min, f.max, f.nameKind, f.names[0], f.names[len(f.names)-1])
	}
	return 0, "", exprError(expr, f.name, "%q is not a number (%d-%d)", tok, f.min, f.max)
}

// atoi parses up to 9 decimal digits (leading zeros allowed).
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 || !isDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDom parses the day-of-month field (upper case).
func parseDom(expr, text string) (domSpec, string, error) {
	switch {
	case text == "?":
		return domSpec{kind: domAny}, "?", nil
	case text == "L":
		return domSpec{kind: domLast}, "L", nil
	case text == "LW":
		return domSpec{kind: domLastWeekday}, "LW", nil
	case strings.HasPrefix(text, "L-"):
		n, ok := atoi(text[2:])
		if !ok {
			return domSpec{}, "", exprError(expr, FieldDayOfMonth, "%q: want L-n with n a number of days (1-30)", text)
		}
		if n < 1 || n > 30 {
			return domSpec{}, "", exprError(expr, FieldDayOfMonth, "offset %d in %q is out of range 1-30", n, text)
		}
		return domSpec{kind: domLast, n: n}, "L-" + strconv.Itoa(n), nil
	case text == "W":
		return domSpec{}, "", exprError(expr, FieldDayOfMonth, `"W" needs a day before it, as in 15W`)
	case strings.HasSuffix(text, "W") && isDigits(text[:len(text)-1]):
		n, _, err := parseValue(expr, domDef, text[:len(text)-1])
		if err != nil {
			return domSpec{}, "", err
		}
		return domSpec{kind: domNearestWeekday, n: n}, strconv.Itoa(n) + "W", nil
	case strings.ContainsAny(text, "LW"):
		return domSpec{}, "", exprError(expr, FieldDayOfMonth, `%q: "L" and "W" must stand alone, as in L, L-3, LW or 15W`, text)
	case strings.Contains(text, "?"):
		return domSpec{}, "", exprError(expr, FieldDayOfMonth, `%q: "?" must stand alone`, text)
	case strings.Contains(text, "#"):
		return domSpec{}, "", exprError(expr, FieldDayOfMonth, `"#" is only allowed in day-of-week`)
	}
	set, canon, err := parseList(expr, domDef, text)
	if err != nil {
		return domSpec{}, "", err
	}
	return domSpec{kind: domSet, days: set}, canon, nil
}

// parseDow parses the day-of-week field (upper case).
func parseDow(expr, text string) (dowSpec, string, error) {
	switch {
	case text == "?":
		return dowSpec{kind: dowAny}, "?", nil
	case strings.Contains(text, "?"):
		return dowSpec{}, "", exprError(expr, FieldDayOfWeek, `%q: "?" must stand alone`, text)
	case strings.Contains(text, "#"):
		day, nth, _ := strings.Cut(text, "#")
		if strings.ContainsAny(day, ",-/*L") || strings.Contains(nth, "#") || strings.Contains(nth, ",") {
			return dowSpec{}, "", exprError(expr, FieldDayOfWeek, `%q: "#" must stand alone, as in 3#2 or TUE#2 (only one expression is allowed with "#")`, text)
		}
		wd, canon, err := parseValue(expr, dowDef, day)
		if err != nil {
			return dowSpec{}, "", err
		}
		k, ok := atoi(nth)
		if !ok {
			return dowSpec{}, "", exprError(expr, FieldDayOfWeek, "%q: want a week number 1-5 after #", text)
		}
		if k < 1 || k > 5 {
			return dowSpec{}, "", exprError(expr, FieldDayOfWeek, "week %d in %q is out of range 1-5", k, text)
		}
		return dowSpec{kind: dowNth, weekday: wd, nth: k}, canon + "#" + strconv.Itoa(k), nil
	case strings.Contains(text, "L-"):
		return dowSpec{}, "", exprError(expr, FieldDayOfWeek, "%q: L-n is only allowed in day-of-month", text)
	case text == "L":
		var set bitset
		set.add(7) // "last day of the week": Saturday
		return dowSpec{kind: dowSet, days: set}, "L", nil
	case strings.Contains(text, "L"):
		day, ok := strings.CutSuffix(text, "L")
		if !ok || day == "" || strings.ContainsAny(day, ",-/*L") {
			return dowSpec{}, "", exprError(expr, FieldDayOfWeek, `%q: "L" must stand alone, as in L, 6L or FRIL`, text)
		}
		wd, canon, err := parseValue(expr, dowDef, day)
		if err != nil {
			return dowSpec{}, "", err
		}
		return dowSpec{kind: dowLast, weekday: wd}, canon + "L", nil
	}
	set, canon, err := parseList(expr, dowDef, text)
	if err != nil {
		return dowSpec{}, "", err
	}
	return dowSpec{kind: dowSet, days: set}, canon, nil
}

// String returns the canonical cron(...) expression.
func (c *cronSpec) String() string {
	return "cron(" + strings.Join(c.fields[:], " ") + ")"
}

// next returns the first fire time strictly after t, in loc, or the zero
// time if there is none up to the end of maxYear.
//
// It walks wall-clock candidates in order from the wall time of t, skipping
// days that do not match as whole days, so it costs at most a few
// operations per month up to maxYear. A candidate that does not exist in
// loc (spring-forward gap) is skipped; one that exists twice (fall-back)
// stands for its first instant only. Because wall time maps monotonically
// to first instants, the first candidate after t is the answer.
func (c *cronSpec) next(t time.Time, loc *time.Location) time.Time {
	w := t.In(loc)
	y, mo, d := w.Date()
	h, mi := w.Hour(), w.Minute()
	if y < minYear {
		y, mo, d, h, mi = minYear, time.January, 1, 0, 0
	}
	for ; y <= maxYear; y++ {
		if !c.years.has(y - minYear) {
			continue
		}
		firstY := y == w.Year()
		m0 := 1
		if firstY {
			m0 = int(mo)
		}
		for m := c.months.next(m0); m != -1 && m <= 12; m = c.months.next(m + 1) {
			firstM := firstY && m == int(mo)
			days := c.dayMask(y, time.Month(m))
			d0 := 1
			if firstM {
				d0 = d
			}
			for dd := days.next(d0); dd != -1; dd = days.next(dd + 1) {
				firstD := firstM && dd == d
				h0 := 0
				if firstD {
					h0 = h
				}
				for hh := c.hours.next(h0); hh != -1; hh = c.hours.next(hh + 1) {
					mi0 := 0
					if firstD && hh == h {
						mi0 = mi
					}
					for mm := c.minutes.next(mi0); mm != -1; mm = c.minutes.next(mm + 1) {
						at, ok := resolve(y, time.Month(m), dd, hh, mm, 0, loc)
						if ok && at.After(t) {
							return at
						}
					}
				}
			}
		}
	}
	return time.Time{}
}

// dayMask returns the days of month m of year y that match the
// day-of-month and day-of-week fields.
func (c *cronSpec) dayMask(y int, m time.Month) bitset {
	var out bitset
	dim := daysIn(y, m)
	first := int(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()) // 0 = Sunday
	weekday := func(day int) int { return (first+day-1)%7 + 1 }      // 1 = Sunday
	switch c.dom.kind {
	case domSet:
		for day := 1; day <= dim; day++ {
			if c.dom.days.has(day) {
				out.add(day)
			}
		}
		return out
	case domLast:
		if day := dim - c.dom.n; day >= 1 {
			out.add(day)
		}
		return out
	case domLastWeekday:
		day := dim
		switch weekday(day) {
		case 7:
			day--
		case 1:
			day -= 2
		}
		out.add(day)
		return out
	case domNearestWeekday:
		day := c.dom.n
		if day > dim {
			return out // the month has no such day: no fire this month
		}
		switch weekday(day) {
		case 7: // Saturday: Friday before, or Monday after if the 1st
			if day == 1 {
				day = 3
			} else {
				day--
			}
		case 1: // Sunday: Monday after, or Friday before if the last day
			if day == dim {
				day -= 2
			} else {
				day++
			}
		}
		out.add(day)
		return out
	}
	switch c.dow.kind {
	case dowSet:
		for day := 1; day <= dim; day++ {
			if c.dow.days.has(weekday(day)) {
				out.add(day)
			}
		}
	case dowLast:
		day := dim
		for weekday(day) != c.dow.weekday {
			day--
		}
		out.add(day)
	case dowNth:
		day := 1 + (c.dow.weekday-weekday(1)+7)%7 + 7*(c.dow.nth-1)
		if day <= dim {
			out.add(day)
		}
	}
	return out
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
