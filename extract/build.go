package extract

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"claimgraph/graph"
)

// accents maps common accented Latin letters to ASCII for keys.
var accents = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'ā': "a", 'ą': "a", 'æ': "ae",
	'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ē': "e",
	'ę': "e", 'ě': "e", 'ğ': "g", 'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ī': "i", 'ı': "i", 'ł': "l",
	'ñ': "n", 'ń': "n", 'ň': "n", 'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'ō': "o",
	'ő': "o", 'œ': "oe", 'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ß': "ss", 'ť': "t", 'ú': "u", 'ù': "u",
	'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ý': "y", 'ÿ': "y", 'ž': "z", 'ź': "z", 'ż': "z",
}

// slug makes a readable key part: lower-case ASCII letters and digits
// joined by hyphens, at most max bytes.
func slug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case accents[r] != "":
			b.WriteString(accents[r])
			dash = false
		case r == '\'' || r == '’' || r == '.':
			// "O’Hara" -> ohara, "U.S." -> us
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= max {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > max {
		out = strings.Trim(out[:max], "-")
	}
	return out
}

// keyer hands out unique keys.
type keyer struct{ used map[string]bool }

func (k *keyer) take(base string) string {
	if base == "" || !graph.ValidKey(base) {
		base = "x-" + base
		if !graph.ValidKey(base) {
			base = "x"
		}
	}
	key := base
	for n := 2; k.used[key]; n++ {
		key = base + "-" + strconv.Itoa(n)
	}
	k.used[key] = true
	return key
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// build assembles the bundle.
func (d *document) build(meta Meta, opt Options, rep *Report) *graph.Bundle {
	ks := &keyer{used: make(map[string]bool, 8+len(d.reg.ents)+2*len(d.quotes)+len(d.figures))}
	hash := graph.ContentHash(d.text)
	srcKey := meta.Key
	if srcKey == "" || !graph.ValidKey(srcKey) {
		base := "article"
		if t := slug(d.title, 48); t != "" {
			base += "-" + t
		}
		srcKey = base + "-" + hash[:8]
	}
	srcKey = ks.take(srcKey)
	rep.SourceKey = srcKey
	src := &graph.Source{
		Key: srcKey, Kind: "article", Title: d.title, URL: meta.URL, PublishedAt: d.pub.String(),
		Language: meta.Language, Text: d.text, ContentSHA256: hash,
	}
	if src.Language == "" {
		src.Language = "en"
	}
	b := &graph.Bundle{}
	var people, orgs, sources, quotes, claims, figures []graph.Node

	// entities: every one a quote, figure or source uses, every person with
	// a full name, every organisation the text names clearly
	var platformOrgs = map[string]*entity{}
	entOf := func(name, kind string) *entity {
		if e := d.reg.lookup(name); e != nil && e.kind == entOrg {
			return e
		}
		e := d.reg.add(entOrg, name, 0)
		if e.orgKind == "" || e.orgKind == "other" {
			e.orgKind = kind
		}
		return e
	}
	var publisher *entity
	pubName := strings.TrimSpace(meta.Publisher)
	if pubName == "" {
		pubName = d.agency
	}
	if pubName != "" {
		publisher = entOf(pubName, "media")
		publisher.used = true
	}
	for _, q := range d.quotes {
		if q.spk != nil {
			q.spk.used = true
		}
		if q.ch != nil {
			if q.ch.author != nil {
				q.ch.author.used = true
			}
			if q.ch.other != nil {
				q.ch.other.used = true
			}
			if q.ch.platform != "" && platformOrgs[q.ch.platform] == nil {
				e := entOf(q.ch.platform, "media")
				e.used = true
				platformOrgs[q.ch.platform] = e
			}
		}
	}
	for _, f := range d.figures {
		if f.stated != nil {
			f.stated.used = true
		}
	}
	keep := func(e *entity) bool {
		if e.used {
			return true
		}
		if e.kind == entPerson {
			return strings.Contains(e.name, " ")
		}
		return len(e.aliases) > 0 || (e.orgKind != "" && e.orgKind != "other" && strings.Contains(e.name, " "))
	}
	for _, e := range d.reg.ents {
		if !keep(e) {
			continue
		}
		base := slug(e.name, 60)
		if base == "" {
			base = "entity-" + graph.ContentHash(e.name)[:10]
		}
		e.key = ks.take(base)
		if e.kind == entPerson {
			p := &graph.Person{Key: e.key, Name: e.name, Description: e.desc}
			if strings.Contains(e.name, " ") {
				e.addAlias(e.surname())
			}
			p.Aliases = cleanAliases(e.aliases, e.name)
			people = append(people, p)
		} else {
			k := e.orgKind
			if !graph.OneOf(k, graph.OrganisationKinds) {
				k = "other"
			}
			orgs = append(orgs, &graph.Organisation{Key: e.key, Name: e.name, Aliases: cleanAliases(e.aliases, e.name), Kind: k})
		}
	}
	if publisher != nil {
		src.Publisher = publisher.key
	}
	sources = append(sources, src)

	// channels
	chSeen := map[*channel]bool{}
	nCh := map[string]int{}
	addChannel := func(ch *channel) {
		if ch == nil || chSeen[ch] {
			return
		}
		chSeen[ch] = true
		short := map[string]string{"social_post": "post", "statement": "statement", "press_release": "release",
			"interview": "interview", "call": "call", "report": "report", "dataset": "data", "transcript": "transcript"}[ch.kind]
		if short == "" {
			short = "doc"
		}
		nCh[short]++
		ch.key = ks.take(srcKey + ":" + short + strconv.Itoa(nCh[short]))
		s := &graph.Source{Key: ch.key, Kind: ch.kind, Language: src.Language}
		if !graph.OneOf(s.Kind, graph.SourceKinds) {
			s.Kind = "other"
		}
		who := ""
		if ch.author != nil {
			who = ch.author.name
			s.Authors = append(s.Authors, ch.author.key)
		}
		if ch.other != nil && ch.other.key != "" && ch.other != ch.author {
			s.Authors = append(s.Authors, ch.other.key)
		}
		switch {
		case ch.kind == "social_post" && ch.platform != "":
			s.Title = strings.TrimSpace(who + " on " + ch.platform)
			if e := platformOrgs[ch.platform]; e != nil {
				s.Publisher = e.key
			}
		case ch.kind == "call" && ch.other != nil:
			s.Title = "Call between " + who + " and " + ch.other.name
		case ch.title != "":
			s.Title = strings.TrimSpace(upperFirst(ch.title) + " by " + who)
		default:
			s.Title = strings.TrimSpace(upperFirst(strings.ReplaceAll(ch.kind, "_", " ")) + " by " + who)
		}
		s.Title = strings.TrimSuffix(s.Title, " by")
		if ch.saidAt != "" {
			s.PublishedAt = ch.saidAt
		}
		sources = append(sources, s)
		src.DerivedFrom = append(src.DerivedFrom, graph.Derivation{Source: ch.key, Relation: "quotes"})
	}
	for i := range d.quotes {
		addChannel(d.quotes[i].ch)
	}
	rep.Channels = len(sources) - 1

	// quotes, in text order of their first code point
	order := make([]int, len(d.quotes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return lessQuote(&d.quotes[order[i]], &d.quotes[order[j]]) })
	for n, qi := range order {
		d.quotes[qi].key = ks.take(srcKey + ":q" + strconv.Itoa(n+1))
	}
	nClaim := 0
	for _, qi := range order {
		q := &d.quotes[qi]
		text := string(d.rs[q.s:q.e])
		gq := &graph.Quote{Key: q.key, Text: text, Source: srcKey, Span: &graph.Span{Start: q.s, End: q.e},
			Cue: q.cue, Mode: q.mode, SaidAt: q.saidAt, Certainty: q.certainty}
		if q.spk != nil {
			gq.Speaker = q.spk.key
		} else {
			rep.Unattributed++
		}
		if q.ch != nil {
			gq.Channel = q.ch.key
		}
		if q.reportedBy >= 0 {
			gq.ReportedBy = d.quotes[q.reportedBy].key
		}
		if q.claim && !opt.SkipClaims && q.mode == "indirect" {
			nClaim++
			c := &graph.Claim{Key: ks.take(srcKey + ":c" + strconv.Itoa(nClaim)), Text: upperFirst(text)}
			if q.spk != nil && q.reportedBy < 0 {
				// a claim is about what it says, not who says it: no about
			}
			claims = append(claims, c)
			gq.Claims = []string{c.Key}
		}
		switch q.mode {
		case "direct":
			rep.Direct++
		case "partial":
			rep.Partial++
		case "indirect":
			rep.Indirect++
		}
		quotes = append(quotes, gq)
	}
	for n := range d.figures {
		f := &d.figures[n]
		gf := &graph.Figure{Key: ks.take(srcKey + ":f" + strconv.Itoa(n+1)), Text: string(d.rs[f.s:f.e]), Value: f.value,
			ValueMax: f.valueMax, Unit: f.unit, Measure: f.measure, Period: f.period, Baseline: f.baseline,
			Change: f.change, Approx: f.approx, Source: srcKey, Span: &graph.Span{Start: f.s, End: f.e}}
		if f.stated != nil && f.stated.key != "" {
			gf.StatedBy = f.stated.key
		}
		if gf.Period != "" {
			if _, _, err := graph.ParsePeriod(gf.Period); err != nil {
				gf.Period = ""
			}
		}
		if gf.Baseline != "" {
			if _, _, err := graph.ParsePeriod(gf.Baseline); err != nil {
				gf.Baseline = ""
			}
		}
		figures = append(figures, gf)
	}
	for _, group := range [][]graph.Node{people, orgs, sources, quotes, claims, figures} {
		b.Nodes = append(b.Nodes, group...)
	}
	rep.Quotes, rep.Figures, rep.People, rep.Organisations, rep.Claims = len(quotes), len(figures), len(people), len(orgs), len(claims)
	if rep.Unattributed > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d quote(s) without a speaker", rep.Unattributed))
	}
	return b
}

func lessQuote(a, b *quoteOut) bool {
	if a.s != b.s {
		return a.s < b.s
	}
	return a.e > b.e
}

// cleanAliases drops empty aliases and the name itself, keeping order.
func cleanAliases(as []string, name string) []string {
	var out []string
	seen := map[string]bool{strings.ToLower(name): true}
	for _, a := range as {
		a = strings.TrimSpace(a)
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		seen[strings.ToLower(a)] = true
		out = append(out, a)
	}
	return out
}
