package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// storedNodes returns the JSON of every node a reader holds, by key.
func storedNodes(t *testing.T, r graph.Reader) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, k := range graph.Kinds {
		p, err := r.List(ctx, k, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := r.Nodes(ctx, p.Keys)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			b, _ := json.Marshal(n)
			out[n.NodeKey()] = string(b)
		}
	}
	return out
}

// TestBundleRoundTrip exports a bundle, imports it into an empty store,
// exports again and requires the same bytes, every node unchanged and
// every link kept; the streamed output must also be what graph.Encode and
// graph.EncodeJSONL write for the same records.
func TestBundleRoundTrip(t *testing.T) {
	datasets := []struct {
		name string
		b    *graph.Bundle
	}{
		{"demo", demoBundle(t)},
		{"fixture", fixtureBundle(t)},
		{"generated", newGen(120).bundle()},
	}
	for _, ds := range datasets {
		for _, jsonl := range []bool{false, true} {
			name := ds.name + "/json"
			if jsonl {
				name = ds.name + "/jsonl"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				st := storeOf(t, ds.b)
				opt := options(Bundle)
				opt.JSONL = jsonl
				var first []byte
				var before map[string]string
				view(t, st, func(r graph.Reader) {
					first = exportBytes(t, r, opt)
					before = storedNodes(t, r)
				})
				b, err := graph.ReadBundle(ctx, bytes.NewReader(first), graph.DecodeOptions{}, nil)
				if err != nil {
					t.Fatalf("the export does not import: %v", err)
				}
				if len(b.Nodes) != len(ds.b.Nodes) || len(b.Links) != len(ds.b.Links) {
					t.Errorf("export holds %d nodes and %d links, want %d and %d", len(b.Nodes), len(b.Links), len(ds.b.Nodes), len(ds.b.Links))
				}
				// What graph's own encoder writes for the same records.
				var enc bytes.Buffer
				if jsonl {
					err = graph.EncodeJSONL(&enc, b)
				} else {
					err = graph.Encode(&enc, b)
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(enc.Bytes(), first) {
					t.Errorf("streamed bundle differs from graph's encoder:\n%s", firstDiff(first, enc.Bytes()))
				}
				st2 := memgraph.New()
				if _, err := st2.Apply(ctx, b.Batch("round-trip", "")); err != nil {
					t.Fatal(err)
				}
				var second []byte
				var after map[string]string
				view(t, st2, func(r graph.Reader) {
					second = exportBytes(t, r, opt)
					after = storedNodes(t, r)
				})
				if !bytes.Equal(first, second) {
					t.Errorf("second export differs:\n%s", firstDiff(first, second))
				}
				if len(after) != len(before) {
					t.Errorf("%d nodes after the round trip, %d before", len(after), len(before))
				}
				for k, v := range before {
					if after[k] != v {
						t.Errorf("node %s changed:\n%s\n%s", k, v, after[k])
					}
				}
				var keys []string
				for _, n := range ds.b.Nodes {
					keys = append(keys, n.NodeKey())
				}
				var got []string
				for k := range after {
					got = append(got, k)
				}
				sameStrings(t, "keys", got, keys)
			})
		}
	}
}

func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	lo := max(i-80, 0)
	return "at byte " + itoa(i) + ":\n" + string(a[lo:min(i+80, len(a))]) + "\n----\n" + string(b[lo:min(i+80, len(b))])
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonNumber(i)) }

