package extract

import (
	"strings"
)

// cueKind says how a cue relates a speaker to words.
type cueKind uint8

const (
	ckVerb       cueKind = iota + 1 // X said ... / said X
	ckAccording                     // according to X
	ckParticiple                    // ..., adding that ...
	ckColon                         // X: “...”
	ckDash                          // headline ... – X
)

// speakerRef is a parsed subject before it is resolved to an entity.
type speakerRef struct {
	a, b    int // tokens of the noun phrase
	ent     *entity
	pron    string // he, she, it, they, we, i
	nominal string // head noun of a common-noun speaker (ministry, governor, letter)
	docKind string // source kind when the speaker is a document
	anon    bool   // a speaker the text does not name (a source, officials)
	found   bool
}

// cue is one attribution frame in a sentence.
type cue struct {
	kind     cueKind
	verb     int // token of the verb, "according", ":" or the dash
	spk      speakerRef
	inverted bool
	clause   bool // the verb takes a reported clause
	naming   bool // the verb frames a partial quote (called it “...”)
	fa, fb   int  // tokens of the whole frame (subject, verb, adverbials)
	content  int  // token where the reported clause starts, or -1
	cueText  string
	resolved *entity
	channel  *channel
	saidAt   string
}

// beVerb reports passive or copular forms before a cue ("was told").
func beVerb(w string) bool {
	switch w {
	case "is", "was", "were", "are", "be", "been", "being", "am", "'s", "get", "got":
		return true
	}
	return false
}

// inside reports whether token i is inside a quotation (marks included).
func (d *document) inside(i int) bool { return d.top[i] >= 0 }

// findCues returns the attribution frames of sentence s, in token order.
func (d *document) findCues(s sentence) []cue {
	var out []cue
	for i := s.a; i < s.b; i++ {
		if d.inside(i) {
			continue
		}
		t := &d.ts[i]
		if t.kind != tkWord {
			continue
		}
		if t.lw == "according" && i+1 < s.b && d.ts[i+1].lw == "to" {
			spk, end := d.subjectRight(i+2, s.b)
			if spk.found {
				c := cue{kind: ckAccording, verb: i, spk: spk, fa: i, fb: end, content: -1, clause: true, cueText: "according to"}
				out = append(out, c)
			}
			continue
		}
		if t.lw == "back" && i > s.a && (d.ts[i-1].lw == "shot" || d.ts[i-1].lw == "hit" || d.ts[i-1].lw == "fired" || d.ts[i-1].lw == "pushed") {
			spk, start := d.subjectLeft(i-1, s.a)
			if spk.found {
				out = append(out, cue{kind: ckVerb, verb: i, spk: spk, fa: start, fb: i + 1, content: -1, clause: true, cueText: d.ts[i-1].w + " back"})
			}
			continue
		}
		if !t.has(wcCue | wcCueNaming) {
			continue
		}
		if i > s.a {
			p := &d.ts[i-1]
			if p.kind == tkWord && (beVerb(p.lw) || (p.has(wcDet) && p.lw != "that") || possessive(p) || p.lw == "to") {
				continue // "was told", "the report", "his claims", "Trump’s post", "to say"
			}
		}
		if d.nounUse(i, s) {
			continue
		}
		c := cue{kind: ckVerb, verb: i, content: -1, cueText: t.w}
		c.clause = t.has(wcCueClause)
		c.naming = t.has(wcCueNaming)
		if strings.HasSuffix(t.lw, "ing") && (i == s.a || d.ts[i-1].isP(",") || d.ts[i-1].lw == "before" || d.ts[i-1].lw == "after" || d.ts[i-1].lw == "while") {
			c.kind = ckParticiple
			c.fa, c.fb = i, i+1
			out = append(out, c)
			continue
		}
		spk, start := d.subjectLeft(i, s.a)
		if !spk.found && len(out) > 0 {
			if j := d.skipLeft(i-1, s.a); j >= s.a && (d.ts[j].lw == "and" || d.ts[j].lw == "but") && out[len(out)-1].spk.found {
				spk, start = out[len(out)-1].spk, j
			}
		}
		if spk.found {
			c.spk = spk
			c.fa, c.fb = start, i+1
			out = append(out, c)
			continue
		}
		if invertible(t.lw) && d.invertedPlace(i, s) {
			spk, end := d.subjectRight(i+1, s.b)
			if spk.found {
				c.spk = spk
				c.inverted = true
				c.fa, c.fb = i, end
				out = append(out, c)
			}
		}
	}
	return out
}

