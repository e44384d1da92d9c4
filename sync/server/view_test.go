package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// Moving a dossier to another team drops it from the old team's devices
// and brings its whole history to the new team's devices.
func TestTransferMovesDossierBetweenViews(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	a2 := e.user("arie", protocol.RoleCoach, "Noord")
	z := e.user("zara", protocol.RoleCoach, "Zuid")
	id, ops := a.create("Noord", "Noor")
	v2 := a.op(id, "name", "Noor 2", ops[1].ID)
	a.sync(append(ops, v2)...)
	a2.sync()
	z.sync() // zara is a device with a cursor past 0: the history must come whole
	if z.cursor == 0 {
		t.Fatal("zara's cursor did not move")
	}
	if len(z.have) != 0 {
		t.Fatalf("zara sees %d dossiers before the transfer", len(z.have))
	}
	move := a.op(id, "team", "Zuid", ops[2].ID)
	a.sync(move)
	resp := a2.sync()
	if !slices.Equal(resp.Drop, []string{id}) || len(a2.have) != 0 {
		t.Fatalf("old team's device: drop %v, has %d", resp.Drop, len(a2.have))
	}
	z.sync()
	if len(z.have[id]) != 5 {
		t.Fatalf("new team's device has %d ops, want the whole history of 5", len(z.have[id]))
	}
	// anna can no longer write it; zara can.
	resp = a.sync(a.op(id, "birthyear", "1990"))
	if len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseForbidden {
		t.Fatalf("old team write: %+v", resp)
	}
	if resp := z.sync(z.op(id, "birthyear", "1991")); len(resp.Accepted) != 1 {
		t.Fatalf("new team write: %+v", resp)
	}
	// A lost drop answer is repeated until confirmed.
	back := z.op(id, "team", "Noord", move.ID)
	var lost protocol.SyncResponse
	e.post(protocol.PathSync, z.token, protocol.SyncRequest{Push: []store.Op{back}, Cursor: z.cursor}, &lost)
	if !slices.Equal(lost.Drop, []string{id}) {
		t.Fatalf("drop not sent: %+v", lost)
	}
	if resp := z.sync(); !slices.Equal(resp.Drop, []string{id}) {
		t.Fatalf("drop not repeated after a lost answer: %+v", resp)
	}
	if resp := z.sync(); len(resp.Drop) != 0 {
		t.Fatalf("drop repeated after it was confirmed: %+v", resp)
	}
	// Back in anna's team: a2 gets it again, whole.
	a2.sync()
	if len(a2.have[id]) != 7 {
		t.Fatalf("returning dossier: %d ops, want 7", len(a2.have[id]))
	}
}

func TestNewMemberGetsTeamDossiersAndLeaverDropsThem(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	z := e.user("zara", protocol.RoleCoach, "Zuid")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	z.sync()
	e.must(e.admin.AddMember("Noord", "zara"))
	z.sync()
	if len(z.have[id]) != 3 {
		t.Fatalf("new member has %d ops", len(z.have[id]))
	}
	e.must(e.admin.RemoveMember("Noord", "zara"))
	resp := z.sync()
	if !slices.Equal(resp.Drop, []string{id}) {
		t.Fatalf("leaver: %+v", resp)
	}
}

func TestEraseRemovesEverywhereAndRefusesLaterOps(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor Erase")
	keep, kops := a.create("Noord", "Kees")
	a.sync(append(ops, kops...)...)
	b.sync()
	by := "Noor Erase"
	if e.srv.Store() == nil {
		by = id // names are found through the op-log store, which this backend has not yet
	}
	got, err := e.admin.Erase(by)
	e.must(err)
	if got != id {
		t.Fatalf("erase resolved %s, want %s", got, id)
	}
	var left bool
	e.must(e.srv.db.View(func(tx Tx) error { left = tx.Exists(id); return nil }))
	if left {
		t.Fatal("the server still holds ops of the erased dossier")
	}
	resp := b.sync()
	if !slices.Equal(resp.Erased, []string{id}) {
		t.Fatalf("erased list %v", resp.Erased)
	}
	late := a.op(id, "name", "again")
	resp = a.sync(late)
	if refusedCodes(resp)[late.ID] != protocol.RefuseErased {
		t.Fatalf("later op: %+v", resp)
	}
	if !slices.Equal(resp.Erased, []string{id}) {
		t.Fatalf("anna not told: %+v", resp.Erased)
	}
	// A fresh device never hears of it; the other dossier is untouched.
	c := e.user("carla", protocol.RoleCoach, "Noord")
	c.sync()
	if len(c.have) != 1 || len(c.have[keep]) != 3 {
		t.Fatalf("fresh device: %v", c.have)
	}
	// Erasing again is harmless.
	if _, err := e.admin.Erase(id); err != nil {
		t.Fatal(err)
	}
}

