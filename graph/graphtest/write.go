package graphtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"claimgraph/graph"
)

func testApplyCounts(t *testing.T, o Opener) {
	s := o.Open(t)
	res := apply(t, s, SampleBatch())
	wantCounts(t, "Nodes", res.Nodes, graph.Counts{Added: 20})
	wantCounts(t, "Links", res.Links, graph.Counts{Added: 3})
	want := map[graph.Kind]int{graph.KindPerson: 3, graph.KindOrganisation: 4, graph.KindSource: 4,
		graph.KindQuote: 4, graph.KindClaim: 2, graph.KindFigure: 3}
	for _, k := range graph.Kinds {
		wantCounts(t, "ByKind["+k.String()+"]", res.ByKind[k], graph.Counts{Added: want[k]})
	}
	if res.At.IsZero() {
		t.Error("ApplyResult.At is zero")
	}
	empty := apply(t, s, &graph.Batch{By: "graphtest"})
	wantCounts(t, "empty batch Nodes", empty.Nodes, graph.Counts{})
	wantCounts(t, "empty batch Links", empty.Links, graph.Counts{})
}

func testIdempotent(t *testing.T, o Opener) {
	s := loaded(t, o)
	before := takeSnapshot(t, s)
	res := apply(t, s, SampleBatch())
	wantCounts(t, "Nodes", res.Nodes, graph.Counts{Unchanged: 20})
	wantCounts(t, "Links", res.Links, graph.Counts{Unchanged: 3})
	for _, k := range graph.Kinds {
		if c := res.ByKind[k]; c.Added != 0 || c.Changed != 0 || c.Unchanged != len(sampleKeys(k)) {
			t.Errorf("ByKind[%v] = %+v, want %d unchanged", k, c, len(sampleKeys(k)))
		}
	}
	sameSnapshot(t, "after the same batch twice", takeSnapshot(t, s), before)
}

func testChangeOneField(t *testing.T, o Opener) {
	s := loaded(t, o)
	b := SampleBatch()
	nodeOf(b, "q-dhs").(*graph.Quote).Cue = "stated"
	res := apply(t, s, b)
	wantCounts(t, "Nodes", res.Nodes, graph.Counts{Changed: 1, Unchanged: 19})
	wantCounts(t, "Links", res.Links, graph.Counts{Unchanged: 3})
	wantCounts(t, "ByKind[quote]", res.ByKind[graph.KindQuote], graph.Counts{Changed: 1, Unchanged: 3})
	wantCounts(t, "ByKind[claim]", res.ByKind[graph.KindClaim], graph.Counts{Unchanged: 2})

	// A partial batch: one changed node, one new one.
	res = apply(t, s, &graph.Batch{Nodes: []graph.Node{
		&graph.Claim{Key: "c-pier-unsafe", Text: "The Café Pier is unsafe at night", Topics: []string{"safety"}},
		&graph.Claim{Key: "c-new", Text: "Ferry fares will rise"},
	}})
	wantCounts(t, "partial Nodes", res.Nodes, graph.Counts{Added: 1, Changed: 1})
	wantCounts(t, "partial ByKind[claim]", res.ByKind[graph.KindClaim], graph.Counts{Added: 1, Changed: 1})
	wantCounts(t, "partial Links", res.Links, graph.Counts{})

	read(t, s, func(ctx context.Context, r graph.Reader) error {
		n, err := r.Node(ctx, "q-dhs")
		if err != nil {
			return err
		}
		if q, ok := n.(*graph.Quote); !ok || q.Cue != "stated" {
			t.Errorf("q-dhs after change = %s, want cue stated", nodeJSON(n))
		}
		n, err = r.Node(ctx, "c-pier-unsafe")
		if err != nil {
			return err
		}
		if c, ok := n.(*graph.Claim); !ok || c.Text != "The Café Pier is unsafe at night" {
			t.Errorf("c-pier-unsafe after change = %s", nodeJSON(n))
		}
		return nil
	})

	// The cue qualifies a quote's speaker and reported_by edges, both
	// ways: changing it alone rewrites them, clearing it clears them.
	for _, cue := range []string{"told reporters", ""} {
		b := SampleBatch()
		nodeOf(b, "q-ask").(*graph.Quote).Cue = cue
		res := apply(t, s, &graph.Batch{Nodes: []graph.Node{nodeOf(b, "q-ask")}})
		wantCounts(t, "cue "+cue, res.Nodes, graph.Counts{Changed: 1})
		attribution := []graph.Edge{
			{From: "q-ask", To: "p-okafor", Relation: graph.RelSpeaker, Qualifier: cue},
			{From: "q-ask", To: "q-post", Relation: graph.RelReportedBy, Qualifier: cue},
		}
		read(t, s, func(ctx context.Context, r graph.Reader) error {
			for _, c := range []struct {
				q    graph.EdgeQuery
				want []graph.Edge
			}{
				{graph.EdgeQuery{Key: "q-ask", Dir: graph.Out, Relations: rels(graph.RelSpeaker, graph.RelReportedBy)}, attribution},
				{graph.EdgeQuery{Key: "p-okafor", Dir: graph.In, Relations: rels(graph.RelSpeaker)}, attribution[:1]},
				{graph.EdgeQuery{Key: "q-post", Dir: graph.In, Relations: rels(graph.RelReportedBy)}, attribution[1:]},
			} {
				got, err := r.Edges(ctx, c.q)
				if err != nil {
					return err
				}
				sameEdges(t, fmt.Sprintf("cue %q: Edges(%s, %v)", cue, c.q.Key, c.q.Dir), got, c.want)
			}
			return nil
		})
	}
}

