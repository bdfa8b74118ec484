package jsonscan_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rulebridge/rulebridge/internal/jsonscan"
)

// lexAll reads src to its end or its first error and returns each token
// as "kind raw-text", and the error.
func lexAll(src string) ([]string, *jsonscan.SyntaxError) {
	l := jsonscan.NewLexer([]byte(src))
	var toks []string
	for range len(src) + 2 { // every token but EOF takes at least one byte
		tok, err := l.Next()
		if err != nil {
			var se *jsonscan.SyntaxError
			if !errors.As(err, &se) {
				panic(fmt.Sprintf("%q: error %T %v is not a *SyntaxError", src, err, err))
			}
			return toks, se
		}
		if tok.Kind == jsonscan.EOF {
			return toks, nil
		}
		toks = append(toks, tok.Kind.String()+" "+src[tok.Start:tok.End])
	}
	panic(fmt.Sprintf("%q: the lexer does not advance", src))
}

const valid = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

// TestLexer checks the tokens of well-formed input and, for malformed
// input, the tokens before the error and the error's Jackson wording and
// offset: the texts package pattern returns as AWS's (compare
// pattern/errors_test.go and the conformance cases).
func TestLexer(t *testing.T) {
	cases := []struct {
		in   string
		toks []string // "kind raw" of each token before EOF or the error
		err  string   // "" when the input ends cleanly
		off  int      // the error's Offset
	}{
		// Well formed.
		{``, nil, "", 0},
		{" \t\r\n", nil, "", 0},
		{`{}`, []string{"{ {", "} }"}, "", 0},
		{`{"a": [1, -2.5e+3, "x\"y", true, false, null, {}], "b": {}}`, []string{"{ {", `field name "a"`, "[ [", "number 1", "number -2.5e+3",
			`string "x\"y"`, "true true", "false false", "null null", "{ {", "} }", "] ]", `field name "b"`, "{ {", "} }", "} }"}, "", 0},
		{`"\u00e9\ud83d\ude00"`, []string{`string "\u00e9\ud83d\ude00"`}, "", 0},
		{`0`, []string{"number 0"}, "", 0},
		{`-0.0E-0`, []string{"number -0.0E-0"}, "", 0},
		{`{} {}`, []string{"{ {", "} }", "{ {", "} }"}, "", 0}, // Jackson reads a stream of root values
		{`1 2`, []string{"number 1", "number 2"}, "", 0},

		// End of input inside a value.
		{`{`, []string{"{ {"}, `Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)"{"; line: 1, column: 1])`, 1},
		{`[1`, []string{"[ [", "number 1"}, `Unexpected end-of-input: expected close marker for Array (start marker at [Source: (String)"[1"; line: 1, column: 1])`, 2},
		{"{\n  \"a\": [1", []string{"{ {", `field name "a"`, "[ [", "number 1"},
			"Unexpected end-of-input: expected close marker for Array (start marker at [Source: (String)\"{\n  \"a\": [1\"; line: 2, column: 8])", 11},
		{`[1,`, []string{"[ [", "number 1"}, "Unexpected end-of-input within/between Array entries", 3},
		{`{"a"`, []string{"{ {"}, "Unexpected end-of-input within/between Object entries", 4},
		{`{"a":`, []string{"{ {"}, "Unexpected end-of-input within/between Object entries", 5},
		{`{"a":1,`, []string{"{ {", `field name "a"`, "number 1"}, "Unexpected end-of-input within/between Object entries", 7},
		{`"abc`, []string{`string "abc`}, "Unexpected end-of-input: was expecting closing quote for a string value", 4},
		{`{"ab`, []string{"{ {"}, "Unexpected end-of-input in field name", 4},
		{`["\u12`, []string{"[ [", `string "\u12`}, "Unexpected end-of-input in character escape sequence", 6},
		{`-`, nil, "Unexpected end-of-input in a Number value", 1},
		{`1.`, nil, "Unexpected end-of-input in a Number value", 2},
		{`1e+`, nil, "Unexpected end-of-input in a Number value", 3},

		// Close markers.
		{`}`, nil, `Unexpected close marker '}': expected ']' (for root starting at [Source: (String)"}"; line: 1, column: 0])`, 0},
		{`[}`, []string{"[ ["}, `Unexpected close marker '}': expected ']' (for Array starting at [Source: (String)"[}"; line: 1, column: 1])`, 1},
		{`{"a":[}`, []string{"{ {", `field name "a"`, "[ ["}, `Unexpected close marker '}': expected ']' (for Array starting at [Source: (String)"{"a":[}"; line: 1, column: 6])`, 6},

		// Separators.
		{`[1 2]`, []string{"[ [", "number 1"}, "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries", 3},
		{`{"a":1 "b":2}`, []string{"{ {", `field name "a"`, "number 1"}, `Unexpected character ('"' (code 34)): was expecting comma to separate Object entries`, 7},
		{`{'a':1}`, []string{"{ {"}, "Unexpected character (''' (code 39)): was expecting double-quote to start field name", 1},
		{`{"a" 1}`, []string{"{ {"}, "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value", 5},
		{"[\"a\" \u00a0]", []string{"[ [", `string "a"`}, "Unexpected character ('\u00a0' (code 160)): was expecting comma to separate Array entries", 5},
		{"[\"\U0001F600\" x]", []string{"[ [", "string \"\U0001F600\""}, "Unexpected character ('x' (code 120)): was expecting comma to separate Array entries", 8},

		// Tokens that are not values.
		{`tru`, nil, "Unrecognized token 'tru': was expecting " + valid, 0},
		{`true1`, nil, "Unrecognized token 'true1': was expecting " + valid, 0},
		{`this is not json`, nil, "Unrecognized token 'this': was expecting " + valid, 0},
		{`{"not": closed mark"`, []string{"{ {"}, "Unrecognized token 'closed': was expecting " + valid, 8}, // read with its field name, as Jackson does
		{`{"a":1} x`, []string{"{ {", `field name "a"`, "number 1", "} }"}, "Unrecognized token 'x': was expecting " + valid, 8},
		{`[é]`, []string{"[ ["}, "Unrecognized token 'é': was expecting " + valid, 1},
		{`[@]`, []string{"[ ["}, "Unexpected character ('@' (code 64)): expected a valid value " + valid, 1},
		{`[☃]`, []string{"[ ["}, "Unexpected character ('☃' (code 9731 / 0x2603)): expected a valid value " + valid, 1},
		{`NaN`, nil, "Non-standard token 'NaN': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow", 0},
		{`[Infinity]`, []string{"[ ["}, "Non-standard token 'Infinity': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow", 1},
		{`-Infinity`, nil, "Non-standard token '-Infinity': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow", 0},

		// Numbers.
		{`-x`, nil, "Unexpected character ('x' (code 120)) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value", 1},
		{`01`, nil, "Invalid numeric value: Leading zeroes not allowed", 1},
		{`[1.]`, []string{"[ ["}, "Unexpected character (']' (code 93)) in numeric value: Decimal point not followed by a digit", 3},
		{`1ex`, nil, "Unexpected character ('x' (code 120)) in numeric value: Exponent indicator not followed by a digit", 2},
		{`1x`, nil, "Unexpected character ('x' (code 120)): Expected space separating root-level values", 1},
		{`[1x]`, []string{"[ [", "number 1"}, "Unexpected character ('x' (code 120)): was expecting comma to separate Array entries", 2},

		// Control characters and escapes.
		{"[\x01]", []string{"[ ["}, `Illegal character ((CTRL-CHAR, code 1)): only regular white space (\r, \n, \t) is allowed between tokens`, 1},
		{"[\"a\x01\"]", []string{"[ [", `string "a`}, "Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped using backslash to be included in string value", 3},
		{"{\"a\x1f\":1}", []string{"{ {"}, "Illegal unquoted character ((CTRL-CHAR, code 31)): has to be escaped using backslash to be included in name", 3},
		{`["\x"]`, []string{"[ [", `string "\`}, "Unrecognized character escape 'x' (code 120)", 3},
		{`["\u12G4"]`, []string{"[ [", `string "\u12`}, "Unexpected character ('G' (code 71)): expected a hex-digit for character escape sequence", 6},
	}
	for _, c := range cases {
		toks, err := lexAll(c.in)
		if strings.Join(toks, "|") != strings.Join(c.toks, "|") {
			t.Errorf("%q: tokens\n got %q\nwant %q", c.in, toks, c.toks)
		}
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: unexpected error %q at %d", c.in, err.Msg, err.Offset)
		case c.err != "" && err == nil:
			t.Errorf("%q: no error, want %q", c.in, c.err)
		case err != nil && (err.Msg != c.err || err.Offset != c.off || err.Error() != err.Msg):
			t.Errorf("%q: error at %d\n got %q\nwant %q at %d", c.in, err.Offset, err.Msg, c.err, c.off)
		}
	}
	t.Logf("%d lexer cases ran", len(cases))
}

// TestLexerStickyError: after an error, Next keeps returning it.
func TestLexerStickyError(t *testing.T) {
	l := jsonscan.NewLexer([]byte(`[1 2]`))
	var first error
	for range 5 {
		_, err := l.Next()
		if err != nil && first == nil {
			first = err
		} else if first != nil && err != first {
			t.Fatalf("after %v, Next returned %v", first, err)
		}
	}
	if first == nil {
		t.Fatal("no error")
	}
}

// TestLexerLazyStrings: as Jackson finishes strings lazily, a malformed
// string value is returned as a token, and its error comes from Text or
// from the next call to Next.
func TestLexerLazyStrings(t *testing.T) {
	const want = "Unrecognized character escape 'x' (code 120)"
	l := jsonscan.NewLexer([]byte(`["\x", 1]`))
	if tok, err := l.Next(); err != nil || tok.Kind != jsonscan.BeginArray {
		t.Fatalf("first token %v, %v", tok, err)
	}
	if tok, err := l.Next(); err != nil || tok.Kind != jsonscan.String {
		t.Fatalf("second token %v, %v; want the string, its error deferred", tok, err)
	}
	if _, err := l.Text(); err == nil || err.Error() != want {
		t.Errorf("Text: %v, want %q", err, want)
	}
	if _, err := l.Next(); err == nil || err.Error() != want {
		t.Errorf("Next after the string: %v, want %q", err, want)
	}

	// Skipping the string does not avoid the error either.
	l = jsonscan.NewLexer([]byte(`{"a": "\x", "b": 1}`))
	for range 2 { // { and the name
		if _, err := l.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if tok, err := l.Next(); err != nil || tok.Kind != jsonscan.String {
		t.Fatalf("value token %v, %v", tok, err)
	}
	if _, err := l.Next(); err == nil || err.Error() != want {
		t.Errorf("Next after the string: %v, want %q", err, want)
	}
}

// TestLexerTextAndSkip checks Text for each token kind, Skip over nested
// values, Offset and Depth.
func TestLexerTextAndSkip(t *testing.T) {
	src := `{"skip": {"a": [1, {"b": 2}], "c": "d"}, "n\u00e9": -1.5e3, "s": "a\tb\u00e9\ud83d\ude00\ud800x", "t": true}`
	l := jsonscan.NewLexer([]byte(src))
	next := func() jsonscan.Token {
		t.Helper()
		tok, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	text := func() string {
		t.Helper()
		s, err := l.Text()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	next() // {
	if d := l.Depth(); d != 1 {
		t.Errorf("Depth = %d, want 1", d)
	}
	if tok := next(); tok.Kind != jsonscan.Name || text() != "skip" {
		t.Fatalf("got %v %q", tok, text())
	}
	v := next()
	if err := l.Skip(v); err != nil {
		t.Fatal(err)
	}
	if off, want := l.Offset(), strings.Index(src, `, "n`); off != want || l.Depth() != 1 {
		t.Errorf("after Skip: Offset %d, Depth %d; want %d, 1", off, l.Depth(), want)
	}
	for _, want := range []struct {
		kind jsonscan.Kind
		text string
	}{
		{jsonscan.Name, "né"}, {jsonscan.Number, "-1.5e3"},
		{jsonscan.Name, "s"}, {jsonscan.String, "a\tbé😀\ufffdx"}, // a lone surrogate becomes U+FFFD
		{jsonscan.Name, "t"}, {jsonscan.True, "true"},
		{jsonscan.EndObject, ""}, {jsonscan.EOF, ""},
	} {
		tok := next()
		got := ""
		if tok.Kind == jsonscan.Name || tok.Kind.IsValue() {
			got = text()
		}
		if tok.Kind != want.kind || got != want.text {
			t.Errorf("got %v %q, want %v %q", tok.Kind, got, want.kind, want.text)
		}
		if err := l.Skip(tok); err != nil { // Skip of a scalar does nothing
			t.Fatal(err)
		}
	}
}

func TestUnquote(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`""`, ""},
		{`"plain"`, "plain"},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\u0041\u00e9\u2603"`, "Aé☃"},
		{`"\uD83D\uDE00"`, "😀"},
		{`"\ud83d"`, "\ufffd"},             // a lone high surrogate
		{`"\ude00\ud83d"`, "\ufffd\ufffd"}, // reversed
		{`"\ud83dx"`, "\ufffdx"},
		{"\"a\xffb\"", "a\ufffdb"}, // invalid UTF-8
		{"\"é😀\"", "é😀"},
	} {
		if got := jsonscan.Unquote([]byte(c.in)); got != c.want {
			t.Errorf("Unquote(%s) = %q, want %q", c.in, got, c.want)
		}
		body := c.in[1 : len(c.in)-1]
		if got := string(jsonscan.AppendUnquoted([]byte("x:"), []byte(body))); got != "x:"+c.want {
			t.Errorf("AppendUnquoted(%s) = %q, want %q", body, got, "x:"+c.want)
		}
	}
}

func TestLineColumn(t *testing.T) {
	src := []byte("{\n  \"é\": [\"😀\", 1]\n}")
	for _, c := range []struct{ off, line, col int }{
		{0, 1, 1},
		{1, 1, 2},
		{2, 2, 1},
		{4, 2, 3}, // the quote before é
		{strings.Index(string(src), "[") + 1, 2, 9}, // é is one character
		{strings.Index(string(src), ","), 2, 13},    // 😀 counts two UTF-16 units, as in Java
		{len(src), 3, 2},
		{len(src) + 5, 3, 2}, // past the end: the end
	} {
		if line, col := jsonscan.LineColumn(src, c.off); line != c.line || col != c.col {
			t.Errorf("LineColumn(%d) = %d:%d, want %d:%d", c.off, line, col, c.line, c.col)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[jsonscan.Kind]string{jsonscan.EOF: "end of input", jsonscan.BeginObject: "{", jsonscan.Name: "field name",
		jsonscan.Null: "null", jsonscan.Kind(99): "Kind(99)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
	for k := jsonscan.EOF; k <= jsonscan.Null; k++ {
		if want := k >= jsonscan.String; k.IsValue() != want {
			t.Errorf("%v.IsValue() = %v", k, !want)
		}
	}
}
