package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"claimgraph/graph"
)

// Consistency check (Verify). The families fall in two groups:
//
//   - sources, checked for themselves: node records (n), merged keys (r),
//     history (h, with v, the latest revision of each node), node
//     retractions (w), counters (c), meta keys (m), the links among the
//     adjacency keys (o and i with a link relation: both directions
//     agree and both ends are live records) and the search statistics
//     (s | fe | field: the sums of the length keys);
//   - everything else is derived: the keys that each record implies (k,
//     y, the index entries of indexEntries and the facet entries of
//     addNodeFacets in every family they write, the reference edges of
//     refEntries, o and i: what putNode writes) and that each merged key
//     implies (k, a). These are rebuilt from the records with the writer's
//     own functions, run on the snapshot through a writer whose
//     transaction refuses writes (readOnlyTxn), and compared with the
//     stored keys, value by value: a key that no record implies is extra,
//     one that a record implies and the store lacks is missing. A family
//     added to those builders is so checked without a change here; a key
//     of a family nothing writes any more, or that putNode writes through
//     another builder not called here, is reported as extra.

// VerifyOptions configure [Verify].
type VerifyOptions struct {
	// MaxProblems caps the problems the report lists; the counts cover
	// every problem. 0 means 100.
	MaxProblems int
	// PassNodes bounds memory: the derived keys of at most about this many
	// nodes are held at once, and a larger store is checked in several
	// passes over its keys (each pass takes the keys whose hash falls in
	// its share). 0 means 50,000 nodes (about 2 million keys).
	PassNodes int
}

