package export

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"claimgraph/graph"
)

// genReader is a graph.Reader over a generated graph that it computes from
// node indexes instead of storing: an export of a million quotes can be
// measured without a store's own memory in the way. The graph is valid
// bundle data (it imports into memgraph) and uses every kind, every
// reference field and the links supports, contradicts, context, retracts
// and corrects.
//
// With Q quotes: people Q/50, organisations Q/200 (a tree by parent),
// sources Q/10 (every fifth derived from the one before, by quotes, cites
// or updates), claims Q/5, figures Q/10 (every seventh derived from the one
// before). Quote i is spoken by person (i*i)%P (skewed), appears in source
// i%S, has channel (i+1)%S when i%3 == 0, is reported by quote i-1 when
// i%4 == 1 and expresses claim i%C. Figure j supports claim j%C (even j)
// or contradicts it (odd j, reason different_period). Source i retracts
// quote (7i)%Q when i%20 == 5 and corrects source i-1 when i%20 == 7.
type genReader struct {
	q, p, o, s, c, f int
}

func newGen(quotes int) *genReader {
	return &genReader{q: quotes, p: max(quotes/50, 5), o: max(quotes/200, 3), s: max(quotes/10, 3),
		c: max(quotes/5, 2), f: max(quotes/10, 2)}
}

var genPrefix = [...]string{graph.KindPerson: "p-", graph.KindOrganisation: "o-", graph.KindSource: "s-",
	graph.KindQuote: "q-", graph.KindClaim: "c-", graph.KindFigure: "f-"}

func genKey(k graph.Kind, i int) string { return fmt.Sprintf("%s%08d", genPrefix[k], i) }

func (g *genReader) count(k graph.Kind) int {
	switch k {
	case graph.KindPerson:
		return g.p
	case graph.KindOrganisation:
		return g.o
	case graph.KindSource:
		return g.s
	case graph.KindQuote:
		return g.q
	case graph.KindClaim:
		return g.c
	case graph.KindFigure:
		return g.f
	}
	return 0
}

// parse returns the kind and index of a generated key.
func (g *genReader) parse(key string) (graph.Kind, int, bool) {
	for _, k := range graph.Kinds {
		if rest, ok := strings.CutPrefix(key, genPrefix[k]); ok && len(rest) == 8 {
			i, err := strconv.Atoi(rest)
			if err != nil || i < 0 || i >= g.count(k) {
				return 0, 0, false
			}
			return k, i, true
		}
	}
	return 0, 0, false
}

var genSourceKinds = []string{"article", "social_post", "statement", "report", "call"}

func (g *genReader) node(k graph.Kind, i int) graph.Node {
	day := fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)
	switch k {
	case graph.KindPerson:
		p := &graph.Person{Key: genKey(k, i), Name: fmt.Sprintf("Speaker %d", i), Aliases: []string{fmt.Sprintf("S%d", i)}}
		if i%2 == 0 {
			p.Affiliations = []graph.Affiliation{{Organisation: genKey(graph.KindOrganisation, i%g.o), Role: "member"}}
		}
		return p
	case graph.KindOrganisation:
		o := &graph.Organisation{Key: genKey(k, i), Name: fmt.Sprintf("Organisation %d", i), Kind: graph.OrganisationKinds[i%len(graph.OrganisationKinds)]}
		if i > 0 {
			o.Parent = genKey(k, i/4)
		}
		return o
	case graph.KindSource:
		s := &graph.Source{Key: genKey(k, i), Kind: genSourceKinds[i%len(genSourceKinds)], Title: fmt.Sprintf("Report number %d, \"quoted\", with a comma", i),
			URL: fmt.Sprintf("https://news.example/%d", i), Publisher: genKey(graph.KindOrganisation, i%g.o),
			Authors: []string{genKey(graph.KindPerson, i%g.p)}, PublishedAt: day, Language: "en"}
		if i%5 == 1 {
			s.DerivedFrom = []graph.Derivation{{Source: genKey(k, i-1), Relation: []string{"quotes", "cites", "updates"}[i%3]}}
		}
		return s
	case graph.KindQuote:
		q := &graph.Quote{Key: genKey(k, i), Text: fmt.Sprintf("Words number %d, as said\nover two lines", i),
			Speaker: genKey(graph.KindPerson, (i*i)%g.p), Source: genKey(graph.KindSource, i%g.s), Cue: "said",
			Mode: graph.QuoteModes[i%len(graph.QuoteModes)], SaidAt: day, Claims: []string{genKey(graph.KindClaim, i%g.c)}}
		if i%3 == 0 {
			q.Channel = genKey(graph.KindSource, (i+1)%g.s)
		}
		if i%4 == 1 {
			q.ReportedBy = genKey(k, i-1)
		}
		return q
	case graph.KindClaim:
		c := &graph.Claim{Key: genKey(k, i), Text: fmt.Sprintf("Claim number %d holds", i), Topics: []string{"topic-" + strconv.Itoa(i%7)}}
		if i%3 == 0 {
			c.About = []string{genKey(graph.KindPerson, i%g.p)}
		}
		return c
	case graph.KindFigure:
		f := &graph.Figure{Key: genKey(k, i), Text: fmt.Sprintf("%d.5 percent", i), Value: float64(i) + 0.5, Unit: "percent",
			Measure: "measure", Period: "2026-01", StatedBy: genKey(graph.KindOrganisation, i%g.o), Source: genKey(graph.KindSource, i%g.s),
			Approx: i%2 == 0}
		if i%7 == 1 {
			f.DerivedFrom = []string{genKey(k, i-1)}
		}
		return f
	}
	return nil
}

