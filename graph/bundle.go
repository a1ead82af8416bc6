package graph

import (
	"context"
	"errors"
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
	CodeCycle       = "cycle"     // reported_by or parent chain loops back
	CodeRange       = "bad_range" // number out of range (value_max below value, not finite)
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

// DefaultMaxRecordBytes caps one record (a JSON Lines line, or one element
// of a section of a JSON object) when DecodeOptions.MaxRecordBytes is 0.
const DefaultMaxRecordBytes = 64 << 20

// DecodeOptions tune Decode.
type DecodeOptions struct {
	// AllowUnknown ignores fields (and top-level members of a JSON object)
	// that the format does not define instead of reporting them.
	AllowUnknown bool
	// MaxRecordBytes caps the size of one record; 0 means
	// DefaultMaxRecordBytes. A longer JSON Lines line is reported and
	// skipped; a longer record of a JSON object ends decoding.
	MaxRecordBytes int
}

// ReadBundle decodes a bundle from r, validates it against itself and the
// store snapshot st (which may be nil), and prepares it (see Prepare): the
// one call an importer needs. It reports, in one *ValidationError sorted by
// place, every problem that Decode and Validate find; a field with a
// decoding problem is not reported again by Validate. When Decode could not
// read some record at all (a syntax error, a record that is not an object,
// a missing or unknown type), ReadBundle reports the decoding problems
// only, since references to that record would be reported as unknown. On
// error the bundle is returned as far as it was read (nil for a read
// error), not prepared.
func ReadBundle(ctx context.Context, r io.Reader, opt DecodeOptions, st Reader) (*Bundle, error) {
	b, dropped, err := decode(r, opt)
	var decoded []Problem
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) || dropped {
			return b, err
		}
		decoded = ve.Problems
	}
	err = Validate(ctx, b, st)
	if err == nil {
		if len(decoded) > 0 {
			return b, &ValidationError{Problems: decoded}
		}
		if err := Prepare(ctx, b, st); err != nil {
			return b, err
		}
		return b, nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return b, err
	}
	type at struct {
		place Place
		field string
	}
	seen := make(map[at]bool, len(decoded))
	for _, p := range decoded {
		seen[at{p.Place, fieldRoot(p.Field)}] = true
	}
	all := decoded
	for _, p := range ve.Problems {
		if !seen[at{p.Place, fieldRoot(p.Field)}] {
			all = append(all, p)
		}
	}
	sortProblems(all)
	return b, &ValidationError{Problems: all}
}

// fieldRoot returns the top-level field of a field path: "span" for
// "span.start", "derived_from" for "derived_from[1].relation".
func fieldRoot(f string) string {
	if i := strings.IndexAny(f, ".["); i >= 0 {
		return f[:i]
	}
	return f
}

// Batch returns a batch holding the bundle's records.
func (b *Bundle) Batch(by, note string) *Batch {
	return &Batch{Nodes: b.Nodes, Links: b.Links, By: by, Note: note}
}
