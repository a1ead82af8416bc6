package export

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"claimgraph/graph"
)

// The tables of the csv, parquet and notebook formats are described once,
// by the row types below: the `parquet` tag names the column (and makes it
// optional, or a list), `desc` documents it, `ref` names the table its
// values are keys of (a foreign key), `enum` names the set of values it
// takes. The CSV header, the Parquet schema and the Table Schema of
// datapackage.json are all derived from these types, so they cannot
// disagree.

// personRow is a row of people.
type personRow struct {
	ID           string            `parquet:"id" desc:"Key of the person, unique across all kinds; the GraphQL id."`
	Name         string            `parquet:"name" desc:"Name of the person."`
	Aliases      []string          `parquet:"aliases,list" desc:"Other names the person is known by."`
	Description  string            `parquet:"description,optional" desc:"Short description (role, office)."`
	IDs          map[string]string `parquet:"ids" desc:"External identifiers by scheme, such as {\"wikidata\": \"Q42\"}."`
	Affiliations []affiliationRow  `parquet:"affiliations,list" desc:"Organisations the person belongs to: {organisation, role, from, to}; also rows of edges with relation affiliation."`
}

type affiliationRow struct {
	Organisation string `parquet:"organisation" json:"organisation"`
	Role         string `parquet:"role,optional" json:"role,omitempty"`
	From         string `parquet:"from,optional" json:"from,omitempty"`
	To           string `parquet:"to,optional" json:"to,omitempty"`
}

// organisationRow is a row of organisations.
type organisationRow struct {
	ID          string            `parquet:"id" desc:"Key of the organisation, unique across all kinds; the GraphQL id."`
	Name        string            `parquet:"name" desc:"Name of the organisation."`
	Aliases     []string          `parquet:"aliases,list" desc:"Other names and abbreviations."`
	Kind        string            `parquet:"kind,optional" enum:"organisation_kind" desc:"What sort of organisation it is."`
	Parent      string            `parquet:"parent,optional" ref:"organisations" desc:"Key of the organisation it is part of."`
	Description string            `parquet:"description,optional" desc:"Short description."`
	IDs         map[string]string `parquet:"ids" desc:"External identifiers by scheme, such as {\"wikidata\": \"Q42\"}."`
}

// sourceRow is a row of sources.
type sourceRow struct {
	ID            string          `parquet:"id" desc:"Key of the source, unique across all kinds; the GraphQL id."`
	Kind          string          `parquet:"kind" enum:"source_kind" desc:"What sort of source it is."`
	Title         string          `parquet:"title,optional" desc:"Title or headline."`
	URL           string          `parquet:"url,optional" desc:"Where the source was published."`
	Publisher     string          `parquet:"publisher,optional" ref:"organisations" desc:"Key of the organisation that published it."`
	Authors       []string        `parquet:"authors,list" desc:"Keys of its authors (people or organisations); also rows of edges with relation author."`
	PublishedAt   string          `parquet:"published_at,optional" desc:"Publication time: an RFC 3339 date-time or a date (2026-01-26)."`
	UpdatedAt     string          `parquet:"updated_at,optional" desc:"Time of its last update: an RFC 3339 date-time or a date."`
	RetrievedAt   string          `parquet:"retrieved_at,optional" desc:"When its text was fetched: an RFC 3339 date-time or a date."`
	Language      string          `parquet:"language,optional" desc:"Language tag (BCP 47, such as en)."`
	Text          string          `parquet:"text,optional" desc:"Full text, when stored; spans of quotes and figures index into it."`
	ContentSHA256 string          `parquet:"content_sha256,optional" desc:"SHA-256 (hex) of the text the spans were made for."`
	ArchiveURL    string          `parquet:"archive_url,optional" desc:"Archived copy of the source."`
	DerivedFrom   []derivationRow `parquet:"derived_from,list" desc:"Sources it derives from: {source, relation} with relation one of quotes, cites, republishes, summarises, translates, updates; also rows of edges with relation derived_from."`
}

type derivationRow struct {
	Source   string `parquet:"source" json:"source"`
	Relation string `parquet:"relation" json:"relation"`
}

