package schema

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"claimgraph/graph"
)

// Filtered root lists
//
// The root lists people, organisations, sources, quotes, claims and figures
// take where (the filters of their kind), orderBy, first, after and asOf,
// and read one page through graph.Selector: every filter is served by an
// index, the keys come in key or value order, and the cursors are the
// store's keyset cursors. Without where and orderBy a list is every node of
// its kind in key order, as it always was.

// listTypes are the input types of the filtered root lists and the types of
// their aggregates.
type listTypes struct {
	dateRange, floatRange *graphql.InputObject
	direction             *graphql.Enum
	where, order          map[graph.Kind]*graphql.InputObject
	aggregate             map[graph.Kind]*graphql.Object
}

// listSpec describes the filters of one kind's root list.
type listSpec struct {
	// facets map where fields to the facets they filter on.
	facets []facetArg
	// text is the where field of the text filter (text, or name for
	// people and organisations).
	text string
	// dateRange is the where field of a DateRange on the kind's order
	// value (saidAt, publishedAt); valueRange the field of a FloatRange
	// (figures' value).
	dateRange, valueRange string
	// valueField is the orderBy field of the value order (SAID_AT ...),
	// "" for kinds ordered by key only.
	valueField string
}

// facetArg is one where field that filters on a facet.
type facetArg struct {
	name  string
	facet graph.Facet
}

// listSpecOf returns the filters of kind k.
func listSpecOf(k graph.Kind) listSpec {
	switch k {
	case graph.KindPerson:
		return listSpec{facets: []facetArg{{"affiliation", graph.FacetAffiliation}}, text: "name"}
	case graph.KindOrganisation:
		return listSpec{facets: []facetArg{{"kind", graph.FacetKind}, {"parent", graph.FacetParent}}, text: "name"}
	case graph.KindSource:
		return listSpec{facets: []facetArg{{"kind", graph.FacetKind}, {"publisher", graph.FacetPublisher}}, text: "text",
			dateRange: "publishedAt", valueField: "PUBLISHED_AT"}
	case graph.KindQuote:
		return listSpec{facets: []facetArg{{"speaker", graph.FacetSpeaker}, {"source", graph.FacetSource},
			{"publisher", graph.FacetPublisher}, {"mode", graph.FacetMode}}, text: "text",
			dateRange: "saidAt", valueField: "SAID_AT"}
	case graph.KindClaim:
		return listSpec{facets: []facetArg{{"about", graph.FacetAbout}}, text: "text"}
	case graph.KindFigure:
		return listSpec{facets: []facetArg{{"unit", graph.FacetUnit}, {"measure", graph.FacetMeasure},
			{"source", graph.FacetSource}, {"publisher", graph.FacetPublisher}, {"statedBy", graph.FacetStatedBy}},
			text: "text", valueRange: "value", valueField: "VALUE"}
	}
	return listSpec{}
}

// maxMembers caps the speakers that includeMembers may add.
const maxMembers = 10000

