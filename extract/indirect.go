package extract

import "strings"

// objectPronoun reports me, us, him, her, them, you.
func objectPronoun(w string) bool {
	switch w {
	case "me", "us", "him", "her", "them", "you", "it":
		return true
	}
	return false
}

// takesObject reports verbs whose hearer comes before the reported words.
func takesObject(w string) bool {
	switch w {
	case "told", "tells", "tell", "informed", "informs", "assured", "assures", "reminded", "reminds",
		"warned", "warns", "asked", "asks", "showed", "shows", "promised", "promises", "urged", "urges":
		return true
	}
	return false
}

// adverbialStart reports words that open a phrase between a verb and its
// reported clause ("said on Monday", "told reporters in a statement").
func adverbialStart(w string) bool {
	switch w {
	case "on", "in", "at", "during", "via", "over", "to", "from", "after", "late", "early", "earlier",
		"last", "this", "by", "through", "before", "again", "also", "later", "repeatedly", "publicly",
		"privately", "previously", "separately", "recently", "then", "however", "too", "yesterday", "today",
		"tonight", "once", "twice", "flatly", "firmly", "bluntly", "simply", "only", "even", "further":
		return true
	}
	return false
}

// phraseWord reports words that may continue an adverbial phrase.
func phraseWord(t *tok) bool {
	if t.kind != tkWord {
		return false
	}
	if t.is(fCap) || possessive(t) || t.has(wcDet|wcWeekday|wcMonth|wcTimeUnit|wcDocument|wcPlatform) || isAdjective(t.lw) {
		return true
	}
	switch t.lw {
	case "reporters", "journalists", "interview", "conference", "news", "press", "briefing", "account", "call",
		"phone", "speech", "rally", "hearing", "meeting", "video", "remarks", "morning", "afternoon",
		"evening", "night", "weekend", "media", "social", "television", "radio", "broadcast", "appearance",
		"session", "summit", "event", "visit", "trip", "debate", "podcast", "program", "programme", "show",
		"court", "parliament", "congress", "senate", "lawmakers", "supporters", "members", "audience",
		"crowd", "site", "website", "page", "channel", "feed", "networking", "platform", "address",
		"with", "of", "and", "for", "local", "televised", "written", "joint", "brief", "emailed", "separate",
		"earlier", "later", "week", "month", "year", "day", "days", "ago":
		return true
	}
	return false
}

// clauseStart reports whether token i can open a reported clause.
func (d *document) clauseStart(i, end int) bool {
	if i >= end || d.inside(i) {
		return false
	}
	t := &d.ts[i]
	switch t.kind {
	case tkNum:
		return true
	case tkWord:
	default:
		return false
	}
	if t.has(wcSubjPron|wcDet) || t.is(fCap) {
		return t.lw != "that" || d.words(i, end) > 3
	}
	if d.finiteVerbSoon(i+1, end) && !t.has(wcStop|wcCue) && !adverbialStart(t.lw) && !beVerb(t.lw) && !strings.HasSuffix(t.lw, "ly") &&
		!(strings.HasSuffix(t.lw, "ing") && i+1 < end && (d.ts[i+1].has(wcDet|wcStop) || d.ts[i+1].kind != tkWord)) {
		return true // "talks would resume", "production had been disrupted"
	}
	switch t.lw {
	case "there", "no", "all", "more", "most", "some", "many", "few", "only", "nearly", "about", "almost",
		"crime", "prices", "inflation", "police", "officials", "people", "nobody", "everyone", "nothing",
		"none", "both", "each", "every", "several", "any", "such", "authorities", "federal", "state":
		return true
	}
	return false
}

