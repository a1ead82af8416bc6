package main

import (
	"encoding/json"
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

// rowMaker turns records into peer rows; ids are assigned in record order.
type rowMaker struct {
	ids map[string]int64
}

func newRowMaker(n int) *rowMaker { return &rowMaker{ids: make(map[string]int64, n)} }

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

// node returns the rows of one node: its own, its reference edges and its
// names.
func (m *rowMaker) node(n graph.Node, emitNode func(nodeRow) error, emitEdge func(edgeRow) error, emitName func(nameRow) error) error {
	id := int64(len(m.ids) + 1)
	m.ids[n.NodeKey()] = id
	rec, err := json.Marshal(n)
	if err != nil {
		return err
	}
	row := nodeRow{id: id, key: n.NodeKey(), kind: int16(n.NodeKind()), record: rec}
	var names []string
	switch x := n.(type) {
	case *graph.Quote:
		row.saidAt, row.words = date(x.SaidAt), x.Text
		if id, ok := m.ids[x.Speaker]; ok {
			row.speaker = &id
		}
	case *graph.Source:
		row.publishedAt, row.url = date(x.PublishedAt), optional(x.URL)
	case *graph.Person:
		names = append([]string{x.Name}, x.Aliases...)
	case *graph.Organisation:
		names = append([]string{x.Name}, x.Aliases...)
	}
	if err := emitNode(row); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, nm := range names {
		f := fold.Name(nm)
		if f != "" && !seen[f] {
			seen[f] = true
			if err := emitName(nameRow{f, id}); err != nil {
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
		if err := emitEdge(edgeRow{src: id, rel: e.rel, dst: dst, qualifier: optional(ref.Qualifier)}); err != nil {
			return err
		}
	}
	return nil
}

// link returns the edge row of a link.
func (m *rowMaker) link(l graph.Link) (edgeRow, bool) {
	src, ok1 := m.ids[l.From]
	dst, ok2 := m.ids[l.To]
	return edgeRow{src: src, rel: relCodes[l.Relation], dst: dst, reason: optional(l.Reason), note: optional(l.Note),
		by: optional(l.By), atxt: optional(l.At)}, ok1 && ok2
}
