package graph_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

func TestNormaliseUnit(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"%", "percent"},
		{"Per  Cent", "percent"},
		{"percent", "percent"},
		{"percentage points", "percentage_points"},
		{"USD", "usd"},
		{"$", "usd"},
		{"dollars", "usd"},
		{"Persons", "people"},
		{"  Federal   Agents ", "federal agents"},
		{"", ""},
	} {
		if got := graph.NormaliseUnit(tc.in); got != tc.want {
			t.Errorf("NormaliseUnit(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func ptr(v float64) *float64 { return &v }

func TestCompareFigures(t *testing.T) {
	// base is a level in a month; each case changes what it needs.
	base := func(key string) *graph.Figure {
		return &graph.Figure{Key: key, Value: 40, Unit: "percent", Measure: "ferry delays", Subject: "Port Ellis", Period: "2026-03"}
	}
	with := func(key string, fn func(f *graph.Figure)) *graph.Figure {
		f := base(key)
		fn(f)
		return f
	}
	yes, no := true, false
	for _, tc := range []struct {
		name       string
		a, b       *graph.Figure
		comparable bool
		agrees     *bool
		reasons    []string // substrings, one per reason, in order
	}{
		{"same", base("a"), base("b"), true, &yes,
			[]string{"same unit (percent), measure (ferry delays), subject (port ellis) and period 2026-03", "values agree: 40 and 40"}},
		{"unit spelling", base("a"), with("b", func(f *graph.Figure) { f.Unit = "%" }), true, &yes, nil},
		{"case and spacing", base("a"), with("b", func(f *graph.Figure) { f.Measure = "Ferry  Delays"; f.Subject = "port ellis" }), true, &yes, nil},
		{"different values", base("a"), with("b", func(f *graph.Figure) { f.Value = 55 }), true, &no,
			[]string{"same unit", "values differ: 40 and 55"}},
		{"approximate within 10%", base("a"), with("b", func(f *graph.Figure) { f.Value = 43; f.Approx = true }), true, &yes,
			[]string{"same unit", "values agree within 10% (approximate): 40 and about 43"}},
		{"approximate beyond 10%", base("a"), with("b", func(f *graph.Figure) { f.Value = 50; f.Approx = true }), true, &no,
			[]string{"same unit", "values differ by more than 10% (approximate): 40 and about 50"}},
		{"range overlaps", base("a"), with("b", func(f *graph.Figure) { f.Value = 35; f.ValueMax = ptr(45) }), true, &yes,
			[]string{"same unit", "values agree: 40 and 35–45"}},
		{"range misses", base("a"), with("b", func(f *graph.Figure) { f.Value = 10; f.ValueMax = ptr(20) }), true, &no, nil},
		{"opposite changes", with("a", func(f *graph.Figure) { f.Change = "increase"; f.Baseline = "2025-03" }),
			with("b", func(f *graph.Figure) { f.Change = "decrease"; f.Baseline = "2025-03" }), true, &no,
			[]string{"period 2026-03 against 2025-03", "opposite directions: a states an increase, b a decrease", "values agree"}},
		{"different units", base("a"), with("b", func(f *graph.Figure) { f.Unit = "people" }), false, nil,
			[]string{"different units: percent and people"}},
		{"different measures", base("a"), with("b", func(f *graph.Figure) { f.Measure = "ferry cancellations" }), false, nil,
			[]string{`different measures: "ferry delays" and "ferry cancellations"`}},
		{"missing subject", base("a"), with("b", func(f *graph.Figure) { f.Subject = "" }), false, nil,
			[]string{`b states no subject (a has "Port Ellis")`}},
		{"different periods", base("a"), with("b", func(f *graph.Figure) { f.Period = "2026-04" }), false, nil,
			[]string{"different periods: 2026-03 and 2026-04"}},
		{"one period", base("a"), with("b", func(f *graph.Figure) { f.Period = "" }), false, nil,
			[]string{"only a states a period"}},
		{"baselines instead of periods", with("a", func(f *graph.Figure) { f.Period = ""; f.Baseline = "2025"; f.Change = "decrease" }),
			with("b", func(f *graph.Figure) {
				f.Period = ""
				f.Baseline = "2025"
				f.Change = "decrease"
				f.Value = 41
				f.Approx = true
			}), true, &yes,
			[]string{"and baseline 2025", "values agree within 10%"}},
		{"no time at all", with("a", func(f *graph.Figure) { f.Period = "" }), with("b", func(f *graph.Figure) { f.Period = "" }), false, nil,
			[]string{"neither states a period or a baseline"}},
		{"different baselines", with("a", func(f *graph.Figure) { f.Change = "decrease"; f.Baseline = "2025-03" }),
			with("b", func(f *graph.Figure) { f.Change = "decrease"; f.Baseline = "2024-03" }), false, nil,
			[]string{"different baselines: 2025-03 and 2024-03"}},
		{"change against level", with("a", func(f *graph.Figure) { f.Change = "decrease" }), base("b"), false, nil,
			[]string{"a states a change (decrease), b a level"}},
		{"several reasons", base("a"), &graph.Figure{Key: "b", Value: 3000, Unit: "agents"}, false, nil,
			[]string{"different units", "b states no measure", "b states no subject", "only a states a period"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := graph.CompareFigures(tc.a, tc.b)
			if c.Figure != tc.b {
				t.Errorf("Figure is not b")
			}
			if c.Comparable != tc.comparable {
				t.Errorf("comparable %v, want %v (%q)", c.Comparable, tc.comparable, c.Reasons)
			}
			if (c.Agrees == nil) != (tc.agrees == nil) || (c.Agrees != nil && *c.Agrees != *tc.agrees) {
				t.Errorf("agrees %v, want %v (%q)", deref(c.Agrees), deref(tc.agrees), c.Reasons)
			}
			if len(c.Reasons) == 0 {
				t.Fatal("no reasons")
			}
			if tc.reasons != nil {
				if len(c.Reasons) != len(tc.reasons) {
					t.Fatalf("reasons %q, want %d like %q", c.Reasons, len(tc.reasons), tc.reasons)
				}
				for i, want := range tc.reasons {
					if !strings.Contains(c.Reasons[i], want) {
						t.Errorf("reason %d %q lacks %q", i, c.Reasons[i], want)
					}
				}
			}
			if c.Conflicts() != (tc.comparable && tc.agrees != nil && !*tc.agrees) {
				t.Errorf("Conflicts() = %v", c.Conflicts())
			}
			// Comparability is symmetric.
			if back := graph.CompareFigures(tc.b, tc.a); back.Comparable != c.Comparable || !reflect.DeepEqual(back.Agrees, c.Agrees) {
				t.Errorf("not symmetric: %v/%v against %v/%v", back.Comparable, deref(back.Agrees), c.Comparable, deref(c.Agrees))
			}
		})
	}
}

func deref(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}

// comparisonBatch: two agencies count ferry delays at Port Ellis in March
// (f-a, f-b, in the same report), a third figure (f-c, in another source)
// is linked to f-a and counts cancellations; f-d is in the same report,
// agrees with f-a within its approximation and is retracted later; f-e is
// in another source and not linked.
func comparisonBatch() *graph.Batch {
	return &graph.Batch{
		Nodes: []graph.Node{
			&graph.Organisation{Key: "o-port", Name: "Port Ellis Authority"},
			&graph.Source{Key: "s-report", Kind: "report"},
			&graph.Source{Key: "s-other", Kind: "article"},
			&graph.Figure{Key: "f-a", Value: 40, Unit: "percent", Measure: "ferry delays", Subject: "Port Ellis", Period: "2026-03", Source: "s-report", StatedBy: "o-port"},
			&graph.Figure{Key: "f-b", Value: 60, Unit: "%", Measure: "ferry delays", Subject: "Port Ellis", Period: "2026-03", Source: "s-report"},
			&graph.Figure{Key: "f-c", Value: 40, Unit: "percent", Measure: "ferry cancellations", Subject: "Port Ellis", Period: "2026-03", Source: "s-other"},
			&graph.Figure{Key: "f-d", Value: 41, Approx: true, Unit: "percent", Measure: "ferry delays", Subject: "Port Ellis", Period: "2026-03", Source: "s-report"},
			&graph.Figure{Key: "f-e", Value: 40, Unit: "percent", Measure: "ferry delays", Subject: "Port Ellis", Period: "2026-03", Source: "s-other"},
		},
		Links: []graph.Link{{From: "f-c", To: "f-a", Relation: graph.RelContradicts, Reason: "different_measure"}},
		By:    "test",
	}
}

func TestFigureComparisons(t *testing.T) {
	ctx := context.Background()
	st := memgraph.New()
	if _, err := st.Apply(ctx, comparisonBatch()); err != nil {
		t.Fatal(err)
	}
	type row struct {
		key        string
		via        string
		comparable bool
		conflicts  bool
	}
	read := func() []row {
		t.Helper()
		var out []row
		err := st.View(ctx, func(r graph.Reader) error {
			cs, err := graph.FigureComparisons(ctx, r, "f-a", 0)
			for _, c := range cs {
				out = append(out, row{c.Figure.Key, c.Via, c.Comparable, c.Conflicts()})
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := []row{{"f-c", "link", false, false}, {"f-b", "source", true, true}, {"f-d", "source", true, false}}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Errorf("comparisons\n got %v\nwant %v", got, want)
	}

	if _, err := st.Apply(ctx, &graph.Batch{Retracts: []graph.Retract{{Key: "f-d", Reason: "typo"}}, By: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ctx, &graph.Batch{Retracts: []graph.Retract{{Link: &graph.LinkID{From: "f-c", Relation: graph.RelContradicts, To: "f-a"}, Reason: "wrong"}}, By: "test"}); err != nil {
		t.Fatal(err)
	}
	want = []row{{"f-b", "source", true, true}}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Errorf("after retractions\n got %v\nwant %v", got, want)
	}

	err := st.View(ctx, func(r graph.Reader) error {
		if _, err := graph.FigureComparisons(ctx, r, "s-report", 0); err == nil {
			t.Error("a source compared as a figure")
		}
		if _, err := graph.FigureComparisons(ctx, r, "nope", 0); err == nil {
			t.Error("an unknown key compared")
		}
		cs, err := graph.FigureComparisons(ctx, r, "f-e", 1)
		if err != nil {
			return err
		}
		if len(cs) != 1 || cs[0].Figure.Key != "f-c" || cs[0].Comparable || cs[0].Via != "source" {
			t.Errorf("f-e: got %+v, want f-c from the same source, not comparable", cs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
