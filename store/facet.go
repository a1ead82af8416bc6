package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// Facets (family f): the index of filtered lists (graph.Selection). For
// each node, with kind its kind byte and key its user key, the logical
// keys (since layout 7 the entries of each list, all but the column, are
// stored in blocks: facetblocks.go):
//
//	f | kind | code | 00 | escaped value | key                      -> (empty)  key order
//	f | kind | code | 01 | escaped value | 01 | value (8) | key      -> (empty)  value order
//	f | kind | code | 01 | escaped value | 02 | key                  -> (empty)  value order, no value
//	f | kind | 00 | 01 | 00 01 | 01 | value (8) | key               -> (empty)  every node, value order
//	f | kind | ff | key                                             -> the node's facet values
//
// code is the facet (facetCodes), the escaped value is a facet value as
// graph.FacetValues gives it (appendEscaped: terminated by 00 01), value
// the node's order value as graph.NodeSortValue gives it, big-endian.
// Kinds without an order value (people, organisations, claims) have only
// the key-order entries. The last key (the node's column) holds its
// values, so that a rewrite knows the entries to delete and an aggregation
// reads a node's values with one Get:
//
//	01 | order (00 none for the kind, 01 value follows, 02 no value) | value (8) | (code, uvarint length, value)...
//
// The entries are index entries of the node, written, diffed and deleted
// with its record (putNode), computed in the state after the batch. A
// quote's or figure's publisher is its source's: when a batch changes a
// source's publisher (or a merge changes what a key resolves to), the
// facets of the nodes that depend on it are rewritten in the same commit
// (refreshFacets).

// Facet codes: the byte after the kind. Fixed forever.
var facetCodes = map[graph.Facet]byte{
	graph.FacetSpeaker:     0x01,
	graph.FacetSource:      0x02,
	graph.FacetPublisher:   0x03,
	graph.FacetMode:        0x04,
	graph.FacetKind:        0x05,
	graph.FacetUnit:        0x06,
	graph.FacetMeasure:     0x07,
	graph.FacetStatedBy:    0x08,
	graph.FacetAffiliation: 0x09,
	graph.FacetParent:      0x0a,
	graph.FacetAbout:       0x0b,
}

const (
	facetAll    byte = 0x00 // the every-node entries
	facetColumn byte = 0xff // a node's facet values

	variantKey   byte = 0x00 // entries in key order
	variantValue byte = 0x01 // entries in value order

	markValue byte = 0x01 // an order value follows
	markNone  byte = 0x02 // the node has no order value
	markKind  byte = 0x00 // (column only) the kind has no order value

	facetColV1 byte = 0x01
)

// facetVariantPrefix returns f | kind | code | variant | escaped value.
func facetVariantPrefix(k graph.Kind, code, variant byte, value string) []byte {
	return appendFacetVariant(nil, k, code, variant, value)
}

// appendFacetVariant appends f | kind | code | variant | escaped value to
// b.
func appendFacetVariant(b []byte, k graph.Kind, code, variant byte, value string) []byte {
	return appendEscaped(append(b, famFacet, byte(k), code, variant), value)
}

// facetColumnKey returns f | kind | ff | key.
func facetColumnKey(k graph.Kind, key string) []byte {
	return append([]byte{famFacet, byte(k), facetColumn}, key...)
}

// facetVal is one facet value of a node.
type facetVal struct {
	code  byte
	value string
}

// facetCol is what the column of a node holds.
type facetCol struct {
	hasOrder bool   // the kind has an order value
	hasValue bool   // the node has one
	value    uint64 // the order value
	vals     []facetVal
}

// position returns the node's position in value order: the suffix of its
// value-order keys.
func (c facetCol) position(key string) []byte {
	if !c.hasValue {
		return append([]byte{markNone}, key...)
	}
	p := binary.BigEndian.AppendUint64([]byte{markValue}, c.value)
	return append(p, key...)
}

func (c facetCol) values(code byte) []string {
	var out []string
	for _, v := range c.vals {
		if v.code == code {
			out = append(out, v.value)
		}
	}
	return out
}

