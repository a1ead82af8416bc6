package graph

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Decode reads a bundle as one JSON object or as JSON Lines and returns its
// records in input order, with the place each came from.
//
// The form is detected from the first two non-blank lines: when the first
// line is a complete JSON object with a "type" member, or the second one is,
// or the first is a complete object and more lines follow, the input is
// JSON Lines; otherwise it is one JSON object (pretty-printed or on one
// line). A leading UTF-8 byte order mark is ignored. The "claimgraph"
// version member (a JSON Lines header line) is optional; when present it
// must be "bundle/1". JSON Lines may repeat the header (concatenated files)
// and may hold blank lines.
//
// Every problem is reported, each with its place, in one *ValidationError:
// syntax errors (with line and column), an unknown version, unknown
// top-level members and record types, unknown fields (unless
// opt.AllowUnknown), fields or members given twice, missing or empty
// required fields, and fields of the wrong JSON type, nested objects (span,
// affiliations, derived_from) included. A malformed record is reported and
// skipped: in JSON Lines its line, in a JSON object the element of its
// section (while brackets and strings still delimit it; a broken structure
// between records ends decoding). A JSON null stands for an absent field;
// empty arrays and objects decode as nil. Records are capped at
// opt.MaxRecordBytes.
//
// With a *ValidationError, Decode also returns the bundle as far as it was
// read: every record whose type is known, with the fields that could not be
// read left at their zero value (ReadBundle uses it to report Validate's
// problems in the same run). Other errors (reading r) return a nil bundle.
// Decode does not check keys, references, enumerations, dates or spans:
// Validate does.
func Decode(r io.Reader, opt DecodeOptions) (*Bundle, error) {
	b, _, err := decode(r, opt)
	return b, err
}

// decode is Decode that also reports whether some record could not be read
// at all (so that references to it would be reported as unknown).
func decode(r io.Reader, opt DecodeOptions) (_ *Bundle, dropped bool, _ error) {
	return decodeBatched(r, opt, 0)
}

// decodeBatched is decode with JSON Lines decoded in batches of about
// batchBytes (0: lineBatchBytes).
func decodeBatched(r io.Reader, opt DecodeOptions, batchBytes int) (_ *Bundle, dropped bool, _ error) {
	d := &decoder{opt: opt, max: opt.MaxRecordBytes, b: &Bundle{}, batchBytes: batchBytes}
	if d.max <= 0 {
		d.max = DefaultMaxRecordBytes
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		if _, err := br.Discard(3); err != nil {
			return nil, false, err
		}
	}
	jsonl, empty, src, err := detectForm(br, d.max)
	if err != nil {
		return nil, false, fmt.Errorf("read bundle: %w", err)
	}
	switch {
	case empty:
		d.problem(Place{}, "", "", CodeSyntax, "empty input: a bundle is one JSON object or JSON Lines")
	case jsonl:
		err = d.jsonLines(src)
	default:
		err = d.object(src)
	}
	if err != nil {
		return nil, false, fmt.Errorf("read bundle: %w", err)
	}
	if len(d.problems) > 0 {
		return d.b, d.dropped, &ValidationError{Problems: d.problems}
	}
	return d.b, false, nil
}

// detectForm peeks at the first two non-blank lines of br and returns a
// reader that yields the whole input again.
func detectForm(br *bufio.Reader, max int) (jsonl, empty bool, src io.Reader, err error) {
	var peeked []byte
	var lines [][]byte
	eof := false
	for len(lines) < 2 && !eof {
		start := len(peeked)
		for {
			chunk, e := br.ReadSlice('\n')
			peeked = append(peeked, chunk...)
			if e == bufio.ErrBufferFull {
				if len(peeked)-start > max {
					// A giant first line: only a one-line JSON object can be
					// that large and still be read.
					return false, false, io.MultiReader(bytes.NewReader(peeked), br), nil
				}
				continue
			}
			if e == io.EOF {
				eof = true
				break
			}
			if e != nil {
				return false, false, nil, e
			}
			break
		}
		if line := bytes.TrimSpace(peeked[start:]); len(line) > 0 {
			lines = append(lines, line)
		}
	}
	src = io.MultiReader(bytes.NewReader(peeked), br)
	if len(lines) == 0 {
		return false, true, src, nil
	}
	obj1, type1 := recordShape(lines[0])
	switch {
	case type1:
		jsonl = true
	case len(lines) == 2:
		_, type2 := recordShape(lines[1])
		jsonl = type2 || obj1
	}
	return jsonl, false, src, nil
}

// recordShape reports whether line is one complete JSON object, and whether
// that object has a "type" member.
func recordShape(line []byte) (object, typed bool) {
	if line[0] != '{' || !json.Valid(line) {
		return false, false
	}
	ms, err := members(line)
	if err != nil {
		return false, false
	}
	for _, m := range ms {
		if m.name == "type" {
			return true, true
		}
	}
	return true, false
}

