package export

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"claimgraph/graph"
)

// ClaimReview (schema.org) is written for every exported claim that has an
// assessment: graph.AssessClaim's verdict from the claim's live evidence
// (supports links to it, contradicts links to or from it; retracted links
// and retracted evidence left out), the same as GraphQL's
// Claim.assessment. The verdict maps to a rating from 1 to 5:
//
//	contradicted                                  1  Contradicted
//	disputed, more contradicting than supporting  2  Mostly contradicted
//	disputed, as many of each                     3  Disputed
//	disputed, more supporting                     4  Mostly supported
//	supported                                     5  Supported
//	retracted (the claim itself)                  no value, "Retracted"
//
// An unverified claim (no live evidence) has no ClaimReview. The review's
// ratingExplanation is the assessment's explanation. The claim
// (itemReviewed, a schema:Claim) names up to maxAppearances quotes that
// express it: their speakers as author and the sources they appear in as
// appearance.

// maxAppearances caps the quotes read per claim.
const maxAppearances = 20

// ratings are the rating names by value; 0 is a retracted claim.
var ratings = [...]string{0: "Retracted", 1: "Contradicted", 2: "Mostly contradicted", 3: "Disputed", 4: "Mostly supported", 5: "Supported"}

// rating maps an assessment to a rating value (0 for a retracted claim);
// ok is false for an unverified claim.
func rating(a *graph.Assessment) (value int, ok bool) {
	ns, nc := len(a.Supporting), len(a.Contradicting)
	switch a.Status {
	case graph.StatusRetracted:
		return 0, true
	case graph.StatusSupported:
		return 5, true
	case graph.StatusContradicted:
		return 1, true
	case graph.StatusDisputed:
		switch {
		case nc > ns:
			return 2, true
		case nc == ns:
			return 3, true
		}
		return 4, true
	}
	return 0, false
}

// Schema.org objects of the ClaimReview export.
type crReview struct {
	Type          string   `json:"@type"`
	ID            string   `json:"@id"`
	URL           string   `json:"url,omitempty"`
	ClaimReviewed string   `json:"claimReviewed"`
	DatePublished string   `json:"datePublished"`
	Author        crThing  `json:"author"`
	ReviewRating  crRating `json:"reviewRating"`
	ItemReviewed  crClaim  `json:"itemReviewed"`
}

type crRating struct {
	Type              string `json:"@type"`
	RatingValue       int    `json:"ratingValue,omitempty"`
	BestRating        int    `json:"bestRating"`
	WorstRating       int    `json:"worstRating"`
	AlternateName     string `json:"alternateName"`
	RatingExplanation string `json:"ratingExplanation"`
}

type crClaim struct {
	Type       string    `json:"@type"`
	ID         string    `json:"@id"`
	Text       string    `json:"text"`
	Keywords   []string  `json:"keywords,omitempty"`
	Author     []crThing `json:"author,omitempty"`
	Appearance []crThing `json:"appearance,omitempty"`
}

type crThing struct {
	Type          string `json:"@type"`
	ID            string `json:"@id,omitempty"`
	Name          string `json:"name,omitempty"`
	URL           string `json:"url,omitempty"`
	DatePublished string `json:"datePublished,omitempty"`
}

// writeClaimReview writes a JSON-LD document with the schema.org context
// and a @graph of ClaimReview objects, one per claim with an assessment.
func writeClaimReview(ctx context.Context, wk *walker, bw *bufio.Writer) error {
	if err := checkBaseIRI(wk.cfg.base); err != nil {
		return err
	}
	wk.addPasses(1)
	enc := newRecordEncoder("    ")
	bw.WriteString("{\n  \"@context\": \"https://schema.org\",\n  \"@graph\": [")
	n := 0
	date := wk.cfg.snapshot.Format("2006-01-02")
	err := wk.nodes(ctx, graph.KindClaim, func(node graph.Node) error {
		c := node.(*graph.Claim)
		a, err := graph.AssessClaim(ctx, wk.r, c.Key)
		if err != nil {
			return fmt.Errorf("claim %s: assess: %w", c.Key, err)
		}
		value, ok := rating(a)
		if !ok {
			return nil
		}
		iri := wk.cfg.base + c.Key
		rv := crReview{
			Type: "ClaimReview", ID: iri + "#review", ClaimReviewed: c.Text, DatePublished: date,
			Author: crThing{Type: "Organization", Name: "claimgraph"},
			ReviewRating: crRating{Type: "Rating", RatingValue: value, BestRating: 5, WorstRating: 1,
				AlternateName: ratings[value], RatingExplanation: a.Explanation},
			ItemReviewed: crClaim{Type: "Claim", ID: iri, Text: c.Text, Keywords: c.Topics},
		}
		if strings.HasPrefix(iri, "http://") || strings.HasPrefix(iri, "https://") {
			rv.URL = iri
		}
		if err := appearances(ctx, wk, c.Key, &rv.ItemReviewed); err != nil {
			return fmt.Errorf("claim %s: %w", c.Key, err)
		}
		rec, err := enc.encode(&rv)
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(rec)
		n++
		return nil
	})
	if err != nil {
		return err
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return nil
}

// appearances fills the authors and appearances of a claim from the quotes
// that express it.
func appearances(ctx context.Context, wk *walker, claim string, item *crClaim) error {
	es, err := wk.r.Edges(ctx, graph.EdgeQuery{Key: claim, Dir: graph.In, Relations: []graph.Relation{graph.RelExpresses}, Limit: maxAppearances})
	if err != nil {
		return err
	}
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.From
	}
	quotes, err := wk.r.Nodes(ctx, keys)
	if err != nil {
		return err
	}
	var refs []string
	for _, n := range quotes {
		if q, ok := n.(*graph.Quote); ok {
			if q.Speaker != "" {
				refs = append(refs, q.Speaker)
			}
			refs = append(refs, q.Source)
		}
	}
	nodes, err := wk.r.Nodes(ctx, refs)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, n := range nodes {
		if n == nil || seen[n.NodeKey()] {
			continue
		}
		seen[n.NodeKey()] = true
		id := wk.cfg.base + n.NodeKey()
		switch v := n.(type) {
		case *graph.Person:
			item.Author = append(item.Author, crThing{Type: "Person", ID: id, Name: v.Name})
		case *graph.Organisation:
			item.Author = append(item.Author, crThing{Type: "Organization", ID: id, Name: v.Name})
		case *graph.Source:
			item.Appearance = append(item.Appearance, crThing{Type: "CreativeWork", ID: id, Name: v.Title, URL: v.URL, DatePublished: v.PublishedAt})
		}
	}
	return nil
}
