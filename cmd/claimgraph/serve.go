package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	stdlog "log"
	"math"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/demo"
	"claimgraph/extract"
	"claimgraph/graph"
	"claimgraph/metrics"
	"claimgraph/schema"
	"claimgraph/web"
)

// Serving defaults of the store's caches, in MiB. With them `serve` stays
// under 512 MiB of peak RSS on a 100k-quote store under claimbench's load
// (store/doc.go, Reads).
const (
	defaultServeBlockCache   = 64
	defaultServeReadCache    = 32
	defaultServePostingCache = 256
	defaultServeMemoryLimit  = 640
)

// serveConfig is what serve's flags set.
type serveConfig struct {
	common
	addr string
	// answerCache is schema.HandlerConfig.AnswerCache (--answer-cache).
	answerCache     int
	demo            bool
	demoText        string
	shutdownTimeout time.Duration
	tokens          tokenConfig
	http            httpLimits
	cors            corsOrigins
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "",
		"Serve the graph: POST/GET /graphql (GraphQL over HTTP; GraphiQL for a browser),\n"+
			"/graphiql/, /healthz, /export?format=F, /backup?since=TS. Reads are open; writes (mutations) and backups\n"+
			"need Authorization: Bearer <token>. Stops gracefully on SIGINT or SIGTERM: requests in flight finish\n"+
			"(up to --shutdown-timeout), then the store is closed.")
	var cfg serveConfig
	addCommon(fs, e, &cfg.common, "info")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address (port 0 picks a free port; the log says which)")
	fs.BoolVar(&cfg.demo, "demo", false, "load the built-in demo bundle when the store is empty")
	fs.StringVar(&cfg.demoText, "demo-text", "", "with --demo: the example article's text, attached when its sha256 matches")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to let requests finish on shutdown")
	addTokenFlags(fs, &cfg.tokens)
	addHTTPLimitFlags(fs, &cfg.http)
	fs.Var(&cfg.cors, "cors-origin", "allow browser pages of this `origin` (https://app.example.org) to call the server: repeat it or\n"+
		"give a comma-separated list; * allows any origin. Off by default (no cross-origin access)")
	gcEvery := fs.Duration("vlog-gc-interval", 10*time.Minute, "run the store's value-log garbage collection this often (0 turns it off)")
	blockCache := fs.Int64("block-cache-mib", defaultServeBlockCache, "MiB of decompressed table blocks the store keeps in memory (at least 1)")
	readCache := fs.Int64("read-cache-mib", defaultServeReadCache, "MiB of reads of the latest commit the store keeps until the next commit (0 turns it off)")
	postingCache := fs.Int64("posting-cache-mib", defaultServePostingCache, "MiB of long search posting lists the store keeps decoded, of the latest commit read (0 turns it off)")
	answers := fs.Int("answer-cache", schema.DefaultAnswerCache, "how many answers of queries the server keeps, each until the next commit (0 turns it off)")
	memLimit := fs.Int64("memory-limit-mib", defaultServeMemoryLimit, "soft limit of the Go heap in MiB (runtime/debug.SetMemoryLimit; 0: none); without the flag,\n"+
		"GOMEMLIMIT, when set, decides")
	cfg.tokens.env, cfg.tokens.out = e.getenv("CLAIMGRAPH_TOKENS"), e.stderr
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := cfg.common.checkEngine(fs); err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("serve takes no arguments, got %q", rest)
	}
	if err := cfg.http.check(); err != nil {
		return err
	}
	switch {
	case *gcEvery < 0:
		return usageError("--vlog-gc-interval must be 0 (off) or positive, got %s", *gcEvery)
	case *gcEvery == 0:
		cfg.gcInterval = -1
	default:
		cfg.gcInterval = *gcEvery
	}
	if *blockCache < 1 {
		return usageError("--block-cache-mib must be at least 1, got %d", *blockCache)
	}
	if *readCache < 0 {
		return usageError("--read-cache-mib must be 0 (off) or positive, got %d", *readCache)
	}
	cfg.blockCache, cfg.readCache = *blockCache<<20, *readCache<<20
	if *readCache == 0 {
		cfg.readCache = -1
	}
	if *postingCache < 0 {
		return usageError("--posting-cache-mib must be 0 (off) or positive, got %d", *postingCache)
	}
	cfg.postingCache = *postingCache << 20
	if *postingCache == 0 {
		cfg.postingCache = -1
	}
	if *answers < 0 {
		return usageError("--answer-cache must be 0 (off) or positive, got %d", *answers)
	}
	cfg.answerCache = *answers
	if cfg.answerCache == 0 {
		cfg.answerCache = -1
	}
	if *memLimit < 0 {
		return usageError("--memory-limit-mib must be 0 (none) or positive, got %d", *memLimit)
	}
	memSet := false
	fs.Visit(func(f *flag.Flag) { memSet = memSet || f.Name == "memory-limit-mib" })
	switch { // the previous limit is restored when serve returns (tests run it in-process)
	case memSet && *memLimit == 0:
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	case memSet || e.getenv("GOMEMLIMIT") == "":
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(*memLimit << 20))
	}
	if cfg.demoText != "" && !cfg.demo {
		return usageError("--demo-text needs --demo")
	}
	log, err := cfg.logger(e.stderr)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, log)
}