func jsonNumber(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestScope checks the closure of a scoped export: the named nodes, what
// their fields refer to (transitively), and the links among them only.
func TestScope(t *testing.T) {
	b := fixtureBundle(t)
	st := storeOf(t, b)
	tests := []struct {
		name  string
		keys  []string
		want  []string
		links []string // from -relation-> to
	}{
		{
			name: "quote",
			keys: []string{"q-night-crossings"},
			// reported_by q-pilots-said (speaker o-pilots-union, source
			// s-report: publisher o-bay-courier, author p-tom-vale,
			// derived from s-union-post and s-port-log, published by
			// o-pilots-union and o-port-authority); the claims and what
			// they are about; o-pilots-union's parent.
			want: []string{"q-night-crossings", "q-pilots-said", "s-union-post", "s-report", "s-port-log",
				"o-pilots-union", "o-port-authority", "o-bay-courier", "p-tom-vale",
				"c-lights-unreliable", "c-crossings-late"},
			links: []string{"q-night-crossings -supports-> c-lights-unreliable"},
		},
		{
			name:  "figure and claim",
			keys:  []string{"f-late-crossings", "c-crossings-late"},
			want:  []string{"f-late-crossings", "c-crossings-late", "o-port-authority", "s-report", "o-bay-courier", "p-tom-vale", "s-union-post", "o-pilots-union", "s-port-log"},
			links: []string{"f-late-crossings -supports-> c-crossings-late"},
		},
		{
			name:  "person",
			keys:  []string{"p-ines-aro", "p-ines-aro"},
			want:  []string{"p-ines-aro", "o-pilots-union", "o-port-authority"},
			links: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			opt := options(Bundle)
			opt.Scope = Scope{Keys: tc.keys}
			var out []byte
			view(t, st, func(r graph.Reader) { out = exportBytes(t, r, opt) })
			got, err := graph.ReadBundle(ctx, bytes.NewReader(out), graph.DecodeOptions{}, nil)
			if err != nil {
				t.Fatalf("scoped export is not a valid bundle on its own: %v", err)
			}
			var keys, links []string
			for _, n := range got.Nodes {
				keys = append(keys, n.NodeKey())
			}
			for _, l := range got.Links {
				links = append(links, l.From+" -"+string(l.Relation)+"-> "+l.To)
			}
			sameStrings(t, "nodes", keys, tc.want)
			sameStrings(t, "links", links, tc.links)
			// Every other format holds the same nodes.
			var rec []byte
			opt.Format = JSONL
			view(t, st, func(r graph.Reader) { rec = exportBytes(t, r, opt) })
			var ids []string
			for _, line := range strings.Split(strings.TrimSpace(string(rec)), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatal(err)
				}
				if id, ok := m["id"].(string); ok {
					ids = append(ids, id)
				}
			}
			sameStrings(t, "jsonl ids", ids, tc.want)
		})
	}
}

// TestErrors checks refused options and inputs: nothing is written.
func TestErrors(t *testing.T) {
	st := storeOf(t, fixtureBundle(t))
	ctx := context.Background()
	tests := []struct {
		name string
		opt  Options
		dir  bool
		want error
	}{
		{"unknown format", Options{Format: "xml", Scope: Scope{All: true}}, false, graph.ErrInvalid},
		{"empty scope", Options{Format: Bundle}, false, ErrEmptyScope},
		{"missing key", Options{Format: Bundle, Scope: Scope{Keys: []string{"q-lights-failed", "no-such-key"}}}, false, graph.ErrNotFound},
		{"bad as-of", Options{Format: Bundle, Scope: Scope{All: true}, AsOf: "yesterday"}, false, graph.ErrInvalid},
		{"dir format to Write", Options{Format: CSV, Scope: Scope{All: true}}, false, ErrDirFormat},
		{"stream format to WriteDir", Options{Format: GraphML, Scope: Scope{All: true}}, true, ErrNotDirFormat},
		{"bad base IRI", Options{Format: ProvO, Scope: Scope{All: true}, BaseIRI: "http://x/ y"}, false, graph.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, st, func(r graph.Reader) {
				if tc.dir {
					dir := filepath.Join(t.TempDir(), "out")
					errorIs(t, WriteDir(ctx, r, tc.opt, dir), tc.want)
					if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("directory left behind: %v", err)
					}
					return
				}
				var buf bytes.Buffer
				errorIs(t, Write(ctx, r, tc.opt, &buf), tc.want)
				if buf.Len() > 0 {
					t.Errorf("wrote %d bytes", buf.Len())
				}
			})
		})
	}
	t.Run("non-empty directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		view(t, st, func(r graph.Reader) { errorIs(t, WriteDir(ctx, r, options(CSV), dir), ErrDirNotEmpty) })
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("directory holds %d entries, want the one it had", len(entries))
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		dir := filepath.Join(t.TempDir(), "out")
		view(t, st, func(r graph.Reader) { errorIs(t, WriteDir(cctx, r, options(Notebook), dir), context.Canceled) })
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a failed WriteDir left its directory: %v", err)
		}
	})
	t.Run("writer fails", func(t *testing.T) {
		r := newGen(20000)
		w := &failingWriter{after: 100 << 10}
		err := Write(ctx, r, Options{Format: JSONL, Scope: Scope{All: true}, PageSize: 100}, w)
		errorIs(t, err, errBroken)
		if w.calls > 3 {
			t.Errorf("kept writing after the failure: %d calls", w.calls)
		}
	})
}

