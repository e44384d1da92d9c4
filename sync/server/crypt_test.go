package server

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
)

func cryptOpts(dir string) Options {
	return Options{NoSync: true, Encryption: &store.Encryption{
		Keyring:       store.KeyFile{Name: filepath.Join(dir, "region.db.master-key")},
		KeyStore:      filepath.Join(dir, "region.db.keys"),
		SealedBuckets: SealedBuckets,
	}}
}

func cp(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}

// A restored older copy of the data file cannot bring back a dossier
// erased since: its key is gone from the key store. The audit log, sealed
// for the file, stays readable.
func TestServerKeyStoreOutlivesARestore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "region.db")
	srv, err := Open(path, cryptOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	st := opStoreOf(t, srv)
	keep, err := st.CreateClient(store.NewClient{Name: "Olga Pronk", Team: "noord"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := st.CreateClient(store.NewClient{Name: "Pieter Quist", Team: "noord"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Admin("beheer", "cli").AddTeam("noord"); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	backup := filepath.Join(dir, "backup.db")
	cp(t, path, backup)

	if srv, err = Open(path, cryptOpts(dir)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Admin("beheer", "cli").Erase(gone); err != nil {
		t.Fatal(err)
	}
	audit, err := srv.Admin("beheer", "cli").Audit(AuditFilter{})
	if err != nil || len(audit) == 0 {
		t.Fatalf("audit after erasure: %v, %d entries", err, len(audit))
	}
	srv.Close()
	for _, f := range []string{path, path + ".keys", backup} {
		raw, _ := os.ReadFile(f)
		for _, n := range []string{"Olga Pronk", "Pieter Quist"} {
			if bytes.Contains(raw, []byte(n)) {
				t.Errorf("%s holds %q", filepath.Base(f), n)
			}
		}
	}

	// Restore the copy from before the erasure, with the current keys.
	cp(t, backup, path)
	if srv, err = Open(path, cryptOpts(dir)); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !opStoreOf(t, srv).Erased(gone) {
		t.Fatal("the dossier erased after the copy came back with the restore")
	}
	sums, err := opStoreOf(t, srv).Summaries()
	if err != nil || len(sums) != 1 || sums[0].ID != keep {
		t.Fatalf("summaries of the restored copy: %v %+v", err, sums)
	}
	audit, err = srv.Admin("beheer", "cli").Audit(AuditFilter{})
	found := false
	for _, e := range audit {
		found = found || (e.Action == "erase" && e.Channel == "open" && e.Dossier == gone)
	}
	if err != nil || !found {
		t.Fatalf("no audit record of the erasure at open: %v", err)
	}
	if c, err := opStoreOf(t, srv).Client(keep); err != nil || c.Name.Value != "Olga Pronk" {
		t.Fatalf("%v %+v", err, c)
	}
}

// A key store that holds none of the file's keys (a wrong path) is
// refused, not taken as "everything was erased".
func TestServerRefusesAnEmptyKeyStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "region.db")
	srv, err := Open(path, cryptOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opStoreOf(t, srv).CreateClient(store.NewClient{Name: "Sem Tol", Team: "west"}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	os.Remove(filepath.Join(dir, "region.db.keys"))
	if _, err := Open(path, cryptOpts(dir)); !errors.Is(err, store.ErrNoKey) {
		t.Fatalf("an empty key store: %v, want ErrNoKey", err)
	}
}

// A plain server file is encrypted on open, its sealed buckets with it.
func TestPlainServerFileIsEncrypted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "region.db")
	srv, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Admin("beheer", "cli").AddTeam("zuid"); err != nil {
		t.Fatal(err)
	}
	if _, err := opStoreOf(t, srv).CreateClient(store.NewClient{Name: "Rosa Smit", Team: "zuid"}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if srv, err = Open(path, cryptOpts(dir)); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !opStoreOf(t, srv).Encrypted() {
		t.Fatal("not encrypted")
	}
	teams, err := srv.Admin("beheer", "cli").Teams()
	if err != nil || len(teams) != 1 {
		t.Fatalf("teams after encryption: %v %v", teams, err)
	}
	if audit, err := srv.Admin("beheer", "cli").Audit(AuditFilter{}); err != nil || len(audit) == 0 {
		t.Fatalf("audit after encryption: %v", err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("Rosa Smit")) || !strings.Contains(string(raw), "brug-db") {
		t.Fatal("the name is still in the file, or the file is not brug's")
	}
}
