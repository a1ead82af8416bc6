package graphtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"claimgraph/graph"
)

// Checks of graph.Selector: filtered lists and aggregations. The sample
// story gives exact answers written out by hand; on a generated corpus,
// many random selections (paged with every size from 1 to 7) and their
// groupings are compared with a brute-force answer computed here from the
// corpus itself (oracle), independently of any store.

// selectAll pages through a selection with pages of size, checking that
// pages join without gaps or duplicates, and returns the keys and the
// total of the first page.
func selectAll(t *testing.T, ctx context.Context, r graph.Reader, s graph.Selection, size int) ([]string, int) {
	t.Helper()
	s.Limit, s.After, s.Count = size, "", true
	var keys []string
	total := -2
	for range 10000 {
		p, err := r.Select(ctx, s)
		if err != nil {
			t.Fatalf("Select(%s): %v", selString(s), err)
		}
		if total == -2 {
			total = p.Total
		} else if p.Total != total {
			t.Fatalf("Select(%s): total %d on a later page, %d on the first", selString(s), p.Total, total)
		}
		if len(p.Cursors) != len(p.Keys) || len(p.Keys) > size {
			t.Fatalf("Select(%s): %d keys, %d cursors, limit %d", selString(s), len(p.Keys), len(p.Cursors), size)
		}
		keys = append(keys, p.Keys...)
		if !p.More {
			return keys, total
		}
		if len(p.Keys) == 0 {
			t.Fatalf("Select(%s): an empty page with More", selString(s))
		}
		s.After = p.Cursors[len(p.Cursors)-1]
	}
	t.Fatalf("Select(%s): more than 10000 pages", selString(s))
	return nil, 0
}

// selString renders a selection for messages.
func selString(s graph.Selection) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", s.Kind.Section())
	for _, f := range s.Facets {
		fmt.Fprintf(&b, " %s=%v", f.Facet, f.Values)
	}
	if s.Text != "" {
		fmt.Fprintf(&b, " text=%q", s.Text)
	}
	if !s.From.IsZero() || !s.To.IsZero() {
		fmt.Fprintf(&b, " [%s, %s)", s.From.Format(time.RFC3339), s.To.Format(time.RFC3339))
	}
	if s.Min != nil {
		fmt.Fprintf(&b, " min=%v", *s.Min)
	}
	if s.Max != nil {
		fmt.Fprintf(&b, " max=%v", *s.Max)
	}
	fmt.Fprintf(&b, " order=%q desc=%v", s.Order, s.Desc)
	return b.String()
}

func num(f float64) *float64 { return &f }

func facet(f graph.Facet, vs ...string) graph.FacetFilter {
	return graph.FacetFilter{Facet: f, Values: vs}
}

func facets(fs ...graph.FacetFilter) []graph.FacetFilter { return fs }

// selectCase is a selection of the sample story and its exact answer.
type selectCase struct {
	name string
	s    graph.Selection
	want []string // in order
}

