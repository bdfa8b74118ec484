// Command cron-bot runs Go functions on AWS schedule expressions: a queue
// check every 3 hours, and a stand-up reminder on Fridays at 07:00 Tokyo
// time. It runs until interrupted (Ctrl-C).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bus, err := newBot(os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	<-ctx.Done()
	bus.Close(context.Background()) // stops the schedules, waits for running jobs
}

// newBot returns a bus whose scheduled rules call the bot's jobs, which
// write to w. Close it to stop.
func newBot(w io.Writer) (*rules.Bus, error) {
	ctx := context.Background()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return nil, err
	}
	bus, err := rules.New()
	if err != nil {
		return nil, err
	}
	jobs := []struct {
		rule rules.Rule
		job  func(at time.Time) string
	}{
		{rules.Rule{Name: "check-queues", ScheduleExpression: "rate(3 hours)"},
			func(at time.Time) string { return at.UTC().Format(time.RFC3339) + " checking the queues" }},
		{rules.Rule{Name: "standup-reminder", ScheduleExpression: "cron(0 7 ? * FRI *)", ScheduleExpressionTimezone: "Asia/Tokyo"},
			func(at time.Time) string { return at.In(tokyo).Format(time.RFC3339) + " stand-up in two hours" }},
	}
	for _, j := range jobs {
		if _, err := bus.PutRule(ctx, j.rule); err != nil {
			bus.Close(ctx)
			return nil, err
		}
		run := targets.Func(func(ctx context.Context, d targets.Delivery) error {
			var ev struct{ Time time.Time } // the scheduled event's "time"
			if err := json.Unmarshal(d.Event, &ev); err != nil {
				return targets.Permanent(err)
			}
			_, err := fmt.Fprintln(w, j.job(ev.Time))
			return err
		})
		if err := bus.PutTargets(ctx, j.rule.Name, rules.Target{ID: "job", Target: run}); err != nil {
			bus.Close(ctx)
			return nil, err
		}
	}
	return bus, nil
}
