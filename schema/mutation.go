package schema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// userError is one problem with a mutation's input, sent in the payload's
// userErrors rather than as a GraphQL error: nothing was written.
type userError struct {
	path    []string
	code    string
	message string
}

// payload is the value behind NodePayload, LinkPayload and ImportResult.
type payload struct {
	// key is the affected node ("" when none).
	key string
	// link is the affected link, nil when none.
	link *graph.Link
	res  graph.ApplyResult
	errs []userError
	// ingest is what ingestArticle adds; nil for other mutations.
	ingest *ingestOutcome
}

// changed reports whether the write recorded anything.
func (pl *payload) changed() bool { return pl.res.Rev != 0 || len(pl.res.Revisions) > 0 }

// Codes of userErrors that are not validation problems of package graph
// (those are the problem's code in upper case: UNKNOWN_REFERENCE ...).
const (
	ueRequired    = "REQUIRED"
	ueNotFound    = "NOT_FOUND"
	ueNotJSON     = "NOT_A_JSON_OBJECT"
	ueNotANode    = "NOT_A_NODE"
	ueImmutable   = "IMMUTABLE"
	ueBadRevision = "BAD_REVISION"
	ueInvalid     = "INVALID"
)

func failed(path []string, code, format string, args ...interface{}) *payload {
	return &payload{errs: []userError{{path: path, code: code, message: fmt.Sprintf(format, args...)}}}
}

// mutationTypes builds UserError, the payload types and Mutation.
func (b *builder) mutationTypes() {
	b.userError = graphql.NewObject(graphql.ObjectConfig{
		Name:        "UserError",
		Description: "A problem with a mutation's input. A mutation with user errors wrote nothing.",
		Fields: graphql.Fields{
			"path": field(nonNullList(graphql.String), "Where the problem is: the argument, then the place in a bundle "+
				"(quotes[3], line 7) and the field (span.start); empty when it concerns the whole input.",
				get(func(e userError) interface{} { return e.path })),
			"code": field(graphql.NewNonNull(graphql.String), "A machine-readable code: a validation problem's code in upper case "+
				"(UNKNOWN_REFERENCE, SPAN_TEXT_MISMATCH ...), or REQUIRED, NOT_FOUND, NOT_A_JSON_OBJECT, NOT_A_NODE, "+
				"IMMUTABLE, BAD_REVISION, INVALID, EXTRACT_FAILED.",
				get(func(e userError) interface{} { return e.code })),
			"message": field(graphql.NewNonNull(graphql.String), "The problem in words.",
				get(func(e userError) interface{} { return e.message })),
		},
	})
	userErrors := field(nonNullList(b.userError), "What is wrong with the input; empty on success. When not empty, nothing was written.",
		get(func(pl *payload) interface{} {
			out := make([]interface{}, len(pl.errs))
			for i, e := range pl.errs {
				out[i] = e
			}
			return out
		}))
	revision := field(graphql.String, "The revision this write recorded (Revision.rev); null when it changed nothing or failed.",
		get(func(pl *payload) interface{} {
			if pl.res.Rev == 0 {
				return nil
			}
			return formatRev(pl.res.Rev)
		}))
	changed := field(graphql.NewNonNull(graphql.Boolean), "True when the write changed the graph; writing what is already there changes nothing and records no revision.",
		get(func(pl *payload) interface{} { return pl.changed() }))
	b.nodePayload = graphql.NewObject(graphql.ObjectConfig{
		Name:        "NodePayload",
		Description: "The result of a mutation of a node: the node as it is after the write, the revision, and the user errors.",
		Fields: graphql.Fields{
			"node": field(b.node, "The affected node, read after the write (its revision field is the latest revision); null on user errors.",
				with(func(rq *request, pl *payload, _ graphql.ResolveParams) (interface{}, error) {
					if pl.key == "" || len(pl.errs) > 0 {
						return nil, nil
					}
					return rq.loader.thunkOne(rq.ctx, pl.key), nil
				})),
			"revision":   revision,
			"changed":    changed,
			"userErrors": userErrors,
		},
	})
	b.linkPayload = graphql.NewObject(graphql.ObjectConfig{
		Name:        "LinkPayload",
		Description: "The result of a mutation of a link: the link as it is after the write, the revision, and the user errors.",
		Fields: graphql.Fields{
			"link": field(b.link, "The affected link, read after the write (with its retraction, if any); after unlink, the "+
				"link as it was. Null on user errors.", with(resolvePayloadLink)),
			"revision":   revision,
			"changed":    changed,
			"userErrors": userErrors,
		},
	})
	b.importCounts = graphql.NewObject(graphql.ObjectConfig{
		Name:        "ImportCounts",
		Description: "How many records an import added, changed and left unchanged.",
		Fields: graphql.Fields{
			"added": field(graphql.NewNonNull(graphql.Int), "Records that did not exist before.",
				get(func(c graph.Counts) interface{} { return c.Added })),
			"changed": field(graphql.NewNonNull(graphql.Int), "Records that existed with other values (one revision each).",
				get(func(c graph.Counts) interface{} { return c.Changed })),
			"unchanged": field(graphql.NewNonNull(graphql.Int), "Records already stored as given (no revision).",
				get(func(c graph.Counts) interface{} { return c.Unchanged })),
		},
	})
	b.ingestTypes()
	b.importResult = graphql.NewObject(graphql.ObjectConfig{
		Name: "ImportResult",
		Description: "The result of importBundle and ingestArticle: what it added, changed and left unchanged, the " +
			"revision, and the user errors (every problem of an invalid bundle or article; nothing was written then). " +
			"ingestArticle also gives the article's source, what its people and organisations were matched to, and " +
			"the extractor's warnings.",
		Fields: merge(graphql.Fields{
			"nodes": field(graphql.NewNonNull(b.importCounts), "Node counts.",
				get(func(pl *payload) interface{} { return pl.res.Nodes })),
			"links": field(graphql.NewNonNull(b.importCounts), "Link counts.",
				get(func(pl *payload) interface{} { return pl.res.Links })),
			"revision":   revision,
			"changed":    changed,
			"userErrors": userErrors,
		}, b.ingestResultFields()),
	})
}

