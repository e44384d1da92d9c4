package store

import (
	"bytes"
	"fmt"
)

// What a copy of a sync server's region to another backend reads and
// writes beyond the rest of Tx (sync/server/storage.Export; brug admin
// migrate). Dossiers travel as their 16-byte keys in a string.

// EachOpDossier calls fn with the key of every dossier the log holds ops
// of, in key order: one seek per dossier, not a walk of its ops.
func (tx *Tx) EachOpDossier(fn func(dossier string) error) error {
	c := tx.tx.Bucket(bOps).Cursor()
	for k, _ := c.First(); k != nil; {
		if len(k) < 16 {
			k, _ = c.Next()
			continue
		}
		dk := bytes.Clone(k[:16])
		if err := fn(string(dk)); err != nil {
			return err
		}
		next := nextPrefix(dk)
		if next == nil {
			return nil
		}
		k, _ = c.Seek(next)
	}
	return nil
}

// EachErased calls fn with the key of every erased dossier.
func (tx *Tx) EachErased(fn func(dossier string) error) error {
	b := tx.tx.Bucket(bErased)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, _ []byte) error { return fn(string(k)) })
}

// MarkErased erases the dossier whose key is dossier as Erase does, in
// this transaction: its ops, state and key go, its tombstone stays.
func (tx *Tx) MarkErased(dossier string) error {
	if len(dossier) != 16 {
		return fmt.Errorf("%w: dossier key of %d bytes", ErrInvalid, len(dossier))
	}
	if !tx.tx.Writable() {
		return fmt.Errorf("%w: erase in a read transaction", ErrInvalid)
	}
	dkey := []byte(dossier)
	if tx.w != nil {
		tx.w.forget(dkey)
	}
	if err := tx.s.purge(tx.tx, dkey); err != nil {
		return fmt.Errorf("erase %x: %w", dkey, err)
	}
	b, err := tx.tx.CreateBucketIfNotExists(bErased)
	if err != nil {
		return err
	}
	return b.Put(dkey, present)
}
