package server

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// pullIndexAndFileShared is pullIndexAndFile on a storage several
// processes share: the index's pull starts as a sync transaction does,
// with the check of other processes' writes (syncHooks.begin), which
// drops the index when another process numbered ops or changed access
// since this process's last sync. asked and hit tell whether the index
// was asked for the index's pull (a settled device) and answered it.
func pullIndexAndFileShared(t *testing.T, e *env, dev *device, cursor uint64, limit int) (index, file *answer, asked, hit bool) {
	t.Helper()
	r := &e.srv.recent
	r.mu.Lock()
	asked0, hits0 := r.asked, r.hits
	r.mu.Unlock()
	index = pullRolledBack(t, e, dev, cursor, limit, false, true)
	r.mu.Lock()
	asked, hit = r.asked > asked0, r.hits > hits0
	r.mu.Unlock()
	return index, pullRolledBack(t, e, dev, cursor, limit, true, true), asked, hit
}

// TestRecentOpsTwoProcessesAsTheFile is TestRecentDecodedOpsAsTheFile
// with two server processes on one PostgreSQL database: devices sync
// with either, and pushes, transfers between teams, shares given and
// withdrawn, writes over SSH and erasures are made through either. Every
// settled pull process A answers from its index of recent ops is the
// page it builds from the database, byte for byte, for every device at
// its cursor and at an earlier one. Ops B numbered (which A's pushes
// never filed) are read from the database when A's next sync transaction
// begins and filed (recentOps.takeIn), so A's index answers most settled
// pulls, those right after B's pushes included; B's access changes and
// erasures make A start its index afresh. Broken filing (an op of B's
// left out, or filed under another team) fails the comparison.
func TestRecentOpsTwoProcessesAsTheFile(t *testing.T) {
	seeds := 3
	if testing.Short() {
		seeds = 1
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 14))
			a, b := twoProcesses(t)
			a.teams("Noord", "Oost")
			devs := []*device{
				a.user("anna", protocol.RoleCoach, "Noord"), a.user("bram", protocol.RoleCoach, "Noord"),
				a.user("olga", protocol.RoleCoach, "Oost"), a.user("cor", protocol.RoleCoordinator, "Noord", "Oost"),
			}
			w := &randomWrites{rng: rng, teamOf: map[string]string{"anna": "Noord", "bram": "Noord", "olga": "Oost"}, notes: 6}
			past := map[*device][]uint64{}
			// through syncs d on process e (devices talk to both).
			through := func(d *device, e *env, limit int, push ...store.Op) {
				t.Helper()
				d.e = e
				defer func() { d.e = a }()
				if _, status, perr := d.try(limit, push...); status != 200 {
					t.Fatalf("%s on %s: status %d: %s", d.user, e.path, status, perr.Message)
				}
			}
			pick := func() *env {
				if rng.IntN(3) == 0 {
					return b
				}
				return a
			}
			compared, withOps, fromB := 0, 0, 0
			asked, answered, answeredFromB := 0, 0, 0
			hits0, taken0 := a.srv.recent.hits, a.srv.recent.takenIn
			for step := range 120 {
				d := devs[rng.IntN(len(devs))]
				push := w.next(d, step, pick())
				e := pick()
				through(d, e, 0, push...)
				for _, o := range devs {
					cursors := []uint64{o.cursor}
					if p := past[o]; len(p) > 0 {
						cursors = append(cursors, p[rng.IntN(len(p))])
					}
					for _, c := range cursors {
						limit := protocol.DefaultPullOps
						if rng.IntN(4) == 0 {
							limit = 1 + rng.IntN(8)
						}
						index, file, ask, hit := pullIndexAndFileShared(t, a, o, c, limit)
						samePullPages(t, fmt.Sprintf("step %d, %s from %d, limit %d (last sync on %s)", step, o.user, c, limit, e.path), index, file)
						compared++
						if ask {
							asked++
						}
						if hit {
							answered++
							if e == b && len(index.ops) > 0 {
								answeredFromB++
							}
						}
						if len(index.ops) > 0 {
							withOps++
							if e == b {
								fromB++
							}
						}
					}
					if rng.IntN(2) == 0 {
						past[o] = append(past[o], o.cursor)
						through(o, pick(), 0)
					}
				}
			}
			a.srv.recent.mu.Lock()
			hits, taken := a.srv.recent.hits-hits0, a.srv.recent.takenIn-taken0
			a.srv.recent.mu.Unlock()
			t.Logf("%d pulls compared, %d with ops (%d after a push on B); the index was asked for %d and answered %d (%d with ops after a push on B); "+
				"A's index answered %d pulls (syncs included), took in %d ops numbered by B, %d drops for B's writes",
				compared, withOps, fromB, asked, answered, answeredFromB, hits, taken, a.srv.processes.drops.Load())
			if hits < 40 {
				t.Errorf("A's index answered only %d pulls", hits)
			}
			// Most settled pulls are answered by the index, those with
			// B's ops included: before takeIn, every op B numbered left
			// A's index unsure until A's next sync committed.
			if answered*3 < asked*2 {
				t.Errorf("A's index answered %d of the %d settled pulls it was asked for", answered, asked)
			}
			if taken == 0 || answeredFromB < 15 {
				t.Errorf("A's index took in %d ops numbered by B and answered %d pulls with ops after a push on B", taken, answeredFromB)
			}
			if a.srv.processes.drops.Load() == 0 {
				t.Errorf("A never saw B's writes")
			}
		})
	}
}
