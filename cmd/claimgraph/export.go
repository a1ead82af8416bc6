package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"

	"claimgraph/export"
	"claimgraph/graph"
	"claimgraph/schema"
)

// This file wires package export to the command line (`claimgraph
// export`), to the server (GET /export) and, while serve holds the data
// directory, the first to the second: serve writes its address to
// DATA/serve.addr and export, finding the directory locked, asks the server.

// serveAddrFile is the file in the data directory where serve records the
// address it listens on, for the commands that find the directory locked.
const serveAddrFile = "serve.addr"

// maxExportForm caps the body of a POST /export (a long ids list).
const maxExportForm = 32 << 20

// maxGetQuery is the longest query string the command line sends with GET;
// longer requests (many --ids) go as a POST form.
const maxGetQuery = 6 << 10

// exportRequest is one export: its format, its scope and its instant. The
// command line and the HTTP endpoint build it from their own parameters
// and run it the same way.
type exportRequest struct {
	format  export.Format
	jsonl   bool
	asOf    time.Time // zero: the latest state
	baseIRI string
	// One scope at most; none is the whole graph.
	trace   string
	depth   int // trace depth; 0 means the default
	speaker string
	ids     []string
	query   string
	// idsFrom names where ids came from in messages ("--ids keys.txt").
	idsFrom string
	// param names a parameter in messages: "--trace" on the command line,
	// "trace" over HTTP.
	param func(name string) string
}

// scopes counts the scopes the request sets.
func (q *exportRequest) scopes() int {
	n := 0
	for _, set := range []bool{q.trace != "", q.speaker != "", q.ids != nil, q.query != ""} {
		if set {
			n++
		}
	}
	return n
}

// check validates what does not need the graph: one scope at most, depth
// only with a trace, jsonl only with the bundle format.
func (q *exportRequest) check() error {
	if q.scopes() > 1 {
		return invalidf("give one scope at most: %s, %s, %s or %s",
			q.param("trace"), q.param("speaker"), q.param("ids"), q.param("query"))
	}
	if q.depth != 0 && q.trace == "" {
		return invalidf("%s applies to %s only", q.param("depth"), q.param("trace"))
	}
	if q.depth < 0 || q.depth > schema.DefaultMaxTraceDepth {
		return invalidf("%s %d: want 1 to %d", q.param("depth"), q.depth, schema.DefaultMaxTraceDepth)
	}
	if q.jsonl && q.format != export.Bundle {
		return invalidf("%s applies to the bundle format only (the jsonl format is already one record a line)", q.param("jsonl"))
	}
	return nil
}

// options returns the export options for the resolved scope.
func (q *exportRequest) options(scope export.Scope) export.Options {
	opt := export.Options{Format: q.format, JSONL: q.jsonl, Scope: scope, BaseIRI: q.baseIRI}
	if !q.asOf.IsZero() {
		opt.AsOf = q.asOf.UTC().Format(time.RFC3339Nano)
	}
	return opt
}

// view runs fn in the request's one snapshot: at asOf, or the latest.
func (q *exportRequest) view(ctx context.Context, st graph.Store, fn func(graph.Reader) error) error {
	if q.asOf.IsZero() {
		return st.View(ctx, fn)
	}
	return st.ViewAt(ctx, q.asOf, fn)
}

// values encodes the request as the parameters of GET /export.
func (q *exportRequest) values() url.Values {
	v := url.Values{"format": {string(q.format)}}
	if q.jsonl {
		v.Set("jsonl", "1")
	}
	if !q.asOf.IsZero() {
		v.Set("asOf", q.asOf.UTC().Format(time.RFC3339Nano))
	}
	if q.baseIRI != "" {
		v.Set("baseIRI", q.baseIRI)
	}
	switch {
	case q.trace != "":
		v.Set("trace", q.trace)
		if q.depth != 0 {
			v.Set("depth", strconv.Itoa(q.depth))
		}
	case q.speaker != "":
		v.Set("speaker", q.speaker)
	case q.ids != nil:
		v.Set("ids", strings.Join(q.ids, ","))
	case q.query != "":
		v.Set("query", q.query)
	}
	return v
}

// exportParams are the parameters GET /export knows.
var exportParams = []string{"format", "jsonl", "asOf", "baseIRI", "trace", "depth", "speaker", "ids", "query"}

