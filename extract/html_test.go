package extract

import (
	"strings"
	"testing"

	"claimgraph/graph"
)

func TestReadHTML(t *testing.T) {
	page := `<!DOCTYPE html><html lang="en-GB"><head><title>Site | Story</title>
<meta property="og:title" content="Port strike ends">
<meta property="article:published_time" content="2026-02-12T09:30:00Z">
<meta property="og:site_name" content="The Coastal Times">
<link rel="canonical" href="https://coastal.example/a">
<script>var x = "“not text”";</script><style>p{}</style></head>
<body><nav>Home “Menu”</nav><article><h1>Port strike ends</h1>
<p>Dock   workers &ldquo;won,&rdquo; said <b>Marta Kowal</b>.</p><p>Second<br>line</p>
<aside>Related “story”</aside></article><footer>© “Times”</footer></body></html>`
	h, err := ReadHTML(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	want := "Port strike ends\n\nDock workers “won,” said Marta Kowal.\n\nSecond\n\nline"
	if h.Text != want {
		t.Errorf("text = %q\nwant   %q", h.Text, want)
	}
	if h.Title != "Port strike ends" || h.PublishedAt != "2026-02-12T09:30:00Z" || h.Publisher != "The Coastal Times" || h.URL != "https://coastal.example/a" || h.Language != "en-GB" {
		t.Errorf("meta = %+v", h)
	}
	b, rep, err := ExtractHTML(strings.NewReader(page), Meta{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkBundle(t, b)
	if rep.Title != "Port strike ends" || rep.PublishedAt != "2026-02-12T09:30:00Z" {
		t.Errorf("report = %+v", rep)
	}
	qs := quotesOf(b)
	if len(qs) != 1 || qs[0].text != "won" || qs[0].speaker != "Marta Kowal" {
		t.Errorf("quotes = %q", qs)
	}
	for _, n := range b.Nodes {
		if s, ok := n.(*graph.Source); ok && s.Kind == "article" {
			if s.Text != want || s.URL != "https://coastal.example/a" || s.Publisher != "the-coastal-times" {
				t.Errorf("source = %+v", s)
			}
		}
	}
}
