package graphtest

import (
	"crypto/sha256"
	"encoding/hex"

	"claimgraph/graph"
)

// reportText is the text of the sample report; SampleBatch stores it with its
// content hash.
const reportText = "Harbour safety, February. Incidents on the night ferry fell by 40% against February last year."

// SampleBatch returns a fresh batch of a small invented news story, used by
// the suite and usable by other packages' tests. Every reference relation
// occurs in it at least once, and every kind.
//
// A local paper (source s-article, by p-brook, published by o-gazette)
// reports that the mayor José Álvarez (p-alvarez) wrote on a social post
// (s-post, the channel of quote q-post) that the harbour inspector Ada
// Okafor (p-okafor) asked him on a phone call (s-call, the channel of q-ask,
// reported by q-post) to keep the night ferry running. The Department of
// Harbour Safety (o-dhs, alias DHS, parent o-council) says it does not see a
// rise in incidents (q-dhs); its report (s-report) gives a 40% drop
// (f-incidents) that the article repeats (f-incidents-cited, derived from
// f-incidents). An unattributed post (q-cafe) says the pier feels less safe.
// Claims: c-ferry-safe (supported by f-incidents, contradicted by
// f-complaints for a different measure) and c-pier-unsafe. Links: supports,
// contradicts, responds_to.
//
// Counts: 3 people, 4 organisations, 4 sources, 4 quotes, 2 claims,
// 3 figures, 3 links.
func SampleBatch() *graph.Batch {
	sum := sha256.Sum256([]byte(reportText))
	fifteen := 15.0
	return &graph.Batch{
		By:   "graphtest",
		Note: "sample story",
		Nodes: []graph.Node{
			&graph.Person{Key: "p-alvarez", Name: "José Álvarez", Aliases: []string{"Pepe Álvarez"},
				Description: "mayor of Port Alder", IDs: map[string]string{"wikidata": "Q99999901"},
				Affiliations: []graph.Affiliation{{Organisation: "o-council", Role: "mayor", From: "2024-01-01"}}},
			&graph.Person{Key: "p-okafor", Name: "Ada Okafor",
				Affiliations: []graph.Affiliation{{Organisation: "o-dhs", Role: "inspector"}}},
			&graph.Person{Key: "p-brook", Name: "Nina Brook", Aliases: []string{"N. Brook"}},
			&graph.Organisation{Key: "o-council", Name: "Port Alder Council", Kind: "government"},
			&graph.Organisation{Key: "o-dhs", Name: "Department of Harbour Safety", Aliases: []string{"DHS"},
				Kind: "government", Parent: "o-council"},
			&graph.Organisation{Key: "o-gazette", Name: "Alder Gazette", Kind: "media"},
			&graph.Organisation{Key: "o-chirp", Name: "Chirp", Kind: "media"},
			&graph.Source{Key: "s-article", Kind: "article", Title: "Night ferry stays, mayor says",
				URL: "https://news.example/alder/night-ferry", Publisher: "o-gazette",
				Authors: []string{"p-brook"}, PublishedAt: "2026-03-02T08:30:00Z", Language: "en",
				DerivedFrom: []graph.Derivation{{Source: "s-post", Relation: "quotes"}, {Source: "s-report", Relation: "cites"}}},
			&graph.Source{Key: "s-post", Kind: "social_post", URL: "https://chirp.example/alvarez/1",
				Publisher: "o-chirp", Authors: []string{"p-alvarez"}, PublishedAt: "2026-03-01"},
			&graph.Source{Key: "s-call", Kind: "call", Title: "Phone call between the mayor and the inspector"},
			&graph.Source{Key: "s-report", Kind: "report", Title: "Harbour safety, February",
				URL: "https://dhs.example/reports/2026-02", Publisher: "o-dhs", PublishedAt: "2026-02-20",
				Text: reportText, ContentSHA256: hex.EncodeToString(sum[:])},
			&graph.Quote{Key: "q-post", Text: "The night ferry will keep running", Speaker: "p-alvarez",
				Source: "s-article", Cue: "wrote", Mode: "direct", Channel: "s-post", SaidAt: "2026-03-01",
				Certainty: "certain", Claims: []string{"c-ferry-safe"}},
			&graph.Quote{Key: "q-ask", Text: "to keep the night ferry running", Speaker: "p-okafor",
				Source: "s-article", Cue: "asked", Mode: "indirect", Channel: "s-call", ReportedBy: "q-post",
				Certainty: "probable", SaidAt: "2026-02-28T21:15:00-05:00"},
			&graph.Quote{Key: "q-dhs", Text: "We don’t see any rise in “night ferry” incidents", Speaker: "o-dhs",
				Source: "s-article", Span: &graph.Span{Start: 120, End: 166}, Cue: "said", Mode: "direct",
				SaidAt: "2026-03-02", Claims: []string{"c-ferry-safe"}},
			&graph.Quote{Key: "q-cafe", Text: "The Café  Pier feels less safe\nafter dark", Source: "s-post",
				Mode: "paraphrase", Claims: []string{"c-pier-unsafe"}},
			&graph.Claim{Key: "c-ferry-safe", Text: "The night ferry is safer than a year ago",
				Topics: []string{"ferry", "safety"}, About: []string{"o-dhs"}},
			&graph.Claim{Key: "c-pier-unsafe", Text: "The Café Pier is unsafe after dark", Topics: []string{"safety"}},
			&graph.Figure{Key: "f-incidents", Text: "fell by 40%", Value: 40, Unit: "percent",
				Measure: "ferry incidents", Subject: "Port Alder night ferry", Period: "2026-02", Baseline: "2025-02",
				Change: "decrease", StatedBy: "o-dhs", Source: "s-report"},
			&graph.Figure{Key: "f-incidents-cited", Text: "40 percent fewer incidents", Value: 40, Unit: "percent",
				Approx: true, StatedBy: "p-brook", Source: "s-article", DerivedFrom: []string{"f-incidents"}},
			&graph.Figure{Key: "f-complaints", Text: "between 12 and 15 complaints", Value: 12, ValueMax: &fifteen,
				Unit: "complaints", Measure: "rider complaints", Change: "increase", StatedBy: "o-council",
				Source: "s-article"},
		},
		Links: []graph.Link{
			{From: "f-incidents", To: "c-ferry-safe", Relation: graph.RelSupports, Note: "harbour statistics",
				By: "curator:ana", At: "2026-03-03T10:00:00Z"},
			{From: "f-complaints", To: "c-ferry-safe", Relation: graph.RelContradicts, Reason: "different_measure",
				Note: "complaints are not incidents", By: "curator:ana", At: "2026-03-03T10:05:00Z"},
			{From: "q-cafe", To: "q-dhs", Relation: graph.RelRespondsTo, Note: "the post answers the agency"},
		},
	}
}
