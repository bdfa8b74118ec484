package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rulebridge/rulebridge/internal/jsonx"
	"github.com/rulebridge/rulebridge/pattern"
)

// PutEvents result codes of a failed entry, as EventBridge's.
const (
	// InvalidArgument: a required field is missing or a field is out of
	// range (the message names it). Not retryable.
	InvalidArgument = "InvalidArgument"
	// MalformedDetail: Detail (or a full event's detail) is not a JSON
	// object. Not retryable.
	MalformedDetail = "MalformedDetail"
	// ThrottlingException: the event's deliveries found no room in the
	// queue before the context ended. Nothing was delivered; retry later.
	ThrottlingException = "ThrottlingException"
	// InternalFailure: the Bus closed before the event was admitted, or the
	// event-id source misbehaved. Nothing was delivered.
	InternalFailure = "InternalFailure"
)

// Limits of PutEvents, as EventBridge has them.
const (
	MaxEntriesPerCall = 10
	MaxSourceLen      = 256
	MaxDetailTypeLen  = 128
)

// Entry is one event to put, as EventBridge's PutEventsRequestEntry.
type Entry struct {
	// Source identifies the producer, such as "com.example.orders".
	// Required, at most 256 characters. (EventBridge refuses custom events
	// whose source starts with "aws."; this Bus accepts them, so that tests
	// can put AWS-shaped events.)
	Source string
	// DetailType says what the detail is. Required, at most 128
	// characters.
	DetailType string
	// Detail is a JSON object, as text. Required.
	Detail string
	// Resources lists the ARNs or ids the event concerns; may be empty.
	Resources []string
	// Time is the event's time; zero means now (from the Bus's clock). It
	// is written in UTC with whole seconds.
	Time time.Time
}

// Size returns the entry's size as EventBridge computes it against the
// size limit: the UTF-8 bytes of Source, DetailType, Detail and every
// resource, plus 14 when Time is set.
func (e Entry) Size() int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	for _, r := range e.Resources {
		n += len(r)
	}
	if !e.Time.IsZero() {
		n += 14
	}
	return n
}

// PutEventsResult is what PutEvents returns: one EntryResult per entry, in
// request order, and the number that failed.
type PutEventsResult struct {
	FailedEntryCount int
	Entries          []EntryResult
}

// EntryResult is the outcome of one entry: an EventID, or an ErrorCode
// (InvalidArgument, MalformedDetail, ThrottlingException, InternalFailure)
// and an ErrorMessage that says what was wrong.
type EntryResult struct {
	EventID      string
	ErrorCode    string
	ErrorMessage string
}

// PutEvents puts events on the Bus, as EventBridge's PutEvents: each entry
// is checked, given an id, wrapped in EventBridge's envelope (version "0",
// id, detail-type, source, account, time, region, resources, detail),
// matched against the enabled rules and, for every rule that matches (and
// whose condition holds), delivered to each of its targets.
//
// Entries are handled in order and independently: a bad entry gets an
// ErrorCode and the others go on. PutEvents returns an error only for the
// call as a whole: no entries or more than ten (ValidationException), or a
// closed Bus (ErrClosed).
//
// Deliveries run on their own goroutines after PutEvents returns; an
// EventId means the event was accepted and its deliveries admitted, not
// delivered. Backpressure: an event's deliveries (one per matching rule
// and target) are admitted all together or not at all, into a queue of
// bounded capacity (WithQueueCapacity). When there is no room, PutEvents
// waits for it until ctx ends; the entry then gets ThrottlingException,
// none of its deliveries is made, and the entries after it are tried in
// turn. An event with more deliveries than the whole capacity waits for an
// empty queue. Events that match no rule are accepted and discarded, as in
// EventBridge.
//
// No order is promised: deliveries of one event, or of successive events,
// to one target may arrive in any order, and retries reorder further.
func (b *Bus) PutEvents(ctx context.Context, entries ...Entry) (PutEventsResult, error) {
	if err := b.checkCall(len(entries)); err != nil {
		return PutEventsResult{}, err
	}
	res := PutEventsResult{Entries: make([]EntryResult, len(entries))}
	for i := range entries {
		res.Entries[i] = b.putEntry(ctx, i, &entries[i])
		if res.Entries[i].ErrorCode != "" {
			res.FailedEntryCount++
		}
	}
	return res, nil
}

func (b *Bus) checkCall(n int) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if n == 0 || n > MaxEntriesPerCall {
		return constraintError("", "", "", strconv.Itoa(n)+" entries", "entries", "Member must have length between 1 and "+strconv.Itoa(MaxEntriesPerCall))
	}
	return nil
}

