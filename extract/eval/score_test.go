package eval

import (
	"testing"

	"claimgraph/graph"
)

// TestScore checks the matching rules on a small hand-made case.
func TestScore(t *testing.T) {
	g := &Gold{
		People: []Agent{{Key: "ada-okafor", Name: "Ada Okafor", Aliases: []string{"Okafor"}}},
		Quotes: []Quote{
			{Text: "abc", Span: Span{0, 3}, Speaker: "ada-okafor", Mode: "direct"},
			{Text: "ghij", Span: Span{6, 10}, Mode: "indirect"},
			{Text: "xyz", Span: Span{20, 23}, Mode: "partial"},
		},
		Figures: []Figure{{Text: "12", Span: Span{30, 32}, Value: 12, Unit: "people"}, {Text: "7", Span: Span{40, 41}, Value: 7, Unit: "percent"}},
	}
	b := &graph.Bundle{Nodes: []graph.Node{
		&graph.Person{Key: "okafor", Name: "Okafor"},
		&graph.Quote{Key: "q1", Text: "abc", Speaker: "okafor", Span: &graph.Span{Start: 0, End: 3}},
		&graph.Quote{Key: "q2", Text: "hij", Span: &graph.Span{Start: 7, End: 10}},
		&graph.Quote{Key: "q3", Text: "no", Span: &graph.Span{Start: 50, End: 52}},
		&graph.Figure{Key: "f1", Value: 12, Unit: "people", Span: &graph.Span{Start: 29, End: 35}},
		&graph.Figure{Key: "f2", Value: 8, Unit: "percent", Span: &graph.Span{Start: 40, End: 41}},
	}}
	r := Score(g, b)
	want := Counts{GoldQuotes: 3, PredQuotes: 3, OverlapQuotes: 2, ExactQuotes: 1, SpeakerRight: 2,
		GoldFigures: 2, PredFigures: 2, MatchedFigures: 1, UnitRight: 1}
	if r.Counts != want {
		t.Fatalf("counts = %+v\nwant     %+v", r.Counts, want)
	}
	m := r.Counts.Metrics()
	if m.QuoteOverlapP != 2.0/3 || m.FigureF1 != 0.5 {
		t.Errorf("metrics = %+v", m)
	}
}
