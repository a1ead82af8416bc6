package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"claimgraph/graph"
)

// Ingest limits.
const (
	// maxIngestText bounds the pasted text (bytes) so that its bundle fits
	// the GraphQL endpoint's default 1 MiB body limit.
	maxIngestText = 512 << 10
	maxIngestForm = maxIngestText + 64<<10
)

// importMutation is the GraphQL request an ingest commit sends.
const importMutation = `mutation IngestArticle($bundle: String!, $note: String) {
  importBundle(bundle: $bundle, note: $note) {
    nodes { added changed unchanged }
    links { added changed unchanged }
    revision
    userErrors { path code message }
  }
}`

// ingestForm is what the ingest form holds.
type ingestForm struct {
	Text        string
	Title       string
	URL         string
	PublishedAt string
	Publisher   string
	Key         string
	Note        string
	// Speakers maps a draft quote's key to the chosen speaker: a key, ""
	// for unknown, or "new" with NewNames holding the name.
	Speakers map[string]string
	NewNames map[string]string
}

func (f ingestForm) meta() ArticleMeta {
	return ArticleMeta{Key: f.Key, Title: f.Title, URL: f.URL, PublishedAt: f.PublishedAt, Publisher: f.Publisher}
}

// readIngestForm reads a posted ingest form.
func readIngestForm(w http.ResponseWriter, r *http.Request) (ingestForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxIngestForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ingestForm{}, fmt.Errorf("the form is larger than %d bytes", maxIngestForm)
		}
		return ingestForm{}, fmt.Errorf("reading the form: %w", err)
	}
	f := ingestForm{
		Text:        strings.ReplaceAll(r.PostForm.Get("text"), "\r\n", "\n"),
		Title:       strings.TrimSpace(r.PostForm.Get("title")),
		URL:         strings.TrimSpace(r.PostForm.Get("url")),
		PublishedAt: strings.TrimSpace(r.PostForm.Get("published_at")),
		Publisher:   strings.TrimSpace(r.PostForm.Get("publisher")),
		Key:         strings.TrimSpace(r.PostForm.Get("key")),
		Note:        strings.TrimSpace(r.PostForm.Get("note")),
		Speakers:    map[string]string{},
		NewNames:    map[string]string{},
	}
	for k, vs := range r.PostForm {
		if q, ok := strings.CutPrefix(k, "speaker."); ok && len(vs) > 0 {
			f.Speakers[q] = strings.TrimSpace(vs[0])
		}
		if q, ok := strings.CutPrefix(k, "newname."); ok && len(vs) > 0 {
			if name := strings.TrimSpace(vs[0]); name != "" {
				f.NewNames[q] = name
			}
		}
	}
	if len(f.Text) > maxIngestText {
		return f, fmt.Errorf("the text is longer than %d bytes", maxIngestText)
	}
	return f, nil
}

// draftMatch says that a draft person or organisation is a node already in
// the graph.
type draftMatch struct {
	Name     string
	DraftKey string
	Existing ref
}

// agentOption is a speaker the user can choose.
type agentOption struct {
	Key   string
	Label string
}

// draftQuote is a quote of the draft, with the speaker to fix.
type draftQuote struct {
	Key     string
	Text    string
	Cue     string
	Mode    string
	Speaker string
	// Chosen is the option selected in the form: a key, "" or "new".
	Chosen  string
	NewName string
	Span    string
	Channel string
	Reports string
}

// draftView is the extracted draft.
type draftView struct {
	SourceKey string
	Text      template.HTML
	Quotes    []draftQuote
	Figures   []figureFacts
	Claims    []string
	New       []ref
	Matched   []draftMatch
	Agents    []agentOption
	Links     int
	Problems  []string
	Warnings  []string
}

// ingestView is the ingest page.
type ingestView struct {
	*page
	Form      ingestForm
	Draft     *draftView
	Error     string
	CanIngest bool
	CanCommit bool
	// Committed is set after a successful commit.
	Committed *ref
	Counts    string
	// bundle is the draft to commit.
	bundle *graph.Bundle
}

// ingestPage returns the ingest page's view. Ingesting writes to the graph
// as it is now, so the page ignores asOf.
func (b *browser) ingestPage() *ingestView {
	p := &page{Title: "Ingest an article", Path: "/ingest", query: url.Values{}, Nav: "ingest", ReadAt: b.opt.Now().UTC()}
	return &ingestView{page: p, CanIngest: b.opt.Extract != nil, CanCommit: b.opt.Extract != nil && b.opt.GraphQL != nil}
}

