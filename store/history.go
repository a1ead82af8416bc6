package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"claimgraph/graph"
)

// Revision values (family h). A revision is format byte 01, a flags byte
// and uvarint-length-prefixed strings: change, key, by, note, before,
// after, then, when flag 01 is set, the link of a link change (from, to,
// relation, reason, note, by, at). Rev and At are the commit timestamp in
// the key. The JSON of a node's created and updated revisions is not
// stored (flag 02): After is the node record as of the revision's commit,
// which History reads from a snapshot at that timestamp, and the Before of
// an update is the After of the node's previous created, updated or merged
// revision. Other revisions store their Before and After.
const (
	revLink    = 0x01
	revDerived = 0x02
)

// derived reports whether a revision's JSON is derived rather than stored.
func derived(r graph.Revision) bool {
	return r.Link == nil && (r.Change == graph.ChangeCreated || r.Change == graph.ChangeUpdated)
}

func encodeRevision(r graph.Revision) []byte {
	before, after := r.Before, r.After
	flags := byte(0)
	if derived(r) {
		flags |= revDerived
		before, after = nil, nil
	}
	n := 24 + len(r.Change) + len(r.Key) + len(r.By) + len(r.Note) + len(before) + len(after)
	if r.Link != nil {
		flags |= revLink
		n += 64 + len(r.Link.Note)
	}
	b := append(make([]byte, 0, n), historyV1, flags)
	b = appendStrings(b, r.Change, r.Key, r.By, r.Note, string(before), string(after))
	if l := r.Link; l != nil {
		b = appendStrings(b, l.From, l.To, string(l.Relation), l.Reason, l.Note, l.By, l.At)
	}
	return b
}

// decodeRevision inverts encodeRevision; for a derived revision it returns
// no JSON, which History fills in.
func decodeRevision(v []byte) (graph.Revision, error) {
	if len(v) < 2 || v[0] != historyV1 || v[1]&^(revLink|revDerived) != 0 {
		return graph.Revision{}, fmt.Errorf("%w: revision format", errCorrupt)
	}
	var f [6]string
	rest, err := readFields(v[2:], f[:])
	if err != nil {
		return graph.Revision{}, fmt.Errorf("revision: %w", err)
	}
	r := graph.Revision{Change: f[0], Key: f[1], By: f[2], Note: f[3]}
	if f[4] != "" {
		r.Before = json.RawMessage(f[4])
	}
	if f[5] != "" {
		r.After = json.RawMessage(f[5])
	}
	if v[1]&revLink != 0 {
		var lf [7]string
		if rest, err = readFields(rest, lf[:]); err != nil {
			return graph.Revision{}, fmt.Errorf("revision link: %w", err)
		}
		r.Link = &graph.Link{From: lf[0], To: lf[1], Relation: graph.Relation(lf[2]), Reason: lf[3], Note: lf[4], By: lf[5], At: lf[6]}
	}
	if len(rest) != 0 {
		return graph.Revision{}, fmt.Errorf("%w: %d trailing bytes in revision", errCorrupt, len(rest))
	}
	if (v[1]&revDerived != 0) != derived(r) || (derived(r) && (r.Before != nil || r.After != nil)) {
		return graph.Revision{}, fmt.Errorf("%w: revision %s stores the wrong JSON", errCorrupt, r.Change)
	}
	return r, nil
}

// historyID returns the id whose history a key names: its own id, also
// after it was merged into another node.
func (r *reader) historyID(ctx context.Context, key string) (uint64, bool, error) {
	if key == "" {
		return 0, false, nil
	}
	v, err := r.kv.Get(ctx, mergedKey(key))
	switch {
	case errors.Is(err, ErrKeyNotFound):
		return r.id(ctx, key)
	case err != nil:
		return 0, false, err
	}
	old, _, err := decodeMerged(v)
	return old, err == nil, err
}

