package export

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"claimgraph/graph"
)

// The PROV mapping (W3C PROV-DM, written as PROV-JSON and as PROV-O):
//
//   - people are prov:Agent and prov:Person, organisations prov:Agent and
//     prov:Organization; a person's affiliation and an organisation's parent
//     are actedOnBehalfOf (the person or organisation is the delegate of the
//     organisation);
//   - sources, quotes, claims and figures are prov:Entity, typed cg:Source,
//     cg:Quote, cg:Claim, cg:Figure; a quote's words and a figure's value
//     are its prov:value;
//   - a quote wasAttributedTo its speaker, a figure to whoever stated it, a
//     source to its authors and publisher (the attribution's prov:type says
//     which: cg:Speaker, cg:StatedBy, cg:Author, cg:Publisher);
//   - the source a quote or figure appears in wasQuotedFrom it (a
//     prov:Quotation), and the quote that reports another wasQuotedFrom the
//     one it reports (reported_by), so the chain article -> post -> request
//     reads as successive quotations;
//   - a quote hadPrimarySource its channel (the post, the call where the
//     words were first said);
//   - a source's derived_from is a wasQuotedFrom (relation quotes), a
//     wasRevisionOf (updates) or a plain wasDerivedFrom (cites,
//     republishes, summarises, translates), with the relation kept as
//     cg:relation; a figure's derived_from is a wasDerivedFrom;
//   - a corrects link is a wasRevisionOf (the correction is a revision of
//     what it corrects);
//   - a retracts link X -> Y is an activity (typed cg:Retraction, at the
//     link's time) that invalidated Y (wasInvalidatedBy) and generated X
//     (wasGeneratedBy); a retracted source, quote, claim or figure is
//     invalidated by a cg:Retraction activity at the retraction's time, with
//     its author and reason (cg:by, cg:reason); a retracted person or
//     organisation, which PROV cannot invalidate, and a retracted link carry
//     cg:retractedAt, cg:retractedBy and cg:retractionReason;
//   - the other links (supports, contradicts, context, same_as, repeats,
//     responds_to) are wasInfluencedBy from the link's target to its source,
//     typed with the relation (cg:Supports, cg:Contradicts ...; PROV-O adds
//     the direct triple X cg:supports Y), with its reason, note, by
//     and time;
//   - what PROV has no relation for is an attribute whose value is a
//     qualified name: cg:source (where a quote or figure appears),
//     cg:expresses (the claims of a quote), cg:about (what a claim is about).
//
// PROV-O writes every relation both unqualified (prov:wasAttributedTo, and
// for a specialised derivation both prov:wasDerivedFrom and the
// subproperty) and qualified (prov:qualifiedAttribution [a
// prov:Attribution; prov:agent ...], prov:qualifiedQuotation,
// prov:qualifiedPrimarySource, prov:qualifiedRevision,
// prov:qualifiedDerivation, prov:qualifiedInvalidation,
// prov:qualifiedGeneration, prov:qualifiedDelegation,
// prov:qualifiedInfluence), with the attributes on the qualified node.

// PROV record types, as named in PROV-JSON.
const (
	recEntity      = "entity"
	recAgent       = "agent"
	recActivity    = "activity"
	recAttribution = "wasAttributedTo"
	recDerivation  = "wasDerivedFrom"
	recGeneration  = "wasGeneratedBy"
	recInvalidated = "wasInvalidatedBy"
	recDelegation  = "actedOnBehalfOf"
	recInfluence   = "wasInfluencedBy"
)

// provSections are the record types in the order PROV-JSON lists them.
var provSections = []struct{ name string }{
	{recEntity}, {recAgent}, {recActivity}, {recAttribution}, {recDerivation},
	{recGeneration}, {recInvalidated}, {recDelegation}, {recInfluence},
}

// Value types of provVal.
const (
	valString = ""
	valQName  = "prov:QUALIFIED_NAME"
)

// provVal is an attribute value: a string, a qualified name (node:k,
// cg:Term, prov:Person) or a literal of an XSD type.
type provVal struct {
	s   string
	typ string // valString, valQName or an xsd: type
}

