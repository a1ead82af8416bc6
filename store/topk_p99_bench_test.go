package store

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"claimgraph/graph"
)

// BenchmarkSearchStoreTopK asks BenchmarkSearchStore's questions of
// Reader.Search alone (no reference run between them, whose garbage would
// land in the top-k queries' time), each op one phrase, cycling through
// the 100; it reports the CPU time per query, the p50 and p99 of wall time
// and logs the three slowest. With CLAIMGRAPH_SEARCH_DUMP set to a file
// name, it also writes there, once per phrase, the first page and the page
// after its cursor (JSON, one line a page), so that two builds can be
// compared page for page on a large store. CLAIMGRAPH_SEARCH_WARM=N asks
// every phrase N times, untimed, before the timed ones (the state of a
// server that has been asked questions), CLAIMGRAPH_POSTING_CACHE_MIB
// sizes the posting cache and CLAIMGRAPH_READ_CACHE_MIB the read cache (0
// turns either off; claimbench asks its search questions with the read
// cache off), and CLAIMGRAPH_SEARCH_PHRASES names a file of phrases (one
// a line) to ask instead of the store's:
//
//	CLAIMGRAPH_SEARCH_STORE=/tmp/s1m-search CLAIMGRAPH_SEARCH_DUMP=/tmp/pages.json \
//	  go test ./store -run '^$' -bench SearchStoreTopK -benchtime 500x
func BenchmarkSearchStoreTopK(b *testing.B) {
	s, phrases := openSearchStore(b)
	defer s.Close()
	ctx := context.Background()
	if out := os.Getenv("CLAIMGRAPH_SEARCH_DUMP"); out != "" {
		dumpSearchPages(b, s, phrases, out)
	}
	type slow struct {
		text string
		took time.Duration
	}
	// Untimed rounds first: the state of a server that has been asked
	// questions (its posting cache holding the lists it keeps).
	if v := os.Getenv("CLAIMGRAPH_SEARCH_WARM"); v != "" {
		rounds, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("CLAIMGRAPH_SEARCH_WARM: %v", err)
		}
		for range rounds {
			for _, text := range phrases {
				q := graph.SearchQuery{Text: text, Kinds: []graph.Kind{graph.KindQuote}, Limit: 20}
				if err := s.View(ctx, func(r graph.Reader) error { _, err := r.Search(ctx, q); return err }); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	var lat []time.Duration
	var slowest []slow
	hits := 0
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		q := graph.SearchQuery{Text: phrases[i%len(phrases)], Kinds: []graph.Kind{graph.KindQuote}, Limit: 20}
		t0 := time.Now()
		err := s.View(ctx, func(r graph.Reader) error {
			p, err := r.Search(ctx, q)
			hits += p.Total
			return err
		})
		took := time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, took)
		slowest = append(slowest, slow{q.Text, took})
		i++
	}
	cpu := cpuTime() - cpu0
	slices.SortFunc(slowest, func(a, b slow) int { return int(b.took - a.took) })
	for _, r := range slowest[:min(3, len(slowest))] {
		b.Logf("slowest: %q, %v", r.text, r.took)
	}
	n := float64(len(lat))
	slices.Sort(lat)
	b.ReportMetric(float64(cpu.Microseconds())/1000/n, "cpu-ms/op")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(hits)/n, "hits/op")
}

// dumpSearchPages writes the first page of every phrase and the page after
// its cursor to file out, one JSON line a page.
func dumpSearchPages(b *testing.B, s *Store, phrases []string, out string) {
	ctx := context.Background()
	f, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, text := range phrases {
		q := graph.SearchQuery{Text: text, Kinds: []graph.Kind{graph.KindQuote}, Limit: 20}
		for range 2 {
			var p graph.SearchPage
			err := s.View(ctx, func(r graph.Reader) error {
				var err error
				p, err = r.Search(ctx, q)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			if err := enc.Encode(struct {
				Q graph.SearchQuery
				P graph.SearchPage
			}{q, p}); err != nil {
				b.Fatal(err)
			}
			if !p.More || len(p.Hits) == 0 {
				break
			}
			q.After = p.Hits[len(p.Hits)-1].Cursor()
		}
	}
}
