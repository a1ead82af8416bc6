package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"claimgraph/bench"
	"claimgraph/gen"
	"claimgraph/graph"
)

// workload is the set of questions asked of every system for one corpus.
type workload struct {
	traceRoots []string // nested quotes, deepest chains first
	phrases    []string // whoSaid phrases, taken from quote texts
	speakers   []string // speakers whose quotes are paged through
	quoteKeys  []string // quotes for the node+speaker+source load
	filters    []filterQ
}

// filterQ is one filtered-paging question: a speaker's quotes said in one
// year, in said_at order.
type filterQ struct {
	speaker  string
	from, to time.Time
}

const pageSize = 50

// corpusFunc generates the corpus of a size again (gen is deterministic
// by seed, so every call gives the same records) and calls fn with it in
// bundles of at most chunk records, in bundle order (nodes, then links:
// every reference points backwards). Each bundle is let go before the
// next is generated, so that a corpus larger than memory (10M quotes
// decoded is some 20 GB) streams through; fn's time is the consumer's
// own, the generation happens between the calls.
type corpusFunc func(chunk int, fn func(*graph.Bundle) error) error

// streamCorpus is the corpusFunc of gen's corpus of opt.
func streamCorpus(opt gen.Options) corpusFunc {
	return func(chunk int, fn func(*graph.Bundle) error) error {
		if chunk < 1 {
			return fmt.Errorf("corpus chunk of %d records", chunk)
		}
		b, size := &graph.Bundle{}, 0
		err := gen.Walk(opt, func(r gen.Record) error {
			if r.Node != nil {
				b.Nodes = append(b.Nodes, r.Node)
			} else {
				b.Links = append(b.Links, *r.Link)
			}
			if size++; size < chunk {
				return nil
			}
			err := fn(b)
			b, size = &graph.Bundle{}, 0
			return err
		})
		if err == nil && size > 0 {
			err = fn(b)
		}
		return err
	}
}

// stepTimer sums the time of the timed steps of a load.
type stepTimer struct{ took time.Duration }

// run runs fn and adds its time.
func (t *stepTimer) run(fn func() error) error {
	start := time.Now()
	err := fn()
	t.took += time.Since(start)
	return err
}

// execEach returns a step running the statements in order with exec; an
// error names the statement.
func execEach(stmts []string, exec func(string) error) func() error {
	return func() error {
		for _, s := range stmts {
			if err := exec(s); err != nil {
				return fmt.Errorf("%.60s: %w", s, err)
			}
		}
		return nil
	}
}

// nodeCount is the number of nodes of gen's corpus of n quotes.
func nodeCount(n int) int {
	sz := gen.SizesOf(gen.Options{Quotes: n})
	return sz.Organisations + sz.People + sz.Sources + sz.Claims + sz.Quotes + sz.Figures
}

// workloadQuote is what newWorkload keeps of a quote.
type workloadQuote struct {
	key, speaker, reportedBy, text string
	saidAt                         time.Time
	hasDate                        bool
}

// newWorkload picks the questions from the corpus, deterministically, and
// counts its records. It reads the corpus in chunks and keeps only the
// quotes' keys, speakers, dates, enclosing quotes and texts.
func newWorkload(load corpusFunc, chunk, roots int, seed uint64) (workload, int, error) {
	var qs []workloadQuote
	records := 0
	err := load(chunk, func(b *graph.Bundle) error {
		records += len(b.Nodes) + len(b.Links)
		for _, n := range b.Nodes {
			if q, ok := n.(*graph.Quote); ok {
				wq := workloadQuote{key: q.Key, speaker: q.Speaker, reportedBy: q.ReportedBy, text: q.Text}
				if t, _, err := graph.ParseDate(q.SaidAt); err == nil {
					wq.saidAt, wq.hasDate = t.UTC(), true
				}
				qs = append(qs, wq)
			}
		}
		return nil
	})
	if err != nil {
		return workload{}, 0, err
	}
	return pickWorkload(qs, roots, seed), records, nil
}

