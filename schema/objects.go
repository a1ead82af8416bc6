package schema

import (
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// dateNote is appended to the description of every date field.
const dateNote = " A string as stored in the bundle: an RFC 3339 date-time (2026-01-26T19:47:00Z), a date (2026-01-26) or a month (2026-01)."

func (b *builder) objects() {
	b.supporting()
	b.listInputs()
	b.connections()
	b.person = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Person",
		Description: "A human speaker or author.",
		Interfaces:  []*graphql.Interface{b.node, b.agent, b.versioned},
		Fields:      graphql.FieldsThunk(b.personFields),
	})
	b.organisation = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Organisation",
		Description: "An agency, company, outlet, party, or group of people speaking as one.",
		Interfaces:  []*graphql.Interface{b.node, b.agent, b.versioned},
		Fields:      graphql.FieldsThunk(b.organisationFields),
	})
	b.source = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Source",
		Description: "Where words or numbers appear: an article, a social post, a statement, a call, a report ...",
		Interfaces:  []*graphql.Interface{b.node, b.versioned},
		Fields:      graphql.FieldsThunk(b.sourceFields),
	})
	b.quote = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Quote",
		Description: "One attribution: the words (or their gist) of a speaker appearing in a source. A quote reported inside another quote points to it with reportedBy.",
		Interfaces:  []*graphql.Interface{b.node, b.versioned},
		Fields:      graphql.FieldsThunk(b.quoteFields),
	})
	b.claim = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Claim",
		Description: "A proposition, independent of who says it. Quotes express claims; figures and other claims support or contradict them through links.",
		Interfaces:  []*graphql.Interface{b.node, b.versioned},
		Fields:      graphql.FieldsThunk(b.claimFields),
	})
	b.figure = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Figure",
		Description: "A stated quantity: a value with its unit, what it measures, for what subject and period, who stated it and where.",
		Interfaces:  []*graphql.Interface{b.node, b.versioned},
		Fields:      graphql.FieldsThunk(b.figureFields),
	})
}

// merge adds the fields of more to f.
func merge(f graphql.Fields, more graphql.Fields) graphql.Fields {
	for k, v := range more {
		f[k] = v
	}
	return f
}

// nodeFields are the fields every node type has: id, kind, the typed links
// in both directions, the claims about it and the figures derived from it.
func (b *builder) nodeFields(what string) graphql.Fields {
	return merge(b.historyFields(what), graphql.Fields{
		"id": field(graphql.NewNonNull(graphql.ID), "The "+what+"'s key, unique across all kinds.",
			get(func(n graph.Node) interface{} { return n.NodeKey() })),
		"kind": field(graphql.NewNonNull(b.kind), "The node's kind.",
			get(func(n graph.Node) interface{} { return n.NodeKind() })),
		"linksOut": {
			Type:        graphql.NewNonNull(b.linkConn),
			Args:        b.linkArgs(),
			Description: "Typed links from this " + what + " to other nodes (this " + what + " supports, contradicts ... them).",
			Resolve:     resolve(b.edgeConn(edgeSpec{dir: graph.Out, link: true})),
		},
		"linksIn": {
			Type:        graphql.NewNonNull(b.linkConn),
			Args:        b.linkArgs(),
			Description: "Typed links from other nodes to this " + what + " (they support, contradict ... it).",
			Resolve:     resolve(b.edgeConn(edgeSpec{dir: graph.In, link: true})),
		},
		"claimsAbout": b.connField(b.claimConn, "Claims that are about this "+what+" (their about list names it).",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelAbout}, kind: graph.KindClaim}),
		"derivedFigures": b.connField(b.figureConn, "Figures derived from this "+what+" (their derivedFrom list names it).",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelDerivedFrom}, kind: graph.KindFigure}),
	})
}

