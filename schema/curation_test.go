package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// lockedBuffer is a log buffer that a server writes while a test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Tokens of the curation tests. The secrets are long and unusual so that a
// search of the logs for them cannot match anything else.
const (
	anaSecret = "tok-ana-7f3c9e1d2b8a4f60a1c5"
	benSecret = "tok-ben-0d9e8f7a6b5c4d3e2f10"
)

func testTokens() []Token {
	return []Token{NewToken("ana", anaSecret), NewToken("ben", benSecret)}
}

// postToken sends a POST with a bearer token ("" for none).
func (s *server) postToken(t testing.TB, token, query string, vars map[string]interface{}) *response {
	t.Helper()
	req := postBody(jsonBody(query, vars), acceptGQL)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.do(t, req)
}

// clock is a settable clock for memgraph.WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// A small invented story: the Lockfield water board says leaks fell.
const bundleV1 = `{
  "claimgraph": "bundle/1",
  "people": [{"key": "p-ora", "name": "Ora Vance", "aliases": ["Vance"]},
             {"key": "p-ora-dup", "name": "O. Vance"}],
  "organisations": [{"key": "o-board", "name": "Lockfield Water Board", "kind": "government"}],
  "sources": [{"key": "s-bulletin", "kind": "report", "title": "Spring bulletin", "publisher": "o-board", "published_at": "2026-03-01"}],
  "quotes": [{"key": "q-ora", "text": "we fixed most of the old mains", "speaker": "p-ora", "source": "s-bulletin", "claims": ["c-leaks"]}],
  "claims": [{"key": "c-leaks", "text": "Leaks in Lockfield fell this spring", "topics": ["water"]},
             {"key": "c-price", "text": "Water prices rose"}],
  "figures": [
    {"key": "f-leaks", "text": "30% fewer leaks", "value": 30, "unit": "percent", "measure": "leaks", "subject": "Lockfield",
     "period": "2026-04", "baseline": "2025-04", "change": "decrease", "stated_by": "o-board", "source": "s-bulletin"},
    {"key": "f-leaks-2", "text": "about a third fewer leaks", "value": 33, "unit": "%", "measure": "leaks", "subject": "Lockfield",
     "period": "2026-04", "baseline": "2025-04", "change": "decrease", "approx": true, "stated_by": "p-ora", "source": "s-bulletin"},
    {"key": "f-leaks-3", "value": 5, "unit": "percent", "measure": "leaks", "subject": "Lockfield",
     "period": "2026-04", "baseline": "2025-04", "change": "increase", "source": "s-bulletin"}
  ],
  "links": [{"from": "f-leaks", "to": "c-leaks", "relation": "supports"}]
}`

// bundleV2 changes the text of c-leaks and adds one link.
var bundleV2 = strings.Replace(strings.Replace(bundleV1,
	`"Leaks in Lockfield fell this spring"`, `"Leaks in Lockfield fell by a third this spring"`, 1),
	`"links": [`, `"links": [{"from": "f-leaks-2", "to": "c-leaks", "relation": "supports"}, `, 1)

var (
	t1 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	t2 = time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC)
)

