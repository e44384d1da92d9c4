package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// pullIndexAndFileShared is pullIndexAndFile on a storage several
// processes share: the index's pull starts as a sync transaction does,
// with the check of other processes' writes (syncHooks.begin), which
// drops the index when another process numbered ops or changed access
// since this process's last sync.
func pullIndexAndFileShared(t *testing.T, e *env, dev *device, cursor uint64, limit int) (index, file *answer) {
	t.Helper()
	run := func(off bool) *answer {
		out := &answer{compact: true}
		r := &e.srv.recent
		r.mu.Lock()
		r.off = off
		r.mu.Unlock()
		h := syncHooks{e.srv}
		err := e.srv.db.Update(func(tx Tx) error {
			h.begin(tx)
			d, u, err := authenticate(tx, dev.token)
			if err != nil {
				return err
			}
			if err := e.srv.pull(tx, d, u, cursor, limit, nil, out); err != nil {
				return err
			}
			return errRolledBack
		})
		h.done(false)
		// Nothing was committed: the count read at the start still
		// describes the storage as this process last left it (done
		// forgets it, to be safe, which would drop the index at the
		// next sync and leave nothing to compare).
		e.srv.processes.known = true
		r.mu.Lock()
		r.off = false
		r.mu.Unlock()
		if !errors.Is(err, errRolledBack) {
			t.Fatalf("pull: %v", err)
		}
		return out
	}
	return run(false), run(true)
}

// TestRecentOpsTwoProcessesAsTheFile is TestRecentDecodedOpsAsTheFile
// with two server processes on one PostgreSQL database: devices sync
// with either, and pushes, transfers between teams, shares given and
// withdrawn, writes over SSH and erasures are made through either. Every
// settled pull process A answers from its index of recent ops is the
// page it builds from the database, byte for byte, for every device at
// its cursor and at an earlier one; ops B numbered (which A's index never
// saw) and B's access changes make A fall back to the database until its
// own next sync.
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
			teamOf := map[string]string{"anna": "Noord", "bram": "Noord", "olga": "Oost"}
			var dossiers []string
			shares := map[string]string{} // dossier -> share id
			values := []string{"notitie", `"quote" & <tag> \ slash`, "één—twee", "regel\neen\ttab"}
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
			hits0 := a.srv.recent.hits
			for step := range 120 {
				d := devs[rng.IntN(len(devs))]
				var push []store.Op
				switch x := rng.IntN(20); {
				case x < 3 && d.user != "cor":
					id, ops := d.create(teamOf[d.user], fmt.Sprint("Client ", step))
					dossiers = append(dossiers, id)
					push = ops
				case x < 13 && len(dossiers) > 0:
					id := dossiers[rng.IntN(len(dossiers))]
					for range 1 + rng.IntN(6) {
						push = append(push, d.op(id, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), fmt.Sprint(values[rng.IntN(len(values))], " ", step)))
					}
				case x == 13 && len(dossiers) > 0:
					id := dossiers[rng.IntN(len(dossiers))]
					push = []store.Op{d.op(id, "team", []string{"Noord", "Oost"}[rng.IntN(2)])}
				case x == 14 && len(dossiers) > 0:
					id := dossiers[rng.IntN(len(dossiers))]
					if sid, ok := shares[id]; ok {
						push = []store.Op{d.op(id, store.ShareField(sid, "withdrawn"), "2026-11-02")}
						delete(shares, id)
					} else {
						var sid string
						sid, push = d.share(id, shareSpec{team: []string{"Noord", "Oost"}[rng.IntN(2)], mode: "readwrite",
							from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"})
						shares[id] = sid
					}
				case x == 15 && len(dossiers) > 0:
					ss, err := pick().srv.Session("cor", ChannelSSH, "s")
					a.must(err)
					_, err = ss.Commit(dossiers[rng.IntN(len(dossiers))], store.Set("step/2/note", fmt.Sprint("via ssh ", step)))
					if err != nil && !strings.Contains(err.Error(), "not one of yours") && !strings.Contains(err.Error(), "erased") {
						a.must(err)
					}
				case x == 16 && len(dossiers) > 3 && rng.IntN(3) == 0:
					_, err := pick().admin.Erase(dossiers[rng.IntN(len(dossiers))])
					a.must(err)
				}
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
						index, file := pullIndexAndFileShared(t, a, o, c, limit)
						samePullPages(t, fmt.Sprintf("step %d, %s from %d, limit %d (last sync on %s)", step, o.user, c, limit, e.path), index, file)
						compared++
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
			hits := a.srv.recent.hits - hits0
			a.srv.recent.mu.Unlock()
			t.Logf("%d pulls compared, %d with ops (%d after a push on B); A's index answered %d pulls (syncs included), %d drops for B's writes",
				compared, withOps, fromB, hits, a.srv.processes.drops.Load())
			if hits < 40 {
				t.Errorf("A's index answered only %d pulls", hits)
			}
			if a.srv.processes.drops.Load() == 0 {
				t.Errorf("A never saw B's writes")
			}
		})
	}
}
