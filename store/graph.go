package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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

	noHistory bool // benchmarks only: write no revisions

	postings *postingCaches // decoded long posting lists (postcache.go)
	// flags are the state flags of the newest commit a snapshot of the
	// latest state read (stateFlags).
	flags atomic.Pointer[stateFlags]

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
	s.noHistory = opt.noHistory
	s.postings = newPostingCaches(opt.PostingCacheSize, opt.postingMinBlocks)
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
	case len(v) != 1 || v[0] < 1 || v[0] > layoutVersion:
		return nil, fmt.Errorf("store: the data uses key layout %x; this version reads layouts 1 to %d", v, layoutVersion)
	case v[0] < layoutVersion:
		if err := migrate(ctx, kv, v[0], log); err != nil {
			return nil, err
		}
	}
	// The live counts of a store written before them. They only spare
	// readers a count, so an engine that takes no writes (a read-only
	// PostgreSQL engine, a standby) opens without them.
	ro, _ := kv.(interface{ ReadOnly() bool })
	if err == nil && (ro == nil || !ro.ReadOnly()) {
		missing, err := liveCountsMissing(ctx, snap)
		if err != nil {
			return nil, err
		}
		if missing {
			if _, err := writeMissingLiveCounts(ctx, kv, log); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				log.Warn().Err(err).Msg("store: could not write the live counts; readers count the keys instead")
			}
		}
	}
	return &Store{kv: kv, log: log, postings: newPostingCaches(0, 0)}, nil
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
// last commit at or before at, that is the snapshot at commit timestamp
// at.UnixNano() (graph.AsOfNanos), with the history, retractions and merges
// of that state. An instant before the first commit reads an empty graph.
func (s *Store) ViewAt(ctx context.Context, at time.Time, fn func(graph.Reader) error) error {
	return s.view(ctx, uint64(graph.AsOfNanos(at)), fn)
}

func (s *Store) view(ctx context.Context, ts uint64, fn func(graph.Reader) error) error {
	snap, err := s.kv.Snapshot(ctx, ts)
	if err != nil {
		return err
	}
	defer snap.Close()
	r := newReader(snap)
	r.historical = ts != 0
	r.past = s.kv.Snapshot
	r.postings = s.postings.at(snap.ReadTs())
	if ts == 0 {
		r.flags = s.stateFlags(snap.ReadTs())
	}
	return fn(r)
}

// stateFlags returns the state flags shared by the snapshots of the latest
// state at commit ts: the newest commit's, started afresh when a newer
// commit is read. A snapshot of an older commit (one that began before the
// last commit) gets flags of its own. A snapshot as of an earlier time
// (ViewAt) never shares: its answers depend on its being historical.
func (s *Store) stateFlags(ts uint64) *stateFlags {
	f, ok := atCommit(&s.flags, ts, func(f *stateFlags) uint64 { return f.ts }, func() *stateFlags { return &stateFlags{ts: ts} })
	if !ok {
		return &stateFlags{}
	}
	return f
}

// atCommit returns what slot holds for the state at commit ts (the read
// cache, the posting cache, the state flags: each kept for the newest
// commit read): the value there when it is ts's, else a new one made by mk
// and put in its place when the one there is older or there is none. ok
// is false, and nothing is made, when the slot holds a newer commit's.
func atCommit[T any](slot *atomic.Pointer[T], ts uint64, tsOf func(*T) uint64, mk func() *T) (v *T, ok bool) {
	for {
		c := slot.Load()
		if c != nil {
			switch t := tsOf(c); {
			case t == ts:
				return c, true
			case t > ts:
				return nil, false
			}
		}
		if n := mk(); slot.CompareAndSwap(c, n) {
			return n, true
		}
	}
}

// commitTime converts a commit timestamp to a time.
func commitTime(ts uint64) time.Time { return time.Unix(0, int64(ts)).UTC() }

const maxApplyAttempts = 5