// mutation builds the Mutation type.
func (b *builder) mutation() *graphql.Object {
	note := &graphql.ArgumentConfig{Type: graphql.String, Description: "Why: recorded with the revision."}
	expected := &graphql.ArgumentConfig{Type: graphql.String, Description: "Write only if the node's latest revision " +
		"(its revision field) is still this one; \"0\" means it must not exist yet. A stale value is an error with " +
		"code CONFLICT, and nothing is written."}
	id := func(desc string) *graphql.ArgumentConfig {
		return &graphql.ArgumentConfig{Type: graphql.NewNonNull(graphql.ID), Description: desc}
	}
	rel := &graphql.ArgumentConfig{Type: graphql.NewNonNull(b.linkRel), Description: "The link's relation."}
	fields := graphql.Fields{
		"importBundle": {
			Type: graphql.NewNonNull(b.importResult),
			Description: "Import a bundle (bundle/1, a JSON object or JSON Lines) as one atomic write, validated as the " +
				"command line's import validates it: an invalid bundle writes nothing and lists every problem in " +
				"userErrors. Records already stored as given are left alone.",
			Args: graphql.FieldConfigArgument{
				"bundle":       {Type: graphql.NewNonNull(graphql.String), Description: "The bundle's text (within the request body limit)."},
				"note":         note,
				"allowUnknown": {Type: graphql.Boolean, DefaultValue: false, Description: "Ignore fields the format does not define instead of reporting them."},
			},
			Resolve: resolve(b.importBundle),
		},
		"ingestArticle": b.ingestArticleField(note),
		"putNode": {
			Type: graphql.NewNonNull(b.nodePayload),
			Description: "Create a node, or replace every field of an existing one, from a bundle-shaped JSON object " +
				"with a type field ({type: \"claim\", key: \"c-1\", text: \"...\"}), validated as an import is.",
			Args: graphql.FieldConfigArgument{
				"node":             {Type: graphql.NewNonNull(b.json), Description: "The record, as one line of a JSON Lines bundle: type (person, organisation, source, quote, claim or figure), key and the kind's fields."},
				"note":             note,
				"expectedRevision": expected,
			},
			Resolve: resolve(b.putNode),
		},
		"correct": {
			Type: graphql.NewNonNull(b.nodePayload),
			Description: "Change some fields of a node and keep the others: recorded as an updated revision whose note " +
				"starts with \"correction\".",
			Args: graphql.FieldConfigArgument{
				"id":               id("The node to correct."),
				"fields":           {Type: graphql.NewNonNull(b.json), Description: "The fields to change, bundle-shaped ({text: \"...\", span: {start: 3, end: 9}}); a null (in a variable) removes a field. key and type cannot change: merge duplicates instead."},
				"note":             note,
				"expectedRevision": expected,
			},
			Resolve: resolve(b.correct),
		},
		"link": {
			Type:        graphql.NewNonNull(b.linkPayload),
			Description: "Link two nodes (supports, contradicts ...), or update the reason and note of the link they have. The link's by is the writer and its at the commit time of its last change; linking again as it is changes nothing.",
			Args: graphql.FieldConfigArgument{
				"from":     id("The node the link starts at."),
				"to":       id("The node the link points to."),
				"relation": rel,
				"reason":   {Type: b.reason, Description: "Why the nodes disagree (for contradicts)."},
				"note":     {Type: graphql.String, Description: "A note on the link, also recorded with the revision."},
			},
			Resolve: resolve(b.linkNodes),
		},
		"unlink": {
			Type:        graphql.NewNonNull(b.linkPayload),
			Description: "Remove a link. History keeps it; to withdraw a link and keep it visible, retractLink instead.",
			Args: graphql.FieldConfigArgument{
				"from":     id("The node the link starts at."),
				"to":       id("The node the link points to."),
				"relation": rel,
				"note":     note,
			},
			Resolve: resolve(b.unlink),
		},
		"retract": {
			Type: graphql.NewNonNull(b.nodePayload),
			Description: "Retract a node: it stays readable and flagged (retracted { at by reason }), and supporting, " +
				"contradicting and assessments leave it out. Retracting twice changes nothing.",
			Args: graphql.FieldConfigArgument{
				"id":               id("The node to retract."),
				"reason":           {Type: graphql.NewNonNull(graphql.String), Description: "Why (not empty)."},
				"note":             note,
				"expectedRevision": expected,
			},
			Resolve: resolve(b.retract),
		},
		"retractLink": {
			Type:        graphql.NewNonNull(b.linkPayload),
			Description: "Retract a link: it stays readable and flagged, and evidence views leave it out.",
			Args: graphql.FieldConfigArgument{
				"from":     id("The node the link starts at."),
				"to":       id("The node the link points to."),
				"relation": rel,
				"reason":   {Type: graphql.NewNonNull(graphql.String), Description: "Why (not empty)."},
				"note":     note,
			},
			Resolve: resolve(b.retractLink),
		},
		"merge": {
			Type: graphql.NewNonNull(b.nodePayload),
			Description: "Merge duplicate people or organisations into one: into keeps its key, the others' names become " +
				"its aliases, their edges move to it, their history is kept, and their ids resolve to it from then on.",
			Args: graphql.FieldConfigArgument{
				"ids":              {Type: nonNullList(graphql.ID), Description: "The duplicates, of the same kind as into."},
				"into":             id("The person or organisation that remains."),
				"note":             note,
				"expectedRevision": {Type: graphql.String, Description: expected.Description + " It applies to into."},
			},
			Resolve: resolve(b.merge),
		},
	}
	return graphql.NewObject(graphql.ObjectConfig{
		Name: "Mutation",
		Description: "Curation: every write needs Authorization: Bearer <token> (FORBIDDEN otherwise) and records a " +
			"revision per changed record, by the token's name, with the note. Problems with the input come back as " +
			"userErrors and write nothing; a stale expectedRevision is an error with code CONFLICT and writes nothing.",
		Fields: fields,
	})
}

