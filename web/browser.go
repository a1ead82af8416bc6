package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"claimgraph/graph"
)

// Options configure the provenance browser that [New] returns.
type Options struct {
	// Extract turns a pasted article into a draft bundle for the ingest
	// page (wire claimgraph/extract's Extract here). Nil disables the
	// ingest page: it then says that extraction is not available.
	Extract ExtractFunc
	// GraphQL is the GraphQL-over-HTTP handler that an ingest commit is
	// sent to, in process, as POST /graphql with the importBundle mutation
	// and the token the user typed as a bearer token; the handler checks
	// the token and writes. Nil disables committing.
	GraphQL http.Handler
	// OnError, when set, is told about every error answered with a 5xx
	// status (the page shows a short message). Tokens never reach it.
	OnError func(r *http.Request, err error)
	// Now is the clock for permalinks (default time.Now).
	Now func() time.Time
	// MaxScan caps how many nodes of one kind a search scans while the
	// store has no full-text index (default 20000).
	MaxScan int
}

// ExtractFunc extracts a draft bundle (one source holding the text, its
// people, organisations, quotes, figures and claims) from an article's
// text, with warnings for the curator (things to check). Wire
// claimgraph/extract's Extract, returning its Report's Warnings.
type ExtractFunc func(ctx context.Context, text string, meta ArticleMeta) (*graph.Bundle, []string, error)

// ArticleMeta is what a user tells the ingest page about a pasted article.
// Empty fields are left for the extractor to detect or omit.
type ArticleMeta struct {
	Key         string // the source's key
	Title       string
	URL         string
	PublishedAt string // RFC 3339 date or date-time
	Publisher   string // name of the outlet
}

// Page size limits: lists on a node page show at most listLimit entries and
// say how many there are.
const (
	listLimit      = 200
	searchPerKind  = 50
	defaultMaxScan = 20000
)

// browser is the handler New returns.
type browser struct {
	st   graph.Store
	opt  Options
	tpl  map[string]*template.Template
	mux  *http.ServeMux
	stat *staticFiles
}

// New returns the provenance browser: server-rendered HTML pages over the
// graph in st, read through graph.Reader snapshots, that work without
// JavaScript (only the trace drawing needs it), with every asset embedded.
// Mount it at "/" beside the GraphQL endpoint. Routes:
//
//	GET  /                 search form; /?q=words shows the results grouped by kind
//	GET  /n/{id}           the page of any node: person, organisation, source, quote, claim, figure
//	GET  /trace/{id}       the provenance trace of a node, drawn and as a list
//	GET  /ingest           paste an article and its metadata
//	POST /ingest           the extracted draft, highlighted, with speakers to fix
//	POST /ingest/commit    sends the draft to GraphQL importBundle with the typed token
//	GET  /static/...       stylesheet, scripts and vendored Cytoscape.js
//
// Every page takes asOf (an RFC 3339 time, a datetime-local value read as
// UTC, or a date meaning the end of that day, UTC) and then reads the graph
// through Store.ViewAt; internal links keep it. Every page has a permalink
// (the same URL pinned to the instant it was read) and export links of the
// form /export?format=F&ids=K1,K2 or /export?format=F&trace=K, to be served
// by the export endpoint.
func New(st graph.Store, opt Options) http.Handler {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxScan <= 0 {
		opt.MaxScan = defaultMaxScan
	}
	stat := newStaticFiles()
	b := &browser{st: st, opt: opt, tpl: parseTemplates(stat), stat: stat}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", b.search)
	mux.HandleFunc("GET /n/{id}", b.node)
	mux.HandleFunc("GET /trace/{id}", b.trace)
	mux.HandleFunc("GET /ingest", b.ingestForm)
	mux.HandleFunc("POST /ingest", b.ingestPreview)
	mux.HandleFunc("POST /ingest/commit", b.ingestCommit)
	mux.Handle("GET /static/", b.stat)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, b.stat.url("favicon.svg"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /", b.notFound)
	b.mux = mux
	return b
}

// ServeHTTP implements http.Handler.
func (b *browser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mux.ServeHTTP(w, r)
}

//go:embed templates static
var browserFS embed.FS

// parseTemplates parses every page with the layout. A parse error is a
// build-time bug, so it panics (caught by every test).
func parseTemplates(stat *staticFiles) map[string]*template.Template {
	funcs := template.FuncMap{
		"asset":      stat.url,
		"kindName":   func(k graph.Kind) string { return kindTitle(k) },
		"join":       strings.Join,
		"fmtValue":   formatValue,
		"plural":     plural,
		"add":        func(a, b int) int { return a + b },
		"reasonText": reasonText,
		"relText":    func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(browserFS, "templates/layout.html", "templates/parts.html"))
	pages, err := fs.Glob(browserFS, "templates/page_*.html")
	if err != nil || len(pages) == 0 {
		panic(fmt.Sprintf("web: no page templates embedded: %v", err))
	}
	out := make(map[string]*template.Template, len(pages))
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/page_"), ".html")
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(browserFS, p))
	}
	return out
}

