package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestAccessMatrix checks every endpoint for every role, on a dossier of
// the user's own team and one of another team: the status, what was stored
// and what was delivered.
func TestAccessMatrix(t *testing.T) {
	roles := []string{protocol.RoleCoach, protocol.RoleWijkteam, protocol.RoleCoordinator, protocol.RoleAdmin}
	for _, role := range roles {
		for _, own := range []bool{true, false} {
			name := role + "/other-team"
			if own {
				name = role + "/own-team"
			}
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				e.teams("Noord", "Zuid")
				seed := e.user("seed", protocol.RoleCoach, "Noord", "Zuid")
				target := "Zuid"
				if own {
					target = "Noord"
				}
				id, ops := seed.create(target, "Noor")
				seed.syncAll(ops...)

				// enroll: every role may enrol a device.
				d := e.user("u", role, "Noord")

				// /healthz is open to all (no dossier data); /metrics is
				// not on the API (it has a listener of its own).
				for p, want := range map[string]int{protocol.PathHealth: http.StatusOK, protocol.PathMetrics: http.StatusNotFound} {
					res, err := e.http.Client().Get(e.http.URL + p)
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					if res.StatusCode != want {
						t.Errorf("GET %s: %d, want %d", p, res.StatusCode, want)
					}
				}

				// pull: the dossier arrives only for a reader of its team.
				d.syncAll()
				wantRead := own && role != protocol.RoleAdmin
				if got := len(d.have[id]) > 0; got != wantRead {
					t.Errorf("pull: delivered=%v, want %v", got, wantRead)
				}

				// push to the existing dossier.
				before := e.stats()
				edit := d.op(id, "birthyear", "1990")
				resp := d.sync(edit)
				wantWrite := own && role != protocol.RoleAdmin
				accepted := len(resp.Accepted) == 1
				if accepted != wantWrite {
					t.Errorf("push to existing: accepted=%v, want %v (%+v)", accepted, wantWrite, resp.Refused)
				}
				if !wantWrite {
					if refusedCodes(resp)[edit.ID] != protocol.RefuseForbidden {
						t.Errorf("push to existing: refusal %+v, want forbidden", resp.Refused)
					}
					if e.stats() != before {
						t.Errorf("refused push stored something")
					}
				}

				// push a new dossier for the target team.
				before = e.stats()
				nid, nops := d.create(target, "Nieuw")
				resp = d.sync(nops...)
				if got := len(resp.Accepted) == 3; got != wantWrite {
					t.Errorf("new dossier: accepted=%v, want %v (%+v)", got, wantWrite, resp.Refused)
				}
				if !wantWrite && e.stats() != before {
					t.Errorf("refused new dossier stored something")
				}
				if wantWrite {
					if n := len(seed.sync().Ops); n != 4 {
						t.Errorf("seed got %d ops of the change and new dossier %s, want 4", n, nid)
					}
				}
			})
		}
	}
}

func TestSyncWithoutValidTokenRefused(t *testing.T) {
	e := newEnv(t)
	for tok, code := range map[string]string{"": CodeUnauthorized, "brug_nonsense": protocol.ErrorUnknownToken} {
		status, perr := e.post(protocol.PathSync, tok, protocol.SyncRequest{}, nil)
		if status != http.StatusUnauthorized || perr.Code != code {
			t.Errorf("token %q: %d %+v, want code %s", tok, status, perr, code)
		}
	}
}

func TestRevokedDeviceRefusedOnNextRequest(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	a.sync()
	e.must(e.admin.RevokeDevice(a.id))
	_, status, perr := a.try(0)
	if status != http.StatusUnauthorized || perr.Code != protocol.ErrorRevoked {
		t.Fatalf("revoked device: %d %+v, want code %s", status, perr, protocol.ErrorRevoked)
	}
	// Another device of the same user keeps working.
	other := e.enrol("anna")
	other.sync()
}

func TestDisabledUserRefused(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	code, _, err := e.admin.Invite("anna")
	e.must(err)
	e.must(e.admin.DisableUser("anna"))
	if _, status, perr := a.try(0); status != http.StatusUnauthorized || perr.Code != protocol.ErrorDisabled {
		t.Fatalf("disabled user's device: %d %+v, want code %s", status, perr, protocol.ErrorDisabled)
	}
	if status, _ := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: "x"}, nil); status != http.StatusUnauthorized {
		t.Fatalf("disabled user's code: %d", status)
	}
}

func TestEnrolmentCodeSingleUseAndExpiry(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	_, err := e.admin.AddUser("anna", protocol.RoleCoach, []string{"Noord"})
	e.must(err)
	code, exp, err := e.admin.Invite("anna")
	e.must(err)
	if !exp.Equal(t0.Add(24 * time.Hour)) {
		t.Errorf("expires %v", exp)
	}
	var resp protocol.EnrollResponse
	// Lower case and without dashes is the same code.
	if status, perr := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: strings.ToLower(code), DeviceName: "laptop"}, &resp); status != 200 {
		t.Fatalf("first use: %d %+v", status, perr)
	}
	if resp.User != "anna" || resp.Role != protocol.RoleCoach || len(resp.Teams) != 1 || resp.Token == "" {
		t.Fatalf("enroll response %+v", resp)
	}
	status, perr := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: "laptop"}, nil)
	if status != http.StatusUnauthorized || perr.Message == "" {
		t.Fatalf("second use: %d %+v", status, perr)
	}
	t.Logf("used code: %s", perr.Message)

	late, _, err := e.admin.Invite("anna")
	e.must(err)
	e.clock.Add(24*time.Hour + time.Second)
	status, perr = e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: late, DeviceName: "laptop"}, nil)
	if status != http.StatusUnauthorized {
		t.Fatalf("expired code: %d %+v", status, perr)
	}
	t.Logf("expired code: %s", perr.Message)

	fresh, _, err := e.admin.Invite("anna")
	e.must(err)
	e.clock.Add(23 * time.Hour)
	if status, _ := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: normCode(fresh), DeviceName: "laptop"}, nil); status != 200 {
		t.Fatalf("code within 24 h (typed without dashes): %d", status)
	}
}

// A coach whose new dossier names a team that is not theirs, or a team the
// server does not have, is refused; ops for a dossier nobody created are
// refused as unknown.
func TestNewDossierRules(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id := store.NewID()
	noTeam := []store.Op{a.op(id, "exists", "1"), a.op(id, "name", "X")}
	resp := a.sync(noTeam...)
	for _, op := range noTeam {
		if refusedCodes(resp)[op.ID] != protocol.RefuseUnknown {
			t.Errorf("op without team: %+v", resp.Refused)
		}
	}
	id2 := store.NewID()
	ghost := []store.Op{a.op(id2, "exists", "1"), a.op(id2, "team", "Nergens")}
	resp = a.sync(ghost...)
	if len(resp.Accepted) != 0 {
		t.Errorf("dossier of a team that does not exist accepted: %+v", resp)
	}
	// Team op first or last makes no difference.
	id3 := store.NewID()
	resp = a.sync(a.op(id3, "team", "Noord"), a.op(id3, "exists", "1"))
	if len(resp.Accepted) != 2 {
		t.Errorf("team op first: %+v", resp.Refused)
	}
}
