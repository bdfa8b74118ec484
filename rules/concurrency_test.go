package rules_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// idSet is a target that records event ids.
type idSet struct {
	mu  sync.Mutex
	ids map[string]int
}

func (s *idSet) Deliver(_ context.Context, d targets.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]int{}
	}
	s.ids[d.EventID]++
	return nil
}

func (s *idSet) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

// ruleState is what a writer announces about a rule: a version number and
// the rule's state, or "changing" while a call is in progress.
type ruleState struct{ v atomic.Int64 }

const (
	stOff = iota
	stOn
	stChanging
)

func (s *ruleState) set(version int64, st int64) { s.v.Store(version*4 + st) }
func (s *ruleState) get() int64                  { return s.v.Load() }

// TestRuleChangesWhileEventsFlow changes rules while producers put events,
// and checks that every change takes effect for the events put after it
// returned: an event put while a rule was stably disabled never reaches
// it, one put while it was stably enabled always does, and one put while
// a pattern was stably "even" reaches the rule exactly when its order is
// even. Other rules are added and deleted meanwhile to churn the snapshot.
func TestRuleChangesWhileEventsFlow(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	flip, ver := &idSet{}, &idSet{}
	mustPutRule(t, b, rules.Rule{Name: "flip", EventPattern: orderPattern})
	mustPutTargets(t, b, "flip", rules.Target{ID: "ids", Target: flip})
	even := `{"source": ["shop"], "detail": {"parity": ["even"]}}`
	odd := `{"source": ["shop"], "detail": {"parity": ["odd"]}}`
	mustPutRule(t, b, rules.Rule{Name: "ver", EventPattern: even})
	mustPutTargets(t, b, "ver", rules.Target{ID: "ids", Target: ver})
	var flipState, verState ruleState
	flipState.set(0, stOn)
	verState.set(0, stOn) // "on" = even, "off" = odd

	stop := make(chan struct{})
	var writers sync.WaitGroup
	writers.Add(1)
	go func() { // the writer
		defer writers.Done()
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			flipState.set(i, stChanging)
			if i%2 == 1 {
				_ = b.DisableRule(ctx, "flip")
				flipState.set(i, stOff)
			} else {
				_ = b.EnableRule(ctx, "flip")
				flipState.set(i, stOn)
			}
			verState.set(i, stChanging)
			if i%2 == 1 {
				mustPutRule(t, b, rules.Rule{Name: "ver", EventPattern: odd})
				verState.set(i, stOff)
			} else {
				mustPutRule(t, b, rules.Rule{Name: "ver", EventPattern: even})
				verState.set(i, stOn)
			}
			name := fmt.Sprintf("churn-%d", i%7)
			if _, err := b.DescribeRule(name); err == nil {
				_ = b.DeleteRule(ctx, name, true)
			} else {
				mustPutRule(t, b, rules.Rule{Name: name, EventPattern: orderPattern})
				mustPutTargets(t, b, name, rules.Target{ID: "x", Target: &idSet{}})
			}
		}
	}()

	type expectation struct {
		id        string
		flip, ver int // 1: must be delivered, 0: must not, -1: either
	}
	const producers, perProducer = 4, 150
	results := make([][]expectation, producers)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range perProducer {
				parity := []string{"even", "odd"}[n%2]
				f0, v0 := flipState.get(), verState.get()
				res, err := b.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order Placed",
					Detail: fmt.Sprintf(`{"parity": %q, "p": %d, "n": %d}`, parity, p, n)})
				f1, v1 := flipState.get(), verState.get()
				if err != nil || res.FailedEntryCount != 0 {
					t.Errorf("PutEvents: %v %+v", err, res)
					return
				}
				e := expectation{id: res.Entries[0].EventID, flip: -1, ver: -1}
				if f0 == f1 && f0%4 != stChanging {
					e.flip = int(f0 % 4) // stOn = 1: delivered; stOff = 0: not
				}
				if v0 == v1 && v0%4 != stChanging {
					evenNow := v0%4 == stOn
					if (parity == "even") == evenNow {
						e.ver = 1
					} else {
						e.ver = 0
					}
				}
				results[p] = append(results[p], e)
			}
		}()
	}
	wg.Wait()
	close(stop)
	writers.Wait()
	flush(t, b)

	var checked, stable int
	for _, rs := range results {
		for _, e := range rs {
			checked++
			if e.flip >= 0 {
				stable++
				if got := flip.count(e.id); got != e.flip {
					t.Errorf("event %s reached flip %d times, want %d", e.id, got, e.flip)
				}
			}
			if e.ver >= 0 {
				stable++
				if got := ver.count(e.id); got != e.ver {
					t.Errorf("event %s reached ver %d times, want %d", e.id, got, e.ver)
				}
			}
			if flip.count(e.id) > 1 || ver.count(e.id) > 1 {
				t.Errorf("event %s delivered more than once", e.id)
			}
		}
	}
	t.Logf("%d events, %d checks against a stable rule state", checked, stable)
	if checked != producers*perProducer || stable == 0 {
		t.Errorf("checked %d events, %d stable", checked, stable)
	}
	m := b.Metrics()
	if m.Invocations != m.SuccessfulInvocationAttempts || m.PendingDeliveries != 0 || m.Events != producers*perProducer {
		t.Errorf("metrics %+v", m)
	}
}
