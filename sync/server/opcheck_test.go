package server

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/boltstore"
)

// TestOpDeviceMustBeTheTokensDevice: a device could push ops carrying any
// device id, such as a colleague's laptop's, winning merge ties and making
// its edits look made elsewhere; an op's device must be the token's own.
func TestOpDeviceMustBeTheTokensDevice(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...) // binds this token to the device id its ops carry
	other := a.op(id, "name", "Noor B")
	other.Device = "laptop-of-bert"
	mine := a.op(id, "birthyear", "1990")
	before := e.stats()
	resp := a.sync(other, mine)
	if len(resp.Refused) != 1 || resp.Refused[0].ID != other.ID || resp.Refused[0].Code != protocol.RefuseDevice {
		t.Fatalf("want the foreign device's op refused with %q: %+v", protocol.RefuseDevice, resp.Refused)
	}
	if len(resp.Accepted) != 1 || resp.Accepted[0] != mine.ID {
		t.Fatalf("the device's own op: %+v", resp.Accepted)
	}
	if st := e.stats(); st.Ops != before.Ops+1 {
		t.Fatalf("stored %d ops, want 1", st.Ops-before.Ops)
	}
	// A team op under another device id does not create a dossier for the
	// ops that come with it.
	_, newOps := a.create("Noord", "Nieuw")
	newOps[2].Device = "laptop-of-bert"
	resp = a.sync(newOps...)
	codes := map[string]string{}
	for _, r := range resp.Refused {
		codes[r.ID] = r.Code
	}
	if len(resp.Accepted) != 0 || codes[newOps[2].ID] != protocol.RefuseDevice || codes[newOps[0].ID] != protocol.RefuseUnknown {
		t.Fatalf("a dossier created by a foreign device's team op: %+v", resp)
	}
	// A second laptop of the same user has its own device id.
	a2 := e.enrol("anna")
	a2.name = "dev-anna-2"
	if resp := a2.sync(a2.op(id, "birthyear", "1991")); len(resp.Accepted) != 1 {
		t.Fatalf("second device: %+v", resp.Refused)
	}
	// ... and cannot push the first one's ops either.
	forged := a2.op(id, "birthyear", "1992")
	forged.Device = a.name
	if resp := a2.sync(forged); len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseDevice {
		t.Fatalf("the second device pushed the first one's op: %+v", resp)
	}
}

// TestOpIDInTwoDossiersRefused: the log is keyed dossier + op id, so the
// same op id pushed for a second dossier was stored twice, and a device
// that keys its own ops by id alone loses one of them.
func TestOpIDInTwoDossiersRefused(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	d1, ops1 := a.create("Noord", "Noor")
	d2, ops2 := a.create("Noord", "Ruud")
	a.sync(append(ops1, ops2...)...)
	first := a.op(d1, "birthyear", "1990")
	a.sync(first)
	again := a.op(d2, "birthyear", "1980")
	again.ID = first.ID
	before := e.stats()
	resp := a.sync(again)
	if len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseInvalid || len(resp.Accepted) != 0 {
		t.Fatalf("the id of an op of another dossier was not refused: %+v", resp)
	}
	if e.stats() != before {
		t.Fatal("stored something")
	}
	// Within one push too: the first is stored, the second refused.
	x, y := a.op(d1, "birthyear", "1970"), a.op(d2, "birthyear", "1971")
	y.ID = x.ID
	if resp := a.sync(x, y); len(resp.Accepted) != 1 || resp.Accepted[0] != x.ID || len(resp.Refused) != 1 {
		t.Fatalf("same id twice in one push: %+v", resp)
	}
	// A retry of the op where it belongs is still acknowledged.
	if resp := a.sync(first); len(resp.Accepted) != 1 {
		t.Fatalf("retry: %+v", resp)
	}
}

// TestOpIndexFilledForOldFiles: a server file written before the op id
// index gets it filled when it is opened, so ids stored before the upgrade
// are refused in another dossier too.
func TestOpIndexFilledForOldFiles(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	d1, ops1 := a.create("Noord", "Noor")
	d2, ops2 := a.create("Noord", "Ruud")
	a.sync(append(ops1, ops2...)...)
	// Make it a file of the version before the index.
	e.must(e.srv.db.Update(func(tx Tx) error { rawBucket(t, tx, bOpDossier); return tx.(*boltstore.Tx).DropRawBucket(bOpDossier) }))
	raw, err := os.ReadFile(e.path)
	e.must(err)
	old := filepath.Join(t.TempDir(), "old.db")
	e.must(os.WriteFile(old, raw, 0o600))
	srv, err := Open(old, Options{Now: e.clock.Now, NoSync: true})
	e.must(err)
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	e2 := &env{t: t, srv: srv, http: hs, clock: e.clock, admin: srv.Admin("tester", ChannelCLI), path: old}
	a.e = e2
	again := a.op(d2, "birthyear", "1980")
	again.ID = ops1[1].ID
	resp := a.sync(again)
	if len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseInvalid {
		t.Fatalf("an id stored before the upgrade was taken for another dossier: %+v", resp)
	}
	if resp := a.sync(a.op(d1, "birthyear", "1990")); len(resp.Accepted) != 1 {
		t.Fatalf("a new op after the upgrade: %+v", resp)
	}
	e.must(checkStore(srv))
}
