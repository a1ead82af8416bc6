package memgraph

import (
	"context"
	"fmt"
	"slices"
	"time"

	"claimgraph/graph"
)

// History implements graph.HistoryReader: the key's own revisions, also
// for a merged key.
func (r *reader) History(ctx context.Context, key string) ([]graph.Revision, error) {
	h, ok := r.st.history[key]
	if !ok {
		if _, exists := r.st.nodes[r.st.canon(key)]; !exists {
			return nil, fmt.Errorf("history of %q: %w", key, graph.ErrNotFound)
		}
	}
	out := make([]graph.Revision, len(h))
	for i, rev := range h {
		out[i] = cloneRevision(rev)
	}
	return out, nil
}

// cloneRevision copies what a caller could change in place.
func cloneRevision(r graph.Revision) graph.Revision {
	if r.Link != nil {
		l := *r.Link
		r.Link = &l
	}
	r.Before, r.After = slices.Clone(r.Before), slices.Clone(r.After)
	return r
}

// Revisions implements graph.HistoryReader.
func (r *reader) Revisions(ctx context.Context, keys []string) (map[string]int64, error) {
	out := make(map[string]int64, len(keys))
	for _, k := range keys {
		if h := r.st.history[k]; len(h) > 0 {
			out[k] = h[len(h)-1].Rev
		}
	}
	return out, nil
}

// Retractions implements graph.HistoryReader.
func (r *reader) Retractions(ctx context.Context, keys []string) (map[string]graph.Retraction, error) {
	out := map[string]graph.Retraction{}
	for _, k := range keys {
		if rt, ok := r.st.retracted[r.st.canon(k)]; ok {
			out[k] = rt
		}
	}
	return out, nil
}

// Resolve implements graph.HistoryReader.
func (r *reader) Resolve(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if c := r.st.canon(k); c != "" {
			if _, ok := r.st.nodes[c]; ok {
				out[k] = c
			}
		}
	}
	return out, nil
}

// ViewAt implements graph.Store: fn reads the state of the last commit at
// or before at, found by binary search; an instant before the first commit
// reads an empty graph. A past instant at or after the last commit waits
// for an Apply in progress.
func (s *Store) ViewAt(ctx context.Context, at time.Time, fn func(graph.Reader) error) error {
	if s.closed.Load() {
		return graph.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	commits := *s.commits.Load()
	n := graph.AsOfNanos(at)
	if n <= time.Now().UnixNano() && (len(commits) == 0 || n >= commits[len(commits)-1].at.UnixNano()) {
		// An Apply in progress may stamp its commit at or before this
		// past instant: wait for it, so that the answer never changes.
		s.mu.Lock()
		commits = *s.commits.Load()
		s.mu.Unlock()
	}
	i, found := slices.BinarySearchFunc(commits, n, func(c commit, n int64) int {
		switch cn := c.at.UnixNano(); {
		case cn < n:
			return -1
		case cn > n:
			return 1
		}
		return 0
	})
	if found {
		i++
	}
	st := newState()
	if i > 0 {
		st = commits[i-1].st
	}
	return fn(&reader{st: st})
}
