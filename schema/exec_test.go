package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// pairedServers answer the same requests with the compiled executor (and
// the differential check of newServer) and with graphql-go alone.
type pairedServers struct {
	fast *server
	slow *server
}

func newPairedServers(t testing.TB, st graph.Store) *pairedServers {
	t.Helper()
	cfg := HandlerConfig{AnswerCache: -1}
	fast := newServer(t, st, cfg)
	var log bytes.Buffer
	slow := NewHandler(mustSchema(t, cfg.Schema), st, cfg, zerolog.New(&syncWriter{w: &log})).(*handler)
	slow.noFastExec = true
	return &pairedServers{fast: fast, slow: &server{h: slow, log: &log}}
}

// compare posts the query to both servers and fails when the responses
// differ in status or in a byte; it reports whether the compiled executor
// answered.
func (p *pairedServers) compare(t testing.TB, query string, vars map[string]interface{}) bool {
	t.Helper()
	before := p.fast.fast.Load()
	a := p.fast.post(t, query, vars, acceptGQL)
	fast := p.fast.fast.Load() > before
	b := p.slow.post(t, query, vars, acceptGQL)
	// graphql-go's validation suggests names in map order: refusals
	// before execution are compared by status alone.
	refused := bytes.Contains(a.raw, []byte(`"GRAPHQL_VALIDATION_FAILED"`)) && bytes.Contains(b.raw, []byte(`"GRAPHQL_VALIDATION_FAILED"`))
	// graphql-go resolves the fields of an object in map order, so when
	// two fields fail, which error it reports (and whether the data
	// beside it is null) varies from run to run: an answer that
	// graphql-go gave (the compiled executor gave up) need only be one
	// that graphql-go gives.
	for try := 0; !fast && !refused && !bytes.Equal(a.raw, b.raw) && try < 20; try++ {
		b = p.slow.post(t, query, vars, acceptGQL)
	}
	if a.status != b.status || (!refused && !bytes.Equal(a.raw, b.raw)) {
		t.Errorf("%s\nvariables %v\ncompiled executor: %d %s\ngraphql-go: %d %s", query, vars, a.status, a.raw, b.status, b.raw)
	}
	return fast
}

