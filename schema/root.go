package schema

import (
	"context"
	"errors"
	"strings"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// traceValue is the value behind Trace.
type traceValue struct {
	root                                       graph.Node
	hops                                       []interface{}
	speakers, primary, supporting, contradicts []interface{}
	truncated                                  bool
}

// hopValue is the value behind Hop.
type hopValue struct {
	hop      graph.Hop
	from, to graph.Node
}

// statsValue is the value behind Stats.
type statsValue struct {
	stats graph.Stats
}

// kindCount is the value behind KindCount.
type kindCount struct {
	kind  graph.Kind
	count int
}

func (b *builder) query() *graphql.Object {
	b.hop = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Hop",
		Description: "One step of a trace: an edge walked from one node to another, at a depth (1 for the root's own edges).",
		Fields: graphql.Fields{
			"from": field(graphql.NewNonNull(b.node), "The node the step starts at.",
				get(func(h *hopValue) interface{} { return h.from })),
			"to": field(graphql.NewNonNull(b.node), "The node the step reaches.",
				get(func(h *hopValue) interface{} { return h.to })),
			"relation": field(graphql.NewNonNull(graphql.String), "The relation walked, in bundle spelling: a reference field "+
				"(speaker, source, channel, reported_by, expresses, stated_by ...), a derivation relation (quotes, cites ...) "+
				"or a link relation (supports, contradicts ...).",
				get(func(h *hopValue) interface{} { return h.hop.Relation })),
			"cue": field(graphql.String, "The attribution cue of a speaker or reported_by step (said, posted ...).",
				get(func(h *hopValue) interface{} { return opt(h.hop.Cue) })),
			"reason": field(graphql.String, "The reason of a contradicts link (different_measure ...), in bundle spelling.",
				get(func(h *hopValue) interface{} { return opt(h.hop.Reason) })),
			"depth": field(graphql.NewNonNull(graphql.Int), "How many steps from the root this step ends (1 for the root's own edges).",
				get(func(h *hopValue) interface{} { return h.hop.Depth })),
			"retracted": field(graphql.NewNonNull(graphql.Boolean), "True when this step is a retracted link, or joins a retracted "+
				"node other than the root (the nodes' and links' retracted fields say when, by whom and why).",
				get(func(h *hopValue) interface{} { return h.hop.Retracted })),
		},
	})
	b.trace = graphql.NewObject(graphql.ObjectConfig{
		Name: "Trace",
		Description: "The flat provenance of a quote, claim or figure: every step walked from it (the reportedBy chain, " +
			"channels, the derivedFrom chain of sources, the claims it expresses, the quotes expressing a claim, the " +
			"links supporting or contradicting it), the original speakers, the primary sources and the evidence for " +
			"and against. Node lists hold each node once, in the order reached.",
		Fields: graphql.Fields{
			"root": field(graphql.NewNonNull(b.node), "The node traced.",
				get(func(t *traceValue) interface{} { return t.root })),
			"hops": field(nonNullList(b.hop), "Every step walked, breadth first.",
				get(func(t *traceValue) interface{} { return t.hops })),
			"speakers": field(nonNullList(b.agent), "The original speakers: who first said the words, at the end of the attribution chains.",
				get(func(t *traceValue) interface{} { return t.speakers })),
			"primarySources": field(nonNullList(b.source), "The primary sources: where the chains of sources end (derived from nothing further).",
				get(func(t *traceValue) interface{} { return t.primary })),
			"supporting": field(nonNullList(b.node), "Figures and claims that support the root (supports links); retracted links "+
				"and retracted nodes are left out unless includeRetracted.",
				get(func(t *traceValue) interface{} { return t.supporting })),
			"contradicting": field(nonNullList(b.node), "Figures and claims that contradict the root (contradicts links; see the hops "+
				"for reasons); retracted links and retracted nodes are left out unless includeRetracted.",
				get(func(t *traceValue) interface{} { return t.contradicts })),
			"truncated": field(graphql.NewNonNull(graphql.Boolean), "True when maxDepth or the node limit cut the trace short.",
				get(func(t *traceValue) interface{} { return t.truncated })),
		},
	})
	b.kindCount = graphql.NewObject(graphql.ObjectConfig{
		Name:        "KindCount",
		Description: "How many nodes of one kind the graph holds.",
		Fields: graphql.Fields{
			"kind": field(graphql.NewNonNull(b.kind), "The kind.",
				get(func(k kindCount) interface{} { return k.kind })),
			"count": field(graphql.NewNonNull(graphql.Int), "How many nodes of the kind.",
				get(func(k kindCount) interface{} { return k.count })),
		},
	})
	b.stats = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Stats",
		Description: "Counts of what the graph holds.",
		Fields: graphql.Fields{
			"nodes": field(graphql.NewNonNull(graphql.Int), "All nodes, of every kind.",
				get(func(s *statsValue) interface{} {
					n := 0
					for _, c := range s.stats.Nodes {
						n += c
					}
					return n
				})),
			"links": field(graphql.NewNonNull(graphql.Int), "Typed links (supports, contradicts ...).",
				get(func(s *statsValue) interface{} { return s.stats.Links })),
			"edges": field(graphql.NewNonNull(graphql.Int), "Stored edges: references between nodes and links.",
				get(func(s *statsValue) interface{} { return s.stats.Edges })),
			"byKind": field(nonNullList(b.kindCount), "Nodes per kind, every kind listed.",
				get(func(s *statsValue) interface{} {
					out := make([]interface{}, 0, len(graph.Kinds))
					for _, k := range graph.Kinds {
						out = append(out, kindCount{k, s.stats.Nodes[k]})
					}
					return out
				})),
		},
	})

	idArg := func(desc string) *graphql.ArgumentConfig {
		return &graphql.ArgumentConfig{Type: graphql.NewNonNull(graphql.ID), Description: desc}
	}
	fields := graphql.Fields{
		"node": {
			Type:        b.node,
			Description: "The node with this id, of any kind; null when there is none.",
			Args:        b.withAsOf(graphql.FieldConfigArgument{"id": idArg("The node's key (the old key of a merged node leads to the node it was merged into).")}),
			Resolve: resolve(atSnapshot(func(rq *request, p graphql.ResolveParams) (interface{}, error) {
				id, _ := p.Args["id"].(string)
				return rq.loader.thunkOne(rq.ctx, id), nil
			})),
		},
		"nodes": {
			Type:        graphql.NewNonNull(graphql.NewList(b.node)),
			Description: "The nodes with these ids, in the same order, null where there is none.",
			Args: b.withAsOf(graphql.FieldConfigArgument{"ids": {
				Type:        nonNullList(graphql.ID),
				Description: "The nodes' keys, at most " + itoa(b.cfg.MaxIDs) + " (more is an error, LIMIT_EXCEEDED).",
			}}),
			Resolve: resolve(atSnapshot(b.resolveNodes)),
		},
		"whoSaid": {
			Type: graphql.NewNonNull(b.quoteConn),
			Description: "The quotes whose words contain the text, compared insensitive to case, spacing, accents and " +
				"quote-mark style; each quote leads to its speaker and source.",
			Args: b.withAsOf(merge2(b.pageArgs(), graphql.FieldConfigArgument{"text": {
				Type:        graphql.NewNonNull(graphql.String),
				Description: "The words to look for (not empty, at most " + itoa(maxSearchText) + " bytes).",
			}})),
			Resolve: resolve(atSnapshot(b.resolveWhoSaid)),
		},
		"search": b.searchField(),
		"trace": {
			Type:        graphql.NewNonNull(b.trace),
			Description: "The provenance trace of a quote, claim or figure. An unknown id is an error (NOT_FOUND).",
			Args: b.withAsOf(graphql.FieldConfigArgument{
				"id": idArg("The key of the quote, claim or figure to trace."),
				"maxDepth": {
					Type:         graphql.Int,
					DefaultValue: b.cfg.traceDepthDefault(),
					Description:  "How many steps to walk from the root, 1 to " + itoa(b.cfg.MaxTraceDepth) + " (more is an error, LIMIT_EXCEEDED).",
				},
				"includeRetracted": {
					Type:         graphql.Boolean,
					DefaultValue: false,
					Description:  "Keep retracted links and retracted nodes in supporting and contradicting (they are always in hops, marked retracted).",
				},
			}),
			Resolve: resolve(atSnapshot(b.resolveTrace)),
		},
		"stats": {
			Type:        graphql.NewNonNull(b.stats),
			Description: "Counts of what the graph holds.",
			Args:        b.withAsOf(nil),
			Resolve: resolve(atSnapshot(func(rq *request, _ graphql.ResolveParams) (interface{}, error) {
				s, err := rq.r.Stats(rq.ctx)
				if err != nil {
					return nil, err
				}
				return &statsValue{s}, nil
			})),
		},
		"history": b.historyField(),
		"agentsNamed": {
			Type:        nonNullList(b.agent),
			Description: "The people and organisations whose name or an alias is this name (insensitive to case and accents).",
			Args: b.withAsOf(graphql.FieldConfigArgument{"name": {
				Type:        graphql.NewNonNull(graphql.String),
				Description: "The exact name or alias.",
			}}),
			Resolve: resolve(atSnapshot(b.resolveAgentsNamed)),
		},
		"sourceByUrl": {
			Type:        b.source,
			Description: "The source published at this URL (exact match); null when there is none.",
			Args: b.withAsOf(graphql.FieldConfigArgument{"url": {
				Type:        graphql.NewNonNull(graphql.String),
				Description: "The URL, as stored.",
			}}),
			Resolve: resolve(atSnapshot(b.resolveSourceByURL)),
		},
	}
	lists := []struct {
		name string
		kind graph.Kind
		conn *graphql.Object
	}{
		{"people", graph.KindPerson, b.personConn},
		{"organisations", graph.KindOrganisation, b.orgConn},
		{"sources", graph.KindSource, b.sourceConn},
		{"quotes", graph.KindQuote, b.quoteConn},
		{"claims", graph.KindClaim, b.claimConn},
		{"figures", graph.KindFigure, b.figureConn},
	}
	for _, l := range lists {
		fields[l.name] = b.listField(l.kind, l.conn, l.name)
	}
	return graphql.NewObject(graphql.ObjectConfig{
		Name: "Query",
		Description: "The read-only entry points to the claim graph: one consistent snapshot per request, or, for a " +
			"root field with asOf, the snapshot of that instant for the field and everything below it.",
		Fields: fields,
	})
}

