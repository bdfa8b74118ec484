// Package jsonscan reads JSON text for package pattern.
//
// [Lexer] is a pull tokenizer for event patterns. It reports malformed input
// with the same messages as the Jackson streaming parser that AWS EventBridge
// uses, and it reads values as lazily as Jackson does, so that a pattern
// compiler built on it finds problems in the same order as AWS. Its package
// user, pattern, is the only intended caller.
package jsonscan

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the kind of a [Token].
type Kind uint8

// Token kinds.
const (
	EOF Kind = iota
	BeginObject
	EndObject
	BeginArray
	EndArray
	Name
	String
	Number
	True
	False
	Null
)

var kindNames = [...]string{"end of input", "{", "}", "[", "]", "field name", "string", "number", "true", "false", "null"}

// String returns how error messages name the kind: the punctuation itself,
// or words such as "field name" and "end of input".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// IsValue reports whether k is a scalar value kind.
func (k Kind) IsValue() bool { return k >= String }

// Token is one token of the input. Start and End are byte offsets of its raw
// text in the source.
type Token struct {
	Kind       Kind
	Start, End int
}

// SyntaxError reports malformed JSON. Msg is worded as Jackson words it.
type SyntaxError struct {
	Msg    string
	Offset int // byte offset in the source where the problem was found
}

// Error returns Msg.
func (e *SyntaxError) Error() string { return e.Msg }

// frame is one open object or array.
type frame struct {
	object      bool
	expectComma bool
	start       int // offset of the opening bracket
}

// Lexer tokenizes one JSON document. It is not safe for concurrent use.
type Lexer struct {
	src   []byte
	pos   int
	stack []frame
	err   error // sticky error

	// pending is the value token already read after a field name (Jackson
	// reads it together with the name).
	pending         Token
	hasPending      bool
	pendingDeferred error
	valueDeferred   error // set by readValue for a string with a problem

	// last is the most recent token returned by Next; deferred is the
	// error found while scanning it, reported when it is used or skipped
	// (Jackson finishes strings lazily).
	last     Token
	deferred error
	rootDone bool // a complete root value has been read
}

// NewLexer returns a Lexer reading src.
func NewLexer(src []byte) *Lexer {
	return &Lexer{src: src}
}

// Offset returns the byte offset just after the last token read.
func (l *Lexer) Offset() int { return l.pos }

// Depth returns the number of open objects and arrays.
func (l *Lexer) Depth() int { return len(l.stack) }

func (l *Lexer) fail(off int, format string, args ...any) error {
	l.err = &SyntaxError{Msg: fmt.Sprintf(format, args...), Offset: off}
	return l.err
}

// Next returns the next token. At the end of the input it returns a token of
// kind EOF, or an error if objects or arrays are still open.
func (l *Lexer) Next() (Token, error) {
	if l.err != nil {
		return Token{}, l.err
	}
	if l.deferred != nil {
		l.err = l.deferred
		return Token{}, l.err
	}
	if l.hasPending {
		l.hasPending = false
		l.deferred, l.pendingDeferred = l.pendingDeferred, nil
		return l.emit(l.pending)
	}
	c, off, ok, err := l.skipSpace()
	if err != nil {
		return Token{}, err
	}
	if !ok {
		if len(l.stack) > 0 {
			f := l.stack[len(l.stack)-1]
			return Token{}, l.fail(len(l.src), "Unexpected end-of-input: expected close marker for %s (start marker at %s)",
				typeDesc(f.object), l.location(f.start, false))
		}
		return Token{Kind: EOF, Start: len(l.src), End: len(l.src)}, nil
	}
	if c == ']' || c == '}' {
		return l.closeScope(c, off)
	}
	if len(l.stack) > 0 {
		top := &l.stack[len(l.stack)-1]
		if top.expectComma {
			if c != ',' {
				return Token{}, l.fail(off, "Unexpected character (%s): was expecting comma to separate %s entries",
					charDesc(l.src[off:]), typeDesc(top.object))
			}
			l.pos = off + 1
			c, off, ok, err = l.skipSpace()
			if err != nil {
				return Token{}, err
			}
			if !ok {
				return Token{}, l.fail(len(l.src), "Unexpected end-of-input within/between %s entries", typeDesc(top.object))
			}
		}
		if top.object {
			return l.readName(c, off)
		}
	}
	t, err := l.readValue(c, off)
	if err != nil {
		return Token{}, err
	}
	l.deferred, l.valueDeferred = l.valueDeferred, nil
	return l.emit(t)
}

