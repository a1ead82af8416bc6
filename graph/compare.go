package graph

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ApproxTolerance is the relative tolerance within which two comparable
// figures agree when either is approximate (Figure.Approx): 10% of the
// larger magnitude.
const ApproxTolerance = 0.10

// DefaultComparisonCandidates caps the figures FigureComparisons compares
// one figure with when its limit is 0.
const DefaultComparisonCandidates = 100

// FigureComparison says whether a figure can be compared with another and,
// when it can, whether the two agree, with the reasons in plain words.
type FigureComparison struct {
	// Figure is the other figure.
	Figure *Figure
	// Comparable is true when both figures have the same unit (normalised),
	// measure, subject and time frame (period, or baseline).
	Comparable bool
	// Agrees is nil when the figures are not comparable; otherwise whether
	// their values (ranges, widened by ApproxTolerance when either is
	// approximate) overlap and their directions of change match.
	Agrees *bool
	// Reasons explain the verdict, one sentence each; never empty.
	Reasons []string
	// Via says how the other figure was found: "link" (a link joins the
	// two, in either direction) or "source" (both appear in the same
	// source). Set by FigureComparisons; empty from CompareFigures.
	Via string
}

// Conflicts reports whether the figures are comparable and disagree.
func (c FigureComparison) Conflicts() bool {
	return c.Comparable && c.Agrees != nil && !*c.Agrees
}

// unitSynonyms maps spellings of common units to one name. Other units are
// compared after folding case and spacing.
var unitSynonyms = map[string]string{
	"%": "percent", "percent": "percent", "per cent": "percent", "percentage": "percent", "pct": "percent",
	"pp": "percentage_points", "percentage point": "percentage_points", "percentage points": "percentage_points",
	"percentage_points": "percentage_points", "points": "percentage_points",
	"people": "people", "persons": "people", "person": "people", "individuals": "people",
	"usd": "usd", "$": "usd", "us$": "usd", "dollar": "usd", "dollars": "usd", "us dollars": "usd",
	"eur": "eur", "€": "eur", "euro": "eur", "euros": "eur",
	"gbp": "gbp", "£": "gbp", "pound": "gbp", "pounds": "gbp",
}

// NormaliseUnit returns the unit's normal name: known spellings map to one
// name ("%", "per cent" and "percent" are all "percent"; "$", "dollars" and
// "USD" are "usd"); other units are lower-cased with spacing collapsed.
func NormaliseUnit(u string) string {
	f := foldWords(u)
	if n, ok := unitSynonyms[f]; ok {
		return n
	}
	return f
}