// importAt applies a bundle text at the clock's instant.
func importAt(t testing.TB, st graph.Store, c *clock, at time.Time, text, by string) graph.ApplyResult {
	t.Helper()
	c.set(at)
	b, err := graph.Decode(strings.NewReader(text), graph.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Apply(context.Background(), b.Batch(by, ""))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// versionedStore holds v1 imported at t1 and v2 at t2.
func versionedStore(t testing.TB) (*memgraph.Store, *clock) {
	c := &clock{t: t1}
	st := memgraph.New(memgraph.WithClock(c.now))
	importAt(t, st, c, t1, bundleV1, "import:v1.json")
	if res := importAt(t, st, c, t2, bundleV2, "import:v2.json"); res.Nodes.Changed != 1 || res.Links.Added != 1 {
		t.Fatalf("v2: %+v", res)
	}
	return st, c
}

func TestAsOf(t *testing.T) {
	st, _ := versionedStore(t)
	s := newServer(t, st, HandlerConfig{})
	oldText, newText := "Leaks in Lockfield fell this spring", "Leaks in Lockfield fell by a third this spring"
	between := "2026-03-04T12:00:00Z"
	for _, tc := range []struct {
		name, query string
		vars        map[string]interface{}
		check       func(t *testing.T, d map[string]interface{})
	}{
		{"node between", `{ node(id: "c-leaks", asOf: "2026-03-04T12:00:00Z") { ... on Claim { text } } }`, nil,
			func(t *testing.T, d map[string]interface{}) {
				if got := dig(t, d, "node", "text"); got != oldText {
					t.Errorf("text %v, want the old text", got)
				}
			}},
		{"node now", `{ node(id: "c-leaks") { ... on Claim { text } } }`, nil,
			func(t *testing.T, d map[string]interface{}) {
				if got := dig(t, d, "node", "text"); got != newText {
					t.Errorf("text %v, want the new text", got)
				}
			}},
		{"mixed instants in one query", `query ($then: DateTime) {
			then: node(id: "c-leaks", asOf: $then) { ... on Claim { text linksIn { totalCount edges { node { from { id } } } } assessment { supporting } } }
			now: node(id: "c-leaks") { ... on Claim { text linksIn { totalCount } assessment { supporting } } }
			before: node(id: "c-leaks", asOf: "2026-03-01") { id }
			day: node(id: "c-leaks", asOf: "2026-03-06") { ... on Claim { text } }
		}`, map[string]interface{}{"then": between},
			func(t *testing.T, d map[string]interface{}) {
				if dig(t, d, "then", "text") != oldText || dig(t, d, "now", "text") != newText {
					t.Errorf("texts %v / %v", dig(t, d, "then", "text"), dig(t, d, "now", "text"))
				}
				if dig(t, d, "then", "linksIn", "totalCount") != 1.0 || dig(t, d, "now", "linksIn", "totalCount") != 2.0 {
					t.Errorf("links then %v, now %v; want 1 and 2", dig(t, d, "then", "linksIn", "totalCount"), dig(t, d, "now", "linksIn", "totalCount"))
				}
				if dig(t, d, "then", "linksIn", "edges", 0, "node", "from", "id") != "f-leaks" {
					t.Errorf("then link %v", dig(t, d, "then", "linksIn"))
				}
				if dig(t, d, "then", "assessment", "supporting") != 1.0 || dig(t, d, "now", "assessment", "supporting") != 2.0 {
					t.Errorf("assessments %v / %v", dig(t, d, "then", "assessment"), dig(t, d, "now", "assessment"))
				}
				if d["before"] != nil {
					t.Errorf("before the first import: %v", d["before"])
				}
				// A date means the end of that day: v2 was imported on it.
				if dig(t, d, "day", "text") != newText {
					t.Errorf("asOf the day of v2: %v", dig(t, d, "day", "text"))
				}
			}},
		{"lists, lookups and whoSaid", `{
			c1: claims(asOf: "2026-03-04") { totalCount edges { node { id text } } }
			s1: stats(asOf: "2026-03-04") { links }
			s2: stats { links }
			w0: whoSaid(text: "old mains", asOf: "2026-03-01") { totalCount }
			w1: whoSaid(text: "old mains", asOf: "2026-03-04") { totalCount edges { node { speaker { name } claims { text } } } }
			a0: agentsNamed(name: "Vance", asOf: "2026-02-01") { id }
			a1: agentsNamed(name: "Vance", asOf: "2026-03-04") { id }
			u1: sourceByUrl(url: "nowhere", asOf: "2026-03-04") { id }
		}`, nil,
			func(t *testing.T, d map[string]interface{}) {
				if dig(t, d, "c1", "totalCount") != 2.0 || dig(t, d, "c1", "edges", 0, "node", "text") != oldText {
					t.Errorf("claims asOf: %v", d["c1"])
				}
				if dig(t, d, "s1", "links") != 1.0 || dig(t, d, "s2", "links") != 2.0 {
					t.Errorf("stats: %v %v", d["s1"], d["s2"])
				}
				if dig(t, d, "w0", "totalCount") != 0.0 || dig(t, d, "w1", "totalCount") != 1.0 {
					t.Errorf("whoSaid: %v %v", d["w0"], d["w1"])
				}
				// References below a root field read its instant too.
				if dig(t, d, "w1", "edges", 0, "node", "claims", 0, "text") != oldText {
					t.Errorf("whoSaid's claims asOf: %v", d["w1"])
				}
				if len(d["a0"].([]interface{})) != 0 || len(d["a1"].([]interface{})) != 1 {
					t.Errorf("agentsNamed: %v %v", d["a0"], d["a1"])
				}
			}},
		{"trace asOf", `{ then: trace(id: "c-leaks", asOf: "2026-03-04") { supporting { id } } now: trace(id: "c-leaks") { supporting { id } } }`, nil,
			func(t *testing.T, d map[string]interface{}) {
				if got := ids(t, dig(t, d, "then", "supporting")); got != "f-leaks" {
					t.Errorf("supporting then %q", got)
				}
				if got := ids(t, dig(t, d, "now", "supporting")); got != "f-leaks f-leaks-2" && got != "f-leaks-2 f-leaks" {
					t.Errorf("supporting now %q", got)
				}
			}},
		{"nodes asOf and revisions", `{ then: nodes(ids: ["c-leaks", "p-ora"], asOf: "2026-03-04") { id ... on Versioned { revision } } now: nodes(ids: ["c-leaks", "p-ora"]) { id ... on Versioned { revision } } }`, nil,
			func(t *testing.T, d map[string]interface{}) {
				r1, r2 := fmt.Sprint(t1.UnixNano()), fmt.Sprint(t2.UnixNano())
				if dig(t, d, "then", 0, "revision") != r1 || dig(t, d, "now", 0, "revision") != r2 {
					t.Errorf("claim revisions %v %v, want %s %s", dig(t, d, "then", 0), dig(t, d, "now", 0), r1, r2)
				}
				if dig(t, d, "then", 1, "revision") != r1 || dig(t, d, "now", 1, "revision") != r1 {
					t.Errorf("untouched person's revisions %v %v, want %s", dig(t, d, "then", 1), dig(t, d, "now", 1), r1)
				}
			}},
		{"exact instant", fmt.Sprintf(`{ at: node(id: "c-leaks", asOf: %q) { ... on Claim { text } } justBefore: node(id: "c-leaks", asOf: %q) { ... on Claim { text } } }`,
			t2.Format(time.RFC3339Nano), t2.Add(-time.Nanosecond).Format(time.RFC3339Nano)), nil,
			func(t *testing.T, d map[string]interface{}) {
				if dig(t, d, "at", "text") != newText || dig(t, d, "justBefore", "text") != oldText {
					t.Errorf("at %v, a nanosecond before %v", dig(t, d, "at", "text"), dig(t, d, "justBefore", "text"))
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(t, tc.query, tc.vars, acceptGQL)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			tc.check(t, r.data(t))
		})
	}

	// asOf works over GET too (a query).
	r := s.get(t, `{ node(id: "c-leaks", asOf: "2026-03-04") { ... on Claim { text } } }`, acceptGQL)
	if got := dig(t, r.data(t), "node", "text"); got != oldText {
		t.Errorf("GET asOf: %v", got)
	}

	for _, bad := range []struct {
		name, query string
		vars        map[string]interface{}
		status      int
		code        string
	}{
		{"not a date", `{ node(id: "c-leaks", asOf: "last tuesday") { id } }`, nil, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"not a date in a variable", `query ($at: DateTime) { node(id: "c-leaks", asOf: $at) { id } }`, map[string]interface{}{"at": "2026-13-01"}, 400, "BAD_USER_INPUT"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			r := s.post(t, bad.query, bad.vars, acceptGQL)
			if r.status != bad.status || !reflect.DeepEqual(r.errorCodes(), []string{bad.code}) {
				t.Errorf("status %d codes %v: %s", r.status, r.errorCodes(), r.raw)
			}
		})
	}
}

// ids joins the ids of a list of nodes.
func ids(t testing.TB, v interface{}) string {
	t.Helper()
	var out []string
	for _, n := range v.([]interface{}) {
		out = append(out, dig(t, n, "id").(string))
	}
	return strings.Join(out, " ")
}

func TestHistory(t *testing.T) {
	st, _ := versionedStore(t)
	s := newServer(t, st, HandlerConfig{})
	r := s.post(t, `{
		claim: history(id: "c-leaks") { rev at by note change nodeId before after links { change before after } }
		person: history(id: "p-ora") { change by }
		figure: history(id: "f-leaks-2") { change by links { change after } }
		then: history(id: "c-leaks", asOf: "2026-03-04") { change }
	}`, nil, acceptGQL)
	d := r.data(t)
	claim := d["claim"].([]interface{})
	if len(claim) != 2 {
		t.Fatalf("the changed claim has %d revisions, want 2: %s", len(claim), r.raw)
	}
	first, second := claim[0].(map[string]interface{}), claim[1].(map[string]interface{})
	if first["change"] != "created" || first["by"] != "import:v1.json" || first["before"] != nil || first["at"] != "2026-03-02T09:00:00Z" ||
		first["rev"] != fmt.Sprint(t1.UnixNano()) || first["nodeId"] != "c-leaks" {
		t.Errorf("first revision %v", first)
	}
	if dig(t, first, "after", "text") != "Leaks in Lockfield fell this spring" {
		t.Errorf("first after %v", first["after"])
	}
	// v1 also linked f-leaks to the claim, in the same write.
	if l := first["links"].([]interface{}); len(l) != 1 || dig(t, l[0], "change") != "linked" || dig(t, l[0], "after", "from") != "f-leaks" {
		t.Errorf("first revision's links %v", first["links"])
	}
	if second["change"] != "updated" || second["by"] != "import:v2.json" ||
		dig(t, second, "before", "text") != "Leaks in Lockfield fell this spring" ||
		dig(t, second, "after", "text") != "Leaks in Lockfield fell by a third this spring" {
		t.Errorf("second revision %v", second)
	}
	if person := d["person"].([]interface{}); len(person) != 1 || dig(t, person[0], "change") != "created" {
		t.Errorf("the untouched person has revisions %v, want one", person)
	}
	if fig := d["figure"].([]interface{}); len(fig) != 2 || dig(t, fig[1], "change") != "linked" ||
		dig(t, fig[1], "links", 0, "after", "to") != "c-leaks" {
		t.Errorf("figure history %v", fig)
	}
	if then := d["then"].([]interface{}); len(then) != 1 {
		t.Errorf("history asOf between has %d revisions, want 1", len(then))
	}

	r = s.post(t, `{ history(id: "nobody") { rev } }`, nil, acceptGQL)
	if !reflect.DeepEqual(r.errorCodes(), []string{"NOT_FOUND"}) {
		t.Errorf("unknown id: %s", r.raw)
	}
}

// curation is a server with tokens over a store holding v1.
type curation struct {
	*server
	st *memgraph.Store
}

func newCuration(t testing.TB, cfg HandlerConfig) *curation {
	st := memgraph.New()
	b, err := graph.Decode(strings.NewReader(bundleV1), graph.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(context.Background(), b.Batch("import:v1.json", "")); err != nil {
		t.Fatal(err)
	}
	cfg.Tokens = testTokens()
	return &curation{server: newServer(t, st, cfg), st: st}
}

// revisionOf reads the latest revision of a key directly from the store.
func (c *curation) revisionOf(t testing.TB, key string) int64 {
	t.Helper()
	var rev int64
	err := c.st.View(context.Background(), func(r graph.Reader) error {
		m, err := r.Revisions(context.Background(), []string{key})
		rev = m[key]
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// fingerprint summarises the whole store (stats and every node's latest
// revision), to check that a refused write changed nothing.
func (c *curation) fingerprint(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	err := c.st.View(context.Background(), func(r graph.Reader) error {
		ctx := context.Background()
		s, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%v %d %d;", s.Nodes, s.Links, s.Edges)
		for _, k := range graph.Kinds {
			p, err := r.List(ctx, k, "", 0)
			if err != nil {
				return err
			}
			revs, err := r.Revisions(ctx, p.Keys)
			if err != nil {
				return err
			}
			rets, err := r.Retractions(ctx, p.Keys)
			if err != nil {
				return err
			}
			for _, key := range p.Keys {
				fmt.Fprintf(&b, "%s@%d%v,", key, revs[key], rets[key] != graph.Retraction{})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// mutationCase is one call of a mutation and what it must answer.
type mutationCase struct {
	name  string
	query string
	vars  map[string]interface{}
	// root is the mutation's response key.
	root string
	// userErrors lists "code path" of each expected user error; nil for
	// success.
	userErrors []string
	// changed is the expected changed flag on success.
	changed bool
	check   func(t *testing.T, c *curation, payload map[string]interface{})
}

func runMutation(t *testing.T, c *curation, tc mutationCase) {
	t.Helper()
	before := c.fingerprint(t)
	r := c.postToken(t, anaSecret, tc.query, tc.vars)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	pl, ok := r.data(t)[tc.root].(map[string]interface{})
	if !ok {
		t.Fatalf("no payload %s: %s", tc.root, r.raw)
	}
	var got []string
	for _, e := range pl["userErrors"].([]interface{}) {
		var path []string
		for _, p := range dig(t, e, "path").([]interface{}) {
			path = append(path, p.(string))
		}
		got = append(got, dig(t, e, "code").(string)+" "+strings.Join(path, "/"))
		if dig(t, e, "message") == "" {
			t.Errorf("user error without a message: %v", e)
		}
	}
	if tc.userErrors != nil {
		if !reflect.DeepEqual(got, tc.userErrors) {
			t.Errorf("userErrors %q, want %q: %s", got, tc.userErrors, r.raw)
		}
		if after := c.fingerprint(t); after != before {
			t.Errorf("a write with user errors changed the store")
		}
		if pl["changed"] != false || pl["revision"] != nil {
			t.Errorf("failed payload says changed %v revision %v", pl["changed"], pl["revision"])
		}
		return
	}
	if len(got) > 0 {
		t.Fatalf("unexpected userErrors %q: %s", got, r.raw)
	}
	if pl["changed"] != tc.changed {
		t.Errorf("changed %v, want %v: %s", pl["changed"], tc.changed, r.raw)
	}
	if tc.changed == (pl["revision"] == nil) {
		t.Errorf("revision %v with changed %v", pl["revision"], tc.changed)
	}
	if after := c.fingerprint(t); (after != before) != tc.changed {
		t.Errorf("store changed: %v, want %v", after != before, tc.changed)
	}
	if tc.check != nil {
		tc.check(t, c, pl)
	}
}

func TestMutations(t *testing.T) {
	c := newCuration(t, HandlerConfig{})
	nodeSel := `{ node { id kind ... on Versioned { revision retracted { by reason } } ... on Claim { text topics } ... on Person { name aliases } } revision changed userErrors { path code message } }`
	linkSel := `{ link { from { id } to { id } relation reason note by at retracted { by reason } } revision changed userErrors { path code message } }`
	steps := []mutationCase{
		{name: "putNode creates", root: "putNode",
			query:   `mutation ($n: JSON!) { putNode(node: $n, note: "new claim") ` + nodeSel + ` }`,
			vars:    map[string]interface{}{"n": map[string]interface{}{"type": "claim", "key": "c-new", "text": "Pipes are older than thought", "topics": []string{"water"}}},
			changed: true,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "node", "text") != "Pipes are older than thought" || dig(t, pl, "node", "revision") != pl["revision"] {
					t.Errorf("payload %v", pl)
				}
				r := c.post(t, `{ history(id: "c-new") { by note change } }`, nil, acceptGQL)
				h := r.data(t)["history"].([]interface{})
				if len(h) != 1 || dig(t, h[0], "by") != "ana" || dig(t, h[0], "note") != "new claim" || dig(t, h[0], "change") != "created" {
					t.Errorf("history %v", h)
				}
			}},
		{name: "putNode again changes nothing", root: "putNode",
			query: `mutation { putNode(node: {type: "claim", key: "c-new", text: "Pipes are older than thought", topics: ["water"]}) ` + nodeSel + ` }`},
		{name: "putNode as a JSON string", root: "putNode", changed: true,
			query: `mutation { putNode(node: "{\"type\":\"person\",\"key\":\"p-lee\",\"name\":\"Lee Moss\"}") ` + nodeSel + ` }`,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "node", "name") != "Lee Moss" || dig(t, pl, "node", "kind") != "PERSON" {
					t.Errorf("payload %v", pl)
				}
			}},
		{name: "putNode invalid", root: "putNode",
			query:      `mutation { putNode(node: {type: "quote", key: "q-x", text: "hi", source: "s-none", colour: "red"}) ` + nodeSel + ` }`,
			userErrors: []string{"UNKNOWN_FIELD node/colour", "UNKNOWN_REFERENCE node/source"}},
		{name: "putNode without type", root: "putNode",
			query:      `mutation { putNode(node: {key: "q-x", text: "hi"}) ` + nodeSel + ` }`,
			userErrors: []string{"REQUIRED node/type"}},
		{name: "putNode not an object", root: "putNode",
			query:      `mutation { putNode(node: [1, 2]) ` + nodeSel + ` }`,
			userErrors: []string{"NOT_A_JSON_OBJECT node"}},
		{name: "putNode bad expectedRevision", root: "putNode",
			query:      `mutation { putNode(node: {type: "claim", key: "c-new", text: "x"}, expectedRevision: "yesterday") ` + nodeSel + ` }`,
			userErrors: []string{"BAD_REVISION expectedRevision"}},

		{name: "correct", root: "correct", changed: true,
			query: `mutation { correct(id: "c-leaks", fields: {text: "Leaks in Lockfield fell sharply this spring"}, note: "typo") ` + nodeSel + ` }`,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "node", "text") != "Leaks in Lockfield fell sharply this spring" || !reflect.DeepEqual(dig(t, pl, "node", "topics"), []interface{}{"water"}) {
					t.Errorf("payload %v", pl)
				}
				r := c.post(t, `{ history(id: "c-leaks") { change note by } }`, nil, acceptGQL)
				h := r.data(t)["history"].([]interface{})
				if last := h[len(h)-1]; dig(t, last, "change") != "updated" || dig(t, last, "note") != "correction: typo" || dig(t, last, "by") != "ana" {
					t.Errorf("last revision %v", last)
				}
			}},
		{name: "correct removes a field", root: "correct", changed: true,
			query: `mutation ($f: JSON!) { correct(id: "c-leaks", fields: $f) ` + nodeSel + ` }`,
			vars:  map[string]interface{}{"f": map[string]interface{}{"topics": nil}},
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if !reflect.DeepEqual(dig(t, pl, "node", "topics"), []interface{}{}) {
					t.Errorf("topics %v", dig(t, pl, "node", "topics"))
				}
			}},
		{name: "correct the key", root: "correct",
			query:      `mutation { correct(id: "c-leaks", fields: {key: "c-other"}) ` + nodeSel + ` }`,
			userErrors: []string{"IMMUTABLE fields/key"}},
		{name: "correct an unknown node", root: "correct",
			query:      `mutation { correct(id: "c-none", fields: {text: "x"}) ` + nodeSel + ` }`,
			userErrors: []string{"NOT_FOUND id"}},
		{name: "correct to something invalid", root: "correct",
			query:      `mutation { correct(id: "f-leaks", fields: {change: "sideways", value_max: 10}) ` + nodeSel + ` }`,
			userErrors: []string{"BAD_RANGE fields/value_max", "UNKNOWN_VALUE fields/change"}},

		{name: "link", root: "link", changed: true,
			query: `mutation { link(from: "f-leaks-3", to: "c-leaks", relation: CONTRADICTS, reason: FACTUAL, note: "leaks rose here") ` + linkSel + ` }`,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "link", "by") != "ana" || dig(t, pl, "link", "reason") != "FACTUAL" || dig(t, pl, "link", "at") == nil ||
					dig(t, pl, "link", "from", "id") != "f-leaks-3" {
					t.Errorf("payload %v", pl)
				}
			}},
		{name: "link again", root: "link",
			query: `mutation { link(from: "f-leaks-3", to: "c-leaks", relation: CONTRADICTS, reason: FACTUAL, note: "leaks rose here") ` + linkSel + ` }`},
		{name: "link to nothing", root: "link",
			query:      `mutation { link(from: "f-leaks-3", to: "c-none", relation: SUPPORTS) ` + linkSel + ` }`,
			userErrors: []string{"UNKNOWN_REFERENCE to"}},
		{name: "unlink", root: "unlink", changed: true,
			query: `mutation { unlink(from: "f-leaks-3", to: "c-leaks", relation: CONTRADICTS, note: "wrong") ` + linkSel + ` }`,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "link", "note") != "leaks rose here" {
					t.Errorf("payload %v", pl)
				}
				r := c.post(t, `{ node(id: "c-leaks") { ... on Claim { linksIn { totalCount } } } }`, nil, acceptGQL)
				if dig(t, r.data(t), "node", "linksIn", "totalCount") != 1.0 {
					t.Errorf("after unlink: %s", r.raw)
				}
			}},
		{name: "unlink what is not there", root: "unlink",
			query:      `mutation { unlink(from: "f-leaks-3", to: "c-leaks", relation: CONTRADICTS) ` + linkSel + ` }`,
			userErrors: []string{"UNKNOWN_LINK "}},

		{name: "retract", root: "retract", changed: true,
			query: `mutation { retract(id: "f-leaks-3", reason: "no source for it", note: "cleanup") ` + nodeSel + ` }`,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "node", "retracted", "by") != "ana" || dig(t, pl, "node", "retracted", "reason") != "no source for it" {
					t.Errorf("payload %v", pl)
				}
			}},
		{name: "retract again", root: "retract",
			query: `mutation { retract(id: "f-leaks-3", reason: "no source for it") ` + nodeSel + ` }`},
		{name: "retract without reason", root: "retract",
			query:      `mutation { retract(id: "f-leaks", reason: "  ") ` + nodeSel + ` }`,
			userErrors: []string{"REQUIRED reason"}},
		{name: "retract unknown", root: "retract",
			query:      `mutation { retract(id: "f-none", reason: "x") ` + nodeSel + ` }`,
			userErrors: []string{"NOT_FOUND id"}},
		{name: "retractLink", root: "retractLink", changed: true,
			query: `mutation { retractLink(from: "f-leaks", to: "c-leaks", relation: SUPPORTS, reason: "double counted") ` + linkSel + ` }`,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "link", "retracted", "reason") != "double counted" {
					t.Errorf("payload %v", pl)
				}
				r := c.post(t, `{ node(id: "c-leaks") { ... on Claim { assessment { status supporting } linksIn { edges { node { retracted { by } } } } } } }`, nil, acceptGQL)
				d := r.data(t)
				if dig(t, d, "node", "assessment", "status") != "UNVERIFIED" || dig(t, d, "node", "linksIn", "edges", 0, "node", "retracted", "by") != "ana" {
					t.Errorf("after retractLink: %s", r.raw)
				}
			}},
		{name: "retractLink unknown", root: "retractLink",
			query:      `mutation { retractLink(from: "f-leaks-2", to: "c-leaks", relation: SUPPORTS, reason: "x") ` + linkSel + ` }`,
			userErrors: []string{"UNKNOWN_LINK "}},

		{name: "merge", root: "merge", changed: true,
			query: `mutation { merge(ids: ["p-ora-dup"], into: "p-ora", note: "same person") ` + nodeSel + ` }`,
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if !reflect.DeepEqual(dig(t, pl, "node", "aliases"), []interface{}{"Vance", "O. Vance"}) {
					t.Errorf("aliases %v", dig(t, pl, "node", "aliases"))
				}
				r := c.post(t, `{ node(id: "p-ora-dup") { id } history(id: "p-ora-dup") { change } }`, nil, acceptGQL)
				d := r.data(t)
				if dig(t, d, "node", "id") != "p-ora" {
					t.Errorf("the old id does not lead to the merged node: %s", r.raw)
				}
				if h := d["history"].([]interface{}); dig(t, h[len(h)-1], "change") != "merged" {
					t.Errorf("history of the old id %v", h)
				}
			}},
		{name: "merge across kinds", root: "merge",
			query:      `mutation { merge(ids: ["o-board"], into: "p-lee") ` + nodeSel + ` }`,
			userErrors: []string{"WRONG_REFERENCE_KIND ids/0"}},
		{name: "merge into unknown", root: "merge",
			query:      `mutation { merge(ids: ["p-lee"], into: "p-none") ` + nodeSel + ` }`,
			userErrors: []string{"UNKNOWN_REFERENCE into"}},

		{name: "importBundle", root: "importBundle", changed: true,
			query: `mutation ($b: String!) { importBundle(bundle: $b, note: "spring data") { nodes { added changed unchanged } links { added changed unchanged } revision changed userErrors { path code message } } }`,
			vars:  map[string]interface{}{"b": `{"type":"claim","key":"c-rain","text":"It rained more"}` + "\n" + `{"type":"link","from":"f-leaks-2","to":"c-rain","relation":"context"}`},
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if !reflect.DeepEqual(pl["nodes"], map[string]interface{}{"added": 1.0, "changed": 0.0, "unchanged": 0.0}) ||
					dig(t, pl, "links", "added") != 1.0 {
					t.Errorf("counts %v %v", pl["nodes"], pl["links"])
				}
			}},
		{name: "importBundle again", root: "importBundle",
			query: `mutation ($b: String!) { importBundle(bundle: $b) { nodes { unchanged } revision changed userErrors { code } } }`,
			vars:  map[string]interface{}{"b": `{"type":"claim","key":"c-rain","text":"It rained more"}`},
			check: func(t *testing.T, c *curation, pl map[string]interface{}) {
				if dig(t, pl, "nodes", "unchanged") != 1.0 {
					t.Errorf("counts %v", pl["nodes"])
				}
			}},
		{name: "importBundle invalid", root: "importBundle",
			query: `mutation ($b: String!) { importBundle(bundle: $b) { nodes { added } revision changed userErrors { path code message } } }`,
			vars: map[string]interface{}{"b": `{"claimgraph": "bundle/1", "claims": [{"key": "c-ok", "text": "fine"}, {"key": "Bad Key", "text": "x"}],
				"quotes": [{"key": "q-1", "text": "abc", "source": "s-missing"}]}`},
			userErrors: []string{"UNKNOWN_REFERENCE bundle/quotes[0]/source", "BAD_KEY bundle/claims[1]/key"}},
	}
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) { runMutation(t, c, tc) })
	}
}

