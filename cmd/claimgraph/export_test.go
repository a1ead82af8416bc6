package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/export"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
	"claimgraph/store"
	"claimgraph/web"
)

// demoFile is the demo bundle, the data of the export tests.
var demoFile = filepath.Join("..", "..", "demo", "demo.json")

// demoData returns a new data directory with the demo bundle imported and
// the instant just after the import.
func demoData(t *testing.T) (string, time.Time) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if r := cli(t, "", "import", "--data", dir, demoFile); r.code != 0 {
		t.Fatal(r)
	}
	return dir, time.Now().UTC()
}

// demoGraph is the demo bundle decoded: the reference for what an export
// must hold, computed without the store or package export.
type demoGraph struct {
	nodes map[string]graph.Node
	links []graph.Link
}

func loadDemoGraph(t *testing.T) *demoGraph {
	t.Helper()
	f, err := os.Open(demoFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := graph.Decode(f, graph.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := &demoGraph{nodes: map[string]graph.Node{}, links: b.Links}
	for _, n := range b.Nodes {
		g.nodes[n.NodeKey()] = n
	}
	return g
}

// closure returns the seeds and every node their fields refer to,
// transitively, sorted: what a scoped export must hold.
func (g *demoGraph) closure(t *testing.T, seeds []string) []string {
	t.Helper()
	seen := map[string]bool{}
	todo := slices.Clone(seeds)
	for len(todo) > 0 {
		k := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[k] {
			continue
		}
		n, ok := g.nodes[k]
		if !ok {
			t.Fatalf("seed or reference %q is not in the demo bundle", k)
		}
		seen[k] = true
		for _, ref := range n.Refs() {
			todo = append(todo, ref.To)
		}
	}
	return sortedKeys(seen)
}

// linksWithin returns "from relation to" of the links whose ends are both
// in keys, sorted.
func (g *demoGraph) linksWithin(keys []string) []string {
	var out []string
	for _, l := range g.links {
		if slices.Contains(keys, l.From) && slices.Contains(keys, l.To) {
			out = append(out, l.From+" "+string(l.Relation)+" "+l.To)
		}
	}
	slices.Sort(out)
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// records reads a jsonl-format export: the node ids and the links as
// "from relation to", both sorted.
func records(t *testing.T, s string) (ids, links []string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var rec struct {
			Type, ID, From, To, Relation string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, line)
		}
		if rec.Type == "link" {
			links = append(links, rec.From+" "+rec.Relation+" "+rec.To)
		} else {
			ids = append(ids, rec.ID)
		}
	}
	slices.Sort(ids)
	slices.Sort(links)
	return ids, links
}

// idsIn returns every "id" string of a JSON document, sorted and unique.
func idsIn(t *testing.T, doc string) []string {
	t.Helper()
	re := regexp.MustCompile(`"id":\s*"([^"]+)"`)
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(doc, -1) {
		seen[m[1]] = true
	}
	return sortedKeys(seen)
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExportScopes exports each scope as jsonl records and checks the
// nodes and links against the demo bundle: the scope's seeds, found
// independently (from the bundle or through `query`), closed over
// references; the links whose ends are both exported.
func TestExportScopes(t *testing.T) {
	t.Parallel()
	dir, _ := demoData(t)
	g := loadDemoGraph(t)

	// The trace's nodes, asked of the GraphQL trace field.
	tr := cli(t, "", "query", "--data", dir, "--compact",
		`{ trace(id: "q-walz-request") { root { id } hops { from { id } to { id } } } }`)
	if tr.code != 0 {
		t.Fatal(tr)
	}
	traceSeeds := idsIn(t, tr.stdout)
	if len(traceSeeds) < 4 {
		t.Fatalf("trace of q-walz-request reaches %v", traceSeeds)
	}

	var speakerSeeds []string
	speakerSeeds = append(speakerSeeds, "dhs")
	for k, n := range g.nodes {
		switch n := n.(type) {
		case *graph.Quote:
			if n.Speaker == "dhs" {
				speakerSeeds = append(speakerSeeds, k)
			}
		case *graph.Figure:
			if n.StatedBy == "dhs" {
				speakerSeeds = append(speakerSeeds, k)
			}
		}
	}
	if len(speakerSeeds) < 4 {
		t.Fatalf("dhs speaks too little in the demo: %v", speakerSeeds)
	}
	all := make([]string, 0, len(g.nodes))
	for k := range g.nodes {
		all = append(all, k)
	}
	idsFile := writeTemp(t, "keys.txt", "# the crime claim and one figure\nc-crime-down\n\n  f-shootings  # police statistics\n")

	tests := []struct {
		name  string
		stdin string
		args  []string
		seeds []string
	}{
		{"whole graph", "", nil, all},
		{"trace", "", []string{"--trace", "q-walz-request"}, traceSeeds},
		{"speaker", "", []string{"--speaker", "dhs"}, speakerSeeds},
		{"ids file", "", []string{"--ids", idsFile}, []string{"c-crime-down", "f-shootings"}},
		{"ids from stdin", "tim-walz\n# done\n", []string{"--ids", "-"}, []string{"tim-walz"}},
		{"query", "", []string{"--query", `{ a: node(id: "f-walz-agents") { id ... on Figure { statedBy { id } } } b: nodes(ids: ["c-crime-down"]) { id } }`},
			[]string{"f-walz-agents", g.nodes["f-walz-agents"].(*graph.Figure).StatedBy, "c-crime-down"}},
		{"query from stdin", `{ node(id: "q-dhs-gun") { id } }`, []string{"--query", "-"}, []string{"q-dhs-gun"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, tt.stdin, append([]string{"export", "--data", dir, "--format", "jsonl"}, tt.args...)...)
			if r.code != 0 {
				t.Fatal(r)
			}
			if r.stderr != "" { // no progress bar in a pipe, nothing to say
				t.Errorf("stderr: %q", r.stderr)
			}
			ids, links := records(t, r.stdout)
			want := g.closure(t, tt.seeds)
			if !slices.Equal(ids, want) {
				t.Errorf("nodes\n got %v\nwant %v", ids, want)
			}
			if wl := g.linksWithin(want); !slices.Equal(links, wl) {
				t.Errorf("links\n got %v\nwant %v", links, wl)
			}
			if tt.args == nil && len(links) != len(g.links) {
				t.Errorf("whole graph: %d links, the bundle has %d", len(links), len(g.links))
			}
		})
	}
}

// TestExportFormats exports every format through the command line and
// checks the result against package export run on the same snapshot.
func TestExportFormats(t *testing.T) {
	t.Parallel()
	dir, at := demoData(t)
	asOf := at.Format(time.RFC3339Nano)
	out := t.TempDir()
	type run struct {
		format export.Format
		jsonl  bool
		path   string
	}
	var runs []run
	for _, f := range export.Formats {
		runs = append(runs, run{format: f, path: filepath.Join(out, string(f))})
	}
	runs = append(runs, run{format: export.Bundle, jsonl: true, path: filepath.Join(out, "bundle-jsonl")})

	stdout := map[string]string{}
	for _, rn := range runs {
		args := []string{"export", "--data", dir, "--format", string(rn.format), "--as-of", asOf, "--trace", "q-walz-request"}
		if rn.jsonl {
			args = append(args, "--jsonl")
		}
		if r := cli(t, "", append(args, "--out", rn.path)...); r.code != 0 || r.stdout != "" {
			t.Fatalf("%s: %s", rn.format, r)
		}
		if rn.format == export.Bundle || rn.format == export.ProvO { // standard output is the same stream
			r := cli(t, "", args...)
			if r.code != 0 {
				t.Fatalf("%s to stdout: %s", rn.format, r)
			}
			stdout[rn.path] = r.stdout
		}
	}

	// The same exports, made by package export on the store directly.
	st, err := store.Open(context.Background(), store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, rn := range runs {
		name := string(rn.format)
		if rn.jsonl {
			name += " --jsonl"
		}
		t.Run(name, func(t *testing.T) {
			opt := export.Options{Format: rn.format, JSONL: rn.jsonl, AsOf: asOf}
			err := st.ViewAt(context.Background(), at, func(r graph.Reader) error {
				tr, err := graph.TraceFrom(context.Background(), r, "q-walz-request", graph.TraceOptions{})
				if err != nil {
					return err
				}
				opt.Scope.Keys = []string{tr.Root}
				for _, h := range tr.Hops {
					opt.Scope.Keys = append(opt.Scope.Keys, h.From, h.To)
				}
				slices.Sort(opt.Scope.Keys)
				opt.Scope.Keys = slices.Compact(opt.Scope.Keys)
				if rn.format.IsDir() {
					return export.WriteDir(context.Background(), r, opt, rn.path+".want")
				}
				var b bytes.Buffer
				if err := export.Write(context.Background(), r, opt, &b); err != nil {
					return err
				}
				return os.WriteFile(rn.path+".want", b.Bytes(), 0o600)
			})
			if err != nil {
				t.Fatal(err)
			}
			if rn.format.IsDir() {
				got, want := readTree(t, rn.path), readTree(t, rn.path+".want")
				if len(got) == 0 || !equalTrees(got, want) {
					t.Errorf("directory differs from export.WriteDir: got files %v, want %v", treeNames(got), treeNames(want))
				}
				return
			}
			got, err := os.ReadFile(rn.path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(rn.path + ".want")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || !bytes.Equal(got, want) {
				t.Errorf("--out file differs from export.Write (%d and %d bytes)", len(got), len(want))
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Logf("at %d: %q vs %q", i, got[max(0, i-80):min(len(got), i+40)], want[max(0, i-80):min(len(want), i+40)])
						break
					}
				}
			}
			if out, ok := stdout[rn.path]; ok && out != string(got) {
				t.Errorf("standard output differs from --out")
			}
		})
	}
}

// readTree returns the files under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalTrees(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func treeNames(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestExportBundleRoundTrip exports the bundle, imports it into an empty
// directory and exports again: the same bytes, every key kept, in JSON and
// in JSON Lines.
func TestExportBundleRoundTrip(t *testing.T) {
	t.Parallel()
	dir, _ := demoData(t)
	g := loadDemoGraph(t)
	for _, jsonl := range []bool{false, true} {
		name := "json"
		if jsonl {
			name = "jsonl"
		}
		t.Run(name, func(t *testing.T) {
			args := []string{"export", "--format", "bundle"}
			if jsonl {
				args = append(args, "--jsonl")
			}
			first := cli(t, "", append(args, "--data", dir)...)
			if first.code != 0 {
				t.Fatal(first)
			}
			file := writeTemp(t, "demo."+name, first.stdout)
			fresh := filepath.Join(t.TempDir(), "fresh")
			if r := cli(t, "", "import", "--data", fresh, file); r.code != 0 {
				t.Fatal(r)
			}
			second := cli(t, "", append(args, "--data", fresh)...)
			if second.code != 0 {
				t.Fatal(second)
			}
			if first.stdout != second.stdout {
				t.Errorf("the second export differs from the first")
			}
			for k := range g.nodes {
				if !strings.Contains(first.stdout, `"key":"`+k+`"`) && !strings.Contains(first.stdout, `"key": "`+k+`"`) {
					t.Errorf("key %s lost", k)
				}
			}
		})
	}
}

// TestExportErrors: usage errors exit 2, the rest 1 with a message naming
// the problem, and nothing is written.
func TestExportErrors(t *testing.T) {
	t.Parallel()
	dir, _ := demoData(t)
	tmp := t.TempDir()
	full := filepath.Join(tmp, "full")
	if err := os.MkdirAll(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	unknown := writeTemp(t, "unknown.txt", "c-crime-down\nno-such-key\nf-shootings\nnor-this\n")
	empty := writeTemp(t, "empty.txt", "# nothing\n\n")
	tests := []struct {
		name    string
		args    []string
		code    int
		want    string
		notMade string // a path that must not exist afterwards
	}{
		{"no format", nil, 2, "--format is required", ""},
		{"unknown format", []string{"--format", "xls"}, 2, `unknown format "xls": want bundle, jsonl`, ""},
		{"directory format without --out", []string{"--format", "csv"}, 2, "give --out DIR", ""},
		{"two scopes", []string{"--format", "bundle", "--trace", "q-dhs-gun", "--speaker", "dhs"}, 2, "one scope at most", ""},
		{"depth without trace", []string{"--format", "bundle", "--depth", "2"}, 2, "--depth applies to --trace only", ""},
		{"depth zero", []string{"--format", "bundle", "--trace", "q-dhs-gun", "--depth", "0"}, 2, "--depth 0: want 1 to", ""},
		{"depth too deep", []string{"--format", "bundle", "--trace", "q-dhs-gun", "--depth", "99"}, 2, "want 1 to", ""},
		{"jsonl with csv", []string{"--format", "csv", "--jsonl", "--out", filepath.Join(tmp, "j")}, 2, "--jsonl applies to the bundle format only", filepath.Join(tmp, "j")},
		{"bad as-of", []string{"--format", "bundle", "--as-of", "yesterday"}, 2, `"yesterday" is not a time`, ""},
		{"out is a directory", []string{"--format", "bundle", "--out", tmp}, 2, "is a directory", ""},
		{"argument", []string{"--format", "bundle", "out.json"}, 2, "takes no arguments", ""},
		{"non-empty out directory", []string{"--format", "csv", "--out", full}, 1, "is not empty", ""},
		{"unknown ids", []string{"--format", "bundle", "--ids", unknown, "--out", filepath.Join(tmp, "u.json")}, 1,
			"--ids " + unknown + ": 2 unknown keys: no-such-key, nor-this", filepath.Join(tmp, "u.json")},
		{"unknown ids, directory format", []string{"--format", "parquet", "--ids", unknown, "--out", filepath.Join(tmp, "u-dir")}, 1,
			"2 unknown keys: no-such-key, nor-this", filepath.Join(tmp, "u-dir")},
		{"unknown trace root", []string{"--format", "bundle", "--trace", "q-nowhere"}, 1, `--trace: unknown key "q-nowhere"`, ""},
		{"unknown speaker", []string{"--format", "bundle", "--speaker", "nobody"}, 1, `--speaker: unknown key "nobody"`, ""},
		{"speaker not an agent", []string{"--format", "bundle", "--speaker", "q-dhs-gun"}, 1, `"q-dhs-gun" is a quote, not a person or organisation`, ""},
		{"query with errors", []string{"--format", "bundle", "--query", "{ nosuchfield }"}, 1, "--query: the query failed", ""},
		{"query naming no node", []string{"--format", "bundle", "--query", `{ node(id: "nobody") { id } }`}, 1, "holds no id", ""},
		{"query naming an unknown key", []string{"--format", "bundle", "--query", `{ node(id: "c-crime-down") { id } }`, "--as-of", "2001-01-01"}, 1, "holds no id", ""},
		{"empty ids file", []string{"--format", "bundle", "--ids", empty}, 1, "names no keys", ""},
		{"missing ids file", []string{"--format", "bundle", "--ids", filepath.Join(tmp, "none.txt")}, 1, "no such file", ""},
		{"key unknown at the instant", []string{"--format", "jsonl", "--ids", unknown, "--as-of", "2001-01-01"}, 1, "4 unknown keys", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, "", append([]string{"export", "--data", dir}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want exit %d and %q in stderr, got %s", tt.code, tt.want, r)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			if tt.notMade != "" {
				if _, err := os.Stat(tt.notMade); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s was made: %v", tt.notMade, err)
				}
			}
		})
	}
	// A failed --out leaves no temporary file beside it either.
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	// A missing data directory is not created.
	r := cli(t, "", "export", "--data", filepath.Join(tmp, "typo"), "--format", "bundle")
	if r.code != 1 || !strings.Contains(r.stderr, "no data directory at") {
		t.Errorf("missing data directory: %s", r)
	}
}

