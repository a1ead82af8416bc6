package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"

	"claimgraph/graph"
	"claimgraph/schema"
	"claimgraph/store"
)

// backupFileHint is how the command line names a backup file in messages.
const backupFileHint = "claimgraph-backup.cgbak"

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "",
		"Write a backup of the data directory to --out FILE (- for standard output): every version\n"+
			"of every key, so that history and asOf survive. With --since, an incremental backup of what\n"+
			"was committed after an earlier backup (give its until, printed when it was made, or its file).\n"+
			"Online: while `claimgraph serve` runs, back up through it with --server URL and a write\n"+
			"--token (GET /backup). A backup of an encrypted store is encrypted with its key.\n"+
			"Restore with `claimgraph restore`.")
	var c common
	addCommon(fs, e, &c, "warn")
	server := fs.String("server", "", "back up through the running server at `URL` (e.g. http://127.0.0.1:8080) instead of opening --data")
	token := fs.String("token", e.getenv("CLAIMGRAPH_TOKEN"), "with --server, or when the server holds --data: a write `token` of that server (env CLAIMGRAPH_TOKEN, which keeps it out of the process list)")
	sinceArg := fs.String("since", "", "incremental: only what was committed after this `TS`, the until of an earlier backup, or the path of that backup's file")
	out := fs.String("out", "", "the backup `FILE` to write (- for standard output)")
	if err := parseStoreFlags(fs, &c, args, "the output is --out FILE"); err != nil {
		return err
	}
	if c.engine == "postgres" {
		return usageError("backups of --engine postgres are the database's business: use pg_dump or the server's own backups")
	}
	if *out == "" {
		return usageError("backup: --out FILE is required (- for standard output)")
	}
	if *server != "" && c.dataSet {
		return usageError("give --server or --data, not both")
	}
	since, err := parseSince(*sinceArg)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	if *server != "" {
		return backupViaServer(ctx, e, *server, *token, since, *out, false)
	}
	st, err := c.open(ctx, true, true, log)
	if errors.Is(err, graph.ErrLocked) {
		addr, aerr := readServeAddr(c.data)
		if aerr != nil {
			return err
		}
		if *token == "" {
			return &exitError{code: 1, err: fmt.Errorf("the data directory %s is held by `claimgraph serve` at %s: back up through it with --token (a write token of that server) or --server", c.data, addr)}
		}
		log.Info().Str("server", addr).Msg("the data directory is held by a server; backing up through it")
		return backupViaServer(ctx, e, "http://"+addr, *token, since, *out, true)
	}
	if err != nil {
		return err
	}
	defer closeLogged(st, log)
	s, ok := st.(*store.Store)
	if !ok {
		return &exitError{code: 1, err: errors.New("this engine makes no backups")}
	}
	progress, done := countProgress(e, "backing up", "versions")
	var info store.BackupInfo
	write := func(w io.Writer) error {
		var err error
		info, err = s.Backup(ctx, w, store.BackupOptions{Since: since, Progress: progress})
		return err
	}
	if *out == "-" {
		err = write(e.stdout)
	} else {
		err = writeFileAtomic(*out, write)
	}
	done()
	if err != nil {
		if errors.Is(err, graph.ErrInvalid) {
			return &exitError{code: 1, err: fmt.Errorf("--since: %w", err)}
		}
		return fmt.Errorf("backup of %s: %w", c.data, err)
	}
	reportBackup(e.stderr, c.data, *out, info, -1)
	return nil
}

// parseSince reads --since: a commit timestamp, or the path of a backup
// whose until it takes.
func parseSince(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := os.Open(s)
	if err != nil {
		return 0, fmt.Errorf("--since %s: neither a timestamp (the until an earlier backup printed) nor a backup file: %w", s, err)
	}
	defer f.Close()
	info, err := store.ReadBackupInfo(f, s)
	if err != nil {
		return 0, fmt.Errorf("--since: %w", err)
	}
	return info.Until, nil
}

// reportBackup prints, on standard error, what a backup holds and how to
// continue it. versions < 0 means unknown (a backup through a server).
func reportBackup(w io.Writer, from, out string, info store.BackupInfo, size int64) {
	what := "full backup"
	if info.Since > 0 {
		what = fmt.Sprintf("incremental backup (commits after %d)", info.Since)
	}
	if out == "-" {
		out = "standard output"
	}
	count := fmt.Sprintf("%d versions", info.Versions)
	if size >= 0 {
		count = fmt.Sprintf("%d bytes", size)
	}
	at := "an empty store"
	if info.Until > 0 {
		at = fmt.Sprintf("commit %d (%s)", info.Until, time.Unix(0, int64(info.Until)).UTC().Format(time.RFC3339Nano))
	}
	enc := ""
	if info.Encryption != "" {
		enc = ", encrypted with the store's key"
	}
	fmt.Fprintf(w, "claimgraph: %s of %s written to %s: %s, as of %s%s\n", what, from, out, count, at, enc)
	fmt.Fprintf(w, "claimgraph: until %d; the next incremental backup: --since %d\n", info.Until, info.Until)
}

