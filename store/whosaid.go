package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"claimgraph/fold"
	"claimgraph/graph"
)

// whoSaid (Reader.QuotesMatching) on the search postings.
//
// A quote matches when fold.Text of its text contains fold.Text of the
// query: a substring, so the words at the edges of the query may be parts
// of words ("rime is way dow" matches "Crime is way down"). The query is
// split into words as graph.Analyze splits text (whoWords), and what the
// query itself settles is used (needleWords): a word with a space or
// punctuation on both sides in the query is a whole word of the quote;
// the last word, with one on its left, begins a word of the quote. Those
// words select the candidates from postings lists, and every candidate's
// record is then checked (the substring itself), so the lists only need
// to hold every quote that matches.
//
// The search postings of field text (graph.SearchText) hold stemmed terms
// (graph.Analyze), so a word of the query is looked up as written, in
// two lists:
//
//   - s | 04 | word | 00 | id, the search posting, for a word that is its
//     own stem (graph.Stem(word) == word): every quote with that word
//     holds its term;
//   - s | fc | word | 00 | id, a word posting, for a word that stems to
//     something else ("running", "ferry"): the quotes holding the word as
//     written (folded, unstemmed), with its positions. A quote writes one
//     for each distinct word of its text whose stem differs from it (4 per
//     quote of package gen's corpus).
//
// The whole words are intersected by leapfrogging over the sorted ids of
// their lists (cursors that seek forward), where they stand next to each
// other as in the query (positions); the last word expands, as a prefix,
// to the words of both lists that begin with it (skip scans over the
// distinct words, up to 64 when other words select too, 4096 alone). A
// query with neither (one word or a part of one) reads the words of both
// lists that contain it (ends with it, when the query ends the word): a
// skip scan over every distinct word, and the union of their lists. A
// query of one letter s (possibly a possessive's, which is in no word), or
// whose words expand to more than 4096, scans the quote records. A query
// without letters or digits is refused (graph.ErrInvalid).
//
// The search analyser folds accents with a table of Latin letters, and
// fold.Text with Unicode NFKD; where the two split a quote into other
// words (ligatures, full-width forms, the accents of other scripts, a
// quotation mark graph.Analyze splits a word on), the quote is irregular:
// its word postings then hold every word of fold.Text of its text, with
// positions in that folded text, and lookups read both lists. A quote with
// a word longer than maxSearchTerm (which the search postings skip) is
// listed under s | fb | id and always checked.
//
// Results come in id (creation) order, with their total, which checks
// every candidate: the cost of a query grows with its matches (about
// 10 us each), not with the store. QuotesMatchingPage checks only until
// the page is known and counts the total when asked.
//
// The lists are stored in blocks (postings.go); the keys named here are
// the logical ones, read through postingCursor.

// searchWordField is the field byte of the word postings:
// s | fc | word | 00 | id -> uvarint count, then uvarint positions.
const searchWordField byte = 0xfc

// searchLongField is the field byte of the keys s | fb | id (empty) of the
// quotes with a word longer than maxSearchTerm.
const searchLongField byte = 0xfb

// whoSaidCap bounds the words a prefix or part of a word expands to in
// each list. A prefix that expands to more is not used to select
// candidates when the query has other words; a query that has no other
// word, and expands to more, scans the quote records.
const (
	whoSaidOptionalCap = 64
	whoSaidCap         = 4096
)

func searchWordPrefix(word string) []byte {
	k := append([]byte{famSearch, searchWordField}, word...)
	return append(k, 0)
}

func searchWordKey(word string, id uint64) []byte { return appendID(searchWordPrefix(word), id) }

func searchLongKey(id uint64) []byte { return appendID([]byte{famSearch, searchLongField}, id) }

// whoWord is a word of a text as graph.Analyze splits it: folded as
// graph.Analyze folds, not stemmed, and its code points [start, end) in
// the text (end is where the word ended: the character after it, or the
// apostrophe of a possessive 's).
type whoWord struct {
	word       string
	start, end int
}

// whoWords splits runes into words exactly as graph.Analyze does, folded
// but not stemmed (graph.Words: one splitter for search and whoSaid).
// TestWhoWordsAgreeWithAnalyze and FuzzWhoWords hold them together.
func whoWords(runes []rune) []whoWord { return whoWordsText(string(runes)) }

