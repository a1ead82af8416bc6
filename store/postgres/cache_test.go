package postgres

import (
	"fmt"
	"testing"
)

func TestReadCache(t *testing.T) {
	c := newReadCache(8 * (entryOverhead + 10))
	key := func(i int) []byte { return fmt.Appendf(nil, "k%04d", i) } // 5 bytes
	for i := range 8 {
		c.put(key(i), i, 5)
	}
	// Touch 0 so that 1 is the least recently used.
	if v, ok := c.get(key(0)); !ok || v.(int) != 0 {
		t.Fatalf("get(k0) = %v, %v", v, ok)
	}
	c.put(key(8), 8, 5)
	if _, ok := c.get(key(1)); ok {
		t.Errorf("k1, the least recently used, was not evicted")
	}
	for _, i := range []int{0, 2, 7, 8} {
		if v, ok := c.get(key(i)); !ok || v.(int) != i {
			t.Errorf("get(k%d) = %v, %v", i, v, ok)
		}
	}
	if c.size > c.max {
		t.Errorf("size %d over the bound %d", c.size, c.max)
	}
	// An answer over an eighth of the cache is not kept.
	c.put([]byte("big"), "x", c.max/8)
	if _, ok := c.get([]byte("big")); ok {
		t.Errorf("an oversized answer was cached")
	}
	// Putting a key again keeps the first answer (answers never change).
	c.put(key(0), 99, 5)
	if v, _ := c.get(key(0)); v.(int) != 0 {
		t.Errorf("second put replaced the answer: %v", v)
	}
	off := newReadCache(-1)
	off.put([]byte("a"), 1, 1)
	if _, ok := off.get([]byte("a")); ok || off != nil {
		t.Errorf("a disabled cache answered")
	}
}

func TestCacheKeyUnambiguous(t *testing.T) {
	seen := map[string]string{}
	for _, c := range []struct {
		kind    byte
		ts      uint64
		variant int
		a, b    string
	}{
		{'g', 1, 0, "ab", ""}, {'g', 1, 0, "a", "b"}, {'g', 2, 0, "ab", ""}, {'s', 1, 0, "ab", ""},
		{'s', 1, 1, "ab", ""}, {'s', 1, 0, "", "ab"}, {'s', 1, 0, "a\x01b", ""}, {'s', 1, 0, "a", "\x01b"},
	} {
		k := string(cacheKey(c.kind, c.ts, c.variant, []byte(c.a), []byte(c.b)))
		desc := fmt.Sprintf("%+v", c)
		if prev, dup := seen[k]; dup {
			t.Errorf("%s and %s share a cache key", prev, desc)
		}
		seen[k] = desc
	}
}
