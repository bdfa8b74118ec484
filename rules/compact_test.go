package rules

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var compactCases = []string{
	`{}`, ` { "a" : [ 1 , 2.5e-3 , -0 , true , false , null ] , "b" : { } } `, `[]`, `[ ]`, `"x"`, `0`, `-1.0E+2`,
	`{"s": "a \" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"}`, "\"\xff\"", `{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`,
	`01`, `1.`, `.5`, `1e`, `-`, `+1`, `tru`, `nul`, `"\x"`, `"\u12"`, "\"a\x01\"", `"abc`, `{"a":1} {}`, ``, ` `,
	`[[[[]]]]`,
}

// deepCases test the nesting limit; too big to be good fuzz seeds.
var deepCases = []string{
	strings.Repeat("[", maxNestingDepth) + strings.Repeat("]", maxNestingDepth),
	strings.Repeat("[", maxNestingDepth+1) + strings.Repeat("]", maxNestingDepth+1),
	strings.Repeat(`{"a":`, maxNestingDepth+1) + "1" + strings.Repeat("}", maxNestingDepth+1),
}

// TestCompactJSON checks appendCompactJSON against encoding/json: the same
// verdict as json.Valid, the same output as json.Compact.
func TestCompactJSON(t *testing.T) {
	for _, src := range append(compactCases, deepCases...) {
		checkCompact(t, src)
	}
	t.Logf("%d cases", len(compactCases)+len(deepCases))
}

func FuzzCompactJSON(f *testing.F) {
	for _, src := range compactCases {
		f.Add(src)
	}
	f.Fuzz(checkCompact)
}

func checkCompact(t *testing.T, src string) {
	got, ok := appendCompactJSON([]byte("prefix:"), src)
	valid := json.Valid([]byte(src))
	if ok != valid {
		t.Fatalf("%.80q: ok = %v, json.Valid = %v", src, ok, valid)
	}
	if !ok {
		return
	}
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(src)); err != nil {
		t.Fatal(err)
	}
	if string(got) != "prefix:"+want.String() {
		t.Fatalf("%.80q: got %.80q, want %.80q", src, got, want.String())
	}
}
