package web

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"claimgraph/graph"
)

// ref is a link to a node, labelled for people.
type ref struct {
	Key   string
	Label string
	Kind  graph.Kind
	URL   string
	// Missing is set when no node has the key in this snapshot.
	Missing bool
}

// KindName is the kind in lower case ("quote").
func (r ref) KindName() string { return r.Kind.String() }

// loader reads nodes for one page from one snapshot, caching them, and
// labels references.
type loader struct {
	ctx   context.Context
	r     graph.Reader
	p     *page
	nodes map[string]graph.Node
}

func newLoader(ctx context.Context, r graph.Reader, p *page) *loader {
	return &loader{ctx: ctx, r: r, p: p, nodes: map[string]graph.Node{}}
}

// load reads the nodes of the keys not read yet, in one call.
func (l *loader) load(keys ...string) error {
	var need []string
	seen := map[string]bool{}
	for _, k := range keys {
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		if _, ok := l.nodes[k]; !ok {
			need = append(need, k)
		}
	}
	if len(need) == 0 {
		return nil
	}
	ns, err := l.r.Nodes(l.ctx, need)
	if err != nil {
		return fmt.Errorf("reading nodes: %w", err)
	}
	for i, k := range need {
		l.nodes[k] = ns[i] // nil for a missing key, so it is not read again
	}
	return nil
}

// node returns a loaded node, or nil.
func (l *loader) node(key string) graph.Node { return l.nodes[key] }

// ref labels a loaded key.
func (l *loader) ref(key string) ref {
	n := l.nodes[key]
	if n == nil {
		return ref{Key: key, Label: key, URL: l.p.Node(key), Missing: true}
	}
	return ref{Key: key, Label: label(n), Kind: n.NodeKind(), URL: l.p.Node(key)}
}

// refp is ref for an optional reference: nil for "".
func (l *loader) refp(key string) *ref {
	if key == "" {
		return nil
	}
	r := l.ref(key)
	return &r
}

// refs labels loaded keys.
func (l *loader) refs(keys []string) []ref {
	out := make([]ref, 0, len(keys))
	for _, k := range keys {
		out = append(out, l.ref(k))
	}
	return out
}

// edges reads the edges q selects.
func (l *loader) edges(q graph.EdgeQuery) ([]graph.Edge, error) {
	es, err := l.r.Edges(l.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading edges of %s: %w", q.Key, err)
	}
	return es, nil
}

// capped reads at most listLimit edges and the total when there are more.
func (l *loader) capped(q graph.EdgeQuery) ([]graph.Edge, int, error) {
	q.Limit = listLimit + 1
	es, err := l.edges(q)
	if err != nil {
		return nil, 0, err
	}
	if len(es) <= listLimit {
		return es, len(es), nil
	}
	n, err := l.r.CountEdges(l.ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("counting edges of %s: %w", q.Key, err)
	}
	return es[:listLimit], n, nil
}

// others returns the far ends of edges read in direction dir.
func others(es []graph.Edge, dir graph.Direction) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		if dir == graph.Out {
			out = append(out, e.To)
		} else {
			out = append(out, e.From)
		}
	}
	return out
}

// label is a node's name for people: a name, a title, quoted words, a
// claim's text or a figure's words.
func label(n graph.Node) string {
	switch n := n.(type) {
	case *graph.Person:
		return n.Name
	case *graph.Organisation:
		return n.Name
	case *graph.Source:
		if n.Title != "" {
			return n.Title
		}
		return n.Key + " (" + n.Kind + ")"
	case *graph.Quote:
		return "“" + clipText(n.Text, 90) + "”"
	case *graph.Claim:
		return clipText(n.Text, 120)
	case *graph.Figure:
		if n.Text != "" {
			return n.Text
		}
		return formatValue(n)
	}
	return n.NodeKey()
}

