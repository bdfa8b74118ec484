package rules_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/rules"
)

// times returns the "time" of each event a recorder received, in order of
// arrival.
func times(r *recorder) []string {
	var out []string
	for _, d := range r.deliveries() {
		s := string(d.Event)
		i := strings.Index(s, `"time":"`)
		out = append(out, s[i+8:i+8+20])
	}
	return out
}

// Scheduled rules run under testing/synctest, whose fake clock starts at
// 2000-01-01T00:00:00Z, a Saturday.
func TestScheduledRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		// The clock does not stamp scheduled events: their time is the
		// nominal fire time.
		b := newBus(t, rules.WithEventIDs(counterIDs()), rules.WithClock(fixedClock))
		rec, spy := &recorder{}, &recorder{}
		arn := mustPutRule(t, b, rules.Rule{Name: "every5", ScheduleExpression: "rate(5 minutes)"})
		mustPutTargets(t, b, "every5", rules.Target{ID: "rec", Target: rec})
		// Scheduled events go to their rule only, never through matching.
		mustPutRule(t, b, rules.Rule{Name: "spy", EventPattern: `{"source": ["aws.events"]}`})
		mustPutTargets(t, b, "spy", rules.Target{ID: "rec", Target: spy})

		time.Sleep(16 * time.Minute)
		synctest.Wait()
		// ev-1 to ev-4 are the audit events of the four management calls.
		want := `{"version":"0","id":"ev-5","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2000-01-01T00:05:00Z","region":"us-east-1","resources":["` + arn + `"],"detail":{}}`
		if d := rec.deliveries(); len(d) == 0 || string(d[0].Payload) != want {
			t.Fatalf("first scheduled event:\n got %v\nwant %s", rec.payloads(), want)
		}
		if got := strings.Join(times(rec), " "); got != "2000-01-01T00:05:00Z 2000-01-01T00:10:00Z 2000-01-01T00:15:00Z" {
			t.Errorf("fired at %s", got)
		}

		// New targets apply to the next run without moving the schedule.
		rec2 := &recorder{}
		if err := b.RemoveTargets(ctx, "every5", "rec"); err != nil {
			t.Fatal(err)
		}
		mustPutTargets(t, b, "every5", rules.Target{ID: "rec2", Target: rec2})
		time.Sleep(5 * time.Minute) // 00:21
		synctest.Wait()
		if got := strings.Join(times(rec2), " "); got != "2000-01-01T00:20:00Z" || len(rec.deliveries()) != 3 {
			t.Errorf("after changing targets: rec2 fired at %q, rec has %d", got, len(rec.deliveries()))
		}

		// Disabling stops the schedule; enabling starts it anew.
		if err := b.DisableRule(ctx, "every5"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour) // 01:21
		synctest.Wait()
		if n := len(rec2.deliveries()); n != 1 {
			t.Errorf("a disabled rule fired: %d runs", n)
		}
		if err := b.EnableRule(ctx, "every5"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(6 * time.Minute) // 01:27
		synctest.Wait()
		if got := strings.Join(times(rec2), " "); got != "2000-01-01T00:20:00Z 2000-01-01T01:26:00Z" {
			t.Errorf("after enabling: fired at %s", got)
		}

		// Changing the expression reschedules.
		mustPutRule(t, b, rules.Rule{Name: "every5", ScheduleExpression: "rate(1 hour)"})
		time.Sleep(2 * time.Hour) // 03:27
		synctest.Wait()
		if got := strings.Join(times(rec2), " "); got != "2000-01-01T00:20:00Z 2000-01-01T01:26:00Z 2000-01-01T02:27:00Z 2000-01-01T03:27:00Z" {
			t.Errorf("after rescheduling: fired at %s", got)
		}

		// Deleting stops it.
		if err := b.DeleteRule(ctx, "every5", true); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Hour)
		synctest.Wait()
		if n := len(rec2.deliveries()); n != 4 {
			t.Errorf("a deleted rule fired: %d runs", n)
		}
		if n := len(spy.deliveries()); n != 0 {
			t.Errorf("scheduled events reached another rule: %d", n)
		}
		if m := b.Metrics(); m.Events != 7 || m.TriggeredRules != 7 || m.SuccessfulInvocationAttempts != 7 {
			t.Errorf("metrics %+v", m)
		}
	})
}