func serve(ctx context.Context, cfg serveConfig, log zerolog.Logger) error {
	st, err := cfg.open(ctx, false, cfg.tokens.readOnly, log)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			log.Error().Err(cerr).Msg("closing the store")
		}
	}()
	if cfg.demo {
		if err := loadDemo(ctx, st, cfg.demoText, log); err != nil {
			return err
		}
	}
	s, err := schema.New(schema.Config{})
	if err != nil {
		return fmt.Errorf("building the schema: %w", err)
	}
	tokens, generated, err := cfg.tokens.load(log)
	if err != nil {
		return err
	}
	if len(cfg.cors) > 0 {
		log.Info().Strs("origins", cfg.cors).Msg("cross-origin requests allowed (--cors-origin)")
	}
	graphiql := web.GraphiQL()
	mux := http.NewServeMux()
	gql := schema.NewHandler(s, st, schema.HandlerConfig{GraphiQL: graphiql, Tokens: tokens, ReadOnly: cfg.tokens.readOnly, AnswerCache: cfg.answerCache}, log)
	var ms metrics.Store
	if m, ok := st.(metrics.Store); ok {
		ms = m
	}
	mets := metrics.New(ms)
	mux.Handle("/graphql", mets.Wrap("graphql", gql))
	mux.Handle("/export", mets.Wrap("export", newExportHandler(st, log)))
	mux.Handle("/graphiql/", graphiql)
	mux.Handle("GET /healthz", mets.Wrap("healthz", healthz(st)))
	mux.Handle("GET /metrics", mets.Handler())
	mux.Handle("/backup", mets.Wrap("backup", newBackupHandler(st, tokens, log)))
	mux.Handle("/", mets.Wrap("browser", web.New(st, web.Options{
		Extract: articleExtractor,
		GraphQL: gql,
		OnError: func(r *http.Request, err error) {
			log.Error().Err(err).Str("path", r.URL.Path).Msg("browser")
		},
	})))

	ln, err := cfg.http.listen(cfg.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           newCORSPolicy(cfg.cors).wrap(mux),
		ReadHeaderTimeout: cfg.http.readHeaderTimeout,
		ReadTimeout:       cfg.http.readTimeout,
		WriteTimeout:      cfg.http.writeTimeout,
		IdleTimeout:       cfg.http.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          newStdLogger(log),
	}
	addr := ln.Addr().String()
	if cfg.engine != "postgres" { // only the badger directory is locked by a server
		if removeAddr, err := writeServeAddr(cfg.data, addr); err != nil {
			log.Warn().Err(err).Msg("`claimgraph export` will not find this server")
		} else {
			defer removeAddr()
		}
	}
	log.Info().Str("addr", addr).Str("url", "http://"+addr+"/").Str("data", cfg.data).Msg("listening")
	if generated != "" {
		announceToken(cfg.tokens.out, "http://"+addr+"/graphql", generated)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info().Dur("timeout", cfg.shutdownTimeout).Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn().Err(err).Msg("requests still running at the shutdown timeout; closing them")
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	log.Info().Msg("stopped")
	return nil
}

// loadDemo imports the built-in demo bundle into an empty store; a store
// that holds anything is left alone.
func loadDemo(ctx context.Context, st graph.Store, textFile string, log zerolog.Logger) error {
	empty := true
	err := st.View(ctx, func(r graph.Reader) error {
		for _, k := range graph.Kinds {
			p, err := r.List(ctx, k, "", 1)
			if err != nil {
				return err
			}
			if len(p.Keys) > 0 {
				empty = false
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("checking whether the store is empty: %w", err)
	}
	if !empty {
		log.Info().Msg("demo: the store is not empty; the demo bundle is not loaded")
		return nil
	}
	b, err := demo.Bundle()
	if err != nil {
		return err
	}
	if textFile != "" {
		text, err := os.ReadFile(textFile)
		if err != nil {
			return fmt.Errorf("--demo-text: %w", err)
		}
		switch err := demo.AttachText(b, demo.ArticleKey, string(text)); {
		case errors.Is(err, demo.ErrTextMismatch):
			log.Warn().Err(err).Str("file", textFile).Msg("demo: the text is not the article the demo was made from; loading the demo without it")
		case err != nil:
			return fmt.Errorf("--demo-text: %w", err)
		default:
			log.Info().Str("file", textFile).Str("source", demo.ArticleKey).Msg("demo: article text attached")
		}
	}
	res, err := st.Apply(ctx, b.Batch("demo", "built-in demo bundle"))
	if err != nil {
		return fmt.Errorf("loading the demo bundle: %w", err)
	}
	log.Info().Int("nodes", res.Nodes.Added).Int("links", res.Links.Added).Msg("demo: loaded")
	return nil
}

// healthz answers 200 with {"status":"ok","store":"ok"} when a snapshot can
// be opened and read, 503 otherwise.
func healthz(st graph.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		err := st.View(ctx, func(rd graph.Reader) error {
			_, err := rd.List(ctx, graph.KindSource, "", 1)
			return err
		})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		body := map[string]string{"status": "ok", "store": "ok"}
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			body = map[string]string{"status": "unavailable", "store": err.Error()}
		}
		_ = json.NewEncoder(w).Encode(body)
	})
}

// articleExtractor adapts extract.Extract to the browser's ingest page.
func articleExtractor(_ context.Context, text string, m web.ArticleMeta) (*graph.Bundle, []string, error) {
	b, rep, err := extract.Extract(text, extract.Meta{Key: m.Key, Title: m.Title, URL: m.URL, PublishedAt: m.PublishedAt, Publisher: m.Publisher}, extract.Options{})
	if err != nil {
		return nil, nil, err
	}
	return b, rep.Warnings, nil
}

// newStdLogger returns a standard library logger (for http.Server's
// ErrorLog) that writes each line to log as a warning.
func newStdLogger(log zerolog.Logger) *stdlog.Logger {
	return stdlog.New(zerologWriter{log}, "", 0)
}

type zerologWriter struct{ log zerolog.Logger }

func (w zerologWriter) Write(p []byte) (int, error) {
	w.log.Warn().Str("component", "http").Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
