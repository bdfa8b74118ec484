package rules

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of a Bus built without options.
const (
	// DefaultAccount is the account id written into events and rule ARNs:
	// the placeholder account of AWS's documentation.
	DefaultAccount = "123456789012"
	// DefaultRegion is the region written into events and rule ARNs.
	DefaultRegion = "us-east-1"
	// DefaultMaxEventSize is the largest PutEvents entry accepted, in
	// bytes, as EventBridge's long-standing 256 KB limit (EventBridge raised
	// its own to 1 MB in 2026; use WithMaxEventSize(1<<20) to follow).
	DefaultMaxEventSize = 256 * 1024
	// DefaultConcurrency is the number of delivery attempts that may run
	// at once across all targets of a Bus.
	DefaultConcurrency = 100
	// DefaultQueueCapacity is the number of deliveries a Bus holds pending
	// (admitted, not yet delivered or dead-lettered) before PutEvents waits.
	DefaultQueueCapacity = 10_000
	// DefaultConditionCostLimit bounds the work of one evaluation of a
	// rule's Condition, in CEL cost units (about one per operation).
	DefaultConditionCostLimit = 100_000
)

// An Option configures a Bus in [New]. Options can fail: New returns the
// first error, for a nil or out-of-range value or an option given twice.
type Option func(*config) error

type config struct {
	logger        *slog.Logger
	observer      Observer
	account       string
	region        string
	maxEventSize  int
	concurrency   int
	queueCapacity int
	now           func() time.Time
	newID         func() string
	costLimit     uint64
	auditSink     AuditSink
	given         map[string]bool
}

func defaultConfig() config {
	return config{
		logger:        slog.New(slog.DiscardHandler),
		account:       DefaultAccount,
		region:        DefaultRegion,
		maxEventSize:  DefaultMaxEventSize,
		concurrency:   DefaultConcurrency,
		queueCapacity: DefaultQueueCapacity,
		now:           time.Now,
		newID:         newUUID,
		costLimit:     DefaultConditionCostLimit,
		given:         map[string]bool{},
	}
}

// once records that the option name was given, and fails the second time.
func (c *config) once(name string) error {
	if c.given[name] {
		return fmt.Errorf("rules: %s given more than once", name)
	}
	c.given[name] = true
	return nil
}

// WithLogger sets the logger the Bus reports to, with stable keys
// (event_id, rule, target, attempt, error_code, error). It never logs event
// payloads. Each thing is said once, at one level: Debug for events
// received, matched and delivered, delivery attempts and their failures,
// and rejected entries (PutEvents returns them to the caller); Info for
// retries (with the attempt's error and the delay), rule changes and alarm
// transitions; Warn for condition errors, throttled events, failed
// deliveries, dead-lettering and skipped alarm values; Error for panicking
// targets, failed dead-letter writes and failed audit records (see
// [targets.NewLogObserver] for the delivery lines). The default discards
// everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("rules: WithLogger: nil logger")
		}
		if err := c.once("WithLogger"); err != nil {
			return err
		}
		c.logger = l
		return nil
	}
}

// WithObserver sets an Observer that receives a [Notice] for everything
// that happens on the Bus: events received, rejected and throttled, rules
// matched, condition errors, audit records that failed, alarm
// transitions and skipped alarm values, and every delivery notice of the
// targets package. The default observes nothing (Metrics still counts).
func WithObserver(o Observer) Option {
	return func(c *config) error {
		if o == nil {
			return errors.New("rules: WithObserver: nil observer")
		}
		if err := c.once("WithObserver"); err != nil {
			return err
		}
		c.observer = o
		return nil
	}
}

// WithAccount sets the account id written into events ("account") and rule
// ARNs: 12 digits, as AWS account ids are. The default is [DefaultAccount].
func WithAccount(id string) Option {
	return func(c *config) error {
		if len(id) != 12 || !allDigits(id) {
			return fmt.Errorf("rules: WithAccount: %q is not 12 digits", id)
		}
		if err := c.once("WithAccount"); err != nil {
			return err
		}
		c.account = id
		return nil
	}
}

