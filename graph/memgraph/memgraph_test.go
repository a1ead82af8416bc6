package memgraph_test

import (
	"errors"
	"testing"
	"time"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
	"claimgraph/graph/memgraph"
)

func TestContract(t *testing.T) {
	graphtest.TestStore(t, func(t *testing.T) graph.Store {
		s := memgraph.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestCopies(t *testing.T) {
	ctx := t.Context()
	clock := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s := memgraph.New(memgraph.WithClock(func() time.Time { return clock }))
	defer s.Close()
	text := "The council met on Monday. The ferry stays."
	src := &graph.Source{Key: "s1", Kind: "article", Text: text}
	q := &graph.Quote{Key: "q1", Text: "The ferry stays.", Source: "s1", Span: &graph.Span{Start: 27, End: 43}, Claims: []string{"c1"}}
	b := &graph.Batch{Nodes: []graph.Node{src, q, &graph.Claim{Key: "c1", Text: "The ferry stays"}}}
	res, err := s.Apply(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if !res.At.Equal(clock) {
		t.Errorf("At = %v, want the clock's %v", res.At, clock)
	}
	if src.ContentSHA256 != "" || q.Span.Prefix != "" {
		t.Errorf("Apply changed the caller's batch: hash %q prefix %q", src.ContentSHA256, q.Span.Prefix)
	}
	// Changing the batch or a node read back must not change the store.
	q.Text, q.Claims[0] = "changed by the caller", "c-other"
	err = s.View(ctx, func(r graph.Reader) error {
		n, err := r.Node(ctx, "q1")
		if err != nil {
			return err
		}
		got := n.(*graph.Quote)
		if got.Text != "The ferry stays." || got.Claims[0] != "c1" {
			t.Errorf("stored quote follows the caller's batch: %+v", got)
		}
		if got.Span.Prefix != "The council met on Monday. " || got.Span.ContentSHA256 != graph.ContentHash(text) {
			t.Errorf("stored span not prepared: %+v", got.Span)
		}
		got.Text = "changed by a reader"
		again, err := r.Node(ctx, "q1")
		if err != nil {
			return err
		}
		if again.(*graph.Quote).Text != "The ferry stays." {
			t.Errorf("a reader changed the stored quote")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFolding(t *testing.T) {
	ctx := t.Context()
	s := memgraph.New()
	defer s.Close()
	_, err := s.Apply(ctx, &graph.Batch{Nodes: []graph.Node{
		&graph.Organisation{Key: "o1", Name: "Société Générale des Eaux", Aliases: []string{"S.G.E."}},
		&graph.Source{Key: "s1", Kind: "article"},
		&graph.Quote{Key: "q1", Text: "Il n’a “rien” dit", Source: "s1"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(r graph.Reader) error {
		for _, name := range []string{"societe generale des eaux", "SOCIÉTÉ  GÉNÉRALE DES EAUX", "s.g.e.", "S G E"} {
			keys, err := r.Lookup(ctx, graph.IndexName, name)
			if err != nil {
				return err
			}
			if len(keys) != 1 || keys[0] != "o1" {
				t.Errorf("Lookup(%q) = %v", name, keys)
			}
		}
		for _, text := range []string{`n'a "rien"`, "N’A «RIEN»"} {
			p, err := r.QuotesMatching(ctx, text, "", 10)
			if err != nil {
				return err
			}
			if len(p.Keys) != 1 {
				t.Errorf("QuotesMatching(%q) = %v", text, p.Keys)
			}
		}
		if _, err := r.QuotesMatching(ctx, "  ", "", 10); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("QuotesMatching of blank text: %v, want ErrInvalid", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
