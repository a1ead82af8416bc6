package graphtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"claimgraph/graph"
)

// viewAt runs fn in a ViewAt and fails the test on any error.
func viewAt(t *testing.T, s graph.Store, at time.Time, fn func(ctx context.Context, r graph.Reader) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.ViewAt(ctx, at, func(r graph.Reader) error { return fn(ctx, r) }); err != nil {
		t.Fatalf("ViewAt(%v): %v", at, err)
	}
}

func history(t *testing.T, s graph.Store, key string) []graph.Revision {
	t.Helper()
	var h []graph.Revision
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		var err error
		h, err = r.History(ctx, key)
		return err
	})
	return h
}

func changes(h []graph.Revision) []string {
	out := make([]string, len(h))
	for i, r := range h {
		out[i] = r.Change
		if r.Link != nil {
			out[i] += " " + r.Link.ID().String()
		}
	}
	return out
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func revisionString(r graph.Revision) string {
	s := fmt.Sprintf("%d %s %s by=%s note=%q", r.Rev, r.Key, r.Change, r.By, r.Note)
	if r.Link != nil {
		s += fmt.Sprintf(" link=%+v", *r.Link)
	}
	return s + fmt.Sprintf(" before=%s after=%s", r.Before, r.After)
}

// sameRevisions compares revisions field by field, JSON by value.
func sameRevisions(t *testing.T, what string, got, want []graph.Revision) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		g, w := got[i], want[i]
		ok = g.Rev == w.Rev && g.At.Equal(w.At) && g.By == w.By && g.Note == w.Note && g.Change == w.Change &&
			g.Key == w.Key && (g.Link == nil) == (w.Link == nil) && (g.Link == nil || *g.Link == *w.Link) &&
			sameJSON(g.Before, w.Before) && sameJSON(g.After, w.After)
	}
	if !ok {
		var gs, ws []string
		for _, r := range got {
			gs = append(gs, revisionString(r))
		}
		for _, r := range want {
			ws = append(ws, revisionString(r))
		}
		t.Errorf("%s:\n got  %s\n want %s", what, strings.Join(gs, "\n      "), strings.Join(ws, "\n      "))
	}
}

// v2Batch is the sample with one claim's text changed and one new link.
func v2Batch() *graph.Batch {
	b := SampleBatch()
	b.Note = "second import"
	nodeOf(b, "c-pier-unsafe").(*graph.Claim).Text = "The Café Pier is unsafe at night"
	b.Links = append(b.Links, graph.Link{From: "f-incidents-cited", To: "c-ferry-safe", Relation: graph.RelSupports, Note: "the article repeats the figure"})
	return b
}

func testHistoryCounts(t *testing.T, o Opener) {
	s := o.Open(t)
	r1 := apply(t, s, SampleBatch())
	if r1.Rev == 0 || r1.Rev != r1.At.UnixNano() {
		t.Errorf("first import: Rev %d, At %v; want Rev = At in ns, not 0", r1.Rev, r1.At)
	}
	// 20 nodes created; 3 links, each linked on both ends.
	if n := len(r1.Revisions); n != 20+2*3 {
		t.Errorf("first import recorded %d revisions, want 26", n)
	}
	if r1.Base != 0 {
		t.Errorf("first import: Base %d, want 0 (an empty store)", r1.Base)
	}
	r2 := apply(t, s, v2Batch())
	if r2.Rev <= r1.Rev || r2.Rev != r2.At.UnixNano() {
		t.Errorf("second import: Rev %d after %d", r2.Rev, r1.Rev)
	}
	if r2.Base != r1.Rev {
		t.Errorf("second import: Base %d, want the first's Rev %d", r2.Base, r1.Rev)
	}
	if r3 := apply(t, s, v2Batch()); r3.Rev != 0 || r3.Base != r2.Rev {
		t.Errorf("the second import again: Rev %d, Base %d; want 0 (nothing changed) and the second's Rev %d", r3.Rev, r3.Base, r2.Rev)
	}
	v1Claim := mustJSON(nodeOf(SampleBatch(), "c-pier-unsafe"))
	v2Claim := mustJSON(nodeOf(v2Batch(), "c-pier-unsafe"))
	link := graph.Link{From: "f-incidents-cited", To: "c-ferry-safe", Relation: graph.RelSupports,
		Note: "the article repeats the figure", By: "graphtest", At: graph.FormatLinkTime(r2.At)}
	stamp := func(r graph.Revision) graph.Revision {
		r.Rev, r.At, r.By, r.Note = r2.Rev, r2.At, "graphtest", "second import"
		return r
	}
	want := []graph.Revision{
		stamp(graph.Revision{Change: graph.ChangeUpdated, Key: "c-pier-unsafe", Before: v1Claim, After: v2Claim}),
		stamp(graph.Revision{Change: graph.ChangeLinked, Key: "f-incidents-cited", Link: &link, After: mustJSON(link)}),
		stamp(graph.Revision{Change: graph.ChangeLinked, Key: "c-ferry-safe", Link: &link, After: mustJSON(link)}),
	}
	sameRevisions(t, "revisions of the second import", r2.Revisions, want)

	h := history(t, s, "c-pier-unsafe")
	sameRevisions(t, "History(c-pier-unsafe)", h, []graph.Revision{
		{Rev: r1.Rev, At: r1.At, By: "graphtest", Note: "sample story", Change: graph.ChangeCreated, Key: "c-pier-unsafe", After: v1Claim},
		want[0],
	})
	h = history(t, s, "p-brook")
	sameRevisions(t, "History(p-brook)", h, []graph.Revision{
		{Rev: r1.Rev, At: r1.At, By: "graphtest", Note: "sample story", Change: graph.ChangeCreated, Key: "p-brook",
			After: mustJSON(nodeOf(SampleBatch(), "p-brook"))},
	})
	for _, c := range []struct {
		key  string
		want []string
	}{
		{"f-incidents-cited", []string{"created", "linked " + link.ID().String()}},
		{"c-ferry-safe", []string{"created", "linked f-incidents -supports-> c-ferry-safe",
			"linked f-complaints -contradicts-> c-ferry-safe", "linked " + link.ID().String()}},
		{"q-dhs", []string{"created", "linked q-cafe -responds_to-> q-dhs"}},
	} {
		if got := changes(history(t, s, c.key)); !slices.Equal(got, c.want) {
			t.Errorf("History(%s) = %q, want %q", c.key, got, c.want)
		}
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		if _, err := r.History(ctx, "p-nobody"); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("History(p-nobody) = %v, want ErrNotFound", err)
		}
		revs, err := r.Revisions(ctx, []string{"c-pier-unsafe", "p-brook", "c-ferry-safe", "p-nobody"})
		if err != nil {
			return err
		}
		wantRevs := map[string]int64{"c-pier-unsafe": r2.Rev, "p-brook": r1.Rev, "c-ferry-safe": r2.Rev}
		if fmt.Sprint(revs) != fmt.Sprint(wantRevs) {
			t.Errorf("Revisions = %v, want %v", revs, wantRevs)
		}
		es, err := r.Edges(ctx, graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Relations: []graph.Relation{graph.RelSupports}})
		if err != nil {
			return err
		}
		sameEdges(t, "supports into c-ferry-safe", es, []graph.Edge{
			linkEdge(SampleBatch().Links[0], ""),
			{From: link.From, To: link.To, Relation: link.Relation, Note: link.Note, By: link.By, At: link.At},
		})
		return nil
	})

	// The same batch again changes nothing and records nothing.
	r3 := apply(t, s, v2Batch())
	if r3.Rev != 0 || len(r3.Revisions) != 0 || !r3.At.Equal(r2.At) {
		t.Errorf("re-import: Rev %d, %d revisions, At %v; want 0, 0, the last commit %v", r3.Rev, len(r3.Revisions), r3.At, r2.At)
	}
	if n := len(history(t, s, "c-ferry-safe")); n != 4 {
		t.Errorf("History(c-ferry-safe) after a re-import has %d revisions, want 4", n)
	}
}

