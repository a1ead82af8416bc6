package graph_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// traceBatch is a small invented story for the trace tests.
//
// An article (s-art, published by o-paper) quotes a social post (s-post) in
// which the mayor Ana Reyes (q-a, cue "posted") says that the governor Ben
// Hale asked her on a phone call (s-call) to cooperate (q-b, cue "asked",
// reported by q-a). The article cites a dataset (s-data) of a statistics
// office (o-stats). Claim c-safe ("bridge accidents are down") is expressed
// by Ana (q-c), supported by figures f-1 and f-2, contradicted by figure f-3
// (different period) and by a quote of Carla Cruz (q-d, factual). Figure f-4
// contradicts f-3. Ana repeats f-1 as f-5. Quotes q-e and q-f repeat each other (a cycle). Quote
// q-deep sits in a source chain s-d1 -> s-d2 -> ... -> s-d8.
func traceBatch() *graph.Batch {
	b := &graph.Batch{
		Nodes: []graph.Node{
			&graph.Person{Key: "p-ana", Name: "Ana Reyes"},
			&graph.Person{Key: "p-ben", Name: "Ben Hale"},
			&graph.Person{Key: "p-cruz", Name: "Carla Cruz"},
			&graph.Organisation{Key: "o-paper", Name: "River Courier", Kind: "media"},
			&graph.Organisation{Key: "o-stats", Name: "County Statistics Office", Kind: "government"},
			&graph.Source{Key: "s-art", Kind: "article", Publisher: "o-paper",
				DerivedFrom: []graph.Derivation{{Source: "s-post", Relation: "quotes"}, {Source: "s-data", Relation: "cites"}}},
			&graph.Source{Key: "s-post", Kind: "social_post", Authors: []string{"p-ana"}},
			&graph.Source{Key: "s-call", Kind: "call"},
			&graph.Source{Key: "s-data", Kind: "dataset", Publisher: "o-stats"},
			&graph.Quote{Key: "q-a", Text: "We had a good talk", Speaker: "p-ana", Source: "s-art", Cue: "posted", Channel: "s-post"},
			&graph.Quote{Key: "q-b", Text: "to cooperate on the bridge repairs", Speaker: "p-ben", Source: "s-art",
				Cue: "asked", Mode: "indirect", Channel: "s-call", ReportedBy: "q-a"},
			&graph.Quote{Key: "q-c", Text: "accidents are way down", Speaker: "p-ana", Source: "s-art", Cue: "said", Claims: []string{"c-safe"}},
			&graph.Quote{Key: "q-d", Text: "the bridge is worse than ever", Speaker: "p-cruz", Source: "s-art", Cue: "said"},
			&graph.Quote{Key: "q-e", Text: "fix the bridge", Speaker: "p-cruz", Source: "s-art", Cue: "urged"},
			&graph.Quote{Key: "q-f", Text: "fix the bridge now", Source: "s-post"},
			&graph.Claim{Key: "c-safe", Text: "Bridge accidents are down"},
			&graph.Figure{Key: "f-1", Value: 30, Unit: "percent", Change: "decrease", Measure: "accidents", StatedBy: "o-stats", Source: "s-data"},
			&graph.Figure{Key: "f-2", Value: 12, Unit: "accidents", Measure: "accidents", Period: "2026-01", StatedBy: "o-stats", Source: "s-data"},
			&graph.Figure{Key: "f-3", Value: 5, Unit: "percent", Change: "increase", Measure: "accidents", Period: "2025", StatedBy: "o-stats", Source: "s-data"},
			&graph.Figure{Key: "f-5", Value: 30, Unit: "percent", StatedBy: "p-ana", Source: "s-art", DerivedFrom: []string{"f-1"}},
			&graph.Figure{Key: "f-4", Value: 8, Unit: "percent", Change: "increase", StatedBy: "p-cruz", Source: "s-art"},
			&graph.Quote{Key: "q-deep", Text: "an old rumour", Source: "s-d1"},
		},
		Links: []graph.Link{
			{From: "f-1", To: "c-safe", Relation: graph.RelSupports},
			{From: "f-2", To: "c-safe", Relation: graph.RelSupports},
			{From: "f-3", To: "c-safe", Relation: graph.RelContradicts, Reason: "different_period"},
			{From: "q-d", To: "c-safe", Relation: graph.RelContradicts, Reason: "factual"},
			{From: "f-4", To: "f-3", Relation: graph.RelContradicts, Reason: "different_measure"},
			{From: "q-e", To: "q-f", Relation: graph.RelRepeats},
			{From: "q-f", To: "q-e", Relation: graph.RelRepeats},
		},
	}
	for i := 1; i <= 8; i++ {
		s := &graph.Source{Key: fmt.Sprintf("s-d%d", i), Kind: "report"}
		if i < 8 {
			s.DerivedFrom = []graph.Derivation{{Source: fmt.Sprintf("s-d%d", i+1), Relation: "updates"}}
		}
		b.Nodes = append(b.Nodes, s)
	}
	return b
}

