package export

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"

	"claimgraph/graph"
)

// File names of the notebook format besides the tables.
const (
	readmeName      = "README.md"
	datapackageName = "datapackage.json"
)

// Frictionless Data Package descriptor types (v1 profiles data-package,
// tabular-data-resource and data-resource).
type dpPackage struct {
	Profile     string        `json:"profile"`
	Name        string        `json:"name"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Created     string        `json:"created"`
	Keywords    []string      `json:"keywords"`
	Claimgraph  dpMeta        `json:"claimgraph"`
	Resources   []*dpResource `json:"resources"`
}

// dpMeta is claimgraph's own member of the descriptor.
type dpMeta struct {
	Snapshot string `json:"snapshot"`
	Scope    string `json:"scope"`
	Nodes    int    `json:"nodes"`
}

type dpResource struct {
	Profile     string    `json:"profile"`
	Name        string    `json:"name"`
	Path        string    `json:"path"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Format      string    `json:"format"`
	Mediatype   string    `json:"mediatype"`
	Encoding    string    `json:"encoding,omitempty"`
	Bytes       int64     `json:"bytes"`
	Hash        string    `json:"hash"`
	Rows        *int      `json:"rows,omitempty"`
	Schema      *dpSchema `json:"schema,omitempty"`
}

type dpSchema struct {
	Fields        []dpField      `json:"fields"`
	PrimaryKey    []string       `json:"primaryKey,omitempty"`
	ForeignKeys   []dpForeignKey `json:"foreignKeys,omitempty"`
	MissingValues []string       `json:"missingValues"`
}

type dpField struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Constraints *dpConstraints `json:"constraints,omitempty"`
}

type dpConstraints struct {
	Required bool     `json:"required,omitempty"`
	Unique   bool     `json:"unique,omitempty"`
	Enum     []string `json:"enum,omitempty"`
}

type dpForeignKey struct {
	Fields    []string    `json:"fields"`
	Reference dpReference `json:"reference"`
}

type dpReference struct {
	Resource string   `json:"resource"`
	Fields   []string `json:"fields"`
}

// schemaOf returns the Table Schema of a table.
func schemaOf(t *table) *dpSchema {
	s := &dpSchema{MissingValues: []string{""}}
	for _, c := range t.cols {
		f := dpField{Name: c.name, Type: c.typ, Description: c.desc}
		var cons dpConstraints
		if !c.optional {
			cons.Required = true
		}
		if c.name == t.pk {
			cons.Unique = true
		}
		cons.Enum = c.enum
		if cons.Required || cons.Unique || cons.Enum != nil {
			f.Constraints = &cons
		}
		s.Fields = append(s.Fields, f)
		if c.ref != "" {
			res := c.ref
			if res == t.name {
				res = "" // a reference to the same resource
			}
			s.ForeignKeys = append(s.ForeignKeys, dpForeignKey{Fields: []string{c.name},
				Reference: dpReference{Resource: res, Fields: []string{"id"}}})
		}
	}
	if t.pk != "" {
		s.PrimaryKey = []string{t.pk}
	}
	return s
}

// scopeText describes the export's scope.
func scopeText(wk *walker) string {
	if wk.set == nil {
		return "the whole graph"
	}
	return fmt.Sprintf("%d node(s) named by the request, with the nodes they refer to (%d in all)", len(wk.cfg.Scope.Keys), wk.total)
}

