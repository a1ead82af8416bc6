package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
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
// words select the candidates from postings lists. A candidate is then
// either proven from the flags its postings carry (layout 6; see
// whosaid_flags.go and whosaid_query.go: most matches of a query of
// plain words) or checked against its record (the substring itself), so
// the lists only need to hold every quote that matches.
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
// positions in that folded text, and lookups read both lists. An
// irregular quote, and a quote with a word longer than maxSearchTerm
// (which the search postings skip), is listed under s | fb | id ("always
// check": never proven, every query checks its record).
//
// Results come in id (creation) order, with their total, which needs
// every candidate: a proven one costs its postings, one not proven its
// record (about 10 us). QuotesMatchingPage stops when the page is known
// and counts the total when asked.
//
// The lists are stored in blocks (postings.go); the keys named here are
// the logical ones, read through postingCursor.

// searchWordField is the field byte of the word postings:
// s | fc | word | 00 | id -> uvarint count, then uvarint positions.
const searchWordField byte = 0xfc

// searchLongField is the field byte of the keys s | fb | id (empty) of the
// quotes always checked: irregular ones and those with a word longer than
// maxSearchTerm.
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
	// Room for the id of searchWordKey.
	return appendListPrefix(make([]byte, 0, 2+len(word)+1+8), searchWordField, word)
}

func searchWordKey(word string, id uint64) []byte {
	return appendPostingKey(make([]byte, 0, 2+len(word)+1+8), searchWordField, word, id)
}

func searchLongKey(id uint64) []byte { return searchIDKey(searchLongField, id) }

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
// searchDocEntries writes from graph.IndexNode with the flags of
// whosaid_flags.go on the positions (TestQuoteSearchEntries holds them
// equal), and its whoSaid keys (whoSaidEntries), from one split of its
// text.
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
	flags, fw, irregular := quoteWords(q.Text, words)
	// Room for the postings of every term and word, so that the buffers
	// grow rarely: a key is 11 bytes and the term, a value a few bytes a
	// position.
	textKeys := 0
	for _, w := range words {
		textKeys += len(w.word)
	}
	eb := entryBatch{
		keys: make([]byte, 0, 2*(textKeys+12*len(order))),
		vals: make([]byte, 0, 2*(10*len(words)+3*len(order))),
		ends: make([][2]int, 0, 2*len(order)),
	}
	for _, i := range order {
		t := stems[i]
		if len(t) > maxSearchTerm {
			continue
		}
		eb.keys = appendPostingKey(eb.keys, byte(graph.SearchText), t, id)
		v := binary.AppendUvarint(eb.vals, uint64(tf[i]))
		v = binary.AppendUvarint(v, uint64(len(words)))
		for j := i; j >= 0; j = next[j] {
			var f uint8
			if flags != nil {
				f = flags[j]
				if t != words[j].word {
					f &^= posLiteral
				}
			}
			v = binary.AppendUvarint(v, 0) // sub
			v = binary.AppendUvarint(v, uint64(j)<<posFlagBits|uint64(f))
			v = binary.AppendUvarint(v, uint64(words[j].start))
			v = binary.AppendUvarint(v, uint64(words[j].end))
		}
		eb.vals = v
		eb.done()
	}
	if len(words) > 0 {
		es[string(searchLenKey(id))] = searchLenValue(q.Key, map[graph.SearchField]int{graph.SearchText: len(words)})
	}
	wordEntriesTo(&eb, es, id, fw, stems, flags, irregular)
	eb.into(es)
}

// entryBatch builds many entries of one node in two buffers, keys and
// values, and adds them to an entries map with one allocation for all the
// keys (substrings of one string) and none for the values (slices of one
// buffer): a quote has some forty search and whoSaid postings. An entry
// is its key appended to keys and its value to vals, ended with done.
type entryBatch struct {
	keys, vals []byte
	ends       [][2]int // the end of each entry's key and value
}

// done ends the entry begun since the last done.
func (b *entryBatch) done() { b.ends = append(b.ends, [2]int{len(b.keys), len(b.vals)}) }

