package graph_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"claimgraph/graph"
)

func ExampleDecode() {
	const bundle = `{"claimgraph":"bundle/1"}
{"type":"person","key":"mira-sol","name":"Mira Sol"}
{"type":"source","key":"radio-1","kind":"broadcast","text":"Mira Sol told listeners the orchard flooded twice."}
{"type":"quote","key":"q-orchard","text":"the orchard flooded twice","speaker":"mira-sol","source":"radio-1","span":{"start":24,"end":49},"mode":"indirect","cue":"told"}
`
	b, err := graph.Decode(strings.NewReader(bundle), graph.DecodeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := graph.Validate(context.Background(), b, nil); err != nil {
		fmt.Println(err)
		return
	}
	_ = graph.Prepare(context.Background(), b, nil)
	for i, n := range b.Nodes {
		fmt.Println(b.NodePlaces[i], n.NodeKind(), n.NodeKey())
	}
	q := b.Nodes[2].(*graph.Quote)
	fmt.Printf("prefix %q\n", q.Span.Prefix)

	// A bad bundle: every problem, with its place.
	_, err = graph.Decode(strings.NewReader(`{"claimgraph":"bundle/1","quotes":[{"key":"q1","txt":"hello","source":"s1"}]}`), graph.DecodeOptions{})
	fmt.Println(err)

	// Output:
	// line 2 person mira-sol
	// line 3 source radio-1
	// line 4 quote q-orchard
	// prefix "Mira Sol told listeners "
	// invalid bundle: 2 problem(s)
	//   quotes[0] key q1 field text: text is required
	//   quotes[0] key q1 field txt: unknown field "txt"
}

func ExampleEncode() {
	b := &graph.Bundle{
		Nodes: []graph.Node{&graph.Claim{Key: "c-tides", Text: "Tides rise twice a day", Topics: []string{"sea"}}},
		Links: []graph.Link{{From: "c-tides", To: "c-moon", Relation: graph.RelContext}},
	}
	if err := graph.EncodeJSONL(os.Stdout, b); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"claimgraph":"bundle/1"}
	// {"type":"claim","key":"c-tides","text":"Tides rise twice a day","topics":["sea"]}
	// {"type":"link","from":"c-tides","to":"c-moon","relation":"context"}
}
