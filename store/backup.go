package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"

	"claimgraph/graph"
)

// Backups
//
// A backup holds every version of every key (engine keys 00 63 and 00 76
// included: Badger's iterators skip only its own !badger! keys) committed
// after Since and at or before Until, deletions included, so that a
// restored store answers history and asOf exactly as the original did. It
// is read from one Badger snapshot at Until (a read timestamp, managed
// mode), so a backup taken while the server writes is consistent: the
// last commit when it began, whole. Restore loads it with Badger's
// KVLoader, each version at its own timestamp.
//
// Format: one line of JSON, the header (BackupInfo), then the body. The
// body is Badger's backup encoding (frames of a little-endian uint64 length
// and a protobuf KVList), then an end frame: the length 2^64-1, the number
// of versions (uint64) and the SHA-256 of everything in the body before it,
// so that a truncated or damaged backup is refused, not half restored. A
// backup of an encrypted store is encrypted: the body is cut into chunks of
// 64 KiB sealed with AES-256-GCM under a key derived from the store's key
// and the header's random salt (HMAC-SHA-256), each chunk a uint32 length
// (top bit set on the last chunk) and the sealed bytes; the nonce is the
// chunk number and the header and last-chunk flag are authenticated.
//
// Badger's own Stream.Backup is not used: see streamVersions.

// BackupFormat is the value of the "claimgraph" member of a backup's
// header.
const BackupFormat = "backup/1"

const (
	backupHeaderMax = 4096
	frameEnd        = math.MaxUint64
	maxFrame        = 1 << 30
	sealChunk       = 64 << 10
	sealFinal       = 1 << 31
	encAESGCM       = "aes-256-gcm"
	badgerBitDelete = 1 << 0 // Badger's meta bit of a deletion (value.go)
	loaderPending   = 16
	backupListBytes = 4 << 20 // a frame of the body holds about this much
)

// Errors of backups and restores.
var (
	// ErrBadBackup means a file is not a complete claimgraph backup: not
	// one at all, truncated, damaged, or not the next one in the chain.
	ErrBadBackup = errors.New("store: bad backup")
	// ErrBackupKey means an encrypted backup was given without a key or
	// with a key it was not made with.
	ErrBackupKey = errors.New("store: backup encryption key")
	// ErrNoBackup means the engine cannot make backups (PostgreSQL: use
	// the database's own tools).
	ErrNoBackup = errors.New("store: this engine makes no backups")
)

// BackupInfo is the header of a backup.
type BackupInfo struct {
	// Format is BackupFormat.
	Format string `json:"claimgraph"`
	// Since: the backup holds the versions committed after this commit
	// timestamp; 0 for a full backup.
	Since uint64 `json:"since"`
	// Until: the backup holds the state as of this commit timestamp, the
	// last commit when it began. An incremental backup that continues
	// this one is made with Since = Until.
	Until uint64 `json:"until"`
	// Created is when the backup began.
	Created time.Time `json:"created"`
	// Encryption is "aes-256-gcm" when the body is encrypted (a backup of
	// an encrypted store), "" when it is not.
	Encryption string `json:"encryption,omitempty"`
	// Salt derives the body's key from the store's key.
	Salt []byte `json:"salt,omitempty"`
	// KeyCheck tells whether a key is the one the body was encrypted
	// with, before anything is read or written (an HMAC of the salt; it
	// reveals nothing of the key).
	KeyCheck []byte `json:"key_check,omitempty"`
	// Versions counts the key versions in the backup: known when Backup
	// returns, or when a restore has read the whole backup.
	Versions int64 `json:"-"`
}

// BackupOptions control a backup.
type BackupOptions struct {
	// Since makes an incremental backup: only the versions committed after
	// this timestamp, the Until of the previous backup. 0 is a full one.
	Since uint64
	// Progress, when set, is called now and then with the number of
	// versions written so far.
	Progress func(versions int64)
}

// backuper is an engine that makes backups.
type backuper interface {
	Backup(ctx context.Context, w io.Writer, opt BackupOptions) (BackupInfo, error)
}

