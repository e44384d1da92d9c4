package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// restartable is an env whose server can be stopped, its file replaced
// and started again behind the same URL (a restore from backup).
type restartable struct {
	*env
	handler atomic.Pointer[http.Handler]
}

func newRestartable(t *testing.T) *restartable {
	t.Helper()
	r := &restartable{}
	clock := &fakeClock{t: t0}
	path := filepath.Join(t.TempDir(), "server.db")
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		(*r.handler.Load()).ServeHTTP(w, req)
	}))
	r.env = &env{t: t, http: hs, clock: clock, path: path}
	r.open()
	t.Cleanup(func() {
		hs.Close()
		if r.srv != nil {
			if err := checkStore(r.srv); err != nil {
				t.Errorf("server store inconsistent: %v", err)
			}
			r.srv.Close()
		}
	})
	return r
}

func (r *restartable) open() {
	r.t.Helper()
	srv, err := Open(r.path, Options{Now: r.clock.Now, NoSync: true})
	if err != nil {
		r.t.Fatalf("open server: %v", err)
	}
	h := srv.Handler()
	r.handler.Store(&h)
	r.srv, r.admin = srv, srv.Admin("tester", ChannelCLI)
}

// restart stops the server, runs between (copies files around) and starts
// it again on its file.
func (r *restartable) restart(between func()) {
	r.t.Helper()
	r.must(r.srv.Close())
	r.srv = nil
	if between != nil {
		between()
	}
	r.open()
}

// backup writes a copy of the server's file with `brug admin backup`.
func (r *restartable) backup() string {
	r.t.Helper()
	path := filepath.Join(r.t.TempDir(), "backup.db")
	onlyBolt(r.t, "backs up and restores the server's file")
	if _, err := r.admin.Backup(path); err != nil {
		r.t.Fatalf("backup: %v", err)
	}
	return path
}

