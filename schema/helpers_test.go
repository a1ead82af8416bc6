package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// update rewrites golden files (schema.graphql, testdata/golden/*.json).
var update = flag.Bool("update", false, "rewrite golden files")

// loadBundle decodes a bundle file into a fresh in-memory store.
func loadBundle(t testing.TB, path string) *memgraph.Store {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := graph.Decode(f, graph.DecodeOptions{})
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	// A fixed clock keeps commit times (links' at, revisions) in golden
	// files stable.
	st := memgraph.New(memgraph.WithClock(func() time.Time { return goldenTime }))
	if _, err := st.Apply(context.Background(), b.Batch("test", "")); err != nil {
		t.Fatalf("apply %s: %v", path, err)
	}
	return st
}

// goldenTime is the commit time of the test bundle.
var goldenTime = time.Date(2026, 2, 4, 12, 0, 0, 0, time.UTC)

// testStore loads testdata/bundle.json.
func testStore(t testing.TB) *memgraph.Store { return loadBundle(t, "testdata/bundle.json") }

// mustSchema builds the schema or fails the test.
func mustSchema(t testing.TB, cfg Config) graphql.Schema {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// calls counts the Reader calls of a countingStore by method.
type calls struct {
	mu   sync.Mutex
	n    map[string]int
	recs int // the records asked for by Node and Nodes
}

// asked adds n records asked for.
func (c *calls) asked(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs += n
}

// records returns how many records Node and Nodes were asked for.
func (c *calls) records() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recs
}

func (c *calls) add(m string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[m]++
}

func (c *calls) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

func (c *calls) get(m string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[m]
}

func (c *calls) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n, c.recs = nil, 0
}

// countingStore wraps a store so that its readers count their calls.
type countingStore struct {
	graph.Store
	calls *calls
	// hook, when set, runs before every Reader call.
	hook func(method string)
}

func (s *countingStore) View(ctx context.Context, fn func(graph.Reader) error) error {
	return s.Store.View(ctx, func(r graph.Reader) error {
		return fn(&countingReader{HistoryReader: r, r: r, s: s})
	})
}

type countingReader struct {
	graph.HistoryReader // history reads are not counted
	r                   graph.Reader
	s                   *countingStore
}

func (c *countingReader) count(m string) {
	c.s.calls.add(m)
	if c.s.hook != nil {
		c.s.hook(m)
	}
}

func (c *countingReader) Node(ctx context.Context, key string) (graph.Node, error) {
	c.count("Node")
	c.s.calls.asked(1)
	return c.r.Node(ctx, key)
}

func (c *countingReader) Nodes(ctx context.Context, keys []string) ([]graph.Node, error) {
	c.count("Nodes")
	c.s.calls.asked(len(keys))
	return c.r.Nodes(ctx, keys)
}

func (c *countingReader) Kinds(ctx context.Context, keys []string) (map[string]graph.Kind, error) {
	c.count("Kinds")
	return c.r.Kinds(ctx, keys)
}

func (c *countingReader) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	c.count("Edges")
	return c.r.Edges(ctx, q)
}

// EdgesBatch serves the batch in one counted call, as a store that
// implements EdgeBatchReader does (the wrapped reader's own Edges calls are
// not counted).
func (c *countingReader) EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error) {
	c.count("EdgesBatch")
	return edgesMany(ctx, c.r, qs)
}

// CountEdgesBatch counts in one counted call, as EdgesBatch reads.
func (c *countingReader) CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error) {
	c.count("CountEdgesBatch")
	return countEdgesMany(ctx, c.r, qs)
}

func (c *countingReader) CountEdges(ctx context.Context, q graph.EdgeQuery) (int, error) {
	c.count("CountEdges")
	return c.r.CountEdges(ctx, q)
}

func (c *countingReader) List(ctx context.Context, k graph.Kind, after string, limit int) (graph.Page, error) {
	c.count("List")
	return c.r.List(ctx, k, after, limit)
}

func (c *countingReader) Lookup(ctx context.Context, idx graph.Index, value string) ([]string, error) {
	c.count("Lookup")
	return c.r.Lookup(ctx, idx, value)
}

func (c *countingReader) Range(ctx context.Context, idx graph.Index, from, to time.Time, after string, limit int) (graph.Page, error) {
	c.count("Range")
	return c.r.Range(ctx, idx, from, to, after, limit)
}

func (c *countingReader) QuotesMatching(ctx context.Context, text string, after string, limit int) (graph.Page, error) {
	c.count("QuotesMatching")
	return c.r.QuotesMatching(ctx, text, after, limit)
}

