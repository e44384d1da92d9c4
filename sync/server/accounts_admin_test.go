package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// auditHas reports whether the audit log holds an entry of action whose
// detail contains detail.
func (e *env) auditHas(action, detail string) bool {
	return slices.ContainsFunc(e.auditAll(), func(a AuditEntry) bool {
		return a.Action == action && strings.Contains(a.Detail, detail)
	})
}

func TestEnableUserAfterDisable(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	e.must(e.admin.DisableUser("anna"))
	if _, status, _ := a.try(0); status != http.StatusUnauthorized {
		t.Fatalf("disabled: %d", status)
	}
	e.must(e.admin.EnableUser("anna"))
	a.sync()
	if _, _, err := e.admin.Invite("anna"); err != nil {
		t.Fatalf("invite after enable: %v", err)
	}
	if !e.auditHas("user enable", "anna") {
		t.Error("no audit record of the enable")
	}
	if err := e.admin.EnableUser("nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("enable unknown user: %v", err)
	}
}

func TestSetRoleKeepsLastAdmin(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	_, err := e.admin.AddUser("root", protocol.RoleAdmin, nil)
	e.must(err)
	if err := e.admin.SetRole("root", protocol.RoleCoach); !errors.Is(err, ErrInvalid) {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if err := e.admin.SetRole("root", "boss"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad role: %v", err)
	}
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	// An admin sees no dossier; made coach, anna's second device does.
	e.must(e.admin.SetRole("anna", protocol.RoleAdmin))
	b := e.enrol("anna")
	b.syncAll()
	if len(b.have[id]) != 0 {
		t.Fatal("an admin received a dossier")
	}
	e.must(e.admin.SetRole("root", protocol.RoleCoach)) // anna is admin now
	if err := e.admin.SetRole("anna", protocol.RoleCoach); !errors.Is(err, ErrInvalid) {
		t.Fatalf("demoting the last admin anna: %v", err)
	}
	e.must(e.admin.SetRole("root", protocol.RoleAdmin))
	e.must(e.admin.SetRole("anna", protocol.RoleCoach))
	b.syncAll()
	if len(b.have[id]) == 0 {
		t.Error("anna, coach again, does not receive her team's dossier")
	}
	if !e.auditHas("user role", "anna role admin -> coach") {
		t.Error("no audit record of the role change")
	}
}

func TestRemoveUser(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	_, err := e.admin.AddUser("root", protocol.RoleAdmin, nil)
	e.must(err)
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	keys, err := e.admin.AddKeys("anna", []byte(testKey(t, "anna")))
	e.must(err)
	code, _, err := e.admin.Invite("anna")
	e.must(err)

	e.must(e.admin.RemoveUser("anna"))
	// Her device is told it was revoked.
	if _, status, perr := a.try(0); status != http.StatusUnauthorized || perr.Code != protocol.ErrorRevoked {
		t.Fatalf("removed user's device: %d %+v", status, perr)
	}
	// Her key and membership are gone, her ops stay under her name.
	if ks, _ := e.admin.Keys(""); slices.ContainsFunc(ks, func(k Key) bool { return k.Fingerprint == keys[0].Fingerprint }) {
		t.Error("her SSH key is still registered")
	}
	if ts, _ := e.admin.Teams(); len(ts[0].Members) != 0 {
		t.Errorf("members left: %v", ts[0].Members)
	}
	got, err := opStoreOf(e.t, e.srv).Ops(id)
	e.must(err)
	if len(got) != 3 || got[0].Author != "anna" {
		t.Errorf("her ops: %d, author %q", len(got), got[0].Author)
	}
	// A later user of the same name does not inherit her code.
	_, err = e.admin.AddUser("anna", protocol.RoleCoach, nil)
	e.must(err)
	if status, _ := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: "x"}, nil); status != http.StatusUnauthorized {
		t.Errorf("the removed user's code enrolled: %d", status)
	}
	if !e.auditHas("user remove", "user anna role coach teams Noord; 1 devices revoked, 1 keys removed") {
		t.Errorf("no audit record of the removal: %+v", e.auditAll())
	}
	// The last admin stays.
	if err := e.admin.RemoveUser("root"); !errors.Is(err, ErrInvalid) {
		t.Errorf("removing the last admin: %v", err)
	}
	if err := e.admin.RemoveUser("nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing nobody: %v", err)
	}
}