type provAttr struct {
	name string
	val  provVal
}

// provRec is one PROV record. For an element (entity, agent, activity) id
// is its qualified name. A relation is identified too (node:S.Term.O, such
// as node:q1.Speaker.donald-trump: keys have no upper-case letters), which
// makes its qualified PROV-O node an IRI and lets it survive a PROV-JSON to
// Turtle round trip; its formal attributes (prov:entity, prov:agent ...)
// come first in attrs.
type provRec struct {
	typ   string
	id    string
	attrs []provAttr
	// link is the relation of a link's influence record, for PROV-O's
	// direct triple.
	link graph.Relation
}

func (r *provRec) add(name string, v provVal) { r.attrs = append(r.attrs, provAttr{name, v}) }

func (r *provRec) str(name, s string) {
	if s != "" {
		r.add(name, provVal{s: s})
	}
}

func (r *provRec) qname(name, q string) { r.add(name, provVal{s: q, typ: valQName}) }

func (r *provRec) date(name, s string) {
	if s != "" {
		r.add(name, dateVal(s))
	}
}

// nodeQN returns the qualified name of a node.
func nodeQN(key string) string { return "node:" + key }

// cg returns the qualified name of a term of claimgraph's vocabulary.
func cg(term string) string { return "cg:" + term }

// dateVal types a bundle date: xsd:dateTime, xsd:date, xsd:gYearMonth or
// xsd:gYear, or a plain string when it does not parse.
func dateVal(s string) provVal {
	_, p, err := graph.ParseDate(s)
	if err != nil {
		return provVal{s: s}
	}
	switch p {
	case graph.PrecisionInstant:
		return provVal{s: s, typ: "xsd:dateTime"}
	case graph.PrecisionDay:
		return provVal{s: s, typ: "xsd:date"}
	case graph.PrecisionMonth:
		return provVal{s: s, typ: "xsd:gYearMonth"}
	}
	return provVal{s: s, typ: "xsd:gYear"}
}

// instant returns s when it is an RFC 3339 date-time, for prov:time.
func instant(s string) string {
	if _, p, err := graph.ParseDate(s); err == nil && p == graph.PrecisionInstant {
		return s
	}
	return ""
}

func numVal(f float64) provVal { return provVal{s: formatFloat(f), typ: "xsd:double"} }

