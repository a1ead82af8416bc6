package store

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/graph"
)

func TestSize(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: t.TempDir(), Logger: zerolog.Nop(), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.LastCommit() != 0 {
		t.Errorf("empty store: last commit %d", s.LastCommit())
	}
	_, vlog0 := s.Size()
	if vlog0 <= 0 {
		t.Errorf("a new store has a value log file; size %d", vlog0)
	}
	if _, err := s.Apply(ctx, &graph.Batch{Nodes: []graph.Node{&graph.Person{Key: "p", Name: "P"}}}); err != nil {
		t.Fatal(err)
	}
	if s.LastCommit() == 0 {
		t.Error("no last commit after a write")
	}
	mem, err := Open(ctx, Options{InMemory: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if l, v := mem.Size(); l != 0 || v != 0 {
		t.Errorf("in memory: %d, %d", l, v)
	}
}
