package bench

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sampleResults() *Results {
	r := &Results{
		Started: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Seconds: 754,
		Machine: Machine{CPUs: 2, MemGiB: 23.4, Go: "go1.26.0", OS: "linux/amd64", Commit: "0123456789abcdef", SQLite: "3.50.4", Postgres: "15.14"},
		Seed:    1,
		Command: "claimbench --sizes 10000,100000",
	}
	small := Size{Quotes: 10000, Records: 15440, Notes: []string{"search: claimgraph's full-text search comes with a later issue"}}
	small.Add(Metric{ID: "import_rate", Name: "import", Unit: "quotes/s", Higher: true, Baseline: Raw,
		Values: map[string]float64{ClaimGraph: 1000, Raw: 20000, SQLite: 12500, Postgres: 8000}})
	small.Add(Metric{ID: "trace_p50", Name: "trace p50", Unit: "ms", Baseline: Raw,
		Values: map[string]float64{ClaimGraph: 0.31, Raw: 0.1, SQLite: 1.234, Postgres: 2.5}})
	small.Add(Metric{ID: "search_p99", Name: "search p99", Unit: "ms", Baseline: SQLite,
		Values: map[string]float64{SQLite: 3, Postgres: 4.5}})
	small.Add(Metric{ID: "peak_rss", Name: "server peak RSS", Unit: "MiB", Values: map[string]float64{ClaimGraph: 300}})
	small.Add(Metric{ID: "nothing", Name: "left out", Unit: "ms"})
	big := Size{Quotes: 100000, Records: 154400}
	big.Add(Metric{ID: "import_rate", Name: "import", Unit: "quotes/s", Higher: true, Baseline: Raw,
		Values: map[string]float64{ClaimGraph: 900, Raw: 19000, SQLite: 12000, Postgres: 9000}})
	big.Add(Metric{ID: "rps_32", Name: "node+speaker+source, 32 clients", Unit: "req/s", Higher: true, Baseline: Postgres,
		Values: map[string]float64{ClaimGraph: 3500, Postgres: 7000}})
	big.Add(Metric{ID: "http_trace_p50", Name: "trace over the wire p50", Unit: "ms", Baseline: Postgres,
		Values: map[string]float64{ClaimGraph: 1.5, Postgres: 2}})
	big.Add(Metric{ID: "peak_rss", Name: "server peak RSS", Unit: "MiB", Values: map[string]float64{ClaimGraph: 700}})
	r.Sizes = []Size{small, big}
	return r
}

func TestMarkdown(t *testing.T) {
	got := Markdown(sampleResults())
	golden := filepath.Join("testdata", "table.md")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./bench -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Markdown differs from %s (go test ./bench -update rewrites it):\n%s", golden, got)
	}
}

func TestTargets(t *testing.T) {
	ts := Targets(sampleResults())
	met := map[string]bool{}
	for _, tg := range ts {
		met[tg.Name+"@"+strings.TrimSpace(number(float64(tg.Quotes)))] = tg.Met
	}
	want := map[string]bool{
		"import rate vs raw Badger@10,000":                         false,
		"import faster than SQLite@10,000":                         false,
		"trace median vs hand-written traversal@10,000":            false,
		"trace faster than PostgreSQL@10,000":                      true, // 8.1×
		"trace faster than SQLite@10,000":                          true, // 3.98×
		"server peak RSS@10,000":                                   true,
		"server peak RSS@100,000":                                  false, // 700 MiB > 512 MiB at 100k
		"node+speaker+source over HTTP@100,000":                    true,
		"trace over HTTP, median@100,000":                          true,
		"trace over HTTP vs PostgreSQL over its protocol@100,000":  true,
		"import linear (rate at 100,000 vs 10,000 quotes)@100,000": true,
	}
	for name, w := range want {
		got, ok := met[name]
		if !ok {
			t.Errorf("target %q not checked; have %v", name, met)
			continue
		}
		if got != w {
			t.Errorf("target %q met = %v, want %v", name, got, w)
		}
	}
}

func TestNumberAndRatio(t *testing.T) {
	tests := []struct {
		v          float64
		num, ratio string
	}{
		{0, "0", "0×"},
		{0.01234, "0.0123", "0.012×"},
		{1, "1", "1×"},
		{1.5, "1.5", "1.5×"},
		{12.345, "12.3", "12×"},
		{999.6, "1,000", "1e+03×"},
		{1234567, "1,234,567", "1234567×"},
		{-1500, "-1,500", "-1.5e+03×"},
	}
	for _, tt := range tests {
		if got := number(tt.v); got != tt.num {
			t.Errorf("number(%v) = %q, want %q", tt.v, got, tt.num)
		}
		if tt.v >= 0 && tt.v < 100 {
			if got := ratio(tt.v); got != tt.ratio {
				t.Errorf("ratio(%v) = %q, want %q", tt.v, got, tt.ratio)
			}
		}
	}
	if got := ratio(250.4); got != "250×" {
		t.Errorf("ratio(250.4) = %q", got)
	}
}