// whoWordsText is whoWords of the runes of s (invalid UTF-8 read as
// U+FFFD, as graph.Words reads it).
func whoWordsText(s string) []whoWord {
	toks := graph.Words(s)
	out := make([]whoWord, len(toks))
	for i, t := range toks {
		out[i] = whoWord{word: t.Term, start: t.Start, end: t.End}
	}
	return out
}

// plainText reports whether fold.Text of s is foldPlain(s) and s splits
// into the same words as its folded text: printable ASCII, ASCII white
// space and the typographic apostrophe U+2019 (which both analysers take
// as an apostrophe), no backquote (which fold.Text makes an apostrophe).
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			if !strings.HasPrefix(s[i:], "\u2019") {
				return false
			}
			i += len("\u2019") - 1
		case (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r') || c == 0x7f || c == '`':
			return false
		}
	}
	return true
}

// foldPlain is fold.Text of a plainText string: lower case, U+2019 made
// an apostrophe, white space runs one space, trimmed.
func foldPlain(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c >= 0x80: // U+2019, three bytes
			c = '\''
			i += len("\u2019") - 1
		}
		b.WriteByte(c)
	}
	return b.String()
}

// foldQuoteText is fold.Text, with a fast path for plain text.
func foldQuoteText(s string) string {
	if plainText(s) {
		return foldPlain(s)
	}
	return fold.Text(s)
}

// quoteSearchEntries adds to es the search keys of a quote, the ones
// searchDocEntries writes from graph.IndexNode (TestQuoteSearchEntries
// holds them equal), and its whoSaid keys (whoSaidEntries), from one
// split of its text.
func quoteSearchEntries(es entries, q *graph.Quote, id uint64) {
	words := whoWordsText(q.Text)
	stems := make([]string, len(words))
	// The words of each term, chained: next[i] is the next word with the
	// term of word i (-1: none), tf[i] the count of a term's first word.
	next := make([]int, len(words))
	tf := make([]int, len(words))
	last := make(map[string]int, len(words))
	var order []int
	for i, w := range words {
		t := graph.Stem(w.word)
		stems[i], next[i] = t, -1
		if j, ok := last[t]; ok {
			next[j] = i
		} else {
			order = append(order, i)
		}
		last[t] = i
	}
	for _, i := range order {
		for j := i; j >= 0; j = next[j] {
			tf[i]++
		}
	}
	for _, i := range order {
		t := stems[i]
		if len(t) > maxSearchTerm {
			continue
		}
		v := binary.AppendUvarint(make([]byte, 0, 2+8*tf[i]), uint64(tf[i]))
		v = binary.AppendUvarint(v, uint64(len(words)))
		for j := i; j >= 0; j = next[j] {
			v = binary.AppendUvarint(v, 0) // sub
			v = binary.AppendUvarint(v, uint64(j))
			v = binary.AppendUvarint(v, uint64(words[j].start))
			v = binary.AppendUvarint(v, uint64(words[j].end))
		}
		es[string(searchPostingKey(graph.SearchText, t, id))] = v
	}
	if len(words) > 0 {
		es[string(searchLenKey(id))] = searchLenValue(q.Key, map[graph.SearchField]int{graph.SearchText: len(words)})
	}
	whoSaidEntries(es, q, id, words, stems)
}

// whoSaidEntries adds the word postings of a quote to es (see the top of
// this file), and its s | fb key when a word is too long for the search
// postings; words are whoWords of its text and stems their stems (nil:
// computed here).
func whoSaidEntries(es entries, q *graph.Quote, id uint64, words []whoWord, stems []string) {
	irregular := false
	if !plainText(q.Text) {
		fw := whoWordsText(fold.Text(q.Text))
		if !slices.EqualFunc(words, fw, func(a, b whoWord) bool { return a.word == b.word }) {
			words, irregular = fw, true
		}
	}
	var order []string
	pos := map[string][]int{}
	long := false
	for i, w := range words {
		if len(w.word) > maxSearchTerm {
			long = true
			continue
		}
		if !irregular {
			stem := ""
			if stems != nil {
				stem = stems[i]
			} else {
				stem = graph.Stem(w.word)
			}
			if stem == w.word {
				continue
			}
		}
		if _, ok := pos[w.word]; !ok {
			order = append(order, w.word)
		}
		pos[w.word] = append(pos[w.word], i)
	}
	for _, w := range order {
		ps := pos[w]
		v := binary.AppendUvarint(make([]byte, 0, 1+2*len(ps)), uint64(len(ps)))
		for _, p := range ps {
			v = binary.AppendUvarint(v, uint64(p))
		}
		es[string(searchWordKey(w, id))] = v
	}
	if long {
		es[string(searchLongKey(id))] = []byte{}
	}
}

// needleWord is a word of a whoSaid query with what the query tells of
// its bounds in a matching quote.
type needleWord struct {
	whoWord
	left  bool // the word begins a word of the quote
	right bool // the word ends a word of the quote
}

// needleWords splits a folded query into words and marks the bounds that
// hold in any text containing the query: a word's start is a word start
// of the text when what precedes it in the query settles it (a character
// that is not an apostrophe, or an apostrophe not at the start of the
// query or before a character that is not a letter), and likewise its end.
func needleWords(n []rune) []needleWord {
	ws := whoWords(n)
	out := make([]needleWord, len(ws))
	for i, w := range ws {
		s, e := w.start, w.end
		left := s >= 1 && (!isApostrophe(n[s-1]) || s >= 2 || !unicode.IsLetter(n[s]))
		right := e < len(n) && (!isApostrophe(n[e]) ||
			(e+1 < len(n) && (!unicode.IsLetter(n[e+1]) || ((n[e+1] == 's' || n[e+1] == 'S') && e+2 < len(n)))))
		out[i] = needleWord{w, left, right}
	}
	return out
}

// QuotesMatching implements graph.Reader: the quotes whose text, folded
// with fold.Text, contains the folded text, in id (creation) order, with
// their total. See the top of whosaid.go for how the postings select the
// candidates; every candidate's record is checked.
func (r *reader) QuotesMatching(ctx context.Context, text string, after string, limit int) (graph.Page, error) {
	return r.quotesMatching(ctx, text, after, limit, true)
}

// QuotesMatchingPage is QuotesMatching without the total: it checks the
// candidates after the cursor only until the page is full and one more
// match is found (More), and returns, for the total, a function that
// runs the whole query again and counts every match (call it while the
// snapshot is open). The GraphQL whoSaid field calls the function only
// when totalCount is selected.
func (r *reader) QuotesMatchingPage(ctx context.Context, text string, after string, limit int) (graph.Page, func(context.Context) (int, error), error) {
	p, err := r.quotesMatching(ctx, text, after, limit, false)
	if err != nil {
		return graph.Page{}, nil, err
	}
	p.Total = 0
	return p, func(ctx context.Context) (int, error) {
		p, err := r.quotesMatching(ctx, text, after, limit, true)
		return p.Total, err
	}, nil
}

// errPageFull ends the checks of quotesMatching without the total.
var errPageFull = errors.New("store: page full")

// quotesMatching is QuotesMatching; without total, Total is 0 and the
// checks stop when the page is known.
func (r *reader) quotesMatching(ctx context.Context, text string, after string, limit int, total bool) (graph.Page, error) {
	needle := fold.Text(text)
	if needle == "" {
		return graph.Page{}, fmt.Errorf("%w: empty search text", graph.ErrInvalid)
	}
	nws := needleWords([]rune(needle))
	if len(nws) == 0 {
		return graph.Page{}, fmt.Errorf("%w: search text %q has no letters or digits", graph.ErrInvalid, text)
	}
	var afterID uint64
	if after != "" {
		id, ok, err := r.id(ctx, after)
		if err != nil {
			return graph.Page{}, err
		}
		if !ok || idKind(id) != graph.KindQuote {
			return graph.Page{}, fmt.Errorf("%w: cursor %q is not a quote", graph.ErrInvalid, after)
		}
		afterID = id
	}
	p := graph.Page{}
	check := func(id uint64, v []byte) error {
		key, t, err := decodeQuoteText(v)
		if err != nil {
			return err
		}
		if !strings.Contains(foldQuoteText(t), needle) {
			return nil
		}
		p.Total++
		if id > afterID && (limit <= 0 || len(p.Keys) < limit) {
			p.Keys = append(p.Keys, key)
		} else if id > afterID {
			p.More = true
			if !total {
				return errPageFull
			}
		}
		return nil
	}
	cons, err := r.whoSaidPlan(ctx, nws)
	defer func() {
		for _, c := range cons {
			c.close()
		}
	}()
	if err != nil {
		return graph.Page{}, err
	}
	if cons == nil {
		rg := Range{Prefix: []byte{famNode, byte(graph.KindQuote)}}
		if !total && afterID != 0 {
			rg.After = nodeKey(afterID)
		}
		err := r.kv.Scan(ctx, rg, func(k, v []byte) error {
			err := check(decodeID(k[1:]), v)
			if errors.Is(err, errPageFull) {
				return ErrStopScan
			}
			return err
		})
		return p, err
	}
	ids, err := leapfrog(ctx, cons)
	if err != nil {
		return graph.Page{}, err
	}
	var long []uint64
	err = r.kv.Scan(ctx, Range{Prefix: []byte{famSearch, searchLongField, byte(graph.KindQuote)}, KeysOnly: true}, func(k, _ []byte) error {
		long = append(long, decodeID(k[2:]))
		return nil
	})
	if err != nil {
		return graph.Page{}, err
	}
	if len(long) > 0 {
		ids = append(ids, long...)
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	// The records, in id order, by point reads: a Badger Get skips the
	// tables whose bloom filter lacks the key, where an iterator's seek
	// (the candidates are far apart: 35 ids at 100k quotes) seeks every
	// level (A/B on the 100k-quote corpus: p50 18.6 against 26.5 ms).
	if !total {
		// Only the candidates after the cursor.
		i, _ := slices.BinarySearch(ids, afterID+1)
		ids = ids[i:]
	}
	for _, id := range ids {
		v, err := r.kv.Get(ctx, nodeKey(id))
		if errors.Is(err, ErrKeyNotFound) {
			return graph.Page{}, fmt.Errorf("%w: search postings of quote %x without a record", errCorrupt, id)
		}
		if err != nil {
			return graph.Page{}, err
		}
		if err := check(id, v); errors.Is(err, errPageFull) {
			break
		} else if err != nil {
			return graph.Page{}, err
		}
	}
	return p, nil
}

// quoteRecordHead is how encodeNode's JSON of a quote begins: its key,
// then its text (graph.Quote's field order).
const quoteRecordHead = `{"key":`

// decodeQuoteText returns the key and text of a quote record, reading
// only the two strings at the head of its JSON (graph.Quote's first
// fields) when it can, else decoding the record.
func decodeQuoteText(v []byte) (key, text string, err error) {
	if len(v) < 2 || v[0] != recordV1 || graph.Kind(v[1]) != graph.KindQuote {
		return "", "", fmt.Errorf("%w: quote record format", errCorrupt)
	}
	j := v[2:]
	if rest, ok := bytes.CutPrefix(j, []byte(quoteRecordHead)); ok {
		if key, rest, ok := jsonString(rest); ok {
			if rest, ok := bytes.CutPrefix(rest, []byte(`,"text":`)); ok {
				if text, _, ok := jsonString(rest); ok {
					return key, text, nil
				}
			}
		}
	}
	var q struct {
		Key  string `json:"key"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(j, &q); err != nil {
		return "", "", fmt.Errorf("%w: quote record: %v", errCorrupt, err)
	}
	return q.Key, q.Text, nil
}

// jsonString reads the JSON string at the start of b and returns it and
// the bytes after it; a string with escapes is decoded by encoding/json.
func jsonString(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	esc := false
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			esc = true
			i++
		case '"':
			if !esc {
				return string(b[1:i]), b[i+1:], true
			}
			var s string
			if err := json.Unmarshal(b[:i+1], &s); err != nil {
				return "", nil, false
			}
			return s, b[i+1:], true
		}
	}
	return "", nil, false
}

