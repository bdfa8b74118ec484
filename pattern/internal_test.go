package pattern

import (
	"math"
	"strconv"
	"testing"
)

// TestParseIPJava checks parseIP against answers recorded from Java 17's
// InetAddress.getByName (behind AWS's IPv4/IPv6 shape check).
func TestParseIPJava(t *testing.T) {
	java := map[string]string{ // "" = not an address
		"1.2.3.0004": "01020304", "01.2.3.4": "01020304", "256.1.1.1": "", "1.2.3.4444": "",
		"0000000000001.2.3.4": "", "1.2.3.255": "010203FF", "99999999999999999999.1.1.1": "",
		":1:2:3:4:5:6:7": "", "1:2:3:4:5:6:7:": "", "::1::": "", "1:::2": "", "12345::": "",
		"000000000000ffff::": "FFFF0000000000000000000000000000", "::": "00000000000000000000000000000000",
		"::1": "00000000000000000000000000000001", ":": "", "a:b": "",
		"1:2:3:4:5:6:7:8": "00010002000300040005000600070008", "1::": "00010000000000000000000000000000",
		"::ffff:a00:1": "0A000001", "::FFFF:A00:1": "0A000001", "::ffff:ffff:ffff": "FFFFFFFF",
		"0:0:0:0:0:ffff:102:304": "01020304", "::fffe:102:304": "00000000000000000000FFFE01020304",
		"::0:ffff:102:304": "01020304", "1:2:3:4:5:6::7:8": "", "::1:2:3:4:5:6:7": "00000001000200030004000500060007",
		"1:2:3:4:5:6:7::8": "", ":::": "", "2001:db8::": "20010DB8000000000000000000000000",
		"2001:0db8:1234:1a00:0000:0000:0000:0000": "20010DB812341A000000000000000000",
		"::0:ffff:0:0": "00000000", "0::ffff:0:0": "00000000", "::0000ffff:1:1": "00010001",
		"::ffff:1.2.3.4": "", "fe80::1%eth0": "", "10.0.0": "", "host.example": "",
	}
	for in, want := range java {
		a, ok := parseIP(in)
		got := ""
		if ok {
			for _, b := range a.bytes() {
				got += string("0123456789ABCDEF"[b>>4]) + string("0123456789ABCDEF"[b&15])
			}
		}
		if got != want {
			t.Errorf("parseIP(%q) = %q, Java says %q", in, got, want)
		}
	}
}

func TestNumKey(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0", true}, {"-0", true}, {"0.0e10", true}, {"300", true}, {"300.0", true}, {"3e2", true}, {"0.1", true},
		{"1e-400", false}, {"1e400", false}, {"37.807807921694092", false}, {"37.80780792169409", true},
		{"9007199254740993", false}, {"9007199254740992", true}, {"1.7976931348623157e308", true},
		{"5e-324", false}, {"4.9e-324", true}, {"4.9E-324", true}, {"2.2250738585072014e-308", true},
		{"123456789012", true}, {"0.30000000000000004", true}, {"0.30000000000000001", false},
	}
	for _, tc := range tests {
		if _, ok := numKey(tc.in); ok != tc.ok {
			t.Errorf("numKey(%q) comparable = %v, want %v", tc.in, ok, tc.ok)
		}
	}
	order := []string{"-1.7976931348623157e308", "-1", "-5e-300", "0", "4.9e-324", "1e-300", "1", "1.5", "1e300"}
	for i := 1; i < len(order); i++ {
		a, _ := numKey(order[i-1])
		b, _ := numKey(order[i])
		if a >= b {
			t.Errorf("key(%s) >= key(%s)", order[i-1], order[i])
		}
	}
	a, _ := numKey("-0")
	b, _ := numKey("0")
	if a != b || keyFloat(a) != 0 {
		t.Error("-0 and 0 differ")
	}
}