// writer returns the name writes are recorded under, or FORBIDDEN.
func (rq *request) writer() (string, error) {
	if rq.exec == nil || rq.exec.store == nil {
		return "", &Error{Code: CodeForbidden, Message: "writes are not available here", Err: errNoStore}
	}
	if rq.exec.by == "" {
		return "", &Error{Code: CodeForbidden, Message: "writes need Authorization: Bearer <token> with a valid token"}
	}
	return rq.exec.by, nil
}

// view runs fn on a snapshot of the store as it is now.
func (rq *request) view(fn func(graph.Reader) error) error {
	return rq.exec.store.View(rq.ctx, fn)
}

// str reads a string argument.
func str(args map[string]interface{}, name string) string {
	s, _ := args[name].(string)
	return s
}

// expectation reads expectedRevision into batch.Expected for key.
func expectation(args map[string]interface{}, key string, batch *graph.Batch) *payload {
	s, ok := args["expectedRevision"].(string)
	if !ok {
		return nil
	}
	rev, ok := parseRev(strings.TrimSpace(s))
	if !ok {
		return failed([]string{"expectedRevision"}, ueBadRevision, "expectedRevision %s is not a revision (a decimal number, as the revision field gives it)", quote(s))
	}
	batch.Expected = map[string]int64{key: rev}
	return nil
}

