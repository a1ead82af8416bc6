package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// TestLiveCounts: List's total and Stats come from the live count keys,
// which the writer keeps through creations, updates, merges and chunked
// imports, which answer asOf, and which a store without them (written
// before they existed) gets from its first batch; a page of List reads
// about a page of keys, not every node of the kind.
func TestLiveCounts(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, Options{InMemory: true, bulkWrites: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	quotes := func(from, to int) *graph.Batch {
		b := &graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "p-1", Name: "First Speaker"}, &graph.Source{Key: "s-1", Kind: "article"}}}
		for i := from; i < to; i++ {
			b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("q-%04d", i), Text: fmt.Sprintf("Statement number %d.", i), Speaker: "p-1", Source: "s-1"})
		}
		return b
	}
	people := func(keys ...string) *graph.Batch {
		b := &graph.Batch{}
		for _, k := range keys {
			b.Nodes = append(b.Nodes, &graph.Person{Key: k, Name: "Person " + k})
		}
		return b
	}
	type want struct{ quotes, people int }
	var atCommit []uint64
	var wants []want
	steps := []struct {
		name  string
		batch *graph.Batch
		want  want
	}{
		{"first chunk", quotes(0, 300), want{300, 1}},
		{"second chunk", quotes(300, 500), want{500, 1}},
		{"same again: nothing new", quotes(0, 500), want{500, 1}},
		{"two people", people("p-2", "p-3"), want{500, 3}},
		{"links, two to people about to be merged", &graph.Batch{Links: []graph.Link{
			{From: "q-0003", To: "p-3", Relation: graph.RelContext},
			{From: "q-0003", To: "p-2", Relation: graph.RelContext},
			{From: "q-0004", To: "q-0005", Relation: graph.RelRespondsTo},
			{From: "q-0006", To: "q-0005", Relation: graph.RelRespondsTo},
		}}, want{500, 3}},
		{"a link again, and a link unlinked", &graph.Batch{
			Links:   []graph.Link{{From: "q-0003", To: "p-2", Relation: graph.RelContext, Note: "again"}},
			Unlinks: []graph.LinkID{{From: "q-0004", Relation: graph.RelRespondsTo, To: "q-0005"}},
		}, want{500, 3}},
		{"merge one person into another", &graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-3"}, Into: "p-2"}}}, want{500, 2}},
		{"one more person", people("p-4"), want{500, 3}},
		{"two merged into one", &graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-4", "p-1"}, Into: "p-2"}}}, want{500, 1}},
	}
	for _, st := range steps {
		_, err := s.Apply(ctx, st.batch)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		atCommit = append(atCommit, s.kv.LastCommit())
		wants = append(wants, st.want)
		checkCounts(t, s, 0, st.name, st.want.quotes, st.want.people)
	}
	// asOf: every earlier commit still answers its own counts.
	for i, ts := range atCommit {
		checkCounts(t, s, ts, steps[i].name+" (asOf)", wants[i].quotes, wants[i].people)
	}
	// A store written before live counts: the keys deleted. Readers count
	// the list and adjacency keys; the next batch writes the right counts.
	dropCounts(t, s)
	checkCounts(t, s, 0, "without count keys", 500, 1)
	if _, err := s.Apply(ctx, quotes(500, 510)); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, 0, "count key written again", 510, 1)
	if rep, err := s.Verify(ctx, VerifyOptions{}); err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}

	// Opening a store without the keys writes them, in one commit, for the
	// kinds that have nodes and for edges and links; opening it again
	// writes nothing.
	dropCounts(t, s)
	before := s.kv.LastCommit()
	if _, err := New(ctx, s.kv, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	if s.kv.LastCommit() == before {
		t.Fatal("opening a store without live counts committed nothing")
	}
	written := map[graph.Kind]uint64{}
	snap0, err := s.kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range graph.Kinds {
		v, err := snap0.Get(ctx, liveCountKey(k))
		if errors.Is(err, ErrKeyNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if written[k], err = decodeUint64(v); err != nil {
			t.Fatal(err)
		}
	}
	snap0.Close()
	if want := map[graph.Kind]uint64{graph.KindPerson: 1, graph.KindSource: 1, graph.KindQuote: 510}; !maps.Equal(written, want) {
		t.Fatalf("live counts written at open: %v, want %v", written, want)
	}
	snap1, err := s.kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range [][]byte{liveEdgesKey, liveLinksKey} {
		if _, err := snap1.Get(ctx, k); err != nil {
			t.Fatalf("%q after open: %v", k, err)
		}
	}
	snap1.Close()
	checkCounts(t, s, 0, "count keys written at open", 510, 1)
	again := s.kv.LastCommit()
	if _, err := New(ctx, s.kv, zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	if s.kv.LastCommit() != again {
		t.Fatal("opening a store with its live counts committed")
	}

	// A deep page of List reads about a page of keys.
	snap, err := s.KV().Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	c := &countingReader{KVReader: snap}
	r := newReader(c)
	after, pages := "", 0
	for {
		c.keys = 0
		p, err := r.List(ctx, graph.KindQuote, after, 20)
		if err != nil {
			t.Fatal(err)
		}
		if c.keys > 21 {
			t.Fatalf("page %d of quotes: %d keys read for %d", pages, c.keys, len(p.Keys))
		}
		if p.Total != 510 {
			t.Fatalf("page %d: total %d, want 510", pages, p.Total)
		}
		pages++
		if !p.More {
			break
		}
		after = p.Keys[len(p.Keys)-1]
	}
	if pages != 26 {
		t.Fatalf("%d pages of 20 for 510 quotes", pages)
	}
}

// checkCounts checks List's total and Stats against a walk over every
// key of the kind at commit ts (0: the last).
func checkCounts(t *testing.T, s *Store, ts uint64, name string, quotes, people int) {
	t.Helper()
	ctx := context.Background()
	view := func(fn func(graph.Reader) error) error {
		if ts == 0 {
			return s.View(ctx, fn)
		}
		return s.view(ctx, ts, fn)
	}
	err := view(func(r graph.Reader) error {
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		edges, links := 0, 0
		err = r.(*reader).kv.Scan(ctx, Range{Prefix: []byte{famOut}, KeysOnly: true}, func(k, _ []byte) error {
			edges++
			if k[9] >= firstLinkCode {
				links++
			}
			return nil
		})
		if err != nil {
			return err
		}
		if st.Edges != edges || st.Links != links {
			t.Errorf("%s: Stats %d edges and %d links; %d and %d stored", name, st.Edges, st.Links, edges, links)
		}
		if edges == 0 {
			t.Errorf("%s: no edges: the test wants some", name)
		}
		for k, want := range map[graph.Kind]int{graph.KindQuote: quotes, graph.KindPerson: people} {
			p, err := r.List(ctx, k, "", 0)
			if err != nil {
				return err
			}
			if p.Total != want || len(p.Keys) != want || st.Nodes[k] != want {
				t.Errorf("%s: %v: List total %d of %d keys, Stats %d; want %d", name, k, p.Total, len(p.Keys), st.Nodes[k], want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// dropCounts deletes every live count key, as in a store written before
// them.
func dropCounts(t *testing.T, s *Store) {
	t.Helper()
	_, err := s.kv.Update(t.Context(), func(tx Txn) error {
		for _, k := range graph.Kinds {
			if err := tx.Delete(liveCountKey(k)); err != nil {
				return err
			}
		}
		if err := tx.Delete(liveEdgesKey); err != nil {
			return err
		}
		return tx.Delete(liveLinksKey)
	})
	if err != nil {
		t.Fatal(err)
	}
}
