package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/dgraph-io/badger/v4"

	"claimgraph/gen"
	"claimgraph/graph"
)

// Benchmarks. Sizes are small by default (10k quotes); set
// CLAIMGRAPH_BENCH_QUOTES=100000 for a larger corpus. Compare the pairs side
// by side in one run:
//
//	go test ./store -run '^$' -bench 'Import|Trace' -benchtime 3x
//
// BenchmarkImport / BenchmarkImportRawBadger is the cost of the graph layer
// (validation, diffing, indexes, split commits) over writing the same keys
// and bytes with a plain Badger WriteBatch; BenchmarkTrace /
// BenchmarkTraceRawBadger is graph.TraceFrom over the store against a
// hand-written Badger traversal doing the same reads.

func benchQuotes(tb testing.TB) int {
	if v := os.Getenv("CLAIMGRAPH_BENCH_QUOTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			tb.Fatalf("CLAIMGRAPH_BENCH_QUOTES=%q: want a number >= 100", v)
		}
		return n
	}
	return 10000
}

// corpus returns the generated corpus of n quotes (package gen, seed 1:
// shaped like news, see its documentation) as one batch, and the keys of
// its nested quotes (reported by another quote), in corpus order.
func corpus(tb testing.TB, n int) (*graph.Batch, []string) {
	tb.Helper()
	bundle, err := gen.Generate(gen.Options{Quotes: n, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	var nested []string
	for _, n := range bundle.Nodes {
		if q, ok := n.(*graph.Quote); ok && q.ReportedBy != "" {
			nested = append(nested, q.Key)
		}
	}
	return &graph.Batch{By: "bench", Nodes: bundle.Nodes, Links: bundle.Links}, nested
}

// corpusPhrases draws n whoSaid and search phrases from the quotes of a
// batch, deterministically: runs of one to four consecutive words of a
// quote's text (each a run of letters), cut at word boundaries.
func corpusPhrases(b *graph.Batch, n int, seed uint64) []string {
	var quotes []*graph.Quote
	for _, node := range b.Nodes {
		if q, ok := node.(*graph.Quote); ok {
			quotes = append(quotes, q)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	var out []string
	for tries := 0; len(out) < n && tries < 100*n; tries++ {
		ws := strings.FieldsFunc(quotes[rng.IntN(len(quotes))].Text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' })
		if len(ws) == 0 {
			continue
		}
		i := rng.IntN(len(ws))
		out = append(out, strings.Join(ws[i:min(len(ws), i+1+rng.IntN(4))], " "))
	}
	return out
}

func TestCorpusApplies(t *testing.T) {
	b, nested := corpus(t, 500)
	s := testOpen(t, Options{InMemory: true})
	res, err := s.Apply(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if res.Nodes.Added != len(b.Nodes) || res.Links.Added != len(b.Links) || len(nested) < 50 {
		t.Errorf("generated corpus: %+v nodes, %+v links, %d nested quotes", res.Nodes, res.Links, len(nested))
	}
	if ps := corpusPhrases(b, 20, 1); len(ps) != 20 || slices.Contains(ps, "") {
		t.Errorf("corpusPhrases = %q", ps)
	}
}

// benchOptions is the on-disk setup both import benchmarks use.
func benchOptions(dir string) Options { return Options{Dir: dir, GCInterval: -1} }

func BenchmarkImport(b *testing.B) {
	batch, _ := corpus(b, benchQuotes(b))
	root := b.TempDir()
	var keys, bytes int
	i := 0
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(root, strconv.Itoa(i))
		i++
		s, err := Open(context.Background(), benchOptions(dir))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Apply(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		keys, bytes = dumpSize(b, s)
		s.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(keys), "keys/op")
	b.ReportMetric(float64(bytes), "kvbytes/op")
	b.ReportMetric(float64(benchQuotes(b))*float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// BenchmarkImportHistoryCost imports the generated corpus into two fresh
// on-disk stores per iteration, one recording history and one not (a
// benchmark-only knob), and reports both times and their ratio: measured
// side by side, so that the machine's drift cancels.
func BenchmarkImportHistoryCost(b *testing.B) {
	batch, _ := corpus(b, benchQuotes(b))
	root := b.TempDir()
	var with, without time.Duration
	var keysWith, keysWithout, bytesWith, bytesWithout int
	i := 0
	for b.Loop() {
		order := []bool{false, true}
		if i%4 == 2 { // alternate which store goes first
			order[0], order[1] = true, false
		}
		for _, noHist := range order {
			dir := filepath.Join(root, strconv.Itoa(i))
			i++
			opt := benchOptions(dir)
			opt.noHistory = noHist
			s, err := Open(context.Background(), opt)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if _, err := s.Apply(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			keys, size := dumpSize(b, s)
			if noHist {
				without += d
				keysWithout, bytesWithout = keys, size
			} else {
				with += d
				keysWith, bytesWith = keys, size
			}
			s.Close()
			os.RemoveAll(dir)
		}
	}
	n := float64(b.N)
	b.ReportMetric(with.Seconds()*1000/n, "history-ms/op")
	b.ReportMetric(without.Seconds()*1000/n, "nohistory-ms/op")
	b.ReportMetric(with.Seconds()/without.Seconds(), "ratio")
	b.ReportMetric(float64(keysWith-keysWithout), "historykeys/op")
	b.ReportMetric(float64(bytesWith)/float64(bytesWithout), "bytesratio")
}

// BenchmarkApplyOneChange is the write cost of one revision: an Apply that
// changes one quote of a generated corpus, alternately on a store that
// records history and on one that does not, with synced commits (the
// default) and without (the CPU cost). It reports both times per Apply and
// their ratio.
func BenchmarkApplyOneChange(b *testing.B) {
	batch, nested := corpus(b, min(benchQuotes(b), 2000))
	key := nested[0]
	var q *graph.Quote
	for _, n := range batch.Nodes {
		if n.NodeKey() == key {
			q = n.(*graph.Quote)
		}
	}
	for _, c := range []struct {
		name   string
		noSync bool
	}{{"sync", false}, {"nosync", true}} {
		b.Run(c.name, func(b *testing.B) {
			var stores [2]*Store
			for j, noHist := range []bool{false, true} {
				opt := benchOptions(b.TempDir())
				opt.NoSync, opt.noHistory = c.noSync, noHist
				s, err := Open(context.Background(), opt)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				if _, err := s.Apply(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
				stores[j] = s
			}
			var took [2]time.Duration
			i := 0
			for b.Loop() {
				order := []int{0, 1}
				if i%2 == 1 { // alternate which store goes first
					order[0], order[1] = 1, 0
				}
				for _, j := range order {
					s := stores[j]
					c := *q
					c.Cue = fmt.Sprintf("said, take %d", i)
					start := time.Now()
					res, err := s.Apply(context.Background(), &graph.Batch{By: "bench", Nodes: []graph.Node{&c}})
					took[j] += time.Since(start)
					if err != nil || res.Nodes.Changed != 1 {
						b.Fatal(err, res.Nodes)
					}
				}
				i++
			}
			n := float64(b.N)
			b.ReportMetric(float64(took[0].Microseconds())/n, "history-µs/op")
			b.ReportMetric(float64(took[1].Microseconds())/n, "nohistory-µs/op")
			b.ReportMetric(took[0].Seconds()/took[1].Seconds(), "ratio")
		})
	}
}

// BenchmarkAsOf reads one node and traces from it (a nested quote of the
// generated corpus) after 100 revisions of that node, alternately as of the
// latest commit and as of the node's first version, and reports both times
// and their ratio: the cost of reading old versions in Badger's managed
// mode, where reads skip the newer versions of the keys they pass. History
// is the cost of reading the node's 101 revisions.
func BenchmarkAsOf(b *testing.B) {
	s, roots := traceFixture(b)
	ctx := context.Background()
	root := roots[0]
	var first time.Time
	err := s.View(ctx, func(r graph.Reader) error {
		n, err := r.Node(ctx, root)
		if err != nil {
			return err
		}
		h, err := r.History(ctx, root)
		if err != nil || len(h) == 0 {
			return fmt.Errorf("history of %s: %d revisions, %v", root, len(h), err)
		}
		first = h[0].At
		q := n.(*graph.Quote)
		for i := range 100 {
			c := *q
			c.Cue = fmt.Sprintf("said, take %d", i)
			if _, err := s.Apply(ctx, &graph.Batch{By: "bench", Nodes: []graph.Node{&c}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	nodeAndTrace := func(r graph.Reader) error {
		if _, err := r.Node(ctx, root); err != nil {
			return err
		}
		_, err := graph.TraceFrom(ctx, r, root, graph.TraceOptions{})
		return err
	}
	b.Run("node+trace", func(b *testing.B) {
		var latest, old time.Duration
		i := 0
		for b.Loop() {
			// Alternate which read goes first, so that neither pays for
			// the other's warm caches.
			views := []func() (*time.Duration, error){
				func() (*time.Duration, error) { return &latest, s.View(ctx, nodeAndTrace) },
				func() (*time.Duration, error) { return &old, s.ViewAt(ctx, first, nodeAndTrace) },
			}
			if i%2 == 1 {
				views[0], views[1] = views[1], views[0]
			}
			i++
			for _, v := range views {
				start := time.Now()
				d, err := v()
				if err != nil {
					b.Fatal(err)
				}
				*d += time.Since(start)
			}
		}
		n := float64(b.N)
		b.ReportMetric(float64(latest.Microseconds())/n, "latest-µs/op")
		b.ReportMetric(float64(old.Microseconds())/n, "asof-µs/op")
		b.ReportMetric(old.Seconds()/latest.Seconds(), "ratio")
	})
	b.Run("history", func(b *testing.B) {
		for b.Loop() {
			err := s.View(ctx, func(r graph.Reader) error {
				h, err := r.History(ctx, root)
				if err == nil && len(h) != 101 {
					err = fmt.Errorf("%d revisions", len(h))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// dumpSize counts the keys and key+value bytes a store holds.
func dumpSize(tb testing.TB, s *Store) (keys, size int) {
	snap, err := s.kv.Snapshot(context.Background(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer snap.Close()
	if err := snap.Scan(context.Background(), Range{}, func(k, v []byte) error {
		keys++
		size += len(k) + len(v)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return keys, size
}

// BenchmarkImportRawBadger writes exactly the keys and values that
// BenchmarkImport stores, with a plain (unmanaged) Badger and one
// WriteBatch, synced like the store.
func BenchmarkImportRawBadger(b *testing.B) {
	batch, _ := corpus(b, benchQuotes(b))
	s, err := Open(context.Background(), Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	var kvs [][2][]byte
	size := 0
	snap, _ := s.kv.Snapshot(context.Background(), 0)
	snap.Scan(context.Background(), Range{}, func(k, v []byte) error {
		kvs = append(kvs, [2][]byte{append([]byte(nil), k...), append([]byte{}, v...)})
		size += len(k) + len(v)
		return nil
	})
	snap.Close()
	s.Close()
	root := b.TempDir()
	i := 0
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(root, strconv.Itoa(i))
		i++
		opt := badger.DefaultOptions(dir).WithLogger(nil).WithSyncWrites(true).WithMemTableSize(defaultMemTable)
		db, err := badger.Open(opt)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		wb := db.NewWriteBatch()
		for _, kv := range kvs {
			if err := wb.Set(kv[0], kv[1]); err != nil {
				b.Fatal(err)
			}
		}
		if err := wb.Flush(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(len(kvs)), "keys/op")
	b.ReportMetric(float64(size), "kvbytes/op")
	b.ReportMetric(float64(benchQuotes(b))*float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// traceFixture is a store holding a generated corpus and the roots to trace
// (quotes with nested attributions).
func traceFixture(b *testing.B) (*Store, []string) {
	batch, nested := corpus(b, benchQuotes(b))
	s, err := Open(context.Background(), benchOptions(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.Apply(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	roots := nested[len(nested)-min(len(nested), 200):]
	return s, roots
}

func BenchmarkTrace(b *testing.B) {
	s, roots := traceFixture(b)
	b.ReportMetric(float64(traceLoop(b, s, roots))/float64(b.N), "hops/op")
}

// traceLoop traces the roots in turn for b.Loop, one snapshot each, and
// returns the hops found.
func traceLoop(b *testing.B, s *Store, roots []string) int {
	ctx := context.Background()
	i, hops := 0, 0
	for b.Loop() {
		root := roots[i%len(roots)]
		i++
		err := s.View(ctx, func(r graph.Reader) error {
			tr, err := graph.TraceFrom(ctx, r, root, graph.TraceOptions{})
			if err == nil {
				hops += len(tr.Hops)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return hops
}

// readOp is one Reader call that graph.TraceFrom made.
type readOp struct {
	node  string
	nodes []string
	edges *graph.EdgeQuery
}

// recorder is a graph.Reader that records the calls it passes on.
type recorder struct {
	graph.Reader
	ops []readOp
}

func (r *recorder) Node(ctx context.Context, key string) (graph.Node, error) {
	r.ops = append(r.ops, readOp{node: key})
	return r.Reader.Node(ctx, key)
}

func (r *recorder) Nodes(ctx context.Context, keys []string) ([]graph.Node, error) {
	r.ops = append(r.ops, readOp{nodes: append([]string(nil), keys...)})
	return r.Reader.Nodes(ctx, keys)
}

func (r *recorder) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	r.ops = append(r.ops, readOp{edges: &q})
	return r.Reader.Edges(ctx, q)
}

// BenchmarkTraceRawBadger replays, with Badger calls written by hand, the
// reads that graph.TraceFrom makes for the same roots: key lookups, node
// records and adjacency prefix scans in one Badger transaction.
func BenchmarkTraceRawBadger(b *testing.B) {
	s, roots := traceFixture(b)
	ctx := context.Background()
	plans := make([][]readOp, len(roots))
	for i, root := range roots {
		rec := &recorder{}
		err := s.View(ctx, func(r graph.Reader) error {
			rec.Reader = r
			_, err := graph.TraceFrom(ctx, rec, root, graph.TraceOptions{})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		plans[i] = rec.ops
	}
	db := engine(s).db
	ts := s.kv.LastCommit()
	i, edges := 0, 0
	for b.Loop() {
		plan := plans[i%len(plans)]
		i++
		txn := db.NewTransactionAt(ts, false)
		for _, op := range plan {
			switch {
			case op.edges != nil:
				edges += rawEdges(b, txn, *op.edges)
			case op.nodes != nil:
				for _, k := range op.nodes {
					rawNode(b, txn, k)
				}
			default:
				rawNode(b, txn, op.node)
			}
		}
		txn.Discard()
	}
	b.ReportMetric(float64(edges)/float64(b.N), "edges/op")
}

func rawID(b *testing.B, txn *badger.Txn, key string) (uint64, bool) {
	item, err := txn.Get(append([]byte{'k'}, key...))
	if err == badger.ErrKeyNotFound {
		return 0, false
	}
	if err != nil {
		b.Fatal(err)
	}
	var id uint64
	item.Value(func(v []byte) error { id, err = decodeUint64(v); return err })
	return id, true
}

func rawNode(b *testing.B, txn *badger.Txn, key string) graph.Node {
	id, ok := rawID(b, txn, key)
	if !ok {
		return nil
	}
	item, err := txn.Get(nodeKey(id))
	if err != nil {
		b.Fatal(err)
	}
	var n graph.Node
	if err := item.Value(func(v []byte) error { n, err = decodeNode(v); return err }); err != nil {
		b.Fatal(err)
	}
	return n
}

func rawEdges(b *testing.B, txn *badger.Txn, q graph.EdgeQuery) int {
	id, ok := rawID(b, txn, q.Key)
	if !ok {
		return 0
	}
	base := adjPrefix(q.Dir, id)
	prefixes := [][]byte{base}
	if len(q.Relations) > 0 {
		prefixes = prefixes[:0]
		for _, rel := range q.Relations {
			p := append(append([]byte(nil), base...), relCodes[rel])
			if q.Kind != 0 {
				p = append(p, byte(q.Kind))
			}
			prefixes = append(prefixes, p)
		}
	}
	n := 0
	for _, p := range prefixes {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			if q.Kind != 0 && len(q.Relations) == 0 && graph.Kind(k[10]) != q.Kind {
				continue
			}
			var e edgeValue
			if err := item.Value(func(v []byte) error {
				var err error
				e, err = decodeEdge(v)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			_ = graph.Edge{From: q.Key, To: e.Other, Relation: relName(k[9]), Qualifier: e.Qualifier, Reason: e.Reason, Note: e.Note, By: e.By, At: e.At}
			n++
		}
		it.Close()
	}
	return n
}

// BenchmarkSearch runs full-text searches over the generated corpus:
// phrases of its quotes (as words, as a "phrase", a word's prefix*), and
// the same phrases through QuotesMatching (whoSaid), whole and cut in the
// middle of a word.
func BenchmarkSearch(b *testing.B) {
	s, _ := traceFixture(b)
	batch, _ := corpus(b, benchQuotes(b))
	ctx := context.Background()
	phrases := corpusPhrases(batch, 200, 9)
	var three, one []string // phrases of three words or more, and of one
	for _, p := range phrases {
		switch n := len(strings.Fields(p)); {
		case n >= 3 && len(three) < 3:
			three = append(three, p)
		case n == 1 && len(p) > 5 && len(one) < 2:
			one = append(one, p)
		}
	}
	searches := []string{three[0], `"` + three[1] + `"`, one[0][:5] + "*", one[1]}
	for _, q := range searches {
		b.Run("search/"+q, func(b *testing.B) {
			total := 0
			for b.Loop() {
				err := s.View(ctx, func(r graph.Reader) error {
					p, err := r.Search(ctx, graph.SearchQuery{Text: q, Limit: 20})
					total = p.Total
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
	cut := three[2][1 : len(three[2])-1] // partial words at both edges
	for _, q := range []string{three[0], three[1], cut, one[0][:5], one[1]} {
		b.Run("quotesMatching/"+q, func(b *testing.B) {
			total := 0
			for b.Loop() {
				err := s.View(ctx, func(r graph.Reader) error {
					p, err := r.QuotesMatching(ctx, q, "", 20)
					total = p.Total
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}

// BenchmarkPrepareNodes prepares every node of a generated corpus as the
// import's ahead goroutines do (record, index entries, creation revision,
// facet column and keys), without a store: the per-node CPU of an import
// apart from the writing and the bulk stream.
func BenchmarkPrepareNodes(b *testing.B) {
	batch, _ := corpus(b, 10_000)
	fr := &batchFacets{sources: map[string]*graph.Source{}}
	for _, n := range batch.Nodes {
		if s, ok := n.(*graph.Source); ok {
			fr.sources[s.Key] = s
		}
	}
	rev := graph.Revision{Rev: 1, By: "bench"}
	ctx := context.Background()
	keys := 0
	for b.Loop() {
		keys = 0
		for i, n := range batch.Nodes {
			p := prepareNode(ctx, n, uint64(i+1), nil, rev, true, fr)
			if p.err != nil {
				b.Fatal(p.err)
			}
			keys += len(p.keys) + len(p.facetKeys)
		}
	}
	b.ReportMetric(float64(keys), "entries/op")
}
