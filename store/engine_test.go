package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

func testOpen(t *testing.T, opt Options) *Store {
	t.Helper()
	if opt.memTableSize == 0 {
		opt.memTableSize = 8 << 20
	}
	s, err := Open(t.Context(), opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func engine(s *Store) *Badger { return s.kv.(*Badger) }

// versionsAt lists the user keys that have a version at commit ts, with
// "-" before deleted ones.
func versionsAt(t *testing.T, b *Badger, ts uint64) []string {
	t.Helper()
	txn := b.db.NewTransactionAt(math.MaxUint64, false)
	defer txn.Discard()
	it := txn.NewIterator(badger.IteratorOptions{AllVersions: true})
	defer it.Close()
	var out []string
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if item.Version() != ts || item.Key()[0] == 0x00 {
			continue
		}
		k := fmt.Sprintf("%q", item.Key())
		if item.IsDeletedOrExpired() {
			k = "-" + k
		}
		out = append(out, k)
	}
	return out
}

// bigBatch returns n claims, n quotes expressing them and n links.
func bigBatch(n int) *graph.Batch {
	b := &graph.Batch{By: "test", Nodes: []graph.Node{
		&graph.Person{Key: "p-big", Name: "Big Speaker"},
		&graph.Source{Key: "s-big", Kind: "article"},
	}}
	for i := range n {
		c := fmt.Sprintf("c-%05d", i)
		b.Nodes = append(b.Nodes,
			&graph.Claim{Key: c, Text: fmt.Sprintf("claim number %d", i)},
			&graph.Quote{Key: fmt.Sprintf("q-%05d", i), Text: fmt.Sprintf("quote number %d says so", i),
				Speaker: "p-big", Source: "s-big", Claims: []string{c}})
		if i > 0 {
			b.Links = append(b.Links, graph.Link{From: c, To: "c-00000", Relation: graph.RelSupports})
		}
	}
	return b
}

func stats(t *testing.T, s *Store) graph.Stats {
	t.Helper()
	var st graph.Stats
	if err := s.View(t.Context(), func(r graph.Reader) error {
		var err error
		st, err = r.Stats(t.Context())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSplitCommitIsAtomicForReaders(t *testing.T) {
	s := testOpen(t, Options{InMemory: true, partEntries: 50})
	const n = 300
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var seen sync.Map
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			err := s.View(context.Background(), func(r graph.Reader) error {
				st, err := r.Stats(context.Background())
				if err != nil {
					return err
				}
				seen.Store(fmt.Sprintf("%d quotes %d claims %d links %d edges", st.Nodes[graph.KindQuote], st.Nodes[graph.KindClaim], st.Links, st.Edges), true)
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	res, err := s.Apply(t.Context(), bigBatch(n))
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.Nodes.Added != 2*n+2 {
		t.Errorf("added %+v", res.Nodes)
	}
	if p := engine(s).parts; p < 10 {
		t.Errorf("the batch was committed in %d parts; the test needs a split", p)
	}
	full := fmt.Sprintf("%d quotes %d claims %d links %d edges", n, n, n-1, n*3+n-1)
	seen.Range(func(k, _ any) bool {
		if k != "0 quotes 0 claims 0 links 0 edges" && k != full {
			t.Errorf("a reader saw part of a batch: %s (full: %s)", k, full)
		}
		return true
	})
	if got := stats(t, s); got.Nodes[graph.KindQuote] != n || got.Edges != n*3+n-1 {
		t.Errorf("after the batch: %+v", got)
	}
}

func TestErrTxnTooBigSplits(t *testing.T) {
	// An 8 MiB memtable allows about 1.2 MB per Badger transaction.
	kv, err := OpenBadger(t.Context(), Options{InMemory: true, memTableSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	val := bytes.Repeat([]byte("v"), 500)
	const n = 10000
	ts, err := kv.Update(t.Context(), func(tx Txn) error {
		for i := range n {
			if err := tx.Set(fmt.Appendf(nil, "k%06d", i), val); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if kv.parts < 3 {
		t.Errorf("5 MB committed in %d Badger transactions; want a split on ErrTxnTooBig", kv.parts)
	}
	if got := versionsAt(t, kv, ts); len(got) != n {
		t.Errorf("%d keys at the commit ts, want %d (all parts share one ts)", len(got), n)
	}
	// One value too large for any transaction is an error, not a loop.
	_, err = kv.Update(t.Context(), func(tx Txn) error { return tx.Set([]byte("huge"), bytes.Repeat([]byte("x"), 2<<20)) })
	if err == nil {
		t.Error("a value larger than a transaction was accepted")
	}
}

func TestCrashBetweenParts(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), Options{Dir: dir, memTableSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	sample := graphtest.SampleBatch()
	if _, err := s.Apply(t.Context(), sample); err != nil {
		t.Fatal(err)
	}
	before := stats(t, s)
	good := s.kv.LastCommit()
	s.Close()

	// Cut a batch after 3 of its parts, as a crash would.
	s, err = Open(t.Context(), Options{Dir: dir, memTableSize: 8 << 20, partEntries: 40, crashAfterParts: 3})
	if err != nil {
		t.Fatal(err)
	}
	changed := graphtest.SampleBatch()
	changed.Nodes[0].(*graph.Person).Name = "Renamed Mayor"
	changed.Nodes = append(changed.Nodes, bigBatch(60).Nodes...)
	if _, err := s.Apply(t.Context(), changed); !errors.Is(err, errSimulatedCrash) {
		t.Fatalf("Apply with a crash = %v", err)
	}
	if got := stats(t, s); !sameStats(got, before) {
		t.Errorf("readers of the running store saw a cut batch: %+v, want %+v", got, before)
	}
	if _, err := s.Apply(t.Context(), &graph.Batch{Nodes: []graph.Node{&graph.Claim{Key: "c-x", Text: "x"}}}); err == nil {
		t.Error("a store whose commit failed half way accepted another write")
	}
	s.Close()

	// What a reader would see without repair: the cut batch's first parts.
	bo := badger.DefaultOptions(dir).WithLogger(nil).WithNumVersionsToKeep(math.MaxInt32)
	db, err := badger.OpenManaged(bo)
	if err != nil {
		t.Fatal(err)
	}
	cut := db.MaxVersion()
	txn := db.NewTransactionAt(cut, false)
	visible := 0
	it := txn.NewIterator(badger.IteratorOptions{SinceTs: good})
	for it.Rewind(); it.Valid(); it.Next() {
		visible++
	}
	it.Close()
	txn.Discard()
	db.Close()
	if cut <= good || visible == 0 {
		t.Fatalf("the simulated crash left nothing behind (newest version %d, last good %d)", cut, good)
	}
	t.Logf("without repair, a reader at the newest version would see %d keys of the cut batch", visible)

	// Reopen: the repair restores the last complete commit.
	s, err = Open(t.Context(), Options{Dir: dir, memTableSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := stats(t, s); !sameStats(got, before) {
		t.Errorf("after repair: %+v, want %+v", got, before)
	}
	b := engine(s)
	if len(b.voids) != 1 || b.voids[0] != (voidRange{lo: good, hi: cut}) {
		t.Errorf("void ranges %+v, want (%d, %d]", b.voids, good, cut)
	}
	err = s.ViewAt(t.Context(), commitTime(cut), func(r graph.Reader) error {
		n, err := r.Node(t.Context(), "p-alvarez")
		if err != nil {
			return err
		}
		if n.(*graph.Person).Name != "José Álvarez" {
			t.Errorf("asOf the cut commit shows its writes: %+v", n)
		}
		if _, err := r.Node(t.Context(), "q-00001"); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("asOf the cut commit shows a node it added: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The same batch now applies whole.
	res, err := s.Apply(t.Context(), changed)
	if err != nil {
		t.Fatal(err)
	}
	if res.Nodes.Added != 122 || res.Nodes.Changed != 1 {
		t.Errorf("after repair the batch did %+v", res.Nodes)
	}
	s.Close()
	s = testOpen(t, Options{Dir: dir})
	if len(engine(s).voids) != 1 {
		t.Errorf("void ranges not kept: %+v", engine(s).voids)
	}
	if got := stats(t, s); got.Nodes[graph.KindQuote] != 4+60 {
		t.Errorf("after the re-applied batch: %+v", got)
	}
}

func sameStats(a, b graph.Stats) bool {
	if a.Links != b.Links || a.Edges != b.Edges {
		return false
	}
	for _, k := range graph.Kinds {
		if a.Nodes[k] != b.Nodes[k] {
			return false
		}
	}
	return true
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	testOpen(t, Options{Dir: dir})
	_, err := Open(t.Context(), Options{Dir: dir, memTableSize: 8 << 20})
	if !errors.Is(err, graph.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "claimgraph serve") {
		t.Errorf("error does not say the directory is in use by a server: %v", err)
	}
}

func TestOptionsChecked(t *testing.T) {
	for _, o := range []Options{{}, {Dir: t.TempDir(), InMemory: true}} {
		if _, err := Open(t.Context(), o); err == nil {
			t.Errorf("Open(%+v) succeeded", o)
		}
	}
}

func TestIdempotentApplyWritesNothing(t *testing.T) {
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(t.Context(), graphtest.SampleBatch()); err != nil {
		t.Fatal(err)
	}
	last := s.kv.LastCommit()
	res, err := s.Apply(t.Context(), graphtest.SampleBatch())
	if err != nil {
		t.Fatal(err)
	}
	if s.kv.LastCommit() != last {
		t.Errorf("re-applying the same batch committed (ts %d -> %d)", last, s.kv.LastCommit())
	}
	if !res.At.Equal(commitTime(last)) {
		t.Errorf("At of an unchanged batch = %v, want the last commit %v", res.At, commitTime(last))
	}
	if got := versionsAt(t, engine(s), last+1); len(got) != 0 {
		t.Errorf("versions after the last commit: %v", got)
	}
}

func TestChangeWritesOnlyTheDifference(t *testing.T) {
	s := testOpen(t, Options{InMemory: true})
	if _, err := s.Apply(t.Context(), graphtest.SampleBatch()); err != nil {
		t.Fatal(err)
	}
	var ids = map[string]uint64{}
	s.View(t.Context(), func(r graph.Reader) error {
		for _, k := range []string{"q-dhs", "o-dhs", "p-brook", "s-article", "q-ask", "p-okafor", "q-cafe"} {
			ids[k], _, _ = r.(*reader).id(t.Context(), k)
		}
		return nil
	})
	q := func(k []byte) string { return fmt.Sprintf("%q", k) }
	// Every change also writes one revision of the node (family h) and
	// its latest revision (family v).
	rev := func(key string, ts uint64) []string {
		return []string{q(histKey(ids[key], ts, 0)), q(latestKey(ids[key]))}
	}
	cases := []struct {
		name string
		edit func(b *graph.Batch)
		want func(ts uint64) []string
	}{
		{"cue", func(b *graph.Batch) { node(b, "q-dhs").(*graph.Quote).Cue = "stated" },
			func(ts uint64) []string {
				// The cue qualifies the speaker edge, both ways.
				return append(rev("q-dhs", ts), q(nodeKey(ids["q-dhs"])),
					q(adjKey(famOut, ids["q-dhs"], 0x01, ids["o-dhs"])), q(adjKey(famIn, ids["o-dhs"], 0x01, ids["q-dhs"])))
			}},
		{"speaker", func(b *graph.Batch) { node(b, "q-ask").(*graph.Quote).Speaker = "p-brook" },
			func(ts uint64) []string {
				// The speaker facet: the key- and value-order entries
				// of both speakers, and the quote's facet column.
				// Each speaker's lists are one block, the last (keyed
				// facetTail).
				speakerFacet := func(v string) []string {
					return []string{
						q(append(facetBlockPrefix(facetVariantPrefix(graph.KindQuote, facetCodes[graph.FacetSpeaker], variantKey, v)), facetTail)),
						q(append(facetBlockPrefix(facetVariantPrefix(graph.KindQuote, facetCodes[graph.FacetSpeaker], variantValue, v)), facetTail)),
					}
				}
				return slices.Concat(rev("q-ask", ts), []string{
					q(nodeKey(ids["q-ask"])),
					q(adjKey(famOut, ids["q-ask"], 0x01, ids["p-okafor"])), q(adjKey(famIn, ids["p-okafor"], 0x01, ids["q-ask"])),
					q(adjKey(famOut, ids["q-ask"], 0x01, ids["p-brook"])), q(adjKey(famIn, ids["p-brook"], 0x01, ids["q-ask"])),
					q(facetColumnKey(graph.KindQuote, "q-ask")),
				}, speakerFacet("p-okafor"), speakerFacet("p-brook"))
			}},
		{"link note", func(b *graph.Batch) { b.Links[2].Note = "changed" },
			func(ts uint64) []string {
				code := relCodes[graph.RelRespondsTo]
				return append(rev("q-cafe", ts),
					q(adjKey(famOut, ids["q-cafe"], code, ids["q-dhs"])), q(adjKey(famIn, ids["q-dhs"], code, ids["q-cafe"])))
			}},
	}
	b := graphtest.SampleBatch()
	for _, c := range cases {
		c.edit(b) // edits accumulate: each batch differs from the last by one edit
		if _, err := s.Apply(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		ts := s.kv.LastCommit()
		got := versionsAt(t, engine(s), ts)
		for i, g := range got {
			got[i] = strings.TrimPrefix(g, "-")
		}
		if want := c.want(ts); strings.Join(sorted(got), " ") != strings.Join(sorted(want), " ") {
			t.Errorf("%s: wrote %v, want %v", c.name, got, want)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func node(b *graph.Batch, key string) graph.Node {
	for _, n := range b.Nodes {
		if n.NodeKey() == key {
			return n
		}
	}
	panic(key)
}

func TestViewAt(t *testing.T) {
	s := testOpen(t, Options{InMemory: true})
	r1, err := s.Apply(t.Context(), graphtest.SampleBatch())
	if err != nil {
		t.Fatal(err)
	}
	b := graphtest.SampleBatch()
	node(b, "q-dhs").(*graph.Quote).Cue = "stated"
	b.Nodes = append(b.Nodes, &graph.Claim{Key: "c-later", Text: "later"})
	r2, err := s.Apply(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	check := func(at time.Time, cue string, later bool) {
		t.Helper()
		err := s.ViewAt(t.Context(), at, func(r graph.Reader) error {
			n, err := r.Node(t.Context(), "q-dhs")
			if errors.Is(err, graph.ErrNotFound) && cue == "" {
				return nil
			}
			if err != nil {
				return err
			}
			if got := n.(*graph.Quote).Cue; got != cue {
				t.Errorf("asOf %v: cue %q, want %q", at, got, cue)
			}
			if _, err := r.Node(t.Context(), "c-later"); errors.Is(err, graph.ErrNotFound) == later {
				t.Errorf("asOf %v: c-later present = %v, want %v", at, !later, later)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(r1.At.Add(-time.Nanosecond), "", false)
	check(r1.At, "said", false)
	check(r2.At.Add(-time.Nanosecond), "said", false)
	check(r2.At, "stated", true)
	check(r2.At.Add(time.Hour), "stated", true)
}

func TestBadgerLogger(t *testing.T) {
	var buf bytes.Buffer
	l := badgerLogger{zerolog.New(&buf).Level(zerolog.TraceLevel)}
	l.Errorf("e %d\n", 1)
	l.Warningf("w")
	l.Infof("i")
	l.Debugf("d")
	var levels []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]string
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		levels = append(levels, m["level"]+":"+m["message"])
	}
	if got := strings.Join(levels, " "); got != "error:e 1 warn:w debug:i trace:d" {
		t.Errorf("levels = %s", got)
	}
}

func TestEncryption(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	s := testOpen(t, Options{Dir: dir, EncryptionKey: key})
	if _, err := s.Apply(t.Context(), graphtest.SampleBatch()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s2, err := Open(t.Context(), Options{Dir: dir, memTableSize: 8 << 20}); err == nil {
		s2.Close()
		t.Fatal("an encrypted store opened without its key")
	}
	s = testOpen(t, Options{Dir: dir, EncryptionKey: key})
	if got := stats(t, s); got.Nodes[graph.KindQuote] != 4 {
		t.Errorf("encrypted store after reopen: %+v", got)
	}
}

// TestSnapshotWaitsForCommitInProgress checks that the state at a past
// instant never changes: a snapshot at or after the timestamp of an update
// in progress waits for it, one before does not.
func TestSnapshotWaitsForCommitInProgress(t *testing.T) {
	s := testOpen(t, Options{InMemory: true})
	kv := s.kv
	ctx := t.Context()
	started, release := make(chan uint64), make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	t.Cleanup(letGo) // before the store's Close, which waits for the update
	done := make(chan error, 1)
	go func() {
		_, err := kv.Update(ctx, func(tx Txn) error {
			started <- tx.CommitTs()
			<-release
			return tx.Set([]byte("zkey"), []byte("v"))
		})
		done <- err
	}()
	ts := <-started
	time.Sleep(time.Millisecond) // make ts an instant already past
	before, err := kv.Snapshot(ctx, ts-1)
	if err != nil {
		t.Fatal(err)
	}
	before.Close()
	got := make(chan error, 1)
	go func() {
		snap, err := kv.Snapshot(ctx, ts)
		if err != nil {
			got <- err
			return
		}
		defer snap.Close()
		_, err = snap.Get(ctx, []byte("zkey"))
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a snapshot at the timestamp of a commit in progress did not wait (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	letGo()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Errorf("the snapshot that waited misses the commit: %v", err)
	}
	// A snapshot in the future does not wait, and reads the last commit.
	snap, err := kv.Snapshot(ctx, uint64(time.Now().Add(time.Hour).UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if snap.ReadTs() != ts {
		t.Errorf("a snapshot in the future reads ts %d, want the last commit %d", snap.ReadTs(), ts)
	}
}
