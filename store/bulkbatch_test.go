package store

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"

	"claimgraph/gen"
	"claimgraph/graph"
)

// TestBulkBatch: a Bulk batch (claimgraph import) writes what the same
// batch writes without the flag, records, links, history and counts
// alike, reports the same counts, lists no revisions, and refuses a nil
// record as the copying path does. The generated bundle is large enough
// for the ahead goroutines and the bulk commit.
func TestBulkBatch(t *testing.T) {
	ctx := t.Context()
	open := func() *Store {
		s, err := Open(ctx, Options{InMemory: true, bulkWrites: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	decoded := func() *graph.Bundle {
		b, err := gen.Generate(gen.Options{Quotes: 1500, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if err := graph.Prepare(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
		return b
	}
	plain, bulk := open(), open()
	pb := decoded()
	resPlain, err := plain.Apply(ctx, &graph.Batch{Nodes: pb.Nodes, Links: pb.Links, By: "import:a"})
	if err != nil {
		t.Fatal(err)
	}
	bb := decoded()
	resBulk, err := bulk.Apply(ctx, &graph.Batch{Nodes: bb.Nodes, Links: bb.Links, By: "import:a", Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(resPlain.Revisions) == 0 || len(resBulk.Revisions) != 0 {
		t.Fatalf("revisions listed: %d without Bulk, %d with; want some and none", len(resPlain.Revisions), len(resBulk.Revisions))
	}
	if resPlain.Nodes != resBulk.Nodes || resPlain.Links != resBulk.Links || len(resPlain.ByKind) != len(resBulk.ByKind) {
		t.Fatalf("counts differ: %+v %+v / %+v %+v", resPlain.Nodes, resPlain.Links, resBulk.Nodes, resBulk.Links)
	}
	for k, c := range resPlain.ByKind {
		if resBulk.ByKind[k] != c {
			t.Fatalf("%v: %+v without Bulk, %+v with", k, c, resBulk.ByKind[k])
		}
	}
	keys := make([]string, len(pb.Nodes))
	for i, n := range pb.Nodes {
		keys[i] = n.NodeKey()
	}
	type view struct {
		nodes   []string
		edges   []int
		history []int
		stats   graph.Stats
	}
	read := func(s *Store) view {
		var v view
		err := s.View(ctx, func(r graph.Reader) error {
			ns, err := r.Nodes(ctx, keys)
			if err != nil {
				return err
			}
			hr := r.(graph.HistoryReader)
			for i, n := range ns {
				j, err := json.Marshal(n)
				if err != nil {
					return err
				}
				v.nodes = append(v.nodes, string(j))
				for _, d := range []graph.Direction{graph.Out, graph.In} {
					es, err := r.Edges(ctx, graph.EdgeQuery{Key: keys[i], Dir: d})
					if err != nil {
						return err
					}
					v.edges = append(v.edges, len(es))
				}
				h, err := hr.History(ctx, keys[i])
				if err != nil {
					return err
				}
				v.history = append(v.history, len(h))
			}
			v.stats, err = r.Stats(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	vp, vb := read(plain), read(bulk)
	if !slices.Equal(vp.nodes, vb.nodes) || !slices.Equal(vp.edges, vb.edges) || !slices.Equal(vp.history, vb.history) {
		t.Fatal("a Bulk batch stored other records, links or history than the same batch without the flag")
	}
	if !maps.Equal(vp.stats.Nodes, vb.stats.Nodes) || vp.stats.Links != vb.stats.Links || vp.stats.Edges != vb.stats.Edges {
		t.Fatalf("stats %+v without Bulk, %+v with", vp.stats, vb.stats)
	}
	if rep, err := bulk.Verify(ctx, VerifyOptions{}); err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}

	// Importing the same records again as Bulk changes nothing.
	again, err := bulk.Apply(ctx, &graph.Batch{Nodes: decoded().Nodes, Links: pb.Links, By: "import:a", Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	if again.Rev != 0 || again.Nodes.Added+again.Nodes.Changed != 0 {
		t.Fatalf("re-import: %+v", again.Nodes)
	}

	// A nil record is refused, naming its place, and writes nothing.
	before := bulk.kv.LastCommit()
	_, err = bulk.Apply(context.Background(), &graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "p-new", Name: "New"}, nil}, Bulk: true})
	var ve *graph.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Place.Index != 1 {
		t.Fatalf("nil record: %v", err)
	}
	if bulk.kv.LastCommit() != before {
		t.Fatal("a refused Bulk batch committed")
	}
}

// TestValidatedBatch: a batch the caller validated against the store's
// latest commit (Batch.Validated) is not validated again, and one
// validated against an earlier commit is. A key the bundle format refuses
// shows which happened: the store itself can write it.
func TestValidatedBatch(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bad := func() *graph.Batch {
		return &graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "P-Upper", Name: "Upper Case"}}}
	}
	if _, err := s.Apply(ctx, &graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "p-first", Name: "First"}}}); err != nil {
		t.Fatal(err)
	}
	first := int64(s.LastCommit())
	for _, tc := range []struct {
		name      string
		validated bool
		at        int64
	}{
		{"not validated", false, first},
		{"validated against an earlier commit", true, first - 1},
		{"validated against the empty store", true, 0},
	} {
		b := bad()
		b.Validated, b.ValidatedAt = tc.validated, tc.at
		_, err := s.Apply(ctx, b)
		var ve *graph.ValidationError
		if !errors.As(err, &ve) || ve.Problems[0].Code != graph.CodeBadKey {
			t.Fatalf("%s: %v, want the bad key reported", tc.name, err)
		}
	}
	b := bad()
	b.Validated, b.ValidatedAt = true, first
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatalf("validated against the latest commit: %v (validated again)", err)
	}
}
