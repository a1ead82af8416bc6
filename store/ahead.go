package store

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"claimgraph/graph"
)

// preparedNode is the part of writing a node that depends on its record
// alone: computed ahead of the writer on the other cores (ahead), so that
// the serial part of a large batch is the bookkeeping only.
type preparedNode struct {
	rec     []byte  // encodeNode
	es      entries // indexEntries with the reference entries added
	keys    []keyed // es's keys as bytes, for a node the store lacks
	created []byte  // history value of the node's creation (encodeRevision)
	err     error
	// problems of the node's reference fields: nothing else is prepared.
	problems []graph.Problem

	// The facet column and keys, when batchFacets could resolve them.
	col       facetCol
	colReady  bool
	facetKeys []keyed
}

// batchFacets resolves the references of facet values without reading the
// store, for the ahead goroutines: valid while the store holds no merged
// keys (a key is its own canonical key) and the batch's sources are known;
// the publisher of a source the batch does not write needs a store read
// (errNeedStore), and the writer then computes the column itself.
type batchFacets struct {
	sources map[string]*graph.Source // the sources the batch writes
	// publishers of stored sources the batch's quotes and figures cite,
	// read before the ahead goroutines start (read-only after)
	publishers map[string]string
}

// errNeedStore reports that a facet value needs a store read.
var errNeedStore = errors.New("store: facet value needs a store read")

func (batchFacets) canonKey(_ context.Context, key string) (string, error) { return key, nil }

func (b batchFacets) sourcePublisher(_ context.Context, source string) (string, error) {
	if s, ok := b.sources[source]; ok {
		return s.Publisher, nil
	}
	if p, ok := b.publishers[source]; ok {
		return p, nil
	}
	return "", errNeedStore
}

// keyed is one entry of a preparedNode with its key as bytes and whether
// it is a search or whoSaid posting (postingKeyPrefix) or a facet entry
// (facetListPrefix).
type keyed struct {
	k       []byte // never written to (it may be a string's bytes)
	v       []byte
	posting int
	facet   int
}

// prepareNode computes the preparedNode of n (id) with reference entries
// refs; rev is the creation revision without its After; fr, when not nil,
// resolves facet values without the store.
func prepareNode(ctx context.Context, n graph.Node, id uint64, refs entries, rev graph.Revision, history bool, fr *batchFacets) preparedNode {
	rec, err := encodeNode(n)
	if err != nil {
		return preparedNode{err: err}
	}
	es := indexEntries(n, id)
	for k, v := range refs {
		es[k] = v
	}
	keys := make([]keyed, 0, len(es))
	for k, v := range es {
		// The key's bytes without a copy: nothing writes to a keyed's
		// key, and the write log and posting lists copy what they keep.
		kb := unsafe.Slice(unsafe.StringData(k), len(k))
		keys = append(keys, keyed{k: kb, v: v, posting: postingKeyPrefix(kb)})
	}
	p := preparedNode{rec: rec, es: es, keys: keys}
	if history {
		rev.Change, rev.Key, rev.After = graph.ChangeCreated, n.NodeKey(), rec[2:]
		p.created = encodeRevision(rev)
	}
	if fr != nil {
		if c, err := nodeFacetCol(ctx, n, *fr); err == nil {
			p.col, p.colReady = c, true
			p.facetKeys = make([]keyed, 0, 12) // a quote has 10
			eachFacetEntry(n.NodeKind(), n.NodeKey(), c, func(k, v []byte) {
				p.facetKeys = append(p.facetKeys, keyed{k: k, v: v, facet: facetListPrefix(k)})
			})
		}
	}
	return p
}

// aheadChunk is how many nodes one claim of ahead prepares.
const aheadChunk = 256

// ahead prepares the nodes of a batch on GOMAXPROCS-1 goroutines while the
// writer consumes them in order; a chunk no goroutine has claimed yet when
// the writer reaches it is prepared by the writer itself, so the writer
// never waits for work that has not started.
type ahead struct {
	n       int
	prepare func(i int) preparedNode
	out     [][]preparedNode // by chunk; a chunk's slice goes once the writer has taken it
	state   []atomic.Bool    // chunk claimed
	done    []chan struct{}  // closed once a claimed chunk is prepared
	next    atomic.Int64     // the next chunk for the goroutines to try
	stopped atomic.Bool
	wg      sync.WaitGroup
}

// newAhead starts preparing n nodes with prepare; batches too small to be
// worth a goroutine are prepared by the writer alone.
func newAhead(n int, prepare func(i int) preparedNode) *ahead {
	chunks := (n + aheadChunk - 1) / aheadChunk
	a := &ahead{n: n, prepare: prepare, out: make([][]preparedNode, chunks),
		state: make([]atomic.Bool, chunks), done: make([]chan struct{}, chunks)}
	for c := range a.done {
		a.done[c] = make(chan struct{})
	}
	if chunks < 2 {
		return a
	}
	for range max(1, runtime.GOMAXPROCS(0)-1) {
		a.wg.Go(func() {
			for !a.stopped.Load() {
				c := int(a.next.Add(1) - 1)
				if c >= chunks {
					return
				}
				if a.state[c].CompareAndSwap(false, true) {
					a.run(c)
				}
			}
		})
	}
	return a
}

func (a *ahead) run(c int) {
	first := c * aheadChunk
	out := make([]preparedNode, min(a.n, first+aheadChunk)-first)
	for j := range out {
		out[j] = a.prepare(first + j)
	}
	a.out[c] = out
	close(a.done[c])
}

// get returns the prepared node i, once; the writer calls it for i in
// order. The slot is cleared so that its memory goes with the writes made
// from it.
func (a *ahead) get(i int) preparedNode {
	c := i / aheadChunk
	if a.state[c].CompareAndSwap(false, true) {
		a.run(c)
	} else {
		a.wait(c)
	}
	out := a.out[c]
	j := i - c*aheadChunk
	p := out[j]
	out[j] = preparedNode{}
	if j == len(out)-1 {
		a.out[c] = nil
	}
	return p
}

// aheadWindow is how many chunks beyond the one it waits for the writer
// prepares itself.
const aheadWindow = 4

// wait returns once chunk c, which a goroutine holds, is prepared. Until
// then the writer prepares the next chunks no goroutine has claimed (up to
// aheadWindow beyond c): the writes take less than the preparing, so a
// writer that only waited would leave its core idle while one goroutine
// prepared every chunk.
func (a *ahead) wait(c int) {
	for {
		select {
		case <-a.done[c]:
			return
		default:
		}
		n := a.next.Load()
		if n >= int64(len(a.state)) || n > int64(c+aheadWindow) || a.stopped.Load() {
			<-a.done[c]
			return
		}
		if a.next.CompareAndSwap(n, n+1) && a.state[n].CompareAndSwap(false, true) {
			a.run(int(n))
		}
	}
}

// stop ends the goroutines (after the chunks they hold) and waits for them.
func (a *ahead) stop() {
	a.stopped.Store(true)
	a.wg.Wait()
}
