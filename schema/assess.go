package schema

import (
	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// assessTypes builds AssessmentStatus, Assessment and FigureComparison.
func (b *builder) assessTypes() {
	statuses := make([]string, len(graph.AssessmentStatuses))
	for i, s := range graph.AssessmentStatuses {
		statuses[i] = string(s)
	}
	b.assessmentStatus = b.stringEnum("AssessmentStatus", "The verdict on a claim from its live evidence.", statuses, map[string]string{
		string(graph.StatusSupported):    "Live evidence supports the claim and none contradicts it.",
		string(graph.StatusDisputed):     "Live evidence both supports and contradicts the claim.",
		string(graph.StatusContradicted): "Live evidence contradicts the claim and none supports it.",
		string(graph.StatusUnverified):   "No live evidence supports or contradicts the claim.",
		string(graph.StatusRetracted):    "The claim itself has been retracted.",
	})
	b.assessment = graphql.NewObject(graphql.ObjectConfig{
		Name: "Assessment",
		Description: "The derived verdict on a claim, computed from its live links when asked (so asOf gives the verdict " +
			"of that instant): nodes with a supports link to the claim support it, nodes with a contradicts link to or " +
			"from it contradict it. A retracted link, or a link to a retracted node, is not live.",
		Fields: graphql.Fields{
			"status": field(graphql.NewNonNull(b.assessmentStatus), "RETRACTED when the claim is retracted; otherwise UNVERIFIED without "+
				"live evidence, SUPPORTED with support only, CONTRADICTED with contradiction only, DISPUTED with both.",
				get(func(a *graph.Assessment) interface{} { return string(a.Status) })),
			"supporting": field(graphql.NewNonNull(graphql.Int), "How many distinct nodes support the claim through live links.",
				get(func(a *graph.Assessment) interface{} { return len(a.Supporting) })),
			"contradicting": field(graphql.NewNonNull(graphql.Int), "How many distinct nodes contradict the claim through live links.",
				get(func(a *graph.Assessment) interface{} { return len(a.Contradicting) })),
			"explanation": field(graphql.NewNonNull(graphql.String), "The verdict in words: the counts and the strongest items on each "+
				"side (figures before quotes before claims, then the best sourced), with who stated them and the links' reasons.",
				get(func(a *graph.Assessment) interface{} { return a.Explanation })),
		},
	})
	b.figureComparison = graphql.NewObject(graphql.ObjectConfig{
		Name: "FigureComparison",
		Description: "Whether a figure can be compared with another and, if so, whether they agree, with the reasons. " +
			"Two figures are comparable only with the same unit (normalised: %, per cent and percent are one), measure, " +
			"subject, and time frame: the same period, or, when neither states a period, the same baseline; both must " +
			"state a level or both a change. Comparable figures agree when their values overlap (a range is " +
			"value..valueMax; within 10% when either is approximate) and their changes go the same way.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"figure": field(graphql.NewNonNull(b.figure), "The other figure.",
					get(func(c *graph.FigureComparison) interface{} { return c.Figure })),
				"comparable": field(graphql.NewNonNull(graphql.Boolean), "True when the two figures can be compared at all.",
					get(func(c *graph.FigureComparison) interface{} { return c.Comparable })),
				"agrees": field(graphql.Boolean, "Whether the figures agree; null when they are not comparable.",
					get(func(c *graph.FigureComparison) interface{} {
						if c.Agrees == nil {
							return nil
						}
						return *c.Agrees
					})),
				"reasons": field(nonNullList(graphql.String), "Why: what differs that makes them not comparable, or what they share and how their values compare.",
					get(func(c *graph.FigureComparison) interface{} { return c.Reasons })),
				"via": field(graphql.NewNonNull(graphql.String), "How the other figure was found: link (a live link joins the two, "+
					"either way) or source (both appear in the same source).",
					get(func(c *graph.FigureComparison) interface{} { return c.Via })),
			}
		}),
	})
}

// comparisons resolves Figure.comparableWith (all) and Figure.conflicts
// (only comparable figures that disagree).
func comparisons(onlyConflicts bool) resolver {
	return with(func(rq *request, f *graph.Figure, _ graphql.ResolveParams) (interface{}, error) {
		cs, err := graph.FigureComparisons(rq.ctx, rq.r, f.Key, 0)
		if err != nil {
			return nil, err
		}
		out := make([]interface{}, 0, len(cs))
		for i := range cs {
			if !onlyConflicts || cs[i].Conflicts() {
				out = append(out, &cs[i])
			}
		}
		return out, nil
	})
}

// figureAssessFields are the disagreement fields of Figure.
func (b *builder) figureAssessFields() graphql.Fields {
	return graphql.Fields{
		"comparableWith": field(nonNullList(b.figureComparison), "This figure compared with its candidates: the figures joined to it "+
			"by a live link (any relation, either way) first, then the other figures of its source, in key order; retracted "+
			"figures left out, at most "+itoa(graph.DefaultComparisonCandidates)+". Each says whether the two can be compared, "+
			"whether they agree, and why.",
			comparisons(false)),
		"conflicts": field(nonNullList(b.figureComparison), "The candidates of comparableWith that are comparable with this figure and disagree with it.",
			comparisons(true)),
	}
}

// claimAssessFields are the assessment fields of Claim.
func (b *builder) claimAssessFields() graphql.Fields {
	return graphql.Fields{
		"assessment": field(graphql.NewNonNull(b.assessment), "The verdict on this claim from its live evidence.",
			with(func(rq *request, c *graph.Claim, _ graphql.ResolveParams) (interface{}, error) {
				return graph.AssessClaim(rq.ctx, rq.r, c.Key)
			})),
	}
}