// decoder accumulates the bundle and the problems of one Decode.
type decoder struct {
	opt      DecodeOptions
	max      int
	b        *Bundle
	problems []Problem
	dropped  bool // some record could not be read at all

	batchBytes int // JSON Lines batch size; 0: lineBatchBytes (tests set less)
}

// drop reports a problem that leaves a record, a section or the rest of
// the input unread.
func (d *decoder) drop(p Place, key, field, code, format string, args ...any) {
	d.dropped = true
	d.problem(p, key, field, code, format, args...)
}

func (d *decoder) problem(p Place, key, field, code, format string, args ...any) {
	d.problems = append(d.problems, Problem{Place: p, Key: clip(key, 130), Field: clip(field, 130), Code: code, Message: fmt.Sprintf(format, args...)})
}

// jsonLines decodes JSON Lines: one record per line. Lines are read here
// and decoded in batches on every core; the batches' records and problems
// are joined in line order, so the result is that of decoding in order.
func (d *decoder) jsonLines(src io.Reader) error {
	br := bufio.NewReaderSize(src, 64<<10)
	p := newLinePool(d)
	defer p.close()
	var buf []byte
	for n := 1; ; n++ {
		buf = buf[:0]
		read, tooLong, eof := 0, false, false
		for {
			chunk, err := br.ReadSlice('\n')
			read += len(chunk)
			if !tooLong {
				if len(buf)+len(chunk) > d.max+2 { // room for "\r\n"
					tooLong, buf = true, buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				return err
			}
			break
		}
		if eof && read == 0 {
			return p.finish()
		}
		line := bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
		p.add(n, line, tooLong || len(line) > d.max)
		if eof {
			return p.finish()
		}
	}
}

// lineBatchBytes is about how many bytes of lines one batch holds.
const lineBatchBytes = 1 << 20

// lineBatch is a run of JSON Lines lines and what decoding them gave.
type lineBatch struct {
	lines [][]byte // each line's bytes, nil for one too long
	first int      // the line number of lines[0]
	size  int
	out   *decoder
	done  chan struct{}
}

// linePool decodes batches of lines on worker goroutines and joins their
// results into d in order.
type linePool struct {
	d       *decoder
	cur     *lineBatch
	work    chan *lineBatch
	pending []*lineBatch // handed out, not yet joined, in order
	wg      sync.WaitGroup
}

func newLinePool(d *decoder) *linePool {
	p := &linePool{d: d, work: make(chan *lineBatch)}
	for range runtime.GOMAXPROCS(0) {
		p.wg.Go(func() {
			for b := range p.work {
				b.decode(d)
			}
		})
	}
	return p
}

// decode decodes the batch's lines into a decoder of its own.
func (b *lineBatch) decode(d *decoder) {
	out := &decoder{opt: d.opt, max: d.max, b: &Bundle{}}
	for i, line := range b.lines {
		if line == nil {
			out.drop(Place{Line: b.first + i}, "", "", CodeSyntax, "line is longer than %d bytes", d.max)
		} else {
			out.line(b.first+i, line)
		}
	}
	b.out = out
	close(b.done)
}

// add queues line n (tooLong: a line past the limit, not kept).
func (p *linePool) add(n int, line []byte, tooLong bool) {
	if p.cur == nil {
		p.cur = &lineBatch{first: n, done: make(chan struct{})}
	}
	var kept []byte // nil: too long
	if !tooLong {
		kept = append([]byte{}, line...)
	}
	p.cur.lines = append(p.cur.lines, kept)
	p.cur.size += len(line) + 1
	if p.cur.size >= cmp.Or(p.d.batchBytes, lineBatchBytes) {
		p.flush()
	}
}

// flush hands the current batch to the workers, first joining the oldest
// pending batches so that at most two per worker wait in memory.
func (p *linePool) flush() {
	if p.cur == nil {
		return
	}
	for len(p.pending) >= 2*runtime.GOMAXPROCS(0) {
		p.join()
	}
	b := p.cur
	p.cur = nil
	p.pending = append(p.pending, b)
	p.work <- b
}

// join waits for the oldest pending batch and appends its results to d.
func (p *linePool) join() {
	b := p.pending[0]
	p.pending = p.pending[1:]
	<-b.done
	d, o := p.d, b.out
	d.b.Nodes = append(d.b.Nodes, o.b.Nodes...)
	d.b.NodePlaces = append(d.b.NodePlaces, o.b.NodePlaces...)
	d.b.Links = append(d.b.Links, o.b.Links...)
	d.b.LinkPlaces = append(d.b.LinkPlaces, o.b.LinkPlaces...)
	d.problems = append(d.problems, o.problems...)
	d.dropped = d.dropped || o.dropped
}

// finish decodes what is left and joins every batch.
func (p *linePool) finish() error {
	p.flush()
	for len(p.pending) > 0 {
		p.join()
	}
	return nil
}

// close stops the workers (after finish, or on a read error: the batches
// handed out are still decoded, and dropped).
func (p *linePool) close() {
	close(p.work)
	p.wg.Wait()
}

// line decodes one JSON Lines line.
func (d *decoder) line(n int, line []byte) {
	place := Place{Line: n}
	trimmed := bytes.TrimLeft(line, " \t\r\n")
	lead := len(line) - len(trimmed)
	trimmed = bytes.TrimRight(trimmed, " \t\r\n")
	if len(trimmed) == 0 {
		return
	}
	if !json.Valid(trimmed) {
		var raw json.RawMessage
		err := json.Unmarshal(trimmed, &raw)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			d.drop(place, "", "", CodeSyntax, "column %d: %s", lead+int(max(se.Offset, 1)), se.Error())
		} else {
			d.drop(place, "", "", CodeSyntax, "not valid JSON")
		}
		return
	}
	if trimmed[0] != '{' {
		d.drop(place, "", "", CodeSyntax, "a record must be a JSON object, not %s", jsonType(trimmed))
		return
	}
	r := d.newRecord(place, "", trimmed)
	if r == nil {
		return
	}
	raw, ok := r.take("type")
	if !ok {
		if _, isHeader := r.lookup("claimgraph"); isHeader {
			d.header(r)
			return
		}
		if raw == nil {
			d.drop(place, r.peekKey(), "type", CodeRequired, "record has no type (person, organisation, source, quote, claim, figure or link)")
		} else {
			d.drop(place, r.peekKey(), "type", CodeRequired, "type is null")
		}
		return
	}
	var typ string
	if raw[0] != '"' || json.Unmarshal(raw, &typ) != nil {
		d.drop(place, r.peekKey(), "type", CodeType, "type must be a string, not %s", jsonType(raw))
		return
	}
	if typ == "link" {
		d.link(r)
		return
	}
	k, known := ParseKind(typ)
	if !known || k.String() != typ {
		d.drop(place, r.peekKey(), "type", CodeUnknownType, "unknown record type %q (want person, organisation, source, quote, claim, figure or link)", clip(typ, 40))
		return
	}
	d.node(k, r)
}