// apply applies a batch and makes the payload: validation problems become
// user errors (path from arg and place), a conflict the error CONFLICT.
// On success the root field's subtree reads a snapshot taken after the
// write.
func (rq *request) apply(p graphql.ResolveParams, batch *graph.Batch, paths func(graph.Problem) []string) (*payload, error) {
	res, err := rq.exec.store.Apply(rq.ctx, batch)
	return rq.applied(p, res, err, paths)
}

// applied makes the payload of a write that returned res and err (see
// apply).
func (rq *request) applied(p graphql.ResolveParams, res graph.ApplyResult, err error, paths func(graph.Problem) []string) (*payload, error) {
	if err != nil {
		var ve *graph.ValidationError
		switch {
		case errors.Is(err, graph.ErrConflict):
			return nil, &Error{Code: CodeConflict, Err: err,
				Message: "conflict: the data changed since the expected revision (or a concurrent write touched it); nothing was written. Read it again and retry."}
		case errors.As(err, &ve):
			return &payload{errs: problemErrors(ve.Problems, paths)}, nil
		case errors.Is(err, graph.ErrInvalid):
			return failed([]string{}, ueInvalid, "%s", err.Error()), nil
		case errors.Is(err, graph.ErrNotFound):
			return failed([]string{}, ueNotFound, "%s", err.Error()), nil
		}
		return nil, err
	}
	sub, err := rq.fresh()
	if err != nil {
		return nil, err
	}
	rq.register(p.Info.Path, sub)
	return &payload{res: res}, nil
}

// problemErrors turns validation problems into user errors.
func problemErrors(ps []graph.Problem, paths func(graph.Problem) []string) []userError {
	out := make([]userError, 0, len(ps))
	for _, pr := range ps {
		msg := pr.Message
		if pr.Key != "" {
			msg = "key " + pr.Key + ": " + msg
		}
		out = append(out, userError{path: paths(pr), code: strings.ToUpper(pr.Code), message: msg})
	}
	return out
}

// recordPaths locates a problem of a one-record bundle at arg and the
// problem's field.
func recordPaths(arg string) func(graph.Problem) []string {
	return func(pr graph.Problem) []string {
		if pr.Field == "" {
			return []string{arg}
		}
		return []string{arg, pr.Field}
	}
}

// argPaths locates a problem of a batch built from arguments at the
// argument named like the problem's field, when there is one.
func argPaths(args ...string) func(graph.Problem) []string {
	return func(pr graph.Problem) []string {
		root := pr.Field
		if i := strings.IndexAny(root, ".["); i >= 0 {
			root = root[:i]
		}
		for _, a := range args {
			if a == root {
				return []string{a}
			}
		}
		return []string{}
	}
}