func (b *Bus) putEntry(ctx context.Context, i int, e *Entry) EntryResult {
	b.counters.entries.Add(1)
	if code, msg := b.checkEntry(e); code != "" {
		return b.rejectInvalid(ctx, i, code, msg)
	}
	id, ok := b.eventID()
	if !ok {
		return b.rejectInvalid(ctx, i, InternalFailure, "The event id source returned an empty or over-long id.")
	}
	t := e.Time
	if t.IsZero() {
		t = b.now()
	}
	env := envelope{id: id, detailType: e.DetailType, source: e.Source, account: b.cfg.account,
		region: b.cfg.region, time: t, resources: e.Resources, detail: e.Detail}
	ev, err := appendEvent(make([]byte, 0, env.sizeHint()), &env)
	if err != nil {
		return b.rejectInvalid(ctx, i, MalformedDetail, "Detail is malformed.")
	}
	return b.accept(ctx, i, id, ev)
}

// checkEntry validates an entry as EventBridge does.
func (b *Bus) checkEntry(e *Entry) (code, msg string) {
	switch {
	case e.Source == "":
		return InvalidArgument, "Parameter Source is not valid. Reason: Source is a required argument."
	case len(e.Source) > MaxSourceLen && utf8.RuneCountInString(e.Source) > MaxSourceLen:
		return InvalidArgument, "Parameter Source is not valid. Reason: Source is longer than " + strconv.Itoa(MaxSourceLen) + " characters."
	case e.DetailType == "":
		return InvalidArgument, "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case len(e.DetailType) > MaxDetailTypeLen && utf8.RuneCountInString(e.DetailType) > MaxDetailTypeLen:
		return InvalidArgument, "Parameter DetailType is not valid. Reason: DetailType is longer than " + strconv.Itoa(MaxDetailTypeLen) + " characters."
	case e.Detail == "":
		return InvalidArgument, "Parameter Detail is not valid. Reason: Detail is a required argument."
	case !startsObject(e.Detail):
		return MalformedDetail, "Detail is malformed."
	}
	for j, r := range e.Resources {
		if r == "" {
			return InvalidArgument, "Parameter Resources is not valid. Reason: Resources[" + strconv.Itoa(j) + "] is empty."
		}
	}
	if y := e.Time.UTC().Year(); !e.Time.IsZero() && (y < 0 || y > 9999) {
		return InvalidArgument, "Parameter Time is not valid. Reason: year " + strconv.Itoa(y) + " is outside 0000-9999."
	}
	if n := e.Size(); n > b.cfg.maxEventSize {
		return InvalidArgument, fmt.Sprintf("Entry size %d bytes is over the limit of %d bytes.", n, b.cfg.maxEventSize)
	}
	return "", ""
}

