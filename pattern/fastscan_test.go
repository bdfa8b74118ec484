package pattern

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// randomJSON writes a random JSON value, well formed or, with mutations,
// not.
func randomJSON(r *rand.Rand, sb *strings.Builder, depth int) {
	ws := func() {
		if r.IntN(3) == 0 {
			sb.WriteString([]string{" ", "\n", "\t ", "\r\n"}[r.IntN(4)])
		}
	}
	switch k := r.IntN(10); {
	case k < 3:
		sb.WriteByte('"')
		for n := r.IntN(20); n > 0; n-- {
			sb.WriteString([]string{"a", "Z", ".", "é", "\\n", "\\\"", "\\u00e9", " ", "x", "1"}[r.IntN(10)])
		}
		sb.WriteByte('"')
	case k < 5:
		sb.WriteString([]string{"0", "-0", "12", "-3.25", "1e5", "2E-3", "0.000", "123456789012345678901", "7.5e+2"}[r.IntN(9)])
	case k < 6:
		sb.WriteString([]string{"true", "false", "null"}[r.IntN(3)])
	case k < 8 && depth < 6:
		sb.WriteByte('{')
		ws()
		for i, n := 0, r.IntN(4); i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
				ws()
			}
			sb.WriteString([]string{`"k"`, `"a.b"`, `"STREET"`, `""`, `"\u0041"`}[r.IntN(5)])
			ws()
			sb.WriteByte(':')
			ws()
			randomJSON(r, sb, depth+1)
			ws()
		}
		sb.WriteByte('}')
	case depth < 6:
		sb.WriteByte('[')
		ws()
		for i, n := 0, r.IntN(4); i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
				ws()
			}
			randomJSON(r, sb, depth+1)
			ws()
		}
		sb.WriteByte(']')
	default:
		sb.WriteString("1")
	}
}

// TestSkipFast checks that skipFast accepts only what skipValue accepts,
// and ends where it ends.
func TestSkipFast(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	fast, fallback, invalid := 0, 0, 0
	for n := 0; n < 20000; n++ {
		var sb strings.Builder
		randomJSON(r, &sb, 0)
		b := []byte(sb.String())
		if n%2 == 1 && len(b) > 0 {
			// Mutate a byte.
			b[r.IntN(len(b))] = "{}[],:\"\\ 0-.eE+tfnx\x01"[r.IntN(20)]
		}
		if r.IntN(2) == 0 {
			b = append(b, ", \"tail\": 1}"...)
		}
		var s scanner
		s.src, s.pos = b, 0
		err := s.skipValue()
		want := s.pos
		if err != nil {
			invalid++
		}
		got := skipFast(b, 0)
		switch {
		case got < 0:
			fallback++
		case err != nil:
			t.Fatalf("%q: skipFast = %d, skipValue: %v", b, got, err)
		case got != want:
			t.Fatalf("%q: skipFast = %d, skipValue = %d", b, got, want)
		default:
			fast++
		}
	}
	t.Logf("%d values skipped fast, %d left to skipValue (%d invalid)", fast, fallback, invalid)
	if fast < 5000 {
		t.Errorf("too few values skipped fast: %d", fast)
	}
}

// TestKeyEnd checks keyEnd and strEnd against scanString.
func TestKeyEnd(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for n := 0; n < 20000; n++ {
		var sb strings.Builder
		sb.WriteByte('"')
		for k := r.IntN(30); k > 0; k-- {
			sb.WriteString([]string{"a", ".", "\\n", "\"", "é", "\x01", "STREET", " "}[r.IntN(8)])
		}
		sb.WriteString(strings.Repeat(" ", r.IntN(10)))
		b := []byte(sb.String())
		var s scanner
		s.src, s.pos = b, 0
		end, flags, err := s.scanString(true)
		for _, key := range []bool{false, true} {
			got := strEnd(b, 1)
			if key {
				got = keyEnd(b, 1)
			}
			if got < 0 {
				continue
			}
			if err != nil || got != end || flags&chEsc != 0 || (key && flags&chDot != 0) {
				t.Fatalf("%q (key %v): %d; scanString: %d, %v, flags %b", b, key, got, end, err, flags)
			}
		}
	}
}
