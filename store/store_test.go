package store_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
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

// TestWriterChecksReferences hands the store a batch marked validated
// against the current commit whose references dangle (as a caller that
// validated against another state would): the writer's own check refuses
// it, listing each problem in record order, and writes nothing.
func TestWriterChecksReferences(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, "")
	var nodes []graph.Node
	// Enough records for the ahead goroutines to prepare most of them.
	for i := range 1000 {
		nodes = append(nodes, &graph.Person{Key: fmt.Sprintf("p-%d", i+1), Name: fmt.Sprintf("Person %d", i+1)})
	}
	nodes = append(nodes,
		&graph.Quote{Key: "q-1", Text: "first words", Speaker: "p-1", Source: "s-gone"},
		&graph.Quote{Key: "q-2", Text: "second words", Speaker: "p-gone"})
	links := []graph.Link{{From: "q-1", To: "q-gone", Relation: graph.RelSupports}}
	b := &graph.Batch{By: "test", Validated: true, ValidatedAt: int64(s.LastCommit()), Nodes: nodes, Links: links}
	_, err := s.Apply(ctx, b)
	var ve *graph.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Apply: %v, want a validation error", err)
	}
	var got []string
	for _, p := range ve.Problems {
		got = append(got, p.Place.Section+" "+p.Key+" "+p.Field+" "+p.Code)
	}
	// Every problem, the link's first (as the writer checks links before
	// it writes nodes).
	want := []string{"links  to " + graph.CodeDangling, "quotes q-1 source " + graph.CodeDangling, "quotes q-2 speaker " + graph.CodeDangling}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
	if err := s.View(ctx, func(r graph.Reader) error {
		k, err := r.Kinds(ctx, []string{"p-1", "q-1"})
		if len(k) != 0 {
			t.Errorf("written despite the problems: %v", k)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
