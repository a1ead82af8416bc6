package graph

import (
	"context"
	"encoding/json"
	"time"
)

// Revision changes recorded in history.
const (
	ChangeCreated   = "created"
	ChangeUpdated   = "updated"
	ChangeLinked    = "linked"
	ChangeUnlinked  = "unlinked"
	ChangeRetracted = "retracted"
	ChangeMerged    = "merged"
)

// Revision is one recorded change of a node, or of a link touching it. Rev
// is the commit timestamp in Unix nanoseconds: it orders revisions, is the
// value of expected-revision checks, and At is the same instant. Before and
// After hold the bundle JSON of the node (or link) before and after the
// change; nil for none.
type Revision struct {
	Rev    int64
	At     time.Time
	By     string
	Note   string
	Change string
	// Key is the node the revision belongs to.
	Key string
	// Link is set for linked, unlinked and link retractions.
	Link   *Link
	Before json.RawMessage
	After  json.RawMessage
}

// Retraction marks a node or a link as withdrawn. Retracted records stay
// readable; evidence views leave them out unless asked.
type Retraction struct {
	At     time.Time
	By     string
	Reason string
}

// LinkID identifies a link.
type LinkID struct {
	From     string   `json:"from"`
	Relation Relation `json:"relation"`
	To       string   `json:"to"`
}

// Retract asks a batch to retract a node (Key) or a link (Link), with a
// reason. Retracting twice is a no-op.
type Retract struct {
	Key    string
	Link   *LinkID
	Reason string
}

// Merge folds duplicate people or organisations into one: Into keeps its
// key; the names of Keys become aliases of Into, their edges move to Into,
// their history is kept, and their keys resolve to Into from then on.
type Merge struct {
	Keys []string
	Into string
}

// HistoryReader reads the recorded history of one snapshot.
type HistoryReader interface {
	// History returns the revisions of the node (including links from or to
	// it), oldest first; ErrNotFound when the key never existed.
	History(ctx context.Context, key string) ([]Revision, error)
	// Revisions returns the latest revision number of each key that exists.
	Revisions(ctx context.Context, keys []string) (map[string]int64, error)
	// Retractions returns the retraction of each retracted node key.
	Retractions(ctx context.Context, keys []string) (map[string]Retraction, error)
	// Resolve maps each key to the key it now resolves to: itself, or the
	// node it was merged into. Unknown keys are absent.
	Resolve(ctx context.Context, keys []string) (map[string]string, error)
}
