package targets_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rulebridge/rulebridge/targets"
	"github.com/rulebridge/rulebridge/targets/targettest"
)

func TestConformanceFunc(t *testing.T) {
	targettest.Run(t, targettest.Harness{
		New: func(t *testing.T) targets.Target { return &recorder{} },
		Received: func(t *testing.T, tg targets.Target) [][]byte {
			var out [][]byte
			for _, d := range tg.(*recorder).deliveries() {
				out = append(out, d.Payload)
			}
			return out
		},
		Ordered: true,
	})
}

func TestConformanceWrapped(t *testing.T) {
	// The full decorator chain must keep the contract of the target it wraps.
	targettest.Run(t, targettest.Harness{
		New: func(t *testing.T) targets.Target {
			rec := &recorder{}
			w, err := targets.Wrap(rec, targets.Config{RateLimit: 1e6, Concurrency: 4, Timeout: 1e9})
			if err != nil {
				t.Fatal(err)
			}
			return wrapped{w, rec}
		},
		Received: func(t *testing.T, tg targets.Target) [][]byte {
			var out [][]byte
			for _, d := range tg.(wrapped).rec.deliveries() {
				out = append(out, d.Payload)
			}
			return out
		},
		Ordered: true,
	})
}

type wrapped struct {
	targets.Target
	rec *recorder
}

func TestConformanceQueue(t *testing.T) {
	var mu sync.Mutex
	drained := map[*targets.Queue][][]byte{}
	targettest.Run(t, targettest.Harness{
		New: func(t *testing.T) targets.Target {
			q, err := targets.NewQueue(targets.QueueConfig{Capacity: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return q
		},
		Received: func(t *testing.T, tg targets.Target) [][]byte {
			q := tg.(*targets.Queue)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // Receive returns what is queued, then the context's error
			mu.Lock()
			defer mu.Unlock()
			for {
				m, err := q.Receive(ctx)
				if err != nil {
					break
				}
				drained[q] = append(drained[q], m.Delivery.Payload)
				if err := m.Ack(); err != nil {
					t.Fatal(err)
				}
			}
			return drained[q]
		},
		Ordered: true,
	})
}

func TestConformanceFile(t *testing.T) {
	targettest.Run(t, targettest.Harness{
		New: func(t *testing.T) targets.Target {
			f, err := targets.NewFile(filepath.Join(t.TempDir(), "out.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			return namedFile{f, f.Name()}
		},
		Received: func(t *testing.T, tg targets.Target) [][]byte { return readLines(t, tg.(namedFile).path) },
		Ordered:  true,
	})
}

type namedFile struct {
	*targets.File
	path string
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConformanceHTTP(t *testing.T) {
	targettest.Run(t, targettest.Harness{
		New: func(t *testing.T) targets.Target {
			s := &bodyServer{}
			s.srv = httptest.NewServer(s)
			t.Cleanup(s.srv.Close)
			h, err := targets.NewHTTP(targets.HTTPConfig{URL: s.srv.URL + "/events"})
			if err != nil {
				t.Fatal(err)
			}
			return httpUnderTest{h, s}
		},
		Received: func(t *testing.T, tg targets.Target) [][]byte { return tg.(httpUnderTest).s.all() },
		Ordered:  true,
	})
}

type httpUnderTest struct {
	*targets.HTTP
	s *bodyServer
}

// bodyServer records request bodies and answers 200.
type bodyServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func (s *bodyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.mu.Unlock()
}

func (s *bodyServer) all() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}
