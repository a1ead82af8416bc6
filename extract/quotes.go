package extract

import "strings"

// channel is the medium where words were first said: a post, a statement,
// an interview, a call.
type channel struct {
	kind     string // source kind
	platform string // display name of a social network
	author   *entity
	other    *entity // the other party of a call
	title    string
	saidAt   string
	key      string
}

// quoteOut is one extracted quotation or piece of reported speech.
type quoteOut struct {
	s, e       int // code points
	ta, tb     int // tokens of the words
	mode       string
	spk        *entity
	cue        string
	ch         *channel
	saidAt     string
	reportedBy int // index of the reporting quote, or -1
	certainty  string
	para       int
	sent       int
	seg        int // quotation segment, or -1
	explicit   bool
	headline   bool // a headline quotation whose speaker the body tells
	pending    bool // speaker to be inherited when the paragraph is done
	claim      bool
	key        string
}

type chanKey struct {
	author                *entity
	kind, platform, title string
}

// attrState carries what earlier sentences said about speakers.
type attrState struct {
	lastSpk     *entity
	lastSpkPara int
	lastCh      *channel
	lastCue     string
	lastQuote   int
	channels    []*channel
	chanBy      map[chanKey]*channel
}

func (d *document) words(a, b int) int {
	n := 0
	for k := a; k < b && k < len(d.ts); k++ {
		if d.ts[k].kind == tkWord || d.ts[k].kind == tkNum {
			n++
		}
	}
	return n
}

// extractQuotes runs the attribution pass over every sentence.
func (d *document) extractQuotes(indirect bool) {
	st := &attrState{lastSpkPara: -10, lastQuote: -1}
	d.st = st
	curPara := -1
	paraStart := 0
	segNext := 0
	for si, s := range d.sents {
		if s.para != curPara {
			if curPara >= 0 {
				d.settleParagraph(paraStart, st)
			}
			curPara = s.para
			paraStart = len(d.quotes)
		}
		if s.para == d.datePara || s.skip {
			continue
		}
		cues := d.findCues(s)
		if s.para == d.titlePara {
			if c, ok := d.headlineDash(s); ok {
				cues = append(cues, c)
			}
		}
		if c, ok := d.colonCue(s); ok {
			cues = append([]cue{c}, cues...)
		}
		for ci := range cues {
			d.resolveCue(&cues[ci], st, s)
		}
		used := make([]bool, len(cues))
		// quotations (segments are sorted by their opening mark)
		for segNext < len(d.segs) && d.segs[segNext].open < s.a {
			segNext++
		}
		for gi := segNext; gi < len(d.segs) && d.segs[gi].open < s.b; gi++ {
			g := &d.segs[gi]
			if g.parent >= 0 {
				continue
			}
			if g.e <= g.s {
				continue
			}
			ci, adjacent := d.chooseCue(g, s, cues)
			if ci < 0 && g.open-1 > s.a && d.ts[g.open-1].isP(":") {
				// "Delaney put it bluntly: “...”": the sentence's subject speaks
				if sp, _ := d.sentenceSubject(g.open-1, s.a); sp.found {
					c := cue{kind: ckColon, verb: g.open - 1, spk: sp, fa: s.a, fb: g.open, content: -1, cueText: ":"}
					d.resolveCue(&c, st, s)
					if c.resolved != nil {
						cues = append(cues, c)
						used = append(used, false)
						ci, adjacent = len(cues)-1, true
					}
				}
			}
			headline := s.para == d.titlePara
			if !adjacent && d.notAQuote(g, s, ci, cues) {
				continue
			}
			direct := d.isDirect(g, s, ci, cues, adjacent)
			q := quoteOut{s: g.s, e: g.e, ta: g.open + 1, tb: d.segEndTok(g), para: s.para, sent: si, seg: gi, reportedBy: -1}
			if direct {
				q.mode = "direct"
			} else {
				q.mode = "partial"
			}
			if ci >= 0 {
				c := &cues[ci]
				used[ci] = true
				q.spk, q.cue, q.ch, q.saidAt, q.explicit = c.resolved, c.cueText, c.channel, c.saidAt, true
				if c.kind == ckDash {
					q.explicit = false
				}
			} else {
				if headline && g.open == s.a {
					// a headline that opens with a quotation: “...”: students defy ban
					q.mode = "direct"
					q.headline = true
				} else if headline && d.hasCueWord(s) {
					// "Trump Says Walz Wants To 'Work Together'"
					q.headline = true
				} else if !direct {
					if !d.continuesQuote(g) {
						continue
					}
					q.mode = "direct"
				}
				q.pending = !q.headline
			}
			d.quotes = append(d.quotes, q)
			if q.explicit && q.spk != nil {
				st.lastSpk, st.lastSpkPara = q.spk, s.para
				st.lastCh, st.lastCue = q.ch, q.cue
			}
		}
		if indirect {
			d.indirectSpeech(s, si, cues, used)
		}
		for ci := range cues {
			c := &cues[ci]
			if c.resolved != nil && c.kind != ckParticiple {
				st.lastSpk, st.lastSpkPara = c.resolved, s.para
				if used[ci] {
					st.lastCh, st.lastCue = c.channel, c.cueText
				}
			}
		}
	}
	if curPara >= 0 {
		d.settleParagraph(paraStart, st)
	}
	d.continuedSpeakers()
	d.headlineSpeakers()
	d.nestedSpeech()
}

