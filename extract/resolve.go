package extract

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"claimgraph/graph"
)

// Match reports what Resolve did with one draft person or organisation.
type Match struct {
	// DraftKey is the key the extraction gave the node.
	DraftKey string `json:"draft_key"`
	// StoredKey is the existing node it was matched to; empty for a new
	// node.
	StoredKey string `json:"stored_key,omitempty"`
	// By says how: "name" (the stored node's name), "alias" (one of its
	// aliases, or the draft's acronym or one-word name), "id" (an external
	// id such as wikidata), "key" (same key and name), "new" (nothing
	// matched; the node will be created), or "new-renamed" (nothing
	// matched and another node already had the draft key, so the new node
	// gets NewKey).
	By string `json:"by"`
	// NewKey is the key of a new node when the draft key had to change.
	NewKey string `json:"new_key,omitempty"`
	// Name is the draft node's name.
	Name string `json:"name"`
	// Kind is "person" or "organisation".
	Kind string `json:"kind"`
}

// Resolve matches the draft's people and organisations to nodes already in
// the store, so that an import never creates a second Donald Trump. A draft
// node matches a stored node of the same kind by an external id, by its
// name (the store folds case and accents), or by an alias when the alias
// is unambiguous: an organisation's acronym, or a one-word draft name
// ("Trump") that one stored node carries. Matched drafts are dropped from
// the bundle and every reference to them (speaker, stated_by, publisher,
// authors, parent, affiliations, about, derived_from, links) is rewritten
// to the stored key. A draft key that an unrelated stored node already uses
// is renamed. Every draft person and organisation is reported, matched or
// new, in bundle order. The stored nodes are not changed. b is modified in
// place and returned.
func Resolve(ctx context.Context, b *graph.Bundle, r graph.Reader) (*graph.Bundle, []Match, error) {
	if b == nil {
		return nil, nil, errors.New("extract: resolve: nil bundle")
	}
	if r == nil {
		return nil, nil, errors.New("extract: resolve: nil reader")
	}
	inBundle := map[string]bool{}
	for _, n := range b.Nodes {
		inBundle[n.NodeKey()] = true
	}
	rename := map[string]string{}
	drop := map[string]bool{}
	var matches []Match
	for _, n := range b.Nodes {
		var name string
		var aliases []string
		var ids map[string]string
		kind := n.NodeKind()
		switch x := n.(type) {
		case *graph.Person:
			name, aliases, ids = x.Name, x.Aliases, x.IDs
		case *graph.Organisation:
			name, aliases, ids = x.Name, x.Aliases, x.IDs
		default:
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		m := Match{DraftKey: n.NodeKey(), Name: name, Kind: kind.String()}
		stored, by, err := findStored(ctx, r, kind, n.NodeKey(), name, aliases, ids)
		if err != nil {
			return nil, nil, err
		}
		if stored != "" {
			m.StoredKey, m.By = stored, by
			if stored != n.NodeKey() {
				rename[n.NodeKey()] = stored
			}
			drop[n.NodeKey()] = true
			matches = append(matches, m)
			continue
		}
		m.By = "new"
		kinds, err := r.Kinds(ctx, []string{n.NodeKey()})
		if err != nil {
			return nil, nil, fmt.Errorf("extract: resolve: %w", err)
		}
		if _, taken := kinds[n.NodeKey()]; taken {
			nk, err := freeKey(ctx, r, n.NodeKey(), inBundle)
			if err != nil {
				return nil, nil, err
			}
			inBundle[nk] = true
			rename[n.NodeKey()] = nk
			m.By, m.NewKey = "new-renamed", nk
		}
		matches = append(matches, m)
	}
	// drop matched drafts, rename the rest, rewrite references
	out := b.Nodes[:0]
	var places []graph.Place
	for i, n := range b.Nodes {
		if drop[n.NodeKey()] {
			continue
		}
		if nk, ok := rename[n.NodeKey()]; ok {
			setKey(n, nk)
		}
		rewriteRefs(n, rename)
		out = append(out, n)
		if b.NodePlaces != nil && i < len(b.NodePlaces) {
			places = append(places, b.NodePlaces[i])
		}
	}
	b.Nodes = out
	if b.NodePlaces != nil {
		b.NodePlaces = places
	}
	for i := range b.Links {
		b.Links[i].From = re(rename, b.Links[i].From)
		b.Links[i].To = re(rename, b.Links[i].To)
	}
	return b, matches, nil
}

// findStored looks a draft agent up in the store.
func findStored(ctx context.Context, r graph.Reader, kind graph.Kind, key, name string, aliases []string, ids map[string]string) (string, string, error) {
	sameKind := func(keys []string) ([]string, error) {
		if len(keys) == 0 {
			return nil, nil
		}
		ks, err := r.Kinds(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("extract: resolve: %w", err)
		}
		var out []string
		for _, k := range keys {
			if ks[k] == kind {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return dedupeSorted(out), nil
	}
	lookup := func(v string) ([]string, error) {
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		keys, err := r.Lookup(ctx, graph.IndexName, v)
		if err != nil {
			return nil, fmt.Errorf("extract: resolve: lookup %q: %w", v, err)
		}
		return sameKind(keys)
	}
	// the same key with the same name: an earlier ingest of the same person
	if n, err := r.Node(ctx, key); err == nil && n != nil && n.NodeKind() == kind {
		if sameName(agentName(n), name) {
			return key, "key", nil
		}
	} else if err != nil && !errors.Is(err, graph.ErrNotFound) {
		return "", "", fmt.Errorf("extract: resolve: %w", err)
	}
	// external ids: a stored node with the draft's key and id, or named alike
	for scheme, id := range ids {
		cands, err := lookup(name)
		if err != nil {
			return "", "", err
		}
		for _, c := range cands {
			n, err := r.Node(ctx, c)
			if err != nil {
				continue
			}
			if agentIDs(n)[scheme] == id {
				return c, "id", nil
			}
		}
	}
	// the name (matches stored names and aliases), also without or with a
	// country prefix: "Department of Homeland Security", "US Department ..."
	cands, err := lookup(name)
	if err != nil {
		return "", "", err
	}
	if len(cands) == 0 && kind == graph.KindOrganisation {
		for _, v := range nameVariants(name) {
			if cands, err = lookup(v); err != nil {
				return "", "", err
			}
			if len(cands) == 1 {
				return cands[0], "alias", nil
			}
		}
		cands = nil
	}
	if len(cands) > 0 {
		best, by := "", ""
		for _, c := range cands {
			n, err := r.Node(ctx, c)
			if err != nil {
				continue
			}
			if sameName(agentName(n), name) {
				return c, "name", nil
			}
			if best == "" {
				best, by = c, "alias"
			}
		}
		// a full draft name that is a stored alias: unique only
		if best != "" && (len(cands) == 1 || !strings.Contains(name, " ")) {
			return best, by, nil
		}
	}
	// aliases: acronyms, or the one word a person is called by
	for _, a := range aliases {
		if !isAcronymWord(a) && !(kind == graph.KindPerson && !strings.Contains(name, " ") && strings.EqualFold(a, name)) {
			continue
		}
		cands, err := lookup(a)
		if err != nil {
			return "", "", err
		}
		if len(cands) == 1 {
			return cands[0], "alias", nil
		}
	}
	return "", "", nil
}

// nameVariants returns an organisation's name without its country or
// article prefix, or with the US prefix added.
func nameVariants(name string) []string {
	var out []string
	for _, p := range []string{"US ", "U.S. ", "UK ", "U.K. ", "The ", "the "} {
		if strings.HasPrefix(name, p) {
			out = append(out, strings.TrimPrefix(name, p))
		}
	}
	if len(out) == 0 {
		out = append(out, "US "+name, "U.S. "+name)
	}
	return out
}

func agentName(n graph.Node) string {
	switch x := n.(type) {
	case *graph.Person:
		return x.Name
	case *graph.Organisation:
		return x.Name
	}
	return ""
}

func agentIDs(n graph.Node) map[string]string {
	switch x := n.(type) {
	case *graph.Person:
		return x.IDs
	case *graph.Organisation:
		return x.IDs
	}
	return nil
}

// sameName compares names without case, accents of common Latin letters,
// and punctuation.
func sameName(a, b string) bool { return slug(a, 200) == slug(b, 200) && slug(a, 200) != "" }

func isAcronymWord(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case r == '.' || r == '&' || unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letters >= 2
}

func dedupeSorted(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// freeKey returns base-2, base-3 ... unused in the store and the bundle.
func freeKey(ctx context.Context, r graph.Reader, base string, used map[string]bool) (string, error) {
	for n := 2; n < 1000; n++ {
		k := base + "-" + strconv.Itoa(n)
		if len(k) > 128 || used[k] {
			continue
		}
		ks, err := r.Kinds(ctx, []string{k})
		if err != nil {
			return "", fmt.Errorf("extract: resolve: %w", err)
		}
		if _, taken := ks[k]; !taken {
			return k, nil
		}
	}
	return "", fmt.Errorf("extract: resolve: no free key for %q", base)
}

func setKey(n graph.Node, k string) {
	switch x := n.(type) {
	case *graph.Person:
		x.Key = k
	case *graph.Organisation:
		x.Key = k
	}
}

func re(m map[string]string, k string) string {
	if nk, ok := m[k]; ok {
		return nk
	}
	return k
}

// rewriteRefs points every reference of n that m renames at the new key.
func rewriteRefs(n graph.Node, m map[string]string) {
	if len(m) == 0 {
		return
	}
	switch x := n.(type) {
	case *graph.Person:
		for i := range x.Affiliations {
			x.Affiliations[i].Organisation = re(m, x.Affiliations[i].Organisation)
		}
	case *graph.Organisation:
		x.Parent = re(m, x.Parent)
	case *graph.Source:
		x.Publisher = re(m, x.Publisher)
		for i := range x.Authors {
			x.Authors[i] = re(m, x.Authors[i])
		}
		for i := range x.DerivedFrom {
			x.DerivedFrom[i].Source = re(m, x.DerivedFrom[i].Source)
		}
	case *graph.Quote:
		x.Speaker = re(m, x.Speaker)
		x.Channel = re(m, x.Channel)
		x.ReportedBy = re(m, x.ReportedBy)
	case *graph.Claim:
		for i := range x.About {
			x.About[i] = re(m, x.About[i])
		}
	case *graph.Figure:
		x.StatedBy = re(m, x.StatedBy)
		for i := range x.DerivedFrom {
			x.DerivedFrom[i] = re(m, x.DerivedFrom[i])
		}
	}
}
