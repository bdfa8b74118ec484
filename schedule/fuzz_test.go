package schedule

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that String round-trips
// through Parse to an equal schedule, and that Next is strictly increasing
// (and stays on whole minutes for cron). Seeds: the expressions of the
// shared vector file plus testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"cron(0 9 ? * FRI *)", "cron(0/30 20-2 ? * MON-FRI *)", "cron(0 0 L-3 * ? *)", "cron(0 0 LW * ? *)",
		"cron(0 0 15W * ? *)", "cron(0 0 ? * 6L *)", "cron(0 0 ? * TUE#2 *)", "cron(0 0 ? * MON/2 *)",
		"cron(0 0 1 NOV-FEB ? 2020-2030/3)", "rate(1 minute)", "rate(7 days)", "at(2030-06-01T12:00:00)",
	} {
		f.Add(s)
	}
	if file, err := os.Open("../../shared/schedule/cron_vectors.jsonl"); err == nil {
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			var v struct{ Expr string }
			if json.Unmarshal(sc.Bytes(), &v) == nil {
				f.Add(v.Expr)
			}
		}
		file.Close()
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string) {
		for _, loc := range []*time.Location{time.UTC, ny} {
			s, err := Parse(expr, WithLocation(loc), WithStartDate(start))
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("Parse(%q): error %T is not *Error: %v", expr, err, err)
				}
				return
			}
			canon := s.String()
			again, err := Parse(canon, WithLocation(loc), WithStartDate(start))
			if err != nil {
				t.Fatalf("Parse(%q).String() = %q does not parse: %v", expr, canon, err)
			}
			if again.String() != canon {
				t.Fatalf("String not stable: %q -> %q -> %q", expr, canon, again.String())
			}
			if !sameSpec(s.s, again.s) {
				t.Fatalf("Parse(%q) and Parse(%q) differ", expr, canon)
			}
			checkIncreasing(t, s, start.Add(-24*time.Hour))
			checkIncreasing(t, s, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC))
		}
	})
}

// sameSpec reports whether two parsed schedules are semantically equal,
// ignoring a rate's anchor state.
func sameSpec(a, b *spec) bool {
	if a.kind != b.kind || a.loc != b.loc || !a.start.Equal(b.start) || !a.end.Equal(b.end) || a.window != b.window {
		return false
	}
	switch a.kind {
	case KindCron:
		return *a.cron == *b.cron
	case KindRate:
		return a.rate.value == b.rate.value && a.rate.unit == b.rate.unit && a.rate.every == b.rate.every
	default:
		return *a.at == *b.at && a.atInstant.Equal(b.atInstant)
	}
}

func checkIncreasing(t *testing.T, s Schedule, from time.Time) {
	t.Helper()
	prev := from
	for range 20 {
		n := s.Next(prev)
		if n.IsZero() {
			return
		}
		if !n.After(prev) {
			t.Fatalf("%s: Next(%v) = %v is not after it", s, prev, n)
		}
		if s.Kind() == KindCron && (n.Second() != 0 || n.Nanosecond() != 0) {
			t.Fatalf("%s: Next(%v) = %v is not on a whole minute", s, prev, n)
		}
		prev = n
	}
}
