package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
	"github.com/rulebridge/rulebridge/targets"
)

// job is one delivery to make: a target of a matched rule.
type job struct {
	r *rule
	t *target
}

// hit is a matched event to count in a threshold rule's alarm.
type hit struct {
	a *alarm
	v float64
}

// scratch holds the per-event buffers of dispatch, pooled.
type scratch struct {
	keys  []string
	rules []*rule
	jobs  []job
	hits  []hit
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (s *scratch) reset() {
	clear(s.keys)
	clear(s.rules)
	clear(s.jobs)
	clear(s.hits)
	s.keys, s.rules, s.jobs, s.hits = s.keys[:0], s.rules[:0], s.jobs[:0], s.hits[:0]
}

// eventKind says where an event comes from.
type eventKind uint8

const (
	kindPut       eventKind = iota // PutEvents, PutRawEvents
	kindScheduled                  // a schedule run: to its rule only
	kindAudit                      // an audit record (audit.go)
	kindAlarm                      // an alarm's state change (alarm.go)
)

// inbound is an accepted event to dispatch.
type inbound struct {
	ev    []byte
	id    string
	entry int // index in a PutEvents call; -1 for the others
	kind  eventKind
	only  *rule // kindScheduled: the rule it goes to, instead of matching
	also  *rule // kindAlarm entering ALARM: the alarm's rule, whose targets receive it too
}

// dispatch matches an accepted event and admits its deliveries. It
// returns a PutEvents error code and message when the deliveries were not
// admitted.
//
// Threshold rules that match count the event in their alarm instead of
// delivering it, once its other deliveries are admitted (a throttled
// event is not counted), and the transitions that causes are announced
// with ctx. Alarm events are not counted by thresholds, so that an alarm
// never feeds on its own announcements. The Bus's own events (audit and
// alarm events) do not count in Events, MatchedEvents and TriggeredRules,
// and have no EventReceived notice.
func (b *Bus) dispatch(ctx context.Context, in *inbound) (code, msg string) {
	ingested := time.Now()
	own := in.kind == kindAudit || in.kind == kindAlarm
	if !own {
		b.counters.events.Add(1)
		if b.log.Enabled(ctx, slog.LevelDebug) {
			b.log.LogAttrs(ctx, slog.LevelDebug, "event received", attrEventID(in.id), attrEntry(in.entry))
		}
		b.notify(ctx, Notice{Kind: EventReceived, EventID: in.id, Entry: in.entry})
	}

	sc := scratchPool.Get().(*scratch)
	defer func() { sc.reset(); scratchPool.Put(sc) }()
	if in.only != nil {
		sc.rules = append(sc.rules, in.only)
	} else {
		b.match(in.ev, sc)
	}
	var decoded map[string]any
	matched := false
	for _, r := range sc.rules {
		if r.alarm != nil && in.kind == kindAlarm {
			continue
		}
		if r.cond != nil {
			ok, err := r.cond.eval(in.ev, &decoded)
			if err != nil {
				b.counters.condErrors.Add(1)
				r.m.condErrors.Add(1)
				b.log.LogAttrs(ctx, slog.LevelWarn, "condition failed", attrEventID(in.id), attrRule(r.spec.Name), attrErr(err.Error()))
				b.notify(ctx, Notice{Kind: ConditionFailed, EventID: in.id, Rule: r.spec.Name, Entry: in.entry, Err: err})
				continue
			}
			if !ok {
				continue
			}
		}
		matched = true
		r.m.triggered.Add(1)
		if !own {
			b.counters.triggered.Add(1)
		}
		if b.log.Enabled(ctx, slog.LevelDebug) {
			b.log.LogAttrs(ctx, slog.LevelDebug, "rule matched", attrEventID(in.id), attrRule(r.spec.Name))
		}
		b.notify(ctx, Notice{Kind: RuleMatched, EventID: in.id, Rule: r.spec.Name, Entry: in.entry})
		if r.alarm != nil {
			if h, ok := b.alarmHit(ctx, r, in); ok {
				sc.hits = append(sc.hits, h)
			}
			continue
		}
		for _, t := range r.targets {
			sc.jobs = append(sc.jobs, job{r, t})
		}
	}
	if in.also != nil {
		for _, t := range in.also.targets {
			sc.jobs = append(sc.jobs, job{in.also, t})
		}
	}
	if matched && !own {
		b.counters.matched.Add(1)
	}
	if len(sc.jobs) > 0 {
		if code, msg = b.admitJobs(ctx, in, sc, ingested); code != "" {
			return code, msg
		}
	}
	if len(sc.hits) > 0 {
		b.countHits(ctx, sc.hits)
	}
	return "", ""
}

// admitJobs admits the deliveries of sc.jobs and starts them, or reports
// why it could not.
func (b *Bus) admitJobs(ctx context.Context, in *inbound, sc *scratch, ingested time.Time) (code, msg string) {
	g, w, err := b.admit(ctx, len(sc.jobs))
	if err != nil {
		code = ThrottlingException
		if errors.Is(err, ErrClosed) {
			code = InternalFailure
		}
		msg = fmt.Sprintf("The event's %d deliveries found no room in the queue (capacity %d): %v.", len(sc.jobs), b.capacity, err)
		var rule string
		switch in.kind {
		case kindScheduled:
			b.counters.schedThrottled.Add(1)
			rule = in.only.spec.Name
		case kindAlarm:
			b.counters.alarmThrottled.Add(1)
			if in.also != nil {
				rule = in.also.spec.Name
			}
		}
		b.log.LogAttrs(ctx, slog.LevelWarn, "event throttled", attrEventID(in.id), attrEntry(in.entry), attrCode(code), attrErr(msg))
		b.notify(ctx, Notice{Kind: EventThrottled, EventID: in.id, Rule: rule, Entry: in.entry, Code: code, Err: err})
		return code, msg
	}
	for i, j := range sc.jobs {
		b.start(delivery{t: j.t.deliver, g: g, holds: int64(i) < w,
			d: targets.Delivery{Payload: in.ev, Event: in.ev, EventID: in.id, RuleName: j.r.spec.Name, RuleARN: j.r.arn,
				TargetID: j.t.spec.ID, IngestionTime: ingested}})
	}
	return "", ""
}

// alarmHit returns what a matched event adds to a threshold rule's
// alarm: 1, or the value of its Field. An event whose field is missing or
// not a number is reported and not counted.
func (b *Bus) alarmHit(ctx context.Context, r *rule, in *inbound) (hit, bool) {
	if r.gpath == "" {
		return hit{r.alarm, 1}, true
	}
	v, why := fieldValue(in.ev, r.gpath)
	if why == "" {
		return hit{r.alarm, v}, true
	}
	err := errors.New("rules: threshold field " + r.spec.Threshold.Field + " " + why + "; the event is not counted")
	b.counters.alarmSkipped.Add(1)
	r.m.alarmSkipped.Add(1)
	b.log.LogAttrs(ctx, slog.LevelWarn, "alarm value skipped", attrEventID(in.id), attrRule(r.spec.Name), attrErr(err.Error()))
	b.notify(ctx, Notice{Kind: AlarmValueSkipped, EventID: in.id, Rule: r.spec.Name, Entry: in.entry, Err: err})
	return hit{}, false
}

// countHits counts an event in the alarms it matched, and announces the
// transitions that causes.
func (b *Bus) countHits(ctx context.Context, hits []hit) {
	var trs []*transition
	for _, h := range hits {
		if tr := h.a.record(h.v); tr != nil {
			trs = append(trs, tr)
		}
	}
	for _, tr := range trs {
		b.emitAlarm(ctx, tr)
	}
}

// match appends to sc.rules the current version of every rule whose
// pattern matches ev.
//
// The matcher and the snapshot are updated one after the other (see
// publish), so a Match may return a key the loaded snapshot does not know:
// a rule added or changed meanwhile. Then the newer snapshot is loaded and
// Match is run again. Once the snapshot has not changed during a Match,
// the result is consistent: a key it does not know belongs to a change
// not yet published, whose old key (if any) is still in the matcher and
// known, so skipping it sees the rule wholly before the change. Under
// management calls so frequent that the snapshot changes during each of
// maxMatchTries Matches, the last result is used as it is, and a rule
// changing at that moment may be missed by this event.
func (b *Bus) match(ev []byte, sc *scratch) {
	const maxMatchTries = 8
	t := b.snap.Load()
	for try := 1; ; try++ {
		keys, err := b.matcher.Match(ev, sc.keys[:0])
		sc.keys = keys
		if err != nil { // unreachable: ev is a JSON object built by the Bus
			return
		}
		sc.rules = sc.rules[:0]
		unknown := false
		for _, k := range keys {
			if r := t.byKey[k]; r != nil {
				sc.rules = append(sc.rules, r)
			} else {
				unknown = true
			}
		}
		if !unknown || try == maxMatchTries {
			return
		}
		nt := b.snap.Load()
		if nt == t {
			return
		}
		t = nt
	}
}

// admit reserves room for n deliveries: all of them or none, waiting until
// ctx ends or the Bus closes. It returns the generation they count in and
// the weight taken from the semaphore (n, or the whole capacity for a
// larger event).
func (b *Bus) admit(ctx context.Context, n int) (*generation, int64, error) {
	w := min(int64(n), b.capacity)
	if err := b.sem.acquire(ctx, b.closingCtx.Done(), w); err != nil {
		return nil, 0, err
	}
	b.genMu.RLock()
	if b.intakeClosed {
		b.genMu.RUnlock()
		b.sem.release(w)
		return nil, 0, ErrClosed
	}
	g := b.cur
	g.add(n)
	b.counters.admitted.Add(int64(n))
	b.genMu.RUnlock()
	return g, w, nil
}

// delivery is an admitted delivery, to make on a worker goroutine.
type delivery struct {
	t     targets.Target
	d     targets.Delivery
	g     *generation // the generation it counts in
	holds bool        // it holds a slot of the admission semaphore
}

// maxIdleWorkers bounds the delivery workers a Bus keeps waiting for work
// (see start).
const maxIdleWorkers = 64

// start makes an admitted delivery on a goroutine of its own: an idle
// worker's, if one is waiting, or a new worker's.
//
// A worker that finishes a delivery becomes idle (while fewer than
// maxIdleWorkers are; otherwise it exits): it counts itself in
// idleWorkers and waits on handoff. start takes one from the count before
// it hands a delivery over, so a delivery is handed only to a worker that
// waits for it, never queued behind another delivery; handoff's buffer
// holds as many as there may be idle workers, so start never blocks.
// Close closes handoff, which stops the idle workers, once every delivery
// has settled: nothing can be handed over any more.
//
// Reusing goroutines spares the Bus a goroutine start for most
// deliveries, and the growth of a fresh goroutine's stack through the
// delivery chain.
func (b *Bus) start(dl delivery) {
	for {
		n := b.idleWorkers.Load()
		if n == 0 {
			b.workers.Add(1)
			go b.work(dl)
			return
		}
		if b.idleWorkers.CompareAndSwap(n, n-1) {
			b.handoff <- dl
			return
		}
	}
}

// work is a delivery worker: it makes dl, then the deliveries handed to
// it while it is idle, until enough workers are idle or the Bus closes.
func (b *Bus) work(dl delivery) {
	defer b.workers.Done()
	growStack()
	for {
		b.deliver(&dl)
		dl = delivery{} // keep no event alive while idle
		for {
			n := b.idleWorkers.Load()
			if n >= maxIdleWorkers {
				return
			}
			if b.idleWorkers.CompareAndSwap(n, n+1) {
				break
			}
		}
		var ok bool
		if dl, ok = <-b.handoff; !ok { // closed by Close
			b.idleWorkers.Add(-1)
			return
		}
	}
}

// growStack grows a new worker's stack at once to what the delivery chain
// (targets.Wrap's decorators, observers) needs, in one copy of a shallow
// stack, rather than in several copies of a deep one.
//
//go:noinline
func growStack() byte {
	var buf [6 << 10]byte
	return buf[int(stackProbe.Load())&(len(buf)-1)]
}

var stackProbe atomic.Uint32 // 0: read, so that growStack's frame stays

// deliver makes one delivery. Its outcome reaches the observers through
// the notices of the targets package; the error Deliver returns (a failure
// without a dead-letter target, or a failed dead-letter write) has been
// reported there already.
func (b *Bus) deliver(dl *delivery) {
	_ = dl.t.Deliver(b.runCtx, dl.d)
	b.counters.settled.Add(1)
	if dl.holds {
		b.sem.release(1)
	}
	dl.g.release()
}

// fireScheduled is a schedule run of a rule: it delivers the scheduled
// event EventBridge sends to the rule's targets (and to no other rule),
// with the run's nominal fire time as its "time".
//
// When the delivery queue is full, the run waits for room (until the rule
// is disabled, deleted or rescheduled, or the Bus closes): scheduled
// deliveries are delayed, not dropped. Runs that fall due while one waits
// are throttled: counted (ScheduledEventsThrottled), logged and notified
// (EventThrottled), and not made, so that a full queue does not pile up a
// waiting run per fire time.
func (b *Bus) fireScheduled(ctx context.Context, slot *ruleSlot) {
	r := slot.cur.Load()
	if r == nil || !r.scheduled() || b.closed.Load() {
		return
	}
	if !slot.waiting.CompareAndSwap(false, true) {
		b.counters.schedThrottled.Add(1)
		msg := "a previous run of the rule is still waiting for room in the delivery queue"
		b.log.LogAttrs(ctx, slog.LevelWarn, "scheduled event throttled", attrRule(r.spec.Name), attrCode(ThrottlingException), attrErr(msg))
		b.notify(ctx, Notice{Kind: EventThrottled, Rule: r.spec.Name, Entry: -1, Code: ThrottlingException, Err: errors.New(msg)})
		return
	}
	defer slot.waiting.Store(false)
	id, ok := b.eventID()
	if !ok {
		b.log.LogAttrs(ctx, slog.LevelError, "scheduled event dropped: the event id source returned an empty or over-long id", attrRule(r.spec.Name))
		return
	}
	fire := schedule.FireTime(ctx)
	if fire.IsZero() { // unreachable: the Scheduler sets it
		fire = time.Now()
	}
	env := envelope{id: id, detailType: "Scheduled Event", source: "aws.events", account: b.cfg.account,
		region: b.cfg.region, time: fire, resources: []string{r.arn}, detail: "{}"}
	ev, _ := appendEvent(make([]byte, 0, env.sizeHint()), &env) // "{}" is valid
	b.dispatch(ctx, &inbound{ev: ev, id: id, entry: -1, kind: kindScheduled, only: r})
}

func (b *Bus) notify(ctx context.Context, n Notice) {
	if b.obs != nil {
		b.obs.Observe(ctx, n)
	}
}

func attrEventID(id string) slog.Attr { return slog.String("event_id", id) }
func attrRule(name string) slog.Attr  { return slog.String("rule", name) }
func attrCode(code string) slog.Attr  { return slog.String("error_code", code) }
func attrErr(msg string) slog.Attr    { return slog.String("error", msg) }
func attrEntry(i int) slog.Attr       { return slog.Int("entry", i) }
