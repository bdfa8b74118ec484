package targets_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// memTransport is an in-memory http.RoundTripper: loopback I/O is not
// "durably blocking", so timing tests of the HTTP target use this instead
// of a server. It records when each request arrived.
type memTransport struct {
	mu    sync.Mutex
	calls []time.Time
	reqs  []*http.Request
	serve func(n int, r *http.Request) *http.Response
}

func (m *memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	m.mu.Lock()
	m.calls = append(m.calls, time.Now())
	m.reqs = append(m.reqs, r)
	n := len(m.calls)
	m.mu.Unlock()
	resp := m.serve(n, r)
	if resp == nil { // hang until the request is cancelled
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	resp.Request = r
	if resp.Body == nil {
		resp.Body = io.NopCloser(strings.NewReader(""))
	}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	resp.Status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	return resp, nil
}

func (m *memTransport) offsets(start time.Time) []time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []time.Duration
	for _, c := range m.calls {
		out = append(out, c.Sub(start))
	}
	return out
}

func TestHTTPRetryAfterDateTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		mt := &memTransport{serve: func(n int, _ *http.Request) *http.Response {
			switch n {
			case 1: // an HTTP date 90 s ahead
				return &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {start.Add(90 * time.Second).UTC().Format(http.TimeFormat)}}}
			case 2: // seconds, shorter than the policy's backoff: the backoff wins
				return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"1"}}}
			}
			return &http.Response{StatusCode: 200}
		}}
		h, err := targets.NewHTTP(targets.HTTPConfig{URL: "https://api.example/hook", Transport: mt})
		if err != nil {
			t.Fatal(err)
		}
		tg, err := targets.Wrap(h, targets.Config{RetryPolicy: targets.RetryPolicy{Backoff: targets.Backoff{Base: 10 * time.Second, Rand: fixedRand(0.5)}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.Deliver(context.Background(), event("e")); err != nil {
			t.Fatal(err)
		}
		// 0; +90 s (header beats the 5 s backoff); +10 s (backoff beats 1 s).
		want := []time.Duration{0, 90 * time.Second, 100 * time.Second}
		if got := mt.offsets(start); !slices.Equal(got, want) {
			t.Errorf("requests at %v, want %v", got, want)
		}
	})
}

func TestHTTPTimeoutTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mt := &memTransport{serve: func(int, *http.Request) *http.Response { return nil }}
		h, err := targets.NewHTTP(targets.HTTPConfig{URL: "https://api.example/hook", Transport: mt})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = h.Deliver(context.Background(), event("e"))
		if got := time.Since(start); got != targets.DefaultHTTPTimeout {
			t.Errorf("gave up after %v, want the default 5s", got)
		}
		if c := targets.Classify(err); c.Code != targets.CodeTimeout || c.Permanent {
			t.Errorf("got %v, want a retryable TIMEOUT", err)
		}
	})
}

func TestHTTPDefaultRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mt := &memTransport{serve: func(int, *http.Request) *http.Response { return &http.Response{StatusCode: 204} }}
		obs := &noticeLog{}
		h, err := targets.NewHTTP(targets.HTTPConfig{URL: "https://api.example/hook", Transport: mt, Observer: obs})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for range 600 {
			if err := h.Deliver(context.Background(), event("e")); err != nil {
				t.Fatal(err)
			}
		}
		// A burst of 300, then 300 more at 300/s: the last at ~1 s.
		got := mt.offsets(start)
		if got[299] != 0 || got[599] < 990*time.Millisecond || got[599] > time.Second {
			t.Errorf("request 300 at %v, request 600 at %v; want 0 and ~1s", got[299], got[599])
		}
		if n := len(obs.of(targets.Throttled)); n != 300 {
			t.Errorf("%d Throttled notices, want 300", n)
		}
	})
}

func TestOAuthRefreshBeforeExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		issued := 0
		tokenRT := &memTransport{serve: func(int, *http.Request) *http.Response {
			mu.Lock()
			issued++
			n := issued
			mu.Unlock()
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(fmt.Sprintf(`{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n)))}
		}}
		conn, err := targets.OAuthClientCredentials(targets.OAuthConfig{TokenURL: "https://auth.example/token", ClientID: "id", ClientSecret: "s", Transport: tokenRT})
		if err != nil {
			t.Fatal(err)
		}
		api := &memTransport{serve: func(int, *http.Request) *http.Response { return &http.Response{StatusCode: 200} }}
		h, err := targets.NewHTTP(targets.HTTPConfig{URL: "https://api.example/hook", Transport: api, Connection: conn})
		if err != nil {
			t.Fatal(err)
		}
		deliverAt := func(offset time.Duration) {
			time.Sleep(offset)
			if err := h.Deliver(context.Background(), event("e")); err != nil {
				t.Fatal(err)
			}
		}
		deliverAt(0)                  // fetch tok-1 (expires at 3600 s)
		deliverAt(3500 * time.Second) // 100 s before expiry: cached
		deliverAt(50 * time.Second)   // 50 s before expiry: inside the 60 s window, refreshed
		deliverAt(time.Second)        // tok-2 cached
		var auth []string
		for _, r := range api.reqs {
			auth = append(auth, r.Header.Get("Authorization"))
		}
		want := []string{"Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-2"}
		if !slices.Equal(auth, want) {
			t.Errorf("Authorization headers %v, want %v", auth, want)
		}
		if issued != 2 {
			t.Errorf("%d token requests, want 2", issued)
		}
		// Concurrent deliveries after the token expires share one fetch.
		time.Sleep(2 * time.Hour)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := h.Deliver(context.Background(), event("e")); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if issued != 3 {
			t.Errorf("%d token requests after a concurrent burst, want 3", issued)
		}
	})
}