// finiteVerbSoon reports an auxiliary, modal or past-tense verb within a few
// words from token i: the sign of a clause.
func (d *document) finiteVerbSoon(i, end int) bool {
	for k := i; k < end && k < i+5; k++ {
		t := &d.ts[k]
		if t.kind != tkWord || d.inside(k) {
			return false
		}
		switch t.lw {
		case "would", "will", "could", "can", "may", "might", "must", "should", "shall", "had", "has", "have",
			"was", "were", "is", "are", "did", "does", "do", "lost", "took", "went", "made", "came", "fell", "rose",
			"won", "got", "gave", "saw", "left", "ran", "meant", "kept", "held", "paid", "sold", "told", "said", "needed":
			return true
		}
		if strings.HasSuffix(t.lw, "ed") && len(t.lw) > 4 {
			return true
		}
	}
	return false
}

// contentStart returns the token where the clause a verb reports begins, or
// -1 when the verb reports no clause.
func (d *document) contentStart(c *cue, s sentence) int {
	v := c.verb
	k := v + 1
	// "that" a few words on
	for j := k; j < s.b && j < k+12; j++ {
		t := &d.ts[j]
		if d.inside(j) || terminal(t) || t.isP(":") || t.isP(";") || t.kind == tkMark {
			break
		}
		if t.kind == tkWord {
			if t.lw == "that" && j+1 < s.b && !d.ts[j+1].isP(",") {
				if d.words(j+1, s.b) >= 2 {
					return j + 1
				}
				return -1
			}
			if (t.has(wcCue) && !(j > k && (d.ts[j-1].has(wcDet) || d.ts[j-1].lw == "conference" || d.ts[j-1].lw == "phone"))) || t.lw == "and" || t.lw == "but" || t.lw == "because" || t.lw == "which" || t.lw == "who" || t.lw == "to" && j > k {
				break
			}
		}
	}
	w := d.ts[v].lw
	if takesObject(w) && k < s.b {
		t := &d.ts[k]
		switch {
		case t.kind == tkWord && objectPronoun(t.lw):
			k++
		case d.mentionStarting(k) != nil:
			k = d.mentionStarting(k).b
		case t.kind == tkWord && (t.lw == "reporters" || t.lw == "journalists" || t.lw == "lawmakers" || t.lw == "supporters"):
			k++
		case t.kind == tkWord && t.has(wcDet):
			j := k + 1
			for j < s.b && j < k+4 && d.ts[j].kind == tkWord && !d.ts[j].isWord("that") && !d.ts[j].has(wcSubjPron) {
				j++
			}
			k = j
		}
	}
	for k < s.b {
		t := &d.ts[k]
		if t.isP(",") {
			k++
			continue
		}
		if t.kind == tkWord && adverbialStart(t.lw) && !(t.lw == "to" && k+1 < s.b && d.ts[k+1].kind == tkWord && !d.ts[k+1].has(wcDet) && !d.ts[k+1].is(fCap)) {
			k++
			for k < s.b && k < v+16 && phraseWord(&d.ts[k]) && !(d.ts[k].is(fCap) && d.ts[k].has(wcSubjPron|wcDet) && d.ts[k].lw != "his" && d.ts[k].lw != "her" && d.ts[k].lw != "the" && d.ts[k].lw != "a") {
				if d.ts[k].is(fCap) && d.mentionStarting(k) != nil && !d.ts[k-1].has(wcDet) && !possessive(&d.ts[k-1]) && d.ts[k-1].lw != "on" && d.ts[k-1].lw != "to" && d.ts[k-1].lw != "with" && d.ts[k-1].lw != "of" && d.ts[k-1].lw != "in" && d.ts[k-1].lw != "at" && d.ts[k-1].lw != "by" && d.ts[k-1].lw != "from" {
					break
				}
				k++
			}
			continue
		}
		if t.kind == tkWord && (t.has(wcWeekday) || t.lw == "yesterday" || t.lw == "today") {
			k++
			continue
		}
		break
	}
	if k >= s.b {
		return -1
	}
	t := &d.ts[k]
	if t.lw == "that" {
		if d.words(k+1, s.b) >= 2 {
			return k + 1
		}
		return -1
	}
	if (t.lw == "whether" || t.lw == "if") && (w == "asked" || w == "asks" || w == "wondered") {
		return k + 1
	}
	if t.kind == tkMark || t.isP(":") {
		return -1
	}
	if d.clauseStart(k, s.b) && d.words(k, s.b) >= 3 && zeroThat(w) {
		t := &d.ts[k]
		if t.kind == tkWord && (t.has(wcSubjPron) || t.lw == "there") {
			return k
		}
		// "declared a state of emergency" is an object, "said the city needed" a clause
		if d.finiteVerbAhead(k, s.b, 8) {
			return k
		}
		// after "said" an object is rare: "said goodbye", "said a prayer"
		if (w == "said" || w == "says" || w == "say") && !saidObject(t.lw) {
			return k
		}
	}
	return -1
}

