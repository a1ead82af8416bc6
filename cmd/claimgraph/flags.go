package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/store"
	"claimgraph/store/postgres"
)

// defaultDataDir is the data directory when neither --data nor
// CLAIMGRAPH_DATA is given.
const defaultDataDir = "./claimgraph-data"

// common holds the flags every data command shares.
type common struct {
	data      string
	engine    string
	dsn       string
	logFormat string
	logLevel  string
	dataSet   bool // --data given explicitly
	// keyFile is --encryption-key-file: the badger store's key.
	keyFile string
	// gcInterval is the store's value-log GC period: 0 the store's
	// default, negative off (serve sets it from --vlog-gc-interval).
	gcInterval time.Duration
	// blockCache, readCache and postingCache are the store's cache sizes
	// in bytes (0: the store's defaults; serve sets them from its flags).
	blockCache, readCache, postingCache int64
}

// newFlags returns a FlagSet for a subcommand whose usage text names its
// arguments and describes it.
func newFlags(e *env, name, argsUsage, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: claimgraph %s [flags] %s\n\n%s\n\nflags:\n", name, argsUsage, about)
		printDefaults(out, fs)
	}
	return fs
}

// printDefaults lists the flags as --name, the way the documentation writes
// them (the flag package accepts one dash or two).
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if typ != "" {
			line += " " + typ
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "false" {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

// addCommon registers --data, --log-format and --log-level. logLevel is the
// default level: serve logs info, the one-shot commands only warnings.
func addCommon(fs *flag.FlagSet, e *env, c *common, logLevel string) {
	data := e.getenv("CLAIMGRAPH_DATA")
	if data == "" {
		data = defaultDataDir
	}
	fs.StringVar(&c.data, "data", data, "data `directory` of the badger engine (env CLAIMGRAPH_DATA)")
	engine := e.getenv("CLAIMGRAPH_ENGINE")
	if engine == "" {
		engine = "badger"
	}
	fs.StringVar(&c.engine, "engine", engine, "storage `engine`: badger (embedded, in --data) or postgres (--dsn) (env CLAIMGRAPH_ENGINE)")
	fs.StringVar(&c.dsn, "dsn", e.getenv("CLAIMGRAPH_DSN"), "PostgreSQL connection `URL` for --engine postgres, e.g. postgres://user@host:5432/db (env CLAIMGRAPH_DSN)")
	fs.StringVar(&c.keyFile, "encryption-key-file", e.getenv("CLAIMGRAPH_ENCRYPTION_KEY_FILE"),
		"encrypt the badger store at rest with the AES key in `FILE`: 16, 24 or 32 bytes, raw or as hex or base64\n"+
			"(e.g. openssl rand -hex 32 > key; chmod 600 key). A store created with a key needs it ever after (env CLAIMGRAPH_ENCRYPTION_KEY_FILE)")
	addLogFlags(fs, c, logLevel)
}

// checkEngine validates the engine flags after parsing.
func (c *common) checkEngine(fs *flag.FlagSet) error {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "data" {
			c.dataSet = true
		}
	})
	switch c.engine {
	case "badger":
		return nil
	case "postgres":
		if c.keyFile != "" {
			return usageError("--encryption-key-file is for the badger engine; encryption at rest of PostgreSQL is the database's business (encrypted volumes or the server's own encryption)")
		}
		if c.dsn == "" {
			return usageError("--engine postgres needs --dsn postgres://user@host:port/db (or CLAIMGRAPH_DSN)")
		}
		if c.dataSet {
			return usageError("--data is for the badger engine; with --engine postgres the graph lives in the database named by --dsn")
		}
		return nil
	}
	return usageError("--engine %q: want badger or postgres", c.engine)
}

