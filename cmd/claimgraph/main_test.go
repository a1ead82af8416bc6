package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"claimgraph/graph"
	"claimgraph/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// result is what one run of the command line produced.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// cli runs the command line as main does, with no environment.
func cli(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return cliEnv(t, nil, stdin, args...)
}

func cliEnv(t *testing.T, envv map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return envv[k] }, strings.NewReader(stdin), &out, &errb)
	code := report(err, &errb)
	return result{out.String(), errb.String(), code}
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
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
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// importSummary is the --json output of import.
type importSummary struct {
	Files []fileSummary `json:"files"`
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

func TestVersion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"version"}, []string{"claimgraph ", "\ncommit  ", "\ngo      " + runtime.Version()}},
		{[]string{"--version"}, []string{"claimgraph ", runtime.Version()}},
		{[]string{"version", "--json"}, []string{`"version": `, `"commit": `, `"go": "` + runtime.Version() + `"`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := cli(t, "", tt.args...)
			if r.code != 0 {
				t.Fatal(r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestReadBuildInfo(t *testing.T) {
	stamped := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "claimgraph", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"},
			{Key: "vcs.time", Value: "2026-05-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	installed := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "claimgraph", Version: "v1.2.3"}}
	bare := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "claimgraph", Version: "(devel)"}}
	tests := []struct {
		name             string
		info             *debug.BuildInfo
		ldVersion, ldRev string
		want             buildInfo
	}{
		{"vcs stamp wins over ldflags", stamped, "v0.1.0-3-gabc", "ffff",
			buildInfo{Version: "v0.1.0-3-gabc", Commit: "0123abcd", CommitTime: "2026-05-01T10:00:00Z", Modified: true, Go: "go1.26.8"}},
		{"module version from go install", installed, "", "",
			buildInfo{Version: "v1.2.3", Commit: "unknown", Go: "go1.26.8"}},
		{"ldflags without stamp", bare, "v0.2.0", "beef",
			buildInfo{Version: "v0.2.0", Commit: "beef", Go: "go1.26.8"}},
		{"nothing known", bare, "", "",
			buildInfo{Version: "devel", Commit: "unknown", Go: "go1.26.8"}},
		{"no build info", nil, "", "",
			buildInfo{Version: "devel", Commit: "unknown", Go: runtime.Version()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := func() (*debug.BuildInfo, bool) { return tt.info, tt.info != nil }
			got := readBuildInfo(read, tt.ldVersion, tt.ldRev)
			tt.want.Platform = runtime.GOOS + "/" + runtime.GOARCH
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseVarValue(t *testing.T) {
	tests := []struct {
		in   string
		want string // JSON of the parsed value
	}{
		{"hello", `"hello"`},
		{"42", `42`},
		{"12345678901234567890", `12345678901234567890`},
		{"true", `true`},
		{"null", `null`},
		{`"42"`, `"42"`},
		{`["a","b"]`, `["a","b"]`},
		{`{"first": 2}`, `{"first":2}`},
		{"crime is way down", `"crime is way down"`},
		{"42 43", `"42 43"`},
		{"{broken", `"{broken"`},
		{"", `""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b, err := json.Marshal(parseVarValue(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("parseVarValue(%q) = %s, want %s", tt.in, b, tt.want)
			}
		})
	}
}

func TestVarsSet(t *testing.T) {
	v := vars{}
	for _, s := range []string{"text=crime is down", "$first=3", "_x9=1"} {
		if err := v.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	if v["text"] != "crime is down" || fmt.Sprint(v["first"]) != "3" {
		t.Errorf("vars = %#v", v)
	}
	for _, bad := range []string{"novalue", "=3", "text=again", "$$=1", "1st=2", "a-b=3", "sp ace=4", "é=5"} {
		if err := v.Set(bad); err == nil {
			t.Errorf("Set(%q) succeeded, want an error", bad)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args     []string
		wantPos  []string
		wantFlag bool
		wantData string
	}{
		{[]string{"a.json", "b.json"}, []string{"a.json", "b.json"}, false, "d"},
		{[]string{"--x", "a.json"}, []string{"a.json"}, true, "d"},
		{[]string{"a.json", "--x", "--data", "dir", "b.json"}, []string{"a.json", "b.json"}, true, "dir"},
		{[]string{"-", "--x"}, []string{"-"}, true, "d"},
		{[]string{"a.json", "--", "--x"}, []string{"a.json", "--x"}, false, "d"},
		{nil, nil, false, "d"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			x := fs.Bool("x", false, "")
			data := fs.String("data", "d", "")
			pos, err := parse(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(pos) != fmt.Sprint(tt.wantPos) || *x != tt.wantFlag || *data != tt.wantData {
				t.Errorf("got %q x=%v data=%q, want %q x=%v data=%q", pos, *x, *data, tt.wantPos, tt.wantFlag, tt.wantData)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no command", nil, 2, "usage: claimgraph COMMAND"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"import without files", []string{"import", "--data", dir}, 2, "name at least one bundle file"},
		{"stdin twice", []string{"import", "--data", dir, "-", "-"}, 2, "standard input) given twice"},
		{"unknown flag", []string{"stats", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"bad log format", []string{"stats", "--data", dir, "--log-format", "xml"}, 2, `--log-format "xml"`},
		{"bad log level", []string{"stats", "--data", dir, "--log-level", "loud"}, 2, `--log-level "loud"`},
		{"query without document", []string{"query", "--data", dir}, 2, "exactly one GraphQL document"},
		{"query with two documents", []string{"query", "--data", dir, "{a}", "{b}"}, 2, "exactly one GraphQL document"},
		{"bad var", []string{"query", "--data", dir, "--var", "novalue", "{a}"}, 2, "want NAME=VALUE"},
		{"demo text without demo", []string{"serve", "--data", dir, "--demo-text", "x.txt"}, 2, "--demo-text needs --demo"},
		{"stats with an argument", []string{"stats", "--data", dir, "extra"}, 2, "takes no arguments"},
		{"stats on a missing data directory", []string{"stats", "--data", filepath.Join(dir, "typo")}, 1, "no data directory at " + filepath.Join(dir, "typo")},
		{"query on a missing data directory", []string{"query", "--data", filepath.Join(dir, "typo"), "{ stats { nodes } }"}, 1, "no data directory at"},
		{"missing bundle file", []string{"import", "--data", dir, filepath.Join(dir, "missing.json")}, 1, "missing.json: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want exit %d and %q in stderr, got %s", tt.code, tt.want, r)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args   []string
		stream string
		want   string
	}{
		{[]string{"help"}, "stdout", "commands:"},
		{[]string{"help", "import"}, "stderr", "--allow-unknown"},
		{[]string{"query", "--help"}, "stderr", "--var"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := cli(t, "", tt.args...)
			out := r.stdout
			if tt.stream == "stderr" {
				out = r.stderr
			}
			if r.code != 0 || !strings.Contains(out, tt.want) {
				t.Errorf("want exit 0 and %q on %s, got %s", tt.want, tt.stream, r)
			}
		})
	}
}

// TestImportThenQuery imports a bundle, checks the summary and the counts,
// and asks the schema about it in process.
func TestImportThenQuery(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	r := cli(t, "", "import", "--data", dir, "testdata/library.json")
	if r.code != 0 {
		t.Fatal(r)
	}
	golden(t, "import_library.txt", r.stdout)

	r = cli(t, "", "stats", "--data", dir)
	if r.code != 0 {
		t.Fatal(r)
	}
	golden(t, "stats_library.txt", r.stdout)

	tests := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, out map[string]any)
	}{
		{
			name: "node by id",
			args: []string{`{ node(id: "ines-varga") { id kind ... on Person { name aliases } } }`},
			check: func(t *testing.T, out map[string]any) {
				want := `{"data":{"node":{"aliases":["Varga","Mayor Varga"],"id":"ines-varga","kind":"PERSON","name":"Inès Varga"}}}`
				if got := mustJSON(t, out); got != want {
					t.Errorf("got %s\nwant %s", got, want)
				}
			},
		},
		{
			name: "whoSaid with a variable, flags after the document",
			args: []string{`query($t: String!) { whoSaid(text: $t) { totalCount edges { node { id speaker { name } source { id } } } } }`, "--var", "t=NEVER be  locked"},
			check: func(t *testing.T, out map[string]any) {
				want := `{"data":{"whoSaid":{"edges":[{"node":{"id":"q-locked","source":{"id":"herald-sundays"},"speaker":{"name":"Inès Varga"}}}],"totalCount":1}}}`
				if got := mustJSON(t, out); got != want {
					t.Errorf("got %s\nwant %s", got, want)
				}
			},
		},
		{
			name: "numeric variable parsed as JSON",
			args: []string{"--var", "n=1", `query($n: Int) { whoSaid(text: "the city library", first: $n) { totalCount edges { node { id } } } }`},
			check: func(t *testing.T, out map[string]any) {
				want := `{"data":{"whoSaid":{"edges":[{"node":{"id":"q-announce"}}],"totalCount":1}}}`
				if got := mustJSON(t, out); got != want {
					t.Errorf("got %s\nwant %s", got, want)
				}
			},
		},
		{
			name: "syntax error exits 1 with the errors",
			args: []string{`{ node(id: "ines-varga") { id `},
			code: 1,
			check: func(t *testing.T, out map[string]any) {
				if errs, _ := out["errors"].([]any); len(errs) == 0 {
					t.Errorf("no errors in %v", out)
				}
			},
		},
		{
			name: "unknown field exits 1",
			args: []string{`{ nosuchfield }`},
			code: 1,
			check: func(t *testing.T, out map[string]any) {
				if errs, _ := out["errors"].([]any); len(errs) == 0 {
					t.Errorf("no errors in %v", out)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, "", append([]string{"query", "--data", dir}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("want exit %d, got %s", tt.code, r)
			}
			tt.check(t, decodeJSON[map[string]any](t, r.stdout))
		})
	}

	// The query document may come from standard input.
	r = cli(t, `{ node(id: "c-open-sundays") { id kind } }`, "query", "--data", dir, "--compact", "-")
	if want := `{"data":{"node":{"id":"c-open-sundays","kind":"CLAIM"}}}` + "\n"; r.code != 0 || r.stdout != want {
		t.Errorf("query from stdin: want %q, got %s", want, r)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v) // map keys sorted: stable
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImportTwiceUnchanged imports the same bundle twice: the second import
// changes nothing.
func TestImportTwiceUnchanged(t *testing.T) {
	dir := t.TempDir()
	first := cli(t, "", "import", "--data", dir, "--json", "testdata/library.json")
	if first.code != 0 {
		t.Fatal(first)
	}
	s1 := decodeJSON[importSummary](t, first.stdout)
	second := cli(t, "", "import", "--data", dir, "--json", "testdata/library.json")
	if second.code != 0 {
		t.Fatal(second)
	}
	s2 := decodeJSON[importSummary](t, second.stdout)
	if len(s1.Files) != 1 || len(s2.Files) != 1 {
		t.Fatalf("want one file in each summary: %s %s", first.stdout, second.stdout)
	}
	a, b := s1.Files[0], s2.Files[0]
	if a.By != "import:library.json" {
		t.Errorf("by = %q, want import:library.json", a.By)
	}
	if a.Nodes.Added != 9 || a.Nodes.Changed != 0 || a.Nodes.Unchanged != 0 || a.Links.Added != 1 {
		t.Errorf("first import: nodes %+v links %+v, want 9 added and 1 link added", a.Nodes, a.Links)
	}
	if b.Nodes != (graph.Counts{Unchanged: 9}) || b.Links != (graph.Counts{Unchanged: 1}) {
		t.Errorf("second import: nodes %+v links %+v, want everything unchanged", b.Nodes, b.Links)
	}
	if b.ByKind["quote"] != (graph.Counts{Unchanged: 2}) {
		t.Errorf("second import by kind: %+v", b.ByKind)
	}
	// The text summary of an unchanged import.
	third := cli(t, "", "import", "--data", dir, "testdata/library.json")
	if third.code != 0 {
		t.Fatal(third)
	}
	golden(t, "import_again.txt", third.stdout)
}

// TestImportFilesAndStdin imports two bundles in one run, the second from
// standard input in JSON Lines and referring to records of the first.
func TestImportFilesAndStdin(t *testing.T) {
	dir := t.TempDir()
	followup, err := os.ReadFile("testdata/followup.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	r := cli(t, string(followup), "import", "--data", dir, "--json", "testdata/library.json", "-")
	if r.code != 0 {
		t.Fatal(r)
	}
	s := decodeJSON[importSummary](t, r.stdout)
	if len(s.Files) != 2 || s.Files[1].By != "import:stdin" || s.Files[1].Nodes.Added != 3 || s.Files[1].Links.Added != 1 {
		t.Errorf("summary: %s", r.stdout)
	}
	r = cli(t, "", "stats", "--data", dir, "--json")
	st := decodeJSON[statsJSON](t, r.stdout)
	if st.TotalNodes != 12 || st.Links != 2 || st.Nodes["person"] != 2 {
		t.Errorf("stats: %s", r.stdout)
	}
}

// TestBadBundleWritesNothing imports bundles with problems: every problem is
// listed with its place, key and field, the exit status is 1, and nothing is
// written.
func TestBadBundleWritesNothing(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{
			name:  "dangling reference, bad span, unknown field, duplicate key",
			files: []string{"testdata/bad.json"},
			want: []string{
				"testdata/bad.json: people[0] key pia-holm field favourite_colour: ",
				"testdata/bad.json: people[1] key pia-holm field key: ",
				"testdata/bad.json: quotes[0] key q-ghost field speaker: ",
				"testdata/bad.json: quotes[1] key q-far field span",
			},
		},
		{
			name:  "a good file with a bad one",
			files: []string{"testdata/library.json", "testdata/bad.json"},
			want:  []string{"testdata/bad.json: quotes[0] key q-ghost field speaker: "},
		},
		{
			name:  "references to records that are nowhere",
			files: []string{"testdata/followup.jsonl"},
			want:  []string{"testdata/followup.jsonl: line 5 ", "q-locked"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := cli(t, "", append([]string{"import", "--data", dir}, tt.files...)...)
			if r.code != 1 {
				t.Fatalf("want exit 1, got %s", r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if !strings.Contains(r.stderr, "nothing was written") {
				t.Errorf("stderr does not say nothing was written:\n%s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty, got %q", r.stdout)
			}
			s := cli(t, "", "stats", "--data", dir, "--json")
			if st := decodeJSON[statsJSON](t, s.stdout); st.TotalNodes != 0 || st.Links != 0 {
				t.Errorf("something was written: %s", s.stdout)
			}
		})
	}
	// --allow-unknown ignores the unknown field but nothing else.
	r := cli(t, "", "import", "--data", t.TempDir(), "--allow-unknown", "testdata/bad.json")
	if r.code != 1 || strings.Contains(r.stderr, "favourite_colour") || !strings.Contains(r.stderr, "q-ghost") {
		t.Errorf("--allow-unknown: %s", r)
	}
}

func TestDryRun(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, "", "import", "--data", dir, "--dry-run", "testdata/library.json")
	if r.code != 0 || !strings.Contains(r.stdout, "valid: 9 records, 1 links") {
		t.Fatal(r)
	}
	s := cli(t, "", "stats", "--data", dir, "--json")
	if st := decodeJSON[statsJSON](t, s.stdout); st.TotalNodes != 0 {
		t.Errorf("dry run wrote: %s", s.stdout)
	}
}

// TestDataFromEnvironment uses CLAIMGRAPH_DATA when --data is absent.
func TestDataFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CLAIMGRAPH_DATA": dir}
	if r := cliEnv(t, env, "", "import", "testdata/library.json"); r.code != 0 {
		t.Fatal(r)
	}
	r := cli(t, "", "stats", "--data", dir, "--json")
	if st := decodeJSON[statsJSON](t, r.stdout); st.TotalNodes != 9 {
		t.Errorf("import did not use CLAIMGRAPH_DATA: %s", r.stdout)
	}
}

// TestLockedDataDir holds the data directory open as a server would and
// checks that every command says so in one plain sentence.
func TestLockedDataDir(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want := "claimgraph: the data directory " + dir + " is in use by another claimgraph process (probably `claimgraph serve`); stop it or use --data\n"
	for _, args := range [][]string{
		{"stats", "--data", dir},
		{"import", "--data", dir, "testdata/library.json"},
		{"query", "--data", dir, "{ node(id: \"x\") { id } }"},
		{"serve", "--data", dir, "--addr", "127.0.0.1:0"},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := cli(t, "", args...)
			if r.code != 1 || !strings.HasSuffix(r.stderr, want) {
				t.Errorf("want exit 1 and %q, got %s", want, r)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs `serve` with args on a free port until the test ends and
// returns its base URL and log.
func startServer(t *testing.T, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" },
			strings.NewReader(""), io.Discard, logs)
	}()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return fmt.Errorf("serve did not stop within 15s")
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var rec struct {
				Message string `json:"message"`
				Addr    string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Message == "listening" && rec.Addr != "" {
				return "http://" + rec.Addr, logs, stop
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before listening: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	_ = stop()
	t.Fatalf("serve did not log a listening address:\n%s", logs)
	return "", nil, nil
}

func httpGet(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestServe starts the server with the demo, checks its routes, stops it
// gracefully, then starts it again on the same (no longer empty) directory.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	base, logs, stop := startServer(t, "--data", dir, "--demo")

	tests := []struct {
		name   string
		path   string
		hdr    map[string]string
		status int
		ctype  string
		body   string
	}{
		{"health", "/healthz", nil, 200, "application/json", `"store":"ok"`},
		{"home page: the provenance browser", "/", nil, 200, "text/html", `<a href="/graphql">GraphiQL</a>`},
		{"browser search", "/?q=crime+is+way+down", nil, 200, "text/html", `href="/n/q-trump-crime-down"`},
		{"unknown path", "/nope", nil, 404, "", ""},
		{"graphiql for a browser", "/graphql", map[string]string{"Accept": "text/html"}, 200, "text/html", "graphiql/graphiql.min.js"},
		{"graphiql page", "/graphiql/", nil, 200, "text/html", "graphiql/init.js"},
		{"graphiql asset", "/graphiql/init.js", nil, 200, "javascript", "GraphiQL.createFetcher"},
		{"query over GET", "/graphql?query=%7B%20node(id%3A%22tim-walz%22)%20%7B%20id%20%7D%20%7D", map[string]string{"Accept": "application/json"}, 200, "application/json", `"id":"tim-walz"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := httpGet(t, base+tt.path, tt.hdr)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
			}
			if !strings.Contains(body, tt.body) {
				t.Errorf("body lacks %q: %.300s", tt.body, body)
			}
		})
	}
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ whoSaid(text: \"crime is way down\") { totalCount } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"totalCount":`) || strings.Contains(string(b), `"totalCount":0`) {
		t.Errorf("POST whoSaid: %d %s", resp.StatusCode, b)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve returned %v\n%s", err, logs)
	}
	for _, w := range []string{`"message":"demo: loaded"`, `"message":"shutting down"`, `"message":"stopped"`} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("log lacks %s:\n%s", w, logs)
		}
	}

	// Again on the same directory: the demo is not loaded twice.
	_, logs2, stop2 := startServer(t, "--data", dir, "--demo", "--log-format", "json")
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs2.String(), "the store is not empty") || strings.Contains(logs2.String(), "demo: loaded") {
		t.Errorf("second start:\n%s", logs2)
	}
	r := cli(t, "", "stats", "--data", dir, "--json")
	if st := decodeJSON[statsJSON](t, r.stdout); st.TotalNodes == 0 || st.Links == 0 {
		t.Errorf("demo not stored: %s", r.stdout)
	}
}

// TestServeDemoTextMismatch gives a text that is not the article: the demo
// loads without it and the log says why.
func TestServeDemoTextMismatch(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(t.TempDir(), "other.txt")
	if err := os.WriteFile(text, []byte("Some other article about something else entirely.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, logs, stop := startServer(t, "--data", dir, "--demo", "--demo-text", text)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "not the article the demo was made from") || !strings.Contains(logs.String(), "demo: loaded") {
		t.Errorf("log:\n%s", logs)
	}
}

// TestHealthz answers 200 while the store works and 503 once it is closed.
func TestHealthz(t *testing.T) {
	st, err := store.Open(context.Background(), store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	h := healthz(st)
	tests := []struct {
		name   string
		close  bool
		status int
		body   string
	}{
		{"open store", false, http.StatusOK, `{"status":"ok","store":"ok"}`},
		{"closed store", true, http.StatusServiceUnavailable, `"status":"unavailable"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.close {
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
			}
			rec := newRecorder()
			req, err := http.NewRequest(http.MethodGet, "/healthz", nil)
			if err != nil {
				t.Fatal(err)
			}
			h.ServeHTTP(rec, req)
			if rec.status != tt.status || !strings.Contains(rec.body.String(), tt.body) {
				t.Errorf("got %d %s, want %d with %s", rec.status, rec.body.String(), tt.status, tt.body)
			}
			if ct := rec.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}
