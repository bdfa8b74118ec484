package rulesfile

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/schedule"
)

var ruleProps = []string{"Name", "Description", "EventPattern", "ScheduleExpression",
	"ScheduleExpressionTimezone", "State", "Condition", "Threshold", "Targets"}

var ruleUnsupported = map[string]string{
	"EventBusName": "rulebridge has one event bus per engine",
	"RoleArn":      "rulebridge does not assume IAM roles",
	"Tags":         "rules have no tags in rulebridge",
}

const (
	maxNameLen        = 64
	maxDescriptionLen = 512
	maxTargets        = 5
)

// validName reports whether s is a valid rule name or target id: 1-64 of
// . - _ A-Z a-z 0-9, as EventBridge requires.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '.' || c == '-' || c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (d *decoder) rule(n *yaml.Node, index int, names map[string]*yaml.Node) Rule {
	r := Rule{file: d.file, index: index, pos: pos(n), props: map[string]position{}, State: Enabled}
	sc := scope{ruleIndex: index}
	// The name comes first, so that every other message can carry it.
	sc.rule = d.scalarIn(n, "Name")
	o, ok := d.requiredMapping(n, sc, ruleProps, ruleUnsupported)
	if !ok {
		return r
	}
	for k, v := range o.vals {
		r.props[k] = pos(v)
	}

	r.Name = d.identifier(o, sc, "Name", names, "another rule has this name (line %d)")

	if v := o.get("Description"); v != nil {
		if s, ok := d.str(v, sc, "Description"); ok {
			r.Description = s
			if n := utf8.RuneCountInString(s); n > maxDescriptionLen {
				d.errorf(v, sc, "Description", "%d characters long: the limit is %d", n, maxDescriptionLen)
			}
		}
	}

	if v := o.get("EventPattern"); v != nil {
		r.Pattern = d.eventPattern(v, sc)
	}
	d.schedule(&r, o, sc)
	if o.get("EventPattern") == nil && o.get("ScheduleExpression") == nil {
		d.errorf(n, sc, "", "needs an EventPattern or a ScheduleExpression (or both)")
	}

	if v := o.get("State"); v != nil {
		if s, ok := d.str(v, sc, "State"); ok {
			switch State(s) {
			case Enabled, Disabled:
				r.State = State(s)
			default:
				d.errorf(v, sc, "State", "%q is not ENABLED or DISABLED", s)
			}
		}
	}

	if v, present := o.vals["Condition"]; present {
		s, ok := "", !d.bad[v]
		if ok && !isNull(v) {
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
				d.errorf(v, sc, "Condition", "want a CEL expression in a string, got %s", describe(v))
				ok = false
			} else {
				s = v.Value
			}
		}
		if ok && strings.TrimSpace(s) == "" {
			d.errorf(v, sc, "Condition", "is empty: give a CEL expression or leave Condition out")
		}
		r.Condition = s
	}

	if v := o.get("Threshold"); v != nil {
		r.Threshold = d.threshold(v, sc)
		if r.Threshold != nil && o.get("EventPattern") == nil && o.get("ScheduleExpression") != nil {
			d.errorf(v, sc, "Threshold", "needs an EventPattern: a threshold counts matched events")
		}
	}

	if v := o.get("Targets"); v != nil && !d.bad[v] {
		if v.Kind != yaml.SequenceNode {
			d.errorf(v, sc, "Targets", "want a sequence of targets, got %s", describe(v))
		} else {
			if len(v.Content) > maxTargets {
				d.errorf(v, sc, "Targets", "%d targets: a rule may have at most %d", len(v.Content), maxTargets)
			}
			ids := map[string]*yaml.Node{}
			for i, tn := range v.Content {
				r.Targets = append(r.Targets, d.target(tn, scope{rule: sc.rule, ruleIndex: index, targetIdx: i + 1}, ids))
			}
		}
	}
	return r
}