// parseExportValues reads the parameters of GET /export: format (required),
// jsonl, asOf, baseIRI, and one of trace (with depth), speaker, ids
// (comma-separated, the parameter may repeat) and query. Unknown
// parameters are refused, so that a typo does not export the whole graph.
func parseExportValues(v url.Values, now time.Time) (*exportRequest, error) {
	q := &exportRequest{param: func(name string) string { return name }}
	var unknown []string
	for k, vs := range v {
		if !slices.Contains(exportParams, k) {
			unknown = append(unknown, strconv.Quote(k))
			continue
		}
		if len(vs) > 1 && k != "ids" {
			return nil, invalidf("parameter %s given %d times", k, len(vs))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, invalidf("unknown parameter %s (parameters: %s)", strings.Join(unknown, ", "), strings.Join(exportParams, ", "))
	}
	f, err := parseFormat(v.Get("format"))
	if err != nil {
		return nil, fmt.Errorf("format: %w", err)
	}
	q.format = f
	switch s := v.Get("jsonl"); s {
	case "", "0", "false":
	case "1", "true":
		q.jsonl = true
	default:
		return nil, invalidf("jsonl %q: want 1 or 0", s)
	}
	if q.asOf, err = parseAsOf(v.Get("asOf"), now); err != nil {
		return nil, fmt.Errorf("asOf: %w", err)
	}
	q.baseIRI = v.Get("baseIRI")
	q.trace = strings.TrimSpace(v.Get("trace"))
	if s := v.Get("depth"); s != "" {
		if q.depth, err = strconv.Atoi(s); err != nil || q.depth == 0 {
			return nil, invalidf("depth %q: want 1 to %d", s, schema.DefaultMaxTraceDepth)
		}
	}
	q.speaker = strings.TrimSpace(v.Get("speaker"))
	if vs, ok := v["ids"]; ok {
		q.ids = []string{}
		for _, s := range vs {
			for _, k := range strings.Split(s, ",") {
				if k = strings.TrimSpace(k); k != "" {
					q.ids = append(q.ids, k)
				}
			}
		}
		q.idsFrom = "ids"
	}
	q.query = v.Get("query")
	return q, q.check()
}

// parseFormat returns the export format named s.
func parseFormat(s string) (export.Format, error) {
	f, err := export.ParseFormat(s)
	if err != nil {
		names := make([]string, len(export.Formats))
		for i, f := range export.Formats {
			names[i] = string(f)
		}
		what := fmt.Sprintf("unknown format %q", s)
		if s == "" {
			what = "no format given"
		}
		return "", invalidf("%s: want %s", what, strings.Join(names, ", "))
	}
	return f, nil
}

// inputError is a message that wraps a sentinel error of package graph
// (ErrInvalid: 400 over HTTP; ErrNotFound: 404) without repeating its text.
type inputError struct {
	msg  string
	kind error
}

func (e *inputError) Error() string { return e.msg }
func (e *inputError) Unwrap() error { return e.kind }

func invalidf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...), kind: graph.ErrInvalid}
}

func notFoundf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...), kind: graph.ErrNotFound}
}

// parseAsOf reads an instant: an RFC 3339 date-time, a date-time without
// zone ("2026-01-26T19:47", UTC) or a date ("2026-01-26": the end of that
// day, UTC), as the browser's asOf. An instant after now is now: the
// export is then of the latest state, and says so. Empty is the zero time.
func parseAsOf(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, ok := graph.ParseAsOf(s)
	if !ok || t.Year() < 1970 {
		return time.Time{}, invalidf("%q is not a time (use 2026-01-26T19:47:00Z, or a date for the end of that day, UTC)", s)
	}
	if t.After(now) {
		return time.Time{}, nil
	}
	return t, nil
}

