package graphtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"claimgraph/graph"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func testNodeRoundTrip(t *testing.T, o Opener) {
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, want := range SampleBatch().Nodes {
			got, err := r.Node(ctx, want.NodeKey())
			if err != nil {
				t.Errorf("Node(%s): %v", want.NodeKey(), err)
				continue
			}
			if g, w := nodeJSON(got), nodeJSON(want); g != w {
				t.Errorf("Node(%s):\n got  %s\n want %s", want.NodeKey(), g, w)
			}
		}
		return nil
	})
}

func testNodesAndKinds(t *testing.T, o Opener) {
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		if n, err := r.Node(ctx, "p-nobody"); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("Node(missing) = %s, %v; want ErrNotFound", nodeJSON(n), err)
		}
		keys := []string{"q-post", "p-nobody", "p-brook", "f-complaints", "q-post"}
		nodes, err := r.Nodes(ctx, keys)
		if err != nil {
			return err
		}
		if len(nodes) != len(keys) {
			t.Fatalf("Nodes returned %d nodes for %d keys", len(nodes), len(keys))
		}
		b := SampleBatch()
		for i, k := range keys {
			want := "<nil>"
			if k != "p-nobody" {
				want = nodeJSON(nodeOf(b, k))
			}
			if got := nodeJSON(nodes[i]); got != want {
				t.Errorf("Nodes[%d] (%s) = %s, want %s", i, k, got, want)
			}
		}
		if nodes, err := r.Nodes(ctx, nil); err != nil || len(nodes) != 0 {
			t.Errorf("Nodes(nil) = %v, %v", nodes, err)
		}
		kinds, err := r.Kinds(ctx, keys)
		if err != nil {
			return err
		}
		want := map[string]graph.Kind{"q-post": graph.KindQuote, "p-brook": graph.KindPerson, "f-complaints": graph.KindFigure}
		if len(kinds) != len(want) {
			t.Errorf("Kinds = %v, want %v", kinds, want)
		}
		for k, v := range want {
			if kinds[k] != v {
				t.Errorf("Kinds[%s] = %v, want %v", k, kinds[k], v)
			}
		}
		return nil
	})
}

func testEdgesEveryRelation(t *testing.T, o Opener) {
	b := SampleBatch()
	all := expectedEdges(b)
	seen := map[graph.Relation]bool{}
	for _, e := range all {
		seen[e.Relation] = true
	}
	for _, rel := range graph.FieldRelations {
		if !seen[rel] {
			t.Fatalf("the sample lacks relation %s", rel)
		}
	}
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, n := range b.Nodes {
			for _, dir := range []graph.Direction{graph.Out, graph.In} {
				q := graph.EdgeQuery{Key: n.NodeKey(), Dir: dir}
				got, err := r.Edges(ctx, q)
				if err != nil {
					return err
				}
				want := edgesOf(all, n.NodeKey(), dir)
				sameEdges(t, fmt.Sprintf("Edges(%s, %v)", n.NodeKey(), dir), got, want)
				cnt, err := r.CountEdges(ctx, q)
				if err != nil {
					return err
				}
				if cnt != len(want) {
					t.Errorf("CountEdges(%s, %v) = %d, want %d", n.NodeKey(), dir, cnt, len(want))
				}
			}
		}
		return nil
	})
}