// eventPattern validates an EventPattern, a mapping or a string holding
// JSON, and returns its JSON text (nil when invalid).
func (d *decoder) eventPattern(v *yaml.Node, sc scope) []byte {
	const field = "EventPattern"
	if d.bad[v] {
		return nil
	}
	switch {
	case v.Kind == yaml.MappingNode:
		w := &jsonWriter{max: 1 << 20}
		if rerr := w.render(v); rerr != nil {
			if !d.bad[rerr.node] {
				d.errorf(rerr.node, sc, field, "%s", rerr.reason)
			}
			return nil
		}
		if _, err := pattern.Compile(w.buf); err != nil {
			var pe *pattern.Error
			if errors.As(err, &pe) {
				at := w.nodeAt(pe.Offset)
				if at == nil {
					at = v
				}
				d.wrap(at, sc, field, pe.Path+": "+pe.Reason, err)
			} else {
				d.wrap(v, sc, field, err.Error(), err)
			}
			return nil
		}
		return w.buf
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str":
		src := []byte(v.Value)
		if _, err := pattern.Compile(src); err != nil {
			var pe *pattern.Error
			if !errors.As(err, &pe) {
				d.wrap(v, sc, field, err.Error(), err)
				return nil
			}
			if line, col, ok := d.inBlock(v, pe.Line, pe.Column); ok {
				d.errs = append(d.errs, newError(d.file, position{line, col}, sc, field, pe.Path+": "+pe.Reason, err))
			} else {
				d.wrap(v, sc, field, fmt.Sprintf("%s: %s (line %d, column %d of the pattern)", pe.Path, pe.Reason, pe.Line, pe.Column), err)
			}
			return nil
		}
		return src
	}
	d.errorf(v, sc, field, "want a mapping or a string holding a JSON object, got %s", describe(v))
	return nil
}

// inBlock maps a line and column of the text of v, a literal block scalar
// (EventPattern: |), to the rules file. ok is false for other styles.
func (d *decoder) inBlock(v *yaml.Node, line, col int) (fileLine, fileCol int, ok bool) {
	if v.Style&yaml.LiteralStyle == 0 || line < 1 || col < 1 {
		return 0, 0, false
	}
	if d.lines == nil {
		d.lines = splitLines(d.src)
	}
	// The block's text starts on the line after the indicator; its
	// indentation is that of its first non-blank line.
	indent := -1
	for i := v.Line; i < len(d.lines); i++ { // d.lines[v.Line] is line v.Line+1
		if t := strings.TrimLeft(string(d.lines[i]), " "); t != "" && t != "\r" {
			indent = len(d.lines[i]) - len(t)
			break
		}
	}
	fileLine = v.Line + line
	if indent < 0 || fileLine > len(d.lines) {
		return 0, 0, false
	}
	return fileLine, indent + col, true
}

func splitLines(src []byte) [][]byte {
	var lines [][]byte
	for len(src) > 0 {
		i := 0
		for i < len(src) && src[i] != '\n' {
			i++
		}
		lines = append(lines, src[:i])
		if i < len(src) {
			i++
		}
		src = src[i:]
	}
	return lines
}

// schedule validates ScheduleExpression and ScheduleExpressionTimezone.
func (d *decoder) schedule(r *Rule, o object, sc scope) {
	var exprOK bool
	if v := o.get("ScheduleExpression"); v != nil {
		if s, ok := d.str(v, sc, "ScheduleExpression"); ok {
			r.Schedule = s
			_, err := schedule.Parse(s)
			var se *schedule.Error
			switch {
			case errors.As(err, &se):
				d.wrap(v, sc, "ScheduleExpression", se.Field+": "+se.Reason, err)
			case err != nil:
				d.wrap(v, sc, "ScheduleExpression", err.Error(), err)
			default:
				exprOK = true
			}
		}
	}
	v := o.get("ScheduleExpressionTimezone")
	if v == nil {
		return
	}
	tz, ok := d.str(v, sc, "ScheduleExpressionTimezone")
	if !ok {
		return
	}
	r.TimeZone = tz
	if o.get("ScheduleExpression") == nil {
		d.errorf(v, sc, "ScheduleExpressionTimezone", "needs a ScheduleExpression")
		return
	}
	// Check the zone with the expression when that is valid (an at(...)
	// time may not exist in the zone), and with a stand-in otherwise, so
	// that a bad zone is reported together with a bad expression.
	expr := r.Schedule
	if !exprOK {
		expr = "rate(1 day)"
	}
	_, err := schedule.Parse(expr, schedule.WithTimeZone(tz))
	switch {
	case err == nil:
	case errors.Is(err, schedule.ErrInvalidExpression):
		var se *schedule.Error
		if errors.As(err, &se) {
			d.wrap(o.get("ScheduleExpression"), sc, "ScheduleExpression", se.Field+": "+se.Reason+" (in time zone "+tz+")", err)
		}
	default:
		d.wrap(v, sc, "ScheduleExpressionTimezone", strings.TrimPrefix(err.Error(), "schedule: "), err)
	}
}