// quoteRow is a row of quotes.
type quoteRow struct {
	ID                string   `parquet:"id" desc:"Key of the quote, unique across all kinds; the GraphQL id."`
	Text              string   `parquet:"text" desc:"The words (direct, partial) or their gist (indirect, paraphrase)."`
	Speaker           string   `parquet:"speaker,optional" ref:"nodes" desc:"Key of the person or organisation who said it; empty when unknown."`
	Source            string   `parquet:"source" ref:"sources" desc:"Key of the source the words appear in."`
	SpanStart         *int64   `parquet:"span_start,optional" desc:"Start of the words in the source's text, in Unicode code points from 0."`
	SpanEnd           *int64   `parquet:"span_end,optional" desc:"End of the words in the source's text, in code points, exclusive."`
	SpanPrefix        string   `parquet:"span_prefix,optional" desc:"Up to 32 code points of the text before the span (W3C Web Annotation text quote selector)."`
	SpanSuffix        string   `parquet:"span_suffix,optional" desc:"Up to 32 code points of the text after the span."`
	SpanContentSHA256 string   `parquet:"span_content_sha256,optional" desc:"SHA-256 of the source text the span was anchored in."`
	Cue               string   `parquet:"cue,optional" desc:"The verb or phrase that attributes the words (said, posted, told reporters)."`
	Mode              string   `parquet:"mode,optional" enum:"quote_mode" desc:"How the words are reported."`
	SaidAt            string   `parquet:"said_at,optional" desc:"When the words were said: an RFC 3339 date-time or a date."`
	Channel           string   `parquet:"channel,optional" ref:"sources" desc:"Key of the source where the words were first said (a post, a call)."`
	ReportedBy        string   `parquet:"reported_by,optional" ref:"quotes" desc:"Key of the enclosing quote that reports this one (X said that Y said)."`
	Certainty         string   `parquet:"certainty,optional" enum:"certainty" desc:"How sure the attribution is."`
	Claims            []string `parquet:"claims,list" desc:"Keys of the claims the quote expresses; also rows of edges with relation expresses."`
}

// claimRow is a row of claims.
type claimRow struct {
	ID     string   `parquet:"id" desc:"Key of the claim, unique across all kinds; the GraphQL id."`
	Text   string   `parquet:"text" desc:"The proposition, independent of who says it."`
	Topics []string `parquet:"topics,list" desc:"Topics of the claim."`
	About  []string `parquet:"about,list" desc:"Keys of the nodes the claim is about; also rows of edges with relation about."`
}

// figureRow is a row of figures.
type figureRow struct {
	ID                string   `parquet:"id" desc:"Key of the figure, unique across all kinds; the GraphQL id."`
	Text              string   `parquet:"text,optional" desc:"The words that state the quantity."`
	Value             float64  `parquet:"value" desc:"The quantity (the lower bound of a range)."`
	ValueMax          *float64 `parquet:"value_max,optional" desc:"Upper bound when the figure is a range."`
	Unit              string   `parquet:"unit" desc:"Unit, normalised (percent, people, usd ...)."`
	Measure           string   `parquet:"measure,optional" desc:"What is measured (shootings, agents deployed)."`
	Subject           string   `parquet:"subject,optional" desc:"Whom or where the measure is of."`
	Period            string   `parquet:"period,optional" desc:"Period the figure covers: a date, a month (2026-01) or a year."`
	Baseline          string   `parquet:"baseline,optional" desc:"Period a change is measured against."`
	Change            string   `parquet:"change,optional" enum:"change" desc:"Direction of a change."`
	Approx            bool     `parquet:"approx" desc:"True when the figure is stated as approximate."`
	StatedBy          string   `parquet:"stated_by,optional" ref:"nodes" desc:"Key of the person or organisation who stated it."`
	Source            string   `parquet:"source,optional" ref:"sources" desc:"Key of the source it appears in."`
	SpanStart         *int64   `parquet:"span_start,optional" desc:"Start of the words in the source's text, in Unicode code points from 0."`
	SpanEnd           *int64   `parquet:"span_end,optional" desc:"End of the words in the source's text, in code points, exclusive."`
	SpanPrefix        string   `parquet:"span_prefix,optional" desc:"Up to 32 code points of the text before the span."`
	SpanSuffix        string   `parquet:"span_suffix,optional" desc:"Up to 32 code points of the text after the span."`
	SpanContentSHA256 string   `parquet:"span_content_sha256,optional" desc:"SHA-256 of the source text the span was anchored in."`
	DerivedFrom       []string `parquet:"derived_from,list" desc:"Keys of the nodes the figure is derived from; also rows of edges with relation derived_from."`
}

