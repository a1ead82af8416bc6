package schema

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// abuseQueries are the hostile documents of issue 9, seeds of FuzzHandler
// and FuzzHandlerRequest: cyclic fragments, deep nesting (by braces, by
// brackets, by fragments), thousands of aliases, invalid UTF-8, huge
// numbers and variables used against their types.
func abuseQueries() []string {
	var qs []string
	// Cyclic fragments: a self spread, a three-cycle, a cycle reached
	// through fields and inline fragments, a cycle beside valid fragments.
	qs = append(qs,
		`{ ...A } fragment A on Query { ...A }`,
		`{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...A }`,
		`{ node(id: "q-safer") { ...Q } } fragment Q on Quote { reportedBy { ... on Quote { ...R } } } fragment R on Quote { ...Q }`,
		`{ ...A ...B } fragment A on Query { __typename } fragment B on Query { ...B ...A }`,
		`query { ...A } fragment A on Query { ...A } fragment A on Query { __typename }`,
	)
	// Deep nesting.
	qs = append(qs, deepQuery(100), deepQuery(1000),
		"{"+strings.Repeat("a {", 3000)+strings.Repeat("}", 3000)+"}",
		`{ nodes(ids: `+strings.Repeat("[", 2000)+`"x"`+strings.Repeat("]", 2000)+`) { id } }`,
		`{ node(id: "x") { ... on Quote { `+strings.Repeat("... on Quote { ", 500)+"id"+strings.Repeat(" }", 500)+` } } }`,
		`query Q($a: String = `+strings.Repeat("[", 500)+`1`+strings.Repeat("]", 500)+`) { __typename }`,
		fragmentChain(100), fragmentChain(2000))
	// Thousands of aliases, written out or multiplied by fragments.
	qs = append(qs, aliasQuery(2000), aliasQuery(10000),
		`{ ...F ...F ...F } fragment F on Query { `+strings.TrimSuffix(strings.TrimPrefix(aliasQuery(29), "{"), "}")+` }`,
		`{ ...F } fragment F on Query { `+strings.Repeat("x: __typename ", 1000)+`}`)
	// Invalid UTF-8 in names, strings, comments and block strings.
	qs = append(qs, "{ \xff }", "{ whoSaid(text: \"\xff\xfe\") { totalCount } }", "# \xc0\xaf\n{ __typename }",
		"{ whoSaid(text: \"\"\"\xed\xa0\x80\"\"\") { totalCount } }", "{ __typename \xe2\x82 }", "\xef\xbb{ __typename }")
	// Huge and odd numbers.
	qs = append(qs,
		`{ people(first: 1000000000) { totalCount } }`,
		`{ people(first: 99999999999999999999999999) { totalCount } }`,
		`{ people(first: -2147483649) { totalCount } }`,
		`{ people(first: 1e400) { totalCount } }`,
		`{ trace(id: "q-safer", maxDepth: 2147483648) { truncated } }`,
		`{ trace(id: "q-safer", maxDepth: 2147483647) { truncated } }`,
		`{ search(text: "a", first: 0x10) { totalCount } }`,
		`{ people(first: 100) { edges { node { quotes(first: 100) { edges { node { speaker { ... on Person { quotes(first: 100) { totalCount } } } } } } } } } }`,
	)
	// Variables against their types and defaults.
	qs = append(qs,
		`query Q($n: Int = 1000000000) { people(first: $n) { totalCount } }`,
		`query Q($n: Int!) { people(first: $n) { totalCount } }`,
		`query Q($ids: [ID!]! = ["a", "b"]) { nodes(ids: $ids) { id } }`,
		`query Q($x: [ID!]!) { nodes(ids: $x) { id } a: nodes(ids: $x) { id } }`,
		`query Q($a: Int) { people(first: $a, after: $a) { totalCount } }`,
		`query Q($a: Int, $a: Int) { __typename }`,
		`query Q($undefined: Unknown) { __typename }`,
		`query Q { people(first: $missing) { totalCount } }`,
	)
	return qs
}

