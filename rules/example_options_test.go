package rules_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

// The log has stable keys and never holds payloads; at Info it shows
// management calls and retries. The time is dropped here to make the
// output reproducible.
func ExampleWithLogger() {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelInfo,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	bus, err := rules.New(rules.WithLogger(logger))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.PutRule(ctx, rules.Rule{Name: "bad name"})
	_, err = rules.New(rules.WithLogger(nil))
	fmt.Println(err)
	// Output:
	// level=INFO msg="management call" call=PutRule rule=orders
	// level=INFO msg="management call failed" call=PutRule rule="bad name" error="rules: ValidationException: rule \"bad name\": 1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
	// rules: WithLogger: nil logger
}

// The account and region go into every event and rule ARN.
func ExampleWithAccount() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithAccount("111122223333"), rules.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }),
		rules.WithEventIDs(func() string { return "id" }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	fmt.Println(bus.RuleARN("orders"))
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.PutTargets(ctx, "orders", rules.Target{ID: "print", InputPath: "$.account", Target: targets.Func(func(_ context.Context, d targets.Delivery) error {
		fmt.Println(string(d.Payload))
		return nil
	})})
	bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`})
	bus.Flush(ctx)
	_, err = rules.New(rules.WithAccount("1234"))
	fmt.Println(err)
	// Output:
	// arn:aws:events:us-east-1:111122223333:rule/orders
	// "111122223333"
	// rules: WithAccount: "1234" is not 12 digits
}

func ExampleWithRegion() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithRegion("ap-northeast-1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	fmt.Println(bus.RuleARN("orders"))
	_, err = rules.New(rules.WithRegion("Tokyo"))
	fmt.Println(err)
	// Output:
	// arn:aws:events:ap-northeast-1:123456789012:rule/orders
	// rules: WithRegion: "Tokyo" is not a region name (1-64 of a-z, 0-9 and -)
}

// An entry over the limit is refused; the others in the call go on.
func ExampleWithMaxEventSize() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithMaxEventSize(100))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	res, _ := bus.PutEvents(ctx,
		rules.Entry{Source: "shop", DetailType: "Order", Detail: `{"note": "short"}`},
		rules.Entry{Source: "shop", DetailType: "Order", Detail: `{"note": "` + fmt.Sprintf("%0100d", 0) + `"}`},
	)
	fmt.Println(res.FailedEntryCount, res.Entries[1].ErrorCode, res.Entries[1].ErrorMessage)
	// Output:
	// 1 InvalidArgument Entry size 121 bytes is over the limit of 100 bytes.
}

// With a concurrency of 1, deliveries run one at a time, whatever the
// number of rules and targets.
func ExampleWithConcurrency() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithConcurrency(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	var mu sync.Mutex
	running, most := 0, 0
	slow := targets.Func(func(context.Context, targets.Delivery) error {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		runtime.Gosched() // give another delivery the chance to start, if it may
		mu.Lock()
		running--
		mu.Unlock()
		return nil
	})
	for _, name := range []string{"a", "b"} {
		bus.PutRule(ctx, rules.Rule{Name: name, EventPattern: `{"source": ["shop"]}`})
		bus.PutTargets(ctx, name, rules.Target{ID: "1", Target: slow}, rules.Target{ID: "2", Target: slow})
	}
	for range 5 {
		bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`})
	}
	bus.Flush(ctx)
	fmt.Println(bus.Metrics().Invocations, "deliveries, at most", most, "at once")
	// Output:
	// 20 deliveries, at most 1 at once
}

// When the queue is full, PutEvents waits for room until its context
// ends; an entry that finds none is throttled.
func ExampleWithQueueCapacity() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithQueueCapacity(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	release := make(chan struct{})
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.PutTargets(ctx, "orders", rules.Target{ID: "stuck", Target: targets.Func(func(context.Context, targets.Delivery) error {
		<-release
		return nil
	})})
	order := rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`}
	res, _ := bus.PutEvents(ctx, order)
	fmt.Println(res.FailedEntryCount)
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	res, _ = bus.PutEvents(short, order)
	cancel()
	fmt.Println(res.FailedEntryCount, res.Entries[0].ErrorCode)
	close(release)
	bus.Flush(ctx)
	fmt.Println(bus.Metrics().Invocations, "delivered")
	// Output:
	// 0
	// 1 ThrottlingException
	// 1 delivered
}

// The clock dates the entries that have no Time.
func ExampleWithClock() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.PutTargets(ctx, "orders", rules.Target{ID: "print", InputPath: "$.time", Target: targets.Func(func(_ context.Context, d targets.Delivery) error {
		fmt.Println(string(d.Payload))
		return nil
	})})
	bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`})
	bus.Flush(ctx)
	// Output:
	// "2026-01-02T03:04:05Z"
}

// Event ids come from the given func; the Bus's own audit events take
// ids too.
func ExampleWithEventIDs() {
	ctx := context.Background()
	n := 0
	bus, err := rules.New(rules.WithEventIDs(func() string { n++; return fmt.Sprintf("order-event-%d", n) }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	res, _ := bus.PutEvents(ctx,
		rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`},
		rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`},
	)
	fmt.Println(res.Entries[0].EventID, res.Entries[1].EventID)
	// Output:
	// order-event-1 order-event-2
}

// A condition that costs more than the limit is stopped: the rule does
// not match, and the observer hears why.
func ExampleWithConditionCostLimit() {
	ctx := context.Background()
	obs := rules.ObserverFunc(func(_ context.Context, n rules.Notice) {
		if n.Kind == rules.ConditionFailed {
			fmt.Println(n.Kind, n.Rule, n.Err)
		}
	})
	bus, err := rules.New(rules.WithConditionCostLimit(10), rules.WithObserver(obs))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{
		Name:         "many-items",
		EventPattern: `{"source": ["shop"]}`,
		Condition:    `event.detail.items.filter(i, i > 1).size() > 2`,
	})
	bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order", Detail: `{"items": [1, 2, 3, 4, 5, 6, 7, 8]}`})
	bus.Flush(ctx)
	fmt.Println(bus.Metrics().MatchedEvents, "matched")
	// Output:
	// ConditionFailed many-items rules: condition: operation cancelled: actual cost limit exceeded
	// 0 matched
}

// An AuditSink receives every audit record, here through a func.
func ExampleWithAuditSink() {
	ctx := rules.WithPrincipal(context.Background(), "alice")
	sink := rules.AuditSinkFunc(func(_ context.Context, r rules.AuditRecord) error {
		fmt.Printf("%s by %s: %q\n", r.EventName, r.Principal, r.ErrorCode)
		return nil
	})
	bus, err := rules.New(rules.WithAuditSink(sink))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.DeleteRule(ctx, "nope", false)
	// Output:
	// PutRule by alice: ""
	// DeleteRule by alice: "ResourceNotFoundException"
}