var errBroken = errors.New("broken pipe")

// failingWriter fails once after bytes have been written, and counts the
// calls after that.
type failingWriter struct {
	after, n, calls int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n >= f.after {
		f.calls++
		return 0, errBroken
	}
	f.n += len(p)
	return len(p), nil
}

// TestWriteArchive checks that the zip stream holds exactly the files of
// WriteDir, byte for byte, under one folder.
func TestWriteArchive(t *testing.T) {
	st := storeOf(t, fixtureBundle(t))
	ctx := context.Background()
	for _, f := range []Format{CSV, Parquet, Notebook} {
		t.Run(string(f), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			var buf bytes.Buffer
			view(t, st, func(r graph.Reader) {
				if err := WriteDir(ctx, r, options(f), dir); err != nil {
					t.Fatal(err)
				}
				if err := WriteArchive(ctx, r, options(f), &buf); err != nil {
					t.Fatal(err)
				}
			})
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(dir)
			var want, got []string
			for _, e := range entries {
				want = append(want, e.Name())
			}
			for _, zf := range zr.File {
				name, ok := strings.CutPrefix(zf.Name, "claimgraph-"+string(f)+"/")
				if !ok {
					t.Errorf("entry %s outside the folder", zf.Name)
				}
				got = append(got, name)
				rc, err := zf.Open()
				if err != nil {
					t.Fatal(err)
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				disk, _ := os.ReadFile(filepath.Join(dir, name))
				if !bytes.Equal(data, disk) {
					t.Errorf("%s differs between the archive and the directory", name)
				}
				if !zf.Modified.Equal(snapshotTime) {
					t.Errorf("%s modified %v, want the snapshot time", name, zf.Modified)
				}
			}
			sameStrings(t, "archive entries", got, want)
			if ContentType(f) != "application/zip" {
				t.Errorf("content type %q", ContentType(f))
			}
		})
	}
}

