package targets

import (
	"context"
	"log/slog"
)

// NewLogObserver returns an Observer that logs notices to l with stable
// keys: rule, target, event_id, attempt, error_code, error, condition and
// delay. It never logs payloads or events. Levels: Debug for attempts,
// deliveries and throttling; Info for failed attempts and retries; Warn for
// failed deliveries and dead-lettering; Error when the dead-letter target
// fails (the event is then lost unless the caller acts). A nil l logs
// nothing. Safe for concurrent use.
func NewLogObserver(l *slog.Logger) Observer {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logObserver{l}
}

type logObserver struct{ l *slog.Logger }

func (o logObserver) Observe(ctx context.Context, n Notice) {
	level, msg := slog.LevelDebug, ""
	switch n.Kind {
	case AttemptStarted:
		msg = "delivery attempt"
	case AttemptFailed:
		level, msg = slog.LevelInfo, "delivery attempt failed"
	case Retrying:
		level, msg = slog.LevelInfo, "delivery will be retried"
	case Delivered:
		msg = "delivered"
	case Failed:
		level, msg = slog.LevelWarn, "delivery failed"
	case DeadLettered:
		level, msg = slog.LevelWarn, "event dead-lettered"
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
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("rule", n.Delivery.RuleName),
		slog.String("target", n.Delivery.TargetID),
		slog.String("event_id", n.Delivery.EventID),
		slog.Int("attempt", n.Delivery.Attempt))
	if n.Code != "" {
		attrs = append(attrs, slog.String("error_code", string(n.Code)))
	}
	if n.Err != nil {
		attrs = append(attrs, slog.String("error", n.Err.Error()))
	}
	if n.Condition != "" {
		attrs = append(attrs, slog.String("condition", string(n.Condition)))
	}
	if n.Delay > 0 {
		attrs = append(attrs, slog.Duration("delay", n.Delay))
	}
	o.l.LogAttrs(ctx, level, msg, attrs...)
}
