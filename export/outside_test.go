package export

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"claimgraph/graph"
)

// outsideSummary is what tools/export-check/check.py reports.
type outsideSummary struct {
	ProvJSON struct {
		Agents           []string
		Persons          int
		Organizations    int
		Entities         []string
		Records          map[string]int
		Attributed       map[string][]string
		RoundTripRecords int
	} `json:"prov-json"`
	ProvO struct {
		Triples              int
		Agents               []string
		Persons              int
		Entities             int
		WasAttributedTo      [][2]string
		WasDerivedFrom       int
		WasQuotedFrom        int
		HadPrimarySource     [][2]string
		WasInvalidatedBy     [][2]string
		WasRevisionOf        [][2]string
		QualifiedAttribution int
	} `json:"prov-o"`
	GraphML struct {
		Nodes     []string
		Edges     int
		Kinds     map[string]int
		Relations map[string]int
		Types     map[string][]string
		Graph     map[string]any
	} `json:"graphml"`
	JSONL struct {
		IDs   []string
		Links int
		Kinds map[string]int
	} `json:"jsonl"`
	Tables struct {
		IDs          []string
		Rows         map[string]int
		Columns      map[string][]string
		Links        int
		FigureValues map[string]float64
		QuoteText    map[string]string
	} `json:"tables"`
	Datapackage struct {
		Resources   []string
		Files       []string
		ForeignKeys int
		Created     string
		Rows        map[string]int
	} `json:"datapackage"`
	ClaimReview struct {
		Reviews map[string]struct {
			Rating  int
			Name    string
			Authors []string
		}
		Triples int
	} `json:"claimreview"`
	Readme struct {
		Quotes       int
		ClaimsIsList bool
		ApproxIsBool string
		Nodes        int
		Edges        int
	} `json:"readme"`
}

// parquetTable is what tools/export-check/parquet.mjs reports of a file.
type parquetTable struct {
	NumRows   int
	RowGroups int
	Codecs    []string
	Columns   map[string]struct{ Type, Logical, Converted, Repetition string }
	KeyValue  map[string]string
	Rows      []map[string]any
}

// TestOutsideReaders exports every format and reads each with tools from
// outside the project: Debian's python3 with prov, rdflib, networkx,
// pandas and jsonschema, and node with hyparquet. It runs on the demo
// bundle, and on a fixture (retractions, corrections, updates, ranges,
// multi-line and quoted text) merged with a generated graph.
func TestOutsideReaders(t *testing.T) {
	t.Parallel()
	gen := 200
	if raceEnabled {
		gen = 60
	}
	datasets := []struct {
		name string
		b    *graph.Bundle
	}{
		{"demo", demoBundle(t)},
		{"fixture+generated", merge(fixtureBundle(t), newGen(gen).bundle())},
	}
	for _, ds := range datasets {
		t.Run(ds.name, func(t *testing.T) {
			t.Parallel()
			st := storeOf(t, ds.b)
			exp := expect(ds.b)
			dir := t.TempDir()
			paths := map[Format]string{}
			view(t, st, func(r graph.Reader) {
				for _, f := range Formats {
					paths[f] = exportTo(t, r, options(f), dir)
				}
			})
			var got outsideSummary
			python(t, &got, nil, "check.py",
				"prov-json", paths[ProvJSON], "prov-o", paths[ProvO], "graphml", paths[GraphML],
				"jsonl", paths[JSONL], "tables", paths[CSV], "datapackage", paths[Notebook],
				"claimreview", paths[ClaimReview], "readme", paths[Notebook])
			checkProvJSON(t, &got, exp)
			checkProvO(t, &got, exp)
			checkGraphML(t, &got, exp)
			checkTables(t, &got, exp)
			checkNotebook(t, &got, exp, paths)
			checkClaimReview(t, &got, exp)
			var pq map[string]parquetTable
			nodeParquet(t, paths[Parquet], &pq)
			checkParquet(t, pq, exp)
		})
	}
}

