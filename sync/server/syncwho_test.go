package server

import (
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestSyncRecordsSayWho: every audit record a sync writes (a change per
// dossier pushed, the delivery, a drop) names the user's role and
// organisations as they are at that sync, though the sync works them out
// once (syncWho): after a role change or a membership change, the next
// sync's records say the new ones, and one user's records never say
// another's. (It fails when the worked-out value outlives its sync, e.g.
// kept on the server.)
func TestSyncRecordsSayWho(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	for team, org := range map[string]string{"Noord": "Zorggroep Noord", "Zuid": "Zorggroep Zuid"} {
		if _, err := e.admin.AddOrg(store.Org{Name: org, Kind: store.OrgCare}); err != nil {
			t.Fatal(err)
		}
		e.must(e.admin.SetTeamOrg(team, org))
	}
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	carla := e.user("carla", protocol.RoleCoach, "Noord", "Zuid")
	bob := e.user("bob", protocol.RoleWijkteam, "Zuid")
	noord, ops := anna.create("Noord", "Mila de Groot")
	anna.sync(ops...)
	zuid, ops := bob.create("Zuid", "Roos Jansen")
	bob.sync(ops...)

	type who struct{ role, org string }
	check := func(step string, want map[string]who, from int) int {
		t.Helper()
		all := e.auditAll()
		n := 0
		for _, r := range all[from:] {
			if r.Channel != ChannelSync || (r.Action != ActionChange && r.Action != ActionDeliver && r.Action != ActionDrop) {
				continue
			}
			w, ok := want[r.User]
			if !ok {
				t.Fatalf("%s: a record of %s", step, r.User)
			}
			if r.Role != w.role || r.Org != w.org {
				t.Fatalf("%s: %s record of %s says %q, %q; want %q, %q", step, r.Action, r.User, r.Role, r.Org, w.role, w.org)
			}
			n++
		}
		if n == 0 {
			t.Fatalf("%s: no sync records", step)
		}
		return len(all)
	}
	both := "Zorggroep Noord; Zorggroep Zuid"
	at := check("set-up", map[string]who{"anna": {"coach", "Zorggroep Noord"}, "bob": {"wijkteam", "Zorggroep Zuid"}}, 0)

	// carla pushes to both dossiers and takes them: two change records
	// and a delivery.
	carla.sync(carla.op(noord, "step/1/note", "a"), carla.op(zuid, "step/1/note", "b"))
	anna.sync(anna.op(noord, "step/1/note", "c"))
	at = check("first", map[string]who{"carla": {"coach", both}, "anna": {"coach", "Zorggroep Noord"}}, at)

	// A new role, then out of Noord: the next syncs say so.
	e.must(e.admin.SetRole("carla", protocol.RoleCoordinator))
	carla.sync(carla.op(zuid, "step/2/note", "d"))
	bob.sync(bob.op(zuid, "step/3/note", "e"))
	at = check("role", map[string]who{"carla": {"coordinator", both}, "bob": {"wijkteam", "Zorggroep Zuid"}}, at)
	e.must(e.admin.RemoveMember("Noord", "carla"))
	carla.sync(carla.op(zuid, "step/4/note", "f"))
	check("membership", map[string]who{"carla": {"coordinator", "Zorggroep Zuid"}}, at)
	if _, ok := carla.have[noord]; ok {
		t.Fatal("carla still holds Noord's dossier: no drop")
	}
	if !e.auditHas(ActionDrop, "") {
		t.Fatal("no drop record")
	}
}