// segEndTok returns the token after a segment's words.
func (d *document) segEndTok(g *qseg) int {
	if g.close >= 0 {
		return g.close
	}
	return d.paras[g.para].t1
}

// continuedSpeakers gives a quotation left open at the end of its paragraph
// the speaker of its continuation when it had none.
func (d *document) continuedSpeakers() {
	for i := len(d.quotes) - 1; i >= 0; i-- {
		q := &d.quotes[i]
		if q.spk != nil || q.seg < 0 || d.segs[q.seg].close >= 0 {
			continue
		}
		p := q.para
		if p+1 >= len(d.paras) || !d.paras[p+1].startsOpen {
			continue
		}
		for j := i + 1; j < len(d.quotes); j++ {
			if d.quotes[j].para == p+1 && d.quotes[j].seg >= 0 {
				n := &d.quotes[j]
				q.spk, q.cue, q.ch, q.saidAt = n.spk, n.cue, n.ch, n.saidAt
				break
			}
			if d.quotes[j].para > p+1 {
				break
			}
		}
	}
}

// hasCueWord reports a reporting verb anywhere in sentence s.
func (d *document) hasCueWord(s sentence) bool {
	for k := s.a; k < s.b; k++ {
		if !d.inside(k) && d.ts[k].kind == tkWord && d.ts[k].has(wcCueClause) {
			return true
		}
	}
	return false
}

// headlineSpeakers gives a headline quotation the speaker of the same words
// in the body, when it has none of its own.
func (d *document) headlineSpeakers() {
	for i := range d.quotes {
		q := &d.quotes[i]
		if q.para != d.titlePara || q.spk != nil {
			continue
		}
		words := foldKey(string(d.rs[q.s:q.e]))
		for j := range d.quotes {
			b := &d.quotes[j]
			if b.para == d.titlePara || b.spk == nil {
				continue
			}
			if strings.Contains(foldKey(string(d.rs[b.s:b.e])), words) {
				q.spk, q.cue, q.ch, q.saidAt = b.spk, b.cue, b.ch, b.saidAt
				break
			}
		}
	}
}

// continuesQuote reports whether a quotation with no cue of its own is
// still a quotation: a whole paragraph, or a whole sentence, of quoted words.
func (d *document) continuesQuote(g *qseg) bool {
	s := d.sents[d.sentOf[g.open]]
	end := d.segEndTok(g)
	before := g.open == s.a
	after := true
	for k := end + 1; k < s.b; k++ {
		if !terminal(&d.ts[k]) {
			after = false
			break
		}
	}
	return before && after && d.words(g.open, end) >= 3
}

