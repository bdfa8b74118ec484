package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The sample log's story: WARNs at 09:00:41 and 09:03:30; the one at
// 09:05:42 is 5:01 after the first, which has left the window, so no
// alarm; the first at 09:08:29 is 4:59 after 09:03:30: three in five
// minutes, ALARM. The second at 09:08:29 is a fourth, not a new alarm; at
// 09:08:30 the 09:03:30 WARN leaves the window, leaving three; at
// 09:10:42 the 09:05:42 WARN leaves too: two, OK.
const want = `09:02:03 ERROR: payment gateway timeout after 30 s
09:08:29 ALARM: 3 WARN lines within 5 minutes
09:09:00 ERROR: db connection refused
09:10:42 OK: 2 WARN lines in the last 5 minutes
`

// TestSampleLog replays app.log inside a synctest bubble, whose fake
// clock makes the 14 minutes of the log pass at once and the output
// exact, at the log's own pace and 60 times faster.
func TestSampleLog(t *testing.T) {
	log, err := os.ReadFile("app.log")
	if err != nil {
		t.Fatal(err)
	}
	for _, speed := range []float64{1, 60} {
		synctest.Test(t, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := run(context.Background(), bytes.NewReader(log), &out, &errOut, speed); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Errorf("speed %g: output:\n%s\nwant:\n%s", speed, out.String(), want)
			}
			if got := errOut.String(); got != "line 8: not \"<RFC 3339 time> [LEVEL] message\": skipped\n" {
				t.Errorf("speed %g: errors: %q", speed, got)
			}
		})
	}
}

// TestLateLines: lines that arrive after their time (as from tail -F) are
// put at once, and the window is measured when they arrive.
func TestLateLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out, errOut bytes.Buffer
		in := strings.NewReader("2026-03-02T09:00:00Z [WARN] a\n2026-03-02T08:00:00Z [WARN] b\n2026-03-02T08:00:00Z [WARN] c\n")
		if err := run(context.Background(), in, &out, &errOut, 1); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != "09:00:00 ALARM: 3 WARN lines within 5 minutes\n" {
			t.Errorf("output %q", got)
		}
	})
}

func TestBadSpeed(t *testing.T) {
	for _, speed := range []float64{0, 7} {
		err := run(context.Background(), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, speed)
		if err == nil {
			t.Errorf("-speed %g accepted", speed)
		}
	}
	err := run(context.Background(), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, 7)
	if err == nil || !strings.Contains(err.Error(), "-speed 7: rules: ValidationException: rule \"warn-burst\": Parameter Threshold.Period is not valid: 42.857142857s is not a whole number of seconds.") {
		t.Errorf("-speed 7: %v", err)
	}
}
