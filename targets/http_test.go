package targets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// faultServer answers each request with respond(n, r), n counting from 1,
// and records the event ids of the requests it answered 2xx.
type faultServer struct {
	*httptest.Server
	respond func(n int, w http.ResponseWriter, r *http.Request) int

	mu       sync.Mutex
	requests int
	accepted map[string]int
}

func newFaultServer(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request) int) *faultServer {
	s := &faultServer{respond: respond, accepted: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.requests++
		n := s.requests
		s.mu.Unlock()
		status := s.respond(n, w, r)
		if status >= 200 && status < 300 {
			var e struct{ ID string }
			if err := json.Unmarshal(body, &e); err != nil {
				t.Errorf("server got a body that is not JSON: %q", body)
			}
			s.mu.Lock()
			s.accepted[e.ID]++
			s.mu.Unlock()
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *faultServer) stats() (requests int, accepted map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.accepted {
		out[k] = v
	}
	return s.requests, out
}

// pipeline is an HTTP target wrapped with retry and a recording DLQ.
type pipeline struct {
	tg       targets.Target
	dlq      *recorder
	counters *targets.Counters
	notices  *noticeLog
}

func newPipeline(t *testing.T, cfg targets.HTTPConfig, p targets.RetryPolicy) *pipeline {
	t.Helper()
	h, err := targets.NewHTTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	pl := &pipeline{dlq: &recorder{}, counters: &targets.Counters{}, notices: &noticeLog{}}
	pl.tg, err = targets.Wrap(h, targets.Config{RetryPolicy: p, DeadLetter: pl.dlq, Observer: targets.MultiObserver(pl.counters, pl.notices)})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func (pl *pipeline) records(t *testing.T) []targets.DeadLetterRecord {
	t.Helper()
	var out []targets.DeadLetterRecord
	for _, d := range pl.dlq.deliveries() {
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal(d.Payload, &rec); err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

// exactlyOnce fails unless each id was accepted by the server or
// dead-lettered, once, and not both.
func exactlyOnce(t *testing.T, ids []string, accepted map[string]int, dead []targets.DeadLetterRecord) {
	t.Helper()
	seen := map[string]int{}
	for id, n := range accepted {
		seen[id] += n
	}
	for _, r := range dead {
		seen[r.EventID]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("event %s: delivered %d times + dead-lettered: %d in all, want exactly 1", id, accepted[id], seen[id])
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("%d distinct events seen, want %d", len(seen), len(ids))
	}
}

func TestHTTP503TwiceThen200(t *testing.T) {
	s := newFaultServer(t, func(n int, _ http.ResponseWriter, _ *http.Request) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	pl := newPipeline(t, targets.HTTPConfig{URL: s.URL}, fast(5))
	if err := pl.tg.Deliver(context.Background(), event("e-503")); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	requests, accepted := s.stats()
	if requests != 3 {
		t.Errorf("%d requests, want 3", requests)
	}
	exactlyOnce(t, []string{"e-503"}, accepted, pl.records(t))
	m := pl.counters.Snapshot()
	if m.InvocationAttempts != 3 || m.RetryInvocationAttempts != 2 || m.Invocations != 1 || m.SuccessfulInvocationAttempts != 1 || m.DeadLetterInvocations != 0 {
		t.Errorf("metrics %+v", m)
	}
}

func TestHTTP400IsDeadLetteredAtOnce(t *testing.T) {
	s := newFaultServer(t, func(int, http.ResponseWriter, *http.Request) int { return http.StatusBadRequest })
	pl := newPipeline(t, targets.HTTPConfig{URL: s.URL + "/path?token=query-secret"}, fast(5))
	if err := pl.tg.Deliver(context.Background(), event("e-400")); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	requests, accepted := s.stats()
	recs := pl.records(t)
	if requests != 1 || len(recs) != 1 {
		t.Fatalf("%d requests, %d dead-letter records; want 1 and 1", requests, len(recs))
	}
	r := recs[0]
	if r.ErrorCode != targets.CodeErrorFromTarget || r.RetryAttempts != 0 || r.ExhaustedRetryCondition != "" ||
		!strings.Contains(r.ErrorMessage, "400 Bad Request") || !strings.Contains(r.ErrorMessage, "POST "+s.URL+"/path") {
		t.Errorf("record %+v", r)
	}
	if strings.Contains(r.ErrorMessage, "query-secret") {
		t.Errorf("error message %q leaks the query string", r.ErrorMessage)
	}
	exactlyOnce(t, []string{"e-400"}, accepted, recs)
}

func TestHTTPStatusClasses(t *testing.T) {
	cases := []struct {
		status    int
		permanent bool
		code      targets.ErrorCode
	}{
		{401, false, targets.CodeErrorFromTarget}, {407, false, targets.CodeErrorFromTarget},
		{409, false, targets.CodeErrorFromTarget}, {429, false, targets.CodeThrottling},
		{500, false, targets.CodeErrorFromTarget}, {503, false, targets.CodeErrorFromTarget},
		{301, true, targets.CodeErrorFromTarget}, {403, true, targets.CodeErrorFromTarget},
		{404, true, targets.CodeErrorFromTarget}, {413, true, targets.CodeErrorFromTarget},
	}
	status := make(chan int, 1)
	s := newFaultServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) int {
		st := <-status
		if st == 301 {
			w.Header().Set("Location", "/elsewhere")
		}
		return st
	})
	h, err := targets.NewHTTP(targets.HTTPConfig{URL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, c := range cases {
		status <- c.status
		err := h.Deliver(context.Background(), event("e"))
		cl := targets.Classify(err)
		if err == nil || cl.Permanent != c.permanent || cl.Code != c.code {
			t.Errorf("status %d: got %v (%+v), want permanent=%v code %s", c.status, err, cl, c.permanent, c.code)
		}
	}
	requests, _ := s.stats()
	if requests != len(cases) {
		t.Errorf("%d requests, want %d (redirects must not be followed)", requests, len(cases))
	}
}

func TestHTTP429WithRetryAfter(t *testing.T) {
	s := newFaultServer(t, func(n int, w http.ResponseWriter, _ *http.Request) int {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			return http.StatusTooManyRequests
		}
		return http.StatusOK
	})
	pl := newPipeline(t, targets.HTTPConfig{URL: s.URL}, fast(3))
	if err := pl.tg.Deliver(context.Background(), event("e-429")); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	retries := pl.notices.of(targets.Retrying)
	if len(retries) != 1 || retries[0].Delay != time.Second || retries[0].Code != targets.CodeThrottling {
		t.Errorf("Retrying notices %+v, want one with Delay 1s (Retry-After beats the ms backoff) and code THROTTLING", retries)
	}
	requests, accepted := s.stats()
	if requests != 2 {
		t.Errorf("%d requests, want 2", requests)
	}
	exactlyOnce(t, []string{"e-429"}, accepted, pl.records(t))

	// A negative Retry-After stops retrying: dead-lettered after one attempt.
	s2 := newFaultServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) int {
		w.Header().Set("Retry-After", "-1")
		return http.StatusTooManyRequests
	})
	pl2 := newPipeline(t, targets.HTTPConfig{URL: s2.URL}, fast(3))
	if err := pl2.tg.Deliver(context.Background(), event("e-stop")); err != nil {
		t.Fatal(err)
	}
	requests, accepted = s2.stats()
	recs := pl2.records(t)
	if requests != 1 || len(recs) != 1 || recs[0].ErrorCode != targets.CodeThrottling {
		t.Errorf("negative Retry-After: %d requests, records %+v", requests, recs)
	}
	exactlyOnce(t, []string{"e-stop"}, accepted, recs)
}

func TestHTTPSlowServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	s := newFaultServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) int {
		select { // slower than the client's timeout
		case <-r.Context().Done():
			return http.StatusServiceUnavailable // the client gave up: not accepted
		case <-release:
			return http.StatusOK
		}
	})
	defer close(release) // runs before the server's Close (cleanup)
	pl := newPipeline(t, targets.HTTPConfig{URL: s.URL, Timeout: 50 * time.Millisecond}, fast(1))
	if err := pl.tg.Deliver(context.Background(), event("e-slow")); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	recs := pl.records(t)
	if len(recs) != 1 || recs[0].ErrorCode != targets.CodeTimeout || recs[0].RetryAttempts != 1 || recs[0].ExhaustedRetryCondition != targets.MaximumRetryAttempts {
		t.Fatalf("records %+v, want one TIMEOUT after 2 attempts", recs)
	}
	if !strings.Contains(recs[0].ErrorMessage, "no response within 50ms") {
		t.Errorf("message %q", recs[0].ErrorMessage)
	}
	_, accepted := s.stats()
	exactlyOnce(t, []string{"e-slow"}, accepted, recs)
}

func TestHTTPClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pl := newPipeline(t, targets.HTTPConfig{URL: "http://" + addr + "/x"}, fast(2))
	if err := pl.tg.Deliver(context.Background(), event("e-closed")); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	recs := pl.records(t)
	if len(recs) != 1 || recs[0].ErrorCode != targets.CodeConnectionFailure || recs[0].RetryAttempts != 2 || recs[0].ExhaustedRetryCondition != targets.MaximumRetryAttempts {
		t.Fatalf("records %+v, want one CONNECTION_FAILURE after 3 attempts", recs)
	}
	exactlyOnce(t, []string{"e-closed"}, nil, recs)
}

// oauthServers is a token endpoint and a resource server. The resource
// server accepts only the newest token, and expires it after expireAfter
// accepted requests: the token goes stale mid-stream.
type oauthServers struct {
	token, api  *httptest.Server
	expireAfter int

	mu        sync.Mutex
	issued    int
	valid     string
	used      int
	rejected  int
	accepted  map[string]int
	badClient bool
}

func newOAuthServers(t *testing.T, expireAfter int) *oauthServers {
	o := &oauthServers{expireAfter: expireAfter, accepted: map[string]int{}}
	o.token = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" {
			http.Error(w, "bad grant", http.StatusBadRequest)
			return
		}
		if o.badClient || !ok || id != "client-id" || secret != "client-s3cret" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"client secret %s is wrong"}`, secret)
			return
		}
		o.mu.Lock()
		o.issued++
		tok := fmt.Sprintf("tok-%d-bearer-s3cret", o.issued)
		o.valid, o.used = tok, 0
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tok)
	}))
	o.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		o.mu.Lock()
		defer o.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+o.valid || o.valid == "" {
			o.rejected++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		o.used++
		if o.used == o.expireAfter {
			o.valid = "" // expired: every later request with it fails
		}
		var e struct{ ID string }
		_ = json.Unmarshal(body, &e)
		o.accepted[e.ID]++
	}))
	t.Cleanup(o.token.Close)
	t.Cleanup(o.api.Close)
	return o
}

func TestHTTPOAuthTokenExpiresMidStream(t *testing.T) {
	o := newOAuthServers(t, 3)
	conn, err := targets.OAuthClientCredentials(targets.OAuthConfig{TokenURL: o.token.URL, ClientID: "client-id", ClientSecret: "client-s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	pl := newPipeline(t, targets.HTTPConfig{URL: o.api.URL, Connection: conn}, fast(3))
	var ids []string
	for i := range 6 {
		id := fmt.Sprintf("e-%d", i)
		ids = append(ids, id)
		if err := pl.tg.Deliver(context.Background(), event(id)); err != nil {
			t.Fatalf("Deliver %s: %v", id, err)
		}
	}
	o.mu.Lock()
	issued, rejected, accepted := o.issued, o.rejected, o.accepted
	o.mu.Unlock()
	if issued != 2 || rejected != 1 {
		t.Errorf("%d tokens issued, %d requests rejected; want 2 and 1 (one 401, then a fresh token)", issued, rejected)
	}
	exactlyOnce(t, ids, accepted, pl.records(t))

	// Many deliveries at once, across a second expiry: they share token
	// fetches and none is lost or duplicated.
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range 24 {
		id := fmt.Sprintf("c-%d", i)
		ids = append(ids, id)
		wg.Go(func() {
			if err := pl.tg.Deliver(context.Background(), event(id)); err != nil {
				mu.Lock()
				t.Errorf("Deliver %s: %v", id, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	o.mu.Lock()
	accepted = o.accepted
	o.mu.Unlock()
	exactlyOnce(t, ids, accepted, pl.records(t))
}

func TestHTTPBasicAndAPIKeyHeaders(t *testing.T) {
	var mu sync.Mutex
	var got []http.Header
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
	}))
	defer s.Close()
	basic, err := targets.BasicAuth("alice", "pa55word")
	if err != nil {
		t.Fatal(err)
	}
	key, err := targets.APIKeyAuth("x-api-key", "k3y")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*targets.Connection{basic, key} {
		h, err := targets.NewHTTP(targets.HTTPConfig{URL: s.URL, Method: "put", Connection: c, Header: http.Header{"X-Static": {"yes"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Deliver(context.Background(), event("e")); err != nil {
			t.Fatal(err)
		}
		h.Close()
	}
	if len(got) != 2 {
		t.Fatalf("%d requests", len(got))
	}
	if got[0].Get("Authorization") != "Basic YWxpY2U6cGE1NXdvcmQ=" || got[1].Get("X-Api-Key") != "k3y" {
		t.Errorf("auth headers: %q, %q", got[0].Get("Authorization"), got[1].Get("X-Api-Key"))
	}
	for _, h := range got {
		if h.Get("X-Static") != "yes" || h.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("headers %v", h)
		}
	}
}

// TestCredentialsNeverLeak fails if a password, API key, client secret or
// bearer token shows up in an error, a dead-letter record, a log line or
// a formatted config.
func TestCredentialsNeverLeak(t *testing.T) {
	secrets := []string{"client-s3cret", "bearer-s3cret", "pa55word", "YWxpY2U6cGE1NXdvcmQ", "k3y-s3cret"}
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string

	// A server that echoes credentials back in its error bodies.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "auth was %s / %s", r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	}))
	defer echo.Close()

	o := newOAuthServers(t, 1)
	good, _ := targets.OAuthClientCredentials(targets.OAuthConfig{TokenURL: o.token.URL, ClientID: "client-id", ClientSecret: "client-s3cret"})
	wrong, _ := targets.OAuthClientCredentials(targets.OAuthConfig{TokenURL: o.token.URL + "?x=1", ClientID: "client-id", ClientSecret: "client-s3cret-wrong"})
	basic, _ := targets.BasicAuth("alice", "pa55word")
	key, _ := targets.APIKeyAuth("X-Api-Key", "k3y-s3cret")
	cases := []struct {
		url  string
		conn *targets.Connection
	}{{echo.URL, basic}, {echo.URL, key}, {echo.URL, good}, {o.api.URL, wrong}, {o.api.URL, good}}
	for _, c := range cases {
		cfg := targets.HTTPConfig{URL: c.url, Connection: c.conn}
		h, err := targets.NewHTTP(cfg)
		if err != nil {
			t.Fatal(err)
		}
		dlq := &recorder{}
		tg, err := targets.Wrap(h, targets.Config{RetryPolicy: fast(1), DeadLetter: dlq, Observer: targets.NewLogObserver(logger)})
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.Deliver(context.Background(), event("e")); err != nil {
			texts = append(texts, err.Error())
		}
		for _, d := range dlq.deliveries() {
			texts = append(texts, string(d.Payload))
		}
		direct := h.Deliver(context.Background(), event("e"))
		if direct != nil {
			texts = append(texts, direct.Error(), fmt.Sprintf("%+v", direct))
		}
		texts = append(texts, fmt.Sprintf("%v %+v %#v %s", c.conn, c.conn, c.conn, h), fmt.Sprintf("%+v %#v", cfg, cfg))
		h.Close()
	}
	oc := targets.OAuthConfig{TokenURL: "https://auth.example/token", ClientID: "id", ClientSecret: "client-s3cret"}
	js, err := json.Marshal(oc)
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("config", "oauth", oc, "secret", oc.ClientSecret)
	texts = append(texts, string(js), fmt.Sprintf("%v %+v %#v %s %q %x", oc, oc, oc, oc.ClientSecret, oc.ClientSecret, oc.ClientSecret), logs.String())

	all := strings.Join(texts, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("credential %q leaked:\n%s", s, all)
		}
	}
	// The test would be vacuous if nothing failed: make sure it saw the failures.
	for _, want := range []string{"500 Internal Server Error", "OAuth token request to " + o.token.URL + " failed", "invalid_client", "[REDACTED]"} {
		if !strings.Contains(all, want) {
			t.Errorf("expected %q among the errors and logs", want)
		}
	}
}

func TestSecretFromEnv(t *testing.T) {
	t.Setenv("RB_TEST_SECRET", "from-env-s3cret")
	s, err := targets.SecretFromEnv("RB_TEST_SECRET")
	if err != nil || string(s) != "from-env-s3cret" || s.String() != "[REDACTED]" {
		t.Fatalf("SecretFromEnv = %q, %v", s, err)
	}
	if _, err := targets.SecretFromEnv("RB_TEST_UNSET_VARIABLE"); err == nil || !strings.Contains(err.Error(), "RB_TEST_UNSET_VARIABLE") {
		t.Errorf("unset variable: %v", err)
	}
}

func TestHTTPConfigErrors(t *testing.T) {
	cases := []struct {
		cfg  targets.HTTPConfig
		want string
	}{
		{targets.HTTPConfig{}, "HTTPConfig.URL"},
		{targets.HTTPConfig{URL: "ftp://x/y"}, "HTTPConfig.URL"},
		{targets.HTTPConfig{URL: "http://x", Method: "TRACE"}, "HTTPConfig.Method"},
		{targets.HTTPConfig{URL: "http://x", Method: "GE T"}, "HTTPConfig.Method"},
		{targets.HTTPConfig{URL: "http://x", Timeout: -1}, "HTTPConfig.Timeout"},
		{targets.HTTPConfig{URL: "http://x", Header: http.Header{"Bad Header": {"v"}}}, `HTTPConfig.Header["Bad Header"]`},
	}
	for _, c := range cases {
		_, err := targets.NewHTTP(c.cfg)
		var ce *targets.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewHTTP(%+v) = %v, want a ConfigError about %s", c.cfg, err, c.want)
		}
	}
	if _, err := targets.OAuthClientCredentials(targets.OAuthConfig{}); err == nil ||
		!strings.Contains(err.Error(), "TokenURL") || !strings.Contains(err.Error(), "ClientID") || !strings.Contains(err.Error(), "ClientSecret") {
		t.Errorf("empty OAuthConfig: %v", err)
	}
	if _, err := targets.BasicAuth("a:b", "x"); err == nil {
		t.Error("BasicAuth accepted a colon in the username")
	}
	if _, err := targets.APIKeyAuth("bad header", "x"); err == nil {
		t.Error("APIKeyAuth accepted a bad header name")
	}
}
