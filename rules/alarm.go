package rules

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rulebridge/rulebridge/internal/jsonx"
)

// AlarmState is the state of a threshold rule's alarm, as CloudWatch's
// alarm states.
type AlarmState string

// The alarm states.
const (
	// AlarmStateOK: the window's value is on the safe side of the
	// threshold.
	AlarmStateOK AlarmState = "OK"
	// AlarmStateAlarm: the window's value is on the ALARM side of the
	// threshold. The rule's targets fired when the alarm entered it.
	AlarmStateAlarm AlarmState = "ALARM"
	// AlarmStateInsufficientData: the alarm has not yet observed a whole
	// period and what it has observed does not decide (see the package
	// documentation, "Alarms"), or its rule is disabled.
	AlarmStateInsufficientData AlarmState = "INSUFFICIENT_DATA"
)

// The source and detail-type of the events the Bus puts on itself when an
// alarm changes state. See the package documentation, "Alarms", for the
// detail.
const (
	AlarmSource     = "rulebridge.alarms"
	AlarmDetailType = "Alarm State Change"
)

// AlarmInfo is what DescribeAlarm returns: a threshold rule's alarm.
type AlarmInfo struct {
	// Name is the alarm's name: its rule's.
	Name string
	// Threshold is the rule's, normalized (Comparison set, Field without
	// "$.").
	Threshold Threshold
	// State is the alarm's state, and StateReason why it is in it.
	State       AlarmState
	StateReason string
	// Value is the window's value (a count, or a sum of the Field) at the
	// last evaluation. Evaluations happen on each counted event and
	// whenever the value or the state could change with time.
	Value float64
	// StateUpdated is when the state last changed, by the Bus's clock
	// (see WithClock).
	StateUpdated time.Time
}

// DescribeAlarm returns the alarm of the rule, which must have a
// Threshold; otherwise it returns a ResourceNotFoundException.
func (b *Bus) DescribeAlarm(rule string) (AlarmInfo, error) {
	b.mu.Lock()
	slot := b.rules[rule]
	var a *alarm
	if slot != nil {
		a = slot.cur.Load().alarm
	}
	b.mu.Unlock()
	if slot == nil {
		return AlarmInfo{}, ruleNotFound(rule)
	}
	if a == nil {
		return AlarmInfo{}, &Error{Code: CodeResourceNotFound, Rule: rule,
			Message: "Rule " + rule + " has no alarm: it has no Threshold."}
	}
	return a.info(), nil
}

// ListAlarms returns the alarms of the rules whose names start with prefix
// (all of them for ""), ordered by name, as ListRules orders rules. Rules
// without a Threshold have no alarm and are left out. Each alarm is read
// as DescribeAlarm reads it; alarms that change meanwhile may be read
// before or after the change.
func (b *Bus) ListAlarms(prefix string) []AlarmInfo {
	b.mu.Lock()
	var as []*alarm
	for name, slot := range b.rules {
		if a := slot.cur.Load().alarm; a != nil && strings.HasPrefix(name, prefix) {
			as = append(as, a)
		}
	}
	b.mu.Unlock()
	slices.SortFunc(as, func(x, y *alarm) int { return strings.Compare(x.name, y.name) })
	var out []AlarmInfo
	for _, a := range as {
		out = append(out, a.info())
	}
	return out
}

// info returns what DescribeAlarm and ListAlarms say of the alarm.
func (a *alarm) info() AlarmInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	return AlarmInfo{Name: a.name, Threshold: a.th, State: a.state.value, StateReason: a.state.reason,
		Value: a.lastValue, StateUpdated: a.state.at}
}

// Reasons of states not reached by evaluating the window.
const (
	reasonCreated   = "Unchecked: Initial alarm creation"
	reasonThreshold = "Unchecked: Threshold changed"
	reasonEnabled   = "Unchecked: Rule enabled"
	reasonDisabled  = "Rule disabled"
	stateTimeLayout = "2006-01-02T15:04:05.000Z"
	initialRing     = 8 // buckets in a ring's first allocation
)