// TestWritesNeedAToken sends every mutation without a token and with a
// wrong one: FORBIDDEN, no data, nothing written.
func TestWritesNeedAToken(t *testing.T) {
	c := newCuration(t, HandlerConfig{})
	mutations := []string{
		`mutation { importBundle(bundle: "{\"type\":\"claim\",\"key\":\"c-x\",\"text\":\"x\"}") { changed } }`,
		`mutation { putNode(node: {type: "claim", key: "c-x", text: "x"}) { changed } }`,
		`mutation { correct(id: "c-leaks", fields: {text: "x"}) { changed } }`,
		`mutation { link(from: "f-leaks-3", to: "c-leaks", relation: CONTRADICTS) { changed } }`,
		`mutation { unlink(from: "f-leaks", to: "c-leaks", relation: SUPPORTS) { changed } }`,
		`mutation { retract(id: "f-leaks", reason: "x") { changed } }`,
		`mutation { retractLink(from: "f-leaks", to: "c-leaks", relation: SUPPORTS, reason: "x") { changed } }`,
		`mutation { merge(ids: ["p-ora-dup"], into: "p-ora") { changed } }`,
		`mutation { ingestArticle(text: "\"We will open the dam,\" Ora Vance said.") { changed } }`,
	}
	before := c.fingerprint(t)
	for _, q := range mutations {
		for _, tc := range []struct {
			name, header string
		}{
			{"no header", ""},
			{"wrong token", "Bearer tok-nobody-000000000000"},
			{"basic auth", "Basic YW5hOnNlY3JldA=="},
			{"empty bearer", "Bearer "},
			{"token as a prefix", "Bearer " + anaSecret[:len(anaSecret)-1]},
		} {
			req := postBody(jsonBody(q, nil), acceptGQL)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			r := c.do(t, req)
			if r.status != http.StatusUnauthorized || !reflect.DeepEqual(r.errorCodes(), []string{"FORBIDDEN"}) {
				t.Errorf("%s, %s: status %d %s", truncate(q, 40), tc.name, r.status, r.raw)
			}
			if _, has := r.body["data"]; has {
				t.Errorf("%s, %s: a refused write has data: %s", truncate(q, 40), tc.name, r.raw)
			}
			if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate %q", got)
			}
		}
	}
	if after := c.fingerprint(t); after != before {
		t.Error("a refused write changed the store")
	}
	// Reads stay open, and a token does not get in their way.
	if r := c.post(t, `{ node(id: "c-leaks") { id } }`, nil, acceptGQL); dig(t, r.data(t), "node", "id") != "c-leaks" {
		t.Errorf("read without a token: %s", r.raw)
	}
	if r := c.postToken(t, "tok-nobody", `{ node(id: "c-leaks") { id } }`, nil); dig(t, r.data(t), "node", "id") != "c-leaks" {
		t.Errorf("read with a bad token: %s", r.raw)
	}
	// Both configured tokens write, under their names.
	for _, tok := range []struct{ secret, name string }{{anaSecret, "ana"}, {benSecret, "ben"}} {
		r := c.postToken(t, tok.secret, `mutation ($n: JSON!) { putNode(node: $n) { changed } }`,
			map[string]interface{}{"n": map[string]interface{}{"type": "claim", "key": "c-by-" + tok.name, "text": "by " + tok.name}})
		if !reflect.DeepEqual(r.data(t), map[string]interface{}{"putNode": map[string]interface{}{"changed": true}}) {
			t.Fatalf("%s: %s", tok.name, r.raw)
		}
		r = c.post(t, `query ($k: ID!) { history(id: $k) { by } }`, map[string]interface{}{"k": "c-by-" + tok.name}, acceptGQL)
		if dig(t, r.data(t), "history", 0, "by") != tok.name {
			t.Errorf("author %v, want %s", dig(t, r.data(t), "history", 0, "by"), tok.name)
		}
	}
}

