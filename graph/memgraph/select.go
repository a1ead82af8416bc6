package memgraph

import (
	"context"
	"fmt"
	"slices"

	"claimgraph/graph"
)

// Select and Aggregate are the reference implementation of graph.Selector:
// every node of the kind is decoded, its facet values (graph.FacetValues),
// order value (graph.NodeSortValue) and texts computed, the filters applied
// and the matches sorted. A reader computes this once per kind and keeps
// it (the state it reads never changes), so paging within one View costs a
// scan of the kind's cached entries per page.

// selEntry is what Select needs of one node.
type selEntry struct {
	key    string
	pos    graph.SelectCursor // the node's position in value order
	facets map[graph.Facet][]string
	texts  []string
}

// entries returns the selection entries of the nodes of kind k, in key
// order.
func (r *reader) entries(ctx context.Context, k graph.Kind) ([]selEntry, error) {
	r.selMu.Lock()
	defer r.selMu.Unlock()
	if es, ok := r.sel[k]; ok {
		return es, nil
	}
	canon := func(_ context.Context, key string) (string, error) { return r.st.canon(key), nil }
	publishers := map[string]string{}
	publisher := func(_ context.Context, src string) (string, error) {
		if p, ok := publishers[src]; ok {
			return p, nil
		}
		rec, ok := r.st.nodes[src]
		if !ok || rec.kind != graph.KindSource {
			return "", nil
		}
		n, err := decodeNode(rec.kind, rec.data)
		if err != nil {
			return "", err
		}
		publishers[src] = n.(*graph.Source).Publisher
		return publishers[src], nil
	}
	keys := r.st.byKind[k]
	es := make([]selEntry, 0, len(keys))
	for _, key := range keys {
		rec := r.st.nodes[key]
		n, err := decodeNode(rec.kind, rec.data)
		if err != nil {
			return nil, err
		}
		fs, err := graph.FacetValues(ctx, n, canon, publisher)
		if err != nil {
			return nil, err
		}
		v, ok := graph.NodeSortValue(n)
		es = append(es, selEntry{key: key, facets: fs, texts: graph.SelectTexts(n),
			pos: graph.SelectCursor{Kind: k, Order: graph.OrderValue, HasValue: ok, Value: v, Key: key}})
	}
	if r.sel == nil {
		r.sel = map[graph.Kind][]selEntry{}
	}
	r.sel[k] = es
	return es, nil
}

// matches returns the entries that s selects, in key order.
func (r *reader) matches(ctx context.Context, s graph.Selection) ([]selEntry, error) {
	es, err := r.entries(ctx, s.Kind)
	if err != nil {
		return nil, err
	}
	// The filter values, resolved and folded as the stored ones are.
	want := make([]map[string]bool, len(s.Facets))
	for i, f := range s.Facets {
		want[i] = map[string]bool{}
		for _, v := range f.Values {
			if f.Facet.Reference() {
				v = r.st.canon(v)
			} else {
				v = graph.NormalFacetValue(f.Facet, v)
			}
			want[i][v] = true
		}
	}
	lo, hi, ranged, empty := s.ValueBounds()
	if empty {
		return nil, nil
	}
	var needle string
	var terms []string
	if s.Text != "" {
		needle, terms = foldText(s.Text), graph.TextTerms(s.Text)
	}
	var out []selEntry
	for _, e := range es {
		ok := true
		for i, f := range s.Facets {
			hit := false
			for _, v := range e.facets[f.Facet] {
				hit = hit || want[i][v]
			}
			ok = ok && hit
		}
		if ok && ranged {
			ok = e.pos.HasValue && e.pos.Value >= lo && e.pos.Value <= hi
		}
		if ok && s.Text != "" {
			ok = graph.TextMatches(e.texts, needle, terms, foldText)
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// Select implements graph.Selector by scanning the kind's nodes.
func (r *reader) Select(ctx context.Context, s graph.Selection) (graph.SelectPage, error) {
	if err := graph.ValidateSelection(s); err != nil {
		return graph.SelectPage{}, err
	}
	order := s.EffectiveOrder()
	ms, err := r.matches(ctx, s)
	if err != nil {
		return graph.SelectPage{}, err
	}
	pos := func(e selEntry) graph.SelectCursor {
		if order == graph.OrderKey {
			return graph.SelectCursor{Kind: s.Kind, Order: graph.OrderKey, Key: e.key}
		}
		return e.pos
	}
	slices.SortFunc(ms, func(a, b selEntry) int { return pos(a).Compare(pos(b), s.Desc) })
	p := graph.SelectPage{Total: -1}
	if s.Count {
		p.Total = len(ms)
	}
	start := 0
	if s.After != "" {
		c, err := graph.ParseSelectCursor(s.After)
		if err != nil {
			return graph.SelectPage{}, fmt.Errorf("%w: selection after: %v", graph.ErrInvalid, err)
		}
		start, _ = slices.BinarySearchFunc(ms, c, func(e selEntry, c graph.SelectCursor) int {
			if pos(e).Compare(c, s.Desc) <= 0 {
				return -1
			}
			return 1
		})
	}
	rest := ms[start:]
	for _, e := range rest[:min(len(rest), s.Limit)] {
		p.Keys = append(p.Keys, e.key)
		p.Cursors = append(p.Cursors, pos(e).String())
	}
	p.More = len(rest) > s.Limit
	return p, nil
}

// Aggregate implements graph.Selector by counting the matches' values.
func (r *reader) Aggregate(ctx context.Context, s graph.Selection, by graph.Grouping, limit int) ([]graph.Group, error) {
	if err := graph.ValidateAggregate(s, by, limit); err != nil {
		return nil, err
	}
	ms, err := r.matches(ctx, s)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	f, isFacet := by.Facet()
	for _, e := range ms {
		switch {
		case isFacet && len(e.facets[f]) == 0:
			counts[""]++
		case isFacet:
			for _, v := range e.facets[f] {
				counts[v]++
			}
		case e.pos.HasValue:
			counts[graph.SortValueMonth(e.pos.Value)]++
		default:
			counts[""]++
		}
	}
	gs := make([]graph.Group, 0, len(counts))
	for v, n := range counts {
		gs = append(gs, graph.Group{Value: v, Count: n})
	}
	return graph.SortGroups(gs, limit), nil
}