func testEdgesSpotChecks(t *testing.T, o Opener) {
	rels := func(r ...graph.Relation) []graph.Relation { return r }
	cases := []struct {
		key  string
		dir  graph.Direction
		rels []graph.Relation
		want []graph.Edge
	}{
		{"q-ask", graph.Out, rels(graph.RelSpeaker), []graph.Edge{{From: "q-ask", To: "p-okafor", Relation: "speaker", Qualifier: "asked"}}},
		{"p-alvarez", graph.In, rels(graph.RelSpeaker), []graph.Edge{{From: "q-post", To: "p-alvarez", Relation: "speaker", Qualifier: "wrote"}}},
		{"s-report", graph.In, rels(graph.RelSource), []graph.Edge{{From: "f-incidents", To: "s-report", Relation: "source"}}},
		{"s-call", graph.In, rels(graph.RelChannel), []graph.Edge{{From: "q-ask", To: "s-call", Relation: "channel"}}},
		{"q-post", graph.In, rels(graph.RelReportedBy), []graph.Edge{{From: "q-ask", To: "q-post", Relation: "reported_by", Qualifier: "asked"}}},
		{"q-ask", graph.Out, rels(graph.RelReportedBy), []graph.Edge{{From: "q-ask", To: "q-post", Relation: "reported_by", Qualifier: "asked"}}},
		{"c-ferry-safe", graph.In, rels(graph.RelExpresses), []graph.Edge{
			{From: "q-post", To: "c-ferry-safe", Relation: "expresses"}, {From: "q-dhs", To: "c-ferry-safe", Relation: "expresses"}}},
		{"o-dhs", graph.In, rels(graph.RelPublisher), []graph.Edge{{From: "s-report", To: "o-dhs", Relation: "publisher"}}},
		{"p-brook", graph.In, rels(graph.RelAuthor), []graph.Edge{{From: "s-article", To: "p-brook", Relation: "author"}}},
		{"s-article", graph.Out, rels(graph.RelDerivedFrom), []graph.Edge{
			{From: "s-article", To: "s-post", Relation: "derived_from", Qualifier: "quotes"},
			{From: "s-article", To: "s-report", Relation: "derived_from", Qualifier: "cites"}}},
		{"s-post", graph.In, rels(graph.RelDerivedFrom), []graph.Edge{{From: "s-article", To: "s-post", Relation: "derived_from", Qualifier: "quotes"}}},
		{"f-incidents", graph.In, rels(graph.RelDerivedFrom), []graph.Edge{{From: "f-incidents-cited", To: "f-incidents", Relation: "derived_from"}}},
		{"o-dhs", graph.In, rels(graph.RelStatedBy), []graph.Edge{{From: "f-incidents", To: "o-dhs", Relation: "stated_by"}}},
		{"o-council", graph.In, rels(graph.RelParent), []graph.Edge{{From: "o-dhs", To: "o-council", Relation: "parent"}}},
		{"o-dhs", graph.In, rels(graph.RelAffiliation), []graph.Edge{{From: "p-okafor", To: "o-dhs", Relation: "affiliation", Qualifier: "inspector"}}},
		{"p-alvarez", graph.Out, rels(graph.RelAffiliation), []graph.Edge{{From: "p-alvarez", To: "o-council", Relation: "affiliation", Qualifier: "mayor"}}},
		{"o-dhs", graph.In, rels(graph.RelAbout), []graph.Edge{{From: "c-ferry-safe", To: "o-dhs", Relation: "about"}}},
		{"c-ferry-safe", graph.In, rels(graph.RelSupports), []graph.Edge{{From: "f-incidents", To: "c-ferry-safe", Relation: "supports",
			Note: "harbour statistics", By: "curator:ana", At: "2026-03-03T10:00:00Z"}}},
		{"f-complaints", graph.Out, rels(graph.RelContradicts), []graph.Edge{{From: "f-complaints", To: "c-ferry-safe", Relation: "contradicts",
			Reason: "different_measure", Note: "complaints are not incidents", By: "curator:ana", At: "2026-03-03T10:05:00Z"}}},
		{"q-dhs", graph.In, rels(graph.RelRespondsTo), []graph.Edge{{From: "q-cafe", To: "q-dhs", Relation: "responds_to", Note: "the post answers the agency",
			By: "graphtest", At: anyCommitTime}}},
		{"q-dhs", graph.Out, rels(graph.RelRespondsTo), nil},
		{"p-okafor", graph.In, rels(graph.RelSpeaker), []graph.Edge{{From: "q-ask", To: "p-okafor", Relation: "speaker", Qualifier: "asked"}}},
		{"q-cafe", graph.Out, rels(graph.RelSpeaker), nil},
	}
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			q := graph.EdgeQuery{Key: c.key, Dir: c.dir, Relations: c.rels}
			got, err := r.Edges(ctx, q)
			if err != nil {
				return err
			}
			sameEdges(t, fmt.Sprintf("Edges(%s, %v, %v)", c.key, c.dir, c.rels), got, c.want)
			n, err := r.CountEdges(ctx, q)
			if err != nil {
				return err
			}
			if n != len(c.want) {
				t.Errorf("CountEdges(%s, %v, %v) = %d, want %d", c.key, c.dir, c.rels, n, len(c.want))
			}
		}
		return nil
	})
}

