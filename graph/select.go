package graph

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Facet names an exact, index-served property that a root list filters on.
// Each facet applies to some kinds only (FacetKinds); a Selection that uses
// a facet on another kind is invalid.
type Facet string

// Facets. Values are node keys for the reference facets (speaker, source,
// publisher, stated_by, affiliation, parent, about: see Facet.Reference),
// resolved through merges (a key merged into another stands for that one,
// in the stored values and in a filter's values alike), and the stored
// strings normalised by NormalFacetValue for the others (mode, kind, unit,
// measure): folded for case and accents, units also to one name.
const (
	// FacetSpeaker: quotes by speaker key.
	FacetSpeaker Facet = "speaker"
	// FacetSource: quotes and figures by source key.
	FacetSource Facet = "source"
	// FacetPublisher: sources by publisher key, and quotes and figures by
	// the publisher of their source.
	FacetPublisher Facet = "publisher"
	// FacetMode: quotes by mode (direct, indirect, ...).
	FacetMode Facet = "mode"
	// FacetKind: sources by kind (article, social_post, ...), organisations
	// by kind.
	FacetKind Facet = "kind"
	// FacetUnit: figures by unit.
	FacetUnit Facet = "unit"
	// FacetMeasure: figures by measure.
	FacetMeasure Facet = "measure"
	// FacetStatedBy: figures by the agent that stated them.
	FacetStatedBy Facet = "stated_by"
	// FacetAffiliation: people by the organisation of an affiliation.
	FacetAffiliation Facet = "affiliation"
	// FacetParent: organisations by parent organisation.
	FacetParent Facet = "parent"
	// FacetAbout: claims by an agent they are about.
	FacetAbout Facet = "about"
)

// FacetKinds lists, for each facet, the kinds it applies to.
var FacetKinds = map[Facet][]Kind{
	FacetSpeaker:     {KindQuote},
	FacetSource:      {KindQuote, KindFigure},
	FacetPublisher:   {KindQuote, KindFigure, KindSource},
	FacetMode:        {KindQuote},
	FacetKind:        {KindSource, KindOrganisation},
	FacetUnit:        {KindFigure},
	FacetMeasure:     {KindFigure},
	FacetStatedBy:    {KindFigure},
	FacetAffiliation: {KindPerson},
	FacetParent:      {KindOrganisation},
	FacetAbout:       {KindClaim},
}

// Facets lists every facet in a fixed order.
var Facets = []Facet{FacetSpeaker, FacetSource, FacetPublisher, FacetMode, FacetKind, FacetUnit,
	FacetMeasure, FacetStatedBy, FacetAffiliation, FacetParent, FacetAbout}

// AppliesTo reports whether the facet applies to kind k.
func (f Facet) AppliesTo(k Kind) bool { return slices.Contains(FacetKinds[f], k) }

// Reference reports whether the facet's values are node keys.
func (f Facet) Reference() bool {
	switch f {
	case FacetMode, FacetKind, FacetUnit, FacetMeasure:
		return false
	}
	return true
}

// MultiValued reports whether a node may hold several values of the facet
// (a person's affiliations, a claim's about).
func (f Facet) MultiValued() bool { return f == FacetAffiliation || f == FacetAbout }

// MaxFacetValue caps the bytes of a facet value: longer values (after
// FoldFacet) are not indexed, and a filter on one matches nothing.
const MaxFacetValue = 512

// FoldFacet folds a string facet value (mode, kind, unit, measure) the way
// both the stored values and a filter's values are compared: lower case,
// accents of Latin letters and combining marks dropped, runs of white
// space one space, trimmed.
func FoldFacet(s string) string {
	if foldedFacet(s) {
		return s
	}
	return foldFacet(s)
}

// foldedFacet reports whether s is already folded as FoldFacet folds it
// and needs no copy: ASCII without capitals, words split by single spaces.
func foldedFacet(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80 || 'A' <= c && c <= 'Z' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' '):
			return false
		}
	}
	return true
}