// listInputs builds DateRange, FloatRange, OrderDirection and the where
// and orderBy inputs of every kind.
func (b *builder) listInputs() {
	l := &b.lists
	l.dateRange = graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "DateRange",
		Description: "A range of instants: from is inclusive, to is exclusive. A date alone means that whole day (UTC): " +
			"as from, the start of the day; as to, the end of the day, so that {from: \"2026-01-07\", to: \"2026-01-07\"} " +
			"is that one day. A date-time to is exclusive: {from: \"2026-01-07T00:00:00Z\", to: \"2026-01-08T00:00:00Z\"} " +
			"is the same day. An absent bound is open. A node without the date is outside every range.",
		Fields: graphql.InputObjectConfigFieldMap{
			"from": {Type: b.dateTime, Description: "The first instant in the range (a date: the start of that day)."},
			"to":   {Type: b.dateTime, Description: "The instant after the range (a date: the end of that day, included)."},
		},
	})
	l.floatRange = graphql.NewInputObject(graphql.InputObjectConfig{
		Name:        "FloatRange",
		Description: "A range of numbers, both bounds included; an absent bound is open.",
		Fields: graphql.InputObjectConfigFieldMap{
			"min": {Type: graphql.Float, Description: "The smallest value in the range."},
			"max": {Type: graphql.Float, Description: "The largest value in the range."},
		},
	})
	l.direction = graphql.NewEnum(graphql.EnumConfig{
		Name:        "OrderDirection",
		Description: "The direction of an order.",
		Values: graphql.EnumValueConfigMap{
			"ASC":  {Value: "asc", Description: "Smallest first (earliest, lowest, or first in key order)."},
			"DESC": {Value: "desc", Description: "Largest first (latest, highest, or last in key order)."},
		},
	})

	ids := func(desc string) *graphql.InputObjectFieldConfig {
		return &graphql.InputObjectFieldConfig{Type: graphql.NewList(graphql.NewNonNull(graphql.ID)),
			Description: desc + " Any of the ids matches; an unknown id matches nothing, an empty list matches nothing. " +
				"At most " + itoa(b.cfg.MaxIDs) + " ids (more is an error, LIMIT_EXCEEDED)."}
	}
	strList := func(desc string) *graphql.InputObjectFieldConfig {
		return &graphql.InputObjectFieldConfig{Type: graphql.NewList(graphql.NewNonNull(graphql.String)),
			Description: desc + " Compared insensitive to case and accents; any of the values matches, an empty list " +
				"matches nothing. At most " + itoa(b.cfg.MaxIDs) + " values."}
	}
	enumList := func(t *graphql.Enum, desc string) *graphql.InputObjectFieldConfig {
		return &graphql.InputObjectFieldConfig{Type: graphql.NewList(graphql.NewNonNull(t)),
			Description: desc + " Any of the values matches; an empty list matches nothing."}
	}
	text := func(desc string) *graphql.InputObjectFieldConfig {
		return &graphql.InputObjectFieldConfig{Type: graphql.String,
			Description: desc + " Compared as whoSaid compares: insensitive to case, spacing, accents and quote-mark " +
				"style. Empty: no filter. At most " + itoa(maxSearchText) + " bytes."}
	}
	where := func(name, what string, fields graphql.InputObjectConfigFieldMap) *graphql.InputObject {
		return graphql.NewInputObject(graphql.InputObjectConfig{
			Name: name,
			Description: "Filters of the " + what + " list; every field given must match (AND), each list matches any " +
				"of its values (OR). Every filter is served by an index.",
			Fields: fields,
		})
	}
	l.where = map[graph.Kind]*graphql.InputObject{
		graph.KindPerson: where("PersonWhere", "people", graphql.InputObjectConfigFieldMap{
			"affiliation": ids("People affiliated with one of these organisations (any affiliation, past or present)."),
			"name":        text("People whose name or an alias contains these words."),
		}),
		graph.KindOrganisation: where("OrganisationWhere", "organisations", graphql.InputObjectConfigFieldMap{
			"kind":   enumList(b.orgKind, "Organisations of one of these kinds."),
			"parent": ids("Organisations whose parent is one of these organisations (direct children only)."),
			"name":   text("Organisations whose name or an alias contains these words."),
		}),
		graph.KindSource: where("SourceWhere", "sources", graphql.InputObjectConfigFieldMap{
			"kind":        enumList(b.sourceKind, "Sources of one of these kinds."),
			"publisher":   ids("Sources published by one of these organisations."),
			"publishedAt": {Type: l.dateRange, Description: "Sources published in this range (sources without publishedAt never match)."},
			"text":        text("Sources whose title or text contains these words."),
		}),
		graph.KindQuote: where("QuoteWhere", "quotes", graphql.InputObjectConfigFieldMap{
			"speaker": ids("Quotes spoken by one of these people or organisations."),
			"includeMembers": {Type: graphql.Boolean, DefaultValue: false,
				Description: "When true, an organisation in speaker also matches the quotes of its members (people " +
					"with an affiliation to it, past or present) and of its sub-organisations (whose parent chain leads " +
					"to it), and of their members, at any depth. At most " + itoa(maxMembers) + " speakers in all " +
					"(more is an error, LIMIT_EXCEEDED)."},
			"source":    ids("Quotes appearing in one of these sources."),
			"publisher": ids("Quotes appearing in a source published by one of these organisations."),
			"mode":      enumList(b.quoteMode, "Quotes with one of these modes."),
			"saidAt":    {Type: l.dateRange, Description: "Quotes said in this range (quotes without saidAt never match)."},
			"text":      text("Quotes whose words contain these words."),
		}),
		graph.KindClaim: where("ClaimWhere", "claims", graphql.InputObjectConfigFieldMap{
			"about": ids("Claims about one of these nodes."),
			"text":  text("Claims whose text contains these words."),
		}),
		graph.KindFigure: where("FigureWhere", "figures", graphql.InputObjectConfigFieldMap{
			"unit":      strList("Figures with one of these units (percent, people, usd ...)."),
			"measure":   strList("Figures measuring one of these things (shootings, homicides ...), the whole measure."),
			"value":     {Type: l.floatRange, Description: "Figures whose value (the lower bound of a range) is in this range."},
			"source":    ids("Figures appearing in one of these sources."),
			"publisher": ids("Figures appearing in a source published by one of these organisations."),
			"statedBy":  ids("Figures stated by one of these people or organisations."),
			"text":      text("Figures whose text contains these words."),
		}),
	}

	order := func(name, what string, values graphql.EnumValueConfigMap, fieldDesc string) *graphql.InputObject {
		field := graphql.NewEnum(graphql.EnumConfig{
			Name:        name + "Field",
			Description: "What the " + what + " list is ordered by.",
			Values:      values,
		})
		return graphql.NewInputObject(graphql.InputObjectConfig{
			Name:        name,
			Description: "The order of the " + what + " list; ties are broken by key, in the same direction.",
			Fields: graphql.InputObjectConfigFieldMap{
				"field":     {Type: field, Description: fieldDesc},
				"direction": {Type: l.direction, Description: "ASC (when absent) or DESC."},
			},
		})
	}
	keyValue := &graphql.EnumValueConfig{Value: graph.OrderKey, Description: "The key (id), bytewise."}
	keyOnly := "KEY, the only order of this list."
	valueDesc := func(f, r string) string {
		return "KEY, or " + f + " (nodes without it come last, in either direction). Default: " + f + " when where." +
			r + " is given, KEY otherwise; KEY with where." + r + " is an error (BAD_USER_INPUT)."
	}
	l.order = map[graph.Kind]*graphql.InputObject{
		graph.KindPerson:       order("PersonOrder", "people", graphql.EnumValueConfigMap{"KEY": keyValue}, keyOnly),
		graph.KindOrganisation: order("OrganisationOrder", "organisations", graphql.EnumValueConfigMap{"KEY": keyValue}, keyOnly),
		graph.KindClaim:        order("ClaimOrder", "claims", graphql.EnumValueConfigMap{"KEY": keyValue}, keyOnly),
		graph.KindSource: order("SourceOrder", "sources", graphql.EnumValueConfigMap{"KEY": keyValue,
			"PUBLISHED_AT": {Value: graph.OrderValue, Description: "When the source was published."}},
			valueDesc("PUBLISHED_AT", "publishedAt")),
		graph.KindQuote: order("QuoteOrder", "quotes", graphql.EnumValueConfigMap{"KEY": keyValue,
			"SAID_AT": {Value: graph.OrderValue, Description: "When the words were said."}},
			valueDesc("SAID_AT", "saidAt")),
		graph.KindFigure: order("FigureOrder", "figures", graphql.EnumValueConfigMap{"KEY": keyValue,
			"VALUE": {Value: graph.OrderValue, Description: "The figure's value (the lower bound of a range)."}},
			valueDesc("VALUE", "value")),
	}
}

