package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"claimgraph/bench"
	"claimgraph/gen"
	"claimgraph/graph"
)

// TestStreamCorpus checks that the corpus comes in chunks of the size
// asked (the last one the rest) and that, put together, they are gen's
// corpus, record for record and in order.
func TestStreamCorpus(t *testing.T) {
	opt := gen.Options{Quotes: 300, Seed: 3}
	whole, err := gen.Generate(opt)
	if err != nil {
		t.Fatal(err)
	}
	want := encodeBundle(t, whole)
	records := len(whole.Nodes) + len(whole.Links)
	for _, chunk := range []int{1, 7, 100, records, records + 1, 1 << 20} {
		var got graph.Bundle
		var sizes []int
		err := streamCorpus(opt)(chunk, func(b *graph.Bundle) error {
			sizes = append(sizes, len(b.Nodes)+len(b.Links))
			got.Nodes = append(got.Nodes, b.Nodes...)
			got.Links = append(got.Links, b.Links...)
			return nil
		})
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if wantChunks := (records + chunk - 1) / chunk; len(sizes) != wantChunks {
			t.Errorf("chunk %d: %d chunks, want %d", chunk, len(sizes), wantChunks)
		}
		for i, n := range sizes {
			if n != chunk && i != len(sizes)-1 || n > chunk || n == 0 {
				t.Errorf("chunk %d: chunk %d of %d holds %d records", chunk, i, len(sizes), n)
			}
		}
		if !bytes.Equal(encodeBundle(t, &got), want) {
			t.Errorf("chunk %d: the chunks put together are not gen's corpus", chunk)
		}
	}
	if err := streamCorpus(opt)(0, func(*graph.Bundle) error { return nil }); err == nil {
		t.Error("a chunk of 0 records: no error")
	}
	// An error of the consumer ends the walk and is returned.
	calls := 0
	stop := os.ErrClosed
	if err := streamCorpus(opt)(10, func(*graph.Bundle) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("consumer error: %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func encodeBundle(t *testing.T, b *graph.Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := graph.EncodeJSONL(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNewWorkloadChunks checks that the questions do not depend on the
// chunks the corpus came in, and that they are questions of the corpus.
func TestNewWorkloadChunks(t *testing.T) {
	opt := gen.Options{Quotes: 2000, Seed: 5}
	load := streamCorpus(opt)
	w1, n1, err := newWorkload(load, 1<<20, 40, 5)
	if err != nil {
		t.Fatal(err)
	}
	w2, n2, err := newWorkload(load, 333, 40, 5)
	if err != nil {
		t.Fatal(err)
	}
	if n1 != n2 || !reflect.DeepEqual(w1, w2) {
		t.Fatalf("the workload depends on the chunks: %d and %d records", n1, n2)
	}
	whole, err := gen.Generate(opt)
	if err != nil {
		t.Fatal(err)
	}
	if n1 != len(whole.Nodes)+len(whole.Links) {
		t.Errorf("records %d, corpus %d", n1, len(whole.Nodes)+len(whole.Links))
	}
	quotes := map[string]*graph.Quote{}
	for _, n := range whole.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			quotes[q.Key] = q
		}
	}
	if len(w1.traceRoots) != 40 {
		t.Errorf("%d trace roots, want 40", len(w1.traceRoots))
	}
	for _, k := range w1.traceRoots {
		if q := quotes[k]; q == nil || q.ReportedBy == "" {
			t.Errorf("trace root %s is not a nested quote", k)
		}
	}
	// The first roots are the deepest chains: nothing nests deeper.
	depth := func(k string) int {
		d := 0
		for q := quotes[k]; q.ReportedBy != "" && d < 10; q = quotes[q.ReportedBy] {
			d++
		}
		return d
	}
	deepest := 0
	for k := range quotes {
		deepest = max(deepest, depth(k))
	}
	if got := depth(w1.traceRoots[0]); got != deepest {
		t.Errorf("first root nests %d deep, the corpus %d", got, deepest)
	}
	if len(w1.phrases) == 0 || len(w1.speakers) == 0 || len(w1.filters) == 0 || len(w1.quoteKeys) != 2000 {
		t.Errorf("workload: %d phrases, %d speakers, %d filters, %d quote keys", len(w1.phrases), len(w1.speakers), len(w1.filters), len(w1.quoteKeys))
	}
	for _, f := range w1.filters {
		said := 0
		for _, q := range quotes {
			if q.Speaker == f.speaker {
				if t0, _, err := graph.ParseDate(q.SaidAt); err == nil && !t0.Before(f.from) && t0.Before(f.to) {
					said++
				}
			}
		}
		if said == 0 {
			t.Errorf("filter %s %v: no quote of the speaker in the year", f.speaker, f.from.Year())
		}
	}
}

// TestRunChunked runs claimbench end to end on a small corpus, in one
// chunk and in several (claimgraph and SQLite; no server, no PostgreSQL),
// and checks that the chunks lose nothing: the same records, and the same
// keys and rows per quote in every system.
func TestRunChunked(t *testing.T) {
	results := map[int]*bench.Results{}
	for _, chunk := range []int{1 << 20, 97} {
		dir := t.TempDir()
		out := filepath.Join(dir, "results.json")
		args := []string{"--sizes", "300", "--seed", "2", "--peers", "sqlite", "--bin", "", "--reps", "1", "--trace-roots", "10", "--rps-duration", "100ms",
			"--chunk", strconv.Itoa(chunk), "--out", out, "--work", filepath.Join(dir, "work")}
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("chunk %d: %v\n%s", chunk, err, stderr.String())
		}
		f, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var r bench.Results
		if err := json.Unmarshal(f, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Sizes) != 1 {
			t.Fatalf("chunk %d: %d sizes", chunk, len(r.Sizes))
		}
		results[chunk] = &r
		// The data of the peers goes after their questions; claimgraph's
		// stays until the end of the size.
		for _, sys := range []string{"raw", "sqlite"} {
			if _, err := os.Stat(filepath.Join(dir, "work", "300", sys)); !os.IsNotExist(err) {
				t.Errorf("chunk %d: %s data left behind (%v)", chunk, sys, err)
			}
		}
	}
	one, many := results[1<<20].Sizes[0], results[97].Sizes[0]
	if one.Records != many.Records || one.Records == 0 {
		t.Errorf("records: %d in one chunk, %d in chunks", one.Records, many.Records)
	}
	value := func(s bench.Size, id, sys string) float64 {
		for _, m := range s.Metrics {
			if m.ID == id {
				return m.Values[sys]
			}
		}
		t.Fatalf("no metric %s", id)
		return 0
	}
	for _, sys := range []string{bench.ClaimGraph, bench.Raw, bench.SQLite} {
		a, b := value(one, "keys_per_quote", sys), value(many, "keys_per_quote", sys)
		if a == 0 || a != b {
			t.Errorf("%s keys per quote: %v in one chunk, %v in chunks", sys, a, b)
		}
	}
}