// TestMutationOverGET: a mutation over GET is refused (405), token or not,
// and writes nothing.
func TestMutationOverGET(t *testing.T) {
	c := newCuration(t, HandlerConfig{})
	req := gqlRequest("GET", "/graphql?query="+url.QueryEscape(`mutation { retract(id: "f-leaks", reason: "x") { changed } }`), "", acceptGQL, "")
	req.Header.Set("Authorization", "Bearer "+anaSecret)
	r := c.do(t, req)
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("status %d: %s", r.status, r.raw)
	}
	if c.revisionOf(t, "f-leaks") == 0 {
		t.Fatal("no revision")
	}
	r = c.post(t, `{ node(id: "f-leaks") { ... on Figure { retracted { by } } } }`, nil, acceptGQL)
	if dig(t, r.data(t), "node", "retracted") != nil {
		t.Errorf("retracted over GET: %s", r.raw)
	}
}

func TestReadOnly(t *testing.T) {
	c := newCuration(t, HandlerConfig{ReadOnly: true})
	before := c.fingerprint(t)
	r := c.postToken(t, anaSecret, `mutation { retract(id: "f-leaks", reason: "x") { changed } }`, nil)
	if r.status != http.StatusForbidden || !reflect.DeepEqual(r.errorCodes(), []string{"FORBIDDEN"}) || !strings.Contains(string(r.raw), "read-only") {
		t.Errorf("status %d: %s", r.status, r.raw)
	}
	if after := c.fingerprint(t); after != before {
		t.Error("a read-only server wrote")
	}
	if r := c.post(t, `{ node(id: "f-leaks") { id } }`, nil, acceptGQL); dig(t, r.data(t), "node", "id") != "f-leaks" {
		t.Errorf("reads on a read-only server: %s", r.raw)
	}
}

