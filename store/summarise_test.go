package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPropertySummaryFromChanges applies random ops, most of them to fields
// the summary does not show (where summariseChanges brings the summary up
// to date from the changed heads alone), in small transactions, and checks
// after each that the kept state equals the state derived from scratch.
// HLCs are random, so ops replace newer ones, fork and merge; the fields
// the summary shows come in now and then so both paths meet.
func TestPropertySummaryFromChanges(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 6
	}
	contact, journal := NewID(), NewID()
	neutral := []string{"step/1/note", "step/2/comment", "step/2/answer/q1", "step/3/note", "birthyear",
		"contact/" + contact + "/name", "journal/" + journal + "/text", "step/6/note"}
	shown := []string{"name", "step/1/status", "step/1/check/c1", "exists"}
	values := map[string][]string{"step/1/status": {"open", "active", "done"}, "step/1/check/c1": {"0", "1"}, "exists": {"1"}, "birthyear": {"1990", "2001"}}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 11))
			s := openTest(t, Options{})
			dossiers := []string{NewID(), NewID(), NewID()}
			heads := map[string][]string{} // dossier + field -> ids of the ops made so far on it
			for _, d := range dossiers {
				if _, err := s.ApplyRemote([]Op{mkOp(d, "exists", "1", 1<<16, "dev-a"), mkOp(d, "name", "Anna", 1<<16, "dev-a")}); err != nil {
					t.Fatal(err)
				}
			}
			for round := range 60 {
				var batch []Op
				for range 1 + rng.IntN(4) {
					d := dossiers[rng.IntN(len(dossiers))]
					f := neutral[rng.IntN(len(neutral))]
					if rng.IntN(6) == 0 {
						f = shown[rng.IntN(len(shown))]
					}
					v := fmt.Sprintf("tekst %d", round)
					if vs, ok := values[f]; ok {
						v = vs[rng.IntN(len(vs))]
					}
					// Replace all, some or none of the ops so far: forks
					// (conflicts) come and go.
					var prev []string
					for _, id := range heads[d+f] {
						if rng.IntN(3) > 0 {
							prev = append(prev, id)
						}
					}
					op := mkOp(d, f, v, HLC(rng.IntN(200)+2)<<16, []string{"dev-a", "dev-b"}[rng.IntN(2)], prev...)
					heads[d+f] = append(heads[d+f], op.ID)
					batch = append(batch, op)
				}
				err := s.Update(func(tx *Tx) error {
					for _, op := range batch {
						if _, err := tx.Apply(op); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Check(); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		})
	}
}

// TestSummaryNeutral pins which fields the summary shows.
func TestSummaryNeutral(t *testing.T) {
	id := NewID()
	for _, c := range []struct {
		field string
		steps int
		want  bool
	}{
		{"step/1/note", 6, true},
		{"step/6/comment", 6, true},
		{"step/2/answer/q1", 6, true},
		{"step/7/note", 6, false}, // a step beyond the summary's adds one
		{"step/1/status", 6, false},
		{"step/1/check/c1", 6, false},
		{"name", 6, false},
		{"team", 6, false},
		{"places", 6, false},
		{"exists", 6, false},
		{"birthyear", 6, false}, // the summary holds it (the list's duplicate mark)
		{"agreement/" + id + "/due", 6, false},
		{"agreement/" + id + "/what", 6, false},
		{"contact/" + id + "/phone", 6, true},
		{"journal/" + id + "/text", 6, true},
	} {
		p, _, err := ParseField(c.field)
		if err != nil {
			t.Fatalf("%s: %v", c.field, err)
		}
		if got := summaryNeutral(p, c.steps); got != c.want {
			t.Errorf("summaryNeutral(%s, %d) = %v, want %v", c.field, c.steps, got, c.want)
		}
	}
}