func encodeFacetCol(c facetCol) []byte {
	b := []byte{facetColV1, markKind}
	switch {
	case c.hasValue:
		b[1] = markValue
		b = binary.BigEndian.AppendUint64(b, c.value)
	case c.hasOrder:
		b[1] = markNone
	}
	for _, v := range c.vals {
		b = append(b, v.code)
		b = appendStrings(b, v.value)
	}
	return b
}

func decodeFacetCol(b []byte) (facetCol, error) {
	bad := fmt.Errorf("%w: facet column %x", errCorrupt, b)
	if len(b) < 2 || b[0] != facetColV1 {
		return facetCol{}, bad
	}
	c := facetCol{}
	switch b[1] {
	case markKind:
		b = b[2:]
	case markNone:
		c.hasOrder, b = true, b[2:]
	case markValue:
		if len(b) < 10 {
			return facetCol{}, bad
		}
		c.hasOrder, c.hasValue, c.value, b = true, true, binary.BigEndian.Uint64(b[2:10]), b[10:]
	default:
		return facetCol{}, bad
	}
	for len(b) > 0 {
		var s [1]string
		rest, err := readFields(b[1:], s[:])
		if err != nil {
			return facetCol{}, bad
		}
		c.vals = append(c.vals, facetVal{b[0], s[0]})
		b = rest
	}
	return c, nil
}

// addFacetEntries adds to es the facet keys of the node (kind k, user key
// key) whose column is c, the column key included.
func addFacetEntries(es entries, k graph.Kind, key string, c facetCol) {
	eachFacetEntry(k, key, c, func(fk, v []byte) { es[string(fk)] = v })
}

// eachFacetEntry calls fn with every facet key of node key (of kind k)
// whose column is c, and its value. The keys are slices of one buffer,
// each capped at its length (appending to one copies it).
func eachFacetEntry(k graph.Kind, key string, c facetCol, fn func(k, v []byte)) {
	empty := []byte{}
	fn(facetColumnKey(k, key), encodeFacetCol(c))
	var pos []byte
	if c.hasOrder {
		pos = c.position(key)
	}
	// One buffer for the variant keys: 4 bytes of prefix, the escaped
	// value and its 2-byte terminator, and the suffix.
	size := 0
	if c.hasOrder {
		size += 6 + len(pos)
	}
	for _, v := range c.vals {
		n := 6 + len(v.value) + bytesCount0(v.value)
		size += n + len(key)
		if c.hasOrder {
			size += n + len(pos)
		}
	}
	buf := make([]byte, 0, size)
	next := func(code, variant byte, value string, suffix []byte, suffixStr string) []byte {
		start := len(buf)
		buf = appendFacetVariant(buf, k, code, variant, value)
		buf = append(append(buf, suffix...), suffixStr...)
		return buf[start:len(buf):len(buf)]
	}
	if c.hasOrder {
		fn(next(facetAll, variantValue, "", pos, ""), empty)
	}
	for _, v := range c.vals {
		fn(next(v.code, variantKey, v.value, nil, key), empty)
		if c.hasOrder {
			fn(next(v.code, variantValue, v.value, pos, ""), empty)
		}
	}
}

// bytesCount0 counts the 00 bytes of s (each escapes to two bytes).
func bytesCount0(s string) int { return strings.Count(s, "\x00") }

// facetResolver gives graph.FacetValues what references resolve to.
type facetResolver interface {
	canonKey(ctx context.Context, key string) (string, error)
	sourcePublisher(ctx context.Context, source string) (string, error)
}

// nodeFacetCol computes the column of a node.
func nodeFacetCol(ctx context.Context, n graph.Node, res facetResolver) (facetCol, error) {
	fs, err := graph.FacetValues(ctx, n, res.canonKey, res.sourcePublisher)
	if err != nil {
		return facetCol{}, err
	}
	c := facetCol{}
	_, c.hasOrder = graph.ValueKinds[n.NodeKind()]
	if c.hasOrder {
		c.value, c.hasValue = graph.NodeSortValue(n)
	}
	for f, vs := range fs {
		for _, v := range vs {
			c.vals = append(c.vals, facetVal{facetCodes[f], v})
		}
	}
	slices.SortFunc(c.vals, func(a, b facetVal) int {
		return cmp.Or(cmp.Compare(a.code, b.code), cmp.Compare(a.value, b.value))
	})
	return c, nil
}

