// Command devserver serves the provenance browser the way `claimgraph serve`
// does, for the browser tests while the browser is not yet wired into the
// claimgraph binary: an in-memory store with the demo (and the article's
// text when given), GraphQL with GraphiQL at /graphql, /healthz, and the
// browser at /. It takes the serve flags the tests use and logs the same
// JSON "listening" line.
//
//	go run ./tools/browser/devserver serve --demo --demo-text FILE --addr 127.0.0.1:0
//
// Write tokens come from CLAIMGRAPH_TOKENS ("name:secret,name2:secret2").
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"claimgraph/demo"
	"claimgraph/graph"
	"claimgraph/schema"
	"claimgraph/store"
	"claimgraph/web"

	"github.com/rs/zerolog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "serve" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("devserver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	withDemo := fs.Bool("demo", false, "load the demo bundle")
	demoText := fs.String("demo-text", "", "the example article's text")
	fs.String("data", "", "ignored: the store is in memory")
	fs.String("log-format", "json", "ignored: logs are JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := zerolog.New(os.Stderr).With().Timestamp().Logger()
	st, err := store.Open(ctx, store.Options{InMemory: true, Logger: log.Level(zerolog.WarnLevel)})
	if err != nil {
		return err
	}
	defer st.Close()
	if *withDemo {
		b, err := demo.Bundle()
		if err != nil {
			return err
		}
		if *demoText != "" {
			if err := demo.AttachFile(b, demo.ArticleKey, *demoText); err != nil {
				return err
			}
		}
		if _, err := st.Apply(ctx, b.Batch("demo", "built-in demo bundle")); err != nil {
			return err
		}
	}
	var tokens []schema.Token
	for _, pair := range strings.Split(os.Getenv("CLAIMGRAPH_TOKENS"), ",") {
		if name, secret, ok := strings.Cut(strings.TrimSpace(pair), ":"); ok && name != "" && secret != "" {
			tokens = append(tokens, schema.NewToken(name, secret))
		}
	}
	s, err := schema.New(schema.Config{})
	if err != nil {
		return err
	}
	graphiql := web.GraphiQL()
	gql := schema.NewHandler(s, st, schema.HandlerConfig{GraphiQL: graphiql, Tokens: tokens}, log)
	mux := http.NewServeMux()
	mux.Handle("/graphql", gql)
	mux.Handle("/graphiql/", graphiql)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		err := st.View(r.Context(), func(graph.Reader) error { return nil })
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	mux.Handle("/", web.New(st, web.Options{
		Extract: extractor(),
		GraphQL: gql,
		OnError: func(r *http.Request, err error) {
			log.Error().Err(err).Str("path", r.URL.Path).Msg("web")
		},
	}))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info().Str("addr", ln.Addr().String()).Msg("listening")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
