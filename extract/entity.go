package extract

import (
	"strings"
)

// entKind tells people from organisations.
type entKind uint8

const (
	entPerson entKind = iota + 1
	entOrg
)

// gender of a person, for pronoun resolution.
const (
	genderUnknown uint8 = iota
	genderMale
	genderFemale
)

// entity is a person or organisation found in the text.
type entity struct {
	kind    entKind
	name    string   // full name as written
	aliases []string // surname, acronym ...
	desc    string   // title or role ("Minnesota Governor")
	orgKind string   // organisation kind
	gender  uint8
	first   int  // first mention (code point)
	used    bool // referenced by a quote, figure or source
	key     string
}

// surname returns the last word of a person's name, a suffix (Jr, III)
// left out.
func (e *entity) surname() string {
	n := strings.TrimSpace(e.name)
	for _, suf := range []string{" Jr.", " Jr", " Sr.", " Sr", " II", " III", " IV"} {
		n = strings.TrimSuffix(n, suf)
	}
	if i := strings.LastIndexByte(n, ' '); i >= 0 {
		return n[i+1:]
	}
	return n
}

// given returns the first word of a name of two words or more.
func (e *entity) given() string {
	n := strings.TrimSpace(e.name)
	if i := strings.IndexByte(n, ' '); i >= 0 {
		return n[:i]
	}
	return ""
}

func (e *entity) addAlias(a string) {
	a = strings.TrimSpace(a)
	if a == "" || strings.EqualFold(a, e.name) {
		return
	}
	for _, x := range e.aliases {
		if strings.EqualFold(x, a) {
			return
		}
	}
	e.aliases = append(e.aliases, a)
}

// mention is a reference to an entity at tokens [a, b).
type mention struct {
	a, b int
	ent  *entity
}

// registry holds the document's entities and their mentions, in text order.
type registry struct {
	ents     []*entity
	byName   map[string]*entity // folded full name or alias -> entity
	mentions []mention
}

func newRegistry() *registry {
	return &registry{byName: map[string]*entity{}}
}

func foldKey(s string) string {
	s = strings.ToLower(s)
	if strings.ContainsRune(s, '’') {
		s = strings.ReplaceAll(s, "’", "'")
	}
	s = strings.TrimSuffix(s, "'s")
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.ReplaceAll(s, ".", "")
	}
	if strings.Contains(s, "  ") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.ContainsAny(s, "\t\n") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// lookup returns the entity with the name or alias s.
func (r *registry) lookup(s string) *entity { return r.byName[foldKey(s)] }

// add returns the entity named name, creating it.
func (r *registry) add(kind entKind, name string, at int) *entity {
	k := foldKey(name)
	if e := r.byName[k]; e != nil {
		if e.kind == kind || kind == 0 {
			return e
		}
	}
	e := &entity{kind: kind, name: name, first: at}
	r.ents = append(r.ents, e)
	r.byName[k] = e
	return e
}

func (r *registry) alias(e *entity, a string) {
	if a == "" {
		return
	}
	e.addAlias(a)
	k := foldKey(a)
	if _, ok := r.byName[k]; !ok {
		r.byName[k] = e
	}
}

// multiPlaces are places of more than one word, lower case.
var multiPlaces = map[string]bool{
	"new york": true, "los angeles": true, "san francisco": true, "united states": true,
	"the united states": true, "united kingdom": true, "the united kingdom": true, "south africa": true,
	"north korea": true, "south korea": true, "saudi arabia": true, "new zealand": true,
	"hong kong": true, "new jersey": true, "new mexico": true, "north carolina": true,
	"south carolina": true, "north dakota": true, "south dakota": true, "west virginia": true,
	"rhode island": true, "new hampshire": true, "el salvador": true, "sri lanka": true,
	"costa rica": true, "st paul": true, "st. paul": true, "washington dc": true, "las vegas": true,
	"san diego": true, "new delhi": true, "tel aviv": true, "west bank": true, "gaza strip": true,
	"new orleans": true, "salt lake city": true, "kansas city": true, "st louis": true, "st. louis": true,
	"middle east": true, "latin america": true, "north america": true, "south america": true,
	"twin cities": true, "silicon valley": true, "wall street": true, "capitol hill": true,
}

// run is a maximal sequence of name-like tokens [a, b) in one paragraph.
type run struct{ a, b int }

// nameTok reports whether t can be part of a proper name.
func nameTok(t *tok) bool {
	if t.kind != tkWord || !t.is(fCap) {
		return false
	}
	if t.has(wcMonth|wcWeekday) && !t.is(fAllCap) {
		return false
	}
	if strings.HasSuffix(t.lw, "-based") || strings.HasSuffix(t.lw, "-led") || strings.HasSuffix(t.lw, "-born") {
		return false
	}
	return true
}

// possessive reports whether a word ends in 's (Trump’s).
func possessive(t *tok) bool {
	return t.kind == tkWord && (strings.HasSuffix(t.lw, "'s") || strings.HasSuffix(t.lw, "s'")) && len(t.lw) > 2
}