// constraint is one word of the query: the union of the postings lists
// that hold it, and its place among the query's words (-1: none to
// check).
type constraint struct {
	at    int
	lists []*postings
}

func (c *constraint) close() {
	for _, l := range c.lists {
		l.close()
	}
}

// whoSaidPlan returns the constraints that select the candidates of a
// query, or nil when none does (the quote records are then scanned). The
// caller closes the constraints, also on error.
func (r *reader) whoSaidPlan(ctx context.Context, nws []needleWord) ([]*constraint, error) {
	var cons []*constraint
	last := len(nws) - 1
	for i, w := range nws {
		if !w.left || !w.right || len(w.word) > maxSearchTerm {
			continue
		}
		c := &constraint{at: i, lists: []*postings{r.wordList(w.word)}}
		if graph.Stem(w.word) == w.word {
			c.lists = append(c.lists, r.termList(w.word))
		}
		cons = append(cons, c)
	}
	// The word at the right edge begins a word of the quote.
	if w := nws[last]; w.left && !w.right && len(w.word) <= maxSearchTerm {
		capN := whoSaidCap
		if len(cons) > 0 {
			capN = whoSaidOptionalCap
		}
		c, ok, err := r.expand(ctx, w.word, last, capN, nil)
		if err != nil {
			return cons, err
		}
		if ok {
			cons = append(cons, c)
		}
	}
	if len(cons) > 0 {
		checkPos := len(cons) > 1
		for _, c := range cons {
			if !checkPos {
				c.at = -1
			}
			for _, l := range c.lists {
				l.keysOnly = !checkPos
			}
		}
		return cons, nil
	}
	// One word, or a part of one: the words of the dictionary that
	// contain it (or end with it, when the query ends the word).
	if len(nws) != 1 || len(nws[0].word) > maxSearchTerm {
		return nil, nil
	}
	w := nws[0]
	if w.word == "s" {
		// Possibly the s of a possessive, which is in no word.
		return nil, nil
	}
	has := func(t string) bool { return strings.Contains(t, w.word) }
	if w.right {
		has = func(t string) bool { return strings.HasSuffix(t, w.word) }
	}
	c, ok, err := r.expand(ctx, "", -1, whoSaidCap, has)
	if err != nil || !ok {
		return nil, err
	}
	for _, l := range c.lists {
		l.keysOnly = true
	}
	return []*constraint{c}, nil
}

