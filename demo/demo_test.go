package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"claimgraph/graph"
)

// articlePath is where the example article lives relative to this package
// directory (the repository sits next to the shared folder).
const articlePath = "../../shared/seed/example-article.txt"

// articleText returns the text of the example article from
// $CLAIMGRAPH_DEMO_TEXT or articlePath. Without it the test is skipped,
// except in CI (CI=true), which always has the file and so fails instead.
func articleText(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CLAIMGRAPH_DEMO_TEXT")
	if path == "" {
		path = articlePath
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("example article needed in CI: %v", err)
		}
		t.Skipf("example article not available (%v); set CLAIMGRAPH_DEMO_TEXT to its path", err)
	}
	return string(data)
}

func mustBundle(t *testing.T) *graph.Bundle {
	t.Helper()
	b, err := Bundle()
	if err != nil {
		t.Fatalf("Bundle: %v", err)
	}
	return b
}

// index maps keys to nodes, failing on a duplicate key.
func index(t *testing.T, b *graph.Bundle) map[string]graph.Node {
	t.Helper()
	m := make(map[string]graph.Node, len(b.Nodes))
	for _, n := range b.Nodes {
		if _, dup := m[n.NodeKey()]; dup {
			t.Errorf("duplicate key %q", n.NodeKey())
		}
		m[n.NodeKey()] = n
	}
	return m
}

func TestBundleValidates(t *testing.T) {
	b := mustBundle(t)
	if err := graph.Validate(context.Background(), b, nil); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	counts := map[graph.Kind]int{}
	for _, n := range b.Nodes {
		counts[n.NodeKind()]++
	}
	for _, k := range graph.Kinds {
		if counts[k] == 0 {
			t.Errorf("no %s in the demo", k)
		}
	}
	if len(b.Links) == 0 {
		t.Error("no links in the demo")
	}
}

func TestBundleIsFresh(t *testing.T) {
	a, b := mustBundle(t), mustBundle(t)
	a.Nodes[0] = &graph.Claim{Key: "changed", Text: "changed"}
	if b.Nodes[0].NodeKey() == "changed" {
		t.Fatal("Bundle returned shared state")
	}
	j := JSON()
	j[0] = 'x'
	if JSON()[0] == 'x' {
		t.Fatal("JSON returned shared bytes")
	}
}

// TestReferences checks every reference and link end exists in the bundle
// and has the kind its field calls for.
func TestReferences(t *testing.T) {
	b := mustBundle(t)
	nodes := index(t, b)
	agent := []graph.Kind{graph.KindPerson, graph.KindOrganisation}
	want := map[graph.Relation][]graph.Kind{
		graph.RelSpeaker:     agent,
		graph.RelSource:      {graph.KindSource},
		graph.RelChannel:     {graph.KindSource},
		graph.RelReportedBy:  {graph.KindQuote},
		graph.RelExpresses:   {graph.KindClaim},
		graph.RelPublisher:   {graph.KindOrganisation},
		graph.RelAuthor:      agent,
		graph.RelStatedBy:    agent,
		graph.RelParent:      {graph.KindOrganisation},
		graph.RelAffiliation: {graph.KindOrganisation},
		graph.RelAbout:       graph.Kinds,
		graph.RelDerivedFrom: graph.Kinds,
	}
	for _, n := range b.Nodes {
		for _, r := range n.Refs() {
			to, ok := nodes[r.To]
			if !ok {
				t.Errorf("%s field %s: unknown key %q", n.NodeKey(), r.Field, r.To)
				continue
			}
			kinds := want[r.Relation]
			if n.NodeKind() == graph.KindSource && r.Relation == graph.RelDerivedFrom {
				kinds = []graph.Kind{graph.KindSource}
			}
			if !slices.Contains(kinds, to.NodeKind()) {
				t.Errorf("%s field %s: %q is a %s", n.NodeKey(), r.Field, r.To, to.NodeKind())
			}
		}
	}
	seen := map[string]bool{}
	for i, l := range b.Links {
		id := fmt.Sprintf("%s %s %s", l.From, l.Relation, l.To)
		if seen[id] {
			t.Errorf("links[%d]: duplicate link %s", i, id)
		}
		seen[id] = true
		for _, k := range []string{l.From, l.To} {
			if _, ok := nodes[k]; !ok {
				t.Errorf("links[%d] %s: unknown key %q", i, id, k)
			}
		}
		if (l.Relation == graph.RelContradicts) != (l.Reason != "") {
			t.Errorf("links[%d] %s: reason %q (contradicts needs one, others none)", i, id, l.Reason)
		}
	}
}

