package pattern

import (
	"math"
	"strconv"
)

// Numbers.
//
// EventBridge compares numbers by value, but only numbers that a float64
// holds exactly: a JSON number is "comparable" when its decimal value equals
// the decimal that Java's Double.toString prints for the nearest float64
// (AWS parses with BigDecimal and checks the round trip). A comparable
// number maps to an order-preserving uint64 key; numbers such as
// 37.807807921694092 (17 digits) or 1e400 are not comparable and match only
// the identical text.

// numKey returns the order-preserving key of the comparable number text s
// (JSON number syntax), and whether s is comparable.
func numKey(s string) (uint64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 {
		// BigDecimal has no negative zero: "-0" is 0.
		if !allZeroDigits(s) {
			return 0, false // underflow
		}
		return floatKey(0), true
	}
	if !roundTrips(s, f) {
		return 0, false
	}
	return floatKey(f), true
}

// floatKey maps a finite float64 to a uint64 whose unsigned order is the
// numeric order.
func floatKey(f float64) uint64 {
	if f == 0 {
		f = 0 // fold -0 into +0
	}
	b := math.Float64bits(f)
	if b>>63 == 0 {
		return b | 1<<63
	}
	return ^b
}

// keyFloat inverts floatKey.
func keyFloat(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

func allZeroDigits(s string) bool {
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

// roundTrips reports whether the decimal value of s equals the decimal that
// Java's Double.toString produces for f (f != 0, f = nearest float64 to s).
func roundTrips(s string, f float64) bool {
	digits, _ := decimalOf(s)
	a := math.Abs(f)
	// Fast path: up to 15 significant digits in the normal range always
	// round-trip (DBL_DIG = 15).
	if len(digits) <= 15 && a >= 0x1p-1022 {
		return true
	}
	return decimalEqual(s, javaDoubleString(f))
}

// javaDoubleString returns f formatted with the digits Java's (JDK 19+)
// Double.toString chooses: the shortest decimal that rounds to f, except
// that a one-digit result is replaced by the closest two-digit decimal that
// still rounds to f.
func javaDoubleString(f float64) string {
	s := strconv.FormatFloat(f, 'e', -1, 64)
	if d, _ := decimalOf(s); len(d) == 1 {
		t := strconv.FormatFloat(f, 'e', 1, 64)
		if g, err := strconv.ParseFloat(t, 64); err == nil && g == f {
			return t
		}
	}
	return s
}

// decimalOf returns the significant digits of the JSON number s (no leading
// or trailing zeros) and the exponent e such that |s| = 0.digits × 10^e.
// Zero has no digits.
func decimalOf(s string) (digits string, exp int) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	buf := make([]byte, 0, 24)
	pointExp := 0 // number of integer-part digits
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
			n = 1 << 30 // absurd exponent; never equal to a double's
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

// decimalEqual reports whether two decimal numbers in JSON/Go syntax have
// the same absolute value and sign.
func decimalEqual(a, b string) bool {
	da, ea := decimalOf(a)
	db, eb := decimalOf(b)
	if da == "" || db == "" {
		return da == db
	}
	na := len(a) > 0 && a[0] == '-'
	nb := len(b) > 0 && b[0] == '-'
	return da == db && ea == eb && na == nb
}
