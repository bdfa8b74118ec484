package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
	"github.com/rulebridge/rulebridge/targets"
)

// job is one delivery to make: a target of a matched rule.
type job struct {
	r *rule
	t *target
}

// scratch holds the per-event buffers of dispatch, pooled.
type scratch struct {
	keys  []string
	rules []*rule
	jobs  []job
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (s *scratch) reset() {
	clear(s.keys)
	clear(s.rules)
	clear(s.jobs)
	s.keys, s.rules, s.jobs = s.keys[:0], s.rules[:0], s.jobs[:0]
}

// dispatch matches an accepted event and admits its deliveries. entry is
// the index in a PutEvents call, or -1 for a scheduled event, which goes
// to the rule only (single) instead of through the matcher. It returns a
// PutEvents error code and message when the deliveries were not admitted.
func (b *Bus) dispatch(ctx context.Context, ev []byte, id string, entry int, single *rule) (code, msg string) {
	ingested := time.Now()
	b.counters.events.Add(1)
	if b.log.Enabled(ctx, slog.LevelDebug) {
		b.log.LogAttrs(ctx, slog.LevelDebug, "event received", attrEventID(id), attrEntry(entry))
	}
	b.notify(ctx, Notice{Kind: EventReceived, EventID: id, Entry: entry})

	sc := scratchPool.Get().(*scratch)
	defer func() { sc.reset(); scratchPool.Put(sc) }()
	if single != nil {
		sc.rules = append(sc.rules, single)
	} else {
		b.match(ev, sc)
	}
	var decoded map[string]any
	matched := false
	for _, r := range sc.rules {
		if r.cond != nil {
			ok, err := r.cond.eval(ev, &decoded)
			if err != nil {
				b.counters.condErrors.Add(1)
				b.log.LogAttrs(ctx, slog.LevelWarn, "condition failed", attrEventID(id), attrRule(r.spec.Name), attrErr(err.Error()))
				b.notify(ctx, Notice{Kind: ConditionFailed, EventID: id, Rule: r.spec.Name, Entry: entry, Err: err})
				continue
			}
			if !ok {
				continue
			}
		}
		matched = true
		b.counters.triggered.Add(1)
		if b.log.Enabled(ctx, slog.LevelDebug) {
			b.log.LogAttrs(ctx, slog.LevelDebug, "rule matched", attrEventID(id), attrRule(r.spec.Name))
		}
		b.notify(ctx, Notice{Kind: RuleMatched, EventID: id, Rule: r.spec.Name, Entry: entry})
		for _, t := range r.targets {
			sc.jobs = append(sc.jobs, job{r, t})
		}
	}
	if matched {
		b.counters.matched.Add(1)
	}
	if len(sc.jobs) == 0 {
		return "", ""
	}
	g, w, err := b.admit(ctx, len(sc.jobs))
	if err != nil {
		code = ThrottlingException
		if errors.Is(err, ErrClosed) {
			code = InternalFailure
		}
		msg = fmt.Sprintf("The event's %d deliveries found no room in the queue (capacity %d): %v.", len(sc.jobs), b.capacity, err)
		var rule string
		if single != nil {
			b.counters.schedThrottled.Add(1)
			rule = single.spec.Name
		}
		b.log.LogAttrs(ctx, slog.LevelWarn, "event throttled", attrEventID(id), attrEntry(entry), attrCode(code), attrErr(msg))
		b.notify(ctx, Notice{Kind: EventThrottled, EventID: id, Rule: rule, Entry: entry, Code: code, Err: err})
		return code, msg
	}
	for i, j := range sc.jobs {
		d := targets.Delivery{Payload: ev, Event: ev, EventID: id, RuleName: j.r.spec.Name, RuleARN: j.r.arn,
			TargetID: j.t.spec.ID, IngestionTime: ingested}
		go b.deliver(j.t.deliver, d, g, int64(i) < w)
	}
	return "", ""
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
	b.counters.pending.Add(int64(n))
	b.genMu.RUnlock()
	return g, w, nil
}

// deliver runs one delivery on its own goroutine. Its outcome reaches the
// observers through the notices of the targets package; the error it
// returns (a failure without a dead-letter target, or a failed dead-letter
// write) has been reported there already.
func (b *Bus) deliver(t targets.Target, d targets.Delivery, g *generation, holds bool) {
	_ = t.Deliver(b.runCtx, d)
	b.counters.pending.Add(-1)
	if holds {
		b.sem.release(1)
	}
	g.release()
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
	b.dispatch(ctx, ev, id, -1, r)
}

func (b *Bus) notify(ctx context.Context, n Notice) {
	if b.obs != nil {
		b.obs.Observe(ctx, n)
	}
}

const slogInfo = slog.LevelInfo

func attrEventID(id string) slog.Attr { return slog.String("event_id", id) }
func attrRule(name string) slog.Attr  { return slog.String("rule", name) }
func attrCode(code string) slog.Attr  { return slog.String("error_code", code) }
func attrErr(msg string) slog.Attr    { return slog.String("error", msg) }
func attrEntry(i int) slog.Attr       { return slog.Int("entry", i) }
