package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tkWord  tokKind = iota + 1 // letters, with inner apostrophes, hyphens and digits
	tkNum                      // digits with grouping commas and a decimal point
	tkPunct                    // one punctuation or symbol rune
	tkMark                     // a quotation mark (or an apostrophe standing alone)
)

// Token flags.
const (
	fCap     uint16 = 1 << iota // first rune is upper case
	fAllCap                     // two or more letters, all upper case
	fSpace                      // white space before the token
	fNewline                    // a line break before the token
	fDigit                      // contains a digit
	fAlpha                      // contains a letter
)

// Quotation mark families and roles.
const (
	famDouble uint8 = 1
	famSingle uint8 = 2

	roleNone  uint8 = 0 // not decided, or not a mark
	roleOpen  uint8 = 1
	roleClose uint8 = 2
	roleApos  uint8 = 3 // an apostrophe, not a quotation mark
)

// tok is one token: a range of code points [s, e) of the text.
type tok struct {
	s, e  int
	kind  tokKind
	flags uint16
	fam   uint8 // quotation mark family
	role  uint8 // quotation mark role after pairing
	lean  uint8 // the role the mark's context suggests (open or close), 0 when unclear
	w     string
	lw    string    // lower case of w, for words
	cls   wordClass // lexical classes of lw
	para  int       // index of the paragraph
}

func (t *tok) is(f uint16) bool { return t.flags&f != 0 }

// has reports whether the token's lower-case word is in class c.
func (t *tok) has(c wordClass) bool { return t.cls&c != 0 }

// isWord reports whether t is a word with the lower-case form w.
func (t *tok) isWord(w string) bool { return t.kind == tkWord && t.lw == w }

// isP reports whether t is the punctuation rune r.
func (t *tok) isP(r string) bool { return t.kind == tkPunct && t.w == r }

// markFamily returns the family of a quotation mark rune, and whether its
// glyph leans open or close (0 when it does not tell).
func markFamily(r rune) (fam, lean uint8) {
	switch r {
	case '"', '＂', '〃':
		return famDouble, 0
	case '“', '„', '‟', '«':
		return famDouble, roleOpen
	case '”', '»':
		return famDouble, roleClose
	case '\'', '`':
		return famSingle, 0
	case '‘', '‚', '‛', '‹':
		return famSingle, roleOpen
	case '’', '›':
		return famSingle, roleClose
	}
	return 0, 0
}

