package schema

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"claimgraph/demo"
	"claimgraph/gen"
	"claimgraph/graph"
	"claimgraph/graph/memgraph"
)

// corpus is an independent view of a bundle: what the filtered lists and
// aggregates must answer is computed from it with plain loops, not through
// the store's indexes.
type corpus struct {
	people  []*graph.Person
	orgs    []*graph.Organisation
	sources []*graph.Source
	quotes  []*graph.Quote
	claims  []*graph.Claim
	figures []*graph.Figure
	links   []graph.Link
	source  map[string]*graph.Source
}

func newCorpus(b *graph.Bundle) *corpus {
	c := &corpus{links: b.Links, source: map[string]*graph.Source{}}
	for _, n := range b.Nodes {
		switch n := n.(type) {
		case *graph.Person:
			c.people = append(c.people, n)
		case *graph.Organisation:
			c.orgs = append(c.orgs, n)
		case *graph.Source:
			c.sources = append(c.sources, n)
			c.source[n.Key] = n
		case *graph.Quote:
			c.quotes = append(c.quotes, n)
		case *graph.Claim:
			c.claims = append(c.claims, n)
		case *graph.Figure:
			c.figures = append(c.figures, n)
		}
	}
	return c
}

// publisherOf is the publisher of a quote's or figure's source.
func (c *corpus) publisherOf(source string) string {
	if s := c.source[source]; s != nil {
		return s.Publisher
	}
	return ""
}

// members returns the organisations and the closure of their members and
// sub-organisations, computed from the records' fields.
func (c *corpus) members(roots ...string) map[string]bool {
	in := map[string]bool{}
	for _, r := range roots {
		in[r] = true
	}
	for changed := true; changed; {
		changed = false
		for _, o := range c.orgs {
			if !in[o.Key] && o.Parent != "" && in[o.Parent] {
				in[o.Key], changed = true, true
			}
		}
	}
	for _, p := range c.people {
		for _, a := range p.Affiliations {
			if in[a.Organisation] {
				in[p.Key] = true
			}
		}
	}
	return in
}

// day is the instant of a stored date (said_at, published_at): a date is
// midnight UTC.
func day(t testing.TB, s string) (time.Time, bool) {
	t.Helper()
	if s == "" {
		return time.Time{}, false
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, true
	}
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("corpus date %q: %v", s, err)
	}
	return d.UTC(), true
}

// sortVal is a node's order value.
type sortVal struct {
	ok bool
	t  time.Time
	f  float64
}

func (a sortVal) cmp(b sortVal) int {
	if c := a.t.Compare(b.t); c != 0 {
		return c
	}
	switch {
	case a.f < b.f:
		return -1
	case a.f > b.f:
		return 1
	}
	return 0
}

// keyed is a key with its order value.
type keyed struct {
	key string
	val sortVal
}

// inKeyOrder lists the keys in key order.
func inKeyOrder(items []keyed, desc bool) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.key)
	}
	sort.Strings(out)
	if desc {
		slices.Reverse(out)
	}
	return out
}

// inValueOrder lists the keys by value, then key; the keys without a value
// come last, in key order; desc reverses each part.
func inValueOrder(items []keyed, desc bool) []string {
	var with, without []keyed
	for _, it := range items {
		if it.val.ok {
			with = append(with, it)
		} else {
			without = append(without, it)
		}
	}
	sort.Slice(with, func(i, j int) bool {
		if c := with[i].val.cmp(with[j].val); c != 0 {
			return c < 0
		}
		return with[i].key < with[j].key
	})
	if desc {
		slices.Reverse(with)
	}
	out := make([]string, 0, len(items))
	for _, it := range with {
		out = append(out, it.key)
	}
	return append(out, inKeyOrder(without, desc)...)
}

func (c *corpus) quoteItems(t testing.TB, keep func(*graph.Quote) bool) []keyed {
	var out []keyed
	for _, q := range c.quotes {
		if keep(q) {
			d, ok := day(t, q.SaidAt)
			out = append(out, keyed{q.Key, sortVal{ok: ok, t: d}})
		}
	}
	return out
}

func (c *corpus) sourceItems(t testing.TB, keep func(*graph.Source) bool) []keyed {
	var out []keyed
	for _, s := range c.sources {
		if keep(s) {
			d, ok := day(t, s.PublishedAt)
			out = append(out, keyed{s.Key, sortVal{ok: ok, t: d}})
		}
	}
	return out
}

func (c *corpus) figureItems(keep func(*graph.Figure) bool) []keyed {
	var out []keyed
	for _, f := range c.figures {
		if keep(f) {
			out = append(out, keyed{f.Key, sortVal{ok: true, f: f.Value}})
		}
	}
	return out
}

func pick[T any](items []T, key func(T) string, keep func(T) bool) []keyed {
	var out []keyed
	for _, it := range items {
		if keep(it) {
			out = append(out, keyed{key: key(it)})
		}
	}
	return out
}

// inRange reports whether v is in [from, to).
func inRange(v sortVal, from, to time.Time) bool {
	return v.ok && !v.t.Before(from) && v.t.Before(to)
}

func within(items []keyed, from, to time.Time) []keyed {
	var out []keyed
	for _, it := range items {
		if inRange(it.val, from, to) {
			out = append(out, it)
		}
	}
	return out
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		panic(err)
	}
	return t
}

func has(list []string, s string) bool { return slices.Contains(list, s) }

func lower(s string) string { return strings.ToLower(s) }

// demoStore loads the demo bundle into a fresh store.
func demoStore(t testing.TB) (*memgraph.Store, *corpus) {
	t.Helper()
	b, err := demo.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	st := memgraph.New(memgraph.WithClock(func() time.Time { return goldenTime }))
	if _, err := st.Apply(context.Background(), b.Batch("test", "")); err != nil {
		t.Fatal(err)
	}
	return st, newCorpus(b)
}

// generated is a corpus of package gen in a store, built once per test
// binary (a few seconds under the race detector).
var generated = sync.OnceValues(func() (*memgraph.Store, *corpus) {
	b, err := gen.Generate(gen.Options{Quotes: 2500, Seed: 3})
	if err != nil {
		panic(err)
	}
	st := memgraph.New()
	if _, err := st.Apply(context.Background(), b.Batch("test", "")); err != nil {
		panic(err)
	}
	return st, newCorpus(b)
})

