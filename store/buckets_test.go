package store

import (
	"errors"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Bucket is the tests' way to a bucket of their own: outside them only
// the holder of Buckets (OpenWithBuckets) has one.
func (tx *Tx) Bucket(name string) (*bolt.Bucket, error) {
	return (&Buckets{s: tx.s}).Bucket(tx, name)
}

// The capability to keep one's own buckets works only in transactions of
// the store it came with: a Tx of another store gets no bucket of it.
func TestBucketsOnlyForTheirStore(t *testing.T) {
	s, b, err := OpenWithBuckets(filepath.Join(t.TempDir(), "a.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := openTest(t, Options{})
	err = other.Update(func(tx *Tx) error {
		_, err := b.Bucket(tx, "x_own")
		return err
	})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("a bucket through another store's transaction: %v", err)
	}
	err = s.Update(func(tx *Tx) error {
		bk, err := b.Bucket(tx, "x_own")
		if err != nil {
			return err
		}
		if err := bk.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		if err := b.DropBucket(tx, "x_own"); err != nil {
			return err
		}
		_, err = b.Bucket(tx, "own")
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("a bucket without x_: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var zero *Buckets
	if err := s.View(func(tx *Tx) error { _, err := zero.Bucket(tx, "x_own"); return err }); !errors.Is(err, ErrInvalid) {
		t.Errorf("a nil Buckets: %v", err)
	}
}
