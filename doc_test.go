package rulebridge

import (
	"os"
	"strings"
	"testing"
)

// TestDocProgram checks that the program in doc.go is examples/engine's,
// line for line, and that the output doc.go shows is the one its Example
// checks; so the package documentation cannot drift from code that runs.
func TestDocProgram(t *testing.T) {
	doc := read(t, "doc.go")
	prog := read(t, "examples/engine/main.go")
	i := strings.Index(prog, "package main")
	if i < 0 {
		t.Fatal("examples/engine/main.go: no package clause")
	}
	var block []string
	for _, line := range strings.Split(strings.TrimRight(prog[i:], "\n"), "\n") {
		if line == "" {
			block = append(block, "//")
		} else {
			block = append(block, "//\t"+line)
		}
	}
	if !strings.Contains(doc, strings.Join(block, "\n")+"\n") {
		t.Errorf("doc.go does not show examples/engine/main.go as it is; update the program in doc.go")
	}
	test := read(t, "examples/engine/main_test.go")
	j := strings.Index(test, "// Output:\n")
	if j < 0 {
		t.Fatal("examples/engine/main_test.go: no output")
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(test[j+len("// Output:\n"):]), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "// ") {
			break
		}
		out = append(out, "//\t"+strings.TrimPrefix(line, "// "))
	}
	if len(out) == 0 || !strings.Contains(doc, "// It prints:\n//\n"+strings.Join(out, "\n")+"\n") {
		t.Errorf("doc.go does not show the output that examples/engine's Example checks:\n%s", strings.Join(out, "\n"))
	}
	t.Logf("checked %d program lines and %d output lines", len(block), len(out))
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