// listField is the root list of kind k.
func (b *builder) listField(k graph.Kind, conn *graphql.Object, plural string) *graphql.Field {
	args := b.withAsOf(b.pageArgs())
	args["where"] = &graphql.ArgumentConfig{
		Type:        b.lists.where[k],
		Description: "Only the " + plural + " that match these filters; all of them when absent.",
	}
	args["orderBy"] = &graphql.ArgumentConfig{
		Type:        b.lists.order[k],
		Description: "The order of the list; key order when absent (or the order of a range filter's value).",
	}
	args["after"].Description = "Return the edges after this cursor (an endCursor or edge cursor of a previous page of " +
		"the same list, with the same where and orderBy)."
	return &graphql.Field{
		Type: graphql.NewNonNull(conn),
		Description: "The " + plural + " that match where, in the order of orderBy (key order by default); the " +
			"connection's aggregate counts them all, by group.",
		Args:    args,
		Resolve: resolve(atSnapshot(b.listResolver(k))),
	}
}

// listResolver resolves the root list of kind k.
func (b *builder) listResolver(k graph.Kind) resolver {
	return func(rq *request, p graphql.ResolveParams) (interface{}, error) {
		first, err := b.listFirst(p.Args)
		if err != nil {
			return nil, err
		}
		sel, err := b.selection(rq, k, p.Args)
		if err != nil {
			return nil, err
		}
		after, err := listAfter(p.Args, sel)
		if err != nil {
			return nil, err
		}
		s := rq.r
		filter := sel
		sel.After, sel.Limit, sel.Count = after, first, selectsField(p, "totalCount")
		if err := graph.ValidateSelection(sel); err != nil {
			// The arguments were checked above; what is left is the
			// store's view of them.
			return nil, &Error{Code: CodeBadUserInput, Message: "where: " + err.Error(), Err: err}
		}
		pg, err := s.Select(rq.ctx, sel)
		if err != nil {
			return nil, err
		}
		if len(pg.Cursors) != len(pg.Keys) {
			return nil, &Error{Code: CodeInternal, Message: "internal error",
				Err: fmt.Errorf("schema: Select returned %d keys and %d cursors", len(pg.Keys), len(pg.Cursors))}
		}
		c := &conn{hasNext: pg.More, hasPrev: after != "", kinds: []graph.Kind{k}, sel: &filter}
		for i, key := range pg.Keys {
			c.items = append(c.items, item{key: key, cursor: pg.Cursors[i]})
		}
		total := pg.Total
		c.total = func() (int, error) {
			if total >= 0 {
				return total, nil
			}
			cs := filter
			cs.Count = true
			pg, err := s.Select(rq.ctx, cs)
			if err != nil {
				return 0, err
			}
			total = pg.Total
			return total, nil
		}
		return c, nil
	}
}