// resolveScope turns the request's scope into the keys to export, read in
// r; st serves the snapshots that a query's asOf fields open. Every key
// must exist: the error names the unknown ones and wraps graph.ErrNotFound.
func resolveScope(ctx context.Context, r graph.Reader, st graph.Store, q *exportRequest, log zerolog.Logger) (export.Scope, error) {
	var (
		keys       []string
		from, root string
		err        error
	)
	switch {
	case q.trace != "":
		from, root = q.param("trace"), q.trace
		keys, err = traceKeys(ctx, r, q.trace, q.depth, log)
	case q.speaker != "":
		from, root = q.param("speaker"), q.speaker
		keys, err = speakerKeys(ctx, r, q.speaker)
	case q.ids != nil:
		from = q.idsFrom
		if len(q.ids) == 0 {
			return export.Scope{}, invalidf("%s names no keys", from)
		}
		keys = q.ids
	case q.query != "":
		from = q.param("query")
		keys, err = queryKeys(ctx, r, st, q.query, log)
		if err == nil && len(keys) == 0 {
			err = invalidf("the result of %s holds no id: select the id of the nodes to export", from)
		}
	default:
		return export.Scope{All: true}, nil
	}
	if root != "" && errors.Is(err, graph.ErrNotFound) {
		return export.Scope{}, notFoundf("%s: unknown key %q", from, root)
	}
	if err != nil {
		return export.Scope{}, fmt.Errorf("%s: %w", from, err)
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if err := checkKeys(ctx, r, keys, from); err != nil {
		return export.Scope{}, err
	}
	return export.Scope{Keys: keys}, nil
}

// checkKeys returns an error naming the keys that no node has (a key merged
// into another node counts as that node).
func checkKeys(ctx context.Context, r graph.Reader, keys []string, from string) error {
	const page = 512
	var missing []string
	for start := 0; start < len(keys); start += page {
		chunk := keys[start:min(start+page, len(keys))]
		nodes, err := r.Nodes(ctx, chunk)
		if err != nil {
			return fmt.Errorf("%s: %w", from, err)
		}
		for i, n := range nodes {
			if n == nil {
				missing = append(missing, chunk[i])
			}
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return notFoundf("%s: unknown key %q", from, missing[0])
	}
	shown := missing
	more := ""
	if len(shown) > 10 {
		shown, more = shown[:10], fmt.Sprintf(" and %d more", len(missing)-10)
	}
	return notFoundf("%s: %d unknown keys: %s%s", from, len(missing), strings.Join(shown, ", "), more)
}

// traceKeys returns the nodes of the trace from key: its root and the ends
// of its hops.
func traceKeys(ctx context.Context, r graph.Reader, key string, depth int, log zerolog.Logger) ([]string, error) {
	t, err := graph.TraceFrom(ctx, r, key, graph.TraceOptions{MaxDepth: depth})
	if err != nil {
		return nil, err
	}
	if t.Truncated {
		log.Warn().Str("trace", key).Msg("the trace was cut at its depth or node limit; the export holds the part walked")
	}
	keys := []string{t.Root}
	for _, h := range t.Hops {
		keys = append(keys, h.From, h.To)
	}
	return keys, nil
}

// speakerKeys returns a person or organisation, the quotes it spoke and the
// figures it stated.
func speakerKeys(ctx context.Context, r graph.Reader, key string) ([]string, error) {
	n, err := r.Node(ctx, key)
	if err != nil {
		return nil, err
	}
	if !n.NodeKind().IsAgent() {
		return nil, invalidf("%q is a %s, not a person or organisation", key, n.NodeKind())
	}
	agent := n.NodeKey() // a merged key stands for the node it was merged into
	keys := []string{agent}
	const page = 1000
	for _, rel := range []graph.Relation{graph.RelSpeaker, graph.RelStatedBy} {
		after := ""
		for {
			es, err := r.Edges(ctx, graph.EdgeQuery{Key: agent, Dir: graph.In, Relations: []graph.Relation{rel}, After: after, Limit: page})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				keys = append(keys, e.From)
			}
			if len(es) < page {
				break
			}
			after = es[len(es)-1].From
		}
	}
	return keys, nil
}

// pinnedStore is a store whose View is the export's snapshot, so that a
// scope query reads exactly what the export writes. ViewAt (a query's asOf
// fields) goes to the store; writes are refused.
type pinnedStore struct {
	graph.Store
	r graph.Reader
}

// View implements graph.Store with the pinned snapshot.
func (p pinnedStore) View(_ context.Context, fn func(graph.Reader) error) error { return fn(p.r) }

// Apply implements graph.Store: an export writes nothing.
func (p pinnedStore) Apply(context.Context, *graph.Batch) (graph.ApplyResult, error) {
	return graph.ApplyResult{}, invalidf("an export's query cannot write")
}

// queryKeys runs a GraphQL query in process, on the snapshot r, through the
// same handler and limits as the server (and without a token, so no
// mutation), and returns every "id" string found anywhere in its result.
func queryKeys(ctx context.Context, r graph.Reader, st graph.Store, query string, log zerolog.Logger) ([]string, error) {
	s, err := schema.New(schema.Config{})
	if err != nil {
		return nil, fmt.Errorf("building the schema: %w", err)
	}
	h := schema.NewHandler(s, pinnedStore{Store: st, r: r}, schema.HandlerConfig{}, log)
	body, err := json.Marshal(map[string]string{"query": query})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.RemoteAddr = "export"
	rec := newRecorder()
	h.ServeHTTP(rec, req)
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &res); err != nil {
		return nil, invalidf("the query was refused (HTTP %d): %s", rec.status, shorten(rec.body.String(), 200))
	}
	if len(res.Errors) > 0 {
		msgs := make([]string, 0, len(res.Errors))
		for _, e := range res.Errors {
			msgs = append(msgs, e.Message)
		}
		return nil, invalidf("the query failed: %s", strings.Join(msgs, "; "))
	}
	var data any
	if len(res.Data) > 0 {
		if err := json.Unmarshal(res.Data, &data); err != nil {
			return nil, err
		}
	}
	var keys []string
	collectIDs(data, &keys)
	return keys, nil
}