// provRecords calls emit with the PROV records of node n and, when links is
// set, of the exported links that leave it.
func provRecords(ctx context.Context, wk *walker, n graph.Node, links bool, emit func(*provRec) error) error {
	key := n.NodeKey()
	var recs []*provRec
	used := map[string]int{}
	// rel starts a relation record identified as subject.Term.object
	// (keys have no upper-case letters, so the term separates them), with
	// a counter when the same relation repeats.
	rel := func(typ, subject, term, object string) *provRec {
		id := subject + "." + term + "." + object
		if used[id]++; used[id] > 1 {
			id += "-" + strconv.Itoa(used[id])
		}
		r := &provRec{typ: typ, id: nodeQN(id)}
		recs = append(recs, r)
		return r
	}
	attributed := func(agent, role string) {
		r := rel(recAttribution, key, role, agent)
		r.qname("prov:entity", nodeQN(key))
		r.qname("prov:agent", nodeQN(agent))
		r.qname("prov:type", cg(role))
	}
	derived := func(generated, from, kind, term string) *provRec {
		r := rel(recDerivation, generated, term, from)
		r.qname("prov:generatedEntity", nodeQN(generated))
		r.qname("prov:usedEntity", nodeQN(from))
		if kind != "" {
			r.qname("prov:type", kind)
		}
		return r
	}
	elem := func(typ string, types ...string) *provRec {
		r := &provRec{typ: typ, id: nodeQN(key)}
		recs = append(recs, r)
		for _, t := range types {
			r.qname("prov:type", t)
		}
		return r
	}
	names := func(r *provRec, name string, aliases []string, desc string, ids map[string]string) {
		r.str("prov:label", name)
		for _, a := range aliases {
			r.str(cg("alias"), a)
		}
		r.str(cg("description"), desc)
		schemes := make([]string, 0, len(ids))
		for s := range ids {
			schemes = append(schemes, s)
		}
		sort.Strings(schemes)
		for _, s := range schemes {
			r.str(cg("externalId"), s+":"+ids[s])
		}
	}
	span := func(r *provRec, sp *graph.Span) {
		if sp == nil {
			return
		}
		r.add(cg("spanStart"), provVal{s: strconv.Itoa(sp.Start), typ: "xsd:integer"})
		r.add(cg("spanEnd"), provVal{s: strconv.Itoa(sp.End), typ: "xsd:integer"})
	}
	switch v := n.(type) {
	case *graph.Person:
		r := elem(recAgent, "prov:Person", cg("Person"))
		names(r, v.Name, v.Aliases, v.Description, v.IDs)
		for _, a := range v.Affiliations {
			d := rel(recDelegation, key, "Affiliation", a.Organisation)
			d.qname("prov:delegate", nodeQN(key))
			d.qname("prov:responsible", nodeQN(a.Organisation))
			d.qname("prov:type", cg("Affiliation"))
			d.str(cg("role"), a.Role)
			d.date(cg("from"), a.From)
			d.date(cg("to"), a.To)
		}
	case *graph.Organisation:
		r := elem(recAgent, "prov:Organization", cg("Organisation"))
		names(r, v.Name, v.Aliases, v.Description, v.IDs)
		r.str(cg("organisationKind"), v.Kind)
		if v.Parent != "" {
			d := rel(recDelegation, key, "Parent", v.Parent)
			d.qname("prov:delegate", nodeQN(key))
			d.qname("prov:responsible", nodeQN(v.Parent))
			d.qname("prov:type", cg("Parent"))
		}
	case *graph.Source:
		r := elem(recEntity, cg("Source"))
		r.str("prov:label", v.Title)
		r.str(cg("sourceKind"), v.Kind)
		if v.URL != "" {
			r.add(cg("url"), provVal{s: v.URL, typ: "xsd:anyURI"})
		}
		r.date(cg("publishedAt"), v.PublishedAt)
		r.date(cg("updatedAt"), v.UpdatedAt)
		r.date(cg("retrievedAt"), v.RetrievedAt)
		r.str(cg("language"), v.Language)
		r.str(cg("text"), v.Text)
		r.str(cg("contentSha256"), v.ContentSHA256)
		if v.ArchiveURL != "" {
			r.add(cg("archiveUrl"), provVal{s: v.ArchiveURL, typ: "xsd:anyURI"})
		}
		for _, a := range v.Authors {
			attributed(a, "Author")
		}
		if v.Publisher != "" {
			attributed(v.Publisher, "Publisher")
		}
		for _, d := range v.DerivedFrom {
			kind := ""
			switch d.Relation {
			case "quotes":
				kind = "prov:Quotation"
			case "updates":
				kind = "prov:Revision"
			}
			derived(key, d.Source, kind, linkClass(graph.Relation(d.Relation))).qname(cg("relation"), cg(d.Relation))
		}
	case *graph.Quote:
		r := elem(recEntity, cg("Quote"))
		r.str("prov:value", v.Text)
		r.qname(cg("source"), nodeQN(v.Source))
		r.str(cg("cue"), v.Cue)
		r.str(cg("mode"), v.Mode)
		r.date(cg("saidAt"), v.SaidAt)
		r.str(cg("certainty"), v.Certainty)
		span(r, v.Span)
		for _, c := range v.Claims {
			r.qname(cg("expresses"), nodeQN(c))
		}
		if v.Speaker != "" {
			attributed(v.Speaker, "Speaker")
		}
		// The source repeats the words: it was quoted from the quote.
		q := derived(v.Source, key, "prov:Quotation", "Quotation")
		q.str(cg("cue"), v.Cue)
		q.str(cg("mode"), v.Mode)
		if v.ReportedBy != "" {
			derived(v.ReportedBy, key, "prov:Quotation", "Reports").qname(cg("relation"), cg("reports"))
		}
		if v.Channel != "" {
			derived(key, v.Channel, "prov:PrimarySource", "Channel").qname(cg("relation"), cg("channel"))
		}
	case *graph.Claim:
		r := elem(recEntity, cg("Claim"))
		r.str("prov:value", v.Text)
		for _, t := range v.Topics {
			r.str(cg("topic"), t)
		}
		for _, a := range v.About {
			r.qname(cg("about"), nodeQN(a))
		}
	case *graph.Figure:
		r := elem(recEntity, cg("Figure"))
		r.add("prov:value", numVal(v.Value))
		r.str("prov:label", v.Text)
		if v.ValueMax != nil {
			r.add(cg("valueMax"), numVal(*v.ValueMax))
		}
		r.str(cg("unit"), v.Unit)
		r.str(cg("measure"), v.Measure)
		r.str(cg("subject"), v.Subject)
		r.date(cg("period"), v.Period)
		r.date(cg("baseline"), v.Baseline)
		r.str(cg("change"), v.Change)
		if v.Approx {
			r.add(cg("approx"), provVal{s: "true", typ: "xsd:boolean"})
		}
		if v.Source != "" {
			r.qname(cg("source"), nodeQN(v.Source))
		}
		span(r, v.Span)
		if v.StatedBy != "" {
			attributed(v.StatedBy, "StatedBy")
		}
		if v.Source != "" {
			derived(v.Source, key, "prov:Quotation", "Quotation")
		}
		for _, d := range v.DerivedFrom {
			derived(key, d, "", "DerivedFrom")
		}
	default:
		return fmt.Errorf("node %q: unsupported type %T", key, n)
	}
	if rt := wk.retraction(key); rt != nil {
		if n.NodeKind().IsAgent() {
			// PROV invalidates entities only: an agent keeps the
			// retraction as attributes.
			retractionAttrs(recs[0], rt)
		} else {
			at := rt.At.UTC().Format(time.RFC3339Nano)
			act := &provRec{typ: recActivity, id: nodeQN(key + ".Retraction")}
			act.str("prov:startTime", at)
			act.str("prov:endTime", at)
			act.qname("prov:type", cg("Retraction"))
			act.str("prov:label", "retraction of "+key)
			act.str(cg("by"), rt.By)
			act.str(cg("reason"), rt.Reason)
			inv := &provRec{typ: recInvalidated, id: nodeQN(key + ".InvalidatedBy.Retraction")}
			inv.qname("prov:entity", nodeQN(key))
			inv.qname("prov:activity", act.id)
			inv.str("prov:time", at)
			recs = append(recs, act, inv)
		}
	}
	for _, r := range recs {
		if err := emit(r); err != nil {
			return err
		}
	}
	if !links {
		return nil
	}
	return wk.links(ctx, key, func(e graph.Edge) error {
		for _, r := range linkRecords(e) {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// linkAttrs adds a link's reason, note, by and time to r.
func linkAttrs(r *provRec, l graph.Link) {
	if l.Reason != "" {
		r.qname(cg("reason"), cg(l.Reason))
	}
	r.str(cg("note"), l.Note)
	r.str(cg("by"), l.By)
	r.date(cg("at"), l.At)
}

// linkID returns the identifier of a record of a link: from.Term.to.
func linkID(from, term, to string) string { return nodeQN(from + "." + term + "." + to) }

// retractionAttrs adds a retraction's time, author and reason to r.
func retractionAttrs(r *provRec, rt *graph.Retraction) {
	if rt == nil {
		return
	}
	r.add(cg("retractedAt"), provVal{s: rt.At.UTC().Format(time.RFC3339Nano), typ: "xsd:dateTime"})
	r.str(cg("retractedBy"), rt.By)
	r.str(cg("retractionReason"), rt.Reason)
}

// linkRecords returns the PROV records of a link; a retracted link's
// records carry the retraction's attributes.
func linkRecords(e graph.Edge) []*provRec {
	recs := linkRecordsOf(e.Link())
	for _, r := range recs {
		retractionAttrs(r, e.Retracted)
	}
	return recs
}

func linkRecordsOf(l graph.Link) []*provRec {
	switch l.Relation {
	case graph.RelCorrects:
		r := &provRec{typ: recDerivation, id: linkID(l.From, "Corrects", l.To)}
		r.qname("prov:generatedEntity", nodeQN(l.From))
		r.qname("prov:usedEntity", nodeQN(l.To))
		r.qname("prov:type", "prov:Revision")
		r.qname(cg("relation"), cg("corrects"))
		linkAttrs(r, l)
		return []*provRec{r}
	case graph.RelRetracts:
		act := &provRec{typ: recActivity, id: linkID(l.From, "Retraction", l.To)}
		t := instant(l.At)
		if t != "" {
			act.str("prov:startTime", t)
			act.str("prov:endTime", t)
		}
		act.qname("prov:type", cg("Retraction"))
		act.str("prov:label", "retraction of "+l.To+" by "+l.From)
		linkAttrs(act, l)
		inv := &provRec{typ: recInvalidated, id: linkID(l.To, "InvalidatedBy", l.From)}
		inv.qname("prov:entity", nodeQN(l.To))
		inv.qname("prov:activity", act.id)
		if t != "" {
			inv.str("prov:time", t)
		}
		gen := &provRec{typ: recGeneration, id: linkID(l.From, "GeneratedBy", l.To)}
		gen.qname("prov:entity", nodeQN(l.From))
		gen.qname("prov:activity", act.id)
		if t != "" {
			gen.str("prov:time", t)
		}
		return []*provRec{act, inv, gen}
	}
	r := &provRec{typ: recInfluence, id: linkID(l.From, linkClass(l.Relation), l.To), link: l.Relation}
	r.qname("prov:influencee", nodeQN(l.To))
	r.qname("prov:influencer", nodeQN(l.From))
	r.qname("prov:type", cg(linkClass(l.Relation)))
	linkAttrs(r, l)
	return []*provRec{r}
}

// provFormal lists the formal attributes of each relation (written as
// plain qualified names in PROV-JSON, and as the PROV-O subject, object and
// qualified node).
var provFormal = map[string][2]string{
	recAttribution: {"prov:entity", "prov:agent"},
	recDerivation:  {"prov:generatedEntity", "prov:usedEntity"},
	recGeneration:  {"prov:entity", "prov:activity"},
	recInvalidated: {"prov:entity", "prov:activity"},
	recDelegation:  {"prov:delegate", "prov:responsible"},
	recInfluence:   {"prov:influencee", "prov:influencer"},
}

// isFormal reports whether the attribute is one of PROV's own (written as a
// plain string in PROV-JSON).
func isFormal(name string) bool {
	switch name {
	case "prov:entity", "prov:agent", "prov:activity", "prov:generatedEntity", "prov:usedEntity",
		"prov:delegate", "prov:responsible", "prov:influencee", "prov:influencer",
		"prov:time", "prov:startTime", "prov:endTime":
		return true
	}
	return false
}

// checkBaseIRI refuses a base IRI that cannot be written inside <...> in
// Turtle or used as a namespace.
func checkBaseIRI(base string) error {
	if base == "" || strings.ContainsAny(base, " <>\"{}|^`\\\t\r\n") {
		return fmt.Errorf("%w: base IRI %q is not a usable IRI prefix", graph.ErrInvalid, base)
	}
	return nil
}

// linkClass returns the class name of a link relation: "supports" ->
// "Supports", "same_as" -> "SameAs".
func linkClass(r graph.Relation) string {
	var b strings.Builder
	for _, part := range strings.Split(string(r), "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// linkProperty returns the property name of a link relation: "same_as" ->
// "sameAs".
func linkProperty(r graph.Relation) string {
	c := linkClass(r)
	return strings.ToLower(c[:1]) + c[1:]
}
