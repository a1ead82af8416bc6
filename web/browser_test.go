package web

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"claimgraph/demo"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// articlePath is the example article, relative to this package's
// directory (the repository sits next to the shared folder).
const articlePath = "../../shared/seed/example-article.txt"

// demoBundle returns the demo bundle with the example article's text
// attached, so that spans can be shown.
func demoBundle(t testing.TB) *graph.Bundle {
	t.Helper()
	text, err := os.ReadFile(articlePath)
	if err != nil {
		t.Fatalf("the example article is needed for the browser tests: %v", err)
	}
	b, err := demo.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.AttachText(b, demo.ArticleKey, string(text)); err != nil {
		t.Fatal(err)
	}
	return b
}

// demoStore returns a memgraph store holding the demo bundle with the
// article's text.
func demoStore(t testing.TB) *memgraph.Store {
	t.Helper()
	st := memgraph.New()
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Apply(context.Background(), demoBundle(t).Batch("test", "demo")); err != nil {
		t.Fatal(err)
	}
	return st
}

// fixedNow is the clock of the test browsers.
var fixedNow = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)

func newDemoBrowser(t testing.TB, opt Options) http.Handler {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return fixedNow }
	}
	if opt.OnError == nil {
		opt.OnError = func(r *http.Request, err error) { t.Errorf("OnError %s: %v", r.URL, err) }
	}
	return New(demoStore(t), opt)
}

// fetch runs one request and returns the status, header and body.
func fetch(t testing.TB, h http.Handler, method, target string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

// mustPage fetches a page that must answer 200 with HTML.
func mustPage(t testing.TB, h http.Handler, target string) string {
	t.Helper()
	code, hdr, body := fetch(t, h, "GET", target)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", target, code, textOf(body))
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q", target, ct)
	}
	if !strings.Contains(hdr.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("GET %s: no content security policy", target)
	}
	return body
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// textOf strips tags, unescapes and collapses white space: what a reader
// sees.
func textOf(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(s, " "))), " ")
}

// section returns the HTML of the element that starts with the first
// match of open (an opening tag's start, such as `<section class="col
// supporting"`) up to its matching close tag.
func section(t testing.TB, page, open string) string {
	t.Helper()
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatalf("no %s in the page", open)
	}
	name := strings.TrimPrefix(strings.Fields(open)[0], "<")
	depth := 0
	tagAt := regexp.MustCompile(`</?` + name + `\b[^>]*>`)
	for _, m := range tagAt.FindAllStringIndex(page[i:], -1) {
		if strings.HasPrefix(page[i+m[0]:], "</") {
			depth--
		} else {
			depth++
		}
		if depth == 0 {
			return page[i : i+m[1]]
		}
	}
	t.Fatalf("%s is not closed", open)
	return ""
}

// markedKeys returns the distinct data-key values of the marks in s.
func markedKeys(s string) []string {
	var keys []string
	for _, m := range regexp.MustCompile(`<mark [^>]*data-key="([^"]+)"`).FindAllStringSubmatch(s, -1) {
		if !slices.Contains(keys, m[1]) {
			keys = append(keys, m[1])
		}
	}
	return keys
}

func TestSearchShowsTheSpeakerAndLinksTheQuote(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := mustPage(t, h, "/?q=crime+is+way+down")
	quotes := section(t, page, `<section class="group" id="g-quote"`)
	if !strings.Contains(quotes, `href="/n/q-trump-crime-down"`) {
		t.Errorf("the quote results do not link to the quote:\n%s", quotes)
	}
	if !strings.Contains(quotes, `<a class="ref k-person" href="/n/donald-trump">Donald Trump</a>`) {
		t.Errorf("the quote results do not name Donald Trump:\n%s", textOf(quotes))
	}
	if !strings.Contains(quotes, `<mark class="hit">crime is way down</mark>`) {
		t.Errorf("the words are not highlighted:\n%s", quotes)
	}
	claims := section(t, page, `<section class="group" id="g-claim"`)
	if !strings.Contains(claims, `<mark class="hit">Crime is way down</mark> in Minnesota`) {
		t.Errorf("the claim is not found with its words highlighted:\n%s", claims)
	}
	// Export links name every result.
	if !strings.Contains(page, "/export?format=csv&amp;ids=q-trump-crime-down%2Cc-crime-down") {
		t.Errorf("no export link for the results")
	}
}

