package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"google.golang.org/protobuf/proto"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
)

func openEngine(t *testing.T, opt Options) *Badger {
	t.Helper()
	kv, err := OpenBadger(t.Context(), opt)
	if err != nil {
		t.Fatalf("OpenBadger: %v", err)
	}
	t.Cleanup(func() { kv.Close() })
	return kv
}

// dumpAt reads every user key of kv at ts.
func dumpAt(t *testing.T, kv KV, ts uint64) map[string]string {
	t.Helper()
	snap, err := kv.Snapshot(t.Context(), ts)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	return dumpSnap(t, snap)
}

func dumpSnap(t *testing.T, snap KVReader) map[string]string {
	t.Helper()
	got := map[string]string{}
	if err := snap.Scan(t.Context(), Range{}, func(k, v []byte) error {
		got[string(k)] = string(v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func diffState(got, want map[string]string) string {
	var d []string
	for k, v := range want {
		if g, ok := got[k]; !ok {
			d = append(d, fmt.Sprintf("missing %q", k))
		} else if g != v {
			d = append(d, fmt.Sprintf("%q = %q, want %q", k, g, v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			d = append(d, fmt.Sprintf("extra %q", k))
		}
	}
	if len(d) > 5 {
		d = append(d[:5], fmt.Sprintf("and %d more", len(d)-5))
	}
	return strings.Join(d, "; ")
}

// TestBulkMatchesModel commits random sets, overwrites and deletes (keys
// sharing long prefixes, a key written several times in one commit)
// through the bulk path and the normal one, and checks every snapshot
// against a model: the latest, each past commit, a snapshot held open
// across a bulk commit, and, on disk, all of them after a reopen.
func TestBulkMatchesModel(t *testing.T) {
	rounds := []struct {
		name   string
		writes int
		bulk   bool
	}{
		{"first bulk", 3000, true},
		{"second bulk", 1500, true},
		{"third bulk", 2500, true},
		{"small", 40, false},
		{"big after a small one", 2000, false}, // the memtable holds the small commit
	}
	prefixes := []string{"a", "a-key-with-a-long-shared-prefix-", "b\x00", "\x01"}
	for _, disk := range []bool{false, true} {
		t.Run(map[bool]string{false: "in memory", true: "on disk"}[disk], func(t *testing.T) {
			opt := Options{InMemory: !disk, memTableSize: 8 << 20, NoSync: true, bulkWrites: 1000, bulkStreams: 5, GCInterval: -1}
			if disk {
				opt.Dir = t.TempDir()
			}
			kv := openEngine(t, opt)
			ctx := t.Context()
			rng := rand.New(rand.NewPCG(1, 2))
			model := map[string]string{}
			var tss []uint64
			var states []map[string]string
			checkAll := func(when string) {
				for i, ts := range tss {
					if d := diffState(dumpAt(t, kv, ts), states[i]); d != "" {
						t.Errorf("%s: snapshot at commit %d (%s): %s", when, i, rounds[i].name, d)
					}
				}
			}
			for i, rd := range rounds {
				held, err := kv.Snapshot(ctx, 0)
				if err != nil {
					t.Fatal(err)
				}
				next := maps.Clone(model)
				ts, err := kv.Update(ctx, func(tx Txn) error {
					for range rd.writes {
						k := fmt.Sprintf("%s%04d", prefixes[rng.IntN(len(prefixes))], rng.IntN(1500))
						if rng.IntN(4) == 0 {
							delete(next, k)
							if err := tx.Delete([]byte(k)); err != nil {
								return err
							}
							continue
						}
						v := fmt.Sprintf("v%d-%d", i, rng.IntN(1e6))
						if rng.IntN(10) == 0 {
							v = ""
						}
						next[k] = v
						if err := tx.Set([]byte(k), []byte(v)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatalf("%s: %v", rd.name, err)
				}
				if kv.bulk != rd.bulk {
					t.Errorf("%s: bulk path taken = %v, want %v", rd.name, kv.bulk, rd.bulk)
				}
				if d := diffState(dumpSnap(t, held), model); d != "" {
					t.Errorf("%s: a snapshot held across the commit changed: %s", rd.name, d)
				}
				held.Close()
				model = next
				tss, states = append(tss, ts), append(states, next)
				checkAll("after " + rd.name)
			}
			if !disk {
				return
			}
			if err := kv.Close(); err != nil {
				t.Fatal(err)
			}
			kv = openEngine(t, opt)
			if kv.LastCommit() != tss[len(tss)-1] {
				t.Errorf("after reopen the last commit is %d, want %d", kv.LastCommit(), tss[len(tss)-1])
			}
			checkAll("after reopen")
		})
	}
}

// TestBulkStore imports through the bulk path, changes part of the graph
// through it again (tombstones of index keys included), then writes
// normally, and checks the graph, asOf and Verify, before and after a
// reopen.
func TestBulkStore(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Dir: dir, memTableSize: 8 << 20, NoSync: true, bulkWrites: 500, bulkStreams: 4, GCInterval: -1}
	s := testOpen(t, opt)
	ctx := t.Context()
	if _, err := s.Apply(ctx, bigBatch(300)); err != nil {
		t.Fatal(err)
	}
	if !engine(s).bulk {
		t.Fatal("the import did not take the bulk path")
	}
	first := s.kv.LastCommit()
	change := bigBatch(300)
	for _, n := range change.Nodes {
		if c, ok := n.(*graph.Claim); ok && c.Key < "c-00150" {
			c.Text = "a rewritten claim about " + c.Key
		}
	}
	change.Links = change.Links[:100] // the links are kept: a batch does not unlink
	if _, err := s.Apply(ctx, change); err != nil {
		t.Fatal(err)
	}
	if !engine(s).bulk {
		t.Fatal("the second import did not take the bulk path")
	}
	if _, err := s.Apply(ctx, &graph.Batch{By: "test", Nodes: []graph.Node{&graph.Claim{Key: "c-00007", Text: "written normally"}}}); err != nil {
		t.Fatal(err)
	}
	if engine(s).bulk {
		t.Fatal("a small batch took the bulk path")
	}
	check := func(when string) {
		t.Helper()
		if st := stats(t, s); st.Nodes[graph.KindQuote] != 300 || st.Nodes[graph.KindClaim] != 300 || st.Links != 299 {
			t.Errorf("%s: stats %+v", when, st)
		}
		rep, err := s.Verify(ctx, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Errorf("%s: Verify found %d problems: %v", when, rep.Total, rep.Problems)
		}
		text := func(r graph.Reader, key string) string {
			n, err := r.Node(ctx, key)
			if err != nil {
				t.Fatalf("%s: %s: %v", when, key, err)
			}
			return n.(*graph.Claim).Text
		}
		if err := s.View(ctx, func(r graph.Reader) error {
			if got := text(r, "c-00007"); got != "written normally" {
				t.Errorf("%s: c-00007 = %q", when, got)
			}
			if got := text(r, "c-00100"); got != "a rewritten claim about c-00100" {
				t.Errorf("%s: c-00100 = %q", when, got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.ViewAt(ctx, commitTime(first), func(r graph.Reader) error {
			if got := text(r, "c-00100"); got != "claim number 100" {
				t.Errorf("%s: c-00100 as of the first import = %q", when, got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var hits int
		if err := s.View(ctx, func(r graph.Reader) error {
			res, err := r.Search(ctx, graph.SearchQuery{Text: "rewritten"})
			hits = res.Total
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if hits != 149 { // c-00007 was rewritten again
			t.Errorf("%s: search finds %d rewritten claims, want 149", when, hits)
		}
	}
	check("before reopen")
	s.Close()
	s = testOpen(t, opt)
	check("after reopen")
}

// TestBulkReadersSeeAllOrNothing runs readers during bulk commits: each
// sees the store before or after a commit, never part of one.
func TestBulkReadersSeeAllOrNothing(t *testing.T) {
	s := testOpen(t, Options{InMemory: true, bulkWrites: 500, bulkStreams: 4})
	const n = 300
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var seen sync.Map
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.View(context.Background(), func(r graph.Reader) error {
					st, err := r.Stats(context.Background())
					if err != nil {
						return err
					}
					seen.Store(fmt.Sprintf("%d quotes %d claims %d links %d edges", st.Nodes[graph.KindQuote], st.Nodes[graph.KindClaim], st.Links, st.Edges), true)
					return nil
				}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	_, err := s.Apply(t.Context(), bigBatch(n))
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !engine(s).bulk {
		t.Fatal("the batch did not take the bulk path")
	}
	full := fmt.Sprintf("%d quotes %d claims %d links %d edges", n, n, n-1, n*3+n-1)
	seen.Range(func(k, _ any) bool {
		if k != "0 quotes 0 claims 0 links 0 edges" && k != full {
			t.Errorf("a reader saw part of a bulk commit: %s (full: %s)", k, full)
		}
		return true
	})
}

// TestBulkCrashDuringStream cuts a bulk commit after some of its streams
// (their tables written, others not, no Flush) and after all of them (the
// commit marker and every key on disk, the commit never acknowledged):
// either way readers of the running store see the last complete commit,
// it refuses writes, and the next open restores that commit.
func TestBulkCrashDuringStream(t *testing.T) {
	for _, after := range []int{1, 1000} {
		t.Run(fmt.Sprintf("after %d streams", after), func(t *testing.T) {
			dir := t.TempDir()
			opt := Options{Dir: dir, memTableSize: 8 << 20, NoSync: true, bulkWrites: 200, bulkStreams: 4, GCInterval: -1}
			s := testOpen(t, opt)
			if _, err := s.Apply(t.Context(), bigBatch(100)); err != nil {
				t.Fatal(err)
			}
			if !engine(s).bulk {
				t.Fatal("the first import did not take the bulk path")
			}
			before := stats(t, s)
			good := s.kv.LastCommit()
			s.Close()

			crash := opt
			crash.crashAfterStreams = after
			s = testOpen(t, crash)
			changed := bigBatch(250)
			changed.Nodes[2].(*graph.Claim).Text = "renamed in the cut commit"
			if _, err := s.Apply(t.Context(), changed); !errors.Is(err, errSimulatedStreamCrash) {
				t.Fatalf("Apply with a crash = %v", err)
			}
			if got := stats(t, s); !sameStats(got, before) {
				t.Errorf("readers of the running store saw a cut bulk commit: %+v, want %+v", got, before)
			}
			if _, err := s.Apply(t.Context(), &graph.Batch{Nodes: []graph.Node{&graph.Claim{Key: "c-x", Text: "x"}}}); err == nil {
				t.Error("a store whose bulk commit was cut accepted another write")
			}
			s.Close()

			// Without repair: the cut commit's tables are on disk.
			db, err := badger.OpenManaged(badger.DefaultOptions(dir).WithLogger(nil).WithNumVersionsToKeep(math.MaxInt32))
			if err != nil {
				t.Fatal(err)
			}
			cut := db.MaxVersion()
			txn := db.NewTransactionAt(cut, false)
			marker, err := getUint64(txn, metaCommitKey)
			if err != nil {
				t.Fatal(err)
			}
			txn.Discard()
			db.Close()
			if cut <= good {
				t.Fatalf("the simulated crash left nothing behind (newest version %d, last good %d)", cut, good)
			}
			t.Logf("on disk: newest version %d, last good %d, commit marker %d (the cut commit's: %v)", cut, good, marker, marker == cut)
			if after == 1000 && marker != cut {
				t.Errorf("with every stream written the marker is %d, want the cut commit's %d", marker, cut)
			}

			s = testOpen(t, opt)
			if got := stats(t, s); !sameStats(got, before) {
				t.Errorf("after repair: %+v, want %+v", got, before)
			}
			rep, err := s.Verify(t.Context(), VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Errorf("Verify after repair: %d problems: %v", rep.Total, rep.Problems)
			}
			if v := engine(s).voids; len(v) != 1 || v[0] != (voidRange{lo: good, hi: cut}) {
				t.Errorf("void ranges %+v, want (%d, %d]", v, good, cut)
			}
			if err := s.ViewAt(t.Context(), commitTime(cut), func(r graph.Reader) error {
				if _, err := r.Node(t.Context(), "q-00200"); !errors.Is(err, graph.ErrNotFound) {
					t.Errorf("asOf the cut commit shows a node it added: %v", err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			res, err := s.Apply(t.Context(), changed)
			if err != nil {
				t.Fatal(err)
			}
			if res.Nodes.Added != 300 || res.Nodes.Changed != 1 {
				t.Errorf("after repair the batch did %+v", res.Nodes)
			}
			s.Close()
			s = testOpen(t, opt)
			if got := stats(t, s); got.Nodes[graph.KindQuote] != 250 {
				t.Errorf("after the re-applied batch: %+v", got)
			}
		})
	}
}

// TestBulkEncrypted checks that the tables the bulk path writes are
// encrypted with the store's keys: the store reads back after a reopen
// and no quote text is on the disk, while an unencrypted store loaded the
// same way does hold them.
func TestBulkEncrypted(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	for _, encrypted := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "encrypted"}[encrypted], func(t *testing.T) {
			dir := t.TempDir()
			opt := Options{Dir: dir, memTableSize: 8 << 20, vlogFileSize: 4 << 20, NoSync: true, bulkWrites: 10, GCInterval: -1}
			if encrypted {
				opt.EncryptionKey = key
			}
			s := testOpen(t, opt)
			if _, err := s.Apply(t.Context(), secretBatch()); err != nil {
				t.Fatal(err)
			}
			if !engine(s).bulk {
				t.Fatal("the batch did not take the bulk path")
			}
			s.Close()
			found := plaintextIn(t, dir, quoteTexts)
			switch {
			case encrypted && len(found) > 0:
				t.Errorf("an encrypted bulk-loaded store holds plain text: %v", found)
			case !encrypted && len(found) == 0:
				t.Errorf("the check finds no quote text in an unencrypted store either")
			}
			s = testOpen(t, opt)
			if err := s.View(t.Context(), func(r graph.Reader) error {
				n, err := r.Node(t.Context(), "q-secret-1")
				if err != nil {
					return err
				}
				if got := n.(*graph.Quote).Text; got != quoteTexts[1] {
					t.Errorf("read back %q", got)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The graph.Store contract with every Apply that writes taking the bulk
// path where Badger allows it.
func TestContractBulkInMemory(t *testing.T) {
	graphtest.Run(t, graphtest.Opener{Open: func(t *testing.T) graph.Store {
		return testOpen(t, BulkOptions(""))
	}})
}

func TestContractBulkOnDisk(t *testing.T) {
	dirs := map[graph.Store]string{}
	graphtest.Run(t, graphtest.Opener{
		Open: func(t *testing.T) graph.Store {
			dir := t.TempDir()
			s := testOpen(t, BulkOptions(dir))
			dirs[s] = dir
			return s
		},
		Reopen: func(t *testing.T, old graph.Store) graph.Store {
			dir := dirs[old]
			if err := old.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			s := testOpen(t, BulkOptions(dir))
			dirs[s] = dir
			return s
		},
	})
}

func TestBulkThreshold(t *testing.T) {
	for _, tc := range []struct {
		knob, writes int
		bulk         bool
	}{
		{0, 100, false},   // default threshold, far above
		{-1, 5000, false}, // off
		{100, 99, false},
		{100, 100, true},
	} {
		kv := openEngine(t, Options{InMemory: true, bulkWrites: tc.knob})
		if _, err := kv.Update(t.Context(), func(tx Txn) error {
			for i := range tc.writes {
				if err := tx.Set(fmt.Appendf(nil, "k%05d", i), []byte("v")); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if kv.bulk != tc.bulk {
			t.Errorf("knob %d, %d writes: bulk = %v, want %v", tc.knob, tc.writes, kv.bulk, tc.bulk)
		}
		if got := len(dumpAt(t, kv, 0)); got != tc.writes {
			t.Errorf("knob %d: %d keys, want %d", tc.knob, got, tc.writes)
		}
	}
}

// BenchmarkBulkImport imports the generated corpus (CLAIMGRAPH_BENCH_QUOTES
// quotes, 10k by default) into fresh on-disk stores, side by side in each
// iteration: through the bulk path (the default) and through transactions
// (bulk off), in one Apply and in 4 chunks (nodes in corpus order, the
// links with the last chunk). It reports the seconds of each and the
// ratios bulk/txn, so that the machine's drift cancels.
func BenchmarkBulkImport(b *testing.B) {
	batch, _ := corpus(b, benchQuotes(b))
	chunked := chunkBatch(batch, 4)
	root := b.TempDir()
	run := func(name string, bulkWrites int, batches []*graph.Batch) (time.Duration, bool) {
		dir := filepath.Join(root, name)
		opt := benchOptions(dir)
		opt.bulkWrites = bulkWrites
		s, err := Open(context.Background(), opt)
		if err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(dir)
		defer s.Close()
		start := time.Now()
		bulk := true
		for _, bt := range batches {
			if _, err := s.Apply(context.Background(), bt); err != nil {
				b.Fatal(err)
			}
			bulk = bulk && engine(s).bulk
		}
		return time.Since(start), bulk
	}
	var tb, tt, cb, ct time.Duration
	allBulk := true
	for i := 0; b.Loop(); i++ {
		one := []*graph.Batch{batch}
		if i%2 == 0 {
			d, ok := run("bulk", 0, one)
			tb, allBulk = tb+d, allBulk && ok
			d, _ = run("txn", -1, one)
			tt += d
		} else {
			d, _ := run("txn", -1, one)
			tt += d
			d, ok := run("bulk", 0, one)
			tb, allBulk = tb+d, allBulk && ok
		}
		d, ok := run("bulk4", 0, chunked)
		cb, allBulk = cb+d, allBulk && ok
		d, _ = run("txn4", -1, chunked)
		ct += d
	}
	if !allBulk {
		b.Log("some commit did not take the bulk path")
	}
	n := float64(b.N)
	b.ReportMetric(tb.Seconds()/n, "bulk-s")
	b.ReportMetric(tt.Seconds()/n, "txn-s")
	b.ReportMetric(tb.Seconds()/tt.Seconds(), "bulk/txn")
	b.ReportMetric(cb.Seconds()/n, "bulk4-s")
	b.ReportMetric(ct.Seconds()/n, "txn4-s")
	b.ReportMetric(cb.Seconds()/ct.Seconds(), "bulk4/txn4")
}

// chunkBatch splits a corpus batch into k batches: the nodes in order
// (every reference points backwards), the links with the last.
func chunkBatch(all *graph.Batch, k int) []*graph.Batch {
	var out []*graph.Batch
	n := len(all.Nodes)
	for i := range k {
		out = append(out, &graph.Batch{By: all.By, Nodes: all.Nodes[i*n/k : (i+1)*n/k]})
	}
	out[k-1].Links = all.Links
	return out
}

// TestPutKV checks the hand-written KV encoding against protobuf's, field
// by field, and that the StreamWriter's decoding reads it back.
func TestPutKV(t *testing.T) {
	for _, tc := range []struct {
		name       string
		key, value []byte
		del        bool
		ts         uint64
		id         uint32
	}{
		{"set", []byte("n\x04\x00\x01"), []byte("a value"), false, 1795746135182457123, 1},
		{"empty value", []byte("y\x04q1"), nil, false, 1, 3},
		{"delete", []byte("x\x01name"), []byte("ignored"), true, math.MaxUint64, 1 << 20},
		{"long", bytes.Repeat([]byte("k"), 300), bytes.Repeat([]byte("v"), 70000), false, 127, 128},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := z.NewBuffer(1<<10, "test")
			defer got.Release()
			putKV(got, tc.key, tc.value, tc.del, tc.ts, tc.id)
			want := z.NewBuffer(1<<10, "test")
			defer want.Release()
			kv := &pb.KV{Key: tc.key, Value: tc.value, Version: tc.ts, StreamId: tc.id}
			if tc.del {
				kv.Value, kv.Meta = nil, []byte{bitDelete}
			}
			badger.KVToBuffer(kv, want)
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("putKV = %x\nprotobuf  %x", got.Bytes(), want.Bytes())
			}
			var back pb.KV
			if err := got.SliceIterate(func(s []byte) error { return proto.Unmarshal(s, &back) }); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Key, kv.Key) || !bytes.Equal(back.Value, kv.Value) || !bytes.Equal(back.Meta, kv.Meta) || back.Version != tc.ts || back.StreamId != tc.id {
				t.Errorf("decoded %+v, want %+v", &back, kv)
			}
		})
	}
}

// TestPartition checks the runs of a bulk commit: every write in exactly
// one run, the runs' key ranges disjoint and ascending (so every write of
// a key is in one run), and as many runs as asked for.
func TestPartition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	prefixes := []string{"", "n\x04", "a-shared-prefix-longer-than-16-bytes:", "s\x04term\x00"}
	for _, tc := range []struct{ writes, workers, minRuns int }{
		{1, 1, 1}, {10, 2, 1}, {5000, 2, 4}, {20000, 3, 9}, {9000, 1, 50},
	} {
		var l writeLog
		for range tc.writes {
			k := fmt.Sprintf("%s%d", prefixes[rng.IntN(len(prefixes))], rng.IntN(tc.writes/2+1))
			l.add([]byte("\x05"+k), nil, false)
		}
		runs := partition(&l, tc.workers, tc.minRuns, bulkTableBytes, nil)
		if want := min(tc.minRuns, tc.writes); len(runs) < want/2 {
			t.Errorf("%+v: %d runs, want about %d", tc, len(runs), want)
		}
		seen := make([]bool, l.n)
		var last []byte
		for r, run := range runs {
			sortRun(&l, run)
			for j, it := range run {
				if seen[it.i] {
					t.Fatalf("%+v: write %d in two runs", tc, it.i)
				}
				seen[it.i] = true
				k := l.at(int(it.i)).key
				if j == 0 && last != nil && bytes.Compare(last, k) >= 0 {
					t.Errorf("%+v: run %d starts at %q, not after the last key %q of the run before", tc, r, k, last)
				}
				if j > 0 {
					prev := run[j-1]
					switch c := bytes.Compare(l.at(int(prev.i)).key, k); {
					case c > 0:
						t.Fatalf("%+v: run %d not sorted: %q before %q", tc, r, l.at(int(prev.i)).key, k)
					case c == 0 && prev.i > it.i:
						t.Fatalf("%+v: run %d: writes %d and %d of %q out of write order", tc, r, prev.i, it.i, k)
					}
				}
				if hi, lo := keyPrefix(k); hi != it.hi || lo != it.lo {
					t.Errorf("%+v: prefix of %q is %x %x, item has %x %x", tc, k, hi, lo, it.hi, it.lo)
				}
				last = k
			}
		}
		for i, ok := range seen {
			if !ok {
				t.Fatalf("%+v: write %d in no run", tc, i)
			}
		}
	}
}

// TestBulkAfterReopen checks that a store holding only bulk commits takes
// the bulk path again after a reopen (Close leaves no table in L0), and
// that one reopened after a transaction commit (whose memtable went to L0
// at Close) does too, after flattening the levels.
func TestBulkAfterReopen(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Dir: dir, memTableSize: 8 << 20, NoSync: true, bulkWrites: 100, bulkStreams: 2, GCInterval: -1}
	put := func(kv *Badger, n int, tag string) {
		t.Helper()
		if _, err := kv.Update(t.Context(), func(tx Txn) error {
			for i := range n {
				if err := tx.Set(fmt.Appendf(nil, "k%04d", i), []byte(tag)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i, step := range []struct {
		writes int
		bulk   bool
	}{{500, true}, {500, true}, {10, false}, {500, true}} {
		kv := openEngine(t, opt)
		put(kv, step.writes, fmt.Sprint(i))
		if kv.bulk != step.bulk {
			t.Errorf("step %d (%d writes after a reopen): bulk = %v, want %v", i, step.writes, kv.bulk, step.bulk)
		}
		if got := dumpAt(t, kv, 0); got["k0000"] != fmt.Sprint(i) || len(got) != 500 {
			t.Errorf("step %d: %d keys, k0000 = %q", i, len(got), got["k0000"])
		}
		if err := kv.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBulkFlattensFullLevels: with Badger's compactions off, every bulk
// commit takes the level above the last, so the sixth fills L1. The next
// large one still takes the bulk path: it flattens the levels first (it
// went through transactions before). A small batch into the full levels
// goes through transactions and leaves them. Every write stays readable.
func TestBulkFlattensFullLevels(t *testing.T) {
	opt := Options{Dir: t.TempDir(), memTableSize: 8 << 20, NoSync: true, bulkWrites: 100, bulkStreams: 2, GCInterval: -1, noCompactions: true}
	kv := openEngine(t, opt)
	defer kv.Close()
	shallowest := func() int {
		for _, l := range kv.db.Levels() {
			if l.NumTables > 0 {
				return l.Level
			}
		}
		return -1
	}
	want := map[string]string{}
	// Values of repeated bytes: large when staged, small in the tables.
	big := strings.Repeat("v", 400)
	steps := []struct {
		writes int
		value  string
		bulk   bool
		level  int // the shallowest level holding tables after the batch
	}{
		// L6 down to L1.
		{300, big, true, 6}, {300, big, true, 5}, {300, big, true, 4}, {300, big, true, 3}, {300, big, true, 2}, {300, big, true, 1},
		// L1 is full: flatten (L6), then L5; then L4.
		{300, big, true, 5}, {300, big, true, 4},
		// Down to L1 again; then a batch small next to the tree.
		{300, big, true, 3}, {300, big, true, 2}, {300, big, true, 1}, {100, "s", false, 0},
	}
	for batch, st := range steps {
		if _, err := kv.Update(t.Context(), func(tx Txn) error {
			for i := range st.writes {
				k := fmt.Sprintf("k%02d-%05d", i%7, batch*1000+i) // every batch spans the key space
				want[k] = fmt.Sprint(batch, st.value)
				if err := tx.Set([]byte(k), []byte(want[k])); err != nil {
					return err
				}
			}
			// Rewrite a key of every batch before, too.
			for b := range batch {
				k := fmt.Sprintf("k%02d-%05d", 0, b*1000)
				want[k] = fmt.Sprintf("%d again", batch)
				if err := tx.Set([]byte(k), []byte(want[k])); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if kv.bulk != st.bulk {
			t.Errorf("batch %d: bulk = %v, want %v", batch, kv.bulk, st.bulk)
		}
		if st.bulk {
			if got := shallowest(); got != st.level {
				t.Errorf("batch %d: shallowest level %d, want %d", batch, got, st.level)
			}
		}
		if got := dumpAt(t, kv, 0); !maps.Equal(got, want) {
			t.Fatalf("batch %d: read back %d keys, want %d (or values differ)", batch, len(got), len(want))
		}
	}
}

// TestRadixSort checks radixSort against a comparison sort of the same
// items: ordered by prefix, ties in their first order, for runs of every
// shape (shared bytes, few distinct prefixes, short runs).
func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name string
		n    int
		gen  func(i int) (uint64, uint64)
	}{
		{"random", 5000, func(int) (uint64, uint64) { return rng.Uint64(), rng.Uint64() }},
		{"shared high bytes", 5000, func(int) (uint64, uint64) { return 0x6e04000000000000 | rng.Uint64N(1<<20), rng.Uint64() }},
		{"few prefixes", 5000, func(int) (uint64, uint64) { return rng.Uint64N(3), rng.Uint64N(2) }},
		{"one prefix", 300, func(int) (uint64, uint64) { return 42, 7 }},
		{"descending", 3000, func(i int) (uint64, uint64) { return uint64(3000 - i), 0 }},
		{"short", 40, func(int) (uint64, uint64) { return rng.Uint64N(5), rng.Uint64N(5) }},
		{"empty", 0, nil},
	} {
		items := make([]sortItem, tc.n)
		for i := range items {
			hi, lo := tc.gen(i)
			items[i] = sortItem{hi: hi, lo: lo, i: uint32(i)}
		}
		want := slices.Clone(items)
		slices.SortFunc(want, func(a, b sortItem) int {
			if c := cmpPrefix(a.hi, a.lo, b.hi, b.lo); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		radixSort(items)
		if !slices.Equal(items, want) {
			t.Errorf("%s: radixSort differs from the comparison sort", tc.name)
		}
	}
}

// BenchmarkSortItems compares radixSort with the comparison sort it
// replaced, on prefixes shaped like a bulk commit's keys (family and kind
// bytes shared, ids and words below them).
func BenchmarkSortItems(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	base := make([]sortItem, 1<<19)
	for i := range base {
		fam := []uint64{'f', 'h', 'i', 'k', 'n', 'o', 's', 'v', 'y'}[rng.IntN(9)]
		base[i] = sortItem{hi: fam<<56 | uint64(1+rng.IntN(6))<<48 | rng.Uint64N(1<<40), lo: rng.Uint64(), i: uint32(i)}
	}
	items := make([]sortItem, len(base))
	for _, bc := range []struct {
		name string
		sort func([]sortItem)
	}{
		{"radix", radixSort},
		{"comparison", func(s []sortItem) {
			slices.SortFunc(s, func(a, b sortItem) int {
				if c := cmpPrefix(a.hi, a.lo, b.hi, b.lo); c != 0 {
					return c
				}
				return cmp.Compare(a.i, b.i)
			})
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				copy(items, base)
				bc.sort(items)
			}
		})
	}
}

// TestPartitionGroups checks that no run spans two key groups (family and
// the byte after it) and that, within a group, the writes after the
// greatest stored key (top) are in runs of their own, apart from the
// writes at or before it; and that the runs still cover every write once,
// in ascending disjoint ranges.
func TestPartitionGroups(t *testing.T) {
	defer func(v int) { groupMinBytes = v }(groupMinBytes)
	groupMinBytes = 0 // every group is big enough
	rng := rand.New(rand.NewPCG(5, 6))
	// Stored tops: ids up to 500 of kinds 1 and 4 in families n and h
	// (h keys end with a sequence number, up to 2 here); none for o (a
	// family the store lacks).
	top := func(g [2]byte) ([]byte, bool) {
		switch g[0] {
		case 'n':
			return appendID([]byte{g[0]}, uint64(g[1])<<56|500), true
		case 'h':
			return binary.BigEndian.AppendUint64(appendID([]byte{g[0]}, uint64(g[1])<<56|500), 2), true
		}
		return nil, false
	}
	for _, tc := range []struct{ writes, minRuns int }{{300, 1}, {5000, 4}, {20000, 2}} {
		var l writeLog
		for range tc.writes {
			fam := []byte{'n', 'h', 'o'}[rng.IntN(3)]
			kind := []byte{1, 4}[rng.IntN(2)]
			k := appendID([]byte{fam}, uint64(kind)<<56|uint64(rng.IntN(1000)))
			if fam == 'h' {
				k = binary.BigEndian.AppendUint64(k, uint64(rng.IntN(3)))
			}
			l.add(k, []byte("v"), false)
		}
		runs := partition(&l, 2, tc.minRuns, bulkTableBytes, top)
		seen := make([]bool, l.n)
		var last []byte
		for r, run := range runs {
			if len(run) == 0 {
				continue
			}
			sortRun(&l, run)
			first := l.at(int(run[0].i)).key
			end := l.at(int(run[len(run)-1].i)).key
			if last != nil && bytes.Compare(last, first) >= 0 {
				t.Errorf("%+v: run %d starts at %x, not after %x", tc, r, first, last)
			}
			last = end
			if !bytes.Equal(first[:2], end[:2]) {
				t.Errorf("%+v: run %d spans groups: %x to %x", tc, r, first, end)
			}
			if tk, ok := top([2]byte(first[:2])); ok && bytes.Compare(first, tk) <= 0 && bytes.Compare(end, tk) > 0 {
				t.Errorf("%+v: run %d spans the stored top %x: %x to %x", tc, r, tk, first, end)
			}
			for _, it := range run {
				if seen[it.i] {
					t.Fatalf("%+v: write %d in two runs", tc, it.i)
				}
				seen[it.i] = true
			}
		}
		for i, ok := range seen {
			if !ok {
				t.Fatalf("%+v: write %d in no run", tc, i)
			}
		}
	}
}

// TestGroupTop checks the greatest stored key of a group as a bulk
// commit's partition reads it: deleted keys and later commits do not
// count, and a group without keys has none.
func TestGroupTop(t *testing.T) {
	kv, err := OpenBadger(t.Context(), Options{InMemory: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	put := func(fn func(Txn) error) uint64 {
		t.Helper()
		ts, err := kv.Update(t.Context(), fn)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	first := put(func(tx Txn) error {
		for _, k := range []string{"n\x01a", "n\x01c", "n\x02", "n\x04zz", "h\x04\xff\xff"} {
			if err := tx.Set([]byte(k), []byte("v")); err != nil {
				return err
			}
		}
		return nil
	})
	second := put(func(tx Txn) error {
		if err := tx.Set([]byte("n\x01d"), []byte("v")); err != nil {
			return err
		}
		return tx.Delete([]byte("n\x04zz"))
	})
	for _, tc := range []struct {
		ts   uint64
		g    string
		want string // "" for none
	}{
		{first, "n\x01", "n\x01c"},
		{second, "n\x01", "n\x01d"},
		{first, "n\x04", "n\x04zz"},
		{second, "n\x04", ""},
		{second, "n\x02", "n\x02"},
		{second, "n\x03", ""},
		{second, "h\x04", "h\x04\xff\xff"},
		{second, "o\x01", ""},
		{0, "n\x01", ""},
	} {
		k, ok := kv.groupTop(tc.ts, [2]byte([]byte(tc.g)))
		if got := string(k); ok != (tc.want != "") || got != tc.want {
			t.Errorf("groupTop(%d, %q) = %q, %v; want %q", tc.ts, tc.g, got, ok, tc.want)
		}
	}
}

// TestPartitionMarkerRun: the first run, which the commit marker opens,
// holds family 00 only, so that the marker's table overlaps no other
// family's: with no write of family 00, it is empty.
func TestPartitionMarkerRun(t *testing.T) {
	var l writeLog
	for i := range 3000 {
		l.add(fmt.Appendf(nil, "a%05d", i), nil, false)
		l.add(fmt.Appendf(nil, "c%05d", i), nil, false)
	}
	for _, minRuns := range []int{1, 4} {
		if runs := partition(&l, 2, minRuns, bulkTableBytes, nil); len(runs[0]) != 0 {
			t.Errorf("minRuns %d: the first run holds %d writes, from %q", minRuns, len(runs[0]), l.at(int(runs[0][0].i)).key)
		}
	}
}

// TestPartitionSmallGroups: groups under groupMinBytes get no runs of
// their own, so a small batch is not cut into a table per group; a group
// over it does.
func TestPartitionSmallGroups(t *testing.T) {
	defer func(v int) { groupMinBytes = v }(groupMinBytes)
	groupMinBytes = 1 << 20
	var l writeLog
	big := make([]byte, 2000)
	for i := range 1000 {
		// 20 small groups of a few kB each, and group "n\x04" of 1000 x 2 kB.
		l.add(fmt.Appendf(nil, "%c\x01%05d", 'a'+i%20, i), []byte("v"), false)
		l.add(fmt.Appendf(nil, "n\x04%05d", i), big, false)
	}
	runs := partition(&l, 2, 1, bulkTableBytes, nil)
	var spans []string
	for _, run := range runs {
		if len(run) == 0 {
			continue
		}
		sortRun(&l, run)
		spans = append(spans, fmt.Sprintf("%q-%q", l.at(int(run[0].i)).key[:2], l.at(int(run[len(run)-1].i)).key[:2]))
	}
	// The small groups before n\x04 in one run, n\x04 alone, the small
	// groups after it in one run.
	if want := []string{`"a\x01"-"n\x01"`, `"n\x04"-"n\x04"`, `"o\x01"-"t\x01"`}; !slices.Equal(spans, want) {
		t.Errorf("runs %v, want %v", spans, want)
	}
}