// merge2 adds the arguments of more to a.
func merge2(a, more graphql.FieldConfigArgument) graphql.FieldConfigArgument {
	for k, v := range more {
		a[k] = v
	}
	return a
}

func (b *builder) resolveNodes(rq *request, p graphql.ResolveParams) (interface{}, error) {
	raw, _ := p.Args["ids"].([]interface{})
	if len(raw) > b.cfg.MaxIDs {
		return nil, errorf(CodeLimitExceeded, "ids: %d ids is above the maximum %d", len(raw), b.cfg.MaxIDs)
	}
	ids := make([]string, len(raw))
	for i, v := range raw {
		ids[i], _ = v.(string)
	}
	nodes, err := rq.loader.many(rq.ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]interface{}, len(nodes))
	for i, n := range nodes {
		if n != nil {
			out[i] = n
		}
	}
	return out, nil
}

func (b *builder) resolveWhoSaid(rq *request, p graphql.ResolveParams) (interface{}, error) {
	text, _ := p.Args["text"].(string)
	if strings.TrimSpace(text) == "" {
		return nil, errorf(CodeBadUserInput, "text: must not be empty")
	}
	if len(text) > maxSearchText {
		return nil, errorf(CodeLimitExceeded, "text: %d bytes is above the maximum %d", len(text), maxSearchText)
	}
	first, after, err := b.page(p.Args)
	if err != nil {
		return nil, err
	}
	if qp, ok := rq.r.(quotesPager); ok {
		// The total only when totalCount is selected.
		pg, total, err := qp.QuotesMatchingPage(rq.ctx, text, after, max(first, 1))
		if err != nil {
			return nil, err
		}
		c := pageConn(pg, first, after, graph.KindQuote)
		c.total = func() (int, error) { return total(rq.ctx) }
		return c, nil
	}
	pg, err := rq.r.QuotesMatching(rq.ctx, text, after, max(first, 1))
	if err != nil {
		return nil, err
	}
	return pageConn(pg, first, after, graph.KindQuote), nil
}

