package graph

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SearchQuery is a full-text search (Reader.Search).
type SearchQuery struct {
	// Text is the query: words (all must match), "double-quoted phrases"
	// (the words in this order, next to each other, in one field) and
	// prefix terms (word*). See ParseSearch.
	Text string
	// Kinds keeps only nodes of these kinds; empty means all.
	Kinds []Kind
	// After is the Cursor of the last hit seen; "" for the first page.
	After string
	// Limit caps the hits returned; 0 means no cap.
	Limit int
}

// SearchPage is one page of search hits, best first (score descending,
// key ascending), with the number of nodes that matched.
type SearchPage struct {
	Hits  []SearchHit
	Total int
	// More reports whether hits follow the last one returned.
	More bool
}

// SearchHit is one node that a search matched.
type SearchHit struct {
	Key   string
	Kind  Kind
	Score float64
	// Highlights are the matched words, by field, in text order.
	Highlights []Highlight
}

// Cursor returns the opaque paging cursor of the hit (SearchQuery.After).
func (h SearchHit) Cursor() string {
	b := binary.BigEndian.AppendUint64(nil, math.Float64bits(h.Score))
	return base64.RawURLEncoding.EncodeToString(append(b, h.Key...))
}

// Highlight is a matched word: code points [Start, End) of the text of a
// field of the node. Fields are "name", "aliases.N" (the N-th alias, from
// 0), "title", "text" and "measure".
type Highlight struct {
	Field      string
	Start, End int
}

// SearchField identifies an indexed field. The values are stored, so they
// never change.
type SearchField uint8

// Indexed fields: quote, claim, figure and source text; a figure's measure;
// a source's title; a person's or organisation's name and aliases.
const (
	SearchName    SearchField = 1
	SearchAlias   SearchField = 2
	SearchTitle   SearchField = 3
	SearchText    SearchField = 4
	SearchMeasure SearchField = 5
)

// SearchFields lists the indexed fields in order.
var SearchFields = []SearchField{SearchName, SearchAlias, SearchTitle, SearchText, SearchMeasure}

// Weight is the field's BM25 weight: names 3, titles 2, the rest 1.
func (f SearchField) Weight() float64 {
	switch f {
	case SearchName, SearchAlias:
		return 3
	case SearchTitle:
		return 2
	}
	return 1
}

// name returns the highlight field name of the field's sub-th value.
func (f SearchField) name(sub int) string {
	switch f {
	case SearchName:
		return "name"
	case SearchAlias:
		return "aliases." + strconv.Itoa(sub)
	case SearchTitle:
		return "title"
	case SearchText:
		return "text"
	case SearchMeasure:
		return "measure"
	}
	return "field" + strconv.Itoa(int(f))
}

// Occurrence is one place of a term in a field: the value (Sub, the alias
// number; 0 for single-valued fields), the word's position among the
// value's words and its code points [Start, End).
type Occurrence struct {
	Sub, Pos, Start, End int
}

// SearchDoc is what the index holds for one node: per field, the length in
// words and each term's occurrences.
type SearchDoc struct {
	Key     string
	Kind    Kind
	Lengths map[SearchField]int
	Terms   map[SearchField]map[string][]Occurrence
}

// Token is one word of analysed text: its term and code points [Start, End).
type Token struct {
	Term       string
	Start, End int
}

// Analyze splits text into words (runs of letters and digits; an apostrophe
// inside a word is dropped and a final 's removed), folds case and the
// accents of Latin letters, and stems English words (Stem).
func Analyze(text string) []Token {
	return analyze(text, true)
}

// Words splits text into words as Analyze does and folds them, without
// stemming: the words whoSaid's postings hold.
func Words(text string) []Token {
	return analyze(text, false)
}

func analyze(text string, stem bool) []Token {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return analyzeRunes(text, stem)
		}
	}
	return analyzeASCII(text, stem)
}

