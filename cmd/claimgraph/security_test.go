package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/store"
)

// writeKey writes a key file with the given content and mode.
func writeKey(t *testing.T, content []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, content, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask
		t.Fatal(err)
	}
	return p
}

func TestDecodeKey(t *testing.T) {
	k16 := []byte("0123456789abcdef")
	k32 := bytes.Repeat([]byte{0xc3, 0x28, 0x00, 0xff}, 8)
	k24 := k32[:24]
	tests := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"raw 32 bytes", k32, k32},
		{"raw 24 bytes", k24, k24},
		{"raw 16 bytes (text that is neither hex nor base64)", []byte("!!!!!!!!!!!!!!!!"), []byte("!!!!!!!!!!!!!!!!")},
		{"hex of 32 with a newline", []byte(hex.EncodeToString(k32) + "\n"), k32},
		{"hex of 24, upper case, spaces around", []byte("  " + strings.ToUpper(hex.EncodeToString(k24)) + " \r\n"), k24},
		{"hex of 16 (32 hex digits are 16 bytes, not 32)", []byte(hex.EncodeToString(k16)), k16},
		{"base64 of 32", []byte(base64.StdEncoding.EncodeToString(k32) + "\n"), k32},
		{"unpadded url base64 of 16", []byte(base64.RawURLEncoding.EncodeToString(k16)), k16},
		{"hex of 20 bytes", []byte(hex.EncodeToString(k24[:20])), nil},
		{"empty", nil, nil},
		{"15 raw bytes", k32[:15], nil},
		{"33 raw bytes", append(bytes.Clone(k32), 1), nil},
		{"a passphrase", []byte("correct horse battery staple\n"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decodeKey(tt.in)
			if ok != (tt.want != nil) || !bytes.Equal(got, tt.want) {
				t.Errorf("decodeKey(%q) = %x, %v; want %x", tt.in, got, ok, tt.want)
			}
		})
	}
}

func FuzzDecodeKey(f *testing.F) {
	f.Add([]byte("00112233445566778899aabbccddeeff"))
	f.Add([]byte("AAECAwQFBgcICQoLDA0ODw==\n"))
	f.Add(bytes.Repeat([]byte{0}, 32))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, ok := decodeKey(in)
		if ok != (len(k) == 16 || len(k) == 24 || len(k) == 32) {
			t.Fatalf("decodeKey(%q) = %d bytes, %v", in, len(k), ok)
		}
	})
}