// writeDatapackage writes datapackage.json: one resource per file written
// before it (the CSV tables as tabular data resources, the Parquet tables
// as data resources with the same schema, the README), each with its size
// and SHA-256.
func writeDatapackage(wk *walker, specs []tableSpec, files []*fileInfo, rows map[string]int, w io.Writer) error {
	byName := map[string]*table{}
	for _, sp := range specs {
		byName[sp.meta().name] = sp.meta()
	}
	pkg := &dpPackage{
		Profile: "data-package",
		Name:    "claimgraph-export",
		Title:   "claimgraph export",
		Description: "People, organisations, sources, quotes, claims and figures of a claimgraph provenance graph, " +
			"with the edges between them, as CSV and Parquet tables. Snapshot of " + wk.cfg.asOf + "; scope: " + scopeText(wk) + ". " +
			"See README.md for loaders. In the CSV files an empty field is a null and list or object fields are JSON.",
		Created:    wk.cfg.asOf,
		Keywords:   []string{"claimgraph", "provenance", "quotes", "claims", "fact-checking"},
		Claimgraph: dpMeta{Snapshot: wk.cfg.asOf, Scope: scopeText(wk), Nodes: wk.total},
	}
	for _, f := range files {
		base, ext, _ := strings.Cut(f.name, ".")
		r := &dpResource{Path: f.name, Bytes: f.bytes, Hash: f.hash}
		t := byName[base]
		switch {
		case f.name == readmeName:
			r.Profile, r.Name, r.Title, r.Format, r.Mediatype, r.Encoding = "data-resource", "readme", "README", "md", "text/markdown", "utf-8"
			r.Description = "How to load the tables (pandas, polars, DuckDB, R, networkx) and what they hold."
		case t != nil && ext == "csv":
			n := rows[t.name]
			r.Profile, r.Name, r.Title, r.Description = "tabular-data-resource", t.name, t.title, t.desc
			r.Format, r.Mediatype, r.Encoding, r.Rows, r.Schema = "csv", "text/csv", "utf-8", &n, schemaOf(t)
		case t != nil && ext == "parquet":
			n := rows[t.name]
			r.Profile, r.Name, r.Title, r.Description = "data-resource", t.name+"-parquet", t.title+" (Parquet)", t.desc+" Typed columns: lists are Parquet lists, ids a map."
			r.Format, r.Mediatype, r.Rows, r.Schema = "parquet", "application/vnd.apache.parquet", &n, schemaOf(t)
		default:
			return fmt.Errorf("no resource description for file %s", f.name)
		}
		pkg.Resources = append(pkg.Resources, r)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(pkg); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// readmeData feeds the README template.
type readmeData struct {
	Snapshot string
	Scope    string
	Tables   []readmeTable
	Quote    string // a quote key for the examples, or ""
}

type readmeTable struct {
	Name, Title, Desc string
	Rows              int
	Cols              []readmeCol
}

type readmeCol struct {
	Name, Type, Desc string
}

var readmeTemplate = template.Must(template.New("readme").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(`# claimgraph export

A snapshot of a claimgraph provenance graph (people, organisations, sources,
quotes, claims, figures and the edges between them) as tables for notebooks.

- **Snapshot time:** {{.Snapshot}}
- **Scope:** {{.Scope}}
- **Data dictionary:** ` + "`datapackage.json`" + ` (Frictionless Data Package: every
  file, its columns, types, descriptions, primary and foreign keys)

Every table comes twice: as CSV (RFC 4180, UTF-8, an empty field is a null,
list and object fields are JSON such as ["a","b"]) and as Parquet (typed
columns, lists as lists, zstd). ` + "`id`" + ` is the node's key, unique across all
kinds and the same as the GraphQL ` + "`id`" + `; ` + "`nodes`" + ` lists every node with
its kind and a label, ` + "`edges`" + ` every edge (a reference held by a field
such as a quote's speaker, or a link such as supports) from one key to another.

| table | rows | what |
|---|---:|---|
{{range .Tables}}| ` + "`{{.Name}}`" + ` | {{.Rows}} | {{.Desc}} |
{{end}}
## pandas

` + "```python" + `
import json
import pandas as pd

package = json.load(open("datapackage.json"))

def load(name):
    """Reads a CSV table with the types of its Table Schema."""
    res = next(r for r in package["resources"] if r["name"] == name)
    fields = res["schema"]["fields"]
    kinds = {"string": "string", "integer": "Int64", "number": "float64", "boolean": "boolean"}
    dtype = {f["name"]: kinds.get(f["type"], "string") for f in fields}
    df = pd.read_csv(res["path"], dtype=dtype, keep_default_na=False, na_values=[""])
    for f in fields:
        if f["type"] in ("array", "object"):
            df[f["name"]] = df[f["name"]].map(json.loads, na_action="ignore")
    return df

people, organisations, sources = load("people"), load("organisations"), load("sources")
quotes, claims, figures = load("quotes"), load("claims"), load("figures")
nodes, edges = load("nodes"), load("edges")

# Who is quoted most, and in how many sources?
speakers = nodes.rename(columns={"id": "speaker", "label": "speaker_name"})[["speaker", "speaker_name"]]
print(quotes.merge(speakers, on="speaker")
      .groupby("speaker_name")
      .agg(quotes=("id", "size"), sources=("source", "nunique"))
      .sort_values("quotes", ascending=False)
      .head(10))
` + "```" + `

With pyarrow installed, ` + "`pd.read_parquet(\"quotes.parquet\")`" + ` reads the typed
table directly.

## polars

` + "```python" + `
import polars as pl

quotes = pl.read_parquet("quotes.parquet")
people = pl.read_parquet("people.parquet")
edges = pl.read_parquet("edges.parquet")
print(quotes.join(people, left_on="speaker", right_on="id", how="inner", suffix="_speaker")
      .group_by("name").len().sort("len", descending=True))
` + "```" + `

## DuckDB

` + "```sql" + `
CREATE VIEW quotes AS SELECT * FROM 'quotes.parquet';
CREATE VIEW people AS SELECT * FROM 'people.parquet';
CREATE VIEW edges  AS SELECT * FROM 'edges.parquet';
-- Who is quoted most?
SELECT p.name, count(*) AS quotes
FROM quotes q JOIN people p ON q.speaker = p.id
GROUP BY p.name ORDER BY quotes DESC;
-- What supports or contradicts each claim?
SELECT e."to" AS claim, e.relation, e."from" AS evidence, e.reason
FROM edges e WHERE e.link AND e.relation IN ('supports', 'contradicts');
` + "```" + `

## R

` + "```r" + `
library(arrow)                       # typed tables from Parquet
quotes <- read_parquet("quotes.parquet")
people <- read_parquet("people.parquet")
edges  <- read_parquet("edges.parquet")
# or the CSV tables with the data dictionary:
# pkg <- frictionless::read_package("datapackage.json")
# quotes <- frictionless::read_resource(pkg, "quotes")
merged <- merge(quotes, people, by.x = "speaker", by.y = "id")
head(sort(table(merged$name), decreasing = TRUE), 10)
` + "```" + `

## networkx

` + "```python" + `
import networkx as nx
import pandas as pd

nodes = pd.read_csv("nodes.csv", dtype=str, keep_default_na=False)
edges = pd.read_csv("edges.csv", dtype=str, keep_default_na=False)
G = nx.MultiDiGraph()
G.add_nodes_from((n.id, {"kind": n.kind, "label": n.label}) for n in nodes.itertuples())
columns = ["from", "to", "relation", "qualifier", "link", "reason"]
for src, dst, rel, qual, link, reason in edges[columns].itertuples(index=False, name=None):
    G.add_edge(src, dst, key=rel, relation=rel, qualifier=qual, link=link == "true", reason=reason)
print(G.number_of_nodes(), "nodes,", G.number_of_edges(), "edges")
{{- if .Quote}}
# The attribution chain of one quote: what it leads to within three hops.
chain = nx.ego_graph(G, "{{.Quote}}", radius=3)
print(sorted(chain.nodes))
{{- end}}
` + "```" + `

## Columns
{{range .Tables}}
### {{.Name}}

{{.Desc}}

| column | type | description |
|---|---|---|
{{range .Cols}}| ` + "`{{.Name}}`" + ` | {{.Type}} | {{.Desc}} |
{{end}}{{end}}`))

// writeReadme writes the notebook's README.md.
func writeReadme(ctx context.Context, wk *walker, specs []tableSpec, rows map[string]int, w io.Writer) error {
	d := readmeData{Snapshot: wk.cfg.asOf, Scope: scopeText(wk)}
	for _, sp := range specs {
		t := sp.meta()
		rt := readmeTable{Name: t.name, Title: t.title, Desc: t.desc, Rows: rows[t.name]}
		for _, c := range t.cols {
			typ := c.typ
			if !c.optional {
				typ += ", required"
			}
			rt.Cols = append(rt.Cols, readmeCol{Name: c.name, Type: typ, Desc: c.desc})
		}
		d.Tables = append(d.Tables, rt)
	}
	q, err := firstQuote(ctx, wk)
	if err != nil {
		return err
	}
	d.Quote = q
	return readmeTemplate.Execute(w, d)
}

// firstQuote returns the key of the first exported quote, or "".
func firstQuote(ctx context.Context, wk *walker) (string, error) {
	if wk.set != nil {
		if ks := wk.set.byKind[graph.KindQuote]; len(ks) > 0 {
			return ks[0], nil
		}
		return "", nil
	}
	p, err := wk.r.List(ctx, graph.KindQuote, "", 1)
	if err != nil || len(p.Keys) == 0 {
		return "", err
	}
	return p.Keys[0], nil
}
