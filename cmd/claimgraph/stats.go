package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"claimgraph/graph"
)

// statsJSON is the --json form of stats.
type statsJSON struct {
	Nodes      map[string]int `json:"nodes"`
	TotalNodes int            `json:"total_nodes"`
	Links      int            `json:"links"`
	Edges      int            `json:"edges"`
}

func runStats(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "stats", "", "Count the nodes of each kind, the links and the edges in the data directory.")
	var c common
	addCommon(fs, e, &c, "warn")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	if err := parseStoreFlags(fs, &c, args, ""); err != nil {
		return err
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, true, true, log)
	if err != nil {
		return err
	}
	defer closeLogged(st, log)
	var s graph.Stats
	if err := st.View(ctx, func(r graph.Reader) error {
		var err error
		s, err = r.Stats(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("counting: %w", err)
	}
	if *asJSON {
		out := statsJSON{Nodes: map[string]int{}, Links: s.Links, Edges: s.Edges}
		for _, k := range graph.Kinds {
			out.Nodes[k.String()] = s.Nodes[k]
			out.TotalNodes += s.Nodes[k]
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printStats(e.stdout, s)
	return nil
}

func printStats(w io.Writer, s graph.Stats) {
	total := 0
	for _, k := range graph.Kinds {
		fmt.Fprintf(w, "%-14s %8d\n", k.Section(), s.Nodes[k])
		total += s.Nodes[k]
	}
	fmt.Fprintf(w, "%-14s %8d\n", "nodes", total)
	fmt.Fprintf(w, "%-14s %8d\n", "links", s.Links)
	fmt.Fprintf(w, "%-14s %8d\n", "edges", s.Edges)
}
