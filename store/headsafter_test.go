package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// HeadsAfter is how a server judges an op before it stores it (the bound
// on a field's heads); it must tell exactly the heads Apply then leaves,
// for ops naming heads, unknown ops, themselves or ops of other fields,
// and for ops some known op named in prev before they came.
func TestHeadsAfterIsWhatApplyLeaves(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	rng := rand.New(rand.NewPCG(7, 7))
	dossier := NewID()
	fields := []string{"name", "step/1/note"}
	var made []Op    // ops applied
	var pending []Op // ops made but held back, named in prev by later ones
	for i := range 400 {
		field := fields[rng.IntN(len(fields))]
		var op Op
		if len(pending) > 0 && rng.IntN(4) == 0 {
			op, pending = pending[0], pending[1:] // one named before it came
		} else {
			var prev []string
			for range rng.IntN(3) {
				switch pool := append(slices.Clone(made), pending...); {
				case len(pool) > 0 && rng.IntN(5) > 0:
					prev = append(prev, pool[rng.IntN(len(pool))].ID)
				default:
					prev = append(prev, NewID()) // an op never seen
				}
			}
			op = mkOp(dossier, field, fmt.Sprint("v", i), HLC(1000+i), fmt.Sprint("d", rng.IntN(3)), prev...)
			if rng.IntN(20) == 0 {
				op.Prev = append(op.Prev, op.ID)
			}
			if rng.IntN(6) == 0 {
				pending = append(pending, op)
				continue
			}
		}
		err := s.Update(func(tx *Tx) error {
			want, err := tx.HeadsAfter(op)
			if err != nil {
				return err
			}
			if _, err := tx.Apply(op); err != nil {
				return err
			}
			got, err := tx.Heads(op.Dossier, op.Field)
			if err != nil {
				return err
			}
			ids := func(hs []Head) []string {
				var out []string
				for _, h := range hs {
					out = append(out, h.ID)
				}
				slices.Sort(out)
				return out
			}
			if !slices.Equal(ids(want), ids(got)) {
				return fmt.Errorf("op %d: HeadsAfter told %v, Apply left %v", i, ids(want), ids(got))
			}
			again, err := tx.HeadsAfter(op) // a known op changes nothing
			if err == nil && !slices.Equal(ids(again), ids(got)) {
				err = fmt.Errorf("op %d known: HeadsAfter told %v, heads are %v", i, ids(again), ids(got))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, op)
	}
}
