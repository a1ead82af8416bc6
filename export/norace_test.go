//go:build !race

package export

// raceEnabled is set when the race detector is on.
const raceEnabled = false
