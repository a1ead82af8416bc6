package memgraph

import (
	"context"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// The schema's EdgeBatchReader (claimgraph/schema, which memgraph must not
// import), copied: the reader View hands out satisfies it.
var _ interface {
	EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error)
	CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error)
} = (*reader)(nil)

func TestEdgeBatch(t *testing.T) {
	graphtest.TestEdgeBatch(t, func(t *testing.T) graph.Store { return New() })
}