func TestRenameUserRefusedWhileDevicesActive(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	_, err := e.admin.AddKeys("anna", []byte(testKey(t, "anna")))
	e.must(err)
	// A device enrolled as anna may hold unsent ops authored "anna".
	if err := e.admin.RenameUser("anna", "anna.devries"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "revoke") {
		t.Fatalf("rename with an active device: %v", err)
	}
	e.must(e.admin.RevokeDevice(a.id))
	if err := e.admin.RenameUser("anna", "bad name"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("rename to a bad name: %v", err)
	}
	e.must(e.admin.RenameUser("anna", "anna.devries"))
	us, err := e.admin.Users()
	e.must(err)
	if len(us) != 1 || us[0].Name != "anna.devries" || us[0].Role != protocol.RoleCoach || !slices.Equal(us[0].Teams, []string{"Noord"}) {
		t.Fatalf("users after rename: %+v", us)
	}
	if ks, _ := e.admin.Keys("anna.devries"); len(ks) != 1 {
		t.Errorf("the key did not follow: %+v", ks)
	}
	// The new name's device writes as the new name, not as the old.
	b := e.enrol("anna.devries")
	b.syncAll()
	if len(b.have[id]) != 3 {
		t.Fatalf("the renamed user's new device has %d ops of her dossier", len(b.have[id]))
	}
	old := b.op(id, "birthyear", "1990")
	old.Author = "anna"
	resp := b.sync(old, b.op(id, "benefit", "ww"))
	if len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseAuthor || len(resp.Accepted) != 1 {
		t.Errorf("push as the old and the new name: accepted %v refused %+v", resp.Accepted, resp.Refused)
	}
	if !e.auditHas("user rename", "anna -> anna.devries") {
		t.Error("no audit record of the rename")
	}
}

func TestRemoveTeamOnlyWhenEmpty(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid", "Leeg")
	a := e.user("anna", protocol.RoleCoach, "Noord", "Zuid")
	_, ops := a.create("Zuid", "Noor")
	a.sync(ops...)
	if err := e.admin.RemoveTeam("Noord"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "member") {
		t.Errorf("team with a member: %v", err)
	}
	e.must(e.admin.RemoveMember("Zuid", "anna"))
	if err := e.admin.RemoveTeam("Zuid"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "dossier") {
		t.Errorf("team with a dossier: %v", err)
	}
	e.must(e.admin.RemoveTeam("Leeg"))
	if err := e.admin.RemoveTeam("Leeg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing it twice: %v", err)
	}
	ts, err := e.admin.Teams()
	e.must(err)
	if len(ts) != 2 {
		t.Errorf("teams left: %+v", ts)
	}
	if !e.auditHas("team remove", "team Leeg") {
		t.Error("no audit record")
	}
}