// fragmentChain nests n levels through n fragments, each adding one.
func fragmentChain(n int) string {
	var b strings.Builder
	b.WriteString(`{ node(id: "q-safer") { ...F1 } }`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, " fragment F%d on Quote { reportedBy { ...F%d } }", i, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Quote { id }", n)
	return b.String()
}

// aliasQuery selects __typename under n aliases.
func aliasQuery(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: __typename", i)
	}
	b.WriteString(" }")
	return b.String()
}

// abuseBodies are raw request bodies: variables, operation names and
// extensions of every wrong type, batches, and JSON at its limits.
func abuseBodies() []string {
	bodies := []string{
		`{"query": "query Q($n: Int) { people(first: $n) { totalCount } }", "variables": {"n": 1e400}}`,
		`{"query": "query Q($n: Int) { people(first: $n) { totalCount } }", "variables": {"n": 1e300}}`,
		`{"query": "query Q($n: Int) { people(first: $n) { totalCount } }", "variables": {"n": 2147483648}}`,
		`{"query": "query Q($n: Int) { people(first: $n) { totalCount } }", "variables": {"n": -0.5}}`,
		`{"query": "query Q($n: Int) { people(first: $n) { totalCount } }", "variables": {"n": "5"}}`,
		`{"query": "query Q($n: Int) { people(first: $n) { totalCount } }", "variables": {"n": [5]}}`,
		`{"query": "query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": {"ids": [null]}}`,
		`{"query": "query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": {"ids": "q-safer"}}`,
		`{"query": "query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": {"ids": [{"a": 1}]}}`,
		`{"query": "query Q($t: String!) { whoSaid(text: $t) { totalCount } }", "variables": {"t": "\ud800"}}`,
		`{"query": "query Q($t: String!) { whoSaid(text: $t) { totalCount } }", "variables": {"t": "\u0000"}}`,
		`{"query": "query Q($t: DateTime) { people(asOf: $t) { totalCount } }", "variables": {"t": "99999-99-99"}}`,
		`{"query": "query Q($t: DateTime) { people(asOf: $t) { totalCount } }", "variables": {"t": "-292277022657-01-27T08:29:52Z"}}`,
		`{"query": "{ __typename }", "variables": [1, 2]}`,
		`{"query": "{ __typename }", "variables": "x"}`,
		`{"query": "{ __typename }", "variables": {"a": 1, "a": 2}}`,
		`{"query": "{ __typename }", "extensions": [1]}`,
		`{"query": "{ __typename }", "operationName": 7}`,
		`{"query": "query A { __typename } query B { __typename }", "operationName": "C"}`,
		`{"query": ["{ __typename }"]}`,
		`{"query": null}`,
		`{"query": "{ __typename }"} trailing`,
		`{"query": "{ __typename }", "query": "{ x }"}`,
		"{\"query\": \"{ whoSaid(text: \\\"\xff\xfe\\\") { totalCount } }\"}",
		"\xef\xbb\xbf{\"query\": \"{ __typename }\"}",
		`[{"query": "{ __typename }"}, {"query": "{ __typename }"}]`,
		`null`, `1`, `"x"`, `{}`, ``,
		`{"query": "{ __typename }", "variables": ` + strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000) + `}`,
		`{"query": "{ __typename }", "variables": {"a": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}}`,
	}
	ops := make([]string, 1000)
	for i := range ops {
		ops[i] = `{"query": "{ __typename }"}`
	}
	bodies = append(bodies, "["+strings.Join(ops, ",")+"]")
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("k%d", i))
	}
	bodies = append(bodies, `{"query": "query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": {"ids": [`+strings.Join(ids, ",")+`]}}`)
	for _, q := range abuseQueries() {
		b, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"x": []string{"q-safer"}, "n": 1e9}})
		bodies = append(bodies, string(b))
	}
	return bodies
}