func sampleSelectCases() []selectCase {
	q, src, fig := graph.KindQuote, graph.KindSource, graph.KindFigure
	march1, march2 := day(2026, 3, 1), day(2026, 3, 2)
	return []selectCase{
		{"all quotes in key order", graph.Selection{Kind: q}, []string{"q-ask", "q-cafe", "q-dhs", "q-post"}},
		{"all quotes, key order descending", graph.Selection{Kind: q, Desc: true}, []string{"q-post", "q-dhs", "q-cafe", "q-ask"}},
		{"quotes by said_at, undated last", graph.Selection{Kind: q, Order: graph.OrderValue}, []string{"q-post", "q-ask", "q-dhs", "q-cafe"}},
		{"quotes by said_at descending, undated last", graph.Selection{Kind: q, Order: graph.OrderValue, Desc: true}, []string{"q-dhs", "q-ask", "q-post", "q-cafe"}},
		{"speaker", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSpeaker, "p-alvarez"))}, []string{"q-post"}},
		{"speakers: any of them", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSpeaker, "p-alvarez", "o-dhs", "p-nobody"))}, []string{"q-dhs", "q-post"}},
		{"speaker value twice", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSpeaker, "o-dhs", "o-dhs"))}, []string{"q-dhs"}},
		{"no values match nothing", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSpeaker))}, nil},
		{"unknown speaker", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSpeaker, "p-nobody"))}, nil},
		{"source", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSource, "s-article"))}, []string{"q-ask", "q-dhs", "q-post"}},
		{"publisher of the source", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetPublisher, "o-chirp"))}, []string{"q-cafe"}},
		{"mode, folded", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetMode, "DIRECT"))}, []string{"q-dhs", "q-post"}},
		{"mode and speaker", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetMode, "direct"), facet(graph.FacetSpeaker, "o-dhs", "p-okafor"))}, []string{"q-dhs"}},
		{"three facets", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetPublisher, "o-gazette"), facet(graph.FacetSource, "s-article"), facet(graph.FacetMode, "indirect", "direct")), Desc: true}, []string{"q-post", "q-dhs", "q-ask"}},
		{"disjoint facets", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSpeaker, "o-dhs"), facet(graph.FacetMode, "indirect"))}, nil},
		{"one day of said_at", graph.Selection{Kind: q, From: march1, To: march2}, []string{"q-post", "q-ask"}},
		{"one day, descending", graph.Selection{Kind: q, From: march1, To: march2, Desc: true}, []string{"q-ask", "q-post"}},
		{"said_at from", graph.Selection{Kind: q, From: march2}, []string{"q-dhs"}},
		{"said_at to", graph.Selection{Kind: q, To: day(2026, 3, 1).Add(2 * time.Hour)}, []string{"q-post"}},
		{"said_at to is exclusive", graph.Selection{Kind: q, To: march1}, nil},
		{"said_at and speaker", graph.Selection{Kind: q, From: march1, To: march2, Facets: facets(facet(graph.FacetSpeaker, "p-okafor", "o-dhs"))}, []string{"q-ask"}},
		{"source kind", graph.Selection{Kind: src, Facets: facets(facet(graph.FacetKind, "Article", "call"))}, []string{"s-article", "s-call"}},
		{"source publisher", graph.Selection{Kind: src, Facets: facets(facet(graph.FacetPublisher, "o-dhs"))}, []string{"s-report"}},
		{"sources by published_at", graph.Selection{Kind: src, Order: graph.OrderValue}, []string{"s-report", "s-post", "s-article", "s-call"}},
		{"sources by published_at descending", graph.Selection{Kind: src, Order: graph.OrderValue, Desc: true}, []string{"s-article", "s-post", "s-report", "s-call"}},
		{"published_at range", graph.Selection{Kind: src, From: march1}, []string{"s-post", "s-article"}},
		{"figure unit, normalised", graph.Selection{Kind: fig, Facets: facets(facet(graph.FacetUnit, "%"))}, []string{"f-incidents", "f-incidents-cited"}},
		{"figure measure, folded", graph.Selection{Kind: fig, Facets: facets(facet(graph.FacetMeasure, "Ferry  Incidents"))}, []string{"f-incidents"}},
		{"figure stated_by", graph.Selection{Kind: fig, Facets: facets(facet(graph.FacetStatedBy, "o-dhs", "o-council"))}, []string{"f-complaints", "f-incidents"}},
		{"figure source", graph.Selection{Kind: fig, Facets: facets(facet(graph.FacetSource, "s-report"))}, []string{"f-incidents"}},
		{"figure publisher of the source", graph.Selection{Kind: fig, Facets: facets(facet(graph.FacetPublisher, "o-gazette"))}, []string{"f-complaints", "f-incidents-cited"}},
		{"figures by value, ties by key", graph.Selection{Kind: fig, Order: graph.OrderValue}, []string{"f-complaints", "f-incidents", "f-incidents-cited"}},
		{"figures by value descending", graph.Selection{Kind: fig, Order: graph.OrderValue, Desc: true}, []string{"f-incidents-cited", "f-incidents", "f-complaints"}},
		{"figure value min", graph.Selection{Kind: fig, Min: num(40)}, []string{"f-incidents", "f-incidents-cited"}},
		{"figure value max is inclusive", graph.Selection{Kind: fig, Max: num(12)}, []string{"f-complaints"}},
		{"figure value between", graph.Selection{Kind: fig, Min: num(12.5), Max: num(40)}, []string{"f-incidents", "f-incidents-cited"}},
		{"figure value one point", graph.Selection{Kind: fig, Min: num(40), Max: num(40), Facets: facets(facet(graph.FacetUnit, "percent"))}, []string{"f-incidents", "f-incidents-cited"}},
		{"figure value none", graph.Selection{Kind: fig, Min: num(-5), Max: num(11.99)}, nil},
		{"affiliation", graph.Selection{Kind: graph.KindPerson, Facets: facets(facet(graph.FacetAffiliation, "o-dhs"))}, []string{"p-okafor"}},
		{"organisation kind", graph.Selection{Kind: graph.KindOrganisation, Facets: facets(facet(graph.FacetKind, "government"))}, []string{"o-council", "o-dhs"}},
		{"organisation parent", graph.Selection{Kind: graph.KindOrganisation, Facets: facets(facet(graph.FacetParent, "o-council"))}, []string{"o-dhs"}},
		{"claims about", graph.Selection{Kind: graph.KindClaim, Facets: facets(facet(graph.FacetAbout, "o-dhs"))}, []string{"c-ferry-safe"}},
		{"text", graph.Selection{Kind: q, Text: "night ferry"}, []string{"q-ask", "q-dhs", "q-post"}},
		{"text as whoSaid compares it", graph.Selection{Kind: q, Text: "DON'T  see"}, []string{"q-dhs"}},
		{"text words in order", graph.Selection{Kind: q, Text: "keep running"}, []string{"q-post"}},
		{"text partial word", graph.Selection{Kind: q, Text: "ferry runn"}, nil},
		{"text and speaker", graph.Selection{Kind: q, Text: "night ferry", Facets: facets(facet(graph.FacetSpeaker, "p-okafor"))}, []string{"q-ask"}},
		{"text and range", graph.Selection{Kind: q, Text: "night ferry", From: march2, Desc: true}, []string{"q-dhs"}},
		{"text of a source title", graph.Selection{Kind: src, Text: "harbour safety"}, []string{"s-report"}},
		{"text of a name", graph.Selection{Kind: graph.KindPerson, Text: "alvarez"}, []string{"p-alvarez"}},
		{"text of an alias", graph.Selection{Kind: graph.KindOrganisation, Text: "dhs"}, []string{"o-dhs"}},
		{"text of a claim", graph.Selection{Kind: graph.KindClaim, Text: "cafe pier"}, []string{"c-pier-unsafe"}},
		{"text of a figure", graph.Selection{Kind: fig, Text: "fewer incidents"}, []string{"f-incidents-cited"}},
		{"text nowhere", graph.Selection{Kind: q, Text: "unicorn"}, nil},
	}
}

