// Package pattern compiles, validates and matches AWS EventBridge event
// patterns, answering as EventBridge does.
//
// [Compile] parses a pattern once and returns an immutable [*Pattern];
// [Pattern.Match] tells whether a JSON event matches it, and
// [Pattern.Explain] says why, condition by condition. [TestEventPattern]
// mirrors AWS's TestEventPattern API, event envelope check included.
// [Matcher] holds many named patterns and returns every one an event
// matches.
//
//	p, err := pattern.Compile([]byte(`{"source": ["aws.ec2"], "detail": {"state": ["running"]}}`))
//	if err != nil {
//		return err // a *pattern.Error with AWS's reason and the JSON path
//	}
//	ok, err := p.Match(event)
//
// # The language
//
// A pattern is a JSON object. Its fields mirror the event: an object value
// descends into the event, an array value lists conditions for the field.
// Fields are ANDed; the conditions in one array are ORed. Event fields the
// pattern does not name are ignored. Keys are case-sensitive, and a dotted
// key is the same path as nesting, in the pattern and in the event
// ({"a.b": [...]} equals {"a": {"b": [...]}}). If a key is repeated, the last
// occurrence of each leaf path wins.
//
// Conditions:
//
//   - a string, number, true, false or null matches that value. Strings
//     compare byte for byte, except that a string that is an IP address
//     matches any spelling of the same address. Numbers compare by value
//     (300 matches 300.0 and 3e2) when a float64 holds them exactly; other
//     numbers (37.807807921694092, 1e400) match only the same text.
//   - {"prefix": "s"}, {"suffix": "s"}, and their case-insensitive forms
//     {"prefix": {"equals-ignore-case": "s"}} and
//     {"suffix": {"equals-ignore-case": "s"}}.
//   - {"equals-ignore-case": "s"}.
//   - {"wildcard": "dir/*.png"}: "*" matches any run of characters, "\\*"
//     a star, "\\\\" a backslash; the whole string must match.
//   - {"anything-but": v} where v is a string, a number, a list of strings,
//     a list of numbers, or {"prefix": ...}, {"suffix": ...},
//     {"equals-ignore-case": ...} or {"wildcard": ...} with a string or a
//     list of strings. It matches every value that is not excluded,
//     including null and values of other types, but not a missing field.
//   - {"numeric": ["=", 5]}, with "=", "<", "<=", ">", ">=", or a range
//     [">", 0, "<=", 5] (lower bound first). Only JSON numbers match.
//   - {"cidr": "10.0.0.0/24"}, IPv4 or IPv6.
//   - {"exists": true} matches any value of a leaf field (null included);
//     {"exists": false} matches when the field has no value. An object or an
//     empty array is not a value.
//   - "$or": [{...}, {...}] at any level: one of the objects must match,
//     together with the object's other fields.
//
// Arrays in the event are transparent: a field matches if any element
// matches, arrays of arrays flatten, and objects inside arrays are walked.
// Fields that lie inside elements of the same array must all be matched
// within one element.
//
// PATTERNS.md in this directory specifies the language, the validation
// rules and every deviation from EventBridge.
//
// # Validation
//
// Compile accepts exactly the patterns EventBridge accepts. For the others
// it returns a [*Error] whose Reason is AWS's reason text, word for word,
// and whose Path is the JSON path of the offending part. Malformed JSON gets
// the messages of the Jackson parser AWS uses. The limits are AWS's and can
// be changed with options: 2,048 characters ([WithMaxPatternSize]), 1,000
// $or combinations ([WithMaxCombinations]) and a wildcard complexity of 10
// ([WithMaxWildcardComplexity]).
//
// Use errors.Is with [ErrInvalidPattern] and [ErrInvalidEvent] to tell a bad
// pattern from a bad event, and errors.As to get the [*Error] or
// [*EventError].
//
// # Concurrency
//
// A [*Pattern] is immutable: any number of goroutines may call its methods
// at once. A [Matcher] is safe for concurrent use: Match reads an immutable
// snapshot through an atomic pointer and never blocks, while Add,
// AddPattern and Delete take a mutex, build a new snapshot that shares all
// unchanged parts with the current one, and publish it; a Match running
// meanwhile sees the set before or after the change, never part of it. No
// function of the package starts a goroutine.
//
// # Many patterns
//
// A [Matcher] indexes its patterns by event path and value, so matching an
// event costs about the same for five patterns as for ten thousand. It
// reads an event only as far as it must: once the rest cannot hold a value
// on a path some pattern names, it stops, without validating the rest (see
// [Matcher]). [Pattern.Match] and [TestEventPattern] run the same engine
// and always read and validate the whole event.
package pattern
