package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"claimgraph/graph"
)

// Format names an export format.
type Format string

// The export formats. Bundle, JSONL, ProvJSON, ProvO, GraphML and
// ClaimReview are single streams ([Write]); CSV, Parquet and Notebook are
// sets of files ([WriteDir], or one zip stream with [WriteArchive]).
const (
	Bundle      Format = "bundle"      // bundle/1 JSON object (or JSON Lines with Options.JSONL)
	JSONL       Format = "jsonl"       // one JSON record per node and per link
	CSV         Format = "csv"         // one CSV table per kind, nodes and edges
	Parquet     Format = "parquet"     // the CSV tables as typed, zstd-compressed Parquet
	Notebook    Format = "notebook"    // CSV and Parquet tables, datapackage.json and a README
	ProvJSON    Format = "prov-json"   // W3C PROV-JSON
	ProvO       Format = "prov-o"      // W3C PROV-O in Turtle
	GraphML     Format = "graphml"     // GraphML with typed attributes
	ClaimReview Format = "claimreview" // schema.org ClaimReview JSON-LD
)

// Formats lists every format, single streams first.
var Formats = []Format{Bundle, JSONL, ProvJSON, ProvO, GraphML, ClaimReview, CSV, Parquet, Notebook}

// ParseFormat returns the format named s, or an error wrapping
// graph.ErrInvalid that lists the formats.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("%w: unknown export format %q (formats: %s)", graph.ErrInvalid, s, strings.Join(names, ", "))
}

// IsDir reports whether the format is a set of files, written by WriteDir
// or WriteArchive rather than Write.
func (f Format) IsDir() bool { return f == CSV || f == Parquet || f == Notebook }

// ContentType returns the media type of the format's stream: for a
// directory format, the zip archive that WriteArchive writes.
func ContentType(f Format) string {
	switch f {
	case Bundle, ProvJSON:
		return "application/json"
	case JSONL:
		return "application/jsonl"
	case ProvO:
		return "text/turtle; charset=utf-8"
	case GraphML:
		return "application/graphml+xml"
	case ClaimReview:
		return "application/ld+json"
	case CSV, Parquet, Notebook:
		return "application/zip"
	}
	return "application/octet-stream"
}

// ContentTypeFor returns the media type of the export that opt describes:
// ContentType of its format, except a bundle written as JSON Lines
// (application/jsonl).
func ContentTypeFor(opt Options) string {
	if opt.Format == Bundle && opt.JSONL {
		return ContentType(JSONL)
	}
	return ContentType(opt.Format)
}

// FileName returns a file name for the export of opt.Format (the HTTP
// Content-Disposition, a default --out): "claimgraph.json",
// "claimgraph.jsonl" (a bundle with JSONL set, or the jsonl format),
// "claimgraph.prov.json", "claimgraph.ttl", "claimgraph.graphml",
// "claimgraph.claimreview.jsonld", or "claimgraph-csv.zip" and so on for
// the archive of a directory format.
func FileName(opt Options) string {
	switch opt.Format {
	case Bundle:
		if opt.JSONL {
			return "claimgraph.jsonl"
		}
		return "claimgraph.json"
	case JSONL:
		return "claimgraph.records.jsonl"
	case ProvJSON:
		return "claimgraph.prov.json"
	case ProvO:
		return "claimgraph.ttl"
	case GraphML:
		return "claimgraph.graphml"
	case ClaimReview:
		return "claimgraph.claimreview.jsonld"
	}
	return "claimgraph-" + string(opt.Format) + ".zip"
}

// Scope selects what an export holds: the whole graph, or the nodes named by
// Keys (which the caller resolves from a trace, a speaker, an ids file or
// the result of a query) closed over their references.
//
// A scoped export holds the named nodes, then every node that an exported
// node's fields refer to (a quote's speaker, source, channel, reported_by and
// claims; a source's publisher, authors and derived_from; ...), transitively,
// so that every reference in the export resolves inside it and a bundle
// export imports into an empty store. Links (supports, contradicts ...) are
// exported when both their ends are exported; a link to a node outside the
// scope is left out rather than pulling that node in. The closed key set is
// held in memory (tens of bytes per key); a whole-graph export holds no set.
type Scope struct {
	// All exports the whole graph; Keys is then ignored.
	All bool
	// Keys are the nodes to export. Each must exist.
	Keys []string
}

