package graph

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// FormatVersion is the bundle format this package reads and writes.
const FormatVersion = "bundle/1"

// Place locates a record in a bundle: a JSON Lines line number, or a
// section and index of a JSON object ("quotes[3]").
type Place struct {
	Line    int    // 1-based line in JSON Lines; 0 otherwise
	Section string // "people", ..., "links" in a JSON object
	Index   int    // index within Section
}

// String renders the place as "line 7" or "quotes[3]".
func (p Place) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d", p.Line)
	}
	if p.Section != "" {
		return fmt.Sprintf("%s[%d]", p.Section, p.Index)
	}
	return "bundle"
}

// Problem is one thing wrong with a bundle: where, which record and field,
// a machine-readable code and a sentence for people.
type Problem struct {
	Place   Place  `json:"place"`
	Key     string `json:"key,omitempty"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// String renders the problem as "quotes[3] key q1 field span: span end 90 is past the text (80 code points)".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Place.String())
	if p.Key != "" {
		b.WriteString(" key ")
		b.WriteString(p.Key)
	}
	if p.Field != "" {
		b.WriteString(" field ")
		b.WriteString(p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// Problem codes.
const (
	CodeSyntax      = "syntax"        // not JSON, or not the expected shape
	CodeVersion     = "version"       // unknown format version
	CodeUnknownType = "unknown_type"  // JSON Lines record with an unknown type
	CodeUnknown     = "unknown_field" // field not in the format
	CodeRequired    = "required"      // required field missing or empty
	CodeType        = "wrong_type"    // field of the wrong JSON type
	CodeBadKey      = "bad_key"       // key does not match the key pattern
	CodeDuplicate   = "duplicate_key" // key used twice in the bundle
	CodeKindChange  = "kind_change"   // key already stored as another kind
	CodeDangling    = "unknown_reference"
	CodeWrongKind   = "wrong_reference_kind"
	CodeEnum        = "unknown_value" // value not in the enumeration
	CodeDate        = "bad_date"
	CodeSpan        = "bad_span" // span outside the text or reversed
	CodeSpanText    = "span_text_mismatch"
	CodeHash        = "hash_mismatch" // content_sha256 does not match text
	CodeSelfLink    = "self_reference"
)

// ValidationError lists every problem found; it wraps ErrInvalid.
type ValidationError struct {
	Problems []Problem
}

// Error summarises the problems, one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid bundle: %d problem(s)", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Bundle is a decoded bundle: nodes and links with the place each came from.
type Bundle struct {
	Nodes      []Node
	Links      []Link
	NodePlaces []Place // parallel to Nodes; may be nil
	LinkPlaces []Place // parallel to Links; may be nil
}

// DecodeOptions tune Decode.
type DecodeOptions struct {
	// AllowUnknown ignores fields the format does not define instead of
	// reporting them.
	AllowUnknown bool
}

// Decode reads a bundle as one JSON object or as JSON Lines (detected from
// the first non-space byte and line structure). Syntax problems, unknown
// fields, missing required fields and wrong types are all reported, each
// with its place, in one *ValidationError. Decode does not check references
// or spans: Validate does.
func Decode(r io.Reader, opt DecodeOptions) (*Bundle, error) {
	return nil, fmt.Errorf("not implemented")
}

// Validate checks the bundle: keys, duplicates, enumerations, dates,
// references (to records in the bundle or, through r, in the store; r may be
// nil), reference kinds, spans against source text, content hashes. It
// returns nil or a *ValidationError listing every problem.
func Validate(ctx context.Context, b *Bundle, r Reader) error {
	return nil
}

// Batch returns a batch holding the bundle's records.
func (b *Bundle) Batch(by, note string) *Batch {
	return &Batch{Nodes: b.Nodes, Links: b.Links, By: by, Note: note}
}