// nodeRow is a row of nodes: every exported node, whatever its kind.
type nodeRow struct {
	ID               string `parquet:"id" desc:"Key of the node, unique across all kinds."`
	Kind             string `parquet:"kind" enum:"kind" desc:"Kind of the node, which names its table (person: people, organisation: organisations ...)."`
	Label            string `parquet:"label" desc:"Short human label: a name, a title, a text."`
	RetractedAt      string `parquet:"retracted_at,optional" desc:"When the node was retracted (RFC 3339); empty when it stands."`
	RetractedBy      string `parquet:"retracted_by,optional" desc:"Who retracted the node."`
	RetractionReason string `parquet:"retraction_reason,optional" desc:"Why the node was retracted."`
}

// edgeRow is a row of edges: one per reference held by a field and one per
// link.
type edgeRow struct {
	From      string `parquet:"from" ref:"nodes" desc:"Key of the node the edge leaves."`
	To        string `parquet:"to" ref:"nodes" desc:"Key of the node the edge points to."`
	Relation  string `parquet:"relation" enum:"relation" desc:"A reference field (speaker, source, channel, reported_by, expresses, publisher, author, derived_from, stated_by, parent, affiliation, about) or a link relation (supports, contradicts, context, same_as, repeats, retracts, corrects, responds_to)."`
	Qualifier string `parquet:"qualifier,optional" desc:"The derivation relation of a source's derived_from (quotes, cites ...), the role of an affiliation, or the attribution cue of a quote's speaker and reported_by (said, told ...)."`
	Link      bool   `parquet:"link" desc:"True for a link (evidence, disagreement), false for a reference held by a field."`
	Reason    string `parquet:"reason,optional" enum:"reason" desc:"Why a contradicts link holds."`
	Note      string `parquet:"note,optional" desc:"Note on a link."`
	By        string `parquet:"by,optional" desc:"Who made the link."`
	At        string `parquet:"at,optional" desc:"When the link was made, RFC 3339."`

	RetractedAt      string `parquet:"retracted_at,optional" desc:"When the link was retracted (RFC 3339); empty when it stands."`
	RetractedBy      string `parquet:"retracted_by,optional" desc:"Who retracted the link."`
	RetractionReason string `parquet:"retraction_reason,optional" desc:"Why the link was retracted."`
}

// retractionCols returns the retraction columns of a node or link.
func retractionCols(rt *graph.Retraction) (at, by, reason string) {
	if rt == nil {
		return "", "", ""
	}
	return rt.At.UTC().Format(time.RFC3339Nano), rt.By, rt.Reason
}

// edgeRowOf returns the row of an edge.
func edgeRowOf(e edge) edgeRow {
	r := edgeRow{From: e.From, To: e.To, Relation: e.Relation, Qualifier: e.Qualifier, Link: e.Link,
		Reason: e.Reason, Note: e.Note, By: e.By, At: e.At}
	r.RetractedAt, r.RetractedBy, r.RetractionReason = retractionCols(e.Retracted)
	return r
}

// enums are the value sets that `enum` tags name.
var enums = map[string][]string{
	"organisation_kind": graph.OrganisationKinds,
	"source_kind":       graph.SourceKinds,
	"quote_mode":        graph.QuoteModes,
	"certainty":         graph.Certainties,
	"change":            graph.Changes,
	"reason":            graph.ContradictionReasons,
	"kind":              {"person", "organisation", "source", "quote", "claim", "figure"},
	"relation": func() []string {
		var rs []string
		for _, r := range graph.FieldRelations {
			rs = append(rs, string(r))
		}
		return append(rs, graph.LinkRelations...)
	}(),
}

// column describes one column of a table.
type column struct {
	name     string
	index    int // struct field index
	typ      string
	desc     string
	optional bool
	ref      string
	enum     []string
}

// table describes one table.
type table struct {
	name  string // file base name and resource name
	title string
	desc  string
	kind  graph.Kind // 0 for nodes and edges
	pk    string     // primary key column, "" for none
	cols  []column
}