func TestScheduledCronTimeZone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		rec := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "friday-tokyo", ScheduleExpression: "cron(0 7 ? * FRI *)", ScheduleExpressionTimezone: "Asia/Tokyo"})
		mustPutTargets(t, b, "friday-tokyo", rules.Target{ID: "rec", Target: rec})
		mustPutRule(t, b, rules.Rule{Name: "friday-utc", ScheduleExpression: "cron(0 7 ? * FRI *)"})
		utc := &recorder{}
		mustPutTargets(t, b, "friday-utc", rules.Target{ID: "rec", Target: utc})
		time.Sleep(14 * 24 * time.Hour) // to 2000-01-15
		synctest.Wait()
		// Friday 07:00 in Tokyo (UTC+9) is Thursday 22:00 UTC.
		if got := strings.Join(times(rec), " "); got != "2000-01-06T22:00:00Z 2000-01-13T22:00:00Z" {
			t.Errorf("Tokyo rule fired at %s", got)
		}
		if got := strings.Join(times(utc), " "); got != "2000-01-07T07:00:00Z 2000-01-14T07:00:00Z" {
			t.Errorf("UTC rule fired at %s", got)
		}
	})
}

// TestScheduleAndPattern: a rule with both fires on its schedule and on
// matching events, and its condition applies to both.
func TestScheduleAndPattern(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		rec := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "both", EventPattern: orderPattern, ScheduleExpression: "rate(1 hour)",
			Condition: `event.source == "aws.events" || event.detail.total > 10.0`})
		mustPutTargets(t, b, "both", rules.Target{ID: "rec", Target: rec, InputPath: "$.source"})
		mustPut(t, b, order(1, 5), order(2, 50))
		time.Sleep(61 * time.Minute)
		synctest.Wait()
		if got := fmt.Sprint(rec.payloads()); got != `["aws.events" "shop"]` {
			t.Errorf("delivered %s", got)
		}
	})
}

// TestScheduledFullQueue: a schedule run that finds the queue full waits
// for room; the runs that fall due meanwhile are throttled and counted.
func TestScheduledFullQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var throttled []string
		obs := rules.ObserverFunc(func(_ context.Context, n rules.Notice) {
			if n.Kind == rules.EventThrottled {
				mu.Lock()
				throttled = append(throttled, n.Rule+" "+n.Code)
				mu.Unlock()
			}
		})
		b := newBus(t, rules.WithQueueCapacity(1), rules.WithObserver(obs))
		g := newGate()
		mustPutRule(t, b, rules.Rule{Name: "busy", EventPattern: orderPattern})
		mustPutTargets(t, b, "busy", rules.Target{ID: "gate", Target: g})
		mustPut(t, b, order(1, 1)) // fills the queue
		rec := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "tick", ScheduleExpression: "rate(1 minute)"})
		mustPutTargets(t, b, "tick", rules.Target{ID: "rec", Target: rec})

		time.Sleep(3*time.Minute + 30*time.Second)
		synctest.Wait()
		if n := len(rec.deliveries()); n != 0 {
			t.Fatalf("delivered %d scheduled events through a full queue", n)
		}
		mu.Lock()
		if m := b.Metrics(); m.ScheduledEventsThrottled != 2 || len(throttled) != 2 || throttled[0] != "tick ThrottlingException" {
			t.Errorf("throttled: %d counted, notices %q", m.ScheduledEventsThrottled, throttled)
		}
		mu.Unlock()
		g.release()
		synctest.Wait()
		time.Sleep(time.Minute) // 04:30
		synctest.Wait()
		if got := strings.Join(times(rec), " "); got != "2000-01-01T00:01:00Z 2000-01-01T00:04:00Z" {
			t.Errorf("scheduled events at %s, want the waiting 00:01 run and the 00:04 one", got)
		}
	})
}
