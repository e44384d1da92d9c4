package pgstore

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

func openStorageT(t *testing.T, data, keys string, opt store.Options) *Storage {
	t.Helper()
	s, err := OpenStorage(data, keys, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustUpdate(t *testing.T, s *Storage, fn func(storage.Tx) error) {
	t.Helper()
	if err := s.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func testOp(dossier, field, value string, prev ...string) store.Op {
	return store.Op{ID: store.NewID(), Dossier: dossier, Field: field, Value: value, HLC: store.HLC(1 + len(prev)), Device: "d", Author: "anna", Prev: prev}
}

// Two storages on one database (two server processes) numbering ops at
// once: every number is given once, and a reader that sees number n sees
// every number below it (the write lock gives numbers in commit order).
func TestTwoProcessesNumberInCommitOrder(t *testing.T) {
	dsn := pgtest.DB(t)
	a, b := openStorageT(t, dsn, "", store.Options{}), openStorageT(t, dsn, "", store.Options{})
	dossier := store.NewID()
	const per = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*per+50)
	for _, s := range []*Storage{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				errs <- s.Update(func(tx storage.Tx) error {
					op := testOp(dossier, "name", "x")
					if _, err := tx.ApplyJSON(op, nil); err != nil {
						return err
					}
					_, err := tx.NumberOp(op.ID, op.Dossier)
					return err
				})
			}
		}()
	}
	// A reader meanwhile: what it sees up to LastSeq has no hole.
	stop := make(chan struct{})
	go func() {
		defer close(stop)
		for range 50 {
			errs <- a.View(func(tx storage.Tx) error {
				last, n := tx.LastSeq(), uint64(0)
				err := tx.OpsAfter(0, func(seq uint64, _, _ []byte) (bool, error) {
					n++
					if seq != n {
						return false, errors.New("a hole below the last number a reader sees")
					}
					return true, nil
				})
				if err == nil && n != last {
					err = errors.New("the reader sees fewer numbers than LastSeq")
				}
				return err
			})
		}
	}()
	wg.Wait()
	<-stop
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.View(func(tx storage.Tx) error {
		if last := tx.LastSeq(); last != 2*per {
			t.Errorf("LastSeq %d, want %d", last, 2*per)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// The merge state on SQL agrees with the store's kernel: a concurrent
// edit keeps two heads, an op naming both leaves one; HeadsAfter predicts
// Apply; erasure deletes the key, so the sealed bytes no longer open, and
// later ops are refused.
func TestOpLogMergeAndErasure(t *testing.T) {
	dsn := pgtest.DB(t)
	dir := t.TempDir()
	opt := store.Options{Encryption: &store.Encryption{Keyring: store.KeyFile{Name: filepath.Join(dir, "master.key")}}}
	s := openStorageT(t, dsn, "", opt)
	d := store.NewID()
	first := testOp(d, "step/1/note", "a")
	left, right := testOp(d, "step/1/note", "b", first.ID), testOp(d, "step/1/note", "c", first.ID)
	mustUpdate(t, s, func(tx storage.Tx) error {
		for _, op := range []store.Op{first, left, right} {
			if ok, err := tx.ApplyJSON(op, nil); err != nil || !ok {
				t.Fatalf("apply %s: %v %v", op.Value, ok, err)
			}
		}
		if ok, err := tx.ApplyJSON(left, nil); err != nil || ok {
			t.Fatalf("a known op applied again: %v %v", ok, err)
		}
		return nil
	})
	merge := testOp(d, "step/1/note", "d", left.ID, right.ID)
	mustUpdate(t, s, func(tx storage.Tx) error {
		hs, err := tx.Heads(d, "step/1/note")
		if err != nil || len(hs) != 2 {
			t.Fatalf("heads after a concurrent edit: %+v %v", hs, err)
		}
		after, err := tx.HeadsAfter(merge)
		if err != nil || len(after) != 1 || after[0].ID != merge.ID {
			t.Fatalf("HeadsAfter: %+v %v", after, err)
		}
		if _, err := tx.ApplyJSON(merge, nil); err != nil {
			t.Fatal(err)
		}
		hs, err = tx.Heads(d, "step/1/note")
		if err != nil || len(hs) != 1 || hs[0].Value != "d" {
			t.Fatalf("heads after the merge: %+v %v", hs, err)
		}
		keys, err := tx.HeadKeys(mk(d), nil)
		if err != nil || len(keys) != 1 {
			t.Fatalf("head keys: %d %v", len(keys), err)
		}
		return nil
	})
	var sealed []byte
	if err := s.db.Data.QueryRow(context.Background(), "SELECT op FROM oplog WHERE op_id = $1", mk(merge.ID)).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if err := s.EraseDossier(d); err != nil {
		t.Fatal(err)
	}
	// The bytes kept elsewhere (a backup, a dead tuple) no longer open.
	if _, err := (&Tx{s: s, ctx: context.Background()}).openFor(mk(d), append(mk(d), mk(merge.ID)...), sealed); !errors.Is(err, store.ErrDossierKey) {
		t.Fatalf("an erased dossier's op opened: %v", err)
	}
	err := s.Update(func(tx storage.Tx) error {
		if !tx.Erased(d) || tx.Exists(d) {
			t.Errorf("after erasure: erased %v exists %v", tx.Erased(d), tx.Exists(d))
		}
		_, err := tx.ApplyJSON(testOp(d, "name", "x"), nil)
		return err
	})
	if !errors.Is(err, store.ErrErased) {
		t.Fatalf("an op of an erased dossier: %v", err)
	}
	// Another master key, or none, is refused on this region.
	other := store.Options{Encryption: &store.Encryption{Keyring: store.KeyFile{Name: filepath.Join(dir, "other.key")}}}
	if s2, err := OpenStorage(dsn, "", other); err == nil {
		s2.Close()
		t.Fatal("a region opened with another master key")
	}
	if s2, err := OpenStorage(dsn, "", store.Options{}); err == nil {
		s2.Close()
		t.Fatal("a region with a master key opened without one")
	}
}

func mk(id string) []byte {
	k, err := idKey(id)
	if err != nil {
		panic(err)
	}
	return k
}
