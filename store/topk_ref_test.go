package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"claimgraph/graph"
)

// searchExhaustive is the search of layout 5 before top-k pruning: every
// match is scored (graph.SearchExpr.Score) and paged by pageSearchHits.
// It is the reference the pruned Search must agree with exactly (hits,
// scores, order, Total, More) and the baseline of BenchmarkSearchStore.
func (r *reader) searchExhaustive(ctx context.Context, q graph.SearchQuery) (graph.SearchPage, error) {
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
	lists := map[string]*refList{} // by field byte + term
	var order []*refList
	clauses := make([][]*refList, len(expr.Clauses))
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
					if l, err = r.countRefList(ctx, f, t); err != nil {
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
	size := func(ls []*refList) int {
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
	cur, err := parseSearchCursor(q.After)
	if err != nil {
		return graph.SearchPage{}, err
	}
	return pageSearchHits(hits, len(hits), cur, q.Limit, func(id uint64) (string, error) { return r.searchKey(ctx, id) })
}

// refList is the postings of one term in one field: its document
// frequency (every kind), then, once resolved, the ids of the selected
// kinds that the query needs (all of them for the lists that drive the
// candidates, the candidates it holds for the others), ascending, with
// their tf and field length and their occurrence payloads (decoded only
// for the scored candidates).
type refList struct {
	f        graph.SearchField
	term     string
	df       int // postings of every kind (BM25 document frequency)
	resolved bool
	ids      []uint64
	heads    []uint64 // tf, length: two per id
	pays     [][]byte
}

// countRefList reads the document frequency of term t in field f: the
// counts at the head of its blocks, decoding nothing else.
func (r *reader) countRefList(ctx context.Context, f graph.SearchField, t string) (*refList, error) {
	l := &refList{f: f, term: t}
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
func (l *refList) readAll(ctx context.Context, kv KVReader, q graph.SearchQuery) error {
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
func (l *refList) probe(ctx context.Context, kv KVReader, cand []uint64) error {
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
func (l *refList) has(id uint64) bool {
	_, ok := slices.BinarySearch(l.ids, id)
	return ok
}
