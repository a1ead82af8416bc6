package store

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
	"claimgraph/graph/memgraph"
)

// TestSearchStatistics checks that the statistics keys the writer keeps
// equal the statistics counted from the length keys, after imports,
// updates, retractions and merges.
func TestSearchStatistics(t *testing.T) {
	ctx := t.Context()
	s := testOpen(t, Options{InMemory: true})
	b, _ := corpus(t, 300)
	steps := []*graph.Batch{graphtest.SampleBatch(), b,
		{Nodes: []graph.Node{&graph.Organisation{Key: "o-dhs", Name: "Department of Harbour Safety and Ferries",
			Aliases: []string{"DHS", "Harbour Department"}, Kind: "government", Parent: "o-council"}}},
		{Merges: []graph.Merge{{Into: "p-alvarez", Keys: []string{"p-brook"}}}},
	}
	for i, st := range steps {
		if _, err := s.Apply(ctx, st); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		err := s.View(ctx, func(gr graph.Reader) error {
			r := gr.(*reader)
			want := map[graph.SearchField][2]int{}
			err := r.kv.Scan(ctx, Range{Prefix: []byte{famSearch, searchLenField}}, func(_, v []byte) error {
				_, ls, err := decodeSearchLen(v)
				for f, l := range ls {
					w := want[f]
					want[f] = [2]int{w[0] + 1, w[1] + l}
				}
				return err
			})
			if err != nil {
				return err
			}
			for _, f := range graph.SearchFields {
				docs, words, err := readSearchStats(ctx, r.kv, f)
				if err != nil {
					return err
				}
				if [2]int{docs, words} != want[f] {
					t.Errorf("step %d field %d: stored statistics %d docs %d words, counted %v", i, f, docs, words, want[f])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestSearchAgreesWithMemgraph runs the same searches on the store and on
// the in-memory reference over a generated corpus: same hits, order,
// scores (to rounding) and highlights.
func TestSearchAgreesWithMemgraph(t *testing.T) {
	ctx := t.Context()
	b, _ := corpus(t, 400)
	s := testOpen(t, Options{InMemory: true})
	m := memgraph.New()
	t.Cleanup(func() { m.Close() })
	for _, st := range []graph.Store{s, m} {
		if _, err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	queries := searchQueries(t, b)
	for _, q := range queries {
		var pages [2]graph.SearchPage
		for i, st := range []graph.Store{s, m} {
			err := st.View(ctx, func(r graph.Reader) error {
				var err error
				pages[i], err = r.Search(context.Background(), q)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		a, c := pages[0], pages[1]
		if a.Total == 0 {
			t.Errorf("%+v: no hits", q)
		}
		if a.Total != c.Total || a.More != c.More || len(a.Hits) != len(c.Hits) {
			t.Errorf("%+v: store total %d more %v hits %d, memgraph %d %v %d", q, a.Total, a.More, len(a.Hits), c.Total, c.More, len(c.Hits))
			continue
		}
		for i := range a.Hits {
			x, y := a.Hits[i], c.Hits[i]
			if x.Key != y.Key || x.Kind != y.Kind || math.Abs(x.Score-y.Score) > 1e-9 || !slices.Equal(x.Highlights, y.Highlights) {
				t.Errorf("%+v: hit %d: store %+v, memgraph %+v", q, i, x, y)
				break
			}
		}
	}
}

// searchQueries draws searches from the corpus: words and phrases of its
// quotes as words, as a "phrase" and with a prefix* term, one restricted
// to quotes, one with a limit, and a word of an organisation's name.
func searchQueries(t *testing.T, b *graph.Batch) []graph.SearchQuery {
	t.Helper()
	var two, one []string
	for _, p := range corpusPhrases(b, 300, 5) {
		switch n := len(strings.Fields(p)); {
		case n >= 2 && len(two) < 4:
			two = append(two, p)
		case n == 1 && len(p) > 6 && len(one) < 3:
			one = append(one, p)
		}
	}
	var org string
	for _, n := range b.Nodes {
		if o, ok := n.(*graph.Organisation); ok {
			org = strings.Fields(o.Name)[0]
			break
		}
	}
	if len(two) < 4 || len(one) < 3 || org == "" {
		t.Fatalf("corpus phrases: %q %q %q", two, one, org)
	}
	return []graph.SearchQuery{
		{Text: two[0]}, {Text: `"` + two[1] + `"`}, {Text: prefixAndWord(two[2])}, {Text: org},
		{Text: two[3], Kinds: []graph.Kind{graph.KindQuote}}, {Text: one[1], Limit: 7}, {Text: one[2][:4] + "*"},
	}
}

// prefixAndWord makes a query of the words of a phrase: the first cut to
// a prefix* term, the others as they are.
func prefixAndWord(phrase string) string {
	ws := strings.Fields(phrase)
	ws[0] = ws[0][:min(len(ws[0]), 3)] + "*"
	return strings.Join(ws, " ")
}

// TestSearchReindexOldLayout turns a store into one of layout 2 (no search
// keys) and checks that New builds the index: the same hits as before and
// the same statistics.
func TestSearchReindexOldLayout(t *testing.T) {
	ctx := t.Context()
	s, kv := newMemStore(t)
	var err error
	if _, err := s.Apply(ctx, graphtest.SampleBatch()); err != nil {
		t.Fatal(err)
	}
	q := graph.SearchQuery{Text: "ferry"}
	search := func(s *Store) graph.SearchPage {
		var p graph.SearchPage
		if err := s.View(ctx, func(r graph.Reader) error { p, err = r.Search(ctx, q); return err }); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := search(s)
	if before.Total < 5 {
		t.Fatalf("Search(ferry) = %+v", before)
	}
	var stats [][2]int
	_, err = kv.Update(ctx, func(tx Txn) error {
		for _, f := range graph.SearchFields {
			d, w, err := readSearchStats(ctx, tx, f)
			if err != nil {
				return err
			}
			stats = append(stats, [2]int{d, w})
		}
		var keys [][]byte
		err := tx.Scan(ctx, Range{Prefix: []byte{famSearch}, KeysOnly: true}, func(k, _ []byte) error {
			keys = append(keys, slices.Clone(k))
			return nil
		})
		for _, k := range keys {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		if err == nil {
			err = tx.Set(metaLayoutKey, []byte{2})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := search(s); p.Total != 0 {
		t.Fatalf("after dropping the index: %d hits", p.Total)
	}
	s2, err := New(ctx, kv, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	after := search(s2)
	if after.Total != before.Total || !slices.EqualFunc(after.Hits, before.Hits, func(a, b graph.SearchHit) bool {
		return a.Key == b.Key && a.Score == b.Score
	}) {
		t.Errorf("after reindexing: %+v, want %+v", after, before)
	}
	snap, err := kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	for i, f := range graph.SearchFields {
		d, w, err := readSearchStats(ctx, snap, f)
		if err != nil || [2]int{d, w} != stats[i] {
			t.Errorf("field %d: statistics %d %d (%v), want %v", f, d, w, err, stats[i])
		}
	}
	if v, err := snap.Get(ctx, metaLayoutKey); err != nil || v[0] != layoutVersion {
		t.Errorf("layout %x %v, want %d", v, err, layoutVersion)
	}
}

// newMemStore opens an in-memory Badger engine and the store on it, as the
// migration tests need them both (the engine to write an older layout
// into); the store is closed with the test.
func newMemStore(t *testing.T) (*Store, KV) {
	t.Helper()
	kv, err := OpenBadger(t.Context(), Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(t.Context(), kv, zerolog.Nop())
	if err != nil {
		kv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, kv
}
