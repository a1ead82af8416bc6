package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Trace limits used when TraceOptions leaves them zero.
const (
	DefaultTraceDepth = 6
	DefaultTraceNodes = 1000
)

// TraceOptions bound a trace.
type TraceOptions struct {
	// MaxDepth bounds the hops from the root (default 6).
	MaxDepth int
	// MaxNodes bounds the nodes visited, the root included (default 1000).
	MaxNodes int
	// IncludeRetracted keeps retracted evidence in Supporting and
	// Contradicting (see TraceFrom).
	IncludeRetracted bool
}

// Hop is one step of a trace: an edge walked at a depth (1 for edges of the
// root). Relation is a reference relation (speaker, reported_by, source,
// channel, expresses, stated_by), a derivation relation (quotes, cites ...)
// or a link relation (supports, contradicts ...). Cue is the attribution cue
// of a quote's speaker or reported_by hop; Reason is a link's reason.
type Hop struct {
	From     string
	To       string
	Relation string
	Cue      string
	Reason   string
	Depth    int
	// Retracted is set when the edge is a retracted link or a node it joins,
	// other than the root, has been retracted.
	Retracted bool
}

// Trace is the flat provenance of one quote, claim or figure. Node lists
// hold keys, without duplicates, in the order they were reached.
type Trace struct {
	Root           string
	Hops           []Hop
	Speakers       []string
	PrimarySources []string
	Supporting     []string
	Contradicting  []string
	Truncated      bool
}

// TraceFrom computes the trace of the node with the key, breadth first in
// the snapshot r. It returns ErrNotFound when no node has the key.
//
// # What is walked
//
// Hops keep the stored orientation of their edge (a quote that expresses a
// claim is the From of the hop even when the walk went from the claim). What
// is walked from a node depends on its kind:
//
//   - A quote: its speaker and enclosing quote (reported_by), both with the
//     quote's cue; its channel and source. Enclosing quotes are walked the
//     same way, so the chain runs out to the outermost attribution.
//   - A source: its derived_from sources, the hop named by the derivation
//     (quotes, cites ...), down the chain. A source reached as the
//     publication of quotes walks only the derivations toward those quotes'
//     channels (all of them when some quote has no channel), so a quote's
//     trace does not fan out into everything its article cites.
//   - A figure: who stated it, its source, the figures it derives from.
//   - The root alone also walks its links in both directions and, for a
//     quote, the claims it expresses; a claim root walks the quotes that
//     express it. Nodes reached through supports or contradicts links are
//     walked for their own attribution (who said or stated them, where);
//     nodes reached through other links (context, repeats ...) and claims
//     reached from elsewhere end their branch, as do people and
//     organisations.
//   - A person, organisation or source as the root: only its direct edges,
//     every relation in both directions, without going further.
//
// No edge is walked twice and no node is visited twice, so cycles end.
// Depth is the number of hops from the root. Nodes at MaxDepth are not
// walked from; Truncated reports that an edge was left out because of
// MaxDepth or MaxNodes.
//
// # Summary lists
//
// Speakers are the speakers of the quotes reached, innermost first: the
// speaker of a quote that no reached quote reports comes before the speaker
// of its enclosing quote. PrimarySources are where the words were first
// said or written: the channels of the quotes reached, then the other sources
// reached that derive from no other source (not listed for the direct trace
// of a person, organisation or source). Supporting holds X for each link
// X -supports-> root; Contradicting holds X for each link X -contradicts->
// root or root -contradicts-> X. Both leave out a link that has been
// retracted and an X that has been retracted, unless IncludeRetracted;
// such hops stay in Hops, marked Retracted, as do hops touching a
// retracted node other than the root (one Reader.Retractions call after
// the walk).
//
// The walk reads no record, not even the root's. Each level reads the
// kinds of the new nodes with one Reader.Kinds call (the root's first) and
// each node's edges with one Reader.Edges call per direction; what it needs
// of a quote comes with the quote's own edges: its source and channel, and
// its cue, the qualifier of its speaker and reported_by edges (Quote.Refs).
func TraceFrom(ctx context.Context, r Reader, key string, opt TraceOptions) (*Trace, error) {
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = DefaultTraceDepth
	}
	if opt.MaxNodes <= 0 {
		opt.MaxNodes = DefaultTraceNodes
	}
	w := &tracer{
		r: r, opt: opt, root: key,
		t:       &Trace{Root: key},
		kinds:   map[string]Kind{},
		visited: map[string]bool{key: true},
		walked:  map[edgeID]bool{},
		derives: map[string]bool{},
		leaf:    map[string]bool{},
		allowed: map[string]map[string]bool{},
	}
	// The root's kind, as every node's, comes from Reader.Kinds (a merged
	// key has the kind of the node it resolves to); its record is not read.
	if err := w.load(ctx, []string{key}); err != nil {
		return nil, err
	}
	if w.kinds[key] == 0 {
		return nil, fmt.Errorf("trace: node %q: %w", key, ErrNotFound)
	}
	w.direct = !slices.Contains([]Kind{KindQuote, KindClaim, KindFigure}, w.kinds[key])
	frontier := []string{key}
	for depth := 0; len(frontier) > 0; depth++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := w.load(ctx, frontier); err != nil {
			return nil, err
		}
		if err := w.read(ctx, frontier); err != nil {
			return nil, err
		}
		w.allow(frontier)
		var next []string
		for i, k := range frontier {
			next = w.expand(k, depth, w.edges[w.ends[i]:w.ends[i+1]], next)
		}
		frontier = next
	}
	if err := w.markRetracted(ctx); err != nil {
		return nil, err
	}
	w.summarise()
	return w.t, nil
}