func TestConflicts(t *testing.T) {
	c := newCuration(t, HandlerConfig{})
	rev := c.revisionOf(t, "c-leaks")
	stale := fmt.Sprint(rev - 1)
	for _, q := range []string{
		`mutation ($r: String) { correct(id: "c-leaks", fields: {text: "x"}, expectedRevision: $r) { changed } }`,
		`mutation ($r: String) { putNode(node: {type: "claim", key: "c-leaks", text: "x"}, expectedRevision: $r) { changed } }`,
		`mutation ($r: String) { retract(id: "c-leaks", reason: "x", expectedRevision: $r) { changed } }`,
	} {
		for _, exp := range []string{stale, "0"} {
			before := c.fingerprint(t)
			r := c.postToken(t, anaSecret, q, map[string]interface{}{"r": exp})
			if r.status != 200 || !reflect.DeepEqual(r.errorCodes(), []string{"CONFLICT"}) {
				t.Errorf("%s with %s: %d %s", truncate(q, 50), exp, r.status, r.raw)
			}
			if after := c.fingerprint(t); after != before {
				t.Errorf("a conflicting write changed the store")
			}
		}
	}
	// The current revision passes; "0" creates only.
	r := c.postToken(t, anaSecret, `mutation ($r: String) { correct(id: "c-leaks", fields: {text: "Leaks fell"}, expectedRevision: $r) { changed node { ... on Versioned { revision } } } }`,
		map[string]interface{}{"r": fmt.Sprint(rev)})
	if dig(t, r.data(t), "correct", "changed") != true {
		t.Fatalf("correct with the current revision: %s", r.raw)
	}
	r = c.postToken(t, anaSecret, `mutation { putNode(node: {type: "claim", key: "c-fresh", text: "new"}, expectedRevision: "0") { changed } }`, nil)
	if dig(t, r.data(t), "putNode", "changed") != true {
		t.Errorf("create with expectedRevision 0: %s", r.raw)
	}
}