// foldFacet is FoldFacet's general case.
func foldFacet(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if base, ok := LatinBase(r); ok {
			b.WriteString(base)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// NormalFacetValue returns a value of a string facet (mode, kind, unit,
// measure) as stored and compared: FoldFacet of it, for units of its
// NormaliseUnit ("%" and "per cent" are "percent"). Values of reference
// facets are returned as given.
func NormalFacetValue(f Facet, v string) string {
	switch {
	case f.Reference():
		return v
	case f == FacetUnit:
		return FoldFacet(NormaliseUnit(v))
	}
	return FoldFacet(v)
}

// FacetValues returns the values that n holds for each facet of its kind,
// as a Selection matches them: reference facets hold the key each
// reference resolves to (canon), string facets NormalFacetValue of the
// field; empty and overlong values are left out, duplicates dropped. The
// publisher of a quote or figure is the publisher of its source: publisher
// returns the publisher field (unresolved, "" for none) of the source with
// the (resolved) key. Both stores index exactly these values.
func FacetValues(ctx context.Context, n Node, canon func(ctx context.Context, key string) (string, error),
	publisher func(ctx context.Context, source string) (string, error)) (map[Facet][]string, error) {
	out := map[Facet][]string{}
	var err error
	add := func(f Facet, v string) {
		if err != nil || v == "" {
			return
		}
		if f.Reference() {
			v, err = canon(ctx, v)
			if err != nil || v == "" {
				return
			}
		} else {
			v = NormalFacetValue(f, v)
		}
		if v == "" || len(v) > MaxFacetValue || slices.Contains(out[f], v) {
			return
		}
		out[f] = append(out[f], v)
	}
	sourcePublisher := func(src string) {
		if err != nil || src == "" {
			return
		}
		var s, p string
		if s, err = canon(ctx, src); err != nil {
			return
		}
		if p, err = publisher(ctx, s); err != nil {
			return
		}
		add(FacetPublisher, p)
	}
	switch n := n.(type) {
	case *Person:
		for _, a := range n.Affiliations {
			add(FacetAffiliation, a.Organisation)
		}
	case *Organisation:
		add(FacetKind, n.Kind)
		add(FacetParent, n.Parent)
	case *Source:
		add(FacetKind, n.Kind)
		add(FacetPublisher, n.Publisher)
	case *Quote:
		add(FacetSpeaker, n.Speaker)
		add(FacetSource, n.Source)
		add(FacetMode, n.Mode)
		sourcePublisher(n.Source)
	case *Claim:
		for _, a := range n.About {
			add(FacetAbout, a)
		}
	case *Figure:
		add(FacetSource, n.Source)
		add(FacetUnit, n.Unit)
		add(FacetMeasure, n.Measure)
		add(FacetStatedBy, n.StatedBy)
		sourcePublisher(n.Source)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FacetFilter keeps the nodes whose facet has any of the values (OR within
// one filter; the filters of a Selection are ANDed). An empty Values list
// matches nothing.
type FacetFilter struct {
	Facet  Facet
	Values []string
}

// Order is the order of a selection's keys.
type Order string

// Orders. OrderKey is node key order (bytewise). OrderValue is the order of
// the kind's value (ValueKinds: said_at for quotes, published_at for
// sources, value for figures; other kinds have none, and OrderValue on
// them is invalid), ties broken by key. Nodes without the value (a quote
// without said_at) come after all others in both directions, among
// themselves in key order. Desc reverses the order of each part: the nodes
// with a value latest (or largest) first, ties by key descending, then the
// nodes without a value in descending key order.
const (
	OrderKey   Order = "key"
	OrderValue Order = "value"
)

// ValueKinds lists the kinds that have an order value, and which field it is.
var ValueKinds = map[Kind]string{
	KindQuote:  "said_at",
	KindSource: "published_at",
	KindFigure: "value",
}

// TimeSortValue maps an instant to an integer of the same order: Unix
// nanoseconds, with the sign bit flipped so that unsigned order is time
// order. Instants outside the range of int64 nanoseconds (years 1678 to
// 2262) are clamped to it. Stores keep dates in this form, so both stores
// compare dates, bounds included, on the same integers.
func TimeSortValue(t time.Time) uint64 {
	var n int64
	switch sec := t.Unix(); {
	case sec < math.MinInt64/int64(time.Second):
		n = math.MinInt64
	case sec > math.MaxInt64/int64(time.Second)-1:
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	return uint64(n) ^ 1<<63
}

// SortValueTime inverts TimeSortValue (in UTC).
func SortValueTime(v uint64) time.Time { return time.Unix(0, int64(v^1<<63)).UTC() }

// FloatSortValue maps a number to an integer of the same order (IEEE 754
// bits, sign flipped for positive numbers, all bits for negative ones);
// -0 maps as 0.
func FloatSortValue(f float64) uint64 {
	if f == 0 {
		f = 0 // -0 sorts as 0
	}
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

// NodeSortValue returns the order value of a node as a sort value: the
// TimeSortValue of a quote's said_at or a source's published_at (parsed
// with ParseDate: a date is midnight UTC, a month or year its first
// instant), the FloatSortValue of a figure's value. ok is false when the
// node has no value (no date, or one that does not parse) and for kinds
// without one.
func NodeSortValue(n Node) (v uint64, ok bool) {
	date := func(s string) (uint64, bool) {
		if s == "" {
			return 0, false
		}
		t, _, err := ParseDate(s)
		if err != nil {
			return 0, false
		}
		return TimeSortValue(t), true
	}
	switch n := n.(type) {
	case *Quote:
		return date(n.SaidAt)
	case *Source:
		return date(n.PublishedAt)
	case *Figure:
		if math.IsNaN(n.Value) {
			return 0, false
		}
		return FloatSortValue(n.Value), true
	}
	return 0, false
}

// SelectTexts returns the texts of a node that Selection.Text matches
// against: the text of quotes, claims and figures; the title and text of
// sources; the name and aliases of people and organisations.
func SelectTexts(n Node) []string {
	switch n := n.(type) {
	case *Person:
		return append([]string{n.Name}, n.Aliases...)
	case *Organisation:
		return append([]string{n.Name}, n.Aliases...)
	case *Source:
		return []string{n.Title, n.Text}
	case *Quote:
		return []string{n.Text}
	case *Claim:
		return []string{n.Text}
	case *Figure:
		return []string{n.Text}
	}
	return nil
}

// SelectTextFields returns the search fields (see SearchField) that hold
// the SelectTexts of a kind.
func SelectTextFields(k Kind) []SearchField {
	switch k {
	case KindPerson, KindOrganisation:
		return []SearchField{SearchName, SearchAlias}
	case KindSource:
		return []SearchField{SearchTitle, SearchText}
	case KindQuote, KindClaim, KindFigure:
		return []SearchField{SearchText}
	}
	return nil
}

// TextTerms returns the distinct terms (Analyze) of a text filter, in
// order of first occurrence.
func TextTerms(text string) []string {
	var out []string
	for _, t := range Analyze(text) {
		if !slices.Contains(out, t.Term) {
			out = append(out, t.Term)
		}
	}
	return out
}

// MaxTextTerm caps the bytes of a term of Selection.Text (the search
// index does not hold longer terms).
const MaxTextTerm = 256

// TextMatches reports whether one of texts matches a text filter: its
// folded form contains the folded filter (fold is the store's fold of
// whoSaid: case, accents, spacing, quote-mark style) and its terms
// (Analyze) include every term of the filter, so that the filter's words
// match whole words. terms is TextTerms of the filter, needle its folded
// form.
func TextMatches(texts []string, needle string, terms []string, fold func(string) string) bool {
	for _, v := range texts {
		if v == "" || !strings.Contains(fold(v), needle) {
			continue
		}
		have := map[string]bool{}
		for _, t := range Analyze(v) {
			have[t.Term] = true
		}
		all := true
		for _, t := range terms {
			all = all && have[t]
		}
		if all {
			return true
		}
	}
	return false
}

// Selection selects nodes of one kind through the indexes: the filtered
// root lists of the GraphQL API. Every filter is served by an index; the
// keys come in Order (Desc reverses it) and page with keyset cursors.
// Retracted nodes are listed like the others (they are records).
type Selection struct {
	// Kind is the kind listed.
	Kind Kind
	// Facets are ANDed; each keeps nodes with any of its values.
	Facets []FacetFilter
	// Text keeps the nodes one of whose texts (SelectTexts: quotes, claims,
	// figures: text; sources: title or text; people and organisations:
	// name or an alias) contains these words as whole words and in this
	// order, compared as whoSaid compares them (folded for case, accents,
	// spacing and quote-mark style; see TextMatches): "crime is way down"
	// matches "Crime is way down, he said" but "rime is way do" does not.
	// Empty: no filter. A text without words is invalid.
	Text string
	// From and To bound the order value of quotes and sources (said_at,
	// published_at) to [From, To); zero means unbounded. A bound excludes
	// nodes without the value. A one-day range is [day, day+1).
	From, To time.Time
	// Min and Max bound a figure's value to [Min, Max]; nil means
	// unbounded.
	Min, Max *float64
	// Order is OrderKey (default when no range is set) or OrderValue
	// (default when From, To, Min or Max is set). A range with OrderKey is
	// invalid.
	Order Order
	// Desc reverses the order (see OrderValue for nodes without a value).
	Desc bool
	// After is a cursor of a previous page (SelectPage.Cursors); "" starts
	// at the beginning. It marks a position in the kind's order, so it
	// continues in either direction; a cursor of another kind or order, or
	// one that does not decode, is invalid.
	After string
	// Limit caps the keys returned; 0 returns none (useful with Count).
	// A negative Limit is invalid.
	Limit int
	// Count asks for Total: the number of matching nodes, ignoring After
	// and Limit.
	Count bool
}

// HasRange reports whether the selection bounds the order value.
func (s Selection) HasRange() bool {
	return !s.From.IsZero() || !s.To.IsZero() || s.Min != nil || s.Max != nil
}

// EffectiveOrder returns the order the selection lists in: Order, or when
// empty OrderValue if a range is set and OrderKey otherwise.
func (s Selection) EffectiveOrder() Order {
	switch {
	case s.Order != "":
		return s.Order
	case s.HasRange():
		return OrderValue
	}
	return OrderKey
}

// ValueBounds returns the range of the selection as inclusive bounds
// [lo, hi] on sort values (TimeSortValue, FloatSortValue): From and To
// give [TimeSortValue(From), TimeSortValue(To)-1], Min and Max
// [FloatSortValue(Min), FloatSortValue(Max)], a missing bound the end of
// the scale. ranged is false when the selection has no range; empty is
// true when no value can match.
func (s Selection) ValueBounds() (lo, hi uint64, ranged, empty bool) {
	lo, hi = 0, math.MaxUint64
	switch {
	case !s.From.IsZero() || !s.To.IsZero():
		if !s.From.IsZero() {
			lo = TimeSortValue(s.From)
		}
		if !s.To.IsZero() {
			hi = TimeSortValue(s.To)
			if hi == 0 {
				return lo, 0, true, true
			}
			hi--
		}
	case s.Min != nil || s.Max != nil:
		if s.Min != nil {
			lo = FloatSortValue(*s.Min)
		}
		if s.Max != nil {
			hi = FloatSortValue(*s.Max)
		}
	default:
		return 0, 0, false, false
	}
	return lo, hi, true, lo > hi
}

// ValidateSelection checks a selection: a valid kind; facets that apply
// to the kind; a text with words, none longer than MaxTextTerm bytes;
// From and To only on quotes and sources, Min and Max only on figures, a
// range only with OrderValue, From before To, Min not above Max, no NaN;
// OrderValue only on kinds with a value; a non-negative Limit; an After
// cursor of the selection's kind and order. The error wraps ErrInvalid and
// names the field.
func ValidateSelection(s Selection) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: selection %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	if !s.Kind.Valid() {
		return bad("kind", "%v is not a kind", s.Kind)
	}
	for i, f := range s.Facets {
		if _, known := FacetKinds[f.Facet]; !known {
			return bad(fmt.Sprintf("facets[%d]", i), "unknown facet %q", f.Facet)
		}
		if !f.Facet.AppliesTo(s.Kind) {
			return bad(fmt.Sprintf("facets[%d]", i), "facet %q does not apply to %s", f.Facet, s.Kind.Section())
		}
	}
	if s.Text != "" {
		terms := TextTerms(s.Text)
		if len(terms) == 0 {
			return bad("text", "%q has no words", clip(s.Text, 40))
		}
		for _, t := range terms {
			if len(t) > MaxTextTerm {
				return bad("text", "the word %q is longer than %d bytes", clip(t, 40), MaxTextTerm)
			}
		}
	}
	_, hasValue := ValueKinds[s.Kind]
	dates := !s.From.IsZero() || !s.To.IsZero()
	numbers := s.Min != nil || s.Max != nil
	switch {
	case dates && s.Kind != KindQuote && s.Kind != KindSource:
		return bad("from/to", "%s have no date to bound (only quotes and sources)", s.Kind.Section())
	case numbers && s.Kind != KindFigure:
		return bad("min/max", "%s have no value to bound (only figures)", s.Kind.Section())
	case !s.From.IsZero() && !s.To.IsZero() && !s.From.Before(s.To):
		return bad("from/to", "from %s is not before to %s", s.From.Format(time.RFC3339Nano), s.To.Format(time.RFC3339Nano))
	case s.Min != nil && math.IsNaN(*s.Min), s.Max != nil && math.IsNaN(*s.Max):
		return bad("min/max", "NaN is not a bound")
	case s.Min != nil && s.Max != nil && *s.Min > *s.Max:
		return bad("min/max", "min %v is above max %v", *s.Min, *s.Max)
	}
	switch s.Order {
	case "", OrderKey, OrderValue:
	default:
		return bad("order", "unknown order %q", s.Order)
	}
	order := s.EffectiveOrder()
	if order == OrderKey && s.HasRange() {
		return bad("order", "a range (from, to, min, max) lists in value order, not key order")
	}
	if order == OrderValue && !hasValue {
		return bad("order", "%s have no value to order by", s.Kind.Section())
	}
	if s.Limit < 0 {
		return bad("limit", "%d is negative", s.Limit)
	}
	if s.After != "" {
		c, err := ParseSelectCursor(s.After)
		if err != nil {
			return bad("after", "%v", err)
		}
		if c.Kind != s.Kind || c.Order != order {
			return bad("after", "the cursor is one of %s in %s order, not of %s in %s order", c.Kind.Section(), c.Order, s.Kind.Section(), order)
		}
	}
	return nil
}

// SelectCursor is the position that a Selection cursor encodes: a node's
// place in the order of its kind.
type SelectCursor struct {
	Kind  Kind
	Order Order
	// HasValue and Value are the node's order value (NodeSortValue), for
	// OrderValue.
	HasValue bool
	Value    uint64
	// Key is the node's key.
	Key string
}

// selectCursorV1 is the first byte of an encoded SelectCursor.
const selectCursorV1 = 1

// String encodes the cursor: base64url (unpadded) of a version byte, the
// kind, the order ('k' or 'v'), for OrderValue a byte (1: a value follows,
// 2: none) and the 8 bytes of the value, then the key.
func (c SelectCursor) String() string {
	b := []byte{selectCursorV1, byte(c.Kind)}
	if c.Order == OrderValue {
		b = append(b, 'v')
		if c.HasValue {
			b = binary.BigEndian.AppendUint64(append(b, 1), c.Value)
		} else {
			b = append(b, 2)
		}
	} else {
		b = append(b, 'k')
	}
	return base64.RawURLEncoding.EncodeToString(append(b, c.Key...))
}

// errBadCursor is the error of a cursor that does not decode.
var errBadCursor = errors.New("not a cursor of a selection")

// ParseSelectCursor decodes a cursor that SelectCursor.String made.
func ParseSelectCursor(s string) (SelectCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 3 || b[0] != selectCursorV1 || !Kind(b[1]).Valid() {
		return SelectCursor{}, errBadCursor
	}
	c := SelectCursor{Kind: Kind(b[1])}
	switch b[2] {
	case 'k':
		c.Order, b = OrderKey, b[3:]
	case 'v':
		c.Order = OrderValue
		switch {
		case len(b) >= 12 && b[3] == 1:
			c.HasValue, c.Value, b = true, binary.BigEndian.Uint64(b[4:12]), b[12:]
		case len(b) >= 4 && b[3] == 2:
			b = b[4:]
		default:
			return SelectCursor{}, errBadCursor
		}
	default:
		return SelectCursor{}, errBadCursor
	}
	if len(b) == 0 || len(b) > 128 {
		return SelectCursor{}, errBadCursor
	}
	c.Key = string(b)
	return c, nil
}

// Compare orders two positions of one kind and order as a Selection lists
// them (desc: Desc), returning -1, 0 or +1.
func (c SelectCursor) Compare(d SelectCursor, desc bool) int {
	sign := 1
	if desc {
		sign = -1
	}
	if c.Order == OrderValue {
		switch {
		case c.HasValue && !d.HasValue:
			return -1
		case !c.HasValue && d.HasValue:
			return 1
		case c.HasValue && c.Value != d.Value:
			if c.Value < d.Value {
				return -sign
			}
			return sign
		}
	}
	return sign * strings.Compare(c.Key, d.Key)
}

// SelectPage is one page of a Selection.
type SelectPage struct {
	// Keys are the node keys, in order.
	Keys []string
	// Cursors holds one opaque keyset cursor per key: passing it as After
	// continues after that key.
	Cursors []string
	// More reports whether keys follow the last one returned (with Limit
	// 0: whether any key follows the cursor).
	More bool
	// Total is the number of matching nodes when Selection.Count is set,
	// -1 otherwise.
	Total int
}

// Grouping names an aggregation of a selection.
type Grouping string

// Groupings, and the kinds they apply to.
const (
	// GroupSpeaker: quotes counted by speaker key ("" for none).
	GroupSpeaker Grouping = "speaker"
	// GroupPublisher: quotes, figures and sources counted by the key of
	// the publisher (of their source for quotes and figures; "" for none).
	GroupPublisher Grouping = "publisher"
	// GroupMonth: quotes by the month of said_at, sources by the month of
	// published_at, as "2006-01" in UTC ("" for none).
	GroupMonth Grouping = "month"
	// GroupMeasure: figures by measure, folded as FoldFacet folds it (""
	// for none).
	GroupMeasure Grouping = "measure"
	// GroupUnit: figures by unit, normalised (NormalFacetValue).
	GroupUnit Grouping = "unit"
	// GroupKind: sources and organisations by kind ("" for none).
	GroupKind Grouping = "kind"
)

// GroupingKinds lists, for each grouping, the kinds it applies to.
var GroupingKinds = map[Grouping][]Kind{
	GroupSpeaker:   {KindQuote},
	GroupPublisher: {KindQuote, KindFigure, KindSource},
	GroupMonth:     {KindQuote, KindSource},
	GroupMeasure:   {KindFigure},
	GroupUnit:      {KindFigure},
	GroupKind:      {KindSource, KindOrganisation},
}

// Facet returns the facet whose values a grouping counts; false for
// GroupMonth, which counts months of the order value.
func (g Grouping) Facet() (Facet, bool) {
	switch g {
	case GroupSpeaker:
		return FacetSpeaker, true
	case GroupPublisher:
		return FacetPublisher, true
	case GroupMeasure:
		return FacetMeasure, true
	case GroupUnit:
		return FacetUnit, true
	case GroupKind:
		return FacetKind, true
	}
	return "", false
}

// SortValueMonth returns the month ("2006-01", UTC) of a date sort value.
func SortValueMonth(v uint64) string { return SortValueTime(v).Format("2006-01") }

// ValidateAggregate checks an aggregation: a valid selection (its Order,
// After, Limit and Count are ignored), a grouping that applies to the
// kind and a non-negative limit. The error wraps ErrInvalid.
func ValidateAggregate(s Selection, by Grouping, limit int) error {
	s.Order, s.After, s.Limit, s.Count = "", "", 0, false
	if err := ValidateSelection(s); err != nil {
		return err
	}
	if !slices.Contains(GroupingKinds[by], s.Kind) {
		return fmt.Errorf("%w: aggregate by %q: not a grouping of %s", ErrInvalid, by, s.Kind.Section())
	}
	if limit < 0 {
		return fmt.Errorf("%w: aggregate limit %d is negative", ErrInvalid, limit)
	}
	return nil
}

// SortGroups orders groups by count descending, then value ascending, and
// keeps the first limit (0: all).
func SortGroups(gs []Group, limit int) []Group {
	slices.SortFunc(gs, func(a, b Group) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	if limit > 0 && len(gs) > limit {
		gs = gs[:limit]
	}
	return gs
}

// Group is one group of an aggregation: a value and how many selected
// nodes have it.
type Group struct {
	Value string
	Count int
}

// Selector is implemented by readers that serve filtered root lists and
// their aggregations (every Reader of this project does).
type Selector interface {
	// Select returns one page of the selection. An invalid selection
	// (ValidateSelection) returns an error wrapping ErrInvalid that names
	// the field.
	Select(ctx context.Context, s Selection) (SelectPage, error)
	// Aggregate counts the nodes the selection matches (ignoring Order,
	// After, Limit and Count) by the grouping, largest count first, ties
	// by value; at most limit groups (0: all). Nodes without a value of
	// the grouping count under "" (a group like the others). Invalid
	// input (ValidateAggregate) returns an error wrapping ErrInvalid.
	Aggregate(ctx context.Context, s Selection, by Grouping, limit int) ([]Group, error)
}
