package server

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// pullHeldAndFile runs the pull of dev at its cursor twice on process e, in
// transactions that are rolled back (pullRolledBack), each asking for a
// compact page: once as the server runs it, taking the device's view from
// the view cache when its last pull left it there (heldView), and once
// with the view cache off, reading the view from the storage. The cache is
// left as it was before either (a rolled-back pull commits nothing, so
// what it took or wrote is put back). hit tells whether the first took
// the held view, planned whether it took the last page's plan too.
func pullHeldAndFile(t *testing.T, e *env, dev *device, limit int, shared bool) (held, file *answer, hit, planned bool) {
	t.Helper()
	c := &e.srv.views
	c.mu.Lock()
	saved, ok := c.held[dev.id]
	if ok {
		saved = cloneHeld(saved)
	}
	writes, hits, plans := c.writes[dev.id], c.heldHits, c.planHits
	c.mu.Unlock()
	restore := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ok {
			kept := cloneHeld(saved)
			if c.held == nil {
				c.held = map[string]heldView{}
			}
			c.held[dev.id] = kept
		} else {
			delete(c.held, dev.id)
		}
		if c.writes != nil {
			c.writes[dev.id] = writes
		}
	}
	held = pullRolledBack(t, e, dev, dev.cursor, limit, false, shared)
	c.mu.Lock()
	hit, planned = c.heldHits > hits, c.planHits > plans
	c.heldHits, c.planHits = hits, plans
	c.mu.Unlock()
	restore()
	c.mu.Lock()
	c.off = true
	c.mu.Unlock()
	file = pullRolledBack(t, e, dev, dev.cursor, limit, true, shared)
	c.mu.Lock()
	c.off = false
	c.mu.Unlock()
	restore()
	return held, file, hit, planned
}

// cloneHeld is a copy of v that shares nothing a pull changes.
func cloneHeld(v heldView) heldView {
	v.have = maps.Clone(v.have)
	if v.plan != nil {
		p := *v.plan
		p.rest, p.forget = slices.Clone(p.rest), slices.Clone(p.forget)
		v.plan = &p
	}
	return v
}

// heldAsStorage checks that the view process e holds for dev, if any it
// would take, is the device's view as the storage has it: call it right
// after a sync of dev through e (another process may write the view
// later, which e learns at its next sync transaction).
func heldAsStorage(t *testing.T, e *env, dev *device, what string) bool {
	t.Helper()
	c := &e.srv.views
	c.mu.Lock()
	v, ok := c.held[dev.id]
	ok = ok && v.gen == c.gen.Load() && v.written == c.writes[dev.id]
	c.mu.Unlock()
	if !ok {
		return false
	}
	got := map[string]viewEntry{}
	e.must(e.srv.db.View(func(tx Tx) error {
		return tx.DeviceViews(dev.id, func(dk string, s storage.ViewEntry) error {
			got[dk] = viewEntry{s.State, s.Seq}
			return nil
		})
	}))
	if !maps.Equal(got, v.have) {
		t.Fatalf("%s: the held view of %s is not the storage's:\n held    %v\n storage %v", what, dev.user, v.have, got)
	}
	return true
}

