package web

import (
	"html/template"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// mark is a range of code points [Start, End) of a text to highlight: a
// quote's or figure's span in its source, or a search match.
type mark struct {
	Start, End int
	// Key is the node the range belongs to: the highlight gets the id
	// "at-KEY" and its text links to the node's page. Empty for search
	// matches.
	Key string
	// Class is the CSS class ("quote", "figure", "hit").
	Class string
	// Title is the tooltip.
	Title string
	// URL is where the highlighted words link to; empty for no link.
	URL string
}

// highlight renders text as HTML with every mark wrapped in <mark>. Marks
// may nest (a reported quote inside the quote that reports it) and may
// overlap; an overlapping mark is split where it crosses another. Each
// stretch of text links to the innermost mark around it that has a URL, so
// links never nest. Marks outside the text are dropped. Marks with a Key
// get id="at-KEY" on their first piece.
func highlight(text string, marks []mark) template.HTML {
	runes := []rune(text)
	n := len(runes)
	ms := make([]mark, 0, len(marks))
	for _, m := range marks {
		if m.Start >= 0 && m.End <= n && m.Start < m.End {
			ms = append(ms, m)
		}
	}
	// Outer marks first: by start, then longer first.
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Start != ms[j].Start {
			return ms[i].Start < ms[j].Start
		}
		return ms[i].End > ms[j].End
	})
	bounds := map[int]bool{0: true, n: true}
	for _, m := range ms {
		bounds[m.Start] = true
		bounds[m.End] = true
	}
	pos := make([]int, 0, len(bounds))
	for p := range bounds {
		pos = append(pos, p)
	}
	sort.Ints(pos)

	var b strings.Builder
	var open []int // indexes into ms, outermost first
	opened := make([]bool, len(ms))
	next := 0 // next mark to open
	writeOpen := func(i int) {
		m := ms[i]
		b.WriteString(`<mark class="`)
		b.WriteString(template.HTMLEscapeString(m.Class))
		b.WriteByte('"')
		if m.Key != "" {
			b.WriteString(` data-key="`)
			b.WriteString(template.HTMLEscapeString(m.Key))
			b.WriteByte('"')
			if !opened[i] {
				b.WriteString(` id="at-`)
				b.WriteString(template.HTMLEscapeString(m.Key))
				b.WriteByte('"')
			}
		}
		if m.Title != "" {
			b.WriteString(` title="`)
			b.WriteString(template.HTMLEscapeString(m.Title))
			b.WriteByte('"')
		}
		b.WriteByte('>')
		opened[i] = true
	}
	for pi := 0; pi+1 < len(pos); pi++ {
		at, end := pos[pi], pos[pi+1]
		// Close marks ending here; reopen the ones above them that go on.
		for k := len(open) - 1; k >= 0; k-- {
			if ms[open[k]].End > at {
				continue
			}
			var reopen []int
			for len(open) > k+1 {
				top := open[len(open)-1]
				open = open[:len(open)-1]
				b.WriteString("</mark>")
				if ms[top].End > at {
					reopen = append([]int{top}, reopen...)
				}
			}
			open = open[:k]
			b.WriteString("</mark>")
			for _, i := range reopen {
				writeOpen(i)
				open = append(open, i)
			}
		}
		for next < len(ms) && ms[next].Start == at {
			writeOpen(next)
			open = append(open, next)
			next++
		}
		// The stretch [at, end) links to the innermost mark with a URL.
		link := ""
		for k := len(open) - 1; k >= 0; k-- {
			if u := ms[open[k]].URL; u != "" {
				link = u
				break
			}
		}
		seg := template.HTMLEscapeString(string(runes[at:end]))
		if link != "" {
			b.WriteString(`<a href="`)
			b.WriteString(template.HTMLEscapeString(link))
			b.WriteString(`">`)
			b.WriteString(seg)
			b.WriteString("</a>")
		} else {
			b.WriteString(seg)
		}
	}
	for range open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// paragraphs returns the code point ranges of text's paragraphs: runs of
// lines separated by blank lines, or single lines when the text has no
// blank line.
func paragraphs(text string) [][2]int {
	runes := []rune(text)
	blank := strings.Contains(text, "\n\n") || strings.Contains(text, "\r\n\r\n")
	var out [][2]int
	start := 0
	flush := func(end int) {
		s, e := start, end
		for s < e && unicode.IsSpace(runes[s]) {
			s++
		}
		for e > s && unicode.IsSpace(runes[e-1]) {
			e--
		}
		if s < e {
			out = append(out, [2]int{s, e})
		}
	}
	for i := 0; i < len(runes); i++ {
		if runes[i] != '\n' {
			continue
		}
		if !blank {
			flush(i)
			start = i + 1
			continue
		}
		// a blank line: this newline, optional spaces, another newline
		j := i + 1
		for j < len(runes) && runes[j] != '\n' && unicode.IsSpace(runes[j]) {
			j++
		}
		if j < len(runes) && runes[j] == '\n' {
			flush(i)
			start = j + 1
			i = j
		}
	}
	flush(len(runes))
	return out
}