// TestCanonicalCase checks the facts that the design's questions rely on.
func TestCanonicalCase(t *testing.T) {
	b := mustBundle(t)
	nodes := index(t, b)
	quote := func(k string) *graph.Quote {
		q, ok := nodes[k].(*graph.Quote)
		if !ok {
			t.Fatalf("no quote %q", k)
		}
		return q
	}
	source := func(k string) *graph.Source {
		s, ok := nodes[k].(*graph.Source)
		if !ok {
			t.Fatalf("no source %q", k)
		}
		return s
	}

	art := source(ArticleKey)
	if art.Kind != "article" || art.Text != "" || len(art.ContentSHA256) != 64 || art.PublishedAt != "2026-01-26T19:47:00Z" {
		t.Errorf("article source: kind %q, %d bytes of text, hash %q, published %q",
			art.Kind, len(art.Text), art.ContentSHA256, art.PublishedAt)
	}

	// The three-hop chain: article reports Trump's post, which reports Walz's request made on the call.
	req := quote("q-walz-request")
	post := quote(req.ReportedBy)
	if req.Speaker != "tim-walz" || req.Mode != "indirect" || req.Cue == "" || req.Certainty != "probable" {
		t.Errorf("Walz's request: %+v", req)
	}
	if post.Speaker != "donald-trump" || post.Cue != "posted" || post.Mode != "direct" || post.Source != ArticleKey {
		t.Errorf("Trump's post quote: %+v", post)
	}
	if source(post.Channel).Kind != "social_post" || source(req.Channel).Kind != "call" {
		t.Errorf("channels: post %q, request %q", post.Channel, req.Channel)
	}
	if !slices.Contains(art.DerivedFrom, graph.Derivation{Source: post.Channel, Relation: "quotes"}) {
		t.Errorf("article does not quote the post: %+v", art.DerivedFrom)
	}
	if d := source(post.Channel).DerivedFrom; !slices.Contains(d, graph.Derivation{Source: req.Channel, Relation: "summarises"}) {
		t.Errorf("post does not summarise the call: %+v", d)
	}

	crime := quote("q-trump-crime-down")
	if crime.Text != "crime is way down" || crime.Speaker != "donald-trump" || crime.SaidAt != "2026-01-26" ||
		!slices.Contains(crime.Claims, "c-crime-down") {
		t.Errorf("crime quote: %+v", crime)
	}

	links := map[string]string{} // "from relation to" -> reason
	for _, l := range b.Links {
		links[fmt.Sprintf("%s %s %s", l.From, l.Relation, l.To)] = l.Reason
	}
	for _, tc := range []struct{ link, reason string }{
		{"f-shootings supports c-crime-down", ""},
		{"f-homicides supports c-crime-down", ""},
		{"c-some-crimes-up contradicts c-crime-down", "different_measure"},
		{"q-frey-less-safe contradicts c-crime-down", "factual"},
		{"f-walz-agents contradicts f-dhs-extra-agents", "different_scope"},
	} {
		reason, ok := links[tc.link]
		if !ok || reason != tc.reason {
			t.Errorf("link %s: present %v, reason %q, want %q", tc.link, ok, reason, tc.reason)
		}
	}

	for _, tc := range []struct {
		key      string
		value    float64
		unit     string
		statedBy string
	}{
		{"f-dhs-extra-agents", 2000, "people", "dhs"},
		{"f-walz-agents", 3000, "people", "tim-walz"},
		{"f-shootings", 76, "percent", "mpls-police"},
		{"f-homicides", 67, "percent", "mpls-police"},
		{"f-dhs-in-custody", 1360, "people", "dhs"},
		{"f-dhs-on-the-loose", 470, "people", "dhs"},
		{"f-ice-arrests", 3000, "people", "ice"},
		{"f-ceo-companies", 60, "companies", "mn-ceos"},
	} {
		f, ok := nodes[tc.key].(*graph.Figure)
		if !ok || f.Value != tc.value || f.Unit != tc.unit || f.StatedBy != tc.statedBy || f.Source != ArticleKey || f.Span == nil {
			t.Errorf("figure %s: %+v", tc.key, nodes[tc.key])
		}
	}

	spans := map[[2]int]bool{}
	for _, n := range b.Nodes {
		switch n := n.(type) {
		case *graph.Quote:
			if n.Span != nil {
				spans[[2]int{n.Span.Start, n.Span.End}] = true
			}
		case *graph.Figure:
			if n.Span != nil {
				spans[[2]int{n.Span.Start, n.Span.End}] = true
			}
		}
	}
	if len(spans) < 8 {
		t.Errorf("%d distinct spans, want at least 8", len(spans))
	}
}

