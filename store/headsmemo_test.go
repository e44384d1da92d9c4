package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// memoHistory makes n ops on two dossiers and many fields (a team, shares
// given and changed, step notes, an agreement, a long text field) whose
// Prev names earlier ops of the same field (forks and merges), now and
// then a head of another field or an op that never comes, and returns
// them in an order to apply them in: mostly as made, some late (their
// successors come first, so they arrive replaced), some twice.
func memoHistory(rng *rand.Rand, n int) (dossiers, fields []string, order []Op) {
	dossiers = []string{NewID(), NewID()}
	share, agr := NewID(), NewID()
	fields = []string{"team", "share/" + share + "/team", "share/" + share + "/until", "share/" + share + "/consent",
		"step/1/note", "step/2/note", "step/3/comment", "step/1/check/c1", "agreement/" + agr + "/what",
		"agreement/" + agr + "/due", "name", "step/4/answer/" + strings.Repeat("vraag", 8)}
	devices := []string{"dev-a", "dev-b", "dev-c"}
	var ops []Op
	for i := range n {
		d := dossiers[rng.IntN(len(dossiers))]
		f := fields[rng.IntN(len(fields))]
		var prev []string
		for _, p := range ops {
			if p.Dossier != d {
				continue
			}
			switch {
			case p.Field == f && rng.IntN(3) == 0:
				prev = append(prev, p.ID)
			case p.Field != f && rng.IntN(40) == 0:
				prev = append(prev, p.ID) // another field's op (a remote op may)
			}
		}
		if rng.IntN(15) == 0 {
			prev = append(prev, NewID()) // an op this replica never sees
		}
		op := mkOp(d, f, fmt.Sprintf("waarde %d", i), HLC(rng.IntN(n/2+1)+1)<<16, devices[rng.IntN(len(devices))], prev...)
		ops = append(ops, op)
	}
	for i, op := range ops {
		switch {
		case rng.IntN(6) == 0 && i+3 < len(ops):
			// Late: after a few of the ops made after it.
			j := i + 1 + rng.IntN(len(ops)-i-1)
			ops[i], ops[j] = ops[j], ops[i]
		case rng.IntN(8) == 0:
			order = append(order, op) // known when it comes again
		}
		order = append(order, ops[i])
	}
	return dossiers, fields, order
}

// TestHeadsMemoAsFromTheLog applies random histories to two stores, one
// reading heads in its write transactions from the writer's memo
// (headsmemo.go), the other walking the log for every read (fieldHeadsOf):
// in transactions of random length, with fields expected or not, bounded
// applies (some refused with HeadsBoundError), ops known already, late
// ops, prevs naming other fields' heads and ops never seen, and now and
// then a dossier erased in the middle of a transaction. Every answer must
// be the same on both, every field the memo holds must have the heads
// fieldHeadsOf derives from the log after every step, and both stores
// must end with the same heads. Plain and encrypted files.
func TestHeadsMemoAsFromTheLog(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 6
	}
	for _, encrypted := range []bool{false, true} {
		for seed := range seeds {
			t.Run(fmt.Sprintf("encrypted=%v/seed%d", encrypted, seed), func(t *testing.T) {
				testHeadsMemo(t, encrypted, uint64(seed))
			})
		}
	}
}

