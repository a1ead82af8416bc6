package schema

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// resolver is a field resolver that receives the request state.
type resolver func(rq *request, p graphql.ResolveParams) (interface{}, error)

// resolve adapts a resolver to graphql-go: it finds the request state (the
// one of the field's root field: see snapshot.go), gives up once the
// request's context is done, turns errors into coded *Error
// values (classify), recovers panics as INTERNAL errors that do not show the
// panic's text, and guards the thunks a resolver returns the same way.
func resolve(fn resolver) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (res interface{}, err error) {
		defer func() {
			if v := recover(); v != nil {
				res, err = nil, panicError(v)
			}
		}()
		rq, err := requestFrom(p.Context)
		if err != nil {
			return nil, err
		}
		rq = rq.route(p.Info.Path)
		if err := rq.ctx.Err(); err != nil {
			return nil, classify(err)
		}
		res, err = fn(rq, p)
		if err != nil {
			return nil, classify(err)
		}
		if th, ok := res.(thunk); ok {
			return guardThunk(th), nil
		}
		return res, nil
	}
}

// guardThunk gives a thunk the error handling of resolve.
func guardThunk(th thunk) thunk {
	return func() (res interface{}, err error) {
		defer func() {
			if v := recover(); v != nil {
				res, err = nil, panicError(v)
			}
		}()
		res, err = th()
		if err != nil {
			return nil, classify(err)
		}
		return res, nil
	}
}

// field returns a field of type t with its description and resolver.
func field(t graphql.Output, desc string, fn resolver) *graphql.Field {
	return &graphql.Field{Type: t, Description: desc, Resolve: resolve(fn)}
}

// errSource is the cause when a resolver gets a parent value of the wrong
// type (a bug).
type errSource struct{ got interface{} }

func (e errSource) Error() string { return fmt.Sprintf("schema: unexpected parent value %T", e.got) }

// get returns a resolver reading a property of the parent value, of type T.
func get[T any](fn func(T) interface{}) resolver {
	return func(_ *request, p graphql.ResolveParams) (interface{}, error) {
		v, ok := p.Source.(T)
		if !ok {
			return nil, errSource{p.Source}
		}
		return fn(v), nil
	}
}

// with returns a resolver that needs the request state and the parent value,
// of type T.
func with[T any](fn func(rq *request, v T, p graphql.ResolveParams) (interface{}, error)) resolver {
	return func(rq *request, p graphql.ResolveParams) (interface{}, error) {
		v, ok := p.Source.(T)
		if !ok {
			return nil, errSource{p.Source}
		}
		return fn(rq, v, p)
	}
}

// opt returns nil for the empty string, so that absent values are null.
func opt(s string) interface{} {
	if s == "" {
		return nil
	}
	return s
}

// strs returns a non-nil list.
func strs(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// externalID is one entry of a node's ids.
type externalID struct{ scheme, value string }

// externalIDs lists ids sorted by scheme.
func externalIDs(m map[string]string) []interface{} {
	out := make([]interface{}, 0, len(m))
	schemes := make([]string, 0, len(m))
	for k := range m {
		schemes = append(schemes, k)
	}
	sort.Strings(schemes)
	for _, k := range schemes {
		out = append(out, externalID{k, m[k]})
	}
	return out
}

// spanValue returns the span or nil.
func spanValue(s *graph.Span) interface{} {
	if s == nil {
		return nil
	}
	return s
}

// encodeCursor makes the opaque cursor of a key.
func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// decodeCursor reads a cursor made by encodeCursor.
func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return "", errorf(CodeBadUserInput, "after: %q is not a cursor of this API", truncate(c, 64))
	}
	return string(b), nil
}

// truncate shortens s for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// page reads first and after, checking first against the limits.
func (b *builder) page(args map[string]interface{}) (first int, after string, err error) {
	first = b.cfg.DefaultPage
	if v, ok := args["first"].(int); ok {
		first = v
	}
	if first < 0 {
		return 0, "", errorf(CodeBadUserInput, "first: %d is negative", first)
	}
	if first > b.cfg.MaxPage {
		return 0, "", errorf(CodeLimitExceeded, "first: %d is above the maximum page size %d", first, b.cfg.MaxPage)
	}
	if s, ok := args["after"].(string); ok && s != "" {
		if after, err = decodeCursor(s); err != nil {
			return 0, "", err
		}
	}
	return first, after, nil
}

// conn is the value behind every connection type: one page of items, read
// when the connection field resolved; the nodes are loaded when edges is
// asked for, through the loader, so sibling connections share one read.
type conn struct {
	items   []item
	hasNext bool
	hasPrev bool
	// total counts every item of the connection; called only when
	// totalCount is asked for.
	total func() (int, error)
	// kinds are the node kinds the edges lead to; none means any.
	kinds []graph.Kind
	// link says the edges are typed links (LinkConnection).
	link bool
	// count, when set, is the edge query whose CountEdges is the total:
	// totalCount reads it through the request's edge batches.
	count *graph.EdgeQuery
	// sel, when set, is the selection of a filtered root list (without
	// its page): the connection's aggregate counts over it.
	sel *graph.Selection
}

// item is one edge of a page: the key the edge leads to (also the cursor)
// and, for connections over stored edges, the edge.
type item struct {
	key  string
	edge graph.Edge
	// cursor, when set, is the store's keyset cursor of the item (a root
	// list, already opaque); otherwise the cursor encodes the key.
	cursor string
}

// cursorString is the opaque cursor of the item.
func (it item) cursorString() string {
	if it.cursor != "" {
		return it.cursor
	}
	return encodeCursor(it.key)
}

