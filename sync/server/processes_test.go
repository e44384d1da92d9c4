package server

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// twoProcesses opens two servers on one PostgreSQL database, each with its
// own connections and caches, as two `brug serve` processes on one
// database are (sync/synctest's TestTwoProcesses runs real ones). It
// skips where PostgreSQL is missing.
func twoProcesses(t *testing.T) (a, b *env) {
	t.Helper()
	dsn := pgtest.DB(t)
	clock := &fakeClock{t: t0}
	open := func() *env {
		srv, err := Open(dsn, Options{Now: clock.Now})
		if err != nil {
			t.Fatalf("open server on %s: %v", dsn, err)
		}
		e := &env{t: t, srv: srv, http: httptest.NewServer(srv.Handler()), clock: clock, admin: srv.Admin("tester", ChannelCLI), path: dsn}
		t.Cleanup(func() { e.http.Close(); e.srv.Close() })
		return e
	}
	return open(), open()
}

// on returns a device of the same token that talks to process e.
func (d *device) on(e *env) *device {
	c := *d
	c.e = e
	return &c
}

// holds reports whether the device holds a dossier.
func (d *device) holds(dossier string) bool { return len(d.have[dossier]) > 0 }

// TestTwoProcessesCachesSeeEachOthersWrites: what one process changes
// about what devices see (a dossier's team, a share, a membership, an
// erasure, the register) holds at once for devices syncing with the other,
// whose caches had settled those devices' views before. With the check of
// the count of changes turned off (processes.go: syncHooks.begin), the
// devices on B keep their settled views and miss every change.
func TestTwoProcessesCachesSeeEachOthersWrites(t *testing.T) {
	a, b := twoProcesses(t)
	a.teams("Noord", "Zuid")
	writer := a.user("wil", protocol.RoleCoach, "Noord") // on A
	noord := a.user("nora", protocol.RoleCoach, "Noord").on(b)
	zuid := a.user("zeno", protocol.RoleCoach, "Zuid").on(b)
	later := a.user("lies", protocol.RoleCoach, "Zuid").on(b)

	x, ops := writer.create("Noord", "Xander")
	writer.sync(ops...)
	y, ops := writer.create("Noord", "Yara")
	writer.sync(ops...)
	// B settles its devices' views: two syncs each (the second finds the
	// view settled and keeps it so).
	for _, d := range []*device{noord, zuid, later, noord, zuid, later} {
		d.syncAll()
	}
	if !noord.holds(x) || !noord.holds(y) || zuid.holds(x) || later.holds(y) {
		t.Fatalf("before: nora holds %v %v, zeno %v, lies %v", noord.holds(x), noord.holds(y), zuid.holds(x), later.holds(y))
	}

	// A moves X to Zuid: on B, Zuid's devices get it, Noord's drop it.
	writer.sync(writer.op(x, "team", "Zuid"))
	zuid.syncAll()
	later.syncAll()
	noord.syncAll()
	if !zuid.holds(x) || !later.holds(x) || noord.holds(x) {
		t.Errorf("after the move on A: Zuid's devices on B hold X %v, %v, want true; nora (Noord, on B) %v, want false", zuid.holds(x), later.holds(x), noord.holds(x))
	}

	// A shares Y with Zuid: Zuid's device on B gets it.
	_, share := writer.share(y, shareSpec{team: "Zuid", mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "spoken"})
	writer.sync(share...)
	zuid.syncAll()
	if !zuid.holds(y) {
		t.Error("after a share with Zuid on A: zeno (on B) does not hold Y")
	}

	// A moves lies from Zuid to Noord: on B she drops X and gets Y at once.
	if err := a.admin.AddMember("Noord", "lies"); err != nil {
		t.Fatal(err)
	}
	if err := a.admin.RemoveMember("Zuid", "lies"); err != nil {
		t.Fatal(err)
	}
	later.syncAll()
	if later.holds(x) || !later.holds(y) {
		t.Errorf("after lies moved to Noord on A: on B she holds X %v (want false), Y %v (want true)", later.holds(x), later.holds(y))
	}

	// A erases X: the device on B that holds it is told to erase it.
	if _, err := a.admin.Erase(x); err != nil {
		t.Fatal(err)
	}
	zuid.syncAll()
	if zuid.holds(x) || !zuid.erased[x] {
		t.Errorf("after the erasure on A: zeno (on B) holds X %v, told to erase %v", zuid.holds(x), zuid.erased[x])
	}

	// The register B hands out shows an organisation A added.
	var reg store.Register
	if status, _ := b.get(protocol.PathRegister, noord.token, &reg); status != 200 {
		t.Fatalf("register on B: status %d", status)
	}
	if _, err := a.admin.AddOrg(store.Org{Name: "Werkbedrijf", Kind: store.OrgKinds[0]}); err != nil {
		t.Fatal(err)
	}
	reg = store.Register{}
	if status, _ := b.get(protocol.PathRegister, noord.token, &reg); status != 200 {
		t.Fatalf("register on B: status %d", status)
	}
	if !slices.ContainsFunc(reg.Orgs, func(o store.Org) bool { return o.Name == "Werkbedrijf" }) {
		t.Errorf("the register on B lacks the organisation added on A: %+v", reg.Orgs)
	}
	if b.srv.processes.drops.Load() == 0 {
		t.Error("B never dropped its caches for A's writes")
	}
}

// TestTwoProcessesEpochs: a device whose syncs go to either process (a
// load balancer in front of two) is never asked to resend: each
// process's epoch goes on while the other's runs, and each answer records
// how far its epoch's history reaches (storage.Epoch.High). A cursor
// beyond that mark still is asked to resend.
func TestTwoProcessesEpochs(t *testing.T) {
	a, b := twoProcesses(t)
	a.teams("Noord")
	d := a.user("wil", protocol.RoleCoach, "Noord")
	if a.srv.Epoch() == b.srv.Epoch() {
		t.Fatal("the two processes run in one epoch")
	}
	epoch := ""
	for i := range 6 {
		e := a
		if i%2 == 1 {
			e = b
		}
		_, ops := d.create("Noord", "Dossier")
		var resp protocol.SyncResponse
		status, perr := e.post(protocol.PathSync, d.token, protocol.SyncRequest{Push: ops, Cursor: d.cursor, Epoch: epoch}, &resp)
		if status != 200 {
			t.Fatalf("sync %d: status %d: %s", i, status, perr.Message)
		}
		if resp.Resend {
			t.Fatalf("sync %d (to %s, epoch of the other process): asked to resend", i, map[bool]string{true: "A", false: "B"}[e == a])
		}
		d.apply(resp)
		epoch = resp.Epoch
	}
	// A cursor past what the epoch ever handed out: the storage lacks
	// what that device saw.
	var resp protocol.SyncResponse
	if status, perr := a.post(protocol.PathSync, d.token, protocol.SyncRequest{Cursor: d.cursor + 1000, Epoch: b.srv.Epoch()}, &resp); status != 200 {
		t.Fatalf("status %d: %s", status, perr.Message)
	}
	if !resp.Resend {
		t.Error("a cursor past the other epoch's high-water mark was not asked to resend")
	}
}
