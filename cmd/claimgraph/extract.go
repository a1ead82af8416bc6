package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"claimgraph/extract"
	"claimgraph/graph"
)

// articleFlags are the metadata flags shared by extract and ingest.
type articleFlags struct {
	title, url, publishedAt, publisher, key, format string
}

func addArticleFlags(fs *flag.FlagSet, a *articleFlags, withKey bool) {
	fs.StringVar(&a.title, "title", "", "the article's title (default: the headline on its first line)")
	fs.StringVar(&a.url, "url", "", "the URL the article was read from")
	fs.StringVar(&a.publishedAt, "published-at", "", "publication date or date-time (default: the dateline, when the text has one)")
	fs.StringVar(&a.publisher, "publisher", "", "the outlet's name; it becomes an organisation")
	if withKey {
		fs.StringVar(&a.key, "key", "", "key of the article's source record (default: made from the title and the text's hash)")
	}
	fs.StringVar(&a.format, "format", "auto", "input format: text, html or auto (by file extension, then by content)")
}

func (a articleFlags) meta() extract.Meta {
	return extract.Meta{Key: a.key, Title: a.title, URL: a.url, PublishedAt: a.publishedAt, Publisher: a.publisher}
}

// extractFile reads one article (text or HTML; "-" is standard input) and
// returns its draft bundle.
func extractFile(e *env, name string, a articleFlags) (*graph.Bundle, *extract.Report, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(e.stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, nil, &exitError{code: 1, err: fmt.Errorf("reading article: %w", err)}
	}
	isHTML, err := articleIsHTML(name, data, a.format)
	if err != nil {
		return nil, nil, err
	}
	var (
		b   *graph.Bundle
		rep *extract.Report
	)
	if isHTML {
		b, rep, err = extract.ExtractHTML(bytes.NewReader(data), a.meta(), extract.Options{})
	} else {
		b, rep, err = extract.Extract(string(data), a.meta(), extract.Options{})
	}
	if err != nil {
		return nil, nil, &exitError{code: 1, err: fmt.Errorf("%s: %w", name, err)}
	}
	return b, rep, nil
}

// articleIsHTML decides the input format: the flag, else the extension,
// else whether the content starts like an HTML document.
func articleIsHTML(name string, data []byte, format string) (bool, error) {
	switch format {
	case "html":
		return true, nil
	case "text":
		return false, nil
	case "auto", "":
	default:
		return false, usageError("--format must be text, html or auto, not %q", format)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return true, nil
	case ".txt", ".md":
		return false, nil
	}
	head := strings.ToLower(strings.TrimSpace(string(data[:min(len(data), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		strings.HasPrefix(head, "<?xml") && strings.Contains(head, "<html"), nil
}

func runExtract(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "extract", "FILE",
		"Read one English news article (plain text or HTML; - reads standard input) and print\n"+
			"a bundle/1 draft on standard output: the article as a source with its text and\n"+
			"content hash, its people and organisations, quotes with exact code-point spans,\n"+
			"speakers, cues and channels, figures and claims. What the extractor guessed is\n"+
			"reported on standard error. Nothing is written to any data directory.")
	var a articleFlags
	addArticleFlags(fs, &a, true)
	jsonl := fs.Bool("jsonl", false, "print JSON Lines instead of one JSON object")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return usageError("extract: name exactly one article file (- for standard input)")
	}
	b, rep, err := extractFile(e, files[0], a)
	if err != nil {
		return err
	}
	printReport(e.stderr, files[0], rep)
	if *jsonl {
		return graph.EncodeJSONL(e.stdout, b)
	}
	return graph.Encode(e.stdout, b)
}

// printReport writes one line on what the extraction found, then its
// warnings.
func printReport(w io.Writer, name string, rep *extract.Report) {
	fmt.Fprintf(w, "%s: %q: %d quotes (%d direct, %d partial, %d indirect, %d without a speaker), %d figures, %d people, %d organisations, %d claims\n",
		name, rep.Title, rep.Quotes, rep.Direct, rep.Partial, rep.Indirect, rep.Unattributed, rep.Figures, rep.People, rep.Organisations, rep.Claims)
	for _, wmsg := range rep.Warnings {
		fmt.Fprintf(w, "%s: check: %s\n", name, wmsg)
	}
}

// ingestSummary is what one article's ingest did.
type ingestSummary struct {
	fileSummary
	Source  string          `json:"source"`
	Matches []extract.Match `json:"matches"`
}

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ingest", "FILE...",
		"Extract each article (as `claimgraph extract` does) and import it in one step. The\n"+
			"draft's people and organisations are matched to those already stored by name,\n"+
			"alias or id, so that no one is created twice; every match and every new node is\n"+
			"reported. Each article is one atomic batch written by \"ingest:<file name>\".")
	var c common
	addCommon(fs, e, &c, "warn")
	var a articleFlags
	addArticleFlags(fs, &a, false)
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	note := fs.String("note", "", "why: recorded in the history of every record written")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := c.checkEngine(fs); err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError("ingest: name at least one article file (- for standard input)")
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	// Extract everything first: an unreadable article writes nothing.
	type draft struct {
		name string
		b    *graph.Bundle
		rep  *extract.Report
	}
	var drafts []draft
	for _, name := range files {
		b, rep, err := extractFile(e, name, a)
		if err != nil {
			return err
		}
		printReport(e.stderr, name, rep)
		drafts = append(drafts, draft{name, b, rep})
	}

	st, err := c.open(ctx, false, false, log)
	if err != nil {
		return err
	}
	defer closeLogged(st, log)

	var sums []ingestSummary
	for _, d := range drafts {
		var matches []extract.Match
		err := st.View(ctx, func(r graph.Reader) error {
			var err error
			d.b, matches, err = extract.Resolve(ctx, d.b, r)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: matching people and organisations: %w", d.name, err)
		}
		why := *note
		if why == "" {
			why = "claimgraph ingest " + d.name
		}
		by := "ingest:" + baseName(d.name)
		res, err := st.Apply(ctx, d.b.Batch(by, why))
		var verr *graph.ValidationError
		if errors.As(err, &verr) {
			n := printProblems(e.stderr, d.name, verr)
			return &exitError{code: 1, err: fmt.Errorf("%s: the draft has %d problem(s); it was not written", d.name, n)}
		}
		if err != nil {
			return fmt.Errorf("ingesting %s: %w", d.name, err)
		}
		sums = append(sums, ingestSummary{
			fileSummary: summarise(importFile{name: d.name, by: by, bundle: d.b}, res),
			Source:      d.rep.SourceKey,
			Matches:     matches,
		})
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"articles": sums})
	}
	for i, s := range sums {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s: source %s\n", s.File, s.Source)
		for _, m := range s.Matches {
			switch {
			case m.StoredKey != "":
				fmt.Fprintf(e.stdout, "  linked   %-12s %s -> existing %s (by %s)\n", m.Kind, m.Name, m.StoredKey, m.By)
			case m.NewKey != "":
				fmt.Fprintf(e.stdout, "  new      %-12s %s as %s (key %s was taken)\n", m.Kind, m.Name, m.NewKey, m.DraftKey)
			default:
				fmt.Fprintf(e.stdout, "  new      %-12s %s as %s\n", m.Kind, m.Name, m.DraftKey)
			}
		}
		printSummary(e.stdout, s.fileSummary)
	}
	return nil
}