// TestEncryptedDataDirectory runs the commands on an encrypted data
// directory: with the key they work, without it or with another they say
// so plainly, and no message shows the key.
func TestEncryptedDataDirectory(t *testing.T) {
	key := bytes.Repeat([]byte{0x3c, 0xa1, 0x07, 0x9e}, 8)
	keyHex := hex.EncodeToString(key)
	keyFile := writeKey(t, []byte(keyHex+"\n"), 0o600)
	other := writeKey(t, []byte(hex.EncodeToString(bytes.Repeat([]byte{9}, 32))), 0o600)
	dir := filepath.Join(t.TempDir(), "data")
	if r := cli(t, "", "import", "--data", dir, "--encryption-key-file", keyFile, "testdata/library.json"); r.code != 0 {
		t.Fatal(r)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"stats with the key", []string{"stats", "--data", dir, "--encryption-key-file", keyFile}, 0, ""},
		{"query with the key", []string{"query", "--data", dir, "--encryption-key-file", keyFile, `{ node(id: "ines-varga") { id } }`}, 0, ""},
		{"export with the key", []string{"export", "--data", dir, "--encryption-key-file", keyFile, "--format", "jsonl"}, 0, ""},
		{"verify with the key", []string{"verify", "--data", dir, "--encryption-key-file", keyFile}, 0, ""},
		{"stats without a key", []string{"stats", "--data", dir}, 1,
			"claimgraph: the data directory " + dir + " is encrypted: give its key with --encryption-key-file FILE (or CLAIMGRAPH_ENCRYPTION_KEY_FILE)\n"},
		{"import without a key", []string{"import", "--data", dir, "testdata/followup.jsonl"}, 1, "is encrypted: give its key"},
		{"serve without a key", []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, 1, "is encrypted: give its key"},
		{"backup without a key", []string{"backup", "--data", dir, "--out", filepath.Join(t.TempDir(), "b")}, 1, "is encrypted: give its key"},
		{"query with another key", []string{"query", "--data", dir, "--encryption-key-file", other, "{ __typename }"}, 1,
			"claimgraph: the key in " + other + " does not open the data directory " + dir + ", which was encrypted with another key: give the key it was created with\n"},
		{"a key file that holds no key", []string{"stats", "--data", dir, "--encryption-key-file", writeKey(t, []byte("hunter2\n"), 0o600)}, 1, "holds no key: want 16, 24 or 32 bytes"},
		{"a missing key file", []string{"stats", "--data", dir, "--encryption-key-file", filepath.Join(dir, "nope")}, 1, "--encryption-key-file: open"},
		{"postgres", []string{"stats", "--engine", "postgres", "--dsn", "postgres://x@127.0.0.1:1/db", "--encryption-key-file", keyFile}, 2,
			"encryption at rest of PostgreSQL is the database's business"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want exit %d and %q, got %s", tt.code, tt.want, r)
			}
			if strings.Contains(r.stderr+r.stdout, keyHex) || strings.Contains(r.stderr, "Badger") {
				t.Errorf("the output shows the key or Badger's text: %s", r)
			}
		})
	}
	// The environment names the key file too.
	if r := cliEnv(t, map[string]string{"CLAIMGRAPH_ENCRYPTION_KEY_FILE": keyFile}, "", "stats", "--data", dir); r.code != 0 {
		t.Errorf("CLAIMGRAPH_ENCRYPTION_KEY_FILE: %s", r)
	}
	// A plain directory given a key.
	plain := filepath.Join(t.TempDir(), "plain")
	if r := cli(t, "", "import", "--data", plain, "testdata/library.json"); r.code != 0 {
		t.Fatal(r)
	}
	if r := cli(t, "", "stats", "--data", plain, "--encryption-key-file", keyFile); r.code != 1 || !strings.Contains(r.stderr, "is not encrypted, but --encryption-key-file "+keyFile+" was given") {
		t.Errorf("a key for a plain directory: %s", r)
	}
}

func TestKeyFilePermissionsWarning(t *testing.T) {
	key := hex.EncodeToString(bytes.Repeat([]byte{0x42}, 16))
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o400, false}, {0o640, true}, {0o644, true}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			kf := writeKey(t, []byte(key), tc.mode)
			r := cli(t, "", "import", "--data", filepath.Join(t.TempDir(), "d"), "--encryption-key-file", kf, "testdata/library.json")
			if r.code != 0 {
				t.Fatal(r)
			}
			if got := strings.Contains(r.stderr, "others may read the encryption key file: chmod 600 it"); got != tc.warn {
				t.Errorf("mode %s: warning %v, want %v\n%s", tc.mode, got, tc.warn, r.stderr)
			}
			if strings.Contains(r.stderr, key) {
				t.Error("the warning shows the key")
			}
		})
	}
}

// exportJSONL returns the graph of a data directory as JSON Lines, now or
// as of an instant.
func exportJSONL(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	r := cli(t, "", append([]string{"export", "--data", dir, "--format", "jsonl"}, extra...)...)
	if r.code != 0 {
		t.Fatal(r)
	}
	return r.stdout
}

func historyOf(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	r := cli(t, "", append([]string{"query", "--data", dir, `{ history(id: "ines-varga") { at by change before after } }`}, extra...)...)
	if r.code != 0 {
		t.Fatal(r)
	}
	return r.stdout
}

var untilLine = regexp.MustCompile(`until (\d+); the next incremental backup: --since (\d+)`)

