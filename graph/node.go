package graph

// Node is one record of the graph: a *Person, *Organisation, *Source,
// *Quote, *Claim or *Figure.
type Node interface {
	// NodeKey returns the node's key, unique across all kinds.
	NodeKey() string
	// NodeKind returns the node's kind.
	NodeKind() Kind
	// Refs lists the references the node's fields hold, in field order.
	Refs() []Ref
}

// Relation names an edge: a reference field (speaker, source ...) or a link
// relation (supports, contradicts ...).
type Relation string

// Relations held by reference fields. Each is stored as one adjacency key per
// direction.
const (
	RelSpeaker     Relation = "speaker"      // quote -> person or organisation
	RelSource      Relation = "source"       // quote or figure -> source
	RelChannel     Relation = "channel"      // quote -> source where the words were first said
	RelReportedBy  Relation = "reported_by"  // quote -> enclosing quote
	RelExpresses   Relation = "expresses"    // quote -> claim (Quote.Claims)
	RelPublisher   Relation = "publisher"    // source -> organisation
	RelAuthor      Relation = "author"       // source -> person or organisation
	RelDerivedFrom Relation = "derived_from" // source -> source, figure -> node
	RelStatedBy    Relation = "stated_by"    // figure -> person or organisation
	RelParent      Relation = "parent"       // organisation -> organisation
	RelAffiliation Relation = "affiliation"  // person -> organisation
	RelAbout       Relation = "about"        // claim -> node
)

// Link relations.
const (
	RelSupports    Relation = "supports"
	RelContradicts Relation = "contradicts"
	RelContext     Relation = "context"
	RelSameAs      Relation = "same_as"
	RelRepeats     Relation = "repeats"
	RelRetracts    Relation = "retracts"
	RelCorrects    Relation = "corrects"
	RelRespondsTo  Relation = "responds_to"
)

// FieldRelations lists the reference relations; LinkRelations (strings)
// lists the link relations.
var FieldRelations = []Relation{RelSpeaker, RelSource, RelChannel, RelReportedBy, RelExpresses, RelPublisher, RelAuthor, RelDerivedFrom, RelStatedBy, RelParent, RelAffiliation, RelAbout}

// IsLink reports whether r is a link relation rather than a reference field.
func (r Relation) IsLink() bool { return OneOf(string(r), LinkRelations) }

// Ref is one reference held by a node field.
type Ref struct {
	// Field is the bundle field that holds it ("speaker", "derived_from").
	Field string
	// Relation is the edge relation.
	Relation Relation
	// To is the referenced key.
	To string
	// Qualifier carries the derivation relation of a source's derived_from
	// ("quotes"), the role of an affiliation, or the attribution cue of a
	// quote's speaker and reported_by ("said", "told reporters"), so that
	// a walk along the attribution has the cue without reading the quote.
	Qualifier string
}

// Span is a range of Unicode code points [Start, End) in a source's text,
// with the W3C Web Annotation text quote selector (up to 32 code points
// before and after) and the hash of the text it was anchored in, so that a
// re-fetched text can be re-anchored and drift reported. Prefix, Suffix and
// ContentSHA256 are filled on import when the source's text is known.
type Span struct {
	Start         int    `json:"start"`
	End           int    `json:"end"`
	Prefix        string `json:"prefix,omitempty"`
	Suffix        string `json:"suffix,omitempty"`
	ContentSHA256 string `json:"content_sha256,omitempty"`
}

// Affiliation ties a person to an organisation, with an optional role and
// date range.
type Affiliation struct {
	Organisation string `json:"organisation"`
	Role         string `json:"role,omitempty"`
	From         string `json:"from,omitempty"`
	To           string `json:"to,omitempty"`
}

// Derivation says that a source derives from another source, and how.
type Derivation struct {
	Source   string `json:"source"`
	Relation string `json:"relation"`
}

// Person is a human speaker or author.
type Person struct {
	Key          string            `json:"key"`
	Name         string            `json:"name"`
	Aliases      []string          `json:"aliases,omitempty"`
	Description  string            `json:"description,omitempty"`
	IDs          map[string]string `json:"ids,omitempty"`
	Affiliations []Affiliation     `json:"affiliations,omitempty"`
}

// Organisation is an agency, company, outlet, party, or group of people
// speaking as one.
type Organisation struct {
	Key         string            `json:"key"`
	Name        string            `json:"name"`
	Aliases     []string          `json:"aliases,omitempty"`
	Kind        string            `json:"kind,omitempty"`
	Parent      string            `json:"parent,omitempty"`
	Description string            `json:"description,omitempty"`
	IDs         map[string]string `json:"ids,omitempty"`
}

// Source is where words or numbers appear.
type Source struct {
	Key           string       `json:"key"`
	Kind          string       `json:"kind"`
	Title         string       `json:"title,omitempty"`
	URL           string       `json:"url,omitempty"`
	Publisher     string       `json:"publisher,omitempty"`
	Authors       []string     `json:"authors,omitempty"`
	PublishedAt   string       `json:"published_at,omitempty"`
	UpdatedAt     string       `json:"updated_at,omitempty"`
	RetrievedAt   string       `json:"retrieved_at,omitempty"`
	Language      string       `json:"language,omitempty"`
	Text          string       `json:"text,omitempty"`
	ContentSHA256 string       `json:"content_sha256,omitempty"`
	ArchiveURL    string       `json:"archive_url,omitempty"`
	DerivedFrom   []Derivation `json:"derived_from,omitempty"`
}

