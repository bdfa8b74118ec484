package rules

import (
	"encoding/json"
	"reflect"
	"testing"
)

var decodeCases = []string{
	`{}`, `{"a": 1, "b": [1, 2.5, -3e2, true, false, null, "x", {"c": []}], "d": {"e": "f"}}`,
	`{"s": "a \" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 \uD800"}`, "{\"bad\": \"\xff\"}", `{"big": 1e400}`,
	`{"n": 12345678901234567890}`, ` { "a" : { } , "b" : [ ] } `, `{"a":1,"a":2}`,
}

// TestDecodeEvent checks decodeEvent against json.Unmarshal on valid JSON
// objects: the same values, or an error for both.
func TestDecodeEvent(t *testing.T) {
	for _, src := range decodeCases {
		checkDecode(t, src)
	}
	t.Logf("%d cases", len(decodeCases))
}

func FuzzDecodeEvent(f *testing.F) {
	for _, src := range decodeCases {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if !json.Valid([]byte(src)) {
			return // decodeEvent only reads valid JSON
		}
		checkDecode(t, src)
	})
}

func checkDecode(t *testing.T, src string) {
	var want any
	werr := json.Unmarshal([]byte(src), &want)
	got, err := decodeEvent([]byte(src))
	if _, isObject := want.(map[string]any); werr == nil && !isObject {
		if err == nil {
			t.Fatalf("%.80q: decoded a non-object", src)
		}
		return
	}
	if (err != nil) != (werr != nil) {
		t.Fatalf("%.80q: err = %v, json.Unmarshal err = %v", src, err, werr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%.80q: got %#v, want %#v", src, got, want)
	}
}
