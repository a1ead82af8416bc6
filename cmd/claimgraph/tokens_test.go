package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestParseTokenLine(t *testing.T) {
	const secret = "s3cr3t-token-value-0001"
	for _, tc := range []struct {
		line    string
		name    string
		digest  string
		plain   string
		wantErr string
	}{
		{line: "ana:" + secret, name: "ana", digest: sha(secret), plain: secret},
		{line: "  ana.b@x-1:" + secret + "  ", name: "ana.b@x-1", digest: sha(secret), plain: secret},
		{line: "ana:sha256:" + sha(secret), name: "ana", digest: sha(secret)},
		{line: "ana:sha256:" + strings.ToUpper(sha(secret)), name: "ana", digest: sha(secret)},
		{line: "ana:with:colons", name: "ana", digest: sha("with:colons"), plain: "with:colons"},
		{line: "ana", wantErr: "want name:token"},
		{line: "ana:", wantErr: "want name:token"},
		{line: ":" + secret, wantErr: "token name"},
		{line: "a b:" + secret, wantErr: "token name"},
		{line: "ana:sha256:abcd", wantErr: "64 hex digits"},
		{line: "ana:sha256:" + strings.Repeat("z", 64), wantErr: "64 hex digits"},
		{line: "ana:two words", wantErr: "no spaces"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			tok, plain, err := parseTokenLine(tc.line)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Name != tc.name || hex.EncodeToString(tok.SHA256[:]) != tc.digest || plain != tc.plain {
				t.Errorf("got %s %x %q", tok.Name, tok.SHA256, plain)
			}
		})
	}
}

func FuzzParseTokenLine(f *testing.F) {
	f.Add("ana:secret-secret-secret")
	f.Add("ana:sha256:" + sha("x"))
	f.Add("::")
	f.Add("a:b,c")
	f.Fuzz(func(t *testing.T, line string) {
		tok, plain, err := parseTokenLine(line)
		if err != nil {
			// An error may name the token, never repeat its secret.
			if _, rest, ok := strings.Cut(line, ":"); ok && len(rest) >= 8 && strings.Contains(err.Error(), rest) {
				t.Errorf("error %q repeats the secret", err)
			}
			return
		}
		if !tokenName.MatchString(tok.Name) {
			t.Errorf("accepted name %q", tok.Name)
		}
		if plain != "" && tok.SHA256 != sha256.Sum256([]byte(plain)) {
			t.Errorf("digest does not match the plain token")
		}
	})
}

func TestTokenConfigLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hashed := write("hashed", "# curators\n\nana:sha256:"+sha("ana-token-abcdefghijkl")+"\nben:ben-token-abcdefghijkl\n", 0o600)
	open := write("open", "cy:cy-token-abcdefghijklmn\n", 0o644)
	dup := write("dup", "ana:one-token-abcdefghijkl\nana:two-token-abcdefghijkl\n", 0o600)
	bad := write("bad", "ana:good-token-abcdefghij\nthis line has the-secret-value-in-it\n", 0o600)
	for _, tc := range []struct {
		name      string
		cfg       tokenConfig
		names     []string
		generated bool
		wantErr   string
		logHas    string
	}{
		{name: "env", cfg: tokenConfig{env: "ana:ana-token-abcdefghijkl, ben:ben-token-abcdefghijkl,"}, names: []string{"ana", "ben"}},
		{name: "file", cfg: tokenConfig{file: hashed}, names: []string{"ana", "ben"}},
		{name: "env and file", cfg: tokenConfig{env: "cy:cy-token-abcdefghijklmn", file: hashed}, names: []string{"cy", "ana", "ben"}},
		{name: "none", cfg: tokenConfig{}, names: []string{generatedTokenName}, generated: true},
		{name: "read-only", cfg: tokenConfig{readOnly: true}, names: nil, logHas: "read-only"},
		{name: "short token", cfg: tokenConfig{env: "ana:short"}, names: []string{"ana"}, logHas: "short"},
		{name: "readable file", cfg: tokenConfig{file: open}, names: []string{"cy"}, logHas: "chmod 600"},
		{name: "duplicate name", cfg: tokenConfig{file: dup}, wantErr: "also given"},
		{name: "duplicate across", cfg: tokenConfig{env: "ben:x-token-abcdefghijklmn", file: hashed}, wantErr: "also given"},
		{name: "bad line", cfg: tokenConfig{file: bad}, wantErr: "line 2: want name:token"},
		{name: "missing file", cfg: tokenConfig{file: filepath.Join(dir, "nope")}, wantErr: "--tokens-file"},
		{name: "bad env", cfg: tokenConfig{env: "ana"}, wantErr: "CLAIMGRAPH_TOKENS entry 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			tokens, generated, err := tc.cfg.load(zerolog.New(&log))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "the-secret-value") || strings.Contains(err.Error(), "-token-") {
					t.Errorf("the error shows a token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tok := range tokens {
				names = append(names, tok.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.names, ",") {
				t.Errorf("names %v, want %v", names, tc.names)
			}
			if (generated != "") != tc.generated {
				t.Errorf("generated %q", generated)
			}
			if generated != "" && (tokens[0].SHA256 != sha256.Sum256([]byte(generated)) || !strings.HasPrefix(generated, "cg_") || len(generated) < 40) {
				t.Errorf("generated token %d chars, digest mismatch or no prefix", len(generated))
			}
			if tc.logHas != "" && !strings.Contains(log.String(), tc.logHas) {
				t.Errorf("log %q lacks %q", log.String(), tc.logHas)
			}
			if strings.Contains(log.String(), "-token-") || (generated != "" && strings.Contains(log.String(), generated)) {
				t.Errorf("the log shows a token: %s", log.String())
			}
		})
	}
}

