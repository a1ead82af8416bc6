package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"claimgraph/fold"
	"claimgraph/graph"

	"github.com/rs/zerolog"
)

// refFlags is the definition of the word flags (whosaid_flags.go), on
// the folded text, for any text: nil for an irregular quote (whose words
// are not those of its folded text).
func refFlags(text string) []uint8 {
	words := graph.Words(text)
	f := fold.Text(text)
	fw := graph.Words(f)
	if len(words) != len(fw) {
		return nil
	}
	for i := range words {
		if words[i].Term != fw[i].Term {
			return nil
		}
	}
	fr := []rune(f)
	out := make([]uint8, len(fw))
	for j, w := range fw {
		if string(fr[w.Start:w.End]) == w.Term {
			out[j] |= posLiteral
		}
		if j+1 < len(fw) && w.End+1 == fw[j+1].Start && fr[w.End] == ' ' {
			out[j] |= posJoined
		}
	}
	return out
}

// addRefFlags sets, in the text postings of one quote that
// searchDocEntries wrote to es (positions without flags), the flags of
// refFlags: literal only where the word is the term.
func addRefFlags(t *testing.T, es entries, text string) {
	t.Helper()
	flags := refFlags(text)
	if flags == nil {
		return
	}
	words := graph.Words(text)
	prefix := string([]byte{famSearch, byte(graph.SearchText)})
	for k, v := range es {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		term := k[2 : len(k)-9]
		xs := uvarints(t, v)
		var out []byte
		for i, x := range xs {
			if i >= 2 && (i-2)%4 == 1 {
				pos := x >> posFlagBits
				f := flags[pos]
				if words[pos].Term != term {
					f &^= posLiteral
				}
				x |= uint64(f)
			}
			out = binary.AppendUvarint(out, x)
		}
		es[k] = out
	}
}

// proofQuotes are quotes that set the traps of the proof: words that
// stem alike, hyphens, possessives, doubled and odd white space,
// accents, ligatures, apostrophes inside words, numbers.
func proofQuotes() []*graph.Quote {
	texts := []string{
		"Crime is way down, the chief said",
		"new taxes hit hard and the tax office knows it",
		"a well-known fact is well known to all",
		"the mayor's office said the mayor s office was shut",
		"crime  is\tway\ndown again",
		"Café olé: the café was full",
		"the ﬁre crews were ﬁne and the fire was out",
		"we're sure they don't know what we were told",
		"overtime fell by 32 percent and 32percent more",
		"running runners ran; the runs were running late",
		"it’s time, it's time, its time",
		"Søren Dahl said Zoë Chen and Jovanović agreed",
		"x\u0301y and xy are not the same",
		"ＦＥＲＲＹ times and ferry times",
		"end. next words here",
		"tax taxes taxed taxing",
	}
	out := make([]*graph.Quote, len(texts))
	for i, t := range texts {
		out[i] = &graph.Quote{Key: fmt.Sprintf("pq-%02d", i), Text: t, Source: "w-src"}
	}
	return out
}

// proofNeedles draws needles from the quotes: runs of whole words,
// slices cut inside words at either end (partial first and last words),
// and the same with a separator changed (hyphen, two spaces,
// punctuation, a possessive), an accent added or the case changed.
func proofNeedles(quotes []*graph.Quote, n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 9))
	out := []string{
		"rime is way", "rime is way dow", "ime is", "e is way down", "new tax hit", "tax office",
		"taxes hit", "well known fact", "well known to", "ell known", "mayor s office", "mayor's office",
		"crime is way down", "is way", "cafe ole", "café olé", "fire crews", "fire crews were fine",
		"re sure", "we re sure", "were sure", "dont know", "don't know", "32 percent", "by 32", "32percent",
		"runners ran", "ran the runs", "its time", "it s time", "soren dahl", "zoe chen", "jovanovic agreed",
		"xy and", "y and xy", "ferry times", "end next", "next words", "tax taxes", "ax taxe", "s office",
		"s", "e", "ta", "the", "rime",
	}
	mutate := func(s string) string {
		switch rng.IntN(8) {
		case 0:
			return strings.Replace(s, " ", "-", 1)
		case 1:
			return strings.Replace(s, " ", "  ", 1)
		case 2:
			return strings.Replace(s, " ", ", ", 1)
		case 3:
			return strings.Replace(s, " ", "'s ", 1)
		case 4:
			return strings.Replace(s, "e", "é", 1)
		case 5:
			return strings.ToUpper(s)
		}
		return s
	}
	for range n {
		q := quotes[rng.IntN(len(quotes))]
		r := []rune(fold.Text(q.Text))
		if len(r) == 0 {
			continue
		}
		var s string
		switch rng.IntN(3) {
		case 0: // whole words
			ws := strings.Fields(string(r))
			i := rng.IntN(len(ws))
			s = strings.Join(ws[i:min(len(ws), i+1+rng.IntN(4))], " ")
		default: // a slice cut anywhere
			i := rng.IntN(len(r))
			s = string(r[i:min(len(r), i+1+rng.IntN(25))])
		}
		out = append(out, s, mutate(s))
	}
	return out
}

