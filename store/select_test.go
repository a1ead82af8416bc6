package store

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/graph/graphtest"
	"claimgraph/graph/memgraph"
)

// TestFacetKeyLayoutBytes pins the bytes of the facet family, as the
// package documentation shows them.
func TestFacetKeyLayoutBytes(t *testing.T) {
	said := graph.TimeSortValue(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	col := facetCol{hasOrder: true, hasValue: true, value: said,
		vals: []facetVal{{facetCodes[graph.FacetSpeaker], "p-1"}, {facetCodes[graph.FacetMode], "direct"}}}
	es := entries{}
	addFacetEntries(es, graph.KindQuote, "q1", col)
	want := map[string]string{
		"66" + "04" + "01" + "00" + hex.EncodeToString([]byte("p-1")) + "0001" + "7131":                                "",
		"66" + "04" + "01" + "01" + hex.EncodeToString([]byte("p-1")) + "0001" + "01" + "98988e8f6b2f0000" + "7131":    "",
		"66" + "04" + "04" + "00" + hex.EncodeToString([]byte("direct")) + "0001" + "7131":                             "",
		"66" + "04" + "04" + "01" + hex.EncodeToString([]byte("direct")) + "0001" + "01" + "98988e8f6b2f0000" + "7131": "",
		"66" + "04" + "00" + "01" + "0001" + "01" + "98988e8f6b2f0000" + "7131":                                        "",
		"66" + "04" + "ff" + "7131": "01" + "01" + "98988e8f6b2f0000" + "01" + "03" + hex.EncodeToString([]byte("p-1")) + "04" + "06" + hex.EncodeToString([]byte("direct")),
	}
	got := map[string]string{}
	for k, v := range es {
		got[hex.EncodeToString([]byte(k))] = hex.EncodeToString(v)
	}
	for k, v := range want {
		if gv, ok := got[k]; !ok || gv != v {
			t.Errorf("key %s: value %q (present %v), want %q", k, gv, ok, v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d entries, want %d: %v", len(got), len(want), got)
	}
	// As stored (layout 7): each entry alone in its list's last block.
	kv, err := OpenBadger(t.Context(), Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	_, err = kv.Update(t.Context(), func(tx Txn) error {
		w := newWriter(tx, &graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}, &graph.Batch{}, true)
		for k, v := range es {
			if err := w.set([]byte(k), v); err != nil {
				return err
			}
		}
		return w.flushFacets(t.Context())
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	snap, err := kv.Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	err = snap.Scan(t.Context(), Range{Prefix: []byte{famFacet}}, func(k, v []byte) error {
		stored[hex.EncodeToString(k)] = hex.EncodeToString(v)
		return nil
	})
	snap.Close()
	if err != nil {
		t.Fatal(err)
	}
	entry := "01" + "00" + "0b" + "01" + "98988e8f6b2f0000" + "7131"
	wantStored := map[string]string{
		"66" + "04" + "01" + "10" + hex.EncodeToString([]byte("p-1")) + "0001" + "ff":    "01" + "00" + "02" + "7131",
		"66" + "04" + "01" + "11" + hex.EncodeToString([]byte("p-1")) + "0001" + "ff":    entry,
		"66" + "04" + "04" + "10" + hex.EncodeToString([]byte("direct")) + "0001" + "ff": "01" + "00" + "02" + "7131",
		"66" + "04" + "04" + "11" + hex.EncodeToString([]byte("direct")) + "0001" + "ff": entry,
		"66" + "04" + "00" + "11" + "0001" + "ff":                                        entry,
		"66" + "04" + "ff" + "7131": want["66"+"04"+"ff"+"7131"],
	}
	if !maps.Equal(stored, wantStored) {
		t.Errorf("stored %v\nwant %v", stored, wantStored)
	}
	// A node without said_at sorts after the others; a claim (no order
	// value) has key-order entries only.
	es = entries{}
	addFacetEntries(es, graph.KindQuote, "q2", facetCol{hasOrder: true, vals: []facetVal{{facetCodes[graph.FacetSpeaker], "p-1"}}})
	if _, ok := es[string(append(facetVariantPrefix(graph.KindQuote, 1, variantValue, "p-1"), markNone, 'q', '2'))]; !ok {
		t.Errorf("no value-order entry with marker 02: %q", keysOf(es))
	}
	es = entries{}
	addFacetEntries(es, graph.KindClaim, "c1", facetCol{vals: []facetVal{{facetCodes[graph.FacetAbout], "a\x00b"}}})
	if want := []string{"f\x05\x0b\x00a\x00\xffb\x00\x01c1", "f\x05\xffc1"}; !slices.Equal(keysOf(es), want) {
		t.Errorf("claim entries %q, want %q", keysOf(es), want)
	}
}

func keysOf(es entries) []string {
	var ks []string
	for k := range es {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestFacetColCodec(t *testing.T) {
	for _, c := range []facetCol{
		{},
		{hasOrder: true},
		{hasOrder: true, hasValue: true, value: 1<<64 - 1},
		{hasOrder: true, hasValue: true, vals: []facetVal{{1, "p"}, {3, ""}, {9, "a\x00b"}}},
		{vals: []facetVal{{0x0b, "x"}}},
	} {
		got, err := decodeFacetCol(encodeFacetCol(c))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c) {
			t.Errorf("round trip of %+v = %+v, %v", c, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {2, 0}, {1}, {1, 3}, {1, 1, 0}, {1, 0, 1, 5, 'a'}} {
		if _, err := decodeFacetCol(bad); err == nil {
			t.Errorf("decodeFacetCol(%x) succeeded", bad)
		}
	}
}

func FuzzDecodeFacetCol(f *testing.F) {
	f.Add(encodeFacetCol(facetCol{hasOrder: true, hasValue: true, value: 42, vals: []facetVal{{1, "p-1"}, {4, "direct"}}}))
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeFacetCol(b)
		if err != nil {
			return
		}
		again, err := decodeFacetCol(encodeFacetCol(c))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(c) {
			t.Errorf("%x decodes to %+v, which does not round-trip: %+v %v", b, c, again, err)
		}
	})
}

func TestUnescapeValue(t *testing.T) {
	for _, v := range []string{"", "abc", "a\x00b", "\x00\x00", "\xff"} {
		k := append(appendEscaped(nil, v), "rest"...)
		if got, ok := unescapeValue(k); !ok || got != v {
			t.Errorf("unescapeValue(%x) = %q, %v; want %q", k, got, ok, v)
		}
	}
	for _, bad := range []string{"abc", "a\x00", "a\x00\x02"} {
		if _, ok := unescapeValue([]byte(bad)); ok {
			t.Errorf("unescapeValue(%q) succeeded", bad)
		}
	}
}

// selectionsOf draws selections over a generated corpus: its speakers,
// sources, publishers, measures, units and days, alone and combined.
func selectionsOf(b *graph.Batch, n int, seed uint64) []graph.Selection {
	r := rand.New(rand.NewPCG(seed, 5))
	var speakers, sources, orgs, units, measures, days, words []string
	for _, node := range b.Nodes {
		switch x := node.(type) {
		case *graph.Quote:
			if x.Speaker != "" {
				speakers = append(speakers, x.Speaker) // weighted by use
			}
			if x.SaidAt != "" {
				days = append(days, x.SaidAt[:10])
			}
			if ws := graph.TextTerms(x.Text); len(ws) > 0 {
				words = append(words, graph.Analyze(x.Text)[0].Term)
			}
		case *graph.Source:
			sources = append(sources, x.Key)
		case *graph.Organisation:
			orgs = append(orgs, x.Key)
		case *graph.Figure:
			units = append(units, x.Unit)
			measures = append(measures, x.Measure)
		}
	}
	pick := func(vs []string, k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = vs[r.IntN(len(vs))]
		}
		return out
	}
	var out []graph.Selection
	for i := 0; len(out) < n; i++ {
		var s graph.Selection
		switch i % 6 {
		case 0:
			s = graph.Selection{Kind: graph.KindQuote, Facets: []graph.FacetFilter{{Facet: graph.FacetSpeaker, Values: pick(speakers, 1+r.IntN(3))}}}
		case 1:
			d, _ := time.Parse(time.DateOnly, pick(days, 1)[0])
			s = graph.Selection{Kind: graph.KindQuote, From: d, To: d.AddDate(0, 0, 1+r.IntN(60)),
				Facets: []graph.FacetFilter{{Facet: graph.FacetPublisher, Values: pick(orgs, 1+r.IntN(4))}}}
		case 2:
			s = graph.Selection{Kind: graph.KindQuote, Facets: []graph.FacetFilter{
				{Facet: graph.FacetMode, Values: pick(graph.QuoteModes, 1)}, {Facet: graph.FacetSource, Values: pick(sources, 5)}}}
		case 3:
			lo := float64(r.IntN(100))
			s = graph.Selection{Kind: graph.KindFigure, Min: &lo, Facets: []graph.FacetFilter{{Facet: graph.FacetUnit, Values: pick(units, 1)}}}
		case 4:
			s = graph.Selection{Kind: graph.KindSource, Facets: []graph.FacetFilter{{Facet: graph.FacetKind, Values: pick(graph.SourceKinds, 2)}}}
			if r.IntN(2) == 0 {
				s.Order = graph.OrderValue
			}
		case 5:
			s = graph.Selection{Kind: graph.KindQuote, Text: pick(words, 1)[0]}
			if r.IntN(2) == 0 {
				s.Facets = []graph.FacetFilter{{Facet: graph.FacetSpeaker, Values: pick(speakers, 3)}}
			}
			if r.IntN(3) == 0 {
				s.Facets = []graph.FacetFilter{{Facet: graph.FacetMeasure, Values: pick(measures, 1)}}
				s.Kind = graph.KindFigure
			}
		}
		if r.IntN(3) == 0 && !s.HasRange() {
			s.Order = graph.OrderValue
		}
		s.Desc = r.IntN(2) == 0
		out = append(out, s)
	}
	return out
}

// TestSelectAgreesWithMemgraph runs the same selections and aggregations
// on the store (both text strategies: rare words become a stream, common
// ones a filter) and on memgraph over a corpus of package gen.
//
// It runs with facet blocks of the default size and of 3 entries, and
// after a second batch that moves quotes between speakers and dates and
// retracts some, so that blocks split, merge and empty.
func TestSelectAgreesWithMemgraph(t *testing.T) {
	for _, size := range []int{facetBlockEntries, 3} {
		t.Run(fmt.Sprint("blocks of ", size), func(t *testing.T) {
			defer func(n int) { facetBlockEntries = n }(facetBlockEntries)
			facetBlockEntries = size
			testSelectAgreesWithMemgraph(t)
		})
	}
}

func testSelectAgreesWithMemgraph(t *testing.T) {
	ctx := t.Context()
	bundle, err := gen.Generate(gen.Options{Quotes: 600, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b := &graph.Batch{By: "test", Nodes: bundle.Nodes, Links: bundle.Links}
	s := testOpen(t, Options{InMemory: true})
	m := memgraph.New()
	t.Cleanup(func() { m.Close() })
	for _, st := range []graph.Store{s, m} {
		if _, err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// The second batch: every seventh quote takes the speaker of the
	// quote before it and a date a year later; every thirteenth is
	// retracted.
	var speakers []string
	edit := &graph.Batch{By: "test"}
	for _, n := range b.Nodes {
		q, ok := n.(*graph.Quote)
		if !ok {
			continue
		}
		if len(speakers) > 0 && len(speakers)%7 == 0 {
			c := *q
			c.Speaker = speakers[len(speakers)-1]
			if c.SaidAt != "" {
				if d, err := time.Parse(time.RFC3339, c.SaidAt); err == nil {
					c.SaidAt = d.AddDate(1, 0, 0).Format(time.RFC3339)
				}
			}
			edit.Nodes = append(edit.Nodes, &c)
		}
		if len(speakers)%13 == 5 {
			edit.Retracts = append(edit.Retracts, graph.Retract{Key: q.Key, Reason: "test"})
		}
		speakers = append(speakers, q.Speaker)
	}
	for _, st := range []graph.Store{s, m} {
		if _, err := st.Apply(ctx, edit); err != nil {
			t.Fatal(err)
		}
	}
	wantClean(t, "after the edits", mustVerify(t, s, VerifyOptions{}))
	sels := selectionsOf(b, 42, 1)
	type answer struct {
		keys  []string
		total int
		aggs  []string
	}
	// view reads the store with the text filter's candidate cap set to
	// textCap (0: the default), so that both strategies run.
	view := func(textCap int) func(ctx context.Context, fn func(graph.Reader) error) error {
		return func(ctx context.Context, fn func(graph.Reader) error) error {
			snap, err := s.kv.Snapshot(ctx, 0)
			if err != nil {
				return err
			}
			defer snap.Close()
			r := newReader(snap)
			r.textCap = textCap
			return fn(r)
		}
	}
	run := func(viewFn func(context.Context, func(graph.Reader) error) error, sel graph.Selection) answer {
		var a answer
		err := viewFn(ctx, func(r graph.Reader) error {
			sel := sel
			sel.Limit, sel.Count = 23, true
			for {
				p, err := r.Select(ctx, sel)
				if err != nil {
					return err
				}
				a.keys, a.total = append(a.keys, p.Keys...), p.Total
				if !p.More {
					break
				}
				sel.After = p.Cursors[len(p.Cursors)-1]
			}
			for g, ks := range graph.GroupingKinds {
				if slices.Contains(ks, sel.Kind) {
					gs, err := r.Aggregate(ctx, sel, g, 5)
					if err != nil {
						return err
					}
					a.aggs = append(a.aggs, fmt.Sprint(g, gs))
				}
			}
			slices.Sort(a.aggs)
			return nil
		})
		if err != nil {
			t.Fatalf("%+v: %v", sel, err)
		}
		return a
	}
	matched := 0
	for _, sel := range sels {
		want := run(m.View, sel)
		if len(want.keys) > 0 {
			matched++
		}
		for _, textCap := range []int{0, 1} {
			if textCap > 0 && sel.Text == "" {
				continue
			}
			got := run(view(textCap), sel)
			if !slices.Equal(got.keys, want.keys) || got.total != want.total || !slices.Equal(got.aggs, want.aggs) {
				t.Errorf("%+v (text cap %d):\nstore    %d %q\n         %v\nmemgraph %d %q\n         %v", sel, textCap, got.total, got.keys, got.aggs, want.total, want.keys, want.aggs)
			}
		}
	}
	if matched < len(sels)/2 {
		t.Errorf("only %d of %d selections match anything", matched, len(sels))
	}
}

// TestFacetMigration turns a store into one of layout 6 (facet entries
// one key each), of layout 3 (no facet keys) and of layout 2 (no facet
// and no search keys) and checks that New builds them: the same answers
// as before, and the current layout.
func TestFacetMigration(t *testing.T) {
	ctx := t.Context()
	// Commits of 7 deletes: the migration pages through the keys.
	defer func(n int) { migrateChunk = n }(migrateChunk)
	migrateChunk = 7
	for _, layout := range []byte{6, 3, 2} {
		kv, err := OpenBadger(ctx, Options{InMemory: true, memTableSize: 8 << 20})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(ctx, kv, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		b := graphtest.SampleBatch()
		extra, _ := gen.Generate(gen.Options{Quotes: 200, Seed: 2})
		b.Nodes = append(b.Nodes, extra.Nodes...)
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		answers := func(s *Store) string {
			var out string
			err := s.View(ctx, func(r graph.Reader) error {
				for _, sel := range []graph.Selection{
					{Kind: graph.KindQuote, Order: graph.OrderValue, Desc: true, Limit: 50, Count: true},
					{Kind: graph.KindQuote, Facets: []graph.FacetFilter{{Facet: graph.FacetPublisher, Values: []string{"o-gazette", "o-1", "o-2"}}}, Limit: 50, Count: true},
					{Kind: graph.KindFigure, Min: new(float64), Limit: 50, Count: true},
				} {
					p, err := r.Select(ctx, sel)
					if err != nil {
						return err
					}
					gs, err := r.Aggregate(ctx, graph.Selection{Kind: graph.KindQuote}, graph.GroupSpeaker, 0)
					if err != nil {
						return err
					}
					sp, err := r.Search(ctx, graph.SearchQuery{Text: "ferry"})
					if err != nil {
						return err
					}
					out += fmt.Sprint(p.Keys, p.Total, gs, sp.Total)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		before := answers(s)
		_, err = kv.Update(ctx, func(tx Txn) error {
			if layout == 6 {
				// Layout 6: every facet entry a key of its own.
				return layout6Facets(ctx, tx)
			}
			fams := []byte{famFacet}
			if layout < layoutSearch {
				fams = append(fams, famSearch)
			}
			for _, fam := range fams {
				var keys [][]byte
				err := tx.Scan(ctx, Range{Prefix: []byte{fam}, KeysOnly: true}, func(k, _ []byte) error {
					keys = append(keys, slices.Clone(k))
					return nil
				})
				if err != nil {
					return err
				}
				for _, k := range keys {
					if err := tx.Delete(k); err != nil {
						return err
					}
				}
			}
			// A trigram key, as layouts before 4 wrote them.
			if err := tx.Set(append([]byte{famTrigram}, "abc\x04\x00\x00\x00\x00\x00\x00\x01"...), []byte{}); err != nil {
				return err
			}
			return tx.Set(metaLayoutKey, []byte{layout})
		})
		if err != nil {
			t.Fatal(err)
		}
		if answers(s) == before {
			t.Fatalf("layout %d: dropping the facet keys changed nothing", layout)
		}
		if layout == 6 {
			r := mustVerify(t, s, VerifyOptions{})
			if len(r.Problems) == 0 || !strings.Contains(fmt.Sprint(r.Problems), "outside a block") {
				t.Errorf("Verify of layout-6 facet entries: %v", r.Problems)
			}
		}
		s2, err := New(ctx, kv, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		if got := answers(s2); got != before {
			t.Errorf("layout %d: after the migration\n%s\nwant\n%s", layout, got, before)
		}
		wantClean(t, fmt.Sprintf("layout %d: after the migration", layout), mustVerify(t, s2, VerifyOptions{}))
		snap, err := kv.Snapshot(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := snap.Get(ctx, metaLayoutKey); err != nil || v[0] != layoutVersion {
			t.Errorf("layout %d: now %x %v, want %d", layout, v, err, layoutVersion)
		}
		if n, err := newReader(snap).countKeys(ctx, Range{Prefix: []byte{famTrigram}}); err != nil || n != 0 {
			t.Errorf("layout %d: %d trigram keys left (%v)", layout, n, err)
		}
		snap.Close()
		s2.Close()
	}
}

// TestSelectSplitCommit checks that facets written by a commit that the
// engine splits into several transactions stay whole.
func TestSelectSplitCommit(t *testing.T) {
	ctx := context.Background()
	s := testOpen(t, Options{InMemory: true, partEntries: 100})
	bundle, err := gen.Generate(gen.Options{Quotes: 300, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, &graph.Batch{Nodes: bundle.Nodes}); err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(r graph.Reader) error {
		p, err := r.Select(ctx, graph.Selection{Kind: graph.KindQuote, Order: graph.OrderValue, Count: true})
		if err != nil {
			return err
		}
		if p.Total != 300 {
			t.Errorf("%d quotes in value order, want 300", p.Total)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Benchmarks of filtered lists, on the corpus of package gen
// (CLAIMGRAPH_BENCH_QUOTES quotes, 10k by default), on disk:
//
//	CLAIMGRAPH_BENCH_QUOTES=100000 go test ./store -run '^$' -bench 'Select|FacetCost' -benchtime 20x
//
// BenchmarkSelect/index is a Select of the quotes of one speaker in a year
// (first page of 20, with the total); BenchmarkSelect/scan answers the
// same question with a raw scan of every quote record (decode, filter,
// sort), the baseline. BenchmarkFacetCost reports the keys and bytes of the
// facet family per quote.

// selectFixture is an on-disk store holding the generated corpus, and a
// selection of the quotes of the busiest speaker over a year.
func selectFixture(b *testing.B) (*Store, graph.Selection) {
	bundle, err := gen.Generate(gen.Options{Quotes: benchQuotes(b), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(context.Background(), benchOptions(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.Apply(context.Background(), &graph.Batch{By: "bench", Nodes: bundle.Nodes, Links: bundle.Links}); err != nil {
		b.Fatal(err)
	}
	// Let compaction settle, so that the reads measured are not those of
	// a store still digesting its import (about ten times slower).
	if err := s.kv.(*Badger).db.Flatten(2); err != nil {
		b.Fatal(err)
	}
	// The busiest speaker, over a year.
	counts := map[string]int{}
	for _, n := range bundle.Nodes {
		if q, ok := n.(*graph.Quote); ok && q.Speaker != "" {
			counts[q.Speaker]++
		}
	}
	var speakers []string
	for k := range counts {
		speakers = append(speakers, k)
	}
	slices.SortFunc(speakers, func(a, b string) int { return counts[b] - counts[a] })
	from := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	return s, graph.Selection{Kind: graph.KindQuote, Facets: []graph.FacetFilter{{Facet: graph.FacetSpeaker, Values: []string{speakers[0]}}},
		From: from, To: from.AddDate(1, 0, 0), Limit: 20, Count: true}
}

func BenchmarkSelect(b *testing.B) {
	s, sel := selectFixture(b)
	ctx := context.Background()
	var want []string
	b.Run("index", func(b *testing.B) {
		total := 0
		for b.Loop() {
			err := s.View(ctx, func(r graph.Reader) error {
				p, err := r.Select(ctx, sel)
				total, want = p.Total, p.Keys
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(total), "matches")
	})
	b.Run("scan", func(b *testing.B) {
		lo, hi := graph.TimeSortValue(sel.From), graph.TimeSortValue(sel.To)
		speaker := sel.Facets[0].Values[0]
		type hit struct {
			v   uint64
			key string
		}
		var hits []hit
		for b.Loop() {
			hits = hits[:0]
			err := s.View(ctx, func(gr graph.Reader) error {
				r := gr.(*reader)
				return r.kv.Scan(ctx, Range{Prefix: []byte{famNode, byte(graph.KindQuote)}}, func(_, v []byte) error {
					n, err := decodeNode(v)
					if err != nil {
						return err
					}
					q := n.(*graph.Quote)
					if q.Speaker != speaker {
						return nil
					}
					if sv, ok := graph.NodeSortValue(q); ok && sv >= lo && sv < hi {
						hits = append(hits, hit{sv, q.Key})
					}
					return nil
				})
			})
			if err != nil {
				b.Fatal(err)
			}
			slices.SortFunc(hits, func(a, b hit) int {
				if a.v != b.v {
					return cmp.Compare(a.v, b.v)
				}
				return cmp.Compare(a.key, b.key)
			})
		}
		var got []string
		for _, h := range hits[:min(20, len(hits))] {
			got = append(got, h.key)
		}
		if !slices.Equal(got, want) {
			b.Errorf("the scan found %q, the index %q", got, want)
		}
		b.ReportMetric(float64(len(hits)), "matches")
	})
}

// BenchmarkFacetCost reports what the facet family adds: keys and key and
// value bytes per quote (of every kind's facets, and of the quotes' own),
// and the whole store's for comparison.
func BenchmarkFacetCost(b *testing.B) {
	s, _ := selectFixture(b)
	ctx := context.Background()
	var facetKeys, facetBytes, quoteKeys, quoteBytes int
	for b.Loop() {
		facetKeys, facetBytes, quoteKeys, quoteBytes = 0, 0, 0, 0
		snap, err := s.kv.Snapshot(ctx, 0)
		if err != nil {
			b.Fatal(err)
		}
		err = snap.Scan(ctx, Range{Prefix: []byte{famFacet}}, func(k, v []byte) error {
			facetKeys++
			facetBytes += len(k) + len(v)
			if k[1] == byte(graph.KindQuote) {
				quoteKeys++
				quoteBytes += len(k) + len(v)
			}
			return nil
		})
		snap.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	keys, size := dumpSize(b, s)
	n := float64(benchQuotes(b))
	b.ReportMetric(float64(facetKeys)/n, "facet-keys/quote")
	b.ReportMetric(float64(facetBytes)/n, "facet-bytes/quote")
	b.ReportMetric(float64(quoteKeys)/n, "quote-facet-keys/quote")
	b.ReportMetric(float64(quoteBytes)/n, "quote-facet-bytes/quote")
	b.ReportMetric(float64(keys)/n, "store-keys/quote")
	b.ReportMetric(float64(size)/n, "store-bytes/quote")
}

// layout6Facets rewrites the facet blocks of a store as layout 6 stored
// them: one key per entry.
func layout6Facets(ctx context.Context, tx Txn) error {
	type kv struct{ k, v []byte }
	var blocks []kv
	err := tx.Scan(ctx, Range{Prefix: []byte{famFacet}}, func(k, v []byte) error {
		if facetBlockKeyPrefix(k) > 0 {
			blocks = append(blocks, kv{slices.Clone(k), slices.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range blocks {
		n := facetBlockKeyPrefix(b.k)
		var blk facetBlock
		if err := decodeFacetBlock(b.k[n:], b.v, &blk); err != nil {
			return err
		}
		list := slices.Clone(b.k[:n])
		list[3] -= variantBlock
		for i := range blk.len() {
			if err := tx.Set(append(slices.Clip(list), blk.entry(i)...), []byte{}); err != nil {
				return err
			}
		}
		if err := tx.Delete(b.k); err != nil {
			return err
		}
	}
	return tx.Set(metaLayoutKey, []byte{6})
}