func testSelectSample(t *testing.T, o Opener) {
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range sampleSelectCases() {
			for size := 1; size <= 5; size++ {
				got, total := selectAll(t, ctx, r, c.s, size)
				if !slices.Equal(got, c.want) || total != len(c.want) {
					t.Errorf("%s: Select(%s) pages of %d = %q (total %d), want %q", c.name, selString(c.s), size, got, total, c.want)
					break
				}
			}
			c.s.Limit = 0
			p, err := r.Select(ctx, c.s)
			if err != nil {
				return err
			}
			if len(p.Keys) != 0 || p.More != (len(c.want) > 0) || p.Total != -1 {
				t.Errorf("%s: Select with Limit 0 = %+v", c.name, p)
			}
		}
		return nil
	})
}

func testSelectCursors(t *testing.T, o Opener) {
	s := loaded(t, o)
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		sel := graph.Selection{Kind: graph.KindQuote, Order: graph.OrderValue, Limit: 10}
		p, err := r.Select(ctx, sel)
		if err != nil {
			return err
		}
		// Each cursor continues after its key, in either direction.
		for i, c := range p.Cursors {
			sel.After = c
			next, err := r.Select(ctx, sel)
			if err != nil {
				return err
			}
			if !slices.Equal(next.Keys, p.Keys[i+1:]) {
				t.Errorf("after %s: %q, want %q", p.Keys[i], next.Keys, p.Keys[i+1:])
			}
			desc := sel
			desc.Desc = true
			back, err := r.Select(ctx, desc)
			if err != nil {
				return err
			}
			// Descending: q-dhs, q-ask, q-post, then the undated q-cafe.
			descending := []string{"q-dhs", "q-ask", "q-post", "q-cafe"}
			want := descending[slices.Index(descending, p.Keys[i])+1:]
			if !slices.Equal(back.Keys, want) {
				t.Errorf("descending after %s: %q, want %q", p.Keys[i], back.Keys, want)
			}
		}
		// A cursor of a key that is no longer (or never was) selected
		// still marks a position.
		c := graph.SelectCursor{Kind: graph.KindQuote, Order: graph.OrderKey, Key: "q-b"}.String()
		page, err := r.Select(ctx, graph.Selection{Kind: graph.KindQuote, After: c, Limit: 10})
		if err != nil {
			return err
		}
		if !slices.Equal(page.Keys, []string{"q-cafe", "q-dhs", "q-post"}) {
			t.Errorf("after the position q-b: %q", page.Keys)
		}
		return nil
	})
}