var thresholdProps = []string{"Count", "Period", "Field", "Comparison"}

var comparisons = map[string]Comparison{
	">=": GreaterOrEqual, ">": Greater, "<=": LessOrEqual, "<": Less,
	"GreaterThanOrEqualToThreshold": GreaterOrEqual,
	"GreaterThanThreshold":          Greater,
	"LessThanOrEqualToThreshold":    LessOrEqual,
	"LessThanThreshold":             Less,
}

func (d *decoder) threshold(v *yaml.Node, sc scope) *Threshold {
	o, ok := d.mapping(v, sc, "Threshold", thresholdProps, nil)
	if !ok {
		return nil
	}
	t := &Threshold{Comparison: GreaterOrEqual}
	valid := true
	if c := o.get("Count"); c == nil {
		d.errorf(o.at("Count"), sc, "Threshold.Count", "is required")
		valid = false
	} else if n, ok := d.integer(c, sc, "Threshold.Count"); !ok {
		valid = false
	} else if n < 1 {
		d.errorf(c, sc, "Threshold.Count", "%d is not a positive integer", n)
		valid = false
	} else {
		t.Count = n
	}
	if p := o.get("Period"); p == nil {
		d.errorf(o.at("Period"), sc, "Threshold.Period", "is required")
		valid = false
	} else if dur, ok := d.period(p, sc); !ok {
		valid = false
	} else {
		t.Period = dur
	}
	if f := o.get("Field"); f != nil {
		if s, ok := d.str(f, sc, "Threshold.Field"); !ok {
			valid = false
		} else if path, reason := fieldPath(s); reason != "" {
			d.errorf(f, sc, "Threshold.Field", "%s", reason)
			valid = false
		} else {
			t.Field = path
		}
	}
	if c := o.get("Comparison"); c != nil {
		if s, ok := d.str(c, sc, "Threshold.Comparison"); !ok {
			valid = false
		} else if cmp, known := comparisons[s]; !known {
			d.errorf(c, sc, "Threshold.Comparison", "%q is not one of >=, >, <=, < (or CloudWatch's GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanOrEqualToThreshold, LessThanThreshold)", s)
			valid = false
		} else {
			t.Comparison = cmp
		}
	}
	if !valid {
		return nil
	}
	return t
}

// period reads a Threshold.Period: a Go duration string ("5m", "1h30m")
// or an integer number of seconds.
func (d *decoder) period(v *yaml.Node, sc scope) (time.Duration, bool) {
	const field = "Threshold.Period"
	if d.bad[v] {
		return 0, false
	}
	var dur time.Duration
	switch {
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int":
		secs, ok := d.integer(v, sc, field)
		if !ok {
			return 0, false
		}
		if secs > int64(1<<62/time.Second) {
			d.errorf(v, sc, field, "%d seconds is too long", secs)
			return 0, false
		}
		dur = time.Duration(secs) * time.Second
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str":
		var err error
		if dur, err = time.ParseDuration(v.Value); err != nil {
			d.errorf(v, sc, field, "%q is not a duration: want a Go duration such as 5m or 1h30m, or a whole number of seconds", v.Value)
			return 0, false
		}
	default:
		d.errorf(v, sc, field, "want a duration such as 5m or a whole number of seconds, got %s", describe(v))
		return 0, false
	}
	if dur <= 0 {
		d.errorf(v, sc, field, "%v is not positive", dur)
		return 0, false
	}
	return dur, true
}

// fieldPath checks a Threshold.Field: a dotted path of non-empty names,
// with an optional leading "$." that is dropped.
func fieldPath(s string) (string, string) {
	p := strings.TrimPrefix(s, "$.")
	if p == "" {
		return "", "is empty: give a dotted path such as detail.errors, or leave Field out"
	}
	if strings.ContainsAny(p, "[]*") {
		return "", fmt.Sprintf("%q: array indexes and wildcards are not supported: give a dotted path such as detail.errors", s)
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return "", fmt.Sprintf("%q has an empty name: give a dotted path such as detail.errors", s)
		}
	}
	return p, ""
}
