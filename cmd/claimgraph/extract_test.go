package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"claimgraph/extract"
	"claimgraph/graph"
)

// The articles under testdata/articles are invented for these tests: a
// plain-text report on library hours that names people and a board already
// in testdata/library.json, and a web page about a reading room with a
// script, navigation, an aside and a footer that are not article text.
const (
	hoursArticle = "testdata/articles/library-hours.txt"
	roomPage     = "testdata/articles/reading-room.html"
)

// decodeDraft decodes the bundle extract printed, validates it on its own
// and checks every span against the source's text: in range, and the
// quote's or figure's text equal to the code points it covers.
func decodeDraft(t *testing.T, out string) *graph.Bundle {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("output does not end with a newline: %q", out[max(0, len(out)-40):])
	}
	b, err := graph.Decode(strings.NewReader(out), graph.DecodeOptions{})
	if err != nil {
		t.Fatalf("graph.Decode refuses the draft: %v\n%s", err, out)
	}
	if err := graph.Validate(context.Background(), b, nil); err != nil {
		t.Errorf("the draft does not validate: %v", err)
	}
	texts := map[string][]rune{}
	for _, n := range b.Nodes {
		if s, ok := n.(*graph.Source); ok {
			texts[s.Key] = []rune(s.Text)
		}
	}
	spans := 0
	for _, n := range b.Nodes {
		var text, source string
		var span *graph.Span
		switch x := n.(type) {
		case *graph.Quote:
			text, source, span = x.Text, x.Source, x.Span
		case *graph.Figure:
			text, source, span = x.Text, x.Source, x.Span
		default:
			continue
		}
		if span == nil {
			t.Errorf("%s has no span", n.NodeKey())
			continue
		}
		rs, ok := texts[source]
		if !ok {
			t.Errorf("%s: source %q has no text in the draft", n.NodeKey(), source)
			continue
		}
		if span.Start < 0 || span.End <= span.Start || span.End > len(rs) {
			t.Errorf("%s: span %d..%d outside the text (%d code points)", n.NodeKey(), span.Start, span.End, len(rs))
			continue
		}
		if got := string(rs[span.Start:span.End]); got != text {
			t.Errorf("%s: span covers %q, text is %q", n.NodeKey(), got, text)
		}
		spans++
	}
	if spans == 0 {
		t.Error("the draft has no span to check")
	}
	return b
}

// draftFacts is what the tests read from a draft.
type draftFacts struct {
	source *graph.Source
	// speakers maps each quote's text to its speaker's name ("" for none).
	speakers map[string]string
	// names maps agent keys to names.
	names map[string]string
}

func factsOf(t *testing.T, b *graph.Bundle) draftFacts {
	t.Helper()
	f := draftFacts{speakers: map[string]string{}, names: map[string]string{}}
	for _, n := range b.Nodes {
		switch x := n.(type) {
		case *graph.Person:
			f.names[x.Key] = x.Name
		case *graph.Organisation:
			f.names[x.Key] = x.Name
		case *graph.Source:
			if f.source != nil {
				t.Errorf("two sources: %s and %s", f.source.Key, x.Key)
			}
			f.source = x
		}
	}
	for _, n := range b.Nodes {
		if q, ok := n.(*graph.Quote); ok {
			f.speakers[q.Text] = f.names[q.Speaker]
		}
	}
	if f.source == nil {
		t.Fatal("the draft has no source")
	}
	return f
}