// startServerEnv runs serve with an environment until the test ends.
func startServerEnv(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(15 * time.Second):
				stopErr = fmt.Errorf("serve did not stop within 15s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = stop() })
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
	t.Fatalf("serve did not log a listening address:\n%s", logs)
	return "", nil, nil
}

// postGraphQL sends a GraphQL POST with an optional bearer token.
func postGraphQL(t *testing.T, base, token, query string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func errorCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	return fmt.Sprint(ext["code"])
}

const putClaim = `mutation { putNode(node: {type: "claim", key: "c-token-test", text: "Tokens work"}) { changed userErrors { code } } }`

// bearerLine finds the generated token in serve's standard error.
var bearerLine = regexp.MustCompile(`Authorization: Bearer (cg_[A-Za-z0-9_-]+)`)

func TestServeGeneratesAToken(t *testing.T) {
	base, logs, stop := startServerEnv(t, nil)
	m := bearerLine.FindAllStringSubmatch(logs.String(), -1)
	if len(m) != 1 {
		t.Fatalf("want one line with the generated token on stderr, got %d:\n%s", len(m), logs)
	}
	token := m[0][1]
	if status, out := postGraphQL(t, base, "", putClaim); status != http.StatusUnauthorized || errorCode(out) != "FORBIDDEN" {
		t.Errorf("without a token: %d %v", status, out)
	}
	if status, out := postGraphQL(t, base, "cg_not-the-token", putClaim); status != http.StatusUnauthorized || errorCode(out) != "FORBIDDEN" {
		t.Errorf("with a wrong token: %d %v", status, out)
	}
	status, out := postGraphQL(t, base, token, putClaim)
	if status != 200 || errorCode(out) != "" || fmt.Sprint(out["data"]) != "map[putNode:map[changed:true userErrors:[]]]" {
		t.Fatalf("with the token: %d %v", status, out)
	}
	_, out = postGraphQL(t, base, "", `{ history(id: "c-token-test") { by } }`)
	if fmt.Sprint(out["data"]) != "map[history:[map[by:local]]]" {
		t.Errorf("author: %v", out)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// The token is on the one announcement line only: no log record has it.
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, token) && !strings.HasPrefix(line, "claimgraph: no write tokens configured") {
			t.Errorf("the token appears outside its announcement: %s", line)
		}
	}
}

func TestServeTokensFromEnvAndFile(t *testing.T) {
	dir := t.TempDir()
	fileToken, envToken := "file-token-0123456789abcdef", "env-token-0123456789abcdef"
	file := filepath.Join(dir, "tokens")
	if err := os.WriteFile(file, []byte("filer:sha256:"+sha(fileToken)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, logs, stop := startServerEnv(t, map[string]string{"CLAIMGRAPH_TOKENS": "envy:" + envToken}, "--tokens-file", file)
	if bearerLine.MatchString(logs.String()) {
		t.Errorf("a token was generated although tokens are configured")
	}
	for _, tc := range []struct{ token, by string }{{fileToken, "filer"}, {envToken, "envy"}} {
		q := strings.Replace(putClaim, "c-token-test", "c-"+tc.by, 1)
		if status, out := postGraphQL(t, base, tc.token, q); status != 200 || errorCode(out) != "" {
			t.Fatalf("%s: %d %v", tc.by, status, out)
		}
		_, out := postGraphQL(t, base, "", `{ history(id: "c-`+tc.by+`") { by } }`)
		if fmt.Sprint(out["data"]) != "map[history:[map[by:"+tc.by+"]]]" {
			t.Errorf("author: %v", out)
		}
	}
	if status, _ := postGraphQL(t, base, sha(fileToken), putClaim); status != http.StatusUnauthorized {
		t.Errorf("the digest itself was accepted as a token: %d", status)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{fileToken, envToken} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a token appears in the log")
		}
	}
	if !strings.Contains(logs.String(), `"by":"filer"`) {
		t.Errorf("the request log does not name the writer:\n%s", logs)
	}
}

func TestServeReadOnly(t *testing.T) {
	secret := "ro-token-0123456789abcdef"
	base, logs, _ := startServerEnv(t, map[string]string{"CLAIMGRAPH_TOKENS": "ana:" + secret}, "--read-only")
	status, out := postGraphQL(t, base, secret, putClaim)
	if status != http.StatusForbidden || errorCode(out) != "FORBIDDEN" || !strings.Contains(fmt.Sprint(out["errors"]), "read-only") {
		t.Errorf("write on a read-only server: %d %v", status, out)
	}
	if _, out := postGraphQL(t, base, "", `{ node(id: "c-token-test") { id } }`); fmt.Sprint(out["data"]) != "map[node:<nil>]" {
		t.Errorf("read: %v", out)
	}
	if bearerLine.MatchString(logs.String()) {
		t.Errorf("a read-only server generated a token")
	}
}

func TestServeBadTokens(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()},
		func(k string) string {
			if k == "CLAIMGRAPH_TOKENS" {
				return "not a token line"
			}
			return ""
		}, strings.NewReader(""), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "CLAIMGRAPH_TOKENS entry 1") {
		t.Errorf("err %v", err)
	}
}

