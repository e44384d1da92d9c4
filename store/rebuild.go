package store

import (
	"bytes"
	"fmt"
	"reflect"

	bolt "go.etcd.io/bbolt"
)

// Rebuild throws away all materialised state (heads, replaced set,
// summaries, indexes) and derives it again from the op log.
func (s *Store) Rebuild() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range stateBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("clear %s: %w", name, err)
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return fmt.Errorf("create %s: %w", name, err)
			}
		}
		return s.rebuild(tx)
	})
}

// rebuild derives state from the log in tx: first every replaced id, then
// the heads as the ops nobody replaced, then each dossier's documents.
func (s *Store) rebuild(tx *bolt.Tx) error {
	// Keys are collected and put in sorted order: bbolt inserts into one
	// large transaction in random order are quadratic in practice.
	var ops []Op
	replacedIDs := map[string]bool{} // log keys: a prev names an op of its own dossier
	err := tx.Bucket(bOps).ForEach(func(k, v []byte) error {
		var op Op
		if err := s.decode(dossierOf(k), v, &op); err != nil {
			return fmt.Errorf("read op: %w", err)
		}
		for _, p := range op.Prev {
			pk, err := idKey(p)
			if err != nil {
				return err
			}
			replacedIDs[string(logKey(k[:16], pk))] = true
		}
		ops = append(ops, op)
		return nil
	})
	if err != nil {
		return err
	}
	// The replaced bucket holds the named ids the log lacks.
	replaced := tx.Bucket(bReplaced)
	replaced.FillPercent = 0.9
	opsB := tx.Bucket(bOps)
	for _, k := range sortedKeys(replacedIDs) {
		if opsB.Get([]byte(k)) != nil {
			continue
		}
		if err := replaced.Put([]byte(k), present); err != nil {
			return err
		}
	}
	heads := map[string][]Head{}
	dossiers := map[string]bool{}
	for _, op := range ops {
		dossiers[op.Dossier] = true
		k, _ := idKey(op.ID)
		dk, _ := idKey(op.Dossier)
		if replacedIDs[string(logKey(dk, k))] {
			continue
		}
		hk := string(dk) + op.Field
		heads[hk] = append(heads[hk], headOf(op))
	}
	w := s.newWriter(tx)
	for _, hk := range sortedKeys(heads) {
		if err := w.putHeads([]byte(hk), heads[hk]); err != nil {
			return err
		}
	}
	sb := s.newSummaryBatch(tx)
	for _, id := range sortedKeys(dossiers) {
		if err := s.materialise(tx, sb, id); err != nil {
			return err
		}
	}
	return sb.flush()
}

// resummarise derives every dossier's list summary (and its due-index
// entries) again from the dossier's heads, in tx. A migration runs it when
// the summary gains a field; the log and the heads are left alone.
func (s *Store) resummarise(tx *bolt.Tx) error {
	var ids []string
	c := tx.Bucket(bHeads).Cursor()
	for k, _ := c.First(); k != nil; {
		if len(k) < 16 {
			return fmt.Errorf("heads key %x: %w", k, errCorrupt)
		}
		ids = append(ids, idString(k[:16]))
		next := nextPrefix(k[:16])
		if next == nil {
			break
		}
		k, _ = c.Seek(next)
	}
	sb := s.newSummaryBatch(tx)
	for _, id := range ids {
		if err := s.materialise(tx, sb, id); err != nil {
			return fmt.Errorf("summarise %s: %w", id, err)
		}
	}
	return sb.flush()
}

// nextPrefix is the smallest key after every key that starts with p, nil
// when there is none (p is all 0xff).
func nextPrefix(p []byte) []byte {
	out := append([]byte(nil), p...)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] < 0xff {
			out[i]++
			return out[:i+1]
		}
	}
	return nil
}

// Check derives the state from the log in a transaction that is rolled
// back, and reports the first difference from the kept state. A nil result
// means the incrementally kept state equals the rebuilt one.
func (s *Store) Check() error {
	kept, err := s.snapshot()
	if err != nil {
		return err
	}
	errRollback := fmt.Errorf("rollback")
	var rebuilt map[string]map[string]string
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range stateBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := s.rebuild(tx); err != nil {
			return err
		}
		rebuilt, err = s.snapshotTx(tx)
		if err != nil {
			return err
		}
		return errRollback
	})
	if err != errRollback {
		return err
	}
	if err := s.checkReplaced(kept[string(bReplaced)], rebuilt[string(bReplaced)]); err != nil {
		return err
	}
	for _, name := range stateBuckets {
		if bytes.Equal(name, bReplaced) {
			continue
		}
		a, b := kept[string(name)], rebuilt[string(name)]
		if !reflect.DeepEqual(a, b) {
			for k, v := range a {
				if b[k] != v {
					return fmt.Errorf("bucket %s key %x: kept %q, rebuilt %q", name, k, v, b[k])
				}
			}
			for k, v := range b {
				if _, ok := a[k]; !ok {
					return fmt.Errorf("bucket %s key %x: missing, rebuilt %q", name, k, v)
				}
			}
			return fmt.Errorf("bucket %s differs", name)
		}
	}
	return nil
}

// checkReplaced holds the kept replaced bucket to its invariant: it has
// every id a prev names that the log lacks (the rebuilt bucket), and
// besides may only have ids a prev names whose op the log holds (left by
// a bulk apply, which does not look; harmless, see mergeHeads).
func (s *Store) checkReplaced(kept, rebuilt map[string]string) error {
	for k := range rebuilt {
		if _, ok := kept[k]; !ok {
			return fmt.Errorf("bucket %s key %x: missing, a prev names it and the log lacks it", bReplaced, k)
		}
	}
	extra := map[string]bool{}
	for k := range kept {
		if _, ok := rebuilt[k]; !ok {
			extra[k] = true
		}
	}
	if len(extra) == 0 {
		return nil
	}
	return s.db.View(func(tx *bolt.Tx) error {
		ops := tx.Bucket(bOps)
		named := map[string]bool{}
		err := ops.ForEach(func(k, v []byte) error {
			var op Op
			if err := s.decode(dossierOf(k), v, &op); err != nil {
				return err
			}
			for _, p := range op.Prev {
				pk, _ := idKey(p)
				named[string(logKey(k[:16], pk))] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		for k := range extra {
			if !named[k] || ops.Get([]byte(k)) == nil {
				return fmt.Errorf("bucket %s key %x: no prev names it, or the log lacks it", bReplaced, k)
			}
		}
		return nil
	})
}

func (s *Store) snapshot() (map[string]map[string]string, error) {
	var out map[string]map[string]string
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = s.snapshotTx(tx)
		return err
	})
	return out, err
}

// snapshotTx copies the state buckets, with values opened by the codec.
// The summaries are compared decoded, so their unexported fields count.
func (s *Store) snapshotTx(tx *bolt.Tx) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, name := range stateBuckets {
		m := map[string]string{}
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			if s.crypt != nil && string(name) != string(bHeads) && string(name) != string(bSummaries) {
				m[string(k)] = string(v) // set-like buckets: no sealed values
				return nil
			}
			var plain []byte
			var err error
			if string(name) == string(bSummaries) {
				plain, err = s.openChunk(k[0], v)
			} else {
				plain, err = s.openFor(stateScope(name, k), v)
			}
			if err != nil {
				return err
			}
			m[string(k)] = string(plain)
			return nil
		})
		if err != nil {
			return nil, err
		}
		out[string(name)] = m
	}
	return out, nil
}
