package gen

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

func jsonl(t *testing.T, opt Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSONL(&b, opt); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	a := jsonl(t, Options{Quotes: 2000, Seed: 1})
	b := jsonl(t, Options{Quotes: 2000, Seed: 1})
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different bytes")
	}
	c := jsonl(t, Options{Quotes: 2000, Seed: 2})
	if bytes.Equal(a, c) {
		t.Fatal("seeds 1 and 2 gave the same bytes")
	}
	// Another seed changes the records, not only their order or a few of
	// them: most quote lines differ.
	la, lc := strings.Split(string(a), "\n"), strings.Split(string(c), "\n")
	same := 0
	for i := range min(len(la), len(lc)) {
		if strings.HasPrefix(la[i], `{"type":"quote"`) && la[i] == lc[i] {
			same++
		}
	}
	if same > 20 {
		t.Errorf("%d quote lines identical across seeds", same)
	}
}

// TestStreamMatchesEncode: the streaming writer writes exactly what
// graph.EncodeJSONL writes for the same records.
func TestStreamMatchesEncode(t *testing.T) {
	opt := Options{Quotes: 500, Seed: 7}
	b, err := Generate(opt)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := graph.EncodeJSONL(&want, b); err != nil {
		t.Fatal(err)
	}
	if got := jsonl(t, opt); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("WriteJSONL differs from graph.EncodeJSONL (%d vs %d bytes)", len(got), want.Len())
	}
}