// TestBackupRestoreCommands backs up a data directory, writes more, makes
// an incremental backup (--since the first file), restores both into a
// new directory and compares the graph now, as of an instant between the
// backups, and a node's history.
func TestBackupRestoreCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	work := t.TempDir()
	if r := cli(t, "", "import", "--data", dir, "testdata/library.json"); r.code != 0 {
		t.Fatal(r)
	}
	full := filepath.Join(work, "full.cgbak")
	r := cli(t, "", "backup", "--data", dir, "--out", full)
	m := untilLine.FindStringSubmatch(r.stderr)
	if r.code != 0 || m == nil || !strings.Contains(r.stderr, "full backup of "+dir+" written to "+full) {
		t.Fatalf("full backup: %s", r)
	}
	between := time.Now().UTC()
	time.Sleep(time.Millisecond)
	changed := writeTemp(t, "changed.json", `{"claimgraph":"bundle/1","people":[{"key":"ines-varga","name":"Inès Varga","description":"Mayor of the city since 2024"}]}`)
	for _, f := range []string{"testdata/followup.jsonl", changed} {
		if r := cli(t, "", "import", "--data", dir, f); r.code != 0 {
			t.Fatal(r)
		}
	}
	incr := filepath.Join(work, "incr.cgbak")
	r = cli(t, "", "backup", "--data", dir, "--since", full, "--out", incr)
	if r.code != 0 || !strings.Contains(r.stderr, "incremental backup (commits after "+m[1]+")") {
		t.Fatalf("incremental backup: %s", r)
	}
	m2 := untilLine.FindStringSubmatch(r.stderr)
	// --since as the number printed gives the same backup range.
	incr2 := filepath.Join(work, "incr2.cgbak")
	if r := cli(t, "", "backup", "--data", dir, "--since", m[1], "--out", incr2); r.code != 0 || !strings.Contains(r.stderr, "until "+m2[1]) {
		t.Fatalf("--since as a number: %s", r)
	}

	dst := filepath.Join(t.TempDir(), "restored")
	if r := cli(t, "", "restore", "--data", dst, full, incr); r.code != 0 || !strings.Contains(r.stderr, "restored 2 backup(s)") {
		t.Fatalf("restore: %s", r)
	}
	if exportJSONL(t, dst) != exportJSONL(t, dir) {
		t.Error("the restored graph differs")
	}
	asOf := between.Format(time.RFC3339Nano)
	if a, b := exportJSONL(t, dst, "--as-of", asOf), exportJSONL(t, dir, "--as-of", asOf); a != b || strings.Contains(a, "tomas-reed") {
		t.Errorf("the restored graph as of %s differs, or holds a later node", asOf)
	}
	if a, b := historyOf(t, dst), historyOf(t, dir); a != b || strings.Count(a, `"change"`) < 2 {
		t.Errorf("history differs:\n%s\n%s", a, b)
	}
	if r := cli(t, "", "verify", "--data", dst); r.code != 0 {
		t.Errorf("verify after restore: %s", r)
	}

	// Refusals.
	step := filepath.Join(t.TempDir(), "step")
	if r := cli(t, "", "restore", "--data", step, full); r.code != 0 {
		t.Fatal(r)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"non-empty directory", []string{"restore", "--data", step, incr}, 1, "is not empty: restore into a new or empty directory, or give --force"},
		{"out of order", []string{"restore", "--data", filepath.Join(t.TempDir(), "x"), incr, full}, 1, "in the order they were made"},
		{"no files", []string{"restore", "--data", filepath.Join(t.TempDir(), "x")}, 2, "give the backup files"},
		{"no --out", []string{"backup", "--data", dir}, 2, "--out FILE is required"},
		{"bad --since", []string{"backup", "--data", dir, "--since", "yesterday", "--out", filepath.Join(work, "n")}, 1, "neither a timestamp"},
		{"--since after the last commit", []string{"backup", "--data", dir, "--since", "18446744073709551615", "--out", filepath.Join(work, "n")}, 1, "after the last commit"},
		{"postgres", []string{"backup", "--engine", "postgres", "--dsn", "postgres://x@127.0.0.1:1/d", "--out", filepath.Join(work, "n")}, 2, "pg_dump"},
		{"a missing directory", []string{"backup", "--data", filepath.Join(work, "none"), "--out", filepath.Join(work, "n")}, 1, "no data directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want exit %d with %q, got %s", tt.code, tt.want, r)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(work, "n")); err == nil {
		t.Error("a refused backup left a file")
	}
	// --force applies the incremental backup to the earlier restore.
	if r := cli(t, "", "restore", "--data", step, "--force", incr); r.code != 0 {
		t.Fatal(r)
	}
	if exportJSONL(t, step) != exportJSONL(t, dir) {
		t.Error("full, then incremental with --force, differs")
	}
}