func testDroppedReference(t *testing.T, o Opener) {
	s := loaded(t, o)
	b := SampleBatch()
	q := nodeOf(b, "q-ask").(*graph.Quote)
	q.Speaker, q.Channel, q.ReportedBy = "p-brook", "", ""
	art := nodeOf(b, "s-article").(*graph.Source)
	art.DerivedFrom = art.DerivedFrom[:1]
	nodeOf(b, "c-ferry-safe").(*graph.Claim).About = nil
	res := apply(t, s, b)
	wantCounts(t, "Nodes", res.Nodes, graph.Counts{Changed: 3, Unchanged: 17})
	all := expectedEdges(b)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range []struct {
			key string
			dir graph.Direction
		}{
			{"q-ask", graph.Out}, {"p-okafor", graph.In}, {"p-brook", graph.In}, {"s-call", graph.In},
			{"q-post", graph.In}, {"s-article", graph.Out}, {"s-report", graph.In}, {"o-dhs", graph.In},
			{"c-ferry-safe", graph.Out},
		} {
			got, err := r.Edges(ctx, graph.EdgeQuery{Key: c.key, Dir: c.dir})
			if err != nil {
				return err
			}
			sameEdges(t, fmt.Sprintf("Edges(%s, %v) after dropping references", c.key, c.dir), got, edgesOf(all, c.key, c.dir))
		}
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		if st.Edges != len(all) {
			t.Errorf("Stats.Edges = %d after dropping references, want %d", st.Edges, len(all))
		}
		return nil
	})
}

