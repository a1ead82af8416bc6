package store

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"claimgraph/graph"
)

// TestSearchTopKAgrees pages through searches of a generated corpus with
// Reader.Search (top-k with bounds) and with searchExhaustive (every match
// scored), page by page with the same cursors: the same hits, scores to
// the bit, highlights, Total and More. The queries are claimbench's
// (three plain words), words as a phrase, with a prefix* term, single
// words common and rare, a word given twice, restricted to kinds, with
// page sizes from 1 to 50 and no limit.
func TestSearchTopKAgrees(t *testing.T) {
	ctx := t.Context()
	b, _ := corpus(t, 1000)
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	phrases := claimbenchPhrases(b, 3)
	var texts []string
	for i, p := range phrases[:18] {
		ws := strings.Fields(p)
		switch i % 6 {
		case 0, 1:
			texts = append(texts, p)
		case 2:
			texts = append(texts, `"`+p+`"`)
		case 3:
			texts = append(texts, prefixAndWord(p))
		case 4:
			texts = append(texts, ws[0], ws[2]+" "+ws[2])
		case 5:
			texts = append(texts, `"`+ws[0]+" "+ws[1]+`" `+ws[2], ws[1][:min(len(ws[1]), 2)]+"*")
		}
	}
	kinds := [][]graph.Kind{nil, {graph.KindQuote}, {graph.KindClaim, graph.KindFigure, graph.KindSource}}
	pages, pruned := 0, 0
	for i, text := range texts {
		for j, limit := range []int{20, 1, 3, 50, 0} {
			q := graph.SearchQuery{Text: text, Kinds: kinds[(i+j)%len(kinds)], Limit: limit}
			for n := 0; ; n++ {
				got, want, work := searchBoth(t, s, q)
				pages++
				if msg := diffSearchPages(got, want); msg != "" {
					t.Fatalf("%+v, page %d: %s", q, n, msg)
				}
				if limit > 0 && work.candidates >= 100 && work.scored < work.candidates/2 {
					pruned++
				}
				if !got.More || n == 6 {
					break
				}
				q.After = got.Hits[len(got.Hits)-1].Cursor()
			}
		}
	}
	if pruned < 20 {
		t.Errorf("only %d of %d pages scored less than half of 100 candidates or more: pruning does not work", pruned, pages)
	}
}

// diffSearchPages describes how two pages differ, "" when they are the
// same to the bit.
func diffSearchPages(got, want graph.SearchPage) string {
	if got.Total != want.Total || got.More != want.More || len(got.Hits) != len(want.Hits) {
		return fmt.Sprintf("total %d more %v hits %d, want %d %v %d", got.Total, got.More, len(got.Hits), want.Total, want.More, len(want.Hits))
	}
	for i := range got.Hits {
		x, y := got.Hits[i], want.Hits[i]
		if x.Key != y.Key || x.Kind != y.Kind || math.Float64bits(x.Score) != math.Float64bits(y.Score) || !slices.Equal(x.Highlights, y.Highlights) {
			return fmt.Sprintf("hit %d: %+v, want %+v", i, x, y)
		}
	}
	return ""
}

// TestSearchTopKTies searches nodes whose scores tie (the same text
// many times): the page and its cursors must order the tied hits by key
// as scoring every match does, across page edges inside the tie.
func TestSearchTopKTies(t *testing.T) {
	ctx := t.Context()
	s := testOpen(t, Options{InMemory: true})
	batch := &graph.Batch{By: "test", Nodes: []graph.Node{&graph.Source{Key: "src", Kind: "article"}}}
	texts := []string{"lanterns glow over the harbour wall", "the harbour lanterns", "lanterns"}
	rng := rand.New(rand.NewPCG(4, 4))
	for i := range 120 {
		// Keys out of creation order, so that key order is not id order.
		batch.Nodes = append(batch.Nodes, &graph.Quote{Key: fmt.Sprintf("q-%03d", rng.IntN(1000)*1000+i), Source: "src", Text: texts[i%3]})
	}
	if _, err := s.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"lanterns", "harbour lanterns", `"harbour wall"`, "lant*"} {
		for _, limit := range []int{3, 39, 40, 41, 80} {
			q := graph.SearchQuery{Text: text, Limit: limit}
			seen := 0
			for n := 0; ; n++ {
				got, want, _ := searchBoth(t, s, q)
				if msg := diffSearchPages(got, want); msg != "" {
					t.Fatalf("%+v, page %d: %s", q, n, msg)
				}
				seen += len(got.Hits)
				if !got.More {
					break
				}
				q.After = got.Hits[len(got.Hits)-1].Cursor()
			}
			if seen != 0 && seen != want(t, s, text) {
				t.Errorf("%q limit %d: paged through %d hits, want %d", text, limit, seen, want(t, s, text))
			}
		}
	}
}

