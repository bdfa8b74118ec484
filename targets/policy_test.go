package targets_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

func TestRetryPolicyValidate(t *testing.T) {
	valid := []targets.RetryPolicy{
		{}, {MaximumRetryAttempts: targets.NoRetries}, {MaximumRetryAttempts: 1}, {MaximumRetryAttempts: 185},
		{MaximumEventAgeInSeconds: 60}, {MaximumEventAgeInSeconds: 86400},
	}
	for _, p := range valid {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	invalid := []struct {
		p    targets.RetryPolicy
		want []string
	}{
		{targets.RetryPolicy{MaximumRetryAttempts: 186}, []string{"RetryPolicy.MaximumRetryAttempts: 186 is out of range"}},
		{targets.RetryPolicy{MaximumRetryAttempts: -2}, []string{"MaximumRetryAttempts: -2"}},
		{targets.RetryPolicy{MaximumEventAgeInSeconds: 59}, []string{"RetryPolicy.MaximumEventAgeInSeconds: 59 is out of range: want 60-86400"}},
		{targets.RetryPolicy{MaximumEventAgeInSeconds: 86401}, []string{"86401"}},
		{targets.RetryPolicy{MaximumRetryAttempts: 999, MaximumEventAgeInSeconds: 1, Backoff: targets.Backoff{Base: -1}},
			[]string{"MaximumRetryAttempts: 999", "MaximumEventAgeInSeconds: 1", "Backoff.Base"}},
	}
	for _, c := range invalid {
		err := c.p.Validate()
		var ce *targets.ConfigError
		if err == nil || !errors.As(err, &ce) {
			t.Errorf("%+v: got %v, want a *ConfigError", c.p, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not say %q", c.p, err, w)
			}
		}
	}
	if _, err := targets.Retry(targets.RetryPolicy{MaximumRetryAttempts: 500}, nil); err == nil {
		t.Error("Retry accepted an invalid policy")
	}
}

func TestBackoffDelay(t *testing.T) {
	b := targets.Backoff{Base: time.Second, Cap: 10 * time.Second, Rand: fixedRand(0.5)}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	// Defaults: 1 s base, 15 min cap; no overflow at the 185th retry.
	d := targets.Backoff{Rand: fixedRand(0.999999)}
	if got := d.Delay(1); got < 999*time.Millisecond || got >= time.Second {
		t.Errorf("default Delay(1) = %v", got)
	}
	if got := d.Delay(185); got < 14*time.Minute || got >= 15*time.Minute {
		t.Errorf("default Delay(185) = %v, want just under 15m", got)
	}
	// Full jitter: a zero draw means no wait.
	if got := (targets.Backoff{Rand: fixedRand(0)}).Delay(7); got != 0 {
		t.Errorf("Delay with rand 0 = %v", got)
	}
}

func TestDecide(t *testing.T) {
	p := targets.RetryPolicy{MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60,
		Backoff: targets.Backoff{Base: 10 * time.Second, Cap: time.Minute, Rand: fixedRand(0.5)}}
	plain := errors.New("boom")
	cases := []struct {
		name    string
		p       targets.RetryPolicy
		attempt int
		err     error
		age     time.Duration
		want    targets.Decision
	}{
		{"retry 1", p, 1, plain, 0, targets.Decision{Retry: true, Delay: 5 * time.Second, Code: targets.CodeErrorFromTarget}},
		{"retry 2", p, 2, plain, 5 * time.Second, targets.Decision{Retry: true, Delay: 10 * time.Second, Code: targets.CodeErrorFromTarget}},
		{"attempts exhausted", p, 3, plain, 15 * time.Second, targets.Decision{Code: targets.CodeErrorFromTarget, Condition: targets.MaximumRetryAttempts}},
		{"age would be exceeded", p, 1, plain, 56 * time.Second, targets.Decision{Code: targets.CodeErrorFromTarget, Condition: targets.MaximumEventAgeInSeconds}},
		{"age exactly reached is allowed", p, 1, plain, 55 * time.Second, targets.Decision{Retry: true, Delay: 5 * time.Second, Code: targets.CodeErrorFromTarget}},
		{"permanent", p, 1, targets.Permanent(plain), 0, targets.Decision{Code: targets.CodeErrorFromTarget}},
		{"retry-after longer than backoff", p, 1, targets.RetryAfter(plain, 30*time.Second), 0, targets.Decision{Retry: true, Delay: 30 * time.Second, Code: targets.CodeErrorFromTarget}},
		{"retry-after shorter than backoff", p, 1, targets.RetryAfter(plain, time.Second), 0, targets.Decision{Retry: true, Delay: 5 * time.Second, Code: targets.CodeErrorFromTarget}},
		{"retry-after past the age limit", p, 1, targets.RetryAfter(plain, time.Minute), 1, targets.Decision{Code: targets.CodeErrorFromTarget, Condition: targets.MaximumEventAgeInSeconds}},
		{"negative retry-after stops", p, 1, targets.RetryAfter(plain, -1), 0, targets.Decision{Code: targets.CodeErrorFromTarget}},
		{"no retries", targets.RetryPolicy{MaximumRetryAttempts: targets.NoRetries}, 1, plain, 0, targets.Decision{Code: targets.CodeErrorFromTarget, Condition: targets.MaximumRetryAttempts}},
		{"timeout code", p, 1, context.DeadlineExceeded, 0, targets.Decision{Retry: true, Delay: 5 * time.Second, Code: targets.CodeTimeout}},
		{"custom code", p, 1, &targets.Error{Code: targets.CodeThrottling, Err: plain}, 0, targets.Decision{Retry: true, Delay: 5 * time.Second, Code: targets.CodeThrottling}},
	}
	for _, c := range cases {
		if got := c.p.Decide(c.attempt, c.err, c.age); got != c.want {
			t.Errorf("%s: Decide = %+v, want %+v", c.name, got, c.want)
		}
	}
	t.Logf("Decide: %d cases", len(cases))
}

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	cases := []struct {
		err       error
		code      targets.ErrorCode
		permanent bool
	}{
		{errors.New("x"), targets.CodeErrorFromTarget, false},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), targets.CodeTimeout, false},
		{context.Canceled, targets.CodeInterrupted, false},
		{refused, targets.CodeConnectionFailure, false},
		{&net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, targets.CodeConnectionFailure, true},
		{targets.Permanent(refused), targets.CodeConnectionFailure, true},
		{fmt.Errorf("outer: %w", targets.Permanent(errors.New("x"))), targets.CodeErrorFromTarget, true},
		{&targets.Error{Code: targets.CodeNoResource, Err: errors.New("gone")}, targets.CodeNoResource, false},
		{&targets.Error{Err: context.DeadlineExceeded}, targets.CodeTimeout, false},
	}
	for _, c := range cases {
		got := targets.Classify(c.err)
		if got.Code != c.code || got.Permanent != c.permanent || got.Err != c.err {
			t.Errorf("Classify(%v) = %+v, want code %s permanent %v", c.err, got, c.code, c.permanent)
		}
	}
	if targets.Permanent(nil) != nil || targets.RetryAfter(nil, time.Second) != nil {
		t.Error("Permanent(nil) or RetryAfter(nil) is not nil")
	}
	if !errors.Is(targets.Permanent(context.DeadlineExceeded), context.DeadlineExceeded) {
		t.Error("Permanent hides the wrapped error from errors.Is")
	}
}
