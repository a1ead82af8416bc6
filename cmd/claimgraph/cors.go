package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// corsOrigins is --cors-origin: the origins whose pages may call the
// server from a browser. The flag may be repeated and each value may be a
// comma-separated list.
type corsOrigins []string

// String implements flag.Value.
func (c *corsOrigins) String() string { return strings.Join(*c, ",") }

// Set implements flag.Value: it checks and adds each origin of a
// comma-separated list.
func (c *corsOrigins) Set(v string) error {
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		norm, err := checkOrigin(o)
		if err != nil {
			return err
		}
		*c = append(*c, norm)
	}
	return nil
}

// checkOrigin accepts "*" or an origin as a browser sends it: scheme
// http or https, host and optional port, nothing else. It returns it in
// lower case (browsers send the scheme and host in lower case).
func checkOrigin(o string) (string, error) {
	if o == "*" {
		return o, nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "/") {
		return "", fmt.Errorf("%q is not an origin: want scheme://host[:port], e.g. https://app.example.org, or *", o)
	}
	return strings.ToLower(o), nil
}

// corsPolicy answers cross-origin requests from browsers. With no origin
// configured (the default) it adds nothing: browsers then refuse to let
// other sites' pages read the answers.
type corsPolicy struct {
	any     bool
	origins map[string]bool
}

func newCORSPolicy(origins []string) corsPolicy {
	p := corsPolicy{origins: map[string]bool{}}
	for _, o := range origins {
		if o == "*" {
			p.any = true
		}
		p.origins[o] = true
	}
	return p
}

func (p corsPolicy) enabled() bool { return len(p.origins) > 0 }

func (p corsPolicy) allows(origin string) bool {
	return p.any || p.origins[strings.ToLower(origin)]
}

// Methods and headers a cross-origin page may use.
const (
	corsMethods = "GET, POST"
	corsHeaders = "Content-Type, Authorization"
	corsMaxAge  = "600"
)

// wrap returns h behind the policy. A request from an allowed origin gets
// Access-Control-Allow-Origin (the origin itself, or * with "*"); its
// preflight (OPTIONS with Access-Control-Request-Method) is answered 204
// with the methods GET and POST and the headers Content-Type and
// Authorization. A preflight from any other origin, or for another
// method, gets 403 without CORS headers. Credentials (cookies) are never
// allowed: writes use a bearer token.
func (p corsPolicy) wrap(h http.Handler) http.Handler {
	if !p.enabled() {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		hd := w.Header()
		hd.Add("Vary", "Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" || !p.allows(origin) {
			if preflight {
				http.Error(w, "cross-origin requests from this origin are not allowed (--cors-origin)", http.StatusForbidden)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		allow := origin
		if p.any {
			allow = "*"
		}
		if preflight {
			hd.Add("Vary", "Access-Control-Request-Method")
			hd.Add("Vary", "Access-Control-Request-Headers")
			switch r.Header.Get("Access-Control-Request-Method") {
			case http.MethodGet, http.MethodPost, http.MethodHead:
			default:
				http.Error(w, "cross-origin requests may use GET and POST only", http.StatusForbidden)
				return
			}
			hd.Set("Access-Control-Allow-Origin", allow)
			hd.Set("Access-Control-Allow-Methods", corsMethods)
			hd.Set("Access-Control-Allow-Headers", corsHeaders)
			hd.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		hd.Set("Access-Control-Allow-Origin", allow)
		h.ServeHTTP(w, r)
	})
}
