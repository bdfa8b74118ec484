package pattern_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rulebridge/rulebridge/pattern"
)

// TestValidationReasons covers every reason in the catalogue of
// patterns.md section (b), with the JSON path of the offending part.
func TestValidationReasons(t *testing.T) {
	long := `{"a":["` + strings.Repeat("x", 2100) + `"]}`
	var ors strings.Builder
	ors.WriteString("{")
	for i := 0; i < 10; i++ {
		if i > 0 {
			ors.WriteString(",")
		}
		ors.WriteString(`"$or":[{"a":[1]},{"b":[2]}]`)
	}
	ors.WriteString("}")
	tests := []struct {
		pattern, reason, path string
	}{
		{`[1]`, "Filter is not an object", "$"},
		{``, "Filter is not an object", "$"},
		{`"x"`, "Filter is not an object", "$"},
		{`this is valid json but not a dict`, "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", "$"},
		{`{"not": closed mark"`, "Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", "$"},
		{`{'a':["b"]}`, "Unexpected character (''' (code 39)): was expecting double-quote to start field name", "$"},
		{`{"a" ["b"]}`, "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value", "$"},
		{`{"a":["b" "c"]}`, "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries", "$.a"},
		{`{"a":["b"]]`, `Unexpected close marker ']': expected '}' (for Object starting at [Source: (String)"{"a":["b"]]"; line: 1, column: 1])`, "$"},
		{`{"a":["b"]`, `Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)"{"a":["b"]"; line: 1, column: 1])`, "$"},
		{`{"a":[tru]}`, "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", "$.a"},
		{`{"a":[01]}`, "Invalid numeric value: Leading zeroes not allowed", "$.a"},
		{`{"a":[1.]}`, "Unexpected character (']' (code 93)) in numeric value: Decimal point not followed by a digit", "$.a"},
		{`{"a":["\q"]}`, "Unrecognized character escape 'q' (code 113)", "$.a[0]"},
		{`{"a":[NaN]}`, "Non-standard token 'NaN': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow", "$.a"},
		{"{\"a\":[\"x\ny\"]}", "Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to be included in string value", "$.a[0]"},
		{`{"a":["b"]} x`, "Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", "$"},
		{`{"a":["b"]} {}`, "Unexpected content after the end of the pattern object", "$"},
		{`{"int": 42}`, `"int" must be an object or an array`, "$.int"},
		{`{"a": {"b": "c"}}`, `"b" must be an object or an array`, "$.a.b"},
		{`{"a": []}`, "Empty arrays are not allowed", "$.a"},
		{`{}`, "Empty objects are not allowed", "$"},
		{`{"a": {}}`, "Empty objects are not allowed", "$.a"},
		{`{"a": [["x"]]}`, "Match value must be String, number, true, false, or null", "$.a[0]"},
		{`{"a": [{}]}`, "Match expression name not found", "$.a[0]"},
		{`{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}`, "Unrecognized match type NUMERIC", "$.detail.equal[0].NUMERIC"},
		{`{"a": [{"EXISTS": true}]}`, "Unrecognized match type EXISTS", "$.a[0].EXISTS"},
		{`{"a": [{"prefix": "x", "suffix": "y"}]}`, "Only one key allowed in match expression", "$.a[0].prefix"},
		{`{"a": [{"exists": true, "x": 1}]}`, "Only one key allowed in match expression", "$.a[0].exists"},
		{`{"time": [{"prefix": 123}]}`, "prefix match pattern must be a string", "$.time[0].prefix"},
		{`{"time": [{"prefix": ["2022"]}]}`, "prefix match pattern must be a string", "$.time[0].prefix"},
		{`{"f": [{"suffix": 123}]}`, "suffix match pattern must be a string", "$.f[0].suffix"},
		{`{"f": [{"equals-ignore-case": ["x"]}]}`, "equals-ignore-case match pattern must be a string", "$.f[0].equals-ignore-case"},
		{`{"f": [{"wildcard": ["x*"]}]}`, "wildcard match pattern must be a string", "$.f[0].wildcard"},
		{`{"f": [{"exactly": 1}]}`, "exact match pattern must be a string", "$.f[0].exactly"},
		{`{"f": [{"prefix": {"foo": "x"}}]}`, "Unsupported prefix pattern: foo", "$.f[0].prefix"},
		{`{"f": [{"suffix": {"foo": "x"}}]}`, "Unsupported suffix pattern: foo", "$.f[0].suffix"},
		{`{"f": [{"prefix": {}}]}`, "Prefix expression name not found", "$.f[0].prefix"},
		{`{"f": [{"prefix": {"equals-ignore-case": 1}}]}`, "equals-ignore-case match pattern must be a string", "$.f[0].prefix.equals-ignore-case"},
		{`{"f": [{"suffix": {"equals-ignore-case": "x", "y": 1}}]}`, "Only one key allowed in match expression", "$.f[0].suffix.equals-ignore-case"},
		{`{"f": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}`, "Consecutive wildcard characters at pos 26", "$.f[0].wildcard"},
		{`{"f": [{"wildcard": "a\\x"}]}`, "Invalid escape character at pos 2", "$.f[0].wildcard"},
		{`{"f": [{"wildcard": "a\\"}]}`, "Invalid escape character at pos 2", "$.f[0].wildcard"},
		{`{"f": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}`, "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character", "$.f"},
		{`{"f": [{"anything-but": {"wildcard": ["*a*a*", "*a*a*a*a*"]}}]}`, "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character", "$.f"},
		{`{"f": [{"anything-but": null}]}`, "Value of anything-but must be an array or single string/number value.", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": true}]}`, "Value of anything-but must be an array or single string/number value.", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}`, "Value of anything-but must be an array or single string/number value.", "$.f[0].anything-but.prefix"},
		{`{"f": [{"anything-but": {"exists": true}}]}`, "Unsupported anything-but pattern: exists", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": {}}]}`, "Anything-But expression name not found", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": ["stopped", null]}]}`, "Inside anything but list, start|null|boolean is not supported.", "$.f[0].anything-but[1]"},
		{`{"f": [{"anything-but": ["a", 1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": []}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": [1e400]}]}`, "Cannot compare number : 1e400", "$.f[0].anything-but[0]"},
		{`{"f": [{"anything-but": 0.30000000000000001}]}`, "Cannot compare number : 0.30000000000000001", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": {"prefix": 123}}]}`, "prefix/suffix match pattern must be a string", "$.f[0].anything-but.prefix"},
		{`{"f": [{"anything-but": {"suffix": [123, ".txt"]}}]}`, "prefix/suffix match pattern must be a string", "$.f[0].anything-but.suffix[0]"},
		{`{"f": [{"anything-but": {"prefix": ""}}]}`, "Null prefix/suffix not allowed", "$.f[0].anything-but.prefix"},
		{`{"f": [{"anything-but": {"suffix": ["a", ""]}}]}`, "Null prefix/suffix not allowed", "$.f[0].anything-but.suffix[1]"},
		{`{"f": [{"anything-but": {"equals-ignore-case": 123}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.", "$.f[0].anything-but.equals-ignore-case"},
		{`{"f": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.", "$.f[0].anything-but.equals-ignore-case[0]"},
		{`{"f": [{"anything-but": {"wildcard": 123}}]}`, "wildcard match pattern must be a string", "$.f[0].anything-but.wildcard"},
		{`{"f": [{"anything-but": {"wildcard": ["a**"]}}]}`, "Consecutive wildcard characters at pos 2", "$.f[0].anything-but.wildcard"},
		{`{"f": [{"anything-but": "x", "y": 1}]}`, "Too many elements in numeric expression", "$.f[0].anything-but"},
		{`{"f": [{"anything-but": {"prefix": "x", "y": 1}}]}`, "Too many elements in numeric expression", "$.f[0].anything-but.prefix"},
		{`{"c": [{"numeric": 10}]}`, "Value of numeric must be an array.", "$.c[0].numeric"},
		{`{"c": [{"numeric": [5]}]}`, "Invalid member in numeric match: 5", "$.c[0].numeric"},
		{`{"c": [{"numeric": []}]}`, "Invalid member in numeric match: ]", "$.c[0].numeric"},
		{`{"c": [{"numeric": ["!=", 5]}]}`, "Unrecognized numeric range operator: !=", "$.c[0].numeric"},
		{`{"c": [{"numeric": ["=", "5"]}]}`, "Value of equals must be numeric", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">="]}]}`, "Value of >= must be numeric", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">", 0, ">", 0]}]}`, "Bad numeric range operator: >", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">", 0, 5]}]}`, "Bad value in numeric range: 5", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">", 0, "<"]}]}`, "Value of < must be numeric", "$.c[0].numeric"},
		{`{"c": [{"numeric": ["<", 5, 6]}]}`, "Too many elements in numeric expression", "$.c[0].numeric"},
		{`{"c": [{"numeric": ["=", 5, 6]}]}`, "Too many elements in numeric expression", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">", 0, "<", 5, 6]}]}`, "Too many terms in numeric range expression", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">", 0], "x": 1}]}`, "Too many elements in numeric expression", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">=", 5, "<=", 5]}]}`, "Bottom must be less than top", "$.c[0].numeric"},
		{`{"c": [{"numeric": [">", 6, "<", 5]}]}`, "Bottom must be less than top", "$.c[0].numeric"},
		{`{"c": [{"numeric": ["=", 1e400]}]}`, "Cannot compare number : 1e400", "$.c[0].numeric"},
		{`{"c": [{"numeric": ["<", 9007199254740993]}]}`, "Cannot compare number : 9007199254740993", "$.c[0].numeric"},
		{`{"ip": [{"cidr": 5}]}`, "prefix match pattern must be a string", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "bad-filter"}]}`, "Malformed CIDR, one '/' required", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "10.0.0.0/"}]}`, "Malformed CIDR, one '/' required", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "bad-/64filter"}]}`, "Malformed CIDR, mask bits must be an integer", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "xx.11.xx/8"}]}`, "Nonstandard IP address: xx.11.xx", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}`, "Nonstandard IP address: xxxx:db8:1234:1a00::", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "1.2.3.256/8"}]}`, "Invalid IP address: 1.2.3.256", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "10.0.0.0/32"}]}`, "IPv4 mask bits must be < 32", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "::/128"}]}`, "IPv6 mask bits must be < 128", "$.ip[0].cidr"},
		{`{"ip": [{"cidr": "::ffff:0:0/96"}]}`, "IPv4 mask bits must be < 32", "$.ip[0].cidr"},
		{`{"e": [{"exists": "true"}]}`, "exists match pattern must be either true or false.", "$.e[0].exists"},
		{`{"$or": {"a": ["b"]}}`, "It must be an Array followed with $or.", "$.$or"},
		{`{"$or": [{"a": ["b"]}, 1]}`, "Only JSON object is allowed in array of $or relationship.", "$.$or[1]"},
		{`{"$or": [{"a": ["b"]}]}`, "There must have at least 2 Objects in $or relationship.", "$.$or"},
		{`{"$or": []}`, "There must have at least 2 Objects in $or relationship.", "$.$or"},
		{`{"$or": [{}, {"a": ["b"]}]}`, "Empty objects are not allowed", "$.$or[0]"},
		{`{"$or": [{"a": ["b"]}, {"prefix": ["c"]}]}`, "prefix is Ruler reserved fieldName which cannot be used inside $or.", "$.$or[1].prefix"},
		{`{"d": {"$or": [{"a": ["b"]}, {"x": {"regex": ["c"]}}]}}`, "regex is Ruler reserved fieldName which cannot be used inside $or.", "$.d.$or[1].x.regex"},
		{ors.String(), "Event pattern has more than 1000 $or combinations", "$"},
		{long, "Event pattern is 2110 characters long; the limit is 2048", "$"},
	}
	for _, tc := range tests {
		_, err := pattern.Compile([]byte(tc.pattern))
		var pe *pattern.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want *pattern.Error", tc.pattern, err)
			continue
		}
		if !errors.Is(err, pattern.ErrInvalidPattern) || errors.Is(err, pattern.ErrInvalidEvent) {
			t.Errorf("%s: errors.Is is wrong for %v", tc.pattern, err)
		}
		if pe.Reason != tc.reason || pe.Path != tc.path {
			t.Errorf("%s:\n got reason %q at %s\nwant reason %q at %s", tc.pattern, pe.Reason, pe.Path, tc.reason, tc.path)
		}
		if want := "Event pattern is not valid. Reason: " + tc.reason + " (at " + tc.path; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: Error() = %q, want prefix %q", tc.pattern, err.Error(), want)
		}
	}
	t.Logf("validation reasons: %d cases", len(tests))
}

func TestErrorLocation(t *testing.T) {
	_, err := pattern.Compile([]byte("{\n  \"detail\": {\n    \"state\": [{\"prefix\": 1}]\n  }\n}"))
	var pe *pattern.Error
	if !errors.As(err, &pe) {
		t.Fatal(err)
	}
	if pe.Line != 3 || pe.Column != 26 || pe.Path != "$.detail.state[0].prefix" {
		t.Fatalf("got line %d column %d path %s", pe.Line, pe.Column, pe.Path)
	}
	want := "Event pattern is not valid. Reason: prefix match pattern must be a string (at $.detail.state[0].prefix, line 3, column 26)"
	if err.Error() != want {
		t.Fatalf("got %q\nwant %q", err.Error(), want)
	}
}

func TestLimitOptions(t *testing.T) {
	big := []byte(`{"a":["` + strings.Repeat("x", 3000) + `"]}`)
	if _, err := pattern.Compile(big); err == nil {
		t.Fatal("3,011-character pattern accepted by default")
	}
	if _, err := pattern.Compile(big, pattern.WithMaxPatternSize(4096)); err != nil {
		t.Fatalf("WithMaxPatternSize(4096): %v", err)
	}
	// Size counts UTF-16 units, as AWS does: an emoji is 4 bytes, 2 units.
	emoji := []byte(`{"a":["` + strings.Repeat("\U0001F680", 1019) + `"]}`) // 2,048 units
	if _, err := pattern.Compile(emoji); err != nil {
		t.Fatalf("pattern of 2,048 UTF-16 units (4,086 bytes) rejected: %v", err)
	}
	emoji = []byte(`{"a":["` + strings.Repeat("\U0001F680", 1020) + `"]}`) // 2,050 units
	if _, err := pattern.Compile(emoji); err == nil {
		t.Fatal("pattern of 2,050 UTF-16 units accepted with limit 2,048")
	}
	ors := []byte(`{"$or":[{"a":[1]},{"b":[1]}],"c":{"$or":[{"a":[1]},{"b":[1]}]}}`)
	if _, err := pattern.Compile(ors, pattern.WithMaxCombinations(3)); err == nil {
		t.Fatal("4 combinations accepted with limit 3")
	}
	if _, err := pattern.Compile(ors, pattern.WithMaxCombinations(4)); err != nil {
		t.Fatal(err)
	}
	w := []byte(`{"f":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}`) // complexity 7
	if _, err := pattern.Compile(w, pattern.WithMaxWildcardComplexity(6)); err == nil {
		t.Fatal("complexity 7 accepted with limit 6")
	}
	if _, err := pattern.Compile(w); err != nil {
		t.Fatal(err)
	}
	if _, err := pattern.Compile([]byte(`{"f":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}`), pattern.WithMaxWildcardComplexity(0)); err != nil {
		t.Fatalf("no complexity limit: %v", err)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
