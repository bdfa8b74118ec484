package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Shaping says what a target receives, as an EventBridge target's input
// fields do. At most one field may be set; with none the target receives
// the whole event.
//
//   - Input is constant JSON text (at most 8192 bytes) sent instead of the
//     event.
//   - InputPath is a JSONPath selecting the part of the event to send. A
//     path that selects nothing fails the delivery permanently with code
//     INVALID_PARAMETER (so it is dead-lettered, not sent empty).
//   - InputTransformer builds the input from a template (see
//     [InputTransformer]).
//
// JSONPaths, here and in InputPathsMap, are the subset EventBridge
// accepts: "$" followed by ".name" steps (names of ASCII letters, digits,
// "-", "_" and "/"), "[n]" array indexes, and "*" or "[*]" wildcards, which
// collect what the rest of the path selects in every element of an array or
// member of an object into a JSON array. At most 256 bytes; no bracketed
// names, filters, slices or deep scans.
type Shaping struct {
	Input            string
	InputPath        string
	InputTransformer *InputTransformer
}

// Shaper renders a target's input from an event. Build one with
// [NewShaper]; it is immutable and safe for concurrent use. A nil *Shaper
// passes the event through unchanged.
type Shaper struct {
	constant []byte
	path     *jsonPath
	tmpl     *transformer
}

// NewShaper checks s and compiles it. Its errors are [*ConfigError] values
// (joined with errors.Join when there are several) that name the field,
// variable and offset at fault.
func NewShaper(s Shaping) (*Shaper, error) {
	var set []string
	if s.Input != "" {
		set = append(set, "Input")
	}
	if s.InputPath != "" {
		set = append(set, "InputPath")
	}
	if s.InputTransformer != nil {
		set = append(set, "InputTransformer")
	}
	if len(set) > 1 {
		return nil, &ConfigError{Field: "Shaping", Reason: fmt.Sprintf("Input, InputPath and InputTransformer are mutually exclusive, but %d are set: %v", len(set), set)}
	}
	sh := &Shaper{}
	switch {
	case s.Input != "":
		if len(s.Input) > MaxInputTemplateLen {
			return nil, &ConfigError{Field: "Input", Reason: fmt.Sprintf("%d bytes long: the limit is %d", len(s.Input), MaxInputTemplateLen)}
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(s.Input)); err != nil {
			return nil, &ConfigError{Field: "Input", Reason: "not valid JSON: " + err.Error()}
		}
		sh.constant = buf.Bytes()
	case s.InputPath != "":
		p, err := compilePath(s.InputPath)
		if err != nil {
			return nil, &ConfigError{Field: "InputPath", Reason: err.Error()}
		}
		sh.path = p
	case s.InputTransformer != nil:
		t, err := compileTransformer(*s.InputTransformer)
		if err != nil {
			return nil, err
		}
		sh.tmpl = t
	}
	return sh, nil
}

// Render returns d's shaped input; d.Event must be valid JSON. It is
// shorthand for Append(nil, d).
func (s *Shaper) Render(d Delivery) ([]byte, error) {
	var buf []byte
	if s != nil && s.tmpl != nil {
		buf = make([]byte, 0, s.tmpl.sizeHint())
	}
	return s.Append(buf, d)
}

// Append appends d's shaped input to dst and returns the extended buffer.
// It reads d.Event (which must be valid JSON), and for reserved template
// variables d.RuleName, d.RuleARN and d.IngestionTime. The only error is a
// permanent INVALID_PARAMETER one for an InputPath that selects nothing.
func (s *Shaper) Append(dst []byte, d Delivery) ([]byte, error) {
	switch {
	case s == nil:
		return append(dst, d.Event...), nil
	case s.constant != nil:
		return append(dst, s.constant...), nil
	case s.path != nil:
		v := s.path.eval(bytesToString(d.Event))
		if v.missing() {
			return dst, &Error{Code: CodeInvalidParameter, Permanent: true,
				Err: fmt.Errorf("targets: InputPath %q selects nothing in event %q", s.path.src, d.EventID)}
		}
		return appendCompact(dst, v.raw, false), nil
	case s.tmpl != nil:
		return s.tmpl.appendTo(dst, d), nil
	}
	return append(dst, d.Event...), nil
}

// passThrough reports whether s leaves the event unchanged.
func (s *Shaper) passThrough() bool {
	return s == nil || s.constant == nil && s.path == nil && s.tmpl == nil
}

// Shape returns a middleware that sets each delivery's Payload to its
// shaped input before passing it on. A nil or pass-through s makes it the
// identity. A shaping failure is returned (permanent, code
// INVALID_PARAMETER) without calling the target. The returned Target is
// safe for concurrent use if next is.
func Shape(s *Shaper) Middleware {
	return func(next Target) Target {
		if s.passThrough() {
			return next
		}
		return &shaped{next: next, s: s}
	}
}

type shaped struct {
	next Target
	s    *Shaper
}

func (m *shaped) Deliver(ctx context.Context, d Delivery) error {
	if m.s.constant != nil { // shared, read-only: no copy
		d.Payload = m.s.constant
		return m.next.Deliver(ctx, d)
	}
	p, err := m.s.Render(d)
	if err != nil {
		return err
	}
	d.Payload = p
	return m.next.Deliver(ctx, d)
}

// RenderInput renders s against d.Event without delivering anything: the
// "sandbox" EventBridge's console offers for input transformers. It checks
// s and the event (which must be a JSON object) first. d's RuleName,
// RuleARN and IngestionTime feed the reserved variables.
func RenderInput(s Shaping, d Delivery) ([]byte, error) {
	sh, err := NewShaper(s)
	if err != nil {
		return nil, err
	}
	if !json.Valid(d.Event) || !bytes.HasPrefix(bytes.TrimLeft(d.Event, " \t\r\n"), []byte("{")) {
		return nil, errors.New("targets: RenderInput: the event is not a JSON object")
	}
	return sh.Render(d)
}
