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

// TestDeviceViewsAsBbolt: DeviceViews (read as one value) gives what the
// bbolt backend gives after the same writes, in the same order: entries
// written out of key order, one at a time and in batches, rewritten and
// deleted, every state, the largest number (unconfirmed) and zero, keys
// of other lengths, other devices' entries left out, a device with none;
// read in the write's own transaction and after it.
func TestDeviceViewsAsBbolt(t *testing.T) {
	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "server.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	pg := openStorageT(t, pgtest.DB(t), "", store.Options{})

	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string {
		k := make([]byte, 16)
		for i := range k {
			k[i] = byte(rng.UintN(256))
		}
		return string(k)
	}
	var keys []string
	for range 300 {
		keys = append(keys, key())
	}
	keys = append(keys, "\x00", "", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")
	devices := []string{"laptop-a", "laptop-b", "laptop-c"}
	type step func(tx storage.Tx) error
	var steps [][]step
	for round := range 4 {
		var s []step
		for _, k := range keys {
			if rng.UintN(3) == 0 {
				continue
			}
			d := devices[rng.UintN(2)]
			e := storage.ViewEntry{State: byte(rng.UintN(4)), Seq: rng.Uint64N(1 << 40)}
			switch rng.UintN(6) {
			case 0:
				e.Seq = ^uint64(0)
			case 1:
				e.Seq = 0
			case 2:
				e.State = 255
			}
			if round > 1 && rng.UintN(4) == 0 {
				s = append(s, func(tx storage.Tx) error { return tx.DeleteView(d, k) })
				continue
			}
			s = append(s, func(tx storage.Tx) error { return tx.PutView(d, k, e) })
		}
		batch := keys[rng.UintN(100):][:50]
		s = append(s, func(tx storage.Tx) error {
			if b, ok := tx.(storage.PullBatcher); ok {
				return b.PutViews("laptop-a", batch, storage.ViewEntry{State: 1, Seq: 77})
			}
			for _, k := range batch {
				if err := tx.PutView("laptop-a", k, storage.ViewEntry{State: 1, Seq: 77}); err != nil {
					return err
				}
			}
			return nil
		})
		steps = append(steps, s)
	}
	type entry struct {
		Dossier string
		E       storage.ViewEntry
	}
	read := func(tx storage.Tx) (map[string][]entry, error) {
		out := map[string][]entry{}
		for _, d := range devices {
			out[d] = []entry{}
			if err := tx.DeviceViews(d, func(dk string, e storage.ViewEntry) error {
				out[d] = append(out[d], entry{dk, e})
				return nil
			}); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for i, s := range steps {
		var want, got, wantIn, gotIn map[string][]entry
		for _, b := range []struct {
			st      storage.Storage
			in, out *map[string][]entry
		}{{bolt, &wantIn, &want}, {pg, &gotIn, &got}} {
			err := b.st.Update(func(tx storage.Tx) error {
				for _, f := range s {
					if err := f(tx); err != nil {
						return err
					}
				}
				var err error
				*b.in, err = read(tx)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := b.st.View(func(tx storage.Tx) error {
				var err error
				*b.out, err = read(tx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if len(want["laptop-a"]) == 0 || len(want["laptop-c"]) != 0 {
			t.Fatalf("round %d: the writes left %d and %d entries", i, len(want["laptop-a"]), len(want["laptop-c"]))
		}
		for name, w := range map[string][2]map[string][]entry{"in the writing transaction": {wantIn, gotIn}, "after it": {want, got}} {
			if !reflect.DeepEqual(w[0], w[1]) {
				t.Errorf("round %d, %s: PostgreSQL's views differ from bbolt's:\n%s", i, name, fmt.Sprint(w[1])[:min(400, len(fmt.Sprint(w[1])))])
			}
		}
	}
}
