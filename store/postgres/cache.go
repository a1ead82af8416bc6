package postgres

import (
	"container/list"
	"sync"
)

// readCache keeps the answers of recent reads, keyed by the read and its
// timestamp. A read at timestamp T never changes answer: versions are
// never rewritten, and every later commit has a timestamp above the last
// commit, which T does not exceed. So the cache needs no invalidation; it
// is bounded in bytes and evicts the least recently used answer.
//
// It exists because the graph layer was written for an embedded engine,
// where a point read costs a microsecond: a request makes hundreds of
// reads, many of them repeated (the same user key resolved again, the same
// node record read by two steps of a trace). Against a database each read
// is a round trip.
type readCache struct {
	mu    sync.Mutex
	max   int
	size  int
	ll    *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key string
	val any
	n   int
}

// entryOverhead approximates the bookkeeping bytes of one entry.
const entryOverhead = 96

func newReadCache(maxBytes int) *readCache {
	if maxBytes <= 0 {
		return nil
	}
	return &readCache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

// get returns the cached answer of key. A nil cache finds nothing.
func (c *readCache) get(key []byte) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[string(key)]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*cacheEntry).val, true
}

// put stores the answer val, of n bytes, under key; val must not be
// modified afterwards. Answers larger than an eighth of the cache are not
// kept.
func (c *readCache) put(key []byte, val any, n int) {
	if c == nil {
		return
	}
	n += len(key) + entryOverhead
	if n > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[string(key)]; ok {
		c.ll.MoveToFront(el)
		return
	}
	e := &cacheEntry{key: string(key), val: val, n: n}
	c.items[e.key] = c.ll.PushFront(e)
	c.size += n
	for c.size > c.max {
		old := c.ll.Back()
		oe := old.Value.(*cacheEntry)
		c.ll.Remove(old)
		delete(c.items, oe.key)
		c.size -= oe.n
	}
}