func copyServerFile(t *testing.T, from, to string) {
	t.Helper()
	onlyBolt(t, "copies the server's file")
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// epochDevice is a device that keeps the epoch of its answers, as the
// client does.
type epochDevice struct {
	*device
	epoch string
}

// sync sends push with the device's cursor and epoch (and erasure
// receipts) and applies the answer unless it asks for a resend.
func (d *epochDevice) sync(erased map[string]string, push ...store.Op) protocol.SyncResponse {
	d.e.t.Helper()
	var resp protocol.SyncResponse
	for {
		status, perr := d.e.post(protocol.PathSync, d.token, protocol.SyncRequest{Push: push, Cursor: d.cursor, Epoch: d.epoch, Erased: erased}, &resp)
		if status != 200 {
			d.e.t.Fatalf("sync of %s: status %d: %s", d.user, status, perr.Message)
		}
		if resp.Resend {
			return resp
		}
		d.apply(resp)
		d.epoch = resp.Epoch
		if !resp.More {
			return resp
		}
		push, erased = nil, nil
	}
}

func (d *epochDevice) holds(dossier, op string) bool {
	_, ok := d.have[dossier][op]
	return ok
}

func (e *env) serverHoldsDossier(dossier string) bool {
	ok := false
	e.must(e.srv.db.View(func(tx Tx) error {
		ok = tx.Exists(dossier)
		return nil
	}))
	return ok
}

func (e *env) serverKnowsOp(dossier, op string) bool {
	known := false
	e.must(e.srv.db.View(func(tx Tx) error {
		known = tx.Known(dossier, op)
		return nil
	}))
	return known
}

// A server put back from a `brug admin backup` copy has lost what devices
// sent after the copy, and each device's cursor points into a history the
// file no longer has: the laptop thought its change was delivered and the
// others never got it. Devices of the copy's epoch are told to resend.
func TestRestoreFromBackupAsksDevicesToResend(t *testing.T) {
	r := newRestartable(t)
	r.teams("Noord")
	a := &epochDevice{device: r.user("anna", protocol.RoleCoach, "Noord")}
	b := &epochDevice{device: r.user("bert", protocol.RoleCoach, "Noord")}
	dossier, ops := a.create("Noord", "Client A")
	a.sync(nil, ops...)
	b.sync(nil)
	if a.epoch == "" || a.epoch != r.srv.Epoch() {
		t.Fatalf("answers carry epoch %q, the server runs in %q", a.epoch, r.srv.Epoch())
	}

	backup := r.backup()
	change := a.op(dossier, "name", "na de back-up")
	a.sync(nil, change)
	if !r.serverKnowsOp(dossier, change.ID) {
		t.Fatal("the change did not reach the server before the restore")
	}
	r.restart(func() { copyServerFile(t, backup, r.path) })
	if r.serverKnowsOp(dossier, change.ID) {
		t.Fatal("the restored file holds the change made after the backup")
	}

	// Both devices synced in the epoch the copy was taken in: both resend.
	for _, d := range []*epochDevice{a, b} {
		resp := d.sync(nil, d.op(dossier, "name", "tijdens de herstart"))
		if !resp.Resend || len(resp.Accepted)+len(resp.Refused)+len(resp.Ops) > 0 || resp.Epoch != r.srv.Epoch() {
			t.Fatalf("%s after the restore: resend %v, accepted %d, refused %d, ops %d, epoch %q (server %q)",
				d.user, resp.Resend, len(resp.Accepted), len(resp.Refused), len(resp.Ops), resp.Epoch, r.srv.Epoch())
		}
	}
	// The laptop resends its own ops from cursor 0 with no epoch, as the
	// client does: the lost change is stored and reaches the other laptop.
	a.cursor, a.epoch = 0, ""
	resp := a.sync(nil, append(slices.Clone(ops), change)...)
	if resp.Resend || len(resp.Accepted) != len(ops)+1 {
		t.Fatalf("resend: resend %v, accepted %d of %d", resp.Resend, len(resp.Accepted), len(ops)+1)
	}
	if !r.serverKnowsOp(dossier, change.ID) {
		t.Fatal("the resent change is not on the server")
	}
	b.cursor, b.epoch = 0, ""
	b.sync(nil)
	if !b.holds(dossier, change.ID) {
		t.Fatal("the other laptop did not get the change after the restore")
	}
	// From then on both are in the new epoch and sync as usual.
	if resp := b.sync(nil); resp.Resend {
		t.Fatal("asked to resend again in the new epoch")
	}
}

// A raw copy of the file while the server is stopped (cp, no brug admin
// backup) is byte for byte what the server had: only the epochs tell. A
// device that synced after the copy is asked to resend; one that did not
// sync since is not (that would cost a full pull for nothing).
func TestRestoreFromRawCopyAsksOnlyDevicesAheadToResend(t *testing.T) {
	r := newRestartable(t)
	r.teams("Noord")
	a := &epochDevice{device: r.user("anna", protocol.RoleCoach, "Noord")}
	b := &epochDevice{device: r.user("bert", protocol.RoleCoach, "Noord")}
	dossier, ops := a.create("Noord", "Client A")
	a.sync(nil, ops...)
	b.sync(nil)

	raw := filepath.Join(t.TempDir(), "raw.db")
	r.restart(func() { copyServerFile(t, r.path, raw) })
	change := a.op(dossier, "name", "na de kopie")
	a.sync(nil, change)
	r.restart(func() { copyServerFile(t, raw, r.path) })

	if resp := a.sync(nil); !resp.Resend {
		t.Fatal("a device that synced after the copy was not asked to resend")
	}
	if resp := b.sync(nil); resp.Resend {
		t.Fatal("a device that did not sync since the copy was asked to resend")
	}
	a.cursor, a.epoch = 0, ""
	a.sync(nil, append(slices.Clone(ops), change)...)
	b.sync(nil)
	if !b.holds(dossier, change.ID) {
		t.Fatal("the other laptop did not get the change after the restore")
	}
}

// A snapshot of the file taken while the server runs (a file system or VM
// snapshot, not brug admin backup) marks nothing; the device's cursor past
// the end of its epoch in the restored file is what tells.
func TestRestoreFromLiveSnapshotAsksDevicesAheadToResend(t *testing.T) {
	onlyBolt(t, "restores a snapshot of the server's file (WriteTo)")
	r := newRestartable(t)
	r.teams("Noord")
	a := &epochDevice{device: r.user("anna", protocol.RoleCoach, "Noord")}
	b := &epochDevice{device: r.user("bert", protocol.RoleCoach, "Noord")}
	dossier, ops := a.create("Noord", "Client A")
	a.sync(nil, ops...)
	b.sync(nil)
	snap := filepath.Join(t.TempDir(), "snap.db")
	f, err := os.Create(snap)
	r.must(err)
	r.must(r.srv.db.View(func(tx Tx) error { _, err := tx.WriteTo(f); return err }))
	r.must(f.Close())
	a.sync(nil, a.op(dossier, "name", "na de momentopname"))
	r.restart(func() { copyServerFile(t, snap, r.path) })
	// New ops after the restore push the file's numbers past the old
	// cursor; the epoch's end in the file still tells.
	c := &epochDevice{device: r.user("carla", protocol.RoleCoach, "Noord")}
	for i := range 5 {
		c.sync(nil, c.op(dossier, "name", strings.Repeat("x", i+1)))
	}
	if resp := a.sync(nil); !resp.Resend {
		t.Fatal("a device that synced after the snapshot was not asked to resend")
	}
	if resp := b.sync(nil); resp.Resend {
		t.Fatal("a device that did not sync since the snapshot was asked to resend")
	}
}

// An erasure made after the backup is undone by the restore: the person's
// dossier is back on the server and goes out to devices again. Devices
// that erased it keep the server's receipt and report it after a resend;
// the server erases it again. A report without a receipt of this server
// erases nothing, so a device cannot erase a dossier on its own say.
func TestErasureAfterBackupIsMadeAgainFromReceipts(t *testing.T) {
	r := newRestartable(t)
	r.teams("Noord")
	a := &epochDevice{device: r.user("anna", protocol.RoleCoach, "Noord")}
	mallory := &epochDevice{device: r.user("mallory", protocol.RoleCoach, "Noord")}
	gone, ops := a.create("Noord", "Wordt gewist")
	kept, ops2 := a.create("Noord", "Blijft")
	a.sync(nil, append(ops, ops2...)...)
	mallory.sync(nil)
	backup := r.backup()

	_, err := r.admin.Erase(gone)
	r.must(err)
	resp := a.sync(nil)
	if !slices.Contains(resp.Erased, gone) || resp.Receipts[gone] == "" {
		t.Fatalf("erasure without a receipt: erased %v, receipts %v", resp.Erased, resp.Receipts)
	}
	receipt := resp.Receipts[gone]
	r.restart(func() { copyServerFile(t, backup, r.path) })
	if !r.serverHoldsDossier(gone) {
		t.Fatal("the restored file does not hold the erased dossier; the test proves nothing")
	}

	// Mallory forges receipts for a dossier of his team and replays the
	// real one for another dossier: nothing is erased.
	mallory.cursor, mallory.epoch = 0, ""
	mallory.sync(map[string]string{kept: strings.Repeat("ab", 32), gone: "not hex"})
	mallory.sync(map[string]string{kept: receipt})
	if erasedIn(r.t, r.srv, kept) || erasedIn(r.t, r.srv, gone) {
		t.Fatal("a report without this server's receipt erased a dossier")
	}
	if _, ok := mallory.have[kept]; !ok {
		t.Fatal("the kept dossier did not reach mallory")
	}

	if resp := a.sync(nil); !resp.Resend {
		t.Fatal("the device was not asked to resend")
	}
	a.cursor, a.epoch = 0, ""
	resp = a.sync(map[string]string{gone: receipt})
	if !erasedIn(r.t, r.srv, gone) || r.serverHoldsDossier(gone) {
		t.Fatal("the erasure was not made again")
	}
	if _, ok := a.have[gone]; ok {
		t.Fatal("the erased dossier went out again in the same sync")
	}
	mallory.sync(nil)
	if _, ok := mallory.have[gone]; ok || !mallory.erased[gone] {
		t.Fatalf("mallory still holds the erased dossier (erased told: %v)", mallory.erased[gone])
	}
	var found bool
	for _, e := range r.auditAll() {
		if e.Action == "erase" && e.Dossier == gone && e.Channel == ChannelSync && e.User == "anna" && e.Device == a.id {
			found = true
		}
		if e.Action == "erase" && e.Dossier == kept {
			t.Errorf("audit records an erasure of the kept dossier: %+v", e)
		}
	}
	if !found {
		t.Error("the erasure made again is not in the audit log as anna's device's")
	}
}

// The backup is written whole or not at all, never over the server's own
// file, and not from an SSH session (it writes a file on the server).
func TestBackupRefusesBadTargets(t *testing.T) {
	onlyBolt(t, "brug admin backup copies the server's file")
	r := newRestartable(t)
	rel := "backup.db"
	for _, path := range []string{rel, r.path, AdminSocketPath(r.path), t.TempDir()} {
		if _, err := r.admin.Backup(path); err == nil {
			t.Errorf("backup to %q was accepted", path)
		}
	}
	if _, err := r.srv.Admin("root", ChannelSSH).Backup(filepath.Join(t.TempDir(), "x.db")); err == nil {
		t.Error("a backup through SSH was accepted")
	}
	// No temp file left behind, and the copy opens as a server file.
	dir := t.TempDir()
	path := filepath.Join(dir, "b.db")
	resp := r.admin.Do(AdminRequest{Cmd: CmdBackup, Path: path})
	if resp.Error != "" || resp.Size == 0 {
		t.Fatalf("backup: %+v", resp)
	}
	entries, err := os.ReadDir(dir)
	r.must(err)
	if len(entries) != 1 {
		t.Errorf("backup folder holds %d files, want the copy alone", len(entries))
	}
	srv, err := Open(path, Options{NoSync: true})
	r.must(err)
	r.must(srv.Close())
	raw, err := json.Marshal(r.auditAll())
	r.must(err)
	if !strings.Contains(string(raw), `"action":"backup"`) {
		t.Error("the backup is not in the audit log")
	}
}