func TestSearchGroups(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	tests := []struct {
		q      string
		groups []string // group ids in order
		want   []string // hrefs that must appear
		absent string   // text that must not appear
	}{
		// The article's text names the department too.
		{q: "homeland", groups: []string{"g-organisation", "g-source"}, want: []string{"/n/dhs", "/n/article-trump-walz-call"}},
		{q: "DHS", groups: []string{"g-organisation", "g-figure", "g-source"}, want: []string{"/n/dhs", "/n/statement-dhs-custody", "/n/f-dhs-in-custody"}},
		{q: "walz", groups: []string{"g-quote", "g-person", "g-claim", "g-figure", "g-source"}, want: []string{"/n/tim-walz", "/n/q-dhs-custody"}},
		{q: "76%", groups: []string{"g-figure", "g-source"}, want: []string{"/n/f-shootings", "/n/article-trump-walz-call"}},
		{q: "shootings", groups: []string{"g-figure", "g-source"}, want: []string{"/n/f-shootings", "/n/f-fatal-shootings"}},
		{q: "“Crime  IS way   down”", groups: []string{"g-quote", "g-claim", "g-source"}, want: []string{"/n/q-trump-crime-down"}},
		{q: "no such words anywhere", absent: "g-quote"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			page := mustPage(t, h, "/?q="+url.QueryEscape(tt.q))
			var got []string
			for _, m := range regexp.MustCompile(`<section class="group" id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
				got = append(got, m[1])
			}
			if !slices.Equal(got, tt.groups) {
				t.Errorf("groups %v, want %v", got, tt.groups)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, `href="`+w+`"`) {
					t.Errorf("no link to %s", w)
				}
			}
			if len(tt.groups) == 0 && !strings.Contains(textOf(page), "Nothing matches") {
				t.Errorf("an empty result does not say so")
			}
		})
	}
}

func TestHomeShowsCounts(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := textOf(mustPage(t, h, "/"))
	for _, want := range []string{"16 Quote", "3 Person", "11 Figure", "17 links", "Skip to content", "Graph as of UTC"} {
		if !strings.Contains(page, want) {
			t.Errorf("home page lacks %q:\n%s", want, page)
		}
	}
}

func TestQuotePageHighlightsTheWordsInTheArticle(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := mustPage(t, h, "/n/q-trump-crime-down")
	ctx := section(t, page, `<figure class="context"`)
	marks := regexp.MustCompile(`<mark [^>]*>(.*?)</mark>`).FindAllStringSubmatch(ctx, -1)
	if len(marks) != 1 || marks[0][1] != "crime is way down" {
		t.Fatalf("marks in the context: %q, want one around \"crime is way down\"\n%s", marks, ctx)
	}
	if !regexp.MustCompile(`Trump claimed on Monday that “<mark [^>]*>crime is way down</mark>” in Minnesota`).MatchString(ctx) {
		t.Errorf("the context is not the article's text around the quote:\n%s", ctx)
	}
	if !strings.Contains(ctx, `href="/n/article-trump-walz-call#at-q-trump-crime-down"`) {
		t.Errorf("no link to the words in the full text")
	}
	facts := textOf(section(t, page, `<dl class="facts"`))
	for _, want := range []string{"Speaker Donald Trump", "Cue claimed on Monday", "Mode partial", "Said at 2026-01-26", "Span code points 2682–2699"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts lack %q: %s", want, facts)
		}
	}
	if !strings.Contains(page, `href="/n/c-crime-down"`) {
		t.Errorf("the claim it expresses is not linked")
	}
}

func TestQuoteAttributionChain(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	tests := []struct {
		key  string
		want []string // the chain's steps as text, in order
	}{
		{"q-walz-request", []string{
			"Tim Walz called me with : “the request to work together with respect to Minnesota” this quote indirect · 2026-01-26 · first said in Phone call between Donald Trump and Tim Walz",
			"reported by Donald Trump posted : “Governor Tim Walz called me with the request to work together with respect to Minnesota” direct · 2026-01-26 · first said in Trump on Truth Social about his phone call with Walz",
			"published in Tim Walz wants to ‘work together’ – Trump",
			"quotes Trump on Truth Social about his phone call with Walz",
			"summarises Phone call between Donald Trump and Tim Walz primary source",
		}},
		// Without a channel the chain ends at the article, which cites
		// other sources that have nothing to do with these words.
		{"q-trump-crime-down", []string{
			"Donald Trump claimed on Monday : “crime is way down” this quote partial · 2026-01-26",
			"published in Tim Walz wants to ‘work together’ – Trump",
		}},
		{"q-walz-pull-agents", []string{
			"Tim Walz called on Trump to : “pull these 3,000 untrained agents out of Minnesota before they kill another person” this quote partial · 2026-01-25 · first said in Walz's Sunday statement on the federal agents in Minnesota",
			"published in Tim Walz wants to ‘work together’ – Trump",
			"quotes Walz's Sunday statement on the federal agents in Minnesota primary source",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			chain := section(t, mustPage(t, h, "/n/"+tt.key), `<ol class="chain"`)
			var got []string
			for _, li := range regexp.MustCompile(`(?s)<li[^>]*>(.*?)</li>`).FindAllStringSubmatch(chain, -1) {
				got = append(got, textOf(li[1]))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("chain:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestClaimColumns(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := mustPage(t, h, "/n/c-crime-down")
	sup := textOf(section(t, page, `<section class="col supporting"`))
	con := textOf(section(t, page, `<section class="col contradicting"`))
	for _, want := range []string{"76% decrease", "67% decrease", "Measure shootings", "Measure homicides", "Period 2026-01", "Against 2025-01", "Stated by Minneapolis Police Department"} {
		if !strings.Contains(sup, want) {
			t.Errorf("Supporting lacks %q: %s", want, sup)
		}
	}
	for _, want := range []string{"“less safe”", "Speaker Jacob Frey", "factual — they disagree on the facts", "Aggravated assaults", "different_measure"} {
		if !strings.Contains(con, want) {
			t.Errorf("Contradicting lacks %q: %s", want, con)
		}
	}
	if strings.Contains(sup, "less safe") || strings.Contains(con, "76%") {
		t.Errorf("evidence in the wrong column:\nsupporting: %s\ncontradicting: %s", sup, con)
	}
	assess := textOf(section(t, page, `<section class="assessment`))
	if !strings.Contains(assess, "Assessment: Disputed") || !strings.Contains(assess, "2 items supporting and 2 items contradicting") {
		t.Errorf("assessment: %s", assess)
	}
	reasons := textOf(section(t, page, `<ul class="reasons"`))
	if reasons != "different_measure : they measure different things factual : they disagree on the facts" {
		t.Errorf("reasons: %s", reasons)
	}
	asserted := textOf(section(t, page, `<section aria-labelledby="h-asserted"`))
	if !strings.Contains(asserted, "“crime is way down” — Donald Trump") {
		t.Errorf("who asserts it: %s", asserted)
	}
	if !strings.Contains(textOf(section(t, page, `<section aria-labelledby="h-history"`)), "History") {
		t.Errorf("no history section")
	}
}

func TestPersonPageListsQuotesByDate(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := mustPage(t, h, "/n/donald-trump")
	quotes := section(t, page, `<section aria-labelledby="h-quotes"`)
	var keys []string
	for _, m := range regexp.MustCompile(`<a class="words" href="/n/([^"]+)"`).FindAllStringSubmatch(quotes, -1) {
		keys = append(keys, m[1])
	}
	// Dated quotes (said on 2026-01-26) by key, then the undated ones
	// (their article's date) by key.
	want := []string{"q-trump-crime-down", "q-trump-criminals", "q-trump-post-good-call", "q-trump-post-request",
		"q-trump-cooperate", "q-trump-near-future", "q-trump-very-respectfully"}
	if !slices.Equal(keys, want) {
		t.Errorf("quotes %v\nwant %v", keys, want)
	}
	text := textOf(page)
	for _, want := range []string{"Also known as Trump", "wikidata: Q22686", "President, US federal government", "Crime is way down in Minnesota since the deployment"} {
		if !strings.Contains(text, want) {
			t.Errorf("person page lacks %q", want)
		}
	}
	if !strings.Contains(page, `href="https://www.wikidata.org/wiki/Q22686"`) {
		t.Errorf("no Wikidata link")
	}
}

func TestOrganisationPage(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	text := textOf(mustPage(t, h, "/n/dhs"))
	for _, want := range []string{"US Department of Homeland Security", "government", "Also known as DHS, Department of Homeland Security",
		"Part of US federal government", "Units US Border Patrol US Immigration and Customs Enforcement",
		"“brandished a gun at the agents”", "Figures stated 3", "2,000 people increase · additional federal agents", "Published DHS figures on people held or released in Minnesota",
		"DHS account of the Minneapolis shooting"} {
		if !strings.Contains(text, want) {
			t.Errorf("organisation page lacks %q:\n%s", want, text)
		}
	}
}

func TestFigurePageComparesFigures(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := mustPage(t, h, "/n/f-walz-agents")
	cmp := section(t, page, `<section aria-labelledby="h-compare"`)
	linked := section(t, cmp, `<div class="compare`)
	lt := textOf(linked)
	for _, want := range []string{"3,000 people vs an extra 2,000 ICE", "Not comparable", "this figure contradicts it", "different_scope",
		"Value 3,000 people 2,000 people", "Stated by Tim Walz US Department of Homeland Security"} {
		if !strings.Contains(lt, want) {
			t.Errorf("the linked comparison lacks %q:\n%s", want, lt)
		}
	}
	if !strings.Contains(cmp, `<details class="others">`) {
		t.Errorf("the other figures of the source are not listed")
	}
	where := textOf(section(t, page, `<section aria-labelledby="h-where"`))
	if !strings.Contains(where, "“pull these 3,000 untrained agents out of Minnesota before they kill another person” — Tim Walz") {
		t.Errorf("who stated it where: %s", where)
	}
	if !strings.Contains(section(t, page, `<figure class="context"`), `<mark class="figure" data-key="f-walz-agents" id="at-f-walz-agents">3,000 untrained agents</mark>`) {
		t.Errorf("the figure is not marked in its context")
	}
}

func TestSourcePageHighlightsEverySpan(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := mustPage(t, h, "/n/"+demo.ArticleKey)
	text := section(t, page, `<div class="source-text full" id="text"`)
	keys := markedKeys(text)
	// Every quote and figure of the article with a span is highlighted.
	var want []string
	for _, n := range demoBundle(t).Nodes {
		switch n := n.(type) {
		case *graph.Quote:
			if n.Source == demo.ArticleKey && n.Span != nil {
				want = append(want, n.Key)
			}
		case *graph.Figure:
			if n.Source == demo.ArticleKey && n.Span != nil {
				want = append(want, n.Key)
			}
		}
	}
	slices.Sort(keys)
	slices.Sort(want)
	if len(keys) < 8 || !slices.Equal(keys, want) {
		t.Errorf("highlighted %d spans %v\nwant %v", len(keys), keys, want)
	}
	// The visible text is the article, unchanged.
	raw, err := os.ReadFile(articlePath)
	if err != nil {
		t.Fatal(err)
	}
	inner := strings.TrimSuffix(text[strings.Index(text, ">")+1:], "</div>")
	if got := html.UnescapeString(tagRE.ReplaceAllString(inner, "")); got != string(raw) {
		t.Errorf("the highlighted text differs from the article")
	}
	// A highlight links to its node, innermost first: Walz's request
	// inside Trump's post.
	if !strings.Contains(text, `<mark class="quote" data-key="q-walz-request" id="at-q-walz-request" title="Quote · Tim Walz"><a href="/n/q-walz-request">the request to work together with respect to Minnesota</a></mark></mark>`) {
		t.Errorf("the nested quote is not marked inside the outer one")
	}
	meta := textOf(section(t, page, `<dl class="facts"`))
	if !strings.Contains(meta, "Published 2026-01-26T19:47:00Z") {
		t.Errorf("metadata: %s", meta)
	}
	if spans := section(t, page, `<table class="spans"`); strings.Count(spans, "<tr>") != len(want)+1 {
		t.Errorf("the span table has %d rows, want %d", strings.Count(spans, "<tr>")-1, len(want))
	}
}

func TestSourceWithoutText(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	page := textOf(mustPage(t, h, "/n/post-trump-walz-call"))
	for _, want := range []string{"The text of this source is not stored.", "summarises Phone call between Donald Trump and Tim Walz primary source",
		"Tim Walz wants to ‘work together’ – Trump quotes it", "Words first said here", "Publisher Truth Social"} {
		if !strings.Contains(page, want) {
			t.Errorf("source page lacks %q:\n%s", want, page)
		}
	}
}

func TestTraceOfWalzsRequest(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	code, hdr, page := fetch(t, h, "GET", "/trace/q-walz-request")
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' "+cytoscapeStyleHash) {
		t.Errorf("the trace page does not allow Cytoscape's style element: %s", csp)
	}
	for _, want := range []string{`<script src="/static/vendor/cytoscape.min.js?v=`, `<script src="/static/trace.js?v=`, `<div id="trace-graph"`} {
		if !strings.Contains(page, want) {
			t.Errorf("trace page lacks %s", want)
		}
	}
	data := regexp.MustCompile(`(?s)<script type="application/json" id="trace-data">(.*?)</script>`).FindStringSubmatch(page)
	if data == nil {
		t.Fatal("no trace data")
	}
	for _, want := range []string{`"id":"tim-walz"`, `"id":"donald-trump"`, `"original":true`, `"primary":true`, `"root":true`, `"url":"/n/tim-walz"`} {
		if !strings.Contains(data[1], want) {
			t.Errorf("trace data lacks %s:\n%s", want, data[1])
		}
	}
	hops := textOf(section(t, page, `<ol class="levels"`))
	for _, want := range []string{"Depth 1", "speaker “called me with” Tim Walz", "reported by", "Depth 2", "speaker “posted” Donald Trump", "Depth 3", "summarises Phone call between Donald Trump and Tim Walz"} {
		if !strings.Contains(hops, want) {
			t.Errorf("hops lack %q:\n%s", want, hops)
		}
	}
	summary := textOf(section(t, page, `<div class="trace-summary"`))
	if !strings.Contains(summary, "Speakers Tim Walz Donald Trump Original: Tim Walz Primary sources Phone call between Donald Trump and Tim Walz") {
		t.Errorf("summary: %s", summary)
	}
	if !strings.Contains(page, "/export?format=bundle&amp;trace=q-walz-request") {
		t.Errorf("no export link for the trace")
	}
}

func TestTraceOfClaimListsEvidence(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	summary := textOf(section(t, mustPage(t, h, "/trace/c-crime-down"), `<div class="trace-summary"`))
	for _, want := range []string{"Supporting 67% drop in homicides 76% drop in shootings Contradicting", "“less safe”", "Original: Donald Trump , Jacob Frey"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q: %s", want, summary)
		}
	}
}

// TestEveryPageAndLink renders the page and the trace of every node of the
// demo and follows every internal link they have.
func TestEveryPageAndLink(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	seen := map[string]bool{}
	queue := []string{"/", "/?q=walz", "/ingest"}
	for _, n := range demoBundle(t).Nodes {
		queue = append(queue, "/n/"+n.NodeKey(), "/trace/"+n.NodeKey())
	}
	hrefRE := regexp.MustCompile(`(?:href|src)="(/[^"]*)"`)
	for len(queue) > 0 {
		target := queue[0]
		queue = queue[1:]
		if seen[target] {
			continue
		}
		seen[target] = true
		code, hdr, body := fetch(t, h, "GET", target)
		if code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, code)
			continue
		}
		if !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
			u := html.UnescapeString(m[1])
			u, _, _ = strings.Cut(u, "#")
			if strings.HasPrefix(u, "/export") || strings.HasPrefix(u, "/graphql") {
				continue // served by other handlers
			}
			// Links pinned to an instant (permalinks, and every link of a
			// pinned page) are checked by TestAsOfReadsThroughViewAt.
			if !seen[u] && !strings.Contains(u, "asOf=") {
				queue = append(queue, u)
			}
		}
	}
	if len(seen) < 120 {
		t.Errorf("followed %d URLs; the link walk is too small", len(seen))
	}
}