// TestRacingWriters has two curators correct the same claim at once, each
// with the revision they read: one wins, the other gets CONFLICT, and the
// text is the winner's (no lost update).
func TestRacingWriters(t *testing.T) {
	c := newCuration(t, HandlerConfig{})
	for round := 0; round < 20; round++ {
		rev := c.revisionOf(t, "c-leaks")
		var wg sync.WaitGroup
		results := make([]*response, 2)
		for i, who := range []string{anaSecret, benSecret} {
			wg.Add(1)
			go func(i int, who string) {
				defer wg.Done()
				results[i] = c.postToken(t, who, `mutation ($t: JSON!, $r: String) { correct(id: "c-leaks", fields: $t, expectedRevision: $r) { changed node { ... on Claim { text } } } }`,
					map[string]interface{}{"t": map[string]interface{}{"text": fmt.Sprintf("round %d by writer %d", round, i)}, "r": fmt.Sprint(rev)})
			}(i, who)
		}
		wg.Wait()
		winner := -1
		for i, r := range results {
			switch codes := r.errorCodes(); {
			case len(codes) == 0 && dig(t, r.data(t), "correct", "changed") == true:
				if winner >= 0 {
					t.Fatalf("round %d: both writers won", round)
				}
				winner = i
			case reflect.DeepEqual(codes, []string{"CONFLICT"}):
			default:
				t.Fatalf("round %d: %s", round, r.raw)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody won", round)
		}
		r := c.post(t, `{ node(id: "c-leaks") { ... on Claim { text } } }`, nil, acceptGQL)
		if got, want := dig(t, r.data(t), "node", "text"), fmt.Sprintf("round %d by writer %d", round, winner); got != want {
			t.Fatalf("round %d: text %v, want the winner's %q", round, got, want)
		}
	}
}

// TestDoneWhen is issue 3's acceptance scenario, end to end over HTTP
// against memgraph: import v1, then v2 with one claim's text changed and
// one new link; asOf between shows the old text; the claim has two
// revisions and an untouched node one; retract without a token is
// FORBIDDEN and changes nothing; with a token it removes the figure from
// the claim's supporting while the figure stays readable; no token appears
// in the logs.
func TestDoneWhen(t *testing.T) {
	st := memgraph.New()
	logs := &lockedBuffer{}
	sch := mustSchema(t, Config{})
	h := NewHandler(sch, st, HandlerConfig{Tokens: testTokens()}, zerolog.New(logs))
	srv := httptest.NewServer(h)
	defer srv.Close()

	call := func(token, query string, vars map[string]interface{}) (int, map[string]interface{}) {
		t.Helper()
		body, _ := json.Marshal(map[string]interface{}{"query": query, "variables": vars})
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", acceptGQL)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]interface{}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, out
	}
	data := func(out map[string]interface{}) map[string]interface{} {
		t.Helper()
		if out["errors"] != nil {
			t.Fatalf("errors: %v", out["errors"])
		}
		return out["data"].(map[string]interface{})
	}
	importQ := `mutation ($b: String!, $n: String) { importBundle(bundle: $b, note: $n) { revision nodes { added changed unchanged } links { added } userErrors { code } } }`

	_, out := call(anaSecret, importQ, map[string]interface{}{"b": bundleV1, "n": "v1"})
	rev1 := dig(t, data(out), "importBundle", "revision").(string)
	_, out = call(anaSecret, importQ, map[string]interface{}{"b": bundleV2, "n": "v2"})
	d := data(out)
	if dig(t, d, "importBundle", "nodes", "changed") != 1.0 || dig(t, d, "importBundle", "links", "added") != 1.0 {
		t.Fatalf("v2 import: %v", d)
	}
	var ns int64
	fmt.Sscan(rev1, &ns)
	between := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)

	_, out = call("", `query ($at: DateTime) { then: node(id: "c-leaks", asOf: $at) { ... on Claim { text } } now: node(id: "c-leaks") { ... on Claim { text } }
		claim: history(id: "c-leaks") { by note } untouched: history(id: "p-ora") { change } }`, map[string]interface{}{"at": between})
	d = data(out)
	if dig(t, d, "then", "text") != "Leaks in Lockfield fell this spring" || dig(t, d, "now", "text") != "Leaks in Lockfield fell by a third this spring" {
		t.Errorf("asOf: %v", d)
	}
	if h := d["claim"].([]interface{}); len(h) != 2 || dig(t, h[0], "by") != "ana" || dig(t, h[1], "note") != "v2" {
		t.Errorf("history of the changed claim: %v", h)
	}
	if h := d["untouched"].([]interface{}); len(h) != 1 {
		t.Errorf("history of an untouched node: %v", h)
	}

	supporting := func() string {
		_, out := call("", `{ trace(id: "c-leaks") { supporting { id } } }`, nil)
		return ids(t, dig(t, data(out), "trace", "supporting"))
	}
	figureState := func() string {
		_, out := call("", `{ node(id: "f-leaks") { ... on Versioned { revision } ... on Figure { value retracted { by reason } } } history(id: "f-leaks") { rev } }`, nil)
		b, _ := json.Marshal(data(out))
		return string(b)
	}
	if got := supporting(); got != "f-leaks f-leaks-2" {
		t.Fatalf("supporting before retracting: %q", got)
	}
	beforeFig := figureState()
	retract := `mutation { retract(id: "f-leaks", reason: "the meter was faulty") { node { id } changed userErrors { code } } }`
	status, out := call("", retract, nil)
	if status != http.StatusUnauthorized || fmt.Sprint(dig(t, out, "errors", 0, "extensions", "code")) != "FORBIDDEN" || out["data"] != nil {
		t.Errorf("retract without a token: %d %v", status, out)
	}
	if got := supporting(); got != "f-leaks f-leaks-2" {
		t.Errorf("supporting after a refused retract: %q", got)
	}
	if got := figureState(); got != beforeFig {
		t.Errorf("a refused retract changed the figure:\n%s\n%s", beforeFig, got)
	}
	_, out = call(benSecret, retract, nil)
	if dig(t, data(out), "retract", "changed") != true {
		t.Fatalf("retract with a token: %v", out)
	}
	if got := supporting(); got != "f-leaks-2" {
		t.Errorf("supporting after the retraction: %q, want f-leaks-2", got)
	}
	_, out = call("", `{ node(id: "f-leaks") { ... on Figure { value retracted { by reason } } } trace(id: "c-leaks", includeRetracted: true) { supporting { id } hops { from { id } relation retracted } } }`, nil)
	d = data(out)
	if dig(t, d, "node", "value") != 30.0 || dig(t, d, "node", "retracted", "by") != "ben" || dig(t, d, "node", "retracted", "reason") != "the meter was faulty" {
		t.Errorf("the retracted figure: %v", d["node"])
	}
	if got := ids(t, dig(t, d, "trace", "supporting")); got != "f-leaks f-leaks-2" {
		t.Errorf("supporting with includeRetracted: %q", got)
	}
	marked := false
	for _, h := range dig(t, d, "trace", "hops").([]interface{}) {
		if dig(t, h, "from", "id") == "f-leaks" && dig(t, h, "relation") == "supports" {
			marked = dig(t, h, "retracted") == true
		}
	}
	if !marked {
		t.Error("the retracted figure's hop is not marked")
	}

	for _, secret := range []string{anaSecret, benSecret} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a token appears in the logs")
		}
	}
	if !strings.Contains(logs.String(), `"by":"ben"`) {
		t.Errorf("the log does not name the writer: %s", truncate(logs.String(), 2000))
	}
}

