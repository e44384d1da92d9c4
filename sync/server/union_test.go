package server

import (
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/brug-nl/brug/sync/protocol"
)

// TestUnionOfTeamsAsFromScratch holds the view cache's union of a
// coordinator's teams (viewCache.union) to the sets worked out from the
// file after each change of what the coordinator sees: a new dossier, a
// transfer out of and back into the teams, a share from a third team, a
// day on which that share has ended, and a change of the coordinator's
// teams. It also checks that the union is kept between two pages with no
// change in between (the same map), so that the cache is in use.
func TestUnionOfTeamsAsFromScratch(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid", "West")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	wim := e.user("wim", protocol.RoleCoach, "West")
	e.user("cor", protocol.RoleCoordinator, "Noord", "Zuid")

	// visible gives cor's union with the cache on and the set from the
	// file with it off, in one transaction, and whether the cached
	// answer is the map the call before it gave.
	var last map[string]bool
	check := func(step string, want int) (same bool) {
		t.Helper()
		err := e.srv.db.Update(func(tx Tx) error {
			u, err := getUser(tx, "cor")
			if err != nil {
				return err
			}
			day := accessDay(e.srv.now())
			got := e.srv.visible(tx, u, day)
			e.srv.views.off = true
			fresh := e.srv.visible(tx, u, day)
			e.srv.views.off = false
			if !maps.Equal(got, fresh) {
				t.Errorf("%s: the cached union has %d dossiers, the file %d: %v against %v", step, len(got), len(fresh),
					slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(fresh)))
			}
			if len(fresh) != want {
				t.Errorf("%s: cor sees %d dossiers, want %d", step, len(fresh), want)
			}
			same = last != nil && reflect.ValueOf(got).UnsafePointer() == reflect.ValueOf(last).UnsafePointer()
			last = got
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return same
	}

	id, ops := anna.create("Noord", "Noor")
	anna.sync(ops...)
	check("a dossier of Noord", 1)
	if !check("nothing changed", 1) {
		t.Error("the union was worked out again with nothing changed: the cache is not in use")
	}
	move := anna.op(id, "team", "West", ops[2].ID)
	anna.sync(move)
	check("moved to West", 0)

	wid, wops := wim.create("West", "Wessel")
	wim.sync(wops...)
	_, sops := wim.share(wid, shareSpec{team: "Zuid", mode: "read", from: "2026-11-01", until: "2026-11-03", consentDate: "2026-11-01", how: "spoken"})
	wim.sync(sops...)
	check("shared with Zuid", 1)

	back := wim.op(id, "team", "Noord", move.ID)
	wim.sync(back)
	check("back in Noord", 2)

	e.clock.Add(3 * 24 * time.Hour) // past the share's last day: no op marks it
	check("the share ended", 1)

	a := e.srv.Admin("beheer", ChannelCLI)
	if err := a.RemoveMember("Noord", "cor"); err != nil {
		t.Fatal(err)
	}
	if err := a.AddMember("West", "cor"); err != nil {
		t.Fatal(err)
	}
	check("cor's teams now Zuid and West", 1)
}
