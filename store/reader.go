package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"claimgraph/fold"
	"claimgraph/graph"
)

// reader implements graph.Reader over one KV state (a snapshot or the read
// side of a write transaction). It caches key -> id lookups, including the
// ids it learns from adjacency keys, so that a walk resolves each key once.
type reader struct {
	kv KVReader
	// past opens a snapshot at an earlier commit (History reads node
	// records as they were); nil in a writer's reader.
	past func(ctx context.Context, ts uint64) (Snapshot, error)

	// postings is the posting cache of the state read (postcache.go); nil
	// reads every list from the engine.
	postings *postingCache

	// textCap, when set, replaces textCandidates (tests).
	textCap int
	// split, when set, is the stretches every whoSaid walk with the total
	// splits into (parts; tests).
	split int

	mu  sync.Mutex
	ids map[string]uint64
	// flags answers the yes-or-no questions about the state read; the
	// snapshots of the latest commit share theirs (Store.stateFlags).
	flags *stateFlags
	// historical is set for a state read as of an earlier time (ViewAt),
	// which may predate the retracted flag (hasRetractions) and layout 8's
	// cues on the attribution edges (cueFromRecords); uncuedLayout is
	// whether it does the latter: 0 unknown, 1 no, 2 yes.
	historical   bool
	uncuedLayout int8
}

// stateFlags holds the answers to a reader's yes-or-no questions about the
// state it reads, each 0 (not asked yet), 1 (no) or 2 (yes): whether it
// holds merged keys, retracted nodes, any key at all. The snapshots of
// one commit share one (Store.stateFlags), so that each question costs a
// read once per commit rather than once per request.
type stateFlags struct {
	mu                        sync.Mutex
	ts                        uint64 // the commit, when shared
	merges, retractions, keys int8
}

var _ graph.Reader = (*reader)(nil)

func newReader(kv KVReader) *reader {
	return &reader{kv: kv, ids: map[string]uint64{}, flags: &stateFlags{}}
}

func (r *reader) remember(key string, id uint64) {
	r.mu.Lock()
	r.ids[key] = id
	r.mu.Unlock()
}

// known answers a yes-or-no question about the reader's state once: f
// (a field of r.flags) holds the answer (0 not asked yet, 1 no, 2 yes),
// and ask gives it the first time.
func (r *reader) known(f *int8, ask func() (bool, error)) (bool, error) {
	return knownUnder(&r.flags.mu, f, ask)
}

// knownUnder is known with f guarded by mu.
func knownUnder(mu *sync.Mutex, f *int8, ask func() (bool, error)) (bool, error) {
	mu.Lock()
	v := *f
	mu.Unlock()
	if v == 0 {
		yes, err := ask()
		if err != nil {
			return false, err
		}
		v = 1
		if yes {
			v = 2
		}
		mu.Lock()
		*f = v
		mu.Unlock()
	}
	return v == 2, nil
}

