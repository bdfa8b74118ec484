package targets

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// DefaultQueueCapacity is the capacity of a Queue whose config leaves it 0.
const DefaultQueueCapacity = 1024

// Queue errors.
var (
	// ErrQueueClosed: Deliver after Close (a permanent NO_RESOURCE
	// failure), or Receive on a closed queue that has nothing left.
	ErrQueueClosed = errors.New("targets: queue closed")
	// ErrQueueFull: Deliver to a full queue whose policy is RejectWhenFull
	// (a retryable THROTTLING failure).
	ErrQueueFull = errors.New("targets: queue full")
	// ErrSettled: Ack or Nack of a message already acked or nacked.
	ErrSettled = errors.New("targets: message already acked or nacked")
)

// FullPolicy says what Deliver does when a [Queue] is full.
type FullPolicy int

const (
	// BlockWhenFull makes Deliver wait for room, or for its context to be
	// done. Producers slow down to the consumers' pace; give the delivery
	// a Timeout (it then fails with TIMEOUT and is retried) to bound the
	// wait. The default.
	BlockWhenFull FullPolicy = iota
	// RejectWhenFull makes Deliver fail at once with a retryable
	// THROTTLING error wrapping ErrQueueFull, so the retry policy paces it.
	RejectWhenFull
)

// QueueConfig configures a [Queue]. The zero value is a blocking queue of
// DefaultQueueCapacity.
type QueueConfig struct {
	// Capacity bounds the messages queued plus those received but not yet
	// acked or nacked, so a Nack always has room. 0 means
	// DefaultQueueCapacity.
	Capacity int
	WhenFull FullPolicy
}

// Queue is an in-memory, bounded, first-in first-out queue target that a
// consumer reads with Receive. A received message must be settled: Ack
// removes it, Nack puts it back at the head of the queue for the next
// Receive. A message that is never settled stays in flight and holds its
// place in the capacity (there is no visibility timeout).
//
// The queue holds events in memory only: they do not survive the process.
// All methods are safe for concurrent use; Queue starts no goroutines.
type Queue struct {
	capacity int
	policy   FullPolicy

	mu       sync.Mutex
	items    []*queued // queued messages, head first
	inFlight int
	closed   bool
	changed  chan struct{} // closed and replaced on every change
	receipts uint64
}

type queued struct {
	d        Delivery
	receives int
	receipt  uint64 // of the current receive; 0 while queued
}

// Message is one received delivery. Its fields are a snapshot owned by the
// receiver; Ack or Nack it exactly once, from any goroutine (the Queue
// serializes settling with its other calls).
type Message struct {
	Delivery Delivery
	// Receives counts how many times the message was received, this time
	// included (1 on the first).
	Receives int

	q       *Queue
	it      *queued
	receipt uint64
}

// NewQueue returns an empty queue.
func NewQueue(c QueueConfig) (*Queue, error) {
	if c.Capacity < 0 {
		return nil, &ConfigError{Field: "QueueConfig.Capacity", Reason: fmt.Sprintf("%d is negative", c.Capacity)}
	}
	if c.WhenFull != BlockWhenFull && c.WhenFull != RejectWhenFull {
		return nil, &ConfigError{Field: "QueueConfig.WhenFull", Reason: fmt.Sprintf("unknown policy %d", c.WhenFull)}
	}
	if c.Capacity == 0 {
		c.Capacity = DefaultQueueCapacity
	}
	return &Queue{capacity: c.Capacity, policy: c.WhenFull, changed: make(chan struct{})}, nil
}

// broadcast wakes every waiter; q.mu must be held.
func (q *Queue) broadcast() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// Deliver appends d to the queue. When the queue is full it waits or
// fails, as the FullPolicy says; when ctx is done first it returns ctx's
// error and the delivery is not queued. After Close it fails permanently.
func (q *Queue) Deliver(ctx context.Context, d Delivery) error {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return &Error{Code: CodeNoResource, Permanent: true, Err: ErrQueueClosed}
		}
		if len(q.items)+q.inFlight < q.capacity {
			q.items = append(q.items, &queued{d: d})
			q.broadcast()
			q.mu.Unlock()
			return nil
		}
		if q.policy == RejectWhenFull {
			q.mu.Unlock()
			return &Error{Code: CodeThrottling, Err: ErrQueueFull}
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// Receive returns the message at the head of the queue, waiting for one
// if the queue is empty. It returns ctx's error when ctx is done first,
// and ErrQueueClosed once the queue is closed and empty.
func (q *Queue) Receive(ctx context.Context) (*Message, error) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			it := q.items[0]
			q.items[0] = nil
			q.items = q.items[1:]
			q.inFlight++
			q.receipts++
			it.receives++
			it.receipt = q.receipts
			q.mu.Unlock()
			return &Message{Delivery: it.d, Receives: it.receives, q: q, it: it, receipt: it.receipt}, nil
		}
		if q.closed {
			q.mu.Unlock()
			return nil, ErrQueueClosed
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// Ack removes the message for good, freeing its place.
func (m *Message) Ack() error { return m.settle(false) }

// Nack returns the message to the head of the queue, to be received again.
// It works on a closed queue too, so nothing received is lost by closing.
func (m *Message) Nack() error { return m.settle(true) }

func (m *Message) settle(requeue bool) error {
	q := m.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if m.it.receipt != m.receipt || m.receipt == 0 {
		return ErrSettled
	}
	m.it.receipt = 0
	q.inFlight--
	if requeue {
		q.items = append(q.items, nil)
		copy(q.items[1:], q.items)
		q.items[0] = m.it
	}
	q.broadcast()
	return nil
}

// Len returns the number of messages queued, not counting those in flight.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// InFlight returns the number of messages received but not yet settled.
func (q *Queue) InFlight() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.inFlight
}

// Close stops the queue taking deliveries: later ones fail permanently
// (and so go to a dead-letter target) and blocked ones wake up and fail.
// Consumers keep receiving what is queued, and nacked messages still come
// back, until the queue is empty. Close is idempotent and returns nil.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.broadcast()
	}
	return nil
}