func isApostropheRune(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' || r == '`' }

func isLetter(r rune) bool { return unicode.IsLetter(r) }
func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isAlnum(r rune) bool  { return isLetter(r) || isDigit(r) || unicode.IsMark(r) }

func isDash(r rune) bool {
	switch r {
	case '-', '–', '—', '―', '‒', '−':
		return true
	}
	return false
}

// tokenize splits runes [from, to) into tokens, tagging them with paragraph
// p. fromByte is the byte offset of rune from in text (valid UTF-8).
func tokenize(text string, fromByte int, rs []rune, from, to, p int, out []tok) []tok {
	space, nl := true, false
	i := from
	bi := fromByte // byte offset of rune i
	for i < to {
		r := rs[i]
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
				nl = true
			}
			bi += utf8.RuneLen(r)
			i++
			continue
		}
		t := tok{s: i, para: p}
		if space {
			t.flags |= fSpace
		}
		if nl {
			t.flags |= fNewline
		}
		space, nl = false, false
		switch {
		case isDigit(r):
			j := i + 1
			for j < to {
				c := rs[j]
				if isDigit(c) {
					j++
					continue
				}
				// grouping comma or decimal point followed by a digit
				if (c == ',' || c == '.') && j+1 < to && isDigit(rs[j+1]) {
					j++
					continue
				}
				break
			}
			// letters glued to digits: 21st, 5G, 37-year-old, 1990s, 2,000-strong
			if j < to && (isLetter(rs[j]) || (isDash(rs[j]) && rs[j] != '—' && rs[j] != '–' && j+1 < to && isLetter(rs[j+1]))) {
				j = scanWord(rs, j-1, to)
				t.kind = tkWord
			} else {
				t.kind = tkNum
			}
			t.e = j
		case isLetter(r) || unicode.IsMark(r):
			t.e = scanWord(rs, i, to)
			t.kind = tkWord
		case isApostropheRune(r) && i+1 < to && isDigit(rs[i+1]) && i+3 < to && isDigit(rs[i+2]) && (rs[i+3] == 's' || !isAlnum(rs[i+3])) && (i == from || !isAlnum(rs[i-1])):
			// elided years: ’90s, '08
			t.e = scanWord(rs, i+1, to)
			t.kind = tkWord
		default:
			fam, lean := markFamily(r)
			t.e = i + 1
			if fam != 0 {
				t.kind = tkMark
				t.fam = fam
				t.lean = lean
			} else {
				t.kind = tkPunct
			}
		}
		be := bi
		for k := t.s; k < t.e; k++ {
			be += utf8.RuneLen(rs[k])
		}
		t.w = text[bi:be]
		bi = be
		if t.kind == tkWord || t.kind == tkNum {
			setCase(&t, rs)
			if t.kind == tkWord {
				t.cls = lex[t.lw]
			}
		}
		out = append(out, t)
		i = t.e
	}
	return out
}

// scanWord returns the end of a word starting at i: letters, digits, marks,
// and inner apostrophes, hyphens, dots of abbreviations (U.S.) and
// ampersands between letters (AT&T).
func scanWord(rs []rune, i, to int) int {
	j := i
	for j < to {
		c := rs[j]
		if isAlnum(c) {
			j++
			continue
		}
		if j+1 < to && isAlnum(rs[j+1]) && j > i {
			switch {
			case isApostropheRune(c) && isLetter(rs[j-1]) && isLetter(rs[j+1]):
				j++
				continue
			case (c == '-' || c == '‐' || c == '‑') && isAlnum(rs[j-1]):
				j++
				continue
			case c == '&' && isUpper(rs[j-1]) && isUpper(rs[j+1]):
				j++
				continue
			case c == '.' && isLetter(rs[j+1]) && j-1 >= i && isLetter(rs[j-1]) && (j-2 < i || !isLetter(rs[j-2])) && (j+2 >= to || !isLetter(rs[j+2])):
				// U.S, a.m, e.g: single letters joined by dots
				j++
				continue
			}
		}
		// a final dot of a dotted abbreviation: U.S. a.m.
		if c == '.' && j-2 >= i && rs[j-2] == '.' && isLetter(rs[j-1]) {
			j++
		}
		break
	}
	return j
}

func isUpper(r rune) bool { return unicode.IsUpper(r) }

func setCase(t *tok, rs []rune) {
	letters, upper := 0, 0
	first := true
	for _, c := range rs[t.s:t.e] {
		if isDigit(c) {
			t.flags |= fDigit
			first = false
			continue
		}
		if !isLetter(c) {
			continue
		}
		letters++
		t.flags |= fAlpha
		if unicode.IsUpper(c) || unicode.IsTitle(c) {
			upper++
			if first {
				t.flags |= fCap
			}
		}
		first = false
	}
	if letters >= 2 && upper == letters {
		t.flags |= fAllCap
	}
	if t.kind == tkWord {
		t.lw = strings.ToLower(t.w)
		// normalise curly apostrophes so lexicon look-ups see one form
		if strings.ContainsRune(t.lw, '’') {
			t.lw = strings.ReplaceAll(t.lw, "’", "'")
		}
	}
}

// para is one paragraph: a range of code points and its tokens.
type para struct {
	s, e       int // code points
	t0, t1     int // tokens [t0, t1)
	headline   bool
	dateline   bool
	openAtEnd  bool // a double quotation mark is still open at its end
	contFrom   int  // for a continued quote: index of the quote it continues, or -1
	startsOpen bool // starts with an opening double quotation mark
}

// splitParagraphs returns the paragraph ranges of rs: blocks separated by
// blank lines; within a block, each line is its own paragraph unless the
// block is hard-wrapped prose.
func splitParagraphs(rs []rune) [][2]int {
	type line struct{ s, e int }
	var lines []line
	s := 0
	for i := 0; i <= len(rs); i++ {
		if i == len(rs) || rs[i] == '\n' || rs[i] == '\u2029' {
			lines = append(lines, line{s, i})
			s = i + 1
		}
	}
	blank := func(l line) bool {
		for _, r := range rs[l.s:l.e] {
			if !unicode.IsSpace(r) {
				return false
			}
		}
		return true
	}
	length := func(l line) int {
		n := l.e - l.s
		for n > 0 && unicode.IsSpace(rs[l.s+n-1]) {
			n--
		}
		return n
	}
	var out [][2]int
	var block []line
	flush := func() {
		if len(block) == 0 {
			return
		}
		wrapped := len(block) > 1
		if wrapped {
			unterminated := 0
			widest := 0
			for _, l := range block {
				widest = max(widest, length(l))
			}
			for _, l := range block[:len(block)-1] {
				n := length(l)
				if n < 45 || n > 110 || n*4 < widest*3 {
					wrapped = false
					break
				}
				last := rs[l.s+n-1]
				if last != '.' && last != '?' && last != '!' && last != '"' && last != '”' && last != ':' {
					unterminated++
				}
			}
			if wrapped && unterminated*2 < len(block)-1 {
				wrapped = false
			}
		}
		if wrapped {
			out = append(out, trimRange(rs, block[0].s, block[len(block)-1].e))
		} else {
			for _, l := range block {
				out = append(out, trimRange(rs, l.s, l.e))
			}
		}
		block = block[:0]
	}
	for _, l := range lines {
		if blank(l) {
			flush()
			continue
		}
		block = append(block, l)
	}
	flush()
	return out
}

func trimRange(rs []rune, s, e int) [2]int {
	for s < e && unicode.IsSpace(rs[s]) {
		s++
	}
	for e > s && unicode.IsSpace(rs[e-1]) {
		e--
	}
	return [2]int{s, e}
}
