package schema

import (
	"context"
	"sync"

	"claimgraph/graph"
)

// requestKey is the context key of the per-request state.
type requestKey struct{}

// request is what resolvers of one request share: the snapshot, the context
// that bounds the request (its deadline is checked by every resolver), the
// loader that batches node lookups and the batches of history lookups. A
// root field that reads another snapshot (asOf, or a mutation's payload)
// gets a request of its own, which its subtree finds through exec (see
// snapshot.go).
type request struct {
	ctx    context.Context
	r      graph.Reader
	loader *loader
	meta   *metaLoader
	edges  *edgeLoader
	exec   *execution
}

// NewRequestContext returns a context for executing one GraphQL request
// against the snapshot r: resolvers find the snapshot and a fresh per-request
// loader in it. ctx also bounds the request: every resolver and every read
// gives up once ctx is done, so that execution winds down quickly after a
// deadline. The snapshot must stay open until execution returns.
//
// graphql.Execute returns as soon as its context is done while the resolvers
// go on in its goroutine; to keep them from outliving the snapshot, run
// Execute with context.WithoutCancel of the returned context (the handler
// does), which keeps the values but not the cancellation: the resolvers still
// watch ctx and stop by themselves.
//
// A context made this way serves queries on r only: asOf and mutations need
// the store, which the handler gives them.
func NewRequestContext(ctx context.Context, r graph.Reader) context.Context {
	ctx, _ = newExecutionContext(ctx, r, nil, "")
	return ctx
}

// requestFrom returns the request state in ctx.
func requestFrom(ctx context.Context) (*request, error) {
	if ctx != nil {
		if rq, ok := ctx.Value(requestKey{}).(*request); ok {
			return rq, nil
		}
	}
	return nil, &Error{Code: CodeInternal, Message: "internal error", Err: errNoRequest}
}

// detached returns ctx without its cancellation, as context.WithoutCancel,
// with the request state again on top, where requestFrom finds it at once:
// a Value call through WithoutCancel's context allocates (it boxes the
// wrapper as a Context), and resolvers look the state up for every field.
func detached(ctx context.Context) context.Context {
	d := context.WithoutCancel(ctx)
	if rq, ok := ctx.Value(requestKey{}).(*request); ok {
		return context.WithValue(d, requestKey{}, rq)
	}
	return d
}

// errNoRequest is the cause logged when a resolver runs without
// NewRequestContext.
const errNoRequest = errorString("schema: resolver context lacks NewRequestContext")

// errorString is a constant error type.
type errorString string

func (e errorString) Error() string { return string(e) }

// thunk is the deferred-resolver signature graphql-go v0.8.1 understands: a
// resolver that returns one is called back after the other fields of its
// level were resolved (breadth first), which is what lets the loader batch.
type thunk = func() (interface{}, error)

// loader batches node lookups within one request. Resolvers ask for keys with
// want (or thunk); the first thunk that needs a key not yet loaded loads every
// key wanted so far with one Reader.Nodes call. graphql-go resolves all
// fields of a level before it calls the thunks of that level, so one Nodes
// call serves a whole level of siblings (100 quotes' speakers and sources
// alike). Missing keys are remembered as nil.
type loader struct {
	mu      sync.Mutex
	r       graph.Reader
	cache   map[string]graph.Node
	pending []string
	queued  map[string]bool
}

func newLoader(r graph.Reader) *loader {
	return &loader{r: r, cache: map[string]graph.Node{}, queued: map[string]bool{}}
}

// want registers keys to be loaded with the next batch.
func (l *loader) want(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.wantLocked(keys)
}

func (l *loader) wantLocked(keys []string) {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if _, ok := l.cache[k]; ok || l.queued[k] {
			continue
		}
		l.queued[k] = true
		l.pending = append(l.pending, k)
	}
}

// many returns the nodes with the keys, in order, nil where missing, loading
// every pending key along with those not yet cached in one Reader.Nodes call.
// When every key is cached it reads nothing: the pending keys wait for the
// thunk that needs them, so that the keys of a deeper level are not read
// one sibling at a time.
func (l *loader) many(ctx context.Context, keys []string) ([]graph.Node, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.wantLocked(keys)
	needed := false
	for _, k := range keys {
		if l.queued[k] {
			needed = true
			break
		}
	}
	if needed {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch := l.pending
		l.pending = nil
		l.queued = map[string]bool{}
		nodes, err := l.r.Nodes(ctx, batch)
		if err != nil {
			return nil, err
		}
		for i, k := range batch {
			var n graph.Node
			if i < len(nodes) {
				n = nodes[i]
			}
			l.cache[k] = n
		}
	}
	out := make([]graph.Node, len(keys))
	for i, k := range keys {
		out[i] = l.cache[k]
	}
	return out, nil
}

// one returns the node with the key, or nil when it does not exist.
func (l *loader) one(ctx context.Context, key string) (graph.Node, error) {
	if key == "" {
		return nil, nil
	}
	n, err := l.many(ctx, []string{key})
	if err != nil {
		return nil, err
	}
	return n[0], nil
}

// thunkOne registers key and returns a thunk that yields its node, of one
// of the kinds given (any when none), or nil.
func (l *loader) thunkOne(ctx context.Context, key string, kinds ...graph.Kind) interface{} {
	if key == "" {
		return nil
	}
	l.want(key)
	return thunk(func() (interface{}, error) {
		n, err := l.one(ctx, key)
		if err != nil || n == nil || !kindIn(n.NodeKind(), kinds) {
			return nil, err
		}
		return n, nil
	})
}

// thunkMany registers keys and returns a thunk that yields the nodes that
// exist, of the kinds given (any when none), in order, as a non-nil slice.
func (l *loader) thunkMany(ctx context.Context, keys []string, kinds ...graph.Kind) interface{} {
	l.want(keys...)
	return thunk(func() (interface{}, error) {
		nodes, err := l.many(ctx, keys)
		if err != nil {
			return nil, err
		}
		out := make([]interface{}, 0, len(nodes))
		for _, n := range nodes {
			if n != nil && kindIn(n.NodeKind(), kinds) {
				out = append(out, n)
			}
		}
		return out, nil
	})
}

func kindIn(k graph.Kind, kinds []graph.Kind) bool {
	if len(kinds) == 0 {
		return true
	}
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}
