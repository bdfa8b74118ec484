package rulesfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest rules file Load reads.
const MaxFileSize = 16 << 20

// Load reads the rules file at path and validates it as [Parse] does,
// with relative File paths resolved against the file's directory.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error() // the message starts with the path already
		}
		return nil, ErrorList{{File: path, Reason: reason, Err: err}}
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, ErrorList{{File: path, Reason: err.Error(), Err: err}}
	}
	if len(src) > MaxFileSize {
		return nil, ErrorList{{File: path, Reason: fmt.Sprintf("larger than %d bytes", MaxFileSize)}}
	}
	return Parse(path, src)
}

// Parse validates src, a rules file in YAML or JSON, and returns its
// rules. name is the file's path: it prefixes every message, and relative
// File paths are joined to its directory.
//
// Every problem is reported, each as an [*Error] with its line and column,
// in one [ErrorList]: syntax, unknown or repeated properties, wrong types,
// names, event patterns (pattern.Compile), schedule expressions and time
// zones (schedule.Parse), input shaping (targets.NewShaper), retry policies
// (targets.RetryPolicy.Validate), HTTP settings (targets.NewHTTP and the
// Connection constructors) and ${NAME} references to unset environment
// variables. Nothing is opened, created or sent: files are checked by
// [File.Check] and opened by [File.Build].
//
// Parse is safe for concurrent use; it reads the environment.
func Parse(name string, src []byte) (*File, error) {
	d := &decoder{file: name, dir: filepath.Dir(name), src: src, bad: map[*yaml.Node]bool{}}
	if isJSON(src) {
		src = fixSurrogates(src)
	}
	var doc yaml.Node
	if err := decodeOne(src, &doc); err != nil {
		d.errs = append(d.errs, syntaxError(name, err))
		return nil, d.errs.err()
	}
	if len(doc.Content) == 0 {
		d.errorf(nil, scope{}, "", "empty file: want a mapping with a Rules sequence")
		return nil, d.errs.err()
	}
	d.screen(&doc)
	f := d.file0(doc.Content[0])
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// decodeOne parses exactly one YAML document, turning a panic of the YAML
// library into an error.
func decodeOne(src []byte, doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: internal error: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty: reported by the caller
		}
		return err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("yaml: line %d: a second YAML document: a rules file holds one", next.Line)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML library error into an *Error with its line.
func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Reason: "invalid YAML: " + m[2], Err: err}
	}
	return &Error{File: file, Reason: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: "), Err: err}
}

func (d *decoder) file0(root *yaml.Node) *File {
	f := &File{Name: d.file}
	top, ok := d.mapping(root, scope{}, "", []string{"Rules"}, map[string]string{
		"Resources":                "give the rules' Properties as a Rules sequence",
		"AWSTemplateFormatVersion": "a rules file is not a template; give a Rules sequence",
	})
	if !ok {
		return f
	}
	rules := top.get("Rules")
	if rules == nil {
		if !top.has("Rules") {
			d.errorf(root, scope{}, "Rules", "is required")
		}
		return f
	}
	if d.bad[rules] {
		return f
	}
	if rules.Kind != yaml.SequenceNode {
		d.errorf(rules, scope{}, "Rules", "want a sequence of rules, got %s", describe(rules))
		return f
	}
	names := map[string]*yaml.Node{}
	for i, n := range rules.Content {
		r := d.rule(n, i+1, names)
		f.Rules = append(f.Rules, r)
	}
	return f
}