// TestHistoryOverBadger imports two versions of a bundle from files into a
// Badger data directory and reads them back with query: asOf between the
// imports shows the first version (through the snapshots the handler holds
// open for an asOf field), history names each import by its file, and an
// untouched node has one revision.
func TestHistoryOverBadger(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	v1 := `{"claimgraph":"bundle/1",
  "people":[{"key":"p-ivo","name":"Ivo Brandt"}],
  "sources":[{"key":"s-notice","kind":"statement"}],
  "claims":[{"key":"c-bridge","text":"The bridge reopens in May"}],
  "figures":[{"key":"f-cost","value":4,"unit":"usd","measure":"repair cost","subject":"Elm bridge","period":"2026","source":"s-notice"}],
  "links":[{"from":"f-cost","to":"c-bridge","relation":"context"}]}`
	v2 := strings.Replace(v1, "reopens in May", "reopens in June", 1)
	v2 = strings.Replace(v2, `"links":[`, `"links":[{"from":"p-ivo","to":"c-bridge","relation":"responds_to"},`, 1)
	for _, f := range []struct{ name, text string }{{"v1.json", v1}, {"v2.json", v2}} {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte(f.text), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := cli(t, "", "import", "--data", data, p); r.code != 0 {
			t.Fatal(r)
		}
	}
	r := cli(t, "", "query", "--data", data, "--compact", `{ history(id: "c-bridge") { rev by change } untouched: history(id: "s-notice") { by } }`)
	if r.code != 0 {
		t.Fatal(r)
	}
	var out struct {
		Data struct {
			History []struct {
				Rev, By, Change string
			}
			Untouched []struct{ By string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	h := out.Data.History
	if len(h) != 2 || h[0].By != "import:v1.json" || h[1].By != "import:v2.json" || h[0].Change != "created" || h[1].Change != "updated" {
		t.Fatalf("history %+v", h)
	}
	if len(out.Data.Untouched) != 1 {
		t.Errorf("untouched node's history %+v", out.Data.Untouched)
	}
	var rev1 int64
	fmt.Sscan(h[0].Rev, &rev1)
	at := time.Unix(0, rev1).UTC().Format(time.RFC3339Nano)
	r = cli(t, "", "query", "--data", data, "--compact", "--var", "at="+at,
		`query ($at: DateTime) { then: node(id: "c-bridge", asOf: $at) { ... on Claim { text linksIn { totalCount } assessment { status } } }
		 now: node(id: "c-bridge") { ... on Claim { text linksIn { totalCount } } } }`)
	want := `{"data":{"then":{"text":"The bridge reopens in May","linksIn":{"totalCount":1},"assessment":{"status":"UNVERIFIED"}},"now":{"text":"The bridge reopens in June","linksIn":{"totalCount":2}}}}`
	if r.code != 0 || strings.TrimSpace(r.stdout) != want {
		t.Errorf("asOf over Badger:\n got %s\nwant %s\n%s", strings.TrimSpace(r.stdout), want, r.stderr)
	}
	// The command line has no token: mutations are refused.
	r = cli(t, "", "query", "--data", data, `mutation { retract(id: "c-bridge", reason: "x") { changed } }`)
	if r.code == 0 || !strings.Contains(r.stdout, "FORBIDDEN") {
		t.Errorf("a mutation through query: %s", r)
	}
}
