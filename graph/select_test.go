package graph

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func ptr(f float64) *float64 { return &f }

func TestValidateSelection(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	keyCursor := SelectCursor{Kind: KindQuote, Order: OrderKey, Key: "q1"}.String()
	valueCursor := SelectCursor{Kind: KindQuote, Order: OrderValue, HasValue: true, Value: 7, Key: "q1"}.String()
	cases := []struct {
		name  string
		s     Selection
		field string // "" when valid
	}{
		{"plain", Selection{Kind: KindQuote, Limit: 10}, ""},
		{"every quote facet", Selection{Kind: KindQuote, Facets: []FacetFilter{{FacetSpeaker, []string{"p"}}, {FacetSource, nil}, {FacetPublisher, []string{"o"}}, {FacetMode, []string{"direct"}}}}, ""},
		{"range defaults to value order", Selection{Kind: KindQuote, From: day}, ""},
		{"range in value order", Selection{Kind: KindSource, To: day, Order: OrderValue, Desc: true}, ""},
		{"figure range", Selection{Kind: KindFigure, Min: ptr(-1), Max: ptr(-1)}, ""},
		{"text", Selection{Kind: KindPerson, Text: "Álvarez"}, ""},
		{"cursor of the order", Selection{Kind: KindQuote, After: keyCursor}, ""},
		{"value cursor with a range", Selection{Kind: KindQuote, From: day, After: valueCursor}, ""},
		{"bad kind", Selection{Kind: 9}, "kind"},
		{"facet of another kind", Selection{Kind: KindClaim, Facets: []FacetFilter{{FacetMode, []string{"direct"}}}}, "facets[0]"},
		{"unknown facet", Selection{Kind: KindClaim, Facets: []FacetFilter{{FacetAbout, nil}, {"colour", nil}}}, "facets[1]"},
		{"dates on figures", Selection{Kind: KindFigure, From: day}, "from/to"},
		{"values on quotes", Selection{Kind: KindQuote, Max: ptr(3)}, "min/max"},
		{"range in key order", Selection{Kind: KindSource, From: day, Order: OrderKey}, "order"},
		{"value order on people", Selection{Kind: KindPerson, Order: OrderValue}, "order"},
		{"unknown order", Selection{Kind: KindPerson, Order: "random"}, "order"},
		{"min above max", Selection{Kind: KindFigure, Min: ptr(2), Max: ptr(1)}, "min/max"},
		{"NaN", Selection{Kind: KindFigure, Min: ptr(math.NaN())}, "min/max"},
		{"empty date range", Selection{Kind: KindQuote, From: day, To: day}, "from/to"},
		{"negative limit", Selection{Kind: KindQuote, Limit: -5}, "limit"},
		{"text without words", Selection{Kind: KindQuote, Text: "“ — ”"}, "text"},
		{"text with an overlong word", Selection{Kind: KindQuote, Text: "a " + strings.Repeat("b", MaxTextTerm+1)}, "text"},
		{"cursor garbage", Selection{Kind: KindQuote, After: "%%%"}, "after"},
		{"cursor of another order", Selection{Kind: KindQuote, After: valueCursor}, "after"},
		{"cursor of another kind", Selection{Kind: KindClaim, After: keyCursor}, "after"},
	}
	for _, c := range cases {
		err := ValidateSelection(c.s)
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v, want valid", c.name, err)
		case c.field != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "selection "+c.field+":")):
			t.Errorf("%s: %v, want ErrInvalid naming %s", c.name, err, c.field)
		}
	}
}

func TestValidateAggregate(t *testing.T) {
	if err := ValidateAggregate(Selection{Kind: KindQuote, Order: "junk", After: "junk", Limit: -1}, GroupMonth, 3); err != nil {
		t.Errorf("order, after and limit are ignored: %v", err)
	}
	for _, c := range []struct {
		s     Selection
		by    Grouping
		limit int
	}{
		{Selection{Kind: KindQuote}, GroupMeasure, 0},
		{Selection{Kind: KindClaim}, GroupKind, 0},
		{Selection{Kind: KindQuote}, "colour", 0},
		{Selection{Kind: KindQuote}, GroupSpeaker, -1},
		{Selection{Kind: KindFigure, From: time.Now()}, GroupUnit, 0},
	} {
		if err := ValidateAggregate(c.s, c.by, c.limit); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateAggregate(%v, %s, %d) = %v, want ErrInvalid", c.s.Kind, c.by, c.limit, err)
		}
	}
}