// emit records t as the last token and updates the context.
func (l *Lexer) emit(t Token) (Token, error) {
	l.last = t
	switch t.Kind {
	case BeginObject, BeginArray:
		if len(l.stack) > 0 {
			l.stack[len(l.stack)-1].expectComma = true
		}
		l.stack = append(l.stack, frame{object: t.Kind == BeginObject, start: t.Start})
	case Name:
		// the value follows; no comma before it
	default:
		if len(l.stack) > 0 {
			l.stack[len(l.stack)-1].expectComma = true
		} else {
			l.rootDone = true
		}
	}
	return t, nil
}

func (l *Lexer) closeScope(c byte, off int) (Token, error) {
	if len(l.stack) == 0 {
		exp := byte(']')
		if c == ']' {
			exp = '}'
		}
		return Token{}, l.fail(off, "Unexpected close marker '%c': expected '%c' (for root starting at %s)", c, exp, l.location(-1, true))
	}
	top := l.stack[len(l.stack)-1]
	if (c == '}') != top.object {
		exp := byte('}')
		if !top.object {
			exp = ']'
		}
		return Token{}, l.fail(off, "Unexpected close marker '%c': expected '%c' (for %s starting at %s)",
			c, exp, typeDesc(top.object), l.location(top.start, false))
	}
	l.stack = l.stack[:len(l.stack)-1]
	l.pos = off + 1
	k := EndArray
	if c == '}' {
		k = EndObject
	}
	t := Token{Kind: k, Start: off, End: off + 1}
	l.last = t
	if len(l.stack) > 0 {
		l.stack[len(l.stack)-1].expectComma = true
	} else {
		l.rootDone = true
	}
	return t, nil
}

// readName reads a field name, its colon, and the start of its value.
func (l *Lexer) readName(c byte, off int) (Token, error) {
	if c != '"' {
		return Token{}, l.fail(off, "Unexpected character (%s): was expecting double-quote to start field name", charDesc(l.src[off:]))
	}
	end, err := l.scanString(off, true)
	if err != nil {
		l.err = err
		return Token{}, err
	}
	name := Token{Kind: Name, Start: off, End: end}
	l.pos = end
	// colon
	c, coff, ok, err := l.skipSpace()
	if err != nil {
		return Token{}, err
	}
	if !ok {
		return Token{}, l.fail(len(l.src), "Unexpected end-of-input within/between Object entries")
	}
	if c != ':' {
		return Token{}, l.fail(coff, "Unexpected character (%s): was expecting a colon to separate field name and value", charDesc(l.src[coff:]))
	}
	l.pos = coff + 1
	c, voff, ok, err := l.skipSpace()
	if err != nil {
		return Token{}, err
	}
	if !ok {
		return Token{}, l.fail(len(l.src), "Unexpected end-of-input within/between Object entries")
	}
	// Jackson reads the value token together with the name: literals and
	// numbers are checked now, strings later.
	v, err := l.readValue(c, voff)
	if err != nil {
		return Token{}, err
	}
	l.pending, l.hasPending = v, true
	l.pendingDeferred, l.valueDeferred = l.valueDeferred, nil
	l.last = name
	return name, nil
}