// stateInfo is an alarm state with why and when it was entered.
type stateInfo struct {
	value   AlarmState
	reason  string
	data    float64 // the window's value that decided; valid if hasData
	count   int64   // the threshold it was compared with; valid if hasData
	hasData bool
	at      time.Time // by the Bus's clock
}

// transition is an alarm's change of state, to announce on the Bus.
type transition struct {
	a         *alarm
	prev, cur stateInfo
}

// bucket holds the value matched during one bucket of an alarm's window.
type bucket struct {
	idx int64 // floor((time - origin) / width)
	val float64
}

// alarm is the state of a threshold rule: a sliding window of buckets and
// the state machine over it. The versions of a rule that keep its
// threshold share one alarm.
//
// Time is measured with package time (monotonic), in buckets of width w
// counted from origin, a moment on the clock that is a multiple of w (so
// buckets start on whole seconds when w divides a second). A bucket
// leaves the window Period after it starts: an event matched at e counts
// until start(bucket(e)) + Period, that is for at least Period - w and less
// than Period, and exactly Period for an event at the start of a bucket.
// The ring holds the non-empty buckets of the window, oldest first: at
// most n = ceil(Period/w), whatever the event rate.
//
// One timer (time.AfterFunc) per alarm wakes it when the oldest bucket
// leaves the window or the first period ends, the moments at which the
// state can change without a new event. It is stopped when the alarm is
// stopped (rule deleted, threshold changed, Bus closed) or suspended
// (rule disabled).
type alarm struct {
	b     *Bus
	slot  *ruleSlot
	name  string
	arn   string
	th    Threshold // normalized
	gpath string    // gjson path of th.Field; "" when counting
	w     time.Duration
	n     int64

	mu        sync.Mutex
	origin    time.Time // the start of bucket 0: when the alarm (re)started, rounded down to a multiple of w
	warmEnd   time.Time // the end of the first period: when the alarm (re)started + Period
	ring      []bucket
	head      int
	size      int
	value     float64 // sum of the ring's values
	lastValue float64 // value at the last evaluation
	state     stateInfo
	timer     *time.Timer
	timerAt   time.Time // when the timer will fire; zero if it is not armed
	started   bool      // false until begin, and while the rule is disabled
	stopped   bool      // for good
}

// newAlarm returns the alarm of a rule version with a threshold; it does
// nothing until begin.
func (b *Bus) newAlarm(slot *ruleSlot, r *rule) *alarm {
	w, n := bucketWidth(r.spec.Threshold.Period)
	return &alarm{b: b, slot: slot, name: r.spec.Name, arn: r.arn, th: *r.spec.Threshold,
		gpath: r.gpath, w: w, n: n}
}

// updateAlarm brings the alarms in line after a rule changed from old to
// nr (either may be nil): it starts a new alarm, stops a replaced one,
// suspends or resumes a kept one, and queues the audit records and
// transitions the change makes. Called with b.mu held, after publish.
func (b *Bus) updateAlarm(old, nr *rule) {
	var oa, na *alarm
	if old != nil {
		oa = old.alarm
	}
	if nr != nil {
		na = nr.alarm
	}
	if oa == na {
		switch {
		case na == nil:
		case old.enabled() && !nr.enabled():
			b.queueTransition(na.suspend())
		case !old.enabled() && nr.enabled():
			na.resume()
		}
		return
	}
	var prev *stateInfo
	if oa != nil {
		s := oa.stop()
		prev = &s
		if na == nil {
			b.queueAudit("DeleteAlarm", oa.name, alarmParams{AlarmName: oa.name})
		}
	}
	if na != nil {
		b.queueTransition(na.begin(prev, nr.enabled()))
		b.queueAudit("PutAlarm", na.name, alarmParams{AlarmName: na.name, Threshold: thresholdParamsOf(&na.th)})
	}
}

