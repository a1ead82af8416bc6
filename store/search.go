package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"claimgraph/graph"
)

// Full-text search (family s). Postings are index entries of the node
// (indexEntries), so they are written, rewritten and deleted in the same
// commit as the record:
//
//	s | field | term | 00 | id   -> uvarint tf, then tf × (sub, pos, start, end)
//	s | ff | id                  -> uvarint len + user key, then (field, length)…
//	s | fe | field               -> uvarint docs, uvarint words (BM25 statistics)
//
// The statistics count the nodes with a value in the field and their words;
// the writer adjusts them from the length keys it writes and deletes, in the
// same commit.
// field is a graph.SearchField byte, term an analysed word (graph.Analyze;
// never holds 00), sub the alias number, pos the word's position in its
// value and start, end its code points.

// searchLenField is the field byte of the document-length keys.
const searchLenField byte = 0xff

// layoutSearch is the first key layout with search postings.
const layoutSearch = 3

// reindexSearch writes, in one commit, the search postings, length and
// statistics keys of every node of a store of a layout before
// layoutSearch, and marks it layoutVersion. It returns how many nodes it
// indexed. Snapshots before that commit have no postings.
func reindexSearch(ctx context.Context, kv KV) (int, error) {
	return rebuildEach(ctx, kv, func(w *writer, id uint64, node graph.Node, es entries) error {
		searchEntries(es, node, id)
		w.searchLenDelta(nil, es[string(searchLenKey(id))])
		return nil
	}, func(w *writer) error {
		if err := w.flushSearchStats(ctx); err != nil {
			return err
		}
		return w.set(metaLayoutKey, []byte{layoutVersion})
	})
}

// rebuildEach runs one commit that calls entry for every node record with
// an empty entries set, writes what it put there, and then calls finish
// (nil: nothing). It returns how many nodes it visited. The migrations
// that build a key family for a store of an earlier layout share it.
func rebuildEach(ctx context.Context, kv KV, entry func(w *writer, id uint64, node graph.Node, es entries) error, finish func(w *writer) error) (int, error) {
	n := 0
	_, err := kv.Update(ctx, func(tx Txn) error {
		n = 0
		w := newWriter(tx, &graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}, &graph.Batch{}, true)
		// Ids first: the writes below may split the commit, which an
		// open scan must not see.
		var ids []uint64
		err := tx.Scan(ctx, Range{Prefix: []byte{famNode}, KeysOnly: true}, func(k, _ []byte) error {
			ids = append(ids, decodeID(k[1:]))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			node, err := w.rd.nodeByID(ctx, id)
			if err != nil {
				return err
			}
			es := entries{}
			if err := entry(w, id, node, es); err != nil {
				return err
			}
			for key, val := range es {
				if err := w.set([]byte(key), val); err != nil {
					return err
				}
			}
			n++
		}
		if finish != nil {
			return finish(w)
		}
		return nil
	})
	return n, err
}

// searchStatsField is the field byte of the statistics keys.
const searchStatsField byte = 0xfe

func searchStatsKey(f graph.SearchField) []byte {
	return []byte{famSearch, searchStatsField, byte(f)}
}

// searchLenDelta records in the writer the change of the statistics that
// replacing the length value old by new (either may be nil) makes.
func (w *writer) searchLenDelta(old, new []byte) {
	for sign, v := range map[int][]byte{-1: old, 1: new} {
		if v == nil {
			continue
		}
		_, ls, err := decodeSearchLen(v)
		if err != nil {
			continue // written by this version: cannot fail
		}
		if w.searchStats == nil {
			w.searchStats = map[graph.SearchField][2]int{}
		}
		for f, l := range ls {
			d := w.searchStats[f]
			d[0] += sign
			d[1] += sign * l
			w.searchStats[f] = d
		}
	}
}

