package schema

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// formatRev writes a revision number for clients: Unix nanoseconds do not
// fit GraphQL's 32-bit Int, so revisions travel as decimal strings.
func formatRev(rev int64) string { return strconv.FormatInt(rev, 10) }

// parseRev reads an expectedRevision.
func parseRev(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// historyTypes builds Retraction and Revision.
func (b *builder) historyTypes() {
	b.retraction = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Retraction",
		Description: "That a node or link was withdrawn: when, by whom and why. Retracted records stay readable; evidence views leave them out unless asked.",
		Fields: graphql.Fields{
			"at": field(graphql.NewNonNull(b.dateTime), "When it was retracted (the commit time of the retraction).",
				get(func(r graph.Retraction) interface{} { return r.At })),
			"by": field(graphql.NewNonNull(graphql.String), "Who retracted it: a token's name, or import:<file name>.",
				get(func(r graph.Retraction) interface{} { return r.By })),
			"reason": field(graphql.NewNonNull(graphql.String), "Why it was retracted.",
				get(func(r graph.Retraction) interface{} { return r.Reason })),
		},
	})
	b.linkChange = graphql.NewObject(graphql.ObjectConfig{
		Name:        "LinkChange",
		Description: "A change of one link from or to a node, within a revision of the node.",
		Fields: graphql.Fields{
			"change": field(graphql.NewNonNull(graphql.String), "What happened to the link: linked, updated (its reason or note), unlinked or retracted.",
				get(func(r graph.Revision) interface{} { return r.Change })),
			"before": field(b.json, "The link before the change, bundle-shaped; null when it was new.",
				get(func(r graph.Revision) interface{} { return r.Before })),
			"after": field(b.json, "The link after the change, bundle-shaped (with a retracted member when retracted); null when removed.",
				get(func(r graph.Revision) interface{} { return r.After })),
		},
	})
	b.revision = graphql.NewObject(graphql.ObjectConfig{
		Name: "Revision",
		Description: "One write (an import, a mutation) that changed a node or a link from or to it, stamped with the " +
			"commit time, the writer and the note. Writing records exactly as they are stored makes no revision.",
		Fields: graphql.Fields{
			"rev": field(graphql.NewNonNull(graphql.String), "The revision number: the commit time in Unix nanoseconds, as a decimal "+
				"string. The latest rev of a node is its revision, the value of expectedRevision.",
				get(func(r *revisionValue) interface{} { return formatRev(r.main.Rev) })),
			"at": field(graphql.NewNonNull(b.dateTime), "When the write was committed; asOf this instant shows the graph just after it.",
				get(func(r *revisionValue) interface{} { return r.main.At })),
			"by": field(graphql.NewNonNull(graphql.String), "Who wrote it: a token's name for a mutation, import:<file name> for an import from the command line.",
				get(func(r *revisionValue) interface{} { return r.main.By })),
			"note": field(graphql.String, "Why, as the writer said; corrections start with \"correction\".",
				get(func(r *revisionValue) interface{} { return opt(r.main.Note) })),
			"change": field(graphql.NewNonNull(graphql.String), "What happened to the node: created, updated, retracted or merged; "+
				"for a write that changed only links from or to it, the first link's change: linked, updated, unlinked or retracted.",
				get(func(r *revisionValue) interface{} { return r.main.Change })),
			"nodeId": field(graphql.NewNonNull(graphql.ID), "The node the revision belongs to.",
				get(func(r *revisionValue) interface{} { return r.main.Key })),
			"before": field(b.json, "The node before the write, bundle-shaped (for a write of links only, the first link before it); null when it did not exist.",
				get(func(r *revisionValue) interface{} { return r.before })),
			"after": field(b.json, "The node after the write, bundle-shaped (for a write of links only, the first link after it); null when it no longer exists.",
				get(func(r *revisionValue) interface{} { return r.after })),
			"links": field(nonNullList(b.linkChange), "The changes of links from or to the node that the write made, in the order made.",
				get(func(r *revisionValue) interface{} {
					out := make([]interface{}, len(r.links))
					for i, l := range r.links {
						out[i] = l
					}
					return out
				})),
		},
	})
}

// revisionValue is the value behind Revision: the changes one write made
// to a node and its links. main is the first change of the node itself
// (the first link change when there is none); before and after span the
// node's changes.
type revisionValue struct {
	main          graph.Revision
	before, after json.RawMessage
	links         []graph.Revision
}

// groupRevisions groups a node's history (oldest first, one entry per
// change) by write: the changes of one write share their Rev.
func groupRevisions(revs []graph.Revision) []*revisionValue {
	var out []*revisionValue
	for i := 0; i < len(revs); {
		j := i
		for j < len(revs) && revs[j].Rev == revs[i].Rev {
			j++
		}
		v := &revisionValue{}
		var nodeChanges []graph.Revision
		for _, r := range revs[i:j] {
			if r.Link != nil {
				v.links = append(v.links, r)
			} else {
				nodeChanges = append(nodeChanges, r)
			}
		}
		if len(nodeChanges) > 0 {
			v.main = nodeChanges[0]
			v.before, v.after = nodeChanges[0].Before, nodeChanges[len(nodeChanges)-1].After
		} else {
			v.main = v.links[0]
			v.before, v.after = v.main.Before, v.main.After
		}
		out = append(out, v)
		i = j
	}
	return out
}

// historyFields are the fields every node type has for its history.
func (b *builder) historyFields(what string) graphql.Fields {
	return graphql.Fields{
		"retracted": field(b.retraction, "The retraction of this "+what+" (when, by whom, why); null unless it was retracted. "+
			"A retracted "+what+" stays readable; supporting, contradicting and assessments leave it out.",
			with(func(rq *request, n graph.Node, _ graphql.ResolveParams) (interface{}, error) {
				return rq.meta.retractions.thunk(rq.ctx, n.NodeKey(), func(r graph.Retraction) interface{} { return r }), nil
			})),
		"revision": field(graphql.String, "The latest revision of this "+what+" (see Revision.rev): pass it as expectedRevision "+
			"to change it only if nobody else has since.",
			with(func(rq *request, n graph.Node, _ graphql.ResolveParams) (interface{}, error) {
				return rq.meta.revisions.thunk(rq.ctx, n.NodeKey(), func(v int64) interface{} { return formatRev(v) }), nil
			})),
	}
}

// historyField is the root field history.
func (b *builder) historyField() *graphql.Field {
	return &graphql.Field{
		Type: nonNullList(b.revision),
		Description: "The revisions of a node, oldest first: one per write that created it, changed its fields, made, " +
			"changed, removed or retracted a link from or to it, retracted it or merged it. An id that never existed is an " +
			"error (NOT_FOUND).",
		Args: b.withAsOf(graphql.FieldConfigArgument{"id": {
			Type:        graphql.NewNonNull(graphql.ID),
			Description: "The node's key.",
		}}),
		Resolve: resolve(atSnapshot(func(rq *request, p graphql.ResolveParams) (interface{}, error) {
			id, _ := p.Args["id"].(string)
			revs, err := rq.r.History(rq.ctx, id)
			if errors.Is(err, graph.ErrNotFound) {
				return nil, &Error{Code: CodeNotFound, Message: "history: no node has id " + quote(id), Err: err}
			}
			if err != nil {
				return nil, err
			}
			groups := groupRevisions(revs)
			out := make([]interface{}, len(groups))
			for i, g := range groups {
				out[i] = g
			}
			return out, nil
		})),
	}
}
