package export

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"claimgraph/graph"
)

// walker reads the exported nodes and links in a fixed order: kinds in
// graph.Kinds order, keys in byte order within a kind, a node's links in
// the store's edge order. Every pass over the same walker sees the same
// sequence.
type walker struct {
	r   graph.Reader
	cfg *config
	// set is nil for a whole-graph export.
	set *keySet
	// total is the number of nodes exported.
	total int
	// progress counts node visits for Options.Progress.
	done, passes int
	// sinkErr, when set, reports a failed output; the walk stops at the
	// next page.
	sinkErr func() error
	// retracted holds the retractions of the nodes of the current page of
	// nodes (see retraction).
	retracted map[string]graph.Retraction
}

// keySet is the closed key set of a scoped export.
type keySet struct {
	has    map[string]graph.Kind
	byKind [graph.KindFigure + 1][]string // sorted
}

// linkRelations are the relations of links, for edge queries.
var linkRelations = func() []graph.Relation {
	rs := make([]graph.Relation, len(graph.LinkRelations))
	for i, r := range graph.LinkRelations {
		rs[i] = graph.Relation(r)
	}
	return rs
}()

// edgePage is the page size of edge queries; a node with more links than
// this is read relation by relation with keyset paging.
const edgePage = 1024

func newWalker(ctx context.Context, r graph.Reader, c *config) (*walker, error) {
	w := &walker{r: r, cfg: c}
	if c.Scope.All {
		st, err := r.Stats(ctx)
		if err != nil {
			return nil, fmt.Errorf("export: stats: %w", err)
		}
		for _, k := range graph.Kinds {
			w.total += st.Nodes[k]
		}
		return w, nil
	}
	set, err := closeScope(ctx, r, c.Scope.Keys, c.PageSize)
	if err != nil {
		return nil, err
	}
	w.set = set
	w.total = len(set.has)
	return w, nil
}

// closeScope checks that every key exists and adds, transitively, the nodes
// that the fields of the nodes in the set refer to. A key that was merged
// into another node stands for that node.
func closeScope(ctx context.Context, r graph.Reader, keys []string, page int) (*keySet, error) {
	set := &keySet{has: make(map[string]graph.Kind, len(keys))}
	asked := map[string]bool{}
	pending := slices.Clone(keys)
	slices.Sort(pending)
	pending = slices.Compact(pending)
	first := true
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var missing []string
		var next []string
		for start := 0; start < len(pending); start += page {
			chunk := pending[start:min(start+page, len(pending))]
			nodes, err := r.Nodes(ctx, chunk)
			if err != nil {
				return nil, fmt.Errorf("export: read scope: %w", err)
			}
			for i, n := range nodes {
				asked[chunk[i]] = true
				if n == nil {
					missing = append(missing, chunk[i])
					continue
				}
				if _, ok := set.has[n.NodeKey()]; ok {
					continue
				}
				set.has[n.NodeKey()] = n.NodeKind()
				for _, ref := range n.Refs() {
					if _, ok := set.has[ref.To]; !ok && !asked[ref.To] {
						next = append(next, ref.To)
					}
				}
			}
		}
		if len(missing) > 0 {
			what := "scope key"
			if !first {
				// A stored reference to a missing node: the store is
				// inconsistent, not the request.
				what = "referenced node"
			}
			shown := missing
			if len(shown) > 10 {
				shown = shown[:10]
			}
			return nil, fmt.Errorf("export: %d %s(s) not found (%s): %w", len(missing), what, strings.Join(shown, ", "), graph.ErrNotFound)
		}
		first = false
		slices.Sort(next)
		pending = slices.Compact(next)
	}
	for k, kind := range set.has {
		set.byKind[kind] = append(set.byKind[kind], k)
	}
	for _, k := range graph.Kinds {
		slices.Sort(set.byKind[k])
	}
	return set, nil
}

// addPasses declares how many times the export will read every node, for
// progress reports.
func (w *walker) addPasses(n int) { w.passes += n }

