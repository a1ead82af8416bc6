package store

import (
	"bytes"
	"context"
	"fmt"
	"maps"

	"github.com/dgraph-io/badger/v4"

	"claimgraph/graph"
)

// Batched edge reads.
//
// The GraphQL schema reads the nested connections of one level (the quotes
// of each of 100 speakers, and their totalCount) with one call to
// EdgesBatch and one to CountEdgesBatch (the schema's EdgeBatchReader,
// satisfied structurally: schema never imports store). A batch runs every
// query in the reader's snapshot, each one exactly as Edges or CountEdges
// runs it (same planning, cursor and decoding code, called as is), but
// through a scan session of the engine when it offers one: on Badger the
// scans of a batch share iterators (see badgerSession), sought to each
// query's prefix, instead of opening and closing one per scan. An engine
// without sessions (PostgreSQL today) runs the batch as a loop of its
// ordinary scans; a session there could send the batch's scans in one
// round trip.
//
// The gain on Badger is modest: a level of 100 people's first quotes and
// counts (BenchmarkEdgesLevel, 10k-quote corpus in tables) takes a median
// 0.87 of the time of one call per query (0.80 to 1.09 over eight runs on
// a busy 2-core machine), since most of a scan is
// Badger's seek and item parsing, not the iterator's setup. The batch's
// main value is that the schema makes one store call per level.

// scanSessioner is implemented by KV readers that can run many scans
// through shared cursors (see scanSession).
type scanSessioner interface {
	scanSession() scanSession
}

// scanSession is a KVReader over the same state as the reader that opened
// it, for one goroutine, whose scans share cursors until Close.
type scanSession interface {
	KVReader
	Close()
}

// EdgesBatch returns, for each query, what Edges returns for it, reading
// all of them in the reader's snapshot in one pass (see the section comment
// above). An error of any query is the batch's, naming the query.
func (r *reader) EdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([][]graph.Edge, error) {
	out := make([][]graph.Edge, len(qs))
	err := r.batch(ctx, qs, func(br *reader) error {
		for i, q := range qs {
			if err := ctx.Err(); err != nil {
				return err
			}
			es, err := br.Edges(ctx, q)
			if err != nil {
				return batchError(i, q, err)
			}
			out[i] = es
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountEdgesBatch returns, for each query, what CountEdges returns for it
// (key-only scans), as EdgesBatch reads.
func (r *reader) CountEdgesBatch(ctx context.Context, qs []graph.EdgeQuery) ([]int, error) {
	out := make([]int, len(qs))
	err := r.batch(ctx, qs, func(br *reader) error {
		for i, q := range qs {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, err := br.CountEdges(ctx, q)
			if err != nil {
				return batchError(i, q, err)
			}
			out[i] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchError names the query of a batch that failed; it wraps err.
func batchError(i int, q graph.EdgeQuery, err error) error {
	return fmt.Errorf("edge query %d (key %q): %w", i, q.Key, err)
}

// batch runs fn with a reader for the queries qs. When the KV offers scan
// sessions, that is a reader over one session (used for Edges and
// CountEdges only: it shares r's state, not its History or search
// settings), seeded with the ids r knows for the queries' keys and cursors
// and whose learnt ids r keeps afterwards (the nodes at the other ends are
// read next); otherwise r itself.
func (r *reader) batch(ctx context.Context, qs []graph.EdgeQuery, fn func(*reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ss, ok := r.kv.(scanSessioner)
	if !ok || len(qs) < 2 {
		return fn(r)
	}
	sess := ss.scanSession()
	defer sess.Close()
	br := newReader(sess)
	br.flags = r.flags // the same state
	r.mu.Lock()
	for _, q := range qs {
		for _, k := range [2]string{q.Key, q.After} {
			if id, ok := r.ids[k]; ok {
				br.ids[k] = id
			}
		}
	}
	r.mu.Unlock()
	err := fn(br)
	r.mu.Lock()
	defer r.mu.Unlock()
	maps.Copy(r.ids, br.ids)
	return err
}

// scanSession implements scanSessioner for Badger snapshots (read-only
// transactions, which may hold several iterators at once).
func (s *badgerSnapshot) scanSession() scanSession {
	return &badgerSession{badgerReader: &s.badgerReader}
}

// badgerSession runs the forward prefix scans of a batch through shared
// Badger iterators, one per key family (the first byte of the prefix),
// each sought to every scan's start. An iterator's Prefix option is the
// longest common prefix of the scans it served: Badger picks the tables
// that may hold keys with that prefix, so a narrow one keeps each Seek as
// cheap as a scan's own iterator (one opened with the family byte only
// merges every table of the family and seeks cost about three times
// more). The first scan of a family opens an iterator with its own
// prefix; a scan outside it reopens one with the common part, at most
// once per byte of the prefix. Other scans (reverse, or without a prefix)
// are ordinary Badger scans.
type badgerSession struct {
	*badgerReader
	its map[byte]*sessionIterator
}

// sessionIterator is a Badger iterator of a session and its prefix.
type sessionIterator struct {
	it     *badger.Iterator
	prefix []byte
}

// iterator returns an iterator whose prefix is a prefix of p.
func (s *badgerSession) iterator(p []byte) *badger.Iterator {
	cur := s.its[p[0]]
	if cur != nil && bytes.HasPrefix(p, cur.prefix) {
		return cur.it
	}
	prefix := bytes.Clone(p)
	if cur != nil {
		cur.it.Close()
		n := 0
		for n < min(len(cur.prefix), len(p)) && cur.prefix[n] == p[n] {
			n++
		}
		prefix = cur.prefix[:n]
	}
	if s.its == nil {
		s.its = map[byte]*sessionIterator{}
	}
	cur = &sessionIterator{it: s.txn.NewIterator(badger.IteratorOptions{Prefix: prefix}), prefix: prefix}
	s.its[p[0]] = cur
	return cur.it
}

// Scan implements KVReader.
func (s *badgerSession) Scan(ctx context.Context, rg Range, fn func(key, value []byte) error) error {
	if rg.Reverse || len(rg.Prefix) == 0 || rg.Prefix[0] == 0x00 {
		return s.badgerReader.Scan(ctx, rg, fn)
	}
	start, exclusive := rg.startKey()
	it := s.iterator(rg.Prefix)
	n := 0
	for it.Seek(start); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if !bytes.HasPrefix(k, rg.Prefix) {
			break
		}
		if exclusive && bytes.Equal(k, start) {
			continue
		}
		if rg.End != nil && bytes.Compare(k, rg.End) >= 0 {
			break
		}
		if stop, err := s.visit(ctx, rg, item, n, fn); stop || err != nil {
			return err
		}
		n++
		if rg.Limit > 0 && n >= rg.Limit {
			break
		}
	}
	return nil
}

// Close closes the session's iterators.
func (s *badgerSession) Close() {
	for _, cur := range s.its {
		cur.it.Close()
	}
	s.its = nil
}