func traceStore(t testing.TB) graph.Store {
	t.Helper()
	s := memgraph.New()
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Apply(context.Background(), traceBatch()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return s
}

// hop is shorthand for a graph.Hop: "from relation to" with cue, reason and
// depth.
func hop(depth int, spec, cue, reason string) graph.Hop {
	f := strings.Fields(spec)
	return graph.Hop{From: f[0], Relation: f[1], To: f[2], Cue: cue, Reason: reason, Depth: depth}
}

func TestTraceFrom(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opt  graph.TraceOptions
		want graph.Trace
	}{
		{
			name: "nested attribution from the innermost quote",
			key:  "q-b",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-b speaker p-ben", "asked", ""),
					hop(1, "q-b reported_by q-a", "asked", ""),
					hop(1, "q-b channel s-call", "", ""),
					hop(1, "q-b source s-art", "", ""),
					hop(2, "q-a speaker p-ana", "posted", ""),
					hop(2, "q-a channel s-post", "", ""),
					hop(2, "q-a source s-art", "", ""),
					hop(2, "s-art quotes s-post", "", ""),
				},
				Speakers:       []string{"p-ben", "p-ana"},
				PrimarySources: []string{"s-call", "s-post"},
			},
		},
		{
			name: "maxDepth 1 cuts the chain",
			key:  "q-b",
			opt:  graph.TraceOptions{MaxDepth: 1},
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-b speaker p-ben", "asked", ""),
					hop(1, "q-b reported_by q-a", "asked", ""),
					hop(1, "q-b channel s-call", "", ""),
					hop(1, "q-b source s-art", "", ""),
				},
				Speakers:       []string{"p-ben"},
				PrimarySources: []string{"s-call"},
				Truncated:      true,
			},
		},
		{
			name: "claim with supporting and contradicting evidence",
			key:  "c-safe",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-c expresses c-safe", "", ""),
					hop(1, "f-1 supports c-safe", "", ""),
					hop(1, "f-2 supports c-safe", "", ""),
					hop(1, "f-3 contradicts c-safe", "", "different_period"),
					hop(1, "q-d contradicts c-safe", "", "factual"),
					hop(2, "q-c speaker p-ana", "said", ""),
					hop(2, "q-c source s-art", "", ""),
					hop(2, "f-1 source s-data", "", ""),
					hop(2, "f-1 stated_by o-stats", "", ""),
					hop(2, "f-2 source s-data", "", ""),
					hop(2, "f-2 stated_by o-stats", "", ""),
					hop(2, "f-3 source s-data", "", ""),
					hop(2, "f-3 stated_by o-stats", "", ""),
					hop(2, "q-d speaker p-cruz", "said", ""),
					hop(2, "q-d source s-art", "", ""),
					hop(3, "s-art cites s-data", "", ""),
					hop(3, "s-art quotes s-post", "", ""),
				},
				Speakers:       []string{"p-ana", "p-cruz"},
				PrimarySources: []string{"s-data", "s-post"},
				Supporting:     []string{"f-1", "f-2"},
				Contradicting:  []string{"f-3", "q-d"},
			},
		},
		{
			name: "maxNodes cuts a claim's evidence",
			key:  "c-safe",
			opt:  graph.TraceOptions{MaxNodes: 3},
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-c expresses c-safe", "", ""),
					hop(1, "f-1 supports c-safe", "", ""),
				},
				Supporting: []string{"f-1"},
				Truncated:  true,
			},
		},
		{
			name: "figure: who stated it, where, what it contradicts",
			key:  "f-3",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "f-3 source s-data", "", ""),
					hop(1, "f-3 stated_by o-stats", "", ""),
					hop(1, "f-3 contradicts c-safe", "", "different_period"),
					hop(1, "f-4 contradicts f-3", "", "different_measure"),
					hop(2, "f-4 source s-art", "", ""),
					hop(2, "f-4 stated_by p-cruz", "", ""),
					hop(3, "s-art cites s-data", "", ""),
					hop(3, "s-art quotes s-post", "", ""),
				},
				PrimarySources: []string{"s-data", "s-post"},
				Contradicting:  []string{"c-safe", "f-4"},
			},
		},
		{
			name: "figure that supports a claim",
			key:  "f-1",
			opt:  graph.TraceOptions{MaxDepth: 1},
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "f-1 source s-data", "", ""),
					hop(1, "f-1 stated_by o-stats", "", ""),
					hop(1, "f-1 supports c-safe", "", ""),
				},
				PrimarySources: []string{"s-data"},
			},
		},
		{
			name: "figure derived from another figure",
			key:  "f-5",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "f-5 source s-art", "", ""),
					hop(1, "f-5 derived_from f-1", "", ""),
					hop(1, "f-5 stated_by p-ana", "", ""),
					hop(2, "s-art cites s-data", "", ""),
					hop(2, "s-art quotes s-post", "", ""),
					hop(2, "f-1 source s-data", "", ""),
					hop(2, "f-1 stated_by o-stats", "", ""),
				},
				PrimarySources: []string{"s-data", "s-post"},
			},
		},
		{
			name: "a repeats b, b repeats a: no loop",
			key:  "q-e",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-e speaker p-cruz", "urged", ""),
					hop(1, "q-e source s-art", "", ""),
					hop(1, "q-e repeats q-f", "", ""),
					hop(1, "q-f repeats q-e", "", ""),
					hop(2, "s-art cites s-data", "", ""),
					hop(2, "s-art quotes s-post", "", ""),
				},
				Speakers:       []string{"p-cruz"},
				PrimarySources: []string{"s-data", "s-post"},
			},
		},
		{
			name: "deep source chain cut at the default depth",
			key:  "q-deep",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-deep source s-d1", "", ""),
					hop(2, "s-d1 updates s-d2", "", ""),
					hop(3, "s-d2 updates s-d3", "", ""),
					hop(4, "s-d3 updates s-d4", "", ""),
					hop(5, "s-d4 updates s-d5", "", ""),
					hop(6, "s-d5 updates s-d6", "", ""),
				},
				Truncated: true,
			},
		},
		{
			name: "deep source chain in full",
			key:  "q-deep",
			opt:  graph.TraceOptions{MaxDepth: 8},
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-deep source s-d1", "", ""),
					hop(2, "s-d1 updates s-d2", "", ""),
					hop(3, "s-d2 updates s-d3", "", ""),
					hop(4, "s-d3 updates s-d4", "", ""),
					hop(5, "s-d4 updates s-d5", "", ""),
					hop(6, "s-d5 updates s-d6", "", ""),
					hop(7, "s-d6 updates s-d7", "", ""),
					hop(8, "s-d7 updates s-d8", "", ""),
				},
				PrimarySources: []string{"s-d8"},
			},
		},
		{
			name: "a person: direct edges only",
			key:  "p-ana",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-a speaker p-ana", "posted", ""),
					hop(1, "q-c speaker p-ana", "said", ""),
					hop(1, "f-5 stated_by p-ana", "", ""),
					hop(1, "s-post author p-ana", "", ""),
				},
				Speakers: []string{"p-ana"},
			},
		},
		{
			name: "a source: direct edges only",
			key:  "s-post",
			want: graph.Trace{
				Hops: []graph.Hop{
					hop(1, "q-a channel s-post", "", ""),
					hop(1, "q-f source s-post", "", ""),
					hop(1, "s-art quotes s-post", "", ""),
					hop(1, "s-post author p-ana", "", ""),
				},
			},
		},
	}
	s := traceStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *graph.Trace
			err := s.View(t.Context(), func(r graph.Reader) error {
				var err error
				got, err = graph.TraceFrom(t.Context(), r, tt.key, tt.opt)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Root = tt.key
			if !reflect.DeepEqual(got.Hops, tt.want.Hops) {
				t.Errorf("hops:\n got  %s\n want %s", hopsString(got.Hops), hopsString(tt.want.Hops))
			}
			got.Hops, tt.want.Hops = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("trace:\n got  %+v\n want %+v", *got, tt.want)
			}
		})
	}
}

