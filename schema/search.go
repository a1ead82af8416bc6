package schema

import (
	"strings"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// searchConn is the value behind SearchConnection: one page of hits.
type searchConn struct {
	page             graph.SearchPage
	hasNext, hasPrev bool
}

// searchEdge is the value behind SearchEdge.
type searchEdge struct {
	hit  graph.SearchHit
	node graph.Node
}

// searchField builds the root field search and its types.
func (b *builder) searchField() *graphql.Field {
	highlight := graphql.NewObject(graphql.ObjectConfig{
		Name:        "SearchHighlight",
		Description: "A matched word: code points [start, end) of the text of one field of the node.",
		Fields: graphql.Fields{
			"field": field(graphql.NewNonNull(graphql.String), "The field: name, aliases.N (the N-th alias, from 0), "+
				"title, text or measure.",
				get(func(h graph.Highlight) interface{} { return h.Field })),
			"start": field(graphql.NewNonNull(graphql.Int), "The first code point of the word in the field's text.",
				get(func(h graph.Highlight) interface{} { return h.Start })),
			"end": field(graphql.NewNonNull(graphql.Int), "The code point after the word.",
				get(func(h graph.Highlight) interface{} { return h.End })),
		},
	})
	edge := graphql.NewObject(graphql.ObjectConfig{
		Name:        "SearchEdge",
		Description: "One search hit: a cursor, the node, its score and the matched words.",
		Fields: graphql.Fields{
			"cursor": field(graphql.NewNonNull(graphql.String), "An opaque cursor; pass it as after to read on from this hit.",
				get(func(e *searchEdge) interface{} { return encodeCursor(e.hit.Cursor()) })),
			"node": field(graphql.NewNonNull(b.node), "The node found.",
				get(func(e *searchEdge) interface{} { return e.node })),
			"score": field(graphql.NewNonNull(graphql.Float), "The BM25 relevance score (higher is better), "+
				"comparable only within one search.",
				get(func(e *searchEdge) interface{} { return e.hit.Score })),
			"highlights": field(nonNullList(highlight), "The matched words, by field, in text order.",
				get(func(e *searchEdge) interface{} {
					out := make([]interface{}, len(e.hit.Highlights))
					for i, h := range e.hit.Highlights {
						out[i] = h
					}
					return out
				})),
		},
	})
	conn := graphql.NewObject(graphql.ObjectConfig{
		Name:        "SearchConnection",
		Description: "A page of search hits, best first (a Relay cursor connection).",
		Fields: graphql.Fields{
			"totalCount": field(graphql.NewNonNull(graphql.Int), "How many nodes matched, on every page.",
				get(func(c *searchConn) interface{} { return c.page.Total })),
			"pageInfo": field(graphql.NewNonNull(b.pageInfo), "Where this page sits.",
				get(func(c *searchConn) interface{} {
					pi := &pageInfoValue{hasNext: c.hasNext, hasPrev: c.hasPrev}
					if hs := c.page.Hits; len(hs) > 0 {
						pi.start = encodeCursor(hs[0].Cursor())
						pi.end = encodeCursor(hs[len(hs)-1].Cursor())
					}
					return pi
				})),
			"edges": field(nonNullList(edge), "The hits of this page, best first (score descending, then id).",
				with(func(rq *request, c *searchConn, _ graphql.ResolveParams) (interface{}, error) {
					keys := make([]string, len(c.page.Hits))
					for i, h := range c.page.Hits {
						keys[i] = h.Key
					}
					rq.loader.want(keys...)
					return thunk(func() (interface{}, error) {
						nodes, err := rq.loader.many(rq.ctx, keys)
						if err != nil {
							return nil, err
						}
						out := make([]interface{}, 0, len(nodes))
						for i, n := range nodes {
							if n != nil {
								out = append(out, &searchEdge{hit: c.page.Hits[i], node: n})
							}
						}
						return out, nil
					}), nil
				})),
		},
	})
	return &graphql.Field{
		Type: graphql.NewNonNull(conn),
		Description: "Full-text search over quote, claim, figure and source text, figure measures, source titles and " +
			"the names and aliases of people and organisations, ranked by BM25 (names weigh 3, titles 2, the rest 1). " +
			"Words are matched insensitive to case and accents and by English stem (running finds run); every word " +
			"must match. \"Double-quoted phrases\" match the words in that order, next to each other, in one field; " +
			"word* matches every word beginning with word (up to 50 such words per field).",
		Args: b.withAsOf(merge2(b.pageArgs(), graphql.FieldConfigArgument{
			"text": {
				Type:        graphql.NewNonNull(graphql.String),
				Description: "The query: words, \"phrases\" and prefix* terms (not empty, at most " + itoa(maxSearchText) + " bytes).",
			},
			"kinds": {
				Type:        graphql.NewList(graphql.NewNonNull(b.kind)),
				Description: "Only nodes of these kinds; every kind when absent or empty.",
			},
		})),
		Resolve: resolve(atSnapshot(b.resolveSearch)),
	}
}

func (b *builder) resolveSearch(rq *request, p graphql.ResolveParams) (interface{}, error) {
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
	q := graph.SearchQuery{Text: text, After: after, Limit: max(first, 1)}
	if list, ok := p.Args["kinds"].([]interface{}); ok {
		for _, v := range list {
			if k, ok := v.(graph.Kind); ok {
				q.Kinds = append(q.Kinds, k)
			}
		}
	}
	pg, err := rq.r.Search(rq.ctx, q)
	if err != nil {
		return nil, err
	}
	c := &searchConn{page: pg, hasNext: pg.More, hasPrev: after != ""}
	if len(pg.Hits) > first {
		c.page.Hits, c.hasNext = pg.Hits[:first], true
	}
	return c, nil
}
