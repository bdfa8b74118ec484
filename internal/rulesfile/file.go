package rulesfile

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

// File is a loaded and validated rules file. Build its targets with
// [File.Build]. A File is a plain value: safe to read from many
// goroutines, not to modify while they do.
type File struct {
	// Name is the file's name as given to [Load] or [Parse]; it prefixes
	// every error message.
	Name string
	// Rules are the file's rules, in file order, with unique names.
	Rules []Rule
}

// State says whether a rule is active.
type State string

// The rule states EventBridge accepts in rules files.
const (
	Enabled  State = "ENABLED"
	Disabled State = "DISABLED"
)

// Rule is one entry of Rules: an AWS::Events::Rule's properties plus the
// rulebridge extensions Condition and Threshold.
type Rule struct {
	// Name is unique within the file: 1-64 of . - _ A-Z a-z 0-9.
	Name        string
	Description string
	// Pattern is the EventPattern as JSON text, already validated by
	// pattern.Compile: the string as written, or the YAML object rendered
	// as compact JSON. Nil when the rule has no EventPattern.
	Pattern []byte
	// Schedule is the ScheduleExpression, already validated by
	// schedule.Parse; "" when the rule has none. A rule has a Pattern, a
	// Schedule or both (it then fires on matching events and on the
	// schedule, as EventBridge's PutRule says).
	Schedule string
	// TimeZone is the ScheduleExpressionTimezone (an IANA name) the
	// Schedule is evaluated in; "" means UTC.
	TimeZone string
	// State is Enabled or Disabled; the file's default is Enabled.
	State State
	// Condition is a CEL expression the engine evaluates on each matched
	// event; "" when the rule has none. Only its presence is checked here:
	// the engine compiles it (use [Rule.Errorf] to report its errors).
	Condition string
	// Threshold, if set, makes the rule fire only when the matched events
	// within a period cross a threshold. Nil when the rule has none.
	Threshold *Threshold
	// Targets are the rule's targets (at most 5), in file order, with
	// unique IDs.
	Targets []Target

	file  string
	index int                 // 1-based
	pos   position            // of the rule's mapping
	props map[string]position // of each property's value
}

// Errorf returns an *Error about the rule's property field (a top-level
// property such as "Condition"), located at that property's value in the
// file, or at the rule when it has no such property. Callers use it to
// report problems found after loading, such as a Condition that does not
// compile, in the same form as the loader's.
func (r *Rule) Errorf(field, format string, args ...any) *Error {
	pos, ok := r.props[field]
	if !ok {
		pos = r.pos
	}
	return newError(r.file, pos, scope{rule: r.Name, ruleIndex: r.index}, field, fmt.Sprintf(format, args...), nil)
}

// Comparison is how a [Threshold] compares the value of a period with its
// Count.
type Comparison string

// The comparisons. The rules file also accepts CloudWatch's names for them
// (GreaterThanOrEqualToThreshold, GreaterThanThreshold,
// LessThanOrEqualToThreshold, LessThanThreshold).
const (
	GreaterOrEqual Comparison = ">="
	Greater        Comparison = ">"
	LessOrEqual    Comparison = "<="
	Less           Comparison = "<"
)

// Threshold is a rule's alarm condition, as a CloudWatch metric filter
// plus an alarm: the rule's targets fire when the value over Period
// compares with Count as Comparison says.
type Threshold struct {
	// Count is the threshold, a positive integer.
	Count int64
	// Period is the length of the window, positive.
	Period time.Duration
	// Field, if set, is the dotted path of a numeric event field (such as
	// "detail.errors") whose values are summed; when empty, matched events
	// are counted.
	Field string
	// Comparison is one of the four; the file's default is GreaterOrEqual.
	Comparison Comparison
}

// Target is one target of a rule.
type Target struct {
	// ID is unique within the rule: 1-64 of . - _ A-Z a-z 0-9.
	ID string
	// Shaping is the target's Input, InputPath or InputTransformer,
	// already validated by targets.NewShaper.
	Shaping targets.Shaping
	// RetryPolicy is in targets' terms: the file's MaximumRetryAttempts 0
	// is targets.NoRetries here, and a missing field is 0 (the default).
	RetryPolicy targets.RetryPolicy
	// DeadLetter is where events the target fails to take go; nil when
	// the target has no DeadLetterConfig.
	DeadLetter *Sink
	// Sink is what the target delivers to.
	Sink Sink
}

// Sink is where a target (or a dead-letter config) delivers: exactly one
// of its fields is set, as exactly one of Http, File and Stdout is given in
// the file.
type Sink struct {
	HTTP   *HTTPSink
	File   *FileSink
	Stdout *StdoutSink

	field string // "" or "DeadLetterConfig."; for Build's errors
}

// Kind returns the sink's property name in the file: "Http", "File" or
// "Stdout" ("" for a zero Sink).
func (s Sink) Kind() string {
	switch {
	case s.HTTP != nil:
		return "Http"
	case s.File != nil:
		return "File"
	case s.Stdout != nil:
		return "Stdout"
	}
	return ""
}

// HTTPSink sends each payload in an HTTP request (see targets.HTTP). Its
// values have had their ${NAME} references replaced from the environment:
// Endpoint and Header may hold credentials, so do not log them.
type HTTPSink struct {
	// Endpoint is the http or https URL.
	Endpoint string
	// Method is the request method in upper case; POST when the file
	// gives none.
	Method string
	// Header holds the static request headers; nil when none.
	Header http.Header
	// Timeout bounds each request; 0 means the targets default (5 s).
	Timeout time.Duration
	// RateLimit caps requests per second; 0 means the targets default
	// (300).
	RateLimit float64
	// Auth authorizes the requests; nil sends no credentials.
	Auth *Auth
}

// Auth is an HTTP target's authorization: exactly one field is set.
type Auth struct {
	Basic  *BasicAuth
	APIKey *APIKeyAuth
	OAuth  *OAuthAuth
}

// BasicAuth is HTTP Basic authorization.
type BasicAuth struct {
	Username string
	Password targets.Secret
}

// APIKeyAuth sends a key in a request header.
type APIKeyAuth struct {
	Header string
	Value  targets.Secret
}

// OAuthAuth obtains bearer tokens with the OAuth 2 client-credentials
// grant.
type OAuthAuth struct {
	TokenURL     string
	ClientID     string
	ClientSecret targets.Secret
	Scopes       []string
}

// FileSink appends each payload as a JSON line to a file.
type FileSink struct {
	// Path is the file's path; a relative path in the rules file has been
	// joined to the rules file's directory.
	Path string

	pos position // of the Path value
}

// StdoutSink writes each payload as a JSON line to the writer given to
// [File.Build] (the process's standard output for rulebridge run).
type StdoutSink struct{}