// TestHeldViewsPageAsTheFile: the next page of a pull that is not settled
// takes the device's view as the last page left it (viewcache.go,
// heldView) instead of reading it from the storage. Devices pull in
// small pages while dossiers are created, noted, moved between teams,
// shared and unshared, written over SSH and erased, users join and leave
// teams, devices come new and ask again from an earlier cursor; on
// PostgreSQL through two server processes on one database, at random.
// Before every sync, the page the server would send with its held view is
// built, and the page it builds from the storage's view, in transactions
// rolled back: they must be the same, byte for byte. A held view that
// missed a write of the device's view (another process's page, a push
// into a dossier it did not hold, a page of the same process whose
// writes it did not take in) gives another page, and the test fails.
func TestHeldViewsPageAsTheFile(t *testing.T) {
	seeds := 3
	switch {
	case testing.Short():
		seeds = 1
	case testBackend != "bolt":
		seeds = 2
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 23))
			procs := []*env{}
			shared := testBackend != "bolt"
			if shared {
				a, b := twoProcesses(t)
				procs = append(procs, a, b)
			} else {
				procs = append(procs, newEnv(t))
			}
			a := procs[0]
			a.teams("Noord", "Oost")
			devs := []*device{
				a.user("anna", protocol.RoleCoach, "Noord"), a.user("bram", protocol.RoleCoach, "Noord"),
				a.user("olga", protocol.RoleCoach, "Oost"), a.user("cor", protocol.RoleCoordinator, "Noord", "Oost"),
			}
			w := &randomWrites{rng: rng, teamOf: map[string]string{"anna": "Noord", "bram": "Noord", "olga": "Oost"}, notes: 4}
			pick := func() *env { return procs[rng.IntN(len(procs))] }
			past := map[*device][]uint64{}
			bramIn := map[string]bool{"Noord": true}
			compared, hits, multi, checked := 0, 0, 0, 0
			plans := 0
			for step := range 150 {
				d := devs[rng.IntN(len(devs))]
				on := pick()
				push := w.next(d, step, on)
				switch rng.IntN(12) {
				case 0: // bram joins or leaves Oost
					if bramIn["Oost"] {
						on.must(on.admin.RemoveMember("Oost", "bram"))
					} else {
						on.must(on.admin.AddMember("Oost", "bram"))
					}
					bramIn["Oost"] = !bramIn["Oost"]
				case 1: // a new device pulls everything from the start
					devs = append(devs, on.enrol([]string{"anna", "bram", "olga", "cor"}[rng.IntN(4)]))
				}
				d.e = on
				if _, status, perr := d.try(0, push...); status != 200 {
					t.Fatalf("step %d: push of %s on %s: status %d: %s", step, d.user, on.path, status, perr.Message)
				}
				if heldAsStorage(t, on, d, fmt.Sprintf("step %d, after the push", step)) {
					checked++
				}
				// Some devices pull, page after page, alternating
				// processes at random.
				for _, o := range devs {
					if rng.IntN(2) == 0 {
						continue
					}
					if p := past[o]; len(p) > 0 && rng.IntN(6) == 0 {
						// An answer lost on the way: the device asks
						// again from an earlier cursor.
						o.cursor = p[rng.IntN(len(p))]
					}
					for page := 0; page < 6; page++ {
						limit := 1 + rng.IntN(6)
						e := pick()
						held, file, hit, planned := pullHeldAndFile(t, e, o, limit, shared)
						samePullPages(t, fmt.Sprintf("step %d, %s page %d from %d, limit %d on %s (held %v)", step, o.user, page, o.cursor, limit, e.path, hit), held, file)
						compared++
						if hit {
							hits++
						}
						if planned {
							plans++
						}
						o.e = e
						resp, status, perr := o.try(limit)
						if status != 200 {
							t.Fatalf("step %d: pull of %s on %s: status %d: %s", step, o.user, e.path, status, perr.Message)
						}
						past[o] = append(past[o], o.cursor)
						if heldAsStorage(t, e, o, fmt.Sprintf("step %d, page %d", step, page)) {
							checked++
						}
						if !resp.More {
							break
						}
						multi++
					}
				}
			}
			t.Logf("%d pages compared, %d with the held view, %d of them with the last page's plan, %d pages with more after them; %d held views compared with the storage's",
				compared, hits, plans, multi, checked)
			if hits < 50 {
				t.Errorf("only %d pages took the held view", hits)
			}
			if plans < 20 {
				t.Errorf("only %d pages took the last page's plan", plans)
			}
		})
	}
}

// TestHeldViewTakesInThePushesViewWrites: a device in the middle of its
// initial pull (its view held between pages) pushes a note into a dossier
// of its team that no page brought it yet. The push records the dossier
// in the device's view as held (sync.go: the device holds every dossier
// it wrote to), and the same sync's pull, reading that view, sends none
// of the dossier's earlier ops: the same answer with the view cache off
// (the reference server here). A held view taken without the push's write
// (viewCache.takeHeld not comparing the count of the device's view
// writes) lacks the dossier and sends its whole history instead.
func TestHeldViewTakesInThePushesViewWrites(t *testing.T) {
	got := [2]string{}
	for i := range got {
		e := newEnv(t)
		e.srv.views.off = i == 1
		e.teams("Noord")
		wil := e.user("wil", protocol.RoleCoach, "Noord")
		var last string
		for i := range 4 {
			id, ops := wil.create("Noord", fmt.Sprint("Client ", i))
			wil.sync(ops...)
			last = id
		}
		anna := e.user("anna", protocol.RoleCoach, "Noord")
		if resp, status, _ := anna.try(4); status != 200 || !resp.More {
			t.Fatalf("first page: status %d, more %v", status, resp.More)
		}
		if _, ok := e.srv.views.held[anna.id]; ok == (i == 1) {
			t.Fatalf("server %d: the view of anna's first page held: %v", i, ok)
		}
		resp := anna.sync(anna.op(last, "step/1/note", "notitie"))
		for resp.More {
			resp = anna.sync()
		}
		got[i] = fmt.Sprint(len(anna.have[last]), " ops of the dossier written to")
	}
	if got[0] != got[1] {
		t.Fatalf("with the held view anna has %s, from the storage's view %s", got[0], got[1])
	}
}
