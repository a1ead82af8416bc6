package main

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"claimgraph/fold"
	"claimgraph/graph"
)

// relCodes are claimgraph's relation codes (store/doc.go), used by the
// peers' edge tables too.
var relCodes = map[graph.Relation]int16{
	graph.RelSpeaker: 1, graph.RelSource: 2, graph.RelChannel: 3, graph.RelReportedBy: 4,
	graph.RelExpresses: 5, graph.RelPublisher: 6, graph.RelAuthor: 7, graph.RelDerivedFrom: 8,
	graph.RelStatedBy: 9, graph.RelParent: 10, graph.RelAffiliation: 11, graph.RelAbout: 12,
	graph.RelSupports: 32, graph.RelContradicts: 33, graph.RelContext: 34, graph.RelSameAs: 35,
	graph.RelRepeats: 36, graph.RelRetracts: 37, graph.RelCorrects: 38, graph.RelRespondsTo: 39,
}

// nodeRow is one row of a peer's node table.
type nodeRow struct {
	id          int64
	key         string
	kind        int16
	record      []byte
	saidAt      *time.Time
	publishedAt *time.Time
	url         *string
	speaker     *int64 // quotes: the speaker's id (the speaker+said_at index)
	words       string // a quote's text, for full-text indexes
}

// edgeRow is one row of a peer's edge table.
type edgeRow struct {
	src, dst                          int64
	rel                               int16
	qualifier, reason, note, by, atxt *string
}

// nameRow is one folded name or alias of an agent.
type nameRow struct {
	name string
	id   int64
}

// facetRow is one facet value of a node (graph.FacetValues), the peers'
// equivalent of claimgraph's facet keys (store/facet.go): indexed in key
// order and in order-value order.
type facetRow struct {
	kind, code int16
	value, key string
	ord        *int64 // graph.NodeSortValue, as a signed integer of the same order
}

// revisionRow is the creation revision of a node or link, the peers'
// equivalent of claimgraph's history keys: who, when, and the record as
// written.
type revisionRow struct {
	node     int64 // the node's id; a link's is its from node's
	rev, seq int64
	change   string
	by, at   string
	record   []byte
}

// docRow is the text a node is searched by (graph's ranked search fields),
// the peers' equivalent of claimgraph's stemmed search postings.
type docRow struct {
	id                                int64
	name, alias, title, text, measure string
}

// rowSink receives the rows of the corpus.
type rowSink struct {
	node     func(nodeRow) error
	edge     func(edgeRow) error
	name     func(nameRow) error
	facet    func(facetRow) error
	revision func(revisionRow) error
	doc      func(docRow) error
}

// facetCodes are claimgraph's facet codes (store/facet.go), used by the
// peers' facet tables.
var facetCodes = map[graph.Facet]int16{
	graph.FacetSpeaker: 1, graph.FacetSource: 2, graph.FacetPublisher: 3, graph.FacetMode: 4,
	graph.FacetKind: 5, graph.FacetUnit: 6, graph.FacetMeasure: 7, graph.FacetStatedBy: 8,
	graph.FacetAffiliation: 9, graph.FacetParent: 10, graph.FacetAbout: 11,
}

// revisionBy and revisionAt are what the peers' revision rows record: one
// import, as claimgraph's are.
const revisionBy, revisionAt = "import:bench", "2026-01-01T00:00:00Z"

// rowMaker turns records into peer rows; ids are assigned in record order.
type rowMaker struct {
	ids        map[string]int64
	publishers map[string]string // source key -> publisher key
	seq        map[int64]int64   // links written per from node
}

