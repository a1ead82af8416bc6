package store

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"claimgraph/graph"
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
				c, j := i/aheadChunk, i%aheadChunk
				if out := a.out[c]; out != nil && out[j].rec != nil {
					t.Fatalf("slot %d kept after get", i)
				}
				if j == aheadChunk-1 || i == tc.n-1 {
					if a.out[c] != nil {
						t.Fatalf("chunk %d kept after its last get", c)
					}
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

// TestAheadFacets imports quotes in batches large enough for the ahead
// goroutines, whose sources are in the batch, in the store, or merged
// away: the publisher facet of every quote is its source's publisher as
// it stands after the batch, whoever computed the column; verify agrees.
func TestAheadFacets(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	quotes := func(prefix, source string, n int) []graph.Node {
		var out []graph.Node
		for i := range n {
			out = append(out, &graph.Quote{Key: fmt.Sprintf("%s-%d", prefix, i), Text: fmt.Sprintf("Words number %d were said.", i), Source: source})
		}
		return out
	}
	org := func(k string) *graph.Organisation { return &graph.Organisation{Key: k, Name: "Org " + k} }
	src := func(k, pub string) *graph.Source { return &graph.Source{Key: k, Kind: "article", Publisher: pub} }
	apply := func(b *graph.Batch) {
		t.Helper()
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// 1: sources and quotes in one batch (the goroutines resolve them).
	apply(&graph.Batch{Nodes: append([]graph.Node{org("o-a"), org("o-b"), src("s-a", "o-a")}, quotes("qa", "s-a", 3*aheadChunk)...)})
	// 2: quotes of a stored source (the writer resolves them).
	apply(&graph.Batch{Nodes: quotes("qb", "s-a", 3*aheadChunk)})
	// 3: a stored source's publisher changes in the batch that adds quotes.
	apply(&graph.Batch{Nodes: append([]graph.Node{src("s-a", "o-b")}, quotes("qc", "s-a", 3*aheadChunk)...)})
	count := func(pub string) int {
		var total int
		err := s.View(ctx, func(r graph.Reader) error {
			p, err := r.(graph.Selector).Select(ctx, graph.Selection{Kind: graph.KindQuote, Count: true,
				Facets: []graph.FacetFilter{{Facet: graph.FacetPublisher, Values: []string{pub}}}})
			total = p.Total
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return total
	}
	if a, b := count("o-a"), count("o-b"); a != 0 || b != 9*aheadChunk {
		t.Fatalf("quotes by publisher: o-a %d, o-b %d; want 0 and %d", a, b, 9*aheadChunk)
	}
	// 4: once the store holds a merge, the writer resolves every column.
	apply(&graph.Batch{Merges: []graph.Merge{{Into: "o-a", Keys: []string{"o-b"}}}})
	apply(&graph.Batch{Nodes: append([]graph.Node{src("s-b", "o-b")}, quotes("qd", "s-b", 3*aheadChunk)...)})
	// A filter on a merged key reads as the key it resolves to; verify
	// checks that every stored column holds the resolved key.
	if a, b := count("o-a"), count("o-b"); a != 12*aheadChunk || b != a {
		t.Fatalf("after the merge: o-a %d, o-b %d; want %d for both", a, b, 12*aheadChunk)
	}
	rep, err := s.Verify(ctx, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("verify: %v", rep.Problems)
	}
}
