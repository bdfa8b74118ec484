package rules

// maxNestingDepth is how deeply objects and arrays may nest in a detail,
// as encoding/json allows.
const maxNestingDepth = 10000

// appendCompactJSON appends src without its insignificant white space and
// reports whether src is exactly one valid JSON value. It accepts what
// encoding/json's Valid accepts and writes what json.Compact writes, in one
// pass, and reads src as a string so that an entry's Detail is not copied
// first. It validates token by token but copies runs: src between two
// stretches of white space is appended at once, so a detail that is
// already compact (as most are) is copied in one append. On failure dst's
// extension is garbage.
func appendCompactJSON(dst []byte, src string) ([]byte, bool) {
	c := compactor{src: src, dst: dst}
	if !c.value() {
		return dst, false
	}
	c.space()
	c.dst = append(c.dst, src[c.from:c.i]...)
	return c.dst, c.i == len(src)
}

type compactor struct {
	src   string
	i     int
	from  int // src[from:i] is valid, compact and not yet appended to dst
	dst   []byte
	depth int
}

// space skips white space; src up to it is appended to dst first.
func (c *compactor) space() {
	start := c.i
	for c.i < len(c.src) {
		switch c.src[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
			continue
		}
		break
	}
	if c.i > start {
		c.dst = append(c.dst, c.src[c.from:start]...)
		c.from = c.i
	}
}

func (c *compactor) value() bool {
	c.space()
	if c.i >= len(c.src) {
		return false
	}
	switch ch := c.src[c.i]; {
	case ch == '{':
		return c.container('{', '}')
	case ch == '[':
		return c.container('[', ']')
	case ch == '"':
		return c.string()
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return false
}

// container reads an object ('{') or an array ('['), which starts at c.i.
func (c *compactor) container(open, close byte) bool {
	c.depth++
	if c.depth > maxNestingDepth {
		return false
	}
	c.i++
	c.space()
	if c.i < len(c.src) && c.src[c.i] == close {
		c.i++
		c.depth--
		return true
	}
	for {
		if open == '{' {
			c.space()
			if c.i >= len(c.src) || c.src[c.i] != '"' || !c.string() {
				return false
			}
			c.space()
			if c.i >= len(c.src) || c.src[c.i] != ':' {
				return false
			}
			c.i++
		}
		if !c.value() {
			return false
		}
		c.space()
		if c.i >= len(c.src) {
			return false
		}
		switch c.src[c.i] {
		case ',':
			c.i++
		case close:
			c.i++
			c.depth--
			return true
		default:
			return false
		}
	}
}

// string reads a string, which starts at c.i with its quote.
func (c *compactor) string() bool {
	c.i++
	for c.i < len(c.src) {
		switch ch := c.src[c.i]; {
		case ch == '"':
			c.i++
			return true
		case ch == '\\':
			c.i++
			if c.i >= len(c.src) {
				return false
			}
			switch c.src[c.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				c.i++
			case 'u':
				if c.i+4 >= len(c.src) {
					return false
				}
				for _, h := range []byte(c.src[c.i+1 : c.i+5]) {
					if !isHexDigit(h) {
						return false
					}
				}
				c.i += 5
			default:
				return false
			}
		case ch < 0x20:
			return false
		default:
			c.i++
		}
	}
	return false
}

// number reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *compactor) number() bool {
	if c.src[c.i] == '-' {
		c.i++
	}
	switch {
	case c.i < len(c.src) && c.src[c.i] == '0':
		c.i++
	case c.i < len(c.src) && c.src[c.i] >= '1' && c.src[c.i] <= '9':
		c.digits()
	default:
		return false
	}
	if c.i < len(c.src) && c.src[c.i] == '.' {
		c.i++
		if !c.digits() {
			return false
		}
	}
	if c.i < len(c.src) && (c.src[c.i] == 'e' || c.src[c.i] == 'E') {
		c.i++
		if c.i < len(c.src) && (c.src[c.i] == '+' || c.src[c.i] == '-') {
			c.i++
		}
		if !c.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more decimal digits.
func (c *compactor) digits() bool {
	start := c.i
	for c.i < len(c.src) && c.src[c.i] >= '0' && c.src[c.i] <= '9' {
		c.i++
	}
	return c.i > start
}

func (c *compactor) literal(word string) bool {
	if len(c.src)-c.i < len(word) || c.src[c.i:c.i+len(word)] != word {
		return false
	}
	c.i += len(word)
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