// header checks a {"claimgraph": "bundle/1"} line.
func (d *decoder) header(r *record) {
	d.version(r.place, r.takeRaw("claimgraph"))
	r.finish()
}

// version checks the value of a "claimgraph" member.
func (d *decoder) version(p Place, raw []byte) {
	var v string
	switch {
	case raw == nil || isNull(raw):
		d.problem(p, "", "claimgraph", CodeVersion, "format version is null (want %q)", FormatVersion)
	case raw[0] != '"' || json.Unmarshal(raw, &v) != nil:
		d.problem(p, "", "claimgraph", CodeType, "claimgraph must be a string, not %s", jsonType(raw))
	case v != FormatVersion:
		d.problem(p, "", "claimgraph", CodeVersion, "unknown format version %q (this reader reads %q)", clip(v, 40), FormatVersion)
	}
}

// linksSection is the name of the links array in a bundle object.
const linksSection = "links"

// sectionKind maps a bundle object's member name to the kind of its records;
// links reports the links array.
func sectionKind(name string) (k Kind, links, ok bool) {
	if name == linksSection {
		return 0, true, true
	}
	for _, k := range Kinds {
		if k.Section() == name {
			return k, false, true
		}
	}
	return 0, false, false
}

// errStop ends the decoding of a JSON object after the problem that stops
// it has been reported.
var errStop = errors.New("bundle object unreadable")

// object decodes the JSON object form. It reads the input byte by byte,
// tracking lines and columns, checks the object's structure itself and
// hands each record (at most d.max bytes) to encoding/json, so that a
// malformed record is reported and skipped while the others are read.
func (d *decoder) object(src io.Reader) error {
	o := &objReader{br: bufio.NewReaderSize(src, 64<<10), d: d, line: 1}
	if err := o.bundle(); err != nil && err != errStop {
		return err
	}
	return nil
}

// objReader reads the JSON object form.
type objReader struct {
	br        *bufio.Reader
	d         *decoder
	off       int64 // bytes consumed
	line      int   // line of the next byte, 1-based
	lineStart int64 // offset of the first byte of that line
	buf       []byte
}

// pos is a position in the input: 1-based line and byte column.
type pos struct{ line, col int }

func (o *objReader) here() pos { return pos{o.line, int(o.off-o.lineStart) + 1} }

func (o *objReader) next() (byte, error) {
	c, err := o.br.ReadByte()
	if err != nil {
		return 0, err
	}
	o.off++
	if c == '\n' {
		o.line++
		o.lineStart = o.off
	}
	return c, nil
}