func testSelectInvalid(t *testing.T, o Opener) {
	s := loaded(t, o)
	keyCursor := graph.SelectCursor{Kind: graph.KindQuote, Order: graph.OrderKey, Key: "q-ask"}.String()
	srcCursor := graph.SelectCursor{Kind: graph.KindSource, Order: graph.OrderKey, Key: "s-post"}.String()
	q := graph.KindQuote
	cases := []struct {
		name  string
		s     graph.Selection
		field string
	}{
		{"no kind", graph.Selection{}, "kind"},
		{"facet of another kind", graph.Selection{Kind: graph.KindSource, Facets: facets(facet(graph.FacetSpeaker, "p-brook"))}, "facets[0]"},
		{"unknown facet", graph.Selection{Kind: q, Facets: facets(facet("colour", "red"))}, "facets[0]"},
		{"second facet", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetMode, "direct"), facet(graph.FacetUnit, "percent"))}, "facets[1]"},
		{"date range on people", graph.Selection{Kind: graph.KindPerson, From: day(2026, 1, 1)}, "from/to"},
		{"date range on figures", graph.Selection{Kind: graph.KindFigure, To: day(2026, 1, 1)}, "from/to"},
		{"value range on quotes", graph.Selection{Kind: q, Min: num(1)}, "min/max"},
		{"range in key order", graph.Selection{Kind: q, From: day(2026, 1, 1), Order: graph.OrderKey}, "order"},
		{"value order without a value", graph.Selection{Kind: graph.KindClaim, Order: graph.OrderValue}, "order"},
		{"unknown order", graph.Selection{Kind: q, Order: "size"}, "order"},
		{"min above max", graph.Selection{Kind: graph.KindFigure, Min: num(3), Max: num(2)}, "min/max"},
		{"from not before to", graph.Selection{Kind: q, From: day(2026, 1, 2), To: day(2026, 1, 2)}, "from/to"},
		{"from after to", graph.Selection{Kind: q, From: day(2026, 1, 3), To: day(2026, 1, 2)}, "from/to"},
		{"negative limit", graph.Selection{Kind: q, Limit: -1}, "limit"},
		{"text without words", graph.Selection{Kind: q, Text: " -- !! "}, "text"},
		{"cursor that does not decode", graph.Selection{Kind: q, After: "!!"}, "after"},
		{"cursor of another kind", graph.Selection{Kind: q, After: srcCursor}, "after"},
		{"cursor of another order", graph.Selection{Kind: q, Order: graph.OrderValue, After: keyCursor}, "after"},
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			_, err := r.Select(ctx, c.s)
			if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), c.field) {
				t.Errorf("%s: Select err = %v, want ErrInvalid naming %q", c.name, err, c.field)
			}
			if _, err := r.Aggregate(ctx, c.s, graph.GroupPublisher, 0); c.field != "after" && c.field != "limit" && c.field != "order" && !errors.Is(err, graph.ErrInvalid) {
				t.Errorf("%s: Aggregate err = %v, want ErrInvalid", c.name, err)
			}
		}
		if _, err := r.Aggregate(ctx, graph.Selection{Kind: graph.KindFigure}, graph.GroupSpeaker, 0); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Aggregate of figures by speaker: err %v, want ErrInvalid", err)
		}
		if _, err := r.Aggregate(ctx, graph.Selection{Kind: q}, graph.GroupSpeaker, -1); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Aggregate with a negative limit: err %v, want ErrInvalid", err)
		}
		return nil
	})
}

func groups(kv ...any) []graph.Group {
	var out []graph.Group
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, graph.Group{Value: kv[i].(string), Count: kv[i+1].(int)})
	}
	return out
}

func testAggregateSample(t *testing.T, o Opener) {
	s := loaded(t, o)
	q, fig := graph.KindQuote, graph.KindFigure
	cases := []struct {
		name  string
		s     graph.Selection
		by    graph.Grouping
		limit int
		want  []graph.Group
	}{
		{"quotes by speaker", graph.Selection{Kind: q}, graph.GroupSpeaker, 0, groups("", 1, "o-dhs", 1, "p-alvarez", 1, "p-okafor", 1)},
		{"quotes by speaker, limit", graph.Selection{Kind: q}, graph.GroupSpeaker, 2, groups("", 1, "o-dhs", 1)},
		{"quotes by month", graph.Selection{Kind: q}, graph.GroupMonth, 0, groups("2026-03", 3, "", 1)},
		{"quotes by publisher", graph.Selection{Kind: q}, graph.GroupPublisher, 0, groups("o-gazette", 3, "o-chirp", 1)},
		{"direct quotes by speaker", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetMode, "direct"))}, graph.GroupSpeaker, 0, groups("o-dhs", 1, "p-alvarez", 1)},
		{"quotes of a day by month", graph.Selection{Kind: q, From: day(2026, 3, 1), To: day(2026, 3, 2)}, graph.GroupMonth, 0, groups("2026-03", 2)},
		{"quotes with words by publisher", graph.Selection{Kind: q, Text: "night ferry"}, graph.GroupPublisher, 0, groups("o-gazette", 3)},
		{"figures by measure", graph.Selection{Kind: fig}, graph.GroupMeasure, 0, groups("", 1, "ferry incidents", 1, "rider complaints", 1)},
		{"figures by unit", graph.Selection{Kind: fig}, graph.GroupUnit, 0, groups("percent", 2, "complaints", 1)},
		{"figures by publisher", graph.Selection{Kind: fig}, graph.GroupPublisher, 0, groups("o-gazette", 2, "o-dhs", 1)},
		{"figures of at least 40 by unit", graph.Selection{Kind: fig, Min: num(40)}, graph.GroupUnit, 0, groups("percent", 2)},
		{"sources by kind", graph.Selection{Kind: graph.KindSource}, graph.GroupKind, 0, groups("article", 1, "call", 1, "report", 1, "social_post", 1)},
		{"sources by month", graph.Selection{Kind: graph.KindSource}, graph.GroupMonth, 0, groups("2026-03", 2, "", 1, "2026-02", 1)},
		{"sources by publisher", graph.Selection{Kind: graph.KindSource}, graph.GroupPublisher, 0, groups("", 1, "o-chirp", 1, "o-dhs", 1, "o-gazette", 1)},
		{"organisations by kind", graph.Selection{Kind: graph.KindOrganisation}, graph.GroupKind, 0, groups("government", 2, "media", 2)},
		{"nothing selected", graph.Selection{Kind: q, Facets: facets(facet(graph.FacetSpeaker, "p-nobody"))}, graph.GroupSpeaker, 0, nil},
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, c := range cases {
			got, err := r.Aggregate(ctx, c.s, c.by, c.limit)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("%s: Aggregate = %v, want %v", c.name, got, c.want)
			}
		}
		return nil
	})
}