// flushSearchStats adds the batch's changes to the stored statistics.
func (w *writer) flushSearchStats(ctx context.Context) error {
	for _, f := range graph.SearchFields {
		d := w.searchStats[f]
		if d == [2]int{} {
			continue
		}
		docs, words, err := readSearchStats(ctx, w.rd.kv, f)
		if err != nil {
			return err
		}
		docs, words = docs+d[0], words+d[1]
		if docs < 0 || words < 0 {
			return fmt.Errorf("%w: search statistics of field %d below zero", errCorrupt, f)
		}
		v := binary.AppendUvarint(nil, uint64(docs))
		if err := w.set(searchStatsKey(f), binary.AppendUvarint(v, uint64(words))); err != nil {
			return err
		}
	}
	return nil
}

// readSearchStats reads the statistics of field f.
func readSearchStats(ctx context.Context, kv KVReader, f graph.SearchField) (docs, words int, err error) {
	v, err := kv.Get(ctx, searchStatsKey(f))
	if errors.Is(err, ErrKeyNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	d, n := binary.Uvarint(v)
	l, m := binary.Uvarint(v[max(n, 0):])
	if n <= 0 || m <= 0 {
		return 0, 0, fmt.Errorf("%w: search statistics value %x", errCorrupt, v)
	}
	return int(d), int(l), nil
}

// maxSearchTerm caps the bytes of an indexed term.
const maxSearchTerm = 256

// maxPrefixTerms caps the terms a prefix term expands to, per field.
const maxPrefixTerms = 50

func searchTermPrefix(f graph.SearchField, term string) []byte {
	k := append([]byte{famSearch, byte(f)}, term...)
	return append(k, 0)
}

func searchPostingKey(f graph.SearchField, term string, id uint64) []byte {
	return appendID(searchTermPrefix(f, term), id)
}

func searchLenKey(id uint64) []byte { return appendID([]byte{famSearch, searchLenField}, id) }

// searchEntries adds the search keys of a node to es, and a quote's
// whoSaid keys (quoteSearchEntries).
func searchEntries(es entries, n graph.Node, id uint64) {
	if q, ok := n.(*graph.Quote); ok {
		quoteSearchEntries(es, q, id)
		return
	}
	searchDocEntries(es, graph.IndexNode(n), id)
}

// searchDocEntries adds the postings and length key of an analysed node
// to es.
func searchDocEntries(es entries, d graph.SearchDoc, id uint64) {
	if len(d.Lengths) == 0 {
		return
	}
	for f, m := range d.Terms {
		for term, occ := range m {
			if len(term) > maxSearchTerm {
				continue
			}
			v := binary.AppendUvarint(nil, uint64(len(occ)))
			for _, o := range occ {
				for _, x := range []int{o.Sub, o.Pos, o.Start, o.End} {
					v = binary.AppendUvarint(v, uint64(x))
				}
			}
			es[string(searchPostingKey(f, term, id))] = v
		}
	}
	es[string(searchLenKey(id))] = searchLenValue(d.Key, d.Lengths)
}

// searchLenValue is the value of a length key: the user key, then the
// length of each field with words.
func searchLenValue(key string, lengths map[graph.SearchField]int) []byte {
	v := binary.AppendUvarint(make([]byte, 0, len(key)+8), uint64(len(key)))
	v = append(v, key...)
	for _, f := range graph.SearchFields {
		if l, ok := lengths[f]; ok {
			v = append(v, byte(f))
			v = binary.AppendUvarint(v, uint64(l))
		}
	}
	return v
}

// decodeSearchLen decodes a document-length value.
func decodeSearchLen(v []byte) (string, map[graph.SearchField]int, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return "", nil, fmt.Errorf("%w: search length value", errCorrupt)
	}
	key := string(v[w : w+int(n)])
	v = v[w+int(n):]
	ls := map[graph.SearchField]int{}
	for len(v) > 0 {
		f := graph.SearchField(v[0])
		l, w := binary.Uvarint(v[1:])
		if w <= 0 {
			return "", nil, fmt.Errorf("%w: search length value", errCorrupt)
		}
		ls[f] = int(l)
		v = v[1+w:]
	}
	return key, ls, nil
}