// countProgress returns a progress callback that shows a running count on
// a terminal (nil in a pipe) and a function that clears it.
func countProgress(e *env, desc, unit string) (func(int64), func()) {
	if !isTerminal(e.stderr) {
		return nil, func() {}
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	return func(n int64) { _ = bar.Set64(n) }, func() { _ = bar.Finish() }
}

// backupViaServer downloads GET /backup?since=N from a running server
// into out. A local server (the one recorded in the data directory) is
// reached directly, never through a proxy from the environment.
func backupViaServer(ctx context.Context, e *env, server, token string, since uint64, out string, local bool) error {
	if token == "" {
		return usageError("--server needs --token (or CLAIMGRAPH_TOKEN): a write token of the server")
	}
	u, err := url.Parse(strings.TrimRight(server, "/") + "/backup")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError("--server %q: want http://host:port or https://host", server)
	}
	u.RawQuery = url.Values{"since": {strconv.FormatUint(since, 10)}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if local {
		tr.Proxy = nil
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("backup through %s: %w", server, err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var body struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &body) == nil && body.Error != "" {
			return &exitError{code: 1, err: fmt.Errorf("the server at %s refused the backup (%s): %s", server, resp.Status, body.Error)}
		}
		return &exitError{code: 1, err: fmt.Errorf("the server at %s answered %s: %s", server, resp.Status, shorten(string(b), 200))}
	}
	var body io.Reader = resp.Body
	if isTerminal(e.stderr) {
		bar := progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("backing up through the server"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionClearOnFinish(),
		)
		defer func() { _ = bar.Finish() }()
		pr := progressbar.NewReader(resp.Body, bar)
		body = &pr
	}
	hs := &headerSniffer{}
	var n int64
	copyTo := func(w io.Writer) error {
		var err error
		n, err = io.Copy(io.MultiWriter(w, hs), body)
		return err
	}
	if out == "-" {
		err = copyTo(e.stdout)
	} else {
		err = writeFileAtomic(out, copyTo)
	}
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("backup through %s broke off: %w", server, err)}
	}
	info, err := store.ReadBackupInfo(bytes.NewReader(hs.b), "the server's answer")
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	reportBackup(e.stderr, server, out, info, n)
	return nil
}

// headerSniffer keeps the first line written through it.
type headerSniffer struct {
	b    []byte
	full bool
}

func (h *headerSniffer) Write(p []byte) (int, error) {
	if !h.full {
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			h.b = append(h.b, p[:i+1]...)
			h.full = true
		} else if len(h.b) < 4096 {
			h.b = append(h.b, p...)
		}
	}
	return len(p), nil
}

// backupHandler serves GET /backup?since=N: a backup of the store (see
// store.Store.Backup), streamed, for a bearer token of the server.
type backupHandler struct {
	st     graph.Store
	tokens []schema.Token
	log    zerolog.Logger
}

func newBackupHandler(st graph.Store, tokens []schema.Token, log zerolog.Logger) http.Handler {
	return &backupHandler{st: st, tokens: tokens, log: log}
}

