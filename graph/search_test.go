package graph

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
)

func TestStem(t *testing.T) {
	cases := []struct{ in, want string }{
		{"caresses", "caress"}, {"ponies", "poni"}, {"ties", "ti"}, {"caress", "caress"},
		{"cats", "cat"}, {"feed", "feed"}, {"agreed", "agre"}, {"plastered", "plaster"},
		{"motoring", "motor"}, {"sing", "sing"}, {"conflated", "conflat"}, {"troubled", "troubl"},
		{"sized", "size"}, {"hopping", "hop"}, {"tanned", "tan"}, {"falling", "fall"},
		{"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"}, {"filing", "file"},
		{"happy", "happi"}, {"sky", "sky"}, {"relational", "relat"}, {"conditional", "condit"},
		{"generalizations", "gener"}, {"running", "run"}, {"hopeful", "hope"},
		{"adjustment", "adjust"}, {"controlling", "control"}, {"rolling", "roll"},
		{"electricity", "electr"}, {"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"},
		{"incidents", "incid"}, {"department", "depart"}, {"crime", "crime"}, {"is", "is"},
		{"way", "wai"}, {"down", "down"}, {"ferry", "ferri"}, {"complaints", "complaint"},
		{"a", "a"}, {"x1", "x1"}, {"été", "été"}, {"", ""},
	}
	// Twice, from goroutines at once: the second answer comes from the
	// cache of stems (and `go test -race` checks the cache).
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 2 {
				for _, c := range cases {
					if got := Stem(c.in); got != c.want {
						t.Errorf("Stem(%q) = %q, want %q", c.in, got, c.want)
					}
				}
			}
		})
	}
	wg.Wait()
	if _, ok := stemCache.Load("generalizations"); !ok {
		t.Error("a stemmed word is not kept")
	}
	long := "internationalizationsbeyondreason"
	if Stem(long) == "" {
		t.Fatal("no stem")
	}
	if _, ok := stemCache.Load(long); ok {
		t.Errorf("a word of %d bytes is kept (the longest kept: %d)", len(long), stemCacheWord)
	}
}