// testSelectChanges checks that facets follow changes: a quote changes
// speaker, a source changes publisher (its quotes and figures follow), a
// merge, a retraction; and that ViewAt sees the facets as they were.
func testSelectChanges(t *testing.T, o Opener) {
	s := loaded(t, o)
	before := apply(t, s, &graph.Batch{}).At
	speakerOf := func(key string) graph.Selection {
		return graph.Selection{Kind: graph.KindQuote, Facets: facets(facet(graph.FacetSpeaker, key))}
	}
	publisherOf := func(k graph.Kind, key string) graph.Selection {
		return graph.Selection{Kind: k, Facets: facets(facet(graph.FacetPublisher, key))}
	}
	check := func(r graph.Reader, ctx context.Context, what string, sel graph.Selection, want ...string) {
		t.Helper()
		got, total := selectAll(t, ctx, r, sel, 2)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) || total != len(want) {
			t.Errorf("%s: Select(%s) = %q (total %d), want %q", what, selString(sel), got, total, want)
		}
	}
	// The quote q-post changes speaker and day; the article changes
	// publisher, in the same batch as an unchanged quote of it; the
	// post loses its publisher in a batch of its own.
	q := nodeOf(SampleBatch(), "q-post").(*graph.Quote)
	q.Speaker, q.SaidAt = "p-brook", "2026-03-05"
	article := nodeOf(SampleBatch(), "s-article").(*graph.Source)
	article.Publisher = "o-chirp"
	mid := apply(t, s, &graph.Batch{Nodes: []graph.Node{q, article, nodeOf(SampleBatch(), "q-dhs")}}).At
	post := nodeOf(SampleBatch(), "s-post").(*graph.Source)
	post.Publisher = ""
	apply(t, s, &graph.Batch{Nodes: []graph.Node{post}})
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		check(r, ctx, "old speaker", speakerOf("p-alvarez"))
		check(r, ctx, "new speaker", speakerOf("p-brook"), "q-post")
		check(r, ctx, "new day", graph.Selection{Kind: graph.KindQuote, From: day(2026, 3, 5), To: day(2026, 3, 6)}, "q-post")
		check(r, ctx, "quotes of the new publisher", publisherOf(graph.KindQuote, "o-chirp"), "q-ask", "q-dhs", "q-post")
		check(r, ctx, "quotes of the old publisher", publisherOf(graph.KindQuote, "o-gazette"))
		check(r, ctx, "figures of the new publisher", publisherOf(graph.KindFigure, "o-chirp"), "f-complaints", "f-incidents-cited")
		check(r, ctx, "sources of the new publisher", publisherOf(graph.KindSource, "o-chirp"), "s-article")
		got, err := r.Aggregate(ctx, graph.Selection{Kind: graph.KindQuote}, graph.GroupPublisher, 0)
		if err != nil {
			return err
		}
		if want := groups("o-chirp", 3, "", 1); !slices.Equal(got, want) {
			t.Errorf("quotes by publisher after the changes: %v, want %v", got, want)
		}
		return nil
	})
	viewAt(t, s, before, func(ctx context.Context, r graph.Reader) error {
		check(r, ctx, "as of before: old speaker", speakerOf("p-alvarez"), "q-post")
		check(r, ctx, "as of before: publisher", publisherOf(graph.KindQuote, "o-gazette"), "q-ask", "q-dhs", "q-post")
		check(r, ctx, "as of before: figures", publisherOf(graph.KindFigure, "o-chirp"))
		return nil
	})
	viewAt(t, s, mid, func(ctx context.Context, r graph.Reader) error {
		check(r, ctx, "as of the first change: the post's quote", publisherOf(graph.KindQuote, "o-chirp"), "q-ask", "q-cafe", "q-dhs", "q-post")
		return nil
	})
	// Merges: a person, then the new publisher into the old one.
	apply(t, s, mergeBatch())
	apply(t, s, &graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-dup"}, Into: "p-alvarez"}}})
	apply(t, s, &graph.Batch{Retracts: []graph.Retract{{Key: "q-ask", Reason: "misattributed"}}})
	apply(t, s, &graph.Batch{Merges: []graph.Merge{{Keys: []string{"o-chirp"}, Into: "o-gazette"}}})
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		check(r, ctx, "speaker merged into another", speakerOf("p-alvarez"), "q-dup")
		check(r, ctx, "a merged key stands for its node", speakerOf("p-dup"), "q-dup")
		check(r, ctx, "claims about the merged", graph.Selection{Kind: graph.KindClaim, Facets: facets(facet(graph.FacetAbout, "p-alvarez"))}, "c-both")
		check(r, ctx, "publisher merged: quotes (a retracted one too)", publisherOf(graph.KindQuote, "o-gazette"), "q-ask", "q-dhs", "q-post")
		check(r, ctx, "publisher merged: by its old key", publisherOf(graph.KindQuote, "o-chirp"), "q-ask", "q-dhs", "q-post")
		check(r, ctx, "publisher merged: sources", publisherOf(graph.KindSource, "o-gazette"), "s-article")
		check(r, ctx, "publisher merged: figures", publisherOf(graph.KindFigure, "o-gazette"), "f-complaints", "f-incidents-cited")
		check(r, ctx, "people affiliated", graph.Selection{Kind: graph.KindPerson, Facets: facets(facet(graph.FacetAffiliation, "o-chirp"))}, "p-alvarez")
		check(r, ctx, "organisations of the kind", graph.Selection{Kind: graph.KindOrganisation, Facets: facets(facet(graph.FacetKind, "media"))}, "o-gazette")
		got, err := r.Aggregate(ctx, graph.Selection{Kind: graph.KindQuote}, graph.GroupSpeaker, 0)
		if err != nil {
			return err
		}
		if want := groups("", 1, "o-dhs", 1, "p-alvarez", 1, "p-brook", 1, "p-okafor", 1); !slices.Equal(got, want) {
			t.Errorf("quotes by speaker after the merge: %v, want %v", got, want)
		}
		return nil
	})
}

