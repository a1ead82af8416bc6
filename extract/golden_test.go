package extract

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"claimgraph/graph"
)

var update = flag.Bool("update", false, "rewrite the golden bundles in testdata/golden")

// TestGolden compares the whole draft bundle of a few fixtures with a
// golden file, so that every change to the extraction shows in review.
// Run with -update to accept a change.
func TestGolden(t *testing.T) {
	for _, name := range []string{"03-quote-first", "05-nested-attribution", "07-organisations"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "fixtures", name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := Extract(string(data), Meta{Key: "article-" + name, PublishedAt: "2026-03-02"}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkBundle(t, b)
			// the article's text is the fixture; keep the golden file readable
			for _, n := range b.Nodes {
				if s, ok := n.(*graph.Source); ok && s.Kind == "article" {
					s.Text = ""
				}
			}
			var got bytes.Buffer
			if err := graph.EncodeJSONL(&got, b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", name+".jsonl")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got.String() != string(want) {
				gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("line %d differs (run with -update to accept)\n got %s\nwant %s", i+1, g, w)
					}
				}
			}
		})
	}
}
