package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"cel.dev/cel-go/cel"

	"github.com/rulebridge/rulebridge/pattern"
	"github.com/rulebridge/rulebridge/schedule"
	"github.com/rulebridge/rulebridge/targets"
)

// Bus is an event bus with rules, as an EventBridge event bus: rules match
// the events put on it (or fire on schedules) and deliver them to their
// targets.
//
// A Bus is safe for concurrent use by multiple goroutines. Management calls
// (PutRule, PutTargets, ...) are serialized; PutEvents never waits for
// them, nor they for it: matching reads an immutable snapshot of the rules,
// so a change takes effect for the events put after the call returns, and
// an event matched while a rule changes sees that rule wholly before or
// wholly after the change.
//
// A Bus owns goroutines: one schedule loop, one per schedule run, one per
// pending delivery (a delivery's goroutine, once done, waits for the next;
// up to 64 wait so), and one per alarm timer while it fires
// (time.AfterFunc).
// [Bus.Close] stops them all; a Bus that is not closed leaks them. Create
// one with [New]; the zero Bus is not usable.
type Bus struct {
	cfg       config
	log       *slog.Logger
	obs       Observer // nil: none
	arnPrefix string   // "arn:aws:events:<region>:<account>:rule/"

	mu      sync.Mutex           // serializes management calls
	rules   map[string]*ruleSlot // by name; guarded by mu
	lastGen uint64               // guarded by mu
	celEnv  *cel.Env             // built on first use; guarded by mu

	// What a management call does once it has released mu: audit records
	// of the alarm changes it made, and alarm transitions to announce.
	// Guarded by mu.
	pendingAudits      []pendingAudit
	pendingTransitions []*transition

	alarmTicks sync.WaitGroup // alarm timer callbacks at work; Close waits for them

	snap    atomic.Pointer[table] // what matching reads
	matcher *pattern.Matcher
	sched   *schedule.Scheduler

	sem         *admission // pending deliveries
	capacity    int64
	perAttempt  targets.Middleware // the bus-wide attempt limit
	deliveryObs *deliveryObserver  // each target's observer is a copy, with its rule's counters

	genMu        sync.RWMutex // guards cur and intakeClosed
	cur          *generation
	intakeClosed bool

	closed        atomic.Bool
	closingCtx    context.Context // cancelled when Close begins
	cancelClosing context.CancelFunc
	runCtx        context.Context // deliveries' context; cancelled when Close gives up waiting
	cancelRun     context.CancelFunc
	closeOnce     sync.Once // later Close calls wait in Do for the first
	closeErr      error

	// Delivery workers (see start): an idle worker waits on handoff
	// until Close closes it, once every delivery has settled.
	handoff     chan delivery // buffered: maxIdleWorkers
	idleWorkers atomic.Int32
	workers     sync.WaitGroup

	counters counters
}

// table is the immutable rule snapshot matching reads: the current version
// of every enabled rule with an event pattern, by matcher key.
type table struct {
	byKey map[string]*rule
}

// New returns a Bus with no rules, configured by opts (see [Option]); its
// schedule loop is running. Close it when done.
func New(opts ...Option) (*Bus, error) {
	c := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("rules: nil Option")
		}
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	sched, err := schedule.NewScheduler(schedule.WithLogger(c.logger))
	if err != nil {
		return nil, err
	}
	b := &Bus{
		cfg:        c,
		log:        c.logger,
		obs:        c.observer,
		arnPrefix:  "arn:aws:events:" + c.region + ":" + c.account + ":rule/",
		rules:      map[string]*ruleSlot{},
		matcher:    pattern.NewMatcher(),
		sched:      sched,
		sem:        newAdmission(int64(c.queueCapacity)),
		capacity:   int64(c.queueCapacity),
		perAttempt: targets.Concurrency(c.concurrency),
		cur:        newGeneration(1),
		handoff:    make(chan delivery, maxIdleWorkers),
	}
	b.snap.Store(&table{byKey: map[string]*rule{}})
	b.closingCtx, b.cancelClosing = context.WithCancel(context.Background())
	b.runCtx, b.cancelRun = context.WithCancel(context.Background())
	do := &deliveryObserver{c: &b.counters, obs: b.obs}
	if c.logger.Handler() != slog.DiscardHandler {
		do.log = targets.NewLogObserver(c.logger)
	}
	b.deliveryObs = do
	sched.Start()
	return b, nil
}

