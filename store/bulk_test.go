package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// crossFieldDAG is randomDAG plus ops whose prev names ops of other fields
// and of other dossiers, and prev ids no replica will ever see: brug never
// makes such ops, but a remote op may, and the bulk path must treat them
// exactly as ApplyRemote does.
func crossFieldDAG(rng *rand.Rand, n int) []Op {
	ops := randomDAG(rng, n)
	for i := range ops {
		if rng.IntN(6) == 0 && i > 0 {
			ops[i].Prev = append(ops[i].Prev, ops[rng.IntN(i)].ID)
		}
		if rng.IntN(10) == 0 {
			ops[i].Prev = append(ops[i].Prev, NewID())
		}
	}
	return ops
}

// logState is the log part of a store (the log, the clock) for
// comparison; snapshot covers the derived state.
func (s *Store) logState(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bOps} {
			if err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				// The op as read: the encoding numbers devices and authors
				// in the order each file met them.
				op, err := s.openOp(k, v)
				if err != nil {
					return err
				}
				out[string(name)+"/"+string(k)] = fmt.Sprintf("%#v", op)
				return nil
			}); err != nil {
				return err
			}
		}
		out["hlc"] = string(tx.Bucket(bMeta).Get(kHLC))
		out["ops sequence"] = fmt.Sprint(tx.Bucket(bOps).Sequence())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPropertyBulkEqualsApplyRemote applies the same random op set to two
// stores: one op at a time with ApplyRemote in a random order, and with
// ApplyRemoteBulk in random batches (a part first through ApplyRemote, and
// with duplicates, in a batch and across batches). Derived state, log and
// the count of new ops must be identical, and both stores pass Check.
func TestPropertyBulkEqualsApplyRemote(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 13))
			ops := crossFieldDAG(rng, 20+rng.IntN(120))

			one := openTest(t, Options{})
			order := slices.Clone(ops)
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			nOne := 0
			for _, op := range order {
				n, err := one.ApplyRemote([]Op{op})
				if err != nil {
					t.Fatal(err)
				}
				nOne += n
			}

			bulk := openTest(t, Options{})
			order = slices.Clone(ops)
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			nBulk := 0
			if rng.IntN(2) == 0 { // some state there already
				k := rng.IntN(len(order))
				n, err := bulk.ApplyRemote(order[:k])
				if err != nil {
					t.Fatal(err)
				}
				nBulk += n
				order = order[k:]
			}
			for len(order) > 0 {
				k := 1 + rng.IntN(len(order))
				batch := slices.Clone(order[:k])
				for range rng.IntN(4) { // duplicates, known or in this batch
					batch = append(batch, ops[rng.IntN(len(ops))])
				}
				rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
				n, err := bulk.ApplyRemoteBulk(batch)
				if err != nil {
					t.Fatal(err)
				}
				nBulk += n
				order = order[k:]
			}
			if nOne != len(ops) || nBulk != len(ops) {
				t.Fatalf("new ops: one by one %d, bulk %d, want %d", nOne, nBulk, len(ops))
			}
			want, err := one.snapshot()
			if err != nil {
				t.Fatal(err)
			}
			got, err := bulk.snapshot()
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range derivedBuckets {
				if !reflect.DeepEqual(got[string(b)], want[string(b)]) {
					t.Fatalf("bucket %s differs between bulk and one by one", b)
				}
			}
			if err := bulk.Check(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(bulk.logState(t), one.logState(t)) {
				t.Fatal("log differs between bulk and one by one")
			}
			if one.clock.Last() != bulk.clock.Last() {
				t.Fatalf("clock: one by one %d, bulk %d", one.clock.Last(), bulk.clock.Last())
			}
		})
	}
}

// TestBulkRefusesLikeApplyRemote: a malformed op or an op of an erased
// dossier fails the whole batch and stores nothing.
func TestBulkRefusesLikeApplyRemote(t *testing.T) {
	s := openTest(t, Options{})
	d, gone := NewID(), NewID()
	good := mkOp(d, "name", "Anna", MakeHLC(t0, 1), "dev-a")
	if _, err := s.ApplyRemote([]Op{mkOp(gone, "name", "Bram", MakeHLC(t0, 1), "dev-a")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(gone); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.ID = "not-an-id"
	for name, batch := range map[string][]Op{
		"invalid": {good, bad},
		"erased":  {good, mkOp(gone, "name", "Cor", MakeHLC(t0, 2), "dev-a")},
	} {
		if _, err := s.ApplyRemoteBulk(batch); !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s: got %v, want ErrInvalid", name, err)
		}
		if st, _ := s.Stats(); st.Ops != 0 {
			t.Fatalf("%s: %d ops stored", name, st.Ops)
		}
	}
	if n, err := s.ApplyRemoteBulk(nil); n != 0 || err != nil {
		t.Fatalf("empty batch: %d, %v", n, err)
	}
}
