package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"maps"
	"reflect"
	"slices"
	"sync"

	"claimgraph/graph"
)

// The read cache keeps, for the last published commit only, the results of
// point reads and small forward scans, as bytes: what the engine answered,
// so a hit answers exactly what a miss would; and node records decoded,
// handed out as deep copies (cloneNode), so that a caller changing a node
// it read changes nothing else. Only snapshots of the latest
// state (Snapshot with ts 0, that is Store.View) use it, never a snapshot
// at a past instant (asOf) and never a writer. A commit publishes a new
// timestamp, and the next snapshot starts a new, empty cache for it; the
// snapshots still open at the old timestamp keep the old cache, which is
// still right for them (a commit never changes the state at an earlier
// timestamp), and it goes away with them. Each cache holds about its
// budget of keys and values (Options.ReadCacheSize) in two generations of
// half the budget each: entries go into the young one; when it is full it
// becomes the old one (the previous old one is dropped) and a hit in the old
// generation moves the entry back to the young one, so what is read often
// stays.

const (
	// defaultReadCache is the budget of the read cache when
	// Options.ReadCacheSize is 0.
	defaultReadCache = 32 << 20
	// maxCachedScan is the most keys a cached scan holds; longer scans are
	// not cached.
	maxCachedScan = 256
	// entryOverhead approximates the bytes an entry costs besides its keys
	// and values (map entry, slice headers).
	entryOverhead = 96
)

// readCache is the read cache of one commit timestamp.
type readCache struct {
	ts    uint64
	limit int64 // bytes of one generation

	mu    sync.RWMutex
	young *cacheGen
	old   *cacheGen // nil until the young generation first fills
}

// cacheGen is one generation of a read cache.
type cacheGen struct {
	used  int64
	gets  map[string][]byte // nil value: not found
	scans map[string]*cachedScan
	nodes map[string]cachedNode  // decoded records by node key; never handed out, only copies
	edges map[string]cachedEdges // answers of edge queries (edgeQueryKey); handed out as copies
}

// cachedNode is a decoded record and the bytes it counts for.
type cachedNode struct {
	n    graph.Node
	size int64
}

func newCacheGen() *cacheGen {
	return &cacheGen{gets: map[string][]byte{}, scans: map[string]*cachedScan{}, nodes: map[string]cachedNode{}, edges: map[string]cachedEdges{}}
}

// cachedEdges is the answer of an edge query (reader.Edges without a
// cursor or limit): the edges, decoded, and the internal id of each edge's
// other end, which a hit remembers as the scan would have.
type cachedEdges struct {
	edges  []graph.Edge
	others []uint64
	size   int64
}

// copyEdges returns a copy of edges that shares nothing a caller could
// change: the slice and each retraction.
func copyEdges(edges []graph.Edge) []graph.Edge {
	out := slices.Clone(edges)
	for i := range out {
		out[i].Retracted = clonePtr(out[i].Retracted)
	}
	return out
}

// edgesSize is the bytes an edge query's answer counts for in the cache.
func edgesSize(key string, edges []graph.Edge) int64 {
	n := len(key) + entryOverhead
	for _, e := range edges {
		n += 8*16 + 8 + len(e.From) + len(e.To) + len(e.Relation) + len(e.Qualifier) + len(e.Reason) + len(e.Note) + len(e.By) + len(e.At)
		if e.Retracted != nil {
			n += 64 + len(e.Retracted.By) + len(e.Retracted.Reason)
		}
	}
	return int64(n)
}

// cachedScan is the result of a scan: its keys and values, in order.
type cachedScan struct {
	kvs [][]byte // key, value, key, value ...
}

func newReadCache(ts uint64, limit int64) *readCache {
	return &readCache{ts: ts, limit: max(limit/2, 1), young: newCacheGen()}
}

// cacheFor returns the read cache of the latest state at ts, starting a new
// one when the cache held is older; nil when the cache is off.
func (b *Badger) cacheFor(ts uint64) *readCache {
	if b.cacheLimit <= 0 {
		return nil
	}
	// A newer commit's cache in place: read without one (nil).
	c, _ := atCommit(&b.cache, ts, func(c *readCache) uint64 { return c.ts }, func() *readCache { return newReadCache(ts, b.cacheLimit) })
	return c
}

