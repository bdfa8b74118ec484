package pattern_test

import (
	"errors"
	"fmt"

	"github.com/rulebridge/rulebridge/pattern"
)

const ec2Event = `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2024-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-abcd1111", "state": "stopped"}
}`

func ExampleCompile() {
	p, err := pattern.Compile([]byte(`{"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}]}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(p)

	_, err = pattern.Compile([]byte(`{"detail": {"state": [{"prefix": 1}]}}`))
	var perr *pattern.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Reason)
		fmt.Println(perr.Path)
	}
	fmt.Println(err)
	// Output:
	// {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}]}}
	// prefix match pattern must be a string
	// $.detail.state[0].prefix
	// Event pattern is not valid. Reason: prefix match pattern must be a string (at $.detail.state[0].prefix, line 1, column 34)
}

func ExamplePattern_Match() {
	p, err := pattern.Compile([]byte(`{"detail": {"state": ["stopped", "terminated"]}}`))
	if err != nil {
		panic(err)
	}
	ok, err := p.Match([]byte(ec2Event))
	fmt.Println(ok, err)

	// Numbers compare by value; arrays match if any element does.
	p, _ = pattern.Compile([]byte(`{"size": [300], "tags": ["prod"]}`))
	ok, _ = p.Match([]byte(`{"size": 3.0e2, "tags": ["web", "prod"]}`))
	fmt.Println(ok)

	_, err = p.Match([]byte(`["not", "an", "object"]`))
	fmt.Println(errors.Is(err, pattern.ErrInvalidEvent))
	// Output:
	// true <nil>
	// true
	// true
}

func ExamplePattern_Explain() {
	p, err := pattern.Compile([]byte(`{"source": ["aws.ec2"], "detail": {"state": ["running"]}}`))
	if err != nil {
		panic(err)
	}
	x, err := p.Explain([]byte(ec2Event))
	if err != nil {
		panic(err)
	}
	fmt.Print(x)
	fmt.Println(x.Alternatives[0].Conditions[1].Path, x.Alternatives[0].Conditions[1].Held)
	// Output:
	// no match
	//   source: "aws.ec2" is one of ["aws.ec2"]
	//   detail.state: "stopped" is not one of ["running"]
	// detail.state false
}

func ExampleTestEventPattern() {
	ok, err := pattern.TestEventPattern([]byte(`{"source": ["aws.ec2"]}`), []byte(ec2Event))
	fmt.Println(ok, err)

	// Like AWS, TestEventPattern requires the event envelope.
	_, err = pattern.TestEventPattern([]byte(`{"source": ["aws.ec2"]}`), []byte(`{"source": "aws.ec2"}`))
	fmt.Println(err)

	// An invalid pattern gets AWS's reason.
	_, err = pattern.TestEventPattern([]byte(`{"source": []}`), []byte(ec2Event))
	var perr *pattern.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Reason)
	}
	// Output:
	// true <nil>
	// Parameter Event is not valid. Reason: missing required field "id"
	// Empty arrays are not allowed
}

func ExampleNewMatcher() {
	m := pattern.NewMatcher()
	rules := map[string]string{
		"ec2-stopped": `{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}`,
		"ec2-any":     `{"source": ["aws.ec2"]}`,
		"s3":          `{"source": ["aws.s3"]}`,
	}
	for name, src := range rules {
		if err := m.Add(name, []byte(src)); err != nil {
			panic(err)
		}
	}
	names, err := m.Match([]byte(ec2Event), nil)
	fmt.Println(names, err)

	m.Delete("ec2-any")
	names, _ = m.Match([]byte(ec2Event), names[:0])
	fmt.Println(names)
	// Output:
	// [ec2-any ec2-stopped] <nil>
	// [ec2-stopped]
}

func ExampleMatcher_Stats() {
	m := pattern.NewMatcher()
	_ = m.Add("a", []byte(`{"source": ["aws.ec2"], "detail": {"state": ["stopped", "terminated"]}}`))
	_ = m.Add("b", []byte(`{"$or": [{"source": ["aws.s3"]}, {"detail": {"bucket": [{"exists": true}]}}]}`))
	fmt.Printf("%+v\n", m.Stats())

	m.Delete("a")
	m.Delete("b")
	fmt.Printf("%+v\n", m.Stats())
	// Output:
	// {Patterns:2 Alternatives:3 Fields:4 Paths:3 Nodes:4 IndexEntries:5}
	// {Patterns:0 Alternatives:0 Fields:0 Paths:0 Nodes:0 IndexEntries:0}
}