// Account returns the account id the Bus writes into events and ARNs.
func (b *Bus) Account() string { return b.cfg.account }

// Region returns the region the Bus writes into events and ARNs.
func (b *Bus) Region() string { return b.cfg.region }

// RuleARN returns the ARN a rule of that name has on this Bus:
// arn:aws:events:<region>:<account>:rule/<name>.
func (b *Bus) RuleARN(name string) string { return b.arnPrefix + name }

// call describes one management call, for logging and auditing.
type call struct {
	name   string // "PutRule", "DeleteRule", ...
	rule   string
	params any // the request parameters of its audit record (see audit.go)
}

// manage runs one management call. Every call that changes rules or
// targets passes through here: it is serialized by b.mu, refused after
// Close, logged with its outcome, and audited: once b.mu is released, its
// audit record is written (then those of the alarm changes it made), and
// the alarm transitions it caused are announced, before it returns. A call
// refused because the Bus is closed is not audited: it changed nothing,
// and the Bus can take no event.
func (b *Bus) manage(ctx context.Context, c call, fn func() error) error {
	b.mu.Lock()
	if b.closed.Load() {
		b.mu.Unlock()
		b.log.LogAttrs(ctx, slog.LevelInfo, "management call failed",
			slog.String("call", c.name), slog.String("rule", c.rule), slog.String("error", ErrClosed.Error()))
		return ErrClosed
	}
	err := fn()
	audits, trs := b.pendingAudits, b.pendingTransitions
	b.pendingAudits, b.pendingTransitions = nil, nil
	b.mu.Unlock()
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelInfo, "management call failed",
			slog.String("call", c.name), slog.String("rule", c.rule), slog.String("error", err.Error()))
	} else {
		b.log.LogAttrs(ctx, slog.LevelInfo, "management call",
			slog.String("call", c.name), slog.String("rule", c.rule))
	}
	b.audit(ctx, c.name, c.rule, c.params, err)
	for _, a := range audits {
		b.audit(ctx, a.name, a.rule, a.params, nil)
	}
	for _, tr := range trs {
		b.emitAlarm(ctx, tr)
	}
	return err
}

// publish makes nr the current version of a rule whose previous version
// was old (nil for a new rule; nr nil for a deleted one): it updates the
// matcher, the snapshot, the schedule and the rule's slot. Called with
// b.mu held.
//
// The order keeps every event consistent: a new matcher key is added before
// the snapshot that maps it is stored, and an old one is deleted after, so
// a Match sees keys that its snapshot, or the next one, knows (see match).
func (b *Bus) publish(slot *ruleSlot, old, nr *rule) error {
	oldIn, newIn := old.inMatcher(), nr.inMatcher()
	sameKey := oldIn && newIn && old.key == nr.key
	if newIn && !sameKey {
		if err := b.matcher.AddPattern(nr.key, nr.pat); err != nil {
			return err
		}
	}
	if oldIn || newIn {
		m := maps.Clone(b.snap.Load().byKey)
		if oldIn {
			delete(m, old.key)
		}
		if newIn {
			m[nr.key] = nr
		}
		b.snap.Store(&table{byKey: m})
	}
	if oldIn && !sameKey {
		b.matcher.Delete(old.key)
	}
	slot.cur.Store(nr)

	oldS, newS := old.scheduled(), nr.scheduled()
	changed := oldS && newS && (old.spec.ScheduleExpression != nr.spec.ScheduleExpression ||
		old.spec.ScheduleExpressionTimezone != nr.spec.ScheduleExpressionTimezone)
	if oldS && (!newS || changed) {
		b.sched.RemoveByName(old.spec.Name)
	}
	if newS && (!oldS || changed) {
		// Each job of the Scheduler has its own anchor, so a rate(...)
		// counts from now even if an earlier version used nr.sched.
		if _, err := b.sched.Add(nr.spec.Name, nr.sched, func(ctx context.Context) { b.fireScheduled(ctx, slot) }); err != nil {
			return err
		}
	}
	return nil
}

