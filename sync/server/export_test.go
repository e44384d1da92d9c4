package server

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestAdminExportIsAuditedAndWhole: a person asks the region for
// everything kept about them; the server holds the full history, so the
// admin's export must give every op, and the read must be in the audit log.
func TestAdminExportIsAuditedAndWhole(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor Export")
	later := a.op(id, "name", "Noor Exporteur", ops[1].ID)
	a.sync(append(ops, later)...)
	other, oops := a.create("Noord", "Kees")
	a.sync(oops...)

	ssh := e.srv.Admin("root", ChannelSSH)
	before := len(e.auditAll())
	x, err := ssh.Export("Exporteur")
	e.must(err)
	if x.Client == nil || x.Client.ID != id || x.Client.Name.Value != "Noor Exporteur" {
		t.Fatalf("exported client %+v, want %s named Noor Exporteur", x.Client, id)
	}
	var got []string
	for _, op := range x.Ops {
		if op.Dossier != id {
			t.Errorf("op %s of dossier %s in the export of %s", op.ID, op.Dossier, id)
		}
		got = append(got, op.ID)
	}
	want := []string{ops[0].ID, ops[1].ID, ops[2].ID, later.ID}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("exported ops %v, want the whole history %v (the replaced name too)", got, want)
	}
	if x.MethodID == "" || x.MethodVersion == 0 || x.Method == nil || !x.At.Equal(e.clock.Now().UTC()) {
		t.Errorf("export names method %q v%d (%v), at %v", x.MethodID, x.MethodVersion, x.Method != nil, x.At)
	}

	log := e.auditAll()
	if len(log) != before+1 {
		t.Fatalf("audit log grew by %d entries, want 1", len(log)-before)
	}
	rec := log[len(log)-1]
	if rec.Action != ActionExport || rec.Dossier != id || rec.User != "root" || rec.Channel != ChannelSSH || rec.Detail != "" || !rec.Time.Equal(x.At) {
		t.Errorf("audit record %+v, want export of %s by root over ssh at %v, without detail", rec, id, x.At)
	}
	if got, err := e.admin.Audit(AuditFilter{Dossier: other}); err != nil || slices.ContainsFunc(got, func(r AuditEntry) bool { return r.Action == ActionExport }) {
		t.Errorf("the other dossier's audit holds an export (%v): %+v", err, got)
	}

	// Through Do, as the admin socket runs it: the answer survives JSON.
	resp := e.admin.Do(AdminRequest{Cmd: CmdExport, Client: id})
	if resp.Error != "" || resp.Export == nil {
		t.Fatalf("Do export: %+v", resp)
	}
	b, err := json.Marshal(resp)
	e.must(err)
	var back AdminResponse
	e.must(json.Unmarshal(b, &back))
	if back.Export == nil || back.Export.Client.Name.Value != "Noor Exporteur" || len(back.Export.Ops) != 4 || back.Export.MethodID != x.MethodID {
		t.Errorf("export after JSON: %+v", back.Export)
	}
}

// TestAdminExportRefusals: an erased dossier has nothing left to export,
// and an unknown or ambiguous name must not export (or audit) anything.
func TestAdminExportRefusals(t *testing.T) {
	onlyBolt(t, "the export reads dossiers through the op-log store")
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor Een")
	_, ops2 := a.create("Noord", "Noor Twee")
	a.sync(append(ops, ops2...)...)
	_, err := e.admin.Export("Noor")
	if !errors.Is(err, store.ErrAmbiguous) {
		t.Errorf("ambiguous name: %v", err)
	}
	if _, err := e.admin.Export("Nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := e.admin.Export(store.NewID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	_, err = e.admin.Erase(id)
	e.must(err)
	before := len(e.auditAll())
	_, err = e.admin.Export(id)
	if !errors.Is(err, store.ErrErased) {
		t.Errorf("erased dossier: %v", err)
	}
	if resp := e.admin.Do(AdminRequest{Cmd: CmdExport, Client: id}); !resp.UserError || resp.Export != nil {
		t.Errorf("Do on an erased dossier: %+v", resp)
	}
	if n := len(e.auditAll()); n != before {
		t.Errorf("refused exports wrote %d audit records", n-before)
	}
}
