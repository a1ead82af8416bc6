package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
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
//
// What each change records:
//
//   - created, updated (Link nil): the node's bundle JSON before (nil when
//     created) and after.
//   - linked: a new link, on both ends; Before nil, After the link's JSON.
//   - updated with Link set: a link whose reason or note changed, on its
//     From node only; Before and After the link's JSON.
//   - unlinked: on both ends; Before the link's JSON, After nil.
//   - retracted: of a node on the node, of a link on both ends; Before the
//     record's JSON, After the same JSON with a "retracted" member
//     ({"at", "by", "reason"}). Note is the batch's note, or the reason
//     when the batch has none.
//   - merged: on each merged node, Before its JSON and After the JSON of
//     the node it was merged into; and on that node, Before and After its
//     JSON (its aliases grow).
//
// A batch that writes a node and links it makes several revisions of the
// node with the same Rev, in the order of the batch (nodes, links,
// unlinks, retractions, merges).
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
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// LinkID identifies a link.
type LinkID struct {
	From     string   `json:"from"`
	Relation Relation `json:"relation"`
	To       string   `json:"to"`
}

// String renders the link id as "from -relation-> to".
func (id LinkID) String() string { return fmt.Sprintf("%s -%s-> %s", id.From, id.Relation, id.To) }

// ID returns the identity of a link.
func (l Link) ID() LinkID { return LinkID{From: l.From, Relation: l.Relation, To: l.To} }

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
//
// Precisely: Keys and Into are stored nodes of one kind, person or
// organisation, none of them merged already. Each merged node is folded
// into Into with MergeInto (names and aliases become aliases; missing ids,
// affiliations, description, kind and parent are taken over). Every edge to
// or from a merged node, reference field or link, moves to Into; an edge
// Into already has (same relation and other end) is kept as it is, and an
// edge between two nodes of the merge is dropped. The merged records leave
// List and the indexes; their keys resolve to Into (Node, Kinds, Edges,
// Resolve, references in later batches), but History of a merged key still
// returns that node's own history, which ends with its merged revision.
// Records that refer to a merged key keep the key as written. A batch holds
// at most one Merge and no other operation.
//
// A node written later under a merged key is folded into Into the same way
// (MergeInto) instead of being stored: it counts as changed when that
// changes Into, unchanged otherwise.
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

// ConflictError is the error of a batch whose Expected revision of a key
// is not the key's latest revision (0: the key exists). It wraps
// ErrConflict. Unlike a commit that lost a race, it is not retried: the
// caller read stale data.
type ConflictError struct {
	Key      string
	Expected int64
	Actual   int64
}

