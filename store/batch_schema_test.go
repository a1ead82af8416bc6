package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/schema"
	"claimgraph/store"
)

// The schema reads the nested connections of a GraphQL level with one
// call when the reader is a schema.EdgeBatchReader. schema never imports
// store, so the store satisfies the interface structurally; these tests
// check it against the real interface, end to end through the schema.

// levelCalls wraps a store so that its readers count edge reads: one call
// per query (Edges, CountEdges) or per batch, the batches served by the
// store's own reader, with no fallback.
type levelCalls struct {
	graph.Store
	mu sync.Mutex
	n  map[string]int
}

func (s *levelCalls) add(m string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n[m]++
}

func (s *levelCalls) View(ctx context.Context, fn func(graph.Reader) error) error {
	return s.Store.View(ctx, func(r graph.Reader) error {
		br, ok := r.(schema.EdgeBatchReader)
		if !ok {
			return fmt.Errorf("the reader %T of the store is not a schema.EdgeBatchReader", r)
		}
		return fn(&levelReader{Reader: r, br: br, s: s})
	})
}

type levelReader struct {
	graph.Reader
	br schema.EdgeBatchReader
	s  *levelCalls
}

func (r *levelReader) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	r.s.add("Edges")
	return r.Reader.Edges(ctx, q)
}

func (r *levelReader) CountEdges(ctx context.Context, q graph.EdgeQuery) (int, error) {
	r.s.add("CountEdges")
	return r.Reader.CountEdges(ctx, q)
}

func (r *levelReader) EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error) {
	r.s.add("EdgesBatch")
	return r.br.EdgesBatch(ctx, qs)
}

func (r *levelReader) CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error) {
	r.s.add("CountEdgesBatch")
	return r.br.CountEdgesBatch(ctx, qs)
}

// oneByOne hides the batch methods of a store's readers: the schema then
// makes one Edges or CountEdges call per edge query.
type oneByOne struct{ graph.Store }

func (s oneByOne) View(ctx context.Context, fn func(graph.Reader) error) error {
	return s.Store.View(ctx, func(r graph.Reader) error { return fn(struct{ graph.Reader }{r}) })
}

// nestedBatch holds 100 quotes by 20 people in 10 sources of 5 outlets;
// each person is affiliated with an outlet.
func nestedBatch() *graph.Batch {
	b := &graph.Batch{By: "test"}
	for i := range 5 {
		b.Nodes = append(b.Nodes, &graph.Organisation{Key: fmt.Sprintf("desk-%d", i), Name: fmt.Sprintf("Desk %d", i), Kind: "media"})
	}
	for i := range 20 {
		b.Nodes = append(b.Nodes, &graph.Person{Key: fmt.Sprintf("voice-%02d", i), Name: fmt.Sprintf("Voice %02d", i),
			Affiliations: []graph.Affiliation{{Organisation: fmt.Sprintf("desk-%d", i%5), Role: "editor"}}})
	}
	for i := range 10 {
		b.Nodes = append(b.Nodes, &graph.Source{Key: fmt.Sprintf("sheet-%02d", i), Kind: "article",
			Title: fmt.Sprintf("Sheet %02d", i), Publisher: fmt.Sprintf("desk-%d", i%5)})
	}
	for i := range 100 {
		b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("remark-%03d", i), Text: fmt.Sprintf("the tide turned %d times", i),
			Speaker: fmt.Sprintf("voice-%02d", i%20), Source: fmt.Sprintf("sheet-%02d", i%10)})
	}
	return b
}

// TestSchemaReadsLevelsWithStoreBatches runs a query with nested
// connections (the quotes of each quote's speaker, their totalCount)
// through the schema over the Badger store in memory: the store's reader
// is a schema.EdgeBatchReader, the whole request makes one EdgesBatch and
// one CountEdgesBatch call and no Edges or CountEdges call, at 10 quotes
// as at 100, and the answer equals the one read with a call per query.
func TestSchemaReadsLevelsWithStoreBatches(t *testing.T) {
	st, err := store.Open(t.Context(), store.SmallOptions(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Apply(t.Context(), nestedBatch()); err != nil {
		t.Fatal(err)
	}
	s, err := schema.New(schema.Config{})
	if err != nil {
		t.Fatal(err)
	}
	lc := &levelCalls{Store: st}
	batched := schema.NewHandler(s, lc, schema.HandlerConfig{}, zerolog.Nop())
	plain := schema.NewHandler(s, oneByOne{st}, schema.HandlerConfig{}, zerolog.Nop())
	post := func(h http.Handler, n int) []byte {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"variables": map[string]any{"n": n},
			"query": `query($n: Int) { quotes(first: $n) { totalCount edges { node { id
				speaker { name ... on Person { affiliations { organisation { name } } }
					quotes(first: 4) { totalCount edges { node { id source { title } } } } } } } } }`})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var res struct {
			Errors []any
			Data   struct {
				Quotes struct {
					Edges []struct {
						Node struct {
							Speaker struct {
								Quotes struct {
									TotalCount int
									Edges      []any
								}
							}
						}
					}
				}
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != http.StatusOK || len(res.Errors) > 0 {
			t.Fatalf("status %d, %v: %s", rec.Code, err, rec.Body.Bytes())
		}
		if es := res.Data.Quotes.Edges; len(es) != n || es[n-1].Node.Speaker.Quotes.TotalCount != 5 || len(es[n-1].Node.Speaker.Quotes.Edges) != 4 {
			t.Fatalf("unexpected answer: %.600s", rec.Body.Bytes())
		}
		return rec.Body.Bytes()
	}
	for _, n := range []int{10, 100} {
		lc.n = map[string]int{}
		got := post(batched, n)
		if want := post(plain, n); !bytes.Equal(got, want) {
			t.Errorf("%d quotes: with the store's batches\n%.600s\nwith a call per query\n%.600s", n, got, want)
		}
		t.Logf("%d quotes: edge reads %v", n, lc.n)
		want := map[string]int{"EdgesBatch": 1, "CountEdgesBatch": 1}
		if fmt.Sprint(lc.n) != fmt.Sprint(want) {
			t.Errorf("%d quotes: edge reads %v, want %v", n, lc.n, want)
		}
	}
}