// collectIDs appends every string value of an "id" member, at any depth.
func collectIDs(v any, keys *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["id"].(string); ok {
			*keys = append(*keys, id)
		}
		for _, c := range x {
			collectIDs(c, keys)
		}
	case []any:
		for _, c := range x {
			collectIDs(c, keys)
		}
	}
}

func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// readIDs reads keys one a line; blank lines and everything from a # are
// ignored.
func readIDs(r io.Reader) ([]string, error) {
	keys := []string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			keys = append(keys, line)
		}
	}
	return keys, sc.Err()
}

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "",
		"Export the graph, or part of it, from one consistent snapshot.\n"+
			"Formats: bundle (bundle/1 JSON, or JSON Lines with --jsonl; imports back byte for byte),\n"+
			"jsonl (a record a node and a link), prov-json, prov-o (Turtle), graphml, claimreview\n"+
			"(JSON-LD): one stream, to standard output or --out FILE; csv, parquet and notebook\n"+
			"(tables, datapackage.json and a README): a directory, --out DIR (new or empty).\n"+
			"Scope: the whole graph, or one of --trace, --speaker, --ids, --query, closed over\n"+
			"references so that the export is self-contained. While `claimgraph serve` holds the\n"+
			"data directory, the export is made by the server (GET /export).")
	var c common
	addCommon(fs, e, &c, "warn")
	format := fs.String("format", "", "export `format`: bundle, jsonl, prov-json, prov-o, graphml, claimreview, csv, parquet or notebook")
	out := fs.String("out", "", "output `path`: a file for a single-stream format (default standard output), a new or empty directory for csv, parquet and notebook")
	jsonl := fs.Bool("jsonl", false, "write the bundle format as JSON Lines")
	asOf := fs.String("as-of", "", "export the graph as it stood at this `time`: RFC 3339, or a date (the end of that day, UTC)")
	baseIRI := fs.String("base-iri", "", "`IRI` prefix of node keys in PROV and ClaimReview (default "+export.DefaultBaseIRI+")")
	trace := fs.String("trace", "", "export the trace from this quote, claim or figure `ID`: its root and every hop's ends")
	depth := fs.Int("depth", graph.DefaultTraceDepth, fmt.Sprintf("with --trace: the trace's maximum `depth`, at most %d", schema.DefaultMaxTraceDepth))
	speaker := fs.String("speaker", "", "export this person or organisation `ID`, the quotes it spoke and the figures it stated")
	idsFile := fs.String("ids", "", "export the keys listed in `FILE`, one a line (# comments and blank lines ignored; - reads standard input)")
	query := fs.String("query", "", "export the nodes whose id the result of this `GRAPHQL` query holds, anywhere (- reads standard input)")
	if err := parseStoreFlags(fs, &c, args, "the output is --out PATH"); err != nil {
		return err
	}
	if *format == "" {
		fs.Usage()
		return usageError("export: --format is required")
	}
	q := &exportRequest{
		jsonl: *jsonl, baseIRI: *baseIRI, trace: *trace, speaker: *speaker, query: *query,
		param: func(name string) string { return "--" + name },
	}
	depthSet := false
	fs.Visit(func(f *flag.Flag) { depthSet = depthSet || f.Name == "depth" })
	if depthSet { // 0, the default, unless given
		if *depth < 1 {
			return usageError("--depth %d: want 1 to %d", *depth, schema.DefaultMaxTraceDepth)
		}
		q.depth = *depth
	}
	var err error
	if q.format, err = parseFormat(*format); err != nil {
		return usageError("--format: %v", err)
	}
	if q.asOf, err = parseAsOf(*asOf, time.Now()); err != nil {
		return usageError("--as-of: %v", err)
	}
	if *idsFile != "" {
		q.ids = []string{} // set, even if the file turns out empty
	}
	if err := q.check(); err != nil {
		return usageError("export: %v", err)
	}
	if *out == "-" {
		*out = ""
	}
	if q.format.IsDir() {
		if *out == "" {
			return usageError("export: --format %s writes a directory: give --out DIR", q.format)
		}
		if err := checkOutDir(*out); err != nil {
			return &exitError{code: 1, err: err}
		}
	} else if *out != "" {
		if fi, err := os.Stat(*out); err == nil && fi.IsDir() {
			return usageError("export: --out %s is a directory; --format %s writes one file", *out, q.format)
		}
	}
	if *idsFile != "" {
		q.idsFrom = "--ids " + *idsFile
		if q.ids, err = readIDsFile(e, *idsFile); err != nil {
			return &exitError{code: 1, err: err}
		}
		if len(q.ids) == 0 {
			return &exitError{code: 1, err: fmt.Errorf("%s names no keys", q.idsFrom)}
		}
	}
	if q.query == "-" {
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return fmt.Errorf("reading the query from standard input: %w", err)
		}
		q.query = string(b)
	}
	if *query != "" && strings.TrimSpace(q.query) == "" {
		return usageError("export: --query is empty")
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}

	st, err := c.open(ctx, true, true, log)
	if errors.Is(err, graph.ErrLocked) {
		addr, aerr := readServeAddr(c.data)
		if aerr != nil {
			return err // no server recorded: say plainly that the directory is in use
		}
		log.Info().Str("server", addr).Msg("the data directory is held by a server; exporting through it")
		return exportViaServer(ctx, e, c.data, addr, q, *out)
	}
	if err != nil {
		return err
	}
	defer closeLogged(st, log)
	return q.view(ctx, st, func(r graph.Reader) error {
		scope, err := resolveScope(ctx, r, st, q, log)
		if err != nil {
			return err
		}
		opt := q.options(scope)
		progress, done := exportProgress(e, "exporting "+string(q.format))
		defer done()
		opt.Progress = progress
		switch {
		case q.format.IsDir():
			return export.WriteDir(ctx, r, opt, *out)
		case *out == "":
			return export.Write(ctx, r, opt, e.stdout)
		default:
			return writeFileAtomic(*out, func(w io.Writer) error { return export.Write(ctx, r, opt, w) })
		}
	})
}

