package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxLineSize is the longest input line the JSON-lines readers take.
const maxLineSize = 64 << 20

// openInput opens the file name for reading, or stands in for standard
// input when name is "-". Close the result when done; closing the stand-in
// leaves standard input open.
func openInput(name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(name)
}

// eachLine calls fn with every line of r that is not blank, with
// surrounding white space trimmed, and its 1-based line number (blank lines
// count). It stops at the end of r, at a read error or at a line longer
// than maxLineSize (returning an error that says so, with its number), or
// when fn returns an error (returning fn's). fn must not keep line: its bytes are reused.
func eachLine(r io.Reader, fn func(n int, line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLineSize)
	n := 1
	for ; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("line %d is longer than %d bytes", n, maxLineSize)
	}
	return sc.Err()
}
