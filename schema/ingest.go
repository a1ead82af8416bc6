package schema

import (
	"errors"
	"strings"

	"github.com/graphql-go/graphql"

	"claimgraph/extract"
	"claimgraph/graph"
)

// Ingesting articles
//
// ingestArticle does what `claimgraph ingest` does: it extracts a draft
// bundle from an article's text (package extract), matches the draft's
// people and organisations to the stored ones (extract.Resolve), and
// applies the draft as one batch. The resolution is read from a snapshot
// taken just before the write, and the write carries the revisions it
// relied on as graph.Batch.Expected: every matched node must still be at
// the revision it was matched at, and every new person or organisation's
// key must still be free. When a concurrent write changed any of them the
// store refuses the batch (ErrConflict) and the ingest starts again from a
// fresh draft, at most maxIngestAttempts times, so that two racing ingests
// of articles naming the same new person create one node, not two.

// maxIngestAttempts bounds how often ingestArticle re-resolves and retries
// after a concurrent write conflicted with it.
const maxIngestAttempts = 3

// ueExtractFailed is the user error code of an article the extractor
// could not read (empty, too large, HTML that does not parse).
const ueExtractFailed = "EXTRACT_FAILED"

// ingestOutcome is what an ingest adds to its ImportResult.
type ingestOutcome struct {
	// source is the key of the article's source record.
	source   string
	matches  []extract.Match
	warnings []string
}

// matchValue is one EntityMatch.
type matchValue struct{ extract.Match }

// key is the key the person or organisation has in the graph after the
// ingest.
func (m matchValue) key() string {
	switch {
	case m.StoredKey != "":
		return m.StoredKey
	case m.NewKey != "":
		return m.NewKey
	}
	return m.DraftKey
}

// ingestTypes builds ArticleMeta, MatchMethod and EntityMatch.
func (b *builder) ingestTypes() {
	b.articleMeta = graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "ArticleMeta",
		Description: "What the caller knows about an article that its text may not say. Every field is optional; " +
			"what is absent is detected from the text (the headline on its first line, a dateline) or, for HTML, " +
			"from the page's metadata.",
		Fields: graphql.InputObjectConfigFieldMap{
			"key": {Type: graphql.ID, Description: "The key of the article's source record (^[a-z0-9][a-z0-9._:-]{0,127}$). " +
				"Default: made from the title and the text's SHA-256, so that ingesting the same text again finds the same record. " +
				"Naming the key of an existing source replaces that source."},
			"title": {Type: graphql.String, Description: "The article's title. Default: the headline on the text's first line, " +
				"or the page's og:title, <h1> or <title>."},
			"url": {Type: graphql.String, Description: "The URL the article was read from."},
			"publishedAt": {Type: graphql.String, Description: "When the article was published: an RFC 3339 date-time or a " +
				"date (2026-01-26). Default: a dateline near the top of the text, or the page's article:published_time."},
			"publisher": {Type: graphql.String, Description: "The outlet's name (\"Reuters\"): it becomes an organisation, " +
				"matched to a stored one of the same name, and the source's publisher."},
		},
	})
	b.matchMethod = graphql.NewEnum(graphql.EnumConfig{
		Name:        "MatchMethod",
		Description: "How ingestArticle matched a draft person or organisation to the graph.",
		Values: graphql.EnumValueConfigMap{
			"NAME":        {Value: "name", Description: "The stored node's name is the draft's name (compared without case and accents)."},
			"ALIAS":       {Value: "alias", Description: "One of the stored node's aliases is the draft's name, or the draft's acronym or one-word name is an alias of exactly one stored node."},
			"ID":          {Value: "id", Description: "The stored node carries the draft's external id (wikidata ...)."},
			"KEY":         {Value: "key", Description: "The stored node has the draft's key and name: an earlier ingest created it."},
			"NEW":         {Value: "new", Description: "Nothing matched: the node is new, with the draft's key."},
			"NEW_RENAMED": {Value: "new-renamed", Description: "Nothing matched and an unrelated node already had the draft's key: the node is new, with newKey."},
		},
	})
	b.entityMatch = graphql.NewObject(graphql.ObjectConfig{
		Name: "EntityMatch",
		Description: "What ingestArticle did with one person or organisation of the draft: linked it to a node " +
			"already in the graph (no second Donald Trump), or created it.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"draftKey": field(graphql.NewNonNull(graphql.ID), "The key the extraction gave the node.",
					get(func(m matchValue) interface{} { return m.DraftKey })),
				"storedKey": field(graphql.ID, "The existing node it was matched to; null when the node is new.",
					get(func(m matchValue) interface{} { return opt(m.StoredKey) })),
				"by": field(graphql.NewNonNull(b.matchMethod), "How it was matched, or NEW / NEW_RENAMED.",
					get(func(m matchValue) interface{} { return m.By })),
				"name": field(graphql.NewNonNull(graphql.String), "The name the article gives it.",
					get(func(m matchValue) interface{} { return m.Name })),
				"kind": field(graphql.NewNonNull(b.kind), "PERSON or ORGANISATION.",
					get(func(m matchValue) interface{} {
						k, _ := graph.ParseKind(m.Kind)
						return k
					})),
				"newKey": field(graphql.ID, "The key of a new node whose draft key was taken (by NEW_RENAMED); null otherwise.",
					get(func(m matchValue) interface{} { return opt(m.NewKey) })),
				"key": field(graphql.NewNonNull(graphql.ID), "The key the node has in the graph: storedKey, newKey or draftKey.",
					get(func(m matchValue) interface{} { return m.key() })),
				"node": field(b.agent, "The person or organisation, read after the write; null when the ingest wrote "+
					"nothing (user errors) and the node is new.",
					with(func(rq *request, m matchValue, _ graphql.ResolveParams) (interface{}, error) {
						return rq.loader.thunkOne(rq.ctx, m.key(), graph.KindPerson, graph.KindOrganisation), nil
					})),
			}
		}),
	})
}

