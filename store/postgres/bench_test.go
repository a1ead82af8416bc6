package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

var benchWords = strings.Fields(`the crime rate city police mayor said federal agents were sent
down up way fewer more shootings homicides thefts safer streets night ferry harbour
report numbers we do not see any rise call work together department statement governor`)

// genCorpus builds a deterministic news-like corpus: n quotes over n/20
// sources, speakers drawn from a skewed distribution, a third of the quotes
// reported by an earlier quote of the same source, claims and figures with
// evidence links. It returns the batch and the keys of the nested quotes
// (good trace roots).
func genCorpus(n int) (*graph.Batch, []string) {
	rng := rand.New(rand.NewPCG(7, 11))
	nPeople, nOrgs, nSources, nClaims := max(10, n/50), max(5, n/200), max(10, n/20), max(5, n/5)
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
		b.Nodes = append(b.Nodes, &graph.Person{Key: k, Name: fmt.Sprintf("Person %d", i),
			Affiliations: []graph.Affiliation{{Organisation: fmt.Sprintf("o-%06d", i%nOrgs), Role: "staff"}}})
	}
	zAgent := rand.NewZipf(rng, 1.2, 4, uint64(len(agents)-1))
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range nSources {
		s := &graph.Source{Key: fmt.Sprintf("s-%06d", i), Kind: "article", Title: fmt.Sprintf("Article %d", i),
			URL: fmt.Sprintf("https://news.example/%d", i), Publisher: fmt.Sprintf("o-%06d", i%nOrgs),
			PublishedAt: day.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)}
		if i > 0 && rng.IntN(3) == 0 {
			s.DerivedFrom = []graph.Derivation{{Source: fmt.Sprintf("s-%06d", rng.IntN(i)), Relation: "cites"}}
		}
		b.Nodes = append(b.Nodes, s)
	}
	for i := range nClaims {
		b.Nodes = append(b.Nodes, &graph.Claim{Key: fmt.Sprintf("c-%06d", i), Text: benchSentence(rng, 6)})
	}
	last := map[string]string{}
	var nested []string
	for i := range n {
		src := fmt.Sprintf("s-%06d", rng.IntN(nSources))
		q := &graph.Quote{Key: fmt.Sprintf("q-%07d", i), Text: benchSentence(rng, 6+rng.IntN(7)), Speaker: agents[zAgent.Uint64()],
			Source: src, Cue: "said", Mode: "direct", SaidAt: day.Add(time.Duration(i) * time.Minute).Format(time.DateOnly)}
		if prev, ok := last[src]; ok && rng.IntN(3) == 0 {
			q.ReportedBy = prev
			nested = append(nested, q.Key)
		}
		if rng.IntN(3) == 0 {
			q.Claims = []string{fmt.Sprintf("c-%06d", rng.IntN(nClaims))}
		}
		last[src] = q.Key
		b.Nodes = append(b.Nodes, q)
	}
	for i := range nClaims {
		f := &graph.Figure{Key: fmt.Sprintf("f-%06d", i), Text: "a figure", Value: float64(rng.IntN(1000)), Unit: "percent",
			StatedBy: agents[zAgent.Uint64()], Source: fmt.Sprintf("s-%06d", rng.IntN(nSources))}
		b.Nodes = append(b.Nodes, f)
		rel := graph.RelSupports
		if i%4 == 0 {
			rel = graph.RelContradicts
		}
		b.Links = append(b.Links, graph.Link{From: f.Key, To: fmt.Sprintf("c-%06d", i), Relation: rel})
	}
	return b, nested
}

func benchSentence(rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = benchWords[rng.IntN(len(benchWords))]
	}
	return strings.Join(w, " ")
}

// benchPhrases returns whoSaid queries of different selectivity: single
// words, and three and five words of quotes of the batch.
func benchPhrases(b *graph.Batch) []string {
	out := []string{"harbour", "police"}
	var quotes []*graph.Quote
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			quotes = append(quotes, q)
		}
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
	batch, _ := genCorpus(n)
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
	batch, nested := genCorpus(benchQuotes(b))
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
// the corpus, by label: two plain words, a quoted phrase of three words of
// a quote (the third whoSaid phrase of benchPhrases) and a prefix term.
func benchSearches(phrases []string) []struct{ name, text string } {
	return []struct{ name, text string }{
		{"words", "ferry harbour"},
		{"phrase", `"` + phrases[2] + `"`},
		{"prefix", "homicid*"},
	}
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
