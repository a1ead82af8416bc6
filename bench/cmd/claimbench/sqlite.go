package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the SQLite peer: pure Go, FTS5 built in

	"claimgraph/bench"
	"claimgraph/graph"
)

// sqliteVersion returns the SQLite library's version.
func sqliteVersion(ctx context.Context) string {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return ""
	}
	defer db.Close()
	var v string
	db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v)
	return v
}

// ftsPhrase quotes text as an FTS5 phrase.
func ftsPhrase(text string) string { return `"` + strings.ReplaceAll(text, `"`, `""`) + `"` }

// ftsWords makes an FTS5 query of every word of text (implicit AND).
func ftsWords(text string) string {
	var ws []string
	for _, w := range strings.Fields(text) {
		ws = append(ws, ftsPhrase(w))
	}
	return strings.Join(ws, " ")
}

// unixOrNil turns an optional time into unix seconds for SQLite.
func unixOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Unix()
}

func measureSQLite(ctx context.Context, cfg config, load corpusFunc, w workload, n int, dir string, m *metrics) error {
	peer, err := bench.Peer(bench.SQLite)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(dir, "bench.db")
	db, err := sql.Open("sqlite", file)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	cfg.logf("%d quotes: SQLite load", n)
	// The load's own time: the corpus's chunks are generated between the
	// timed steps.
	var clock stepTimer
	timed := clock.run
	exec := func(stmts []string) func() error {
		return execEach(stmts, func(s string) error { _, err := db.ExecContext(ctx, s); return err })
	}
	if err := timed(exec(peer.Sections["pragmas"])); err != nil {
		return err
	}
	if err := timed(exec(peer.Sections["tables"])); err != nil {
		return err
	}
	if err := sqliteLoad(ctx, db, peer, load, cfg.chunk, nodeCount(n), timed); err != nil {
		return err
	}
	if err := timed(exec(peer.Sections["indexes"])); err != nil {
		return err
	}
	runtime.GC() // the corpus goes before the questions (untimed)
	m.set("import_s", bench.SQLite, clock.took.Seconds())
	m.set("import_rate", bench.SQLite, float64(n)/clock.took.Seconds())
	cfg.logf("%d quotes: SQLite load %.1f s", n, clock.took.Seconds())
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	var rows int
	for _, t := range []string{"node", "edge", "name", "facet", "revision"} {
		var c int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&c); err != nil {
			return err
		}
		rows += c
	}
	m.set("keys_per_quote", bench.SQLite, float64(rows)/float64(n))

	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	// Prepared once, as an application would.
	stmts := map[string]*sql.Stmt{}
	for _, name := range []string{"trace", "whosaid", "search", "speaker_page", "filtered_page", "node_speaker_source"} {
		st, err := db.PrepareContext(ctx, peer.Queries[name])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer st.Close()
		stmts[name] = st
	}
	q := func(name string) *sql.Stmt { return stmts[name] }
	all := func(st *sql.Stmt, args ...any) (int, error) {
		rs, err := st.QueryContext(ctx, args...)
		if err != nil {
			return 0, err
		}
		defer rs.Close()
		c := 0
		cols, _ := rs.Columns()
		dest := make([]any, len(cols))
		for i := range dest {
			dest[i] = new(any)
		}
		for rs.Next() {
			if err := rs.Scan(dest...); err != nil {
				return c, err
			}
			c++
		}
		return c, rs.Err()
	}
	lat, err := latencies(cfg.reps, w.traceRoots, func(root string) error { _, err := all(q("trace"), root, graph.DefaultTraceDepth); return err })
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	m.latency("trace", bench.SQLite, lat)
	m.latency("trace_cold", bench.SQLite, lat) // no cache to turn off: see postgres.go
	lat, err = latencies(cfg.reps, w.phrases, func(ph string) error { _, err := all(q("whosaid"), ftsPhrase(ph)); return err })
	if err != nil {
		return fmt.Errorf("whosaid: %w", err)
	}
	m.latency("whosaid", bench.SQLite, lat)
	lat, err = latencies(cfg.reps, w.phrases, func(ph string) error { _, err := all(q("search"), ftsWords(ph)); return err })
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	m.latency("search", bench.SQLite, lat)
	lat, err = pages(w.speakers, func(sp, after string) ([]string, error) {
		rs, err := q("speaker_page").QueryContext(ctx, sp, after, pageSize)
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		var keys []string
		for rs.Next() {
			var k string
			if err := rs.Scan(&k); err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
		return keys, rs.Err()
	})
	if err != nil {
		return fmt.Errorf("speaker pages: %w", err)
	}
	m.latency("page", bench.SQLite, lat)
	lat, _, err = filteredPages(w.filters, cfg.reps, maxFilteredPages, func(f filterQ, after *fpageCursor) ([]string, *fpageCursor, error) {
		at, key := int64(-1), ""
		if after != nil {
			at, key = after.saidAt.Unix(), after.key
		}
		rs, err := q("filtered_page").QueryContext(ctx, f.speaker, f.from.Unix(), f.to.Unix(), at, key, pageSize)
		if err != nil {
			return nil, nil, err
		}
		defer rs.Close()
		var keys []string
		var last *fpageCursor
		for rs.Next() {
			var k string
			var s int64
			if err := rs.Scan(&k, &s); err != nil {
				return nil, nil, err
			}
			keys = append(keys, k)
			last = &fpageCursor{saidAt: time.Unix(s, 0), key: k}
		}
		return keys, last, rs.Err()
	})
	if err != nil {
		return fmt.Errorf("filtered pages: %w", err)
	}
	m.latency("fpage", bench.SQLite, lat)
	for _, c := range []int{8, 32, 64} {
		v, err := rps(ctx, c, cfg.rpsDuration, func(i int) error {
			_, err := all(q("node_speaker_source"), w.quoteKeys[i%len(w.quoteKeys)])
			return err
		})
		if err != nil {
			return fmt.Errorf("node_speaker_source: %w", err)
		}
		m.set(fmt.Sprintf("rps_%d", c), bench.SQLite, v)
		m.set(fmt.Sprintf("rps_%d_cold", c), bench.SQLite, v)
	}
	if err := db.Close(); err != nil {
		return err
	}
	bytes, err := dirSize(dir)
	if err != nil {
		return err
	}
	m.set("disk_per_quote", bench.SQLite, float64(bytes)/float64(n))
	return nil
}