func TestExtractCommand(t *testing.T) {
	page, err := os.ReadFile(roomPage)
	if err != nil {
		t.Fatal(err)
	}
	hours, err := os.ReadFile(hoursArticle)
	if err != nil {
		t.Fatal(err)
	}
	hoursSpeakers := map[string]string{
		"Evenings are when working parents can finally come in with their children": "Inès Varga",
		"We were promised heating last winter too":                                  "Tomas Reyhill",
	}
	roomSpeakers := map[string]string{"The roof will outlast all of us": "Ada Munro"}
	roomText := "West reading room reopens\n\nThe west reading room of the city library reopened on Wednesday after a " +
		"roof repair that took seven months.\n\n“The roof will outlast all of us,” said Ada Munro, the builder who led the repair."
	tests := []struct {
		name  string
		stdin string
		args  []string
		// want: the source's fields ("" is not checked, except text).
		title, url, published, publisher, key, text string
		speakers                                    map[string]string
		stderr                                      string
	}{
		{name: "text file", args: []string{hoursArticle},
			title: "Library hours grow as reading clubs return", text: string(hours), speakers: hoursSpeakers,
			stderr: `"Library hours grow as reading clubs return": 4 quotes`},
		{name: "text file with flags", args: []string{"--title", "Longer library hours", "--url", "https://herald.example.org/hours",
			"--published-at", "2026-05-04", "--publisher", "City Herald", "--key", "herald-hours", hoursArticle},
			title: "Longer library hours", url: "https://herald.example.org/hours", published: "2026-05-04", publisher: "City Herald",
			key: "herald-hours", text: string(hours), speakers: hoursSpeakers},
		{name: "JSON Lines", args: []string{"--jsonl", hoursArticle}, text: string(hours), speakers: hoursSpeakers},
		{name: "text from standard input", stdin: string(hours), args: []string{"-"}, text: string(hours), speakers: hoursSpeakers,
			stderr: "-: "},
		{name: "HTML by extension", args: []string{roomPage},
			title: "West reading room reopens", url: "https://herald.example.org/west-reading-room",
			published: "2026-04-02T08:15:00Z", publisher: "City Herald", text: roomText, speakers: roomSpeakers},
		{name: "HTML from standard input, told", stdin: string(page), args: []string{"--format", "html", "-"},
			title: "West reading room reopens", text: roomText, speakers: roomSpeakers},
		{name: "HTML from standard input, sniffed", stdin: string(page), args: []string{"-"},
			title: "West reading room reopens", text: roomText, speakers: roomSpeakers},
		{name: "HTML read as text when told", args: []string{"--format", "text", "--title", "Raw", roomPage},
			title: "Raw", text: string(page)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, tt.stdin, append([]string{"extract"}, tt.args...)...)
			if r.code != 0 {
				t.Fatal(r)
			}
			if slicesContain(tt.args, "--jsonl") && !strings.HasPrefix(r.stdout, `{"claimgraph":"bundle/1"}`+"\n") {
				t.Errorf("JSON Lines output does not start with the version line: %.80q", r.stdout)
			}
			f := factsOf(t, decodeDraft(t, r.stdout))
			src := f.source
			if src.Text != tt.text {
				t.Errorf("source text\n got %q\nwant %q", src.Text, tt.text)
			}
			if src.ContentSHA256 != graph.ContentHash(src.Text) {
				t.Errorf("content_sha256 %s is not the text's", src.ContentSHA256)
			}
			for _, c := range []struct{ field, got, want string }{
				{"title", src.Title, tt.title}, {"url", src.URL, tt.url}, {"published_at", src.PublishedAt, tt.published},
				{"publisher", f.names[src.Publisher], tt.publisher}, {"key", src.Key, tt.key},
			} {
				if c.want != "" && c.got != c.want {
					t.Errorf("source %s %q, want %q", c.field, c.got, c.want)
				}
			}
			for text, speaker := range tt.speakers {
				if got, ok := f.speakers[text]; !ok || got != speaker {
					t.Errorf("quote %q: speaker %q (found %v), want %q; quotes %q", text, got, ok, speaker, f.speakers)
				}
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, r.stderr)
			}
		})
	}
}

func slicesContain(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestExtractIsDeterministic runs extract twice: the same bytes.
func TestExtractIsDeterministic(t *testing.T) {
	a, b := cli(t, "", "extract", hoursArticle), cli(t, "", "extract", hoursArticle)
	if a.code != 0 || a.stdout != b.stdout {
		t.Errorf("two runs differ or failed:\n%s\n%s", a, b)
	}
}

func TestExtractErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte(" \n\n \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no file", []string{"extract"}, 2, "name exactly one article file"},
		{"two files", []string{"extract", hoursArticle, roomPage}, 2, "name exactly one article file"},
		{"bad format", []string{"extract", "--format", "pdf", hoursArticle}, 2, `--format must be text, html or auto, not "pdf"`},
		{"missing file", []string{"extract", filepath.Join(dir, "missing.txt")}, 1, "missing.txt: no such file"},
		{"empty article", []string{"extract", empty}, 1, "empty text"},
		{"ingest without files", []string{"ingest", "--data", dir}, 2, "name at least one article file"},
		{"ingest with a bad format", []string{"ingest", "--data", dir, "--format", "doc", hoursArticle}, 2, "--format must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want exit %d and %q in stderr, got %s", tt.code, tt.want, r)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty, got %q", r.stdout)
			}
		})
	}
}

