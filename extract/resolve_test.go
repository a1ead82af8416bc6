package extract

import (
	"context"
	"testing"

	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

func TestResolve(t *testing.T) {
	ctx := context.Background()
	st := memgraph.New()
	defer st.Close()
	seed := &graph.Batch{By: "test", Nodes: []graph.Node{
		&graph.Person{Key: "donald-trump", Name: "Donald Trump", Aliases: []string{"Trump"}, IDs: map[string]string{"wikidata": "Q22686"}},
		&graph.Organisation{Key: "dhs", Name: "US Department of Homeland Security", Aliases: []string{"DHS"}, Kind: "government"},
		&graph.Organisation{Key: "ice", Name: "US Immigration and Customs Enforcement", Aliases: []string{"ICE"}, Kind: "government"},
		// an unrelated node that holds the key the draft will want
		&graph.Organisation{Key: "jane-smith", Name: "Jane Smith Foundation", Kind: "ngo"},
	}}
	if _, err := st.Apply(ctx, seed); err != nil {
		t.Fatal(err)
	}
	text := "Talks resume\n\n“We had a very good call,” US President Donald Trump said. ICE said it had arrested 300 people. " +
		"The Department of Homeland Security said the figures were accurate. “We disagree,” said Jane Smith."
	b, _, err := Extract(text, Meta{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var matches []Match
	err = st.View(ctx, func(r graph.Reader) error {
		var err error
		b, matches, err = Resolve(ctx, b, r)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Match{}
	for _, m := range matches {
		by[m.Name] = m
	}
	want := map[string]Match{
		"Donald Trump":                    {StoredKey: "donald-trump", By: "key"},
		"ICE":                             {StoredKey: "ice", By: "alias"},
		"Department of Homeland Security": {StoredKey: "dhs", By: "alias"},
		"Jane Smith":                      {By: "new-renamed", NewKey: "jane-smith-2"},
	}
	for name, w := range want {
		g, ok := by[name]
		if !ok {
			t.Errorf("no match reported for %s; got %+v", name, matches)
			continue
		}
		if g.StoredKey != w.StoredKey || g.By != w.By || g.NewKey != w.NewKey {
			t.Errorf("%s: got %+v, want %+v", name, g, w)
		}
	}
	speakers := map[string]bool{}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Person:
			if x.Name == "Donald Trump" {
				t.Error("a second Donald Trump is still in the bundle")
			}
		case *graph.Quote:
			speakers[x.Speaker] = true
		}
	}
	for _, k := range []string{"donald-trump", "ice", "dhs", "jane-smith-2"} {
		if !speakers[k] {
			t.Errorf("no quote by %s; speakers %v", k, speakers)
		}
	}
	// the resolved draft imports, and importing it again changes nothing
	res, err := st.Apply(ctx, b.Batch("test", "ingest"))
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if res.Nodes.Added == 0 {
		t.Errorf("nothing added: %+v", res)
	}
	b2, _, _ := Extract(text, Meta{}, Options{})
	err = st.View(ctx, func(r graph.Reader) error {
		var err error
		b2, matches, err = Resolve(ctx, b2, r)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err = st.Apply(ctx, b2.Batch("test", "ingest again"))
	if err != nil {
		t.Fatalf("apply again: %v", err)
	}
	if res.Nodes.Added != 0 || res.Nodes.Changed != 0 {
		t.Errorf("second ingest changed the graph: %+v (matches %+v)", res, matches)
	}
}
