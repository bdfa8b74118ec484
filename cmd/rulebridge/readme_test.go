package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// A fence is a fenced block of README.md.
type fence struct {
	info  string   // the word after the opening ```
	lines []string // its content
	line  int      // the line number of its first content line
}

// readmeFences returns the fenced blocks of a Markdown text.
func readmeFences(text string) []fence {
	var fences []fence
	var cur *fence
	for i, l := range strings.Split(text, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &fence{info: strings.TrimPrefix(l, "```"), line: i + 2}
		case cur != nil && l == "```":
			fences = append(fences, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, l)
		}
	}
	return fences
}

// readmeCommand is a command the README shows, with the output it shows
// for it, if any.
type readmeCommand struct {
	line int
	cmd  string
	want []string // nil when the README shows no output
}

var inlineCommandRE = regexp.MustCompile("`(go [^`]+)`")

// readmeCommands returns every command in README.md: each line of a ```sh
// block (followed by its output when the next block is ```text), and
// every inline code span that starts with "go ".
func readmeCommands(t *testing.T, text string) []readmeCommand {
	t.Helper()
	var cmds []readmeCommand
	fences := readmeFences(text)
	for i, f := range fences {
		if f.info != "sh" {
			continue
		}
		var want []string
		if i+1 < len(fences) && fences[i+1].info == "text" {
			if len(f.lines) != 1 {
				t.Fatalf("README.md:%d: a ```sh block followed by output must hold one command", f.line)
			}
			want = fences[i+1].lines
		}
		for j, l := range f.lines {
			cmds = append(cmds, readmeCommand{line: f.line + j, cmd: l, want: want})
		}
	}
	for i, l := range strings.Split(text, "\n") {
		for _, m := range inlineCommandRE.FindAllStringSubmatch(l, -1) {
			cmds = append(cmds, readmeCommand{line: i + 1, cmd: m[1]})
		}
	}
	return cmds
}

