package extract_test

import (
	"fmt"

	"claimgraph/extract"
	"claimgraph/graph"
)

func ExampleExtract() {
	text := "Ferry stays, mayor says\n\n“The night ferry is a lifeline,” said Mayor Ana Ruiz. The port authority said 1,200 people use it every week."
	b, rep, err := extract.Extract(text, extract.Meta{Key: "article-ferry"}, extract.Options{})
	if err != nil {
		panic(err)
	}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Quote:
			fmt.Printf("%s %s [%d,%d) %q\n", x.Mode, x.Speaker, x.Span.Start, x.Span.End, x.Text)
		case *graph.Figure:
			fmt.Printf("figure %v %s %q\n", x.Value, x.Unit, x.Text)
		}
	}
	fmt.Println(rep.Title)
	// Output:
	// direct ana-ruiz [26,55) "The night ferry is a lifeline"
	// indirect  [103,133) "1,200 people use it every week"
	// figure 1200 people "1,200 people"
	// Ferry stays, mayor says
}