func newRowMaker(n int) *rowMaker {
	return &rowMaker{ids: make(map[string]int64, n), publishers: map[string]string{}, seq: map[int64]int64{}}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func date(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, _, err := graph.ParseDate(s)
	if err != nil {
		return nil
	}
	return &t
}

// revision returns the creation revision row of node id (link false) or
// of a link from it: a node's is its first (seq 1), its links' follow.
// Only the nodes with links are counted, so that the peers' loads do not
// pay for a map of every node.
func (m *rowMaker) revision(id int64, rec []byte, link bool) revisionRow {
	seq := int64(1)
	if link {
		seq = m.seq[id] + 2
		m.seq[id]++
	}
	return revisionRow{node: id, rev: 1, seq: seq, change: string(graph.ChangeCreated), by: revisionBy, at: revisionAt, record: rec}
}

// node returns the rows of one node: its own, its reference edges, its
// names, facets, creation revision and search text.
func (m *rowMaker) node(ctx context.Context, n graph.Node, s rowSink) error {
	id := int64(len(m.ids) + 1)
	m.ids[n.NodeKey()] = id
	rec, err := json.Marshal(n)
	if err != nil {
		return err
	}
	row := nodeRow{id: id, key: n.NodeKey(), kind: int16(n.NodeKind()), record: rec}
	doc := docRow{id: id}
	var names []string
	switch x := n.(type) {
	case *graph.Quote:
		row.saidAt, row.words = date(x.SaidAt), x.Text
		if id, ok := m.ids[x.Speaker]; ok {
			row.speaker = &id
		}
		doc.text = x.Text
	case *graph.Source:
		row.publishedAt, row.url = date(x.PublishedAt), optional(x.URL)
		m.publishers[x.Key] = x.Publisher
		doc.title, doc.text = x.Title, x.Text
	case *graph.Person:
		names = append([]string{x.Name}, x.Aliases...)
		doc.name, doc.alias = x.Name, strings.Join(x.Aliases, "\n")
	case *graph.Organisation:
		names = append([]string{x.Name}, x.Aliases...)
		doc.name, doc.alias = x.Name, strings.Join(x.Aliases, "\n")
	case *graph.Claim:
		doc.text = x.Text
	case *graph.Figure:
		doc.text, doc.measure = x.Text, x.Measure
	}
	if err := s.node(row); err != nil {
		return err
	}
	if err := s.revision(m.revision(id, rec, false)); err != nil {
		return err
	}
	if err := s.doc(doc); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, nm := range names {
		f := fold.Name(nm)
		if f != "" && !seen[f] {
			seen[f] = true
			if err := s.name(nameRow{f, id}); err != nil {
				return err
			}
		}
	}
	facets, err := graph.FacetValues(ctx, n,
		func(_ context.Context, key string) (string, error) { return key, nil },
		func(_ context.Context, source string) (string, error) { return m.publishers[source], nil })
	if err != nil {
		return err
	}
	var ord *int64
	if v, ok := graph.NodeSortValue(n); ok {
		o := int64(v ^ 1<<63)
		ord = &o
	}
	for f, vals := range facets {
		for _, v := range vals {
			if err := s.facet(facetRow{kind: row.kind, code: facetCodes[f], value: v, key: row.key, ord: ord}); err != nil {
				return err
			}
		}
	}
	type edgeID struct {
		rel int16
		dst int64
	}
	done := map[edgeID]bool{}
	for _, ref := range n.Refs() {
		dst, ok := m.ids[ref.To]
		if !ok {
			continue // not in the corpus: cannot happen with gen's order
		}
		e := edgeID{relCodes[ref.Relation], dst}
		if done[e] {
			continue
		}
		done[e] = true
		if err := s.edge(edgeRow{src: id, rel: e.rel, dst: dst, qualifier: optional(ref.Qualifier)}); err != nil {
			return err
		}
	}
	return nil
}

// link writes the rows of a link: its edge and its creation revision.
func (m *rowMaker) link(l graph.Link, s rowSink) error {
	src, ok1 := m.ids[l.From]
	dst, ok2 := m.ids[l.To]
	if !ok1 || !ok2 {
		return nil // not in the corpus: cannot happen with gen's order
	}
	if err := s.edge(edgeRow{src: src, rel: relCodes[l.Relation], dst: dst, reason: optional(l.Reason), note: optional(l.Note),
		by: optional(l.By), atxt: optional(l.At)}); err != nil {
		return err
	}
	rec, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return s.revision(m.revision(src, rec, true))
}
