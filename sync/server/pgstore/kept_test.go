package pgstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// What an Update keeps of the count of changes and the audit chain's head
// (txconn.go): read with its BEGIN, kept across its own statements that
// cannot move them. These tests hold the kept answers against the
// database's after every kind of write a transaction may make, one or two
// in a transaction.

// keptWrites are the writes of the storage interfaces, each with the
// first of its kind in the transaction where it matters.
func keptWrites(t *testing.T, dk string, now time.Time) []struct {
	name string
	fn   func(tx *Tx) error
} {
	dossier := idText([]byte(dk))
	return []struct {
		name string
		fn   func(tx *Tx) error
	}{
		{"nothing", func(*Tx) error { return nil }},
		{"team of a dossier", func(tx *Tx) error { return tx.SetDossierTeam(dk, "Noord") }},
		{"team of a dossier dropped", func(tx *Tx) error { return tx.SetDossierTeam(dk, "") }},
		{"shares", func(tx *Tx) error { return tx.SetSharedTeams(dk, []string{"Zuid"}) }},
		{"user", func(tx *Tx) error { return tx.PutUser(storage.User{Name: "anna", Role: "coach"}) }},
		{"user deleted", func(tx *Tx) error { return tx.DeleteUser("bram") }},
		{"team", func(tx *Tx) error { return tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: "Noord"}}) }},
		{"team deleted", func(tx *Tx) error { return tx.DeleteTeam("Oost") }},
		{"membership", func(tx *Tx) error { return tx.AddMember("Noord", "anna") }},
		{"membership ended", func(tx *Tx) error { return tx.RemoveMember("Noord", "anna") }},
		{"organisation", func(tx *Tx) error {
			return tx.PutOrg(storage.Org{Org: store.Org{Name: "Werkbedrijf", Kind: store.OrgKinds[0]}})
		}},
		{"view", func(tx *Tx) error { return tx.PutView("dev", dk, storage.ViewEntry{State: 'i', Seq: 1}) }},
		{"views", func(tx *Tx) error { return tx.PutViews("dev", []string{dk}, storage.ViewEntry{State: 'i', Seq: 2}) }},
		{"view dropped", func(tx *Tx) error { return tx.DeleteView("dev", dk) }},
		{"erasure record", func(tx *Tx) error { return tx.PutErasure(dk, storage.ErasureRecord{}) }},
		{"numbers dropped", func(tx *Tx) error { return tx.DropDossierOps(dk) }},
		{"device", func(tx *Tx) error { return tx.PutDevice(storage.Device{ID: "dev", User: "anna", LastSeen: now}) }},
		{"token", func(tx *Tx) error { return tx.PutToken(make([]byte, 32), "dev") }},
		{"audit", func(tx *Tx) error {
			return tx.AppendAudit(storage.AuditEntry{Time: now, Action: "test", Dossier: dossier})
		}},
		{"audit of a read", func(tx *Tx) error {
			return tx.AppendAudit(storage.AuditEntry{Time: now, Action: "read", Read: store.NewID()})
		}},
		{"an op and its number", func(tx *Tx) error {
			op := testOp(dossier, "name", "x")
			if _, err := tx.ApplyJSON(op, nil); err != nil {
				return err
			}
			_, err := tx.NumberOp(op.ID, op.Dossier)
			return err
		}},
		{"a fresh number", func(tx *Tx) error { _, err := tx.NextSeq(); return err }},
		{"refusal", func(tx *Tx) error { return tx.PutRefusal(dk, string(mk(store.NewID())), now, "test") }},
		{"setting", func(tx *Tx) error { return tx.SetSetting("test", []byte("x")) }},
		{"audit entry imported", func(tx *Tx) error {
			// As a copy of a region writes the chain (export.go): the
			// entry after the head, and the head moved to it by a
			// statement of its own.
			h, ok, err := tx.AuditHead()
			if err != nil || !ok {
				return err
			}
			e := storage.AuditEntry{Seq: h.Seq + 1, Time: now, Action: "imported"}
			if _, err := storage.ChainAudit(nil, h.Hash, &e); err != nil {
				return err
			}
			return tx.ImportAudit(e)
		}},
		{"epoch's mark", func(tx *Tx) error { _, err := tx.RaiseEpoch("e1", tx.LastSeq()+1); return err }},
		{"draft", func(tx *Tx) error { return tx.PutDraft(dossier, 1, "anna", "tekst") }},
		{"receipt", func(tx *Tx) error { return tx.PutReceipt(dk, "dev", storage.Receipt{}) }},
	}
}

