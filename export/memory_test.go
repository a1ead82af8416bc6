package export

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"claimgraph/graph"
)

var benchQuotes = flag.Int("export.quotes", 20000, "quotes in the generated graph of BenchmarkExport (1000000 for the 1M figure)")

// heapSampler records the largest live heap (as of the last GC) seen while
// it runs.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeap() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), peak: liveHeap()}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				h.peak = max(h.peak, liveHeap())
			}
		}
	}()
	return h
}

// end returns the peak live heap in bytes.
func (h *heapSampler) end() uint64 {
	close(h.stop)
	h.done.Wait()
	return max(h.peak, liveHeap())
}

// exportOnce exports the generated graph in a format to io.Discard or a
// fresh directory and returns the bytes written.
func exportOnce(tb testing.TB, g *genReader, opt Options, dir string) int64 {
	tb.Helper()
	ctx := context.Background()
	if opt.Format.IsDir() {
		d := filepath.Join(dir, "out")
		os.RemoveAll(d)
		if err := WriteDir(ctx, g, opt, d); err != nil {
			tb.Fatal(err)
		}
		var n int64
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		os.RemoveAll(d)
		return n
	}
	cw := &countWriter{}
	if err := Write(ctx, g, opt, cw); err != nil {
		tb.Fatal(err)
	}
	return cw.n
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// measuringReader is a generated graph that measures the live heap each
// time the exporter lists a page of nodes: a full collection, then the heap
// in use, so that the peak is exact at page boundaries.
type measuringReader struct {
	*genReader
	peak uint64
}

func (m *measuringReader) List(ctx context.Context, k graph.Kind, after string, limit int) (graph.Page, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.peak = max(m.peak, ms.HeapAlloc)
	return m.genReader.List(ctx, k, after, limit)
}

// TestHeapBounded exports a generated graph and one ten times larger in
// every format, measuring the live heap at every page the exporter reads,
// and requires the larger export's peak to stay within 512 KiB of the
// smaller one's (4 MiB for Parquet, with row groups of 200 rows): memory
// does not grow with the graph. (A writer that kept
// the nodes it had seen, or buffered its output, would hold several MB
// more for the larger graph.)
//
// It does not run in parallel with other tests: their allocations would
// count.
func TestHeapBounded(t *testing.T) {
	n := 1000
	if raceEnabled {
		n = 300
	}
	dir := t.TempDir()
	for _, f := range Formats {
		if f == Notebook {
			continue // its files are the csv and parquet ones, written the same way
		}
		t.Run(string(f), func(t *testing.T) {
			opt := Options{Format: f, Scope: Scope{All: true}, Clock: fixedClock, RowGroupRows: 200}
			measure := func(quotes int) (uint64, int64) {
				m := &measuringReader{genReader: newGen(quotes)}
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				var out int64
				ctx := context.Background()
				if f.IsDir() {
					d := filepath.Join(dir, string(f)+strconv.Itoa(quotes))
					if err := WriteDir(ctx, m, opt, d); err != nil {
						t.Fatal(err)
					}
					entries, _ := os.ReadDir(d)
					for _, e := range entries {
						if fi, err := e.Info(); err == nil {
							out += fi.Size()
						}
					}
					os.RemoveAll(d)
				} else {
					cw := &countWriter{}
					if err := Write(ctx, m, opt, cw); err != nil {
						t.Fatal(err)
					}
					out = cw.n
				}
				if m.peak < base {
					return 0, out
				}
				return m.peak - base, out
			}
			// parquet-go keeps buffer pools whose size varies from run to
			// run: its peak is noisier, and slow under the race detector.
			n, margin := n, uint64(512<<10)
			if f == Parquet {
				margin = 4 << 20
				if raceEnabled {
					n = 100
				}
			}
			gs, ns := measure(n)
			gl, nl := measure(10 * n)
			t.Logf("%s: %d bytes out, heap +%d KiB; %d bytes out, heap +%d KiB", f, ns, gs>>10, nl, gl>>10)
			if nl < 3*ns {
				t.Fatalf("the large export (%d bytes) is not much larger than the small one (%d)", nl, ns)
			}
			if gl > gs+margin {
				t.Errorf("heap grew with the graph: +%d KiB for %d quotes, +%d KiB for %d", gs>>10, n, gl>>10, 10*n)
			}
		})
	}
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes, and
// resetRSS resets it (Linux; 0 elsewhere).
func peakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func resetRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkExport exports a generated graph (-export.quotes, default
// 20,000; the graph is computed, not stored, so memory is the exporter's)
// in every format and reports throughput (MB/s of output), the peak live
// heap and the process's peak RSS during the export.
func BenchmarkExport(b *testing.B) {
	g := newGen(*benchQuotes)
	dir := b.TempDir()
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			opt := Options{Format: f, Scope: Scope{All: true}, Clock: fixedClock}
			runtime.GC()
			resetRSS()
			h := startHeap()
			var n int64
			b.ResetTimer()
			for range b.N {
				n = exportOnce(b, g, opt, dir)
			}
			b.StopTimer()
			b.SetBytes(n)
			b.ReportMetric(float64(h.end())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MB")
			b.ReportMetric(float64(*benchQuotes), "quotes")
		})
	}
}

// BenchmarkExportDemo exports the demo bundle from memgraph, for the
// per-request cost of a small export.
func BenchmarkExportDemo(b *testing.B) {
	st := storeOf(b, demoBundle(b))
	view(b, st, func(r graph.Reader) {
		for _, f := range []Format{Bundle, ProvO, GraphML} {
			b.Run(string(f), func(b *testing.B) {
				var buf bytes.Buffer
				for range b.N {
					buf.Reset()
					if err := Write(context.Background(), r, options(f), &buf); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(buf.Len()))
			})
		}
	})
}
