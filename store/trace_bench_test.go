package store

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"claimgraph/graph"
)

// BenchmarkTraceStore traces nested quotes of an existing store, as
// claimbench does: a copy of the store in CLAIMGRAPH_TRACE_STORE (for
// example the 100k-quote store claimbench keeps with --keep), the deepest
// 100 attribution chains and 100 nested quotes drawn at random, one
// snapshot per trace. Skipped when the variable is unset.
//
//	CLAIMGRAPH_TRACE_STORE=/tmp/store100k go test ./store -run '^$' -bench TraceStore -cpuprofile /tmp/trace.pprof
func BenchmarkTraceStore(b *testing.B) {
	src := os.Getenv("CLAIMGRAPH_TRACE_STORE")
	if src == "" {
		b.Skip("CLAIMGRAPH_TRACE_STORE is not set")
	}
	dir := b.TempDir()
	if err := copyDir(src, dir); err != nil {
		b.Fatal(err)
	}
	// cold: no read cache, every trace reads the engine (Badger's block
	// cache warm); warm: the read cache of the latest commit, which holds
	// what earlier traces read.
	for _, c := range []struct {
		name  string
		cache int64
	}{{"cold", -1}, {"warm", 0}} {
		b.Run(c.name, func(b *testing.B) {
			opt := benchOptions(dir)
			opt.ReadCacheSize = c.cache
			traceStore(b, opt)
		})
	}
}

func traceStore(b *testing.B, opt Options) {
	ctx := context.Background()
	s, err := Open(ctx, opt)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	roots := nestedRoots(b, s, 200)
	levels := map[int]int{}
	for _, t := range engine(s).db.Tables() {
		levels[t.Level]++
	}
	b.Logf("tables per level: %v", levels)
	cpu0 := cpuTime()
	hops := traceLoop(b, s, roots)
	b.ReportMetric(float64(hops)/float64(b.N), "hops/op")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the CPU time the process has used (user and system), so
// that a benchmark on a shared machine can report its own CPU per op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nestedRoots picks n quotes reported by another quote: half the deepest
// chains, half at random (seeded).
func nestedRoots(b *testing.B, s *Store, n int) []string {
	ctx := context.Background()
	quotes := map[string]*graph.Quote{}
	err := s.View(ctx, func(r graph.Reader) error {
		after := ""
		for {
			p, err := r.List(ctx, graph.KindQuote, after, 1000)
			if err != nil {
				return err
			}
			ns, err := r.Nodes(ctx, p.Keys)
			if err != nil {
				return err
			}
			for _, n := range ns {
				if q, ok := n.(*graph.Quote); ok {
					quotes[q.Key] = q
				}
			}
			if !p.More {
				return nil
			}
			after = p.Keys[len(p.Keys)-1]
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	type nested struct {
		key   string
		depth int
	}
	var ns []nested
	for k, q := range quotes {
		if q.ReportedBy == "" {
			continue
		}
		d := 0
		for at := q; at != nil && at.ReportedBy != "" && d < 10; at = quotes[at.ReportedBy] {
			d++
		}
		ns = append(ns, nested{k, d})
	}
	slices.SortFunc(ns, func(a, b nested) int {
		if a.depth != b.depth {
			return b.depth - a.depth
		}
		if a.key < b.key {
			return -1
		}
		return 1
	})
	if len(ns) == 0 {
		b.Fatal("no nested quotes in the store")
	}
	var roots []string
	seen := map[string]bool{}
	for i := 0; i < len(ns) && len(roots) < n/2; i++ {
		roots = append(roots, ns[i].key)
		seen[ns[i].key] = true
	}
	r := rand.New(rand.NewPCG(1, 77))
	for tries := 0; len(roots) < n && tries < 10*n; tries++ {
		k := ns[r.IntN(len(ns))].key
		if !seen[k] {
			seen[k] = true
			roots = append(roots, k)
		}
	}
	return roots
}

// copyDir copies the regular files of a directory (a Badger store).
func copyDir(src, dst string) error {
	es, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range es {
		if !e.Type().IsRegular() || e.Name() == "LOCK" {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