// readBundle decodes and validates a bundle against the store as it is now.
func (rq *request) readBundle(text string, opt graph.DecodeOptions) (*graph.Bundle, error) {
	var b *graph.Bundle
	err := rq.view(func(r graph.Reader) error {
		var err error
		b, err = graph.ReadBundle(rq.ctx, strings.NewReader(text), opt, r)
		return err
	})
	return b, err
}

func (b *builder) importBundle(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	allow, _ := p.Args["allowUnknown"].(bool)
	bundle, err := rq.readBundle(str(p.Args, "bundle"), graph.DecodeOptions{AllowUnknown: allow})
	var ve *graph.ValidationError
	if errors.As(err, &ve) {
		return &payload{errs: problemErrors(ve.Problems, func(pr graph.Problem) []string {
			path := []string{"bundle", pr.Place.String()}
			if pr.Field != "" {
				path = append(path, pr.Field)
			}
			return path
		})}, nil
	}
	if err != nil {
		return nil, err
	}
	return rq.apply(p, bundle.Batch(by, str(p.Args, "note")), func(pr graph.Problem) []string {
		return []string{"bundle", pr.Place.String()}
	})
}

// jsonObject reads a JSON argument holding an object (or a string holding
// one).
func jsonObject(v interface{}) (map[string]interface{}, bool) {
	if s, ok := v.(string); ok {
		var m map[string]interface{}
		if json.Unmarshal([]byte(s), &m) != nil {
			return nil, false
		}
		v = m
	}
	m, ok := v.(map[string]interface{})
	return m, ok && m != nil
}

// decodeRecord decodes one bundle-shaped record (with its type field) and
// validates it against the store as it is now. A payload reports its
// problems at arg.
func (rq *request) decodeRecord(arg string, rec map[string]interface{}) (graph.Node, *payload, error) {
	line, err := json.Marshal(rec)
	if err != nil {
		return nil, failed([]string{arg}, ueNotJSON, "%s is not a JSON object: %v", arg, err), nil
	}
	bundle, err := rq.readBundle(`{"claimgraph":"`+graph.FormatVersion+`"}`+"\n"+string(line)+"\n", graph.DecodeOptions{})
	var ve *graph.ValidationError
	if errors.As(err, &ve) {
		return nil, &payload{errs: problemErrors(ve.Problems, recordPaths(arg))}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if len(bundle.Nodes) != 1 || len(bundle.Links) != 0 {
		return nil, failed([]string{arg, "type"}, ueNotANode, "%s must be one node record: type person, organisation, source, quote, claim or figure (use link for links)", arg), nil
	}
	return bundle.Nodes[0], nil, nil
}

func (b *builder) putNode(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	rec, ok := jsonObject(p.Args["node"])
	if !ok {
		return failed([]string{"node"}, ueNotJSON, "node must be a JSON object with a type field"), nil
	}
	n, pl, err := rq.decodeRecord("node", rec)
	if pl != nil || err != nil {
		return pl, err
	}
	batch := &graph.Batch{Nodes: []graph.Node{n}, By: by, Note: str(p.Args, "note")}
	if pl := expectation(p.Args, n.NodeKey(), batch); pl != nil {
		return pl, nil
	}
	pl, err = rq.apply(p, batch, recordPaths("node"))
	if pl != nil && len(pl.errs) == 0 {
		pl.key = n.NodeKey()
	}
	return pl, err
}

// current reads the node with the key as it is now; a payload reports
// that it does not exist.
func (rq *request) current(arg, key string) (graph.Node, *payload, error) {
	var n graph.Node
	err := rq.view(func(r graph.Reader) error {
		var err error
		n, err = r.Node(rq.ctx, key)
		return err
	})
	if errors.Is(err, graph.ErrNotFound) {
		return nil, failed([]string{arg}, ueNotFound, "no node has id %s", quote(key)), nil
	}
	return n, nil, err
}

func (b *builder) correct(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	id := str(p.Args, "id")
	fields, ok := jsonObject(p.Args["fields"])
	if !ok {
		return failed([]string{"fields"}, ueNotJSON, "fields must be a JSON object of the fields to change"), nil
	}
	if len(fields) == 0 {
		return failed([]string{"fields"}, ueRequired, "fields names nothing to change"), nil
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if k == "key" || k == "type" {
			return failed([]string{"fields", k}, ueImmutable, "%s cannot be corrected; merge duplicate nodes instead", k), nil
		}
	}
	n, pl, err := rq.current("id", id)
	if pl != nil || err != nil {
		return pl, err
	}
	data, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	var rec map[string]interface{}
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, err
	}
	for _, k := range names {
		if v := fields[k]; v == nil {
			delete(rec, k)
		} else {
			rec[k] = v
		}
	}
	rec["type"] = n.NodeKind().String()
	fixed, pl, err := rq.decodeRecord("fields", rec)
	if pl != nil || err != nil {
		return pl, err
	}
	note := "correction"
	if s := strings.TrimSpace(str(p.Args, "note")); s != "" {
		note += ": " + s
	}
	batch := &graph.Batch{Nodes: []graph.Node{fixed}, By: by, Note: note}
	if pl := expectation(p.Args, id, batch); pl != nil {
		return pl, nil
	}
	pl, err = rq.apply(p, batch, recordPaths("fields"))
	if pl != nil && len(pl.errs) == 0 {
		pl.key = id
	}
	return pl, err
}

