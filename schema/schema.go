package schema

import (
	"fmt"
	"strings"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// Config bounds what one query may ask of the schema. The zero value gives
// the defaults.
type Config struct {
	// DefaultPage is the page size when a connection's first is not given
	// (default 20).
	DefaultPage int
	// MaxPage caps first on every connection (default 100); a larger first
	// is an error with code LIMIT_EXCEEDED, never silently clamped.
	MaxPage int
	// MaxIDs caps the ids of nodes(ids:) (default 100).
	MaxIDs int
	// MaxTraceDepth caps trace(maxDepth:) (default 10).
	MaxTraceDepth int
	// MaxTraceNodes caps the nodes one trace visits (default 1000); a trace
	// cut by it says truncated.
	MaxTraceNodes int
	// MaxAssessed caps the claims that ClaimAggregate.byStatus assesses
	// (default 10000); a larger list is an error with code LIMIT_EXCEEDED.
	MaxAssessed int
}

// Defaults of Config.
const (
	DefaultPage          = 20
	DefaultMaxPage       = 100
	DefaultMaxIDs        = 100
	DefaultMaxTraceDepth = 10
	DefaultMaxTraceNodes = 1000
	DefaultMaxAssessed   = 10000
	// DefaultTraceDepth is trace's maxDepth when not given.
	DefaultTraceDepth = 6
	// maxSearchText bounds whoSaid's text, in bytes.
	maxSearchText = 1000
)

// withDefaults fills zero fields with the defaults.
func (c Config) withDefaults() Config {
	if c.DefaultPage <= 0 {
		c.DefaultPage = DefaultPage
	}
	if c.MaxPage <= 0 {
		c.MaxPage = DefaultMaxPage
	}
	if c.DefaultPage > c.MaxPage {
		c.DefaultPage = c.MaxPage
	}
	if c.MaxIDs <= 0 {
		c.MaxIDs = DefaultMaxIDs
	}
	if c.MaxTraceDepth <= 0 {
		c.MaxTraceDepth = DefaultMaxTraceDepth
	}
	if c.MaxTraceNodes <= 0 {
		c.MaxTraceNodes = DefaultMaxTraceNodes
	}
	if c.MaxAssessed <= 0 {
		c.MaxAssessed = DefaultMaxAssessed
	}
	return c
}

// traceDepthDefault is trace's default maxDepth under c.
func (c Config) traceDepthDefault() int {
	if DefaultTraceDepth > c.MaxTraceDepth {
		return c.MaxTraceDepth
	}
	return DefaultTraceDepth
}

// builder holds the types while New assembles the schema.
type builder struct {
	cfg Config
	err error

	kind, sourceKind, orgKind, quoteMode, certainty, derivRel, linkRel, reason, change *graphql.Enum

	node, agent, versioned *graphql.Interface

	person, organisation, source, quote, claim, figure *graphql.Object

	externalID, affiliation, span, derivation, link, pageInfo *graphql.Object
	trace, hop, stats, kindCount                              *graphql.Object

	personConn, orgConn, sourceConn, quoteConn, claimConn, figureConn *graphql.Object
	linkConn, memberConn, derivativeConn                              *graphql.Object

	dateTime, json *graphql.Scalar

	retraction, revision, linkChange    *graphql.Object
	assessmentStatus                    *graphql.Enum
	assessment, figureComparison        *graphql.Object
	userError, nodePayload, linkPayload *graphql.Object
	importCounts, importResult          *graphql.Object
	articleMeta                         *graphql.InputObject
	matchMethod                         *graphql.Enum
	entityMatch                         *graphql.Object

	lists listTypes
}

// New builds the GraphQL schema: the Node and Agent interfaces, the six node
// types with every bundle field, their history (revision, retracted) and
// derived verdicts (a claim's assessment, a figure's comparisons),
// connections for every relation in both directions, the root fields node,
// nodes, whoSaid, search, trace, stats, history, the per-kind lists and the exact
// lookups (each with asOf), and the curation mutations. Every field has an explicit resolver;
// resolvers read the snapshot and loader that NewRequestContext put in the
// execution context. New also fills lookup tables that graphql-go builds
// lazily and without locks, some of them package-level: build schemas
// before serving, not while another schema executes.
func New(cfg Config) (graphql.Schema, error) {
	b := &builder{cfg: cfg.withDefaults(), dateTime: newDateTime(), json: newJSON()}
	b.enums()
	b.historyTypes()
	b.interfaces()
	b.objects()
	b.assessTypes()
	if b.err != nil {
		return graphql.Schema{}, b.err
	}
	query := b.query()
	b.mutationTypes()
	s, err := graphql.NewSchema(graphql.SchemaConfig{
		Query:    query,
		Mutation: b.mutation(),
		Types:    []graphql.Type{b.person, b.organisation, b.source, b.quote, b.claim, b.figure},
	})
	if err != nil {
		return graphql.Schema{}, fmt.Errorf("schema: %w", err)
	}
	warm(&s)
	return s, nil
}

// warm fills graphql-go's lazily built lookup tables (enum value and name
// maps, possible types of abstract types) before the schema is shared by
// concurrent requests: v0.8.1 builds them on first use without a lock.
func warm(s *graphql.Schema) {
	for _, t := range s.TypeMap() {
		switch t := t.(type) {
		case *graphql.Enum:
			if vs := t.Values(); len(vs) > 0 {
				t.Serialize(vs[0].Value)
				t.ParseValue(vs[0].Name)
			}
		case *graphql.Object:
			t.Fields()
			t.Interfaces()
		case *graphql.Interface:
			t.Fields()
		}
	}
	for _, t := range s.TypeMap() {
		abs, ok := t.(graphql.Abstract)
		if !ok {
			continue
		}
		for _, o := range s.TypeMap() {
			if o, ok := o.(*graphql.Object); ok {
				s.IsPossibleType(abs, o)
			}
		}
	}
}

// stringEnum builds an enum whose GraphQL names are the upper-cased bundle
// values and whose internal values are the bundle's lower-case strings. A
// value without a description is an error of New.
func (b *builder) stringEnum(name, desc string, values []string, descs map[string]string) *graphql.Enum {
	m := graphql.EnumValueConfigMap{}
	for _, v := range values {
		d := descs[v]
		if d == "" && b.err == nil {
			b.err = fmt.Errorf("schema: enum value %s.%s has no description", name, strings.ToUpper(v))
		}
		m[strings.ToUpper(v)] = &graphql.EnumValueConfig{Value: v, Description: d}
	}
	return graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: m})
}

