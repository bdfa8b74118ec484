package rules

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeEvent decodes a JSON object that is known to be valid (an event
// the Bus built or checked) into the values encoding/json would give an
// `any`: map[string]any, []any, string, float64, bool and nil. It skips
// the validation and reflection of json.Unmarshal, which dominated the
// cost of a condition. Like json.Unmarshal it fails on a number out of
// float64's range, and replaces invalid UTF-8 in strings with U+FFFD.
func decodeEvent(b []byte) (map[string]any, error) {
	d := decoder{b: b}
	d.space()
	if d.i >= len(b) || b[d.i] != '{' {
		return nil, errors.New("not a JSON object")
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

type decoder struct {
	b []byte
	i int
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, error) {
	d.space()
	switch d.b[d.i] {
	case '{':
		d.i++
		m := map[string]any{}
		for {
			d.space()
			if d.b[d.i] == '}' {
				d.i++
				return m, nil
			}
			if d.b[d.i] == ',' {
				d.i++
				d.space()
			}
			k, err := d.string()
			if err != nil {
				return nil, err
			}
			d.space()
			d.i++ // ':'
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
	case '[':
		d.i++
		a := []any{}
		for {
			d.space()
			if d.b[d.i] == ']' {
				d.i++
				return a, nil
			}
			if d.b[d.i] == ',' {
				d.i++
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case '"':
		return d.string()
	case 't':
		d.i += 4
		return true, nil
	case 'f':
		d.i += 5
		return false, nil
	case 'n':
		d.i += 4
		return nil, nil
	}
	start := d.i
	for d.i < len(d.b) && strings.IndexByte("+-.0123456789eE", d.b[d.i]) >= 0 {
		d.i++
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return nil, errors.New("number " + string(d.b[start:d.i]) + " does not fit a float64")
	}
	return f, nil
}

// string reads a string starting at its quote.
func (d *decoder) string() (string, error) {
	start := d.i
	d.i++
	escaped := false
	for d.b[d.i] != '"' {
		if d.b[d.i] == '\\' {
			escaped = true
			d.i++
		}
		d.i++
	}
	d.i++
	raw := d.b[start:d.i]
	if !escaped && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}
