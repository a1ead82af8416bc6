package schema

import (
	"slices"
	"testing"
	"time"

	"claimgraph/graph"
	"claimgraph/graph/graphtest"
	"claimgraph/graph/memgraph"
)

// searchServer serves the graphtest sample story plus one quote, then a
// second version of that quote; it returns the instant of the first.
func searchServer(t *testing.T) (*server, time.Time) {
	t.Helper()
	st := memgraph.New()
	t.Cleanup(func() { st.Close() })
	b := graphtest.SampleBatch()
	b.Nodes = append(b.Nodes, &graph.Quote{Key: "q-down", Text: "Crime is way down on the quays", Speaker: "p-okafor",
		Source: "s-article", Mode: "direct"})
	res, err := st.Apply(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	if _, err := st.Apply(t.Context(), &graph.Batch{Nodes: []graph.Node{&graph.Quote{Key: "q-down",
		Text: "Thefts are rare on the quays", Speaker: "p-okafor", Source: "s-article", Mode: "direct"}}}); err != nil {
		t.Fatal(err)
	}
	return newServer(t, st, HandlerConfig{}), res.At
}

func TestSearch(t *testing.T) {
	s, then := searchServer(t)
	d := s.post(t, `query ($then: DateTime) {
		org: search(text: "DEPARTMENT", kinds: [ORGANISATION]) {
			totalCount edges { node { id ... on Organisation { name } } score highlights { field start end } } }
		now: search(text: "crime") { totalCount }
		then: search(text: "\"is way down\"", asOf: $then) { totalCount edges { node { id } highlights { start end } } }
		thefts: search(text: "theft", kinds: [QUOTE]) { edges { node { id } } }
	}`, map[string]interface{}{"then": then.Format(time.RFC3339Nano)}, acceptJSON).data(t)
	if dig(t, d, "org", "totalCount") != 1.0 || dig(t, d, "org", "edges", 0, "node", "id") != "o-dhs" {
		t.Errorf("org = %v", d["org"])
	}
	if hl := dig(t, d, "org", "edges", 0, "highlights", 0).(map[string]interface{}); hl["field"] != "name" || hl["start"] != 0.0 || hl["end"] != 10.0 {
		t.Errorf("org highlight = %v", hl)
	}
	if sc, _ := dig(t, d, "org", "edges", 0, "score").(float64); sc <= 0 {
		t.Errorf("org score = %v", sc)
	}
	if dig(t, d, "now", "totalCount") != 0.0 {
		t.Errorf("crime now = %v, want 0 (the quote was rewritten)", d["now"])
	}
	if dig(t, d, "then", "totalCount") != 1.0 || dig(t, d, "then", "edges", 0, "node", "id") != "q-down" ||
		dig(t, d, "then", "edges", 0, "highlights", 0, "start") != 6.0 {
		t.Errorf("phrase asOf then = %v", d["then"])
	}
	if dig(t, d, "thefts", "edges", 0, "node", "id") != "q-down" {
		t.Errorf("thefts = %v", d["thefts"])
	}
}

func TestSearchPaging(t *testing.T) {
	s, _ := searchServer(t)
	const q = `query ($after: String, $first: Int) { search(text: "ferry", first: $first, after: $after) {
		totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id } } } }`
	ids := func(d map[string]interface{}) []string {
		var out []string
		for _, e := range dig(t, d, "search", "edges").([]interface{}) {
			out = append(out, dig(t, e, "node", "id").(string))
		}
		return out
	}
	full := s.post(t, q, map[string]interface{}{"first": 100}, acceptJSON).data(t)
	want := ids(full)
	if len(want) < 5 || dig(t, full, "search", "totalCount") != float64(len(want)) {
		t.Fatalf("search(ferry) = %v", full)
	}
	var got []string
	vars := map[string]interface{}{"first": 2}
	for range 20 {
		d := s.post(t, q, vars, acceptJSON).data(t)
		page := ids(d)
		got = append(got, page...)
		if dig(t, d, "search", "pageInfo", "hasPreviousPage") != (vars["after"] != nil) {
			t.Errorf("hasPreviousPage = %v", dig(t, d, "search", "pageInfo"))
		}
		if dig(t, d, "search", "pageInfo", "hasNextPage") != true {
			break
		}
		if last := dig(t, d, "search", "edges", len(page)-1, "cursor"); last != dig(t, d, "search", "pageInfo", "endCursor") {
			t.Errorf("last cursor %v, endCursor %v", last, dig(t, d, "search", "pageInfo", "endCursor"))
		}
		vars["after"] = dig(t, d, "search", "pageInfo", "endCursor")
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
}

func TestSearchErrors(t *testing.T) {
	s, _ := searchServer(t)
	cases := []struct {
		query string
		code  Code
	}{
		{`{ search(text: "  ") { totalCount } }`, CodeBadUserInput},
		{`{ search(text: "** \"\"") { totalCount } }`, CodeBadUserInput},
		{`{ search(text: "ferry", first: 1000000) { totalCount } }`, CodeLimitExceeded},
		{`{ search(text: "ferry", after: "bm90IGEgY3Vyc29y") { totalCount } }`, CodeBadUserInput},
	}
	for _, c := range cases {
		r := s.post(t, c.query, nil, acceptJSON)
		if codes := r.errorCodes(); !slices.Contains(codes, string(c.code)) {
			t.Errorf("%s: codes %v, want %s", c.query, codes, c.code)
		}
	}
}
