//go:build !race

package pattern

import (
	"fmt"
	"strings"
	"testing"
)

// TestMatchSharedAllocatesNothing checks that Match allocates nothing on
// patterns that share leaves, candidates and array searches included.
// (Not under -race, which makes sync.Pool drop entries.)
func TestMatchSharedAllocatesNothing(t *testing.T) {
	m := NewMatcher()
	for i := range 50 {
		for _, src := range []string{
			`{"source": ["shop"], "detail": {"customer": ["c%d"], "total": [{"numeric": [">", 0]}]}}`,
			`{"source": [{"anything-but": "x"}], "items": {"k": ["c%d"], "v": ["b"]}}`,
			`{"$or": [{"source": ["shop"], "n": ["c%d"]}, {"detail": {"coupon": [{"exists": false}]}, "items": {"k": ["c%d"]}}]}`,
		} {
			if err := m.Add(fmt.Sprintf("%d-%d", len(src), i), []byte(strings.ReplaceAll(src, "%d", fmt.Sprint(i)))); err != nil {
				t.Fatal(err)
			}
		}
	}
	ev := []byte(`{"source":"shop","n":"c3","detail":{"customer":"c7","total":3},"items":[{"k":"c9","v":"a"},{"k":"c4","v":"b"}]}`)
	dst, err := m.Match(ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(dst) != 5 {
		t.Fatalf("Match = %v, want 5 names", dst)
	}
	if n := testing.AllocsPerRun(200, func() { dst, _ = m.Match(ev, dst[:0]) }); n != 0 {
		t.Errorf("Match allocates %.1f times per event", n)
	}
}