// Problem is one inconsistency that Verify found.
type Problem struct {
	// Family is the key family concerned, one letter of the key layout
	// ("x", "o", ...), or "" when the problem is not one key's.
	Family string `json:"family"`
	// Check names what disagrees: missing (a key the records imply is
	// absent), extra (a key no record implies), value (a key holds
	// another value than the records imply), decode (stored bytes do not
	// decode), reference (a record refers to a key the store lacks), link
	// (the two directions of a link disagree or an end is not a record),
	// history, merge, counter, meta or stats.
	Check string `json:"check"`
	// Key is the key, readable: the family letter, then the parts of the
	// key separated by | (ids in hex, text quoted).
	Key string `json:"key,omitempty"`
	// KeyHex is the key's bytes in hex.
	KeyHex string `json:"key_hex,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// String renders the problem on one line: family, check, key, message.
func (p Problem) String() string {
	var b strings.Builder
	if p.Family != "" {
		b.WriteString(p.Family)
		b.WriteByte(' ')
	}
	b.WriteString(p.Check)
	if p.Key != "" {
		b.WriteString(" ")
		b.WriteString(p.Key)
	}
	if p.Message != "" {
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// Report is the result of [Verify].
type Report struct {
	// ReadTs is the commit timestamp of the snapshot checked.
	ReadTs uint64 `json:"read_ts"`
	// Nodes, Links and Keys count the node records, the links and the
	// keys read.
	Nodes int `json:"nodes"`
	Links int `json:"links"`
	Keys  int `json:"keys"`
	// Passes is the number of passes over the keys.
	Passes int `json:"passes"`
	// Problems lists the first problems found (VerifyOptions.MaxProblems).
	Problems []Problem `json:"problems"`
	// Total counts every problem, Counts by family and check ("o
	// missing").
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return r.Total == 0 }

// Verify checks, at one snapshot of the last commit, that the stored keys of
// kv are those the node records imply: every node record decodes; its key
// (k) and kind list (y) entries, its reference edges in both directions (o,
// i) and every secondary index entry (exact x, date d, search postings and
// lengths s, and any family indexEntries writes) are present with the
// value the writer would write, and no other key of those families is; the
// search statistics are the sums of the lengths; every link is stored in
// both directions alike between two live records; history (h) decodes and
// each node's latest revision (v) is its newest; merged keys (r) resolve to
// live records with their k and a entries; counters (c) are above every id
// in use; the meta keys (m) are right. It reads the whole store and
// returns the problems found in the report; an error means the check could
// not run (a read failed).
func Verify(ctx context.Context, kv KV, opt VerifyOptions) (Report, error) {
	snap, err := kv.Snapshot(ctx, 0)
	if err != nil {
		return Report{}, err
	}
	defer snap.Close()
	if opt.MaxProblems <= 0 {
		opt.MaxProblems = 100
	}
	if opt.PassNodes <= 0 {
		opt.PassNodes = 50_000
	}
	v := &verifier{
		snap: snap, opt: opt,
		rep:    &Report{ReadTs: snap.ReadTs(), Counts: map[string]int{}, Problems: []Problem{}},
		seed:   maphash.MakeSeed(),
		keys:   map[uint64]string{},
		merged: map[uint64]string{},
	}
	if err := v.run(ctx); err != nil {
		return Report{}, err
	}
	return *v.rep, nil
}

// Verify runs [Verify] on the store's engine.
func (s *Store) Verify(ctx context.Context, opt VerifyOptions) (Report, error) {
	return Verify(ctx, s.kv, opt)
}

// verifier holds the state of one Verify.
type verifier struct {
	snap KVReader
	opt  VerifyOptions
	rep  *Report
	seed maphash.Seed

	keys     map[uint64]string            // id -> record key, a bounded cache
	merged   map[uint64]string            // own id of a merged key -> the key
	maxIndex map[graph.Kind]uint64        // the largest per-kind counter of an id in use
	stats    map[graph.SearchField][2]int // docs and words the length keys imply
	passes   int
}

// expected is a derived key: the hash of the value the records imply and
// the node that implies it (0 for a merged key's entries).
type expected struct {
	hash  uint64
	owner uint64
}

func (v *verifier) problem(fam byte, check string, key []byte, format string, args ...any) {
	v.rep.Total++
	f := ""
	if fam != 0 {
		f = string(rune(fam))
	}
	v.rep.Counts[strings.TrimSpace(f+" "+check)]++
	if len(v.rep.Problems) >= v.opt.MaxProblems {
		return
	}
	p := Problem{Family: f, Check: check, Message: fmt.Sprintf(format, args...)}
	if key != nil {
		p.Key, p.KeyHex = formatKey(key), hex.EncodeToString(key)
	}
	v.rep.Problems = append(v.rep.Problems, p)
}

func (v *verifier) run(ctx context.Context) error {
	v.maxIndex = map[graph.Kind]uint64{}
	nodes, err := v.checkRecords(ctx)
	if err != nil {
		return err
	}
	v.rep.Nodes = nodes
	merges, err := v.checkMerged(ctx)
	if err != nil {
		return err
	}
	if err := v.checkHistory(ctx); err != nil {
		return err
	}
	retractions, err := v.checkRetractions(ctx)
	if err != nil {
		return err
	}
	if err := v.checkCounters(ctx); err != nil {
		return err
	}
	if err := v.checkMeta(ctx, merges > 0, retractions > 0); err != nil {
		return err
	}
	v.passes = 1 + nodes/v.opt.PassNodes
	v.rep.Passes = v.passes
	for p := 0; p < v.passes; p++ {
		if err := v.derivedPass(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// seen notes an id in use for the counter check.
func (v *verifier) seen(id uint64) {
	k := idKind(id)
	if n := id & (1<<56 - 1); n > v.maxIndex[k] {
		v.maxIndex[k] = n
	}
}

// checkRecords decodes every node record and returns how many there are.
func (v *verifier) checkRecords(ctx context.Context) (int, error) {
	n := 0
	err := v.snap.Scan(ctx, Range{Prefix: []byte{famNode}}, func(k, val []byte) error {
		n++
		if len(k) != 9 {
			v.problem(famNode, "decode", k, "a node record key has %d bytes, not 9", len(k))
			return nil
		}
		id := decodeID(k[1:])
		v.seen(id)
		node, err := decodeNode(val)
		if err != nil {
			v.problem(famNode, "decode", k, "%v", err)
			return nil
		}
		if !idKind(id).Valid() || node.NodeKind() != idKind(id) {
			v.problem(famNode, "decode", k, "the record of %q is a %v but its id says %v", node.NodeKey(), node.NodeKind(), idKind(id))
		}
		if node.NodeKey() == "" {
			v.problem(famNode, "decode", k, "the record has no key")
		}
		return nil
	})
	return n, err
}

// recordKey returns the key of the live record with the id, "" when there
// is none (or it does not decode: checkRecords reported that).
func (v *verifier) recordKey(ctx context.Context, id uint64) (string, error) {
	if k, ok := v.keys[id]; ok {
		return k, nil
	}
	val, err := v.snap.Get(ctx, nodeKey(id))
	if errors.Is(err, ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	n, err := decodeNode(val)
	if err != nil {
		return "", nil
	}
	if len(v.keys) >= 1<<16 {
		clear(v.keys)
	}
	v.keys[id] = n.NodeKey()
	return n.NodeKey(), nil
}

// liveID returns the id that k | key holds when it names a live record of
// that key.
func (v *verifier) liveID(ctx context.Context, key string) (uint64, bool, error) {
	val, err := v.snap.Get(ctx, keyIndexKey(key))
	if errors.Is(err, ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	id, err := decodeUint64(val)
	if err != nil {
		return 0, false, nil
	}
	rk, err := v.recordKey(ctx, id)
	return id, err == nil && rk == key, err
}

// mergedEntry is one merged key as stored.
type mergedEntry struct {
	key    string
	old    uint64
	into   string
	intoID uint64 // 0 when into is not a live record
}

// scanMerged calls fn with each decodable merged key (family r).
func (v *verifier) scanMerged(ctx context.Context, report bool, fn func(mergedEntry) error) error {
	var all []mergedEntry
	err := v.snap.Scan(ctx, Range{Prefix: []byte{famMerged}}, func(k, val []byte) error {
		old, into, err := decodeMerged(val)
		if err != nil {
			if report {
				v.problem(famMerged, "decode", k, "%v", err)
			}
			return nil
		}
		all = append(all, mergedEntry{key: string(k[1:]), old: old, into: into})
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range all {
		id, ok, err := v.liveID(ctx, m.into)
		if err != nil {
			return err
		}
		if ok {
			m.intoID = id
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// checkMerged checks the merged keys: each resolves to a live record and
// its own record is gone. It returns how many there are.
func (v *verifier) checkMerged(ctx context.Context) (int, error) {
	n := 0
	err := v.scanMerged(ctx, true, func(m mergedEntry) error {
		n++
		k := mergedKey(m.key)
		v.merged[m.old] = m.key
		v.seen(m.old)
		if m.intoID == 0 {
			v.problem(famMerged, "merge", k, "%q is merged into %q, which is not a live record", m.key, m.into)
		}
		if m.into == m.key {
			v.problem(famMerged, "merge", k, "%q is merged into itself", m.key)
		}
		if _, err := v.snap.Get(ctx, nodeKey(m.old)); err == nil {
			v.problem(famMerged, "merge", k, "%q was merged but its record (id %016x) is still stored", m.key, m.old)
		} else if !errors.Is(err, ErrKeyNotFound) {
			return err
		}
		return nil
	})
	return n, err
}

// historyOwner returns the key whose history id holds: its record's key or
// the merged key whose own id it is.
func (v *verifier) historyOwner(ctx context.Context, id uint64) (string, error) {
	if k, ok := v.merged[id]; ok {
		return k, nil
	}
	return v.recordKey(ctx, id)
}

// checkHistory checks every revision (family h): it decodes, names the
// key of its node, the sequence numbers of one commit run from 0, and v
// holds the node's newest revision. Then every v key has a history.
func (v *verifier) checkHistory(ctx context.Context) error {
	var (
		cur      uint64 // the id whose revisions are being read
		have     bool
		owner    string
		lastRev  uint64
		nextSeq  uint32
		checkEnd func() error
	)
	checkEnd = func() error {
		if !have {
			return nil
		}
		lk := latestKey(cur)
		val, err := v.snap.Get(ctx, lk)
		switch {
		case errors.Is(err, ErrKeyNotFound):
			v.problem(famLatest, "missing", lk, "node %q has revisions up to %d but no latest revision", owner, lastRev)
		case err != nil:
			return err
		default:
			got, err := decodeUint64(val)
			if err != nil {
				v.problem(famLatest, "decode", lk, "%v", err)
			} else if got != lastRev {
				v.problem(famLatest, "value", lk, "node %q: latest revision %d, but its newest revision is %d", owner, got, lastRev)
			}
		}
		return nil
	}
	err := v.snap.Scan(ctx, Range{Prefix: []byte{famHistory}}, func(k, val []byte) error {
		rev, err := parseHistKey(k)
		if err != nil {
			v.problem(famHistory, "decode", k, "%v", err)
			return nil
		}
		id := decodeID(k[1:9])
		seq := binary.BigEndian.Uint32(k[17:])
		if !have || id != cur {
			if err := checkEnd(); err != nil {
				return err
			}
			cur, have, lastRev, nextSeq = id, true, 0, 0
			v.seen(id)
			if owner, err = v.historyOwner(ctx, id); err != nil {
				return err
			}
			if owner == "" {
				v.problem(famHistory, "history", k, "revisions of id %016x, which is neither a record nor a merged key", id)
			}
		}
		if rev != lastRev {
			lastRev, nextSeq = rev, 0
		}
		if seq != nextSeq {
			v.problem(famHistory, "history", k, "revision sequence %d of commit %d, expected %d", seq, rev, nextSeq)
		}
		nextSeq = seq + 1
		r, err := decodeRevision(val)
		if err != nil {
			v.problem(famHistory, "decode", k, "%v", err)
			return nil
		}
		if owner != "" && r.Key != owner {
			v.problem(famHistory, "history", k, "a revision of %q names %q", owner, r.Key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := checkEnd(); err != nil {
		return err
	}
	return v.snap.Scan(ctx, Range{Prefix: []byte{famLatest}, KeysOnly: true}, func(k, _ []byte) error {
		if len(k) != 9 {
			v.problem(famLatest, "extra", k, "a latest-revision key has %d bytes, not 9", len(k))
			return nil
		}
		n := 0
		err := v.snap.Scan(ctx, Range{Prefix: histPrefix(decodeID(k[1:])), KeysOnly: true, Limit: 1}, func(_, _ []byte) error {
			n++
			return nil
		})
		if err != nil {
			return err
		}
		if n == 0 {
			v.problem(famLatest, "extra", k, "a latest revision of a node with no history")
		}
		return nil
	})
}

// checkRetractions checks the node retractions (family w) and returns how
// many keys the family holds.
func (v *verifier) checkRetractions(ctx context.Context) (int, error) {
	n := 0
	err := v.snap.Scan(ctx, Range{Prefix: []byte{famRetracted}}, func(k, val []byte) error {
		n++
		if len(k) != 9 {
			v.problem(famRetracted, "extra", k, "a retraction key has %d bytes, not 9", len(k))
			return nil
		}
		if _, err := decodeRetraction(val); err != nil {
			v.problem(famRetracted, "decode", k, "%v", err)
		}
		id := decodeID(k[1:])
		v.seen(id)
		owner, err := v.historyOwner(ctx, id)
		if err != nil {
			return err
		}
		if owner == "" {
			v.problem(famRetracted, "extra", k, "a retraction of id %016x, which is neither a record nor a merged key", id)
		}
		return nil
	})
	return n, err
}

// checkCounters checks that each kind's counter is at or above every id of
// the kind in use, so that no id is handed out twice.
func (v *verifier) checkCounters(ctx context.Context) error {
	stored := map[graph.Kind]bool{}
	err := v.snap.Scan(ctx, Range{Prefix: []byte{famCounter}}, func(k, val []byte) error {
		if len(k) == 3 && k[2] == liveCountSuffix && graph.Kind(k[1]).Valid() {
			return v.checkLiveCount(ctx, graph.Kind(k[1]), k, val)
		}
		if bytes.Equal(k, liveEdgesKey) || bytes.Equal(k, liveLinksKey) {
			return v.checkEdgeCount(ctx, k, val)
		}
		if len(k) != 2 || !graph.Kind(k[1]).Valid() {
			v.problem(famCounter, "extra", k, "not the counter of a kind")
			return nil
		}
		kind := graph.Kind(k[1])
		stored[kind] = true
		c, err := decodeUint64(val)
		if err != nil {
			v.problem(famCounter, "decode", k, "%v", err)
			return nil
		}
		if m := v.maxIndex[kind]; c < m {
			v.problem(famCounter, "counter", k, "the %v counter is %d but id %d of the kind is in use: ids would be handed out twice", kind, c, m)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, kind := range graph.Kinds {
		if m := v.maxIndex[kind]; m > 0 && !stored[kind] {
			v.problem(famCounter, "missing", counterKey(kind), "no %v counter but id %d of the kind is in use", kind, m)
		}
	}
	return nil
}

// checkLiveCount checks the live count key k (value val) of kind against
// the kind's list keys.
func (v *verifier) checkLiveCount(ctx context.Context, kind graph.Kind, k, val []byte) error {
	c, err := decodeUint64(val)
	if err != nil {
		v.problem(famCounter, "decode", k, "%v", err)
		return nil
	}
	n := 0
	err = v.snap.Scan(ctx, Range{Prefix: kindListPrefix(kind), KeysOnly: true}, func(_, _ []byte) error { n++; return nil })
	if err != nil {
		return err
	}
	if c != uint64(n) {
		v.problem(famCounter, "count", k, "the live count of %v is %d but %d nodes of the kind are listed: totals would be wrong", kind, c, n)
	}
	return nil
}

// checkEdgeCount checks the edge or link count key k (value val) against
// the out adjacency keys.
func (v *verifier) checkEdgeCount(ctx context.Context, k, val []byte) error {
	c, err := decodeUint64(val)
	if err != nil {
		v.problem(famCounter, "decode", k, "%v", err)
		return nil
	}
	edges, links := 0, 0
	err = v.snap.Scan(ctx, Range{Prefix: []byte{famOut}, KeysOnly: true}, func(k, _ []byte) error {
		edges++
		if len(k) == adjKeyLen && k[9] >= firstLinkCode {
			links++
		}
		return nil
	})
	if err != nil {
		return err
	}
	what, n := "edges", edges
	if bytes.Equal(k, liveLinksKey) {
		what, n = "links", links
	}
	if c != uint64(n) {
		v.problem(famCounter, "count", k, "the count of %s is %d but %d are stored: Stats would be wrong", what, c, n)
	}
	return nil
}

// checkMeta checks the meta keys (family m): the layout version, and the
// merged flag exactly when merged keys exist.
func (v *verifier) checkMeta(ctx context.Context, merges, retractions bool) error {
	nonEmpty := false
	if err := v.snap.Scan(ctx, Range{Limit: 1, KeysOnly: true}, func(_, _ []byte) error { nonEmpty = true; return nil }); err != nil {
		return err
	}
	sawLayout, sawMerged, sawRetracted := false, false, false
	err := v.snap.Scan(ctx, Range{Prefix: []byte{famMeta}}, func(k, val []byte) error {
		switch {
		case bytes.Equal(k, metaLayoutKey):
			sawLayout = true
			if len(val) != 1 || val[0] != layoutVersion {
				v.problem(famMeta, "meta", k, "key layout %x, this version writes %d", val, layoutVersion)
			}
		case bytes.Equal(k, metaMergedKey):
			sawMerged = true
			if !merges {
				v.problem(famMeta, "extra", k, "the merged flag is set but no key is merged")
			}
		case bytes.Equal(k, metaRetractedKey):
			sawRetracted = true
			if !retractions {
				v.problem(famMeta, "extra", k, "the retracted flag is set but no node is retracted")
			}
		default:
			v.problem(famMeta, "extra", k, "unknown meta key")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if nonEmpty && !sawLayout {
		v.problem(famMeta, "missing", metaLayoutKey, "no key layout version")
	}
	if merges && !sawMerged {
		v.problem(famMeta, "missing", metaMergedKey, "keys are merged but the merged flag is not set: readers would not resolve them")
	}
	if retractions && !sawRetracted {
		v.problem(famMeta, "missing", metaRetractedKey, "nodes are retracted but the retracted flag is not set: traces would not mark them")
	}
	return nil
}

// sourceFamily reports whether keys of the family are checked by the
// source checks rather than rebuilt from the records.
func sourceFamily(f byte) bool {
	switch f {
	case famNode, famMerged, famHistory, famLatest, famRetracted, famCounter, famMeta:
		return true
	}
	return false
}

// readOnlyTxn lets Verify run the writer's entry builders (refEntries) on
// a snapshot: it reads, and refuses every write.
type readOnlyTxn struct{ KVReader }

var errVerifyWrite = errors.New("store: verify does not write")

func (readOnlyTxn) CommitTs() uint64            { return 0 }
func (readOnlyTxn) Set(key, value []byte) error { return errVerifyWrite }
func (readOnlyTxn) Delete(key []byte) error     { return errVerifyWrite }

// derivedPass rebuilds the derived keys that fall in pass p, scans every
// key, and reports the differences. Pass 0 also checks the links and the
// search statistics, and reports the records' dangling references.
func (v *verifier) derivedPass(ctx context.Context, p int) error {
	want := map[string]expected{}
	inPass := func(k []byte) bool {
		return v.passes == 1 || maphash.Bytes(v.seed, k)%uint64(v.passes) == uint64(p)
	}
	add := func(k string, val []byte, owner uint64) {
		if !inPass([]byte(k)) {
			return
		}
		e := expected{hash: maphash.Bytes(v.seed, val), owner: owner}
		if old, dup := want[k]; dup && old.hash != e.hash {
			v.problem(k[0], "value", []byte(k), "implied twice with different values (by %s and %s)", v.ownerName(ctx, old.owner), v.ownerName(ctx, e.owner))
			return
		}
		want[k] = e
	}
	if p == 0 {
		v.stats = map[graph.SearchField][2]int{}
	}
	var w *writer
	done := 0
	err := v.snap.Scan(ctx, Range{Prefix: []byte{famNode}}, func(k, val []byte) error {
		if len(k) != 9 {
			return nil
		}
		id := decodeID(k[1:])
		n, err := decodeNode(val)
		if err != nil || n.NodeKind() != idKind(id) {
			return nil // checkRecords reported it
		}
		if w == nil || done%10_000 == 0 {
			// A fresh writer now and then keeps its caches small.
			w = newWriter(readOnlyTxn{v.snap}, &graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}, &graph.Batch{}, true)
		}
		done++
		key := n.NodeKey()
		add(string(keyIndexKey(key)), encodeUint64(id), id)
		add(string(kindListKey(n.NodeKind(), key)), []byte{}, id)
		// The entries putNode writes with a record: indexEntries, and
		// the facet entries (family f), which depend on other records (a
		// quote's publisher is its source's) and which the writer
		// computes from the state, here the snapshot.
		es := indexEntries(n, id)
		if _, err := w.addNodeFacets(ctx, n, es); err != nil {
			return err
		}
		if p == 0 {
			if lv, ok := es[string(searchLenKey(id))]; ok {
				if _, ls, err := decodeSearchLen(lv); err == nil {
					for f, l := range ls {
						d := v.stats[f]
						v.stats[f] = [2]int{d[0] + 1, d[1] + l}
					}
				}
			}
		}
		for ek, ev := range es {
			add(ek, ev, id)
		}
		refs, err := w.refEntries(ctx, graph.Place{}, n, id)
		if err != nil {
			return err
		}
		if len(w.problems) > 0 {
			if p == 0 {
				for _, pr := range w.problems {
					v.problem(famNode, "reference", k, "%q field %s: %s", key, pr.Field, pr.Message)
				}
			}
			w.problems = w.problems[:0]
		}
		for ek, ev := range refs {
			add(ek, ev, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = v.scanMerged(ctx, false, func(m mergedEntry) error {
		if m.intoID == 0 {
			return nil // checkMerged reported it
		}
		add(string(keyIndexKey(m.key)), encodeUint64(m.intoID), 0)
		add(string(mergedToKey(m.intoID, m.key)), []byte{}, 0)
		return nil
	})
	if err != nil {
		return err
	}

	// claim checks a logical key lk (value lv) found in block k against
	// what the records imply.
	claim := func(fam byte, what string, k, lk, lv []byte) {
		if !inPass(lk) {
			return
		}
		e, ok := want[string(lk)]
		if !ok {
			v.problem(fam, "extra", lk, "no record implies this %s (in %s)", what, formatKey(k))
			return
		}
		delete(want, string(lk))
		if maphash.Bytes(v.seed, lv) != e.hash {
			v.problem(fam, "value", lk, "the %s (in %s) differs from what %s implies", what, formatKey(k), v.ownerName(ctx, e.owner))
		}
	}
	storedStats := map[byte][]byte{}
	blocks := &blockCheck{}
	fblocks := &facetBlockCheck{}
	dicts := &dictCheck{} // the reversed dictionary (whosaid_flags.go)
	err = v.snap.Scan(ctx, Range{}, func(k, val []byte) error {
		if p == 0 {
			v.rep.Keys++
		}
		switch f := k[0]; {
		case f == famSearch && postingKeyPrefix(k) > 0:
			if inPass(k) {
				v.problem(famSearch, "extra", k, "a posting key outside a block (key layout 4)")
			}
			return nil
		case f == famSearch && blockKeyPrefix(k) > 0:
			if p == 0 {
				dicts.block(k)
			}
			v.checkBlock(blocks, p, k, val, func(lk []byte, lv []byte) { claim(famSearch, "posting", k, lk, lv) })
			return nil
		case f == famFacet && facetListPrefix(k) > 0:
			if inPass(k) {
				v.problem(famFacet, "extra", k, "a facet entry outside a block (key layout 6)")
			}
			return nil
		case f == famFacet && facetBlockKeyPrefix(k) > 0:
			v.checkFacetBlock(fblocks, p, k, val, func(lk []byte) { claim(famFacet, "facet entry", k, lk, nil) })
			return nil
		case sourceFamily(f):
			return nil
		case (f == famOut || f == famIn) && len(k) == adjKeyLen && k[9] >= firstLinkCode:
			if p == 0 {
				return v.checkLink(ctx, k, val)
			}
			return nil
		case f == famSearch && len(k) >= 2 && k[1] == searchDictField:
			if p == 0 {
				v.dictKey(dicts, k)
			}
			return nil
		case f == famSearch && len(k) == 3 && k[1] == searchStatsField:
			if p == 0 {
				storedStats[k[2]] = bytes.Clone(val)
			}
			return nil
		}
		if !inPass(k) {
			return nil
		}
		e, ok := want[string(k)]
		if !ok {
			v.problem(k[0], "extra", k, "no record implies this key")
			return nil
		}
		delete(want, string(k))
		if maphash.Bytes(v.seed, val) != e.hash {
			v.problem(k[0], "value", k, "the value differs from what %s implies", v.ownerName(ctx, e.owner))
		}
		return nil
	})
	if err != nil {
		return err
	}
	missing := make([]string, 0, len(want))
	for k := range want {
		missing = append(missing, k)
	}
	slices.Sort(missing)
	for _, k := range missing {
		v.problem(k[0], "missing", []byte(k), "implied by %s", v.ownerName(ctx, want[k].owner))
	}
	if p == 0 {
		v.checkStats(storedStats)
		v.checkDicts(dicts)
	}
	return nil
}

// ownerName names the node that implies a key.
func (v *verifier) ownerName(ctx context.Context, id uint64) string {
	if id == 0 {
		return "a merged key"
	}
	k, err := v.recordKey(ctx, id)
	if err != nil || k == "" {
		return fmt.Sprintf("node %016x", id)
	}
	return strconv.Quote(k)
}

// checkLink checks one adjacency key of a link: its value decodes, both
// ends are live records, the value names the other end, and the other
// direction holds the mirror value.
func (v *verifier) checkLink(ctx context.Context, k, val []byte) error {
	fam, a, code, b, _ := parseAdjKey(k)
	if relName(code) == "" {
		v.problem(fam, "extra", k, "unknown link relation code %02x", code)
		return nil
	}
	if fam == famIn {
		// The out key checks the pair; an in key needs its out key.
		_, err := v.snap.Get(ctx, adjKey(famOut, b, code, a))
		if errors.Is(err, ErrKeyNotFound) {
			v.problem(famIn, "link", k, "a %s link with no outgoing key", relName(code))
			return nil
		}
		return err
	}
	v.rep.Links++
	ev, err := decodeEdge(val)
	if err != nil {
		v.problem(famOut, "decode", k, "%v", err)
		return nil
	}
	fromKey, err := v.recordKey(ctx, a)
	if err != nil {
		return err
	}
	toKey, err := v.recordKey(ctx, b)
	if err != nil {
		return err
	}
	if fromKey == "" || toKey == "" {
		v.problem(famOut, "link", k, "a %s link whose end is not a live record (from %q, to %q)", relName(code), fromKey, toKey)
		return nil
	}
	if ev.Other != toKey {
		v.problem(famOut, "link", k, "the %s link from %q to %q names %q as its end", relName(code), fromKey, toKey, ev.Other)
	}
	ik := adjKey(famIn, b, code, a)
	iv, err := v.snap.Get(ctx, ik)
	if errors.Is(err, ErrKeyNotFound) {
		v.problem(famIn, "missing", ik, "the %s link from %q to %q has no incoming key", relName(code), fromKey, toKey)
		return nil
	}
	if err != nil {
		return err
	}
	mirror := ev
	mirror.Other = fromKey
	if !bytes.Equal(iv, encodeEdge(mirror)) {
		v.problem(famIn, "value", ik, "the %s link from %q to %q differs from its outgoing key", relName(code), fromKey, toKey)
	}
	return nil
}

// checkStats compares the stored search statistics with the sums of the
// length keys the records imply.
func (v *verifier) checkStats(stored map[byte][]byte) {
	known := map[byte]bool{}
	for _, f := range graph.SearchFields {
		known[byte(f)] = true
		k := searchStatsKey(f)
		want := v.stats[f]
		val, ok := stored[byte(f)]
		var got [2]int
		if ok {
			d, n := binary.Uvarint(val)
			l, m := binary.Uvarint(val[max(n, 0):])
			if n <= 0 || m <= 0 || n+m != len(val) {
				v.problem(famSearch, "decode", k, "search statistics value %x", val)
				continue
			}
			got = [2]int{int(d), int(l)}
		}
		if got != want {
			check := "stats"
			if !ok {
				check = "missing"
			}
			v.problem(famSearch, check, k, "field %d: stored %d nodes and %d words, the records hold %d and %d", f, got[0], got[1], want[0], want[1])
		}
	}
	for f := range stored {
		if !known[f] {
			v.problem(famSearch, "extra", searchStatsKey(graph.SearchField(f)), "statistics of unknown field %d", f)
		}
	}
}

// formatKey renders a key for a report: the family letter, then the parts
// of the key separated by |, ids in hex and text quoted.
func formatKey(k []byte) string {
	if len(k) == 0 {
		return `""`
	}
	fam := string(rune(k[0]))
	id := func(b []byte) string { return hex.EncodeToString(b) }
	switch {
	case (k[0] == famOut || k[0] == famIn) && len(k) == adjKeyLen:
		rel := string(relName(k[9]))
		if rel == "" {
			rel = fmt.Sprintf("%02x", k[9])
		}
		return fam + "|" + id(k[1:9]) + "|" + rel + "|" + id(k[10:])
	case (k[0] == famNode || k[0] == famLatest || k[0] == famRetracted) && len(k) == 9:
		return fam + "|" + id(k[1:])
	case k[0] == famHistory && len(k) == histKeyLen:
		return fam + "|" + id(k[1:9]) + "|" + id(k[9:17]) + "|" + id(k[17:])
	case k[0] == famKeyIndex || k[0] == famMerged:
		return fam + "|" + strconv.Quote(string(k[1:]))
	case k[0] == famKindList && len(k) >= 2:
		return fam + "|" + graph.Kind(k[1]).String() + "|" + strconv.Quote(string(k[2:]))
	case k[0] == famMergedTo && len(k) >= 9:
		return fam + "|" + id(k[1:9]) + "|" + strconv.Quote(string(k[9:]))
	case len(k) >= 10 && k[0] != famCounter && k[0] != famMeta:
		// Index entries end with the node's id.
		return fam + "|" + strconv.Quote(string(k[1:len(k)-8])) + "|" + id(k[len(k)-8:])
	}
	return fam + "|" + strconv.Quote(string(k[1:]))
}

// blockCheck is the state of the check of the posting blocks of one scan:
// the list and last id of the previous block.
// facetBlockCheck is the state of checkFacetBlock: the list and key
// suffix of the block before.
type facetBlockCheck struct {
	prefix []byte
	last   []byte
	blk    facetBlock
	lk     []byte
}

// checkFacetBlock decodes the facet block k and passes each logical entry
// key (f | kind | code | variant | escaped value | entry) to each; pass 0
// reports a block that does not decode and blocks of one list whose
// entries overlap or are out of order.
func (v *verifier) checkFacetBlock(bc *facetBlockCheck, p int, k, val []byte, each func(lk []byte)) {
	n := facetBlockKeyPrefix(k)
	if err := decodeFacetBlock(k[n:], val, &bc.blk); err != nil {
		if p == 0 {
			v.problem(famFacet, "decode", k, "%v", err)
		}
		return
	}
	if first := bc.blk.entry(0); bytes.Equal(bc.prefix, k[:n]) && bytes.Compare(first, bc.last) <= 0 && p == 0 {
		v.problem(famFacet, "decode", k, "facet block starts at %x, at or before the end of the previous block (%x)", first, bc.last)
	}
	bc.prefix = append(bc.prefix[:0], k[:n]...)
	bc.last = append(bc.last[:0], k[n:]...)
	bc.lk = append(bc.lk[:0], k[:n]...)
	bc.lk[3] -= variantBlock
	for i := range bc.blk.len() {
		bc.lk = append(bc.lk[:n], bc.blk.entry(i)...)
		each(bc.lk)
	}
}

type blockCheck struct {
	prefix []byte
	last   uint64
	blk    postingBlock
	val    []byte
}

// checkBlock decodes the posting block k and passes each logical posting
// (its key s | field | term | 00 | id, and value) to each; pass 0 reports a block that does not decode
// and blocks of one list whose ids overlap or are out of order.
func (v *verifier) checkBlock(bc *blockCheck, p int, k, val []byte, each func(lk, lv []byte)) {
	n := blockKeyPrefix(k)
	last := decodeID(k[n:])
	if err := decodePostingBlock(last, val, &bc.blk); err != nil {
		if p == 0 {
			v.problem(famSearch, "decode", k, "%v", err)
		}
		return
	}
	if want := postingHeads(logicalField(k[1])); bc.blk.heads != want {
		if p == 0 {
			v.problem(famSearch, "decode", k, "posting block with %d heads, the list's postings have %d", bc.blk.heads, want)
		}
		return
	}
	if bytes.Equal(bc.prefix, k[:n]) && bc.blk.ids[0] <= bc.last && p == 0 {
		v.problem(famSearch, "decode", k, "posting block starts at %016x, at or before the end of the previous block (%016x)", bc.blk.ids[0], bc.last)
	}
	bc.prefix, bc.last = append(bc.prefix[:0], k[:n]...), last
	lk := slices.Clone(k)
	lk[1] = logicalField(k[1])
	for i, id := range bc.blk.ids {
		lk = appendID(lk[:n], id)
		bc.val = bc.blk.value(bc.val[:0], i)
		each(lk, bc.val)
	}
}
