package schema

import (
	"github.com/graphql-go/graphql/language/ast"
	lru "github.com/hashicorp/golang-lru/v2"
)

// docCacheSize is how many validated documents a handler keeps; a document
// longer than docCacheMaxQuery bytes is not kept.
const (
	docCacheSize     = 1024
	docCacheMaxQuery = 64 << 10
)

// docCache keeps the parsed documents of queries that passed parsing, the
// cycle check, the shape limits and validation, by query text, so that a
// client repeating a query (every real client does: the text is fixed and
// only the variables change) skips the work that is most of a small
// request's cost: validation is about 85% of the CPU of a node query with
// its speaker and source. Validation depends only on the schema, the
// document and the handler's rules, which do not change for a handler;
// execution does not modify a document, so one document serves concurrent
// requests. The cost check, authorisation and execution still run for
// every request (the cost depends on the variables).
type docCache struct {
	c *lru.Cache[string, *ast.Document]
}

func newDocCache() *docCache {
	c, err := lru.New[string, *ast.Document](docCacheSize)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &docCache{c: c}
}

// get returns the validated document of the query, if kept.
func (d *docCache) get(query string) (*ast.Document, bool) {
	if d == nil {
		return nil, false
	}
	return d.c.Get(query)
}

// put keeps the validated document of the query.
func (d *docCache) put(query string, doc *ast.Document) {
	if d == nil || len(query) > docCacheMaxQuery {
		return
	}
	d.c.Add(query, doc)
}
