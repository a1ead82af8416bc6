package main

import (
	"testing"
	"time"

	"claimgraph/bench/load"
)

// TestLoad runs the load test of package bench/load for a few seconds
// against a real server (serve --demo in this process): 64 clients mixing
// reads (node, whoSaid, search, trace) and token-authorised writes, with
// no error and no acknowledged write lost. `make load` runs it for a
// minute against the built binary.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 64 clients for seconds")
	}
	base, _, _ := startServerEnv(t, map[string]string{"CLAIMGRAPH_TOKENS": "loader:" + abuseToken}, "--demo")
	rep, err := load.Run(t.Context(), load.Config{URL: base, Token: abuseToken, Clients: 64, Duration: 3 * time.Second, RunID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep)
	if !rep.OK() {
		t.Fatalf("%d errors, %d lost writes: %s", rep.Errors, len(rep.Lost), rep)
	}
	if rep.Acknowledged == 0 || len(rep.Ops) != len(load.Ops) {
		t.Fatalf("the run did not write, or left out a kind of operation:\n%s", rep)
	}
}