// ingestRun is the --json output of ingest.
type ingestRun struct {
	Articles []ingestSummary `json:"articles"`
}

// matchLines renders matches as "kind name by stored-or-new key".
func matchLines(ms []extract.Match) []string {
	var out []string
	for _, m := range ms {
		key := m.StoredKey
		if key == "" {
			key = m.DraftKey
			if m.NewKey != "" {
				key = m.NewKey
			}
		}
		out = append(out, m.Kind+" "+m.Name+" "+m.By+" "+key)
	}
	return out
}

// TestIngestCommand imports testdata/library.json, ingests an article that
// names its mayor and board twice, and an HTML page: the first ingest links
// the stored people and organisations and reports them, the second changes
// nothing.
func TestIngestCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := cli(t, "", "import", "--data", dir, "testdata/library.json"); r.code != 0 {
		t.Fatal(r)
	}
	stats := func() statsJSON {
		t.Helper()
		r := cli(t, "", "stats", "--data", dir, "--json")
		if r.code != 0 {
			t.Fatal(r)
		}
		return decodeJSON[statsJSON](t, r.stdout)
	}
	query := func(q string) map[string]any {
		t.Helper()
		r := cli(t, "", "query", "--data", dir, "--compact", q)
		if r.code != 0 {
			t.Fatal(r)
		}
		return decodeJSON[map[string]any](t, r.stdout)
	}
	before := stats()

	r := cli(t, "", "ingest", "--data", dir, hoursArticle)
	if r.code != 0 {
		t.Fatal(r)
	}
	golden(t, "ingest_library_hours.txt", r.stdout)
	if !strings.Contains(r.stderr, `"Library hours grow as reading clubs return": 4 quotes`) {
		t.Errorf("stderr lacks the extraction report:\n%s", r.stderr)
	}
	first := stats()
	if first.Nodes["person"] != before.Nodes["person"]+1 || first.Nodes["organisation"] != before.Nodes["organisation"] ||
		first.Nodes["quote"] != before.Nodes["quote"]+4 || first.Nodes["source"] != before.Nodes["source"]+1 {
		t.Errorf("after the ingest: %+v, before: %+v; want one new person (Tomas Reyhill), no new organisation, 4 quotes, 1 source", first, before)
	}
	// The mayor's words are attributed to the stored mayor, and there is
	// still one City Library Board (one query: each opens the store).
	answers := query(`{
		speaker: whoSaid(text: "working parents can finally come in") { edges { node { speaker { id } source { title } } } }
		pronoun: whoSaid(text: "promised heating") { edges { node { speaker { id ... on Person { name } } } } }
		board: agentsNamed(name: "City Library Board") { id quotes { totalCount } }
		mayor: agentsNamed(name: "Inès Varga") { id statedFigures { totalCount } }
	}`)["data"].(map[string]any)
	tests := []struct {
		name, field, want string
	}{
		{"speaker of a quote", "speaker", `{"edges":[{"node":{"source":{"title":"Library hours grow as reading clubs return"},"speaker":{"id":"ines-varga"}}}]}`},
		{"pronoun resolved", "pronoun", `{"edges":[{"node":{"speaker":{"id":"tomas-reyhill","name":"Tomas Reyhill"}}}]}`},
		{"one board", "board", `[{"id":"library-board","quotes":{"totalCount":1}}]`},
		{"one mayor", "mayor", `[{"id":"ines-varga","statedFigures":{"totalCount":1}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustJSON(t, answers[tt.field]); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}

	// The same article again: every match is reported, nothing changes.
	r = cli(t, "", "ingest", "--data", dir, "--json", hoursArticle)
	if r.code != 0 {
		t.Fatal(r)
	}
	again := decodeJSON[ingestRun](t, r.stdout)
	if len(again.Articles) != 1 {
		t.Fatalf("summary: %s", r.stdout)
	}
	a := again.Articles[0]
	if a.Nodes.Added != 0 || a.Nodes.Changed != 0 || a.Links.Added != 0 || a.Links.Changed != 0 || a.Nodes.Unchanged == 0 {
		t.Errorf("second ingest: nodes %+v links %+v, want everything unchanged", a.Nodes, a.Links)
	}
	if a.By != "ingest:library-hours.txt" || !strings.HasPrefix(a.Source, "article-library-hours-grow-as-reading-clubs-return-") {
		t.Errorf("by %q source %q", a.By, a.Source)
	}
	wantMatches := []string{
		"person Inès Varga key ines-varga",
		"person Tomas Reyhill key tomas-reyhill",
		"organisation City Library Board name library-board",
	}
	if got := matchLines(a.Matches); !reflect.DeepEqual(got, wantMatches) {
		t.Errorf("matches\n got %q\nwant %q", got, wantMatches)
	}
	if after := stats(); !reflect.DeepEqual(after, first) {
		t.Errorf("the second ingest changed the counts: %+v, then %+v", first, after)
	}
	r = cli(t, "", "ingest", "--data", dir, hoursArticle)
	if r.code != 0 {
		t.Fatal(r)
	}
	golden(t, "ingest_again.txt", r.stdout)

	// A web page, published by the stored City Herald.
	r = cli(t, "", "ingest", "--data", dir, "--json", roomPage)
	if r.code != 0 {
		t.Fatal(r)
	}
	room := decodeJSON[ingestRun](t, r.stdout)
	if got, want := matchLines(room.Articles[0].Matches), []string{"person Ada Munro new ada-munro", "organisation City Herald key city-herald"}; !reflect.DeepEqual(got, want) {
		t.Errorf("matches\n got %q\nwant %q", got, want)
	}
	got := mustJSON(t, query(`{ whoSaid(text: "outlast all of us") { edges { node { speaker { id } source { url publisher { id } } } } } }`))
	if want := `{"data":{"whoSaid":{"edges":[{"node":{"source":{"publisher":{"id":"city-herald"},"url":"https://herald.example.org/west-reading-room"},"speaker":{"id":"ada-munro"}}}]}}}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestIngestWritesNothingOnError names a readable and an unreadable
// article: every article is extracted before anything is written.
func TestIngestWritesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, "", "ingest", "--data", dir, hoursArticle, filepath.Join(dir, "missing.txt"))
	if r.code != 1 || !strings.Contains(r.stderr, "missing.txt") {
		t.Fatalf("want exit 1 naming the missing file, got %s", r)
	}
	s := cli(t, "", "stats", "--data", dir, "--json")
	if st := decodeJSON[statsJSON](t, s.stdout); st.TotalNodes != 0 {
		t.Errorf("something was written: %s", s.stdout)
	}
}

// TestOutputEndsWithNewline checks that the commands whose output a shell
// prints end it with a newline.
func TestOutputEndsWithNewline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := cli(t, "", "import", "--data", dir, "testdata/library.json"); r.code != 0 {
		t.Fatal(r)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"query compact", []string{"query", "--data", dir, "--compact", `{ stats { nodes } }`}},
		{"query indented", []string{"query", "--data", dir, `{ stats { nodes } }`}},
		{"query compact with errors", []string{"query", "--data", dir, "--compact", `{ nosuchfield }`}},
		{"stats", []string{"stats", "--data", dir}},
		{"stats json", []string{"stats", "--data", dir, "--json"}},
		{"extract", []string{"extract", hoursArticle}},
		{"extract jsonl", []string{"extract", "--jsonl", roomPage}},
		{"ingest", []string{"ingest", "--data", dir, roomPage}},
		{"ingest json", []string{"ingest", "--data", dir, "--json", roomPage}},
		{"version", []string{"version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, "", tt.args...)
			if r.stdout == "" || !strings.HasSuffix(r.stdout, "\n") {
				t.Errorf("output does not end with a newline: %.200q", r.stdout[max(0, len(r.stdout)-60):])
			}
		})
	}
}