func TestRenameTeamKeepsDossiersOnDevices(t *testing.T) {
	e := newEnv(t)
	e.teams("Team Noord", "Zuid")
	a := e.user("anna", protocol.RoleCoach, "Team Noord")
	b := e.user("bert", protocol.RoleCoach, "Team Noord")
	z := e.user("zora", protocol.RoleCoach, "Zuid")
	id1, ops1 := a.create("Team Noord", "Noor")
	id2, ops2 := a.create("Team Noord", "Piet")
	idz, opsz := z.create("Zuid", "Zeger")
	a.syncAll(append(ops1, ops2...)...)
	z.syncAll(opsz...)
	b.syncAll()

	moved, err := e.admin.RenameTeam("Team Noord", "Team Noord-West")
	e.must(err)
	if moved != 2 {
		t.Errorf("moved %d dossiers, want 2", moved)
	}
	ts, err := e.admin.Teams()
	e.must(err)
	names := []string{}
	for _, t := range ts {
		names = append(names, t.Name)
	}
	if !slices.Equal(names, []string{"Team Noord-West", "Zuid"}) || !slices.Equal(ts[0].Members, []string{"anna", "bert"}) {
		t.Fatalf("teams after rename: %+v", ts)
	}
	// bert's device keeps both dossiers and receives the team change.
	resp := b.sync()
	if len(resp.Drop) != 0 {
		t.Errorf("bert's device drops %v", resp.Drop)
	}
	for _, id := range []string{id1, id2} {
		team := ""
		var hlc store.HLC
		for _, op := range b.have[id] {
			if op.Field == "team" && op.HLC > hlc {
				team, hlc = op.Value, op.HLC
			}
		}
		if team != "Team Noord-West" {
			t.Errorf("dossier %s on bert's device is in team %q", id, team)
		}
	}
	// Another team's dossier is untouched; anna goes on writing.
	if ops, _ := opStoreOf(e.t, e.srv).Ops(idz); len(ops) != 3 {
		t.Errorf("Zuid's dossier has %d ops", len(ops))
	}
	if resp := a.sync(a.op(id1, "birthyear", "1990")); len(resp.Accepted) != 1 {
		t.Errorf("anna's change after the rename: %+v", resp.Refused)
	}
	// A dossier still naming the old team is refused with a reason.
	_, late := a.create("Team Noord", "Late")
	if resp := a.sync(late...); len(resp.Refused) == 0 {
		t.Error("a new dossier in the old team was accepted")
	}
	if !e.auditHas("team rename", "Team Noord -> Team Noord-West; 2 dossiers moved") {
		t.Error("no audit record of the rename")
	}
	if _, err := e.admin.RenameTeam("Team Noord-West", "Zuid"); !errors.Is(err, ErrExists) {
		t.Errorf("rename onto an existing team: %v", err)
	}
	if _, err := e.admin.RenameTeam("Nergens", "X"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rename of no team: %v", err)
	}
}

func TestCandidatesAndRevokeByReplica(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id1, ops1 := a.create("Noord", "Jan de Vries")
	id2, ops2 := a.create("Noord", "Jan Jansen")
	a.sync(append(append(ops1, ops2...), a.op(id1, "birthyear", "1980"))...)
	cs, err := e.admin.Candidates("jan")
	e.must(err)
	if len(cs) != 2 {
		t.Fatalf("candidates of jan: %+v", cs)
	}
	cs, err = e.admin.Candidates("jan de vries")
	e.must(err)
	if len(cs) != 1 || cs[0] != (DossierInfo{ID: id1, Name: "Jan de Vries", Team: "Noord", BirthYear: "1980"}) {
		t.Errorf("exact candidate: %+v", cs)
	}
	if cs, err := e.admin.Candidates(id2); err != nil || len(cs) != 1 || cs[0].Name != "Jan Jansen" {
		t.Errorf("candidate by id: %+v %v", cs, err)
	}
	if _, err := e.admin.Candidates("Nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no candidate: %v", err)
	}

	ds, err := e.admin.Devices("anna")
	e.must(err)
	if len(ds) != 1 || ds[0].Replica != a.name {
		t.Fatalf("device list: %+v, want replica %s", ds, a.name)
	}
	e.must(e.admin.RevokeDevice(a.name))
	if _, status, perr := a.try(0); status != http.StatusUnauthorized || perr.Code != protocol.ErrorRevoked {
		t.Errorf("revoked by replica id: %d %+v", status, perr)
	}
	if err := e.admin.RevokeDevice("no-such-device"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown device: %v", err)
	}
}

// testKey is a fresh public key in authorized_keys form.
func testKey(t *testing.T, comment string) string {
	_, line := newPub(t, comment)
	return line
}
