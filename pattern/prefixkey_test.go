package pattern

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// randomFixed returns a random number in fixed notation (JSON syntax, no
// exponent) and its parts: sign, the text after the sign, and the length
// of its integer part.
func randomFixed(r *rand.Rand) (text string, neg bool, body string, il int) {
	var sb strings.Builder
	switch r.IntN(4) {
	case 0:
		sb.WriteByte('0')
	default:
		n := 1 + r.IntN(7)
		sb.WriteByte(byte('1' + r.IntN(9)))
		for k := 1; k < n; k++ {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	il = sb.Len()
	if r.IntN(5) > 0 {
		sb.WriteByte('.')
		n := 1 + r.IntN(22)
		for k := 0; k < n; k++ {
			// Mostly the digits of a few shared stems, so that
			// numbers often agree on long prefixes.
			if r.IntN(3) > 0 {
				sb.WriteByte("3141592653589793238462643"[k])
			} else {
				sb.WriteByte(byte('0' + r.IntN(10)))
			}
		}
	}
	body = sb.String()
	neg = r.IntN(2) == 0
	text = body
	if neg {
		text = "-" + body
	}
	return text, neg, body, il
}

// TestPrefixKeyOrder checks that prefix keys order numbers as their
// values where the keys differ.
func TestPrefixKeyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type num struct {
		text string
		key  uint64
		ok   bool
		v    *big.Rat
	}
	var nums []num
	for len(nums) < 600 {
		text, neg, body, il := randomFixed(r)
		k, ok := prefixKey(neg, []byte(body), il)
		v, _ := new(big.Rat).SetString(text)
		nums = append(nums, num{text, k, ok, v})
	}
	decided, undecided := 0, 0
	for _, x := range nums {
		if !x.ok {
			if x.text[0] != '-' || strings.Trim(x.text[1:min(len(x.text), 15)], "0.") != "" {
				t.Fatalf("%s: no key", x.text)
			}
			continue
		}
		for _, y := range nums {
			if !y.ok {
				continue
			}
			c := x.v.Cmp(y.v)
			switch {
			case x.key < y.key:
				decided++
				if c >= 0 {
					t.Fatalf("key(%s) < key(%s) but the values are not in that order", x.text, y.text)
				}
			case x.key > y.key:
				decided++
				if c <= 0 {
					t.Fatalf("key(%s) > key(%s) but the values are not in that order", x.text, y.text)
				}
			default:
				undecided++
			}
		}
	}
	t.Logf("%d ordered pairs decided by their keys, %d not", decided, undecided)
	if undecided > decided/20 {
		t.Errorf("too many pairs with equal keys")
	}
}

// TestBoundKey checks the keys of range bounds against the keys of the
// same numbers written out.
func TestBoundKey(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-1", "37.75", "-122.41600944012424", "0.001", "-1e-20", "5e-324",
		"1e300", "-1e300", "12345678", "1234567.5", "0.1", "100", "9007199254740993"} {
		k, ok := numKey(s)
		if !ok {
			continue
		}
		f := keyFloat(k)
		text, il := fixedText(javaDecimal(f))
		got := boundKey(k)
		want, ok := prefixKey(f < 0, text, il)
		if !ok {
			want, _ = prefixKey(false, text, il)
			want = ^want
		}
		if got != want {
			t.Errorf("boundKey(%s) = %x, want %x (%s)", s, got, want, text)
		}
		// The fixed text has the bound's value.
		v, _ := new(big.Rat).SetString(strings.TrimSuffix(string(text), "."))
		if f < 0 {
			v.Neg(v)
		}
		if w, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'e', -1, 64)); f != 0 && s != "5e-324" && v.Cmp(w) != 0 {
			t.Errorf("fixedText(%s) = %s", s, text)
		}
	}
}