func testLinkUpdate(t *testing.T, o Opener) {
	s := loaded(t, o)
	sup := graph.Link{From: "f-incidents", To: "c-ferry-safe", Relation: graph.RelSupports,
		Note: "revised: monthly harbour statistics", By: "curator:ben", At: "2026-03-04T09:00:00Z"}
	con := graph.Link{From: "f-complaints", To: "c-ferry-safe", Relation: graph.RelContradicts,
		Reason: "different_scope", Note: "complaints are not incidents", By: "curator:ana", At: "2026-03-03T10:05:00Z"}
	res := apply(t, s, &graph.Batch{Links: []graph.Link{sup, con}})
	wantCounts(t, "Links", res.Links, graph.Counts{Changed: 2})
	wantCounts(t, "Nodes", res.Nodes, graph.Counts{})
	ctxLink := graph.Link{From: "f-incidents", To: "c-ferry-safe", Relation: graph.RelContext, Note: "same month"}
	res = apply(t, s, &graph.Batch{Links: []graph.Link{ctxLink, sup}})
	wantCounts(t, "Links with a new relation", res.Links, graph.Counts{Added: 1, Unchanged: 1})
	asEdge := func(l graph.Link) graph.Edge { return linkEdge(l, "") }
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		got, err := r.Edges(ctx, graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Relations: []graph.Relation{graph.RelSupports, graph.RelContradicts, graph.RelContext}})
		if err != nil {
			return err
		}
		sameEdges(t, "links into c-ferry-safe", got, []graph.Edge{asEdge(sup), asEdge(con), asEdge(ctxLink)})
		got, err = r.Edges(ctx, graph.EdgeQuery{Key: "f-incidents", Dir: graph.Out, Relations: []graph.Relation{graph.RelSupports, graph.RelContext}})
		if err != nil {
			return err
		}
		sameEdges(t, "links out of f-incidents", got, []graph.Edge{asEdge(sup), asEdge(ctxLink)})
		if len(got) > 0 && got[0].Link() != sup && (got[0].Link().Note != ctxLink.Note || got[0].Relation != graph.RelContext) {
			t.Errorf("Edge.Link() = %+v, not one of the links written", got[0].Link())
		}
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		if st.Links != 4 {
			t.Errorf("Stats.Links = %d, want 4", st.Links)
		}
		return nil
	})
}

func testReferenceToStored(t *testing.T, o Opener) {
	s := loaded(t, o)
	b := &graph.Batch{
		Nodes: []graph.Node{&graph.Quote{Key: "q-new", Text: "the ferry needs a second crew", Speaker: "p-okafor",
			Source: "s-article", Channel: "s-call", ReportedBy: "q-post", Claims: []string{"c-pier-unsafe"}}},
		Links: []graph.Link{{From: "q-new", To: "q-cafe", Relation: graph.RelRepeats}},
	}
	res := apply(t, s, b)
	wantCounts(t, "Nodes", res.Nodes, graph.Counts{Added: 1})
	wantCounts(t, "Links", res.Links, graph.Counts{Added: 1})
	want := expectedEdges(b)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		got, err := r.Edges(ctx, graph.EdgeQuery{Key: "q-new", Dir: graph.Out})
		if err != nil {
			return err
		}
		sameEdges(t, "Edges(q-new, Out)", got, want)
		got, err = r.Edges(ctx, graph.EdgeQuery{Key: "q-post", Dir: graph.In, Relations: []graph.Relation{graph.RelReportedBy}})
		if err != nil {
			return err
		}
		sameEdges(t, "quotes reported by q-post", got, []graph.Edge{
			{From: "q-ask", To: "q-post", Relation: graph.RelReportedBy, Qualifier: "asked"},
			{From: "q-new", To: "q-post", Relation: graph.RelReportedBy},
		})
		return nil
	})
}

func testInvalidBatch(t *testing.T, o Opener) {
	s := loaded(t, o)
	before := takeSnapshot(t, s)
	cases := []struct {
		name  string
		batch *graph.Batch
		code  string
		fresh []string // keys in the batch that must not be written
	}{
		{"dangling speaker", &graph.Batch{Nodes: []graph.Node{
			&graph.Person{Key: "p-new", Name: "New Person"},
			&graph.Quote{Key: "q-bad", Text: "words", Source: "s-article", Speaker: "p-ghost"},
		}}, graph.CodeDangling, []string{"p-new", "q-bad"}},
		{"dangling link", &graph.Batch{
			Nodes: []graph.Node{&graph.Claim{Key: "c-new", Text: "a new claim"}},
			Links: []graph.Link{{From: "c-new", To: "c-ghost", Relation: graph.RelSupports}},
		}, graph.CodeDangling, []string{"c-new"}},
		{"kind change", &graph.Batch{Nodes: []graph.Node{
			&graph.Claim{Key: "c-other", Text: "another claim"},
			&graph.Organisation{Key: "p-brook", Name: "Brook Ltd"},
		}}, graph.CodeKindChange, []string{"c-other"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Apply(t.Context(), c.batch)
			if !errors.Is(err, graph.ErrInvalid) {
				t.Fatalf("Apply = %v, want an error wrapping ErrInvalid", err)
			}
			var ve *graph.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Apply error %v is not a *ValidationError", err)
			}
			found := false
			for _, p := range ve.Problems {
				found = found || p.Code == c.code
			}
			if !found {
				t.Errorf("problems %v lack code %s", ve.Problems, c.code)
			}
			read(t, s, func(ctx context.Context, r graph.Reader) error {
				for _, k := range c.fresh {
					if n, err := r.Node(ctx, k); !errors.Is(err, graph.ErrNotFound) {
						t.Errorf("Node(%s) after a refused batch = %s, %v; want ErrNotFound", k, nodeJSON(n), err)
					}
				}
				return nil
			})
			sameSnapshot(t, "after a refused batch", takeSnapshot(t, s), before)
		})
	}
}

