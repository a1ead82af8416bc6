package export

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/schema"
)

// TestNotebookIpynb runs the code cells of examples/notebook.ipynb with
// Debian's python3 against a notebook export of the demo: once with
// CLAIMGRAPH_URL set to a GraphQL server over the same store (the real
// schema and handler, on 127.0.0.1), once without (the trace is then
// computed from the export's edges). Each run must draw the trace.
func TestNotebookIpynb(t *testing.T) {
	t.Parallel()
	st := storeOf(t, demoBundle(t))
	dir := t.TempDir()
	export := filepath.Join(dir, "claimgraph-notebook")
	view(t, st, func(r graph.Reader) {
		if err := WriteDir(t.Context(), r, options(Notebook), export); err != nil {
			t.Fatal(err)
		}
	})
	s, err := schema.New(schema.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(schema.NewHandler(s, st, schema.HandlerConfig{}, zerolog.Nop()))
	t.Cleanup(srv.Close)
	nb, err := filepath.Abs(filepath.Join("..", "examples", "notebook.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, url, want string
	}{
		{"graphql", srv.URL, "hops; speakers:"},
		{"offline", "", "CLAIMGRAPH_URL is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			png := filepath.Join(t.TempDir(), "trace.png")
			var out string
			python(t, &out, []string{
				"CLAIMGRAPH_EXPORT=" + export, "CLAIMGRAPH_URL=" + tc.url, "CLAIMGRAPH_FIGURE=" + png,
				"CLAIMGRAPH_QUOTE=q-walz-request", "MPLBACKEND=Agg",
			}, "run_notebook.py", nb)
			t.Logf("%s", out)
			if !strings.Contains(out, tc.want) || !strings.Contains(out, "Tim Walz") || !strings.Contains(out, "ran 5 code cells") {
				t.Errorf("notebook output lacks %q:\n%s", tc.want, out)
			}
			data, err := os.ReadFile(png)
			if err != nil || !bytes.HasPrefix(data, []byte("\x89PNG")) || len(data) < 10000 {
				t.Errorf("no trace drawn in %s (%d bytes, %v)", png, len(data), err)
			}
		})
	}
}