// shellWords splits a command line as a POSIX shell does for the simple
// commands the README holds: words separated by spaces, with '...'
// quoting. Anything fancier is refused.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	if strings.ContainsAny(line, "\"\\$`|&;<>*") && !strings.Contains(line, "'") {
		t.Fatalf("%q: the README test only runs simple commands", line)
	}
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("%q: unterminated quote", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// varying matches what changes from run to run in the quickstart's output:
// event ids, times and backoff delays.
var varying = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z|delay=[0-9.]+(ns|µs|ms|s)`)

// normalized returns the lines with what varies replaced, sorted.
func normalized(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = varying.ReplaceAllString(l, "<varies>")
	}
	slices.Sort(out)
	return out
}

// TestReadme runs every command README.md shows, in order, and compares
// the output it shows. The rulebridge commands run in-process, in a copy
// of the examples (so the files they write stay out of the repository);
// the output of "run --events" (concurrent, with ids and times) is
// compared line by line in any order, with ids, times and delays masked;
// "run --listen" is stopped as by SIGINT once it listens (on a free port
// rather than the README's, which may be taken). The test command is run
// by .ci/run, which takes it from README.md; this test checks that .ci/run
// does so. The benchmark command runs once per benchmark (-benchtime 1x).
func TestReadme(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme := readFile(t, filepath.Join(root, "README.md"))
	ci := readFile(t, filepath.Join(root, ".ci", "run"))
	cmds := readmeCommands(t, readme)

	// The first two commands: the main command and the test command, each
	// the single line of the block after its marker.
	for i, marker := range []string{"<!-- main-command -->", "<!-- test-command -->"} {
		j := strings.Index(readme, marker+"\n```sh\n")
		if j < 0 || i >= len(cmds) || !strings.HasPrefix(readme[j+len(marker)+7:], cmds[i].cmd+"\n```\n") {
			t.Fatalf("README.md: %s is not followed by a ```sh block holding command %d", marker, i+1)
		}
	}
	// The README shows the two commands together, then the main command's
	// output: the first ```text block.
	for _, f := range readmeFences(readme) {
		if f.info == "text" {
			cmds[0].want = f.lines
			break
		}
	}
	if cmds[1].cmd != "go test -race -count=1 ./..." || !strings.Contains(ci, `sed -n '/<!-- test-command -->/{n;n;p;}' README.md`) ||
		!strings.Contains(ci, `eval "$test_cmd"`) {
		t.Fatalf("the test command %q is not the one .ci/run runs", cmds[1].cmd)
	}

	dir := t.TempDir()
	for _, ex := range []string{"quickstart", "patterns"} {
		copyExample(t, dir, ex)
	}
	t.Chdir(dir)
	ran := 0
	for _, c := range cmds {
		var out, errs string
		var code int
		words := shellWords(t, c.cmd)
		switch {
		case c.cmd == cmds[1].cmd:
			continue // run by .ci/run, checked above
		case len(words) > 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/rulebridge":
			out, errs, code = runReadmeCommand(t, words[3:])
		case len(words) == 2 && words[0] == "cat":
			out = readFile(t, words[1])
		case len(words) > 2 && words[0] == "go" && words[1] == "test" && slices.Contains(words, "-bench"):
			cmd := exec.Command(words[0], append(words[1:], "-benchtime", "1x")...)
			cmd.Dir = root
			b, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(b), "\nPASS\n") {
				t.Errorf("README.md:%d: %s -benchtime 1x: %v\n%s", c.line, c.cmd, err, b)
			}
			ran++
			continue
		default:
			t.Errorf("README.md:%d: %q is run by no test: teach TestReadme to run it", c.line, c.cmd)
			continue
		}
		ran++
		wantCode := 0
		if len(c.want) > 0 && c.want[0] == "no match" {
			wantCode = 1 // test-pattern's answer
		}
		if code != wantCode {
			t.Errorf("README.md:%d: %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", c.line, c.cmd, code, wantCode, out, errs)
		}
		if c.want == nil {
			continue
		}
		got := lines(out + errs)
		want := c.want
		if slices.Contains(words, "--events") || words[0] == "cat" {
			got, want = normalized(got), normalized(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("README.md:%d: %s printed\n%s\nthe README shows\n%s", c.line, c.cmd, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	t.Logf("%d README commands: %d run here, 1 (the test command) by .ci/run", len(cmds), ran)
}

// runReadmeCommand runs rulebridge with args in-process. A run --listen is
// given a free port, and stopped once it listens.
func runReadmeCommand(t *testing.T, args []string) (string, string, int) {
	t.Helper()
	i := slices.Index(args, "--listen")
	if args[0] != "run" || i < 0 || i+1 >= len(args) {
		return runCLI(t, "", args...)
	}
	args = slices.Clone(args)
	args[i+1] = "127.0.0.1:0"
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	w := new(watchBuffer)
	r := startCLI(ctx, strings.NewReader(""), w, args...)
	select {
	case <-w.when("listening on http://"):
		stop()
		return r.out.String(), w.String(), <-r.code
	case code := <-r.code:
		return r.out.String(), w.String(), code
	case <-time.After(time.Minute):
		stop()
		t.Fatalf("%v did not listen within a minute:\n%s", args, w.String())
	}
	return "", "", 0
}

// TestReadmeProgram checks that the Go program README.md shows is
// examples/engine's, line for line, and that the output shown is the one
// its Example checks.
func TestReadmeProgram(t *testing.T) {
	root := filepath.Join("..", "..")
	fences := readmeFences(readFile(t, filepath.Join(root, "README.md")))
	i := slices.IndexFunc(fences, func(f fence) bool { return f.info == "go" })
	if i < 0 || i+1 >= len(fences) || fences[i+1].info != "text" {
		t.Fatal("README.md has no ```go block followed by its output")
	}
	prog := readFile(t, filepath.Join(root, "examples", "engine", "main.go"))
	j := strings.Index(prog, "package main")
	if j < 0 || strings.Join(fences[i].lines, "\n") != strings.TrimRight(prog[j:], "\n") {
		t.Errorf("README.md:%d: the program is not examples/engine/main.go from its package clause on", fences[i].line)
	}
	test := readFile(t, filepath.Join(root, "examples", "engine", "main_test.go"))
	k := strings.Index(test, "// Output:\n")
	if k < 0 {
		t.Fatal("examples/engine/main_test.go: no output")
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(test[k+len("// Output:\n"):]), "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "// ") {
			break
		}
		want = append(want, strings.TrimPrefix(l, "// "))
	}
	if !slices.Equal(fences[i+1].lines, want) {
		t.Errorf("README.md:%d: output %q, but the Example checks %q", fences[i+1].line, fences[i+1].lines, want)
	}
}

// TestReadmeNoStrayFiles checks the files the README's commands write in
// the examples are ignored by git, should a reader run them in place.
func TestReadmeNoStrayFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	ignore := readFile(t, filepath.Join(root, ".gitignore"))
	for _, p := range []string{"examples/quickstart/dlq.jsonl", "examples/audit-alerts/alerts-dlq.jsonl", "examples/webhook/webhook-dlq.jsonl"} {
		matched := false
		for _, pat := range lines(ignore) {
			if ok, _ := filepath.Match(pat, p); ok {
				matched = true
			}
		}
		if !matched {
			t.Errorf(".gitignore does not ignore %s", p)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "examples", "quickstart", "rules.yaml")); err != nil {
		t.Fatal(err)
	}
}
