package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"claimgraph/graph"
)

// TestPostingCacheAgrees answers the same searches on two stores holding
// the same generated corpus, one with the posting cache keeping every list
// (of one block or more) and one without it: every page, with its cursors,
// must be the same to the bit, asked once (lists read and kept) and again
// (lists served from the cache), restricted to one kind, to several and to
// none. Then a second batch rewrites and adds quotes: the next searches
// read the new commit, not the lists kept for the old one, and a search of
// the old commit (asOf) still answers as it did.
func TestPostingCacheAgrees(t *testing.T) {
	ctx := t.Context()
	cached, plain, b := cachedAndPlain(t, 1000, 64<<20)
	before := time.Now()
	var texts []string
	for i, p := range claimbenchPhrases(b, 5)[:12] {
		ws := strings.Fields(p)
		switch i % 3 {
		case 0:
			texts = append(texts, p)
		case 1:
			texts = append(texts, ws[0], ws[1]+" "+ws[2])
		case 2:
			texts = append(texts, prefixAndWord(p), `"`+ws[0]+" "+ws[1]+`"`)
		}
	}
	kinds := [][]graph.Kind{{graph.KindQuote}, nil, {graph.KindClaim, graph.KindFigure, graph.KindSource}, {graph.KindPerson, graph.KindQuote}}
	compare := func(round string, view func(*Store, func(graph.Reader) error) error) {
		t.Helper()
		for i, text := range texts {
			for j, limit := range []int{20, 3, 50, 0} {
				q := graph.SearchQuery{Text: text, Kinds: kinds[(i+j)%len(kinds)], Limit: limit}
				for n := 0; ; n++ {
					var got, want graph.SearchPage
					for _, side := range []struct {
						s *Store
						p *graph.SearchPage
					}{{cached, &got}, {plain, &want}} {
						err := view(side.s, func(r graph.Reader) error {
							var err error
							*side.p, err = r.Search(ctx, q)
							return err
						})
						if err != nil {
							t.Fatalf("%s: %+v: %v", round, q, err)
						}
					}
					if msg := diffSearchPages(got, want); msg != "" {
						t.Fatalf("%s: %+v, page %d: %s", round, q, n, msg)
					}
					if !got.More || n == 3 {
						break
					}
					q.After = got.Hits[len(got.Hits)-1].Cursor()
				}
			}
		}
	}
	latest := func(s *Store, fn func(graph.Reader) error) error { return s.View(ctx, fn) }
	compare("first reads", latest)
	first := cached.postings.cur.Load()
	if first == nil || len(first.lists) == 0 {
		t.Fatal("the posting cache kept no list")
	}
	hits := cached.PostingCache().Hits
	compare("from the cache", latest)
	if cached.PostingCache().Hits == hits {
		t.Fatal("no list was served from the posting cache")
	}
	if first.used > first.caches.limit {
		t.Fatalf("the cache holds %d bytes, over its budget of %d", first.used, first.caches.limit)
	}
	if st := cached.PostingCache(); st.Bytes != first.used || st.Lists != len(first.lists) || st.Hits == 0 || st.Reads < uint64(st.Lists) {
		t.Fatalf("PostingCache() = %+v; the cache holds %d bytes in %d lists", st, first.used, len(first.lists))
	}
	if st := plain.PostingCache(); st != (PostingCacheStats{}) {
		t.Fatalf("PostingCache() of a store without one = %+v", st)
	}

	// A second commit: quotes rewritten (the generator's next corpus
	// reuses the keys) and added.
	more, _ := corpus(t, 1300)
	for _, q := range more.Nodes {
		if q, ok := q.(*graph.Quote); ok {
			q.Text = "Working families " + q.Text
		}
	}
	for _, s := range []*Store{cached, plain} {
		if _, err := s.Apply(ctx, more); err != nil {
			t.Fatal(err)
		}
	}
	texts = append(texts, "working families", "families")
	compare("after a commit", latest)
	compare("after a commit, from the cache", latest)
	if c := cached.postings.cur.Load(); c == first || c.ts <= first.ts {
		t.Fatal("the commit did not start a new posting cache")
	}
	compare("asOf the first commit", func(s *Store, fn func(graph.Reader) error) error { return s.ViewAt(ctx, before, fn) })
}