func TestAuditRecordsDeliveryChangeAndAdmin(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Zwartjes")
	a.sync(ops...)
	b.sync()
	_, err := e.admin.Erase(id)
	e.must(err)
	has := func(pred func(AuditEntry) bool) bool { return slices.ContainsFunc(e.auditAll(), pred) }
	if !has(func(x AuditEntry) bool {
		return x.Action == ActionChange && x.User == "anna" && x.Dossier == id && x.Channel == ChannelSync && x.Device == a.id
	}) {
		t.Error("no change entry")
	}
	if !has(func(x AuditEntry) bool {
		return x.Action == ActionDeliver && x.User == "bert" && x.Delivered[id] > 0 && x.Device == b.id
	}) {
		t.Error("no delivery entry")
	}
	for _, action := range []string{"team add", "user add", "invite", "erase"} {
		if !has(func(x AuditEntry) bool { return x.Action == action && x.Channel == ChannelCLI && x.User == "tester" }) {
			t.Errorf("no %q entry", action)
		}
	}
	for _, x := range e.auditAll() {
		if strings.Contains(x.Detail, "Zwartjes") {
			t.Errorf("audit holds dossier content: %+v", x)
		}
	}
	byUser, err := e.admin.Audit(AuditFilter{User: "bert"})
	e.must(err)
	for _, x := range byUser {
		if x.User != "bert" {
			t.Fatalf("filter by user: %+v", x)
		}
	}
	since, err := e.admin.Audit(AuditFilter{Since: t0.Add(1)})
	e.must(err)
	if len(since) != 0 {
		t.Fatalf("since filter: %d entries", len(since))
	}
	byClient, err := e.admin.Audit(AuditFilter{Dossier: id})
	e.must(err)
	if len(byClient) < 3 {
		t.Fatalf("by client: %d entries", len(byClient))
	}
	// A sync's delivery record lists every dossier it sent; filtered by
	// one of them, it reads as that dossier's delivery.
	if !slices.ContainsFunc(byClient, func(x AuditEntry) bool {
		return x.Action == ActionDeliver && x.User == "bert" && x.Dossier == id && x.Detail == fmt.Sprintf("%d ops", x.Delivered[id]) && len(x.Delivered) == 1
	}) {
		t.Errorf("by client: no delivery to bert: %+v", byClient)
	}
}