func iris(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = DefaultBaseIRI + k
	}
	return out
}

func pairStrings(ps [][2]string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p[0] + " -> " + p[1]
	}
	return out
}

func checkProvJSON(t *testing.T, got *outsideSummary, exp *expected) {
	t.Helper()
	p := got.ProvJSON
	agents := append(slices.Clone(exp.keys[graph.KindPerson]), exp.keys[graph.KindOrganisation]...)
	sameStrings(t, "prov-json agents", p.Agents, agents)
	if p.Persons != len(exp.keys[graph.KindPerson]) || p.Organizations != len(exp.keys[graph.KindOrganisation]) {
		t.Errorf("prov-json: %d persons and %d organizations, want %d and %d", p.Persons, p.Organizations,
			len(exp.keys[graph.KindPerson]), len(exp.keys[graph.KindOrganisation]))
	}
	var entities []string
	for _, k := range []graph.Kind{graph.KindSource, graph.KindQuote, graph.KindClaim, graph.KindFigure} {
		entities = append(entities, exp.keys[k]...)
	}
	sameStrings(t, "prov-json entities", p.Entities, entities)
	if len(p.Attributed) != len(exp.attributed) {
		t.Errorf("prov-json: %d entities attributed, want %d", len(p.Attributed), len(exp.attributed))
	}
	for e, agents := range exp.attributed {
		sameStrings(t, "prov-json attribution of "+e, p.Attributed[e], agents)
	}
	if p.Records["ProvInvalidation"] != len(exp.retracted) || p.Records["ProvActivity"] != len(exp.retracted) {
		t.Errorf("prov-json: %d invalidations and %d activities, want %d of each", p.Records["ProvInvalidation"], p.Records["ProvActivity"], len(exp.retracted))
	}
	total := 0
	for _, n := range p.Records {
		total += n
	}
	if p.RoundTripRecords != total {
		t.Errorf("prov-json: %d records after the Turtle round trip, %d before", p.RoundTripRecords, total)
	}
}

func checkProvO(t *testing.T, got *outsideSummary, exp *expected) {
	t.Helper()
	p := got.ProvO
	agents := append(slices.Clone(exp.keys[graph.KindPerson]), exp.keys[graph.KindOrganisation]...)
	sameStrings(t, "prov-o agents", p.Agents, iris(agents))
	if p.Persons != len(exp.keys[graph.KindPerson]) {
		t.Errorf("prov-o: %d persons, want %d", p.Persons, len(exp.keys[graph.KindPerson]))
	}
	var attributed [][2]string
	for e, as := range exp.attributed {
		for _, a := range as {
			attributed = append(attributed, [2]string{DefaultBaseIRI + e, DefaultBaseIRI + a})
		}
	}
	sameStrings(t, "prov-o wasAttributedTo", pairStrings(p.WasAttributedTo), pairStrings(attributed))
	if p.QualifiedAttribution != len(attributed) {
		t.Errorf("prov-o: %d qualified attributions, want %d", p.QualifiedAttribution, len(attributed))
	}
	var channels, revisions [][2]string
	for _, c := range exp.channels {
		channels = append(channels, [2]string{DefaultBaseIRI + c[0], DefaultBaseIRI + c[1]})
	}
	for _, c := range exp.revisions {
		revisions = append(revisions, [2]string{DefaultBaseIRI + c[0], DefaultBaseIRI + c[1]})
	}
	sameStrings(t, "prov-o hadPrimarySource", pairStrings(p.HadPrimarySource), pairStrings(channels))
	// A correction that also derives by updates is one triple.
	sameStrings(t, "prov-o wasRevisionOf", pairStrings(p.WasRevisionOf), sortedUnique(pairStrings(revisions)))
	var invalidated []string
	for _, pr := range p.WasInvalidatedBy {
		invalidated = append(invalidated, pr[0])
	}
	sameStrings(t, "prov-o wasInvalidatedBy", invalidated, iris(exp.retracted))
	if p.WasQuotedFrom != exp.quotations {
		t.Errorf("prov-o: %d wasQuotedFrom, want %d", p.WasQuotedFrom, exp.quotations)
	}
	if p.WasDerivedFrom < p.WasQuotedFrom+len(channels) {
		t.Errorf("prov-o: %d wasDerivedFrom, fewer than the quotations and primary sources", p.WasDerivedFrom)
	}
}