// connField is a connection field over the parent's edges.
func (b *builder) connField(t *graphql.Object, desc string, spec edgeSpec) *graphql.Field {
	return &graphql.Field{
		Type:        graphql.NewNonNull(t),
		Args:        b.pageArgs(),
		Description: desc,
		Resolve:     resolve(b.edgeConn(spec)),
	}
}

// agentFields are the fields Person and Organisation share beyond Node's.
func (b *builder) agentFields(what string) graphql.Fields {
	return graphql.Fields{
		"quotes": b.connField(b.quoteConn, "The quotes this "+what+" is the speaker of.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelSpeaker}, kind: graph.KindQuote}),
		"statedFigures": b.connField(b.figureConn, "The figures this "+what+" stated.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelStatedBy}, kind: graph.KindFigure}),
		"authored": b.connField(b.sourceConn, "The sources this "+what+" is an author of.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelAuthor}, kind: graph.KindSource}),
	}
}

func (b *builder) personFields() graphql.Fields {
	f := merge(b.nodeFields("person"), b.agentFields("person"))
	return merge(f, graphql.Fields{
		"name": field(graphql.NewNonNull(graphql.String), "The person's name.",
			get(func(n *graph.Person) interface{} { return n.Name })),
		"aliases": field(nonNullList(graphql.String), "Other names the person goes by (a surname, a title).",
			get(func(n *graph.Person) interface{} { return strs(n.Aliases) })),
		"description": field(graphql.String, "A short description of who the person is.",
			get(func(n *graph.Person) interface{} { return opt(n.Description) })),
		"ids": field(nonNullList(b.externalID), "Identifiers of the person in other systems (wikidata ...), sorted by scheme.",
			get(func(n *graph.Person) interface{} { return externalIDs(n.IDs) })),
		"affiliations": field(nonNullList(b.affiliation), "The organisations the person belongs or belonged to, with role and dates.",
			get(func(n *graph.Person) interface{} {
				out := make([]interface{}, 0, len(n.Affiliations))
				for i := range n.Affiliations {
					out = append(out, &n.Affiliations[i])
				}
				return out
			})),
	})
}

func (b *builder) organisationFields() graphql.Fields {
	f := merge(b.nodeFields("organisation"), b.agentFields("organisation"))
	return merge(f, graphql.Fields{
		"name": field(graphql.NewNonNull(graphql.String), "The organisation's name.",
			get(func(n *graph.Organisation) interface{} { return n.Name })),
		"aliases": field(nonNullList(graphql.String), "Other names the organisation goes by (an acronym ...).",
			get(func(n *graph.Organisation) interface{} { return strs(n.Aliases) })),
		"organisationKind": field(b.orgKind, "What sort of body the organisation is (the bundle's kind field; kind is the node kind).",
			get(func(n *graph.Organisation) interface{} { return opt(n.Kind) })),
		"parent": field(b.organisation, "The organisation this one is part of.",
			with(func(rq *request, n *graph.Organisation, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.Parent, graph.KindOrganisation), nil
			})),
		"description": field(graphql.String, "A short description of the organisation.",
			get(func(n *graph.Organisation) interface{} { return opt(n.Description) })),
		"ids": field(nonNullList(b.externalID), "Identifiers of the organisation in other systems (wikidata ...), sorted by scheme.",
			get(func(n *graph.Organisation) interface{} { return externalIDs(n.IDs) })),
		"published": b.connField(b.sourceConn, "The sources this organisation published.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelPublisher}, kind: graph.KindSource}),
		"members": {
			Type:        graphql.NewNonNull(b.memberConn),
			Args:        b.pageArgs(),
			Description: "The people affiliated with this organisation, with their roles.",
			Resolve: resolve(b.edgeConn(edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelAffiliation},
				kind: graph.KindPerson})),
		},
		"subOrganisations": b.connField(b.orgConn, "The organisations whose parent is this one.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelParent}, kind: graph.KindOrganisation}),
	})
}

func (b *builder) sourceFields() graphql.Fields {
	return merge(b.nodeFields("source"), graphql.Fields{
		"sourceKind": field(graphql.NewNonNull(b.sourceKind), "What sort of source this is (the bundle's kind field; kind is the node kind).",
			get(func(n *graph.Source) interface{} { return n.Kind })),
		"title": field(graphql.String, "The source's title or headline.",
			get(func(n *graph.Source) interface{} { return opt(n.Title) })),
		"url": field(graphql.String, "Where the source is published.",
			get(func(n *graph.Source) interface{} { return opt(n.URL) })),
		"publisher": field(b.organisation, "The organisation that published the source (an outlet, a platform).",
			with(func(rq *request, n *graph.Source, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.Publisher, graph.KindOrganisation), nil
			})),
		"authors": field(nonNullList(b.agent), "The people or organisations who wrote the source.",
			with(func(rq *request, n *graph.Source, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkMany(rq.ctx, n.Authors, graph.KindPerson, graph.KindOrganisation), nil
			})),
		"publishedAt": field(graphql.String, "When the source was published."+dateNote,
			get(func(n *graph.Source) interface{} { return opt(n.PublishedAt) })),
		"updatedAt": field(graphql.String, "When the source was last updated."+dateNote,
			get(func(n *graph.Source) interface{} { return opt(n.UpdatedAt) })),
		"retrievedAt": field(graphql.String, "When the source's text was retrieved."+dateNote,
			get(func(n *graph.Source) interface{} { return opt(n.RetrievedAt) })),
		"language": field(graphql.String, "The language of the source (a BCP 47 tag such as en).",
			get(func(n *graph.Source) interface{} { return opt(n.Language) })),
		"text": field(graphql.String, "The full text of the source, when stored; spans index into it in Unicode code points.",
			get(func(n *graph.Source) interface{} { return opt(n.Text) })),
		"contentSha256": field(graphql.String, "The SHA-256 of the source's text, hex encoded, against which spans were anchored.",
			get(func(n *graph.Source) interface{} { return opt(n.ContentSHA256) })),
		"archiveUrl": field(graphql.String, "An archived copy of the source.",
			get(func(n *graph.Source) interface{} { return opt(n.ArchiveURL) })),
		"derivedFrom": field(nonNullList(b.derivation), "The sources this one derives from (it quotes, cites, republishes ... them).",
			get(func(n *graph.Source) interface{} {
				out := make([]interface{}, 0, len(n.DerivedFrom))
				for i := range n.DerivedFrom {
					out = append(out, &n.DerivedFrom[i])
				}
				return out
			})),
		"quotes": b.connField(b.quoteConn, "The quotes that appear in this source.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelSource}, kind: graph.KindQuote}),
		"figures": b.connField(b.figureConn, "The figures that appear in this source.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelSource}, kind: graph.KindFigure}),
		"channelQuotes": b.connField(b.quoteConn, "The quotes whose words were first said through this source (their channel).",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelChannel}, kind: graph.KindQuote}),
		"derivatives": {
			Type:        graphql.NewNonNull(b.derivativeConn),
			Args:        b.pageArgs(),
			Description: "The sources that derive from this one, with how they derive.",
			Resolve: resolve(b.edgeConn(edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelDerivedFrom},
				kind: graph.KindSource})),
		},
	})
}

