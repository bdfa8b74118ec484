package pattern

import (
	"math"
	"strconv"
)

// numKeyRef is the straightforward definition of numKey that the fast
// version in number.go must agree with: parse, then compare the exact
// decimal value of the text with the decimal Java prints for the double.
func numKeyRef(s string) (uint64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 {
		if !refAllZeroDigits(s) {
			return 0, false // underflow
		}
		return floatKey(0), true
	}
	digits, _ := refDecimalOf(s)
	if len(digits) <= 15 && math.Abs(f) >= 0x1p-1022 {
		return floatKey(f), true
	}
	if !refDecimalEqual(s, refJavaDoubleString(f)) {
		return 0, false
	}
	return floatKey(f), true
}

func refJavaDoubleString(f float64) string {
	s := strconv.FormatFloat(f, 'e', -1, 64)
	if d, _ := refDecimalOf(s); len(d) == 1 {
		t := strconv.FormatFloat(f, 'e', 1, 64)
		if g, err := strconv.ParseFloat(t, 64); err == nil && g == f {
			return t
		}
	}
	return s
}

func refAllZeroDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 'e' || c == 'E' {
			break
		}
		if c >= '1' && c <= '9' {
			return false
		}
	}
	return true
}

func refDecimalOf(s string) (digits string, exp int) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	var buf []byte
	pointExp := 0
	seenPoint := false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			seenPoint = true
			continue
		}
		if c == 'e' || c == 'E' {
			break
		}
		if len(buf) == 0 && c == '0' {
			if seenPoint {
				pointExp--
			}
			continue
		}
		buf = append(buf, c)
		if !seenPoint {
			pointExp++
		}
	}
	e := 0
	if i < len(s) {
		n, err := strconv.Atoi(s[i+1:])
		if err != nil {
			n = 1 << 30
			if len(s) > i+1 && s[i+1] == '-' {
				n = -n
			}
		}
		e = n
	}
	for len(buf) > 0 && buf[len(buf)-1] == '0' {
		buf = buf[:len(buf)-1]
	}
	if len(buf) == 0 {
		return "", 0
	}
	return string(buf), pointExp + e
}

func refDecimalEqual(a, b string) bool {
	da, ea := refDecimalOf(a)
	db, eb := refDecimalOf(b)
	if da == "" || db == "" {
		return da == db
	}
	na := len(a) > 0 && a[0] == '-'
	nb := len(b) > 0 && b[0] == '-'
	return da == db && ea == eb && na == nb
}