// History implements graph.HistoryReader with one prefix scan of the key's
// history (family h), which the snapshot cuts at its commit, and for each
// created or updated revision one read of the node record in a snapshot at
// that revision.
func (r *reader) History(ctx context.Context, key string) ([]graph.Revision, error) {
	id, ok, err := r.historyID(ctx, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("history of %q: %w", key, graph.ErrNotFound)
	}
	out := []graph.Revision{}
	err = r.kv.Scan(ctx, Range{Prefix: histPrefix(id)}, func(k, v []byte) error {
		rev, err := parseHistKey(k)
		if err != nil {
			return err
		}
		rv, err := decodeRevision(v)
		if err != nil {
			return err
		}
		rv.Rev, rv.At = int64(rev), commitTime(rev)
		out = append(out, rv)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var state json.RawMessage // the node's JSON after the last revision read
	for i := range out {
		rv := &out[i]
		if derived(*rv) {
			if rv.After, err = r.recordAt(ctx, id, uint64(rv.Rev)); err != nil {
				return nil, fmt.Errorf("history of %q: %w", key, err)
			}
			if rv.Change == graph.ChangeUpdated {
				rv.Before = state
			}
		}
		if rv.Link == nil && (derived(*rv) || rv.Change == graph.ChangeMerged) {
			state = rv.After
		}
	}
	return out, nil
}

// recordAt returns the bundle JSON of node id as of commit ts.
func (r *reader) recordAt(ctx context.Context, id, ts uint64) (json.RawMessage, error) {
	kv := r.kv
	if ts != r.kv.ReadTs() {
		if r.past == nil {
			return nil, errors.New("store: no past snapshots in this reader")
		}
		snap, err := r.past(ctx, ts)
		if err != nil {
			return nil, err
		}
		defer snap.Close()
		kv = snap
	}
	v, err := kv.Get(ctx, nodeKey(id))
	if err != nil {
		return nil, fmt.Errorf("node record %x at %d: %w", id, ts, err)
	}
	if len(v) < 2 {
		return nil, fmt.Errorf("%w: node record of %x", errCorrupt, id)
	}
	return json.RawMessage(v[2:]), nil
}

// Revisions implements graph.HistoryReader: one read of the latest-revision
// key (family v) per key.
func (r *reader) Revisions(ctx context.Context, keys []string) (map[string]int64, error) {
	out := make(map[string]int64, len(keys))
	for _, k := range keys {
		id, ok, err := r.historyID(ctx, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		v, err := r.kv.Get(ctx, latestKey(id))
		if errors.Is(err, ErrKeyNotFound) {
			continue // written before history was recorded
		}
		if err != nil {
			return nil, err
		}
		rev, err := decodeUint64(v)
		if err != nil {
			return nil, err
		}
		out[k] = int64(rev)
	}
	return out, nil
}

// Retractions implements graph.HistoryReader (family w).
//
// The ids are visited in order, leapfrogging over the retraction keys: a
// key-only scan from the next id finds the next retracted id, and every id
// before it is not retracted. Few retractions cost a few seeks, not a read
// per key (a trace asks for every node it reached).
func (r *reader) Retractions(ctx context.Context, keys []string) (map[string]graph.Retraction, error) {
	out := map[string]graph.Retraction{}
	if any, err := r.hasRetractions(ctx); err != nil || !any {
		return out, err
	}
	type keyID struct {
		key string
		id  uint64
	}
	ids := make([]keyID, 0, len(keys))
	for _, k := range keys {
		id, ok, err := r.id(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			ids = append(ids, keyID{k, id})
		}
	}
	slices.SortFunc(ids, func(a, b keyID) int { return cmp.Compare(a.id, b.id) })
	var (
		next  uint64 // the first retracted id at or after the last scan's start
		val   []byte // its retraction
		found bool
	)
	for i, ki := range ids {
		if i == 0 || next < ki.id {
			found = false
			err := r.kv.Scan(ctx, Range{Prefix: []byte{famRetracted}, Start: retractedKey(ki.id), Limit: 1}, func(k, v []byte) error {
				next, val, found = decodeID(k[1:]), bytes.Clone(v), len(k) == 9
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		if !found {
			break // no retraction at or after this id
		}
		if next != ki.id {
			continue
		}
		rt, err := decodeRetraction(val)
		if err != nil {
			return nil, err
		}
		out[ki.key] = rt
	}
	return out, nil
}

// hasRetractions reports whether the state may hold a retraction of a
// node: the retracted flag (metaRetractedKey) is set, or the state is read
// as of an earlier time, which may predate the flag (a store migrated to
// layout 8 gets it in the migration's commit, with its retractions long
// before). It reads the flag the first time it is asked.
func (r *reader) hasRetractions(ctx context.Context) (bool, error) {
	return r.known(&r.flags.retractions, func() (bool, error) {
		_, err := r.kv.Get(ctx, metaRetractedKey)
		if errors.Is(err, ErrKeyNotFound) {
			return r.historical, nil
		}
		return err == nil, err
	})
}

// Resolve implements graph.HistoryReader: a merged key (family r) resolves
// to the node it was merged into, any other stored key to itself.
func (r *reader) Resolve(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		v, err := r.kv.Get(ctx, mergedKey(k))
		switch {
		case err == nil:
			_, into, err := decodeMerged(v)
			if err != nil {
				return nil, err
			}
			out[k] = into
			continue
		case !errors.Is(err, ErrKeyNotFound):
			return nil, err
		}
		_, ok, err := r.id(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			out[k] = k
		}
	}
	return out, nil
}

// nodeJSON returns the bundle JSON of a node as this batch leaves it: the
// record it writes, else the stored one.
func (w *writer) nodeJSON(ctx context.Context, id uint64) ([]byte, error) {
	if j, ok := w.records[id]; ok {
		return j, nil
	}
	v, err := w.rd.kv.Get(ctx, nodeKey(id))
	if err != nil {
		return nil, err
	}
	if len(v) < 2 {
		return nil, fmt.Errorf("%w: node record of %x", errCorrupt, id)
	}
	return v[2:], nil
}

// linkKey resolves the ends of a link id (validated) to the key of its out
// edge and the ends' keys as they now resolve.
func (w *writer) linkKey(ctx context.Context, l graph.LinkID) (out []byte, from, to string, err error) {
	ids := [2]uint64{}
	for i, k := range []string{l.From, l.To} {
		id, ok := w.ids[k]
		if !ok {
			var found bool
			if id, found, err = w.rd.id(ctx, k); err != nil {
				return nil, "", "", err
			}
			if !found {
				return nil, "", "", fmt.Errorf("%w: link end %q is not stored", graph.ErrNotFound, k)
			}
		}
		ids[i] = id
	}
	code, ok := relCodes[l.Relation]
	if !ok || code < firstLinkCode {
		return nil, "", "", fmt.Errorf("%w: %q is not a link relation", graph.ErrInvalid, l.Relation)
	}
	if from, err = w.canon(ctx, l.From); err != nil {
		return nil, "", "", err
	}
	if to, err = w.canon(ctx, l.To); err != nil {
		return nil, "", "", err
	}
	return adjKey(famOut, ids[0], code, ids[1]), from, to, nil
}

// edgeAt returns the value of an out edge as this batch leaves it.
func (w *writer) edgeAt(ctx context.Context, out []byte) (edgeValue, bool, error) {
	if v, ok := w.links[string(out)]; ok {
		return v, true, nil
	}
	b, err := w.rd.kv.Get(ctx, out)
	if errors.Is(err, ErrKeyNotFound) {
		return edgeValue{}, false, nil
	}
	if err != nil {
		return edgeValue{}, false, err
	}
	v, err := decodeEdge(b)
	return v, err == nil, err
}

// unlinks deletes links, recording an unlinked revision on both ends.
func (w *writer) unlinks(ctx context.Context, us []graph.LinkID) error {
	for _, u := range us {
		out, from, to, err := w.linkKey(ctx, u)
		if err != nil {
			return err
		}
		ev, ok, err := w.edgeAt(ctx, out)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: unlink of %s, which is not stored", graph.ErrInvalid, u)
		}
		_, fid, code, tid, _ := parseAdjKey(out)
		if err := w.del(out); err != nil {
			return err
		}
		if err := w.del(adjKey(famIn, tid, code, fid)); err != nil {
			return err
		}
		delete(w.links, string(out))
		l := ev.link(from, to, u.Relation)
		lj := linkJSON(l)
		w.record(fid, graph.Revision{Change: graph.ChangeUnlinked, Key: from, Link: &l, Before: lj})
		w.record(tid, graph.Revision{Change: graph.ChangeUnlinked, Key: to, Link: &l, Before: lj})
	}
	return nil
}

// retracts marks nodes (family w) and links (edge format 02) retracted,
// recording a retracted revision; retracting what is retracted already
// does nothing.
func (w *writer) retracts(ctx context.Context, rs []graph.Retract) error {
	for _, rq := range rs {
		rt := graph.Retraction{At: w.at, By: w.by, Reason: rq.Reason}
		note := w.note
		if note == "" {
			note = rq.Reason
		}
		if rq.Link != nil {
			out, from, to, err := w.linkKey(ctx, *rq.Link)
			if err != nil {
				return err
			}
			ev, ok, err := w.edgeAt(ctx, out)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: retraction of %s, which is not stored", graph.ErrInvalid, *rq.Link)
			}
			if ev.RAt != "" {
				continue
			}
			ev.RAt, ev.RBy, ev.RReason = formatStoredTime(rt.At), rt.By, rt.Reason
			if err := w.setLink(out, from, ev); err != nil {
				return err
			}
			_, fid, _, tid, _ := parseAdjKey(out)
			l := ev.link(from, to, rq.Link.Relation)
			lj := linkJSON(l)
			after := graph.WithRetracted(lj, rt)
			w.record(fid, graph.Revision{Change: graph.ChangeRetracted, Key: from, Note: note, Link: &l, Before: lj, After: after})
			w.record(tid, graph.Revision{Change: graph.ChangeRetracted, Key: to, Note: note, Link: &l, Before: lj, After: after})
			continue
		}
		id, ok := w.ids[rq.Key]
		if !ok {
			var found bool
			var err error
			if id, found, err = w.rd.id(ctx, rq.Key); err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("%w: retraction of %q, which is not stored", graph.ErrInvalid, rq.Key)
			}
		}
		if w.retractedIDs[id] {
			continue
		}
		_, err := w.rd.kv.Get(ctx, retractedKey(id))
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrKeyNotFound) {
			return err
		}
		if err := w.set(retractedKey(id), encodeRetraction(rt)); err != nil {
			return err
		}
		if len(w.retractedIDs) == 0 {
			if err := w.set(metaRetractedKey, []byte{}); err != nil {
				return err
			}
		}
		w.retractedIDs[id] = true
		before, err := w.nodeJSON(ctx, id)
		if err != nil {
			return err
		}
		key, err := w.canon(ctx, rq.Key)
		if err != nil {
			return err
		}
		w.record(id, graph.Revision{Change: graph.ChangeRetracted, Key: key, Note: note, Before: before, After: graph.WithRetracted(before, rt)})
	}
	return nil
}

// merge folds m.Keys into m.Into (see graph.Merge). ValidateCuration has
// checked that the batch holds nothing else, so every read here is of the
// last commit.
func (w *writer) merge(ctx context.Context, m graph.Merge) error {
	intoID, ok, err := w.rd.id(ctx, m.Into)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: merge into %q, which is not stored", graph.ErrInvalid, m.Into)
	}
	into, err := w.rd.nodeByID(ctx, intoID)
	if err != nil {
		return err
	}
	w.noteMerge(m)
	set := map[string]bool{m.Into: true}
	ids := map[uint64]bool{intoID: true}
	dups := make([]graph.Node, len(m.Keys))
	dupIDs := make([]uint64, len(m.Keys))
	for i, k := range m.Keys {
		id, ok, err := w.rd.id(ctx, k)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: merge of %q, which is not stored", graph.ErrInvalid, k)
		}
		if dups[i], err = w.rd.nodeByID(ctx, id); err != nil {
			return err
		}
		dupIDs[i] = id
		set[k], ids[id] = true, true
	}
	for _, d := range dups {
		graph.MergeInto(into, d)
	}
	if err := w.dropSelfParent(ctx, into, set); err != nil {
		return err
	}
	refs, err := w.refEntries(ctx, graph.Place{Section: graph.SectionMerges}, into, intoID)
	if err != nil {
		return err
	}
	if len(w.problems) > 0 {
		return &graph.ValidationError{Problems: w.problems}
	}
	_, intoBefore, intoAfter, err := w.putNode(ctx, into, intoID, refs)
	if err != nil {
		return err
	}
	if intoBefore == nil {
		intoBefore = intoAfter
	}
	if err := w.set(metaMergedKey, []byte{}); err != nil {
		return err
	}
	moved := map[string]bool{}
	for i, k := range m.Keys {
		if err := w.moveEdges(ctx, dupIDs[i], intoID, m.Into, ids, moved); err != nil {
			return err
		}
		d, id := dups[i], dupIDs[i]
		dead := indexEntries(d, id)
		if err := w.dropFacets(ctx, d, id, dead); err != nil {
			return err
		}
		w.searchLenDelta(dead[string(searchLenKey(id))], nil)
		for key := range dead {
			if err := w.del([]byte(key)); err != nil {
				return err
			}
		}
		if err := w.del(nodeKey(id)); err != nil {
			return err
		}
		if err := w.del(kindListKey(d.NodeKind(), k)); err != nil {
			return err
		}
		w.live[d.NodeKind()]--
		// Keys merged into this one earlier now resolve to Into too.
		var earlier []string
		err := w.rd.kv.Scan(ctx, Range{Prefix: mergedToPrefix(id), KeysOnly: true}, func(key, _ []byte) error {
			earlier = append(earlier, string(key[9:]))
			return nil
		})
		if err != nil {
			return err
		}
		for _, z := range earlier {
			v, err := w.rd.kv.Get(ctx, mergedKey(z))
			if err != nil {
				return err
			}
			zid, _, err := decodeMerged(v)
			if err != nil {
				return err
			}
			if err := w.redirect(z, zid, intoID, m.Into); err != nil {
				return err
			}
			if err := w.del(mergedToKey(id, z)); err != nil {
				return err
			}
		}
		if err := w.redirect(k, id, intoID, m.Into); err != nil {
			return err
		}
		before, err := encodeNode(d)
		if err != nil {
			return err
		}
		w.record(id, graph.Revision{Change: graph.ChangeMerged, Key: k, Before: before[2:], After: intoAfter})
	}
	w.record(intoID, graph.Revision{Change: graph.ChangeMerged, Key: m.Into, Before: intoBefore, After: intoAfter})
	return nil
}

