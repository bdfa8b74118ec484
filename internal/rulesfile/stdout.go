package rulesfile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/rulebridge/rulebridge/targets"
)

// LineWriter is a targets.Target that writes each payload to an io.Writer
// as one line of JSON, minified if it spans lines: the Stdout target of
// rules files. Each line is one Write call made under a mutex, so lines of
// concurrent deliveries never interleave; share one LineWriter among all
// the targets that write to the same writer. A payload that is not JSON is
// refused with a permanent INVALID_JSON error. Safe for concurrent use.
type LineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewLineWriter returns a LineWriter that writes to w.
func NewLineWriter(w io.Writer) *LineWriter { return &LineWriter{w: w} }

// Deliver writes d.Payload and a newline.
func (l *LineWriter) Deliver(ctx context.Context, d targets.Delivery) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if !json.Valid(d.Payload) {
		return &targets.Error{Code: targets.CodeInvalidJSON, Permanent: true,
			Err: fmt.Errorf("rulesfile: stdout: payload of event %q is not JSON", d.EventID)}
	}
	line := make([]byte, 0, len(d.Payload)+1)
	if bytes.ContainsAny(d.Payload, "\n\r") {
		var buf bytes.Buffer
		_ = json.Compact(&buf, d.Payload) // valid, checked above
		line = append(line, buf.Bytes()...)
	} else {
		line = append(line, d.Payload...)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(line); err != nil {
		return fmt.Errorf("rulesfile: stdout: %w", err)
	}
	return nil
}
