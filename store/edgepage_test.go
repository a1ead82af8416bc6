package store

import (
	"context"
	"fmt"
	"testing"

	"claimgraph/graph"
)

// countingReader counts the keys that scans hand to their callers.
type countingReader struct {
	KVReader
	keys int
}

func (c *countingReader) Scan(ctx context.Context, r Range, fn func(k, v []byte) error) error {
	return c.KVReader.Scan(ctx, r, func(k, v []byte) error {
		c.keys++
		return fn(k, v)
	})
}

// TestEdgePagesSeek: a page of a node's edges after a cursor starts its
// scan at the cursor, so a deep page reads about a page of keys, not every
// edge before it (the walk from the start made paging quadratic).
func TestEdgePagesSeek(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	nodes := []graph.Node{&graph.Person{Key: "p-busy", Name: "Busy Speaker"}, &graph.Person{Key: "p-other", Name: "Other"},
		&graph.Source{Key: "s-1", Kind: "article"}}
	for i := range 600 {
		sp := "p-busy"
		if i%5 == 0 {
			sp = "p-other"
		}
		nodes = append(nodes, &graph.Quote{Key: fmt.Sprintf("q-%04d", i), Text: "Something was said.", Speaker: sp, Source: "s-1"})
	}
	if _, err := s.Apply(ctx, &graph.Batch{Nodes: nodes}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []graph.EdgeQuery{
		{Key: "p-busy", Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}, Kind: graph.KindQuote, Limit: 20},
		{Key: "p-busy", Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}, Limit: 20},
		{Key: "p-busy", Dir: graph.In, Limit: 20},
	} {
		snap, err := s.KV().Snapshot(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close() // before the store's Close, which waits for it
		c := &countingReader{KVReader: snap}
		r := newReader(c)
		seen, pages := 0, 0
		for {
			c.keys = 0
			es, err := r.Edges(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			// The page, the key after it, and the lookups of the cursor.
			if c.keys > q.Limit+4 {
				t.Fatalf("%+v, page %d: %d keys read for %d edges", q, pages, c.keys, len(es))
			}
			seen += len(es)
			pages++
			if len(es) < q.Limit {
				break
			}
			q.After = es[len(es)-1].From
		}
		if seen != 480 {
			t.Fatalf("%+v: %d edges over %d pages, want 480", q, seen, pages)
		}
	}
}