func (b *builder) enums() {
	b.kind = graphql.NewEnum(graphql.EnumConfig{
		Name:        "Kind",
		Description: "The kind of a node. Every node is exactly one of these.",
		Values: graphql.EnumValueConfigMap{
			"PERSON":       {Value: graph.KindPerson, Description: "A human speaker or author (type Person)."},
			"ORGANISATION": {Value: graph.KindOrganisation, Description: "An agency, company, outlet, party or group speaking as one (type Organisation)."},
			"SOURCE":       {Value: graph.KindSource, Description: "Where words or numbers appear: an article, post, call, report ... (type Source)."},
			"QUOTE":        {Value: graph.KindQuote, Description: "One attribution: the words of a speaker appearing in a source (type Quote)."},
			"CLAIM":        {Value: graph.KindClaim, Description: "A proposition, independent of who says it (type Claim)."},
			"FIGURE":       {Value: graph.KindFigure, Description: "A stated quantity (type Figure)."},
		},
	})
	b.sourceKind = b.stringEnum("SourceKind", "What sort of source a Source is.", graph.SourceKinds, map[string]string{
		"article":       "A news or magazine article.",
		"social_post":   "A post on a social network.",
		"statement":     "A public statement.",
		"press_release": "A press release.",
		"report":        "A report, such as official statistics or a study.",
		"dataset":       "A data set.",
		"transcript":    "A transcript of spoken words.",
		"broadcast":     "A radio or television broadcast.",
		"interview":     "An interview.",
		"call":          "A telephone or video call.",
		"other":         "Any other kind of source.",
	})
	b.orgKind = b.stringEnum("OrganisationKind", "What sort of body an Organisation is.", graph.OrganisationKinds, map[string]string{
		"government": "A government body: ministry, department, agency, police, city.",
		"company":    "A company.",
		"media":      "A news outlet, publisher or platform.",
		"ngo":        "A non-governmental organisation.",
		"party":      "A political party.",
		"academic":   "A university or research institute.",
		"group":      "A group of people speaking as one.",
		"other":      "Any other kind of organisation.",
	})
	b.quoteMode = b.stringEnum("QuoteMode", "How faithfully a quote renders the speaker's words.", graph.QuoteModes, map[string]string{
		"direct":     "Verbatim words in quotation marks.",
		"partial":    "A verbatim fragment embedded in the reporter's sentence.",
		"indirect":   "Reported speech: the gist in the reporter's words.",
		"paraphrase": "A loose paraphrase of what was said.",
	})
	b.certainty = b.stringEnum("Certainty", "How sure the attribution is.", graph.Certainties, map[string]string{
		"certain":  "The speaker certainly said it.",
		"probable": "The speaker probably said it.",
		"possible": "The speaker may have said it.",
		"unknown":  "Nothing is known of the attribution's reliability.",
	})
	b.derivRel = b.stringEnum("DerivationRelation", "How a source derives from another source.", graph.DerivationRelations, map[string]string{
		"quotes":      "Quotes words of the other source.",
		"cites":       "Cites the other source as evidence.",
		"republishes": "Republishes the other source whole.",
		"summarises":  "Summarises the other source.",
		"translates":  "Translates the other source.",
		"updates":     "Is an updated version of the other source.",
	})
	b.linkRel = b.stringEnum("LinkRelation", "The relation of a typed evidence link between two nodes.", graph.LinkRelations, map[string]string{
		"supports":    "The from node supports the to node (evidence for it).",
		"contradicts": "The from node contradicts the to node; the link's reason says how.",
		"context":     "The from node gives context to the to node.",
		"same_as":     "The two nodes are the same thing.",
		"repeats":     "The from node repeats the to node.",
		"retracts":    "The from node retracts the to node.",
		"corrects":    "The from node corrects the to node.",
		"responds_to": "The from node responds to the to node.",
	})
	b.reason = b.stringEnum("ContradictionReason", "Why two nodes disagree, or why they may not be comparable.", graph.ContradictionReasons, map[string]string{
		"different_measure": "They measure different things.",
		"different_period":  "They cover different periods.",
		"different_scope":   "They cover a different scope (place, population ...).",
		"misquote":          "One misquotes the other.",
		"outdated":          "One is outdated.",
		"factual":           "They disagree on the facts.",
	})
	b.change = b.stringEnum("Change", "The direction of change a figure states.", graph.Changes, map[string]string{
		"increase": "The quantity went up.",
		"decrease": "The quantity went down.",
	})
}

