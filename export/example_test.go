package export_test

import (
	"context"
	"fmt"
	"os"

	"claimgraph/export"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// Write streams one format from a snapshot: here the jsonl records of a
// two-node graph.
func ExampleWrite() {
	ctx := context.Background()
	st := memgraph.New()
	_, err := st.Apply(ctx, &graph.Batch{Nodes: []graph.Node{
		&graph.Source{Key: "s-memo", Kind: "statement", Title: "Harbour memo"},
		&graph.Quote{Key: "q-memo", Text: "The lights are back", Source: "s-memo", Mode: "direct"},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = st.View(ctx, func(r graph.Reader) error {
		return export.Write(ctx, r, export.Options{Format: export.JSONL, Scope: export.Scope{All: true}}, os.Stdout)
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"type":"source","id":"s-memo","kind":"statement","title":"Harbour memo"}
	// {"type":"quote","id":"q-memo","text":"The lights are back","source":"s-memo","mode":"direct"}
}
