package graph_test

import (
	"fmt"

	"claimgraph/graph"
)

func ExampleCompareFigures() {
	agency := &graph.Figure{Key: "f-agency", Value: 2000, Unit: "people", Measure: "extra officers sent",
		Subject: "Riverton", Period: "2026-01"}
	mayor := &graph.Figure{Key: "f-mayor", Value: 3000, Unit: "persons", Measure: "officers in the city",
		Subject: "Riverton", Period: "2026-01", Approx: true}
	c := graph.CompareFigures(agency, mayor)
	fmt.Println(c.Comparable, c.Reasons)

	mayor.Measure = "Extra officers  sent"
	c = graph.CompareFigures(agency, mayor)
	fmt.Println(c.Comparable, *c.Agrees, c.Conflicts())
	for _, r := range c.Reasons {
		fmt.Println(r)
	}
	// Output:
	// false [different measures: "extra officers sent" and "officers in the city"]
	// true false true
	// same unit (people), measure (extra officers sent), subject (riverton) and period 2026-01
	// values differ by more than 10% (approximate): 2000 and about 3000
}