// TestFastExecutorAnswers sends every golden query and more (fragments,
// aliases, directives, variables and their defaults, enums, input
// objects, abstract types, errors) to the compiled executor and to
// graphql-go: the responses are the same bytes, and the compiled executor
// answers every query without errors.
func TestFastExecutorAnswers(t *testing.T) {
	p := newPairedServers(t, testStore(t))
	type tc struct {
		name, query string
		vars        map[string]interface{}
		fast        bool // answered by the compiled executor
	}
	var cases []tc
	for _, g := range goldenQueries {
		cases = append(cases, tc{"golden " + g.name, g.query, g.vars, true})
	}
	cases = append(cases, []tc{
		{"typename", `{ __typename a: __typename }`, nil, true},
		{"aliases merged", `{ n: node(id: "q-safer") { id ... on Quote { text } } m: node(id: "ines-okafor") { ... on Person { name } id kind } }`, nil, true},
		{"same key twice", `{ node(id: "q-safer") { id } node(id: "q-safer") { kind __typename ... on Quote { id } } }`, nil, true},
		{"fragments", `query { ...Q node(id: "f-collisions") { ...F ...N } }
			fragment Q on Query { stats { nodes } }
			fragment N on Node { id kind __typename }
			fragment F on Figure { value unit statedBy { ... on Person { name } ... on Organisation { name organisationKind } } }`, nil, true},
		{"fragment on interface", `{ nodes(ids: ["q-safer", "ines-okafor", "port-authority", "nope"]) { ... on Agent { name aliases } ... on Quote { speaker { ...A } } } } fragment A on Agent { id name }`, nil, true},
		{"skip and include literal", `{ node(id: "q-safer") { id @skip(if: true) kind @include(if: false) ... on Quote @include(if: true) { text } } }`, nil, true},
		{"skip and include variables", `query ($s: Boolean!, $i: Boolean = false) { node(id: "q-safer") { id @skip(if: $s) kind @include(if: $i) __typename } }`,
			map[string]interface{}{"s": true}, true},
		{"variable default", `query ($id: ID = "q-funding", $d: Int = 2) { trace(id: $id, maxDepth: $d) { hops { from { id } to { id } relation depth } truncated } }`, nil, true},
		{"variable null uses the argument default", `query ($d: Int) { trace(id: "q-safer", maxDepth: $d) { truncated speakers { name } } }`,
			map[string]interface{}{"d": nil}, true},
		{"trace all lists", `{ trace(id: "c-harbour-safer") { root { id ... on Claim { text } } hops { from { id kind } to { __typename id } relation cue reason depth retracted }
			speakers { id name kind } primarySources { id title } supporting { id ... on Figure { value } } contradicting { id kind } truncated } }`, nil, true},
		{"enum and list arguments", `{ search(text: "harbour", kinds: [QUOTE, CLAIM], first: 3) { totalCount edges { score node { id kind } } } }`, nil, true},
		{"input object", `{ quotes(where: {speaker: ["ines-okafor"]}, orderBy: {field: SAID_AT, direction: DESC}, first: 2) { totalCount edges { node { id saidAt } } pageInfo { hasNextPage endCursor } } }`, nil, true},
		{"input object variable", `query ($w: QuoteWhere) { quotes(where: $w) { totalCount edges { cursor node { id } } } }`,
			map[string]interface{}{"w": map[string]interface{}{"mode": []interface{}{"PARTIAL", "DIRECT"}}}, true},
		{"lists of every kind", `{ people { edges { node { id name } } } organisations(first: 2) { edges { node { name parent { id } } } } sources { totalCount } claims { edges { node { text topics } } } figures(first: 1) { edges { node { value } } } }`, nil, true},
		{"history and revisions", `{ node(id: "q-safer") { ... on Versioned { revision retracted { at by reason } } } history(id: "q-safer") { rev by change nodeId } }`, nil, true},
		{"agents and urls", `{ agentsNamed(name: "Okafor") { id name } sourceByUrl(url: "https://example.invalid/none") { id } }`, nil, true},
		{"as of instants", `{ node(id: "q-safer", asOf: "2026-02-04T12:00:00Z") { id ... on Quote { speaker { name } } } stats(asOf: "2020-01-01") { nodes } trace(id: "q-funding", asOf: "2026-02-04") { speakers { name } } }`, nil, true},
		{"nulls", `{ node(id: "no-such") { id } nodes(ids: ["no-such", "q-safer"]) { id } }`, nil, true},
		{"unicode and html in strings", `{ whoSaid(text: "safer") { edges { node { text source { url title } } } } }`, nil, true},
		// Requests the compiled executor leaves to graphql-go.
		{"unknown trace root", `{ trace(id: "no-such") { truncated } }`, nil, false},
		{"limit error", `{ nodes(ids: ["a"]) { id } trace(id: "q-safer", maxDepth: 0) { truncated } }`, nil, false},
		{"bad cursor", `{ people(after: "!!") { totalCount } }`, nil, false},
		{"introspection", `{ __schema { queryType { name } } __type(name: "Quote") { name } }`, nil, false},
		{"missing variable", `query ($id: ID!) { node(id: $id) { id } }`, nil, false},
		{"variable of the wrong type", `query ($n: Int) { people(first: $n) { totalCount } }`, map[string]interface{}{"n": "many"}, false},
		{"operation name", `query A { stats { nodes } } query B { stats { links } }`, nil, false},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := p.compare(t, c.query, c.vars); got != c.fast {
				t.Errorf("answered by the compiled executor: %v, want %v", got, c.fast)
			}
		})
	}
}

// TestFastExecutorBatches checks that the compiled executor reads as
// graphql-go does: one Nodes call per level of a list of quotes with their
// speakers and sources.
func TestFastExecutorBatches(t *testing.T) {
	cs := &countingStore{Store: testStore(t), calls: &calls{}}
	s := newServer(t, cs, HandlerConfig{AnswerCache: -1})
	const q = `{ quotes { edges { node { id speaker { name } source { title publisher { name } } reportedBy { speaker { name } } } } } }`
	s.post(t, q, nil, acceptGQL).data(t)
	fast := cs.calls.get("Nodes")
	h := s.h.(*handler)
	h.noFastExec = true
	cs.calls.reset()
	s.post(t, q, nil, acceptGQL).data(t)
	if slow := cs.calls.get("Nodes"); fast != slow || fast > 4 {
		t.Errorf("Nodes calls: %d with the compiled executor, %d with graphql-go, want the same and at most 4", fast, slow)
	}
}

// FuzzFastExecutor generates query documents from the schema (the fuzz
// input picks fields, arguments, aliases, fragments and directives) and
// compares the compiled executor's responses with graphql-go's.
func FuzzFastExecutor(f *testing.F) {
	for _, seed := range []string{"", "\x00", "trace", "\x07\x03\x01\x09\x02\x05\x11\x13", "node fragments and aliases", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5"} {
		f.Add([]byte(seed))
	}
	st := testStore(f)
	p := newPairedServers(f, st)
	s := mustSchema(f, Config{})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &docGen{in: data, s: &s}
		query, vars := g.document()
		p.compare(t, query, vars)
	})
}