// TestDeterministic exports twice and requires the same bytes, and checks
// the content types and file names.
func TestDeterministic(t *testing.T) {
	st := storeOf(t, fixtureBundle(t))
	for _, f := range Formats {
		if f.IsDir() {
			continue
		}
		view(t, st, func(r graph.Reader) {
			a, b := exportBytes(t, r, options(f)), exportBytes(t, r, options(f))
			if !bytes.Equal(a, b) {
				t.Errorf("%s: two exports differ", f)
			}
		})
		if ContentType(f) == "application/octet-stream" || FileName(options(f)) == "" {
			t.Errorf("%s: no content type or file name", f)
		}
		jsonl := options(Bundle)
		jsonl.JSONL = true
		if ContentTypeFor(jsonl) != "application/jsonl" || ContentTypeFor(options(f)) != ContentType(f) {
			t.Errorf("ContentTypeFor: %q, %q", ContentTypeFor(jsonl), ContentTypeFor(options(f)))
		}
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
}

// TestProgress checks that progress reaches its total.
func TestProgress(t *testing.T) {
	r := newGen(500)
	for _, f := range []Format{Bundle, ProvJSON, GraphML} {
		var last, total, calls int
		opt := Options{Format: f, Scope: Scope{All: true}, PageSize: 64, Progress: func(d, tot int) { last, total = d, tot; calls++ }}
		if err := Write(context.Background(), r, opt, io.Discard); err != nil {
			t.Fatal(err)
		}
		if calls < 2 || last != total {
			t.Errorf("%s: progress ended at %d of %d after %d calls", f, last, total, calls)
		}
	}
}

// TestRating checks the mapping of assessments to ratings.
func TestRating(t *testing.T) {
	ev := func(n int) []graph.Evidence { return make([]graph.Evidence, n) }
	tests := []struct {
		a    graph.Assessment
		want int
		ok   bool
	}{
		{graph.Assessment{Status: graph.StatusUnverified}, 0, false},
		{graph.Assessment{Status: graph.StatusContradicted, Contradicting: ev(3)}, 1, true},
		{graph.Assessment{Status: graph.StatusDisputed, Supporting: ev(1), Contradicting: ev(2)}, 2, true},
		{graph.Assessment{Status: graph.StatusDisputed, Supporting: ev(2), Contradicting: ev(2)}, 3, true},
		{graph.Assessment{Status: graph.StatusDisputed, Supporting: ev(3), Contradicting: ev(1)}, 4, true},
		{graph.Assessment{Status: graph.StatusSupported, Supporting: ev(1)}, 5, true},
		{graph.Assessment{Status: graph.StatusRetracted}, 0, true},
	}
	for _, tc := range tests {
		got, ok := rating(&tc.a)
		if got != tc.want || ok != tc.ok {
			t.Errorf("rating(%s, %d for, %d against) = %d, %v; want %d, %v", tc.a.Status, len(tc.a.Supporting), len(tc.a.Contradicting), got, ok, tc.want, tc.ok)
		}
	}
}

// TestManyLinks covers the relation-by-relation paging of a node with more
// links than one edge page.
func TestManyLinks(t *testing.T) {
	b := &graph.Bundle{Nodes: []graph.Node{&graph.Figure{Key: "f-hub", Value: 1, Unit: "x"}}}
	for i := range edgePage + 10 {
		key := "c-" + jsonNumber(10000+i)
		b.Nodes = append(b.Nodes, &graph.Claim{Key: key, Text: "claim " + key})
		rel := graph.RelSupports
		if i%3 == 0 {
			rel = graph.RelContext
		}
		b.Links = append(b.Links, graph.Link{From: "f-hub", To: key, Relation: rel})
	}
	st := storeOf(t, b)
	var out []byte
	view(t, st, func(r graph.Reader) { out = exportBytes(t, r, options(Bundle)) })
	got, err := graph.Decode(bytes.NewReader(out), graph.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Links) != len(b.Links) {
		t.Fatalf("%d links exported, want %d", len(got.Links), len(b.Links))
	}
	seen := map[string]bool{}
	for _, l := range got.Links {
		seen[l.To+string(l.Relation)] = true
	}
	if len(seen) != len(b.Links) {
		t.Errorf("%d distinct links, want %d", len(seen), len(b.Links))
	}
	// Paged relation by relation: each relation's links together.
	var groups []graph.Relation
	for _, l := range got.Links {
		if len(groups) == 0 || groups[len(groups)-1] != l.Relation {
			groups = append(groups, l.Relation)
		}
	}
	if len(groups) != 2 || slices.Contains(groups[1:], groups[0]) {
		t.Errorf("links not grouped by relation: %v", groups)
	}
}

// TestRetractionsAndMerges exports a store with a retracted node, a
// retracted link and a merged person: references to the merged key name the
// node it was merged into, and the retractions show in jsonl, the nodes and
// edges tables, PROV and the ClaimReview rating.
func TestRetractionsAndMerges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storeOf(t, fixtureBundle(t))
	apply := func(b *graph.Batch) {
		t.Helper()
		if _, err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	apply(&graph.Batch{By: "test", Nodes: []graph.Node{
		&graph.Person{Key: "p-ines-aro-dup", Name: "Ines Aro"},
		&graph.Quote{Key: "q-dup-speaker", Text: "We will keep the lights on", Speaker: "p-ines-aro-dup", Source: "s-union-post"},
	}})
	apply(&graph.Batch{By: "curator", Merges: []graph.Merge{{Keys: []string{"p-ines-aro-dup"}, Into: "p-ines-aro"}}})
	supports := graph.LinkID{From: "q-night-crossings", Relation: graph.RelSupports, To: "c-lights-unreliable"}
	apply(&graph.Batch{By: "curator", Retracts: []graph.Retract{
		{Key: "f-outages", Reason: "the log was misread"},
		{Link: &supports, Reason: "not about the lights"},
	}})

	dir := t.TempDir()
	paths := map[Format]string{}
	view(t, st, func(r graph.Reader) {
		for _, f := range []Format{Bundle, JSONL, CSV, ProvJSON, ProvO, ClaimReview, GraphML} {
			paths[f] = exportTo(t, r, options(f), dir)
		}
	})

	// The bundle imports on its own: no reference to the merged key.
	data, _ := os.ReadFile(paths[Bundle])
	b, err := graph.ReadBundle(ctx, bytes.NewReader(data), graph.DecodeOptions{}, nil)
	if err != nil {
		t.Fatalf("export with a merged key does not import: %v", err)
	}
	for _, n := range b.Nodes {
		if n.NodeKey() == "p-ines-aro-dup" {
			t.Errorf("merged key exported as a node")
		}
		if q, ok := n.(*graph.Quote); ok && q.Key == "q-dup-speaker" && q.Speaker != "p-ines-aro" {
			t.Errorf("speaker of q-dup-speaker is %q, want the merged-into p-ines-aro", q.Speaker)
		}
	}

	// jsonl: retracted members.
	data, _ = os.ReadFile(paths[JSONL])
	retracted := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m struct {
			Type, ID, From, To string
			Retracted          *graph.Retraction
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m.Retracted != nil {
			retracted[m.ID+m.From+">"+m.To] = m.Retracted.Reason
		}
	}
	want := map[string]string{"f-outages>": "the log was misread", "q-night-crossings>c-lights-unreliable": "not about the lights"}
	if len(retracted) != len(want) || retracted["f-outages>"] != want["f-outages>"] ||
		retracted["q-night-crossings>c-lights-unreliable"] != want["q-night-crossings>c-lights-unreliable"] {
		t.Errorf("jsonl retractions %v, want %v", retracted, want)
	}

	// Tables: the retraction columns.
	nodes := readCSV(t, filepath.Join(paths[CSV], "nodes.csv"))
	edges := readCSV(t, filepath.Join(paths[CSV], "edges.csv"))
	for _, row := range nodes {
		if (row["retraction_reason"] != "") != (row["id"] == "f-outages") || row["id"] == "p-ines-aro-dup" {
			t.Errorf("nodes.csv row %v", row)
		}
	}
	n := 0
	for _, row := range edges {
		if row["retracted_at"] != "" {
			n++
			if row["from"] != "q-night-crossings" || row["retracted_by"] != "curator" {
				t.Errorf("edges.csv retracted row %v", row)
			}
		}
		if row["from"] == "p-ines-aro-dup" || row["to"] == "p-ines-aro-dup" {
			t.Errorf("edge of the merged key: %v", row)
		}
	}
	if n != 1 {
		t.Errorf("%d retracted edges, want 1", n)
	}

	// Outside readers: PROV invalidation, and the claim's rating without
	// the retracted evidence.
	var got outsideSummary
	python(t, &got, nil, "check.py", "prov-json", paths[ProvJSON], "prov-o", paths[ProvO], "claimreview", paths[ClaimReview], "graphml", paths[GraphML])
	var invalidated []string
	for _, p := range got.ProvO.WasInvalidatedBy {
		invalidated = append(invalidated, strings.TrimPrefix(p[0], DefaultBaseIRI))
	}
	sameStrings(t, "invalidated", invalidated, []string{"f-outages", "q-lights-failed"})
	if got.ProvJSON.Records["ProvInvalidation"] != 2 {
		t.Errorf("prov-json: %d invalidations, want 2", got.ProvJSON.Records["ProvInvalidation"])
	}
	// c-lights-unreliable: its support (q-night-crossings) is retracted as
	// a link and its contradiction (f-outages) as a node: unverified, no
	// review. c-crossings-late keeps f-late-crossings: supported.
	reviews := got.ClaimReview.Reviews
	if _, ok := reviews[DefaultBaseIRI+"c-lights-unreliable"]; ok || reviews[DefaultBaseIRI+"c-crossings-late"].Rating != 5 {
		t.Errorf("claim reviews %v", reviews)
	}
	if slices.Contains(got.GraphML.Nodes, "p-ines-aro-dup") {
		t.Errorf("graphml has the merged key")
	}
}

// readCSV reads a CSV file into rows keyed by header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}
