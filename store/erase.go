package store

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bErased holds the ids of erased dossiers: the only trace an erasure
// leaves, so that ops for them are refused from then on.
var bErased = []byte("erased")

// ErrErased is returned for an op on a dossier that was erased.
var ErrErased = fmt.Errorf("%w: the dossier was erased", ErrInvalid)

// Erase deletes every op and all state of a dossier and leaves only its id
// as a tombstone; ops for it are refused from then on (the AVG right to be
// forgotten). Unlike removing a client, it cannot be undone.
func (s *Store) Erase(dossier string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		dkey, err := idKey(dossier)
		if err != nil {
			return err
		}
		if err := s.purge(tx, dkey); err != nil {
			return fmt.Errorf("erase %s: %w", dossier, err)
		}
		b, err := tx.CreateBucketIfNotExists(bErased)
		if err != nil {
			return err
		}
		return b.Put(dkey, present)
	})
}

// Drop deletes a dossier's ops and state from this replica without a
// tombstone: it has left the device's view (a transfer to another team)
// and may come back, whole, with a later sync. Ops of the dossier still
// waiting in the outbox are dropped too; the server would refuse them.
func (s *Store) Drop(dossier string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		dkey, err := idKey(dossier)
		if err != nil {
			return err
		}
		return s.purge(tx, dkey)
	})
}

// Erased reports whether a dossier was erased on this replica.
func (s *Store) Erased(dossier string) bool {
	dkey, err := idKey(dossier)
	if err != nil {
		return false
	}
	erased := false
	s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bErased); b != nil {
			erased = b.Get(dkey) != nil
		}
		return nil
	})
	return erased
}

// purge deletes every trace of a dossier but the erased tombstone, and
// its data key: copies of its values left in free pages, in older copies
// of the file and in backups can then no longer be opened.
func (s *Store) purge(tx *bolt.Tx, dkey []byte) error {
	if s.crypt != nil {
		if err := s.crypt.forget(tx, dkey); err != nil {
			return err
		}
	}
	ops := tx.Bucket(bOps)
	gone := map[string]bool{} // log keys
	c := ops.Cursor()
	for k, _ := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, _ = c.Next() {
		gone[string(k)] = true
	}
	if err := deletePrefix(ops, dkey); err != nil {
		return err
	}
	if err := ops.SetSequence(ops.Sequence() - uint64(len(gone))); err != nil {
		return err
	}
	if err := deletePrefix(tx.Bucket(bReplaced), dkey); err != nil {
		return err
	}
	sm, ok, err := s.getSummary(tx, dkey)
	if errors.Is(err, ErrDossierKey) {
		// Its key is gone already (a restored older copy of a server's
		// file): its due entries are found by their key instead.
		if err := deleteDue(tx.Bucket(bDue), dkey); err != nil {
			return err
		}
		return s.putSummary(tx, dkey, nil)
	}
	if err != nil {
		return err
	}
	if ok {
		for _, k := range dueKeys(dkey, &sm) {
			if err := tx.Bucket(bDue).Delete(k); err != nil {
				return err
			}
		}
		if err := s.putSummary(tx, dkey, nil); err != nil {
			return err
		}
	}
	ob := tx.Bucket(bOutbox).Cursor()
	for k, v := ob.First(); k != nil; k, v = ob.Next() {
		if gone[string(v)] {
			if err := ob.Delete(); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteDue deletes every due entry of the dossier dkey.
func deleteDue(b *bolt.Bucket, dkey []byte) error {
	var gone [][]byte
	b.ForEach(func(k, _ []byte) error {
		if len(k) >= 20 && bytes.Equal(k[4:20], dkey) {
			gone = append(gone, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// Ack removes ops from the outbox once a server has accepted or refused
// them. Unknown ids are ignored, so acknowledging twice is harmless.
func (s *Store) Ack(opIDs []string) error {
	if len(opIDs) == 0 {
		return nil
	}
	done, err := ackKeys(opIDs)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return ackTx(tx, done) })
}

// ackKeys is the set of the keys (idKey) of the ops opIDs names.
func ackKeys(opIDs []string) (map[string]bool, error) {
	done := make(map[string]bool, len(opIDs))
	for _, id := range opIDs {
		k, err := idKey(id)
		if err != nil {
			return nil, err
		}
		done[string(k)] = true
	}
	return done, nil
}

// ackTx is Ack in tx, for the keys (idKey) of the ops in done.
func ackTx(tx *bolt.Tx, done map[string]bool) error {
	c := tx.Bucket(bOutbox).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) == 32 && done[string(v[16:])] {
			if err := c.Delete(); err != nil {
				return err
			}
		}
	}
	return nil
}
