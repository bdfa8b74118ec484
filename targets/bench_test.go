package targets_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/targets"
)

var sinkErr error
var sinkBytes []byte

// BenchmarkDeliverFunc measures the decorator chain a rule's target gets
// (Wrap: dead-letter, retry with the default policy, pass-through shaping)
// around a Func target that succeeds, with a Counters observer. The
// baseline calls the Func directly.
func BenchmarkDeliverFunc(b *testing.B) {
	noop := targets.Func(func(context.Context, targets.Delivery) error { return nil })
	d := event("bench")
	ctx := context.Background()
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		var tg targets.Target = noop
		for b.Loop() {
			sinkErr = tg.Deliver(ctx, d)
		}
	})
	b.Run("chain", func(b *testing.B) {
		tg, err := targets.Wrap(noop, targets.Config{DeadLetter: noop, Observer: &targets.Counters{}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = tg.Deliver(ctx, d)
		}
	})
	b.Run("chain+limits", func(b *testing.B) {
		tg, err := targets.Wrap(noop, targets.Config{DeadLetter: noop, Observer: &targets.Counters{}, Concurrency: 64, RateLimit: 1e9})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = tg.Deliver(ctx, d)
		}
	})
}

// benchEvent is a ~1 KB event.
func benchEvent() []byte {
	var items []string
	for i := range 8 {
		items = append(items, fmt.Sprintf(`{"sku":"SKU-%04d","qty":%d,"price":%d.99,"tags":["a","b"]}`, i, i+1, 10+i))
	}
	e := `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Order Placed","source":"com.example.orders","account":"123456789012","time":"2026-01-02T03:04:05Z","region":"eu-west-1","resources":["arn:aws:orders:eu-west-1:123456789012:order/42"],"detail":{"order-id":"42","customer":{"id":"c-7","name":"Ada Lovelace","tier":"gold","address":{"city":"London","country":"GB"}},"total":123.45,"currency":"EUR","items":[` +
		strings.Join(items, ",") + `],"notes":"leave at the door"}}`
	return []byte(e)
}

// BenchmarkTransform renders an InputTransformer with 5 variables against
// a 1 KB event. "append" reuses the output buffer; "render" allocates it;
// the baseline only copies the event (what a target gets without shaping).
func BenchmarkTransform(b *testing.B) {
	ev := benchEvent()
	d := targets.Delivery{Event: ev, RuleName: "orders", IngestionTime: time.Now()}
	sh, err := targets.NewShaper(targets.Shaping{InputTransformer: &targets.InputTransformer{
		InputPathsMap: map[string]string{
			"id": "$.detail.order-id", "name": "$.detail.customer.name", "city": "$.detail.customer.address.city",
			"total": "$.detail.total", "first": "$.detail.items[0]",
		},
		InputTemplate: `{"order": <id>, "who": "<name> from <city>", "total": <total>, "first": <first>, "rule": <aws.events.rule-name>}`,
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(ev)))
	b.Run("baseline-copy", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 2048)
		for b.Loop() {
			buf = append(buf[:0], ev...)
		}
		sinkBytes = buf
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 2048)
		for b.Loop() {
			buf, _ = sh.Append(buf[:0], d)
		}
		sinkBytes = buf
	})
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkBytes, _ = sh.Render(d)
		}
	})
}
