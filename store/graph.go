package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"claimgraph/fold"
	"claimgraph/graph"
)

// Store is a graph.Store on a [KV] engine: the key layout, codecs and
// indexes of the package documentation.
type Store struct {
	kv  KV
	log zerolog.Logger

	closeOnce sync.Once
	closeErr  error
}

var _ graph.Store = (*Store)(nil)

// Open opens the store that opt describes on the Badger engine. A data
// directory held by another process (most often a running `claimgraph
// serve`) yields an error wrapping graph.ErrLocked.
func Open(ctx context.Context, opt Options) (*Store, error) {
	kv, err := OpenBadger(ctx, opt)
	if err != nil {
		return nil, err
	}
	s, err := New(ctx, kv, opt.Logger)
	if err != nil {
		kv.Close()
		return nil, err
	}
	return s, nil
}

// New returns a store on kv, which it owns: closing the store closes kv.
// It fails if kv holds a key layout this version does not know.
func New(ctx context.Context, kv KV, log zerolog.Logger) (*Store, error) {
	snap, err := kv.Snapshot(ctx, 0)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	v, err := snap.Get(ctx, metaLayoutKey)
	switch {
	case errors.Is(err, ErrKeyNotFound):
	case err != nil:
		return nil, err
	case len(v) != 1 || v[0] != layoutVersion:
		return nil, fmt.Errorf("store: the data uses key layout %x; this version reads layout %d", v, layoutVersion)
	}
	return &Store{kv: kv, log: log}, nil
}

// KV returns the engine under the store.
func (s *Store) KV() KV { return s.kv }

// Close closes the store and its engine. Closing twice is not an error.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.kv.Close() })
	return s.closeErr
}

// View implements graph.Store: fn reads one snapshot of the last commit.
func (s *Store) View(ctx context.Context, fn func(graph.Reader) error) error {
	return s.view(ctx, 0, fn)
}

// ViewAt is View on the graph as it was at time at (asOf): the state of the
// last commit at or before at.
func (s *Store) ViewAt(ctx context.Context, at time.Time, fn func(graph.Reader) error) error {
	n := at.UnixNano()
	if n <= 0 {
		n = 1
	}
	return s.view(ctx, uint64(n), fn)
}

func (s *Store) view(ctx context.Context, ts uint64, fn func(graph.Reader) error) error {
	snap, err := s.kv.Snapshot(ctx, ts)
	if err != nil {
		return err
	}
	defer snap.Close()
	return fn(newReader(snap))
}

// commitTime converts a commit timestamp to a time.
func commitTime(ts uint64) time.Time { return time.Unix(0, int64(ts)).UTC() }

const maxApplyAttempts = 5

// Apply implements graph.Writer. The batch is validated against the current
// state (graph.Validate), completed (graph.Prepare) and written in one
// commit; records equal to what is stored are not rewritten, and a batch
// that changes nothing commits nothing. A commit that loses a race
// (graph.ErrConflict, possible with engines that run writers concurrently)
// is retried with jittered backoff.
func (s *Store) Apply(ctx context.Context, b *graph.Batch) (graph.ApplyResult, error) {
	if b == nil {
		b = &graph.Batch{}
	}
	bundle, err := cloneBatch(b)
	if err != nil {
		return graph.ApplyResult{}, err
	}
	for attempt := 1; ; attempt++ {
		var res graph.ApplyResult
		ts, err := s.kv.Update(ctx, func(tx Txn) error {
			res = graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}
			w := &writer{tx: tx, rd: newReader(tx), res: &res}
			return w.apply(ctx, bundle)
		})
		if errors.Is(err, graph.ErrConflict) && attempt < maxApplyAttempts {
			backoff := time.Duration(attempt) * 2 * time.Millisecond
			backoff += rand.N(backoff)
			select {
			case <-ctx.Done():
				return graph.ApplyResult{}, ctx.Err()
			case <-time.After(backoff):
			}
			continue
		}
		if err != nil {
			return graph.ApplyResult{}, err
		}
		if ts == 0 {
			ts = s.kv.LastCommit()
		}
		if ts == 0 {
			res.At = time.Now().UTC()
		} else {
			res.At = commitTime(ts)
		}
		return res, nil
	}
}

