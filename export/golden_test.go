package export

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"claimgraph/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden compares the textual exports of the fixture bundle with the
// files in testdata/golden (rewritten with -update): every single-stream
// format, and the csv tables, README.md and datapackage.json of the
// notebook format.
func TestGolden(t *testing.T) {
	st := storeOf(t, fixtureBundle(t))
	got := map[string][]byte{}
	view(t, st, func(r graph.Reader) {
		for _, f := range Formats {
			if !f.IsDir() {
				got[FileName(options(f))] = exportBytes(t, r, options(f))
			}
		}
		jsonl := options(Bundle)
		jsonl.JSONL = true
		got[FileName(jsonl)] = exportBytes(t, r, jsonl)
		dir := filepath.Join(t.TempDir(), "nb")
		if err := WriteDir(t.Context(), r, options(Notebook), dir); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if filepath.Ext(e.Name()) == ".parquet" {
				continue // binary: read by hyparquet in TestOutsideReaders
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got["notebook/"+e.Name()] = data
		}
	})
	for name, data := range got {
		path := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run go test -run TestGolden -update)", name, err)
			continue
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s differs from its golden file:\n%s", name, firstDiff(data, want))
		}
	}
}
