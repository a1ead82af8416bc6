package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestServeCacheFlags checks the cache and memory flags of serve: negative
// sizes are refused with a message naming the flag, and a server with the
// smallest block cache, no read cache and no posting cache starts and
// answers (a search too), with the
// default memory limit in force until it returns.
func TestServeCacheFlags(t *testing.T) {
	tests := []struct {
		flag, value, want string
	}{
		{"--block-cache-mib", "0", "--block-cache-mib must be at least 1, got 0"},
		{"--read-cache-mib", "-5", "--read-cache-mib must be 0 (off) or positive, got -5"},
		{"--posting-cache-mib", "-1", "--posting-cache-mib must be 0 (off) or positive, got -1"},
		{"--memory-limit-mib", "-2", "--memory-limit-mib must be 0 (none) or positive, got -2"},
		{"--block-cache-mib", "lots", "--block-cache-mib"},
	}
	for _, tt := range tests {
		t.Run(tt.flag+"="+tt.value, func(t *testing.T) {
			r := cli(t, "", "serve", "--data", t.TempDir(), tt.flag, tt.value)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("serve %s %s: %s, want exit 2 and %q", tt.flag, tt.value, r, tt.want)
			}
		})
	}
	before := debug.SetMemoryLimit(-1)
	addr, _, stop := startServerEnv(t, nil, "--block-cache-mib", "1", "--read-cache-mib", "0", "--posting-cache-mib", "0")
	if code, body := postGraphQL(t, addr, "", "{ __typename }"); code != 200 || body["data"] == nil {
		t.Errorf("a server with small caches answered %d: %v", code, body)
	}
	if code, body := postGraphQL(t, addr, "", `{ search(text: "crime") { totalCount } }`); code != 200 || body["data"] == nil {
		t.Errorf("a search without the posting cache answered %d: %v", code, body)
	}
	if got := debug.SetMemoryLimit(-1); got != defaultServeMemoryLimit<<20 {
		t.Errorf("memory limit while serving: %d, want %d", got, defaultServeMemoryLimit<<20)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit after serve returned: %d, want %d as before", got, before)
	}
}
