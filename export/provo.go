package export

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"claimgraph/graph"
)

// writeProvO writes PROV-O in Turtle, in one pass: per node, its element
// (entity, agent) and the relations it is the subject of, each relation
// unqualified and qualified.
func writeProvO(ctx context.Context, wk *walker, bw *bufio.Writer) error {
	if err := checkBaseIRI(wk.cfg.base); err != nil {
		return err
	}
	wk.addPasses(1)
	t := &turtle{w: bw, base: wk.cfg.base}
	fmt.Fprintf(bw, "# claimgraph export as W3C PROV-O; snapshot %s; scope: %s.\n", wk.cfg.asOf, scopeText(wk))
	bw.WriteString("@prefix prov: <http://www.w3.org/ns/prov#> .\n")
	bw.WriteString("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
	bw.WriteString("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n")
	fmt.Fprintf(bw, "@prefix cg: <%s> .\n", VocabIRI)
	return wk.allNodes(ctx, func(n graph.Node) error {
		return provRecords(ctx, wk, n, true, t.record)
	})
}

// turtle writes PROV records as Turtle.
type turtle struct {
	w    *bufio.Writer
	base string
}

// qualified says how PROV-O writes a relation: the unqualified
// properties, the qualifying property, the class of the qualified node and
// the property that names the object on it.
type qualified struct {
	props     []string
	qualProp  string
	class     string
	objProp   string
	timeProps []string // unqualified time properties of the subject, if any
}

func qualification(r *provRec) qualified {
	switch r.typ {
	case recAttribution:
		return qualified{[]string{"prov:wasAttributedTo"}, "prov:qualifiedAttribution", "prov:Attribution", "prov:agent", nil}
	case recDerivation:
		switch provType(r) {
		case "prov:Quotation":
			return qualified{[]string{"prov:wasDerivedFrom", "prov:wasQuotedFrom"}, "prov:qualifiedQuotation", "prov:Quotation", "prov:entity", nil}
		case "prov:Revision":
			return qualified{[]string{"prov:wasDerivedFrom", "prov:wasRevisionOf"}, "prov:qualifiedRevision", "prov:Revision", "prov:entity", nil}
		case "prov:PrimarySource":
			return qualified{[]string{"prov:wasDerivedFrom", "prov:hadPrimarySource"}, "prov:qualifiedPrimarySource", "prov:PrimarySource", "prov:entity", nil}
		}
		return qualified{[]string{"prov:wasDerivedFrom"}, "prov:qualifiedDerivation", "prov:Derivation", "prov:entity", nil}
	case recGeneration:
		return qualified{[]string{"prov:wasGeneratedBy"}, "prov:qualifiedGeneration", "prov:Generation", "prov:activity", []string{"prov:generatedAtTime"}}
	case recInvalidated:
		return qualified{[]string{"prov:wasInvalidatedBy"}, "prov:qualifiedInvalidation", "prov:Invalidation", "prov:activity", []string{"prov:invalidatedAtTime"}}
	case recDelegation:
		return qualified{[]string{"prov:actedOnBehalfOf"}, "prov:qualifiedDelegation", "prov:Delegation", "prov:agent", nil}
	case recInfluence:
		return qualified{[]string{"prov:wasInfluencedBy"}, "prov:qualifiedInfluence", "prov:Influence", "prov:influencer", nil}
	}
	return qualified{}
}

// provType returns the first prov:type of a relation that is a PROV class.
func provType(r *provRec) string {
	for _, a := range r.attrs {
		if a.name == "prov:type" && strings.HasPrefix(a.val.s, "prov:") {
			return a.val.s
		}
	}
	return ""
}

// elementClass is the PROV class of an element record.
var elementClass = map[string]string{recEntity: "prov:Entity", recAgent: "prov:Agent", recActivity: "prov:Activity"}

// predicate maps an attribute name to its PROV-O property.
func predicate(name string) string {
	switch name {
	case "prov:label":
		return "rdfs:label"
	case "prov:startTime":
		return "prov:startedAtTime"
	case "prov:endTime":
		return "prov:endedAtTime"
	case "prov:time":
		return "prov:atTime"
	}
	return name
}

func (t *turtle) record(r *provRec) error {
	if class, ok := elementClass[r.typ]; ok {
		t.w.WriteString("\n")
		t.w.WriteString(t.term(provVal{s: r.id, typ: valQName}))
		t.w.WriteString("\n    a ")
		t.w.WriteString(class)
		t.attrs(r.attrs, "    ", nil, class)
		t.w.WriteString(" .\n")
		return nil
	}
	q := qualification(r)
	if q.qualProp == "" {
		return fmt.Errorf("no PROV-O form for %s", r.typ)
	}
	formal := provFormal[r.typ]
	var subj, obj, at string
	for _, a := range r.attrs {
		switch a.name {
		case formal[0]:
			subj = t.term(a.val)
		case formal[1]:
			obj = t.term(a.val)
		case "prov:time":
			at = a.val.s
		}
	}
	if subj == "" || obj == "" {
		return fmt.Errorf("%s without %s or %s", r.typ, formal[0], formal[1])
	}
	t.w.WriteString(subj)
	for i, p := range q.props {
		if i > 0 {
			t.w.WriteString(" ;\n   ")
		}
		t.w.WriteString(" ")
		t.w.WriteString(p)
		t.w.WriteString(" ")
		t.w.WriteString(obj)
	}
	if at != "" {
		for _, p := range q.timeProps {
			fmt.Fprintf(t.w, " ;\n    %s %s", p, t.term(provVal{s: at, typ: "xsd:dateTime"}))
		}
	}
	qid := t.term(provVal{s: r.id, typ: valQName})
	fmt.Fprintf(t.w, " ;\n    %s %s .\n%s\n    a %s", q.qualProp, qid, qid, q.class)
	skip := map[string]bool{formal[0]: true, formal[1]: true}
	t.attrs(r.attrs, "    ", skip, q.class)
	fmt.Fprintf(t.w, " ;\n    %s %s .\n", q.objProp, obj)
	if r.link != "" {
		fmt.Fprintf(t.w, "%s cg:%s %s .\n", obj, linkProperty(r.link), subj)
	}
	return nil
}

// attrs writes the attributes of a record after its "a <class>": the
// prov:type values join the classes (class itself once), the others become
// properties.
func (t *turtle) attrs(attrs []provAttr, indent string, skip map[string]bool, class string) {
	for _, a := range attrs {
		if a.name == "prov:type" && a.val.s != class {
			t.w.WriteString(", ")
			t.w.WriteString(t.term(a.val))
		}
	}
	for _, a := range attrs {
		if a.name == "prov:type" || skip[a.name] {
			continue
		}
		v := a.val
		if a.name == "prov:time" || a.name == "prov:startTime" || a.name == "prov:endTime" {
			v.typ = "xsd:dateTime"
		}
		fmt.Fprintf(t.w, " ;\n%s%s %s", indent, predicate(a.name), t.term(v))
	}
}

// term writes a value as a Turtle term: a node as an IRI, a vocabulary
// term as a prefixed name, a literal quoted (and typed).
func (t *turtle) term(v provVal) string {
	if v.typ == valQName {
		if key, ok := strings.CutPrefix(v.s, "node:"); ok {
			return "<" + t.base + key + ">"
		}
		return v.s
	}
	lit := turtleString(v.s)
	if v.typ != valString {
		lit += "^^" + v.typ
	}
	return lit
}

// turtleString quotes s as a Turtle string literal.
func turtleString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
