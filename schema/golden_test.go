package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// goldenQueries are answered on testdata/bundle.json and compared with
// testdata/golden/NAME.json (rewritten with -update).
var goldenQueries = []struct {
	name, query string
	vars        map[string]interface{}
}{
	{name: "node-quote", query: `query ($id: ID!) { node(id: $id) { id kind ... on Quote {
		text cue mode saidAt certainty
		span { start end prefix suffix contentSha256 }
		speaker { id kind name aliases }
		source { id title sourceKind publishedAt publisher { name organisationKind } }
		channel { id sourceKind publishedAt authors { name } }
		reportedBy { id text }
		claims { id text topics }
		reports { totalCount edges { cursor node { id text speaker { name } } } }
		linksIn { totalCount edges { node { relation reason note from { id kind } } } }
		linksOut { totalCount edges { node { relation to { id } } } }
	} } }`, vars: map[string]interface{}{"id": "q-safer"}},
	{name: "node-person", query: `{ node(id: "ines-okafor") { id kind ... on Person {
		name aliases description ids { scheme value }
		affiliations { role from to organisation { id name } }
		quotes { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { text } } }
		authored { totalCount edges { node { id sourceKind } } }
		statedFigures { totalCount }
	} } }`},
	{name: "node-organisation", query: `{ node(id: "larkhaven-council") { ... on Organisation {
		id name organisationKind parent { id }
		members { totalCount edges { role node { name } } }
		subOrganisations { edges { node { id name parent { name } statedFigures { totalCount edges { node { id value unit } } } } } }
	} } }`},
	{name: "node-source", query: `{ node(id: "article-1") { ... on Source {
		id sourceKind title url language updatedAt retrievedAt archiveUrl contentSha256
		authors { kind name }
		derivedFrom { relation source { id sourceKind publisher { name } derivatives { totalCount edges { relation node { id } } } } }
		quotes { totalCount edges { node { id } } }
		figures(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
	} } }`},
	{name: "node-figure", query: `{ nodes(ids: ["f-pilots", "f-near-misses", "no-such-node"]) { id kind ... on Figure {
		text value valueMax unit measure subject period baseline change approx
		statedBy { kind name } source { id } span { start end }
		derivedFrom { id kind }
		linksOut { edges { node { relation reason note by at to { id } } } }
	} } }`},
	{name: "node-claim", query: `{ node(id: "c-harbour-safer") { ... on Claim {
		id text topics about { id kind }
		quotes { totalCount edges { node { id speaker { name } } } }
		linksIn(relations: [CONTRADICTS]) { totalCount edges { node { reason from { id } } } }
	} } }`},
	{name: "whosaid", query: `{ whoSaid(text: "HARBOUR is  safer") { totalCount edges { cursor node { id text speaker { name } source { title url } channel { id } } } } }`},
	{name: "whosaid-quote-marks", query: `{ whoSaid(text: "pilots' night shifts") { totalCount edges { node { id text mode speaker { kind name } reportedBy { speaker { name } } } } } }`},
	{name: "whosaid-paging", query: `query ($after: String) { whoSaid(text: "safe", first: 1, after: $after) {
		totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } } } }`,
		vars: map[string]interface{}{"after": "cS1sZXNzLXNhZmU"}},
	{name: "trace-quote", query: `{ trace(id: "q-funding") {
		root { id kind }
		hops { from { id } to { id } relation cue reason depth }
		speakers { id name } primarySources { id sourceKind } supporting { id } contradicting { id } truncated } }`},
	{name: "trace-claim", query: `{ trace(id: "c-harbour-safer", maxDepth: 2) {
		root { id } hops { from { id } to { id } relation reason depth }
		speakers { name } primarySources { id }
		supporting { id kind ... on Figure { value unit } }
		contradicting { id kind }
		truncated } }`},
	{name: "trace-figure-depth-1", query: `{ trace(id: "f-collisions", maxDepth: 1) { root { id } hops { to { id } relation depth } speakers { name } supporting { id } truncated } }`},
	{name: "stats", query: `{ stats { nodes links edges byKind { kind count } } }`},
	{name: "assessments", query: `{ claims { edges { node { id text assessment { status supporting contradicting explanation } } } } }`},
	{name: "figure-comparisons", query: `{ nodes(ids: ["f-near-misses", "f-collisions"]) { id ... on Figure {
		comparableWith { figure { id value unit } comparable agrees reasons via }
		conflicts { figure { id } }
	} } }`},
	{name: "history", query: `{ history(id: "f-collisions") { rev at by note change nodeId before after links { change after } } }`},
}

func TestGoldenResponses(t *testing.T) {
	s := newServer(t, testStore(t), HandlerConfig{})
	for _, g := range goldenQueries {
		t.Run(g.name, func(t *testing.T) {
			r := s.post(t, g.query, g.vars, acceptGQL)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, r.raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", g.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("response differs from %s (run with -update after checking):\n%s", path, firstDiff(string(want), got.String()))
			}
		})
	}
}
