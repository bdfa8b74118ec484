package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// lockedBuffer collects the jobs' lines, which they write from delivery
// goroutines.
type lockedBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// TestBot runs the bot for two weeks of fake time (synctest starts the
// clock at 2000-01-01 00:00 UTC, a Saturday) and checks every fire: the
// queue check every 3 hours from the start, the reminder on the two
// Fridays at 07:00 in Tokyo (Thursdays 22:00 UTC).
func TestBot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var out lockedBuffer
		bus, err := newBot(&out)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(14*24*time.Hour + time.Minute)
		if err := bus.Close(context.Background()); err != nil {
			t.Fatal(err)
		}

		var checks, reminders []string
		for _, l := range out.lines {
			switch {
			case strings.HasSuffix(l, " checking the queues"):
				checks = append(checks, strings.TrimSuffix(l, " checking the queues"))
			case strings.HasSuffix(l, " stand-up in two hours"):
				reminders = append(reminders, strings.TrimSuffix(l, " stand-up in two hours"))
			default:
				t.Errorf("unexpected line %q", l)
			}
		}
		if len(checks) != 14*8 {
			t.Errorf("%d queue checks in 14 days, want %d", len(checks), 14*8)
		}
		for i, c := range checks {
			if want := start.Add(time.Duration(i+1) * 3 * time.Hour).UTC().Format(time.RFC3339); c != want {
				t.Errorf("queue check %d at %s, want %s", i+1, c, want)
				break
			}
		}
		want := []string{"2000-01-07T07:00:00+09:00", "2000-01-14T07:00:00+09:00"}
		if strings.Join(reminders, " ") != strings.Join(want, " ") {
			t.Errorf("reminders at %q, want %q", reminders, want)
		}
		t.Logf("%d queue checks, first %s, last %s; reminders %v", len(checks), checks[0], checks[len(checks)-1], reminders)
	})
}