func (b *builder) quoteFields() graphql.Fields {
	return merge(b.nodeFields("quote"), graphql.Fields{
		"text": field(graphql.NewNonNull(graphql.String), "The words, or their gist for indirect quotes and paraphrases.",
			get(func(n *graph.Quote) interface{} { return n.Text })),
		"speaker": field(b.agent, "Who said the words; null when unknown.",
			with(func(rq *request, n *graph.Quote, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.Speaker, graph.KindPerson, graph.KindOrganisation), nil
			})),
		"source": field(b.source, "The source the quote appears in.",
			with(func(rq *request, n *graph.Quote, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.Source, graph.KindSource), nil
			})),
		"span": field(b.span, "Where the quote sits in its source's text.",
			get(func(n *graph.Quote) interface{} { return spanValue(n.Span) })),
		"cue": field(graphql.String, "The attribution cue: the verb or phrase that attributes the words (said, posted, called me with).",
			get(func(n *graph.Quote) interface{} { return opt(n.Cue) })),
		"mode": field(b.quoteMode, "How faithfully the quote renders the words.",
			get(func(n *graph.Quote) interface{} { return opt(n.Mode) })),
		"saidAt": field(graphql.String, "When the words were said."+dateNote,
			get(func(n *graph.Quote) interface{} { return opt(n.SaidAt) })),
		"channel": field(b.source, "The medium where the words were first said (a post, a call), when it is not the source itself.",
			with(func(rq *request, n *graph.Quote, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.Channel, graph.KindSource), nil
			})),
		"reportedBy": field(b.quote, "The enclosing attribution that reports this one (\"X posted that Y asked ...\": Y's quote is reported by X's).",
			with(func(rq *request, n *graph.Quote, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.ReportedBy, graph.KindQuote), nil
			})),
		"certainty": field(b.certainty, "How sure the attribution is.",
			get(func(n *graph.Quote) interface{} { return opt(n.Certainty) })),
		"claims": field(nonNullList(b.claim), "The claims the quote expresses.",
			with(func(rq *request, n *graph.Quote, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkMany(rq.ctx, n.Claims, graph.KindClaim), nil
			})),
		"reports": b.connField(b.quoteConn, "The quotes this quote reports (whose reportedBy is this quote).",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelReportedBy}, kind: graph.KindQuote}),
	})
}