// ingestResultFields are the fields of ImportResult that ingestArticle
// fills.
func (b *builder) ingestResultFields() graphql.Fields {
	return graphql.Fields{
		"source": field(b.source, "ingestArticle: the article's source record (with its text and content hash), read "+
			"after the write; null on user errors and for importBundle.",
			with(func(rq *request, pl *payload, _ graphql.ResolveParams) (interface{}, error) {
				if pl.ingest == nil || pl.ingest.source == "" || len(pl.errs) > 0 {
					return nil, nil
				}
				return rq.loader.thunkOne(rq.ctx, pl.ingest.source, graph.KindSource), nil
			})),
		"matches": field(nonNullList(b.entityMatch), "ingestArticle: every person and organisation of the draft, in "+
			"draft order, with what it was matched to or that it is new (on user errors: what the ingest would have "+
			"done). Empty for importBundle.",
			get(func(pl *payload) interface{} {
				if pl.ingest == nil {
					return []interface{}{}
				}
				out := make([]interface{}, len(pl.ingest.matches))
				for i, m := range pl.ingest.matches {
					out[i] = matchValue{m}
				}
				return out
			})),
		"warnings": field(nonNullList(graphql.String), "ingestArticle: what the extractor guessed and a curator should "+
			"check (a detected title or date, a wire dateline, a date that did not parse). Empty for importBundle.",
			get(func(pl *payload) interface{} {
				if pl.ingest == nil {
					return []string{}
				}
				return strs(pl.ingest.warnings)
			})),
	}
}

// ingestArticleField is the ingestArticle mutation.
func (b *builder) ingestArticleField(note *graphql.ArgumentConfig) *graphql.Field {
	return &graphql.Field{
		Type: graphql.NewNonNull(b.importResult),
		Description: "Ingest an English news article as `claimgraph ingest` does: extract a draft bundle (the article " +
			"as a source with its text and content hash, its people and organisations, quotes with exact code-point " +
			"spans, speakers, cues and channels, figures and claims), match the draft's people and organisations to " +
			"the stored ones by name, alias or id (never a second Donald Trump), and write it as one atomic batch by " +
			"the token's name. An article the extractor cannot read is the user error EXTRACT_FAILED; a draft or " +
			"meta that does not validate gives the validation codes; nothing is written then. Ingesting the same " +
			"text and meta again changes nothing.",
		Args: graphql.FieldConfigArgument{
			"text": {Type: graphql.NewNonNull(graphql.String), Description: "The article: plain text with paragraphs " +
				"separated by blank lines, or an HTML page when html is true (within the request body limit)."},
			"meta": {Type: b.articleMeta, Description: "What is known about the article; absent fields are detected."},
			"html": {Type: graphql.Boolean, DefaultValue: false, Description: "Read text as an HTML page: the article's " +
				"text is taken with an HTML parser (scripts, navigation, footers and asides dropped), and spans point " +
				"into that text, which the source record stores."},
			"note": {Type: graphql.String, Description: note.Description + " Default: \"ingestArticle: \" and the title."},
		},
		Resolve: resolve(b.ingestArticle),
	}
}

