package schema_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
	"claimgraph/schema"
)

func ExampleNewHandler() {
	st := memgraph.New()
	_, err := st.Apply(context.Background(), &graph.Batch{Nodes: []graph.Node{
		&graph.Person{Key: "rosa-vek", Name: "Rosa Vek"},
		&graph.Source{Key: "bulletin-7", Kind: "press_release", Title: "Bulletin 7"},
		&graph.Quote{Key: "q-1", Text: "The ferry will run on Sundays", Speaker: "rosa-vek", Source: "bulletin-7"},
	}})
	if err != nil {
		panic(err)
	}
	s, err := schema.New(schema.Config{})
	if err != nil {
		panic(err)
	}
	h := schema.NewHandler(s, st, schema.HandlerConfig{}, zerolog.Nop())

	body := `{"query": "{ whoSaid(text: \"FERRY will run\") { totalCount edges { node { text speaker { name } source { sourceKind title } } } } }"}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())
	// Output:
	// 200 application/graphql-response+json; charset=utf-8
	// {"data":{"whoSaid":{"totalCount":1,"edges":[{"node":{"text":"The ferry will run on Sundays","speaker":{"name":"Rosa Vek"},"source":{"sourceKind":"PRESS_RELEASE","title":"Bulletin 7"}}}]}},"extensions":{"cost":{"estimated":181,"max":50000}}}
}
