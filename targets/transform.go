package targets

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/rulebridge/rulebridge/internal/jsonx"
)

// InputTransformer limits, as EventBridge has them.
const (
	// MaxInputPathsMapEntries is the most variables an InputTransformer
	// may define.
	MaxInputPathsMapEntries = 100
	// MaxInputTemplateLen is the longest InputTemplate (and the longest
	// constant Input), in bytes.
	MaxInputTemplateLen = 8192
	maxVariableNameLen  = 256
)

// The reserved variables an InputTemplate may use without defining them.
const (
	VarRuleName      = "aws.events.rule-name"            // the rule's name
	VarRuleARN       = "aws.events.rule-arn"             // the rule's ARN
	VarEvent         = "aws.events.event"                // the event without its "detail" field
	VarEventJSON     = "aws.events.event.json"           // the whole event
	VarIngestionTime = "aws.events.event.ingestion-time" // when the event was ingested, RFC 3339, UTC
)

// InputTransformer builds a target's input from values picked out of the
// event, as EventBridge's InputTransformer does.
//
// InputPathsMap names up to 100 variables, each a JSONPath into the event
// (see [Shaping] for the subset). InputTemplate is the output, with
// <name> placeholders for variables and for the reserved VarRuleName,
// VarRuleARN, VarEvent, VarEventJSON and VarIngestionTime.
//
// Rendering follows EventBridge's rules:
//   - If the template (with placeholders stood in for) is JSON, the output
//     is JSON, minified. A placeholder in a value position is replaced by
//     the value as JSON: a string is quoted, a number, boolean, null,
//     object or array is inserted as is. A placeholder inside a string
//     literal inserts the value's text: a string without its quotes, an
//     object or array without its inner quotes ({"a":"b"} becomes {a:b}).
//     A placeholder may not be an object key, and VarEvent and
//     VarEventJSON may only be values.
//   - Otherwise the template is text: the placeholders are replaced by the
//     values' text and the output is that text as a JSON string.
//   - A path that selects nothing yields null in a value position and
//     nothing in text. (EventBridge only says such a variable "won't
//     appear in the output".)
//   - Unlike EventBridge, string values are inserted with their JSON
//     escapes kept, so a value holding a quote cannot break the output:
//     every output is valid JSON.
//
// Everything is checked when the [Shaper] is built: path syntax, the
// number of variables, names (at most 256 of letters, digits, ".", "-",
// "_", and not starting with "aws."), placeholders that name no variable,
// template length (1-8192), placeholders used as keys.
type InputTransformer struct {
	InputPathsMap map[string]string
	InputTemplate string
}

// reserved variable ids, below the user variables' indexes.
const (
	resRuleName = -1 - iota
	resRuleARN
	resEvent
	resEventJSON
	resIngestionTime
)

var reservedVars = map[string]int{
	VarRuleName:      resRuleName,
	VarRuleARN:       resRuleARN,
	VarEvent:         resEvent,
	VarEventJSON:     resEventJSON,
	VarIngestionTime: resIngestionTime,
}

// transformer is a compiled InputTransformer.
type transformer struct {
	paths []*jsonPath // by variable index
	tree  *pathTree   // evaluates the variables the template uses
	parts []part
	tail  string // literal after the last placeholder
	json  bool   // JSON mode; otherwise text mode
}

// part is a literal followed by a placeholder.
type part struct {
	lit      string
	v        int // variable index, or a res* constant
	inString bool
}