// WithRegion sets the region written into events ("region") and rule ARNs,
// such as "eu-west-1": 1-64 lower-case letters, digits and dashes. The
// default is [DefaultRegion].
func WithRegion(name string) Option {
	return func(c *config) error {
		if !validRegion(name) {
			return fmt.Errorf("rules: WithRegion: %q is not a region name (1-64 of a-z, 0-9 and -)", name)
		}
		if err := c.once("WithRegion"); err != nil {
			return err
		}
		c.region = name
		return nil
	}
}

// WithMaxEventSize sets the largest entry PutEvents accepts, in bytes,
// measured as EventBridge measures it (see [Entry.Size]). n must be
// positive; the default is [DefaultMaxEventSize].
func WithMaxEventSize(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("rules: WithMaxEventSize: %d is not positive", n)
		}
		if err := c.once("WithMaxEventSize"); err != nil {
			return err
		}
		c.maxEventSize = n
		return nil
	}
}

// WithConcurrency sets how many delivery attempts may run at once across
// all targets of the Bus. Deliveries waiting to retry do not count. n must
// be positive; the default is [DefaultConcurrency]. A target's own
// [Target.Concurrency] bounds it further.
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("rules: WithConcurrency: %d is not positive", n)
		}
		if err := c.once("WithConcurrency"); err != nil {
			return err
		}
		c.concurrency = n
		return nil
	}
}

// WithQueueCapacity sets how many deliveries may be pending at once:
// admitted by PutEvents or a schedule and not yet delivered, dead-lettered
// or given up, retries included. When the queue is full, PutEvents waits
// for room (see [Bus.PutEvents]); a waiting PutEvents is woken once an
// eighth of the queue is free (or as much as its event needs), so that a
// producer that outpaces its targets works in bursts rather than waking
// for every freed slot. n must be positive; the default is
// [DefaultQueueCapacity].
func WithQueueCapacity(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("rules: WithQueueCapacity: %d is not positive", n)
		}
		if err := c.once("WithQueueCapacity"); err != nil {
			return err
		}
		c.queueCapacity = n
		return nil
	}
}

// WithClock sets the source of the timestamps the Bus writes into events:
// the "time" of a PutEvents entry that has none. (A scheduled event's time
// is its nominal fire time.) Nothing else reads it: waits, schedules,
// ingestion times and retry ages use package time (which testing/synctest
// fakes). Examples pass a fixed clock to get reproducible output. The
// default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("rules: WithClock: nil func")
		}
		if err := c.once("WithClock"); err != nil {
			return err
		}
		c.now = now
		return nil
	}
}

// WithEventIDs sets the source of event ids. It must be safe for concurrent
// use and return a distinct non-empty string of at most 64 bytes on every
// call; an id that breaks this rule fails the entry with InternalFailure.
// The default returns random (version 4) UUIDs from crypto/rand, as
// EventBridge does. Examples pass a counter to get reproducible output.
func WithEventIDs(newID func() string) Option {
	return func(c *config) error {
		if newID == nil {
			return errors.New("rules: WithEventIDs: nil func")
		}
		if err := c.once("WithEventIDs"); err != nil {
			return err
		}
		c.newID = newID
		return nil
	}
}

// WithConditionCostLimit bounds the work of one evaluation of a rule's
// Condition, in CEL cost units (roughly one per operation, one per element
// visited by a macro). An evaluation that goes over is stopped and counts
// as a condition error: the rule does not match. n must be positive; the
// default is [DefaultConditionCostLimit].
func WithConditionCostLimit(n uint64) Option {
	return func(c *config) error {
		if n == 0 {
			return errors.New("rules: WithConditionCostLimit: 0 is not positive")
		}
		if err := c.once("WithConditionCostLimit"); err != nil {
			return err
		}
		c.costLimit = n
		return nil
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validRegion(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