func (b *builder) claimFields() graphql.Fields {
	f := merge(b.nodeFields("claim"), b.claimAssessFields())
	return merge(f, graphql.Fields{
		"text": field(graphql.NewNonNull(graphql.String), "The proposition.",
			get(func(n *graph.Claim) interface{} { return n.Text })),
		"topics": field(nonNullList(graphql.String), "Topics the claim is filed under.",
			get(func(n *graph.Claim) interface{} { return strs(n.Topics) })),
		"about": field(nonNullList(b.node), "The nodes the claim is about (people, organisations ...).",
			with(func(rq *request, n *graph.Claim, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkMany(rq.ctx, n.About), nil
			})),
		"quotes": b.connField(b.quoteConn, "The quotes that express this claim.",
			edgeSpec{dir: graph.In, rels: []graph.Relation{graph.RelExpresses}, kind: graph.KindQuote}),
	})
}

func (b *builder) figureFields() graphql.Fields {
	f := merge(b.nodeFields("figure"), b.figureAssessFields())
	return merge(f, graphql.Fields{
		"text": field(graphql.NewNonNull(graphql.String), "The figure as written in its source (\"a 40% rise in thefts\"). "+
			"When no text was recorded, the value and unit in words instead: \"76 percent\", \"about 2000 people\", "+
			"\"8 to 10 percent\" (about when approx, the range when valueMax is set), which is not a quotation of the "+
			"source. Never null, like the text of quotes and claims, so that one selection can ask text of all three.",
			get(func(n *graph.Figure) interface{} { return figureText(n) })),
		"value": field(graphql.NewNonNull(graphql.Float), "The value; the lower bound when valueMax is set.",
			get(func(n *graph.Figure) interface{} { return n.Value })),
		"valueMax": field(graphql.Float, "The upper bound of a range.",
			get(func(n *graph.Figure) interface{} {
				if n.ValueMax == nil {
					return nil
				}
				return *n.ValueMax
			})),
		"unit": field(graphql.NewNonNull(graphql.String), "The unit, normalised (percent, people, usd ...).",
			get(func(n *graph.Figure) interface{} { return n.Unit })),
		"measure": field(graphql.String, "What is measured (shootings, agents deployed ...).",
			get(func(n *graph.Figure) interface{} { return opt(n.Measure) })),
		"subject": field(graphql.String, "Whom or where the figure is about (a city, a population).",
			get(func(n *graph.Figure) interface{} { return opt(n.Subject) })),
		"period": field(graphql.String, "The period the figure covers."+dateNote,
			get(func(n *graph.Figure) interface{} { return opt(n.Period) })),
		"baseline": field(graphql.String, "The period or value a change is measured against."+dateNote,
			get(func(n *graph.Figure) interface{} { return opt(n.Baseline) })),
		"change": field(b.change, "The direction of change, when the figure states one.",
			get(func(n *graph.Figure) interface{} { return opt(n.Change) })),
		"approx": field(graphql.NewNonNull(graphql.Boolean), "True when the figure is stated as approximate (about, nearly ...).",
			get(func(n *graph.Figure) interface{} { return n.Approx })),
		"statedBy": field(b.agent, "Who stated the figure.",
			with(func(rq *request, n *graph.Figure, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.StatedBy, graph.KindPerson, graph.KindOrganisation), nil
			})),
		"source": field(b.source, "The source the figure appears in.",
			with(func(rq *request, n *graph.Figure, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkOne(rq.ctx, n.Source, graph.KindSource), nil
			})),
		"span": field(b.span, "Where the figure sits in its source's text.",
			get(func(n *graph.Figure) interface{} { return spanValue(n.Span) })),
		"derivedFrom": field(nonNullList(b.node), "The nodes the figure was derived from (a dataset, other figures).",
			with(func(rq *request, n *graph.Figure, _ graphql.ResolveParams) (interface{}, error) {
				return rq.loader.thunkMany(rq.ctx, n.DerivedFrom), nil
			})),
	})
}

