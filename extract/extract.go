package extract

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"claimgraph/graph"
)

// Meta describes an article: what the caller knows that the text may not
// say. Every field is optional.
type Meta struct {
	// Key is the key of the article's source record; when empty one is
	// made from the title and the text's hash.
	Key string
	// Title of the article; when empty, a headline on the first line of
	// the text is used.
	Title string
	// URL the article was read from.
	URL string
	// PublishedAt is an RFC 3339 date-time or a date; when empty, a
	// dateline near the top of the text is used.
	PublishedAt string
	// Publisher names the outlet ("Reuters"); it becomes an organisation.
	Publisher string
	// Language is a BCP 47 tag; "en" when empty. Only English is read.
	Language string
}

// Options tune an extraction. The zero value is the default.
type Options struct {
	// SkipIndirect leaves out reported speech without quotation marks
	// ("X said that ...", "according to X, ...").
	SkipIndirect bool
	// SkipClaims creates no claims for reported propositions.
	SkipClaims bool
	// MaxBytes caps the text; 0 means DefaultMaxBytes.
	MaxBytes int
}

// DefaultMaxBytes is the largest text Extract accepts when
// Options.MaxBytes is 0.
const DefaultMaxBytes = 8 << 20

// Errors returned by Extract and ExtractHTML.
var (
	// ErrEmpty means the text has no words.
	ErrEmpty = errors.New("extract: empty text")
	// ErrTooLarge means the text is longer than Options.MaxBytes.
	ErrTooLarge = errors.New("extract: text too large")
)

// Report says what an extraction found and what it guessed.
type Report struct {
	// Title is the article's title, given or detected.
	Title string `json:"title,omitempty"`
	// TitleDetected is true when the title was read from the text.
	TitleDetected bool `json:"title_detected,omitempty"`
	// PublishedAt is the publication date, given or detected.
	PublishedAt string `json:"published_at,omitempty"`
	// DateDetected is true when the date was read from a dateline.
	DateDetected bool `json:"date_detected,omitempty"`
	// SourceKey is the key of the article's source record.
	SourceKey string `json:"source_key"`
	// Counts of what the bundle holds.
	Paragraphs    int `json:"paragraphs"`
	Quotes        int `json:"quotes"`
	Direct        int `json:"direct"`
	Partial       int `json:"partial"`
	Indirect      int `json:"indirect"`
	Unattributed  int `json:"unattributed"`
	Figures       int `json:"figures"`
	People        int `json:"people"`
	Organisations int `json:"organisations"`
	Channels      int `json:"channels"`
	Claims        int `json:"claims"`
	// Warnings lists things a curator should check.
	Warnings []string `json:"warnings,omitempty"`
}

// Extract reads one English news article and returns a draft bundle: the
// article as a source with its text and content hash, its people and
// organisations, the quotations and reported speech with their speakers,
// cues, channels and exact code-point spans, the figures, and claims for
// reported propositions. The bundle passes graph.Validate. Extract is pure
// and deterministic: the same text and meta give the same bundle.
func Extract(text string, meta Meta, opt Options) (*graph.Bundle, *Report, error) {
	max := opt.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	if len(text) > max {
		return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(text), max)
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil, ErrEmpty
	}
	d := newDocument(text)
	rep := &Report{Paragraphs: len(d.paras)}
	d.detectHeader(meta, rep)
	d.findEntities()
	d.findDocAuthors()
	d.extractQuotes(!opt.SkipIndirect)
	d.extractFigures()
	b := d.build(meta, opt, rep)
	return b, rep, nil
}

// wireAgencies maps the agency names of wire datelines to publishers.
var wireAgencies = map[string]string{
	"AP": "Associated Press", "Reuters": "Reuters", "AFP": "Agence France-Presse", "Bloomberg": "Bloomberg",
	"UPI": "United Press International", "dpa": "dpa", "CNN": "CNN", "PA": "PA Media", "ANSA": "ANSA",
}

