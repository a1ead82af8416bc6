package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// staticFiles serves the browser's embedded assets under /static/: the
// stylesheet, its scripts and the vendored Cytoscape.js, with ETags and
// gzip, as the GraphiQL handler does.
type staticFiles struct {
	assets map[string]*asset // by path below static/ ("vendor/cytoscape.min.js")
}

func newStaticFiles() *staticFiles {
	s := &staticFiles{assets: map[string]*asset{}}
	err := fs.WalkDir(browserFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(browserFS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8" // LICENSE.*, VERSIONS
		}
		name := strings.TrimPrefix(p, "static/")
		s.assets[name] = &asset{name: path.Base(p), body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		panic("web: reading embedded static files: " + err.Error()) // build-time invariant
	}
	return s
}

// ServeHTTP implements http.Handler.
func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		securityHeaders(w.Header())
		http.NotFound(w, r)
		return
	}
	// Assets are named without a version; a day of caching with
	// revalidation by ETag keeps a new binary's files fresh soon enough.
	w.Header().Set("Cache-Control", "public, max-age=3600")
	(&graphiqlHandler{}).serve(w, r, a)
}

// staticURL returns the URL of an asset with its ETag as a cache buster,
// so that a page always loads the assets of the binary that served it.
func (s *staticFiles) url(name string) string {
	a, ok := s.assets[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + strings.Trim(a.etag, `"`)[:8]
}