// expand returns the constraint of the words of both lists that begin
// with prefix and satisfy keep (nil: all), found by skip scans over the
// distinct words; ok is false when a list has more than capN of them.
func (r *reader) expand(ctx context.Context, prefix string, at, capN int, keep func(string) bool) (*constraint, bool, error) {
	c := &constraint{at: at}
	for _, f := range []byte{byte(graph.SearchText), searchWordField} {
		words, ok, err := r.dictWords(ctx, f, prefix, keep, capN)
		if err != nil || !ok {
			return nil, false, err
		}
		for _, w := range words {
			if f == searchWordField {
				c.lists = append(c.lists, r.wordList(w))
			} else {
				c.lists = append(c.lists, r.termList(w))
			}
		}
	}
	return c, true, nil
}

// dictWords returns the distinct words (terms) of field f of family s
// that begin with prefix and satisfy keep (nil: all), skipping from word
// to word over the block keys with one cursor; ok is false when more than
// capN do.
func (r *reader) dictWords(ctx context.Context, f byte, prefix string, keep func(string) bool, capN int) ([]string, bool, error) {
	base := append([]byte{famSearch, blockField(f)}, prefix...)
	c := openCursor(ctx, r.kv, base, true, 2)
	defer c.close()
	var out []string
	ok, err := c.seek(base)
	for ok && err == nil {
		k := c.key()
		i := bytes.IndexByte(k[2:], 0)
		if i < 0 {
			return nil, false, fmt.Errorf("%w: search key %x", errCorrupt, k)
		}
		w := string(k[2 : 2+i])
		if keep == nil || keep(w) {
			if len(out) == capN {
				return nil, false, nil
			}
			out = append(out, w)
		}
		// The first key after every posting of w.
		ok, err = c.seek(append(append([]byte{famSearch, blockField(f)}, w...), 1))
	}
	return out, err == nil, err
}

