package schema

import (
	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// aggValue is the value behind the aggregate types: the selection of a
// filtered root list, without its page.
type aggValue struct {
	sel graph.Selection
}

// groupValue is the value behind the group types: a group's value ("" for
// the nodes without one) and how many selected nodes have it.
type groupValue struct {
	value string
	count int
}

// statusCount is the value behind StatusCount.
type statusCount struct {
	status graph.AssessmentStatus
	count  int
}

// aggregateTypes builds the aggregate and group types of the root lists.
func (b *builder) aggregateTypes() {
	count := func() *graphql.Field {
		return field(graphql.NewNonNull(graphql.Int), "How many nodes of the list are in the group.",
			get(func(g *groupValue) interface{} { return g.count }))
	}
	nodeGroup := func(name, desc, keyDesc string, node func() graphql.Output, kinds ...graph.Kind) *graphql.Object {
		return graphql.NewObject(graphql.ObjectConfig{
			Name:        name,
			Description: desc,
			Fields: graphql.FieldsThunk(func() graphql.Fields {
				return graphql.Fields{
					"key": field(graphql.ID, keyDesc,
						get(func(g *groupValue) interface{} { return opt(g.value) })),
					"node": field(node(), "The node of the key; null for the group without one.",
						with(func(rq *request, g *groupValue, _ graphql.ResolveParams) (interface{}, error) {
							return rq.loader.thunkOne(rq.ctx, g.value, kinds...), nil
						})),
					"count": count(),
				}
			}),
		})
	}
	valueGroup := func(name, desc string, t graphql.Output, keyDesc string) *graphql.Object {
		return graphql.NewObject(graphql.ObjectConfig{
			Name:        name,
			Description: desc,
			Fields: graphql.Fields{
				"key":   field(t, keyDesc, get(func(g *groupValue) interface{} { return opt(g.value) })),
				"count": count(),
			},
		})
	}
	speakerCount := nodeGroup("SpeakerCount", "The quotes of a list spoken by one speaker.",
		"The speaker's id; null for the quotes without a speaker.",
		func() graphql.Output { return b.agent }, graph.KindPerson, graph.KindOrganisation)
	publisherCount := nodeGroup("PublisherCount", "The nodes of a list published by one organisation (for quotes and "+
		"figures, through their source).", "The publisher's id; null for the nodes without one.",
		func() graphql.Output { return b.organisation }, graph.KindOrganisation)
	monthCount := valueGroup("MonthCount", "The nodes of a list dated in one month (UTC).", graphql.String,
		"The month, 2026-01; null for the nodes without a date.")
	valueCount := valueGroup("ValueCount", "The nodes of a list that share one stored value (a unit, a measure).",
		graphql.String, "The value, folded for case and accents as the filters compare it; null for the nodes without one.")
	sourceKindCount := valueGroup("SourceKindCount", "The sources of a list of one kind.", b.sourceKind, "The kind.")
	orgKindCount := valueGroup("OrganisationKindCount", "The organisations of a list of one kind.", b.orgKind,
		"The kind; null for the organisations without one.")
	statusType := graphql.NewObject(graphql.ObjectConfig{
		Name:        "StatusCount",
		Description: "The claims of a list whose assessment has one status.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"status": field(graphql.NewNonNull(b.assessmentStatus), "The status.",
					get(func(s statusCount) interface{} { return string(s.status) })),
				"count": field(graphql.NewNonNull(graphql.Int), "How many claims of the list have it.",
					get(func(s statusCount) interface{} { return s.count })),
			}
		}),
	})

	agg := func(name, what string, fields graphql.Fields) *graphql.Object {
		return graphql.NewObject(graphql.ObjectConfig{
			Name: name,
			Description: "Counts over every " + what + " a root list selects (not only the page), by group. Each " +
				"grouping counts the whole list: it weighs " + itoa(costGrouping) + " in the query's estimated cost.",
			Fields: fields,
		})
	}
	b.lists.aggregate = map[graph.Kind]*graphql.Object{
		graph.KindQuote: agg("QuoteAggregate", "quote", graphql.Fields{
			"bySpeaker":   b.groupField(speakerCount, "The quotes counted by speaker.", graph.GroupSpeaker),
			"byPublisher": b.groupField(publisherCount, "The quotes counted by the publisher of their source.", graph.GroupPublisher),
			"byMonth":     b.groupField(monthCount, "The quotes counted by the month of saidAt.", graph.GroupMonth),
		}),
		graph.KindFigure: agg("FigureAggregate", "figure", graphql.Fields{
			"byMeasure":   b.groupField(valueCount, "The figures counted by measure.", graph.GroupMeasure),
			"byUnit":      b.groupField(valueCount, "The figures counted by unit.", graph.GroupUnit),
			"byPublisher": b.groupField(publisherCount, "The figures counted by the publisher of their source.", graph.GroupPublisher),
		}),
		graph.KindSource: agg("SourceAggregate", "source", graphql.Fields{
			"byKind":      b.groupField(sourceKindCount, "The sources counted by kind.", graph.GroupKind),
			"byPublisher": b.groupField(publisherCount, "The sources counted by publisher.", graph.GroupPublisher),
			"byMonth":     b.groupField(monthCount, "The sources counted by the month of publishedAt.", graph.GroupMonth),
		}),
		graph.KindOrganisation: agg("OrganisationAggregate", "organisation", graphql.Fields{
			"byKind": b.groupField(orgKindCount, "The organisations counted by kind.", graph.GroupKind),
		}),
		graph.KindClaim: agg("ClaimAggregate", "claim", graphql.Fields{
			"byStatus": {
				Type: nonNullList(statusType),
				Description: "The claims counted by the status of their assessment (computed for each claim of the list, " +
					"as Claim.assessment is): every status, in the order of AssessmentStatus, zero counts included. At most " +
					itoa(b.cfg.MaxAssessed) + " claims are assessed; a larger list is an error (LIMIT_EXCEEDED): narrow where. " +
					"Weighs " + itoa(b.cfg.MaxAssessed) + " in the query's estimated cost.",
				Resolve: resolve(with(b.resolveStatuses)),
			},
		}),
	}
}

