package pgstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The audit chain on PostgreSQL: entries from before the chain are
// anchored by a genesis entry, every later one is chained, a laptop read
// id is kept once, and an entry changed in the table (as a database
// administrator could) is found by VerifyAudit at its place.
func TestAuditChainOnPostgres(t *testing.T) {
	dsn := pgtest.DB(t)
	opt := store.Options{Encryption: &store.Encryption{Keyring: store.KeyFile{Name: filepath.Join(t.TempDir(), "master.key")}}}
	s := openStorageT(t, dsn, "", opt)
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

	// An entry written before the chain, as an older brug did: no hash.
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	old := storage.AuditEntry{Seq: 1, Time: at, Channel: "sync", User: "anna", Action: "deliver", Dossier: store.NewID()}
	if _, err := conn.Exec(context.Background(), "INSERT INTO audit (seq, at, action, entry) OVERRIDING SYSTEM VALUE VALUES (1, $1, 'deliver', $2)",
		at, storage.AppendAuditJSON(nil, &old)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), "SELECT setval(pg_get_serial_sequence('audit', 'seq'), 1)"); err != nil {
		t.Fatal(err)
	}

	read := store.NewID()
	mustUpdate(t, s, func(tx storage.Tx) error {
		for i := range 5 {
			e := storage.AuditEntry{Time: at.Add(time.Duration(i) * time.Minute), Channel: "app", User: "bram", Action: "open", Dossier: store.NewID(), Detail: fmt.Sprint("nul \x00 byte ", i)}
			if i == 2 {
				e.Read = read
			}
			if err := tx.AppendAudit(e); err != nil {
				return err
			}
		}
		return nil
	})
	var r storage.AuditReport
	_ = s.View(func(tx storage.Tx) error {
		var err error
		if r, err = storage.VerifyAudit(tx); err != nil {
			t.Fatal(err)
		}
		if ok, err := tx.HasAuditRead(read); err != nil || !ok {
			t.Errorf("read id not kept: %v %v", ok, err)
		}
		if ok, _ := tx.HasAuditRead(store.NewID()); ok {
			t.Error("an unknown read id is known")
		}
		return nil
	})
	if len(r.Breaks) != 0 || r.Entries != 7 || r.Unhashed != 1 || r.Genesis != 2 || r.Head.Seq != 7 || r.Head.Hash != r.Last {
		t.Fatalf("chain after appending: %+v", r)
	}

	// A changed byte in the fourth entry.
	if _, err := conn.Exec(context.Background(), "UPDATE audit SET entry = convert_to(replace(convert_from(entry, 'UTF8'), '\"bram\"', '\"brom\"'), 'UTF8') WHERE seq = 4"); err != nil {
		t.Fatal(err)
	}
	_ = s.View(func(tx storage.Tx) error {
		var err error
		r, err = storage.VerifyAudit(tx)
		return err
	})
	if len(r.Breaks) == 0 || r.Breaks[0].Seq != 4 {
		t.Fatalf("a changed entry is not found at seq 4: %+v", r)
	}
}

// The register's organisations on PostgreSQL: put, get, delete, and in
// name order.
func TestOrgsOnPostgres(t *testing.T) {
	dsn := pgtest.DB(t)
	opt := store.Options{Encryption: &store.Encryption{Keyring: store.KeyFile{Name: filepath.Join(t.TempDir(), "master.key")}}}
	s := openStorageT(t, dsn, "", opt)
	mustUpdate(t, s, func(tx storage.Tx) error {
		for _, n := range []string{"Zorggroep Noord", "Bakkerij Çelik", "Gemeente Arnhem"} {
			if err := tx.PutOrg(storage.Org{Org: store.Org{Name: n, Kind: "employer"}}); err != nil {
				return err
			}
		}
		return tx.DeleteOrg("Gemeente Arnhem")
	})
	_ = s.View(func(tx storage.Tx) error {
		if o, ok, err := tx.Org("Bakkerij Çelik"); err != nil || !ok || o.Kind != "employer" {
			t.Errorf("Org: %+v %v %v", o, ok, err)
		}
		if _, ok, _ := tx.Org("Gemeente Arnhem"); ok {
			t.Error("a deleted organisation is still there")
		}
		var names []string
		if err := tx.EachOrg(func(o storage.Org) error { names = append(names, o.Name); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names) != "[Bakkerij Çelik Zorggroep Noord]" {
			t.Errorf("EachOrg: %v", names)
		}
		return nil
	})
}
