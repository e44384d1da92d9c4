package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Keys of the log (schema 4): a dossier's ops are one key range, so
// reading a dossier (its history, a snapshot for a device, an erasure) is
// one cursor walk, and the ops of a pull, which come dossier by dossier,
// are appended in key order. A prev names an op of its own dossier: the
// replaced bucket is keyed the same way, so an id a prev names in one
// dossier never touches another dossier's heads (docs/merge.md).

// logKey is the log key of an op: dossier id then op id, 16 bytes each.
func logKey(dkey, key []byte) []byte { return cat(dkey, key) }

// relayLog moves a schema 2 log (op id -> op, with a dossier index) to the
// schema 4 layout, inside the opening transaction: ops in the order of the
// dossier index (which is the new key order, so every put appends), then
// the outbox and the replaced set named anew. Heads, summaries and due
// entries stay: they never depended on the key layout.
func (s *Store) relayLog(tx *bolt.Tx) error {
	old, idx := tx.Bucket(bOldOps), tx.Bucket(bOldDossierOps)
	log := tx.Bucket(bOps)
	log.FillPercent = 0.9
	if old == nil {
		return nil // a file that never had a log
	}
	// The outbox's op ids, whose dossiers the loop below learns.
	dossierOf := map[string][]byte{}
	ob := tx.Bucket(bOutbox)
	if err := ob.ForEach(func(_, v []byte) error {
		dossierOf[string(v)] = nil
		return nil
	}); err != nil {
		return err
	}
	if idx != nil {
		c := idx.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) != 32 {
				continue
			}
			v := old.Get(k[16:])
			if v == nil {
				continue
			}
			if err := log.Put(bytes.Clone(k), bytes.Clone(v)); err != nil {
				return err
			}
		}
	}
	n := uint64(0)
	c := old.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var op Op
		if err := s.decode(nil, v, &op); err != nil {
			return fmt.Errorf("read op %x: %w", k, err)
		}
		dkey, err := idKey(op.Dossier)
		if err != nil {
			return err
		}
		lk := logKey(dkey, k)
		if log.Get(lk) == nil { // not in the index: put it where it belongs
			if err := log.Put(lk, bytes.Clone(v)); err != nil {
				return err
			}
		}
		if _, ok := dossierOf[string(k)]; ok {
			dossierOf[string(k)] = dkey
		}
		n++
	}
	if err := log.SetSequence(n); err != nil {
		return err
	}
	// The outbox names dossier and op.
	var seqs, vals [][]byte
	oc := ob.Cursor()
	for k, v := oc.First(); k != nil; k, v = oc.Next() {
		if len(v) != 16 {
			continue
		}
		if dkey := dossierOf[string(v)]; dkey != nil {
			seqs, vals = append(seqs, bytes.Clone(k)), append(vals, logKey(dkey, v))
		}
	}
	for i := range seqs {
		if err := ob.Put(seqs[i], vals[i]); err != nil {
			return err
		}
	}
	// The replaced set, named anew from the log.
	if err := tx.DeleteBucket(bReplaced); err != nil {
		return err
	}
	replaced, err := tx.CreateBucket(bReplaced)
	if err != nil {
		return err
	}
	keys, err := s.missingPrevs(tx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := replaced.Put(k, present); err != nil {
			return err
		}
	}
	if err := tx.DeleteBucket(bOldOps); err != nil {
		return err
	}
	if idx != nil {
		return tx.DeleteBucket(bOldDossierOps)
	}
	return nil
}

// missingPrevs returns, sorted, the replaced keys the log implies: each
// dossier + id a prev of an op of that dossier names that the log lacks.
func (s *Store) missingPrevs(tx *bolt.Tx) ([][]byte, error) {
	log := tx.Bucket(bOps)
	seen := map[string]bool{}
	var out [][]byte
	err := log.ForEach(func(k, v []byte) error {
		op, err := s.openOp(k, v)
		if err != nil {
			return fmt.Errorf("read op %x: %w", k, err)
		}
		for _, p := range op.Prev {
			pk, err := idKey(p)
			if err != nil {
				return err
			}
			rk := logKey(k[:16], pk)
			if seen[string(rk)] || log.Get(rk) != nil {
				continue
			}
			seen[string(rk)] = true
			out = append(out, rk)
		}
		return nil
	})
	slices.SortFunc(out, bytes.Compare)
	return out, err
}
