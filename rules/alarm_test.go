package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rulebridge/rulebridge/rules"
)

// Alarm tests run inside synctest bubbles, whose clock starts at
// 2000-01-01T00:00:00Z; t0 is that instant, when each test puts its rules.

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// sleepTo advances the bubble's clock to t0+d and lets everything settle.
func sleepTo(d time.Duration) {
	time.Sleep(time.Until(t0.Add(d)))
	synctest.Wait()
}

const warnPattern = `{"source": ["app"], "detail": {"level": ["WARN"]}}`

func warn() rules.Entry {
	return rules.Entry{Source: "app", DetailType: "Log Line", Detail: `{"level": "WARN"}`}
}

// alarmEvent is the part of an Alarm State Change event the tests read.
type alarmEvent struct {
	Source     string   `json:"source"`
	DetailType string   `json:"detail-type"`
	Time       string   `json:"time"`
	Resources  []string `json:"resources"`
	Detail     struct {
		AlarmName     string     `json:"alarmName"`
		State         alarmState `json:"state"`
		PreviousState alarmState `json:"previousState"`
		Configuration struct {
			Description   string `json:"description"`
			Count         int64  `json:"count"`
			PeriodSeconds int64  `json:"periodSeconds"`
			Comparison    string `json:"comparison"`
			Field         string `json:"field"`
		} `json:"configuration"`
	} `json:"detail"`
}

type alarmState struct {
	Value      string `json:"value"`
	Reason     string `json:"reason"`
	ReasonData *struct {
		Value     float64 `json:"value"`
		Threshold int64   `json:"threshold"`
	} `json:"reasonData"`
	Timestamp string `json:"timestamp"`
}

func decodeAlarm(t testing.TB, payload []byte) alarmEvent {
	t.Helper()
	var ev alarmEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatalf("alarm event %s: %v", payload, err)
	}
	return ev
}

// watchAlarms routes every Alarm State Change event to a recorder.
func watchAlarms(t testing.TB, b *rules.Bus) *recorder {
	t.Helper()
	rec := &recorder{}
	mustPutRule(t, b, rules.Rule{Name: "alarm-watch", EventPattern: `{"source": ["rulebridge.alarms"], "detail-type": ["Alarm State Change"]}`})
	mustPutTargets(t, b, "alarm-watch", rules.Target{ID: "rec", Target: rec})
	return rec
}

// transitions returns the recorded alarm events as "hh:mm:ss.mmm name
// FROM->TO value", sorted (deliveries arrive in any order).
func transitions(t testing.TB, r *recorder) []string {
	t.Helper()
	var out []string
	for _, d := range r.deliveries() {
		ev := decodeAlarm(t, d.Payload)
		s := ev.Detail.State
		line := fmt.Sprintf("%s %s %s->%s", s.Timestamp[11:23], ev.Detail.AlarmName, ev.Detail.PreviousState.Value, s.Value)
		if s.ReasonData != nil {
			line += fmt.Sprintf(" %g", s.ReasonData.Value)
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

func equalLines(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func describeAlarm(t testing.TB, b *rules.Bus, name string) rules.AlarmInfo {
	t.Helper()
	a, err := b.DescribeAlarm(name)
	if err != nil {
		t.Fatalf("DescribeAlarm(%s): %v", name, err)
	}
	return a
}

// TestAlarmWindowEdges: with a 5-minute period (buckets of 500 ms), an
// event at a whole second counts for exactly 5 minutes: the third WARN
// 4:59 (or 4:59.999) after the first alarms, one 5:00 or 5:01 after it
// does not. An event inside a bucket counts for at least 4:59.5: the
// last two cases show the tolerance.
func TestAlarmWindowEdges(t *testing.T) {
	for _, tt := range []struct {
		first time.Duration // after 1:00
		third time.Duration // after the first WARN
		alarm bool
	}{
		{0, 4*time.Minute + 59*time.Second, true},
		{0, 4*time.Minute + 59*time.Second + 999*time.Millisecond, true},
		{0, 5 * time.Minute, false},
		{0, 5*time.Minute + time.Second, false},
		{400 * time.Millisecond, 4*time.Minute + 59*time.Second + 500*time.Millisecond, true},  // 4:59.5: counted
		{400 * time.Millisecond, 4*time.Minute + 59*time.Second + 700*time.Millisecond, false}, // its bucket started 5:00.1 before
	} {
		t.Run(tt.first.String()+"+"+tt.third.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := newBus(t)
				watch := watchAlarms(t, b)
				fired := &recorder{}
				mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: warnPattern,
					Threshold: &rules.Threshold{Count: 3, Period: 5 * time.Minute}})
				mustPutTargets(t, b, "warns", rules.Target{ID: "page", Target: fired})
				first := time.Minute + tt.first
				sleepTo(first)
				mustPut(t, b, warn())
				sleepTo(3 * time.Minute)
				mustPut(t, b, warn())
				sleepTo(first + tt.third)
				mustPut(t, b, warn())
				synctest.Wait()
				a := describeAlarm(t, b, "warns")
				if tt.alarm {
					if a.State != rules.AlarmStateAlarm || a.Value != 3 || len(fired.deliveries()) != 1 {
						t.Errorf("third WARN %v after the first: state %s value %g, targets fired %d times; want ALARM, 3, once",
							tt.third, a.State, a.Value, len(fired.deliveries()))
					}
					return
				}
				if a.State != rules.AlarmStateOK || a.Value != 2 || len(fired.deliveries()) != 0 {
					t.Errorf("third WARN %v after the first: state %s value %g, targets fired %d times; want OK, 2, never",
						tt.third, a.State, a.Value, len(fired.deliveries()))
				}
				// The first period ended at 5:00 with two WARNs in it.
				equalLines(t, "transitions", transitions(t, watch), "00:05:00.000 warns INSUFFICIENT_DATA->OK 2")
			})
		})
	}
}