// analyzeASCII is analyzeRunes for a text of ASCII only (positions in
// bytes are positions in code points), without the rune conversions and
// Unicode tables: most texts take this path.
func analyzeASCII(text string, stem bool) []Token {
	out := make([]Token, 0, len(text)/6+1)
	var word []byte // the word's bytes, apostrophes included
	start := 0
	flush := func(end int) {
		if len(word) == 0 {
			return
		}
		// A word without capitals or apostrophes is its own term: a
		// substring of the text, no copy.
		term := text[start:end]
		if len(word) != len(term) || !foldedASCII(term) {
			folded := make([]byte, 0, len(word))
			for _, c := range word {
				switch {
				case c == '\'':
				case 'A' <= c && c <= 'Z':
					folded = append(folded, c+'a'-'A')
				default:
					folded = append(folded, c)
				}
			}
			term = string(folded)
		}
		if stem {
			term = Stem(term)
		}
		if term != "" {
			out = append(out, Token{Term: term, Start: start, End: end})
		}
		word = word[:0]
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case asciiWordByte(c):
			if len(word) == 0 {
				start = i
			}
			word = append(word, c)
		case c == '\'' && len(word) > 0 && i+1 < len(text) && asciiLetter(text[i+1]):
			if (text[i+1] == 's' || text[i+1] == 'S') && (i+2 >= len(text) || !asciiWordByte(text[i+2])) {
				flush(i) // possessive 's
				i++
				continue
			}
			word = append(word, '\'')
		default:
			flush(i)
		}
	}
	flush(len(text))
	return out
}

// foldedASCII reports whether an ASCII word is already folded: no
// capitals, no apostrophes.
func foldedASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c == '\'' || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

