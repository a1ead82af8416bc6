package extract

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"claimgraph/graph"
)

// run extracts text and checks what every extraction must hold: the bundle
// validates and every span reads its node's text.
func extractOK(t *testing.T, text string, meta Meta) (*graph.Bundle, *Report) {
	t.Helper()
	b, rep, err := Extract(text, meta, Options{})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	checkBundle(t, b)
	return b, rep
}

func checkBundle(t testing.TB, b *graph.Bundle) {
	t.Helper()
	if err := graph.Validate(context.Background(), b, nil); err != nil {
		t.Fatalf("bundle does not validate: %v", err)
	}
	var text string
	for _, n := range b.Nodes {
		if s, ok := n.(*graph.Source); ok && s.Kind == "article" {
			text = s.Text
			if s.ContentSHA256 != graph.ContentHash(s.Text) {
				t.Fatalf("content_sha256 does not match the text")
			}
		}
	}
	for _, n := range b.Nodes {
		var sp *graph.Span
		var got string
		switch x := n.(type) {
		case *graph.Quote:
			sp, got = x.Span, x.Text
		case *graph.Figure:
			sp, got = x.Span, x.Text
		default:
			continue
		}
		if sp == nil {
			t.Fatalf("%s has no span", n.NodeKey())
		}
		want, ok := graph.RuneSlice(text, sp.Start, sp.End)
		if !ok || want != got {
			t.Fatalf("%s: span [%d,%d) reads %q, text is %q", n.NodeKey(), sp.Start, sp.End, want, got)
		}
	}
}

type gotQuote struct{ text, speaker, mode string }

// quotesOf lists the quotes of b with their speakers' names.
func quotesOf(b *graph.Bundle) []gotQuote {
	names := map[string]string{}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Person:
			names[x.Key] = x.Name
		case *graph.Organisation:
			names[x.Key] = x.Name
		}
	}
	var out []gotQuote
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			out = append(out, gotQuote{q.Text, names[q.Speaker], q.Mode})
		}
	}
	return out
}