// TestWildcardComplexity checks the complexity measure against values from
// aws/event-ruler's MachineComplexityEvaluatorTest (the JSON quotes we add
// do not change them) and against the AWS data points.
func TestWildcardComplexity(t *testing.T) {
	raw := func(ws ...string) [][]int {
		var out [][]int
		for _, w := range ws {
			c, reason := compileWildcard(w)
			if reason != "" {
				t.Fatal(reason)
			}
			out = append(out, c.toks)
		}
		return out
	}
	tests := []struct {
		ops  []string
		want int
	}{
		{[]string{"a*bb"}, 3},
		{[]string{"*a*a*a*a*a*a*a*a*"}, 17},
		{[]string{"a*b*cd"}, 3},
		{[]string{"*ab*b*b*"}, 7},
		{[]string{"arn:aws:events:us-east-1:*:event-bus/*"}, 3},
		{[]string{"/Users/*/dir/dir/dir/dir/dir/doc.txt"}, 7},
		{[]string{"*:*:*:*:*:event-bus/*"}, 11},
		{[]string{"a*aaa", "aa*aa"}, 7},
	}
	for _, tc := range tests {
		if got := wildcardComplexity(raw(tc.ops...), 1000); got != tc.want {
			t.Errorf("complexity(%q) = %d, want %d", tc.ops, got, tc.want)
		}
	}
}

// TestNumKeyFast checks the fast numKey against the plain definition.
func TestNumKeyFast(t *testing.T) {
	inputs := []string{"0", "-0", "0.0", "0e10", "1", "-1", "300", "300.0", "3e2", "3.00E+2", "0.1", "1e-400", "1e400",
		"-1e400", "37.807807921694092", "37.80780792169409", "9007199254740993", "9007199254740992",
		"1.7976931348623157e308", "1.7976931348623159e308", "5e-324", "4.9e-324", "4.9E-324", "2.2250738585072014e-308",
		"2.225073858507201e-308", "123456789012", "0.30000000000000004", "0.30000000000000001", "-122.390175256670702",
		"37.753314871415085", "-122.38640037424922", "37.80106977242685", "1e23", "1e22", "1e21", "8.41e21",
		"123456789012345678901234567890", "1.00000000000000000000000000", "100000000000000000000000", "0.000001",
		"1e-7", "12345678901234567", "1234567890123456", "123456789012345", "1e0", "10e-1", "2.5", "-2.5e-3"}
	for e := -330; e <= 310; e += 7 {
		inputs = append(inputs, "1e"+strconv.Itoa(e), "4.9e"+strconv.Itoa(e), "1.2345678901234567e"+strconv.Itoa(e))
	}
	r := uint64(1)
	for i := 0; i < 20000; i++ {
		r = r*6364136223846793005 + 1442695040888963407
		f := math.Float64frombits(r)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		inputs = append(inputs, strconv.FormatFloat(f, 'e', -1, 64), strconv.FormatFloat(f, 'g', 17, 64),
			strconv.FormatFloat(f, 'e', int(r%20), 64), strconv.FormatFloat(float64(int64(r>>20))/1e6, 'f', int(r%18), 64))
	}
	var sc scanner
	for _, in := range inputs {
		k1, ok1 := numKey(in)
		k2, ok2 := numKeyRef(in)
		if ok1 != ok2 || k1 != k2 {
			t.Errorf("numKey(%q) = %x %v, reference %x %v", in, k1, ok1, k2, ok2)
		}
		// The scanner reads numbers as parseDecimal does, and the
		// approximate key is within numSlack of the exact one.
		sc.src, sc.pos = []byte(in), 0
		v := value{kind: vNumber, str: []byte(in)}
		if err := sc.number(&v); err != nil || sc.pos != len(in) {
			t.Fatalf("scanner.number(%q): %v at %d", in, err, sc.pos)
		}
		if d := parseDecimal([]byte(in)); d != v.dec {
			t.Errorf("scanner reads %q as %+v, parseDecimal as %+v", in, v.dec, d)
		}
		ka, st := v.numApproxKey()
		ke, ste := v.numExactKey()
		if st == numApprox && !near(ka, ke) {
			t.Errorf("%q: approximate key %x is far from %x", in, ka, ke)
		}
		if k, ok := v.numKey(); ok != ok2 || k != k2 && ok || ste == numApprox {
			t.Errorf("value.numKey(%q) = %x %v, reference %x %v", in, k, ok, k2, ok2)
		}
	}
	t.Logf("%d numbers compared", len(inputs))
}