func (c *countingReader) Search(ctx context.Context, q graph.SearchQuery) (graph.SearchPage, error) {
	c.count("Search")
	return c.r.Search(ctx, q)
}

func (c *countingReader) Select(ctx context.Context, s graph.Selection) (graph.SelectPage, error) {
	c.count("Select")
	return c.r.Select(ctx, s)
}

func (c *countingReader) Aggregate(ctx context.Context, s graph.Selection, by graph.Grouping, limit int) ([]graph.Group, error) {
	c.count("Aggregate")
	return c.r.Aggregate(ctx, s, by, limit)
}

func (c *countingReader) Stats(ctx context.Context) (graph.Stats, error) {
	c.count("Stats")
	return c.r.Stats(ctx)
}

// server is a handler under test with its log.
type server struct {
	h   http.Handler
	log *bytes.Buffer
	// fast counts the queries the compiled executor answered, each
	// compared with graphql-go's answer (exec.go).
	fast *atomic.Int64
}

// newServer builds the schema and handler over st. Every query that the
// compiled executor answers is executed by graphql-go too, in the same
// snapshot, and the test fails when the answers differ; only over a plain
// memgraph store, since the tests of wrapping stores count the compiled
// executor's reads alone.
func newServer(t testing.TB, st graph.Store, cfg HandlerConfig) *server {
	t.Helper()
	var log bytes.Buffer
	s := mustSchema(t, cfg.Schema)
	h := NewHandler(s, st, cfg, zerolog.New(&syncWriter{w: &log})).(*handler)
	fast := &atomic.Int64{}
	if _, plain := st.(*memgraph.Store); !plain {
		return &server{h: h, log: &log, fast: fast}
	}
	h.diff = func(query string, fastData, slowData []byte, errs []gqlerrors.FormattedError) {
		fast.Add(1)
		if len(errs) > 0 || !bytes.Equal(fastData, slowData) {
			t.Errorf("the compiled executor answered %s\nwith %s\ngraphql-go with %s (errors %v)",
				truncate(query, 300), truncate(string(fastData), 2000), truncate(string(slowData), 2000), errs)
		}
	}
	return &server{h: h, log: &log, fast: fast}
}

// syncWriter serialises writes to a buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// response is a decoded response.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]interface{}
}

// errorCodes lists the extensions.code of the response's errors.
func (r *response) errorCodes() []string {
	var out []string
	errs, _ := r.body["errors"].([]interface{})
	for _, e := range errs {
		m, _ := e.(map[string]interface{})
		ext, _ := m["extensions"].(map[string]interface{})
		c, _ := ext["code"].(string)
		out = append(out, c)
	}
	return out
}

// do sends a request and decodes its JSON body (failing when it is not JSON).
func (s *server) do(t testing.TB, req *http.Request) *response {
	t.Helper()
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	res := &response{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	if err := json.Unmarshal(res.raw, &res.body); err != nil {
		t.Fatalf("%s %s: response is not a JSON object (status %d): %v\n%s", req.Method, req.URL, rec.Code, err, truncate(string(res.raw), 500))
	}
	return res
}

// post sends a POST with a JSON body of query and variables.
func (s *server) post(t testing.TB, query string, vars map[string]interface{}, accept string) *response {
	t.Helper()
	body := map[string]interface{}{"query": query}
	if vars != nil {
		body["variables"] = vars
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return s.do(t, req)
}

// get sends a GET with the query in the URL.
func (s *server) get(t testing.TB, query string, accept string) *response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return s.do(t, req)
}

// data returns the data member, failing on errors.
func (r *response) data(t testing.TB) map[string]interface{} {
	t.Helper()
	if errs, ok := r.body["errors"]; ok {
		t.Fatalf("unexpected errors (status %d): %v", r.status, errs)
	}
	d, ok := r.body["data"].(map[string]interface{})
	if !ok {
		t.Fatalf("no data: %s", r.raw)
	}
	return d
}

// dig follows a path of map keys and list indexes.
func dig(t testing.TB, v interface{}, path ...interface{}) interface{} {
	t.Helper()
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]interface{})
			if !ok {
				t.Fatalf("dig %v: %T is not an object", path, v)
			}
			v = m[p]
		case int:
			l, ok := v.([]interface{})
			if !ok || p >= len(l) {
				t.Fatalf("dig %v: no element %d in %v", path, p, v)
			}
			v = l[p]
		}
	}
	return v
}

// gqlRequest is a raw request for table tests.
func gqlRequest(method, target, contentType, accept, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}
