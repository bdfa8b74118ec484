//go:build !race

package pattern

import (
	"fmt"
	"testing"
)

// TestMatchTrieAllocatesNothing checks that Match allocates nothing on a
// leaf whose anchored list is a trie, with direct alternatives and
// candidates in it. (Not under -race, which makes sync.Pool drop entries.)
func TestMatchTrieAllocatesNothing(t *testing.T) {
	m := NewMatcher()
	for i := range 100 {
		for name, src := range map[string]string{
			fmt.Sprintf("a%03d", i): `{"source": ["shop"]}`,
			fmt.Sprintf("b%03d", i): `{"source": ["shop"], "detail": {"coupon": [{"exists": false}]}}`,
		} {
			if err := m.Add(name, []byte(src)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if h := heightOf(m.b.shared.get(leafKey{"source", `["shop"]`}).cur.anchored); h < 1 {
		t.Fatalf("200 alternatives on one leaf, and no trie")
	}
	ev := []byte(`{"source":"shop","detail":{"total":3}}`)
	var dst []string
	for range 1000 { // past the build of the name order
		var err error
		if dst, err = m.Match(ev, dst[:0]); err != nil {
			t.Fatal(err)
		}
	}
	if len(dst) != 200 {
		t.Fatalf("Match gives %d names, want 200", len(dst))
	}
	if n := testing.AllocsPerRun(200, func() { dst, _ = m.Match(ev, dst[:0]) }); n != 0 {
		t.Errorf("Match allocates %.1f times per event", n)
	}
}
