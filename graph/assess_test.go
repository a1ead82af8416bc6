package graph_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// assessBatch: claim c-quiet ("the canal is quieter at night") is supported
// by a figure of the canal office (f-noise) and by a claim (c-fewer-boats),
// and contradicted by a residents' quote (q-loud, factual) and a figure
// with a different period (f-old, stated by nobody). c-lonely has no
// evidence; c-pro has support only; c-con is contradicted only, by a link
// from it to f-noise.
func assessBatch() *graph.Batch {
	return &graph.Batch{
		Nodes: []graph.Node{
			&graph.Organisation{Key: "o-canal", Name: "Canal Office"},
			&graph.Person{Key: "p-res", Name: "Rosa Ebner"},
			&graph.Source{Key: "s-1", Kind: "report"},
			&graph.Claim{Key: "c-quiet", Text: "The canal is quieter at night"},
			&graph.Claim{Key: "c-fewer-boats", Text: "Fewer boats pass at night"},
			&graph.Claim{Key: "c-lonely", Text: "Nobody has looked at this"},
			&graph.Claim{Key: "c-pro", Text: "Supported only"},
			&graph.Claim{Key: "c-con", Text: "The canal got louder"},
			&graph.Quote{Key: "q-loud", Text: "we cannot sleep for the engines", Speaker: "p-res", Source: "s-1"},
			&graph.Figure{Key: "f-noise", Text: "noise down 8 dB", Value: 8, Unit: "dB", Change: "decrease", StatedBy: "o-canal", Source: "s-1"},
			&graph.Figure{Key: "f-old", Value: 3, Unit: "dB", Period: "2019"},
		},
		Links: []graph.Link{
			{From: "f-noise", To: "c-quiet", Relation: graph.RelSupports},
			{From: "c-fewer-boats", To: "c-quiet", Relation: graph.RelSupports},
			{From: "q-loud", To: "c-quiet", Relation: graph.RelContradicts, Reason: "factual"},
			{From: "f-old", To: "c-quiet", Relation: graph.RelContradicts, Reason: "different_period"},
			{From: "f-noise", To: "c-pro", Relation: graph.RelSupports},
			{From: "c-con", To: "f-noise", Relation: graph.RelContradicts, Reason: "factual"},
			{From: "c-quiet", To: "c-lonely", Relation: graph.RelContext},
		},
		By: "test",
	}
}

func assess(t *testing.T, st graph.Store, key string) *graph.Assessment {
	t.Helper()
	var a *graph.Assessment
	err := st.View(context.Background(), func(r graph.Reader) error {
		var err error
		a, err = graph.AssessClaim(context.Background(), r, key)
		return err
	})
	if err != nil {
		t.Fatalf("assess %s: %v", key, err)
	}
	return a
}

func keysOf(evs []graph.Evidence) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Node.NodeKey())
	}
	return out
}