// Backup writes a backup of the store to w (see [Badger.Backup]). Only the
// Badger engine makes backups; others return ErrNoBackup.
func (s *Store) Backup(ctx context.Context, w io.Writer, opt BackupOptions) (BackupInfo, error) {
	b, ok := s.kv.(backuper)
	if !ok {
		return BackupInfo{}, ErrNoBackup
	}
	return b.Backup(ctx, w, opt)
}

// Backup writes to w a backup of the state as of the last commit: every
// version, or with opt.Since those committed after it. Writers are not
// blocked; the engine stays open until the backup ends. A Since after the
// last commit is an error wrapping graph.ErrInvalid.
func (b *Badger) Backup(ctx context.Context, w io.Writer, opt BackupOptions) (BackupInfo, error) {
	if err := b.acquire(); err != nil {
		return BackupInfo{}, err
	}
	defer b.release()
	until := b.published.Load()
	if opt.Since > until {
		return BackupInfo{}, fmt.Errorf("%w: since %d is after the last commit (%d) of this store: give the until of an earlier backup of it", graph.ErrInvalid, opt.Since, until)
	}
	info := BackupInfo{Format: BackupFormat, Since: opt.Since, Until: until, Created: time.Now().UTC()}
	key := b.opt.EncryptionKey
	if len(key) > 0 {
		info.Encryption = encAESGCM
		info.Salt = make([]byte, 16)
		if _, err := rand.Read(info.Salt); err != nil {
			return BackupInfo{}, err
		}
		info.KeyCheck = backupKeyCheck(key, info.Salt)
	}
	hdr, err := json.Marshal(info)
	if err != nil {
		return BackupInfo{}, err
	}
	hdr = append(hdr, '\n')
	if _, err := w.Write(hdr); err != nil {
		return BackupInfo{}, err
	}
	body := w
	var seal *sealWriter
	if len(key) > 0 {
		aead, err := backupAEAD(key, info.Salt)
		if err != nil {
			return BackupInfo{}, err
		}
		seal = &sealWriter{w: w, aead: aead, hdr: hdr}
		body = seal
	}
	bw := bufio.NewWriterSize(body, 256<<10)
	fw := &frameWriter{w: bw, sum: sha256.New()}
	err = b.streamVersions(ctx, opt.Since, until, func(list *pb.KVList) error {
		if err := fw.frame(list); err != nil {
			return err
		}
		if opt.Progress != nil {
			opt.Progress(fw.versions)
		}
		return nil
	})
	if err == nil {
		err = fw.end()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && seal != nil {
		err = seal.Close()
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	info.Versions = fw.versions
	return info, nil
}

// streamVersions sends every version in (since, until] to send, in lists
// of about 4 MiB, keys in order and the versions of a key newest first.
//
// It reads one Badger snapshot at until with an iterator over all
// versions (SinceTs skips the older ones). Badger's Stream (NewStreamAt)
// would read the same versions in parallel ranges, but it prefetches
// values with one goroutine per version and allocates 32 MiB buffers per
// range: on the 10k-quote corpus (530k versions) it took 7.7 to 11.6 s
// where this loop takes 0.15 to 0.3 s. Its per-key list (Stream.Backup's
// KeyToList) also stops at a key's newest deletion, dropping the older
// versions that history reads.
func (b *Badger) streamVersions(ctx context.Context, since, until uint64, send func(*pb.KVList) error) error {
	if until == 0 {
		return nil // an empty store
	}
	txn := b.db.NewTransactionAt(until, false)
	defer txn.Discard()
	it := txn.NewIterator(badger.IteratorOptions{AllVersions: true, SinceTs: since})
	defer it.Close()
	list := &pb.KVList{}
	size := 0
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		kv := &pb.KV{Key: item.KeyCopy(nil), Version: item.Version()}
		if um := item.UserMeta(); um != 0 {
			kv.UserMeta = []byte{um}
		}
		if item.IsDeletedOrExpired() {
			kv.Meta = []byte{badgerBitDelete}
		} else {
			v, err := item.ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("reading key %x version %d: %w", kv.Key, kv.Version, err)
			}
			kv.Value = v
		}
		list.Kv = append(list.Kv, kv)
		size += len(kv.Key) + len(kv.Value) + 16
		if size >= backupListBytes {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := send(list); err != nil {
				return err
			}
			list, size = &pb.KVList{}, 0
		}
	}
	if len(list.Kv) > 0 {
		return send(list)
	}
	return ctx.Err()
}