// redirect makes the merged key k (own id old) resolve to into.
func (w *writer) redirect(k string, old, intoID uint64, into string) error {
	if err := w.set(keyIndexKey(k), encodeUint64(intoID)); err != nil {
		return err
	}
	if err := w.set(mergedKey(k), encodeMerged(old, into)); err != nil {
		return err
	}
	return w.set(mergedToKey(intoID, k), []byte{})
}

// moveEdges moves every edge of the node dup to the node into (key
// intoKey), both directions: an edge into already has, or one that moved
// already (moved, by out key), is dropped, and so is an edge between two
// nodes of the merge (ids). The dup's own reference fields are not moved:
// graph.MergeInto took them over into into's record, whose edges putNode
// wrote.
func (w *writer) moveEdges(ctx context.Context, dup, into uint64, intoKey string, ids map[uint64]bool, moved map[string]bool) error {
	type edge struct {
		k  []byte
		ev edgeValue
	}
	var out, in []edge
	collect := func(dst *[]edge) func(k, v []byte) error {
		return func(k, v []byte) error {
			ev, err := decodeEdge(v)
			if err != nil {
				return err
			}
			*dst = append(*dst, edge{bytes.Clone(k), ev})
			return nil
		}
	}
	if err := w.rd.kv.Scan(ctx, Range{Prefix: adjPrefix(graph.Out, dup)}, collect(&out)); err != nil {
		return err
	}
	if err := w.rd.kv.Scan(ctx, Range{Prefix: adjPrefix(graph.In, dup)}, collect(&in)); err != nil {
		return err
	}
	exists := func(k []byte) (bool, error) {
		if moved[string(k)] {
			return true, nil
		}
		_, err := w.rd.kv.Get(ctx, k)
		if errors.Is(err, ErrKeyNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	for _, e := range out {
		_, _, code, x, err := parseAdjKey(e.k)
		if err != nil {
			return err
		}
		if err := w.del(e.k); err != nil {
			return err
		}
		if err := w.del(adjKey(famIn, x, code, dup)); err != nil {
			return err
		}
		if code < firstLinkCode || ids[x] {
			continue
		}
		nk := adjKey(famOut, into, code, x)
		if ok, err := exists(nk); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		moved[string(nk)] = true
		if err := w.set(nk, encodeEdge(e.ev)); err != nil {
			return err
		}
		mirror := e.ev
		mirror.Other = intoKey
		if err := w.set(adjKey(famIn, x, code, into), encodeEdge(mirror)); err != nil {
			return err
		}
	}
	for _, e := range in {
		_, _, code, x, err := parseAdjKey(e.k)
		if err != nil {
			return err
		}
		if err := w.del(e.k); err != nil {
			return err
		}
		if err := w.del(adjKey(famOut, x, code, dup)); err != nil {
			return err
		}
		if ids[x] {
			continue
		}
		nk := adjKey(famOut, x, code, into)
		if ok, err := exists(nk); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		moved[string(nk)] = true
		fwd := e.ev
		fwd.Other = intoKey
		if err := w.set(nk, encodeEdge(fwd)); err != nil {
			return err
		}
		if err := w.set(adjKey(famIn, into, code, x), encodeEdge(e.ev)); err != nil {
			return err
		}
	}
	return nil
}