// TestExportAsOf reads the graph as it stood before a second import.
func TestExportAsOf(t *testing.T) {
	t.Parallel()
	dir, between := demoData(t)
	late := writeTemp(t, "late.json", `{"claimgraph":"bundle/1","people":[{"key":"zora-late","name":"Zora Late"}]}`)
	if r := cli(t, "", "import", "--data", dir, late); r.code != 0 {
		t.Fatal(r)
	}
	g := loadDemoGraph(t)
	tests := []struct {
		name    string
		asOf    string
		want    int  // nodes
		hasLate bool // zora-late exported
	}{
		{"now", "", len(g.nodes) + 1, true},
		{"between the imports", between.Format(time.RFC3339Nano), len(g.nodes), false},
		{"a date before anything", "2001-02-03", 0, false},
		{"a date in the future is now", "9999-01-01", len(g.nodes) + 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"export", "--data", dir, "--format", "jsonl"}
			if tt.asOf != "" {
				args = append(args, "--as-of", tt.asOf)
			}
			r := cli(t, "", args...)
			if r.code != 0 {
				t.Fatal(r)
			}
			ids, _ := records(t, r.stdout)
			if len(ids) != tt.want || slices.Contains(ids, "zora-late") != tt.hasLate {
				t.Errorf("%d nodes (zora-late: %v), want %d (%v)", len(ids), slices.Contains(ids, "zora-late"), tt.want, tt.hasLate)
			}
		})
	}
	// The metadata of a notebook carries the instant.
	nb := filepath.Join(t.TempDir(), "nb")
	if r := cli(t, "", "export", "--data", dir, "--format", "notebook", "--out", nb, "--as-of", between.Format(time.RFC3339Nano)); r.code != 0 {
		t.Fatal(r)
	}
	readme, err := os.ReadFile(filepath.Join(nb, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), between.Format(time.RFC3339Nano)) {
		t.Errorf("the notebook README does not name the instant %s", between.Format(time.RFC3339Nano))
	}
}