// frameWriter writes the body: frames, then the end frame.
type frameWriter struct {
	w        io.Writer
	sum      hash.Hash
	versions int64
}

func (f *frameWriter) write(p []byte) error {
	f.sum.Write(p)
	_, err := f.w.Write(p)
	return err
}

func (f *frameWriter) frame(list *pb.KVList) error {
	buf, err := proto.Marshal(list)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(buf)))
	if err := f.write(n[:]); err != nil {
		return err
	}
	f.versions += int64(len(list.Kv))
	return f.write(buf)
}

func (f *frameWriter) end() error {
	var t [16]byte
	binary.LittleEndian.PutUint64(t[:8], frameEnd)
	binary.LittleEndian.PutUint64(t[8:], uint64(f.versions))
	if err := f.write(t[:]); err != nil {
		return err
	}
	_, err := f.w.Write(f.sum.Sum(nil))
	return err
}

// backupAEAD returns the AES-256-GCM cipher of a backup body: its key is
// HMAC-SHA-256(store key, label | salt), so each backup has its own key.
func backupAEAD(key, salt []byte) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("claimgraph " + BackupFormat + " " + encAESGCM + "\x00"))
	mac.Write(salt)
	blk, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(blk)
}

// backupKeyCheck is the KeyCheck of a backup made with key and salt.
func backupKeyCheck(key, salt []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("claimgraph " + BackupFormat + " key check\x00"))
	mac.Write(salt)
	return mac.Sum(nil)[:16]
}

// sealAD is the authenticated data of a chunk: the header and whether the
// chunk is the last.
func sealAD(hdr []byte, final bool) []byte {
	ad := append([]byte(nil), hdr...)
	if final {
		return append(ad, 1)
	}
	return append(ad, 0)
}

func sealNonce(aead cipher.AEAD, n uint64) []byte {
	nonce := make([]byte, aead.NonceSize())
	binary.BigEndian.PutUint64(nonce[len(nonce)-8:], n)
	return nonce
}

// sealWriter encrypts the body in chunks; Close seals the last one.
type sealWriter struct {
	w    io.Writer
	aead cipher.AEAD
	hdr  []byte
	n    uint64
	buf  []byte
}

func (s *sealWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		take := min(sealChunk-len(s.buf), len(p))
		s.buf = append(s.buf, p[:take]...)
		p = p[take:]
		if len(s.buf) == sealChunk {
			if err := s.flush(false); err != nil {
				return total - len(p), err
			}
		}
	}
	return total, nil
}

func (s *sealWriter) flush(final bool) error {
	ct := s.aead.Seal(nil, sealNonce(s.aead, s.n), s.buf, sealAD(s.hdr, final))
	s.n++
	s.buf = s.buf[:0]
	l := uint32(len(ct))
	if final {
		l |= sealFinal
	}
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], l)
	if _, err := s.w.Write(n[:]); err != nil {
		return err
	}
	_, err := s.w.Write(ct)
	return err
}

// Close seals the last chunk.
func (s *sealWriter) Close() error { return s.flush(true) }

// openReader decrypts a body that sealWriter wrote.
type openReader struct {
	r    io.Reader
	name string
	aead cipher.AEAD
	hdr  []byte
	n    uint64
	buf  []byte
	done bool
}

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.buf) == 0 {
		if o.done {
			return 0, io.EOF
		}
		if err := o.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, o.buf)
	o.buf = o.buf[n:]
	return n, nil
}