// TestDocGenMakesExecutableDocuments checks that the fuzz generator makes
// documents that mostly run, so that FuzzFastExecutor compares answers
// rather than refusals.
func TestDocGenMakesExecutableDocuments(t *testing.T) {
	p := newPairedServers(t, testStore(t))
	s := mustSchema(t, Config{})
	fast := 0
	const n = 60
	for i := range n {
		in := []byte(fmt.Sprintf("%c%c seed %d", rune(i*7), rune(i*13), i))
		g := &docGen{in: in, s: &s}
		query, vars := g.document()
		if p.compare(t, query, vars) {
			fast++
		} else if testing.Verbose() {
			r := p.slow.post(t, query, vars, acceptGQL)
			t.Logf("not answered by the compiled executor: %s %v\n%s", query, vars, truncate(string(r.raw), 300))
		}
	}
	if fast < n/2 {
		t.Errorf("the compiled executor answered %d of %d generated documents, want at least half", fast, n)
	}
}

// docGen builds a query document from fuzz input.
type docGen struct {
	in    []byte
	pos   int
	s     *graphql.Schema
	frags []string
	vars  map[string]interface{}
	defs  []string
	n     int
	rnd   uint64
}

// pick returns a number below n taken from the input, then, once it is
// used up, from a generator seeded by it.
func (g *docGen) pick(n int) int {
	if n <= 1 {
		return 0
	}
	if g.pos < len(g.in) {
		b := int(g.in[g.pos])
		g.pos++
		return b % n
	}
	if g.rnd == 0 {
		g.rnd = 0x9e3779b97f4a7c15
		for _, b := range g.in {
			g.rnd = (g.rnd ^ uint64(b)) * 0x100000001b3
		}
		g.rnd |= 1
	}
	g.rnd ^= g.rnd << 13
	g.rnd ^= g.rnd >> 7
	g.rnd ^= g.rnd << 17
	return int(g.rnd % uint64(n))
}

// ids are keys of the test bundle, and one that names nothing.
var genIDs = []string{"q-safer", "q-funding", "q-less-safe", "ines-okafor", "larkhaven-council", "port-authority", "article-1", "post-1", "c-harbour-safer", "f-collisions", "f-near-misses", "no-such"}

func (g *docGen) document() (string, map[string]interface{}) {
	g.vars = map[string]interface{}{}
	body := g.selection(g.s.QueryType(), 0) + strings.Join(g.frags, "\n")
	// Only the variables used: fields dropped after their arguments were
	// made leave theirs behind.
	var defs []string
	for _, d := range g.defs {
		name := strings.TrimPrefix(d[:strings.Index(d, ":")], "$")
		if used := regexp.MustCompile(`\$` + name + `\b`).MatchString(body); used {
			defs = append(defs, d)
		} else {
			delete(g.vars, name)
		}
	}
	doc := "query"
	if len(defs) > 0 {
		doc += " (" + strings.Join(defs, ", ") + ")"
	}
	return doc + " " + body, g.vars
}

