package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"claimgraph/graph"
)

// Full-text search (family s). Postings are index entries of the node
// (indexEntries), so they are written, rewritten and deleted in the same
// commit as the record; they are stored in blocks (postings.go):
//
//	s | field | term | 00 | id   -> uvarint tf, uvarint len, then tf × (sub, pos, start, end)
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

// reindexSearch writes, in one commit, the search postings (in blocks),
// whoSaid word postings, length and statistics keys of every node of a
// store without them (an earlier layout's family s deleted first:
// reindexPostings), and marks it layoutVersion. It returns how many nodes
// it indexed. Snapshots before that commit have no postings.
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

// flushSearchStats writes the batch's postings into their blocks
// (flushPostings) and adds the batch's changes to the stored statistics.
func (w *writer) flushSearchStats(ctx context.Context) error {
	if err := w.flushPostings(ctx); err != nil {
		return err
	}
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
			v = binary.AppendUvarint(v, uint64(d.Lengths[f]))
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

// decodeOccurrences decodes the payload of a search posting: tf
// occurrences (sub, pos, start, end).
func decodeOccurrences(tf uint64, v []byte) ([]graph.Occurrence, error) {
	if tf > uint64(len(v)) {
		return nil, fmt.Errorf("%w: search posting payload", errCorrupt)
	}
	out := make([]graph.Occurrence, tf)
	for i := range out {
		var xs [4]int
		for j := range xs {
			x, w := binary.Uvarint(v)
			if w <= 0 {
				return nil, fmt.Errorf("%w: search posting payload", errCorrupt)
			}
			xs[j], v = int(x), v[w:]
		}
		out[i] = graph.Occurrence{Sub: xs[0], Pos: xs[1], Start: xs[2], End: xs[3]}
	}
	return out, nil
}

// prefixTerms returns up to maxPrefixTerms indexed terms of field f that
// begin with prefix, skipping from term to term over the block keys with
// one-key scans.
func (r *reader) prefixTerms(ctx context.Context, f graph.SearchField, prefix string) ([]string, error) {
	base := append([]byte{famSearch, blockField(byte(f))}, prefix...)
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
		rg.Start = append(append([]byte{famSearch, blockField(byte(f))}, term...), 1)
	}
	return out, nil
}

// searchList is the postings of one term in one field: its document
// frequency (every kind), then, once resolved, the ids of the selected
// kinds that the query needs (all of them for the lists that drive the
// candidates, the candidates it holds for the others), ascending, with
// their tf and field length and their occurrence payloads (decoded only
// for the scored candidates).
type searchList struct {
	f        graph.SearchField
	term     string
	df       int // postings of every kind (BM25 document frequency)
	resolved bool
	ids      []uint64
	heads    []uint64 // tf, length: two per id
	pays     [][]byte
}

// countSearchList reads the document frequency of term t in field f: the
// counts at the head of its blocks, decoding nothing else.
func (r *reader) countSearchList(ctx context.Context, f graph.SearchField, t string) (*searchList, error) {
	l := &searchList{f: f, term: t}
	prefix := blockPrefix(searchTermPrefix(f, t))
	err := r.kv.Scan(ctx, Range{Prefix: prefix}, func(k, v []byte) error {
		n, w := binary.Uvarint(v[min(1, len(v)):])
		if len(v) < 2 || w <= 0 || n == 0 {
			return fmt.Errorf("%w: posting block %x", errCorrupt, k)
		}
		l.df += int(n)
		return nil
	})
	return l, err
}

// readAll resolves the list with every posting of the selected kinds.
func (l *searchList) readAll(ctx context.Context, kv KVReader, q graph.SearchQuery) error {
	prefix := blockPrefix(searchTermPrefix(l.f, l.term))
	l.ids = make([]uint64, 0, l.df)
	l.heads = make([]uint64, 0, 2*l.df)
	l.pays = make([][]byte, 0, l.df)
	var b postingBlock
	err := kv.Scan(ctx, Range{Prefix: prefix}, func(k, v []byte) error {
		if len(k) != len(prefix)+8 {
			return fmt.Errorf("%w: posting block key %x", errCorrupt, k)
		}
		v = slices.Clone(v)
		if err := decodePostingBlock(decodeID(k[len(prefix):]), v, &b); err != nil {
			return fmt.Errorf("%w (key %x)", err, k)
		}
		if b.heads != 2 {
			return fmt.Errorf("%w: posting block %x: %d heads", errCorrupt, k, b.heads)
		}
		for i, id := range b.ids {
			if q.WantKind(idKind(id)) {
				l.ids = append(l.ids, id)
				l.heads = append(l.heads, b.head[2*i], b.head[2*i+1])
				l.pays = append(l.pays, b.payload(i))
			}
		}
		return nil
	})
	l.resolved = true
	return err
}