// cloneBatch copies the batch's records into a bundle, since Prepare fills
// fields in place and the caller keeps its batch.
func cloneBatch(b *graph.Batch) (*graph.Bundle, error) {
	bundle := &graph.Bundle{Nodes: make([]graph.Node, len(b.Nodes)), Links: slices.Clone(b.Links)}
	for i, n := range b.Nodes {
		if n == nil || graph.NewNode(n.NodeKind()) == nil {
			return nil, &graph.ValidationError{Problems: []graph.Problem{{
				Place: graph.Place{Section: "nodes", Index: i}, Code: graph.CodeRequired, Message: "nil or unknown node"}}}
		}
		data, err := json.Marshal(n)
		if err != nil {
			return nil, &graph.ValidationError{Problems: []graph.Problem{{
				Place: graph.Place{Section: n.NodeKind().Section(), Index: i}, Key: n.NodeKey(),
				Code: graph.CodeRange, Message: fmt.Sprintf("record cannot be encoded: %v", err)}}}
		}
		c := graph.NewNode(n.NodeKind())
		if err := json.Unmarshal(data, c); err != nil {
			return nil, err
		}
		bundle.Nodes[i] = c
	}
	return bundle, nil
}

// writer applies one batch inside a KV transaction.
type writer struct {
	tx  Txn
	rd  *reader
	res *graph.ApplyResult

	ids      map[string]uint64 // batch node key -> id
	counters map[graph.Kind]uint64
	problems []graph.Problem
	wrote    bool
}

// entries maps keys to values: the index and adjacency keys a node owns.
type entries map[string][]byte

func (w *writer) set(k, v []byte) error {
	w.wrote = true
	return w.tx.Set(k, v)
}

func (w *writer) del(k []byte) error {
	w.wrote = true
	return w.tx.Delete(k)
}