// spanned is a quote or figure text with its span into the article.
type spanned struct {
	key, text, mode string
	span            *graph.Span
}

func spannedRecords(b *graph.Bundle) []spanned {
	var out []spanned
	for _, n := range b.Nodes {
		switch n := n.(type) {
		case *graph.Quote:
			if n.Source == ArticleKey {
				out = append(out, spanned{n.Key, n.Text, n.Mode, n.Span})
			}
		case *graph.Figure:
			if n.Source == ArticleKey {
				out = append(out, spanned{n.Key, n.Text, "", n.Span})
			}
		}
	}
	return out
}

// TestSpansWithArticle attaches the article and checks every span, through
// graph.Validate and directly.
func TestSpansWithArticle(t *testing.T) {
	text := articleText(t)
	b := mustBundle(t)
	if err := AttachText(b, ArticleKey, text); err != nil {
		t.Fatalf("AttachText: %v", err)
	}
	if err := graph.Validate(context.Background(), b, nil); err != nil {
		t.Fatalf("Validate with the article text: %v", err)
	}
	runes := []rune(text)
	recs := spannedRecords(b)
	if len(recs) < 8 {
		t.Fatalf("%d quotes and figures anchored in the article", len(recs))
	}
	for _, r := range recs {
		if r.span == nil {
			t.Errorf("%s: no span", r.key)
			continue
		}
		s, e := r.span.Start, r.span.End
		if s < 0 || e <= s || e > len(runes) {
			t.Errorf("%s: span [%d,%d) outside the text (%d code points)", r.key, s, e, len(runes))
			continue
		}
		if got := string(runes[s:e]); got != r.text {
			t.Errorf("%s: span [%d,%d) is %q, text is %q", r.key, s, e, got, r.text)
			continue
		}
		// Verbatim quotes sit between quote marks, which the span leaves
		// out; a closing comma or full stop inside the marks is left out too.
		if r.mode == "direct" || r.mode == "partial" {
			if s == 0 || !strings.ContainsRune("“‘\"", runes[s-1]) {
				t.Errorf("%s: no opening quote mark before the span", r.key)
			}
			after := runes[e:min(e+2, len(runes))]
			if len(after) > 0 && (after[0] == ',' || after[0] == '.') {
				after = after[1:]
			}
			if len(after) == 0 || !strings.ContainsRune("”’\"", after[0]) {
				t.Errorf("%s: no closing quote mark after the span", r.key)
			}
		}
	}
}

func TestAttachText(t *testing.T) {
	const own = "A made-up text for the test, not the article."
	for _, tc := range []struct {
		name    string
		key     string
		text    string
		wantErr string // substring; "" means success
		isMis   bool
	}{
		{"matching text", "s-own", own, "", false},
		{"other text", "s-own", own + " ", "sha256 " + graph.ContentHash(own+" "), true},
		{"line endings", "s-own", strings.ReplaceAll(own, " ", "\r\n"), `source "s-own"`, true},
		{"no such source", "s-missing", own, `no source "s-missing"`, false},
		{"not a source", "c-own", own, "not a source", false},
		{"source without hash", "s-nohash", own, "no content_sha256", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &graph.Bundle{Nodes: []graph.Node{
				&graph.Source{Key: "s-own", Kind: "article", ContentSHA256: graph.ContentHash(own)},
				&graph.Source{Key: "s-nohash", Kind: "article"},
				&graph.Claim{Key: "c-own", Text: "a claim"},
			}}
			err := AttachText(b, tc.key, tc.text)
			src := b.Nodes[0].(*graph.Source)
			if tc.wantErr == "" {
				if err != nil || src.Text != tc.text {
					t.Fatalf("err %v, text %q", err, src.Text)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want it to contain %q", err, tc.wantErr)
			}
			if errors.Is(err, ErrTextMismatch) != tc.isMis {
				t.Errorf("errors.Is(err, ErrTextMismatch) = %v", !tc.isMis)
			}
			if src.Text != "" || b.Nodes[1].(*graph.Source).Text != "" {
				t.Error("text attached despite the error")
			}
		})
	}
}

