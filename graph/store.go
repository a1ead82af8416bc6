package graph

import (
	"context"
	"time"
)

// Direction selects outgoing or incoming edges.
type Direction uint8

// Edge directions.
const (
	Out Direction = 1
	In  Direction = 2
)

// Edge is one stored edge, from a reference field or a link. From and To are
// keys; Qualifier carries a derivation relation or affiliation role; Reason,
// Note, By and At are set for links.
type Edge struct {
	From      string
	To        string
	Relation  Relation
	Qualifier string
	Reason    string
	Note      string
	By        string
	At        string
	// Retracted is set when the link has been retracted.
	Retracted *Retraction
}

// Link returns the edge as a Link (meaningful when Relation.IsLink()).
func (e Edge) Link() Link {
	return Link{From: e.From, To: e.To, Relation: e.Relation, Reason: e.Reason, Note: e.Note, By: e.By, At: e.At}
}

// EdgeQuery selects the edges of one node.
type EdgeQuery struct {
	// Key is the node whose edges are read.
	Key string
	// Dir is Out (edges from Key) or In (edges to Key).
	Dir Direction
	// Relations restricts the relations; empty means all, fields and links.
	Relations []Relation
	// Kind, when set, keeps only edges whose other end is of this kind.
	Kind Kind
	// After is a keyset cursor: the other end's key of the last edge seen.
	// Edges come in a stable order per relation; an After that is not an
	// edge of the query yields ErrInvalid.
	After string
	// Limit caps the number of edges returned; 0 means no cap.
	Limit int
}

// Index names a secondary index that Lookup and Range read.
type Index string

// Secondary indexes. Name and URL are exact (names and aliases folded for
// case and accents); the date indexes are ordered.
const (
	IndexName        Index = "name"         // people and organisations by folded name or alias
	IndexURL         Index = "url"          // sources by url
	IndexSaidAt      Index = "said_at"      // quotes by said_at
	IndexPublishedAt Index = "published_at" // sources by published_at
)

// Page is one page of keys with the total they were taken from.
type Page struct {
	Keys  []string
	Total int
	// More reports whether keys follow the last one returned.
	More bool
}

// Stats counts what a store holds.
type Stats struct {
	Nodes map[Kind]int
	Links int
	Edges int
}

// Reader reads one consistent snapshot of the graph. Its methods are safe for
// concurrent use while the snapshot is open.
type Reader interface {
	// Node returns the node with the key, or ErrNotFound.
	Node(ctx context.Context, key string) (Node, error)
	// Nodes returns the nodes with the keys, in order, nil where missing.
	Nodes(ctx context.Context, keys []string) ([]Node, error)
	// Kinds returns the kind of each key that exists; missing keys are absent.
	Kinds(ctx context.Context, keys []string) (map[string]Kind, error)
	// Edges returns the edges that q selects.
	Edges(ctx context.Context, q EdgeQuery) ([]Edge, error)
	// CountEdges counts the edges q selects, ignoring After and Limit.
	CountEdges(ctx context.Context, q EdgeQuery) (int, error)
	// List pages through the nodes of one kind in key order after a key.
	List(ctx context.Context, k Kind, after string, limit int) (Page, error)
	// Lookup returns the keys an exact index holds for a value.
	Lookup(ctx context.Context, idx Index, value string) ([]string, error)
	// Range returns the keys a date index holds in [from, to), in date order,
	// after the key given (a keyset cursor; "" for the first page).
	Range(ctx context.Context, idx Index, from, to time.Time, after string, limit int) (Page, error)
	// QuotesMatching pages through the quotes whose text contains text,
	// compared after folding case, spacing, accents and quote-mark style.
	// A text without letters or digits is an error wrapping ErrInvalid.
	QuotesMatching(ctx context.Context, text string, after string, limit int) (Page, error)
	// Stats counts nodes by kind, links and edges.
	Stats(ctx context.Context) (Stats, error)
	// Search runs a full-text search (see SearchQuery and ParseSearch):
	// nodes ranked by BM25 over their indexed fields, best first.
	Search(ctx context.Context, q SearchQuery) (SearchPage, error)
	HistoryReader
	// Selector serves the filtered root lists and their aggregations.
	Selector
}

