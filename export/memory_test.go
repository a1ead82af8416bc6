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

// TestHeapBounded exports a generated graph of 1,000 and of 10,000 quotes
// in every format and requires the peak live heap of the larger export to
// stay within a small margin of the smaller one's: memory does not grow
// with the graph.
func TestHeapBounded(t *testing.T) {
	small, large := newGen(1000), newGen(10000)
	dir := t.TempDir()
	for _, f := range Formats {
		if f == Notebook {
			continue // its files are the csv and parquet ones, written the same way
		}
		t.Run(string(f), func(t *testing.T) {
			opt := Options{Format: f, Scope: Scope{All: true}, Clock: fixedClock, RowGroupRows: 500}
			growth := func(g *genReader) (uint64, int64) {
				runtime.GC()
				base := liveHeap()
				h := startHeap()
				n := exportOnce(t, g, opt, dir)
				peak := h.end()
				if peak < base {
					return 0, n
				}
				return peak - base, n
			}
			gs, ns := growth(small)
			gl, nl := growth(large)
			t.Logf("%s: %d bytes out, heap +%d KiB; %d bytes out, heap +%d KiB", f, ns, gs>>10, nl, gl>>10)
			if nl < 5*ns {
				t.Fatalf("the large export (%d bytes) is not much larger than the small one (%d)", nl, ns)
			}
			if gl > 2*gs+8<<20 {
				t.Errorf("heap grew with the graph: +%d KiB for 1,000 quotes, +%d KiB for 10,000", gs>>10, gl>>10)
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
