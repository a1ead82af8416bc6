package store

import (
	"sync"

	"claimgraph/graph"
)

// Gate lets a KV engine close only after its users (open snapshots and
// running updates) are done, and refuse new ones once closing has begun.
// The zero value is ready to use.
type Gate struct {
	mu     sync.Mutex
	idle   sync.Cond // signalled when users drops to 0
	users  int
	closed bool
}

// Acquire registers a user; it returns graph.ErrClosed once Close has begun.
func (g *Gate) Acquire() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return graph.ErrClosed
	}
	g.users++
	return nil
}

// Release ends a user registered by Acquire.
func (g *Gate) Release() {
	g.mu.Lock()
	g.users--
	if g.users == 0 {
		g.cond().Broadcast()
	}
	g.mu.Unlock()
}

// Close refuses new users and waits for the current ones to release. It
// reports whether this call closed the gate (false when it was already
// closed), so the engine tears down its resources once.
func (g *Gate) Close() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.closed = true
	for g.users > 0 {
		g.cond().Wait()
	}
	return true
}

// cond binds the condition to the mutex on first use (g.mu held).
func (g *Gate) cond() *sync.Cond {
	if g.idle.L == nil {
		g.idle.L = &g.mu
	}
	return &g.idle
}
