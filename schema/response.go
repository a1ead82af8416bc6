package schema

import (
	"bytes"
	"encoding/json"
	"mime"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/location"
)

// Media types of GraphQL over HTTP.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// reqError is one error of a response, as sent.
type reqError struct {
	code    Code
	message string
	// positions are byte offsets in the query, turned into locations when
	// the response is written; locations, when set, are used as they are.
	positions []int
	locations []location.SourceLocation
	path      []interface{}
}

// locate sets the error's location to node's.
func (e *reqError) locate(node ast.Node) {
	if node == nil {
		return
	}
	if l := node.GetLoc(); l != nil {
		e.positions = []int{l.Start}
	}
}

// newReqError returns an error without location.
func newReqError(code Code, format string, args ...interface{}) *reqError {
	return &reqError{code: code, message: errorf(code, format, args...).Message}
}

// wireError is the JSON form of an error.
type wireError struct {
	Message    string                    `json:"message"`
	Locations  []location.SourceLocation `json:"locations,omitempty"`
	Path       []interface{}             `json:"path,omitempty"`
	Extensions map[string]string         `json:"extensions"`
}

// encodeResponse writes a GraphQL response: errors first (when any), then
// data (when hasData; it may be null), with the fields of data in the order
// the query selected them (graphql-go returns maps, whose order is lost).
//
// raw, when set, is the data already encoded (by the compiled executor),
// and is written as it is.
func encodeResponse(query string, errs []*reqError, data interface{}, raw []byte, hasData bool, doc *ast.Document, op *ast.OperationDefinition, cost *queryCost) []byte {
	var buf bytes.Buffer
	buf.Grow(len(raw) + 128)
	buf.WriteByte('{')
	if len(errs) > 0 {
		buf.WriteString(`"errors":[`)
		var lines lineIndex
		for i, e := range errs {
			if i > 0 {
				buf.WriteByte(',')
			}
			locs := e.locations
			if locs == nil && len(e.positions) > 0 {
				if lines == nil {
					lines = newLineIndex(query)
				}
				for _, p := range e.positions {
					locs = append(locs, lines.location(p))
				}
			}
			b, _ := json.Marshal(wireError{Message: e.message, Locations: locs, Path: e.path,
				Extensions: map[string]string{"code": string(e.code)}}) // plain values always marshal
			buf.Write(b)
		}
		buf.WriteByte(']')
	}
	if hasData {
		if len(errs) > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`"data":`)
		if raw != nil {
			buf.Write(raw)
		} else {
			var order *orderNode
			if op != nil {
				order = &orderNode{sets: []*ast.SelectionSet{op.SelectionSet}, frags: fragments(doc)}
			}
			writeOrdered(&buf, data, order)
		}
	}
	if cost != nil {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		// As json.Marshal(map[string]*queryCost{"cost": cost}) writes it.
		buf.WriteString(`"extensions":{"cost":{"estimated":`)
		buf.WriteString(strconv.Itoa(cost.Estimated))
		buf.WriteString(`,"max":`)
		buf.WriteString(strconv.Itoa(cost.Max))
		buf.WriteString(`}}`)
	}
	buf.WriteString("}\n")
	return buf.Bytes()
}

// orderNode gives the order of response keys at one level of a result: the
// order in which the query's selection sets (fragments expanded) first name
// each response key. Children are built on first use and shared by every
// element of a list.
type orderNode struct {
	sets  []*ast.SelectionSet
	frags map[string]*ast.FragmentDefinition
	built bool
	order []string
	kids  map[string]*orderNode
}

func (n *orderNode) build() {
	if n.built {
		return
	}
	n.built = true
	n.kids = map[string]*orderNode{}
	seen := map[string]bool{}
	visited := map[string]bool{}
	var visit func(s *ast.SelectionSet)
	visit = func(s *ast.SelectionSet) {
		if s == nil {
			return
		}
		for _, sel := range s.Selections {
			switch sel := sel.(type) {
			case *ast.Field:
				name := ""
				if sel.Alias != nil && sel.Alias.Value != "" {
					name = sel.Alias.Value
				} else if sel.Name != nil {
					name = sel.Name.Value
				}
				if !seen[name] {
					seen[name] = true
					n.order = append(n.order, name)
					n.kids[name] = &orderNode{frags: n.frags}
				}
				if sel.SelectionSet != nil {
					k := n.kids[name]
					k.sets = append(k.sets, sel.SelectionSet)
				}
			case *ast.InlineFragment:
				visit(sel.SelectionSet)
			case *ast.FragmentSpread:
				if sel.Name == nil || visited[sel.Name.Value] {
					continue
				}
				visited[sel.Name.Value] = true
				if f := n.frags[sel.Name.Value]; f != nil {
					visit(f.SelectionSet)
				}
			}
		}
	}
	for _, s := range n.sets {
		visit(s)
	}
}