// TestBackupThroughServer backs up a running server through GET /backup,
// by --server and by --data (the server holds the directory), and checks
// that the endpoint wants a token.
func TestBackupThroughServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	secret := "backup-test-token-7d1e0c2b"
	base, logs, stop := startServerEnv(t, map[string]string{"CLAIMGRAPH_TOKENS": "ops:" + secret}, "--data", dir, "--demo")
	out := filepath.Join(t.TempDir(), "online.cgbak")
	r := cli(t, "", "backup", "--server", base, "--token", secret, "--out", out)
	if r.code != 0 || !strings.Contains(r.stderr, "full backup of "+base+" written to "+out) {
		t.Fatalf("backup --server: %s", r)
	}
	m := untilLine.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no until: %s", r.stderr)
	}
	if status, out := postGraphQL(t, base, secret, `mutation { putNode(node: {type: "claim", key: "c-online", text: "Written after the first backup"}) { changed } }`); status != 200 || errorCode(out) != "" {
		t.Fatalf("mutation: %d %v", status, out)
	}
	incr := filepath.Join(t.TempDir(), "incr.cgbak")
	r = cliEnv(t, map[string]string{"CLAIMGRAPH_TOKEN": secret}, "", "backup", "--data", dir, "--since", m[1], "--out", incr)
	if r.code != 0 || !strings.Contains(r.stderr, "incremental backup") {
		t.Fatalf("backup --data of a served directory: %s", r)
	}
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"wrong token", "not-the-token", "401 Unauthorized): the bearer token is not valid"},
		{"since after the last commit", secret, "400 Bad Request)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"backup", "--server", base, "--token", tt.token, "--out", filepath.Join(t.TempDir(), "x")}
			if tt.name == "since after the last commit" {
				args = append(args, "--since", "18446744073709551615")
			}
			r := cli(t, "", args...)
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want exit 1 with %q, got %s", tt.want, r)
			}
		})
	}
	if r := cli(t, "", "backup", "--data", dir, "--out", filepath.Join(t.TempDir(), "x")); r.code != 1 || !strings.Contains(r.stderr, "back up through it with --token") {
		t.Errorf("a served directory without a token: %s", r)
	}
	for _, h := range []map[string]string{nil, {"Authorization": "Basic b3BzOng="}, {"Authorization": "Bearer nope"}} {
		resp, body := httpGet(t, base+"/backup", h)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" || !strings.Contains(body, `"error"`) {
			t.Errorf("GET /backup with %v: %d %s", h, resp.StatusCode, body)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"by":"ops"`) || strings.Contains(logs.String(), secret) {
		t.Errorf("the log should name the token's owner and never the token:\n%s", logs)
	}
	dst := filepath.Join(t.TempDir(), "restored")
	if r := cli(t, "", "restore", "--data", dst, out, incr); r.code != 0 {
		t.Fatal(r)
	}
	if exportJSONL(t, dst) != exportJSONL(t, dir) {
		t.Error("the online backups restore another graph")
	}
}

func TestCORS(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Inner", "1")
		w.WriteHeader(http.StatusTeapot)
	})
	const app = "https://app.example.org"
	tests := []struct {
		name    string
		origins []string
		method  string
		hdr     map[string]string
		status  int
		acao    string // Access-Control-Allow-Origin
		inner   bool   // reached the handler
		methods string
	}{
		{"off: no headers", nil, "GET", map[string]string{"Origin": app}, 418, "", true, ""},
		{"off: a preflight reaches the handler", nil, "OPTIONS", map[string]string{"Origin": app, "Access-Control-Request-Method": "POST"}, 418, "", true, ""},
		{"allowed origin", []string{app}, "POST", map[string]string{"Origin": app}, 418, app, true, ""},
		{"origin in another case", []string{app}, "GET", map[string]string{"Origin": "https://APP.example.org"}, 418, "https://APP.example.org", true, ""},
		{"other origin: served without CORS", []string{app}, "GET", map[string]string{"Origin": "https://evil.example"}, 418, "", true, ""},
		{"no origin (not a browser)", []string{app}, "GET", nil, 418, "", true, ""},
		{"preflight, allowed", []string{app}, "OPTIONS", map[string]string{"Origin": app, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization"}, 204, app, false, "GET, POST"},
		{"preflight, other origin", []string{app}, "OPTIONS", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, 403, "", false, ""},
		{"preflight, other method", []string{app}, "OPTIONS", map[string]string{"Origin": app, "Access-Control-Request-Method": "DELETE"}, 403, "", false, ""},
		{"plain OPTIONS", []string{app}, "OPTIONS", map[string]string{"Origin": app}, 418, app, true, ""},
		{"any origin", []string{"*"}, "GET", map[string]string{"Origin": "https://x.example"}, 418, "*", true, ""},
		{"any origin, preflight", []string{"*"}, "OPTIONS", map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"}, 204, "*", false, "GET, POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o corsOrigins
			for _, s := range tt.origins {
				if err := o.Set(s); err != nil {
					t.Fatal(err)
				}
			}
			req := httptest.NewRequest(tt.method, "/graphql", nil)
			for k, v := range tt.hdr {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			newCORSPolicy(o).wrap(inner).ServeHTTP(rec, req)
			h := rec.Result().Header
			if rec.Code != tt.status || h.Get("Access-Control-Allow-Origin") != tt.acao || (h.Get("X-Inner") == "1") != tt.inner {
				t.Errorf("got %d, ACAO %q, inner %v; want %d, %q, %v", rec.Code, h.Get("Access-Control-Allow-Origin"), h.Get("X-Inner") == "1", tt.status, tt.acao, tt.inner)
			}
			if h.Get("Access-Control-Allow-Methods") != tt.methods {
				t.Errorf("Allow-Methods %q, want %q", h.Get("Access-Control-Allow-Methods"), tt.methods)
			}
			if tt.methods != "" && h.Get("Access-Control-Allow-Headers") != "Content-Type, Authorization" {
				t.Errorf("Allow-Headers %q", h.Get("Access-Control-Allow-Headers"))
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			if len(tt.origins) > 0 && !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
				t.Error("no Vary: Origin")
			}
		})
	}
}

func TestCORSOriginFlag(t *testing.T) {
	var o corsOrigins
	if err := o.Set("https://a.example, http://localhost:3000"); err != nil {
		t.Fatal(err)
	}
	if err := o.Set("https://b.example:8443"); err != nil {
		t.Fatal(err)
	}
	if got := o.String(); got != "https://a.example,http://localhost:3000,https://b.example:8443" {
		t.Errorf("origins %q", got)
	}
	for _, bad := range []string{"a.example", "ftp://a.example", "https://a.example/path", "https://a.example/", "https://u@a.example", "https://", "https://a.example?x=1"} {
		if err := (&corsOrigins{}).Set(bad); err == nil {
			t.Errorf("%q accepted as an origin", bad)
		}
	}
	if r := cli(t, "", "serve", "--data", t.TempDir(), "--cors-origin", "example.org"); r.code != 2 || !strings.Contains(r.stderr, `"example.org" is not an origin`) {
		t.Errorf("serve with a bad origin: %s", r)
	}
}

func FuzzCheckOrigin(f *testing.F) {
	for _, s := range []string{"https://a.example", "*", "http://[::1]:80", "https://a.example/x", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := checkOrigin(s)
		if err != nil {
			return
		}
		if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			t.Errorf("checkOrigin(%q) = %q", s, o)
		}
	})
}

// TestServeCORS checks the policy on the real server: off by default,
// allowlisted by --cors-origin.
func TestServeCORS(t *testing.T) {
	preflight := func(base, origin string) *http.Response {
		req, err := http.NewRequest(http.MethodOptions, base+"/graphql", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	off, _, stopOff := startServerEnv(t, nil)
	if resp := preflight(off, "https://app.example.org"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS answered by default: %v", resp.Header)
	}
	if err := stopOff(); err != nil {
		t.Fatal(err)
	}
	on, _, stopOn := startServerEnv(t, nil, "--cors-origin", "https://app.example.org,http://localhost:5173")
	defer stopOn()
	if resp := preflight(on, "http://localhost:5173"); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
		t.Errorf("allowed preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := preflight(on, "https://evil.example"); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin's preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ := httpGet(t, on+"/healthz", map[string]string{"Origin": "https://app.example.org"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.org" {
		t.Errorf("GET from an allowed origin: %v", resp.Header)
	}
}

// TestServeRunsValueLogGC checks that serve runs the store's value-log GC
// on the --vlog-gc-interval schedule and logs it at debug level.
func TestServeRunsValueLogGC(t *testing.T) {
	_, logs, stop := startServerEnv(t, nil, "--vlog-gc-interval", "20ms", "--log-level", "debug")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), `"message":"store: value log GC"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no GC run logged:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, "", "serve", "--data", t.TempDir(), "--vlog-gc-interval", "-1s"); r.code != 2 || !strings.Contains(r.stderr, "--vlog-gc-interval must be 0 (off) or positive") {
		t.Errorf("a negative interval: %s", r)
	}
}