// Generated corpus.

var corpusWords = strings.Fields("ferry harbour night crime safe running council police rise down way numbers mayor pier agents fewer report river bridge winter")

// selectCorpus generates a small random graph whose values repeat (ties,
// shared days, case and unit spellings that fold together, missing
// values), for comparing a store with memgraph.
func selectCorpus(seed uint64) *graph.Batch {
	r := rand.New(rand.NewPCG(seed, 11))
	b := &graph.Batch{By: "graphtest", Note: "select corpus"}
	text := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = corpusWords[r.IntN(len(corpusWords))]
		}
		if r.IntN(5) == 0 {
			ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
		}
		return strings.Join(ws, " ")
	}
	date := func(none int) string {
		if r.IntN(100) < none {
			return ""
		}
		d := day(2025, 11, 1).AddDate(0, 0, r.IntN(120))
		if r.IntN(3) == 0 {
			return d.Add(time.Duration(r.IntN(86400)) * time.Second).Format(time.RFC3339)
		}
		return d.Format(time.DateOnly)
	}
	var orgs, agents, sources []string
	for i := range 8 {
		k := fmt.Sprintf("o-%d", i)
		o := &graph.Organisation{Key: k, Name: "Org " + text(2), Kind: graph.OrganisationKinds[r.IntN(4)]}
		if i > 2 && r.IntN(2) == 0 {
			o.Parent = orgs[r.IntN(len(orgs))]
		}
		orgs = append(orgs, k)
		b.Nodes = append(b.Nodes, o)
	}
	agents = slices.Clone(orgs)
	for i := range 20 {
		k := fmt.Sprintf("p-%02d", i)
		p := &graph.Person{Key: k, Name: "Person " + text(2)}
		for range r.IntN(3) {
			p.Affiliations = append(p.Affiliations, graph.Affiliation{Organisation: orgs[r.IntN(len(orgs))], Role: "member"})
		}
		agents = append(agents, k)
		b.Nodes = append(b.Nodes, p)
	}
	for i := range 30 {
		k := fmt.Sprintf("s-%02d", i)
		s := &graph.Source{Key: k, Kind: graph.SourceKinds[r.IntN(5)], Title: text(3), PublishedAt: date(15)}
		if r.IntN(5) > 0 {
			s.Publisher = orgs[r.IntN(len(orgs))]
		}
		sources = append(sources, k)
		b.Nodes = append(b.Nodes, s)
	}
	for i := range 15 {
		c := &graph.Claim{Key: fmt.Sprintf("c-%02d", i), Text: text(5)}
		for range r.IntN(3) {
			if a := agents[r.IntN(len(agents))]; !slices.Contains(c.About, a) {
				c.About = append(c.About, a)
			}
		}
		b.Nodes = append(b.Nodes, c)
	}
	for i := range 160 {
		q := &graph.Quote{Key: fmt.Sprintf("q-%03d", i), Text: text(3 + r.IntN(6)), Source: sources[r.IntN(len(sources))], SaidAt: date(15)}
		if r.IntN(10) > 0 {
			q.Speaker = agents[r.IntN(len(agents))]
		}
		if r.IntN(10) > 0 {
			q.Mode = graph.QuoteModes[r.IntN(len(graph.QuoteModes))]
		}
		b.Nodes = append(b.Nodes, q)
	}
	units := []string{"percent", "%", "people", "USD", "tonnes"}
	measures := []string{"", "shootings", "Shootings", "ferry incidents", "Fähre delays"}
	for i := range 40 {
		f := &graph.Figure{Key: fmt.Sprintf("f-%02d", i), Text: text(3), Value: float64(r.IntN(9)-3) * 2.5,
			Unit: units[r.IntN(len(units))], Measure: measures[r.IntN(len(measures))], Source: sources[r.IntN(len(sources))]}
		if r.IntN(4) > 0 {
			f.StatedBy = agents[r.IntN(len(agents))]
		}
		b.Nodes = append(b.Nodes, f)
	}
	return b
}