// Apply implements graph.Writer. Inside the engine's serialised writer the
// batch's Expected revisions are checked (a stale one returns a
// *graph.ConflictError and writes nothing), the batch is validated against
// the current state (graph.Validate, graph.ValidateCuration), completed
// (graph.Prepare) and written in one commit with its revisions; records
// equal to what is stored are not rewritten, and a batch that changes
// nothing commits nothing (ApplyResult.Rev 0). A commit that loses a race
// (graph.ErrConflict from the engine, possible with engines that run
// writers concurrently) is retried with jittered backoff.
func (s *Store) Apply(ctx context.Context, b *graph.Batch) (graph.ApplyResult, error) {
	if b == nil {
		b = &graph.Batch{}
	}
	var bundle *graph.Bundle
	var err error
	if b.Bulk {
		bundle, err = adoptBatch(b)
	} else {
		bundle, err = cloneBatch(b)
	}
	if err != nil {
		return graph.ApplyResult{}, err
	}
	for attempt := 1; ; attempt++ {
		var res graph.ApplyResult
		ts, err := s.kv.Update(ctx, func(tx Txn) error {
			res = graph.ApplyResult{ByKind: map[graph.Kind]graph.Counts{}}
			w := newWriter(tx, &res, b, s.noHistory)
			res.Base = int64(w.rd.kv.ReadTs())
			return w.apply(ctx, bundle, b)
		})
		var stale *graph.ConflictError
		if errors.Is(err, graph.ErrConflict) && !errors.As(err, &stale) && attempt < maxApplyAttempts {
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
		if ts != 0 {
			res.Rev = int64(ts)
		} else {
			res.Revisions = nil
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

// adoptBatch is cloneBatch for a Bulk batch: the bundle holds the
// batch's own records, checked as cloneBatch checks them.
func adoptBatch(b *graph.Batch) (*graph.Bundle, error) {
	for i, n := range b.Nodes {
		if err := checkBatchNode(n, i); err != nil {
			return nil, err
		}
	}
	return &graph.Bundle{Nodes: b.Nodes, Links: slices.Clone(b.Links)}, nil
}

// cloneBatch copies the batch's records into a bundle, since Prepare fills
// fields in place and the caller keeps its batch. Large batches are copied
// on every core.
func cloneBatch(b *graph.Batch) (*graph.Bundle, error) {
	bundle := &graph.Bundle{Nodes: make([]graph.Node, len(b.Nodes)), Links: slices.Clone(b.Links)}
	const chunk = 4096
	parts := (len(b.Nodes) + chunk - 1) / chunk
	errs := make([]error, parts)
	copyPart := func(p int) {
		for i := p * chunk; i < min(len(b.Nodes), (p+1)*chunk); i++ {
			c, err := cloneBatchNode(b.Nodes[i], i)
			if err != nil {
				errs[p] = err
				return
			}
			bundle.Nodes[i] = c
		}
	}
	if parts <= 1 {
		for p := range parts {
			copyPart(p)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(parts, runtime.GOMAXPROCS(0)) {
			wg.Go(func() {
				for p := int(next.Add(1) - 1); p < parts; p = int(next.Add(1) - 1) {
					copyPart(p)
				}
			})
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return bundle, nil
}

// cloneBatchNode copies record i of a batch through its bundle JSON.
// checkBatchNode refuses a nil record, or one of no known kind, at index i.
func checkBatchNode(n graph.Node, i int) error {
	if n == nil || graph.NewNode(n.NodeKind()) == nil {
		return &graph.ValidationError{Problems: []graph.Problem{{
			Place: graph.Place{Section: "nodes", Index: i}, Code: graph.CodeRequired, Message: "nil or unknown node"}}}
	}
	return nil
}

func cloneBatchNode(n graph.Node, i int) (graph.Node, error) {
	if err := checkBatchNode(n, i); err != nil {
		return nil, err
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
	return c, nil
}

// writer applies one batch inside a KV transaction.
type writer struct {
	tx        Txn
	rd        *reader
	res       *graph.ApplyResult
	noHistory bool
	// countsOnly leaves res.Revisions empty (graph.Batch.Bulk).
	countsOnly bool
	// ctx is the batch's context, for the reads of set and del.
	ctx context.Context

	ts       uint64    // the commit timestamp
	at       time.Time // the same instant
	by, note string

	ids      map[string]uint64 // batch node key -> id
	counters map[graph.Kind]uint64
	firstNew map[graph.Kind]uint64 // the first counter of each kind allocated by this batch
	// live is the change of each kind's number of nodes in the batch
	// (list keys set for new nodes, deleted for merged ones), written to
	// the live count keys at its end (flushLiveCounts).
	live map[graph.Kind]int
	// edgeDelta and linkDelta are the batch's change of the number of out
	// adjacency keys and of links among them (flushLiveCounts); outState
	// says whether each out key the batch wrote through set or del
	// exists after those writes (a new node's keys, which cannot exist
	// before, are counted where they are written and not kept here).
	edgeDelta, linkDelta int
	outState             map[string]bool
	problems             []graph.Problem
	wrote                bool

	hasMerges    *bool                        // whether the store holds merged keys; nil until read
	canonKeys    map[string]string            // key -> the key it resolves to
	seq          map[uint64]uint32            // next history sequence number of each id
	revised      []uint64                     // ids with a revision, in order
	records      map[uint64][]byte            // bundle JSON of the node records this batch writes
	links        map[string]edgeValue         // out edges of the links this batch writes
	retractedIDs map[uint64]bool              // nodes this batch retracts
	searchStats  map[graph.SearchField][2]int // changes to the search statistics (docs, words)
	facet        *facetWriter                 // facet bookkeeping of the batch (facet.go)
	postings     *postingWrites               // logical posting writes, blocked at the end (postings.go)
	facetW       *facetWrites                 // logical facet writes, blocked at the end (facetblocks.go)
	curating     bool                         // the batch unlinks or retracts: keep records and links
	// sharedTs: earlier batches committed at the same timestamp (an
	// import's, store.Import), so a node they revised may hold history
	// keys at it already.
	sharedTs bool
}

func newWriter(tx Txn, res *graph.ApplyResult, b *graph.Batch, noHistory bool) *writer {
	ts := tx.CommitTs()
	return &writer{tx: tx, rd: newReader(tx), res: res, noHistory: noHistory,
		ts: ts, at: commitTime(ts), by: b.By, note: b.Note,
		ids: map[string]uint64{}, counters: map[graph.Kind]uint64{}, firstNew: map[graph.Kind]uint64{}, live: map[graph.Kind]int{},
		canonKeys: map[string]string{}, seq: map[uint64]uint32{}, ctx: context.Background(), outState: map[string]bool{},
		records: map[uint64][]byte{}, links: map[string]edgeValue{}, retractedIDs: map[uint64]bool{},
		curating: len(b.Unlinks)+len(b.Retracts) > 0, countsOnly: b.Bulk, sharedTs: sharesCommit(tx)}
}

// entries maps keys to values: the index and adjacency keys a node owns.
type entries map[string][]byte

func (w *writer) set(k, v []byte) error {
	w.wrote = true
	if n := postingKeyPrefix(k); n > 0 {
		w.stagePosting(k, n, v)
		return nil
	}
	if n := facetListPrefix(k); n > 0 {
		w.stageFacet(k, n, false)
		return nil
	}
	if err := w.noteOut(k, true); err != nil {
		return err
	}
	return w.tx.Set(k, v)
}

// noteOut counts a write of key k when it is an out adjacency key: a set
// (exists true) of a key that did not exist adds an edge, a delete of one
// that did removes it, and likewise a link.
func (w *writer) noteOut(k []byte, exists bool) error {
	if len(k) != adjKeyLen || k[0] != famOut {
		return nil
	}
	before, ok := w.outState[string(k)]
	if !ok {
		_, err := w.rd.kv.Get(w.ctx, k)
		switch {
		case err == nil:
			before = true
		case !errors.Is(err, ErrKeyNotFound):
			return err
		}
	}
	w.outState[string(k)] = exists
	if before != exists {
		w.countEdge(k, exists)
	}
	return nil
}

// countEdge adds (or removes) the out adjacency key k to the batch's
// change of the edge and link counts.
func (w *writer) countEdge(k []byte, add bool) {
	d := 1
	if !add {
		d = -1
	}
	w.edgeDelta += d
	if k[9] >= firstLinkCode {
		w.linkDelta += d
	}
}

// setKeyed is set for an entry whose posting prefix is known.
func (w *writer) setKeyed(e keyed) error {
	w.wrote = true
	if e.posting > 0 {
		w.stagePosting(e.k, e.posting, e.v)
		return nil
	}
	if e.facet > 0 {
		w.stageFacet(e.k, e.facet, false)
		return nil
	}
	return w.tx.Set(e.k, e.v)
}

func (w *writer) del(k []byte) error {
	w.wrote = true
	if n := postingKeyPrefix(k); n > 0 {
		w.stagePosting(k, n, nil)
		return nil
	}
	if n := facetListPrefix(k); n > 0 {
		w.stageFacet(k, n, true)
		return nil
	}
	if err := w.noteOut(k, false); err != nil {
		return err
	}
	return w.tx.Delete(k)
}

func (w *writer) problem(p graph.Place, key, field, code, format string, args ...any) {
	w.problems = append(w.problems, graph.Problem{Place: p, Key: key, Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// validate runs graph.Validate on the records (unless the caller validated
// them against this very state: graph.Batch.Validated) and
// graph.ValidateCuration on the curation operations, and reports the
// problems of both in one *graph.ValidationError.
func (w *writer) validate(ctx context.Context, b *graph.Bundle, batch *graph.Batch) error {
	var err error
	if !batch.Validated || uint64(batch.ValidatedAt) != w.rd.kv.ReadTs() {
		err = graph.Validate(ctx, b, w.rd)
	}
	var ve *graph.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	cps, cerr := graph.ValidateCuration(ctx, batch, w.rd)
	if cerr != nil {
		return cerr
	}
	if ve == nil && len(cps) == 0 {
		return nil
	}
	var all []graph.Problem
	if ve != nil {
		all = append(all, ve.Problems...)
	}
	return &graph.ValidationError{Problems: append(all, cps...)}
}

// foldRec is a record of the batch whose key was merged into another node.
type foldRec struct {
	i    int    // index in the batch
	into string // the key it resolves to
}

func (w *writer) apply(ctx context.Context, b *graph.Bundle, batch *graph.Batch) error {
	w.ctx = ctx
	if err := graph.CheckExpected(ctx, batch.Expected, w.rd); err != nil {
		return err
	}
	if err := w.validate(ctx, b, batch); err != nil {
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

	// Resolve or allocate the id of every node of the batch. Records under
	// a merged key are folded into the node it resolves to.
	first := make([]bool, len(b.Nodes)) // the first record of each key
	var folds []foldRec
	for i, n := range b.Nodes {
		key := n.NodeKey()
		if _, dup := w.ids[key]; dup {
			w.problem(places[i], key, "key", graph.CodeDuplicate, "key %q is used twice in the batch", key)
			continue
		}
		id, found, err := w.storedID(ctx, key)
		if err != nil {
			return err
		}
		if found && idKind(id) != n.NodeKind() {
			w.problem(places[i], key, "key", graph.CodeKindChange, "key %q is stored as a %v, not a %v", key, idKind(id), n.NodeKind())
			continue
		}
		if found {
			ck, err := w.canon(ctx, key)
			if err != nil {
				return err
			}
			if ck != key {
				folds = append(folds, foldRec{i, ck})
				continue
			}
		}
		if !found {
			if id, err = w.allocate(ctx, n.NodeKind()); err != nil {
				return err
			}
		}
		first[i] = true
		w.ids[key] = id
	}
	extra, err := w.folds(ctx, b, first, folds)
	if err != nil {
		return err
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
		from, err := w.resolve(ctx, p, "", "from", l.From)
		if err != nil {
			return err
		}
		to, err := w.resolve(ctx, p, "", "to", l.To)
		if err != nil {
			return err
		}
		if l.From, err = w.canon(ctx, l.From); err != nil {
			return err
		}
		if l.To, err = w.canon(ctx, l.To); err != nil {
			return err
		}
		// Validate refused a link written twice; two links that name
		// one link through a merged key count as one, the first.
		id3 := [3]string{l.From, string(l.Relation), l.To}
		if seenLinks[id3] {
			count(&w.res.Links, unchanged)
			continue
		}
		seenLinks[id3] = true
		if from != 0 && from == to {
			// Both ends were merged into one node: the merge dropped
			// this link, and writing it again would link a node to
			// itself.
			count(&w.res.Links, unchanged)
			continue
		}
		plans = append(plans, linkPlan{l, from, to, code})
	}

	// Nodes. In a store without merged keys, the reference edges are
	// found on the ahead goroutines with the rest (preparedNode.problems).
	merges, err := w.storeHasMerges(ctx)
	if err != nil {
		return err
	}
	type nodePlan struct {
		n        graph.Node
		id       uint64
		refs     entries
		place    graph.Place
		lateRefs bool // refs found by prepare
		extra    bool // a stored node changed by a fold, not a record of the batch
	}
	nodes := make([]nodePlan, 0, len(b.Nodes)+len(extra))
	for i, n := range b.Nodes {
		if !first[i] {
			continue
		}
		id := w.ids[n.NodeKey()]
		if !merges {
			nodes = append(nodes, nodePlan{n: n, id: id, place: places[i], lateRefs: true})
			continue
		}
		refs, err := w.refEntries(ctx, places[i], n, id)
		if err != nil {
			return err
		}
		nodes = append(nodes, nodePlan{n: n, id: id, refs: refs, place: places[i]})
	}
	for _, e := range extra {
		refs, err := w.refEntries(ctx, graph.Place{}, e.n, e.id)
		if err != nil {
			return err
		}
		nodes = append(nodes, nodePlan{n: e.n, id: e.id, refs: refs, extra: true})
	}
	if len(w.problems) > 0 && merges {
		return &graph.ValidationError{Problems: w.problems}
	}
	// (Without merges, the loop below lists the nodes' problems after
	// these, and the batch fails after it.)
	for _, p := range nodes {
		w.noteBatchNode(p.n)
	}
	// Records, index entries and creation revisions are prepared on the
	// other cores while this loop writes them in order.
	base := graph.Revision{Rev: int64(w.ts), At: w.at, By: w.by, Note: w.note}
	var fr *batchFacets
	if !merges {
		pubs, err := w.citedPublishers(ctx, len(nodes), func(i int) graph.Node { return nodes[i].n })
		if err != nil {
			return err
		}
		fr = &batchFacets{sources: w.facets().sources, publishers: pubs}
	}
	pre := newAhead(len(nodes), func(i int) preparedNode {
		np := &nodes[i]
		refs := np.refs
		if np.lateRefs {
			var problems []graph.Problem
			var err error
			refs, err = w.refEntriesWith(ctx, np.place, np.n, np.id, func(p graph.Place, key, field, code, format string, args ...any) {
				problems = append(problems, graph.Problem{Place: p, Key: key, Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
			})
			if err != nil || len(problems) > 0 {
				return preparedNode{err: err, problems: problems}
			}
		}
		return prepareNode(ctx, np.n, np.id, refs, base, !w.noHistory, fr)
	})
	defer pre.stop()
	if !w.noHistory {
		// Growing a slice of revisions by doubling copied each twice.
		if !w.countsOnly {
			w.res.Revisions = slices.Grow(w.res.Revisions, len(nodes)+len(plans))
		}
		w.revised = slices.Grow(w.revised, len(nodes))
	}
	for i, p := range nodes {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return err // an interrupted import writes nothing
			}
		}
		pn := pre.get(i)
		nodes[i].refs = nil // prepared into pn; its memory goes with pn's
		if len(pn.problems) > 0 || len(w.problems) > 0 {
			// Nothing is written: the batch fails once every node's
			// problems are listed.
			w.problems = append(w.problems, pn.problems...)
			continue
		}
		ch, before, after, err := w.putPrepared(ctx, p.n, p.id, &pn)
		if err != nil {
			return err
		}
		switch ch {
		case added:
			w.recordEncoded(p.id, graph.Revision{Change: graph.ChangeCreated, Key: p.n.NodeKey(), After: after}, pn.created)
		case changed:
			w.record(p.id, graph.Revision{Change: graph.ChangeUpdated, Key: p.n.NodeKey(), Before: before, After: after})
		}
		if p.extra {
			continue
		}
		k := p.n.NodeKind()
		kc := w.res.ByKind[k]
		count(&kc, ch)
		w.res.ByKind[k] = kc
		count(&w.res.Nodes, ch)
	}
	if len(w.problems) > 0 {
		return &graph.ValidationError{Problems: w.problems}
	}
	for _, p := range plans {
		ch, err := w.putLink(ctx, p.l, p.from, p.to, p.code)
		if err != nil {
			return err
		}
		count(&w.res.Links, ch)
	}
	if err := w.unlinks(ctx, batch.Unlinks); err != nil {
		return err
	}
	if err := w.retracts(ctx, batch.Retracts); err != nil {
		return err
	}
	for _, m := range batch.Merges {
		if err := w.merge(ctx, m); err != nil {
			return err
		}
	}
	if err := w.refreshFacets(ctx); err != nil {
		return err
	}
	if err := w.flushFacets(ctx); err != nil {
		return err
	}
	if err := w.flushSearchStats(ctx); err != nil {
		return err
	}
	for k, c := range w.counters {
		if err := w.set(counterKey(k), encodeUint64(c)); err != nil {
			return err
		}
	}
	if err := w.flushLiveCounts(ctx); err != nil {
		return err
	}
	if !w.noHistory {
		rev := encodeUint64(w.ts)
		for _, id := range w.revised {
			if err := w.set(latestKey(id), rev); err != nil {
				return err
			}
		}
	}
	if w.wrote {
		v, err := w.rd.kv.Get(ctx, metaLayoutKey)
		if errors.Is(err, ErrKeyNotFound) || (err == nil && (len(v) != 1 || v[0] != layoutVersion)) {
			if err := w.set(metaLayoutKey, []byte{layoutVersion}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// extraNode is a stored node that folds changed.
type extraNode struct {
	n  graph.Node
	id uint64
}

// folds folds each record of the batch whose key was merged into the node
// its key resolves to (graph.MergeInto): into the batch's record of that
// node when the batch has one, else into the stored record, which is then
// returned to be written. A folded record counts as changed when it changed
// that node.
func (w *writer) folds(ctx context.Context, b *graph.Bundle, first []bool, folds []foldRec) ([]extraNode, error) {
	if len(folds) == 0 {
		return nil, nil
	}
	inBatch := map[string]graph.Node{}
	for i, n := range b.Nodes {
		if first[i] {
			inBatch[n.NodeKey()] = n
		}
	}
	stored := map[string]*extraNode{}
	changedStored := map[string]bool{}
	var order []string
	for _, f := range folds {
		rec := b.Nodes[f.i]
		into, ok := inBatch[f.into]
		if !ok {
			e := stored[f.into]
			if e == nil {
				id, found, err := w.rd.id(ctx, f.into)
				if err != nil {
					return nil, err
				}
				if !found {
					return nil, fmt.Errorf("%w: merged key %q resolves to %q, which has no id", errCorrupt, rec.NodeKey(), f.into)
				}
				n, err := w.rd.nodeByID(ctx, id)
				if err != nil {
					return nil, err
				}
				e = &extraNode{n, id}
				stored[f.into] = e
				order = append(order, f.into)
			}
			into = e.n
		}
		ch := unchanged
		if graph.MergeInto(into, rec) {
			ch = changed
			if !ok {
				changedStored[f.into] = true
			}
		}
		if err := w.dropSelfParent(ctx, into, nil); err != nil {
			return nil, err
		}
		k := rec.NodeKind()
		kc := w.res.ByKind[k]
		count(&kc, ch)
		w.res.ByKind[k] = kc
		count(&w.res.Nodes, ch)
	}
	var out []extraNode
	for _, k := range order {
		if changedStored[k] {
			out = append(out, *stored[k])
		}
	}
	return out, nil
}

// dropSelfParent clears the parent of an organisation when it resolves to
// the organisation itself or to one of the keys in set (which are being
// merged into it).
func (w *writer) dropSelfParent(ctx context.Context, n graph.Node, set map[string]bool) error {
	o, ok := n.(*graph.Organisation)
	if !ok || o.Parent == "" {
		return nil
	}
	ck, err := w.canon(ctx, o.Parent)
	if err != nil {
		return err
	}
	if ck == o.Key || set[o.Parent] || set[ck] {
		o.Parent = ""
	}
	return nil
}

// canon returns the key that key resolves to: itself, or the node it was
// merged into. Stores that never merged skip the lookup.
func (w *writer) canon(ctx context.Context, key string) (string, error) {
	merges, err := w.storeHasMerges(ctx)
	if err != nil {
		return "", err
	}
	if !merges || key == "" {
		return key, nil
	}
	if ck, ok := w.canonKeys[key]; ok {
		return ck, nil
	}
	ck := key
	v, err := w.rd.kv.Get(ctx, mergedKey(key))
	switch {
	case errors.Is(err, ErrKeyNotFound):
	case err != nil:
		return "", err
	default:
		if _, ck, err = decodeMerged(v); err != nil {
			return "", err
		}
	}
	w.canonKeys[key] = ck
	return ck, nil
}

// storeHasMerges reports whether the store holds merged keys (read once
// per batch).
func (w *writer) storeHasMerges(ctx context.Context) (bool, error) {
	if w.hasMerges == nil {
		any, err := hasMerges(ctx, w.rd.kv)
		if err != nil {
			return false, err
		}
		w.hasMerges = &any
	}
	return *w.hasMerges, nil
}

// record stamps a revision with the commit, adds it to the result and
// stages its history key.
func (w *writer) record(id uint64, rev graph.Revision) {
	w.recordEncoded(id, rev, nil)
}

// recordEncoded is record with the revision's history value already
// encoded (nil: encoded here).
func (w *writer) recordEncoded(id uint64, rev graph.Revision, enc []byte) {
	if w.noHistory {
		return
	}
	rev.Rev, rev.At, rev.By = int64(w.ts), w.at, w.by
	if rev.Note == "" {
		rev.Note = w.note
	}
	if enc == nil {
		enc = encodeRevision(rev)
	}
	if !w.countsOnly {
		w.res.Revisions = append(w.res.Revisions, rev)
	}
	seq, ok := w.seq[id]
	if !ok {
		w.revised = append(w.revised, id)
		if w.sharedTs && !w.allocated(id) {
			seq = w.nextHistSeq(id)
		}
	}
	w.seq[id] = seq + 1
	w.wrote = true
	// Errors of Set are those of a reserved key, which a history key is not.
	_ = w.tx.Set(histKey(id, w.ts, seq), enc)
}

// citedPublishers reads the publishers of the stored sources that the
// quotes and figures of the batch's nodes cite (a batch after the first of an import,
// a file after the first of a corpus): once each, before the ahead
// goroutines start, so that they compute those nodes' facet columns too
// instead of leaving them to the serial writer.
func (w *writer) citedPublishers(ctx context.Context, count int, node func(i int) graph.Node) (map[string]string, error) {
	fw := w.facets()
	var out map[string]string
	for i := range count {
		var src string
		switch n := node(i).(type) {
		case *graph.Quote:
			src = n.Source
		case *graph.Figure:
			src = n.Source
		}
		if src == "" {
			continue
		}
		if _, ok := fw.sources[src]; ok {
			continue
		}
		if _, ok := out[src]; ok {
			continue
		}
		p, err := w.sourcePublisher(ctx, src)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string]string{}
		}
		out[src] = p
	}
	return out, nil
}

// nextHistSeq returns the next history sequence number of id at the
// commit timestamp, after those an earlier batch of an import wrote
// (sharedTs): point reads from seq 0 up, most often two (the node's
// creation, then nothing), which the runs' bloom filters answer, where a
// scan merged every run.
func (w *writer) nextHistSeq(id uint64) uint32 {
	var seq uint32
	for {
		if _, err := w.rd.kv.Get(w.ctx, histKey(id, w.ts, seq)); err != nil {
			return seq
		}
		seq++
	}
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

// flushLiveCounts writes the live count key of every kind whose number
// of nodes the batch changed: the count at the read snapshot plus the
// batch's change. A store written before live counts existed has no key
// for a kind until a batch changes it; its count is then taken once from
// the kind's list keys (liveCount).
func (w *writer) flushLiveCounts(ctx context.Context) error {
	if w.edgeDelta != 0 || w.linkDelta != 0 {
		e, l, err := edgeCounts(ctx, w.rd.kv)
		if err != nil {
			return err
		}
		e, l = e+w.edgeDelta, l+w.linkDelta
		if e < 0 || l < 0 || l > e {
			return fmt.Errorf("%w: %d edges and %d links after a batch changing them by %d and %d", errCorrupt, e, l, w.edgeDelta, w.linkDelta)
		}
		if err := w.set(liveEdgesKey, encodeUint64(uint64(e))); err != nil {
			return err
		}
		if err := w.set(liveLinksKey, encodeUint64(uint64(l))); err != nil {
			return err
		}
	}
	for _, k := range graph.Kinds {
		d := w.live[k]
		if d == 0 {
			continue
		}
		n, err := liveCount(ctx, w.rd.kv, k)
		if err != nil {
			return err
		}
		if n+d < 0 {
			return fmt.Errorf("%w: %d %v nodes after a batch removing %d of %d", errCorrupt, n+d, k, -d, n)
		}
		if err := w.set(liveCountKey(k), encodeUint64(uint64(n+d))); err != nil {
			return err
		}
	}
	return nil
}

// edgeCounts returns the number of edges and links in a snapshot: its
// edge and link count keys, or, when it has none (written before they
// existed), a count of the out adjacency keys.
func edgeCounts(ctx context.Context, kv KVReader) (edges, links int, err error) {
	ev, eerr := kv.Get(ctx, liveEdgesKey)
	lv, lerr := kv.Get(ctx, liveLinksKey)
	if eerr == nil && lerr == nil {
		e, err := decodeUint64(ev)
		if err != nil {
			return 0, 0, fmt.Errorf("%w: edge count: %v", errCorrupt, err)
		}
		l, err := decodeUint64(lv)
		if err != nil {
			return 0, 0, fmt.Errorf("%w: link count: %v", errCorrupt, err)
		}
		return int(e), int(l), nil
	}
	for _, err := range []error{eerr, lerr} {
		if err != nil && !errors.Is(err, ErrKeyNotFound) {
			return 0, 0, err
		}
	}
	err = kv.Scan(ctx, Range{Prefix: []byte{famOut}, KeysOnly: true}, func(k, _ []byte) error {
		edges++
		if len(k) == adjKeyLen && k[9] >= firstLinkCode {
			links++
		}
		return nil
	})
	return edges, links, err
}

// liveCount returns the number of nodes of kind k in a snapshot: its live
// count key, or, when the snapshot has none (nothing of the kind written
// since live counts exist), a count of the kind's list keys.
func liveCount(ctx context.Context, kv KVReader, k graph.Kind) (int, error) {
	v, err := kv.Get(ctx, liveCountKey(k))
	if errors.Is(err, ErrKeyNotFound) {
		n := 0
		err := kv.Scan(ctx, Range{Prefix: kindListPrefix(k), KeysOnly: true}, func(_, _ []byte) error { n++; return nil })
		return n, err
	}
	if err != nil {
		return 0, err
	}
	c, err := decodeUint64(v)
	if err != nil {
		return 0, fmt.Errorf("%w: live count of %v: %v", errCorrupt, k, err)
	}
	return int(c), nil
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
	if !ok {
		w.firstNew[k] = c
	}
	w.counters[k] = c
	return makeID(k, c), nil
}

// storedID returns the id of a key in the store (not the batch), with no
// read at all when the store holds no key: the first import into a new
// store looks every key of its records up.
func (w *writer) storedID(ctx context.Context, key string) (uint64, bool, error) {
	if has, err := w.rd.hasKeys(ctx); err != nil || !has {
		return 0, false, err
	}
	return w.rd.id(ctx, key)
}

// allocated reports whether this batch allocated id.
func (w *writer) allocated(id uint64) bool {
	f, ok := w.firstNew[idKind(id)]
	return ok && id&(1<<56-1) >= f
}

// resolve returns the id of a referenced key: a node of the batch or of the
// store. A missing key is recorded as a problem and yields 0.
func (w *writer) resolve(ctx context.Context, p graph.Place, from, field, key string) (uint64, error) {
	return w.resolveWith(ctx, p, from, field, key, w.problem)
}

// problemFunc records a problem (writer.problem's signature).
type problemFunc func(p graph.Place, key, field, code, format string, args ...any)

// resolveWith is resolve recording its problem with problem. It reads the
// batch's ids and the store only: with a problem of its own, it is safe on
// several goroutines once the batch's ids are set.
func (w *writer) resolveWith(ctx context.Context, p graph.Place, from, field, key string, problem problemFunc) (uint64, error) {
	if id, ok := w.ids[key]; ok {
		return id, nil
	}
	id, found, err := w.storedID(ctx, key)
	if err != nil {
		return 0, err
	}
	if !found {
		problem(p, from, field, graph.CodeDangling, "%q refers to no record of the batch or the store", key)
		return 0, nil
	}
	return id, nil
}

// refEntries returns the adjacency keys of a node's reference fields, both
// directions. A node that refers to the same target twice through one
// relation (two affiliations with one organisation) has one edge, with the
// first qualifier.
func (w *writer) refEntries(ctx context.Context, p graph.Place, n graph.Node, id uint64) (entries, error) {
	return w.refEntriesWith(ctx, p, n, id, w.problem)
}

// refEntriesWith is refEntries recording its problems with problem: safe on
// several goroutines, as resolveWith, in a store without merged keys (canon
// then reads nothing).
func (w *writer) refEntriesWith(ctx context.Context, p graph.Place, n graph.Node, id uint64, problem problemFunc) (entries, error) {
	es := entries{}
	key := n.NodeKey()
	for _, r := range n.Refs() {
		code, ok := relCodes[r.Relation]
		if !ok || code >= firstLinkCode {
			problem(p, key, r.Field, graph.CodeEnum, "unknown reference relation %q", r.Relation)
			continue
		}
		to, err := w.resolveWith(ctx, p, key, r.Field, r.To, problem)
		if err != nil {
			return nil, err
		}
		if to == 0 || to == id {
			continue // missing, or a merged key that now resolves to the node itself
		}
		out := string(adjKey(famOut, id, code, to))
		if _, dup := es[out]; dup {
			continue
		}
		other, err := w.canon(ctx, r.To)
		if err != nil {
			return nil, err
		}
		es[out] = encodeEdge(edgeValue{Other: other, Qualifier: r.Qualifier})
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
	// Sized for the entries to come, so that the map does not grow by
	// doubling: a quote has about two postings per word of its text.
	hint := 8
	if q, ok := n.(*graph.Quote); ok {
		hint += len(q.Text) / 4
	}
	es := make(entries, hint)
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
	}
	searchEntries(es, n, id)
	return es
}

// putNode writes a node whose id is known: an identical record writes
// nothing; a changed one rewrites the record and the index and adjacency
// keys that differ. It returns the bundle JSON before (nil when added) and
// after.
func (w *writer) putNode(ctx context.Context, n graph.Node, id uint64, refs entries) (change, []byte, []byte, error) {
	p := prepareNode(ctx, n, id, refs, graph.Revision{}, false, nil)
	return w.putPrepared(ctx, n, id, &p)
}

// putPrepared is putNode with the record and entries prepared (p).
func (w *writer) putPrepared(ctx context.Context, n graph.Node, id uint64, p *preparedNode) (change, []byte, []byte, error) {
	if p.err != nil {
		return 0, nil, nil, p.err
	}
	rec := p.rec
	after := rec[2:]
	var old []byte
	getErr := ErrKeyNotFound // an id this batch allocated has no record yet
	if !w.allocated(id) {
		old, getErr = w.rd.kv.Get(ctx, nodeKey(id))
	}
	if getErr != nil && !errors.Is(getErr, ErrKeyNotFound) {
		return 0, nil, nil, getErr
	}
	if errors.Is(getErr, ErrKeyNotFound) {
		facets := p.col
		if !p.colReady {
			var err error
			if facets, err = nodeFacetCol(ctx, n, w); err != nil {
				return 0, nil, nil, err
			}
		}
		if err := w.facetsWritten(ctx, id, nil, facets); err != nil {
			return 0, nil, nil, err
		}
		key := n.NodeKey()
		for _, kv := range [][2][]byte{
			{keyIndexKey(key), encodeUint64(id)},
			{kindListKey(n.NodeKind(), key), {}},
			{nodeKey(id), rec},
		} {
			if err := w.set(kv[0], kv[1]); err != nil {
				return 0, nil, nil, err
			}
		}
		w.live[n.NodeKind()]++
		w.searchLenDelta(nil, p.es[string(searchLenKey(id))])
		for _, e := range p.keys {
			if err := w.setKeyed(e); err != nil {
				return 0, nil, nil, err
			}
			if len(e.k) == adjKeyLen && e.k[0] == famOut {
				w.countEdge(e.k, true) // a new node's: not stored before
			}
		}
		// Facet keys are never postings.
		if p.colReady {
			for _, e := range p.facetKeys {
				if err := w.setKeyed(e); err != nil {
					return 0, nil, nil, err
				}
			}
		} else {
			var serr error
			eachFacetEntry(n.NodeKind(), key, facets, func(k, v []byte) {
				if serr == nil {
					serr = w.setKeyed(keyed{k: k, v: v, facet: facetListPrefix(k)})
				}
			})
			if serr != nil {
				return 0, nil, nil, serr
			}
		}
		if w.curating {
			w.records[id] = after
		}
		return added, nil, after, nil
	}
	newEntries := p.es
	facets, err := w.addNodeFacets(ctx, n, newEntries)
	if err != nil {
		return 0, nil, nil, err
	}
	if sameBytes(old, rec) {
		return unchanged, nil, after, nil
	}
	prev, err := decodeNode(old)
	if err != nil {
		return 0, nil, nil, err
	}
	oldEntries := indexEntries(prev, id)
	stored, err := w.storedRefEntries(ctx, n.NodeKey(), id)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range stored {
		oldEntries[k] = v
	}
	oldFacets, _, err := w.addStoredFacets(ctx, n.NodeKind(), n.NodeKey(), oldEntries)
	if err != nil {
		return 0, nil, nil, err
	}
	if err := w.facetsWritten(ctx, id, &oldFacets, facets); err != nil {
		return 0, nil, nil, err
	}
	lk := searchLenKey(id)
	w.searchLenDelta(oldEntries[string(lk)], newEntries[string(lk)])
	if err := w.set(nodeKey(id), rec); err != nil {
		return 0, nil, nil, err
	}
	for k := range oldEntries {
		if _, keep := newEntries[k]; !keep {
			if err := w.del([]byte(k)); err != nil {
				return 0, nil, nil, err
			}
		}
	}
	for k, v := range newEntries {
		if ov, ok := oldEntries[k]; !ok || !sameBytes(ov, v) {
			if err := w.set([]byte(k), v); err != nil {
				return 0, nil, nil, err
			}
		}
	}
	if w.curating {
		w.records[id] = after
	}
	return changed, old[2:], after, nil
}

// putLink writes a link as two adjacency keys; a link with the same
// attributes as the stored one writes nothing. A link that leaves By or At
// empty is compared with the stored one's, and when new or changed gets
// the batch's By and the commit time. A retraction of the stored link is
// kept.
func (w *writer) putLink(ctx context.Context, l graph.Link, from, to uint64, code byte) (change, error) {
	out := adjKey(famOut, from, code, to)
	old, err := w.rd.kv.Get(ctx, out)
	ch := changed
	var prev edgeValue
	switch {
	case errors.Is(err, ErrKeyNotFound):
		ch = added
	case err != nil:
		return 0, err
	default:
		if prev, err = decodeEdge(old); err != nil {
			return 0, err
		}
		eff := l
		if eff.By == "" {
			eff.By = prev.By
		}
		if eff.At == "" {
			eff.At = prev.At
		}
		if eff.Reason == prev.Reason && eff.Note == prev.Note && eff.By == prev.By && eff.At == prev.At {
			return unchanged, nil
		}
	}
	if l.By == "" {
		l.By = w.by
	}
	if l.At == "" {
		l.At = graph.FormatLinkTime(w.at)
	}
	val := edgeValue{Other: l.To, Reason: l.Reason, Note: l.Note, By: l.By, At: l.At, RAt: prev.RAt, RBy: prev.RBy, RReason: prev.RReason}
	if _, ok := w.outState[string(out)]; !ok {
		w.outState[string(out)] = ch != added // read above: set need not read it again
	}
	if err := w.setLink(out, l.From, val); err != nil {
		return 0, err
	}
	if ch == added {
		lj := linkJSON(l)
		w.record(from, graph.Revision{Change: graph.ChangeLinked, Key: l.From, Link: &l, After: lj})
		w.record(to, graph.Revision{Change: graph.ChangeLinked, Key: l.To, Link: &l, After: lj})
	} else {
		before := prev.link(l.From, l.To, l.Relation)
		w.record(from, graph.Revision{Change: graph.ChangeUpdated, Key: l.From, Link: &l, Before: linkJSON(before), After: linkJSON(l)})
	}
	return ch, nil
}

// setLink stages both adjacency keys of a link from its out key and value.
func (w *writer) setLink(out []byte, fromKey string, val edgeValue) error {
	_, from, code, to, err := parseAdjKey(out)
	if err != nil {
		return err
	}
	if err := w.set(out, encodeEdge(val)); err != nil {
		return err
	}
	mirror := val
	mirror.Other = fromKey
	if err := w.set(adjKey(famIn, to, code, from), encodeEdge(mirror)); err != nil {
		return err
	}
	if w.curating {
		w.links[string(out)] = val
	}
	return nil
}

// linkJSON returns a link's bundle JSON.
func linkJSON(l graph.Link) json.RawMessage {
	b, err := json.Marshal(l)
	if err != nil {
		return nil
	}
	return b
}
