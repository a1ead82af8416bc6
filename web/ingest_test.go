package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"claimgraph/graph"
)

// lineExtract is a small extractor for the tests: every “…” is a direct
// quote of the person named in "Firstname Lastname said" on the same line,
// or of nobody; a number followed by "%" is a figure of that person. It
// stands in for claimgraph/extract, which web may not import.
func lineExtract(_ context.Context, text string, meta ArticleMeta) (*graph.Bundle, []string, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil, errors.New("empty text")
	}
	key := meta.Key
	if key == "" {
		key = "article-test"
	}
	b := &graph.Bundle{}
	b.Nodes = append(b.Nodes, &graph.Source{Key: key, Kind: "article", Title: meta.Title, URL: meta.URL, PublishedAt: meta.PublishedAt, Text: text})
	people := map[string]string{}
	quoteRE := regexp.MustCompile(`“([^”]+)”`)
	saidRE := regexp.MustCompile(`([A-Z][a-z]+ [A-Z][a-z]+) (?:said|says)`)
	pctRE := regexp.MustCompile(`(\d+)%`)
	offset := 0 // code points before the line
	n := 0
	var warnings []string
	for _, line := range strings.SplitAfter(text, "\n") {
		speaker := ""
		if m := saidRE.FindStringSubmatch(line); m != nil {
			speaker = people[m[1]]
			if speaker == "" {
				speaker = slugKey(m[1])
				people[m[1]] = speaker
				b.Nodes = append(b.Nodes, &graph.Person{Key: speaker, Name: m[1]})
			}
		}
		for _, m := range quoteRE.FindAllStringSubmatchIndex(line, -1) {
			n++
			start := offset + utf8.RuneCountInString(line[:m[2]])
			end := start + utf8.RuneCountInString(line[m[2]:m[3]])
			q := &graph.Quote{Key: key + "-q" + string(rune('0'+n)), Text: line[m[2]:m[3]], Speaker: speaker, Source: key,
				Span: &graph.Span{Start: start, End: end}, Cue: "said", Mode: "direct"}
			if speaker == "" {
				warnings = append(warnings, "no speaker for “"+q.Text+"”")
			}
			b.Nodes = append(b.Nodes, q)
		}
		for _, m := range pctRE.FindAllStringSubmatchIndex(line, -1) {
			n++
			start := offset + utf8.RuneCountInString(line[:m[0]])
			v := 0.0
			for _, c := range line[m[2]:m[3]] {
				v = v*10 + float64(c-'0')
			}
			b.Nodes = append(b.Nodes, &graph.Figure{Key: key + "-f" + string(rune('0'+n)), Text: line[m[0]:m[1]], Value: v, Unit: "percent",
				StatedBy: speaker, Source: key, Span: &graph.Span{Start: start, End: start + utf8.RuneCountInString(line[m[0]:m[1]])}})
		}
		offset += utf8.RuneCountInString(line)
	}
	return b, warnings, nil
}

// importGraphQL is a stand-in for the GraphQL endpoint's importBundle: it
// checks the bearer token, decodes and validates the bundle against the
// store and applies it, answering as the schema does.
type importGraphQL struct {
	st    graph.Store
	token string
	got   []string // bundles received
}

func (g *importGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/graphql-response+json")
	var req struct {
		Query     string
		Variables struct{ Bundle, Note string }
	}
	if r.Method != http.MethodPost || r.URL.Path != "/graphql" || json.NewDecoder(r.Body).Decode(&req) != nil || !strings.Contains(req.Query, "importBundle(bundle: $bundle, note: $note)") {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":[{"message":"bad request"}]}`))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"errors":[{"message":"a valid bearer token is required to write","extensions":{"code":"FORBIDDEN"}}]}`))
		return
	}
	g.got = append(g.got, req.Variables.Bundle)
	var res graph.ApplyResult
	err := g.st.View(r.Context(), func(rd graph.Reader) error {
		b, err := graph.ReadBundle(r.Context(), strings.NewReader(req.Variables.Bundle), graph.DecodeOptions{}, rd)
		if err != nil {
			return err
		}
		res, err = g.st.Apply(r.Context(), b.Batch("token:test", req.Variables.Note))
		return err
	})
	if err != nil {
		msg, _ := json.Marshal(err.Error())
		_, _ = w.Write([]byte(`{"data":{"importBundle":{"nodes":{"added":0,"changed":0,"unchanged":0},"links":{"added":0,"changed":0,"unchanged":0},"revision":null,"userErrors":[{"path":["bundle"],"code":"INVALID","message":` + string(msg) + `}]}}}`))
		return
	}
	out, _ := json.Marshal(map[string]any{"data": map[string]any{"importBundle": map[string]any{
		"nodes": res.Nodes, "links": res.Links, "revision": "7", "userErrors": []any{}}}})
	_, _ = w.Write(out)
}

