package graph

// SetParallelNodes sets parallelNodes for a test and returns the function
// that restores it.
func SetParallelNodes(n int) func() {
	prev := parallelNodes
	parallelNodes = n
	return func() { parallelNodes = prev }
}