// probe resolves the list with those of the candidates (ascending) that
// it holds, seeking its blocks (a block without a candidate is skipped
// undecoded).
func (l *searchList) probe(ctx context.Context, kv KVReader, cand []uint64) error {
	c := newPostingCursor(ctx, kv, searchTermPrefix(l.f, l.term), 0, tailID-1)
	defer c.close()
	l.resolved = true
	l.ids = make([]uint64, 0, len(cand))
	l.heads = make([]uint64, 0, 2*len(cand))
	l.pays = make([][]byte, 0, len(cand))
	for _, id := range cand {
		ok, err := c.seek(id)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if c.id() != id {
			continue
		}
		if c.blk.heads != 2 {
			return fmt.Errorf("%w: posting block of %x: %d heads", errCorrupt, searchTermPrefix(l.f, l.term), c.blk.heads)
		}
		l.ids = append(l.ids, id)
		l.heads = append(l.heads, c.head(0), c.head(1))
		l.pays = append(l.pays, slices.Clone(c.payload()))
	}
	return nil
}

// has reports whether the resolved list holds id.
func (l *searchList) has(id uint64) bool {
	_, ok := slices.BinarySearch(l.ids, id)
	return ok
}

// Search implements graph.Reader. It reads the collection statistics (one
// key per field) and the blocks of each query term in each field (a
// prefix term expands by a skip scan over the term keys, up to 50 terms
// per field): each term's document frequency, and the ids, tf and field
// lengths of the selected kinds. The candidates are the ids that hold a
// term of every clause (intersection, smallest clause first); each is
// scored from its postings alone (graph.SearchExpr.Score: BM25 from tf
// and the lengths in the blocks, phrases checked from the occurrences,
// decoded for the candidates only). The user keys (s | ff | id) are read
// only for the hits of the page and for the hits tied with them in score
// (pageSearchHits).
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
	lists := map[string]*searchList{} // by field byte + term
	var order []*searchList
	clauses := make([][]*searchList, len(expr.Clauses))
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
				l := lists[id]
				if l == nil {
					if l, err = r.countSearchList(ctx, f, t); err != nil {
						return graph.SearchPage{}, err
					}
					st.DF[f][t] = l.df
					lists[id] = l
					order = append(order, l)
				}
				clauses[i] = append(clauses[i], l)
			}
		}
	}
	size := func(ls []*searchList) int {
		n := 0
		for _, l := range ls {
			n += l.df
		}
		return n
	}
	byOrder := make([]int, len(clauses))
	for i := range byOrder {
		byOrder[i] = i
	}
	slices.SortFunc(byOrder, func(a, b int) int { return size(clauses[a]) - size(clauses[b]) })
	// The candidates: the union of the smallest clause's lists, read
	// whole, kept where every other clause holds them (its lists probed
	// at the candidates only).
	var cand []uint64
	for _, l := range clauses[byOrder[0]] {
		if !l.resolved {
			if err := l.readAll(ctx, r.kv, q); err != nil {
				return graph.SearchPage{}, err
			}
		}
		cand = append(cand, l.ids...)
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	for _, i := range byOrder[1:] {
		if len(cand) == 0 {
			break
		}
		for _, l := range clauses[i] {
			if !l.resolved {
				if err := l.probe(ctx, r.kv, cand); err != nil {
					return graph.SearchPage{}, err
				}
			}
		}
		cand = slices.DeleteFunc(cand, func(id uint64) bool {
			for _, l := range clauses[i] {
				if l.has(id) {
					return false
				}
			}
			return true
		})
	}
	// Lists of no clause checked yet (a term of the smallest clause in
	// another field, say) are resolved for scoring.
	for _, l := range order {
		if !l.resolved && len(cand) > 0 {
			if err := l.probe(ctx, r.kv, cand); err != nil {
				return graph.SearchPage{}, err
			}
		}
	}
	hits := make([]scoredHit, 0, len(cand))
	// One document, cleared for each candidate (an empty field map
	// scores as an absent one).
	d := &graph.SearchDoc{Terms: map[graph.SearchField]map[string][]graph.Occurrence{}, Lengths: map[graph.SearchField]int{}}
	for _, id := range cand {
		d.Kind = idKind(id)
		clear(d.Lengths)
		for _, m := range d.Terms {
			clear(m)
		}
		for _, l := range order {
			if !l.resolved {
				continue
			}
			j, ok := slices.BinarySearch(l.ids, id)
			if !ok {
				continue
			}
			occ, err := decodeOccurrences(l.heads[2*j], l.pays[j])
			if err != nil {
				return graph.SearchPage{}, err
			}
			if d.Terms[l.f] == nil {
				d.Terms[l.f] = map[string][]graph.Occurrence{}
			}
			d.Terms[l.f][l.term] = occ
			d.Lengths[l.f] = int(l.heads[2*j+1])
		}
		if score, hl, ok := expr.Score(d, st); ok {
			hits = append(hits, scoredHit{id: id, hit: graph.SearchHit{Kind: d.Kind, Score: score, Highlights: hl}})
		}
	}
	return pageSearchHits(hits, q.After, q.Limit, func(id uint64) (string, error) {
		v, err := r.kv.Get(ctx, searchLenKey(id))
		if errors.Is(err, ErrKeyNotFound) {
			return "", fmt.Errorf("%w: search postings of %x without lengths", errCorrupt, id)
		}
		if err != nil {
			return "", err
		}
		key, _, err := decodeSearchLen(v)
		return key, err
	})
}