// TestRangeRunKey checks that rangeRun computes the coarse key that
// coarseOf derives from the prefix key: a range whose bound has a
// number's coarse key leaves the number to the fine key, and a bound one
// key above it decides.
func TestRangeRunKey(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fast := 0
	for n := 0; n < 5000; n++ {
		text, neg, body, il := randomFixed(r)
		k, ok := prefixKey(neg, []byte(body), il)
		src := []byte(text + ", \"x\"]" + strings.Repeat(" ", 40))
		var g gapTab
		if !ok {
			k, _ = prefixKey(false, []byte(body), il)
			k = ^k
		}
		c := coarseOf(k)
		g.keys, g.inside = []uint64{c, math.MaxUint64}, []uint64{1, 1}
		g.small = n%2 == 0
		g.fixed, g.fixedIn = [16]uint64{c}, [16]uint64{1, 1}
		for i := 1; i < 16; i++ {
			g.fixed[i] = math.MaxUint64
		}
		g.zeroK = -1
		if k, ok := g.gap(0x81 << 56); ok {
			g.zeroK = k
		}
		st := runState{depth: 1, t: &g, open: 1}
		pos, why, _ := rangeRun(src, 0, &st)
		depth := st.depth
		zero7 := strings.Trim(body[:min(len(body), 7)], "0.") == ""
		if (neg && zero7) || (il > 1 && body[0] == '0') {
			if why != runElem || pos != 0 || depth != 1 {
				t.Fatalf("%s: rangeRun = %d, %d, %d; want runElem at 0", text, pos, depth, why)
			}
			continue
		}
		if why != runFine || pos != 0 {
			t.Fatalf("%s: rangeRun = %d at %d; want runFine at 0", text, why, pos)
		}
		// One key more: decided.
		g.keys[0]++
		g.fixed[0]++
		g.zeroK = -1
		if k, ok := g.gap(0x81 << 56); ok {
			g.zeroK = k
		}
		st = runState{depth: 1, t: &g, open: 1, same: []uint64{1}}
		pos, why, _ = rangeRun(src, 0, &st)
		if why == runElem && pos == 0 {
			continue // the general way
		}
		fast++
		nd, _ := sigDigits([]byte(body), 0, il, len(body))
		_, comparable := numKey(text)
		switch {
		case why != runElem || src[pos] != '"':
			t.Fatalf("%s: rangeRun = %d at %d with a key above the number's", text, why, pos)
		case (st.hits == 1) != comparable:
			t.Fatalf("%s (%d digits, comparable %v): hits %b", text, nd, comparable, st.hits)
		}
	}
	t.Logf("%d numbers decided by rangeRun", fast)
	if fast < 1000 {
		t.Errorf("too few numbers decided by rangeRun: %d", fast)
	}
}

// TestCoarseKeyOrder checks that coarse keys order numbers as their
// prefix keys where they differ.
func TestCoarseKeyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var keys []uint64
	for len(keys) < 500 {
		_, neg, body, il := randomFixed(r)
		if k, ok := prefixKey(neg, []byte(body), il); ok {
			keys = append(keys, k)
		}
	}
	for _, a := range keys {
		for _, b := range keys {
			ca, cb := coarseOf(a), coarseOf(b)
			if (ca < cb && a >= b) || (ca > cb && a <= b) {
				t.Fatalf("coarse keys %x, %x disagree with prefix keys %x, %x", ca, cb, a, b)
			}
		}
	}
}

// TestRangeRunLeaves checks that rangeRun leaves numbers with an exponent,
// and malformed numbers, to its caller, wherever the exponent falls.
func TestRangeRunLeaves(t *testing.T) {
	g := gapTab{keys: []uint64{math.MaxUint64}, inside: []uint64{1}, zeroK: 0}
	for _, text := range []string{"1e5", "1.5e3", "1.5E3", "0.0e1", "0.0E+1", "12.3456789e-3", "1.2345678901234567e-5",
		"1.23456789012345678901e5", "-0.0e0", "1.", "01", "-", "1.e3", "12345678", "0.00000000000000000000000001"} {
		src := []byte(text + ", \"x\"]" + strings.Repeat(" ", 40))
		for _, open := range []uint64{0, 1} {
			st := runState{depth: 1, t: &g, open: open, same: []uint64{1}}
			if pos, why, _ := rangeRun(src, 0, &st); why != runElem || pos != 0 || st.hits != 0 {
				t.Errorf("%s (open %b): rangeRun = %d at %d, hits %b; want runElem at 0", text, open, why, pos, st.hits)
			}
		}
	}
}
