// Package jsonx writes JSON strings for the packages that build JSON text
// by hand (rules' event envelopes, audit and alarm events; targets' input
// transformers; internal/rulesfile's rendering of YAML as JSON), so that
// they all escape text the same way.
//
// The functions append to a byte slice and allocate only to grow it. They
// are safe for concurrent use: they keep no state.
package jsonx

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// plain[c] reports whether the byte c stands for itself in a JSON string:
// printable ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s to dst as a quoted JSON string and returns the
// extended slice. It escapes what JSON requires (the quote, the backslash
// and the control characters U+0000 to U+001F, with \n, \r and \t for
// those three and \u00XX for the others) and nothing more: unlike
// encoding/json it leaves <, > and & (and U+2028, U+2029) as they are, so
// the text is no longer than it must be. Each byte of invalid UTF-8
// becomes \ufffd, as encoding/json does, so the result is always valid
// JSON in valid UTF-8.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = AppendStringContent(dst, s)
	return append(dst, '"')
}

// AppendStringContent appends s escaped as [AppendString] escapes it, but
// without the enclosing quotes: for text spliced into a JSON string
// literal that is already open.
func AppendStringContent(dst []byte, s string) []byte {
	start := 0 // s[start:i] is pending, needing no escape
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}
