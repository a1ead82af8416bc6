package extract

import (
	"sort"
	"strings"
)

// sentenceStart reports whether token i is the first word of its sentence
// (after opening marks and brackets).
func (d *document) sentenceStart(i int) bool {
	s := d.sents[d.sentOf[i]]
	if i-s.a > 6 {
		return false
	}
	for k := s.a; k < i; k++ {
		t := &d.ts[k]
		if t.kind == tkMark || t.isP("(") || t.isP("[") || t.isP("—") || t.isP("–") || t.isP("-") {
			continue
		}
		return false
	}
	return true
}

// titleCase reports whether paragraph p is written in title case.
func (d *document) titleCase(p int) bool {
	pa := &d.paras[p]
	words, caps := 0, 0
	for k := pa.t0; k < pa.t1; k++ {
		t := &d.ts[k]
		if t.kind != tkWord || len(t.w) < 4 {
			continue
		}
		words++
		if t.is(fCap) {
			caps++
		}
	}
	return words >= 3 && caps*10 >= words*8
}

// findEntities finds the names of people and organisations, registers them
// and records every mention.
func (d *document) findEntities() {
	d.reg = newRegistry()
	d.mStart = make([]int32, len(d.ts))
	d.mEnd = make([]int32, len(d.ts))
	d.covered = make([]bool, len(d.ts))
	type single struct {
		a, b   int
		ni     nameInfo
		starts bool
	}
	var singles []single
	var deferred []run
	var runs []run
	order := make([]int, 0, len(d.paras))
	for pi := range d.paras {
		if pi != d.titlePara {
			order = append(order, pi)
		}
	}
	if d.titlePara >= 0 {
		order = append(order, d.titlePara) // headlines last: they use names the body spells out
	}
	capsSeen := map[string]int{} // capitalised words seen away from a sentence start
	for i := range d.ts {
		t := &d.ts[i]
		if t.kind == tkWord && t.is(fCap) && !d.sentenceStart(i) && t.para != d.titlePara {
			capsSeen[strings.TrimSuffix(t.lw, "'s")]++
		}
	}
	for _, pi := range order {
		p := &d.paras[pi]
		if pi == d.datePara {
			continue
		}
		tc := pi == d.titlePara && d.titleCase(pi)
		runs = findRuns(d.ts, p.t0, p.t1, runs[:0])
		for _, r := range runs {
			if tc {
				deferred = append(deferred, r)
				continue
			}
			ni := classify(d.ts, r.a, r.b)
			if ni.kind == 0 {
				continue
			}
			before := r.a - 1
			if before > p.t0 && d.ts[before].isP(",") {
				before--
			}
			if ni.kind == entPerson && before >= p.t0 && orgNoun(d.ts[before].lw) && !ni.single {
				ni.kind, ni.orgKind = entOrg, "company"
				if d.ts[before].lw == "operator" || d.ts[before].lw == "agency" {
					ni.orgKind = "other"
				}
			}
			if ni.single {
				if ni.kind == entPerson && before >= p.t0 && orgNoun(d.ts[before].lw) {
					ni.kind, ni.orgKind = entOrg, "company"
				}
				singles = append(singles, single{r.a, r.b, ni, d.sentenceStart(ni.a)})
				continue
			}
			e := d.reg.add(ni.kind, ni.name, d.ts[ni.a].s)
			if e.kind != ni.kind {
				continue
			}
			if ni.kind == entPerson {
				if e.desc == "" && ni.desc != "" {
					e.desc = ni.desc
				}
				if e.gender == genderUnknown {
					e.gender = ni.gender
				}
				if e.gender == genderUnknown {
					if g := d.ts[ni.a].lw; lex.has(g, wcMale) && !lex.has(g, wcFemale) {
						e.gender = genderMale
					} else if lex.has(g, wcFemale) && !lex.has(g, wcMale) {
						e.gender = genderFemale
					}
				}
				d.reg.alias(e, e.surname())
			} else {
				if e.orgKind == "" || e.orgKind == "other" {
					e.orgKind = ni.orgKind
				}
				if before >= p.t0 && orgNoun(d.ts[before].lw) && (e.orgKind == "" || e.orgKind == "other") && d.ts[before].lw != "operator" {
					e.orgKind = "company"
				}
				d.acronymAfter(e, r.b)
				if f := strings.Fields(e.name); len(f) == 2 && lex.has(strings.ToLower(f[1]), wcOrgHead) && !lex.has(strings.ToLower(f[0]), wcOrgHead|wcPlace|wcStop|wcRoleMod) {
					d.reg.alias(e, f[0]) // "Greenway Buses" -> Greenway
				}
				if strings.HasPrefix(e.name, "US ") || strings.HasPrefix(e.name, "U.S. ") {
					d.reg.alias(e, strings.TrimPrefix(strings.TrimPrefix(e.name, "US "), "U.S. "))
				}
			}
			d.addMention(r.a, r.b, e)
		}
	}
	// single words: surnames, acronyms, one-word names
	for _, sg := range singles {
		name := sg.ni.name
		e := d.reg.lookup(name)
		if e == nil {
			e = d.givenName(name)
		}
		if e == nil {
			if sg.ni.kind == entOrg {
				e = d.reg.add(entOrg, name, d.ts[sg.ni.a].s)
				if e.orgKind == "" {
					e.orgKind = "other"
					if k, ok := knownOrgs[strings.ToLower(name)]; ok {
						e.orgKind = k
					}
				}
				d.acronymAfter(e, sg.b)
			} else {
				// a lone capitalised word is a name only where it is not
				// merely the first word of a sentence
				low := strings.ToLower(name)
				if sg.starts && capsSeen[low] == 0 {
					continue
				}
				if lex[low] != 0 && !lex.has(low, wcGiven) {
					continue
				}
				e = d.reg.add(entPerson, name, d.ts[sg.ni.a].s)
				if e.gender == genderUnknown {
					e.gender = sg.ni.gender
				}
			}
		}
		d.addMention(sg.a, sg.b, e)
	}
	// title-case headlines: only names known from the body
	for _, r := range deferred {
		for a := r.a; a < r.b; a++ {
			for b := r.b; b > a; b-- {
				if e := d.reg.lookup(joinToks(d.ts, a, b)); e != nil {
					d.addMention(a, b, e)
					a = b - 1
					break
				}
			}
		}
	}
	// people named by one word before their full name appeared: tie a
	// one-word person to a full name with that surname
	for i := range d.reg.mentions {
		m := &d.reg.mentions[i]
		if m.ent.kind == entPerson && !strings.Contains(m.ent.name, " ") {
			if full := d.fullNameFor(m.ent.name); full != nil {
				m.ent = full
			}
		}
	}
	sort.Slice(d.reg.mentions, func(i, j int) bool { return d.reg.mentions[i].a < d.reg.mentions[j].a })
	for i := range d.mStart {
		d.mStart[i], d.mEnd[i] = 0, 0
	}
	for i, m := range d.reg.mentions {
		d.mStart[m.a] = int32(i + 1)
		d.mEnd[m.b-1] = int32(i + 1)
	}
}