func testHeadsMemo(t *testing.T, encrypted bool, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	opt := func() Options {
		if encrypted {
			return Options{Encryption: &Encryption{Keyring: newMemKeyring()}}
		}
		return Options{}
	}
	fast, slow := openTest(t, opt()), openTest(t, opt())
	slow.noHeadsMemo = true
	dossiers, fields, order := memoHistory(rng, 40+rng.IntN(80))
	checked := 0
	next := 0
	for next < len(order) {
		// One transaction's steps, run on both stores.
		type step struct {
			kind  int
			op    Op
			d, f  string
			bound int
			want  []string
		}
		var steps []step
		for range 1 + rng.IntN(20) {
			st := step{kind: rng.IntN(10), d: dossiers[rng.IntN(len(dossiers))], f: fields[rng.IntN(len(fields))]}
			switch {
			case st.kind == 0:
				for _, f := range fields {
					if rng.IntN(2) == 0 {
						st.want = append(st.want, f)
					}
				}
				st.want = append(st.want, "step/6/note") // never written
			case st.kind <= 5:
				if next >= len(order) {
					continue
				}
				st.op, st.bound = order[next], rng.IntN(4)
				next++
			case st.kind == 7:
				st.op = order[rng.IntN(len(order))]
			case st.kind == 8 && rng.IntN(25) != 0:
				st.kind = 6
			}
			steps = append(steps, st)
		}
		run := func(s *Store, check bool) []string {
			var out []string
			err := s.Update(func(tx *Tx) error {
				for _, st := range steps {
					var got string
					switch {
					case st.kind == 0:
						tx.ExpectHeads(st.d, st.want)
					case st.kind <= 5:
						var isNew bool
						var err error
						if st.bound == 0 {
							isNew, err = tx.ApplyJSON(st.op, nil)
						} else {
							isNew, err = tx.ApplyJSONBounded(st.op, nil, st.bound)
						}
						var hb *HeadsBoundError
						if errors.As(err, &hb) || errors.Is(err, ErrErased) {
							got, err = fmt.Sprint(isNew, err), nil
						}
						if err != nil {
							return err
						}
						if got == "" {
							got = fmt.Sprint(isNew)
						}
					case st.kind == 6:
						hs, err := tx.Heads(st.d, st.f)
						if err != nil {
							return err
						}
						got = fmt.Sprint(hs)
					case st.kind == 7:
						hs, err := tx.HeadsAfter(st.op)
						if err != nil {
							return err
						}
						got = fmt.Sprint(hs)
					case st.kind == 8:
						dk, _ := idKey(st.d)
						if err := tx.MarkErased(string(dk)); err != nil {
							return err
						}
					default:
						hs, err := tx.Heads(st.d, st.f)
						if err != nil {
							return err
						}
						got = fmt.Sprint(len(hs))
					}
					out = append(out, got)
					if check {
						checked += checkMemo(t, tx)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		a, b := run(fast, true), run(slow, false)
		if !slices.Equal(a, b) {
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("step %d (%+v): with the memo %s, from the log %s", i, steps[i], a[i], b[i])
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("the memo held no heads: nothing compared")
	}
	// Both end with the same heads.
	for _, d := range dossiers {
		for _, f := range fields {
			var a, b []Head
			fast.View(func(tx *Tx) error { a, _ = tx.Heads(d, f); return nil })
			slow.View(func(tx *Tx) error { b, _ = tx.Heads(d, f); return nil })
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s %s at the end: %v, %v", d, f, a, b)
			}
		}
	}
}

// checkMemo compares every field the memo of tx's writer holds with the
// heads fieldHeadsOf derives from the log now, and returns how many it
// compared.
func checkMemo(t *testing.T, tx *Tx) int {
	t.Helper()
	n := 0
	for d, m := range tx.w.memo {
		for f, hs := range m.heads {
			want, err := tx.s.fieldHeadsOf(tx.tx, d[:], f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(hs, want) {
				t.Fatalf("memo of %x %s: %v, the log gives %v", d, f, hs, want)
			}
			n++
		}
	}
	return n
}

// TestFieldsHeadsOfAsEach: the one walk for several fields gives each
// field the heads fieldHeadsOf gives it, for few fields and for many
// (more than a linear look-up takes), fields without ops included.
func TestFieldsHeadsOfAsEach(t *testing.T) {
	s := openTest(t, Options{})
	rng := rand.New(rand.NewPCG(3, 4))
	dossiers, fields, order := memoHistory(rng, 150)
	err := s.Update(func(tx *Tx) error {
		for _, op := range order {
			if _, err := tx.ApplyJSON(op, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fields = append(fields, "step/6/note", "x")
	for _, d := range dossiers {
		dk, _ := idKey(d)
		for _, n := range []int{2, 5, len(fields)} {
			want := fields[:n]
			err := s.View(func(tx *Tx) error {
				all, err := s.fieldsHeadsOf(tx.tx, dk, want)
				if err != nil {
					return err
				}
				for i, f := range want {
					one, err := s.fieldHeadsOf(tx.tx, dk, f)
					if err != nil {
						return err
					}
					if !reflect.DeepEqual(all[i], one) {
						t.Errorf("%s of %d fields: %v, alone %v", f, n, all[i], one)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}
