package graph

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// KeyPattern is the regular expression every key matches: a lower-case
// letter or digit, then up to 127 lower-case letters, digits, '.', '_', ':'
// or '-'. ValidKey implements it without a regexp.
const KeyPattern = `^[a-z0-9][a-z0-9._:-]{0,127}$`

// ValidKey reports whether s matches KeyPattern.
func ValidKey(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == ':' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// DatePrecision says how much of a date was given.
type DatePrecision uint8

// Date precisions, coarsest first.
const (
	PrecisionYear    DatePrecision = 1 // 2026
	PrecisionMonth   DatePrecision = 2 // 2026-01
	PrecisionDay     DatePrecision = 3 // 2026-01-26
	PrecisionInstant DatePrecision = 4 // 2026-01-26T19:47:00Z
)

// String names the precision ("day").
func (p DatePrecision) String() string {
	switch p {
	case PrecisionYear:
		return "year"
	case PrecisionMonth:
		return "month"
	case PrecisionDay:
		return "day"
	case PrecisionInstant:
		return "instant"
	}
	return fmt.Sprintf("precision(%d)", uint8(p))
}

// ParseDate parses a bundle date: an RFC 3339 date-time
// ("2026-01-26T19:47:00Z", "2026-01-26T13:47:00-06:00"), a date
// ("2026-01-26"), a month ("2026-01") or a year ("2026"). It returns the
// start of what was given, in UTC (a date means that day, UTC), and the
// precision. Validate accepts day and instant precision for said_at,
// published_at, updated_at, retrieved_at, affiliation from and to, and link
// at; periods (see ParsePeriod) accept all four.
func ParseDate(s string) (time.Time, DatePrecision, error) {
	bad := func() (time.Time, DatePrecision, error) {
		return time.Time{}, 0, fmt.Errorf("%q is not a date (want YYYY-MM-DD or an RFC 3339 date-time such as 2026-01-26T19:47:00Z)", clip(s, 40))
	}
	digits := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, len(s) > 0
	}
	if len(s) > 10 {
		if s[10] != 'T' {
			return bad()
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return bad()
		}
		return t.UTC(), PrecisionInstant, nil
	}
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return bad()
	}
	y, ok := digits(s[:4])
	if !ok {
		return bad()
	}
	if len(s) == 4 {
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), PrecisionYear, nil
	}
	m, ok := digits(s[5:7])
	if s[4] != '-' || !ok || m < 1 || m > 12 {
		return bad()
	}
	if len(s) == 7 {
		return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC), PrecisionMonth, nil
	}
	d, ok := digits(s[8:10])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if s[7] != '-' || !ok || d < 1 || t.Day() != d {
		return bad()
	}
	return t, PrecisionDay, nil
}

// dateEnd returns the end of the period that starts at t with precision p
// (an instant ends where it starts).
func dateEnd(t time.Time, p DatePrecision) time.Time {
	switch p {
	case PrecisionYear:
		return t.AddDate(1, 0, 0)
	case PrecisionMonth:
		return t.AddDate(0, 1, 0)
	case PrecisionDay:
		return t.AddDate(0, 0, 1)
	}
	return t
}

// ParsePeriod parses a figure's period or baseline: a date of any precision
// that ParseDate reads ("2026", "2026-01", "2026-01-26", a date-time), or an
// interval "A/B" of two of them ("2025-12/2026-01"). It returns the
// half-open interval [from, to) it covers in UTC: "2026-01" is
// [2026-01-01, 2026-02-01), "2025-12/2026-01" is [2025-12-01, 2026-02-01); a
// single date-time gives from == to. An interval that ends before it starts
// is an error.
func ParsePeriod(s string) (from, to time.Time, err error) {
	a, b, interval := strings.Cut(s, "/")
	fa, pa, err := ParseDate(a)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%q is not a period (want YYYY, YYYY-MM, YYYY-MM-DD, a date-time, or an interval A/B of those)", clip(s, 40))
	}
	if !interval {
		return fa, dateEnd(fa, pa), nil
	}
	fb, pb, err := ParseDate(b)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%q is not a period (want YYYY, YYYY-MM, YYYY-MM-DD, a date-time, or an interval A/B of those)", clip(s, 40))
	}
	if fb.Before(fa) {
		return time.Time{}, time.Time{}, fmt.Errorf("period %q ends before it starts", clip(s, 40))
	}
	return fa, dateEnd(fb, pb), nil
}

