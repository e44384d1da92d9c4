package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestRegisterFollowsAdminChanges: the register the server hands out (and
// an SSH session's app shows) follows every admin change, teams included,
// and its version changes with it.
func TestRegisterFollowsAdminChanges(t *testing.T) {
	e := newEnv(t)
	s, a := e.srv, e.admin
	r0, err := s.Register()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddOrg(store.Org{Name: "Zorggroep Noord", Kind: store.OrgCare}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddTeamOf("Noord", "Zorggroep Noord"); err != nil {
		t.Fatal(err)
	}
	r1, err := s.Register()
	if err != nil {
		t.Fatal(err)
	}
	if r1.Version == r0.Version || r1.TeamOrg("Noord") != "Zorggroep Noord" {
		t.Fatalf("after adding: %+v", r1)
	}
	// A team renamed through Do keeps its organisation, in the register too.
	if resp := a.Do(AdminRequest{Cmd: CmdTeamRename, Name: "Noord", To: "Noord-West"}); resp.Error != "" {
		if strings.Contains(resp.Error, ErrNoOpStore.Error()) {
			t.Skipf("team rename needs the op-log store, which the %s backend has not yet", testBackend)
		}
		t.Fatal(resp.Error)
	}
	r2, _ := s.Register()
	if r2.TeamOrg("Noord-West") != "Zorggroep Noord" || r2.TeamOrg("Noord") != "" {
		t.Errorf("after the team rename: %+v", r2.Orgs)
	}
	if _, err := a.AddOrg(store.Org{Name: "ZORGGROEP NOORD", Kind: store.OrgCare}); err == nil {
		t.Error("a name that folds to another's was added")
	}
	if _, err := a.AddOrg(store.Org{Name: "Bad", Kind: store.OrgEmployer, KvK: "12"}); err == nil {
		t.Error("a bad KvK number was added")
	}
	d := e.user("anna", "coach", "Noord-West")
	dossier, ops := d.create("Noord-West", "Bram")
	d.sync(ops...)
	sess, err := s.Session("anna", ChannelSSH, "t")
	if err != nil {
		t.Fatal(err)
	}
	// The SSH app records a move naming its employer, through the session.
	if _, err := sess.RecordMoveEmployer(dossier, []store.Place{store.PlaceWerkervaring}, "2026-11-01", "", "Zorggroep Noord"); err != nil {
		t.Fatal(err)
	}
	if c, err := s.client(dossier); err != nil || len(c.Moves) != 1 || c.Moves[0].Employer.Value != "Zorggroep Noord" {
		t.Errorf("the session's move: %+v, %v", c, err)
	}
	// The employer view over SSH: only the user's own teams, audited.
	if list, err := sess.Placements(nil); err != nil || len(list) != 1 || len(list[0].Now) != 1 || list[0].Now[0].Name != "Bram" {
		t.Errorf("anna's placements: %+v, %v", list, err)
	}
	if _, err := sess.Placements([]string{"Zuid"}); err == nil {
		t.Error("placements of a team that is not the user's")
	}
	if !slices.ContainsFunc(e.auditAll(), func(a AuditEntry) bool { return a.Action == "employer view" && a.User == "anna" }) {
		t.Error("the employer view is not audited")
	}
	e.user("ben", "coach")
	bs, err := s.Session("ben", ChannelSSH, "u")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bs.RecordMoveEmployer(dossier, []store.Place{store.PlaceWerkervaring}, "2026-11-02", "", "X"); err == nil {
		t.Error("a user of no team recorded a move in another team's dossier")
	}
	if list, err := bs.Placements(nil); err == nil || len(list) > 0 {
		t.Errorf("a user of no team got placements: %+v", list)
	}
	if r, err := sess.Register(); err != nil || r.Version != r2.Version {
		t.Errorf("the session's register: %v %v", r.Version, err)
	}
	// Only enrolled devices get it.
	for _, tok := range []string{"", "not-a-token"} {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+protocol.PathRegister, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: status %d", tok, resp.StatusCode)
		}
	}
}