func hopsString(hs []graph.Hop) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "\n   %d %s %s %s", h.Depth, h.From, h.Relation, h.To)
		if h.Cue != "" {
			fmt.Fprintf(&b, " cue=%s", h.Cue)
		}
		if h.Reason != "" {
			fmt.Fprintf(&b, " reason=%s", h.Reason)
		}
	}
	return b.String()
}

func TestTraceFromNotFound(t *testing.T) {
	s := traceStore(t)
	err := s.View(t.Context(), func(r graph.Reader) error {
		_, err := graph.TraceFrom(t.Context(), r, "q-nowhere", graph.TraceOptions{})
		return err
	})
	if !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("TraceFrom(missing) = %v, want ErrNotFound", err)
	}
}

// countingReader counts the Reader calls a trace makes.
type countingReader struct {
	graph.Reader
	kinds, node, nodes, edges int
}

func (c *countingReader) Node(ctx context.Context, key string) (graph.Node, error) {
	c.node++
	return c.Reader.Node(ctx, key)
}

func (c *countingReader) Kinds(ctx context.Context, keys []string) (map[string]graph.Kind, error) {
	c.kinds++
	return c.Reader.Kinds(ctx, keys)
}

func (c *countingReader) Nodes(ctx context.Context, keys []string) ([]graph.Node, error) {
	c.nodes++
	return c.Reader.Nodes(ctx, keys)
}