func (o *openReader) next() error {
	var n [4]byte
	if _, err := io.ReadFull(o.r, n[:]); err != nil {
		return fmt.Errorf("%w: %s is truncated (its last encrypted chunk is missing)", ErrBadBackup, o.name)
	}
	l := binary.LittleEndian.Uint32(n[:])
	final := l&sealFinal != 0
	l &^= sealFinal
	if int(l) > sealChunk+o.aead.Overhead() || int(l) < o.aead.Overhead() {
		return fmt.Errorf("%w: %s is damaged (an encrypted chunk of %d bytes)", ErrBadBackup, o.name, l)
	}
	ct := make([]byte, l)
	if _, err := io.ReadFull(o.r, ct); err != nil {
		return fmt.Errorf("%w: %s is truncated", ErrBadBackup, o.name)
	}
	pt, err := o.aead.Open(ct[:0], sealNonce(o.aead, o.n), ct, sealAD(o.hdr, final))
	if err != nil {
		if o.n == 0 {
			return fmt.Errorf("%w: %s cannot be decrypted with the key given: it was made with another key, or it is damaged", ErrBackupKey, o.name)
		}
		return fmt.Errorf("%w: %s is damaged (chunk %d does not decrypt)", ErrBadBackup, o.name, o.n)
	}
	o.n++
	o.buf = pt
	if final {
		o.done = true
		var one [1]byte
		if k, _ := o.r.Read(one[:]); k > 0 {
			return fmt.Errorf("%w: %s has bytes after its end", ErrBadBackup, o.name)
		}
	}
	return nil
}

// BackupFile is one backup to restore: its name, for messages, and its
// bytes.
type BackupFile struct {
	Name string
	R    io.Reader
}

// RestoreOptions control a restore.
type RestoreOptions struct {
	// Progress, when set, is called now and then with the number of
	// versions loaded so far, all files together.
	Progress func(versions int64)
}

// ReadBackupInfo reads the header of a backup.
func ReadBackupInfo(r io.Reader, name string) (BackupInfo, error) {
	info, _, err := readHeader(bufio.NewReader(r), name)
	return info, err
}

func readHeader(br *bufio.Reader, name string) (BackupInfo, []byte, error) {
	var line []byte
	for len(line) < backupHeaderMax {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return BackupInfo{}, nil, fmt.Errorf("%w: %s is not a claimgraph backup (no header line)", ErrBadBackup, name)
		}
	}
	var info BackupInfo
	if len(line) == 0 || line[len(line)-1] != '\n' || json.Unmarshal(line, &info) != nil || info.Format != BackupFormat {
		return BackupInfo{}, nil, fmt.Errorf("%w: %s is not a claimgraph backup (its first line is not a %q header)", ErrBadBackup, name, BackupFormat)
	}
	switch {
	case info.Since > info.Until:
		return BackupInfo{}, nil, fmt.Errorf("%w: %s: its header has since %d after until %d", ErrBadBackup, name, info.Since, info.Until)
	case info.Encryption != "" && info.Encryption != encAESGCM:
		return BackupInfo{}, nil, fmt.Errorf("%w: %s is encrypted with %q, which this version does not know", ErrBadBackup, name, info.Encryption)
	case info.Encryption != "" && (len(info.Salt) < 16 || len(info.KeyCheck) == 0):
		return BackupInfo{}, nil, fmt.Errorf("%w: %s: its header lacks the salt or key check of an encrypted backup", ErrBadBackup, name)
	}
	return info, line, nil
}

// pending is one backup whose header has been read.
type pending struct {
	name string
	info BackupInfo
	hdr  []byte
	br   *bufio.Reader
}

