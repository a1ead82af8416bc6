package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"claimgraph/demo"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
	"claimgraph/schema"
	"claimgraph/store"
	"claimgraph/store/postgres"
	"claimgraph/store/postgres/pgtest"
)

const (
	whoSaidText = "crime is way down"
	traceRoot   = "q-walz-request"
)

// answers are what a server answers for the two questions, read
// through the graph.Reader and through the GraphQL handler.
type answers struct {
	whoSaid []string
	trace   *graph.Trace
	http    map[string]string // query name -> response body
}

var httpQueries = map[string]string{
	"whoSaid": `{ whoSaid(text: "` + whoSaidText + `") { totalCount edges { node { id text speaker { name } source { title } } } } }`,
	"trace":   `{ trace(id: "` + traceRoot + `") { root { id } hops { from { id } to { id } relation depth } speakers { name } supporting { id } contradicting { id } truncated } }`,
}

// ask answers the questions on st: the reader calls and the GraphQL
// queries over HTTP, as `claimgraph serve` would serve them.
func ask(t *testing.T, st graph.Store) answers {
	t.Helper()
	var a answers
	err := st.View(t.Context(), func(r graph.Reader) error {
		p, err := r.QuotesMatching(t.Context(), whoSaidText, "", 100)
		if err != nil {
			return err
		}
		a.whoSaid = p.Keys
		a.trace, err = graph.TraceFrom(t.Context(), r, traceRoot, graph.TraceOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	s, err := schema.New(schema.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(schema.NewHandler(s, st, schema.HandlerConfig{}, testLogger(t)))
	defer srv.Close()
	a.http = map[string]string{}
	for name, q := range httpQueries {
		body, _ := json.Marshal(map[string]string{"query": q})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
			t.Fatalf("%s: HTTP %d: %s", name, resp.StatusCode, out)
		}
		a.http[name] = string(out)
	}
	return a
}

// sameAnswers compares the answers of a store with those of the reference
// (Badger, same graph layer): equal, byte for byte on the wire.
func sameAnswers(t *testing.T, label string, got, want answers) {
	t.Helper()
	if !slices.Equal(got.whoSaid, want.whoSaid) {
		t.Errorf("%s: whoSaid(%q) = %v, want %v", label, whoSaidText, got.whoSaid, want.whoSaid)
	}
	if !reflect.DeepEqual(got.trace, want.trace) {
		t.Errorf("%s: trace(%s) = %+v\nwant %+v", label, traceRoot, got.trace, want.trace)
	}
	for name, body := range want.http {
		if got.http[name] != body {
			t.Errorf("%s: GraphQL %s answered\n%s\nwant\n%s", label, name, got.http[name], body)
		}
	}
}

// reference answers the questions on the demo bundle with the Badger
// engine and, independently of the store layer, checks the answers'
// substance against memgraph.
func reference(t *testing.T) answers {
	t.Helper()
	bd, err := store.Open(t.Context(), store.Options{InMemory: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer bd.Close()
	importDemo(t, bd)
	want := ask(t, bd)

	mg := memgraph.New()
	importDemo(t, mg)
	m := ask(t, mg)
	if len(want.whoSaid) == 0 || !slices.Equal(sorted(want.whoSaid), sorted(m.whoSaid)) {
		t.Fatalf("whoSaid on the demo: Badger %v, memgraph %v; want the same non-empty set", want.whoSaid, m.whoSaid)
	}
	if want.trace.Root != traceRoot || len(want.trace.Hops) == 0 || !slices.Equal(sorted(want.trace.Speakers), sorted(m.trace.Speakers)) ||
		!slices.Equal(sorted(want.trace.PrimarySources), sorted(m.trace.PrimarySources)) || len(want.trace.Hops) != len(m.trace.Hops) {
		t.Fatalf("trace on the demo: Badger %+v, memgraph %+v", want.trace, m.trace)
	}
	return want
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

func importDemo(t *testing.T, st graph.Store) graph.ApplyResult {
	t.Helper()
	b, err := demo.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Apply(t.Context(), b.Batch("import:demo", "the example bundle"))
	if err != nil {
		t.Fatalf("importing the demo bundle: %v", err)
	}
	return res
}

// TestReplica is the "done when": with a primary and a streaming
// replica, the example bundle imported through the store on the primary
// is answered on the replica (whoSaid and trace, through the reader and
// through GraphQL over HTTP, as on Badger); the replica refuses writes and
// keeps answering after the primary is stopped.
func TestReplica(t *testing.T) {
	t.Parallel()
	want := reference(t)
	c := pgtest.Start(t, pgtest.Options{Replica: true})
	primary := openStore(t, c.Primary.DSN("postgres"), "", false)
	res := importDemo(t, primary)
	if res.Nodes.Added == 0 {
		t.Fatalf("import added no nodes: %+v", res)
	}
	imported := primary.KV().LastCommit()
	sameAnswers(t, "primary", ask(t, primary), want)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := c.WaitReplica(ctx); err != nil {
		t.Fatal(err)
	}
	rkv := openEngine(t, c.Replica.DSN("postgres"), "", false)
	if !rkv.Standby() || !rkv.ReadOnly() {
		t.Fatalf("engine on the replica: Standby %v, ReadOnly %v; want both", rkv.Standby(), rkv.ReadOnly())
	}
	if err := rkv.WaitFor(ctx, imported); err != nil {
		t.Fatal(err)
	}
	replica, err := store.New(t.Context(), rkv, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	got := ask(t, replica)
	t.Logf("replica: whoSaid(%q) = %v; trace(%s): %d hops, speakers %v, primary sources %v",
		whoSaidText, got.whoSaid, traceRoot, len(got.trace.Hops), got.trace.Speakers, got.trace.PrimarySources)
	sameAnswers(t, "replica", got, want)

	// Writes are refused, plainly.
	refused := func(label string) {
		t.Helper()
		b := &graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "p-new", Name: "Someone New"}}, By: "test"}
		_, err := replica.Apply(t.Context(), b)
		if !errors.Is(err, postgres.ErrReadOnly) || !strings.Contains(err.Error(), "primary") {
			t.Errorf("%s: Apply on the replica = %v, want ErrReadOnly saying to write on the primary", label, err)
		}
	}
	refused("replica")

	// A later commit on the primary reaches the replica; asOf the import
	// stays exact there.
	b := &graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "p-later", Name: "Later Person"}}, By: "test"}
	later, err := primary.Apply(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if err := rkv.WaitFor(ctx, uint64(later.At.UnixNano())); err != nil {
		t.Fatal(err)
	}
	has := func(view func(context.Context, func(graph.Reader) error) error) bool {
		found := false
		err := view(t.Context(), func(r graph.Reader) error {
			_, err := r.Node(t.Context(), "p-later")
			found = err == nil
			if errors.Is(err, graph.ErrNotFound) {
				err = nil
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	if !has(replica.View) {
		t.Errorf("the replica does not show a commit made on the primary after the import")
	}
	asOfImport := func(ctx context.Context, fn func(graph.Reader) error) error {
		return replica.ViewAt(ctx, time.Unix(0, int64(imported)), fn)
	}
	if has(asOfImport) {
		t.Errorf("the replica shows, as of the import, a node written after it")
	}

	// The primary goes away; the replica keeps answering.
	if err := c.Primary.Stop(); err != nil {
		t.Fatal(err)
	}
	sameAnswers(t, "replica after the primary stopped", ask(t, replica), want)
	if !has(replica.View) {
		t.Errorf("after the primary stopped, the replica lost a commit")
	}
	refused("replica after the primary stopped")
}