func TestAttachWrongTextToDemo(t *testing.T) {
	b := mustBundle(t)
	err := AttachText(b, ArticleKey, "Some other report entirely.")
	if !errors.Is(err, ErrTextMismatch) || !strings.Contains(err.Error(), ArticleKey) {
		t.Fatalf("err %v, want a hash mismatch naming %s", err, ArticleKey)
	}
	if err := graph.Validate(context.Background(), b, nil); err != nil {
		t.Fatalf("bundle changed by the failed attach: %v", err)
	}
}

func TestAttachFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	bad := filepath.Join(dir, "bad.txt")
	const own = "Another made-up text."
	if err := os.WriteFile(good, []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(own+"!"), 0o600); err != nil {
		t.Fatal(err)
	}
	newBundle := func() *graph.Bundle {
		return &graph.Bundle{Nodes: []graph.Node{&graph.Source{Key: "s", Kind: "report", ContentSHA256: graph.ContentHash(own)}}}
	}
	b := newBundle()
	if err := AttachFile(b, "s", good); err != nil || b.Nodes[0].(*graph.Source).Text != own {
		t.Fatalf("good file: %v", err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.txt")} {
		err := AttachFile(newBundle(), "s", path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err %v, want one naming the file", path, err)
		}
	}
}

// words splits s into lower-case words of letters and digits, so that
// punctuation, quote-mark style and spacing do not hide a copied passage.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// windows returns every run of n consecutive words of s, joined by spaces.
func windows(s string, n int) map[string]bool {
	w := words(s)
	out := map[string]bool{}
	for i := 0; i+n <= len(w); i++ {
		out[strings.Join(w[i:i+n], " ")] = true
	}
	return out
}

// jsonStrings calls fn with every string value in v and its path.
func jsonStrings(v any, path string, fn func(path, s string)) {
	switch v := v.(type) {
	case string:
		fn(path, v)
	case []any:
		for i, e := range v {
			jsonStrings(e, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case map[string]any:
		for k, e := range v {
			jsonStrings(e, path+"."+k, fn)
		}
	}
}

// TestNoArticleProse guards the rule that the article's prose stays out of
// the project: outside the texts of quotes and figures and the article's
// headline, no 12 consecutive words of the article appear in demo.json or
// in this package's Go files; and nowhere, quotes included, is there a run
// of the article longer than its longest verbatim quote.
func TestNoArticleProse(t *testing.T) {
	const n = 12
	text := articleText(t)
	var doc map[string]any
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	type field struct{ path, s string }
	var free, quoted []field
	for _, sec := range []string{"quotes", "figures", "sources"} {
		recs, _ := doc[sec].([]any)
		for i, r := range recs {
			m, _ := r.(map[string]any)
			s, _ := m["text"].(string)
			switch {
			case sec != "sources" && s != "":
				quoted = append(quoted, field{fmt.Sprintf("%s[%d].text", sec, i), s})
				delete(m, "text")
			case sec == "sources" && m["key"] == ArticleKey:
				quoted = append(quoted, field{fmt.Sprintf("%s[%d].title", sec, i), m["title"].(string)})
				delete(m, "title")
			}
		}
	}
	jsonStrings(doc, "demo.json", func(path, s string) { free = append(free, field{path, s}) })
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		free = append(free, field{f, string(data)})
	}

	article := windows(text, n)
	for _, f := range free {
		for w := range windows(f.s, n) {
			if article[w] {
				t.Errorf("%s holds article prose: %q", f.path, w)
			}
		}
	}

	// The longest verbatim quote bounds every run, indirect quotes included.
	b := mustBundle(t)
	longest := 0
	for _, r := range spannedRecords(b) {
		if r.mode == "direct" || r.mode == "partial" {
			longest = max(longest, len(words(r.text)))
		}
	}
	if longest < n {
		t.Fatalf("longest verbatim quote has %d words", longest)
	}
	article = windows(text, longest+1)
	for _, f := range append(free, quoted...) {
		for w := range windows(f.s, longest+1) {
			if article[w] {
				t.Errorf("%s holds %d words of the article, more than its longest quote: %q", f.path, longest+1, w)
			}
		}
	}
}

// ExampleBundle counts the demo's records by kind.
func ExampleBundle() {
	b, err := Bundle()
	if err != nil {
		fmt.Println(err)
		return
	}
	counts := map[graph.Kind]int{}
	for _, n := range b.Nodes {
		counts[n.NodeKind()]++
	}
	for _, k := range graph.Kinds {
		fmt.Printf("%s: %d\n", k.Section(), counts[k])
	}
	fmt.Printf("links: %d\n", len(b.Links))
	// Output:
	// people: 3
	// organisations: 9
	// sources: 9
	// quotes: 16
	// claims: 13
	// figures: 11
	// links: 17
}
