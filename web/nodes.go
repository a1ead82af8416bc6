package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"claimgraph/graph"
)

// node serves /n/{id}: the page of one node, by its kind.
func (b *browser) node(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	p, err := b.newPage(r, key)
	if err != nil {
		b.showError(w, r, p, err)
		return
	}
	p.ExportIDs = []string{key}
	var (
		tpl      string
		data     any
		redirect string
	)
	ctx := r.Context()
	err = b.view(ctx, p, func(rd graph.Reader) error {
		n, err := rd.Node(ctx, key)
		if errors.Is(err, graph.ErrNotFound) {
			// A merged key resolves to the node it was merged into.
			if to, rerr := rd.Resolve(ctx, []string{key}); rerr == nil && to[key] != "" && to[key] != key {
				redirect = p.Node(to[key])
				return nil
			}
			return fmt.Errorf("%w: no node has the key %q", graph.ErrNotFound, key)
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", key, err)
		}
		l := newLoader(ctx, rd, p)
		l.nodes[key] = n
		p.Title = kindTitle(n.NodeKind()) + ": " + label(n)
		switch n := n.(type) {
		case *graph.Person:
			tpl = "agent"
			data, err = l.agent(n, n.Name, n.Aliases, n.Description, n.IDs)
		case *graph.Organisation:
			tpl = "agent"
			data, err = l.agent(n, n.Name, n.Aliases, n.Description, n.IDs)
		case *graph.Quote:
			tpl = "quote"
			data, err = l.quote(n)
		case *graph.Claim:
			tpl = "claim"
			data, err = l.claim(n)
		case *graph.Figure:
			tpl = "figure"
			data, err = l.figure(n)
		case *graph.Source:
			tpl = "source"
			data, err = l.source(n)
		default:
			err = fmt.Errorf("node %s has an unknown kind %s", key, n.NodeKind())
		}
		return err
	})
	if err != nil {
		b.showError(w, r, p, err)
		return
	}
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	b.render(w, r, http.StatusOK, tpl, data)
}

// retraction returns the retraction of key, or nil (also when the store
// cannot tell).
func (l *loader) retraction(key string) *graph.Retraction {
	m, err := l.r.Retractions(l.ctx, []string{key})
	if err != nil {
		return nil
	}
	if rt, ok := m[key]; ok {
		return &rt
	}
	return nil
}

// nodeHeader is what every node page shows first.
type nodeHeader struct {
	*page
	Key       string
	Kind      string
	Retracted *graph.Retraction
}

func (l *loader) header(n graph.Node) nodeHeader {
	return nodeHeader{page: l.p, Key: n.NodeKey(), Kind: kindTitle(n.NodeKind()), Retracted: l.retraction(n.NodeKey())}
}

// idLink is one external identifier.
type idLink struct {
	Name, Value, URL string
}

// idLinks lists identifiers, linking the ones that have a known home.
func idLinks(ids map[string]string) []idLink {
	names := make([]string, 0, len(ids))
	for k := range ids {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]idLink, 0, len(names))
	for _, k := range names {
		v := ids[k]
		l := idLink{Name: k, Value: v}
		switch {
		case strings.EqualFold(k, "wikidata") && validWikidata(v):
			l.URL = "https://www.wikidata.org/wiki/" + v
		case strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://"):
			l.URL = v
		}
		out = append(out, l)
	}
	return out
}