// linkArgsOf reads from, relation and to.
func linkArgsOf(args map[string]interface{}) graph.LinkID {
	return graph.LinkID{From: str(args, "from"), Relation: graph.Relation(str(args, "relation")), To: str(args, "to")}
}

// existingLink reads the link with the id as it is now (nil when none).
func (rq *request) existingLink(id graph.LinkID) (*graph.Edge, error) {
	var found *graph.Edge
	err := rq.view(func(r graph.Reader) error {
		es, err := r.Edges(rq.ctx, graph.EdgeQuery{Key: id.From, Dir: graph.Out, Relations: []graph.Relation{id.Relation}})
		if errors.Is(err, graph.ErrNotFound) {
			return nil
		}
		for i := range es {
			if es[i].To == id.To {
				found = &es[i]
				break
			}
		}
		return err
	})
	return found, err
}

func (b *builder) linkNodes(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	id := linkArgsOf(p.Args)
	// The store fills by (the batch's writer) and at (the commit time) of a
	// new or changed link, and keeps them when nothing else changes.
	l := graph.Link{From: id.From, To: id.To, Relation: id.Relation, Reason: str(p.Args, "reason"), Note: str(p.Args, "note")}
	pl, err := rq.apply(p, &graph.Batch{Links: []graph.Link{l}, By: by, Note: l.Note}, argPaths("from", "to", "relation", "reason", "note"))
	if pl != nil && len(pl.errs) == 0 {
		pl.link = &l
	}
	return pl, err
}

func (b *builder) unlink(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	id := linkArgsOf(p.Args)
	old, err := rq.existingLink(id)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return failed([]string{}, strings.ToUpper(graph.CodeUnknownLink), "no %s link from %s to %s", id.Relation, quote(id.From), quote(id.To)), nil
	}
	pl, err := rq.apply(p, &graph.Batch{Unlinks: []graph.LinkID{id}, By: by, Note: str(p.Args, "note")}, argPaths("from", "to", "relation"))
	if pl != nil && len(pl.errs) == 0 {
		l := old.Link()
		pl.link = &l
	}
	return pl, err
}

func (b *builder) retract(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	id, reason := str(p.Args, "id"), strings.TrimSpace(str(p.Args, "reason"))
	if reason == "" {
		return failed([]string{"reason"}, ueRequired, "a retraction needs a reason"), nil
	}
	if _, pl, err := rq.current("id", id); pl != nil || err != nil {
		return pl, err
	}
	batch := &graph.Batch{Retracts: []graph.Retract{{Key: id, Reason: reason}}, By: by, Note: str(p.Args, "note")}
	if pl := expectation(p.Args, id, batch); pl != nil {
		return pl, nil
	}
	pl, err := rq.apply(p, batch, func(pr graph.Problem) []string {
		if pr.Field == "key" {
			return []string{"id"}
		}
		return argPaths("reason")(pr)
	})
	if pl != nil && len(pl.errs) == 0 {
		pl.key = id
	}
	return pl, err
}

