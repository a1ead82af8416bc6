package store

import (
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
)

// emptyMemtableError is the text of the error (ristretto's z.NewFile)
// with which Badger v4.9.6 refuses to open a directory holding an empty
// memtable file (NNNNN.mem of size 0).
const emptyMemtableError = "Create a new file"

// openManaged opens Badger in managed mode. A process killed at the wrong
// moment leaves an empty memtable file: Badger deletes a flushed
// memtable's file by truncating it to size 0 and then removing it, and
// creates one by creating it and then extending it, so a SIGKILL between
// the two steps leaves a file of size 0. Badger then fails to open the
// directory with "while opening memtables ... Create a new file" (Badger
// issue 2207), although the file holds nothing, and its failed open
// extends the file to full size (zeros), after which a second open reads
// it as the empty memtable it is and deletes it. Found by the crash
// harness (package claimgraph/crash); so that a kill never leaves a
// directory that needs a second try, openManaged retries once on that
// error. The retry writes nothing that holds data: the file was empty.
func openManaged(bo badger.Options, log zerolog.Logger) (*badger.DB, error) {
	db, err := badger.OpenManaged(bo)
	if err != nil && !bo.InMemory && strings.Contains(err.Error(), emptyMemtableError) {
		log.Warn().Str("dir", bo.Dir).Err(err).Msg("store: a crash left an empty memtable file; opening again")
		db, err = badger.OpenManaged(bo)
	}
	return db, err
}
