package store

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"claimgraph/bench"
	"claimgraph/graph"
)

// BenchmarkSearchStore asks claimbench's search questions (three
// consecutive plain words of a quote, all required, quotes only, first 20)
// of a store kept in CLAIMGRAPH_SEARCH_STORE, built there from the
// generated corpus of CLAIMGRAPH_BENCH_QUOTES quotes (seed 1, one Apply
// per 250,000 records) when the directory holds no phrases.txt; it is
// skipped when the variable is unset. Each op asks one phrase (cycling
// through the 100) twice, of Reader.Search (top-k) and of the reference
// that scores every match (searchExhaustive, the previous reader), in
// alternating order, each in its own snapshot; it reports for both the
// CPU time per query (the machine is shared: wall time measures the load
// too), the p50 and p99 of wall time, the candidates scored, and logs the
// three slowest top-k queries.
//
//	CLAIMGRAPH_BENCH_QUOTES=1000000 CLAIMGRAPH_SEARCH_STORE=/tmp/topk/s1m \
//	  go test ./store -run '^$' -bench SearchStore -benchtime 400x
func BenchmarkSearchStore(b *testing.B) {
	s, phrases := openSearchStore(b)
	defer s.Close()
	ctx := context.Background()
	type side struct {
		name          string
		search        func(r *reader, q graph.SearchQuery) (graph.SearchPage, int, error)
		lat           []time.Duration
		cpu           time.Duration
		total, scored int
	}
	sides := []*side{
		{name: "topk", search: func(r *reader, q graph.SearchQuery) (graph.SearchPage, int, error) {
			p, work, err := r.search(ctx, q)
			return p, work.scored, err
		}},
		{name: "exhaustive", search: func(r *reader, q graph.SearchQuery) (graph.SearchPage, int, error) {
			p, err := r.searchExhaustive(ctx, q)
			return p, p.Total, err
		}},
	}
	type slow struct {
		text  string
		total int
		took  time.Duration
	}
	var slowest []slow
	i := 0
	for b.Loop() {
		q := graph.SearchQuery{Text: phrases[i%len(phrases)], Kinds: []graph.Kind{graph.KindQuote}, Limit: 20}
		var totals [2]int
		for k := range 2 {
			sd := sides[(i+k)%2]
			cpu0, t0 := cpuTime(), time.Now()
			err := s.View(ctx, func(r graph.Reader) error {
				p, n, err := sd.search(r.(*reader), q)
				sd.total += p.Total
				sd.scored += n
				totals[(i+k)%2] = p.Total
				return err
			})
			took := time.Since(t0)
			sd.cpu += cpuTime() - cpu0
			sd.lat = append(sd.lat, took)
			if err != nil {
				b.Fatal(err)
			}
			if sd == sides[0] {
				slowest = append(slowest, slow{q.Text, totals[0], took})
			}
		}
		if totals[0] != totals[1] {
			b.Fatalf("%q: total %d, the reference %d", q.Text, totals[0], totals[1])
		}
		i++
	}
	slices.SortFunc(slowest, func(a, b slow) int { return int(b.took - a.took) })
	for _, r := range slowest[:min(3, len(slowest))] {
		b.Logf("slowest top-k: %q, %d hits, %v", r.text, r.total, r.took)
	}
	for _, sd := range sides {
		n := float64(len(sd.lat))
		slices.Sort(sd.lat)
		b.ReportMetric(float64(sd.scored)/n, sd.name+"-scored/op")
		b.ReportMetric(float64(sd.cpu.Microseconds())/1000/n, sd.name+"-cpu-ms/op")
		b.ReportMetric(float64(sd.lat[len(sd.lat)/2].Microseconds())/1000, sd.name+"-p50-ms")
		b.ReportMetric(float64(sd.lat[len(sd.lat)*99/100].Microseconds())/1000, sd.name+"-p99-ms")
	}
	b.ReportMetric(float64(sides[0].total)/float64(len(sides[0].lat)), "hits/op")
	b.ReportMetric(float64(sides[0].cpu)/float64(sides[1].cpu), "cpu-topk/exhaustive")
}

// openSearchStore opens the store of CLAIMGRAPH_SEARCH_STORE (built first
// when needed, searchStoreFixture) and returns it with its phrases; it
// skips the benchmark when the variable is unset.
func openSearchStore(b *testing.B) (*Store, []string) {
	b.Helper()
	dir := os.Getenv("CLAIMGRAPH_SEARCH_STORE")
	if dir == "" {
		b.Skip("CLAIMGRAPH_SEARCH_STORE is not set")
	}
	phrases := searchStoreFixture(b, dir)
	if f := os.Getenv("CLAIMGRAPH_SEARCH_PHRASES"); f != "" {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatalf("CLAIMGRAPH_SEARCH_PHRASES: %v", err)
		}
		phrases = strings.Split(strings.TrimSpace(string(raw)), "\n")
	}
	opt := benchOptions(dir)
	if v := os.Getenv("CLAIMGRAPH_POSTING_CACHE_MIB"); v != "" {
		mib, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("CLAIMGRAPH_POSTING_CACHE_MIB: %v", err)
		}
		opt.PostingCacheSize = int64(mib) << 20
		if mib == 0 {
			opt.PostingCacheSize = -1
		}
	}
	if v := os.Getenv("CLAIMGRAPH_READ_CACHE_MIB"); v != "" {
		mib, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("CLAIMGRAPH_READ_CACHE_MIB: %v", err)
		}
		opt.ReadCacheSize = int64(mib) << 20
		if mib == 0 {
			opt.ReadCacheSize = -1
		}
	}
	s, err := Open(context.Background(), opt)
	if err != nil {
		b.Fatal(err)
	}
	return s, phrases
}

// searchStoreFixture returns the phrases of the store in dir, building the
// store first when dir holds no phrases.txt.
func searchStoreFixture(b *testing.B, dir string) []string {
	b.Helper()
	pf := filepath.Join(dir, "phrases.txt")
	if raw, err := os.ReadFile(pf); err == nil {
		return strings.Split(strings.TrimSpace(string(raw)), "\n")
	}
	ctx := context.Background()
	n := benchQuotes(b)
	all, _ := corpus(b, n)
	s, err := Open(ctx, benchOptions(dir))
	if err != nil {
		b.Fatal(err)
	}
	k := (len(all.Nodes) + len(all.Links) + 249999) / 250000
	for i, batch := range chunkBatch(all, k) {
		t0 := time.Now()
		if _, err := s.Apply(ctx, batch); err != nil {
			s.Close()
			b.Fatal(err)
		}
		b.Logf("chunk %d of %d: %v", i+1, k, time.Since(t0))
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	phrases := claimbenchPhrases(all, 1)
	if err := os.WriteFile(pf, []byte(strings.Join(phrases, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return phrases
}

// claimbenchPhrases draws 100 phrases by claimbench's rule
// (bench.Phrases), with a seed of its own.
func claimbenchPhrases(all *graph.Batch, seed uint64) []string {
	var texts []string
	for _, n := range all.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			texts = append(texts, q.Text)
		}
	}
	return bench.Phrases(rand.New(rand.NewPCG(seed, 77)), texts, 100)
}