func TestNotFound(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	tests := []struct {
		target string
		status int
		want   string
	}{
		{"/n/no-such-node", 404, `no node has the key "no-such-node"`},
		{"/trace/no-such-node", 404, "not found"},
		{"/nowhere", 404, "there is no page at /nowhere"},
		{"/static/missing.css", 404, "404 page not found"},
		{"/n/q-trump-crime-down?asOf=yesterday", 400, `"yesterday" is not a time`},
	}
	for _, tt := range tests {
		code, _, body := fetch(t, h, "GET", tt.target)
		if code != tt.status || !strings.Contains(textOf(body), tt.want) {
			t.Errorf("GET %s: %d %q, want %d with %q", tt.target, code, textOf(body), tt.status, tt.want)
		}
	}
	code, hdr, _ := fetch(t, h, "POST", "/n/q-trump-crime-down")
	if code != http.StatusMethodNotAllowed || !strings.Contains(hdr.Get("Allow"), "GET") {
		t.Errorf("POST to a page: %d, Allow %q", code, hdr.Get("Allow"))
	}
}

// asOfStore is a store whose ViewAt records the instant asked for and
// reads the current graph, or fails.
type asOfStore struct {
	graph.Store
	at  []time.Time
	err error
}

func (s *asOfStore) ViewAt(ctx context.Context, at time.Time, fn func(graph.Reader) error) error {
	s.at = append(s.at, at)
	if s.err != nil {
		return s.err
	}
	return s.Store.View(ctx, fn)
}