func testEdgesFilter(t *testing.T, o Opener) {
	rels := func(r ...graph.Relation) []graph.Relation { return r }
	cases := []struct {
		name string
		q    graph.EdgeQuery
		want []string // other ends
	}{
		{"a source's quotes", graph.EdgeQuery{Key: "s-article", Dir: graph.In, Relations: rels(graph.RelSource), Kind: graph.KindQuote},
			[]string{"q-ask", "q-dhs", "q-post"}},
		{"a source's figures", graph.EdgeQuery{Key: "s-article", Dir: graph.In, Relations: rels(graph.RelSource), Kind: graph.KindFigure},
			[]string{"f-complaints", "f-incidents-cited"}},
		{"kind without relations", graph.EdgeQuery{Key: "o-dhs", Dir: graph.In, Kind: graph.KindPerson}, []string{"p-okafor"}},
		{"kind figure into an agent", graph.EdgeQuery{Key: "o-dhs", Dir: graph.In, Kind: graph.KindFigure}, []string{"f-incidents"}},
		{"kind out", graph.EdgeQuery{Key: "s-article", Dir: graph.Out, Kind: graph.KindSource}, []string{"s-post", "s-report"}},
		{"kind organisation out", graph.EdgeQuery{Key: "s-article", Dir: graph.Out, Kind: graph.KindOrganisation}, []string{"o-gazette"}},
		{"two relations", graph.EdgeQuery{Key: "o-dhs", Dir: graph.In, Relations: rels(graph.RelSpeaker, graph.RelStatedBy)},
			[]string{"f-incidents", "q-dhs"}},
		{"links only", graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Relations: rels(graph.RelSupports, graph.RelContradicts)},
			[]string{"f-complaints", "f-incidents"}},
		{"links and kind", graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Kind: graph.KindFigure}, []string{"f-complaints", "f-incidents"}},
		{"no match", graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Kind: graph.KindPerson}, nil},
		{"relation absent", graph.EdgeQuery{Key: "q-post", Dir: graph.Out, Relations: rels(graph.RelPublisher)}, nil},
	}
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			es, err := r.Edges(ctx, c.q)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			var got []string
			for _, e := range es {
				got = append(got, otherEnd(e, c.q.Dir))
			}
			sameKeys(t, c.name, got, c.want)
			n, err := r.CountEdges(ctx, c.q)
			if err != nil {
				return err
			}
			if n != len(c.want) {
				t.Errorf("%s: CountEdges = %d, want %d", c.name, n, len(c.want))
			}
		}
		return nil
	})
}

func testEdgesPaging(t *testing.T, o Opener) {
	queries := []graph.EdgeQuery{
		{Key: "s-article", Dir: graph.In},
		{Key: "s-article", Dir: graph.Out},
		{Key: "o-dhs", Dir: graph.In},
		{Key: "c-ferry-safe", Dir: graph.In},
		{Key: "s-article", Dir: graph.In, Relations: []graph.Relation{graph.RelSource}, Kind: graph.KindQuote},
	}
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, q := range queries {
			full, err := r.Edges(ctx, q)
			if err != nil {
				return err
			}
			again, err := r.Edges(ctx, q)
			if err != nil {
				return err
			}
			if !slices.Equal(edgeStrings(full), edgeStrings(again)) {
				t.Errorf("Edges(%+v) order is not stable: %v then %v", q, edgeStrings(full), edgeStrings(again))
			}
			if len(full) < 3 {
				t.Fatalf("query %+v has %d edges, too few to page", q, len(full))
			}
			for _, limit := range []int{1, 2, 3, len(full)} {
				var got []graph.Edge
				pq := q
				pq.Limit = limit
				for i := 0; ; i++ {
					if i > len(full)+1 {
						t.Fatalf("paging %+v does not end", pq)
					}
					page, err := r.Edges(ctx, pq)
					if err != nil {
						return fmt.Errorf("Edges(%+v): %w", pq, err)
					}
					if len(page) > limit {
						t.Fatalf("Edges(%+v) returned %d edges", pq, len(page))
					}
					got = append(got, page...)
					if len(page) < limit {
						break
					}
					pq.After = otherEnd(page[len(page)-1], q.Dir)
				}
				if g, w := edgeStrings(got), edgeStrings(full); !slices.Equal(g, w) {
					t.Errorf("pages of %d of %+v:\n got  %v\n want %v", limit, q, g, w)
				}
				n, err := r.CountEdges(ctx, graph.EdgeQuery{Key: q.Key, Dir: q.Dir, Relations: q.Relations, Kind: q.Kind,
					After: otherEnd(full[0], q.Dir), Limit: 1})
				if err != nil {
					return err
				}
				if n != len(full) {
					t.Errorf("CountEdges with After and Limit = %d, want %d (both ignored)", n, len(full))
				}
			}
		}
		return nil
	})
}

