package graph

import (
	"context"
	"fmt"
)

// TraceOptions bound a trace.
type TraceOptions struct {
	// MaxDepth bounds the hops from the root (default 6).
	MaxDepth int
	// MaxNodes bounds the nodes visited (default 1000).
	MaxNodes int
}

// Hop is one step of a trace: an edge walked at a depth (1 for edges of the
// root). Relation is a reference relation (speaker, reported_by, source,
// channel, expresses, stated_by), a derivation relation (quotes, cites ...)
// or a link relation (supports, contradicts ...). Cue is the attribution cue
// of a quote's speaker or reported_by hop; Reason is a link's reason.
type Hop struct {
	From     string
	To       string
	Relation string
	Cue      string
	Reason   string
	Depth    int
}

// Trace is the flat provenance of one quote, claim or figure. Node lists
// hold keys, without duplicates, in the order they were reached.
type Trace struct {
	Root           string
	Hops           []Hop
	Speakers       []string
	PrimarySources []string
	Supporting     []string
	Contradicting  []string
	Truncated      bool
}

// TraceFrom computes the trace of the node with the key.
func TraceFrom(ctx context.Context, r Reader, key string, opt TraceOptions) (*Trace, error) {
	return nil, fmt.Errorf("not implemented")
}