// Restore loads backups into the on-disk store that opt describes: a full
// backup and then the incremental backups that follow it, in order, or
// only incremental backups that continue the store already in opt.Dir.
// Each backup's Since must be the Until of the one before (or the last
// commit of the store in opt.Dir, 0 for a new one); every header is
// checked before anything is written. Encrypted backups need
// opt.EncryptionKey, which also encrypts the restored store (a plain
// backup restored with a key gives an encrypted store). While it runs the
// directory holds a marker file; a directory left with it (a restore that
// failed or was killed) refuses to open until it is deleted. It returns
// the headers, with the number of versions each held.
func Restore(ctx context.Context, opt Options, files []BackupFile, ropt RestoreOptions) ([]BackupInfo, error) {
	if opt.InMemory || opt.Dir == "" {
		return nil, errors.New("store: restore needs a data directory")
	}
	if len(files) == 0 {
		return nil, errors.New("store: restore: no backups given")
	}
	ps := make([]pending, len(files))
	for i, f := range files {
		br := bufio.NewReaderSize(f.R, 256<<10)
		info, hdr, err := readHeader(br, f.Name)
		if err != nil {
			return nil, err
		}
		if info.Encryption != "" && len(opt.EncryptionKey) == 0 {
			return nil, fmt.Errorf("%w: %s is encrypted: give the encryption key of the store it was made from", ErrBackupKey, f.Name)
		}
		if info.Encryption != "" && !hmac.Equal(info.KeyCheck, backupKeyCheck(opt.EncryptionKey, info.Salt)) {
			return nil, fmt.Errorf("%w: %s was made with another encryption key than the one given", ErrBackupKey, f.Name)
		}
		ps[i] = pending{name: f.Name, info: info, hdr: hdr, br: br}
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].info.Since != ps[i-1].info.Until {
			return nil, chainError(opt.Dir, ps, i, ps[i-1].info.Until)
		}
	}
	entries, err := os.ReadDir(opt.Dir)
	existed := err == nil
	fresh := len(entries) == 0
	opt.GCInterval = -1
	// No fsync per batch: Close syncs every file (tables, value log,
	// manifest) and the marker file stays until it has returned, so a
	// restore cut short is refused at open, never taken for whole.
	opt.NoSync = true
	b, err := OpenBadger(ctx, opt)
	if err != nil {
		return nil, err
	}
	if at := b.LastCommit(); ps[0].info.Since != at {
		b.Close()
		if fresh { // leave no engine files behind in a directory that had none
			if existed {
				clearDir(opt.Dir)
			} else {
				os.RemoveAll(opt.Dir)
			}
		}
		return nil, chainError(opt.Dir, ps, 0, at)
	}
	marker := filepath.Join(opt.Dir, restoreMarker)
	if err := writeSynced(marker, []byte("a restore is running or did not finish; delete this directory and restore again\n")); err != nil {
		b.Close()
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	var total int64
	infos := make([]BackupInfo, len(ps))
	for i, p := range ps {
		n, err := b.load(ctx, p, func(k int64) {
			if ropt.Progress != nil {
				ropt.Progress(total + k)
			}
		})
		if err == nil {
			err = b.recover(ctx)
		}
		if err == nil && b.LastCommit() != p.info.Until {
			err = fmt.Errorf("%w: %s restores to commit %d, but its header says %d", ErrBadBackup, p.name, b.LastCommit(), p.info.Until)
		}
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("%w (the data directory %s now holds part of the backups: delete it and restore again)", err, opt.Dir)
		}
		total += n
		p.info.Versions = n
		infos[i] = p.info
	}
	if err := b.Close(); err != nil {
		return nil, err
	}
	if err := os.Remove(marker); err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	syncDir(opt.Dir)
	return infos, nil
}

// chainError says why backup i does not continue the state at.
func chainError(dir string, ps []pending, i int, at uint64) error {
	p := ps[i]
	switch {
	case i > 0 && p.info.Since == 0:
		return fmt.Errorf("%w: %s is a full backup: give it first, then each incremental backup, in the order they were made", ErrBadBackup, p.name)
	case i > 0:
		return fmt.Errorf("%w: %s continues commit %d, but %s ends at commit %d: give a full backup and then each incremental backup, in the order they were made", ErrBadBackup, p.name, p.info.Since, ps[i-1].name, at)
	case at == 0:
		return fmt.Errorf("%w: %s is an incremental backup (since %d): restore the full backup and the incremental ones before it first", ErrBadBackup, p.name, p.info.Since)
	case p.info.Since == 0:
		return fmt.Errorf("%w: %s is a full backup, but the data directory %s already holds a store: restore into a new directory", ErrBadBackup, p.name, dir)
	}
	return fmt.Errorf("%w: %s continues commit %d, but the store in %s is at commit %d", ErrBadBackup, p.name, p.info.Since, dir, at)
}