// probe reads everything a Reader answers about the sample's keys (nodes,
// edges, lists, stats, indexes, search, history, retractions, merges) as
// text, so that two states can be compared.
func probe(ctx context.Context, r graph.Reader) (string, error) {
	var b strings.Builder
	var all []string
	for _, k := range graph.Kinds {
		keys, err := listAll(ctx, r, k, 3)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "list %v %q\n", k, keys)
		all = append(all, keys...)
	}
	for _, n := range SampleBatch().Nodes {
		all = append(all, n.NodeKey())
	}
	all = append(all, "p-dup", "c-new", "q-new")
	slices.Sort(all)
	all = slices.Compact(all)
	nodes, err := r.Nodes(ctx, all)
	if err != nil {
		return "", err
	}
	kinds, err := r.Kinds(ctx, all)
	if err != nil {
		return "", err
	}
	revs, err := r.Revisions(ctx, all)
	if err != nil {
		return "", err
	}
	rts, err := r.Retractions(ctx, all)
	if err != nil {
		return "", err
	}
	res, err := r.Resolve(ctx, all)
	if err != nil {
		return "", err
	}
	for i, k := range all {
		fmt.Fprintf(&b, "node %s %v %s rev=%d resolve=%q", k, kinds[k], nodeJSON(nodes[i]), revs[k], res[k])
		if rt, ok := rts[k]; ok {
			fmt.Fprintf(&b, " retracted=%s/%s/%s", rt.At.UTC().Format(time.RFC3339Nano), rt.By, rt.Reason)
		}
		b.WriteByte('\n')
		for _, dir := range []graph.Direction{graph.Out, graph.In} {
			es, err := r.Edges(ctx, graph.EdgeQuery{Key: k, Dir: dir})
			if err != nil {
				return "", err
			}
			n, err := r.CountEdges(ctx, graph.EdgeQuery{Key: k, Dir: dir})
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "  edges %v %d %q\n", dir, n, edgeStrings(es))
		}
		h, err := r.History(ctx, k)
		if err != nil && !errors.Is(err, graph.ErrNotFound) {
			return "", err
		}
		for _, rv := range h {
			fmt.Fprintf(&b, "  rev %s\n", revisionString(rv))
		}
	}
	st, err := r.Stats(ctx)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "stats links=%d edges=%d", st.Links, st.Edges)
	for _, k := range graph.Kinds {
		fmt.Fprintf(&b, " %v=%d", k, st.Nodes[k])
	}
	b.WriteByte('\n')
	for _, v := range []string{"DHS", "Pepe Álvarez", "José Álvarez", "Joe Alvarez", "Nina Brook", "N. Brook", "Harbour Board"} {
		keys, err := r.Lookup(ctx, graph.IndexName, v)
		if err != nil {
			return "", err
		}
		slices.Sort(keys)
		fmt.Fprintf(&b, "name %q %q\n", v, keys)
	}
	for _, v := range []string{"https://dhs.example/reports/2026-02", "https://dhs.example/reports/2026-02-v2", "https://chirp.example/alvarez/1"} {
		keys, err := r.Lookup(ctx, graph.IndexURL, v)
		if err != nil {
			return "", err
		}
		slices.Sort(keys)
		fmt.Fprintf(&b, "url %q %q\n", v, keys)
	}
	for _, idx := range []graph.Index{graph.IndexSaidAt, graph.IndexPublishedAt} {
		var keys []string
		after := ""
		for range 100 {
			p, err := r.Range(ctx, idx, day(2025, 1, 1), day(2027, 1, 1), after, 2)
			if err != nil {
				return "", err
			}
			keys = append(keys, p.Keys...)
			fmt.Fprintf(&b, "range %s total=%d\n", idx, p.Total)
			if !p.More {
				break
			}
			after = p.Keys[len(p.Keys)-1]
		}
		fmt.Fprintf(&b, "range %s %q\n", idx, keys)
	}
	for _, q := range []string{"night ferry", "don't see", "ferry stops", "less safe", "harbour"} {
		p, err := r.QuotesMatching(ctx, q, "", 10)
		if err != nil {
			return "", err
		}
		keys := slices.Clone(p.Keys)
		slices.Sort(keys)
		fmt.Fprintf(&b, "whoSaid %q %q total=%d\n", q, keys, p.Total)
	}
	return b.String(), nil
}

func probeView(t *testing.T, s graph.Store) string {
	t.Helper()
	var out string
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		var err error
		out, err = probe(ctx, r)
		return err
	})
	return out
}

func probeAt(t *testing.T, s graph.Store, at time.Time) string {
	t.Helper()
	var out string
	viewAt(t, s, at, func(ctx context.Context, r graph.Reader) error {
		var err error
		out, err = probe(ctx, r)
		return err
	})
	return out
}

// firstDiff shows where two probes part.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, x, y)
		}
	}
	return "no difference"
}

