package pattern_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"sort"
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

// TestConformanceMatcher runs the corpus's valid cases through a Matcher
// that holds every corpus pattern at once, and checks that each event
// matches exactly the patterns AWS says it matches (its own case's
// pattern, and any other that TestEventPattern also accepts).
func TestConformanceMatcher(t *testing.T) {
	cases := readCorpus(t)
	m := pattern.NewMatcher(pattern.WithMaxPatternSize(4096))
	var valid []corpusCase
	compiled := map[string]*pattern.Pattern{}
	var names []string
	for _, c := range cases {
		if p, err := pattern.Compile([]byte(c.Pattern), pattern.WithMaxPatternSize(4096)); err == nil {
			compiled[c.ID] = p
			names = append(names, c.ID)
		}
		err := m.Add(c.ID, []byte(c.Pattern))
		if c.Expect == "invalid" && c.InvalidInput == "pattern" {
			if err == nil {
				t.Errorf("%s: Add accepted a pattern AWS rejects", c.ID)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: Add: %v", c.ID, err)
		}
		if c.Expect != "invalid" {
			valid = append(valid, c)
		}
	}
	sort.Strings(names)
	passed, failed := 0, 0
	for _, c := range valid {
		got, err := m.Match([]byte(c.Event), nil)
		if err != nil {
			t.Errorf("%s: Match: %v", c.ID, err)
			failed++
			continue
		}
		in := false
		for i, name := range got {
			if i > 0 && got[i-1] >= name {
				t.Errorf("%s: names not in ascending order: %q", c.ID, got)
			}
			if name == c.ID {
				in = true
			}
		}
		if in != (c.Expect == "match") {
			t.Errorf("%s: Matcher says match=%v, AWS says %s", c.ID, in, c.Expect)
			failed++
			continue
		}
		// The Matcher must report exactly the patterns that match on their own.
		var want []string
		for _, name := range names {
			if r, _ := compiled[name].Match([]byte(c.Event)); r {
				want = append(want, name)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: Matcher reported %q, want %q", c.ID, got, want)
			failed++
			continue
		}
		passed++
	}
	t.Logf("matcher conformance: %d passed, %d failed", passed, failed)
}
