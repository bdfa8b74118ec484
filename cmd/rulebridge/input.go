package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/rulebridge/rulebridge/rules"
)

// An input is one event to put on the bus: a PutEvents entry, or (raw not
// nil) a full event for PutRawEvents.
type input struct {
	entry rules.Entry
	raw   []byte
}

// entryFields are the members of a PutEvents entry, as EventBridge names
// them. A JSON object with any of them is read as an entry; one with none,
// as a full event.
var entryFields = []string{"Source", "DetailType", "Detail", "Resources", "Time", "EventBusName", "TraceHeader"}

// decodeInput reads one JSON object: a PutEvents entry ({"Source", "DetailType",
// "Detail", "Resources", "Time"}, Detail being JSON text in a string or a
// JSON object, Time RFC 3339 text or seconds since 1970 as the AWS SDKs
// send it), or, when full is true, a full event ({"source", "detail-type",
// "detail", ...}) that PutRawEvents will check. src must not change
// afterwards: the input may keep it. The error says what is wrong, naming
// the member.
func decodeInput(src []byte, full bool) (input, error) {
	members, err := objectMembers(src)
	if err != nil {
		return input{}, err
	}
	isEntry := false
	for _, m := range members {
		if isEntryField(m.name) {
			isEntry = true
			break
		}
	}
	if !isEntry {
		if full {
			return input{raw: src}, nil
		}
		return input{}, errors.New("not a PutEvents entry: it has none of Source, DetailType and Detail")
	}
	var in input
	for _, m := range members {
		if string(m.value) == "null" {
			continue // as if absent, as in the AWS SDKs
		}
		var err error
		switch m.name {
		case "Source":
			err = json.Unmarshal(m.value, &in.entry.Source)
		case "DetailType":
			err = json.Unmarshal(m.value, &in.entry.DetailType)
		case "Detail":
			in.entry.Detail, err = decodeDetail(m.value)
		case "Resources":
			err = json.Unmarshal(m.value, &in.entry.Resources)
		case "Time":
			in.entry.Time, err = decodeTime(m.value)
		case "EventBusName":
			return input{}, errors.New("EventBusName: not supported: rulebridge has one bus; leave it out")
		case "TraceHeader":
			return input{}, errors.New("TraceHeader: not supported; leave it out")
		default:
			return input{}, unknownMember(m.name)
		}
		if err != nil {
			return input{}, fmt.Errorf("%s: %w", m.name, typeError(m.name, err))
		}
	}
	return in, nil
}

func isEntryField(name string) bool {
	for _, f := range entryFields {
		if f == name {
			return true
		}
	}
	return false
}

// unknownMember names a member a PutEvents entry does not have, with the
// field the user probably meant.
func unknownMember(name string) error {
	for _, f := range entryFields {
		if strings.EqualFold(strings.ReplaceAll(name, "-", ""), f) {
			return fmt.Errorf("unknown member %q in a PutEvents entry; did you mean %s?", name, f)
		}
	}
	return fmt.Errorf("unknown member %q in a PutEvents entry (its members are Source, DetailType, Detail, Resources and Time; a full event has no member of an entry)", name)
}

// typeError rewrites encoding/json's type errors for a user.
func typeError(name string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		switch name {
		case "Resources":
			return errors.New("must be an array of strings")
		default:
			return errors.New("must be a string")
		}
	}
	return err
}

// decodeDetail returns Detail's JSON text: the string's contents, or the
// object itself. The bus checks that the text is a JSON object.
func decodeDetail(v json.RawMessage) (string, error) {
	switch v[0] {
	case '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case '{':
		return string(v), nil
	}
	return "", errors.New("must be a JSON object, or a string holding one")
}

// decodeTime reads Time: RFC 3339 text, or a number of seconds since
// 1970-01-01 UTC (what the AWS SDKs send).
func decodeTime(v json.RawMessage) (time.Time, error) {
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return time.Time{}, err
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time such as 2026-01-05T10:00:00Z", s)
		}
		return t, nil
	}
	var secs float64
	if err := json.Unmarshal(v, &secs); err != nil || secs < 0 || secs > 1e11 {
		return time.Time{}, errors.New("must be RFC 3339 text or a number of seconds since 1970")
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), nil
}

// member is one member of a JSON object.
type member struct {
	name  string
	value json.RawMessage
}

// objectMembers returns the members of the JSON object src in order.
// Anything else (not JSON, not an object, trailing data, a repeated member)
// is an error that says what was found.
func objectMembers(src []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	tok, err := dec.Token()
	if err != nil {
		return nil, notJSON(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var members []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notJSON(err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.New("not JSON: a member name must be a string")
		}
		for _, m := range members {
			if m.name == name {
				return nil, fmt.Errorf("member %q is repeated", name)
			}
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, notJSON(err)
		}
		members = append(members, member{name, value})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, notJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not JSON: more data after the object")
	}
	return members, nil
}

func notJSON(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("not JSON: unexpected end of input")
	}
	return fmt.Errorf("not JSON: %w", err)
}