// outLinks returns the links that leave the node, sorted by relation then
// target as a store keeps them.
func (g *genReader) outLinks(k graph.Kind, i int) []graph.Edge {
	var es []graph.Edge
	switch k {
	case graph.KindFigure:
		rel, reason := graph.RelSupports, ""
		if i%2 == 1 {
			rel, reason = graph.RelContradicts, "different_period"
		}
		es = append(es, graph.Edge{From: genKey(k, i), To: genKey(graph.KindClaim, i%g.c), Relation: rel, Reason: reason})
	case graph.KindSource:
		if i%20 == 5 {
			es = append(es, graph.Edge{From: genKey(k, i), To: genKey(graph.KindQuote, (7*i)%g.q), Relation: graph.RelRetracts, At: "2026-02-01T10:00:00Z", By: "gen"})
		}
		if i%20 == 7 {
			es = append(es, graph.Edge{From: genKey(k, i), To: genKey(k, i-1), Relation: graph.RelCorrects, Note: "fixes a number"})
		}
	}
	slices.SortFunc(es, func(a, b graph.Edge) int {
		return strings.Compare(string(a.Relation)+"\x00"+a.To, string(b.Relation)+"\x00"+b.To)
	})
	return es
}

func (g *genReader) Node(ctx context.Context, key string) (graph.Node, error) {
	k, i, ok := g.parse(key)
	if !ok {
		return nil, fmt.Errorf("node %q: %w", key, graph.ErrNotFound)
	}
	return g.node(k, i), nil
}

func (g *genReader) Nodes(ctx context.Context, keys []string) ([]graph.Node, error) {
	out := make([]graph.Node, len(keys))
	for j, key := range keys {
		if k, i, ok := g.parse(key); ok {
			out[j] = g.node(k, i)
		}
	}
	return out, nil
}

func (g *genReader) Kinds(ctx context.Context, keys []string) (map[string]graph.Kind, error) {
	out := map[string]graph.Kind{}
	for _, key := range keys {
		if k, _, ok := g.parse(key); ok {
			out[key] = k
		}
	}
	return out, nil
}

// edges returns the edges q selects, ignoring After and Limit. Only what
// the exporter asks is supported: links out of a node, and supports,
// contradicts and expresses into a claim.
func (g *genReader) edges(q graph.EdgeQuery) ([]graph.Edge, error) {
	k, i, ok := g.parse(q.Key)
	if !ok {
		return nil, nil
	}
	want := func(r graph.Relation) bool { return len(q.Relations) == 0 || slices.Contains(q.Relations, r) }
	var es []graph.Edge
	switch q.Dir {
	case graph.Out:
		for _, r := range q.Relations {
			if !r.IsLink() {
				return nil, fmt.Errorf("genReader: out edges of relation %s: %w", r, graph.ErrInvalid)
			}
		}
		for _, e := range g.outLinks(k, i) {
			if want(e.Relation) {
				es = append(es, e)
			}
		}
	case graph.In:
		if k != graph.KindClaim {
			return nil, fmt.Errorf("genReader: in edges of a %s: %w", k, graph.ErrInvalid)
		}
		for _, r := range q.Relations {
			switch r {
			case graph.RelSupports, graph.RelContradicts:
				for j := i; j < g.f; j += g.c {
					for _, e := range g.outLinks(graph.KindFigure, j) {
						if e.Relation == r {
							es = append(es, e)
						}
					}
				}
			case graph.RelExpresses:
				for j := i; j < g.q; j += g.c {
					es = append(es, graph.Edge{From: genKey(graph.KindQuote, j), To: q.Key, Relation: r})
				}
			default:
				return nil, fmt.Errorf("genReader: in edges of relation %s: %w", r, graph.ErrInvalid)
			}
		}
	}
	return es, nil
}

