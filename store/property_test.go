package store

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// randomDAG makes n ops on a few dossiers and fields whose Prev names a
// random subset of earlier ops on the same field: histories with forks,
// merges and ops that replace only part of what exists.
func randomDAG(rng *rand.Rand, n int) []Op {
	dossiers := []string{NewID(), NewID()}
	agr := NewID()
	fields := []string{"name", "team", "step/1/check/c1", "step/2/answer/q1", "step/3/note",
		"agreement/" + agr + "/exists", "agreement/" + agr + "/what", "places"}
	values := map[string][]string{
		"name": {"Anna", "Bram", "Cor"}, "team": {"Noord", "Oost"}, "step/1/check/c1": {"0", "1"},
		"agreement/" + agr + "/exists": {"0", "1"}, "places": {"dagbesteding", "dagbesteding,werkervaringsplaats", "regulier-werk"},
	}
	devices := []string{"dev-a", "dev-b", "dev-c"}
	byField := map[string][]Op{}
	var ops []Op
	for i := range n {
		d := dossiers[rng.IntN(len(dossiers))]
		f := fields[rng.IntN(len(fields))]
		key := d + f
		v := fmt.Sprintf("tekst %d", i)
		if vs, ok := values[f]; ok {
			v = vs[rng.IntN(len(vs))]
		}
		var prev []string
		for _, p := range byField[key] {
			if rng.IntN(3) == 0 {
				prev = append(prev, p.ID)
			}
		}
		// HLCs collide on purpose now and then, so the device tie-break runs.
		op := mkOp(d, f, v, HLC(rng.IntN(n/2+1)+1)<<16, devices[rng.IntN(len(devices))], prev...)
		byField[key] = append(byField[key], op)
		ops = append(ops, op)
	}
	return ops
}

// TestPropertyAnyOrderSameState applies the same random op set in random
// orders and batchings to several replicas: heads, documents, summaries and
// indexes must be identical, and equal to a rebuild from the log.
func TestPropertyAnyOrderSameState(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			ops := randomDAG(rng, 20+rng.IntN(60))
			var want map[string]map[string]string
			for r := range 4 {
				s := openTest(t, Options{})
				order := slices.Clone(ops)
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				for len(order) > 0 {
					k := 1 + rng.IntN(min(len(order), 7))
					// Re-sending ops already applied must change nothing.
					batch := slices.Clone(order[:k])
					if r > 0 && rng.IntN(4) == 0 {
						batch = append(batch, ops[rng.IntN(len(ops))])
					}
					if _, err := s.ApplyRemote(batch); err != nil {
						t.Fatal(err)
					}
					order = order[k:]
				}
				got, err := s.snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if r == 0 {
					want = got
					continue
				}
				for _, b := range stateBuckets {
					if !reflect.DeepEqual(got[string(b)], want[string(b)]) {
						t.Fatalf("replica %d: bucket %s differs from replica 0", r, b)
					}
				}
			}
		})
	}
}

// TestPropertyReplicasConverge runs several replicas that each edit fields
// the way users do (seeing their own heads) and exchange partial, shuffled
// sets of ops now and then; after a final full exchange every replica holds
// the same state, and no text edit is lost: each one is in every log.
func TestPropertyReplicasConverge(t *testing.T) {
	seeds := 25
	if testing.Short() {
		seeds = 5
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 11))
			const n = 4
			reps := make([]*Store, n)
			for i := range reps {
				skew := time.Duration(rng.IntN(5000)) * time.Millisecond
				reps[i] = openTest(t, Options{Author: fmt.Sprint("coach", i), Now: fixedClock(t0.Add(skew))})
			}
			dossier, err := reps[0].CreateClient(NewClient{Name: "Mila de Groot"})
			if err != nil {
				t.Fatal(err)
			}
			known := make([][]Op, n) // ops each replica has
			known[0], _ = reps[0].Ops(dossier)
			fields := []string{"name", "step/2/answer/q1", "step/2/answer/q2", "step/1/check/c1", "step/1/status", "team"}
			var texts []Op
			for range 60 {
				r := rng.IntN(n)
				if rng.IntN(3) == 0 { // sync a partial, shuffled set from another replica
					from := rng.IntN(n)
					part := slices.Clone(known[from])
					rng.Shuffle(len(part), func(i, j int) { part[i], part[j] = part[j], part[i] })
					part = part[:rng.IntN(len(part)+1)]
					if _, err := reps[r].ApplyRemote(part); err != nil {
						t.Fatal(err)
					}
					known[r], _ = reps[r].Ops(dossier)
					continue
				}
				if len(known[r]) == 0 {
					continue // has not seen the dossier yet
				}
				f := fields[rng.IntN(len(fields))]
				var ch Change
				switch f {
				case "step/1/check/c1":
					ch = Set(f, fmt.Sprint(rng.IntN(2)))
				case "step/1/status":
					ch = Set(f, string([]StepStatus{StepOpen, StepActive, StepDone}[rng.IntN(3)]))
				case "team":
					ch = Set(f, []string{"Noord", "Oost", "Zuid"}[rng.IntN(3)])
				default:
					ch = Set(f, fmt.Sprintf("tekst van %d, %d", r, rng.IntN(1000)))
				}
				made, err := reps[r].Commit(dossier, ch)
				if err != nil {
					t.Fatal(err)
				}
				for _, op := range made {
					if _, k, _ := ParseField(op.Field); k == KindText {
						texts = append(texts, op)
					}
				}
				known[r], _ = reps[r].Ops(dossier)
			}
			var all []Op
			for _, k := range known {
				all = append(all, k...)
			}
			for r := range reps {
				order := slices.Clone(all)
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				if _, err := reps[r].ApplyRemote(order); err != nil {
					t.Fatal(err)
				}
			}
			want, _ := reps[0].snapshot()
			wantOps, _ := reps[0].Ops(dossier)
			for r := 1; r < n; r++ {
				got, _ := reps[r].snapshot()
				for _, b := range stateBuckets {
					if !reflect.DeepEqual(got[string(b)], want[string(b)]) {
						t.Fatalf("replica %d: bucket %s differs from replica 0", r, b)
					}
				}
				gotOps, _ := reps[r].Ops(dossier)
				if len(gotOps) != len(wantOps) {
					t.Fatalf("replica %d holds %d ops, replica 0 %d", r, len(gotOps), len(wantOps))
				}
			}
			for _, op := range texts {
				if !slices.ContainsFunc(wantOps, func(o Op) bool { return o.ID == op.ID && o.Value == op.Value }) {
					t.Fatalf("text edit %s (%q) lost", op.ID, op.Value)
				}
			}
			// A replaced text is in the history of a head: walking Prev back
			// from the heads reaches every text op of that field.
			for _, f := range fields[1:3] {
				hs, _ := reps[0].Heads(dossier, f)
				reach := map[string]bool{}
				byID := map[string]Op{}
				for _, o := range wantOps {
					byID[o.ID] = o
				}
				var walk func(id string)
				walk = func(id string) {
					if reach[id] {
						return
					}
					reach[id] = true
					for _, p := range byID[id].Prev {
						walk(p)
					}
				}
				for _, h := range hs {
					walk(h.ID)
				}
				for _, o := range wantOps {
					if o.Field == f && !reach[o.ID] {
						t.Fatalf("text op %s on %s is neither a head nor in a head's history", o.ID, f)
					}
				}
			}
		})
	}
}
