// Package pgtest starts throwaway PostgreSQL servers for tests: a primary
// and, on request, a streaming replica (hot standby), from the binaries of
// Debian's postgresql package (/usr/lib/postgresql/<version>/bin), each in
// a temporary directory, listening on a free loopback port.
//
//	c := pgtest.Start(t, pgtest.Options{Replica: true})
//	kv, err := postgres.Open(ctx, postgres.Options{DSN: c.Primary.DSN("postgres")})
//	...
//	c.Primary.Stop() // the replica keeps answering reads
//
// The server runs as the postgres OS user when the test runs as root (the
// server refuses to run as root). It is a child process of the test, not
// daemonised with pg_ctl, and on Linux it gets SIGQUIT (immediate shutdown)
// if the test process dies, so a test that panics or times out leaves no
// server behind. Settings favour speed over durability (fsync off): the
// servers are for tests only.
//
// When PostgreSQL cannot be started (binaries missing, no postgres user)
// Start fails the test, naming the Debian package to install; it never
// skips.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// InstallHint is the advice that error messages give when PostgreSQL is
// not installed.
const InstallHint = "install Debian's PostgreSQL package: apt-get install -y postgresql"

// Options configure [Start] and [Launch].
type Options struct {
	// Replica also starts a streaming replica of the primary (a hot
	// standby made with pg_basebackup -R).
	Replica bool
	// BinDir is the directory of initdb, postgres and pg_basebackup; empty
	// means the newest /usr/lib/postgresql/*/bin, or the directory of
	// postgres on PATH.
	BinDir string
	// Settings are extra postgresql.conf lines for the primary (the
	// replica copies them), e.g. "shared_buffers = 64MB".
	Settings []string
}

// Cluster is a running primary and optional replica.
type Cluster struct {
	// Primary accepts reads and writes.
	Primary *Server
	// Replica, when requested, is a hot standby streaming from Primary.
	Replica *Server

	root string // temporary directory holding both data directories
}

// Server is one running PostgreSQL server.
type Server struct {
	// Port is the loopback TCP port it listens on.
	Port int
	// Dir is its data directory; LogFile its server log.
	Dir, LogFile string

	bin  string
	cred *syscall.Credential // the postgres user's, when running as root
	home string              // HOME for the tools

	mu      sync.Mutex
	proc    *exec.Cmd     // the running postmaster
	exited  chan struct{} // closed when proc has exited
	stopped bool
}

// DSN returns a connection URL for the database db (the cluster has
// "postgres"; create others with CREATE DATABASE on the primary) as the
// superuser postgres, without a password (trust authentication on
// loopback).
func (s *Server) DSN(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), Path: "/" + db}
	q := url.Values{"sslmode": {"disable"}}
	u.RawQuery = q.Encode()
	return u.String()
}