// asOfSteps are the commits of testAsOf: every kind of write.
func asOfSteps() []struct {
	name  string
	batch *graph.Batch
} {
	v3 := v2Batch()
	v3.Note = "third import"
	q := nodeOf(v3, "q-post").(*graph.Quote)
	q.Text, q.SaidAt = "The night ferry stops in May", "2026-04-01"
	nodeOf(v3, "p-brook").(*graph.Person).Aliases = []string{"Harbour Board"}
	src := nodeOf(v3, "s-report").(*graph.Source)
	src.URL, src.PublishedAt = "https://dhs.example/reports/2026-02-v2", "2026-02-25"
	v3.Nodes = append(v3.Nodes, &graph.Person{Key: "p-dup", Name: "Joe Alvarez", Aliases: []string{"J. Alvarez"},
		Affiliations: []graph.Affiliation{{Organisation: "o-gazette", Role: "columnist"}}})
	v3.Links = append(v3.Links, graph.Link{From: "c-pier-unsafe", To: "p-dup", Relation: graph.RelContext})
	return []struct {
		name  string
		batch *graph.Batch
	}{
		{"v1", SampleBatch()},
		{"v2", v2Batch()},
		{"v3", v3},
		{"unlink", &graph.Batch{By: "curator:ana", Unlinks: []graph.LinkID{{From: "q-cafe", Relation: graph.RelRespondsTo, To: "q-dhs"}}}},
		{"retract", &graph.Batch{By: "curator:ben", Note: "checked", Retracts: []graph.Retract{
			{Key: "q-cafe", Reason: "not the speaker's words"},
			{Link: &graph.LinkID{From: "f-incidents", Relation: graph.RelSupports, To: "c-ferry-safe"}, Reason: "wrong month"},
		}}},
		{"merge", &graph.Batch{By: "curator:ana", Merges: []graph.Merge{{Keys: []string{"p-dup"}, Into: "p-alvarez"}}}},
		{"after merge", &graph.Batch{By: "curator:ana", Nodes: []graph.Node{
			&graph.Quote{Key: "q-new", Text: "the harbour stays open", Speaker: "p-dup", Source: "s-post"}}}},
	}
}

// testAsOf checks that a view as of any instant answers exactly what a view
// taken right after the last commit before it answered: at each commit's
// instant, one nanosecond before the next, and before the first (empty).
func testAsOf(t *testing.T, o Opener) {
	s := o.Open(t)
	empty := probeView(t, s)
	var ats []time.Time
	var probes []string
	for _, step := range asOfSteps() {
		res := apply(t, s, step.batch)
		if res.Rev == 0 {
			t.Fatalf("step %s changed nothing", step.name)
		}
		ats = append(ats, res.At)
		probes = append(probes, probeView(t, s))
	}
	if got := probeAt(t, s, ats[0].Add(-time.Nanosecond)); got != empty {
		t.Errorf("asOf before the first commit: %s", firstDiff(got, empty))
	}
	if got := probeAt(t, s, time.Time{}); got != empty {
		t.Errorf("asOf the zero time: %s", firstDiff(got, empty))
	}
	steps := asOfSteps()
	check := func(s graph.Store) {
		for i, at := range ats {
			if got := probeAt(t, s, at); got != probes[i] {
				t.Errorf("asOf the commit of %s: %s", steps[i].name, firstDiff(got, probes[i]))
			}
			if i+1 < len(ats) {
				if got := probeAt(t, s, ats[i+1].Add(-time.Nanosecond)); got != probes[i] {
					t.Errorf("asOf just before the commit after %s: %s", steps[i].name, firstDiff(got, probes[i]))
				}
			}
		}
		if got := probeAt(t, s, ats[len(ats)-1].Add(time.Hour)); got != probes[len(probes)-1] {
			t.Errorf("asOf an hour after the last commit: %s", firstDiff(got, probes[len(probes)-1]))
		}
	}
	check(s)
	// The first step's instant, spelled in another zone, is the same instant.
	if got := probeAt(t, s, ats[0].In(time.FixedZone("UTC-5", -5*3600))); got != probes[0] {
		t.Errorf("asOf the first commit in another zone: %s", firstDiff(got, probes[0]))
	}
	if o.Reopen != nil {
		s = o.Reopen(t, s)
		check(s)
	}
}

func testAsOfManyRevisions(t *testing.T, o Opener) {
	s := loaded(t, o)
	const n = 60
	ats := make([]time.Time, n)
	text := func(i int) string { return fmt.Sprintf("Ferry fares rise, version %d", i) }
	for i := range n {
		res := apply(t, s, &graph.Batch{By: fmt.Sprintf("editor-%d", i%3), Note: fmt.Sprintf("edit %d", i),
			Nodes: []graph.Node{&graph.Claim{Key: "c-fares", Text: text(i), Topics: []string{"fares"}}}})
		if len(res.Revisions) != 1 {
			t.Fatalf("edit %d recorded %d revisions", i, len(res.Revisions))
		}
		ats[i] = res.At
	}
	textAt := func(at time.Time) (string, int) {
		var got string
		var revs int
		viewAt(t, s, at, func(ctx context.Context, r graph.Reader) error {
			nd, err := r.Node(ctx, "c-fares")
			if errors.Is(err, graph.ErrNotFound) {
				got = "<none>"
				_, err := r.History(ctx, "c-fares")
				if !errors.Is(err, graph.ErrNotFound) {
					t.Errorf("History(c-fares) before it existed = %v, want ErrNotFound", err)
				}
				return nil
			}
			if err != nil {
				return err
			}
			got = nd.(*graph.Claim).Text
			h, err := r.History(ctx, "c-fares")
			revs = len(h)
			return err
		})
		return got, revs
	}
	if got, _ := textAt(ats[0].Add(-time.Nanosecond)); got != "<none>" {
		t.Errorf("before its creation c-fares reads %q", got)
	}
	for i := range n {
		if got, revs := textAt(ats[i]); got != text(i) || revs != i+1 {
			t.Errorf("asOf edit %d: %q with %d revisions, want %q with %d", i, got, revs, text(i), i+1)
		}
		if i > 0 {
			if got, revs := textAt(ats[i].Add(-time.Nanosecond)); got != text(i-1) || revs != i {
				t.Errorf("just before edit %d: %q with %d revisions, want %q with %d", i, got, revs, text(i-1), i)
			}
		}
	}
	h := history(t, s, "c-fares")
	if len(h) != n {
		t.Fatalf("History(c-fares) has %d revisions, want %d", len(h), n)
	}
	for i, r := range h {
		wantChange := graph.ChangeUpdated
		if i == 0 {
			wantChange = graph.ChangeCreated
		}
		if r.Change != wantChange || r.Rev != ats[i].UnixNano() || !r.At.Equal(ats[i]) ||
			r.By != fmt.Sprintf("editor-%d", i%3) || r.Note != fmt.Sprintf("edit %d", i) {
			t.Errorf("revision %d: %s", i, revisionString(r))
		}
		var after, before graph.Claim
		if err := json.Unmarshal(r.After, &after); err != nil || after.Text != text(i) {
			t.Errorf("revision %d After = %s", i, r.After)
		}
		if i > 0 {
			if err := json.Unmarshal(r.Before, &before); err != nil || before.Text != text(i-1) {
				t.Errorf("revision %d Before = %s", i, r.Before)
			}
		} else if r.Before != nil {
			t.Errorf("created revision has Before %s", r.Before)
		}
	}
}

