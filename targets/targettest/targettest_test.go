package targettest_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rulebridge/rulebridge/targets"
	"github.com/rulebridge/rulebridge/targets/targettest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// memory is a Func target's store: the payloads it accepted, under a lock.
type memory struct {
	mu  sync.Mutex
	got [][]byte
}

func (m *memory) add(p []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, p)
}

func (m *memory) all() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.got...)
}

// funcTarget is a targets.Func that honours its context and keeps what it
// accepts in mem.
type funcTarget struct {
	targets.Func
	mem *memory
}

func newFuncTarget() funcTarget {
	mem := &memory{}
	return funcTarget{targets.Func(func(ctx context.Context, d targets.Delivery) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		mem.add(d.Payload)
		return nil
	}), mem}
}

func funcHarness() targettest.Harness {
	return targettest.Harness{
		New:      func(t *testing.T) targets.Target { return newFuncTarget() },
		Received: func(t *testing.T, tg targets.Target) [][]byte { return tg.(funcTarget).mem.all() },
		Ordered:  true,
	}
}

// drainedQueue is a Queue with the payloads Received has taken from it.
type drainedQueue struct {
	*targets.Queue
	mem *memory
}

func queueHarness() targettest.Harness {
	return targettest.Harness{
		New: func(t *testing.T) targets.Target {
			q, err := targets.NewQueue(targets.QueueConfig{Capacity: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return drainedQueue{q, &memory{}}
		},
		Received: func(t *testing.T, tg targets.Target) [][]byte {
			q := tg.(drainedQueue)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // Receive returns what is queued, then the context's error
			for {
				m, err := q.Receive(ctx)
				if err != nil {
					break
				}
				q.mem.add(m.Delivery.Payload)
				if err := m.Ack(); err != nil {
					t.Fatal(err)
				}
			}
			return q.mem.all()
		},
		Ordered: true,
	}
}

func fileHarness() targettest.Harness {
	return targettest.Harness{
		New: func(t *testing.T) targets.Target {
			f, err := targets.NewFile(filepath.Join(t.TempDir(), "out.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
		Received: func(t *testing.T, tg targets.Target) [][]byte {
			data, err := os.ReadFile(tg.(*targets.File).Name())
			if err != nil {
				t.Fatal(err)
			}
			var out [][]byte
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				out = append(out, bytes.Clone(sc.Bytes()))
			}
			return out
		},
		Ordered: true,
	}
}

// TestBuiltinTargetsConform runs the suite against the built-in Func,
// Queue and File targets: each must pass every check that applies.
func TestBuiltinTargetsConform(t *testing.T) {
	for name, h := range map[string]targettest.Harness{"Func": funcHarness(), "Queue": queueHarness(), "File": fileHarness()} {
		t.Run(name, func(t *testing.T) { targettest.Run(t, h) })
	}
}

// broken targets, each violating one part of the Target contract. The
// suite runs against them in a child process (Run takes a *testing.T,
// which a test cannot fake), and must fail there with the message given.
var broken = map[string]struct {
	deliver func(ctx context.Context, d targets.Delivery, mem *memory, stuck <-chan struct{}) error
	want    []string // in the child's output
}{
	// Drops the last byte of every payload: lost bytes.
	"truncates": {
		deliver: func(_ context.Context, d targets.Delivery, mem *memory, _ <-chan struct{}) error {
			mem.add(d.Payload[:len(d.Payload)-1])
			return nil
		},
		want: []string{"--- FAIL: TestBrokenTargetChild/DeliverOne", "received payload is not JSON"},
	},
	// Keeps every payload twice.
	"duplicates": {
		deliver: func(_ context.Context, d targets.Delivery, mem *memory, _ <-chan struct{}) error {
			mem.add(d.Payload)
			mem.add(d.Payload)
			return nil
		},
		want: []string{"--- FAIL: TestBrokenTargetChild/Sequential", "duplicated:"},
	},
	// Says yes to a delivery whose context is done, and throws it away.
	"accepts-and-drops-when-cancelled": {
		deliver: func(ctx context.Context, d targets.Delivery, mem *memory, _ <-chan struct{}) error {
			if ctx.Err() != nil {
				return nil
			}
			mem.add(d.Payload)
			return nil
		},
		want: []string{"--- FAIL: TestBrokenTargetChild/CanceledContext", "lost:", "was delivered (nil error) but never received"},
	},
	// Waits for an acknowledgement that never comes once ctx is done,
	// without watching ctx.
	"ignores-cancellation": {
		deliver: func(ctx context.Context, d targets.Delivery, mem *memory, stuck <-chan struct{}) error {
			if ctx.Err() != nil {
				<-stuck // released only when the child test ends
				return ctx.Err()
			}
			mem.add(d.Payload)
			return nil
		},
		want: []string{"--- FAIL: TestBrokenTargetChild/CanceledContext", "Deliver did not return within 100ms for a cancelled context"},
	},
}

const childEnv = "TARGETTEST_BROKEN"

// TestBrokenTargetChild is the child process of TestSuiteCatchesBrokenTargets:
// it runs the suite against the broken target named by $TARGETTEST_BROKEN,
// and does nothing when that is unset (in the ordinary run).
func TestBrokenTargetChild(t *testing.T) {
	name := os.Getenv(childEnv)
	if name == "" {
		return
	}
	b, ok := broken[name]
	if !ok {
		t.Fatalf("no broken target %q", name)
	}
	targettest.Run(t, targettest.Harness{
		New: func(t *testing.T) targets.Target {
			mem, stuck := &memory{}, make(chan struct{})
			t.Cleanup(func() { close(stuck) })
			return funcTarget{targets.Func(func(ctx context.Context, d targets.Delivery) error {
				return b.deliver(ctx, d, mem, stuck)
			}), mem}
		},
		Received:   func(t *testing.T, tg targets.Target) [][]byte { return tg.(funcTarget).mem.all() },
		CancelWait: 100 * time.Millisecond,
	})
}

// TestSuiteCatchesBrokenTargets runs the suite against targets that each
// break one part of the contract, and checks that it fails, naming the
// check and the fault.
func TestSuiteCatchesBrokenTargets(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		return // in a child process
	}
	caught := 0
	for name, b := range broken {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenTargetChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("the suite passed (or the child did not run: %v) against a target that %s:\n%s", err, name, out)
			}
			for _, w := range b.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("child output lacks %q:\n%s", w, out)
				}
			}
			if !t.Failed() {
				caught++
			}
		})
	}
	t.Logf("%d broken targets run, %d caught as expected", len(broken), caught)
	if caught != len(broken) {
		t.Errorf("caught %d of %d broken targets", caught, len(broken))
	}
}