// writeOrdered writes v as JSON, objects in the order of n.
func writeOrdered(buf *bytes.Buffer, v interface{}, n *orderNode) {
	switch v := v.(type) {
	case map[string]interface{}:
		buf.WriteByte('{')
		first := true
		emit := func(k string, val interface{}, child *orderNode) {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.Write(appendJSONString(buf.AvailableBuffer(), k))
			buf.WriteByte(':')
			writeOrdered(buf, val, child)
		}
		done := map[string]bool{}
		if n != nil {
			n.build()
			for _, k := range n.order {
				if val, ok := v[k]; ok {
					done[k] = true
					emit(k, val, n.kids[k])
				}
			}
		}
		if len(done) < len(v) {
			rest := make([]string, 0, len(v)-len(done))
			for k := range v {
				if !done[k] {
					rest = append(rest, k)
				}
			}
			sort.Strings(rest)
			for _, k := range rest {
				emit(k, v[k], nil)
			}
		}
		buf.WriteByte('}')
	case []interface{}:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeOrdered(buf, e, n)
		}
		buf.WriteByte(']')
	case nil:
		buf.WriteString("null")
	case string:
		buf.Write(appendJSONString(buf.AvailableBuffer(), v))
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case int:
		buf.WriteString(strconv.Itoa(v))
	default:
		b, err := json.Marshal(v)
		if err != nil {
			buf.WriteString("null") // NaN or ±Inf: not JSON
			return
		}
		buf.Write(b)
	}
}

// appendJSONString appends s as a JSON string exactly as encoding/json's
// Marshal writes it: HTML-safe (<, > and & escaped), U+2028 and U+2029
// escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// negotiate picks the response media type from an Accept header: the
// acceptable type with the highest quality, the more specific match winning
// a tie and application/graphql-response+json winning a tie of exact
// matches; application/json when the header is absent. ok is false when the
// client accepts neither.
func negotiate(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	type score struct {
		q    float64
		spec int // 0 none, 1 */*, 2 application/*, 3 exact
	}
	var scores [2]score
	cands := [2]string{mediaGraphQLResponse, mediaJSON}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		for i, c := range cands {
			spec := 0
			switch {
			case mt == c:
				spec = 3
			case mt == "application/*":
				spec = 2
			case mt == "*/*":
				spec = 1
			}
			if spec > scores[i].spec {
				scores[i] = score{q: q, spec: spec}
			}
		}
	}
	best := -1
	for i, s := range scores {
		if s.spec == 0 || s.q <= 0 {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := scores[best]
		switch {
		case s.q > b.q:
			best = i
		case s.q == b.q && s.spec > b.spec:
			best = i
		case s.q == b.q && s.spec == b.spec && s.spec < 3:
			best = 1 // equal wildcards: the classic application/json
		}
	}
	if best < 0 {
		return "", false
	}
	return cands[best], true
}

// acceptsHTML reports whether an Accept header names text/html explicitly
// (as browsers do for a page), not through a wildcard.
func acceptsHTML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "text/html" {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f <= 0 {
				return false
			}
		}
		return true
	}
	return false
}

// lineIndex holds the byte offsets at which the lines of a query start.
type lineIndex []int

// newLineIndex indexes the lines of q (ended by \n, \r\n or \r).
func newLineIndex(q string) lineIndex {
	l := lineIndex{0}
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '\n':
			l = append(l, i+1)
		case '\r':
			if i+1 < len(q) && q[i+1] == '\n' {
				i++
			}
			l = append(l, i+1)
		}
	}
	return l
}

// location returns the 1-based line and column (in bytes, as graphql-go
// counts them) of a byte offset.
func (l lineIndex) location(pos int) location.SourceLocation {
	i := sort.SearchInts(l, pos+1) - 1
	if i < 0 {
		i = 0
	}
	return location.SourceLocation{Line: i + 1, Column: pos - l[i] + 1}
}

// positionsOf digs the byte offsets of an error of graphql-go out of its
// wrappings.
func positionsOf(err error) []int {
	for i := 0; err != nil && i < 32; i++ {
		switch e := err.(type) {
		case *gqlerrors.Error:
			if len(e.Positions) > 0 {
				return e.Positions
			}
			err = e.OriginalError
		case gqlerrors.Error:
			if len(e.Positions) > 0 {
				return e.Positions
			}
			err = e.OriginalError
		case gqlerrors.FormattedError:
			err = e.OriginalError()
		case *gqlerrors.FormattedError:
			err = e.OriginalError()
		default:
			return nil
		}
	}
	return nil
}