// checkAnswer fails unless rec holds a GraphQL answer: not 5xx, a JSON
// object with data or errors, errors (needed unless 200) with a code and
// a message and never INTERNAL.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: status %d: %s", what, rec.Code, rec.Body.String())
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: the answer is not a JSON object: %v\n%s", what, err, rec.Body.String())
	}
	_, hasData := body["data"]
	errs, hasErrs := body["errors"]
	if !hasData && !hasErrs || rec.Code != 200 && !hasErrs {
		t.Fatalf("%s: status %d: %s", what, rec.Code, rec.Body.String())
	}
	if !hasErrs {
		return
	}
	var list []struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
	}
	if err := json.Unmarshal(errs, &list); err != nil || len(list) == 0 {
		t.Fatalf("%s: bad errors %s", what, errs)
	}
	for _, e := range list {
		if e.Extensions["code"] == "" || e.Message == "" || e.Extensions["code"] == string(CodeInternal) {
			t.Fatalf("%s: error without a code or message, or internal: %s", what, errs)
		}
	}
}

// FuzzHandlerRequest sends arbitrary POST bodies (the JSON envelope
// itself: variables, operationName, extensions, batches, invalid UTF-8):
// the handler never panics, never answers 5xx, and always answers a
// GraphQL response whose errors carry codes.
func FuzzHandlerRequest(f *testing.F) {
	for _, b := range abuseBodies() {
		f.Add([]byte(b))
	}
	st := testStore(f)
	s := newServer(f, st, HandlerConfig{})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, accept := range []string{acceptGQL, acceptJSON} {
			rec := httptest.NewRecorder()
			req := gqlRequest(http.MethodPost, "/graphql", "application/json", accept, string(body))
			s.h.ServeHTTP(rec, req)
			checkAnswer(t, fmt.Sprintf("%.300q", body), rec)
		}
	})
}

// TestAbuseQueriesRefused: each hostile document of the seeds that must
// be refused is refused with a 4xx and the expected code.
func TestAbuseQueriesRefused(t *testing.T) {
	st := testStore(t)
	s := newServer(t, st, HandlerConfig{})
	tests := []struct {
		name, query, code string
	}{
		{"self spread", `{ ...A } fragment A on Query { ...A }`, string(CodeValidationFailed)},
		{"three-cycle", `{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...A }`, string(CodeValidationFailed)},
		{"depth 100", deepQuery(100), string(CodeLimitExceeded)},
		{"fragment chain 100", fragmentChain(100), string(CodeLimitExceeded)},
		{"2000 fragments", fragmentChain(2000), string(CodeLimitExceeded)},
		{"brackets 2000", `{ nodes(ids: ` + strings.Repeat("[", 2000) + `"x"` + strings.Repeat("]", 2000) + `) { id } }`, string(CodeLimitExceeded)},
		{"10k aliases", aliasQuery(10000), string(CodeLimitExceeded)},
		{"aliases by fragments", `{ ...F ...F ...F } fragment F on Query { ` + strings.TrimSuffix(strings.TrimPrefix(aliasQuery(29), "{"), "}") + ` }`, string(CodeLimitExceeded)},
		{"first 1e9", `{ people(first: 1000000000) { totalCount } }`, string(CodeLimitExceeded)},
		{"first 1e9 by default", `query Q($n: Int = 1000000000) { people(first: $n) { totalCount } }`, string(CodeLimitExceeded)},
		{"maxDepth 2^31-1", `{ trace(id: "q-safer", maxDepth: 2147483647) { truncated } }`, string(CodeLimitExceeded)},
		{"cost", `{ people(first: 100) { edges { node { quotes(first: 100) { edges { node { speaker { ... on Person { quotes(first: 100) { totalCount } } } } } } } } } }`, string(CodeLimitExceeded)},
		{"invalid UTF-8 name", "{ \xff }", string(CodeParseFailed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, gqlRequest(http.MethodPost, "/graphql", "application/json", acceptGQL, jsonBody(tt.query, nil)))
			checkAnswer(t, tt.name, rec)
			if rec.Code < 400 || rec.Code >= 500 || !strings.Contains(rec.Body.String(), `"code":"`+tt.code+`"`) {
				t.Fatalf("status %d, want 4xx with %s: %.500s", rec.Code, tt.code, rec.Body.String())
			}
		})
	}
}
