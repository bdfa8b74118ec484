package main

// The program's output, checked by go test. The root package's tests check
// that doc.go shows this very program, so the two cannot drift.
func Example() {
	main()
	// Output:
	// alert got {"order":1,"total":250.0}
	// 1 of 2 events matched
}