// kindSet is a set of kinds, one bit per kind.
type kindSet uint8

const (
	agentKinds kindSet = 1<<KindPerson | 1<<KindOrganisation
	anyKind    kindSet = 1<<KindPerson | 1<<KindOrganisation | 1<<KindSource | 1<<KindQuote | 1<<KindClaim | 1<<KindFigure
)

func kinds(ks ...Kind) kindSet {
	var s kindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

func (s kindSet) has(k Kind) bool { return k.Valid() && s&(1<<k) != 0 }

func (s kindSet) String() string {
	switch s {
	case anyKind:
		return "any node"
	case agentKinds:
		return "a person or organisation"
	}
	var names []string
	for _, k := range Kinds {
		if s.has(k) {
			names = append(names, article(k))
		}
	}
	return strings.Join(names, " or ")
}

// article returns "a person", "an organisation".
func article(k Kind) string {
	if k == KindOrganisation {
		return "an organisation"
	}
	return "a " + k.String()
}

// refSpec is one reference a node field holds, with its field path and the
// kinds it may point to.
type refSpec struct {
	// The field path: field, or when indexed, field[idx] then sub (built
	// by name only for a problem).
	field   string
	idx     int
	sub     string
	indexed bool
	to      string
	want    kindSet
	// always: an empty value is reported (list elements, required nested
	// fields); single optional fields are listed only when set.
	always bool
}

// name returns the reference's field path.
func (r refSpec) name() string {
	if !r.indexed {
		return r.field
	}
	return r.field + "[" + strconv.Itoa(r.idx) + "]" + r.sub
}

// eachRefSpec calls fn with the references of n in field order, matching
// n.Refs().
func eachRefSpec(n Node, fn func(refSpec)) {
	one := func(field, to string, want kindSet) {
		if to != "" {
			fn(refSpec{field: field, to: to, want: want})
		}
	}
	list := func(field string, tos []string, want kindSet) {
		for i, to := range tos {
			fn(refSpec{field: field, idx: i, indexed: true, to: to, want: want, always: true})
		}
	}
	switch v := n.(type) {
	case *Person:
		for i, a := range v.Affiliations {
			fn(refSpec{field: "affiliations", idx: i, sub: ".organisation", indexed: true, to: a.Organisation, want: kinds(KindOrganisation), always: true})
		}
	case *Organisation:
		one("parent", v.Parent, kinds(KindOrganisation))
	case *Source:
		one("publisher", v.Publisher, kinds(KindOrganisation))
		list("authors", v.Authors, agentKinds)
		for i, d := range v.DerivedFrom {
			fn(refSpec{field: "derived_from", idx: i, sub: ".source", indexed: true, to: d.Source, want: kinds(KindSource), always: true})
		}
	case *Quote:
		one("speaker", v.Speaker, agentKinds)
		fn(refSpec{field: "source", to: v.Source, want: kinds(KindSource), always: true})
		one("channel", v.Channel, kinds(KindSource))
		one("reported_by", v.ReportedBy, kinds(KindQuote))
		list("claims", v.Claims, kinds(KindClaim))
	case *Claim:
		list("about", v.About, anyKind)
	case *Figure:
		one("stated_by", v.StatedBy, agentKinds)
		one("source", v.Source, kinds(KindSource))
		list("derived_from", v.DerivedFrom, anyKind)
	}
}

// srcText is what validation and Prepare know of a source's text.
type srcText struct {
	text    string
	hasText bool
	hash    string // given, or computed from text
	runes   []rune // lazily
}

func (s *srcText) codePoints() []rune {
	if s.runes == nil {
		s.runes = []rune(s.text)
	}
	return s.runes
}

// validator collects the problems of one Validate.
type validator struct {
	b          *Bundle
	r          Reader
	nodePlaces []Place
	linkPlaces []Place
	index      map[string]int // key -> index of its first node
	problems   []Problem
}

// pendingRef is a reference to a key that is not in the bundle.
type pendingRef struct {
	place Place
	key   string
	ref   refSpec
}

// Validate checks the bundle against itself and, through r (which may be
// nil), against the records already stored. It returns nil, a
// *ValidationError listing every problem sorted by place, or the error of a
// failed read of r. It checks:
//
//   - keys: present, matching KeyPattern, unique across all kinds in the
//     bundle (the later record is reported and names the earlier one), and
//     not stored as another kind (CodeKindChange);
//   - required fields (Decode reports them too; Validate checks bundles
//     built in code);
//   - references: every key a field holds resolves to a record of the
//     bundle or of the store (one r.Kinds call for all keys) of an allowed
//     kind: speaker, stated_by and authors to a person or organisation;
//     publisher, parent and affiliations to an organisation; source, channel
//     and a source's derived_from to a source; reported_by to a quote;
//     claims to a claim; a claim's about, a figure's derived_from and both
//     ends of a link to any node. No record refers to itself, and
//     reported_by and parent chains within the bundle have no cycle;
//   - enumerations (kind.go) and dates: said_at, published_at, updated_at,
//     retrieved_at, affiliation from and to, link at are dates or RFC 3339
//     date-times; period and baseline are periods (ParsePeriod);
//   - figures: value and value_max finite, value_max not below value;
//   - links: relation, a reason only on contradicts, no self link, no
//     (from, relation, to) twice;
//   - spans: start >= 0 and end > start; when the source's text is known
//     (in the bundle, or stored and read with one r.Nodes call) the span
//     lies within it in code points, the record's text equals the spanned
//     text, and a given prefix or suffix matches the text around it; a
//     span's content_sha256 matches the source's hash; a source's
//     content_sha256 is the SHA-256 of its text.
func Validate(ctx context.Context, b *Bundle, r Reader) error {
	if b == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	v := &validator{b: b, r: r, index: make(map[string]int, len(b.Nodes))}
	v.places()
	// Keys, in order: the first record of a key is the one indexed.
	for i, n := range b.Nodes {
		p := v.nodePlaces[i]
		if checkNode(n) != nil {
			v.problem(p, "", "", CodeRequired, "record is missing (%T)", n)
			continue
		}
		key := n.NodeKey()
		switch {
		case key == "":
			v.problem(p, "", "key", CodeRequired, "key is required")
		case !ValidKey(key):
			v.problem(p, key, "key", CodeBadKey, "key %q does not match %s", clip(key, 40), KeyPattern)
		default:
			if j, dup := v.index[key]; dup {
				v.problem(p, key, "key", CodeDuplicate, "key %q is also used by %s at %s", key, article(b.Nodes[j].NodeKind()), v.nodePlaces[j])
			} else {
				v.index[key] = i
			}
		}
	}
	// Fields and references within the bundle.
	pending := v.nodeChecks()
	v.links(&pending)
	v.cycles()
	// The store: kinds of the bundle's keys and of unresolved references.
	stored := map[string]Kind{}
	if r != nil {
		seen := map[string]bool{}
		var keys []string
		for key := range v.index {
			keys = append(keys, key)
			seen[key] = true
		}
		for _, pr := range pending {
			if !seen[pr.ref.to] {
				seen[pr.ref.to] = true
				keys = append(keys, pr.ref.to)
			}
		}
		sort.Strings(keys)
		if len(keys) > 0 {
			var err error
			if stored, err = r.Kinds(ctx, keys); err != nil {
				return fmt.Errorf("validate: read kinds: %w", err)
			}
		}
		for i, n := range b.Nodes {
			if checkNode(n) != nil || v.index[n.NodeKey()] != i {
				continue
			}
			if k, ok := stored[n.NodeKey()]; ok && k != n.NodeKind() {
				v.problem(v.nodePlaces[i], n.NodeKey(), "key", CodeKindChange, "key %q is stored as %s; it cannot become %s", n.NodeKey(), article(k), article(n.NodeKind()))
			}
		}
	}
	for _, pr := range pending {
		k, ok := stored[pr.ref.to]
		switch {
		case !ok && r == nil:
			v.problem(pr.place, pr.key, pr.ref.name(), CodeDangling, "%s %q: no record in the bundle has this key", pr.ref.name(), pr.ref.to)
		case !ok:
			v.problem(pr.place, pr.key, pr.ref.name(), CodeDangling, "%s %q: no record in the bundle or the store has this key", pr.ref.name(), pr.ref.to)
		case !pr.ref.want.has(k):
			v.problem(pr.place, pr.key, pr.ref.name(), CodeWrongKind, "%s %q is %s (stored); want %s", pr.ref.name(), pr.ref.to, article(k), pr.ref.want)
		}
	}
	if err := v.spans(ctx, stored); err != nil {
		return err
	}
	if len(v.problems) == 0 {
		return nil
	}
	sortProblems(v.problems)
	return &ValidationError{Problems: v.problems}
}

// parallelNodes is the number of records from which Validate checks the
// records' fields and references on several cores, at least this many
// each; a variable for tests.
var parallelNodes = 8192

// nodeChecks checks every record's fields and its references within the
// bundle (which read the index only), and returns the references to keys
// the bundle lacks. A large bundle is checked in parts on every core, and
// the parts' problems and references are joined in record order, as one
// pass over the records would give them (so every record's problems come
// in the same order: its key's, its fields', its references').
func (v *validator) nodeChecks() []pendingRef {
	check := func(w *validator, lo, hi int) []pendingRef {
		var pending []pendingRef
		for i := lo; i < hi; i++ {
			n := w.b.Nodes[i]
			if checkNode(n) != nil {
				continue
			}
			p, key := w.nodePlaces[i], n.NodeKey()
			w.fields(p, n)
			eachRefSpec(n, func(ref refSpec) {
				if pr, ok := w.ref(p, key, ref, key); !ok {
					pending = append(pending, pr)
				}
			})
		}
		return pending
	}
	nodes := len(v.b.Nodes)
	parts := min(runtime.GOMAXPROCS(0), nodes/max(1, parallelNodes))
	if parts < 2 {
		return check(v, 0, nodes)
	}
	type result struct {
		problems []Problem
		pending  []pendingRef
	}
	results := make([]result, parts)
	var wg sync.WaitGroup
	for part := range parts {
		wg.Go(func() {
			w := &validator{b: v.b, r: v.r, nodePlaces: v.nodePlaces, linkPlaces: v.linkPlaces, index: v.index}
			pending := check(w, part*nodes/parts, (part+1)*nodes/parts)
			results[part] = result{w.problems, pending}
		})
	}
	wg.Wait()
	var pending []pendingRef
	for _, r := range results {
		v.problems = append(v.problems, r.problems...)
		pending = append(pending, r.pending...)
	}
	return pending
}

// places fills nodePlaces and linkPlaces from the bundle, or as
// section[index] when the bundle was built in code.
func (v *validator) places() {
	b := v.b
	if len(b.NodePlaces) == len(b.Nodes) {
		v.nodePlaces = b.NodePlaces
	} else {
		var count [KindFigure + 1]int
		v.nodePlaces = make([]Place, len(b.Nodes))
		for i, n := range b.Nodes {
			if checkNode(n) != nil {
				v.nodePlaces[i] = Place{Section: "nodes", Index: i}
				continue
			}
			k := n.NodeKind()
			v.nodePlaces[i] = Place{Section: k.Section(), Index: count[k]}
			count[k]++
		}
	}
	if len(b.LinkPlaces) == len(b.Links) {
		v.linkPlaces = b.LinkPlaces
	} else {
		v.linkPlaces = make([]Place, len(b.Links))
		for i := range b.Links {
			v.linkPlaces[i] = Place{Section: linksSection, Index: i}
		}
	}
}

func (v *validator) problem(p Place, key, field, code, format string, args ...any) {
	v.problems = append(v.problems, Problem{Place: p, Key: clip(key, 130), Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// ref checks one reference against the bundle. It returns false, with the
// pending reference, when the key is not in the bundle.
func (v *validator) ref(p Place, key string, ref refSpec, self string) (pendingRef, bool) {
	switch {
	case ref.to == "":
		if ref.always {
			v.problem(p, key, ref.name(), CodeRequired, "%s is empty", ref.name())
		}
		return pendingRef{}, true
	case !ValidKey(ref.to):
		v.problem(p, key, ref.name(), CodeBadKey, "%s %q is not a valid key (%s)", ref.name(), clip(ref.to, 40), KeyPattern)
		return pendingRef{}, true
	case ref.to == self:
		v.problem(p, key, ref.name(), CodeSelfLink, "%s %q refers to the record itself", ref.name(), ref.to)
		return pendingRef{}, true
	}
	j, ok := v.index[ref.to]
	if !ok {
		return pendingRef{place: p, key: key, ref: ref}, false
	}
	if k := v.b.Nodes[j].NodeKind(); !ref.want.has(k) {
		v.problem(p, key, ref.name(), CodeWrongKind, "%s %q is %s (%s); want %s", ref.name(), ref.to, article(k), v.nodePlaces[j], ref.want)
	}
	return pendingRef{}, true
}

// required reports an empty required string field.
func (v *validator) required(p Place, key, field, val string) {
	if strings.TrimSpace(val) == "" {
		v.problem(p, key, field, CodeRequired, "%s is required", field)
	}
}

// enum reports a value outside its enumeration; empty values are absent.
func (v *validator) enum(p Place, key, field, val string, set []string) {
	if val != "" && !OneOf(val, set) {
		v.problem(p, key, field, CodeEnum, "%s %q is not one of %s", field, clip(val, 40), strings.Join(set, ", "))
	}
}

// date reports a value that is not a day or instant; it returns the start
// of the date and whether it parsed.
func (v *validator) date(p Place, key, field, val string) (time.Time, bool) {
	if val == "" {
		return time.Time{}, false
	}
	t, prec, err := ParseDate(val)
	if err == nil && prec < PrecisionDay {
		err = fmt.Errorf("%q is a %s; want a day (YYYY-MM-DD) or an RFC 3339 date-time", val, prec)
	}
	if err != nil {
		v.problem(p, key, field, CodeDate, "%s: %v", field, err)
		return time.Time{}, false
	}
	return t, true
}

// period reports a value that is not a period.
func (v *validator) period(p Place, key, field, val string) {
	if val == "" {
		return
	}
	if _, _, err := ParsePeriod(val); err != nil {
		v.problem(p, key, field, CodeDate, "%s: %v", field, err)
	}
}

// nonEmpty reports empty strings in a list of names.
func (v *validator) nonEmpty(p Place, key, field string, vals []string) {
	for i, s := range vals {
		if strings.TrimSpace(s) == "" {
			v.problem(p, key, fmt.Sprintf("%s[%d]", field, i), CodeRequired, "%s[%d] is empty", field, i)
		}
	}
}

// hash reports a content hash that is not 64 lower-case hex digits.
func (v *validator) hash(p Place, key, field, val string) bool {
	if val != "" && !validHash(val) {
		v.problem(p, key, field, CodeHash, "%s %q is not a SHA-256 in lower-case hex (64 digits)", field, clip(val, 72))
		return false
	}
	return true
}

// fields checks the fields of one node that need no other record.
func (v *validator) fields(p Place, n Node) {
	key := n.NodeKey()
	switch x := n.(type) {
	case *Person:
		v.required(p, key, "name", x.Name)
		v.nonEmpty(p, key, "aliases", x.Aliases)
		for i, a := range x.Affiliations {
			f := fmt.Sprintf("affiliations[%d].", i)
			from, okf := v.date(p, key, f+"from", a.From)
			to, okt := v.date(p, key, f+"to", a.To)
			if okf && okt && to.Before(from) {
				v.problem(p, key, f+"to", CodeDate, "%sto %s is before from %s", f, a.To, a.From)
			}
		}
	case *Organisation:
		v.required(p, key, "name", x.Name)
		v.nonEmpty(p, key, "aliases", x.Aliases)
		v.enum(p, key, "kind", x.Kind, OrganisationKinds)
	case *Source:
		if x.Kind == "" {
			v.problem(p, key, "kind", CodeRequired, "kind is required")
		}
		v.enum(p, key, "kind", x.Kind, SourceKinds)
		v.date(p, key, "published_at", x.PublishedAt)
		v.date(p, key, "updated_at", x.UpdatedAt)
		v.date(p, key, "retrieved_at", x.RetrievedAt)
		if v.hash(p, key, "content_sha256", x.ContentSHA256) && x.ContentSHA256 != "" && x.Text != "" {
			if got := ContentHash(x.Text); got != x.ContentSHA256 {
				v.problem(p, key, "content_sha256", CodeHash, "content_sha256 %s does not match the text, whose SHA-256 is %s", x.ContentSHA256, got)
			}
		}
		for i, d := range x.DerivedFrom {
			f := fmt.Sprintf("derived_from[%d].relation", i)
			if d.Relation == "" {
				v.problem(p, key, f, CodeRequired, "%s is required", f)
			}
			v.enum(p, key, f, d.Relation, DerivationRelations)
		}
	case *Quote:
		v.required(p, key, "text", x.Text)
		v.enum(p, key, "mode", x.Mode, QuoteModes)
		v.enum(p, key, "certainty", x.Certainty, Certainties)
		v.date(p, key, "said_at", x.SaidAt)
		v.spanRange(p, key, x.Span)
	case *Claim:
		v.required(p, key, "text", x.Text)
		v.nonEmpty(p, key, "topics", x.Topics)
	case *Figure:
		finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
		if !finite(x.Value) {
			v.problem(p, key, "value", CodeRange, "value %v is not a finite number", x.Value)
		}
		if x.ValueMax != nil {
			switch {
			case !finite(*x.ValueMax):
				v.problem(p, key, "value_max", CodeRange, "value_max %v is not a finite number", *x.ValueMax)
			case *x.ValueMax < x.Value:
				v.problem(p, key, "value_max", CodeRange, "value_max %v is below value %v", *x.ValueMax, x.Value)
			}
		}
		v.required(p, key, "unit", x.Unit)
		v.enum(p, key, "change", x.Change, Changes)
		v.period(p, key, "period", x.Period)
		v.period(p, key, "baseline", x.Baseline)
		if x.Span != nil && x.Source == "" {
			v.problem(p, key, "source", CodeRequired, "a figure with a span needs the source it points into")
		}
		v.spanRange(p, key, x.Span)
	}
}

// spanRange checks what a span says on its own.
func (v *validator) spanRange(p Place, key string, sp *Span) {
	if sp == nil {
		return
	}
	switch {
	case sp.Start < 0:
		v.problem(p, key, "span", CodeSpan, "span start %d is negative", sp.Start)
	case sp.End <= sp.Start:
		v.problem(p, key, "span", CodeSpan, "span end %d is not after start %d", sp.End, sp.Start)
	}
	v.hash(p, key, "span.content_sha256", sp.ContentSHA256)
}

// links checks the links.
func (v *validator) links(pending *[]pendingRef) {
	type id struct {
		from, to string
		rel      Relation
	}
	seen := make(map[id]int, len(v.b.Links))
	for i, l := range v.b.Links {
		p := v.linkPlaces[i]
		for _, ref := range []refSpec{{field: "from", to: l.From, want: anyKind, always: true}, {field: "to", to: l.To, want: anyKind, always: true}} {
			if pr, ok := v.ref(p, "", ref, ""); !ok {
				*pending = append(*pending, pr)
			}
		}
		if l.From != "" && l.From == l.To {
			v.problem(p, "", "to", CodeSelfLink, "link from %q to itself", clip(l.From, 40))
		}
		if l.Relation == "" {
			v.problem(p, "", "relation", CodeRequired, "relation is required")
		}
		v.enum(p, "", "relation", string(l.Relation), LinkRelations)
		if l.Reason != "" {
			if l.Relation != RelContradicts {
				v.problem(p, "", "reason", CodeEnum, "reason %q is only allowed on contradicts links, not on %s", clip(l.Reason, 40), clip(string(l.Relation), 40))
			} else {
				v.enum(p, "", "reason", l.Reason, ContradictionReasons)
			}
		}
		v.date(p, "", "at", l.At)
		k := id{l.From, l.To, l.Relation}
		if j, dup := seen[k]; dup {
			v.problem(p, "", "relation", CodeDuplicate, "link %s -%s-> %s is also at %s", clip(l.From, 40), clip(string(l.Relation), 40), clip(l.To, 40), v.linkPlaces[j])
		} else {
			seen[k] = i
		}
	}
}

// cycles reports reported_by and parent chains within the bundle that loop.
func (v *validator) cycles() {
	next := func(n Node) (string, string, bool) {
		switch x := n.(type) {
		case *Quote:
			if x != nil {
				return "reported_by", x.ReportedBy, true
			}
		case *Organisation:
			if x != nil {
				return "parent", x.Parent, true
			}
		}
		return "", "", false
	}
	// state: 0 unvisited, 1 on the current path, 2 done.
	state := make([]uint8, len(v.b.Nodes))
	for i := range v.b.Nodes {
		var path []int
		j := i
		for j >= 0 && state[j] == 0 {
			state[j] = 1
			path = append(path, j)
			field, to, ok := next(v.b.Nodes[j])
			j = -1
			if ok && to != "" && to != v.b.Nodes[path[len(path)-1]].NodeKey() {
				if k, in := v.index[to]; in {
					if f2, _, ok2 := next(v.b.Nodes[k]); ok2 && f2 == field {
						j = k
					}
				}
			}
		}
		if j >= 0 && state[j] == 1 {
			// path[m:] is a cycle: report it once, at its first record.
			m := 0
			for path[m] != j {
				m++
			}
			loop := path[m:]
			first := loop[0]
			for _, x := range loop {
				first = min(first, x)
			}
			keys := make([]string, 0, len(loop)+1)
			start := 0
			for loop[start] != first {
				start++
			}
			for q := 0; q <= len(loop); q++ {
				if q == 8 && len(loop) > 9 {
					keys = append(keys, fmt.Sprintf("… (%d more)", len(loop)-q))
					q = len(loop)
				}
				keys = append(keys, v.b.Nodes[loop[(start+q)%len(loop)]].NodeKey())
			}
			field, _, _ := next(v.b.Nodes[first])
			n := v.b.Nodes[first]
			v.problem(v.nodePlaces[first], n.NodeKey(), field, CodeCycle, "%s chain loops: %s", field, strings.Join(keys, " -> "))
		}
		for _, x := range path {
			state[x] = 2
		}
	}
}

// sourceTexts returns what the bundle knows of its sources' texts (the
// first source of each key).
func sourceTexts(b *Bundle, index map[string]int) map[string]*srcText {
	out := map[string]*srcText{}
	for i, n := range b.Nodes {
		s, ok := n.(*Source)
		if !ok || s == nil || (index != nil && index[s.Key] != i) {
			continue
		}
		if _, dup := out[s.Key]; dup {
			continue
		}
		out[s.Key] = newSrcText(s)
	}
	return out
}

func newSrcText(s *Source) *srcText {
	t := &srcText{text: s.Text, hasText: s.Text != ""}
	switch {
	case t.hasText:
		t.hash = ContentHash(s.Text)
	case validHash(s.ContentSHA256):
		t.hash = s.ContentSHA256
	}
	return t
}

// spans checks spans against their sources' texts, reading stored sources
// through v.r.
func (v *validator) spans(ctx context.Context, stored map[string]Kind) error {
	texts := sourceTexts(v.b, v.index)
	if v.r != nil {
		var keys []string
		for _, n := range v.b.Nodes {
			src, sp := spanOf(n)
			if sp == nil || src == "" || stored[src] != KindSource {
				continue
			}
			if _, in := v.index[src]; in {
				continue // the bundle's record replaces the stored one
			}
			keys = append(keys, src)
		}
		if len(keys) > 0 {
			sort.Strings(keys)
			keys = dedupe(keys)
			nodes, err := v.r.Nodes(ctx, keys)
			if err != nil {
				return fmt.Errorf("validate: read sources: %w", err)
			}
			for i, n := range nodes {
				if s, ok := n.(*Source); ok && s != nil && i < len(keys) {
					texts[keys[i]] = newSrcText(s)
				}
			}
		}
	}
	for i, n := range v.b.Nodes {
		src, sp := spanOf(n)
		t := texts[src]
		if sp == nil || t == nil || sp.Start < 0 || sp.End <= sp.Start {
			continue
		}
		p, key := v.nodePlaces[i], n.NodeKey()
		if t.hash != "" && validHash(sp.ContentSHA256) && sp.ContentSHA256 != t.hash {
			v.problem(p, key, "span.content_sha256", CodeHash, "span was anchored in a text with SHA-256 %s, but source %q has %s", sp.ContentSHA256, src, t.hash)
		}
		if !t.hasText {
			continue
		}
		runes := t.codePoints()
		if sp.End > len(runes) {
			v.problem(p, key, "span", CodeSpan, "span [%d, %d) ends past the text of source %q (%d code points)", sp.Start, sp.End, src, len(runes))
			continue
		}
		got := string(runes[sp.Start:sp.End])
		if text := nodeText(n); text != got {
			v.problem(p, key, "text", CodeSpanText, "text %q does not match the span [%d, %d) of source %q, which reads %q", clip(text, 60), sp.Start, sp.End, src, clip(got, 60))
		}
		if sp.Prefix != "" {
			np := len([]rune(sp.Prefix))
			if want := string(runes[max(sp.Start-np, 0):sp.Start]); want != sp.Prefix {
				v.problem(p, key, "span.prefix", CodeSpanText, "span prefix %q does not match the text before the span, %q", clip(sp.Prefix, 40), clip(want, 40))
			}
		}
		if sp.Suffix != "" {
			ns := len([]rune(sp.Suffix))
			if want := string(runes[sp.End:min(sp.End+ns, len(runes))]); want != sp.Suffix {
				v.problem(p, key, "span.suffix", CodeSpanText, "span suffix %q does not match the text after the span, %q", clip(sp.Suffix, 40), clip(want, 40))
			}
		}
	}
	return nil
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// spanOf returns the source and span of a quote or figure.
func spanOf(n Node) (string, *Span) {
	switch x := n.(type) {
	case *Quote:
		if x != nil {
			return x.Source, x.Span
		}
	case *Figure:
		if x != nil {
			return x.Source, x.Span
		}
	}
	return "", nil
}

// nodeText returns the text of a quote or figure.
func nodeText(n Node) string {
	switch x := n.(type) {
	case *Quote:
		return x.Text
	case *Figure:
		return x.Text
	}
	return ""
}

// Prepare completes a valid bundle for storage, in place: it sets
// content_sha256 on every source that has text and no hash, and on every
// quote or figure span whose source is in the bundle or, through r (which
// may be nil), in the store, it sets the span's content_sha256 to the
// source's hash and, when the source's text is known, its Prefix and Suffix
// to the (up to) SelectorRunes code points before and after the span, so a
// quote re-imported without its source is stored exactly as before. Prepare
// is deterministic and idempotent; apply it after Validate succeeds
// (ReadBundle does). Spans that do not fit the text are left alone.
func Prepare(ctx context.Context, b *Bundle, r Reader) error {
	if b == nil {
		return nil
	}
	for _, n := range b.Nodes {
		if s, ok := n.(*Source); ok && s != nil && s.Text != "" && s.ContentSHA256 == "" {
			s.ContentSHA256 = ContentHash(s.Text)
		}
	}
	texts := sourceTexts(b, nil)
	if r != nil {
		var keys []string
		seen := map[string]bool{}
		for _, n := range b.Nodes {
			src, sp := spanOf(n)
			if sp == nil || src == "" || texts[src] != nil || seen[src] {
				continue
			}
			seen[src] = true
			keys = append(keys, src)
		}
		if len(keys) > 0 {
			stored, err := r.Nodes(ctx, keys)
			if err != nil {
				return err
			}
			for _, n := range stored {
				if s, ok := n.(*Source); ok && s != nil {
					texts[s.Key] = newSrcText(s)
				}
			}
		}
	}
	for _, n := range b.Nodes {
		src, sp := spanOf(n)
		t := texts[src]
		if sp == nil || t == nil {
			continue
		}
		if t.hash != "" {
			sp.ContentSHA256 = t.hash
		}
		if !t.hasText {
			continue
		}
		runes := t.codePoints()
		if sp.Start < 0 || sp.End < sp.Start || sp.End > len(runes) {
			continue
		}
		sp.Prefix, sp.Suffix = spanContext(runes, sp.Start, sp.End, SelectorRunes)
	}
	return nil
}

// placeRank orders places: the bundle itself, then lines, then sections in
// bundle order, then index.
func placeLess(a, b Place) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if ra, rb := sectionRank(a.Section), sectionRank(b.Section); ra != rb {
		return ra < rb
	}
	return a.Index < b.Index
}

func sectionRank(s string) int {
	if s == "" {
		return 0
	}
	if k, links, ok := sectionKind(s); ok {
		if links {
			return int(KindFigure) + 1
		}
		return int(k)
	}
	return int(KindFigure) + 2
}

// sortProblems orders problems by place, keeping the order found within a
// place.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return placeLess(ps[i].Place, ps[j].Place) })
}