// wantProblem applies a batch that must fail validation with the code, and
// checks that it wrote nothing.
func wantProblem(t *testing.T, s graph.Store, what string, b *graph.Batch, code string) {
	t.Helper()
	before := probeView(t, s)
	_, err := s.Apply(t.Context(), b)
	var ve *graph.ValidationError
	if !errors.Is(err, graph.ErrInvalid) || !errors.As(err, &ve) {
		t.Errorf("%s: Apply = %v, want a *ValidationError", what, err)
		return
	}
	found := false
	for _, p := range ve.Problems {
		found = found || p.Code == code
	}
	if !found {
		t.Errorf("%s: problems %v lack code %s", what, ve.Problems, code)
	}
	if after := probeView(t, s); after != before {
		t.Errorf("%s: a refused batch changed the store: %s", what, firstDiff(after, before))
	}
}

func edgesOfKey(t *testing.T, s graph.Store, q graph.EdgeQuery) []graph.Edge {
	t.Helper()
	var es []graph.Edge
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		var err error
		es, err = r.Edges(ctx, q)
		return err
	})
	return es
}

func testUnlink(t *testing.T, o Opener) {
	s := loaded(t, o)
	link := SampleBatch().Links[2] // q-cafe responds_to q-dhs
	id := link.ID()
	before := takeSnapshot(t, s)
	res := apply(t, s, &graph.Batch{By: "curator:ana", Note: "not an answer", Unlinks: []graph.LinkID{id}})
	if res.Rev == 0 {
		t.Fatal("unlink changed nothing")
	}
	stored := graph.Link{From: link.From, To: link.To, Relation: link.Relation, Note: link.Note, By: "graphtest"}
	if len(res.Revisions) != 2 {
		t.Fatalf("unlink recorded %d revisions, want 2", len(res.Revisions))
	}
	for i, key := range []string{"q-cafe", "q-dhs"} {
		r := res.Revisions[i]
		if r.Change != graph.ChangeUnlinked || r.Key != key || r.Link == nil || r.Link.ID() != id || r.After != nil ||
			r.By != "curator:ana" || r.Note != "not an answer" {
			t.Errorf("unlink revision %d: %s", i, revisionString(r))
			continue
		}
		var l graph.Link
		if err := json.Unmarshal(r.Before, &l); err != nil || l.Note != stored.Note || l.By != stored.By || l.At == "" {
			t.Errorf("unlink revision Before = %s", r.Before)
		}
		if h := history(t, s, key); len(h) == 0 || h[len(h)-1].Change != graph.ChangeUnlinked {
			t.Errorf("History(%s) does not end with the unlink: %q", key, changes(h))
		}
	}
	for _, q := range []graph.EdgeQuery{
		{Key: "q-cafe", Dir: graph.Out, Relations: rels(graph.RelRespondsTo)},
		{Key: "q-dhs", Dir: graph.In, Relations: rels(graph.RelRespondsTo)},
	} {
		if es := edgesOfKey(t, s, q); len(es) != 0 {
			t.Errorf("Edges(%+v) after unlink = %q", q, edgeStrings(es))
		}
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		if st.Links != 2 || st.Edges != before.Stats.Edges-1 {
			t.Errorf("Stats after unlink: %+v, want 2 links and %d edges", st, before.Stats.Edges-1)
		}
		return nil
	})
	// As of before the unlink, the link is there.
	viewAt(t, s, res.At.Add(-time.Nanosecond), func(ctx context.Context, r graph.Reader) error {
		es, err := r.Edges(ctx, graph.EdgeQuery{Key: "q-dhs", Dir: graph.In, Relations: rels(graph.RelRespondsTo)})
		if err != nil {
			return err
		}
		if len(es) != 1 {
			t.Errorf("asOf before the unlink: %q", edgeStrings(es))
		}
		return nil
	})
	wantProblem(t, s, "unlink twice", &graph.Batch{Unlinks: []graph.LinkID{id}}, graph.CodeUnknownLink)
	wantProblem(t, s, "unlink of a field", &graph.Batch{Unlinks: []graph.LinkID{{From: "q-dhs", Relation: graph.RelSpeaker, To: "o-dhs"}}}, graph.CodeEnum)
	wantProblem(t, s, "unlink of unknown node", &graph.Batch{Unlinks: []graph.LinkID{{From: "q-ghost", Relation: graph.RelSupports, To: "c-ferry-safe"}}}, graph.CodeUnknownLink)
	sup := SampleBatch().Links[0]
	wantProblem(t, s, "write and unlink", &graph.Batch{Links: []graph.Link{sup}, Unlinks: []graph.LinkID{sup.ID()}}, graph.CodeConflicting)
	wantProblem(t, s, "unlink, with a bad record", &graph.Batch{
		Nodes:   []graph.Node{&graph.Quote{Key: "q-bad", Text: "x", Source: "s-ghost"}},
		Unlinks: []graph.LinkID{sup.ID()}}, graph.CodeDangling)
}

