package pattern_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/rulebridge/rulebridge/pattern"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMatcherAddReplaceDelete(t *testing.T) {
	m := pattern.NewMatcher()
	if err := m.Add("b", []byte(`{"a":["x"]}`)); err != nil {
		t.Fatal(err)
	}
	if err := m.Add("a", []byte(`{"a":[{"prefix":"x"}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := m.Add("bad", []byte(`{"a":[]}`)); err == nil {
		t.Fatal("invalid pattern added")
	}
	if err := m.AddPattern("nil", nil); err == nil {
		t.Fatal("nil pattern added")
	}
	ev := []byte(`{"a":"x"}`)
	got, err := m.Match(ev, []string{"keep"})
	if err != nil || fmt.Sprint(got) != "[keep a b]" {
		t.Fatalf("got %v, %v", got, err)
	}
	// Replace b with a pattern that no longer matches.
	if err := m.Add("b", []byte(`{"a":["y"]}`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Match(ev, nil); fmt.Sprint(got) != "[a]" || m.Len() != 2 {
		t.Fatalf("after replace: %v (len %d)", got, m.Len())
	}
	m.Delete("a")
	m.Delete("missing")
	if got, _ := m.Match(ev, nil); len(got) != 0 || m.Len() != 1 {
		t.Fatalf("after delete: %v (len %d)", got, m.Len())
	}
	if got, err := m.Match([]byte(`[1]`), nil); err == nil || got != nil {
		t.Fatalf("bad event: %v, %v", got, err)
	}
}

// TestMatcherConcurrent runs Match in parallel with Add and Delete. A
// pattern that is never deleted must always match, and every result must
// be a sorted set.
func TestMatcherConcurrent(t *testing.T) {
	m := pattern.NewMatcher()
	if err := m.Add("stable", []byte(`{"source":["s"]}`)); err != nil {
		t.Fatal(err)
	}
	ev := []byte(`{"source":"s","n":5}`)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				name := fmt.Sprintf("w%d-%d", w, i%10)
				if err := m.Add(name, []byte(fmt.Sprintf(`{"n":[{"numeric":[">",%d]}]}`, i%10))); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					m.Delete(name)
				}
			}
		}(w)
	}
	errs := make(chan error, 4)
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			var buf []string
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				buf, err = m.Match(ev, buf[:0])
				if err != nil {
					errs <- err
					return
				}
				if !sort.StringsAreSorted(buf) || !contains(buf, "stable") {
					errs <- fmt.Errorf("bad result %v", buf)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