func testEdgesBadCursor(t *testing.T, o Opener) {
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, after := range []string{"p-brook", "zz-nowhere"} {
			_, err := r.Edges(ctx, graph.EdgeQuery{Key: "s-article", Dir: graph.In, After: after, Limit: 2})
			if !errors.Is(err, graph.ErrInvalid) {
				t.Errorf("Edges with After %q that is no edge of the query: %v, want ErrInvalid", after, err)
			}
		}
		return nil
	})
}

func testList(t *testing.T, o Opener) {
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, k := range graph.Kinds {
			want := sampleKeys(k)
			p, err := r.List(ctx, k, "", 2)
			if err != nil {
				return err
			}
			if !slices.Equal(p.Keys, want[:2]) || p.Total != len(want) || p.More != (len(want) > 2) {
				t.Errorf("List(%v, \"\", 2) = %+v, want keys %v total %d", k, p, want[:2], len(want))
			}
			for _, limit := range []int{1, 2, 3, 100} {
				got, err := listAll(ctx, r, k, limit)
				if err != nil {
					t.Error(err)
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("List(%v) in pages of %d = %v, want %v", k, limit, got, want)
				}
			}
			p, err = r.List(ctx, k, want[len(want)-1], 10)
			if err != nil {
				return err
			}
			if len(p.Keys) != 0 || p.More || p.Total != len(want) {
				t.Errorf("List(%v) after the last key = %+v", k, p)
			}
		}
		// A cursor need not be a stored key.
		p, err := r.List(ctx, graph.KindQuote, "q-b", 10)
		if err != nil {
			return err
		}
		if !slices.Equal(p.Keys, []string{"q-cafe", "q-dhs", "q-post"}) {
			t.Errorf("List(quote, q-b) = %v", p.Keys)
		}
		return nil
	})
}

func testLookupName(t *testing.T, o Opener) {
	s := loaded(t, o)
	apply(t, s, &graph.Batch{Nodes: []graph.Node{
		&graph.Person{Key: "p-chirp", Name: "CHIRP"},
		&graph.Organisation{Key: "o-gazette", Name: "Alder Daily", Kind: "media"},
	}})
	cases := []struct {
		value string
		want  []string
	}{
		{"DHS", []string{"o-dhs"}},
		{"dhs", []string{"o-dhs"}},
		{"Department of Harbour Safety", []string{"o-dhs"}},
		{"DEPARTMENT OF HARBOUR SAFETY", []string{"o-dhs"}},
		{"José Álvarez", []string{"p-alvarez"}},
		{"jose alvarez", []string{"p-alvarez"}},
		{"JOSÉ ALVAREZ", []string{"p-alvarez"}},
		{"pepe álvarez", []string{"p-alvarez"}},
		{"n. brook", []string{"p-brook"}},
		{"Chirp", []string{"o-chirp", "p-chirp"}},
		{"Alder Daily", []string{"o-gazette"}},
		{"Alder Gazette", nil},
		{"Alvarez", nil},
		{"Harbour", nil},
		{"nobody at all", nil},
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			got, err := r.Lookup(ctx, graph.IndexName, c.value)
			if err != nil {
				return err
			}
			sameKeys(t, fmt.Sprintf("Lookup(name, %q)", c.value), got, c.want)
		}
		return nil
	})
}

func testLookupURL(t *testing.T, o Opener) {
	s := loaded(t, o)
	b := SampleBatch()
	nodeOf(b, "s-post").(*graph.Source).URL = "https://chirp.example/alvarez/2"
	apply(t, s, b)
	cases := []struct {
		value string
		want  []string
	}{
		{"https://news.example/alder/night-ferry", []string{"s-article"}},
		{"https://dhs.example/reports/2026-02", []string{"s-report"}},
		{"https://chirp.example/alvarez/2", []string{"s-post"}},
		{"https://chirp.example/alvarez/1", nil},
		{"https://news.example/alder", nil},
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			got, err := r.Lookup(ctx, graph.IndexURL, c.value)
			if err != nil {
				return err
			}
			sameKeys(t, fmt.Sprintf("Lookup(url, %q)", c.value), got, c.want)
		}
		return nil
	})
}