// readValue reads a value token starting with c at off.
func (l *Lexer) readValue(c byte, off int) (Token, error) {
	switch {
	case c == '"':
		end, err := l.scanString(off, false)
		l.pos = end
		l.valueDeferred = err
		return Token{Kind: String, Start: off, End: end}, nil
	case c == '{':
		l.pos = off + 1
		return Token{Kind: BeginObject, Start: off, End: off + 1}, nil
	case c == '[':
		l.pos = off + 1
		return Token{Kind: BeginArray, Start: off, End: off + 1}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		end, err := l.scanNumber(off)
		if err != nil {
			return Token{}, err
		}
		l.pos = end
		return Token{Kind: Number, Start: off, End: end}, nil
	case c == 't':
		return l.matchLiteral(off, "true", True)
	case c == 'f':
		return l.matchLiteral(off, "false", False)
	case c == 'n':
		return l.matchLiteral(off, "null", Null)
	case c == 'N':
		if _, err := l.matchLiteral(off, "NaN", Null); err != nil {
			return Token{}, err
		}
		return Token{}, l.fail(off, "Non-standard token 'NaN': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow")
	case c == 'I':
		if _, err := l.matchLiteral(off, "Infinity", Null); err != nil {
			return Token{}, err
		}
		return Token{}, l.fail(off, "Non-standard token 'Infinity': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow")
	}
	return Token{}, l.oddValue(off)
}

const validTokens = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

// oddValue reports a character that cannot start a value.
func (l *Lexer) oddValue(off int) error {
	r, _ := utf8.DecodeRune(l.src[off:])
	if isJavaIdentifierStart(r) {
		return l.invalidToken(off, off)
	}
	return l.fail(off, "Unexpected character (%s): expected a valid value %s", charDesc(l.src[off:]), validTokens)
}

// invalidToken reports the identifier-like token that starts at start,
// having matched up to matched.
func (l *Lexer) invalidToken(start, matched int) error {
	i := matched
	n := utf8.RuneCount(l.src[start:matched])
	var sb strings.Builder
	sb.Write(l.src[start:matched])
	for i < len(l.src) {
		r, size := utf8.DecodeRune(l.src[i:])
		if !isJavaIdentifierPart(r) {
			break
		}
		sb.Write(l.src[i : i+size])
		i += size
		n++
		if n >= 256 {
			sb.WriteString("...")
			break
		}
	}
	return l.fail(start, "Unrecognized token '%s': was expecting %s", sb.String(), validTokens)
}

// matchLiteral matches word at off, as Jackson's _matchToken does.
func (l *Lexer) matchLiteral(off int, word string, k Kind) (Token, error) {
	i := 0
	for ; i < len(word); i++ {
		p := off + i
		if p >= len(l.src) || l.src[p] != word[i] {
			return Token{}, l.invalidToken(off, off+i)
		}
	}
	end := off + len(word)
	if end < len(l.src) {
		c := l.src[end]
		if c >= '0' && c != ']' && c != '}' {
			r, _ := utf8.DecodeRune(l.src[end:])
			if isJavaIdentifierPart(r) {
				return Token{}, l.invalidToken(off, end)
			}
		}
	}
	l.pos = end
	return Token{Kind: k, Start: off, End: end}, nil
}

// skipSpace skips white space and returns the next byte and its offset.
func (l *Lexer) skipSpace() (c byte, off int, ok bool, err error) {
	i := l.pos
	for i < len(l.src) {
		c := l.src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		if c < 0x20 {
			return 0, i, false, l.fail(i, `Illegal character ((CTRL-CHAR, code %d)): only regular white space (\r, \n, \t) is allowed between tokens`, c)
		}
		l.pos = i
		return c, i, true, nil
	}
	l.pos = i
	return 0, i, false, nil
}

