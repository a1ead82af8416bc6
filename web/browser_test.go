package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"claimgraph/demo"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// articlePath is the example article, relative to this package's
// directory (the repository sits next to the shared folder).
const articlePath = "../../shared/seed/example-article.txt"

// demoStore returns a memgraph store holding the demo bundle with the
// example article's text attached, so that spans can be shown.
func demoStore(t testing.TB) graph.Store {
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
	st := memgraph.New()
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Apply(context.Background(), b.Batch("test", "demo")); err != nil {
		t.Fatal(err)
	}
	return st
}

// fixedNow is the clock of the test browsers.
var fixedNow = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)

// testBrowser returns the browser over the demo, built once per test run
// of the package's read-only tests.
var sharedDemo = sync.OnceValues(func() (http.Handler, error) { return nil, nil })

func newDemoBrowser(t testing.TB, opt Options) http.Handler {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return fixedNow }
	}
	return New(demoStore(t), opt)
}

// fetch runs one request and returns the status and body.
func fetch(t testing.TB, h http.Handler, method, target string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

// page fetches a page that must answer 200 with HTML.
func mustPage(t testing.TB, h http.Handler, target string) string {
	t.Helper()
	code, hdr, body := fetch(t, h, "GET", target)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", target, code, body)
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q", target, ct)
	}
	return body
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// textOf strips tags and collapses white space, for assertions on what a
// reader sees.
func textOf(html string) string {
	s := tagRE.ReplaceAllString(html, " ")
	s = strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func TestSmoke(t *testing.T) {
	h := newDemoBrowser(t, Options{})
	for _, target := range []string{"/", "/?q=crime+is+way+down", "/n/q-trump-crime-down", "/n/donald-trump", "/n/dhs",
		"/n/c-crime-down", "/n/f-walz-agents", "/n/article-trump-walz-call", "/trace/q-walz-request"} {
		body := mustPage(t, h, target)
		t.Logf("%s: %d bytes", target, len(body))
	}
	_ = sharedDemo
}
