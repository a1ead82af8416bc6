// Command eval scores the article extractor against its fixtures and the
// example article, and prints per-fixture and overall quote precision and
// recall (exact and overlapping spans), speaker accuracy on matched quotes,
// and figure precision, recall and F1.
//
//	go run ./extract/cmd/eval [-v] [-dir extract/testdata/fixtures] [-seed ../shared/seed/example-article.txt]
//	go run ./extract/cmd/eval -dump FILE   # print what one file yields
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"claimgraph/demo"
	"claimgraph/extract"
	"claimgraph/extract/eval"
	"claimgraph/graph"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "extract/testdata/fixtures", "fixture directory")
	seed := fs.String("seed", "../shared/seed/example-article.txt", "the example article (scored with the demo bundle's gold when present)")
	verbose := fs.Bool("v", false, "list every miss")
	dump := fs.String("dump", "", "print the quotes and figures extracted from one file and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dump != "" {
		return dumpFile(*dump, stdout)
	}
	cases, err := eval.LoadDir(*dir)
	if err != nil {
		return err
	}
	if c, ok, err := SeedCase(*seed); err != nil {
		return err
	} else if ok {
		cases = append(cases, c)
	} else {
		fmt.Fprintf(stderr, "eval: %s not found; the example article is not scored\n", *seed)
	}
	var rs []eval.Result
	for _, c := range cases {
		r, err := eval.Run(c)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	eval.Print(stdout, rs, *verbose)
	return nil
}

// SeedCase reads the example article and makes its case with gold from the
// demo bundle. ok is false when the file does not exist.
func SeedCase(path string) (eval.Case, bool, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return eval.Case{}, false, nil
	}
	if err != nil {
		return eval.Case{}, false, err
	}
	b, err := demo.Bundle()
	if err != nil {
		return eval.Case{}, false, err
	}
	if err := demo.AttachText(b, demo.ArticleKey, string(data)); err != nil {
		return eval.Case{}, false, err
	}
	g := eval.FromBundle(b, demo.ArticleKey, "example-article")
	return eval.Case{Name: "example-article", Input: string(data), Gold: g}, true, nil
}

func dumpFile(path string, w io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var b *graph.Bundle
	var rep *extract.Report
	if strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".htm") {
		b, rep, err = extract.ExtractHTML(strings.NewReader(string(data)), extract.Meta{}, extract.Options{})
	} else {
		b, rep, err = extract.Extract(string(data), extract.Meta{}, extract.Options{})
	}
	if err != nil {
		return err
	}
	if verr := graph.Validate(context.Background(), b, nil); verr != nil {
		fmt.Fprintln(w, "INVALID:", verr)
	}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Person:
			fmt.Fprintf(w, "person  %-24s %q %v %q\n", x.Key, x.Name, x.Aliases, x.Description)
		case *graph.Organisation:
			fmt.Fprintf(w, "org     %-24s %q %v %s\n", x.Key, x.Name, x.Aliases, x.Kind)
		case *graph.Source:
			fmt.Fprintf(w, "source  %-24s %s %q %s by %v pub %s\n", x.Key, x.Kind, x.Title, x.PublishedAt, x.Authors, x.Publisher)
		case *graph.Quote:
			fmt.Fprintf(w, "quote   [%d,%d) %-8s %-20s cue=%q ch=%s rep=%s at=%s\n        %q\n", x.Span.Start, x.Span.End, x.Mode, x.Speaker, x.Cue, x.Channel, x.ReportedBy, x.SaidAt, x.Text)
		case *graph.Figure:
			vm := ""
			if x.ValueMax != nil {
				vm = fmt.Sprintf("-%v", *x.ValueMax)
			}
			fmt.Fprintf(w, "figure  [%d,%d) %v%s %s measure=%q change=%s approx=%v period=%s base=%s by=%s  %q\n", x.Span.Start, x.Span.End, x.Value, vm, x.Unit, x.Measure, x.Change, x.Approx, x.Period, x.Baseline, x.StatedBy, x.Text)
		}
	}
	j, _ := json.Marshal(rep)
	fmt.Fprintln(w, string(j))
	return nil
}