// scoredHit is a hit whose key is not read yet.
type scoredHit struct {
	id  uint64
	hit graph.SearchHit
}

// pageSearchHits returns the page that graph.PageSearch returns for the
// hits, reading the keys (keyOf) only of the hits it must order by key:
// those of the page and those tied in score with the cursor or with the
// page's last hit.
func pageSearchHits(hits []scoredHit, after string, limit int, keyOf func(uint64) (string, error)) (graph.SearchPage, error) {
	var cur *graph.SearchHit
	if after != "" {
		raw, err := base64.RawURLEncoding.DecodeString(after)
		if err != nil || len(raw) < 8 {
			return graph.SearchPage{}, fmt.Errorf("%w: malformed search cursor %q", graph.ErrInvalid, after)
		}
		cur = &graph.SearchHit{Score: math.Float64frombits(binary.BigEndian.Uint64(raw)), Key: string(raw[8:])}
	}
	slices.SortFunc(hits, func(a, b scoredHit) int {
		switch {
		case a.hit.Score > b.hit.Score:
			return -1
		case a.hit.Score < b.hit.Score:
			return 1
		}
		return 0
	})
	p := graph.SearchPage{Total: len(hits)}
	want := len(hits) // hits to collect: the page and one more
	if limit > 0 {
		want = limit + 1
	}
	var out []graph.SearchHit
	for i := 0; i < len(hits) && len(out) < want; {
		j := i + 1
		for j < len(hits) && hits[j].hit.Score == hits[i].hit.Score {
			j++
		}
		group := hits[i:j]
		i = j
		s := group[0].hit.Score
		if cur != nil && s > cur.Score {
			continue
		}
		for g := range group {
			k, err := keyOf(group[g].id)
			if err != nil {
				return graph.SearchPage{}, err
			}
			group[g].hit.Key = k
		}
		slices.SortFunc(group, func(a, b scoredHit) int { return strings.Compare(a.hit.Key, b.hit.Key) })
		for _, h := range group {
			if cur != nil && s == cur.Score && h.hit.Key <= cur.Key {
				continue
			}
			if len(out) < want {
				out = append(out, h.hit)
			}
		}
	}
	if limit > 0 && len(out) > limit {
		out, p.More = out[:limit], true
	}
	p.Hits = out
	return p, nil
}
