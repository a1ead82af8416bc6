package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// deepQuery nests quote/reportedBy selections n levels deep.
func deepQuery(n int) string {
	var b strings.Builder
	b.WriteString(`{ node(id: "q-funding") { ... on Quote { `)
	for i := 0; i < n; i++ {
		b.WriteString("reportedBy { ")
	}
	b.WriteString("id")
	for i := 0; i < n; i++ {
		b.WriteString(" }")
	}
	b.WriteString(" } } }")
	return b.String()
}

// postBody builds a POST with a JSON body.
func postBody(body string, accept string) *http.Request {
	return gqlRequest(http.MethodPost, "/graphql", "application/json", accept, body)
}

// jsonBody encodes a GraphQL request.
func jsonBody(query string, vars map[string]interface{}) string {
	m := map[string]interface{}{"query": query}
	if vars != nil {
		m["variables"] = vars
	}
	b, _ := json.Marshal(m)
	return string(b)
}

const (
	acceptGQL  = "application/graphql-response+json"
	acceptJSON = "application/json"
)

func TestHandlerRequests(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	cyclic := `query { node(id: "q-safer") { ...A } } fragment A on Quote { reportedBy { ...B } } fragment B on Quote { reportedBy { ...A } }`
	selfCycle := `{ node(id: "x") { ...F } } fragment F on Node { ...F }`
	big := `{"query": "{ __typename }", "variables": {"pad": "` + strings.Repeat("x", 1<<20) + `"}}`
	aliases := "{ " + strings.Repeat("a: __typename ", 1) + func() string {
		var b strings.Builder
		for i := 0; i < 31; i++ {
			fmt.Fprintf(&b, "x%d: __typename ", i)
		}
		return b.String()
	}() + "}"
	var ids []string
	for i := 0; i < 101; i++ {
		ids = append(ids, fmt.Sprintf("%q", fmt.Sprintf("id-%d", i)))
	}
	tooManyIDs := `{ nodes(ids: [` + strings.Join(ids, ",") + `]) { id } }`

	for _, tc := range []struct {
		name      string
		req       *http.Request
		status    int
		codes     []string // extensions.code of each error, in order; nil: no errors
		ctype     string   // media type of the response
		noData    bool     // the response must not have a data member
		allow     string
		dataCheck func(t *testing.T, d map[string]interface{})
	}{
		{name: "post json", req: postBody(`{"query":"{ __typename }"}`, acceptJSON), status: 200, ctype: acceptJSON,
			dataCheck: func(t *testing.T, d map[string]interface{}) {
				if d["__typename"] != "Query" {
					t.Errorf("data %v", d)
				}
			}},
		{name: "post graphql-response", req: postBody(`{"query":"{ __typename }"}`, acceptGQL), status: 200, ctype: acceptGQL},
		{name: "no accept", req: postBody(`{"query":"{ __typename }"}`, ""), status: 200, ctype: acceptJSON},
		{name: "accept any", req: postBody(`{"query":"{ __typename }"}`, "*/*"), status: 200, ctype: acceptJSON},
		{name: "accept both, json preferred", req: postBody(`{"query":"{ __typename }"}`, "application/graphql-response+json;q=0.5, application/json"),
			status: 200, ctype: acceptJSON},
		{name: "accept both", req: postBody(`{"query":"{ __typename }"}`, "application/graphql-response+json, application/json;q=0.9"),
			status: 200, ctype: acceptGQL},
		{name: "not acceptable", req: postBody(`{"query":"{ __typename }"}`, "text/csv"), status: 406, codes: []string{"BAD_USER_INPUT"},
			ctype: acceptJSON, noData: true},
		{name: "charset utf-8", req: gqlRequest("POST", "/graphql", "application/json; charset=UTF-8", "", `{"query":"{ __typename }"}`),
			status: 200, ctype: acceptJSON},
		{name: "null params", req: postBody(`{"query":"{ __typename }","variables":null,"operationName":null,"extensions":null}`, acceptGQL),
			status: 200, ctype: acceptGQL},
		{name: "extensions object", req: postBody(`{"query":"{ __typename }","extensions":{"some":"value"}}`, acceptGQL),
			status: 200, ctype: acceptGQL},
		{name: "unicode in query", req: postBody(`{"query":"{ __type(name: \"Run🏃Swim🏊\") { name } }"}`, acceptGQL),
			status: 200, ctype: acceptGQL},
		{name: "operation name", req: postBody(`{"query":"query A { a: __typename } query B { b: __typename }","operationName":"B"}`, acceptGQL),
			status: 200, ctype: acceptGQL, dataCheck: func(t *testing.T, d map[string]interface{}) {
				if _, ok := d["b"]; !ok || len(d) != 1 {
					t.Errorf("data %v, want only b", d)
				}
			}},
		{name: "unknown operation name", req: postBody(`{"query":"query A { __typename }","operationName":"C"}`, acceptGQL),
			status: 400, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
		{name: "two operations without name", req: postBody(`{"query":"query A { __typename } query B { __typename }"}`, acceptJSON),
			status: 200, codes: []string{"BAD_USER_INPUT"}, ctype: acceptJSON, noData: true},

		{name: "parse error graphql-response", req: postBody(`{"query":"{"}`, acceptGQL), status: 400,
			codes: []string{"GRAPHQL_PARSE_FAILED"}, ctype: acceptGQL, noData: true},
		{name: "parse error json", req: postBody(`{"query":"{"}`, acceptJSON), status: 200,
			codes: []string{"GRAPHQL_PARSE_FAILED"}, ctype: acceptJSON, noData: true},
		{name: "parse error bad token", req: postBody(`{"query":"{ node(id: \"x) }"}`, acceptGQL), status: 400,
			codes: []string{"GRAPHQL_PARSE_FAILED"}, ctype: acceptGQL, noData: true},
		{name: "validation error graphql-response", req: postBody(`{"query":"{ nosuchfield }"}`, acceptGQL), status: 400,
			codes: []string{"GRAPHQL_VALIDATION_FAILED"}, ctype: acceptGQL, noData: true},
		{name: "validation error json", req: postBody(`{"query":"{ nosuchfield }"}`, acceptJSON), status: 200,
			codes: []string{"GRAPHQL_VALIDATION_FAILED"}, ctype: acceptJSON, noData: true},
		{name: "type definition", req: postBody(`{"query":"type T { a: Int } { __typename }"}`, acceptGQL), status: 400,
			codes: []string{"GRAPHQL_VALIDATION_FAILED"}, ctype: acceptGQL, noData: true},
		{name: "cyclic fragments", req: postBody(jsonBody(cyclic, nil), acceptGQL), status: 400, ctype: acceptGQL, noData: true},
		{name: "cyclic fragments json", req: postBody(jsonBody(cyclic, nil), acceptJSON), status: 400, ctype: acceptJSON, noData: true},
		{name: "fragment spreads itself", req: postBody(jsonBody(selfCycle, nil), ""), status: 400,
			codes: []string{"GRAPHQL_VALIDATION_FAILED"}, ctype: acceptJSON, noData: true},
		{name: "variable coercion graphql-response", req: postBody(`{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":null}}`, acceptGQL),
			status: 400, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
		{name: "variable coercion json", req: postBody(`{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":null}}`, acceptJSON),
			status: 200, codes: []string{"BAD_USER_INPUT"}, ctype: acceptJSON, noData: true},
		{name: "variables used", req: postBody(`{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":"q-safer"}}`, acceptGQL),
			status: 200, ctype: acceptGQL, dataCheck: func(t *testing.T, d map[string]interface{}) {
				if dig(t, d, "node", "id") != "q-safer" {
					t.Errorf("data %v", d)
				}
			}},

		{name: "body too large", req: postBody(big, acceptGQL), status: 413, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "depth 50", req: postBody(jsonBody(deepQuery(50), nil), acceptJSON), status: 400, codes: []string{"LIMIT_EXCEEDED"},
			ctype: acceptJSON, noData: true},
		{name: "depth 12 is fine", req: postBody(jsonBody(deepQuery(10), nil), acceptJSON), status: 200, ctype: acceptJSON},
		{name: "nesting of brackets", req: postBody(jsonBody("{ nodes(ids: "+strings.Repeat("[", 20000)+"]) { id } }", nil), acceptGQL),
			status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "too many tokens", req: postBody(jsonBody("{ "+strings.Repeat("__typename ", 6000)+"}", nil), acceptGQL),
			status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "too many fields", req: postBody(jsonBody("{ "+strings.Repeat("__typename ", 1001)+"}", nil), acceptGQL),
			status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "too many aliases", req: postBody(jsonBody(aliases, nil), acceptGQL), status: 400, codes: []string{"LIMIT_EXCEEDED"},
			ctype: acceptGQL, noData: true},
		{name: "first 1000000", req: postBody(jsonBody(`{ whoSaid(text: "safe", first: 1000000) { totalCount } }`, nil), acceptJSON),
			status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptJSON, noData: true},
		{name: "first 101 in a variable", req: postBody(jsonBody(`query Q($n: Int) { people(first: $n) { totalCount } }`,
			map[string]interface{}{"n": 101}), acceptGQL), status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "first too large for Int", req: postBody(jsonBody(`{ people(first: 99999999999) { totalCount } }`, nil), acceptGQL),
			status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "estimated cost", req: postBody(jsonBody(`{ quotes(first: 100) { edges { node { reports(first: 100) { edges { node {
			reports(first: 100) { totalCount } } } } } } } }`, nil), acceptGQL),
			status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "101 ids", req: postBody(jsonBody(tooManyIDs, nil), acceptGQL), status: 400, codes: []string{"LIMIT_EXCEEDED"},
			ctype: acceptGQL, noData: true},
		{name: "trace too deep", req: postBody(jsonBody(`{ trace(id: "q-safer", maxDepth: 11) { truncated } }`, nil), acceptGQL),
			status: 400, codes: []string{"LIMIT_EXCEEDED"}, ctype: acceptGQL, noData: true},
		{name: "trace unknown id", req: postBody(jsonBody(`{ trace(id: "nobody") { truncated } }`, nil), acceptGQL),
			status: 200, codes: []string{"NOT_FOUND"}, ctype: acceptGQL},
		{name: "negative first", req: postBody(jsonBody(`{ people(first: -1) { totalCount } }`, nil), acceptGQL),
			status: 200, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL},
		{name: "bad cursor", req: postBody(jsonBody(`{ people(after: "%%%") { totalCount } }`, nil), acceptGQL),
			status: 200, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL},
		{name: "empty whoSaid", req: postBody(jsonBody(`{ whoSaid(text: "  ") { totalCount } }`, nil), acceptGQL),
			status: 200, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL},
		{name: "mutation without a token", req: postBody(jsonBody(`mutation { __typename }`, nil), acceptGQL),
			status: 401, codes: []string{"FORBIDDEN"}, ctype: acceptGQL, noData: true},
		{name: "subscription", req: postBody(jsonBody(`subscription { __typename }`, nil), acceptGQL),
			status: 400, codes: []string{"GRAPHQL_VALIDATION_FAILED"}, ctype: acceptGQL, noData: true},

		{name: "get query", req: gqlRequest("GET", "/graphql?query="+url.QueryEscape("{ __typename }"), "", acceptGQL, ""),
			status: 200, ctype: acceptGQL},
		{name: "get variables", req: gqlRequest("GET", "/graphql?query="+url.QueryEscape("query Q($n: String!) { __type(name: $n) { name } }")+
			"&variables="+url.QueryEscape(`{"n":"Quote"}`), "", acceptJSON, ""), status: 200, ctype: acceptJSON},
		{name: "get bad variables", req: gqlRequest("GET", "/graphql?query="+url.QueryEscape("{ __typename }")+"&variables=%5B%5D", "", acceptJSON, ""),
			status: 400, codes: []string{"BAD_USER_INPUT"}, ctype: acceptJSON, noData: true},
		{name: "get mutation", req: gqlRequest("GET", "/graphql?query="+url.QueryEscape("mutation { __typename }"), "", acceptGQL, ""),
			status: 405, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true, allow: "POST"},
		{name: "get without query", req: gqlRequest("GET", "/graphql", "", acceptJSON, ""), status: 400, codes: []string{"BAD_USER_INPUT"},
			ctype: acceptJSON, noData: true},
		{name: "put", req: gqlRequest("PUT", "/graphql", "application/json", "", `{"query":"{ __typename }"}`), status: 405,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptJSON, noData: true, allow: "GET, POST"},
		{name: "no content type", req: gqlRequest("POST", "/graphql", "", "", `{"query":"{ __typename }"}`), status: 415,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptJSON, noData: true},
		{name: "text/plain", req: gqlRequest("POST", "/graphql", "text/plain;charset=UTF-8", "", `{"query":"{ __typename }"}`), status: 415,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptJSON, noData: true},
		{name: "latin-1", req: gqlRequest("POST", "/graphql", "application/json; charset=latin1", "", `{"query":"{ __typename }"}`), status: 415,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptJSON, noData: true},
		{name: "empty body", req: postBody("", acceptGQL), status: 400, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
		{name: "not json", req: postBody(`{ "not a JSON`, acceptGQL), status: 400, codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
		{name: "batched", req: postBody(`[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, acceptGQL), status: 400,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
		{name: "missing query", req: postBody(`{"qeury":"{ __typename }"}`, acceptGQL), status: 400, codes: []string{"BAD_USER_INPUT"},
			ctype: acceptGQL, noData: true},
		{name: "query not a string", req: postBody(`{"query":{"obj":"ect"}}`, acceptGQL), status: 400, codes: []string{"BAD_USER_INPUT"},
			ctype: acceptGQL, noData: true},
		{name: "operationName not a string", req: postBody(`{"query":"{ __typename }","operationName":false}`, acceptGQL), status: 400,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
		{name: "variables not an object", req: postBody(`{"query":"{ __typename }","variables":["array"]}`, acceptGQL), status: 400,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
		{name: "extensions not an object", req: postBody(`{"query":"{ __typename }","extensions":"string"}`, acceptGQL), status: 400,
			codes: []string{"BAD_USER_INPUT"}, ctype: acceptGQL, noData: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, tc.req)
			if r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, truncate(string(r.raw), 400))
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype+";") || !strings.Contains(ct, "charset=utf-8") {
				t.Errorf("Content-Type %q, want %s; charset=utf-8", ct, tc.ctype)
			}
			codes := r.errorCodes()
			if tc.codes != nil && !reflect.DeepEqual(codes, tc.codes) {
				t.Errorf("codes %v, want %v: %s", codes, tc.codes, truncate(string(r.raw), 400))
			}
			if tc.codes == nil && tc.status == 200 && len(codes) > 0 {
				t.Errorf("unexpected errors: %s", r.raw)
			}
			if tc.status >= 400 && len(codes) == 0 {
				t.Errorf("a %d without errors: %s", r.status, r.raw)
			}
			for _, c := range codes {
				if c == "" {
					t.Errorf("an error without extensions.code: %s", r.raw)
				}
			}
			if _, has := r.body["data"]; tc.noData && has {
				t.Errorf("response has data: %s", truncate(string(r.raw), 400))
			} else if !tc.noData && !has {
				t.Errorf("response lacks data: %s", truncate(string(r.raw), 400))
			}
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if got, want := r.header.Get("Content-Length"), strconv.Itoa(len(r.raw)); got != want {
				t.Errorf("Content-Length %q, want %s", got, want)
			}
			if tc.dataCheck != nil {
				tc.dataCheck(t, r.data(t))
			}
		})
	}

	// The server still answers after every one of them.
	r := s.post(t, `{ node(id: "q-safer") { id } }`, nil, acceptGQL)
	if r.status != 200 || dig(t, r.data(t), "node", "id") != "q-safer" {
		t.Fatalf("server stopped answering: %d %s", r.status, r.raw)
	}
}

func TestCyclicFragmentsKeepTheServerUp(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	for _, q := range []string{
		`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
		`{ node(id: "q-safer") { ...A } } fragment A on Quote { reportedBy { ...A } }`,
		`query { node(id: "q-safer") { ...A } } fragment A on Quote { ...B } fragment B on Quote { ...C } fragment C on Quote { ...A }`,
	} {
		r := s.post(t, q, nil, acceptGQL)
		if r.status != 400 || !reflect.DeepEqual(r.errorCodes()[:1], []string{"GRAPHQL_VALIDATION_FAILED"}) {
			t.Errorf("%s: status %d %s", q, r.status, r.raw)
		}
		if !strings.Contains(string(r.raw), "within itself") {
			t.Errorf("%s: the error does not name the cycle: %s", q, r.raw)
		}
	}
	if r := s.post(t, `{ __typename }`, nil, ""); r.status != 200 {
		t.Fatalf("server stopped answering: %d", r.status)
	}
}

// TestLimitOnFirstInResolver checks the resolver's own cap, for clients of
// the schema that do not go through the handler's checks.
func TestLimitOnFirstInResolver(t *testing.T) {
	st := testStore(t)
	s := mustSchema(t, Config{MaxPage: 5})
	for _, tc := range []struct {
		query string
		code  string
	}{
		{`{ people(first: 6) { totalCount } }`, "LIMIT_EXCEEDED"},
		{`{ node(id: "ines-okafor") { ... on Person { quotes(first: 1000000) { totalCount } } } }`, "LIMIT_EXCEEDED"},
		{`{ trace(id: "q-safer", maxDepth: 11) { truncated } }`, "LIMIT_EXCEEDED"},
		{`{ trace(id: "q-safer", maxDepth: 0) { truncated } }`, "BAD_USER_INPUT"},
		{`{ trace(id: "no-such-node") { truncated } }`, "NOT_FOUND"},
	} {
		var res *graphql.Result
		err := st.View(context.Background(), func(r graph.Reader) error {
			res = graphql.Execute(graphql.ExecuteParams{Schema: s, AST: mustParse(t, tc.query),
				Context: NewRequestContext(context.Background(), r)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != tc.code {
			t.Errorf("%s: errors %+v, want one %s", tc.query, res.Errors, tc.code)
		}
	}
}

func TestPanicInResolverIsInternal(t *testing.T) {
	for method, query := range map[string]string{
		"Nodes":           `{ whoSaid(text: "safer") { edges { node { id speaker { name } } } } }`,
		"QuotesMatching":  `{ whoSaid(text: "safer") { totalCount } }`,
		"CountEdgesBatch": `{ node(id: "ines-okafor") { ... on Person { name quotes { totalCount } } } }`,
		"EdgesBatch":      `{ node(id: "ines-okafor") { ... on Person { name quotes { edges { node { id } } } } } }`,
		"Select":          `{ quotes(where: {mode: [DIRECT]}) { edges { node { id } } } }`,
		"Aggregate":       `{ quotes { aggregate { bySpeaker { count } } } }`,
		"Stats":           `{ stats { nodes } }`,
	} {
		t.Run(method, func(t *testing.T) {
			cs := &countingStore{Store: testStore(t), calls: &calls{}, hook: func(m string) {
				if m == method {
					panic("secret-panic-detail in " + m)
				}
			}}
			s := newServer(t, cs, HandlerConfig{})
			r := s.post(t, query, nil, acceptGQL)
			if r.status != 200 {
				t.Errorf("status %d", r.status)
			}
			codes := r.errorCodes()
			if len(codes) == 0 {
				t.Fatalf("no error: %s", r.raw)
			}
			for _, c := range codes {
				if c != "INTERNAL" {
					t.Errorf("code %s, want INTERNAL: %s", c, r.raw)
				}
			}
			if strings.Contains(string(r.raw), "secret-panic-detail") {
				t.Errorf("the response shows the panic: %s", r.raw)
			}
			if !strings.Contains(s.log.String(), "secret-panic-detail") {
				t.Errorf("the panic was not logged: %s", s.log.String())
			}
			if r := s.post(t, `{ __typename }`, nil, ""); r.status != 200 {
				t.Fatalf("server stopped answering: %d", r.status)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	cs := &countingStore{Store: batchStore(t), calls: &calls{}, hook: func(m string) {
		if m == "Nodes" {
			time.Sleep(60 * time.Millisecond)
		}
	}}
	s := newServer(t, cs, HandlerConfig{Timeout: 30 * time.Millisecond})
	start := time.Now()
	r := s.post(t, `{ a: quotes(first: 50) { edges { node { speaker { name } } } } b: quotes(first: 50, after: "c2FpZC0wNDk") { edges { node { source { title } } } } }`, nil, acceptGQL)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if r.status != 200 {
		t.Errorf("status %d: %s", r.status, r.raw)
	}
	if !hasString(r.errorCodes(), "TIMEOUT") {
		t.Errorf("codes %v, want TIMEOUT: %s", r.errorCodes(), truncate(string(r.raw), 500))
	}
	if n := cs.calls.get("Nodes"); n > 2 {
		t.Errorf("%d Nodes calls after the deadline", n)
	}
}

func hasString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestIntrospectionSwitch(t *testing.T) {
	const q = `{ __schema { queryType { name } } }`
	on := newServer(t, testStore(t), HandlerConfig{})
	if r := on.post(t, q, nil, acceptGQL); dig(t, r.data(t), "__schema", "queryType", "name") != "Query" {
		t.Errorf("introspection on: %s", r.raw)
	}
	off := newServer(t, testStore(t), HandlerConfig{DisableIntrospection: true})
	for _, q := range []string{q, `{ __type(name: "Quote") { name } }`} {
		r := off.post(t, q, nil, acceptGQL)
		if r.status != 400 || !reflect.DeepEqual(r.errorCodes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
			t.Errorf("introspection off: %d %s", r.status, r.raw)
		}
	}
	if r := off.post(t, `{ __typename }`, nil, acceptGQL); r.status != 200 {
		t.Errorf("__typename with introspection off: %d %s", r.status, r.raw)
	}
}

// introspectionQuery is the query GraphiQL sends, with graphql-js's depth of
// type references.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}`

func TestGraphiQLIntrospectionFitsTheLimits(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	r := s.post(t, introspectionQuery, nil, acceptGQL)
	types := dig(t, r.data(t), "__schema", "types").([]interface{})
	if len(types) < 40 {
		t.Errorf("%d types", len(types))
	}
}

func TestGraphiQLForBrowsers(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<title>GraphiQL</title>")
	})
	s := newServer(t, testStore(t), HandlerConfig{GraphiQL: page})
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, gqlRequest("GET", "/graphql", "", browser, ""))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "GraphiQL") {
		t.Errorf("browser GET: %d %s", rec.Code, rec.Body.String())
	}
	// A browser GET with a query runs it.
	r := s.do(t, gqlRequest("GET", "/graphql?query="+url.QueryEscape("{ __typename }"), "", browser, ""))
	if r.status != 200 || r.data(t)["__typename"] != "Query" {
		t.Errorf("browser GET with query: %d %s", r.status, r.raw)
	}
	// A client that does not ask for HTML gets JSON.
	r = s.do(t, gqlRequest("GET", "/graphql", "", "application/json", ""))
	if r.status != 400 {
		t.Errorf("JSON GET without query: %d %s", r.status, r.raw)
	}
}

func TestRequestLog(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	req := postBody(`{"query":"query Lookup { node(id: \"q-safer\") { id } }","operationName":"Lookup"}`, acceptGQL)
	req.Header.Set("Authorization", "Bearer top-secret-token")
	s.do(t, req)
	s.do(t, postBody(`{"query":"{"}`, acceptGQL))
	lines := strings.Split(strings.TrimSpace(s.log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want one per request:\n%s", len(lines), s.log.String())
	}
	if strings.Contains(s.log.String(), "top-secret-token") {
		t.Errorf("the log shows the Authorization header: %s", s.log.String())
	}
	var first, second map[string]interface{}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"method", "path", "status", "duration", "bytes", "operation"} {
		if _, ok := first[k]; !ok {
			t.Errorf("log line lacks %s: %s", k, lines[0])
		}
	}
	if first["operation"] != "Lookup" || first["status"] != float64(200) || first["method"] != "POST" {
		t.Errorf("log line %s", lines[0])
	}
	if second["status"] != float64(400) || !reflect.DeepEqual(second["codes"], []interface{}{"GRAPHQL_PARSE_FAILED"}) {
		t.Errorf("log line %s", lines[1])
	}
}

func TestResponseKeepsFieldOrder(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	r := s.post(t, `{ z: node(id: "q-safer") { ... on Quote { text id } kind } a: __typename }`, nil, "")
	want := `{"data":{"z":{"text":"The harbour is safer than it has been in a decade","id":"q-safer","kind":"QUOTE"},"a":"Query"},"extensions":{"cost":{"estimated":5,"max":50000}}}`
	if got := strings.TrimSpace(string(r.raw)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// mustParse parses a query for direct execution.
func mustParse(t testing.TB, q string) *ast.Document {
	t.Helper()
	h := &handler{log: zerolog.Nop()}
	doc, e := h.parse(q)
	if e != nil {
		t.Fatalf("parse %q: %s", q, e.message)
	}
	return doc
}

// TestConcurrentRequests runs requests side by side (under -race, this
// checks that the schema's lazily built tables were warmed in New).
func TestConcurrentRequests(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	queries := []string{introspectionQuery, `{ __type(name: "Kind") { enumValues { name } } }`}
	for _, g := range goldenQueries {
		if g.vars == nil {
			queries = append(queries, g.query)
		}
	}
	errc := make(chan error, 8)
	for w := 0; w < 8; w++ {
		go func(w int) {
			for i := 0; i < len(queries); i++ {
				q := queries[(w+i)%len(queries)]
				rec := httptest.NewRecorder()
				s.h.ServeHTTP(rec, postBody(jsonBody(q, nil), acceptGQL))
				if rec.Code != 200 || strings.Contains(rec.Body.String(), `"errors"`) {
					errc <- fmt.Errorf("%s: %d %s", truncate(q, 60), rec.Code, truncate(rec.Body.String(), 300))
					return
				}
			}
			errc <- nil
		}(w)
	}
	for w := 0; w < 8; w++ {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
}