// ingestForm serves GET /ingest.
func (b *browser) ingestForm(w http.ResponseWriter, r *http.Request) {
	b.render(w, r, http.StatusOK, "ingest", b.ingestPage())
}

// ingestPreview serves POST /ingest: the draft of the posted text.
func (b *browser) ingestPreview(w http.ResponseWriter, r *http.Request) {
	v, status := b.prepareDraft(w, r)
	b.render(w, r, status, "ingest", v)
}

// prepareDraft reads the form, extracts and resolves the draft and renders
// nothing; it returns the view and the status to answer with.
func (b *browser) prepareDraft(w http.ResponseWriter, r *http.Request) (*ingestView, int) {
	v := b.ingestPage()
	f, err := readIngestForm(w, r)
	v.Form = f
	switch {
	case err != nil:
		v.Error = err.Error()
		return v, http.StatusBadRequest
	case !v.CanIngest:
		v.Error = "Extraction is not available on this server."
		return v, http.StatusNotImplemented
	case strings.TrimSpace(f.Text) == "":
		v.Error = "Paste the article's text first."
		return v, http.StatusUnprocessableEntity
	}
	d, bundle, err := b.draft(r.Context(), f)
	if err != nil {
		v.Error = err.Error()
		return v, http.StatusUnprocessableEntity
	}
	v.Draft = d
	v.bundle = bundle
	if len(d.Problems) > 0 {
		return v, http.StatusUnprocessableEntity
	}
	return v, http.StatusOK
}