// readIDsFile reads the keys of --ids FILE (- for standard input).
func readIDsFile(e *env, name string) ([]string, error) {
	in := e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("--ids: %w", err)
		}
		defer f.Close()
		in = f
	}
	keys, err := readIDs(in)
	if err != nil {
		return nil, fmt.Errorf("--ids %s: %w", name, err)
	}
	return keys, nil
}

// checkOutDir accepts a directory that does not exist or is empty.
func checkOutDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--out: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("--out %s is not empty: give a new or empty directory", dir)
	}
	return nil
}

// writeFileAtomic writes name through a temporary file beside it, renamed
// into place only when write succeeds: a failed export leaves no file.
func writeFileAtomic(name string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// exportProgress returns an export.Options.Progress that draws a bar on a
// terminal (nil in a pipe), and a function that clears it.
func exportProgress(e *env, desc string) (func(done, total int), func()) {
	if !isTerminal(e.stderr) {
		return nil, func() {}
	}
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	shown := -1
	return func(done, total int) {
			if total != shown && total > 0 {
				shown = total
				bar.ChangeMax(total)
			}
			_ = bar.Set(done)
		}, func() {
			_ = bar.Finish()
		}
}

// exportViaServer makes the export through the server that holds the data
// directory, at addr, and writes it where the command line asks: standard
// output, a file, or a directory (the archive unpacked).
func exportViaServer(ctx context.Context, e *env, dir, addr string, q *exportRequest, out string) error {
	v := q.values()
	u := "http://" + addr + "/export"
	var req *http.Request
	var err error
	if enc := v.Encode(); len(enc) <= maxGetQuery {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u+"?"+enc, nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(enc))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return err
	}
	// The server is local: never through a proxy from the environment.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("the data directory %s is held by `claimgraph serve` at %s (%s), which did not answer: %w",
			dir, addr, filepath.Join(dir, serveAddrFile), err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var body struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &body) == nil && body.Error != "" {
			return &exitError{code: 1, err: errors.New(q.flagMessage(body.Error))}
		}
		return &exitError{code: 1, err: fmt.Errorf("the server at %s answered %s: %s", addr, resp.Status, shorten(string(b), 200))}
	}
	var body io.Reader = resp.Body
	if isTerminal(e.stderr) {
		bar := progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("exporting "+string(q.format)+" through the server"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionClearOnFinish(),
		)
		defer func() { _ = bar.Finish() }()
		pr := progressbar.NewReader(resp.Body, bar)
		body = &pr
	}
	switch {
	case q.format.IsDir():
		return unpackArchive(body, q.format, out)
	case out == "":
		_, err := io.Copy(e.stdout, body)
		return err
	default:
		return writeFileAtomic(out, func(w io.Writer) error {
			_, err := io.Copy(w, body)
			return err
		})
	}
}