// nounUse reports whether a cue word at i is used as a noun ("a post on X",
// "the report", "claims of fraud").
func (d *document) nounUse(i int, s sentence) bool {
	t := &d.ts[i]
	switch t.lw {
	case "report", "reports", "post", "posts", "claims", "claim", "comment", "comments", "answer", "reply",
		"promise", "promises", "pledge", "pledges", "vow", "vows", "demand", "demands", "warning", "note",
		"notes", "estimate", "estimates", "call", "calls", "statement", "finds", "find", "found", "show",
		"shows", "showed", "shown", "signal", "signals", "repeat", "counter", "state", "states":
		if i > s.a {
			p := &d.ts[i-1]
			if p.kind == tkWord && (p.has(wcDet) || possessive(p) || p.lw == "of" || p.lw == "new" || p.has(wcNumberWord)) {
				return true
			}
		}
		if t.lw == "state" || t.lw == "states" {
			return t.is(fCap) || i+1 < s.b && d.ts[i+1].lw == "of"
		}
	}
	return false
}

// invertible reports whether a verb can follow its quotation and precede its
// subject ("said Smith").
func invertible(w string) bool {
	switch w {
	case "said", "says", "added", "adds", "asked", "asks", "wrote", "writes", "continued", "explained",
		"replied", "recalled", "warned", "noted", "told", "insisted", "argued", "declared", "posted",
		"tweeted", "claimed", "stated", "remarked", "observed", "countered", "responded", "answered":
		return true
	}
	return false
}

// invertedPlace reports whether the verb at i stands where an inverted
// attribution stands: right after a quotation (and its comma), or at the end
// of a sentence after a comma.
func (d *document) invertedPlace(i int, s sentence) bool {
	k := i - 1
	if k < s.a {
		return false
	}
	if d.ts[k].isP(",") {
		k--
	}
	if k < s.a {
		return false
	}
	if d.ts[k].kind == tkMark && d.ts[k].role == roleClose {
		return true
	}
	// "..., said Smith." at the end of an unquoted sentence
	return d.ts[i-1].isP(",")
}

// skipLeft moves left over adverbs, auxiliaries and short time phrases
// between a subject and its verb ("Trump on Monday also said").
func (d *document) skipLeft(j, lim int) int {
	for j >= lim {
		t := &d.ts[j]
		if t.kind != tkWord || d.inside(j) {
			return j
		}
		switch {
		case t.has(wcAdverb) && !t.has(wcSubjPron) && !t.is(fCap):
			j--
		case t.lw == "not" || t.lw == "never" || t.lw == "n't":
			j--
		case t.has(wcWeekday) || t.lw == "night" || t.lw == "morning" || t.lw == "afternoon" || t.lw == "evening":
			j--
			if j >= lim && (d.ts[j].lw == "on" || d.ts[j].lw == "late" || d.ts[j].lw == "early" || d.ts[j].lw == "last" || d.ts[j].has(wcWeekday)) {
				j--
			}
		case t.lw == "week" || t.lw == "month" || t.lw == "year":
			if j-1 >= lim && (d.ts[j-1].lw == "this" || d.ts[j-1].lw == "last") {
				j -= 2
			} else {
				return j
			}
		default:
			return j
		}
	}
	return j
}