// settleParagraph gives the quotations of a finished paragraph that had no
// cue the speaker of their neighbours.
func (d *document) settleParagraph(from int, st *attrState) {
	qs := d.quotes[from:]
	for i := range qs {
		q := &qs[i]
		if !q.pending {
			continue
		}
		q.pending = false
		// an earlier quotation of the same paragraph
		found := false
		for k := i - 1; k >= 0 && k >= i-20; k-- {
			if qs[k].spk != nil && qs[k].reportedBy < 0 {
				q.spk, q.cue, q.ch, q.saidAt = qs[k].spk, qs[k].cue, qs[k].ch, qs[k].saidAt
				found = true
				break
			}
		}
		if !found {
			for k := i + 1; k < len(qs) && k <= i+20; k++ {
				if qs[k].explicit && qs[k].spk != nil && qs[k].mode == "direct" {
					q.spk, q.cue, q.ch, q.saidAt = qs[k].spk, qs[k].cue, qs[k].ch, qs[k].saidAt
					found = true
					break
				}
			}
		}
		if !found {
			p := q.para
			cont := p > 0 && d.paras[p-1].openAtEnd && d.paras[p].startsOpen
			intro := d.introducedBefore(p)
			switch {
			case cont && from > 0:
				prev := &d.quotes[from-1]
				q.spk, q.cue, q.ch, q.saidAt = prev.spk, prev.cue, prev.ch, prev.saidAt
			case intro != nil:
				// "Maria Lopez, 34, has lived here for years." then “I love it here.”
				q.spk = intro
			case st.lastSpk != nil && p-st.lastSpkPara <= 2:
				q.spk = st.lastSpk
				if p-st.lastSpkPara <= 1 {
					q.cue = st.lastCue
				}
			default:
				q.spk = d.lastPersonBefore(q.ta, p-1)
			}
		}
		if q.spk != nil {
			st.lastSpk, st.lastSpkPara = q.spk, q.para
		}
	}
}

// introducedBefore returns the person a paragraph without quotations just
// before paragraph p introduces as the subject of its last sentence, when
// that person has not spoken yet: the speaker of a following quotation
// that has no cue.
func (d *document) introducedBefore(p int) *entity {
	if p < 1 || p-1 == d.titlePara || p-1 == d.datePara {
		return nil
	}
	prev := &d.paras[p-1]
	for _, q := range d.quotes {
		if q.para == p-1 {
			return nil
		}
	}
	var who *entity
	for _, m := range d.mentionsBefore(prev.t1) {
		if m.a < prev.t0 || m.ent.kind != entPerson || d.inside(m.a) || !d.subjectPlace(m.a) {
			continue
		}
		who = m.ent
	}
	if who == nil {
		return nil
	}
	for _, q := range d.quotes {
		if q.spk == who && q.para < p {
			return nil // a known speaker: the usual rules apply
		}
	}
	return who
}

// lastPersonBefore returns the last person mentioned before token i in a
// paragraph not before p.
func (d *document) lastPersonBefore(i, p int) *entity {
	var best *entity
	for _, m := range d.mentionsBefore(i) {
		if m.ent.kind == entPerson && d.ts[m.a].para >= p && !d.inside(m.a) {
			best = m.ent
		}
	}
	return best
}

