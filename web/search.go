package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"claimgraph/graph"
)

// hit is one search result.
type hit struct {
	Ref ref
	// Text is the matched text with the matches highlighted.
	Text template.HTML
	// Detail is a second line (aliases, a measure), highlighted too.
	Detail template.HTML
	// Quote details.
	Speaker *ref
	Source  *ref
	Date    string
	Cue     string
}

// hitGroup holds the results of one kind.
type hitGroup struct {
	Kind  graph.Kind
	Title string
	Hits  []hit
	// More is set when there are more results than shown.
	More bool
}

// searchResult is what search returns.
type searchResult struct {
	Groups []hitGroup
	// Partial is set when a scan stopped at its cap before the end.
	Partial bool
}

// Total counts the hits shown.
func (s searchResult) Total() int {
	n := 0
	for _, g := range s.Groups {
		n += len(g.Hits)
	}
	return n
}

// searchView is the search page.
type searchView struct {
	*page
	searchResult
	Searched bool
	Stats    *graph.Stats
}

// search serves /: the search form, and with q the results.
func (b *browser) search(w http.ResponseWriter, r *http.Request) {
	p, err := b.newPage(r, "Search")
	if err != nil {
		b.showError(w, r, p, err)
		return
	}
	p.Nav = "search"
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	p.SearchText = q
	v := &searchView{page: p, Searched: q != ""}
	ctx := r.Context()
	err = b.view(ctx, p, func(rd graph.Reader) error {
		l := newLoader(ctx, rd, p)
		if q == "" {
			st, err := rd.Stats(ctx)
			if err == nil {
				v.Stats = &st
			}
			return nil
		}
		p.Title = "Search: " + q
		res, err := searchGraph(ctx, l, q, searchPerKind, b.opt.MaxScan)
		if err != nil {
			return err
		}
		v.searchResult = res
		for _, g := range res.Groups {
			for _, h := range g.Hits {
				p.ExportIDs = append(p.ExportIDs, h.Ref.Key)
			}
		}
		return nil
	})
	if err != nil {
		b.showError(w, r, p, err)
		return
	}
	b.render(w, r, http.StatusOK, "search", v)
}

