// Package web holds claimgraph's browser assets, embedded in the binary so
// that they work offline and need no CDN.
//
// # GraphiQL
//
// [GraphiQL] serves the GraphiQL IDE: GraphiQL 4 and React 18, vendored
// unmodified from their npm packages into web/graphiql (versions, npm
// integrity hashes and sha256 of every file in web/graphiql/VERSIONS;
// refresh them with tools/vendor-graphiql.sh).
//
// The page loads its assets from relative URLs ("graphiql/graphiql.min.js")
// and the handler serves an asset by its base name wherever it is mounted,
// so one handler serves both the page (for a browser's GET /graphql or
// GET /graphiql/) and its assets (GET /graphiql/graphiql.min.js). Mount it
// at "/graphiql/" on the server's mux and hand it to the GraphQL handler for
// browser requests of /graphql. The page's fetcher posts to the "graphql"
// endpoint beside the path it was served from.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed graphiql
var graphiqlFS embed.FS

// indexName is the page served for every path that is not an asset.
const indexName = "index.html"

// pageCSP is the Content-Security-Policy of the GraphiQL page: scripts, styles
// and requests only from this server (GraphiQL injects style elements, and its
// stylesheet inlines fonts and images as data: URLs).
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is one embedded file with its validators and a lazily built gzip copy.
type asset struct {
	name  string
	body  []byte
	ctype string
	etag  string

	gzOnce sync.Once
	gz     []byte
}

func (a *asset) gzipped() []byte {
	a.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // level is valid
		_, _ = zw.Write(a.body)                                  // writes to a bytes.Buffer do not fail
		_ = zw.Close()
		if buf.Len() < len(a.body) {
			a.gz = buf.Bytes()
		}
	})
	return a.gz
}

// graphiqlHandler serves the embedded GraphiQL page and assets.
type graphiqlHandler struct {
	assets map[string]*asset
}

// GraphiQL returns a handler that serves the GraphiQL page for any path whose
// base name is not one of its assets, and the asset otherwise. Only GET and
// HEAD are allowed. Assets carry an ETag (their sha256) and are sent gzipped
// to clients that accept it.
func GraphiQL() http.Handler {
	h := &graphiqlHandler{assets: map[string]*asset{}}
	entries, err := fs.ReadDir(graphiqlFS, "graphiql")
	if err != nil {
		panic("web: embedded graphiql directory missing: " + err.Error()) // build-time invariant
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(graphiqlFS, "graphiql/"+e.Name())
		if err != nil {
			panic("web: reading embedded " + e.Name() + ": " + err.Error()) // build-time invariant
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(e.Name()))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8" // LICENSE.*, VERSIONS
		}
		h.assets[e.Name()] = &asset{
			name:  e.Name(),
			body:  body,
			ctype: ctype,
			etag:  `"` + hex.EncodeToString(sum[:16]) + `"`,
		}
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *graphiqlHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	base := path.Base(r.URL.Path)
	a, ok := h.assets[base]
	switch {
	case ok && base != indexName:
		w.Header().Set("Cache-Control", "public, max-age=86400")
	case !ok && strings.Contains(base, "."):
		http.NotFound(w, r)
		return
	default:
		a = h.assets[indexName]
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", pageCSP)
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
	}
	h.serve(w, r, a)
}

func (h *graphiqlHandler) serve(w http.ResponseWriter, r *http.Request, a *asset) {
	hdr := w.Header()
	hdr.Set("Content-Type", a.ctype)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Add("Vary", "Accept-Encoding")
	body, etag := a.body, a.etag
	if acceptsGzip(r) {
		if gz := a.gzipped(); gz != nil {
			body = gz
			etag = strings.TrimSuffix(a.etag, `"`) + `-gz"`
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip with a
// non-zero quality.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}