// chooseCue picks the cue of a quotation. adjacent reports a cue right
// before or after the marks ("X said: “...”", "“...,” X said").
func (d *document) chooseCue(g *qseg, s sentence, cues []cue) (int, bool) {
	if len(cues) == 0 {
		return -1, false
	}
	end := d.segEndTok(g)
	// after: “...,” X said / “...” said X
	k := end + 1
	for k < s.b && (d.ts[k].isP(",") || d.ts[k].isP("—") || d.ts[k].isP("–")) {
		k++
	}
	after := -1
	for ci := range cues {
		c := &cues[ci]
		if c.kind == ckDash || c.kind == ckColon {
			continue
		}
		if k < s.b && c.fa == k {
			after = ci
			break
		}
	}
	startsSentence := true
	for j := s.a; j < g.open; j++ {
		if d.ts[j].kind == tkWord || d.ts[j].kind == tkNum {
			startsSentence = false
			break
		}
	}
	if after >= 0 && startsSentence {
		return after, true
	}
	// before: X said: “...” / X said, “...” / X said that “...”
	best := -1
	for ci := range cues {
		c := &cues[ci]
		if c.verb >= g.open || c.kind == ckParticiple {
			continue
		}
		if c.kind == ckColon {
			best = ci
			continue
		}
		gap := 0
		ok := true
		for j := c.verb + 1; j < g.open; j++ {
			t := &d.ts[j]
			if d.inside(j) || terminal(t) || (t.kind == tkWord && t.has(wcCue) && j != c.verb) {
				ok = false
				break
			}
			gap++
		}
		if ok && gap <= 14 {
			best = ci
		}
	}
	if best < 0 && after >= 0 {
		return after, true
	}
	if best >= 0 {
		c := &cues[best]
		prev := g.open - 1
		adj := prev > c.verb && (d.ts[prev].isP(":") || d.ts[prev].isP(",") || d.ts[prev].lw == "that") || prev == c.fb-1 || c.kind == ckColon
		if c.kind == ckColon {
			adj = true
		}
		return best, adj
	}
	for ci := range cues {
		if cues[ci].kind == ckDash {
			return ci, false
		}
	}
	// elsewhere in the sentence: the nearest cue before, else after
	near, dist := -1, 1<<30
	for ci := range cues {
		c := &cues[ci]
		var dd int
		if c.verb < g.open {
			dd = g.open - c.verb
		} else {
			dd = c.verb - end + 5
		}
		if c.kind == ckParticiple {
			continue
		}
		if dd < dist {
			near, dist = ci, dd
		}
	}
	return near, false
}

// isDirect decides between a direct quotation (a whole utterance) and a
// partial one (words inside the reporter's sentence).
func (d *document) isDirect(g *qseg, s sentence, ci int, cues []cue, adjacent bool) bool {
	if r := d.rs[g.s]; isLetter(r) && !isUpper(r) {
		return false
	}
	end := d.segEndTok(g)
	before := g.open == s.a
	if !before && ci >= 0 && adjacent {
		c := &cues[ci]
		prev := g.open - 1
		if c.verb < g.open && (d.ts[prev].isP(":") || d.ts[prev].isP(",") || c.kind == ckColon) {
			before = true
		}
	}
	if !before {
		// only a paragraph-opening bracket or dash before it
		before = true
		for k := s.a; k < g.open; k++ {
			t := &d.ts[k]
			if !(t.kind == tkPunct || (t.kind == tkMark && t.role != roleOpen)) {
				before = false
				break
			}
		}
	}
	if !before {
		return false
	}
	k := end + 1
	if g.close < 0 {
		return true
	}
	for k < s.b && (terminal(&d.ts[k]) || d.ts[k].isP(",") || d.ts[k].isP(")")) {
		k++
	}
	if k >= s.b {
		return true
	}
	if ci >= 0 && adjacent && cues[ci].verb > g.open {
		return true
	}
	// “...,” X said, “...”: the next quotation follows a frame
	for ci2 := range cues {
		if cues[ci2].fa == k {
			return true
		}
	}
	// “...,” said someone the text does not name
	if d.ts[k].kind == tkWord && d.ts[k].has(wcCue) || d.attributionAhead(k, s.b) {
		return true
	}
	// inside the quotation a full stop or question ends it: “...?” she asked
	return false
}

