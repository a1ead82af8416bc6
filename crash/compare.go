package crash

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"claimgraph/graph"
)

// state is what Compare reads of a store: everything a write can change,
// without commit times (a link's default At, a retraction's At, a
// revision's Rev), which differ between two stores given the same writes.
type state struct {
	nodes       map[string]string // key -> bundle JSON
	edges       map[string]bool   // one line per outgoing edge, reference fields and links
	retractions map[string]string // key -> by and reason
	history     map[string]string // key -> its revisions, one line each
	stats       string
}

// Compare reads both stores and lists their differences, at most max:
// nodes (bundle JSON), edges with their attributes, node retractions, the
// history of each node and the counts. Commit times are left out.
func Compare(ctx context.Context, got, want graph.Store, max int) ([]string, error) {
	g, err := collect(ctx, got)
	if err != nil {
		return nil, fmt.Errorf("reading the store: %w", err)
	}
	w, err := collect(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("reading the reference: %w", err)
	}
	var diffs []string
	add := func(format string, args ...any) {
		if len(diffs) < max {
			diffs = append(diffs, fmt.Sprintf(format, args...))
		}
	}
	for _, k := range sortedKeys(w.nodes, g.nodes) {
		gv, gok := g.nodes[k]
		wv, wok := w.nodes[k]
		switch {
		case !gok:
			add("node %q is missing", k)
		case !wok:
			add("node %q should not be there: %s", k, clip(gv))
		case gv != wv:
			add("node %q is %s, want %s", k, clip(gv), clip(wv))
		}
	}
	for _, e := range sortedKeys(w.edges, g.edges) {
		switch {
		case !g.edges[e]:
			add("edge missing: %s", e)
		case !w.edges[e]:
			add("edge should not be there: %s", e)
		}
	}
	for _, k := range sortedKeys(w.retractions, g.retractions) {
		if g.retractions[k] != w.retractions[k] {
			add("retraction of %q is %q, want %q", k, g.retractions[k], w.retractions[k])
		}
	}
	for _, k := range sortedKeys(w.history, g.history) {
		if g.history[k] != w.history[k] {
			add("history of %q is\n    %s\n  want\n    %s", k, strings.ReplaceAll(g.history[k], "\n", "\n    "), strings.ReplaceAll(w.history[k], "\n", "\n    "))
		}
	}
	if g.stats != w.stats {
		add("stats are %s, want %s", g.stats, w.stats)
	}
	return diffs, nil
}

func sortedKeys[V any](a, b map[string]V) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// collect reads the state of a store in one snapshot.
func collect(ctx context.Context, st graph.Store) (state, error) {
	s := state{nodes: map[string]string{}, edges: map[string]bool{}, retractions: map[string]string{}, history: map[string]string{}}
	err := st.View(ctx, func(r graph.Reader) error {
		var keys []string
		for _, k := range graph.Kinds {
			after := ""
			for {
				p, err := r.List(ctx, k, after, 500)
				if err != nil {
					return err
				}
				keys = append(keys, p.Keys...)
				if !p.More || len(p.Keys) == 0 {
					break
				}
				after = p.Keys[len(p.Keys)-1]
			}
		}
		nodes, err := r.Nodes(ctx, keys)
		if err != nil {
			return err
		}
		for i, n := range nodes {
			if n == nil {
				return fmt.Errorf("node %q is listed but not found", keys[i])
			}
			data, err := json.Marshal(n)
			if err != nil {
				return err
			}
			s.nodes[keys[i]] = string(data)
			edges, err := r.Edges(ctx, graph.EdgeQuery{Key: keys[i], Dir: graph.Out})
			if err != nil {
				return err
			}
			for _, e := range edges {
				line := fmt.Sprintf("%s -%s-> %s qualifier=%q reason=%q note=%q by=%q", e.From, e.Relation, e.To, e.Qualifier, e.Reason, e.Note, e.By)
				if e.Retracted != nil {
					line += fmt.Sprintf(" retracted by=%q reason=%q", e.Retracted.By, e.Retracted.Reason)
				}
				s.edges[line] = true
			}
			h, err := r.History(ctx, keys[i])
			if err != nil {
				return err
			}
			var lines []string
			for _, rv := range h {
				line := fmt.Sprintf("%s %s by=%q note=%q", rv.Change, rv.Key, rv.By, rv.Note)
				if rv.Link != nil {
					line += fmt.Sprintf(" link %s -%s-> %s", rv.Link.From, rv.Link.Relation, rv.Link.To)
				} else if rv.After != nil {
					line += " after=" + compact(rv.After)
				}
				lines = append(lines, line)
			}
			s.history[keys[i]] = strings.Join(lines, "\n")
		}
		rs, err := r.Retractions(ctx, keys)
		if err != nil {
			return err
		}
		for k, rt := range rs {
			s.retractions[k] = fmt.Sprintf("by=%q reason=%q", rt.By, rt.Reason)
		}
		stats, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		s.stats = fmt.Sprintf("nodes %v, links %d, edges %d", stats.Nodes, stats.Links, stats.Edges)
		return nil
	})
	return s, err
}

// compact re-encodes JSON so that two spellings of one value compare
// equal, without the commit times it holds (every member "at", as in a
// retraction); the JSON itself is returned if it does not decode.
func compact(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	dropAt(v)
	data, err := json.Marshal(v)
	if err != nil {
		return string(raw)
	}
	return string(data)
}

// dropAt deletes every member named "at" of the objects in v.
func dropAt(v any) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "at")
		for _, x := range v {
			dropAt(x)
		}
	case []any:
		for _, x := range v {
			dropAt(x)
		}
	}
}