// TestAlarmQuietPeriod: an alarm returns to OK on the clock, without a
// new event, the moment its oldest event leaves the window; its targets
// fire on entering ALARM only.
func TestAlarmQuietPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		watch := watchAlarms(t, b)
		fired := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: warnPattern, Description: "three WARNs in five minutes",
			Threshold: &rules.Threshold{Count: 3, Period: 5 * time.Minute}})
		mustPutTargets(t, b, "warns", rules.Target{ID: "page", Target: fired})
		for _, at := range []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second} {
			sleepTo(at)
			mustPut(t, b, warn())
		}
		synctest.Wait()
		// Three WARNs decide before the first period is over.
		if a := describeAlarm(t, b, "warns"); a.State != rules.AlarmStateAlarm {
			t.Fatalf("after 3 WARNs: %s (%s)", a.State, a.StateReason)
		}
		sleepTo(5*time.Minute + 9*time.Second)
		if a := describeAlarm(t, b, "warns"); a.State != rules.AlarmStateAlarm {
			t.Errorf("at 5:09, before the first WARN leaves the window: %s", a.State)
		}
		sleepTo(time.Hour)
		a := describeAlarm(t, b, "warns")
		if a.State != rules.AlarmStateOK || a.Value != 0 {
			t.Errorf("after a quiet hour: %s value %g", a.State, a.Value)
		}
		if !a.StateUpdated.Equal(t0.Add(5*time.Minute + 10*time.Second)) {
			t.Errorf("returned to OK at %s, want 00:05:10, when the first WARN left the window", a.StateUpdated)
		}
		equalLines(t, "transitions", transitions(t, watch),
			"00:00:30.000 warns INSUFFICIENT_DATA->ALARM 3",
			"00:05:10.000 warns ALARM->OK 2")

		// The targets received the ALARM state change, once.
		ds := fired.deliveries()
		if len(ds) != 1 {
			t.Fatalf("targets fired %d times, want once", len(ds))
		}
		ev := decodeAlarm(t, ds[0].Payload)
		if ev.Source != rules.AlarmSource || ev.DetailType != rules.AlarmDetailType || ev.Time != "2000-01-01T00:00:30Z" ||
			ev.Resources[0] != b.RuleARN("warns") || ev.Detail.State.Value != "ALARM" || ev.Detail.PreviousState.Value != "INSUFFICIENT_DATA" ||
			ev.Detail.PreviousState.Reason != "Unchecked: Initial alarm creation" ||
			ev.Detail.State.Reason != "Threshold Crossed: the value 3 (matched events in the last 300 seconds) was greater than or equal to the threshold (3)." ||
			ev.Detail.State.ReasonData.Threshold != 3 || ev.Detail.Configuration.Count != 3 || ev.Detail.Configuration.PeriodSeconds != 300 ||
			ev.Detail.Configuration.Comparison != ">=" || ev.Detail.Configuration.Description != "three WARNs in five minutes" ||
			ds[0].RuleName != "warns" || ds[0].TargetID != "page" {
			t.Errorf("ALARM delivery %+v:\n%s", ds[0], ds[0].Payload)
		}
		if m := b.Metrics(); m.AlarmStateChanges != 2 || m.TriggeredRules != 3 {
			t.Errorf("metrics: %d state changes, %d triggered rules; want 2 and 3", m.AlarmStateChanges, m.TriggeredRules)
		}
	})
}

