package extract

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// qseg is a pair of quotation marks: tokens open and close (close is -1
// when the quotation runs to the end of its paragraph).
type qseg struct {
	open, close int
	fam         uint8
	parent      int // enclosing segment, or -1
	para        int
	s, e        int // code points of the words between the marks
}

// sentence is a range of tokens [a, b) in one paragraph.
type sentence struct {
	a, b int
	para int
	skip bool // a wire dateline: no quotes or figures
}

// docAuthor records who a document the text introduces comes from: "a
// letter sent by 14 regional health directors".
type docAuthor struct {
	noun string
	tok  int
	ent  *entity
}

// document is the working state of one extraction.
type document struct {
	text      string
	rs        []rune
	ts        []tok
	paras     []para
	segs      []qseg
	top       []int32 // per token: top-level segment containing it (marks included), or -1
	sents     []sentence
	sentOf    []int32 // per token: sentence index
	reg       *registry
	pub       dateInfo // publication date, when known
	title     string
	titlePara int                  // paragraph index of the headline, or -1
	datePara  int                  // paragraph index of the dateline, or -1
	mStart    []int32              // per token: 1 + index of the mention starting there, or 0
	mEnd      []int32              // per token: 1 + index of the mention ending there, or 0
	covered   []bool               // per token: inside a mention
	byWord    map[string][]*entity // people by surname and given name, built once the names are known
	nominals  map[string]*entity   // common nouns that stand for an entity ("union" -> Aviators United)
	quotes    []quoteOut
	figures   []figureOut
	st        *attrState
	// docAuthors are the authors of documents the text introduces.
	docAuthors []docAuthor
	bySent     map[int][]int // quotes by sentence, built after the quotes are final
	agency     string        // the news agency of a wire dateline
}

func newDocument(text string) *document {
	d := &document{text: text, rs: []rune(text), titlePara: -1, datePara: -1}
	pr := splitParagraphs(d.rs)
	d.ts = make([]tok, 0, len(d.rs)/4+16)
	rp, bp := 0, 0 // a code point index and its byte offset
	for i, r := range pr {
		for rp < r[0] {
			bp += utf8.RuneLen(d.rs[rp])
			rp++
		}
		p := para{s: r[0], e: r[1], t0: len(d.ts), contFrom: -1}
		d.ts = tokenize(text, bp, d.rs, r[0], r[1], i, d.ts)
		p.t1 = len(d.ts)
		d.paras = append(d.paras, p)
	}
	d.pairMarks()
	d.splitSentences()
	return d
}

// prevRune and nextRune return the runes around token t (0 at the edges of
// its paragraph).
func (d *document) prevRune(t *tok) rune {
	p := &d.paras[t.para]
	if t.s <= p.s {
		return 0
	}
	return d.rs[t.s-1]
}

func (d *document) nextRune(t *tok) rune {
	p := &d.paras[t.para]
	if t.e >= p.e {
		return 0
	}
	return d.rs[t.e]
}

func opensContext(r rune) bool {
	if r == 0 || unicode.IsSpace(r) {
		return true
	}
	switch r {
	case '(', '[', '{', '<', '—', '–', '-', '/', '“', '‘', '«', '‹', '„', '‚', '"', '\'', ':':
		return true
	}
	return false
}

func closesContext(r rune) bool {
	if r == 0 || unicode.IsSpace(r) {
		return true
	}
	switch r {
	case '.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '—', '–', '-', '/', '…', '”', '’', '»', '›', '"', '\'':
		return true
	}
	return false
}

