package targets

import (
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"
)

// The scan* functions walk a JSON text s once along a pathTree, storing
// values in vals; left counts the tree nodes with variables not yet found.
// They assume valid JSON (the engine validates events when they are put);
// on invalid input they stay in bounds and simply find less. (They take
// plain parameters rather than a struct so that vals can live on the
// caller's stack.)

// done is returned instead of a position once every value is found: the
// walk unwinds without scanning the rest of the event.
const done = -1

// scanValue visits the value starting at s[i] for node n and returns the
// position just after it, or done.
func scanValue(s string, i int, n *pathNode, vals []value, left *int) int {
	if i >= len(s) {
		return len(s)
	}
	end := -2
	if len(n.vars) > 0 {
		end = skipValue(s, i)
		v := value{raw: s[i:end], kind: kindAt(s, i)}
		for _, x := range n.vars {
			vals[x] = v
		}
		*left--
		if *left == 0 {
			return done
		}
	}
	if len(n.children) > 0 {
		switch s[i] {
		case '{':
			return scanObject(s, i, n, vals, left)
		case '[':
			return scanArray(s, i, n, vals, left)
		}
	}
	if end == -2 {
		end = skipValue(s, i)
	}
	return end
}

func scanObject(s string, i int, n *pathNode, vals []value, left *int) int {
	var seen uint64 // children already matched (the first of duplicate keys wins)
	for i++; ; {
		i = skipSpace(s, i)
		if i >= len(s) {
			return len(s)
		}
		switch s[i] {
		case '}':
			return i + 1
		case ',':
			i++
			continue
		case '"':
		default:
			return len(s) // not JSON
		}
		kend := skipString(s, i)
		key := s[i+1 : max(kend-1, i+1)]
		i = skipSpace(s, kend)
		if i < len(s) && s[i] == ':' {
			i = skipSpace(s, i+1)
		}
		var child *pathNode
		for ci, c := range n.children {
			if ci < 64 && seen&(1<<ci) != 0 {
				continue
			}
			if keyEquals(key, c.name) {
				if ci < 64 {
					seen |= 1 << ci
				}
				child = c
				break
			}
		}
		if child == nil {
			i = skipValue(s, i)
			continue
		}
		if i = scanValue(s, i, child, vals, left); i == done {
			return done
		}
	}
}

func scanArray(s string, i int, n *pathNode, vals []value, left *int) int {
	idx := 0
	for i++; ; {
		i = skipSpace(s, i)
		if i >= len(s) {
			return len(s)
		}
		switch s[i] {
		case ']':
			return i + 1
		case ',':
			i++
			idx++
			continue
		}
		// Several children may name one index ("0" and "00").
		next := -2
		for _, c := range n.children {
			if c.index == idx {
				if next = scanValue(s, i, c, vals, left); next == done {
					return done
				}
			}
		}
		if next == -2 {
			next = skipValue(s, i)
		}
		if next <= i {
			next = i + 1 // not JSON: make progress
		}
		i = next
	}
}

// keyEquals compares a raw (still escaped) member name with name, which
// never needs escaping.
func keyEquals(raw, name string) bool {
	if strings.IndexByte(raw, '\\') < 0 {
		return raw == name
	}
	var k string
	if json.Unmarshal([]byte(`"`+raw+`"`), &k) != nil {
		return false
	}
	return k == name
}

func kindAt(s string, i int) gjson.Type {
	switch s[i] {
	case '"':
		return gjson.String
	case '{', '[':
		return gjson.JSON
	case 't':
		return gjson.True
	case 'f':
		return gjson.False
	case 'n':
		return gjson.Null
	}
	return gjson.Number
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the position after the string starting at s[i].
func skipString(s string, i int) int {
	for j := i + 1; j < len(s); {
		k := strings.IndexAny(s[j:], `"\`)
		if k < 0 {
			return len(s)
		}
		j += k
		if s[j] == '"' {
			return j + 1
		}
		j += 2 // a backslash and the character it escapes
	}
	return len(s)
}

// skipValue returns the position after the value starting at s[i].
func skipValue(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				j = skipString(s, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(s)
	}
	j := i
	for j < len(s) {
		switch s[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}
