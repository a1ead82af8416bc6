package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is the module path; patterns below are written with it.
const module = "claimgraph"

// pkg is the part of `go list -json` output the rules read.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
	Module     *struct{ Path string }
}

// rule is one import-direction constraint. Patterns are an import path, a
// path ending in "/..." (the path and everything below it), or "std" (any
// standard library package).
type rule struct {
	name string
	// subject selects the module packages the rule constrains.
	subject []string
	// except removes packages from subject.
	except []string
	// requires lists subject patterns that must match at least one package,
	// so a rule cannot pass because its package was renamed away.
	requires []string
	// direct checks only direct imports; otherwise all dependencies.
	direct bool
	// allow, when set, is the only patterns a subject may depend on.
	allow []string
	// deny lists patterns a subject may not depend on.
	deny []string
}

var rules = []rule{
	{
		name:     "graph imports only the standard library",
		subject:  []string{module + "/graph"},
		requires: []string{module + "/graph"},
		allow:    []string{"std"},
	},
	{
		name:    "graph's subpackages import only the standard library and graph",
		subject: []string{module + "/graph/..."},
		allow:   []string{"std", module + "/graph/..."},
	},
	{
		name:     "only store imports Badger",
		subject:  []string{module + "/..."},
		except:   []string{module + "/store/..."},
		requires: []string{module + "/store"},
		direct:   true,
		deny:     []string{"github.com/dgraph-io/badger/...", "github.com/dgraph-io/badger/v4/..."},
	},
	{
		name:     "only schema imports graphql-go",
		subject:  []string{module + "/..."},
		except:   []string{module + "/schema/..."},
		requires: []string{module + "/schema"},
		direct:   true,
		deny:     []string{"github.com/graphql-go/graphql/..."},
	},
	{
		name:     "schema, extract, export and web never import store",
		subject:  []string{module + "/schema/...", module + "/extract/...", module + "/export/...", module + "/web/..."},
		requires: []string{module + "/schema", module + "/web"},
		deny:     []string{module + "/store/..."},
	},
	{
		name:     "demo imports only graph and the standard library",
		subject:  []string{module + "/demo/..."},
		requires: []string{module + "/demo"},
		allow:    []string{"std", module + "/graph"},
	},
	{
		name:     "web imports only the standard library and graph",
		subject:  []string{module + "/web/..."},
		requires: []string{module + "/web"},
		allow:    []string{"std", module + "/graph/..."},
	},
}

// match reports whether the package path matches the pattern.
func match(pattern, path string, std bool) bool {
	switch {
	case pattern == "std":
		return std
	case strings.HasSuffix(pattern, "/..."):
		base := strings.TrimSuffix(pattern, "/...")
		return path == base || strings.HasPrefix(path, base+"/")
	default:
		return path == pattern
	}
}

func matchAny(patterns []string, path string, std bool) bool {
	for _, p := range patterns {
		if match(p, path, std) {
			return true
		}
	}
	return false
}

// check applies the rule to the packages and returns one message per
// violation, naming the import chain.
func check(pkgs map[string]*pkg, r rule) []string {
	var out []string
	for _, req := range r.requires {
		found := false
		for path, p := range pkgs {
			if !p.Standard && match(req, path, false) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, "no package matches "+req+" (renamed or not written yet?)")
		}
	}
	paths := make([]string, 0, len(pkgs))
	for path := range pkgs {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		p := pkgs[path]
		if p.Standard || !matchAny(r.subject, path, false) || matchAny(r.except, path, false) {
			continue
		}
		deps := p.Deps
		if r.direct {
			deps = p.Imports
		}
		for _, d := range deps {
			std := d == "C" || (pkgs[d] != nil && pkgs[d].Standard)
			bad := (r.allow != nil && !matchAny(r.allow, d, std)) || matchAny(r.deny, d, std)
			if bad {
				out = append(out, strings.Join(chain(pkgs, path, d), " -> "))
			}
		}
	}
	return out
}

// chain returns the shortest import chain from one package to another, or
// just the two ends when the chain cannot be rebuilt.
func chain(pkgs map[string]*pkg, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var c []string
			for n := to; n != ""; n = prev[n] {
				c = append(c, n)
			}
			slices.Reverse(c)
			return c
		}
		if pkgs[cur] == nil {
			continue
		}
		for _, next := range pkgs[cur].Imports {
			if _, seen := prev[next]; !seen {
				prev[next] = cur
				queue = append(queue, next)
			}
		}
	}
	return []string{from, to}
}

// goList runs `go list -e -deps -json ./...` at the module root.
func goList(t *testing.T) map[string]*pkg {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Standard,Imports,Deps,Module", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	if pkgs[module+"/archtest"] == nil {
		t.Fatalf("go list did not list %s/archtest: wrong module root %s?", module, root)
	}
	return pkgs
}

func TestImportDirection(t *testing.T) {
	pkgs := goList(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, v := range check(pkgs, r) {
				t.Error(v)
			}
		})
	}
}

