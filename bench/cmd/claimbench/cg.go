package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"claimgraph/bench"
	"claimgraph/graph"
	"claimgraph/store"
	"claimgraph/store/rawbadger"
)

// batchOf is one chunk of the corpus as a claimgraph batch. The batches
// are Bulk, as claimgraph import's are: the store completes the records in
// place (graph.Prepare, which changes nothing in a generated corpus: its
// quotes have no spans) and lists no revisions.
func batchOf(b *graph.Bundle) *graph.Batch {
	return &graph.Batch{By: "bench", Bulk: true, Nodes: b.Nodes, Links: b.Links}
}

// profile runs fn under the CPU profiler and writes an allocation profile
// after it, into dir with the name prefix, when dir is set.
func profile(dir, name string, fn func() error) error {
	if dir == "" {
		return fn()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, name+".cpu.pprof"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	err = fn()
	pprof.StopCPUProfile()
	runtime.SetBlockProfileRate(0)
	for _, p := range []string{"allocs", "block"} {
		pf, perr := os.Create(filepath.Join(dir, name+"."+p+".pprof"))
		if perr != nil {
			return perr
		}
		pprof.Lookup(p).WriteTo(pf, 0)
		pf.Close()
	}
	return err
}

// measureClaimgraph imports the corpus into claimgraph and into a raw
// Badger with the same keys, then asks both the trace and paging questions
// and claimgraph the whoSaid ones.
func measureClaimgraph(ctx context.Context, cfg config, load corpusFunc, w workload, cgDir, rawDir string, m *metrics, size *bench.Size) error {
	n := size.Quotes
	prof := ""
	if cfg.profileDir != "" && n == cfg.profileSize {
		prof = cfg.profileDir
	}
	s, err := store.Open(ctx, store.Options{Dir: cgDir, GCInterval: -1})
	if err != nil {
		return err
	}
	defer func() { s.Close() }() // s is reopened below
	cfg.logf("%d quotes: claimgraph import (%d records in %d batch(es))", n, size.Records, (size.Records+cfg.chunk-1)/cfg.chunk)
	var took time.Duration
	// As `claimgraph import` runs it (cmd/claimgraph, importGCPercent).
	gogc := debug.SetGCPercent(250)
	err = profile(prof, "import", func() error {
		defer debug.SetGCPercent(gogc)
		// One import (store.Import, as `claimgraph import` writes its files
		// into a new store), one Apply per chunk, then its commit, timed;
		// the chunks are generated between them, untimed.
		batches := (size.Records + cfg.chunk - 1) / cfg.chunk
		start := time.Now()
		im, err := s.BeginImport(ctx)
		took += time.Since(start)
		if err != nil {
			return err
		}
		defer im.Abort()
		done := 0
		err = load(cfg.chunk, func(b *graph.Bundle) error {
			start := time.Now()
			_, err := im.Apply(ctx, batchOf(b))
			took += time.Since(start)
			if done++; batches > 1 && err == nil {
				cfg.logf("%d quotes: claimgraph batch %d of %d (%d records) %.1f s", n, done, batches, len(b.Nodes)+len(b.Links), time.Since(start).Seconds())
			}
			return err
		})
		if err != nil {
			return err
		}
		start = time.Now()
		_, err = im.Commit(ctx)
		took += time.Since(start)
		if batches > 1 {
			cfg.logf("%d quotes: claimgraph import's commit %.1f s", n, time.Since(start).Seconds())
		}
		return err
	})
	runtime.GC() // the corpus goes before the questions (untimed)
	if err != nil {
		return fmt.Errorf("claimgraph import: %w", err)
	}
	m.set("import_s", bench.ClaimGraph, took.Seconds())
	m.set("import_rate", bench.ClaimGraph, float64(n)/took.Seconds())
	cfg.logf("%d quotes: claimgraph import %.1f s (%.0f quotes/s)", n, took.Seconds(), float64(n)/took.Seconds())

	// The same keys and bytes into a raw Badger, in chunks of about 256 MB
	// read from a snapshot (the reading is not timed).
	raw, err := rawbadger.Open(rawDir)
	if err != nil {
		return err
	}
	defer raw.Close()
	keys, rawTook, err := copyToRaw(ctx, s, raw)
	if err != nil {
		return fmt.Errorf("raw badger import: %w", err)
	}
	m.set("import_s", bench.Raw, rawTook.Seconds())
	m.set("import_rate", bench.Raw, float64(n)/rawTook.Seconds())
	m.set("keys_per_quote", bench.ClaimGraph, float64(keys)/float64(n))
	m.set("keys_per_quote", bench.Raw, float64(keys)/float64(n))
	cfg.logf("%d quotes: raw Badger import of %d keys %.1f s", n, keys, rawTook.Seconds())
	// Badger compacts a WriteBatch load in the background for a while;
	// the questions wait for it (untimed), so that the compactors do not
	// share the cores with claimgraph's answers.
	waited, err := raw.Settle(ctx, 3*time.Second, 30*time.Minute)
	if err != nil {
		return err
	}
	cfg.logf("%d quotes: raw Badger compactions settled after %.1f s", n, waited.Seconds())

	// Traces: claimgraph, recording the reads each makes; then the same
	// reads by hand on the raw Badger.
	plans := map[string][]readOp{}
	for _, root := range w.traceRoots {
		rec := &recorder{}
		err := s.View(ctx, func(r graph.Reader) error {
			rec.Reader = r
			_, err := graph.TraceFrom(ctx, rec, root, graph.TraceOptions{})
			return err
		})
		if err != nil {
			return fmt.Errorf("trace %s: %w", root, err)
		}
		plans[root] = rec.ops
	}
	// The traces first without the store's read cache (the store reopened
	// with it off): every read goes to Badger.
	if err := s.Close(); err != nil {
		return err
	}
	if s, err = store.Open(ctx, store.Options{Dir: cgDir, GCInterval: -1, ReadCacheSize: -1}); err != nil {
		return err
	}
	cold, err := latencies(cfg.reps, w.traceRoots, func(root string) error {
		err := s.View(ctx, func(r graph.Reader) error {
			_, err := graph.TraceFrom(ctx, r, root, graph.TraceOptions{})
			return err
		})
		if err != nil {
			return fmt.Errorf("trace %s without the read cache: %w", root, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	if s, err = store.Open(ctx, store.Options{Dir: cgDir, GCInterval: -1}); err != nil {
		return err
	}

	var cgTrace, rawTrace []time.Duration
	hops, traces := 0, 0
	err = profile(prof, "trace", func() error {
		var err error
		cgTrace, err = latencies(cfg.reps, w.traceRoots, func(root string) error {
			return s.View(ctx, func(r graph.Reader) error {
				tr, err := graph.TraceFrom(ctx, r, root, graph.TraceOptions{})
				if err == nil {
					hops += len(tr.Hops)
					traces++
				}
				return err
			})
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	rawTrace, err = latencies(cfg.reps, w.traceRoots, func(root string) error {
		return raw.View(func(r *rawbadger.Reader) error { return replay(r, plans[root]) })
	})
	if err != nil {
		return fmt.Errorf("raw trace: %w", err)
	}
	m.latency("trace", bench.ClaimGraph, cgTrace)
	m.latency("trace", bench.Raw, rawTrace)
	m.latency("trace_cold", bench.ClaimGraph, cold)
	m.latency("trace_cold", bench.Raw, rawTrace)
	cfg.logf("%d quotes: trace p50 %.3f ms, caches off %.3f ms (raw %.3f ms), %.1f hops per trace", n, bench.Summarize(cgTrace).P50, bench.Summarize(cold).P50, bench.Summarize(rawTrace).P50, float64(hops)/float64(max(1, traces)))

	// The other questions without the read cache, which would answer every
	// timed question after the untimed round.
	if err := s.Close(); err != nil {
		return err
	}
	if s, err = store.Open(ctx, store.Options{Dir: cgDir, GCInterval: -1, ReadCacheSize: -1}); err != nil {
		return err
	}

	// whoSaid.
	matches, asked := 0, 0
	who, err := latencies(cfg.reps, w.phrases, func(ph string) error {
		err := s.View(ctx, func(r graph.Reader) error {
			p, err := r.QuotesMatching(ctx, ph, "", 20)
			matches += p.Total
			asked++
			return err
		})
		if err != nil {
			return fmt.Errorf("whoSaid %q: %w", ph, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.latency("whosaid", bench.ClaimGraph, who)
	cfg.logf("%d quotes: whoSaid p50 %.3f ms, %.0f matches per phrase", n, bench.Summarize(who).P50, float64(matches)/float64(max(1, asked)))

	// Paging through speakers' quotes: one snapshot per page, as a request.
	var cgPages, rawPages []time.Duration
	for _, sp := range w.speakers {
		after := ""
		for range 200 {
			q := graph.EdgeQuery{Key: sp, Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}, Kind: graph.KindQuote, After: after, Limit: pageSize}
			var es []graph.Edge
			start := time.Now()
			err := s.View(ctx, func(r graph.Reader) error {
				var err error
				es, err = r.Edges(ctx, q)
				return err
			})
			if err != nil {
				return fmt.Errorf("page of %s: %w", sp, err)
			}
			cgPages = append(cgPages, time.Since(start))
			start = time.Now()
			err = raw.View(func(r *rawbadger.Reader) error {
				got, err := r.Edges(q)
				if err == nil && len(got) != len(es) {
					err = fmt.Errorf("raw page of %s after %q: %d edges, claimgraph %d", sp, after, len(got), len(es))
				}
				return err
			})
			if err != nil {
				return err
			}
			rawPages = append(rawPages, time.Since(start))
			if len(es) < pageSize {
				break
			}
			after = es[len(es)-1].From
		}
	}
	m.latency("page", bench.ClaimGraph, cgPages)
	m.latency("page", bench.Raw, rawPages)

	// Ranked search over quotes: the words of the whoSaid phrases, all
	// required, first 20; the raw baseline scans every quote record.
	hits, searched := 0, 0
	cgSearch, err := latencies(cfg.reps, w.phrases, func(ph string) error {
		err := s.View(ctx, func(r graph.Reader) error {
			p, err := r.Search(ctx, graph.SearchQuery{Text: ph, Kinds: []graph.Kind{graph.KindQuote}, Limit: 20})
			hits += p.Total
			searched++
			return err
		})
		if err != nil {
			return fmt.Errorf("search %q: %w", ph, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.latency("search", bench.ClaimGraph, cgSearch)
	var rawSearchLat []time.Duration
	for _, ph := range w.phrases[:min(10, len(w.phrases))] {
		start := time.Now()
		if _, err := rawSearch(raw, ph); err != nil {
			return fmt.Errorf("raw search %q: %w", ph, err)
		}
		rawSearchLat = append(rawSearchLat, time.Since(start))
	}
	m.latency("search", bench.Raw, rawSearchLat)
	cfg.logf("%d quotes: search p50 %.3f ms (raw scan %.1f ms), %.0f hits per query", n, bench.Summarize(cgSearch).P50, bench.Summarize(rawSearchLat).P50, float64(hits)/float64(max(1, searched)))

	// Filtered pages: a speaker's quotes of one year in said_at order.
	cgF, cgSeen, err := filteredPages(w.filters, cfg.reps, maxFilteredPages, cgFilteredPage(ctx, s.View))
	if err != nil {
		return fmt.Errorf("filtered pages: %w", err)
	}
	rawF, rawSeen, err := filteredPages(w.filters, 0, rawFilteredPages, rawFilteredPage(raw))
	if err != nil {
		return fmt.Errorf("raw filtered pages: %w", err)
	}
	// The same first pages of claimgraph (untimed) list as many quotes.
	_, cgFirst, err := filteredPages(w.filters, 0, rawFilteredPages, cgFilteredPage(ctx, s.View))
	if err != nil {
		return fmt.Errorf("filtered pages: %w", err)
	}
	if cgFirst != rawSeen {
		return fmt.Errorf("filtered pages: in the first %d pages of each, claimgraph listed %d quotes, the raw baseline %d", rawFilteredPages, cgFirst, rawSeen)
	}
	m.latency("fpage", bench.ClaimGraph, cgF)
	m.latency("fpage", bench.Raw, rawF)
	cfg.logf("%d quotes: filtered page p50 %.3f ms (raw %.3f ms), %d quotes in %d pages", n, bench.Summarize(cgF).P50, bench.Summarize(rawF).P50, cgSeen, len(cgF))

	if err := s.Close(); err != nil {
		return err
	}
	if err := raw.Close(); err != nil {
		return err
	}
	for sys, d := range map[string]string{bench.ClaimGraph: cgDir, bench.Raw: rawDir} {
		bytes, err := dirSize(d)
		if err != nil {
			return err
		}
		m.set("disk_per_quote", sys, float64(bytes)/float64(n))
	}
	return nil
}

// copyToRaw loads the keys and values of the store's last commit into the
// raw database and returns how many there were and how long the loading
// (not the reading) took.
func copyToRaw(ctx context.Context, s *store.Store, raw *rawbadger.DB) (int, time.Duration, error) {
	snap, err := s.KV().Snapshot(ctx, 0)
	if err != nil {
		return 0, 0, err
	}
	defer snap.Close()
	const chunkBytes = 256 << 20
	var (
		arena []byte
		spans []int // start offsets of key, value, key, value ...
		keys  int
		took  time.Duration
	)
	load := func() error {
		pairs := make([][]byte, len(spans))
		for i, off := range spans {
			end := len(arena)
			if i+1 < len(spans) {
				end = spans[i+1]
			}
			pairs[i] = arena[off:end:end]
		}
		start := time.Now()
		err := raw.Load(pairs)
		took += time.Since(start)
		arena, spans = arena[:0], spans[:0]
		return err
	}
	errFull := errors.New("chunk full")
	var last []byte
	for {
		r := store.Range{}
		if last != nil {
			r.After = last
		}
		err := snap.Scan(ctx, r, func(k, v []byte) error {
			spans = append(spans, len(arena))
			arena = append(arena, k...)
			spans = append(spans, len(arena))
			arena = append(arena, v...)
			keys++
			if len(arena) >= chunkBytes {
				last = append(last[:0], k...)
				return errFull
			}
			return nil
		})
		full := errors.Is(err, errFull)
		if err != nil && !full {
			return 0, 0, err
		}
		if err := load(); err != nil {
			return 0, 0, err
		}
		if !full {
			return keys, took, nil
		}
	}
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

// replay makes the recorded reads on the raw database.
func replay(r *rawbadger.Reader, ops []readOp) error {
	for _, op := range ops {
		var err error
		switch {
		case op.edges != nil:
			_, err = r.Edges(*op.edges)
		case op.nodes != nil:
			_, err = r.Nodes(op.nodes)
		default:
			_, err = r.Node(op.node)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