// open opens the store the flags name: the badger data directory (see
// openStore) or the PostgreSQL database. readOnly opens PostgreSQL without
// creating its tables (commands that only read); mustExist refuses to create
// a missing badger directory.
func (c *common) open(ctx context.Context, mustExist, readOnly bool, log zerolog.Logger) (graph.Store, error) {
	if c.engine != "postgres" {
		opt, err := c.storeOptions(log)
		if err != nil {
			return nil, err
		}
		st, err := openStore(ctx, opt, c.keyFile, mustExist)
		if err != nil {
			return nil, err // not a nil *store.Store in a non-nil interface
		}
		return st, nil
	}
	kv, err := postgres.Open(ctx, postgres.Options{DSN: c.dsn, ReadOnly: readOnly, Logger: log})
	if err != nil {
		return nil, &exitError{code: 1, err: err} // the engine's messages never carry the password
	}
	st, err := store.New(ctx, kv, log)
	if err != nil {
		_ = kv.Close()
		return nil, fmt.Errorf("opening the graph in PostgreSQL: %w", err)
	}
	return st, nil
}

// parseStoreFlags parses the flags of a command that opens a store and
// takes no arguments: parse, then the engine flags, then a usage error
// naming the command when arguments are left (hint, when set, says where
// they belong).
func parseStoreFlags(fs *flag.FlagSet, c *common, args []string, hint string) error {
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := c.checkEngine(fs); err != nil {
		return err
	}
	if len(rest) > 0 {
		if hint != "" {
			return usageError("%s takes no arguments, got %q (%s)", fs.Name(), rest, hint)
		}
		return usageError("%s takes no arguments, got %q", fs.Name(), rest)
	}
	return nil
}

// closeLogged closes a store a command opened, logging a failure to close
// (the command's own result is already decided when it runs, deferred).
func closeLogged(st graph.Store, log zerolog.Logger) {
	if err := st.Close(); err != nil {
		log.Error().Err(err).Msg("closing the store")
	}
}

func addLogFlags(fs *flag.FlagSet, c *common, logLevel string) {
	fs.StringVar(&c.logFormat, "log-format", "json", "log `format`: json or console")
	fs.StringVar(&c.logLevel, "log-level", logLevel, "log `level`: debug, info, warn or error")
}

// parse parses args with flags allowed before and after the positional
// arguments ("import a.json --allow-unknown"); "--" ends the flags. A
// --help request prints the usage and returns an exitError with status 0.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{code: 0, quiet: true}
			}
			return nil, &exitError{code: 2, quiet: true, err: err} // flag printed it
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// logger builds the zerolog logger the flags ask for, writing to w.
func (c *common) logger(w io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(strings.ToLower(c.logLevel))
	if err != nil || c.logLevel == "" {
		return zerolog.Nop(), usageError("--log-level %q: want debug, info, warn or error", c.logLevel)
	}
	switch c.logFormat {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: w, NoColor: !isTerminal(w), TimeFormat: "15:04:05"}
	default:
		return zerolog.Nop(), usageError("--log-format %q: want json or console", c.logFormat)
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

// isTerminal reports whether w is a terminal (a progress bar or colours make
// sense there, never in a pipe or a file).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// openStore opens the data directory that opt names, creating it unless
// mustExist (the commands that only read refuse to create an empty one
// from a typo). A directory held by another process (a running server), a
// key problem or a half-done restore gets one plain sentence that says
// what to do.
func openStore(ctx context.Context, opt store.Options, keyFile string, mustExist bool) (*store.Store, error) {
	dir := opt.Dir
	if mustExist {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, &exitError{code: 1, err: fmt.Errorf("no data directory at %s: import a bundle or run `claimgraph serve` first, or use --data", dir)}
		}
	}
	st, err := store.Open(ctx, opt)
	if err != nil {
		return nil, storeOpenError(opt.Dir, keyFile, err)
	}
	return st, nil
}

