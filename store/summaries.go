package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// List summaries are kept one record per dossier, keyed by its id and
// sealed for it (schema 5): a toggle rewrites a few hundred bytes of
// summary, not a chunk of hundreds of dossiers, and erasing a dossier's
// key takes its summary along. An import writes them in key order with
// pages filled, so the list still loads from a compact run of the file.

// chunkEntry is one dossier's encoded summary, as an import collects it.
type chunkEntry struct {
	key []byte // dossier id, 16 bytes
	enc []byte // encodeSummary
}

// putSummaries writes entries (any order) into b, each sealed for its
// dossier, in key order.
func (s *Store) putSummaries(b *bolt.Bucket, entries []chunkEntry) error {
	slices.SortFunc(entries, func(x, y chunkEntry) int { return bytes.Compare(x.key, y.key) })
	b.FillPercent = 1
	for _, e := range entries {
		sealed, err := s.sealFor(e.key, e.enc)
		if err != nil {
			return err
		}
		if err := b.Put(e.key, sealed); err != nil {
			return err
		}
	}
	return nil
}

// readSummary opens and decodes one summary record of dossier dkey.
func (s *Store) readSummary(dkey, raw []byte, sm *Summary) error {
	plain, err := s.openFor(dkey, raw)
	if err != nil {
		return fmt.Errorf("read summary: %w", err)
	}
	return decodeSummary(plain, sm)
}

// summaryBatch keeps the summaries a transaction reads and writes decoded
// in memory, so materialising a dossier many times in one transaction (a
// sync, a rebuild) writes its record once.
type summaryBatch struct {
	s     *Store
	b     *bolt.Bucket
	cache map[string]*Summary // nil: deleted
	dirty map[string]bool
}

func (s *Store) newSummaryBatch(tx *bolt.Tx) *summaryBatch {
	b := tx.Bucket(bSummaries)
	if tx.Writable() {
		// New dossiers' ids (UUIDv7) grow: fill pages before they split,
		// so the list is read from fewer pages.
		b.FillPercent = 0.9
	}
	return &summaryBatch{s: s, b: b, cache: map[string]*Summary{}, dirty: map[string]bool{}}
}

// get reads one dossier's summary; ok is false when it has none.
func (sb *summaryBatch) get(dkey []byte) (sm Summary, ok bool, err error) {
	if c, hit := sb.cache[string(dkey)]; hit {
		if c == nil {
			return sm, false, nil
		}
		return *c, true, nil
	}
	raw := sb.b.Get(dkey)
	if raw == nil {
		return sm, false, nil
	}
	return sm, true, sb.s.readSummary(dkey, raw, &sm)
}

// put stores (or, with sm nil, deletes) one dossier's summary in memory;
// flush writes the ones that changed.
func (sb *summaryBatch) put(dkey []byte, sm *Summary) error {
	if sm != nil {
		c := *sm
		sm = &c
	}
	sb.cache[string(dkey)] = sm
	sb.dirty[string(dkey)] = true
	return nil
}

// flush writes every summary that changed, in key order.
func (sb *summaryBatch) flush() error {
	keys := make([]string, 0, len(sb.dirty))
	for k := range sb.dirty {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		sm := sb.cache[k]
		if sm == nil {
			if err := sb.b.Delete([]byte(k)); err != nil {
				return err
			}
			continue
		}
		sealed, err := sb.s.sealFor([]byte(k), encodeSummary(sm))
		if err != nil {
			return err
		}
		if err := sb.b.Put([]byte(k), sealed); err != nil {
			return err
		}
	}
	clear(sb.dirty)
	return nil
}

// getSummary reads one dossier's summary; ok is false when it has none.
func (s *Store) getSummary(tx *bolt.Tx, dkey []byte) (Summary, bool, error) {
	return s.newSummaryBatch(tx).get(dkey)
}

// putSummary stores (or, with sm nil, deletes) one dossier's summary.
func (s *Store) putSummary(tx *bolt.Tx, dkey []byte, sm *Summary) error {
	sb := s.newSummaryBatch(tx)
	if err := sb.put(dkey, sm); err != nil {
		return err
	}
	return sb.flush()
}

// eachSummary calls fn for every summary, in dossier id order.
func (s *Store) eachSummary(tx *bolt.Tx, fn func(Summary) error) error {
	return tx.Bucket(bSummaries).ForEach(func(k, v []byte) error {
		var sm Summary
		if err := s.readSummary(k, v, &sm); err != nil {
			return err
		}
		return fn(sm)
	})
}
