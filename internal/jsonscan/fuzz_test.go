package jsonscan_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/rulebridge/rulebridge/internal/jsonscan"
)

// FuzzLexer reads any input to its end or its first error and checks that
// the lexer never panics, always advances, and keeps every offset inside
// the input; and, for input encoding/json accepts, that it reads the same
// tokens (names, strings and numbers with the same text) without an error.
// The seeds are in testdata/fuzz/FuzzLexer.
func FuzzLexer(f *testing.F) {
	f.Fuzz(func(t *testing.T, src []byte) {
		l := jsonscan.NewLexer(src)
		var toks []jsonscan.Token
		var texts []string
		var lexErr error
		prevEnd := 0
		for {
			tok, err := l.Next()
			if off := l.Offset(); off < 0 || off > len(src) {
				t.Fatalf("Offset %d outside [0, %d]", off, len(src))
			}
			if err != nil {
				var se *jsonscan.SyntaxError
				if !errors.As(err, &se) || se.Msg == "" || se.Offset < 0 || se.Offset > len(src) {
					t.Fatalf("error %#v: want a *SyntaxError with a message and an offset in [0, %d]", err, len(src))
				}
				if _, again := l.Next(); again != err {
					t.Fatalf("Next after %v returned %v", err, again)
				}
				lexErr = err
				break
			}
			if tok.Start < prevEnd || tok.End < tok.Start || tok.End > len(src) || tok.Kind != jsonscan.EOF && tok.End == tok.Start {
				t.Fatalf("token %+v after offset %d, in %d bytes", tok, prevEnd, len(src))
			}
			prevEnd = tok.End
			if tok.Kind == jsonscan.EOF {
				if l.Depth() != 0 {
					t.Fatalf("EOF with depth %d", l.Depth())
				}
				break
			}
			text := ""
			if tok.Kind == jsonscan.Name || tok.Kind.IsValue() {
				if text, err = l.Text(); err != nil {
					lexErr = err
					break
				}
			}
			toks = append(toks, tok)
			texts = append(texts, text)
		}
		if !json.Valid(src) {
			return
		}
		if lexErr != nil {
			t.Fatalf("encoding/json accepts %q; the lexer says %v", src, lexErr)
		}
		dec := json.NewDecoder(bytes.NewReader(src))
		dec.UseNumber()
		for i := 0; ; i++ {
			want, err := dec.Token()
			if err == io.EOF {
				if i != len(toks) {
					t.Fatalf("%q: the lexer read %d tokens, encoding/json %d", src, len(toks), i)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: encoding/json: %v", src, err)
			}
			if i >= len(toks) {
				t.Fatalf("%q: the lexer read %d tokens, encoding/json more", src, len(toks))
			}
			if got := describe(toks[i].Kind, texts[i]); got != describe(kindOf(want), textOf(want)) {
				t.Fatalf("%q: token %d is %s, encoding/json's %v", src, i, got, want)
			}
		}
	})
}

func describe(k jsonscan.Kind, text string) string {
	if k == jsonscan.Name {
		k = jsonscan.String // encoding/json does not tell names from strings
	}
	return k.String() + " " + text
}

func kindOf(tok json.Token) jsonscan.Kind {
	switch v := tok.(type) {
	case json.Delim:
		return map[json.Delim]jsonscan.Kind{'{': jsonscan.BeginObject, '}': jsonscan.EndObject, '[': jsonscan.BeginArray, ']': jsonscan.EndArray}[v]
	case string:
		return jsonscan.String
	case json.Number:
		return jsonscan.Number
	case bool:
		if v {
			return jsonscan.True
		}
		return jsonscan.False
	}
	return jsonscan.Null
}

func textOf(tok json.Token) string {
	switch v := tok.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		if v {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	}
	return ""
}