// articleMetaOf reads the meta argument; a payload reports a bad key or
// date.
func articleMetaOf(v interface{}) (extract.Meta, *payload) {
	m, _ := v.(map[string]interface{})
	meta := extract.Meta{
		Key:         strings.TrimSpace(str(m, "key")),
		Title:       strings.TrimSpace(str(m, "title")),
		URL:         strings.TrimSpace(str(m, "url")),
		PublishedAt: strings.TrimSpace(str(m, "publishedAt")),
		Publisher:   strings.TrimSpace(str(m, "publisher")),
	}
	var errs []userError
	if meta.Key != "" && !graph.ValidKey(meta.Key) {
		errs = append(errs, userError{path: []string{"meta", "key"}, code: strings.ToUpper(graph.CodeBadKey),
			message: "key " + quote(meta.Key) + " does not match ^[a-z0-9][a-z0-9._:-]{0,127}$"})
	}
	if meta.PublishedAt != "" {
		if _, _, err := graph.ParseDate(meta.PublishedAt); err != nil {
			errs = append(errs, userError{path: []string{"meta", "publishedAt"}, code: strings.ToUpper(graph.CodeDate),
				message: "publishedAt " + quote(meta.PublishedAt) + " is not an RFC 3339 date-time or a date (2026-01-26)"})
		}
	}
	if len(errs) > 0 {
		return meta, &payload{errs: errs}
	}
	return meta, nil
}

// metaFields maps the source record's fields to ArticleMeta's.
var metaFields = map[string]string{"key": "key", "title": "title", "url": "url", "published_at": "publishedAt", "publisher": "publisher"}

// ingestPaths locates a validation problem of an ingested draft: at the
// meta field it came from when it concerns the article's own record and a
// field that meta sets, else in the draft extracted from text (its place
// and field).
func ingestPaths(source string) func(graph.Problem) []string {
	return func(pr graph.Problem) []string {
		if pr.Key == source {
			if f, ok := metaFields[pr.Field]; ok {
				return []string{"meta", f}
			}
		}
		path := []string{"text", pr.Place.String()}
		if pr.Field != "" {
			path = append(path, pr.Field)
		}
		return path
	}
}

func (b *builder) ingestArticle(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	meta, pl := articleMetaOf(p.Args["meta"])
	if pl != nil {
		return pl, nil
	}
	text := str(p.Args, "text")
	isHTML, _ := p.Args["html"].(bool)
	draft := func() (*graph.Bundle, *extract.Report, error) {
		if isHTML {
			return extract.ExtractHTML(strings.NewReader(text), meta, extract.Options{})
		}
		return extract.Extract(text, meta, extract.Options{})
	}
	for attempt := 1; ; attempt++ {
		// The extraction is pure and deterministic, and Resolve rewrites
		// the draft in place: every attempt starts from a fresh draft.
		bundle, rep, err := draft()
		if err != nil {
			return failed([]string{"text"}, ueExtractFailed, "the article could not be read: %s",
				strings.TrimPrefix(err.Error(), "extract: ")), nil
		}
		out := &ingestOutcome{source: rep.SourceKey, warnings: rep.Warnings}
		expected := map[string]int64{}
		err = rq.view(func(r graph.Reader) error {
			var err error
			bundle, out.matches, err = extract.Resolve(rq.ctx, bundle, r)
			if err != nil {
				return err
			}
			var matched []string
			for _, m := range out.matches {
				if m.StoredKey != "" {
					matched = append(matched, m.StoredKey)
				} else {
					expected[matchValue{m}.key()] = 0 // must still be free
				}
			}
			revs, err := r.Revisions(rq.ctx, matched)
			if err != nil {
				return err
			}
			for _, k := range matched {
				expected[k] = revs[k] // must still be as matched
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		why := strings.TrimSpace(str(p.Args, "note"))
		if why == "" {
			why = "ingestArticle: " + rep.Title
			if rep.Title == "" {
				why = "ingestArticle: " + rep.SourceKey
			}
		}
		batch := bundle.Batch(by, why)
		batch.Expected = expected
		res, err := rq.exec.store.Apply(rq.ctx, batch)
		if errors.Is(err, graph.ErrConflict) && attempt < maxIngestAttempts {
			if cerr := rq.ctx.Err(); cerr != nil {
				return nil, cerr
			}
			continue
		}
		pl, err := rq.applied(p, res, err, ingestPaths(rep.SourceKey))
		if pl != nil {
			pl.ingest = out
		}
		return pl, err
	}
}