// conjunction reports words that join clauses and never end reported words.
func conjunction(w string) bool {
	switch w {
	case "and", "but", "while", "though", "although", "because", "whereas", "or", "yet", "if", "unless":
		return true
	}
	return false
}

// saidObject reports words that "said" takes as an object, not a clause.
func saidObject(w string) bool {
	switch w {
	case "goodbye", "hello", "sorry", "nothing", "something", "anything", "little", "much", "yes", "no", "so",
		"grace", "prayers", "thanks", "what":
		return true
	}
	return false
}

// zeroThat reports verbs that often report a clause without "that".
func zeroThat(w string) bool {
	switch w {
	case "said", "says", "say", "told", "tells", "added", "adds", "claimed", "claims", "insisted", "insists",
		"argued", "argues", "wrote", "writes", "posted", "tweeted", "warned", "warns", "stressed", "predicted",
		"believes", "believed", "thinks", "thought", "estimated", "estimates", "explained", "noted", "replied",
		"saying", "adding", "claiming", "insisting", "arguing", "warning", "noting", "stressing", "explaining",
		"cautioned", "maintained", "contended", "asserted", "acknowledged", "admitted", "conceded", "suggested",
		"indicated", "reiterated", "complained", "recalled", "confirmed", "back":
		return true
	}
	return false
}

// finiteVerbAhead reports an auxiliary, modal or past-tense verb within n
// words from token i, before any punctuation.
func (d *document) finiteVerbAhead(i, end, n int) bool {
	for k := i + 1; k < end && k <= i+n; k++ {
		t := &d.ts[k]
		if t.kind == tkPunct && !t.isP(",") && !t.isP("%") && !t.isP("$") && !t.isP("£") && !t.isP("€") || d.inside(k) {
			return false
		}
		if t.kind != tkWord {
			continue
		}
		if d.finiteVerbSoon(k, k+1) {
			return true
		}
		switch t.lw {
		case "needs", "wants", "seems", "remains", "looks", "goes", "makes", "takes", "gets", "knows", "means", "matters", "works", "faces", "lacks", "expects", "plans", "hopes", "believes", "thinks", "costs", "helps":
			return true
		}
	}
	return false
}

// sentenceEnd returns the end of sentence s with its closing punctuation
// left out.
func (d *document) sentenceEnd(s sentence) int {
	b := s.b
	for b > s.a && (terminal(&d.ts[b-1]) || d.ts[b-1].isP(")") && false) {
		b--
	}
	return b
}

// emitIndirect records reported speech over tokens [a, b).
func (d *document) emitIndirect(a, b int, c *cue, si int, spk *entity) {
	// the last word must end the content; trim commas and conjunctions
	for b > a && (d.ts[b-1].isP(",") || d.ts[b-1].isP(";") || d.ts[b-1].isP(":") || d.ts[b-1].isP("—") || d.ts[b-1].isP("–") || d.ts[b-1].isP("-") ||
		d.ts[b-1].kind == tkWord && conjunction(d.ts[b-1].lw)) {
		b--
	}
	for a < b && (d.ts[a].isP(",") || d.ts[a].kind == tkMark) {
		a++
	}
	if d.words(a, b) < 3 {
		return
	}
	s, e := trimQuote(d.rs, d.ts[a].s, d.ts[b-1].e)
	if e <= s {
		return
	}
	// never overlap a quotation already taken (of this sentence or the one before)
	for i := len(d.quotes) - 1; i >= 0 && d.quotes[i].sent >= si-1; i-- {
		q := &d.quotes[i]
		if q.s < e && s < q.e {
			return
		}
	}
	q := quoteOut{s: s, e: e, ta: a, tb: b, mode: "indirect", spk: spk, cue: c.cueText, ch: c.channel, saidAt: c.saidAt,
		reportedBy: -1, para: d.sents[si].para, sent: si, seg: -1, explicit: true, claim: d.words(a, b) >= 4}
	d.quotes = append(d.quotes, q)
}

