// Package gen generates synthetic claimgraph corpora shaped like news, for
// benchmarks and load tests: deterministic by seed, streamed record by
// record so that ten million quotes take the memory of their sources, not
// of their quotes.
//
// # Shape
//
// For Options.Quotes = N the corpus holds about N/250 organisations (media
// outlets, social platforms, government bodies with parent bodies,
// companies, NGOs, parties, universities), N/25 people with aliases and
// affiliations, N/5 sources of every kind (articles, social posts,
// statements, press releases, transcripts, broadcasts, interviews, calls,
// reports, datasets) published over seven and a half years from 2019, N/10
// claims, N quotes and N/5 figures, and links between them.
//
//   - Speakers are skewed: a Zipf law over people (85% of quotes) and
//     organisations (15%), so a few speak a lot and most speak rarely.
//     Social posts are spoken by their author, statements often by their
//     publisher.
//   - Quotes come in groups per source (several per article, one or two per
//     post). A fifth are nested: reported by an earlier quote of the same
//     source (chains of two to four attributions), with an indirect or
//     paraphrase mode, a nesting cue and sometimes a channel (a call).
//     Articles derive from the posts, statements and calls they quote
//     (relation quotes) and cite reports and datasets; an outer quote's
//     channel is one of those, spoken by that channel's author.
//   - Claims are expressed by about a third of the quotes, popular claims
//     (Zipf) by many. Figures carry measures, units, periods, baselines,
//     changes and sometimes ranges, stated mostly by organisations in
//     reports and datasets. Links: most figures support or contradict a
//     claim (contradictions with a reason), a few figures contradict other
//     figures, claims contradict claims, quotes respond to quotes.
//   - Text is put together from templates and word lists (words.go), with
//     accents and typographic apostrophes here and there; no prose.
//
// # Determinism
//
// The same Options give the same records in the same order, and so the same
// bytes from WriteJSONL; another seed gives another corpus of the same
// shape. Each section of the corpus draws from its own PCG stream derived
// from the seed.
//
// # Order
//
// Records come in bundle order and every reference points to a record that
// came before it: organisations (parents first), people, sources (a source
// derives only from earlier ones), claims, quotes (grouped by source; a
// quote is reported only by an earlier one), figures, links. A bundle cut
// after any record therefore validates on its own, and a stream can be
// imported in chunks.
package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"claimgraph/graph"
)

// Options choose a corpus.
type Options struct {
	// Quotes is the number of quotes; the other kinds scale with it.
	Quotes int
	// Seed selects the corpus; the same seed gives the same corpus.
	Seed uint64
}

// Sizes are the numbers of records of each kind a corpus holds (links are
// counted as they are drawn, so Sizes leaves them out).
type Sizes struct {
	Organisations, People, Sources, Claims, Quotes, Figures int
}

// SizesOf returns the sizes of the corpus opt describes.
func SizesOf(opt Options) Sizes {
	n := opt.Quotes
	return Sizes{
		Organisations: max(12, n/250),
		People:        max(40, n/25),
		Sources:       max(20, n/5),
		Claims:        max(10, n/10),
		Quotes:        n,
		Figures:       max(10, n/5),
	}
}

// Record is one record of a corpus: a node or a link.
type Record struct {
	Node graph.Node  // set for a node
	Link *graph.Link // set for a link
}

// ErrStop, returned by a Walk callback, ends the walk early without error.
var ErrStop = errors.New("gen: stop")

