package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"claimgraph/fold"
	"claimgraph/graph"
	"claimgraph/store/rawbadger"
)

// fpageCursor is where a filtered page resumes: after the quote with this
// said_at and key (claimgraph passes its own opaque cursor instead).
type fpageCursor struct {
	saidAt time.Time
	key    string
	opaque string
}

// fpageFunc returns one page of a filtered question after the cursor (nil
// for the first page) and the cursor of its last quote.
type fpageFunc func(f filterQ, after *fpageCursor) (keys []string, last *fpageCursor, err error)

// maxFilteredPages and rawFilteredPages are the most pages of one
// filtered question asked of claimgraph and of the raw baseline, which
// reads and sorts a speaker's every quote for each page (at 1M quotes
// half a second a page; at 10M the busiest speakers have ten times the
// quotes, and ten times the pages).
const (
	maxFilteredPages = 200
	rawFilteredPages = 5
)

// filteredPages times the pages of every filtered question (at most
// maxPages each) and returns the latencies and the number of quotes a
// pass saw. With reps above 0 the pages are first asked once, untimed, as
// latencies does, then timed reps times; with reps 0 (the raw baseline)
// they are timed once, cold.
func filteredPages(filters []filterQ, reps, maxPages int, page fpageFunc) ([]time.Duration, int, error) {
	var out []time.Duration
	total := 0
	passes, untimed := 1, 0 // reps 0: one timed pass
	if reps > 0 {
		passes, untimed = reps+1, 1
	}
	for pass := range passes {
		timed := pass >= untimed
		seen := 0
		for _, f := range filters {
			var after *fpageCursor
			for range maxPages {
				start := time.Now()
				keys, last, err := page(f, after)
				if err != nil {
					return nil, 0, fmt.Errorf("%s in %d: %w", f.speaker, f.from.Year(), err)
				}
				if timed {
					out = append(out, time.Since(start))
				}
				seen += len(keys)
				if len(keys) < pageSize || last == nil {
					break
				}
				after = last
			}
		}
		total = seen
	}
	return out, total, nil
}

// cgFilteredPage asks claimgraph for one filtered page through its index
// (graph.Selector), in one snapshot.
func cgFilteredPage(ctx context.Context, view func(context.Context, func(graph.Reader) error) error) fpageFunc {
	return func(f filterQ, after *fpageCursor) ([]string, *fpageCursor, error) {
		sel := graph.Selection{
			Kind:   graph.KindQuote,
			Facets: []graph.FacetFilter{{Facet: graph.FacetSpeaker, Values: []string{f.speaker}}},
			From:   f.from, To: f.to, Order: graph.OrderValue, Limit: pageSize,
		}
		if after != nil {
			sel.After = after.opaque
		}
		var p graph.SelectPage
		err := view(ctx, func(r graph.Reader) error {
			var err error
			p, err = r.Select(ctx, sel)
			return err
		})
		if err != nil || len(p.Keys) == 0 || !p.More {
			return p.Keys, nil, err
		}
		return p.Keys, &fpageCursor{opaque: p.Cursors[len(p.Cursors)-1]}, nil
	}
}

// rawFilteredPage is the baseline without an index: read all of the
// speaker's quotes (in-edges of relation speaker, then the records), keep
// the year's, sort them by said_at and key, and cut the page after the
// cursor.
func rawFilteredPage(raw *rawbadger.DB) fpageFunc {
	type row struct {
		at  time.Time
		key string
	}
	return func(f filterQ, after *fpageCursor) ([]string, *fpageCursor, error) {
		var rows []row
		err := raw.View(func(r *rawbadger.Reader) error {
			es, err := r.Edges(graph.EdgeQuery{Key: f.speaker, Dir: graph.In, Relations: []graph.Relation{graph.RelSpeaker}, Kind: graph.KindQuote})
			if err != nil {
				return err
			}
			keys := make([]string, len(es))
			for i, e := range es {
				keys[i] = e.From
			}
			ns, err := r.Nodes(keys)
			if err != nil {
				return err
			}
			for _, n := range ns {
				q, ok := n.(*graph.Quote)
				if !ok {
					continue
				}
				t, _, err := graph.ParseDate(q.SaidAt)
				if err != nil || t.Before(f.from) || !t.Before(f.to) {
					continue
				}
				rows = append(rows, row{t.UTC(), q.Key})
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		slices.SortFunc(rows, func(a, b row) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return strings.Compare(a.key, b.key)
		})
		i := 0
		if after != nil {
			i, _ = slices.BinarySearchFunc(rows, row{after.saidAt, after.key}, func(a, b row) int {
				if c := a.at.Compare(b.at); c != 0 {
					return c
				}
				return strings.Compare(a.key, b.key)
			})
			if i < len(rows) && rows[i].key == after.key {
				i++
			}
		}
		rows = rows[i:min(len(rows), i+pageSize)]
		if len(rows) == 0 {
			return nil, nil, nil
		}
		keys := make([]string, len(rows))
		for j, r := range rows {
			keys[j] = r.key
		}
		l := rows[len(rows)-1]
		return keys, &fpageCursor{saidAt: l.at, key: l.key}, nil
	}
}

// rawSearch is the search baseline without an index: scan every quote
// record and keep those that hold every word of the text (folded).
func rawSearch(raw *rawbadger.DB, text string) (int, error) {
	words := strings.Fields(fold.Name(text))
	n := 0
	err := raw.View(func(r *rawbadger.Reader) error {
		return r.ScanNodes(graph.KindQuote, func(node graph.Node) error {
			q := node.(*graph.Quote)
			have := " " + strings.Join(strings.FieldsFunc(fold.Name(q.Text), func(c rune) bool {
				return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c > 127)
			}), " ") + " "
			for _, w := range words {
				if !strings.Contains(have, " "+w+" ") {
					return nil
				}
			}
			n++
			return nil
		})
	})
	return n, err
}