func TestSelectCursorRoundTrip(t *testing.T) {
	for _, c := range []SelectCursor{
		{Kind: KindQuote, Order: OrderKey, Key: "q-1"},
		{Kind: KindFigure, Order: OrderValue, HasValue: true, Value: FloatSortValue(-2.5), Key: "f:1"},
		{Kind: KindSource, Order: OrderValue, Key: "s.1"},
		{Kind: KindSource, Order: OrderValue, HasValue: true, Value: 0, Key: "s"},
	} {
		got, err := ParseSelectCursor(c.String())
		if err != nil || got != c {
			t.Errorf("round trip of %+v = %+v, %v", c, got, err)
		}
	}
	for _, bad := range []string{"", "!", "AQQ", "AgRr", "AQR2AwAAAAAAAAAAeA", "AQR2AQ"} {
		if _, err := ParseSelectCursor(bad); err == nil {
			t.Errorf("ParseSelectCursor(%q) succeeded", bad)
		}
	}
}

func FuzzParseSelectCursor(f *testing.F) {
	f.Add(SelectCursor{Kind: KindQuote, Order: OrderKey, Key: "q-1"}.String())
	f.Add(SelectCursor{Kind: KindQuote, Order: OrderValue, HasValue: true, Value: 99, Key: "q-1"}.String())
	f.Add("AQR2Ag")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseSelectCursor(s)
		if err != nil {
			return
		}
		again, err := ParseSelectCursor(c.String())
		if err != nil || again != c {
			t.Errorf("%q decodes to %+v, which does not round-trip: %+v, %v", s, c, again, err)
		}
	})
}

func TestSelectCursorCompare(t *testing.T) {
	v := func(val uint64, key string) SelectCursor {
		return SelectCursor{Order: OrderValue, HasValue: true, Value: val, Key: key}
	}
	none := func(key string) SelectCursor { return SelectCursor{Order: OrderValue, Key: key} }
	asc := []SelectCursor{v(1, "b"), v(2, "a"), v(2, "c"), v(9, "a"), none("a"), none("z")}
	desc := []SelectCursor{v(9, "a"), v(2, "c"), v(2, "a"), v(1, "b"), none("z"), none("a")}
	for _, c := range []struct {
		want []SelectCursor
		desc bool
	}{{asc, false}, {desc, true}} {
		got := slices.Clone(c.want)
		slices.Reverse(got)
		slices.SortFunc(got, func(a, b SelectCursor) int { return a.Compare(b, c.desc) })
		if !slices.Equal(got, c.want) {
			t.Errorf("desc %v: sorted %v, want %v", c.desc, got, c.want)
		}
	}
}

