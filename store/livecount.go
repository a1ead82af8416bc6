package store

import (
	"context"
	"errors"

	"github.com/rs/zerolog"

	"claimgraph/graph"
)

// liveCountsMissing reports whether a state lacks a live count that
// writeMissingLiveCounts would write, reading a few keys: the check that
// every open makes, so that a store with its counts opens without taking
// the writer (for PostgreSQL, a lock on its clock table).
func liveCountsMissing(ctx context.Context, r KVReader) (bool, error) {
	for _, k := range [][]byte{liveEdgesKey, liveLinksKey} {
		if _, err := r.Get(ctx, k); errors.Is(err, ErrKeyNotFound) {
			return true, nil
		} else if err != nil {
			return false, err
		}
	}
	for _, k := range graph.Kinds {
		_, err := r.Get(ctx, liveCountKey(k))
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrKeyNotFound) {
			return false, err
		}
		listed := false
		err = r.Scan(ctx, Range{Prefix: kindListPrefix(k), KeysOnly: true, Limit: 1}, func(_, _ []byte) error { listed = true; return nil })
		if err != nil || listed {
			return listed, err
		}
	}
	return false, nil
}

// writeMissingLiveCounts writes, in one commit, the live count key of every
// kind that has nodes but no count key, and the edge and link counts when
// they are missing: a store written before live counts existed (or by a
// version that did not keep them) would otherwise count the kind's list
// keys on every List page, Stats and facet count, which is quadratic in
// paging, and every out adjacency key on every Stats. It returns the kinds
// it counted; a store whose counts are all present is not written.
func writeMissingLiveCounts(ctx context.Context, kv KV, log zerolog.Logger) ([]graph.Kind, error) {
	var counted []graph.Kind
	_, err := kv.Update(ctx, func(tx Txn) error {
		counted = counted[:0]
		_, eerr := tx.Get(ctx, liveEdgesKey)
		_, lerr := tx.Get(ctx, liveLinksKey)
		if eerr != nil || lerr != nil {
			e, l, err := edgeCounts(ctx, tx)
			if err != nil {
				return err
			}
			if err := tx.Set(liveEdgesKey, encodeUint64(uint64(e))); err != nil {
				return err
			}
			if err := tx.Set(liveLinksKey, encodeUint64(uint64(l))); err != nil {
				return err
			}
			log.Info().Int("edges", e).Int("links", l).Msg("store: wrote the edge and link counts of a store written before them")
		}
		for _, k := range graph.Kinds {
			_, err := tx.Get(ctx, liveCountKey(k))
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrKeyNotFound) {
				return err
			}
			n := 0
			err = tx.Scan(ctx, Range{Prefix: kindListPrefix(k), KeysOnly: true}, func(_, _ []byte) error { n++; return nil })
			if err != nil {
				return err
			}
			if n == 0 {
				continue // a kind never written reads as 0 without its key
			}
			if err := tx.Set(liveCountKey(k), encodeUint64(uint64(n))); err != nil {
				return err
			}
			counted = append(counted, k)
			log.Info().Str("kind", k.String()).Int("nodes", n).Msg("store: wrote the live count of a store written before live counts")
		}
		return nil
	})
	return counted, err
}
