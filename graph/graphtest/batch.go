package graphtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"claimgraph/graph"
)

// edgeBatchReader is the method set of the schema's EdgeBatchReader
// (claimgraph/schema), copied here because graphtest imports only graph:
// readers that serve many edge queries in one call.
type edgeBatchReader interface {
	EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error)
	CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error)
}

// TestEdgeBatch checks a store whose readers serve batches of edge queries
// (the schema's EdgeBatchReader: EdgesBatch and CountEdgesBatch): the
// readers of View and ViewAt must have the two methods, and for a table of
// queries (every node of the sample story, a merged key and a missing one;
// both directions; no, one, several and repeated relations; with and
// without a kind; limits; every cursor of each result) each answer of a
// batch equals what Edges or CountEdges answers for the query alone, in
// the same snapshot, in one batch, in batches of 1, 2 and 7 queries (the
// first 300) and from several goroutines at once. A batch holding a query
// that fails alone fails, with an error wrapping graph.ErrInvalid when the
// query's own does; an empty batch answers nothing.
//
// open returns a new, empty store, as for TestStore.
func TestEdgeBatch(t *testing.T, open func(t *testing.T) graph.Store) {
	s := open(t)
	t.Cleanup(func() { s.Close() })
	apply(t, s, SampleBatch())
	before := apply(t, s, mergeBatch()).At
	apply(t, s, &graph.Batch{By: "graphtest", Retracts: []graph.Retract{{
		Link: &graph.LinkID{From: "p-dup", Relation: graph.RelContext, To: "c-ferry-safe"}, Reason: "wrong claim"}}})
	apply(t, s, &graph.Batch{By: "graphtest", Merges: []graph.Merge{{Keys: []string{"p-dup"}, Into: "p-alvarez"}}})

	keys := []string{"p-dup", "k-missing"}
	for _, b := range []*graph.Batch{SampleBatch(), mergeBatch()} {
		for _, n := range b.Nodes {
			keys = append(keys, n.NodeKey())
		}
	}
	t.Run("View", func(t *testing.T) {
		read(t, s, func(ctx context.Context, r graph.Reader) error {
			checkEdgeBatch(t, ctx, r, keys)
			return nil
		})
	})
	t.Run("ViewAt", func(t *testing.T) {
		viewAt(t, s, before, func(ctx context.Context, r graph.Reader) error {
			checkEdgeBatch(t, ctx, r, keys)
			return nil
		})
	})
}

// batchQueries returns the table of queries over keys: every base query
// with its answer from Edges, then its limited and cursor variants.
func batchQueries(t *testing.T, ctx context.Context, r graph.Reader, keys []string) []graph.EdgeQuery {
	t.Helper()
	relSets := [][]graph.Relation{
		nil,
		{graph.RelSpeaker},
		{graph.RelSource, graph.RelSpeaker},
		{graph.RelSupports, graph.RelContradicts, graph.RelRespondsTo},
		{graph.RelContext, graph.RelSameAs, graph.RelAffiliation},
		{graph.RelDerivedFrom, graph.RelDerivedFrom},
	}
	kinds := []graph.Kind{0, graph.KindPerson, graph.KindSource}
	var qs []graph.EdgeQuery
	nonEmpty := 0
	for _, key := range keys {
		for _, dir := range []graph.Direction{graph.Out, graph.In} {
			for _, rels := range relSets {
				for _, k := range kinds {
					base := graph.EdgeQuery{Key: key, Dir: dir, Relations: rels, Kind: k}
					all, err := r.Edges(ctx, base)
					if err != nil {
						t.Fatalf("Edges(%s): %v", queryString(base), err)
					}
					qs = append(qs, base)
					if len(all) == 0 {
						continue
					}
					nonEmpty++
					for _, limit := range []int{1, 2} {
						q := base
						q.Limit = limit
						qs = append(qs, q)
					}
					for _, e := range all {
						for _, limit := range []int{0, 1} {
							q := base
							q.After, q.Limit = otherEnd(e, dir), limit
							qs = append(qs, q)
						}
					}
				}
			}
		}
	}
	if nonEmpty < 50 {
		t.Fatalf("only %d of the base queries select edges: the table tests little", nonEmpty)
	}
	return qs
}

