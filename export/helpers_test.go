package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"claimgraph/demo"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// snapshotTime is the clock of every test export.
var snapshotTime = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return snapshotTime }

// checkDir is the folder of the outside readers (python scripts, npm
// folder).
func checkDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "tools", "export-check"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func demoBundle(t testing.TB) *graph.Bundle {
	t.Helper()
	b, err := demo.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtureBundle(t testing.TB) *graph.Bundle {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := graph.ReadBundle(context.Background(), f, graph.DecodeOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// merge concatenates bundles.
func merge(bs ...*graph.Bundle) *graph.Bundle {
	out := &graph.Bundle{}
	for _, b := range bs {
		out.Nodes = append(out.Nodes, b.Nodes...)
		out.Links = append(out.Links, b.Links...)
	}
	return out
}

// storeOf returns a memgraph store holding the bundle.
func storeOf(t testing.TB, b *graph.Bundle) *memgraph.Store {
	t.Helper()
	st := memgraph.New(memgraph.WithClock(fixedClock))
	if _, err := st.Apply(context.Background(), b.Batch("test", "")); err != nil {
		t.Fatal(err)
	}
	return st
}

// view runs fn in a snapshot of st.
func view(t testing.TB, st graph.Store, fn func(r graph.Reader)) {
	t.Helper()
	if err := st.View(context.Background(), func(r graph.Reader) error { fn(r); return nil }); err != nil {
		t.Fatal(err)
	}
}

// options returns test options for a format.
func options(f Format) Options {
	return Options{Format: f, Scope: Scope{All: true}, Clock: fixedClock}
}

// exportTo writes one format into dir (a file named FileName, or a
// subdirectory named after the format) and returns the path.
func exportTo(t testing.TB, r graph.Reader, opt Options, dir string) string {
	t.Helper()
	ctx := context.Background()
	if opt.Format.IsDir() {
		p := filepath.Join(dir, string(opt.Format))
		if err := WriteDir(ctx, r, opt, p); err != nil {
			t.Fatalf("WriteDir %s: %v", opt.Format, err)
		}
		return p
	}
	p := filepath.Join(dir, FileName(opt))
	var buf bytes.Buffer
	if err := Write(ctx, r, opt, &buf); err != nil {
		t.Fatalf("Write %s: %v", opt.Format, err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// exportBytes returns the stream of a single-stream format.
func exportBytes(t testing.TB, r graph.Reader, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(context.Background(), r, opt, &buf); err != nil {
		t.Fatalf("Write %s: %v", opt.Format, err)
	}
	return buf.Bytes()
}

// python runs a script of tools/export-check with Debian's python3 and
// decodes its JSON output into v. A missing interpreter or module fails the
// test with the package to install.
func python(t testing.TB, v any, env []string, script string, args ...string) {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("%s is missing: apt-get install -y python3 python3-prov python3-rdflib python3-networkx python3-pandas python3-jsonschema python3-requests python3-matplotlib", py)
	}
	cmd := exec.Command(py, append([]string{filepath.Join(checkDir(t), script)}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, tail(stderr.String(), 4000))
	}
	switch v := v.(type) {
	case nil:
		return
	case *string:
		*v = stdout.String()
		return
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("%s: output is not JSON: %v\n%s", script, err, tail(stdout.String(), 2000))
	}
}

// node runs tools/export-check/parquet.mjs on a directory.
func nodeParquet(t testing.TB, dir string, v any) {
	t.Helper()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is missing (apt-get install -y nodejs npm), needed to read Parquet with hyparquet: %v", err)
	}
	if _, err := os.Stat(filepath.Join(checkDir(t), "node_modules", "hyparquet-compressors")); err != nil {
		t.Fatalf("hyparquet is not installed: run \"npm ci\" in tools/export-check (%v)", err)
	}
	cmd := exec.Command(nodeBin, filepath.Join(checkDir(t), "parquet.mjs"), dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("parquet.mjs %s: %v\n%s", dir, err, tail(stderr.String(), 4000))
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("parquet.mjs: output is not JSON: %v", err)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// expected is what a bundle's export must contain, computed from the
// bundle's records independently of the exporter.
type expected struct {
	keys        map[graph.Kind][]string
	all         []string
	links       []graph.Link
	edges       int
	attributed  map[string][]string // entity -> agents (speaker, stated_by, authors, publisher)
	channels    [][2]string         // quote -> channel
	retracted   []string            // targets of retracts links
	revisions   [][2]string         // corrects links and derivations by updates
	quotations  int                 // wasQuotedFrom relations
	figureValue map[string]float64
	quoteText   map[string]string
	reviews     map[string]int      // claim -> rating
	authors     map[string][]string // claim -> speakers of the quotes that express it
	rows        map[string]int      // table -> rows
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return slices.Compact(s)
}

func expect(b *graph.Bundle) *expected {
	e := &expected{keys: map[graph.Kind][]string{}, attributed: map[string][]string{}, figureValue: map[string]float64{},
		quoteText: map[string]string{}, reviews: map[string]int{}, authors: map[string][]string{}, rows: map[string]int{}}
	sup, con := map[string]map[string]bool{}, map[string]map[string]bool{}
	add := func(m map[string]map[string]bool, claim, other string) {
		if m[claim] == nil {
			m[claim] = map[string]bool{}
		}
		m[claim][other] = true
	}
	isClaim := map[string]bool{}
	speakerOf := map[string]string{}
	for _, n := range b.Nodes {
		e.keys[n.NodeKind()] = append(e.keys[n.NodeKind()], n.NodeKey())
		e.all = append(e.all, n.NodeKey())
		e.edges += len(n.Refs())
		switch v := n.(type) {
		case *graph.Source:
			e.attributed[v.Key] = append(e.attributed[v.Key], v.Authors...)
			if v.Publisher != "" {
				e.attributed[v.Key] = append(e.attributed[v.Key], v.Publisher)
			}
			for _, d := range v.DerivedFrom {
				switch d.Relation {
				case "updates":
					e.revisions = append(e.revisions, [2]string{v.Key, d.Source})
				case "quotes":
					e.quotations++
				}
			}
		case *graph.Quote:
			speakerOf[v.Key] = v.Speaker
			if v.Speaker != "" {
				e.attributed[v.Key] = append(e.attributed[v.Key], v.Speaker)
			}
			if v.Channel != "" {
				e.channels = append(e.channels, [2]string{v.Key, v.Channel})
			}
			e.quotations++
			if v.ReportedBy != "" {
				e.quotations++
			}
			e.quoteText[v.Key] = v.Text
		case *graph.Claim:
			isClaim[v.Key] = true
		case *graph.Figure:
			if v.StatedBy != "" {
				e.attributed[v.Key] = append(e.attributed[v.Key], v.StatedBy)
			}
			if v.Source != "" {
				e.quotations++
			}
			e.figureValue[v.Key] = v.Value
		}
	}
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			for _, c := range q.Claims {
				if q.Speaker != "" {
					e.authors[c] = append(e.authors[c], q.Speaker)
				}
			}
		}
	}
	for k, v := range e.attributed {
		if len(v) == 0 {
			delete(e.attributed, k)
			continue
		}
		e.attributed[k] = sortedUnique(v)
	}
	for k, v := range e.authors {
		e.authors[k] = sortedUnique(v)
	}
	for _, l := range b.Links {
		e.links = append(e.links, l)
		e.edges++
		switch l.Relation {
		case graph.RelRetracts:
			e.retracted = append(e.retracted, l.To)
		case graph.RelCorrects:
			e.revisions = append(e.revisions, [2]string{l.From, l.To})
		case graph.RelSupports:
			add(sup, l.To, l.From)
		case graph.RelContradicts:
			add(con, l.To, l.From)
			if isClaim[l.From] {
				add(con, l.From, l.To)
			}
		}
	}
	for _, c := range e.keys[graph.KindClaim] {
		s, k := len(sup[c]), len(con[c])
		switch {
		case s == 0 && k == 0:
		case s == 0:
			e.reviews[c] = 1
		case k == 0:
			e.reviews[c] = 5
		case k > s:
			e.reviews[c] = 2
		case k == s:
			e.reviews[c] = 3
		default:
			e.reviews[c] = 4
		}
	}
	for k := range e.keys {
		sort.Strings(e.keys[k])
		e.rows[k.Section()] = len(e.keys[k])
	}
	for _, k := range graph.Kinds {
		e.rows[k.Section()] = len(e.keys[k])
	}
	sort.Strings(e.all)
	sort.Strings(e.retracted)
	e.rows["nodes"] = len(e.all)
	e.rows["edges"] = e.edges
	return e
}

// sameStrings fails unless got and want hold the same strings in any
// order.
func sameStrings(t testing.TB, what string, got, want []string) {
	t.Helper()
	got, want = slices.Clone(got), slices.Clone(want)
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %d %v,\nwant %d %v", what, len(got), clipList(got), len(want), clipList(want))
	}
}

func clipList(s []string) []string {
	if len(s) > 12 {
		return append(s[:12:12], "...")
	}
	return s
}

// errorIs fails unless err wraps target.
func errorIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("error %v, want one wrapping %v", err, target)
	}
}
