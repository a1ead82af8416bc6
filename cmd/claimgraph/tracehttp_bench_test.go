package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/schema"
	"claimgraph/store"
)

// benchTraceQuery is the trace question claimbench sends over HTTP
// (bench/cmd/claimbench/server.go, traceQuery).
const benchTraceQuery = `query T($id: ID!) { trace(id: $id) { hops { from { id } to { id } relation cue reason depth }
  speakers { id name } primarySources { id } supporting { id } contradicting { id } truncated } }`

// BenchmarkTraceHTTPCold posts claimbench's trace question through serve's
// GraphQL handler with the answer cache and the store's read cache off
// (serve --read-cache-mib 0 --answer-cache 0, with serve's block cache),
// over many different roots (nested quotes: half the deepest chains, half
// drawn at random), as an outside tester asking each trace once sees it.
//
// The corpus is gen's with seed 1: CLAIMGRAPH_BENCH_QUOTES quotes (default
// 10000), imported into a temporary directory, or, when
// CLAIMGRAPH_BENCH_DATA names a data directory that `claimgraph import`
// filled with that corpus (`claimgraph gen --quotes N --seed 1`), that
// directory.
func BenchmarkTraceHTTPCold(b *testing.B) {
	quotes := 10000
	if v := os.Getenv("CLAIMGRAPH_BENCH_QUOTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("CLAIMGRAPH_BENCH_QUOTES=%q: want a positive number", v)
		}
		quotes = n
	}
	ctx := context.Background()
	bundle, err := gen.Generate(gen.Options{Quotes: quotes, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dir := os.Getenv("CLAIMGRAPH_BENCH_DATA")
	fill := dir == ""
	if fill {
		dir = b.TempDir()
	}
	// As serve --read-cache-mib 0 opens it: serve's block cache, no read
	// cache.
	st, err := store.Open(ctx, store.Options{Dir: dir, ReadCacheSize: -1, BlockCacheSize: defaultServeBlockCache << 20, NoSync: true, GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if fill {
		if _, err := st.Apply(ctx, &graph.Batch{Nodes: bundle.Nodes, Links: bundle.Links, By: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	s, err := schema.New(schema.Config{})
	if err != nil {
		b.Fatal(err)
	}
	h := schema.NewHandler(s, st, schema.HandlerConfig{AnswerCache: -1}, zerolog.Nop())
	roots := benchTraceRoots(bundle, 1000)
	if len(roots) == 0 {
		b.Fatal("the corpus has no nested quote to trace")
	}
	bodies := make([][]byte, len(roots))
	for i, r := range roots {
		bodies[i], _ = json.Marshal(map[string]any{"query": benchTraceQuery, "variables": map[string]any{"id": r}})
	}
	post := func(i int) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// Every root once, checked, so that the timed loop measures answers.
	for i := range roots {
		rec := post(i)
		if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatalf("trace %s: %d %.300s", roots[i], rec.Code, rec.Body.String())
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		post(i)
	}
}

// benchTraceRoots picks n trace roots as claimbench does: nested quotes,
// half the deepest reportedBy chains and half drawn at random.
func benchTraceRoots(b *graph.Bundle, n int) []string {
	quotes := map[string]*graph.Quote{}
	for _, nd := range b.Nodes {
		if q, ok := nd.(*graph.Quote); ok {
			quotes[q.Key] = q
		}
	}
	type nested struct {
		key   string
		depth int
	}
	var ns []nested
	for _, nd := range b.Nodes {
		q, ok := nd.(*graph.Quote)
		if !ok || q.ReportedBy == "" {
			continue
		}
		d := 0
		for p := q; p != nil && p.ReportedBy != "" && d < 10; p = quotes[p.ReportedBy] {
			d++
		}
		ns = append(ns, nested{q.Key, d})
	}
	slices.SortStableFunc(ns, func(a, b nested) int { return b.depth - a.depth })
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(ns) && len(out) < n/2; i++ {
		out = append(out, ns[i].key)
		seen[ns[i].key] = true
	}
	r := rand.New(rand.NewPCG(1, 77))
	for tries := 0; len(out) < n && tries < 10*n && len(ns) > 0; tries++ {
		if k := ns[r.IntN(len(ns))].key; !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