func TestAdminSocketWorksWhileServing(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.ServeAdmin(ctx) }()
	onlyBolt(t, "holds the file's lock (processes share a PostgreSQL region)")
	// The file is held: a second opener is refused with ErrLocked...
	if _, err := Open(e.path, Options{LockTimeout: 1}); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	// ...and the socket answers instead (retry until it listens).
	var resp AdminResponse
	var err error
	for i := 0; ; i++ {
		resp, err = DialAdmin(ctx, e.path, AdminRequest{Cmd: CmdTeamAdd, Name: "Noord", Actor: "root"})
		if err == nil || i > 1000 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("admin socket stopped: %v", err)
		default:
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if resp.Team == nil || resp.Team.Name != "Noord" {
		t.Fatalf("team add: %+v", resp)
	}
	if _, err := DialAdmin(ctx, e.path, AdminRequest{Cmd: CmdUserAdd, Name: "anna", Role: "coach", Teams: []string{"Noord"}, Actor: "root"}); err != nil {
		t.Fatal(err)
	}
	resp, err = DialAdmin(ctx, e.path, AdminRequest{Cmd: CmdInvite, User: "anna", Actor: "root"})
	if err != nil || resp.Code == "" {
		t.Fatalf("invite: %v %+v", err, resp)
	}
	if _, err := DialAdmin(ctx, e.path, AdminRequest{Cmd: CmdUserAdd, Name: "anna", Role: "coach", Actor: "root"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("duplicate user: %v", err)
	}
	resp, err = DialAdmin(ctx, e.path, AdminRequest{Cmd: CmdAudit, User: "root"})
	if err != nil || len(resp.Audit) != 3 || resp.Audit[0].Channel != ChannelCLI {
		t.Fatalf("audit over the socket: %v %+v", err, resp.Audit)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := DialAdmin(context.Background(), e.path, AdminRequest{Cmd: CmdTeamList}); err == nil {
		t.Fatal("socket still answers after shutdown")
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)
	a.sync(a.op(id, "salary", "1"))
	mh := httptest.NewServer(e.srv.MetricsHandler())
	defer mh.Close()
	get := func(p string) string {
		res, err := mh.Client().Get(mh.URL + p)
		e.must(err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		return string(b)
	}
	if got := get(protocol.PathHealth); got != "ok\n" {
		t.Fatalf("healthz: %q", got)
	}
	m := get(protocol.PathMetrics)
	for _, want := range []string{"brug_syncs_total 2", "brug_ops_in_total 3", `brug_refusals_total{code="invalid"} 1`, "brug_sync_duration_seconds_count 2", "brug_ops_out_total 0"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestCreatedThenTransferredBeforeFirstSync: a Noord coach creates a
// dossier offline and hands it to Zuid before syncing. The push is a
// creation in Noord followed by a transfer: accepted, delivered whole to
// Zuid, and not kept by Noord. Judged by the winning team op alone, every
// op was refused and the dossier stayed on one laptop (found by
// TestConvergence, seed 4).
func TestCreatedThenTransferredBeforeFirstSync(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	noord := e.user("piet", "coach", "Noord")
	zuid := e.user("zoe", "coach", "Zuid")
	zid, zops := zuid.create("Zuid", "Al in Zuid")
	zuid.syncAll(zops...) // not a fresh device: a dossier entering its view comes whole
	_ = zid
	id, ops := noord.create("Noord", "Eerst Noord")
	ops = append(ops, noord.op(id, "team", "Zuid", ops[2].ID))
	resp := noord.sync(ops...)
	if len(resp.Refused) != 0 || len(resp.Accepted) != len(ops) {
		t.Fatalf("refused %+v, accepted %d of %d", resp.Refused, len(resp.Accepted), len(ops))
	}
	if !slices.Contains(resp.Drop, id) {
		t.Errorf("Noord is not told to drop the dossier it handed over: drop %v", resp.Drop)
	}
	zuid.syncAll()
	if len(zuid.have[id]) != len(ops) {
		t.Errorf("Zuid holds %d of the dossier's %d ops", len(zuid.have[id]), len(ops))
	}
	// The other way round stays refused: a new dossier whose first team is
	// not the coach's own.
	other, ops2 := noord.create("Zuid", "Niet van mij")
	resp = noord.sync(ops2...)
	if len(resp.Refused) != len(ops2) {
		t.Errorf("creating %s in another team: %d of %d refused", other, len(resp.Refused), len(ops2))
	}
}

// A device's last-seen time is written at most once a minute (docs/sync.md,
// "One sync"), so frequent syncs do not rewrite its record each time.
func TestLastSeenWrittenAtMostOnceAMinute(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	lastSeen := func() time.Time {
		t.Helper()
		ds, err := e.admin.Devices("anna")
		e.must(err)
		if len(ds) != 1 {
			t.Fatalf("devices of anna: %+v", ds)
		}
		return ds[0].LastSeen
	}
	start := e.clock.Now()
	a.sync()
	if got := lastSeen(); !got.Equal(start) {
		t.Fatalf("first sync: last seen %v, want %v", got, start)
	}
	e.clock.Add(59 * time.Second)
	a.sync()
	if got := lastSeen(); !got.Equal(start) {
		t.Fatalf("sync after 59s: last seen %v, want it kept at %v", got, start)
	}
	e.clock.Add(time.Second)
	a.sync()
	if got, want := lastSeen(), start.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("sync after a minute: last seen %v, want %v", got, want)
	}
}

// A new dossier in a team the server does not have is refused as invalid,
// with a reason naming the team, not as an unknown dossier (seen by hand:
// the coach could not tell what was wrong).
func TestNewDossierInUnknownTeamSaysSo(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	noord := e.user("piet", "coach", "Noord")
	_, ops := noord.create("Zuidpool", "Verkeerd Team")
	resp := noord.sync(ops...)
	if len(resp.Refused) != len(ops) {
		t.Fatalf("%d of %d refused", len(resp.Refused), len(ops))
	}
	for _, r := range resp.Refused {
		if r.Code != protocol.RefuseInvalid || !strings.Contains(r.Reason, `"Zuidpool"`) {
			t.Errorf("refusal %+v, want invalid naming the team", r)
		}
	}
	if st := e.stats(); st.Ops != 0 {
		t.Errorf("%d ops stored", st.Ops)
	}
}