// sqliteLoad inserts the rows in one transaction with prepared statements.
// sqliteLoad inserts the corpus's rows in one transaction, chunk by chunk;
// timed runs (and times) each step of the load. nodes sizes the table of
// ids.
func sqliteLoad(ctx context.Context, db *sql.DB, peer *bench.SQL, load corpusFunc, chunk, nodes int, timed func(func() error) error) error {
	var tx *sql.Tx
	stmts := map[string]*sql.Stmt{}
	err := timed(func() error {
		var err error
		if tx, err = db.BeginTx(ctx, nil); err != nil {
			return err
		}
		for _, name := range []string{"insert_node", "insert_edge", "insert_name", "insert_fts", "insert_facet", "insert_revision", "insert_doc"} {
			if stmts[name], err = tx.PrepareContext(ctx, peer.Queries[name]); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return nil
	})
	if tx != nil {
		defer tx.Rollback()
	}
	if err != nil {
		return err
	}
	exec := func(name string, args ...any) error {
		_, err := stmts[name].ExecContext(ctx, args...)
		return err
	}
	// The tables the questions read (node, edge, name, the quotes' words)
	// are written first and the other index tables after them, chunk by
	// chunk, so that their pages do not interleave in the file (which
	// slowed SQLite's trace by about a quarter).
	var facets []facetRow
	var revisions []revisionRow
	var docs []docRow
	sink := rowSink{
		node: func(r nodeRow) error {
			if err := exec("insert_node", r.id, r.key, r.kind, string(r.record), unixOrNil(r.saidAt), unixOrNil(r.publishedAt), r.url, r.speaker); err != nil {
				return err
			}
			if r.kind == int16(graph.KindQuote) {
				return exec("insert_fts", r.id, r.words)
			}
			return nil
		},
		edge: func(e edgeRow) error {
			return exec("insert_edge", e.src, e.rel, e.dst, e.qualifier, e.reason, e.note, e.by, e.atxt)
		},
		name:     func(r nameRow) error { return exec("insert_name", r.name, r.id) },
		facet:    func(r facetRow) error { facets = append(facets, r); return nil },
		revision: func(r revisionRow) error { revisions = append(revisions, r); return nil },
		doc:      func(r docRow) error { docs = append(docs, r); return nil },
	}
	rm := newRowMaker(nodes)
	err = load(chunk, func(b *graph.Bundle) error {
		return timed(func() error {
			for _, node := range b.Nodes {
				if err := rm.node(ctx, node, sink); err != nil {
					return err
				}
			}
			for _, l := range b.Links {
				if err := rm.link(l, sink); err != nil {
					return err
				}
			}
			for _, r := range facets {
				if err := exec("insert_facet", r.kind, r.code, r.value, r.key, r.ord); err != nil {
					return err
				}
			}
			for _, r := range revisions {
				if err := exec("insert_revision", r.node, r.rev, r.seq, r.change, r.by, r.at, string(r.record)); err != nil {
					return err
				}
			}
			for _, r := range docs {
				if err := exec("insert_doc", r.id, r.name, r.alias, r.title, r.text, r.measure); err != nil {
					return err
				}
			}
			facets, revisions, docs = facets[:0], revisions[:0], docs[:0]
			return nil
		})
	})
	if err != nil {
		return err
	}
	return timed(tx.Commit)
}

// latencies times fn once per item per repetition, after one warm-up round.
func latencies(reps int, items []string, fn func(string) error) ([]time.Duration, error) {
	for _, it := range items {
		if err := fn(it); err != nil {
			return nil, err
		}
	}
	var out []time.Duration
	for range reps {
		for _, it := range items {
			start := time.Now()
			if err := fn(it); err != nil {
				return nil, err
			}
			out = append(out, time.Since(start))
		}
	}
	return out, nil
}

// pages times each page of each speaker's quotes (at most 200 pages each).
func pages(speakers []string, page func(speaker, after string) ([]string, error)) ([]time.Duration, error) {
	var out []time.Duration
	for _, sp := range speakers {
		after := ""
		for range 200 {
			start := time.Now()
			keys, err := page(sp, after)
			if err != nil {
				return nil, err
			}
			out = append(out, time.Since(start))
			if len(keys) < pageSize {
				break
			}
			after = keys[len(keys)-1]
		}
	}
	return out, nil
}

// rps runs fn from the clients concurrently for d (after a warm-up of a
// tenth of d) and returns the requests completed per second.
func rps(ctx context.Context, clients int, d time.Duration, fn func(i int) error) (float64, error) {
	var (
		count    atomic.Int64
		next     atomic.Int64
		firstErr error
		once     sync.Once
		counting atomic.Bool
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := fn(int(next.Add(1))); err != nil {
					if ctx.Err() == nil {
						once.Do(func() { firstErr = err; cancel() })
					}
					return
				}
				if counting.Load() {
					count.Add(1)
				}
			}
		}()
	}
	time.Sleep(d / 10)
	counting.Store(true)
	start := time.Now()
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	n := count.Load()
	took := time.Since(start)
	cancel()
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(n) / took.Seconds(), nil
}