// load writes one backup's versions. The commit markers go last, after
// everything else is in: until then the engine's recovery at open sees a
// commit newer than the marker and does not take a half-loaded backup for
// a complete state.
func (b *Badger) load(ctx context.Context, p pending, progress func(int64)) (int64, error) {
	var body io.Reader = p.br
	if p.info.Encryption != "" {
		aead, err := backupAEAD(b.opt.EncryptionKey, p.info.Salt)
		if err != nil {
			return 0, err
		}
		body = &openReader{r: p.br, name: p.name, aead: aead, hdr: p.hdr}
	}
	fr := &frameReader{r: bufio.NewReaderSize(body, 256<<10), name: p.name, sum: sha256.New()}
	ldr := b.db.NewKVLoader(loaderPending)
	var markers []*pb.KV
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		list, err := fr.next()
		if err != nil {
			return n, err
		}
		if list == nil {
			break
		}
		for _, kv := range list.Kv {
			if len(kv.Key) == 0 || kv.Version <= p.info.Since || kv.Version > p.info.Until {
				return n, fmt.Errorf("%w: %s is damaged (a version %d outside (%d, %d])", ErrBadBackup, p.name, kv.Version, p.info.Since, p.info.Until)
			}
			if len(kv.Meta) > 0 {
				kv.Meta = []byte{kv.Meta[0] & badgerBitDelete}
			}
			if bytes.Equal(kv.Key, metaCommitKey) {
				markers = append(markers, kv)
				continue
			}
			if err := ldr.Set(kv); err != nil {
				return n, err
			}
		}
		n += int64(len(list.Kv))
		progress(n)
	}
	if n != fr.versions {
		return n, fmt.Errorf("%w: %s holds %d versions, its end says %d", ErrBadBackup, p.name, n, fr.versions)
	}
	if err := ldr.Finish(); err != nil {
		return n, err
	}
	ml := b.db.NewKVLoader(loaderPending)
	for _, kv := range markers {
		if err := ml.Set(kv); err != nil {
			return n, err
		}
	}
	return n, ml.Finish()
}

// frameReader reads a body's frames and checks its end frame.
type frameReader struct {
	r        *bufio.Reader
	name     string
	sum      hash.Hash
	versions int64
}

// next returns the next list, or nil at the end (after checking the end
// frame and that nothing follows it).
func (f *frameReader) next() (*pb.KVList, error) {
	var n [8]byte
	if _, err := io.ReadFull(f.r, n[:]); err != nil {
		return nil, f.readError(err, "its end is missing")
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size == frameEnd {
		var t [8 + sha256.Size]byte
		if _, err := io.ReadFull(f.r, t[:]); err != nil {
			return nil, f.readError(err, "in its end")
		}
		f.sum.Write(n[:])
		f.sum.Write(t[:8])
		if !bytes.Equal(f.sum.Sum(nil), t[8:]) {
			return nil, fmt.Errorf("%w: %s is damaged (its checksum does not match)", ErrBadBackup, f.name)
		}
		if _, err := f.r.ReadByte(); err == nil {
			return nil, fmt.Errorf("%w: %s has bytes after its end", ErrBadBackup, f.name)
		} else if !errors.Is(err, io.EOF) {
			return nil, err
		}
		f.versions = int64(binary.LittleEndian.Uint64(t[:8]))
		return nil, nil
	}
	if size > maxFrame {
		return nil, fmt.Errorf("%w: %s is damaged (a frame of %d bytes)", ErrBadBackup, f.name, size)
	}
	buf := make([]byte, size) // not reused: the loader keeps the values
	if _, err := io.ReadFull(f.r, buf); err != nil {
		return nil, f.readError(err, "in a frame")
	}
	f.sum.Write(n[:])
	f.sum.Write(buf)
	list := &pb.KVList{}
	if err := proto.Unmarshal(buf, list); err != nil {
		return nil, fmt.Errorf("%w: %s is damaged (%v)", ErrBadBackup, f.name, err)
	}
	return list, nil
}

// readError reports a short read as a truncated backup, and passes on
// other errors (an encrypted body that does not decrypt, a disk error).
func (f *frameReader) readError(err error, where string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s is truncated (%s)", ErrBadBackup, f.name, where)
	}
	return err
}

// writeSynced writes a file and makes it and its name durable.
func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	syncDir(filepath.Dir(name))
	return nil
}

// clearDir removes what dir holds (best effort).
func clearDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// syncDir makes a directory's entries durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
