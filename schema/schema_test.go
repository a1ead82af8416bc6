package schema

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// userTypes lists the schema's own named types (no introspection types, no
// built-in scalars), sorted by name.
func userTypes(s graphql.Schema) []graphql.Type {
	var out []graphql.Type
	for name, t := range s.TypeMap() {
		if strings.HasPrefix(name, "__") || builtinScalar(name) {
			continue
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func TestEverythingHasADescription(t *testing.T) {
	s := mustSchema(t, Config{})
	var missing []string
	checkFields := func(typ string, fields graphql.FieldDefinitionMap) {
		for name, f := range fields {
			if strings.TrimSpace(f.Description) == "" {
				missing = append(missing, typ+"."+name)
			}
			for _, a := range f.Args {
				if strings.TrimSpace(a.Description()) == "" {
					missing = append(missing, typ+"."+name+"("+a.Name()+")")
				}
			}
		}
	}
	types := userTypes(s)
	if len(types) < 30 {
		t.Fatalf("only %d types walked", len(types))
	}
	for _, typ := range types {
		if strings.TrimSpace(typ.Description()) == "" {
			missing = append(missing, typ.Name())
		}
		switch typ := typ.(type) {
		case *graphql.Object:
			checkFields(typ.Name(), typ.Fields())
		case *graphql.Interface:
			checkFields(typ.Name(), typ.Fields())
		case *graphql.Enum:
			for _, v := range typ.Values() {
				if strings.TrimSpace(v.Description) == "" {
					missing = append(missing, typ.Name()+"."+v.Name)
				}
			}
		case *graphql.InputObject:
			for name, f := range typ.Fields() {
				if strings.TrimSpace(f.Description()) == "" {
					missing = append(missing, typ.Name()+"."+name)
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d schema elements without a description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func TestEveryFieldHasAResolver(t *testing.T) {
	s := mustSchema(t, Config{})
	n := 0
	for _, typ := range userTypes(s) {
		o, ok := typ.(*graphql.Object)
		if !ok {
			continue
		}
		for name, f := range o.Fields() {
			n++
			if f.Resolve == nil {
				t.Errorf("%s.%s has no resolver (graphql-go would use its reflection resolver)", o.Name(), name)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d fields walked", n)
	}
}

// signature prints a field as in SDL, arguments sorted.
func signature(name string, f *graphql.FieldDefinition) string {
	var b strings.Builder
	b.WriteString(name)
	if len(f.Args) > 0 {
		args := append([]*graphql.Argument{}, f.Args...)
		sort.Slice(args, func(i, j int) bool { return args[i].Name() < args[j].Name() })
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = a.Name() + ": " + a.Type.String() + defaultValue(a.DefaultValue)
		}
		b.WriteString("(" + strings.Join(parts, ", ") + ")")
	}
	b.WriteString(": " + f.Type.String())
	return b.String()
}

func fieldsOf(t graphql.Type) graphql.FieldDefinitionMap {
	switch t := t.(type) {
	case *graphql.Object:
		return t.Fields()
	case *graphql.Interface:
		return t.Fields()
	}
	return nil
}

// TestContract checks the names that outside clients rely on (issue 2, item
// 4), exactly.
func TestContract(t *testing.T) {
	s := mustSchema(t, Config{})
	has := func(typ string, sigs ...string) {
		t.Helper()
		fields := fieldsOf(s.Type(typ))
		if fields == nil {
			t.Errorf("type %s missing", typ)
			return
		}
		for _, want := range sigs {
			name := want[:strings.IndexAny(want, "(:")]
			f, ok := fields[name]
			if !ok {
				t.Errorf("%s.%s missing", typ, name)
				continue
			}
			if got := signature(name, f); got != want {
				t.Errorf("%s: got %q, want %q", typ, got, want)
			}
		}
	}
	exactly := func(typ string, sigs ...string) {
		t.Helper()
		has(typ, sigs...)
		if n := len(fieldsOf(s.Type(typ))); n != len(sigs) {
			t.Errorf("%s has %d fields, want exactly %d", typ, n, len(sigs))
		}
	}
	exactly("Node", "id: ID!", "kind: Kind!")
	has("Agent", "id: ID!", "name: String!", "aliases: [String!]!")
	has("Query",
		"node(asOf: DateTime, id: ID!): Node",
		"nodes(asOf: DateTime, ids: [ID!]!): [Node]!",
		"whoSaid(after: String, asOf: DateTime, first: Int = 20, text: String!): QuoteConnection!",
		"trace(asOf: DateTime, id: ID!, includeRetracted: Boolean = false, maxDepth: Int = 6): Trace!",
		"history(asOf: DateTime, id: ID!): [Revision!]!",
		"people(after: String, asOf: DateTime, first: Int = 20, orderBy: PersonOrder, where: PersonWhere): PersonConnection!",
		"organisations(after: String, asOf: DateTime, first: Int = 20, orderBy: OrganisationOrder, where: OrganisationWhere): OrganisationConnection!",
		"sources(after: String, asOf: DateTime, first: Int = 20, orderBy: SourceOrder, where: SourceWhere): SourceConnection!",
		"quotes(after: String, asOf: DateTime, first: Int = 20, orderBy: QuoteOrder, where: QuoteWhere): QuoteConnection!",
		"claims(after: String, asOf: DateTime, first: Int = 20, orderBy: ClaimOrder, where: ClaimWhere): ClaimConnection!",
		"figures(after: String, asOf: DateTime, first: Int = 20, orderBy: FigureOrder, where: FigureWhere): FigureConnection!",
		"agentsNamed(asOf: DateTime, name: String!): [Agent!]!",
		"sourceByUrl(asOf: DateTime, url: String!): Source",
		"stats(asOf: DateTime): Stats!")
	exactly("Trace", "root: Node!", "hops: [Hop!]!", "speakers: [Agent!]!", "primarySources: [Source!]!",
		"supporting: [Node!]!", "contradicting: [Node!]!", "truncated: Boolean!")
	exactly("Hop", "from: Node!", "to: Node!", "relation: String!", "cue: String", "reason: String", "depth: Int!", "retracted: Boolean!")
	has("Quote", "speaker: Agent", "source: Source", "channel: Source", "reportedBy: Quote", "claims: [Claim!]!",
		"reports(after: String, first: Int = 20): QuoteConnection!")
	has("Figure", "statedBy: Agent", "source: Source", "value: Float!", "derivedFrom: [Node!]!")
	has("Span", "start: Int!", "end: Int!")
	has("Person", "quotes(after: String, first: Int = 20): QuoteConnection!")
	has("Organisation", "quotes(after: String, first: Int = 20): QuoteConnection!")
	has("Source", "quotes(after: String, first: Int = 20): QuoteConnection!",
		"figures(after: String, first: Int = 20): FigureConnection!")
	has("Claim", "quotes(after: String, first: Int = 20): QuoteConnection!")
	for _, typ := range []string{"Person", "Organisation", "Source", "Quote", "Claim", "Figure"} {
		has(typ, "id: ID!", "kind: Kind!",
			"linksOut(after: String, first: Int = 20, relations: [LinkRelation!]): LinkConnection!",
			"linksIn(after: String, first: Int = 20, relations: [LinkRelation!]): LinkConnection!")
		o := s.Type(typ).(*graphql.Object)
		want := []string{"Node"}
		if typ == "Person" || typ == "Organisation" {
			want = append(want, "Agent")
		}
		want = append(want, "Versioned")
		var got []string
		for _, i := range o.Interfaces() {
			got = append(got, i.Name())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s implements %v, want %v", typ, got, want)
		}
	}
	exactly("Link", "from: Node!", "to: Node!", "relation: LinkRelation!", "reason: ContradictionReason",
		"note: String", "by: String", "at: String", "retracted: Retraction")
	exactly("PageInfo", "hasNextPage: Boolean!", "hasPreviousPage: Boolean!", "startCursor: String", "endCursor: String")
	exactly("QuoteConnection", "totalCount: Int!", "pageInfo: PageInfo!", "edges: [QuoteEdge!]!", "aggregate: QuoteAggregate")
	exactly("QuoteEdge", "cursor: String!", "node: Quote!")

	kind := s.Type("Kind").(*graphql.Enum)
	var kinds []string
	for _, v := range kind.Values() {
		kinds = append(kinds, v.Name)
	}
	sort.Strings(kinds)
	if want := []string{"CLAIM", "FIGURE", "ORGANISATION", "PERSON", "QUOTE", "SOURCE"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("Kind values %v, want %v", kinds, want)
	}
	// Issue 3: history, curation and disagreement.
	exactly("Revision", "rev: String!", "at: DateTime!", "by: String!", "note: String", "change: String!",
		"nodeId: ID!", "before: JSON", "after: JSON", "links: [LinkChange!]!")
	exactly("Retraction", "at: DateTime!", "by: String!", "reason: String!")
	exactly("Assessment", "status: AssessmentStatus!", "supporting: Int!", "contradicting: Int!", "explanation: String!")
	exactly("FigureComparison", "figure: Figure!", "comparable: Boolean!", "agrees: Boolean", "reasons: [String!]!", "via: String!")
	exactly("Versioned", "retracted: Retraction", "revision: String")
	exactly("UserError", "path: [String!]!", "code: String!", "message: String!")
	has("Figure", "comparableWith: [FigureComparison!]!", "conflicts: [FigureComparison!]!")
	has("Claim", "assessment: Assessment!")
	for _, typ := range []string{"Person", "Organisation", "Source", "Quote", "Claim", "Figure"} {
		has(typ, "retracted: Retraction", "revision: String")
	}
	if s.MutationType() == nil {
		t.Fatal("the schema has no Mutation type")
	}
	exactly("Mutation",
		"importBundle(allowUnknown: Boolean = false, bundle: String!, note: String): ImportResult!",
		"ingestArticle(html: Boolean = false, meta: ArticleMeta, note: String, text: String!): ImportResult!",
		"putNode(expectedRevision: String, node: JSON!, note: String): NodePayload!",
		"correct(expectedRevision: String, fields: JSON!, id: ID!, note: String): NodePayload!",
		"link(from: ID!, note: String, reason: ContradictionReason, relation: LinkRelation!, to: ID!): LinkPayload!",
		"unlink(from: ID!, note: String, relation: LinkRelation!, to: ID!): LinkPayload!",
		"retract(expectedRevision: String, id: ID!, note: String, reason: String!): NodePayload!",
		"retractLink(from: ID!, note: String, reason: String!, relation: LinkRelation!, to: ID!): LinkPayload!",
		"merge(expectedRevision: String, ids: [ID!]!, into: ID!, note: String): NodePayload!")
	exactly("NodePayload", "node: Node", "revision: String", "changed: Boolean!", "userErrors: [UserError!]!")
	exactly("LinkPayload", "link: Link", "revision: String", "changed: Boolean!", "userErrors: [UserError!]!")
	exactly("ImportResult", "nodes: ImportCounts!", "links: ImportCounts!", "revision: String", "changed: Boolean!", "userErrors: [UserError!]!",
		"source: Source", "matches: [EntityMatch!]!", "warnings: [String!]!")
	exactly("EntityMatch", "draftKey: ID!", "storedKey: ID", "by: MatchMethod!", "name: String!", "kind: Kind!", "newKey: ID",
		"key: ID!", "node: Agent")
	// Quote, Claim and Figure all have text: String!, so that one selection
	// set can ask for text on any of them without a field conflict.
	has("Quote", "text: String!")
	has("Claim", "text: String!")
	has("Figure", "text: String!")
	meta, ok := s.Type("ArticleMeta").(*graphql.InputObject)
	if !ok {
		t.Fatal("no input ArticleMeta")
	}
	var metaFields []string
	for name, f := range meta.Fields() {
		metaFields = append(metaFields, name+": "+f.Type.String())
	}
	sort.Strings(metaFields)
	if want := []string{"key: ID", "publishedAt: String", "publisher: String", "title: String", "url: String"}; !reflect.DeepEqual(metaFields, want) {
		t.Errorf("ArticleMeta fields %v, want %v", metaFields, want)
	}
	method := s.Type("MatchMethod").(*graphql.Enum)
	var methods []string
	for _, v := range method.Values() {
		methods = append(methods, v.Name)
	}
	sort.Strings(methods)
	if want := []string{"ALIAS", "ID", "KEY", "NAME", "NEW", "NEW_RENAMED"}; !reflect.DeepEqual(methods, want) {
		t.Errorf("MatchMethod values %v, want %v", methods, want)
	}
	status := s.Type("AssessmentStatus").(*graphql.Enum)
	var statuses []string
	for _, v := range status.Values() {
		statuses = append(statuses, v.Name)
	}
	sort.Strings(statuses)
	if want := []string{"CONTRADICTED", "DISPUTED", "RETRACTED", "SUPPORTED", "UNVERIFIED"}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("AssessmentStatus values %v, want %v", statuses, want)
	}
}

// camel turns a bundle field name into GraphQL's spelling.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		switch parts[i] {
		case "sha256":
			parts[i] = "Sha256"
		default:
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// TestEveryBundleFieldIsExposed walks the JSON fields of every node type of
// package graph and wants a camelCase field of the same meaning.
func TestEveryBundleFieldIsExposed(t *testing.T) {
	s := mustSchema(t, Config{})
	renamed := map[string]string{"key": "id", "Organisation.kind": "organisationKind", "Source.kind": "sourceKind"}
	for _, k := range graph.Kinds {
		n := graph.NewNode(k)
		typ := reflect.TypeOf(n).Elem()
		fields := fieldsOf(s.Type(typ.Name()))
		if fields == nil {
			t.Errorf("no GraphQL type %s", typ.Name())
			continue
		}
		for i := 0; i < typ.NumField(); i++ {
			tag := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			want := camel(tag)
			if r, ok := renamed[typ.Name()+"."+tag]; ok {
				want = r
			} else if r, ok := renamed[tag]; ok {
				want = r
			}
			if _, ok := fields[want]; !ok {
				t.Errorf("%s.%s (bundle %q) is not exposed", typ.Name(), want, tag)
			}
		}
	}
	for _, sub := range []struct {
		typ string
		v   interface{}
	}{{"Span", graph.Span{}}, {"Affiliation", graph.Affiliation{}}, {"Derivation", graph.Derivation{}}, {"Link", graph.Link{}}} {
		fields := fieldsOf(s.Type(sub.typ))
		rt := reflect.TypeOf(sub.v)
		for i := 0; i < rt.NumField(); i++ {
			tag := strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]
			if _, ok := fields[camel(tag)]; !ok {
				t.Errorf("%s.%s is not exposed", sub.typ, camel(tag))
			}
		}
	}
}

func TestSDLIsCurrent(t *testing.T) {
	got := PrintSDL(mustSchema(t, Config{}))
	const path = "schema.graphql"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./schema -run TestSDLIsCurrent -update)", err)
	}
	if got != string(want) {
		t.Errorf("schema/schema.graphql is out of date with the code; run go test ./schema -run TestSDLIsCurrent -update\n%s",
			firstDiff(string(want), got))
	}
	for _, line := range []string{
		"interface Node {", "interface Agent {", "type Person implements Node & Agent & Versioned {",
		"  trace(", "  maxDepth: Int = 6", `"""The node's kind."""`,
	} {
		if !strings.Contains(got, line) {
			t.Errorf("SDL lacks %q", line)
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n file: %q\n code: %q", i+1, x, y)
		}
	}
	return ""
}

// batchStore holds 100 quotes by 20 speakers in 10 sources.
func batchStore(t testing.TB) *memgraph.Store {
	t.Helper()
	b := &graph.Batch{By: "test"}
	for i := 0; i < 20; i++ {
		b.Nodes = append(b.Nodes, &graph.Person{Key: fmt.Sprintf("speaker-%02d", i), Name: fmt.Sprintf("Speaker %02d", i)})
	}
	for i := 0; i < 10; i++ {
		b.Nodes = append(b.Nodes, &graph.Source{Key: fmt.Sprintf("paper-%02d", i), Kind: "article", Title: fmt.Sprintf("Paper %02d", i)})
	}
	for i := 0; i < 100; i++ {
		b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("said-%03d", i), Text: fmt.Sprintf("lanterns were lit %d times", i),
			Speaker: fmt.Sprintf("speaker-%02d", i%20), Source: fmt.Sprintf("paper-%02d", i%10)})
	}
	st := memgraph.New()
	if _, err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSiblingLookupsAreBatched asks for 100 quotes with their speaker and
// source and counts the store reads: the 200 references are loaded in one
// Nodes call, not one read each.
func TestSiblingLookupsAreBatched(t *testing.T) {
	cs := &countingStore{Store: batchStore(t), calls: &calls{}}
	s := newServer(t, cs, HandlerConfig{})
	for _, tc := range []struct {
		name, query string
		path        []interface{}
	}{
		{"whoSaid", `{ whoSaid(text: "lanterns", first: 100) { edges { node { id speaker { name } source { title } } } } }`,
			[]interface{}{"whoSaid", "edges"}},
		{"quotes", `{ quotes(first: 100) { totalCount edges { node { id speaker { name } source { title } } } } }`,
			[]interface{}{"quotes", "edges"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs.calls.reset()
			r := s.post(t, tc.query, nil, "")
			edges := dig(t, r.data(t), tc.path...).([]interface{})
			if len(edges) != 100 {
				t.Fatalf("got %d edges, want 100", len(edges))
			}
			for _, e := range edges {
				id := dig(t, e, "node", "id").(string)
				var i int
				fmt.Sscanf(id, "said-%d", &i)
				if got, want := dig(t, e, "node", "speaker", "name"), fmt.Sprintf("Speaker %02d", i%20); got != want {
					t.Errorf("%s: speaker %v, want %v", id, got, want)
				}
				if got, want := dig(t, e, "node", "source", "title"), fmt.Sprintf("Paper %02d", i%10); got != want {
					t.Errorf("%s: source %v, want %v", id, got, want)
				}
			}
			if n := cs.calls.total(); n > 5 {
				t.Errorf("%d store reads for 100 quotes with speaker and source, want at most 5 (%v)", n, cs.calls.n)
			}
			if n := cs.calls.get("Nodes"); n > 2 {
				t.Errorf("%d Nodes calls, want at most 2 (quotes, then speakers and sources)", n)
			}
		})
	}
}