// facetWriter is a writer's facet bookkeeping for one batch.
type facetWriter struct {
	sources    map[string]*graph.Source // sources the batch writes, as written
	merged     map[string]string        // keys the batch merges -> the key they resolve to
	publishers map[string]string        // stored source key -> its publisher field
	done       map[uint64]bool          // nodes whose facets the batch wrote (or deleted)
	queue      []uint64                 // nodes whose facets may have changed
}

func (w *writer) facets() *facetWriter {
	if w.facet == nil {
		w.facet = &facetWriter{sources: map[string]*graph.Source{}, merged: map[string]string{},
			publishers: map[string]string{}, done: map[uint64]bool{}}
	}
	return w.facet
}

// canonKey resolves a key as it stands after the batch: through the
// stored merges and the batch's own.
func (w *writer) canonKey(ctx context.Context, key string) (string, error) {
	c, err := w.canon(ctx, key)
	if err != nil {
		return "", err
	}
	if m, ok := w.facets().merged[c]; ok {
		return m, nil
	}
	return c, nil
}

// sourcePublisher returns the publisher field of a source as it stands
// after the batch.
func (w *writer) sourcePublisher(ctx context.Context, source string) (string, error) {
	fw := w.facets()
	if s, ok := fw.sources[source]; ok {
		return s.Publisher, nil
	}
	if p, ok := fw.publishers[source]; ok {
		return p, nil
	}
	p := ""
	id, found, err := w.rd.id(ctx, source)
	if err != nil {
		return "", err
	}
	if found && idKind(id) == graph.KindSource {
		n, err := w.rd.nodeByID(ctx, id)
		if err != nil && !errors.Is(err, ErrKeyNotFound) {
			return "", err
		}
		if s, ok := n.(*graph.Source); ok {
			p = s.Publisher
		}
	}
	fw.publishers[source] = p
	return p, nil
}

// noteBatchNode records a node the batch writes, before any is written:
// the publisher of a source written by the batch is the batch's.
func (w *writer) noteBatchNode(n graph.Node) {
	if s, ok := n.(*graph.Source); ok {
		w.facets().sources[s.Key] = s
	}
}

// noteMerge records that the batch merges m.Keys (and so the keys merged
// into them before) into m.Into.
func (w *writer) noteMerge(m graph.Merge) {
	fw := w.facets()
	for _, k := range m.Keys {
		// Keys merged into k before resolve to k in the stored state,
		// so mapping k maps them too (canonKey).
		fw.merged[k] = m.Into
	}
}

// addNodeFacets adds the facet entries of n, as of after the batch, to es
// and returns its column.
func (w *writer) addNodeFacets(ctx context.Context, n graph.Node, es entries) (facetCol, error) {
	c, err := nodeFacetCol(ctx, n, w)
	if err != nil {
		return facetCol{}, err
	}
	addFacetEntries(es, n.NodeKind(), n.NodeKey(), c)
	return c, nil
}

// addStoredFacets adds the facet entries stored for the node (from its
// column) to es and returns the column; ok is false when it has none.
func (w *writer) addStoredFacets(ctx context.Context, k graph.Kind, key string, es entries) (facetCol, bool, error) {
	v, err := w.rd.kv.Get(ctx, facetColumnKey(k, key))
	if errors.Is(err, ErrKeyNotFound) {
		return facetCol{}, false, nil
	}
	if err != nil {
		return facetCol{}, false, err
	}
	c, err := decodeFacetCol(v)
	if err != nil {
		return facetCol{}, false, err
	}
	addFacetEntries(es, k, key, c)
	return c, true, nil
}