func TestReplaceBetweenMarkers(t *testing.T) {
	tests := []struct {
		name, doc, want string
		err             bool
	}{
		{"no markers: appended", "# Title\n\ntext", "# Title\n\ntext\n\n" + MarkerStart + "\nTABLE\n" + MarkerEnd + "\n", false},
		{"empty doc", "", "\n" + MarkerStart + "\nTABLE\n" + MarkerEnd + "\n", false},
		{"replaced", "a\n" + MarkerStart + "\nold\ntable\n" + MarkerEnd + "\nb\n", "a\n" + MarkerStart + "\nTABLE\n" + MarkerEnd + "\nb\n", false},
		{"adjacent markers", "a " + MarkerStart + MarkerEnd + " b", "a " + MarkerStart + "\nTABLE\n" + MarkerEnd + " b", false},
		{"end before start", MarkerEnd + "\n" + MarkerStart, "", true},
		{"start only", "x " + MarkerStart, "", true},
		{"twice", MarkerStart + MarkerEnd + MarkerStart + MarkerEnd, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReplaceBetweenMarkers(tt.doc, "\nTABLE\n\n")
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if err == nil {
				again, _ := ReplaceBetweenMarkers(got, "TABLE")
				if again != got {
					t.Errorf("not idempotent: %q then %q", got, again)
				}
			}
		})
	}
}

func TestResultsRoundTrip(t *testing.T) {
	r := sampleResults()
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResults(&b)
	if err != nil {
		t.Fatal(err)
	}
	if Markdown(back) != Markdown(r) {
		t.Error("results changed through JSON")
	}
	m := back.Sizes[0].Metric("import_rate")
	if m == nil || m.Ratios[ClaimGraph] != 0.05 || m.Ratios[Raw] != 1 {
		t.Errorf("import ratios: %+v", m)
	}
	if back.Sizes[0].Metric("nothing") != nil {
		t.Error("a metric without values was kept")
	}
}

func TestPeers(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		p, err := Peer(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"trace", "whosaid", "search", "speaker_page", "node_speaker_source"} {
			if !strings.HasPrefix(p.Queries[q], "WITH") && !strings.HasPrefix(p.Queries[q], "SELECT") {
				t.Errorf("%s: query %s = %q", name, q, p.Queries[q])
			}
		}
		// node, edge, name, facet, revision; SQLite's two FTS5 tables
		// (PostgreSQL's tsvectors are columns of node).
		if len(p.Sections["tables"]) != 5+2*btoi(name == "sqlite") || len(p.Sections["indexes"]) < 10 {
			t.Errorf("%s: %d tables, %d index statements", name, len(p.Sections["tables"]), len(p.Sections["indexes"]))
		}
		for _, s := range p.Sections["tables"] {
			if strings.Contains(s, "--") {
				t.Errorf("%s: comment left in %q", name, s)
			}
		}
	}
	if _, err := Peer("mysql"); err == nil {
		t.Error("unknown peer: no error")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseSQL(t *testing.T) {
	src := "-- header\n-- @tables\nCREATE TABLE a (x text); -- trailing\nCREATE TABLE b (\n  y text DEFAULT '--not a comment'\n);\n-- @settings\nfsync = on\n-- @query q\nSELECT 1\n  FROM a;\n"
	p, err := ParseSQL(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Sections["tables"]; len(got) != 2 || got[0] != "CREATE TABLE a (x text)" || !strings.Contains(got[1], "'--not a comment'") {
		t.Errorf("tables = %q", got)
	}
	if got := p.Sections["settings"]; len(got) != 1 || got[0] != "fsync = on" {
		t.Errorf("settings = %q", got)
	}
	if got := p.Queries["q"]; got != "SELECT 1\n  FROM a" {
		t.Errorf("query = %q", got)
	}
	for _, bad := range []string{"SELECT 1;\n", "-- @query a\nSELECT 1;\nSELECT 2;\n", "-- @query a\nSELECT 1;\n-- @query a\nSELECT 2;\n"} {
		if _, err := ParseSQL(bad); err == nil {
			t.Errorf("ParseSQL(%q): no error", bad)
		}
	}
}