// peek skips white space and returns the next byte without consuming it.
func (o *objReader) peek() (byte, error) {
	for {
		b, err := o.br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			if _, err := o.next(); err != nil {
				return 0, err
			}
			continue
		}
		return b[0], nil
	}
}

// syntax reports a problem that ends decoding, at p.
func (o *objReader) syntax(p pos, format string, args ...any) error {
	o.d.drop(Place{Line: p.line}, "", "", CodeSyntax, "column %d: %s", p.col, fmt.Sprintf(format, args...))
	return errStop
}

// eof turns io.EOF inside the object into a problem; other errors are
// read errors.
func (o *objReader) eof(err error) error {
	if err == io.EOF {
		p := o.here()
		o.d.drop(Place{Line: p.line}, "", "", CodeSyntax, "unexpected end of input: the bundle object is not closed")
		return errStop
	}
	return err
}

// expect consumes the next non-space byte, which must be in set.
func (o *objReader) expect(what, set string) (byte, error) {
	c, err := o.peek()
	if err != nil {
		return 0, o.eof(err)
	}
	if strings.IndexByte(set, c) < 0 {
		return 0, o.syntax(o.here(), "expected %s, found %s", what, describeByte(c))
	}
	_, err = o.next()
	return c, err
}

// value reads the JSON value that starts at the next non-space byte,
// following strings and brackets (encoding/json checks the rest). It
// returns the bytes and where they start; a value longer than limit is
// consumed and reported as tooLarge, without its bytes. The bytes are
// valid until the next call.
func (o *objReader) value(limit int) (raw []byte, start pos, tooLarge bool, err error) {
	c, err := o.peek()
	if err != nil {
		return nil, start, false, o.eof(err)
	}
	start = o.here()
	if strings.IndexByte(",:]}", c) >= 0 {
		return nil, start, false, o.syntax(start, "expected a value, found %s", describeByte(c))
	}
	o.buf = o.buf[:0]
	n := 0
	add := func(c byte) {
		n++
		if n <= limit {
			o.buf = append(o.buf, c)
		}
	}
	if c == '"' || c == '{' || c == '[' {
		depth, inString, escaped := 0, false, false
		for done := false; !done; {
			c, err := o.next()
			if err != nil {
				return nil, start, false, o.eof(err)
			}
			add(c)
			switch {
			case inString && escaped:
				escaped = false
			case inString && c == '\\':
				escaped = true
			case inString && c == '"':
				inString = false
				done = depth == 0
			case inString:
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				done = depth <= 0
			}
		}
	} else {
		for {
			b, err := o.br.Peek(1)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, start, false, err
			}
			if strings.IndexByte(",:]} \t\r\n", b[0]) >= 0 {
				break
			}
			if _, err := o.next(); err != nil {
				return nil, start, false, err
			}
			add(b[0])
		}
	}
	if n > limit {
		return nil, start, true, nil
	}
	return o.buf, start, false, nil
}

// valid reports whether raw, read at start, is valid JSON; if not, it
// reports where it goes wrong.
func (o *objReader) valid(place Place, raw []byte, start pos) bool {
	if json.Valid(raw) {
		return true
	}
	var v json.RawMessage
	err := json.Unmarshal(raw, &v)
	var se *json.SyntaxError
	msg, idx := "not valid JSON", 0
	if errors.As(err, &se) {
		msg, idx = se.Error(), int(min(max(se.Offset-1, 0), int64(len(raw))))
	}
	p := start
	for _, c := range raw[:idx] {
		if c == '\n' {
			p.line++
			p.col = 1
		} else {
			p.col++
		}
	}
	o.d.drop(place, "", "", CodeSyntax, "line %d, column %d: %s", p.line, p.col, msg)
	return false
}

// bundle reads the whole object.
func (o *objReader) bundle() error {
	c, err := o.peek()
	if err != nil {
		return o.eof(err)
	}
	if c != '{' {
		return o.syntax(o.here(), "a bundle is one JSON object or JSON Lines, not %s", describeByte(c))
	}
	if _, err := o.next(); err != nil {
		return err
	}
	if c, err = o.peek(); err != nil {
		return o.eof(err)
	}
	seen := map[string]bool{}
	if c == '}' {
		_, err = o.next()
	}
	for c != '}' && err == nil {
		var raw []byte
		var at pos
		var tooLarge bool
		if raw, at, tooLarge, err = o.value(o.d.max); err != nil {
			return err
		}
		name, ok := "", false
		if !tooLarge && raw[0] == '"' && json.Valid(raw) {
			name, ok = unquote(raw)
		}
		if !ok {
			return o.syntax(at, "expected a member name (a string), found %s", describeByte(at2byte(raw)))
		}
		if _, err := o.expect("':' after the member name", ":"); err != nil {
			return err
		}
		if err := o.member(name, seen); err != nil {
			return err
		}
		if c, err = o.expect("',' or '}' after a member of the bundle object", ",}"); err != nil {
			return err
		}
		if c == ',' {
			if c, err = o.peek(); err != nil {
				return o.eof(err)
			}
			if c == '}' {
				return o.syntax(o.here(), "expected a member name after ',', found '}'")
			}
		}
	}
	if err != nil {
		return err
	}
	c, err = o.peek()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	return o.syntax(o.here(), "%s after the end of the bundle object", describeByte(c))
}

