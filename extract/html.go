package extract

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"claimgraph/graph"
)

// HTMLText is the text and metadata read from an HTML page.
type HTMLText struct {
	// Text is the article's text: the headline and then one paragraph per
	// block element, separated by blank lines.
	Text string
	// Title is og:title, else the first <h1>, else <title>.
	Title string
	// PublishedAt is article:published_time or the first <time datetime>.
	PublishedAt string
	// URL is the canonical link or og:url.
	URL string
	// Publisher is og:site_name.
	Publisher string
	// Language is the lang attribute of <html>.
	Language string
}

// dropped elements: never article text.
func dropped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Nav, atom.Footer, atom.Aside, atom.Form, atom.Svg,
		atom.Iframe, atom.Template, atom.Button, atom.Select, atom.Textarea, atom.Head, atom.Object,
		atom.Embed, atom.Canvas, atom.Audio, atom.Video, atom.Figcaption, atom.Menu, atom.Dialog:
		return true
	}
	return false
}

// block elements end a paragraph.
func block(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li, atom.Ul, atom.Ol,
		atom.Blockquote, atom.Section, atom.Article, atom.Main, atom.Header, atom.Br, atom.Tr, atom.Table,
		atom.Pre, atom.Dd, atom.Dt, atom.Dl, atom.Figure, atom.Hr, atom.Address, atom.Td, atom.Th, atom.Body:
		return true
	}
	return false
}

// ReadHTML parses an HTML page with a real HTML parser and returns its
// article text and metadata. Script, style, navigation, footers, asides
// and forms are dropped; when the page has an <article> (else <main>) only
// that part is read. Paragraph structure is kept as blank-line separated
// paragraphs, and white space inside a paragraph is collapsed.
func ReadHTML(r io.Reader) (*HTMLText, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("extract: parse html: %w", err)
	}
	out := &HTMLText{}
	var h1, titleTag string
	var articleNode, mainNode *html.Node
	var walkMeta func(n *html.Node)
	walkMeta = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				out.Language = attr(n, "lang")
			case atom.Meta:
				prop := attr(n, "property")
				if prop == "" {
					prop = attr(n, "name")
				}
				content := strings.TrimSpace(attr(n, "content"))
				switch strings.ToLower(prop) {
				case "og:title":
					if out.Title == "" {
						out.Title = content
					}
				case "article:published_time", "datepublished", "date", "pubdate":
					if out.PublishedAt == "" {
						out.PublishedAt = content
					}
				case "og:url":
					if out.URL == "" {
						out.URL = content
					}
				case "og:site_name":
					out.Publisher = content
				}
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") && attr(n, "href") != "" {
					out.URL = attr(n, "href")
				}
			case atom.Title:
				if titleTag == "" {
					titleTag = collapse(textOf(n))
				}
			case atom.H1:
				if h1 == "" {
					h1 = collapse(textOf(n))
				}
			case atom.Time:
				if out.PublishedAt == "" {
					out.PublishedAt = strings.TrimSpace(attr(n, "datetime"))
				}
			case atom.Article:
				if articleNode == nil {
					articleNode = n
				}
			case atom.Main:
				if mainNode == nil {
					mainNode = n
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walkMeta(c)
		}
	}
	walkMeta(doc)
	if out.Title == "" {
		out.Title = h1
	}
	if out.Title == "" {
		out.Title = titleTag
	}
	root := doc
	if articleNode != nil {
		root = articleNode
	} else if mainNode != nil {
		root = mainNode
	}
	var paras []string
	var cur strings.Builder
	flush := func() {
		p := collapse(cur.String())
		if p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if dropped(n.DataAtom) {
				return
			}
			if n.DataAtom == atom.Header && n != root {
				// a header inside the article holds the headline; keep h1 only
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && (c.DataAtom == atom.H1 || c.DataAtom == atom.P || c.DataAtom == atom.Time) {
						flush()
						walk(c)
						flush()
					}
				}
				return
			}
			if block(n.DataAtom) {
				flush()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && block(n.DataAtom) {
			flush()
		}
	}
	walk(root)
	flush()
	// the headline leads the text, once
	if out.Title != "" && (len(paras) == 0 || collapse(paras[0]) != out.Title) {
		if h1 != "" && len(paras) > 0 && paras[0] == h1 {
			// the page's h1 already leads
		} else {
			paras = append([]string{out.Title}, paras...)
		}
	}
	out.Text = strings.Join(paras, "\n\n")
	return out, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && dropped(n.DataAtom) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return b.String()
}

// collapse turns every run of white space into one space and trims.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// ExtractHTML reads an HTML page (see ReadHTML) and extracts from its text
// as Extract does. Meta fields left empty are filled from the page (title,
// date, canonical URL, site name, language); spans point into the stored
// text, which is the text ReadHTML made.
func ExtractHTML(r io.Reader, meta Meta, opt Options) (*graph.Bundle, *Report, error) {
	max := opt.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(max)*4+1))
	if err != nil {
		return nil, nil, fmt.Errorf("extract: read html: %w", err)
	}
	if len(data) > max*4 {
		return nil, nil, fmt.Errorf("%w: html over %d bytes", ErrTooLarge, max*4)
	}
	h, err := ReadHTML(strings.NewReader(string(data)))
	if err != nil {
		return nil, nil, err
	}
	if meta.Title == "" {
		meta.Title = h.Title
	}
	if meta.PublishedAt == "" && parseMetaDate(h.PublishedAt).ok {
		meta.PublishedAt = h.PublishedAt
	}
	if meta.URL == "" {
		meta.URL = h.URL
	}
	if meta.Publisher == "" {
		meta.Publisher = h.Publisher
	}
	if meta.Language == "" && h.Language != "" {
		meta.Language = h.Language
	}
	return Extract(h.Text, meta, opt)
}