// Batch is a set of writes applied atomically, in this order: upserts of
// whole nodes and of links, unlinks, retractions, merges. Nodes and links are
// compared with what is stored; unchanged records are not rewritten and make
// no revision. Each changed record makes one Revision stamped with the
// commit time, By and Note (see Revision for what each change records).
//
// A link written without By or At gets, when it is new or changed, the
// batch's By and the commit time (FormatLinkTime); when comparing it with
// the stored link, an empty By or At matches whatever is stored. A link
// keeps its retraction when written again. Curation operations are checked
// by ValidateCuration and a node whose key was merged is folded into the
// node it resolves to (see Merge).
type Batch struct {
	Nodes    []Node
	Links    []Link
	Unlinks  []LinkID
	Retracts []Retract
	Merges   []Merge
	// Expected, when set, holds the revision each key must still have
	// (optimistic concurrency): if any differs, Apply writes nothing and
	// returns an error wrapping ErrConflict. 0 means "must not exist".
	// The check runs inside the store's serialised writer, against the
	// latest revision (HistoryReader.Revisions); the error is a
	// *ConflictError naming the key, the expected and the actual revision.
	Expected map[string]int64
	// By names the writer ("import:demo.json", a token name).
	By string
	// Note says why.
	Note string
	// Bulk marks a batch whose caller hands its records over and needs
	// only the counts back (claimgraph import): Apply may complete the
	// records in place instead of working on a copy, and leaves
	// ApplyResult.Revisions empty (the revisions are recorded all the
	// same), so that a batch of millions of records is held once.
	Bulk bool
	// Validated says that the caller validated the batch's records with
	// Validate against the state of commit ValidatedAt (a revision as
	// ApplyResult.Rev gives it; 0 for an empty store) and has not changed
	// them since: while that commit is still the store's latest, Apply
	// does not validate them again, since it would find what the caller
	// found. The store's own checks and the curation operations' still run.
	Validated   bool
	ValidatedAt int64
}

// Counts tallies records added, changed and left unchanged by a write.
type Counts struct {
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

// ApplyResult reports what a batch did.
type ApplyResult struct {
	Nodes  Counts
	Links  Counts
	ByKind map[Kind]Counts
	// At is the commit time; Rev the same instant as a revision number (0
	// when nothing changed, and At then the last commit's time).
	At  time.Time
	Rev int64
	// Base is the commit the batch was applied on, as a revision number
	// (0 for an empty store): the state it read and was validated
	// against. A caller that validated the next batch against this state
	// plus this batch's records may pass Rev (or Base, when nothing
	// changed) as that batch's ValidatedAt.
	Base int64
	// Revisions lists the revisions the batch recorded.
	Revisions []Revision
}

// Writer applies batches. A batch is validated first (Validate with the
// store's current state); an invalid batch returns an error wrapping
// ErrInvalid and a *ValidationError and writes nothing.
type Writer interface {
	Apply(ctx context.Context, b *Batch) (ApplyResult, error)
}

// Store is a graph store: snapshots for reading, batches for writing.
type Store interface {
	Writer
	// View calls fn with a read-only snapshot that stays consistent for the
	// duration of the call.
	View(ctx context.Context, fn func(Reader) error) error
	// ViewAt calls fn with a read-only snapshot of the graph exactly as it
	// stood at the instant at (asOf): nodes, links, indexes and history.
	// That is the state of the last commit at or before at (a commit whose
	// At equals at included); an instant before the first commit reads an
	// empty graph, one in the future the latest state. The answer for an
	// instant already past never changes.
	ViewAt(ctx context.Context, at time.Time, fn func(Reader) error) error
	// Close releases the store.
	Close() error
}