// checkEdgeBatch runs the checks of TestEdgeBatch in one snapshot.
func checkEdgeBatch(t *testing.T, ctx context.Context, r graph.Reader, keys []string) {
	t.Helper()
	br, ok := r.(edgeBatchReader)
	if !ok {
		t.Fatalf("the reader %T has no EdgesBatch and CountEdgesBatch", r)
	}
	qs := batchQueries(t, ctx, r, keys)
	want := make([][]string, len(qs))
	wantN := make([]int, len(qs))
	for i, q := range qs {
		es, err := r.Edges(ctx, q)
		if err != nil {
			t.Fatalf("Edges(%s): %v", queryString(q), err)
		}
		want[i] = edgeStrings(es)
		if wantN[i], err = r.CountEdges(ctx, q); err != nil {
			t.Fatalf("CountEdges(%s): %v", queryString(q), err)
		}
	}
	var mu sync.Mutex
	reported := 0
	report := func() bool { // whether to report one more mismatch
		mu.Lock()
		defer mu.Unlock()
		reported++
		if reported == 11 {
			t.Errorf("more mismatches not shown")
		}
		return reported <= 10
	}
	check := func(what string, from int, got [][]graph.Edge, gotN []int) {
		t.Helper()
		for i, es := range got {
			if g := edgeStrings(es); !slices.Equal(g, want[from+i]) && report() {
				t.Errorf("%s: EdgesBatch answers query %d (%s) with\n  %s\nwant what Edges answers:\n  %s",
					what, from+i, queryString(qs[from+i]), strings.Join(g, "\n  "), strings.Join(want[from+i], "\n  "))
			}
		}
		for i, n := range gotN {
			if n != wantN[from+i] && report() {
				t.Errorf("%s: CountEdgesBatch answers query %d (%s) with %d, CountEdges with %d",
					what, from+i, queryString(qs[from+i]), n, wantN[from+i])
			}
		}
	}
	run := func(what string, n, size int) {
		t.Helper()
		for from := 0; from < n; from += size {
			part := qs[from:min(n, from+size)]
			got, err := br.EdgesBatch(ctx, part)
			if err != nil {
				t.Fatalf("%s: EdgesBatch of queries %d to %d: %v", what, from, from+len(part)-1, err)
			}
			gotN, err := br.CountEdgesBatch(ctx, part)
			if err != nil {
				t.Fatalf("%s: CountEdgesBatch of queries %d to %d: %v", what, from, from+len(part)-1, err)
			}
			if len(got) != len(part) || len(gotN) != len(part) {
				t.Fatalf("%s: %d queries got %d edge lists and %d counts", what, len(part), len(got), len(gotN))
			}
			check(what, from, got, gotN)
		}
	}
	run(fmt.Sprintf("one batch of %d", len(qs)), len(qs), len(qs))
	for _, size := range []int{1, 2, 7} {
		run(fmt.Sprintf("batches of %d", size), min(len(qs), 300), size)
	}

	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			got, err := br.EdgesBatch(ctx, qs)
			gotN, err2 := br.CountEdgesBatch(ctx, qs)
			if err = errors.Join(err, err2); err != nil {
				t.Errorf("goroutine %d: %v", g, err)
				return
			}
			check(fmt.Sprintf("goroutine %d", g), 0, got, gotN)
		})
	}
	wg.Wait()

	if got, err := br.EdgesBatch(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("EdgesBatch(no queries) = %v, %v; want nothing", got, err)
	}
	if got, err := br.CountEdgesBatch(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("CountEdgesBatch(no queries) = %v, %v; want nothing", got, err)
	}

	// Queries that may fail alone (each store decides which it refuses:
	// a cursor that is not an edge of the query, a direction, relation or
	// kind that does not exist) amid good ones: the batch fails exactly
	// when one of its queries fails alone.
	good := qs[:min(len(qs), 20)]
	failed := 0
	for _, odd := range []graph.EdgeQuery{
		{Key: "q-post", Dir: graph.Out, After: "k-missing"},
		{Key: "q-post", Dir: graph.Out, Relations: []graph.Relation{graph.RelSpeaker}, After: "s-post"},
		{Key: "k-missing", Dir: graph.In, After: "q-post"},
		{Key: "q-post", Dir: 0},
		{Key: "q-post", Dir: graph.Out, Relations: []graph.Relation{"no_such_relation"}},
		{Key: "q-post", Dir: graph.Out, Kind: graph.Kind(99)},
	} {
		batch := slices.Concat(good, []graph.EdgeQuery{odd}, good)
		es, alone := r.Edges(ctx, odd)
		got, err := br.EdgesBatch(ctx, batch)
		switch {
		case alone != nil && err == nil:
			t.Errorf("EdgesBatch with %s succeeds; alone it fails: %v", queryString(odd), alone)
		case alone != nil && errors.Is(alone, graph.ErrInvalid) && !errors.Is(err, graph.ErrInvalid):
			t.Errorf("EdgesBatch with %s: %v, not wrapping graph.ErrInvalid as %v does", queryString(odd), err, alone)
		case alone == nil && err != nil:
			t.Errorf("EdgesBatch with %s: %v; alone it succeeds", queryString(odd), err)
		case alone == nil && !slices.Equal(edgeStrings(got[len(good)]), edgeStrings(es)):
			t.Errorf("EdgesBatch with %s: %v; alone %v", queryString(odd), edgeStrings(got[len(good)]), edgeStrings(es))
		}
		if alone != nil {
			failed++
		}
		n, alone := r.CountEdges(ctx, odd)
		gotN, err := br.CountEdgesBatch(ctx, batch)
		switch {
		case alone != nil && err == nil:
			t.Errorf("CountEdgesBatch with %s succeeds; alone it fails: %v", queryString(odd), alone)
		case alone == nil && err != nil:
			t.Errorf("CountEdgesBatch with %s: %v; alone it counts %d", queryString(odd), err, n)
		case alone == nil && gotN[len(good)] != n:
			t.Errorf("CountEdgesBatch with %s counts %d; alone %d", queryString(odd), gotN[len(good)], n)
		}
	}
	if failed < 4 {
		t.Errorf("only %d of the odd queries fail alone: cursors outside the query and a missing direction must", failed)
	}
}

// queryString renders an edge query for messages.
func queryString(q graph.EdgeQuery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "key=%q dir=%d", q.Key, q.Dir)
	if len(q.Relations) > 0 {
		fmt.Fprintf(&b, " rel=%v", q.Relations)
	}
	if q.Kind != 0 {
		fmt.Fprintf(&b, " kind=%v", q.Kind)
	}
	if q.After != "" {
		fmt.Fprintf(&b, " after=%q", q.After)
	}
	if q.Limit != 0 {
		fmt.Fprintf(&b, " limit=%d", q.Limit)
	}
	return b.String()
}
