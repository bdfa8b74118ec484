package schedule_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
)

const vectorsPath = "../../shared/schedule/cron_vectors.jsonl"

// vector is one line of cron_vectors.jsonl.
type vector struct {
	Expr          string   `json:"expr"`
	From          string   `json:"from"`
	TZ            string   `json:"tz"`
	Next          []string `json:"next"`
	Exhausted     bool     `json:"exhausted"`
	FromInclusive bool     `json:"from_inclusive"`
	Invalid       bool     `json:"invalid"`
	Valid         bool     `json:"valid"`
	Uncertain     bool     `json:"uncertain"`
	Note          string   `json:"note"`
}

func readVectors(t *testing.T) []vector {
	t.Helper()
	f, err := os.Open(vectorsPath)
	if err != nil {
		t.Fatalf("vector file is required: %v", err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s:%d: %v", vectorsPath, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no vectors")
	}
	return out
}

// uncertainBehaviour records, for each vector marked uncertain, whether
// this package agrees with the vector. Keys are expr + "|" + from. The
// behaviour is documented in doc.go ("Quartz extensions" and "Time zones
// and daylight saving").
var uncertainBehaviour = map[string]bool{
	"cron(30 9 L-30 2 ? *)|2025-01-21T00:00:00Z":     true,  // L-n accepted; never fires in February
	"cron(0 8 ? * FRI-MON *)|2026-06-05T12:00:00Z":   true,  // wrap-around ranges accepted
	"cron(0 0 1 NOV-FEB ? *)|2026-06-05T00:00:00Z":   true,  // wrap-around ranges accepted
	"cron(0 0 31W * ? 2020)|2020-04-30T22:30:57Z":    true,  // nW skips months without day n
	"cron(30 9 L-2 * ? *)|2020-05-09T22:30:57+01:00": true,  // L-n accepted in day-of-month
	"cron(30 1 * * ? *)|2025-11-01T12:00:00-04:00":   true,  // fall-back: first occurrence only
	"cron(0/30 * * * ? *)|2025-11-02T00:45:00-04:00": true,  // fall-back: the repeated hour is not re-fired
	"cron(0 9 ? * mOn *)|":                           true,  // names in any case
	"cron(0 0 1/10,2,3/8 * ? *)|":                    true,  // steps inside lists
	"cron(15 10 ? * L-2 2019-2022)|":                 false, // L-n rejected in day-of-week (no defined meaning)
	"cron(30 9 L-2 * ? *)|":                          true,  // L-n accepted in day-of-month
	"cron(5/155 10 * * ? *)|":                        true,  // step larger than the field's maximum rejected
}

// TestVectors runs every line of the shared vector file.
func TestVectors(t *testing.T) {
	var passed, failed, uPassed, uDiffer int
	seenUncertain := map[string]bool{}
	for i, v := range readVectors(t) {
		key := v.Expr + "|" + v.From
		problem := checkVector(v)
		if v.Uncertain {
			seenUncertain[key] = true
			agrees, known := uncertainBehaviour[key]
			switch {
			case !known:
				failed++
				t.Errorf("line %d %q: uncertain vector without a recorded behaviour (agrees=%v: %s)", i+1, v.Expr, problem == "", problem)
			case agrees != (problem == ""):
				failed++
				t.Errorf("line %d %q: uncertain vector: want agrees=%v, got problem %q", i+1, v.Expr, agrees, problem)
			case agrees:
				uPassed++
			default:
				uDiffer++
				t.Logf("line %d %q: uncertain, deliberately differs: %s", i+1, v.Expr, problem)
			}
			continue
		}
		if problem != "" {
			failed++
			t.Errorf("line %d %q: %s", i+1, v.Expr, problem)
			continue
		}
		passed++
	}
	for key := range uncertainBehaviour {
		if !seenUncertain[key] {
			t.Errorf("recorded behaviour for %q matches no uncertain vector", key)
		}
	}
	// Every line is counted once: a certain line passes if it matches the
	// vector; an uncertain line passes if it behaves as recorded above
	// (agreeing with the vector or deliberately differing from it).
	t.Logf("certain vectors: %d match; uncertain vectors: %d agree, %d differ as documented", passed, uPassed, uDiffer)
	t.Logf("%d passed, %d failed", passed+uPassed+uDiffer, failed)
	if failed > 0 {
		t.Fail()
	}
}

// checkVector returns "" if the package's behaviour matches v, or what
// differs.
func checkVector(v vector) string {
	switch {
	case v.Invalid:
		_, err := schedule.Parse(v.Expr)
		if err == nil {
			return "parsed, want an error"
		}
		if !errors.Is(err, schedule.ErrInvalidExpression) {
			return "error does not match ErrInvalidExpression: " + err.Error()
		}
		return ""
	case v.Valid:
		if _, err := schedule.Parse(v.Expr); err != nil {
			return "want valid, got " + err.Error()
		}
		return ""
	}
	s, err := schedule.Parse(v.Expr, schedule.WithTimeZone(v.TZ))
	if err != nil {
		return "parse: " + err.Error()
	}
	from, err := time.Parse(time.RFC3339, v.From)
	if err != nil {
		return "bad from in vector: " + err.Error()
	}
	if v.FromInclusive {
		from = from.Add(-time.Nanosecond)
	}
	at := from
	var got []string
	for range v.Next {
		n := s.Next(at)
		if n.IsZero() {
			break
		}
		got = append(got, n.Format(time.RFC3339))
		at = n
	}
	if !sameTimes(got, v.Next) {
		return "next: got " + strings.Join(got, " ") + "; want " + strings.Join(v.Next, " ")
	}
	if v.Exhausted {
		if n := s.Next(at); !n.IsZero() {
			return "want exhausted, got another fire at " + n.Format(time.RFC3339)
		}
	}
	return ""
}

// sameTimes reports whether got and want list the same instants with the
// same UTC offsets (so "+00:00" equals "Z").
func sameTimes(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, err1 := time.Parse(time.RFC3339, got[i])
		w, err2 := time.Parse(time.RFC3339, want[i])
		if err1 != nil || err2 != nil || !g.Equal(w) {
			return false
		}
		_, gOff := g.Zone()
		_, wOff := w.Zone()
		if gOff != wOff {
			return false
		}
	}
	return true
}