func testRetract(t *testing.T, o Opener) {
	s := loaded(t, o)
	supID := SampleBatch().Links[0].ID()
	res := apply(t, s, &graph.Batch{By: "curator:ben", Retracts: []graph.Retract{
		{Key: "q-cafe", Reason: "not the speaker's words"},
		{Link: &supID, Reason: "wrong month"},
	}})
	if res.Rev == 0 || len(res.Revisions) != 3 {
		t.Fatalf("retract: Rev %d, %d revisions; want 3 (the node, both ends of the link)", res.Rev, len(res.Revisions))
	}
	want := graph.Retraction{At: res.At, By: "curator:ben", Reason: "not the speaker's words"}
	r0 := res.Revisions[0]
	if r0.Change != graph.ChangeRetracted || r0.Key != "q-cafe" || r0.Link != nil || r0.Note != want.Reason ||
		!sameJSON(r0.Before, mustJSON(nodeOf(SampleBatch(), "q-cafe"))) {
		t.Errorf("node retraction revision: %s", revisionString(r0))
	}
	var after struct {
		Key       string           `json:"key"`
		Retracted graph.Retraction `json:"retracted"`
	}
	if err := json.Unmarshal(r0.After, &after); err != nil || after.Key != "q-cafe" || after.Retracted.Reason != want.Reason ||
		!after.Retracted.At.Equal(res.At) || after.Retracted.By != "curator:ben" {
		t.Errorf("node retraction After = %s (%v)", r0.After, err)
	}
	for i, key := range []string{"f-incidents", "c-ferry-safe"} {
		r := res.Revisions[1+i]
		if r.Change != graph.ChangeRetracted || r.Key != key || r.Link == nil || r.Link.ID() != supID || !strings.Contains(string(r.After), `"wrong month"`) {
			t.Errorf("link retraction revision on %s: %s", key, revisionString(r))
		}
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		if _, err := r.Node(ctx, "q-cafe"); err != nil {
			t.Errorf("a retracted node is not readable: %v", err)
		}
		rts, err := r.Retractions(ctx, []string{"q-cafe", "q-dhs", "p-nobody"})
		if err != nil {
			return err
		}
		if len(rts) != 1 || !rts["q-cafe"].At.Equal(want.At) || rts["q-cafe"].By != want.By || rts["q-cafe"].Reason != want.Reason {
			t.Errorf("Retractions = %+v, want q-cafe %+v", rts, want)
		}
		for _, q := range []graph.EdgeQuery{
			{Key: "f-incidents", Dir: graph.Out, Relations: rels(graph.RelSupports)},
			{Key: "c-ferry-safe", Dir: graph.In, Relations: rels(graph.RelSupports)},
		} {
			es, err := r.Edges(ctx, q)
			if err != nil {
				return err
			}
			if len(es) != 1 || es[0].Retracted == nil || es[0].Retracted.Reason != "wrong month" ||
				!es[0].Retracted.At.Equal(res.At) || es[0].Retracted.By != "curator:ben" || es[0].Note != "harbour statistics" {
				t.Errorf("Edges(%+v) = %+v, want the link with its retraction", q, es)
			}
		}
		es, err := r.Edges(ctx, graph.EdgeQuery{Key: "f-complaints", Dir: graph.Out, Relations: rels(graph.RelContradicts)})
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Retracted != nil {
			t.Errorf("an untouched link: %+v", es)
		}
		st, err := r.Stats(ctx)
		if err != nil {
			return err
		}
		if st.Links != 3 {
			t.Errorf("Stats.Links = %d after a retraction, want 3 (retracted links stay)", st.Links)
		}
		return nil
	})
	viewAt(t, s, res.At.Add(-time.Nanosecond), func(ctx context.Context, r graph.Reader) error {
		rts, err := r.Retractions(ctx, []string{"q-cafe"})
		if err != nil {
			return err
		}
		es, err := r.Edges(ctx, graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Relations: rels(graph.RelSupports)})
		if err != nil {
			return err
		}
		if len(rts) != 0 || len(es) != 1 || es[0].Retracted != nil {
			t.Errorf("asOf before the retraction: %v, %+v", rts, es)
		}
		return nil
	})

	// Retracting again, or re-importing the retracted records, changes
	// nothing; a changed note keeps the retraction.
	again := apply(t, s, &graph.Batch{By: "curator:ana", Retracts: []graph.Retract{{Key: "q-cafe", Reason: "again"}, {Link: &supID, Reason: "again"}}})
	if again.Rev != 0 || len(again.Revisions) != 0 {
		t.Errorf("retracting twice: Rev %d, %d revisions", again.Rev, len(again.Revisions))
	}
	if re := apply(t, s, SampleBatch()); re.Rev != 0 {
		t.Errorf("re-importing after a retraction committed %d revisions", len(re.Revisions))
	}
	sup := SampleBatch().Links[0]
	sup.Note = "monthly statistics"
	apply(t, s, &graph.Batch{Links: []graph.Link{sup}})
	es := edgesOfKey(t, s, graph.EdgeQuery{Key: "c-ferry-safe", Dir: graph.In, Relations: rels(graph.RelSupports)})
	if len(es) != 1 || es[0].Note != "monthly statistics" || es[0].Retracted == nil {
		t.Errorf("a retracted link written again: %+v", es)
	}

	// A link written and retracted by one batch; a node created and
	// retracted by one batch.
	newLink := graph.Link{From: "f-incidents-cited", To: "c-ferry-safe", Relation: graph.RelSupports}
	nl := newLink.ID()
	res = apply(t, s, &graph.Batch{By: "curator:ben",
		Nodes:    []graph.Node{&graph.Claim{Key: "c-new", Text: "Retracted at birth"}},
		Links:    []graph.Link{newLink},
		Retracts: []graph.Retract{{Link: &nl, Reason: "duplicate evidence"}, {Key: "c-new", Reason: "test"}}})
	if got := changes(res.Revisions); !slices.Equal(got, []string{"created", "linked " + nl.String(), "linked " + nl.String(),
		"retracted " + nl.String(), "retracted " + nl.String(), "retracted"}) {
		t.Errorf("write and retract in one batch recorded %q", got)
	}
	es = edgesOfKey(t, s, graph.EdgeQuery{Key: "f-incidents-cited", Dir: graph.Out, Relations: rels(graph.RelSupports)})
	if len(es) != 1 || es[0].Retracted == nil || es[0].Retracted.Reason != "duplicate evidence" {
		t.Errorf("a link written and retracted by one batch: %+v", es)
	}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		rts, err := r.Retractions(ctx, []string{"c-new"})
		if err == nil && rts["c-new"].Reason != "test" {
			t.Errorf("Retractions(c-new) = %v", rts)
		}
		return err
	})

	wantProblem(t, s, "no reason", &graph.Batch{Retracts: []graph.Retract{{Key: "q-dhs"}}}, graph.CodeRequired)
	wantProblem(t, s, "nothing named", &graph.Batch{Retracts: []graph.Retract{{Reason: "x"}}}, graph.CodeRequired)
	wantProblem(t, s, "unknown node", &graph.Batch{Retracts: []graph.Retract{{Key: "q-ghost", Reason: "x"}}}, graph.CodeDangling)
	wantProblem(t, s, "unknown link", &graph.Batch{Retracts: []graph.Retract{{Link: &graph.LinkID{From: "q-dhs", Relation: graph.RelSupports, To: "c-ferry-safe"}, Reason: "x"}}}, graph.CodeUnknownLink)
	wantProblem(t, s, "unlink and retract", &graph.Batch{Unlinks: []graph.LinkID{supID}, Retracts: []graph.Retract{{Link: &supID, Reason: "x"}}}, graph.CodeConflicting)
}

