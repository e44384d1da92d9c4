package store

import (
	"errors"
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

// ApplyJSONBounded decides the bound on heads from the one read the apply
// makes; it must decide as the server's rule over Heads and HeadsAfter
// does (refuse when the field holds bound heads or more and the op would
// leave more than bound and more than it has), write nothing when it
// refuses, and leave what Apply leaves when it does not.
func TestApplyBoundedDecidesAsHeadsAfter(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	rng := rand.New(rand.NewPCG(5, 9))
	dossier := NewID()
	fields := []string{"name", "step/1/note"}
	const bound = 3
	ids := func(hs []Head) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.ID)
		}
		slices.Sort(out)
		return out
	}
	var made []Op
	refused, applied, over := 0, 0, 0
	for i := range 400 {
		field := fields[rng.IntN(len(fields))]
		var prev []string
		for range rng.IntN(3) {
			if len(made) > 0 && rng.IntN(3) > 0 {
				prev = append(prev, made[rng.IntN(len(made))].ID)
			}
		}
		op := mkOp(dossier, field, fmt.Sprint("v", i), HLC(1000+i), fmt.Sprint("d", rng.IntN(3)), prev...)
		if len(prev) == 0 && rng.IntN(3) == 0 {
			// Applied without the bound (a field over it, as one from
			// before the bound was): ops that name some of its heads
			// must still pass.
			if err := s.Update(func(tx *Tx) error { _, err := tx.Apply(op); return err }); err != nil {
				t.Fatal(err)
			}
			made = append(made, op)
			continue
		}
		err := s.Update(func(tx *Tx) error {
			before, err := tx.Heads(op.Dossier, op.Field)
			if err != nil {
				return err
			}
			after, err := tx.HeadsAfter(op)
			if err != nil {
				return err
			}
			want := len(before) >= bound && len(after) > bound && len(after) > len(before)
			ok, err := tx.ApplyJSONBounded(op, nil, bound)
			var hb *HeadsBoundError
			switch {
			case want && !errors.As(err, &hb):
				return fmt.Errorf("op %d: %d heads before, %d after: want a refusal, got %v %v", i, len(before), len(after), ok, err)
			case want && (hb.Before != len(before) || tx.Known(op.Dossier, op.ID)):
				return fmt.Errorf("op %d: refused with %+v (before %d), or stored anyway", i, hb, len(before))
			case want:
				refused++
				now, err := tx.Heads(op.Dossier, op.Field)
				if err == nil && !slices.Equal(ids(now), ids(before)) {
					err = fmt.Errorf("op %d: refused, yet the heads changed: %v to %v", i, ids(before), ids(now))
				}
				return err
			case err != nil || !ok:
				return fmt.Errorf("op %d: %d heads before, %d after: want it applied, got %v %v", i, len(before), len(after), ok, err)
			}
			applied++
			if len(before) > bound {
				over++
			}
			now, err := tx.Heads(op.Dossier, op.Field)
			if err == nil && !slices.Equal(ids(now), ids(after)) {
				err = fmt.Errorf("op %d: HeadsAfter told %v, the apply left %v", i, ids(after), ids(now))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, op)
	}
	if refused < 20 || applied < 20 || over < 10 {
		t.Fatalf("%d ops refused, %d applied (%d to a field over the bound): the history does not test them all", refused, applied, over)
	}
}
