package server

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// TestPlannedPagesAsWalked: a page of a pull that fills up leaves the
// next page its plan (viewcache.go, pullPlan: the dossiers still to add,
// in order, and what it dropped or told erased), which the next page
// takes instead of walking the device's whole view and the visible set
// again. A new device pulls more dossiers than a page puts in order at
// once (addChunk), in small pages, while one dossier it already holds
// moves to another team, or a day passes that ends the share of a
// dossier it has not yet got (each alone: after either, the next page
// walks the view again, and the pages after it take the plan). Every page is built both ways (the view
// cache on, and off reading everything from the file) and must be the
// same; at the end the device's view in the file must hold exactly the
// dossiers it sees, all as sent. It fails when the plan is taken on
// another day, when the rest is not put in order, or when the dropped
// entries are not forgotten.
func TestPlannedPagesAsWalked(t *testing.T) {
	for _, change := range []string{"move", "day"} {
		t.Run(change, func(t *testing.T) { plannedPages(t, change) })
	}
}

func plannedPages(t *testing.T, change string) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zoe := e.user("zoe", protocol.RoleCoach, "Zuid")
	var ids []string
	for i := range addChunk + 40 {
		id, ops := anna.create("Noord", fmt.Sprint("Client ", i))
		ids = append(ids, id)
		anna.sync(ops...)
	}
	// Created last: its key (UUIDv7) comes after all of anna's, so a
	// pull in key order reaches it last.
	zid, zops := zoe.create("Zuid", "Zora")
	zoe.sync(zops...)
	day := e.clock.Now().In(dutchTime())
	_, sops := zoe.share(zid, shareSpec{team: "Noord", mode: "read", from: day.Format(time.DateOnly),
		until: day.Format(time.DateOnly), consentDate: day.Format(time.DateOnly), how: "spoken"})
	zoe.sync(sops...)

	bram := e.user("bram", protocol.RoleCoach, "Noord")
	const limit = 12 // ops a page: four dossiers of three
	planned, pages := 0, 0
	changed := false
	for more := true; more; pages++ {
		if pages > 500 {
			t.Fatal("the pull does not end")
		}
		held, file, _, plan := pullHeldAndFile(t, e, bram, limit, false)
		samePullPages(t, fmt.Sprintf("page %d from %d (plan %v)", pages, bram.cursor, plan), held, file)
		if plan {
			planned++
		}
		resp, status, perr := bram.try(limit)
		if status != 200 {
			t.Fatalf("page %d: status %d: %s", pages, status, perr.Message)
		}
		more = resp.More
		if !changed && len(bram.have) > 8 {
			changed = true
			switch change {
			case "move":
				// A dossier bram holds moves to Zuid: the next page
				// drops it, and the plan of that page forgets it.
				anna.sync(anna.op(ids[0], "team", "Zuid"))
			case "day":
				// The share ends with the day: no op says so.
				e.clock.Add(24 * time.Hour)
			}
		}
	}
	if !changed {
		t.Fatal("the pull ended before the change")
	}
	if planned < pages/2 {
		t.Errorf("only %d of %d pages took the last page's plan", planned, pages)
	}
	if _, ok := bram.have[zid]; ok && change == "day" {
		t.Error("bram got the dossier whose share ended before the pull reached it")
	}
	want := map[string]viewEntry{}
	got := map[string]viewEntry{}
	e.must(e.srv.db.Update(func(tx Tx) error {
		u, err := getUser(tx, "bram")
		if err != nil {
			return err
		}
		for dk := range e.srv.visible(tx, u, accessDay(e.srv.now())) {
			want[dk] = viewEntry{state: viewIn}
		}
		return tx.DeviceViews(bram.id, func(dk string, v storage.ViewEntry) error {
			got[dk] = viewEntry{state: v.State}
			return nil
		})
	}))
	if !maps.Equal(got, want) {
		t.Errorf("bram's view after the pull: %d entries, want the %d dossiers bram sees, all as sent", len(got), len(want))
	}
	t.Logf("%d pages, %d with the last page's plan", pages, planned)
}
