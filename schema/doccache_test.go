package schema

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// TestDocCacheKeepsChecks sends each query twice or more, so that the later
// requests run on the kept document, and checks that what depends on the
// request rather than the document is still checked every time: the
// operation name, the method, the cost of the variables, and that a query
// that failed validation is never kept.
func TestDocCacheKeepsChecks(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	const twoOps = `query A { node(id: "q-safer") { id } } mutation B { __typename }`
	const paged = `query P($n: Int) { quotes(first: $n) { edges { node { id } } } }`
	const invalid = `{ node(id: "q-safer") { nope } }`
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		status int
		codes  []string
	}{
		{"first run of A", func() *http.Request {
			return postBody(`{"query": `+quoteJSON(twoOps)+`, "operationName": "A"}`, acceptGQL)
		}, 200, nil},
		{"again: A", func() *http.Request {
			return postBody(`{"query": `+quoteJSON(twoOps)+`, "operationName": "A"}`, acceptGQL)
		}, 200, nil},
		{"kept, unknown operation", func() *http.Request {
			return postBody(`{"query": `+quoteJSON(twoOps)+`, "operationName": "C"}`, acceptGQL)
		}, 400, []string{string(CodeBadUserInput)}},
		{"kept, no operation name", func() *http.Request { return postBody(`{"query": `+quoteJSON(twoOps)+`}`, acceptGQL) }, 400, []string{string(CodeBadUserInput)}},
		{"kept, mutation over GET", func() *http.Request {
			return gqlRequest(http.MethodGet, "/graphql?operationName=B&query="+url.QueryEscape(twoOps), "", acceptGQL, "")
		}, 405, []string{string(CodeBadUserInput)}},
		{"small page", func() *http.Request { return postBody(jsonBody(paged, map[string]interface{}{"n": 2}), acceptGQL) }, 200, nil},
		{"kept, page over the cap", func() *http.Request { return postBody(jsonBody(paged, map[string]interface{}{"n": 100000}), acceptGQL) }, 400, []string{string(CodeLimitExceeded)}},
		{"invalid", func() *http.Request { return postBody(jsonBody(invalid, nil), acceptGQL) }, 400, []string{string(CodeValidationFailed)}},
		{"invalid again", func() *http.Request { return postBody(jsonBody(invalid, nil), acceptGQL) }, 400, []string{string(CodeValidationFailed)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, tc.req())
			if res.status != tc.status || !reflect.DeepEqual(res.errorCodes(), tc.codes) {
				t.Fatalf("status %d codes %v, want %d %v\n%s", res.status, res.errorCodes(), tc.status, tc.codes, truncate(string(res.raw), 400))
			}
			// A handler that has kept nothing answers the same.
			fresh := newServer(t, testStore(t), HandlerConfig{}).do(t, tc.req())
			if fresh.status != res.status || string(fresh.raw) != string(res.raw) {
				t.Fatalf("a fresh handler answers %d %s\nthe handler that kept the document %d %s", fresh.status, fresh.raw, res.status, res.raw)
			}
		})
	}
	h := s.h.(*handler)
	if _, ok := h.docs.get(invalid); ok {
		t.Error("a query that failed validation was kept")
	}
	if _, ok := h.docs.get(twoOps); !ok {
		t.Error("a valid query was not kept")
	}
}

// quoteJSON returns s as a JSON string literal.
func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
