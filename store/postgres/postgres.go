package postgres

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"claimgraph/graph"
	"claimgraph/store"
)

// Options configure [Open].
type Options struct {
	// DSN is the connection string, as a URL
	// (postgres://user:password@host:port/db?sslmode=disable) or in
	// key=value form; pgx's pool settings (pool_max_conns ...) are
	// accepted. Required.
	DSN string
	// Schema is the PostgreSQL schema holding the engine's tables; empty
	// means "claimgraph". Several graphs can share one database in
	// different schemas.
	Schema string
	// ReadOnly refuses writes even on a primary. An engine on a hot
	// standby (a streaming replica) is read-only whatever this says.
	ReadOnly bool
	// Logger receives the engine's logs. The zero value discards them.
	Logger zerolog.Logger
	// MaxConns bounds the connection pool; 0 keeps pgx's default (the
	// larger of 4 and the number of CPUs) or the DSN's pool_max_conns.
	// Below 2 it is 2: Update holds one connection while its function
	// reads through another.
	MaxConns int32
	// CacheBytes bounds the cache of read answers (see the package
	// documentation); 0 means 32 MiB, a negative value turns it off.
	CacheBytes int
}

// DefaultSchema is the schema of the engine's tables when Options.Schema
// is empty.
const DefaultSchema = "claimgraph"

// formatVersion is the layout of the engine's tables, stored in the clock
// row; Open refuses other values.
const formatVersion = 1

// ErrReadOnly means a write was refused because the engine is read-only:
// it runs on a hot standby (a streaming replica), or Options.ReadOnly is
// set. Writes go to a server connected to the primary.
var ErrReadOnly = errors.New("postgres: read-only engine")

const (
	defaultCacheBytes = 32 << 20
	maxCommitAttempts = 6
	maxReadAttempts   = 4
	firstPage         = 256
	maxPage           = 8192
	// A write set this large is streamed with COPY; smaller ones are one
	// INSERT of arrays (one round trip, no COPY set-up).
	copyThreshold = 128
)

// Engine is the PostgreSQL implementation of [store.KV]. It is safe for
// concurrent use, and several engines (in one process or on several
// machines) may share one database: commit timestamps come from the
// database and writers are serialised there.
type Engine struct {
	pool     *pgxpool.Pool
	log      zerolog.Logger
	schema   string
	target   string // host:port/database, for messages
	readOnly bool
	standby  bool
	q        queries
	cache    *readCache // nil when off

	wmu  sync.Mutex    // serialises this engine's writers before they queue in the database
	last atomic.Uint64 // largest commit timestamp seen; only grows

	gate store.Gate // open snapshots and running updates; Close waits for them

	// failCommit, a test knob, is called before each commit attempt
	// with its number; an error it returns fails the attempt as if the
	// database had.
	failCommit func(attempt int) error
}

var _ store.KV = (*Engine)(nil)

// queries holds the SQL texts for one schema.
type queries struct {
	lock, clock, now, bump, get, insert, last string
	kv                                        pgx.Identifier
	scan                                      [2][2][2]string // [after][has end][keys only]
	rscan                                     [2][2][2]string // the same, descending (Range.Reverse)
}