// Options configure an export.
type Options struct {
	// Format is the export format.
	Format Format
	// JSONL writes the bundle format as JSON Lines instead of one object.
	JSONL bool
	// AsOf is the time of the snapshot the Reader reads, RFC 3339, recorded
	// in the formats that carry metadata (notebook README and
	// datapackage.json, Parquet key-value metadata, PROV, GraphML,
	// ClaimReview); the Reader is already at that time. Empty means the
	// current time (Clock), that is a snapshot of the latest state.
	AsOf string
	// Scope selects the nodes; see Scope.
	Scope Scope
	// BaseIRI prefixes node keys to make the IRIs of the linked-data
	// formats (PROV, ClaimReview); default DefaultBaseIRI. A server may
	// set its own URL ("https://host/node/").
	BaseIRI string
	// Clock gives the current time when AsOf is empty (default time.Now).
	Clock func() time.Time
	// Progress, when set, is called after each page of nodes with the
	// node visits done and the total the export will make (a format that
	// reads the graph in several passes counts each pass).
	Progress func(done, total int)
	// PageSize is the number of nodes read per List/Nodes call (default
	// 512).
	PageSize int
	// RowGroupRows caps the rows of one Parquet row group (default 2048),
	// which bounds the memory of a Parquet export.
	RowGroupRows int
}

// DefaultBaseIRI is the IRI prefix of node keys when Options.BaseIRI is
// empty: a URN, so that an export never claims a web address it does not
// serve.
const DefaultBaseIRI = "urn:claimgraph:node:"

// VocabIRI is the namespace of claimgraph's own terms in the linked-data
// formats (cg:Quote, cg:cue, cg:supports ...).
const VocabIRI = "urn:claimgraph:vocab#"

// Errors of the package. Each wraps graph.ErrInvalid or graph.ErrNotFound
// so that an HTTP edge maps them to 400 and 404.
var (
	// ErrEmptyScope means that a Scope neither sets All nor names keys.
	ErrEmptyScope = fmt.Errorf("%w: export scope is empty: set All or give keys", graph.ErrInvalid)
	// ErrNotDirFormat means that WriteDir or WriteArchive got a single-stream
	// format.
	ErrNotDirFormat = fmt.Errorf("%w: format is a single stream: use Write", graph.ErrInvalid)
	// ErrDirFormat means that Write got a directory format.
	ErrDirFormat = fmt.Errorf("%w: format is a set of files: use WriteDir or WriteArchive", graph.ErrInvalid)
	// ErrDirNotEmpty means that WriteDir was given a directory that holds
	// files.
	ErrDirNotEmpty = fmt.Errorf("%w: export directory is not empty", graph.ErrInvalid)
)

// config is Options checked and defaulted.
type config struct {
	Options
	snapshot time.Time
	asOf     string // RFC 3339, UTC
	base     string
}

func newConfig(opt Options) (*config, error) {
	if _, err := ParseFormat(string(opt.Format)); err != nil {
		return nil, err
	}
	if !opt.Scope.All && len(opt.Scope.Keys) == 0 {
		return nil, ErrEmptyScope
	}
	c := &config{Options: opt}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.PageSize <= 0 {
		c.PageSize = 512
	}
	if c.RowGroupRows <= 0 {
		c.RowGroupRows = 2048
	}
	c.base = c.BaseIRI
	if c.base == "" {
		c.base = DefaultBaseIRI
	}
	if c.AsOf == "" {
		c.snapshot = c.Clock().UTC()
	} else {
		t, err := time.Parse(time.RFC3339Nano, c.AsOf)
		if err != nil {
			return nil, fmt.Errorf("%w: as-of time %q is not RFC 3339", graph.ErrInvalid, c.AsOf)
		}
		c.snapshot = t.UTC()
	}
	c.asOf = c.snapshot.Format(time.RFC3339Nano)
	return c, nil
}

// Write exports the graph that r reads to w in a single-stream format
// (bundle, jsonl, prov-json, prov-o, graphml, claimreview). It streams: it
// reads the graph page by page and holds no more than a page of nodes (and,
// for a scoped export, the scope's key set), whatever the graph's size.
// Nothing is written when the options are invalid or a scope key is
// missing; an error later leaves w with a partial export.
func Write(ctx context.Context, r graph.Reader, opt Options, w io.Writer) error {
	c, err := newConfig(opt)
	if err != nil {
		return err
	}
	if c.Format.IsDir() {
		return fmt.Errorf("export %s: %w", c.Format, ErrDirFormat)
	}
	wk, err := newWalker(ctx, r, c)
	if err != nil {
		return err
	}
	ew := &errWriter{w: w}
	wk.sinkErr = func() error { return ew.err }
	bw := bufio.NewWriterSize(ew, 64<<10)
	switch c.Format {
	case Bundle:
		if c.JSONL {
			err = writeBundleJSONL(ctx, wk, bw)
		} else {
			err = writeBundle(ctx, wk, bw)
		}
	case JSONL:
		err = writeRecords(ctx, wk, bw)
	case ProvJSON:
		err = writeProvJSON(ctx, wk, bw)
	case ProvO:
		err = writeProvO(ctx, wk, bw)
	case GraphML:
		err = writeGraphML(ctx, wk, bw)
	case ClaimReview:
		err = writeClaimReview(ctx, wk, bw)
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", c.Format, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export %s: %w", c.Format, err)
	}
	return nil
}

// errWriter remembers the first error of the writer it wraps, so that a
// long export stops at the next page once its reader has gone.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
