package store

import (
	"container/heap"
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

// Ranked search top-k (Reader.Search with a limit).
//
// Every candidate (a node holding a term of every clause) is a match
// unless a phrase clause's words do not stand next to each other, so the
// total is counted from ids (and, for phrases, positions) alone. Scoring
// is what grew with the matches: graph.SearchExpr.Score builds a document
// of maps, decodes every occurrence and collects highlights, about 1 us a
// candidate. The page needs only the best limit+1 hits after the cursor,
// so each candidate first gets an upper bound of its score from the tf
// and field length its postings carry (listBound: BM25 of each list
// holding it, weighted by how many clause terms the list can score as,
// times the phrase bonus whenever the query can earn it); the candidates
// are taken in descending order of bound and scored exactly until the
// next bound is below the score of the limit+1-th best hit found. A hit
// left unscored scores below every hit of the page (the comparison is
// strict, so hits tied with the page's last one are all scored and
// ordered by key as before). Results, scores, order, Total, More and
// cursors are those of scoring every match (searchExhaustive in the
// tests is that reference).

// boundSlack is the relative margin added to every bound: the bound sums
// the same BM25 terms as graph.SearchExpr.Score, in another order, so the
// two may differ by rounding.
const boundSlack = 1e-9

// bm25 parameters, as graph.SearchStats uses them (TestSearchBoundAgrees
// checks the bound against graph's scoring).
const (
	boundK1 = 1.2
	boundB  = 0.75
)

// listBound is the bound of one list: the score of tf and length dl is at
// most p * tf / (tf + c1 + c2*dl).
type listBound struct {
	p, c1, c2 float64
}

// newListBound returns the bound of list l: mult times the weighted BM25
// term score of its field (mult is how many terms of the query's clauses
// the list can score as).
func newListBound(l *searchList, st *graph.SearchStats, mult int) listBound {
	n := float64(st.Docs[l.f])
	df := float64(l.df)
	if n == 0 || df == 0 || mult == 0 {
		return listBound{}
	}
	avg := float64(st.TotalLen[l.f]) / n
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	return listBound{
		p:  float64(mult) * l.f.Weight() * idf * (boundK1 + 1),
		c1: boundK1 * (1 - boundB),
		c2: boundK1 * boundB / avg,
	}
}

func (b listBound) score(tf, dl uint64) float64 {
	if b.p == 0 || tf == 0 {
		return 0
	}
	t := float64(tf)
	return b.p * t / (t + b.c1 + b.c2*float64(dl))
}

// listMultiplicity returns how many clause terms of expr list l can score
// as: a word's clause when the term is the word, each word of a phrase
// that is the term, a prefix clause whose prefix begins the term.
func listMultiplicity(expr graph.SearchExpr, l *searchList) int {
	m := 0
	for _, c := range expr.Clauses {
		switch {
		case c.Prefix:
			if strings.HasPrefix(l.term, c.Terms[0]) {
				m++
			}
		default:
			for _, t := range c.Terms {
				if t == l.term {
					m++
				}
			}
		}
	}
	return m
}

// searchRun scores the candidates of one query: cand in id order, and
// the lists read that hold any.
type searchRun struct {
	ctx   context.Context
	r     *reader
	expr  graph.SearchExpr
	st    *graph.SearchStats
	lists []*searchList // the lists read that hold ids
	cand  []uint64

	doc *graph.SearchDoc
	pos []int // per list: the index of the first id not below the candidate
	// keys read so far (hits tied with the cursor), for pageSearchHits.
	keys map[uint64]string
	// scored counts the candidates scored.
	scored int
}

// newSearchRun returns the run of a query over its candidates.
func newSearchRun(ctx context.Context, r *reader, expr graph.SearchExpr, st *graph.SearchStats, order []*searchList, cand []uint64) *searchRun {
	s := &searchRun{ctx: ctx, r: r, expr: expr, st: st, cand: cand, keys: map[uint64]string{}}
	for _, l := range order {
		if len(l.ids) > 0 {
			s.lists = append(s.lists, l)
		}
	}
	s.doc = &graph.SearchDoc{Terms: map[graph.SearchField]map[string][]graph.Occurrence{}, Lengths: map[graph.SearchField]int{}}
	s.pos = make([]int, len(s.lists))
	return s
}

// advance moves every list's position to the first id at or after id.
func (s *searchRun) advance(id uint64) {
	for i, l := range s.lists {
		s.pos[i], _ = l.find(s.pos[i], id)
	}
}

// score scores candidate id exactly (graph.SearchExpr.Score) from the
// lists; advance(id) or locate(id) must have run.
func (s *searchRun) score(id uint64) (float64, []graph.Highlight, bool, error) {
	s.scored++
	d := s.doc
	d.Kind = idKind(id)
	clear(d.Lengths)
	for _, m := range d.Terms {
		clear(m)
	}
	for i, l := range s.lists {
		j := s.pos[i]
		if j >= len(l.ids) || l.ids[j] != id {
			continue
		}
		pay, err := l.payload(s.ctx, s.r.kv, j)
		if err != nil {
			return 0, nil, false, err
		}
		occ, err := decodeOccurrences(l.tf(j), pay)
		if err != nil {
			return 0, nil, false, err
		}
		if d.Terms[l.f] == nil {
			d.Terms[l.f] = map[string][]graph.Occurrence{}
		}
		d.Terms[l.f][l.term] = occ
		d.Lengths[l.f] = int(l.dl(j))
	}
	score, hl, ok := s.expr.Score(d, s.st)
	return score, hl, ok, nil
}

// all scores every candidate: the hits of a search without a limit.
func (s *searchRun) all() ([]scoredHit, error) {
	hits := make([]scoredHit, 0, len(s.cand))
	for _, id := range s.cand {
		s.advance(id)
		score, hl, ok, err := s.score(id)
		if err != nil {
			return nil, err
		}
		if ok {
			hits = append(hits, scoredHit{id: id, hit: graph.SearchHit{Kind: idKind(id), Score: score, Highlights: hl}})
		}
	}
	return hits, nil
}

// errBoundBroken reports a candidate that scored above its bound (only a
// change of graph's scoring that the bound does not follow can cause it);
// Search then scores every candidate.
var errBoundBroken = errors.New("store: search score above its bound")

// topK returns the hits that the page of want hits after cur needs (every
// hit scoring at least the want-th best eligible score), and the number
// of matches. With a phrase, the candidates where it does not stand are
// dropped first (phraseMatch: every candidate matches otherwise). The
// candidates are taken in descending order of their bounds, scoreBatch at
// a time, each batch scored in id order, until the next bound is below
// the want-th best eligible score found: the rest are counted, not scored
// (as is a candidate of a batch whose bound the batch's scores passed).
func (s *searchRun) topK(want int, cur *graph.SearchHit) ([]scoredHit, int, error) {
	if phrases := s.phraseLists(); len(phrases) > 0 {
		// Only the candidates where the phrases stand match: check
		// them first (positions only), in id order.
		var occ [][]graph.Occurrence
		var matched []uint64
		for _, id := range s.cand {
			s.advance(id)
			ok, err := s.phraseMatch(id, phrases, &occ)
			if err != nil {
				return nil, 0, err
			}
			if ok {
				matched = append(matched, id)
			}
		}
		s.cand = matched
		clear(s.pos)
	}
	bounds := make([]listBound, len(s.lists))
	for i, l := range s.lists {
		bounds[i] = newListBound(l, s.st, listMultiplicity(s.expr, l))
	}
	bonus := 1.0
	if len(s.expr.Words) > 1 {
		bonus = 1.5
	}
	byBound := &boundHeap{ub: make([]float64, len(s.cand)), at: make([]int32, len(s.cand))}
	for k, id := range s.cand {
		s.advance(id)
		ub := 0.0
		for i, l := range s.lists {
			if j := s.pos[i]; j < len(l.ids) && l.ids[j] == id {
				ub += bounds[i].score(l.tf(j), l.dl(j))
			}
		}
		byBound.ub[k] = ub * bonus * (1 + boundSlack)
		byBound.at[k] = int32(k)
	}
	heap.Init(byBound)
	var best minScores // the best want eligible scores
	var hits []scoredHit
	total := 0
	// open reports whether a candidate of bound ub may still reach the page.
	open := func(ub float64) bool { return len(best) < want || ub >= best[0] }
	batch := make([]int32, 0, scoreBatch)
	for byBound.Len() > 0 && open(byBound.ub[byBound.at[0]]) {
		// The next candidates by bound, scored in id order, so that their
		// lists' blocks are decoded in order (once each) rather than
		// again at every candidate, bounds being in no order of ids.
		batch = batch[:0]
		for byBound.Len() > 0 && len(batch) < scoreBatch && open(byBound.ub[byBound.at[0]]) {
			batch = append(batch, heap.Pop(byBound).(int32))
		}
		slices.Sort(batch) // the candidates' order is the ids'
		for _, k := range batch {
			ub := byBound.ub[k]
			if !open(ub) {
				// Passed by the scores of the batch: matches, as every
				// candidate not scored does.
				total++
				continue
			}
			id := s.cand[k]
			s.locate(id)
			score, hl, ok, err := s.score(id)
			if err != nil {
				return nil, 0, err
			}
			if !ok {
				continue
			}
			total++
			if score > ub {
				return nil, 0, errBoundBroken
			}
			if cur != nil {
				if score > cur.Score {
					continue
				}
				if score == cur.Score {
					k, err := s.key(id)
					if err != nil {
						return nil, 0, err
					}
					if k <= cur.Key {
						continue
					}
				}
			}
			if len(best) == want && score < best[0] {
				continue
			}
			hits = append(hits, scoredHit{id: id, hit: graph.SearchHit{Kind: idKind(id), Score: score, Highlights: hl}})
			if len(best) < want {
				heap.Push(&best, score)
			} else if score > best[0] {
				best[0] = score
				heap.Fix(&best, 0)
			}
		}
	}
	// The candidates not scored match too.
	return hits, total + byBound.Len(), nil
}

// scoreBatch is the candidates topK takes from its heap at a time.
const scoreBatch = 32

// locate positions every list at id (or the id after it), in any order.
func (s *searchRun) locate(id uint64) {
	for i, l := range s.lists {
		s.pos[i], _ = l.find(0, id)
	}
}

// boundHeap is a max-heap of candidates (their indexes) by bound.
type boundHeap struct {
	ub []float64 // by candidate
	at []int32   // the heap of candidates
}

func (h *boundHeap) Len() int           { return len(h.at) }
func (h *boundHeap) Less(i, j int) bool { return h.ub[h.at[i]] > h.ub[h.at[j]] }
func (h *boundHeap) Swap(i, j int)      { h.at[i], h.at[j] = h.at[j], h.at[i] }
func (h *boundHeap) Push(x any)         { h.at = append(h.at, x.(int32)) }
func (h *boundHeap) Pop() any {
	x := h.at[len(h.at)-1]
	h.at = h.at[:len(h.at)-1]
	return x
}

// key returns the user key of node id (s | ff | id), read once per query
// and kept in the snapshot's posting cache for the next ones.
func (s *searchRun) key(id uint64) (string, error) {
	if k, ok := s.keys[id]; ok {
		return k, nil
	}
	c := s.r.postings
	if c != nil {
		if k, ok := c.key(id); ok {
			s.keys[id] = k
			return k, nil
		}
	}
	k, err := s.r.searchKey(s.ctx, id)
	if err != nil {
		return "", err
	}
	s.keys[id] = k
	if c != nil {
		c.putKey(id, k)
	}
	return k, nil
}

// phraseLists returns, per phrase clause of the query and per field, the
// index in s.lists of the list of each of its words (-1: none), for
// phraseMatch.
func (s *searchRun) phraseLists() [][][]int {
	var out [][][]int
	for _, c := range s.expr.Clauses {
		if !c.Phrase {
			continue
		}
		var byField [][]int
		for _, f := range graph.SearchFields {
			at := make([]int, len(c.Terms))
			for t, term := range c.Terms {
				at[t] = slices.IndexFunc(s.lists, func(l *searchList) bool { return l.f == f && l.term == term })
			}
			byField = append(byField, at)
		}
		out = append(out, byField)
	}
	return out
}

// phraseMatch reports whether candidate id holds every phrase clause of
// the query (its words next to each other in one value of one field;
// phrases from phraseLists); advance(id) must have run. The other
// clauses hold by construction. occ is scratch, kept between calls.
func (s *searchRun) phraseMatch(id uint64, phrases [][][]int, occ *[][]graph.Occurrence) (bool, error) {
	for _, byField := range phrases {
		found := false
		for _, at := range byField {
			*occ = (*occ)[:0]
			for _, i := range at {
				if i < 0 || s.pos[i] >= len(s.lists[i].ids) || s.lists[i].ids[s.pos[i]] != id {
					break
				}
				l, j := s.lists[i], s.pos[i]
				pay, err := l.payload(s.ctx, s.r.kv, j)
				if err != nil {
					return false, err
				}
				o, err := decodeOccurrences(l.tf(j), pay)
				if err != nil {
					return false, err
				}
				*occ = append(*occ, o)
			}
			if len(*occ) == len(at) && phraseAt(*occ) {
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// phraseAt reports whether an occurrence of the first term starts the
// phrase: the k-th term at the same value's position + k.
func phraseAt(occ [][]graph.Occurrence) bool {
	for _, o := range occ[0] {
		ok := true
		for k, os := range occ[1:] {
			// As graph's phrase check: the first occurrence at the
			// place, which must have an end.
			i := slices.IndexFunc(os, func(x graph.Occurrence) bool { return x.Sub == o.Sub && x.Pos == o.Pos+k+1 })
			if i < 0 || os[i].End == 0 {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// minScores is a min-heap of scores.
type minScores []float64

func (h minScores) Len() int           { return len(h) }
func (h minScores) Less(i, j int) bool { return h[i] < h[j] }
func (h minScores) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minScores) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *minScores) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// parseSearchCursor decodes a search cursor (graph.SearchHit.Cursor); ""
// is none.
func parseSearchCursor(after string) (*graph.SearchHit, error) {
	if after == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil || len(raw) < 8 {
		return nil, fmt.Errorf("%w: malformed search cursor %q", graph.ErrInvalid, after)
	}
	return &graph.SearchHit{Score: math.Float64frombits(binary.BigEndian.Uint64(raw)), Key: string(raw[8:])}, nil
}