func newQueries(schema string) queries {
	kv := pgx.Identifier{schema, "kv"}.Sanitize()
	clock := pgx.Identifier{schema, "clock"}.Sanitize()
	q := queries{
		kv:    pgx.Identifier{schema, "kv"},
		lock:  "LOCK TABLE " + pgx.Identifier{schema, "writers"}.Sanitize() + " IN EXCLUSIVE MODE",
		clock: "SELECT last, format FROM " + clock + " WHERE id = 1",
		now: "SELECT last, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000 FROM " + clock +
			" WHERE id = 1",
		bump:   "UPDATE " + clock + " SET last = $1 WHERE id = 1",
		last:   "SELECT last FROM " + clock + " WHERE id = 1",
		get:    "SELECT value, deleted FROM " + kv + " WHERE key = $1 AND ts <= $2 ORDER BY ts DESC LIMIT 1",
		insert: "INSERT INTO " + kv + " (key, ts, value, deleted) SELECT k, $2, v, d FROM unnest($1::bytea[], $3::bytea[], $4::boolean[]) AS u(k, v, d)",
	}
	// The newest version at or before the read timestamp of each key in
	// the range, deleted ones dropped: DISTINCT ON over the (key, ts DESC)
	// index is one forward index scan (measured against a lateral scan and
	// a (key, ts) primary key, which sorts: see the package documentation).
	for after := range 2 {
		for end := range 2 {
			for keysOnly := range 2 {
				lo := "key >= $1"
				if after == 1 {
					lo = "key > $1"
				}
				hi := ""
				if end == 1 {
					hi = " AND key < $4"
				}
				cols, outer := "key, value, deleted", "key, value"
				if keysOnly == 1 {
					cols, outer = "key, deleted", "key"
				}
				q.scan[after][end][keysOnly] = fmt.Sprintf(
					"SELECT %s FROM (SELECT DISTINCT ON (key) %s FROM %s WHERE %s%s AND ts <= $2 ORDER BY key, ts DESC) v WHERE NOT deleted ORDER BY key LIMIT $3",
					outer, cols, kv, lo, hi)
				// Descending: the distinct keys from a backward scan
				// of the index, each joined to its newest version at
				// or before the read timestamp. (DISTINCT ON with
				// ORDER BY key DESC, ts DESC sorts the whole range
				// instead: 545 ms against 0.07 ms for 10 of 200k
				// keys, measured on PostgreSQL 15.)
				vcols, kcol := "v.value, v.deleted", "k.key, v.value"
				if keysOnly == 1 {
					vcols, kcol = "v.deleted", "k.key"
				}
				q.rscan[after][end][keysOnly] = fmt.Sprintf(
					"SELECT %s FROM (SELECT DISTINCT key FROM %s WHERE %s%s AND ts <= $2 ORDER BY key DESC) k"+
						" CROSS JOIN LATERAL (SELECT %s FROM %s v WHERE v.key = k.key AND v.ts <= $2 ORDER BY v.ts DESC LIMIT 1) v"+
						" WHERE NOT v.deleted ORDER BY k.key DESC LIMIT $3",
					kcol, kv, lo, hi, vcols, kv)
			}
		}
	}
	return q
}

// schemaDDL creates the engine's tables. The version table has no primary
// key: its unique index orders each key's versions newest first, which a
// primary key cannot. The writers table is empty and never changes: the
// lock writers queue on, which autovacuum (unlike on the clock table,
// updated by every commit) never needs.
func schemaDDL(schema string) []string {
	s := pgx.Identifier{schema}.Sanitize()
	kv := pgx.Identifier{schema, "kv"}.Sanitize()
	clock := pgx.Identifier{schema, "clock"}.Sanitize()
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + s,
		"CREATE TABLE IF NOT EXISTS " + kv + " (key bytea NOT NULL, ts bigint NOT NULL, value bytea, deleted boolean NOT NULL DEFAULT false)",
		"CREATE UNIQUE INDEX IF NOT EXISTS kv_key_ts ON " + kv + " (key, ts DESC) INCLUDE (deleted)",
		"CREATE TABLE IF NOT EXISTS " + clock + " (id smallint PRIMARY KEY CHECK (id = 1), last bigint NOT NULL, format integer NOT NULL)",
		fmt.Sprintf("INSERT INTO %s (id, last, format) VALUES (1, 0, %d) ON CONFLICT (id) DO NOTHING", clock, formatVersion),
		"CREATE TABLE IF NOT EXISTS " + pgx.Identifier{schema, "writers"}.Sanitize() + " ()",
	}
}

