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

// searchBatch adds to the sample story two quotes that hold the same words,
// one of them as a phrase.
func searchBatch() *graph.Batch {
	b := SampleBatch()
	b.Nodes = append(b.Nodes,
		&graph.Quote{Key: "q-phrase", Text: "Crime is way down on the quays this winter", Speaker: "p-okafor",
			Source: "s-article", Mode: "direct"},
		&graph.Quote{Key: "q-scattered", Text: "Crime, crime and more crime: is the way down or up? Crime is the question",
			Speaker: "p-brook", Source: "s-article", Mode: "direct"},
	)
	return b
}

// search runs one search and fails the test on error.
func search(t *testing.T, r graph.Reader, q graph.SearchQuery) graph.SearchPage {
	t.Helper()
	p, err := r.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return p
}

func hitKeys(p graph.SearchPage) []string {
	out := make([]string, 0, len(p.Hits))
	for _, h := range p.Hits {
		out = append(out, h.Key)
	}
	return out
}

func testSearch(t *testing.T, o Opener) {
	s := o.Open(t)
	apply(t, s, searchBatch())
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		cases := []struct {
			name  string
			text  string
			kinds []graph.Kind
			want  []string // exact set, in any order, unless first is set
			first string   // the best hit
			none  bool
		}{
			{name: "words rank the phrase first", text: "crime is way down", want: []string{"q-phrase", "q-scattered"}, first: "q-phrase"},
			{name: "phrase", text: `"is way down"`, want: []string{"q-phrase"}},
			{name: "phrase out of order", text: `"down is way"`, none: true},
			{name: "word of an organisation's name", text: "department", kinds: []graph.Kind{graph.KindOrganisation}, want: []string{"o-dhs"}},
			{name: "alias", text: "dhs", kinds: []graph.Kind{graph.KindOrganisation}, want: []string{"o-dhs"}},
			{name: "accents and case", text: "ALVAREZ", want: []string{"p-alvarez"}},
			{name: "accented query", text: "Álvárez", want: []string{"p-alvarez"}},
			{name: "folded query finds accented text", text: "cafe pier", want: []string{"q-cafe", "c-pier-unsafe"}},
			{name: "stemming", text: "incident", kinds: []graph.Kind{graph.KindFigure}, want: []string{"f-incidents", "f-incidents-cited"}},
			{name: "prefix", text: "complain*", want: []string{"f-complaints"}},
			{name: "no prefix without star", text: "complai", none: true},
			{name: "kinds", text: "ferry", kinds: []graph.Kind{graph.KindClaim}, want: []string{"c-ferry-safe"}},
			{name: "source title", text: "phone call", want: []string{"s-call"}},
			{name: "all words must match", text: "ferry unicorn", none: true},
		}
		for _, c := range cases {
			p := search(t, r, graph.SearchQuery{Text: c.text, Kinds: c.kinds})
			got := hitKeys(p)
			if c.none {
				if len(got) != 0 || p.Total != 0 {
					t.Errorf("%s: Search(%q) = %v (total %d), want nothing", c.name, c.text, got, p.Total)
				}
				continue
			}
			if c.first != "" && (len(got) == 0 || got[0] != c.first) {
				t.Errorf("%s: Search(%q) = %v, want %s first", c.name, c.text, got, c.first)
			}
			sorted := slices.Sorted(slices.Values(got))
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(sorted, want) || p.Total != len(want) || p.More {
				t.Errorf("%s: Search(%q) = %v (total %d, more %v), want %v", c.name, c.text, got, p.Total, p.More, want)
			}
			for i := 1; i < len(p.Hits); i++ {
				a, b := p.Hits[i-1], p.Hits[i]
				if a.Score < b.Score || (a.Score == b.Score && a.Key > b.Key) {
					t.Errorf("%s: hits out of order: %v then %v", c.name, a, b)
				}
			}
		}
		if _, err := r.Search(ctx, graph.SearchQuery{Text: " ** \"\" "}); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Search without words: err %v, want ErrInvalid", err)
		}
		if _, err := r.Search(ctx, graph.SearchQuery{Text: "ferry", After: "!!"}); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Search with a bad cursor: err %v, want ErrInvalid", err)
		}
		return nil
	})
}

