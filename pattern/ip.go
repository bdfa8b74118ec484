package pattern

import (
	"bytes"
	"strings"
)

// IP addresses.
//
// EventBridge treats a string as an IP address when it looks like one
// (IPv4: four dot-separated decimal numbers; IPv6: hex digits and colons
// with at least one colon) and Java's InetAddress accepts it. The rules
// below reproduce Java's parser: IPv4 octets may have leading zeros (read as
// decimal) and the whole text is at most 15 characters; IPv6 groups may have
// any number of leading zeros; an IPv4-mapped IPv6 address (::ffff:a.b.c.d
// written in hex) is the IPv4 address. Embedded dotted IPv4 and zone
// suffixes are not addresses.

// ipAddr is an IPv4 (n == 4) or IPv6 (n == 16) address.
type ipAddr struct {
	b [16]byte
	n int
}

func (a ipAddr) bytes() []byte { return a.b[:a.n] }

// ipRange is an inclusive range of addresses of one family.
type ipRange struct {
	lo, hi ipAddr
}

func (r ipRange) contains(a ipAddr) bool {
	return a.n == r.lo.n && bytes.Compare(a.bytes(), r.lo.bytes()) >= 0 && bytes.Compare(a.bytes(), r.hi.bytes()) <= 0
}

// looksLikeIP reports whether s matches AWS's IPv4 or IPv6 shape.
func looksLikeIP(s string) bool { return looksLikeIPv4(s) || looksLikeIPv6(s) }

func looksLikeIPv4(s string) bool {
	parts := 0
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			if digits == 0 {
				return false
			}
			parts++
			digits = 0
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

func looksLikeIPv6(s string) bool {
	colon := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colon = true
		case isHexDigit(c):
		default:
			return false
		}
	}
	return colon
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

// parseIP parses s as EventBridge does. It reports false for strings that
// are not IP addresses.
func parseIP(s string) (ipAddr, bool) {
	if looksLikeIPv4(s) {
		return parseIPv4(s)
	}
	if looksLikeIPv6(s) {
		return parseIPv6(s)
	}
	return ipAddr{}, false
}

func parseIPv4(s string) (ipAddr, bool) {
	if len(s) == 0 || len(s) > 15 {
		return ipAddr{}, false
	}
	var a ipAddr
	a.n = 4
	part, v := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if v > 0xff {
				return ipAddr{}, false
			}
			a.b[part] = byte(v)
			part++
			v = 0
			continue
		}
		v = v*10 + int(c-'0')
	}
	if v > 0xff {
		return ipAddr{}, false
	}
	a.b[3] = byte(v)
	return a, true
}

func parseIPv6(s string) (ipAddr, bool) {
	if len(s) < 2 {
		return ipAddr{}, false
	}
	var dst [16]byte
	i, j := 0, 0
	colonp := -1
	if s[0] == ':' {
		if s[1] != ':' {
			return ipAddr{}, false
		}
		i = 1
	}
	sawDigit := false
	val := 0
	for i < len(s) {
		c := s[i]
		i++
		if c != ':' {
			val = val<<4 | hexVal(c)
			if val > 0xffff {
				return ipAddr{}, false
			}
			sawDigit = true
			continue
		}
		if !sawDigit {
			if colonp != -1 {
				return ipAddr{}, false
			}
			colonp = j
			continue
		}
		if i == len(s) {
			return ipAddr{}, false
		}
		if j+2 > 16 {
			return ipAddr{}, false
		}
		dst[j] = byte(val >> 8)
		dst[j+1] = byte(val)
		j += 2
		sawDigit = false
		val = 0
	}
	if sawDigit {
		if j+2 > 16 {
			return ipAddr{}, false
		}
		dst[j] = byte(val >> 8)
		dst[j+1] = byte(val)
		j += 2
	}
	if colonp != -1 {
		n := j - colonp
		if j == 16 {
			return ipAddr{}, false
		}
		for k := 1; k <= n; k++ {
			dst[16-k] = dst[colonp+n-k]
			dst[colonp+n-k] = 0
		}
		j = 16
	}
	if j != 16 {
		return ipAddr{}, false
	}
	var a ipAddr
	mapped := dst[10] == 0xff && dst[11] == 0xff
	for k := 0; k < 10 && mapped; k++ {
		mapped = dst[k] == 0
	}
	if mapped {
		a.n = 4
		copy(a.b[:4], dst[12:])
		return a, true
	}
	a.n = 16
	a.b = dst
	return a, true
}

// parseCIDR parses a cidr operand, returning AWS's reason text on error.
// Like AWS, the range runs from the address as written (not masked) to the
// end of its block, and /32 and /128 are rejected.
func parseCIDR(s string) (ipRange, string) {
	parts := strings.Split(s, "/")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return ipRange{}, "Malformed CIDR, one '/' required"
	}
	bits, ok := javaParseInt(parts[1])
	if !ok {
		return ipRange{}, "Malformed CIDR, mask bits must be an integer"
	}
	if bits < 0 {
		return ipRange{}, "Malformed CIDR, mask bits must not be negative"
	}
	if !looksLikeIP(parts[0]) {
		return ipRange{}, "Nonstandard IP address: " + parts[0]
	}
	a, ok := parseIP(parts[0])
	if !ok {
		return ipRange{}, "Invalid IP address: " + parts[0]
	}
	if a.n == 4 && bits > 31 {
		return ipRange{}, "IPv4 mask bits must be < 32"
	}
	if a.n == 16 && bits > 127 {
		return ipRange{}, "IPv6 mask bits must be < 128"
	}
	hi := a
	host := a.n*8 - bits
	for k := a.n - 1; k >= 0 && host > 0; k-- {
		if host >= 8 {
			hi.b[k] = 0xff
		} else {
			hi.b[k] |= byte(1<<host - 1)
		}
		host -= 8
	}
	return ipRange{lo: a, hi: hi}, ""
}

// javaParseInt parses a decimal int32 as Java's Integer.parseInt does.
func javaParseInt(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	i := 0
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i = 1
		if len(s) == 1 {
			return 0, false
		}
	}
	v := int64(0)
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
		if v > 1<<31 {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	if v > 1<<31-1 || v < -(1<<31) {
		return 0, false
	}
	return int(v), true
}