// flagMessage rewrites a server's message about a parameter ("trace:
// unknown key ...") as the command line names it ("--trace: ...").
func (q *exportRequest) flagMessage(msg string) string {
	for _, p := range []string{"trace", "depth", "speaker", "ids", "query"} {
		if rest, ok := strings.CutPrefix(msg, p+":"); ok {
			label := q.param(p)
			if p == "ids" && q.idsFrom != "" {
				label = q.idsFrom
			}
			return label + ":" + rest
		}
	}
	return msg
}

// unpackArchive writes the files of an export archive (WriteArchive: one
// folder claimgraph-FORMAT/) into dir, which must be new or empty. On error
// what was written is removed.
func unpackArchive(body io.Reader, format export.Format, dir string) (err error) {
	tmp, err := os.CreateTemp("", "claimgraph-export-*.zip")
	if err != nil {
		return err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	size, err := io.Copy(tmp, body)
	if err != nil {
		return fmt.Errorf("reading the export from the server: %w", err)
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		return fmt.Errorf("reading the export from the server: %w", err)
	}
	if err := checkOutDir(dir); err != nil {
		return err
	}
	created := false
	if _, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var written []string
	defer func() {
		if err == nil {
			return
		}
		for _, p := range slices.Backward(written) {
			os.Remove(p)
		}
		if created {
			os.RemoveAll(dir)
		}
	}()
	prefix := "claimgraph-" + string(format) + "/"
	for _, f := range zr.File {
		rel, ok := strings.CutPrefix(f.Name, prefix)
		if !ok || !filepath.IsLocal(filepath.FromSlash(rel)) {
			return fmt.Errorf("the server's archive holds an unexpected file %q", f.Name)
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if d := filepath.Dir(p); d != filepath.Clean(dir) {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			written = append(written, d)
		}
		if err := unpackFile(f, p); err != nil {
			written = append(written, p)
			return err
		}
		written = append(written, p)
	}
	return nil
}

func unpackFile(f *zip.File, path string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, rc); err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	return w.Close()
}

// writeServeAddr records the address serve listens on in the data
// directory (an unspecified host as the loopback address, where a local
// client reaches it) and returns the function that removes the record.
func writeServeAddr(dir, addr string) (func(), error) {
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			if ip.To4() != nil {
				host = "127.0.0.1"
			} else {
				host = "::1"
			}
			addr = net.JoinHostPort(host, port)
		}
	}
	path := filepath.Join(dir, serveAddrFile)
	content := addr + "\n"
	if err := writeFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, content)
		return err
	}); err != nil {
		return nil, fmt.Errorf("recording the address in %s: %w", path, err)
	}
	return func() {
		// Only our own record: a later server may have replaced it.
		if b, err := os.ReadFile(path); err == nil && string(b) == content {
			_ = os.Remove(path)
		}
	}, nil
}

