package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

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

var words = strings.Fields(`the crime rate city police mayor said federal agents were sent
down up way fewer more shootings homicides thefts safer streets night ferry harbour
report numbers we do not see any rise call work together department statement governor
told reporters on monday last year month percent drop increase residents feel less safe`)

// genBatch builds a deterministic corpus shaped like news: n quotes over
// n/20 sources, speakers drawn from a skewed (Zipf) distribution of people
// and organisations, about a third of quotes reported by an earlier quote of
// the same source (nested attributions), n/5 claims, n/5 figures and n/5
// evidence links.
func genBatch(n int) (*graph.Batch, []string) {
	rng := rand.New(rand.NewPCG(1, 2))
	nPeople, nOrgs, nSources := max(10, n/50), max(5, n/200), max(10, n/20)
	nClaims, nFigures, nLinks := max(5, n/5), max(5, n/5), max(5, n/5)
	b := &graph.Batch{By: "bench"}
	var agents []string
	for i := range nOrgs {
		k := fmt.Sprintf("o-%06d", i)
		agents = append(agents, k)
		b.Nodes = append(b.Nodes, &graph.Organisation{Key: k, Name: fmt.Sprintf("Organisation %d", i), Kind: "media"})
	}
	for i := range nPeople {
		k := fmt.Sprintf("p-%06d", i)
		agents = append(agents, k)
		b.Nodes = append(b.Nodes, &graph.Person{Key: k, Name: fmt.Sprintf("Person %d %s", i, words[i%len(words)]),
			Aliases: []string{fmt.Sprintf("P%d", i)}, Affiliations: []graph.Affiliation{{Organisation: fmt.Sprintf("o-%06d", i%nOrgs), Role: "staff"}}})
	}
	zAgent := rand.NewZipf(rng, 1.2, 4, uint64(len(agents)-1))
	zSource := rand.NewZipf(rng, 1.1, 8, uint64(nSources-1))
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range nSources {
		s := &graph.Source{Key: fmt.Sprintf("s-%06d", i), Kind: "article", Title: fmt.Sprintf("Article %d", i),
			URL: fmt.Sprintf("https://news.example/%d", i), Publisher: fmt.Sprintf("o-%06d", i%nOrgs),
			Authors: []string{fmt.Sprintf("p-%06d", i%nPeople)}, PublishedAt: day.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)}
		if i > 0 && rng.IntN(3) == 0 {
			s.DerivedFrom = []graph.Derivation{{Source: fmt.Sprintf("s-%06d", rng.IntN(i)), Relation: "cites"}}
		}
		b.Nodes = append(b.Nodes, s)
	}
	for i := range nClaims {
		b.Nodes = append(b.Nodes, &graph.Claim{Key: fmt.Sprintf("c-%06d", i), Text: sentence(rng, 6)})
	}
	lastQuote := map[string]string{}
	var nested []string
	for i := range n {
		src := fmt.Sprintf("s-%06d", zSource.Uint64())
		q := &graph.Quote{Key: fmt.Sprintf("q-%07d", i), Text: sentence(rng, 6+rng.IntN(7)), Speaker: agents[zAgent.Uint64()],
			Source: src, Cue: "said", Mode: "direct", SaidAt: day.Add(time.Duration(i) * time.Minute).Format(time.DateOnly)}
		if prev, ok := lastQuote[src]; ok && rng.IntN(3) == 0 {
			q.ReportedBy = prev
			nested = append(nested, q.Key)
		}
		if rng.IntN(5) == 0 {
			q.Channel = fmt.Sprintf("s-%06d", rng.IntN(nSources))
		}
		if rng.IntN(3) == 0 {
			q.Claims = []string{fmt.Sprintf("c-%06d", rng.IntN(nClaims))}
		}
		lastQuote[src] = q.Key
		b.Nodes = append(b.Nodes, q)
	}
	for i := range nFigures {
		f := &graph.Figure{Key: fmt.Sprintf("f-%06d", i), Text: "a figure", Value: float64(rng.IntN(1000)), Unit: "percent",
			StatedBy: agents[zAgent.Uint64()], Source: fmt.Sprintf("s-%06d", zSource.Uint64())}
		if i > 0 && rng.IntN(10) == 0 {
			f.DerivedFrom = []string{fmt.Sprintf("f-%06d", rng.IntN(i))}
		}
		b.Nodes = append(b.Nodes, f)
	}
	seen := map[string]bool{}
	for range nLinks {
		l := graph.Link{From: fmt.Sprintf("f-%06d", rng.IntN(nFigures)), To: fmt.Sprintf("c-%06d", rng.IntN(nClaims)), Relation: graph.RelSupports}
		if rng.IntN(4) == 0 {
			l.Relation, l.Reason = graph.RelContradicts, "different_measure"
		}
		id := l.From + string(l.Relation) + l.To
		if seen[id] {
			continue
		}
		seen[id] = true
		b.Links = append(b.Links, l)
	}
	return b, nested
}

func sentence(rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[rng.IntN(len(words))]
	}
	return strings.Join(w, " ")
}

func TestGenBatchApplies(t *testing.T) {
	b, nested := genBatch(500)
	s := testOpen(t, Options{InMemory: true})
	res, err := s.Apply(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if res.Nodes.Added != len(b.Nodes) || res.Links.Added != len(b.Links) || len(nested) < 50 {
		t.Errorf("generated corpus: %+v nodes, %+v links, %d nested quotes", res.Nodes, res.Links, len(nested))
	}
}

// benchOptions is the on-disk setup both import benchmarks use.
func benchOptions(dir string) Options { return Options{Dir: dir, GCInterval: -1} }

func BenchmarkImport(b *testing.B) {
	batch, _ := genBatch(benchQuotes(b))
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
	batch, _ := genBatch(benchQuotes(b))
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
	batch, nested := genBatch(min(benchQuotes(b), 2000))
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
	batch, _ := genBatch(benchQuotes(b))
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
	batch, nested := genBatch(benchQuotes(b))
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
	b.ReportMetric(float64(hops)/float64(b.N), "hops/op")
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

// BenchmarkSearch runs full-text searches over the generated corpus (whose
// small vocabulary makes every word common: a worst case for postings),
// next to QuotesMatching, the trigram whoSaid index, on the same words.
func BenchmarkSearch(b *testing.B) {
	s, _ := traceFixture(b)
	ctx := context.Background()
	for _, q := range []string{"crime is way down", `"is way down"`, "homicid*", "ferry harbour", "department"} {
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
	for _, q := range []string{"is way down", "homicid", "department"} {
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
