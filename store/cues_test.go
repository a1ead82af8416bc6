package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

// TestCueMigration opens a store whose attribution edges carry no cue, as
// layout 7 wrote them, and checks that New qualifies them (reindexCues, in
// a commit the engine splits into parts), marks layout 8, and that the
// traces read the cues again.
func TestCueMigration(t *testing.T) {
	ctx := t.Context()
	s := testOpen(t, Options{InMemory: true, partEntries: 100})
	b := graphtest.SampleBatch()
	extra, err := gen.Generate(gen.Options{Quotes: 300, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b.Nodes = append(b.Nodes, extra.Nodes...)
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	// A retracted speaker: layout 7 had no retracted flag, which the
	// migration sets.
	if _, err := s.Apply(ctx, &graph.Batch{Retracts: []graph.Retract{{Key: "p-okafor", Reason: "not a real inspector"}}, By: "test"}); err != nil {
		t.Fatal(err)
	}
	var roots []string
	cued := 0
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			roots = append(roots, q.Key)
			if q.Cue != "" {
				cued++
			}
		}
	}
	if cued == 0 {
		t.Fatal("no quote of the corpus has a cue")
	}
	var tracesAt func(s *Store, at time.Time) string
	traces := func(s *Store) string { return tracesAt(s, time.Time{}) }
	tracesAt = func(s *Store, at time.Time) string {
		var out strings.Builder
		view := s.View
		if !at.IsZero() {
			view = func(ctx context.Context, fn func(graph.Reader) error) error { return s.ViewAt(ctx, at, fn) }
		}
		err := view(ctx, func(r graph.Reader) error {
			for _, k := range roots {
				tr, err := graph.TraceFrom(ctx, r, k, graph.TraceOptions{})
				if err != nil {
					return err
				}
				for _, h := range tr.Hops {
					fmt.Fprintf(&out, "%s %s %s %s %q %v\n", k, h.From, h.Relation, h.To, h.Cue, h.Retracted)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	before := traces(s)
	if !strings.Contains(before, `speaker`) || strings.Count(before, ` ""`) == strings.Count(before, "\n") {
		t.Fatalf("the traces show no cue:\n%.500s", before)
	}

	// Layout 7: the attribution edges without a qualifier.
	layout7, err := s.kv.Update(ctx, func(tx Txn) error {
		type kv struct{ k, v []byte }
		var old []kv
		for _, fam := range []byte{famOut, famIn} {
			err := tx.Scan(ctx, Range{Prefix: []byte{fam}}, func(k, v []byte) error {
				if len(k) == adjKeyLen && (k[adjPrefixLen] == codeSpeaker || k[adjPrefixLen] == codeReportedBy) {
					ev, err := decodeEdge(v)
					if err != nil {
						return err
					}
					ev.Qualifier = ""
					old = append(old, kv{slices.Clone(k), encodeEdge(ev)})
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		for _, e := range old {
			if err := tx.Set(e.k, e.v); err != nil {
				return err
			}
		}
		if err := tx.Delete(metaRetractedKey); err != nil {
			return err
		}
		return tx.Set(metaLayoutKey, []byte{7})
	})
	if err != nil {
		t.Fatal(err)
	}
	if traces(s) == before {
		t.Fatal("clearing the qualifiers changed no trace")
	}
	if !strings.Contains(before, " true\n") {
		t.Fatal("no trace shows the retracted quote")
	}

	s2, err := New(ctx, s.kv, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if got := traces(s2); got != before {
		t.Errorf("after the migration the traces differ:\n%.2000s\nwant\n%.2000s", got, before)
	}
	wantClean(t, "after the migration", mustVerify(t, s2, VerifyOptions{}))
	snap, err := s.kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if v, err := snap.Get(ctx, metaLayoutKey); err != nil || v[0] != layoutVersion {
		t.Errorf("layout now %x %v, want %d", v, err, layoutVersion)
	}
	if _, err := snap.Get(ctx, metaRetractedKey); err != nil {
		t.Errorf("the retracted flag after the migration: %v", err)
	}
	// The edges equal those a fresh store writes.
	fresh := testOpen(t, Options{InMemory: true})
	if _, err := fresh.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, want := attributionEdges(t, s2, roots), attributionEdges(t, fresh, roots); got != want {
		t.Errorf("migrated attribution edges differ from a fresh store's:\n%.2000s\nwant\n%.2000s", got, want)
	}
	// The state before the migration, read as of then, has the retraction
	// but not the flag, and attribution edges without cues: its traces
	// still mark the retracted speaker and carry the cues (from the
	// quotes' records), as they did before.
	if got := tracesAt(s2, time.Unix(0, int64(layout7))); got != before {
		t.Errorf("as of the layout-7 state the traces differ:\n%.2000s\nwant\n%.2000s", got, before)
	}
}

// attributionEdges renders the speaker and reported_by edges of the
// quotes, both ways.
func attributionEdges(t *testing.T, s *Store, quotes []string) string {
	var out strings.Builder
	err := s.View(context.Background(), func(r graph.Reader) error {
		for _, k := range quotes {
			es, err := r.Edges(context.Background(), graph.EdgeQuery{Key: k, Dir: graph.Out, Relations: []graph.Relation{graph.RelSpeaker, graph.RelReportedBy}})
			if err != nil {
				return err
			}
			for _, e := range es {
				in, err := r.Edges(context.Background(), graph.EdgeQuery{Key: e.To, Dir: graph.In, Relations: []graph.Relation{e.Relation}})
				if err != nil {
					return err
				}
				back := ""
				for _, f := range in {
					if f.From == k {
						back = f.Qualifier
					}
				}
				fmt.Fprintf(&out, "%s %s %s %q %q\n", e.From, e.Relation, e.To, e.Qualifier, back)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}