// listFirst reads first of a root list.
func (b *builder) listFirst(args map[string]interface{}) (int, error) {
	first := b.cfg.DefaultPage
	if v, ok := args["first"].(int); ok {
		first = v
	}
	if first < 0 {
		return 0, errorf(CodeBadUserInput, "first: %d is negative", first)
	}
	if first > b.cfg.MaxPage {
		return 0, errorf(CodeLimitExceeded, "first: %d is above the maximum page size %d", first, b.cfg.MaxPage)
	}
	return first, nil
}

// listAfter reads the after cursor of a root list of selection sel: a
// cursor of the store (graph.SelectCursor) of the list's kind and order.
// A cursor of the unfiltered lists of earlier versions (the key, encoded)
// is taken as the same position in key order.
func listAfter(args map[string]interface{}, sel graph.Selection) (string, error) {
	s, _ := args["after"].(string)
	if s == "" {
		return "", nil
	}
	order := sel.EffectiveOrder()
	c, err := graph.ParseSelectCursor(s)
	if err != nil {
		key, kerr := decodeCursor(s)
		if kerr != nil || order != graph.OrderKey || !graph.ValidKey(key) {
			return "", errorf(CodeBadUserInput, "after: %q is not a cursor of this list", truncate(s, 64))
		}
		return graph.SelectCursor{Kind: sel.Kind, Order: graph.OrderKey, Key: key}.String(), nil
	}
	if c.Kind != sel.Kind || c.Order != order {
		return "", errorf(CodeBadUserInput, "after: the cursor is one of %s in %s order, not of this list "+
			"(%s in %s order); pass a cursor of a page of the same list, with the same where and orderBy",
			c.Kind.Section(), c.Order, sel.Kind.Section(), order)
	}
	return s, nil
}

