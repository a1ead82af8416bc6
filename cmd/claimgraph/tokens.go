package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/rs/zerolog"

	"claimgraph/schema"
)

// tokenConfig is what decides who may write through serve: the
// CLAIMGRAPH_TOKENS environment variable, --tokens-file and --read-only.
type tokenConfig struct {
	// env is the value of CLAIMGRAPH_TOKENS: name:token,name2:token2.
	env string
	// file is --tokens-file: one name:token or name:sha256:<hex> a line.
	file string
	// readOnly is --read-only: every write is refused.
	readOnly bool
	// out receives the one line that tells how to use a generated token.
	out io.Writer
}

// generatedTokenName is the author of revisions written with the token
// serve makes up when none is configured.
const generatedTokenName = "local"

// minTokenLen is the length under which a plain token draws a warning.
const minTokenLen = 16

// tokenName is what a token's name may be: it becomes the author of
// revisions, so it has no colon (import:<file> is the command line's).
var tokenName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// addTokenFlags registers --tokens-file and --read-only.
func addTokenFlags(fs *flag.FlagSet, c *tokenConfig) {
	fs.StringVar(&c.file, "tokens-file", "", "write tokens, one `file` line each: name:token, or name:sha256:<hex of the token's SHA-256>\n"+
		"(also env CLAIMGRAPH_TOKENS=\"name:token,name2:token2\"; with neither, serve makes up one token for the process\n"+
		"and prints how to use it)")
	fs.BoolVar(&c.readOnly, "read-only", false, "refuse every write (mutations get FORBIDDEN)")
}

// load returns the configured tokens. With none configured (and not
// read-only) it makes up one for the process and returns its secret as
// generated, to be announced once; it is never stored. Warnings (short
// tokens, a tokens file others can read) name tokens, never secrets.
func (c tokenConfig) load(log zerolog.Logger) (tokens []schema.Token, generated string, err error) {
	seen := map[string]string{}
	add := func(where string, t schema.Token, plain string) error {
		if prev, dup := seen[t.Name]; dup {
			return fmt.Errorf("%s: token name %q is also given in %s", where, t.Name, prev)
		}
		seen[t.Name] = where
		if plain != "" && len(plain) < minTokenLen {
			log.Warn().Str("token", t.Name).Int("min_length", minTokenLen).Msg("a write token is short; use a long random one")
		}
		tokens = append(tokens, t)
		return nil
	}
	if strings.TrimSpace(c.env) != "" {
		for i, part := range strings.Split(c.env, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			where := fmt.Sprintf("CLAIMGRAPH_TOKENS entry %d", i+1)
			t, plain, err := parseTokenLine(part)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w", where, err)
			}
			if err := add(where, t, plain); err != nil {
				return nil, "", err
			}
		}
	}
	if c.file != "" {
		data, err := os.ReadFile(c.file)
		if err != nil {
			return nil, "", fmt.Errorf("--tokens-file: %w", err)
		}
		plainInFile := false
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			where := fmt.Sprintf("%s line %d", c.file, n)
			t, plain, err := parseTokenLine(line)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w", where, err)
			}
			plainInFile = plainInFile || plain != ""
			if err := add(where, t, plain); err != nil {
				return nil, "", err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, "", fmt.Errorf("--tokens-file: %w", err)
		}
		if fi, err := os.Stat(c.file); err == nil && plainInFile && fi.Mode().Perm()&0o077 != 0 {
			log.Warn().Str("file", c.file).Str("mode", fi.Mode().Perm().String()).
				Msg("the tokens file holds plain tokens and others may read it: chmod 600, or keep the tokens hashed (name:sha256:<hex>)")
		}
	}
	if c.readOnly {
		log.Info().Msg("read-only: every write is refused")
		return tokens, "", nil
	}
	if len(tokens) == 0 {
		secret, err := randomToken()
		if err != nil {
			return nil, "", err
		}
		return []schema.Token{schema.NewToken(generatedTokenName, secret)}, secret, nil
	}
	names := make([]string, len(tokens))
	for i, t := range tokens {
		names[i] = t.Name
	}
	log.Info().Strs("tokens", names).Msg("write tokens loaded")
	return tokens, "", nil
}

// errTokenLine says what a token line must look like without repeating it.
const errTokenLine = tokenError("want name:token or name:sha256:<64 hex digits of the token's SHA-256>")

type tokenError string

func (e tokenError) Error() string { return string(e) }

// parseTokenLine reads name:token or name:sha256:<hex>. plain is the
// token's secret when given in clear ("" when hashed). Errors never quote
// the secret.
func parseTokenLine(s string) (t schema.Token, plain string, err error) {
	name, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	name = strings.TrimSpace(name)
	if !ok || rest == "" {
		return schema.Token{}, "", errTokenLine
	}
	if !tokenName.MatchString(name) {
		return schema.Token{}, "", tokenError(fmt.Sprintf("token name %q: use letters, digits and . _ @ - (at most 64, no colon)", clipName(name)))
	}
	if h, ok := strings.CutPrefix(rest, "sha256:"); ok {
		sum, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(h)))
		if err != nil || len(sum) != sha256.Size {
			return schema.Token{}, "", tokenError(fmt.Sprintf("token %q: the sha256 form needs 64 hex digits", name))
		}
		t = schema.Token{Name: name}
		copy(t.SHA256[:], sum)
		return t, "", nil
	}
	if strings.TrimSpace(rest) != rest || strings.ContainsAny(rest, " \t,") {
		return schema.Token{}, "", tokenError(fmt.Sprintf("token %q: a token has no spaces or commas", name))
	}
	return schema.NewToken(name, rest), rest, nil
}

// clipName shortens a bad name for a message.
func clipName(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// randomToken returns 32 random bytes, URL-safe base64, with a prefix that
// makes it recognisable in a secret scanner.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a write token: %w", err)
	}
	return "cg_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// announceToken prints, on one line, how to write with a token serve made
// up. It is the only place a secret is ever written, and it goes to
// standard error as plain text, not to the log.
func announceToken(w io.Writer, endpoint, secret string) {
	fmt.Fprintf(w, "claimgraph: no write tokens configured; this one works until the server stops (writes by %q): "+
		"curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{\"query\":\"mutation { ... }\"}' %s\n",
		generatedTokenName, secret, endpoint)
}
