package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rulebridge/rulebridge/rules"
	"github.com/rulebridge/rulebridge/targets"
)

func ExampleNew() {
	bus, err := rules.New(
		rules.WithAccount("111122223333"),
		rules.WithRegion("eu-west-1"),
		rules.WithQueueCapacity(1000),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(context.Background())
	fmt.Println(bus.RuleARN("orders"))

	_, err = rules.New(rules.WithRegion("eu-west-1"), rules.WithRegion("us-east-1"))
	fmt.Println(err)
	// Output:
	// arn:aws:events:eu-west-1:111122223333:rule/orders
	// rules: WithRegion given more than once
}

// A rule, a Go function as its target, and an event: the function
// receives the event EventBridge would deliver. The fixed clock and
// counter ids make the output reproducible.
func ExampleBus_PutEvents() {
	ctx := context.Background()
	n := 0
	bus, err := rules.New(
		rules.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }),
		rules.WithEventIDs(func() string { n++; return fmt.Sprintf("id-%d", n) }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)

	arn, err := bus.PutRule(ctx, rules.Rule{
		Name:         "orders",
		EventPattern: `{"source": ["shop"], "detail-type": ["Order Placed"]}`,
	})
	fmt.Println(arn, err)
	err = bus.PutTargets(ctx, "orders", rules.Target{
		ID: "print",
		Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
			fmt.Printf("%s/%s got %s\n", d.RuleName, d.TargetID, d.Payload)
			return nil
		}),
	})
	fmt.Println(err)

	// Ids id-1 and id-2 went to the audit events of PutRule and PutTargets.
	res, err := bus.PutEvents(ctx,
		rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `{"order": 42}`},
		rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: `[42]`},
		rules.Entry{Source: "elsewhere", DetailType: "Order Placed", Detail: `{}`},
	)
	bus.Flush(ctx) // wait for the delivery
	fmt.Println(err)
	for _, e := range res.Entries {
		fmt.Printf("%q %q %q\n", e.EventID, e.ErrorCode, e.ErrorMessage)
	}
	fmt.Println("failed:", res.FailedEntryCount)
	// Output:
	// arn:aws:events:us-east-1:123456789012:rule/orders <nil>
	// <nil>
	// orders/print got {"version":"0","id":"id-3","detail-type":"Order Placed","source":"shop","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":{"order":42}}
	// <nil>
	// "id-3" "" ""
	// "" "MalformedDetail" "Detail is malformed."
	// "id-4" "" ""
	// failed: 1
}

// A Condition refines a pattern with a CEL expression over the event.
func ExampleBus_PutRule_condition() {
	ctx := context.Background()
	bus, err := rules.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)

	_, err = bus.PutRule(ctx, rules.Rule{
		Name:         "big-baskets",
		EventPattern: `{"source": ["shop"]}`,
		Condition:    `event.detail.total > 100.0 && event.detail.items.size() >= 3`,
	})
	fmt.Println(err)
	err = bus.PutTargets(ctx, "big-baskets", rules.Target{
		ID:        "print",
		InputPath: "$.detail.order",
		Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
			fmt.Println("big basket: order", string(d.Payload))
			return nil
		}),
	})
	fmt.Println(err)
	bus.PutEvents(ctx,
		rules.Entry{Source: "shop", DetailType: "Order", Detail: `{"order": 1, "total": 250.0, "items": ["a", "b", "c"]}`},
		rules.Entry{Source: "shop", DetailType: "Order", Detail: `{"order": 2, "total": 250.0, "items": ["a"]}`},
		rules.Entry{Source: "shop", DetailType: "Order", Detail: `{"order": 3, "total": 20.0, "items": ["a", "b", "c"]}`},
	)
	bus.Flush(ctx)

	// A condition that does not type-check is refused, naming the rule.
	_, err = bus.PutRule(ctx, rules.Rule{Name: "bad", EventPattern: `{"source": ["shop"]}`, Condition: `event.detail.total + 1.0`})
	fmt.Println(err)
	// Output:
	// <nil>
	// <nil>
	// big basket: order 1
	// rules: ValidationException: rule "bad": Parameter Condition is not valid: it has type double, not bool.
}