// listTypeNames are the where and orderBy types of each root list.
var listTypeNames = map[string][2]string{
	"people": {"PersonWhere", "PersonOrder"}, "organisations": {"OrganisationWhere", "OrganisationOrder"},
	"sources": {"SourceWhere", "SourceOrder"}, "quotes": {"QuoteWhere", "QuoteOrder"},
	"claims": {"ClaimWhere", "ClaimOrder"}, "figures": {"FigureWhere", "FigureOrder"},
}

// listAll pages through a root list, first edges at a time, with where and
// orderBy as variables, checking each page: its size, its cursors, its
// pageInfo and a constant totalCount. It returns the keys in order.
func listAll(t testing.TB, s *server, list string, where, order map[string]interface{}, first int) []string {
	t.Helper()
	types := listTypeNames[list]
	q := fmt.Sprintf(`query($w: %s, $o: %s, $after: String, $first: Int) {
		l: %s(where: $w, orderBy: $o, first: $first, after: $after) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }`,
		types[0], types[1], list)
	var keys []string
	total := -1
	after := interface{}(nil)
	for page := 0; ; page++ {
		vars := map[string]interface{}{"w": where, "o": order, "after": after, "first": first}
		r := s.post(t, q, vars, acceptGQL)
		l := dig(t, r.data(t), "l").(map[string]interface{})
		n := int(l["totalCount"].(float64))
		if total >= 0 && n != total {
			t.Fatalf("page %d: totalCount %d, was %d", page, n, total)
		}
		total = n
		if page > total/max(first, 1)+1 {
			t.Fatalf("more than %d pages for %d nodes", page, total)
		}
		edges := l["edges"].([]interface{})
		pi := l["pageInfo"].(map[string]interface{})
		more := pi["hasNextPage"].(bool)
		if pi["hasPreviousPage"].(bool) != (after != nil) {
			t.Errorf("page %d: hasPreviousPage %v", page, pi["hasPreviousPage"])
		}
		if len(edges) > first || (more && len(edges) != first) {
			t.Fatalf("page %d: %d edges with first %d, hasNextPage %v", page, len(edges), first, more)
		}
		for _, e := range edges {
			keys = append(keys, dig(t, e, "node", "id").(string))
		}
		if len(edges) > 0 {
			if pi["endCursor"] != dig(t, edges[len(edges)-1], "cursor") || pi["startCursor"] != dig(t, edges[0], "cursor") {
				t.Errorf("page %d: pageInfo cursors %v %v do not match the edges", page, pi["startCursor"], pi["endCursor"])
			}
		}
		if !more {
			break
		}
		after = pi["endCursor"]
	}
	if total != len(keys) {
		t.Errorf("totalCount %d, but the pages held %d nodes", total, len(keys))
	}
	return keys
}

// idsOf returns the node ids of a connection's edges.
func idsOf(t testing.TB, conn interface{}) []string {
	t.Helper()
	var out []string
	for _, e := range dig(t, conn, "edges").([]interface{}) {
		out = append(out, dig(t, e, "node", "id").(string))
	}
	return out
}

func sameKeys(t testing.TB, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %d %v\n want %d %v", what, len(got), clip(got), len(want), clip(want))
	}
}

func clip(l []string) []string {
	if len(l) > 12 {
		return append(l[:12:12], "...")
	}
	return l
}

