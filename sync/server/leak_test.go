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

// dossiersIn counts the ops of each dossier in an answer.
func dossiersIn(resp protocol.SyncResponse) map[string]int {
	out := map[string]int{}
	for _, op := range resp.Ops {
		out[op.Dossier]++
	}
	return out
}

// Attack: team Noord moves a dossier to Zuid; a device of Noord that was
// told to drop it then syncs with cursor 0 and got its old ops back from the
// index of recent ops (filed under Noord), with no drop, for good.
func TestDroppedDossierNotResentForAnOldCursor(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	a2 := e.user("arie", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor Verhuis")
	a.sync(ops...)
	a2.sync()
	if len(a2.have[id]) != 3 {
		t.Fatalf("arie has %d ops of the dossier before the move", len(a2.have[id]))
	}
	beforeMove := a2.cursor
	a.sync(a.op(id, "team", "Zuid", ops[2].ID))
	if resp := a2.sync(); len(resp.Drop) != 1 || resp.Drop[0] != id {
		t.Fatalf("no drop after the move: %+v", resp)
	}
	a2.sync() // confirms the drop
	for _, cursor := range []uint64{0, 1, beforeMove} {
		a2.cursor = cursor
		resp := a2.sync()
		if n := dossiersIn(resp)[id]; n > 0 {
			t.Fatalf("cursor %d: arie of Noord got %d ops of a dossier now in Zuid", cursor, n)
		}
	}
}

// Attack: team Oost's only dossier moves to Noord; a coach added to Oost
// later found it empty on the first sync and got the moved dossier's ops,
// name included, on a second sync from cursor 0 (index filed under Oost).
func TestNewMemberGetsNoOpsOfADossierMovedAway(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Oost")
	o := e.user("olga", protocol.RoleCoach, "Oost")
	id, ops := o.create("Oost", "Noor Verhuis")
	o.sync(append(ops, o.op(id, "step/1/note", "geheim"))...)
	o.sync(o.op(id, "team", "Noord", ops[2].ID))
	c := e.user("cees", protocol.RoleCoach, "Oost")
	for i := range 3 {
		if i > 0 {
			c.cursor = 0
		}
		resp := c.sync()
		if n := dossiersIn(resp)[id]; n > 0 {
			t.Fatalf("sync %d: new member of Oost got %d ops of a dossier now in Noord", i+1, n)
		}
	}
}

// answered returns how many pulls the index answered.
func (r *recentOps) answered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits
}

// TestAnswersHoldOnlyTheTeamsDossiersNow is the rule of access by team
// and by share checked over random histories: pushes, transfers between
// teams (of one organisation and of another), members added and removed,
// new users enrolling, erasures, shares made, changed, withdrawn and
// removed (by the owning team and, refused, by others), days passing (so
// shares start and expire without an op), requests with any cursor (0,
// stale, current, beyond the server's last number) and server restarts
// that lose what it keeps in memory. Every answer of the server under test
// must equal the answer of a server that keeps neither the index of
// recent ops nor the view cache, and every op, drop and erasure in it must
// agree with the rule worked out from scratch: ops only of dossiers one
// of the user's teams may read today by store.Access over the dossier as
// the store projects it (its owning team, or an active share), drops only
// of dossiers the user does not see, erasures only of erased dossiers. At
// the end a fresh device of every user holds exactly what it may read.
func TestAnswersHoldOnlyTheTeamsDossiersNow(t *testing.T) {
	seeds := 4
	if testing.Short() {
		seeds = 1
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { accessProperty(t, uint64(seed), 120) })
	}
}

