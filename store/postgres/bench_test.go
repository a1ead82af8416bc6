package postgres_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/store"
	"claimgraph/store/postgres"
)

// Benchmarks of the same questions on both engines, with the same
// generated corpus: import, trace, whoSaid, full-text search, and requests
// per second from parallel clients. Sizes are small by default (2000 quotes); set
// CLAIMGRAPH_BENCH_QUOTES for more. Badger runs on disk without fsync, the
// test PostgreSQL with fsync off, so both measure the engines rather than
// the disk:
//
//	go test ./store/postgres -run '^$' -bench . -benchtime 2s

func benchQuotes(tb testing.TB) int {
	if v := os.Getenv("CLAIMGRAPH_BENCH_QUOTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			tb.Fatalf("CLAIMGRAPH_BENCH_QUOTES=%q: want a number >= 100", v)
		}
		return n
	}
	return 2000
}

// genCorpus returns the news-shaped corpus of package gen (the same one
// `claimgraph gen` and the benchmark harness use) with n quotes, as a batch,
// and the keys of its nested quotes (good trace roots).
func genCorpus(tb testing.TB, n int) (*graph.Batch, []string) {
	tb.Helper()
	bundle, err := gen.Generate(gen.Options{Quotes: n, Seed: 1})
	if err != nil {
		tb.Fatalf("generating the corpus: %v", err)
	}
	var nested []string
	for _, node := range bundle.Nodes {
		if q, ok := node.(*graph.Quote); ok && q.ReportedBy != "" {
			nested = append(nested, q.Key)
		}
	}
	return bundle.Batch("bench", ""), nested
}

// benchPhrases returns whoSaid queries of different selectivity, all taken
// from quotes of the batch: two single words, and three and five words.
func benchPhrases(b *graph.Batch) []string {
	var out []string
	var quotes []*graph.Quote
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			quotes = append(quotes, q)
		}
	}
	for _, q := range []*graph.Quote{quotes[len(quotes)/5], quotes[len(quotes)/4]} {
		out = append(out, longestWord(q.Text))
	}
	for i, q := range []*graph.Quote{quotes[len(quotes)/7], quotes[len(quotes)/3], quotes[len(quotes)/2]} {
		w := strings.Fields(q.Text)
		out = append(out, strings.Join(w[1:min(len(w), 4+2*(i%2))], " "))
	}
	return out
}

// engines opens a store of each engine for b, both empty.
func engines(b *testing.B) []struct {
	name string
	open func() graph.Store
} {
	log := testLogger(b)
	return []struct {
		name string
		open func() graph.Store
	}{
		{"badger", func() graph.Store {
			s, err := store.Open(b.Context(), store.Options{Dir: b.TempDir(), NoSync: true, GCInterval: -1, Logger: log})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
		{"postgres", func() graph.Store { return openPGT(b, 0) }},
		{"postgres-nocache", func() graph.Store { return openPGT(b, -1) }},
	}
}

// openPG opens a store on a new schema of the test server.
func openPGT(b testing.TB, cacheBytes int) graph.Store {
	log := testLogger(b)
	e, err := postgres.Open(b.Context(), postgres.Options{DSN: server.DSN("postgres"), Schema: newSchema(), CacheBytes: cacheBytes, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	s, err := store.New(b.Context(), e, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkImport(b *testing.B) {
	n := benchQuotes(b)
	batch, _ := genCorpus(b, n)
	for _, eng := range engines(b) {
		b.Run(eng.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := eng.open()
				b.StartTimer()
				if _, err := s.Apply(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(len(batch.Nodes))*float64(b.N)/b.Elapsed().Seconds(), "nodes/s")
		})
	}
}

// loaded opens a store of each engine with the corpus imported, and
// returns trace roots and whoSaid phrases.
func loaded(b *testing.B) ([]string, []string, []struct {
	name string
	s    graph.Store
}) {
	batch, nested := genCorpus(b, benchQuotes(b))
	var out []struct {
		name string
		s    graph.Store
	}
	for _, eng := range engines(b) {
		s := eng.open()
		if _, err := s.Apply(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
		out = append(out, struct {
			name string
			s    graph.Store
		}{eng.name, s})
	}
	return nested, benchPhrases(batch), out
}

func trace(b *testing.B, s graph.Store, root string) error {
	return s.View(b.Context(), func(r graph.Reader) error {
		t, err := graph.TraceFrom(b.Context(), r, root, graph.TraceOptions{})
		if err == nil && len(t.Hops) == 0 {
			err = fmt.Errorf("trace of %s has no hops", root)
		}
		return err
	})
}

func whoSaid(b *testing.B, s graph.Store, text string) error {
	return s.View(b.Context(), func(r graph.Reader) error {
		p, err := r.QuotesMatching(b.Context(), text, "", 20)
		if err == nil && len(p.Keys) == 0 {
			err = fmt.Errorf("nobody said %q", text)
		}
		return err
	})
}

// BenchmarkTrace is one request: a snapshot and graph.TraceFrom of a
// nested quote.
func BenchmarkTrace(b *testing.B) {
	nested, _, stores := loaded(b)
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := trace(b, st.s, nested[i%len(nested)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkWhoSaid is one request: a snapshot and the first page of
// QuotesMatching.
func BenchmarkWhoSaid(b *testing.B) {
	_, phrases, stores := loaded(b)
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := whoSaid(b, st.s, phrases[i%len(phrases)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// benchSearches returns full-text queries (graph.SearchQuery.Text) over
// the corpus, by label: the two single words of benchPhrases, a quoted
// phrase of three words of a quote (the third whoSaid phrase) and a prefix
// term (the first word's first four letters).
func benchSearches(phrases []string) []struct{ name, text string } {
	return []struct{ name, text string }{
		{"words", phrases[0] + " " + phrases[1]},
		{"phrase", `"` + phrases[2] + `"`},
		{"prefix", phrases[0][:min(4, len(phrases[0]))] + "*"},
	}
}

// longestWord returns the longest word of a text (a selective query word).
func longestWord(text string) string {
	var best string
	for _, w := range strings.Fields(strings.Trim(text, ".,;:!?")) {
		w = strings.Trim(w, ".,;:!?\"'")
		if len(w) > len(best) {
			best = w
		}
	}
	return best
}

func search(b *testing.B, s graph.Store, text string) error {
	return s.View(b.Context(), func(r graph.Reader) error {
		p, err := r.Search(b.Context(), graph.SearchQuery{Text: text, Limit: 20})
		if err == nil && len(p.Hits) == 0 {
			err = fmt.Errorf("search %q found nothing", text)
		}
		return err
	})
}

// BenchmarkSearch is one request: a snapshot and the first page (20 hits)
// of Reader.Search, per engine and query.
func BenchmarkSearch(b *testing.B) {
	_, phrases, stores := loaded(b)
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			for _, q := range benchSearches(phrases) {
				b.Run(q.name, func(b *testing.B) {
					for b.Loop() {
						if err := search(b, st.s, q.text); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkRequests is requests per second from 8 concurrent clients per
// core, alternating traces and whoSaid.
func BenchmarkRequests(b *testing.B) {
	nested, phrases, stores := loaded(b)
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					var err error
					if i%2 == 0 {
						err = trace(b, st.s, nested[i%len(nested)])
					} else {
						err = whoSaid(b, st.s, phrases[i%len(phrases)])
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