func TestQuotes(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []gotQuote
	}{
		{"straight marks, inverted cue", `"We will win," said Jane Smith.`,
			[]gotQuote{{"We will win", "Jane Smith", "direct"}}},
		{"curly marks and apostrophes", "“It’s done,” Jane Smith said. “We’re moving on.”",
			[]gotQuote{{"It’s done", "Jane Smith", "direct"}, {"We’re moving on", "Jane Smith", "direct"}}},
		{"speaker between the parts", "“First,” Jane Smith said, “we talk.”",
			[]gotQuote{{"First", "Jane Smith", "direct"}, {"we talk", "Jane Smith", "partial"}}},
		{"colon before the quote", "Jane Smith said: “The road is closed.”",
			[]gotQuote{{"The road is closed", "Jane Smith", "direct"}}},
		{"guillemets, partial quote", "Jane Smith said the deal was «close but not done».",
			[]gotQuote{{"close but not done", "Jane Smith", "partial"}}},
		{"low-high marks", "„We are nearly there“, said Jane Smith.",
			[]gotQuote{{"We are nearly there", "Jane Smith", "direct"}}},
		{"single marks", "‘We apologise to passengers,’ said Jane Smith.",
			[]gotQuote{{"We apologise to passengers", "Jane Smith", "direct"}}},
		{"plural possessive is no mark", "The governors’ meeting ended early, Jane Smith said.",
			[]gotQuote{{"The governors’ meeting ended early", "Jane Smith", "indirect"}}},
		{"nested quotation", "‘The driver told me, “We’re short,” and drove off,’ said Jane Smith.",
			[]gotQuote{{"The driver told me, “We’re short,” and drove off", "Jane Smith", "direct"}, {"We’re short", "", "direct"}}},
		{"paragraph left open continues", "“The first part is long.\n\n“The second part ends it,” said Jane Smith.",
			[]gotQuote{{"The first part is long", "Jane Smith", "direct"}, {"The second part ends it", "Jane Smith", "direct"}}},
		{"title of a work is no quote", "Jane Smith’s novel, “The Long Road Home,” sold well.", nil},
		{"scare quote is no quote", "The so-called “reform” failed to pass.", nil},
		{"words as words", "The word “quiet” appears in every review.", nil},
		{"naming verb frames a partial quote", "Jane Smith called the plan “a slow disaster” on Monday.",
			[]gotQuote{{"a slow disaster", "Jane Smith", "partial"}}},
		{"according to", "According to the Ministry of Health, cases rose sharply last week.",
			[]gotQuote{{"cases rose sharply last week", "Ministry of Health", "indirect"}}},
		{"according to at the end", "Cases rose sharply last week, according to the Ministry of Health.",
			[]gotQuote{{"Cases rose sharply last week", "Ministry of Health", "indirect"}}},
		{"told someone that", "Jane Smith told reporters that the bridge would reopen in May.",
			[]gotQuote{{"the bridge would reopen in May", "Jane Smith", "indirect"}}},
		{"claims that", "Jane Smith claims that the vote was rigged.",
			[]gotQuote{{"the vote was rigged", "Jane Smith", "indirect"}}},
		{"pronoun", "Jane Smith spoke first.\n\n“We are ready,” she said.",
			[]gotQuote{{"We are ready", "Jane Smith", "direct"}}},
		{"surname tied to the full name", "Jane Smith is the new mayor.\n\n“No comment,” Smith said.",
			[]gotQuote{{"No comment", "Jane Smith", "direct"}}},
		{"title before the name", "“We are safe,” said Minnesota Governor Tim Walz.",
			[]gotQuote{{"We are safe", "Tim Walz", "direct"}}},
		{"organisation with acronym", "The Food Safety Agency (FSA) said on Monday that the recall was complete. The FSA said it had tested 40 farms.",
			[]gotQuote{{"the recall was complete", "Food Safety Agency", "indirect"}, {"it had tested 40 farms", "Food Safety Agency", "indirect"}}},
		{"nominal organisation", "The Ministry of Defence denied the report. “No troops were moved,” the ministry said.",
			[]gotQuote{{"No troops were moved", "Ministry of Defence", "direct"}}},
		{"follow-on paragraph inherits", "“We lost everything,” said Jane Smith.\n\n“Nobody came to help us.”",
			[]gotQuote{{"We lost everything", "Jane Smith", "direct"}, {"Nobody came to help us", "Jane Smith", "direct"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := extractOK(t, tt.text, Meta{Title: "Test"})
			got := quotesOf(b)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("quotes\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNestedAttribution(t *testing.T) {
	text := "Call eases tension\n\n“Governor Ann Lee called me with the request to work together on the border,” Mark Reed posted on his Truth Social account. “It was a very good call.”"
	b, _ := extractOK(t, text, Meta{})
	var outer, inner *graph.Quote
	chans := map[string]*graph.Source{}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Quote:
			if x.Speaker == "mark-reed" && strings.HasPrefix(x.Text, "Governor") {
				outer = x
			}
			if x.Speaker == "ann-lee" {
				inner = x
			}
		case *graph.Source:
			chans[x.Key] = x
		}
	}
	if outer == nil || inner == nil {
		t.Fatalf("want Reed's post and Lee's request, got %q", quotesOf(b))
	}
	if inner.ReportedBy != outer.Key || inner.Text != "the request to work together on the border" || inner.Mode != "indirect" {
		t.Errorf("inner quote = %+v", inner)
	}
	ch := chans[outer.Channel]
	if ch == nil || ch.Kind != "social_post" || ch.Publisher != "truth-social" {
		t.Errorf("outer channel = %+v", ch)
	}
	if c := chans[inner.Channel]; c == nil || c.Kind != "call" {
		t.Errorf("inner channel = %+v", c)
	}
}

type gotFigure struct {
	text   string
	value  float64
	unit   string
	approx bool
}

func TestFigures(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []gotFigure
	}{
		{"grouping, year excluded", "The agency hired 1,500 workers in 2024.", []gotFigure{{"1,500 workers", 1500, "people", false}}},
		{"dates and clock times", "The meeting starts at 19:30 on 12 March 2026, or 7 p.m. on March 13.", nil},
		{"versions, identifiers, pages", "Version 2.1 of the app fixed Flight 370 on page 12 under Article 5.", nil},
		{"ordinals in names", "The Second Amendment and the 21st Century Fund were cited.", nil},
		{"relative time", "Two days later, the storm passed.", nil},
		{"scale words", "About 1.5 million people voted.", []gotFigure{{"About 1.5 million people", 1.5e6, "people", true}}},
		{"number words", "A dozen officers and twenty-five nurses came.", []gotFigure{{"A dozen officers", 12, "people", false}, {"twenty-five nurses", 25, "people", false}}},
		{"currency", "The bridge cost $2.3 billion and €40 million.", []gotFigure{{"$2.3 billion", 2.3e9, "usd", false}, {"€40 million", 4e7, "eur", false}}},
		{"age", "A 37-year-old man was hurt.", []gotFigure{{"37-year-old", 37, "years", false}}},
		{"ranges", "Between 8 and 10 centimetres fell; 8–10 cases a day.", []gotFigure{{"8 and 10 centimetres", 8, "cm", false}, {"8–10 cases", 8, "cases", false}}},
		{"percent words", "Turnout was 61 per cent, up 3 percentage points.", []gotFigure{{"61 per cent", 61, "percent", false}, {"3 percentage points", 3, "percentage points", false}}},
		{"at least", "At least 27 structures burned.", []gotFigure{{"At least 27 structures", 27, "structures", true}}},
		{"half of", "Half of the homes were insured.", []gotFigure{{"Half of", 0.5, "fraction", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := extractOK(t, tt.text, Meta{Title: "Test"})
			var got []gotFigure
			for _, n := range b.Nodes {
				if f, ok := n.(*graph.Figure); ok {
					got = append(got, gotFigure{f.Text, f.Value, f.Unit, f.Approx})
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("figures\n got %v\nwant %v", got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if !strings.Contains(g.text, w.text) && !strings.Contains(w.text, g.text) || math.Abs(g.value-w.value) > 1e-9 || g.unit != w.unit || g.approx != w.approx {
					t.Errorf("figure %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestFigureChange(t *testing.T) {
	text := "Police statistics show a 76% drop in shootings this month, compared to January 2025."
	b, _ := extractOK(t, text, Meta{Title: "Test", PublishedAt: "2026-01-26T19:47:00Z"})
	for _, n := range b.Nodes {
		if f, ok := n.(*graph.Figure); ok {
			if f.Value != 76 || f.Unit != "percent" || f.Change != "decrease" || f.Measure != "shootings" || f.Baseline != "2025-01" || f.Period != "2026-01" {
				t.Errorf("figure = %+v", f)
			}
			return
		}
	}
	t.Fatal("no figure")
}

func TestFigureStatedBy(t *testing.T) {
	text := "“We arrested 3,000 people,” said Jane Smith. The ministry counted 40 cases."
	b, _ := extractOK(t, text, Meta{Title: "Test"})
	by := map[float64]string{}
	for _, n := range b.Nodes {
		if f, ok := n.(*graph.Figure); ok {
			by[f.Value] = f.StatedBy
		}
	}
	if by[3000] != "jane-smith" || by[40] != "" {
		t.Errorf("stated_by = %v", by)
	}
}

func TestHeader(t *testing.T) {
	text := "Storm closes schools across the region\n\n26 Jan, 2026 19:47 / Updated 2 hours ago\nSchools were closed on Monday, officials said."
	b, rep := extractOK(t, text, Meta{})
	if rep.Title != "Storm closes schools across the region" || !rep.TitleDetected {
		t.Errorf("title = %q detected %v", rep.Title, rep.TitleDetected)
	}
	if rep.PublishedAt != "2026-01-26T19:47:00Z" || !rep.DateDetected {
		t.Errorf("published_at = %q detected %v", rep.PublishedAt, rep.DateDetected)
	}
	for _, n := range b.Nodes {
		if f, ok := n.(*graph.Figure); ok {
			t.Errorf("the dateline gave a figure: %+v", f)
		}
	}
	// meta wins over the text
	_, rep = extractOK(t, text, Meta{Title: "Given", PublishedAt: "2026-02-01", Key: "my-article"})
	if rep.Title != "Given" || rep.PublishedAt != "2026-02-01" || rep.SourceKey != "my-article" {
		t.Errorf("meta ignored: %+v", rep)
	}
}

func TestWireDateline(t *testing.T) {
	text := "Fire spreads\n\nPINE RIDGE, Calif. (AP) — A wildfire forced 6,000 people to leave, officials said."
	b, _ := extractOK(t, text, Meta{})
	qs := quotesOf(b)
	if len(qs) != 1 || qs[0].text != "A wildfire forced 6,000 people to leave" {
		t.Errorf("quotes = %q", qs)
	}
	for _, n := range b.Nodes {
		if s, ok := n.(*graph.Source); ok && s.Kind == "article" && s.Publisher != "associated-press" {
			t.Errorf("publisher = %q", s.Publisher)
		}
	}
}

func TestErrors(t *testing.T) {
	if _, _, err := Extract(" \n\t ", Meta{}, Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty text: err = %v", err)
	}
	if _, _, err := Extract(strings.Repeat("a ", 100), Meta{}, Options{MaxBytes: 50}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("large text: err = %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	text := "“We will win,” said Jane Smith, 45. About 300 people came, police said."
	a, _ := extractOK(t, text, Meta{})
	for range 3 {
		b, _ := extractOK(t, text, Meta{})
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two extractions of the same text differ")
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	b, _ := extractOK(t, "Jane Smith said \xff\xfe the \"vote\xff\" was lost.", Meta{Title: "x"})
	for _, n := range b.Nodes {
		if s, ok := n.(*graph.Source); ok && !strings.Contains(s.Text, "\uFFFD") {
			t.Errorf("invalid bytes not replaced: %q", s.Text)
		}
	}
}

func TestOptions(t *testing.T) {
	text := "Jane Smith said the vote was lost. “It hurts,” she said."
	b, _, err := Extract(text, Meta{Title: "x"}, Options{SkipIndirect: true, SkipClaims: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range quotesOf(b) {
		if q.mode == "indirect" {
			t.Errorf("SkipIndirect kept %q", q.text)
		}
	}
	for _, n := range b.Nodes {
		if _, ok := n.(*graph.Claim); ok {
			t.Error("SkipClaims kept a claim")
		}
	}
}