// begin starts a new alarm in INSUFFICIENT_DATA (suspended if its rule is
// disabled). prev is the state of the alarm it replaces, if any: leaving
// it is a transition.
func (a *alarm) begin(prev *stateInfo, enabled bool) *transition {
	a.mu.Lock()
	defer a.mu.Unlock()
	reason := reasonCreated
	if prev != nil {
		reason = reasonThreshold
	}
	if !enabled {
		reason = reasonDisabled
	}
	a.state = stateInfo{value: AlarmStateInsufficientData, reason: reason, at: a.b.now()}
	if enabled {
		a.start(time.Now())
	}
	if prev == nil || prev.value == AlarmStateInsufficientData {
		return nil
	}
	return &transition{a: a, prev: *prev, cur: a.state}
}

// start (re)starts the window at now, empty. Called with a.mu held.
func (a *alarm) start(now time.Time) {
	// Add keeps now's monotonic reading, by which all is measured.
	a.origin = now.Add(-time.Duration(now.UnixNano() % int64(a.w)))
	a.warmEnd = now.Add(a.th.Period)
	a.ring, a.head, a.size, a.value, a.lastValue = nil, 0, 0, 0, 0
	a.started = true
	a.timerAt = time.Time{}
	a.arm(now)
}

// suspend stops evaluating (the rule was disabled) and moves the alarm to
// INSUFFICIENT_DATA.
func (a *alarm) suspend() *transition {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.halt()
	prev := a.state
	a.state = stateInfo{value: AlarmStateInsufficientData, reason: reasonDisabled, at: a.b.now()}
	if prev.value == AlarmStateInsufficientData {
		return nil
	}
	return &transition{a: a, prev: prev, cur: a.state}
}

// resume starts the window anew (the rule was enabled); the alarm is in
// INSUFFICIENT_DATA since it was suspended.
func (a *alarm) resume() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return
	}
	a.state.reason = reasonEnabled
	a.start(time.Now())
}

// stop ends the alarm for good and returns its last state.
func (a *alarm) stop() stateInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.halt()
	a.stopped = true
	return a.state
}

// halt stops the timer and drops the window. Called with a.mu held.
func (a *alarm) halt() {
	a.started = false
	if a.timer != nil {
		a.timer.Stop()
	}
	a.timerAt = time.Time{}
	a.ring, a.head, a.size, a.value, a.lastValue = nil, 0, 0, 0, 0
}

// record counts v (1, or the event's Field) at the present moment, and
// returns the transition it causes, if any.
func (a *alarm) record(v float64) *transition {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started || a.stopped {
		return nil
	}
	now := time.Now()
	a.advance(now)
	a.push(a.index(now), v)
	a.value += v
	tr := a.evaluate(now)
	a.arm(now)
	return tr
}

// tick is the alarm's timer: it lets time pass over the window and
// announces the transition that causes, if any.
func (a *alarm) tick() {
	a.mu.Lock()
	if !a.started || a.stopped {
		a.mu.Unlock()
		return
	}
	// Close stops every alarm under its lock before it waits, so this Add
	// happens before that Wait or not at all.
	a.b.alarmTicks.Add(1)
	defer a.b.alarmTicks.Done()
	a.timerAt = time.Time{}
	now := time.Now()
	a.advance(now)
	tr := a.evaluate(now)
	a.arm(now)
	a.mu.Unlock()
	if tr != nil {
		a.b.emitAlarm(a.b.closingCtx, tr)
	}
}

func (a *alarm) index(t time.Time) int64 { return int64(t.Sub(a.origin) / a.w) }

// advance drops the buckets that have left the window at now: those that
// started Period or more ago. Called with a.mu held.
func (a *alarm) advance(now time.Time) {
	limit := now.Sub(a.origin) - a.th.Period
	dropped := false
	for a.size > 0 && time.Duration(a.ring[a.head].idx)*a.w <= limit {
		a.head = (a.head + 1) % len(a.ring)
		a.size--
		dropped = true
	}
	switch {
	case a.size == 0:
		a.ring, a.head, a.value = nil, 0, 0
	case dropped:
		// Recomputed rather than subtracted, so that a sum does not drift
		// by rounding errors.
		a.value = 0
		for i := range a.size {
			a.value += a.ring[(a.head+i)%len(a.ring)].val
		}
	}
}