// A scheduled rule delivers the "Scheduled Event" EventBridge sends, whose
// time is the nominal fire time. This one uses a one-time at(...) schedule
// two seconds ahead, so the example runs in real time; cron(...) and
// rate(...) work the same way.
func ExampleBus_PutRule_schedule() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithEventIDs(func() string { return "scheduled-1" }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)

	soon := time.Now().UTC().Add(2 * time.Second).Format("2006-01-02T15:04:05")
	_, err = bus.PutRule(ctx, rules.Rule{Name: "wake-up", ScheduleExpression: "at(" + soon + ")"})
	fmt.Println(err)
	fired := make(chan string, 1)
	err = bus.PutTargets(ctx, "wake-up", rules.Target{
		ID: "print",
		Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
			fired <- string(d.Payload)
			return nil
		}),
	})
	fmt.Println(err)
	ev := <-fired
	fmt.Println(strings.Replace(ev, soon+"Z", "<the at(...) time>", 1))
	// Output:
	// <nil>
	// <nil>
	// {"version":"0","id":"scheduled-1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"<the at(...) time>","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/wake-up"],"detail":{}}
}

// A target that keeps failing is retried as its RetryPolicy says, then
// dead-lettered with EventBridge's attributes.
func ExampleTarget_deadLetter() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithEventIDs(func() string { return "e-1" }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	err = bus.PutTargets(ctx, "orders", rules.Target{
		ID:          "billing",
		Target:      targets.Func(func(context.Context, targets.Delivery) error { return errors.New("billing is down") }),
		RetryPolicy: targets.RetryPolicy{MaximumRetryAttempts: 2, Backoff: targets.Backoff{Base: time.Millisecond}},
		DeadLetter: targets.Func(func(ctx context.Context, d targets.Delivery) error {
			var rec targets.DeadLetterRecord
			json.Unmarshal(d.Payload, &rec)
			fmt.Println(rec.EventID, rec.RuleName, rec.TargetID, rec.ErrorCode, rec.ErrorMessage, rec.ExhaustedRetryCondition, rec.RetryAttempts)
			return nil
		}),
	})
	fmt.Println(err)
	bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`})
	bus.Flush(ctx)
	m := bus.Metrics()
	fmt.Println("attempts:", m.InvocationAttempts, "retries:", m.RetryInvocationAttempts, "dead-lettered:", m.InvocationsSentToDlq)
	// Output:
	// <nil>
	// e-1 orders billing ERROR_FROM_TARGET billing is down MaximumRetryAttempts 2
	// attempts: 3 retries: 2 dead-lettered: 1
}

// PutRawEvents takes whole events, such as AWS's sample events, and fills
// in what they lack.
func ExampleBus_PutRawEvents() {
	ctx := context.Background()
	bus, err := rules.New(rules.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "ec2", EventPattern: `{"source": ["aws.ec2"], "detail": {"state": ["running"]}}`})
	bus.PutTargets(ctx, "ec2", rules.Target{ID: "print", Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
		fmt.Println(string(d.Payload))
		return nil
	})})
	res, err := bus.PutRawEvents(ctx, []byte(`{
		"id": "7bf73129-1428-4cd3-a780-95db273d1602",
		"source": "aws.ec2",
		"detail-type": "EC2 Instance State-change Notification",
		"detail": {"instance-id": "i-abcd1111", "state": "running"}
	}`))
	bus.Flush(ctx)
	fmt.Println(res.Entries[0].EventID, err)
	// Output:
	// {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":{"instance-id":"i-abcd1111","state":"running"}}
	// 7bf73129-1428-4cd3-a780-95db273d1602 <nil>
}

func ExampleTestEventPattern() {
	event := `{"id": "1", "account": "123456789012", "source": "aws.ec2", "time": "2026-01-02T03:04:05Z",
		"region": "us-east-1", "detail-type": "EC2 Instance State-change Notification",
		"detail": {"state": "running"}}`
	fmt.Println(rules.TestEventPattern(`{"source": ["aws.ec2"], "detail": {"state": ["running", "pending"]}}`, event))
	fmt.Println(rules.TestEventPattern(`{"detail": {"state": ["stopped"]}}`, event))
	_, err := rules.TestEventPattern(`{"detail": {"state": "running"}}`, event)
	fmt.Println(errors.Is(err, rules.ErrInvalidEventPattern))
	// Output:
	// true <nil>
	// false <nil>
	// true
}

// An *Error names the rule, the property at fault and the exception
// EventBridge would throw; errors.Is tests the kind.
func ExampleError() {
	ctx := context.Background()
	bus, err := rules.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	_, err = bus.PutRule(ctx, rules.Rule{
		Name:         "big-orders",
		EventPattern: `{"source": ["shop"]}`,
		Condition:    `event.detail.total + 1`,
	})
	var re *rules.Error
	if errors.As(err, &re) {
		fmt.Println(re.Code, re.Rule, re.Field)
		fmt.Println(re.Message)
	}
	fmt.Println(errors.Is(err, rules.ErrValidation))
	// Output:
	// ValidationException big-orders Condition
	// Parameter Condition is not valid: it has type int, not bool.
	// true
}

// An Observer sees everything that happens on a Bus.
func ExampleWithObserver() {
	ctx := context.Background()
	obs := rules.ObserverFunc(func(ctx context.Context, n rules.Notice) {
		line := []string{n.Kind.String(), n.Rule, n.Code}
		if n.Kind == rules.DeliveryNotice {
			line = append(line, n.Delivery.Kind.String(), n.Delivery.Delivery.TargetID)
		}
		fmt.Println(strings.Join(strings.Fields(strings.Join(line, " ")), " "))
	})
	bus, err := rules.New(rules.WithObserver(obs))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.PutTargets(ctx, "orders", rules.Target{ID: "noop", Target: targets.Func(func(context.Context, targets.Delivery) error { return nil })})
	bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order", Detail: `{}`})
	bus.Flush(ctx)
	bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order"})
	// Output:
	// EventReceived
	// RuleMatched orders
	// DeliveryNotice orders AttemptStarted noop
	// DeliveryNotice orders Delivered noop
	// EventRejected InvalidArgument
}

// WithPrincipal names who makes a management call. Every call is put on
// the Bus as an audit event, so an ordinary rule can catch a DeleteRule
// by anyone but alice.
func ExampleWithPrincipal() {
	ctx := context.Background()
	alerts := make(chan string, 10)
	bus, err := rules.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{
		Name: "forbidden-delete",
		EventPattern: `{"source": ["rulebridge.audit"], "detail": {"eventName": ["DeleteRule"],
			"userIdentity": {"principal": [{"anything-but": ["alice"]}]}}}`,
	})
	bus.PutTargets(ctx, "forbidden-delete", rules.Target{
		ID: "alert",
		InputTransformer: &targets.InputTransformer{
			InputPathsMap: map[string]string{"who": "$.detail.userIdentity.principal", "rule": "$.detail.requestParameters.name"},
			InputTemplate: `"<who> deleted <rule>"`,
		},
		Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
			alerts <- string(d.Payload) // delivered on a goroutine of the Bus
			return nil
		}),
	})
	alice := rules.WithPrincipal(ctx, "alice")
	bob := rules.WithPrincipal(ctx, "bob")
	bus.PutRule(alice, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.PutRule(alice, rules.Rule{Name: "refunds", EventPattern: `{"source": ["shop"]}`})
	fmt.Println(bus.DeleteRule(alice, "orders", false))
	fmt.Println(bus.DeleteRule(bob, "refunds", false))
	bus.Flush(ctx)
	close(alerts)
	for a := range alerts {
		fmt.Println("ALERT:", a)
	}
	fmt.Println(rules.PrincipalFrom(bob), rules.PrincipalFrom(ctx))
	// Output:
	// <nil>
	// <nil>
	// ALERT: "bob deleted refunds"
	// bob unknown
}

// An AuditLog writes each audit record as a line of JSON, here to
// standard output; the fixed clock and ids make the output reproducible.
func ExampleNewAuditLog() {
	ctx := rules.WithPrincipal(context.Background(), "deploy-bot")
	n := 0
	bus, err := rules.New(
		rules.WithAuditSink(rules.NewAuditLog(os.Stdout)),
		rules.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }),
		rules.WithEventIDs(func() string { n++; return fmt.Sprintf("id-%d", n) }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.DisableRule(ctx, "refunds")
	// Output:
	// {"eventVersion":"1.0","eventID":"id-1","eventTime":"2026-01-02T03:04:05Z","eventSource":"rulebridge","eventName":"PutRule","awsRegion":"us-east-1","recipientAccountId":"123456789012","userIdentity":{"principal":"deploy-bot"},"requestParameters":{"name":"orders","eventPattern":"{\"source\": [\"shop\"]}"}}
	// {"eventVersion":"1.0","eventID":"id-2","eventTime":"2026-01-02T03:04:05Z","eventSource":"rulebridge","eventName":"DisableRule","awsRegion":"us-east-1","recipientAccountId":"123456789012","userIdentity":{"principal":"deploy-bot"},"requestParameters":{"name":"refunds"},"errorCode":"ResourceNotFoundException","errorMessage":"Rule refunds does not exist on EventBus default."}
}

// OpenAuditLog appends the audit trail to a file (mode 0600), which
// outlives the Bus.
func ExampleOpenAuditLog() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "audit.jsonl")
	log, err := rules.OpenAuditLog(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	bus, err := rules.New(rules.WithAuditSink(log))
	if err != nil {
		fmt.Println(err)
		return
	}
	bus.PutRule(ctx, rules.Rule{Name: "orders", EventPattern: `{"source": ["shop"]}`})
	bus.DeleteRule(ctx, "orders", false)
	bus.Close(ctx)
	log.Close() // after the Bus

	data, _ := os.ReadFile(path)
	for line := range strings.Lines(string(data)) {
		var rec struct{ EventName, ErrorCode string }
		json.Unmarshal([]byte(line), &rec)
		fmt.Println(rec.EventName, rec.ErrorCode == "")
	}
	// Output:
	// PutRule true
	// DeleteRule true
}

// A Threshold makes a rule an alarm: its targets fire when three WARN
// lines arrive within five minutes, once per crossing, with the Alarm
// State Change event.
func ExampleThreshold() {
	ctx := context.Background()
	bus, err := rules.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	_, err = bus.PutRule(ctx, rules.Rule{
		Name:         "warn-burst",
		EventPattern: `{"source": ["app"], "detail": {"level": ["WARN"]}}`,
		Threshold:    &rules.Threshold{Count: 3, Period: 5 * time.Minute},
	})
	fmt.Println(err)
	bus.PutTargets(ctx, "warn-burst", rules.Target{
		ID: "page",
		InputTransformer: &targets.InputTransformer{
			InputPathsMap: map[string]string{"alarm": "$.detail.alarmName", "state": "$.detail.state.value", "reason": "$.detail.state.reason"},
			InputTemplate: `"<alarm> is <state>: <reason>"`,
		},
		Target: targets.Func(func(ctx context.Context, d targets.Delivery) error {
			fmt.Println(string(d.Payload))
			return nil
		}),
	})
	a, _ := bus.DescribeAlarm("warn-burst")
	fmt.Println(a.State)
	for range 4 { // the fourth WARN does not page again
		bus.PutEvents(ctx, rules.Entry{Source: "app", DetailType: "Log Line", Detail: `{"level": "WARN", "message": "disk 91% full"}`})
	}
	bus.Flush(ctx)
	a, _ = bus.DescribeAlarm("warn-burst")
	fmt.Println(a.State, a.Value)
	// Output:
	// <nil>
	// INSUFFICIENT_DATA
	// "warn-burst is ALARM: Threshold Crossed: the value 3 (matched events in the last 300 seconds) was greater than or equal to the threshold (3)."
	// ALARM 4
}

// ListAlarms lists the alarms of the threshold rules whose names start
// with a prefix, in name order.
func ExampleBus_ListAlarms() {
	ctx := context.Background()
	bus, err := rules.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "warn-burst", EventPattern: `{"detail": {"level": ["WARN"]}}`,
		Threshold: &rules.Threshold{Count: 3, Period: 5 * time.Minute}})
	bus.PutRule(ctx, rules.Rule{Name: "error-burst", EventPattern: `{"detail": {"level": ["ERROR"]}}`,
		Threshold: &rules.Threshold{Count: 1, Period: time.Minute}})
	bus.PutRule(ctx, rules.Rule{Name: "warn-log", EventPattern: `{"detail": {"level": ["WARN"]}}`}) // no Threshold: no alarm
	bus.PutEvents(ctx, rules.Entry{Source: "app", DetailType: "Log Line", Detail: `{"level": "ERROR"}`})
	bus.Flush(ctx)
	for _, a := range bus.ListAlarms("") {
		fmt.Println(a.Name, a.State, a.Value)
	}
	fmt.Println(len(bus.ListAlarms("warn")))
	// Output:
	// error-burst ALARM 1
	// warn-burst INSUFFICIENT_DATA 0
	// 1
}

// RuleMetrics returns one rule's counters: EventBridge's metrics with the
// RuleName dimension.
func ExampleBus_RuleMetrics() {
	ctx := context.Background()
	bus, err := rules.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close(ctx)
	bus.PutRule(ctx, rules.Rule{Name: "big-orders", EventPattern: `{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}`})
	bus.PutTargets(ctx, "big-orders", rules.Target{ID: "log", Target: targets.Func(func(context.Context, targets.Delivery) error { return nil })})
	bus.PutRule(ctx, rules.Rule{Name: "all-orders", EventPattern: `{"source": ["shop"]}`})
	for _, total := range []int{50, 150, 250} {
		bus.PutEvents(ctx, rules.Entry{Source: "shop", DetailType: "Order Placed", Detail: fmt.Sprintf(`{"total": %d}`, total)})
	}
	bus.Flush(ctx)
	m, _ := bus.RuleMetrics("big-orders")
	fmt.Println(m.Name, m.MatchedEvents, m.Invocations, m.FailedInvocations)
	for _, m := range bus.ListRuleMetrics("") {
		fmt.Println(m.Name, m.TriggeredRules)
	}
	_, err = bus.RuleMetrics("no-such-rule")
	fmt.Println(errors.Is(err, rules.ErrResourceNotFound))
	// Output:
	// big-orders 2 2 0
	// all-orders 3
	// big-orders 2
	// true
}