// draft extracts the draft of the form's text, resolves it against the
// graph, applies the speaker fixes and validates it.
func (b *browser) draft(ctx context.Context, f ingestForm) (*draftView, *graph.Bundle, error) {
	bundle, warnings, err := b.opt.Extract(ctx, f.Text, f.meta())
	if err != nil {
		return nil, nil, fmt.Errorf("extraction failed: %w", err)
	}
	if bundle == nil {
		return nil, nil, errors.New("extraction returned no draft")
	}
	d := &draftView{Warnings: warnings}
	err = b.st.View(ctx, func(rd graph.Reader) error {
		if err := resolveDraft(ctx, rd, bundle, d); err != nil {
			return err
		}
		applySpeakerFixes(bundle, f, d)
		describeDraft(bundle, f, d)
		if err := graph.Validate(ctx, bundle, rd); err != nil {
			var ve *graph.ValidationError
			if !errors.As(err, &ve) {
				return fmt.Errorf("validating the draft: %w", err)
			}
			for _, p := range ve.Problems {
				d.Problems = append(d.Problems, p.String())
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return d, bundle, nil
}

// resolveDraft ties the draft's people and organisations to the ones the
// graph already has (by name or alias, same kind), so that committing does
// not create a second Donald Trump nor overwrite the stored record, and
// renames draft keys that the graph already uses for something else.
func resolveDraft(ctx context.Context, rd graph.Reader, b *graph.Bundle, d *draftView) error {
	rename := map[string]string{}
	drop := map[string]bool{}
	keys := make([]string, 0, len(b.Nodes))
	for _, n := range b.Nodes {
		keys = append(keys, n.NodeKey())
	}
	existing, err := rd.Kinds(ctx, keys)
	if err != nil {
		return fmt.Errorf("checking draft keys: %w", err)
	}
	taken := func(k string) bool {
		if _, ok := existing[k]; ok {
			return true
		}
		return slices.Contains(keys, k)
	}
	for _, n := range b.Nodes {
		name, aliases := agentNames(n)
		if name == "" {
			continue
		}
		var found string
		for _, s := range append([]string{name}, aliases...) {
			ks, err := rd.Lookup(ctx, graph.IndexName, s)
			if err != nil {
				return fmt.Errorf("looking up %q: %w", s, err)
			}
			kinds, err := rd.Kinds(ctx, ks)
			if err != nil {
				return fmt.Errorf("looking up %q: %w", s, err)
			}
			for _, k := range ks {
				if kinds[k] == n.NodeKind() {
					found = k
					break
				}
			}
			if found != "" {
				break
			}
		}
		if found != "" {
			rename[n.NodeKey()] = found
			drop[n.NodeKey()] = true
			nodes, err := rd.Nodes(ctx, []string{found})
			if err != nil {
				return fmt.Errorf("reading %s: %w", found, err)
			}
			r := ref{Key: found, Label: found, Kind: n.NodeKind(), URL: "/n/" + found}
			if nodes[0] != nil {
				r.Label = label(nodes[0])
			}
			d.Matched = append(d.Matched, draftMatch{Name: name, DraftKey: n.NodeKey(), Existing: r})
		}
	}
	for _, n := range b.Nodes {
		k := n.NodeKey()
		if drop[k] {
			continue
		}
		if _, ok := existing[k]; ok {
			for i := 2; ; i++ {
				nk := fmt.Sprintf("%s-%d", k, i)
				if !taken(nk) {
					rename[k] = nk
					keys = append(keys, nk)
					break
				}
			}
		}
	}
	kept := b.Nodes[:0]
	for _, n := range b.Nodes {
		if !drop[n.NodeKey()] {
			kept = append(kept, n)
		}
	}
	b.Nodes = kept
	b.NodePlaces = nil
	b.LinkPlaces = nil
	rekey(b, rename)
	return nil
}

// rekey replaces keys in every key and reference of the bundle.
func rekey(b *graph.Bundle, m map[string]string) {
	if len(m) == 0 {
		return
	}
	k := func(s *string) {
		if to, ok := m[*s]; ok {
			*s = to
		}
	}
	ks := func(ss []string) {
		for i := range ss {
			k(&ss[i])
		}
	}
	for _, n := range b.Nodes {
		switch n := n.(type) {
		case *graph.Person:
			k(&n.Key)
			for i := range n.Affiliations {
				k(&n.Affiliations[i].Organisation)
			}
		case *graph.Organisation:
			k(&n.Key)
			k(&n.Parent)
		case *graph.Source:
			k(&n.Key)
			k(&n.Publisher)
			ks(n.Authors)
			for i := range n.DerivedFrom {
				k(&n.DerivedFrom[i].Source)
			}
		case *graph.Quote:
			k(&n.Key)
			k(&n.Speaker)
			k(&n.Source)
			k(&n.Channel)
			k(&n.ReportedBy)
			ks(n.Claims)
		case *graph.Claim:
			k(&n.Key)
			ks(n.About)
		case *graph.Figure:
			k(&n.Key)
			k(&n.StatedBy)
			k(&n.Source)
			ks(n.DerivedFrom)
		}
	}
	for i := range b.Links {
		k(&b.Links[i].From)
		k(&b.Links[i].To)
	}
}

// applySpeakerFixes sets the speakers the user chose: an agent's key, no
// speaker, or a new person with the typed name.
func applySpeakerFixes(b *graph.Bundle, f ingestForm, d *draftView) {
	used := map[string]bool{}
	for _, n := range b.Nodes {
		used[n.NodeKey()] = true
	}
	for _, m := range d.Matched {
		used[m.Existing.Key] = true
	}
	newPeople := map[string]string{} // folded name -> key
	for _, n := range b.Nodes {
		q, ok := n.(*graph.Quote)
		if !ok {
			continue
		}
		choice, set := f.Speakers[q.Key]
		if !set {
			continue
		}
		switch choice {
		case "new":
			name := f.NewNames[q.Key]
			if name == "" {
				continue
			}
			fk := strings.ToLower(strings.Join(strings.Fields(name), " "))
			key, ok := newPeople[fk]
			if !ok {
				key = uniqueKey(slugKey(name), used)
				used[key] = true
				newPeople[fk] = key
				b.Nodes = append(b.Nodes, &graph.Person{Key: key, Name: strings.Join(strings.Fields(name), " ")})
			}
			q.Speaker = key
		default:
			q.Speaker = choice
		}
	}
}

// slugKey makes a key from a name: "José Álvarez" gives "jose-alvarez".
func slugKey(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		f := foldRune(r)
		for _, c := range f {
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				if dash && b.Len() > 0 {
					b.WriteByte('-')
				}
				dash = false
				b.WriteRune(c)
			case unicode.IsLetter(c) || unicode.IsDigit(c):
				// letters outside ASCII cannot be in a key
			default:
				dash = true
			}
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return "person"
	}
	return b.String()
}

// uniqueKey returns key, or key-2, key-3 ... the first not used.
func uniqueKey(key string, used map[string]bool) string {
	if !used[key] {
		return key
	}
	for i := 2; ; i++ {
		k := key + "-" + strconv.Itoa(i)
		if !used[k] {
			return k
		}
	}
}

// describeDraft fills the view of the draft.
func describeDraft(b *graph.Bundle, f ingestForm, d *draftView) {
	d.Links = len(b.Links)
	inDraft := map[string]graph.Node{}
	for _, n := range b.Nodes {
		inDraft[n.NodeKey()] = n
	}
	name := func(k string) string {
		if n, ok := inDraft[k]; ok {
			return label(n)
		}
		for _, m := range d.Matched {
			if m.Existing.Key == k {
				return m.Existing.Label
			}
		}
		return k
	}
	// Speakers to choose from: the draft's agents and the matched ones.
	for _, n := range b.Nodes {
		if n.NodeKind().IsAgent() {
			d.Agents = append(d.Agents, agentOption{Key: n.NodeKey(), Label: label(n) + " (new)"})
			d.New = append(d.New, ref{Key: n.NodeKey(), Label: label(n), Kind: n.NodeKind()})
		}
	}
	for _, m := range d.Matched {
		if !slices.ContainsFunc(d.Agents, func(a agentOption) bool { return a.Key == m.Existing.Key }) {
			d.Agents = append(d.Agents, agentOption{Key: m.Existing.Key, Label: m.Existing.Label + " (in the graph)"})
		}
	}
	slices.SortStableFunc(d.Agents, func(a, b agentOption) int { return strings.Compare(a.Label, b.Label) })

	var src *graph.Source
	var marks []mark
	for _, n := range b.Nodes {
		switch n := n.(type) {
		case *graph.Source:
			if src == nil || n.Text != "" && src.Text == "" {
				src = n
			}
		case *graph.Quote:
			dq := draftQuote{Key: n.Key, Text: n.Text, Cue: n.Cue, Mode: n.Mode, Speaker: name(n.Speaker), Chosen: n.Speaker,
				Channel: name(n.Channel), Reports: name(n.ReportedBy)}
			if n.Speaker == "" {
				dq.Speaker = "unknown"
			}
			if c, ok := f.Speakers[n.Key]; ok && c == "new" {
				dq.Chosen, dq.NewName = "new", f.NewNames[n.Key]
			}
			if n.Span != nil {
				dq.Span = fmt.Sprintf("%d–%d", n.Span.Start, n.Span.End)
				title := "Quote · " + dq.Speaker
				marks = append(marks, mark{Start: n.Span.Start, End: n.Span.End, Key: "d-" + n.Key, Class: "quote", Title: title, URL: "#draft-" + n.Key})
			}
			d.Quotes = append(d.Quotes, dq)
		case *graph.Figure:
			ff := figureFacts{Ref: ref{Key: n.Key, Label: label(n), Kind: graph.KindFigure}, Value: formatValue(n), Unit: n.Unit,
				Change: n.Change, Measure: n.Measure, Subject: n.Subject, Period: n.Period, Baseline: n.Baseline}
			if n.StatedBy != "" {
				ff.StatedBy = &ref{Key: n.StatedBy, Label: name(n.StatedBy)}
			}
			if n.Span != nil {
				marks = append(marks, mark{Start: n.Span.Start, End: n.Span.End, Key: "d-" + n.Key, Class: "figure", Title: "Figure · " + ff.Value, URL: "#draft-" + n.Key})
			}
			d.Figures = append(d.Figures, ff)
		case *graph.Claim:
			d.Claims = append(d.Claims, n.Text)
		}
	}
	text := f.Text
	if src != nil {
		d.SourceKey = src.Key
		if src.Text != "" {
			text = src.Text
		}
	}
	d.Text = highlight(text, marks)
}

// commitResult is the answer of the GraphQL endpoint to the import.
type commitResult struct {
	Data struct {
		ImportBundle *struct {
			Nodes      graph.Counts `json:"nodes"`
			Links      graph.Counts `json:"links"`
			Revision   string       `json:"revision"`
			UserErrors []struct {
				Path    []string `json:"path"`
				Code    string   `json:"code"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"importBundle"`
	} `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

// ingestCommit serves POST /ingest/commit: the draft is rebuilt from the
// form (extraction is deterministic), sent to the GraphQL endpoint's
// importBundle with the token as a bearer token, and the result shown.
func (b *browser) ingestCommit(w http.ResponseWriter, r *http.Request) {
	v, status := b.prepareDraft(w, r)
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if status != http.StatusOK {
		b.render(w, r, status, "ingest", v)
		return
	}
	if !v.CanCommit {
		v.Error = "Committing is not available on this server."
		b.render(w, r, http.StatusNotImplemented, "ingest", v)
		return
	}
	if token == "" {
		v.Error = "Type a write token to commit."
		b.render(w, r, http.StatusUnprocessableEntity, "ingest", v)
		return
	}
	var buf bytes.Buffer
	if err := graph.Encode(&buf, v.bundle); err != nil {
		v.Error = "The draft could not be encoded: " + err.Error()
		b.render(w, r, http.StatusInternalServerError, "ingest", v)
		return
	}
	note := v.Form.Note
	if note == "" {
		note = "ingested in the browser"
	}
	res, code, err := b.postImport(r, buf.String(), note, token)
	switch {
	case err != nil:
		v.Error = "The GraphQL endpoint did not answer as expected: " + err.Error()
		if b.opt.OnError != nil {
			b.opt.OnError(r, err)
		}
		b.render(w, r, http.StatusBadGateway, "ingest", v)
		return
	case len(res.Errors) > 0:
		msgs := make([]string, 0, len(res.Errors))
		forbidden := false
		for _, e := range res.Errors {
			msgs = append(msgs, e.Message)
			forbidden = forbidden || e.Extensions.Code == "FORBIDDEN"
		}
		v.Error = "The import was refused: " + strings.Join(msgs, "; ")
		status := http.StatusUnprocessableEntity
		if forbidden {
			v.Error = "The token was not accepted: nothing was written. (" + strings.Join(msgs, "; ") + ")"
			status = http.StatusForbidden
		} else if code >= 400 {
			status = code
		}
		b.render(w, r, status, "ingest", v)
		return
	case res.Data.ImportBundle == nil:
		v.Error = "The GraphQL endpoint answered without an import result."
		b.render(w, r, http.StatusBadGateway, "ingest", v)
		return
	case len(res.Data.ImportBundle.UserErrors) > 0:
		for _, e := range res.Data.ImportBundle.UserErrors {
			v.Draft.Problems = append(v.Draft.Problems, strings.TrimSpace(strings.Join(e.Path, " ")+" "+e.Code+": "+e.Message))
		}
		v.Error = "The import was refused; nothing was written."
		b.render(w, r, http.StatusUnprocessableEntity, "ingest", v)
		return
	}
	src := ref{Key: v.Draft.SourceKey, Label: v.Form.Title, Kind: graph.KindSource, URL: "/n/" + v.Draft.SourceKey}
	if src.Label == "" {
		src.Label = src.Key
	}
	v.Committed = &src
	ib := res.Data.ImportBundle
	v.Counts = fmt.Sprintf("Nodes: %d added, %d changed, %d unchanged. Links: %d added, %d changed, %d unchanged.",
		ib.Nodes.Added, ib.Nodes.Changed, ib.Nodes.Unchanged, ib.Links.Added, ib.Links.Changed, ib.Links.Unchanged)
	if ib.Revision != "" {
		v.Counts += " Revision " + ib.Revision + "."
	}
	b.render(w, r, http.StatusOK, "ingest", v)
}

// postImport sends the importBundle mutation to the GraphQL handler in
// process and decodes its answer.
func (b *browser) postImport(orig *http.Request, bundle, note, token string) (*commitResult, int, error) {
	body, err := json.Marshal(map[string]any{
		"query":         importMutation,
		"operationName": "IngestArticle",
		"variables":     map[string]any{"bundle": bundle, "note": note},
	})
	if err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequestWithContext(orig.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.RemoteAddr = orig.RemoteAddr
	req.Host = orig.Host
	req.RequestURI = "/graphql"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := &bufferWriter{header: http.Header{}}
	b.opt.GraphQL.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	var res commitResult
	if err := json.Unmarshal(rec.body.Bytes(), &res); err != nil {
		return nil, rec.status, fmt.Errorf("status %d, body %q: %w", rec.status, clipText(rec.body.String(), 200), err)
	}
	return &res, rec.status, nil
}

// bufferWriter is an http.ResponseWriter that keeps the answer in memory,
// up to maxAnswer bytes.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

const maxAnswer = 8 << 20

func (w *bufferWriter) Header() http.Header { return w.header }

func (w *bufferWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *bufferWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.body.Len()+len(p) > maxAnswer {
		return 0, errors.New("answer too large")
	}
	return w.body.Write(p)
}