// push adds v to bucket idx, the newest. Called with a.mu held, after
// advance, so the ring holds fewer than n buckets unless idx is already
// its newest.
func (a *alarm) push(idx int64, v float64) {
	if a.size > 0 {
		last := &a.ring[(a.head+a.size-1)%len(a.ring)]
		if last.idx == idx {
			last.val += v
			return
		}
	}
	if a.size == len(a.ring) {
		ring := make([]bucket, min(max(initialRing, 2*len(a.ring)), int(a.n)))
		for i := range a.size {
			ring[i] = a.ring[(a.head+i)%len(a.ring)]
		}
		a.ring, a.head = ring, 0
	}
	a.ring[(a.head+a.size)%len(a.ring)] = bucket{idx: idx, val: v}
	a.size++
}

// evaluate sets the state the window's value gives at now, and returns
// the transition if it changed. Called with a.mu held.
//
// After the first period, the state is ALARM when the value breaches the
// threshold and OK otherwise. During the first period the window has not
// seen a whole period, so only a value that the unseen part could not
// overturn decides: for >= and >, a breach (ALARM); for <= and <, no
// breach (OK). Otherwise the state is INSUFFICIENT_DATA. (The unseen part
// could only add to a count; for sums this assumes values that are not
// negative.)
func (a *alarm) evaluate(now time.Time) *transition {
	v := a.value
	a.lastValue = v
	breach := a.th.breaches(v)
	first := now.Before(a.warmEnd)
	var st AlarmState
	switch {
	case first && breach != a.th.upward():
		st = AlarmStateInsufficientData
	case breach:
		st = AlarmStateAlarm
	default:
		st = AlarmStateOK
	}
	if st == a.state.value {
		return nil
	}
	cur := stateInfo{value: st, reason: a.reason(st, v), data: v, count: a.th.Count, hasData: true, at: a.b.now()}
	tr := &transition{a: a, prev: a.state, cur: cur}
	a.state = cur
	return tr
}

// reason says why the window's value v gives state st, in CloudWatch's
// manner.
func (a *alarm) reason(st AlarmState, v float64) string {
	secs := strconv.FormatInt(int64(a.th.Period/time.Second), 10)
	what := "matched events in the last " + secs + " seconds"
	if a.th.Field != "" {
		what = "sum of " + a.th.Field + " over the last " + secs + " seconds"
	}
	val := "the value " + formatNumber(v) + " (" + what + ")"
	cmp := a.th.Comparison.words() + " the threshold (" + strconv.FormatInt(a.th.Count, 10) + ")"
	switch st {
	case AlarmStateAlarm:
		return "Threshold Crossed: " + val + " was " + cmp + "."
	case AlarmStateOK:
		return "Threshold Crossed: " + val + " was not " + cmp + "."
	}
	is := "was not "
	if a.th.breaches(v) {
		is = "was "
	}
	return "Insufficient Data: " + val + " " + is + cmp + ", but less than one period has passed since the alarm started."
}

// arm sets the timer for the next moment the state could change without
// a new event: the end of the first period, or the oldest bucket leaving
// the window. A timer already due no later is kept (if it fires early,
// tick finds nothing to do and arms it again). Called with a.mu held.
func (a *alarm) arm(now time.Time) {
	var at time.Time
	if now.Before(a.warmEnd) {
		at = a.warmEnd
	}
	if a.size > 0 {
		exp := a.origin.Add(time.Duration(a.ring[a.head].idx)*a.w + a.th.Period)
		if at.IsZero() || exp.Before(at) {
			at = exp
		}
	}
	if at.IsZero() || (!a.timerAt.IsZero() && !a.timerAt.After(at)) {
		return
	}
	d := at.Sub(now)
	if a.timer == nil {
		a.timer = time.AfterFunc(d, a.tick)
	} else {
		a.timer.Reset(d)
	}
	a.timerAt = at
}

