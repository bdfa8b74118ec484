package targets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rulebridge/rulebridge/targets"
)

func TestFileAsDeadLetterTarget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dlq.jsonl")
	f, err := targets.NewFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tg, err := targets.Wrap(targets.Func(func(context.Context, targets.Delivery) error {
		return targets.Permanent(errors.New("no such queue"))
	}), targets.Config{DeadLetter: f})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := tg.Deliver(context.Background(), event(fmt.Sprintf("e%d", i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lines := readLines(t, path)
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var rec targets.DeadLetterRecord
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if rec.ErrorMessage != "no such queue" || seen[rec.EventID] {
			t.Errorf("record %+v (duplicate: %v)", rec, seen[rec.EventID])
		}
		seen[rec.EventID] = true
	}
}

func TestFileMinifiesAndRefusesNonJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	f, err := targets.NewFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := f.Deliver(ctx, targets.Delivery{Payload: []byte("{\n  \"a\": 1\n}")}); err != nil {
		t.Fatal(err)
	}
	err = f.Deliver(ctx, targets.Delivery{Payload: []byte("not json"), EventID: "x"})
	if c := targets.Classify(err); c.Code != targets.CodeInvalidJSON || !c.Permanent {
		t.Errorf("non-JSON payload: %v", err)
	}
	f.Close()
	if err := f.Deliver(ctx, targets.Delivery{Payload: []byte("1")}); !errors.Is(err, targets.ErrFileClosed) || !targets.IsPermanent(err) {
		t.Errorf("Deliver after Close: %v", err)
	}
	lines := readLines(t, path)
	if len(lines) != 1 || string(lines[0]) != `{"a":1}` {
		t.Errorf("lines %q", lines)
	}
	if _, err := targets.NewFile(filepath.Join(t.TempDir(), "no", "such", "dir", "x")); err == nil {
		t.Error("NewFile in a missing directory succeeded")
	}
}
