package server

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestSharedShortcutsAnswerAsTheFileDoes runs the same random history of
// shares and access changes (a share added, changed to read only,
// withdrawn, removed, expiring as the days pass, dossiers moved between
// teams and organisations, edits by owning and shared teams) against two
// servers: one with every shortcut of the sync on (the view cache with the
// owning teams of its shared sets, settled pulls answered from the index
// of recent ops, the user's sets taken once per pull, the push's memo of
// a dossier's shares), one working every answer out from the file. Every
// sync must get the same answer: the same ops, drops, cursor and the same
// refusal codes.
func TestSharedShortcutsAnswerAsTheFileDoes(t *testing.T) {
	// These histories of 160 syncs reach every refusal the test asks for
	// (the totals are checked below); one of them on a slower backend or
	// with -short, so that the package stays within go test's time under
	// -race.
	seeds := []uint64{0, 3, 4}
	if testing.Short() || testBackend != "bolt" {
		seeds = []uint64{3}
	}
	codes := map[string]int{}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 11))
			envs := [2]*env{newEnv(t), newEnv(t)}
			envs[1].srv.views.off, envs[1].srv.recent.off = true, true
			orgs := map[string]string{"Noord": "Zorg A", "Oost": "Zorg A", "Zuid": "Gemeente B", "West": ""}
			teams := []string{"Noord", "Oost", "Zuid", "West"}
			for _, e := range envs {
				e.teams(teams...)
				for _, tm := range teams {
					if orgs[tm] != "" {
						e.setOrg(tm, orgs[tm])
					}
				}
			}
			type pair [2]*device
			users := []struct {
				name, role string
				teams      []string
			}{
				{"anna", protocol.RoleCoach, []string{"Noord"}}, {"bram", protocol.RoleCoach, []string{"Noord", "West"}},
				{"olga", protocol.RoleCoach, []string{"Oost"}}, {"zoe", protocol.RoleWijkteam, []string{"Zuid"}},
				{"cor", protocol.RoleCoordinator, []string{"Oost", "Zuid"}},
			}
			var devs []pair
			home := map[string]string{}
			for _, u := range users {
				home[u.name] = u.teams[0]
				var p pair
				for i, e := range envs {
					p[i] = e.user(u.name, u.role, u.teams...)
				}
				devs = append(devs, p)
			}
			type shareRef struct{ dossier, id string }
			var dossiers []string
			var shares []shareRef
			day := func(days int) string {
				return envs[0].clock.Now().AddDate(0, 0, days).In(dutchTime()).Format(time.DateOnly)
			}
			key := func(r protocol.SyncResponse) string {
				var ops []string
				for _, op := range r.Ops {
					ops = append(ops, op.Dossier+" "+op.Field+" "+op.Value+" "+op.Author)
				}
				slices.Sort(ops)
				var refused []string
				for _, rf := range r.Refused {
					refused = append(refused, rf.ID+" "+rf.Code)
				}
				slices.Sort(refused)
				drop := slices.Sorted(slices.Values(r.Drop))
				return fmt.Sprintf("ops %v drop %v erased %v more %v cursor %d accepted %d refused %v",
					ops, drop, r.Erased, r.More, r.Cursor, len(r.Accepted), refused)
			}
			for step := range 160 {
				p := devs[rng.IntN(len(devs))]
				d := p[0]
				var push []store.Op
				pick := func() string { return dossiers[rng.IntN(len(dossiers))] }
				switch x := rng.IntN(24); {
				case x < 3 && d.user != "cor":
					id, ops := d.create(home[d.user], fmt.Sprint("Client ", step))
					dossiers = append(dossiers, id)
					push = ops
				case x < 10 && len(dossiers) > 0:
					dk := pick()
					for range 1 + rng.IntN(3) {
						push = append(push, d.op(dk, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), fmt.Sprint("notitie ", step)))
					}
				case x < 14 && len(dossiers) > 0: // a share added
					dk := pick()
					to := teams[rng.IntN(len(teams))]
					mode := []string{store.ShareRead, store.ShareReadWrite}[rng.IntN(2)]
					spec := shareSpec{team: to, org: orgs[to], mode: mode, from: day(-rng.IntN(2)), until: day(rng.IntN(3)),
						consentDate: day(-rng.IntN(2)), how: "written"}
					if rng.IntN(6) == 0 {
						spec.consentDate, spec.how = "", "" // no consent yet
					}
					if rng.IntN(6) == 0 {
						spec.from = day(1) // starts tomorrow
					}
					sid, ops := d.share(dk, spec)
					shares = append(shares, shareRef{dk, sid})
					push = ops
				case x == 14 && len(shares) > 0: // changed to read only
					s := shares[rng.IntN(len(shares))]
					push = []store.Op{d.op(s.dossier, store.ShareField(s.id, "mode"), store.ShareRead)}
				case x == 15 && len(shares) > 0: // withdrawn today
					s := shares[rng.IntN(len(shares))]
					push = []store.Op{d.op(s.dossier, store.ShareField(s.id, "withdrawn"), day(0))}
				case x == 16 && len(shares) > 0: // removed, recorded by mistake
					s := shares[rng.IntN(len(shares))]
					push = []store.Op{d.op(s.dossier, store.ShareField(s.id, "exists"), "0")}
				case x == 17 && len(shares) > 0: // extended
					s := shares[rng.IntN(len(shares))]
					push = []store.Op{d.op(s.dossier, store.ShareField(s.id, "until"), day(1+rng.IntN(3)))}
				case x < 20 && len(dossiers) > 0: // a team move (to another organisation too)
					push = []store.Op{d.op(pick(), "team", teams[rng.IntN(len(teams))])}
				case x == 20: // a day passes: shares expire and start
					for _, e := range envs {
						e.clock.Add(24 * time.Hour)
					}
				}
				limit := 0
				if rng.IntN(4) == 0 {
					limit = 1 + rng.IntN(3)
				}
				var got [2]string
				for i, dv := range p {
					resp, status, perr := dv.try(limit, push...)
					if status != 200 {
						t.Fatalf("step %d: %s: status %d: %s", step, dv.user, status, perr.Message)
					}
					got[i] = key(resp)
					if i == 0 {
						for _, rf := range resp.Refused {
							codes[rf.Code]++
						}
					}
				}
				if got[0] != got[1] {
					t.Fatalf("step %d, %s: with the shortcuts\n%s\nfrom the file\n%s", step, d.user, got[0], got[1])
				}
			}
			// The history reached the cases it is for, and the shortcuts
			// answered, not the file every time.
			envs[0].srv.recent.mu.Lock()
			hits := envs[0].srv.recent.hits
			envs[0].srv.recent.mu.Unlock()
			t.Logf("refusals %v; %d settled pulls answered from the index", codes, hits)
			if hits < 10 {
				t.Errorf("the index answered %d pulls", hits)
			}
		})
	}
	for _, c := range []string{protocol.RefuseForbidden, protocol.RefuseReadOnly, protocol.RefuseNoOrgConsent} {
		if codes[c] == 0 && !t.Failed() {
			t.Errorf("the histories never reached a refusal %s: %v", c, codes)
		}
	}
}