// freshKept reads the count of changes and the audit chain's head from
// the database itself (after the transaction's queued writes).
func freshKept(t *testing.T, tx *Tx) (uint64, []byte) {
	t.Helper()
	var n int64
	var head []byte
	if err := tx.tx.QueryRow(tx.ctx, "SELECT (SELECT n FROM changes), (SELECT value FROM settings WHERE name = $1)", kAuditHead).Scan(&n, &head); err != nil {
		t.Fatal(err)
	}
	return uint64(n), head
}

// keptHead is the audit chain's head as the transaction answers it
// (nil: none).
func keptHead(t *testing.T, tx *Tx) []byte {
	t.Helper()
	h, ok, err := tx.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return nil
	}
	return append(binaryHead(h.Seq), mustHex(t, h.Hash)...)
}

// The count of changes an Update keeps (read with its BEGIN, kept across
// its statements that name no table whose triggers raise it) and the
// audit chain's head (kept across its own audit entries, which go with
// the next statement) answer as the database does after each kind of
// write, alone and after each other kind in the same transaction. Each
// step checks that its first write moved what it should (the count once,
// for the tables a server caches from), so that a list of trigger tables
// in txconn.go that missed one fails here.
func TestKeptCountAndAuditHeadAnswerAsTheDatabase(t *testing.T) {
	dsn := pgtest.DB(t)
	s := openStorageT(t, dsn, "", store.Options{})
	dk := string(mk(store.NewID()))
	now := time.Now().UTC().Truncate(time.Second)
	mustUpdate(t, s, func(tx storage.Tx) error {
		return tx.AppendEpoch(storage.Epoch{ID: "e1", Start: 0, Started: now})
	})
	writes := keptWrites(t, dk, now)
	check := func(tx *Tx, what string) {
		t.Helper()
		n, _ := tx.Changes()
		head := keptHead(t, tx)
		wantN, wantHead := freshKept(t, tx)
		if n != wantN || string(head) != string(wantHead) {
			t.Errorf("after %s: the transaction answers count %d, head %x; the database %d, %x", what, n, head, wantN, wantHead)
		}
	}
	for _, first := range writes {
		for _, second := range writes {
			var before, after uint64
			mustUpdate(t, s, func(stx storage.Tx) error {
				tx := stx.(*Tx)
				if !tx.tx.changesOK || !tx.tx.auditOK {
					t.Fatal("an Update began without the count and the audit head")
				}
				before, _ = tx.Changes()
				if err := first.fn(tx); err != nil {
					return fmt.Errorf("%s: %w", first.name, err)
				}
				if second.name == "nothing" {
					check(tx, first.name)
					after, _ = tx.Changes()
					return nil
				}
				if err := second.fn(tx); err != nil {
					return fmt.Errorf("%s: %w", second.name, err)
				}
				check(tx, first.name+", then "+second.name)
				return nil
			})
			if second.name != "nothing" {
				continue
			}
			raises := first.name != "nothing" && slices.Contains([]string{
				"team of a dossier", "team of a dossier dropped", "shares", "user", "user deleted", "team",
				"team deleted", "membership", "membership ended", "organisation", "view", "views",
				"view dropped", "erasure record", "numbers dropped",
			}, first.name)
			if raises && after != before+1 {
				t.Errorf("%s moved the count from %d to %d, want %d: the step tests nothing", first.name, before, after, before+1)
			}
			if !raises && after != before {
				t.Errorf("%s moved the count from %d to %d; no cache holds what it writes", first.name, before, after)
			}
		}
	}
	// Another process's entries: the next Update reads the head they
	// left, and its own entries follow it in the chain.
	other := openStorageT(t, dsn, "", store.Options{})
	for i := range 3 {
		for _, st := range []*Storage{s, other, other, s} {
			mustUpdate(t, st, func(stx storage.Tx) error {
				tx := stx.(*Tx)
				for range i + 1 {
					if err := tx.AppendAudit(storage.AuditEntry{Time: now, Action: "test"}); err != nil {
						return err
					}
				}
				check(tx, "entries after another process's")
				return nil
			})
		}
	}
	verifyAudit(t, s)
}