// member reads the value of the member called name.
func (o *objReader) member(name string, seen map[string]bool) error {
	d := o.d
	k, links, isSection := sectionKind(name)
	dup := seen[name]
	seen[name] = true
	if isSection && !dup {
		c, err := o.peek()
		if err != nil {
			return o.eof(err)
		}
		if c == '[' {
			return o.section(name, k, links)
		}
	}
	raw, at, tooLarge, err := o.value(d.max)
	if err != nil {
		return err
	}
	if !tooLarge && !o.valid(Place{}, raw, at) {
		return nil
	}
	switch {
	case dup:
		d.drop(Place{}, "", name, CodeSyntax, "member %q appears twice in the bundle object", clip(name, 40))
	case name == "claimgraph" && tooLarge:
		d.problem(Place{}, "", name, CodeVersion, "format version is longer than %d bytes", d.max)
	case name == "claimgraph":
		d.version(Place{}, raw)
	case isSection:
		if tooLarge {
			d.drop(Place{}, "", name, CodeType, "%s must be an array", name)
		} else if !isNull(raw) {
			d.drop(Place{}, "", name, CodeType, "%s must be an array, not %s", name, jsonType(raw))
		}
	case !d.opt.AllowUnknown:
		d.problem(Place{}, "", name, CodeUnknown, "unknown member %q (want claimgraph, people, organisations, sources, quotes, claims, figures or links)", clip(name, 40))
	}
	return nil
}

