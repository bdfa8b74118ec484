package pattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Explanation tells why an event matches a pattern or does not. Its String
// method renders it for people; its fields are for programs.
type Explanation struct {
	// Match is the answer, the same as [Pattern.Match]'s.
	Match bool
	// Alternatives has one entry per $or combination of the pattern, in
	// order; a pattern without $or has exactly one. The event matches when
	// any alternative matches.
	Alternatives []Alternative
}

// Alternative explains one way the pattern can match: the pattern with
// each $or replaced by one of its branches.
type Alternative struct {
	// Match reports whether every condition holds with values taken from
	// the same element of any event array they share.
	Match bool
	// Conditions lists the fields of the alternative in pattern order.
	Conditions []Condition
	// Note is set when each condition holds on its own but not together:
	// their values come from different elements of one event array.
	Note string
}

// Condition is the outcome of one field of a pattern.
type Condition struct {
	// Path is the dotted event path, e.g. "detail.state".
	Path string
	// Pattern is the field's list of conditions as written, compacted,
	// e.g. `["running"]`.
	Pattern string
	// Values are the event's values at Path as JSON text, in event order;
	// empty when the event has no value there. When the alternative
	// matches, it is the value that was used.
	Values []string
	// Held reports whether a value satisfies the conditions (or, for
	// {"exists": false}, whether the field is missing).
	Held bool
	// Line says it in one line, e.g.
	// `detail.state: "stopped" is not one of ["running"]`.
	Line string
}

// Explain reports, condition by condition, why event matches the pattern
// or does not. The event must be a JSON object, as for [Pattern.Match].
//
// Explain is slower than Match; use it to debug patterns and in tests.
func (p *Pattern) Explain(event []byte) (Explanation, error) {
	eng, pe := p.engine()
	sc := getScanner()
	defer putScanner(sc)
	sc.reset(event, eng, false, true)
	if err := sc.document(); err != nil {
		return Explanation{}, err
	}
	sc.buildByPath()
	leafOf := map[*field]*leaf{}
	for i, a := range p.alts {
		for j, f := range a.fields {
			leafOf[f] = pe.alts[i].leaves[j]
		}
	}
	var x Explanation
	for i, a := range p.alts {
		ea := a.explain(p.src, sc, pe.alts[i], leafOf)
		x.Alternatives = append(x.Alternatives, ea)
		x.Match = x.Match || ea.Match
	}
	return x, nil
}

// explain explains alternative a of the pattern src, whose leaves in the
// engine are those of ea, against the values recorded by sc.
func (a *alternative) explain(src string, sc *scanner, ea *alt, leafOf map[*field]*leaf) Alternative {
	var out Alternative
	chosen := map[*field]int32{}
	if sc.search(ea, true) {
		out.Match = true
		for i, f := range a.fields {
			chosen[f] = sc.choice[i]
		}
	}
	all := true
	for _, f := range a.doc {
		vals := sc.valsOf(leafOf[f].pathID)
		c := Condition{Path: f.path, Pattern: compactJSON(asBytes(src[f.off:f.end]))}
		if out.Match {
			c.Held = true
			if vi := chosen[f]; vi >= 0 {
				c.Values = []string{string(sc.recs[vi].val.raw)}
			}
		} else {
			for _, vi := range vals {
				c.Values = append(c.Values, string(sc.recs[vi].val.raw))
				if f.matchesAny(&sc.recs[vi].val) {
					c.Held = true
				}
			}
			if len(vals) == 0 && f.absent {
				c.Held = true
			}
		}
		all = all && c.Held
		c.Line = conditionLine(f, c)
		out.Conditions = append(out.Conditions, c)
	}
	if !out.Match && all {
		out.Note = "each condition holds on its own, but not with values from the same element of an event array"
	}
	return out
}

// conditionLine renders one condition for people.
func conditionLine(f *field, c Condition) string {
	var vals string
	switch len(c.Values) {
	case 0:
		vals = "missing"
	case 1:
		vals = shorten(c.Values[0])
	default:
		vs := c.Values
		more := ""
		if len(vs) > 5 {
			vs, more = vs[:5], ",…"
		}
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = shorten(v)
		}
		vals = "[" + strings.Join(parts, ",") + more + "]"
	}
	if len(c.Values) == 0 {
		if c.Held {
			return fmt.Sprintf("%s: missing, as %s allows", c.Path, c.Pattern)
		}
		if exactOnly(f.conds) && !f.absent {
			return fmt.Sprintf("%s: missing, wanted one of %s", c.Path, c.Pattern)
		}
		return fmt.Sprintf("%s: missing, which does not match %s", c.Path, c.Pattern)
	}
	var verb string
	switch {
	case exactOnly(f.conds) && !f.absent && len(c.Values) == 1:
		verb = map[bool]string{true: "is one of", false: "is not one of"}[c.Held]
	case exactOnly(f.conds) && !f.absent:
		verb = map[bool]string{true: "includes one of", false: "includes none of"}[c.Held]
	default:
		verb = map[bool]string{true: "matches", false: "does not match"}[c.Held]
	}
	return fmt.Sprintf("%s: %s %s %s", c.Path, vals, verb, c.Pattern)
}

// shorten truncates long values for display.
func shorten(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

// String renders the explanation, one condition per line:
//
//	no match
//	  source: "aws.ec2" is one of ["aws.ec2"]
//	  detail.state: "stopped" is not one of ["running"]
func (x Explanation) String() string {
	var sb strings.Builder
	if x.Match {
		sb.WriteString("match\n")
	} else {
		sb.WriteString("no match\n")
	}
	n := len(x.Alternatives)
	for i, a := range x.Alternatives {
		indent := "  "
		if n > 1 {
			state := "no match"
			if a.Match {
				state = "match"
			}
			fmt.Fprintf(&sb, "  $or alternative %d of %d: %s\n", i+1, n, state)
			indent = "    "
		}
		for _, c := range a.Conditions {
			sb.WriteString(indent)
			sb.WriteString(c.Line)
			sb.WriteByte('\n')
		}
		if a.Note != "" {
			sb.WriteString(indent)
			sb.WriteString("note: ")
			sb.WriteString(a.Note)
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}