// want returns the number of hits of an unpaged search.
func want(t *testing.T, s *Store, text string) int {
	t.Helper()
	n := 0
	err := s.View(t.Context(), func(r graph.Reader) error {
		p, err := r.Search(t.Context(), graph.SearchQuery{Text: text})
		n = len(p.Hits)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSearchBoundAgrees checks the bound of one list against graph's
// scoring of a document holding the term alone: never below it, and equal
// to rounding (so a change of graph's BM25 that the bound does not follow
// fails here, not only as slower searches).
func TestSearchBoundAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for i := range 2000 {
		f := graph.SearchFields[i%len(graph.SearchFields)]
		docs := 1 + rng.IntN(1000000)
		st := &graph.SearchStats{
			Docs:     map[graph.SearchField]int{f: docs},
			TotalLen: map[graph.SearchField]int{f: docs * (1 + rng.IntN(40))},
			DF:       map[graph.SearchField]map[string]int{f: {"tern": 1 + rng.IntN(docs)}},
		}
		tf, dl := 1+rng.IntN(6), 1+rng.IntN(200)
		occ := make([]graph.Occurrence, tf)
		for k := range occ {
			occ[k] = graph.Occurrence{Pos: 2 * k, Start: 10 * k, End: 10*k + 4}
		}
		doc := &graph.SearchDoc{Kind: graph.KindQuote, Lengths: map[graph.SearchField]int{f: dl},
			Terms: map[graph.SearchField]map[string][]graph.Occurrence{f: {"tern": occ}}}
		expr, err := graph.ParseSearch("tern")
		if err != nil {
			t.Fatal(err)
		}
		score, _, ok := expr.Score(doc, st)
		l := &searchList{f: f, term: "tern", df: st.DF[f]["tern"]}
		bound := newListBound(l, st, listMultiplicity(expr, l)).score(uint64(tf), uint64(dl))
		if !ok || bound*(1+boundSlack) < score || math.Abs(bound-score) > 1e-12*score {
			t.Fatalf("field %d tf %d dl %d stats %+v: bound %v, score %v (%v)", f, tf, dl, st, bound, score, ok)
		}
	}
}

// TestListMultiplicity checks how many clause terms a list can score as.
func TestListMultiplicity(t *testing.T) {
	for _, c := range []struct {
		query, term string
		want        int
	}{
		{"harbour wall", "harbour", 1},
		{"harbour wall", "lantern", 0},
		{"harbour harbour", "harbour", 2},
		{`"wall to wall" wall`, "wall", 3},
		{"har* harbour", "harbour", 2},
		{"har* harbour", "hard", 1},
		{`"harbour wall" harb*`, "harbour", 2},
	} {
		expr, err := graph.ParseSearch(c.query)
		if err != nil {
			t.Fatal(err)
		}
		term := graph.Analyze(c.term)[0].Term
		if got := listMultiplicity(expr, &searchList{term: term}); got != c.want {
			t.Errorf("listMultiplicity(%q, %q) = %d, want %d", c.query, c.term, got, c.want)
		}
	}
}

// FuzzSearchListBlock feeds blocks to searchList.addBlock, the reader of
// search blocks (and, for the posting cache, of whoSaid's word posting
// blocks) that decodes ids and heads alone: any bytes never panic, and
// where decodePostingBlock reads a block of the kind asked for, addBlock
// keeps the same ids (of the kinds selected, of the candidates when
// given), heads and payloads.
func FuzzSearchListBlock(f *testing.F) {
	v, _ := encodePostingBlock(2, []postingEntry{{makeID(graph.KindQuote, 9), searchValue(4, 1)}, {makeID(graph.KindClaim, 12), searchValue(8, 0, 2)}})
	f.Add(makeID(graph.KindClaim, 12), v, byte(0xff), []byte{4, 9})
	f.Add(tailID, v, byte(1<<4), []byte{})
	f.Add(uint64(0), []byte{2, 1, 0, 0, 0, 0}, byte(1), []byte{0})
	f.Add(uint64(1<<63), []byte{2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, byte(3), []byte{1})
	w, _ := encodePostingBlock(1, []postingEntry{{makeID(graph.KindQuote, 9), wordValue(4, 1)}, {makeID(graph.KindQuote, 12), wordValue(8, 0, 2)}})
	f.Add(makeID(graph.KindQuote, 12), w, byte(1<<4|1), []byte{1})
	f.Fuzz(func(t *testing.T, key uint64, data []byte, kinds byte, cands []byte) {
		// Bit 0 of kinds (no kind has it) reads data as a list of word
		// postings (one head), else of search postings (two).
		words := kinds&1 == 1
		heads := 2
		if words {
			heads = 1
		}
		var q graph.SearchQuery
		for _, k := range graph.Kinds {
			if kinds&(1<<byte(k)) != 0 {
				q.Kinds = append(q.Kinds, k)
			}
		}
		if len(q.Kinds) == 0 {
			q.Kinds = []graph.Kind{graph.KindQuote}
		}
		sel := selectKinds(q)
		var b postingBlock
		// Heads over 32 bits (no text has so many words) and blocks of
		// more than maxSearchBlock postings are refused as corrupt by
		// addBlock alone.
		okBlock := decodePostingBlock(key, data, &b) == nil && b.heads == heads && b.len() <= maxSearchBlock &&
			!slices.ContainsFunc(b.head, func(h uint64) bool { return h > math.MaxUint32 })
		var cand []uint64
		if len(cands) > 0 && okBlock {
			for i, id := range b.ids {
				if cands[i%len(cands)]&1 == 1 {
					cand = append(cand, id)
				}
			}
			cand = append(cand, tailID-1)
		}
		l := &searchList{f: graph.SearchText, term: "t", at: -1, copy: true, words: words}
		c := 0
		err := l.addBlock(key, data, sel, cand, &c)
		if !okBlock {
			return
		}
		if err != nil {
			t.Fatalf("addBlock(%x, %x): %v; decodePostingBlock reads it", key, data, err)
		}
		if l.df != b.len() {
			t.Errorf("df %d, want %d", l.df, b.len())
		}
		var want []int
		for i, id := range b.ids {
			if q.WantKind(idKind(id)) && (cand == nil || slices.Contains(cand, id)) {
				want = append(want, i)
			}
		}
		if len(l.ids) != len(want) {
			t.Fatalf("kept %x, want %d of %x", l.ids, len(want), b.ids)
		}
		for j, i := range want {
			tf, dl := b.head[heads*i], uint64(0)
			if heads == 2 {
				dl = b.head[2*i+1]
			}
			if l.ids[j] != b.ids[i] || l.tf(j) != tf || l.dl(j) != dl {
				t.Fatalf("posting %d: id %x tf %d dl %d, want %x %d %d", j, l.ids[j], l.tf(j), l.dl(j), b.ids[i], tf, dl)
			}
			pay, err := l.payload(t.Context(), nil, j)
			if err != nil || !bytes.Equal(pay, b.payload(i)) {
				t.Fatalf("payload %d: %x (%v), want %x", j, pay, err, b.payload(i))
			}
		}
	})
}

// searchBoth answers q with the pruned search and with the exhaustive
// reference in one snapshot; a candidate scoring above its bound is an
// error.
func searchBoth(t *testing.T, s *Store, q graph.SearchQuery) (got, want graph.SearchPage, work searchWork) {
	t.Helper()
	ctx := t.Context()
	err := s.View(ctx, func(gr graph.Reader) error {
		r := gr.(*reader)
		var err error
		if got, work, err = r.search(ctx, q); err != nil {
			return err
		}
		if work.fellBack {
			t.Errorf("%+v: a candidate scored above its bound", q)
		}
		want, err = r.searchExhaustive(ctx, q)
		return err
	})
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	return got, want, work
}
