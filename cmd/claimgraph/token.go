package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

func runToken(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "token", "NAME",
		"Make a write token for serve. Standard output gets the line for --tokens-file, which holds\n"+
			"only the token's SHA-256 (NAME:sha256:<hex>); standard error shows the token itself, once:\n"+
			"give it to the writer, it is kept nowhere. E.g. claimgraph token alice >> tokens.txt\n"+
			"With --stdin, the token is read from standard input instead of made up (to hash one you have).")
	fromStdin := fs.Bool("stdin", false, "read the token from the first line of standard input instead of making one")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("token takes one argument, the token's name (who writes with it)")
	}
	name := rest[0]
	if !tokenName.MatchString(name) {
		return usageError("token name %q: use letters, digits and . _ @ - (at most 64, no colon)", clipName(name))
	}
	var secret string
	if *fromStdin {
		sc := bufio.NewScanner(e.stdin)
		if sc.Scan() {
			secret = strings.TrimSpace(sc.Text())
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("reading the token: %w", err)
		}
		if secret == "" || strings.ContainsAny(secret, " \t,") {
			return usageError("--stdin: want the token on the first line, without spaces or commas")
		}
	} else {
		if secret, err = randomToken(); err != nil {
			return err
		}
	}
	sum := sha256.Sum256([]byte(secret))
	fmt.Fprintf(e.stdout, "%s:sha256:%s\n", name, hex.EncodeToString(sum[:]))
	if !*fromStdin {
		fmt.Fprintf(e.stderr, "claimgraph: the token of %q (shown once, stored nowhere; the line on standard output holds its hash): %s\n", name, secret)
	}
	return nil
}
