package pattern

import (
	"math"
	"math/bits"
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
// shortest decimal of the double to be known. For 16- and 17-digit numbers
// of ordinary magnitude (about 1e-4 to 2^53) exactDigits decides it with a
// few 128-bit integer products; the rest go through strconv.

// numStatus classifies a number's text.
type numStatus uint8

const (
	numUnparsed numStatus = iota
	numExact              // comparable; the float is its value
	numNot                // not comparable
	numCheck              // the float is the nearest double; comparable if the text is its shortest decimal
	numApprox             // the float is within numSlack keys of the nearest double
)

// numSlack bounds, in keys (adjacent doubles have adjacent keys), how far
// an approximate float may be from the nearest double.
const numSlack = 4

var pow10tab = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

var pow10u64 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18, 1e19}

// decimal is a number's significant digits: nd digits without leading and
// trailing zeros (nd is 0 for zero). When nd <= 17, the value is
// ±mant × 10^exp; for longer numbers mant and exp are not kept (such a
// number is never comparable).
type decimal struct {
	mant uint64
	exp  int
	nd   int
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
	is := i
	for i < len(s) && s[i]-'0' < 10 {
		i++
	}
	ie, fs, fe := i, i, i
	if i < len(s) && s[i] == '.' {
		i++
		fs = i
		for i < len(s) && s[i]-'0' < 10 {
			i++
		}
		fe = i
	}
	e := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		e = parseExp(s, i+1)
	}
	d.setDigits(s, is, ie, fs, fe, e)
	return d
}

