package schema

import (
	"context"
	"encoding/json"
	"testing"

	"claimgraph/graph"
)

// TestTraceKeyStubs checks that a trace answers the same whether its nodes
// are read whole or stand in as key stubs (a selection of id, kind and
// __typename only), also after a merge, whose old key leads to the node it
// was merged into, and that the stubs save the reads of the records: a
// trace whose selection leaves out the root and reads only ids reads no
// record at all.
func TestTraceKeyStubs(t *testing.T) {
	st := testStore(t)
	// Merge one speaker into another: the trace must name the node merged
	// into, however the nodes are read.
	if _, err := st.Apply(context.Background(), &graph.Batch{Merges: []graph.Merge{{Keys: []string{"piet-maren"}, Into: "ines-okafor"}}, By: "test"}); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: st, calls: &calls{}}
	s := newServer(t, cs, HandlerConfig{AnswerCache: -1})
	const stubs = `{ trace(id: $id) { root { id } hops { from { id kind } to { id __typename } relation depth } speakers { id } primarySources { id } supporting { id } contradicting { id kind } } }`
	const noRoot = `{ trace(id: $id) { hops { from { id kind } to { id __typename } relation depth } speakers { id } primarySources { id } supporting { id } contradicting { id kind } } }`
	const whole = `{ trace(id: $id) { root { id } hops { from { id kind ...W } to { id __typename ...W } relation depth } speakers { id ...W } primarySources { id ...W } supporting { id ...W } contradicting { id kind ...W } } }
		fragment W on Node { ... on Versioned { revision } }`
	for _, root := range []string{"q-safer", "q-funding", "q-less-safe", "c-harbour-safer", "f-collisions", "piet-maren"} {
		vars := map[string]interface{}{"id": root}
		cs.calls.reset()
		a := s.post(t, "query ($id: ID!) "+stubs, vars, acceptGQL)
		stubReads := cs.calls.records()
		cs.calls.reset()
		b := s.post(t, "query ($id: ID!) "+whole, vars, acceptGQL)
		wholeReads := cs.calls.records()
		got, want := stripRevisions(t, b.data(t)), a.data(t)
		if g, w := mustJSON(t, want), mustJSON(t, got); g != w {
			t.Errorf("trace of %s with key stubs:\n%s\nread whole:\n%s", root, g, w)
		}
		if stubReads >= wholeReads {
			t.Errorf("trace of %s: %d records read with key stubs, %d read whole: want fewer", root, stubReads, wholeReads)
		}
		cs.calls.reset()
		c := s.post(t, "query ($id: ID!) "+noRoot, vars, acceptGQL)
		if n := cs.calls.records(); n != 0 {
			t.Errorf("trace of %s without its root, ids only: %d records read, want none", root, n)
		}
		withRoot := want["trace"].(map[string]interface{})
		delete(withRoot, "root")
		if g, w := mustJSON(t, c.data(t)), mustJSON(t, want); g != w {
			t.Errorf("trace of %s without its root:\n%s\nwith it:\n%s", root, g, w)
		}
	}
}

// stripRevisions removes the revision members that the whole selection
// adds.
func stripRevisions(t *testing.T, v interface{}) interface{} {
	t.Helper()
	switch v := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range v {
			if k != "revision" {
				out[k] = stripRevisions(t, e)
			}
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, e := range v {
			out[i] = stripRevisions(t, e)
		}
		return out
	}
	return v
}

func mustJSON(t *testing.T, v interface{}) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
