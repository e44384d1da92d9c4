package store

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// replacedKeys lists the replaced bucket.
func replacedKeys(t *testing.T, s *Store) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bReplaced).ForEach(func(k, _ []byte) error {
			out[idString(k)] = true
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReplacedHoldsOnlyMissing: the replaced bucket remembers a named op
// only until the log holds it, whichever way ops arrive (one by one, in
// bulk), and an op that arrives after its replacer never becomes a head.
func TestReplacedHoldsOnlyMissing(t *testing.T) {
	d := NewID()
	a := mkOp(d, "step/1/note", "a", 1<<16, "dev-a")
	b := mkOp(d, "step/1/note", "b", 2<<16, "dev-a", a.ID)
	c := mkOp(d, "step/1/note", "c", 3<<16, "dev-b", b.ID)
	for _, apply := range []struct {
		name string
		fn   func(*Store, []Op) (int, error)
	}{{"one by one", (*Store).ApplyRemote}, {"bulk", (*Store).ApplyRemoteBulk}} {
		t.Run(apply.name, func(t *testing.T) {
			s := openTest(t, Options{})
			// c first: b is named, missing.
			if _, err := apply.fn(s, []Op{c}); err != nil {
				t.Fatal(err)
			}
			if got := replacedKeys(t, s); len(got) != 1 || !got[b.ID] {
				t.Fatalf("after c: replaced = %v, want only b", got)
			}
			// b and a in one go: b arrives (its entry goes) and names a, which
			// comes in the same batch.
			if _, err := apply.fn(s, []Op{b, a}); err != nil {
				t.Fatal(err)
			}
			if got := replacedKeys(t, s); len(got) != 0 {
				t.Fatalf("after a and b: replaced = %v, want none", got)
			}
			hs, err := s.Heads(d, "step/1/note")
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != 1 || hs[0].ID != c.ID {
				t.Fatalf("heads = %+v, want only c", hs)
			}
		})
	}
}

// TestMigratePruneReplaced: a schema 2 file, whose replaced bucket names
// ops the log holds, opens as schema 3 with only the missing ones left,
// and its state equals the rebuilt one.
func TestMigratePruneReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{NoSync: true, Author: "fleur", Now: fixedClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	d := NewID()
	a := mkOp(d, "step/1/note", "a", 1<<16, "dev-a")
	b := mkOp(d, "step/1/note", "b", 2<<16, "dev-a", a.ID)
	missing := NewID()
	c := mkOp(d, "step/2/note", "c", 3<<16, "dev-a", missing)
	if _, err := s.ApplyRemote([]Op{a, b, c}); err != nil {
		t.Fatal(err)
	}
	// As schema 2 kept it: every named id.
	err = s.db.Update(func(tx *bolt.Tx) error {
		k, _ := idKey(a.ID)
		if err := tx.Bucket(bReplaced).Put(k, present); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSchema, u32(2))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("open schema 2 file: %v", err)
	}
	defer s.Close()
	if got := replacedKeys(t, s); len(got) != 1 || !got[missing] {
		t.Fatalf("replaced after migration = %v, want only the missing id", got)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("state after migration differs from the rebuilt state: %v", err)
	}
}
