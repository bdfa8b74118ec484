package pattern

import (
	"errors"
	"sort"
	"sync"
	"sync/atomic"
)

// Matcher holds many named patterns and finds all that match an event.
//
// Matcher is safe for concurrent use. Match never blocks: it reads an
// immutable snapshot of the pattern set through an atomic pointer. Add,
// AddPattern and Delete are serialized by a mutex; each builds a new
// snapshot and publishes it atomically, so a Match that runs during an
// update sees the set either before or after it, never a mix.
//
// This version evaluates every pattern against one scan of the event; its
// cost grows with the number of patterns.
type Matcher struct {
	opts options
	mu   sync.Mutex // serializes writers
	snap atomic.Pointer[matcherSnapshot]
}

// matcherSnapshot is an immutable pattern set.
type matcherSnapshot struct {
	names    []string   // sorted
	patterns []*Pattern // patterns[i] is named names[i]
	gids     [][]int32  // gids[i][pid] is the table id of pattern i's path pid
	table    *pathTable // every path of every pattern
}

// NewMatcher returns an empty Matcher. The options set the limits that Add
// enforces, as for [Compile].
func NewMatcher(opts ...Option) *Matcher {
	m := &Matcher{opts: buildOptions(opts)}
	m.snap.Store(buildSnapshot(nil, nil))
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
// that name.
func (m *Matcher) AddPattern(name string, p *Pattern) error {
	if p == nil {
		return errors.New("pattern: AddPattern with a nil *Pattern")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.snap.Load()
	names := old.names
	pats := old.patterns
	i := sort.SearchStrings(names, name)
	var nn []string
	var np []*Pattern
	if i < len(names) && names[i] == name {
		nn = names
		np = append([]*Pattern(nil), pats...)
		np[i] = p
	} else {
		nn = make([]string, 0, len(names)+1)
		nn = append(append(append(nn, names[:i]...), name), names[i:]...)
		np = make([]*Pattern, 0, len(pats)+1)
		np = append(append(append(np, pats[:i]...), p), pats[i:]...)
	}
	m.snap.Store(buildSnapshot(nn, np))
	return nil
}

// Delete removes the pattern stored under name, if any.
func (m *Matcher) Delete(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.snap.Load()
	i := sort.SearchStrings(old.names, name)
	if i == len(old.names) || old.names[i] != name {
		return
	}
	nn := append(append([]string(nil), old.names[:i]...), old.names[i+1:]...)
	np := append(append([]*Pattern(nil), old.patterns[:i]...), old.patterns[i+1:]...)
	m.snap.Store(buildSnapshot(nn, np))
}

// Len returns the number of patterns.
func (m *Matcher) Len() int { return len(m.snap.Load().names) }

// Match appends to dst the name of every pattern that event matches, each
// once, in ascending byte order of name, and returns the extended slice.
// The event must be a JSON object; otherwise Match returns dst unchanged and
// an [*EventError].
func (m *Matcher) Match(event []byte, dst []string) ([]string, error) {
	s := m.snap.Load()
	sc := getScanner()
	defer putScanner(sc)
	ev, err := sc.scan(event, s.table)
	if err != nil {
		return dst, err
	}
	for i, p := range s.patterns {
		for _, a := range p.alts {
			if a.match(ev, s.gids[i]) {
				dst = append(dst, s.names[i])
				break
			}
		}
	}
	return dst, nil
}

func buildSnapshot(names []string, pats []*Pattern) *matcherSnapshot {
	set := map[string]bool{}
	for _, p := range pats {
		for _, path := range p.paths {
			set[path] = true
		}
	}
	all := make([]string, 0, len(set))
	for path := range set {
		all = append(all, path)
	}
	sort.Strings(all)
	t := newPathTable(all)
	gids := make([][]int32, len(pats))
	for i, p := range pats {
		g := make([]int32, len(p.paths))
		for j, path := range p.paths {
			g[j] = t.ids[path]
		}
		gids[i] = g
	}
	return &matcherSnapshot{names: names, patterns: pats, gids: gids, table: t}
}
