package store

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// TestAhead checks that the writer gets every prepared node once, in
// order, whoever prepared it, and that stopping early leaves no goroutine
// behind.
func TestAhead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		stopAt int // -1: read all
	}{
		{"empty", 0, -1},
		{"one chunk", aheadChunk - 1, -1},
		{"chunks", 10*aheadChunk + 7, -1},
		{"stop early", 10 * aheadChunk, aheadChunk + 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			a := newAhead(tc.n, func(i int) preparedNode {
				calls.Add(1)
				return preparedNode{rec: []byte(fmt.Sprint(i)), err: errors.New("x")}
			})
			for i := range tc.n {
				if i == tc.stopAt {
					break
				}
				p := a.get(i)
				if string(p.rec) != fmt.Sprint(i) {
					t.Fatalf("get(%d) = %q", i, p.rec)
				}
				if a.out[i].rec != nil {
					t.Fatalf("slot %d kept after get", i)
				}
			}
			a.stop()
			if tc.stopAt < 0 && calls.Load() != int64(tc.n) {
				t.Fatalf("prepared %d times for %d nodes", calls.Load(), tc.n)
			}
			if calls.Load() > int64(tc.n) {
				t.Fatalf("prepared %d times for %d nodes", calls.Load(), tc.n)
			}
		})
	}
}
