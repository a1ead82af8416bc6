package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"claimgraph/bench"
	"claimgraph/graph"
)

// postgres is a PostgreSQL server started for the run in a temporary
// directory, listening on a loopback port.
type postgres struct {
	bin     string // directory of initdb, pg_ctl
	dir     string
	data    string
	port    int
	asUser  string // run the server's commands as this user (root cannot run postgres)
	version string
	log     func(string, ...any)
}

// pgBinDir finds Debian's PostgreSQL binaries (the highest version).
func pgBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return va - vb
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no initdb found: install Debian's postgresql package (apt-get install -y postgresql), or run with --peers sqlite")
}

// freePort returns a free TCP port on the loopback interface.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// cmd runs a PostgreSQL program, as the postgres user when we are root.
func (p *postgres) cmd(ctx context.Context, prog string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, prog)
	if p.asUser != "" {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", p.asUser, "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

func startPostgres(ctx context.Context, cfg config) (*postgres, error) {
	bin, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cfg.work, "postgres")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := &postgres{bin: bin, dir: dir, data: filepath.Join(dir, "data"), log: cfg.logf}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, d := range []string{cfg.work, dir} {
			// The server's user must reach its directory.
			if err := os.Chmod(d, 0o755); err != nil {
				return nil, err
			}
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		p.asUser = "postgres"
	}
	if out, err := p.cmd(ctx, "initdb", "-D", p.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if p.port, err = freePort(); err != nil {
		return nil, err
	}
	peer, err := bench.Peer(bench.Postgres)
	if err != nil {
		return nil, err
	}
	opts := []string{"-p " + strconv.Itoa(p.port), "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=" + dir}
	for _, s := range peer.Sections["settings"] {
		opts = append(opts, "-c "+strings.ReplaceAll(s, " ", ""))
	}
	cfg.logf("postgres: starting %s on 127.0.0.1:%d", bin, p.port)
	if out, err := p.cmd(ctx, "pg_ctl", "-D", p.data, "-l", filepath.Join(dir, "server.log"), "-o", strings.Join(opts, " "), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	conn, err := pgx.Connect(ctx, p.url("postgres"))
	if err != nil {
		p.stop()
		return nil, err
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&p.version); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

func (p *postgres) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// stop stops the server (fast shutdown) and leaves the directory to the
// caller's cleanup.
func (p *postgres) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := p.cmd(ctx, "pg_ctl", "-D", p.data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		p.log("postgres: stop: %v %s", err, out)
	}
}

// measure loads the corpus into a new database and asks it the questions.
func (p *postgres) measure(ctx context.Context, cfg config, load corpusFunc, w workload, n int, m *metrics) error {
	peer, err := bench.Peer(bench.Postgres)
	if err != nil {
		return err
	}
	admin, err := pgx.Connect(ctx, p.url("postgres"))
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("bench_%d", n)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	defer admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name)
	pool, err := pgxpool.New(ctx, p.url(name)+"&pool_max_conns=64")
	if err != nil {
		return err
	}
	defer pool.Close()
	var empty int64
	if err := pool.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&empty); err != nil {
		return err
	}

	cfg.logf("%d quotes: PostgreSQL load", n)
	// The load's own time: the corpus's chunks are generated between the
	// timed steps.
	var clock stepTimer
	timed := clock.run
	exec := func(stmts []string) func() error {
		return execEach(stmts, func(s string) error { _, err := pool.Exec(ctx, s); return err })
	}
	if err := timed(exec(peer.Sections["tables"])); err != nil {
		return err
	}
	if err := pgLoad(ctx, pool, load, cfg.chunk, nodeCount(n), timed); err != nil {
		return err
	}
	if err := timed(exec(peer.Sections["indexes"])); err != nil {
		return err
	}
	runtime.GC() // the corpus goes before the questions (untimed)
	m.set("import_s", bench.Postgres, clock.took.Seconds())
	m.set("import_rate", bench.Postgres, float64(n)/clock.took.Seconds())
	cfg.logf("%d quotes: PostgreSQL load %.1f s", n, clock.took.Seconds())
	if _, err := pool.Exec(ctx, "CHECKPOINT"); err != nil {
		return err
	}
	var rows int
	if err := pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM node) + (SELECT count(*) FROM edge) + (SELECT count(*) FROM name) + (SELECT count(*) FROM facet) + (SELECT count(*) FROM revision)").Scan(&rows); err != nil {
		return err
	}
	m.set("keys_per_quote", bench.Postgres, float64(rows)/float64(n))
	var size int64
	if err := pool.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&size); err != nil {
		return err
	}
	m.set("disk_per_quote", bench.Postgres, float64(size-empty)/float64(n))

	q := func(name string) string { return peer.Queries[name] }
	all := func(query string, args ...any) (int, error) {
		rs, err := pool.Query(ctx, query, args...)
		if err != nil {
			return 0, err
		}
		defer rs.Close()
		c := 0
		for rs.Next() {
			if _, err := rs.Values(); err != nil {
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
	m.latency("trace", bench.Postgres, lat)
	m.latency("http_trace", bench.Postgres, lat) // PostgreSQL always answers over its protocol
	// PostgreSQL has no cache to turn off (its buffers are warm either way):
	// the rows of claimgraph without its caches compare with the same run.
	m.latency("trace_cold", bench.Postgres, lat)
	m.latency("http_trace_cold", bench.Postgres, lat)
	lat, err = latencies(cfg.reps, w.phrases, func(ph string) error { _, err := all(q("whosaid"), ph); return err })
	if err != nil {
		return fmt.Errorf("whosaid: %w", err)
	}
	m.latency("whosaid", bench.Postgres, lat)
	m.latency("http_whosaid", bench.Postgres, lat)
	m.latency("http_whosaid_cold", bench.Postgres, lat)
	lat, err = latencies(cfg.reps, w.phrases, func(ph string) error { _, err := all(q("search"), ph); return err })
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	m.latency("search", bench.Postgres, lat)
	m.latency("http_search", bench.Postgres, lat)
	m.latency("http_search_cold", bench.Postgres, lat)
	lat, err = pages(w.speakers, func(sp, after string) ([]string, error) {
		rs, err := pool.Query(ctx, q("speaker_page"), sp, after, pageSize)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rs, pgx.RowTo[string])
	})
	if err != nil {
		return fmt.Errorf("speaker pages: %w", err)
	}
	m.latency("page", bench.Postgres, lat)
	lat, _, err = filteredPages(w.filters, cfg.reps, maxFilteredPages, func(f filterQ, after *fpageCursor) ([]string, *fpageCursor, error) {
		var at any = "-infinity"
		key := ""
		if after != nil {
			at, key = after.saidAt, after.key
		}
		rs, err := pool.Query(ctx, q("filtered_page"), f.speaker, f.from, f.to, at, key, pageSize)
		if err != nil {
			return nil, nil, err
		}
		defer rs.Close()
		var keys []string
		var last *fpageCursor
		for rs.Next() {
			var k string
			var s time.Time
			if err := rs.Scan(&k, &s); err != nil {
				return nil, nil, err
			}
			keys = append(keys, k)
			last = &fpageCursor{saidAt: s, key: k}
		}
		return keys, last, rs.Err()
	})
	if err != nil {
		return fmt.Errorf("filtered pages: %w", err)
	}
	m.latency("fpage", bench.Postgres, lat)
	m.latency("http_fpage", bench.Postgres, lat)
	m.latency("http_fpage_cold", bench.Postgres, lat)
	for _, c := range []int{8, 32, 64} {
		v, err := rps(ctx, c, cfg.rpsDuration, func(i int) error {
			_, err := all(q("node_speaker_source"), w.quoteKeys[i%len(w.quoteKeys)])
			return err
		})
		if err != nil {
			return fmt.Errorf("node_speaker_source: %w", err)
		}
		m.set(fmt.Sprintf("rps_%d", c), bench.Postgres, v)
		m.set(fmt.Sprintf("rps_%d_cold", c), bench.Postgres, v)
	}
	return nil
}

// pgLoad copies the rows in with COPY, in one transaction, chunk by
// chunk; timed runs (and times) each step of the load. nodeHint sizes the
// table of ids.
func pgLoad(ctx context.Context, pool *pgxpool.Pool, load corpusFunc, chunk, nodeHint int, timed func(func() error) error) error {
	var tx pgx.Tx
	if err := timed(func() error {
		var err error
		tx, err = pool.Begin(ctx)
		return err
	}); err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	rm := newRowMaker(nodeHint)
	err := load(chunk, func(b *graph.Bundle) error {
		return timed(func() error {
			var nodes, edges, names, facets, revisions [][]any
			sink := rowSink{
				node: func(r nodeRow) error {
					nodes = append(nodes, []any{r.id, r.key, r.kind, string(r.record), r.saidAt, r.publishedAt, r.url, r.speaker})
					return nil
				},
				edge: func(e edgeRow) error {
					edges = append(edges, []any{e.src, e.rel, e.dst, e.qualifier, e.reason, e.note, e.by, e.atxt})
					return nil
				},
				name: func(r nameRow) error {
					names = append(names, []any{r.name, r.id})
					return nil
				},
				facet: func(r facetRow) error {
					facets = append(facets, []any{r.kind, r.code, r.value, r.key, r.ord})
					return nil
				},
				revision: func(r revisionRow) error {
					revisions = append(revisions, []any{r.node, r.rev, r.seq, r.change, r.by, r.at, string(r.record)})
					return nil
				},
				doc: func(docRow) error { return nil }, // the doc table is made from node after the load (@indexes)
			}
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
			for _, c := range []struct {
				table string
				cols  []string
				rows  [][]any
			}{
				{"node", []string{"id", "key", "kind", "record", "said_at", "published_at", "url", "speaker"}, nodes},
				{"edge", []string{"src", "rel", "dst", "qualifier", "reason", "note", "by", "at"}, edges},
				{"name", []string{"name", "id"}, names},
				{"facet", []string{"kind", "code", "value", "key", "ord"}, facets},
				{"revision", []string{"node", "rev", "seq", "change", "by", "at", "record"}, revisions},
			} {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
					return fmt.Errorf("copy %s: %w", c.table, err)
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return timed(func() error { return tx.Commit(ctx) })
}