func testViewIsolation(t *testing.T, o Opener) {
	s := loaded(t, o)
	later := SampleBatch()
	nodeOf(later, "q-dhs").(*graph.Quote).Cue = "stated"
	later.Nodes = append(later.Nodes, &graph.Claim{Key: "c-late", Text: "written during a view"})
	later.Links = append(later.Links, graph.Link{From: "f-incidents-cited", To: "c-ferry-safe", Relation: graph.RelSupports})
	ctx := t.Context()
	err := s.View(ctx, func(r graph.Reader) error {
		st0, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() {
			_, err := s.Apply(ctx, later)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("apply during View: %w", err)
			}
		case <-time.After(20 * time.Second):
			return errors.New("apply did not return while a View was open")
		}
		n, err := r.Node(ctx, "q-dhs")
		if err != nil {
			return err
		}
		if q := n.(*graph.Quote); q.Cue != "said" {
			t.Errorf("View saw a later write: q-dhs cue %q", q.Cue)
		}
		if _, err := r.Node(ctx, "c-late"); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("View saw a node written later: err %v", err)
		}
		kinds, err := r.Kinds(ctx, []string{"c-late"})
		if err != nil {
			return err
		}
		if len(kinds) != 0 {
			t.Errorf("View's Kinds saw a later node: %v", kinds)
		}
		st1, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		if !sameStats(st0, st1) {
			t.Errorf("View's Stats changed: %+v then %+v", st0, st1)
		}
		p, err := r.List(ctx, graph.KindClaim, "", 10)
		if err != nil {
			return err
		}
		if p.Total != 2 || len(p.Keys) != 2 {
			t.Errorf("View's List(claim) = %+v, want the 2 claims from before", p)
		}
		n2, err := r.CountEdges(ctx, graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Relations: []graph.Relation{graph.RelSupports}})
		if err != nil {
			return err
		}
		if n2 != 1 {
			t.Errorf("View's CountEdges(supports into c-ferry-safe) = %d, want 1", n2)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		n, err := r.Node(ctx, "q-dhs")
		if err != nil {
			return err
		}
		if q := n.(*graph.Quote); q.Cue != "stated" {
			t.Errorf("a new View misses the write: q-dhs cue %q", q.Cue)
		}
		_, err = r.Node(ctx, "c-late")
		return err
	})
}

