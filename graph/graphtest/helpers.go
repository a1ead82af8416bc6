package graphtest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"claimgraph/graph"
)

// loaded opens a store and applies the sample batch.
func loaded(t *testing.T, o Opener) graph.Store {
	t.Helper()
	s := o.Open(t)
	apply(t, s, SampleBatch())
	return s
}

func apply(t *testing.T, s graph.Store, b *graph.Batch) graph.ApplyResult {
	t.Helper()
	res, err := s.Apply(t.Context(), b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// read runs fn in a View and fails the test on any error.
func read(t *testing.T, s graph.Store, fn func(ctx context.Context, r graph.Reader) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.View(ctx, func(r graph.Reader) error { return fn(ctx, r) }); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// nodeJSON renders a node as its kind and bundle JSON, so that nil and
// empty slices compare equal.
func nodeJSON(n graph.Node) string {
	if n == nil {
		return "<nil>"
	}
	b, err := json.Marshal(n)
	if err != nil {
		return "marshal error: " + err.Error()
	}
	return n.NodeKind().String() + " " + string(b)
}

func nodeOf(b *graph.Batch, key string) graph.Node {
	for _, n := range b.Nodes {
		if n.NodeKey() == key {
			return n
		}
	}
	panic("graphtest: no node " + key + " in batch")
}

// expectedEdges derives every edge a batch stores from its nodes' Refs and
// its links.
func expectedEdges(b *graph.Batch) []graph.Edge {
	var es []graph.Edge
	for _, n := range b.Nodes {
		for _, r := range n.Refs() {
			es = append(es, graph.Edge{From: n.NodeKey(), To: r.To, Relation: r.Relation, Qualifier: r.Qualifier})
		}
	}
	for _, l := range b.Links {
		es = append(es, linkEdge(l, b.By))
	}
	return es
}

// anyCommitTime stands, in an expected edge, for the commit time that a
// store gives a link written without At.
const anyCommitTime = "<commit time>"

// linkEdge is the edge a link written by a batch of by is stored as: a link
// without By gets the batch's By, one without At the commit time.
func linkEdge(l graph.Link, by string) graph.Edge {
	if l.By == "" {
		l.By = by
	}
	if l.At == "" {
		l.At = anyCommitTime
	}
	return graph.Edge{From: l.From, To: l.To, Relation: l.Relation, Reason: l.Reason, Note: l.Note, By: l.By, At: l.At}
}

// matchCommitTimes replaces, in got, the At of each edge that differs from
// every wanted edge only by an At that is a commit time (RFC 3339 UTC) with
// anyCommitTime.
func matchCommitTimes(got, want []graph.Edge) []graph.Edge {
	wanted := map[string]bool{}
	for _, e := range want {
		wanted[edgeString(e)] = true
	}
	out := slices.Clone(got)
	for i, e := range out {
		if wanted[edgeString(e)] {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, e.At); err == nil && t.Location() == time.UTC {
			e.At = anyCommitTime
			if wanted[edgeString(e)] {
				out[i] = e
			}
		}
	}
	return out
}

func edgesOf(es []graph.Edge, key string, dir graph.Direction) []graph.Edge {
	var out []graph.Edge
	for _, e := range es {
		if (dir == graph.Out && e.From == key) || (dir == graph.In && e.To == key) {
			out = append(out, e)
		}
	}
	return out
}

func edgeString(e graph.Edge) string {
	s := fmt.Sprintf("%s -%s-> %s", e.From, e.Relation, e.To)
	if e.Qualifier != "" {
		s += " q=" + e.Qualifier
	}
	if e.Reason != "" {
		s += " reason=" + e.Reason
	}
	if e.Note != "" {
		s += fmt.Sprintf(" note=%q", e.Note)
	}
	if e.By != "" {
		s += " by=" + e.By
	}
	if e.At != "" {
		s += " at=" + e.At
	}
	if r := e.Retracted; r != nil {
		s += fmt.Sprintf(" retracted=%s/%s/%q", r.At.UTC().Format(time.RFC3339Nano), r.By, r.Reason)
	}
	return s
}

func edgeStrings(es []graph.Edge) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = edgeString(e)
	}
	return out
}

// sameEdges compares edge sets, ignoring order.
func sameEdges(t *testing.T, what string, got, want []graph.Edge) {
	t.Helper()
	g, w := edgeStrings(matchCommitTimes(got, want)), edgeStrings(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s:\n got  %s\n want %s", what, strings.Join(g, "\n      "), strings.Join(w, "\n      "))
	}
}

func sameKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s: got keys %q, want %q", what, g, w)
	}
}