// page is what every page shows around its content: the title, the asOf
// picker, the permalink and the export links. Page views embed it, so its
// methods are available in every template.
type page struct {
	Title string
	// Path is the request's path; query holds the parameters that the
	// page's permalink and asOf picker keep (q), without asOf.
	Path  string
	query url.Values
	// AsOf is the instant asked for; zero when the page shows the graph as
	// it is now.
	AsOf time.Time
	// ReadAt is the instant the page was read (AsOf, or now).
	ReadAt time.Time
	// Export names the page's scope for export links: ids or a trace root.
	ExportIDs   []string
	ExportTrace string
	// Nav marks the current section in the header ("search", "ingest").
	Nav string
	// SearchText is the search box's value.
	SearchText string
}

// asOfParam renders an instant for URLs, exactly.
func asOfParam(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// HasAsOf reports whether the page shows a past state of the graph.
func (p *page) HasAsOf() bool { return !p.AsOf.IsZero() }

// AsOfParam is AsOf as written in URLs.
func (p *page) AsOfParam() string { return asOfParam(p.AsOf) }

// AsOfText is AsOf for people ("2026-01-26 19:47:00 UTC").
func (p *page) AsOfText() string { return p.AsOf.UTC().Format("2006-01-02 15:04:05 MST") }

// ReadAtText is ReadAt for people.
func (p *page) ReadAtText() string { return p.ReadAt.UTC().Format("2006-01-02 15:04:05 MST") }

// AsOfInput is AsOf as a datetime-local value (UTC, to the second).
func (p *page) AsOfInput() string {
	if p.AsOf.IsZero() {
		return ""
	}
	return p.AsOf.UTC().Format("2006-01-02T15:04:05")
}

// Link returns an internal URL (path plus an optional query) that keeps
// the page's asOf.
func (p *page) Link(path string) string {
	if p.AsOf.IsZero() {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "asOf=" + url.QueryEscape(asOfParam(p.AsOf))
}

// Node returns the URL of a node's page.
func (p *page) Node(key string) string { return p.Link("/n/" + url.PathEscape(key)) }

// TraceURL returns the URL of a node's trace page.
func (p *page) TraceURL(key string) string { return p.Link("/trace/" + url.PathEscape(key)) }

// Hidden lists the parameters that the asOf picker's form must keep.
func (p *page) Hidden() map[string]string {
	out := map[string]string{}
	for k, v := range p.query {
		if k != "asOf" && len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

// withQuery returns the page's path with its kept parameters and extra.
func (p *page) withQuery(extra url.Values) string {
	v := url.Values{}
	for k, vs := range p.query {
		if k != "asOf" {
			v[k] = vs
		}
	}
	for k, vs := range extra {
		v[k] = vs
	}
	if len(v) == 0 {
		return p.Path
	}
	return p.Path + "?" + v.Encode()
}

// Permalink is the page's URL pinned to the instant it was read.
func (p *page) Permalink() string {
	return p.withQuery(url.Values{"asOf": {asOfParam(p.ReadAt)}})
}

// NowURL is the page's URL without asOf: the graph as it is now.
func (p *page) NowURL() string { return p.withQuery(nil) }

// exportLink is one export link of a page.
type exportLink struct {
	Label, Format, URL string
}

// exportFormats are the formats every page offers, in order.
var exportFormats = []struct{ format, label string }{
	{"bundle", "Bundle (JSON)"},
	{"csv", "CSV"},
	{"parquet", "Parquet"},
	{"prov-json", "PROV-JSON"},
}

// Exports lists the page's export links, empty when the page has no scope.
func (p *page) Exports() []exportLink {
	v := url.Values{}
	switch {
	case p.ExportTrace != "":
		v.Set("trace", p.ExportTrace)
	case len(p.ExportIDs) > 0:
		v.Set("ids", strings.Join(p.ExportIDs, ","))
	default:
		return nil
	}
	if !p.AsOf.IsZero() {
		v.Set("asOf", asOfParam(p.AsOf))
	}
	out := make([]exportLink, 0, len(exportFormats))
	for _, f := range exportFormats {
		v.Set("format", f.format)
		out = append(out, exportLink{Label: f.label, Format: f.format, URL: "/export?" + encodeOrdered(v)})
	}
	return out
}

// encodeOrdered encodes v with format first, then the scope, then asOf,
// which reads better than url.Values' alphabetical order.
func encodeOrdered(v url.Values) string {
	var parts []string
	for _, k := range []string{"format", "ids", "trace", "asOf"} {
		if s := v.Get(k); s != "" {
			parts = append(parts, k+"="+url.QueryEscape(s))
		}
	}
	return strings.Join(parts, "&")
}

// errBadAsOf wraps every asOf that cannot be read.
var errBadAsOf = errors.New("bad asOf")

// parseAsOf reads the asOf parameter with graph.ParseAsOf: an RFC 3339
// date-time, a datetime-local value ("2026-01-26T19:47" or with seconds,
// read as UTC), or a date ("2026-01-26", meaning the end of that day, UTC).
func parseAsOf(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := graph.ParseAsOf(s); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a time (use 2026-01-26T19:47:00Z, 2026-01-26T19:47 in UTC, or a date)", errBadAsOf, clipText(s, 40))
}

// newPage reads the request's asOf and kept parameters.
func (b *browser) newPage(r *http.Request, title string) (*page, error) {
	q := r.URL.Query()
	p := &page{Title: title, Path: r.URL.Path, query: url.Values{}}
	if v := q.Get("q"); v != "" {
		p.query.Set("q", v)
	}
	at, err := parseAsOf(q.Get("asOf"))
	if err != nil {
		return p, err
	}
	p.AsOf = at
	return p, nil
}

// errView marks an error of opening the snapshot itself (ViewAt not
// possible), as opposed to an error of reading inside it.
type errView struct{ err error }

func (e errView) Error() string { return e.err.Error() }
func (e errView) Unwrap() error { return e.err }

// view runs fn on the snapshot the page asks for: the graph now, or as of
// p.AsOf. It sets p.ReadAt.
func (b *browser) view(ctx context.Context, p *page, fn func(graph.Reader) error) error {
	called := false
	inner := func(r graph.Reader) error {
		called = true
		return fn(r)
	}
	var err error
	if p.AsOf.IsZero() {
		p.ReadAt = b.opt.Now().UTC()
		err = b.st.View(ctx, inner)
	} else {
		p.ReadAt = p.AsOf
		err = b.st.ViewAt(ctx, p.AsOf, inner)
	}
	if err != nil && !called {
		return errView{err}
	}
	return err
}

// cytoscapeStyleHash is the CSP hash of the one style element that
// Cytoscape.js adds to the page (".__________cytoscape_container {
// position: relative; }"); the trace page allows it and nothing else
// inline.
const cytoscapeStyleHash = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"

// securityHeaders are set on every page: scripts, styles and requests from
// this server only.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// render writes a page with the status.
func (b *browser) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := b.tpl[name]
	if !ok {
		b.fail(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		b.fail(w, r, fmt.Errorf("web: rendering %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	securityHeaders(h)
	if name == "trace" {
		h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "style-src 'self'", "style-src 'self' "+cytoscapeStyleHash, 1))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(buf.String()))
	}
}

// errorView is the data of the error page.
type errorView struct {
	*page
	Status  int
	Heading string
	Message string
}

// fail answers 500 with a plain page (used when rendering itself failed).
func (b *browser) fail(w http.ResponseWriter, r *http.Request, err error) {
	if b.opt.OnError != nil {
		b.opt.OnError(r, err)
	}
	securityHeaders(w.Header())
	http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
}

// showError renders the error page for err: 400 for a bad asOf, 404 for a
// missing node, 500 otherwise (and OnError is told).
func (b *browser) showError(w http.ResponseWriter, r *http.Request, p *page, err error) {
	if p == nil {
		p = &page{Path: r.URL.Path, query: url.Values{}}
	}
	v := &errorView{page: p}
	var ev errView
	switch {
	case errors.Is(err, errBadAsOf):
		v.Status, v.Heading, v.Message = http.StatusBadRequest, "That asOf time cannot be read", err.Error()
		p.AsOf = time.Time{}
	case errors.Is(err, graph.ErrNotFound):
		v.Status, v.Heading, v.Message = http.StatusNotFound, "Not found", err.Error()
	case errors.As(err, &ev) && !p.AsOf.IsZero():
		v.Status, v.Heading = http.StatusInternalServerError, "The graph cannot be read as of "+p.AsOfText()
		v.Message = err.Error()
	default:
		v.Status, v.Heading, v.Message = http.StatusInternalServerError, "Something went wrong", err.Error()
	}
	if v.Status >= 500 && b.opt.OnError != nil {
		b.opt.OnError(r, err)
	}
	p.Title = v.Heading
	if p.ReadAt.IsZero() {
		p.ReadAt = b.opt.Now().UTC()
	}
	b.render(w, r, v.Status, "error", v)
}

// notFound answers any path the browser does not serve.
func (b *browser) notFound(w http.ResponseWriter, r *http.Request) {
	p, _ := b.newPage(r, "Not found")
	b.showError(w, r, p, fmt.Errorf("%w: there is no page at %s", graph.ErrNotFound, r.URL.Path))
}