// validWikidata reports whether v is a Wikidata item id (Q then digits).
func validWikidata(v string) bool {
	if len(v) < 2 || v[0] != 'Q' {
		return false
	}
	for _, c := range v[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// affRow is an affiliation: a person's organisation, or an organisation's
// member.
type affRow struct {
	Other    ref
	Role     string
	From, To string
}

// claimCount is a claim with how many of the agent's quotes express it.
type claimCount struct {
	Ref   ref
	Count int
}

// agentView is the page of a person or an organisation.
type agentView struct {
	nodeHeader
	Name         string
	Description  string
	Aliases      []string
	IDs          []idLink
	Affiliations []affRow
	// Organisations only.
	OrgKind   string
	Parent    *ref
	Children  []ref
	Members   []affRow
	Published []ref
	// Both.
	Authored     []ref
	Quotes       []quoteRow
	QuotesTotal  int
	Claims       []claimCount
	Figures      []figureFacts
	FiguresTotal int
	Links        []linkRow
}

func (l *loader) agent(n graph.Node, name string, aliases []string, desc string, ids map[string]string) (*agentView, error) {
	key := n.NodeKey()
	v := &agentView{nodeHeader: l.header(n), Name: name, Description: desc, Aliases: aliases, IDs: idLinks(ids)}
	var want []string
	switch n := n.(type) {
	case *graph.Person:
		for _, a := range n.Affiliations {
			want = append(want, a.Organisation)
		}
	case *graph.Organisation:
		v.OrgKind = n.Kind
		want = append(want, n.Parent)
		children, err := l.edges(graph.EdgeQuery{Key: key, Dir: graph.In, Relations: []graph.Relation{graph.RelParent}, Limit: listLimit})
		if err != nil {
			return nil, err
		}
		members, err := l.edges(graph.EdgeQuery{Key: key, Dir: graph.In, Relations: []graph.Relation{graph.RelAffiliation}, Limit: listLimit})
		if err != nil {
			return nil, err
		}
		published, err := l.edges(graph.EdgeQuery{Key: key, Dir: graph.In, Relations: []graph.Relation{graph.RelPublisher}, Limit: listLimit})
		if err != nil {
			return nil, err
		}
		if err := l.load(append(append(others(children, graph.In), others(members, graph.In)...), others(published, graph.In)...)...); err != nil {
			return nil, err
		}
		v.Children = l.refs(others(children, graph.In))
		for _, e := range members {
			row := affRow{Other: l.ref(e.From), Role: e.Qualifier}
			if p, ok := l.node(e.From).(*graph.Person); ok {
				for _, a := range p.Affiliations {
					if a.Organisation == key && a.Role == e.Qualifier {
						row.From, row.To = a.From, a.To
					}
				}
			}
			v.Members = append(v.Members, row)
		}
		v.Published = l.refs(others(published, graph.In))
	}
	if err := l.load(want...); err != nil {
		return nil, err
	}
	if p, ok := n.(*graph.Person); ok {
		for _, a := range p.Affiliations {
			v.Affiliations = append(v.Affiliations, affRow{Other: l.ref(a.Organisation), Role: a.Role, From: a.From, To: a.To})
		}
	}
	if o, ok := n.(*graph.Organisation); ok {
		v.Parent = l.refp(o.Parent)
	}

	authored, err := l.edges(graph.EdgeQuery{Key: key, Dir: graph.In, Relations: []graph.Relation{graph.RelAuthor}, Limit: listLimit})
	if err != nil {
		return nil, err
	}
	if err := l.load(others(authored, graph.In)...); err != nil {
		return nil, err
	}
	v.Authored = l.refs(others(authored, graph.In))

	quotes, total, err := l.capped(graph.EdgeQuery{Key: key, Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}, Kind: graph.KindQuote})
	if err != nil {
		return nil, err
	}
	v.QuotesTotal = total
	if v.Quotes, err = l.quoteRows(others(quotes, graph.In)); err != nil {
		return nil, err
	}
	sortByDate(v.Quotes)

	counts := map[string]int{}
	var claimKeys []string
	for _, e := range quotes {
		if q, ok := l.node(e.From).(*graph.Quote); ok {
			for _, c := range q.Claims {
				if counts[c] == 0 {
					claimKeys = append(claimKeys, c)
				}
				counts[c]++
			}
		}
	}
	if err := l.load(claimKeys...); err != nil {
		return nil, err
	}
	for _, c := range claimKeys {
		v.Claims = append(v.Claims, claimCount{Ref: l.ref(c), Count: counts[c]})
	}

	figs, ftotal, err := l.capped(graph.EdgeQuery{Key: key, Dir: graph.In, Relations: []graph.Relation{graph.RelStatedBy}, Kind: graph.KindFigure})
	if err != nil {
		return nil, err
	}
	v.FiguresTotal = ftotal
	if v.Figures, err = l.figureList(others(figs, graph.In)); err != nil {
		return nil, err
	}
	if v.Links, err = l.linkRows(key); err != nil {
		return nil, err
	}
	return v, nil
}

// figureList loads figures and their references and returns their facts.
func (l *loader) figureList(keys []string) ([]figureFacts, error) {
	if err := l.load(keys...); err != nil {
		return nil, err
	}
	var more []string
	for _, k := range keys {
		if f, ok := l.node(k).(*graph.Figure); ok {
			more = append(more, f.StatedBy, f.Source)
		}
	}
	if err := l.load(more...); err != nil {
		return nil, err
	}
	var out []figureFacts
	for _, k := range keys {
		if f, ok := l.node(k).(*graph.Figure); ok {
			out = append(out, l.facts(f))
		}
	}
	return out, nil
}

// textContext is an excerpt of a source's text around a span, highlighted.
type textContext struct {
	HTML      template.HTML
	CutBefore bool
	CutAfter  bool
	// Anchor is the URL of the span in the source's full text.
	Anchor string
}

// spanState says what can be shown of a span: the context, or why not.
type spanState struct {
	Context *textContext
	// Note explains a span that cannot be shown (no text stored, drift).
	Note string
	// Located is set when the words were found in the text by matching
	// rather than by a stored span.
	Located bool
}

// spanIn locates the words of a quote or figure in its source's text: by
// the stored span when the text is the one it was anchored in, else by
// matching the words.
func (l *loader) spanIn(sourceKey, key, words string, sp *graph.Span, class string) spanState {
	src, ok := l.node(sourceKey).(*graph.Source)
	switch {
	case !ok:
		return spanState{Note: "The source is not in the graph."}
	case src.Text == "" && sp != nil:
		return spanState{Note: fmt.Sprintf("The source's text is not stored; the words are at code points %d–%d of it.", sp.Start, sp.End)}
	case src.Text == "":
		return spanState{Note: "The source's text is not stored."}
	}
	start, end, located := -1, -1, false
	if sp != nil {
		drift := sp.ContentSHA256 != "" && !strings.EqualFold(sp.ContentSHA256, graph.ContentHash(src.Text))
		if got, ok := graph.RuneSlice(src.Text, sp.Start, sp.End); ok && !drift && (words == "" || got == words) {
			start, end = sp.Start, sp.End
		}
	}
	if start < 0 && words != "" {
		if m := findFolded(src.Text, words, 1); len(m) == 1 {
			start, end, located = m[0][0], m[0][1], true
		}
	}
	if start < 0 {
		return spanState{Note: "The words are not where the span says in the stored text (the text may have changed since it was anchored)."}
	}
	from, to, cb, ca := excerpt(src.Text, start, end)
	runes := []rune(src.Text)
	part := string(runes[from:to])
	html := highlight(part, []mark{{Start: start - from, End: end - from, Key: key, Class: class}})
	return spanState{
		Context: &textContext{HTML: html, CutBefore: cb, CutAfter: ca, Anchor: l.p.Node(sourceKey) + "#at-" + key},
		Located: located,
	}
}

// chainStep is one step of a quote's attribution chain, innermost first.
type chainStep struct {
	// Quote steps.
	Quote   *ref
	Words   string
	Speaker *ref
	Cue     string
	Mode    string
	Channel *ref
	SaidAt  string
	// Source steps: the publication of the outermost quote and the
	// sources it derives from.
	Source   *ref
	Relation string // how the step relates to the one before
	Primary  bool   // a source that derives from no other
	Current  bool   // the page's own quote
}

// quoteView is the page of a quote.
type quoteView struct {
	nodeHeader
	Q       *graph.Quote
	Speaker *ref
	Source  *ref
	Channel *ref
	Span    spanState
	Chain   []chainStep
	Reports []quoteRow
	Claims  []ref
	Links   []linkRow
}

// maxChain bounds the attribution chain walked on a quote page.
const maxChain = 20

func (l *loader) quote(q *graph.Quote) (*quoteView, error) {
	if err := l.load(q.Speaker, q.Source, q.Channel); err != nil {
		return nil, err
	}
	if err := l.load(q.Claims...); err != nil {
		return nil, err
	}
	v := &quoteView{nodeHeader: l.header(q), Q: q, Speaker: l.refp(q.Speaker), Source: l.refp(q.Source), Channel: l.refp(q.Channel)}
	v.Span = l.spanIn(q.Source, q.Key, q.Text, q.Span, "quote")
	v.Claims = l.refs(q.Claims)

	// The chain: this quote, the quotes that report it, outward, then the
	// source that publishes the outermost one and what it derives from.
	seen := map[string]bool{}
	cur := q
	outer := q
	for i := 0; cur != nil && i < maxChain && !seen[cur.Key]; i++ {
		seen[cur.Key] = true
		if err := l.load(cur.Speaker, cur.Channel, cur.Source, cur.ReportedBy); err != nil {
			return nil, err
		}
		r := l.ref(cur.Key)
		rel := ""
		if i > 0 {
			rel = "reported by"
		}
		v.Chain = append(v.Chain, chainStep{Quote: &r, Words: cur.Text, Speaker: l.refp(cur.Speaker), Cue: cur.Cue, Mode: cur.Mode,
			Channel: l.refp(cur.Channel), SaidAt: cur.SaidAt, Relation: rel, Current: cur.Key == q.Key})
		outer = cur
		next, _ := l.node(cur.ReportedBy).(*graph.Quote)
		cur = next
	}
	if outer.Source != "" {
		steps, err := l.publicationChain(outer.Source, outer.Channel)
		if err != nil {
			return nil, err
		}
		v.Chain = append(v.Chain, steps...)
	}

	reports, _, err := l.capped(graph.EdgeQuery{Key: q.Key, Dir: graph.In, Relations: []graph.Relation{graph.RelReportedBy}})
	if err != nil {
		return nil, err
	}
	if v.Reports, err = l.quoteRows(others(reports, graph.In)); err != nil {
		return nil, err
	}
	if v.Links, err = l.linkRows(q.Key); err != nil {
		return nil, err
	}
	return v, nil
}

// publicationChain is the end of a quote's attribution chain: the source
// that publishes the outermost quote, then, when the words were first said
// elsewhere (its channel), the derivations that lead from that source to
// the channel, and the channel's own derivations down to the primary
// sources. Derivations of the publishing source that do not lead to the
// channel are other material of the same source and are left out.
func (l *loader) publicationChain(source, channel string) ([]chainStep, error) {
	if err := l.load(source, channel); err != nil {
		return nil, err
	}
	primary := func(key string) (bool, error) {
		n, err := l.r.CountEdges(l.ctx, graph.EdgeQuery{Key: key, Dir: graph.Out, Relations: []graph.Relation{graph.RelDerivedFrom}})
		return n == 0 && l.node(key) != nil, err
	}
	step := func(key, rel string) (chainStep, error) {
		r := l.ref(key)
		p, err := primary(key)
		return chainStep{Source: &r, Relation: rel, Primary: p}, err
	}
	first, err := step(source, "published in")
	if err != nil {
		return nil, err
	}
	out := []chainStep{first}
	if channel == "" || channel == source {
		return out, nil
	}
	// The derivation path from the source to the channel, breadth first.
	type via struct{ from, rel string }
	prev := map[string]via{source: {}}
	queue := []string{source}
	for len(queue) > 0 && len(prev) < 200 {
		k := queue[0]
		queue = queue[1:]
		if k == channel {
			break
		}
		es, err := l.edges(graph.EdgeQuery{Key: k, Dir: graph.Out, Relations: []graph.Relation{graph.RelDerivedFrom}, Limit: listLimit})
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if _, seen := prev[e.To]; !seen {
				prev[e.To] = via{k, e.Qualifier}
				queue = append(queue, e.To)
			}
		}
	}
	if _, found := prev[channel]; found {
		var path []string
		for k := channel; k != source; k = prev[k].from {
			path = append([]string{k}, path...)
		}
		if err := l.load(path...); err != nil {
			return nil, err
		}
		for _, k := range path {
			rel := prev[k].rel
			if rel == "" {
				rel = "derives from"
			}
			s, err := step(k, rel)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	} else {
		s, err := step(channel, "first said in")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	// The channel's own derivations, down to the primary sources.
	rest, err := l.derivationChain(channel, "")
	if err != nil {
		return nil, err
	}
	if len(rest) > 1 {
		out = append(out, rest[1:]...)
	}
	return out, nil
}

// derivationChain walks a source's derived_from edges breadth first: the
// source (with rel, how it relates to what came before) and each source it
// derives from, marking the primary ones.
func (l *loader) derivationChain(start, rel string) ([]chainStep, error) {
	var out []chainStep
	type item struct{ key, rel string }
	queue := []item{{start, rel}}
	seen := map[string]bool{}
	for len(queue) > 0 && len(out) < maxChain {
		it := queue[0]
		queue = queue[1:]
		if seen[it.key] {
			continue
		}
		seen[it.key] = true
		if err := l.load(it.key); err != nil {
			return nil, err
		}
		es, err := l.edges(graph.EdgeQuery{Key: it.key, Dir: graph.Out, Relations: []graph.Relation{graph.RelDerivedFrom}, Limit: listLimit})
		if err != nil {
			return nil, err
		}
		r := l.ref(it.key)
		out = append(out, chainStep{Source: &r, Relation: it.rel, Primary: len(es) == 0 && !r.Missing})
		for _, e := range es {
			q := e.Qualifier
			if q == "" {
				q = "derives from"
			}
			queue = append(queue, item{e.To, q})
		}
	}
	return out, nil
}

// evidence is one item for or against a claim.
type evidence struct {
	Ref       ref
	Figure    *figureFacts
	Quote     *quoteRow
	Reason    string
	Note      string
	By        string
	At        string
	Retracted *graph.Retraction
}

// reasonCount is a contradiction reason with how many links give it.
type reasonCount struct {
	Code  string
	Text  string
	Count int
}

// revisionRow is one entry of a node's history.
type revisionRow struct {
	At, By, Note, Change string
	Link                 string
}

// claimView is the page of a claim.
type claimView struct {
	nodeHeader
	C             *graph.Claim
	About         []ref
	Assessment    assessment
	Asserted      []quoteRow
	AssertedTotal int
	Supporting    []evidence
	Contradicting []evidence
	Reasons       []reasonCount
	Other         []linkRow
	History       []revisionRow
	HistoryNote   string
}

func (l *loader) claim(c *graph.Claim) (*claimView, error) {
	if err := l.load(c.About...); err != nil {
		return nil, err
	}
	v := &claimView{nodeHeader: l.header(c), C: c, About: l.refs(c.About)}
	asserted, total, err := l.capped(graph.EdgeQuery{Key: c.Key, Dir: graph.In, Relations: []graph.Relation{graph.RelExpresses}})
	if err != nil {
		return nil, err
	}
	v.AssertedTotal = total
	if v.Asserted, err = l.quoteRows(others(asserted, graph.In)); err != nil {
		return nil, err
	}
	sortByDate(v.Asserted)

	links, err := l.linkRows(c.Key)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, lr := range links {
		keys = append(keys, lr.Other.Key)
	}
	if err := l.load(keys...); err != nil {
		return nil, err
	}
	reasons := map[string]int{}
	for _, lr := range links {
		var dst *[]evidence
		switch {
		case lr.Relation == string(graph.RelSupports) && !lr.Out:
			dst = &v.Supporting
		case lr.Relation == string(graph.RelContradicts):
			dst = &v.Contradicting
			if lr.Reason != "" && lr.Retracted == nil {
				reasons[lr.Reason]++
			}
		default:
			v.Other = append(v.Other, lr)
			continue
		}
		ev, err := l.evidence(lr)
		if err != nil {
			return nil, err
		}
		*dst = append(*dst, ev)
	}
	for _, code := range graph.ContradictionReasons {
		if n := reasons[code]; n > 0 {
			v.Reasons = append(v.Reasons, reasonCount{Code: code, Text: reasonText(code), Count: n})
			delete(reasons, code)
		}
	}
	for code, n := range reasons { // codes outside the enumeration
		v.Reasons = append(v.Reasons, reasonCount{Code: code, Text: reasonText(code), Count: n})
	}
	if v.Assessment, err = l.assessClaim(c.Key); err != nil {
		return nil, err
	}

	v.History, v.HistoryNote = l.history(c.Key)
	return v, nil
}

// evidence describes the far end of a link for a claim's columns.
func (l *loader) evidence(lr linkRow) (evidence, error) {
	ev := evidence{Ref: lr.Other, Reason: lr.Reason, Note: lr.Note, By: lr.By, At: lr.At, Retracted: lr.Retracted}
	switch n := l.node(lr.Other.Key).(type) {
	case *graph.Figure:
		fs, err := l.figureList([]string{n.Key})
		if err != nil {
			return ev, err
		}
		ev.Figure = &fs[0]
	case *graph.Quote:
		qs, err := l.quoteRows([]string{n.Key})
		if err != nil {
			return ev, err
		}
		ev.Quote = &qs[0]
	}
	return ev, nil
}

// history reads a node's revisions, newest first, or says why it cannot.
func (l *loader) history(key string) ([]revisionRow, string) {
	revs, err := l.r.History(l.ctx, key)
	if err != nil {
		return nil, "History is not available: " + err.Error() + "."
	}
	out := make([]revisionRow, 0, len(revs))
	for i := len(revs) - 1; i >= 0; i-- {
		rv := revs[i]
		row := revisionRow{At: rv.At.UTC().Format("2006-01-02 15:04:05 MST"), By: rv.By, Note: rv.Note, Change: rv.Change}
		if rv.Link != nil {
			row.Link = fmt.Sprintf("%s %s %s", rv.Link.From, strings.ReplaceAll(string(rv.Link.Relation), "_", " "), rv.Link.To)
		}
		out = append(out, row)
	}
	if len(out) == 0 {
		return nil, "No revisions are recorded."
	}
	return out, ""
}

// comparison sets another figure beside the page's figure.
type comparison struct {
	Other      figureFacts
	Relation   string // the link between them, if any ("contradicts")
	Out        bool
	Reason     string
	Note       string
	Comparable bool
	Conflict   bool
	Verdict    string
	Reasons    []string
	// Via says how the other figure was found: "link" or "source".
	Via  string
	Rows []cmpRow
}

// cmpRow is one field of two figures side by side.
type cmpRow struct {
	Field string
	A, B  string
	Same  bool
}

// figureView is the page of a figure.
type figureView struct {
	nodeHeader
	F           *graph.Figure
	Facts       figureFacts
	Span        spanState
	InQuotes    []quoteRow
	DerivedFrom []ref
	Compare     []comparison
	CompareNote string
	// Others are the figures of the same source that cannot be compared.
	Others []comparison
	Links  []linkRow
}

func (l *loader) figure(f *graph.Figure) (*figureView, error) {
	if err := l.load(append([]string{f.StatedBy, f.Source}, f.DerivedFrom...)...); err != nil {
		return nil, err
	}
	v := &figureView{nodeHeader: l.header(f), F: f, Facts: l.facts(f), DerivedFrom: l.refs(f.DerivedFrom)}
	if f.Source != "" {
		v.Span = l.spanIn(f.Source, f.Key, f.Text, f.Span, "figure")
	}
	// Quotes of the same source whose span holds the figure's: who said it
	// in what words.
	if f.Source != "" && f.Span != nil {
		qs, err := l.edges(graph.EdgeQuery{Key: f.Source, Dir: graph.In, Relations: []graph.Relation{graph.RelSource}, Kind: graph.KindQuote, Limit: 2000})
		if err != nil {
			return nil, err
		}
		if err := l.load(others(qs, graph.In)...); err != nil {
			return nil, err
		}
		var in []string
		for _, e := range qs {
			if q, ok := l.node(e.From).(*graph.Quote); ok && q.Span != nil && q.Span.Start <= f.Span.Start && q.Span.End >= f.Span.End {
				in = append(in, q.Key)
			}
		}
		var err2 error
		if v.InQuotes, err2 = l.quoteRows(in); err2 != nil {
			return nil, err2
		}
	}

	links, err := l.linkRows(f.Key)
	if err != nil {
		return nil, err
	}
	byOther := map[string]linkRow{}
	for _, lr := range links {
		if _, ok := l.node(lr.Other.Key).(*graph.Figure); ok {
			if _, dup := byOther[lr.Other.Key]; !dup {
				byOther[lr.Other.Key] = lr
			}
			continue
		}
		v.Links = append(v.Links, lr)
	}
	lr := &lenientReader{Reader: l.r}
	cmps, err := graph.FigureComparisons(l.ctx, lr, f.Key, 0)
	if err != nil {
		return nil, fmt.Errorf("comparing figures: %w", err)
	}
	v.CompareNote = lr.Note()
	var keys []string
	for _, c := range cmps {
		keys = append(keys, c.Figure.Key, c.Figure.StatedBy, c.Figure.Source)
	}
	if err := l.load(keys...); err != nil {
		return nil, err
	}
	for _, gc := range cmps {
		c := l.compare(f, gc)
		lk, linked := byOther[gc.Figure.Key]
		if linked {
			c.Relation, c.Out, c.Reason, c.Note = lk.Relation, lk.Out, lk.Reason, lk.Note
		}
		if linked || gc.Comparable {
			v.Compare = append(v.Compare, c)
		} else {
			v.Others = append(v.Others, c)
		}
	}
	return v, nil
}

// sameText compares two field values ignoring case and surrounding space.
func sameText(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }

// compare sets the figure of gc beside f, field by field, with
// graph.CompareFigures' verdict.
func (l *loader) compare(f *graph.Figure, gc graph.FigureComparison) comparison {
	o := gc.Figure
	c := comparison{Other: l.facts(o), Comparable: gc.Comparable, Reasons: gc.Reasons, Via: gc.Via}
	switch {
	case !gc.Comparable:
		c.Verdict = "Not comparable"
	case gc.Conflicts():
		c.Verdict = "Comparable, and they disagree"
		c.Conflict = true
	default:
		c.Verdict = "Comparable, and they agree"
	}
	name := func(key string) string {
		if key == "" {
			return ""
		}
		return l.ref(key).Label
	}
	c.Rows = []cmpRow{
		{Field: "Value", A: formatValue(f), B: formatValue(o)},
		{Field: "Unit", A: f.Unit, B: o.Unit},
		{Field: "Change", A: f.Change, B: o.Change},
		{Field: "Measure", A: f.Measure, B: o.Measure},
		{Field: "Subject", A: f.Subject, B: o.Subject},
		{Field: "Period", A: f.Period, B: o.Period},
		{Field: "Baseline", A: f.Baseline, B: o.Baseline},
		{Field: "Stated by", A: name(f.StatedBy), B: name(o.StatedBy)},
		{Field: "Source", A: name(f.Source), B: name(o.Source)},
	}
	for i := range c.Rows {
		c.Rows[i].Same = sameText(c.Rows[i].A, c.Rows[i].B)
	}
	return c
}

// spanRow is one quote or figure anchored in a source's text.
type spanRow struct {
	Ref     ref
	Kind    string
	Start   int
	End     int
	Speaker *ref
	Shown   bool
	Note    string
}

// sourceView is the page of a source.
type sourceView struct {
	nodeHeader
	S            *graph.Source
	Publisher    *ref
	Authors      []ref
	Chain        []chainStep
	DerivedInto  []linkRow
	Quotes       []quoteRow
	QuotesTotal  int
	Figures      []figureFacts
	FiguresTotal int
	ChannelOf    []quoteRow
	Text         template.HTML
	TextNote     string
	HashNote     string
	Spans        []spanRow
	Marked       int
	Links        []linkRow
}

// maxSpans bounds the quotes and figures highlighted in a source's text.
const maxSpans = 5000

func (l *loader) source(s *graph.Source) (*sourceView, error) {
	if err := l.load(append([]string{s.Publisher}, s.Authors...)...); err != nil {
		return nil, err
	}
	v := &sourceView{nodeHeader: l.header(s), S: s, Publisher: l.refp(s.Publisher), Authors: l.refs(s.Authors)}
	chain, err := l.derivationChain(s.Key, "")
	if err != nil {
		return nil, err
	}
	if len(chain) > 1 || (len(chain) == 1 && len(s.DerivedFrom) > 0) {
		v.Chain = chain[1:]
	}
	into, err := l.edges(graph.EdgeQuery{Key: s.Key, Dir: graph.In, Relations: []graph.Relation{graph.RelDerivedFrom}, Limit: listLimit})
	if err != nil {
		return nil, err
	}
	if err := l.load(others(into, graph.In)...); err != nil {
		return nil, err
	}
	for _, e := range into {
		v.DerivedInto = append(v.DerivedInto, linkRow{Relation: e.Qualifier, Other: l.ref(e.From)})
	}

	// Every quote and figure of the source, for the lists and the text.
	all := func(k graph.Kind) ([]string, int, error) {
		es, err := l.edges(graph.EdgeQuery{Key: s.Key, Dir: graph.In, Relations: []graph.Relation{graph.RelSource}, Kind: k, Limit: maxSpans + 1})
		if err != nil {
			return nil, 0, err
		}
		total := len(es)
		if total > maxSpans {
			if total, err = l.r.CountEdges(l.ctx, graph.EdgeQuery{Key: s.Key, Dir: graph.In, Relations: []graph.Relation{graph.RelSource}, Kind: k}); err != nil {
				return nil, 0, err
			}
			es = es[:maxSpans]
		}
		return others(es, graph.In), total, nil
	}
	qkeys, qtotal, err := all(graph.KindQuote)
	if err != nil {
		return nil, err
	}
	fkeys, ftotal, err := all(graph.KindFigure)
	if err != nil {
		return nil, err
	}
	v.QuotesTotal, v.FiguresTotal = qtotal, ftotal
	quotes, err := l.quoteRows(qkeys)
	if err != nil {
		return nil, err
	}
	figures, err := l.figureList(fkeys)
	if err != nil {
		return nil, err
	}
	v.Quotes = quotes[:min(len(quotes), listLimit)]
	v.Figures = figures[:min(len(figures), listLimit)]

	channel, _, err := l.capped(graph.EdgeQuery{Key: s.Key, Dir: graph.In, Relations: []graph.Relation{graph.RelChannel}})
	if err != nil {
		return nil, err
	}
	if v.ChannelOf, err = l.quoteRows(others(channel, graph.In)); err != nil {
		return nil, err
	}

	// The text with every span highlighted.
	var marks []mark
	hash := ""
	if s.Text != "" {
		hash = graph.ContentHash(s.Text)
		if s.ContentSHA256 != "" && !strings.EqualFold(s.ContentSHA256, hash) {
			v.HashNote = "The stored text does not match the source's content hash: spans may point to the wrong words."
		}
	}
	addSpan := func(key, kind, words string, sp *graph.Span, speaker string) {
		if sp == nil {
			return
		}
		row := spanRow{Ref: l.ref(key), Kind: kind, Start: sp.Start, End: sp.End, Speaker: l.refp(speaker)}
		switch {
		case s.Text == "":
			row.Note = "text not stored"
		case sp.ContentSHA256 != "" && !strings.EqualFold(sp.ContentSHA256, hash):
			row.Note = "anchored in another version of the text"
		default:
			got, ok := graph.RuneSlice(s.Text, sp.Start, sp.End)
			if !ok {
				row.Note = "outside the text"
				break
			}
			if words != "" && got != words {
				row.Note = "the words differ from the text"
				break
			}
			row.Shown = true
			title := kindTitle(l.ref(key).Kind)
			if speaker != "" {
				title += " · " + l.ref(speaker).Label
			}
			marks = append(marks, mark{Start: sp.Start, End: sp.End, Key: key, Class: kind, Title: title, URL: l.p.Node(key)})
		}
		v.Spans = append(v.Spans, row)
	}
	for _, k := range qkeys {
		if q, ok := l.node(k).(*graph.Quote); ok {
			addSpan(k, "quote", q.Text, q.Span, q.Speaker)
		}
	}
	for _, k := range fkeys {
		if f, ok := l.node(k).(*graph.Figure); ok {
			addSpan(k, "figure", f.Text, f.Span, f.StatedBy)
		}
	}
	slices.SortStableFunc(v.Spans, func(a, b spanRow) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
	v.Marked = len(marks)
	if s.Text != "" {
		v.Text = highlight(s.Text, marks)
	} else {
		v.TextNote = "The text of this source is not stored."
		if s.ContentSHA256 != "" {
			v.TextNote += " Its content hash is " + s.ContentSHA256 + "."
		}
	}
	if v.Links, err = l.linkRows(s.Key); err != nil {
		return nil, err
	}
	return v, nil
}
