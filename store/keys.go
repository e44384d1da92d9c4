package store

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zalando/go-keyring"
	bolt "go.etcd.io/bbolt"
)

// OSKeyring is the computer's keyring (Secret Service on Linux, Keychain
// on macOS, Credential Manager on Windows), service "brug".
type OSKeyring struct{}

// Get reads the key stored under name.
func (OSKeyring) Get(name string) ([]byte, error) {
	s, err := keyring.Get(keyringSvc, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, fmt.Errorf("%w: not in the keyring", ErrNoKey)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: keyring: %v", ErrNoKey, err)
	}
	return base64.StdEncoding.DecodeString(s)
}

// Set stores key under name.
func (OSKeyring) Set(name string, key []byte) error {
	return keyring.Set(keyringSvc, name, base64.StdEncoding.EncodeToString(key))
}

// Delete removes the key stored under name.
func (OSKeyring) Delete(name string) error {
	err := keyring.Delete(keyringSvc, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// KeyFile keeps keys in files of a folder, one file per name, readable by
// its owner only: for a demo file in its temporary folder, and for a
// server whose key comes from a file or a systemd credential.
type KeyFile struct {
	Dir string
	// Name, when set, is the one file read for every name (a server's
	// master key file, made by hand or by systemd); Set then refuses to
	// overwrite a different key.
	Name string
}

func (k KeyFile) file(name string) string {
	if k.Name != "" {
		return k.Name
	}
	return filepath.Join(k.Dir, name+".key")
}

// Get reads the key of name.
func (k KeyFile) Get(name string) ([]byte, error) {
	b, err := os.ReadFile(k.file(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: no key file %s", ErrNoKey, k.file(name))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoKey, err)
	}
	key, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(key) != keySize {
		return nil, fmt.Errorf("%w: key file %s does not hold 64 hex digits", ErrNoKey, k.file(name))
	}
	return key, nil
}

// Set writes the key of name, mode 0600; with Name set, an existing key
// file is kept (its key is the one used).
func (k KeyFile) Set(name string, key []byte) error {
	p := k.file(name)
	if k.Name != "" {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("key file %s exists; it is used as it is", p)
		}
	}
	return writeFileSync(p, []byte(hex.EncodeToString(key)+"\n"))
}

// Delete removes the key file of name.
func (k KeyFile) Delete(name string) error {
	err := os.Remove(k.file(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// writeFileSync writes a new file of mode 0600 atomically: beside it,
// fsync, rename, fsync the folder.
func writeFileSync(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// keyRecords are the key records of a file's meta bucket.
type keyRecords struct {
	check, keyring, keyringID, pass []byte
}

func readKeyRecords(tx *bolt.Tx) keyRecords {
	m := tx.Bucket(bMeta)
	if m == nil {
		return keyRecords{}
	}
	return keyRecords{
		check:     bytes.Clone(m.Get(kCryptCheck)),
		keyring:   bytes.Clone(m.Get(kCryptKeyring)),
		keyringID: bytes.Clone(m.Get(kCryptKeyringID)),
		pass:      bytes.Clone(m.Get(kCryptPass)),
	}
}

func (r keyRecords) put(m *bolt.Bucket) error {
	for _, kv := range []struct{ k, v []byte }{{kCryptCheck, r.check}, {kCryptKeyring, r.keyring}, {kCryptKeyringID, r.keyringID}, {kCryptPass, r.pass}} {
		var err error
		if kv.v == nil {
			err = m.Delete(kv.k)
		} else {
			err = m.Put(kv.k, kv.v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// blobs are the records' bytes, to scrub once replaced.
func (r keyRecords) blobs() [][]byte {
	var out [][]byte
	for _, b := range [][]byte{r.keyring, r.pass} {
		if b != nil {
			out = append(out, b)
		}
	}
	return out
}

// unlockRecords opens the file key of r with enc: the keyring's key
// first, then the passphrase.
func unlockRecords(r keyRecords, enc *Encryption) (*crypt, error) {
	if enc == nil {
		return nil, fmt.Errorf("%w: open it with brug", ErrEncrypted)
	}
	var fileKey []byte
	var keyringErr error
	if r.keyring != nil {
		keyringErr = ErrNoKey
		if enc.Keyring != nil {
			kek, err := enc.Keyring.Get(string(r.keyringID))
			if err == nil {
				fileKey, err = openKeyringRecord(r.keyring, kek)
			}
			if err != nil {
				keyringErr = err
			}
		}
	}
	if fileKey == nil && r.pass != nil {
		if len(enc.Passphrase) == 0 {
			return nil, ErrNeedPassphrase
		}
		var err error
		if fileKey, err = openPassRecord(r.pass, enc.Passphrase); err != nil {
			return nil, err
		}
	}
	if fileKey == nil {
		if keyringErr == nil {
			keyringErr = fmt.Errorf("%w: the file has no key record", ErrDamaged)
		}
		return nil, keyringErr
	}
	c, err := newCrypt(fileKey)
	if err != nil {
		return nil, err
	}
	if plain, err := openWith(c.file, scopeAD(nil), r.check); err != nil || string(plain) != checkText {
		return nil, fmt.Errorf("%w: the file key does not open the file's check value", ErrDamaged)
	}
	return c, nil
}

// newKeyRecords makes a file key and its records: wrapped by a new key in
// enc.Keyring when it takes one, else by enc.Passphrase.
func newKeyRecords(enc *Encryption) (keyRecords, *crypt, error) {
	fileKey := randomKey()
	c, err := newCrypt(fileKey)
	if err != nil {
		return keyRecords{}, nil, err
	}
	r := keyRecords{check: sealWith(c.file, scopeAD(nil), []byte(checkText))}
	var keyringErr error
	if enc.Keyring != nil {
		r, keyringErr = r.withKeyring(enc.Keyring, fileKey)
	}
	if r.keyring == nil {
		if len(enc.Passphrase) == 0 {
			if keyringErr != nil {
				return keyRecords{}, nil, fmt.Errorf("%w (keyring: %v)", ErrChoosePassphrase, keyringErr)
			}
			return keyRecords{}, nil, ErrChoosePassphrase
		}
		if r, err = r.withPassphrase(enc, fileKey); err != nil {
			return keyRecords{}, nil, err
		}
	}
	return r, c, nil
}

func (r keyRecords) withKeyring(kr Keyring, fileKey []byte) (keyRecords, error) {
	id := "file-" + hex.EncodeToString(randomKey()[:16])
	// A keyring that has a key for any name (a server's master key file)
	// gives that one; else a new key is stored.
	kek, err := kr.Get(id)
	if err != nil {
		kek = randomKey()
		if err := kr.Set(id, kek); err != nil {
			return r, err
		}
	}
	// Read it back: a keyring that takes keys but loses them (a session
	// keyring without storage) would lock the user out.
	if got, err := kr.Get(id); err != nil || !bytes.Equal(got, kek) {
		_ = kr.Delete(id)
		return r, fmt.Errorf("the keyring did not keep the key")
	}
	rec, err := keyringRecord(kek, fileKey)
	if err != nil {
		return r, err
	}
	r.keyring, r.keyringID, r.pass = rec, []byte(id), nil
	return r, nil
}

func (r keyRecords) withPassphrase(enc *Encryption, fileKey []byte) (keyRecords, error) {
	p := DefaultArgon2
	if enc.Argon2 != nil {
		p = *enc.Argon2
	}
	rec, err := passRecord(enc.Passphrase, fileKey, p)
	if err != nil {
		return r, err
	}
	r.pass, r.keyring, r.keyringID = rec, nil, nil
	return r, nil
}

// Encrypted reports whether the file is encrypted at rest.
func (s *Store) Encrypted() bool { return s.crypt != nil }

// KeyMode tells how the file's key is kept: "keyring", "passphrase", or
// "" for a plain file.
func (s *Store) KeyMode() string {
	if s.crypt == nil {
		return ""
	}
	var r keyRecords
	s.db.View(func(tx *bolt.Tx) error { r = readKeyRecords(tx); return nil })
	if r.keyring != nil {
		return "keyring"
	}
	return "passphrase"
}

// SetPassphrase locks the file key with a new passphrase (enc.Passphrase,
// with enc.Argon2) instead of whatever locked it before, and removes the
// keyring's entry. With enc.Keyring set and no passphrase, the key is kept
// in the keyring instead (and the passphrase record goes). The old
// records' bytes are overwritten in the file.
func (s *Store) SetPassphrase(enc Encryption) error {
	if s.crypt == nil {
		return fmt.Errorf("%w: the file is not encrypted", ErrInvalid)
	}
	var old keyRecords
	var oldKeyring Keyring = enc.Keyring
	err := s.db.DB.Update(func(tx *bolt.Tx) error {
		old = readKeyRecords(tx)
		nr := old
		var err error
		if len(enc.Passphrase) > 0 {
			nr, err = nr.withPassphrase(&enc, s.crypt.raw)
		} else if enc.Keyring != nil {
			nr, err = nr.withKeyring(enc.Keyring, s.crypt.raw)
		} else {
			err = fmt.Errorf("%w: give a passphrase or a keyring", ErrInvalid)
		}
		if err != nil {
			return err
		}
		return nr.put(tx.Bucket(bMeta))
	})
	if err != nil {
		return err
	}
	if old.keyringID != nil && oldKeyring != nil && len(enc.Passphrase) > 0 {
		_ = oldKeyring.Delete(string(old.keyringID))
	}
	return s.db.DB.Update(func(*bolt.Tx) error { return scrub(s.path, old.blobs()) })
}

// DestroyKeys makes the open file unreadable for good: its file key's
// records go from the file (and their bytes wherever they are left in
// it), the keyring's entry is deleted (kr may be nil), and the store
// closes. A remote wipe calls it.
func (s *Store) DestroyKeys(kr Keyring) error {
	var old keyRecords
	err := s.db.DB.Update(func(tx *bolt.Tx) error {
		old = readKeyRecords(tx)
		return keyRecords{}.put(tx.Bucket(bMeta))
	})
	if err != nil {
		return err
	}
	if s.crypt != nil {
		clear(s.crypt.raw)
	}
	if err := s.db.DB.Update(func(*bolt.Tx) error { return scrub(s.path, old.blobs()) }); err != nil {
		return err
	}
	if old.keyringID != nil && kr != nil {
		if err := kr.Delete(string(old.keyringID)); err != nil {
			return fmt.Errorf("delete the keyring's key: %w", err)
		}
	}
	return s.Close()
}

// DestroyKeys makes the closed brug file at path unreadable for good, as
// Store.DestroyKeys does (kr nil means OSKeyring). A plain file has no
// keys; that is no error.
func DestroyKeys(path string, kr Keyring) error {
	if kr == nil {
		kr = OSKeyring{}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return fmt.Errorf("destroy keys of %s: %w", path, err)
	}
	var old keyRecords
	err = db.Update(func(tx *bolt.Tx) error {
		old = readKeyRecords(tx)
		if m := tx.Bucket(bMeta); m != nil {
			return keyRecords{}.put(m)
		}
		return nil
	})
	if err == nil {
		err = db.Update(func(*bolt.Tx) error { return scrub(path, old.blobs()) })
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("destroy keys of %s: %w", path, err)
	}
	if old.keyringID != nil {
		if err := kr.Delete(string(old.keyringID)); err != nil {
			return fmt.Errorf("destroy keys of %s: keyring: %w", path, err)
		}
	}
	return nil
}

// unlock reads the file's key records and, on an encrypted file, opens
// its file key with enc and starts sealing with it.
func (s *Store) unlock(enc *Encryption, readOnly, ksReadOnly bool, want FileKind) error {
	var r keyRecords
	var erased [][]byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		// A file of the other kind is refused as such, before its keys
		// are looked for.
		if m := tx.Bucket(bMeta); m != nil && want != FileAny {
			if k := m.Get(kKind); k != nil && FileKind(k) != want {
				return fmt.Errorf("%w: it is a %s file", ErrWrongKind, k)
			}
		}
		r = readKeyRecords(tx)
		if b := tx.Bucket(bErased); b != nil {
			b.ForEach(func(k, _ []byte) error { erased = append(erased, bytes.Clone(k)); return nil })
		}
		return nil
	}); err != nil {
		return err
	}
	if r.check == nil {
		if r.keyring != nil || r.pass != nil {
			return fmt.Errorf("%w: the file's check value is missing", ErrDamaged)
		}
		if r.keyringID == nil && s.hasKeysBucket() {
			// The keys were destroyed (DestroyKeys): nothing opens it.
			return ErrNoKey
		}
		return nil // a plain file
	}
	c, err := unlockRecords(r, enc)
	if err != nil {
		return err
	}
	return s.startCrypt(c, enc, readOnly, ksReadOnly, erased)
}

func (s *Store) hasKeysBucket() bool {
	has := false
	s.db.View(func(tx *bolt.Tx) error { has = tx.Bucket(bKeys) != nil; return nil })
	return has
}

// startCrypt makes c the store's keys: opens the separate key store if
// enc names one (deleting there the keys of dossiers erased in the data
// file, in case a crash came between the two), and hooks the commits.
func (s *Store) startCrypt(c *crypt, enc *Encryption, readOnly, ksReadOnly bool, erased [][]byte) error {
	c.db = s.db.DB
	scrubPath := s.path
	if enc != nil && enc.KeyStore != "" {
		ks, err := bolt.Open(enc.KeyStore, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: readOnly || ksReadOnly})
		if err != nil {
			return fmt.Errorf("key store %s: %w", enc.KeyStore, err)
		}
		c.ks, scrubPath = ks, enc.KeyStore
		if !readOnly && !ksReadOnly && len(erased) > 0 {
			var gone [][]byte
			err := ks.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bKeys)
				if b == nil {
					return nil
				}
				for _, k := range erased {
					if w := b.Get(k); w != nil {
						gone = append(gone, bytes.Clone(w))
						if err := b.Delete(k); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err == nil {
				err = ks.Update(func(*bolt.Tx) error { return scrub(scrubPath, gone) })
			}
			if err != nil {
				ks.Close()
				return fmt.Errorf("key store %s: %w", enc.KeyStore, err)
			}
		}
	}
	if c.ks != nil && !hasAnyKey(c.ks) && s.hasOps() {
		c.ks.Close()
		return fmt.Errorf("%w: the key store %s holds none of the file's dossier keys; is it the right one?", ErrNoKey, enc.KeyStore)
	}
	s.crypt = c
	s.db.before = c.beforeCommit
	db := s.db.DB
	if c.ks != nil {
		db = c.ks
	}
	// Scrubbing reads the whole file, so commits that come quickly after
	// one another (the drops of a sync) share one; Close scrubs the rest.
	var last time.Time // guarded by c.mu
	c.scrubNow = func() {
		gone := c.takeShred()
		if len(gone) == 0 {
			return
		}
		c.mu.Lock()
		last = time.Now()
		c.mu.Unlock()
		err := db.Update(func(*bolt.Tx) error { return scrub(scrubPath, gone) })
		if err == nil && c.ks != nil {
			err = s.db.DB.Update(func(*bolt.Tx) error { return scrub(s.path, gone) })
		}
		if err != nil {
			c.mu.Lock()
			c.shred = append(c.shred, gone...) // try again after the next commit
			c.mu.Unlock()
		}
	}
	s.db.after = func() {
		c.mu.Lock()
		due := time.Since(last) >= scrubEvery
		c.mu.Unlock()
		if due {
			c.scrubNow()
		}
	}
	return nil
}

// scrubEvery is the shortest time between two scrubs after commits.
var scrubEvery = 2 * time.Second

// lockNew makes the key records of a file this open created, and starts
// sealing with its key.
func (s *Store) lockNew(enc *Encryption) error {
	r, c, err := newKeyRecords(enc)
	if err != nil {
		return err
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return r.put(tx.Bucket(bMeta)) }); err != nil {
		return err
	}
	return s.startCrypt(c, enc, false, false, nil)
}

// Keyless lists the dossiers whose ops the file holds but whose data key
// is gone: with a key store apart (a server), the dossiers erased since
// the data file was copied, when an older copy was restored. Nothing of
// them can be read; the caller erases them. A plain file has none.
func (s *Store) Keyless() ([]string, error) {
	if s.crypt == nil {
		return nil, nil
	}
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOps).Cursor()
		for k, _ := c.First(); k != nil; {
			if len(k) < 16 {
				k, _ = c.Next()
				continue
			}
			dk := string(k[:16])
			s.crypt.mu.Lock()
			lerr := s.crypt.loadDossierKeys()
			_, ok := s.crypt.wrapped[dk]
			_, pend := s.crypt.pending[dk]
			s.crypt.mu.Unlock()
			if lerr != nil {
				return lerr
			}
			if !ok && !pend {
				out = append(out, idString([]byte(dk)))
			}
			next := append([]byte(dk), bytes.Repeat([]byte{0xff}, 17)...)
			k, _ = c.Seek(next)
		}
		return nil
	})
	return out, err
}

// PeekKind reads the kind marker of the brug file at path without
// opening it as a store (no keys needed), so a caller can pick the keys
// for it; FileAny when it cannot tell.
func PeekKind(path string) FileKind {
	if checkFile(path, true) != nil {
		return FileAny
	}
	bdb, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: 500 * time.Millisecond})
	if err != nil {
		return FileAny
	}
	defer bdb.Close()
	db := &boltDB{DB: bdb, path: path} // a damaged file: ErrDamaged, no panic
	kind := FileAny
	db.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bMeta); m != nil {
			kind = FileKind(m.Get(kKind))
		}
		return nil
	})
	return kind
}

func hasAnyKey(db *bolt.DB) bool {
	has := false
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bKeys); b != nil {
			k, _ := b.Cursor().First()
			has = k != nil
		}
		return nil
	})
	return has
}

func (s *Store) hasOps() bool {
	has := false
	s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bOps); b != nil {
			k, _ := b.Cursor().First()
			has = k != nil
		}
		return nil
	})
	return has
}
