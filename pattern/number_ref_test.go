package pattern

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
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

// TestExactDigits checks the integer test for 16- and 17-digit numbers
// against the plain definition, on numbers printed from random doubles of
// ordinary magnitude with 16 and 17 digits and with their last digit moved
// by up to three units (most of which are not comparable), and checks that
// the integer test, not strconv, decided nearly all of them.
func TestExactDigits(t *testing.T) {
	r := uint64(7)
	next := func() uint64 {
		r ^= r << 13
		r ^= r >> 7
		r ^= r << 17
		return r
	}
	n, fast, ordinary, comparable := 0, 0, 0, 0
	for i := 0; i < 60000; i++ {
		// A double between about 4e-9 and 1e16, either sign.
		f := math.Ldexp(float64(next()>>11|1<<52), int(next()%80)-80)
		if next()%2 == 0 {
			f = -f
		}
		for _, prec := range []int{15, 16} {
			txt := strconv.FormatFloat(f, 'e', prec, 64)
			mant, exp, _ := strings.Cut(txt, "e")
			digits := strings.Replace(strings.TrimPrefix(mant, "-"), ".", "", 1)
			for delta := -3; delta <= 3; delta++ {
				v, err := strconv.ParseUint(digits, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				v = uint64(int64(v) + int64(delta))
				d := strconv.FormatUint(v, 10)
				if len(d) != len(digits) {
					continue
				}
				in := d[:1] + "." + d[1:] + "e" + exp
				if f < 0 {
					in = "-" + in
				}
				k1, ok1 := numKey(in)
				k2, ok2 := numKeyRef(in)
				if ok1 != ok2 || k1 != k2 {
					t.Fatalf("numKey(%q) = %x %v, reference %x %v", in, k1, ok1, k2, ok2)
				}
				n++
				if ok2 {
					comparable++
				}
				dec := parseDecimal([]byte(in))
				if a := math.Abs(f); dec.nd >= 16 && a >= 1e-3 && a < 1<<52 {
					ordinary++
					var v value
					v.str, v.dec = []byte(in), dec
					v.classify()
					if v.numSt == numApprox {
						if _, _, ok := exactDigits(dec.mant, dec.exp, dec.nd, math.Abs(v.numF)); ok {
							fast++
						}
					}
				}
			}
		}
	}
	t.Logf("%d numbers, %d comparable; exactDigits decided %d of the %d between 1e-3 and 2^52", n, comparable, fast, ordinary)
	if comparable < n/10 || comparable > n*9/10 {
		t.Errorf("%d of %d numbers comparable: the inputs do not test both answers", comparable, n)
	}
	if fast < ordinary*99/100 {
		t.Errorf("exactDigits decided only %d of %d numbers of ordinary magnitude", fast, ordinary)
	}
}

// FuzzNumKey compares numKey with the plain definition on any JSON number.
func FuzzNumKey(f *testing.F) {
	for _, s := range []string{"0", "-0.0", "37.753314871415085", "-122.390175256670702", "9007199254740993",
		"1.0000000000000002", "0.30000000000000004", "1e23", "4.9e-324", "123456789012345678", "-1.5e-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Only a number token: numKey never sees the white space that
		// JSON allows around it.
		if !json.Valid([]byte(s)) || len(s) == 0 || strings.TrimSpace(s) != s || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
			return
		}
		k1, ok1 := numKey(s)
		k2, ok2 := numKeyRef(s)
		if ok1 != ok2 || k1 != k2 {
			t.Fatalf("numKey(%q) = %x %v, reference %x %v", s, k1, ok1, k2, ok2)
		}
	})
}
