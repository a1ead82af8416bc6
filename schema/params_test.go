package schema

import (
	"bytes"
	"reflect"
	"testing"
)

// paramBodies are request bodies for the fast path's tests: what it takes
// and what it must leave to the general path.
var paramBodies = []struct {
	name string
	body string
	fast bool // fastParams decodes it
}{
	{"query only", `{"query":"{ __typename }"}`, true},
	{"with variables", `{"query":"query T($id: ID!) { trace(id: $id) { truncated } }","variables":{"id":"q-1"}}`, true},
	{"escaped newline and quote", `{"query":"query {\n  node(id: \"a\") { id }\n}\t\r\\ \/ \b \f"}`, true},
	{"all fields", ` { "operationName" : "Q" , "query" : "query Q { __typename }" , "variables" : { "a" : 1 , "b" : -2.5e3 , "c" : true , "d" : false , "e" : null , "f" : "x" } , "extensions" : { } } `, true},
	{"null operationName, variables, extensions", `{"query":"{ a }","operationName":null,"variables":null,"extensions":null}`, true},
	{"empty variables", `{"query":"{ a }","variables":{}}`, true},
	{"duplicate keys, the last wins", `{"query":"{ a }","query":"{ b }","variables":{"x":1,"x":"two"}}`, true},
	{"duplicate variables, the last wins", `{"query":"{ a }","variables":7,"variables":{"x":1}}`, true},
	{"unicode text", `{"query":"{ whoSaid(text: \"Ünïcødé ✓ 𝄞\") { totalCount } }"}`, true},
	{"numbers", `{"query":"q","variables":{"a":0,"b":-0,"c":0.5,"d":1E+2,"e":12345678901234567890,"f":1e-400}}`, true},
	{"extensions with values", `{"query":"q","extensions":{"persistedQuery":"x","v":1}}`, true},

	{"unicode escape", `{"query":"{ \u0061 }"}`, false},
	{"unicode escape in a key", `{"quer\u0079":"{ a }"}`, false},
	{"invalid utf-8", "{\"query\":\"{ a \xff }\"}", false},
	{"control character", "{\"query\":\"{ a \x01 }\"}", false},
	{"raw newline", "{\"query\":\"{ a \n }\"}", false},
	{"bad escape", `{"query":"\x"}`, false},
	{"nested variable", `{"query":"q","variables":{"ids":["a","b"]}}`, false},
	{"nested object variable", `{"query":"q","variables":{"f":{"a":1}}}`, false},
	{"other key", `{"query":"q","foo":1}`, false},
	{"query missing", `{"variables":{}}`, false},
	{"query null", `{"query":null}`, false},
	{"query number", `{"query":1}`, false},
	{"operationName number", `{"query":"q","operationName":2}`, false},
	{"variables string", `{"query":"q","variables":"x"}`, false},
	{"variables array", `{"query":"q","variables":[]}`, false},
	{"extensions string", `{"query":"q","extensions":"x"}`, false},
	{"empty object", `{}`, false},
	{"null", `null`, false},
	{"trailing comma", `{"query":"q",}`, false},
	{"trailing data", `{"query":"q"} x`, false},
	{"two objects", `{"query":"q"}{}`, false},
	{"unterminated", `{"query":"q"`, false},
	{"unterminated string", `{"query":"q`, false},
	{"number out of range", `{"query":"q","variables":{"a":1e400}}`, false},
	{"leading zero", `{"query":"q","variables":{"a":01}}`, false},
	{"bare minus", `{"query":"q","variables":{"a":-}}`, false},
	{"dot without digits", `{"query":"q","variables":{"a":1.}}`, false},
	{"exponent without digits", `{"query":"q","variables":{"a":1e}}`, false},
	{"misspelt literal", `{"query":"q","variables":{"a":nul}}`, false},
	{"single quotes", `{'query':'q'}`, false},
	{"missing colon", `{"query" "q"}`, false},
}

// TestFastParams checks which bodies the fast path takes, and that it
// decodes each to the params of the general path.
func TestFastParams(t *testing.T) {
	for _, tc := range paramBodies {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := fastParams([]byte(tc.body))
			if ok != tc.fast {
				t.Fatalf("fastParams(%s): ok %v, want %v", tc.body, ok, tc.fast)
			}
			if ok {
				checkSameParams(t, []byte(tc.body), p)
			}
		})
	}
}

// TestFastParamsValues pins a few decoded values, so that the comparison
// with the general path is not all the test relies on.
func TestFastParamsValues(t *testing.T) {
	p, ok := fastParams([]byte(`{"query":"a\nb \"c\"","operationName":"Op","variables":{"n":2,"s":"x","b":true,"z":null}}`))
	if !ok {
		t.Fatal("declined")
	}
	want := &params{query: "a\nb \"c\"", operationName: "Op", variables: map[string]interface{}{"n": 2.0, "s": "x", "b": true, "z": nil}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %#v, want %#v", p, want)
	}
}

// checkSameParams fails unless the general path decodes body to p.
func checkSameParams(t *testing.T, body []byte, p *params) {
	t.Helper()
	want, e, _ := decodeBody(body)
	if e != nil {
		t.Fatalf("fastParams took %q, which the general path refuses: %s", body, e.message)
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("%q: fastParams %#v, general path %#v", body, p, want)
	}
}

// FuzzFastParams checks that every body the fast path takes decodes to
// what the general path decodes it to.
func FuzzFastParams(f *testing.F) {
	for _, tc := range paramBodies {
		f.Add([]byte(tc.body))
	}
	for _, b := range abuseBodies() {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		body = bytes.TrimSpace(body)
		if len(body) == 0 || body[0] == '[' {
			return // readParams answers these before either path
		}
		if p, ok := fastParams(body); ok {
			checkSameParams(t, body, p)
		}
	})
}