// edgeID identifies a walked edge.
type edgeID struct {
	from, to  string
	rel       Relation
	qualifier string
}

type tracer struct {
	r       Reader
	opt     TraceOptions
	root    string
	direct  bool // root is not a quote, claim or figure
	t       *Trace
	kinds   map[string]Kind // the nodes reached; 0 for a dangling key
	visited map[string]bool
	walked  map[edgeID]bool
	derives map[string]bool // sources read that have a derived_from edge out
	leaf    map[string]bool // nodes reached through a link other than evidence: not walked from
	allowed map[string]map[string]bool
	// edges holds the edges read from the nodes of one level (read), those
	// of the i-th node at [ends[i], ends[i+1]); reused from level to
	// level. qs is queries' for the nodes other than the root.
	edges []walkedEdge
	ends  []int
	qs    [1]EdgeQuery
	// retracted and deadLinks are filled by markRetracted (assess.go).
	retracted map[string]bool
	deadLinks map[Hop]bool
}

// load reads the kinds of the keys not loaded yet, in one call.
func (w *tracer) load(ctx context.Context, keys []string) error {
	var missing []string
	for _, k := range keys {
		if _, ok := w.kinds[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	kinds, err := w.r.Kinds(ctx, missing)
	if err != nil {
		return err
	}
	for _, k := range missing {
		w.kinds[k] = kinds[k] // 0 for a dangling key: walked no further
	}
	return nil
}

// read reads the edges walked from each of the keys (queries) into
// w.edges, those of keys[i] at [w.ends[i], w.ends[i+1]).
func (w *tracer) read(ctx context.Context, keys []string) error {
	w.edges, w.ends = w.edges[:0], append(w.ends[:0], 0)
	for _, k := range keys {
		for _, q := range w.queries(k, w.kinds[k]) {
			got, err := w.r.Edges(ctx, q)
			if err != nil {
				return fmt.Errorf("trace: edges of %s: %w", k, err)
			}
			for _, e := range got {
				w.edges = append(w.edges, walkedEdge{e, q.Dir})
			}
		}
		w.ends = append(w.ends, len(w.edges))
	}
	return nil
}

func linkRelations() []Relation {
	out := make([]Relation, len(LinkRelations))
	for i, s := range LinkRelations {
		out[i] = Relation(s)
	}
	return out
}

// queries returns the edge queries walked from the node with the key; nil
// relations mean every relation.
func (w *tracer) queries(key string, kind Kind) []EdgeQuery {
	if kind == 0 {
		return nil
	}
	if w.direct {
		if key != w.root {
			return nil
		}
		return []EdgeQuery{{Key: key, Dir: Out}, {Key: key, Dir: In}}
	}
	if w.leaf[key] {
		return nil
	}
	if key != w.root {
		// Links are walked from the root only; the other nodes' queries
		// are one of a few.
		var rels []Relation
		switch kind {
		case KindQuote:
			rels = quoteOutRelations
		case KindFigure:
			rels = figureOutRelations
		case KindSource:
			rels = sourceOutRelations
		default:
			return nil
		}
		w.qs[0] = EdgeQuery{Key: key, Dir: Out, Relations: rels}
		return w.qs[:]
	}
	// The root: its own relations and every link, both ways.
	links := linkRelations()
	with := func(rs ...Relation) []Relation { return append(slices.Clip(rs), links...) }
	in := EdgeQuery{Key: key, Dir: In, Relations: links}
	switch kind {
	case KindQuote:
		return []EdgeQuery{{Key: key, Dir: Out, Relations: with(append(slices.Clip(quoteOutRelations), RelExpresses)...)}, in}
	case KindFigure:
		return []EdgeQuery{{Key: key, Dir: Out, Relations: with(figureOutRelations...)}, in}
	case KindSource:
		return []EdgeQuery{{Key: key, Dir: Out, Relations: sourceOutRelations}}
	case KindClaim:
		return []EdgeQuery{{Key: key, Dir: Out, Relations: links}, {Key: key, Dir: In, Relations: with(RelExpresses)}}
	}
	return nil
}

// The relations walked out of a quote, a figure and a source other than
// the root (read only).
var (
	quoteOutRelations  = []Relation{RelSpeaker, RelReportedBy, RelSource, RelChannel}
	figureOutRelations = []Relation{RelStatedBy, RelSource, RelDerivedFrom}
	sourceOutRelations = []Relation{RelDerivedFrom}
)

// allow records, for the quotes about to be expanded (keys, whose edges
// read has read), which derivations of their sources lead toward their
// words: the quote's channel, or every derivation when the quote has no
// channel. A source then walks only the derived_from edges that some quote
// published in it allows, so the trace of one quote does not fan out into
// everything else its article cites.
func (w *tracer) allow(keys []string) {
	for i, k := range keys {
		if w.kinds[k] != KindQuote || w.leaf[k] {
			continue
		}
		source, channel := "", "*"
		for _, e := range w.edges[w.ends[i]:w.ends[i+1]] {
			if e.dir != Out {
				continue
			}
			switch e.Relation {
			case RelSource:
				source = e.To
			case RelChannel:
				channel = e.To
			}
		}
		if source == "" {
			continue
		}
		if w.allowed[source] == nil {
			w.allowed[source] = map[string]bool{}
		}
		w.allowed[source][channel] = true
	}
}

// keep reports whether an edge read from the node with the key and kind is
// walked: a source's derivation must be allowed when the source was reached
// as the publication of quotes (see allow).
func (w *tracer) keep(key string, kind Kind, e Edge) bool {
	if kind != KindSource || e.Relation != RelDerivedFrom || w.direct {
		return true
	}
	a, published := w.allowed[key]
	return !published || a["*"] || a[e.To]
}

// walkedEdge is an edge read from a node, with the direction it was read in.
type walkedEdge struct {
	Edge
	dir Direction
}

// expand walks the edges read from the node with the key (es, which it
// reorders), at depth hops from the root, and appends the nodes it reached
// first to reached.
func (w *tracer) expand(key string, depth int, es []walkedEdge, reached []string) []string {
	kind := w.kinds[key]
	es = slices.DeleteFunc(es, func(e walkedEdge) bool { return !w.keep(key, kind, e.Edge) })
	for _, e := range es {
		if e.dir == Out && e.Relation == RelDerivedFrom && kind == KindSource {
			w.derives[key] = true
		}
	}
	slices.SortStableFunc(es, func(a, b walkedEdge) int {
		return cmp.Or(cmp.Compare(relationRank(a.Relation), relationRank(b.Relation)), cmp.Compare(a.Relation, b.Relation),
			cmp.Compare(otherEnd(a), otherEnd(b)), cmp.Compare(a.dir, b.dir), cmp.Compare(a.Qualifier, b.Qualifier))
	})
	for _, e := range es {
		id := edgeID{e.From, e.To, e.Relation, e.Qualifier}
		if w.walked[id] {
			continue
		}
		if depth >= w.opt.MaxDepth {
			w.t.Truncated = true
			break
		}
		o := otherEnd(e)
		if !w.visited[o] {
			if len(w.visited) >= w.opt.MaxNodes {
				w.t.Truncated = true
				continue
			}
			w.visited[o] = true
			reached = append(reached, o)
			if e.Relation.IsLink() && e.Relation != RelSupports && e.Relation != RelContradicts {
				w.leaf[o] = true
			}
		}
		w.walked[id] = true
		w.t.Hops = append(w.t.Hops, hopOf(e.Edge, depth+1))
	}
	return reached
}

func otherEnd(e walkedEdge) string {
	if e.dir == Out {
		return e.To
	}
	return e.From
}

// hopOf makes the hop of an edge walked at a depth. The cue of a speaker
// or reported_by hop is the edge's qualifier (Quote.Refs), whichever end
// the walk went from.
func hopOf(e Edge, depth int) Hop {
	h := Hop{From: e.From, To: e.To, Relation: string(e.Relation), Reason: e.Reason, Depth: depth, Retracted: e.Retracted != nil}
	switch {
	case e.Relation == RelDerivedFrom && e.Qualifier != "":
		h.Relation = e.Qualifier
	case e.Relation == RelSpeaker || e.Relation == RelReportedBy:
		h.Cue = e.Qualifier
	}
	return h
}

// relationRank orders the hops of one node: attribution first, then
// sources, claims, figures' agents, links, and the other relations.
func relationRank(r Relation) int {
	order := []Relation{RelSpeaker, RelReportedBy, RelChannel, RelSource, RelDerivedFrom, RelExpresses, RelStatedBy}
	if i := slices.Index(order, r); i >= 0 {
		return i
	}
	if i := slices.Index(LinkRelations, string(r)); i >= 0 {
		return len(order) + i
	}
	return len(order) + len(LinkRelations)
}

// summarise fills the summary lists.
func (w *tracer) summarise() {
	t := w.t
	// Nesting height of each quote: 0 when no reached quote reports it.
	height := map[string]int{}
	var reports [][2]string // inner, outer
	for _, h := range t.Hops {
		if h.Relation == string(RelReportedBy) {
			reports = append(reports, [2]string{h.From, h.To})
		}
	}
	for range len(reports) { // a chain has at most len(reports) links; cycles stop here
		grew := false
		for _, p := range reports {
			if height[p[1]] < height[p[0]]+1 && height[p[0]] < len(reports) {
				height[p[1]] = height[p[0]] + 1
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	type spoken struct {
		speaker string
		height  int
	}
	var speakers []spoken
	var channels, others []string
	for _, h := range t.Hops {
		switch Relation(h.Relation) {
		case RelSpeaker:
			speakers = append(speakers, spoken{h.To, height[h.From]})
		case RelSupports:
			if h.To == w.root && w.liveEvidence(h) {
				t.Supporting = appendNew(t.Supporting, h.From)
			}
		case RelContradicts:
			if !w.liveEvidence(h) {
				break
			}
			if h.To == w.root {
				t.Contradicting = appendNew(t.Contradicting, h.From)
			} else if h.From == w.root {
				t.Contradicting = appendNew(t.Contradicting, h.To)
			}
		}
		if w.direct {
			continue
		}
		if s := h.To; w.kinds[s] == KindSource && s != w.root && (h.Relation == string(RelChannel) || !w.derives[s]) {
			if h.Relation == string(RelChannel) {
				channels = appendNew(channels, s)
			} else {
				others = appendNew(others, s)
			}
		}
	}
	slices.SortStableFunc(speakers, func(a, b spoken) int { return cmp.Compare(a.height, b.height) })
	for _, s := range speakers {
		t.Speakers = appendNew(t.Speakers, s.speaker)
	}
	for _, s := range append(channels, others...) {
		t.PrimarySources = appendNew(t.PrimarySources, s)
	}
}

func appendNew(list []string, key string) []string {
	if slices.Contains(list, key) {
		return list
	}
	return append(list, key)
}
