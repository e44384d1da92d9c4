package server

import (
	"bufio"
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// jsonOnly hides a backend's storage.OpsReader (and any other optional
// interface): the pull reads histories as JSON, as before.
type jsonOnly struct{ Tx }

var errRolledBack = errors.New("rolled back on purpose")

// pullTwoWays runs the pull of dev after cursor twice in transactions
// that are rolled back: once reading histories as JSON (jsonOnly) and
// once as the backend gives them; both answers ask for a compact page.
func pullTwoWays(t *testing.T, e *env, dev *device, cursor uint64, limit int, skip map[string]bool) (old, now *answer) {
	t.Helper()
	run := func(wrap func(Tx) Tx) *answer {
		out := &answer{compact: true}
		err := e.srv.db.Update(func(tx Tx) error {
			d, u, err := authenticate(tx, dev.token)
			if err != nil {
				return err
			}
			if err := e.srv.pull(wrap(tx), d, u, cursor, limit, skip, out); err != nil {
				return err
			}
			return errRolledBack
		})
		if !errors.Is(err, errRolledBack) {
			t.Fatalf("pull: %v", err)
		}
		return out
	}
	old = run(func(tx Tx) Tx { return jsonOnly{tx} })
	now = run(func(tx Tx) Tx { return tx })
	return old, now
}

// samePages checks that two answers make the same compact page (byte for
// byte, so the same ops in the same order) and the same JSON answer.
func samePages(t *testing.T, what string, old, now *answer) {
	t.Helper()
	if len(old.hist) != 0 {
		t.Fatalf("%s: the JSON-only pull decoded %d ops itself", what, len(old.hist))
	}
	if now.count() > 0 && len(now.hist) == 0 {
		// boltstore.Tx and pgstore.Tx are storage.OpsReaders.
		t.Fatalf("%s: the pull did not read its histories as ops", what)
	}
	if old.count() != now.count() || old.More != now.More || old.Cursor != now.Cursor {
		t.Fatalf("%s: %d ops (more %v, cursor %d) the old way, %d (more %v, cursor %d) the new", what,
			old.count(), old.More, old.Cursor, now.count(), now.More, now.Cursor)
	}
	oldOps, err := decodeAnswerOps(old, nil)
	if err != nil {
		t.Fatal(err)
	}
	nowOps, err := decodeAnswerOps(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(oldOps, nowOps) {
		t.Fatalf("%s: the ops differ:\n old %+v\n new %+v", what, oldOps, nowOps)
	}
	oldPage, err := protocol.AppendPage(nil, &old.SyncResponse, oldOps)
	if err != nil {
		t.Fatal(err)
	}
	nowPage, err := protocol.AppendPage(nil, &now.SyncResponse, nowOps)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(oldPage, nowPage) {
		t.Fatalf("%s: the compact pages differ", what)
	}
	decoded, err := protocol.DecodePage(nowPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(decoded.Ops) != len(oldOps) {
		t.Fatalf("%s: the page decodes to %d ops, want %d", what, len(decoded.Ops), len(oldOps))
	}
	// Answered as JSON after all (too few ops, or the page failed): the
	// same bytes as the log's JSON.
	var oj, nj bytes.Buffer
	ow, nw := bufio.NewWriter(&oj), bufio.NewWriter(&nj)
	if err := encodeAnswer(ow, old); err != nil {
		t.Fatal(err)
	}
	if err := encodeAnswer(nw, now); err != nil {
		t.Fatal(err)
	}
	ow.Flush()
	nw.Flush()
	if !bytes.Equal(oj.Bytes(), nj.Bytes()) {
		t.Fatalf("%s: the JSON answers differ:\n old %s\n new %s", what, oj.Bytes(), nj.Bytes())
	}
}

// TestCompactHistoriesFromTheLog: a compact page whose histories are read
// from the log as ops (storage.OpsReader) holds exactly the ops, in the
// same order, of one built from their JSON, and its JSON fallback is the
// same bytes: for a fresh device's snapshots (conflicts, replaced ops,
// UUIDs in fields), a device's whole histories of dossiers shared with or
// moved to its team, ops the device just pushed (skipped), an erased
// dossier and pages cut short by a limit.
func TestCompactHistoriesFromTheLog(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zoe := e.user("zoe", protocol.RoleCoach, "Zuid")
	bob := e.user("bob", protocol.RoleCoach, "Noord")
	var push []store.Op
	var noord []string
	for i := range 8 {
		id, ops := anna.create("Noord", "Mila de Groot")
		noord = append(noord, id)
		contact := store.NewID()
		note := anna.op(id, "step/1/note", "eerste versie")
		push = append(push, ops...)
		push = append(push, note, anna.op(id, "step/1/note", "tweede versie", note.ID),
			anna.op(id, "contact/"+contact+"/name", "Roos"), anna.op(id, "contact/"+contact+"/role", ""))
		if i%2 == 0 { // a conflict: two heads of one field
			push = append(push, anna.op(id, "step/2/note", "hier"), anna.op(id, "step/2/note", "daar"))
		}
	}
	anna.syncAll(push...)
	bob.syncAll()
	before := bob.cursor

	// A dossier of Zuid shared with Noord, one moved from Zuid to Noord,
	// one of Noord erased.
	shared, ops := zoe.create("Zuid", "Sem Bakker")
	note := zoe.op(shared, "step/1/note", "begin")
	ops = append(ops, note, zoe.op(shared, "step/1/note", "verder", note.ID))
	_, share := zoe.share(shared, shareSpec{team: "Noord", mode: "readwrite", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"})
	moved, mops := zoe.create("Zuid", "Lot Visser")
	zoe.syncAll(append(append(ops, share...), mops...)...)
	zoe.syncAll(zoe.op(moved, "team", "Noord", mops[2].ID))
	anna.syncAll(anna.op(noord[0], "name", "Mila de Groot-Jansen")) // caught up on as JSON, before the histories
	if _, err := e.admin.Erase(noord[3]); err != nil {
		t.Fatal(err)
	}

	// A fresh device: snapshots.
	fresh := e.enrol("bob")
	for _, limit := range []int{1000, 10, 1} {
		old, now := pullTwoWays(t, e, fresh, 0, limit, nil)
		if limit == 1000 && (old.count() < 40 || old.More) {
			t.Fatalf("fresh device: %d ops, more %v; want the region in one page", old.count(), old.More)
		}
		samePages(t, "fresh device", old, now)
	}
	// Ops a fresh device has just pushed are left out.
	skip := map[string]bool{}
	for _, op := range push[:5] {
		k, err := store.LogKey(&op)
		if err != nil {
			t.Fatal(err)
		}
		skip[string(k[16:])] = true
	}
	old, now := pullTwoWays(t, e, fresh, 0, 1000, skip)
	samePages(t, "fresh device, skipping", old, now)
	whole, _ := pullTwoWays(t, e, fresh, 0, 1000, nil)
	if old.count() >= whole.count() {
		t.Fatalf("skipping: %d ops, %d without", old.count(), whole.count())
	}

	// A device that holds Noord's dossiers: a new op of one of them (read
	// as JSON), then the shared and the moved dossier whole (not as
	// snapshots), and the erasure is told.
	old, now = pullTwoWays(t, e, bob, before, 1000, nil)
	samePages(t, "device in use", old, now)
	got := map[string]int{}
	ops2, err := decodeAnswerOps(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops2 {
		got[op.Dossier]++
	}
	if got[shared] != 5+len(share) || got[moved] != 4 || got[noord[0]] != 1 || len(now.ops) != 1 || len(now.Erased) != 1 || now.Erased[0] != noord[3] {
		t.Fatalf("device in use: ops by dossier %v, erased %v; want the shared and moved dossiers whole and %s erased", got, now.Erased, noord[3])
	}
}