// notAQuote reports quoted words that are titles, words used as words or
// scare quotes rather than someone's words.
func (d *document) notAQuote(g *qseg, s sentence, ci int, cues []cue) bool {
	end := d.segEndTok(g)
	nw := d.words(g.open+1, end)
	if nw == 0 {
		return true
	}
	// words used as words, names of things
	for k := g.open - 1; k >= s.a && k >= g.open-3; k-- {
		t := &d.ts[k]
		if t.kind != tkWord {
			continue
		}
		switch t.lw {
		case "word", "words", "term", "terms", "phrase", "phrases", "slogan", "slogans", "hashtag", "label",
			"nickname", "so-called", "dubbed", "titled", "entitled", "headlined", "named", "nicknamed",
			"motto", "catchphrase", "banner", "song", "book", "film", "movie", "album", "show", "series",
			"documentary", "novel", "play", "poem", "column", "podcast", "headline", "sign", "signs", "read",
			"reading", "reads", "chanting", "chanted", "placards", "operation", "codenamed", "branded":
			if t.lw == "branded" && ci >= 0 && cues[ci].resolved != nil {
				continue
			}
			return true
		case "as":
			if k-1 >= s.a && d.ts[k-1].lw == "known" {
				return true
			}
		case "called":
			// "a group called “...”": naming, not speech, when no speaker calls it
			if k-1 >= s.a && d.ts[k-1].kind == tkWord && !d.ts[k-1].is(fCap) && !d.ts[k-1].has(wcSubjPron) && d.mentionEnding(k-1) == nil && !d.ts[k-1].has(wcAdverb) {
				if d.ts[k-1].has(wcGroupNominal | wcOrgNominal | wcTitle) {
					continue
				}
				return true
			}
		}
	}
	// titles of works: most words capitalised and no sentence punctuation
	// (not in a headline written in title case, where every word is)
	if nw >= 2 && !(s.para == d.titlePara && d.titleCase(s.para)) {
		caps, words := 0, 0
		for k := g.open + 1; k < end; k++ {
			t := &d.ts[k]
			if t.kind != tkWord {
				continue
			}
			if t.has(wcConnector) || t.lw == "a" || t.lw == "an" || t.lw == "to" || t.lw == "in" || t.lw == "on" || t.lw == "is" {
				continue
			}
			words++
			if t.is(fCap) {
				caps++
			}
		}
		last := d.rs[g.e-1]
		if words >= 2 && caps == words && last != '!' && last != '?' && last != '.' {
			return true
		}
	}
	if ci < 0 {
		return false // decided by the caller: whole sentences survive
	}
	return false
}

// colonCue finds "X: “...”" at the start of a sentence (headlines, captions).
func (d *document) colonCue(s sentence) (cue, bool) {
	for k := s.a; k < s.b && k < s.a+6; k++ {
		t := &d.ts[k]
		if !t.isP(":") {
			continue
		}
		if k+1 >= s.b || d.ts[k+1].kind != tkMark || d.ts[k+1].role != roleOpen {
			return cue{}, false
		}
		m := d.mentionEnding(k - 1)
		if m == nil || m.a < s.a {
			return cue{}, false
		}
		for j := s.a; j < m.a; j++ {
			if d.ts[j].kind == tkWord && !d.ts[j].has(wcTitle|wcRoleMod|wcDet) {
				return cue{}, false
			}
		}
		return cue{kind: ckColon, verb: k, spk: speakerRef{a: m.a, b: m.b, ent: m.ent, found: true}, fa: s.a, fb: k + 1, content: -1, cueText: ":"}, true
	}
	return cue{}, false
}

// headlineDash finds "... – Trump" at the end of a headline.
func (d *document) headlineDash(s sentence) (cue, bool) {
	b := s.b
	for b > s.a && (terminal(&d.ts[b-1])) {
		b--
	}
	m := d.mentionEnding(b - 1)
	if m == nil || m.a-1 <= s.a {
		return cue{}, false
	}
	k := m.a - 1
	for k > s.a && d.ts[k].kind == tkWord && d.ts[k].has(wcTitle|wcRoleMod|wcDet) {
		k--
	}
	t := &d.ts[k]
	if t.kind == tkPunct && (t.w == "–" || t.w == "—" || t.w == "-" || t.w == ":") {
		return cue{kind: ckDash, verb: k, spk: speakerRef{a: m.a, b: m.b, ent: m.ent, found: true}, fa: k, fb: b, content: -1, cueText: t.w}, true
	}
	return cue{}, false
}

// resolveCue turns a cue's speaker into an entity and reads its channel and
// date.
func (d *document) resolveCue(c *cue, st *attrState, s sentence) {
	sp := &c.spk
	switch {
	case c.kind == ckParticiple:
		c.resolved = nil
	case sp.ent != nil:
		c.resolved = sp.ent
	case sp.pron != "":
		c.resolved = d.resolvePronoun(sp.pron, sp.a, st)
	case sp.nominal != "":
		c.resolved = d.resolveNominal(sp, st)
	}
	d.readFrame(c, s, st)
}

