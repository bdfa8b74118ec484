package pattern_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rulebridge/rulebridge/pattern"
)

// corpusPath is the AWS-validated conformance corpus, relative to this
// package directory.
const corpusPath = "../../shared/conformance/patterns.jsonl"

type corpusCase struct {
	ID       string `json:"id"`
	Pattern  string `json:"pattern"`
	Event    string `json:"event"`
	Expect   string `json:"expect"`
	AWSError *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"aws_error"`
	InvalidInput string `json:"invalid_input"`
}

func readCorpus(t testing.TB) []corpusCase {
	t.Helper()
	f, err := os.Open(corpusPath)
	if err != nil {
		t.Fatalf("conformance corpus: %v", err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("corpus line %d: %v", len(cases)+1, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("conformance corpus is empty")
	}
	return cases
}

// awsReason returns the reason part of an AWS InvalidEventPatternException
// message.
func awsReason(msg string) string {
	const p = "Reason: "
	if i := strings.Index(msg, p); i >= 0 {
		msg = msg[i+len(p):]
	}
	if i := strings.Index(msg, "\n at [Source"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// TestConformance runs every case of the AWS-validated corpus through
// TestEventPattern, as AWS's TestEventPattern API answered it.
func TestConformance(t *testing.T) {
	cases := readCorpus(t)
	passed, failed, reasons, agree := 0, 0, 0, 0
	for _, c := range cases {
		ok := t.Run(c.ID, func(t *testing.T) {
			got, err := pattern.TestEventPattern([]byte(c.Pattern), []byte(c.Event))
			switch c.Expect {
			case "match", "nomatch":
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if got != (c.Expect == "match") {
					t.Fatalf("got match=%v, AWS says %s", got, c.Expect)
				}
			case "invalid":
				if err == nil {
					t.Fatalf("accepted; AWS rejected it with %q", c.AWSError.Message)
				}
				switch c.InvalidInput {
				case "pattern":
					var pe *pattern.Error
					if !errors.As(err, &pe) || !errors.Is(err, pattern.ErrInvalidPattern) {
						t.Fatalf("got %T %v, want a *pattern.Error", err, err)
					}
					reasons++
					if want := awsReason(c.AWSError.Message); pe.Reason == want {
						agree++
					} else {
						t.Errorf("reason %q, AWS says %q", pe.Reason, want)
					}
				case "event":
					var ee *pattern.EventError
					if !errors.As(err, &ee) || !errors.Is(err, pattern.ErrInvalidEvent) {
						t.Fatalf("got %T %v, want a *pattern.EventError", err, err)
					}
					if !strings.HasPrefix(err.Error(), c.AWSError.Message) {
						t.Errorf("message %q does not start with AWS's %q", err.Error(), c.AWSError.Message)
					}
				default:
					t.Fatalf("unknown invalid_input %q", c.InvalidInput)
				}
			default:
				t.Fatalf("unknown expect %q", c.Expect)
			}
		})
		if ok {
			passed++
		} else {
			failed++
		}
	}
	t.Logf("conformance: %d passed, %d failed", passed, failed)
	t.Logf("reasons: %d of %d agree", agree, reasons)
	if failed > 0 || agree != reasons {
		t.Errorf("conformance: %d passed, %d failed; reasons: %d of %d agree", passed, failed, agree, reasons)
	}
}