// supporting builds the small object types nodes use.
func (b *builder) supporting() {
	b.externalID = graphql.NewObject(graphql.ObjectConfig{
		Name:        "ExternalId",
		Description: "An identifier of a node in another system.",
		Fields: graphql.Fields{
			"scheme": field(graphql.NewNonNull(graphql.String), "The system (wikidata, isni ...).",
				get(func(v externalID) interface{} { return v.scheme })),
			"value": field(graphql.NewNonNull(graphql.String), "The identifier in that system (Q42 ...).",
				get(func(v externalID) interface{} { return v.value })),
		},
	})
	b.affiliation = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Affiliation",
		Description: "A person's tie to an organisation.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"organisation": field(b.organisation, "The organisation.",
					with(func(rq *request, a *graph.Affiliation, _ graphql.ResolveParams) (interface{}, error) {
						return rq.loader.thunkOne(rq.ctx, a.Organisation, graph.KindOrganisation), nil
					})),
				"role": field(graphql.String, "The person's role there (governor, spokesperson ...).",
					get(func(a *graph.Affiliation) interface{} { return opt(a.Role) })),
				"from": field(graphql.String, "When the tie began."+dateNote,
					get(func(a *graph.Affiliation) interface{} { return opt(a.From) })),
				"to": field(graphql.String, "When the tie ended; null while it lasts."+dateNote,
					get(func(a *graph.Affiliation) interface{} { return opt(a.To) })),
			}
		}),
	})
	b.span = graphql.NewObject(graphql.ObjectConfig{
		Name: "Span",
		Description: "A range of Unicode code points [start, end) in a source's text, with the W3C Web Annotation text " +
			"quote selector (prefix and suffix) and the hash of the text it was anchored in, so that a re-fetched " +
			"text can be re-anchored and drift reported.",
		Fields: graphql.Fields{
			"start": field(graphql.NewNonNull(graphql.Int), "The first code point, counted from 0.",
				get(func(s *graph.Span) interface{} { return s.Start })),
			"end": field(graphql.NewNonNull(graphql.Int), "The code point after the last one (end is exclusive).",
				get(func(s *graph.Span) interface{} { return s.End })),
			"prefix": field(graphql.String, "Up to 32 code points of text just before the span.",
				get(func(s *graph.Span) interface{} { return opt(s.Prefix) })),
			"suffix": field(graphql.String, "Up to 32 code points of text just after the span.",
				get(func(s *graph.Span) interface{} { return opt(s.Suffix) })),
			"contentSha256": field(graphql.String, "The SHA-256 of the text the span was anchored in, hex encoded.",
				get(func(s *graph.Span) interface{} { return opt(s.ContentSHA256) })),
		},
	})
	b.derivation = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Derivation",
		Description: "That a source derives from another source, and how.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"source": field(b.source, "The source derived from.",
					with(func(rq *request, d *graph.Derivation, _ graphql.ResolveParams) (interface{}, error) {
						return rq.loader.thunkOne(rq.ctx, d.Source, graph.KindSource), nil
					})),
				"relation": field(b.derivRel, "How it derives.",
					get(func(d *graph.Derivation) interface{} { return opt(d.Relation) })),
			}
		}),
	})
	b.link = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Link",
		Description: "A typed evidence or disagreement link between two nodes, identified by (from, relation, to).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"from": field(graphql.NewNonNull(b.node), "The node the link starts at.",
					get(func(l *linkValue) interface{} { return l.from })),
				"to": field(graphql.NewNonNull(b.node), "The node the link points to.",
					get(func(l *linkValue) interface{} { return l.to })),
				"relation": field(graphql.NewNonNull(b.linkRel), "What the from node does to the to node.",
					get(func(l *linkValue) interface{} { return string(l.link.Relation) })),
				"reason": field(b.reason, "Why the nodes disagree or may not be comparable (for contradicts).",
					get(func(l *linkValue) interface{} { return opt(l.link.Reason) })),
				"note": field(graphql.String, "A curator's note on the link.",
					get(func(l *linkValue) interface{} { return opt(l.link.Note) })),
				"by": field(graphql.String, "Who made the link (a curator, an import).",
					get(func(l *linkValue) interface{} { return opt(l.link.By) })),
				"at": field(graphql.String, "When the link was made, RFC 3339.",
					get(func(l *linkValue) interface{} { return opt(l.link.At) })),
				"retracted": field(b.retraction, "The retraction of this link (when, by whom, why); null unless it was retracted. "+
					"A retracted link stays readable; supporting, contradicting and assessments leave it out.",
					get(func(l *linkValue) interface{} {
						if l.retracted == nil {
							return nil
						}
						return *l.retracted
					})),
			}
		}),
	})
	b.pageInfo = graphql.NewObject(graphql.ObjectConfig{
		Name:        "PageInfo",
		Description: "Where a page of a connection sits (Relay cursor connections).",
		Fields: graphql.Fields{
			"hasNextPage": field(graphql.NewNonNull(graphql.Boolean), "Whether edges follow this page; pass endCursor as after to get them.",
				get(func(pi *pageInfoValue) interface{} { return pi.hasNext })),
			"hasPreviousPage": field(graphql.NewNonNull(graphql.Boolean), "Whether edges come before this page (true when after was given).",
				get(func(pi *pageInfoValue) interface{} { return pi.hasPrev })),
			"startCursor": field(graphql.String, "The cursor of the first edge of the page; null for an empty page.",
				get(func(pi *pageInfoValue) interface{} { return opt(pi.start) })),
			"endCursor": field(graphql.String, "The cursor of the last edge of the page; null for an empty page.",
				get(func(pi *pageInfoValue) interface{} { return opt(pi.end) })),
		},
	})
}