func TestSortValues(t *testing.T) {
	fs := []float64{math.Inf(-1), -1e300, -2.5, -1e-300, 0, 1e-300, 1, 2.5, 1e300, math.Inf(1)}
	for i := 1; i < len(fs); i++ {
		if FloatSortValue(fs[i-1]) >= FloatSortValue(fs[i]) {
			t.Errorf("FloatSortValue(%v) >= FloatSortValue(%v)", fs[i-1], fs[i])
		}
	}
	if FloatSortValue(math.Copysign(0, -1)) != FloatSortValue(0) {
		t.Errorf("-0 and 0 sort apart")
	}
	ts := []time.Time{time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(0, 0), time.Date(2026, 3, 1, 0, 0, 0, 1, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 1; i < len(ts); i++ {
		if TimeSortValue(ts[i-1]) >= TimeSortValue(ts[i]) {
			t.Errorf("TimeSortValue(%v) >= TimeSortValue(%v)", ts[i-1], ts[i])
		}
	}
	at := time.Date(2026, 3, 1, 13, 4, 5, 6, time.UTC)
	if got := SortValueTime(TimeSortValue(at)); !got.Equal(at) {
		t.Errorf("SortValueTime round trip = %v", got)
	}
	if got := SortValueMonth(TimeSortValue(at)); got != "2026-03" {
		t.Errorf("SortValueMonth = %q", got)
	}
	for _, c := range []struct {
		n    Node
		want uint64
		ok   bool
	}{
		{&Quote{SaidAt: "2026-03-01"}, TimeSortValue(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), true},
		{&Quote{SaidAt: "2026-03-01T10:00:00+02:00"}, TimeSortValue(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)), true},
		{&Quote{SaidAt: "last week"}, 0, false},
		{&Quote{}, 0, false},
		{&Source{PublishedAt: "2026-03"}, TimeSortValue(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), true},
		{&Figure{Value: -3}, FloatSortValue(-3), true},
		{&Claim{}, 0, false},
	} {
		v, ok := NodeSortValue(c.n)
		if v != c.want || ok != c.ok {
			t.Errorf("NodeSortValue(%+v) = %d, %v; want %d, %v", c.n, v, ok, c.want, c.ok)
		}
	}
}

func TestValueBounds(t *testing.T) {
	d := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	lo, hi, ranged, empty := Selection{From: d, To: d.AddDate(0, 0, 1)}.ValueBounds()
	if !ranged || empty || lo != TimeSortValue(d) || hi != TimeSortValue(d.AddDate(0, 0, 1))-1 {
		t.Errorf("one day: %d %d %v %v", lo, hi, ranged, empty)
	}
	lo, hi, ranged, _ = Selection{Min: ptr(3)}.ValueBounds()
	if !ranged || lo != FloatSortValue(3) || hi != math.MaxUint64 {
		t.Errorf("min only: %d %d %v", lo, hi, ranged)
	}
	if _, _, ranged, _ := (Selection{}).ValueBounds(); ranged {
		t.Errorf("no range reported as ranged")
	}
	early := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, _, _, empty := (Selection{From: early, To: early.AddDate(1, 0, 0)}).ValueBounds(); !empty {
		t.Errorf("a range before the clamped scale is not empty")
	}
}

func TestFoldFacet(t *testing.T) {
	for _, c := range []struct{ facet, in, want string }{
		{"mode", "DIRECT", "direct"},
		{"measure", "  Ferry\tIncidents ", "ferry incidents"},
		{"measure", "Fähre Verspätung", "fahre verspatung"},
		{"unit", "%", "percent"},
		{"unit", "Per Cent", "percent"},
		{"unit", "Tonnes", "tonnes"},
		{"speaker", "P-Key", "P-Key"},
	} {
		if got := NormalFacetValue(Facet(c.facet), c.in); got != c.want {
			t.Errorf("NormalFacetValue(%s, %q) = %q, want %q", c.facet, c.in, got, c.want)
		}
	}
}

// FuzzFoldFacet holds FoldFacet's shortcut (a value already folded is
// returned as it is) to the general fold: a value it takes as folded is
// what folding gives.
func FuzzFoldFacet(f *testing.F) {
	for _, s := range []string{"direct", "ferry incidents", " lead", "trail ", "two  spaces", "Caps", "tab\there", "caf\u00e9", "", "per cent"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if foldedFacet(s) {
			if got := foldFacet(s); got != s {
				t.Fatalf("%q is taken as folded; folding gives %q", s, got)
			}
		}
		if got, want := FoldFacet(s), foldFacet(s); got != want {
			t.Fatalf("FoldFacet(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestFacetValues(t *testing.T) {
	ctx := context.Background()
	canon := func(_ context.Context, k string) (string, error) {
		if k == "p-old" {
			return "p-new", nil
		}
		return k, nil
	}
	publisher := func(_ context.Context, src string) (string, error) {
		if src == "s-1" {
			return "o-pub", nil
		}
		return "", nil
	}
	for _, c := range []struct {
		n    Node
		want map[Facet][]string
	}{
		{&Quote{Speaker: "p-old", Source: "s-1", Mode: "Direct"},
			map[Facet][]string{FacetSpeaker: {"p-new"}, FacetSource: {"s-1"}, FacetMode: {"direct"}, FacetPublisher: {"o-pub"}}},
		{&Quote{Source: "s-2"}, map[Facet][]string{FacetSource: {"s-2"}}},
		{&Figure{Unit: "%", Measure: "Crimes", StatedBy: "o-1", Source: "s-1"},
			map[Facet][]string{FacetUnit: {"percent"}, FacetMeasure: {"crimes"}, FacetStatedBy: {"o-1"}, FacetSource: {"s-1"}, FacetPublisher: {"o-pub"}}},
		{&Person{Affiliations: []Affiliation{{Organisation: "o-1"}, {Organisation: "o-2"}, {Organisation: "o-1", Role: "x"}}},
			map[Facet][]string{FacetAffiliation: {"o-1", "o-2"}}},
		{&Organisation{Kind: "media", Parent: "o-9"}, map[Facet][]string{FacetKind: {"media"}, FacetParent: {"o-9"}}},
		{&Source{Kind: "article", Publisher: "p-old"}, map[Facet][]string{FacetKind: {"article"}, FacetPublisher: {"p-new"}}},
		{&Claim{About: []string{"p-old", "p-new"}}, map[Facet][]string{FacetAbout: {"p-new"}}},
		{&Figure{Unit: "u", Measure: strings.Repeat("m", MaxFacetValue+1)}, map[Facet][]string{FacetUnit: {"u"}}},
	} {
		got, err := FacetValues(ctx, c.n, canon, publisher)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Errorf("FacetValues(%+v) = %v, want %v", c.n, got, c.want)
		}
		for f, vs := range c.want {
			if !slices.Equal(got[f], vs) {
				t.Errorf("FacetValues(%+v)[%s] = %v, want %v", c.n, f, got[f], vs)
			}
			if !f.AppliesTo(c.n.NodeKind()) {
				t.Errorf("facet %s does not apply to %v", f, c.n.NodeKind())
			}
		}
	}
	boom := errors.New("boom")
	if _, err := FacetValues(ctx, &Quote{Speaker: "p"}, func(context.Context, string) (string, error) { return "", boom }, publisher); !errors.Is(err, boom) {
		t.Errorf("a failing canon: %v", err)
	}
}

func TestTextMatches(t *testing.T) {
	fold := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	for _, c := range []struct {
		texts []string
		query string
		want  bool
	}{
		{[]string{"Crime is way down, he said"}, "crime is way down", true},
		{[]string{"Crime is way down, he said"}, "rime is way do", false},
		{[]string{"Crime is way down, he said"}, "down is way", false},
		{[]string{"", "the quick fox"}, "QUICK   fox", true},
		{[]string{"crimea"}, "crime", false},
		{[]string{"crimes rose"}, "crime", true}, // stemmed: crimes is crime
		{[]string{"a crime"}, "crime", true},
	} {
		if got := TextMatches(c.texts, fold(c.query), TextTerms(c.query), fold); got != c.want {
			t.Errorf("TextMatches(%q, %q) = %v, want %v", c.texts, c.query, got, c.want)
		}
	}
	if got := TextTerms("The the THE cat"); !slices.Equal(got, []string{"the", "cat"}) {
		t.Errorf("TextTerms = %q", got)
	}
}

func TestSortGroups(t *testing.T) {
	gs := []Group{{"b", 1}, {"", 3}, {"a", 1}, {"c", 3}}
	if got := SortGroups(slices.Clone(gs), 0); !slices.Equal(got, []Group{{"", 3}, {"c", 3}, {"a", 1}, {"b", 1}}) {
		t.Errorf("SortGroups = %v", got)
	}
	if got := SortGroups(slices.Clone(gs), 3); len(got) != 3 || got[2] != (Group{"a", 1}) {
		t.Errorf("SortGroups limit 3 = %v", got)
	}
}

func TestFacetKindsAndGroupings(t *testing.T) {
	if len(Facets) != len(FacetKinds) {
		t.Errorf("Facets lists %d facets, FacetKinds %d", len(Facets), len(FacetKinds))
	}
	for g, ks := range GroupingKinds {
		f, ok := g.Facet()
		if !ok {
			if g != GroupMonth {
				t.Errorf("grouping %s has no facet", g)
			}
			continue
		}
		for _, k := range ks {
			if !f.AppliesTo(k) {
				t.Errorf("grouping %s of %v: facet %s does not apply", g, k, f)
			}
		}
		if f.MultiValued() {
			t.Errorf("grouping %s counts a multi-valued facet", g)
		}
	}
}