// mergeBatch adds a duplicate of p-alvarez with a quote, a claim about
// both, links to and from it, and a same_as link between the two.
func mergeBatch() *graph.Batch {
	return &graph.Batch{By: "graphtest", Note: "duplicates",
		Nodes: []graph.Node{
			&graph.Person{Key: "p-dup", Name: "Joe Alvarez", Aliases: []string{"José Álvarez", "J. A."},
				Description: "mayor", IDs: map[string]string{"wikidata": "Q1", "viaf": "V1"},
				Affiliations: []graph.Affiliation{{Organisation: "o-gazette", Role: "columnist"}, {Organisation: "o-council", Role: "mayor", From: "2024-01-01"}}},
			&graph.Quote{Key: "q-dup", Text: "the ferry is safe", Speaker: "p-dup", Source: "s-post"},
			&graph.Claim{Key: "c-both", Text: "Both are the mayor", About: []string{"p-alvarez", "p-dup"}},
		},
		Links: []graph.Link{
			{From: "p-dup", To: "p-alvarez", Relation: graph.RelSameAs},
			{From: "c-pier-unsafe", To: "p-dup", Relation: graph.RelContext, Note: "mentions him"},
			{From: "p-dup", To: "c-ferry-safe", Relation: graph.RelContext},
			{From: "c-pier-unsafe", To: "p-alvarez", Relation: graph.RelContext, Note: "mentions him"},
		},
	}
}

// checkEdgeSymmetry checks that every edge is stored in both directions
// and that Stats counts them.
func checkEdgeSymmetry(t *testing.T, s graph.Store) {
	t.Helper()
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		out, in := map[string]int{}, map[string]int{}
		total := 0
		for _, k := range graph.Kinds {
			keys, err := listAll(ctx, r, k, 100)
			if err != nil {
				return err
			}
			for _, key := range keys {
				for _, dir := range []graph.Direction{graph.Out, graph.In} {
					es, err := r.Edges(ctx, graph.EdgeQuery{Key: key, Dir: dir})
					if err != nil {
						return err
					}
					for _, e := range es {
						if (dir == graph.Out && e.From != key) || (dir == graph.In && e.To != key) {
							t.Errorf("Edges(%s, %v) holds %s", key, dir, edgeString(e))
						}
						if dir == graph.Out {
							out[edgeString(e)]++
							total++
						} else {
							in[edgeString(e)]++
						}
					}
				}
			}
		}
		if fmt.Sprint(out) != fmt.Sprint(in) {
			t.Errorf("edges differ by direction:\n out %v\n in  %v", out, in)
		}
		st, err := r.Stats(ctx)
		if err == nil && st.Edges != total {
			t.Errorf("Stats.Edges = %d, the nodes have %d", st.Edges, total)
		}
		return err
	})
}