// stripPoss removes a possessive ending from a name word.
func stripPoss(w string) string {
	for _, suf := range []string{"’s", "'s", "’", "'"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+1 {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// findRuns scans tokens [t0, t1) for name runs.
func findRuns(ts []tok, t0, t1 int, out []run) []run {
	i := t0
	for i < t1 {
		if !nameTok(&ts[i]) {
			i++
			continue
		}
		j := i + 1
		if !possessive(&ts[i]) {
			for j < t1 {
				t := &ts[j]
				if nameTok(t) {
					j++
					if possessive(t) {
						break
					}
					continue
				}
				// a full stop after a title abbreviation or an initial: Mr. Smith, John F. Kennedy
				if t.isP(".") && j+1 < t1 && nameTok(&ts[j+1]) && ts[j+1].is(fSpace) {
					prev := &ts[j-1]
					if (prev.has(wcAbbrev) && prev.has(wcTitle)) || (len([]rune(prev.w)) == 1 && prev.is(fCap)) {
						j++
						continue
					}
				}
				// connectors inside names: Department of Homeland Security
				if t.kind == tkWord && t.has(wcConnector) && !t.is(fCap) && j+1 < t1 && nameTok(&ts[j+1]) {
					if t.lw == "and" {
						// "Trump and Walz" are two names; "Immigration and Customs Enforcement" one
						if !orgish(ts, i, j) {
							break
						}
					}
					j++
					continue
				}
				break
			}
		}
		out = append(out, run{i, j})
		i = j
	}
	return out
}

// orgish reports whether tokens [a, b) look like the start of an
// organisation name (so that "and" may join it).
func orgish(ts []tok, a, b int) bool {
	for k := a; k < b; k++ {
		if ts[k].has(wcOrgHead) || ts[k].lw == "immigration" || ts[k].lw == "customs" || ts[k].lw == "health" || ts[k].lw == "human" {
			return true
		}
	}
	return false
}

// nameInfo is a classified name run.
type nameInfo struct {
	kind    entKind // 0 when not an entity (a place, a stray capital)
	name    string
	desc    string
	a, b    int // tokens of the name itself
	single  bool
	orgKind string
	gender  uint8
	place   bool
}

// joinToks joins the text of tokens [a, b) with single spaces (full stops
// attach to the word before).
func joinToks(ts []tok, a, b int) string {
	var sb strings.Builder
	for k := a; k < b; k++ {
		w := ts[k].w
		if k == b-1 {
			w = stripPoss(w)
		}
		if k > a && !(ts[k].kind == tkPunct && ts[k].w == ".") {
			sb.WriteByte(' ')
		}
		sb.WriteString(w)
	}
	return sb.String()
}

func lowerJoin(ts []tok, a, b int) string {
	var sb strings.Builder
	for k := a; k < b; k++ {
		if ts[k].kind == tkPunct {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		w := ts[k].lw
		if k == b-1 {
			w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "'")
		}
		sb.WriteString(w)
	}
	return sb.String()
}

// classify interprets a name run [a, b).
func classify(ts []tok, a, b int) nameInfo {
	// strip capitalised function words at the start (The, But, He ...)
	for a < b && ts[a].has(wcStop) && !ts[a].is(fAllCap) && !ts[a].has(wcTitle) {
		if ts[a].lw == "the" {
			low := lowerJoin(ts, a, b)
			if _, ok := knownOrgs[low]; ok {
				break
			}
		}
		a++
	}
	for a < b && ts[a].kind == tkPunct {
		a++
	}
	if a >= b {
		return nameInfo{}
	}
	low := lowerJoin(ts, a, b)
	if kind, ok := knownOrgs[low]; ok && (b-a > 1 || ts[a].is(fCap)) {
		if b-a == 1 && len(low) <= 3 && !ts[a].is(fAllCap) {
			// "Who", "Ice": only the capitalised acronym is the organisation
		} else {
			return nameInfo{kind: entOrg, name: joinToks(ts, a, b), a: a, b: b, orgKind: kind}
		}
	}
	if multiPlaces[low] || (b-a == 1 && lex.has(low, wcPlace)) {
		return nameInfo{name: joinToks(ts, a, b), a: a, b: b, place: true}
	}
	// the last title word splits role from name
	lastTitle := -1
	for k := a; k < b; k++ {
		if ts[k].has(wcTitle) && ts[k].kind == tkWord {
			lastTitle = k
		}
	}
	nameStart := a
	if lastTitle >= 0 {
		nameStart = lastTitle + 1
		for nameStart < b && ts[nameStart].kind == tkPunct {
			nameStart++
		}
	}
	hasOrgHead := false
	for k := nameStart; k < b; k++ {
		if ts[k].has(wcOrgHead) && ts[k].is(fCap) {
			hasOrgHead = true
		}
	}
	if lastTitle >= 0 && nameStart < b && !hasOrgHead {
		ni := nameInfo{kind: entPerson, name: joinToks(ts, nameStart, b), desc: joinToks(ts, a, lastTitle+1), a: nameStart, b: b}
		ni.single = b-nameStart == 1
		ni.gender = genderOf(ts, a, b)
		return ni
	}
	orgHeadAnywhere := false
	for k := a; k < b; k++ {
		if ts[k].has(wcOrgHead) && ts[k].is(fCap) {
			orgHeadAnywhere = true
		}
	}
	if orgHeadAnywhere && b-a == 1 && !ts[a].is(fAllCap) {
		return nameInfo{} // "Police said": a common noun at the start of a sentence
	}
	if orgHeadAnywhere {
		// a title alone before an organisation word ("Police Chief") is not a name
		if lastTitle == b-1 {
			return nameInfo{}
		}
		return nameInfo{kind: entOrg, name: joinToks(ts, a, b), a: a, b: b, orgKind: orgKindOf(low)}
	}
	if lastTitle == b-1 {
		if b-a >= 2 && ts[a].has(wcGiven) {
			// "Jane Judge": a surname that is also a title
			return nameInfo{kind: entPerson, name: joinToks(ts, a, b), a: a, b: b, gender: genderOf(ts, a, a+1)}
		}
		return nameInfo{} // "Governor", "the Minnesota Governor": a role, resolved elsewhere
	}
	if b-a == 1 {
		t := &ts[a]
		if t.is(fAllCap) && !notAcronyms[strings.ToUpper(stripPoss(t.w))] && len([]rune(t.w)) <= 7 {
			return nameInfo{kind: entOrg, name: stripPoss(t.w), a: a, b: b, orgKind: "", single: true}
		}
		if t.is(fAllCap) {
			return nameInfo{}
		}
		return nameInfo{kind: entPerson, name: stripPoss(t.w), a: a, b: b, single: true, gender: genderOf(ts, a, b)}
	}
	// two to four capitalised words: a person, unless a place leads ("Minnesota Governor" handled above)
	if b-a > 4 || lex.has(strings.TrimSuffix(ts[b-1].lw, "'s"), wcThing) && !ts[a].has(wcGiven) {
		return nameInfo{}
	}
	if ts[a].has(wcPlace) && !ts[a].has(wcGiven) {
		// "Minneapolis Mayor" handled; "US Border" style: not a person
		return nameInfo{}
	}
	for k := a; k < b; k++ {
		if ts[k].is(fAllCap) && len(ts[k].w) > 3 {
			return nameInfo{}
		}
		if ts[k].is(fDigit) {
			return nameInfo{}
		}
	}
	return nameInfo{kind: entPerson, name: joinToks(ts, a, b), a: a, b: b, gender: genderOf(ts, a, b)}
}

func genderOf(ts []tok, a, b int) uint8 {
	for k := a; k < b; k++ {
		w := ts[k].lw
		if lex.has(w, wcMale) && !lex.has(w, wcFemale) {
			return genderMale
		}
		if lex.has(w, wcFemale) && !lex.has(w, wcMale) {
			return genderFemale
		}
	}
	return genderUnknown
}

// orgKindOf guesses an organisation's kind from its lower-case name.
func orgKindOf(low string) string {
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(" "+low+" ", " "+w+" ") {
				return true
			}
		}
		return false
	}
	switch {
	case has("university", "college", "institute of technology", "academy", "school"):
		return "academic"
	case has("party", "democrats", "republicans"):
		return "party"
	case has("news", "times", "post", "journal", "tribune", "herald", "gazette", "broadcasting", "television", "radio", "magazine", "press", "network", "chronicle", "telegraph", "guardian"):
		return "media"
	case has("department", "ministry", "agency", "police", "patrol", "administration", "government", "council", "court", "parliament", "senate", "congress", "bureau", "commission", "office", "army", "navy", "guard", "forces", "authority", "service", "state of", "city of", "reserve", "cabinet", "directorate", "tribunal", "prosecutors", "regulator", "embassy", "command", "corps", "brigade"):
		return "government"
	case has("inc", "corp", "corporation", "ltd", "llc", "plc", "company", "co", "bank", "airlines", "airways", "motors", "technologies", "labs", "systems", "holdings", "industries", "partners", "capital", "group",
		"semiconductor", "semiconductors", "electronics", "software", "networks", "solutions", "logistics", "mining", "oil", "gas", "petroleum", "chemicals", "steel", "insurance", "securities", "bancorp", "financial", "investments", "ventures", "realty", "properties", "hotels", "resorts", "entertainment", "studios", "pictures", "records", "games", "robotics", "dynamics", "devices", "instruments", "jewelers", "jewellers", "stores", "markets", "supermarkets", "motors", "brands", "air", "airline",
		"biologics", "pharmaceuticals", "pharma", "therapeutics", "biotech", "energy", "buses", "ferries", "railways", "rail", "foods", "brewery", "telecom", "telecoms", "media", "publishing", "automotive", "aerospace", "utilities", "water", "power", "lines", "coaches"):
		return "company"
	case has("foundation", "association", "union", "coalition", "alliance", "society", "trust", "watch", "fund", "campaign", "center", "centre", "league", "federation", "charity"):
		return "ngo"
	}
	return "other"
}
