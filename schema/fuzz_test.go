package schema

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzHandler sends arbitrary query strings, by POST and by GET: the handler
// never panics, never answers 5xx, and always answers a JSON object with
// data or errors, every error with a code.
func FuzzHandler(f *testing.F) {
	for _, g := range goldenQueries {
		f.Add(g.query)
	}
	for _, q := range []string{
		"", "{", "}", "{ __typename }", "query Q($a: Int = 3) { people(first: $a) { totalCount } }",
		introspectionQuery, deepQuery(20), `{ ...A } fragment A on Query { ...A }`,
		`{ node(id: "q-safer") { ...A } } fragment A on Quote { reportedBy { ...A } }`,
		`mutation { __typename }`, `subscription { __typename }`, `type T { a: Int }`,
		`{ nodes(ids: [[[["x"]]]]) { id } }`, `{ whoSaid(text: """block "" string""") { totalCount } }`,
		`{ a: __typename a: __typename }`, `{ a: node(id: "x") { id } a: __typename }`,
		`query ($x: [ID!]!) { nodes(ids: $x) { id } }`, `{ trace(id: "q-safer", maxDepth: -5) { truncated } }`,
		`{ people(first: 0) { pageInfo { hasNextPage startCursor } } }`, "# comment only", "\ufeff{ __typename }",
		`{ __type(name: "Quote") { fields { name type { ofType { ofType { name } } } } } }`,
		`{ node(id: "a") { ... on Person { ... on Agent { ... on Node { id } } } } }`,
		`{ stats { byKind { kind count } } } query X { __typename }`, `fragment F on Query { __typename }`,
	} {
		f.Add(q)
	}
	for _, q := range abuseQueries() {
		f.Add(q)
	}
	st := testStore(f)
	s := newServer(f, st, HandlerConfig{})
	f.Fuzz(func(t *testing.T, query string) {
		b, _ := json.Marshal(map[string]interface{}{"query": query, "variables": map[string]interface{}{"x": []string{"q-safer"}, "a": 2}})
		for _, req := range []*http.Request{
			gqlRequest(http.MethodPost, "/graphql", "application/json", acceptGQL, string(b)),
			gqlRequest(http.MethodPost, "/graphql", "application/json", acceptJSON, string(b)),
			httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil),
		} {
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: status %d: %s", req.Method, query, rec.Code, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/") || !strings.Contains(ct, "json") {
				t.Fatalf("%q: Content-Type %q", query, ct)
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%q: response is not a JSON object: %v\n%s", query, err, rec.Body.String())
			}
			_, hasData := body["data"]
			errs, hasErrs := body["errors"]
			if !hasData && !hasErrs {
				t.Fatalf("%q: neither data nor errors: %s", query, rec.Body.String())
			}
			if rec.Code != 200 && !hasErrs {
				t.Fatalf("%q: status %d without errors", query, rec.Code)
			}
			if hasErrs {
				var list []struct {
					Message    string            `json:"message"`
					Extensions map[string]string `json:"extensions"`
				}
				if err := json.Unmarshal(errs, &list); err != nil || len(list) == 0 {
					t.Fatalf("%q: bad errors %s", query, errs)
				}
				for _, e := range list {
					if e.Extensions["code"] == "" || e.Message == "" {
						t.Fatalf("%q: error without code or message: %s", query, errs)
					}
					if e.Extensions["code"] == string(CodeInternal) {
						t.Fatalf("%q: internal error: %s", query, rec.Body.String())
					}
				}
			}
		}
	})
}