// TestCheck proves that check catches each kind of violation on a made-up
// module, so that TestImportDirection can fail.
func TestCheck(t *testing.T) {
	std := func(path string) *pkg { return &pkg{ImportPath: path, Standard: true} }
	mod := func(path string, imports ...string) *pkg { return &pkg{ImportPath: path, Imports: imports} }
	build := func(ps ...*pkg) map[string]*pkg {
		m := map[string]*pkg{}
		for _, p := range ps {
			m[p.ImportPath] = p
		}
		// Fill Deps transitively as go list does.
		var deps func(string, map[string]bool)
		deps = func(path string, seen map[string]bool) {
			for _, d := range m[path].Imports {
				if !seen[d] {
					seen[d] = true
					deps(d, seen)
				}
			}
		}
		for path, p := range m {
			seen := map[string]bool{}
			deps(path, seen)
			for d := range seen {
				p.Deps = append(p.Deps, d)
			}
			slices.Sort(p.Deps)
		}
		return m
	}
	badger := "github.com/dgraph-io/badger/v4"
	gql := "github.com/graphql-go/graphql"
	clean := []*pkg{
		std("fmt"), std("context"), mod(badger, "fmt"), mod(gql, "fmt"), mod("golang.org/x/text/unicode/norm"),
		mod("claimgraph/graph", "fmt", "context"),
		mod("claimgraph/graph/memgraph", "claimgraph/graph"),
		mod("claimgraph/store", "claimgraph/graph", badger),
		mod("claimgraph/schema", "claimgraph/graph", gql),
		mod("claimgraph/demo", "claimgraph/graph"),
		mod("claimgraph/web", "fmt"),
		mod("claimgraph/cmd/claimgraph", "claimgraph/store", "claimgraph/schema", "claimgraph/demo", "claimgraph/web"),
	}
	with := func(replace ...*pkg) map[string]*pkg {
		all := slices.Clone(clean)
		for _, r := range replace {
			i := slices.IndexFunc(all, func(p *pkg) bool { return p.ImportPath == r.ImportPath })
			if i >= 0 {
				all[i] = r
			} else {
				all = append(all, r)
			}
		}
		cp := make([]*pkg, len(all))
		for i, p := range all {
			q := *p
			q.Deps = nil
			cp[i] = &q
		}
		return build(cp...)
	}
	without := func(path string) map[string]*pkg {
		m := with()
		delete(m, path)
		return m
	}

	tests := []struct {
		name string
		pkgs map[string]*pkg
		rule int    // index in rules
		want string // substring of the one expected violation; "" for none
	}{
		{"clean graph", with(), 0, ""},
		{"graph imports x/text", with(mod("claimgraph/graph", "fmt", "golang.org/x/text/unicode/norm")), 0, "claimgraph/graph -> golang.org/x/text/unicode/norm"},
		{"graph reaches store through a helper", with(mod("claimgraph/graph", "claimgraph/graph/memgraph"), mod("claimgraph/graph/memgraph", "claimgraph/store")), 0, "claimgraph/graph -> claimgraph/graph/memgraph -> claimgraph/store"},
		{"graph missing", without("claimgraph/graph"), 0, "no package matches claimgraph/graph"},
		{"clean subpackages", with(), 1, ""},
		{"memgraph imports store", with(mod("claimgraph/graph/memgraph", "claimgraph/graph", "claimgraph/store")), 1, "claimgraph/graph/memgraph -> claimgraph/store"},
		{"clean badger", with(), 2, ""},
		{"schema imports badger", with(mod("claimgraph/schema", "claimgraph/graph", gql, badger)), 2, "claimgraph/schema -> " + badger},
		{"store subpackage may import badger", with(mod("claimgraph/store/kv", badger)), 2, ""},
		{"clean graphql", with(), 3, ""},
		{"cmd imports graphql-go", with(mod("claimgraph/cmd/claimgraph", "claimgraph/schema", gql)), 3, "claimgraph/cmd/claimgraph -> " + gql},
		{"clean store direction", with(), 4, ""},
		{"schema imports store", with(mod("claimgraph/schema", "claimgraph/graph", gql, "claimgraph/store")), 4, "claimgraph/schema -> claimgraph/store"},
		{"export reaches store through demo", with(mod("claimgraph/export", "claimgraph/demo"), mod("claimgraph/demo", "claimgraph/graph", "claimgraph/store")), 4, "claimgraph/export -> claimgraph/demo -> claimgraph/store"},
		{"clean demo", with(), 5, ""},
		{"demo imports x/text", with(mod("claimgraph/demo", "claimgraph/graph", "golang.org/x/text/unicode/norm")), 5, "claimgraph/demo -> golang.org/x/text/unicode/norm"},
		{"clean web", with(), 6, ""},
		{"web imports schema", with(mod("claimgraph/web", "claimgraph/schema")), 6, "claimgraph/web -> claimgraph/schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(tt.pkgs, rules[tt.rule])
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("rule %q: unexpected violations %q", rules[tt.rule].name, got)
				}
				return
			}
			for _, v := range got {
				if strings.Contains(v, tt.want) {
					return
				}
			}
			t.Fatalf("rule %q: violations %q, want one containing %q", rules[tt.rule].name, got, tt.want)
		})
	}
}
