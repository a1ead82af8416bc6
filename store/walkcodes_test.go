package store

import (
	"fmt"
	"slices"
	"testing"

	"claimgraph/graph"
)

// TestEdgesSkipRelationsNotAsked asks for two relations of a node that has
// many edges of a relation in between (a person who is the speaker of
// quotes, what claims are about, and who stated 30 figures: codes 01, 0c
// and 09): the one range scan skips the figures (seeking past them after
// 16) and answers what a query per relation answers, in order.
func TestEdgesSkipRelationsNotAsked(t *testing.T) {
	for _, cache := range []int64{-1, 0} {
		t.Run(fmt.Sprintf("cache %d", cache), func(t *testing.T) {
			s := testOpen(t, Options{InMemory: true, ReadCacheSize: cache})
			b := &graph.Batch{By: "test", Nodes: []graph.Node{
				&graph.Person{Key: "p-x", Name: "X"},
				&graph.Source{Key: "s-1", Kind: "article", Title: "One"},
				&graph.Claim{Key: "c-1", Text: "first", About: []string{"p-x"}},
				&graph.Claim{Key: "c-2", Text: "second", About: []string{"p-x"}},
			}}
			for i := range 3 {
				b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("q-%d", i), Text: "words", Speaker: "p-x", Source: "s-1"})
			}
			for i := range 30 {
				b.Nodes = append(b.Nodes, &graph.Figure{Key: fmt.Sprintf("f-%02d", i), Value: float64(i), Unit: "u", StatedBy: "p-x", Source: "s-1"})
			}
			if _, err := s.Apply(t.Context(), b); err != nil {
				t.Fatal(err)
			}
			err := s.View(t.Context(), func(r graph.Reader) error {
				var want []graph.Edge
				for _, rel := range []graph.Relation{graph.RelSpeaker, graph.RelAbout} {
					es, err := r.Edges(t.Context(), graph.EdgeQuery{Key: "p-x", Dir: graph.In, Relations: []graph.Relation{rel}})
					if err != nil {
						return err
					}
					want = append(want, es...)
				}
				q := graph.EdgeQuery{Key: "p-x", Dir: graph.In, Relations: []graph.Relation{graph.RelAbout, graph.RelSpeaker}}
				got, err := r.Edges(t.Context(), q)
				if err != nil {
					return err
				}
				if len(want) != 5 || !slices.Equal(got, want) {
					t.Errorf("Edges(speaker, about) = %v\nwant %v (5 edges)", got, want)
				}
				n, err := r.CountEdges(t.Context(), q)
				if err != nil {
					return err
				}
				if n != 5 {
					t.Errorf("CountEdges(speaker, about) = %d, want 5", n)
				}
				q.Limit = 4
				if got, err = r.Edges(t.Context(), q); err != nil || len(got) != 4 || !slices.Equal(got, want[:4]) {
					t.Errorf("Edges with limit 4 = %v, %v; want %v", got, err, want[:4])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
