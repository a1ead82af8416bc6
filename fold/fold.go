// Package fold normalises text for comparison: names for exact-match
// indexes ([Name]) and quote text for substring matching ([Text]).
//
// Both functions decompose the input with Unicode NFKD (compatibility
// decomposition, so ligatures, full-width forms and superscripts become
// their plain letters), drop non-spacing combining marks (accents), and
// lower-case what remains. Invalid UTF-8 becomes U+FFFD. The output is always
// valid UTF-8 and folding is idempotent: Text(Text(s)) == Text(s).
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Name folds a person's or organisation's name or alias for an exact-match
// index: accents and case are dropped, every run of characters other than
// letters and digits becomes one space, and the result is trimmed.
// "José  Álvarez" and "jose alvarez" fold to "jose alvarez"; "D.H.S." folds
// to "d h s".
func Name(s string) string {
	return fixpoint(s, foldName)
}

// Text folds quote text for matching: accents and case are dropped, every
// quotation mark or apostrophe style (‘ ’ ‚ ‛ “ ” „ ‟ « » ‹ › ″ ′ ` ´ ...)
// becomes ' or ", every dash becomes -, zero-width and control characters
// are dropped, every run of white space becomes one space, and the result is
// trimmed.
func Text(s string) string {
	return fixpoint(s, foldText)
}

// fixpoint applies f until its output stops changing (in practice once or
// twice), which makes the fold idempotent even for the rare characters whose
// lower-case form decomposes further.
func fixpoint(s string, f func(string) string) string {
	out := f(s)
	for range 4 {
		next := f(out)
		if next == out {
			break
		}
		out = next
	}
	return out
}

func foldName(s string) string {
	s = norm.NFKD.String(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func foldText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	// Map quotation marks before decomposing: NFKD turns ″ into two primes
	// and ´ into a space and a combining accent.
	s = strings.Map(quote, s)
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = quote(unicode.ToLower(r))
		switch {
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
		b.WriteRune(r)
	}
	return b.String()
}

// quote maps quotation marks and apostrophes to ' or ".
func quote(r rune) rune {
	switch r {
	case '\u2018', '\u2019', '\u201A', '\u201B', // ‘ ’ ‚ ‛
		'\u2039', '\u203A', // ‹ ›
		'\u2032', '\u2035', // ′ ‵
		'`', '\u00B4', // ` ´
		'\u02BC', '\u02B9', '\u02BB', '\u02BD', // modifier letter apostrophes
		'\uFF07': // full-width '
		return '\''
	case '\u201C', '\u201D', '\u201E', '\u201F', // “ ” „ ‟
		'\u00AB', '\u00BB', // « »
		'\u2033', '\u2036', // ″ ‶
		'\u02BA',                     // ʺ
		'\u301D', '\u301E', '\u301F', // 〝 〞 〟
		'\uFF02': // full-width "
		return '"'
	}
	return r
}