// rangeCase is one Range call and its expected page.
type rangeCase struct {
	from, to time.Time
	after    string
	limit    int
	want     []string
	total    int
	more     bool
}

func checkRange(t *testing.T, s graph.Store, idx graph.Index, cases []rangeCase) {
	t.Helper()
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			p, err := r.Range(ctx, idx, c.from, c.to, c.after, c.limit)
			if err != nil {
				return err
			}
			if !slices.Equal(p.Keys, c.want) || p.Total != c.total || p.More != c.more {
				t.Errorf("Range(%s, %v, %v, %q, %d) = %+v, want keys %v total %d more %v",
					idx, c.from.Format(time.RFC3339Nano), c.to.Format(time.RFC3339Nano), c.after, c.limit, p, c.want, c.total, c.more)
			}
		}
		return nil
	})
}

func testRangeSaidAt(t *testing.T, o Opener) {
	s := loaded(t, o)
	// q-post 2026-03-01 (midnight UTC), q-ask 2026-02-28T21:15-05:00 (02:15 UTC on
	// March 1), q-dhs 2026-03-02; q-cafe has no date.
	at := func(h, m int) time.Time { return time.Date(2026, 3, 1, h, m, 0, 0, time.UTC) }
	checkRange(t, s, graph.IndexSaidAt, []rangeCase{
		{from: day(2026, 1, 1), to: day(2027, 1, 1), limit: 10, want: []string{"q-post", "q-ask", "q-dhs"}, total: 3},
		{from: day(2026, 3, 1), to: day(2026, 3, 2), limit: 10, want: []string{"q-post", "q-ask"}, total: 2},
		{from: at(1, 0), to: day(2026, 3, 3), limit: 10, want: []string{"q-ask", "q-dhs"}, total: 2},
		{from: at(0, 0), to: at(0, 0).Add(time.Nanosecond), limit: 10, want: []string{"q-post"}, total: 1},
		{from: at(2, 15), to: at(2, 16), limit: 10, want: []string{"q-ask"}, total: 1},
		{from: time.Date(2026, 2, 28, 21, 0, 0, 0, time.FixedZone("", -5*3600)), to: at(3, 0), limit: 10,
			want: []string{"q-ask"}, total: 1},
		{from: day(2025, 1, 1), to: day(2025, 2, 1), limit: 10, want: nil, total: 0},
		{from: day(2026, 1, 1), to: day(2027, 1, 1), limit: 1, want: []string{"q-post"}, total: 3, more: true},
		{from: day(2026, 1, 1), to: day(2027, 1, 1), after: "q-post", limit: 1, want: []string{"q-ask"}, total: 3, more: true},
		{from: day(2026, 1, 1), to: day(2027, 1, 1), after: "q-ask", limit: 1, want: []string{"q-dhs"}, total: 3},
		{from: day(2026, 1, 1), to: day(2027, 1, 1), after: "q-post", limit: 5, want: []string{"q-ask", "q-dhs"}, total: 3},
	})
}

func testRangePublishedAt(t *testing.T, o Opener) {
	s := loaded(t, o)
	// s-report 2026-02-20, s-post 2026-03-01, s-article 2026-03-02T08:30Z.
	all := []rangeCase{
		{from: day(2000, 1, 1), to: day(2100, 1, 1), limit: 10, want: []string{"s-report", "s-post", "s-article"}, total: 3},
		{from: day(2026, 3, 2), to: day(2026, 3, 3), limit: 10, want: []string{"s-article"}, total: 1},
		{from: day(2026, 3, 2), to: time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), limit: 10, want: nil, total: 0},
		{from: day(2000, 1, 1), to: day(2100, 1, 1), limit: 2, want: []string{"s-report", "s-post"}, total: 3, more: true},
		{from: day(2000, 1, 1), to: day(2100, 1, 1), after: "s-post", limit: 2, want: []string{"s-article"}, total: 3},
	}
	checkRange(t, s, graph.IndexPublishedAt, all)
	b := SampleBatch()
	nodeOf(b, "s-post").(*graph.Source).PublishedAt = "2026-02-01T12:00:00+01:00"
	apply(t, s, b)
	checkRange(t, s, graph.IndexPublishedAt, []rangeCase{
		{from: day(2000, 1, 1), to: day(2100, 1, 1), limit: 10, want: []string{"s-post", "s-report", "s-article"}, total: 3},
		{from: day(2026, 3, 1), to: day(2026, 3, 2), limit: 10, want: nil, total: 0},
		{from: time.Date(2026, 2, 1, 11, 0, 0, 0, time.UTC), to: time.Date(2026, 2, 1, 11, 0, 1, 0, time.UTC), limit: 10, want: []string{"s-post"}, total: 1},
	})
}