// resolvePronoun returns the speaker a pronoun refers to.
func (d *document) resolvePronoun(p string, at int, st *attrState) *entity {
	para := d.ts[at].para
	switch p {
	case "he", "she":
		want := genderMale
		if p == "she" {
			want = genderFemale
		}
		ok := func(e *entity) bool {
			return e != nil && e.kind == entPerson && (e.gender == genderUnknown || e.gender == want)
		}
		// the latest compatible person in a subject place or the last speaker
		var cand *entity
		candAt := -1
		for _, m := range d.mentionsBefore(at) {
			if d.ts[m.a].para < para-2 || d.inside(m.a) {
				continue
			}
			if ok(m.ent) && (d.subjectPlace(m.a) || m.ent == st.lastSpk) {
				cand, candAt = m.ent, m.a
			}
		}
		_ = candAt
		if cand == nil && ok(st.lastSpk) && para-st.lastSpkPara <= 3 {
			cand = st.lastSpk
		}
		if cand != nil && cand.gender == genderUnknown {
			cand.gender = want
		}
		return cand
	case "it", "they":
		if st.lastSpk != nil && st.lastSpk.kind == entOrg && para-st.lastSpkPara <= 3 {
			return st.lastSpk
		}
		var cand *entity
		for _, m := range d.mentionsBefore(at) {
			if m.ent.kind == entOrg && d.ts[m.a].para >= para-1 {
				cand = m.ent
			}
		}
		return cand
	}
	return nil
}

// subjectPlace reports whether a mention at token a stands where a subject
// stands: at the start of its sentence or clause.
func (d *document) subjectPlace(a int) bool {
	s := d.sents[d.sentOf[a]]
	k := a - 1
	for k >= s.a {
		t := &d.ts[k]
		if t.kind == tkWord && (t.has(wcTitle|wcRoleMod|wcDet) || t.is(fCap) && d.mentionEnding(k) == nil) {
			k--
			continue
		}
		break
	}
	if k < s.a {
		return true
	}
	t := &d.ts[k]
	return t.isP(",") || t.lw == "and" || t.lw == "but" || t.lw == "while" || t.lw == "when" || t.lw == "after" || t.lw == "as" || t.lw == "that" || (t.kind == tkMark && t.role == roleClose)
}

// resolveNominal resolves "the ministry", "the governor", "the letter".
func (d *document) resolveNominal(sp *speakerRef, st *attrState) *entity {
	h := sp.nominal
	switch {
	case sp.docKind != "":
		for i := len(st.channels) - 1; i >= 0; i-- {
			if st.channels[i].kind == sp.docKind && st.channels[i].author != nil {
				return st.channels[i].author
			}
		}
		var best *entity
		for _, da := range d.docAuthors {
			if da.tok < sp.a && da.noun == sp.nominal {
				best = da.ent
			}
		}
		return best
	case d.nominals[h] != nil && !(sp.a < len(d.ts) && (d.ts[sp.a].lw == "a" || d.ts[sp.a].lw == "an")):
		return d.nominals[h]
	case lex.has(h, wcOrgNominal) && !lex.has(h, wcTitle):
		if e := d.orgByNominal(h, sp.a); e != nil {
			return e
		}
		if h == "police" || h == "government" || h == "military" || h == "army" {
			// "Minneapolis police": a place before the noun names the body
			for k := sp.a; k < sp.b; k++ {
				if d.ts[k].is(fCap) && d.ts[k].kind == tkWord && !d.ts[k].has(wcStop) {
					name := joinToks(d.ts, k, sp.b)
					e := d.reg.add(entOrg, name, d.ts[k].s)
					if e.orgKind == "" {
						e.orgKind = "government"
					}
					return e
				}
			}
		}
		return nil
	case lex.has(h, wcTitle):
		if sp.a < len(d.ts) && (d.ts[sp.a].lw == "a" || d.ts[sp.a].lw == "an" || d.ts[sp.a].lw == "one") {
			switch h {
			case "spokesman", "spokeswoman", "spokesperson", "representative", "official":
				// "a spokesperson added": the organisation that was speaking
				if st.lastSpk != nil && st.lastSpk.kind == entOrg && d.ts[sp.a].para-st.lastSpkPara <= 1 {
					return st.lastSpk
				}
			}
			return nil
		}
		if e := d.personByRole(h, sp.a); e != nil {
			return e
		}
		if sp.a < len(d.ts) && d.ts[sp.a].para == d.titlePara {
			// a headline names a role the body spells out: "Senator says ..."
			for _, m := range d.reg.mentions {
				e := m.ent
				if e.kind == entPerson && strings.Contains(" "+strings.ToLower(e.desc)+" ", " "+h+" ") {
					return e
				}
			}
		}
		return nil
	}
	return nil
}

