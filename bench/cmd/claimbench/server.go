package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"claimgraph/bench"
)

// The GraphQL questions asked over HTTP.
const (
	nodeQuery    = `query Q($id: ID!) { node(id: $id) { id kind ... on Quote { text saidAt speaker { id name } source { id title url } } } }`
	searchQuery  = `query S($text: String!) { search(text: $text, kinds: [QUOTE], first: 20) { totalCount edges { score node { id ... on Quote { text speaker { name } } } } } }`
	whoSaidQuery = `query W($text: String!) { whoSaid(text: $text, first: 20) { totalCount edges { node { id text speaker { name } source { title } } } } }`
	fpageQuery   = `query F($speaker: ID!, $from: DateTime!, $to: DateTime!, $after: String) {
  quotes(where: {speaker: [$speaker], saidAt: {from: $from, to: $to}}, orderBy: {field: SAID_AT, direction: ASC}, first: 50, after: $after) {
    edges { node { id text saidAt } } pageInfo { hasNextPage endCursor } } }`
	traceQuery = `query T($id: ID!) { trace(id: $id) { hops { from { id } to { id } relation cue reason depth }
  speakers { id name } primarySources { id } supporting { id } contradicting { id } truncated } }`
)

// measureServer runs `claimgraph serve` on the imported data directory and
// measures the trace over HTTP, requests per second of the node query at
// 8, 32 and 64 clients, and the server's peak RSS. With cold, the server
// runs with its read and answer caches off and the metrics are the _cold
// ones (no peak RSS).
func measureServer(ctx context.Context, cfg config, w workload, dataDir string, m *metrics, cold bool) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var stderr bytes.Buffer
	args := []string{"serve", "--data", dataDir, "--addr", addr, "--log-level", "warn"}
	if cold {
		args = append(args, "--read-cache-mib", "0", "--posting-cache-mib", "0", "--answer-cache", "0")
	}
	cmd := exec.CommandContext(ctx, cfg.bin, args...)
	cmd.Stderr = &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	url := "http://" + addr
	var postVars func(query string, vars map[string]any) ([]byte, error)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}, Timeout: 30 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			return fmt.Errorf("server did not come up: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cfg.logf("claimgraph serve (pid %d) on %s", cmd.Process.Pid, addr)
	post := func(query, id string) error {
		_, err := postVars(query, map[string]any{"id": id})
		return err
	}
	postVars = func(query string, vars map[string]any) ([]byte, error) {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK || bytes.Contains(data, []byte(`"errors"`)) {
			return nil, fmt.Errorf("%s: %.300s", resp.Status, data)
		}
		return data, nil
	}
	suffix, what := "", "claimgraph serve"
	if cold {
		suffix, what = "_cold", "claimgraph serve, caches off"
	}
	for _, q := range []struct{ id, query string }{{"http_search", searchQuery}, {"http_whosaid", whoSaidQuery}} {
		lat, err := latencies(cfg.reps, w.phrases, func(ph string) error {
			_, err := postVars(q.query, map[string]any{"text": ph})
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", q.id, err)
		}
		m.latency(q.id+suffix, bench.ClaimGraph, lat)
		cfg.logf("%s: %s p50 %.3f ms", what, q.id, bench.Summarize(lat).P50)
	}
	lat, _, err := filteredPages(w.filters, cfg.reps, maxFilteredPages, func(f filterQ, after *fpageCursor) ([]string, *fpageCursor, error) {
		vars := map[string]any{"speaker": f.speaker, "from": f.from.Format(time.RFC3339), "to": f.to.Format(time.RFC3339)}
		if after != nil {
			vars["after"] = after.opaque
		}
		data, err := postVars(fpageQuery, vars)
		if err != nil {
			return nil, nil, err
		}
		var out struct {
			Data struct {
				Quotes struct {
					Edges []struct {
						Node struct{ ID string } `json:"node"`
					} `json:"edges"`
					PageInfo struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
				} `json:"quotes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, nil, err
		}
		var keys []string
		for _, e := range out.Data.Quotes.Edges {
			keys = append(keys, e.Node.ID)
		}
		if !out.Data.Quotes.PageInfo.HasNextPage {
			return keys, nil, nil
		}
		return keys, &fpageCursor{opaque: out.Data.Quotes.PageInfo.EndCursor}, nil
	})
	if err != nil {
		return fmt.Errorf("filtered pages over HTTP: %w", err)
	}
	m.latency("http_fpage"+suffix, bench.ClaimGraph, lat)
	lat, err = latencies(cfg.reps, w.traceRoots, func(root string) error { return post(traceQuery, root) })
	if err != nil {
		return fmt.Errorf("trace over HTTP: %w", err)
	}
	m.latency("http_trace"+suffix, bench.ClaimGraph, lat)
	cfg.logf("%s: trace p50 %.3f ms", what, bench.Summarize(lat).P50)
	for _, c := range []int{8, 32, 64} {
		v, err := rps(ctx, c, cfg.rpsDuration, func(i int) error { return post(nodeQuery, w.quoteKeys[i%len(w.quoteKeys)]) })
		if err != nil {
			return fmt.Errorf("node query, %d clients: %w", c, err)
		}
		m.set(fmt.Sprintf("rps_%d", c)+suffix, bench.ClaimGraph, v)
		cfg.logf("%s: %d clients, %.0f req/s", what, c, v)
	}
	if cold {
		return nil // the peak RSS is the served default's
	}
	hwm, err := peakRSS(cmd.Process.Pid)
	if err != nil {
		return err
	}
	m.set("peak_rss", bench.ClaimGraph, float64(hwm)/(1<<20))
	return nil
}

// peakRSS reads a process's peak resident set size (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// dirSize returns the bytes a directory takes on disk (allocated blocks,
// so sparse and preallocated files count what they use).
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		} else {
			total += info.Size()
		}
		return nil
	})
	return total, err
}

// commandOutput runs a command and returns its standard output.
func commandOutput(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}