func (g *genReader) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	es, err := g.edges(q)
	if err != nil {
		return nil, err
	}
	if q.After != "" {
		j := slices.IndexFunc(es, func(e graph.Edge) bool { return e.To == q.After || e.From == q.After })
		if j < 0 {
			return nil, fmt.Errorf("genReader: cursor %q: %w", q.After, graph.ErrInvalid)
		}
		es = es[j+1:]
	}
	if q.Limit > 0 && len(es) > q.Limit {
		es = es[:q.Limit]
	}
	return es, nil
}

func (g *genReader) CountEdges(ctx context.Context, q graph.EdgeQuery) (int, error) {
	es, err := g.edges(q)
	return len(es), err
}

func (g *genReader) List(ctx context.Context, k graph.Kind, after string, limit int) (graph.Page, error) {
	n := g.count(k)
	start := 0
	if after != "" {
		ak, ai, ok := g.parse(after)
		if !ok || ak != k {
			return graph.Page{}, fmt.Errorf("genReader: list after %q: %w", after, graph.ErrInvalid)
		}
		start = ai + 1
	}
	end := n
	if limit > 0 && start+limit < n {
		end = start + limit
	}
	p := graph.Page{Total: n, More: end < n}
	for i := start; i < end; i++ {
		p.Keys = append(p.Keys, genKey(k, i))
	}
	return p, nil
}

func (g *genReader) Lookup(ctx context.Context, idx graph.Index, value string) ([]string, error) {
	return nil, fmt.Errorf("genReader: lookup: %w", graph.ErrInvalid)
}

func (g *genReader) Range(ctx context.Context, idx graph.Index, from, to time.Time, after string, limit int) (graph.Page, error) {
	return graph.Page{}, fmt.Errorf("genReader: range: %w", graph.ErrInvalid)
}

func (g *genReader) QuotesMatching(ctx context.Context, text string, after string, limit int) (graph.Page, error) {
	return graph.Page{}, fmt.Errorf("genReader: quotes matching: %w", graph.ErrInvalid)
}

func (g *genReader) Search(ctx context.Context, q graph.SearchQuery) (graph.SearchPage, error) {
	return graph.SearchPage{}, fmt.Errorf("genReader: search: %w", graph.ErrInvalid)
}

func (g *genReader) Select(ctx context.Context, s graph.Selection) (graph.SelectPage, error) {
	return graph.SelectPage{}, fmt.Errorf("genReader: select: %w", graph.ErrInvalid)
}

func (g *genReader) Aggregate(ctx context.Context, s graph.Selection, by graph.Grouping, limit int) ([]graph.Group, error) {
	return nil, fmt.Errorf("genReader: aggregate: %w", graph.ErrInvalid)
}

func (g *genReader) Stats(ctx context.Context) (graph.Stats, error) {
	st := graph.Stats{Nodes: map[graph.Kind]int{}}
	for _, k := range graph.Kinds {
		st.Nodes[k] = g.count(k)
	}
	return st, nil
}

// bundle returns the whole generated graph as a bundle, for small sizes.
func (g *genReader) bundle() *graph.Bundle {
	b := &graph.Bundle{}
	for _, k := range graph.Kinds {
		for i := range g.count(k) {
			b.Nodes = append(b.Nodes, g.node(k, i))
			for _, e := range g.outLinks(k, i) {
				b.Links = append(b.Links, e.Link())
			}
		}
	}
	return b
}

// The generated graph has no history, no retracted node and no merge.

func (g *genReader) History(ctx context.Context, key string) ([]graph.Revision, error) {
	return nil, nil
}

func (g *genReader) Revisions(ctx context.Context, keys []string) (map[string]int64, error) {
	return map[string]int64{}, nil
}

func (g *genReader) Retractions(ctx context.Context, keys []string) (map[string]graph.Retraction, error) {
	return map[string]graph.Retraction{}, nil
}

func (g *genReader) Resolve(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if _, _, ok := g.parse(k); ok {
			out[k] = k
		}
	}
	return out, nil
}
