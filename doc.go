// Package rulebridge is an embeddable, EventBridge-style event rule engine
// for Go.
//
// It matches JSON events against AWS EventBridge event patterns, fires rules
// on cron(...), rate(...) and at(...) schedules, and fans every match out to
// pluggable targets with retry, backoff and a dead-letter queue. It runs in
// your process: there is no AWS account, broker or server involved.
//
// The work is split into packages, each with one job; most programs import
// only the ones they need:
//
//   - [github.com/rulebridge/rulebridge/rules] is the engine: an event bus
//     whose API mirrors EventBridge's (PutRule, PutTargets, PutEvents, ...),
//     with CEL conditions, scheduled rules, bounded dispatch and metrics, an
//     audit trail of every rule change (put on the bus as events, so rules
//     can catch forbidden ones), and alarms: rules that fire when their
//     matches within a period cross a threshold ("3 WARN lines in 5
//     minutes", examples/log-alarm).
//   - [github.com/rulebridge/rulebridge/pattern] compiles, validates and
//     matches event patterns, one at a time or thousands at once.
//   - [github.com/rulebridge/rulebridge/schedule] parses AWS schedule
//     expressions into values that run on github.com/robfig/cron/v3.
//   - [github.com/rulebridge/rulebridge/targets] delivers matched events:
//     the Target interface, built-in targets, retry, dead-lettering and
//     input transformation.
//
// # A first program
//
// A rule that matches orders over 100, a Go function as its target, and two
// events (examples/engine, whose test checks the output):
//
//	package main
//
//	import (
//		"context"
//		"fmt"
//		"log"
//
//		"github.com/rulebridge/rulebridge/rules"
//		"github.com/rulebridge/rulebridge/targets"
//	)
//
//	func main() {
//		ctx := context.Background()
//		bus, err := rules.New()
//		if err != nil {
//			log.Fatal(err)
//		}
//		defer bus.Close(ctx)
//
//		_, err = bus.PutRule(ctx, rules.Rule{
//			Name:         "big-orders",
//			EventPattern: `{"source": ["shop"], "detail-type": ["Order Placed"]}`,
//			Condition:    `event.detail.total > 100.0`,
//		})
//		if err != nil {
//			log.Fatal(err)
//		}
//		err = bus.PutTargets(ctx, "big-orders", rules.Target{
//			ID:        "alert",
//			InputPath: "$.detail",
//			Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
//				fmt.Printf("%s got %s\n", d.TargetID, d.Payload)
//				return nil
//			}),
//		})
//		if err != nil {
//			log.Fatal(err)
//		}
//
//		bus.PutEvents(ctx,
//			rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"order": 1, "total": 250.0}`},
//			rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"order": 2, "total": 20.0}`},
//		)
//		bus.Flush(ctx) // wait for the deliveries
//		m := bus.Metrics()
//		fmt.Println(m.MatchedEvents, "of", m.Events, "events matched")
//	}
//
// It prints:
//
//	alert got {"order":1,"total":250.0}
//	1 of 2 events matched
//
// The rulebridge command (cmd/rulebridge) runs rules from a file and tests
// event patterns from the shell.
package rulebridge
