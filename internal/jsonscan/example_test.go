package jsonscan_test

import (
	"fmt"

	"github.com/rulebridge/rulebridge/internal/jsonscan"
)

// A Lexer returns tokens one at a time; Text decodes names and strings.
// Errors are worded as Jackson words them, with the offset.
func ExampleNewLexer() {
	l := jsonscan.NewLexer([]byte(`{"state": ["running", 3] "x"}`))
	for {
		tok, err := l.Next()
		if err != nil {
			fmt.Printf("error at %d: %v\n", err.(*jsonscan.SyntaxError).Offset, err)
			return
		}
		if tok.Kind == jsonscan.EOF {
			return
		}
		text, _ := l.Text()
		fmt.Println(tok.Kind, text)
	}
	// Output:
	// { {
	// field name state
	// [ [
	// string running
	// number 3
	// ] ]
	// error at 25: Unexpected character ('"' (code 34)): was expecting comma to separate Object entries
}