func TestAssessClaim(t *testing.T) {
	ctx := context.Background()
	st := memgraph.New()
	if _, err := st.Apply(ctx, assessBatch()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key           string
		status        graph.AssessmentStatus
		support, con  string
		explanation   []string
		noExplanation []string
	}{
		{"c-quiet", graph.StatusDisputed, "f-noise c-fewer-boats", "f-old q-loud",
			[]string{"Disputed: 2 items supporting and 2 items contradicting.",
				`Strongest support: figure f-noise ("noise down 8 dB", stated by Canal Office); claim c-fewer-boats ("Fewer boats pass at night").`,
				`Strongest contradiction: figure f-old ("3 dB", reason different_period); quote q-loud ("we cannot sleep for the engines", said by Rosa Ebner, reason factual).`},
			nil},
		{"c-lonely", graph.StatusUnverified, "", "", []string{"Unverified: no live evidence"}, []string{"Strongest"}},
		{"c-pro", graph.StatusSupported, "f-noise", "", []string{"Supported: 1 item supporting and no items contradicting."}, []string{"contradiction:"}},
		{"c-con", graph.StatusContradicted, "", "f-noise", []string{"Contradicted: no items supporting and 1 item contradicting."}, []string{"support:"}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			a := assess(t, st, tc.key)
			if a.Status != tc.status {
				t.Errorf("status %s, want %s", a.Status, tc.status)
			}
			if got := strings.Join(keysOf(a.Supporting), " "); got != tc.support {
				t.Errorf("supporting %q, want %q", got, tc.support)
			}
			if got := strings.Join(keysOf(a.Contradicting), " "); got != tc.con {
				t.Errorf("contradicting %q, want %q", got, tc.con)
			}
			for _, s := range tc.explanation {
				if !strings.Contains(a.Explanation, s) {
					t.Errorf("explanation %q lacks %q", a.Explanation, s)
				}
			}
			for _, s := range tc.noExplanation {
				if strings.Contains(a.Explanation, s) {
					t.Errorf("explanation %q has %q", a.Explanation, s)
				}
			}
		})
	}

	// Retracting evidence (a node, then a link) removes it; retracting the
	// claim makes it RETRACTED.
	steps := []struct {
		retract graph.Retract
		status  graph.AssessmentStatus
		support string
		con     string
	}{
		{graph.Retract{Key: "q-loud", Reason: "misattributed"}, graph.StatusDisputed, "f-noise c-fewer-boats", "f-old"},
		{graph.Retract{Link: &graph.LinkID{From: "f-old", Relation: graph.RelContradicts, To: "c-quiet"}, Reason: "wrong period"},
			graph.StatusSupported, "f-noise c-fewer-boats", ""},
		{graph.Retract{Key: "c-quiet", Reason: "superseded"}, graph.StatusRetracted, "f-noise c-fewer-boats", ""},
	}
	for _, s := range steps {
		if _, err := st.Apply(ctx, &graph.Batch{Retracts: []graph.Retract{s.retract}, By: "curator"}); err != nil {
			t.Fatal(err)
		}
		a := assess(t, st, "c-quiet")
		if a.Status != s.status || strings.Join(keysOf(a.Supporting), " ") != s.support || strings.Join(keysOf(a.Contradicting), " ") != s.con {
			t.Errorf("after retracting %+v: %s +%v -%v, want %s +%s -%s", s.retract, a.Status, keysOf(a.Supporting), keysOf(a.Contradicting), s.status, s.support, s.con)
		}
	}
	a := assess(t, st, "c-quiet")
	for _, s := range []string{"Retracted at ", " by curator: superseded.", "Its live evidence: 2 items supporting and no items contradicting."} {
		if !strings.Contains(a.Explanation, s) {
			t.Errorf("explanation %q lacks %q", a.Explanation, s)
		}
	}
	if a.Retraction == nil || a.Retraction.Reason != "superseded" {
		t.Errorf("retraction %+v", a.Retraction)
	}

	err := st.View(ctx, func(r graph.Reader) error {
		if _, err := graph.AssessClaim(ctx, r, "f-noise"); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("a figure assessed as a claim: %v", err)
		}
		if _, err := graph.AssessClaim(ctx, r, "nope"); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("unknown key: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTraceRetracted checks that trace marks retracted hops and leaves
// retracted evidence out of supporting and contradicting unless asked.
func TestTraceRetracted(t *testing.T) {
	ctx := context.Background()
	st := memgraph.New()
	if _, err := st.Apply(ctx, assessBatch()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ctx, &graph.Batch{Retracts: []graph.Retract{
		{Key: "f-noise", Reason: "bad meter"},
		{Link: &graph.LinkID{From: "q-loud", Relation: graph.RelContradicts, To: "c-quiet"}, Reason: "not about the canal"},
	}, By: "curator"}); err != nil {
		t.Fatal(err)
	}
	trace := func(include bool) *graph.Trace {
		var tr *graph.Trace
		err := st.View(ctx, func(r graph.Reader) error {
			var err error
			tr, err = graph.TraceFrom(ctx, r, "c-quiet", graph.TraceOptions{IncludeRetracted: include})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	tr := trace(false)
	if got := strings.Join(tr.Supporting, " "); got != "c-fewer-boats" {
		t.Errorf("supporting %q, want c-fewer-boats", got)
	}
	if got := strings.Join(tr.Contradicting, " "); got != "f-old" {
		t.Errorf("contradicting %q, want f-old", got)
	}
	marked := map[string]bool{}
	for _, h := range tr.Hops {
		if h.Retracted {
			marked[h.From+" "+h.Relation+" "+h.To] = true
		}
	}
	for _, want := range []string{"f-noise supports c-quiet", "q-loud contradicts c-quiet"} {
		if !marked[want] {
			t.Errorf("hop %s not marked retracted (marked: %v)", want, marked)
		}
	}
	for m := range marked {
		if !strings.HasPrefix(m, "f-noise ") && m != "q-loud contradicts c-quiet" {
			t.Errorf("hop %s marked retracted; only the retracted link and hops of f-noise should be", m)
		}
	}
	tr = trace(true)
	if got := strings.Join(tr.Supporting, " "); got != "c-fewer-boats f-noise" && got != "f-noise c-fewer-boats" {
		t.Errorf("supporting with includeRetracted %q", got)
	}
	if got := strings.Join(tr.Contradicting, " "); !strings.Contains(got, "q-loud") || !strings.Contains(got, "f-old") {
		t.Errorf("contradicting with includeRetracted %q", got)
	}
}