// TestAlarmInsufficientData: an alarm is INSUFFICIENT_DATA from its
// creation until one period has passed, unless what it observed decides;
// for < and <= a breach only decides after a whole period.
func TestAlarmInsufficientData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		watch := watchAlarms(t, b)
		heartbeatLost := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 3, Period: 5 * time.Minute}})
		mustPutRule(t, b, rules.Rule{Name: "quiet", EventPattern: `{"source": ["nothing"]}`,
			Threshold: &rules.Threshold{Count: 1, Period: 5 * time.Minute, Comparison: rules.Less}})
		mustPutRule(t, b, rules.Rule{Name: "heartbeat", EventPattern: warnPattern,
			Threshold: &rules.Threshold{Count: 2, Period: 5 * time.Minute, Comparison: rules.Less}})
		mustPutTargets(t, b, "heartbeat", rules.Target{ID: "page", Target: heartbeatLost})
		for _, name := range []string{"warns", "quiet", "heartbeat"} {
			a := describeAlarm(t, b, name)
			if a.State != rules.AlarmStateInsufficientData || a.StateReason != "Unchecked: Initial alarm creation" {
				t.Errorf("%s before any data: %s (%s)", name, a.State, a.StateReason)
			}
		}
		sleepTo(time.Minute)
		mustPut(t, b, warn())
		sleepTo(2 * time.Minute)
		mustPut(t, b, warn())                     // two: heartbeat is decided OK
		sleepTo(5*time.Minute - time.Millisecond) // quiet and warns still undecided
		if a := describeAlarm(t, b, "quiet"); a.State != rules.AlarmStateInsufficientData {
			t.Errorf("quiet at 4:59.999: %s", a.State)
		}
		sleepTo(time.Hour)
		equalLines(t, "transitions", transitions(t, watch),
			"00:02:00.000 heartbeat INSUFFICIENT_DATA->OK 2",
			"00:05:00.000 quiet INSUFFICIENT_DATA->ALARM 0", // fewer than 1 in a whole period
			"00:05:00.000 warns INSUFFICIENT_DATA->OK 2",
			"00:06:00.000 heartbeat OK->ALARM 1", // the 1:00 WARN left the window
		)
		if n := len(heartbeatLost.deliveries()); n != 1 {
			t.Errorf("heartbeat's targets fired %d times, want once", n)
		}
		if a := describeAlarm(t, b, "warns"); a.Value != 0 || !strings.HasPrefix(a.StateReason, "Threshold Crossed: the value 2 ") {
			t.Errorf("warns: value %g, reason %q", a.Value, a.StateReason)
		}
		if _, err := b.DescribeAlarm("alarm-watch"); !errors.Is(err, rules.ErrResourceNotFound) {
			t.Errorf("DescribeAlarm of a rule without a Threshold: %v", err)
		}
		if _, err := b.DescribeAlarm("nope"); !errors.Is(err, rules.ErrResourceNotFound) {
			t.Errorf("DescribeAlarm of an unknown rule: %v", err)
		}
	})
}

