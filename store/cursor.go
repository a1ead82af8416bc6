package store

import (
	"bytes"
	"context"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// kvCursor walks the keys of one prefix in order and seeks forward: what
// a leapfrog join and a skip scan need, without opening a scan per seek.
type kvCursor interface {
	// seek moves to the first key at or after key (and within the
	// prefix); false when there is none. A key before the prefix seeks to
	// its first key.
	seek(key []byte) (bool, error)
	// next moves to the following key; false at the end.
	next() (bool, error)
	// key returns the current key, valid until the cursor moves.
	key() []byte
	// value calls fn with the current value, valid during the call.
	value(fn func([]byte) error) error
	close()
}

// cursorOpener is implemented by readers that can hold an iterator open
// (Badger). openCursor falls back to chunked scans for others.
type cursorOpener interface {
	openCursor(ctx context.Context, prefix []byte, keysOnly bool, steps int) kvCursor
}

// openCursor returns a cursor over the keys of kv with prefix. A seek
// first steps over up to steps keys (see badgerCursor.seek): about the
// distance the caller expects between the keys it seeks.
func openCursor(ctx context.Context, kv KVReader, prefix []byte, keysOnly bool, steps int) kvCursor {
	if o, ok := kv.(cursorOpener); ok {
		return o.openCursor(ctx, prefix, keysOnly, steps)
	}
	return &scanCursor{ctx: ctx, kv: kv, prefix: prefix, keysOnly: keysOnly, chunk: 16}
}

// badgerCursor is a kvCursor on one Badger iterator.
type badgerCursor struct {
	ctx     context.Context
	it      *badger.Iterator
	prefix  []byte
	steps   int
	n       int
	started bool // sought once: the iterator is positioned
}

func (r *badgerReader) openCursor(ctx context.Context, prefix []byte, keysOnly bool, steps int) kvCursor {
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	return &badgerCursor{ctx: ctx, it: it, prefix: prefix, steps: steps}
}

func (c *badgerCursor) valid() (bool, error) {
	if c.n++; c.n&1023 == 0 {
		if err := c.ctx.Err(); err != nil {
			return false, err
		}
	}
	return c.it.Valid(), nil
}

// seek steps over up to c.steps keys before it seeks: a Badger seek
// searches every level's tables again (tens of times the cost of a step,
// which only moves the merge), and the key sought is often close (the
// next posting of a dense list, a record a few ids on).
func (c *badgerCursor) seek(key []byte) (bool, error) {
	if bytes.Compare(key, c.prefix) < 0 {
		key = c.prefix
	}
	if c.started {
		for range c.steps {
			if !c.it.Valid() {
				break
			}
			if bytes.Compare(c.it.Item().Key(), key) >= 0 {
				return c.valid()
			}
			c.it.Next()
		}
	}
	c.started = true
	c.it.Seek(key)
	return c.valid()
}

func (c *badgerCursor) next() (bool, error) {
	c.started = true
	c.it.Next()
	return c.valid()
}

func (c *badgerCursor) key() []byte { return c.it.Item().Key() }

func (c *badgerCursor) value(fn func([]byte) error) error { return c.it.Item().Value(fn) }

func (c *badgerCursor) close() { c.it.Close() }

// scanCursor is a kvCursor on KVReader.Scan: chunks of keys read from the
// key sought, doubling up to 1024 while the cursor moves by next.
type scanCursor struct {
	ctx      context.Context
	kv       KVReader
	prefix   []byte
	keysOnly bool
	chunk    int

	keys, vals [][]byte
	i          int
	more       bool // keys may follow the chunk
}

func (c *scanCursor) fill(rg Range) (bool, error) {
	c.keys, c.vals, c.i = c.keys[:0], c.vals[:0], 0
	rg.Prefix, rg.KeysOnly, rg.Limit = c.prefix, c.keysOnly, c.chunk
	err := c.kv.Scan(c.ctx, rg, func(k, v []byte) error {
		c.keys = append(c.keys, slices.Clone(k))
		if !c.keysOnly {
			c.vals = append(c.vals, slices.Clone(v))
		}
		return nil
	})
	c.more = len(c.keys) == c.chunk
	return len(c.keys) > 0, err
}

func (c *scanCursor) seek(key []byte) (bool, error) {
	if n := len(c.keys); n > 0 && bytes.Compare(key, c.keys[c.i]) >= 0 && bytes.Compare(key, c.keys[n-1]) <= 0 {
		j, _ := slices.BinarySearchFunc(c.keys[c.i:], key, bytes.Compare)
		c.i += j
		return true, nil
	}
	c.chunk = 16
	return c.fill(Range{Start: key})
}

func (c *scanCursor) next() (bool, error) {
	if c.i+1 < len(c.keys) {
		c.i++
		return true, nil
	}
	if !c.more {
		c.i = len(c.keys)
		return false, nil
	}
	c.chunk = min(2*c.chunk, 1024)
	return c.fill(Range{After: c.keys[len(c.keys)-1]})
}

func (c *scanCursor) key() []byte { return c.keys[c.i] }

func (c *scanCursor) value(fn func([]byte) error) error { return fn(c.vals[c.i]) }

func (c *scanCursor) close() {}