// scanString finds the end of the string starting at off (the opening
// quote) and returns the offset after its closing quote. On error it
// returns the offset where scanning stopped and the error.
func (l *Lexer) scanString(off int, name bool) (int, error) {
	what := "string value"
	if name {
		what = "name"
	}
	i := off + 1
	for i < len(l.src) {
		c := l.src[i]
		switch {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(l.src) {
				return len(l.src), &SyntaxError{Msg: "Unexpected end-of-input in character escape sequence", Offset: len(l.src)}
			}
			e := l.src[i+1]
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 0; k < 4; k++ {
					p := i + 2 + k
					if p >= len(l.src) {
						return len(l.src), &SyntaxError{Msg: "Unexpected end-of-input in character escape sequence", Offset: len(l.src)}
					}
					if !isHex(l.src[p]) {
						return p, &SyntaxError{Msg: fmt.Sprintf("Unexpected character (%s): expected a hex-digit for character escape sequence", charDesc(l.src[p:])), Offset: p}
					}
				}
				i += 6
			default:
				return i + 1, &SyntaxError{Msg: fmt.Sprintf("Unrecognized character escape %s", charDesc(l.src[i+1:])), Offset: i + 1}
			}
		case c < 0x20:
			return i, &SyntaxError{Msg: fmt.Sprintf("Illegal unquoted character ((CTRL-CHAR, code %d)): has to be escaped using backslash to be included in %s", c, what), Offset: i}
		default:
			i++
		}
	}
	if name {
		return len(l.src), &SyntaxError{Msg: "Unexpected end-of-input in field name", Offset: len(l.src)}
	}
	return len(l.src), &SyntaxError{Msg: "Unexpected end-of-input: was expecting closing quote for a string value", Offset: len(l.src)}
}

// scanNumber reads a number as Jackson does and returns its end.
func (l *Lexer) scanNumber(off int) (int, error) {
	src := l.src
	i := off
	if src[i] == '-' {
		i++
		if i >= len(src) {
			return 0, l.fail(i, "Unexpected end-of-input in a Number value")
		}
		c := src[i]
		if c < '0' || c > '9' {
			if c == 'I' {
				if _, err := l.matchLiteral(i, "Infinity", Null); err != nil {
					return 0, err
				}
				return 0, l.fail(off, "Non-standard token '-Infinity': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow")
			}
			return 0, l.fail(i, "Unexpected character (%s) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value", charDesc(src[i:]))
		}
	}
	if src[i] == '0' {
		i++
		if i < len(src) && src[i] >= '0' && src[i] <= '9' {
			return 0, l.fail(i, "Invalid numeric value: Leading zeroes not allowed")
		}
	} else {
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	if i < len(src) && src[i] == '.' {
		i++
		start := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == start {
			if i >= len(src) {
				return 0, l.fail(i, "Unexpected end-of-input in a Number value")
			}
			return 0, l.fail(i, "Unexpected character (%s) in numeric value: Decimal point not followed by a digit", charDesc(src[i:]))
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		start := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == start {
			if i >= len(src) {
				return 0, l.fail(i, "Unexpected end-of-input in a Number value")
			}
			return 0, l.fail(i, "Unexpected character (%s) in numeric value: Exponent indicator not followed by a digit", charDesc(src[i:]))
		}
	}
	if len(l.stack) == 0 && i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return 0, l.fail(i, "Unexpected character (%s): Expected space separating root-level values", charDesc(src[i:]))
		}
	}
	return i, nil
}

// Text returns the decoded text of the last Name or String token, or the
// raw text of the last Number or literal token.
func (l *Lexer) Text() (string, error) {
	if l.deferred != nil {
		l.err = l.deferred
		return "", l.err
	}
	t := l.last
	switch t.Kind {
	case Name, String:
		return Unquote(l.src[t.Start:t.End]), nil
	}
	return string(l.src[t.Start:t.End]), nil
}

// Skip skips the rest of the value whose first token was t.
func (l *Lexer) Skip(t Token) error {
	if t.Kind != BeginObject && t.Kind != BeginArray {
		return nil
	}
	depth := 1
	for depth > 0 {
		u, err := l.Next()
		if err != nil {
			return err
		}
		switch u.Kind {
		case BeginObject, BeginArray:
			depth++
		case EndObject, EndArray:
			depth--
		}
	}
	return nil
}