// selection reads where and orderBy into the Selection of a page of kind k
// (without After, Limit and Count).
func (b *builder) selection(rq *request, k graph.Kind, args map[string]interface{}) (graph.Selection, error) {
	sel := graph.Selection{Kind: k, Order: graph.OrderKey}
	spec := listSpecOf(k)
	where, _ := args["where"].(map[string]interface{})
	for _, fa := range spec.facets {
		raw, ok := where[fa.name]
		if !ok || raw == nil {
			continue
		}
		list, _ := raw.([]interface{})
		if len(list) > b.cfg.MaxIDs {
			return sel, errorf(CodeLimitExceeded, "where.%s: %d values is above the maximum %d", fa.name, len(list), b.cfg.MaxIDs)
		}
		values := make([]string, 0, len(list))
		seen := map[string]bool{}
		for _, v := range list {
			if s, ok := v.(string); ok && !seen[s] {
				seen[s] = true
				values = append(values, s)
			}
		}
		if fa.facet == graph.FacetSpeaker {
			if inc, _ := where["includeMembers"].(bool); inc {
				var err error
				if values, err = expandMembers(rq, values); err != nil {
					return sel, err
				}
			}
		}
		sel.Facets = append(sel.Facets, graph.FacetFilter{Facet: fa.facet, Values: values})
	}
	if t, ok := where[spec.text].(string); ok {
		if len(t) > maxSearchText {
			return sel, errorf(CodeLimitExceeded, "where.%s: %d bytes is above the maximum %d", spec.text, len(t), maxSearchText)
		}
		sel.Text = strings.TrimSpace(t)
		if sel.Text != "" {
			terms := graph.TextTerms(sel.Text)
			if len(terms) == 0 {
				return sel, errorf(CodeBadUserInput, "where.%s: %q has no words", spec.text, truncate(sel.Text, 64))
			}
			for _, term := range terms {
				if len(term) > graph.MaxTextTerm {
					return sel, errorf(CodeBadUserInput, "where.%s: the word %q is longer than %d bytes",
						spec.text, truncate(term, 64), graph.MaxTextTerm)
				}
			}
		}
	}
	rangeName := ""
	if spec.dateRange != "" {
		if r, ok := where[spec.dateRange].(map[string]interface{}); ok {
			from, to, err := dateBounds("where."+spec.dateRange, r)
			if err != nil {
				return sel, err
			}
			sel.From, sel.To = from, to
			if !from.IsZero() || !to.IsZero() {
				rangeName = spec.dateRange
			}
		}
	}
	if spec.valueRange != "" {
		if r, ok := where[spec.valueRange].(map[string]interface{}); ok {
			lo, hi, err := floatBounds("where."+spec.valueRange, r)
			if err != nil {
				return sel, err
			}
			sel.Min, sel.Max = lo, hi
			if lo != nil || hi != nil {
				rangeName = spec.valueRange
			}
		}
	}
	if rangeName != "" {
		sel.Order = graph.OrderValue
	}
	if ob, ok := args["orderBy"].(map[string]interface{}); ok {
		if f, ok := ob["field"].(graph.Order); ok {
			if f == graph.OrderKey && rangeName != "" {
				return sel, errorf(CodeBadUserInput, "orderBy.field: KEY cannot order a list filtered by the range "+
					"where.%s; order by %s, or leave field out", rangeName, spec.valueField)
			}
			sel.Order = f
		}
		sel.Desc = ob["direction"] == "desc"
	}
	return sel, nil
}