// subjectLeft parses the speaker before the verb at v, not before lim. It
// returns the speaker and the first token of the frame.
func (d *document) subjectLeft(v, lim int) (speakerRef, int) {
	j := d.skipLeft(v-1, lim)
	if j < lim || d.inside(j) {
		return speakerRef{}, v
	}
	// an acronym in brackets after the name: "the Department of Homeland Security (DHS) claims"
	if j-2 >= lim && d.ts[j].isP(")") && d.ts[j-2].isP("(") {
		j -= 3
		if j < lim {
			return speakerRef{}, v
		}
	}
	// an appositive between commas: "Smith, a spokesman for the ministry, said"
	if d.ts[j].isP(",") {
		k := j - 1
		for k >= lim && k > j-30 && !d.inside(k) && !d.ts[k].isP(",") && (!terminal(&d.ts[k]) || d.ts[k].isP(".") && k > lim && d.abbrevBefore(k)) {
			if d.ts[k].kind == tkWord && d.ts[k].has(wcCueClause) && d.ts[k].lw != "told" {
				return speakerRef{}, v
			}
			k--
		}
		if k < lim || k <= j-30 || d.inside(k) || !d.ts[k].isP(",") || k+1 >= j {
			return speakerRef{}, v
		}
		if spk, start, ok := d.chainSubject(j, lim); ok {
			return spk, start
		}
		if m := d.mentionStarting(k + 1); m != nil && m.b == j && m.ent != nil {
			// "The university's vice-chancellor, Simon Hale, said"
			if k-1 >= lim && d.ts[k-1].kind == tkWord && d.ts[k-1].has(wcOrgNominal|wcTitle|wcGroupNominal) && !d.ts[k-1].is(fCap) {
				d.noteNominal(d.ts[k-1].lw, m.ent)
			}
			start := k
			for start-1 >= lim && !d.inside(start-1) && !terminal(&d.ts[start-1]) && !d.ts[start-1].isP(",") && start > k-8 {
				start--
			}
			return speakerRef{a: k + 1, b: j, ent: m.ent, found: true}, start
		}
		first := &d.ts[k+1]
		if !(first.kind == tkNum || (first.kind == tkWord && (!first.is(fCap) || first.has(wcDet|wcTitle)))) {
			return speakerRef{}, v
		}
		spk, start := d.npLeft(k-1, lim)
		if spk.found {
			if spk.ent == nil && spk.nominal != "" && first.kind == tkWord {
				// "the ministry’s spokesman, Ivan Petrov, said" is handled by
				// the name; a role before an appositive name is rare
			}
			return spk, start
		}
		return speakerRef{}, v
	}
	if t := &d.ts[j]; t.kind == tkWord && (t.lw == "and" || t.lw == "but" || t.lw == "then") {
		// "Walz has refused ... and called on Trump to": the sentence's subject
		return d.sentenceSubject(j, lim)
	}
	spk, start := d.npLeft(j, lim)
	if !spk.found || (spk.ent == nil && spk.pron == "" && spk.nominal != "" && !lex.has(spk.nominal, wcTitle)) {
		if g, gs := d.groupSubject(j, lim); g.found {
			return g, gs
		}
	}
	return spk, start
}

// chainSubject finds the subject before one or more appositives that end
// at the comma j: "Lisa Tran, whose children attend Maple Street
// Elementary, one of the schools to close, said". The subject is a name in
// a subject place, followed by a comma and a chunk that opens like an
// appositive (who, whose, a, the, a number, a lower-case word).
func (d *document) chainSubject(j, lim int) (speakerRef, int, bool) {
	var best speakerRef
	bestStart, found := 0, false
	commas := 0
	for k := j; k >= lim && k > j-50 && commas < 4; k-- {
		if d.inside(k) || terminal(&d.ts[k]) && !(d.ts[k].isP(".") && k > lim && d.abbrevBefore(k)) {
			break
		}
		if !d.ts[k].isP(",") {
			continue
		}
		commas++
		if k == j || k+1 >= j {
			continue
		}
		first := &d.ts[k+1]
		if !(first.kind == tkNum || first.kind == tkWord && (!first.is(fCap) || first.has(wcDet|wcTitle))) {
			continue
		}
		m := d.mentionEnding(k - 1)
		if m == nil || m.ent == nil || m.a < lim || !d.subjectPlace(m.a) {
			continue
		}
		a := m.a
		for a-1 >= lim && d.ts[a-1].kind == tkWord && !d.ts[a-1].is(fCap) && d.ts[a-1].has(wcDet|wcRoleMod|wcTitle) {
			a--
		}
		best, bestStart, found = speakerRef{a: a, b: m.b, ent: m.ent, found: true}, a, true
	}
	return best, bestStart, found
}