func checkGraphML(t *testing.T, got *outsideSummary, exp *expected) {
	t.Helper()
	g := got.GraphML
	sameStrings(t, "graphml nodes", g.Nodes, exp.all)
	if g.Edges != exp.edges {
		t.Errorf("graphml: %d edges, want %d", g.Edges, exp.edges)
	}
	for _, k := range graph.Kinds {
		if g.Kinds[k.String()] != len(exp.keys[k]) {
			t.Errorf("graphml: %d nodes of kind %s, want %d", g.Kinds[k.String()], k, len(exp.keys[k]))
		}
	}
	for attr, typ := range map[string]string{"value": "float", "span_start": "int", "approx": "bool", "edge.link": "bool", "label": "str"} {
		if ts := g.Types[attr]; len(exp.keys[graph.KindFigure]) > 0 && !slices.Equal(ts, []string{typ}) {
			t.Errorf("graphml: attribute %s read as %v, want %s", attr, ts, typ)
		}
	}
	if g.Graph["snapshot"] != snapshotTime.Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("graphml: snapshot %v", g.Graph["snapshot"])
	}
}

func checkTables(t *testing.T, got *outsideSummary, exp *expected) {
	t.Helper()
	j := got.JSONL
	sameStrings(t, "jsonl ids", j.IDs, exp.all)
	if j.Links != len(exp.links) {
		t.Errorf("jsonl: %d links, want %d", j.Links, len(exp.links))
	}
	c := got.Tables
	sameStrings(t, "csv ids", c.IDs, exp.all)
	for name, n := range exp.rows {
		if c.Rows[name] != n {
			t.Errorf("csv: %s has %d rows, want %d", name, c.Rows[name], n)
		}
	}
	if c.Links != len(exp.links) {
		t.Errorf("csv: %d links in edges, want %d", c.Links, len(exp.links))
	}
	for k, v := range exp.figureValue {
		if c.FigureValues[k] != v {
			t.Errorf("csv: figure %s value %v, want %v", k, c.FigureValues[k], v)
		}
	}
	for k, v := range exp.quoteText {
		if c.QuoteText[k] != v {
			t.Errorf("csv: quote %s text %q, want %q", k, c.QuoteText[k], v)
		}
	}
}

func checkNotebook(t *testing.T, got *outsideSummary, exp *expected, paths map[Format]string) {
	t.Helper()
	d := got.Datapackage
	var files []string
	for _, sp := range tables() {
		files = append(files, sp.meta().name+".csv", sp.meta().name+".parquet")
	}
	files = append(files, readmeName)
	sameStrings(t, "notebook files", d.Files, files)
	entries, err := os.ReadDir(paths[Notebook])
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(files)+1 {
		t.Errorf("notebook: %d files, want %d and datapackage.json", len(entries), len(files))
	}
	if d.Created != snapshotTime.Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("datapackage created %q", d.Created)
	}
	for name, n := range exp.rows {
		if d.Rows[name] != n {
			t.Errorf("datapackage: resource %s has %d rows, want %d", name, d.Rows[name], n)
		}
	}
	if d.ForeignKeys < 10 {
		t.Errorf("datapackage: %d foreign keys checked", d.ForeignKeys)
	}
	// The notebook's tables are those of the csv and parquet formats.
	for _, f := range files[:len(files)-1] {
		sub := CSV
		if filepath.Ext(f) == ".parquet" {
			sub = Parquet
		}
		a, errA := os.ReadFile(filepath.Join(paths[Notebook], f))
		b, errB := os.ReadFile(filepath.Join(paths[sub], f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("notebook %s differs from the %s export's (%v, %v)", f, sub, errA, errB)
		}
	}
	r := got.Readme
	if r.Quotes != exp.rows["quotes"] || !r.ClaimsIsList || r.ApproxIsBool != "boolean" || r.Nodes != len(exp.all) || r.Edges != exp.edges {
		t.Errorf("README loaders: %+v, want %d quotes, %d nodes, %d edges, typed columns", r, exp.rows["quotes"], len(exp.all), exp.edges)
	}
}