func compileTransformer(t InputTransformer) (*transformer, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if n := len(t.InputPathsMap); n > MaxInputPathsMapEntries {
		bad("InputTransformer.InputPathsMap", "%d variables: the limit is %d", n, MaxInputPathsMapEntries)
	}
	names := make([]string, 0, len(t.InputPathsMap))
	for name := range t.InputPathsMap {
		names = append(names, name)
	}
	sort.Strings(names)
	tr := &transformer{}
	index := make(map[string]int, len(names))
	for _, name := range names {
		field := fmt.Sprintf("InputTransformer.InputPathsMap[%q]", name)
		switch {
		case name == "":
			bad(field, "a variable name may not be empty")
			continue
		case len(name) > maxVariableNameLen:
			bad(field, "variable name is %d characters long: the limit is %d", len(name), maxVariableNameLen)
			continue
		case strings.HasPrefix(strings.ToLower(name), "aws."):
			if _, ok := reservedVars[name]; ok {
				bad(field, "%q is a reserved variable and cannot be redefined", name)
			} else {
				bad(field, "variable names starting with \"aws.\" are reserved")
			}
			continue
		case !validVarName(name):
			bad(field, "variable name %q may hold only letters, digits, \".\", \"-\" and \"_\"", name)
			continue
		}
		p, err := compilePath(t.InputPathsMap[name])
		if err != nil {
			bad(field, "%v", err)
			continue
		}
		index[name] = len(tr.paths)
		tr.paths = append(tr.paths, p)
	}
	tmpl := t.InputTemplate
	switch {
	case tmpl == "":
		bad("InputTransformer.InputTemplate", "must not be empty")
	case len(tmpl) > MaxInputTemplateLen:
		bad("InputTransformer.InputTemplate", "%d characters long: the limit is %d", len(tmpl), MaxInputTemplateLen)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	lookup := func(name string) (int, bool) {
		if v, ok := index[name]; ok {
			return v, true
		}
		v, ok := reservedVars[name]
		return v, ok
	}
	var cfgErr *ConfigError
	if err := tr.parseJSONTemplate(tmpl, lookup); err == nil {
		tr.json = true
	} else if errors.As(err, &cfgErr) {
		return nil, err
	} else {
		tr.parts, tr.tail = nil, ""
		if err := tr.parseTextTemplate(tmpl, lookup); err != nil {
			return nil, err
		}
	}
	used := make([]bool, len(tr.paths))
	for _, p := range tr.parts {
		if p.v >= 0 {
			used[p.v] = true
		}
	}
	tr.tree = newPathTree(tr.paths, used)
	return tr, nil
}

func validVarName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// placeholderAt reports the placeholder name at s[i] ('<'), if any: "<"
// then one or more name bytes then ">".
func placeholderAt(s string, i int) (name string, ok bool) {
	j := i + 1
	for j < len(s) && (isPathNameByte(s[j]) && s[j] != '/' || s[j] == '.') {
		j++
	}
	if j == i+1 || j >= len(s) || s[j] != '>' {
		return "", false
	}
	return s[i+1 : j], true
}

func undefinedPlaceholder(name string, offset int) error {
	return &ConfigError{Field: "InputTransformer.InputTemplate",
		Reason: fmt.Sprintf("placeholder <%s> at offset %d names no variable in InputPathsMap and no reserved variable", name, offset)}
}

// errNotJSON says the template is not JSON; it is then parsed as text.
type errNotJSON struct{ reason string }

func (e errNotJSON) Error() string { return e.reason }

// parseJSONTemplate parses tmpl as a JSON template: it tracks strings and
// key positions, minifies the literal text, and checks that the template
// with placeholders stood in for is valid JSON. It returns an errNotJSON
// when it is not, and a *ConfigError for a misused placeholder.
func (tr *transformer) parseJSONTemplate(tmpl string, lookup func(string) (int, bool)) error {
	var (
		lit      strings.Builder
		probe    strings.Builder
		stack    []byte // '{' or '['
		inString bool
		isKey    bool // the current string is an object key
		escaped  bool
		wantKey  bool // outside strings: the next token is an object key
	)
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '<' {
			if name, ok := placeholderAt(tmpl, i); ok {
				v, defined := lookup(name)
				if !defined {
					return undefinedPlaceholder(name, i)
				}
				if isKey && inString || !inString && wantKey {
					return &ConfigError{Field: "InputTransformer.InputTemplate",
						Reason: fmt.Sprintf("placeholder <%s> at offset %d is used as an object key", name, i)}
				}
				if inString && (v == resEvent || v == resEventJSON) {
					return &ConfigError{Field: "InputTransformer.InputTemplate",
						Reason: fmt.Sprintf("placeholder <%s> at offset %d is inside a string: it may only be used as a JSON value", name, i)}
				}
				tr.parts = append(tr.parts, part{lit: lit.String(), v: v, inString: inString})
				lit.Reset()
				if !inString {
					probe.WriteString("null")
				}
				i += len(name) + 1
				escaped = false
				continue
			}
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				isKey = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			probe.WriteByte(c) // minified out of the output, kept for validation
			continue
		case c == '"':
			inString, isKey, wantKey = true, wantKey, false
		case c == '{':
			stack = append(stack, c)
			wantKey = true
		case c == '[':
			stack = append(stack, c)
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			wantKey = false
		case c == ',':
			wantKey = len(stack) > 0 && stack[len(stack)-1] == '{'
		case c == ':':
			wantKey = false
		}
		lit.WriteByte(c)
		probe.WriteByte(c)
	}
	tr.tail = lit.String()
	if !json.Valid([]byte(probe.String())) {
		return errNotJSON{"template is not JSON"}
	}
	return nil
}

