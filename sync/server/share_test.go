package server

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// shareSpec is a share as the tests write it.
type shareSpec struct {
	team, org, mode, from, until, consentDate, how, withdrawn string
}

// share makes the ops of a new share of dossier (one op per non-empty field).
func (d *device) share(dossier string, s shareSpec) (string, []store.Op) {
	sid := store.NewID()
	ops := []store.Op{d.op(dossier, store.ShareField(sid, "exists"), "1")}
	for _, f := range [][2]string{{"team", s.team}, {"org", s.org}, {"purpose", "samen naar werk"}, {"mode", s.mode},
		{"from", s.from}, {"until", s.until}, {"consent_date", s.consentDate}, {"consent_how", s.how}, {"withdrawn", s.withdrawn}} {
		if f[1] != "" {
			ops = append(ops, d.op(dossier, store.ShareField(sid, f[0]), f[1]))
		}
	}
	return sid, ops
}

// setOrg gives a team an organisation (the orgs work owns how; here the
// team record's Org field is set directly).
func (e *env) setOrg(team, org string) {
	e.t.Helper()
	e.must(e.srv.db.Update(func(tx Tx) error {
		t, ok, err := tx.Team(team)
		if err != nil || !ok {
			return fmt.Errorf("team %s: %v %v", team, ok, err)
		}
		t.Org = org
		return tx.PutTeam(t)
	}))
	e.srv.views.bump()
}