func (w *walker) tick(n int) error {
	w.done += n
	if w.cfg.Progress != nil {
		w.cfg.Progress(w.done, w.total*max(w.passes, 1))
	}
	if w.sinkErr != nil {
		if err := w.sinkErr(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}

// contains reports whether the node with the key is exported.
func (w *walker) contains(key string) bool {
	if w.set == nil {
		return true
	}
	_, ok := w.set.has[key]
	return ok
}

// pages calls fn with the keys of the exported nodes of kind k, in key
// order, a page at a time.
func (w *walker) pages(ctx context.Context, k graph.Kind, fn func(keys []string) error) error {
	page := w.cfg.PageSize
	if w.set != nil {
		keys := w.set.byKind[k]
		for start := 0; start < len(keys); start += page {
			if err := ctx.Err(); err != nil {
				return err
			}
			chunk := keys[start:min(start+page, len(keys))]
			if err := fn(chunk); err != nil {
				return err
			}
			if err := w.tick(len(chunk)); err != nil {
				return err
			}
		}
		return nil
	}
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := w.r.List(ctx, k, after, page)
		if err != nil {
			return fmt.Errorf("list %s nodes: %w", k, err)
		}
		if len(p.Keys) == 0 {
			return nil
		}
		if err := fn(p.Keys); err != nil {
			return err
		}
		if err := w.tick(len(p.Keys)); err != nil {
			return err
		}
		if !p.More {
			return nil
		}
		after = p.Keys[len(p.Keys)-1]
	}
}

// nodes calls fn with every exported node of kind k, in key order, read a
// page at a time. References to keys that were merged into other nodes are
// rewritten to those nodes, so that every reference names an exported node.
// During fn, retraction reports the retractions of the page's nodes.
func (w *walker) nodes(ctx context.Context, k graph.Kind, fn func(graph.Node) error) error {
	return w.pages(ctx, k, func(keys []string) error {
		ns, err := w.r.Nodes(ctx, keys)
		if err != nil {
			return fmt.Errorf("read %s nodes: %w", k, err)
		}
		for i, n := range ns {
			if n == nil {
				// Listed in this snapshot but unreadable: the reader is
				// inconsistent.
				return fmt.Errorf("node %q listed but not found: %w", keys[i], graph.ErrNotFound)
			}
		}
		if err := w.resolve(ctx, ns); err != nil {
			return err
		}
		w.retracted, err = w.r.Retractions(ctx, keys)
		if err != nil {
			return fmt.Errorf("read retractions: %w", err)
		}
		for _, n := range ns {
			if err := fn(n); err != nil {
				return err
			}
		}
		return nil
	})
}

// retraction returns the retraction of a node of the current page, or nil.
func (w *walker) retraction(key string) *graph.Retraction {
	if rt, ok := w.retracted[key]; ok {
		return &rt
	}
	return nil
}

// resolve rewrites the references of the nodes that name merged keys.
func (w *walker) resolve(ctx context.Context, ns []graph.Node) error {
	var refs []string
	for _, n := range ns {
		for _, ref := range n.Refs() {
			refs = append(refs, ref.To)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	canon, err := w.r.Resolve(ctx, refs)
	if err != nil {
		return fmt.Errorf("resolve references: %w", err)
	}
	moved := map[string]string{}
	for from, to := range canon {
		if from != to {
			moved[from] = to
		}
	}
	if len(moved) == 0 {
		return nil
	}
	for _, n := range ns {
		rewriteRefs(n, moved)
	}
	return nil
}

// rewriteRefs replaces, in the fields of n, the keys that m maps.
func rewriteRefs(n graph.Node, m map[string]string) {
	one := func(s *string) {
		if to, ok := m[*s]; ok {
			*s = to
		}
	}
	all := func(ss []string) {
		for i := range ss {
			one(&ss[i])
		}
	}
	switch v := n.(type) {
	case *graph.Person:
		for i := range v.Affiliations {
			one(&v.Affiliations[i].Organisation)
		}
	case *graph.Organisation:
		one(&v.Parent)
	case *graph.Source:
		one(&v.Publisher)
		all(v.Authors)
		for i := range v.DerivedFrom {
			one(&v.DerivedFrom[i].Source)
		}
	case *graph.Quote:
		one(&v.Speaker)
		one(&v.Source)
		one(&v.Channel)
		one(&v.ReportedBy)
		all(v.Claims)
	case *graph.Claim:
		all(v.About)
	case *graph.Figure:
		one(&v.StatedBy)
		one(&v.Source)
		all(v.DerivedFrom)
	}
}

// allNodes calls fn with every exported node, kind by kind.
func (w *walker) allNodes(ctx context.Context, fn func(graph.Node) error) error {
	for _, k := range graph.Kinds {
		if err := w.nodes(ctx, k, fn); err != nil {
			return err
		}
	}
	return nil
}

// links calls fn with the exported links that leave the node with the
// key (links whose other end is exported too), as edges: Link() is the
// link, Retracted its retraction.
func (w *walker) links(ctx context.Context, key string, fn func(graph.Edge) error) error {
	es, err := w.r.Edges(ctx, graph.EdgeQuery{Key: key, Dir: graph.Out, Relations: linkRelations, Limit: edgePage})
	if err != nil {
		return fmt.Errorf("links of %q: %w", key, err)
	}
	if len(es) == edgePage {
		// Many links: page relation by relation, where the cursor (the
		// other end's key) is unambiguous.
		for _, rel := range linkRelations {
			after := ""
			for {
				page, err := w.r.Edges(ctx, graph.EdgeQuery{Key: key, Dir: graph.Out, Relations: []graph.Relation{rel}, After: after, Limit: edgePage})
				if err != nil {
					return fmt.Errorf("%s links of %q: %w", rel, key, err)
				}
				for _, e := range page {
					if err := w.emitLink(e, fn); err != nil {
						return err
					}
				}
				if len(page) < edgePage {
					break
				}
				after = page[len(page)-1].To
			}
		}
		return nil
	}
	for _, e := range es {
		if err := w.emitLink(e, fn); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) emitLink(e graph.Edge, fn func(graph.Edge) error) error {
	if !e.Relation.IsLink() || !w.contains(e.To) {
		return nil
	}
	return fn(e)
}

// allLinks calls fn with every exported link, grouped by the node they
// leave, in node order.
func (w *walker) allLinks(ctx context.Context, fn func(graph.Edge) error) error {
	for _, k := range graph.Kinds {
		err := w.pages(ctx, k, func(keys []string) error {
			for _, key := range keys {
				if err := w.links(ctx, key, fn); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// edge is one row of the edges table: a reference held by a field, or a
// link (with its retraction, if any).
type edge struct {
	From, To, Relation, Qualifier string
	Link                          bool
	Reason, Note, By, At          string
	Retracted                     *graph.Retraction
}

// nodeEdges calls fn with the edges that leave n: its field references,
// then its links.
func (w *walker) nodeEdges(ctx context.Context, n graph.Node, fn func(edge) error) error {
	key := n.NodeKey()
	for _, ref := range n.Refs() {
		if err := fn(edge{From: key, To: ref.To, Relation: string(ref.Relation), Qualifier: ref.Qualifier}); err != nil {
			return err
		}
	}
	return w.links(ctx, key, func(e graph.Edge) error {
		return fn(edge{From: e.From, To: e.To, Relation: string(e.Relation), Link: true,
			Reason: e.Reason, Note: e.Note, By: e.By, At: e.At, Retracted: e.Retracted})
	})
}
