package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// The schema's EdgeBatchReader (claimgraph/schema, which store must not
// import), copied: the reader View hands out satisfies it, so the schema
// reads each GraphQL level of nested connections with one store call.
var _ interface {
	EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error)
	CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error)
} = (*reader)(nil)

func TestEdgeBatchInMemory(t *testing.T) {
	graphtest.TestEdgeBatch(t, func(t *testing.T) graph.Store { return testOpen(t, Options{InMemory: true}) })
}

// levelFixture is a store on disk holding the generated corpus, reopened so
// that its keys sit in tables (as after a restart), and the keys of up to
// 100 of its people: one GraphQL level of nested connections.
func levelFixture(b *testing.B) (*Store, []string) {
	batch, _ := corpus(b, benchQuotes(b))
	dir := b.TempDir()
	s, err := Open(b.Context(), benchOptions(dir))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Apply(b.Context(), batch); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if s, err = Open(b.Context(), benchOptions(dir)); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	var people []string
	err = s.View(b.Context(), func(r graph.Reader) error {
		p, err := r.List(b.Context(), graph.KindPerson, "", 100)
		people = p.Keys
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, people
}

// BenchmarkEdgesLevel reads one level of nested connections, the first 6
// quotes of each of 100 people and their count, in a fresh View whose
// reader knows the people's ids (as after the level above): with one
// Edges and one CountEdges call per person (per-query), and with one
// EdgesBatch and one CountEdgesBatch call (batch). Each iteration does
// both, in alternating order, each in its own View, and times the level
// reads only; the metrics are the mean time of each and their ratio, so
// that the comparison is side by side on a busy machine.
func BenchmarkEdgesLevel(b *testing.B) {
	s, people := levelFixture(b)
	ctx := b.Context()
	qs := make([]graph.EdgeQuery, len(people))
	for i, p := range people {
		qs[i] = graph.EdgeQuery{Key: p, Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}, Kind: graph.KindQuote, Limit: 6}
	}
	perQuery := func(r *reader) (int, error) {
		n := 0
		for _, q := range qs {
			es, err := r.Edges(ctx, q)
			if err != nil {
				return 0, err
			}
			if _, err := r.CountEdges(ctx, q); err != nil {
				return 0, err
			}
			n += len(es)
		}
		return n, nil
	}
	batch := func(r *reader) (int, error) {
		got, err := r.EdgesBatch(ctx, qs)
		if err != nil {
			return 0, err
		}
		if _, err := r.CountEdgesBatch(ctx, qs); err != nil {
			return 0, err
		}
		n := 0
		for _, es := range got {
			n += len(es)
		}
		return n, nil
	}
	level := func(read func(*reader) (int, error)) (time.Duration, int) {
		var d time.Duration
		var n int
		err := s.View(ctx, func(gr graph.Reader) error {
			r := gr.(*reader)
			if _, err := r.Kinds(ctx, people); err != nil {
				return err
			}
			start := time.Now()
			var err error
			n, err = read(r)
			d = time.Since(start)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return d, n
	}
	var tq, tb time.Duration
	i := 0
	for b.Loop() {
		var dq, db time.Duration
		var nq, nb int
		if i%2 == 0 {
			dq, nq = level(perQuery)
			db, nb = level(batch)
		} else {
			db, nb = level(batch)
			dq, nq = level(perQuery)
		}
		if nq != nb || nq == 0 {
			b.Fatalf("per-query read %d edges, batch %d", nq, nb)
		}
		tq += dq
		tb += db
		i++
	}
	b.ReportMetric(float64(tq.Nanoseconds())/float64(b.N), "per-query-ns/level")
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "batch-ns/level")
	b.ReportMetric(float64(tb)/float64(tq), "batch/per-query")
}

// TestBatchSessionScansLikeScan: a scan session of a Badger snapshot
// answers a sequence of ranges (families, narrower and wider prefixes in
// turn, so that its iterators are reused and reopened; start, after, end,
// limit, keys only, reverse, stop and error) exactly as the snapshot's own
// Scan does, over keys with several versions and deletions.
func TestBatchSessionScansLikeScan(t *testing.T) {
	kv, err := OpenBadger(t.Context(), SmallOptions(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kv.Close() })
	key := func(fam byte, hi, lo, j byte) []byte { return []byte{fam, 0, hi, lo, j} }
	for round := range 2 {
		_, err := kv.Update(t.Context(), func(tx Txn) error {
			for _, fam := range []byte{'a', 'b', 'c'} {
				for hi := range byte(3) {
					for lo := range byte(4) {
						for j := range byte(5) {
							k := key(fam, hi, lo, j)
							if round == 1 && (j+lo)%3 == 0 {
								if err := tx.Delete(k); err != nil {
									return err
								}
								continue
							}
							if err := tx.Set(k, []byte{byte(round), fam, hi, lo, j}); err != nil {
								return err
							}
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	snap, err := kv.Snapshot(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	sess := snap.(scanSessioner).scanSession()
	defer sess.Close()

	errBoom := errors.New("boom")
	type scanCase struct {
		name string
		rg   Range
		stop int // the callback returns ErrStopScan at this key (1-based)
		fail int // the callback returns errBoom at this key (1-based)
	}
	cases := []scanCase{
		{name: "node", rg: Range{Prefix: key('a', 1, 2, 0)[:4]}},
		{name: "other node, same id prefix", rg: Range{Prefix: key('a', 1, 3, 0)[:4]}},
		{name: "node of another high byte", rg: Range{Prefix: key('a', 2, 0, 0)[:4]}},
		{name: "back to the first node", rg: Range{Prefix: key('a', 1, 2, 0)[:4]}},
		{name: "one key", rg: Range{Prefix: key('a', 1, 2, 4)}},
		{name: "deleted key", rg: Range{Prefix: key('a', 1, 2, 0)}},
		{name: "family", rg: Range{Prefix: []byte{'a'}}},
		{name: "other family", rg: Range{Prefix: key('b', 0, 1, 0)[:4]}},
		{name: "missing node", rg: Range{Prefix: key('b', 9, 9, 0)[:4]}},
		{name: "missing family", rg: Range{Prefix: []byte{'z', 1}}},
		{name: "keys only", rg: Range{Prefix: key('c', 2, 1, 0)[:4], KeysOnly: true}},
		{name: "limit", rg: Range{Prefix: key('a', 0, 1, 0)[:3], Limit: 3}},
		{name: "start", rg: Range{Prefix: key('a', 0, 1, 0)[:4], Start: key('a', 0, 1, 2)}},
		{name: "start before the prefix", rg: Range{Prefix: key('a', 0, 1, 0)[:4], Start: []byte{'a'}}},
		{name: "after", rg: Range{Prefix: key('a', 0, 1, 0)[:4], After: key('a', 0, 1, 2)}},
		{name: "after past the prefix", rg: Range{Prefix: key('a', 0, 1, 0)[:4], After: key('a', 0, 2, 0)}},
		{name: "end", rg: Range{Prefix: key('a', 0, 0, 0)[:3], End: key('a', 0, 2, 3)}},
		{name: "reverse", rg: Range{Prefix: key('b', 1, 0, 0)[:3], Reverse: true, Limit: 4}},
		{name: "no prefix", rg: Range{Start: key('c', 2, 3, 0), Limit: 6}},
		{name: "reserved prefix", rg: Range{Prefix: []byte{0x00}}},
		{name: "stop", rg: Range{Prefix: key('b', 1, 0, 0)[:3]}, stop: 4},
		{name: "error", rg: Range{Prefix: key('b', 1, 0, 0)[:3]}, fail: 2},
		{name: "after the error", rg: Range{Prefix: key('b', 1, 0, 0)[:3]}},
	}
	scan := func(r KVReader, c scanCase) ([]string, error) {
		var out []string
		err := r.Scan(t.Context(), c.rg, func(k, v []byte) error {
			out = append(out, fmt.Sprintf("%x=%x", k, v))
			switch len(out) {
			case c.stop:
				return ErrStopScan
			case c.fail:
				return errBoom
			}
			return nil
		})
		return out, err
	}
	nonEmpty := 0
	for _, c := range cases {
		want, wantErr := scan(snap, c)
		got, err := scan(sess, c)
		if !slices.Equal(got, want) || !errors.Is(err, wantErr) || (err == nil) != (wantErr == nil) {
			t.Errorf("%s: the session scans %v (%v), the snapshot %v (%v)", c.name, got, err, want, wantErr)
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(cases)-5 {
		t.Errorf("only %d of %d ranges hold keys", nonEmpty, len(cases))
	}
}

// TestEdgesBatchKeepsIDs: the reader that View hands out runs its batches
// through a scan session, and keeps the ids that a batch learnt (the
// nodes at the other ends are read next, without a key index lookup).
func TestEdgesBatchKeepsIDs(t *testing.T) {
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(t.Context(), graphtest.SampleBatch()); err != nil {
		t.Fatal(err)
	}
	err := s.View(t.Context(), func(gr graph.Reader) error {
		r := gr.(*reader)
		if _, ok := r.kv.(scanSessioner); !ok {
			t.Errorf("the snapshot %T of View offers no scan sessions: batches are loops of scans", r.kv)
		}
		qs := []graph.EdgeQuery{{Key: "p-alvarez", Dir: graph.In}, {Key: "s-article", Dir: graph.Out}}
		got, err := r.EdgesBatch(t.Context(), qs)
		if err != nil {
			return err
		}
		var others []string
		for i, es := range got {
			for _, e := range es {
				others = append(others, otherEndOf(e, qs[i].Dir))
			}
		}
		if len(others) < 4 {
			t.Fatalf("the batch found %d edges", len(others))
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, k := range append(others, "p-alvarez", "s-article") {
			if _, ok := r.ids[k]; !ok {
				t.Errorf("after the batch, the reader does not know the id of %q", k)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func otherEndOf(e graph.Edge, dir graph.Direction) string {
	if dir == graph.Out {
		return e.To
	}
	return e.From
}