// kindTitle is the capitalised name of a kind ("Organisation").
func kindTitle(k graph.Kind) string {
	s := k.String()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// formatNumber renders a number without a trailing ".0" and with thousands
// separators ("2,000", "0.5").
func formatNumber(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// formatValue renders a figure's quantity: "≈2,000–3,000 people", "76%".
func formatValue(f *graph.Figure) string {
	var b strings.Builder
	if f.Approx {
		b.WriteString("≈")
	}
	b.WriteString(formatNumber(f.Value))
	if f.ValueMax != nil {
		b.WriteString("–")
		b.WriteString(formatNumber(*f.ValueMax))
	}
	switch strings.ToLower(f.Unit) {
	case "percent", "%":
		b.WriteString("%")
	case "":
	default:
		b.WriteByte(' ')
		b.WriteString(f.Unit)
	}
	return b.String()
}

// figureFacts are the fields of a figure that comparisons show.
type figureFacts struct {
	Ref      ref
	Value    string
	Unit     string
	Change   string
	Measure  string
	Subject  string
	Period   string
	Baseline string
	StatedBy *ref
	Source   *ref
}

func (l *loader) facts(f *graph.Figure) figureFacts {
	return figureFacts{
		Ref:      l.ref(f.Key),
		Value:    formatValue(f),
		Unit:     f.Unit,
		Change:   f.Change,
		Measure:  f.Measure,
		Subject:  f.Subject,
		Period:   f.Period,
		Baseline: f.Baseline,
		StatedBy: l.refp(f.StatedBy),
		Source:   l.refp(f.Source),
	}
}

// quoteRow is a quote in a list: its words with who said it, when, where.
type quoteRow struct {
	Ref     ref
	Text    string
	Speaker *ref
	Date    string
	Source  *ref
	Channel *ref
	Cue     string
	Mode    string
}

// quoteRows loads the quotes and what they refer to and returns them in
// the given order.
func (l *loader) quoteRows(keys []string) ([]quoteRow, error) {
	if err := l.load(keys...); err != nil {
		return nil, err
	}
	var more []string
	for _, k := range keys {
		if q, ok := l.node(k).(*graph.Quote); ok {
			more = append(more, q.Speaker, q.Source, q.Channel)
		}
	}
	if err := l.load(more...); err != nil {
		return nil, err
	}
	out := make([]quoteRow, 0, len(keys))
	for _, k := range keys {
		q, ok := l.node(k).(*graph.Quote)
		if !ok {
			continue
		}
		out = append(out, quoteRow{
			Ref: l.ref(k), Text: q.Text, Speaker: l.refp(q.Speaker), Date: l.quoteDate(q),
			Source: l.refp(q.Source), Channel: l.refp(q.Channel), Cue: q.Cue, Mode: q.Mode,
		})
	}
	return out, nil
}

// quoteDate is when the words were said, or else when their source was
// published (loaded sources only).
func (l *loader) quoteDate(q *graph.Quote) string {
	if q.SaidAt != "" {
		return q.SaidAt
	}
	if s, ok := l.node(q.Source).(*graph.Source); ok {
		return s.PublishedAt
	}
	return ""
}

// sortByDate orders rows by date, oldest first, undated last, then by key.
func sortByDate(rows []quoteRow) {
	slices.SortStableFunc(rows, func(a, b quoteRow) int {
		switch {
		case a.Date == "" && b.Date != "":
			return 1
		case a.Date != "" && b.Date == "":
			return -1
		}
		if c := cmp.Compare(a.Date, b.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.Ref.Key, b.Ref.Key)
	})
}

// linkRow is a typed link (supports, contradicts, context ...) seen from
// one node.
type linkRow struct {
	Relation string
	// Out is true when the page's node is the link's From.
	Out    bool
	Other  ref
	Reason string
	Note   string
	By     string
	At     string
	// Retracted is set for a retracted link.
	Retracted *graph.Retraction
}

// Phrase is the relation read from the page's node: "[this] supports
// [other]", "[this] is supported by [other]".
func (r linkRow) Phrase() string {
	out := map[string]string{
		"supports": "supports", "contradicts": "contradicts", "context": "gives context to",
		"same_as": "is the same as", "repeats": "repeats", "retracts": "retracts",
		"corrects": "corrects", "responds_to": "responds to",
	}
	in := map[string]string{
		"supports": "is supported by", "contradicts": "is contradicted by", "context": "has context from",
		"same_as": "is the same as", "repeats": "is repeated by", "retracts": "is retracted by",
		"corrects": "is corrected by", "responds_to": "is answered by",
	}
	m := in
	if r.Out {
		m = out
	}
	if p, ok := m[r.Relation]; ok {
		return p
	}
	return strings.ReplaceAll(r.Relation, "_", " ")
}

// linkRows reads the links of key in both directions, except the
// relations in skip.
func (l *loader) linkRows(key string, skip ...graph.Relation) ([]linkRow, error) {
	var rels []graph.Relation
	for _, s := range graph.LinkRelations {
		if !slices.Contains(skip, graph.Relation(s)) {
			rels = append(rels, graph.Relation(s))
		}
	}
	var out []linkRow
	var keys []string
	var es []graph.Edge
	var dirs []graph.Direction
	for _, dir := range []graph.Direction{graph.Out, graph.In} {
		got, _, err := l.capped(graph.EdgeQuery{Key: key, Dir: dir, Relations: rels})
		if err != nil {
			return nil, err
		}
		for _, e := range got {
			es = append(es, e)
			dirs = append(dirs, dir)
		}
		keys = append(keys, others(got, dir)...)
	}
	if err := l.load(keys...); err != nil {
		return nil, err
	}
	for i, e := range es {
		out = append(out, linkRow{
			Relation: string(e.Relation), Out: dirs[i] == graph.Out, Other: l.ref(keys[i]),
			Reason: e.Reason, Note: e.Note, By: e.By, At: e.At, Retracted: e.Retracted,
		})
	}
	return out, nil
}

// reasonTexts explain the contradiction reasons.
var reasonTexts = map[string]string{
	"different_measure": "they measure different things",
	"different_period":  "they cover different periods",
	"different_scope":   "they cover a different scope",
	"misquote":          "the words were misquoted",
	"outdated":          "one is out of date",
	"factual":           "they disagree on the facts",
}

// reasonText explains a contradiction reason code.
func reasonText(code string) string {
	if t, ok := reasonTexts[code]; ok {
		return t
	}
	return strings.ReplaceAll(code, "_", " ")
}