// sentenceSubject returns the subject at the start of the sentence that
// ends before token j, when there is one.
func (d *document) sentenceSubject(j, lim int) (speakerRef, int) {
	k := lim
	for k < j && k < lim+8 && d.ts[k].kind == tkWord && d.mentionStarting(k) == nil && !d.ts[k].has(wcSubjPron) &&
		(d.ts[k].has(wcStop|wcDet|wcTitle|wcRoleMod) || isAdjective(d.ts[k].lw) || d.ts[k].is(fCap)) {
		k++
	}
	if k >= j || d.inside(k) {
		return speakerRef{}, j + 1
	}
	t := &d.ts[k]
	if t.kind == tkWord && t.has(wcSubjPron) && t.lw != "i" && t.lw != "we" {
		return speakerRef{a: k, b: k + 1, pron: t.lw, found: true}, j
	}
	if m := d.mentionStarting(k); m != nil && m.b < j && m.ent != nil {
		if possessive(&d.ts[m.b-1]) {
			// "Hartwell's chief executive, Laura Kent, ... and said"
			for q := m.b; q < j && q < m.b+8; q++ {
				if n := d.mentionStarting(q); n != nil && n.ent != nil && n.ent.kind == entPerson {
					return speakerRef{a: k, b: n.b, ent: n.ent, found: true}, j
				}
				t := &d.ts[q]
				if !(t.isP(",") || t.kind == tkWord && !t.is(fCap)) {
					break
				}
			}
		}
		return speakerRef{a: k, b: m.b, ent: m.ent, found: true}, j
	}
	return speakerRef{}, j + 1
}

// groupSubject parses a sentence-initial noun phrase ending at j that names
// a group speaking as one: "The CEOs of 60 Minnesota-based companies".
func (d *document) groupSubject(j, lim int) (speakerRef, int) {
	k := j
	head := false
	for k >= lim && k > j-10 {
		t := &d.ts[k]
		if d.inside(k) {
			return speakerRef{}, j + 1
		}
		switch {
		case t.kind == tkNum:
		case t.kind == tkWord:
			if t.has(wcCue) || beVerb(t.lw) || t.lw == "has" || t.lw == "have" || t.lw == "had" || t.lw == "who" || t.lw == "that" || t.lw == "which" {
				return speakerRef{}, j + 1
			}
			if t.has(wcGroupNominal | wcOrgNominal) {
				head = true
			}
		default:
			return speakerRef{}, j + 1
		}
		k--
	}
	k++
	if k != lim && !(k-1 >= lim && d.sentenceStart(k-1) && d.ts[k-1].kind == tkWord && d.ts[k-1].has(wcStop)) {
		return speakerRef{}, j + 1
	}
	a := k
	for a <= j && d.ts[a].kind == tkWord && d.ts[a].has(wcDet) {
		a++
	}
	if !head || a > j || d.words(a, j+1) < 3 {
		return speakerRef{}, j + 1
	}
	name := joinToks(d.ts, a, j+1)
	e := d.reg.add(entOrg, name, d.ts[a].s)
	if e.orgKind == "" || e.orgKind == "other" {
		e.orgKind = "group"
	}
	return speakerRef{a: k, b: j + 1, ent: e, found: true}, k
}