// parseExp reads the exponent digits (with an optional sign) at s[i:],
// capped in magnitude at about 1e8.
func parseExp(s []byte, i int) int {
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	e := 0
	for ; i < len(s) && s[i]-'0' < 10; i++ {
		if e < 1e8 {
			e = e*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -e
	}
	return e
}

// setDigits fills d from the integer digits s[is:ie], the fraction digits
// s[fs:fe] and the exponent e.
func (d *decimal) setDigits(s []byte, is, ie, fs, fe, e int) {
	// The first significant digit.
	a, inFrac := is, false
	for a < ie && s[a] == '0' {
		a++
	}
	if a == ie {
		inFrac = true
		a = fs
		for a < fe && s[a] == '0' {
			a++
		}
		if a == fe {
			d.nd, d.mant, d.exp = 0, 0, 0
			return
		}
	}
	// The last significant digit, b (inclusive).
	b, bFrac := fe-1, true
	for b >= fs && s[b] == '0' {
		b--
	}
	if b < fs {
		bFrac = false
		b = ie - 1
		for s[b] == '0' {
			b--
		}
	}
	switch {
	case inFrac:
		d.nd = b - a + 1
	case bFrac:
		d.nd = ie - a + b - fs + 1
	default:
		d.nd = b - a + 1
	}
	if d.nd > 17 {
		d.mant, d.exp = 0, 0
		return
	}
	switch {
	case inFrac:
		d.mant = digitsValue(s, a, b+1)
		d.exp = e - (b + 1 - fs)
	case bFrac:
		d.mant = digitsValue(s, a, ie)*pow10u64[b+1-fs] + digitsValue(s, fs, b+1)
		d.exp = e - (b + 1 - fs)
	default:
		d.mant = digitsValue(s, a, b+1)
		d.exp = e + ie - (b + 1)
	}
}

// classify sets v.numF and v.numSt from v.dec, cheaply: numExact, numNot,
// numApprox (16 or 17 digits of ordinary magnitude) or, for the rare rest,
// numCheck (with the nearest double from strconv).
func (v *value) classify() {
	d := &v.dec
	switch {
	case d.nd == 0:
		v.numF, v.numSt = 0, numExact // zero; -0 is 0
		return
	case d.nd >= 18:
		v.numSt = numNot
		return
	case d.exp >= -22 && d.exp <= 22:
		// d.mant < 1e17 < 2^57: one rounding for at most 15 digits
		// (exact by Clinger), two for more.
		f := float64(d.mant)
		if d.exp >= 0 {
			f *= pow10tab[d.exp]
		} else {
			f /= pow10tab[-d.exp]
		}
		if d.neg {
			f = -f
		}
		v.numF = f
		if d.nd <= 15 {
			v.numSt = numExact
		} else {
			v.numSt = numApprox
		}
		return
	}
	f, err := strconv.ParseFloat(asString(v.str), 64)
	if (err != nil && !math.IsInf(f, 0) && f != 0) || math.IsInf(f, 0) || f == 0 {
		v.numSt = numNot // overflow or underflow
		return
	}
	v.numF, v.numSt = f, numCheck
	if d.nd <= 15 && math.Abs(f) >= 0x1p-1022 {
		v.numSt = numExact
	}
}

// nearest turns numApprox into numCheck with the nearest double, or
// straight into numExact or numNot when exactDigits can tell.
func (v *value) nearest() {
	if v.numSt != numApprox {
		return
	}
	d := &v.dec
	if f, st, ok := exactDigits(d.mant, d.exp, d.nd, math.Abs(v.numF)); ok {
		if d.neg {
			f = -f
		}
		v.numF, v.numSt = f, st
		return
	}
	f, _ := strconv.ParseFloat(asString(v.str), 64) // 16 or 17 digits, |exp| <= 22: finite and normal
	v.numF, v.numSt = f, numCheck
}

// exactDigits decides whether m × 10^q, with nd (16 or 17) significant
// digits and no trailing zero, is comparable, given f0 within a few units
// in the last place of its value. It returns the nearest double and
// numExact or numNot, or ok false when the number is outside the cases it
// handles (then nothing is known).
//
// With f = M × 2^E the nearest double, the decimal is what Java prints for
// f if and only if (i) no decimal with fewer digits lies in f's rounding
// interval [(2M-1) 2^(E-1), (2M+1) 2^(E-1)], and (ii) no other nd-digit
// decimal is closer to f. Scaled by 10^-q × 2^(1-E), every quantity is an
// integer below 2^127: the decimal is m × 2^s (s = 1-E), f is 2M × 10^k
// (k = -q), the half-width of the interval is 10^k, and nd-digit decimals
// are the multiples of 2^s (shorter ones, multiples of 10 × 2^s).
func exactDigits(m uint64, q, nd int, f0 float64) (float64, numStatus, bool) {
	if q > 0 || q < -19 || m < pow10u64[nd-1]+32 {
		// Too large or too small for 128 bits, or just above a power of
		// ten, where shorter decimals below it have a finer last digit.
		return 0, 0, false
	}
	b := math.Float64bits(f0)
	be := int(b >> 52)
	if be == 0 || be >= 1075 {
		return 0, 0, false // subnormal, or E >= 0
	}
	M := b&(1<<52-1) | 1<<52
	s := uint(1076 - be) // 1 - E, with E = be - 1075
	if s > 70 {
		return 0, 0, false
	}
	k := -q
	P := pow10u64[k]
	dh, dl := shl128(m, s)
	// Find the double whose rounding interval holds the decimal.
	for tries := 0; ; tries++ {
		if tries > 4 || M <= 1<<52 || M >= 1<<53-1 {
			// A power of two (asymmetric interval) or a binade change.
			return 0, 0, false
		}
		lh, ll := bits.Mul64(2*M-1, P)
		hh, hl := bits.Mul64(2*M+1, P)
		if c := cmp128(dh, dl, lh, ll); c < 0 {
			M--
			continue
		} else if c == 0 {
			return 0, 0, false // halfway: ties to even
		}
		if c := cmp128(dh, dl, hh, hl); c > 0 {
			M++
			continue
		} else if c == 0 {
			return 0, 0, false
		}
		break
	}
	f := math.Float64frombits(uint64(be)<<52 | M&(1<<52-1))
	fh, fl := bits.Mul64(2*M, P)
	// (ii) The decimal is the closest nd-digit one: |D - F| < 2^(s-1), or
	// = 2^(s-1) and its last digit is even (the other one, as close, is in
	// the interval too: it is symmetric).
	xh, xl := sub128abs(dh, dl, fh, fl)
	hh, hl := shl128(1, s-1)
	if c := cmp128(xh, xl, hh, hl); c > 0 || (c == 0 && m%2 != 0) {
		return f, numNot, true
	}
	// (i) No multiple of 10 × 2^s within 10^k of F: the nearest ones
	// below and above F, c and c+10 times 2^s, are the only candidates.
	t := fh<<(64-s) | fl>>s
	if s >= 64 {
		t = fh >> (s - 64)
	}
	c := t - t%10
	for _, C := range [2]uint64{c, c + 10} {
		if C == 0 {
			continue
		}
		ch, cl := shl128(C, s)
		yh, yl := sub128abs(ch, cl, fh, fl)
		if r := cmp128(yh, yl, 0, P); r < 0 || (r == 0 && M%2 == 0) {
			return f, numNot, true
		}
	}
	return f, numExact, true
}

// shl128 returns x << s as a 128-bit number (s < 128).
func shl128(x uint64, s uint) (hi, lo uint64) {
	if s >= 64 {
		return x << (s - 64), 0
	}
	if s == 0 {
		return 0, x
	}
	return x >> (64 - s), x << s
}

func cmp128(ah, al, bh, bl uint64) int {
	switch {
	case ah < bh:
		return -1
	case ah > bh:
		return 1
	case al < bl:
		return -1
	case al > bl:
		return 1
	}
	return 0
}

// sub128abs returns |a - b|.
func sub128abs(ah, al, bh, bl uint64) (uint64, uint64) {
	if cmp128(ah, al, bh, bl) < 0 {
		ah, al, bh, bl = bh, bl, ah, al
	}
	lo, borrow := bits.Sub64(al, bl, 0)
	hi, _ := bits.Sub64(ah, bh, borrow)
	return hi, lo
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
	return d.nd <= 17 && d.mant == j.mant && d.exp == j.exp
}

// numKey returns the order-preserving key of the comparable number text s
// (JSON number syntax), and whether s is comparable.
func numKey(s string) (uint64, bool) { return numKeyBytes(asBytes(s)) }

func numKeyBytes(s []byte) (uint64, bool) {
	v := value{kind: vNumber, str: s, dec: parseDecimal(s)}
	if k, ok := v.numKey(); ok {
		return k, true
	}
	return 0, false
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
