package store

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"claimgraph/bench"
	"claimgraph/graph"
)

// BenchmarkWhoSaidStore asks claimbench's whoSaid questions (three
// consecutive letter-only words of a quote, bench.Phrases; first 20 with
// the exact total, QuotesMatching) of the store in CLAIMGRAPH_WHOSAID_STORE
// (an existing data directory; a store of an earlier layout is migrated
// when opened, and the time logged); it is skipped when the variable is
// unset. The phrases are read from phrases-whosaid.txt in the directory,
// or drawn from the store's quote texts (seed 1) and written there. Each
// op asks one phrase (cycling through the 100) of the proven path and of
// the previous reader (every candidate's record checked), in alternating
// order, each in its own snapshot, and checks that they agree; it reports
// for both the CPU time per query (the machine is shared: wall time
// measures the load too), the p50 and p99 of wall time, and the matches
// proven and records checked per query, and logs the three slowest
// queries of the proven path.
//
//	CLAIMGRAPH_WHOSAID_STORE=/tmp/w6/d1m go test ./store -run '^$' -bench WhoSaidStore -benchtime 400x
func BenchmarkWhoSaidStore(b *testing.B) {
	dir := os.Getenv("CLAIMGRAPH_WHOSAID_STORE")
	if dir == "" {
		b.Skip("CLAIMGRAPH_WHOSAID_STORE is not set")
	}
	ctx := context.Background()
	t0 := time.Now()
	s, err := Open(ctx, benchOptions(dir))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Logf("open (with any migration): %v", time.Since(t0))
	phrases := whoSaidPhrases(b, s, dir)
	type side struct {
		name            string
		prove           bool
		lat             []time.Duration
		cpu             time.Duration
		proven, checked int
	}
	sides := []*side{{name: "proof", prove: true}, {name: "old", prove: false}}
	type slow struct {
		text          string
		total, proven int
		took          time.Duration
	}
	var slowest []slow
	total := 0
	i := 0
	for b.Loop() {
		text := phrases[i%len(phrases)]
		var totals [2]int
		for k := range 2 {
			sd := sides[(i+k)%2]
			cpu0, t0 := cpuTime(), time.Now()
			var work whoSaidWork
			err := s.View(ctx, func(gr graph.Reader) error {
				p, w, err := gr.(*reader).quotesMatching(ctx, text, "", 20, true, sd.prove)
				totals[(i+k)%2], work = p.Total, w
				sd.proven += work.proven
				sd.checked += work.checked
				return err
			})
			took := time.Since(t0)
			sd.lat = append(sd.lat, took)
			if sd.prove {
				slowest = append(slowest, slow{text, totals[(i+k)%2], work.proven, took})
			}
			sd.cpu += cpuTime() - cpu0
			if err != nil {
				b.Fatal(err)
			}
		}
		if totals[0] != totals[1] {
			b.Fatalf("%q: total %d, the previous reader %d", text, totals[0], totals[1])
		}
		total += totals[0]
		i++
	}
	slices.SortFunc(slowest, func(a, b slow) int { return int(b.took - a.took) })
	for _, r := range slowest[:min(3, len(slowest))] {
		b.Logf("slowest proven: %q, %d matches (%d proven), %v", r.text, r.total, r.proven, r.took)
	}
	for _, sd := range sides {
		n := float64(len(sd.lat))
		slices.Sort(sd.lat)
		b.ReportMetric(float64(sd.cpu.Microseconds())/1000/n, sd.name+"-cpu-ms/op")
		b.ReportMetric(float64(sd.lat[len(sd.lat)/2].Microseconds())/1000, sd.name+"-p50-ms")
		b.ReportMetric(float64(sd.lat[len(sd.lat)*99/100].Microseconds())/1000, sd.name+"-p99-ms")
		b.ReportMetric(float64(sd.proven)/n, sd.name+"-proven/op")
		b.ReportMetric(float64(sd.checked)/n, sd.name+"-checked/op")
	}
	b.ReportMetric(float64(total)/float64(len(sides[0].lat)), "matches/op")
	b.ReportMetric(float64(sides[0].cpu)/float64(sides[1].cpu), "cpu-proof/old")
}

// whoSaidPhrases returns the phrases of phrases-whosaid.txt in dir, or
// draws 100 from the quote texts of s by claimbench's rule and writes
// them there.
func whoSaidPhrases(b *testing.B, s *Store, dir string) []string {
	b.Helper()
	pf := filepath.Join(dir, "phrases-whosaid.txt")
	if raw, err := os.ReadFile(pf); err == nil {
		return strings.Split(strings.TrimSpace(string(raw)), "\n")
	}
	ctx := context.Background()
	var texts []string
	err := s.View(ctx, func(gr graph.Reader) error {
		return gr.(*reader).kv.Scan(ctx, Range{Prefix: []byte{famNode, byte(graph.KindQuote)}}, func(_, v []byte) error {
			_, t, err := decodeQuoteText(v)
			texts = append(texts, t)
			return err
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	phrases := bench.Phrases(rand.New(rand.NewPCG(1, 77)), texts, 100)
	if err := os.WriteFile(pf, []byte(strings.Join(phrases, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return phrases
}
