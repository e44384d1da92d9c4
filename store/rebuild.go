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

// rebuild derives state from the log in tx: the replaced set (every id a
// prev names, as mergeField tells it per field), then each dossier's
// summary and due entries from its heads, which are derived from the log
// and the replaced set.
func (s *Store) rebuild(tx *bolt.Tx) error {
	// Keys are collected and put in sorted order: bbolt inserts into one
	// large transaction in random order are quadratic in practice.
	replacedIDs := map[string]bool{} // log keys: a prev names an op of its own dossier
	var dossiers []string
	var cur []byte
	byField := map[string][]Op{}
	flush := func() error {
		for _, ops := range byField {
			_, named := mergeField(nil, ops, noneReplaced)
			for _, p := range named {
				pk, err := idKey(p)
				if err != nil {
					return err
				}
				replacedIDs[string(logKey(cur, pk))] = true
			}
		}
		clear(byField)
		return nil
	}
	err := tx.Bucket(bOps).ForEach(func(k, v []byte) error {
		if len(k) != 32 {
			return fmt.Errorf("log key %x: %w", k, errCorrupt)
		}
		if !bytes.Equal(k[:16], cur) {
			if err := flush(); err != nil {
				return err
			}
			cur = append([]byte(nil), k[:16]...)
			dossiers = append(dossiers, idString(cur))
		}
		op, err := s.openOp(k, v)
		if err != nil {
			return err
		}
		byField[op.Field] = append(byField[op.Field], op)
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	replaced := tx.Bucket(bReplaced)
	replaced.FillPercent = 0.9
	for _, k := range sortedKeys(replacedIDs) {
		if err := replaced.Put([]byte(k), present); err != nil {
			return err
		}
	}
	sb := s.newSummaryBatch(tx)
	for _, id := range dossiers {
		if err := s.materialise(tx, sb, id); err != nil {
			return err
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
	for _, name := range stateBuckets {
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
		if string(name) == string(bSummaries) {
			// Entry by entry: a chunk's sealed bytes differ with every seal.
			err := s.eachSummaryEntry(tx, func(k, v []byte) error {
				plain, err := s.openFor(k, v)
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
			continue
		}
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			if s.crypt != nil {
				m[string(k)] = string(v) // set-like buckets: no sealed values
				return nil
			}
			plain, err := s.openFor(stateScope(name, k), v)
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