// storage returns how many buckets the alarm holds and has room for, and
// the most it may hold.
func (a *alarm) storage() (held, capacity, limit int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.size, len(a.ring), int(a.n)
}

// emitAlarm announces a transition: counts it, notifies the observer,
// logs it, and puts the Alarm State Change event on the Bus, where rules
// may match it; on entering ALARM the alarm's rule's targets receive it
// too. ctx bounds the wait for room in the delivery queue.
func (b *Bus) emitAlarm(ctx context.Context, tr *transition) {
	b.counters.alarmChanges.Add(1)
	a := tr.a
	id, ok := b.eventID()
	if !ok {
		id = ""
	}
	b.log.LogAttrs(ctx, slog.LevelInfo, "alarm state changed", attrRule(a.name), attrEventID(id),
		slog.String("previous", string(tr.prev.value)), slog.String("state", string(tr.cur.value)),
		slog.String("reason", tr.cur.reason))
	b.notify(ctx, Notice{Kind: AlarmStateChanged, EventID: id, Rule: a.name, Entry: -1,
		Alarm: AlarmChange{Previous: tr.prev.value, State: tr.cur.value, Reason: tr.cur.reason, Value: tr.cur.data}})
	if !ok {
		b.counters.alarmThrottled.Add(1)
		b.log.LogAttrs(ctx, slog.LevelError, "alarm event not put: the event id source returned an empty or over-long id", attrRule(a.name))
		return
	}
	r := a.slot.cur.Load()
	description := ""
	if r != nil && r.alarm == a {
		description = r.spec.Description
	}
	env := envelope{id: id, detailType: AlarmDetailType, source: AlarmSource, account: b.cfg.account,
		region: b.cfg.region, time: tr.cur.at, resources: []string{a.arn},
		detail: string(appendAlarmDetail(nil, tr, description))}
	ev, _ := appendEvent(make([]byte, 0, env.sizeHint()), &env) // the detail is valid JSON
	in := inbound{ev: ev, id: id, entry: -1, kind: kindAlarm}
	if tr.cur.value == AlarmStateAlarm && r != nil && r.alarm == a && r.enabled() {
		in.also = r
	}
	b.dispatch(ctx, &in)
}

// appendAlarmDetail writes the detail of an Alarm State Change event.
func appendAlarmDetail(dst []byte, tr *transition, description string) []byte {
	a := tr.a
	dst = append(dst, `{"alarmName":`...)
	dst = jsonx.AppendString(dst, a.name)
	dst = append(dst, `,"state":`...)
	dst = appendState(dst, &tr.cur)
	dst = append(dst, `,"previousState":`...)
	dst = appendState(dst, &tr.prev)
	dst = append(dst, `,"configuration":{"description":`...)
	dst = jsonx.AppendString(dst, description)
	dst = append(dst, `,"count":`...)
	dst = strconv.AppendInt(dst, a.th.Count, 10)
	dst = append(dst, `,"periodSeconds":`...)
	dst = strconv.AppendInt(dst, int64(a.th.Period/time.Second), 10)
	dst = append(dst, `,"comparison":`...)
	dst = jsonx.AppendString(dst, string(a.th.Comparison))
	if a.th.Field != "" {
		dst = append(dst, `,"field":`...)
		dst = jsonx.AppendString(dst, a.th.Field)
	}
	return append(dst, "}}"...)
}

func appendState(dst []byte, s *stateInfo) []byte {
	dst = append(dst, `{"value":`...)
	dst = jsonx.AppendString(dst, string(s.value))
	dst = append(dst, `,"reason":`...)
	dst = jsonx.AppendString(dst, s.reason)
	if s.hasData {
		dst = append(dst, `,"reasonData":{"value":`...)
		dst = append(dst, formatNumber(s.data)...)
		dst = append(dst, `,"threshold":`...)
		dst = strconv.AppendInt(dst, s.count, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, `,"timestamp":"`...)
	dst = s.at.UTC().AppendFormat(dst, stateTimeLayout)
	return append(dst, `"}`...)
}

// formatNumber writes v as a JSON number, as short as it goes.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
