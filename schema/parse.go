package schema

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
)

// maxLineBytes caps the lines of the skeleton (see parseQuery), which are
// longer than skeletonLine only where the query has no white space, comma,
// line break or string content to break them: a long name or number,
// tokens written without separators. Such a query is refused before
// parsing.
const maxLineBytes = 4096

// skeletonLine is the line length past which the skeleton breaks lines.
const skeletonLine = 256

// parseQuery parses a GraphQL document, with the work of a syntax error
// bounded.
//
// graphql-go v0.8.1 builds the message of a syntax error with a loop that
// appends one space at a time up to the error's column: quadratic in the
// column. A one-line query of 80 kB with an error at its end costs 25 s of
// CPU, one of 1 MiB (the body limit) more than an hour, before any
// deadline applies. So the query is first checked as a skeleton of the
// same length, byte for byte, in which every error of the query sits at
// the same offset but no line is long: white space and commas outside
// strings and comments become line breaks once a line passes
// skeletonLine bytes, comments and block strings keep their delimiters
// and get blank content, and strings longer than six bytes become block
// strings of blank lines. The skeleton parses exactly when the query does,
// since it has the same tokens but for the contents of strings, which
// parseQuery checks itself as graphql-go's lexer does (control
// characters, escapes, termination; a bad string ends the skeleton, see
// skeleton). Only a query with maxLineBytes bytes that offer no place for
// a line break is refused as such (LIMIT_EXCEEDED). The query itself is
// parsed when the skeleton parses.
//
// Positions in the errors are byte offsets in q.
func parseQuery(q string) (*ast.Document, *reqError) {
	skel, bad, limit := skeleton(q)
	if limit != nil {
		return nil, limit
	}
	_, err := parser.Parse(parser.ParseParams{Source: skel, Options: parser.ParseOptions{NoSource: true}})
	if bad != nil {
		// The skeleton ends with the opening quote of the bad string and
		// the sentinel: an error before the lexer reads the sentinel is
		// q's; the sentinel's error means that the parser reached the
		// string, whose error is then q's.
		if err != nil && syntaxError(err).message != sentinelError {
			return nil, syntaxError(err)
		}
		return nil, bad.err
	}
	if err != nil {
		return nil, syntaxError(err)
	}
	doc, err := parser.Parse(parser.ParseParams{Source: q, Options: parser.ParseOptions{NoSource: true}})
	if err != nil {
		// Not expected: the skeleton parsed. The error is still reported.
		return nil, syntaxError(err)
	}
	return doc, nil
}

// syntaxError turns a syntax error of graphql-go into a parse failure at
// its byte offset, without the source excerpt that graphql-go appends
// (lines of the skeleton, not of the query).
func syntaxError(err error) *reqError {
	msg := err.Error()
	if i := strings.Index(msg, "\n"); i >= 0 {
		msg = msg[:i]
	}
	// "Syntax Error GraphQL (1:26901) Expected Name, found Int": the line
	// and column are the skeleton's; the locations say where.
	if rest, ok := strings.CutPrefix(msg, "Syntax Error GraphQL ("); ok {
		if i := strings.Index(rest, ") "); i >= 0 {
			msg = "Syntax Error: " + rest[i+2:]
		}
	}
	return &reqError{code: CodeParseFailed, message: msg, positions: positionsOf(err)}
}

// skeletonError is a syntax error found while making the skeleton.
func skeletonError(pos int, format string, args ...any) *reqError {
	return &reqError{code: CodeParseFailed, message: "Syntax Error: " + fmt.Sprintf(format, args...), positions: []int{pos}}
}

