package graph

import "fmt"

// Kind is the kind of a node. The zero value is not a valid kind.
type Kind uint8

// The six node kinds. Their numeric values are stored (the top byte of a
// store's internal ids), so they must never be renumbered.
const (
	KindPerson       Kind = 1
	KindOrganisation Kind = 2
	KindSource       Kind = 3
	KindQuote        Kind = 4
	KindClaim        Kind = 5
	KindFigure       Kind = 6
)

// Kinds lists every kind in order.
var Kinds = []Kind{KindPerson, KindOrganisation, KindSource, KindQuote, KindClaim, KindFigure}

var kindNames = [...]string{"", "person", "organisation", "source", "quote", "claim", "figure"}

// kindSections are the bundle object's array names, in the same order.
var kindSections = [...]string{"", "people", "organisations", "sources", "quotes", "claims", "figures"}

// String returns the lower-case name used in bundles ("person").
func (k Kind) String() string {
	if k.Valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Section returns the name of the kind's array in a bundle object ("people").
func (k Kind) Section() string {
	if k.Valid() {
		return kindSections[k]
	}
	return ""
}

// Valid reports whether k is one of the six kinds.
func (k Kind) Valid() bool { return k >= KindPerson && k <= KindFigure }

// IsAgent reports whether nodes of kind k can speak (people and organisations).
func (k Kind) IsAgent() bool { return k == KindPerson || k == KindOrganisation }

// ParseKind returns the kind named by s (a bundle name such as "person", or
// a section name such as "people").
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if s == kindNames[k] || s == kindSections[k] {
			return k, true
		}
	}
	return 0, false
}

// Enumerations of the bundle format, lower case as written in bundles.
var (
	// SourceKinds are the values of Source.Kind.
	SourceKinds = []string{"article", "social_post", "statement", "press_release", "report", "dataset", "transcript", "broadcast", "interview", "call", "other"}
	// OrganisationKinds are the values of Organisation.Kind.
	OrganisationKinds = []string{"government", "company", "media", "ngo", "party", "academic", "group", "other"}
	// QuoteModes are the values of Quote.Mode.
	QuoteModes = []string{"direct", "partial", "indirect", "paraphrase"}
	// Certainties are the values of Quote.Certainty.
	Certainties = []string{"certain", "probable", "possible", "unknown"}
	// DerivationRelations are the values of Derivation.Relation.
	DerivationRelations = []string{"quotes", "cites", "republishes", "summarises", "translates", "updates"}
	// LinkRelations are the values of Link.Relation.
	LinkRelations = []string{"supports", "contradicts", "context", "same_as", "repeats", "retracts", "corrects", "responds_to"}
	// ContradictionReasons are the values of Link.Reason.
	ContradictionReasons = []string{"different_measure", "different_period", "different_scope", "misquote", "outdated", "factual"}
	// Changes are the values of Figure.Change.
	Changes = []string{"increase", "decrease"}
)

// OneOf reports whether v is one of the values in set.
func OneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}