func otherEnd(e graph.Edge, dir graph.Direction) string {
	if dir == graph.Out {
		return e.To
	}
	return e.From
}

// snapshot is everything a Reader says about a store, for comparing states.
type snapshot struct {
	Nodes map[string]string
	Out   map[string][]string
	In    map[string][]string
	Lists map[graph.Kind][]string
	Stats graph.Stats
}

// takeSnapshot reads the whole store through List, Nodes, Edges and Stats.
func takeSnapshot(t *testing.T, s graph.Store) snapshot {
	t.Helper()
	sn := snapshot{Nodes: map[string]string{}, Out: map[string][]string{}, In: map[string][]string{}, Lists: map[graph.Kind][]string{}}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, k := range graph.Kinds {
			keys, err := listAll(ctx, r, k, 1000)
			if err != nil {
				return err
			}
			sn.Lists[k] = keys
			nodes, err := r.Nodes(ctx, keys)
			if err != nil {
				return err
			}
			for i, n := range nodes {
				sn.Nodes[keys[i]] = nodeJSON(n)
				for _, dir := range []graph.Direction{graph.Out, graph.In} {
					es, err := r.Edges(ctx, graph.EdgeQuery{Key: keys[i], Dir: dir})
					if err != nil {
						return err
					}
					ss := edgeStrings(es)
					slices.Sort(ss)
					if dir == graph.Out {
						sn.Out[keys[i]] = ss
					} else {
						sn.In[keys[i]] = ss
					}
				}
			}
		}
		st, err := r.Stats(ctx)
		sn.Stats = st
		return err
	})
	return sn
}

func sameSnapshot(t *testing.T, what string, got, want snapshot) {
	t.Helper()
	if !reflect.DeepEqual(got.Nodes, want.Nodes) {
		t.Errorf("%s: nodes differ:\n got  %v\n want %v", what, got.Nodes, want.Nodes)
	}
	if !reflect.DeepEqual(got.Out, want.Out) || !reflect.DeepEqual(got.In, want.In) {
		t.Errorf("%s: edges differ:\n got  out %v in %v\n want out %v in %v", what, got.Out, got.In, want.Out, want.In)
	}
	if !reflect.DeepEqual(got.Lists, want.Lists) {
		t.Errorf("%s: lists differ: got %v, want %v", what, got.Lists, want.Lists)
	}
	if !sameStats(got.Stats, want.Stats) {
		t.Errorf("%s: stats differ: got %+v, want %+v", what, got.Stats, want.Stats)
	}
}

func sameStats(a, b graph.Stats) bool {
	if a.Links != b.Links || a.Edges != b.Edges {
		return false
	}
	for _, k := range graph.Kinds {
		if a.Nodes[k] != b.Nodes[k] {
			return false
		}
	}
	return true
}

// listAll pages through a kind with List, checking the paging contract.
func listAll(ctx context.Context, r graph.Reader, k graph.Kind, limit int) ([]string, error) {
	var keys []string
	after := ""
	for i := 0; ; i++ {
		if i > 10000 {
			return nil, fmt.Errorf("List(%v) does not end", k)
		}
		p, err := r.List(ctx, k, after, limit)
		if err != nil {
			return nil, fmt.Errorf("List(%v, %q, %d): %w", k, after, limit, err)
		}
		if len(p.Keys) > limit {
			return nil, fmt.Errorf("List(%v, %q, %d) returned %d keys", k, after, limit, len(p.Keys))
		}
		keys = append(keys, p.Keys...)
		if !p.More {
			return keys, nil
		}
		if len(p.Keys) == 0 {
			return nil, fmt.Errorf("List(%v, %q, %d): More with no keys", k, after, limit)
		}
		after = p.Keys[len(p.Keys)-1]
	}
}

func wantCounts(t *testing.T, what string, got, want graph.Counts) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

// sampleKeys returns the sample's node keys of a kind, sorted.
func sampleKeys(k graph.Kind) []string {
	var keys []string
	for _, n := range SampleBatch().Nodes {
		if n.NodeKind() == k {
			keys = append(keys, n.NodeKey())
		}
	}
	slices.Sort(keys)
	return keys
}