// room makes room in the young generation for an entry of n bytes (n
// counts the entry's overhead), turning it old when full. c.mu is held.
func (c *readCache) room(n int64) {
	if c.young.used+n > c.limit {
		c.old, c.young = c.young, newCacheGen()
	}
	c.young.used += n
}

// get returns the cached answer of a point read: the value (nil when the
// key was not found) and whether the cache had it.
func (c *readCache) get(key []byte) ([]byte, bool) {
	return lookup(c, key, func(g *cacheGen) map[string][]byte { return g.gets }, func(k string, v []byte) int64 { return int64(len(k) + len(v) + entryOverhead) })
}

// putGet caches the answer of a point read (v nil: not found).
func (c *readCache) putGet(key, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.young.gets[string(key)]; ok {
		return
	}
	c.room(int64(len(key) + len(v) + entryOverhead))
	c.young.gets[string(key)] = v
}

// lookup finds key in the map of a generation that of gives, the young
// one first; a hit in the old generation moves to the young one (size gives
// the bytes an entry counts for). The lookups do not copy the key.
func lookup[V any](c *readCache, key []byte, of func(*cacheGen) map[string]V, size func(string, V) int64) (V, bool) {
	c.mu.RLock()
	v, ok := of(c.young)[string(key)]
	old := c.old
	c.mu.RUnlock()
	if ok || old == nil {
		return v, ok
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.old == nil {
		return v, false
	}
	if v, ok = of(c.old)[string(key)]; ok {
		k := string(key)
		delete(of(c.old), k)
		c.room(size(k, v))
		of(c.young)[k] = v
	}
	return v, ok
}

// node returns a copy of the decoded record cached under the node key.
func (c *readCache) node(key []byte) (graph.Node, bool) {
	cn, ok := lookup(c, key, func(g *cacheGen) map[string]cachedNode { return g.nodes }, func(_ string, cn cachedNode) int64 { return cn.size })
	if !ok {
		return nil, false
	}
	return cloneNode(cn.n), true
}

// edges returns the cached answer of the edge query under key
// (edgeQueryKey), its edges a copy.
func (c *readCache) edges(key []byte) (cachedEdges, bool) {
	ce, ok := lookup(c, key, func(g *cacheGen) map[string]cachedEdges { return g.edges }, func(_ string, ce cachedEdges) int64 { return ce.size })
	if !ok {
		return cachedEdges{}, false
	}
	ce.edges = copyEdges(ce.edges)
	return ce, true
}

// putEdges caches the answer of an edge query (the cache keeps edges and
// others: the caller must not change them, nor hand them out).
func (c *readCache) putEdges(key []byte, edges []graph.Edge, others []uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.young.edges[string(key)]; ok {
		return
	}
	k := string(key)
	ce := cachedEdges{edges: edges, others: others, size: edgesSize(k, edges) + int64(8*len(others))}
	c.room(ce.size)
	c.young.edges[k] = ce
}

// putNode caches a decoded record (the cache keeps n: the caller must not
// change it, nor hand it out).
func (c *readCache) putNode(key []byte, size int, n graph.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.young.nodes[string(key)]; ok {
		return
	}
	cn := cachedNode{n: n, size: int64(len(key) + 2*size + entryOverhead)} // a decoded record takes about twice its bytes
	c.room(cn.size)
	c.young.nodes[string(key)] = cn
}

// cloneNode returns a deep copy of a node (a pointer to a struct of
// strings, numbers, slices, maps and pointers of those), so that callers
// may change what they get without changing the cache. The six kinds are
// copied field by field (their slices hold structs of strings, so a
// shallow copy of a slice is a deep one); deepCopy, by reflection, took
// an eighth of a served trace. Any other node is copied by deepCopy.
func cloneNode(n graph.Node) graph.Node {
	switch v := n.(type) {
	case *graph.Quote:
		c := *v
		c.Span, c.Claims = clonePtr(v.Span), slices.Clone(v.Claims)
		return &c
	case *graph.Person:
		c := *v
		c.Aliases, c.IDs, c.Affiliations = slices.Clone(v.Aliases), maps.Clone(v.IDs), slices.Clone(v.Affiliations)
		return &c
	case *graph.Organisation:
		c := *v
		c.Aliases, c.IDs = slices.Clone(v.Aliases), maps.Clone(v.IDs)
		return &c
	case *graph.Source:
		c := *v
		c.Authors, c.DerivedFrom = slices.Clone(v.Authors), slices.Clone(v.DerivedFrom)
		return &c
	case *graph.Claim:
		c := *v
		c.Topics, c.About = slices.Clone(v.Topics), slices.Clone(v.About)
		return &c
	case *graph.Figure:
		c := *v
		c.ValueMax, c.Span, c.DerivedFrom = clonePtr(v.ValueMax), clonePtr(v.Span), slices.Clone(v.DerivedFrom)
		return &c
	}
	return deepCopy(reflect.ValueOf(n)).Interface().(graph.Node)
}

// clonePtr returns a copy of *p in a new variable, or nil.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(deepCopy(v.Elem()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := range v.NumField() {
			if f := c.Field(i); f.CanSet() {
				f.Set(deepCopy(v.Field(i)))
			}
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(deepCopy(it.Key()), deepCopy(it.Value()))
		}
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(deepCopy(v.Elem()))
		return c
	default:
		return v // strings and numbers are values
	}
}

