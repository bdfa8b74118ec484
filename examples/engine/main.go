// Command engine is the program shown in the rulebridge package
// documentation: a rule with a condition, a Go function as its target, and
// two events.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

func main() {
	ctx := context.Background()
	bus, err := rules.New()
	if err != nil {
		log.Fatal(err)
	}
	defer bus.Close(ctx)

	_, err = bus.PutRule(ctx, rules.Rule{
		Name:         "big-orders",
		EventPattern: `{"source": ["shop"], "detail-type": ["Order Placed"]}`,
		Condition:    `event.detail.total > 100.0`,
	})
	if err != nil {
		log.Fatal(err)
	}
	err = bus.PutTargets(ctx, "big-orders", rules.Target{
		ID:        "alert",
		InputPath: "$.detail",
		Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
			fmt.Printf("%s got %s\n", d.TargetID, d.Payload)
			return nil
		}),
	})
	if err != nil {
		log.Fatal(err)
	}

	bus.PutEvents(ctx,
		rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"order": 1, "total": 250.0}`},
		rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"order": 2, "total": 20.0}`},
	)
	bus.Flush(ctx) // wait for the deliveries
	m := bus.Metrics()
	fmt.Println(m.MatchedEvents, "of", m.Events, "events matched")
}
