//go:build race

package export

// raceEnabled is set when the race detector is on: tests then use smaller
// generated graphs, since it slows the exporters tenfold.
const raceEnabled = true
