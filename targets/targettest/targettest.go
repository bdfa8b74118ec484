// Package targettest is a conformance suite for implementations of
// [targets.Target]. Run it from a test of your own target:
//
//	func TestConformance(t *testing.T) {
//		targettest.Run(t, targettest.Harness{
//			New:      func(t *testing.T) targets.Target { return newMyTarget(t) },
//			Received: func(t *testing.T, tg targets.Target) [][]byte { return tg.(*myTarget).bodies() },
//		})
//	}
//
// The suite checks the parts of the Target contract that can be observed
// from outside: every delivery that returns nil is received exactly once
// (none lost, none duplicated), sequentially and from many goroutines at
// once; Deliver returns promptly for a cancelled context (within
// [Harness].CancelWait), and a delivery it accepts anyway still arrives;
// and, for targets that are io.Closers, Close is idempotent and a Deliver
// after it either fails or still arrives. Run it with -race.
package targettest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// Harness describes the target under test. The suite calls New and
// Received from the test's goroutine, Received only once the deliveries it
// checks have returned; the targets New returns must be safe for
// concurrent use, as every Target must.
type Harness struct {
	// New returns a fresh target. The suite closes it at the end of each
	// check if it is an io.Closer. Required.
	New func(t *testing.T) targets.Target
	// Received returns every payload tg has accepted so far, in any order
	// (cumulative: a payload once returned is returned again by later
	// calls). Payloads are compared as JSON, so a target may reformat
	// them. Required.
	Received func(t *testing.T, tg targets.Target) [][]byte
	// Ordered says the target keeps the order of deliveries made one after
	// another, so Received lists them in that order.
	Ordered bool
	// CancelWait bounds how long Deliver may take to return for a context
	// that is already cancelled; 0 means DefaultCancelWait. A Deliver still
	// running then fails the check (and its goroutine is left behind).
	CancelWait time.Duration
}

// DefaultCancelWait is the CancelWait of a zero [Harness]: generous, since
// the suite runs on shared, noisy machines; a target that honours its
// context returns far sooner.
const DefaultCancelWait = 5 * time.Second

// Run runs every check as a subtest and logs how many ran and passed.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil || h.Received == nil {
		t.Fatal("targettest: Harness.New and Harness.Received are required")
	}
	checks := []struct {
		name string
		run  func(t *testing.T, h Harness) (skipped bool)
	}{
		{"DeliverOne", deliverOne},
		{"Sequential", sequential},
		{"Concurrent", concurrent},
		{"CanceledContext", canceledContext},
		{"Close", closeCheck},
	}
	passed, skipped := 0, 0
	for _, c := range checks {
		var skip bool
		if t.Run(c.name, func(t *testing.T) { skip = c.run(t, h) }) {
			if skip {
				skipped++
			} else {
				passed++
			}
		}
	}
	t.Logf("targettest: %d checks run, %d passed, %d not applicable", len(checks), passed, skipped)
}

func newTarget(t *testing.T, h Harness) targets.Target {
	t.Helper()
	tg := h.New(t)
	if tg == nil {
		t.Fatal("Harness.New returned nil")
	}
	if c, ok := tg.(io.Closer); ok {
		t.Cleanup(func() { _ = c.Close() })
	}
	return tg
}

func payload(n int) []byte { return fmt.Appendf(nil, `{"n": %d, "s": "message %d"}`, n, n) }

func delivery(n int) targets.Delivery {
	p := payload(n)
	return targets.Delivery{
		Payload: p, Event: p, EventID: fmt.Sprintf("event-%d", n),
		RuleName: "conformance", TargetID: "target", Attempt: 1,
	}
}

func canonical(t *testing.T, p []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, p); err != nil {
		t.Fatalf("received payload is not JSON: %q", p)
	}
	return buf.String()
}

// checkExactlyOnce fails unless the received payloads are exactly the
// delivered ones, each once (in order when ordered is true).
func checkExactlyOnce(t *testing.T, h Harness, tg targets.Target, delivered []int, ordered bool) {
	t.Helper()
	got := h.Received(t, tg)
	want := map[string]int{}
	var wantOrder []string
	for _, n := range delivered {
		c := canonical(t, payload(n))
		want[c]++
		wantOrder = append(wantOrder, c)
	}
	seen := map[string]int{}
	var gotOrder []string
	for _, p := range got {
		c := canonical(t, p)
		seen[c]++
		gotOrder = append(gotOrder, c)
	}
	for c, n := range want {
		switch {
		case seen[c] == 0:
			t.Errorf("lost: %s was delivered (nil error) but never received", c)
		case seen[c] > n:
			t.Errorf("duplicated: %s received %d times", c, seen[c])
		}
	}
	for c := range seen {
		if want[c] == 0 {
			t.Errorf("received %s, which no successful Deliver sent", c)
		}
	}
	if ordered && !t.Failed() {
		for i := range wantOrder {
			if gotOrder[i] != wantOrder[i] {
				t.Errorf("order: received #%d is %s, want %s", i, gotOrder[i], wantOrder[i])
				break
			}
		}
	}
}

func deliverOne(t *testing.T, h Harness) bool {
	tg := newTarget(t, h)
	if err := tg.Deliver(context.Background(), delivery(1)); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	checkExactlyOnce(t, h, tg, []int{1}, false)
	return false
}

func sequential(t *testing.T, h Harness) bool {
	tg := newTarget(t, h)
	var sent []int
	for n := range 20 {
		if err := tg.Deliver(context.Background(), delivery(n)); err != nil {
			t.Fatalf("Deliver #%d: %v", n, err)
		}
		sent = append(sent, n)
	}
	checkExactlyOnce(t, h, tg, sent, h.Ordered)
	return false
}

func concurrent(t *testing.T, h Harness) bool {
	tg := newTarget(t, h)
	const workers, each = 8, 25
	var (
		mu   sync.Mutex
		sent []int
		wg   sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				n := 1000 + w*each + i
				err := tg.Deliver(context.Background(), delivery(n))
				if err != nil {
					t.Errorf("Deliver #%d: %v", n, err)
					continue
				}
				mu.Lock()
				sent = append(sent, n)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	checkExactlyOnce(t, h, tg, sent, false)
	return false
}

func canceledContext(t *testing.T, h Harness) bool {
	tg := newTarget(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wait := h.CancelWait
	if wait <= 0 {
		wait = DefaultCancelWait
	}
	done := make(chan error, 1)
	go func() { done <- tg.Deliver(ctx, delivery(7)) }()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		t.Fatalf("Deliver did not return within %v for a cancelled context: a Target must return promptly once ctx is done", wait)
	}
	var sent []int
	if err == nil {
		sent = append(sent, 7) // accepted despite the cancelled context: it must arrive
	}
	checkExactlyOnce(t, h, tg, sent, false)
	return false
}

func closeCheck(t *testing.T, h Harness) bool {
	tg := h.New(t)
	c, ok := tg.(io.Closer)
	if !ok {
		t.Log("the target is not an io.Closer: nothing to check")
		return true
	}
	if err := tg.Deliver(context.Background(), delivery(1)); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	sent := []int{1}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v (want idempotent)", err)
	}
	if err := tg.Deliver(context.Background(), delivery(2)); err == nil {
		sent = append(sent, 2) // accepted after Close: it must arrive
	}
	checkExactlyOnce(t, h, tg, sent, false)
	return false
}