// selection makes a selection set on an object or abstract type.
func (g *docGen) selection(t graphql.Type, depth int) string {
	var parts []string
	keys := map[string]bool{}
	count := 1 + g.pick(3)
	for range count {
		if g.n > 40 {
			break
		}
		switch g.pick(8) {
		case 0:
			parts = append(parts, "__typename")
			continue
		case 1:
			if objs := g.possible(t); len(objs) > 0 {
				o := objs[g.pick(len(objs))]
				parts = append(parts, "... on "+o.Name()+g.directive()+" "+g.selection(o, depth))
				continue
			}
		case 2:
			if objs := g.possible(t); len(objs) > 0 && depth < 3 {
				o := objs[g.pick(len(objs))]
				name := fmt.Sprintf("F%d", len(g.frags))
				g.frags = append(g.frags, "") // reserve the name
				i := len(g.frags) - 1
				g.frags[i] = "\nfragment " + name + " on " + o.Name() + " " + g.selection(o, depth)
				parts = append(parts, "..."+name+g.directive())
				continue
			}
		}
		if f := g.field(t, depth, keys); f != "" {
			parts = append(parts, f)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "__typename")
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// possible lists the object types of t.
func (g *docGen) possible(t graphql.Type) []*graphql.Object {
	switch t := t.(type) {
	case *graphql.Object:
		return []*graphql.Object{t}
	case graphql.Abstract:
		return g.s.PossibleTypes(t)
	}
	return nil
}

// field makes one field of t with its arguments and sub-selection.
func (g *docGen) field(t graphql.Type, depth int, keys map[string]bool) string {
	var fields graphql.FieldDefinitionMap
	switch t := t.(type) {
	case *graphql.Object:
		fields = t.Fields()
	case *graphql.Interface:
		fields = t.Fields()
	default:
		return ""
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	fd := fields[names[g.pick(len(names))]]
	g.n++
	named := graphql.GetNamed(fd.Type)
	// A response key once per selection set (fragments aside), so that
	// few documents fail validation for fields that cannot merge.
	out := ""
	key := fd.Name
	if g.pick(4) == 0 || keys[key] {
		key = fmt.Sprintf("a%d", g.n)
		out = key + ": "
	}
	keys[key] = true
	out += fd.Name
	var args []string
	for _, a := range fd.Args {
		if a.Name() == "after" {
			continue // a made-up cursor is an error, answered by graphql-go
		}
		_, required := a.Type.(*graphql.NonNull)
		if !required && g.pick(3) != 0 {
			continue
		}
		v, ok := g.value(a.Type, a.Name())
		if !ok {
			if required {
				return ""
			}
			continue
		}
		args = append(args, a.Name()+": "+v)
	}
	if len(args) > 0 {
		out += "(" + strings.Join(args, ", ") + ")"
	}
	out += g.directive()
	switch n := named.(type) {
	case *graphql.Object:
		if depth >= 4 {
			return ""
		}
		out += " " + g.selection(n, depth+1)
	case *graphql.Interface:
		if depth >= 4 {
			return ""
		}
		out += " " + g.selection(n, depth+1)
	case *graphql.Union:
		if depth >= 4 {
			return ""
		}
		out += " " + g.selection(n, depth+1)
	}
	return out
}

// directive returns nothing, or @skip or @include with a literal or a
// variable.
func (g *docGen) directive() string {
	switch g.pick(10) {
	case 0:
		return " @skip(if: " + g.boolean() + ")"
	case 1:
		return " @include(if: " + g.boolean() + ")"
	}
	return ""
}

func (g *docGen) boolean() string {
	v := g.pick(2) == 1
	if g.pick(2) == 0 {
		return fmt.Sprint(v)
	}
	name := fmt.Sprintf("b%d", len(g.defs))
	g.defs = append(g.defs, "$"+name+": Boolean!")
	g.vars[name] = v
	return "$" + name
}

// value makes an argument value of type t, literal or variable.
func (g *docGen) value(t graphql.Input, arg string) (string, bool) {
	nn, required := t.(*graphql.NonNull)
	base := t
	if required {
		base = nn.OfType
	}
	var lit string
	var val interface{}
	switch b := base.(type) {
	case *graphql.Scalar:
		switch b.Name() {
		case "ID":
			val = genIDs[g.pick(len(genIDs))]
			lit = fmt.Sprintf("%q", val)
		case "String":
			words := []string{"harbour", "safer", "Okafor", "pilots' night", "https://example.invalid/none", "<b>&amp;</b> \u2028 é"}
			val = words[g.pick(len(words))]
			lit = fmt.Sprintf("%q", val)
		case "Int":
			n := g.pick(4)
			if arg == "maxDepth" {
				n++
			}
			val, lit = n, fmt.Sprint(n)
		case "Boolean":
			v := g.pick(2) == 1
			val, lit = v, fmt.Sprint(v)
		case "DateTime":
			dates := []string{"2026-02-04T12:00:00Z", "2020-01-01", "2026-02-04T11:59:59.5Z"}
			val = dates[g.pick(len(dates))]
			lit = fmt.Sprintf("%q", val)
		default:
			return "", false
		}
	case *graphql.Enum:
		vs := b.Values()
		if len(vs) == 0 {
			return "", false
		}
		v := vs[g.pick(len(vs))].Name
		val, lit = v, v
	case *graphql.List:
		inner, ok := g.value(b.OfType, arg)
		if !ok {
			return "", false
		}
		return "[" + inner + "]", true
	default:
		return "", false
	}
	if g.pick(3) != 0 {
		return lit, true
	}
	name := fmt.Sprintf("v%d", len(g.defs))
	g.defs = append(g.defs, "$"+name+": "+t.String())
	g.vars[name] = val
	return "$" + name, true
}

// FuzzAppendJSONString checks that appendJSONString writes every string as
// encoding/json's Marshal does.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "\x00\x01\x1f\x7f\b\f\n\r\t",
		"\u2028\u2029", "é ✓ 😀", "\xff\xfe invalid \xc3", "\xed\xa0\x80", "trailing \xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: got %s, want %s", s, got[1:], want)
		}
	})
}

