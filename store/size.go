package store

import (
	"os"
	"path/filepath"
	"strings"
)

// Size returns the bytes on disk of the Badger engine's LSM tree (.sst
// files) and value log (.vlog files), read from the directory (Badger's own
// figures need its metrics, which the engine turns off); 0, 0 in memory.
func (b *Badger) Size() (lsm, vlog int64) {
	if b.opt.InMemory || b.opt.Dir == "" {
		return 0, 0
	}
	entries, err := os.ReadDir(b.opt.Dir)
	if err != nil {
		return 0, 0
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".sst":
			lsm += info.Size()
		case ".vlog":
			vlog += info.Size()
		}
	}
	return lsm, vlog
}

// Size returns the bytes on disk of the store's engine, when the engine
// reports them (Badger does); 0, 0 otherwise.
func (s *Store) Size() (lsm, vlog int64) {
	if z, ok := s.kv.(interface{ Size() (int64, int64) }); ok {
		return z.Size()
	}
	return 0, 0
}

// LastCommit returns the timestamp of the store's last commit, Unix
// nanoseconds (0 for an empty store).
func (s *Store) LastCommit() uint64 { return s.kv.LastCommit() }
