package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// AssessmentStatus is the verdict of AssessClaim.
type AssessmentStatus string

// Assessment statuses.
const (
	// StatusSupported: live evidence supports the claim and none
	// contradicts it.
	StatusSupported AssessmentStatus = "supported"
	// StatusDisputed: live evidence both supports and contradicts it.
	StatusDisputed AssessmentStatus = "disputed"
	// StatusContradicted: live evidence contradicts it and none supports it.
	StatusContradicted AssessmentStatus = "contradicted"
	// StatusUnverified: no live evidence either way.
	StatusUnverified AssessmentStatus = "unverified"
	// StatusRetracted: the claim itself has been retracted.
	StatusRetracted AssessmentStatus = "retracted"
)

// AssessmentStatuses lists every status.
var AssessmentStatuses = []AssessmentStatus{StatusSupported, StatusDisputed, StatusContradicted, StatusUnverified, StatusRetracted}

// Evidence is one live item for or against a claim: the node and the link
// that ties it to the claim.
type Evidence struct {
	Node Node
	Link Link
}

// Assessment is the derived verdict on a claim from its live links.
type Assessment struct {
	Status AssessmentStatus
	// Supporting and Contradicting hold the live evidence, strongest first
	// (see AssessClaim).
	Supporting    []Evidence
	Contradicting []Evidence
	// Retraction is set when the claim is retracted.
	Retraction *Retraction
	// Explanation names the counts and the strongest items in a sentence or
	// two.
	Explanation string
}

// maxNamed is how many items of each side an explanation names.
const maxNamed = 2

// AssessClaim assesses the claim with the key in the snapshot r from its
// live evidence: nodes with a supports link to the claim support it; nodes
// with a contradicts link to or from it contradict it. A link that has been
// retracted, or whose other node has been retracted, is not live. The
// status is RETRACTED when the claim itself is retracted, else UNVERIFIED
// without live evidence, SUPPORTED with support only, CONTRADICTED with
// contradiction only and DISPUTED with both. A node tied by several links
// counts once per side.
//
// Evidence is ranked strongest first: figures before quotes before claims
// before anything else, then by how well they are sourced (a figure with
// who stated it, its source and a span; a quote with its speaker and
// source), then by key.
//
// It returns ErrNotFound when no claim has the key.
func AssessClaim(ctx context.Context, r Reader, key string) (*Assessment, error) {
	n, err := r.Node(ctx, key)
	if err != nil {
		return nil, err
	}
	if n.NodeKind() != KindClaim {
		return nil, fmt.Errorf("%w: %s is a %s, not a claim", ErrNotFound, key, n.NodeKind())
	}
	var links []Link
	for _, q := range []EdgeQuery{
		{Key: key, Dir: In, Relations: []Relation{RelSupports, RelContradicts}},
		{Key: key, Dir: Out, Relations: []Relation{RelContradicts}},
	} {
		es, err := r.Edges(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if e.Retracted == nil {
				links = append(links, e.Link())
			}
		}
	}
	keys := []string{key}
	for _, l := range links {
		keys = append(keys, pick(l.From == key, l.To, l.From))
	}
	retracted, err := r.Retractions(ctx, keys)
	if err != nil {
		return nil, err
	}
	nodes, err := r.Nodes(ctx, keys[1:])
	if err != nil {
		return nil, err
	}
	a := &Assessment{}
	if ret, ok := retracted[key]; ok {
		a.Retraction = &ret
	}
	seen := map[string]bool{}
	for i, l := range links {
		other := keys[i+1]
		if nodes[i] == nil {
			continue
		}
		if _, gone := retracted[other]; gone {
			continue
		}
		side := "+"
		if l.Relation == RelContradicts {
			side = "-"
		}
		if seen[side+other] {
			continue
		}
		seen[side+other] = true
		ev := Evidence{Node: nodes[i], Link: l}
		if side == "+" {
			a.Supporting = append(a.Supporting, ev)
		} else {
			a.Contradicting = append(a.Contradicting, ev)
		}
	}
	slices.SortStableFunc(a.Supporting, compareEvidence)
	slices.SortStableFunc(a.Contradicting, compareEvidence)
	ns, nc := len(a.Supporting), len(a.Contradicting)
	switch {
	case a.Retraction != nil:
		a.Status = StatusRetracted
	case ns == 0 && nc == 0:
		a.Status = StatusUnverified
	case nc == 0:
		a.Status = StatusSupported
	case ns == 0:
		a.Status = StatusContradicted
	default:
		a.Status = StatusDisputed
	}
	named := append(slices.Clone(a.Supporting[:min(ns, maxNamed)]), a.Contradicting[:min(nc, maxNamed)]...)
	names, err := agentNames(ctx, r, named)
	if err != nil {
		return nil, err
	}
	a.Explanation = explain(a, names)
	return a, nil
}

// evidenceStrength ranks an item of evidence; higher is stronger.
func evidenceStrength(n Node) (kindRank, sourcing int) {
	b := func(ok bool) int {
		if ok {
			return 1
		}
		return 0
	}
	switch n := n.(type) {
	case *Figure:
		return 4, b(n.StatedBy != "") + b(n.Source != "") + b(n.Span != nil)
	case *Quote:
		return 3, b(n.Speaker != "") + b(n.Source != "") + b(n.Span != nil)
	case *Claim:
		return 2, 0
	}
	return 1, 0
}

func compareEvidence(a, b Evidence) int {
	ka, sa := evidenceStrength(a.Node)
	kb, sb := evidenceStrength(b.Node)
	return cmp.Or(cmp.Compare(kb, ka), cmp.Compare(sb, sa), cmp.Compare(a.Node.NodeKey(), b.Node.NodeKey()))
}