// Error names the key and both revisions.
func (e *ConflictError) Error() string {
	switch {
	case e.Expected == 0:
		return fmt.Sprintf("write conflict: %q was expected not to exist; it is at revision %d", e.Key, e.Actual)
	case e.Actual == 0:
		return fmt.Sprintf("write conflict: %q was expected at revision %d; it does not exist", e.Key, e.Expected)
	}
	return fmt.Sprintf("write conflict: %q was expected at revision %d; it is at revision %d", e.Key, e.Expected, e.Actual)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// CheckExpected compares the expected revisions of a batch with the latest
// ones that r reports and returns a *ConflictError for the first key (in
// key order) that differs, nil when all match. Stores call it inside their
// serialised writer.
func CheckExpected(ctx context.Context, expected map[string]int64, r HistoryReader) error {
	if len(expected) == 0 {
		return nil
	}
	keys := make([]string, 0, len(expected))
	for k := range expected {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	revs, err := r.Revisions(ctx, keys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if revs[k] != expected[k] {
			return &ConflictError{Key: k, Expected: expected[k], Actual: revs[k]}
		}
	}
	return nil
}

// Problem codes of curation operations (see also the codes in bundle.go).
const (
	CodeUnknownLink = "unknown_link"           // unlink or retract of a link that is not stored
	CodeMerged      = "merged_key"             // key already merged into another node
	CodeConflicting = "conflicting_operations" // operations of one batch that cannot go together
)

// Sections of curation problems' places.
const (
	SectionUnlinks  = "unlinks"
	SectionRetracts = "retracts"
	SectionMerges   = "merges"
)

// ValidateCuration checks the unlinks, retractions and merges of a batch
// against the batch itself and the state r reads (the store's last commit,
// read inside its writer), and returns every problem found, with places
// such as "unlinks[0]". It reads r only for the keys and links the
// operations name.
//
// Unlinks: a link relation; a stored link (CodeUnknownLink), not written by
// the batch's links (CodeConflicting), not twice. Retracts: a reason; a key
// or a link, not both; a key stored or written by the batch (CodeDangling);
// a link stored or written by the batch and not unlinked by it. Merges: at
// most one, alone in its batch (CodeConflicting); Into and every key
// stored (CodeDangling), not merged already (CodeMerged), people or
// organisations of Into's kind (CodeWrongKind), none twice and none equal to
// Into.
func ValidateCuration(ctx context.Context, b *Batch, r Reader) ([]Problem, error) {
	if b == nil || len(b.Unlinks)+len(b.Retracts)+len(b.Merges) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &curation{b: b, r: r, ctx: ctx, nodes: map[string]Kind{}, links: map[LinkID]bool{}, stored: map[LinkID]bool{}}
	for _, n := range b.Nodes {
		if checkNode(n) == nil {
			c.nodes[n.NodeKey()] = n.NodeKind()
		}
	}
	for _, l := range b.Links {
		c.links[l.ID()] = true
	}
	if err := c.resolveAll(); err != nil {
		return nil, err
	}
	unlinked := map[LinkID]bool{}
	for i, u := range b.Unlinks {
		p := Place{Section: SectionUnlinks, Index: i}
		if !c.linkID(p, u) {
			continue
		}
		cu := c.canonLink(u)
		switch {
		case c.links[u] || c.links[cu]:
			c.problem(p, "", "", CodeConflicting, "link %s is both written and unlinked by the batch", u)
		case unlinked[cu]:
			c.problem(p, "", "", CodeDuplicate, "link %s is unlinked twice", u)
		default:
			ok, err := c.storedLink(cu)
			if err != nil {
				return nil, err
			}
			if !ok {
				c.problem(p, "", "", CodeUnknownLink, "no link %s is stored", u)
			}
		}
		unlinked[cu] = true
	}
	for i, rt := range b.Retracts {
		p := Place{Section: SectionRetracts, Index: i}
		if strings.TrimSpace(rt.Reason) == "" {
			c.problem(p, rt.Key, "reason", CodeRequired, "a retraction needs a reason")
		}
		switch {
		case rt.Key == "" && rt.Link == nil:
			c.problem(p, "", "key", CodeRequired, "a retraction names a key or a link")
		case rt.Key != "" && rt.Link != nil:
			c.problem(p, rt.Key, "link", CodeConflicting, "a retraction names a key or a link, not both")
		case rt.Key != "":
			if _, ok := c.nodes[rt.Key]; !ok && c.resolved[rt.Key] == "" {
				c.problem(p, rt.Key, "key", CodeDangling, "no node %q is stored or written by the batch", rt.Key)
			}
		default:
			if !c.linkID(p, *rt.Link) {
				continue
			}
			u, cu := *rt.Link, c.canonLink(*rt.Link)
			if unlinked[cu] {
				c.problem(p, "", "link", CodeConflicting, "link %s is both unlinked and retracted by the batch", u)
				continue
			}
			if c.links[u] || c.links[cu] {
				continue
			}
			ok, err := c.storedLink(cu)
			if err != nil {
				return nil, err
			}
			if !ok {
				c.problem(p, "", "link", CodeUnknownLink, "no link %s is stored or written by the batch", u)
			}
		}
	}
	c.merges()
	return c.problems, nil
}

// curation is the state of ValidateCuration.
type curation struct {
	ctx      context.Context
	b        *Batch
	r        Reader
	nodes    map[string]Kind // written by the batch
	links    map[LinkID]bool // written by the batch
	stored   map[LinkID]bool // stored links found
	resolved map[string]string
	kinds    map[string]Kind
	problems []Problem
}

func (c *curation) problem(p Place, key, field, code, format string, args ...any) {
	c.problems = append(c.problems, Problem{Place: p, Key: clip(key, 130), Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// resolveAll resolves, with one Resolve and one Kinds call, every key the
// operations name.
func (c *curation) resolveAll() error {
	var keys []string
	add := func(ks ...string) {
		for _, k := range ks {
			if k != "" {
				keys = append(keys, k)
			}
		}
	}
	for _, u := range c.b.Unlinks {
		add(u.From, u.To)
	}
	for _, rt := range c.b.Retracts {
		add(rt.Key)
		if rt.Link != nil {
			add(rt.Link.From, rt.Link.To)
		}
	}
	for _, m := range c.b.Merges {
		add(m.Into)
		add(m.Keys...)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	c.resolved, c.kinds = map[string]string{}, map[string]Kind{}
	if c.r == nil || len(keys) == 0 {
		return nil
	}
	var err error
	if c.resolved, err = c.r.Resolve(c.ctx, keys); err != nil {
		return fmt.Errorf("validate: resolve keys: %w", err)
	}
	if c.kinds, err = c.r.Kinds(c.ctx, keys); err != nil {
		return fmt.Errorf("validate: read kinds: %w", err)
	}
	return nil
}

// linkID checks the shape of a link id.
func (c *curation) linkID(p Place, id LinkID) bool {
	ok := true
	for _, f := range []struct{ field, key string }{{"from", id.From}, {"to", id.To}} {
		switch {
		case f.key == "":
			c.problem(p, "", f.field, CodeRequired, "%s is required", f.field)
			ok = false
		case !ValidKey(f.key):
			c.problem(p, "", f.field, CodeBadKey, "%s %q is not a valid key (%s)", f.field, clip(f.key, 40), KeyPattern)
			ok = false
		}
	}
	if !id.Relation.IsLink() {
		c.problem(p, "", "relation", CodeEnum, "%q is not a link relation (one of %s)", clip(string(id.Relation), 40), strings.Join(LinkRelations, ", "))
		ok = false
	}
	return ok
}

// canonLink returns the link id with both ends resolved.
func (c *curation) canonLink(id LinkID) LinkID {
	if k := c.resolved[id.From]; k != "" {
		id.From = k
	}
	if k := c.resolved[id.To]; k != "" {
		id.To = k
	}
	return id
}

// storedLink reports whether r holds the link (ends resolved).
func (c *curation) storedLink(id LinkID) (bool, error) {
	if c.stored[id] {
		return true, nil
	}
	if c.r == nil || c.resolved[id.From] == "" || c.resolved[id.To] == "" {
		return false, nil
	}
	es, err := c.r.Edges(c.ctx, EdgeQuery{Key: id.From, Dir: Out, Relations: []Relation{id.Relation}})
	if err != nil {
		return false, fmt.Errorf("validate: read links of %q: %w", id.From, err)
	}
	for _, e := range es {
		if e.To == id.To {
			c.stored[id] = true
			return true, nil
		}
	}
	return false, nil
}

func (c *curation) merges() {
	b := c.b
	if len(b.Merges) == 0 {
		return
	}
	if len(b.Merges) > 1 || len(b.Nodes)+len(b.Links)+len(b.Unlinks)+len(b.Retracts) > 0 {
		c.problem(Place{Section: SectionMerges, Index: 0}, "", "", CodeConflicting,
			"a batch holds at most one merge and no other operation (it has %d merges, %d nodes, %d links, %d unlinks, %d retractions)",
			len(b.Merges), len(b.Nodes), len(b.Links), len(b.Unlinks), len(b.Retracts))
	}
	for i, m := range b.Merges {
		p := Place{Section: SectionMerges, Index: i}
		intoKind, intoOK := c.mergeKey(p, "into", m.Into)
		if intoOK && !intoKind.IsAgent() {
			c.problem(p, m.Into, "into", CodeWrongKind, "%q is %s; only people and organisations are merged", m.Into, article(intoKind))
			intoOK = false
		}
		if len(m.Keys) == 0 {
			c.problem(p, m.Into, "keys", CodeRequired, "a merge names the keys to merge")
		}
		seen := map[string]bool{}
		for j, k := range m.Keys {
			field := fmt.Sprintf("keys[%d]", j)
			switch {
			case k == m.Into && k != "":
				c.problem(p, k, field, CodeSelfLink, "%q cannot be merged into itself", k)
				continue
			case seen[k]:
				c.problem(p, k, field, CodeDuplicate, "%q is named twice", k)
				continue
			}
			seen[k] = true
			kind, ok := c.mergeKey(p, field, k)
			if ok && intoOK && kind != intoKind {
				c.problem(p, k, field, CodeWrongKind, "%q is %s; %q is %s", k, article(kind), m.Into, article(intoKind))
			}
		}
	}
}

// mergeKey checks one key of a merge: stored, not merged already.
func (c *curation) mergeKey(p Place, field, key string) (Kind, bool) {
	switch {
	case key == "":
		c.problem(p, "", field, CodeRequired, "%s is required", field)
		return 0, false
	case !ValidKey(key):
		c.problem(p, key, field, CodeBadKey, "%q is not a valid key (%s)", clip(key, 40), KeyPattern)
		return 0, false
	}
	to, ok := c.resolved[key]
	switch {
	case !ok:
		c.problem(p, key, field, CodeDangling, "no node %q is stored", key)
		return 0, false
	case to != key:
		c.problem(p, key, field, CodeMerged, "%q was merged into %q already", key, to)
		return 0, false
	}
	return c.kinds[key], true
}

// MergeInto folds the node from into the node into, both people or both
// organisations: from's name and aliases become aliases of into (those it
// lacks, compared ignoring case and spacing), and ids, affiliations,
// description, organisation kind and parent that into lacks are taken from
// from. It reports whether into changed. Other kinds are left alone.
func MergeInto(into, from Node) bool {
	switch in := into.(type) {
	case *Person:
		f, ok := from.(*Person)
		if !ok || in == nil || f == nil {
			return false
		}
		ch := addAliases(&in.Aliases, in.Name, f.Name, f.Aliases)
		ch = addIDs(&in.IDs, f.IDs) || ch
		for _, a := range f.Affiliations {
			if !slices.Contains(in.Affiliations, a) {
				in.Affiliations = append(in.Affiliations, a)
				ch = true
			}
		}
		if in.Description == "" && f.Description != "" {
			in.Description, ch = f.Description, true
		}
		return ch
	case *Organisation:
		f, ok := from.(*Organisation)
		if !ok || in == nil || f == nil {
			return false
		}
		ch := addAliases(&in.Aliases, in.Name, f.Name, f.Aliases)
		ch = addIDs(&in.IDs, f.IDs) || ch
		if in.Description == "" && f.Description != "" {
			in.Description, ch = f.Description, true
		}
		if in.Kind == "" && f.Kind != "" {
			in.Kind, ch = f.Kind, true
		}
		if in.Parent == "" && f.Parent != "" && f.Parent != in.Key {
			in.Parent, ch = f.Parent, true
		}
		return ch
	}
	return false
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

func addAliases(aliases *[]string, name, otherName string, otherAliases []string) bool {
	ch := false
	for _, a := range append([]string{otherName}, otherAliases...) {
		if strings.TrimSpace(a) == "" || sameName(a, name) ||
			slices.ContainsFunc(*aliases, func(x string) bool { return sameName(x, a) }) {
			continue
		}
		*aliases = append(*aliases, a)
		ch = true
	}
	return ch
}

func addIDs(ids *map[string]string, other map[string]string) bool {
	ch := false
	keys := make([]string, 0, len(other))
	for k := range other {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := (*ids)[k]; ok {
			continue
		}
		if *ids == nil {
			*ids = map[string]string{}
		}
		(*ids)[k] = other[k]
		ch = true
	}
	return ch
}

// WithRetracted returns a JSON object (a record's bundle JSON) with a
// "retracted" member holding rt: the After of a retracted revision.
func WithRetracted(record json.RawMessage, rt Retraction) json.RawMessage {
	rj, err := json.Marshal(rt)
	if err != nil {
		return record
	}
	body := bytes.TrimSpace(record)
	if len(body) < 2 || body[len(body)-1] != '}' {
		return record
	}
	out := make([]byte, 0, len(body)+len(rj)+16)
	out = append(out, body[:len(body)-1]...)
	if len(bytes.TrimSpace(body[1:len(body)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"retracted":`...)
	out = append(out, rj...)
	return append(out, '}')
}

// FormatLinkTime renders a commit time as a link's At: RFC 3339 in UTC,
// with nanoseconds, so that a view as of the link's At includes it.
func FormatLinkTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// AsOfNanos returns the instant a view as of t reads, in Unix nanoseconds
// clamped to [1, max int64]: instants up to 1970 read the graph before
// every commit (stores stamp commits with the current time), instants after
// 2262 the latest state.
func AsOfNanos(t time.Time) int64 {
	const maxSec = math.MaxInt64 / int64(time.Second)
	switch sec := t.Unix(); {
	case sec <= 0:
		if n := t.UnixNano(); sec > -maxSec && n > 0 {
			return n
		}
		return 1
	case sec >= maxSec:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// ParseAsOf reads an instant for asOf: an RFC 3339 date-time (any offset,
// fractional seconds allowed), a date-time without a zone
// ("2026-01-26T19:47" or with seconds, read as UTC, as an HTML
// datetime-local input sends it), or a date ("2026-01-26"), meaning the last
// nanosecond of that day in UTC: the graph as it stood that day. ok is false
// for anything else, and for years outside 1 to 9999.
func ParseAsOf(s string) (t time.Time, ok bool) {
	layouts := []struct {
		layout   string
		endOfDay bool
	}{
		{time.RFC3339Nano, false},
		{"2006-01-02T15:04:05.999999999", false},
		{"2006-01-02T15:04", false},
		{time.DateOnly, true},
	}
	for _, l := range layouts {
		t, err := time.ParseInLocation(l.layout, s, time.UTC)
		if err != nil {
			continue
		}
		t = t.UTC()
		if l.endOfDay {
			t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		if t.Year() < 1 || t.Year() > 9999 {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}