// termList is the cursor over the quote postings of a search term.
func (r *reader) termList(term string) *postings {
	return &postings{r: r, prefix: searchTermPrefix(graph.SearchText, term)}
}

// wordList is the cursor over the quote postings of a word.
func (r *reader) wordList(word string) *postings {
	return &postings{r: r, prefix: searchWordPrefix(word), word: true}
}

// postings is a cursor over the quotes of one postings list (a
// postingCursor over its blocks), with the positions of the word.
type postings struct {
	r        *reader
	prefix   []byte // s | field | word | 00
	word     bool   // a word posting (count, positions), else a search posting
	keysOnly bool   // positions are not needed

	c    *postingCursor
	at   bool // at a posting: id and pos are its
	done bool
	id   uint64
	pos  []int
}

func (p *postings) close() {
	if p.c != nil {
		p.c.close()
	}
}

// seek moves to the first posting at or after id; false when none is left.
func (p *postings) seek(ctx context.Context, id uint64) (bool, error) {
	if p.done {
		return false, nil
	}
	if p.at && p.id >= id {
		return true, nil
	}
	if p.c == nil {
		lo, hi := kindRange(graph.KindQuote)
		p.c = newPostingCursor(ctx, p.r.kv, p.prefix, lo, hi)
	}
	ok, err := p.c.seek(id)
	if err != nil || !ok {
		p.at, p.done = false, true
		return false, err
	}
	p.id, p.at = p.c.id(), true
	if !p.keysOnly {
		p.pos, err = decodePositions(p.c.head(0), p.c.payload(), p.word, p.pos[:0])
	}
	return err == nil, err
}