func checkClaimReview(t *testing.T, got *outsideSummary, exp *expected) {
	t.Helper()
	c := got.ClaimReview
	var want []string
	for k := range exp.reviews {
		want = append(want, DefaultBaseIRI+k)
	}
	var have []string
	for k := range c.Reviews {
		have = append(have, k)
	}
	sameStrings(t, "claimreview claims", have, want)
	for k, rating := range exp.reviews {
		r := c.Reviews[DefaultBaseIRI+k]
		if r.Rating != rating || r.Name != ratings[rating] {
			t.Errorf("claimreview %s: rating %d %q, want %d %q", k, r.Rating, r.Name, rating, ratings[rating])
		}
		sameStrings(t, "claimreview authors of "+k, r.Authors, iris(exp.authors[k]))
	}
}

func checkParquet(t *testing.T, pq map[string]parquetTable, exp *expected) {
	t.Helper()
	for name, n := range exp.rows {
		p, ok := pq[name]
		if !ok {
			t.Errorf("parquet: no table %s", name)
			continue
		}
		if p.NumRows != n || len(p.Rows) != n {
			t.Errorf("parquet %s: %d rows in the footer, %d read, want %d", name, p.NumRows, len(p.Rows), n)
		}
		if !slices.Equal(p.Codecs, []string{"ZSTD"}) {
			t.Errorf("parquet %s: codecs %v, want ZSTD", name, p.Codecs)
		}
		if p.KeyValue["claimgraph.snapshot"] != snapshotTime.Format("2006-01-02T15:04:05Z07:00") {
			t.Errorf("parquet %s: snapshot metadata %q", name, p.KeyValue["claimgraph.snapshot"])
		}
	}
	types := []struct{ table, col, typ, logical string }{
		{"figures", "value", "DOUBLE", ""},
		{"figures", "value_max", "DOUBLE", ""},
		{"figures", "approx", "BOOLEAN", ""},
		{"quotes", "span_start", "INT64", "INTEGER"},
		{"quotes", "text", "BYTE_ARRAY", "STRING"},
		{"quotes", "claims", "GROUP", "LIST"},
		{"people", "ids", "GROUP", "MAP"},
		{"sources", "derived_from", "GROUP", "LIST"},
		{"edges", "link", "BOOLEAN", ""},
	}
	for _, c := range types {
		col := pq[c.table].Columns[c.col]
		if col.Type != c.typ || col.Logical != c.logical {
			t.Errorf("parquet %s.%s: %s %s, want %s %s", c.table, c.col, col.Type, col.Logical, c.typ, c.logical)
		}
	}
	var ids []string
	for _, k := range graph.Kinds {
		for _, row := range pq[k.Section()].Rows {
			ids = append(ids, row["id"].(string))
		}
	}
	sameStrings(t, "parquet ids", ids, exp.all)
	for _, row := range pq["figures"].Rows {
		if v, _ := row["value"].(float64); v != exp.figureValue[row["id"].(string)] {
			t.Errorf("parquet figure %s: value %v", row["id"], row["value"])
		}
	}
	for _, row := range pq["quotes"].Rows {
		if s, _ := row["text"].(string); s != exp.quoteText[row["id"].(string)] {
			t.Errorf("parquet quote %s: text %q", row["id"], row["text"])
		}
	}
	links := 0
	for _, row := range pq["edges"].Rows {
		if row["link"] == true {
			links++
		}
	}
	if links != len(exp.links) {
		t.Errorf("parquet edges: %d links, want %d", links, len(exp.links))
	}
}
