package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"
)

// SelectorRunes is the number of code points that Prepare keeps before and
// after a span as its W3C text quote selector (Span.Prefix, Span.Suffix).
const SelectorRunes = 32

// RuneSlice returns the code points [start, end) of text, counting as
// []rune(text) does (an invalid UTF-8 byte counts as one code point). It
// reports false, with an empty string, when start < 0, end < start or end is
// past the last code point.
func RuneSlice(text string, start, end int) (string, bool) {
	if start < 0 || end < start {
		return "", false
	}
	i, n := 0, 0 // byte offset, code point count
	from := -1
	for {
		if n == start {
			from = i
		}
		if n == end {
			return text[from:i], true
		}
		if i >= len(text) {
			return "", false
		}
		_, w := utf8.DecodeRuneInString(text[i:])
		i += w
		n++
	}
}

// ContentHash returns the lowercase hex SHA-256 of the UTF-8 bytes of text,
// the form of Source.ContentSHA256 and Span.ContentSHA256.
func ContentHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// validHash reports whether s has the form of a content hash: 64 lowercase
// hex digits.
func validHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// spanContext returns up to n code points of runes before start and after
// end. The caller guarantees 0 <= start <= end <= len(runes).
func spanContext(runes []rune, start, end, n int) (prefix, suffix string) {
	from := max(start-n, 0)
	to := min(end+n, len(runes))
	return string(runes[from:start]), string(runes[end:to])
}

// clip shortens s to at most n code points for messages, marking the cut
// with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