func TestAsOfReadsThroughViewAt(t *testing.T) {
	st := &asOfStore{Store: demoStore(t)}
	h := New(st, Options{Now: func() time.Time { return fixedNow }})
	page := mustPage(t, h, "/n/c-crime-down?asOf=2026-01-27T10:00")
	want := time.Date(2026, 1, 27, 10, 0, 0, 0, time.UTC)
	if len(st.at) != 1 || !st.at[0].Equal(want) {
		t.Fatalf("ViewAt called with %v, want [%v]", st.at, want)
	}
	if !strings.Contains(textOf(page), "Showing the graph as it stood at 2026-01-27 10:00:00 UTC") {
		t.Errorf("the page does not say which time it shows")
	}
	// Internal links, the permalink and the exports keep the instant.
	for _, want := range []string{
		`href="/n/f-shootings?asOf=2026-01-27T10%3A00%3A00Z"`,
		`href="/trace/c-crime-down?asOf=2026-01-27T10%3A00%3A00Z"`,
		`href="/n/c-crime-down?asOf=2026-01-27T10%3A00%3A00Z" rel="bookmark"`,
		`href="/export?format=bundle&amp;ids=c-crime-down&amp;asOf=2026-01-27T10%3A00%3A00Z"`,
		`<input id="asof" type="datetime-local" step="1" name="asOf" value="2026-01-27T10:00:00">`,
		`<a class="now" href="/n/c-crime-down">Back to now</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Without asOf, the permalink pins the instant the page was read.
	page = mustPage(t, h, "/?q=less+safe")
	if !strings.Contains(page, `href="/?asOf=2026-02-01T12%3A00%3A00Z&amp;q=less&#43;safe" rel="bookmark"`) {
		t.Errorf("permalink of a search:\n%s", section(t, page, `<p class="permalink"`))
	}
	if len(st.at) != 1 {
		t.Errorf("a page without asOf used ViewAt")
	}
	// A store that cannot read the past says so.
	st.err = errors.New("history is not implemented yet")
	var logged []error
	h = New(st, Options{OnError: func(_ *http.Request, err error) { logged = append(logged, err) }})
	code, _, body := fetch(t, h, "GET", "/n/c-crime-down?asOf=2026-01-27")
	if code != http.StatusInternalServerError || !strings.Contains(textOf(body), "The graph cannot be read as of 2026-01-27 23:59:59 UTC") ||
		!strings.Contains(textOf(body), "history is not implemented yet") || len(logged) != 1 {
		t.Errorf("failed ViewAt: %d %s (logged %v)", code, textOf(body), logged)
	}
}

func TestParseAsOf(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"", time.Time{}, false},
		{"2026-01-26T19:47:00Z", time.Date(2026, 1, 26, 19, 47, 0, 0, time.UTC), false},
		{"2026-01-26T19:47:00.5+01:00", time.Date(2026, 1, 26, 18, 47, 0, 5e8, time.UTC), false},
		{"2026-01-26T19:47", time.Date(2026, 1, 26, 19, 47, 0, 0, time.UTC), false},
		{"2026-01-26T19:47:05", time.Date(2026, 1, 26, 19, 47, 5, 0, time.UTC), false},
		{"2026-01-26", time.Date(2026, 1, 26, 23, 59, 59, 999999999, time.UTC), false},
		{" 2026-01-26 ", time.Date(2026, 1, 26, 23, 59, 59, 999999999, time.UTC), false},
		{"2026-02-30", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"1706300000", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseAsOf(tt.in)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("parseAsOf(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, errBadAsOf) {
			t.Errorf("parseAsOf(%q): error %v does not wrap errBadAsOf", tt.in, err)
		}
	}
}

// FuzzParseAsOf checks that parseAsOf never panics and that what it reads
// round-trips through the form URLs carry.
func FuzzParseAsOf(f *testing.F) {
	for _, s := range []string{"2026-01-26T19:47:00Z", "2026-01-26T19:47", "2026-01-26", "", "x", "9999-12-31T23:59:59.999999999-23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := parseAsOf(s)
		if err != nil || at.IsZero() {
			return
		}
		again, err := parseAsOf(asOfParam(at))
		if err != nil || !again.Equal(at) {
			t.Fatalf("%q read as %v does not round-trip: %v, %v", s, at, again, err)
		}
	})
}

func TestKeyboardAndAccessibilityBasics(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	for _, target := range []string{"/", "/n/c-crime-down", "/n/q-walz-request", "/trace/q-walz-request", "/ingest"} {
		page := mustPage(t, h, target)
		if !strings.Contains(page, `<a class="skip" href="#main">Skip to content</a>`) || !strings.Contains(page, `<main id="main" tabindex="-1">`) {
			t.Errorf("%s: no skip link to main", target)
		}
		if !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, `name="viewport"`) {
			t.Errorf("%s: no language or viewport", target)
		}
		// Every visible control has a label.
		for _, m := range regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*>`).FindAllString(page, -1) {
			if strings.Contains(m, `type="hidden"`) {
				continue
			}
			id := regexp.MustCompile(`\bid="([^"]+)"`).FindStringSubmatch(m)
			if id == nil || !strings.Contains(page, `for="`+id[1]+`"`) {
				t.Errorf("%s: control without a label: %s", target, m)
			}
		}
		if n := strings.Count(page, "<h1"); n != 1 {
			t.Errorf("%s: %d h1 elements", target, n)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	for _, tt := range []struct{ path, ctype string }{
		{"/static/style.css", "text/css"},
		{"/static/trace.js", "text/javascript"},
		{"/static/favicon.svg", "image/svg+xml"},
		{"/static/vendor/cytoscape.min.js", "text/javascript"},
		{"/static/vendor/LICENSE.cytoscape", "text/plain"},
	} {
		code, hdr, body := fetch(t, h, "GET", tt.path)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), tt.ctype) || len(body) == 0 || hdr.Get("ETag") == "" {
			t.Errorf("GET %s: %d %q %d bytes, ETag %q", tt.path, code, hdr.Get("Content-Type"), len(body), hdr.Get("ETag"))
		}
	}
	code, hdr, _ := fetch(t, h, "GET", "/favicon.ico")
	if code != http.StatusMovedPermanently || !strings.HasPrefix(hdr.Get("Location"), "/static/favicon.svg") {
		t.Errorf("/favicon.ico: %d to %q", code, hdr.Get("Location"))
	}
	// Nothing is loaded from another host.
	for _, target := range []string{"/", "/trace/q-walz-request", "/n/" + demo.ArticleKey} {
		page := mustPage(t, h, target)
		if m := regexp.MustCompile(`<(?:script|link|img)\b[^>]*(?:src|href)="(?:https?:)?//[^"]*"`).FindString(page); m != "" {
			t.Errorf("%s loads from another host: %s", target, m)
		}
	}
	b, err := browserFS.ReadFile("static/vendor/LICENSE.cytoscape")
	if err != nil || !strings.Contains(string(b), "Permission is hereby granted") {
		t.Errorf("Cytoscape's licence is not vendored: %v", err)
	}
}

// TestVendoredFilesMatchVersions checks the sha256 of every vendored file
// against static/vendor/VERSIONS.
func TestVendoredFilesMatchVersions(t *testing.T) {
	b, err := browserFS.ReadFile("static/vendor/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, line := range strings.Split(string(b), "\n") {
		name, sum, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") || strings.Contains(name, "@") {
			continue
		}
		data, err := browserFS.ReadFile("static/vendor/" + name)
		if err != nil {
			t.Errorf("VERSIONS names %s: %v", name, err)
			continue
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != sum {
			t.Errorf("%s: sha256 %s, VERSIONS says %s", name, got, sum)
		}
		files++
	}
	if files != 2 {
		t.Errorf("VERSIONS lists %d files, want 2", files)
	}
	js, _ := browserFS.ReadFile("static/vendor/cytoscape.min.js")
	if !strings.Contains(string(js), "__________cytoscape_stylesheet") {
		t.Errorf("cytoscape.min.js no longer adds the style element whose hash the trace page's CSP allows")
	}
}

// checkGolden compares got with testdata/name, or rewrites it with
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run go test -update after checking the change)\ngot:\n%s", path, got)
	}
}