// groupField is one grouping of an aggregate: groups of type t, largest
// count first, ties by key.
func (b *builder) groupField(t *graphql.Object, desc string, by graph.Grouping) *graphql.Field {
	return &graphql.Field{
		Type:        nonNullList(t),
		Description: desc + " Largest count first, ties by key; the nodes without a value form one group whose key is null.",
		Args: graphql.FieldConfigArgument{
			"first": {
				Type:         graphql.Int,
				DefaultValue: b.cfg.DefaultPage,
				Description:  "How many groups to return, at most " + itoa(b.cfg.MaxPage) + " (more is an error, LIMIT_EXCEEDED).",
			},
		},
		Resolve: resolve(with(func(rq *request, a *aggValue, p graphql.ResolveParams) (interface{}, error) {
			first := b.cfg.DefaultPage
			if v, ok := p.Args["first"].(int); ok {
				first = v
			}
			if first < 0 {
				return nil, errorf(CodeBadUserInput, "first: %d is negative", first)
			}
			if first > b.cfg.MaxPage {
				return nil, errorf(CodeLimitExceeded, "first: %d is above the maximum %d", first, b.cfg.MaxPage)
			}
			if first == 0 {
				return []interface{}{}, nil
			}
			groups, err := rq.r.Aggregate(rq.ctx, a.sel, by, first)
			if err != nil {
				return nil, err
			}
			if len(groups) > first {
				groups = groups[:first]
			}
			out := make([]interface{}, len(groups))
			for i, g := range groups {
				out[i] = &groupValue{value: g.Value, count: g.Count}
			}
			return out, nil
		})),
	}
}

// aggregateField is the aggregate field of the connection of kind k.
func (b *builder) aggregateField(k graph.Kind) graphql.Fields {
	return graphql.Fields{
		"aggregate": field(b.lists.aggregate[k], "Counts over every node of the list, not only this page, by group. "+
			"Only the root list (with or without where) has them; null on the connections of a node and on whoSaid.",
			with(func(_ *request, c *conn, _ graphql.ResolveParams) (interface{}, error) {
				if c.sel == nil {
					return nil, nil
				}
				return &aggValue{sel: *c.sel}, nil
			})),
	}
}

// resolveStatuses counts the claims of a list by the status of their
// assessment.
func (b *builder) resolveStatuses(rq *request, a *aggValue, _ graphql.ResolveParams) (interface{}, error) {
	sel := a.sel
	sel.Order, sel.Desc, sel.After, sel.Limit, sel.Count = graph.OrderKey, false, "", b.cfg.MaxAssessed+1, false
	pg, err := rq.r.Select(rq.ctx, sel)
	if err != nil {
		return nil, err
	}
	if len(pg.Keys) > b.cfg.MaxAssessed {
		return nil, errorf(CodeLimitExceeded, "byStatus: the list holds more than %d claims, the most one request assesses; "+
			"narrow where", b.cfg.MaxAssessed)
	}
	counts := map[graph.AssessmentStatus]int{}
	for _, key := range pg.Keys {
		if err := rq.ctx.Err(); err != nil {
			return nil, err
		}
		as, err := graph.AssessClaim(rq.ctx, rq.r, key)
		if err != nil {
			return nil, err
		}
		counts[as.Status]++
	}
	out := make([]interface{}, len(graph.AssessmentStatuses))
	for i, st := range graph.AssessmentStatuses {
		out[i] = statusCount{status: st, count: counts[st]}
	}
	return out, nil
}