func testConcurrentApply(t *testing.T, o Opener) {
	s := loaded(t, o)
	const writers, batches = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range batches {
				q, c := fmt.Sprintf("q-w%d-%d", w, i), fmt.Sprintf("c-w%d-%d", w, i)
				_, err := s.Apply(t.Context(), &graph.Batch{
					Nodes: []graph.Node{
						&graph.Claim{Key: c, Text: fmt.Sprintf("claim %d of writer %d", i, w)},
						&graph.Quote{Key: q, Text: fmt.Sprintf("quote %d of writer %d", i, w), Speaker: "p-alvarez", Source: "s-article", Claims: []string{c}},
					},
					Links: []graph.Link{{From: c, To: "c-ferry-safe", Relation: graph.RelSupports}},
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d batch %d: %w", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range []struct {
			kind graph.Kind
			want int
		}{{graph.KindClaim, 2 + writers*batches}, {graph.KindQuote, 4 + writers*batches}} {
			p, err := r.List(ctx, c.kind, "", 1)
			if err != nil {
				return err
			}
			if p.Total != c.want {
				t.Errorf("List(%v).Total = %d, want %d", c.kind, p.Total, c.want)
			}
		}
		for _, c := range []struct {
			q    graph.EdgeQuery
			want int
		}{
			{graph.EdgeQuery{Key: "p-alvarez", Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}}, 1 + writers*batches},
			{graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Relations: []graph.Relation{graph.RelSupports}}, 1 + writers*batches},
			{graph.EdgeQuery{Key: "s-article", Dir: graph.In, Kind: graph.KindQuote}, 3 + writers*batches},
		} {
			n, err := r.CountEdges(ctx, c.q)
			if err != nil {
				return err
			}
			if n != c.want {
				t.Errorf("CountEdges(%+v) = %d, want %d", c.q, n, c.want)
			}
		}
		return nil
	})
}

func testClosed(t *testing.T, o Opener) {
	s := loaded(t, o)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Apply(t.Context(), SampleBatch()); !errors.Is(err, graph.ErrClosed) {
		t.Errorf("Apply after Close = %v, want ErrClosed", err)
	}
	err := s.View(t.Context(), func(graph.Reader) error { return nil })
	if !errors.Is(err, graph.ErrClosed) {
		t.Errorf("View after Close = %v, want ErrClosed", err)
	}
	_ = s.Close() // must not panic
}

func testPersistence(t *testing.T, o Opener) {
	s := loaded(t, o)
	before := takeSnapshot(t, s)
	s = o.Reopen(t, s)
	sameSnapshot(t, "after reopen", takeSnapshot(t, s), before)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		keys, err := r.Lookup(ctx, graph.IndexName, "dhs")
		if err != nil {
			return err
		}
		sameKeys(t, "Lookup(name, dhs) after reopen", keys, []string{"o-dhs"})
		keys, err = r.Lookup(ctx, graph.IndexURL, "https://dhs.example/reports/2026-02")
		if err != nil {
			return err
		}
		sameKeys(t, "Lookup(url) after reopen", keys, []string{"s-report"})
		p, err := r.Range(ctx, graph.IndexSaidAt, day(2026, 1, 1), day(2027, 1, 1), "", 10)
		if err != nil {
			return err
		}
		if got := p.Keys; len(got) != 3 || got[0] != "q-post" || got[1] != "q-ask" || got[2] != "q-dhs" {
			t.Errorf("Range(said_at) after reopen = %v", got)
		}
		p, err = r.QuotesMatching(ctx, "don't see", "", 10)
		if err != nil {
			return err
		}
		sameKeys(t, "QuotesMatching after reopen", p.Keys, []string{"q-dhs"})
		return nil
	})
	res := apply(t, s, SampleBatch())
	wantCounts(t, "Nodes after reopen", res.Nodes, graph.Counts{Unchanged: 20})
	wantCounts(t, "Links after reopen", res.Links, graph.Counts{Unchanged: 3})

	b := SampleBatch()
	nodeOf(b, "q-dhs").(*graph.Quote).Cue = "stated"
	b.Links[0].Note = "revised"
	b.Nodes = append(b.Nodes, &graph.Claim{Key: "c-after", Text: "written after a reopen"})
	res = apply(t, s, b)
	wantCounts(t, "Nodes", res.Nodes, graph.Counts{Added: 1, Changed: 1, Unchanged: 19})
	wantCounts(t, "Links", res.Links, graph.Counts{Changed: 1, Unchanged: 2})
	mid := takeSnapshot(t, s)
	s = o.Reopen(t, s)
	sameSnapshot(t, "after a second reopen", takeSnapshot(t, s), mid)
	res = apply(t, s, b)
	wantCounts(t, "Nodes after second reopen", res.Nodes, graph.Counts{Unchanged: 21})
}