// Start starts a cluster for t and stops it when t's cleanup runs. It
// fails t (never skips) when PostgreSQL cannot be started; the message says
// which package to install.
func Start(t testing.TB, opt Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := Launch(ctx, opt)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// Launch starts a cluster; the caller must call Stop. It is Start for a
// TestMain, which has no testing.TB.
func Launch(ctx context.Context, opt Options) (c *Cluster, err error) {
	bin, err := findBin(opt.BinDir)
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, the server must run as the postgres user, which does not exist (%v); %s", err, InstallHint)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}
	// Not t.TempDir: its parent is private to root, and the server runs as
	// postgres. A short path also keeps the unix socket path short.
	root, err := os.MkdirTemp("", "cgpg-")
	if err != nil {
		return nil, err
	}
	c = &Cluster{root: root}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	if cred != nil {
		if err := os.Chown(root, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	p := &Server{Port: ports[0], Dir: filepath.Join(root, "primary"), LogFile: filepath.Join(root, "primary.log"), bin: bin, cred: cred, home: root}
	if _, err := p.run(ctx, "initdb", "-D", p.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"); err != nil {
		return nil, fmt.Errorf("initdb: %w", err)
	}
	conf := []string{
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = ''",
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		"wal_level = replica",
		"max_wal_senders = 5",
		"hot_standby = on",
		"max_connections = 60",
		"shared_buffers = 32MB",
		"logging_collector = off",
		"log_min_messages = warning",
	}
	conf = append(conf, opt.Settings...)
	if err := appendFile(filepath.Join(p.Dir, "postgresql.conf"), strings.Join(conf, "\n")+"\n"); err != nil {
		return nil, err
	}
	if err := p.start(ctx); err != nil {
		return nil, err
	}
	c.Primary = p
	if !opt.Replica {
		return c, nil
	}
	r := &Server{Port: ports[1], Dir: filepath.Join(root, "replica"), LogFile: filepath.Join(root, "replica.log"), bin: bin, cred: cred, home: root}
	if _, err := r.run(ctx, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres",
		"-D", r.Dir, "-R", "-X", "stream", "-c", "fast", "--no-sync"); err != nil {
		return nil, fmt.Errorf("pg_basebackup: %w", err)
	}
	if err := r.start(ctx); err != nil {
		return nil, err
	}
	c.Replica = r
	return c, nil
}

// WaitReplica waits until the replica has replayed everything the primary
// had written when it was called (its current WAL position).
func (c *Cluster) WaitReplica(ctx context.Context) error {
	if c.Replica == nil {
		return errors.New("pgtest: no replica")
	}
	var lsn string
	if err := queryOnce(ctx, c.Primary.DSN("postgres"), "SELECT pg_current_wal_lsn()::text", &lsn); err != nil {
		return fmt.Errorf("pgtest: primary WAL position: %w", err)
	}
	conn, err := pgx.Connect(ctx, c.Replica.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: connecting to the replica: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		var done bool
		if err := conn.QueryRow(ctx, "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)", lsn).Scan(&done); err != nil {
			return fmt.Errorf("pgtest: replica replay position: %w", err)
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgtest: the replica has not replayed %s: %w", lsn, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func queryOnce(ctx context.Context, dsn, sql string, dst ...any) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.QueryRow(ctx, sql).Scan(dst...)
}

// Stop stops the servers (replica first) and removes their directories.
// Stopping twice is not an error.
func (c *Cluster) Stop() error {
	var errs []error
	for _, s := range []*Server{c.Replica, c.Primary} {
		if s != nil {
			errs = append(errs, s.Stop())
		}
	}
	if c.root != "" {
		errs = append(errs, os.RemoveAll(c.root))
		c.root = ""
	}
	return errors.Join(errs...)
}

// Stop stops the server (fast shutdown: sessions are disconnected).
// Stopping a stopped server is not an error.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.proc == nil {
		s.stopped = true
		return nil
	}
	s.stopped = true
	_ = s.proc.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-s.exited:
		return nil
	case <-time.After(30 * time.Second):
	}
	_ = s.proc.Process.Signal(syscall.SIGQUIT) // immediate shutdown
	select {
	case <-s.exited:
		return fmt.Errorf("the server on port %d did not stop within 30 s; stopped it immediately", s.Port)
	case <-time.After(10 * time.Second):
		_ = s.proc.Process.Kill()
		<-s.exited
		return fmt.Errorf("the server on port %d did not stop; killed it", s.Port)
	}
}

// start starts the postmaster as a child process and waits until it
// accepts connections; if another process took its port meanwhile, it
// tries other free ports.
func (s *Server) start(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		err := s.startOnce(ctx)
		if err == nil {
			return nil
		}
		log, _ := os.ReadFile(s.LogFile)
		if attempt < 3 && bytes.Contains(log, []byte("could not bind")) {
			if ports, perr := freePorts(1); perr == nil {
				s.Port = ports[0]
				continue
			}
		}
		return fmt.Errorf("starting the server on port %d: %w\nserver log:\n%s", s.Port, err, tail(log, 2000))
	}
}

func (s *Server) startOnce(ctx context.Context) error {
	logf, err := os.OpenFile(s.LogFile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := s.command(context.Background(), "postgres", "-D", s.Dir, "-p", strconv.Itoa(s.Port))
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.proc, s.exited = cmd, exited
	// Ready when it accepts a connection (a hot standby accepts them once
	// it has reached a consistent state).
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, s.DSN("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-exited:
			s.proc = nil
			return fmt.Errorf("the server exited: %v", cmd.ProcessState)
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGQUIT)
			<-exited
			s.proc = nil
			return fmt.Errorf("the server did not accept connections: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// command prepares one of the PostgreSQL programs, as the postgres user
// when needed.
func (s *Server) command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, tool), args...)
	cmd.Dir = s.home
	cmd.Env = append(os.Environ(), "HOME="+s.home, "PGTZ=UTC")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// run runs one of the PostgreSQL tools to completion.
func (s *Server) run(ctx context.Context, tool string, args ...string) ([]byte, error) {
	cmd := s.command(ctx, tool, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w\n%s", tool, strings.Join(args, " "), err, tail(out, 2000))
	}
	return out, nil
}

// findBin returns the directory of the PostgreSQL server tools.
func findBin(dir string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err != nil {
			return "", fmt.Errorf("PostgreSQL server binaries not found: no postgres in %s (%v); %s", dir, err, InstallHint)
		}
		return dir, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	slices.SortFunc(matches, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(a))))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(b))))
		return va - vb
	})
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/postgres, no postgres on PATH); %s", InstallHint)
}

// freePorts returns n distinct loopback TCP ports that were free a moment
// ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func appendFile(name, text string) error {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func tail(b []byte, n int) []byte {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
