package schema

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/graphql-go/graphql"

	"claimgraph/graph"
)

// Snapshots of one execution
//
// A request reads one snapshot (Store.View, opened by the handler around
// the execution). A root field with asOf reads the graph as it stood at
// that instant instead, and a mutation's payload reads the graph just after
// the write; their subtrees must read the same snapshot as the root field.
// graphql-go v0.8.1 gives every resolver the execution's one context, with
// no way to pass a context down a subtree, so the subtree is found by its
// response path: every resolver's request is the one registered for the
// response key of its root field, or the execution's own.
//
// Store.View and Store.ViewAt are closure-scoped while a subtree resolves
// after its root resolver returns (breadth first, through thunks), so such a
// snapshot is held open by a goroutine that waits inside the closure until
// the execution ends; the handler releases them all after graphql.Execute
// has returned. Snapshots of the same asOf instant are shared.

// execution is what the requests of one execution share.
type execution struct {
	// store opens further snapshots and applies writes; nil when the
	// execution may only read the snapshot it was given.
	store graph.Store
	// by names the writer of mutations (a token's name); "" refuses writes.
	by string

	// routed is set once roots has a request, so that route need not
	// lock before (it runs for every field).
	routed   atomic.Bool
	mu       sync.Mutex
	roots    map[string]*request // root response key -> request of its subtree
	at       map[int64]*request  // asOf instant -> request
	releases []func()
	released bool
}

// newExecutionContext returns the context of one execution over the
// snapshot r, with the store st (nil: no asOf, no writes) and the writer's
// name by, and the function that releases the snapshots the execution
// opened; call it once graphql.Execute has returned.
func newExecutionContext(ctx context.Context, r graph.Reader, st graph.Store, by string) (context.Context, func()) {
	e := &execution{store: st, by: by, roots: map[string]*request{}, at: map[int64]*request{}}
	rq := e.newRequest(ctx, r)
	return context.WithValue(ctx, requestKey{}, rq), e.release
}

func (e *execution) newRequest(ctx context.Context, r graph.Reader) *request {
	return &request{ctx: ctx, r: r, loader: newLoader(r), meta: newMetaLoader(r), edges: newEdgeLoader(r), exec: e}
}

// release closes every snapshot the execution held, newest first.
func (e *execution) release() {
	e.mu.Lock()
	rs := e.releases
	e.releases, e.released = nil, true
	e.mu.Unlock()
	for i := len(rs) - 1; i >= 0; i-- {
		rs[i]()
	}
}

// rootKey returns the response key of the root field of a path.
func rootKey(path *graphql.ResponsePath) (string, bool) {
	if path == nil {
		return "", false
	}
	for path.Prev != nil {
		path = path.Prev
	}
	k, ok := path.Key.(string)
	return k, ok
}

// route returns the request that a field at path reads: the one its root
// field registered, or rq.
func (rq *request) route(path *graphql.ResponsePath) *request {
	e := rq.exec
	if e == nil || !e.routed.Load() {
		return rq
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.roots) == 0 {
		return rq
	}
	if k, ok := rootKey(path); ok {
		if sub := e.roots[k]; sub != nil {
			return sub
		}
	}
	return rq
}

// register makes sub the request of the subtree of the root field at path.
func (rq *request) register(path *graphql.ResponsePath, sub *request) {
	k, ok := rootKey(path)
	if !ok {
		return
	}
	rq.exec.mu.Lock()
	defer rq.exec.mu.Unlock()
	rq.exec.roots[k] = sub
	rq.exec.routed.Store(true)
}

// hold opens a snapshot with open and keeps it open until the returned
// release function is called (it waits for open to return).
func hold(ctx context.Context, open func(ctx context.Context, fn func(graph.Reader) error) error) (graph.Reader, func(), error) {
	got := make(chan graph.Reader)
	done := make(chan struct{})
	finished := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				finished <- panicError(v)
			}
		}()
		finished <- open(ctx, func(r graph.Reader) error {
			got <- r
			<-done
			return nil
		})
	}()
	select {
	case r := <-got:
		return r, func() { close(done); <-finished }, nil
	case err := <-finished:
		if err == nil {
			err = errorString("schema: the store opened no snapshot")
		}
		return nil, nil, err
	}
}

// errNoStore is the cause when asOf or a write runs without a store.
const errNoStore = errorString("schema: the execution has no store (asOf and mutations need the handler)")

// keep registers a held snapshot's release with the execution; when the
// execution has already ended, it releases it at once and reports false.
func (e *execution) keep(release func()) bool {
	e.mu.Lock()
	if e.released {
		e.mu.Unlock()
		release()
		return false
	}
	e.releases = append(e.releases, release)
	e.mu.Unlock()
	return true
}

