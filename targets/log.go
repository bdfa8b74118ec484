package targets

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
)

// NewLogObserver returns an Observer that logs notices to l, one line for
// each thing that happened, with stable keys: rule, target, event_id,
// attempt, error_code, error, condition, delay and record. It logs
// payloads and events only where the event would otherwise be lost: the
// record of a DeadLetterFailed line. Levels and messages:
//
//   - Debug: "delivery attempt" (AttemptStarted), "delivery attempt
//     failed" (AttemptFailed, with the error), "delivered", "delivery
//     throttled" (with the delay).
//   - Info: "delivery will be retried" (Retrying): the attempt that failed,
//     its error and the delay before the next one.
//   - Warn: "delivery failed" (Failed: the final error and the limit that
//     ended the retries) and "event dead-lettered" (DeadLettered, without
//     the error, which the "delivery failed" line just before it gives).
//   - Error: "dead-letter target failed: event lost" (DeadLetterFailed,
//     with both errors, and under the key record the [DeadLetterRecord]
//     that could not be written, the original event included, as JSON):
//     the event is lost unless an operator replays that record. A text
//     handler quotes the JSON; a JSON handler nests it as an object.
//
// So at Info a failed attempt is logged once, as a retry or as the
// delivery's failure. A nil l logs nothing. The Observer is safe for
// concurrent use.
func NewLogObserver(l *slog.Logger) Observer {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logObserver{l}
}

type logObserver struct{ l *slog.Logger }

func (o logObserver) Observe(ctx context.Context, n Notice) {
	level, msg, withErr := slog.LevelDebug, "", true
	switch n.Kind {
	case AttemptStarted:
		msg = "delivery attempt"
	case AttemptFailed:
		msg = "delivery attempt failed"
	case Retrying:
		level, msg = slog.LevelInfo, "delivery will be retried"
	case Delivered:
		msg = "delivered"
	case Failed:
		level, msg = slog.LevelWarn, "delivery failed"
	case DeadLettered:
		level, msg, withErr = slog.LevelWarn, "event dead-lettered", false
	case DeadLetterFailed:
		level, msg = slog.LevelError, "dead-letter target failed: event lost"
	case Throttled:
		msg = "delivery throttled"
	default:
		msg = n.Kind.String()
	}
	if !o.l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("rule", n.Delivery.RuleName),
		slog.String("target", n.Delivery.TargetID),
		slog.String("event_id", n.Delivery.EventID),
		slog.Int("attempt", n.Delivery.Attempt))
	if n.Code != "" {
		attrs = append(attrs, slog.String("error_code", string(n.Code)))
	}
	if n.Err != nil && withErr {
		attrs = append(attrs, slog.String("error", n.Err.Error()))
	}
	if n.Condition != "" {
		attrs = append(attrs, slog.String("condition", string(n.Condition)))
	}
	if n.Delay > 0 {
		attrs = append(attrs, slog.Duration("delay", n.Delay))
	}
	var dle *DeadLetterError
	if n.Kind == DeadLetterFailed && errors.As(n.Err, &dle) {
		if rec, err := json.Marshal(dle.Record); err == nil {
			attrs = append(attrs, slog.Any("record", json.RawMessage(rec)))
		}
	}
	o.l.LogAttrs(ctx, level, msg, attrs...)
}
