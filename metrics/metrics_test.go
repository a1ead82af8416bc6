package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type fakeStore struct{}

func (fakeStore) LastCommit() uint64      { return 1_700_000_000_500_000_000 }
func (fakeStore) Size() (lsm, vlog int64) { return 1234, 5678 }
func (fakeStore) PostingCacheCounts() (int64, int, uint64, uint64) {
	return 4096, 3, 17, 5
}

func TestMetrics(t *testing.T) {
	m := New(fakeStore{})
	mux := http.NewServeMux()
	mux.Handle("/graphql", m.Wrap("graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
		}
		io.WriteString(w, "{}")
	})))
	mux.Handle("/metrics", m.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, req := range []struct{ method string }{{http.MethodGet}, {http.MethodGet}, {http.MethodPost}, {"BREW"}} {
		r, _ := http.NewRequest(req.method, srv.URL+"/graphql", nil)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		`claimgraph_http_requests_total{code="200",method="GET",route="graphql"} 2`,
		`claimgraph_http_requests_total{code="400",method="POST",route="graphql"} 1`,
		`claimgraph_http_requests_total{code="200",method="other",route="graphql"} 1`,
		`claimgraph_http_request_duration_seconds_count{route="graphql"} 4`,
		`claimgraph_http_requests_in_flight 0`,
		`claimgraph_store_disk_bytes{part="lsm"} 1234`,
		`claimgraph_store_disk_bytes{part="vlog"} 5678`,
		`claimgraph_store_last_commit_timestamp_seconds 1.7000000005e+09`,
		`claimgraph_posting_cache_bytes 4096`,
		`claimgraph_posting_cache_lists 3`,
		`claimgraph_posting_cache_hits_total 17`,
		`claimgraph_posting_cache_reads_total 5`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
}
