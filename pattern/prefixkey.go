package pattern

import "strconv"

// Prefix keys: deciding numeric ranges from a number's first digits.
//
// A comparable number is the shortest decimal of its double (numbers go),
// and so is every bound of a numeric range (Compile requires comparable
// operands). Between two such decimals the order of the values is the order
// of the doubles, strictly: two different ones are never the same double.
// So a range holds a comparable number exactly when the number's decimal
// value lies between the bounds' decimal values, and lies outside it,
// comparable or not, when the decimal lies outside.
//
// A prefix key orders decimals by their first 14 characters: the top byte
// holds the sign and the length of the integer part, and the other 56 bits
// the low nibbles of the first 14 characters of the number in fixed
// notation after its sign (digits, with the decimal point as 0, and zeros
// after the end). For numbers without leading zeros in the integer part,
// keys compare like the values where they differ: pk(x) < pk(y) implies
// x < y. Equal keys decide nothing (the numbers may differ in later
// digits, or be the same number written with more zeros).
//
// The coarse key is the same on the first 7 characters, a byte each: the
// scanner computes it from a number's text with a few word operations
// (rangeRun), and computes the fine key only when the coarse one equals a
// bound's. The bounds' keys are computed once, from their shortest
// decimals (boundKey, coarseOf).

// pkMaxInt is the longest integer part whose length the key holds; longer
// ones share its key byte (only bounds can be that long).
const pkMaxInt = 127

// prefixKey returns the prefix key of a number in fixed notation: text
// is what follows the sign (digits and at most one '.'), il the length of
// its integer part. A negative number whose first 14 characters are all
// zeros gets ok false.
func prefixKey(neg bool, text []byte, il int) (uint64, bool) {
	p := uint64(0x80|min(il, pkMaxInt)) << 56
	for k := 0; k < 14 && k < len(text); k++ {
		c := text[k]
		if c == '.' {
			c = '0'
		}
		p |= uint64(c-'0') << (52 - 4*k)
	}
	if neg {
		if p&(1<<56-1) == 0 {
			return 0, false
		}
		p = ^p
	}
	return p, true
}

// coarseOf returns the coarse key of the number whose prefix key is p.
func coarseOf(p uint64) uint64 {
	if p>>63 == 0 {
		return ^coarseOf(^p)
	}
	c := p & (0xFF << 56)
	for k := 0; k < 7; k++ {
		c |= (p >> (52 - 4*k) & 0xF) << (48 - 8*k)
	}
	return c
}

// javaDecimal returns the decimal that Java's Double.toString prints for
// the finite f (see isShortest).
func javaDecimal(f float64) decimal {
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
	if j.nd == 0 {
		j.neg = false
	}
	return j
}

// fixedText writes d (at most 17 digits) in fixed notation without its
// sign, and returns it with the length of its integer part.
func fixedText(d decimal) ([]byte, int) {
	if d.nd == 0 {
		return []byte("0"), 1
	}
	digits := strconv.AppendUint(nil, d.mant, 10)
	point := len(digits) + d.exp // digits before the decimal point
	var out []byte
	switch {
	case point >= len(digits):
		out = append(digits, make([]byte, point-len(digits))...)
		for k := len(digits); k < len(out); k++ {
			out[k] = '0'
		}
		return out, point
	case point > 0:
		out = append(append(append(out, digits[:point]...), '.'), digits[point:]...)
		return out, point
	}
	out = append(out, "0."...)
	for k := 0; k < -point; k++ {
		out = append(out, '0')
	}
	return append(out, digits...), 1
}

// boundKey returns the prefix key of the range bound with number key k.
func boundKey(k uint64) uint64 {
	d := javaDecimal(keyFloat(k))
	text, il := fixedText(d)
	p, ok := prefixKey(d.neg, text, il)
	if !ok {
		// A negative bound whose first 14 characters are zeros: the
		// key of -0.00000000000000 (below 0 and above every key of a
		// negative number with a nonzero digit among them); equal to
		// the keys of such numbers, which therefore decide nothing.
		p, _ = prefixKey(false, text, il)
		p = ^p
	}
	return p
}

// sigDigits returns the number of significant digits of the number whose
// first digit is src[i], whose integer part has il digits and which ends
// before src[end] (no exponent), and the number of zeros between the
// decimal point and the first significant digit when the integer part is
// 0.
func sigDigits(src []byte, i, il, end int) (nd, lead int) {
	dot := i + il
	a := i
	for a < end && (src[a] == '0' || src[a] == '.') {
		a++
	}
	if a == end {
		return 0, 0
	}
	if a > dot {
		lead = a - dot - 1
	}
	b := end - 1
	for src[b] == '0' || src[b] == '.' {
		b--
	}
	nd = b - a + 1
	if a < dot && dot < b {
		nd--
	}
	return nd, lead
}