// pairMarks decides the role of every quotation mark and records the pairs.
func (d *document) pairMarks() {
	for pi := range d.paras {
		p := &d.paras[pi]
		var stack []int // token indices of open marks
		for i := p.t0; i < p.t1; i++ {
			t := &d.ts[i]
			if t.kind != tkMark {
				continue
			}
			pr, nr := d.prevRune(t), d.nextRune(t)
			oc, cc := opensContext(pr), closesContext(nr)
			role := roleNone
			switch {
			case oc && !cc:
				role = roleOpen
			case !oc && cc:
				role = roleClose
			case oc && cc:
				role = t.lean
				if role == roleNone && nr != 0 && !unicode.IsSpace(nr) {
					role = roleOpen
				}
			default: // between letters or digits
				if t.fam == famSingle {
					role = roleApos
				} else {
					role = t.lean
				}
			}
			// a glyph that leans the other way than its context still
			// follows the context (mixed pairs, „low-high“ quotes)
			if role == roleNone {
				t.role = roleNone
				continue
			}
			if role == roleApos {
				t.role = roleApos
				continue
			}
			if role == roleClose {
				found := -1
				for k := len(stack) - 1; k >= 0; k-- {
					if d.ts[stack[k]].fam == t.fam {
						found = k
						break
					}
				}
				if found < 0 {
					if t.fam == famSingle {
						t.role = roleApos
					} else if len(stack) == 0 && t.lean == roleOpen && !unicode.IsSpace(nr) {
						t.role = roleOpen
						stack = append(stack, i)
					}
					continue
				}
				// single-quote candidates inside an open single that follow
				// an s and precede a lower-case word are possessives
				if t.fam == famSingle && pr == 's' && i+1 < p.t1 && d.ts[i+1].kind == tkWord && !d.ts[i+1].is(fCap) && i+2 < p.t1 && !closesSoon(d.ts, i+1, p.t1, famSingle) {
					t.role = roleApos
					continue
				}
				for k := len(stack) - 1; k > found; k-- {
					o := &d.ts[stack[k]]
					if o.fam == famSingle {
						o.role = roleApos
					} else {
						o.role = roleNone
					}
				}
				o := stack[found]
				d.ts[o].role = roleOpen
				t.role = roleClose
				stack = stack[:found]
				d.segs = append(d.segs, qseg{open: o, close: i, fam: t.fam, parent: -1, para: pi})
				continue
			}
			// open
			if t.fam == famSingle && pr != 0 && isLetter(pr) {
				t.role = roleApos
				continue
			}
			t.role = roleOpen
			stack = append(stack, i)
		}
		// what is still open at the paragraph's end
		for k, o := range stack {
			ot := &d.ts[o]
			if k == 0 && ot.fam == famDouble {
				ot.role = roleOpen
				p.openAtEnd = true
				d.segs = append(d.segs, qseg{open: o, close: -1, fam: famDouble, parent: -1, para: pi})
				continue
			}
			if ot.fam == famSingle {
				ot.role = roleApos
			} else {
				ot.role = roleNone
			}
		}
		if p.t0 < p.t1 && d.ts[p.t0].kind == tkMark && d.ts[p.t0].role == roleOpen && d.ts[p.t0].fam == famDouble {
			p.startsOpen = true
		}
	}
	sortSegs(d.segs)
	// parents, spans and per-token maps
	d.top = make([]int32, len(d.ts))
	for i := range d.top {
		d.top[i] = -1
	}
	segEnd := func(g *qseg) int {
		if g.close < 0 {
			return d.paras[g.para].t1
		}
		return g.close
	}
	var stack []int // enclosing segments, innermost last
	for si := range d.segs {
		g := &d.segs[si]
		end := segEnd(g)
		for len(stack) > 0 {
			h := &d.segs[stack[len(stack)-1]]
			if h.para == g.para && h.open < g.open && segEnd(h) > end-1 {
				break
			}
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			g.parent = stack[len(stack)-1]
		}
		stack = append(stack, si)
		if g.parent < 0 {
			for k := g.open; k <= end && k < d.paras[g.para].t1; k++ {
				d.top[k] = int32(si)
			}
		}
		g.s, g.e = d.segSpan(g)
	}
}

// closesSoon reports whether a mark of family fam closes within a few words
// after token i, which makes an earlier s’ a closing mark less likely.
func closesSoon(ts []tok, i, end int, fam uint8) bool {
	for k := i; k < end && k < i+12; k++ {
		if ts[k].kind == tkMark && ts[k].fam == fam {
			return true
		}
	}
	return false
}

func sortSegs(s []qseg) {
	sort.SliceStable(s, func(i, j int) bool { return s[i].open < s[j].open })
}

// segSpan returns the code points of a segment's words: the marks left out,
// and white space and a closing comma, full stop, colon or semicolon
// trimmed.
func (d *document) segSpan(g *qseg) (int, int) {
	s := d.ts[g.open].e
	var e int
	if g.close >= 0 {
		e = d.ts[g.close].s
	} else {
		e = d.paras[g.para].e
	}
	return trimQuote(d.rs, s, e)
}

// trimQuote trims white space, and a closing comma, full stop, colon or
// semicolon (not an ellipsis), from [s, e).
func trimQuote(rs []rune, s, e int) (int, int) {
	for s < e && unicode.IsSpace(rs[s]) {
		s++
	}
	for e > s && unicode.IsSpace(rs[e-1]) {
		e--
	}
	if e > s {
		switch rs[e-1] {
		case ',', ';', ':':
			e--
		case '.':
			if !(e-2 >= s && rs[e-2] == '.') {
				e--
			}
		}
	}
	for e > s && unicode.IsSpace(rs[e-1]) {
		e--
	}
	return s, e
}

