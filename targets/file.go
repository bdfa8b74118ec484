package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
)

// ErrFileClosed is the error of a Deliver to a closed [File].
var ErrFileClosed = errors.New("targets: file closed")

// File appends each payload to a file as one line of JSON (JSON Lines),
// minified if it spans lines. Used as a dead-letter target it writes one
// [DeadLetterRecord] per line.
//
// Each line is written with a single write to a file opened in append
// mode, so lines never interleave, even with other processes appending.
// Lines are not synced to disk one by one. A payload that is not JSON is
// refused with a permanent INVALID_JSON error. Safe for concurrent use;
// Close the File when done.
type File struct {
	path   string
	mu     sync.Mutex
	f      *os.File
	closed bool
}

// NewFile opens (creating if needed, mode 0600) the file at path for
// appending.
func NewFile(path string) (*File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("targets: open %s: %w", path, err)
	}
	return &File{path: path, f: f}, nil
}

// Deliver appends d.Payload and a newline.
func (f *File) Deliver(ctx context.Context, d Delivery) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if !json.Valid(d.Payload) {
		return &Error{Code: CodeInvalidJSON, Permanent: true,
			Err: fmt.Errorf("targets: file %s: payload of event %q is not JSON", f.path, d.EventID)}
	}
	var line []byte
	if bytes.ContainsAny(d.Payload, "\n\r") {
		var buf bytes.Buffer
		buf.Grow(len(d.Payload) + 1)
		_ = json.Compact(&buf, d.Payload) // valid, checked above
		buf.WriteByte('\n')
		line = buf.Bytes()
	} else {
		line = make([]byte, 0, len(d.Payload)+1)
		line = append(append(line, d.Payload...), '\n')
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return &Error{Code: CodeNoResource, Permanent: true, Err: ErrFileClosed}
	}
	if _, err := f.f.Write(line); err != nil {
		return fmt.Errorf("targets: file %s: %w", f.path, err)
	}
	return nil
}

// Name returns the path the File appends to.
func (f *File) Name() string { return f.path }

// Close closes the file. Later deliveries fail permanently. Close is
// idempotent.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	return f.f.Close()
}
