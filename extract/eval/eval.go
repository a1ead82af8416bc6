// Package eval scores the extractor against hand-checked gold: quotes
// (exact and overlapping spans, speaker accuracy on matched quotes) and
// figures (overlapping span and equal value).
//
// # Gold files
//
// A fixture is an article (NAME.txt, or NAME.html read through
// extract.ExtractHTML) and NAME.gold.json beside it: a bundle-like object
// with the people and organisations that speak, and the quotes and figures
// a careful reader marks, each with its text and its span in code points
// of the stored text (quote marks left out, as is a comma or full stop that
// closes the quoted words). Load checks every span against the text.
//
// # Matching
//
// Predicted and gold items are paired one to one, largest overlap first. A
// quote pair counts for overlap precision and recall when the spans share a
// code point, and for exact precision and recall when the spans are equal.
// Speaker accuracy is taken over the overlapping pairs: the speakers agree
// when both are absent, when their keys are equal, or when a name or alias
// of one equals a name or alias of the other (compared without case and
// punctuation). A figure pair counts when the spans overlap and the values
// are equal.
package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"claimgraph/extract"
	"claimgraph/graph"
)

// Agent is a gold person or organisation.
type Agent struct {
	Key     string   `json:"key"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
}

// Span is a gold span in code points.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Quote is a gold quote.
type Quote struct {
	Text    string `json:"text"`
	Span    Span   `json:"span"`
	Speaker string `json:"speaker,omitempty"`
	Mode    string `json:"mode"`
}

// Figure is a gold figure.
type Figure struct {
	Text     string   `json:"text"`
	Span     Span     `json:"span"`
	Value    float64  `json:"value"`
	ValueMax *float64 `json:"value_max,omitempty"`
	Unit     string   `json:"unit"`
}

// Gold is the hand-checked annotation of one article.
type Gold struct {
	// Name of the fixture.
	Name string `json:"name"`
	// Style says what the fixture exercises.
	Style string `json:"style,omitempty"`
	// TextSHA256 is the hash of the stored text the spans point into.
	TextSHA256    string   `json:"text_sha256"`
	People        []Agent  `json:"people"`
	Organisations []Agent  `json:"organisations"`
	Quotes        []Quote  `json:"quotes"`
	Figures       []Figure `json:"figures"`
}

// Case is one article to score: its input and gold.
type Case struct {
	Name string
	// Input is the file's content; HTML when IsHTML.
	Input  string
	IsHTML bool
	Meta   extract.Meta
	Gold   *Gold
}

// Counts are the raw numbers of one scoring.
type Counts struct {
	GoldQuotes, PredQuotes, OverlapQuotes, ExactQuotes, SpeakerRight int
	GoldFigures, PredFigures, MatchedFigures, UnitRight              int
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.GoldQuotes += o.GoldQuotes
	c.PredQuotes += o.PredQuotes
	c.OverlapQuotes += o.OverlapQuotes
	c.ExactQuotes += o.ExactQuotes
	c.SpeakerRight += o.SpeakerRight
	c.GoldFigures += o.GoldFigures
	c.PredFigures += o.PredFigures
	c.MatchedFigures += o.MatchedFigures
	c.UnitRight += o.UnitRight
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Metrics are the scores derived from Counts.
type Metrics struct {
	QuoteOverlapP, QuoteOverlapR, QuoteExactP, QuoteExactR, QuoteExactF1, SpeakerAcc float64
	FigureP, FigureR, FigureF1, UnitAcc                                              float64
}

// Metrics computes precision, recall and F1.
func (c Counts) Metrics() Metrics {
	m := Metrics{
		QuoteOverlapP: ratio(c.OverlapQuotes, c.PredQuotes),
		QuoteOverlapR: ratio(c.OverlapQuotes, c.GoldQuotes),
		QuoteExactP:   ratio(c.ExactQuotes, c.PredQuotes),
		QuoteExactR:   ratio(c.ExactQuotes, c.GoldQuotes),
		SpeakerAcc:    ratio(c.SpeakerRight, c.OverlapQuotes),
		FigureP:       ratio(c.MatchedFigures, c.PredFigures),
		FigureR:       ratio(c.MatchedFigures, c.GoldFigures),
		UnitAcc:       ratio(c.UnitRight, c.MatchedFigures),
	}
	m.QuoteExactF1 = f1(m.QuoteExactP, m.QuoteExactR)
	m.FigureF1 = f1(m.FigureP, m.FigureR)
	return m
}

// Miss is one disagreement, for reading.
type Miss struct {
	What string // "missed quote", "extra quote", "speaker", "missed figure", "extra figure", "span"
	Text string
	Note string
}

// Result is the scoring of one case.
type Result struct {
	Name   string
	Counts Counts
	Misses []Miss
	Report *extract.Report
}

// Run extracts a case and scores it.
func Run(c Case) (Result, error) {
	var b *graph.Bundle
	var rep *extract.Report
	var err error
	if c.IsHTML {
		b, rep, err = extract.ExtractHTML(strings.NewReader(c.Input), c.Meta, extract.Options{})
	} else {
		b, rep, err = extract.Extract(c.Input, c.Meta, extract.Options{})
	}
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", c.Name, err)
	}
	var text string
	for _, n := range b.Nodes {
		if s, ok := n.(*graph.Source); ok && s.Kind == "article" {
			text = s.Text
		}
	}
	if c.Gold.TextSHA256 != "" && graph.ContentHash(text) != c.Gold.TextSHA256 {
		return Result{}, fmt.Errorf("%s: the stored text is not the text the gold was made for", c.Name)
	}
	if err := CheckGold(c.Gold, text); err != nil {
		return Result{}, fmt.Errorf("%s: %w", c.Name, err)
	}
	r := Score(c.Gold, b)
	r.Name = c.Name
	r.Report = rep
	return r, nil
}

// CheckGold verifies that every gold span reads its text.
func CheckGold(g *Gold, text string) error {
	for i, q := range g.Quotes {
		got, ok := graph.RuneSlice(text, q.Span.Start, q.Span.End)
		if !ok || got != q.Text {
			return fmt.Errorf("gold quote %d: span [%d, %d) reads %q, not %q", i, q.Span.Start, q.Span.End, got, q.Text)
		}
	}
	for i, f := range g.Figures {
		got, ok := graph.RuneSlice(text, f.Span.Start, f.Span.End)
		if !ok || got != f.Text {
			return fmt.Errorf("gold figure %d: span [%d, %d) reads %q, not %q", i, f.Span.Start, f.Span.End, got, f.Text)
		}
	}
	return nil
}

func overlap(a, b Span) int {
	lo, hi := max(a.Start, b.Start), min(a.End, b.End)
	if hi > lo {
		return hi - lo
	}
	return 0
}

type pair struct{ g, p, ov int }

// match pairs gold and predicted spans one to one, largest overlap first.
func match(gold, pred []Span, ok func(g, p int) bool) map[int]int {
	var ps []pair
	for i, g := range gold {
		for j, p := range pred {
			if ov := overlap(g, p); ov > 0 && ok(i, j) {
				ps = append(ps, pair{i, j, ov})
			}
		}
	}
	sort.SliceStable(ps, func(a, b int) bool {
		if ps[a].ov != ps[b].ov {
			return ps[a].ov > ps[b].ov
		}
		if ps[a].g != ps[b].g {
			return ps[a].g < ps[b].g
		}
		return ps[a].p < ps[b].p
	})
	gm := map[int]int{}
	pm := map[int]bool{}
	for _, x := range ps {
		if _, done := gm[x.g]; done || pm[x.p] {
			continue
		}
		gm[x.g] = x.p
		pm[x.p] = true
	}
	return gm
}

func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Score compares a predicted bundle with gold.
func Score(g *Gold, b *graph.Bundle) Result {
	var res Result
	names := map[string][]string{}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Person:
			names["p:"+x.Key] = append([]string{x.Name}, x.Aliases...)
		case *graph.Organisation:
			names["p:"+x.Key] = append([]string{x.Name}, x.Aliases...)
		}
	}
	for _, a := range append(append([]Agent{}, g.People...), g.Organisations...) {
		names["g:"+a.Key] = append([]string{a.Name}, a.Aliases...)
	}
	sameSpeaker := func(gk, pk string) bool {
		if gk == "" || pk == "" {
			return gk == pk
		}
		if gk == pk {
			return true
		}
		gn, pn := names["g:"+gk], names["p:"+pk]
		if len(gn) == 0 {
			gn = []string{gk}
		}
		// the full names agree, or one side's name is the other's alias
		for i, x := range gn {
			for j, y := range pn {
				if (i == 0 || j == 0) && fold(x) != "" && fold(x) == fold(y) {
					return true
				}
			}
		}
		return false
	}
	var pq []*graph.Quote
	var pf []*graph.Figure
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Quote:
			if x.Span != nil {
				pq = append(pq, x)
			}
		case *graph.Figure:
			if x.Span != nil {
				pf = append(pf, x)
			}
		}
	}
	// quotes
	gs := make([]Span, len(g.Quotes))
	for i, q := range g.Quotes {
		gs[i] = q.Span
	}
	ps := make([]Span, len(pq))
	for i, q := range pq {
		ps[i] = Span{q.Span.Start, q.Span.End}
	}
	c := &res.Counts
	c.GoldQuotes, c.PredQuotes = len(gs), len(ps)
	gm := match(gs, ps, func(int, int) bool { return true })
	pmatched := map[int]bool{}
	for gi, q := range g.Quotes {
		pi, ok := gm[gi]
		if !ok {
			res.Misses = append(res.Misses, Miss{"missed quote", q.Text, q.Mode + " by " + q.Speaker})
			continue
		}
		pmatched[pi] = true
		c.OverlapQuotes++
		p := pq[pi]
		if gs[gi] == ps[pi] {
			c.ExactQuotes++
		} else {
			res.Misses = append(res.Misses, Miss{"span", q.Text, "got " + p.Text})
		}
		if sameSpeaker(q.Speaker, p.Speaker) {
			c.SpeakerRight++
		} else {
			res.Misses = append(res.Misses, Miss{"speaker", q.Text, fmt.Sprintf("want %q got %q", q.Speaker, p.Speaker)})
		}
	}
	// exact matches that the overlap pairing split differently still count
	exact := 0
	used := map[int]bool{}
	for gi := range gs {
		for pi := range ps {
			if !used[pi] && gs[gi] == ps[pi] {
				used[pi] = true
				exact++
				break
			}
		}
	}
	c.ExactQuotes = max(c.ExactQuotes, exact)
	for pi, p := range pq {
		if !pmatched[pi] {
			res.Misses = append(res.Misses, Miss{"extra quote", p.Text, p.Mode + " by " + p.Speaker})
		}
	}
	// figures
	gs = make([]Span, len(g.Figures))
	for i, f := range g.Figures {
		gs[i] = f.Span
	}
	ps = make([]Span, len(pf))
	for i, f := range pf {
		ps[i] = Span{f.Span.Start, f.Span.End}
	}
	c.GoldFigures, c.PredFigures = len(gs), len(ps)
	same := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(a)) }
	fm := match(gs, ps, func(gi, pi int) bool { return same(g.Figures[gi].Value, pf[pi].Value) })
	fmatched := map[int]bool{}
	for gi, f := range g.Figures {
		pi, ok := fm[gi]
		if !ok {
			res.Misses = append(res.Misses, Miss{"missed figure", f.Text, fmt.Sprintf("%v %s", f.Value, f.Unit)})
			continue
		}
		fmatched[pi] = true
		c.MatchedFigures++
		if fold(f.Unit) == fold(pf[pi].Unit) {
			c.UnitRight++
		}
	}
	for pi, f := range pf {
		if !fmatched[pi] {
			res.Misses = append(res.Misses, Miss{"extra figure", f.Text, fmt.Sprintf("%v %s", f.Value, f.Unit)})
		}
	}
	return res
}

// LoadDir reads every fixture in dir: NAME.txt or NAME.html with
// NAME.gold.json, and NAME.meta.json when present (an extract.Meta).
func LoadDir(dir string) ([]Case, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".gold.json") {
			continue
		}
		base := strings.TrimSuffix(name, ".gold.json")
		g, err := readGold(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		c := Case{Name: base, Gold: g}
		if data, err := os.ReadFile(filepath.Join(dir, base+".txt")); err == nil {
			c.Input = string(data)
		} else if data, err := os.ReadFile(filepath.Join(dir, base+".html")); err == nil {
			c.Input, c.IsHTML = string(data), true
		} else {
			return nil, fmt.Errorf("fixture %s: no %s.txt or %s.html", base, base, base)
		}
		if data, err := os.ReadFile(filepath.Join(dir, base+".meta.json")); err == nil {
			if err := json.Unmarshal(data, &c.Meta); err != nil {
				return nil, fmt.Errorf("fixture %s: meta: %w", base, err)
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func readGold(path string) (*Gold, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var g Gold
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &g, nil
}

// FromBundle makes gold from a curated bundle (the demo) for the article
// source with the key sourceKey: its quotes and figures with spans, and the
// people and organisations they name.
func FromBundle(b *graph.Bundle, sourceKey, name string) *Gold {
	g := &Gold{Name: name, Style: "the canonical example article, gold from the demo bundle"}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Person:
			g.People = append(g.People, Agent{Key: x.Key, Name: x.Name, Aliases: x.Aliases})
		case *graph.Organisation:
			g.Organisations = append(g.Organisations, Agent{Key: x.Key, Name: x.Name, Aliases: x.Aliases})
		case *graph.Source:
			if x.Key == sourceKey {
				g.TextSHA256 = x.ContentSHA256
			}
		case *graph.Quote:
			if x.Source == sourceKey && x.Span != nil {
				g.Quotes = append(g.Quotes, Quote{Text: x.Text, Span: Span{x.Span.Start, x.Span.End}, Speaker: x.Speaker, Mode: x.Mode})
			}
		case *graph.Figure:
			if x.Source == sourceKey && x.Span != nil {
				g.Figures = append(g.Figures, Figure{Text: x.Text, Span: Span{x.Span.Start, x.Span.End}, Value: x.Value, ValueMax: x.ValueMax, Unit: x.Unit})
			}
		}
	}
	return g
}

// Print writes a table of per-case and overall scores to w, and the misses
// when verbose.
func Print(w io.Writer, rs []Result, verbose bool) Counts {
	var all Counts
	fmt.Fprintf(w, "%-28s %5s %5s %6s %6s %6s %6s %6s %5s %5s %6s %6s %6s\n",
		"fixture", "gold", "pred", "ovP", "ovR", "exP", "exR", "spk", "gfig", "pfig", "figP", "figR", "figF1")
	for _, r := range rs {
		m := r.Counts.Metrics()
		c := r.Counts
		fmt.Fprintf(w, "%-28s %5d %5d %6.3f %6.3f %6.3f %6.3f %6.3f %5d %5d %6.3f %6.3f %6.3f\n", r.Name,
			c.GoldQuotes, c.PredQuotes, m.QuoteOverlapP, m.QuoteOverlapR, m.QuoteExactP, m.QuoteExactR, m.SpeakerAcc,
			c.GoldFigures, c.PredFigures, m.FigureP, m.FigureR, m.FigureF1)
		all.Add(r.Counts)
		if verbose {
			for _, x := range r.Misses {
				fmt.Fprintf(w, "    %-14s %q  (%s)\n", x.What, clip(x.Text, 90), x.Note)
			}
		}
	}
	m := all.Metrics()
	fmt.Fprintf(w, "\noverall: quotes gold %d pred %d; overlap precision %.3f recall %.3f; exact precision %.3f recall %.3f F1 %.3f; speaker accuracy %.3f\n",
		all.GoldQuotes, all.PredQuotes, m.QuoteOverlapP, m.QuoteOverlapR, m.QuoteExactP, m.QuoteExactR, m.QuoteExactF1, m.SpeakerAcc)
	fmt.Fprintf(w, "overall: figures gold %d pred %d; precision %.3f recall %.3f F1 %.3f; unit accuracy %.3f\n",
		all.GoldFigures, all.PredFigures, m.FigureP, m.FigureR, m.FigureF1, m.UnitAcc)
	return all
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