// searchGraph finds the nodes that match q, grouped by kind, at most
// perKind of each. It is the one place that knows how search is done:
// quotes through Reader.QuotesMatching (folded substring), names through
// the name index and a scan, and claims, figures and sources by scanning at
// most maxScan nodes of each kind. A ranked full-text index replaces the
// scans here when the store offers one.
func searchGraph(ctx context.Context, l *loader, q string, perKind, maxScan int) (searchResult, error) {
	var res searchResult
	// Quotation marks around the words ask for them as written, which is
	// what the matching does anyway.
	if t := strings.Trim(q, " \t\"'“”‘’„«»"); t != "" {
		q = t
	}
	terms := []string{q}

	// Quotes: the store's folded substring match.
	pg, err := l.r.QuotesMatching(ctx, q, "", perKind)
	if err != nil {
		return res, fmt.Errorf("matching quotes: %w", err)
	}
	rows, err := l.quoteRows(pg.Keys)
	if err != nil {
		return res, err
	}
	qg := hitGroup{Kind: graph.KindQuote, Title: "Quotes", More: pg.More}
	for _, row := range rows {
		qg.Hits = append(qg.Hits, hit{Ref: row.Ref, Text: highlightMatches(row.Text, terms...), Speaker: row.Speaker, Source: row.Source, Date: row.Date, Cue: row.Cue})
	}

	// People and organisations: exact names and aliases first, then the
	// ones whose name or alias contains the words.
	exact, err := l.r.Lookup(ctx, graph.IndexName, q)
	if err != nil {
		return res, fmt.Errorf("looking up names: %w", err)
	}
	if err := l.load(exact...); err != nil {
		return res, err
	}
	agents := map[graph.Kind]*hitGroup{
		graph.KindPerson:       {Kind: graph.KindPerson, Title: "People"},
		graph.KindOrganisation: {Kind: graph.KindOrganisation, Title: "Organisations"},
	}
	seen := map[string]bool{}
	addAgent := func(n graph.Node) {
		if seen[n.NodeKey()] {
			return
		}
		g := agents[n.NodeKind()]
		if g == nil {
			return
		}
		if len(g.Hits) >= perKind {
			g.More = true
			return
		}
		seen[n.NodeKey()] = true
		name, aliases := agentNames(n)
		h := hit{Ref: l.ref(n.NodeKey()), Text: highlightMatches(name, terms...)}
		if len(aliases) > 0 {
			h.Detail = highlightMatches("also: "+strings.Join(aliases, ", "), terms...)
		}
		g.Hits = append(g.Hits, h)
	}
	for _, k := range exact {
		if n := l.node(k); n != nil {
			addAgent(n)
		}
	}
	match := func(s string) bool { return s != "" && len(findFolded(s, q, 1)) > 0 }
	scan := func(k graph.Kind, fn func(graph.Node)) error {
		after := ""
		for scanned := 0; ; {
			if scanned >= maxScan {
				res.Partial = true
				return nil
			}
			pg, err := l.r.List(ctx, k, after, min(500, maxScan-scanned))
			if err != nil {
				return fmt.Errorf("listing %s: %w", k.Section(), err)
			}
			if len(pg.Keys) == 0 {
				return nil
			}
			scanned += len(pg.Keys)
			after = pg.Keys[len(pg.Keys)-1]
			ns, err := l.r.Nodes(ctx, pg.Keys)
			if err != nil {
				return fmt.Errorf("reading %s: %w", k.Section(), err)
			}
			for _, n := range ns {
				if n != nil {
					fn(n)
				}
			}
			if !pg.More {
				return nil
			}
		}
	}
	for _, k := range []graph.Kind{graph.KindPerson, graph.KindOrganisation} {
		err := scan(k, func(n graph.Node) {
			name, aliases := agentNames(n)
			ok := match(name)
			for _, a := range aliases {
				ok = ok || match(a)
			}
			if ok {
				l.nodes[n.NodeKey()] = n
				addAgent(n)
			}
		})
		if err != nil {
			return res, err
		}
	}

	// Claims, figures and sources by their text.
	other := map[graph.Kind]*hitGroup{
		graph.KindClaim:  {Kind: graph.KindClaim, Title: "Claims"},
		graph.KindFigure: {Kind: graph.KindFigure, Title: "Figures"},
		graph.KindSource: {Kind: graph.KindSource, Title: "Sources"},
	}
	for _, k := range []graph.Kind{graph.KindClaim, graph.KindFigure, graph.KindSource} {
		g := other[k]
		err := scan(k, func(n graph.Node) {
			var text, detail string
			switch n := n.(type) {
			case *graph.Claim:
				if !match(n.Text) && !anyMatch(match, n.Topics) {
					return
				}
				text, detail = n.Text, strings.Join(n.Topics, ", ")
			case *graph.Figure:
				if !match(n.Text) && !match(n.Measure) && !match(n.Subject) {
					return
				}
				text, detail = label(n), strings.TrimSpace(formatValue(n)+" · "+n.Measure+" · "+n.Subject)
			case *graph.Source:
				if !match(n.Title) && !match(n.URL) && !match(n.Text) {
					return
				}
				text, detail = label(n), n.Kind
				if n.URL != "" {
					detail += " · " + n.URL
				}
				if !match(n.Title) && match(n.Text) {
					detail += " · the words appear in its text"
				}
			default:
				return
			}
			if len(g.Hits) >= perKind {
				g.More = true
				return
			}
			l.nodes[n.NodeKey()] = n
			h := hit{Ref: l.ref(n.NodeKey()), Text: highlightMatches(text, terms...)}
			if detail != "" {
				h.Detail = highlightMatches(detail, terms...)
			}
			g.Hits = append(g.Hits, h)
		})
		if err != nil {
			return res, err
		}
	}
	for _, g := range []*hitGroup{&qg, agents[graph.KindPerson], agents[graph.KindOrganisation], other[graph.KindClaim], other[graph.KindFigure], other[graph.KindSource]} {
		if len(g.Hits) > 0 {
			res.Groups = append(res.Groups, *g)
		}
	}
	return res, nil
}

func anyMatch(match func(string) bool, ss []string) bool {
	for _, s := range ss {
		if match(s) {
			return true
		}
	}
	return false
}

// agentNames returns the name and aliases of a person or organisation.
func agentNames(n graph.Node) (string, []string) {
	switch n := n.(type) {
	case *graph.Person:
		return n.Name, n.Aliases
	case *graph.Organisation:
		return n.Name, n.Aliases
	}
	return "", nil
}