// TestFilteredListsOnTheDemo runs each root list with literal filters on
// the demo bundle and compares the page with what the bundle says.
func TestFilteredListsOnTheDemo(t *testing.T) {
	st, c := demoStore(t)
	s := newServer(t, st, HandlerConfig{})
	day25, day26, day27 := date("2026-01-25"), date("2026-01-26"), date("2026-01-27")
	fed := c.members("us-federal-government")
	for _, tc := range []struct {
		name, list, args string
		want             []string
	}{
		{"speaker", "quotes", `where: {speaker: ["donald-trump"]}`,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return q.Speaker == "donald-trump" }), false)},
		{"speakers, one unknown", "quotes", `where: {speaker: ["tim-walz", "jacob-frey", "nobody-at-all"]}`,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return q.Speaker == "tim-walz" || q.Speaker == "jacob-frey" }), false)},
		{"unknown speaker", "quotes", `where: {speaker: ["nobody-at-all"]}`, nil},
		{"empty speaker list", "quotes", `where: {speaker: []}`, nil},
		{"one day", "quotes", `where: {saidAt: {from: "2026-01-25", to: "2026-01-25"}}`,
			inValueOrder(within(c.quoteItems(t, func(*graph.Quote) bool { return true }), day25, day26), false)},
		{"one day, date-times", "quotes", `where: {saidAt: {from: "2026-01-25T00:00:00Z", to: "2026-01-26T00:00:00Z"}}`,
			inValueOrder(within(c.quoteItems(t, func(*graph.Quote) bool { return true }), day25, day26), false)},
		{"from a day on", "quotes", `where: {saidAt: {from: "2026-01-26"}}, orderBy: {direction: DESC}`,
			inValueOrder(within(c.quoteItems(t, func(*graph.Quote) bool { return true }), day26, date("2100-01-01")), true)},
		{"organisation without members", "quotes", `where: {speaker: ["us-federal-government"]}`, nil},
		{"includeMembers", "quotes", `where: {speaker: ["us-federal-government"], includeMembers: true}`,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return fed[q.Speaker] }), false)},
		{"includeMembers, a person", "quotes", `where: {speaker: ["jacob-frey"], includeMembers: true}`,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return q.Speaker == "jacob-frey" }), false)},
		{"speaker and mode", "quotes", `where: {speaker: ["donald-trump"], mode: [DIRECT]}`,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return q.Speaker == "donald-trump" && q.Mode == "direct" }), false)},
		{"text", "quotes", `where: {text: "Way  DOWN"}`,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return strings.Contains(lower(q.Text), "way down") }), false)},
		{"key order, descending", "quotes", `orderBy: {field: KEY, direction: DESC}`,
			inKeyOrder(c.quoteItems(t, func(*graph.Quote) bool { return true }), true)},
		{"saidAt order, descending", "quotes", `orderBy: {field: SAID_AT, direction: DESC}`,
			inValueOrder(c.quoteItems(t, func(*graph.Quote) bool { return true }), true)},
		{"unit, any case", "figures", `where: {unit: ["People"]}`,
			inKeyOrder(c.figureItems(func(f *graph.Figure) bool { return f.Unit == "people" }), false)},
		{"measure", "figures", `where: {measure: ["shootings"]}`,
			inKeyOrder(c.figureItems(func(f *graph.Figure) bool { return f.Measure == "shootings" }), false)},
		{"value range", "figures", `where: {value: {min: 1000, max: 3000}}`,
			inValueOrder(c.figureItems(func(f *graph.Figure) bool { return f.Value >= 1000 && f.Value <= 3000 }), false)},
		{"value range, descending", "figures", `where: {value: {min: 60}}, orderBy: {field: VALUE, direction: DESC}`,
			inValueOrder(c.figureItems(func(f *graph.Figure) bool { return f.Value >= 60 }), true)},
		{"stated by and unit", "figures", `where: {statedBy: ["dhs"], unit: ["people"]}`,
			inKeyOrder(c.figureItems(func(f *graph.Figure) bool { return f.StatedBy == "dhs" && f.Unit == "people" }), false)},
		{"source kind", "sources", `where: {kind: [STATEMENT, CALL]}`,
			inKeyOrder(c.sourceItems(t, func(s *graph.Source) bool { return s.Kind == "statement" || s.Kind == "call" }), false)},
		{"published on a day", "sources", `where: {publishedAt: {from: "2026-01-26", to: "2026-01-26"}}`,
			inValueOrder(within(c.sourceItems(t, func(*graph.Source) bool { return true }), day26, day27), false)},
		{"publisher", "sources", `where: {publisher: ["dhs", "ice"]}`,
			inKeyOrder(c.sourceItems(t, func(s *graph.Source) bool { return s.Publisher == "dhs" || s.Publisher == "ice" }), false)},
		{"affiliation", "people", `where: {affiliation: ["state-of-minnesota", "city-of-minneapolis"]}`,
			inKeyOrder(pick(c.people, func(p *graph.Person) string { return p.Key }, func(p *graph.Person) bool {
				for _, a := range p.Affiliations {
					if a.Organisation == "state-of-minnesota" || a.Organisation == "city-of-minneapolis" {
						return true
					}
				}
				return false
			}), false)},
		{"name", "people", `where: {name: "walz"}`,
			inKeyOrder(pick(c.people, func(p *graph.Person) string { return p.Key },
				func(p *graph.Person) bool { return strings.Contains(lower(p.Name), "walz") }), false)},
		{"parent", "organisations", `where: {parent: ["dhs"]}`,
			inKeyOrder(pick(c.orgs, func(o *graph.Organisation) string { return o.Key },
				func(o *graph.Organisation) bool { return o.Parent == "dhs" }), false)},
		{"organisation kind", "organisations", `where: {kind: [MEDIA, GROUP]}, orderBy: {direction: DESC}`,
			inKeyOrder(pick(c.orgs, func(o *graph.Organisation) string { return o.Key },
				func(o *graph.Organisation) bool { return o.Kind == "media" || o.Kind == "group" }), true)},
		{"about", "claims", `where: {about: ["tim-walz"]}`,
			inKeyOrder(pick(c.claims, func(cl *graph.Claim) string { return cl.Key },
				func(cl *graph.Claim) bool { return has(cl.About, "tim-walz") }), false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.list == "quotes" && strings.Contains(tc.args, "speaker") && !strings.Contains(tc.args, "nobody") &&
				!strings.Contains(tc.args, "[]") && !strings.Contains(tc.args, "us-federal") && len(tc.want) == 0 {
				t.Fatal("the case expects nothing: it tests nothing")
			}
			r := s.post(t, fmt.Sprintf(`{ l: %s(%s, first: 100) { totalCount edges { node { id } } } }`, tc.list, tc.args), nil, acceptGQL)
			l := dig(t, r.data(t), "l")
			sameKeys(t, tc.list+"("+tc.args+")", idsOf(t, l), tc.want)
			if n := int(dig(t, l, "totalCount").(float64)); n != len(tc.want) {
				t.Errorf("totalCount %d, want %d", n, len(tc.want))
			}
		})
	}
}

