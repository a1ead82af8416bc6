package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"claimgraph/fold"
	"claimgraph/graph"
)

// whoSaid proofs (layout 6): what the postings carry so that most
// matches of a query are proven without reading the quote's record.
//
// Flags. Every word position in a posting of family s is stored as
// pos<<2 | literal<<1 | joined (search postings: the pos of each
// occurrence; word postings: each position). Only the postings of a
// quote's text set flags; the other fields store 0 (decodeOccurrences
// drops the bits, so search, phrases and highlights read the plain
// position). The flags describe the word in F, fold.Text of the quote's
// text, for a regular quote (one whose words are those of F, see
// whoSaidEntries; an irregular quote has no flags and is always checked):
//
//   - literal: the code points of the word in F are the list's word
//     itself: for a word posting, the word has no apostrophe or other
//     character the analyser drops or maps ("dont" from "don't" is not
//     literal); for a search posting, in addition, the word is the term
//     (its stem is itself: "taxes" in the list of "tax" is not);
//   - joined: the word is followed in F by one space and the next word
//     ("well known", "crime  is" after folding; not "well-known",
//     "mayor's office", "end. next").
//
// Words of F are defined on F, so two spaces, a tab or a line break
// between words (which fold.Text makes one space) still join them. For
// text of printable ASCII (plainText) the flags come from the text
// itself, without folding it: a word is literal when its span is as long
// as the word (only apostrophes are dropped), and joined when only white
// space lies between it and the next word.
//
// Reversed dictionary. s | fd | field | reversed word | 00 -> empty, one
// key per list ever created of the text term lists (field 04) and of
// the word lists (fc), so that the words ending with a suffix are one
// prefix scan. The writer sets the key when it creates a list (no block
// of it existed: dictKeyOfNewList); keys are never deleted, so the dictionary
// may hold words whose list is gone (they expand to nothing). Verify
// checks that every list has its key.

// Flag bits of a stored word position.
const (
	posJoined   = 1 // followed by one space and the next word
	posLiteral  = 2 // the word as written in the folded text is the list's word
	posFlagBits = 2
)

// searchDictField is the field byte of the reversed dictionary keys.
const searchDictField byte = 0xfd

// reverseBytes returns the bytes of w in reverse order.
func reverseBytes(w []byte) []byte {
	out := make([]byte, len(w))
	for i, c := range w {
		out[len(w)-1-i] = c
	}
	return out
}

// searchDictPrefix is s | fd | field | reversed suffix: the prefix of the
// dictionary keys of the words ending with suffix.
func searchDictPrefix(field byte, suffix string) []byte {
	return append([]byte{famSearch, searchDictField, field}, reverseBytes([]byte(suffix))...)
}

// searchDictKey is the reversed dictionary key of a word of a list.
func searchDictKey(field byte, word []byte) []byte {
	return append(append([]byte{famSearch, searchDictField, field}, reverseBytes(word)...), 0)
}

// dictListField reports whether the lists of logical field byte f have
// reversed dictionary keys.
func dictListField(f byte) bool { return f == byte(graph.SearchText) || f == searchWordField }

// dictKeyOfNewList returns, for a list that had no block (flushList), its
// reversed dictionary key when the changes write a posting and its field
// has such keys; nil otherwise.
func dictKeyOfNewList(logical []byte, changes []postingEntry) []byte {
	if !dictListField(logical[1]) || !slices.ContainsFunc(changes, func(e postingEntry) bool { return e.val != nil }) {
		return nil
	}
	return searchDictKey(logical[1], logical[2:len(logical)-1])
}

// quoteWords returns the word flags of a quote's text (one per word of
// words, whoWords of text; nil when the quote is irregular), the words
// its word postings hold (words, or those of fold.Text of the text for
// an irregular quote) and whether it is irregular.
func quoteWords(text string, words []whoWord) (flags []uint8, fw []whoWord, irregular bool) {
	if plainText(text) {
		return plainFlags(text, words), words, false
	}
	folded := fold.Text(text)
	fw = whoWordsText(folded)
	if !slices.EqualFunc(words, fw, func(a, b whoWord) bool { return a.word == b.word }) {
		return nil, fw, true
	}
	return foldedFlags([]rune(folded), fw), words, false
}

// foldedFlags returns the flags of the words fw of a folded text f
// (the definition: see the top of this file).
func foldedFlags(f []rune, fw []whoWord) []uint8 {
	flags := make([]uint8, len(fw))
	for j, w := range fw {
		if w.end-w.start == utf8.RuneCountInString(w.word) && string(f[w.start:w.end]) == w.word {
			flags[j] |= posLiteral
		}
		if j+1 < len(fw) && w.end < len(f) && f[w.end] == ' ' && fw[j+1].start == w.end+1 {
			flags[j] |= posJoined
		}
	}
	return flags
}

