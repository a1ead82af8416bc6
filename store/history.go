package store

import (
	"context"
	"errors"

	"claimgraph/graph"
)

// errNoHistory is returned until history is implemented (issue 3, in progress).
var errNoHistory = errors.New("history is not implemented yet")

// History implements graph.HistoryReader.
func (r *reader) History(ctx context.Context, key string) ([]graph.Revision, error) {
	return nil, errNoHistory
}

// Revisions implements graph.HistoryReader.
func (r *reader) Revisions(ctx context.Context, keys []string) (map[string]int64, error) {
	return nil, errNoHistory
}

// Retractions implements graph.HistoryReader.
func (r *reader) Retractions(ctx context.Context, keys []string) (map[string]graph.Retraction, error) {
	return nil, errNoHistory
}

// Resolve implements graph.HistoryReader.
func (r *reader) Resolve(ctx context.Context, keys []string) (map[string]string, error) {
	return nil, errNoHistory
}
