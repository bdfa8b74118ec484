package targets

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const redacted = "[REDACTED]"

// Secret is a credential: a password, an API key, a client secret. It
// formats, logs and marshals as "[REDACTED]", so a Secret inside a config
// struct cannot leak through fmt, log/slog or encoding/json. Convert it
// with string(s) only where the credential is used.
type Secret string

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns a redacted Go expression.
func (Secret) GoString() string { return `targets.Secret("` + redacted + `")` }

// LogValue returns "[REDACTED]" for log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[REDACTED]", for encoding/json and friends.
// (Unmarshalling reads the real value.)
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// SecretFromEnv reads a credential from the environment variable name. It
// fails if the variable is unset or empty; the error names the variable,
// never a value.
func SecretFromEnv(name string) (Secret, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return "", fmt.Errorf("targets: environment variable %s is not set", name)
	}
	return Secret(v), nil
}

// Connection authorizes the HTTP requests of [HTTP] targets, as an
// EventBridge connection does for API destinations: Basic, API key or
// OAuth 2 client credentials. One Connection may serve many targets; it is
// safe for concurrent use. Its credentials never appear in its String,
// in errors or in logs.
type Connection struct {
	kind   string
	header string // the header set, for Basic and API key
	value  Secret // that header's value
	oauth  *oauthSource
}

// BasicAuth returns a Connection that sends HTTP Basic credentials. The
// username may not contain a colon.
func BasicAuth(username string, password Secret) (*Connection, error) {
	if username == "" || strings.Contains(username, ":") {
		return nil, &ConfigError{Field: "BasicAuth.username", Reason: "must be non-empty and hold no colon"}
	}
	v := "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+string(password)))
	return &Connection{kind: "basic", header: "Authorization", value: Secret(v)}, nil
}

// APIKeyAuth returns a Connection that sends key in the header named
// header (for example "x-api-key").
func APIKeyAuth(header string, key Secret) (*Connection, error) {
	if !validHeaderName(header) {
		return nil, &ConfigError{Field: "APIKeyAuth.header", Reason: fmt.Sprintf("%q is not a valid header name", header)}
	}
	if key == "" {
		return nil, &ConfigError{Field: "APIKeyAuth.key", Reason: "is empty"}
	}
	return &Connection{kind: "api-key", header: textproto.CanonicalMIMEHeaderKey(header), value: key}, nil
}

// OAuthConfig configures an OAuth 2 client-credentials Connection.
type OAuthConfig struct {
	// TokenURL is the authorization server's token endpoint. Required.
	TokenURL string
	// ClientID and ClientSecret are the client's credentials. Required.
	ClientID     string
	ClientSecret Secret
	// Scopes and EndpointParams are sent with each token request.
	Scopes         []string
	EndpointParams url.Values
	// CredentialsInBody sends the client credentials as form fields; by
	// default they go in a Basic Authorization header.
	CredentialsInBody bool
	// RefreshBefore is how long before its expiry a cached token is
	// replaced; 0 means 60 s, as EventBridge does. (For a token that lives
	// less than twice that, half its lifetime.)
	RefreshBefore time.Duration
	// Transport carries the token requests; nil means a private transport
	// that keeps no idle connections.
	Transport http.RoundTripper
}