func TestAnalyze(t *testing.T) {
	cases := []struct {
		in   string
		want []Token
	}{
		{"Crime is way DOWN.", []Token{{"crime", 0, 5}, {"is", 6, 8}, {"wai", 9, 12}, {"down", 13, 17}}},
		{"José Álvarez", []Token{{"jose", 0, 4}, {"alvarez", 5, 12}}},
		{"the Department’s report, don't", []Token{{"the", 0, 3}, {"depart", 4, 14}, {"report", 17, 23}, {"dont", 25, 30}}},
		{"e\u0301te\u0301 40%", []Token{{"et", 0, 5}, {"40", 6, 8}}},
		{"", nil},
		{"—«»", nil},
	}
	for _, c := range cases {
		if got := Analyze(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Analyze(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseSearch(t *testing.T) {
	cases := []struct {
		in    string
		want  []SearchClause
		words []string
	}{
		{"crime is way down", []SearchClause{{Terms: []string{"crime"}}, {Terms: []string{"is"}}, {Terms: []string{"wai"}}, {Terms: []string{"down"}}},
			[]string{"crime", "is", "wai", "down"}},
		{`ferry "is way down"`, []SearchClause{{Terms: []string{"ferri"}}, {Terms: []string{"is", "wai", "down"}, Phrase: true}}, nil},
		{`"Harbour"`, []SearchClause{{Terms: []string{"harbour"}}}, nil},
		{"ferr* night", []SearchClause{{Terms: []string{"ferr"}, Prefix: true}, {Terms: []string{"night"}}}, nil},
		{`"unclosed phrase`, []SearchClause{{Terms: []string{"unclos", "phrase"}, Phrase: true}}, nil},
		{"ÁLVAREZ", []SearchClause{{Terms: []string{"alvarez"}}}, nil},
	}
	for _, c := range cases {
		e, err := ParseSearch(c.in)
		if err != nil {
			t.Errorf("ParseSearch(%q): %v", c.in, err)
			continue
		}
		if !slices.EqualFunc(e.Clauses, c.want, func(a, b SearchClause) bool {
			return slices.Equal(a.Terms, b.Terms) && a.Phrase == b.Phrase && a.Prefix == b.Prefix
		}) || !slices.Equal(e.Words, c.words) {
			t.Errorf("ParseSearch(%q) = %+v, want %+v words %v", c.in, e, c.want, c.words)
		}
	}
	for _, bad := range []string{"", "  ", `""`, "*", "— !"} {
		if _, err := ParseSearch(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseSearch(%q): err %v, want ErrInvalid", bad, err)
		}
	}
}

func TestPageSearch(t *testing.T) {
	hits := func() []SearchHit {
		return []SearchHit{{Key: "b", Score: 1}, {Key: "a", Score: 2}, {Key: "c", Score: 1}, {Key: "d", Score: 0.5}}
	}
	full, err := PageSearch(hits(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	order := []string{"a", "b", "c", "d"}
	var got []string
	for _, h := range full.Hits {
		got = append(got, h.Key)
	}
	if !slices.Equal(got, order) || full.Total != 4 || full.More {
		t.Fatalf("PageSearch = %+v, want %v", full, order)
	}
	p, err := PageSearch(hits(), full.Hits[1].Cursor(), 1)
	if err != nil || len(p.Hits) != 1 || p.Hits[0].Key != "c" || !p.More || p.Total != 4 {
		t.Errorf("PageSearch after b = %+v, %v; want c and more", p, err)
	}
	// A cursor of a hit that is gone resumes at its place.
	p, err = PageSearch(hits(), SearchHit{Key: "bb", Score: 1}.Cursor(), 0)
	if err != nil || len(p.Hits) != 2 || p.Hits[0].Key != "c" {
		t.Errorf("PageSearch after a missing hit = %+v, %v", p, err)
	}
	if _, err := PageSearch(hits(), "%%", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad cursor: err %v, want ErrInvalid", err)
	}
}

// FuzzParseSearch checks that the parser never panics, that a parsed query
// has clauses of non-empty terms, and that an error is ErrInvalid.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{"crime is way down", `"is way down"`, "ferr*", `a "b c`, "Álvarez's", "**", `""`, "x*y* \"z*\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseSearch(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseSearch(%q): %v", s, err)
			}
			return
		}
		if len(e.Clauses) == 0 {
			t.Fatalf("ParseSearch(%q): no clauses and no error", s)
		}
		for _, c := range e.Clauses {
			if len(c.Terms) == 0 || (c.Phrase && len(c.Terms) < 2) {
				t.Fatalf("ParseSearch(%q): clause %+v", s, c)
			}
			for _, term := range c.Terms {
				if term == "" {
					t.Fatalf("ParseSearch(%q): empty term", s)
				}
			}
		}
	})
}

// FuzzAnalyzeASCII holds the ASCII fast path of the analyser to the
// general one: same terms and positions, stemmed or not, on any ASCII text.
func FuzzAnalyzeASCII(f *testing.F) {
	for _, s := range []string{
		"Crime is way down, the mayor's office said.",
		"I don't think so -- it's 'quoted' and O'Neil's",
		"ROCK'N'ROLL 42x 3.5 per-cent s's 's' x's",
		"'leading' trailing' a' 'b c'd'",
		"",
		"\t\n tabs\tand\nnewlines\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		for i := range b {
			b[i] &= 0x7f
		}
		s = string(b)
		for _, stem := range []bool{false, true} {
			got, want := analyzeASCII(s, stem), analyzeRunes(s, stem)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q (stem %v):\nascii %v\nrunes %v", s, stem, got, want)
			}
		}
	})
}

// FuzzAnalyzeRunes holds the general analyser's terms to foldWord of the
// code points each token spans (apostrophes other than letters read as '), so
// that a word taken as it is from the text (ASCII lower case and digits)
// is the term folding would give.
func FuzzAnalyzeRunes(f *testing.F) {
	for _, s := range []string{
		"Crime is way down, the mayor\u2019s office said \u2014 \u201cnot so\u201d.",
		"Caf\u00e9 na\u00efve r\u00e9sum\u00e9 stra\u00dfe e\u0301 \u00c9COLE 42x",
		"plain words after \u00e9 and d\u2019Alembert\u2019s l\u02bcun",
		"\xff broken \xfe utf8 words",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		runes := []rune(strings.ToValidUTF8(s, "\uFFFD"))
		for _, tok := range analyzeRunes(s, false) {
			if tok.Start < 0 || tok.End > len(runes) || tok.Start >= tok.End {
				t.Fatalf("%q: token %+v outside the text's %d code points", s, tok, len(runes))
			}
			span := slices.Clone(runes[tok.Start:tok.End])
			for i, r := range span {
				if isApostrophe(r) && !unicode.IsLetter(r) { // as the analyser reads them
					span[i] = '\''
				}
			}
			if want := foldWord(span); tok.Term != want {
				t.Fatalf("%q: token %+v, want term %q", s, tok, want)
			}
		}
	})
}
