package rulesfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/rulebridge/rulebridge/targets"
)

// BuildOptions configures [File.Build]. The zero value writes Stdout
// targets to os.Stdout and uses the default HTTP transport.
type BuildOptions struct {
	// Stdout receives the lines of Stdout targets (and dead-letter
	// configs); nil means os.Stdout. All of them share one [LineWriter].
	Stdout io.Writer
	// Transport carries the requests of Http targets and of OAuth token
	// fetches; nil means a private transport per target. Tests pass an
	// in-memory RoundTripper.
	Transport http.RoundTripper
	// Observer receives the Throttled notices of Http targets' own rate
	// limits; nil observes nothing.
	Observer targets.Observer
}

// Built is the targets of a File, ready to be wrapped and delivered to.
// Close it when done: it owns the files and HTTP transports it opened. Its
// targets are safe for concurrent use; Close may be called from any
// goroutine, once the deliveries are over.
type Built struct {
	// Targets[i][j] is File.Rules[i].Targets[j], built.
	Targets [][]BuiltTarget

	closeOnce sync.Once
	closers   []io.Closer
	closeErr  error
}

// BuiltTarget is one rule target: the delivering Target (targets.HTTP,
// targets.File or a *LineWriter) and the targets.Config the rules file
// gives it. Apply it with targets.Wrap, after setting the Config fields the
// file does not hold (Observer, PerAttempt, ...):
//
//	cfg := bt.Config
//	cfg.Observer = counters
//	t, err := targets.Wrap(bt.Target, cfg)
type BuiltTarget struct {
	ID     string
	Target targets.Target
	// Config holds the target's Shaping and RetryPolicy, and its
	// dead-letter target (nil when it has none).
	Config targets.Config
}

// Build creates the targets of every rule: one targets.HTTP per Http
// target, one targets.File per distinct File path (shared by every target
// and dead-letter config naming it), and one [LineWriter] on o.Stdout for
// all Stdout targets. Files are created if needed and opened for
// appending. Nothing is sent.
//
// On failure Build closes what it opened and returns an [ErrorList] naming
// each target it could not build. Build may be called more than once;
// each Built is independent.
func (f *File) Build(o BuildOptions) (*Built, error) {
	b := &Built{}
	files := map[string]*targets.File{}
	var stdout *LineWriter
	var errs ErrorList
	build := func(s Sink, sc scope) targets.Target {
		switch {
		case s.Stdout != nil:
			if stdout == nil {
				w := o.Stdout
				if w == nil {
					w = os.Stdout
				}
				stdout = NewLineWriter(w)
			}
			return stdout
		case s.File != nil:
			key := s.File.Path
			if abs, err := filepath.Abs(key); err == nil {
				key = abs
			}
			if t, ok := files[key]; ok {
				return t
			}
			t, err := targets.NewFile(s.File.Path)
			if err != nil {
				errs = append(errs, newError(f.Name, s.File.pos, sc, s.field+"File.Path", openReason(err), err))
				return nil
			}
			files[key] = t
			b.closers = append(b.closers, t)
			return t
		case s.HTTP != nil:
			t, err := s.HTTP.build(o)
			if err != nil {
				errs = append(errs, newError(f.Name, position{}, sc, s.field+"Http", err.Error(), err))
				return nil
			}
			b.closers = append(b.closers, t)
			return t
		}
		errs = append(errs, newError(f.Name, position{}, sc, s.field, "has no kind (Http, File or Stdout)", nil))
		return nil
	}
	b.Targets = make([][]BuiltTarget, len(f.Rules))
	for i := range f.Rules {
		r := &f.Rules[i]
		row := make([]BuiltTarget, len(r.Targets))
		for j, t := range r.Targets {
			sc := scope{rule: r.Name, ruleIndex: i + 1, target: t.ID, targetIdx: j + 1}
			row[j] = BuiltTarget{ID: t.ID, Target: build(t.Sink, sc),
				Config: targets.Config{Shaping: t.Shaping, RetryPolicy: t.RetryPolicy}}
			if t.DeadLetter != nil {
				row[j].Config.DeadLetter = build(*t.DeadLetter, sc)
			}
		}
		b.Targets[i] = row
	}
	if err := errs.err(); err != nil {
		_ = b.Close()
		return nil, err
	}
	return b, nil
}

// openReason shortens an open error to what the user needs.
func openReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot open %s: %v", pe.Path, pe.Err)
	}
	return err.Error()
}

func (h *HTTPSink) build(o BuildOptions) (*targets.HTTP, error) {
	var conn *targets.Connection
	var err error
	switch a := h.Auth; {
	case a == nil:
	case a.Basic != nil:
		conn, err = targets.BasicAuth(a.Basic.Username, a.Basic.Password)
	case a.APIKey != nil:
		conn, err = targets.APIKeyAuth(a.APIKey.Header, a.APIKey.Value)
	case a.OAuth != nil:
		conn, err = targets.OAuthClientCredentials(targets.OAuthConfig{TokenURL: a.OAuth.TokenURL,
			ClientID: a.OAuth.ClientID, ClientSecret: a.OAuth.ClientSecret, Scopes: a.OAuth.Scopes,
			Transport: o.Transport})
	}
	if err != nil {
		return nil, err
	}
	return targets.NewHTTP(targets.HTTPConfig{URL: h.Endpoint, Method: h.Method, Header: h.Header,
		Connection: conn, Timeout: h.Timeout, RateLimit: h.RateLimit, Transport: o.Transport, Observer: o.Observer})
}

// Close closes the files and releases the HTTP connections Build opened.
// Deliveries must be over. Close is idempotent; it returns the first
// call's result.
func (b *Built) Close() error {
	b.closeOnce.Do(func() {
		var errs []error
		for _, c := range b.closers {
			errs = append(errs, c.Close())
		}
		b.closeErr = errors.Join(errs...)
	})
	return b.closeErr
}

// Check reports, as an [ErrorList], what would make [File.Build] fail,
// without creating or opening anything: for each File path, that its
// directory exists and that the path is not a directory. (Whether the file
// can be written is only known by opening it.)
func (f *File) Check() error {
	var errs ErrorList
	check := func(s *Sink, sc scope) {
		if s == nil || s.File == nil {
			return
		}
		p := s.File.Path
		field := s.field + "File.Path"
		if fi, err := os.Stat(p); err == nil {
			if fi.IsDir() {
				errs = append(errs, newError(f.Name, s.File.pos, sc, field, p+" is a directory", nil))
			}
			return
		}
		dir := filepath.Dir(p)
		fi, err := os.Stat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			errs = append(errs, newError(f.Name, s.File.pos, sc, field, "directory "+dir+" does not exist", err))
		case err != nil:
			errs = append(errs, newError(f.Name, s.File.pos, sc, field, openReason(err), err))
		case !fi.IsDir():
			errs = append(errs, newError(f.Name, s.File.pos, sc, field, dir+" is not a directory", nil))
		}
	}
	for i := range f.Rules {
		r := &f.Rules[i]
		for j := range r.Targets {
			t := &r.Targets[j]
			sc := scope{rule: r.Name, ruleIndex: i + 1, target: t.ID, targetIdx: j + 1}
			check(&t.Sink, sc)
			check(t.DeadLetter, sc)
		}
	}
	return errs.err()
}
