package store_test

import (
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
	"claimgraph/store"
)

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), store.SmallOptions(dir))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContractInMemory(t *testing.T) {
	graphtest.Run(t, graphtest.Opener{Open: func(t *testing.T) graph.Store { return openStore(t, "") }})
}

func TestContractOnDisk(t *testing.T) {
	dirs := map[graph.Store]string{}
	graphtest.Run(t, graphtest.Opener{
		Open: func(t *testing.T) graph.Store {
			dir := t.TempDir()
			s := openStore(t, dir)
			dirs[s] = dir
			return s
		},
		Reopen: func(t *testing.T, old graph.Store) graph.Store {
			dir := dirs[old]
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			s := openStore(t, dir)
			dirs[s] = dir
			return s
		},
	})
}