// plainFlags is foldedFlags for a plainText text, from the text itself
// (its words' spans in code points).
func plainFlags(text string, words []whoWord) []uint8 {
	flags := make([]uint8, len(words))
	var runes []rune
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			runes = []rune(text)
			break
		}
	}
	space := func(i int) bool {
		var c rune
		if runes != nil {
			c = runes[i]
		} else {
			c = rune(text[i])
		}
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			return true
		}
		return false
	}
	for j, w := range words {
		if w.end-w.start == len(w.word) {
			flags[j] |= posLiteral
		}
		if j+1 < len(words) && words[j+1].start > w.end {
			joined := true
			for i := w.end; i < words[j+1].start && joined; i++ {
				joined = space(i)
			}
			if joined {
				flags[j] |= posJoined
			}
		}
	}
	return flags
}

// proofWords returns the words of a folded query when they can be proven
// from the postings: the query is words separated by single spaces, each
// word a run of letters and digits that the analyser keeps as they are
// (so that a word of a quote holding it literally holds it as written),
// none longer than maxSearchTerm, and the first word is not "s" (maybe
// the s of a possessive, which is in no word).
func proofWords(needle string) ([]string, bool) {
	if needle == "" {
		return nil, false
	}
	var out []string
	for _, seg := range bytes.Split([]byte(needle), []byte{' '}) {
		if len(seg) == 0 || len(seg) > maxSearchTerm {
			return nil, false
		}
		ws := graph.Words(string(seg))
		if len(ws) != 1 || ws[0].Term != string(seg) || ws[0].Start != 0 || ws[0].End != utf8.RuneCount(seg) {
			return nil, false
		}
		for _, r := range string(seg) {
			if r < utf8.RuneSelf {
				if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
					return nil, false
				}
				continue
			}
			ws := graph.Words(string(r))
			if len(ws) != 1 || ws[0].Term != string(r) {
				return nil, false
			}
		}
		out = append(out, string(seg))
	}
	if out[0] == "s" {
		return nil, false
	}
	return out, true
}

// suffixWords returns the words of the reversed dictionary of field f
// that end with suffix; ok is false when more than capN do.
func (r *reader) suffixWords(ctx context.Context, f byte, suffix string, capN int) (words []string, ok bool, err error) {
	prefix := searchDictPrefix(f, suffix)
	err = r.kv.Scan(ctx, Range{Prefix: prefix, KeysOnly: true, Limit: capN + 1}, func(k, _ []byte) error {
		if len(k) < 4 || k[len(k)-1] != 0 {
			return fmt.Errorf("%w: reversed dictionary key %x", errCorrupt, k)
		}
		words = append(words, string(reverseBytes(k[3:len(k)-1])))
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if len(words) > capN {
		return nil, false, nil
	}
	return words, true, nil
}

// dictCheck is Verify's check of the reversed dictionary: the keys the
// lists need and the keys stored.
type dictCheck struct {
	last   []byte // list prefix of the previous block seen
	need   map[string]bool
	stored map[string]bool
}

// block notes the list of the posting block key k.
func (d *dictCheck) block(k []byte) {
	n := blockKeyPrefix(k)
	if n == 0 || bytes.Equal(d.last, k[:n]) {
		return
	}
	d.last = append(d.last[:0], k[:n]...)
	f := logicalField(k[1])
	if !dictListField(f) {
		return
	}
	if d.need == nil {
		d.need = map[string]bool{}
	}
	d.need[string(searchDictKey(f, k[2:n-1]))] = true
}

// key notes a stored dictionary key, reporting one of the wrong shape.
func (v *verifier) dictKey(d *dictCheck, k []byte) {
	if len(k) < 5 || !dictListField(k[2]) || k[len(k)-1] != 0 || bytes.IndexByte(k[3:len(k)-1], 0) >= 0 {
		v.problem(famSearch, "decode", k, "reversed dictionary key of the wrong shape")
		return
	}
	if d.stored == nil {
		d.stored = map[string]bool{}
	}
	d.stored[string(k)] = true
}

// checkDicts reports the lists without their dictionary key (keys
// without a list are allowed: the writer never deletes them).
func (v *verifier) checkDicts(d *dictCheck) {
	var missing []string
	for k := range d.need {
		if !d.stored[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	for _, k := range missing {
		v.problem(famSearch, "missing", []byte(k), "a postings list has no reversed dictionary key")
	}
}