func testSearchHighlights(t *testing.T, o Opener) {
	s := o.Open(t)
	apply(t, s, searchBatch())
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		cases := []struct {
			text string
			key  string
			want []graph.Highlight
		}{
			{`"is way down"`, "q-phrase", []graph.Highlight{hl("text", 6, 8), hl("text", 9, 12), hl("text", 13, 17)}},
			{"alvarez", "p-alvarez", []graph.Highlight{hl("aliases.0", 5, 12), hl("name", 5, 12)}},
			{"harbour safety", "o-dhs", []graph.Highlight{hl("name", 14, 21), hl("name", 22, 28)}},
			{"don't", "q-dhs", []graph.Highlight{hl("text", 3, 8)}},
		}
		for _, c := range cases {
			p := search(t, r, graph.SearchQuery{Text: c.text})
			i := slices.IndexFunc(p.Hits, func(h graph.SearchHit) bool { return h.Key == c.key })
			if i < 0 {
				t.Errorf("Search(%q) = %v, want %s among them", c.text, hitKeys(p), c.key)
				continue
			}
			if h := p.Hits[i]; !slices.Equal(h.Highlights, c.want) || h.Kind == 0 || h.Score <= 0 {
				t.Errorf("Search(%q) hit %s = %+v, want highlights %v", c.text, c.key, h, c.want)
			}
		}
		return nil
	})
}

func testSearchPaging(t *testing.T, o Opener) {
	s := o.Open(t)
	apply(t, s, searchBatch())
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		full := search(t, r, graph.SearchQuery{Text: "ferry"})
		if full.Total < 5 || len(full.Hits) != full.Total {
			t.Fatalf("Search(ferry) = %v, total %d: want at least 5 hits", hitKeys(full), full.Total)
		}
		for _, limit := range []int{1, 2, 3} {
			var got []string
			after := ""
			for range 100 {
				p := search(t, r, graph.SearchQuery{Text: "ferry", After: after, Limit: limit})
				if p.Total != full.Total {
					t.Errorf("limit %d: total %d, want %d", limit, p.Total, full.Total)
				}
				got = append(got, hitKeys(p)...)
				if !p.More {
					break
				}
				if len(p.Hits) == 0 {
					t.Fatalf("limit %d: More with no hits", limit)
				}
				after = p.Hits[len(p.Hits)-1].Cursor()
			}
			if !slices.Equal(got, hitKeys(full)) {
				t.Errorf("limit %d: pages give %v, want %v", limit, got, hitKeys(full))
			}
		}
		return nil
	})
}

func testSearchUpdateAndAsOf(t *testing.T, o Opener) {
	s := o.Open(t)
	first := apply(t, s, searchBatch())
	time.Sleep(time.Millisecond)
	apply(t, s, &graph.Batch{By: "graphtest", Nodes: []graph.Node{
		&graph.Quote{Key: "q-phrase", Text: "Thefts are rare near the quays now", Speaker: "p-okafor",
			Source: "s-article", Mode: "direct"},
	}})
	type want struct {
		text string
		keys []string
	}
	check := func(what string, r graph.Reader, ws []want) {
		for _, w := range ws {
			got := hitKeys(search(t, r, graph.SearchQuery{Text: w.text, Kinds: []graph.Kind{graph.KindQuote}}))
			slices.Sort(got)
			if !slices.Equal(got, w.keys) {
				t.Errorf("%s: Search(%q) = %v, want %v", what, w.text, got, w.keys)
			}
		}
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		check("after the update", r, []want{
			{"thefts rare", []string{"q-phrase"}},
			{`"is way down"`, nil},
			{"crime", []string{"q-scattered"}},
			{"quays", []string{"q-phrase"}},
		})
		return nil
	})
	err := s.ViewAt(t.Context(), first.At, func(r graph.Reader) error {
		check(fmt.Sprintf("as of %v", first.At), r, []want{
			{"thefts", nil},
			{`"is way down"`, []string{"q-phrase"}},
			{"crime", []string{"q-phrase", "q-scattered"}},
		})
		return nil
	})
	if err != nil {
		t.Fatalf("ViewAt: %v", err)
	}
}

func hl(field string, start, end int) graph.Highlight {
	return graph.Highlight{Field: field, Start: start, End: end}
}