// ServeHTTP implements http.Handler. Errors found before the first byte
// are JSON {"error": "..."} with their status (401 without a valid token,
// 400 for a bad since, 501 on an engine without backups); an error later
// aborts the response, so the client sees a broken transfer, never a short
// backup (which restore would refuse anyway: its end is checked).
func (h *backupHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSONError(w, http.StatusMethodNotAllowed, "/backup answers GET")
		return
	}
	by, msg := bearerName(r, h.tokens)
	if by == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="claimgraph"`)
		writeJSONError(w, http.StatusUnauthorized, msg)
		return
	}
	var since uint64
	if s := r.URL.Query().Get("since"); s != "" {
		var err error
		if since, err = strconv.ParseUint(s, 10, 64); err != nil {
			writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("since %q: want the until of an earlier backup, a whole number", shorten(s, 40)))
			return
		}
	}
	s, ok := h.st.(*store.Store)
	if !ok {
		writeJSONError(w, http.StatusNotImplemented, "this engine makes no backups: back up PostgreSQL with its own tools (pg_dump)")
		return
	}
	// A backup may outlast the server's write timeout: lift it here.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	lw := &lazyResponse{w: w, start: func() {
		hd := w.Header()
		hd.Set("Content-Type", "application/octet-stream")
		hd.Set("Content-Disposition", `attachment; filename="`+backupFileHint+`"`)
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
	}}
	start := time.Now()
	info, err := s.Backup(r.Context(), lw, store.BackupOptions{Since: since})
	switch {
	case err == nil:
		lw.begin()
		h.log.Info().Str("by", by).Uint64("since", since).Uint64("until", info.Until).Int64("versions", info.Versions).
			Dur("took", time.Since(start)).Msg("backup sent")
	case !lw.started:
		status, msg := http.StatusInternalServerError, "internal error"
		switch {
		case errors.Is(err, graph.ErrInvalid):
			status, msg = http.StatusBadRequest, err.Error()
		case errors.Is(err, graph.ErrClosed):
			status, msg = http.StatusServiceUnavailable, "the server is shutting down"
		}
		if status >= 500 {
			h.log.Error().Err(err).Msg("backup")
		}
		writeJSONError(w, status, msg)
	default:
		if r.Context().Err() == nil {
			h.log.Error().Err(err).Msg("backup failed after its first byte; response aborted")
		}
		panic(http.ErrAbortHandler)
	}
}

// bearerName returns the name of the token the request carries
// (Authorization: Bearer <token>), or "" and why not. Tokens are compared
// by digest in constant time; neither the header nor a token is logged.
func bearerName(r *http.Request, tokens []schema.Token) (string, string) {
	if len(tokens) == 0 {
		return "", "this server has no write tokens configured (--tokens-file or CLAIMGRAPH_TOKENS); backups need one"
	}
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return "", "a backup needs a write token: send the header Authorization: Bearer <token>"
	}
	sum := sha256.Sum256([]byte(secret))
	name := ""
	for _, t := range tokens {
		if subtle.ConstantTimeCompare(sum[:], t.SHA256[:]) == 1 && name == "" {
			name = t.Name
		}
	}
	if name == "" {
		return "", "the bearer token is not valid"
	}
	return name, ""
}

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore", "FILE...",
		"Restore backups into --data DIR, a new or empty directory: a full backup, then the incremental\n"+
			"backups made after it, in order (- reads one from standard input). With --force, the directory\n"+
			"may hold a store already, which the backups must continue (incremental backups applied to an\n"+
			"earlier restore). Encrypted backups need --encryption-key-file, which also encrypts the\n"+
			"restored store (a plain backup restored with a key gives an encrypted store).")
	var c common
	addCommon(fs, e, &c, "warn")
	force := fs.Bool("force", false, "restore into a directory that is not empty (its store must be the one the backups continue)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := c.checkEngine(fs); err != nil {
		return err
	}
	if c.engine == "postgres" {
		return usageError("restore is for the badger engine; restore PostgreSQL with its own tools")
	}
	if len(files) == 0 {
		return usageError("restore: give the backup files, full first, then the incremental ones in order")
	}
	stdin := 0
	for _, f := range files {
		if f == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageError("restore: - (standard input) may be given once")
	}
	entries, err := os.ReadDir(c.data)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return &exitError{code: 1, err: fmt.Errorf("--data: %w", err)}
	case len(entries) > 0 && !*force:
		return &exitError{code: 1, err: fmt.Errorf("the data directory %s is not empty: restore into a new or empty directory, or give --force to apply incremental backups to the store it holds", c.data)}
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	opt, err := c.storeOptions(log)
	if err != nil {
		return err
	}
	var bfs []store.BackupFile
	for _, name := range files {
		if name == "-" {
			bfs = append(bfs, store.BackupFile{Name: "standard input", R: e.stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return &exitError{code: 1, err: fmt.Errorf("restore: %w", err)}
		}
		defer f.Close()
		bfs = append(bfs, store.BackupFile{Name: name, R: f})
	}
	progress, done := countProgress(e, "restoring", "versions")
	infos, err := store.Restore(ctx, opt, bfs, store.RestoreOptions{Progress: progress})
	done()
	if err != nil {
		switch {
		case errors.Is(err, store.ErrBadBackup), errors.Is(err, store.ErrBackupKey):
			return &exitError{code: 1, err: err}
		}
		return storeOpenError(c.data, c.keyFile, err)
	}
	var versions int64
	for _, in := range infos {
		versions += in.Versions
	}
	last := infos[len(infos)-1].Until
	at := "an empty store"
	if last > 0 {
		at = fmt.Sprintf("commit %d (%s)", last, time.Unix(0, int64(last)).UTC().Format(time.RFC3339Nano))
	}
	fmt.Fprintf(e.stderr, "claimgraph: restored %d backup(s), %d versions, into %s, as of %s\n", len(infos), versions, c.data, at)
	return nil
}