// TestPostingCacheBudget searches with a budget that holds a few lists:
// the answers stay right, the cache never holds more than its budget, and
// the lists asked for most stay.
func TestPostingCacheBudget(t *testing.T) {
	ctx := t.Context()
	s, plain, b := cachedAndPlain(t, 600, 48<<10)
	texts := claimbenchPhrases(b, 9)[:30]
	for round := range 4 {
		for i, text := range texts {
			// "said" in every other query: the list asked for most.
			if i%2 == 0 {
				text += " said"
			}
			q := graph.SearchQuery{Text: text, Kinds: []graph.Kind{graph.KindQuote}, Limit: 10}
			var got, want graph.SearchPage
			if err := s.View(ctx, func(r graph.Reader) (err error) { got, err = r.Search(ctx, q); return }); err != nil {
				t.Fatal(err)
			}
			if err := plain.View(ctx, func(r graph.Reader) (err error) { want, err = r.Search(ctx, q); return }); err != nil {
				t.Fatal(err)
			}
			if msg := diffSearchPages(got, want); msg != "" {
				t.Fatalf("round %d, %q: %s", round, text, msg)
			}
			c := s.postings.cur.Load()
			if c.used > c.caches.limit {
				t.Fatalf("round %d: the cache holds %d bytes, over its budget of %d", round, c.used, c.caches.limit)
			}
		}
	}
	c := s.postings.cur.Load()
	if c.lists[string(newSearchList(graph.SearchText, "said").prefix)] == nil {
		t.Errorf("the list asked for most was dropped; kept: %d lists, %d bytes", len(c.lists), c.used)
	}
}

// TestPostingCachePut checks the keeping rules on a cache of 1,000
// bytes: a list is wanted when it fits in the room left, or once asked
// for twice when it fits beside the lists asked for as often or more; making room drops the lists
// asked for least, oldest first; a list over the budget is never kept.
func TestPostingCachePut(t *testing.T) {
	list := func(n int) *cachedList {
		return &cachedList{ids: make([]uint64, n), heads16: make([]uint16, 2*n)}
	}
	// A list of n postings in no block takes 256 + 1 + 12n bytes under
	// a one-byte prefix: two of 10 fit, not three; one of 70 does not.
	type step struct {
		ask  string // asked for once more
		put  int    // then put with this many postings (0: not put)
		kept bool   // whether the put keeps it
		want bool   // whether wants reports true before the put
	}
	tests := []struct {
		name  string
		steps []step
		after []string // the lists kept at the end
	}{
		{"asked once, room left: wanted", []step{{ask: "a", put: 10, want: true, kept: true}}, []string{"a"}},
		{"asked once, no room: not wanted", []step{
			{ask: "a", put: 10, want: true, kept: true},
			{ask: "b", put: 10, want: true, kept: true},
			{ask: "c", put: 10, want: false, kept: false},
		}, []string{"a", "b"}},
		{"asked twice: wanted", []step{{ask: "a"}, {ask: "a", put: 10, want: true, kept: true}}, []string{"a"}},
		{"over the budget", []step{{ask: "a"}, {ask: "a", put: 70, want: false, kept: false}}, nil},
		{"drops the least asked", []step{
			{ask: "a"}, {ask: "a"}, {ask: "a", put: 10, want: true, kept: true},
			{ask: "b"}, {ask: "b", put: 10, want: true, kept: true},
			{ask: "c"}, {ask: "c"}, {ask: "c", put: 10, want: true, kept: true},
		}, []string{"a", "c"}},
		{"keeps the more asked", []step{
			{ask: "a"}, {ask: "a"}, {ask: "a", put: 10, want: true, kept: true},
			{ask: "b"}, {ask: "b"}, {ask: "b", put: 10, want: true, kept: true},
			{ask: "c"}, {ask: "c", put: 10, want: false, kept: false},
		}, []string{"a", "b"}},
		{"oldest first among equals", []step{
			{ask: "a"}, {ask: "a", put: 10, want: true, kept: true},
			{ask: "b"}, {ask: "b", put: 10, want: true, kept: true},
			{ask: "c"}, {ask: "c"}, {ask: "c", put: 10, want: true, kept: true},
		}, []string{"b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newPostingCaches(1000, 1).at(1)
			for i, st := range tt.steps {
				c.get([]byte(st.ask))
				if st.put == 0 {
					continue
				}
				e := list(st.put)
				if got := c.wants([]byte(st.ask), listBytes([]byte(st.ask), st.put, 0, 0)); got != st.want {
					t.Errorf("step %d: wants(%q) = %v, want %v", i, st.ask, got, st.want)
				}
				c.put([]byte(st.ask), e)
				if got := c.lists[st.ask] == e; got != st.kept {
					t.Errorf("step %d: put(%q) kept = %v, want %v", i, st.ask, got, st.kept)
				}
				if c.used > c.caches.limit {
					t.Errorf("step %d: %d bytes held, budget %d", i, c.used, c.caches.limit)
				}
			}
			kept := slices.Sorted(maps.Keys(c.lists))
			if fmt.Sprint(kept) != fmt.Sprint(tt.after) {
				t.Errorf("kept %v, want %v", kept, tt.after)
			}
		})
	}
	// A list whose estimate fit but which was turned away once read is
	// judged by its real size afterwards (no whole read again for nothing).
	c := newPostingCaches(1000, 1).at(1)
	for _, k := range []string{"a", "b"} {
		for range 3 {
			c.get([]byte(k))
		}
		c.put([]byte(k), list(10))
	}
	c.get([]byte("c"))
	c.get([]byte("c"))
	if !c.wants([]byte("c"), 80) {
		t.Error("a list estimated to fit in the room left is not wanted")
	}
	if c.put([]byte("c"), list(10)); c.lists["c"] != nil {
		t.Error("a list that does not fit beside lists asked for more was kept")
	}
	if c.wants([]byte("c"), 80) {
		t.Error("a list turned away at its real size is still wanted by its estimate")
	}

	// A newer timestamp starts an empty cache; an older one reads without.
	p := newPostingCaches(1000, 1)
	c5 := p.at(5)
	if p.at(5) != c5 || p.at(4) != nil || p.at(6) == c5 {
		t.Error("the caches by timestamp: same, older, newer")
	}
	if newPostingCaches(-1, 0).at(1) != nil {
		t.Error("a negative budget turns the cache off")
	}
}

