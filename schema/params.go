package schema

import (
	"strconv"
	"unicode/utf8"
)

// The request body's fast path
//
// Almost every POST body is {"query": "...", "variables": {...}} with an
// operationName or extensions at most, variables of strings, numbers,
// booleans and nulls, and strings without \u escapes. fastParams decodes
// such a body in one pass, where readParams's general path decodes it
// twice with encoding/json (into raw messages, then each of them). It
// accepts only what it can decode exactly as the general path would, to
// the same params, and declines everything else (another key, a nested
// variable value, a \u escape, invalid UTF-8, any syntax error ...), which
// the general path then decodes, or refuses with its own error. A fuzz
// test compares the two on every body fastParams accepts.

// fastParams decodes a trimmed, non-empty request body, or reports false
// when the general path must.
func fastParams(body []byte) (*params, bool) {
	d := paramDecoder{b: body}
	p := &params{}
	var query, opName, vars, ext paramValue
	if !d.object(func(key string) bool {
		var v *paramValue
		switch key {
		case "query":
			v = &query
		case "operationName":
			v = &opName
		case "variables":
			v = &vars
		case "extensions":
			v = &ext
		default:
			return false
		}
		*v = paramValue{}
		return d.value(v, true)
	}) {
		return nil, false
	}
	d.space()
	if d.i != len(d.b) {
		return nil, false
	}
	// As the general path: a query must be a string; operationName a
	// string or null; variables and extensions objects or null.
	if query.kind != kindString {
		return nil, false
	}
	p.query = query.s
	switch opName.kind {
	case kindAbsent, kindNull:
	case kindString:
		p.operationName = opName.s
	default:
		return nil, false
	}
	switch vars.kind {
	case kindAbsent, kindNull:
	case kindObject:
		p.variables = vars.obj
	default:
		return nil, false
	}
	switch ext.kind {
	case kindAbsent, kindNull, kindObject:
	default:
		return nil, false
	}
	return p, true
}

// paramValue is a decoded value of the body's top level.
type paramValue struct {
	kind int
	s    string
	obj  map[string]interface{}
}

// Kinds of paramValue.
const (
	kindAbsent = iota
	kindNull
	kindString
	kindObject
	kindOther // a number or a boolean
)

// paramDecoder reads JSON as encoding/json does, for the subset
// fastParams accepts; each method reports false where that subset ends.
type paramDecoder struct {
	b []byte
	i int
}

// space skips JSON whitespace.
func (d *paramDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// object reads an object, calling member at each value (after the key and
// its colon) with the key.
func (d *paramDecoder) object(member func(key string) bool) bool {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	for {
		d.space()
		key, ok := d.string()
		if !ok {
			return false
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.space()
		if !member(key) {
			return false
		}
		d.space()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// value reads a value into v: a string, null, true, false, a number, or,
// when top is set, an object of such values (a variables or extensions
// object).
func (d *paramDecoder) value(v *paramValue, top bool) bool {
	if d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		s, ok := d.string()
		v.kind, v.s = kindString, s
		return ok
	case c == 'n':
		v.kind = kindNull
		return d.literal("null")
	case c == 't':
		v.kind = kindOther
		return d.literal("true")
	case c == 'f':
		v.kind = kindOther
		return d.literal("false")
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := d.number()
		v.kind = kindOther
		return ok
	case c == '{' && top:
		obj := map[string]interface{}{}
		v.kind, v.obj = kindObject, obj
		return d.object(func(key string) bool {
			x, ok := d.scalar()
			obj[key] = x // the last of a key wins, as in encoding/json
			return ok
		})
	}
	return false
}

// scalar reads a string, null, true, false or a number as encoding/json
// decodes it into an interface{}.
func (d *paramDecoder) scalar() (interface{}, bool) {
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		return d.string()
	case c == 'n':
		return nil, d.literal("null")
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, false
}

// literal reads the literal word.
func (d *paramDecoder) literal(word string) bool {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}

// number reads a JSON number as a float64, as encoding/json does.
func (d *paramDecoder) number() (float64, bool) {
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && d.b[d.i] >= '1' && d.b[d.i] <= '9':
		d.digits()
	default:
		return 0, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if !d.digits() {
			return 0, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if !d.digits() {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return 0, false // out of range: encoding/json's error, on the general path
	}
	return f, true
}

// digits reads one or more decimal digits.
func (d *paramDecoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// string reads a string of valid UTF-8 without control characters, with
// the escapes \" \\ \/ \b \f \n \r \t (not \u).
func (d *paramDecoder) string() (string, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	d.i++
	start := d.i
	ascii, escaped := true, false
	for ; d.i < len(d.b); d.i++ {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			if !ascii && !utf8.Valid(s) {
				return "", false // encoding/json replaces invalid bytes
			}
			if !escaped {
				return string(s), true
			}
			return unescape(s), true
		case c == '\\':
			d.i++
			if d.i >= len(d.b) {
				return "", false
			}
			switch d.b[d.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				escaped = true
			default:
				return "", false
			}
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// unescape resolves the escapes string lets through.
func unescape(s []byte) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default: // " \ /
			c = s[i]
		}
		out = append(out, c)
	}
	return string(out)
}
