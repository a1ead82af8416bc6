package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeMetrics checks that serve answers /metrics in the Prometheus
// text format, counting the requests it has answered and reporting the
// store.
func TestServeMetrics(t *testing.T) {
	base, _, _ := startServer(t, "--data", t.TempDir(), "--demo")
	for range 3 {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query": "{ node(id: \"q-trump-crime-down\") { id } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		`claimgraph_http_requests_total{code="200",method="GET",route="healthz"} 3`,
		`claimgraph_http_requests_total{code="200",method="POST",route="graphql"} 1`,
		`claimgraph_store_last_commit_timestamp_seconds 1.`,
		`claimgraph_store_disk_bytes{part="vlog"} `,
		// The demo's lists are far shorter than the cache keeps.
		`claimgraph_posting_cache_lists 0`,
		`claimgraph_posting_cache_reads_total 0`,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
