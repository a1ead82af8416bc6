package memgraph

import (
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// TestContractReopen runs the suite with a Reopen that hands the state of
// the closed store to a new one, so that the suite's persistence checks run
// here too.
func TestContractReopen(t *testing.T) {
	graphtest.Run(t, graphtest.Opener{
		Open: func(t *testing.T) graph.Store {
			s := New()
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
		Reopen: func(t *testing.T, old graph.Store) graph.Store {
			o := old.(*Store)
			if err := o.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			s := New()
			s.state.Store(o.state.Load())
			s.commits.Store(o.commits.Load())
			return s
		},
	})
}