// randomSelection draws a selection of kind k over the corpus's values.
func randomSelection(r *rand.Rand, k graph.Kind, b *graph.Batch) graph.Selection {
	values := map[graph.Facet][]string{
		graph.FacetMode:    {"direct", "Indirect", "partial", "paraphrase"},
		graph.FacetKind:    {"article", "social_post", "STATEMENT", "government", "company", "media"},
		graph.FacetUnit:    {"percent", "per cent", "people", "usd", "Tonnes", "kg"},
		graph.FacetMeasure: {"shootings", "Ferry Incidents", "fahre delays", "none such"},
	}
	for _, n := range b.Nodes {
		switch n.NodeKind() {
		case graph.KindOrganisation:
			for _, f := range []graph.Facet{graph.FacetPublisher, graph.FacetStatedBy, graph.FacetSpeaker, graph.FacetAffiliation, graph.FacetParent, graph.FacetAbout} {
				values[f] = append(values[f], n.NodeKey())
			}
		case graph.KindPerson:
			for _, f := range []graph.Facet{graph.FacetStatedBy, graph.FacetSpeaker, graph.FacetAbout} {
				values[f] = append(values[f], n.NodeKey())
			}
		case graph.KindSource:
			values[graph.FacetSource] = append(values[graph.FacetSource], n.NodeKey())
		}
	}
	s := graph.Selection{Kind: k}
	var fs []graph.Facet
	for _, f := range graph.Facets {
		if f.AppliesTo(k) {
			fs = append(fs, f)
		}
	}
	for _, f := range fs {
		if r.IntN(3) > 0 {
			continue
		}
		ff := graph.FacetFilter{Facet: f}
		for range 1 + r.IntN(3) {
			vs := values[f]
			ff.Values = append(ff.Values, vs[r.IntN(len(vs))])
		}
		s.Facets = append(s.Facets, ff)
	}
	if r.IntN(4) == 0 {
		s.Text = corpusWords[r.IntN(len(corpusWords))]
		if r.IntN(2) == 0 {
			s.Text += " " + corpusWords[r.IntN(len(corpusWords))]
		}
	}
	switch {
	case (k == graph.KindQuote || k == graph.KindSource) && r.IntN(3) == 0:
		from := day(2025, 11, 1).AddDate(0, 0, r.IntN(120))
		switch r.IntN(3) {
		case 0:
			s.From, s.To = from, from.AddDate(0, 0, 1+r.IntN(20))
		case 1:
			s.From = from
		default:
			s.To = from
		}
	case k == graph.KindFigure && r.IntN(3) == 0:
		if r.IntN(2) == 0 {
			s.Min = num(float64(r.IntN(9)-3) * 2.5)
		}
		if r.IntN(2) == 0 {
			s.Max = num(float64(r.IntN(9)-3)*2.5 + float64(r.IntN(3)))
		}
		if s.Min != nil && s.Max != nil && *s.Min > *s.Max {
			s.Min, s.Max = s.Max, s.Min
		}
	}
	if _, ok := graph.ValueKinds[k]; ok {
		switch r.IntN(3) {
		case 0:
			s.Order = graph.OrderValue
		case 1:
			if !s.HasRange() {
				s.Order = graph.OrderKey
			}
		}
	}
	s.Desc = r.IntN(2) == 0
	return s
}

// oracleNode is what the oracle knows of a node of the corpus.
type oracleNode struct {
	key    string
	pos    graph.SelectCursor // in value order
	facets map[graph.Facet][]string
	texts  []string
}

// oracle answers selections over a batch without merges, by brute force.
type oracle map[graph.Kind][]oracleNode

