package graph_test

import (
	"errors"
	"reflect"
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

// TestValidateInParts: a bundle checked in parts on several cores gets
// exactly the problems, in the same order, as one pass over it, on a
// generated corpus with problems of every kind the parts check (fields,
// references within the bundle and to no record, wrong kinds, references
// to the record itself) and of the keys they do not (duplicates).
func TestValidateInParts(t *testing.T) {
	bundle, err := gen.Generate(gen.Options{Quotes: 3000, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	var people, sources []string
	for _, n := range bundle.Nodes {
		switch x := n.(type) {
		case *graph.Person:
			people = append(people, x.Key)
		case *graph.Source:
			sources = append(sources, x.Key)
		}
	}
	i := 0
	for _, n := range bundle.Nodes {
		q, ok := n.(*graph.Quote)
		if !ok {
			continue
		}
		switch i++; i % 7 {
		case 0: // problems on one record: fields, then references
			q.Speaker, q.Source, q.Mode, q.SaidAt = sources[i%len(sources)], q.Key, "shouted", "soon"
		case 1:
			q.Speaker = "p-nobody" // no record
		case 2:
			q.Mode = "shouted" // not an enumerated mode
		case 3:
			q.Speaker = sources[i%len(sources)] // a source, not a person
		case 4:
			q.Source = q.Key // the record itself
		case 5:
			q.Key = people[i%len(people)] // a duplicate key
		case 6:
			q.SaidAt = "last week" // not a date
		}
	}
	one := graph.Validate(t.Context(), bundle, nil)
	restore := graph.SetParallelNodes(100)
	defer restore()
	parts := graph.Validate(t.Context(), bundle, nil)
	var a, b *graph.ValidationError
	if !errors.As(one, &a) || !errors.As(parts, &b) {
		t.Fatalf("want validation errors: %v; %v", one, parts)
	}
	if len(a.Problems) < 2000 {
		t.Fatalf("%d problems, want one per changed quote", len(a.Problems))
	}
	if !reflect.DeepEqual(a.Problems, b.Problems) {
		for j := range min(len(a.Problems), len(b.Problems)) {
			if a.Problems[j] != b.Problems[j] {
				t.Fatalf("problem %d: one pass %v, in parts %v", j, a.Problems[j], b.Problems[j])
			}
		}
		t.Fatalf("one pass %d problems, in parts %d", len(a.Problems), len(b.Problems))
	}
}