// TestFilteredListsOnAGeneratedCorpus pages through filtered lists of a
// generated corpus, a few nodes per page, and compares every key, in
// order, with what the corpus says.
func TestFilteredListsOnAGeneratedCorpus(t *testing.T) {
	st, c := generated()
	s := newServer(t, st, HandlerConfig{})

	// Parameters drawn from the corpus: the busiest speaker, publisher,
	// day, unit and measure of at most 200 nodes (three pages of at most
	// 100), and the organisation with the largest tree.
	busiest := func(count map[string]int) string {
		best := ""
		for k, n := range count {
			if k != "" && n <= 200 && (best == "" || n > count[best] || n == count[best] && k < best) {
				best = k
			}
		}
		return best
	}
	speakers, publishers, days, units, measures := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, q := range c.quotes {
		speakers[q.Speaker]++
		publishers[c.publisherOf(q.Source)]++
		if d, ok := day(t, q.SaidAt); ok {
			days[d.Format(time.DateOnly)]++
		}
	}
	for _, f := range c.figures {
		units[f.Unit]++
		measures[f.Measure]++
	}
	trees := map[string]int{}
	for _, o := range c.orgs {
		trees[o.Key] = len(c.members(o.Key))
	}
	speaker, publisher, busyDay, unit, measure, parent := busiest(speakers), busiest(publishers), busiest(days),
		busiest(units), busiest(measures), busiest(trees)
	var vals []float64
	for _, f := range c.figures {
		if f.Measure == measure {
			vals = append(vals, f.Value)
		}
	}
	slices.Sort(vals)
	lo, hi := vals[len(vals)/4], vals[len(vals)*3/4]
	tree := c.members(parent)
	subs := 0
	for _, o := range c.orgs {
		if tree[o.Key] && o.Key != parent {
			subs++
		}
	}
	if len(tree) < 3 || subs == 0 {
		t.Fatalf("the corpus has no organisation tree to test includeMembers with (%v)", tree)
	}
	from, to := date(busyDay), date(busyDay).AddDate(0, 0, 1)
	t.Logf("speaker %s, publisher %s, day %s, unit %s, measure %s, tree of %s: %d nodes, %d organisations",
		speaker, publisher, busyDay, unit, measure, parent, len(tree), subs)

	all := func(*graph.Quote) bool { return true }
	for _, tc := range []struct {
		name, list   string
		where, order map[string]interface{}
		want         []string
	}{
		{"speaker", "quotes", map[string]interface{}{"speaker": []string{speaker}}, nil,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return q.Speaker == speaker }), false)},
		{"speaker, saidAt descending", "quotes", map[string]interface{}{"speaker": []string{speaker}},
			map[string]interface{}{"field": "SAID_AT", "direction": "DESC"},
			inValueOrder(c.quoteItems(t, func(q *graph.Quote) bool { return q.Speaker == speaker }), true)},
		{"publisher through source", "quotes", map[string]interface{}{"publisher": []string{publisher}}, nil,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return c.publisherOf(q.Source) == publisher }), false)},
		{"one day", "quotes", map[string]interface{}{"saidAt": map[string]interface{}{"from": busyDay, "to": busyDay}}, nil,
			inValueOrder(within(c.quoteItems(t, all), from, to), false)},
		{"one day, descending", "quotes", map[string]interface{}{"saidAt": map[string]interface{}{"from": busyDay, "to": busyDay}},
			map[string]interface{}{"direction": "DESC"},
			inValueOrder(within(c.quoteItems(t, all), from, to), true)},
		{"includeMembers", "quotes", map[string]interface{}{"speaker": []string{parent}, "includeMembers": true}, nil,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool { return tree[q.Speaker] }), false)},
		{"includeMembers and mode", "quotes",
			map[string]interface{}{"speaker": []string{parent}, "includeMembers": true, "mode": []string{"DIRECT", "PARTIAL"}}, nil,
			inKeyOrder(c.quoteItems(t, func(q *graph.Quote) bool {
				return tree[q.Speaker] && (q.Mode == "direct" || q.Mode == "partial")
			}), false)},
		{"unit", "figures", map[string]interface{}{"unit": []string{unit}}, nil,
			inKeyOrder(c.figureItems(func(f *graph.Figure) bool { return f.Unit == unit }), false)},
		{"measure and value range", "figures",
			map[string]interface{}{"measure": []string{measure}, "value": map[string]interface{}{"min": lo, "max": hi}}, nil,
			inValueOrder(c.figureItems(func(f *graph.Figure) bool { return f.Measure == measure && f.Value >= lo && f.Value <= hi }), false)},
		{"value, descending", "figures", map[string]interface{}{"publisher": []string{publisher}},
			map[string]interface{}{"field": "VALUE", "direction": "DESC"},
			inValueOrder(c.figureItems(func(f *graph.Figure) bool { return c.publisherOf(f.Source) == publisher }), true)},
		{"sources by kind and month", "sources",
			map[string]interface{}{"kind": []string{"ARTICLE", "SOCIAL_POST"},
				"publishedAt": map[string]interface{}{"from": "2020-03-01", "to": "2020-03-31"}}, nil,
			inValueOrder(within(c.sourceItems(t, func(s *graph.Source) bool { return s.Kind == "article" || s.Kind == "social_post" }),
				date("2020-03-01"), date("2020-04-01")), false)},
		{"sources by publisher, published descending", "sources", map[string]interface{}{"publisher": []string{publisher}},
			map[string]interface{}{"field": "PUBLISHED_AT", "direction": "DESC"},
			inValueOrder(c.sourceItems(t, func(s *graph.Source) bool { return s.Publisher == publisher }), true)},
		{"people by affiliation", "people", map[string]interface{}{"affiliation": []string{parent}}, nil,
			inKeyOrder(pick(c.people, func(p *graph.Person) string { return p.Key }, func(p *graph.Person) bool {
				for _, a := range p.Affiliations {
					if a.Organisation == parent {
						return true
					}
				}
				return false
			}), false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.want) < 2 {
				t.Fatalf("the case expects %d nodes: too few to test paging", len(tc.want))
			}
			// Two or three pages each (every request reads a fresh
			// snapshot, which the reference store indexes anew).
			got := listAll(t, s, tc.list, tc.where, tc.order, min(len(tc.want)/2+1, 100))
			sameKeys(t, tc.name, got, tc.want)
		})
	}
}

// wantGroups is what an aggregate must answer: the groups of count,
// largest first, ties by key, at most first.
func wantGroups(count map[string]int, first int) []string {
	type g struct {
		k string
		n int
	}
	var gs []g
	for k, n := range count {
		gs = append(gs, g{k, n})
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].n != gs[j].n {
			return gs[i].n > gs[j].n
		}
		return gs[i].k < gs[j].k
	})
	var out []string
	for i, x := range gs {
		if i == first {
			break
		}
		out = append(out, fmt.Sprintf("%s=%d", x.k, x.n))
	}
	return out
}

// gotGroups reads a list of groups as key=count ("" for a null key).
func gotGroups(t testing.TB, v interface{}, key string) []string {
	t.Helper()
	var out []string
	for _, g := range v.([]interface{}) {
		k, _ := dig(t, g, key).(string)
		out = append(out, fmt.Sprintf("%s=%d", k, int(dig(t, g, "count").(float64))))
	}
	return out
}

// statusOf assesses a claim from the bundle's links, as Claim.assessment
// documents it (no retractions in a bundle).
func (c *corpus) statusOf(claim string) string {
	sup, con := map[string]bool{}, map[string]bool{}
	for _, l := range c.links {
		switch {
		case l.Relation == graph.RelSupports && l.To == claim:
			sup[l.From] = true
		case l.Relation == graph.RelContradicts && l.To == claim:
			con[l.From] = true
		case l.Relation == graph.RelContradicts && l.From == claim:
			con[l.To] = true
		}
	}
	switch {
	case len(sup) > 0 && len(con) > 0:
		return "DISPUTED"
	case len(sup) > 0:
		return "SUPPORTED"
	case len(con) > 0:
		return "CONTRADICTED"
	}
	return "UNVERIFIED"
}