// indirectSpeech finds reported speech without quotation marks in sentence s.
func (d *document) indirectSpeech(s sentence, si int, cues []cue, used []bool) {
	end := d.sentenceEnd(s)
	hasSeg := func(a, b int) int {
		for gi := range d.segs {
			g := &d.segs[gi]
			if g.parent < 0 && g.open >= a && g.open < b {
				return g.open
			}
		}
		return -1
	}
	var lastSpk *entity
	for ci := range cues {
		c := &cues[ci]
		spk := c.resolved
		if c.kind == ckParticiple {
			spk = lastSpk
			if spk == nil {
				for k := len(d.quotes) - 1; k >= 0 && d.quotes[k].sent == si; k-- {
					spk = d.quotes[k].spk
				}
			}
			if spk == nil {
				if sp, _ := d.sentenceSubject(c.verb, s.a); sp.found {
					spk = sp.ent
					if sp.pron != "" {
						spk = d.resolvePronoun(sp.pron, sp.a, d.st)
					}
				}
			}
		} else if c.resolved != nil {
			lastSpk = c.resolved
		}
		if !c.clause {
			continue
		}
		if used[ci] && c.verb > s.a && hasSeg(s.a, c.verb) >= 0 {
			continue // the frame of a quotation before it: “...,” X said on Monday.
		}
		if c.kind == ckVerb && (c.spk.pron == "i" || c.spk.pron == "we") {
			continue
		}
		// content before a final attribution: "The plan will fail, Smith said."
		if c.kind == ckVerb || c.kind == ckAccording {
			if c.fa-1 > s.a && d.ts[c.fa-1].isP(",") && d.frameEndsSentence(c, s) && hasSeg(s.a, c.fa) < 0 && !used[ci] {
				a := s.a
				// the clause may follow an earlier cue: "X said A, Y said."
				d.emitIndirect(a, c.fa-1, c, si, spk)
				continue
			}
		}
		var a int
		switch c.kind {
		case ckAccording:
			// "According to X, ..."
			if c.fa == s.a || (c.fa == s.a+1 && d.ts[s.a].kind == tkWord && d.ts[s.a].has(wcStop)) {
				a = c.fb
				for a < end && d.ts[a].isP(",") {
					a++
				}
			} else {
				continue
			}
		case ckVerb, ckParticiple:
			// "the victim, who X claims brandished a gun, ..."
			if c.kind == ckVerb && c.spk.a-1 >= s.a && (d.ts[c.spk.a-1].lw == "who" || d.ts[c.spk.a-1].lw == "whom" || d.ts[c.spk.a-1].lw == "which") {
				a = c.verb + 1
				b := a
				for b < end && !d.ts[b].isP(",") && !d.inside(b) {
					b++
				}
				d.emitIndirect(a, b, c, si, spk)
				continue
			}
			a = d.contentStart(c, s)
			if a < 0 {
				continue
			}
		default:
			continue
		}
		b := end
		// a later cue in the sentence ends this content
		for cj := ci + 1; cj < len(cues); cj++ {
			if cues[cj].fa > a && cues[cj].kind != ckParticiple {
				b = cues[cj].fa
				break
			}
			if cues[cj].kind == ckParticiple && cues[cj].fa > a {
				b = cues[cj].fa
				break
			}
		}
		// ", but she declined to ...": the speaker's own act ends the content
		for k := a + 2; k+2 < b; k++ {
			if d.ts[k].isP(",") || d.ts[k].isP(";") {
				n := &d.ts[k+1]
				if n.kind == tkWord && (n.lw == "but" || n.lw == "and") && k+3 < b {
					p := &d.ts[k+3]
					if d.ts[k+2].has(wcSubjPron) && p.kind == tkWord && (strings.HasSuffix(p.lw, "ed") || p.lw == "did" || p.lw == "would" || p.lw == "was" || p.lw == "gave" || p.lw == "told" || p.lw == "said") {
						b = k
						break
					}
				}
			}
		}
		// a quotation inside: its words are the quote; a long stretch of
		// unquoted words before it is reported speech of its own
		if g := hasSeg(a, b); g >= 0 {
			if d.words(a, g) >= 12 {
				d.emitIndirect(a, g, c, si, spk)
			}
			continue
		}
		d.emitIndirect(a, b, c, si, spk)
	}
}