// viewAt returns the request that reads the graph as it stood at the
// instant, opening its snapshot on first use.
func (rq *request) viewAt(at time.Time) (*request, error) {
	e := rq.exec
	if e == nil || e.store == nil {
		return nil, &Error{Code: CodeInternal, Message: "internal error", Err: errNoStore}
	}
	ns := at.UnixNano()
	e.mu.Lock()
	sub := e.at[ns]
	e.mu.Unlock()
	if sub != nil {
		return sub, nil
	}
	r, release, err := hold(rq.ctx, func(ctx context.Context, fn func(graph.Reader) error) error {
		return e.store.ViewAt(ctx, at, fn)
	})
	if err != nil {
		return nil, fmt.Errorf("asOf %s: %w", formatDateTime(at), err)
	}
	if !e.keep(release) {
		return nil, classify(context.Canceled)
	}
	sub = e.newRequest(rq.ctx, r)
	e.mu.Lock()
	e.at[ns] = sub
	e.mu.Unlock()
	return sub, nil
}

// fresh returns a new request on a snapshot of the store as it is now (for
// a mutation's payload, after its write).
func (rq *request) fresh() (*request, error) {
	e := rq.exec
	if e == nil || e.store == nil {
		return nil, &Error{Code: CodeInternal, Message: "internal error", Err: errNoStore}
	}
	r, release, err := hold(rq.ctx, e.store.View)
	if err != nil {
		return nil, err
	}
	if !e.keep(release) {
		return nil, classify(context.Canceled)
	}
	return e.newRequest(rq.ctx, r), nil
}

// asOfArg is the asOf argument of root fields.
func (b *builder) asOfArg() *graphql.ArgumentConfig {
	return &graphql.ArgumentConfig{
		Type: b.dateTime,
		Description: "Answer as the graph stood at this instant: nodes, links, indexes and history exactly as they were " +
			"after the last write at or before it. A date alone means the end of that day (UTC). Absent: now. " +
			"Each root field reads its own instant, so one query may compare several.",
	}
}

// withAsOf adds the asOf argument to args.
func (b *builder) withAsOf(args graphql.FieldConfigArgument) graphql.FieldConfigArgument {
	if args == nil {
		args = graphql.FieldConfigArgument{}
	}
	args["asOf"] = b.asOfArg()
	return args
}

// atSnapshot wraps the resolver of a root field with asOf: when asOf is
// given, the field and its whole subtree read the snapshot of that instant.
func atSnapshot(fn resolver) resolver {
	return func(rq *request, p graphql.ResolveParams) (interface{}, error) {
		at, ok := p.Args["asOf"].(time.Time)
		if !ok {
			return fn(rq, p)
		}
		sub, err := rq.viewAt(at)
		if err != nil {
			return nil, err
		}
		rq.register(p.Info.Path, sub)
		return fn(sub, p)
	}
}

// keyBatch batches one kind of per-key history lookup within a request, as
// the loader batches nodes: keys wanted at one level are read with one call
// when the first of their thunks runs.
type keyBatch[V any] struct {
	mu      sync.Mutex
	fetch   func(ctx context.Context, keys []string) (map[string]V, error)
	loaded  map[string]bool
	vals    map[string]V
	pending []string
	queued  map[string]bool
}

func newKeyBatch[V any](fetch func(ctx context.Context, keys []string) (map[string]V, error)) *keyBatch[V] {
	return &keyBatch[V]{fetch: fetch, loaded: map[string]bool{}, vals: map[string]V{}, queued: map[string]bool{}}
}

// want registers a key for the next batch.
func (b *keyBatch[V]) want(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.loaded[key] && !b.queued[key] {
		b.queued[key] = true
		b.pending = append(b.pending, key)
	}
}

// get returns the value of key, reading every pending key first if key is
// not loaded; ok is false when the key has no value.
func (b *keyBatch[V]) get(ctx context.Context, key string) (v V, ok bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.loaded[key] {
		if !b.queued[key] {
			b.pending = append(b.pending, key)
		}
		if err := ctx.Err(); err != nil {
			return v, false, err
		}
		batch := b.pending
		b.pending, b.queued = nil, map[string]bool{}
		got, err := b.fetch(ctx, batch)
		if err != nil {
			return v, false, err
		}
		for _, k := range batch {
			b.loaded[k] = true
			if val, ok := got[k]; ok {
				b.vals[k] = val
			}
		}
	}
	v, ok = b.vals[key]
	return v, ok, nil
}

// thunk registers key and returns a thunk yielding conv of its value, or
// nil when it has none.
func (b *keyBatch[V]) thunk(ctx context.Context, key string, conv func(V) interface{}) interface{} {
	b.want(key)
	return thunk(func() (interface{}, error) {
		v, ok, err := b.get(ctx, key)
		if err != nil || !ok {
			return nil, err
		}
		return conv(v), nil
	})
}

// metaLoader batches the history lookups of node fields: the latest
// revision and the retraction of each node.
type metaLoader struct {
	revisions   *keyBatch[int64]
	retractions *keyBatch[graph.Retraction]
}

func newMetaLoader(r graph.Reader) *metaLoader {
	return &metaLoader{
		revisions:   newKeyBatch(r.Revisions),
		retractions: newKeyBatch(r.Retractions),
	}
}