// startsObject reports whether s, after leading white space, opens a JSON
// object; the rest is checked when the event is written.
func startsObject(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

func (b *Bus) eventID() (string, bool) {
	id := b.cfg.newID()
	return id, id != "" && len(id) <= 64
}

// reject counts a failed entry and returns its result.
func (b *Bus) reject(code, msg string) EntryResult {
	b.counters.failedEntries.Add(1)
	if code == ThrottlingException {
		b.counters.throttledEntries.Add(1)
	}
	return EntryResult{ErrorCode: code, ErrorMessage: msg}
}

// rejectInvalid records an entry that failed validation, with its notice.
func (b *Bus) rejectInvalid(ctx context.Context, i int, code, msg string) EntryResult {
	b.log.LogAttrs(ctx, slog.LevelDebug, "entry rejected", attrEntry(i), attrCode(code), attrErr(msg))
	b.notify(ctx, Notice{Kind: EventRejected, Entry: i, Code: code, Err: errors.New(msg)})
	return b.reject(code, msg)
}

// accept dispatches an accepted event and returns its result.
func (b *Bus) accept(ctx context.Context, i int, id string, ev []byte) EntryResult {
	if code, msg := b.dispatch(ctx, &inbound{ev: ev, id: id, entry: i}); code != "" {
		return b.reject(code, msg)
	}
	return EntryResult{EventID: id}
}

// PutRawEvents puts full events, each a JSON object with EventBridge's
// envelope, as they would arrive at a target: for replaying captured
// events, or feeding AWS's sample events. It returns results as PutEvents
// does and has the same limits.
//
// Each event must have "source" and "detail-type" (non-empty strings) and
// "detail" (an object). The other envelope fields are optional and filled
// in when missing: "version" with "0", "id" with a new id, "account" and
// "region" with the Bus's, "time" with the clock's time, "resources" with
// []. Present ones must have the right type ("time" a RFC 3339 string,
// "resources" an array of strings, the rest strings) and are kept as given,
// id included. Other top-level fields (such as "replay-name") are kept.
// The event is rewritten compactly with the envelope fields first, in
// EventBridge's order, then the others in their order. A repeated
// top-level key is an error. Its size, for the limit, is computed as for
// an Entry with the same fields.
func (b *Bus) PutRawEvents(ctx context.Context, events ...[]byte) (PutEventsResult, error) {
	if err := b.checkCall(len(events)); err != nil {
		return PutEventsResult{}, err
	}
	res := PutEventsResult{Entries: make([]EntryResult, len(events))}
	for i, raw := range events {
		res.Entries[i] = b.putRaw(ctx, i, raw)
		if res.Entries[i].ErrorCode != "" {
			res.FailedEntryCount++
		}
	}
	return res, nil
}

func (b *Bus) putRaw(ctx context.Context, i int, raw []byte) EntryResult {
	b.counters.entries.Add(1)
	ev, id, code, msg := b.completeRaw(raw)
	if code != "" {
		return b.rejectInvalid(ctx, i, code, msg)
	}
	return b.accept(ctx, i, id, ev)
}

// completeRaw validates a full event and writes it out in envelope order,
// filling in missing fields.
func (b *Bus) completeRaw(raw []byte) (ev []byte, id, code, msg string) {
	r, why := parseRawEvent(raw)
	if why != "" {
		return nil, "", InvalidArgument, why
	}
	var size int
	strs := map[string]string{}
	for _, f := range [...]string{"version", "id", "detail-type", "source", "account", "time", "region"} {
		s, present, ok := r.str(f)
		if !ok {
			return nil, "", InvalidArgument, "Event field \"" + f + "\" is not a string."
		}
		if present {
			strs[f] = s
		}
	}
	switch {
	case strs["source"] == "":
		return nil, "", InvalidArgument, `Event field "source" is missing or empty.`
	case strs["detail-type"] == "":
		return nil, "", InvalidArgument, `Event field "detail-type" is missing or empty.`
	}
	size += len(strs["source"]) + len(strs["detail-type"])
	detail, ok := r.fields["detail"]
	if !ok {
		return nil, "", InvalidArgument, `Event field "detail" is missing.`
	}
	if !isJSONObject(detail) {
		return nil, "", MalformedDetail, "Detail is malformed."
	}
	size += len(detail)
	var resources []string
	if v, ok := r.fields["resources"]; ok {
		if err := json.Unmarshal(v, &resources); err != nil || v[0] != '[' {
			return nil, "", InvalidArgument, `Event field "resources" is not an array of strings.`
		}
		for _, res := range resources {
			size += len(res)
		}
	}
	if t, ok := strs["time"]; ok {
		if _, err := time.Parse(time.RFC3339, t); err != nil {
			return nil, "", InvalidArgument, `Event field "time" is not an RFC 3339 time.`
		}
		size += 14
	}
	if id, ok := strs["id"]; ok && (id == "" || len(id) > 64) {
		return nil, "", InvalidArgument, `Event field "id" must be 1-64 bytes long.`
	}
	if size > b.cfg.maxEventSize {
		return nil, "", InvalidArgument, fmt.Sprintf("Entry size %d bytes is over the limit of %d bytes.", size, b.cfg.maxEventSize)
	}
	id, ok = strs["id"]
	if !ok {
		if id, ok = b.eventID(); !ok {
			return nil, "", InternalFailure, "The event id source returned an empty or over-long id."
		}
	}
	fill := map[string]string{"version": "0", "id": id, "account": b.cfg.account, "region": b.cfg.region}
	out := make([]byte, 0, len(raw)+64)
	out = append(out, '{')
	for n, f := range envelopeOrder {
		if n > 0 {
			out = append(out, ',')
		}
		out = jsonx.AppendString(out, f)
		out = append(out, ':')
		switch v, present := r.fields[f]; {
		case present:
			out = appendCompact(out, v)
		case f == "time":
			out = append(out, '"')
			out = b.now().UTC().AppendFormat(out, timeLayout)
			out = append(out, '"')
		case f == "resources":
			out = append(out, "[]"...)
		default:
			out = jsonx.AppendString(out, fill[f])
		}
	}
	for _, k := range r.extra {
		out = append(out, ',')
		out = jsonx.AppendString(out, k)
		out = append(out, ':')
		out = appendCompact(out, r.fields[k])
	}
	return append(out, '}'), id, "", ""
}

// appendCompact appends the JSON value v without insignificant white
// space, as json.Compact would, or as it is if it is not valid JSON.
func appendCompact(dst, v []byte) []byte {
	if out, ok := appendCompactJSON(dst, string(v)); ok {
		return out
	}
	return append(dst, v...) // overwrites what the failed attempt left past len(dst)
}

// TestEventPattern reports whether event matches the event pattern, as
// EventBridge's TestEventPattern API answers: the event must be a JSON
// object with the fields id, account, source, time, region and
// detail-type, or the answer is a ValidationException ("Parameter Event is
// not valid."); an invalid pattern is an InvalidEventPatternException
// wrapping the *pattern.Error. It delegates to [pattern.TestEventPattern]
// and needs no Bus.
func TestEventPattern(eventPattern, event string) (bool, error) {
	ok, err := pattern.TestEventPattern([]byte(eventPattern), []byte(event))
	if err != nil {
		if errors.Is(err, pattern.ErrInvalidPattern) {
			return false, &Error{Code: CodeInvalidEventPattern, Field: "EventPattern", Message: err.Error(), Err: err}
		}
		return false, &Error{Code: CodeValidation, Field: "Event", Message: err.Error(), Err: err}
	}
	return ok, nil
}