// wireDateline finds "PINE RIDGE, Calif. (AP) — " at the start of the first
// body paragraph and splits it off its sentence.
func (d *document) wireDateline(rep *Report) {
	for pi := 0; pi < len(d.paras) && pi < 4; pi++ {
		if pi == d.titlePara || pi == d.datePara {
			continue
		}
		p := &d.paras[pi]
		if p.t1-p.t0 < 3 || !(d.ts[p.t0].is(fAllCap) || d.ts[p.t0].kind == tkWord && d.ts[p.t0].is(fCap) && p.t0+1 < p.t1 && d.ts[p.t0+1].isP(",")) {
			continue
		}
		dash := -1
		agency := ""
		for k := p.t0; k < p.t1 && k < p.t0+16; k++ {
			t := &d.ts[k]
			if t.isP("—") || t.isP("–") || t.isP("-") || t.isP("―") {
				dash = k
				break
			}
			if t.kind == tkWord && k > p.t0 && d.ts[k-1].isP("(") {
				agency = t.w
			}
			if !(t.kind == tkPunct || t.kind == tkNum || t.kind == tkWord && (t.is(fCap) || t.has(wcMonth))) {
				break
			}
		}
		if dash < 0 || dash+1 >= p.t1 {
			return
		}
		for si := range d.sents {
			s := &d.sents[si]
			if s.a <= dash && dash < s.b {
				rest := sentence{a: dash + 1, b: s.b, para: s.para}
				s.b = dash + 1
				s.skip = true
				d.sents = append(d.sents[:si+1], append([]sentence{rest}, d.sents[si+1:]...)...)
				break
			}
		}
		for si, s := range d.sents {
			for k := s.a; k < s.b; k++ {
				d.sentOf[k] = int32(si)
			}
		}
		if name := wireAgencies[agency]; name != "" {
			d.agency = name
		}
		if rep != nil && agency != "" {
			rep.Warnings = append(rep.Warnings, "wire dateline: "+d.slice(p.t0, dash))
		}
		return
	}
}

// detectHeader finds the headline and the dateline.
func (d *document) detectHeader(meta Meta, rep *Report) {
	if len(d.paras) == 0 {
		return
	}
	p0 := d.paras[0]
	first := string(d.rs[p0.s:p0.e])
	if meta.Title != "" {
		rep.Title = meta.Title
		if strings.EqualFold(strings.Join(strings.Fields(first), " "), strings.Join(strings.Fields(meta.Title), " ")) {
			d.titlePara = 0
		}
	} else if len(d.paras) > 1 && p0.e-p0.s <= 200 && d.words(p0.t0, p0.t1) >= 2 && !strings.HasSuffix(first, ".") {
		d.titlePara = 0
		rep.Title = first
		rep.TitleDetected = true
	}
	d.title = rep.Title
	if meta.PublishedAt != "" {
		d.pub = parseMetaDate(meta.PublishedAt)
		rep.PublishedAt = d.pub.String()
		if !d.pub.ok {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("published_at %q is not a date", meta.PublishedAt))
		}
	}
	for pi := 0; pi < len(d.paras) && pi < 4; pi++ {
		if pi == d.titlePara {
			continue
		}
		p := d.paras[pi]
		if p.e-p.s > 120 {
			continue
		}
		di := scanDate(string(d.rs[p.s:p.e]))
		if !di.ok {
			continue
		}
		d.datePara = pi
		if !d.pub.ok {
			d.pub = di
			rep.PublishedAt = di.String()
			rep.DateDetected = true
		}
		break
	}
	d.wireDateline(rep)
	// the headline sentence is its own paragraph; mark it
	if d.titlePara >= 0 {
		d.paras[d.titlePara].headline = true
	}
	if d.datePara >= 0 {
		d.paras[d.datePara].dateline = true
	}
}
