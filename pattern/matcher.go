package pattern

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Matcher holds many named patterns in one shared structure and finds all
// that match an event. The cost of matching an event depends on the event
// and on how many patterns match it, hardly on how many patterns there are:
// the patterns are indexed by field path and value (see "Performance"
// below).
//
// # Concurrency
//
// Matcher is safe for concurrent use. Match never blocks and takes no lock:
// it reads an immutable snapshot of the pattern set through an atomic
// pointer. Add, AddPattern and Delete are serialized by a mutex; each builds
// the next snapshot, sharing every part that did not change with the
// current one, and publishes it atomically. A Match that runs during an
// update sees the set either before or after it, never a mix, and a Match
// that starts after Add or Delete has returned sees its effect.
//
// # Early exit
//
// Match reads the event from the start and stops as soon as the rest of the
// event cannot hold a value on a path that some pattern names: it proves
// that with a few substring searches (no array is open, the rest has no
// backslash and none of the keys that could lead to a pattern path). The
// answer is exactly the one a full reading gives, repeated keys and dotted
// keys included. What Match reads it validates as strictly as
// [Pattern.Match]; a syntax error in the part it does not read is not
// reported. Use [Pattern.Match] or [TestEventPattern] to validate a whole
// event, or validate events where they enter the program.
//
// # Performance
//
// Patterns share their conditions: the leaf arrays that several patterns
// have on the same path (the same conditions, written alike up to white
// space) are stored and looked up once. Each $or alternative of a pattern
// is anchored on one of its conditions, the one the fewest patterns had
// when it was added; a value that satisfies a condition makes candidates
// only of the alternatives anchored on it, whose other conditions are then
// checked in constant time each. So ten thousand rules that all name the
// same source and detail-type, and each its own customer, cost an event
// about what ten thousand rules naming only the customer cost. What still
// grows with the number of patterns is the work on a condition on which
// many alternatives are anchored because they had nothing rarer when they
// were added: patterns identical but for their names (which match
// together anyway), or patterns that only combine shared conditions. The
// anchor is not chosen again when patterns are deleted.
//
// Strings, numbers, IP addresses, prefixes, suffixes, ASCII
// case-insensitive operands and wildcards with a literal head or tail are
// found through per-path hash indexes, so their cost does not grow with
// the number of patterns; anything-but, numeric ranges, cidr, non-ASCII
// case-insensitive operands and wildcards that start and end with a star
// are tested one by one per value of their path, each distinct condition
// once however many patterns share it (numeric ranges on a key computed
// from the number's digits, made exact only when a range may hold the
// number). Adding or deleting a pattern copies a few kilobytes
// of index at most, amortized, and of the list of the alternatives
// anchored on a condition a few hundred bytes, plus as much per level of
// a trie of fan-out 32 once the list is longer than 32: storing n patterns
// that are all anchored on one condition (identical but for their names,
// say) takes O(n log n) time, not O(n²).
//
// Match allocates nothing once its internal buffers have grown (they are
// pooled per Matcher). Names come out in order without sorting once the
// pattern set has served enough matches of eight or more names (64 plus 4
// per pattern): the Match that reaches that count ranks the patterns by
// name, in O(n log n) time, allocating the ranking, and every later Match
// on the same set uses it; after Add or Delete the count starts again.
type Matcher struct {
	opts options
	mu   sync.Mutex // serializes writers and guards b and byName
	snap atomic.Pointer[snapshot]

	b      builder
	byName map[string]*patEntry
	pool   sync.Pool // *scanner
}

// NewMatcher returns an empty Matcher. The options set the limits that Add
// enforces, as for [Compile].
func NewMatcher(opts ...Option) *Matcher {
	m := &Matcher{opts: buildOptions(opts), byName: map[string]*patEntry{}}
	m.snap.Store(emptySnapshot())
	return m
}

// Add compiles pattern with the Matcher's options and stores it under name,
// replacing any pattern of that name. An invalid pattern gets a [*Error] and
// leaves the Matcher unchanged.
func (m *Matcher) Add(name string, pattern []byte) error {
	p, err := compile(pattern, m.opts)
	if err != nil {
		return err
	}
	return m.AddPattern(name, p)
}

// AddPattern stores a compiled pattern under name, replacing any pattern of
// that name. The same *Pattern may be stored in any number of Matchers and
// under any number of names.
func (m *Matcher) AddPattern(name string, p *Pattern) error {
	if p == nil {
		return errors.New("pattern: AddPattern with a nil *Pattern")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.snap.Load()
	if old := m.byName[name]; old != nil {
		s = m.b.remove(s, old)
	}
	s, pe := m.b.add(s, name, p)
	m.byName[name] = pe
	m.snap.Store(s)
	return nil
}

// Delete removes the pattern stored under name, if any. Once Delete has
// returned, no Match reports name, and the Matcher holds nothing of the
// pattern any more but the compiled form of those of its leaf arrays that
// other patterns share, for as long as they do.
func (m *Matcher) Delete(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pe := m.byName[name]
	if pe == nil {
		return
	}
	delete(m.byName, name)
	if len(m.byName) == 0 {
		m.byName = map[string]*patEntry{} // let the map's memory go
	}
	m.snap.Store(m.b.remove(m.snap.Load(), pe))
}

// Len returns the number of patterns.
func (m *Matcher) Len() int { return m.snap.Load().patterns }

// Stats describes the size of the Matcher's shared structure.
func (m *Matcher) Stats() MatcherStats { return m.snap.Load().stats }

// Match appends to dst the name of every pattern that event matches, each
// once, in ascending byte order of name, and returns the extended slice.
// The event must be a JSON object; otherwise Match returns dst unchanged and
// an [*EventError]. Match may stop reading early (see "Early exit" above).
func (m *Matcher) Match(event []byte, dst []string) ([]string, error) {
	s := m.snap.Load()
	sc, _ := m.pool.Get().(*scanner)
	if sc == nil {
		sc = new(scanner)
	}
	defer func() {
		sc.release()
		m.pool.Put(sc)
	}()
	sc.reset(event, s, true, false)
	if err := sc.run(); err != nil {
		return dst, err
	}
	return sc.sortedNames(s, sc.matched, dst), nil
}

// sortByName sorts ms by name: by insertion, on the names' first 8 bytes,
// for the usual few dozen matches.
func sortByName(ms []matchRef) {
	if len(ms) > 64 {
		slices.SortFunc(ms, func(a, b matchRef) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return strings.Compare(a.name, b.name)
		})
		return
	}
	for i := 1; i < len(ms); i++ {
		m := ms[i]
		j := i
		for ; j > 0 && (m.key < ms[j-1].key || (m.key == ms[j-1].key && m.name < ms[j-1].name)); j-- {
			ms[j] = ms[j-1]
		}
		ms[j] = m
	}
}
