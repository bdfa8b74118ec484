//go:build !race

package pattern_test

import (
	"testing"

	"github.com/rulebridge/rulebridge/pattern"
)

// TestMatchAllocatesNothing checks that Match allocates nothing once its
// buffers have grown. (The race detector makes sync.Pool drop entries, so
// this test does not run under -race.)
func TestMatchAllocatesNothing(t *testing.T) {
	m := pattern.NewMatcher()
	rules := []string{
		`{"source":["aws.ec2"]}`, `{"detail":{"state":[{"prefix":"run"}]}}`, `{"detail":{"n":[{"numeric":[">",1.5]}]}}`,
		`{"detail":{"tags":{"k":["a"],"v":["b"]}}}`, `{"detail":{"ip":[{"cidr":"10.0.0.0/8"}]}}`,
		`{"detail":{"state":[{"anything-but":{"suffix":"ed"}}]}}`, `{"missing":[{"exists":false}]}`,
		`{"detail":{"state":[{"equals-ignore-case":"RUNNING"}]}}`, `{"detail":{"x":[37.807807921694093]}}`,
	}
	for i, r := range rules {
		if err := m.Add(string(rune('a'+i)), []byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	events := [][]byte{
		[]byte(`{"source":"aws.ec2","detail":{"state":"running","n":[1,2.5,3.14159265358979312],"ip":"10.1.2.3","tags":[{"k":"a","v":"c"},{"k":"d","v":"b"}]},"pad":"` + `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`),
		[]byte(`{"detail":{"state":"stopp\u0065d","x":37.807807921694093,"tags":[{"k":"a","v":"b"}]}}`),
	}
	var dst []string
	for _, ev := range events {
		var err error
		if dst, err = m.Match(ev, dst[:0]); err != nil {
			t.Fatal(err)
		}
		if len(dst) == 0 {
			t.Fatalf("%s matches nothing", ev)
		}
		n := testing.AllocsPerRun(200, func() { dst, _ = m.Match(ev, dst[:0]) })
		if n != 0 {
			t.Errorf("Match allocates %v times per event on %s", n, ev)
		}
	}
}
