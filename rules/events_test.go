package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/rules"
)

// TestEnvelope checks the event a target receives, byte for byte: the
// envelope EventBridge builds, with the Bus's account and region, the
// clock's time (or the entry's own) and the id source's ids.
func TestEnvelope(t *testing.T) {
	b := newBus(t, rules.WithClock(fixedClock), rules.WithEventIDs(counterIDs()),
		rules.WithAccount("111122223333"), rules.WithRegion("eu-west-1"))
	mustPutRule(t, b, rules.Rule{Name: "all", EventPattern: `{"source": ["shop"]}`})
	rec := &recorder{}
	mustPutTargets(t, b, "all", rules.Target{ID: "rec", Target: rec})
	own := time.Date(2025, 12, 31, 23, 59, 58, 999_000_000, time.FixedZone("X", 3600))
	ids := mustPut(t, b,
		rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: "{\n  \"a\": [1, 2],\t\"b\": \"\\u00e9\"\n}"},
		rules.Entry{Source: "shop", DetailType: "Tab\there \"quoted\"", Detail: `{}`, Resources: []string{"arn:x", "r2"}, Time: own},
	)
	// ev-1 and ev-2 are the audit events of PutRule and PutTargets.
	if want := []string{"ev-3", "ev-4"}; strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	flush(t, b)
	want := []string{
		`{"version":"0","id":"ev-3","detail-type":"Order Placed","source":"shop","account":"111122223333","time":"2026-01-02T03:04:05Z","region":"eu-west-1","resources":[],"detail":{"a":[1,2],"b":"\u00e9"}}`,
		`{"version":"0","id":"ev-4","detail-type":"Tab\there \"quoted\"","source":"shop","account":"111122223333","time":"2025-12-31T22:59:58Z","region":"eu-west-1","resources":["arn:x","r2"],"detail":{}}`,
	}
	got := rec.payloads()
	if len(got) != len(want) {
		t.Fatalf("got %d deliveries, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	for _, d := range rec.deliveries() {
		if d.RuleName != "all" || d.RuleARN != "arn:aws:events:eu-west-1:111122223333:rule/all" || d.TargetID != "rec" || d.IngestionTime.IsZero() {
			t.Errorf("delivery metadata: %+v", d)
		}
	}
}