// TestSecretsNeverLogged runs serve at debug level with a write token and
// an encryption key, writes with the token, fails with another, makes a
// backup, and runs the one-shot commands with the key: no log line holds
// the token or the key, in any spelling.
func TestSecretsNeverLogged(t *testing.T) {
	key := bytes.Repeat([]byte{0x6b, 0x3f, 0xd2, 0x11}, 8)
	keyFile := writeKey(t, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o644) // draws the permissions warning
	secret := "tok_" + hex.EncodeToString(bytes.Repeat([]byte{0xab, 0x12}, 12))
	wrong := "tok_wrong_" + hex.EncodeToString(bytes.Repeat([]byte{0x99}, 12))
	dir := filepath.Join(t.TempDir(), "data")
	base, logs, stop := startServerEnv(t, map[string]string{"CLAIMGRAPH_TOKENS": "writer:" + secret},
		"--data", dir, "--encryption-key-file", keyFile, "--log-level", "debug", "--demo")
	if status, out := postGraphQL(t, base, secret, `mutation { putNode(node: {type: "claim", key: "c-secret", text: "Secrets stay out of logs"}) { changed } }`); status != 200 || errorCode(out) != "" {
		t.Errorf("mutation with the token: %d %v", status, out)
	}
	if status, _ := postGraphQL(t, base, wrong, `mutation { putNode(node: {type: "claim", key: "c-x", text: "x"}) { changed } }`); status != http.StatusUnauthorized {
		t.Errorf("mutation with another token: %d", status)
	}
	if r := cli(t, "", "backup", "--server", base, "--token", secret, "--out", filepath.Join(t.TempDir(), "b")); r.code != 0 {
		t.Errorf("backup: %s", r)
	}
	if r := cli(t, "", "backup", "--server", base, "--token", wrong, "--out", filepath.Join(t.TempDir(), "b")); r.code != 1 || strings.Contains(r.stderr, wrong) {
		t.Errorf("backup with another token: %s", r)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	all := logs.String()
	for _, args := range [][]string{
		{"stats", "--data", dir, "--encryption-key-file", keyFile, "--log-level", "debug"},
		{"import", "--data", dir, "--encryption-key-file", keyFile, "--log-level", "debug", "testdata/library.json"},
		{"query", "--data", dir, "--encryption-key-file", keyFile, "--log-level", "debug", "{ __typename }"},
		{"backup", "--data", dir, "--encryption-key-file", keyFile, "--log-level", "debug", "--out", filepath.Join(t.TempDir(), "b")},
	} {
		r := cli(t, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: %s", args, r)
		}
		all += r.stderr
	}
	if !strings.Contains(all, `"level":"debug"`) || !strings.Contains(all, "others may read the encryption key file") || !strings.Contains(all, `"message":"write tokens loaded"`) {
		t.Fatalf("the logs are not the debug logs of these runs:\n%.3000s", all)
	}
	sum := sha256.Sum256([]byte(secret))
	for name, s := range map[string]string{
		"token": secret, "other token": wrong, "token digest": hex.EncodeToString(sum[:]),
		"key hex": hex.EncodeToString(key), "key HEX": strings.ToUpper(hex.EncodeToString(key)),
		"key base64": base64.StdEncoding.EncodeToString(key), "key raw": string(key),
		"key base64 of 24 bytes": base64.StdEncoding.EncodeToString(key[:24]),
	} {
		if strings.Contains(all, s) {
			t.Errorf("the logs hold the %s", name)
		}
	}
}

// TestMainProcess is not a test of its own: when CLAIMGRAPH_TEST_MAIN
// holds arguments (one a line), the test binary is the claimgraph program
// (main, with its signal handling), for the tests that need a process to
// send a signal to. Otherwise it does nothing.
func TestMainProcess(t *testing.T) {
	args := os.Getenv("CLAIMGRAPH_TEST_MAIN")
	if args == "" {
		return
	}
	os.Args = append([]string{"claimgraph"}, strings.Split(args, "\n")...)
	main()
}

// TestSIGTERMDrainsRequests runs serve as a process, starts a mutation
// whose body is not sent yet (Expect: 100-continue: the server's handler
// asks for it, so the request is in flight), sends SIGTERM, waits until
// the server says it is shutting down, then sends the body: the mutation
// completes, the process exits 0, and the store reopens without repair,
// holding the write.
func TestSIGTERMDrainsRequests(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	secret := "sigterm-test-token-5c2e91"
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		"CLAIMGRAPH_TEST_MAIN="+strings.Join([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--demo"}, "\n"),
		"CLAIMGRAPH_TOKENS=ops:"+secret)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	lines := make(chan string, 100)
	read := make(chan struct{}) // closed when the log is read to its end
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	defer func() { _ = cmd.Process.Kill() }()
	await := func(what string) string {
		t.Helper()
		timeout := time.After(60 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("serve ended before %q:\n%s", what, logs)
				}
				if strings.Contains(l, what) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q within a minute:\n%s", what, logs)
			}
		}
	}
	listening := await(`"message":"listening"`)
	addr := regexp.MustCompile(`"addr":"([^"]+)"`).FindStringSubmatch(listening)[1]

	body := `{"query":"mutation { putNode(node: {type: \"claim\", key: \"c-sigterm\", text: \"Written while the server stopped\"}) { changed } }"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json\r\n"+
		"Authorization: Bearer %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, secret, len(body))
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, "100 Continue") {
		t.Fatalf("want 100 Continue, got %q, %v", status, err)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	await(`"message":"shutting down"`)
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v\n%s", err, logs)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(answer), `"changed":true`) {
		t.Errorf("the request in flight: %d %s", resp.StatusCode, answer)
	}
	// The log to its end first: Wait closes the pipe, and a line not read
	// by then is lost.
	<-read
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v:\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), `"message":"stopped"`) {
		t.Errorf("no stopped line:\n%s", logs)
	}
	if _, err := os.Stat(filepath.Join(dir, serveAddrFile)); err == nil {
		t.Error("the server left its address file")
	}
	var openLog bytes.Buffer
	st, err := store.Open(context.Background(), store.Options{Dir: dir, Logger: zerolog.New(&openLog)})
	if err != nil {
		t.Fatalf("reopening the store: %v", err)
	}
	defer st.Close()
	if strings.Contains(openLog.String(), "repair") || strings.Contains(openLog.String(), "cut in half") {
		t.Errorf("the store needed repair after SIGTERM:\n%s", openLog.String())
	}
	st.Close()
	if r := cli(t, "", "query", "--data", dir, `{ node(id: "c-sigterm") { id } }`); r.code != 0 || !strings.Contains(r.stdout, `"c-sigterm"`) {
		t.Errorf("the write of the drained request is not in the store: %s", r)
	}
}

func TestTokenCommand(t *testing.T) {
	r := cli(t, "", "token", "alice")
	line := regexp.MustCompile(`^alice:sha256:([0-9a-f]{64})\n$`).FindStringSubmatch(r.stdout)
	secret := regexp.MustCompile(`: (cg_[A-Za-z0-9_-]{40,})\n$`).FindStringSubmatch(r.stderr)
	if r.code != 0 || line == nil || secret == nil {
		t.Fatalf("token: %s", r)
	}
	if sum := sha256.Sum256([]byte(secret[1])); hex.EncodeToString(sum[:]) != line[1] {
		t.Error("the line's hash is not the token's")
	}
	if strings.Contains(r.stdout, secret[1]) {
		t.Error("the tokens-file line holds the token itself")
	}
	tok, plain, err := parseTokenLine(strings.TrimSpace(r.stdout))
	if err != nil || plain != "" || tok.Name != "alice" || tok.SHA256 != sha256.Sum256([]byte(secret[1])) {
		t.Errorf("the line does not parse as a hashed token: %v %+v", err, tok)
	}
	// The token works against a server configured with the line.
	file := writeTemp(t, "tokens.txt", r.stdout)
	base, _, stop := startServerEnv(t, nil, "--tokens-file", file)
	defer stop()
	if status, out := postGraphQL(t, base, secret[1], putClaim); status != 200 || errorCode(out) != "" {
		t.Errorf("the made-up token does not write: %d %v", status, out)
	}

	r = cli(t, "mytoken-0123456789abcdef\n", "token", "--stdin", "bob")
	sum := sha256.Sum256([]byte("mytoken-0123456789abcdef"))
	if r.code != 0 || r.stdout != "bob:sha256:"+hex.EncodeToString(sum[:])+"\n" || strings.Contains(r.stderr, "mytoken") {
		t.Errorf("token --stdin: %s", r)
	}
	for _, args := range [][]string{{"token"}, {"token", "a:b"}, {"token", "a", "b"}} {
		if r := cli(t, "", args...); r.code != 2 {
			t.Errorf("%v: %s", args, r)
		}
	}
}