// connections builds the connection and edge types.
func (b *builder) connections() {
	b.aggregateTypes()
	b.personConn = b.connection("Person", "people", func() graphql.Output { return b.person }, nil, nil)
	b.orgConn = b.connection("Organisation", "organisations", func() graphql.Output { return b.organisation }, nil,
		b.aggregateField(graph.KindOrganisation))
	b.sourceConn = b.connection("Source", "sources", func() graphql.Output { return b.source }, nil,
		b.aggregateField(graph.KindSource))
	b.quoteConn = b.connection("Quote", "quotes", func() graphql.Output { return b.quote }, nil,
		b.aggregateField(graph.KindQuote))
	b.claimConn = b.connection("Claim", "claims", func() graphql.Output { return b.claim }, nil,
		b.aggregateField(graph.KindClaim))
	b.figureConn = b.connection("Figure", "figures", func() graphql.Output { return b.figure }, nil,
		b.aggregateField(graph.KindFigure))
	b.linkConn = b.connection("Link", "typed links", func() graphql.Output { return b.link }, nil, nil)
	b.memberConn = b.connection("Member", "people affiliated with an organisation",
		func() graphql.Output { return b.person }, graphql.Fields{
			"role": field(graphql.String, "The person's role in the organisation.",
				get(func(e *edgeValue) interface{} { return opt(e.edge.Qualifier) })),
		}, nil)
	b.derivativeConn = b.connection("Derivative", "sources derived from a source",
		func() graphql.Output { return b.source }, graphql.Fields{
			"relation": field(b.derivRel, "How the source derives from the parent source.",
				get(func(e *edgeValue) interface{} { return opt(e.edge.Qualifier) })),
		}, nil)
}