// frameEndsSentence reports whether nothing but adverbials follows a cue's
// frame to the end of its sentence ("..., Smith said on Monday.").
func (d *document) frameEndsSentence(c *cue, s sentence) bool {
	k := c.fb
	if c.kind == ckAccording {
		for j := c.fb; j < s.b; j++ {
			t := &d.ts[j]
			if d.inside(j) || t.kind == tkMark || t.kind == tkWord && t.has(wcCue) {
				return false
			}
		}
		return true
	}
	for k < s.b {
		t := &d.ts[k]
		if terminal(t) {
			return true
		}
		if d.inside(k) || t.kind == tkMark {
			return false
		}
		if t.isP(",") {
			// "..., Smith said, adding that ...", "..., the office said, as prices fell"
			if k+1 < s.b && d.ts[k+1].kind == tkWord && (len(d.ts[k+1].lw) > 3 && d.ts[k+1].lw[len(d.ts[k+1].lw)-3:] == "ing" ||
				d.ts[k+1].lw == "as" || d.ts[k+1].lw == "while" || d.ts[k+1].lw == "unless" || d.ts[k+1].lw == "if" || d.ts[k+1].lw == "until" || d.ts[k+1].lw == "though" || d.ts[k+1].lw == "even" || d.ts[k+1].lw == "citing" || d.ts[k+1].lw == "which" || d.ts[k+1].lw == "after" || d.ts[k+1].lw == "because" || d.ts[k+1].lw == "when" || d.ts[k+1].lw == "before" || d.ts[k+1].lw == "although" || d.ts[k+1].lw == "but" || d.ts[k+1].lw == "and") {
				return true
			}
			k++
			continue
		}
		if t.kind == tkWord && (phraseWord(t) || adverbialStart(t.lw) || objectPronoun(t.lw) || d.mentionStarting(k) != nil) && t.lw != "that" {
			k++
			continue
		}
		return false
	}
	return true
}

