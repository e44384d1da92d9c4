package boltstore

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// TestOrgs: the register's organisations are kept by name, listed in name
// order, replaced, deleted, stored without their teams (the teams name
// their organisation), and sealed at rest in an encrypted file.
func TestOrgs(t *testing.T) {
	dir := t.TempDir()
	enc := &store.Encryption{Keyring: store.KeyFile{Name: filepath.Join(dir, "master.key")}, KeyStore: filepath.Join(dir, "keys.db"), SealedBuckets: SealedBuckets, DossierBuckets: DossierBuckets}
	db, err := Open(filepath.Join(dir, "server.db"), store.Options{Kind: store.FileServer, Author: "server", NoSync: true, Encryption: enc})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	zon := storage.Org{Org: store.Org{Name: "Bakkerij De Zon", Kind: store.OrgEmployer, KvK: "12345678",
		Contacts: []store.OrgContact{{Name: "Ria Jansen", Role: "bedrijfsleider", Phone: "024 123 45 67", Email: "ria@dezon.nl"}},
		Teams:    []string{"not stored"}}, Created: at}
	noord := storage.Org{Org: store.Org{Name: "Zorggroep Noord", Kind: store.OrgCare}, Created: at}
	steps := []struct {
		name string
		do   func(tx storage.Tx) error
		want []string // names EachOrg gives, in order
	}{
		{"empty", func(storage.Tx) error { return nil }, nil},
		{"put two", func(tx storage.Tx) error {
			if err := tx.PutOrg(noord); err != nil {
				return err
			}
			return tx.PutOrg(zon)
		}, []string{"Bakkerij De Zon", "Zorggroep Noord"}},
		{"replace", func(tx storage.Tx) error {
			z := zon
			z.KvK = "87654321"
			return tx.PutOrg(z)
		}, []string{"Bakkerij De Zon", "Zorggroep Noord"}},
		{"delete", func(tx storage.Tx) error { return tx.DeleteOrg("Zorggroep Noord") }, []string{"Bakkerij De Zon"}},
		{"delete missing", func(tx storage.Tx) error { return tx.DeleteOrg("Nergens") }, []string{"Bakkerij De Zon"}},
	}
	for _, s := range steps {
		if err := db.Update(s.do); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		var got []string
		if err := db.View(func(tx storage.Tx) error {
			return tx.EachOrg(func(o storage.Org) error { got = append(got, o.Name); return nil })
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(s.want) || (len(got) > 0 && !slices.Equal(got, s.want)) {
			t.Errorf("%s: orgs %q, want %q", s.name, got, s.want)
		}
	}
	err = db.View(func(stx storage.Tx) error {
		o, ok, err := stx.Org("Bakkerij De Zon")
		if err != nil || !ok {
			t.Fatalf("Org: %v %v", ok, err)
		}
		if o.KvK != "87654321" || o.Teams != nil || len(o.Contacts) != 1 || o.Contacts[0].Email != "ria@dezon.nl" || !o.Created.Equal(at) {
			t.Errorf("read back %+v", o)
		}
		if _, ok, err := stx.Org("Zorggroep Noord"); ok || err != nil {
			t.Errorf("deleted org: %v %v", ok, err)
		}
		raw := stx.(*Tx).bucket(bOrgs).Get([]byte("Bakkerij De Zon"))
		for _, clear := range []string{"Ria Jansen", "ria@dezon.nl", "87654321", "employer"} {
			if bytes.Contains(raw, []byte(clear)) {
				t.Errorf("%q lies in the clear in %s", clear, bOrgs)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