// excerpt returns the code point range of the paragraphs around [start,
// end): the paragraphs it touches and one on each side.
func excerpt(text string, start, end int) (from, to int, cutBefore, cutAfter bool) {
	ps := paragraphs(text)
	if len(ps) == 0 {
		return 0, 0, false, false
	}
	first, last := -1, -1
	for i, p := range ps {
		if p[1] > start && first < 0 {
			first = i
		}
		if p[0] < end || (start == end && p[0] <= start) {
			last = i
		}
	}
	if first < 0 {
		first = len(ps) - 1
	}
	if last < first {
		last = first
	}
	first = max(first-1, 0)
	last = min(last+1, len(ps)-1)
	return ps[first][0], ps[last][1], first > 0, last < len(ps)-1
}

// foldRune folds one code point for matching as the stores' quote search
// does: lower case, Latin accents dropped, every quotation mark or
// apostrophe ' or ", every dash -, white space a space. It returns "" for
// runes matching drops (combining marks, zero-width and control
// characters).
func foldRune(r rune) string {
	switch {
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cf, r):
		return ""
	case unicode.IsSpace(r):
		return " "
	case unicode.IsControl(r):
		return ""
	case unicode.Is(unicode.Pd, r) || r == '\u2212':
		return "-"
	}
	switch r {
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u2039', '\u203A', '\u2032', '\u2035', '`', '\u00B4', '\u02BC', '\uFF07':
		return "'"
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB', '\u2033', '\u2036', '\uFF02':
		return `"`
	}
	r = unicode.ToLower(r)
	if r < utf8.RuneSelf {
		return string(r)
	}
	if i := strings.IndexRune(accented, r); i >= 0 {
		return string(accentBase[utf8.RuneCountInString(accented[:i])])
	}
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	}
	return string(r)
}

// accented and accentBase pair the precomposed lower-case Latin letters of
// U+00C0 to U+024F whose canonical decomposition starts with an ASCII
// letter (and đ ħ ŀ ł ø ı) with that letter.
const (
	accented   = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĵķĺļľŀłńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǡǧǩǫǭǰǵǹǻȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳ"
	accentBase = "aaaaaaceeeeiiiinoooooouuuuyyaaaccccddeeeeegggghhiiiiijklllllnnnooorrrssssttuuuuuuwyzzzouaiouuuuuaagkoojgnaaaeeiioorruusthaeooooy"
)

// folded is a text folded for matching, with the code point of the
// original text that each folded byte came from.
type folded struct {
	s    string
	from []int // per byte of s: index of the original code point
}

// foldForMatch folds text for matching, collapsing runs of white space to
// one space.
func foldForMatch(text string) folded {
	var b strings.Builder
	from := make([]int, 0, len(text))
	space := false
	i := 0
	for _, r := range text {
		f := foldRune(r)
		switch {
		case f == "":
		case f == " ":
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
				from = append(from, i)
			}
			space = false
			b.WriteString(f)
			for range len(f) {
				from = append(from, i)
			}
		}
		i++
	}
	return folded{s: b.String(), from: from}
}

// findFolded returns the code point ranges of text where query occurs,
// compared folded (case, accents, spacing and quote marks ignored), at most
// limit of them.
func findFolded(text, query string, limit int) [][2]int {
	q := foldForMatch(query).s
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	f := foldForMatch(text)
	var out [][2]int
	for off := 0; off < len(f.s) && len(out) < limit; {
		i := strings.Index(f.s[off:], q)
		if i < 0 {
			break
		}
		s := off + i
		e := s + len(q)
		out = append(out, [2]int{f.from[s], f.from[e-1] + 1})
		off = e
	}
	return out
}

// highlightMatches renders text with every folded occurrence of any of the
// terms marked as a search hit.
func highlightMatches(text string, terms ...string) template.HTML {
	var ms []mark
	for _, t := range terms {
		for _, r := range findFolded(text, t, 20) {
			ms = append(ms, mark{Start: r[0], End: r[1], Class: "hit"})
		}
	}
	return highlight(text, dropOverlaps(ms))
}

// dropOverlaps keeps the first of any overlapping marks (by start).
func dropOverlaps(ms []mark) []mark {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
	out := ms[:0]
	end := -1
	for _, m := range ms {
		if m.Start >= end {
			out = append(out, m)
			end = m.End
		}
	}
	return out
}

// clipText shortens s to at most n code points, marking a cut with "…".
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// plural returns "1 quote" or "3 quotes".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