// Walk generates the corpus opt describes and calls fn with each record in
// bundle order (see the package documentation). An error from fn ends the
// walk and is returned, except ErrStop, which ends it with nil.
func Walk(opt Options, fn func(Record) error) error {
	if opt.Quotes < 1 {
		return fmt.Errorf("gen: quotes must be at least 1, got %d", opt.Quotes)
	}
	g := newGenerator(opt)
	err := g.run(fn)
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// Generate returns the whole corpus as a bundle, in Walk's order.
func Generate(opt Options) (*graph.Bundle, error) {
	sz := SizesOf(opt)
	b := &graph.Bundle{Nodes: make([]graph.Node, 0, sz.Organisations+sz.People+sz.Sources+sz.Claims+sz.Quotes+sz.Figures)}
	err := Walk(opt, func(r Record) error {
		if r.Node != nil {
			b.Nodes = append(b.Nodes, r.Node)
		} else {
			b.Links = append(b.Links, *r.Link)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// WriteJSONL writes the corpus as bundle/1 JSON Lines, record by record, in
// the format graph.EncodeJSONL writes (a header line, then one compact
// record per line with "type" first). Memory stays flat in the number of
// quotes.
func WriteJSONL(w io.Writer, opt Options) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "{\"claimgraph\":%q}\n", graph.FormatVersion)
	var rec bytes.Buffer
	enc := json.NewEncoder(&rec)
	enc.SetEscapeHTML(false)
	err := Walk(opt, func(r Record) error {
		rec.Reset()
		var typ string
		var v any
		if r.Node != nil {
			typ, v = r.Node.NodeKind().String(), r.Node
		} else {
			typ, v = "link", r.Link
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
		bw.WriteString(`{"type":"`)
		bw.WriteString(typ)
		bw.WriteString(`",`)
		_, err := bw.Write(rec.Bytes()[1:])
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// Key helpers: the keys of the i-th record of each kind.
func orgKey(i int) string    { return "o-" + strconv.Itoa(i) }
func personKey(i int) string { return "p-" + strconv.Itoa(i) }
func sourceKey(i int) string { return "s-" + strconv.Itoa(i) }
func claimKey(i int) string  { return "c-" + strconv.Itoa(i) }
func quoteKey(i int) string  { return "q-" + strconv.Itoa(i) }
func figureKey(i int) string { return "f-" + strconv.Itoa(i) }

// Source kinds, as indexes into sourceKinds.
const (
	skArticle = iota
	skPost
	skStatement
	skPressRelease
	skTranscript
	skBroadcast
	skInterview
	skCall
	skReport
	skDataset
	nSourceKinds
)

var sourceKinds = [nSourceKinds]string{"article", "social_post", "statement", "press_release", "transcript", "broadcast", "interview", "call", "report", "dataset"}

// sourceWeights are the shares of each source kind, in per mille.
var sourceWeights = [nSourceKinds]int{500, 150, 60, 40, 40, 30, 40, 40, 50, 50}

// quoteWeights are the relative numbers of quotes per source of each kind
// (0: sources that hold no quotes).
var quoteWeights = [nSourceKinds]float64{1, 0.2, 0.4, 0.4, 1, 0.8, 1, 0, 0, 0}

// Organisation kinds, as indexes into graph.OrganisationKinds order used
// here.
const (
	okMedia = iota
	okGovernment
	okCompany
	okNGO
	okParty
	okAcademic
	nOrgKinds
)

var orgKinds = [nOrgKinds]string{"media", "government", "company", "ngo", "party", "academic"}
var orgWeights = [nOrgKinds]int{300, 250, 200, 100, 50, 100}

// srcInfo is what later sections need to know of a source.
type srcInfo struct {
	kind    uint8
	day     int32 // days since 1970-01-01 of published_at
	speaker int32 // agent index of a post's author or a statement's publisher; -1 otherwise
	chans   [2]int32
	nChans  uint8
}

// generator holds the state carried from one section to the next: small
// per-organisation and per-source facts, never per-quote ones.
type generator struct {
	opt Options
	sz  Sizes

	orgKind   []uint8
	orgName   []string
	orgByKind [nOrgKinds][]int32
	platforms []int32

	src       []srcInfo
	srcByKind [nSourceKinds][]int32
	quoteMass float64 // sum of quoteWeights over sources
	bearing   bool    // some source holds quotes by its kind

	// permutations of agent and claim ranks, so that the heavy speakers
	// and popular claims are spread over the key space.
	peopleStride, orgStride, claimStride int
}

func newGenerator(opt Options) *generator {
	sz := SizesOf(opt)
	return &generator{
		opt:          opt,
		sz:           sz,
		peopleStride: coprimeStride(sz.People),
		orgStride:    coprimeStride(sz.Organisations),
		claimStride:  coprimeStride(sz.Claims),
	}
}

// coprimeStride returns a stride coprime with n, so that i*stride mod n
// permutes 0..n-1.
func coprimeStride(n int) int {
	s := 7919
	for gcd(s, n) != 1 {
		s++
	}
	return s
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Sections of the corpus, each with its own random stream.
const (
	streamOrgs = iota + 1
	streamPeople
	streamSources
	streamClaims
	streamQuotes
	streamFigures
	streamLinks
)

func (g *generator) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.opt.Seed, stream*0x9e3779b97f4a7c15))
}

func (g *generator) run(fn func(Record) error) error {
	for _, section := range []func(func(Record) error) error{
		g.organisations, g.people, g.sources, g.claims, g.quotes, g.figures, g.links,
	} {
		if err := section(fn); err != nil {
			return err
		}
	}
	return nil
}

// pick returns an element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// weighted returns an index drawn with the weights.
func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// acronym returns the initials of the capitalised words of name ("Ministry
// of Water" -> "MW"), or "" when there are fewer than two.
func acronym(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r := []rune(w)[0]
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 2 {
		return ""
	}
	return b.String()
}

// slug makes a URL path part from text.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func (g *generator) organisations(fn func(Record) error) error {
	r := g.rng(streamOrgs)
	n := g.sz.Organisations
	g.orgKind = make([]uint8, n)
	g.orgName = make([]string, n)
	for i := range n {
		o := &graph.Organisation{Key: orgKey(i)}
		k := okMedia
		if i >= len(platformNames) {
			k = weighted(r, orgWeights[:])
		}
		switch {
		case i < len(platformNames):
			o.Name = platformNames[i]
			o.Description = "social media platform"
			g.platforms = append(g.platforms, int32(i))
		case k == okMedia:
			o.Name = pick(r, places) + " " + pick(r, mediaSuffixes)
		case k == okGovernment:
			switch r.IntN(4) {
			case 0:
				o.Name = "Ministry of " + titleCase(pick(r, topics))
			case 1:
				o.Name = pick(r, places) + " City Council"
			case 2:
				o.Name = pick(r, places) + " Police Department"
			default:
				o.Name = pick(r, places) + " Statistics Office"
			}
		case k == okCompany:
			o.Name = pick(r, orgWords) + " " + pick(r, companySuffixes)
		case k == okNGO:
			if r.IntN(2) == 0 {
				o.Name = titleCase(pick(r, topics)) + " Watch " + pick(r, places)
			} else {
				o.Name = "Friends of " + pick(r, places)
			}
		case k == okParty:
			o.Name = pick(r, partyWords) + " Party of " + pick(r, places)
		case k == okAcademic:
			if r.IntN(2) == 0 {
				o.Name = "University of " + pick(r, places)
			} else {
				o.Name = pick(r, places) + " Institute for " + titleCase(pick(r, topics)) + " Research"
			}
		}
		o.Kind = orgKinds[k]
		if a := acronym(o.Name); a != "" && chance(r, 0.6) {
			o.Aliases = []string{a}
		}
		if same := g.orgByKind[k]; i >= len(platformNames) && len(same) > 0 && chance(r, 0.3) {
			o.Parent = orgKey(int(pick(r, same)))
		}
		if chance(r, 0.2) {
			o.IDs = map[string]string{"wikidata": "Q" + strconv.Itoa(100000+r.IntN(9000000))}
		}
		g.orgKind[i] = uint8(k)
		g.orgName[i] = o.Name
		if i >= len(platformNames) {
			g.orgByKind[k] = append(g.orgByKind[k], int32(i))
		}
		if err := fn(Record{Node: o}); err != nil {
			return err
		}
	}
	// Small corpora may lack a kind: fall back to any non-platform outlet.
	for k := range g.orgByKind {
		if len(g.orgByKind[k]) == 0 {
			for i := len(platformNames); i < n; i++ {
				g.orgByKind[k] = append(g.orgByKind[k], int32(i))
			}
		}
	}
	return nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (g *generator) people(fn func(Record) error) error {
	r := g.rng(streamPeople)
	for i := range g.sz.People {
		first, last := pick(r, firstNames), pick(r, surnames)
		p := &graph.Person{Key: personKey(i), Name: first + " " + last}
		if chance(r, 0.3) {
			p.Name = first + " " + string(rune('A'+r.IntN(26))) + ". " + last
		}
		p.Aliases = []string{last}
		if chance(r, 0.25) {
			p.Aliases = append(p.Aliases, string([]rune(first)[:1])+". "+last)
		}
		if chance(r, 0.7) {
			org := g.anyOrg(r)
			role := pick(r, roles)
			p.Affiliations = []graph.Affiliation{{Organisation: orgKey(org), Role: role}}
			if chance(r, 0.4) {
				p.Description = titleCase(role) + ", " + g.orgName[org]
			}
			if chance(r, 0.15) {
				from := 2005 + r.IntN(12)
				prev := g.anyOrg(r)
				if prev != org {
					p.Affiliations = append(p.Affiliations, graph.Affiliation{
						Organisation: orgKey(prev), Role: pick(r, roles),
						From: fmt.Sprintf("%d-%02d-01", from, 1+r.IntN(12)), To: fmt.Sprintf("%d-%02d-01", from+1+r.IntN(6), 1+r.IntN(12)),
					})
				}
			}
		}
		if chance(r, 0.3) {
			p.IDs = map[string]string{"wikidata": "Q" + strconv.Itoa(1000000+r.IntN(90000000))}
		}
		if err := fn(Record{Node: p}); err != nil {
			return err
		}
	}
	return nil
}

// anyOrg returns an organisation that is not a platform.
func (g *generator) anyOrg(r *rand.Rand) int {
	n := g.sz.Organisations
	return len(platformNames) + r.IntN(n-len(platformNames))
}

// agentKey returns the key of agent a: people 0..People-1, then
// organisations.
func (g *generator) agentKey(a int32) string {
	if int(a) < g.sz.People {
		return personKey(int(a))
	}
	return orgKey(int(a) - g.sz.People)
}

// speakers draws agents with a Zipf law over people (85%) and
// organisations (15%); ranks are spread over the keys by a stride.
type speakers struct {
	g            *generator
	r            *rand.Rand
	people, orgs *rand.Zipf
}

func (g *generator) newSpeakers(r *rand.Rand) *speakers {
	return &speakers{
		g: g, r: r,
		people: rand.NewZipf(r, 1.15, 3, uint64(g.sz.People-1)),
		orgs:   rand.NewZipf(r, 1.3, 2, uint64(g.sz.Organisations-1)),
	}
}

func (s *speakers) next() int32 {
	g := s.g
	if chance(s.r, 0.85) {
		return int32(int(s.people.Uint64()) * g.peopleStride % g.sz.People)
	}
	return int32(g.sz.People + int(s.orgs.Uint64())*g.orgStride%g.sz.Organisations)
}

// org draws an organisation agent with the Zipf law.
func (s *speakers) org() int32 {
	g := s.g
	return int32(g.sz.People + int(s.orgs.Uint64())*g.orgStride%g.sz.Organisations)
}

// corpus time span: sources are published from start over span.
var (
	start = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	span  = 7*365*24*time.Hour + 182*24*time.Hour
)

func dayOf(t time.Time) int32        { return int32(t.Unix() / 86400) }
func dateOf(day int32) time.Time     { return time.Unix(int64(day)*86400, 0).UTC() }
func dateString(day int32) string    { return dateOf(day).Format(time.DateOnly) }
func monthString(t time.Time) string { return t.Format("2006-01") }

// earlier returns a random source of kind k published before source i, or
// -1.
func (g *generator) earlier(r *rand.Rand, k int, i int) int32 {
	list := g.srcByKind[k]
	n, _ := slices.BinarySearch(list, int32(i))
	if n == 0 {
		return -1
	}
	// Prefer recent ones: half the time from the last 200.
	if n > 200 && r.IntN(2) == 0 {
		return list[n-1-r.IntN(200)]
	}
	return list[r.IntN(n)]
}

func (g *generator) sources(fn func(Record) error) error {
	r := g.rng(streamSources)
	sp := g.newSpeakers(r)
	n := g.sz.Sources
	g.src = make([]srcInfo, n)
	media := g.orgByKind[okMedia]
	mediaZipf := rand.NewZipf(r, 1.2, 2, uint64(len(media)-1))
	step := span / time.Duration(n)
	for i := range n {
		k := weighted(r, sourceWeights[:])
		at := start.Add(step*time.Duration(i) + time.Duration(r.Int64N(int64(48*time.Hour)))).Truncate(time.Minute)
		s := &graph.Source{Key: sourceKey(i), Kind: sourceKinds[k], PublishedAt: at.Format(time.RFC3339)}
		info := srcInfo{kind: uint8(k), day: dayOf(at), speaker: -1}
		topic := r.IntN(len(topics))
		title := func() string { return fill(r, pick(r, titleTemplates), topic) }
		outlet := func() int { return int(media[mediaZipf.Uint64()]) }
		switch k {
		case skArticle, skTranscript, skBroadcast, skInterview:
			pub := outlet()
			s.Publisher = orgKey(pub)
			s.Title = title()
			if k == skInterview {
				s.Title = "Interview: " + s.Title
			}
			s.URL = fmt.Sprintf("https://%s.example/%s/%d-%s", slug(g.orgName[pub]), at.Format("2006/01"), i, slug(s.Title))
			for range 1 + r.IntN(2) {
				if a := personKey(r.IntN(g.sz.People)); !slices.Contains(s.Authors, a) {
					s.Authors = append(s.Authors, a)
				}
			}
			// The posts, statements and calls it quotes, and the
			// reports and datasets it cites.
			for _, ck := range []int{skPost, skStatement, skCall, skPressRelease} {
				if info.nChans < 2 && chance(r, 0.3) {
					if c := g.earlier(r, ck, i); c >= 0 && (info.nChans == 0 || info.chans[0] != c) {
						info.chans[info.nChans] = c
						info.nChans++
						s.DerivedFrom = append(s.DerivedFrom, graph.Derivation{Source: sourceKey(int(c)), Relation: "quotes"})
					}
				}
			}
			if chance(r, 0.2) {
				if c := g.earlier(r, skReport+r.IntN(2), i); c >= 0 {
					s.DerivedFrom = append(s.DerivedFrom, graph.Derivation{Source: sourceKey(int(c)), Relation: "cites"})
				}
			}
		case skPost:
			plat := int(pick(r, g.platforms))
			author := sp.next()
			info.speaker = author
			s.Publisher = orgKey(plat)
			s.Authors = []string{g.agentKey(author)}
			s.URL = fmt.Sprintf("https://%s.example/%s/status/%d", slug(g.orgName[plat]), g.agentKey(author), i)
		case skStatement, skPressRelease:
			org := sp.org()
			info.speaker = org
			s.Publisher = g.agentKey(org)
			s.Authors = []string{g.agentKey(org)}
			s.Title = "Statement on " + topicNoun(r, topic)
			if k == skPressRelease {
				s.Title = titleCase(title())
			}
			s.URL = fmt.Sprintf("https://%s.example/news/%d", slug(g.orgName[int(org)-g.sz.People]), i)
		case skCall:
			a, b := personKey(r.IntN(g.sz.People)), personKey(r.IntN(g.sz.People))
			s.Authors = []string{a}
			if b != a {
				s.Authors = append(s.Authors, b)
			}
			s.Title = "Phone call"
		case skReport, skDataset:
			var org int
			switch r.IntN(3) {
			case 0:
				org = int(pick(r, g.orgByKind[okGovernment]))
			case 1:
				org = int(pick(r, g.orgByKind[okAcademic]))
			default:
				org = int(pick(r, g.orgByKind[okNGO]))
			}
			s.Publisher = orgKey(org)
			s.Title = fmt.Sprintf("%s: %s %d", g.orgName[org], titleCase(topicNoun(r, topic)), at.Year())
			s.URL = fmt.Sprintf("https://%s.example/data/%d", slug(g.orgName[org]), i)
			if k == skReport && chance(r, 0.3) {
				if c := g.earlier(r, skDataset, i); c >= 0 {
					s.DerivedFrom = []graph.Derivation{{Source: sourceKey(int(c)), Relation: "summarises"}}
				}
			}
		}
		if chance(r, 0.1) {
			s.Language = pick(r, languages)
		}
		if chance(r, 0.05) {
			s.UpdatedAt = at.Add(time.Duration(1+r.IntN(72)) * time.Hour).Format(time.RFC3339)
		}
		if s.URL != "" && chance(r, 0.3) {
			s.RetrievedAt = at.Add(time.Duration(1+r.IntN(90*24)) * time.Hour).Format(time.RFC3339)
		}
		g.src[i] = info
		g.srcByKind[k] = append(g.srcByKind[k], int32(i))
		g.quoteMass += quoteWeights[k]
		if err := fn(Record{Node: s}); err != nil {
			return err
		}
	}
	g.bearing = g.quoteMass > 0
	if !g.bearing { // a tiny corpus without any quote-bearing source
		g.quoteMass = float64(n)
	}
	return nil
}

// topicNoun returns a noun of the topic.
func topicNoun(r *rand.Rand, topic int) string { return pick(r, topicNouns[topic]) }

// fill fills a template's slots (see quoteTemplates) on one topic.
func fill(r *rand.Rand, tmpl string, topic int) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 || i+2 >= len(tmpl) || tmpl[i+2] != '}' {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		switch tmpl[i+1] {
		case 'n':
			b.WriteString(topicNoun(r, topic))
		case 'a':
			b.WriteString(pick(r, adjectives))
		case 'v':
			b.WriteString(pick(r, verbs))
		case 'd':
			b.WriteString(pick(r, directions))
		case 'p':
			b.WriteString(pick(r, places))
		case 't':
			b.WriteString(pick(r, timesAgo))
		case 'f':
			b.WriteString(pick(r, fillers))
		case 'x':
			b.WriteString(strconv.Itoa(2 + r.IntN(98)))
		case 'o':
			b.WriteString(pick(r, orgWords))
		}
		tmpl = tmpl[i+3:]
	}
}

func (g *generator) claims(fn func(Record) error) error {
	r := g.rng(streamClaims)
	sp := g.newSpeakers(r)
	for i := range g.sz.Claims {
		topic := r.IntN(len(topics))
		c := &graph.Claim{Key: claimKey(i), Text: fill(r, pick(r, claimTemplates), topic), Topics: []string{topics[topic]}}
		if chance(r, 0.3) {
			if t := topics[r.IntN(len(topics))]; t != c.Topics[0] {
				c.Topics = append(c.Topics, t)
			}
		}
		if chance(r, 0.2) {
			c.About = []string{g.agentKey(sp.next())}
		}
		if err := fn(Record{Node: c}); err != nil {
			return err
		}
	}
	return nil
}

// claimPicker draws claims with a Zipf law: popular claims are expressed
// and argued about often.
type claimPicker struct {
	g *generator
	z *rand.Zipf
}

func (g *generator) newClaims(r *rand.Rand) claimPicker {
	return claimPicker{g, rand.NewZipf(r, 1.1, 5, uint64(g.sz.Claims-1))}
}

func (c claimPicker) next() int { return int(c.z.Uint64()) * c.g.claimStride % c.g.sz.Claims }

// quoteText makes a quote's words: one to three clauses on one topic.
func quoteText(r *rand.Rand) string {
	topic := r.IntN(len(topics))
	parts := []string{fill(r, pick(r, quoteTemplates), topic)}
	for len(parts) < 3 && chance(r, 0.35) {
		parts = append(parts, fill(r, pick(r, quoteTemplates), topic))
	}
	return strings.Join(parts, ", and ")
}

func (g *generator) quotes(fn func(Record) error) error {
	r := g.rng(streamQuotes)
	sp := g.newSpeakers(r)
	cl := g.newClaims(r)
	n := g.sz.Quotes
	perUnit := float64(n) / g.quoteMass // quotes per unit of quoteWeights
	// Nesting needs an earlier quote in the group: raise the chance of the
	// quotes that have one so that a fifth of all quotes are nested.
	mean := max(perUnit, 1.01)
	pNested := min(0.9, 0.2/(1-1/mean))
	calls := g.srcByKind[skCall]
	var group []*graph.Quote
	next := 0
	for next < n {
		for si := range g.src {
			if next >= n {
				break
			}
			info := g.src[si]
			w := quoteWeights[info.kind]
			if !g.bearing {
				w = 1
			}
			if w == 0 {
				continue
			}
			m := w * perUnit // mean group size for this source
			k := 1
			if m > 1 {
				// 1 + geometric with mean m-1.
				p := 1 / m
				k = 1 + int(math.Log(1-r.Float64())/math.Log(1-p))
				k = min(k, int(10*m)+1)
			} else if !chance(r, m) {
				continue
			}
			k = min(k, n-next)
			group = group[:0]
			for j := range k {
				q := &graph.Quote{Key: quoteKey(next), Source: sourceKey(si), Mode: "direct"}
				next++
				q.Text = quoteText(r)
				said := info.day - int32(r.IntN(3))
				q.Speaker = g.agentKey(sp.next())
				nested := j > 0 && chance(r, pNested)
				if !nested && info.speaker >= 0 && (info.kind == skPost || chance(r, 0.7)) {
					q.Speaker = g.agentKey(info.speaker)
				}
				if nested {
					outer := group[len(group)-1]
					if r.IntN(3) == 0 {
						outer = pick(r, group)
					}
					q.ReportedBy = outer.Key
					q.Cue = pick(r, cuesNested)
					q.Mode = []string{"indirect", "paraphrase", "partial"}[r.IntN(3)]
					if chance(r, 0.5) {
						q.Certainty = []string{"probable", "possible", "certain"}[r.IntN(3)]
					}
					if len(calls) > 0 && chance(r, 0.3) {
						c := calls[r.IntN(len(calls))]
						q.Channel = sourceKey(int(c))
						said = g.src[c].day
					}
				} else {
					q.Cue = pick(r, cuesDirect)
					if info.nChans > 0 && chance(r, 0.6) {
						c := info.chans[r.IntN(int(info.nChans))]
						q.Channel = sourceKey(int(c))
						said = g.src[c].day
						if s := g.src[c].speaker; s >= 0 {
							q.Speaker = g.agentKey(s)
						}
						if g.src[c].kind == skPost {
							q.Cue = "posted"
						}
					}
					switch x := r.IntN(10); {
					case x < 2:
						q.Mode = "partial"
					case x < 3:
						q.Mode = "indirect"
					case x < 4:
						q.Mode = "paraphrase"
					}
				}
				if chance(r, 0.7) {
					q.SaidAt = dateString(said)
				}
				if chance(r, 0.3) {
					q.Claims = []string{claimKey(cl.next())}
					if chance(r, 0.15) {
						if c2 := claimKey(cl.next()); c2 != q.Claims[0] {
							q.Claims = append(q.Claims, c2)
						}
					}
				}
				group = append(group, q)
			}
			for _, q := range group {
				if err := fn(Record{Node: q}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (g *generator) figures(fn func(Record) error) error {
	r := g.rng(streamFigures)
	sp := g.newSpeakers(r)
	data := append(append([]int32(nil), g.srcByKind[skReport]...), g.srcByKind[skDataset]...)
	for i := range g.sz.Figures {
		topic := r.IntN(len(topics))
		noun := topicNoun(r, topic)
		mu := pick(r, measureUnits)
		f := &graph.Figure{Key: figureKey(i), Unit: mu.unit, Measure: noun + " " + mu.measure, Subject: pick(r, places)}
		year := 2018 + r.IntN(8)
		switch mu.unit {
		case "percent":
			f.Value = float64(1+r.IntN(800)) / 10
		case "usd":
			f.Value = float64(1000 * (1 + r.IntN(1000000)))
		case "per_100k":
			f.Value = float64(1+r.IntN(5000)) / 10
		default:
			f.Value = float64(1 + r.IntN(100000))
		}
		if r.IntN(2) == 0 {
			f.Period = strconv.Itoa(year)
		} else {
			f.Period = monthString(time.Date(year, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC))
		}
		if mu.measure == "year-on-year change" || chance(r, 0.2) {
			f.Change = []string{"increase", "decrease"}[r.IntN(2)]
			f.Baseline = strconv.Itoa(year - 1)
		}
		if chance(r, 0.05) {
			vmax := f.Value * (1.1 + r.Float64())
			vmax = math.Round(vmax*10) / 10
			f.ValueMax = &vmax
		}
		f.Approx = chance(r, 0.2)
		switch {
		case f.Change == "decrease":
			f.Text = fmt.Sprintf("%s%% fewer %s", trimFloat(f.Value), noun)
		case f.Change == "increase":
			f.Text = fmt.Sprintf("%s%% more %s", trimFloat(f.Value), noun)
		default:
			f.Text = fmt.Sprintf("%s %s of %s in %s", trimFloat(f.Value), mu.unit, noun, f.Subject)
		}
		if chance(r, 0.7) {
			f.StatedBy = g.agentKey(sp.org())
		} else {
			f.StatedBy = g.agentKey(sp.next())
		}
		if len(data) > 0 && chance(r, 0.6) {
			f.Source = sourceKey(int(pick(r, data)))
		} else if chance(r, 0.8) {
			f.Source = sourceKey(r.IntN(g.sz.Sources))
		}
		if i > 0 && chance(r, 0.1) {
			f.DerivedFrom = []string{figureKey(r.IntN(i))}
		}
		if err := fn(Record{Node: f}); err != nil {
			return err
		}
	}
	return nil
}

// trimFloat formats a figure's value without a trailing ".0".
func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var linkNotes = []string{"police statistics", "official figures", "fact check", "different counting method",
	"preliminary data", "survey, not a count", "covers the whole region", "before the revision"}

func (g *generator) links(fn func(Record) error) error {
	r := g.rng(streamLinks)
	cl := g.newClaims(r)
	emit := func(l graph.Link) error {
		if chance(r, 0.2) {
			l.Note = pick(r, linkNotes)
		}
		if chance(r, 0.1) {
			l.By = "curator:" + slug(pick(r, surnames))
			l.At = dateOf(dayOf(start) + int32(r.IntN(int(span.Hours()/24)))).Format(time.RFC3339)
		}
		return fn(Record{Link: &l})
	}
	reason := func() string { return pick(r, graph.ContradictionReasons) }
	for i := range g.sz.Figures {
		switch x := r.IntN(100); {
		case x < 60:
			if err := emit(graph.Link{From: figureKey(i), To: claimKey(cl.next()), Relation: graph.RelSupports}); err != nil {
				return err
			}
		case x < 85:
			if err := emit(graph.Link{From: figureKey(i), To: claimKey(cl.next()), Relation: graph.RelContradicts, Reason: reason()}); err != nil {
				return err
			}
		}
		if i > 0 && chance(r, 0.05) {
			if err := emit(graph.Link{From: figureKey(i), To: figureKey(r.IntN(i)), Relation: graph.RelContradicts, Reason: reason()}); err != nil {
				return err
			}
		}
	}
	for i := 1; i < g.sz.Claims; i++ {
		if chance(r, 0.08) {
			if err := emit(graph.Link{From: claimKey(i), To: claimKey(r.IntN(i)), Relation: graph.RelContradicts, Reason: "factual"}); err != nil {
				return err
			}
		}
	}
	for i := 1; i < g.sz.Quotes; i++ {
		switch x := r.IntN(100); {
		case x < 2:
			if err := emit(graph.Link{From: quoteKey(i), To: quoteKey(r.IntN(i)), Relation: graph.RelRespondsTo}); err != nil {
				return err
			}
		case x < 3:
			if err := emit(graph.Link{From: quoteKey(i), To: claimKey(cl.next()), Relation: graph.RelContradicts, Reason: reason()}); err != nil {
				return err
			}
		}
	}
	return nil
}