func testMerge(t *testing.T, o Opener) {
	s := loaded(t, o)
	apply(t, s, mergeBatch())
	before := apply(t, s, &graph.Batch{}) // no commit: At is the last commit
	res := apply(t, s, &graph.Batch{By: "curator:ana", Note: "same person", Merges: []graph.Merge{{Keys: []string{"p-dup"}, Into: "p-alvarez"}}})
	if got := changes(res.Revisions); !slices.Equal(got, []string{"merged", "merged"}) || res.Revisions[0].Key != "p-dup" || res.Revisions[1].Key != "p-alvarez" {
		t.Errorf("merge recorded %q", got)
	}
	merged := &graph.Person{Key: "p-alvarez", Name: "José Álvarez", Aliases: []string{"Pepe Álvarez", "Joe Alvarez", "J. A."},
		Description: "mayor of Port Alder", IDs: map[string]string{"wikidata": "Q99999901", "viaf": "V1"},
		Affiliations: []graph.Affiliation{{Organisation: "o-council", Role: "mayor", From: "2024-01-01"}, {Organisation: "o-gazette", Role: "columnist"}}}
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		for _, k := range []string{"p-dup", "p-alvarez"} {
			n, err := r.Node(ctx, k)
			if err != nil {
				return err
			}
			if nodeJSON(n) != nodeJSON(merged) {
				t.Errorf("Node(%s) after merge = %s, want %s", k, nodeJSON(n), nodeJSON(merged))
			}
		}
		res, err := r.Resolve(ctx, []string{"p-dup", "p-alvarez", "q-dup", "p-nobody"})
		if err != nil {
			return err
		}
		if fmt.Sprint(res) != fmt.Sprint(map[string]string{"p-dup": "p-alvarez", "p-alvarez": "p-alvarez", "q-dup": "q-dup"}) {
			t.Errorf("Resolve = %v", res)
		}
		kinds, err := r.Kinds(ctx, []string{"p-dup"})
		if err != nil || kinds["p-dup"] != graph.KindPerson {
			t.Errorf("Kinds(p-dup) = %v, %v", kinds, err)
		}
		people, err := listAll(ctx, r, graph.KindPerson, 10)
		if err != nil {
			return err
		}
		sameKeys(t, "people after merge", people, []string{"p-alvarez", "p-brook", "p-okafor"})
		for _, name := range []string{"Joe Alvarez", "J. A.", "José Álvarez"} {
			keys, err := r.Lookup(ctx, graph.IndexName, name)
			if err != nil {
				return err
			}
			sameKeys(t, "Lookup("+name+")", keys, []string{"p-alvarez"})
		}
		q, err := r.Node(ctx, "q-dup")
		if err != nil {
			return err
		}
		if q.(*graph.Quote).Speaker != "p-dup" {
			t.Errorf("a record referring to a merged key changed: %s", nodeJSON(q))
		}
		return nil
	})
	for _, c := range []struct {
		q    graph.EdgeQuery
		want []graph.Edge
	}{
		{graph.EdgeQuery{Key: "p-alvarez", Dir: graph.In, Relations: rels(graph.RelSpeaker)}, []graph.Edge{
			{From: "q-post", To: "p-alvarez", Relation: graph.RelSpeaker, Qualifier: "wrote"}, {From: "q-dup", To: "p-alvarez", Relation: graph.RelSpeaker}}},
		{graph.EdgeQuery{Key: "q-dup", Dir: graph.Out, Relations: rels(graph.RelSpeaker)}, []graph.Edge{
			{From: "q-dup", To: "p-alvarez", Relation: graph.RelSpeaker}}},
		{graph.EdgeQuery{Key: "c-both", Dir: graph.Out}, []graph.Edge{{From: "c-both", To: "p-alvarez", Relation: graph.RelAbout}}},
		{graph.EdgeQuery{Key: "p-alvarez", Dir: graph.Out}, []graph.Edge{
			{From: "p-alvarez", To: "o-council", Relation: graph.RelAffiliation, Qualifier: "mayor"},
			{From: "p-alvarez", To: "o-gazette", Relation: graph.RelAffiliation, Qualifier: "columnist"},
			linkEdge(graph.Link{From: "p-alvarez", To: "c-ferry-safe", Relation: graph.RelContext}, "graphtest")}},
		{graph.EdgeQuery{Key: "p-alvarez", Dir: graph.In, Relations: rels(graph.RelContext, graph.RelSameAs)}, []graph.Edge{
			linkEdge(graph.Link{From: "c-pier-unsafe", To: "p-alvarez", Relation: graph.RelContext, Note: "mentions him"}, "graphtest")}},
		{graph.EdgeQuery{Key: "p-dup", Dir: graph.In, Relations: rels(graph.RelSpeaker)}, []graph.Edge{
			{From: "q-post", To: "p-alvarez", Relation: graph.RelSpeaker, Qualifier: "wrote"}, {From: "q-dup", To: "p-alvarez", Relation: graph.RelSpeaker}}},
	} {
		sameEdges(t, fmt.Sprintf("Edges(%+v) after merge", c.q), edgesOfKey(t, s, c.q), c.want)
	}
	checkEdgeSymmetry(t, s)
	hDup := history(t, s, "p-dup")
	if got := changes(hDup); len(got) < 2 || got[0] != "created" || got[len(got)-1] != "merged" {
		t.Errorf("History(p-dup) = %q", got)
	} else if last := hDup[len(hDup)-1]; !sameJSON(last.After, mustJSON(merged)) || last.By != "curator:ana" {
		t.Errorf("merged revision of p-dup: %s", revisionString(last))
	}
	if got := changes(history(t, s, "p-alvarez")); got[len(got)-1] != "merged" {
		t.Errorf("History(p-alvarez) = %q", got)
	}
	viewAt(t, s, before.At, func(ctx context.Context, r graph.Reader) error {
		n, err := r.Node(ctx, "p-dup")
		if err != nil {
			return err
		}
		if n.NodeKey() != "p-dup" {
			t.Errorf("asOf before the merge Node(p-dup) = %s", nodeJSON(n))
		}
		res, err := r.Resolve(ctx, []string{"p-dup"})
		if err == nil && res["p-dup"] != "p-dup" {
			t.Errorf("asOf before the merge Resolve(p-dup) = %v", res)
		}
		return err
	})

	// Writing the merged records again changes nothing; a new reference to
	// the merged key reaches the node it was merged into.
	if again := apply(t, s, mergeBatch()); again.Rev != 0 {
		t.Errorf("re-importing merged records recorded %q", changes(again.Revisions))
	}
	grown := mergeBatch()
	grown.Nodes[0].(*graph.Person).Aliases = append(grown.Nodes[0].(*graph.Person).Aliases, "Mayor Joe")
	grown.Nodes = append(grown.Nodes, &graph.Quote{Key: "q-later", Text: "later words", Speaker: "p-dup", Source: "s-post"})
	r2 := apply(t, s, grown)
	wantCounts(t, "Nodes of a batch with a grown merged record", r2.Nodes, graph.Counts{Added: 1, Changed: 1, Unchanged: 2})
	if got := changes(r2.Revisions); !slices.Equal(got, []string{"created", "updated"}) || r2.Revisions[1].Key != "p-alvarez" {
		t.Errorf("grown merged record recorded %q", got)
	}
	sameEdges(t, "speaker of q-later", edgesOfKey(t, s, graph.EdgeQuery{Key: "q-later", Dir: graph.Out, Relations: rels(graph.RelSpeaker)}),
		[]graph.Edge{{From: "q-later", To: "p-alvarez", Relation: graph.RelSpeaker}})

	// Chains: merging the node into a third resolves the first key there too.
	apply(t, s, &graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-alvarez"}, Into: "p-brook"}}})
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		res, err := r.Resolve(ctx, []string{"p-dup", "p-alvarez"})
		if err != nil {
			return err
		}
		if res["p-dup"] != "p-brook" || res["p-alvarez"] != "p-brook" {
			t.Errorf("Resolve after a chain of merges = %v", res)
		}
		n, err := r.Node(ctx, "p-dup")
		if err == nil && n.NodeKey() != "p-brook" {
			t.Errorf("Node(p-dup) after a chain = %s", nodeJSON(n))
		}
		h, err := r.History(ctx, "p-dup")
		if err == nil && (len(h) != len(hDup)) {
			t.Errorf("History(p-dup) changed with a later merge: %q", changes(h))
		}
		return err
	})
	checkEdgeSymmetry(t, s)

	wantProblem(t, s, "merge a claim", &graph.Batch{Merges: []graph.Merge{{Keys: []string{"c-both"}, Into: "c-pier-unsafe"}}}, graph.CodeWrongKind)
	wantProblem(t, s, "merge across kinds", &graph.Batch{Merges: []graph.Merge{{Keys: []string{"o-chirp"}, Into: "p-brook"}}}, graph.CodeWrongKind)
	wantProblem(t, s, "merge a merged key", &graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-dup"}, Into: "p-okafor"}}}, graph.CodeMerged)
	wantProblem(t, s, "merge into itself", &graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-okafor"}, Into: "p-okafor"}}}, graph.CodeSelfLink)
	wantProblem(t, s, "merge an unknown key", &graph.Batch{Merges: []graph.Merge{{Keys: []string{"p-ghost"}, Into: "p-okafor"}}}, graph.CodeDangling)
	wantProblem(t, s, "merge with other writes", &graph.Batch{Nodes: []graph.Node{&graph.Claim{Key: "c-x", Text: "x"}},
		Merges: []graph.Merge{{Keys: []string{"o-chirp"}, Into: "o-gazette"}}}, graph.CodeConflicting)
}

func testMergeOrganisations(t *testing.T, o Opener) {
	s := loaded(t, o)
	// o-dhs's parent is o-council: merging the council into the agency
	// would make the agency its own parent, so the parent goes.
	apply(t, s, &graph.Batch{Merges: []graph.Merge{{Keys: []string{"o-council"}, Into: "o-dhs"}}})
	read(t, s, func(ctx context.Context, r graph.Reader) error {
		n, err := r.Node(ctx, "o-dhs")
		if err != nil {
			return err
		}
		org := n.(*graph.Organisation)
		if org.Parent != "" || !slices.Contains(org.Aliases, "Port Alder Council") {
			t.Errorf("o-dhs after merging its parent: %s", nodeJSON(n))
		}
		return nil
	})
	sameEdges(t, "affiliations of the merged organisation", edgesOfKey(t, s, graph.EdgeQuery{Key: "o-dhs", Dir: graph.In, Relations: rels(graph.RelAffiliation, graph.RelStatedBy, graph.RelParent)}),
		[]graph.Edge{
			{From: "p-okafor", To: "o-dhs", Relation: graph.RelAffiliation, Qualifier: "inspector"},
			{From: "p-alvarez", To: "o-dhs", Relation: graph.RelAffiliation, Qualifier: "mayor"},
			{From: "f-incidents", To: "o-dhs", Relation: graph.RelStatedBy},
			{From: "f-complaints", To: "o-dhs", Relation: graph.RelStatedBy},
		})
	if es := edgesOfKey(t, s, graph.EdgeQuery{Key: "o-dhs", Dir: graph.Out}); len(es) != 0 {
		t.Errorf("o-dhs keeps out edges %q", edgeStrings(es))
	}
	checkEdgeSymmetry(t, s)
	// A later change of a record that names the merged key keeps its edge.
	b := SampleBatch()
	nodeOf(b, "p-alvarez").(*graph.Person).Description = "mayor, re-elected"
	apply(t, s, b)
	sameEdges(t, "affiliation of p-alvarez after a change", edgesOfKey(t, s, graph.EdgeQuery{Key: "p-alvarez", Dir: graph.Out, Relations: rels(graph.RelAffiliation)}),
		[]graph.Edge{{From: "p-alvarez", To: "o-dhs", Relation: graph.RelAffiliation, Qualifier: "mayor"}})
	checkEdgeSymmetry(t, s)
}

func testExpected(t *testing.T, o Opener) {
	s := loaded(t, o)
	revOf := func(key string) int64 {
		var rev int64
		read(t, s, func(ctx context.Context, r graph.Reader) error {
			revs, err := r.Revisions(ctx, []string{key})
			rev = revs[key]
			return err
		})
		return rev
	}
	claim := func(text string) *graph.Claim {
		return &graph.Claim{Key: "c-pier-unsafe", Text: text, Topics: []string{"safety"}}
	}
	for round := range 5 {
		rev := revOf("c-pier-unsafe")
		if rev == 0 {
			t.Fatal("c-pier-unsafe has no revision")
		}
		n := len(history(t, s, "c-pier-unsafe"))
		var wg sync.WaitGroup
		results := make([]graph.ApplyResult, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = s.Apply(t.Context(), &graph.Batch{By: fmt.Sprintf("writer-%d", i),
					Nodes:    []graph.Node{claim(fmt.Sprintf("round %d, writer %d", round, i))},
					Expected: map[string]int64{"c-pier-unsafe": rev}})
			}()
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			if err == nil {
				if won >= 0 {
					t.Fatalf("round %d: both writers succeeded with the same expected revision", round)
				}
				won = i
			}
		}
		if won < 0 {
			t.Fatalf("round %d: neither writer succeeded: %v; %v", round, errs[0], errs[1])
		}
		lost := errs[1-won]
		var ce *graph.ConflictError
		if !errors.Is(lost, graph.ErrConflict) || !errors.As(lost, &ce) || ce.Key != "c-pier-unsafe" || ce.Expected != rev || ce.Actual != results[won].Rev {
			t.Errorf("round %d: losing writer got %v (%+v), want a ConflictError at revision %d", round, lost, ce, results[won].Rev)
		}
		read(t, s, func(ctx context.Context, r graph.Reader) error {
			n, err := r.Node(ctx, "c-pier-unsafe")
			if err == nil && n.(*graph.Claim).Text != fmt.Sprintf("round %d, writer %d", round, won) {
				t.Errorf("round %d: stored text %q, not the winner's", round, n.(*graph.Claim).Text)
			}
			return err
		})
		if h := history(t, s, "c-pier-unsafe"); len(h) != n+1 || h[len(h)-1].By != fmt.Sprintf("writer-%d", won) {
			t.Errorf("round %d: history grew from %d to %d revisions, want one by the winner", round, n, len(h))
		}
	}

	snap := probeView(t, s)
	rev := revOf("c-pier-unsafe")
	for _, c := range []struct {
		name     string
		expected map[string]int64
	}{
		{"stale", map[string]int64{"c-pier-unsafe": rev - 1}},
		{"0 on an existing key", map[string]int64{"c-pier-unsafe": 0}},
		{"a revision on a missing key", map[string]int64{"c-new": rev}},
		{"one stale of two", map[string]int64{"c-pier-unsafe": rev, "p-brook": 1}},
	} {
		_, err := s.Apply(t.Context(), &graph.Batch{
			Nodes:    []graph.Node{claim("stale write " + c.name), &graph.Claim{Key: "c-new", Text: "new"}},
			Expected: c.expected,
		})
		var ce *graph.ConflictError
		if !errors.Is(err, graph.ErrConflict) || !errors.As(err, &ce) {
			t.Errorf("%s: Apply = %v, want a ConflictError", c.name, err)
		}
		if got := probeView(t, s); got != snap {
			t.Errorf("%s: a conflicting batch wrote: %s", c.name, firstDiff(got, snap))
		}
	}
	res := apply(t, s, &graph.Batch{Nodes: []graph.Node{&graph.Claim{Key: "c-new", Text: "new"}, claim("current")},
		Expected: map[string]int64{"c-new": 0, "c-pier-unsafe": rev}})
	if res.Rev == 0 || revOf("c-new") != res.Rev || revOf("c-pier-unsafe") != res.Rev {
		t.Errorf("expected revisions that match: Rev %d, revisions c-new %d c-pier-unsafe %d", res.Rev, revOf("c-new"), revOf("c-pier-unsafe"))
	}
}

func rels(rs ...graph.Relation) []graph.Relation { return rs }