// The share cases of the access matrix, judged on t0 (2026-11-02).
var shareCases = []struct {
	name        string
	spec        shareSpec
	read, write bool
}{
	{"read", shareSpec{mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "spoken"}, true, false},
	{"readwrite", shareSpec{mode: "readwrite", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"}, true, true},
	{"expired", shareSpec{mode: "readwrite", from: "2026-10-01", until: "2026-11-01", consentDate: "2026-10-01", how: "written"}, false, false},
	{"withdrawn", shareSpec{mode: "readwrite", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written", withdrawn: "2026-11-02"}, false, false},
	{"not-started", shareSpec{mode: "readwrite", from: "2026-11-03", until: "2026-12-31", consentDate: "2026-11-01", how: "written"}, false, false},
	{"no-consent", shareSpec{mode: "readwrite", from: "2026-11-01", until: "2026-12-31"}, false, false},
	{"other-org", shareSpec{org: "Gemeente Nijmegen", mode: "readwrite", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"}, true, true},
	{"not-shared", shareSpec{}, false, false},
}

// TestShareAccessMatrix checks every endpoint that touches a dossier (the
// sync pull and push; the SSH session's list, open, heads and writes) for
// every role of a team the dossier is shared with, for every kind of
// share: what is delivered, what is stored, and the refusal's code.
// (Enrolment, /healthz, /v1/wiped and the admin endpoints name no
// dossier; TestAccessMatrix covers them.)
func TestShareAccessMatrix(t *testing.T) {
	roles := []string{protocol.RoleCoach, protocol.RoleWijkteam, protocol.RoleCoordinator, protocol.RoleAdmin}
	for _, c := range shareCases {
		for _, role := range roles {
			t.Run(c.name+"/"+role, func(t *testing.T) {
				e := newEnv(t)
				e.teams("Noord", "Zuid")
				e.setOrg("Noord", "Zorg Noord")
				if c.spec.org != "" {
					e.setOrg("Zuid", c.spec.org)
				} else {
					e.setOrg("Zuid", "Zorg Noord")
				}
				owner := e.user("anna", protocol.RoleCoach, "Noord")
				id, ops := owner.create("Noord", "Noor")
				if c.name != "not-shared" {
					spec := c.spec
					spec.team = "Zuid"
					_, sops := owner.share(id, spec)
					ops = append(ops, sops...)
				}
				if resp := owner.sync(ops...); len(resp.Refused) > 0 {
					t.Fatalf("owner's share refused: %+v", resp.Refused)
				}
				read := c.read && role != protocol.RoleAdmin
				write := c.write && role != protocol.RoleAdmin

				// pull: the whole dossier, or nothing.
				d := e.user("u", role, "Zuid")
				d.syncAll()
				if got := len(d.have[id]); (got > 0) != read || (read && got != len(ops)) {
					t.Errorf("pull: %d ops delivered of %d, want read=%v", got, len(ops), read)
				}

				// push to the dossier.
				before := e.stats()
				edit := d.op(id, "birthyear", "1990")
				resp := d.sync(edit)
				if got := len(resp.Accepted) == 1; got != write {
					t.Errorf("push: accepted=%v, want %v (%+v)", got, write, resp.Refused)
				}
				want := protocol.RefuseForbidden
				if read && !write {
					want = protocol.RefuseReadOnly
				}
				if !write {
					if code := refusedCodes(resp)[edit.ID]; code != want {
						t.Errorf("push: refusal %q, want %q", code, want)
					}
					if e.stats() != before {
						t.Errorf("refused push stored something")
					}
				}

				// A shared team never changes the shares or the team.
				before = e.stats()
				_, own := d.share(id, shareSpec{team: "Zuid", mode: "readwrite", from: "2026-01-01", until: "2030-12-31", consentDate: "2026-01-01", how: "written"})
				move := d.op(id, "team", "Zuid")
				resp = d.sync(append(own, move)...)
				if len(resp.Accepted) != 0 || e.stats() != before {
					t.Errorf("a shared team's own share or move: accepted %d", len(resp.Accepted))
				}

				// SSH.
				ss, err := e.srv.Session("u", ChannelSSH, "s-u")
				e.must(err)
				sums, err := ss.Summaries()
				e.must(err)
				listed := false
				for _, sm := range sums {
					listed = listed || sm.ID == id
				}
				if listed != read {
					t.Errorf("ssh list: listed=%v, want %v", listed, read)
				}
				if _, err := ss.Client(id); (err == nil) != read {
					t.Errorf("ssh open: %v, want read=%v", err, read)
				}
				if _, err := ss.Heads(id, "name"); (err == nil) != read {
					t.Errorf("ssh heads: %v, want read=%v", err, read)
				}
				before = e.stats()
				_, err = ss.Commit(id, store.Set("birthyear", "1991"))
				if (err == nil) != write {
					t.Errorf("ssh write: %v, want write=%v", err, write)
				}
				var re *RefusedError
				if role != protocol.RoleAdmin && !write && (!errors.As(err, &re) || re.Refusal.Code != want) {
					t.Errorf("ssh write refused with %v, want code %s", err, want)
				}
				if !write && e.stats() != before {
					t.Errorf("refused ssh write stored something")
				}
				if role != protocol.RoleAdmin {
					_, err = ss.Commit(id, store.Set(store.ShareField(store.NewID(), "exists"), "1"), store.Set("team", "Zuid"))
					if !errors.Is(err, ErrForbidden) {
						t.Errorf("ssh: a shared team's own share and move: %v", err)
					}
				}
			})
		}
	}
}

// TestShareComesAndGoesWithTime: a dossier shared with a team arrives
// whole (every op of its history) on the next sync of a device of that
// team, even one that synced before; expiry by date removes it on the next
// sync after the last day without any op; a share that has still to start
// brings it on its first day; withdrawal removes it at once. The devices
// sync often, so most pulls are settled ones: the view cache must give
// the answers a cache-less server gives.
func TestShareComesAndGoesWithTime(t *testing.T) {
	for _, cache := range []bool{true, false} {
		t.Run(fmt.Sprint("cache=", cache), func(t *testing.T) {
			e := newEnv(t)
			e.srv.views.off, e.srv.recent.off = !cache, !cache
			e.teams("Noord", "Zuid")
			anna := e.user("anna", protocol.RoleCoach, "Noord")
			zoe := e.user("zoe", protocol.RoleCoach, "Zuid")
			cor := e.user("cor", protocol.RoleCoordinator, "Zuid")
			id, ops := anna.create("Noord", "Noor")
			for i := range 5 {
				ops = append(ops, anna.op(id, "step/1/note", fmt.Sprint("notitie ", i)))
			}
			anna.syncAll(ops...)
			zoe.syncAll()
			zoe.syncAll()
			if len(zoe.have) != 0 {
				t.Fatalf("zoe sees %d dossiers before any share", len(zoe.have))
			}
			sid, sops := anna.share(id, shareSpec{team: "Zuid", mode: "read", from: "2026-11-01", until: "2026-11-03", consentDate: "2026-11-01", how: "spoken"})
			anna.syncAll(sops...)
			all := len(ops) + len(sops)
			for _, d := range []*device{zoe, cor} {
				d.syncAll()
				if n := len(d.have[id]); n != all {
					t.Fatalf("%s got %d ops of the shared dossier, want its whole history of %d", d.user, n, all)
				}
			}
			// A change by the owner reaches the shared team (settled pull).
			note := anna.op(id, "step/1/note", "nieuw")
			anna.syncAll(note)
			zoe.syncAll()
			if _, ok := zoe.have[id][note.ID]; !ok {
				t.Fatalf("zoe did not get the owner's new op")
			}
			// Expiry: on 2026-11-03 still there, on 2026-11-04 gone, without an op.
			e.clock.Add(24 * time.Hour)
			zoe.syncAll()
			if len(zoe.have[id]) == 0 {
				t.Fatalf("share dropped before its last day")
			}
			e.clock.Add(24 * time.Hour)
			zoe.syncAll()
			cor.syncAll()
			if len(zoe.have[id]) != 0 || len(cor.have[id]) != 0 {
				t.Fatalf("expired share: zoe holds %d, cor %d ops", len(zoe.have[id]), len(cor.have[id]))
			}
			// Extended by the owner: back, whole.
			anna.syncAll(anna.op(id, store.ShareField(sid, "until"), "2026-12-31"))
			zoe.syncAll()
			if len(zoe.have[id]) != all+2 {
				t.Fatalf("extended share: zoe holds %d ops, want %d", len(zoe.have[id]), all+2)
			}
			// Withdrawn today: gone on the next sync.
			anna.syncAll(anna.op(id, store.ShareField(sid, "withdrawn"), "2026-11-04"))
			zoe.syncAll()
			if len(zoe.have[id]) != 0 {
				t.Fatalf("withdrawn share still on zoe's device")
			}
			// A share that starts tomorrow brings the dossier tomorrow.
			_, later := anna.share(id, shareSpec{team: "Zuid", mode: "read", from: "2026-11-05", until: "2026-12-31", consentDate: "2026-11-04", how: "written"})
			anna.syncAll(later...)
			zoe.syncAll()
			if len(zoe.have[id]) != 0 {
				t.Fatalf("a share that has not started shows the dossier")
			}
			e.clock.Add(24 * time.Hour)
			zoe.syncAll()
			if len(zoe.have[id]) == 0 {
				t.Fatalf("a share on its first day does not show the dossier")
			}
		})
	}
}

// TestSharedTeamCannotExtendItsShare is the security rule on share ops.
//
// Attack: a team the dossier is shared with read-write pushes a later
// share/ID/until (or a new share, or withdrawn="") and keeps reading the
// dossier after the person's consent ran out.
func TestSharedTeamCannotExtendItsShare(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zoe := e.user("zoe", protocol.RoleCoordinator, "Zuid")
	id, ops := anna.create("Noord", "Noor")
	sid, sops := anna.share(id, shareSpec{team: "Zuid", mode: "readwrite", from: "2026-11-01", until: "2026-11-02", consentDate: "2026-11-01", how: "written"})
	anna.syncAll(append(ops, sops...)...)
	zoe.syncAll()
	for _, op := range []store.Op{
		zoe.op(id, store.ShareField(sid, "until"), "2030-12-31"),
		zoe.op(id, store.ShareField(sid, "mode"), "readwrite"),
		zoe.op(id, store.ShareField(sid, "withdrawn"), ""),
	} {
		resp := zoe.sync(op)
		if code := refusedCodes(resp)[op.ID]; code != protocol.RefuseForbidden {
			t.Errorf("shared team writes %s: refusal %q, want forbidden", op.Field, code)
		}
	}
	// Its plain edits are fine while the share lasts.
	if resp := zoe.sync(zoe.op(id, "birthyear", "1990")); len(resp.Accepted) != 1 {
		t.Errorf("read-write share: edit refused %+v", resp.Refused)
	}
	e.clock.Add(24 * time.Hour)
	zoe.syncAll()
	if len(zoe.have[id]) != 0 {
		t.Errorf("the share still shows after its last day")
	}
	// The owning team's coordinator may change it.
	_, err := e.admin.AddUser("cor", protocol.RoleCoordinator, []string{"Noord"})
	e.must(err)
	ss, err := e.srv.Session("cor", ChannelSSH, "s")
	e.must(err)
	if _, err := ss.Commit(id, store.Set(store.ShareField(sid, "until"), "2026-12-31")); err != nil {
		t.Errorf("owning team's coordinator extends the share: %v", err)
	}
	zoe.syncAll()
	if len(zoe.have[id]) == 0 {
		t.Errorf("extended by the owner: not back")
	}
}

// TestMoveToAnotherOrganisationNeedsConsent: moving a dossier to a team
// of another organisation is refused with no_consent_for_org until a
// share names that organisation with consent; within one organisation
// (or between teams without one) a move needs none.
func TestMoveToAnotherOrganisationNeedsConsent(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Oost", "Gemeente", "Vrij")
	e.setOrg("Noord", "Zorg A")
	e.setOrg("Oost", "zorg a ") // the same organisation, written otherwise
	e.setOrg("Gemeente", "Gemeente Nijmegen")
	anna := e.user("anna", protocol.RoleCoach, "Noord", "Oost", "Gemeente", "Vrij")
	id, ops := anna.create("Noord", "Noor")
	anna.syncAll(ops...)

	if resp := anna.sync(anna.op(id, "team", "Oost")); len(resp.Accepted) != 1 {
		t.Fatalf("move within the organisation refused: %+v", resp.Refused)
	}
	for _, to := range []string{"Gemeente", "Vrij"} {
		mv := anna.op(id, "team", to)
		if code := refusedCodes(anna.sync(mv))[mv.ID]; code != protocol.RefuseNoOrgConsent {
			t.Errorf("move to %s without consent: refusal %q, want %s", to, code, protocol.RefuseNoOrgConsent)
		}
	}
	// Consent recorded for another organisation, or withdrawn, is not enough.
	_, s1 := anna.share(id, shareSpec{team: "Gemeente", org: "UWV", mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "spoken"})
	_, s2 := anna.share(id, shareSpec{team: "Gemeente", org: "Gemeente Nijmegen", mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "spoken", withdrawn: "2026-11-02"})
	anna.syncAll(append(s1, s2...)...)
	mv := anna.op(id, "team", "Gemeente")
	if code := refusedCodes(anna.sync(mv))[mv.ID]; code != protocol.RefuseNoOrgConsent {
		t.Errorf("move with consent for another or withdrawn: %q", code)
	}
	// Over SSH the same rule.
	ss, err := e.srv.Session("anna", ChannelSSH, "s")
	e.must(err)
	var re *RefusedError
	if _, err := ss.Commit(id, store.Set("team", "Gemeente")); !errors.As(err, &re) || re.Refusal.Code != protocol.RefuseNoOrgConsent {
		t.Errorf("ssh move without consent: %v", err)
	}
	_, s3 := anna.share(id, shareSpec{team: "Gemeente", org: "gemeente nijmegen", mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-02", how: "written"})
	anna.syncAll(s3...)
	if resp := anna.sync(anna.op(id, "team", "Gemeente")); len(resp.Accepted) != 1 {
		t.Errorf("move with consent refused: %+v", resp.Refused)
	}
}

// TestShareIndexRebuiltForOlderFiles: a file whose share ops were stored
// by a server without the share index gets it on open.
func TestShareIndexRebuiltForOlderFiles(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zoe := e.user("zoe", protocol.RoleCoach, "Zuid")
	id, ops := anna.create("Noord", "Noor")
	_, sops := anna.share(id, shareSpec{team: "Zuid", mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "spoken"})
	anna.syncAll(append(ops, sops...)...)
	// As an older server left it: no index, no setting.
	e.must(e.srv.db.Update(func(tx Tx) error {
		if err := tx.SetSharedTeams(string(dkey(id)), nil); err != nil {
			return err
		}
		return tx.SetSetting(settingShareIndex, nil)
	}))
	e.restart()
	zoe.syncAll()
	if len(zoe.have[id]) == 0 {
		t.Fatalf("after reopening, the share index was not rebuilt")
	}
}

// A team renamed while a dossier of another team is shared with it keeps
// that share: the rename moves the share's team field along with the
// team's own dossiers. (It did not: the share named the old team, so the
// renamed team's members lost every dossier shared with them.)
func TestTeamRenameKeepsSharesWithIt(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zoe := e.user("zoe", protocol.RoleCoach, "Zuid")
	id, ops := anna.create("Noord", "Noor")
	sid, sops := anna.share(id, shareSpec{team: "Zuid", mode: "readwrite", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"})
	anna.syncAll(append(ops, sops...)...)
	zoe.syncAll()
	if len(zoe.have[id]) == 0 {
		t.Fatal("zoe does not see the shared dossier before the rename")
	}
	if _, err := e.admin.RenameTeam("Zuid", "Zuid-West"); err != nil {
		e.must(err)
	}
	zoe.syncAll()
	if len(zoe.have[id]) == 0 {
		t.Fatal("after the rename zoe lost the dossier shared with her team")
	}
	anna.syncAll()
	var team string
	e.must(e.srv.db.View(func(tx Tx) error {
		hs, err := tx.Heads(id, store.ShareField(sid, "team"))
		if w, ok := winner(hs); ok {
			team = w.Value
		}
		return err
	}))
	if team != "Zuid-West" {
		t.Fatalf("the share names team %q, want Zuid-West", team)
	}
	// The owner's later change still reaches the renamed team.
	note := anna.op(id, "step/1/note", "na de hernoeming")
	anna.syncAll(note)
	zoe.syncAll()
	if _, ok := zoe.have[id][note.ID]; !ok {
		t.Fatal("the owner's change did not reach the renamed team")
	}
}

// A share's days are Dutch days: at 23:30 UTC on 3 November it is already
// 4 November in Amsterdam (CET), so a share "until 3 November" has ended;
// in summer (CEST) 22:30 UTC is past midnight too. (The server judged by
// UTC, leaving an ended share open for another hour or two.)
func TestAccessDayIsTheDutchDay(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 3, 22, 59, 0, 0, time.UTC), "2026-11-03"},
		{time.Date(2026, 11, 3, 23, 30, 0, 0, time.UTC), "2026-11-04"},
		{time.Date(2026, 7, 1, 21, 59, 0, 0, time.UTC), "2026-07-01"},
		{time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC), "2026-07-02"},
	} {
		if got := accessDay(c.at); got != c.want {
			t.Errorf("accessDay(%s) = %s, want %s", c.at, got, c.want)
		}
	}
}

// TestMoveBetweenNamedAndDefaultOrganisation: teams without an
// organisation belong to the region's default one. Moves among them need
// nothing; a move from a named organisation to one of them needs a share
// naming no organisation with consent (it could never be consented to
// before: CheckTransfer ignored such shares), and one from them to a named
// organisation a share naming that one. The same over SSH.
func TestMoveBetweenNamedAndDefaultOrganisation(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Vrij", "Vrij2", "Gemeente")
	e.setOrg("Noord", "Zorg A")
	e.setOrg("Gemeente", "Gemeente B")
	anna := e.user("anna", protocol.RoleCoach, "Noord", "Vrij", "Vrij2", "Gemeente")
	id, ops := anna.create("Noord", "Noor")
	anna.syncAll(ops...)
	refused := func(to string) string {
		mv := anna.op(id, "team", to)
		resp := anna.sync(mv)
		if len(resp.Accepted) == 1 {
			return ""
		}
		return refusedCodes(resp)[mv.ID]
	}
	consent := func(team, org string) {
		_, sops := anna.share(id, shareSpec{team: team, org: org, mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"})
		anna.syncAll(sops...)
	}
	// org -> none: refused without consent; a share naming Zorg A or
	// Gemeente B does not cover the default organisation.
	if code := refused("Vrij"); code != protocol.RefuseNoOrgConsent {
		t.Fatalf("org to none without consent: %q", code)
	}
	consent("Gemeente", "Gemeente B")
	if code := refused("Vrij"); code != protocol.RefuseNoOrgConsent {
		t.Fatalf("org to none with consent for another organisation: %q", code)
	}
	ss, err := e.srv.Session("anna", ChannelSSH, "s")
	e.must(err)
	var re *RefusedError
	if _, err := ss.Commit(id, store.Set("team", "Vrij")); !errors.As(err, &re) || re.Refusal.Code != protocol.RefuseNoOrgConsent {
		t.Fatalf("ssh org to none without consent: %v", err)
	}
	consent("Vrij", "")
	if code := refused("Vrij"); code != "" {
		t.Fatalf("org to none with consent for the default organisation: %q", code)
	}
	// none -> none: nothing needed.
	if code := refused("Vrij2"); code != "" {
		t.Fatalf("none to none: %q", code)
	}
	// none -> org: the share naming Gemeente B covers it; Zorg A has none.
	if code := refused("Noord"); code != protocol.RefuseNoOrgConsent {
		t.Fatalf("none to org without consent: %q", code)
	}
	if _, err := ss.Commit(id, store.Set("team", "Gemeente")); err != nil {
		t.Fatalf("ssh none to org with consent: %v", err)
	}
}