func (b *builder) retractLink(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	id, reason := linkArgsOf(p.Args), strings.TrimSpace(str(p.Args, "reason"))
	if reason == "" {
		return failed([]string{"reason"}, ueRequired, "a retraction needs a reason"), nil
	}
	old, err := rq.existingLink(id)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return failed([]string{}, strings.ToUpper(graph.CodeUnknownLink), "no %s link from %s to %s", id.Relation, quote(id.From), quote(id.To)), nil
	}
	pl, err := rq.apply(p, &graph.Batch{Retracts: []graph.Retract{{Link: &id, Reason: reason}}, By: by, Note: str(p.Args, "note")},
		argPaths("from", "to", "relation", "reason"))
	if pl != nil && len(pl.errs) == 0 {
		l := old.Link()
		pl.link = &l
	}
	return pl, err
}

func (b *builder) merge(rq *request, p graphql.ResolveParams) (interface{}, error) {
	by, err := rq.writer()
	if err != nil {
		return nil, err
	}
	into := str(p.Args, "into")
	raw, _ := p.Args["ids"].([]interface{})
	var ids []string
	for _, v := range raw {
		if s, ok := v.(string); ok {
			ids = append(ids, s)
		}
	}
	if len(ids) == 0 {
		return failed([]string{"ids"}, ueRequired, "name at least one duplicate to merge"), nil
	}
	batch := &graph.Batch{Merges: []graph.Merge{{Keys: ids, Into: into}}, By: by, Note: str(p.Args, "note")}
	if pl := expectation(p.Args, into, batch); pl != nil {
		return pl, nil
	}
	pl, err := rq.apply(p, batch, func(pr graph.Problem) []string {
		// The store names the merge's keys keys[i]; the argument is ids.
		if rest, ok := strings.CutPrefix(pr.Field, "keys"); ok {
			if i := strings.Trim(rest, "[]"); i != "" {
				return []string{"ids", i}
			}
			return []string{"ids"}
		}
		return argPaths("into")(pr)
	})
	if pl != nil && len(pl.errs) == 0 {
		pl.key = into
	}
	return pl, err
}

// resolvePayloadLink reads the payload's link after the write: the stored
// edge (with its retraction) when it still exists, else the link as it was.
func resolvePayloadLink(rq *request, pl *payload, _ graphql.ResolveParams) (interface{}, error) {
	if pl.link == nil || len(pl.errs) > 0 {
		return nil, nil
	}
	l := *pl.link
	var retracted *graph.Retraction
	es, err := rq.r.Edges(rq.ctx, graph.EdgeQuery{Key: l.From, Dir: graph.Out, Relations: []graph.Relation{l.Relation}})
	if err != nil && !errors.Is(err, graph.ErrNotFound) {
		return nil, err
	}
	for _, e := range es {
		if e.To == l.To {
			l, retracted = e.Link(), e.Retracted
			break
		}
	}
	keys := []string{l.From, l.To}
	rq.loader.want(keys...)
	ctx := rq.ctx
	return thunk(func() (interface{}, error) {
		return linkOf(ctx, rq.loader, l, retracted)
	}), nil
}

// linkOf builds a Link value with both ends loaded; nil when an end is
// missing.
func linkOf(ctx context.Context, l *loader, link graph.Link, retracted *graph.Retraction) (interface{}, error) {
	nodes, err := l.many(ctx, []string{link.From, link.To})
	if err != nil || nodes[0] == nil || nodes[1] == nil {
		return nil, err
	}
	return &linkValue{link: link, retracted: retracted, from: nodes[0], to: nodes[1]}, nil
}