// appendScanKey appends to b the read cache's key of a scan: its prefix,
// start (and whether it is exclusive), end, limit, direction and whether
// values are read.
func appendScanKey(b []byte, rg Range, start []byte, exclusive bool) []byte {
	b = binary.AppendUvarint(b, uint64(len(rg.Prefix)))
	b = append(b, rg.Prefix...)
	b = binary.AppendUvarint(b, uint64(len(start)))
	b = append(b, start...)
	b = binary.AppendUvarint(b, uint64(len(rg.End)))
	b = append(b, rg.End...)
	b = binary.AppendUvarint(b, uint64(rg.Limit))
	flags := byte(0)
	if exclusive {
		flags |= 1
	}
	if rg.KeysOnly {
		flags |= 2
	}
	if rg.End == nil {
		flags |= 4
	}
	if rg.Reverse {
		flags |= 8 // not cached; kept apart all the same
	}
	return append(b, flags)
}

// scan returns the cached scan under key (appendScanKey's bytes), or nil. The
// lookup does not copy the key.
func (c *readCache) scan(key []byte) *cachedScan {
	cs, _ := lookup(c, key, func(g *cacheGen) map[string]*cachedScan { return g.scans }, func(k string, cs *cachedScan) int64 { return cs.size(k) })
	return cs
}

func (c *readCache) putScan(key string, cs *cachedScan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.young.scans[key] != nil {
		return
	}
	c.room(cs.size(key))
	c.young.scans[key] = cs
}

// size is the bytes a cached scan costs under the key.
func (s *cachedScan) size(key string) int64 {
	n := len(key) + entryOverhead
	for _, b := range s.kvs {
		n += len(b) + 24
	}
	return int64(n)
}

// replay passes a cached scan to fn as the engine's scan would.
func (s *cachedScan) replay(ctx context.Context, fn func(key, value []byte) error) error {
	for i := 0; i+1 < len(s.kvs); i += 2 {
		if i&2047 == 2046 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(s.kvs[i], s.kvs[i+1]); err != nil {
			if errors.Is(err, ErrStopScan) {
				return nil
			}
			return err
		}
	}
	return nil
}

// recorder collects the keys and values a scan visits, up to maxCachedScan.
type scanRecorder struct {
	kvs  [][]byte
	over bool
}

func (r *scanRecorder) add(k, v []byte) {
	if r.over {
		return
	}
	if len(r.kvs) >= 2*maxCachedScan {
		r.over, r.kvs = true, nil
		return
	}
	k = bytes.Clone(k)
	if v != nil {
		v = bytes.Clone(v)
	}
	r.kvs = append(r.kvs, k[:len(k):len(k)], v[:len(v):len(v)])
}
