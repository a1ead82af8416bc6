package schema

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"claimgraph/graph"
)

// EdgeBatchReader is implemented by readers that serve many edge queries in
// one pass (one snapshot scan, one round trip to a remote engine). The
// schema reads the nested connections of one level (the quotes of each of
// 100 speakers) and the organisation trees of includeMembers with one call
// to it; with a reader that lacks it, each query is an Edges or CountEdges
// call of its own, made at the same moment.
type EdgeBatchReader interface {
	// EdgesBatch returns, for each query, what Edges returns for it.
	EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error)
	// CountEdgesBatch returns, for each query, what CountEdges returns for
	// it.
	CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error)
}

// edgesMany reads the edges of every query, in one call when r is an
// EdgeBatchReader.
func edgesMany(ctx context.Context, r graph.Reader, qs []graph.EdgeQuery) ([][]graph.Edge, error) {
	if br, ok := r.(EdgeBatchReader); ok {
		return br.EdgesBatch(ctx, qs)
	}
	out, errs := eachQuery(ctx, qs, r.Edges)
	return out, errors.Join(errs...)
}

// countEdgesMany counts the edges of every query, in one call when r is an
// EdgeBatchReader.
func countEdgesMany(ctx context.Context, r graph.Reader, qs []graph.EdgeQuery) ([]int, error) {
	if br, ok := r.(EdgeBatchReader); ok {
		return br.CountEdgesBatch(ctx, qs)
	}
	out, errs := eachQuery(ctx, qs, r.CountEdges)
	return out, errors.Join(errs...)
}

// eachQuery runs read for every query, one call each, and returns the
// results and the errors, by query.
func eachQuery[V any](ctx context.Context, qs []graph.EdgeQuery, read func(context.Context, graph.EdgeQuery) (V, error)) ([]V, []error) {
	out, errs := make([]V, len(qs)), make([]error, len(qs))
	for i, q := range qs {
		out[i], errs[i] = read(ctx, q)
	}
	return out, errs
}

// batchFetch reads a batch of queries: with one call when r is an
// EdgeBatchReader (an error is every query's), one call per query
// otherwise (an error is its query's only).
func batchFetch[V any](ctx context.Context, r graph.Reader, qs []graph.EdgeQuery,
	batch func(EdgeBatchReader, context.Context, []graph.EdgeQuery) ([]V, error),
	one func(context.Context, graph.EdgeQuery) (V, error)) ([]V, []error) {
	if br, ok := r.(EdgeBatchReader); ok {
		vs, err := batch(br, ctx, qs)
		errs := make([]error, len(qs))
		if err == nil && len(vs) != len(qs) {
			err = fmt.Errorf("schema: an edge batch of %d queries returned %d results", len(qs), len(vs))
		}
		if err != nil {
			for i := range errs {
				errs[i] = err
			}
			return make([]V, len(qs)), errs
		}
		return vs, errs
	}
	return eachQuery(ctx, qs, one)
}

// queryID identifies an edge query within a request.
func queryID(q graph.EdgeQuery) string {
	var b strings.Builder
	b.WriteString(q.Key)
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(int(q.Dir)))
	b.WriteByte(0)
	for _, r := range q.Relations {
		b.WriteString(string(r))
		b.WriteByte(',')
	}
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(int(q.Kind)))
	b.WriteByte(0)
	b.WriteString(q.After)
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(q.Limit))
	return b.String()
}

// edgeLoader batches the edge reads of one request as loader batches node
// reads: connection fields register their queries with want (or wantCount)
// while a level resolves, and the first thunk of the level that needs a
// result reads every pending query with one edgesMany (countEdgesMany)
// call.
type edgeLoader struct {
	mu     sync.Mutex
	r      graph.Reader
	edges  *queryBatch[[]graph.Edge]
	counts *queryBatch[int]
}

func newEdgeLoader(r graph.Reader) *edgeLoader {
	return &edgeLoader{
		r:      r,
		edges:  newQueryBatch[[]graph.Edge](),
		counts: newQueryBatch[int](),
	}
}

// want registers q for the next batch of edge reads.
func (l *edgeLoader) want(q graph.EdgeQuery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.edges.want(q)
}

// wantCount registers q for the next batch of counts.
func (l *edgeLoader) wantCount(q graph.EdgeQuery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts.want(q)
}

// get returns the edges of q, reading every pending query first if q's
// were not read yet.
func (l *edgeLoader) get(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.edges.get(ctx, q, func(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, []error) {
		return batchFetch(ctx, l.r, qs, EdgeBatchReader.EdgesBatch, l.r.Edges)
	})
}

// count returns the number of edges q selects (ignoring After and Limit),
// counting every pending query first if q's was not counted yet.
func (l *edgeLoader) count(ctx context.Context, q graph.EdgeQuery) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts.get(ctx, q, func(ctx context.Context, qs []graph.EdgeQuery) ([]int, []error) {
		return batchFetch(ctx, l.r, qs, EdgeBatchReader.CountEdgesBatch, l.r.CountEdges)
	})
}

// queryBatch holds the pending queries and the results of one kind of edge
// read; its owner's lock guards it.
type queryBatch[V any] struct {
	done    map[string]V
	failed  map[string]error
	queued  map[string]bool
	pending []graph.EdgeQuery
}

func newQueryBatch[V any]() *queryBatch[V] {
	return &queryBatch[V]{done: map[string]V{}, failed: map[string]error{}, queued: map[string]bool{}}
}

func (b *queryBatch[V]) want(q graph.EdgeQuery) {
	id := queryID(q)
	if _, ok := b.done[id]; ok || b.queued[id] || b.failed[id] != nil {
		return
	}
	b.queued[id] = true
	b.pending = append(b.pending, q)
}

// get returns the result of q, fetching every pending query first if q's
// was not fetched yet. A query whose fetch failed keeps its error.
func (b *queryBatch[V]) get(ctx context.Context, q graph.EdgeQuery, fetch func(context.Context, []graph.EdgeQuery) ([]V, []error)) (V, error) {
	id := queryID(q)
	var zero V
	if v, ok := b.done[id]; ok {
		return v, nil
	}
	if err := b.failed[id]; err != nil {
		return zero, err
	}
	b.want(q)
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	batch := b.pending
	b.pending, b.queued = nil, map[string]bool{}
	got, errs := fetch(ctx, batch)
	for i, bq := range batch {
		if errs[i] != nil {
			b.failed[queryID(bq)] = errs[i]
		} else {
			b.done[queryID(bq)] = got[i]
		}
	}
	if err := b.failed[id]; err != nil {
		return zero, err
	}
	return b.done[id], nil
}