// TestAlarmSum sums a field; events without it, or with a non-number, are
// skipped and reported.
func TestAlarmSum(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var skipped []string
		obs := rules.ObserverFunc(func(_ context.Context, n rules.Notice) {
			if n.Kind == rules.AlarmValueSkipped {
				mu.Lock()
				skipped = append(skipped, n.Rule+" "+n.EventID+": "+n.Err.Error())
				mu.Unlock()
			}
		})
		b := newBus(t, rules.WithObserver(obs), rules.WithEventIDs(counterIDs()))
		fired := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "errors", EventPattern: `{"source": ["fn"]}`,
			Threshold: &rules.Threshold{Count: 10, Period: time.Hour, Field: "$.detail.errors", Comparison: rules.Greater}})
		mustPutTargets(t, b, "errors", rules.Target{ID: "page", Target: fired, InputPath: "$.detail.state.reasonData.value"})
		if info, _ := b.DescribeRule("errors"); info.Threshold.Field != "detail.errors" || info.Threshold.Comparison != rules.Greater {
			t.Errorf("stored threshold %+v", *info.Threshold)
		}
		put := func(detail string) {
			mustPut(t, b, rules.Entry{Source: "fn", DetailType: "Run", Detail: detail})
			synctest.Wait()
		}
		put(`{"errors": 4}`)
		put(`{"errors": 5.5}`)
		if a := describeAlarm(t, b, "errors"); a.State != rules.AlarmStateInsufficientData || a.Value != 9.5 {
			t.Errorf("sum 9.5: %s %g", a.State, a.Value)
		}
		put(`{"warnings": 3}`)
		put(`{"errors": "7"}`)
		put(`{"errors": [1]}`)
		if a := describeAlarm(t, b, "errors"); a.Value != 9.5 {
			t.Errorf("skipped events were counted: value %g", a.Value)
		}
		put(`{"errors": 0.5}`) // 10 is not > 10
		put(`{"errors": 1e0}`)
		a := describeAlarm(t, b, "errors")
		if a.State != rules.AlarmStateAlarm || a.Value != 11 ||
			a.StateReason != "Threshold Crossed: the value 11 (sum of detail.errors over the last 3600 seconds) was greater than the threshold (10)." {
			t.Errorf("sum 11: %s %g %q", a.State, a.Value, a.StateReason)
		}
		if got := fmt.Sprint(fired.payloads()); got != "[11]" {
			t.Errorf("targets received %s, want the deciding value [11]", got)
		}
		mu.Lock()
		equalLines(t, "skipped", skipped,
			// ev-1 to ev-3 are the audit events of PutRule, PutAlarm and PutTargets.
			"errors ev-6: rules: threshold field detail.errors is missing; the event is not counted",
			"errors ev-7: rules: threshold field detail.errors is not a number; the event is not counted",
			"errors ev-8: rules: threshold field detail.errors is not a number; the event is not counted")
		mu.Unlock()
		if m := b.Metrics(); m.AlarmValuesSkipped != 3 {
			t.Errorf("AlarmValuesSkipped = %d", m.AlarmValuesSkipped)
		}
	})
}

// TestAlarmComparisons checks each comparison at the values around the
// threshold, after the first period.
func TestAlarmComparisons(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		cmps := []rules.Comparison{rules.GreaterOrEqual, rules.Greater, rules.LessOrEqual, rules.Less}
		name := func(c rules.Comparison) string { return fmt.Sprintf("cmp%d", slices.Index(cmps, c)) }
		for _, c := range cmps {
			mustPutRule(t, b, rules.Rule{Name: name(c), EventPattern: warnPattern,
				Threshold: &rules.Threshold{Count: 2, Period: time.Minute, Comparison: c}})
		}
		sleepTo(time.Minute)
		want := map[rules.Comparison][]rules.AlarmState{ // for values 0, 1, 2, 3
			rules.GreaterOrEqual: {"OK", "OK", "ALARM", "ALARM"},
			rules.Greater:        {"OK", "OK", "OK", "ALARM"},
			rules.LessOrEqual:    {"ALARM", "ALARM", "ALARM", "OK"},
			rules.Less:           {"ALARM", "ALARM", "OK", "OK"},
		}
		cases := 0
		for v := range 4 {
			if v > 0 {
				mustPut(t, b, warn())
				synctest.Wait()
			}
			for _, c := range cmps {
				cases++
				if a := describeAlarm(t, b, name(c)); a.State != want[c][v] || a.Value != float64(v) {
					t.Errorf("value %d %s 2: %s (value %g), want %s", v, c, a.State, a.Value, want[c][v])
				}
			}
		}
		t.Logf("%d comparison cases ran", cases)
	})
}

