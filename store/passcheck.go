package store

import (
	"crypto/subtle"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// CheckPassphrase reports whether pass unlocks the open file's key: nil
// when the file's passphrase record opens with it to the key this store
// runs on, ErrWrongPassphrase when it does not, ErrNeedPassphrase when the
// file has no passphrase record (a plain file, or a key in the keyring).
// It lets a process that has the file open answer another process of the
// same user only once that one proved it knows the passphrase too.
func (s *Store) CheckPassphrase(pass []byte) error {
	if s.crypt == nil {
		return ErrNeedPassphrase
	}
	var r keyRecords
	if err := s.db.View(func(tx *bolt.Tx) error { r = readKeyRecords(tx); return nil }); err != nil {
		return err
	}
	if r.pass == nil {
		return ErrNeedPassphrase
	}
	if len(pass) == 0 {
		return ErrWrongPassphrase
	}
	key, err := openPassRecord(r.pass, pass)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(key, s.crypt.raw) != 1 {
		return fmt.Errorf("%w: the passphrase record holds another key", ErrWrongPassphrase)
	}
	return nil
}
