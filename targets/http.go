package targets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// HTTP target defaults, as EventBridge's API destinations have them.
const (
	DefaultHTTPTimeout   = 5 * time.Second
	DefaultHTTPRateLimit = 300 // invocations per second
)

// HTTPConfig configures an [HTTP] target.
type HTTPConfig struct {
	// URL is the endpoint, http or https. Required. Its query string and
	// user info are never written into errors or String.
	URL string
	// Method is the HTTP method; "" means POST. CONNECT and TRACE are
	// refused, as EventBridge refuses them.
	Method string
	// Header holds static headers sent with every request. Content-Type
	// defaults to "application/json; charset=utf-8" and User-Agent to
	// "rulebridge". Put credentials in Connection, not here.
	Header http.Header
	// Connection authorizes the requests; nil sends none.
	Connection *Connection
	// Timeout bounds each request, including reading the response; 0
	// means DefaultHTTPTimeout (5 s).
	Timeout time.Duration
	// RateLimit caps requests per second (with bursts of as many); 0 means
	// DefaultHTTPRateLimit (300), a negative value means no cap. Requests
	// over the limit wait, with a Throttled notice to Observer.
	RateLimit float64
	// Transport carries the requests; nil means a private clone of
	// http.DefaultTransport, released by Close. Tests pass an in-memory
	// RoundTripper to run under testing/synctest.
	Transport http.RoundTripper
	// Observer receives Throttled notices; nil observes nothing.
	Observer Observer
}

// HTTP delivers each payload as the body of an HTTP request, as an
// EventBridge API destination does, and classifies the response as
// EventBridge does:
//
//   - 2xx: delivered.
//   - 401, 407 (after dropping a cached OAuth token), 409, 429 (code
//     THROTTLING), 5xx: retryable. A Retry-After header (seconds or an
//     HTTP date) sets the least wait before the retry; a negative one
//     stops retrying.
//   - Any other status, 3xx included (redirects are not followed):
//     permanent, code ERROR_FROM_TARGET.
//   - A request that outlives the timeout: retryable, TIMEOUT. A refused
//     or broken connection: retryable, CONNECTION_FAILURE. An unknown
//     host: permanent, CONNECTION_FAILURE.
//
// Errors name the method and the URL without its query; they never carry
// credentials or the response body. Build one with [NewHTTP]; it is safe
// for concurrent use. Close releases its idle connections.
type HTTP struct {
	method   string
	url      string
	shown    string // url, redacted
	header   http.Header
	conn     *Connection
	timeout  time.Duration
	lim      *rate.Limiter
	client   *http.Client
	own      *http.Transport // closed by Close, when private
	observer Observer
}

// NewHTTP checks c and returns the target. Its errors are [*ConfigError]
// values naming the field.
func NewHTTP(c HTTPConfig) (*HTTP, error) {
	var errs []error
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, &ConfigError{Field: "HTTPConfig.URL", Reason: "want an absolute http or https URL"})
	}
	method := strings.ToUpper(c.Method)
	if method == "" {
		method = http.MethodPost
	}
	if !validHeaderName(method) || method == http.MethodConnect || method == http.MethodTrace {
		errs = append(errs, &ConfigError{Field: "HTTPConfig.Method", Reason: fmt.Sprintf("%q is not an allowed method", c.Method)})
	}
	for name := range c.Header {
		if !validHeaderName(name) {
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("HTTPConfig.Header[%q]", name), Reason: "not a valid header name"})
		}
	}
	if c.Timeout < 0 {
		errs = append(errs, &ConfigError{Field: "HTTPConfig.Timeout", Reason: c.Timeout.String() + " is negative"})
	}
	if math.IsNaN(c.RateLimit) {
		errs = append(errs, &ConfigError{Field: "HTTPConfig.RateLimit", Reason: "is NaN"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	h := &HTTP{
		method:   method,
		url:      c.URL,
		shown:    redactURL(u),
		header:   c.Header.Clone(),
		conn:     c.Connection,
		timeout:  c.Timeout,
		observer: c.Observer,
	}
	if h.timeout == 0 {
		h.timeout = DefaultHTTPTimeout
	}
	switch lim := c.RateLimit; {
	case lim == 0:
		h.lim = rate.NewLimiter(DefaultHTTPRateLimit, DefaultHTTPRateLimit)
	case lim > 0 && !math.IsInf(lim, 1):
		h.lim = rate.NewLimiter(rate.Limit(lim), int(math.Max(1, math.Ceil(lim))))
	}
	rt := c.Transport
	if rt == nil {
		h.own = http.DefaultTransport.(*http.Transport).Clone()
		rt = h.own
	}
	h.client = &http.Client{
		Transport:     rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return h, nil
}

// String describes the target without credentials or query string.
func (h *HTTP) String() string { return "targets.HTTP(" + h.method + " " + h.shown + ")" }

// Close releases idle connections of the private transport. Deliveries
// may still run afterwards; they open new connections.
func (h *HTTP) Close() error {
	if h.own != nil {
		h.own.CloseIdleConnections()
	}
	return nil
}

// Deliver sends d.Payload as the request body. It waits for the rate
// limit first, then gives the request at most the configured timeout.
func (h *HTTP) Deliver(ctx context.Context, d Delivery) error {
	if h.lim != nil {
		if err := waitTurn(ctx, h.lim, h.observer, d); err != nil {
			return err
		}
	}
	rctx, cancel := context.WithTimeoutCause(ctx, h.timeout, errAttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, h.method, h.url, bytes.NewReader(d.Payload))
	if err != nil {
		return Permanent(fmt.Errorf("targets: %s %s: %w", h.method, h.shown, err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "rulebridge")
	for k, v := range h.header {
		req.Header[k] = v
	}
	var token string
	if h.conn != nil {
		if token, err = h.conn.authorize(rctx, req); err != nil {
			return h.transportError(ctx, rctx, err)
		}
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return h.transportError(ctx, rctx, err)
	}
	// Drain (a little of) the body so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil // the target accepted it, whatever its body says
	}
	return h.statusError(resp, token)
}

func (h *HTTP) statusError(resp *http.Response, token string) error {
	err := &Error{Code: CodeErrorFromTarget,
		Err: fmt.Errorf("targets: %s %s: %s", h.method, h.shown, resp.Status)}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusProxyAuthRequired:
		if h.conn != nil {
			h.conn.invalidate(token)
		}
	case s == http.StatusConflict:
	case s == http.StatusTooManyRequests:
		err.Code = CodeThrottling
	case s >= 500:
	default:
		err.Permanent = true
		return err
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		err.RetryAfter = d
	}
	return err
}

// transportError classifies a failure to get a response: TIMEOUT if the
// request's own timeout fired, else as Classify says. url.Error is
// unwrapped so that the full URL (with its query) stays out of the text.
func (h *HTTP) transportError(ctx, rctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	wrapped := fmt.Errorf("targets: %s %s: %w", h.method, h.shown, err)
	if ctx.Err() == nil && errors.Is(context.Cause(rctx), errAttemptTimeout) {
		return &Error{Code: CodeTimeout, Err: fmt.Errorf("targets: %s %s: no response within %v", h.method, h.shown, h.timeout)}
	}
	return wrapped
}

// parseRetryAfter reads a Retry-After header: delay-seconds (a negative
// number asks for no retry, as EventBridge treats it) or an HTTP date. A
// date in the past means no extra wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return -1, true
		}
		if n > math.MaxInt64/int64(time.Second) {
			n = math.MaxInt64 / int64(time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