// findDocAuthors records the authors of documents the text introduces: "a
// letter sent to the ministry by 14 regional health directors", "a report
// from the NRHA", "X published a report".
func (d *document) findDocAuthors() {
	for _, s := range d.sents {
		for i := s.a; i < s.b; i++ {
			t := &d.ts[i]
			if t.kind != tkWord || d.inside(i) || !t.has(wcDocument) || t.is(fCap) {
				continue
			}
			for k := i + 1; k < s.b && k < i+9; k++ {
				w := d.ts[k].lw
				if d.inside(k) || terminal(&d.ts[k]) {
					break
				}
				if w != "by" && w != "from" {
					continue
				}
				if m := d.mentionStarting(k + 1); m != nil && m.ent != nil {
					d.docAuthors = append(d.docAuthors, docAuthor{t.lw, i, m.ent})
					break
				}
				// a group: "14 regional health directors"
				j := k + 1
				for j < s.b && j < k+6 && (d.ts[j].kind == tkNum || d.ts[j].kind == tkWord && !d.ts[j].is(fCap) && !d.ts[j].has(wcStop|wcCue)) {
					j++
				}
				if j > k+2 && d.ts[j-1].has(wcGroupNominal|wcPeopleNoun|wcTitle) || j > k+2 && strings.HasSuffix(d.ts[j-1].lw, "s") {
					e := d.reg.add(entOrg, d.slice(k+1, j), d.ts[k+1].s)
					if e.orgKind == "" || e.orgKind == "other" {
						e.orgKind = "group"
					}
					d.docAuthors = append(d.docAuthors, docAuthor{t.lw, i, e})
				}
				break
			}
		}
	}
}

// orgNoun reports common nouns that introduce an organisation's name:
// "pharmaceutical maker Veltrix Biologics", "the operator, Greenway Buses".
func orgNoun(w string) bool {
	switch w {
	case "maker", "makers", "firm", "company", "giant", "operator", "retailer", "carrier", "airline", "lender",
		"insurer", "startup", "start-up", "manufacturer", "supplier", "producer", "developer", "publisher",
		"broadcaster", "newspaper", "chain", "brand", "group", "charity", "platform", "network", "bank",
		"conglomerate", "contractor", "distributor", "exporter", "importer", "miner", "utility", "provider":
		return true
	}
	return false
}

