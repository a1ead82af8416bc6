package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGraphiQLRoutes(t *testing.T) {
	h := GraphiQL()
	index, err := fs.ReadFile(graphiqlFS, "graphiql/index.html")
	if err != nil {
		t.Fatal(err)
	}
	js, err := fs.ReadFile(graphiqlFS, "graphiql/graphiql.min.js")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		method    string
		target    string
		status    int
		ctype     string // prefix
		wantBody  []byte // nil: not checked
		wantCSP   bool
		wantAllow string
	}{
		{"page at /graphql", "GET", "/graphql", 200, "text/html", index, true, ""},
		{"page at /graphiql/", "GET", "/graphiql/", 200, "text/html", index, true, ""},
		{"page behind a prefix", "GET", "/api/graphql", 200, "text/html", index, true, ""},
		{"asset under /graphiql/", "GET", "/graphiql/graphiql.min.js", 200, "text/javascript", js, false, ""},
		{"asset resolved from /graphiql/ page", "GET", "/graphiql/graphiql/graphiql.min.js", 200, "text/javascript", js, false, ""},
		{"stylesheet", "GET", "/graphiql/graphiql.min.css", 200, "text/css", nil, false, ""},
		{"react", "GET", "/graphiql/react.production.min.js", 200, "text/javascript", nil, false, ""},
		{"licence", "GET", "/graphiql/LICENSE.graphiql", 200, "text/plain", nil, false, ""},
		{"head", "HEAD", "/graphiql/init.js", 200, "text/javascript", []byte{}, false, ""},
		{"unknown asset", "GET", "/graphiql/missing.js", 404, "text/plain", nil, false, ""},
		{"post refused", "POST", "/graphiql/", 405, "text/plain", nil, false, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, h, tt.method, tt.target, nil)
			b := body(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want prefix %q", ct, tt.ctype)
			}
			if tt.wantBody != nil && !bytes.Equal(b, tt.wantBody) {
				t.Errorf("body: got %d bytes, want %d", len(b), len(tt.wantBody))
			}
			if got := resp.Header.Get("Content-Security-Policy") != ""; got != tt.wantCSP {
				t.Errorf("CSP present = %v, want %v", got, tt.wantCSP)
			}
			if got := resp.Header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

// TestIndexLoadsOnlyEmbeddedAssets proves the page works offline: every
// src and href is relative and names an embedded file, and nothing points to
// another host.
func TestIndexLoadsOnlyEmbeddedAssets(t *testing.T) {
	h := GraphiQL()
	resp := get(t, h, "GET", "/graphql", map[string]string{"Accept": "text/html"})
	page := string(body(t, resp))
	if strings.Contains(page, "//") && regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`).MatchString(page) {
		t.Fatalf("page loads something from another host:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 5 {
		t.Fatalf("found %d asset references, want at least 5 (css, react, react-dom, graphiql, init)", len(refs))
	}
	for _, m := range refs {
		ref := m[1]
		if strings.HasPrefix(ref, "data:") {
			continue
		}
		if strings.HasPrefix(ref, "/") || strings.Contains(ref, ":") {
			t.Errorf("reference %q is not relative", ref)
			continue
		}
		// A browser resolves the reference against the page's URL; check
		// both places the page is served from.
		for _, pageURL := range []string{"/graphql", "/graphiql/"} {
			target := resolve(pageURL, ref)
			r := get(t, h, "GET", target, nil)
			b := body(t, r)
			if r.StatusCode != 200 || strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || len(b) == 0 {
				t.Errorf("page %s: %q -> %s: status %d, type %q, %d bytes", pageURL, ref, target, r.StatusCode, r.Header.Get("Content-Type"), len(b))
			}
		}
	}
}

// resolve resolves a relative reference against a path the way a browser does.
func resolve(page, ref string) string {
	dir := page[:strings.LastIndex(page, "/")+1]
	return dir + ref
}

func TestInitPointsAtGraphQLEndpoint(t *testing.T) {
	b, err := fs.ReadFile(graphiqlFS, "graphiql/init.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GraphiQL.createFetcher", `"../graphql"`, "ReactDOM.createRoot"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("init.js lacks %s", want)
		}
	}
}

func TestConditionalAndGzip(t *testing.T) {
	h := GraphiQL()
	plain := get(t, h, "GET", "/graphiql/graphiql.min.js", nil)
	want := body(t, plain)
	etag := plain.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	notModified := get(t, h, "GET", "/graphiql/graphiql.min.js", map[string]string{"If-None-Match": etag})
	if notModified.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", notModified.StatusCode)
	}

	tests := []struct {
		accept string
		gz     bool
	}{
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8", true},
		{"gzip;q=0", false},
		{"deflate", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			resp := get(t, h, "GET", "/graphiql/graphiql.min.js", map[string]string{"Accept-Encoding": tt.accept})
			b := body(t, resp)
			gz := resp.Header.Get("Content-Encoding") == "gzip"
			if gz != tt.gz {
				t.Fatalf("gzip = %v, want %v", gz, tt.gz)
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Error("no Vary: Accept-Encoding")
			}
			if gz {
				if resp.Header.Get("ETag") == etag {
					t.Error("gzip variant has the same ETag as the identity one")
				}
				zr, err := gzip.NewReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if b, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(b, want) {
				t.Errorf("decoded body differs from the asset (%d vs %d bytes)", len(b), len(want))
			}
		})
	}
}

// TestVersionsMatchFiles checks that VERSIONS records the sha256 of every
// vendored file, so a changed or truncated asset is caught.
func TestVersionsMatchFiles(t *testing.T) {
	f, err := graphiqlFS.Open("graphiql/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		name, sum, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad VERSIONS line %q", line)
		}
		if strings.Contains(name, "@") { // package line with npm integrity
			continue
		}
		b, err := fs.ReadFile(graphiqlFS, "graphiql/"+name)
		if err != nil {
			t.Errorf("VERSIONS names %s: %v", name, err)
			continue
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: sha256 %x, VERSIONS says %s", name, got, sum)
		}
		seen++
	}
	if seen < 7 {
		t.Errorf("VERSIONS lists %d files, want the 7 vendored ones", seen)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=0.5", true},
		{"gzip; q=0", false},
		{"gzip;q=0.000", false},
		{"x-gzip", false},
		{"", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

// FuzzAcceptsGzip checks the Accept-Encoding parser never panics and only
// accepts headers that name gzip.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "br;q=1.0, gzip;q=0.8", "gzip;q=0", "", ",,;", "GZIP ; q=0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Accept-Encoding"] = []string{s}
		if acceptsGzip(r) && !strings.Contains(strings.ToLower(s), "gzip") {
			t.Fatalf("acceptsGzip(%q) = true without gzip in the header", s)
		}
	})
}
