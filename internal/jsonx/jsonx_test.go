package jsonx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rulebridge/rulebridge/internal/jsonx"
)

func TestAppendString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain text", `"plain text"`},
		{`say "hi"`, `"say \"hi\""`},
		{`C:\path`, `"C:\\path"`},
		{"a\nb\rc\td", `"a\nb\rc\td"`},
		{"\x00\x01\x08\x0c\x1f", `"\u0000\u0001\u0008\u000c\u001f"`},
		{"\x7f", "\"\x7f\""}, // DEL is not a control character for JSON
		{"<a & b>", `"<a & b>"`},
		{"/", `"/"`},
		{"é ☃ 😀", `"é ☃ 😀"`},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{"\xff", `"\ufffd"`},
		{"a\xffb", `"a\ufffdb"`},
		{"\xe2\x98", `"\ufffd\ufffd"`},           // a truncated ☃: each byte
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`}, // an encoded surrogate is invalid UTF-8
		{"ok\xc3", `"ok\ufffd"`},
	} {
		got := string(jsonx.AppendString([]byte("x:"), tc.in))
		if got != "x:"+tc.want {
			t.Errorf("AppendString(%q) = %s, want %s", tc.in, got[2:], tc.want)
		}
		content := string(jsonx.AppendStringContent(nil, tc.in))
		if `"`+content+`"` != tc.want {
			t.Errorf("AppendStringContent(%q) = %s, want %s", tc.in, content, tc.want[1:len(tc.want)-1])
		}
	}
}

// checkAgainstStdlib checks that AppendString(s) is valid JSON that
// decodes to what encoding/json's own encoding of s decodes to.
func checkAgainstStdlib(t *testing.T, s string) {
	t.Helper()
	got := jsonx.AppendString(nil, s)
	if !json.Valid(got) || !utf8.Valid(got) {
		t.Fatalf("AppendString(%q) = %s: not valid JSON in UTF-8", s, got)
	}
	std, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var a, b string
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(std, &b); err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("AppendString(%q) decodes to %q; encoding/json's encoding to %q", s, a, b)
	}
	// encoding/json writes \b and \f where AppendString writes \u0008 and
	// \u000c; otherwise AppendString never writes more (it escapes no HTML).
	if extra := 4 * (strings.Count(s, "\b") + strings.Count(s, "\f")); len(got) > len(std)+extra {
		t.Errorf("AppendString(%q) = %s, longer than encoding/json's %s", s, got, std)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	n := 0
	for c := range 256 {
		checkAgainstStdlib(t, "a"+string([]byte{byte(c)})+"b")
		n++
	}
	for _, s := range []string{"", "ünïcödé", "\u2028", "\U0010FFFF", "\xf4\x90\x80\x80", "\xc0\xaf", strings.Repeat("\\\"", 40)} {
		checkAgainstStdlib(t, s)
		n++
	}
	t.Logf("%d strings checked against encoding/json", n)
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\\n\r\t\x00\x1f", "\xff\xfe", "é😀", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkAgainstStdlib(t, s)
		content := jsonx.AppendStringContent(nil, s)
		if quoted := jsonx.AppendString(nil, s); !bytes.Equal(quoted[1:len(quoted)-1], content) {
			t.Errorf("AppendString(%q) = %s, AppendStringContent = %s", s, quoted, content)
		}
	})
}

func ExampleAppendString() {
	b := []byte(`{"name":`)
	b = jsonx.AppendString(b, "Tom & \"Jerry\"\n")
	b = append(b, '}')
	fmt.Println(string(b))
	// Output:
	// {"name":"Tom & \"Jerry\"\n"}
}

func ExampleAppendStringContent() {
	b := []byte(`"rule `)
	b = jsonx.AppendStringContent(b, `a\b`)
	b = append(b, " fired\""...)
	fmt.Println(string(b))
	// Output:
	// "rule a\\b fired"
}

var sink []byte

// BenchmarkAppendString escapes strings typical of event envelopes and
// transformer values, beside encoding/json's Marshal as the baseline.
func BenchmarkAppendString(b *testing.B) {
	inputs := []struct{ name, s string }{
		{"short", "Order Placed"},
		{"ascii-1k", strings.Repeat("customer cust-42 ordered 3 items; ", 30)},
		{"escapes-1k", strings.Repeat("line \"quoted\"\n\t", 64)},
		{"utf8-1k", strings.Repeat("café ☃ 😀 ", 80)},
	}
	for _, in := range inputs {
		b.Run("jsonx/"+in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.s)))
			b.ReportAllocs()
			buf := make([]byte, 0, 4*len(in.s)+2)
			for b.Loop() {
				buf = jsonx.AppendString(buf[:0], in.s)
			}
			sink = buf
		})
		b.Run("encoding-json/"+in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.s)))
			b.ReportAllocs()
			for b.Loop() {
				sink, _ = json.Marshal(in.s)
			}
		})
	}
}
