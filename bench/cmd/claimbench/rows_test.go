package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"claimgraph/gen"
	"claimgraph/graph"
)

// TestRowMaker checks the peers' rows of a small corpus: the facets,
// revisions and search texts that mirror claimgraph's index families.
func TestRowMaker(t *testing.T) {
	ctx := context.Background()
	nodes := []graph.Node{
		&graph.Organisation{Key: "o-1", Name: "Daily Example", Kind: "media"},
		&graph.Person{Key: "p-1", Name: "Ada Lovelace", Aliases: []string{"Countess of Lovelace"}},
		&graph.Source{Key: "s-1", Kind: "article", Title: "Counting engines", Publisher: "o-1", PublishedAt: "2024-03-01"},
		&graph.Quote{Key: "q-1", Text: "The engine weaves patterns", Speaker: "p-1", Source: "s-1", Mode: "direct", SaidAt: "2024-02-28"},
		&graph.Quote{Key: "q-2", Text: "It has no pretensions", Speaker: "p-1", Source: "s-1", ReportedBy: "q-1"},
		&graph.Figure{Key: "f-1", Text: "12 engines", Value: 12, Unit: "count", Measure: "engines built", Source: "s-1"},
	}
	links := []graph.Link{
		{From: "q-2", To: "f-1", Relation: graph.RelContext},
		{From: "q-2", To: "q-1", Relation: graph.RelSupports, Reason: "same talk"},
	}

	var (
		facets    = map[string][]facetRow{}
		revisions []revisionRow
		docs      = map[int64]docRow{}
		edges     []edgeRow
		ids       = map[string]int64{}
	)
	sink := rowSink{
		node:     func(r nodeRow) error { ids[r.key] = r.id; return nil },
		edge:     func(e edgeRow) error { edges = append(edges, e); return nil },
		name:     func(nameRow) error { return nil },
		facet:    func(r facetRow) error { facets[r.key] = append(facets[r.key], r); return nil },
		revision: func(r revisionRow) error { revisions = append(revisions, r); return nil },
		doc:      func(r docRow) error { docs[r.id] = r; return nil },
	}
	rm := newRowMaker(len(nodes))
	for _, n := range nodes {
		if err := rm.node(ctx, n, sink); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range links {
		if err := rm.link(l, sink); err != nil {
			t.Fatal(err)
		}
	}

	// Facets: a quote's speaker, source, mode and (through its source)
	// publisher, each with the quote's said_at as order value.
	want := map[int16]string{facetCodes[graph.FacetSpeaker]: "p-1", facetCodes[graph.FacetSource]: "s-1",
		facetCodes[graph.FacetMode]: "direct", facetCodes[graph.FacetPublisher]: "o-1"}
	got := map[int16]string{}
	for _, f := range facets["q-1"] {
		got[f.code] = f.value
		if f.kind != int16(graph.KindQuote) || f.ord == nil {
			t.Errorf("q-1 facet %+v: want kind quote and an order value", f)
		}
	}
	if len(got) != len(want) {
		t.Errorf("q-1 facets %v, want %v", got, want)
	}
	for c, v := range want {
		if got[c] != v {
			t.Errorf("q-1 facet %d = %q, want %q", c, got[c], v)
		}
	}
	// q-2 has no said_at: no order value, and no mode facet.
	for _, f := range facets["q-2"] {
		if f.ord != nil || f.code == facetCodes[graph.FacetMode] {
			t.Errorf("q-2 facet %+v", f)
		}
	}
	// Order values keep the order of the dates.
	if s, q := facets["s-1"][0].ord, facets["q-1"][0].ord; s == nil || q == nil || *q >= *s {
		t.Errorf("order values: source %v, quote %v; want the quote's (earlier) lower", s, q)
	}
	if len(facets["f-1"]) != 4 { // source, unit, measure, publisher
		t.Errorf("figure facets %+v", facets["f-1"])
	}

	// Revisions: one per node, then the link's under its from node, with
	// the record as written.
	if len(revisions) != len(nodes)+len(links) {
		t.Fatalf("%d revisions, want %d", len(revisions), len(nodes)+len(links))
	}
	for i, want := range []int64{2, 3} {
		r := revisions[len(nodes)+i]
		if r.node != ids["q-2"] || r.seq != want || r.change != "created" {
			t.Errorf("link revision %+v: want q-2's revision %d", r, want)
		}
	}
	last := revisions[len(revisions)-1]
	var l graph.Link
	if err := json.Unmarshal(last.record, &l); err != nil || l != links[1] {
		t.Errorf("link revision record %s (%v)", last.record, err)
	}

	// Search texts: the fields graph's ranked search indexes.
	if d := docs[ids["p-1"]]; d.name != "Ada Lovelace" || d.alias != "Countess of Lovelace" {
		t.Errorf("person doc %+v", d)
	}
	if d := docs[ids["s-1"]]; d.title != "Counting engines" {
		t.Errorf("source doc %+v", d)
	}
	if d := docs[ids["f-1"]]; d.text != "12 engines" || d.measure != "engines built" {
		t.Errorf("figure doc %+v", d)
	}

	// The link's edge, after the reference edges.
	if e := edges[len(edges)-1]; e.src != ids["q-2"] || e.dst != ids["q-1"] || e.rel != relCodes[graph.RelSupports] || e.reason == nil {
		t.Errorf("link edge %+v", e)
	}
}

// TestOutsideLoader runs bench/outside/sqlite_load.py (Python's sqlite3, the
// C library, as an outside measurement would load SQLite) on a generated
// corpus and compares its rows with the rowMaker's: the outside load and
// the benchmark's load hold the same records and index entries.
func TestOutsideLoader(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is needed (make test's CI installs it):", err)
	}
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.jsonl")
	f, err := os.Create(corpus)
	if err != nil {
		t.Fatal(err)
	}
	opt := gen.Options{Quotes: 2000, Seed: 3}
	if err := gen.WriteJSONL(f, opt); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "../../outside/sqlite_load.py", corpus, filepath.Join(dir, "out.db")).Output()
	if err != nil {
		t.Fatalf("sqlite_load.py: %v", err)
	}
	var got struct {
		Rows    map[string]int `json:"rows"`
		TotalS  float64        `json:"total_s"`
		Version string         `json:"sqlite"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}

	want := map[string]int{}
	count := func(name string) func() { return func() { want[name]++ } }
	node, edge, name, facet, revision := count("node"), count("edge"), count("name"), count("facet"), count("revision")
	sink := rowSink{
		node: func(r nodeRow) error {
			node()
			want["doc"]++
			if r.kind == int16(graph.KindQuote) {
				want["fts"]++
			}
			return nil
		},
		edge:     func(edgeRow) error { edge(); return nil },
		name:     func(nameRow) error { name(); return nil },
		facet:    func(facetRow) error { facet(); return nil },
		revision: func(revisionRow) error { revision(); return nil },
		doc:      func(docRow) error { return nil },
	}
	rm := newRowMaker(0)
	err = gen.Walk(opt, func(r gen.Record) error {
		if r.Node != nil {
			return rm.node(t.Context(), r.Node, sink)
		}
		return rm.link(*r.Link, sink)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Rows, want) {
		t.Errorf("outside loader rows %v, benchmark rows %v", got.Rows, want)
	}
	if got.TotalS <= 0 || got.Version == "" {
		t.Errorf("summary %s", out)
	}
}