func (b *builder) interfaces() {
	b.node = graphql.NewInterface(graphql.InterfaceConfig{
		Name:        "Node",
		Description: "Any node of the graph. The id is the node's key, unique across all kinds; node(id:) fetches it.",
		Fields: graphql.Fields{
			"id":   {Type: graphql.NewNonNull(graphql.ID), Description: "The node's key, unique across all kinds."},
			"kind": {Type: graphql.NewNonNull(b.kind), Description: "The node's kind."},
		},
		ResolveType: b.resolveType,
	})
	b.agent = graphql.NewInterface(graphql.InterfaceConfig{
		Name:        "Agent",
		Description: "Someone who can speak, write or state figures: a Person or an Organisation.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":            {Type: graphql.NewNonNull(graphql.ID), Description: "The agent's key, unique across all kinds."},
				"kind":          {Type: graphql.NewNonNull(b.kind), Description: "PERSON or ORGANISATION."},
				"name":          {Type: graphql.NewNonNull(graphql.String), Description: "The agent's name."},
				"aliases":       {Type: nonNullList(graphql.String), Description: "Other names the agent goes by."},
				"quotes":        {Type: graphql.NewNonNull(b.quoteConn), Args: b.pageArgs(), Description: "The quotes this agent is the speaker of."},
				"statedFigures": {Type: graphql.NewNonNull(b.figureConn), Args: b.pageArgs(), Description: "The figures this agent stated."},
			}
		}),
		ResolveType: b.resolveType,
	})
	b.versioned = graphql.NewInterface(graphql.InterfaceConfig{
		Name: "Versioned",
		Description: "A node with a history, as every node is: its latest revision and its retraction. Select them on " +
			"any node with ... on Versioned { revision retracted { at by reason } }.",
		Fields: graphql.Fields{
			"retracted": {Type: b.retraction, Description: "The node's retraction; null unless it was retracted."},
			"revision":  {Type: graphql.String, Description: "The node's latest revision, the value of expectedRevision."},
		},
		ResolveType: b.resolveType,
	})
}

// resolveType maps a graph node to its object type.
func (b *builder) resolveType(p graphql.ResolveTypeParams) *graphql.Object {
	switch p.Value.(type) {
	case *graph.Person:
		return b.person
	case *graph.Organisation:
		return b.organisation
	case *graph.Source:
		return b.source
	case *graph.Quote:
		return b.quote
	case *graph.Claim:
		return b.claim
	case *graph.Figure:
		return b.figure
	}
	return nil
}

// nonNullList is [T!]!.
func nonNullList(t graphql.Type) *graphql.NonNull {
	return graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(t)))
}

// pageArgs are the arguments of every connection.
func (b *builder) pageArgs() graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"first": {
			Type:         graphql.Int,
			DefaultValue: b.cfg.DefaultPage,
			Description:  fmt.Sprintf("How many edges to return, at most %d; a larger value is an error (LIMIT_EXCEEDED).", b.cfg.MaxPage),
		},
		"after": {
			Type:        graphql.String,
			Description: "Return the edges after this cursor (an endCursor or edge cursor of a previous page).",
		},
	}
}

// linkArgs are the arguments of linksOut and linksIn.
func (b *builder) linkArgs() graphql.FieldConfigArgument {
	a := b.pageArgs()
	a["relations"] = &graphql.ArgumentConfig{
		Type:        graphql.NewList(graphql.NewNonNull(b.linkRel)),
		Description: "Only links with one of these relations; all relations when absent or empty.",
	}
	return a
}