// TestAggregates compares every grouping, over a filtered list and over a
// whole list, with counts made from the corpus.
func TestAggregates(t *testing.T) {
	st, c := generated()
	s := newServer(t, st, HandlerConfig{})
	month := func(s string) string {
		if d, ok := day(t, s); ok {
			return d.Format("2006-01")
		}
		return ""
	}
	counts := func(n int, keys func(i int) []string) map[string]int {
		m := map[string]int{}
		for i := 0; i < n; i++ {
			for _, k := range keys(i) {
				m[k]++
			}
		}
		return m
	}
	pubs := counts(len(c.quotes), func(i int) []string { return []string{c.publisherOf(c.quotes[i].Source)} })
	publisher := strings.SplitN(wantGroups(pubs, 2)[0], "=", 2)[0]
	if publisher == "" {
		publisher = strings.SplitN(wantGroups(pubs, 2)[1], "=", 2)[0]
	}
	var ofPub []*graph.Quote
	for _, q := range c.quotes {
		if c.publisherOf(q.Source) == publisher {
			ofPub = append(ofPub, q)
		}
	}

	r := s.post(t, `query($p: [ID!]) {
		all: quotes(first: 0) { totalCount aggregate {
			bySpeaker(first: 100) { key count node { id ... on Agent { name } } }
			byPublisher(first: 100) { key count node { id name } }
			byMonth(first: 100) { key count } } }
		pub: quotes(where: {publisher: $p}, first: 3) { totalCount edges { node { id } } aggregate {
			bySpeaker(first: 7) { key count }
			byMonth(first: 100) { key count } } }
		figures(first: 1) { aggregate { byMeasure(first: 100) { key count } byUnit(first: 100) { key count }
			byPublisher(first: 5) { key count } } }
		sources(first: 1) { aggregate { byKind(first: 100) { key count } byPublisher(first: 100) { key count }
			byMonth(first: 100) { key count } } }
		organisations { aggregate { byKind { key count } } }
		claims { totalCount aggregate { byStatus { status count } } }
	}`, map[string]interface{}{"p": []string{publisher}}, acceptGQL)
	d := r.data(t)

	for _, tc := range []struct {
		name  string
		path  []interface{}
		key   string
		count map[string]int
		first int
	}{
		{"quotes by speaker", []interface{}{"all", "aggregate", "bySpeaker"}, "key",
			counts(len(c.quotes), func(i int) []string { return []string{c.quotes[i].Speaker} }), 100},
		{"quotes by publisher", []interface{}{"all", "aggregate", "byPublisher"}, "key", pubs, 100},
		{"quotes by month", []interface{}{"all", "aggregate", "byMonth"}, "key",
			counts(len(c.quotes), func(i int) []string { return []string{month(c.quotes[i].SaidAt)} }), 100},
		{"filtered quotes by speaker", []interface{}{"pub", "aggregate", "bySpeaker"}, "key",
			counts(len(ofPub), func(i int) []string { return []string{ofPub[i].Speaker} }), 7},
		{"filtered quotes by month", []interface{}{"pub", "aggregate", "byMonth"}, "key",
			counts(len(ofPub), func(i int) []string { return []string{month(ofPub[i].SaidAt)} }), 100},
		{"figures by measure", []interface{}{"figures", "aggregate", "byMeasure"}, "key",
			counts(len(c.figures), func(i int) []string { return []string{graph.FoldFacet(c.figures[i].Measure)} }), 100},
		{"figures by unit", []interface{}{"figures", "aggregate", "byUnit"}, "key",
			counts(len(c.figures), func(i int) []string { return []string{graph.FoldFacet(c.figures[i].Unit)} }), 100},
		{"figures by publisher", []interface{}{"figures", "aggregate", "byPublisher"}, "key",
			counts(len(c.figures), func(i int) []string { return []string{c.publisherOf(c.figures[i].Source)} }), 5},
		{"sources by kind", []interface{}{"sources", "aggregate", "byKind"}, "key",
			counts(len(c.sources), func(i int) []string { return []string{strings.ToUpper(c.sources[i].Kind)} }), 100},
		{"sources by publisher", []interface{}{"sources", "aggregate", "byPublisher"}, "key",
			counts(len(c.sources), func(i int) []string { return []string{c.sources[i].Publisher} }), 100},
		{"sources by month", []interface{}{"sources", "aggregate", "byMonth"}, "key",
			counts(len(c.sources), func(i int) []string { return []string{month(c.sources[i].PublishedAt)} }), 100},
		{"organisations by kind", []interface{}{"organisations", "aggregate", "byKind"}, "key",
			counts(len(c.orgs), func(i int) []string { return []string{strings.ToUpper(c.orgs[i].Kind)} }), 20},
		{"claims by status", []interface{}{"claims", "aggregate", "byStatus"}, "status",
			counts(len(c.claims), func(i int) []string { return []string{c.statusOf(c.claims[i].Key)} }), 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := gotGroups(t, dig(t, d, tc.path...), tc.key)
			want := wantGroups(tc.count, tc.first)
			if tc.key == "status" {
				// Every status, in enum order, zero counts included.
				var all []string
				for _, st := range graph.AssessmentStatuses {
					all = append(all, fmt.Sprintf("%s=%d", strings.ToUpper(string(st)), tc.count[strings.ToUpper(string(st))]))
				}
				want = all
			}
			if len(want) < 2 {
				t.Fatalf("only %d groups: the corpus does not test this grouping", len(want))
			}
			if !slices.Equal(got, want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
	if n := int(dig(t, d, "pub", "totalCount").(float64)); n != len(ofPub) {
		t.Errorf("filtered totalCount %d, want %d", n, len(ofPub))
	}
	if n := len(idsOf(t, dig(t, d, "pub"))); n != 3 {
		t.Errorf("the page of the filtered list has %d edges, want 3 (aggregates count beyond the page)", n)
	}
	for _, g := range dig(t, d, "all", "aggregate", "bySpeaker").([]interface{}) {
		if k, _ := dig(t, g, "key").(string); k != "" && (dig(t, g, "node", "id") != k || dig(t, g, "node", "name") == "") {
			t.Errorf("group %v: node does not match its key", g)
		}
	}
}

// TestAggregateOnlyOnRootLists: the connections of a node have no
// aggregate (null), and the demo's claim statuses match the bundle.
func TestAggregateOnlyOnRootLists(t *testing.T) {
	st, c := demoStore(t)
	s := newServer(t, st, HandlerConfig{})
	d := s.post(t, `{ node(id: "donald-trump") { ... on Person { quotes(first: 1) { aggregate { bySpeaker { count } } } } }
		whoSaid(text: "way down") { aggregate { byMonth { count } } }
		claims(where: {about: ["tim-walz", "state-of-minnesota"]}) { aggregate { byStatus { status count } } } }`, nil, acceptGQL).data(t)
	if v := dig(t, d, "node", "quotes", "aggregate"); v != nil {
		t.Errorf("a node's connection has an aggregate: %v", v)
	}
	if v := dig(t, d, "whoSaid", "aggregate"); v != nil {
		t.Errorf("whoSaid has an aggregate: %v", v)
	}
	want := map[string]int{}
	for _, cl := range c.claims {
		if has(cl.About, "tim-walz") || has(cl.About, "state-of-minnesota") {
			want[c.statusOf(cl.Key)]++
		}
	}
	got := map[string]int{}
	for _, g := range dig(t, d, "claims", "aggregate", "byStatus").([]interface{}) {
		got[dig(t, g, "status").(string)] = int(dig(t, g, "count").(float64))
	}
	for st, n := range want {
		if got[st] != n {
			t.Errorf("status %s: %d claims, want %d (%v)", st, got[st], n, got)
		}
	}
	if len(got) != len(graph.AssessmentStatuses) {
		t.Errorf("%d statuses listed, want all %d", len(got), len(graph.AssessmentStatuses))
	}
}

// TestListErrors: bad arguments are errors with a code and a message that
// names the argument.
func TestListErrors(t *testing.T) {
	st, _ := demoStore(t)
	s := newServer(t, st, HandlerConfig{Schema: Config{MaxAssessed: 5}})
	first := s.post(t, `{ quotes(first: 2, orderBy: {field: SAID_AT}) { pageInfo { endCursor } } }`, nil, acceptGQL)
	saidAtCursor := dig(t, first.data(t), "quotes", "pageInfo", "endCursor").(string)
	var many []string
	for i := 0; i < 101; i++ {
		many = append(many, fmt.Sprintf("%q", fmt.Sprintf("k-%d", i)))
	}
	for _, tc := range []struct {
		name, query string
		vars        map[string]interface{}
		code, in    string
	}{
		{"range ordered by key", `{ quotes(where: {saidAt: {from: "2026-01-25"}}, orderBy: {field: KEY}) { totalCount } }`, nil,
			"BAD_USER_INPUT", "orderBy.field"},
		{"value range ordered by key", `{ figures(where: {value: {min: 1}}, orderBy: {field: KEY, direction: DESC}) { totalCount } }`, nil,
			"BAD_USER_INPUT", "orderBy.field"},
		{"not a cursor", `{ quotes(after: "%%%not-a-cursor") { totalCount } }`, nil, "BAD_USER_INPUT", "after"},
		{"a cursor of another order", `query($a: String) { quotes(after: $a) { totalCount } }`,
			map[string]interface{}{"a": saidAtCursor}, "BAD_USER_INPUT", "after"},
		{"a cursor of another list", `query($a: String) { figures(after: $a, orderBy: {field: VALUE}) { totalCount } }`,
			map[string]interface{}{"a": saidAtCursor}, "BAD_USER_INPUT", "after"},
		{"from after to", `{ quotes(where: {saidAt: {from: "2026-01-26", to: "2026-01-25"}}) { totalCount } }`, nil,
			"BAD_USER_INPUT", "where.saidAt"},
		{"empty date-time range", `{ sources(where: {publishedAt: {from: "2026-01-26T10:00:00Z", to: "2026-01-26T10:00:00Z"}}) { totalCount } }`, nil,
			"BAD_USER_INPUT", "where.publishedAt"},
		{"min above max", `{ figures(where: {value: {min: 5, max: 1}}) { totalCount } }`, nil, "BAD_USER_INPUT", "where.value"},
		{"text without words", `{ quotes(where: {text: "?!"}) { totalCount } }`, nil, "BAD_USER_INPUT", "where.text"},
		{"name without words", `{ people(where: {name: "--"}) { totalCount } }`, nil, "BAD_USER_INPUT", "where.name"},
		{"too many ids", `{ quotes(where: {speaker: [` + strings.Join(many, ", ") + `]}) { totalCount } }`, nil,
			"LIMIT_EXCEEDED", "where.speaker"},
		{"bad date in a variable", `query($w: QuoteWhere) { quotes(where: $w) { totalCount } }`,
			map[string]interface{}{"w": map[string]interface{}{"saidAt": map[string]interface{}{"from": "last tuesday"}}},
			"BAD_USER_INPUT", "saidAt"},
		{"bad mode in a variable", `query($w: QuoteWhere) { quotes(where: $w) { totalCount } }`,
			map[string]interface{}{"w": map[string]interface{}{"mode": []string{"SHOUTED"}}}, "BAD_USER_INPUT", "mode"},
		{"negative first", `{ quotes(first: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
		{"groups above the page cap", `{ quotes { aggregate { bySpeaker(first: 101) { count } } } }`, nil, "LIMIT_EXCEEDED", "first"},
		{"negative groups", `{ quotes { aggregate { byMonth(first: -3) { count } } } }`, nil, "BAD_USER_INPUT", "first"},
		{"too many claims to assess", `{ claims { aggregate { byStatus { count } } } }`, nil, "LIMIT_EXCEEDED", "byStatus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(t, tc.query, tc.vars, acceptGQL)
			errs, _ := r.body["errors"].([]interface{})
			if len(errs) == 0 {
				t.Fatalf("no error: %s", r.raw)
			}
			if codes := r.errorCodes(); !has(codes, tc.code) {
				t.Errorf("codes %v, want %s: %s", codes, tc.code, r.raw)
			}
			msg, _ := dig(t, errs[0], "message").(string)
			if !strings.Contains(msg, tc.in) {
				t.Errorf("message %q does not name %s", msg, tc.in)
			}
		})
	}
	// Within the cap, byStatus answers.
	ok := s.post(t, `{ claims(where: {about: ["tim-walz"]}) { aggregate { byStatus { count } } } }`, nil, acceptGQL)
	ok.data(t)
}

// TestOldCursorsStillPage: a cursor of the unfiltered lists of earlier
// versions (the key, encoded) continues the same list.
func TestOldCursorsStillPage(t *testing.T) {
	st, c := demoStore(t)
	s := newServer(t, st, HandlerConfig{})
	keys := inKeyOrder(c.quoteItems(t, func(*graph.Quote) bool { return true }), false)
	d := s.post(t, `query($a: String) { quotes(first: 3, after: $a) { edges { node { id } } } }`,
		map[string]interface{}{"a": encodeCursor(keys[4])}, acceptGQL).data(t)
	sameKeys(t, "after an old cursor", idsOf(t, dig(t, d, "quotes")), keys[5:8])
}

// TestListCost: aggregates and filtered lists weigh what they scan in the
// estimated cost, and too many of them are refused before they run.
func TestListCost(t *testing.T) {
	st, _ := demoStore(t)
	cs := &countingStore{Store: st, calls: &calls{}}
	s := newServer(t, cs, HandlerConfig{})
	for _, tc := range []struct {
		name, query string
		cost        int
	}{
		// quotes 1, totalCount 1 x 100 (as before), aggregate once (not
		// once per edge), bySpeaker 1000, its 20 groups' count and key.
		{"aggregate", `{ quotes(first: 100) { totalCount aggregate { bySpeaker { count key } } } }`, 1 + 100 + 1 + costGrouping + 40},
		{"where", `{ quotes(first: 10, where: {speaker: ["x"]}) { edges { node { id } } } }`, 1 + costWhere + 10 + 10 + 10},
		{"byStatus", `{ claims(first: 1) { aggregate { byStatus { count } } } }`, 1 + 1 + DefaultMaxAssessed + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(t, tc.query, nil, acceptGQL)
			if got := int(dig(t, r.body, "extensions", "cost", "estimated").(float64)); got != tc.cost {
				t.Errorf("estimated cost %d, want %d", got, tc.cost)
			}
		})
	}
	cs.calls.reset()
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, " c%d: claims { aggregate { byStatus { count } } }", i)
	}
	b.WriteString(" }")
	r := s.post(t, b.String(), nil, acceptGQL)
	if !has(r.errorCodes(), "LIMIT_EXCEEDED") || r.status != 400 {
		t.Errorf("6 byStatus: status %d, codes %v, want 400 LIMIT_EXCEEDED", r.status, r.errorCodes())
	}
	if n := cs.calls.total(); n != 0 {
		t.Errorf("a refused query read the store %d times", n)
	}
}

// TestListTimeout: a filtered list and its aggregate that outrun the
// deadline end with TIMEOUT, and the store is not read after it.
func TestListTimeout(t *testing.T) {
	st, _ := demoStore(t)
	cs := &countingStore{Store: st, calls: &calls{}, hook: func(m string) {
		if m == "Select" || m == "Aggregate" {
			time.Sleep(40 * time.Millisecond)
		}
	}}
	s := newServer(t, cs, HandlerConfig{Timeout: 20 * time.Millisecond})
	r := s.post(t, `{ a: quotes(where: {mode: [PARTIAL]}) { totalCount aggregate { bySpeaker { count } byMonth { count } } }
		b: figures(where: {unit: ["people"]}) { aggregate { byMeasure { count } } } }`, nil, acceptGQL)
	if !has(r.errorCodes(), "TIMEOUT") {
		t.Errorf("codes %v, want TIMEOUT: %s", r.errorCodes(), truncate(string(r.raw), 400))
	}
	if n := cs.calls.get("Select") + cs.calls.get("Aggregate"); n > 1 {
		t.Errorf("%d selections and aggregations ran, want the first only (the deadline passed during it)", n)
	}
}

// nestedStore holds 100 quotes by 20 people, each affiliated with one of 5
// outlets, in 10 sources published by those outlets.
func nestedStore(t testing.TB) *memgraph.Store {
	t.Helper()
	b := &graph.Batch{By: "test"}
	for i := 0; i < 5; i++ {
		b.Nodes = append(b.Nodes, &graph.Organisation{Key: fmt.Sprintf("outlet-%d", i), Name: fmt.Sprintf("Outlet %d", i), Kind: "media"})
	}
	for i := 0; i < 20; i++ {
		b.Nodes = append(b.Nodes, &graph.Person{Key: fmt.Sprintf("speaker-%02d", i), Name: fmt.Sprintf("Speaker %02d", i),
			Affiliations: []graph.Affiliation{{Organisation: fmt.Sprintf("outlet-%d", i%5), Role: "columnist"}}})
	}
	for i := 0; i < 10; i++ {
		b.Nodes = append(b.Nodes, &graph.Source{Key: fmt.Sprintf("paper-%02d", i), Kind: "article", Title: fmt.Sprintf("Paper %02d", i),
			Publisher: fmt.Sprintf("outlet-%d", i%5)})
	}
	for i := 0; i < 100; i++ {
		b.Nodes = append(b.Nodes, &graph.Quote{Key: fmt.Sprintf("said-%03d", i), Text: fmt.Sprintf("the lanterns were lit %d times", i),
			Speaker: fmt.Sprintf("speaker-%02d", i%20), Source: fmt.Sprintf("paper-%02d", i%10)})
	}
	st := memgraph.New()
	if _, err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestNestedListsAreBatched asks for quotes with their speakers, the
// speakers' affiliations and their own quotes (a connection inside each
// node), and the sources' publishers, at 10 and at 100 quotes: the store
// calls are one per level, the same for both, not one per node.
func TestNestedListsAreBatched(t *testing.T) {
	cs := &countingStore{Store: nestedStore(t), calls: &calls{}}
	s := newServer(t, cs, HandlerConfig{})
	const q = `query($n: Int) { quotes(first: $n) { totalCount edges { node { id
		speaker { name ... on Person { affiliations { organisation { name } } }
			quotes(first: 5) { totalCount edges { node { id source { title publisher { name } } } } } }
		source { title publisher { name } } } } } }`
	counts := map[int]map[string]int{}
	for _, n := range []int{10, 100} {
		cs.calls.reset()
		d := s.post(t, q, map[string]interface{}{"n": n}, acceptGQL).data(t)
		edges := dig(t, d, "quotes", "edges").([]interface{})
		if len(edges) != n {
			t.Fatalf("%d edges, want %d", len(edges), n)
		}
		for _, e := range edges {
			id := dig(t, e, "node", "id").(string)
			var i int
			fmt.Sscanf(id, "said-%d", &i)
			if got, want := dig(t, e, "node", "speaker", "affiliations", 0, "organisation", "name"), fmt.Sprintf("Outlet %d", i%20%5); got != want {
				t.Errorf("%s: affiliation %v, want %v", id, got, want)
			}
			if got, want := dig(t, e, "node", "source", "publisher", "name"), fmt.Sprintf("Outlet %d", i%10%5); got != want {
				t.Errorf("%s: publisher %v, want %v", id, got, want)
			}
			nested := dig(t, e, "node", "speaker", "quotes")
			if dig(t, nested, "totalCount") != float64(5) || len(idsOf(t, nested)) != 5 {
				t.Errorf("%s: the speaker's quotes: %v", id, nested)
			}
			for _, k := range idsOf(t, nested) {
				var j int
				fmt.Sscanf(k, "said-%d", &j)
				if j%20 != i%20 {
					t.Errorf("%s: the speaker's quotes hold %s of another speaker", id, k)
				}
			}
		}
		counts[n] = map[string]int{}
		for m, c := range cs.calls.n {
			counts[n][m] = c
		}
	}
	t.Logf("store calls at 10 quotes: %v; at 100: %v", counts[10], counts[100])
	total := func(m map[string]int) int {
		n := 0
		for _, c := range m {
			n += c
		}
		return n
	}
	if total(counts[100]) > total(counts[10]) {
		t.Errorf("100 quotes took %d store calls, 10 took %d: calls grow with the nodes", total(counts[100]), total(counts[10]))
	}
	for m, c := range counts[100] {
		if limit := map[string]int{"Select": 1, "EdgesBatch": 1, "CountEdgesBatch": 1, "Nodes": 4}[m]; c > limit {
			t.Errorf("%d %s calls for 100 quotes, want at most %d", c, m, limit)
		}
	}
}

// selSpy records the selections its readers are asked for.
type selSpy struct {
	graph.Store
	mu   sync.Mutex
	sels []graph.Selection
}

func (s *selSpy) View(ctx context.Context, fn func(graph.Reader) error) error {
	return s.Store.View(ctx, func(r graph.Reader) error { return fn(&spyReader{Reader: r, s: s}) })
}

type spyReader struct {
	graph.Reader
	s *selSpy
}

func (r *spyReader) Select(ctx context.Context, sel graph.Selection) (graph.SelectPage, error) {
	r.s.mu.Lock()
	r.s.sels = append(r.s.sels, sel)
	r.s.mu.Unlock()
	return r.Reader.Select(ctx, sel)
}

// TestCountOnlyWhenSelected: a root list counts its nodes only when
// totalCount is asked for (directly or in a fragment), in the same store
// call as its page.
func TestCountOnlyWhenSelected(t *testing.T) {
	st, _ := demoStore(t)
	spy := &selSpy{Store: st}
	s := newServer(t, spy, HandlerConfig{})
	for _, tc := range []struct {
		name, query string
		count       bool
	}{
		{"edges only", `{ quotes(where: {mode: [PARTIAL]}) { edges { node { id } } } }`, false},
		{"pageInfo and aggregate", `{ quotes { pageInfo { hasNextPage } aggregate { byMonth { count } } } }`, false},
		{"totalCount", `{ quotes(first: 1) { totalCount } }`, true},
		{"in a fragment", `{ quotes(first: 1) { ...c } } fragment c on QuoteConnection { ... on QuoteConnection { totalCount } }`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spy.mu.Lock()
			spy.sels = nil
			spy.mu.Unlock()
			s.post(t, tc.query, nil, acceptGQL).data(t)
			spy.mu.Lock()
			defer spy.mu.Unlock()
			if len(spy.sels) != 1 {
				t.Fatalf("%d Select calls, want 1", len(spy.sels))
			}
			if spy.sels[0].Count != tc.count {
				t.Errorf("Count %v, want %v", spy.sels[0].Count, tc.count)
			}
		})
	}
}

// TestNestedCursorErrorStaysItsOwn: a nested connection whose cursor the
// store refuses (not one of its edges) fails alone, its parent null; the
// connection next to it answers.
func TestNestedCursorErrorStaysItsOwn(t *testing.T) {
	st, _ := demoStore(t)
	s := newServer(t, st, HandlerConfig{})
	r := s.post(t, `query($bad: String) {
		x: node(id: "donald-trump") { ... on Person { a: quotes(after: $bad) { edges { node { id } } } } }
		y: node(id: "donald-trump") { ... on Person { b: quotes(first: 2) { edges { node { id } } } } } }`,
		map[string]interface{}{"bad": encodeCursor("no-such-quote")}, acceptGQL)
	if codes := r.errorCodes(); len(codes) != 1 || codes[0] != "BAD_USER_INPUT" {
		t.Errorf("codes %v, want one BAD_USER_INPUT: %s", codes, r.raw)
	}
	errs := r.body["errors"].([]interface{})
	if path := fmt.Sprint(dig(t, errs[0], "path")); path != "[x a]" {
		t.Errorf("the error is at %s, want [x a]", path)
	}
	if ids := idsOf(t, dig(t, r.body, "data", "y", "b")); len(ids) != 2 {
		t.Errorf("b: %v, want 2 quotes", ids)
	}
}
