package store

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"claimgraph/graph"
)

// BenchmarkDurability measures the cost of synced commits, side by side in
// one run on three on-disk stores: every iteration applies one small batch
// (one claim rewritten: record, index and search keys, history) to a
// synced store (the default), the same to a store opened with NoSync, and
// one change to a synced store through 8 concurrent writers; and every 8
// iterations one batch of 8 such changes to a synced store (what grouping
// 8 requests into one commit would cost per change). It reports commits
// (changes) per second of each and the ratios:
//
//	synced/s, nosync/s, nosync/synced   one writer, one change per commit
//	conc8/s                             8 writers at once, synced
//	group8/s, group8/synced             changes per second, 8 per commit
//
// ns/op is the sum of the four and means little.
func BenchmarkDurability(b *testing.B) {
	open := func(noSync bool) *Store {
		s, err := Open(b.Context(), Options{Dir: b.TempDir(), NoSync: noSync, GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	synced, unsynced, grouped, conc := open(false), open(true), open(false), open(false)
	change := func(i int) graph.Node {
		return &graph.Claim{Key: fmt.Sprintf("c-%d", i%64), Text: fmt.Sprintf("Durability costs %d fsyncs a second", i)}
	}
	apply := func(s *Store, nodes ...graph.Node) time.Duration {
		start := time.Now()
		if _, err := s.Apply(b.Context(), &graph.Batch{Nodes: nodes, By: "bench"}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var tSynced, tUnsynced, tGrouped, tConc time.Duration
	grouped8 := 0
	b.ResetTimer()
	for i := range b.N {
		tSynced += apply(synced, change(i))
		tUnsynced += apply(unsynced, change(i))
		if i%8 == 7 {
			nodes := make([]graph.Node, 8)
			for j := range nodes {
				nodes[j] = change(i*8 + j)
			}
			tGrouped += apply(grouped, nodes...)
			grouped8++
		}
		if i%8 == 7 {
			// 8 writers at once: one change each.
			start := time.Now()
			var wg sync.WaitGroup
			for j := range 8 {
				wg.Go(func() {
					if _, err := conc.Apply(b.Context(), &graph.Batch{Nodes: []graph.Node{change(i*8 + j)}, By: "bench"}); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
			tConc += time.Since(start)
		}
	}
	b.StopTimer()
	perSec := func(n int, d time.Duration) float64 {
		if d <= 0 {
			return 0
		}
		return float64(n) / d.Seconds()
	}
	s, u := perSec(b.N, tSynced), perSec(b.N, tUnsynced)
	b.ReportMetric(s, "synced/s")
	b.ReportMetric(u, "nosync/s")
	if s > 0 {
		b.ReportMetric(u/s, "nosync/synced")
	}
	if grouped8 > 0 {
		g := perSec(grouped8*8, tGrouped)
		b.ReportMetric(g, "group8/s")
		b.ReportMetric(perSec(grouped8*8, tConc), "conc8/s")
		if s > 0 {
			b.ReportMetric(g/s, "group8/synced")
		}
	}
}
