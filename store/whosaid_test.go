package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"claimgraph/fold"
	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// whoWordsTexts are texts whose splitting into words is easy to get
// wrong: apostrophes, possessives, combining marks, digits.
var whoWordsTexts = []string{
	"", "   ", "Crime is way down", "don't see", "DON’T SEE", "the cat's toy", "cats' toys", "it's",
	"it'", "'tis", "'s", "a's b", "rock'n'roll", "l'été", "e\u0301te\u0301", "\u0301x", "x\u0301",
	"O'Brien's", "9'a 7's", "ʼaʼbʼsʼ", "state-of-the-art", "x²", "ﬁre", "Ｆｅｒｒｙ", "йод", "ά",
	"naïve café", "Zürichsee–Malmöhus", "s's's", "a'\u0301b",
}

func TestWhoWordsAgreeWithAnalyze(t *testing.T) {
	for _, s := range whoWordsTexts {
		checkWhoWords(t, s)
	}
}

func FuzzWhoWords(f *testing.F) {
	for _, s := range whoWordsTexts {
		f.Add(s)
	}
	f.Fuzz(checkWhoWords)
}

// checkWhoWords checks that whoWords gives graph.Analyze's words: its
// terms once stemmed, and its code points.
func checkWhoWords(t *testing.T, s string) {
	t.Helper()
	got := whoWords([]rune(strings.ToValidUTF8(s, "\uFFFD")))
	want := graph.Analyze(s)
	if len(got) != len(want) {
		t.Fatalf("whoWords(%q) = %v, graph.Analyze = %v", s, got, want)
	}
	for i, w := range got {
		if graph.Stem(w.word) != want[i].Term || w.start != want[i].Start || w.end != want[i].End {
			t.Fatalf("whoWords(%q)[%d] = %+v, graph.Analyze %+v", s, i, w, want[i])
		}
	}
}

func TestFoldPlain(t *testing.T) {
	for _, s := range []string{"", " A  b\t\nC ", "Don't SEE \"it\"", "a\r\n\v\fb", "~!@#$%^&*()_+{}|:<>?", "I don’t  KNOW’", "a\u2018b", "x`y"} {
		checkFoldPlain(t, s)
	}
}

func FuzzFoldPlain(f *testing.F) {
	f.Add("Crime is way DOWN,  he said\n")
	f.Add("it’s ’’ it's")
	f.Fuzz(checkFoldPlain)
}

func checkFoldPlain(t *testing.T, s string) {
	t.Helper()
	if plainText(s) && foldPlain(s) != fold.Text(s) {
		t.Fatalf("foldPlain(%q) = %q, fold.Text %q", s, foldPlain(s), fold.Text(s))
	}
}