// TestAlarmFiresOncePerTransition: further events while in ALARM do not
// fire the targets again; a new crossing does.
func TestAlarmFiresOncePerTransition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		fired := &recorder{}
		mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 3, Period: time.Minute}})
		mustPutTargets(t, b, "warns", rules.Target{ID: "page", Target: fired, InputPath: "$.detail.state.value"})
		for i := range 10 {
			sleepTo(time.Duration(i) * time.Second)
			mustPut(t, b, warn(), warn())
		}
		sleepTo(3 * time.Minute) // back to OK
		for i := range 3 {
			sleepTo(3*time.Minute + time.Duration(i)*time.Second)
			mustPut(t, b, warn())
		}
		synctest.Wait()
		if got := fmt.Sprint(fired.payloads()); got != `["ALARM" "ALARM"]` {
			t.Errorf("targets received %s, want two ALARM state changes", got)
		}
	})
}

// TestAlarmKeptAcrossUpdates: changes that keep the threshold keep the
// alarm's state and window; a changed threshold starts a new alarm.
func TestAlarmKeptAcrossUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := newBus(t)
		watch := watchAlarms(t, b)
		th := rules.Threshold{Count: 3, Period: 5 * time.Minute}
		mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: warnPattern, Threshold: &th})
		mustPutTargets(t, b, "warns", rules.Target{ID: "a", Target: &recorder{}})
		sleepTo(time.Second)
		mustPut(t, b, warn(), warn(), warn())
		synctest.Wait()

		// Same threshold (the default comparison written out), another
		// pattern and description; new targets.
		same := th
		same.Comparison = rules.GreaterOrEqual
		sleepTo(time.Minute)
		mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: `{"detail": {"level": ["WARN"]}}`, Description: "d", Threshold: &same})
		mustPutTargets(t, b, "warns", rules.Target{ID: "b", Target: &recorder{}})
		if err := b.RemoveTargets(ctx, "warns", "a"); err != nil {
			t.Fatal(err)
		}
		mustPut(t, b, warn())
		synctest.Wait()
		if a := describeAlarm(t, b, "warns"); a.State != rules.AlarmStateAlarm || a.Value != 4 {
			t.Errorf("after updates that keep the threshold: %s value %g, want ALARM 4", a.State, a.Value)
		}

		// A changed threshold starts anew.
		sleepTo(2 * time.Minute)
		mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 5, Period: 5 * time.Minute}})
		synctest.Wait()
		if a := describeAlarm(t, b, "warns"); a.State != rules.AlarmStateInsufficientData || a.Value != 0 || a.StateReason != "Unchecked: Threshold changed" {
			t.Errorf("after changing the threshold: %s value %g %q", a.State, a.Value, a.StateReason)
		}
		mustPut(t, b, warn(), warn(), warn(), warn(), warn())
		synctest.Wait()

		// Disabling moves it to INSUFFICIENT_DATA; enabling starts anew.
		sleepTo(3 * time.Minute)
		if err := b.DisableRule(ctx, "warns"); err != nil {
			t.Fatal(err)
		}
		mustPut(t, b, warn()) // not matched: the rule is disabled
		sleepTo(4 * time.Minute)
		if err := b.EnableRule(ctx, "warns"); err != nil {
			t.Fatal(err)
		}
		sleepTo(9*time.Minute - time.Millisecond)
		if a := describeAlarm(t, b, "warns"); a.State != rules.AlarmStateInsufficientData || a.StateReason != "Unchecked: Rule enabled" {
			t.Errorf("before a period has passed since enabling: %s %q", a.State, a.StateReason)
		}
		sleepTo(time.Hour)
		// Removing the threshold deletes the alarm.
		mustPutRule(t, b, rules.Rule{Name: "warns", EventPattern: warnPattern})
		if _, err := b.DescribeAlarm("warns"); !errors.Is(err, rules.ErrResourceNotFound) {
			t.Errorf("alarm left after removing the threshold: %v", err)
		}
		equalLines(t, "transitions", transitions(t, watch),
			"00:00:01.000 warns INSUFFICIENT_DATA->ALARM 3",
			"00:02:00.000 warns ALARM->INSUFFICIENT_DATA", // threshold changed
			"00:02:00.000 warns INSUFFICIENT_DATA->ALARM 5",
			"00:03:00.000 warns ALARM->INSUFFICIENT_DATA", // disabled
			"00:09:00.000 warns INSUFFICIENT_DATA->OK 0",
		)
		// The reset announces the old state with the old threshold.
		found := false
		for _, d := range watch.deliveries() {
			ev := decodeAlarm(t, d.Payload)
			if ev.Detail.State.Reason == "Unchecked: Threshold changed" {
				found = true
				if p := ev.Detail.PreviousState; p.ReasonData == nil || p.ReasonData.Threshold != 3 || p.ReasonData.Value != 3 ||
					ev.Detail.State.ReasonData != nil || ev.Detail.Configuration.Count != 5 {
					t.Errorf("threshold change announced as %s", d.Payload)
				}
			}
		}
		if !found {
			t.Error("no announcement of the threshold change")
		}
	})
}