// Open connects to the database opt.DSN names and returns the engine on
// its schema. On a primary (and unless opt.ReadOnly) it creates the schema
// and tables when missing; on a hot standby, or read-only, they must
// already exist (import on the primary first).
func Open(ctx context.Context, opt Options) (*Engine, error) {
	if opt.DSN == "" {
		return nil, errors.New("postgres: no DSN given (--dsn postgres://user@host:port/db)")
	}
	if opt.Schema == "" {
		opt.Schema = DefaultSchema
	}
	cfg, err := pgxpool.ParseConfig(opt.DSN)
	if err != nil {
		// pgx's parse errors can quote the DSN; say only what is wrong.
		return nil, fmt.Errorf("postgres: the DSN is not a valid connection string: %v", redact(err, opt.DSN))
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	// Update holds one connection while its function reads through others.
	cfg.MaxConns = max(cfg.MaxConns, 2)
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "claimgraph"
	}
	target := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connecting to %s: %w", target, err)
	}
	e := &Engine{pool: pool, log: opt.Logger, schema: opt.Schema, target: target, q: newQueries(opt.Schema)}
	switch {
	case opt.CacheBytes == 0:
		e.cache = newReadCache(defaultCacheBytes)
	case opt.CacheBytes > 0:
		e.cache = newReadCache(opt.CacheBytes)
	}
	if err := e.init(ctx, opt); err != nil {
		pool.Close()
		return nil, err
	}
	e.log.Debug().Str("database", target).Str("schema", e.schema).Bool("standby", e.standby).
		Bool("read_only", e.readOnly).Uint64("last_commit", e.last.Load()).Msg("postgres: engine open")
	return e, nil
}

func (e *Engine) init(ctx context.Context, opt Options) error {
	if err := e.pool.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&e.standby); err != nil {
		return fmt.Errorf("postgres: connecting to %s: %w", e.target, err)
	}
	e.readOnly = opt.ReadOnly || e.standby
	// A writer needs every table (writers is created last), a reader the
	// clock and kv.
	table := "writers"
	if e.readOnly {
		table = "clock"
	}
	var exists bool
	if err := e.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", pgx.Identifier{e.schema, table}.Sanitize()).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if !exists {
		if e.readOnly {
			where := "read-only"
			if e.standby {
				where = "a hot standby"
			}
			return fmt.Errorf("postgres: no claimgraph tables in schema %q of %s, which is %s; create them by opening the primary for writing (an import) first", e.schema, e.target, where)
		}
		if err := e.createSchema(ctx); err != nil {
			return err
		}
	}
	var last int64
	var format int
	if err := e.pool.QueryRow(ctx, e.q.clock).Scan(&last, &format); err != nil {
		return fmt.Errorf("postgres: reading the commit clock in schema %q: %w", e.schema, err)
	}
	if format != formatVersion {
		return fmt.Errorf("postgres: schema %q of %s holds engine format %d; this version reads format %d", e.schema, e.target, format, formatVersion)
	}
	e.last.Store(uint64(last))
	return nil
}

// createSchema creates the tables, under an advisory lock so that servers
// starting together do not race on the DDL.
func (e *Engine) createSchema(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "claimgraph schema "+e.schema); err != nil {
			return err
		}
		for _, stmt := range schemaDDL(e.schema) {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: creating the tables in schema %q of %s: %w", e.schema, e.target, err)
	}
	e.log.Info().Str("database", e.target).Str("schema", e.schema).Msg("postgres: created the claimgraph tables")
	return nil
}

// Schema returns the PostgreSQL schema of the engine's tables.
func (e *Engine) Schema() string { return e.schema }

// ReadOnly reports whether the engine refuses writes.
func (e *Engine) ReadOnly() bool { return e.readOnly }

// Standby reports whether the database was a hot standby (a replica in
// recovery) when the engine opened.
func (e *Engine) Standby() bool { return e.standby }

func (e *Engine) acquire() error { return e.gate.Acquire() }

func (e *Engine) release() { e.gate.Release() }

// Close waits for open snapshots and running updates and closes the
// connections. Closing twice is not an error.
func (e *Engine) Close() error {
	if e.gate.Close() {
		e.pool.Close()
	}
	return nil
}