func accessProperty(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 9))
	envs := [2]*env{newEnv(t), newEnv(t)} // 0: under test, 1: reference
	if envs[0].srv.Store() == nil {
		// The reference reads dossiers as the store projects them.
		t.Skipf("the access judged from scratch needs the op-log store, which the %s backend has not yet", testBackend)
	}
	envs[1].srv.recent.off = true
	envs[1].srv.views.off = true
	teams := []string{"Noord", "Oost", "Zuid"}
	orgs := map[string]string{"Noord": "Zorg A", "Oost": "Zorg A", "Zuid": "Gemeente"}
	for _, e := range envs {
		e.teams(teams...)
		for tm, org := range orgs {
			e.setOrg(tm, org)
		}
	}
	type user struct {
		name, role string
		teams      map[string]bool
	}
	var users []*user
	type pair struct {
		u    *user
		d    [2]*device
		seen []uint64 // cursors the server gave this device
	}
	var devs []*pair
	enrol := func(u *user) {
		p := &pair{u: u}
		for i, e := range envs {
			p.d[i] = e.enrol(u.name)
		}
		devs = append(devs, p)
	}
	addUser := func(name, role string, ts ...string) {
		u := &user{name: name, role: role, teams: map[string]bool{}}
		for _, tm := range ts {
			u.teams[tm] = true
		}
		for _, e := range envs {
			_, err := e.admin.AddUser(name, role, ts)
			e.must(err)
		}
		users = append(users, u)
		enrol(u)
	}
	addUser("anna", protocol.RoleCoach, "Noord")
	addUser("olga", protocol.RoleCoach, "Oost")
	addUser("cor", protocol.RoleCoordinator, "Noord", "Zuid")
	addUser("wim", protocol.RoleWijkteam, "Zuid")

	var dossiers []string
	shares := map[string][]string{} // dossier -> share ids made
	bySharing := 0                  // answers that held a dossier of another team
	erased := map[string]bool{}
	var highest uint64 // the highest cursor any answer gave
	hits := 0          // settled pulls the index answered, over restarts
	// now reads, from the file of the server under test, a dossier's team
	// and whether it was erased.
	now := func(id string) (team string, gone bool) {
		e := envs[0]
		e.must(e.srv.db.View(func(tx Tx) error {
			gone = tx.Erased(id)
			hs, err := tx.Heads(id, "team")
			if w, ok := winner(hs); ok {
				team = w.Value
			}
			return err
		}))
		return team, gone
	}
	// reads says, from scratch, whether a user may read a dossier today:
	// store.Access over the dossier as the store projects it.
	reads := func(u *user, id string) bool {
		e := envs[0]
		if !mayRead(u.role) || e.srv.Store().Erased(id) {
			return false
		}
		c, err := e.srv.Store().Client(id)
		if err != nil {
			return false
		}
		day := accessDay(e.clock.Now())
		for tm := range u.teams {
			if u.teams[tm] && store.Access(c.AccessState(), store.TeamRef{ID: tm, Org: orgs[tm]}, day).Read {
				return true
			}
		}
		return false
	}
	key := func(r protocol.SyncResponse) string {
		var ops []string
		for _, op := range r.Ops {
			ops = append(ops, op.ID)
		}
		slices.Sort(ops)
		return fmt.Sprintf("ops %v drop %v erased %v more %v cursor %d accepted %d refused %d",
			ops, r.Drop, r.Erased, r.More, r.Cursor, len(r.Accepted), len(r.Refused))
	}
	syncOne := func(step int, p *pair, push []store.Op) {
		// The cursor: mostly the device's own, else any a device might
		// send: 0, one it was given earlier, one it was never given, and
		// one beyond the server's last number.
		cursor := p.d[0].cursor
		switch x := rng.IntN(10); {
		case x == 0:
			cursor = 0
		case x == 1 && len(p.seen) > 0:
			cursor = p.seen[rng.IntN(len(p.seen))]
		case x == 2:
			cursor = rng.Uint64N(highest + 1)
		case x == 3:
			cursor = highest + 1 + rng.Uint64N(5)
		}
		limit := 0
		if rng.IntN(4) == 0 {
			limit = 1 + rng.IntN(4)
		}
		var got [2]string
		var resp protocol.SyncResponse
		for i, d := range p.d {
			d.cursor = cursor
			r, status, perr := d.try(limit, push...)
			if status != 200 {
				t.Fatalf("seed %d step %d: %s: status %d: %s", seed, step, d.user, status, perr.Message)
			}
			got[i] = key(r)
			if i == 0 {
				resp = r
			}
		}
		if got[0] != got[1] {
			t.Fatalf("seed %d step %d, %s with cursor %d: the server under test answered\n%s\nthe server without index or cache\n%s", seed, step, p.u.name, cursor, got[0], got[1])
		}
		p.seen = append(p.seen, resp.Cursor)
		highest = max(highest, resp.Cursor)
		judged := map[string]bool{}
		for _, op := range resp.Ops {
			if judged[op.Dossier] {
				continue
			}
			judged[op.Dossier] = true
			if team, _ := now(op.Dossier); !p.u.teams[team] {
				bySharing++
			}
			if !reads(p.u, op.Dossier) {
				team, gone := now(op.Dossier)
				t.Fatalf("seed %d step %d: %s (teams %v) with cursor %d got op %s of dossier %s, now in team %q (erased %v), not shared with it today",
					seed, step, p.u.name, p.u.teams, cursor, op.Field, op.Dossier, team, gone)
			}
		}
		for _, id := range resp.Drop {
			if reads(p.u, id) {
				team, _ := now(id)
				t.Fatalf("seed %d step %d: %s told to drop %s, which it may read (team %s)", seed, step, p.u.name, id, team)
			}
		}
		for _, id := range resp.Erased {
			if _, gone := now(id); !gone {
				t.Fatalf("seed %d step %d: %s told to erase %s, which is not erased", seed, step, p.u.name, id)
			}
		}
	}
	for step := range steps {
		p := devs[rng.IntN(len(devs))]
		var push []store.Op
		switch x := rng.IntN(60); {
		case x < 6:
			var mine []string
			for _, tm := range teams {
				if p.u.teams[tm] {
					mine = append(mine, tm)
				}
			}
			if len(mine) > 0 {
				id, ops := p.d[0].create(mine[rng.IntN(len(mine))], fmt.Sprint("Client ", step))
				dossiers = append(dossiers, id)
				push = ops
			}
		case x < 18 && len(dossiers) > 0:
			d := dossiers[rng.IntN(len(dossiers))]
			for range 1 + rng.IntN(3) {
				push = append(push, p.d[0].op(d, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), fmt.Sprint("notitie ", step)))
			}
		case x < 22 && len(dossiers) > 0:
			d := dossiers[rng.IntN(len(dossiers))]
			push = []store.Op{p.d[0].op(d, "team", teams[rng.IntN(len(teams))])}
		case x < 25:
			u := users[rng.IntN(len(users))]
			tm := teams[rng.IntN(len(teams))]
			for _, e := range envs {
				if u.teams[tm] {
					e.must(e.admin.RemoveMember(tm, u.name))
				} else {
					e.must(e.admin.AddMember(tm, u.name))
				}
			}
			u.teams[tm] = !u.teams[tm]
		case x < 26:
			addUser(fmt.Sprint("nieuw", step), []string{protocol.RoleCoach, protocol.RoleWijkteam}[rng.IntN(2)], teams[rng.IntN(len(teams))])
		case x < 27:
			enrol(users[rng.IntN(len(users))])
		case x < 28 && len(dossiers) > 0 && rng.IntN(2) == 0:
			d := dossiers[rng.IntN(len(dossiers))]
			if !erased[d] {
				for _, e := range envs {
					_, err := e.admin.Erase(d)
					e.must(err)
				}
				erased[d] = true
			}
		case x < 29:
			hits += envs[0].srv.recent.answered()
			envs[0].restart()
		case x < 36 && len(dossiers) > 0:
			// A share, made by whoever this device's user is (the policy
			// refuses it unless the user is of the owning team): mostly
			// of a dossier of the user's teams.
			d := dossiers[rng.IntN(len(dossiers))]
			var own []string
			for _, id := range dossiers {
				if team, gone := now(id); !gone && p.u.teams[team] {
					own = append(own, id)
				}
			}
			if len(own) > 0 && rng.IntN(4) > 0 {
				d = own[rng.IntN(len(own))]
			}
			day := func(off int) string {
				return envs[0].clock.Now().AddDate(0, 0, off).Format("2006-01-02")
			}
			s := shareSpec{team: teams[rng.IntN(len(teams))], mode: []string{"read", "readwrite"}[rng.IntN(2)],
				from: day(-rng.IntN(3)), until: day(rng.IntN(4))}
			if rng.IntN(2) == 0 {
				s.from = day(1 + rng.IntN(2))
			}
			if rng.IntN(4) > 0 {
				s.consentDate, s.how = day(-3), []string{"spoken", "written"}[rng.IntN(2)]
			}
			if rng.IntN(3) == 0 {
				s.org = orgs[s.team]
			}
			sid, ops := p.d[0].share(d, s)
			shares[d] = append(shares[d], sid)
			push = ops
		case x < 41 && len(shares) > 0:
			// Change a share: extend or shorten it, withdraw it, remove it.
			d := dossiers[rng.IntN(len(dossiers))]
			if len(shares[d]) == 0 {
				break
			}
			sid := shares[d][rng.IntN(len(shares[d]))]
			day := envs[0].clock.Now().AddDate(0, 0, rng.IntN(5)-2).Format("2006-01-02")
			switch rng.IntN(4) {
			case 0:
				push = []store.Op{p.d[0].op(d, store.ShareField(sid, "until"), day)}
			case 1:
				push = []store.Op{p.d[0].op(d, store.ShareField(sid, "withdrawn"), envs[0].clock.Now().Format("2006-01-02"))}
			case 2:
				push = []store.Op{p.d[0].op(d, store.ShareField(sid, "exists"), "0")}
			default:
				push = []store.Op{p.d[0].op(d, store.ShareField(sid, "mode"), []string{"read", "readwrite"}[rng.IntN(2)])}
			}
		case x < 44:
			// A day passes: shares start and expire without an op.
			for _, e := range envs {
				e.clock.Add(24 * time.Hour)
			}
		}
		syncOne(step, p, push)
		if rng.IntN(2) == 0 {
			syncOne(step, p, nil) // again, most often settled
		}
		syncOne(step, devs[rng.IntN(len(devs))], nil)
	}
	// A fresh device of every user holds exactly what the user may read.
	for _, u := range users {
		d := envs[0].enrol(u.name)
		d.syncAll()
		for _, id := range dossiers {
			if got, want := len(d.have[id]) > 0, reads(u, id); got != want {
				t.Fatalf("seed %d: a fresh device of %s (teams %v) holds %s: %v, want %v", seed, u.name, u.teams, id, got, want)
			}
		}
	}
	if bySharing == 0 {
		t.Errorf("seed %d: no answer held a shared dossier: the test does not test shares", seed)
	}
	hits += envs[0].srv.recent.answered()
	if hits == 0 {
		t.Errorf("seed %d: the index of recent ops never answered: the test does not test it", seed)
	}
	t.Logf("seed %d: %d devices, %d dossiers, %d settled pulls answered from the index, %d answers with a shared dossier", seed, len(devs), len(dossiers), hits, bySharing)
}