// TestTokensNeverLogged sends tokens in every way that could end up in a
// log (valid, invalid, malformed, with a query that fails or panics) and
// searches the log for them.
func TestTokensNeverLogged(t *testing.T) {
	cs := &countingStore{Store: testStore(t), calls: &calls{}, hook: func(m string) {
		if m == "Stats" {
			panic("boom")
		}
	}}
	log := &lockedBuffer{}
	h := NewHandler(mustSchema(t, Config{}), cs, HandlerConfig{Tokens: testTokens()}, zerolog.New(log))
	bad := "tok-bad-1234567890abcdef"
	for _, tc := range []struct{ header, query string }{
		{"Bearer " + anaSecret, `mutation { retract(id: "nowhere", reason: "x") { changed userErrors { code } } }`},
		{"Bearer " + anaSecret, `mutation { retract(id: "f-pilots", reason: "` + anaSecret + `") { changed } }`},
		{"Bearer " + bad, `mutation { retract(id: "f-pilots", reason: "x") { changed } }`},
		{"bearer " + benSecret, `{ stats { nodes } }`},
		{"Bearer " + benSecret + " extra", `{`},
		{anaSecret, `mutation { putNode(node: {}) { changed } }`},
	} {
		req := postBody(jsonBody(tc.query, nil), acceptGQL)
		req.Header.Set("Authorization", tc.header)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	logged := log.String()
	if len(strings.Split(strings.TrimSpace(logged), "\n")) < 6 {
		t.Fatalf("too few log lines: %s", logged)
	}
	for _, secret := range []string{anaSecret, benSecret, bad} {
		if n := strings.Count(logged, secret); n > 0 {
			// The reason of a retraction is data, not a header; it is not
			// logged either.
			t.Errorf("a token appears %d times in the log", n)
		}
	}
	if strings.Contains(strings.ToLower(logged), "authorization") {
		t.Errorf("the log mentions the Authorization header: %s", logged)
	}
}