// TestValidImport decodes a generated 2k corpus, validates it and imports
// it into memgraph.
func TestValidImport(t *testing.T) {
	ctx := context.Background()
	data := jsonl(t, Options{Quotes: 2000, Seed: 42})
	b, err := graph.ReadBundle(ctx, bytes.NewReader(data), graph.DecodeOptions{}, nil)
	if err != nil {
		t.Fatalf("generated corpus does not validate: %v", err)
	}
	st := memgraph.New()
	res, err := st.Apply(ctx, b.Batch("gen-test", ""))
	if err != nil {
		t.Fatal(err)
	}
	if res.Nodes.Added != len(b.Nodes) || res.Links.Added != len(b.Links) {
		t.Errorf("added %+v nodes, %+v links; want %d and %d", res.Nodes, res.Links, len(b.Nodes), len(b.Links))
	}
	if got := res.ByKind[graph.KindQuote].Added; got != 2000 {
		t.Errorf("%d quotes added, want 2000", got)
	}
	// The nesting is in the graph: some quote is reported by another.
	var nested *graph.Quote
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok && q.ReportedBy != "" {
			nested = q
			break
		}
	}
	err = st.View(ctx, func(r graph.Reader) error {
		es, err := r.Edges(ctx, graph.EdgeQuery{Key: nested.ReportedBy, Dir: graph.In, Relations: []graph.Relation{graph.RelReportedBy}})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(es, func(e graph.Edge) bool { return e.From == nested.Key }) {
			t.Errorf("no reported_by edge %s -> %s: %+v", nested.Key, nested.ReportedBy, es)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOrder: every reference points to a record that came before it, so a
// prefix of the stream validates alone.
func TestOrder(t *testing.T) {
	seen := map[string]bool{}
	err := Walk(Options{Quotes: 3000, Seed: 3}, func(r Record) error {
		if r.Node != nil {
			for _, ref := range r.Node.Refs() {
				if !seen[ref.To] {
					t.Errorf("%s refers to %s, which comes later", r.Node.NodeKey(), ref.To)
				}
			}
			seen[r.Node.NodeKey()] = true
			return nil
		}
		if !seen[r.Link.From] || !seen[r.Link.To] {
			t.Errorf("link %s -> %s before its ends", r.Link.From, r.Link.To)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A prefix validates on its own.
	var prefix graph.Bundle
	n := 0
	err = Walk(Options{Quotes: 3000, Seed: 3}, func(r Record) error {
		if n++; n > 1500 {
			return ErrStop
		}
		prefix.Nodes = append(prefix.Nodes, r.Node)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.Validate(context.Background(), &prefix, nil); err != nil {
		t.Errorf("prefix of 1500 records: %v", err)
	}
}

func TestWalkErrors(t *testing.T) {
	if err := Walk(Options{Quotes: 0}, func(Record) error { return nil }); err == nil {
		t.Error("0 quotes: no error")
	}
	boom := errors.New("boom")
	if err := Walk(Options{Quotes: 10}, func(Record) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("callback error: got %v", err)
	}
	// Tiny corpora still hold exactly the quotes asked for.
	for _, n := range []int{1, 2, 7, 33} {
		b, err := Generate(Options{Quotes: n, Seed: uint64(n)})
		if err != nil {
			t.Fatal(err)
		}
		q := 0
		for _, node := range b.Nodes {
			if node.NodeKind() == graph.KindQuote {
				q++
			}
		}
		if q != n {
			t.Errorf("Quotes %d: generated %d", n, q)
		}
		if err := graph.Validate(context.Background(), b, nil); err != nil {
			t.Errorf("Quotes %d: %v", n, err)
		}
	}
}

// TestShape checks that a corpus looks like news: the properties the
// benchmarks rely on.
func TestShape(t *testing.T) {
	const n = 20000
	b, err := Generate(Options{Quotes: n, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	sz := SizesOf(Options{Quotes: n})
	byKey := map[string]graph.Node{}
	count := map[graph.Kind]int{}
	for _, node := range b.Nodes {
		byKey[node.NodeKey()] = node
		count[node.NodeKind()]++
	}
	want := map[graph.Kind]int{graph.KindOrganisation: sz.Organisations, graph.KindPerson: sz.People, graph.KindSource: sz.Sources,
		graph.KindClaim: sz.Claims, graph.KindQuote: sz.Quotes, graph.KindFigure: sz.Figures}
	for k, w := range want {
		if count[k] != w {
			t.Errorf("%d %s records, want %d", count[k], k, w)
		}
	}

	var nested, withClaims, withChannel, deep int
	perSpeaker := map[string]int{}
	sourceKinds := map[string]int{}
	years := map[string]bool{}
	var parents, aliases, affiliations, derived, ranges int
	for _, node := range b.Nodes {
		switch x := node.(type) {
		case *graph.Quote:
			perSpeaker[x.Speaker]++
			if x.ReportedBy != "" {
				nested++
				depth := 1
				for q := byKey[x.ReportedBy].(*graph.Quote); q.ReportedBy != ""; q = byKey[q.ReportedBy].(*graph.Quote) {
					depth++
				}
				if depth >= 2 {
					deep++
				}
			}
			if len(x.Claims) > 0 {
				withClaims++
			}
			if x.Channel != "" {
				withChannel++
			}
		case *graph.Source:
			sourceKinds[x.Kind]++
			years[x.PublishedAt[:4]] = true
			if len(x.DerivedFrom) > 0 {
				derived++
			}
		case *graph.Organisation:
			if x.Parent != "" {
				parents++
			}
		case *graph.Person:
			if len(x.Aliases) > 0 {
				aliases++
			}
			if len(x.Affiliations) > 0 {
				affiliations++
			}
		case *graph.Figure:
			if x.Unit == "" || x.Measure == "" || x.Period == "" {
				t.Errorf("figure %s lacks unit, measure or period: %+v", x.Key, x)
			}
			if x.ValueMax != nil {
				ranges++
			}
		}
	}
	between := func(name string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.3f, want in [%.3f, %.3f]", name, got, lo, hi)
		}
	}
	between("nested share", float64(nested)/n, 0.17, 0.23)
	between("share expressing claims", float64(withClaims)/n, 0.25, 0.35)
	if deep < n/100 {
		t.Errorf("%d quotes nested two deep or more, want at least %d", deep, n/100)
	}
	if withChannel < n/10 {
		t.Errorf("%d quotes with a channel", withChannel)
	}
	for _, k := range []string{"article", "social_post", "statement", "press_release", "transcript", "broadcast", "interview", "call", "report", "dataset"} {
		if sourceKinds[k] == 0 {
			t.Errorf("no %s source", k)
		}
	}
	if len(years) < 7 {
		t.Errorf("sources published over %d years, want at least 7", len(years))
	}
	if parents == 0 || aliases < sz.People || affiliations < sz.People/2 || derived < sz.Sources/10 || ranges == 0 {
		t.Errorf("parents %d, people with aliases %d, affiliated %d, derived sources %d, figure ranges %d",
			parents, aliases, affiliations, derived, ranges)
	}

	// Skewed speakers: the busiest 1% of speakers say a large share, and
	// many speakers say little.
	counts := make([]int, 0, len(perSpeaker))
	for _, c := range perSpeaker {
		counts = append(counts, c)
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, c := range counts[:max(1, len(counts)/100)] {
		top += c
	}
	between("top 1% speakers' share", float64(top)/n, 0.2, 0.8)
	if counts[0] < 200 {
		t.Errorf("busiest speaker has %d quotes, want at least 200", counts[0])
	}
	few := 0
	for _, c := range counts {
		if c <= 3 {
			few++
		}
	}
	if few < len(counts)/3 {
		t.Errorf("%d of %d speakers with at most 3 quotes", few, len(counts))
	}

	rels := map[graph.Relation]int{}
	for _, l := range b.Links {
		rels[l.Relation]++
		if l.Relation == graph.RelContradicts && !graph.OneOf(l.Reason, graph.ContradictionReasons) {
			t.Errorf("contradiction without a reason: %+v", l)
		}
	}
	for _, r := range []graph.Relation{graph.RelSupports, graph.RelContradicts, graph.RelRespondsTo} {
		if rels[r] == 0 {
			t.Errorf("no %s link", r)
		}
	}
	if rels[graph.RelSupports] < sz.Figures/2 || rels[graph.RelContradicts] < sz.Figures/5 {
		t.Errorf("links: %v", rels)
	}
}

func BenchmarkWriteJSONL(b *testing.B) {
	for b.Loop() {
		var n countWriter
		if err := WriteJSONL(&n, Options{Quotes: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(n))
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
