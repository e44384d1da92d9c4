package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// AdoptOutbox records author on every op made on this device that has not
// reached a server yet, and returns how many it changed. It runs only
// when the person enrolling a never-enrolled file says the work on it is
// theirs (brug login --adopt): a coach may have worked offline before
// logging in, under a local user name, and the server accepts only ops
// authored by the enrolled user. Never on another person's work: a login
// over someone else's data is refused instead (client.EnrollWith). An op
// in the outbox was made here and was never accepted anywhere, so no
// other replica holds it; ops outside the outbox, or made on another
// device, are never touched.
func (s *Store) AdoptOutbox(author string) (int, error) {
	if author == "" || len(author) > 64 {
		return 0, fmt.Errorf("%w author %q", ErrInvalid, author)
	}
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		ops := tx.Bucket(bOps)
		w := s.newWriter(tx)
		err := tx.Bucket(bOutbox).ForEach(func(_, okey []byte) error {
			raw := ops.Get(okey)
			if raw == nil {
				return nil
			}
			op, err := s.openOp(okey, raw)
			if err != nil {
				return err
			}
			if op.Device != s.device || op.Author == author {
				return nil
			}
			op.Author = author
			enc, err := s.sealOp(okey, &op)
			if err != nil {
				return err
			}
			if err := ops.Put(append([]byte(nil), okey...), enc); err != nil {
				return err
			}
			// Heads are derived from the log: the summary follows.
			w.forget(okey[:16])
			w.touchAll(op.Dossier)
			n++
			return nil
		})
		if err != nil {
			return err
		}
		return w.finish()
	})
	return n, err
}

// Requeue puts back in the outbox every op in the log that was made on
// this device by author and is not waiting there already, and returns how
// many it queued. A device runs it when its server's file was restored
// from a backup older than some of these ops: pushes are idempotent, so
// the server acknowledges the ops it holds and stores the ones it lost.
// Each dossier's team ops are queued before all other ops, so that a
// dossier the server lost arrives with the team that creates it in the
// first push (a push holds at most a few thousand ops). An empty author
// (a device enrolled by a brug that did not note its user) takes every op
// made on this device; the server refuses those of another author.
func (s *Store) Requeue(author string) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bOutbox)
		queued := map[string]bool{}
		if err := ob.ForEach(func(_, okey []byte) error {
			queued[string(okey)] = true
			return nil
		}); err != nil {
			return err
		}
		var later [][]byte
		c := tx.Bucket(bOps).Cursor()
		for k, raw := c.First(); k != nil; k, raw = c.Next() {
			if queued[string(k)] {
				continue
			}
			op, err := s.openOp(k, raw)
			if err != nil {
				return fmt.Errorf("read op to queue again: %w", err)
			}
			if op.Device != s.device || (author != "" && op.Author != author) {
				continue
			}
			key := append([]byte(nil), k...)
			if op.Field != "team" {
				later = append(later, key)
				continue
			}
			if err := queue(ob, key); err != nil {
				return err
			}
			n++
		}
		for _, key := range later {
			if err := queue(ob, key); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// queue appends a log key to the outbox.
func queue(ob *bolt.Bucket, lkey []byte) error {
	seq, err := ob.NextSequence()
	if err != nil {
		return err
	}
	return ob.Put(u64(seq), lkey)
}