// into adds the entries to es (a later entry of a key wins, as with
// direct writes to es).
func (b *entryBatch) into(es entries) {
	keys := string(b.keys)
	k0, v0 := 0, 0
	for _, e := range b.ends {
		es[keys[k0:e[0]]] = b.vals[v0:e[1]:e[1]]
		k0, v0 = e[0], e[1]
	}
}

// whoSaidEntries adds the word postings of a quote to es (see the top of
// this file), and its s | fb key when a word is too long for the search
// postings or the quote is irregular; words are whoWords of its text and
// stems their stems (nil: computed here).
func whoSaidEntries(es entries, q *graph.Quote, id uint64, words []whoWord, stems []string) {
	flags, fw, irregular := quoteWords(q.Text, words)
	wordEntries(es, id, fw, stems, flags, irregular)
}

// wordEntries adds the word postings of a quote to es (wordEntriesTo).
func wordEntries(es entries, id uint64, words []whoWord, stems []string, flags []uint8, irregular bool) {
	var eb entryBatch
	wordEntriesTo(&eb, es, id, words, stems, flags, irregular)
	eb.into(es)
}

// wordEntriesTo adds to eb the word postings of a quote whose words
// (those of its folded text when irregular) are words, with stems (nil:
// computed here; unused when irregular) and flags (nil: none), and to es
// its s | fb key.
func wordEntriesTo(eb *entryBatch, es entries, id uint64, words []whoWord, stems []string, flags []uint8, irregular bool) {
	var order []string
	pos := map[string][]uint64{}
	long := irregular
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
		p := uint64(i) << posFlagBits
		if flags != nil {
			p |= uint64(flags[i])
		}
		pos[w.word] = append(pos[w.word], p)
	}
	for _, w := range order {
		ps := pos[w]
		eb.keys = appendPostingKey(eb.keys, searchWordField, w, id)
		v := binary.AppendUvarint(eb.vals, uint64(len(ps)))
		for _, p := range ps {
			v = binary.AppendUvarint(v, p)
		}
		eb.vals = v
		eb.done()
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

// dropTrigrams deletes the keys of family t (the trigram postings of the
// whoSaid index before layout 4) in commits of at most 20,000 deletes,
// each scan starting after the last key deleted so that it does not pass
// the deleted keys again. It returns how many keys it deleted.
func dropTrigrams(ctx context.Context, kv KV) (int, error) {
	return dropFamily(ctx, kv, famTrigram, migrateChunk)
}

// migrateChunk is the most keys a commit of a migration's deletes reads;
// tests set less.
var migrateChunk = 20000

// dropFamily deletes the keys of a family in commits of at most chunk.
func dropFamily(ctx context.Context, kv KV, fam byte, chunk int) (int, error) {
	return dropMatching(ctx, kv, fam, nil, chunk)
}

// dropMatching deletes the keys of a family for which match (nil: every
// key) is true, reading at most chunk keys a commit. It returns how many
// it deleted.
func dropMatching(ctx context.Context, kv KV, fam byte, match func(k []byte) bool, chunk int) (int, error) {
	var after []byte
	n := 0
	for {
		read, deleted := 0, 0
		var last []byte
		_, err := kv.Update(ctx, func(tx Txn) error {
			read, deleted, last = 0, 0, last[:0]
			var keys [][]byte
			err := tx.Scan(ctx, Range{Prefix: []byte{fam}, After: after, KeysOnly: true, Limit: chunk}, func(key, _ []byte) error {
				read++
				last = append(last[:0], key...)
				if match == nil || match(key) {
					keys = append(keys, slices.Clone(key))
				}
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
			deleted = len(keys)
			return nil
		})
		if err != nil {
			return n, err
		}
		// The next page starts after the last key read, set only once
		// the commit is done (the scan reads After until it returns).
		after = last
		n += deleted
		if read < chunk {
			return n, nil
		}
	}
}

// isApostrophe reports the apostrophes graph.Analyze treats as inside a
// word (straight, right single quotation mark, modifier letter).
func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02BC' }
