package pgstore

import (
	"context"
	"sync"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// An erasure by one process drops the dossier's key from the memory of
// every other process on the database by its next write transaction.
// The attack: a server's memory dumped after an erasure on another server
// held the dossier's key; with the WAL's sealed bytes it reads the erased
// person.
func TestErasureElsewhereDropsTheKey(t *testing.T) {
	dsn := pgtest.DB(t)
	a := openStorageT(t, dsn, "", store.Options{})
	b := openStorageT(t, dsn, "", store.Options{})
	d, other := store.NewID(), store.NewID()
	mustUpdate(t, a, func(tx storage.Tx) error {
		for _, dossier := range []string{d, other} {
			if _, err := tx.ApplyJSON(testOp(dossier, "name", "Jan"), nil); err != nil {
				return err
			}
		}
		return nil
	})
	read := func(s *Storage, dossier string) {
		t.Helper()
		if err := s.View(func(tx storage.Tx) error {
			hs, err := tx.Heads(dossier, "name")
			if err == nil && (len(hs) != 1 || hs[0].Value != "Jan") {
				t.Errorf("heads of %s: %+v", dossier, hs)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	holds := func(s *Storage, dossier string) bool {
		_, ok := s.keys.load(mk(dossier))
		return ok
	}
	mustUpdate(t, b, func(storage.Tx) error { return nil }) // b has seen the tombstones
	read(b, d)
	read(b, other)
	if !holds(b, d) {
		t.Fatal("b does not cache the key it read with")
	}
	if err := a.EraseDossier(d); err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, b, func(storage.Tx) error { return nil })
	if holds(b, d) {
		t.Error("b still holds the erased dossier's key after its next write transaction began")
	}
	if !holds(b, other) {
		t.Error("b dropped the key of a dossier not erased")
	}

	// The race: b reads the key after a's tombstone committed and b's
	// BEGIN counted it, before a deleted the key from the key store.
	e := store.NewID()
	mustUpdate(t, a, func(tx storage.Tx) error {
		_, err := tx.ApplyJSON(testOp(e, "name", "Jan"), nil)
		return err
	})
	mustUpdate(t, a, func(stx storage.Tx) error {
		return stx.(*Tx).exec("INSERT INTO erased (dossier) VALUES ($1)", mk(e)) // EraseDossier's first half
	})
	mustUpdate(t, b, func(storage.Tx) error { return nil }) // counts the new tombstone
	if _, err := b.dossierKey(context.Background(), mk(e), false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Keys.Exec(context.Background(), "DELETE FROM dossier_keys WHERE dossier = $1", mk(e)); err != nil { // its second half
		t.Fatal(err)
	}
	mustUpdate(t, b, func(storage.Tx) error { return nil })
	if holds(b, e) {
		t.Error("b holds the key it read between an erasure's tombstone and the key's deletion")
	}
	if !holds(b, other) {
		t.Error("b dropped the key of a dossier not erased")
	}

	// Views keeping keys while write transactions check them (-race).
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				b.keys.drop(mk(other))
				read(b, other)
			}
		}()
	}
	for range 10 {
		mustUpdate(t, b, func(storage.Tx) error { return nil })
	}
	wg.Wait()
	mustUpdate(t, b, func(storage.Tx) error { return nil })
	if !holds(b, other) {
		t.Error("b dropped the key of a dossier not erased")
	}
}