// binaryHead is the first 8 bytes of the audit head setting.
func binaryHead(seq uint64) []byte {
	return []byte{byte(seq >> 56), byte(seq >> 48), byte(seq >> 40), byte(seq >> 32), byte(seq >> 24), byte(seq >> 16), byte(seq >> 8), byte(seq)}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// verifyAudit checks the audit chain of s from its start, and that the
// audit's sequence is past every entry (for a writer numbering by it).
func verifyAudit(t *testing.T, s *Storage) {
	t.Helper()
	if err := s.View(func(tx storage.Tx) error {
		res, err := storage.VerifyAudit(tx)
		if err != nil {
			return err
		}
		if !res.OK() {
			return fmt.Errorf("the audit chain does not verify: %+v", res)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var max, next int64
	ctx := context.Background()
	if err := s.db.Data.QueryRow(ctx, "SELECT coalesce(max(seq), 0), nextval(pg_get_serial_sequence('audit', 'seq')) FROM audit").Scan(&max, &next); err != nil {
		t.Fatal(err)
	}
	if next <= max {
		t.Errorf("the audit's sequence gives %d, at or below the last entry %d", next, max)
	}
}

// A View's COMMIT is sent after it returned (txconn.go): its connection
// goes back to the pool idle, never in a transaction, and many Views in a
// row neither exhaust the pool nor see an older snapshot than the last
// committed write.
func TestViewsCommitAfterReturning(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	size := int(s.db.Data.Config().MaxConns)
	for i := range 10 * size {
		mustUpdate(t, s, func(tx storage.Tx) error { return tx.SetSetting("n", []byte{byte(i)}) })
		if err := s.View(func(tx storage.Tx) error {
			v, err := tx.Setting("n")
			if err != nil || len(v) != 1 || v[0] != byte(i) {
				return fmt.Errorf("view %d reads %v, %v", i, v, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Every connection, once the pool gives it (after its COMMIT), is
	// idle: not in a transaction.
	ctx := context.Background()
	var conns []*pgxpool.Conn
	for range size {
		c, err := s.db.Data.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st := c.Conn().PgConn().TxStatus(); st != 'I' {
			t.Errorf("a pooled connection in transaction state %q", st)
		}
		conns = append(conns, c)
	}
	// Nor does the server see a session of this database in one.
	var open int
	if err := conns[0].QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&open); err != nil || open != 0 {
		t.Errorf("%d sessions idle in a transaction (%v)", open, err)
	}
	for _, c := range conns {
		c.Release()
	}
}

// An audit entry of a transaction that rolled back leaves no gap in the
// chain's numbers (the next entry takes the number after the head, as on
// bbolt), so the chain still verifies: a gap reads as an entry removed.
func TestAuditRolledBackLeavesNoGap(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	now := time.Now().UTC()
	add := func(tx storage.Tx) error { return tx.AppendAudit(storage.AuditEntry{Time: now, Action: "test"}) }
	mustUpdate(t, s, add)
	errBack := fmt.Errorf("roll back")
	for range 3 {
		if err := s.Update(func(tx storage.Tx) error {
			if err := add(tx); err != nil {
				return err
			}
			tx.Exists(store.NewID()) // a statement after it: the entry was sent
			return errBack
		}); err != errBack {
			t.Fatal(err)
		}
	}
	mustUpdate(t, s, add)
	verifyAudit(t, s)
}

// The tables txconn.go takes for those whose writes raise the count of
// changes are those the database's triggers raise it for (beside ops and
// oplog, whose deletions raise it: any statement that deletes is taken
// to), so that a migration adding a trigger without telling txconn.go
// fails here.
func TestChangedTablesAreTheTriggers(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	rows, err := s.db.Data.Query(context.Background(), `SELECT DISTINCT c.relname::text FROM pg_trigger g
		JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
		WHERE NOT g.tgisinternal AND p.prosrc ILIKE '%changes%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(changedTables), "ops", "oplog")
	slices.Sort(want)
	if !slices.Equal(tables, want) {
		t.Errorf("the triggers raise the count for %v; txconn.go's changedTables (with ops and oplog) are %v", tables, want)
	}
	for _, name := range changedTables {
		if !mayRaiseChanges("INSERT INTO " + name + " VALUES (1)") {
			t.Errorf("a write to %s is not taken to raise the count", name)
		}
	}
	for _, sql := range []string{"DELETE FROM ops WHERE dossier = $1", "DELETE FROM oplog WHERE dossier = $1"} {
		if !mayRaiseChanges(sql) {
			t.Errorf("%s is not taken to raise the count", sql)
		}
	}
}

// TokenDevice reads the count of changes with the token (GET
// /v1/register asks it next, in the same View) and a transaction that
// did not know the count keeps it: in a View, where Changes then sends
// no statement and answers as the snapshot does while another process
// raises the count, and in an Update after each kind of write, where it
// answers as the database does after the transaction's own writes.
func TestTokenDeviceKeepsTheCountAsTheDatabase(t *testing.T) {
	dsn := pgtest.DB(t)
	s := openStorageT(t, dsn, "", store.Options{})
	other := openStorageT(t, dsn, "", store.Options{})
	dk := string(mk(store.NewID()))
	now := time.Now().UTC().Truncate(time.Second)
	hash := make([]byte, 32)
	hash[0] = 1 // not the token keptWrites writes
	mustUpdate(t, s, func(tx storage.Tx) error {
		if err := tx.AppendEpoch(storage.Epoch{ID: "e1", Start: 0, Started: now}); err != nil {
			return err
		}
		if err := tx.PutUser(storage.User{Name: "anna", Role: "coach"}); err != nil {
			return err
		}
		if err := tx.PutDevice(storage.Device{ID: "dev1", User: "anna", LastSeen: now}); err != nil {
			return err
		}
		return tx.PutToken(hash, "dev1")
	})
	raise := func(st *Storage) {
		mustUpdate(t, st, func(tx storage.Tx) error { return tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: "Oost"}}) })
	}
	for i := range 3 {
		raise(s)
		if err := s.View(func(stx storage.Tx) error {
			tx := stx.(*Tx)
			if id, ok := tx.TokenDevice(hash); !ok || id != "dev1" {
				return fmt.Errorf("the token's device: %q, %v", id, ok)
			}
			raise(other) // after the View's snapshot: not in its answers
			sent := tx.tx.sent
			n, _ := tx.Changes()
			if tx.tx.sent != sent {
				return fmt.Errorf("view %d: Changes sent a statement after TokenDevice", i)
			}
			if want, _ := freshKept(t, tx); n != want {
				return fmt.Errorf("view %d: the View answers count %d, its snapshot %d", i, n, want)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range keptWrites(t, dk, now) {
		mustUpdate(t, s, func(stx storage.Tx) error {
			tx := stx.(*Tx)
			if err := w.fn(tx); err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			tx.tx.memo = &recordMemo{} // TokenDevice asks the database
			if id, ok := tx.TokenDevice(hash); !ok || id != "dev1" {
				return fmt.Errorf("after %s, the token's device: %q, %v", w.name, id, ok)
			}
			n, _ := tx.Changes()
			if want, _ := freshKept(t, tx); n != want {
				t.Errorf("after %s and TokenDevice, the transaction answers count %d; the database %d", w.name, n, want)
			}
			return nil
		})
	}
}