// TestPostingCacheConcurrent runs searches from several goroutines on a
// store whose cache keeps every list (run with -race): each answers what
// the store without the cache answers.
func TestPostingCacheConcurrent(t *testing.T) {
	ctx := t.Context()
	s, plain, b := cachedAndPlain(t, 500, 32<<20)
	texts := claimbenchPhrases(b, 11)[:16]
	want := map[string]graph.SearchPage{}
	for _, text := range texts {
		q := graph.SearchQuery{Text: text, Kinds: []graph.Kind{graph.KindQuote}, Limit: 5}
		if err := plain.View(ctx, func(r graph.Reader) (err error) { want[text], err = r.Search(ctx, q); return }); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 4 {
		wg.Go(func() {
			for round := range 3 {
				for i := range texts {
					text := texts[(i+g*3)%len(texts)]
					q := graph.SearchQuery{Text: text, Kinds: []graph.Kind{graph.KindQuote}, Limit: 5}
					var got graph.SearchPage
					if err := s.View(ctx, func(r graph.Reader) (err error) { got, err = r.Search(ctx, q); return }); err != nil {
						errs <- err.Error()
						return
					}
					if msg := diffSearchPages(got, want[text]); msg != "" {
						errs <- fmt.Sprintf("goroutine %d, round %d, %q: %s", g, round, text, msg)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestPostingCacheWhoSaid asks whoSaid questions of two stores holding the
// same corpus, one whose posting cache keeps every list: its cursors walk
// the kept lists (ids, positions) instead of the blocks, and every page,
// with its cursor, and every total must be the same as without the cache.
// The matches proven and the records checked must be the same too. The
// questions: claimbench's phrases, their first two words, a word and the
// beginning of the next, a part of a word, one common word.
func TestPostingCacheWhoSaid(t *testing.T) {
	ctx := t.Context()
	cached, plain, b := cachedAndPlain(t, 800, 64<<20)
	var texts []string
	for _, p := range claimbenchPhrases(b, 13)[:12] {
		ws := strings.Fields(p)
		texts = append(texts, p, ws[0]+" "+ws[1], ws[1]+" "+ws[2][:max(1, len(ws[2])/2)], ws[1][:max(1, len(ws[1])-1)])
	}
	texts = append(texts, "the", "said")
	for round := range 2 {
		for _, text := range texts {
			after := ""
			for n := 0; n < 4; n++ {
				var got, want graph.Page
				if err := cached.View(ctx, func(r graph.Reader) (err error) { got, err = r.QuotesMatching(ctx, text, after, 7); return }); err != nil {
					t.Fatalf("%q: %v", text, err)
				}
				if err := plain.View(ctx, func(r graph.Reader) (err error) { want, err = r.QuotesMatching(ctx, text, after, 7); return }); err != nil {
					t.Fatalf("%q: %v", text, err)
				}
				if got.Total != want.Total || got.More != want.More || !slices.Equal(got.Keys, want.Keys) {
					t.Fatalf("round %d, %q after %q: %d %v %v, want %d %v %v", round, text, after, got.Total, got.More, got.Keys, want.Total, want.More, want.Keys)
				}
				// The kept lists' positions and flags prove what the
				// blocks prove.
				var gotWork, wantWork whoSaidWork
				if err := cached.View(ctx, func(r graph.Reader) (err error) {
					_, gotWork, err = r.(*reader).quotesMatching(ctx, text, after, 7, true, true)
					return
				}); err != nil {
					t.Fatal(err)
				}
				if err := plain.View(ctx, func(r graph.Reader) (err error) {
					_, wantWork, err = r.(*reader).quotesMatching(ctx, text, after, 7, true, true)
					return
				}); err != nil {
					t.Fatal(err)
				}
				if gotWork.proven != wantWork.proven || gotWork.checked != wantWork.checked {
					t.Fatalf("round %d, %q after %q: %+v, without the cache %+v", round, text, after, gotWork, wantWork)
				}
				if !got.More {
					break
				}
				after = got.Keys[len(got.Keys)-1]
			}
		}
	}
	if cached.PostingCache().Hits == 0 {
		t.Fatal("whoSaid used no kept list")
	}
}

// cachedAndPlain returns two in-memory stores holding the generated corpus
// of n quotes: one whose posting cache of size bytes keeps every list (of
// one block or more), one without a posting cache.
func cachedAndPlain(t *testing.T, n int, size int64) (cached, plain *Store, b *graph.Batch) {
	t.Helper()
	b, _ = corpus(t, n)
	cached = testOpen(t, Options{InMemory: true, PostingCacheSize: size, postingMinBlocks: 1})
	plain = testOpen(t, Options{InMemory: true, PostingCacheSize: -1})
	for _, s := range []*Store{cached, plain} {
		if _, err := s.Apply(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	return cached, plain, b
}

// TestPostingCacheKeys searches quotes that all tie (the same words, the
// same length), so that every page orders its hits by key, read from
// s | ff | id: the keys are kept in the commit's posting cache and the
// pages, cursors included, are the same as without a cache, before and
// after a commit that adds a quote whose key comes first, and asOf the
// first commit. The keys kept stop at postingKeyCap.
func TestPostingCacheKeys(t *testing.T) {
	ctx := t.Context()
	batch := func(from, to int) *graph.Batch {
		b := &graph.Batch{By: "test", Nodes: []graph.Node{&graph.Source{Key: "s-1", Kind: "article"}}}
		for i := from; i < to; i++ {
			// Keys in the reverse of the ids' order.
			b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("q-%04d", 1000-i), Text: "harbour tolls will rise in spring", Source: "s-1"})
		}
		return b
	}
	cached := testOpen(t, Options{InMemory: true, PostingCacheSize: 64 << 20, postingMinBlocks: 1})
	plain := testOpen(t, Options{InMemory: true, PostingCacheSize: -1})
	for _, s := range []*Store{cached, plain} {
		if _, err := s.Apply(ctx, batch(0, 300)); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now()
	pages := func(s *Store, view func(*Store, func(graph.Reader) error) error, text string) []graph.SearchPage {
		t.Helper()
		var out []graph.SearchPage
		q := graph.SearchQuery{Text: text, Kinds: []graph.Kind{graph.KindQuote}, Limit: 7}
		for len(out) < 50 {
			var p graph.SearchPage
			if err := view(s, func(r graph.Reader) error {
				var err error
				p, err = r.Search(ctx, q)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
			if !p.More {
				break
			}
			q.After = p.Hits[len(p.Hits)-1].Cursor()
		}
		return out
	}
	compare := func(round string, view func(*Store, func(graph.Reader) error) error, first string) {
		t.Helper()
		for _, text := range []string{"harbour tolls", "tolls will rise", "spring"} {
			got, want := pages(cached, view, text), pages(plain, view, text)
			if len(got) != len(want) {
				t.Fatalf("%s, %q: %d pages, %d without the cache", round, text, len(got), len(want))
			}
			for i := range got {
				if msg := diffSearchPages(got[i], want[i]); msg != "" {
					t.Fatalf("%s, %q, page %d: %s", round, text, i, msg)
				}
			}
			if k := got[0].Hits[0].Key; k != first {
				t.Fatalf("%s, %q: first hit %s, want %s (ties in key order)", round, text, k, first)
			}
		}
	}
	latest := func(s *Store, fn func(graph.Reader) error) error { return s.View(ctx, fn) }
	compare("first reads", latest, "q-0701")
	c := cached.postings.cur.Load()
	if c == nil || len(c.keys) < 300 {
		t.Fatalf("the posting cache kept %d keys, want the 300 tied quotes'", len(c.keys))
	}
	compare("keys from the cache", latest, "q-0701")

	// A commit adds quotes whose keys come first: the next pages read the
	// new commit's keys, and asOf the first still answers as before.
	for _, s := range []*Store{cached, plain} {
		if _, err := s.Apply(ctx, batch(300, 320)); err != nil {
			t.Fatal(err)
		}
	}
	compare("after a commit", latest, "q-0681")
	if n := cached.postings.cur.Load(); n == c {
		t.Fatal("the commit did not start a new posting cache")
	}
	compare("asOf the first commit", func(s *Store, fn func(graph.Reader) error) error { return s.ViewAt(ctx, before, fn) }, "q-0701")

	for i := range postingKeyCap + 10 {
		c.putKey(uint64(i), "k")
	}
	if len(c.keys) != postingKeyCap {
		t.Fatalf("the posting cache kept %d keys, over its cap of %d", len(c.keys), postingKeyCap)
	}
}

// TestPostingRef checks the block and posting number found from the
// blocks' starts, and the heads kept in 16 bits only when all fit.
func TestPostingRef(t *testing.T) {
	starts := []uint32{0, 3, 4, 132} // blocks of 3, 1, 128 and more postings
	tests := []struct{ j, block, i int }{
		{0, 0, 0}, {2, 0, 2}, {3, 1, 0}, {4, 2, 0}, {131, 2, 127}, {132, 3, 0}, {200, 3, 68},
	}
	for _, tt := range tests {
		if b, i := postingRef(starts, tt.j); b != tt.block || i != tt.i {
			t.Errorf("postingRef(%d) = block %d, posting %d; want %d, %d", tt.j, b, i, tt.block, tt.i)
		}
	}
	if h, ok := narrowHeads([]uint32{1, 12, 65535, 0}); !ok || !slices.Equal(h, []uint16{1, 12, 65535, 0}) {
		t.Errorf("narrowHeads of heads that fit = %v, %v", h, ok)
	}
	if h, ok := narrowHeads([]uint32{1, 12, 65536, 0}); ok || h != nil {
		t.Errorf("narrowHeads of a head over 16 bits = %v, %v", h, ok)
	}
	// A list with a head over 16 bits keeps them in 32 and answers the
	// same heads through either.
	for _, e := range []*cachedList{
		{ids: []uint64{4<<56 | 1, 4<<56 | 2}, heads: []uint32{1, 70000, 2, 9}, starts: []uint32{0}, keys: []uint64{tailID}},
		{ids: []uint64{4<<56 | 1, 4<<56 | 2}, heads16: []uint16{1, 7000, 2, 9}, starts: []uint32{0}, keys: []uint64{tailID}},
	} {
		l := newSearchList(graph.SearchText, "x")
		l.useCached(e, allKinds)
		want := [][2]uint64{{1, 70000}, {2, 9}}
		if e.heads16 != nil {
			want[0][1] = 7000
		}
		for j := range 2 {
			if got := [2]uint64{l.tf(j), l.dl(j)}; got != want[j] {
				t.Errorf("heads of posting %d = %v, want %v", j, got, want[j])
			}
			if b, i := l.ref(j); b != 0 || i != j {
				t.Errorf("ref(%d) = %d, %d", j, b, i)
			}
		}
	}
}
