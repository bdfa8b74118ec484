package pattern_test

import (
	"testing"

	"github.com/rulebridge/rulebridge/pattern"
)

// TestOperators is a table of every operator of the language with events
// that must and must not match.
func TestOperators(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		match   []string
		nomatch []string
	}{
		{"exact string", `{"f":["running"]}`,
			[]string{`{"f":"running"}`, `{"f":["x","running"]}`, `{"f":"runn\u0069ng"}`},
			[]string{`{"f":"Running"}`, `{"f":"running "}`, `{}`, `{"f":null}`, `{"f":{"g":"running"}}`}},
		{"empty string", `{"f":[""]}`, []string{`{"f":""}`}, []string{`{"f":null}`, `{}`, `{"f":[]}`}},
		{"null", `{"f":[null]}`, []string{`{"f":null}`, `{"f":[1,null]}`}, []string{`{"f":"null"}`, `{}`, `{"f":[]}`}},
		{"booleans", `{"f":[false]}`, []string{`{"f":false}`}, []string{`{"f":true}`, `{"f":"false"}`, `{"f":0}`}},
		{"numbers by value", `{"f":[300]}`, []string{`{"f":300}`, `{"f":300.0}`, `{"f":3e2}`, `{"f":3.00E+2}`}, []string{`{"f":"300"}`, `{"f":301}`, `{"f":299.99999999}`}},
		{"zero", `{"f":[0]}`, []string{`{"f":0}`, `{"f":-0}`, `{"f":0.0e5}`}, []string{`{"f":1e-400}`, `{"f":"0"}`}},
		{"inexact number by text", `{"f":[37.807807921694092]}`, []string{`{"f":37.807807921694092}`}, []string{`{"f":37.80780792169409}`, `{"f":37.8078079216940920}`}},
		{"huge number by text", `{"f":[1e400]}`, []string{`{"f":1e400}`}, []string{`{"f":1E400}`, `{"f":1e401}`}},
		{"IP address", `{"f":["10.0.0.1"]}`, []string{`{"f":"10.0.0.1"}`, `{"f":"010.0.0.001"}`, `{"f":"::ffff:a00:1"}`}, []string{`{"f":"10.0.0.2"}`, `{"f":"10.0.0.1 "}`}},
		{"IPv6 address", `{"f":["2001:db8::1"]}`, []string{`{"f":"2001:0DB8:0000:0000:0000:0000:0000:0001"}`, `{"f":"2001:db8:0:0::1"}`}, []string{`{"f":"2001:db8::2"}`}},
		{"prefix", `{"f":[{"prefix":"us-"}]}`, []string{`{"f":"us-east-1"}`, `{"f":"us-"}`}, []string{`{"f":"eu-west-1"}`, `{"f":"US-east"}`, `{"f":5}`}},
		{"empty prefix", `{"f":[{"prefix":""}]}`, []string{`{"f":""}`, `{"f":"x"}`}, []string{`{"f":1}`, `{"f":null}`, `{}`}},
		{"prefix ignore case", `{"f":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, []string{`{"f":"EvEnTbridge"}`, `{"f":"eventb"}`}, []string{`{"f":"event"}`, `{"f":"xeventb"}`}},
		{"suffix", `{"f":[{"suffix":".png"}]}`, []string{`{"f":"a.png"}`}, []string{`{"f":"a.PNG"}`, `{"f":"a.png.bak"}`}},
		{"empty suffix", `{"f":[{"suffix":""}]}`, []string{`{"f":"abc"}`}, []string{`{"f":true}`}},
		{"suffix ignore case", `{"f":[{"suffix":{"equals-ignore-case":".png"}}]}`, []string{`{"f":"image.PNG"}`, `{"f":"x.pNg"}`}, []string{`{"f":"image.jpg"}`}},
		{"equals-ignore-case", `{"f":[{"equals-ignore-case":"alice"}]}`, []string{`{"f":"ALICE"}`, `{"f":"aLiCe"}`}, []string{`{"f":"alice "}`, `{"f":"bob"}`}},
		{"equals-ignore-case empty", `{"f":[{"equals-ignore-case":""}]}`, []string{`{"f":""}`}, []string{`{"f":"x"}`}},
		{"equals-ignore-case unicode", `{"f":[{"equals-ignore-case":"straße"}]}`, []string{`{"f":"STRASSE"}`, `{"f":"Straße"}`}, []string{`{"f":"strasse"}`}},
		{"equals-ignore-case kelvin", `{"f":[{"equals-ignore-case":"\u212a"}]}`, []string{`{"f":"k"}`, `{"f":"\u212a"}`}, []string{`{"f":"K"}`}},
		{"equals-ignore-case emoji as AWS", `{"f":[{"equals-ignore-case":"\ud83d\ude80"}]}`, []string{`{"f":"??"}`}, []string{`{"f":"\ud83d\ude80"}`}},
		{"wildcard", `{"f":[{"wildcard":"dir/*.png"}]}`, []string{`{"f":"dir/a.png"}`, `{"f":"dir/.png"}`, `{"f":"dir/x/y.png"}`}, []string{`{"f":"dir/a.jpg"}`, `{"f":"xdir/a.png"}`}},
		{"wildcard escapes", `{"f":[{"wildcard":"a\\*b\\\\*"}]}`, []string{`{"f":"a*b\\"}`, `{"f":"a*b\\cd"}`}, []string{`{"f":"axb\\"}`, `{"f":"a*b"}`}},
		{"wildcard empty", `{"f":[{"wildcard":""}]}`, []string{`{"f":""}`}, []string{`{"f":"x"}`}},
		{"wildcard star", `{"f":[{"wildcard":"*"}]}`, []string{`{"f":""}`, `{"f":"x"}`}, []string{`{"f":1}`, `{"f":null}`}},
		{"anything-but string", `{"f":[{"anything-but":"init"}]}`, []string{`{"f":"x"}`, `{"f":null}`, `{"f":5}`, `{"f":["init","x"]}`}, []string{`{"f":"init"}`, `{}`, `{"f":[]}`}},
		{"anything-but number", `{"f":[{"anything-but":0}]}`, []string{`{"f":1}`, `{"f":"0"}`}, []string{`{"f":0}`, `{"f":0.0}`, `{}`}},
		{"anything-but list", `{"f":[{"anything-but":["stopped","overloaded"]}]}`, []string{`{"f":"running"}`}, []string{`{"f":"stopped"}`, `{"f":"overloaded"}`}},
		{"anything-but numbers", `{"f":[{"anything-but":[100,200]}]}`, []string{`{"f":300}`, `{"f":"100"}`}, []string{`{"f":100}`, `{"f":2e2}`}},
		{"anything-but prefix", `{"f":[{"anything-but":{"prefix":"init"}}]}`, []string{`{"f":"post-init"}`, `{"f":null}`, `{"f":12}`}, []string{`{"f":"initializing"}`, `{}`}},
		{"anything-but prefix list", `{"f":[{"anything-but":{"prefix":["init","post"]}}]}`, []string{`{"f":"running"}`}, []string{`{"f":"post-init"}`, `{"f":"init"}`}},
		{"anything-but suffix", `{"f":[{"anything-but":{"suffix":".txt"}}]}`, []string{`{"f":"a.txt.bak"}`}, []string{`{"f":"a.txt"}`}},
		{"anything-but ignore case", `{"f":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}`, []string{`{"f":"c"}`, `{"f":1}`}, []string{`{"f":"A"}`, `{"f":"b"}`}},
		{"anything-but wildcard", `{"f":[{"anything-but":{"wildcard":"*/init/*"}}]}`, []string{`{"f":"dir/post/x"}`, `{"f":123}`, `{"f":null}`}, []string{`{"f":"dir/init/x"}`}},
		{"anything-but wildcard empty", `{"f":[{"anything-but":{"wildcard":""}}]}`, []string{`{"f":"x"}`}, []string{`{"f":""}`}},
		{"numeric equals", `{"f":[{"numeric":["=",5]}]}`, []string{`{"f":5}`, `{"f":5.0}`, `{"f":0.5e1}`}, []string{`{"f":"5"}`, `{"f":5.000001}`, `{"f":null}`}},
		{"numeric range", `{"f":[{"numeric":[">",0,"<=",5]}]}`, []string{`{"f":0.1}`, `{"f":5}`}, []string{`{"f":0}`, `{"f":5.1}`, `{"f":-1}`}},
		{"numeric half-open", `{"f":[{"numeric":[">=",1e300]}]}`, []string{`{"f":1e300}`, `{"f":1.7976931348623157e308}`}, []string{`{"f":9e299}`, `{"f":1e400}`}},
		{"numeric negative", `{"f":[{"numeric":["<",-1e-300]}]}`, []string{`{"f":-1}`, `{"f":-1e-299}`}, []string{`{"f":0}`, `{"f":-1e-301}`}},
		{"numeric inexact event", `{"f":[{"numeric":[">",5]}]}`, []string{`{"f":6}`}, []string{`{"f":9007199254740993}`}},
		{"cidr", `{"f":[{"cidr":"10.0.0.0/24"}]}`, []string{`{"f":"10.0.0.0"}`, `{"f":"10.0.0.255"}`, `{"f":"::ffff:a00:7"}`}, []string{`{"f":"10.0.1.0"}`, `{"f":123}`, `{"f":"10.0.0"}`}},
		{"cidr from written address", `{"f":[{"cidr":"10.0.0.5/24"}]}`, []string{`{"f":"10.0.0.5"}`, `{"f":"10.0.0.200"}`}, []string{`{"f":"10.0.0.4"}`}},
		{"cidr IPv6", `{"f":[{"cidr":"2001:db8:1234:1a00::/64"}]}`, []string{`{"f":"2001:0db8:1234:1a00:0000:0000:0000:0000"}`, `{"f":"2001:db8:1234:1a00:ffff::1"}`}, []string{`{"f":"2001:db8:1234:1a01::"}`, `{"f":"10.0.0.1"}`}},
		{"exists true", `{"f":[{"exists":true}]}`, []string{`{"f":null}`, `{"f":""}`, `{"f":[1]}`}, []string{`{}`, `{"f":[]}`, `{"f":{"g":1}}`, `{"f":{}}`}},
		{"exists false", `{"f":{"g":[{"exists":false}]}}`, []string{`{}`, `{"f":{}}`, `{"f":{"g":{"h":1}}}`, `{"f":{"g":[]}}`}, []string{`{"f":{"g":null}}`, `{"f":{"g":[1]}}`}},
		{"mixed conditions", `{"f":[{"anything-but":["roses"]},{"exists":false}]}`, []string{`{}`, `{"f":"tulips"}`}, []string{`{"f":"roses"}`}},
		{"mixed numeric and anything-but", `{"f":[{"numeric":[">",100]},{"anything-but":"101"}]}`, []string{`{"f":"42"}`, `{"f":101}`}, []string{`{"f":"101"}`}},
		{"fields are ANDed", `{"a":["x"],"b":["y"]}`, []string{`{"a":"x","b":"y","c":1}`}, []string{`{"a":"x"}`, `{"a":"x","b":"z"}`}},
		{"keys are case-sensitive", `{"MY_KEY":["x"]}`, []string{`{"MY_KEY":"x"}`}, []string{`{"my_key":"x"}`}},
		{"dotted key in pattern", `{"detail":{"state.status":["running"]}}`, []string{`{"detail":{"state":{"status":"running"}}}`, `{"detail.state.status":"running"}`}, []string{`{"detail":{"state":"running"}}`}},
		{"dotted key in event", `{"detail":{"state":{"status":["running"]}}}`, []string{`{"detail":{"state.status":"running"}}`}, []string{`{"detail":{"state.status":{"status":"running"}}}`}},
		{"JSON in a string is a string", `{"detail":{"k":["v"]}}`, nil, []string{`{"detail":"{\"k\":\"v\"}"}`}},
		{"repeated key: last wins", `{"f":["a"],"f":["b"]}`, []string{`{"f":"b"}`}, []string{`{"f":"a"}`}},
		{"repeated object key merges", `{"d":{"a":["x"]},"d":{"b":["y"]}}`, []string{`{"d":{"a":"x","b":"y"}}`}, []string{`{"d":{"a":"x"}}`}},
		{"or", `{"detail":{"$or":[{"c":[{"numeric":[">",0,"<=",5]}]},{"d":[{"numeric":["<",10]}]}]}}`,
			[]string{`{"detail":{"c":3}}`, `{"detail":{"d":9}}`}, []string{`{"detail":{"c":0,"d":10}}`}},
		{"nested or", `{"s":["x"],"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}`,
			[]string{`{"s":"x","c":"3"}`, `{"s":"x","a":"1"}`}, []string{`{"c":"3"}`, `{"s":"x","d":"4"}`}},
		{"later key overrides an $or branch", `{"$or":[{"a":["y"]},{"b":["z"]}],"a":["x"]}`, []string{`{"a":"x"}`}, []string{`{"a":"y"}`, `{"b":"z"}`}},
		{"arrays: any element", `{"resources":["arn:a","arn:b"]}`, []string{`{"resources":["arn:x","arn:b"]}`}, []string{`{"resources":["arn:x"]}`, `{"resources":[]}`}},
		{"arrays of arrays flatten", `{"f":[3]}`, []string{`{"f":[[1,2],[3]]}`}, []string{`{"f":[[1,2],[4]]}`}},
		{"arrays of objects", `{"e":{"first":["Anna"]}}`, []string{`{"e":[{"first":"John"},{"first":"Anna"}]}`}, []string{`{"e":[{"first":"John"}]}`}},
		{"array consistency", `{"e":{"first":["Anna"],"last":["Jones"]}}`,
			[]string{`{"e":[{"first":"Anna","last":"Jones"}]}`, `{"e":[{"first":"John","last":"Doe"},{"first":"Anna","last":"Jones"}]}`},
			[]string{`{"e":[{"first":"Anna","last":"Smith"},{"first":"Peter","last":"Jones"}]}`}},
		{"array consistency nested", `{"a":{"b":{"c":["1"],"d":["2"]}}}`,
			[]string{`{"a":[{"b":[{"c":"1","d":"2"}]}]}`, `{"a":[{"b":{"c":"1","d":"2"}}]}`},
			[]string{`{"a":[{"b":[{"c":"1"},{"d":"2"}]}]}`, `{"a":[{"b":{"c":"1"}},{"b":{"d":"2"}}]}`}},
		{"exists false within an element", `{"e":{"a":["1"],"b":[{"exists":false}]}}`,
			[]string{`{"e":[{"a":"1"},{"a":"2","b":"x"}]}`}, []string{`{"e":[{"a":"1","b":"x"}]}`}},
		{"exactly", `{"f":[{"exactly":"10.0.0.1"}]}`, []string{`{"f":"10.0.0.1"}`}, []string{`{"f":"010.0.0.1"}`}},
	}
	cases := 0
	for _, tc := range tests {
		p, err := pattern.Compile([]byte(tc.pattern))
		if err != nil {
			t.Errorf("%s: Compile(%s): %v", tc.name, tc.pattern, err)
			continue
		}
		check := func(ev string, want bool) {
			cases++
			got, err := p.Match([]byte(ev))
			if err != nil {
				t.Errorf("%s: Match(%s): %v", tc.name, ev, err)
				return
			}
			if got != want {
				x, _ := p.Explain([]byte(ev))
				t.Errorf("%s: pattern %s, event %s: got %v, want %v\n%s", tc.name, tc.pattern, ev, got, want, x)
			}
		}
		for _, ev := range tc.match {
			check(ev, true)
		}
		for _, ev := range tc.nomatch {
			check(ev, false)
		}
	}
	t.Logf("operators: %d cases", cases)
}

func TestMatchRejectsBadEvents(t *testing.T) {
	p, err := pattern.Compile([]byte(`{"a":["b"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{``, `[]`, `"a"`, `1`, `{`, `{"a":}`, `{"a":"b"} x`, `{"a":[1,]}`, `{"a":tru}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}", `{"a":01}`} {
		ok, err := p.Match([]byte(ev))
		var ee *pattern.EventError
		if err == nil || ok || !errorsAs(err, &ee) {
			t.Errorf("Match(%q) = %v, %v; want an *EventError", ev, ok, err)
		}
	}
}
