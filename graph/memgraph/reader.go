package memgraph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"claimgraph/graph"
)

// reader reads one immutable state.
type reader struct {
	st *state

	selMu sync.Mutex                // guards sel
	sel   map[graph.Kind][]selEntry // Select's entries by kind, built on first use
}

var _ graph.Reader = (*reader)(nil)

// Node implements graph.Reader.
func (r *reader) Node(ctx context.Context, key string) (graph.Node, error) {
	rec, ok := r.st.nodes[r.st.canon(key)]
	if !ok {
		return nil, fmt.Errorf("node %q: %w", key, graph.ErrNotFound)
	}
	return decodeNode(rec.kind, rec.data)
}

// Nodes implements graph.Reader.
func (r *reader) Nodes(ctx context.Context, keys []string) ([]graph.Node, error) {
	out := make([]graph.Node, len(keys))
	for i, k := range keys {
		rec, ok := r.st.nodes[r.st.canon(k)]
		if !ok {
			continue
		}
		n, err := decodeNode(rec.kind, rec.data)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// Kinds implements graph.Reader.
func (r *reader) Kinds(ctx context.Context, keys []string) (map[string]graph.Kind, error) {
	out := make(map[string]graph.Kind, len(keys))
	for _, k := range keys {
		if rec, ok := r.st.nodes[r.st.canon(k)]; ok {
			out[k] = rec.kind
		}
	}
	return out, nil
}

// selected returns the edges q selects, ignoring After and Limit.
func (r *reader) selected(q graph.EdgeQuery) ([]graph.Edge, error) {
	var all []graph.Edge
	switch key := r.st.canon(q.Key); q.Dir {
	case graph.Out:
		all = r.st.out[key]
	case graph.In:
		all = r.st.in[key]
	default:
		return nil, fmt.Errorf("%w: edge direction %d", graph.ErrInvalid, q.Dir)
	}
	if len(q.Relations) == 0 && q.Kind == 0 {
		return all, nil
	}
	var out []graph.Edge
	for _, e := range all {
		if len(q.Relations) > 0 && !slices.Contains(q.Relations, e.Relation) {
			continue
		}
		if q.Kind != 0 && r.st.nodes[other(e, q.Dir)].kind != q.Kind {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// Edges implements graph.Reader.
func (r *reader) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	es, err := r.selected(q)
	if err != nil {
		return nil, err
	}
	start := 0
	if q.After != "" {
		start = -1
		for i := len(es) - 1; i >= 0; i-- {
			if other(es[i], q.Dir) == q.After {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return nil, fmt.Errorf("%w: cursor %q is not an edge of the query", graph.ErrInvalid, q.After)
		}
	}
	es = es[start:]
	if q.Limit > 0 && len(es) > q.Limit {
		es = es[:q.Limit]
	}
	out := slices.Clone(es)
	for i := range out {
		if rt := out[i].Retracted; rt != nil {
			c := *rt
			out[i].Retracted = &c
		}
	}
	return out, nil
}

// CountEdges implements graph.Reader.
func (r *reader) CountEdges(ctx context.Context, q graph.EdgeQuery) (int, error) {
	es, err := r.selected(q)
	return len(es), err
}

// page cuts a page of at most limit keys (0: no cap) from keys, which holds
// what follows the cursor.
func page(keys []string, total, limit int) graph.Page {
	p := graph.Page{Total: total}
	if limit > 0 && len(keys) > limit {
		keys, p.More = keys[:limit], true
	}
	p.Keys = slices.Clone(keys)
	return p
}

// List implements graph.Reader.
func (r *reader) List(ctx context.Context, k graph.Kind, after string, limit int) (graph.Page, error) {
	if !k.Valid() {
		return graph.Page{}, fmt.Errorf("%w: %v", graph.ErrInvalid, k)
	}
	keys := r.st.byKind[k]
	i := 0
	if after != "" {
		var found bool
		i, found = slices.BinarySearch(keys, after)
		if found {
			i++
		}
	}
	return page(keys[i:], len(keys), limit), nil
}

// Lookup implements graph.Reader.
func (r *reader) Lookup(ctx context.Context, idx graph.Index, value string) ([]string, error) {
	switch idx {
	case graph.IndexName:
		return slices.Clone(r.st.names[foldName(value)]), nil
	case graph.IndexURL:
		return slices.Clone(r.st.urls[value]), nil
	}
	return nil, fmt.Errorf("%w: Lookup on index %q", graph.ErrInvalid, idx)
}

// Range implements graph.Reader.
func (r *reader) Range(ctx context.Context, idx graph.Index, from, to time.Time, after string, limit int) (graph.Page, error) {
	if idx != graph.IndexSaidAt && idx != graph.IndexPublishedAt {
		return graph.Page{}, fmt.Errorf("%w: Range on index %q", graph.ErrInvalid, idx)
	}
	ds := r.st.dates[idx]
	lo, _ := slices.BinarySearchFunc(ds, from, func(d dated, t time.Time) int { return d.at.Compare(t) })
	hi, _ := slices.BinarySearchFunc(ds, to, func(d dated, t time.Time) int { return d.at.Compare(t) })
	if hi < lo {
		hi = lo
	}
	in := ds[lo:hi]
	start := 0
	if after != "" {
		i := slices.IndexFunc(in, func(d dated) bool { return d.key == after })
		if i < 0 {
			return graph.Page{}, fmt.Errorf("%w: cursor %q is not in the range", graph.ErrInvalid, after)
		}
		start = i + 1
	}
	keys := make([]string, 0, len(in)-start)
	for _, d := range in[start:] {
		keys = append(keys, d.key)
	}
	return page(keys, len(in), limit), nil
}

// QuotesMatching implements graph.Reader: a scan of the quotes' folded
// texts in key order. A text without letters or digits is refused
// (graph.ErrInvalid), as the stores' word index does.
func (r *reader) QuotesMatching(ctx context.Context, text string, after string, limit int) (graph.Page, error) {
	needle := foldText(text)
	if needle == "" {
		return graph.Page{}, fmt.Errorf("%w: empty search text", graph.ErrInvalid)
	}
	if strings.IndexFunc(needle, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return graph.Page{}, fmt.Errorf("%w: search text %q has no letters or digits", graph.ErrInvalid, text)
	}
	var keys []string
	total := 0
	for _, k := range r.st.byKind[graph.KindQuote] {
		if !strings.Contains(r.st.folded[k], needle) {
			continue
		}
		total++
		if after == "" || k > after {
			keys = append(keys, k)
		}
	}
	return page(keys, total, limit), nil
}

// Stats implements graph.Reader.
func (r *reader) Stats(ctx context.Context) (graph.Stats, error) {
	st := graph.Stats{Nodes: make(map[graph.Kind]int, len(graph.Kinds)), Links: len(r.st.links), Edges: r.st.edges}
	for _, k := range graph.Kinds {
		st.Nodes[k] = len(r.st.byKind[k])
	}
	return st, nil
}

// Search implements graph.Reader by brute force: every node of the state is
// analysed (graph.IndexNode), the statistics are counted over all of them
// and each node of the selected kinds is scored (graph.SearchExpr.Score).
func (r *reader) Search(ctx context.Context, q graph.SearchQuery) (graph.SearchPage, error) {
	expr, err := graph.ParseSearch(q.Text)
	if err != nil {
		return graph.SearchPage{}, err
	}
	st := &graph.SearchStats{Docs: map[graph.SearchField]int{}, TotalLen: map[graph.SearchField]int{}, DF: map[graph.SearchField]map[string]int{}}
	var docs []graph.SearchDoc
	for _, k := range graph.Kinds {
		for _, key := range r.st.byKind[k] {
			rec := r.st.nodes[key]
			n, err := decodeNode(rec.kind, rec.data)
			if err != nil {
				return graph.SearchPage{}, err
			}
			d := graph.IndexNode(n)
			for f, l := range d.Lengths {
				st.Docs[f]++
				st.TotalLen[f] += l
			}
			for f, m := range d.Terms {
				df := st.DF[f]
				if df == nil {
					df = map[string]int{}
					st.DF[f] = df
				}
				for t := range m {
					df[t]++
				}
			}
			if q.WantKind(k) {
				docs = append(docs, d)
			}
		}
	}
	var hits []graph.SearchHit
	for i := range docs {
		if score, hl, ok := expr.Score(&docs[i], st); ok {
			hits = append(hits, graph.SearchHit{Key: docs[i].Key, Kind: docs[i].Kind, Score: score, Highlights: hl})
		}
	}
	return graph.PageSearch(hits, q.After, q.Limit)
}