// pickWorkload picks the questions from the corpus's quotes.
func pickWorkload(qs []workloadQuote, roots int, seed uint64) workload {
	r := rand.New(rand.NewPCG(seed, 77))
	quotes := make(map[string]*workloadQuote, len(qs))
	perSpeaker := map[string]int{}
	saidAt := map[string][]time.Time{}
	for i := range qs {
		q := &qs[i]
		quotes[q.key] = q
		if q.speaker != "" {
			perSpeaker[q.speaker]++
			if q.hasDate {
				saidAt[q.speaker] = append(saidAt[q.speaker], q.saidAt)
			}
		}
	}
	depth := func(q *workloadQuote) int {
		d := 0
		for q.reportedBy != "" && d < 10 {
			q = quotes[q.reportedBy]
			d++
		}
		return d
	}
	type nested struct {
		key   string
		depth int
	}
	var ns []nested
	for i := range qs {
		if qs[i].reportedBy != "" {
			ns = append(ns, nested{qs[i].key, depth(&qs[i])})
		}
	}
	// Half the roots are the deepest chains, half drawn at random.
	slices.SortStableFunc(ns, func(a, b nested) int { return b.depth - a.depth })
	var w workload
	seen := map[string]bool{}
	for i := 0; i < len(ns) && len(w.traceRoots) < roots/2; i++ {
		w.traceRoots = append(w.traceRoots, ns[i].key)
		seen[ns[i].key] = true
	}
	for tries := 0; len(w.traceRoots) < roots && tries < 10*roots && len(ns) > 0; tries++ {
		k := ns[r.IntN(len(ns))].key
		if !seen[k] {
			seen[k] = true
			w.traceRoots = append(w.traceRoots, k)
		}
	}
	// Phrases: three consecutive plain words of a random quote.
	texts := make([]string, len(qs))
	for i, q := range qs {
		texts[i] = q.text
	}
	w.phrases = bench.Phrases(r, texts, 100)
	// Speakers: the three busiest and seven from the top tenth.
	sp := sortedKeys(perSpeaker)
	slices.SortStableFunc(sp, func(a, b string) int { return perSpeaker[b] - perSpeaker[a] })
	w.speakers = append(w.speakers, sp[:min(3, len(sp))]...)
	for i := 1; i <= 7 && len(sp) > 10; i++ {
		w.speakers = append(w.speakers, sp[i*len(sp)/70])
	}
	// Filters: each of those speakers in the year of their median quote.
	for _, sp := range w.speakers {
		ts := saidAt[sp]
		if len(ts) == 0 {
			continue
		}
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		y := ts[len(ts)/2].Year()
		w.filters = append(w.filters, filterQ{speaker: sp, from: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	for range 2000 {
		w.quoteKeys = append(w.quoteKeys, qs[r.IntN(len(qs))].key)
	}
	return w
}

// measureSize runs every measurement for one corpus size.
func measureSize(ctx context.Context, cfg config, n int, pg *postgres) (bench.Size, error) {
	size := bench.Size{Quotes: n}
	cfg.logf("%d quotes: generating (seed %d)", n, cfg.seed)
	// Each system generates the corpus again (the same records: gen is
	// deterministic by seed) for its load, chunk by chunk, so that no
	// question runs in a process whose heap holds the whole corpus
	// (several GB at 1M quotes, which a server does not hold and the
	// collector would mark again and again), and a corpus larger than
	// memory streams through.
	load := streamCorpus(gen.Options{Quotes: n, Seed: cfg.seed})
	w, records, err := newWorkload(load, cfg.chunk, cfg.traceRoots, cfg.seed)
	if err != nil {
		return size, err
	}
	size.Records = records
	dir := filepath.Join(cfg.work, fmt.Sprint(n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return size, err
	}
	if !cfg.keep {
		defer os.RemoveAll(dir)
	}
	m := newMetrics()

	// claimgraph and raw Badger, in process.
	cgDir, rawDir := filepath.Join(dir, "claimgraph"), filepath.Join(dir, "raw")
	if err := measureClaimgraph(ctx, cfg, load, w, cgDir, rawDir, m, &size); err != nil {
		return size, err
	}
	// Each peer's data goes when its questions are done (claimgraph's stays
	// for the server), so that the disk holds two systems' at a time: about
	// 17 GB at 10M quotes, where all four would be about 39.
	if !cfg.keep {
		if err := os.RemoveAll(rawDir); err != nil {
			return size, err
		}
	}

	if cfg.peers[bench.SQLite] {
		if err := measureSQLite(ctx, cfg, load, w, n, filepath.Join(dir, "sqlite"), m); err != nil {
			return size, fmt.Errorf("sqlite: %w", err)
		}
		if !cfg.keep {
			if err := os.RemoveAll(filepath.Join(dir, "sqlite")); err != nil {
				return size, err
			}
		}
	}
	if pg != nil {
		if err := pg.measure(ctx, cfg, load, w, n, m); err != nil {
			return size, fmt.Errorf("postgres: %w", err)
		}
	}
	if cfg.bin != "" {
		// Caches off first, so that the peak RSS is the served default's.
		if err := measureServer(ctx, cfg, w, cgDir, m, true); err != nil {
			return size, fmt.Errorf("claimgraph serve, caches off: %w", err)
		}
		if err := measureServer(ctx, cfg, w, cgDir, m, false); err != nil {
			return size, fmt.Errorf("claimgraph serve: %w", err)
		}
	} else {
		size.Notes = append(size.Notes, "HTTP measurements skipped (--bin '').")
	}

	m.addTo(&size, n)
	size.Notes = append(size.Notes,
		fmt.Sprintf("Latencies: %d trace roots (nested quotes, the deepest chains first) × %d, %d whoSaid phrases × %d (the same words, all required, for ranked search over quotes, first 20), pages of %d of %d speakers' quotes; filtered pages: %d speakers' quotes of one year in said_at order, pages of %d, every page asked once untimed, then × %d (the raw baseline once, cold, its first %d pages of each); each question alone, in one snapshot or transaction.",
			len(w.traceRoots), cfg.reps, len(w.phrases), cfg.reps, pageSize, len(w.speakers), len(w.filters), pageSize, cfg.reps, rawFilteredPages),
		"Raw Badger baselines without an index: search scans every quote record for the words (10 phrases, once), a filtered page reads all of the speaker's quotes and sorts the year's by said_at.",
		"claimgraph's caches (the store's read cache, the server's answer cache) keep what was read until the next commit. Every system is first asked each question once, untimed, then once per repetition, in-process and over the wire alike (the speakers' pages excepted: one timed pass, everywhere), so with claimgraph's caches on every timed answer is a kept one, and every system's own page or block cache has seen the question. In-process, only the trace rows without \"caches off\" run with the read cache; every other in-process question runs on the store opened without it (ReadCacheSize -1), with the posting cache on as a server runs it (the long search lists kept decoded as they are read, while they fit: a search finds its lists kept when earlier questions, or its own earlier repetitions, read the same words). Over the wire, the rows \"caches off\" come from a server started with --read-cache-mib 0 --posting-cache-mib 0 --answer-cache 0 (every read going to Badger, every answer executed), the others from the server as it runs by default (its peak RSS is that server's); SQLite and PostgreSQL have no such cache to turn off and show their one measurement in both.",
		"Imports start from the decoded records in memory (a corpus of more records than --chunk comes in chunks of that many, generated between the timed steps; claimgraph imports the chunks as one import, an Apply per chunk and one commit at the end, as `claimgraph import` writes several files into a new store; the peers each chunk in one transaction); SQLite and PostgreSQL load the tables, then build their indexes (their fastest bulk path), in the timed span; claimgraph's import runs with the collector at GOGC 250, as `claimgraph import` sets it.",
	)
	return size, nil
}

// metrics collects values by metric id and system as they are measured.
type metrics struct {
	values map[string]map[string]float64
}

func newMetrics() *metrics { return &metrics{values: map[string]map[string]float64{}} }

func (m *metrics) set(id, system string, v float64) {
	if m.values[id] == nil {
		m.values[id] = map[string]float64{}
	}
	m.values[id][system] = v
}

// latency records p50 and p99 of a latency question.
func (m *metrics) latency(id, system string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	s := bench.Summarize(ds)
	m.set(id+"_p50", system, s.P50)
	m.set(id+"_p99", system, s.P99)
}

// metricDefs are the rows of the table, in order.
var metricDefs = []bench.Metric{
	{ID: "import_rate", Name: "import", Unit: "quotes/s", Higher: true, Baseline: bench.Raw},
	{ID: "import_s", Name: "import time", Unit: "s", Baseline: bench.Raw},
	{ID: "trace_p50", Name: "trace p50", Unit: "ms", Baseline: bench.Raw},
	{ID: "trace_p99", Name: "trace p99", Unit: "ms", Baseline: bench.Raw},
	{ID: "trace_cold_p50", Name: "trace, claimgraph's caches off, p50", Unit: "ms", Baseline: bench.Raw},
	{ID: "trace_cold_p99", Name: "trace, claimgraph's caches off, p99", Unit: "ms", Baseline: bench.Raw},
	{ID: "whosaid_p50", Name: "whoSaid p50", Unit: "ms", Baseline: bench.SQLite},
	{ID: "whosaid_p99", Name: "whoSaid p99", Unit: "ms", Baseline: bench.SQLite},
	{ID: "search_p50", Name: "search (ranked) p50", Unit: "ms", Baseline: bench.SQLite},
	{ID: "search_p99", Name: "search (ranked) p99", Unit: "ms", Baseline: bench.SQLite},
	{ID: "page_p50", Name: "speaker's quotes, per page p50", Unit: "ms", Baseline: bench.Raw},
	{ID: "page_p99", Name: "speaker's quotes, per page p99", Unit: "ms", Baseline: bench.Raw},
	{ID: "fpage_p50", Name: "speaker's quotes of one year by date, per page p50", Unit: "ms", Baseline: bench.Raw},
	{ID: "fpage_p99", Name: "speaker's quotes of one year by date, per page p99", Unit: "ms", Baseline: bench.Raw},
	{ID: "http_search_p50", Name: "search over the wire (GraphQL/HTTP; PostgreSQL protocol) p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_search_p99", Name: "search over the wire p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_search_cold_p50", Name: "search over the wire, claimgraph's caches off, p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_search_cold_p99", Name: "search over the wire, claimgraph's caches off, p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_whosaid_p50", Name: "whoSaid over the wire (GraphQL/HTTP; PostgreSQL protocol) p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_whosaid_p99", Name: "whoSaid over the wire p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_whosaid_cold_p50", Name: "whoSaid over the wire, claimgraph's caches off, p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_whosaid_cold_p99", Name: "whoSaid over the wire, claimgraph's caches off, p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_fpage_p50", Name: "filtered page over the wire (GraphQL/HTTP; PostgreSQL protocol) p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_fpage_p99", Name: "filtered page over the wire p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_fpage_cold_p50", Name: "filtered page over the wire, claimgraph's caches off, p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_fpage_cold_p99", Name: "filtered page over the wire, claimgraph's caches off, p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_trace_p50", Name: "trace over the wire (GraphQL/HTTP; PostgreSQL protocol) p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_trace_p99", Name: "trace over the wire p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_trace_cold_p50", Name: "trace over the wire, claimgraph's caches off, p50", Unit: "ms", Baseline: bench.Postgres},
	{ID: "http_trace_cold_p99", Name: "trace over the wire, claimgraph's caches off, p99", Unit: "ms", Baseline: bench.Postgres},
	{ID: "rps_8", Name: "node+speaker+source, 8 clients", Unit: "req/s", Higher: true, Baseline: bench.Postgres},
	{ID: "rps_32", Name: "node+speaker+source, 32 clients", Unit: "req/s", Higher: true, Baseline: bench.Postgres},
	{ID: "rps_64", Name: "node+speaker+source, 64 clients", Unit: "req/s", Higher: true, Baseline: bench.Postgres},
	{ID: "rps_8_cold", Name: "node+speaker+source, claimgraph's caches off, 8 clients", Unit: "req/s", Higher: true, Baseline: bench.Postgres},
	{ID: "rps_32_cold", Name: "node+speaker+source, claimgraph's caches off, 32 clients", Unit: "req/s", Higher: true, Baseline: bench.Postgres},
	{ID: "rps_64_cold", Name: "node+speaker+source, claimgraph's caches off, 64 clients", Unit: "req/s", Higher: true, Baseline: bench.Postgres},
	{ID: "peak_rss", Name: "server peak RSS", Unit: "MiB", Baseline: ""},
	{ID: "disk_per_quote", Name: "bytes on disk per quote", Unit: "bytes", Baseline: bench.Raw},
	{ID: "keys_per_quote", Name: "keys (rows) per quote", Unit: "keys", Baseline: bench.Raw},
}

// addTo adds the collected metrics to the size, in table order.
func (m *metrics) addTo(s *bench.Size, n int) {
	for _, d := range metricDefs {
		d.Values = m.values[d.ID]
		s.Add(d)
	}
	_ = n
}