// readServeAddr returns the address a running serve recorded in the data
// directory.
func readServeAddr(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, serveAddrFile))
	if err != nil {
		return "", err
	}
	addr := strings.TrimSpace(string(b))
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", fmt.Errorf("%s: %w", serveAddrFile, err)
	}
	return addr, nil
}

// exportHandler serves GET /export: the export that the parameters ask for,
// streamed from one snapshot.
type exportHandler struct {
	st  graph.Store
	log zerolog.Logger
	now func() time.Time
}

// newExportHandler returns the handler of /export:
//
//	GET /export?format=F[&jsonl=1][&asOf=T][&baseIRI=I][&trace=ID[&depth=N]|&speaker=ID|&ids=K1,K2|&query=GRAPHQL]
//
// A single-stream format is sent with its media type, a directory format
// as a zip archive, both as an attachment named by export.FileName. POST
// with the same parameters as a form body serves long ids lists. Reads are
// open, as GraphQL reads are. Errors found before the first byte (a bad
// parameter: 400; an unknown key: 404) are JSON {"error": "..."}; an error
// later aborts the response, so that a client sees a broken transfer
// rather than a short file.
func newExportHandler(st graph.Store, log zerolog.Logger) http.Handler {
	return &exportHandler{st: st, log: log, now: time.Now}
}

// ServeHTTP implements http.Handler.
func (h *exportHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxExportForm)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeJSONError(w, http.StatusMethodNotAllowed, "/export answers GET (or POST with a form body)")
		return
	}
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status = http.StatusRequestEntityTooLarge
		}
		writeJSONError(w, status, "reading the parameters: "+err.Error())
		return
	}
	q, err := parseExportValues(r.Form, h.now())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	// An export may outlast the server's write timeout: lift it for this
	// response (a writer without deadlines says so and is left alone).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	lw := &lazyResponse{w: w}
	err = q.view(ctx, h.st, func(rd graph.Reader) error {
		scope, err := resolveScope(ctx, rd, h.st, q, h.log)
		if err != nil {
			return err
		}
		opt := q.options(scope)
		lw.start = func() {
			hd := w.Header()
			hd.Set("Content-Type", export.ContentTypeFor(opt))
			hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": export.FileName(opt)}))
			hd.Set("X-Content-Type-Options", "nosniff")
			hd.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
		}
		switch {
		case r.Method == http.MethodHead:
			return nil
		case q.format.IsDir():
			return export.WriteArchive(ctx, rd, opt, lw)
		default:
			return export.Write(ctx, rd, opt, lw)
		}
	})
	switch {
	case err == nil:
		lw.begin()
	case !lw.started:
		status, msg := exportStatus(err)
		if status >= 500 {
			h.log.Error().Err(err).Str("query", r.URL.RawQuery).Msg("export")
		}
		if ctx.Err() == nil {
			writeJSONError(w, status, msg)
		}
	default:
		if ctx.Err() == nil {
			h.log.Error().Err(err).Str("query", r.URL.RawQuery).Msg("export failed after its first byte; response aborted")
		}
		// Without the end of the chunked stream the client sees an error.
		panic(http.ErrAbortHandler)
	}
}

// exportStatus maps an export error to its HTTP status and message.
func exportStatus(err error) (int, string) {
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, graph.ErrInvalid), errors.Is(err, graph.ErrLimit):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the export timed out"
	}
	return http.StatusInternalServerError, "internal error"
}

// lazyResponse sends the headers (start) on the first byte, so that an
// error found before it can still be a JSON error with its status.
type lazyResponse struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (l *lazyResponse) begin() {
	if !l.started {
		l.started = true
		if l.start != nil {
			l.start()
		}
	}
}

func (l *lazyResponse) Write(p []byte) (int, error) {
	l.begin()
	return l.w.Write(p)
}

// writeJSONError answers {"error": msg} with the status.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
