// Package demo holds the built-in demo bundle: the facts of one news report
// about a phone call between US President Donald Trump and Minnesota
// Governor Tim Walz (the canonical case of the design), as a bundle/1 JSON
// object embedded in the binary.
//
// # What the bundle records
//
// Its people, organisations and sources (the article, Trump's Truth Social
// post, the phone call it summarises, the Minneapolis police statistics,
// the statements of Walz, DHS, ICE and 60 Minnesota CEOs), every quote with
// its cue, mode, channel, date and attribution chain (the article reports
// Trump's post, which reports Walz's request made on the call), the claims,
// every figure with its measure, period and baseline, and the supports,
// contradicts and context links between them, including the two
// disagreeing counts of federal agents.
//
// # No article text
//
// The article's prose is not part of the project. Its source record carries
// only the SHA-256 of the file's exact bytes (content_sha256). Quotes and
// figures carry their own short words and a span: Unicode code point offsets
// [start, end) into the article as read from the file, quote marks left
// out, as is a comma or full stop that closes the quoted words inside the
// marks. A reader who has the file can attach it with [AttachText] (or
// [AttachFile]); the hash proves it is the same text, and the spans can
// then be shown and checked.
package demo

import (
	_ "embed" // demo.json
	"errors"
	"fmt"
	"os"
	"strings"

	"claimgraph/graph"
)

// ArticleKey is the key of the article source whose text the spans of the
// demo's quotes and figures point into.
const ArticleKey = "article-trump-walz-call"

// ErrTextMismatch means that a text given for a source does not have the
// source's content_sha256: it is not the text the spans were made for.
var ErrTextMismatch = errors.New("text does not match the source's content_sha256")

//go:embed demo.json
var bundleJSON string

// JSON returns a copy of the demo bundle as bundle/1 JSON, as embedded.
func JSON() []byte {
	return []byte(bundleJSON)
}

// Bundle decodes the embedded demo bundle. Each call returns a fresh
// bundle that the caller may modify. The article source has no text; see
// [AttachText].
func Bundle() (*graph.Bundle, error) {
	b, err := graph.Decode(strings.NewReader(bundleJSON), graph.DecodeOptions{})
	if err != nil {
		return nil, fmt.Errorf("demo: decode embedded bundle: %w", err)
	}
	return b, nil
}

// AttachText sets the text of the source with the key sourceKey in b,
// after checking that the SHA-256 of text (as [graph.ContentHash] computes
// it) equals the source's content_sha256. The error wraps
// [ErrTextMismatch] when the hashes differ, and names the source and both
// hashes; b is left unchanged on error.
func AttachText(b *graph.Bundle, sourceKey, text string) error {
	if b == nil {
		return errors.New("demo: attach text: nil bundle")
	}
	var src *graph.Source
	for _, n := range b.Nodes {
		if n.NodeKey() != sourceKey {
			continue
		}
		s, ok := n.(*graph.Source)
		if !ok {
			return fmt.Errorf("demo: attach text: %q is a %s, not a source", sourceKey, n.NodeKind())
		}
		src = s
		break
	}
	if src == nil {
		return fmt.Errorf("demo: attach text: no source %q in the bundle", sourceKey)
	}
	if src.ContentSHA256 == "" {
		return fmt.Errorf("demo: attach text: source %q has no content_sha256 to check the text against", sourceKey)
	}
	if got := graph.ContentHash(text); !strings.EqualFold(got, src.ContentSHA256) {
		return fmt.Errorf("demo: attach text to source %q: %w: the text has sha256 %s, the source expects %s "+
			"(a different or modified file: same bytes needed, line endings included)",
			sourceKey, ErrTextMismatch, got, src.ContentSHA256)
	}
	src.Text = text
	return nil
}

// AttachFile reads the file at path and attaches its text to the source
// with the key sourceKey, as [AttachText] does. Errors name the file.
func AttachFile(b *graph.Bundle, sourceKey, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("demo: read text for source %q: %w", sourceKey, err)
	}
	if err := AttachText(b, sourceKey, string(data)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