func testQuotesMatching(t *testing.T, o Opener) {
	cases := []struct {
		text string
		want []string
	}{
		{"night ferry", []string{"q-ask", "q-dhs", "q-post"}},
		{"NIGHT   FERRY", []string{"q-ask", "q-dhs", "q-post"}},
		{"night\tferry will", []string{"q-post"}},
		{"don't see", []string{"q-dhs"}},
		{"don’t see", []string{"q-dhs"}},
		{"DON'T SEE", []string{"q-dhs"}},
		{`"night ferry" incidents`, []string{"q-dhs"}},
		{"“night ferry”", []string{"q-dhs"}},
		{"cafe pier", []string{"q-cafe"}},
		{"CAFÉ PIER", []string{"q-cafe"}},
		{"less safe after dark", []string{"q-cafe"}},
		{"will keep running", []string{"q-post"}},
		{"keep the night ferry running", []string{"q-ask"}},
		{"submarine", nil},
	}
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			p, err := r.QuotesMatching(ctx, c.text, "", 10)
			if err != nil {
				return err
			}
			sameKeys(t, fmt.Sprintf("QuotesMatching(%q)", c.text), p.Keys, c.want)
			if p.Total != len(c.want) || p.More {
				t.Errorf("QuotesMatching(%q): total %d more %v, want total %d", c.text, p.Total, p.More, len(c.want))
			}
		}
		return nil
	})
}

func testQuotesMatchingPaging(t *testing.T, o Opener) {
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		full, err := r.QuotesMatching(ctx, "Ferry", "", 10)
		if err != nil {
			return err
		}
		sameKeys(t, "QuotesMatching(Ferry)", full.Keys, []string{"q-ask", "q-dhs", "q-post"})
		for _, limit := range []int{1, 2} {
			var got []string
			after := ""
			for i := 0; ; i++ {
				if i > 5 {
					t.Fatalf("paging QuotesMatching does not end")
				}
				p, err := r.QuotesMatching(ctx, "Ferry", after, limit)
				if err != nil {
					return err
				}
				if len(p.Keys) > limit || p.Total != 3 {
					t.Errorf("QuotesMatching(Ferry, %q, %d) = %+v", after, limit, p)
				}
				got = append(got, p.Keys...)
				if !p.More {
					break
				}
				if len(p.Keys) == 0 {
					t.Fatalf("QuotesMatching: More with no keys")
				}
				after = p.Keys[len(p.Keys)-1]
			}
			if !slices.Equal(got, full.Keys) {
				t.Errorf("QuotesMatching(Ferry) in pages of %d = %v, want %v", limit, got, full.Keys)
			}
		}
		return nil
	})
}

func testStats(t *testing.T, o Opener) {
	s := o.Open(t)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		if !sameStats(st, graph.Stats{}) {
			t.Errorf("Stats of an empty store = %+v", st)
		}
		return nil
	})
	b := SampleBatch()
	apply(t, s, b)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		for _, k := range graph.Kinds {
			if st.Nodes[k] != len(sampleKeys(k)) {
				t.Errorf("Stats.Nodes[%v] = %d, want %d", k, st.Nodes[k], len(sampleKeys(k)))
			}
		}
		if st.Links != len(b.Links) {
			t.Errorf("Stats.Links = %d, want %d", st.Links, len(b.Links))
		}
		if want := len(expectedEdges(b)); st.Edges != want {
			t.Errorf("Stats.Edges = %d, want %d", st.Edges, want)
		}
		sum := 0
		for _, n := range b.Nodes {
			c, err := r.CountEdges(ctx, graph.EdgeQuery{Key: n.NodeKey(), Dir: graph.Out})
			if err != nil {
				return err
			}
			sum += c
		}
		if st.Edges != sum {
			t.Errorf("Stats.Edges = %d, but the nodes have %d outgoing edges", st.Edges, sum)
		}
		return nil
	})
}