// Unquote decodes a JSON string literal, quotes included, that is known to
// be well formed. Invalid UTF-8 and unpaired surrogate escapes become U+FFFD,
// as in encoding/json.
func Unquote(q []byte) string {
	s := q[1 : len(q)-1]
	simple := true
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			simple = false
			break
		}
	}
	if simple {
		return string(s)
	}
	return string(AppendUnquoted(make([]byte, 0, len(s)), s))
}

// AppendUnquoted appends the decoded form of the string body s (without
// quotes, known to be well formed) to dst.
func AppendUnquoted(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' {
			e := s[i+1]
			switch e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := rune(hex4(s[i+2:]))
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 := rune(hex4(s[i+2:]))
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							dst = utf8.AppendRune(dst, d)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // " \ /
				dst = append(dst, e)
			}
			i += 2
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hex4(b []byte) uint16 {
	var v uint16
	for _, c := range b[:4] {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= uint16(c - '0')
		case c >= 'a' && c <= 'f':
			v |= uint16(c - 'a' + 10)
		default:
			v |= uint16(c - 'A' + 10)
		}
	}
	return v
}

func typeDesc(object bool) string {
	if object {
		return "Object"
	}
	return "Array"
}

// charDesc describes the character at the start of b as Jackson does.
func charDesc(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	code := r
	if r > 0xFFFF {
		hi, _ := utf16.EncodeRune(r)
		code = hi
	}
	if (code >= 0 && code < 0x20) || (code >= 0x7F && code <= 0x9F) {
		return fmt.Sprintf("(CTRL-CHAR, code %d)", code)
	}
	if code > 255 {
		return fmt.Sprintf("'%c' (code %d / 0x%x)", r, code, code)
	}
	return fmt.Sprintf("'%c' (code %d)", r, code)
}

// location renders a Jackson location, "[Source: (String)"..."; line: L,
// column: C]", for the byte offset off (or line 1 column 0 for root).
func (l *Lexer) location(off int, root bool) string {
	line, col := 1, 0
	if !root {
		line, col = LineColumn(l.src, off)
	}
	const max = 500
	var sb strings.Builder
	sb.WriteString(`[Source: (String)"`)
	units := 0
	i := 0
	for i < len(l.src) && units < max {
		r, size := utf8.DecodeRune(l.src[i:])
		sb.Write(l.src[i : i+size])
		i += size
		units += utf16.RuneLen(r)
		if r == utf8.RuneError {
			units = units - utf16.RuneLen(r) + 1
		}
	}
	sb.WriteByte('"')
	if i < len(l.src) {
		rest := 0
		for _, r := range string(l.src[i:]) {
			rest += utf16.RuneLen(r)
		}
		fmt.Fprintf(&sb, "[truncated %d chars]", rest)
	}
	fmt.Fprintf(&sb, "; line: %d, column: %d]", line, col)
	return sb.String()
}

// LineColumn returns the 1-based line and column of byte offset off in src,
// counting columns in characters as Jackson does.
func LineColumn(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	col = 1
	for _, r := range string(src[start:off]) {
		col += utf16.RuneLen(r)
		if r == utf8.RuneError {
			col = col - utf16.RuneLen(r) + 1
		}
	}
	return line, col
}

// isJavaIdentifierStart approximates Java's Character.isJavaIdentifierStart.
func isJavaIdentifierStart(r rune) bool {
	return unicode.IsLetter(r) || r == '$' || r == '_' || unicode.Is(unicode.Sc, r) ||
		unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Nl, r)
}

// isJavaIdentifierPart approximates Java's Character.isJavaIdentifierPart.
func isJavaIdentifierPart(r rune) bool {
	if isJavaIdentifierStart(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
		return true
	}
	// identifier-ignorable characters
	return (r >= 0 && r <= 8) || (r >= 0x0E && r <= 0x1B) || (r >= 0x7F && r <= 0x9F) || unicode.Is(unicode.Cf, r)
}