// at2byte returns the first byte of raw, or 0.
func at2byte(raw []byte) byte {
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// section reads the records of a section array.
func (o *objReader) section(name string, k Kind, links bool) error {
	if _, err := o.next(); err != nil { // '['
		return err
	}
	c, err := o.peek()
	if err != nil {
		return o.eof(err)
	}
	if c == ']' {
		_, err := o.next()
		return err
	}
	for i := 0; ; i++ {
		place := Place{Section: name, Index: i}
		raw, at, tooLarge, err := o.value(o.d.max)
		if err != nil {
			return err
		}
		switch {
		case tooLarge:
			o.d.drop(place, "", "", CodeSyntax, "record is larger than %d bytes", o.d.max)
		case !o.valid(place, raw, at):
		case raw[0] != '{':
			o.d.drop(place, "", "", CodeType, "a record must be a JSON object, not %s", jsonType(raw))
		default:
			o.d.objectRecord(place, name, k, links, raw)
		}
		c, err := o.expect("',' or ']' after a record", ",]")
		if err != nil {
			return err
		}
		if c == ']' {
			return nil
		}
	}
}

// objectRecord decodes one record of a section.
func (d *decoder) objectRecord(place Place, section string, k Kind, links bool, raw []byte) {
	r := d.newRecord(place, "", raw)
	if r == nil {
		return
	}
	if traw, ok := r.take("type"); ok || traw != nil {
		want := k.String()
		if links {
			want = "link"
		}
		if typ, ok := unquote(traw); !ok || typ != want {
			d.problem(place, r.peekKey(), "type", CodeUnknownType, "type %s in %s (records of %s are of type %q)", clip(string(traw), 40), section, section, want)
		}
	}
	if links {
		d.link(r)
	} else {
		d.node(k, r)
	}
}

// describeByte names the JSON value or character that starts with c.
func describeByte(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	case c >= 0x20 && c < 0x7f:
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// jsonType names the JSON type of a raw value.
func jsonType(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func isNull(raw []byte) bool { return string(raw) == "null" }

// member is one member of a JSON object, in input order.
type member struct {
	name string
	raw  []byte
}

// record reads the fields of one JSON object (a record or a nested object),
// reporting problems against its place, key and field path.
type record struct {
	d      *decoder
	place  Place
	key    string
	prefix string // field path of the object ("span.", "derived_from[1].")
	ms     []member
	used   []bool
	dup    []bool // member repeats an earlier one's name
}

// newRecord splits obj (valid JSON) into members, reporting members given
// twice. It returns nil when obj is not an object.
func (d *decoder) newRecord(place Place, prefix string, obj []byte) *record {
	ms, err := members(obj)
	if err != nil {
		d.drop(place, "", strings.TrimSuffix(prefix, "."), CodeSyntax, "not a valid JSON object")
		return nil
	}
	r := &record{d: d, place: place, prefix: prefix, ms: ms, used: make([]bool, len(ms)), dup: make([]bool, len(ms))}
	if len(ms) > 1 {
		seen := make(map[string]bool, len(ms))
		for i, m := range ms {
			r.dup[i] = seen[m.name]
			r.used[i] = r.dup[i]
			seen[m.name] = true
		}
	}
	return r
}

// sub returns a record for a nested object of r.
func (r *record) sub(prefix string, obj []byte) *record {
	s := r.d.newRecord(r.place, prefix, obj)
	if s != nil {
		s.key = r.key
	}
	return s
}

// lookup returns the raw value of the first member called name, without
// marking it used.
func (r *record) lookup(name string) ([]byte, bool) {
	for _, m := range r.ms {
		if m.name == name {
			return m.raw, true
		}
	}
	return nil, false
}

// takeRaw marks the member called name used and returns its raw value, or
// nil when absent.
func (r *record) takeRaw(name string) []byte {
	for i, m := range r.ms {
		if m.name == name {
			r.used[i] = true
			return m.raw
		}
	}
	return nil
}

// take is takeRaw that treats null as absent: ok is false for a missing or
// null member, and raw is non-nil for null.
func (r *record) take(name string) (raw []byte, ok bool) {
	raw = r.takeRaw(name)
	if raw == nil || isNull(raw) {
		return raw, false
	}
	return raw, true
}

// peekKey returns the record's key when it is a string, for problems found
// before the key is read.
func (r *record) peekKey() string {
	if r.key != "" {
		return r.key
	}
	raw, ok := r.lookup("key")
	if !ok {
		return ""
	}
	s, _ := unquote(raw)
	return s
}

func (r *record) problem(field, code, format string, args ...any) {
	r.d.problem(r.place, r.key, r.prefix+field, code, format, args...)
}

// finish reports the members given twice and the members that no field
// read.
func (r *record) finish() {
	for i, m := range r.ms {
		switch {
		case r.dup[i]:
			r.problem(m.name, CodeSyntax, "field %q is given twice", r.prefix+clip(m.name, 40))
		case !r.used[i] && !r.d.opt.AllowUnknown:
			r.problem(m.name, CodeUnknown, "unknown field %q", r.prefix+clip(m.name, 40))
		}
	}
}

// missing reports a required field that is absent or null.
func (r *record) missing(name string, raw []byte) {
	if raw == nil {
		r.problem(name, CodeRequired, "%s%s is required", r.prefix, name)
	} else {
		r.problem(name, CodeRequired, "%s%s is required, not null", r.prefix, name)
	}
}

// str reads a string field.
func (r *record) str(name string, required bool) string {
	raw, ok := r.take(name)
	if !ok {
		if required {
			r.missing(name, raw)
		}
		return ""
	}
	s, ok := unquote(raw)
	if !ok {
		r.problem(name, CodeType, "%s%s must be a string, not %s", r.prefix, name, jsonType(raw))
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		r.problem(name, CodeRequired, "%s%s is empty", r.prefix, name)
	}
	return s
}

// unquote decodes a JSON string value.
func unquote(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// elements splits a JSON array value; ok is false when raw is not an array.
func (r *record) elements(name string, raw []byte) ([][]byte, bool) {
	els, err := arrayElements(raw)
	if err != nil {
		r.problem(name, CodeType, "%s%s must be an array, not %s", r.prefix, name, jsonType(raw))
		return nil, false
	}
	return els, true
}

// arrayElements splits a JSON array (valid JSON) into its elements.
func arrayElements(arr []byte) ([][]byte, error) {
	if len(arr) == 0 || arr[0] != '[' {
		return nil, errBadJSON
	}
	i := skipSpace(arr, 1)
	var out [][]byte
	if i < len(arr) && arr[i] == ']' {
		return out, nil
	}
	for {
		end := scanValue(arr, i)
		if end < 0 {
			return nil, errBadJSON
		}
		out = append(out, arr[i:end])
		i = skipSpace(arr, end)
		if i >= len(arr) {
			return nil, errBadJSON
		}
		switch arr[i] {
		case ',':
			i = skipSpace(arr, i+1)
		case ']':
			return out, nil
		default:
			return nil, errBadJSON
		}
	}
}

// strs reads an array of strings; an empty array reads as nil.
func (r *record) strs(name string) []string {
	raw, ok := r.take(name)
	if !ok {
		return nil
	}
	els, ok := r.elements(name, raw)
	if !ok || len(els) == 0 {
		return nil
	}
	out := make([]string, 0, len(els))
	for i, el := range els {
		s, ok := unquote(el)
		if !ok {
			r.problem(fmt.Sprintf("%s[%d]", name, i), CodeType, "%s%s[%d] must be a string, not %s", r.prefix, name, i, jsonType(el))
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// strMap reads an object of strings; an empty object reads as nil.
func (r *record) strMap(name string) map[string]string {
	raw, ok := r.take(name)
	if !ok {
		return nil
	}
	if raw[0] != '{' {
		r.problem(name, CodeType, "%s%s must be an object of strings, not %s", r.prefix, name, jsonType(raw))
		return nil
	}
	s := r.sub(r.prefix+name+".", raw)
	if s == nil {
		return nil
	}
	var out map[string]string
	for i, m := range s.ms {
		if s.dup[i] {
			continue
		}
		s.used[i] = true
		v, ok := unquote(m.raw)
		if !ok {
			s.problem(m.name, CodeType, "%s%s must be a string, not %s", s.prefix, m.name, jsonType(m.raw))
			continue
		}
		if out == nil {
			out = make(map[string]string, len(s.ms))
		}
		out[m.name] = v
	}
	s.finish()
	return out
}

// integer reads a whole number.
func (r *record) integer(name string, required bool) int {
	raw, ok := r.take(name)
	if !ok {
		if required {
			r.missing(name, raw)
		}
		return 0
	}
	if jsonType(raw) != "a number" {
		r.problem(name, CodeType, "%s%s must be a whole number, not %s", r.prefix, name, jsonType(raw))
		return 0
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		r.problem(name, CodeType, "%s%s must be a whole number (64 bits), not %s", r.prefix, name, clip(string(raw), 40))
		return 0
	}
	return n
}

// number reads a finite number.
func (r *record) number(name string, required bool) (float64, bool) {
	raw, ok := r.take(name)
	if !ok {
		if required {
			r.missing(name, raw)
		}
		return 0, false
	}
	if jsonType(raw) != "a number" {
		r.problem(name, CodeType, "%s%s must be a number, not %s", r.prefix, name, jsonType(raw))
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		r.problem(name, CodeRange, "%s%s is not a finite 64-bit number: %s", r.prefix, name, clip(string(raw), 40))
		return 0, false
	}
	return f, true
}

// boolean reads a true or false.
func (r *record) boolean(name string) bool {
	raw, ok := r.take(name)
	if !ok {
		return false
	}
	switch string(raw) {
	case "true":
		return true
	case "false":
		return false
	}
	r.problem(name, CodeType, "%s%s must be true or false, not %s", r.prefix, name, jsonType(raw))
	return false
}

// object reads a nested object with fn.
func (r *record) object(name string, fn func(*record)) bool {
	raw, ok := r.take(name)
	if !ok {
		return false
	}
	if raw[0] != '{' {
		r.problem(name, CodeType, "%s%s must be an object, not %s", r.prefix, name, jsonType(raw))
		return false
	}
	s := r.sub(r.prefix+name+".", raw)
	if s == nil {
		return false
	}
	fn(s)
	s.finish()
	return true
}

// objects reads an array of nested objects, calling fn for each.
func (r *record) objects(name string, fn func(*record)) {
	raw, ok := r.take(name)
	if !ok {
		return
	}
	els, ok := r.elements(name, raw)
	if !ok {
		return
	}
	for i, el := range els {
		field := fmt.Sprintf("%s[%d]", name, i)
		if el[0] != '{' {
			r.problem(field, CodeType, "%s%s must be an object, not %s", r.prefix, field, jsonType(el))
			continue
		}
		s := r.sub(r.prefix+field+".", el)
		if s == nil {
			continue
		}
		fn(s)
		s.finish()
	}
}

// node decodes the fields of a node record of kind k and appends it.
func (d *decoder) node(k Kind, r *record) {
	r.key = r.str("key", true)
	var n Node
	switch k {
	case KindPerson:
		p := &Person{Key: r.key}
		p.Name = r.str("name", true)
		p.Aliases = r.strs("aliases")
		p.Description = r.str("description", false)
		p.IDs = r.strMap("ids")
		r.objects("affiliations", func(s *record) {
			a := Affiliation{Organisation: s.str("organisation", true)}
			a.Role = s.str("role", false)
			a.From = s.str("from", false)
			a.To = s.str("to", false)
			p.Affiliations = append(p.Affiliations, a)
		})
		n = p
	case KindOrganisation:
		o := &Organisation{Key: r.key}
		o.Name = r.str("name", true)
		o.Aliases = r.strs("aliases")
		o.Kind = r.str("kind", false)
		o.Parent = r.str("parent", false)
		o.Description = r.str("description", false)
		o.IDs = r.strMap("ids")
		n = o
	case KindSource:
		s := &Source{Key: r.key}
		s.Kind = r.str("kind", true)
		s.Title = r.str("title", false)
		s.URL = r.str("url", false)
		s.Publisher = r.str("publisher", false)
		s.Authors = r.strs("authors")
		s.PublishedAt = r.str("published_at", false)
		s.UpdatedAt = r.str("updated_at", false)
		s.RetrievedAt = r.str("retrieved_at", false)
		s.Language = r.str("language", false)
		s.Text = r.str("text", false)
		s.ContentSHA256 = r.str("content_sha256", false)
		s.ArchiveURL = r.str("archive_url", false)
		r.objects("derived_from", func(sub *record) {
			dv := Derivation{Source: sub.str("source", true)}
			dv.Relation = sub.str("relation", true)
			s.DerivedFrom = append(s.DerivedFrom, dv)
		})
		n = s
	case KindQuote:
		q := &Quote{Key: r.key}
		q.Text = r.str("text", true)
		q.Speaker = r.str("speaker", false)
		q.Source = r.str("source", true)
		q.Span = r.span()
		q.Cue = r.str("cue", false)
		q.Mode = r.str("mode", false)
		q.SaidAt = r.str("said_at", false)
		q.Channel = r.str("channel", false)
		q.ReportedBy = r.str("reported_by", false)
		q.Certainty = r.str("certainty", false)
		q.Claims = r.strs("claims")
		n = q
	case KindClaim:
		c := &Claim{Key: r.key}
		c.Text = r.str("text", true)
		c.Topics = r.strs("topics")
		c.About = r.strs("about")
		n = c
	case KindFigure:
		f := &Figure{Key: r.key}
		f.Text = r.str("text", false)
		f.Value, _ = r.number("value", true)
		if v, ok := r.number("value_max", false); ok {
			f.ValueMax = &v
		}
		f.Unit = r.str("unit", true)
		f.Measure = r.str("measure", false)
		f.Subject = r.str("subject", false)
		f.Period = r.str("period", false)
		f.Baseline = r.str("baseline", false)
		f.Change = r.str("change", false)
		f.Approx = r.boolean("approx")
		f.StatedBy = r.str("stated_by", false)
		f.Source = r.str("source", false)
		f.Span = r.span()
		f.DerivedFrom = r.strs("derived_from")
		n = f
	}
	r.finish()
	d.b.Nodes = append(d.b.Nodes, n)
	d.b.NodePlaces = append(d.b.NodePlaces, r.place)
}

// span reads the optional span field.
func (r *record) span() *Span {
	var sp *Span
	r.object("span", func(s *record) {
		sp = &Span{}
		sp.Start = s.integer("start", true)
		sp.End = s.integer("end", true)
		sp.Prefix = s.str("prefix", false)
		sp.Suffix = s.str("suffix", false)
		sp.ContentSHA256 = s.str("content_sha256", false)
	})
	return sp
}

// link decodes a link record and appends it.
func (d *decoder) link(r *record) {
	l := Link{}
	l.From = r.str("from", true)
	l.To = r.str("to", true)
	l.Relation = Relation(r.str("relation", true))
	l.Reason = r.str("reason", false)
	l.Note = r.str("note", false)
	l.By = r.str("by", false)
	l.At = r.str("at", false)
	r.finish()
	d.b.Links = append(d.b.Links, l)
	d.b.LinkPlaces = append(d.b.LinkPlaces, r.place)
}

// errNotObject and errBadJSON are returned by members.
var (
	errNotObject = errors.New("not a JSON object")
	errBadJSON   = errors.New("malformed JSON")
)

// members splits a JSON object into its members in input order. The input
// is expected to be valid JSON; malformed input yields an error, never a
// panic.
func members(obj []byte) ([]member, error) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, errNotObject
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return nil, nil
	}
	// One allocation for a record of the usual size, instead of a slice
	// doubled from one member.
	out := make([]member, 0, 8)
	for {
		if i >= len(obj) || obj[i] != '"' {
			return nil, errBadJSON
		}
		end := scanString(obj, i)
		if end < 0 {
			return nil, errBadJSON
		}
		name, ok := unquote(obj[i:end])
		if !ok {
			return nil, errBadJSON
		}
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return nil, errBadJSON
		}
		i = skipSpace(obj, i+1)
		vend := scanValue(obj, i)
		if vend < 0 {
			return nil, errBadJSON
		}
		out = append(out, member{name: name, raw: obj[i:vend]})
		i = skipSpace(obj, vend)
		if i >= len(obj) {
			return nil, errBadJSON
		}
		switch obj[i] {
		case ',':
			i = skipSpace(obj, i+1)
		case '}':
			return out, nil
		default:
			return nil, errBadJSON
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the index after the string that starts at b[i] == '"',
// or -1.
func scanString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// scanValue returns the index after the JSON value that starts at b[i], or
// -1.
func scanValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return scanString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := scanString(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}
