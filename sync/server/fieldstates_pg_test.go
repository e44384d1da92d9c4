package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/pgstore"
	"github.com/brug-nl/brug/sync/server/storage"
)

// fieldStateFields are the fields the checks push and ask about.
var fieldStateFields = []string{"step/1/note", "step/2/note", "step/3/note", "step/4/note", "step/5/note", "step/6/note", "team", "name"}

// fieldStatesAsWhole fails the test unless a write transaction whose
// dossiers' states were read for a push (pgstore's partialStatesQuery:
// the pushed fields' heads and the pushed ops alone) answers as one that
// reads every state whole on demand: for a few dossiers of dossiers
// (at least two, as a group's BEGIN reads them) and a push of random
// ops (new ids and ids already stored, fields of the set), the same
// questions in the same order in both: Erased, Exists, and for each
// pushed op Known, Heads of its field and HeadsAfter; then of every
// field, of ids not pushed, and HeadKeys (which read the state whole);
// then the first op applied and the questions again. Both transactions
// roll back.
func fieldStatesAsWhole(t checker, rng *rand.Rand, what string, pg *pgstore.Storage, dev *device, dossiers []string) {
	t.Helper()
	if len(dossiers) < 2 {
		return
	}
	picked := slices.Clone(dossiers)
	rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	picked = picked[:2+rng.IntN(min(3, len(picked)-1))]
	// Ids already stored, to push again and to ask about.
	stored := map[string][]string{}
	if err := pg.View(func(tx storage.Tx) error {
		for _, d := range picked {
			dk := uuid.MustParse(d)
			keys, err := tx.HeadKeys(dk[:], nil)
			if err != nil {
				return err
			}
			for _, k := range keys {
				stored[d] = append(stored[d], uuid.UUID(k[16:]).String())
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var push []store.Op
	pre := storage.SyncPrefetch{}
	for _, d := range picked {
		dk := uuid.MustParse(d)
		pre.Dossiers = append(pre.Dossiers, string(dk[:]))
		for range 1 + rng.IntN(3) {
			op := dev.op(d, fieldStateFields[rng.IntN(len(fieldStateFields))], fmt.Sprint("value ", rng.IntN(1000)))
			if s := stored[d]; len(s) > 0 && rng.IntN(3) == 0 {
				op.ID = s[rng.IntN(len(s))]
			}
			if s := stored[d]; len(s) > 0 && rng.IntN(2) == 0 {
				op.Prev = []string{s[rng.IntN(len(s))]}
			}
			push = append(push, op)
			ok := uuid.MustParse(op.ID)
			pre.Ops = append(pre.Ops, string(ok[:]))
			pre.Pushed = append(pre.Pushed, storage.PushedOp{Op: string(ok[:]), Dossier: string(dk[:]), Field: op.Field})
		}
	}
	ask := func(tx storage.Tx) []string {
		var out []string
		add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
		questions := func() {
			for _, d := range picked {
				add("%s erased %v exists %v", d, tx.Erased(d), tx.Exists(d))
			}
			for _, op := range push {
				hs, err := tx.Heads(op.Dossier, op.Field)
				add("%s known %v; heads of %s %+v %v", op.ID, tx.Known(op.Dossier, op.ID), op.Field, hs, err)
				after, err := tx.HeadsAfter(op)
				add("heads after %s %+v %v", op.ID, after, err)
			}
		}
		questions()
		for _, d := range picked {
			for _, f := range fieldStateFields {
				hs, err := tx.Heads(d, f)
				add("%s heads of %s %+v %v", d, f, hs, err)
			}
			for _, id := range stored[d] {
				add("%s known %v", id, tx.Known(d, id))
			}
			dk := uuid.MustParse(d)
			keys, err := tx.HeadKeys(dk[:], nil)
			slices.SortFunc(keys, func(a, b []byte) int { return compareStrings(string(a), string(b)) })
			add("%s head keys %x %v", d, keys, err)
		}
		if !tx.Erased(push[0].Dossier) {
			ok, err := tx.ApplyJSON(push[0], nil)
			add("applied %s %v %v", push[0].ID, ok, err)
			questions()
		}
		return out
	}
	var withScope, whole []string
	for i, run := range []func(fn func(storage.Tx) error) error{
		func(fn func(storage.Tx) error) error { return pg.PrefetchedUpdate(pre, fn) },
		pg.Update,
	} {
		err := run(func(tx storage.Tx) error {
			if i == 0 {
				withScope = ask(tx)
			} else {
				whole = ask(tx)
			}
			return errRollBack
		})
		if !errors.Is(err, errRollBack) {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for i := range max(len(withScope), len(whole)) {
		var a, b string
		if i < len(withScope) {
			a = withScope[i]
		}
		if i < len(whole) {
			b = whole[i]
		}
		if a != b {
			t.Errorf("%s: answer %d: read for the push %q, read whole %q", what, i, a, b)
			return
		}
	}
}

// TestFieldStatesAsWhole: two server processes on one PostgreSQL
// database, under a random history through either (pushes to one
// dossier and to two at once, which read their states for the push
// themselves; new dossiers, notes, transfers between teams, shares given
// and withdrawn, SSH writes, memberships taken away and given back,
// erasures, pushes rolled back, and rows' field tags taken away as a brug
// before them left them). After every step, in each process, a
// write transaction that read its dossiers' states for a push (the
// pushed fields' heads alone, by their tags: pgstore/fieldtag.go)
// answers every question as one that reads them whole
// (fieldStatesAsWhole). With the fault that never reads a state whole
// (asked about a field not pushed, it answers from the heads it has)
// the test fails (TestFieldStatesFaultIsCaught).
func TestFieldStatesAsWhole(t *testing.T) {
	seeds := 2
	if testing.Short() {
		seeds = 1
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			if errs := fieldStatesHistory(t, uint64(seed), pgstore.FaultFieldsNone); len(errs) > 0 {
				t.Fatalf("%d differences, the first: %s", len(errs), errs[0])
			}
		})
	}
}

// TestFieldStatesFaultIsCaught runs the history of TestFieldStatesAsWhole
// with the deliberate fault: it must be caught.
func TestFieldStatesFaultIsCaught(t *testing.T) {
	for seed := range 3 {
		if errs := fieldStatesHistory(t, uint64(seed), pgstore.FaultFieldsNeverWhole); len(errs) > 0 {
			t.Logf("seed %d: %d differences, the first: %s", seed, len(errs), errs[0])
			return
		}
	}
	t.Errorf("fault not caught")
}

// fieldStatesHistory runs the random history with both processes' reads
// for a push having fault and gives what the checks found.
func fieldStatesHistory(t *testing.T, seed uint64, fault pgstore.FieldStateFault) []string {
	rec := &recordT{T: t}
	rng := rand.New(rand.NewPCG(seed, 23))
	a, b := twoProcesses(t)
	pgs := pgStorages(t, a, b)
	for _, pg := range pgs {
		pg.SetFieldStates(true, fault)
	}
	a.teams("Noord", "Oost")
	devs := []*device{
		a.user("anna", protocol.RoleCoach, "Noord"), a.user("bram", protocol.RoleCoach, "Noord"),
		a.user("olga", protocol.RoleCoach, "Oost"), a.user("cor", protocol.RoleCoordinator, "Noord", "Oost"),
	}
	w := &randomWrites{rng: rng, teamOf: map[string]string{"anna": "Noord", "bram": "Noord", "olga": "Oost"}, notes: 6}
	envs := []*env{a, b}
	through := func(d *device, e *env, push ...store.Op) {
		t.Helper()
		d.e = e
		defer func() { d.e = a }()
		if _, status, perr := d.try(0, push...); status != 200 {
			t.Fatalf("%s on %s: status %d: %s", d.user, e.path, status, perr.Message)
		}
	}
	removed := false
	p0, w0 := pgs[0].FieldStateStats()
	for step := range 60 {
		d := devs[rng.IntN(len(devs))]
		on := envs[rng.IntN(2)]
		switch x := rng.IntN(10); {
		case x == 0 && len(w.dossiers) > 0:
			// A push rolled back in one process, its op id stored with
			// another value through the other.
			id := w.dossiers[rng.IntN(len(w.dossiers))]
			op := d.op(id, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), "rolled back")
			i := rng.IntN(2)
			err := pgs[i].Update(func(tx storage.Tx) error {
				if _, err := tx.ApplyJSON(op, nil); err != nil && !errors.Is(err, store.ErrErased) {
					return err
				}
				return errRollBack
			})
			if !errors.Is(err, errRollBack) {
				t.Fatalf("step %d: rolled-back push: %v", step, err)
			}
			op.Value = fmt.Sprint("stored at ", step)
			through(d, envs[1-i], op)
		case x == 1:
			// A membership taken away or given back.
			if removed {
				a.must(on.admin.AddMember("Oost", "cor"))
			} else {
				a.must(on.admin.RemoveMember("Oost", "cor"))
			}
			removed = !removed
		case x == 2 && len(w.dossiers) > 2 && rng.IntN(2) == 0:
			_, err := on.admin.Erase(w.dossiers[rng.IntN(len(w.dossiers))])
			a.must(err)
		case x == 3 && len(w.dossiers) > 1:
			// Notes in two dossiers in one push: its transaction reads
			// the two states for the push.
			p := w.dossiers[rng.Perm(len(w.dossiers))[0]]
			q := w.dossiers[rng.Perm(len(w.dossiers))[0]]
			through(d, envs[rng.IntN(2)], d.op(p, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), fmt.Sprint("two at ", step)),
				d.op(q, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), fmt.Sprint("two at ", step)))
		default:
			through(d, envs[rng.IntN(2)], w.next(d, step, on)...)
		}
		if step%20 == 10 {
			// Rows as a brug before the field tags left them (migration
			// 00007): no tag, read as any field's.
			dsn := a.path
			if v, ok := pgTestDBs.Load(a.path); ok { // BRUG_TEST_STORE=postgres
				dsn = v.(string)
			}
			conn, err := pgx.Connect(context.Background(), dsn)
			a.must(err)
			_, err = conn.Exec(context.Background(), "UPDATE oplog SET field = NULL WHERE random() < 0.5")
			conn.Close(context.Background())
			a.must(err)
		}
		for _, o := range devs {
			if rng.IntN(2) == 0 {
				through(o, envs[rng.IntN(2)])
			}
		}
		for i, pg := range pgs {
			fieldStatesAsWhole(rec, rng, fmt.Sprintf("step %d, process %c", step, 'A'+i), pg, devs[0], w.dossiers)
		}
	}
	p1, w1 := pgs[0].FieldStateStats()
	t.Logf("seed %d, fault %d: process A read %d states for a push, %d of them whole after; %d dossiers, %d differences",
		seed, fault, p1-p0, w1-w0, len(w.dossiers), len(rec.errs))
	if fault == pgstore.FaultFieldsNone && (p1-p0 < 50 || w1-w0 < 20) {
		t.Errorf("process A read %d states for a push, %d whole after: the reads for a push are not tested", p1-p0, w1-w0)
	}
	return rec.errs
}
