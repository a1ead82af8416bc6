package store

import (
	"context"
	"testing"

	"claimgraph/graph"
)

// TestStateFlagsShared checks that the snapshots of one commit share their
// state flags (merged keys, retractions, any key: each read once per
// commit), that a new commit starts afresh, so that a merge is seen by
// the next snapshot, and that a snapshot as of an earlier time keeps flags
// of its own.
func TestStateFlagsShared(t *testing.T) {
	ctx := context.Background()
	s := testOpen(t, Options{InMemory: true})
	apply := func(b *graph.Batch) {
		t.Helper()
		b.By = "test"
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	apply(&graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "p-a", Name: "A"}, &graph.Person{Key: "p-b", Name: "B"}}})
	flags := func() *stateFlags {
		t.Helper()
		var f *stateFlags
		if err := s.View(ctx, func(r graph.Reader) error {
			rd := r.(*reader)
			if _, err := rd.canon(ctx, "p-b"); err != nil {
				return err
			}
			if _, err := rd.hasRetractions(ctx); err != nil {
				return err
			}
			f = rd.flags
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return f
	}
	first := flags()
	if first.merges != 1 || first.retractions != 1 {
		t.Fatalf("flags before any merge or retraction: merges %d, retractions %d, want 1 (no) each", first.merges, first.retractions)
	}
	if again := flags(); again != first {
		t.Error("two snapshots of one commit hold different flags")
	}
	before := s.kv.LastCommit()

	apply(&graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-b"}, Into: "p-a"}}})
	after := flags()
	if after == first || after.merges != 2 {
		t.Errorf("after a merge: the same flags %v, merges %d; want new flags saying yes (2)", after == first, after.merges)
	}
	err := s.View(ctx, func(r graph.Reader) error {
		n, err := r.Node(ctx, "p-b")
		if err != nil {
			return err
		}
		if n.NodeKey() != "p-a" {
			t.Errorf("p-b after its merge reads as %q, want p-a", n.NodeKey())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.ViewAt(ctx, commitTime(before), func(r graph.Reader) error {
		if r.(*reader).flags == after || r.(*reader).flags == first {
			t.Error("a snapshot as of an earlier time shares the latest state's flags")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