// seen records a commit timestamp read from the database.
func (e *Engine) seen(ts uint64) {
	for {
		cur := e.last.Load()
		if ts <= cur || e.last.CompareAndSwap(cur, ts) {
			return
		}
	}
}

// lastCommit reads the last commit timestamp from the database.
func (e *Engine) lastCommit(ctx context.Context) (uint64, error) {
	var last int64
	err := e.retryRead(ctx, func() error { return e.pool.QueryRow(ctx, e.q.last).Scan(&last) })
	if err != nil {
		return 0, e.wrap("reading the last commit", err)
	}
	e.seen(uint64(last))
	return uint64(last), nil
}

// LastCommit implements store.KV: the last commit in the database (by any
// server sharing it; on a replica, the last one replayed). If the database
// cannot be reached within 5 seconds it returns the last commit this
// engine saw.
func (e *Engine) LastCommit() uint64 {
	if err := e.acquire(); err != nil {
		return e.last.Load()
	}
	defer e.release()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts, err := e.lastCommit(ctx)
	if err != nil {
		e.log.Warn().Err(err).Msg("postgres: LastCommit: using the last commit seen")
		return e.last.Load()
	}
	return ts
}

// WaitFor waits until the database has the commit ts (for a replica: has
// replayed it), so that a read after a write on the primary sees it. It
// polls with growing pauses and ends with ctx.
func (e *Engine) WaitFor(ctx context.Context, ts uint64) error {
	pause := time.Millisecond
	for {
		last, err := e.lastCommit(ctx)
		if err != nil {
			return err
		}
		if last >= ts {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres: waiting for commit %d (at %d): %w", ts, last, ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// Snapshot implements store.KV. A snapshot holds no connection: each read
// is a query for the newest version at or before its timestamp, which is
// exact because versions are never rewritten and commits at or before the
// timestamp are all in.
func (e *Engine) Snapshot(ctx context.Context, ts uint64) (store.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := e.acquire(); err != nil {
		return nil, err
	}
	if ts == 0 || ts > e.last.Load() {
		last, err := e.lastCommit(ctx)
		if err != nil {
			e.release()
			return nil, err
		}
		if ts == 0 || ts > last {
			ts = last
		}
	}
	return &snapshot{reader: reader{e: e, ts: ts}}, nil
}

// Update implements store.KV. The transaction (serializable) first takes
// an exclusive lock on the clock table, before its snapshot is taken, so
// writers of every server sharing the database queue there and each sees
// the commits of the ones before; the commit timestamp is the database's
// clock in nanoseconds or one more than the last commit, whichever is
// larger. fn reads at the last commit through other connections and stages
// writes in memory; they are then written (COPY for large sets) with the
// clock row, in the same transaction. A serialization failure or deadlock
// at that point is retried with jittered backoff, with the same writes and
// timestamp; if another commit got in meanwhile (it cannot while the lock
// is held) the error wraps graph.ErrConflict and store.Store.Apply runs
// its batch again.
func (e *Engine) Update(ctx context.Context, fn func(store.Txn) error) (uint64, error) {
	if err := e.acquire(); err != nil {
		return 0, err
	}
	defer e.release()
	if e.readOnly {
		return 0, e.readOnlyError()
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var (
		readTs, commitTs uint64
		writes           []write
		started          = time.Now()
	)
	for attempt := 1; ; attempt++ {
		tx, last, now, err := e.begin(ctx)
		if err != nil {
			if attempt < maxCommitAttempts && retryable(err) {
				e.backoff(ctx, attempt, err)
				continue
			}
			return 0, e.wrap("starting a commit", err)
		}
		if attempt == 1 {
			readTs, commitTs = last, max(now, last+1)
			t := &txn{reader: reader{e: e, ts: readTs}, commitTs: commitTs}
			if err := fn(t); err != nil {
				tx.Rollback(context.WithoutCancel(ctx))
				return 0, err
			}
			if len(t.writes) == 0 {
				tx.Rollback(context.WithoutCancel(ctx))
				return 0, nil
			}
			if err := ctx.Err(); err != nil {
				tx.Rollback(context.WithoutCancel(ctx))
				return 0, err
			}
			writes = dedupe(t.writes)
		} else if last != readTs {
			tx.Rollback(context.WithoutCancel(ctx))
			return 0, fmt.Errorf("postgres: commit %d was overtaken by commit %d: %w", commitTs, last, graph.ErrConflict)
		}
		err = e.write(ctx, tx, commitTs, writes)
		if err == nil && e.failCommit != nil {
			err = e.failCommit(attempt)
		}
		if err == nil {
			err = tx.Commit(ctx)
		} else {
			tx.Rollback(context.WithoutCancel(ctx))
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if attempt < maxCommitAttempts && retryable(err) {
			e.backoff(ctx, attempt, err)
			continue
		}
		return 0, e.wrap("commit", err)
	}
	e.seen(commitTs)
	e.log.Debug().Uint64("commit_ts", commitTs).Int("writes", len(writes)).Dur("took", time.Since(started)).Msg("postgres: commit")
	return commitTs, nil
}

// begin starts a write transaction, queues for the clock lock and reads
// the last commit and the database's clock.
func (e *Engine) begin(ctx context.Context) (pgx.Tx, uint64, uint64, error) {
	tx, err := e.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return nil, 0, 0, err
	}
	var last, now int64
	_, err = tx.Exec(ctx, e.q.lock)
	if err == nil {
		err = tx.QueryRow(ctx, e.q.now).Scan(&last, &now)
	}
	if err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, 0, 0, err
	}
	return tx, uint64(last), uint64(max(now, 0)), nil
}

// write inserts the versions at commitTs and advances the clock row.
func (e *Engine) write(ctx context.Context, tx pgx.Tx, commitTs uint64, ws []write) error {
	if len(ws) >= copyThreshold {
		_, err := tx.CopyFrom(ctx, e.q.kv, []string{"key", "ts", "value", "deleted"},
			pgx.CopyFromSlice(len(ws), func(i int) ([]any, error) {
				w := ws[i]
				if w.del {
					return []any{w.key, int64(commitTs), nil, true}, nil
				}
				return []any{w.key, int64(commitTs), w.value, false}, nil
			}))
		if err != nil {
			return err
		}
	} else {
		keys := make([][]byte, len(ws))
		vals := make([][]byte, len(ws))
		dels := make([]bool, len(ws))
		for i, w := range ws {
			keys[i], dels[i] = w.key, w.del
			if !w.del {
				vals[i] = w.value
			}
		}
		if _, err := tx.Exec(ctx, e.q.insert, keys, int64(commitTs), vals, dels); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, e.q.bump, int64(commitTs))
	return err
}

func (e *Engine) backoff(ctx context.Context, attempt int, err error) {
	d := time.Duration(attempt) * 2 * time.Millisecond
	d += rand.N(d)
	e.log.Warn().Err(err).Int("attempt", attempt).Dur("backoff", d).Msg("postgres: commit retried")
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (e *Engine) readOnlyError() error {
	if e.standby {
		return fmt.Errorf("%w: %s is a hot standby (a streaming replica), which only answers reads; send writes to a server on the primary", ErrReadOnly, e.target)
	}
	return fmt.Errorf("%w: opened read-only; send writes to a server that is not", ErrReadOnly)
}

// wrap adds context to a database error and maps read-only refusals (the
// database turned standby under us) to ErrReadOnly.
func (e *Engine) wrap(what string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "25006" {
		return fmt.Errorf("%w: %s refused a write (%s); send writes to a server on the primary", ErrReadOnly, e.target, pe.Message)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// retryable reports a serialization failure (40001, which is also a
// standby query cancelled by a conflict with recovery) or a deadlock
// (40P01).
func retryable(err error) bool {
	pe, ok := errors.AsType[*pgconn.PgError](err)
	return ok && (pe.Code == "40001" || pe.Code == "40P01")
}

// retryRead runs a read again when a hot standby cancelled it because of a
// conflict with recovery.
func (e *Engine) retryRead(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == maxReadAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
		e.log.Debug().Err(err).Int("attempt", attempt).Msg("postgres: read retried")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * time.Millisecond):
		}
	}
}

// redact removes the DSN's password from a message.
func redact(err error, dsn string) string {
	msg := err.Error()
	if cfg, perr := pgconn.ParseConfig(dsn); perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return strings.ReplaceAll(msg, dsn, "(the DSN)")
}

// reader reads the newest versions at or before ts.
type reader struct {
	e  *Engine
	ts uint64
}

func (r *reader) ReadTs() uint64 { return r.ts }

// getAnswer is a cached answer of Get.
type getAnswer struct {
	value []byte
	found bool
}

func (r *reader) Get(ctx context.Context, key []byte) ([]byte, error) {
	if len(key) == 0 || key[0] == 0x00 {
		return nil, store.ErrKeyNotFound
	}
	ck := cacheKey('g', r.ts, 0, key, nil)
	if a, ok := r.e.cache.get(ck); ok {
		if a := a.(getAnswer); a.found {
			return bytes.Clone(a.value), nil
		}
		return nil, store.ErrKeyNotFound
	}
	var (
		value   []byte
		deleted bool
	)
	err := r.e.retryRead(ctx, func() error {
		return r.e.pool.QueryRow(ctx, r.e.q.get, key, int64(r.ts)).Scan(&value, &deleted)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows) || err == nil && deleted:
		r.e.cache.put(ck, getAnswer{}, 0)
		return nil, store.ErrKeyNotFound
	case err != nil:
		return nil, r.e.wrap("get", err)
	case value == nil:
		value = []byte{}
	}
	r.e.cache.put(ck, getAnswer{value: bytes.Clone(value), found: true}, len(value))
	return value, nil
}

// cacheKey builds the cache key of a read: its kind, timestamp, variant
// and length-prefixed byte arguments.
func cacheKey(kind byte, ts uint64, variant int, a, b []byte) []byte {
	k := make([]byte, 0, 1+8+4+2*binary.MaxVarintLen64+len(a)+len(b))
	k = append(k, kind)
	k = binary.BigEndian.AppendUint64(k, ts)
	k = binary.BigEndian.AppendUint32(k, uint32(variant))
	k = binary.AppendUvarint(k, uint64(len(a)))
	k = append(k, a...)
	k = binary.AppendUvarint(k, uint64(len(b)))
	return append(k, b...)
}

var firstUserKey = []byte{0x01}

// Scan reads the range in pages (256 keys, growing to 8192), each page a
// query whose rows are read in full before fn sees them, so fn may read
// the same snapshot (or another) without holding a connection hostage.
func (r *reader) Scan(ctx context.Context, rg store.Range, fn func(key, value []byte) error) error {
	if len(rg.Prefix) > 0 && rg.Prefix[0] == 0x00 {
		return nil
	}
	lo, after := startKey(rg)
	if bytes.Compare(lo, firstUserKey) < 0 {
		lo, after = firstUserKey, false
	}
	hi := rg.End
	if len(hi) == 0 {
		hi = nil
	}
	if pe := prefixEnd(rg.Prefix); pe != nil && (hi == nil || bytes.Compare(pe, hi) < 0) {
		hi = pe
	}
	if hi != nil && bytes.Compare(lo, hi) >= 0 {
		return nil
	}
	n, size := 0, firstPage
	for {
		want := size
		if rg.Limit > 0 {
			want = min(want, rg.Limit-n)
		}
		p, err := r.page(ctx, lo, after, hi, want, rg.KeysOnly, rg.Reverse)
		if err != nil {
			return err
		}
		for i := range p.rows {
			k, v := p.row(i)
			if rg.KeysOnly {
				v = nil
			}
			if err := fn(k, v); err != nil {
				if errors.Is(err, store.ErrStopScan) {
					return nil
				}
				return err
			}
		}
		n += len(p.rows)
		if len(p.rows) < want || (rg.Limit > 0 && n >= rg.Limit) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		last, _ := p.row(len(p.rows) - 1)
		if rg.Reverse {
			hi = bytes.Clone(last)
		} else {
			lo, after = bytes.Clone(last), true
		}
		size = min(4*size, maxPage)
	}
}

// page holds the rows of one scan query in one buffer.
type page struct {
	buf  []byte
	rows [][3]int // key start, key end (= value start), value end
}

func (p *page) row(i int) (k, v []byte) {
	r := p.rows[i]
	return p.buf[r[0]:r[1]:r[1]], p.buf[r[1]:r[2]:r[2]]
}

func (r *reader) page(ctx context.Context, lo []byte, after bool, hi []byte, limit int, keysOnly, reverse bool) (*page, error) {
	var a, h, k, d int
	if after {
		a = 1
	}
	args := []any{lo, int64(r.ts), limit}
	if hi != nil {
		h = 1
		args = append(args, hi)
	}
	if keysOnly {
		k = 1
	}
	sql := r.e.q.scan[a][h][k]
	if reverse {
		d = 1
		sql = r.e.q.rscan[a][h][k]
	}
	ck := cacheKey('s', r.ts, limit<<4|d<<3|a<<2|h<<1|k, lo, hi)
	if p, ok := r.e.cache.get(ck); ok {
		return p.(*page), nil
	}
	p := &page{}
	err := r.e.retryRead(ctx, func() error {
		p.buf, p.rows = p.buf[:0], p.rows[:0]
		rows, err := r.e.pool.Query(ctx, sql, args...)
		if err != nil {
			return r.e.wrap("scan", err)
		}
		defer rows.Close()
		var key, value pgtype.DriverBytes
		dst := []any{&key, &value}
		if keysOnly {
			dst = dst[:1]
		}
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				return r.e.wrap("scan", err)
			}
			start := len(p.buf)
			p.buf = append(p.buf, key...)
			mid := len(p.buf)
			p.buf = append(p.buf, value...)
			p.rows = append(p.rows, [3]int{start, mid, len(p.buf)})
		}
		if err := rows.Err(); err != nil {
			return r.e.wrap("scan", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.e.cache.put(ck, p, cap(p.buf)+24*cap(p.rows))
	return p, nil
}

// startKey is the first key a scan of rg considers, as store.Range
// documents it: After (exclusive) wins over Start, and neither goes below
// Prefix.
func startKey(rg store.Range) (start []byte, after bool) {
	start = rg.Prefix
	if rg.After != nil {
		if bytes.Compare(rg.After, start) >= 0 {
			return rg.After, true
		}
		return start, false
	}
	if bytes.Compare(rg.Start, start) > 0 {
		start = rg.Start
	}
	return start, false
}

// prefixEnd returns the first key after every key with the prefix, nil if
// there is none (empty prefix, or all 0xff).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

type snapshot struct {
	reader
	once sync.Once
}

func (s *snapshot) Close() error {
	s.once.Do(s.e.release)
	return nil
}

// write is one staged write.
type write struct {
	key, value []byte
	del        bool
}

type txn struct {
	reader
	commitTs uint64
	writes   []write
}

func (t *txn) CommitTs() uint64 { return t.commitTs }

func (t *txn) Set(key, value []byte) error {
	if len(key) == 0 || key[0] == 0x00 {
		return store.ErrReservedKey
	}
	if value == nil {
		value = []byte{}
	}
	t.writes = append(t.writes, write{key: key, value: value})
	return nil
}

func (t *txn) Delete(key []byte) error {
	if len(key) == 0 || key[0] == 0x00 {
		return store.ErrReservedKey
	}
	t.writes = append(t.writes, write{key: key, del: true})
	return nil
}

// dedupe sorts writes by key and keeps the last write of each key.
func dedupe(ws []write) []write {
	slices.SortStableFunc(ws, func(a, b write) int { return bytes.Compare(a.key, b.key) })
	out := ws[:0]
	for i, w := range ws {
		if i+1 < len(ws) && bytes.Equal(w.key, ws[i+1].key) {
			continue
		}
		out = append(out, w)
	}
	return out
}