// post submits a form.
func post(t *testing.T, h http.Handler, target string, form url.Values) (int, string) {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// article is the text the ingest tests paste; Donald Trump is already in
// the demo graph.
const article = `Port authority keeps the night ferry

The harbour board met on Tuesday.
“We keep the night ferry,” Ines Moreau said after the vote.
Donald Trump said “ferries are great” in a post, and fuel rose 12% this year.
“Nobody asked us,” a sailor shouted.
`

func TestIngestPreviewCommit(t *testing.T) {
	st := demoStore(t)
	gql := &importGraphQL{st: st, token: "s3cret"}
	h := New(st, Options{Extract: lineExtract, GraphQL: gql, OnError: func(r *http.Request, err error) { t.Errorf("OnError: %v", err) }})

	page := mustPage(t, h, "/ingest")
	for _, want := range []string{`<textarea id="text" name="text"`, `<label for="title">Title</label>`, `id="extract"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s", want)
		}
	}

	form := url.Values{"text": {article}, "title": {"Port authority keeps the night ferry"}, "url": {"https://example.org/ferry"},
		"published_at": {"2026-03-03"}, "key": {"article-ferry"}}
	code, page := post(t, h, "/ingest", form)
	if code != http.StatusOK {
		t.Fatalf("preview: %d\n%s", code, textOf(page))
	}
	draft := section(t, page, `<div class="source-text full draft-text"`)
	if keys := markedKeys(draft); strings.Join(keys, " ") != "d-article-ferry-q1 d-article-ferry-q2 d-article-ferry-f3 d-article-ferry-q4" {
		t.Errorf("draft marks %v", keys)
	}
	if !strings.Contains(draft, `<mark class="quote" data-key="d-article-ferry-q1" id="at-d-article-ferry-q1" title="Quote · Ines Moreau"><a href="#draft-article-ferry-q1">We keep the night ferry,</a></mark>`) {
		t.Errorf("the first quote is not marked with its speaker:\n%s", draft)
	}
	text := textOf(page)
	for _, want := range []string{"“Donald Trump” is Donald Trump", "Check these: no speaker for “Nobody asked us,”", "3 quotes, 1 figure, 1 new person or organisation"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	// Trump is matched to the graph's node, not created again.
	if !strings.Contains(page, `<option value="donald-trump" selected>Donald Trump (in the graph)</option>`) {
		t.Errorf("Trump's quote is not given to the existing Donald Trump")
	}

	// Fix the speakers: the sailor is a new person; Moreau's quote stays.
	form.Set("speaker.article-ferry-q4", "new")
	form.Set("newname.article-ferry-q4", "Ana Sailor")
	code, page = post(t, h, "/ingest", form)
	if code != http.StatusOK || !strings.Contains(page, `title="Quote · Ana Sailor"`) {
		t.Fatalf("the fixed speaker is not in the draft: %d\n%s", code, textOf(page))
	}

	// No token, then a wrong one: nothing is written.
	code, page = post(t, h, "/ingest/commit", form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(textOf(page), "Type a write token to commit") {
		t.Errorf("commit without a token: %d %s", code, textOf(page))
	}
	form.Set("token", "wrong")
	code, page = post(t, h, "/ingest/commit", form)
	if code != http.StatusForbidden || !strings.Contains(textOf(page), "The token was not accepted: nothing was written") {
		t.Errorf("commit with a wrong token: %d %s", code, textOf(page))
	}
	if strings.Contains(page, "wrong") {
		t.Errorf("the page shows the token back")
	}
	if len(gql.got) != 0 {
		t.Fatalf("a refused commit wrote")
	}

	form.Set("token", "s3cret")
	form.Set("note", "from the test")
	code, page = post(t, h, "/ingest/commit", form)
	if code != http.StatusOK || !strings.Contains(textOf(page), "Committed") || !strings.Contains(page, `href="/n/article-ferry" id="committed-source"`) {
		t.Fatalf("commit: %d %s", code, textOf(page))
	}
	if !strings.Contains(textOf(page), "Nodes: 7 added, 0 changed, 0 unchanged. Links: 0 added, 0 changed, 0 unchanged. Revision 7.") {
		t.Errorf("counts: %s", textOf(page))
	}
	// The graph now has the article, its quotes and the new people, and
	// one Donald Trump.
	src := mustPage(t, h, "/n/article-ferry")
	srcText := section(t, src, `<div class="source-text full" id="text"`)
	if keys := markedKeys(srcText); len(keys) != 4 {
		t.Errorf("the committed source marks %v", keys)
	}
	checkGolden(t, "ferry-source-text.html", srcText+"\n")
	res := textOf(mustPage(t, h, "/?q=donald+trump"))
	if strings.Count(res, "Donald Trump") < 1 || strings.Contains(res, "donald-trump-2") {
		t.Errorf("search for Trump: %s", res)
	}
	ferries := textOf(mustPage(t, h, "/?q=ferries+are+great"))
	if !strings.Contains(ferries, "ferries are great ” said by Donald Trump (said)") {
		t.Errorf("the committed quote is not Trump's: %s", ferries)
	}
	sailor := textOf(mustPage(t, h, "/?q=nobody+asked+us"))
	if !strings.Contains(sailor, "said by Ana Sailor") {
		t.Errorf("the fixed speaker was not committed: %s", sailor)
	}
}

func TestIngestRefusals(t *testing.T) {
	st := demoStore(t)
	tests := []struct {
		name   string
		opt    Options
		target string
		form   url.Values
		status int
		want   string
	}{
		{"no extractor", Options{}, "/ingest", url.Values{"text": {"x"}}, http.StatusNotImplemented, "Extraction is not available"},
		{"no GraphQL", Options{Extract: lineExtract}, "/ingest/commit", url.Values{"text": {article}, "token": {"t"}}, http.StatusNotImplemented, "Committing is not available"},
		{"empty text", Options{Extract: lineExtract}, "/ingest", url.Values{"text": {"  "}}, http.StatusUnprocessableEntity, "Paste the article"},
		{"bad key", Options{Extract: lineExtract}, "/ingest", url.Values{"text": {article}, "key": {"Bad Key"}}, http.StatusUnprocessableEntity, "The draft cannot be committed"},
		{"too large", Options{Extract: lineExtract}, "/ingest", url.Values{"text": {strings.Repeat("x", maxIngestForm)}}, http.StatusBadRequest, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, page := post(t, New(st, tt.opt), tt.target, tt.form)
			if code != tt.status || !strings.Contains(textOf(page), tt.want) {
				t.Errorf("%d %s; want %d with %q", code, textOf(page), tt.status, tt.want)
			}
		})
	}
}

func TestResolveDraftRenamesTakenKeys(t *testing.T) {
	st := demoStore(t)
	b := &graph.Bundle{
		Nodes: []graph.Node{
			// The key of an existing claim, for a person of another name.
			&graph.Person{Key: "c-crime-down", Name: "Someone Else"},
			&graph.Person{Key: "trump", Name: "Trump"}, // an alias of donald-trump
			&graph.Source{Key: demo2Key, Kind: "article", Text: "abc"},
			&graph.Quote{Key: "q-new", Text: "abc", Speaker: "trump", Source: demo2Key, Span: &graph.Span{Start: 0, End: 3}},
			&graph.Quote{Key: "q-other", Text: "b", Speaker: "c-crime-down", Source: demo2Key},
		},
		Links: []graph.Link{{From: "q-other", To: "trump", Relation: graph.RelContext}},
	}
	d := &draftView{}
	err := st.View(context.Background(), func(r graph.Reader) error { return resolveDraft(context.Background(), r, b, d) })
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, n := range b.Nodes {
		keys = append(keys, n.NodeKey())
	}
	if strings.Join(keys, " ") != "c-crime-down-2 "+demo2Key+"-2 q-new q-other" {
		t.Errorf("keys after resolving: %v", keys)
	}
	if q := b.Nodes[2].(*graph.Quote); q.Speaker != "donald-trump" || q.Source != demo2Key+"-2" {
		t.Errorf("references not rewritten: %+v", q)
	}
	if q := b.Nodes[3].(*graph.Quote); q.Speaker != "c-crime-down-2" {
		t.Errorf("references not rewritten: %+v", q)
	}
	if b.Links[0].To != "donald-trump" {
		t.Errorf("link not rewritten: %+v", b.Links[0])
	}
	if len(d.Matched) != 1 || d.Matched[0].Existing.Key != "donald-trump" || d.Matched[0].Existing.Label != "Donald Trump" {
		t.Errorf("matches: %+v", d.Matched)
	}
}

// demo2Key is the key of a demo source, reused by a draft.
const demo2Key = "post-trump-walz-call"