// Quote is one attribution: the words (or their gist) of a speaker appearing
// in a source.
type Quote struct {
	Key        string   `json:"key"`
	Text       string   `json:"text"`
	Speaker    string   `json:"speaker,omitempty"`
	Source     string   `json:"source"`
	Span       *Span    `json:"span,omitempty"`
	Cue        string   `json:"cue,omitempty"`
	Mode       string   `json:"mode,omitempty"`
	SaidAt     string   `json:"said_at,omitempty"`
	Channel    string   `json:"channel,omitempty"`
	ReportedBy string   `json:"reported_by,omitempty"`
	Certainty  string   `json:"certainty,omitempty"`
	Claims     []string `json:"claims,omitempty"`
}

// Claim is a proposition, independent of who says it.
type Claim struct {
	Key    string   `json:"key"`
	Text   string   `json:"text"`
	Topics []string `json:"topics,omitempty"`
	About  []string `json:"about,omitempty"`
}

// Figure is a stated quantity.
type Figure struct {
	Key         string   `json:"key"`
	Text        string   `json:"text,omitempty"`
	Value       float64  `json:"value"`
	ValueMax    *float64 `json:"value_max,omitempty"`
	Unit        string   `json:"unit"`
	Measure     string   `json:"measure,omitempty"`
	Subject     string   `json:"subject,omitempty"`
	Period      string   `json:"period,omitempty"`
	Baseline    string   `json:"baseline,omitempty"`
	Change      string   `json:"change,omitempty"`
	Approx      bool     `json:"approx,omitempty"`
	StatedBy    string   `json:"stated_by,omitempty"`
	Source      string   `json:"source,omitempty"`
	Span        *Span    `json:"span,omitempty"`
	DerivedFrom []string `json:"derived_from,omitempty"`
}

// Link is a typed evidence or disagreement edge, identified by
// (From, Relation, To). At is an RFC 3339 time; By names who made it.
type Link struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Relation Relation `json:"relation"`
	Reason   string   `json:"reason,omitempty"`
	Note     string   `json:"note,omitempty"`
	By       string   `json:"by,omitempty"`
	At       string   `json:"at,omitempty"`
}

// NodeKey implements Node.
func (p *Person) NodeKey() string { return p.Key }

// NodeKind implements Node.
func (p *Person) NodeKind() Kind { return KindPerson }

// Refs implements Node.
func (p *Person) Refs() []Ref {
	var r []Ref
	for _, a := range p.Affiliations {
		r = append(r, Ref{Field: "affiliations", Relation: RelAffiliation, To: a.Organisation, Qualifier: a.Role})
	}
	return r
}

// NodeKey implements Node.
func (o *Organisation) NodeKey() string { return o.Key }

// NodeKind implements Node.
func (o *Organisation) NodeKind() Kind { return KindOrganisation }

// Refs implements Node.
func (o *Organisation) Refs() []Ref {
	return appendRef(nil, "parent", RelParent, o.Parent, "")
}

// NodeKey implements Node.
func (s *Source) NodeKey() string { return s.Key }

// NodeKind implements Node.
func (s *Source) NodeKind() Kind { return KindSource }

// Refs implements Node.
func (s *Source) Refs() []Ref {
	r := appendRef(nil, "publisher", RelPublisher, s.Publisher, "")
	for _, a := range s.Authors {
		r = appendRef(r, "authors", RelAuthor, a, "")
	}
	for _, d := range s.DerivedFrom {
		r = appendRef(r, "derived_from", RelDerivedFrom, d.Source, d.Relation)
	}
	return r
}

// NodeKey implements Node.
func (q *Quote) NodeKey() string { return q.Key }

// NodeKind implements Node.
func (q *Quote) NodeKind() Kind { return KindQuote }

// Refs implements Node.
func (q *Quote) Refs() []Ref {
	r := appendRef(nil, "speaker", RelSpeaker, q.Speaker, q.Cue)
	r = appendRef(r, "source", RelSource, q.Source, "")
	r = appendRef(r, "channel", RelChannel, q.Channel, "")
	r = appendRef(r, "reported_by", RelReportedBy, q.ReportedBy, q.Cue)
	for _, c := range q.Claims {
		r = appendRef(r, "claims", RelExpresses, c, "")
	}
	return r
}

// NodeKey implements Node.
func (c *Claim) NodeKey() string { return c.Key }

// NodeKind implements Node.
func (c *Claim) NodeKind() Kind { return KindClaim }

// Refs implements Node.
func (c *Claim) Refs() []Ref {
	var r []Ref
	for _, a := range c.About {
		r = appendRef(r, "about", RelAbout, a, "")
	}
	return r
}

// NodeKey implements Node.
func (f *Figure) NodeKey() string { return f.Key }

// NodeKind implements Node.
func (f *Figure) NodeKind() Kind { return KindFigure }

// Refs implements Node.
func (f *Figure) Refs() []Ref {
	r := appendRef(nil, "stated_by", RelStatedBy, f.StatedBy, "")
	r = appendRef(r, "source", RelSource, f.Source, "")
	for _, d := range f.DerivedFrom {
		r = appendRef(r, "derived_from", RelDerivedFrom, d, "")
	}
	return r
}

func appendRef(r []Ref, field string, rel Relation, to, qual string) []Ref {
	if to == "" {
		return r
	}
	return append(r, Ref{Field: field, Relation: rel, To: to, Qualifier: qual})
}

// NewNode returns an empty node of kind k, or nil for an invalid kind.
func NewNode(k Kind) Node {
	switch k {
	case KindPerson:
		return &Person{}
	case KindOrganisation:
		return &Organisation{}
	case KindSource:
		return &Source{}
	case KindQuote:
		return &Quote{}
	case KindClaim:
		return &Claim{}
	case KindFigure:
		return &Figure{}
	}
	return nil
}