// parseTextTemplate parses tmpl as text: only placeholders matter.
func (tr *transformer) parseTextTemplate(tmpl string, lookup func(string) (int, bool)) error {
	start := 0
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '<' {
			continue
		}
		name, ok := placeholderAt(tmpl, i)
		if !ok {
			continue
		}
		v, defined := lookup(name)
		if !defined {
			return undefinedPlaceholder(name, i)
		}
		tr.parts = append(tr.parts, part{lit: tmpl[start:i], v: v, inString: true})
		i += len(name) + 1
		start = i + 1
	}
	tr.tail = tmpl[start:]
	return nil
}

// appendTo renders the template for d to dst.
func (tr *transformer) appendTo(dst []byte, d Delivery) []byte {
	event := bytesToString(d.Event)
	var small [16]value
	var vals []value
	if len(tr.paths) <= len(small) {
		vals = small[:len(tr.paths)]
	} else {
		vals = make([]value, len(tr.paths))
	}
	tr.tree.eval(event, vals)
	if tr.json {
		for _, p := range tr.parts {
			dst = append(dst, p.lit...)
			dst = appendValue(dst, p, vals, event, d)
		}
		return append(dst, tr.tail...)
	}
	// Text mode: build the text, then quote it as a JSON string.
	var scratch [512]byte
	text := scratch[:0]
	for _, p := range tr.parts {
		text = append(text, p.lit...)
		text = appendText(text, p.v, vals, event, d)
	}
	text = append(text, tr.tail...)
	return jsonx.AppendString(dst, bytesToString(text))
}

// sizeHint estimates the rendered size, to allocate once.
func (tr *transformer) sizeHint() int {
	n := len(tr.tail) + 2
	for _, p := range tr.parts {
		n += len(p.lit) + 32
	}
	return n
}

// appendValue renders placeholder p in JSON mode.
func appendValue(dst []byte, p part, vals []value, event string, d Delivery) []byte {
	if p.v < 0 {
		return appendReserved(dst, p.v, p.inString, event, d)
	}
	val := vals[p.v]
	switch {
	case !p.inString && val.missing():
		return append(dst, "null"...)
	case !p.inString:
		return appendCompact(dst, val.raw, false)
	case val.missing():
		return dst
	case val.kind == gjson.String:
		return append(dst, val.raw[1:len(val.raw)-1]...) // keep escapes: valid inside a string
	case val.kind == gjson.JSON:
		return appendCompact(dst, val.raw, true)
	default:
		return append(dst, val.raw...)
	}
}

// appendText renders variable v as plain text (text mode).
func appendText(dst []byte, v int, vals []value, event string, d Delivery) []byte {
	if v < 0 {
		return appendReservedText(dst, v, event, d)
	}
	val := vals[v]
	switch {
	case val.missing():
		return dst
	case val.kind == gjson.String:
		return append(dst, gjson.Parse(val.raw).Str...)
	default:
		return appendCompact(dst, val.raw, false)
	}
}

func appendReserved(dst []byte, v int, inString bool, event string, d Delivery) []byte {
	switch v {
	case resEvent:
		return appendEventWithoutDetail(dst, event)
	case resEventJSON:
		return appendCompact(dst, event, false)
	}
	text := reservedText(v, d)
	if inString {
		return jsonx.AppendStringContent(dst, text)
	}
	return jsonx.AppendString(dst, text)
}

func appendReservedText(dst []byte, v int, event string, d Delivery) []byte {
	switch v {
	case resEvent:
		return appendEventWithoutDetail(dst, event)
	case resEventJSON:
		return appendCompact(dst, event, false)
	case resIngestionTime:
		return d.IngestionTime.UTC().AppendFormat(dst, time.RFC3339)
	}
	return append(dst, reservedText(v, d)...)
}

func reservedText(v int, d Delivery) string {
	switch v {
	case resRuleName:
		return d.RuleName
	case resRuleARN:
		return d.RuleARN
	case resIngestionTime:
		return d.IngestionTime.UTC().Format(time.RFC3339)
	}
	return ""
}

// appendEventWithoutDetail appends the event object minus its "detail"
// member, minified.
func appendEventWithoutDetail(dst []byte, event string) []byte {
	dst = append(dst, '{')
	n := 0
	gjson.Parse(event).ForEach(func(k, v gjson.Result) bool {
		if k.Str == "detail" {
			return true
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		dst = appendCompact(dst, v.Raw, false)
		n++
		return true
	})
	return append(dst, '}')
}

// appendCompact appends JSON text raw without insignificant whitespace;
// with stripQuotes it also drops the quotes that delimit strings (escaped
// quotes inside strings stay), as EventBridge does for an object inside a
// string literal.
func appendCompact(dst []byte, raw string, stripQuotes bool) []byte {
	inString, escaped := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if stripQuotes {
					continue
				}
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case c == '"':
			inString = true
			if stripQuotes {
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}
