package pattern

import (
	"math"
	"strconv"
	"unsafe"
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
//
// The test is cheap for most numbers: Java prints at most 17 significant
// digits, so a number with 18 or more (after dropping trailing zeros) is
// not comparable, and one with at most 15 in the normal range always is
// (DBL_DIG). Only 16- and 17-digit numbers, and subnormal ones, need the
// shortest decimal of the double to be computed and compared.

// numStatus classifies a number's text.
type numStatus uint8

const (
	numUnparsed numStatus = iota
	numExact              // comparable; the float is its value
	numNot                // not comparable
	numCheck              // comparable if the text is the double's shortest decimal
	numApprox             // the float is within numSlack keys of the nearest double
)

// numSlack bounds, in keys (adjacent doubles have adjacent keys), how far
// an approximate float may be from the nearest double.
const numSlack = 4

var pow10tab = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimal is a number's significant digits without trailing zeros, as an
// integer, and its exponent: the value is ±mant × 10^exp.
type decimal struct {
	mant uint64
	exp  int
	nd   int  // digits in mant
	over bool // a non-zero digit beyond the 19th was dropped
	neg  bool
}

// parseDecimal reads JSON number text (known to be well formed).
func parseDecimal(s []byte) decimal {
	var d decimal
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		c := uint64(s[i] - '0')
		switch {
		case d.nd == 0 && c == 0:
		case d.nd < 19:
			d.mant = d.mant*10 + c
			d.nd++
		default:
			d.exp++
			d.over = d.over || c != 0
		}
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			c := uint64(s[i] - '0')
			switch {
			case d.nd == 0 && c == 0:
				d.exp--
			case d.nd < 19:
				d.mant = d.mant*10 + c
				d.nd++
				d.exp--
			default:
				d.over = d.over || c != 0
			}
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		e := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if e < 1e8 {
				e = e*10 + int(s[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		d.exp += e
	}
	for d.mant != 0 && d.mant%10 == 0 {
		d.mant /= 10
		d.exp++
		d.nd--
	}
	return d
}

// numParse returns the nearest float64 to the JSON number text s and how it
// compares (see numStatus); it never returns numApprox.
func numParse(s []byte) (float64, numStatus) {
	f, st := numParseDecimal(s, parseDecimal(s), false)
	return f, st
}

// numParseDecimal is numParse for a number already read into d. With
// approx, it may return numApprox for a 16- or 17-digit number instead of
// computing the nearest double exactly.
func numParseDecimal(s []byte, d decimal, approx bool) (float64, numStatus) {
	if d.mant == 0 && !d.over {
		return 0, numExact // zero; -0 is 0
	}
	if d.over || d.nd >= 18 {
		return 0, numNot
	}
	var f float64
	if approx && d.nd >= 16 && d.exp >= -22 && d.exp <= 22 {
		// Two roundings: within numSlack of the nearest double.
		f = float64(d.mant)
		if d.exp >= 0 {
			f *= pow10tab[d.exp]
		} else {
			f /= pow10tab[-d.exp]
		}
		if d.neg {
			f = -f
		}
		return f, numApprox
	}
	if d.mant < 1<<53 && d.exp >= -22 && d.exp <= 22 {
		f = float64(d.mant)
		if d.exp >= 0 {
			f *= pow10tab[d.exp]
		} else {
			f /= pow10tab[-d.exp]
		}
		if d.neg {
			f = -f
		}
	} else {
		var err error
		f, err = strconv.ParseFloat(asString(s), 64)
		if err != nil && !math.IsInf(f, 0) && f != 0 {
			return 0, numNot
		}
	}
	if math.IsInf(f, 0) || f == 0 {
		return 0, numNot // overflow or underflow
	}
	if d.nd <= 15 && math.Abs(f) >= 0x1p-1022 {
		return f, numExact
	}
	return f, numCheck
}

// asString returns b as a string without copying it; the result must not
// outlive b, and b must not change while it is used.
func asString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// asBytes returns s as a byte slice without copying it; the result must
// not be modified.
func asBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// isShortest reports whether the decimal value of s equals the decimal that
// Java's (JDK 19+) Double.toString prints for f: the shortest decimal that
// rounds to f, except that a one-digit result is replaced by the closest
// two-digit decimal that still rounds to f.
func isShortest(s []byte, f float64) bool {
	var buf [40]byte
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	j := parseDecimal(b)
	if j.nd == 1 {
		var buf2 [40]byte
		t := strconv.AppendFloat(buf2[:0], f, 'e', 1, 64)
		if g, err := strconv.ParseFloat(asString(t), 64); err == nil && g == f {
			j = parseDecimal(t)
		}
	}
	d := parseDecimal(s)
	return d.mant == j.mant && d.exp == j.exp && !d.over
}

// numKey returns the order-preserving key of the comparable number text s
// (JSON number syntax), and whether s is comparable.
func numKey(s string) (uint64, bool) { return numKeyBytes(asBytes(s)) }

func numKeyBytes(s []byte) (uint64, bool) {
	f, st := numParse(s)
	if st == numCheck && isShortest(s, f) {
		st = numExact
	}
	if st != numExact {
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