// facetsWritten records that putNode wrote the facets of node id (old is
// the stored column, nil for a new node): a source whose publisher value
// changed queues its quotes and figures.
func (w *writer) facetsWritten(ctx context.Context, id uint64, old *facetCol, c facetCol) error {
	fw := w.facets()
	fw.done[id] = true
	return w.queueDependants(ctx, id, old, c)
}

// queueDependants queues the quotes and figures of a source whose
// publisher value changed from old to c.
func (w *writer) queueDependants(ctx context.Context, id uint64, old *facetCol, c facetCol) error {
	if idKind(id) != graph.KindSource || old == nil {
		return nil
	}
	code := facetCodes[graph.FacetPublisher]
	if slices.Equal(old.values(code), c.values(code)) {
		return nil
	}
	rel := relCodes[graph.RelSource]
	for _, k := range []graph.Kind{graph.KindQuote, graph.KindFigure} {
		prefix := append(appendID([]byte{famIn}, id), rel, byte(k))
		err := w.rd.kv.Scan(ctx, Range{Prefix: prefix, KeysOnly: true}, func(key, _ []byte) error {
			w.facet.queue = append(w.facet.queue, decodeID(key[len(key)-8:]))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// dropFacets adds the stored facet entries of a node that a merge deletes
// to dead, and queues the nodes that refer to it (their references now
// resolve to the merge's Into).
func (w *writer) dropFacets(ctx context.Context, n graph.Node, id uint64, dead entries) error {
	if _, _, err := w.addStoredFacets(ctx, n.NodeKind(), n.NodeKey(), dead); err != nil {
		return err
	}
	fw := w.facets()
	fw.done[id] = true
	rg := Range{Prefix: adjPrefix(graph.In, id), End: adjKey(famIn, id, firstLinkCode, 0), KeysOnly: true}
	return w.rd.kv.Scan(ctx, rg, func(k, _ []byte) error {
		fw.queue = append(fw.queue, decodeID(k[len(k)-8:]))
		return nil
	})
}

// refreshFacets rewrites the facets of the queued nodes that the batch did
// not write itself (their values depend on another node that changed),
// following chains (a source whose publisher value changes queues its
// quotes and figures).
func (w *writer) refreshFacets(ctx context.Context) error {
	fw := w.facet
	if fw == nil {
		return nil
	}
	for len(fw.queue) > 0 {
		id := fw.queue[len(fw.queue)-1]
		fw.queue = fw.queue[:len(fw.queue)-1]
		if fw.done[id] {
			continue
		}
		fw.done[id] = true
		n, err := w.rd.nodeByID(ctx, id)
		if errors.Is(err, ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		now, old := entries{}, entries{}
		c, err := w.addNodeFacets(ctx, n, now)
		if err != nil {
			return err
		}
		oc, found, err := w.addStoredFacets(ctx, n.NodeKind(), n.NodeKey(), old)
		if err != nil {
			return err
		}
		for k := range old {
			if _, keep := now[k]; !keep {
				if err := w.del([]byte(k)); err != nil {
					return err
				}
			}
		}
		for k, v := range now {
			if ov, ok := old[k]; !ok || !bytes.Equal(ov, v) {
				if err := w.set([]byte(k), v); err != nil {
					return err
				}
			}
		}
		if found {
			if err := w.queueDependants(ctx, id, &oc, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// reindexFacets writes, in one commit, the facet keys of every node of a
// store of a layout before 7 (whose stored entries are deleted); with
// mark, it also marks the store layoutVersion. It returns how many nodes
// it indexed. Snapshots before that commit have no facets.
func reindexFacets(ctx context.Context, kv KV, mark bool) (int, error) {
	var finish func(w *writer) error
	if mark {
		finish = func(w *writer) error { return w.set(metaLayoutKey, []byte{layoutVersion}) }
	}
	return rebuildEach(ctx, kv, func(w *writer, _ uint64, node graph.Node, es entries) error {
		_, err := w.addNodeFacets(ctx, node, es)
		return err
	}, finish)
}

// reindexCues writes again, in one commit, the speaker and reported_by
// edges (both directions) of every quote with a cue of a store of a layout
// before 8, whose edges carried no qualifier: since layout 8 the cue
// qualifies them (graph.Quote.Refs), so that a trace has it without
// reading the quote. The commit also sets the retracted flag
// (metaRetractedKey, layout 8) when a node is retracted and, with mark,
// marks the store layoutVersion. It returns how many quotes it visited;
// the records of other kinds are not read.
func reindexCues(ctx context.Context, kv KV, mark bool) (int, error) {
	finish := func(w *writer) error {
		// The retracted flag (layout 8), for a store with retractions.
		found := false
		err := w.rd.kv.Scan(ctx, Range{Prefix: []byte{famRetracted}, KeysOnly: true, Limit: 1}, func(_, _ []byte) error {
			found = true
			return nil
		})
		if err != nil {
			return err
		}
		if found {
			if err := w.set(metaRetractedKey, []byte{}); err != nil {
				return err
			}
		}
		if mark {
			return w.set(metaLayoutKey, []byte{layoutVersion})
		}
		return nil
	}
	return rebuildKind(ctx, kv, graph.KindQuote, func(w *writer, id uint64, node graph.Node, es entries) error {
		q, ok := node.(*graph.Quote)
		if !ok || q.Cue == "" {
			return nil
		}
		refs, err := w.refEntries(ctx, graph.Place{}, q, id)
		if err != nil {
			return err
		}
		for k, v := range refs {
			if c := k[adjPrefixLen]; c == codeSpeaker || c == codeReportedBy {
				es[k] = v
			}
		}
		return nil
	}, finish)
}

// migrate brings a store of layout v (1 to layoutVersion-1) to
// layoutVersion, in steps that each may run again: it qualifies the
// attribution edges of the quotes by their cues (reindexCues, one commit;
// layout 8); then, for a store before layout 7, it deletes the trigram
// family t (dropTrigrams), deletes the facet entries stored one key each
// (layouts 4 to 6) and writes the facet keys again from the records,
// entries in blocks (reindexFacets, one commit); then, for a store before
// layout 6, it deletes family s and writes it again from the records,
// postings in blocks (reindexPostings: layout 5) with whoSaid's position
// flags and reversed dictionary (layout 6). The last step's commit marks
// the layout. A crash before that commit leaves the old layout marked, and
// the next open runs the migration again (writing the same keys).
func migrate(ctx context.Context, kv KV, v byte, log zerolog.Logger) error {
	n, err := reindexCues(ctx, kv, v == layoutCues-1)
	if err != nil {
		return fmt.Errorf("store: qualifying the attribution edges by their cues: %w", err)
	}
	log.Info().Int("quotes", n).Msg("qualified the attribution edges of a store of an earlier key layout by their cues")
	if v == layoutCues-1 {
		return nil
	}
	n, err = dropTrigrams(ctx, kv)
	if err != nil {
		return fmt.Errorf("store: deleting the trigram index: %w", err)
	}
	log.Info().Int("keys", n).Msg("deleted the trigram index of a store of an earlier key layout")
	deleted, err := dropMatching(ctx, kv, famFacet, func(k []byte) bool { return facetListPrefix(k) > 0 }, migrateChunk)
	if err != nil {
		return fmt.Errorf("store: deleting the facet entries of an earlier key layout: %w", err)
	}
	n, err = reindexFacets(ctx, kv, v >= 6)
	if err != nil {
		return fmt.Errorf("store: building the facet index: %w", err)
	}
	log.Info().Int("deleted", deleted).Int("nodes", n).Msg("rebuilt the facet index of a store of an earlier key layout in blocks")
	if v >= 6 {
		return nil
	}
	deleted, n, err = reindexPostings(ctx, kv)
	if err != nil {
		return fmt.Errorf("store: building the search index in blocks: %w", err)
	}
	log.Info().Int("deleted", deleted).Int("nodes", n).Msg("rebuilt the search index of a store of an earlier key layout in posting blocks")
	return nil
}