// quotesPager is implemented by readers that page whoSaid without
// counting every match (the store's): the total is a function, called
// only when totalCount is selected.
type quotesPager interface {
	QuotesMatchingPage(ctx context.Context, text, after string, limit int) (graph.Page, func(context.Context) (int, error), error)
}

func (b *builder) resolveAgentsNamed(rq *request, p graphql.ResolveParams) (interface{}, error) {
	name, _ := p.Args["name"].(string)
	if strings.TrimSpace(name) == "" {
		return []interface{}{}, nil
	}
	keys, err := rq.r.Lookup(rq.ctx, graph.IndexName, name)
	if err != nil {
		return nil, err
	}
	if len(keys) > b.cfg.MaxPage {
		keys = keys[:b.cfg.MaxPage]
	}
	return rq.loader.thunkMany(rq.ctx, keys, graph.KindPerson, graph.KindOrganisation), nil
}

func (b *builder) resolveSourceByURL(rq *request, p graphql.ResolveParams) (interface{}, error) {
	url, _ := p.Args["url"].(string)
	if url == "" {
		return nil, nil
	}
	keys, err := rq.r.Lookup(rq.ctx, graph.IndexURL, url)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	return rq.loader.thunkOne(rq.ctx, keys[0], graph.KindSource), nil
}

