package store_test

import (
	"fmt"
	"maps"
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

// TestKindsManyKeys asks for the kinds of many keys (enough for Kinds to
// first ask whether the store holds any key) before and after a write.
func TestKindsManyKeys(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, "")
	keys := make([]string, 300)
	for i := range keys {
		keys[i] = fmt.Sprintf("p-%03d", i)
	}
	kinds := func() map[string]graph.Kind {
		var out map[string]graph.Kind
		if err := s.View(ctx, func(r graph.Reader) error {
			var err error
			out, err = r.Kinds(ctx, keys)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := kinds(); len(got) != 0 {
		t.Fatalf("empty store: %v", got)
	}
	b := &graph.Batch{By: "test", Nodes: []graph.Node{
		&graph.Person{Key: "p-007", Name: "Seven"},
		&graph.Organisation{Key: "p-299", Name: "Last"},
	}}
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	want := map[string]graph.Kind{"p-007": graph.KindPerson, "p-299": graph.KindOrganisation}
	if got := kinds(); !maps.Equal(got, want) {
		t.Errorf("after a write: %v, want %v", got, want)
	}
}