// id returns the internal id of a key.
func (r *reader) id(ctx context.Context, key string) (uint64, bool, error) {
	r.mu.Lock()
	id, ok := r.ids[key]
	r.mu.Unlock()
	if ok {
		return id, true, nil
	}
	if key == "" {
		return 0, false, nil
	}
	v, err := r.kv.Get(ctx, keyIndexKey(key))
	if errors.Is(err, ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if id, err = decodeUint64(v); err != nil {
		return 0, false, err
	}
	r.remember(key, id)
	return id, true, nil
}

// nodeCacher is a KVReader that keeps decoded node records (the read cache
// of a snapshot of the latest commit, readcache.go).
type nodeCacher interface {
	cachedNode(key []byte) (graph.Node, bool)
	// putNode keeps a decoded record; false when there is no cache to
	// keep it in.
	putNode(key []byte, size int, n graph.Node) bool
}

// edgeCacher is a KVReader that keeps the answers of edge queries (the
// read cache of a snapshot of the latest commit, readcache.go).
type edgeCacher interface {
	// cachedEdges returns a copy of the edges cached under key
	// (edgeQueryKey) and the ids of their other ends.
	cachedEdges(key []byte) ([]graph.Edge, []uint64, bool)
	// putEdges keeps an answer; false when there is no cache to keep it
	// in.
	putEdges(key []byte, edges []graph.Edge, others []uint64) bool
}

// edgeQueryKey is the read cache's key of an edge query without a cursor
// or limit: the direction, the kind, the relations (their number, then
// each with its length) and the node's key.
func edgeQueryKey(q graph.EdgeQuery) []byte {
	n := 2 + 2*binary.MaxVarintLen64 + len(q.Key)
	for _, rel := range q.Relations {
		n += binary.MaxVarintLen64 + len(rel)
	}
	k := make([]byte, 0, n)
	k = binary.AppendUvarint(append(k, byte(q.Dir), byte(q.Kind)), uint64(len(q.Relations)))
	for _, rel := range q.Relations {
		k = append(binary.AppendUvarint(k, uint64(len(rel))), rel...)
	}
	return append(k, q.Key...)
}

func (r *reader) nodeByID(ctx context.Context, id uint64) (graph.Node, error) {
	k := nodeKey(id)
	nc, _ := r.kv.(nodeCacher)
	if nc != nil {
		if n, ok := nc.cachedNode(k); ok {
			return n, nil
		}
	}
	v, err := r.kv.Get(ctx, k)
	if err != nil {
		return nil, err
	}
	n, err := decodeNode(v)
	if err != nil || nc == nil || !nc.putNode(k, len(v), n) {
		return n, err // fresh from the bytes: the caller's own
	}
	return cloneNode(n), nil
}

// Node implements graph.Reader.
func (r *reader) Node(ctx context.Context, key string) (graph.Node, error) {
	id, ok, err := r.id(ctx, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("node %q: %w", key, graph.ErrNotFound)
	}
	n, err := r.nodeByID(ctx, id)
	if errors.Is(err, ErrKeyNotFound) {
		return nil, fmt.Errorf("%w: key %q has id %x but no record", errCorrupt, key, id)
	}
	return n, err
}

// Nodes implements graph.Reader.
func (r *reader) Nodes(ctx context.Context, keys []string) ([]graph.Node, error) {
	out := make([]graph.Node, len(keys))
	for i, k := range keys {
		n, err := r.Node(ctx, k)
		if errors.Is(err, graph.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// Kinds implements graph.Reader.
func (r *reader) Kinds(ctx context.Context, keys []string) (map[string]graph.Kind, error) {
	out := make(map[string]graph.Kind, len(keys))
	if len(keys) >= manyKeys {
		if has, err := r.hasKeys(ctx); err != nil || !has {
			return out, err
		}
	}
	for _, k := range keys {
		id, ok, err := r.id(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			out[k] = idKind(id)
		}
	}
	return out, nil
}

// manyKeys is the number of keys from which Kinds first asks whether the
// state holds any key at all (one seek), to spare a read per key to the
// first import into a new store.
const manyKeys = 256

// hasKeys reports whether the state holds any node key, with one seek the
// first time it is asked.
func (r *reader) hasKeys(ctx context.Context) (bool, error) {
	return r.known(&r.flags.keys, func() (bool, error) {
		found := false
		err := r.kv.Scan(ctx, Range{Prefix: []byte{famKeyIndex}, KeysOnly: true, Limit: 1}, func(_, _ []byte) error {
			found = true
			return nil
		})
		return found, err
	})
}

// edgeScan is one prefix scan of an edge query.
type edgeScan struct {
	prefix []byte
	code   byte // the relation code of the scan; 0 for all relations
}

// edgeScans plans the scans of q over the node id: one per relation asked
// (in code order), or one over all relations, narrowed to the other end's
// kind when q.Kind is set.
func edgeScans(q graph.EdgeQuery, id uint64) ([]edgeScan, error) {
	if q.Dir != graph.Out && q.Dir != graph.In {
		return nil, fmt.Errorf("%w: edge direction %d", graph.ErrInvalid, q.Dir)
	}
	if q.Kind != 0 && !q.Kind.Valid() {
		return nil, fmt.Errorf("%w: kind %d", graph.ErrInvalid, q.Kind)
	}
	if len(q.Relations) == 0 {
		return []edgeScan{{prefix: adjPrefix(q.Dir, id)}}, nil
	}
	var cb [32]byte // the codes, on the stack for up to 32 relations
	codes := cb[:0]
	for _, rel := range q.Relations {
		c, ok := relCodes[rel]
		if !ok {
			return nil, fmt.Errorf("%w: relation %q", graph.ErrInvalid, rel)
		}
		codes = append(codes, c)
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	// Every prefix in one buffer: fam | id | code (| kind).
	n := adjPrefixLen + 1
	if q.Kind != 0 {
		n++
	}
	buf := make([]byte, 0, n*len(codes))
	scans := make([]edgeScan, len(codes))
	for i, c := range codes {
		at := len(buf)
		buf = append(buf, adjFamily(q.Dir))
		buf = appendID(buf, id)
		buf = append(buf, c)
		if q.Kind != 0 {
			buf = append(buf, byte(q.Kind))
		}
		scans[i] = edgeScan{prefix: buf[at:len(buf):len(buf)], code: c}
	}
	return scans, nil
}

// walkEdges calls fn for each adjacency key and value that q selects (After
// and Limit ignored), in (relation, other id) order.
func (r *reader) walkEdges(ctx context.Context, q graph.EdgeQuery, keysOnly bool, after []byte, fn func(k, v []byte) error) error {
	id, ok, err := r.id(ctx, q.Key)
	if err != nil || !ok {
		if err == nil {
			_, err = edgeScans(q, 0) // still report a bad query
		}
		return err
	}
	scans, err := edgeScans(q, id)
	if err != nil {
		return err
	}
	filterKind := q.Kind != 0 && len(q.Relations) == 0
	if len(scans) > 1 && q.Kind == 0 {
		return r.walkCodes(ctx, scans[0].prefix[:adjPrefixLen:adjPrefixLen], scans, keysOnly, after, fn)
	}
	for _, sc := range scans {
		rg := Range{Prefix: sc.prefix, KeysOnly: keysOnly}
		if after != nil && bytes.Compare(after, sc.prefix) >= 0 {
			if !bytes.HasPrefix(after, sc.prefix) {
				continue // every key of this scan comes before the cursor
			}
			rg.After = after // a page is a seek, not a walk from the start
		}
		err := r.kv.Scan(ctx, rg, func(k, v []byte) error {
			if filterKind && (len(k) != adjKeyLen || graph.Kind(k[10]) != q.Kind) {
				return nil
			}
			return fn(k, v)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// maxSkipped is how many adjacency keys of relations not asked for a
// walkCodes scan reads in a row before it seeks to the next relation asked.
const maxSkipped = 16

// errReseek ends one scan of walkCodes so that it seeks again.
var errReseek = errors.New("store: seek to the next relation")

// walkCodes walks the adjacency keys under base (a direction and a node id)
// of the relations of several scans with one range scan from the first
// relation to the last, instead of one scan per relation: a node has few
// edges, and each scan costs an iterator and a seek. Keys of the relations
// in between that were not asked are skipped; after maxSkipped of them in
// a row the walk seeks to the next relation asked, so a node with many
// edges of one such relation costs one more seek, not a read of each.
func (r *reader) walkCodes(ctx context.Context, base []byte, scans []edgeScan, keysOnly bool, after []byte, fn func(k, v []byte) error) error {
	last := scans[len(scans)-1].code
	end := append(slices.Clip(base), last+1)
	if last == 0xff {
		end = prefixAfter(base)
	}
	i := 0 // the scan whose relation comes next
	for i < len(scans) {
		skipped := 0
		rg := Range{Prefix: base, Start: scans[i].prefix, End: end, KeysOnly: keysOnly}
		if after != nil && bytes.Compare(after, rg.Start) >= 0 {
			rg.After = after // keys up to the cursor are not read
		}
		err := r.kv.Scan(ctx, rg, func(k, v []byte) error {
			if len(k) != adjKeyLen {
				return nil
			}
			c := k[len(base)]
			for i < len(scans) && scans[i].code < c {
				i++
			}
			if i == len(scans) {
				return ErrStopScan
			}
			if scans[i].code != c {
				if skipped++; skipped > maxSkipped {
					return errReseek
				}
				return nil
			}
			skipped = 0
			return fn(k, v)
		})
		if !errors.Is(err, errReseek) {
			return err
		}
	}
	return nil
}

// hasMerges reports whether a state holds merged keys.
func hasMerges(ctx context.Context, kv KVReader) (bool, error) {
	_, err := kv.Get(ctx, metaMergedKey)
	if errors.Is(err, ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// canon returns the key that key resolves to: itself, or the node it was
// merged into. A state without merges answers without a read.
func (r *reader) canon(ctx context.Context, key string) (string, error) {
	merges, err := r.known(&r.flags.merges, func() (bool, error) { return hasMerges(ctx, r.kv) })
	if err != nil || !merges {
		return key, err
	}
	v, err := r.kv.Get(ctx, mergedKey(key))
	if errors.Is(err, ErrKeyNotFound) {
		return key, nil
	}
	if err != nil {
		return "", err
	}
	_, into, err := decodeMerged(v)
	return into, err
}

// Edges implements graph.Reader. Edges come ordered by relation code, then
// by the other end's id (creation order within a kind). After resumes after
// the last edge, in that order, whose other end is the cursor. The queried
// end of each edge is the key the query's key resolves to.
func (r *reader) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	var afterKey []byte
	if q.After != "" {
		k, err := r.edgeCursor(ctx, q)
		if err != nil {
			return nil, err
		}
		afterKey = k
	}
	// A whole answer (no cursor, no limit) of the latest commit is cached
	// decoded: a trace asks the same few queries of the nodes it passes.
	var (
		ec       edgeCacher
		cacheKey []byte
		others   []uint64
	)
	if q.After == "" && q.Limit == 0 {
		if ec, _ = r.kv.(edgeCacher); ec != nil {
			cacheKey = edgeQueryKey(q)
			if edges, ids, ok := ec.cachedEdges(cacheKey); ok {
				for i, e := range edges {
					if q.Dir == graph.In {
						r.remember(e.From, ids[i])
					} else {
						r.remember(e.To, ids[i])
					}
				}
				return edges, nil
			}
		}
	}
	self, err := r.canon(ctx, q.Key)
	if err != nil {
		return nil, err
	}
	var (
		out    []graph.Edge
		uncued []uncuedEdge
	)
	err = r.walkEdges(ctx, q, false, afterKey, func(k, v []byte) error {
		if afterKey != nil && bytes.Compare(k, afterKey) <= 0 {
			return nil
		}
		_, node, code, other, err := parseAdjKey(k)
		if err != nil {
			return err
		}
		ev, err := decodeEdge(v)
		if err != nil {
			return err
		}
		r.remember(ev.Other, other)
		if cacheKey != nil {
			others = append(others, other)
		}
		e := graph.Edge{From: self, To: ev.Other, Relation: relName(code), Qualifier: ev.Qualifier,
			Reason: ev.Reason, Note: ev.Note, By: ev.By, At: ev.At, Retracted: ev.retraction()}
		quote := node
		if q.Dir == graph.In {
			e.From, e.To = e.To, e.From
			quote = other
		}
		if r.historical && ev.Qualifier == "" && (code == codeSpeaker || code == codeReportedBy) {
			uncued = append(uncued, uncuedEdge{len(out), quote})
		}
		out = append(out, e)
		if q.Limit > 0 && len(out) >= q.Limit {
			return ErrStopScan
		}
		return nil
	})
	if err == nil && len(uncued) > 0 {
		err = r.cueFromRecords(ctx, out, uncued)
	}
	if err == nil && cacheKey != nil && len(out) <= maxCachedScan && ec.putEdges(cacheKey, out, others) {
		return copyEdges(out), nil // the cache keeps out
	}
	return out, err
}

// Relation codes of the attribution edges that a quote's cue qualifies.
var (
	codeSpeaker    = relCodes[graph.RelSpeaker]
	codeReportedBy = relCodes[graph.RelReportedBy]
)

// uncuedEdge is an attribution edge without a qualifier read as of an
// earlier time: its index in the answer and the id of its quote.
type uncuedEdge struct {
	at    int
	quote uint64
}

// cueFromRecords sets the qualifier of the attribution edges of a state
// written before layout 8, which stored them without the quote's cue, from
// the quotes' records. Only a state read as of an earlier time can be one:
// New migrates the latest. A state of layout 8 (a quote without a cue)
// reads nothing.
func (r *reader) cueFromRecords(ctx context.Context, out []graph.Edge, uncued []uncuedEdge) error {
	old, err := knownUnder(&r.mu, &r.uncuedLayout, func() (bool, error) {
		v, err := r.kv.Get(ctx, metaLayoutKey)
		if errors.Is(err, ErrKeyNotFound) {
			return false, nil
		}
		return err == nil && len(v) == 1 && v[0] < layoutCues, err
	})
	if err != nil || !old {
		return err
	}
	for _, u := range uncued {
		n, err := r.nodeByID(ctx, u.quote)
		if errors.Is(err, ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if q, ok := n.(*graph.Quote); ok {
			out[u.at].Qualifier = q.Cue
		}
	}
	return nil
}

// edgeCursor returns the adjacency key of the last edge of q (in scan order)
// whose other end is q.After, or an error wrapping ErrInvalid.
func (r *reader) edgeCursor(ctx context.Context, q graph.EdgeQuery) ([]byte, error) {
	bad := fmt.Errorf("%w: cursor %q is not an edge of the query", graph.ErrInvalid, q.After)
	id, ok, err := r.id(ctx, q.Key)
	if err != nil {
		return nil, err
	}
	other, ok2, err := r.id(ctx, q.After)
	if err != nil {
		return nil, err
	}
	if !ok || !ok2 || (q.Kind != 0 && idKind(other) != q.Kind) {
		return nil, bad
	}
	var codes []byte
	if len(q.Relations) == 0 {
		for c := 255; c > 0; c-- {
			if relName(byte(c)) != "" {
				codes = append(codes, byte(c))
			}
		}
	} else {
		for _, rel := range q.Relations {
			c, ok := relCodes[rel]
			if !ok {
				return nil, fmt.Errorf("%w: relation %q", graph.ErrInvalid, rel)
			}
			codes = append(codes, c)
		}
		slices.Sort(codes)
		slices.Reverse(codes)
	}
	for _, c := range codes {
		k := adjKey(adjFamily(q.Dir), id, c, other)
		if _, err := r.kv.Get(ctx, k); err == nil {
			return k, nil
		} else if !errors.Is(err, ErrKeyNotFound) {
			return nil, err
		}
	}
	return nil, bad
}

// CountEdges implements graph.Reader with key-only scans.
func (r *reader) CountEdges(ctx context.Context, q graph.EdgeQuery) (int, error) {
	n := 0
	err := r.walkEdges(ctx, q, true, nil, func(k, v []byte) error { n++; return nil })
	return n, err
}

// countKeys counts the keys of a range with a key-only scan.
func (r *reader) countKeys(ctx context.Context, rg Range) (int, error) {
	rg.KeysOnly = true
	n := 0
	err := r.kv.Scan(ctx, rg, func(k, v []byte) error { n++; return nil })
	return n, err
}

// List implements graph.Reader.
func (r *reader) List(ctx context.Context, k graph.Kind, after string, limit int) (graph.Page, error) {
	if !k.Valid() {
		return graph.Page{}, fmt.Errorf("%w: kind %d", graph.ErrInvalid, k)
	}
	prefix := kindListPrefix(k)
	total, err := liveCount(ctx, r.kv, k)
	if err != nil {
		return graph.Page{}, err
	}
	rg := Range{Prefix: prefix, KeysOnly: true}
	if after != "" {
		rg.After = kindListKey(k, after)
	}
	if limit > 0 {
		rg.Limit = limit + 1
	}
	p := graph.Page{Total: total}
	err = r.kv.Scan(ctx, rg, func(key, _ []byte) error {
		p.Keys = append(p.Keys, string(key[len(prefix):]))
		return nil
	})
	if limit > 0 && len(p.Keys) > limit {
		p.Keys, p.More = p.Keys[:limit], true
	}
	return p, err
}

// Lookup implements graph.Reader.
func (r *reader) Lookup(ctx context.Context, idx graph.Index, value string) ([]string, error) {
	var prefix []byte
	switch idx {
	case graph.IndexName:
		prefix = exactPrefix(idxName, fold.Name(value))
	case graph.IndexURL:
		prefix = exactPrefix(idxURL, value)
	default:
		return nil, fmt.Errorf("%w: Lookup on index %q", graph.ErrInvalid, idx)
	}
	var keys []string
	err := r.kv.Scan(ctx, Range{Prefix: prefix}, func(k, v []byte) error {
		keys = append(keys, string(v))
		return nil
	})
	return keys, err
}

func dateIndex(idx graph.Index) (byte, bool) {
	switch idx {
	case graph.IndexSaidAt:
		return idxSaidAt, true
	case graph.IndexPublishedAt:
		return idxPublishedAt, true
	}
	return 0, false
}

// Range implements graph.Reader.
func (r *reader) Range(ctx context.Context, idx graph.Index, from, to time.Time, after string, limit int) (graph.Page, error) {
	ib, ok := dateIndex(idx)
	if !ok {
		return graph.Page{}, fmt.Errorf("%w: Range on index %q", graph.ErrInvalid, idx)
	}
	rg := Range{Prefix: datePrefix(ib), Start: dateBound(ib, from), End: dateBound(ib, to)}
	if !from.Before(to) {
		return graph.Page{}, nil
	}
	total, err := r.countKeys(ctx, rg)
	if err != nil {
		return graph.Page{}, err
	}
	if after != "" {
		k, err := r.dateCursor(ctx, idx, ib, after)
		if err != nil {
			return graph.Page{}, err
		}
		if bytes.Compare(k, rg.Start) < 0 || bytes.Compare(k, rg.End) >= 0 {
			return graph.Page{}, fmt.Errorf("%w: cursor %q is not in the range", graph.ErrInvalid, after)
		}
		rg.After = k
	}
	if limit > 0 {
		rg.Limit = limit + 1
	}
	p := graph.Page{Total: total}
	err = r.kv.Scan(ctx, rg, func(k, v []byte) error {
		p.Keys = append(p.Keys, string(v))
		return nil
	})
	if limit > 0 && len(p.Keys) > limit {
		p.Keys, p.More = p.Keys[:limit], true
	}
	return p, err
}

// dateCursor returns the date index key of the node after.
func (r *reader) dateCursor(ctx context.Context, idx graph.Index, ib byte, after string) ([]byte, error) {
	bad := fmt.Errorf("%w: cursor %q is not in the %s index", graph.ErrInvalid, after, idx)
	id, ok, err := r.id(ctx, after)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, bad
	}
	n, err := r.nodeByID(ctx, id)
	if err != nil {
		return nil, err
	}
	var v string
	switch n := n.(type) {
	case *graph.Quote:
		if idx == graph.IndexSaidAt {
			v = n.SaidAt
		}
	case *graph.Source:
		if idx == graph.IndexPublishedAt {
			v = n.PublishedAt
		}
	}
	t, ok := parseDate(v)
	if v == "" || !ok {
		return nil, bad
	}
	return dateKey(ib, t, id), nil
}

func decodeID(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	id, _ := decodeUint64(b)
	return id
}

// Stats implements graph.Reader from the live counts (key-only scans in a
// store written before them).
func (r *reader) Stats(ctx context.Context) (graph.Stats, error) {
	st := graph.Stats{Nodes: make(map[graph.Kind]int, len(graph.Kinds))}
	for _, k := range graph.Kinds {
		n, err := liveCount(ctx, r.kv, k)
		if err != nil {
			return st, err
		}
		st.Nodes[k] = n
	}
	var err error
	st.Edges, st.Links, err = edgeCounts(ctx, r.kv)
	return st, err
}
