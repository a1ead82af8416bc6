// Command claimgraph is the claim-and-quote provenance graph database: one
// binary that holds the graph in an embedded Badger store and serves it over
// GraphQL.
//
// Usage:
//
//	claimgraph serve   [--data DIR] [--addr HOST:PORT] [--demo] [--demo-text FILE] [--tokens-file FILE] [--read-only]
//	claimgraph import  [--data DIR] [--allow-unknown] [--dry-run] [--json] FILE...   (- for stdin)
//	claimgraph query   [--data DIR] [--var NAME=VALUE]... [--operation NAME] 'GRAPHQL'
//	claimgraph export  [--data DIR] --format F [--out PATH] [--jsonl] [--as-of T] [--base-iri IRI]
//	                   [--trace ID [--depth N] | --speaker ID | --ids FILE | --query 'GRAPHQL']
//	claimgraph stats   [--data DIR] [--json]
//	claimgraph verify  [--data DIR] [--json] [--max-problems N]
//	claimgraph backup  [--data DIR | --server URL --token T] [--since TS|FILE] --out FILE
//	claimgraph restore --data DIR [--force] FILE...
//	claimgraph token   [--stdin] NAME
//	claimgraph gen     [--quotes N] [--seed S] [--out FILE]
//	claimgraph version [--json]
//
// Every command that reads or writes the graph takes --data (default
// ./claimgraph-data, or $CLAIMGRAPH_DATA), --encryption-key-file,
// --log-format json|console and --log-level. Flags may come before or after the arguments. Logs go to
// standard error as zerolog JSON unless --log-format console; results go to
// standard output.
//
// Exit status: 0 on success, 1 on failure (an invalid bundle, a query that
// answered with errors, a locked data directory ...), 2 on a usage error.
//
// The command line is parsed with the standard library's flag package, one
// FlagSet per subcommand, with flags allowed after positional arguments.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfiles := startProfiles(os.Getenv, os.Stderr)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stopProfiles()
	stop()
	os.Exit(report(err, os.Stderr))
}

// report prints err (unless it was already reported) and returns the exit
// status for it.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && !ee.quiet {
			fmt.Fprintf(stderr, "claimgraph: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "claimgraph: %v\n", err)
	return 1
}

// exitError carries an exit status. quiet means the message was already
// written (a usage text, a list of problems, a query's JSON errors).
type exitError struct {
	code  int
	err   error
	quiet bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError is a mistake on the command line: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a subcommand may touch of the process: no globals.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "serve the graph over GraphQL and HTTP", runServe},
		{"import", "import bundles (JSON or JSON Lines) into the data directory", runImport},
		{"extract", "print a draft bundle extracted from a news article (text or HTML)", runExtract},
		{"ingest", "extract news articles and import them, matching people and organisations", runIngest},
		{"query", "run a GraphQL query against the data directory and print the JSON result", runQuery},
		{"export", "export the graph or part of it: bundle, jsonl, csv, parquet, notebook, PROV, GraphML, ClaimReview", runExport},
		{"stats", "count what the data directory holds, by kind", runStats},
		{"verify", "check that records, adjacency and every index of the data directory agree", runVerify},
		{"backup", "write a full or incremental backup of the data directory, or of a running server", runBackup},
		{"restore", "restore backups into a new data directory", runRestore},
		{"token", "make a write token and its hashed line for --tokens-file", runToken},
		{"gen", "write a synthetic news-shaped corpus (bundle JSON Lines) for benchmarks", runGen},
		{"version", "print the version, commit and Go version", runVersion},
	}
}

// run is the whole program: it parses args (without the program name),
// runs the subcommand and returns its error. ctx is cancelled on SIGINT or
// SIGTERM.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return &exitError{code: 2, quiet: true}
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			// "claimgraph help import" prints the command's flags.
			return run(ctx, []string{args[1], "--help"}, getenv, stdin, stdout, stderr)
		}
		printUsage(stdout)
		return nil
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	printUsage(stderr)
	return usageError("unknown command %q", name)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "claimgraph: a claim-and-quote provenance graph database")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: claimgraph COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "`claimgraph COMMAND --help` lists a command's flags.")
}
