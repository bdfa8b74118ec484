package rules

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/rulebridge/rulebridge/internal/jsonx"
)

// timeLayout is how EventBridge writes an event's time: RFC 3339 in UTC,
// whole seconds.
const timeLayout = "2006-01-02T15:04:05Z"

// envelope is an event's envelope fields, as strings to write.
type envelope struct {
	id, detailType, source, account, region string
	time                                    time.Time
	resources                               []string
	detail                                  string // a JSON object, as given
}

// appendEvent writes the event as EventBridge builds it: version, id,
// detail-type, source, account, time, region, resources, detail, compactly.
// It fails if the detail is not valid JSON.
func appendEvent(dst []byte, e *envelope) ([]byte, error) {
	dst = append(dst, `{"version":"0","id":`...)
	dst = jsonx.AppendString(dst, e.id)
	dst = append(dst, `,"detail-type":`...)
	dst = jsonx.AppendString(dst, e.detailType)
	dst = append(dst, `,"source":`...)
	dst = jsonx.AppendString(dst, e.source)
	dst = append(dst, `,"account":`...)
	dst = jsonx.AppendString(dst, e.account)
	dst = append(dst, `,"time":"`...)
	dst = appendTime(dst, e.time)
	dst = append(dst, `","region":`...)
	dst = jsonx.AppendString(dst, e.region)
	dst = append(dst, `,"resources":[`...)
	for i, r := range e.resources {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonx.AppendString(dst, r)
	}
	dst = append(dst, `],"detail":`...)
	dst, ok := appendCompactJSON(dst, e.detail)
	if !ok {
		return nil, errors.New("invalid JSON")
	}
	return append(dst, '}'), nil
}

// appendTime appends t in UTC as timeLayout does, for years 0-9999 (which
// PutEvents checks), without time.Format's generality.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, timeLayout)
	}
	two := func(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }
	dst = two(dst, y/100)
	dst = two(dst, y%100)
	dst = two(append(dst, '-'), int(mo))
	dst = two(append(dst, '-'), d)
	dst = two(append(dst, 'T'), h)
	dst = two(append(dst, ':'), mi)
	dst = two(append(dst, ':'), s)
	return append(dst, 'Z')
}

func (e *envelope) sizeHint() int {
	n := 140 + len(e.id) + len(e.detailType) + len(e.source) + len(e.account) + len(e.region) + len(e.detail)
	for _, r := range e.resources {
		n += len(r) + 3
	}
	return n
}

const hexDigits = "0123456789abcdef"

// randBuf is a buffer of random bytes from crypto/rand, so that an id
// costs a read of crypto/rand once every 256 ids rather than every time.
type randBuf struct {
	b [16 * 256]byte
	i int
}

var randPool = sync.Pool{New: func() any { return &randBuf{i: 16 * 256} }}

// newUUID returns a random (version 4) UUID read from crypto/rand.
func newUUID() string {
	r := randPool.Get().(*randBuf)
	if r.i == len(r.b) {
		_, _ = rand.Read(r.b[:]) // never fails (crypto/rand panics rather)
		r.i = 0
	}
	var b [16]byte
	copy(b[:], r.b[r.i:])
	clear(r.b[r.i : r.i+16]) // a used id's bytes do not stay in memory
	r.i += 16
	randPool.Put(r)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(s[:])
}

// isJSONObject reports whether b (trimmed) is one valid JSON object.
func isJSONObject(b []byte) bool {
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

// The envelope fields of a full event, in EventBridge's order.
var envelopeOrder = [...]string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}

// rawEvent is a full event split into its top-level fields.
type rawEvent struct {
	fields map[string]json.RawMessage
	extra  []string // other top-level keys, in their order
}

// parseRawEvent splits a JSON object into its top-level members. It fails
// on anything that is not one JSON object, and on repeated keys.
func parseRawEvent(b []byte) (rawEvent, string) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' || !json.Valid(b) {
		return rawEvent{}, "Event is not a JSON object."
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_, _ = dec.Token() // '{'
	ev := rawEvent{fields: map[string]json.RawMessage{}}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return rawEvent{}, "Event is not a JSON object."
		}
		k := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return rawEvent{}, "Event is not a JSON object."
		}
		if _, dup := ev.fields[k]; dup {
			return rawEvent{}, "Event has the field " + strconv.Quote(k) + " more than once."
		}
		ev.fields[k] = v
		if !isEnvelopeField(k) {
			ev.extra = append(ev.extra, k)
		}
	}
	return ev, ""
}

func isEnvelopeField(k string) bool {
	for _, f := range envelopeOrder {
		if f == k {
			return true
		}
	}
	return false
}

// str returns the string value of field k: ok is false when the field is
// present and not a string; present reports whether it is there at all.
func (ev rawEvent) str(k string) (s string, present, ok bool) {
	v, present := ev.fields[k]
	if !present {
		return "", false, true
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return "", true, false
	}
	return s, true, true
}