func asciiLetter(c byte) bool   { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func asciiWordByte(c byte) bool { return asciiLetter(c) || '0' <= c && c <= '9' }

// analyzeRunes splits any text into words and folds them (stemmed when
// stem).
func analyzeRunes(text string, stem bool) []Token {
	valid := strings.ToValidUTF8(text, "\uFFFD")
	runes := []rune(valid)
	// offs[i] is the byte offset of rune i in valid: a word of ASCII
	// lower-case letters and digits is its own term, a substring.
	offs := make([]int32, len(runes)+1)
	for i, r := range runes {
		offs[i+1] = offs[i] + int32(utf8.RuneLen(r))
	}
	out := make([]Token, 0, len(runes)/6+1)
	var word []rune
	start, i := 0, 0
	flush := func(end int) {
		if len(word) == 0 {
			return
		}
		var term string
		if foldedRunes(word) {
			term = valid[offs[start]:offs[end]]
		} else {
			term = foldWord(word)
		}
		if stem {
			term = Stem(term)
		}
		if term != "" {
			out = append(out, Token{Term: term, Start: start, End: end})
		}
		word = word[:0]
	}
	for i = 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (len(word) > 0 && unicode.Is(unicode.Mn, r)):
			if len(word) == 0 {
				start = i
			}
			word = append(word, r)
		case isApostrophe(r) && len(word) > 0 && i+1 < len(runes) && unicode.IsLetter(runes[i+1]):
			if (runes[i+1] == 's' || runes[i+1] == 'S') && (i+2 >= len(runes) || !isWordRune(runes[i+2])) {
				flush(i) // possessive 's
				i++
				continue
			}
			word = append(word, '\'')
		default:
			flush(i)
		}
	}
	flush(len(runes))
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// foldedRunes reports whether a word is ASCII lower-case letters and
// digits only, which foldWord leaves as they are.
func foldedRunes(word []rune) bool {
	for _, r := range word {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02BC' }

// foldWord lower-cases a word, strips accents and drops apostrophes.
func foldWord(word []rune) string {
	var b strings.Builder
	for _, r := range word {
		if r == '\'' || unicode.Is(unicode.Mn, r) {
			continue
		}
		if base, ok := searchLatinBase[r]; ok {
			b.WriteString(base)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// searchTexts returns the indexed values of a node, by field.
func searchTexts(n Node) map[SearchField][]string {
	switch n := n.(type) {
	case *Person:
		return map[SearchField][]string{SearchName: {n.Name}, SearchAlias: n.Aliases}
	case *Organisation:
		return map[SearchField][]string{SearchName: {n.Name}, SearchAlias: n.Aliases}
	case *Source:
		return map[SearchField][]string{SearchTitle: {n.Title}, SearchText: {n.Text}}
	case *Quote:
		return map[SearchField][]string{SearchText: {n.Text}}
	case *Claim:
		return map[SearchField][]string{SearchText: {n.Text}}
	case *Figure:
		return map[SearchField][]string{SearchText: {n.Text}, SearchMeasure: {n.Measure}}
	}
	return nil
}

// IndexNode analyses the indexed fields of a node (Analyze). A node with no
// indexed words has no Terms.
func IndexNode(n Node) SearchDoc {
	d := SearchDoc{Key: n.NodeKey(), Kind: n.NodeKind(), Lengths: map[SearchField]int{}, Terms: map[SearchField]map[string][]Occurrence{}}
	for f, vals := range searchTexts(n) {
		for sub, v := range vals {
			toks := Analyze(v)
			if len(toks) == 0 {
				continue
			}
			d.Lengths[f] += len(toks)
			m := d.Terms[f]
			if m == nil {
				m = map[string][]Occurrence{}
				d.Terms[f] = m
			}
			for pos, t := range toks {
				m[t.Term] = append(m[t.Term], Occurrence{Sub: sub, Pos: pos, Start: t.Start, End: t.End})
			}
		}
	}
	return d
}

// SearchClause is one part of a parsed query: a word, a phrase (Terms in
// order) or a prefix (Terms[0] folded, not stemmed).
type SearchClause struct {
	Terms  []string
	Phrase bool
	Prefix bool
}

// SearchExpr is a parsed query: every clause must match.
type SearchExpr struct {
	Clauses []SearchClause
	// Words are the plain words of the query, in order: a node holding them
	// as a phrase in one field ranks higher.
	Words []string
}

// ParseSearch parses a query: words separated by spaces or punctuation,
// "double-quoted phrases" and prefix terms (word*). An unclosed quote runs
// to the end. A query without words yields ErrInvalid.
func ParseSearch(text string) (SearchExpr, error) {
	var e SearchExpr
	rest := text
	for rest != "" {
		i := strings.IndexByte(rest, '"')
		plain := rest
		if i >= 0 {
			plain = rest[:i]
		}
		for _, f := range strings.FieldsFunc(plain, func(r rune) bool { return unicode.IsSpace(r) }) {
			prefix := strings.HasSuffix(f, "*")
			for _, t := range analyze(strings.TrimRight(f, "*"), !prefix) {
				e.Clauses = append(e.Clauses, SearchClause{Terms: []string{t.Term}})
				e.Words = append(e.Words, t.Term)
			}
			if prefix && len(e.Clauses) > 0 && len(analyze(strings.TrimRight(f, "*"), false)) > 0 {
				last := &e.Clauses[len(e.Clauses)-1]
				last.Prefix = true
				e.Words = nil // a prefix makes the words no phrase
			}
		}
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		j := strings.IndexByte(rest, '"')
		phrase := rest
		if j >= 0 {
			phrase, rest = rest[:j], rest[j+1:]
		} else {
			rest = ""
		}
		var terms []string
		for _, t := range Analyze(phrase) {
			terms = append(terms, t.Term)
		}
		switch len(terms) {
		case 0:
		case 1:
			e.Clauses = append(e.Clauses, SearchClause{Terms: terms})
		default:
			e.Clauses = append(e.Clauses, SearchClause{Terms: terms, Phrase: true})
		}
	}
	if len(e.Clauses) == 0 {
		return SearchExpr{}, fmt.Errorf("%w: search text %q has no words", ErrInvalid, text)
	}
	if len(e.Words) < 2 || len(e.Words) != len(e.Clauses) {
		e.Words = nil
	}
	return e, nil
}

// SearchStats are the collection statistics BM25 needs: per field, the
// number of nodes with a value and their total length in words, and the
// number of nodes holding each term.
type SearchStats struct {
	Docs     map[SearchField]int
	TotalLen map[SearchField]int
	DF       map[SearchField]map[string]int
}

// BM25 parameters.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// termScore is the weighted BM25 score of one term in one field.
func (st *SearchStats) termScore(f SearchField, term string, tf, dl int) float64 {
	n := float64(st.Docs[f])
	df := float64(st.DF[f][term])
	if n == 0 || df == 0 || tf == 0 {
		return 0
	}
	avg := float64(st.TotalLen[f]) / n
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	t := float64(tf)
	return f.Weight() * idf * t * (bm25K1 + 1) / (t + bm25K1*(1-bm25B+bm25B*float64(dl)/avg))
}

// PrefixTerms returns the terms of d that the prefix clause c matches, in
// order.
func (c SearchClause) prefixTerms(m map[string][]Occurrence) []string {
	var out []string
	for t := range m {
		if strings.HasPrefix(t, c.Terms[0]) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Score matches the expression against a node: every clause must match in
// some field. It returns the BM25 score summed over clauses and fields
// (field weights applied; half as much again when the query's words stand
// as a phrase in one field) and the highlights. The node's Terms may hold
// only the terms the query needs.
func (e SearchExpr) Score(d *SearchDoc, st *SearchStats) (float64, []Highlight, bool) {
	score := 0.0
	var hl []Highlight
	mark := func(f SearchField, occ []Occurrence) {
		for _, o := range occ {
			hl = append(hl, Highlight{Field: f.name(o.Sub), Start: o.Start, End: o.End})
		}
	}
	for _, c := range e.Clauses {
		matched := false
		for _, f := range SearchFields {
			m := d.Terms[f]
			if m == nil {
				continue
			}
			switch {
			case c.Phrase:
				starts := phraseStarts(m, c.Terms)
				if len(starts) == 0 {
					continue
				}
				matched = true
				for i, t := range c.Terms {
					score += st.termScore(f, t, len(starts), d.Lengths[f])
					var occ []Occurrence
					for _, s := range starts {
						occ = append(occ, Occurrence{Sub: s.Sub, Start: wordAt(m[t], s.Sub, s.Pos+i).Start, End: wordAt(m[t], s.Sub, s.Pos+i).End})
					}
					mark(f, occ)
				}
			case c.Prefix:
				for _, t := range c.prefixTerms(m) {
					matched = true
					score += st.termScore(f, t, len(m[t]), d.Lengths[f])
					mark(f, m[t])
				}
			default:
				if occ := m[c.Terms[0]]; len(occ) > 0 {
					matched = true
					score += st.termScore(f, c.Terms[0], len(occ), d.Lengths[f])
					mark(f, occ)
				}
			}
		}
		if !matched {
			return 0, nil, false
		}
	}
	if len(e.Words) > 1 {
		for _, f := range SearchFields {
			if m := d.Terms[f]; m != nil && len(phraseStarts(m, e.Words)) > 0 {
				score *= 1.5
				break
			}
		}
	}
	slices.SortFunc(hl, func(a, b Highlight) int {
		if c := strings.Compare(a.Field, b.Field); c != 0 {
			return c
		}
		return a.Start - b.Start
	})
	return score, slices.Compact(hl), true
}

// wordAt returns the occurrence at (sub, pos) in occ.
func wordAt(occ []Occurrence, sub, pos int) Occurrence {
	for _, o := range occ {
		if o.Sub == sub && o.Pos == pos {
			return o
		}
	}
	return Occurrence{}
}

// phraseStarts returns the occurrences of terms[0] that start the phrase.
func phraseStarts(m map[string][]Occurrence, terms []string) []Occurrence {
	var out []Occurrence
	for _, o := range m[terms[0]] {
		ok := true
		for i, t := range terms[1:] {
			w := wordAt(m[t], o.Sub, o.Pos+i+1)
			if w.End == 0 {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, o)
		}
	}
	return out
}

// PageSearch orders hits (score descending, key ascending) and returns the
// page after the cursor after (SearchHit.Cursor) of at most limit hits (0:
// no cap). A malformed cursor yields ErrInvalid.
func PageSearch(hits []SearchHit, after string, limit int) (SearchPage, error) {
	less := func(a, b SearchHit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	}
	slices.SortFunc(hits, less)
	p := SearchPage{Total: len(hits)}
	from := 0
	if after != "" {
		raw, err := base64.RawURLEncoding.DecodeString(after)
		if err != nil || len(raw) < 8 {
			return SearchPage{}, fmt.Errorf("%w: malformed search cursor %q", ErrInvalid, after)
		}
		cur := SearchHit{Score: math.Float64frombits(binary.BigEndian.Uint64(raw)), Key: string(raw[8:])}
		from, _ = slices.BinarySearchFunc(hits, cur, less)
		if from < len(hits) && hits[from].Key == cur.Key && hits[from].Score == cur.Score {
			from++
		}
	}
	rest := hits[from:]
	if limit > 0 && len(rest) > limit {
		rest, p.More = rest[:limit], true
	}
	p.Hits = rest
	return p, nil
}

// WantKind reports whether q selects nodes of kind k.
func (q SearchQuery) WantKind(k Kind) bool {
	return len(q.Kinds) == 0 || slices.Contains(q.Kinds, k)
}
