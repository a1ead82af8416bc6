package graph_test

import (
	"testing"

	"claimgraph/gen"
	"claimgraph/graph"
)

// BenchmarkValidate validates a generated corpus of 20,000 quotes (about
// 35,000 records) with no store behind it, as the first import into a new
// store does.
func BenchmarkValidate(b *testing.B) {
	bundle, err := gen.Generate(gen.Options{Quotes: 20000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := graph.Validate(b.Context(), bundle, nil); err != nil {
			b.Fatal(err)
		}
	}
}