// dateBounds reads a DateRange into [from, to): a date alone is the start
// of its day as from, the start of the next day as to.
func dateBounds(path string, r map[string]interface{}) (from, to time.Time, err error) {
	if t, ok := r["from"].(time.Time); ok {
		from = t.UTC()
		if isDateOnly(t) {
			from = from.Add(time.Nanosecond).AddDate(0, 0, -1)
		}
	}
	if t, ok := r["to"].(time.Time); ok {
		to = t.UTC()
		if isDateOnly(t) {
			to = to.Add(time.Nanosecond)
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, errorf(CodeBadUserInput, "%s: from %s is not before to %s (to is exclusive unless a date)",
			path, formatDateTime(from), formatDateTime(to))
	}
	return from, to, nil
}

// floatBounds reads a FloatRange.
func floatBounds(path string, r map[string]interface{}) (lo, hi *float64, err error) {
	num := func(v interface{}) (*float64, bool) {
		var f float64
		switch v := v.(type) {
		case float64:
			f = v
		case int:
			f = float64(v)
		default:
			return nil, false
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false
		}
		return &f, true
	}
	if v, ok := r["min"]; ok && v != nil {
		if lo, ok = num(v); !ok {
			return nil, nil, errorf(CodeBadUserInput, "%s.min: not a finite number", path)
		}
	}
	if v, ok := r["max"]; ok && v != nil {
		if hi, ok = num(v); !ok {
			return nil, nil, errorf(CodeBadUserInput, "%s.max: not a finite number", path)
		}
	}
	if lo != nil && hi != nil && *lo > *hi {
		return nil, nil, errorf(CodeBadUserInput, "%s: min %g is above max %g", path, *lo, *hi)
	}
	return lo, hi, nil
}

// expandMembers adds to the speakers the members and sub-organisations of
// the organisations among them, at any depth: people with an affiliation to
// an organisation, organisations whose parent it is. The organisation
// trees are read one level at a time, each level with one batch of edge
// reads.
func expandMembers(rq *request, speakers []string) ([]string, error) {
	if len(speakers) == 0 {
		return speakers, nil
	}
	kinds, err := rq.r.Kinds(rq.ctx, speakers)
	if err != nil {
		return nil, err
	}
	out := append([]string(nil), speakers...)
	seen := make(map[string]bool, len(speakers))
	var level []string
	for _, s := range speakers {
		seen[s] = true
		if kinds[s] == graph.KindOrganisation {
			level = append(level, s)
		}
	}
	for len(level) > 0 {
		qs := make([]graph.EdgeQuery, len(level))
		for i, org := range level {
			qs[i] = graph.EdgeQuery{Key: org, Dir: graph.In, Relations: []graph.Relation{graph.RelAffiliation, graph.RelParent}}
		}
		res, err := edgesMany(rq.ctx, rq.r, qs)
		if err != nil {
			return nil, err
		}
		level = nil
		for _, es := range res {
			for _, e := range es {
				if seen[e.From] {
					continue
				}
				seen[e.From] = true
				out = append(out, e.From)
				if len(out) > maxMembers {
					return nil, errorf(CodeLimitExceeded, "where.includeMembers: the organisations of where.speaker have "+
						"more than %d members and sub-organisations; name fewer or smaller organisations", maxMembers)
				}
				if e.Relation == graph.RelParent {
					level = append(level, e.From)
				}
			}
		}
	}
	return out, nil
}

// selectsField reports whether the field being resolved selects the
// subfield name directly (through fragments too).
func selectsField(p graphql.ResolveParams, name string) bool {
	var visit func(set *ast.SelectionSet, depth int) bool
	visit = func(set *ast.SelectionSet, depth int) bool {
		if set == nil || depth > 16 {
			return false
		}
		for _, s := range set.Selections {
			switch s := s.(type) {
			case *ast.Field:
				if s.Name != nil && s.Name.Value == name {
					return true
				}
			case *ast.InlineFragment:
				if visit(s.SelectionSet, depth+1) {
					return true
				}
			case *ast.FragmentSpread:
				if s.Name == nil {
					continue
				}
				if f, ok := p.Info.Fragments[s.Name.Value].(*ast.FragmentDefinition); ok && visit(f.SelectionSet, depth+1) {
					return true
				}
			}
		}
		return false
	}
	for _, f := range p.Info.FieldASTs {
		if f != nil && visit(f.SelectionSet, 0) {
			return true
		}
	}
	return false
}
