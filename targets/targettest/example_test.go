package targettest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/rulebridge/rulebridge/targets"
	"github.com/rulebridge/rulebridge/targets/targettest"
)

// store is a target under test: it keeps the payload of every delivery
// it accepts, and refuses deliveries whose context is done.
type store struct {
	mu  sync.Mutex
	got [][]byte
}

func (s *store) Deliver(ctx context.Context, d targets.Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, d.Payload)
	return nil
}

func (s *store) payloads() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.got...)
}

// A Harness says how to make a fresh target and how to read back what it
// accepted. In a test of the target, hand it to Run:
//
//	func TestStoreConforms(t *testing.T) {
//		targettest.Run(t, harness)
//	}
//
// Run then delivers to fresh targets, one by one, from many goroutines and
// with a cancelled context, and fails the test for every payload lost,
// duplicated, altered or reordered. Here the harness's two functions are
// called as the suite calls them (this New and Received ignore their t).
func ExampleHarness() {
	harness := targettest.Harness{
		New:      func(*testing.T) targets.Target { return &store{} },
		Received: func(_ *testing.T, tg targets.Target) [][]byte { return tg.(*store).payloads() },
		Ordered:  true, // deliveries made one after another are kept in order
	}

	tg := harness.New(nil)
	for n := range 2 {
		p := fmt.Appendf(nil, `{"n":%d}`, n)
		if err := tg.Deliver(context.Background(), targets.Delivery{Payload: p, Event: p}); err != nil {
			panic(err)
		}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	fmt.Println("cancelled:", tg.Deliver(cancelled, targets.Delivery{Payload: []byte(`{"n":2}`)}))
	for _, p := range harness.Received(nil, tg) {
		fmt.Println(string(p))
	}
	// Output:
	// cancelled: context canceled
	// {"n":0}
	// {"n":1}
}