// foldPlain folds the corpus's texts (ASCII words) as whoSaid does.
func foldPlain(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func newOracle(ctx context.Context, b *graph.Batch) (oracle, error) {
	publishers := map[string]string{}
	for _, n := range b.Nodes {
		if s, ok := n.(*graph.Source); ok {
			publishers[s.Key] = s.Publisher
		}
	}
	canon := func(_ context.Context, k string) (string, error) { return k, nil }
	publisher := func(_ context.Context, k string) (string, error) { return publishers[k], nil }
	o := oracle{}
	for _, n := range b.Nodes {
		fs, err := graph.FacetValues(ctx, n, canon, publisher)
		if err != nil {
			return nil, err
		}
		v, ok := graph.NodeSortValue(n)
		k := n.NodeKind()
		o[k] = append(o[k], oracleNode{key: n.NodeKey(), facets: fs, texts: graph.SelectTexts(n),
			pos: graph.SelectCursor{Kind: k, Order: graph.OrderValue, HasValue: ok, Value: v, Key: n.NodeKey()}})
	}
	return o, nil
}

// matches returns the nodes s selects, in its order.
func (o oracle) matches(s graph.Selection) []oracleNode {
	lo, hi, ranged, _ := s.ValueBounds()
	var out []oracleNode
	for _, n := range o[s.Kind] {
		ok := true
		for _, f := range s.Facets {
			hit := false
			for _, v := range f.Values {
				hit = hit || slices.Contains(n.facets[f.Facet], graph.NormalFacetValue(f.Facet, v))
			}
			ok = ok && hit
		}
		if ranged {
			ok = ok && n.pos.HasValue && lo <= n.pos.Value && n.pos.Value <= hi
		}
		if s.Text != "" {
			ok = ok && graph.TextMatches(n.texts, foldPlain(s.Text), graph.TextTerms(s.Text), foldPlain)
		}
		if ok {
			out = append(out, n)
		}
	}
	pos := func(n oracleNode) graph.SelectCursor {
		if s.EffectiveOrder() == graph.OrderKey {
			return graph.SelectCursor{Kind: s.Kind, Order: graph.OrderKey, Key: n.key}
		}
		return n.pos
	}
	slices.SortFunc(out, func(a, b oracleNode) int { return pos(a).Compare(pos(b), s.Desc) })
	return out
}

func (o oracle) keys(s graph.Selection) []string {
	var out []string
	for _, n := range o.matches(s) {
		out = append(out, n.key)
	}
	return out
}

func (o oracle) aggregate(s graph.Selection, by graph.Grouping) []graph.Group {
	counts := map[string]int{}
	f, isFacet := by.Facet()
	for _, n := range o.matches(s) {
		switch {
		case isFacet && len(n.facets[f]) == 0, !isFacet && !n.pos.HasValue:
			counts[""]++
		case isFacet:
			for _, v := range n.facets[f] {
				counts[v]++
			}
		default:
			counts[graph.SortValueMonth(n.pos.Value)]++
		}
	}
	var gs []graph.Group
	for v, c := range counts {
		gs = append(gs, graph.Group{Value: v, Count: c})
	}
	return graph.SortGroups(gs, 0)
}

// testSelectCorpus compares the store with the oracle on a generated
// corpus: random selections of every kind paged with every size from 1 to
// 7, counts, and every grouping of each, with and without a limit.
func testSelectCorpus(t *testing.T, o Opener) {
	s := o.Open(t)
	b := selectCorpus(1)
	apply(t, s, b)
	want, err := newOracle(t.Context(), selectCorpus(1))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	nonEmpty, draws := 0, 120
	read(t, s, func(ctx context.Context, rd graph.Reader) error {
		for i := range draws {
			k := graph.Kinds[i%len(graph.Kinds)]
			sel := randomSelection(r, k, b)
			if i < len(graph.Kinds) { // one unfiltered selection of each kind
				sel = graph.Selection{Kind: k}
			}
			keys := want.keys(sel)
			if len(keys) > 0 {
				nonEmpty++
			}
			size := 1 + i%7
			got, total := selectAll(t, ctx, rd, sel, size)
			if !slices.Equal(got, keys) || total != len(keys) {
				t.Errorf("Select(%s) pages of %d:\n got %q (total %d)\nwant %q", selString(sel), size, got, total, keys)
			}
			for g, ks := range graph.GroupingKinds {
				if !slices.Contains(ks, k) {
					continue
				}
				wg := want.aggregate(sel, g)
				got, err := rd.Aggregate(ctx, sel, g, 0)
				if err != nil {
					return err
				}
				if !slices.Equal(got, wg) && !(len(got) == 0 && len(wg) == 0) {
					t.Errorf("Aggregate(%s) by %s:\n got %v\nwant %v", selString(sel), g, got, wg)
				}
				top, err := rd.Aggregate(ctx, sel, g, 2)
				if err != nil {
					return err
				}
				if w := wg[:min(2, len(wg))]; !slices.Equal(top, w) && !(len(top) == 0 && len(w) == 0) {
					t.Errorf("Aggregate(%s) by %s, limit 2: %v, want %v", selString(sel), g, top, w)
				}
			}
		}
		return nil
	})
	if nonEmpty < draws/3 {
		t.Errorf("only %d of %d random selections match anything: the check is too weak", nonEmpty, draws)
	}
}