// TestDefaultEventIDs checks that default ids are distinct version-4 UUIDs.
func TestDefaultEventIDs(t *testing.T) {
	b := newBus(t)
	seen := map[string]bool{}
	for range 50 {
		ids := mustPut(t, b, order(1, 1))
		id := ids[0]
		if len(id) != 36 || id[14] != '4' || !strings.Contains("89ab", id[19:20]) || strings.Count(id, "-") != 4 {
			t.Fatalf("id %q is not a version-4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("id %q repeated", id)
		}
		seen[id] = true
	}
}

// TestPutEventsValidation puts one bad entry per case, between two good
// ones, and checks its code and message, that the others were accepted and
// that results keep request order.
func TestPutEventsValidation(t *testing.T) {
	good := rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"a":1}`}
	with := func(f func(*rules.Entry)) rules.Entry { e := good; f(&e); return e }
	cases := []struct {
		name  string
		entry rules.Entry
		code  string
		msg   string // a substring of the message
	}{
		{"missing source", with(func(e *rules.Entry) { e.Source = "" }), rules.InvalidArgument, "Parameter Source is not valid. Reason: Source is a required argument."},
		{"long source", with(func(e *rules.Entry) { e.Source = strings.Repeat("s", 257) }), rules.InvalidArgument, "Source is longer than 256"},
		{"missing detail-type", with(func(e *rules.Entry) { e.DetailType = "" }), rules.InvalidArgument, "Parameter DetailType is not valid. Reason: DetailType is a required argument."},
		{"long detail-type", with(func(e *rules.Entry) { e.DetailType = strings.Repeat("é", 129) }), rules.InvalidArgument, "DetailType is longer than 128"},
		{"missing detail", with(func(e *rules.Entry) { e.Detail = "" }), rules.InvalidArgument, "Parameter Detail is not valid. Reason: Detail is a required argument."},
		{"detail not JSON", with(func(e *rules.Entry) { e.Detail = "{oops" }), rules.MalformedDetail, "Detail is malformed."},
		{"detail an array", with(func(e *rules.Entry) { e.Detail = `[1]` }), rules.MalformedDetail, "Detail is malformed."},
		{"detail a string", with(func(e *rules.Entry) { e.Detail = `"x"` }), rules.MalformedDetail, "Detail is malformed."},
		{"detail with trailing data", with(func(e *rules.Entry) { e.Detail = `{} {}` }), rules.MalformedDetail, "Detail is malformed."},
		{"empty resource", with(func(e *rules.Entry) { e.Resources = []string{"a", ""} }), rules.InvalidArgument, "Resources[1] is empty"},
		{"time out of range", with(func(e *rules.Entry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), rules.InvalidArgument, "Parameter Time is not valid"},
		{"too large", with(func(e *rules.Entry) { e.Detail = `{"x":"` + strings.Repeat("a", 1000) + `"}` }), rules.InvalidArgument, "over the limit of 1000 bytes"},
	}
	b := newBus(t, rules.WithMaxEventSize(1000))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := b.PutEvents(context.Background(), good, c.entry, good)
			if err != nil {
				t.Fatal(err)
			}
			if res.FailedEntryCount != 1 || len(res.Entries) != 3 {
				t.Fatalf("result %+v, want 1 failed of 3", res)
			}
			if res.Entries[0].EventID == "" || res.Entries[2].EventID == "" || res.Entries[0].ErrorCode != "" {
				t.Errorf("good entries not accepted: %+v", res.Entries)
			}
			e := res.Entries[1]
			if e.EventID != "" || e.ErrorCode != c.code || !strings.Contains(e.ErrorMessage, c.msg) {
				t.Errorf("got %+v, want code %s with %q", e, c.code, c.msg)
			}
		})
	}
	t.Logf("%d validation cases ran", len(cases))
	m := b.Metrics()
	if m.PutEventsEntries != int64(3*len(cases)) || m.PutEventsFailedEntries != int64(len(cases)) || m.Events != int64(2*len(cases)) {
		t.Errorf("metrics %+v", m)
	}
}

// TestEntrySize checks the size rule: UTF-8 bytes of the fields, plus 14
// for a time, against the limit (which is inclusive).
func TestEntrySize(t *testing.T) {
	e := rules.Entry{Source: "s", DetailType: "dt", Detail: `{"é":1}`, Resources: []string{"abc", "de"}}
	if got := e.Size(); got != 1+2+8+5 {
		t.Errorf("Size = %d, want 16", got)
	}
	e.Time = time.Now()
	if got := e.Size(); got != 30 {
		t.Errorf("Size with time = %d, want 30", got)
	}
	b := newBus(t, rules.WithMaxEventSize(30))
	mustPut(t, b, e)
	e.Resources = append(e.Resources, "x")
	res, _ := b.PutEvents(context.Background(), e)
	if res.Entries[0].ErrorCode != rules.InvalidArgument {
		t.Errorf("31-byte entry against a 30-byte limit: %+v", res.Entries[0])
	}
}

func TestPutEventsCall(t *testing.T) {
	b := newBus(t)
	if _, err := b.PutEvents(context.Background()); !errors.Is(err, rules.ErrValidation) {
		t.Errorf("no entries: %v, want ValidationException", err)
	}
	eleven := make([]rules.Entry, 11)
	for i := range eleven {
		eleven[i] = order(i, 1)
	}
	if _, err := b.PutEvents(context.Background(), eleven...); !errors.Is(err, rules.ErrValidation) {
		t.Errorf("11 entries: %v, want ValidationException", err)
	}
	mustPut(t, b, eleven[:10]...)

	// An id source that breaks its contract fails the entries, not the Bus.
	bad := newBus(t, rules.WithEventIDs(func() string { return "" }))
	res, err := bad.PutEvents(context.Background(), order(1, 1))
	if err != nil || res.Entries[0].ErrorCode != rules.InternalFailure || !strings.Contains(res.Entries[0].ErrorMessage, "event id source") {
		t.Errorf("empty event id: %+v, %v", res, err)
	}
	if _, err := b.PutRawEvents(context.Background()); !errors.Is(err, rules.ErrValidation) {
		t.Errorf("no raw events: %v, want ValidationException", err)
	}
}

func TestPutRawEvents(t *testing.T) {
	b := newBus(t, rules.WithClock(fixedClock), rules.WithEventIDs(counterIDs()), rules.WithMaxEventSize(200))
	mustPutRule(t, b, rules.Rule{Name: "all", EventPattern: `{"source": ["shop"]}`})
	rec := &recorder{}
	mustPutTargets(t, b, "all", rules.Target{ID: "rec", Target: rec})
	cases := []struct {
		name, event string
		code, msg   string // expected failure
		want        string // expected delivery, when accepted
	}{
		{name: "minimal", event: `{"source":"shop","detail-type":"T","detail":{"a": 1}}`,
			want: `{"version":"0","id":"ev-3","detail-type":"T","source":"shop","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":{"a":1}}`},
		{name: "complete, kept as given", event: `{"detail":{},"replay-name":"r1","source":"shop","id":"own","version":"1","detail-type":"T","account":"999999999999","time":"2020-01-01T00:00:00+02:00","region":"xx","resources":["r"]}`,
			want: `{"version":"1","id":"own","detail-type":"T","source":"shop","account":"999999999999","time":"2020-01-01T00:00:00+02:00","region":"xx","resources":["r"],"detail":{},"replay-name":"r1"}`},
		{name: "not JSON", event: `{"source":`, code: rules.InvalidArgument, msg: "not a JSON object"},
		{name: "array", event: `[]`, code: rules.InvalidArgument, msg: "not a JSON object"},
		{name: "repeated key", event: `{"source":"shop","source":"x","detail-type":"T","detail":{}}`, code: rules.InvalidArgument, msg: `"source" more than once`},
		{name: "no source", event: `{"detail-type":"T","detail":{}}`, code: rules.InvalidArgument, msg: `"source" is missing`},
		{name: "source not a string", event: `{"source":1,"detail-type":"T","detail":{}}`, code: rules.InvalidArgument, msg: `"source" is not a string`},
		{name: "no detail-type", event: `{"source":"shop","detail":{}}`, code: rules.InvalidArgument, msg: `"detail-type" is missing`},
		{name: "no detail", event: `{"source":"shop","detail-type":"T"}`, code: rules.InvalidArgument, msg: `"detail" is missing`},
		{name: "detail not an object", event: `{"source":"shop","detail-type":"T","detail":[1]}`, code: rules.MalformedDetail, msg: "Detail is malformed."},
		{name: "bad time", event: `{"source":"shop","detail-type":"T","detail":{},"time":"yesterday"}`, code: rules.InvalidArgument, msg: `"time" is not an RFC 3339 time`},
		{name: "bad resources", event: `{"source":"shop","detail-type":"T","detail":{},"resources":"r"}`, code: rules.InvalidArgument, msg: `"resources" is not an array of strings`},
		{name: "resource not a string", event: `{"source":"shop","detail-type":"T","detail":{},"resources":[1]}`, code: rules.InvalidArgument, msg: `"resources" is not an array of strings`},
		{name: "empty id", event: `{"source":"shop","detail-type":"T","detail":{},"id":""}`, code: rules.InvalidArgument, msg: `"id" must be 1-64 bytes`},
		{name: "version not a string", event: `{"source":"shop","detail-type":"T","detail":{},"version":0}`, code: rules.InvalidArgument, msg: `"version" is not a string`},
		{name: "too large", event: `{"source":"shop","detail-type":"T","detail":{"x":"` + strings.Repeat("a", 200) + `"}}`, code: rules.InvalidArgument, msg: "over the limit of 200 bytes"},
	}
	var want []string
	for _, c := range cases {
		res, err := b.PutRawEvents(context.Background(), []byte(c.event))
		if err != nil {
			t.Fatal(err)
		}
		e := res.Entries[0]
		if c.code == "" {
			if e.ErrorCode != "" {
				t.Errorf("%s: rejected: %+v", c.name, e)
			}
			want = append(want, c.want)
			continue
		}
		if e.ErrorCode != c.code || !strings.Contains(e.ErrorMessage, c.msg) || res.FailedEntryCount != 1 {
			t.Errorf("%s: got %+v, want %s with %q", c.name, e, c.code, c.msg)
		}
	}
	t.Logf("%d raw-event cases ran", len(cases))
	flush(t, b)
	got := rec.payloads()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deliveries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTestEventPattern(t *testing.T) {
	event := `{"id":"1","account":"1","source":"aws.ec2","time":"t","region":"r","detail-type":"d","detail":{"state":"running"}}`
	ok, err := rules.TestEventPattern(`{"detail": {"state": ["running"]}}`, event)
	if err != nil || !ok {
		t.Errorf("matching pattern: %v, %v", ok, err)
	}
	ok, err = rules.TestEventPattern(`{"detail": {"state": ["stopped"]}}`, event)
	if err != nil || ok {
		t.Errorf("other pattern: %v, %v", ok, err)
	}
	_, err = rules.TestEventPattern(`{"detail": {"state": "running"}}`, event)
	var re *rules.Error
	if !errors.Is(err, rules.ErrInvalidEventPattern) || !errors.As(err, &re) || re.Code != rules.CodeInvalidEventPattern ||
		re.Field != "EventPattern" || !strings.Contains(err.Error(), "Event pattern is not valid. Reason:") {
		t.Errorf("invalid pattern: %v", err)
	}
	_, err = rules.TestEventPattern(`{"source": ["aws.ec2"]}`, `{"source":"aws.ec2"}`)
	if !errors.Is(err, rules.ErrValidation) || !errors.As(err, &re) || re.Field != "Event" ||
		!strings.Contains(err.Error(), "Parameter Event is not valid.") {
		t.Errorf("event without envelope: %v", err)
	}
}