// nestedSpeech finds speech reported inside a quotation or reported clause:
// “Governor Walz called me with the request to ...,” Trump posted; and
// quotations inside quotations: ‘He told me, “We’re short,” as if ...’.
func (d *document) nestedSpeech() {
	n := len(d.quotes)
	for qi := 0; qi < n; qi++ {
		q := d.quotes[qi]
		if q.reportedBy >= 0 || d.words(q.ta, q.tb) < 4 {
			continue
		}
		start := q.ta
		if q.mode == "partial" && q.seg >= 0 {
			// "... that Senator Marsh “called me last week with ...”"
			if m := d.mentionEnding(d.segs[q.seg].open - 1); m != nil {
				start = m.a
			}
		}
		for k := start; k < q.tb; k++ {
			m := d.mentionStarting(k)
			if m == nil || m.b >= q.tb || m.ent == q.spk || m.ent == nil {
				continue
			}
			v := m.b
			if v < len(d.ts) && d.ts[v].kind == tkMark && d.ts[v].role == roleOpen {
				v++
			}
			for v < q.tb && d.ts[v].kind == tkWord && d.ts[v].has(wcAdverb) && !d.ts[v].has(wcCue) {
				v++
			}
			if v >= q.tb || d.ts[v].kind != tkWord {
				continue
			}
			w := d.ts[v].lw
			switch w {
			case "said", "says", "told", "asked", "called", "urged", "requested", "warned", "promised",
				"agreed", "insisted", "claimed", "wanted", "demanded", "offered", "proposed", "pledged":
			default:
				continue
			}
			j := v + 1
			cueEnd := j
			if j < q.tb && d.ts[j].kind == tkWord && objectPronoun(d.ts[j].lw) {
				j++
				cueEnd = j
			} else if w == "called" {
				continue // "X called the plan ..." is naming, not a call
			}
			// time words before the reported words: "called me last week with"
			for j < q.tb && j < cueEnd+4 && d.ts[j].kind == tkWord && (d.ts[j].has(wcWeekday|wcTimeUnit) || d.ts[j].lw == "last" || d.ts[j].lw == "this" || d.ts[j].lw == "on" || d.ts[j].lw == "yesterday" || d.ts[j].lw == "earlier") {
				j++
			}
			if j < q.tb && (d.ts[j].lw == "with" || d.ts[j].lw == "that") {
				j++
				cueEnd = j
			} else if j != cueEnd {
				j = cueEnd
			}
			// the reported words end with their sentence
			end := j
			for end < q.tb && !terminal(&d.ts[end]) && !(d.ts[end].kind == tkMark && d.ts[end].role == roleClose) {
				end++
			}
			if d.words(j, end) < 3 {
				continue
			}
			e := q.e
			if end < q.tb {
				e = d.ts[end-1].e
			}
			s, e := trimQuote(d.rs, d.ts[j].s, e)
			if e <= s {
				continue
			}
			var ch *channel
			if w == "called" {
				ch = &channel{kind: "call", author: m.ent, other: q.spk, saidAt: q.saidAt}
				d.st.channels = append(d.st.channels, ch)
			}
			cueText := joinToks(d.ts, v, cueEnd)
			d.quotes = append(d.quotes, quoteOut{s: s, e: e, ta: j, tb: end, mode: "indirect", spk: m.ent, cue: cueText, ch: ch,
				saidAt: q.saidAt, reportedBy: qi, certainty: "probable", para: q.para, sent: q.sent, seg: -1, explicit: true})
			break
		}
	}
	// quotations inside quotations
	children := map[int][]int{}
	for gi := range d.segs {
		if p := d.segs[gi].parent; p >= 0 {
			children[p] = append(children[p], gi)
		}
	}
	for qi := 0; qi < n; qi++ {
		q := d.quotes[qi]
		if q.seg < 0 {
			continue
		}
		for _, gi := range children[q.seg] {
			g := &d.segs[gi]
			if g.close < 0 || g.e <= g.s || d.words(g.open+1, g.close) < 2 {
				continue
			}
			// a cue close before it inside the parent: "told me,", "said:"
			cueAt := -1
			for k := g.open - 1; k > d.segs[q.seg].open && k >= g.open-4; k-- {
				t := &d.ts[k]
				if t.kind == tkWord && t.has(wcCue) {
					cueAt = k
					break
				}
			}
			if cueAt < 0 {
				continue
			}
			var spk *entity
			if sp, _ := d.subjectLeft(cueAt, d.segs[q.seg].open+1); sp.found && sp.ent != nil {
				spk = sp.ent
			}
			d.quotes = append(d.quotes, quoteOut{s: g.s, e: g.e, ta: g.open + 1, tb: g.close, mode: "direct", spk: spk,
				cue: d.ts[cueAt].w, reportedBy: qi, certainty: "probable", para: q.para, sent: q.sent, seg: gi, explicit: true})
		}
	}
}