// fullNameFor returns the person whose surname or given name is w, when
// exactly one person has it.
func (d *document) fullNameFor(w string) *entity {
	if d.byWord == nil {
		d.byWord = map[string][]*entity{}
		for _, e := range d.reg.ents {
			if e.kind == entPerson && strings.Contains(e.name, " ") {
				d.byWord[strings.ToLower(e.surname())] = append(d.byWord[strings.ToLower(e.surname())], e)
				if g := strings.ToLower(e.given()); g != strings.ToLower(e.surname()) {
					d.byWord[g] = append(d.byWord[g], e)
				}
			}
		}
	}
	var found *entity
	for _, e := range d.byWord[strings.ToLower(w)] {
		if e.kind != entPerson || !strings.Contains(e.name, " ") {
			continue
		}
		if strings.EqualFold(e.surname(), w) || strings.EqualFold(e.given(), w) {
			if found != nil && found != e {
				if strings.EqualFold(found.surname(), w) && !strings.EqualFold(e.surname(), w) {
					continue
				}
				return found
			}
			found = e
		}
	}
	return found
}

// givenName returns the person a lone given name refers to ("Maria said").
func (d *document) givenName(w string) *entity {
	return d.fullNameFor(w)
}

func (d *document) addMention(a, b int, e *entity) {
	if a < 0 || b > len(d.ts) || a >= b {
		return
	}
	// drop a mention overlapped by an earlier one
	for k := a; k < b; k++ {
		if d.covered[k] {
			return
		}
	}
	for k := a; k < b; k++ {
		d.covered[k] = true
	}
	d.reg.mentions = append(d.reg.mentions, mention{a: a, b: b, ent: e})
}

// mentionWindow caps how many mentions back the resolution of a pronoun,
// role or common noun looks, which keeps long texts linear.
const mentionWindow = 400

// mentionsBefore returns the mentions that start before token i, the
// latest mentionWindow of them, in text order.
func (d *document) mentionsBefore(i int) []mention {
	ms := d.reg.mentions
	n := sort.Search(len(ms), func(k int) bool { return ms[k].a >= i })
	return ms[max(0, n-mentionWindow):n]
}

// acronymAfter records "(ICE)" after an organisation's name as its alias.
func (d *document) acronymAfter(e *entity, i int) {
	if i+2 < len(d.ts) && d.ts[i].isP("(") && d.ts[i+2].isP(")") && d.ts[i+1].kind == tkWord && d.ts[i+1].is(fAllCap) && d.ts[i].para == d.ts[i+2].para {
		acr := d.ts[i+1].w
		d.reg.alias(e, acr)
		d.addMention(i+1, i+2, e)
	}
}

// orgByNominal returns the latest organisation before token i that a
// common noun names ("the ministry" -> Ministry of Defence).
func (d *document) orgByNominal(head string, i int) *entity {
	want := strings.ToLower(head)
	var best *entity
	for _, m := range d.mentionsBefore(i) {
		e := m.ent
		if e.kind != entOrg {
			continue
		}
		low := strings.ToLower(e.name)
		switch want {
		case "company", "firm", "manufacturer", "retailer", "carrier", "airline", "lender", "insurer", "operator", "chipmaker", "maker":
			if e.orgKind == "company" || (e.orgKind == "other" && (best == nil || best.orgKind != "company")) {
				best = e
			}
		case "government", "administration", "authorities", "regime":
			if e.orgKind == "government" && (strings.Contains(low, want) || want == "authorities") {
				best = e
			}
		case "group", "organisation", "organization", "charity", "campaign", "coalition":
			if e.orgKind == "ngo" || e.orgKind == "group" || strings.Contains(low, want) {
				best = e
			}
		case "agency":
			if strings.Contains(low, "agency") || (e.orgKind == "government" && isAcronym(e)) {
				best = e
			}
		case "newspaper", "paper", "broadcaster", "outlet", "network":
			if e.orgKind == "media" {
				best = e
			}
		default:
			if strings.Contains(low, want) {
				best = e
			}
		}
	}
	return best
}

func isAcronym(e *entity) bool {
	if strings.ToUpper(e.name) == e.name && !strings.Contains(e.name, " ") {
		return true
	}
	for _, a := range e.aliases {
		if strings.ToUpper(a) == a && !strings.Contains(a, " ") {
			return true
		}
	}
	return false
}

// personByRole returns the latest person before token i whose title has
// the role ("the governor").
func (d *document) personByRole(role string, i int) *entity {
	var best *entity
	for _, m := range d.mentionsBefore(i) {
		e := m.ent
		if e.kind == entPerson && strings.Contains(" "+strings.ToLower(e.desc)+" ", " "+role+" ") {
			best = e
		}
	}
	return best
}
