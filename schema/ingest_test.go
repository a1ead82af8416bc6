package schema

import (
	"context"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// An invented story for the ingest tests: a ferry company cuts fares.
const ferryArticle = `Ferry fares to fall across the bay

The Portgate Ferry Company will cut fares by 12% from April, its chief executive said on Tuesday.

"Nobody should pay more to cross the bay than to cross the town," Mara Quill said at a briefing on the quay.

Councillor Devi Arkwright welcomed the plan. "It is a good first step, but the night boats still run half empty," Arkwright said.
`

// The same kind of story as a web page, with a script and navigation that
// are not article text.
const busPage = `<!doctype html>
<html lang="en">
<head>
<title>Night buses return to Eastmoor | Bay Courier</title>
<meta property="og:title" content="Night buses return to Eastmoor">
<meta property="og:site_name" content="Bay Courier">
<meta property="article:published_time" content="2026-03-05T07:30:00Z">
<link rel="canonical" href="https://courier.example.org/night-buses">
<script>var s = "Nobody should read this as a quote";</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/city">City</a></nav>
<article>
<h1>Night buses return to Eastmoor</h1>
<p>Three night bus routes will run again in Eastmoor from Friday, the transport office said.</p>
<p>&ldquo;People who work late deserve a safe way home,&rdquo; Mara Quill said on Wednesday.</p>
</article>
<footer>Copyright Bay Courier</footer>
</body>
</html>`

// ingestSeed is in the store before the ingests: Mara Quill under a key
// the extractor would not make, the Bay Courier, and an unrelated claim
// whose key is the one the extractor makes for Devi Arkwright.
const ingestSeed = `{
  "claimgraph": "bundle/1",
  "people": [{"key": "p-quill", "name": "Mara Quill", "description": "Chief executive of the ferry company"}],
  "organisations": [{"key": "o-courier", "name": "Bay Courier", "kind": "media"}],
  "claims": [{"key": "devi-arkwright", "text": "A claim whose key happens to be a name"}]
}`

// ingestQ asks for everything an ingest reports.
const ingestQ = `mutation ($text: String!, $meta: ArticleMeta, $html: Boolean, $note: String) {
  ingestArticle(text: $text, meta: $meta, html: $html, note: $note) {
    nodes { added changed unchanged } links { added }
    revision changed
    userErrors { path code message }
    warnings
    source { id title url publishedAt text contentSha256 publisher { id name } revision }
    matches { draftKey storedKey by name kind newKey key node { id name } }
  }
}`

// ingestServer imports seed into mem and returns a server with the tokens
// of the curation tests over st, a store that writes to mem.
func ingestServer(t testing.TB, mem *memgraph.Store, st graph.Store, seed string) *curation {
	t.Helper()
	b, err := graph.Decode(strings.NewReader(seed), graph.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Apply(context.Background(), b.Batch("import:seed.json", "")); err != nil {
		t.Fatal(err)
	}
	return &curation{server: newServer(t, st, HandlerConfig{Tokens: testTokens()}), st: mem}
}

// matchesOf lists a payload's matches as "name kind by key".
func matchesOf(t testing.TB, pl map[string]interface{}) []string {
	t.Helper()
	var out []string
	for _, m := range pl["matches"].([]interface{}) {
		mm := m.(map[string]interface{})
		line := mm["name"].(string) + " " + mm["kind"].(string) + " " + mm["by"].(string) + " " + mm["key"].(string)
		out = append(out, line)
		if mm["storedKey"] != nil && mm["storedKey"] != mm["key"] || mm["newKey"] != nil && mm["newKey"] != mm["key"] {
			t.Errorf("match %v: key is neither storedKey nor newKey", mm)
		}
		if node, ok := mm["node"].(map[string]interface{}); ok && (node["id"] != mm["key"] || node["name"] != mm["name"] && mm["by"] != "ALIAS") {
			t.Errorf("match %v: node %v", mm, node)
		}
	}
	sort.Strings(out)
	return out
}

// payloadErrors lists a payload's user errors as "CODE path/to".
func payloadErrors(t testing.TB, pl map[string]interface{}) []string {
	t.Helper()
	var out []string
	for _, e := range pl["userErrors"].([]interface{}) {
		var path []string
		for _, p := range dig(t, e, "path").([]interface{}) {
			path = append(path, p.(string))
		}
		out = append(out, dig(t, e, "code").(string)+" "+strings.Join(path, "/"))
		if dig(t, e, "message") == "" {
			t.Errorf("user error without a message: %v", e)
		}
	}
	return out
}

// speakerOf finds the one quote whose words match text and returns its
// speaker's id ("" when it has none) and the quote's source id.
func speakerOf(t testing.TB, c *curation, text string) (string, string) {
	t.Helper()
	r := c.post(t, `query ($t: String!) { whoSaid(text: $t) { totalCount edges { node { speaker { id } source { id } } } } }`,
		map[string]interface{}{"t": text}, acceptGQL)
	d := r.data(t)
	if n := dig(t, d, "whoSaid", "totalCount"); n != 1.0 {
		t.Fatalf("whoSaid(%q): %v quotes, want 1: %s", text, n, r.raw)
	}
	node := dig(t, d, "whoSaid", "edges", 0, "node").(map[string]interface{})
	speaker := ""
	if s, ok := node["speaker"].(map[string]interface{}); ok {
		speaker = s["id"].(string)
	}
	return speaker, dig(t, node, "source", "id").(string)
}

// agentsNamed counts the stored agents with the name (or alias).
func agentsNamed(t testing.TB, c *curation, name string) []string {
	t.Helper()
	r := c.post(t, `query ($n: String!) { agentsNamed(name: $n) { id } }`, map[string]interface{}{"n": name}, acceptGQL)
	var ids []string
	for _, a := range r.data(t)["agentsNamed"].([]interface{}) {
		ids = append(ids, dig(t, a, "id").(string))
	}
	return ids
}

// TestIngestArticle ingests invented articles through the mutation, in
// order: a refused write, the first ingest, the same again, the HTML page,
// and inputs that fail.
func TestIngestArticle(t *testing.T) {
	mem := memgraph.New()
	c := ingestServer(t, mem, mem, ingestSeed)
	vars := func(text string, meta map[string]interface{}) map[string]interface{} {
		v := map[string]interface{}{"text": text}
		if meta != nil {
			v["meta"] = meta
		}
		return v
	}
	var sourceKey string
	steps := []struct {
		name   string
		token  string
		vars   map[string]interface{}
		status int
		// userErrors, when set, are the expected errors (nothing written).
		userErrors []string
		changed    bool
		check      func(t *testing.T, pl map[string]interface{})
	}{
		{name: "without a token", vars: vars(ferryArticle, nil), status: http.StatusUnauthorized},
		{name: "with a token nobody has", token: "tok-nobody-1234567890", vars: vars(ferryArticle, nil), status: http.StatusUnauthorized},
		{name: "first ingest", token: anaSecret, vars: vars(ferryArticle, nil), changed: true,
			check: func(t *testing.T, pl map[string]interface{}) {
				want := []string{
					"Devi Arkwright PERSON NEW_RENAMED devi-arkwright-2",
					"Mara Quill PERSON NAME p-quill",
					"Portgate Ferry Company ORGANISATION NEW portgate-ferry-company",
				}
				if got := matchesOf(t, pl); !reflect.DeepEqual(got, want) {
					t.Errorf("matches\n got %q\nwant %q", got, want)
				}
				src := pl["source"].(map[string]interface{})
				sourceKey = src["id"].(string)
				if src["title"] != "Ferry fares to fall across the bay" || src["text"] != ferryArticle || src["contentSha256"] != graph.ContentHash(ferryArticle) {
					t.Errorf("source %v", src)
				}
				if src["revision"] == nil || pl["revision"] != src["revision"] {
					t.Errorf("source revision %v, payload revision %v: the source is not read after the write", src["revision"], pl["revision"])
				}
				// The quotes have the right speakers: the stored Mara Quill,
				// and the new Devi Arkwright under a key that was free.
				if spk, in := speakerOf(t, c, "cross the bay than to cross"); spk != "p-quill" || in != sourceKey {
					t.Errorf("speaker of Quill's quote %q in %q", spk, in)
				}
				if spk, _ := speakerOf(t, c, "night boats still run half empty"); spk != "devi-arkwright-2" {
					t.Errorf("speaker of Arkwright's quote %q", spk)
				}
				if ids := agentsNamed(t, c, "Mara Quill"); !reflect.DeepEqual(ids, []string{"p-quill"}) {
					t.Errorf("people named Mara Quill: %v, want only p-quill", ids)
				}
				// The stored person is linked, not rewritten.
				r := c.post(t, `{ node(id: "p-quill") { ... on Person { description quotes { totalCount } } } history(id: "p-quill") { by } }`, nil, acceptGQL)
				d := r.data(t)
				if dig(t, d, "node", "description") != "Chief executive of the ferry company" || dig(t, d, "node", "quotes", "totalCount") != 1.0 ||
					len(d["history"].([]interface{})) != 1 {
					t.Errorf("p-quill after the ingest: %s", r.raw)
				}
				// Revisions are by the token's name.
				r = c.post(t, `query ($id: ID!) { history(id: $id) { by note } }`, map[string]interface{}{"id": sourceKey}, acceptGQL)
				h := r.data(t)["history"].([]interface{})
				if len(h) != 1 || dig(t, h[0], "by") != "ana" || dig(t, h[0], "note") != "ingestArticle: Ferry fares to fall across the bay" {
					t.Errorf("history of the source: %s", r.raw)
				}
				if n := dig(t, pl, "nodes", "added"); n.(float64) < 8 {
					t.Errorf("nodes added %v, want the source, 3 quotes, a claim, a figure and 2 agents", n)
				}
			}},
		{name: "the same again changes nothing", token: benSecret, vars: vars(ferryArticle, nil), changed: false,
			check: func(t *testing.T, pl map[string]interface{}) {
				want := []string{
					"Devi Arkwright PERSON NAME devi-arkwright-2",
					"Mara Quill PERSON NAME p-quill",
					"Portgate Ferry Company ORGANISATION KEY portgate-ferry-company",
				}
				if got := matchesOf(t, pl); !reflect.DeepEqual(got, want) {
					t.Errorf("matches\n got %q\nwant %q", got, want)
				}
				if dig(t, pl, "nodes", "added") != 0.0 || dig(t, pl, "nodes", "changed") != 0.0 || dig(t, pl, "links", "added") != 0.0 {
					t.Errorf("counts %v %v", pl["nodes"], pl["links"])
				}
				if dig(t, pl, "source", "id") != sourceKey {
					t.Errorf("source %v, want %s", pl["source"], sourceKey)
				}
				if ids := agentsNamed(t, c, "Devi Arkwright"); !reflect.DeepEqual(ids, []string{"devi-arkwright-2"}) {
					t.Errorf("people named Devi Arkwright: %v", ids)
				}
			}},
		{name: "html page with meta", token: anaSecret, changed: true,
			vars: map[string]interface{}{"text": busPage, "html": true, "note": "from the web",
				"meta": map[string]interface{}{"key": "courier-night-buses"}},
			check: func(t *testing.T, pl map[string]interface{}) {
				src := pl["source"].(map[string]interface{})
				if src["id"] != "courier-night-buses" || src["title"] != "Night buses return to Eastmoor" ||
					src["url"] != "https://courier.example.org/night-buses" || src["publishedAt"] != "2026-03-05T07:30:00Z" ||
					dig(t, src, "publisher", "id") != "o-courier" {
					t.Errorf("source %v", src)
				}
				text := src["text"].(string)
				if strings.Contains(text, "<") || strings.Contains(text, "Nobody should read") || strings.Contains(text, "Copyright") {
					t.Errorf("the stored text kept markup, script or footer: %q", text)
				}
				if spk, in := speakerOf(t, c, "deserve a safe way home"); spk != "p-quill" || in != "courier-night-buses" {
					t.Errorf("speaker %q in %q", spk, in)
				}
				want := []string{"Bay Courier ORGANISATION NAME o-courier", "Mara Quill PERSON NAME p-quill"}
				if got := matchesOf(t, pl); !reflect.DeepEqual(got, want) {
					t.Errorf("matches\n got %q\nwant %q", got, want)
				}
				r := c.post(t, `{ history(id: "courier-night-buses") { by note } }`, nil, acceptGQL)
				if h := r.data(t)["history"].([]interface{}); dig(t, h[0], "note") != "from the web" {
					t.Errorf("history %s", r.raw)
				}
			}},
		{name: "empty text", token: anaSecret, vars: vars(" \n\n ", nil), userErrors: []string{"EXTRACT_FAILED text"}},
		{name: "bad key and date", token: anaSecret,
			vars:       vars(ferryArticle, map[string]interface{}{"key": "Not A Key", "publishedAt": "last Tuesday"}),
			userErrors: []string{"BAD_KEY meta/key", "BAD_DATE meta/publishedAt"}},
		{name: "key of a person", token: anaSecret,
			vars:       vars("Rain is due on Thursday, the weather office said.\n", map[string]interface{}{"key": "p-quill"}),
			userErrors: []string{"KIND_CHANGE meta/key"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := c.fingerprint(t)
			r := c.postToken(t, st.token, ingestQ, st.vars)
			if st.status != 0 {
				if r.status != st.status || !reflect.DeepEqual(r.errorCodes(), []string{"FORBIDDEN"}) {
					t.Errorf("status %d: %s", r.status, r.raw)
				}
				if _, has := r.body["data"]; has {
					t.Errorf("a refused write has data: %s", r.raw)
				}
				if c.fingerprint(t) != before {
					t.Error("a refused write changed the store")
				}
				return
			}
			pl, ok := r.data(t)["ingestArticle"].(map[string]interface{})
			if !ok {
				t.Fatalf("no payload: %s", r.raw)
			}
			got := payloadErrors(t, pl)
			if st.userErrors != nil {
				if !reflect.DeepEqual(got, st.userErrors) {
					t.Errorf("userErrors %q, want %q: %s", got, st.userErrors, r.raw)
				}
				if c.fingerprint(t) != before {
					t.Error("an ingest with user errors changed the store")
				}
				if pl["changed"] != false || pl["revision"] != nil || pl["source"] != nil {
					t.Errorf("failed payload: changed %v revision %v source %v", pl["changed"], pl["revision"], pl["source"])
				}
				return
			}
			if len(got) > 0 {
				t.Fatalf("unexpected userErrors %q: %s", got, r.raw)
			}
			if pl["changed"] != st.changed || (pl["revision"] != nil) != st.changed {
				t.Errorf("changed %v revision %v, want changed %v", pl["changed"], pl["revision"], st.changed)
			}
			if changed := c.fingerprint(t) != before; changed != st.changed {
				t.Errorf("store changed: %v, want %v", changed, st.changed)
			}
			if ws, _ := pl["warnings"].([]interface{}); ws == nil {
				t.Errorf("warnings is not a list: %v", pl["warnings"])
			}
			st.check(t, pl)
		})
	}
	// importBundle answers the same type with the ingest fields empty.
	r := c.postToken(t, anaSecret, `mutation { importBundle(bundle: "{\"type\":\"claim\",\"key\":\"c-tide\",\"text\":\"The tide is high\"}") { changed source { id } matches { key } warnings } }`, nil)
	if pl := r.data(t)["importBundle"].(map[string]interface{}); pl["source"] != nil || len(pl["matches"].([]interface{})) != 0 || len(pl["warnings"].([]interface{})) != 0 {
		t.Errorf("importBundle: %s", r.raw)
	}
}

// racingStore runs a write of its own just before the first Apply it is
// given, as a concurrent writer would, and counts the Apply calls.
type racingStore struct {
	graph.Store
	once   sync.Once
	meddle func()
	// always meddles before every Apply, not only the first.
	always  bool
	mu      sync.Mutex
	applies int
}

func (s *racingStore) Apply(ctx context.Context, b *graph.Batch) (graph.ApplyResult, error) {
	s.mu.Lock()
	s.applies++
	s.mu.Unlock()
	if s.always {
		s.meddle()
	} else {
		s.once.Do(s.meddle)
	}
	return s.Store.Apply(ctx, b)
}

// TestIngestRace creates Devi Arkwright, under the key the draft gives
// her, between the ingest's resolution and its write: the write conflicts,
// the ingest resolves again, links the person that now exists and leaves
// her record alone.
func TestIngestRace(t *testing.T) {
	mem := memgraph.New()
	rs := &racingStore{Store: mem}
	rs.meddle = func() {
		p := &graph.Person{Key: "devi-arkwright", Name: "Devi Arkwright", Description: "written meanwhile"}
		if _, err := mem.Apply(context.Background(), &graph.Batch{Nodes: []graph.Node{p}, By: "someone-else"}); err != nil {
			t.Error(err)
		}
	}
	seed := `{"claimgraph": "bundle/1", "people": [{"key": "p-quill", "name": "Mara Quill"}]}`
	c := ingestServer(t, mem, rs, seed)
	r := c.postToken(t, anaSecret, ingestQ, map[string]interface{}{"text": ferryArticle})
	pl := r.data(t)["ingestArticle"].(map[string]interface{})
	if errs := payloadErrors(t, pl); len(errs) > 0 || pl["changed"] != true {
		t.Fatalf("ingest: %s", r.raw)
	}
	if rs.applies != 2 {
		t.Errorf("%d writes, want 2 (a conflict, then the retry)", rs.applies)
	}
	want := []string{
		"Devi Arkwright PERSON KEY devi-arkwright",
		"Mara Quill PERSON NAME p-quill",
		"Portgate Ferry Company ORGANISATION NEW portgate-ferry-company",
	}
	if got := matchesOf(t, pl); !reflect.DeepEqual(got, want) {
		t.Errorf("matches\n got %q\nwant %q", got, want)
	}
	r = c.post(t, `{ node(id: "devi-arkwright") { ... on Person { description quotes { totalCount } } } }`, nil, acceptGQL)
	if d := r.data(t); dig(t, d, "node", "description") != "written meanwhile" || dig(t, d, "node", "quotes", "totalCount") != 1.0 {
		t.Errorf("the concurrent writer's person: %s", r.raw)
	}
}

// TestIngestConflict changes the matched person before every write: after
// maxIngestAttempts the ingest gives up with CONFLICT and writes nothing.
func TestIngestConflict(t *testing.T) {
	mem := memgraph.New()
	rs := &racingStore{Store: mem, always: true}
	n := 0
	rs.meddle = func() {
		n++
		p := &graph.Person{Key: "p-quill", Name: "Mara Quill", Description: strings.Repeat("edited ", n)}
		if _, err := mem.Apply(context.Background(), &graph.Batch{Nodes: []graph.Node{p}, By: "someone-else"}); err != nil {
			t.Error(err)
		}
	}
	c := ingestServer(t, mem, rs, `{"claimgraph": "bundle/1", "people": [{"key": "p-quill", "name": "Mara Quill"}]}`)
	r := c.postToken(t, anaSecret, ingestQ, map[string]interface{}{"text": ferryArticle})
	if !reflect.DeepEqual(r.errorCodes(), []string{"CONFLICT"}) {
		t.Errorf("want CONFLICT: %s", r.raw)
	}
	if rs.applies != maxIngestAttempts {
		t.Errorf("%d writes, want %d", rs.applies, maxIngestAttempts)
	}
	if ids := agentsNamed(t, c, "Portgate Ferry Company"); len(ids) != 0 {
		t.Errorf("a refused ingest wrote %v", ids)
	}
}

func TestFigureText(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		fig  graph.Figure
		want string
	}{
		{graph.Figure{Text: "a 76% drop in shootings", Value: 76, Unit: "percent"}, "a 76% drop in shootings"},
		{graph.Figure{Value: 76, Unit: "percent"}, "76 percent"},
		{graph.Figure{Value: 33, Unit: "%"}, "33%"},
		{graph.Figure{Value: 2000, Unit: "people", Approx: true}, "about 2000 people"},
		{graph.Figure{Value: 8, ValueMax: f(10), Unit: "percent"}, "8 to 10 percent"},
		{graph.Figure{Value: 1.5e6, Unit: "usd"}, "1500000 usd"},
		{graph.Figure{Value: 0.25, Unit: ""}, "0.25"},
		{graph.Figure{Text: "  ", Value: 3, ValueMax: f(3), Unit: "people"}, "3 people"},
	}
	for _, tt := range tests {
		if got := figureText(&tt.fig); got != tt.want {
			t.Errorf("figureText(%+v) = %q, want %q", tt.fig, got, tt.want)
		}
	}
}

// TestTextOnAnyNode selects text on quotes, claims and figures in one
// selection set: with Figure.text nullable and the others not, validation
// would refuse it as a field conflict.
func TestTextOnAnyNode(t *testing.T) {
	c := newCuration(t, HandlerConfig{})
	r := c.post(t, `{ nodes(ids: ["q-ora", "c-leaks", "f-leaks-3"]) {
		... on Quote { text } ... on Claim { text } ... on Figure { text } } }`, nil, acceptGQL)
	var got []string
	for _, n := range r.data(t)["nodes"].([]interface{}) {
		got = append(got, dig(t, n, "text").(string))
	}
	want := []string{"we fixed most of the old mains", "Leaks in Lockfield fell this spring", "5 percent"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("texts %q, want %q", got, want)
	}
}
