package eval_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"claimgraph/demo"
	"claimgraph/extract/eval"
)

var seedPath = flag.String("seed", filepath.Join("..", "..", "..", "shared", "seed", "example-article.txt"), "the example article; scored with gold from the demo bundle when present")

// Targets the extractor must reach on the fixtures (issue 5).
const (
	minOverlapPrecision = 0.95
	minOverlapRecall    = 0.90
	minExactF1          = 0.85
	minSpeakerAccuracy  = 0.90
	minFigureF1         = 0.85
)

func cases(t *testing.T) []eval.Case {
	t.Helper()
	cs, err := eval.LoadDir(filepath.Join("..", "testdata", "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 15 {
		t.Fatalf("%d fixtures, want at least 15", len(cs))
	}
	data, err := os.ReadFile(*seedPath)
	switch {
	case os.IsNotExist(err):
		t.Logf("%s not found: the example article is not scored", *seedPath)
	case err != nil:
		t.Fatal(err)
	default:
		b, err := demo.Bundle()
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.AttachText(b, demo.ArticleKey, string(data)); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, eval.Case{Name: "example-article", Input: string(data), Gold: eval.FromBundle(b, demo.ArticleKey, "example-article")})
	}
	return cs
}

// TestTargets scores every fixture and asserts the quality targets on the
// whole set. Run with -v to see the table and every miss.
func TestTargets(t *testing.T) {
	var rs []eval.Result
	for _, c := range cases(t) {
		r, err := eval.Run(c)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	var buf bytes.Buffer
	all := eval.Print(&buf, rs, testing.Verbose())
	t.Log("\n" + buf.String())
	m := all.Metrics()
	check := func(name string, got, want float64) {
		if got < want {
			t.Errorf("%s = %.3f, want >= %.2f", name, got, want)
		}
	}
	check("quote overlap precision", m.QuoteOverlapP, minOverlapPrecision)
	check("quote overlap recall", m.QuoteOverlapR, minOverlapRecall)
	check("quote exact-span F1", m.QuoteExactF1, minExactF1)
	check("speaker accuracy", m.SpeakerAcc, minSpeakerAccuracy)
	check("figure F1", m.FigureF1, minFigureF1)
}

// TestGoldSpans checks every gold file against its text: a gold span that
// does not read its text is a broken fixture.
func TestGoldSpans(t *testing.T) {
	for _, c := range cases(t) {
		if c.IsHTML {
			continue // checked against the stored text by eval.Run
		}
		if err := eval.CheckGold(c.Gold, c.Input); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
}