// storeOpenError turns an error of opening the data directory into the
// message the command line prints.
func storeOpenError(dir, keyFile string, err error) error {
	var ke *store.EncryptionKeyError
	switch {
	case errors.Is(err, graph.ErrLocked):
		return &exitError{code: 1, err: lockedError{dir: dir, err: err}}
	case errors.As(err, &ke):
		return &exitError{code: 1, err: keyProblem(ke, keyFile)}
	case errors.Is(err, store.ErrRestoreIncomplete):
		return &exitError{code: 1, err: err}
	}
	return fmt.Errorf("opening data directory %s: %w", dir, err)
}

// keyProblem says what to do about an encryption key that does not open
// the data directory. It never shows the key.
func keyProblem(ke *store.EncryptionKeyError, keyFile string) error {
	switch ke.Problem {
	case store.KeyMissing:
		return fmt.Errorf("the data directory %s is encrypted: give its key with --encryption-key-file FILE (or CLAIMGRAPH_ENCRYPTION_KEY_FILE)", ke.Dir)
	case store.KeyNotNeeded:
		return fmt.Errorf("the data directory %s is not encrypted, but --encryption-key-file %s was given: drop it, or encrypt the store by restoring a backup of it with the key into a new directory", ke.Dir, keyFile)
	}
	return fmt.Errorf("the key in %s does not open the data directory %s, which was encrypted with another key: give the key it was created with", keyFile, ke.Dir)
}

// storeOptions returns the badger store options the flags describe,
// reading the encryption key file.
func (c *common) storeOptions(log zerolog.Logger) (store.Options, error) {
	opt := store.Options{Dir: c.data, Logger: log, GCInterval: c.gcInterval, BlockCacheSize: c.blockCache, ReadCacheSize: c.readCache, PostingCacheSize: c.postingCache}
	if c.keyFile != "" {
		key, err := readKeyFile(c.keyFile, log)
		if err != nil {
			return store.Options{}, &exitError{code: 1, err: err}
		}
		opt.EncryptionKey = key
	}
	return opt, nil
}

// readKeyFile reads an encryption key: a file of exactly 16, 24 or 32
// bytes, or text (surrounding white space ignored) that is the hex or the
// base64 (standard or URL alphabet, padded or not) of 16, 24 or 32 bytes.
// Text is tried first: 32 hex digits are a 16-byte key, not a 32-byte one.
// A file that others may read draws a warning. Errors never show the key.
func readKeyFile(path string, log zerolog.Logger) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--encryption-key-file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("--encryption-key-file: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("--encryption-key-file %s is a directory", path)
	}
	raw, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return nil, fmt.Errorf("--encryption-key-file: %w", err)
	}
	key, ok := decodeKey(raw)
	if !ok {
		return nil, fmt.Errorf("--encryption-key-file %s holds no key: want 16, 24 or 32 bytes, raw or as hex or base64 (e.g. openssl rand -hex 32), not %d bytes of something else", path, len(raw))
	}
	if fi.Mode().Perm()&0o077 != 0 {
		log.Warn().Str("file", path).Str("mode", fi.Mode().Perm().String()).
			Msg("others may read the encryption key file: chmod 600 it")
	}
	return key, nil
}

// decodeKey decodes a key file's bytes (see readKeyFile).
func decodeKey(raw []byte) ([]byte, bool) {
	keyLen := func(b []byte) bool { return len(b) == 16 || len(b) == 24 || len(b) == 32 }
	text := strings.TrimSpace(string(raw))
	if k, err := hex.DecodeString(text); err == nil && keyLen(k) {
		return k, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(text); err == nil && keyLen(k) {
			return k, true
		}
	}
	if keyLen(raw) {
		return bytes.Clone(raw), true
	}
	return nil, false
}

// lockedError says plainly that another process holds the data directory.
type lockedError struct {
	dir string
	err error
}

func (e lockedError) Error() string {
	return fmt.Sprintf("the data directory %s is in use by another claimgraph process (probably `claimgraph serve`); stop it or use --data", e.dir)
}

func (e lockedError) Unwrap() error { return e.err }
