package memgraph

import (
	"strings"
	"unicode"

	"claimgraph/graph"
)

// The folding here follows package claimgraph/fold, which the Badger store
// uses, with the standard library only (graph's subpackages may not import
// golang.org/x/text): instead of NFKD it strips the accents of precomposed
// Latin letters with a table and drops combining marks. Scripts other than
// Latin keep their precomposed accented letters.

// foldName folds a name or alias for IndexName: accents and case dropped,
// every run of characters other than letters and digits one space, trimmed.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		writeLetter(&b, r)
	}
	return b.String()
}

// foldText folds quote text for QuotesMatching: accents and case dropped,
// quotation marks and apostrophes made ' or ", dashes -, zero-width and
// control characters dropped, white space runs one space, trimmed.
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		r = quoteMark(r)
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.Pd, r) || r == '\u2212':
			r = '-'
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		writeLetter(&b, r)
	}
	return b.String()
}

// writeLetter writes r lower-cased, a precomposed Latin letter as its base.
func writeLetter(b *strings.Builder, r rune) {
	if base, ok := graph.LatinBase(r); ok {
		b.WriteString(base)
		return
	}
	b.WriteRune(unicode.ToLower(r))
}

// quoteMark maps quotation marks and apostrophes to ' or ".
func quoteMark(r rune) rune {
	switch r {
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u2039', '\u203A', '\u2032', '\u2035',
		'`', '\u00B4', '\u02BC', '\u02B9', '\u02BB', '\u02BD', '\uFF07':
		return '\''
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB', '\u2033', '\u2036',
		'\u02BA', '\u301D', '\u301E', '\u301F', '\uFF02':
		return '"'
	}
	return r
}