// decodeOccurrences decodes a posting value.
func decodeOccurrences(v []byte) ([]graph.Occurrence, error) {
	next := func() (int, bool) {
		x, w := binary.Uvarint(v)
		if w <= 0 {
			return 0, false
		}
		v = v[w:]
		return int(x), true
	}
	tf, ok := next()
	if !ok || tf > len(v) {
		return nil, fmt.Errorf("%w: search posting value", errCorrupt)
	}
	out := make([]graph.Occurrence, tf)
	for i := range out {
		var xs [4]int
		for j := range xs {
			if xs[j], ok = next(); !ok {
				return nil, fmt.Errorf("%w: search posting value", errCorrupt)
			}
		}
		out[i] = graph.Occurrence{Sub: xs[0], Pos: xs[1], Start: xs[2], End: xs[3]}
	}
	return out, nil
}

// prefixTerms returns up to maxPrefixTerms indexed terms of field f that
// begin with prefix, skipping from term to term with one-key scans.
func (r *reader) prefixTerms(ctx context.Context, f graph.SearchField, prefix string) ([]string, error) {
	base := append([]byte{famSearch, byte(f)}, prefix...)
	var out []string
	rg := Range{Prefix: base, KeysOnly: true, Limit: 1}
	for len(out) < maxPrefixTerms {
		var term []byte
		err := r.kv.Scan(ctx, rg, func(k, _ []byte) error {
			i := bytes.IndexByte(k[2:], 0)
			if i < 0 {
				return fmt.Errorf("%w: search key %x", errCorrupt, k)
			}
			term = slices.Clone(k[2 : 2+i])
			return nil
		})
		if err != nil {
			return nil, err
		}
		if term == nil {
			break
		}
		out = append(out, string(term))
		// The next term: the first key after every posting of this one.
		rg.Start = append(append([]byte{famSearch, byte(f)}, term...), 1)
	}
	return out, nil
}

