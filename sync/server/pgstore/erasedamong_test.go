package pgstore

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// TestErasedAmongAsBbolt: ErasedAmong gives the dossiers asked that
// bbolt's Erased says are erased (the server asks it so without
// ErasedAmong), asked by key or, for many dossiers, from every tombstone
// read: with no tombstone, fewer tombstones than the bound, as many and
// more; tombstones of dossiers not asked; erasures written in the
// asking transaction and before it; dossiers asked twice.
func TestErasedAmongAsBbolt(t *testing.T) {
	defer func(b int) { erasedAllBelow = b }(erasedAllBelow)
	erasedAllBelow = 8
	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "server.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	pg := openStorageT(t, pgtest.DB(t), "", store.Options{})
	rng := rand.New(rand.NewPCG(3, 4))
	var dks []string
	for range 100 {
		k, _ := store.LogKey(&store.Op{ID: store.NewID(), Dossier: store.NewID()})
		dks = append(dks, string(k[:16]))
	}
	erased := 0
	erase := func(tx storage.Tx, n int) error {
		for range n {
			if err := tx.MarkErased(dks[erased]); err != nil {
				return err
			}
			erased++
		}
		return nil
	}
	// ask compares both backends' answers for random sets of dossiers,
	// of every size around the bound, after the writes of before.
	ask := func(name string, before int) {
		t.Helper()
		answers := map[string][]map[string]bool{}
		start := erased
		for _, s := range []storage.Storage{bolt, pg} {
			rng := rand.New(rand.NewPCG(5, uint64(start)))
			if err := s.Update(func(tx storage.Tx) error {
				erased = start
				if err := erase(tx, before); err != nil {
					return err
				}
				for _, n := range []int{0, 1, 7, 8, 9, 20, 60, 150} {
					var asked []string
					for range n {
						asked = append(asked, dks[rng.IntN(len(dks))])
					}
					var got map[string]bool
					if b, ok := tx.(storage.PullBatcher); ok {
						var err error
						if got, err = b.ErasedAmong(asked); err != nil {
							return err
						}
					} else {
						got = map[string]bool{}
						for _, d := range asked {
							if tx.Erased(idText([]byte(d))) {
								got[d] = true
							}
						}
					}
					answers[fmt.Sprintf("%T", s)] = append(answers[fmt.Sprintf("%T", s)], got)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		var want, got []map[string]bool
		for k, v := range answers {
			if k == fmt.Sprintf("%T", pg) {
				got = v
			} else {
				want = v
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (%d erased): ErasedAmong gives %v, bbolt %v", name, erased, got, want)
		}
	}
	ask("none erased", 0)
	ask("three erased in the transaction", 3)
	ask("three erased before", 0)
	ask("to the bound in the transaction", erasedAllBelow-3)
	ask("at the bound", 0)
	ask("past the bound", 5)
	for range 3 {
		ask("more", 1+rng.IntN(8))
	}
	if erased < 2*erasedAllBelow {
		t.Fatalf("only %d dossiers erased", erased)
	}
}