// Flush waits until every delivery admitted before the call has settled:
// delivered, dead-lettered, or failed and reported. Deliveries admitted
// meanwhile are not waited for. It returns nil when they have settled, or
// ctx's error if ctx ends first (the deliveries go on). Flush does not stop
// anything; use it to wait for the effects of the events put so far, as a
// command does at the end of its input.
func (b *Bus) Flush(ctx context.Context) error {
	b.genMu.Lock()
	old := b.cur
	if !b.intakeClosed {
		nw := newGeneration(2) // its own hold, and one released when old is done
		old.next = nw
		b.cur = nw
		b.genMu.Unlock()
		old.release()
	} else {
		b.genMu.Unlock()
	}
	select {
	case <-old.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("rules: flush: %w", context.Cause(ctx))
	}
}

// Close shuts the Bus down. It stops intake at once (PutEvents,
// PutRawEvents and the calls that change rules or targets fail with
// [ErrClosed]; PutEvents calls waiting for room give their remaining
// entries InternalFailure; DescribeRule, ListRules, ListTargetsByRule,
// Flush and Metrics keep working), stops the schedules, and waits for
// every pending delivery, retries included, to settle.
//
// If ctx ends first, Close interrupts the deliveries still pending: a
// delivery waiting to retry or in an attempt is stopped with the targets
// package's INTERRUPTED code and dead-lettered (the dead-letter write is
// not interrupted; it is bounded by targets.DeadLetterTimeout), or, for a
// target without a dead-letter target, reported as failed to the observer,
// the log and Metrics. Close then waits for those deliveries to return
// (targets must honour their context) and returns an error that wraps ctx's
// and counts them. Nothing is dropped without a trace.
//
// Close returns nil when everything settled in time. Later calls wait for
// the first to finish and return its result. Close does not close the
// targets: close those that hold resources (files, connections) after it.
// The counters stay readable through Metrics.
func (b *Bus) Close(ctx context.Context) error {
	b.closeOnce.Do(func() { b.closeErr = b.close(ctx) })
	return b.closeErr
}

func (b *Bus) close(ctx context.Context) error {
	b.mu.Lock()
	b.closed.Store(true)
	for _, slot := range b.rules {
		if a := slot.cur.Load().alarm; a != nil {
			a.stop()
		}
	}
	b.mu.Unlock()
	b.cancelClosing()
	b.alarmTicks.Wait() // their announcements stop waiting for room at cancelClosing
	serr := b.sched.Stop(ctx)

	b.genMu.Lock()
	b.intakeClosed = true
	g := b.cur
	b.genMu.Unlock()
	g.release()

	var err error
	select {
	case <-g.done:
	case <-ctx.Done():
		b.cancelRun()
		<-g.done
		err = fmt.Errorf("rules: close: %w: %d deliveries were interrupted (dead-lettered with code INTERRUPTED, or reported failed)",
			context.Cause(ctx), b.counters.interrupted.Load())
	}
	b.cancelRun()
	// Every delivery has settled, and none can be admitted any more: stop
	// the idle workers.
	close(b.handoff)
	b.workers.Wait()
	if serr != nil {
		// ctx ended before the schedule runs returned; they return
		// promptly now that intake is closed, so wait for them, to leave
		// no goroutine behind.
		_ = b.sched.Stop(context.Background())
		if err == nil {
			err = serr
		}
	}
	return err
}

// generation counts the deliveries admitted between two Flush calls. It is
// done when they have all settled and the generation before it is done;
// Flush waits for the generation current at its call.
type generation struct {
	n    atomic.Int64  // pending deliveries + holds
	done chan struct{} // closed at zero
	next *generation   // set (under genMu) before the current hold is released
}

func newGeneration(holds int64) *generation {
	g := &generation{done: make(chan struct{})}
	g.n.Store(holds)
	return g
}

func (g *generation) add(k int) { g.n.Add(int64(k)) }

func (g *generation) release() {
	if g.n.Add(-1) == 0 {
		close(g.done)
		if g.next != nil {
			g.next.release()
		}
	}
}

// now returns the clock's time, for timestamps written into events.
func (b *Bus) now() time.Time { return b.cfg.now() }