// terminal reports whether token t ends a sentence by its punctuation.
func terminal(t *tok) bool {
	if t.kind != tkPunct {
		return false
	}
	switch t.w {
	case ".", "!", "?", "…":
		return true
	}
	return false
}

// maxSentenceTokens is the longest sentence, in tokens, outside a quotation.
const maxSentenceTokens = 300

// splitSentences splits every paragraph into sentences, keeping each
// quotation whole.
func (d *document) splitSentences() {
	d.sentOf = make([]int32, len(d.ts))
	for pi := range d.paras {
		p := &d.paras[pi]
		a := p.t0
		for i := p.t0; i < p.t1; i++ {
			t := &d.ts[i]
			end := false
			inTop := d.top[i] >= 0 && !(t.kind == tkMark && t.role == roleClose && d.segs[d.top[i]].close == i)
			switch {
			case inTop:
				// a quotation never ends a sentence from inside
			case t.kind == tkMark && t.role == roleClose && d.top[i] >= 0:
				if i > p.t0 && terminal(&d.ts[i-1]) && i+1 < p.t1 && d.startsSentence(i+1, p.t1) && (d.ts[i-1].w == "." || !d.attributionAhead(i+1, p.t1)) {
					end = true
				}
			case terminal(t):
				if i+1 >= p.t1 {
					break
				}
				if t.w == "." && i > p.t0 && d.abbrevBefore(i) {
					break
				}
				if d.startsSentence(i+1, p.t1) {
					end = true
				}
			case t.kind == tkWord && i+1 < p.t1 && len(t.w) > 2 && t.w[len(t.w)-1] == '.':
				// a dotted abbreviation that also ends a sentence: "in the U.S. The ..."
				n := &d.ts[i+1]
				if n.kind == tkWord && n.is(fCap) && n.has(wcStop) {
					end = true
				}
			}
			// a run-on "sentence" is cut, which keeps the work per sentence bounded
			if !end && i+1-a >= maxSentenceTokens && (!inTop || i+1-a >= 4*maxSentenceTokens) {
				end = true
			}
			if end {
				d.sents = append(d.sents, sentence{a: a, b: i + 1, para: pi})
				a = i + 1
			}
		}
		if a < p.t1 {
			d.sents = append(d.sents, sentence{a: a, b: p.t1, para: pi})
		}
	}
	for si, s := range d.sents {
		for k := s.a; k < s.b; k++ {
			d.sentOf[k] = int32(si)
		}
	}
}

// abbrevBefore reports whether the full stop at token i ends an
// abbreviation or an initial rather than a sentence.
func (d *document) abbrevBefore(i int) bool {
	prev := &d.ts[i-1]
	if prev.kind != tkWord || prev.e != d.ts[i].s {
		return false
	}
	if len([]rune(prev.w)) == 1 && prev.is(fCap) {
		return true // an initial: John F. Kennedy
	}
	if prev.has(wcAbbrev) {
		// "Jan." before a number, "Mr." before a name
		if i+1 < len(d.ts) {
			n := &d.ts[i+1]
			if prev.has(wcMonth) {
				return n.kind == tkNum
			}
			if n.kind == tkWord && n.is(fCap) && n.has(wcStop) && !prev.has(wcTitle) {
				return false
			}
		}
		return true
	}
	return false
}

// startsSentence reports whether token i can start a sentence.
func (d *document) startsSentence(i, end int) bool {
	if i >= end {
		return true
	}
	t := &d.ts[i]
	switch t.kind {
	case tkWord:
		return t.is(fCap)
	case tkNum:
		return true
	case tkMark:
		return t.role == roleOpen
	case tkPunct:
		return t.w == "(" || t.w == "[" || t.w == "—" || t.w == "–" || t.w == "-"
	}
	return false
}

// attributionAhead reports whether the tokens from i begin an attribution
// ("Smith said", "said Smith") that belongs to the quotation before.
func (d *document) attributionAhead(i, end int) bool {
	for k := i; k < end && k < i+8; k++ {
		t := &d.ts[k]
		if t.kind == tkWord && t.has(wcCue) {
			return true
		}
		if t.kind == tkWord && t.lw == "according" {
			return true
		}
		if t.kind == tkPunct || t.kind == tkMark || t.kind == tkNum {
			return false
		}
		if t.kind == tkWord && !t.is(fCap) && !t.has(wcSubjPron|wcTitle|wcRoleMod|wcAdverb|wcConnector|wcDet|wcOrgNominal|wcGroupNominal) {
			return false
		}
	}
	return false
}