// OAuthClientCredentials returns a Connection that sends a bearer token
// obtained with the OAuth 2 client-credentials grant
// (golang.org/x/oauth2/clientcredentials). The token is fetched on first
// use, cached, fetched again when it is about to expire, and dropped when
// a target answers 401 or 407, so the next attempt fetches a fresh one
// (EventBridge does the same; give such targets at least one retry).
// Concurrent deliveries share one fetch.
func OAuthClientCredentials(c OAuthConfig) (*Connection, error) {
	var errs []error
	u, err := url.Parse(c.TokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, &ConfigError{Field: "OAuthConfig.TokenURL", Reason: "want an absolute http or https URL"})
	}
	if c.ClientID == "" {
		errs = append(errs, &ConfigError{Field: "OAuthConfig.ClientID", Reason: "is empty"})
	}
	if c.ClientSecret == "" {
		errs = append(errs, &ConfigError{Field: "OAuthConfig.ClientSecret", Reason: "is empty"})
	}
	if c.RefreshBefore < 0 {
		errs = append(errs, &ConfigError{Field: "OAuthConfig.RefreshBefore", Reason: "is negative"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	style := oauth2.AuthStyleInHeader
	if c.CredentialsInBody {
		style = oauth2.AuthStyleInParams
	}
	rt := c.Transport
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableKeepAlives = true
		rt = t
	}
	refresh := c.RefreshBefore
	if refresh == 0 {
		refresh = 60 * time.Second
	}
	src := &oauthSource{
		cfg: clientcredentials.Config{
			ClientID: c.ClientID, ClientSecret: string(c.ClientSecret), TokenURL: c.TokenURL,
			Scopes: c.Scopes, EndpointParams: c.EndpointParams, AuthStyle: style,
		},
		client:        &http.Client{Transport: rt},
		tokenURL:      redactURL(u),
		refreshBefore: refresh,
	}
	return &Connection{kind: "oauth-client-credentials", oauth: src}, nil
}

// String names the kind of connection, never its credentials.
func (c *Connection) String() string { return "targets.Connection(" + c.kind + ")" }

// GoString is String: a Connection's fields hold credentials.
func (c *Connection) GoString() string { return c.String() }

// authorize sets the request's credentials and returns the bearer token
// used, if any, for invalidate.
func (c *Connection) authorize(ctx context.Context, req *http.Request) (string, error) {
	if c.oauth == nil {
		req.Header.Set(c.header, string(c.value))
		return "", nil
	}
	tok, err := c.oauth.token(ctx)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return tok, nil
}

// invalidate drops the cached token if it is still tok.
func (c *Connection) invalidate(tok string) {
	if c.oauth != nil && tok != "" {
		c.oauth.invalidate(tok)
	}
}

type oauthSource struct {
	cfg           clientcredentials.Config
	client        *http.Client
	tokenURL      string
	refreshBefore time.Duration

	mu        sync.Mutex
	tok       string
	refreshAt time.Time     // zero: never (a token without expiry)
	fetching  chan struct{} // closed when the fetch in flight ends
}

func (s *oauthSource) token(ctx context.Context) (string, error) {
	for {
		s.mu.Lock()
		if s.tok != "" && (s.refreshAt.IsZero() || time.Now().Before(s.refreshAt)) {
			tok := s.tok
			s.mu.Unlock()
			return tok, nil
		}
		if ch := s.fetching; ch != nil {
			s.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return "", context.Cause(ctx)
			}
		}
		ch := make(chan struct{})
		s.fetching = ch
		s.mu.Unlock()

		tok, err := s.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, s.client))

		s.mu.Lock()
		s.fetching = nil
		if err == nil {
			s.tok, s.refreshAt = tok.AccessToken, time.Time{}
			if !tok.Expiry.IsZero() {
				life := time.Until(tok.Expiry)
				s.refreshAt = tok.Expiry.Add(-min(s.refreshBefore, life/2))
			}
		}
		s.mu.Unlock()
		close(ch)
		if err != nil {
			return "", s.fetchError(err)
		}
		return tok.AccessToken, nil
	}
}

func (s *oauthSource) invalidate(tok string) {
	s.mu.Lock()
	if s.tok == tok {
		s.tok = ""
	}
	s.mu.Unlock()
}

// fetchError describes a failed token request without the response body
// or any credential. A 4xx answer (other than 408 and 429) is permanent:
// the credentials are wrong, and retrying cannot help.
func (s *oauthSource) fetchError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("targets: OAuth token request to %s failed: %w", s.tokenURL, err)
	}
	status := 0
	msg := "the token endpoint answered with an error"
	if re.Response != nil {
		status = re.Response.StatusCode
		msg = "the token endpoint answered " + re.Response.Status
	}
	if re.ErrorCode != "" {
		msg += " (" + re.ErrorCode + ")"
	}
	out := &Error{Code: CodeErrorFromTarget, Err: fmt.Errorf("targets: OAuth token request to %s failed: %s", s.tokenURL, msg)}
	if status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests {
		out.Code, out.Permanent = CodeNoPermissions, true
	}
	return out
}

// redactURL renders u without user info, query or fragment.
func redactURL(u *url.URL) string {
	v := *u
	v.User, v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment = nil, "", false, "", ""
	return v.String()
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}
