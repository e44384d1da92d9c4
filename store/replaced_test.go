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

// TestReplacedHoldsEveryNamedID: from schema 5 the replaced set holds
// every id a prev names, whether the log holds that op or not, on every
// path alike (heads are the log's ops the set lacks, merge.go); an op that
// arrives after its replacer never becomes a head.
func TestReplacedHoldsEveryNamedID(t *testing.T) {
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
			// b and a in one go: b arrives (it stays named) and names a,
			// which comes in the same batch.
			if _, err := apply.fn(s, []Op{b, a}); err != nil {
				t.Fatal(err)
			}
			if got := replacedKeys(t, s); len(got) != 2 || !got[a.ID] || !got[b.ID] {
				t.Fatalf("after a and b: replaced = %v, want a and b", got)
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