// foldWords lower-cases s and collapses its spacing.
func foldWords(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// CompareFigures compares figure a with figure b. They are comparable only
// when they state the same unit (after NormaliseUnit), the same measure and
// the same subject (compared insensitive to case and spacing; a measure or
// subject that either leaves out makes them not comparable), both state a
// level or both a change, and they cover the same time: equal periods when
// both give one, or, when neither gives a period, equal baselines; a period
// or baseline stated by one only, or by neither, makes them not comparable.
// Baselines given by both must be equal.
//
// Comparable figures agree when their values overlap (a figure with
// ValueMax is the range [Value, ValueMax]), widened by ApproxTolerance of
// the larger magnitude when either is approximate, and, for changes, when
// both go the same way. The result's Figure is b.
func CompareFigures(a, b *Figure) FigureComparison {
	c := FigureComparison{Figure: b, Comparable: true}
	no := func(format string, args ...any) {
		c.Comparable = false
		c.Reasons = append(c.Reasons, fmt.Sprintf(format, args...))
	}
	ua, ub := NormaliseUnit(a.Unit), NormaliseUnit(b.Unit)
	if ua != ub {
		no("different units: %s and %s", ua, ub)
	}
	same := func(what, x, y string) {
		fx, fy := foldWords(x), foldWords(y)
		switch {
		case fx == "" && fy == "":
			no("neither states the %s", what)
		case fx == "":
			no("%s states no %s (%s has %q)", a.Key, what, b.Key, y)
		case fy == "":
			no("%s states no %s (%s has %q)", b.Key, what, a.Key, x)
		case fx != fy:
			no("different %ss: %q and %q", what, x, y)
		}
	}
	same("measure", a.Measure, b.Measure)
	same("subject", a.Subject, b.Subject)
	switch {
	case a.Change != "" && b.Change == "":
		no("%s states a change (%s), %s a level", a.Key, a.Change, b.Key)
	case a.Change == "" && b.Change != "":
		no("%s states a level, %s a change (%s)", a.Key, b.Key, b.Change)
	}
	pa, pb := foldWords(a.Period), foldWords(b.Period)
	ba, bb := foldWords(a.Baseline), foldWords(b.Baseline)
	switch {
	case pa != "" && pb != "" && pa != pb:
		no("different periods: %s and %s", a.Period, b.Period)
	case (pa == "") != (pb == ""):
		no("only %s states a period", pick(pa != "", a.Key, b.Key))
	case pa == "" && ba == "" && bb == "":
		no("neither states a period or a baseline: they may cover different times")
	}
	switch {
	case ba != "" && bb != "" && ba != bb:
		no("different baselines: %s and %s", a.Baseline, b.Baseline)
	case (ba == "") != (bb == ""):
		no("only %s states a baseline", pick(ba != "", a.Key, b.Key))
	}
	if !c.Comparable {
		return c
	}
	frame := "period " + a.Period
	if pa == "" {
		frame = "baseline " + a.Baseline
	} else if ba != "" {
		frame += " against " + a.Baseline
	}
	c.Reasons = append(c.Reasons, fmt.Sprintf("same unit (%s), measure (%s), subject (%s) and %s",
		ua, foldWords(a.Measure), foldWords(a.Subject), frame))

	agrees := true
	if a.Change != b.Change {
		agrees = false
		c.Reasons = append(c.Reasons, fmt.Sprintf("opposite directions: %s states %s, %s %s", a.Key, withArticle(a.Change), b.Key, withArticle(b.Change)))
	}
	loA, hiA := bounds(a)
	loB, hiB := bounds(b)
	tol := 1e-9 * max(math.Abs(hiA), math.Abs(hiB), math.Abs(loA), math.Abs(loB))
	approx := a.Approx || b.Approx
	if approx {
		tol = ApproxTolerance * max(math.Abs(hiA), math.Abs(hiB), math.Abs(loA), math.Abs(loB))
	}
	overlap := loA <= hiB+tol && loB <= hiA+tol
	va, vb := valueText(a), valueText(b)
	switch {
	case overlap && approx:
		c.Reasons = append(c.Reasons, fmt.Sprintf("values agree within %g%% (approximate): %s and %s", ApproxTolerance*100, va, vb))
	case overlap:
		c.Reasons = append(c.Reasons, fmt.Sprintf("values agree: %s and %s", va, vb))
	case approx:
		agrees = false
		c.Reasons = append(c.Reasons, fmt.Sprintf("values differ by more than %g%% (approximate): %s and %s", ApproxTolerance*100, va, vb))
	default:
		agrees = false
		c.Reasons = append(c.Reasons, fmt.Sprintf("values differ: %s and %s", va, vb))
	}
	c.Agrees = &agrees
	return c
}

// withArticle returns "an increase", "a decrease".
func withArticle(change string) string {
	if strings.HasPrefix(change, "i") {
		return "an " + change
	}
	return "a " + change
}

func pick(first bool, a, b string) string {
	if first {
		return a
	}
	return b
}

// bounds returns a figure's value as a range.
func bounds(f *Figure) (lo, hi float64) {
	lo, hi = f.Value, f.Value
	if f.ValueMax != nil {
		hi = *f.ValueMax
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	return lo, hi
}

// valueText renders a figure's value for a reason: "12–14", "about 2000".
func valueText(f *Figure) string {
	s := formatNumber(f.Value)
	if f.ValueMax != nil {
		s += "–" + formatNumber(*f.ValueMax)
	}
	if f.Approx {
		s = "about " + s
	}
	return s
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// FigureComparisons compares the figure with the key with its candidates
// in the snapshot r: the figures joined to it by a live (not retracted)
// link of any relation, in either direction, first; then the other figures
// of its source, in key order. Retracted figures are left out. At most
// limit candidates are compared (DefaultComparisonCandidates when limit is
// 0). It returns ErrNotFound when no figure has the key.
func FigureComparisons(ctx context.Context, r Reader, key string, limit int) ([]FigureComparison, error) {
	if limit <= 0 {
		limit = DefaultComparisonCandidates
	}
	n, err := r.Node(ctx, key)
	if err != nil {
		return nil, err
	}
	f, ok := n.(*Figure)
	if !ok {
		return nil, fmt.Errorf("%w: %s is a %s, not a figure", ErrNotFound, key, n.NodeKind())
	}
	var keys []string
	via := map[string]string{}
	add := func(k, how string) {
		if k == key || via[k] != "" || len(keys) >= limit {
			return
		}
		via[k] = how
		keys = append(keys, k)
	}
	links := linkRelations()
	for _, dir := range []Direction{Out, In} {
		es, err := r.Edges(ctx, EdgeQuery{Key: key, Dir: dir, Relations: links, Kind: KindFigure})
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if e.Retracted == nil {
				add(pick(dir == Out, e.To, e.From), "link")
			}
		}
	}
	if f.Source != "" && len(keys) < limit {
		es, err := r.Edges(ctx, EdgeQuery{Key: f.Source, Dir: In, Relations: []Relation{RelSource}, Kind: KindFigure, Limit: limit + 1})
		if err != nil {
			return nil, err
		}
		var same []string
		for _, e := range es {
			same = append(same, e.From)
		}
		slices.Sort(same)
		for _, k := range same {
			add(k, "source")
		}
	}
	if len(keys) == 0 {
		return []FigureComparison{}, nil
	}
	nodes, err := r.Nodes(ctx, keys)
	if err != nil {
		return nil, err
	}
	retracted, err := r.Retractions(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]FigureComparison, 0, len(keys))
	for i, n := range nodes {
		other, ok := n.(*Figure)
		if !ok {
			continue
		}
		if _, gone := retracted[keys[i]]; gone {
			continue
		}
		c := CompareFigures(f, other)
		c.Via = via[keys[i]]
		out = append(out, c)
	}
	return out, nil
}
