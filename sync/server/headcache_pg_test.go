package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/pgstore"
	"github.com/brug-nl/brug/sync/server/storage"
)

// pgStorages gives the PostgreSQL storages of processes; the test skips
// on other backends.
func pgStorages(t *testing.T, es ...*env) []*pgstore.Storage {
	t.Helper()
	var out []*pgstore.Storage
	for _, e := range es {
		pg, ok := e.srv.Storage().(*pgstore.Storage)
		if !ok {
			t.Skipf("the cache of head ops is PostgreSQL's; the backend is %s (run with BRUG_TEST_STORE=postgres)", testBackend)
		}
		out = append(out, pg)
	}
	return out
}

// headsAsTheDatabase fails the test unless every head op the storage's
// transactions take from its cache of head ops is the op its body in the
// database opens to: for each dossier, in one write transaction, the
// heads as a push sees them (HeadKeys and Op, from the dossier's state,
// the cache's ops where it holds them) against the heads opened from
// their bodies (HeadOps, which never asks the cache). The dossiers'
// states are read ahead as a group's BEGIN reads them (their heads' ids
// alone, then the bodies the cache lacks). The transaction commits when
// commit is set (and fills the cache), and rolls back otherwise.
func headsAsTheDatabase(t checker, what string, pg *pgstore.Storage, dossiers []string, commit bool) {
	t.Helper()
	pre := storage.SyncPrefetch{}
	for _, d := range dossiers {
		dk := uuid.MustParse(d)
		pre.Dossiers = append(pre.Dossiers, string(dk[:]))
	}
	err := pg.PrefetchedUpdate(pre, func(tx storage.Tx) error {
		for _, d := range dossiers {
			if tx.Erased(d) {
				continue
			}
			dk := uuid.MustParse(d)
			keys, err := tx.HeadKeys(dk[:], nil)
			if err != nil {
				return err
			}
			var cached []store.Op
			for _, k := range keys {
				op, err := tx.Op(d, uuid.UUID(k[16:]).String())
				if err != nil {
					return err
				}
				cached = append(cached, op)
			}
			var fresh []store.Op
			if err := tx.(headsBatch).HeadOps([][]byte{dk[:]}, func(_ []byte, ops []store.Op) error {
				fresh = ops
				return nil
			}); err != nil {
				return err
			}
			byID := func(a, b store.Op) int { return compareStrings(a.ID, b.ID) }
			slices.SortFunc(cached, byID)
			slices.SortFunc(fresh, byID)
			if len(cached) != len(fresh) {
				t.Errorf("%s: dossier %s: %d heads with the cache, %d in the database", what, d, len(cached), len(fresh))
				continue
			}
			for i := range cached {
				c, f := cached[i], fresh[i]
				if len(c.Prev) == 0 && len(f.Prev) == 0 {
					c.Prev, f.Prev = nil, nil
				}
				if !reflect.DeepEqual(c, f) {
					t.Errorf("%s: dossier %s: head %s with the cache %+v, in the database %+v", what, d, f.ID, c, f)
				}
			}
		}
		if commit {
			return nil
		}
		return errRollBack
	})
	if err != nil && !(!commit && errors.Is(err, errRollBack)) {
		t.Fatalf("%s: %v", what, err)
	}
}

// noErasedCached fails the test when a process's cache of head ops
// holds an op of an erased dossier after that process began a write
// transaction (its next sync or SSH write): the erasure, here or by the
// other process, must have dropped them.
func noErasedCached(t checker, what string, pg *pgstore.Storage) {
	t.Helper()
	if err := pg.Update(func(tx storage.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	held := pg.HeadCacheDossiers()
	if err := pg.View(func(tx storage.Tx) error {
		for _, dk := range held {
			if d := uuid.UUID(dk).String(); tx.Erased(d) {
				t.Errorf("%s: the cache holds ops of erased dossier %s", what, d)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

var errRollBack = errors.New("rolled back on purpose")

// TestHeadCacheAsTheDatabase: two server processes on one PostgreSQL
// database, each with its cache of opened head ops (pgstore/headcache.go),
// under a random history through either: pushes (new dossiers, notes,
// transfers between teams, shares given and withdrawn), SSH writes,
// memberships taken away and given back, erasures, and pushes rolled back
// whose op id a later push through the other process stores with another
// value. After every step, in each process, every head a write
// transaction takes from the cache is the op the database's body opens to
// (headsAsTheDatabase), and no cache holds an op of an erased dossier
// once its process began a transaction (noErasedCached). The cache is
// used: most heads of the groups' reads come from it. With a fault (the
// other process's erasures not dropped at a moved count of changes, or a
// rolled-back transaction's heads kept) the test fails
// (TestHeadCacheFaultsAreCaught).
func TestHeadCacheAsTheDatabase(t *testing.T) {
	seeds := 2
	if testing.Short() {
		seeds = 1
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			if errs := headCacheHistory(t, uint64(seed), pgstore.FaultNone); len(errs) > 0 {
				t.Fatalf("%d differences, the first: %s", len(errs), errs[0])
			}
		})
	}
}

// TestHeadCacheFaultsAreCaught runs the history of TestHeadCacheAsTheDatabase
// with each deliberate fault of the cache: each must be caught.
func TestHeadCacheFaultsAreCaught(t *testing.T) {
	for _, f := range []pgstore.HeadCacheFault{pgstore.FaultKeepAtChanges, pgstore.FaultPublishRolledBack} {
		t.Run(fmt.Sprint("fault", f), func(t *testing.T) {
			caught := false
			for seed := range 3 {
				if errs := headCacheHistory(t, uint64(seed), f); len(errs) > 0 {
					t.Logf("seed %d: %d differences, the first: %s", seed, len(errs), errs[0])
					caught = true
					break
				}
			}
			if !caught {
				t.Errorf("fault %d not caught", f)
			}
		})
	}
}

// headCacheHistory runs the random history with both processes' caches
// having fault and gives what the checks found.
func headCacheHistory(t *testing.T, seed uint64, fault pgstore.HeadCacheFault) []string {
	rec := &recordT{T: t}
	rng := rand.New(rand.NewPCG(seed, 22))
	a, b := twoProcesses(t)
	pgs := pgStorages(t, a, b)
	for _, pg := range pgs {
		pg.SetHeadCache(true, fault)
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
	hits0, _, _ := pgs[0].HeadCacheStats()
	for step := range 80 {
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
		default:
			through(d, envs[rng.IntN(2)], w.next(d, step, on)...)
		}
		for _, o := range devs {
			if rng.IntN(2) == 0 {
				through(o, envs[rng.IntN(2)])
			}
		}
		for i, pg := range pgs {
			what := fmt.Sprintf("step %d, process %c", step, 'A'+i)
			headsAsTheDatabase(rec, what, pg, w.dossiers, rng.IntN(2) == 0)
			noErasedCached(rec, what, pg)
		}
	}
	hits, misses, held := pgs[0].HeadCacheStats()
	t.Logf("seed %d, fault %d: process A took %d heads from its cache, read %d bodies after the ids; holds %d; %d dossiers, %d differences",
		seed, fault, hits-hits0, misses, held, len(w.dossiers), len(rec.errs))
	if fault == pgstore.FaultNone && hits-hits0 < 100 {
		t.Errorf("process A took only %d heads from its cache", hits-hits0)
	}
	return rec.errs
}

// checker is what the checks need of a test.
type checker interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

// recordT records a check's differences instead of failing the test (a
// test of a deliberate fault expects some).
type recordT struct {
	*testing.T
	errs []string
}

func (r *recordT) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
