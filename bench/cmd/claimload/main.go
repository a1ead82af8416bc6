// Command claimload runs the load test of package bench/load (`make
// load`): 64 concurrent clients mixing node, whoSaid, search and trace
// reads with putNode writes for a minute, against a `claimgraph serve
// --demo` that it starts on a free loopback port with a fresh data
// directory and a write token, or against a running server (--url,
// --token). It prints the latency percentiles of each operation, the
// requests per second, the writes acknowledged and read back, and the
// server's peak RSS; it exits 1 when a request failed or a write was lost.
//
// Usage:
//
//	claimload [--bin bin/claimgraph] [--clients 64] [--duration 1m] [--write-share 0.2]
//	          [--url http://127.0.0.1:8080 --token T] [--json FILE] [--serve-flag=--flag=value ...]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"claimgraph/bench/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "claimload: %v\n", err)
		os.Exit(1)
	}
}

// serveFlags collects repeated --serve-flag values.
type serveFlags []string

func (s *serveFlags) String() string     { return strings.Join(*s, " ") }
func (s *serveFlags) Set(v string) error { *s = append(*s, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("claimload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg    load.Config
		bin    string
		jsonTo string
		extra  serveFlags
	)
	fs.StringVar(&bin, "bin", "bin/claimgraph", "the claimgraph binary to serve with (without --url)")
	fs.StringVar(&cfg.URL, "url", "", "a running server's base URL instead of starting one")
	fs.StringVar(&cfg.Token, "token", "", "with --url: a write token of that server")
	fs.IntVar(&cfg.Clients, "clients", 64, "concurrent clients")
	fs.DurationVar(&cfg.Duration, "duration", time.Minute, "how long the clients run")
	fs.Float64Var(&cfg.WriteShare, "write-share", 0.2, "share of operations that are writes (0 < share <= 1)")
	fs.StringVar(&jsonTo, "json", "", "also write the report as JSON to this `file`")
	fs.Var(&extra, "serve-flag", "a flag for `claimgraph serve` (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if (cfg.URL == "") != (cfg.Token == "") {
		return errors.New("--url and --token go together")
	}
	if cfg.WriteShare <= 0 || cfg.WriteShare > 1 {
		return fmt.Errorf("--write-share %v is not in (0, 1]", cfg.WriteShare)
	}
	var srv *server
	if cfg.URL == "" {
		var err error
		srv, err = startServer(ctx, bin, extra, stderr)
		if err != nil {
			return err
		}
		defer srv.stop()
		cfg.URL, cfg.Token = srv.url, srv.token
	}
	fmt.Fprintf(stderr, "claimload: %d clients for %s against %s\n", cfg.Clients, cfg.Duration, cfg.URL)
	rep, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep)
	if srv != nil {
		if rss, err := peakRSS(srv.cmd.Process.Pid); err == nil {
			fmt.Fprintf(stdout, "server peak RSS: %d MB\n", rss>>20)
		}
	}
	if jsonTo != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonTo, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if !rep.OK() {
		return fmt.Errorf("%d errors, %d of %d acknowledged writes lost", rep.Errors, len(rep.Lost), rep.Acknowledged)
	}
	return nil
}

// server is a `claimgraph serve --demo` started for the run.
type server struct {
	cmd   *exec.Cmd
	url   string
	token string
	dir   string
	log   *bytes.Buffer
}

// startServer starts bin serve --demo on a free port with a fresh data
// directory and a random write token, and waits for /healthz.
func startServer(ctx context.Context, bin string, extra []string, stderr io.Writer) (*server, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%w (make build, or --bin)", err)
	}
	dir, err := os.MkdirTemp("", "claimload-")
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	s := &server{url: "http://" + addr, token: hex.EncodeToString(secret), dir: dir, log: &bytes.Buffer{}}
	args := append([]string{"serve", "--demo", "--data", dir, "--addr", addr, "--log-level", "warn"}, extra...)
	s.cmd = exec.CommandContext(ctx, bin, args...)
	s.cmd.Env = append(os.Environ(), "CLAIMGRAPH_TOKENS=load:"+s.token)
	s.cmd.Stderr = s.log
	s.cmd.Cancel = func() error { return s.cmd.Process.Signal(syscall.SIGTERM) }
	s.cmd.WaitDelay = 30 * time.Second
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	fmt.Fprintf(stderr, "claimload: %s %s (pid %d)\n", bin, strings.Join(args, " "), s.cmd.Process.Pid)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the server did not come up: %v\n%s", err, s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop stops the server (SIGTERM) and removes its data directory.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	os.RemoveAll(s.dir)
}

// peakRSS reads a process's peak resident set size (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
