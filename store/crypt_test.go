package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"
	bolt "go.etcd.io/bbolt"
)

// memKeyring is a keyring in memory; fail makes every call fail (no
// keyring on this computer).
type memKeyring struct {
	mu   sync.Mutex
	keys map[string][]byte
	fail bool
}

func newMemKeyring() *memKeyring { return &memKeyring{keys: map[string][]byte{}} }

func (k *memKeyring) Get(name string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail {
		return nil, fmt.Errorf("%w: no keyring", ErrNoKey)
	}
	v, ok := k.keys[name]
	if !ok {
		return nil, fmt.Errorf("%w: not there", ErrNoKey)
	}
	return v, nil
}

func (k *memKeyring) Set(name string, key []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail {
		return errors.New("no keyring")
	}
	k.keys[name] = bytes.Clone(key)
	return nil
}

func (k *memKeyring) Delete(name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, name)
	return nil
}

// fastArgon keeps tests quick; the parameters are stored in the file.
var fastArgon = &Argon2Params{Time: 1, Memory: 64, Threads: 1}

func openEnc(t testing.TB, path string, enc *Encryption) *Store {
	t.Helper()
	s, err := Open(path, Options{Author: "tester", NoSync: true, Encryption: enc})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

// secrets are the texts of a dossier the tests look for in raw bytes.
type secrets struct{ name, note string }

func fillDossier(t testing.TB, s *Store, sec secrets) string {
	t.Helper()
	id, err := s.CreateClient(NewClient{Name: sec.name, BirthYear: "1980", Team: "noord"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ToggleCheck(id, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEntity(id, EntityJournal, map[string]string{"kind": "bezoek", "date": "2026-11-12", "text": sec.note}); err != nil {
		t.Fatal(err)
	}
	return id
}

// rawHas reports which of the needles occur in the file's bytes.
func rawHas(t testing.TB, path string, needles ...string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, n := range needles {
		if bytes.Contains(b, []byte(n)) {
			found = append(found, n)
		}
	}
	return found
}

func TestEncryptedFileHoldsNoText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	kr := newMemKeyring()
	s := openEnc(t, path, &Encryption{Keyring: kr})
	if !s.Encrypted() || s.KeyMode() != "keyring" {
		t.Fatalf("encrypted %v mode %q", s.Encrypted(), s.KeyMode())
	}
	a := secrets{"Annelies Zwartveld", "bezocht thuis met zorgen over schulden"}
	b := secrets{"Bartholomeus Kwak", "belde over de uitkering van de gemeente"}
	ida := fillDossier(t, s, a)
	idb := fillDossier(t, s, b)
	if err := s.SetMeta("x_sync_user", []byte("coach-wilhelmina")); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(idb); err != nil {
		t.Fatal(err)
	}
	c, err := s.Client(ida)
	if err != nil || c.Name.Value != a.name {
		t.Fatalf("client: %v %+v", err, c)
	}
	s.Close()
	if f := rawHas(t, path, a.name, a.note, b.name, b.note, "coach-wilhelmina", "Zwartveld"); f != nil {
		t.Fatalf("the raw file holds %q", f)
	}
	// And it opens again with the keyring's key, the data intact.
	s = openEnc(t, path, &Encryption{Keyring: kr})
	defer s.Close()
	if c, err := s.Client(ida); err != nil || c.Name.Value != a.name {
		t.Fatalf("reopen: %v %+v", err, c)
	}
	if v, err := s.Meta("x_sync_user"); err != nil || string(v) != "coach-wilhelmina" {
		t.Fatalf("meta: %q %v", v, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// logValue returns the first log key and value of the dossier.
func logValue(t *testing.T, path string, dossier string) (k, v []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dk, _ := idKey(dossier)
	db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOps).Cursor()
		k, v = c.Seek(dk)
		k, v = bytes.Clone(k), bytes.Clone(v)
		return nil
	})
	return k, v
}

func putRaw(t *testing.T, path string, bucket, k, v []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(k, v) }); err != nil {
		t.Fatal(err)
	}
}

func TestTamperedValueIsDetected(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	kr := newMemKeyring()
	s := openEnc(t, path, &Encryption{Keyring: kr})
	id := fillDossier(t, s, secrets{"Cornelia de Vries", "notitie"})
	s.Close()
	k, v := logValue(t, path, id)
	v[len(v)/2] ^= 1
	putRaw(t, path, bOps, k, v)
	s = openEnc(t, path, &Encryption{Keyring: kr})
	defer s.Close()
	_, err := s.Ops(id)
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("a changed value read as %v, want ErrDamaged", err)
	}
}

func TestValueMovedToAnotherDossierIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	kr := newMemKeyring()
	s := openEnc(t, path, &Encryption{Keyring: kr})
	ida := fillDossier(t, s, secrets{"Dirk Aalbers", "a"})
	idb := fillDossier(t, s, secrets{"Eva Bos", "b"})
	s.Close()
	// Copy an op of a under b's key: it must not open as b's.
	_, va := logValue(t, path, ida)
	kb, _ := logValue(t, path, idb)
	putRaw(t, path, bOps, kb, va)
	s = openEnc(t, path, &Encryption{Keyring: kr})
	defer s.Close()
	if _, err := s.Ops(idb); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a value moved from another dossier read as %v, want ErrDamaged", err)
	}
	// And a file-scoped opening of a dossier's value fails too.
	if _, err := s.openFor(nil, va); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a dossier's value opened as the file's: %v", err)
	}
}

func TestWrongPassphraseIsToldFromDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	nokr := &memKeyring{fail: true}
	if _, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Keyring: nokr}}); !errors.Is(err, ErrChoosePassphrase) {
		t.Fatalf("no keyring, no passphrase: %v, want ErrChoosePassphrase", err)
	}
	os.Remove(path)
	s := openEnc(t, path, &Encryption{Keyring: nokr, Passphrase: []byte("paard batterij"), Argon2: fastArgon})
	if s.KeyMode() != "passphrase" {
		t.Fatalf("mode %q", s.KeyMode())
	}
	id := fillDossier(t, s, secrets{"Frits Gans", "x"})
	s.Close()
	if _, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Keyring: nokr}}); !errors.Is(err, ErrNeedPassphrase) {
		t.Fatalf("without passphrase: %v", err)
	}
	if _, err := Open(path, Options{NoSync: true}); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("without encryption options: %v", err)
	}
	_, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Passphrase: []byte("paard batterie")}})
	if !errors.Is(err, ErrWrongPassphrase) || errors.Is(err, ErrDamaged) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	// Damage the passphrase record: now it is damage, whatever the passphrase.
	db, _ := bolt.Open(path, 0o600, nil)
	db.Update(func(tx *bolt.Tx) error {
		rec := bytes.Clone(tx.Bucket(bMeta).Get(kCryptPass))
		rec[30] ^= 0x10
		return tx.Bucket(bMeta).Put(kCryptPass, rec)
	})
	db.Close()
	for _, pass := range []string{"paard batterij", "iets anders"} {
		_, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Passphrase: []byte(pass)}})
		if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("damaged record, passphrase %q: %v", pass, err)
		}
	}
	_ = id
}

func TestKeyringMissingFallsBackToPassphrase(t *testing.T) {
	keyring.MockInitWithError(errors.New("no secret service"))
	t.Cleanup(keyring.MockInit)
	path := filepath.Join(t.TempDir(), "brug.db")
	_, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Keyring: OSKeyring{}}})
	if !errors.Is(err, ErrChoosePassphrase) {
		t.Fatalf("no keyring: %v, want ErrChoosePassphrase", err)
	}
	s := openEnc(t, path, &Encryption{Keyring: OSKeyring{}, Passphrase: []byte("geheim genoeg"), Argon2: fastArgon})
	if s.KeyMode() != "passphrase" {
		t.Fatalf("mode %q", s.KeyMode())
	}
	s.Close()
	// With a working keyring the file opens with its passphrase still, and
	// may move its key there.
	keyring.MockInit()
	s = openEnc(t, path, &Encryption{Keyring: OSKeyring{}, Passphrase: []byte("geheim genoeg")})
	if err := s.SetPassphrase(Encryption{Keyring: OSKeyring{}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openEnc(t, path, &Encryption{Keyring: OSKeyring{}})
	if s.KeyMode() != "keyring" {
		t.Fatalf("mode %q", s.KeyMode())
	}
	s.Close()
}

func TestChangePassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s := openEnc(t, path, &Encryption{Passphrase: []byte("oud wachtwoord"), Argon2: fastArgon})
	id := fillDossier(t, s, secrets{"Gerda Hoek", "n"})
	var old []byte
	s.db.View(func(tx *bolt.Tx) error { old = bytes.Clone(tx.Bucket(bMeta).Get(kCryptPass)); return nil })
	if err := s.SetPassphrase(Encryption{Passphrase: []byte("nieuw wachtwoord"), Argon2: fastArgon}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Passphrase: []byte("oud wachtwoord")}}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase: %v", err)
	}
	// The old record is gone from the file's bytes, free pages included:
	// who knew the old passphrase cannot unwrap the file key from it.
	if b, _ := os.ReadFile(path); bytes.Contains(b, old) {
		t.Fatal("the old passphrase record is still in the file")
	}
	s = openEnc(t, path, &Encryption{Passphrase: []byte("nieuw wachtwoord")})
	defer s.Close()
	if c, err := s.Client(id); err != nil || c.Name.Value != "Gerda Hoek" {
		t.Fatalf("%v %+v", err, c)
	}
}

func TestEraseDestroysTheDossierKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "brug.db")
	kr := newMemKeyring()
	s := openEnc(t, path, &Encryption{Keyring: kr})
	keep := fillDossier(t, s, secrets{"Hendrik IJzer", "blijft"})
	gone := fillDossier(t, s, secrets{"Ingrid Jansma", "gaat weg"})
	dropped := fillDossier(t, s, secrets{"Jan Klaassen", "verhuist"})
	// A backup taken before the erasure.
	backup := filepath.Join(dir, "backup.db")
	copyTo(t, path, backup)
	wrapped := map[string][]byte{}
	s.db.View(func(tx *bolt.Tx) error {
		for _, id := range []string{gone, dropped} {
			dk, _ := idKey(id)
			wrapped[id] = bytes.Clone(tx.Bucket(bKeys).Get(dk))
		}
		return nil
	})
	_, oldOp := logValue(t, backup, gone)
	if err := s.Erase(gone); err != nil {
		t.Fatal(err)
	}
	if err := s.Drop(dropped); err != nil {
		t.Fatal(err)
	}
	// The live store cannot open the erased dossier's old values.
	dk, _ := idKey(gone)
	if _, err := s.openFor(dk, oldOp); !errors.Is(err, ErrDossierKey) {
		t.Fatalf("an old value of an erased dossier: %v, want ErrDossierKey", err)
	}
	s.Close()
	// Its wrapped key is nowhere in the file, not in a free page either.
	raw, _ := os.ReadFile(path)
	for id, w := range wrapped {
		if len(w) != wrappedKeyLen {
			t.Fatalf("no key for %s before", id)
		}
		if bytes.Contains(raw, w) {
			t.Errorf("the wrapped key of %s is still in the file", id)
		}
	}
	s = openEnc(t, path, &Encryption{Keyring: kr})
	defer s.Close()
	if c, err := s.Client(keep); err != nil || c.Name.Value != "Hendrik IJzer" {
		t.Fatalf("%v %+v", err, c)
	}
	// Nor its name in the backup's copy of its list summary: that record
	// was sealed with the dossier's key, which is gone.
	for _, id := range []string{gone, dropped} {
		dk, _ := idKey(id)
		bdb, err := bolt.Open(backup, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		var old []byte
		bdb.View(func(tx *bolt.Tx) error {
			es, err := s.readChunk(tx.Bucket(bSummaries).Get(chunkOf(dk)))
			if err != nil {
				return err
			}
			for _, e := range es {
				if bytes.Equal(e.id, dk) {
					old = bytes.Clone(e.sealed)
				}
			}
			return nil
		})
		bdb.Close()
		if old == nil {
			t.Fatal("no summary in the backup")
		}
		if _, err := s.openFor(dk, old); err == nil {
			t.Errorf("the summary of %s from before the erasure still opens", id)
		}
	}
	// What this does not cover: the backup holds the key, wrapped by the
	// same file key (README, "Lost keys and backups").
	if b, _ := os.ReadFile(backup); !bytes.Contains(b, wrapped[gone]) {
		t.Fatal("expected the backup to hold the erased dossier's key (documented limit)")
	}
}

func copyTo(t testing.TB, from, to string) {
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
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
}

func TestPlainFileIsEncryptedOnOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "brug.db")
	s := openEnc(t, path, nil)
	var ids []string
	for i := range 30 {
		ids = append(ids, fillDossier(t, s, secrets{fmt.Sprintf("Klant Plainfile%02d", i), fmt.Sprintf("notitie plainfile %02d", i)}))
	}
	s.SetMeta("x_sync_url", []byte("https://brug.example"))
	want, _ := s.Summaries()
	s.Close()
	if f := rawHas(t, path, "Klant Plainfile07"); f == nil {
		t.Fatal("the plain file should hold the names (test set-up)")
	}

	// A crash half-way leaves the old file as it was.
	kr := newMemKeyring()
	encryptHook = func(done int) error { return errors.New("crash") }
	_, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Keyring: kr}})
	encryptHook = nil
	if err == nil {
		t.Fatal("the crash did not stop the rewrite")
	}
	s = openEnc(t, path, nil)
	if got, _ := s.Summaries(); len(got) != len(want) || s.Encrypted() {
		t.Fatalf("after a crash: %d summaries, encrypted %v", len(got), s.Encrypted())
	}
	s.Close()

	var calls, last int
	s = openEnc(t, path, &Encryption{Keyring: kr, Progress: func(done, total int) { calls++; last = done; _ = total }})
	defer s.Close()
	if !s.Encrypted() || calls == 0 || last == 0 {
		t.Fatalf("encrypted %v, progress calls %d, last %d", s.Encrypted(), calls, last)
	}
	got, err := s.Summaries()
	if err != nil || len(got) != len(want) {
		t.Fatalf("%v: %d of %d", err, len(got), len(want))
	}
	for _, id := range ids {
		if ops, err := s.Ops(id); err != nil || len(ops) == 0 {
			t.Fatalf("ops of %s: %v", id, err)
		}
	}
	if v, _ := s.Meta("x_sync_url"); string(v) != "https://brug.example" {
		t.Fatalf("meta %q", v)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if f := rawHas(t, filepath.Join(dir, e.Name()), "Plainfile", "plainfile"); f != nil {
			t.Errorf("%s holds %q", e.Name(), f)
		}
		if strings.Contains(e.Name(), "encrypting") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestDestroyKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	kr := newMemKeyring()
	s := openEnc(t, path, &Encryption{Keyring: kr})
	fillDossier(t, s, secrets{"Karel Lens", "n"})
	var rec []byte
	s.db.View(func(tx *bolt.Tx) error { rec = bytes.Clone(tx.Bucket(bMeta).Get(kCryptKeyring)); return nil })
	s.Close()
	if err := DestroyKeys(path, kr); err != nil {
		t.Fatal(err)
	}
	if len(kr.keys) != 0 {
		t.Fatalf("keyring still holds %d keys", len(kr.keys))
	}
	if b, _ := os.ReadFile(path); bytes.Contains(b, rec) {
		t.Fatal("the wrapped file key is still in the file")
	}
	if _, err := Open(path, Options{NoSync: true, Encryption: &Encryption{Keyring: kr}}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("after DestroyKeys: %v, want ErrNoKey", err)
	}

	// The open store's variant, as a remote wipe runs it.
	path2 := filepath.Join(t.TempDir(), "brug.db")
	s = openEnc(t, path2, &Encryption{Keyring: kr})
	fillDossier(t, s, secrets{"Lies Mol", "n"})
	if err := s.DestroyKeys(kr); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path2, Options{NoSync: true, Encryption: &Encryption{Keyring: kr}}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("after Store.DestroyKeys: %v, want ErrNoKey", err)
	}
}

func TestKeyStoreApartFromTheData(t *testing.T) {
	dir := t.TempDir()
	path, ks := filepath.Join(dir, "server.db"), filepath.Join(dir, "server.keys")
	master := KeyFile{Name: filepath.Join(dir, "master.key")}
	if err := writeFileSync(master.Name, []byte(strings.Repeat("ab", 32)+"\n")); err != nil {
		t.Fatal(err)
	}
	enc := &Encryption{Keyring: master, KeyStore: ks}
	s := openEnc(t, path, enc)
	keep := fillDossier(t, s, secrets{"Maarten Nol", "blijft"})
	gone := fillDossier(t, s, secrets{"Nina Olie", "weg"})
	s.Close()
	backup := filepath.Join(dir, "old.db")
	copyTo(t, path, backup)
	s = openEnc(t, path, enc)
	if err := s.Erase(gone); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// The data file holds no dossier keys; the key store no longer holds
	// the erased one's.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bKeys)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			t.Errorf("the data file holds the key %x", k)
			return nil
		})
	})
	db.Close()
	// Restore the older data file: the erased dossier stays unreadable.
	copyTo(t, backup, path)
	s = openEnc(t, path, enc)
	defer s.Close()
	if _, err := s.Ops(gone); !errors.Is(err, ErrDossierKey) {
		t.Fatalf("restored copy, erased dossier: %v, want ErrDossierKey", err)
	}
	if c, err := s.Client(keep); err != nil || c.Name.Value != "Maarten Nol" {
		t.Fatalf("%v %+v", err, c)
	}
}
