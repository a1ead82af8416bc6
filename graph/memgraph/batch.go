package memgraph

import (
	"context"
	"fmt"

	"claimgraph/graph"
)

// EdgesBatch returns, for each query, what Edges returns for it: the
// schema's EdgeBatchReader (claimgraph/schema), satisfied structurally,
// through which the schema reads the nested connections of one GraphQL
// level with one call. The state a reader reads is immutable and in
// memory, so a batch is a loop over Edges: nothing is shared between the
// queries that a call per query would read twice. An error of any query is
// the batch's, naming the query.
func (r *reader) EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error) {
	out := make([][]graph.Edge, len(qs))
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		es, err := r.Edges(ctx, q)
		if err != nil {
			return nil, batchError(i, q, err)
		}
		out[i] = es
	}
	return out, nil
}

// CountEdgesBatch returns, for each query, what CountEdges returns for it,
// as EdgesBatch reads.
func (r *reader) CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error) {
	out := make([]int, len(qs))
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := r.CountEdges(ctx, q)
		if err != nil {
			return nil, batchError(i, q, err)
		}
		out[i] = n
	}
	return out, nil
}

// batchError names the query of a batch that failed; it wraps err.
func batchError(i int, q graph.EdgeQuery, err error) error {
	return fmt.Errorf("edge query %d (key %q): %w", i, q.Key, err)
}