func (c *countingReader) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	c.edges++
	return c.Reader.Edges(ctx, q)
}

func TestTraceFromReads(t *testing.T) {
	s := traceStore(t)
	err := s.View(t.Context(), func(r graph.Reader) error {
		c := &countingReader{Reader: r}
		tr, err := graph.TraceFrom(t.Context(), c, "c-safe", graph.TraceOptions{})
		if err != nil {
			return err
		}
		// The root, then nodes reached at depths 1, 2 and 3: one Kinds
		// call each. No record is read: the root's kind comes from Kinds,
		// and what the walk needs of the quotes (q-c, q-d at depth 1)
		// comes with their edges.
		if c.kinds != 4 {
			t.Errorf("Kinds called %d times, want 4, the root's and one per level", c.kinds)
		}
		if c.node != 0 || c.nodes != 0 {
			t.Errorf("Node called %d times, Nodes %d, want none", c.node, c.nodes)
		}
		// Edge reads: two for the claim root (links both ways, and the
		// quotes that express it), one per evidence quote (q-c, q-d) and
		// figure (f-1 to f-3) since links are walked from the root only,
		// one per source (s-art, s-data, s-post); none for people and
		// organisations.
		if want := 2 + 2 + 3 + 3; c.edges != want {
			t.Errorf("Edges called %d times for %d hops, want %d", c.edges, len(tr.Hops), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ExampleTraceFrom() {
	ctx := context.Background()
	s := memgraph.New()
	defer s.Close()
	_, err := s.Apply(ctx, &graph.Batch{
		Nodes: []graph.Node{
			&graph.Person{Key: "mayor", Name: "A. Mayor"},
			&graph.Person{Key: "governor", Name: "B. Governor"},
			&graph.Source{Key: "paper", Kind: "article", DerivedFrom: []graph.Derivation{{Source: "post", Relation: "quotes"}}},
			&graph.Source{Key: "post", Kind: "social_post"},
			&graph.Source{Key: "call", Kind: "call"},
			&graph.Quote{Key: "outer", Text: "we spoke", Speaker: "mayor", Source: "paper", Channel: "post", Cue: "posted"},
			&graph.Quote{Key: "inner", Text: "to work together", Speaker: "governor", Source: "paper", Channel: "call", ReportedBy: "outer", Cue: "asked"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = s.View(ctx, func(r graph.Reader) error {
		tr, err := graph.TraceFrom(ctx, r, "inner", graph.TraceOptions{MaxDepth: 3})
		if err != nil {
			return err
		}
		for _, h := range tr.Hops {
			line := fmt.Sprint(h.Depth, " ", h.From, " ", h.Relation, " ", h.To)
			if h.Cue != "" {
				line += " (" + h.Cue + ")"
			}
			fmt.Println(line)
		}
		fmt.Println("speakers:", tr.Speakers)
		fmt.Println("primary sources:", tr.PrimarySources)
		return nil
	})
	// Output:
	// 1 inner speaker governor (asked)
	// 1 inner reported_by outer (asked)
	// 1 inner channel call
	// 1 inner source paper
	// 2 outer speaker mayor (posted)
	// 2 outer channel post
	// 2 outer source paper
	// 2 paper quotes post
	// speakers: [governor mayor]
	// primary sources: [call post]
}