// connection builds {name}Connection and {name}Edge; extra are further
// fields of the edge, connExtra of the connection.
func (b *builder) connection(name, what string, node func() graphql.Output, extra, connExtra graphql.Fields) *graphql.Object {
	edge := graphql.NewObject(graphql.ObjectConfig{
		Name:        name + "Edge",
		Description: "One edge of a " + name + "Connection: a cursor and the node.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return merge(graphql.Fields{
				"cursor": field(graphql.NewNonNull(graphql.String), "An opaque cursor; pass it as after to read on from this edge.",
					get(func(e *edgeValue) interface{} { return e.cursor })),
				"node": field(graphql.NewNonNull(node()), "The node at the end of the edge.",
					get(func(e *edgeValue) interface{} { return e.node })),
			}, extra)
		}),
	})
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        name + "Connection",
		Description: "A page of " + what + " (a Relay cursor connection).",
		Fields: merge(graphql.Fields{
			"totalCount": field(graphql.NewNonNull(graphql.Int), "How many edges the whole connection has, on every page.",
				with(func(rq *request, c *conn, _ graphql.ResolveParams) (interface{}, error) {
					if c.count != nil {
						// Counted with the totals of the level's other
						// connections.
						q := *c.count
						rq.edges.wantCount(q)
						return thunk(func() (interface{}, error) { return rq.edges.count(rq.ctx, q) }), nil
					}
					return c.total()
				})),
			"pageInfo": field(graphql.NewNonNull(b.pageInfo), "Where this page sits.",
				get(func(c *conn) interface{} { return c.pageInfo() })),
			"edges": field(nonNullList(edge), "The edges of this page, in the connection's order.",
				with(func(rq *request, c *conn, _ graphql.ResolveParams) (interface{}, error) {
					return c.edges(rq), nil
				})),
		}, connExtra),
	})
}

// figureText is a figure's recorded text, or its value and unit in words
// when none was recorded: "76 percent", "about 2000 people", "8 to 10
// percent", "33%".
func figureText(n *graph.Figure) string {
	if strings.TrimSpace(n.Text) != "" {
		return n.Text
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	s := num(n.Value)
	if n.ValueMax != nil && *n.ValueMax != n.Value {
		s += " to " + num(*n.ValueMax)
	}
	switch u := strings.TrimSpace(n.Unit); {
	case u == "%":
		s += u
	case u != "":
		s += " " + u
	}
	if n.Approx {
		s = "about " + s
	}
	return s
}