// TestAlarmRuleValidation: PutRule refuses bad thresholds, naming the
// field.
func TestAlarmRuleValidation(t *testing.T) {
	b := newBus(t)
	cases := []struct {
		name string
		r    rules.Rule
		msg  string
	}{
		{"no pattern", rules.Rule{ScheduleExpression: "rate(1 hour)", Threshold: &rules.Threshold{Count: 1, Period: time.Minute}},
			"Parameter Threshold is only valid with an EventPattern and no ScheduleExpression"},
		{"and a schedule", rules.Rule{EventPattern: warnPattern, ScheduleExpression: "rate(1 hour)", Threshold: &rules.Threshold{Count: 1, Period: time.Minute}},
			"Parameter Threshold is only valid with an EventPattern and no ScheduleExpression"},
		{"count 0", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Period: time.Minute}},
			"Parameter Threshold.Count is not valid: 0 is out of range 1-9007199254740992."},
		{"count too big", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1<<53 + 1, Period: time.Minute}},
			"Parameter Threshold.Count is not valid: 9007199254740993 is out of range"},
		{"no period", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1}},
			"Parameter Threshold.Period is not valid: 0s is out of range 1s-168h0m0s."},
		{"period too short", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: 500 * time.Millisecond}},
			"Parameter Threshold.Period is not valid: 500ms is out of range"},
		{"period too long", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: 8 * 24 * time.Hour}},
			"Parameter Threshold.Period is not valid: 192h0m0s is out of range"},
		{"fractional period", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: 1500 * time.Millisecond}},
			"Parameter Threshold.Period is not valid: 1.5s is not a whole number of seconds."},
		{"comparison", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: time.Minute, Comparison: "=="}},
			`Parameter Threshold.Comparison is not valid: "==" is not one of >=, >, <=, <.`},
		{"field index", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: time.Minute, Field: "detail.items[0]"}},
			`Parameter Threshold.Field is not valid: "detail.items[0]" has an array index or a wildcard`},
		{"field empty name", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: time.Minute, Field: "detail..errors"}},
			`Parameter Threshold.Field is not valid: "detail..errors" has an empty name`},
		{"field $.", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: time.Minute, Field: "$."}},
			`Parameter Threshold.Field is not valid: "$." has an empty name`},
		{"field too long", rules.Rule{EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: time.Minute, Field: strings.Repeat("a", 257)}},
			`is longer than 256 bytes`},
	}
	for _, c := range cases {
		c.r.Name = "bad"
		_, err := b.PutRule(context.Background(), c.r)
		var e *rules.Error
		if !errors.As(err, &e) || e.Code != rules.CodeValidation || e.Rule != "bad" || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: err = %v, want a ValidationException with %q", c.name, err, c.msg)
		}
	}
	t.Logf("%d invalid thresholds refused", len(cases))
	if rs := b.ListRules(""); len(rs) != 0 {
		t.Errorf("invalid rules were put: %v", rs)
	}
	// Odd but valid field names are escaped, not interpreted.
	mustPutRule(t, b, rules.Rule{Name: "odd", EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 1, Period: time.Second, Field: "detail.a@b#c|d"}})
}