// npLeft parses a noun phrase that ends at token j.
func (d *document) npLeft(j, lim int) (speakerRef, int) {
	if j < lim || d.inside(j) {
		return speakerRef{}, j + 1
	}
	t := &d.ts[j]
	if t.kind != tkWord {
		return speakerRef{}, j + 1
	}
	if t.has(wcSubjPron) && !t.is(fAllCap) || t.w == "I" {
		return speakerRef{a: j, b: j + 1, pron: t.lw, found: true}, j
	}
	if m := d.mentionEnding(j); m != nil && m.a >= lim {
		a := m.a
		// "a spokesman for the ministry": the organisation speaks
		if a-1 >= lim && (d.ts[a-1].lw == "for" || d.ts[a-1].lw == "at" || d.ts[a-1].lw == "of") && a-2 >= lim && d.ts[a-2].has(wcTitle|wcGroupNominal) {
			k := a - 2
			for k-1 >= lim && d.ts[k-1].kind == tkWord && !d.ts[k-1].is(fCap) && (d.ts[k-1].has(wcDet|wcRoleMod|wcTitle) || d.ts[k-1].lw == "one") {
				k--
			}
			return speakerRef{a: k, b: j + 1, ent: m.ent, found: true}, k
		}
		for a-1 >= lim && d.ts[a-1].kind == tkWord && !d.ts[a-1].is(fCap) && d.ts[a-1].has(wcDet|wcRoleMod|wcTitle) {
			a--
		}
		return speakerRef{a: a, b: j + 1, ent: m.ent, found: true}, a
	}
	if t.is(fCap) && d.mentionEnding(j) == nil {
		// a capitalised word that is no known name: a role ("the Governor")
		if t.has(wcTitle|wcOrgNominal) || pluralTitle(t.lw) {
			return d.nominalLeft(j, lim)
		}
		return speakerRef{}, j + 1
	}
	if t.has(wcTitle|wcOrgNominal|wcGroupNominal|wcDocument) || pluralTitle(t.lw) {
		return d.nominalLeft(j, lim)
	}
	return speakerRef{}, j + 1
}

// nominalLeft parses a common-noun speaker ending at j: "the ministry",
// "Minneapolis police", "a senior official", "the letter".
func (d *document) nominalLeft(j, lim int) (speakerRef, int) {
	head := d.ts[j].lw
	k := j
	capMod := -1
	for k-1 >= lim && k > j-5 && !d.inside(k-1) {
		p := &d.ts[k-1]
		if p.kind != tkWord {
			break
		}
		if p.has(wcDet) || p.lw == "one" || p.lw == "two" || p.lw == "several" || p.lw == "some" {
			k--
			break
		}
		if p.is(fCap) || possessive(p) || p.has(wcRoleMod|wcTitle) || isAdjective(p.lw) {
			if p.is(fCap) && capMod < 0 {
				capMod = k - 1
			}
			k--
			continue
		}
		break
	}
	// plain lower-case modifiers back to a determiner: "the national statistics office"
	if k == j || (k > lim && !d.ts[k].has(wcDet)) {
		q := k - 1
		for q >= lim && q > j-5 && d.ts[q].kind == tkWord && !d.ts[q].is(fCap) && !d.inside(q) &&
			!d.ts[q].has(wcStop|wcCue) && !beVerb(d.ts[q].lw) {
			q--
		}
		if q >= lim && q < k && d.ts[q].kind == tkWord && d.ts[q].has(wcDet) {
			k = q
		}
	}
	ref := speakerRef{a: k, b: j + 1, nominal: head, found: true}
	if lex.has(head, wcDocument) && !lex.has(head, wcOrgNominal|wcGroupNominal|wcTitle) {
		ref.docKind = docSourceKind(head)
	}
	if lex.has(head, wcGroupNominal) && !lex.has(head, wcOrgNominal) || pluralTitle(head) {
		ref.anon = true
	}
	if capMod >= 0 {
		if m := d.mentionEnding(capMod); m != nil && m.ent != nil && m.ent.kind == entOrg {
			ref.ent = m.ent // "DHS officials", "Pentagon spokesman"
			ref.anon = false
		}
	}
	return ref, k
}

