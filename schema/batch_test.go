package schema

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// The counting wrapper of helpers_test.go (countingReader) batches by
// itself: its EdgesBatch falls back to one Edges call per query when the
// store underneath cannot batch, so tests through it show that the schema
// batches, not that a store does. The tests here check the stores.

// storeBatches wraps a store so that its readers count their calls and
// pass the batch methods to the store's own reader, with no fallback: a
// View of a store whose reader is not an EdgeBatchReader fails.
type storeBatches struct {
	graph.Store
	calls *calls
}

func (s *storeBatches) View(ctx context.Context, fn func(graph.Reader) error) error {
	return s.Store.View(ctx, func(r graph.Reader) error {
		br, ok := r.(EdgeBatchReader)
		if !ok {
			return fmt.Errorf("the reader %T of %T is not an EdgeBatchReader", r, s.Store)
		}
		cr := &countingReader{HistoryReader: r, r: r, s: &countingStore{Store: s.Store, calls: s.calls}}
		return fn(&storeBatchReader{countingReader: cr, br: br})
	})
}

// storeBatchReader counts like countingReader and serves the batches with
// the store's reader.
type storeBatchReader struct {
	*countingReader
	br EdgeBatchReader
}

func (s *storeBatchReader) EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error) {
	s.count("EdgesBatch")
	return s.br.EdgesBatch(ctx, qs)
}

func (s *storeBatchReader) CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error) {
	s.count("CountEdgesBatch")
	return s.br.CountEdgesBatch(ctx, qs)
}

// perQuery hides the batch methods of a store's readers: the schema then
// reads each edge query with an Edges or CountEdges call of its own.
type perQuery struct{ graph.Store }

func (s perQuery) View(ctx context.Context, fn func(graph.Reader) error) error {
	return s.Store.View(ctx, func(r graph.Reader) error { return fn(struct{ graph.Reader }{r}) })
}

// TestMemgraphIsEdgeBatchReader: memgraph's readers (of View and ViewAt)
// take the batched path. Its reader type is unexported, so the check is on
// the values View hands out; memgraph's own tests hold the compile-time
// check against a copy of the interface.
func TestMemgraphIsEdgeBatchReader(t *testing.T) {
	st := memgraph.New()
	if _, err := st.Apply(t.Context(), &graph.Batch{By: "test", Nodes: []graph.Node{&graph.Person{Key: "p-one", Name: "One"}}}); err != nil {
		t.Fatal(err)
	}
	check := func(r graph.Reader) error {
		if _, ok := r.(EdgeBatchReader); !ok {
			t.Errorf("the reader %T is not an EdgeBatchReader", r)
		}
		return nil
	}
	if err := st.View(t.Context(), check); err != nil {
		t.Fatal(err)
	}
	if err := st.ViewAt(t.Context(), goldenTime, check); err != nil {
		t.Fatal(err)
	}
}

// TestNestedListsAreBatchedByTheStore is TestNestedListsAreBatched with
// the batches served by memgraph's own EdgesBatch and CountEdgesBatch (no
// per-query fallback in between): one call of each per level, no more at
// 100 quotes than at 10, no Edges or CountEdges call; and the answers equal
// those read with one store call per edge query.
func TestNestedListsAreBatchedByTheStore(t *testing.T) {
	st := nestedStore(t)
	bs := &storeBatches{Store: st, calls: &calls{}}
	batched := newServer(t, bs, HandlerConfig{})
	plain := newServer(t, perQuery{st}, HandlerConfig{})
	const q = `query($n: Int) { quotes(first: $n) { totalCount edges { node { id
		speaker { name ... on Person { affiliations { organisation { name } } }
			quotes(first: 5) { totalCount edges { node { id source { title publisher { name } } } } } }
		source { title publisher { name } } } } } }`
	counts := map[int]map[string]int{}
	for _, n := range []int{10, 100} {
		bs.calls.reset()
		vars := map[string]interface{}{"n": n}
		got := batched.post(t, q, vars, acceptGQL)
		d := got.data(t)
		if edges := dig(t, d, "quotes", "edges").([]interface{}); len(edges) != n {
			t.Fatalf("%d edges, want %d", len(edges), n)
		}
		nested := dig(t, d, "quotes", "edges", n-1, "node", "speaker", "quotes")
		if dig(t, nested, "totalCount") != float64(5) || len(idsOf(t, nested)) != 5 {
			t.Errorf("the last speaker's quotes: %v", nested)
		}
		want := plain.post(t, q, vars, acceptGQL)
		want.data(t)
		if !bytes.Equal(got.raw, want.raw) {
			t.Errorf("at %d quotes, batched by the store:\n%s\nwith one call per edge query:\n%s", n, truncate(string(got.raw), 600), truncate(string(want.raw), 600))
		}
		counts[n] = map[string]int{}
		for m, c := range bs.calls.n {
			counts[n][m] = c
		}
	}
	t.Logf("store calls at 10 quotes: %v; at 100: %v", counts[10], counts[100])
	for m, c := range counts[100] {
		if c > counts[10][m] {
			t.Errorf("%d %s calls at 100 quotes, %d at 10: calls grow with the nodes", c, m, counts[10][m])
		}
		if limit := map[string]int{"Select": 1, "EdgesBatch": 1, "CountEdgesBatch": 1, "Nodes": 4}[m]; c > limit {
			t.Errorf("%d %s calls for 100 quotes, want at most %d", c, m, limit)
		}
	}
	for _, m := range []string{"EdgesBatch", "CountEdgesBatch"} {
		if counts[100][m] != 1 {
			t.Errorf("%d %s calls, want 1: the nested connections were not read by the store's batch", counts[100][m], m)
		}
	}
}
