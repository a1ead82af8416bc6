package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// ErrEncryptionKey is wrapped by every *EncryptionKeyError.
var ErrEncryptionKey = errors.New("store: encryption key")

// KeyProblem says why an encryption key does not open a data directory.
type KeyProblem int

// The problems an *EncryptionKeyError reports.
const (
	// KeyMissing: the directory is encrypted and no key was given.
	KeyMissing KeyProblem = iota + 1
	// KeyWrong: the directory is encrypted with another key.
	KeyWrong
	// KeyNotNeeded: a key was given but the directory is not encrypted.
	KeyNotNeeded
)

// EncryptionKeyError is the error of opening a data directory without its
// encryption key, with another key, or with a key when it is not
// encrypted. It never holds the key.
type EncryptionKeyError struct {
	// Dir is the data directory.
	Dir string
	// Problem is what is wrong.
	Problem KeyProblem
}

// Error says what is wrong in one sentence, naming the directory.
func (e *EncryptionKeyError) Error() string {
	switch e.Problem {
	case KeyMissing:
		return fmt.Sprintf("the data directory %s is encrypted and no encryption key was given", e.Dir)
	case KeyNotNeeded:
		return fmt.Sprintf("the data directory %s is not encrypted, but an encryption key was given", e.Dir)
	default:
		return fmt.Sprintf("the encryption key given does not open the data directory %s: it was encrypted with another key", e.Dir)
	}
}

// Unwrap returns ErrEncryptionKey.
func (e *EncryptionKeyError) Unwrap() error { return ErrEncryptionKey }

// keyError turns Badger's key mismatch into an *EncryptionKeyError, or
// returns nil for any other error. Badger reports one error for the three
// cases; the key registry tells them apart: an unencrypted store keeps its
// sanity text in clear after the 16-byte IV.
func keyError(opt Options, err error) error {
	if !errors.Is(err, badger.ErrEncryptionKeyMismatch) && !strings.Contains(err.Error(), badger.ErrEncryptionKeyMismatch.Error()) {
		return nil
	}
	e := &EncryptionKeyError{Dir: opt.Dir, Problem: KeyWrong}
	switch {
	case len(opt.EncryptionKey) == 0:
		e.Problem = KeyMissing
	case !registryEncrypted(opt.Dir):
		e.Problem = KeyNotNeeded
	}
	return e
}

// registryEncrypted reports whether Badger's key registry in dir is
// encrypted (true when it cannot tell).
func registryEncrypted(dir string) bool {
	f, err := os.Open(filepath.Join(dir, badger.KeyRegistryFileName))
	if err != nil {
		return true
	}
	defer f.Close()
	const ivLen = 16
	sanity := []byte("Hello Badger")
	buf := make([]byte, ivLen+len(sanity))
	if _, err := io.ReadFull(f, buf); err != nil {
		return true
	}
	return !bytes.Equal(buf[ivLen:], sanity)
}

// restoreMarker is the file a restore keeps in the data directory while it
// runs: a directory that holds it was not completely restored.
const restoreMarker = "RESTORE-INCOMPLETE"

// ErrRestoreIncomplete means a restore into the data directory did not
// finish (it was killed or failed): the directory holds part of a backup.
var ErrRestoreIncomplete = errors.New("store: a restore into the data directory did not finish")

// checkRestoreDone refuses a data directory that a restore left half done.
func checkRestoreDone(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, restoreMarker)); err == nil {
		return fmt.Errorf("%w: %s holds only part of the backups (%s is there); delete the directory and restore again", ErrRestoreIncomplete, dir, restoreMarker)
	}
	return nil
}
