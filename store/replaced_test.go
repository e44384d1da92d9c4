package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

// replacedKeys lists the replaced bucket.
func replacedKeys(t *testing.T, s *Store) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bReplaced).ForEach(func(k, _ []byte) error {
			out[idString(k[16:])] = true
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReplacedHoldsOnlyMissing: applied one by one, the replaced bucket
// remembers a named op only until the log holds it; in bulk it may keep
// more (Check holds both to the invariant); either way an op that arrives
// after its replacer never becomes a head.
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
			if got := replacedKeys(t, s); len(got) != 0 && apply.name == "one by one" {
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
