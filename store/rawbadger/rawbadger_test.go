package rawbadger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/store"
)

// TestSameReads loads the keys of a store into a raw database and checks
// that the hand-written reads answer what the store's Reader answers.
func TestSameReads(t *testing.T) {
	ctx := context.Background()
	b, err := gen.Generate(gen.Options{Quotes: 300, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Apply(ctx, b.Batch("test", "")); err != nil {
		t.Fatal(err)
	}
	snap, err := s.KV().Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][]byte
	err = snap.Scan(ctx, store.Range{}, func(k, v []byte) error {
		pairs = append(pairs, append([]byte(nil), k...), append([]byte{}, v...))
		return nil
	})
	snap.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Load(pairs); err != nil {
		t.Fatal(err)
	}
	if err := db.Load(pairs[:1]); err == nil {
		t.Error("Load of an odd number of slices: no error")
	}

	var keys []string
	for i, n := range b.Nodes {
		if i%7 == 0 {
			keys = append(keys, n.NodeKey())
		}
	}
	checked := 0
	err = s.View(ctx, func(want graph.Reader) error {
		return db.View(func(got *Reader) error {
			for _, k := range keys {
				wn, err := want.Node(ctx, k)
				if err != nil {
					return err
				}
				gn, err := got.Node(k)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(wn, gn) {
					t.Errorf("Node(%s) = %+v, want %+v", k, gn, wn)
				}
				for _, q := range []graph.EdgeQuery{
					{Key: k, Dir: graph.Out},
					{Key: k, Dir: graph.In},
					{Key: k, Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}, Kind: graph.KindQuote},
					{Key: k, Dir: graph.Out, Relations: []graph.Relation{graph.RelSpeaker, graph.RelReportedBy, graph.RelSource}},
					{Key: k, Dir: graph.In, Relations: []graph.Relation{graph.RelSource}, Kind: graph.KindQuote, Limit: 3},
				} {
					we, err := want.Edges(ctx, q)
					if err != nil {
						return err
					}
					ge, err := got.Edges(q)
					if err != nil {
						return err
					}
					if len(we) != len(ge) || (len(we) > 0 && !reflect.DeepEqual(we, ge)) {
						t.Errorf("Edges(%+v) = %+v, want %+v", q, ge, we)
					}
					checked += len(we)
					// Resume after the first edge of a one-relation query.
					if len(q.Relations) == 1 && len(we) > 1 {
						q2 := q
						q2.After, q2.Limit = we[0].From, 0
						we2, err := want.Edges(ctx, q2)
						if err != nil {
							return err
						}
						ge2, err := got.Edges(q2)
						if err != nil {
							return err
						}
						if !reflect.DeepEqual(we2, ge2) {
							t.Errorf("Edges(%+v) = %+v, want %+v", q2, ge2, we2)
						}
					}
				}
			}
			if _, err := got.Node("no-such-key"); !errors.Is(err, graph.ErrNotFound) {
				t.Errorf("missing node: %v", err)
			}
			ns, err := got.Nodes([]string{keys[0], "no-such-key"})
			if err != nil || ns[0] == nil || ns[1] != nil {
				t.Errorf("Nodes: %v, %v", ns, err)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Errorf("only %d edges compared", checked)
	}
}

// TestSettled checks when levels count as settled (every compaction score
// below 1, whatever the level) and when two have the same shape.
func TestSettled(t *testing.T) {
	cases := []struct {
		name   string
		levels []badger.LevelInfo
		want   bool
	}{
		{"empty", nil, true},
		{"all below one", []badger.LevelInfo{{Level: 0, NumTables: 3}, {Level: 6, NumTables: 40, Score: 0}}, true},
		{"level 0 due", []badger.LevelInfo{{Level: 0, NumTables: 6, Score: 1.2}, {Level: 6}}, false},
		{"a level over its target", []badger.LevelInfo{{Level: 0}, {Level: 5, Score: 1}, {Level: 6}}, false},
	}
	for _, c := range cases {
		if got := settled(c.levels); got != c.want {
			t.Errorf("%s: settled = %v, want %v", c.name, got, c.want)
		}
	}
	a := []badger.LevelInfo{{Level: 0, NumTables: 2, Size: 10}, {Level: 6, NumTables: 5, Size: 100, Score: 0.5}}
	shapes := []struct {
		name string
		b    []badger.LevelInfo
		want bool
	}{
		{"same, scores aside", []badger.LevelInfo{{Level: 0, NumTables: 2, Size: 10}, {Level: 6, NumTables: 5, Size: 100}}, true},
		{"a table more", []badger.LevelInfo{{Level: 0, NumTables: 3, Size: 10}, {Level: 6, NumTables: 5, Size: 100}}, false},
		{"another size", []badger.LevelInfo{{Level: 0, NumTables: 2, Size: 10}, {Level: 6, NumTables: 5, Size: 101}}, false},
		{"none before", nil, false},
	}
	for _, c := range shapes {
		if got := sameShape(a, c.b); got != c.want {
			t.Errorf("shape %s: sameShape = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSettle loads pairs into an on-disk database and waits for it to
// settle.
func TestSettle(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var pairs [][]byte
	for i := range 20000 {
		pairs = append(pairs, fmt.Appendf(nil, "k%08d", i), bytes.Repeat([]byte{byte(i)}, 100))
	}
	if err := d.Load(pairs); err != nil {
		t.Fatal(err)
	}
	waited, err := d.Settle(context.Background(), 300*time.Millisecond, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if waited < 300*time.Millisecond {
		t.Errorf("Settle returned after %s, before the levels were quiet for 300ms", waited)
	}
	if !settled(d.db.Levels()) {
		t.Errorf("Settle returned with levels %+v", d.db.Levels())
	}
}
