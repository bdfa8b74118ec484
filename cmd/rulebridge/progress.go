package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progressEvery is how often the progress line is redrawn; the first one
// appears after it, so that short inputs show none.
const progressEvery = time.Second

// statusLine is a terminal with a status line at its bottom. Lines written
// through it (log lines, messages) appear above the status line, which is
// cleared and redrawn around them. Safe for concurrent use.
type statusLine struct {
	mu     sync.Mutex
	w      io.Writer
	status string
}

func newStatusLine(w io.Writer) *statusLine { return &statusLine{w: w} }

// clearLine is a carriage return and ANSI "erase to end of line".
const clearLine = "\r\x1b[K"

// Write writes p above the status line.
func (s *statusLine) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == "" {
		return s.w.Write(p)
	}
	io.WriteString(s.w, clearLine)
	n, err := s.w.Write(p)
	io.WriteString(s.w, s.status)
	return n, err
}

// set replaces the status line; "" removes it.
func (s *statusLine) set(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == "" && status == "" {
		return
	}
	s.status = status
	io.WriteString(s.w, clearLine+status)
}

// showProgress shows, on a terminal, how far the input and the deliveries
// have come, redrawn every progressEvery, until the returned function is
// called (which removes the line and waits for the goroutine drawing it).
// Elsewhere it does nothing.
func (rn *runner) showProgress() (stop func()) {
	if rn.status == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				rn.status.set("")
				return
			case <-t.C:
				m := rn.metrics()
				rn.status.set(fmt.Sprintf("rulebridge: %d lines read, %d events, %d matched, %d delivered, %d pending",
					rn.linesRead.Load(), m.Events, m.MatchedEvents, m.SuccessfulInvocationAttempts, m.PendingDeliveries))
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