func TestNeedleWords(t *testing.T) {
	cases := []struct {
		in   string
		want string // word:left right, space separated; l and r mark a bound
	}{
		{"night ferry", "night:r ferry:l"},
		{"rime is way dow", "rime:r is:lr way:lr dow:l"},
		{`"night ferry"`, "night:lr ferry:lr"},
		{"ferry", "ferry:"},
		{"'t see", "t:r see:l"},
		{"x 't see", "x:r t:lr see:l"},
		{"it's", "it:"},
		{"it's x", "it:r x:l"},
		{"it' x", "it:r x:l"},
		{"a 's", "a:r s:l"},
		{"a it'", "a:r it:l"},
		{"'9 x", "9:lr x:l"},
		{"don't see", "dont:r see:l"},
	}
	for _, c := range cases {
		var parts []string
		for _, w := range needleWords([]rune(c.in)) {
			b := w.word + ":"
			if w.left {
				b += "l"
			}
			if w.right {
				b += "r"
			}
			parts = append(parts, b)
		}
		if got := strings.Join(parts, " "); got != c.want {
			t.Errorf("needleWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// whoSaidQuotes are quotes that the search analyser and fold.Text split
// differently, or that hold a word too long for the search postings.
func whoSaidQuotes() []*graph.Quote {
	long := strings.Repeat("ab", 200)
	texts := []string{
		"The ﬁre crews were ﬁne",                // ligatures: fold.Text makes fi
		"Дорожный йод закончился вчера",         // й: fold.Text drops the breve
		"Les élèves ont dit: c`est fini",        // backquote apostrophe inside a word
		"the new ‘don‘t panic’ motto",           // left quote mark inside a word
		"ﬀ and ＦＥＲＲＹ ｔｉｍｅｓ",                     // ligature, full-width letters
		"x² + y² is not ²",                      // superscripts: digits only after NFKD
		"a word " + long + " of words",          // a word over maxSearchTerm bytes
		"O'Brien's officers' running ferries",   // possessives, stems that cut
		"generalizations are generally running", // Porter cuts deep
		"happy hoppers were hopping happily",
		"ά έ ή words with Greek tonos",
		"control\x01chars and\u200bzero width",
	}
	out := make([]*graph.Quote, len(texts))
	for i, t := range texts {
		out[i] = &graph.Quote{Key: fmt.Sprintf("w-%02d", i), Text: t, Source: "w-src"}
	}
	return out
}

// whoSaidCorpus is a generated corpus with whoSaidQuotes added.
func whoSaidCorpus(t testing.TB, quotes int) *graph.Batch {
	b, err := gen.Generate(gen.Options{Quotes: quotes, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	batch := &graph.Batch{By: "test", Nodes: b.Nodes, Links: b.Links}
	batch.Nodes = append(batch.Nodes, &graph.Source{Key: "w-src", Kind: "article"})
	for _, q := range whoSaidQuotes() {
		batch.Nodes = append(batch.Nodes, q)
	}
	return batch
}

// whoSaidQueries draws queries from the quotes: slices of their folded
// or raw texts cut at any code point (so partial words at either edge),
// whole words, and every word of the hand-written quotes.
func whoSaidQueries(quotes []*graph.Quote, n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []string
	for _, q := range whoSaidQuotes() {
		for _, w := range strings.Fields(q.Text) {
			out = append(out, w, strings.ToUpper(w))
		}
		r := []rune(q.Text)
		for range 6 {
			i := rng.IntN(len(r))
			j := min(len(r), i+1+rng.IntN(12))
			out = append(out, string(r[i:j]))
		}
	}
	for range n {
		q := quotes[rng.IntN(len(quotes))]
		text := q.Text
		if rng.IntN(2) == 0 {
			text = fold.Text(text)
		}
		r := []rune(text)
		switch rng.IntN(4) {
		case 0: // a slice of up to 30 code points
			i := rng.IntN(len(r))
			out = append(out, string(r[i:min(len(r), i+1+rng.IntN(30))]))
		case 1: // a slice of up to 6 code points
			i := rng.IntN(len(r))
			out = append(out, string(r[i:min(len(r), i+1+rng.IntN(6))]))
		case 2: // whole words
			ws := strings.Fields(text)
			i := rng.IntN(len(ws))
			out = append(out, strings.Join(ws[i:min(len(ws), i+1+rng.IntN(4))], " "))
		default: // the start of a word to a cut
			ws := strings.Fields(text)
			i := rng.IntN(len(ws))
			s := strings.Join(ws[i:min(len(ws), i+2)], " ")
			rs := []rune(s)
			out = append(out, string(rs[:1+rng.IntN(len(rs))]))
		}
	}
	return out
}

// TestQuotesMatchingAgreesWithFold checks the index-served whoSaid against
// its definition, fold.Text substring over every quote, on a generated
// corpus with hand-written quotes that the analysers split differently:
// the same quotes, the same total, and pages that join into the whole.
// whoSaidStore is an in-memory store holding whoSaidCorpus(t, n), and the
// corpus's quotes.
func whoSaidStore(t *testing.T, n int) (*Store, []*graph.Quote) {
	t.Helper()
	b := whoSaidCorpus(t, n)
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	var quotes []*graph.Quote
	for _, node := range b.Nodes {
		if q, ok := node.(*graph.Quote); ok {
			quotes = append(quotes, q)
		}
	}
	return s, quotes
}

func TestQuotesMatchingAgreesWithFold(t *testing.T) {
	ctx := t.Context()
	s, quotes := whoSaidStore(t, 250)
	folded := make([]string, len(quotes))
	for i, q := range quotes {
		folded[i] = fold.Text(q.Text)
	}
	queries := whoSaidQueries(quotes, 130, 3)
	snap, err := s.kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	// The same queries on a reader whose engine has no cursors (as
	// PostgreSQL's): chunked scans.
	plain := newReader(scansOnly{snap})
	err = s.View(ctx, func(cur graph.Reader) error {
		for i, text := range queries {
			r := cur
			if i%3 == 0 {
				r = plain
			}
			needle := fold.Text(text)
			var want []string
			for i, q := range quotes {
				if strings.Contains(folded[i], needle) {
					want = append(want, q.Key)
				}
			}
			p, err := r.QuotesMatching(ctx, text, "", 0)
			if !hasWord(needle) {
				if !errors.Is(err, graph.ErrInvalid) {
					t.Errorf("QuotesMatching(%q): %v, want ErrInvalid", text, err)
				}
				continue
			}
			if err != nil {
				return err
			}
			got := slices.Clone(p.Keys)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || p.Total != len(want) || p.More {
				t.Errorf("QuotesMatching(%q) = %d keys (total %d, more %v), want %d: missing %.10q, extra %.10q",
					text, len(p.Keys), p.Total, p.More, len(want), minus(want, got), minus(got, want))
				continue
			}
			if i%4 != 0 {
				continue
			}
			// Pages join into the whole, in the same order.
			size := max(3, len(want)/4)
			var paged []string
			after := ""
			for range len(want)/size + 2 {
				pg, err := r.QuotesMatching(ctx, text, after, size)
				if err != nil {
					return err
				}
				if pg.Total != len(want) {
					t.Errorf("QuotesMatching(%q, %q, %d): total %d, want %d", text, after, size, pg.Total, len(want))
				}
				paged = append(paged, pg.Keys...)
				if !pg.More {
					break
				}
				after = pg.Keys[len(pg.Keys)-1]
			}
			if !slices.Equal(paged, p.Keys) {
				t.Errorf("QuotesMatching(%q) in pages of %d = %q, want %q", text, size, paged, p.Keys)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// minus returns the keys of a that b lacks.
func minus(a, b []string) []string {
	var out []string
	for _, k := range a {
		if !slices.Contains(b, k) {
			out = append(out, k)
		}
	}
	return out
}

// scansOnly hides a reader's cursors: Get and Scan only.
type scansOnly struct{ KVReader }

func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// TestQuotesMatchingNoWords: a text without letters or digits is refused
// by the store and by memgraph alike.
func TestQuotesMatchingNoWords(t *testing.T) {
	ctx := t.Context()
	m := memgraph.New()
	t.Cleanup(func() { m.Close() })
	s := testOpen(t, Options{InMemory: true})
	for _, st := range []graph.Store{s, m} {
		err := st.View(ctx, func(r graph.Reader) error {
			for _, text := range []string{"?!", " -- ", "“ ”", "'"} {
				_, err := r.QuotesMatching(ctx, text, "", 10)
				if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "no letters or digits") {
					t.Errorf("%T: QuotesMatching(%q): %v, want ErrInvalid: no letters or digits", st, text, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestQuotesMatchingUpdates checks that word postings follow a quote's
// changes and merges, and that asOf reads them as of then.
func TestQuotesMatchingUpdates(t *testing.T) {
	ctx := t.Context()
	s := testOpen(t, Options{InMemory: true})
	src := &graph.Source{Key: "s", Kind: "article"}
	q := &graph.Quote{Key: "q", Text: "The ferries were running late", Source: "s"}
	first, err := s.Apply(ctx, &graph.Batch{Nodes: []graph.Node{src, q}})
	if err != nil {
		t.Fatal(err)
	}
	q2 := *q
	q2.Text = "The boats were hopping about"
	if _, err := s.Apply(ctx, &graph.Batch{Nodes: []graph.Node{&q2}}); err != nil {
		t.Fatal(err)
	}
	check := func(r graph.Reader, text string, want int) {
		t.Helper()
		p, err := r.QuotesMatching(ctx, text, "", 10)
		if err != nil || p.Total != want {
			t.Errorf("QuotesMatching(%q) = %+v, %v; want %d", text, p, err, want)
		}
	}
	err = s.View(ctx, func(r graph.Reader) error {
		check(r, "ferries were running", 0)
		check(r, "were hopping", 1)
		check(r, "hopp", 1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.ViewAt(ctx, first.At, func(r graph.Reader) error {
		check(r, "ferries were running", 1)
		check(r, "were hopping", 0)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Only the words of the current text have word postings.
	keys := familyKeys(t, s, []byte{famSearch, searchWordField})
	for _, k := range keys {
		if strings.Contains(k, "ferries") || strings.Contains(k, "running") {
			t.Errorf("word posting %q left after the update", k)
		}
	}
}

// familyKeys returns the keys under a prefix, as strings.
func familyKeys(t *testing.T, s *Store, prefix []byte) []string {
	t.Helper()
	var out []string
	snap, err := s.kv.Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	err = snap.Scan(t.Context(), Range{Prefix: prefix, KeysOnly: true}, func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDropTrigrams writes trigram keys as a store of layout 3 holds them
// and checks that dropTrigrams (dropFamily) deletes them all, in several
// commits, and nothing else.
func TestDropTrigrams(t *testing.T) {
	ctx := context.Background()
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(ctx, whoSaidCorpus(t, 50)); err != nil {
		t.Fatal(err)
	}
	others := len(familyKeys(t, s, nil))
	const n = 4500
	_, err := s.kv.Update(ctx, func(tx Txn) error {
		for i := range n {
			k := appendID([]byte{famTrigram, 'a' + byte(i%26), 'b', 'c'}, makeID(graph.KindQuote, uint64(i)))
			if err := tx.Set(k, []byte{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := s.kv.LastCommit()
	got, err := dropFamily(ctx, s.kv, famTrigram, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Errorf("dropTrigrams deleted %d keys, want %d", got, n)
	}
	if left := familyKeys(t, s, []byte{famTrigram}); len(left) != 0 {
		t.Errorf("%d trigram keys left", len(left))
	}
	if all := len(familyKeys(t, s, nil)); all != others {
		t.Errorf("%d keys after dropTrigrams, want %d", all, others)
	}
	if s.kv.LastCommit() == before {
		t.Errorf("dropTrigrams committed nothing")
	}
	if again, err := dropTrigrams(ctx, s.kv); err != nil || again != 0 {
		t.Errorf("dropTrigrams again: %d, %v", again, err)
	}
}

// TestQuoteSearchEntries checks that the search keys of a quote, built
// from whoWords, are those that graph.IndexNode gives (which memgraph and
// the other kinds use), with the flags of refFlags on the positions.
func TestQuoteSearchEntries(t *testing.T) {
	b := whoSaidCorpus(t, 100)
	extra := []string{"", "!!", "a's b's", "ʼaʼbʼsʼ", "x\u0301y", strings.Repeat("long", 100), "ﬁre the fire ﬁre"}
	for i, text := range extra {
		b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("x-%d", i), Text: text})
	}
	for _, n := range b.Nodes {
		q, ok := n.(*graph.Quote)
		if !ok {
			continue
		}
		got := entries{}
		quoteSearchEntries(got, q, 1)
		want := entries{}
		searchDocEntries(want, graph.IndexNode(q), 1)
		addRefFlags(t, want, q.Text)
		whoSaidEntries(want, q, 1, whoWords([]rune(strings.ToValidUTF8(q.Text, "\uFFFD"))), nil)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("quote %q: quoteSearchEntries %q, want %q", q.Text, got, want)
		}
	}
}

// FuzzNeedleWords checks what needleWords settles against the text the
// query was cut from: for any text and any slice of its folded form, a
// word bounded on both sides is a whole word of the text and one bounded
// on the left begins one, and the words keep their order with no word of
// the text between them.
func FuzzNeedleWords(f *testing.F) {
	for _, s := range whoWordsTexts {
		f.Add(s, uint(0), uint(100))
	}
	f.Add("the cat's toy isn't here", uint(6), uint(13))
	f.Add("O'Brien's officers' running", uint(1), uint(20))
	f.Fuzz(func(t *testing.T, text string, i, j uint) {
		folded := []rune(fold.Text(text))
		if len(folded) == 0 {
			return
		}
		lo := int(i % uint(len(folded)))
		hi := lo + int(j%uint(len(folded)-lo+1))
		needle := []rune(fold.Text(string(folded[lo:hi])))
		if string(needle) != string(folded[lo:hi]) {
			return // the slice is not folded as it stands (a space at an edge)
		}
		words := whoWords(folded)
		at := map[int]int{} // rune offset in folded -> index of the word starting there
		for k, w := range words {
			at[w.start] = k
		}
		prev := -1
		for _, w := range needleWords(needle) {
			if !w.left {
				prev = -1
				continue
			}
			k, ok := at[lo+w.start]
			if !ok {
				t.Fatalf("text %q, query %q: %q is bounded on the left but begins no word", folded, needle, w.word)
			}
			if w.right && words[k].word != w.word || !strings.HasPrefix(words[k].word, w.word) {
				t.Fatalf("text %q, query %q: word %q (right bound %v) against %q", folded, needle, w.word, w.right, words[k].word)
			}
			if prev >= 0 && k != prev+1 {
				t.Fatalf("text %q, query %q: %q is word %d, after word %d", folded, needle, w.word, k, prev)
			}
			prev = k
		}
	})
}

// TestQuotesMatchingPage checks that QuotesMatchingPage, which stops
// checking when the page is known, pages as QuotesMatching does (keys and
// More, cursor by cursor) and that its total function gives
// QuotesMatching's total.
func TestQuotesMatchingPage(t *testing.T) {
	ctx := t.Context()
	s, quotes := whoSaidStore(t, 250)
	queries := append(whoSaidQueries(quotes, 40, 5), "the", "s", "ferr")
	err := s.View(ctx, func(gr graph.Reader) error {
		r := gr.(*reader)
		pages := 0
		for _, text := range queries {
			after := ""
			for range 50 {
				want, err := r.QuotesMatching(ctx, text, after, 3)
				if err != nil {
					if errors.Is(err, graph.ErrInvalid) {
						break
					}
					return err
				}
				got, total, err := r.QuotesMatchingPage(ctx, text, after, 3)
				if err != nil {
					return err
				}
				if !slices.Equal(got.Keys, want.Keys) || got.More != want.More || got.Total != 0 {
					t.Errorf("QuotesMatchingPage(%q, after %q) = %v more %v total %d, want %v more %v", text, after, got.Keys, got.More, got.Total, want.Keys, want.More)
				}
				n, err := total(ctx)
				if err != nil {
					return err
				}
				if n != want.Total {
					t.Errorf("QuotesMatchingPage(%q): total %d, want %d", text, n, want.Total)
				}
				pages++
				if !want.More {
					break
				}
				after = want.Keys[len(want.Keys)-1]
			}
		}
		if pages < len(queries)+10 {
			t.Errorf("only %d pages", pages)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestListHeap checks the union's heap against a sort: lists come off it
// in id order, ties included, whether they leave (popTop) or move on to a
// larger id (down).
func TestListHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 200 {
		n := 1 + r.IntN(40)
		var h listHeap
		var want []uint64
		for range n {
			id := uint64(r.IntN(20))
			h = append(h, &postings{id: id})
			want = append(want, id)
		}
		h.init()
		slices.Sort(want)
		var got []uint64
		for len(h) > 0 {
			got = append(got, h[0].id)
			if r.IntN(3) == 0 {
				// Move on: the list's next id, put back in order.
				h[0].id += uint64(1 + r.IntN(5))
				want = append(want, h[0].id)
				slices.Sort(want)
				h.down(0)
				continue
			}
			h.popTop()
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: ids off the heap %v, want %v", round, got, want)
		}
	}
}
