// Command claimbench measures claimgraph against its baselines and peers on
// generated corpora (package gen), side by side in one run, and writes
// bench/results.json and a markdown table (`make bench`, `make
// bench-large`).
//
// For each size it imports the same corpus into claimgraph (store.Open on
// disk, one Apply per chunk of records), a raw Badger (the same keys and
// bytes with a WriteBatch, package store/rawbadger), SQLite (modernc.org,
// FTS5) and PostgreSQL (Debian's package, started here on loopback in a
// temporary directory and stopped after), then asks each the same
// questions: traces of nested quotes, whoSaid phrases, ranked search,
// pages of a busy speaker's quotes, and, over HTTP against a running
// `claimgraph serve`, a node+speaker+source query at 8, 32 and 64
// concurrent clients and the trace. It reads the server's peak RSS from
// /proc and the bytes on disk of every system. The peers' schemas and
// queries are bench/peers/*.sql.
//
// Usage:
//
//	claimbench [--sizes 10000,100000] [--seed 1] [--out bench/results.json]
//	           [--readme README.md] [--bin bin/claimgraph] [--peers sqlite,postgres]
//	           [--rps-duration 5s] [--profile DIR] [--profile-size 100000] [--work DIR]
//	claimbench --render bench/results.json [--readme README.md]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"claimgraph/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "claimbench: %v\n", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	sizes       []int
	seed        uint64
	out         string
	readme      string
	bin         string
	peers       map[string]bool
	rpsDuration time.Duration
	profileDir  string
	profileSize int
	work        string
	keep        bool
	chunk       int
	traceRoots  int
	reps        int
	log         io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("claimbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "10000,100000", "comma-separated corpus sizes, in quotes")
	seed := fs.Uint64("seed", 1, "corpus seed")
	out := fs.String("out", "bench/results.json", "results file")
	readme := fs.String("readme", "", "README to update between "+bench.MarkerStart+" and "+bench.MarkerEnd+" (empty: print only)")
	bin := fs.String("bin", "bin/claimgraph", "claimgraph binary for the HTTP measurements (empty: skip them)")
	peers := fs.String("peers", "sqlite,postgres", "peers to measure: sqlite, postgres (empty: none)")
	rpsDuration := fs.Duration("rps-duration", 5*time.Second, "duration of each requests-per-second run")
	profileDir := fs.String("profile", "", "directory for pprof profiles (CPU, allocations) of claimgraph's import and trace")
	profileSize := fs.Int("profile-size", 100000, "the corpus size to profile")
	work := fs.String("work", "", "working directory for the data (default: a temporary directory)")
	keep := fs.Bool("keep", false, "keep the data in the working directory after the run")
	chunk := fs.Int("chunk", 2000000, "records per claimgraph Apply: a larger corpus is imported in chunks (claimgraph import writes a file as one batch; 1M quotes are 1.76M records)")
	traceRoots := fs.Int("trace-roots", 200, "nested quotes to trace")
	reps := fs.Int("reps", 5, "repetitions of each latency question")
	render := fs.String("render", "", "render this results file (and update --readme) without measuring")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *render != "" {
		f, err := os.Open(*render)
		if err != nil {
			return err
		}
		defer f.Close()
		r, err := bench.ReadResults(f)
		if err != nil {
			return err
		}
		return publish(r, *readme, stdout)
	}
	cfg := config{seed: *seed, out: *out, readme: *readme, bin: *bin, rpsDuration: *rpsDuration, profileDir: *profileDir,
		profileSize: *profileSize, work: *work, keep: *keep, chunk: *chunk, traceRoots: *traceRoots, reps: max(1, *reps), log: stderr, peers: map[string]bool{}}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 100 {
			return fmt.Errorf("--sizes: %q is not a size of at least 100 quotes", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	for _, p := range strings.Split(*peers, ",") {
		switch p = strings.TrimSpace(p); p {
		case "":
		case bench.SQLite, bench.Postgres:
			cfg.peers[p] = true
		default:
			return fmt.Errorf("--peers: unknown peer %q", p)
		}
	}
	if cfg.bin != "" {
		if _, err := os.Stat(cfg.bin); err != nil {
			return fmt.Errorf("--bin: %w (build it with `make build`, or pass --bin '' to skip the HTTP measurements)", err)
		}
	}
	if cfg.work == "" {
		dir, err := os.MkdirTemp("", "claimbench-")
		if err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(dir)
		}
		cfg.work = dir
	}
	r, err := measure(ctx, cfg, strings.Join(append([]string{"claimbench"}, args...), " "))
	if err != nil {
		return err
	}
	f, err := os.Create(cfg.out)
	if err != nil {
		return err
	}
	if err := r.Write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return publish(r, cfg.readme, stdout)
}

// publish prints the table and puts it into the README when asked.
func publish(r *bench.Results, readme string, stdout io.Writer) error {
	table := bench.Markdown(r)
	fmt.Fprintln(stdout, table)
	if readme == "" {
		return nil
	}
	doc, err := os.ReadFile(readme)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	updated, err := bench.ReplaceBetweenMarkers(string(doc), table)
	if err != nil {
		return err
	}
	return os.WriteFile(readme, []byte(updated), 0o644)
}

func measure(ctx context.Context, cfg config, command string) (*bench.Results, error) {
	r := &bench.Results{Started: time.Now(), Seed: cfg.seed, Command: command, Machine: machine(ctx)}
	var pg *postgres
	if cfg.peers[bench.Postgres] {
		var err error
		pg, err = startPostgres(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		defer pg.stop()
		r.Machine.Postgres = pg.version
	}
	if cfg.peers[bench.SQLite] {
		r.Machine.SQLite = sqliteVersion(ctx)
	}
	for _, n := range cfg.sizes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, err := measureSize(ctx, cfg, n, pg)
		if err != nil {
			return nil, fmt.Errorf("%d quotes: %w", n, err)
		}
		r.Sizes = append(r.Sizes, s)
	}
	r.Seconds = time.Since(r.Started).Seconds()
	return r, nil
}

// machine describes this machine.
func machine(ctx context.Context) bench.Machine {
	m := bench.Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
				m.MemGiB = kb / (1 << 20)
			}
		}
	}
	if out, err := commandOutput(ctx, "git", "rev-parse", "HEAD"); err == nil {
		m.Commit = strings.TrimSpace(out)
		if st, err := commandOutput(ctx, "git", "status", "--porcelain", "--untracked-files=no"); err == nil && strings.TrimSpace(st) != "" {
			m.Commit += "+dirty"
		}
	}
	return m
}

// logf writes a progress line.
func (c config) logf(format string, args ...any) {
	fmt.Fprintf(c.log, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