func (w *writer) problem(p graph.Place, key, field, code, format string, args ...any) {
	w.problems = append(w.problems, graph.Problem{Place: p, Key: key, Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (w *writer) apply(ctx context.Context, b *graph.Bundle) error {
	if err := graph.Validate(ctx, b, w.rd); err != nil {
		return err
	}
	if err := graph.Prepare(ctx, b, w.rd); err != nil {
		return err
	}

	// Places, as Validate names them, for the store's own checks.
	places := make([]graph.Place, len(b.Nodes))
	perKind := map[graph.Kind]int{}
	for i, n := range b.Nodes {
		places[i] = graph.Place{Section: n.NodeKind().Section(), Index: perKind[n.NodeKind()]}
		perKind[n.NodeKind()]++
	}

	// Resolve or allocate the id of every node of the batch.
	w.ids = make(map[string]uint64, len(b.Nodes))
	w.counters = map[graph.Kind]uint64{}
	first := make([]bool, len(b.Nodes)) // the first record of each key
	for i, n := range b.Nodes {
		key := n.NodeKey()
		if _, dup := w.ids[key]; dup {
			w.problem(places[i], key, "key", graph.CodeDuplicate, "key %q is used twice in the batch", key)
			continue
		}
		id, found, err := w.rd.id(ctx, key)
		if err != nil {
			return err
		}
		if found && idKind(id) != n.NodeKind() {
			w.problem(places[i], key, "key", graph.CodeKindChange, "key %q is stored as a %v, not a %v", key, idKind(id), n.NodeKind())
			continue
		}
		if !found {
			if id, err = w.allocate(ctx, n.NodeKind()); err != nil {
				return err
			}
		}
		first[i] = true
		w.ids[key] = id
	}
	// Links are checked before anything is staged.
	type linkPlan struct {
		l        graph.Link
		from, to uint64
		code     byte
	}
	plans := make([]linkPlan, 0, len(b.Links))
	seenLinks := map[[3]string]bool{}
	for i, l := range b.Links {
		p := graph.Place{Section: "links", Index: i}
		code, ok := relCodes[l.Relation]
		if !ok || code < firstLinkCode {
			w.problem(p, "", "relation", graph.CodeEnum, "%q is not a link relation", l.Relation)
			continue
		}
		id3 := [3]string{l.From, string(l.Relation), l.To}
		if seenLinks[id3] {
			w.problem(p, "", "", graph.CodeDuplicate, "link %s -%s-> %s appears twice", l.From, l.Relation, l.To)
			continue
		}
		seenLinks[id3] = true
		from, err := w.resolve(ctx, p, "", "from", l.From)
		if err != nil {
			return err
		}
		to, err := w.resolve(ctx, p, "", "to", l.To)
		if err != nil {
			return err
		}
		plans = append(plans, linkPlan{l, from, to, code})
	}

	// Nodes.
	type nodePlan struct {
		n    graph.Node
		id   uint64
		refs entries
	}
	nodes := make([]nodePlan, 0, len(b.Nodes))
	for i, n := range b.Nodes {
		if !first[i] {
			continue
		}
		id := w.ids[n.NodeKey()]
		refs, err := w.refEntries(ctx, places[i], n, id)
		if err != nil {
			return err
		}
		nodes = append(nodes, nodePlan{n, id, refs})
	}
	if len(w.problems) > 0 {
		return &graph.ValidationError{Problems: w.problems}
	}
	for _, p := range nodes {
		ch, err := w.putNode(ctx, p.n, p.id, p.refs)
		if err != nil {
			return err
		}
		k := p.n.NodeKind()
		kc := w.res.ByKind[k]
		count(&kc, ch)
		w.res.ByKind[k] = kc
		count(&w.res.Nodes, ch)
	}
	for _, p := range plans {
		ch, err := w.putLink(ctx, p.l, p.from, p.to, p.code)
		if err != nil {
			return err
		}
		count(&w.res.Links, ch)
	}
	for k, c := range w.counters {
		if err := w.set(counterKey(k), encodeUint64(c)); err != nil {
			return err
		}
	}
	if w.wrote {
		if _, err := w.rd.kv.Get(ctx, metaLayoutKey); errors.Is(err, ErrKeyNotFound) {
			if err := w.set(metaLayoutKey, []byte{layoutVersion}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// change is what a write did to one record.
type change uint8

const (
	added change = iota
	changed
	unchanged
)

func count(c *graph.Counts, ch change) {
	switch ch {
	case added:
		c.Added++
	case changed:
		c.Changed++
	default:
		c.Unchanged++
	}
}

// allocate returns a new id of kind k from the kind's counter, read once
// per batch and written back at its end.
func (w *writer) allocate(ctx context.Context, k graph.Kind) (uint64, error) {
	c, ok := w.counters[k]
	if !ok {
		v, err := w.rd.kv.Get(ctx, counterKey(k))
		switch {
		case errors.Is(err, ErrKeyNotFound):
		case err != nil:
			return 0, err
		default:
			if c, err = decodeUint64(v); err != nil {
				return 0, err
			}
		}
	}
	c++
	if c >= 1<<56 {
		return 0, fmt.Errorf("store: ids of kind %v exhausted", k)
	}
	w.counters[k] = c
	return makeID(k, c), nil
}

// resolve returns the id of a referenced key: a node of the batch or of the
// store. A missing key is recorded as a problem and yields 0.
func (w *writer) resolve(ctx context.Context, p graph.Place, from, field, key string) (uint64, error) {
	if id, ok := w.ids[key]; ok {
		return id, nil
	}
	id, found, err := w.rd.id(ctx, key)
	if err != nil {
		return 0, err
	}
	if !found {
		w.problem(p, from, field, graph.CodeDangling, "%q refers to no record of the batch or the store", key)
		return 0, nil
	}
	return id, nil
}

// refEntries returns the adjacency keys of a node's reference fields, both
// directions. A node that refers to the same target twice through one
// relation (two affiliations with one organisation) has one edge, with the
// first qualifier.
func (w *writer) refEntries(ctx context.Context, p graph.Place, n graph.Node, id uint64) (entries, error) {
	es := entries{}
	key := n.NodeKey()
	for _, r := range n.Refs() {
		code, ok := relCodes[r.Relation]
		if !ok || code >= firstLinkCode {
			w.problem(p, key, r.Field, graph.CodeEnum, "unknown reference relation %q", r.Relation)
			continue
		}
		to, err := w.resolve(ctx, p, key, r.Field, r.To)
		if err != nil {
			return nil, err
		}
		if to == 0 {
			continue
		}
		out := string(adjKey(famOut, id, code, to))
		if _, dup := es[out]; dup {
			continue
		}
		es[out] = encodeEdge(edgeValue{Other: r.To, Qualifier: r.Qualifier})
		es[string(adjKey(famIn, to, code, id))] = encodeEdge(edgeValue{Other: key, Qualifier: r.Qualifier})
	}
	return es, nil
}

// storedRefEntries reads the reference-field edges stored for a node.
func (w *writer) storedRefEntries(ctx context.Context, key string, id uint64) (entries, error) {
	es := entries{}
	err := w.rd.kv.Scan(ctx, Range{Prefix: adjPrefix(graph.Out, id), End: adjKey(famOut, id, firstLinkCode, 0)}, func(k, v []byte) error {
		_, _, code, to, err := parseAdjKey(k)
		if err != nil {
			return err
		}
		ev, err := decodeEdge(v)
		if err != nil {
			return err
		}
		es[string(k)] = encodeEdge(ev)
		es[string(adjKey(famIn, to, code, id))] = encodeEdge(edgeValue{Other: key, Qualifier: ev.Qualifier})
		return nil
	})
	return es, err
}

// indexEntries returns the secondary index keys of a node.
func indexEntries(n graph.Node, id uint64) entries {
	es := entries{}
	key := []byte(n.NodeKey())
	names := func(name string, aliases []string) {
		for _, v := range append([]string{name}, aliases...) {
			if f := fold.Name(v); f != "" && len(f) <= maxIndexedValue {
				es[string(exactKey(idxName, f, id))] = key
			}
		}
	}
	date := func(idx byte, v string) {
		if t, ok := parseDate(v); ok && v != "" {
			es[string(dateKey(idx, t, id))] = key
		}
	}
	switch n := n.(type) {
	case *graph.Person:
		names(n.Name, n.Aliases)
	case *graph.Organisation:
		names(n.Name, n.Aliases)
	case *graph.Source:
		if n.URL != "" && len(n.URL) <= maxIndexedValue {
			es[string(exactKey(idxURL, n.URL, id))] = key
		}
		date(idxPublishedAt, n.PublishedAt)
	case *graph.Quote:
		date(idxSaidAt, n.SaidAt)
		for _, tri := range trigrams(fold.Text(n.Text)) {
			es[string(trigramKey(tri, id))] = []byte{}
		}
	}
	return es
}

// putNode writes a node whose id is known: an identical record writes
// nothing; a changed one rewrites the record and the index and adjacency
// keys that differ.
func (w *writer) putNode(ctx context.Context, n graph.Node, id uint64, refs entries) (change, error) {
	rec, err := encodeNode(n)
	if err != nil {
		return 0, err
	}
	old, err := w.rd.kv.Get(ctx, nodeKey(id))
	if err != nil && !errors.Is(err, ErrKeyNotFound) {
		return 0, err
	}
	newEntries := indexEntries(n, id)
	for k, v := range refs {
		newEntries[k] = v
	}
	if errors.Is(err, ErrKeyNotFound) {
		key := n.NodeKey()
		for _, kv := range [][2][]byte{
			{keyIndexKey(key), encodeUint64(id)},
			{kindListKey(n.NodeKind(), key), {}},
			{nodeKey(id), rec},
		} {
			if err := w.set(kv[0], kv[1]); err != nil {
				return 0, err
			}
		}
		for k, v := range newEntries {
			if err := w.set([]byte(k), v); err != nil {
				return 0, err
			}
		}
		return added, nil
	}
	if sameBytes(old, rec) {
		return unchanged, nil
	}
	prev, err := decodeNode(old)
	if err != nil {
		return 0, err
	}
	oldEntries := indexEntries(prev, id)
	stored, err := w.storedRefEntries(ctx, n.NodeKey(), id)
	if err != nil {
		return 0, err
	}
	for k, v := range stored {
		oldEntries[k] = v
	}
	if err := w.set(nodeKey(id), rec); err != nil {
		return 0, err
	}
	for k := range oldEntries {
		if _, keep := newEntries[k]; !keep {
			if err := w.del([]byte(k)); err != nil {
				return 0, err
			}
		}
	}
	for k, v := range newEntries {
		if ov, ok := oldEntries[k]; !ok || !sameBytes(ov, v) {
			if err := w.set([]byte(k), v); err != nil {
				return 0, err
			}
		}
	}
	return changed, nil
}

// putLink writes a link as two adjacency keys; a link with the same
// attributes as the stored one writes nothing.
func (w *writer) putLink(ctx context.Context, l graph.Link, from, to uint64, code byte) (change, error) {
	out := adjKey(famOut, from, code, to)
	val := encodeEdge(edgeValue{Other: l.To, Reason: l.Reason, Note: l.Note, By: l.By, At: l.At})
	old, err := w.rd.kv.Get(ctx, out)
	ch := changed
	switch {
	case errors.Is(err, ErrKeyNotFound):
		ch = added
	case err != nil:
		return 0, err
	case sameBytes(old, val):
		return unchanged, nil
	}
	if err := w.set(out, val); err != nil {
		return 0, err
	}
	mirror := encodeEdge(edgeValue{Other: l.From, Reason: l.Reason, Note: l.Note, By: l.By, At: l.At})
	if err := w.set(adjKey(famIn, to, code, from), mirror); err != nil {
		return 0, err
	}
	return ch, nil
}
