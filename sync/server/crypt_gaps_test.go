package server

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// newCryptEnv is newEnv on an encrypted file with its key store.
func newCryptEnv(t *testing.T) *env {
	t.Helper()
	clock := &fakeClock{t: t0}
	dir := t.TempDir()
	path := filepath.Join(dir, "region.db")
	opt := cryptOpts(dir)
	opt.Now = clock.Now
	srv, err := Open(path, opt)
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &env{t: t, srv: srv, http: hs, clock: clock, admin: srv.Admin("tester", ChannelCLI), path: path}
	t.Cleanup(func() {
		e.http.Close()
		e.srv.Close()
	})
	return e
}

// rawDrafts returns the stored (sealed) values of the drafts bucket.
func rawDrafts(t *testing.T, srv *Server) [][]byte {
	t.Helper()
	var out [][]byte
	err := srv.db.View(func(tx Tx) error {
		return rawBucket(t, tx, bDrafts).ForEach(func(_, v []byte) error {
			out = append(out, bytes.Clone(v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A server's draft is sealed with its dossier's key, not the file's: once
// the dossier is erased, the draft's bytes (left in a free page, or in an
// old copy of the file) do not open any more.
func TestDraftIsSealedWithItsDossiersKey(t *testing.T) {
	e := newCryptEnv(t)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	_, err := e.admin.AddUser("cor", protocol.RoleCoordinator, []string{"Noord"})
	e.must(err)
	id, ops := anna.create("Noord", "Noor Jansen")
	anna.sync(ops...)
	cor, err := e.srv.Session("cor", ChannelSSH, "t")
	e.must(err)
	e.must(cor.SaveDraft(id, 1, "nog een handtekening nodig"))
	if d, err := cor.Draft(id, 1); err != nil || d != "nog een handtekening nodig" {
		t.Fatalf("the draft reads %q, %v", d, err)
	}
	raw := rawDrafts(t, e.srv)
	if len(raw) != 1 {
		t.Fatalf("%d drafts stored", len(raw))
	}
	e.must(e.srv.db.View(func(tx Tx) error {
		if _, err := boltTx(t, tx).Open(raw[0]); err == nil {
			t.Error("the draft opens with the file key")
		}
		if p, err := boltTx(t, tx).OpenFor(id, raw[0]); err != nil || string(p) != "nog een handtekening nodig" {
			t.Errorf("the draft does not open with its dossier's key: %q, %v", p, err)
		}
		return nil
	}))
	if _, err := e.admin.Erase(id); err != nil {
		t.Fatal(err)
	}
	e.must(e.srv.db.View(func(tx Tx) error {
		if p, err := boltTx(t, tx).OpenFor(id, raw[0]); !errors.Is(err, store.ErrDossierKey) {
			t.Errorf("an erased dossier's draft still opens: %q, %v", p, err)
		}
		if p, err := boltTx(t, tx).Open(raw[0]); err == nil {
			t.Errorf("an erased dossier's draft opens with the file key: %q", p)
		}
		return nil
	}))
	if err := e.srv.db.Update(func(tx Tx) error {
		_, err := boltTx(t, tx).SealFor(id, []byte("x"))
		return err
	}); !errors.Is(err, store.ErrErased) {
		t.Errorf("a value was sealed for an erased dossier: %v", err)
	}
}

// A plain server file with a draft and a receipt key is encrypted on open:
// the draft is sealed for its dossier and still reads, the receipt key is
// sealed for the file and still the same (receipts the devices hold stay
// valid).
func TestEncryptingAServerSealsDraftsAndTheReceiptKey(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	_, err := e.admin.AddUser("cor", protocol.RoleCoordinator, []string{"Noord"})
	e.must(err)
	id, ops := anna.create("Noord", "Noor Jansen")
	anna.sync(ops...)
	cor, err := e.srv.Session("cor", ChannelSSH, "t")
	e.must(err)
	e.must(cor.SaveDraft(id, 1, "geheime opmerking"))
	receipt := e.srv.receipt(id)
	var plainKey []byte
	e.must(e.srv.db.View(func(tx Tx) error {
		plainKey = bytes.Clone(rawBucket(t, tx, bServer).Get(kReceiptKey))
		return nil
	}))
	if len(plainKey) != 32 {
		t.Fatalf("a plain file's receipt key is %d bytes", len(plainKey))
	}
	e.http.Close()
	e.srv.Close()

	dir := filepath.Dir(e.path)
	opt := cryptOpts(dir)
	srv, err := Open(e.path, opt)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.http = httptest.NewServer(srv.Handler())
	if !srv.st.Encrypted() {
		t.Fatal("not encrypted")
	}
	cor, err = srv.Session("cor", ChannelSSH, "t")
	e.must(err)
	if d, err := cor.Draft(id, 1); err != nil || d != "geheime opmerking" {
		t.Fatalf("the draft after encryption reads %q, %v", d, err)
	}
	e.must(srv.db.View(func(tx Tx) error {
		if _, err := boltTx(t, tx).Open(rawDrafts(t, srv)[0]); err == nil {
			t.Error("the draft was sealed with the file key")
		}
		if k := rawBucket(t, tx, bServer).Get(kReceiptKey); len(k) == 32 || bytes.Contains(k, plainKey) {
			t.Errorf("the receipt key is stored as it is (%d bytes)", len(k))
		}
		return nil
	}))
	if got := srv.receipt(id); got != receipt {
		t.Error("the receipt key changed with the encryption: the devices' receipts are void")
	}
	raw, err := os.ReadFile(e.path)
	e.must(err)
	if bytes.Contains(raw, []byte("geheime opmerking")) {
		t.Error("the draft's text is in the encrypted file")
	}
}

// brug admin backup copies the key store with the data file, so that the
// two copies restored together give the backed-up state; the data copy
// alone, with the current key store, keeps a dossier erased since erased.
func TestBackupCopiesTheKeyStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "region.db")
	srv, err := Open(path, cryptOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	st := opStoreOf(t, srv)
	if _, err := srv.Admin("beheer", "cli").AddTeam("noord"); err != nil {
		t.Fatal(err)
	}
	keep, err := st.CreateClient(store.NewClient{Name: "Olga Pronk", Team: "noord"})
	e := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e(err)
	gone, err := st.CreateClient(store.NewClient{Name: "Pieter Quist", Team: "noord"})
	e(err)
	backup := filepath.Join(dir, "backups", "region-backup.db")
	e(os.MkdirAll(filepath.Dir(backup), 0o700))
	resp := srv.Admin("beheer", ChannelCLI).Do(AdminRequest{Cmd: CmdBackup, Path: backup})
	if resp.Error != "" || resp.KeyStore != KeyStoreBackup(backup) {
		t.Fatalf("backup: %q, key store copy %q", resp.Error, resp.KeyStore)
	}
	for _, f := range []string{backup, KeyStoreBackup(backup)} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the backup lacks %s: %v", filepath.Base(f), err)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "backups", "*master*")); len(m) != 0 {
		t.Errorf("the master key was copied with the backup: %v", m)
	}

	// More work after the backup: a new dossier, and an erasure.
	later, err := st.CreateClient(store.NewClient{Name: "Later Toegevoegd", Team: "noord"})
	e(err)
	_, err = srv.Admin("beheer", "cli").Erase(gone)
	e(err)
	e(srv.Close())
	current := filepath.Join(dir, "current.keys")
	cp(t, path+".keys", current)

	// Both copies back: the backed-up state, the erased dossier included.
	cp(t, KeyStoreBackup(backup), path+".keys")
	cp(t, backup, path)
	if srv, err = Open(path, cryptOpts(dir)); err != nil {
		t.Fatalf("the restored copies do not open: %v", err)
	}
	for id, name := range map[string]string{keep: "Olga Pronk", gone: "Pieter Quist"} {
		if c, err := opStoreOf(t, srv).Client(id); err != nil || c.Name.Value != name {
			t.Errorf("%s after the restore: %+v, %v", name, c.Name, err)
		}
	}
	if _, err := opStoreOf(t, srv).Client(later); err == nil {
		t.Error("the dossier made after the backup is in the restored copy")
	}
	e(srv.Close())

	// The data copy alone, with the key store as it was after the erasure:
	// the dossier erased since stays erased (and is erased again at open).
	cp(t, current, path+".keys")
	cp(t, backup, path)
	if srv, err = Open(path, cryptOpts(dir)); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !opStoreOf(t, srv).Erased(gone) {
		t.Error("the dossier erased after the backup came back")
	}
	if c, err := opStoreOf(t, srv).Client(keep); err != nil || c.Name.Value != "Olga Pronk" {
		t.Errorf("the kept dossier: %+v, %v", c.Name, err)
	}
}

// A backup target that would overwrite the server's key store is refused.
func TestBackupRefusesTheKeyStoreAsTarget(t *testing.T) {
	onlyBolt(t, "brug admin backup copies the server's file and key store")
	dir := t.TempDir()
	path := filepath.Join(dir, "region.db")
	opt := cryptOpts(dir)
	opt.Encryption.KeyStore = filepath.Join(dir, "elsewhere.db.keys")
	srv, err := Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	before, _ := os.ReadFile(opt.Encryption.KeyStore)
	for _, bad := range []string{filepath.Join(dir, "elsewhere.db"), opt.Encryption.KeyStore} {
		if _, err := srv.Backup(bad); !errors.Is(err, ErrBackupTarget) {
			t.Errorf("backup to %s: %v, want ErrBackupTarget", filepath.Base(bad), err)
		}
	}
	if after, _ := os.ReadFile(opt.Encryption.KeyStore); !bytes.Equal(before, after) {
		t.Error("the key store was overwritten")
	}
}
