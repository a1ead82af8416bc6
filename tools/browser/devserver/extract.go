package main

import (
	"context"

	"claimgraph/extract"
	"claimgraph/graph"
	"claimgraph/web"
)

// extractor returns the article extractor for the ingest page: package
// extract's Extract, with its report's warnings.
func extractor() web.ExtractFunc {
	return func(ctx context.Context, text string, m web.ArticleMeta) (*graph.Bundle, []string, error) {
		b, rep, err := extract.Extract(text, extract.Meta{Key: m.Key, Title: m.Title, URL: m.URL, PublishedAt: m.PublishedAt, Publisher: m.Publisher}, extract.Options{})
		if err != nil {
			return nil, nil, err
		}
		return b, rep.Warnings, nil
	}
}
