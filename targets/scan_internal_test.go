package targets

import (
	"encoding/json"
	"testing"
)

// FuzzScanMatchesGJSON checks the one-pass scanner against gjson, path by
// path: for valid JSON they must select the same text.
func FuzzScanMatchesGJSON(f *testing.F) {
	ev := `{"a":{"b":[1,{"c":"x\"y"}],"d":true,"0":"zero"},"e":[[1,2],[3]],"a2":null,"k\u0065y":5,"dup":1,"dup":2}`
	f.Add(ev, "$.a.b[1].c", "$.a.d", "$.e[1][0]")
	f.Add(ev, "$.key", "$.dup", "$.a.0")
	f.Add(ev, "$", "$.a", "$.a.b")
	f.Add(`[{"x":1},{"x":2}]`, "$[1].x", "$[0]", "$.x")
	f.Add(` { "s" : "v" , "n" : -1.5e3 } `, "$.s", "$.n", "$")
	f.Fuzz(func(t *testing.T, event, p1, p2, p3 string) {
		if !json.Valid([]byte(event)) {
			return
		}
		var paths []*jsonPath
		for _, src := range []string{p1, p2, p3} {
			p, err := compilePath(src)
			if err != nil || p.wildcard {
				continue
			}
			paths = append(paths, p)
		}
		used := make([]bool, len(paths))
		for i := range used {
			used[i] = true
		}
		vals := make([]value, len(paths))
		newPathTree(paths, used).eval(event, vals)
		for i, p := range paths {
			want := p.eval(event)
			if vals[i] != want {
				t.Errorf("path %s on %s: scanner %q (%v), gjson %q (%v)", p.src, event, vals[i].raw, vals[i].kind, want.raw, want.kind)
			}
		}
	})
}