// edgeValue is the value behind every edge type.
type edgeValue struct {
	cursor string
	node   interface{} // a graph.Node, or a *linkValue
	edge   graph.Edge
}

// linkValue is the value behind Link: the link, its retraction (nil when
// live) and both ends.
type linkValue struct {
	link      graph.Link
	retracted *graph.Retraction
	from, to  graph.Node
}

// pageInfoValue is the value behind PageInfo.
type pageInfoValue struct {
	hasNext, hasPrev bool
	start, end       string
}

// pageInfo returns the page info of c.
func (c *conn) pageInfo() *pageInfoValue {
	pi := &pageInfoValue{hasNext: c.hasNext, hasPrev: c.hasPrev}
	if len(c.items) > 0 {
		pi.start = c.items[0].cursorString()
		pi.end = c.items[len(c.items)-1].cursorString()
	}
	return pi
}

// edges resolves a connection's edges: it asks the loader for the nodes and
// returns a thunk building the edges; an edge whose node is missing is left
// out.
func (c *conn) edges(rq *request) interface{} {
	keys := make([]string, 0, len(c.items)*2)
	for _, it := range c.items {
		if c.link {
			keys = append(keys, it.edge.From, it.edge.To)
		} else {
			keys = append(keys, it.key)
		}
	}
	rq.loader.want(keys...)
	return thunk(func() (interface{}, error) {
		nodes, err := rq.loader.many(rq.ctx, keys)
		if err != nil {
			return nil, err
		}
		out := make([]interface{}, 0, len(c.items))
		for i, it := range c.items {
			ev := &edgeValue{cursor: it.cursorString(), edge: it.edge}
			if c.link {
				from, to := nodes[2*i], nodes[2*i+1]
				if from == nil || to == nil {
					continue
				}
				ev.node = &linkValue{link: it.edge.Link(), retracted: it.edge.Retracted, from: from, to: to}
			} else {
				n := nodes[i]
				if n == nil || !kindIn(n.NodeKind(), c.kinds) {
					continue
				}
				ev.node = n
			}
			out = append(out, ev)
		}
		return out, nil
	})
}

// edgeSpec selects the stored edges behind a connection field.
type edgeSpec struct {
	dir  graph.Direction
	rels []graph.Relation
	kind graph.Kind
	// link makes a LinkConnection; its relations come from the
	// relations argument.
	link bool
}

// edgeConn resolves a connection over the edges of the parent node. A
// first page is read through the request's edge batches: the connections
// of one level (a speaker's quotes on each of 100 quotes) are read
// together. A page after a cursor is read at once, so that a cursor the
// store refuses fails this connection only: graphql-go v0.8.1 cannot stop
// the error of a non-null field resolved in a thunk at the nearest
// nullable parent, and would drop the whole response's data.
func (b *builder) edgeConn(spec edgeSpec) resolver {
	return with(func(rq *request, n graph.Node, p graphql.ResolveParams) (interface{}, error) {
		first, after, err := b.page(p.Args)
		if err != nil {
			return nil, err
		}
		q := graph.EdgeQuery{Key: n.NodeKey(), Dir: spec.dir, Relations: spec.rels, Kind: spec.kind, After: after}
		if spec.link {
			q.Relations = linkRelations(p.Args["relations"])
		}
		q.Limit = first + 1
		if after != "" {
			edges, err := rq.r.Edges(rq.ctx, q)
			if err != nil {
				return nil, err
			}
			return edgePage(q, edges, first, spec), nil
		}
		rq.edges.want(q)
		return thunk(func() (interface{}, error) {
			edges, err := rq.edges.get(rq.ctx, q)
			if err != nil {
				return nil, err
			}
			return edgePage(q, edges, first, spec), nil
		}), nil
	})
}

// linkRelations reads the relations argument; all link relations when empty.
func linkRelations(arg interface{}) []graph.Relation {
	var rels []graph.Relation
	if list, ok := arg.([]interface{}); ok {
		seen := map[string]bool{}
		for _, v := range list {
			if s, ok := v.(string); ok && !seen[s] {
				seen[s] = true
				rels = append(rels, graph.Relation(s))
			}
		}
	}
	if len(rels) == 0 {
		for _, s := range graph.LinkRelations {
			rels = append(rels, graph.Relation(s))
		}
	}
	return rels
}

// edgePage makes the connection of one page of edges, read with q (one
// more than first, to learn whether more follow).
func edgePage(q graph.EdgeQuery, edges []graph.Edge, first int, spec edgeSpec) *conn {
	c := &conn{hasPrev: q.After != "", link: spec.link}
	if spec.kind != 0 {
		c.kinds = []graph.Kind{spec.kind}
	}
	if len(edges) > first {
		c.hasNext = true
		edges = edges[:first]
	}
	for _, e := range edges {
		other := e.To
		if q.Dir == graph.In {
			other = e.From
		}
		c.items = append(c.items, item{key: other, edge: e})
	}
	cq := q
	cq.After, cq.Limit = "", 0
	c.count = &cq
	return c
}

// pageConn makes a connection from a page of keys.
func pageConn(pg graph.Page, first int, after string, kinds ...graph.Kind) *conn {
	keys := pg.Keys
	more := pg.More
	if len(keys) > first {
		keys, more = keys[:first], true
	}
	c := &conn{hasNext: more, hasPrev: after != "", kinds: kinds}
	for _, k := range keys {
		c.items = append(c.items, item{key: k})
	}
	total := pg.Total
	c.total = func() (int, error) { return total, nil }
	return c
}

// itoa formats n.
func itoa(n int) string { return strconv.Itoa(n) }

// quote quotes s for a message, shortened.
func quote(s string) string { return strconv.Quote(truncate(s, 128)) }