// TestWhoSaidProofAgrees runs needles over generated and hand-written
// quotes three ways: the proven path, the previous reader (every
// candidate's record checked) and the definition (fold.Text substring
// over every quote); totals, keys and pages must agree, and the proven
// path must prove most matches of the needles it can prove.
func TestWhoSaidProofAgrees(t *testing.T) {
	ctx := t.Context()
	b := whoSaidCorpus(t, 300)
	for _, q := range proofQuotes() {
		b.Nodes = append(b.Nodes, q)
	}
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	var quotes []*graph.Quote
	for _, node := range b.Nodes {
		if q, ok := node.(*graph.Quote); ok {
			quotes = append(quotes, q)
		}
	}
	folded := make([]string, len(quotes))
	for i, q := range quotes {
		folded[i] = fold.Text(q.Text)
	}
	needles := proofNeedles(quotes, 400, 11)
	var proven, provable int
	err := s.View(ctx, func(gr graph.Reader) error {
		r := gr.(*reader)
		for i, text := range needles {
			needle := fold.Text(text)
			var want []string
			for j, q := range quotes {
				if strings.Contains(folded[j], needle) {
					want = append(want, q.Key)
				}
			}
			got, work, err := r.quotesMatching(ctx, text, "", 0, true, true)
			if !hasWord(needle) {
				if !errors.Is(err, graph.ErrInvalid) {
					t.Errorf("%q: %v, want ErrInvalid", text, err)
				}
				continue
			}
			if err != nil {
				return err
			}
			old, _, err := r.quotesMatching(ctx, text, "", 0, true, false)
			if err != nil {
				return err
			}
			// Walked in 3 and in 9 stretches, by as many walkers as
			// there are processors (9: each walker takes several).
			for _, split := range []int{3, 9} {
				r.split = split
				par, parWork, err := r.quotesMatching(ctx, text, "", 0, true, true)
				r.split = 0
				if err != nil {
					return err
				}
				if !slices.Equal(par.Keys, got.Keys) || par.Total != got.Total || parWork.proven != work.proven || parWork.checked != work.checked {
					t.Errorf("%q in %d stretches: %d keys (total %d, %+v), whole %d (total %d, %+v)", text, split, len(par.Keys), par.Total, parWork, len(got.Keys), got.Total, work)
				}
			}
			keys := slices.Clone(got.Keys)
			slices.Sort(keys)
			slices.Sort(want)
			if !slices.Equal(keys, want) || got.Total != len(want) || !slices.Equal(got.Keys, old.Keys) || old.Total != got.Total {
				t.Errorf("%q: %d keys (total %d, proven %d), previous reader %d, want %d: missing %.10q, extra %.10q",
					text, len(got.Keys), got.Total, work.proven, old.Total, len(want), minus(want, keys), minus(keys, want))
				continue
			}
			if _, ok := proofWords(needle); ok && len(want) > 0 {
				provable += len(want)
				proven += work.proven
				if testing.Verbose() && work.proven < len(want) {
					t.Logf("%q: proven %d of %d", needle, work.proven, len(want))
				}
			}
			if i%3 != 0 || len(want) < 2 {
				continue
			}
			// Pages, with and without the total, join into the whole.
			size := max(1, len(want)/3)
			paged, err := pagedMatches(r, text, size, len(want), i%2 == 0)
			if err != nil {
				return err
			}
			if !slices.Equal(paged, got.Keys) {
				t.Errorf("%q in pages of %d = %q, want %q", text, size, paged, got.Keys)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The generated quotes are regular: nearly every match of a
	// provable needle is proven.
	if provable == 0 || proven < provable*9/10 {
		t.Errorf("proven %d of %d matches of provable needles", proven, provable)
	}
	t.Logf("proven %d of %d matches of provable needles", proven, provable)
}

// pagedMatches returns the keys of the quotes matching text, asked for in
// pages of size (with the total or not) until a page says there is no
// more, for at most n matches.
func pagedMatches(r *reader, text string, size, n int, total bool) ([]string, error) {
	var paged []string
	after := ""
	for range n/size + 2 {
		pg, _, err := r.quotesMatching(context.Background(), text, after, size, total, true)
		if err != nil {
			return nil, err
		}
		paged = append(paged, pg.Keys...)
		if !pg.More {
			break
		}
		after = pg.Keys[len(pg.Keys)-1]
	}
	return paged, nil
}

// TestWhoSaidProofTraps holds the three traps the proof must not fall
// in: a term list holding other words of the stem (exact bit), words
// apart but not by one space (joined bit), a first word that is the end
// of a longer word (suffix expansion); each answered without record
// checks where it can be.
func TestWhoSaidProofTraps(t *testing.T) {
	ctx := t.Context()
	s := testOpen(t, Options{InMemory: true})
	texts := map[string]string{
		"taxes":  "new taxes hit the poor",
		"hyphen": "a well-known fact",
		"crime":  "Crime is way down",
		"spaces": "prices  are\n\tup",
	}
	nodes := []graph.Node{&graph.Source{Key: "src", Kind: "article"}}
	for k, text := range texts {
		nodes = append(nodes, &graph.Quote{Key: k, Text: text, Source: "src"})
	}
	if _, err := s.Apply(ctx, &graph.Batch{Nodes: nodes}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		needle  string
		want    []string
		checked int // records checked at most
	}{
		{"new tax hit", nil, 1}, // a candidate (the list of tax), not proven
		{"new taxes hit", []string{"taxes"}, 0},
		{"ew taxes h", []string{"taxes"}, 0},
		{"well known fact", nil, 0}, // well is not joined: no placement
		{"a well known", nil, 0},
		{"well-known fact", []string{"hyphen"}, 1},
		{"rime is way", []string{"crime"}, 0},
		{"rime is way dow", []string{"crime"}, 0},
		{"ime is", []string{"crime"}, 0},
		{"prices are up", []string{"spaces"}, 0},
		{"es are u", []string{"spaces"}, 0},
		{"rices", []string{"spaces"}, 0},
	}
	err := s.View(ctx, func(gr graph.Reader) error {
		r := gr.(*reader)
		for _, c := range cases {
			p, work, err := r.quotesMatching(ctx, c.needle, "", 0, true, true)
			if err != nil {
				return err
			}
			if !slices.Equal(p.Keys, c.want) || p.Total != len(c.want) {
				t.Errorf("%q = %q (total %d), want %q", c.needle, p.Keys, p.Total, c.want)
			}
			if work.checked > c.checked {
				t.Errorf("%q: %d records checked, want at most %d", c.needle, work.checked, c.checked)
			}
			if work.proven+work.checked < len(c.want) {
				t.Errorf("%q: %+v for %d matches", c.needle, work, len(c.want))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWhoSaidProbedUnions holds the probed constraints (constraint,
// alignProbed): a last word that expands to many words whose lists hold
// the candidates at other places ("and", "asked", "about" for "a"), a
// match proven by a later list of the order ("about", "absurd"), two
// placements in one quote, a placement the flags do not prove ("this is,
// a"), an accented word, and a probed union that misses most candidates
// of the driver and turns to the heap ("alpha be"). Every needle must
// give the definition's answer, whole and in pages, and the walks named
// must have run.
func TestWhoSaidProbedUnions(t *testing.T) {
	ctx := t.Context()
	s := testOpen(t, Options{InMemory: true})
	templates := []string{
		"this is a plan we asked about and any answer",
		"they are sure this is about an answer",
		"this is an agent and this is a test",
		"this is, a pause and an aside",
		"is this a thing and are we asked",
		"this is Ärger, all agree",
		"this island is a place apart",
		"she said this is absurd and awful",
		"alpha beta said the agents",
		"alpha and omega are all",
		"alpha, and alpha again",
		"the best bet is below the bell",
		"better be here before the bend",
	}
	nodes := []graph.Node{&graph.Source{Key: "src", Kind: "article"}}
	var quotes []*graph.Quote
	for i := range 600 {
		text := templates[i%len(templates)]
		if i >= 400 {
			// The driver's candidates the union of be... misses, one
			// between each two of its quotes.
			text = []string{"alpha is alone again", "the best bet is below the bell"}[i%2]
		}
		q := &graph.Quote{Key: fmt.Sprintf("u-%03d", i), Text: fmt.Sprintf("%s (%d)", text, i), Source: "src"}
		quotes = append(quotes, q)
		nodes = append(nodes, q)
	}
	if _, err := s.Apply(ctx, &graph.Batch{Nodes: nodes}); err != nil {
		t.Fatal(err)
	}
	// probed: the constraints probed; switched: those turned to the heap
	// (-1: either); gathered: the candidates align read every list of, at
	// most (-1: any).
	cases := []struct {
		needle           string
		probed, switched int
		proves           bool
		gathered         int
	}{
		// Gathered: only "this is, a" (31 quotes), where "is" is not
		// joined; "is this a" and "this island is a" stand at no common
		// base, which alignProbed tells.
		{"this is a", 2, 0, true, 31},
		{"this is ab", 2, 0, true, -1},
		{"his is a", 2, 0, true, -1},
		{"this is an", 2, 0, true, -1},
		{"s is a", 1, 0, false, -1}, // the s of a possessive is in no word
		{"this is arger", 1, 0, true, -1},
		{"alpha be", 1, 1, true, -1},
		{"alpha bet", 1, -1, true, -1},
		{"lpha b", 1, 1, true, -1},
		{"is a", 1, 0, true, -1},
		{"are we a", 2, 0, true, -1},
		{"alpha", 0, 0, true, -1},
	}
	err := s.View(ctx, func(gr graph.Reader) error {
		r := gr.(*reader)
		for _, c := range cases {
			needle := fold.Text(c.needle)
			var want []string
			for _, q := range quotes {
				if strings.Contains(fold.Text(q.Text), needle) {
					want = append(want, q.Key)
				}
			}
			p, work, err := r.quotesMatching(ctx, c.needle, "", 0, true, true)
			if err != nil {
				return err
			}
			if !slices.Equal(p.Keys, want) || p.Total != len(want) {
				t.Errorf("%q = %d keys (total %d), want %d: missing %.5q, extra %.5q", c.needle, len(p.Keys), p.Total, len(want), minus(want, p.Keys), minus(p.Keys, want))
			}
			if c.gathered >= 0 && work.gathered > c.gathered {
				t.Errorf("%q: %+v, want at most %d gathered", c.needle, work, c.gathered)
			}
			if work.probed != c.probed || c.switched >= 0 && work.switched != c.switched {
				t.Errorf("%q: %+v, want %d probed, %d turned to the heap", c.needle, work, c.probed, c.switched)
			}
			if c.proves && work.proven < len(want)*3/4 {
				t.Errorf("%q: %+v for %d matches", c.needle, work, len(want))
			}
			// Pages of a seventh, without the total.
			size := max(1, len(want)/7)
			paged, err := pagedMatches(r, c.needle, size, len(want), false)
			if err != nil {
				return err
			}
			if !slices.Equal(paged, want) {
				t.Errorf("%q in pages of %d: %d keys, want %d", c.needle, size, len(paged), len(want))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestQuoteFlags checks the flags the writer computes (plainFlags for
// plain text, foldedFlags otherwise) against their definition (refFlags).
func TestQuoteFlags(t *testing.T) {
	b := whoSaidCorpus(t, 200)
	texts := append([]string{}, whoWordsTexts...)
	for _, q := range proofQuotes() {
		texts = append(texts, q.Text)
	}
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			texts = append(texts, q.Text)
		}
	}
	for _, s := range texts {
		checkQuoteFlags(t, s)
	}
}

func FuzzQuoteFlags(f *testing.F) {
	for _, s := range whoWordsTexts {
		f.Add(s)
	}
	for _, q := range proofQuotes() {
		f.Add(q.Text)
	}
	f.Fuzz(checkQuoteFlags)
}

func checkQuoteFlags(t *testing.T, s string) {
	t.Helper()
	words := whoWordsText(s)
	flags, _, irregular := quoteWords(s, words)
	want := refFlags(s)
	if irregular != (want == nil) || !slices.Equal(flags, want) {
		t.Fatalf("flags of %q: %v (irregular %v), want %v", s, flags, irregular, want)
	}
}

// uvarints decodes v, a run of uvarints, failing the test on a bad one.
func uvarints(t *testing.T, v []byte) []uint64 {
	t.Helper()
	var xs []uint64
	for len(v) > 0 {
		x, n := binary.Uvarint(v)
		if n <= 0 {
			t.Fatalf("bad uvarint in %x", v)
		}
		xs, v = append(xs, x), v[n:]
	}
	return xs
}

// layout5Value returns a logical posting value of layout 6 as layout 5
// stored it: positions without flags.
func layout5Value(t *testing.T, heads int, v []byte) []byte {
	t.Helper()
	xs := uvarints(t, v)
	var out []byte
	for i, x := range xs {
		j := i - heads
		if heads == 1 && j >= 0 || heads == 2 && j >= 0 && j%4 == 1 {
			x >>= posFlagBits
		}
		out = binary.AppendUvarint(out, x)
	}
	return out
}

// TestWhoSaidLayout5Migration turns a store into layout 5 (positions
// without flags, no reversed dictionary, s | fb for long words only) and
// checks that opening it migrates once: the same answers to whoSaid and
// search, the proofs at work, a clean Verify, layout 6.
func TestWhoSaidLayout5Migration(t *testing.T) {
	ctx := t.Context()
	s, kv := newMemStore(t)
	var err error
	b := whoSaidCorpus(t, 200)
	for _, q := range proofQuotes() {
		b.Nodes = append(b.Nodes, q)
	}
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	var quotes []*graph.Quote
	for _, node := range b.Nodes {
		if q, ok := node.(*graph.Quote); ok {
			quotes = append(quotes, q)
		}
	}
	needles := proofNeedles(quotes, 60, 5)
	answers := func(s *Store) (string, int) {
		var out strings.Builder
		proven := 0
		err := s.View(ctx, func(gr graph.Reader) error {
			r := gr.(*reader)
			for _, text := range needles {
				p, work, err := r.quotesMatching(ctx, text, "", 10, true, true)
				if errors.Is(err, graph.ErrInvalid) {
					continue
				}
				if err != nil {
					return err
				}
				proven += work.proven
				fmt.Fprintln(&out, text, p.Keys, p.Total, p.More)
			}
			for _, text := range []string{"ferry", "crime is way", "\"well known\"", "taxes"} {
				p, err := r.Search(ctx, graph.SearchQuery{Text: text, Limit: 10})
				if err != nil {
					return err
				}
				fmt.Fprintln(&out, text, p.Total, p.Hits)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.String(), proven
	}
	before, proven := answers(s)
	if proven == 0 {
		t.Fatal("layout 6 proves nothing")
	}
	_, err = kv.Update(ctx, func(tx Txn) error {
		type kvp struct{ k, v []byte }
		var sets []kvp
		var dels [][]byte
		err := tx.Scan(ctx, Range{Prefix: []byte{famSearch}}, func(k, v []byte) error {
			switch n := blockKeyPrefix(k); {
			case n > 0:
				var blk postingBlock
				if err := decodePostingBlock(decodeID(k[n:]), v, &blk); err != nil {
					return err
				}
				es := blk.entries()
				for i := range es {
					es[i].val = layout5Value(t, blk.heads, es[i].val)
				}
				nv, err := encodePostingBlock(blk.heads, es)
				if err != nil {
					return err
				}
				sets = append(sets, kvp{slices.Clone(k), nv})
			case k[1] == searchDictField:
				dels = append(dels, slices.Clone(k))
			case k[1] == searchLongField:
				node, err := newReader(tx).nodeByID(ctx, decodeID(k[2:]))
				if err != nil {
					return err
				}
				if !slices.ContainsFunc(whoWordsText(node.(*graph.Quote).Text), func(w whoWord) bool { return len(w.word) > maxSearchTerm }) {
					dels = append(dels, slices.Clone(k))
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(dels) == 0 {
			return errors.New("no reversed dictionary key")
		}
		for _, k := range dels {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		for _, e := range sets {
			if err := tx.Set(e.k, e.v); err != nil {
				return err
			}
		}
		return tx.Set(metaLayoutKey, []byte{5})
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep := mustVerify(t, s, VerifyOptions{}); rep.OK() {
		t.Fatal("Verify finds nothing wrong with layout-5 postings")
	}
	s2, err := New(ctx, kv, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	after, proven2 := answers(s2)
	if after != before || proven2 != proven {
		t.Errorf("after the migration (%d proven, want %d):\n%s\nwant\n%s", proven2, proven, after, before)
	}
	wantClean(t, "after the migration", mustVerify(t, s2, VerifyOptions{}))
	if len(familyKeys(t, s2, []byte{famSearch, searchDictField})) == 0 {
		t.Error("no reversed dictionary after the migration")
	}
	snap, err := kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if v, err := snap.Get(ctx, metaLayoutKey); err != nil || v[0] != layoutVersion {
		t.Errorf("layout %x %v, want %d", v, err, layoutVersion)
	}
}
