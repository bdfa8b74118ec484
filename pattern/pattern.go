package pattern

import (
	"strings"
	"sync/atomic"
	"unicode/utf16"
)

// Default limits. They are AWS's: an event pattern of a rule may be 2,048
// characters long (an adjustable quota), its $or operators may expand to at
// most 1,000 combinations, and its wildcards may not be too complex (see
// [WithMaxWildcardComplexity]).
const (
	DefaultMaxPatternSize         = 2048
	DefaultMaxCombinations        = 1000
	DefaultMaxWildcardComplexity  = 10
	testEventPatternMaxPatternLen = 4096 // the TestEventPattern API's own limit
)

// Option changes a limit that [Compile], [NewMatcher] and [Matcher.Add]
// enforce. The zero set of options gives AWS's defaults.
type Option func(*options)

type options struct {
	maxSize       int
	maxCombos     int
	maxComplexity int
}

func defaultOptions() options {
	return options{
		maxSize:       DefaultMaxPatternSize,
		maxCombos:     DefaultMaxCombinations,
		maxComplexity: DefaultMaxWildcardComplexity,
	}
}

func buildOptions(opts []Option) options {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithMaxPatternSize sets the largest pattern accepted, in characters
// (UTF-16 code units, as AWS counts). The default is 2,048, AWS's default
// quota; accounts with a raised quota may use up to 4,096. n <= 0 removes the
// limit.
func WithMaxPatternSize(n int) Option { return func(o *options) { o.maxSize = n } }

// WithMaxCombinations sets how many alternatives the $or operators of one
// pattern may expand to (the product of their sizes). The default is AWS's
// 1,000. n <= 0 removes the limit, which lets a small pattern use a lot of
// memory.
func WithMaxCombinations(n int) Option { return func(o *options) { o.maxCombos = n } }

// WithMaxWildcardComplexity sets the largest wildcard complexity accepted.
//
// Complexity is the measure used by aws/event-ruler's
// MachineComplexityEvaluator: the largest number of wildcard-pattern
// prefixes (each operand wrapped in its JSON quotes) that a single input
// string can match at the same time, summed over the wildcard and
// anything-but wildcard operands on one field, and the maximum over fields.
// AWS does not publish its threshold. The default, 10, accepts every pattern
// AWS is known to accept and rejects every one it is known to reject:
// "arn:aws:events:us-east-1:*:event-bus/*" (complexity 3) and
// "/Users/*/dir/dir/dir/dir/dir/doc.txt" (7) pass, "*:*:*:*:*:event-bus/*"
// (11) fails. n <= 0 removes the limit.
func WithMaxWildcardComplexity(n int) Option { return func(o *options) { o.maxComplexity = n } }

// Pattern is a compiled EventBridge event pattern. It is immutable and safe
// for concurrent use by multiple goroutines.
type Pattern struct {
	src  string
	alts []*alternative

	// single is the pattern alone, for Match and Explain, built on first
	// use: a pointer rather than a sync.Once and two fields, because a
	// Matcher holds many Patterns that never need it.
	single atomic.Pointer[singleEngine]
}

// singleEngine is a snapshot holding one pattern, and its entry.
type singleEngine struct {
	eng *snapshot
	pe  *patEntry
}

// alternative is one way for the pattern to match: the pattern with every
// $or replaced by one of its branches. All its fields must hold.
type alternative struct {
	fields []*field // in AWS's evaluation order (paths in UTF-16 order)
	doc    []*field // in document order
}

// field is the leaf array of one path: its conditions are ORed.
type field struct {
	path     string
	conds    []cond
	absent   bool // {"exists": false} is among the conditions
	off, end int  // the leaf array in the pattern's source, for Explain and errors
}

// Compile parses and validates an EventBridge event pattern.
//
// It accepts exactly the patterns AWS accepts. For any other it returns a
// [*Error] carrying AWS's reason text and the JSON path of the offending
// part. The options change the limits; by default they are AWS's.
func Compile(src []byte, opts ...Option) (*Pattern, error) {
	return compile(src, buildOptions(opts))
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.src }

// Match reports whether event matches the pattern. The event must be a JSON
// object (any object: unlike [TestEventPattern], Match does not require
// EventBridge's envelope fields); anything else gets an [*EventError].
//
// Match reads event without retaining it and is safe to call concurrently.
//
// Match runs the engine of [Matcher] over a snapshot holding only p, so a
// Matcher and its patterns answer alike; unlike [Matcher.Match], it reads
// and validates the whole event.
func (p *Pattern) Match(event []byte) (bool, error) {
	eng, _ := p.engine()
	sc := getScanner()
	defer putScanner(sc)
	sc.reset(event, eng, false, false)
	if err := sc.run(); err != nil {
		return false, err
	}
	return len(sc.matched) > 0, nil
}

// engine returns the snapshot of p alone, building it on first use.
// Concurrent first uses may each build one; all return the one stored
// first.
func (p *Pattern) engine() (*snapshot, *patEntry) {
	se := p.single.Load()
	if se == nil {
		eng, pe := buildSingle(p)
		p.single.CompareAndSwap(nil, &singleEngine{eng, pe})
		se = p.single.Load()
	}
	return se.eng, se.pe
}

// utf16Len returns the length of s in UTF-16 code units, counting an
// invalid byte as one unit.
func utf16Len(s []byte) int {
	n := 0
	for _, r := range string(s) {
		n += utf16.RuneLen(r)
		if r == 0xFFFD {
			n = n - utf16.RuneLen(r) + 1
		}
	}
	return n
}

// lessUTF16 orders strings by UTF-16 code units, as Java's String.compareTo
// does.
func lessUTF16(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] == rb[i] {
			continue
		}
		return utf16Key(ra[i]) < utf16Key(rb[i])
	}
	return len(ra) < len(rb)
}

// utf16Key maps a rune to a value ordered like its first UTF-16 code unit
// (with the second unit as a tie-breaker).
func utf16Key(r rune) uint32 {
	if r > 0xFFFF {
		hi, lo := utf16.EncodeRune(r)
		return uint32(hi)<<16 | uint32(lo)
	}
	return uint32(r) << 16
}

// jsonPathKey renders one key of a JSON path.
func jsonPathKey(k string) string {
	simple := k != ""
	for i := 0; i < len(k) && simple; i++ {
		c := k[i]
		simple = c == '_' || c == '-' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && c >= '0' && c <= '9')
	}
	if simple {
		return "." + k
	}
	return "[" + quoteJSON(k) + "]"
}

// quoteJSON returns s as a JSON string literal.
func quoteJSON(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20:
			sb.WriteString(`\u00`)
			sb.WriteByte("0123456789abcdef"[r>>4])
			sb.WriteByte("0123456789abcdef"[r&15])
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