// noteNominal remembers that a common noun stands for an entity in this
// text: "the pilots' union, Aviators United" makes "the union" Aviators United.
func (d *document) noteNominal(head string, e *entity) {
	if d.nominals == nil {
		d.nominals = map[string]*entity{}
	}
	d.nominals[head] = e
}

// pluralTitle reports the plural of a role ("forecasters", "prosecutors").
func pluralTitle(w string) bool {
	return len(w) > 3 && strings.HasSuffix(w, "s") && lex.has(strings.TrimSuffix(w, "s"), wcTitle)
}

// isAdjective reports common adjectives that stand before nominal speakers.
func isAdjective(w string) bool {
	switch w {
	case "senior", "top", "local", "federal", "state", "city", "foreign", "other", "former", "new",
		"independent", "unnamed", "anonymous", "military", "government", "company", "police", "health",
		"defence", "defense", "interior", "justice", "finance", "public", "private", "joint", "written",
		"internal", "annual", "latest", "recent", "official", "leaked", "confidential", "court",
		"country's", "company's", "city's", "state's", "department's", "ministry's", "agency's":
		return true
	}
	return false
}

// subjectRight parses the speaker that starts at token i ("said the
// ministry", "according to police statistics"). It returns the speaker and
// the token after it.
func (d *document) subjectRight(i, lim int) (speakerRef, int) {
	if i >= lim || d.inside(i) {
		return speakerRef{}, i
	}
	t := &d.ts[i]
	if t.kind == tkWord && (t.has(wcSubjPron) && !t.is(fAllCap) || t.w == "I") {
		return speakerRef{a: i, b: i + 1, pron: t.lw, found: true}, i + 1
	}
	// "trust chief executive Graham Lowe", "the county's emergency management
	// director, Joan Pike": a name a few modifiers or a comma on
	for q := i; q < lim && q < i+9; q++ {
		t := &d.ts[q]
		if m := d.mentionStarting(q); m != nil && m.ent != nil && m.ent.kind == entPerson && q > i {
			prev := &d.ts[q-1]
			if prev.has(wcTitle) || prev.isP(",") && q-2 >= i && d.ts[q-2].has(wcTitle) {
				return speakerRef{a: i, b: m.b, ent: m.ent, found: true}, m.b
			}
			break
		}
		if d.inside(q) || !(t.kind == tkWord && !t.is(fCap) && !t.has(wcCue) && !beVerb(t.lw) || possessive(t) || t.isP(",") && q > i) {
			break
		}
		if t.kind == tkWord && (t.lw == "to" || t.lw == "that" || t.lw == "who" || t.lw == "in" || t.lw == "on" || t.lw == "at") {
			break
		}
	}
	k := i
	for k < lim && d.ts[k].kind == tkWord && !d.ts[k].is(fCap) && (d.ts[k].has(wcDet|wcRoleMod|wcTitle) || isAdjective(d.ts[k].lw) || d.ts[k].lw == "one") && d.mentionStarting(k) == nil {
		if d.ts[k].has(wcOrgNominal|wcGroupNominal|wcDocument|wcTitle) && !(k+1 < lim && d.ts[k+1].kind == tkWord && (!d.ts[k+1].is(fCap) || d.mentionStarting(k+1) != nil)) {
			break // the head: "the state fire agency."
		}
		k++
	}
	if k < lim {
		if m := d.mentionStarting(k); m != nil {
			if m.b-1 < lim {
				return speakerRef{a: i, b: m.b, ent: m.ent, found: true}, m.b
			}
		}
	}
	// a common noun: walk to the head
	h := k
	if h < lim && d.ts[h].kind == tkWord && d.ts[h].is(fCap) && h+1 < lim && d.ts[h+1].kind == tkWord && !d.ts[h+1].is(fCap) {
		h++ // "Minneapolis police"
	}
	for h < lim && h < k+3 && d.ts[h].kind == tkWord && !d.ts[h].is(fCap) && !d.ts[h].has(wcOrgNominal|wcGroupNominal|wcDocument|wcTitle|wcStop|wcCue) && h+1 < lim && d.ts[h+1].kind == tkWord && !d.ts[h+1].is(fCap) {
		h++
	}
	if h >= lim || d.ts[h].kind != tkWord {
		return speakerRef{}, i
	}
	head := d.ts[h].lw
	// compound heads: "police statistics", "court documents"
	if h+1 < lim && d.ts[h+1].kind == tkWord && d.ts[h+1].has(wcDocument) && !d.ts[h+1].is(fCap) {
		h++
		head = d.ts[h].lw
	}
	if !lex.has(head, wcTitle|wcOrgNominal|wcGroupNominal|wcDocument) {
		return speakerRef{}, i
	}
	ref := speakerRef{a: i, b: h + 1, nominal: head, found: true}
	if lex.has(head, wcDocument) && !lex.has(head, wcOrgNominal|wcGroupNominal|wcTitle) {
		ref.docKind = docSourceKind(head)
	}
	if lex.has(head, wcGroupNominal) && !lex.has(head, wcOrgNominal) {
		ref.anon = true
	}
	end := h + 1
	if end+1 < lim && d.ts[end].kind == tkWord && (d.ts[end].lw == "published" || d.ts[end].lw == "released" || d.ts[end].lw == "issued" || d.ts[end].lw == "compiled" || d.ts[end].lw == "provided" || d.ts[end].lw == "gathered" || d.ts[end].lw == "collected") {
		end++ // "figures published by the operator"
	}
	if end+1 < lim && d.ts[end].isP(",") {
		if m := d.mentionStarting(end + 1); m != nil && m.ent != nil && m.b <= lim {
			d.noteNominal(head, m.ent)
			return speakerRef{a: i, b: m.b, ent: m.ent, found: true}, m.b
		}
	}
	// "a spokesman for the ministry", "data from the police", "a report by X"
	if end+1 < lim && d.ts[end].kind == tkWord {
		switch d.ts[end].lw {
		case "for", "from", "by", "of", "at", "with":
			if sub, e2 := d.subjectRight(end+1, lim); sub.found && (sub.ent != nil || sub.nominal != "") {
				if ref.docKind != "" {
					sub.docKind = ref.docKind
				}
				sub.a = i
				return sub, e2
			}
		}
	}
	// the organisation a capitalised modifier names: "DHS officials"
	for q := i; q < h; q++ {
		if m := d.mentionStarting(q); m != nil && m.ent != nil && m.ent.kind == entOrg {
			ref.ent = m.ent
			ref.anon = false
			break
		}
	}
	return ref, end
}

// docSourceKind maps a document noun to a source kind.
func docSourceKind(w string) string {
	switch w {
	case "statement", "announcement", "notice", "bulletin", "guidance":
		return "statement"
	case "release", "press-release":
		return "press_release"
	case "report", "study", "survey", "analysis", "review", "assessment", "audit", "poll":
		return "report"
	case "data", "figures", "statistics", "record", "records":
		return "dataset"
	case "post", "tweet":
		return "social_post"
	case "transcript":
		return "transcript"
	}
	return "other"
}

// mentionEnding returns the mention whose last token is j.
func (d *document) mentionEnding(j int) *mention {
	if j < 0 || j >= len(d.mEnd) {
		return nil
	}
	if m := d.mEnd[j]; m > 0 {
		return &d.reg.mentions[m-1]
	}
	return nil
}

// mentionStarting returns the mention whose first token is i.
func (d *document) mentionStarting(i int) *mention {
	if i < 0 || i >= len(d.mStart) {
		return nil
	}
	if m := d.mStart[i]; m > 0 {
		return &d.reg.mentions[m-1]
	}
	return nil
}