// readFrame reads the channel and date words of a cue's frame.
func (d *document) readFrame(c *cue, s sentence, st *attrState) {
	a := c.fa
	b := c.fb
	// the words after the verb up to the reported words
	for b < s.b && b < c.fb+12 {
		t := &d.ts[b]
		if d.inside(b) || terminal(t) || t.isP(":") || t.lw == "that" || t.kind == tkMark {
			break
		}
		if t.kind == tkWord && t.has(wcCue) && b != c.verb {
			break
		}
		b++
	}
	var ch *channel
	for k := a; k < b; k++ {
		t := &d.ts[k]
		if t.kind != tkWord && !(t.kind == tkPunct && t.w == "-") {
			continue
		}
		w := t.lw
		switch {
		case lex.has(w, wcWeekday) || w == "yesterday" || w == "today" || w == "tonight":
			if c.saidAt == "" {
				c.saidAt = d.pub.relative(w)
			}
		case w == "truth" && k+1 < b && d.ts[k+1].lw == "social":
			ch = mkChan(ch, "social_post", "Truth Social")
		case lex.has(w, wcPlatform) && w != "truth" && w != "threads" && (w != "x" || (k > a && d.ts[k-1].lw == "on")):
			ch = mkChan(ch, "social_post", platformNames[w])
		case w == "tweeted" || w == "tweet" || w == "tweets":
			ch = mkChan(ch, "social_post", "Twitter")
		case w == "posted" || w == "post" || w == "posts" || w == "wrote" && ch != nil:
			ch = mkChan(ch, "social_post", "")
		case w == "statement":
			ch = mkChan(ch, "statement", "")
		case w == "release" && k > a && (d.ts[k-1].lw == "press" || d.ts[k-1].lw == "news"):
			ch = mkChan(ch, "press_release", "")
		case w == "interview":
			ch = mkChan(ch, "interview", "")
		case w == "letter" || w == "op-ed" || w == "memo" || w == "email":
			ch = mkChan(ch, "other", "")
			ch.title = w
		case w == "report" && k > a && d.ts[k-1].has(wcDet):
			ch = mkChan(ch, "report", "")
		case w == "phone" || (w == "call" && k > a && d.ts[k-1].has(wcDet)):
			ch = mkChan(ch, "call", "")
		}
	}
	if c.spk.docKind != "" && ch == nil {
		ch = &channel{kind: c.spk.docKind}
		if ch.kind == "other" && c.spk.nominal != "" {
			ch.title = c.spk.nominal
		}
	}
	if ch == nil {
		return
	}
	ch.author = c.resolved
	ch.saidAt = c.saidAt
	// one channel per author, kind and platform
	k := chanKey{ch.author, ch.kind, ch.platform, ch.title}
	if x := st.chanBy[k]; x != nil {
		c.channel = x
		return
	}
	if st.chanBy == nil {
		st.chanBy = map[chanKey]*channel{}
	}
	st.chanBy[k] = ch
	st.channels = append(st.channels, ch)
	c.channel = ch
}

func mkChan(ch *channel, kind, platform string) *channel {
	if ch == nil {
		return &channel{kind: kind, platform: platform}
	}
	if ch.kind == "social_post" && kind == "social_post" && ch.platform == "" {
		ch.platform = platform
	}
	if ch.kind != "social_post" && kind == "social_post" {
		ch.kind, ch.platform = kind, platform
	}
	return ch
}