func (b *builder) resolveTrace(rq *request, p graphql.ResolveParams) (interface{}, error) {
	id, _ := p.Args["id"].(string)
	depth := b.cfg.traceDepthDefault()
	if v, ok := p.Args["maxDepth"].(int); ok {
		depth = v
	}
	if depth < 1 {
		return nil, errorf(CodeBadUserInput, "maxDepth: %d is below 1", depth)
	}
	if depth > b.cfg.MaxTraceDepth {
		return nil, errorf(CodeLimitExceeded, "maxDepth: %d is above the maximum %d", depth, b.cfg.MaxTraceDepth)
	}
	include, _ := p.Args["includeRetracted"].(bool)
	opt := graph.TraceOptions{MaxDepth: depth, MaxNodes: b.cfg.MaxTraceNodes, IncludeRetracted: include}
	tr, err := graph.TraceFrom(rq.ctx, rq.r, id, opt)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, &Error{Code: CodeNotFound, Message: "trace: no node has id " + quote(id), Err: err}
	}
	if err != nil {
		return nil, err
	}
	// The nodes the selection reads whole, and those a key stub answers
	// (tracefast.go).
	need := traceNeedsOf(p.Info.FieldASTs, p.Info.Fragments)
	var whole, stubs []string
	if need.root {
		whole = append(whole, tr.Root) // its key may be a merged one: read
	}
	add := func(wanted bool, keys ...string) {
		if wanted {
			whole = append(whole, keys...)
		} else {
			stubs = append(stubs, keys...)
		}
	}
	for _, h := range tr.Hops {
		add(need.from, h.From)
		add(need.to, h.To)
	}
	add(need.speakers, tr.Speakers...)
	add(need.primary, tr.PrimarySources...)
	add(need.supporting, tr.Supporting...)
	add(need.contradicting, tr.Contradicting...)
	byKey, err := traceNodes(rq.ctx, rq, whole, stubs)
	if err != nil {
		return nil, err
	}
	tv := &traceValue{root: byKey[tr.Root], truncated: tr.Truncated}
	if need.root && tv.root == nil {
		return nil, &Error{Code: CodeNotFound, Message: "trace: no node has id " + quote(id), Err: graph.ErrNotFound}
	}
	tv.hops = make([]interface{}, 0, len(tr.Hops))
	for _, h := range tr.Hops {
		from, to := byKey[h.From], byKey[h.To]
		if from == nil || to == nil {
			continue
		}
		tv.hops = append(tv.hops, &hopValue{hop: h, from: from, to: to})
	}
	pick := func(keys []string, kinds ...graph.Kind) []interface{} {
		out := make([]interface{}, 0, len(keys))
		for _, k := range keys {
			if n := byKey[k]; n != nil && kindIn(n.NodeKind(), kinds) {
				out = append(out, n)
			}
		}
		return out
	}
	tv.speakers = pick(tr.Speakers, graph.KindPerson, graph.KindOrganisation)
	tv.primary = pick(tr.PrimarySources, graph.KindSource)
	tv.supporting = pick(tr.Supporting)
	tv.contradicts = pick(tr.Contradicting)
	return tv, nil
}