// TestAlarmBoundedMemory runs alarms of several periods under a high
// event rate and checks that each holds at most ceil(Period/width)
// buckets, whatever the rate, and counts what its window holds.
func TestAlarmBoundedMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus(t)
		periods := []time.Duration{time.Second, 10 * time.Second, time.Minute, 5 * time.Minute}
		limits := []int{100, 400, 600, 600} // ceil(period / width), width = the widest of 10, 20, 25, 50, 100, 200, 250, 500 ms, 1 s... <= period/400
		const perPeriod = 3
		var names []string
		for i, p := range periods {
			for j := range perPeriod {
				name := fmt.Sprintf("p%d-%d", i, j)
				names = append(names, name)
				mustPutRule(t, b, rules.Rule{Name: name, EventPattern: `{"source": ["load"]}`,
					Threshold: &rules.Threshold{Count: 1 << 40, Period: p}})
			}
		}
		// 5 events every 10 ms (500/s) for 320 s: 160,000 events, each
		// counted by 12 alarms.
		batch := make([]rules.Entry, 5)
		for i := range batch {
			batch[i] = rules.Entry{Source: "load", DetailType: "tick", Detail: `{}`}
		}
		const step = 10 * time.Millisecond
		end := t0.Add(320 * time.Second)
		maxHeld := map[string]int{}
		for time.Now().Before(end) {
			mustPut(t, b, batch...)
			if time.Since(t0)%time.Second == 0 {
				for _, name := range names {
					held, capacity, limit, _ := rules.AlarmStorage(b, name)
					maxHeld[name] = max(maxHeld[name], held)
					if held > limit || capacity > limit {
						t.Fatalf("%s holds %d buckets with room for %d, more than its %d", name, held, capacity, limit)
					}
				}
			}
			time.Sleep(step)
		}
		mustPut(t, b, batch...) // at 320 s: the alarms evaluate now
		synctest.Wait()
		// counted returns how many of the events put (a batch every 10 ms
		// from 0 to 320 s) are younger than age at 320 s.
		counted := func(age time.Duration) float64 {
			n := 0
			for at := time.Duration(0); at <= 320*time.Second; at += step {
				if 320*time.Second-at < age {
					n += len(batch)
				}
			}
			return float64(n)
		}
		for i, p := range periods {
			for j := range perPeriod {
				name := fmt.Sprintf("p%d-%d", i, j)
				held, capacity, limit, ok := rules.AlarmStorage(b, name)
				if !ok || limit != limits[i] || held > limit || capacity > limit {
					t.Errorf("%s (period %v): %d buckets held, room for %d, limit %d; want the limit %d", name, p, held, capacity, limit, limits[i])
				}
				// Buckets are at least 10 ms wide, so every bucket of the
				// window holds events at this rate: the bound is reached.
				if maxHeld[name] != limit {
					t.Errorf("%s: at most %d buckets held, want all %d at this rate", name, maxHeld[name], limit)
				}
				// Events younger than Period - width count, and none older
				// than Period.
				w := (p + time.Duration(limit) - 1) / time.Duration(limit)
				a := describeAlarm(t, b, name)
				lo, hi := counted(p-w), counted(p)
				if a.Value < lo || a.Value > hi {
					t.Errorf("%s: window value %g, want %g-%g", name, a.Value, lo, hi)
				}
			}
		}
		if m := b.Metrics(); m.TriggeredRules != 160_005*12 {
			t.Errorf("TriggeredRules = %d, want %d", m.TriggeredRules, 160_005*12)
		}
	})
}