// tableSpec is a table with its row type and a way to produce its rows.
type tableSpec interface {
	meta() *table
	// eachRow calls put with a pointer to every row, in order; the
	// pointer is valid during the call.
	eachRow(ctx context.Context, wk *walker, put func(any) error) error
	// writeParquet writes the table as a Parquet file.
	writeParquet(ctx context.Context, wk *walker, w io.Writer) error
}

// rowTable is a table whose rows are of type T.
type rowTable[T any] struct {
	t    *table
	each func(ctx context.Context, wk *walker, put func(T) error) error
}

func (rt *rowTable[T]) meta() *table { return rt.t }

func (rt *rowTable[T]) eachRow(ctx context.Context, wk *walker, put func(any) error) error {
	return rt.each(ctx, wk, func(row T) error { return put(&row) })
}

// nodeTable is the table of the nodes of kind k, converted by conv.
func nodeTable[T any](k graph.Kind, title, desc string, conv func(graph.Node) T) tableSpec {
	t := describe[T](k.Section(), title, desc)
	t.kind = k
	t.pk = "id"
	return &rowTable[T]{t: t, each: func(ctx context.Context, wk *walker, put func(T) error) error {
		return wk.nodes(ctx, k, func(n graph.Node) error { return put(conv(n)) })
	}}
}

// describe derives a table's columns from its row type's tags.
func describe[T any](name, title, desc string) *table {
	t := &table{name: name, title: title, desc: desc}
	rt := reflect.TypeFor[T]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := strings.Split(f.Tag.Get("parquet"), ",")
		c := column{name: tag[0], index: i, desc: f.Tag.Get("desc"), ref: f.Tag.Get("ref")}
		for _, o := range tag[1:] {
			if o == "optional" {
				c.optional = true
			}
		}
		if e := f.Tag.Get("enum"); e != "" {
			c.enum = enums[e]
			if c.enum == nil {
				panic(fmt.Sprintf("export: unknown enum %q on %s.%s", e, name, c.name))
			}
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
			c.optional = true
		}
		switch ft.Kind() {
		case reflect.String:
			c.typ = "string"
		case reflect.Int64:
			c.typ = "integer"
		case reflect.Float64:
			c.typ = "number"
		case reflect.Bool:
			c.typ = "boolean"
		case reflect.Slice:
			c.typ = "array"
			c.optional = true
		case reflect.Map:
			c.typ = "object"
			c.optional = true
		default:
			panic(fmt.Sprintf("export: column %s.%s has unsupported type %v", name, c.name, ft))
		}
		t.cols = append(t.cols, c)
	}
	return t
}

// tables returns the tables of the csv, parquet and notebook formats, in the
// order they are written: one per kind, then nodes and edges.
func tables() []tableSpec {
	return []tableSpec{
		nodeTable(graph.KindPerson, "People", "People who speak, write or are written about.", personOf),
		nodeTable(graph.KindOrganisation, "Organisations", "Agencies, companies, outlets, parties and groups that speak as one.", organisationOf),
		nodeTable(graph.KindSource, "Sources", "Where words and numbers appear: articles, posts, statements, calls, reports, datasets.", sourceOf),
		nodeTable(graph.KindQuote, "Quotes", "Attributions: the words (or their gist) of a speaker appearing in a source.", quoteOf),
		nodeTable(graph.KindClaim, "Claims", "Propositions, independent of who says them.", claimOf),
		nodeTable(graph.KindFigure, "Figures", "Stated quantities, with what they measure and who stated them where.", figureOf),
		&rowTable[nodeRow]{
			t: withPK(describe[nodeRow]("nodes", "Nodes", "Every node of every kind with a label: the table edges refer to."), "id"),
			each: func(ctx context.Context, wk *walker, put func(nodeRow) error) error {
				return wk.allNodes(ctx, func(n graph.Node) error {
					r := nodeRow{ID: n.NodeKey(), Kind: n.NodeKind().String(), Label: label(n)}
					r.RetractedAt, r.RetractedBy, r.RetractionReason = retractionCols(wk.retraction(n.NodeKey()))
					return put(r)
				})
			},
		},
		&rowTable[edgeRow]{
			t: describe[edgeRow]("edges", "Edges", "Every edge: the references held by fields (speaker, source ...) and the links (supports, contradicts ...)."),
			each: func(ctx context.Context, wk *walker, put func(edgeRow) error) error {
				return wk.allNodes(ctx, func(n graph.Node) error {
					return wk.nodeEdges(ctx, n, func(e edge) error { return put(edgeRowOf(e)) })
				})
			},
		},
	}
}

