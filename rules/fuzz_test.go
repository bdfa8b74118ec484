package rules_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// fuzzBus returns a Bus whose one rule catches every event into rec.
func fuzzBus(f *testing.F) (*rules.Bus, *recorder) {
	b, err := rules.New(rules.WithClock(fixedClock))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = b.Close(context.Background()) })
	rec := &recorder{}
	if _, err := b.PutRule(context.Background(), rules.Rule{Name: "all", EventPattern: `{"version": ["0", "1"]}`}); err != nil {
		f.Fatal(err)
	}
	if err := b.PutTargets(context.Background(), "all", rules.Target{ID: "rec", Target: rec}); err != nil {
		f.Fatal(err)
	}
	return b, rec
}

// FuzzPutEvents checks the envelope for any entry: an accepted entry
// becomes a valid JSON event that decodes back to the entry's fields (so
// strings are escaped right, and the detail's white space is stripped
// without changing its value); a rejected one has a code and message.
func FuzzPutEvents(f *testing.F) {
	f.Add("shop", "Order Placed", `{"a": [1, {"b": "x y\"z"}]}`, "arn:1")
	f.Add("s\x00\"\\é\u2028", "\t\n", "{ \"k\" : \"\\u0000 \\\\\\\" \" }", "")
	f.Add("\xff\xfe", "dt", `{}`, "r")
	f.Add("s", "d", `{"x":1e400, "y": -0.0}`, "")
	f.Add("s", "d", `{"a":1} x`, "")
	b, rec := fuzzBus(f)
	f.Fuzz(func(t *testing.T, source, detailType, detail, resource string) {
		e := rules.Entry{Source: source, DetailType: detailType, Detail: detail}
		if resource != "" {
			e.Resources = []string{resource}
		}
		res, err := b.PutEvents(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		r := res.Entries[0]
		if r.ErrorCode != "" {
			if r.ErrorMessage == "" || r.EventID != "" || res.FailedEntryCount != 1 {
				t.Fatalf("rejected entry %+v", r)
			}
			return
		}
		if err := b.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		var d targets.Delivery
		for _, x := range rec.deliveries() {
			if x.EventID == r.EventID {
				d = x
			}
		}
		var ev struct {
			Version    string          `json:"version"`
			ID         string          `json:"id"`
			DetailType string          `json:"detail-type"`
			Source     string          `json:"source"`
			Resources  []string        `json:"resources"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(d.Event, &ev); err != nil {
			t.Fatalf("event %q is not JSON: %v", d.Event, err)
		}
		if !json.Valid(d.Event) {
			t.Fatalf("event %q is not valid JSON", d.Event)
		}
		want := func(s string) string { // what JSON can carry: invalid UTF-8 becomes U+FFFD
			b, _ := json.Marshal(s)
			var out string
			_ = json.Unmarshal(b, &out)
			return out
		}
		if ev.Version != "0" || ev.ID != r.EventID || ev.Source != want(source) || ev.DetailType != want(detailType) ||
			len(ev.Resources) != len(e.Resources) || (resource != "" && ev.Resources[0] != want(resource)) {
			t.Fatalf("event %s does not carry the entry %+v", d.Event, e)
		}
		if !json.Valid([]byte(detail)) {
			t.Fatalf("accepted a detail that is not JSON: %q", detail)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(detail)); err != nil {
			t.Fatal(err)
		}
		if compact.String() != string(ev.Detail) {
			t.Fatalf("detail %s became %s, want %s", detail, ev.Detail, compact.String())
		}
	})
}

// FuzzPutRawEvents checks that any input is either rejected with a code
// or accepted as a valid JSON event with every envelope field.
func FuzzPutRawEvents(f *testing.F) {
	f.Add(`{"source":"s","detail-type":"d","detail":{}}`)
	f.Add(`{"source":"s","detail-type":"d","detail":{"a": [1, 2]},"id":"x","time":"2020-01-01T00:00:00Z","resources":["r"],"replay-name":"r"}`)
	f.Add(`{"source":"s","source":"s","detail-type":"d","detail":{}}`)
	f.Add(`{"source":"s","detail-type":"d","detail":{},"resources":null}`)
	f.Add(`[]`)
	b, rec := fuzzBus(f)
	f.Fuzz(func(t *testing.T, raw string) {
		res, err := b.PutRawEvents(context.Background(), []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		r := res.Entries[0]
		if r.ErrorCode != "" {
			if r.ErrorMessage == "" {
				t.Fatalf("rejected without a message: %+v", r)
			}
			return
		}
		if err := b.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, d := range rec.deliveries() {
			if d.EventID != r.EventID {
				continue
			}
			var ev map[string]json.RawMessage
			if err := json.Unmarshal(d.Event, &ev); err != nil {
				t.Fatalf("event %q from %q is not JSON: %v", d.Event, raw, err)
			}
			for _, k := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"} {
				if _, ok := ev[k]; !ok {
					t.Fatalf("event %s lacks %q", d.Event, k)
				}
			}
		}
	})
}

// FuzzThresholdField checks a summing Threshold against encoding/json:
// PutRule accepts a field path or refuses it with a ValidationException;
// an accepted rule's alarm adds the number encoding/json finds at that
// path in the event (names split at dots; a decimal name also indexes an
// array), and skips the event, counting it, when there is none.
func FuzzThresholdField(f *testing.F) {
	f.Add("detail.errors", `{"errors": 3}`)
	f.Add("$.detail.errors", `{"errors": -2.5e3}`)
	f.Add("detail.a@b", `{"a@b": 1}`)
	f.Add("detail.#", `{"#": 1, "a": [1]}`)
	f.Add("detail.a.0", `{"a": [7]}`)
	f.Add("detail.a|b", `{"a": {"b": 1}, "a|b": 2}`)
	f.Add("detail.x", `{"x": "7"}`)
	f.Add("detail.x", `{"x": 1e400}`)
	f.Add("detail..x", `{}`)
	f.Add("detail.x*", `{"x*": 1}`)
	f.Add("detail.\\x", `{"\\x": 1}`)
	ctx := context.Background()
	b, err := rules.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = b.Close(ctx) })
	f.Fuzz(func(t *testing.T, field, detail string) {
		_ = b.DeleteRule(ctx, "sum", true)
		_, err := b.PutRule(ctx, rules.Rule{Name: "sum", EventPattern: `{"source": ["fuzz"]}`,
			Threshold: &rules.Threshold{Count: 1, Period: time.Hour, Field: field}})
		if err != nil {
			if !errors.Is(err, rules.ErrValidation) || !strings.Contains(err.Error(), "Threshold.Field") {
				t.Fatalf("field %q refused with %v", field, err)
			}
			return
		}
		skipped := b.Metrics().AlarmValuesSkipped
		res, err := b.PutEvents(ctx, rules.Entry{Source: "fuzz", DetailType: "F", Detail: detail})
		if err != nil || res.Entries[0].ErrorCode != "" || hasDuplicateKeys([]byte(detail)) {
			return
		}
		a, err := b.DescribeAlarm("sum")
		if err != nil {
			t.Fatal(err)
		}
		nowSkipped := b.Metrics().AlarmValuesSkipped
		want, ok := jsonNumberAt(detail, strings.TrimPrefix(a.Threshold.Field, "detail."))
		switch {
		case !strings.HasPrefix(a.Threshold.Field, "detail."):
			// another envelope field: not checked here
		case ok && (a.Value != want || nowSkipped != skipped):
			t.Fatalf("field %q of %s: value %g (skipped %d), want %g", field, detail, a.Value, nowSkipped-skipped, want)
		case !ok && (a.Value != 0 || nowSkipped != skipped+1):
			t.Fatalf("field %q of %s: value %g (skipped %d), want it skipped", field, detail, a.Value, nowSkipped-skipped)
		}
	})
}

// jsonNumberAt returns the finite number at the dotted path in the JSON
// object doc, decoded by encoding/json.
func jsonNumberAt(doc, path string) (float64, bool) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return 0, false
	}
	for _, name := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[name]; !ok {
				return 0, false
			}
		case []any:
			i, err := strconv.Atoi(name)
			if err != nil || i < 0 || i >= len(x) || strconv.Itoa(i) != name {
				return 0, false
			}
			v = x[i]
		default:
			return 0, false
		}
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	fl, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(fl, 0) {
		return 0, false
	}
	return fl, true
}

// hasDuplicateKeys reports whether an object in doc has a key twice
// (encoding/json keeps the last, the Bus's path the first).
func hasDuplicateKeys(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.key
		if top != nil && top.object {
			top.key = !top.key
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{keys: map[string]bool{}, object: true, key: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].key = true
				}
			}
		case string:
			if isKey {
				if top.keys[t] {
					return true
				}
				top.keys[t] = true
			}
		}
	}
}