// agentNames reads, in one call, the names of who stated or said the items
// an explanation names.
func agentNames(ctx context.Context, r Reader, evs []Evidence) (map[string]string, error) {
	var keys []string
	for _, ev := range evs {
		switch n := ev.Node.(type) {
		case *Figure:
			if n.StatedBy != "" {
				keys = append(keys, n.StatedBy)
			}
		case *Quote:
			if n.Speaker != "" {
				keys = append(keys, n.Speaker)
			}
		}
	}
	names := map[string]string{}
	if len(keys) == 0 {
		return names, nil
	}
	nodes, err := r.Nodes(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		switch n := n.(type) {
		case *Person:
			names[n.Key] = n.Name
		case *Organisation:
			names[n.Key] = n.Name
		}
	}
	return names, nil
}

// explain writes the explanation of an assessment.
func explain(a *Assessment, names map[string]string) string {
	ns, nc := len(a.Supporting), len(a.Contradicting)
	counts := fmt.Sprintf("%s supporting and %s contradicting", items(ns), items(nc))
	var b strings.Builder
	switch a.Status {
	case StatusRetracted:
		ret := a.Retraction
		fmt.Fprintf(&b, "Retracted at %s", ret.At.UTC().Format(time.RFC3339))
		if ret.By != "" {
			fmt.Fprintf(&b, " by %s", ret.By)
		}
		if ret.Reason != "" {
			fmt.Fprintf(&b, ": %s", ret.Reason)
		}
		fmt.Fprintf(&b, ". Its live evidence: %s.", counts)
	case StatusUnverified:
		b.WriteString("Unverified: no live evidence supports or contradicts this claim.")
	case StatusSupported:
		fmt.Fprintf(&b, "Supported: %s.", counts)
	case StatusContradicted:
		fmt.Fprintf(&b, "Contradicted: %s.", counts)
	case StatusDisputed:
		fmt.Fprintf(&b, "Disputed: %s.", counts)
	}
	if ns > 0 {
		fmt.Fprintf(&b, " Strongest support: %s.", describeAll(a.Supporting, names))
	}
	if nc > 0 {
		fmt.Fprintf(&b, " Strongest contradiction: %s.", describeAll(a.Contradicting, names))
	}
	return b.String()
}

// items counts items in words: "no items", "1 item", "3 items".
func items(n int) string {
	switch n {
	case 0:
		return "no items"
	case 1:
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// describeAll describes the first maxNamed items and counts the rest.
func describeAll(evs []Evidence, names map[string]string) string {
	var parts []string
	for i, ev := range evs {
		if i == maxNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(evs)-maxNamed))
			break
		}
		parts = append(parts, describe(ev, names))
	}
	return strings.Join(parts, "; ")
}

// describe names one item of evidence: `figure f-1 ("30% fewer accidents",
// stated by County Statistics Office)`, with the link's reason.
func describe(ev Evidence, names map[string]string) string {
	var what, by string
	switch n := ev.Node.(type) {
	case *Figure:
		what = n.Text
		if what == "" {
			what = strings.TrimSpace(valueText(n) + " " + n.Unit + " " + n.Measure)
		}
		if n.StatedBy != "" {
			by = "stated by " + cmp.Or(names[n.StatedBy], n.StatedBy)
		}
	case *Quote:
		what = n.Text
		if n.Speaker != "" {
			by = "said by " + cmp.Or(names[n.Speaker], n.Speaker)
		}
	case *Claim:
		what = n.Text
	}
	var details []string
	if what != "" {
		details = append(details, fmt.Sprintf("%q", clip(what, 80)))
	}
	if by != "" {
		details = append(details, by)
	}
	if ev.Link.Reason != "" {
		details = append(details, "reason "+ev.Link.Reason)
	}
	s := ev.Node.NodeKind().String() + " " + ev.Node.NodeKey()
	if len(details) > 0 {
		s += " (" + strings.Join(details, ", ") + ")"
	}
	return s
}

// markRetracted reads the retractions of the nodes a trace reached, marks
// the hops that touch a retracted node other than the root (whose own
// retraction is shown on it; hops of retracted links are marked by hopOf)
// and remembers the retracted nodes for liveEvidence. It runs before
// summarise, which changes only the cues of reference hops, never a link
// hop that deadLinks holds.
func (w *tracer) markRetracted(ctx context.Context) error {
	keys := make([]string, 0, len(w.visited))
	for k := range w.visited {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ret, err := w.r.Retractions(ctx, keys)
	if err != nil {
		return fmt.Errorf("trace: retractions: %w", err)
	}
	w.retracted = map[string]bool{}
	for k := range ret {
		w.retracted[k] = true
	}
	w.deadLinks = map[Hop]bool{}
	for i, h := range w.t.Hops {
		if h.Retracted { // set by hopOf: the link itself is retracted
			w.deadLinks[h] = true
			continue
		}
		if (w.retracted[h.From] && h.From != w.root) || (w.retracted[h.To] && h.To != w.root) {
			w.t.Hops[i].Retracted = true
		}
	}
	return nil
}

// liveEvidence reports whether the evidence hop h (a supports or
// contradicts link touching the root) counts for Supporting and
// Contradicting: always with IncludeRetracted, otherwise only when neither
// the link nor the evidence node (the end that is not the root) has been
// retracted.
func (w *tracer) liveEvidence(h Hop) bool {
	if w.opt.IncludeRetracted {
		return true
	}
	if w.deadLinks[h] {
		return false
	}
	other := h.From
	if other == w.root {
		other = h.To
	}
	return !w.retracted[other]
}
