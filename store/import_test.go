package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"claimgraph/export"
	"claimgraph/gen"
	"claimgraph/graph"
)

// importChunks returns gen's corpus of n quotes in batches of chunk
// records, then a batch that rewrites the text and speaker of some quotes
// of the first batch (so that later batches delete keys earlier ones
// wrote: postings, speaker edges).
func importChunks(t *testing.T, n, chunk int) []*graph.Batch {
	t.Helper()
	var out []*graph.Batch
	cur := &graph.Batch{By: "test"}
	size := 0
	var quotes []*graph.Quote
	var people []string
	err := gen.Walk(gen.Options{Quotes: n, Seed: 3}, func(r gen.Record) error {
		if r.Node != nil {
			cur.Nodes = append(cur.Nodes, r.Node)
			switch v := r.Node.(type) {
			case *graph.Quote:
				quotes = append(quotes, v)
			case *graph.Person:
				people = append(people, v.Key)
			}
		} else {
			cur.Links = append(cur.Links, *r.Link)
		}
		if size++; size == chunk {
			out = append(out, cur)
			cur, size = &graph.Batch{By: "test"}, 0
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if size > 0 {
		out = append(out, cur)
	}
	redo := &graph.Batch{By: "test", Note: "rewrites"}
	for i, q := range quotes[:40] {
		c := *q
		c.Text = fmt.Sprintf("Rewritten wording number %d about harbour tariffs", i)
		c.Speaker = people[(i*7)%len(people)]
		redo.Nodes = append(redo.Nodes, &c)
	}
	return append(out, redo)
}

func exportJSONL(t *testing.T, s *Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := s.View(context.Background(), func(r graph.Reader) error {
		return export.Write(context.Background(), r, export.Options{Format: export.JSONL, Scope: export.Scope{All: true}}, &buf)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A link records its commit's time: the applies' differ.
	return linkTime.ReplaceAll(buf.Bytes(), []byte(`"at":"T"`))
}

// familyCounts counts the keys of each family (first byte).
func familyCounts(t *testing.T, s *Store) map[byte]int {
	t.Helper()
	out := map[byte]int{}
	snap, err := s.KV().Snapshot(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if err := snap.Scan(context.Background(), Range{KeysOnly: true}, func(k, _ []byte) error {
		out[k[0]]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

var linkTime = regexp.MustCompile(`"at":"[^"]*"`)

// TestImportMatchesApplies imports batches in one import and, into
// another store, one Apply each: the two stores export the same records,
// answer searches alike and verify clean, before and after a reopen.
func TestImportMatchesApplies(t *testing.T) {
	ctx := context.Background()
	// Small facet blocks: lists of many blocks, which the batches after
	// the first merge their entries into through the runs.
	defer func(n int) { facetBlockEntries = n }(facetBlockEntries)
	facetBlockEntries = 6
	batches := importChunks(t, 1200, 500)
	if len(batches) < 4 {
		t.Fatalf("%d batches; the test wants several runs", len(batches))
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	a, err := Open(ctx, Options{Dir: dirA, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	im, err := a.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Abort() // a failed check must not leave Close waiting
	for i, b := range batches {
		if _, err := im.Apply(ctx, b); err != nil {
			t.Fatalf("import batch %d: %v", i, err)
		}
	}
	// Nothing is visible before the commit.
	if err := a.View(ctx, func(r graph.Reader) error {
		st, err := r.Stats(ctx)
		if err == nil && st.Nodes[graph.KindQuote] != 0 {
			err = fmt.Errorf("nodes visible before the commit: %v", st.Nodes)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ts, err := im.Commit(ctx)
	if err != nil || ts == 0 {
		t.Fatalf("commit: %d, %v", ts, err)
	}
	if a.LastCommit() != ts {
		t.Fatalf("last commit %d, want %d", a.LastCommit(), ts)
	}
	ents, _ := os.ReadDir(dirA)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), importDirPrefix) {
			t.Fatalf("the import left %s", e.Name())
		}
	}

	b, err := Open(ctx, Options{Dir: dirB, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, bt := range batches {
		if _, err := b.Apply(ctx, bt); err != nil {
			t.Fatalf("apply batch %d: %v", i, err)
		}
	}
	want := exportJSONL(t, b)
	compare := func(s *Store) {
		t.Helper()
		if got := exportJSONL(t, s); !bytes.Equal(got, want) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Errorf("line %d:\nimport  %s\napplies %s", i, gl[i], wl[i])
					break
				}
			}
			t.Fatalf("the import exports %d bytes, the applies %d; they differ", len(got), len(want))
		}
		rep, err := s.Verify(ctx, VerifyOptions{})
		if err != nil || len(rep.Problems) > 0 {
			t.Fatalf("verify: %v %v", err, rep.Problems)
		}
		// The filtered lists (facet blocks), every page, both orders.
		var people []string
		b.View(ctx, func(r graph.Reader) error {
			pg, err := r.List(ctx, graph.KindPerson, "", 12)
			people = pg.Keys
			return err
		})
		sels := []graph.Selection{
			{Kind: graph.KindQuote, Facets: []graph.FacetFilter{{Facet: graph.FacetSpeaker, Values: people}}},
			{Kind: graph.KindQuote, Facets: []graph.FacetFilter{{Facet: graph.FacetMode, Values: []string{"direct"}}}, Desc: true},
			{Kind: graph.KindQuote, From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)},
			{Kind: graph.KindSource, Order: graph.OrderValue},
			{Kind: graph.KindFigure, Facets: []graph.FacetFilter{{Facet: graph.FacetStatedBy, Values: people}}},
		}
		for _, sel := range sels {
			all := func(st *Store) (keys []string) {
				sel := sel
				sel.Limit = 37
				for {
					var pg graph.SelectPage
					if err := st.View(ctx, func(r graph.Reader) (err error) { pg, err = r.Select(ctx, sel); return }); err != nil {
						t.Fatalf("select %+v: %v", sel, err)
					}
					keys = append(keys, pg.Keys...)
					if !pg.More || len(pg.Keys) == 0 {
						return keys
					}
					sel.After = pg.Cursors[len(pg.Cursors)-1]
				}
			}
			got, exp := all(s), all(b)
			if len(exp) == 0 || strings.Join(got, " ") != strings.Join(exp, " ") {
				t.Fatalf("select %+v: import %d keys, applies %d", sel, len(got), len(exp))
			}
		}
		for _, q := range []string{"harbour tariffs", "rewritten", `"we will"`, "minister"} {
			var got, exp graph.SearchPage
			s.View(ctx, func(r graph.Reader) (err error) {
				got, err = r.Search(ctx, graph.SearchQuery{Text: q, Limit: 30})
				return
			})
			b.View(ctx, func(r graph.Reader) (err error) {
				exp, err = r.Search(ctx, graph.SearchQuery{Text: q, Limit: 30})
				return
			})
			if fmt.Sprint(got.Hits) != fmt.Sprint(exp.Hits) || got.Total != exp.Total {
				t.Fatalf("search %q: import %d hits (%d), applies %d (%d)", q, len(got.Hits), got.Total, len(exp.Hits), exp.Total)
			}
		}
	}
	compare(a)
	// Key for key the same families: history keys included, which the
	// batches of an import write at one timestamp (a node revised by two
	// batches keeps both revisions).
	if fa, fb := familyCounts(t, a), familyCounts(t, b); fmt.Sprint(fa) != fmt.Sprint(fb) {
		t.Fatalf("keys by family: import %v, applies %v", fa, fb)
	}
	a.Close()
	a, err = Open(ctx, Options{Dir: dirA, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	compare(a)
	// The store takes ordinary commits after the import.
	if _, err := a.Apply(ctx, batches[len(batches)-1]); err != nil {
		t.Fatal(err)
	}
}

// TestImportRefusesAndAborts: an import needs a new store; an abandoned
// one leaves it empty, and a crash's runs go at the next open.
func TestImportRefusesAndAborts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	batches := importChunks(t, 100, 80)
	im, err := s.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Abort() // a failed check must not leave Close waiting
	for _, b := range batches[:3] {
		if _, err := im.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := im.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Apply(ctx, batches[0]); err == nil {
		t.Fatal("Apply after Abort worked")
	}
	if s.LastCommit() != 0 {
		t.Fatal("an aborted import committed")
	}
	if _, err := s.Apply(ctx, batches[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginImport(ctx); !errors.Is(err, ErrNoImport) {
		t.Fatalf("import into a store with a commit: %v", err)
	}
	s.Close()
	left := filepath.Join(dir, importDirPrefix+"123")
	if err := os.MkdirAll(left, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(left, "000001.sst"), []byte("x"), 0o644)
	s, err = Open(ctx, Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("a crashed import's runs stay: %v", err)
	}
	// A batch's writes that cannot go to a run (the context ends while
	// they are sorted) fail the import: it commits nothing.
	dir2 := t.TempDir()
	s2, err := Open(ctx, Options{Dir: dir2, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	im2, err := s2.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer im2.Abort() // a failed check must not leave Close waiting
	if _, err := im2.Apply(ctx, batches[0]); err != nil {
		t.Fatal(err)
	}
	cut, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := im2.Apply(cut, batches[1]); err == nil {
		t.Fatal("a batch applied with its context ended")
	}
	if _, err := im2.Apply(ctx, batches[1]); err == nil {
		t.Fatal("the import went on after losing a batch's writes")
	}
	if _, err := im2.Commit(ctx); err == nil || s2.LastCommit() != 0 {
		t.Fatalf("an import that lost a batch committed: %v, last commit %d", err, s2.LastCommit())
	}
	mem, err := Open(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := mem.BeginImport(ctx); !errors.Is(err, ErrNoImport) {
		t.Fatalf("import in memory: %v", err)
	}
}

// TestImportReaderAgrees writes the same random updates (sets, deletes,
// rewrites of earlier keys) to an import's runs and to a Badger engine,
// and reads both with random Gets and Scans: every answer agrees.
func TestImportReaderAgrees(t *testing.T) {
	ctx := context.Background()
	ref, err := OpenBadger(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	kv := &importKV{ts: 42, dir: t.TempDir()}
	defer kv.close()
	rng := rand.New(rand.NewPCG(5, 6))
	key := func() []byte {
		fam := []byte{'a', 'b', 's'}[rng.IntN(3)]
		k := []byte{fam, byte(rng.IntN(4))}
		for range rng.IntN(4) {
			k = append(k, byte('a'+rng.IntN(3)))
		}
		return k
	}
	var keys [][]byte
	for round := range 6 {
		var ops []func(Txn) error
		for range 200 + rng.IntN(300) {
			k := key()
			keys = append(keys, k)
			if rng.IntN(4) == 0 {
				ops = append(ops, func(tx Txn) error { return tx.Delete(k) })
				continue
			}
			v := []byte(fmt.Sprintf("v%d-%d", round, rng.IntN(1000)))
			if rng.IntN(10) == 0 {
				v = []byte{}
			}
			ops = append(ops, func(tx Txn) error { return tx.Set(k, v) })
		}
		for _, e := range []KV{ref, kv} {
			if _, err := e.Update(ctx, func(tx Txn) error {
				for _, op := range ops {
					if err := op(tx); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		if len(kv.runs)+1 != round+1 && round > 0 {
			t.Fatalf("round %d: %d runs", round, len(kv.runs))
		}
	}
	rs, err := ref.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	is, err := kv.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(kv.runs) != 6 {
		t.Fatalf("%d runs, want 6", len(kv.runs))
	}
	for _, k := range append(keys, []byte("zz"), []byte{'a'}) {
		v1, e1 := rs.Get(ctx, k)
		v2, e2 := is.Get(ctx, k)
		if !bytes.Equal(v1, v2) || (e1 == nil) != (e2 == nil) {
			t.Fatalf("Get %q: badger %q %v, import %q %v", k, v1, e1, v2, e2)
		}
	}
	read := func(r KVReader, rg Range, stopAt int) []string {
		var out []string
		if err := r.Scan(ctx, rg, func(k, v []byte) error {
			out = append(out, fmt.Sprintf("%s=%s", k, v))
			if len(out) == stopAt {
				return ErrStopScan
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	pick := func() []byte {
		if rng.IntN(3) == 0 {
			return nil
		}
		return slices.Clone(keys[rng.IntN(len(keys))])
	}
	for i := range 3000 {
		rg := Range{Start: pick(), End: pick(), Limit: rng.IntN(3) * rng.IntN(20), Reverse: rng.IntN(2) == 0, KeysOnly: rng.IntN(4) == 0}
		switch rng.IntN(3) {
		case 0:
			rg.Prefix = []byte{[]byte{'a', 'b', 's', 'x'}[rng.IntN(4)]}
		case 1:
			if k := pick(); k != nil {
				rg.Prefix = k[:min(len(k), 2)]
			}
		}
		if rng.IntN(3) == 0 {
			rg.After = pick()
		}
		stopAt := 0
		if i%40 == 0 {
			stopAt = 7
		}
		want := read(rs, rg, stopAt)
		got := read(is, rg, stopAt)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("scan %+v:\nbadger %v\nimport %v", rg, want, got)
		}
	}
}