// TestFastExecutorConcurrent runs compiled documents from several
// goroutines at once (their plans are shared): every answer is the one a
// single request gets.
func TestFastExecutorConcurrent(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{AnswerCache: -1})
	queries := []struct {
		q    string
		vars map[string]interface{}
	}{
		{`query ($id: ID!) { trace(id: $id) { hops { from { id } to { id } relation cue depth } speakers { id name } truncated } }`, map[string]interface{}{"id": "q-funding"}},
		{`query ($id: ID!) { node(id: $id) { id kind ... on Quote { text speaker { name } source { title } } } }`, map[string]interface{}{"id": "q-safer"}},
		{`{ nodes(ids: ["ines-okafor", "f-pilots"]) { id ...N } } fragment N on Node { kind __typename }`, nil},
	}
	want := make([]string, len(queries))
	for i, q := range queries {
		want[i] = string(s.post(t, q.q, q.vars, acceptGQL).raw)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				q := queries[(g+i)%len(queries)]
				b, _ := json.Marshal(map[string]interface{}{"query": q.q, "variables": q.vars})
				rec := httptest.NewRecorder()
				s.h.ServeHTTP(rec, gqlRequest(http.MethodPost, "/graphql", "application/json", acceptGQL, string(b)))
				if got := rec.Body.String(); got != want[(g+i)%len(queries)] {
					errs <- got
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a concurrent answer differs: %s", truncate(e, 500))
	}
}

// TestCostExtension checks that the cost extension is written as
// json.Marshal writes it.
func TestCostExtension(t *testing.T) {
	for _, c := range []queryCost{{0, 0}, {20, 50000}, {1 << 40, 7}} {
		want, _ := json.Marshal(map[string]*queryCost{"cost": &c})
		got := encodeResponse("", nil, nil, nil, false, nil, nil, &c)
		if w := `{"extensions":` + string(want) + "}\n"; string(got) != w {
			t.Errorf("%+v: got %s, want %s", c, got, w)
		}
	}
}

// BenchmarkExecutors answers questions like claimbench's (a trace, a node
// with its speaker and source, 50 quotes with speakers and sources) over a generated
// corpus with the compiled executor and with graphql-go, in one run: the
// ratio of the two is the executor's gain (benchstat -col /executor). The
// answer cache is off.
func BenchmarkExecutors(b *testing.B) {
	st, c := generated()
	var roots, quotes []string
	for _, q := range c.quotes {
		quotes = append(quotes, q.Key)
		if q.ReportedBy != "" {
			roots = append(roots, q.Key)
		}
	}
	questions := []struct {
		name, query string
		vars        func(i int) map[string]interface{}
	}{
		{"trace", `query T($id: ID!) { trace(id: $id) { hops { from { id } to { id } relation cue reason depth }
  speakers { id name } primarySources { id } supporting { id } contradicting { id } truncated } }`,
			func(i int) map[string]interface{} { return map[string]interface{}{"id": roots[i%len(roots)]} }},
		{"node", `query Q($id: ID!) { node(id: $id) { id kind ... on Quote { text saidAt speaker { id name } source { id title url } } } }`,
			func(i int) map[string]interface{} { return map[string]interface{}{"id": quotes[i%len(quotes)]} }},
		{"list", `query L($ids: [ID!]!) { nodes(ids: $ids) { id ... on Quote { text saidAt speaker { name } source { title } } } }`,
			func(i int) map[string]interface{} {
				ids := make([]interface{}, 50)
				for j := range ids {
					ids[j] = quotes[(50*i+j)%len(quotes)]
				}
				return map[string]interface{}{"ids": ids}
			}},
	}
	for _, q := range questions {
		for _, slow := range []bool{false, true} {
			name := "question=" + q.name + "/executor=compiled"
			if slow {
				name = "question=" + q.name + "/executor=graphql-go"
			}
			b.Run(name, func(b *testing.B) {
				s := NewHandler(mustSchema(b, Config{}), st, HandlerConfig{AnswerCache: -1}, zerolog.Nop()).(*handler)
				s.noFastExec = slow
				bodies := make([][]byte, 200)
				for i := range bodies {
					bodies[i], _ = json.Marshal(map[string]interface{}{"query": q.query, "variables": q.vars(i)})
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					rec := httptest.NewRecorder()
					s.ServeHTTP(rec, gqlRequest(http.MethodPost, "/graphql", "application/json", acceptGQL, string(bodies[i%len(bodies)])))
					if rec.Code != http.StatusOK {
						b.Fatalf("%d %s", rec.Code, rec.Body.String())
					}
				}
			})
		}
	}
}
