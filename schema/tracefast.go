package schema

import (
	"context"

	"github.com/graphql-go/graphql/language/ast"

	"claimgraph/graph"
)

// The nodes of a trace
//
// A trace names many nodes (both ends of every hop, the speakers, the
// sources, the evidence), and most questions ask only their ids. A node
// whose selection asks nothing but id, kind and __typename is answered by
// a key stub, a node of the right kind holding only its key, whose kind and
// existence come from Reader.Kinds (which the store answers from the ids it
// learnt while walking the edges, without reading records); a node with any
// other field selected is read whole through the loader (graph.TraceFrom
// itself reads no record). Edges always lead to the key a node resolves to
// (a merged key's edges point at the node it was merged into), so a stub's
// key is the key of the record it stands for; the root, whose key may be a
// merged one, is read whole when the selection asks for it (root), and
// not read at all otherwise (graph.TraceFrom has found its kind).

// keyOnlyFields are the fields of a node that its key and kind answer.
var keyOnlyFields = map[string]bool{"id": true, "kind": true, "__typename": true}

// selections returns the selection sets of the fields named name among
// sets, fragments expanded.
func selections(sets []*ast.SelectionSet, name string, frags map[string]ast.Definition) []*ast.SelectionSet {
	var out []*ast.SelectionSet
	visitFields(sets, frags, func(f *ast.Field) bool {
		if f.Name != nil && f.Name.Value == name && f.SelectionSet != nil {
			out = append(out, f.SelectionSet)
		}
		return true
	})
	return out
}

// keyOnly reports whether the selection sets ask nothing of a node but
// fields its key and kind answer.
func keyOnly(sets []*ast.SelectionSet, frags map[string]ast.Definition) bool {
	only := true
	visitFields(sets, frags, func(f *ast.Field) bool {
		if f.Name == nil || !keyOnlyFields[f.Name.Value] || f.SelectionSet != nil {
			only = false
		}
		return only
	})
	return only
}

// visitFields calls fn for each field of the selection sets, inline
// fragments and fragment spreads expanded (each named fragment once),
// until fn returns false. A spread of an unknown fragment counts as a
// field that is not key-only: visitFields then calls fn with an empty
// field.
func visitFields(sets []*ast.SelectionSet, frags map[string]ast.Definition, fn func(*ast.Field) bool) {
	seen := map[string]bool{}
	var walk func(set *ast.SelectionSet) bool
	walk = func(set *ast.SelectionSet) bool {
		if set == nil {
			return true
		}
		for _, sel := range set.Selections {
			switch s := sel.(type) {
			case *ast.Field:
				if !fn(s) {
					return false
				}
			case *ast.InlineFragment:
				if !walk(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if s.Name == nil || seen[s.Name.Value] {
					continue
				}
				seen[s.Name.Value] = true
				fd, ok := frags[s.Name.Value].(*ast.FragmentDefinition)
				if !ok {
					if !fn(&ast.Field{}) {
						return false
					}
					continue
				}
				if !walk(fd.SelectionSet) {
					return false
				}
			default:
				if !fn(&ast.Field{}) {
					return false
				}
			}
		}
		return true
	}
	for _, set := range sets {
		if !walk(set) {
			return
		}
	}
}

// traceNeeds says which nodes of a trace the selection reads whole; the
// others are key stubs. The root is read whole when root is selected, with
// whatever fields (its key may be a merged one).
type traceNeeds struct {
	root, from, to, speakers, primary, supporting, contradicting bool
}

// traceNeedsOf reads the selection of a trace field.
func traceNeedsOf(fields []*ast.Field, frags map[string]ast.Definition) traceNeeds {
	var sets []*ast.SelectionSet
	for _, f := range fields {
		if f != nil && f.SelectionSet != nil {
			sets = append(sets, f.SelectionSet)
		}
	}
	whole := func(name string) bool { return !keyOnly(selections(sets, name, frags), frags) }
	hops := selections(sets, "hops", frags)
	return traceNeeds{
		root:          len(selections(sets, "root", frags)) > 0,
		from:          !keyOnly(selections(hops, "from", frags), frags),
		to:            !keyOnly(selections(hops, "to", frags), frags),
		speakers:      whole("speakers"),
		primary:       whole("primarySources"),
		supporting:    whole("supporting"),
		contradicting: whole("contradicting"),
	}
}

// keyStub returns a node of kind k holding only its key, or nil for an
// invalid kind.
func keyStub(k graph.Kind, key string) graph.Node {
	switch k {
	case graph.KindPerson:
		return &graph.Person{Key: key}
	case graph.KindOrganisation:
		return &graph.Organisation{Key: key}
	case graph.KindSource:
		return &graph.Source{Key: key}
	case graph.KindQuote:
		return &graph.Quote{Key: key}
	case graph.KindClaim:
		return &graph.Claim{Key: key}
	case graph.KindFigure:
		return &graph.Figure{Key: key}
	}
	return nil
}

// traceNodes returns the nodes a trace names: read whole (through the
// loader) for the keys in whole, key stubs for the keys in stubs that whole
// lacks. A key that names no node is absent.
func traceNodes(ctx context.Context, rq *request, whole, stubs []string) (map[string]graph.Node, error) {
	out := make(map[string]graph.Node, len(whole)+len(stubs))
	if len(whole) > 0 {
		nodes, err := rq.loader.many(ctx, whole)
		if err != nil {
			return nil, err
		}
		for i, k := range whole {
			if nodes[i] != nil {
				out[k] = nodes[i]
			}
		}
	}
	var ask []string
	for _, k := range stubs {
		if _, ok := out[k]; ok {
			continue
		}
		ask = append(ask, k)
	}
	if len(ask) == 0 {
		return out, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kinds, err := rq.r.Kinds(ctx, ask)
	if err != nil {
		return nil, err
	}
	for _, k := range ask {
		if n := keyStub(kinds[k], k); n != nil {
			out[k] = n
		}
	}
	return out, nil
}
