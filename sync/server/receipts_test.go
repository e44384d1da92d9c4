package server

import (
	"net/http"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestReceiptsRecordedOnceAndOnlyForWhatWasTold: a device that confirms
// an erasure twice (its answer lost, its cursor not moved) is recorded
// and audited once, with the first time; a device that was never told of
// an erasure or a drop cannot confirm one; bad ids are ignored and too
// many are a 400.
func TestReceiptsRecordedOnceAndOnlyForWhatWasTold(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	bert := e.user("bert", protocol.RoleCoach, "Noord")
	zed := e.user("zed", protocol.RoleCoach, "Zuid")
	id, ops := anna.create("Noord", "Wordt Gewist")
	anna.sync(ops...)
	bert.syncAll()
	zed.syncAll()
	_, err := e.admin.Erase(id)
	e.must(err)
	before := bert.cursor
	if resp := bert.sync(); len(resp.Erased) != 1 {
		t.Fatalf("bert was not told to erase: %+v", resp)
	}
	confirm := func(d *device, cursor uint64, erased, dropped []string) int {
		t.Helper()
		var resp protocol.SyncResponse
		status, perr := e.post(protocol.PathSync, d.token, protocol.SyncRequest{Cursor: cursor, ConfirmErased: erased, ConfirmDropped: dropped}, &resp)
		if status != http.StatusOK {
			t.Logf("%d %s", status, perr.Message)
		}
		return status
	}
	// Bert applied it but his cursor never moved: he confirms twice.
	for range 2 {
		if s := confirm(bert, before, []string{id, "not-an-id"}, nil); s != http.StatusOK {
			t.Fatalf("status %d", s)
		}
		e.clock.Add(60e9)
	}
	zedsTry := confirm(zed, zed.cursor, []string{id}, []string{id})
	if zedsTry != http.StatusOK {
		t.Fatalf("zed's confirmation: %d", zedsTry)
	}
	n := map[string]int{}
	for _, en := range e.auditAll() {
		if en.Action == ActionEraseConfirmed || en.Action == ActionDropConfirmed {
			n[en.User+" "+en.Action]++
		}
	}
	if n["bert "+ActionEraseConfirmed] != 1 || len(n) != 1 {
		t.Fatalf("confirmation records: %v, want one of bert's erasure", n)
	}
	es, err := e.admin.Erasures(id)
	e.must(err)
	if len(es) != 1 || len(es[0].Devices) != 2 {
		t.Fatalf("erasure: %+v", es)
	}
	for _, h := range es[0].Devices {
		switch h.User {
		case "bert":
			if !h.Confirmed.Equal(t0) {
				t.Errorf("bert confirmed at %v, want the first time %v", h.Confirmed, t0)
			}
		case "anna":
			if !h.Confirmed.IsZero() {
				t.Errorf("anna confirmed without a word")
			}
		default:
			t.Errorf("%s is listed as holding the dossier", h.User)
		}
	}
	many := make([]string, protocol.MaxConfirmations+1)
	for i := range many {
		many[i] = store.NewID()
	}
	if s := confirm(bert, bert.cursor, many, nil); s != http.StatusBadRequest {
		t.Fatalf("%d confirmations: status %d, want 400", len(many), s)
	}
}