// skeleton returns q with the same tokens at the same byte offsets and no
// long line (see parseQuery), or a line too long. When a string of q is
// not valid, the skeleton ends with that string's opening quote and the
// sentinel, and bad holds the string's error: whether the parser reaches
// the string decides which error q has.
func skeleton(q string) (skel string, bad *badString, limit *reqError) {
	b := []byte(q)
	col := 0
	// blank puts a line break at b[i] once the line is long, a space
	// otherwise.
	blank := func(i int) {
		if col >= skeletonLine {
			b[i], col = '\n', 0
		} else {
			b[i] = ' '
			col++
		}
	}
	for i := 0; i < len(b); {
		c := q[i]
		switch {
		case c == '\n' || c == '\r':
			col = 0
			i++
		case c == ' ' || c == '\t' || c == ',':
			blank(i)
			i++
		case c == '#':
			// A comment runs to a line break or a control character
			// other than tab (graphql-go stops there).
			col++
			i++
			for i < len(q) && (q[i] >= 0x20 || q[i] == '\t') {
				blank(i)
				i++
			}
		case strings.HasPrefix(q[i:], `"""`):
			end, e := blockStringEnd(q, i)
			if e != nil {
				return string(b[:i]) + `"""` + sentinel, &badString{start: i, err: e}, nil
			}
			col += 3
			for j := i + 3; j < end-3; j++ {
				blank(j)
			}
			col += 3
			i = end
		case c == '"':
			end, e := stringEnd(q, i)
			if e != nil {
				return string(b[:i]) + `"` + sentinel, &badString{start: i, err: e}, nil
			}
			if end-i >= 6 {
				copy(b[i:], `"""`)
				col += 3
				for j := i + 3; j < end-3; j++ {
					blank(j)
				}
				copy(b[end-3:], `"""`)
				col += 3
			} else {
				col += end - i
			}
			i = end
		default:
			col++
			i++
		}
		if col > maxLineBytes {
			return "", nil, &reqError{code: CodeLimitExceeded, positions: []int{i - 1},
				message: errorf(CodeLimitExceeded, "the query has more than %d bytes in a row without white space, a comma or a line break outside strings", maxLineBytes).Message}
		}
	}
	return string(b), nil, nil
}

// sentinel ends a skeleton inside a bad string, right after its opening
// quote: a character that graphql-go's lexer refuses in a string as soon
// as it reads it, with sentinelError.
const (
	sentinel      = "\x01"
	sentinelError = `Syntax Error: Invalid character within String: "\\u0001".` // sic: two backslashes
)

// badString is a string of a query that graphql-go's lexer refuses.
type badString struct {
	// start is the offset of its opening quote.
	start int
	// err is the lexer's error.
	err *reqError
}

// stringEnd returns the offset after the string that starts at q[start]
// (a quote), checking its content as graphql-go's lexer does.
func stringEnd(q string, start int) (int, *reqError) {
	for i := start + 1; ; {
		if i >= len(q) || q[i] == '\n' || q[i] == '\r' {
			return 0, skeletonError(i, "Unterminated string.")
		}
		r, n := utf8.DecodeRuneInString(q[i:])
		switch {
		case r == '"':
			return i + 1, nil
		case r < 0x20 && r != '\t':
			return 0, skeletonError(i, "Invalid character within String: \\u%04X.", r)
		case r == '\\':
			if i+1 >= len(q) {
				return 0, skeletonError(i+1, "Invalid character escape sequence.")
			}
			switch q[i+1] {
			case '"', '/', '\\', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(q) <= i+1+4 || !isHex(q[i+2]) || !isHex(q[i+3]) || !isHex(q[i+4]) || !isHex(q[i+5]) {
					return 0, skeletonError(i+1, "Invalid character escape sequence: \\u.")
				}
				i += 6
			default:
				return 0, skeletonError(i+1, "Invalid character escape sequence: \\%c.", rune(q[i+1]))
			}
		default:
			i += n
		}
	}
}

// blockStringEnd returns the offset after the block string that starts at
// q[start] ("""), checking its content as graphql-go's lexer does.
func blockStringEnd(q string, start int) (int, *reqError) {
	for i := start + 3; i < len(q); {
		switch c := q[i]; {
		case strings.HasPrefix(q[i:], `"""`):
			return i + 3, nil
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return 0, skeletonError(i, "Invalid character within String: \\u%04X.", rune(c))
		case strings.HasPrefix(q[i:], `\"""`):
			i += 4
		default:
			i++
		}
	}
	return 0, skeletonError(len(q), "Unterminated string.")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