// TestAlarmConditionAuditAndDelete: a threshold counts what its pattern
// and condition match, audit events included ("two DeleteRule calls
// within a minute"); a deleted alarm announces nothing more.
func TestAlarmConditionAuditAndDelete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := newBus(t)
		watch := watchAlarms(t, b)
		mustPutRule(t, b, rules.Rule{Name: "big-warns", EventPattern: warnPattern, Condition: `event.detail.size > 10.0`,
			Threshold: &rules.Threshold{Count: 2, Period: time.Minute}})
		mustPutRule(t, b, rules.Rule{Name: "all-warns", EventPattern: warnPattern, Threshold: &rules.Threshold{Count: 2, Period: time.Minute}})
		mustPutRule(t, b, rules.Rule{Name: "deletes", EventPattern: `{"source": ["rulebridge.audit"], "detail": {"eventName": ["DeleteRule"]}}`,
			Threshold: &rules.Threshold{Count: 2, Period: time.Minute}})
		sleepTo(time.Second)
		mustPut(t, b, rules.Entry{Source: "app", DetailType: "Log Line", Detail: `{"level": "WARN", "size": 5}`},
			rules.Entry{Source: "app", DetailType: "Log Line", Detail: `{"level": "WARN", "size": 50}`})
		for _, name := range []string{"x", "y"} {
			mustPutRule(t, b, rules.Rule{Name: name, EventPattern: `{"source": ["x"]}`})
			if err := b.DeleteRule(ctx, name, false); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		for name, want := range map[string]rules.AlarmState{"big-warns": "INSUFFICIENT_DATA", "all-warns": "ALARM", "deletes": "ALARM"} {
			if a := describeAlarm(t, b, name); a.State != want {
				t.Errorf("%s: %s (value %g), want %s", name, a.State, a.Value, want)
			}
		}
		if err := b.DeleteRule(ctx, "all-warns", false); err != nil {
			t.Fatal(err)
		}
		sleepTo(time.Hour)
		// all-warns was deleted in ALARM: it never returns to OK.
		equalLines(t, "transitions", transitions(t, watch),
			"00:00:01.000 all-warns INSUFFICIENT_DATA->ALARM 2",
			"00:00:01.000 deletes INSUFFICIENT_DATA->ALARM 2",
			"00:01:00.000 big-warns INSUFFICIENT_DATA->OK 1", // the condition let one WARN through
			"00:01:01.000 deletes ALARM->OK 0",               // three DeleteRule calls at 0:01, all of them out
		)
	})
}

// TestListAlarms lists the alarms of threshold rules by name prefix, in
// name order, each as DescribeAlarm describes it; rules without a
// Threshold and deleted rules are left out.
func TestListAlarms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := newBus(t)
		for _, name := range []string{"warn-b", "warn-a", "errors"} {
			mustPutRule(t, b, rules.Rule{Name: name, EventPattern: warnPattern,
				Threshold: &rules.Threshold{Count: 2, Period: 5 * time.Minute}})
		}
		mustPutRule(t, b, rules.Rule{Name: "warn-plain", EventPattern: warnPattern})
		names := func(as []rules.AlarmInfo) string {
			var s []string
			for _, a := range as {
				s = append(s, a.Name)
			}
			return strings.Join(s, ",")
		}
		if got := names(b.ListAlarms("")); got != "errors,warn-a,warn-b" {
			t.Errorf(`ListAlarms("") = %s`, got)
		}
		if got := names(b.ListAlarms("warn")); got != "warn-a,warn-b" {
			t.Errorf(`ListAlarms("warn") = %s`, got)
		}
		if got := b.ListAlarms("nope"); len(got) != 0 {
			t.Errorf(`ListAlarms("nope") = %v`, got)
		}
		sleepTo(time.Minute)
		for range 2 {
			mustPut(t, b, rules.Entry{Source: "app", DetailType: "Log Line", Detail: `{"level": "WARN"}`})
		}
		flush(t, b)
		list := b.ListAlarms("")
		for _, a := range list {
			if d := describeAlarm(t, b, a.Name); a != d {
				t.Errorf("ListAlarms has %+v, DescribeAlarm %+v", a, d)
			}
			if a.State != rules.AlarmStateAlarm || a.Value != 2 || a.Threshold.Count != 2 {
				t.Errorf("alarm %s: %s %g (threshold %d), want ALARM 2 (threshold 2)", a.Name, a.State, a.Value, a.Threshold.Count)
			}
		}
		if err := b.DeleteRule(ctx, "warn-a", true); err != nil {
			t.Fatal(err)
		}
		if got := names(b.ListAlarms("warn")); got != "warn-b" {
			t.Errorf(`ListAlarms("warn") after deleting warn-a = %s`, got)
		}
	})
}