// decodePositions appends to dst the word positions of a posting payload
// (n positions of a word posting, or n occurrences of a search posting).
func decodePositions(n uint64, v []byte, word bool, dst []int) ([]int, error) {
	if word {
		if n > uint64(len(v)) {
			return nil, fmt.Errorf("%w: word posting payload", errCorrupt)
		}
		for range n {
			x, w := binary.Uvarint(v)
			if w <= 0 {
				return nil, fmt.Errorf("%w: word posting payload", errCorrupt)
			}
			dst, v = append(dst, int(x)), v[w:]
		}
		return dst, nil
	}
	occ, err := decodeOccurrences(n, v)
	if err != nil {
		return nil, err
	}
	for _, o := range occ {
		dst = append(dst, o.Pos)
	}
	return dst, nil
}

// seek moves every list of the constraint to its first posting at or
// after id and returns the smallest; false when every list is done.
func (c *constraint) seek(ctx context.Context, id uint64) (uint64, bool, error) {
	best, any := uint64(0), false
	for _, l := range c.lists {
		ok, err := l.seek(ctx, id)
		if err != nil {
			return 0, false, err
		}
		if ok && (!any || l.id < best) {
			best, any = l.id, true
		}
	}
	return best, any, nil
}

// positions returns the positions of the word at id (where c was sought).
func (c *constraint) positions(id uint64) []int {
	var out []int
	for _, l := range c.lists {
		if l.at && l.id == id {
			out = append(out, l.pos...)
		}
	}
	return out
}

// leapfrog returns, in id order, the quotes that every constraint holds
// and, when the constraints have places, where they stand as in the
// query. Each constraint in turn seeks to the largest id another has
// reached, so a rare word skips the postings of the common ones. The
// constraints with fewer lists go first (a word before a prefix that
// expands to many).
func leapfrog(ctx context.Context, cons []*constraint) ([]uint64, error) {
	slices.SortStableFunc(cons, func(a, b *constraint) int { return len(a.lists) - len(b.lists) })
	var out []uint64
	x := uint64(0)
	for {
		agree := true
		for _, c := range cons {
			y, ok, err := c.seek(ctx, x)
			if err != nil || !ok {
				return out, err
			}
			if y != x {
				x, agree = y, false
				break
			}
		}
		if !agree {
			continue
		}
		if cons[0].at < 0 || adjacent(cons, x) {
			out = append(out, x)
		}
		x++
	}
}

// adjacent reports whether the words of the constraints stand at id as
// they do in the query: some base position b has each constraint's word
// at b + its place.
func adjacent(cons []*constraint, id uint64) bool {
	ps := make([][]int, len(cons))
	for i, c := range cons {
		ps[i] = c.positions(id)
	}
	for _, p0 := range ps[0] {
		b := p0 - cons[0].at
		all := true
		for i := 1; i < len(cons) && all; i++ {
			all = slices.Contains(ps[i], b+cons[i].at)
		}
		if all {
			return true
		}
	}
	return false
}

// dropTrigrams deletes the keys of family t (the trigram postings of the
// whoSaid index before layout 4) in commits of at most 20,000 deletes,
// each scan starting after the last key deleted so that it does not pass
// the deleted keys again. It returns how many keys it deleted.
func dropTrigrams(ctx context.Context, kv KV) (int, error) {
	return dropFamily(ctx, kv, famTrigram, 20000)
}

// dropFamily deletes the keys of a family in commits of at most chunk.
func dropFamily(ctx context.Context, kv KV, fam byte, chunk int) (int, error) {
	var after []byte
	n := 0
	for {
		k := 0
		_, err := kv.Update(ctx, func(tx Txn) error {
			k = 0
			var keys [][]byte
			err := tx.Scan(ctx, Range{Prefix: []byte{fam}, After: after, KeysOnly: true, Limit: chunk}, func(key, _ []byte) error {
				keys = append(keys, slices.Clone(key))
				return nil
			})
			if err != nil {
				return err
			}
			for _, key := range keys {
				if err := tx.Delete(key); err != nil {
					return err
				}
			}
			k = len(keys)
			if k > 0 {
				after = keys[k-1]
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += k
		if k < chunk {
			return n, nil
		}
	}
}

// isApostrophe reports the apostrophes graph.Analyze treats as inside a
// word (straight, right single quotation mark, modifier letter).
func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02BC' }
