// Package export writes a snapshot of the graph (a graph.Reader) in formats
// that tools outside claimgraph open without a fix-up: pandas, polars,
// DuckDB, R, networkx, Gephi, W3C PROV tools and fact-checking platforms.
// It depends on package graph only, never on a storage engine.
//
// # Formats
//
// Single streams, written by [Write]:
//
//   - bundle: the bundle/1 JSON object (or JSON Lines with Options.JSONL),
//     byte for byte what graph.Encode (graph.EncodeJSONL) writes for the same
//     records: sections in kind order, nodes in key order, then the links
//     grouped by the node they leave. Importing it into an empty store and
//     exporting again gives the same bytes.
//   - jsonl: one JSON object per line, every node ({"type": "quote", "id":
//     "q1", ...the bundle fields}) then every link ({"type": "link", "from",
//     "to", "relation", ...}); a retracted record has a "retracted" member
//     {"at", "by", "reason"}. For pandas.read_json(lines=True).
//   - prov-json and prov-o: W3C PROV as PROV-JSON and as PROV-O in Turtle;
//     see the mapping below.
//   - graphml: a directed GraphML graph with typed attributes (a key per
//     attribute and domain); networkx reads it with
//     read_graphml(path, force_multigraph=True) as a MultiDiGraph, Gephi as
//     typed columns.
//   - claimreview: schema.org ClaimReview JSON-LD for the claims with an
//     assessment; see claimreview.go.
//
// Sets of files, written by [WriteDir] into a directory or by
// [WriteArchive] as one zip stream (for HTTP):
//
//   - csv: one table per kind (people.csv, organisations.csv, sources.csv,
//     quotes.csv, claims.csv, figures.csv; id first), nodes.csv (every node
//     with its kind, a label and its retraction) and edges.csv (from, to,
//     relation, qualifier, link, reason, note, by, at and the retraction of a
//     link: one row per reference held by a field and per link).
//   - parquet: the same tables as Parquet files with typed columns, zstd.
//   - notebook: both, plus README.md (the snapshot time, ready-to-paste
//     loaders for pandas, polars, DuckDB, R and networkx, and every column
//     described) and datapackage.json (a Frictionless Data Package: every
//     other file as a resource with its size and SHA-256, each table with
//     its Table Schema: field types, descriptions, required and enum
//     constraints, primary and foreign keys).
//
// # Tables
//
// The columns are the bundle fields of each kind, the span flattened into
// span_start, span_end, span_prefix, span_suffix and span_content_sha256.
// CSV is RFC 4180 in UTF-8: CRLF between rows, fields quoted when needed,
// line breaks inside a field kept. An empty field is a null. Lists and
// objects (aliases, authors, claims, topics, about, ids, affiliations,
// derived_from) are JSON in CSV (["a","b"], an empty list is empty) and
// Parquet lists, maps and lists of groups in Parquet; span offsets are
// INT64, value and value_max DOUBLE, approx and link BOOLEAN, optional
// strings nullable. Dates stay strings as written (an RFC 3339 date-time, a
// date, a month or a year), since their precision varies. The row types in
// tables.go are the single description from which the CSV header, the
// Parquet schema, the Table Schema and the README's column lists are made.
//
// # Scope
//
// [Scope] selects the whole graph or a set of keys, closed over references
// so that the export is self-contained (see [Scope]). A key merged into
// another node stands for that node, and references to merged keys are
// written as the node they resolve to, so that every reference names an
// exported node. Nodes are read in pages (Options.PageSize) with List and
// Nodes, links with Edges, all from the one Reader: one consistent
// snapshot. Options.AsOf records the snapshot's time; the caller opens the
// Reader at that time.
//
// # Memory
//
// Every writer streams: it holds a page of nodes, the links of one node,
// and format state of bounded size (a Parquet row group of at most
// Options.RowGroupRows rows; PROV-JSON's per-section spools, kept in memory
// up to 32 KiB each and then in temporary files). A scoped export also holds
// its key set. Formats that group records (bundle: links after nodes;
// graphml: edges after nodes; the tables) read the graph more than once
// instead of remembering it. BenchmarkExport reports MB/s, peak heap and
// peak RSS per format; TestHeapBounded checks that the heap does not grow
// with the graph.
//
// # PROV
//
// People are prov:Person agents and organisations prov:Organization agents;
// sources, quotes, claims and figures are entities; a quote is
// attributed to its speaker, a figure to whoever stated it, a source to its
// authors and publisher; the source a quote appears in, and the quote that
// reports it, were quoted from it (prov:Quotation); a quote had its channel
// as primary source; source derivations are quotations, revisions (updates)
// or derivations; corrects links are revisions; retracts links and
// retracted nodes are invalidations by a retraction activity; the other
// links are influences. Every relation is identified (node:S.Term.O) and
// PROV-O writes it unqualified and qualified. The full mapping is in
// prov.go.
package export
