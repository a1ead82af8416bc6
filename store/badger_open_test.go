package store

import (
	"os"
	"path/filepath"
	"testing"

	"claimgraph/graph"
)

// TestOpenAfterEmptyMemtable opens a directory in which a kill left an
// empty memtable file (found by the crash harness: a SIGKILL while Badger
// deletes or creates a memtable file), with the data before it intact.
func TestOpenAfterEmptyMemtable(t *testing.T) {
	for _, name := range []string{"00001.mem"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(t.Context(), SmallOptions(dir))
			if err != nil {
				t.Fatal(err)
			}
			mustApply(t, s, &graph.Batch{Nodes: []graph.Node{&graph.Claim{Key: "c-1", Text: "Empty memtable files are harmless"}}})
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err = Open(t.Context(), SmallOptions(dir))
			if err != nil {
				t.Fatalf("open after a kill left an empty %s: %v", name, err)
			}
			defer s.Close()
			err = s.View(t.Context(), func(r graph.Reader) error {
				_, err := r.Node(t.Context(), "c-1")
				return err
			})
			if err != nil {
				t.Fatalf("the record written before: %v", err)
			}
			wantClean(t, "after the reopen", mustVerify(t, s, VerifyOptions{}))
		})
	}
}