func withPK(t *table, pk string) *table {
	t.pk = pk
	return t
}

// label returns a short human label for a node.
func label(n graph.Node) string {
	switch v := n.(type) {
	case *graph.Person:
		return v.Name
	case *graph.Organisation:
		return v.Name
	case *graph.Source:
		switch {
		case v.Title != "":
			return v.Title
		case v.URL != "":
			return v.URL
		}
		return v.Kind + " " + v.Key
	case *graph.Quote:
		return v.Text
	case *graph.Claim:
		return v.Text
	case *graph.Figure:
		if v.Text != "" {
			return v.Text
		}
		return formatFloat(v.Value) + " " + v.Unit
	}
	return n.NodeKey()
}

func personOf(n graph.Node) personRow {
	p := n.(*graph.Person)
	r := personRow{ID: p.Key, Name: p.Name, Aliases: p.Aliases, Description: p.Description, IDs: p.IDs}
	for _, a := range p.Affiliations {
		r.Affiliations = append(r.Affiliations, affiliationRow(a))
	}
	return r
}

func organisationOf(n graph.Node) organisationRow {
	o := n.(*graph.Organisation)
	return organisationRow{ID: o.Key, Name: o.Name, Aliases: o.Aliases, Kind: o.Kind, Parent: o.Parent,
		Description: o.Description, IDs: o.IDs}
}

func sourceOf(n graph.Node) sourceRow {
	s := n.(*graph.Source)
	r := sourceRow{ID: s.Key, Kind: s.Kind, Title: s.Title, URL: s.URL, Publisher: s.Publisher, Authors: s.Authors,
		PublishedAt: s.PublishedAt, UpdatedAt: s.UpdatedAt, RetrievedAt: s.RetrievedAt, Language: s.Language,
		Text: s.Text, ContentSHA256: s.ContentSHA256, ArchiveURL: s.ArchiveURL}
	for _, d := range s.DerivedFrom {
		r.DerivedFrom = append(r.DerivedFrom, derivationRow(d))
	}
	return r
}

// spanCols returns the span columns of a quote or figure.
func spanCols(sp *graph.Span) (start, end *int64, prefix, suffix, hash string) {
	if sp == nil {
		return nil, nil, "", "", ""
	}
	s, e := int64(sp.Start), int64(sp.End)
	return &s, &e, sp.Prefix, sp.Suffix, sp.ContentSHA256
}

func quoteOf(n graph.Node) quoteRow {
	q := n.(*graph.Quote)
	r := quoteRow{ID: q.Key, Text: q.Text, Speaker: q.Speaker, Source: q.Source, Cue: q.Cue, Mode: q.Mode,
		SaidAt: q.SaidAt, Channel: q.Channel, ReportedBy: q.ReportedBy, Certainty: q.Certainty, Claims: q.Claims}
	r.SpanStart, r.SpanEnd, r.SpanPrefix, r.SpanSuffix, r.SpanContentSHA256 = spanCols(q.Span)
	return r
}

func claimOf(n graph.Node) claimRow {
	c := n.(*graph.Claim)
	return claimRow{ID: c.Key, Text: c.Text, Topics: c.Topics, About: c.About}
}

func figureOf(n graph.Node) figureRow {
	f := n.(*graph.Figure)
	r := figureRow{ID: f.Key, Text: f.Text, Value: f.Value, ValueMax: f.ValueMax, Unit: f.Unit, Measure: f.Measure,
		Subject: f.Subject, Period: f.Period, Baseline: f.Baseline, Change: f.Change, Approx: f.Approx,
		StatedBy: f.StatedBy, Source: f.Source, DerivedFrom: f.DerivedFrom}
	r.SpanStart, r.SpanEnd, r.SpanPrefix, r.SpanSuffix, r.SpanContentSHA256 = spanCols(f.Span)
	return r
}