func TestParseAsOf(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"2026-01-26T19:47:00Z", time.Date(2026, 1, 26, 19, 47, 0, 0, time.UTC), false},
		{"2026-01-26T20:47:00+01:00", time.Date(2026, 1, 26, 19, 47, 0, 0, time.UTC), false},
		{"2026-01-26T19:47", time.Date(2026, 1, 26, 19, 47, 0, 0, time.UTC), false},
		{"2026-01-26", time.Date(2026, 1, 26, 23, 59, 59, 999999999, time.UTC), false},
		{"2026-03-01", time.Time{}, false}, // the end of today is still to come: now
		{"2027-01-01T00:00:00Z", time.Time{}, false},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
		{"0001-01-01", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseAsOf(tt.in, now)
			if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
				t.Errorf("parseAsOf(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, graph.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestReadIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"a\nb\n", []string{"a", "b"}},
		{"# header\n\n  a  \r\nb # trailing comment\n#c\n", []string{"a", "b"}},
		{"no-newline-at-end", []string{"no-newline-at-end"}},
	}
	for _, tt := range tests {
		got, err := readIDs(strings.NewReader(tt.in))
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("readIDs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCollectIDs(t *testing.T) {
	var data any
	doc := `{"a":{"id":"x","n":[{"id":"y"},{"other":{"id":"z"}},{"id":3}]},"id":"top","s":"id"}`
	if err := json.Unmarshal([]byte(doc), &data); err != nil {
		t.Fatal(err)
	}
	var got []string
	collectIDs(data, &got)
	slices.Sort(got)
	if want := []string{"top", "x", "y", "z"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestExportValues checks the parameters of GET /export, and that what the
// command line sends to a server reads back as the same request.
func TestExportValues(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		query   string
		wantErr string
		check   func(*exportRequest) bool
	}{
		{"format=bundle", "", func(q *exportRequest) bool { return q.format == export.Bundle && q.scopes() == 0 }},
		{"format=bundle&jsonl=1", "", func(q *exportRequest) bool { return q.jsonl }},
		{"format=csv&ids=a,b&ids=c,,%20d", "", func(q *exportRequest) bool { return slices.Equal(q.ids, []string{"a", "b", "c", "d"}) }},
		{"format=prov-json&trace=q1&depth=3&asOf=2026-01-27T10%3A00%3A00Z", "", func(q *exportRequest) bool {
			return q.trace == "q1" && q.depth == 3 && q.asOf.Equal(time.Date(2026, 1, 27, 10, 0, 0, 0, time.UTC))
		}},
		{"format=graphml&speaker=dhs", "", func(q *exportRequest) bool { return q.speaker == "dhs" }},
		{"format=jsonl&query=%7B+node(id%3A%22x%22)+%7B+id+%7D+%7D", "", func(q *exportRequest) bool { return q.query == `{ node(id:"x") { id } }` }},
		{"", "no format given", nil},
		{"format=xls", `unknown format "xls"`, nil},
		{"format=bundle&format=csv", "format given 2 times", nil},
		{"format=bundle&trace=a&ids=b", "one scope at most: trace, speaker, ids or query", nil},
		{"format=bundle&tracee=a", `unknown parameter "tracee"`, nil},
		{"format=csv&jsonl=1", "jsonl applies to the bundle format only", nil},
		{"format=bundle&jsonl=yes", `jsonl "yes"`, nil},
		{"format=bundle&depth=2", "depth applies to trace only", nil},
		{"format=bundle&trace=a&depth=x", `depth "x"`, nil},
		{"format=bundle&asOf=soon", `"soon" is not a time`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := parseExportValues(v, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, graph.ErrInvalid) {
					t.Fatalf("error %v, want %q wrapping ErrInvalid", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(q) {
				t.Errorf("request %+v", q)
			}
			// The round trip that exporting through the server relies on.
			back, err := parseExportValues(q.values(), now)
			if err != nil {
				t.Fatalf("values %v: %v", q.values(), err)
			}
			if back.format != q.format || back.jsonl != q.jsonl || !back.asOf.Equal(q.asOf) || back.trace != q.trace ||
				back.depth != q.depth || back.speaker != q.speaker || !slices.Equal(back.ids, q.ids) || back.query != q.query {
				t.Errorf("round trip through %v: %+v, want %+v", q.values(), back, q)
			}
		})
	}
}

// exportServer serves /export and the browser on the store of a demo
// data directory, as serve mounts them.
func exportServer(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/export", newExportHandler(st, testLogger(t)))
	mux.Handle("/", web.New(st, web.Options{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return srv
}

func testLogger(t *testing.T) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
}

func fetchExport(t *testing.T, method, u string, body io.Reader, ctype string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// unzip returns the files of an archive by name.
func unzipAll(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip archive: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = data
	}
	return out
}

// TestExportHTTP asks GET /export for single-stream and directory formats
// and compares them with the command line's exports of the same snapshot.
func TestExportHTTP(t *testing.T) {
	t.Parallel()
	dir, at := demoData(t)
	asOf := at.Format(time.RFC3339Nano)
	cliOut := func(args ...string) string {
		r := cli(t, "", append([]string{"export", "--data", dir, "--as-of", asOf}, args...)...)
		if r.code != 0 {
			t.Fatal(r)
		}
		return r.stdout
	}
	bundle := cliOut("--format", "bundle")
	bundleJSONL := cliOut("--format", "bundle", "--jsonl", "--ids", writeTemp(t, "ids", "c-crime-down\n"))
	turtle := cliOut("--format", "prov-o", "--trace", "q-walz-request")
	csvDir := filepath.Join(t.TempDir(), "csv")
	cliOut("--format", "csv", "--speaker", "dhs", "--out", csvDir)
	csvFiles := readTree(t, csvDir)

	srv := exportServer(t, dir)
	q := "&asOf=" + url.QueryEscape(asOf)
	tests := []struct {
		name     string
		path     string
		ctype    string
		filename string
		body     string            // the whole body, when set
		files    map[string][]byte // the archive's files, when set
		folder   string
	}{
		{"bundle", "/export?format=bundle" + q, "application/json", "claimgraph.json", bundle, nil, ""},
		{"bundle as JSON Lines", "/export?format=bundle&jsonl=1&ids=c-crime-down" + q, "application/jsonl", "claimgraph.jsonl", bundleJSONL, nil, ""},
		{"PROV-O of a trace", "/export?format=prov-o&trace=q-walz-request" + q, "text/turtle; charset=utf-8", "claimgraph.ttl", turtle, nil, ""},
		{"csv of a speaker", "/export?format=csv&speaker=dhs" + q, "application/zip", "claimgraph-csv.zip", "", csvFiles, "claimgraph-csv/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := fetchExport(t, http.MethodGet, srv.URL+tt.path, nil, "")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got, want := resp.Header.Get("Content-Disposition"), "attachment; filename="+tt.filename; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			if tt.files == nil {
				if string(b) != tt.body || len(b) == 0 {
					t.Errorf("body differs from the command line's export (%d and %d bytes)", len(b), len(tt.body))
				}
				return
			}
			got := map[string][]byte{}
			for name, data := range unzipAll(t, b) {
				rel, ok := strings.CutPrefix(name, tt.folder)
				if !ok {
					t.Errorf("archive entry %s outside %s", name, tt.folder)
				}
				got[rel] = data
			}
			if !equalTrees(got, tt.files) {
				t.Errorf("archive files %v differ from the command line's %v", treeNames(got), treeNames(tt.files))
			}
		})
	}

	t.Run("parquet archive", func(t *testing.T) {
		resp, b := fetchExport(t, http.MethodGet, srv.URL+"/export?format=parquet&ids=f-shootings", nil, "")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		files := unzipAll(t, b)
		for _, name := range []string{"quotes", "figures", "edges", "nodes"} {
			data := files["claimgraph-parquet/"+name+".parquet"]
			if !bytes.HasPrefix(data, []byte("PAR1")) || !bytes.HasSuffix(data, []byte("PAR1")) {
				t.Errorf("%s.parquet is not a Parquet file (%d bytes)", name, len(data))
			}
		}
	})

	t.Run("POST form with a long ids list", func(t *testing.T) {
		ids := strings.Repeat("c-crime-down,f-shootings,", 400)
		form := url.Values{"format": {"jsonl"}, "ids": {ids}}
		resp, b := fetchExport(t, http.MethodPost, srv.URL+"/export", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		got, _ := records(t, string(b))
		if !slices.Contains(got, "c-crime-down") || !slices.Contains(got, "f-shootings") {
			t.Errorf("records %v", got)
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		resp, b := fetchExport(t, http.MethodHead, srv.URL+"/export?format=graphml&ids=dhs", nil, "")
		if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Content-Type") != "application/graphml+xml" {
			t.Errorf("HEAD: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	})

	errs := []struct {
		name, method, path string
		status             int
		want               string
	}{
		{"no format", "GET", "/export", 400, "no format given"},
		{"unknown format", "GET", "/export?format=pdf", 400, `unknown format \"pdf\"`},
		{"unknown key", "GET", "/export?format=bundle&ids=c-crime-down,no-such-key", 404, `ids: unknown key \"no-such-key\"`},
		{"unknown trace root", "GET", "/export?format=csv&trace=nope", 404, `trace: unknown key \"nope\"`},
		{"unknown speaker", "GET", "/export?format=bundle&speaker=nobody", 404, `speaker: unknown key \"nobody\"`},
		{"two scopes", "GET", "/export?format=bundle&trace=a&speaker=b", 400, "one scope at most"},
		{"unknown parameter", "GET", "/export?format=bundle&id=x", 400, `unknown parameter \"id\"`},
		{"bad asOf", "GET", "/export?format=bundle&asOf=tomorrow", 400, "is not a time"},
		{"empty ids", "GET", "/export?format=bundle&ids=,", 400, "ids names no keys"},
		{"query with errors", "GET", "/export?format=bundle&query=%7B+nope+%7D", 400, "the query failed"},
		{"a mutation as the query", "GET", "/export?format=bundle&query=" + url.QueryEscape(`mutation { retract(id: "c-crime-down", reason: "x") { changed } }`), 400, "the query failed"},
		{"PUT", "PUT", "/export?format=bundle", 405, "answers GET"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := fetchExport(t, tt.method, srv.URL+tt.path, nil, "")
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(b), tt.want) {
				t.Errorf("got %d %q %s, want %d with %s", resp.StatusCode, resp.Header.Get("Content-Type"), b, tt.status, tt.want)
			}
			var e struct{ Error string }
			if json.Unmarshal(b, &e) != nil || e.Error == "" {
				t.Errorf("not a JSON error: %s", b)
			}
		})
	}
	// The mutation above changed nothing.
	resp, b := fetchExport(t, http.MethodGet, srv.URL+"/export?format=jsonl&ids=c-crime-down", nil, "")
	if resp.StatusCode != 200 || strings.Contains(string(b), "retracted") {
		t.Errorf("after the refused mutation: %d %s", resp.StatusCode, b)
	}
}

// TestExportBrowserLinks follows every export link of the browser's node,
// trace and search pages (with and without asOf): each answers 200 with
// the format's media type.
func TestExportBrowserLinks(t *testing.T) {
	t.Parallel()
	dir, at := demoData(t)
	srv := exportServer(t, dir)
	asOf := url.QueryEscape(at.Format(time.RFC3339Nano))
	pages := []string{
		"/n/c-crime-down?asOf=" + asOf,
		"/trace/q-walz-request",
		"/?q=crime",
	}
	link := regexp.MustCompile(`href="(/export\?[^"]+)"`)
	seen := 0
	for i, p := range pages {
		resp, b := fetchExport(t, http.MethodGet, srv.URL+p, nil, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
		ms := link.FindAllStringSubmatch(string(b), -1)
		if len(ms) == 0 {
			t.Errorf("%s has no export link", p)
		}
		for _, m := range ms {
			u := html.UnescapeString(m[1])
			seen++
			if strings.Contains(u, "format=parquet") && i > 0 {
				continue // Parquet is slow under -race: its link is followed on the first page
			}
			t.Run(u, func(t *testing.T) {
				pu, err := url.Parse(u)
				if err != nil {
					t.Fatal(err)
				}
				f, err := export.ParseFormat(pu.Query().Get("format"))
				if err != nil {
					t.Fatal(err)
				}
				resp, body := fetchExport(t, http.MethodGet, srv.URL+u, nil, "")
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != export.ContentType(f) || len(body) == 0 {
					t.Errorf("%d %q %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
			})
		}
	}
	if seen < len(pages)*2 {
		t.Errorf("only %d export links", seen)
	}
}

// TestExportThroughServer runs serve on a data directory and exports with
// the command line meanwhile: the directory is locked, so the export goes
// through the server and gives what a direct export gives.
func TestExportThroughServer(t *testing.T) {
	t.Parallel()
	dir, at := demoData(t)
	asOf := at.Format(time.RFC3339Nano)
	ids := writeTemp(t, "ids.txt", strings.Repeat("c-crime-down\nf-shootings\n", 400)) // long: sent as a POST form
	cases := []struct {
		name string
		args []string
		dir  bool
	}{
		{"bundle", []string{"--format", "bundle"}, false},
		{"bundle jsonl of a trace", []string{"--format", "bundle", "--jsonl", "--trace", "q-walz-request", "--depth", "2"}, false},
		{"graphml of a query", []string{"--format", "graphml", "--query", `{ node(id: "f-walz-agents") { id } }`, "--as-of", asOf}, false},
		{"jsonl of long ids", []string{"--format", "jsonl", "--ids", ids}, false},
		{"csv of a trace", []string{"--format", "csv", "--trace", "q-walz-request"}, true},
		{"notebook", []string{"--format", "notebook", "--ids", ids, "--as-of", asOf}, true},
	}
	run := func(t *testing.T, args []string, isDir bool, outDir string) (string, map[string][]byte) {
		t.Helper()
		full := append([]string{"export", "--data", dir}, args...)
		if isDir {
			full = append(full, "--out", outDir)
		}
		r := cli(t, "", full...)
		if r.code != 0 {
			t.Fatal(r)
		}
		if isDir {
			return "", readTree(t, outDir)
		}
		return r.stdout, nil
	}
	tmp := t.TempDir()
	type result struct {
		out   string
		files map[string][]byte
	}
	direct := map[string]result{}
	for i, c := range cases {
		out, files := run(t, c.args, c.dir, filepath.Join(tmp, "direct", string(rune('a'+i))))
		direct[c.name] = result{out, files}
	}

	base, logs, stop := startServer(t, "--data", dir)
	addr, err := os.ReadFile(filepath.Join(dir, serveAddrFile))
	if err != nil {
		t.Fatalf("serve did not record its address: %v", err)
	}
	if "http://"+strings.TrimSpace(string(addr)) != base {
		t.Errorf("serve.addr %q, server at %s", addr, base)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, files := run(t, c.args, c.dir, filepath.Join(tmp, "served", string(rune('a'+i))))
			want := direct[c.name]
			// Formats that record the snapshot's time are given one.
			if c.dir {
				if len(files) == 0 || !equalTrees(files, want.files) {
					t.Errorf("files %v, want %v", treeNames(files), treeNames(want.files))
				}
			} else if out == "" || out != want.out {
				t.Errorf("differs from the direct export (%d and %d bytes)", len(out), len(want.out))
			}
		})
	}
	t.Run("to a file", func(t *testing.T) {
		p := filepath.Join(tmp, "served.json")
		if r := cli(t, "", "export", "--data", dir, "--format", "bundle", "--out", p); r.code != 0 {
			t.Fatal(r)
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != direct["bundle"].out {
			t.Errorf("file differs from the direct export: %v", err)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		out := filepath.Join(tmp, "never")
		r := cli(t, "", "export", "--data", dir, "--format", "csv", "--ids", writeTemp(t, "bad", "no-such-key\n"), "--out", out)
		if r.code != 1 || !strings.Contains(r.stderr, "--ids ") || !strings.Contains(r.stderr, `: unknown key "no-such-key"`) || r.stdout != "" {
			t.Errorf("%s", r)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s made: %v", out, err)
		}
	})
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	if _, err := os.Stat(filepath.Join(dir, serveAddrFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve.addr left after shutdown: %v", err)
	}
}

// TestExportLockedWithoutServer: a locked directory with no server record
// gets the plain sentence; a record of a server that is gone says so.
func TestExportLockedWithoutServer(t *testing.T) {
	t.Parallel()
	dir, _ := demoData(t)
	st, err := store.Open(context.Background(), store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := cli(t, "", "export", "--data", dir, "--format", "bundle")
	if r.code != 1 || !strings.Contains(r.stderr, "is in use by another claimgraph process") {
		t.Errorf("no record: %s", r)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := ln.Addr().String()
	ln.Close()
	if err := os.WriteFile(filepath.Join(dir, serveAddrFile), []byte(gone+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "", "export", "--data", dir, "--format", "bundle")
	if r.code != 1 || !strings.Contains(r.stderr, "held by `claimgraph serve` at "+gone) || !strings.Contains(r.stderr, "did not answer") {
		t.Errorf("stale record: %s", r)
	}
}

// TestServeAddrFile: an unspecified host is recorded as loopback, and the
// record is removed only while it is still this server's.
func TestServeAddrFile(t *testing.T) {
	tests := []struct{ listen, want string }{
		{"127.0.0.1:8080", "127.0.0.1:8080"},
		{"0.0.0.0:8080", "127.0.0.1:8080"},
		{"[::]:8080", "[::1]:8080"},
		{"[::1]:9", "[::1]:9"},
		{"localhost:8080", "localhost:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.listen, func(t *testing.T) {
			dir := t.TempDir()
			remove, err := writeServeAddr(dir, tt.listen)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readServeAddr(dir)
			if err != nil || got != tt.want {
				t.Errorf("recorded %q (%v), want %q", got, err, tt.want)
			}
			remove()
			if _, err := readServeAddr(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("not removed: %v", err)
			}
		})
	}
	dir := t.TempDir()
	remove, err := writeServeAddr(dir, "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeServeAddr(dir, "127.0.0.1:2"); err != nil { // a later server
		t.Fatal(err)
	}
	remove()
	if got, err := readServeAddr(dir); err != nil || got != "127.0.0.1:2" {
		t.Errorf("the later server's record: %q %v", got, err)
	}
}

// failingReader fails to list figures: an export of the whole graph fails
// after it has written the kinds before.
type failingReader struct{ graph.Reader }

var errListFigures = errors.New("figures unreadable")

func (f failingReader) List(ctx context.Context, k graph.Kind, after string, limit int) (graph.Page, error) {
	if k == graph.KindFigure {
		return graph.Page{}, errListFigures
	}
	return f.Reader.List(ctx, k, after, limit)
}

type failingStore struct{ graph.Store }

func (f failingStore) View(ctx context.Context, fn func(graph.Reader) error) error {
	return f.Store.View(ctx, func(r graph.Reader) error { return fn(failingReader{r}) })
}

// TestExportHTTPFailures: a failure before the first byte is a JSON 500
// that does not leak the cause; a failure after it breaks the transfer, so
// that no client takes a short export for a whole one.
func TestExportHTTPFailures(t *testing.T) {
	t.Parallel()
	small := memgraph.New()
	big := memgraph.New()
	b := &graph.Batch{By: "test"}
	for i := range 400 {
		b.Nodes = append(b.Nodes, &graph.Claim{Key: fmt.Sprintf("c-%04d", i), Text: strings.Repeat("a long claim about the reading room ", 8)})
	}
	if _, err := big.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	fig := &graph.Batch{By: "test", Nodes: []graph.Node{&graph.Source{Key: "s", Kind: "report"}, &graph.Figure{Key: "f", Value: 1, Unit: "people", Source: "s"}}}
	for _, st := range []*memgraph.Store{small, big} {
		if _, err := st.Apply(context.Background(), fig); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name  string
		st    graph.Store
		early bool
	}{
		{"before the first byte", small, true},
		{"after the first byte", big, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(newExportHandler(failingStore{tt.st}, zerolog.Nop()))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/export?format=jsonl")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, rerr := io.ReadAll(resp.Body)
			if tt.early {
				if resp.StatusCode != 500 || rerr != nil || strings.Contains(string(body), errListFigures.Error()) || !strings.Contains(string(body), `"error":"internal error"`) {
					t.Errorf("got %d %s (%v)", resp.StatusCode, body, rerr)
				}
				return
			}
			if resp.StatusCode != 200 || len(body) < 64<<10 || rerr == nil {
				t.Errorf("got %d, %d bytes, read error %v: want 200, a long body and a broken transfer", resp.StatusCode, len(body), rerr)
			}
		})
	}
}