// Search implements graph.Reader. It reads the collection statistics (one
// key per field), then works in two passes over the postings of each query
// term in each field (a prefix term expands by a skip scan over the term
// keys, up to 50 terms per field):
//
//  1. key-only scans: each term's document frequency (for BM25) and the ids
//     of the selected kinds that hold it; the candidates are the ids that
//     hold a term of every clause (intersection, smallest clause first);
//  2. scans with values, decoding the occurrences of the candidates only.
//
// Then it reads the candidates' lengths and scores them with
// graph.SearchExpr.Score (BM25, phrases checked from positions). Decoding
// only the candidates matters for conjunctive queries: a first version
// decoded every posting of every term into maps, and common words cost
// most of a query's time for documents that then failed another clause.
func (r *reader) Search(ctx context.Context, q graph.SearchQuery) (graph.SearchPage, error) {
	expr, err := graph.ParseSearch(q.Text)
	if err != nil {
		return graph.SearchPage{}, err
	}
	st := &graph.SearchStats{Docs: map[graph.SearchField]int{}, TotalLen: map[graph.SearchField]int{}, DF: map[graph.SearchField]map[string]int{}}
	for _, f := range graph.SearchFields {
		docs, words, err := readSearchStats(ctx, r.kv, f)
		if err != nil {
			return graph.SearchPage{}, err
		}
		st.Docs[f], st.TotalLen[f] = docs, words
		st.DF[f] = map[string]int{}
	}
	type posting struct {
		f    graph.SearchField
		term string
		ids  []uint64 // of the selected kinds, ascending
	}
	lists := map[string]*posting{} // by field byte + term
	clauses := make([][]*posting, len(expr.Clauses))
	for i, c := range expr.Clauses {
		for _, f := range graph.SearchFields {
			terms := c.Terms
			if c.Prefix {
				if terms, err = r.prefixTerms(ctx, f, c.Terms[0]); err != nil {
					return graph.SearchPage{}, err
				}
			}
			for _, t := range terms {
				id := string(rune(f)) + t
				p := lists[id]
				if p == nil {
					p = &posting{f: f, term: t}
					df := 0
					err := r.kv.Scan(ctx, Range{Prefix: searchTermPrefix(f, t), KeysOnly: true}, func(k, _ []byte) error {
						df++
						if id := decodeID(k[len(k)-8:]); q.WantKind(idKind(id)) {
							p.ids = append(p.ids, id)
						}
						return nil
					})
					if err != nil {
						return graph.SearchPage{}, err
					}
					st.DF[f][t] = df
					lists[id] = p
				}
				clauses[i] = append(clauses[i], p)
			}
		}
	}
	// The ids of each clause: the union of its lists.
	union := func(ps []*posting) map[uint64]struct{} {
		n := 0
		for _, p := range ps {
			n += len(p.ids)
		}
		set := make(map[uint64]struct{}, n)
		for _, p := range ps {
			for _, id := range p.ids {
				set[id] = struct{}{}
			}
		}
		return set
	}
	size := func(ps []*posting) int {
		n := 0
		for _, p := range ps {
			n += len(p.ids)
		}
		return n
	}
	order := make([]int, len(clauses))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return size(clauses[a]) - size(clauses[b]) })
	var cand map[uint64]struct{}
	for n, i := range order {
		if n == 0 {
			cand = union(clauses[i])
			continue
		}
		if len(cand) == 0 {
			break
		}
		for id := range cand {
			found := false
			for _, p := range clauses[i] {
				if _, ok := slices.BinarySearch(p.ids, id); ok {
					found = true
					break
				}
			}
			if !found {
				delete(cand, id)
			}
		}
	}
	if len(cand) == 0 {
		return graph.PageSearch(nil, q.After, q.Limit)
	}
	// Second pass: the occurrences of the candidates. A list far longer
	// than the candidates is read by point lookups instead of a scan.
	docs := make(map[uint64]*graph.SearchDoc, len(cand))
	add := func(p *posting, id uint64, v []byte) error {
		occ, err := decodeOccurrences(v)
		if err != nil {
			return err
		}
		d := docs[id]
		if d == nil {
			d = &graph.SearchDoc{Kind: idKind(id), Terms: map[graph.SearchField]map[string][]graph.Occurrence{}}
			docs[id] = d
		}
		if d.Terms[p.f] == nil {
			d.Terms[p.f] = map[string][]graph.Occurrence{}
		}
		d.Terms[p.f][p.term] = occ
		return nil
	}
	for _, p := range lists {
		if len(p.ids) == 0 {
			continue
		}
		if len(p.ids) > 16*len(cand) {
			for id := range cand {
				if _, ok := slices.BinarySearch(p.ids, id); !ok {
					continue
				}
				v, err := r.kv.Get(ctx, searchPostingKey(p.f, p.term, id))
				if err != nil {
					return graph.SearchPage{}, err
				}
				if err := add(p, id, v); err != nil {
					return graph.SearchPage{}, err
				}
			}
			continue
		}
		err := r.kv.Scan(ctx, Range{Prefix: searchTermPrefix(p.f, p.term)}, func(k, v []byte) error {
			id := decodeID(k[len(k)-8:])
			if _, ok := cand[id]; !ok {
				return nil
			}
			return add(p, id, v)
		})
		if err != nil {
			return graph.SearchPage{}, err
		}
	}
	var hits []graph.SearchHit
	for id, d := range docs {
		v, err := r.kv.Get(ctx, searchLenKey(id))
		if errors.Is(err, ErrKeyNotFound) {
			return graph.SearchPage{}, fmt.Errorf("%w: search postings of %x without lengths", errCorrupt, id)
		}
		if err != nil {
			return graph.SearchPage{}, err
		}
		if d.Key, d.Lengths, err = decodeSearchLen(v); err != nil {
			return graph.SearchPage{}, err
		}
		if score, hl, ok := expr.Score(d, st); ok {
			hits = append(hits, graph.SearchHit{Key: d.Key, Kind: d.Kind, Score: score, Highlights: hl})
		}
	}
	return graph.PageSearch(hits, q.After, q.Limit)
}
