package store

// Encryption at rest: the key hierarchy.
//
//	OS keyring key  or  passphrase --Argon2id-->  key-encryption key
//	        |                                            |
//	        +------------- wraps (AES-256-GCM) ----------+
//	                              |
//	                         file key (32 random bytes)
//	                 seals the file's own values (meta settings, a
//	                 server's accounts and audit log) and wraps every
//	                 dossier's data key and the summary chunks' keys
//	                              |
//	                 data key per dossier (32 random bytes), kept
//	                 wrapped in the keys bucket (or a server's key
//	                 store), seals that dossier's ops and heads
//
// Every sealed value is AES-256-GCM with a random 96-bit nonce, and its
// scope (the dossier's id, or the file) is its additional data: a value
// copied under another dossier's key does not open. Erasing or dropping a
// dossier deletes its data key in the same transaction, and the wrapped
// key's bytes are then overwritten wherever they are left in the file
// (crypto-erasure); docs/merge.md describes what that does and does not
// cover.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/crypto/argon2"

	bolt "go.etcd.io/bbolt"
)

// Errors of encryption at rest. ErrDamaged (damage.go) is returned for a
// sealed value or key record that does not open although the key is right.
var (
	// ErrNeedPassphrase: the file is locked with a passphrase (and no key
	// in the keyring opens it); set Encryption.Passphrase.
	ErrNeedPassphrase = errors.New("the file is locked with a passphrase")
	// ErrChoosePassphrase: a new or plain file is to be encrypted and there
	// is no keyring to keep its key; set Encryption.Passphrase to a new
	// passphrase (ask it twice).
	ErrChoosePassphrase = errors.New("there is no keyring to keep the file's key; choose a passphrase")
	// ErrWrongPassphrase: the passphrase does not open the file's key.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrNoKey: the key that opens the file is gone (its keyring entry was
	// deleted, or the keys were destroyed) and the file has no passphrase.
	ErrNoKey = errors.New("the key that opens this file is gone")
	// ErrEncrypted: an encrypted file was opened without Options.Encryption.
	ErrEncrypted = errors.New("the file is encrypted")
	// ErrDossierKey: a dossier's data key is missing (the dossier was
	// erased or dropped here).
	ErrDossierKey = errors.New("the dossier's key is gone")
)

// Keyring keeps the key that wraps a file's key, under a name. OSKeyring
// is the computer's keyring; KeyFile a file beside the data (demo, server).
type Keyring interface {
	// Get returns the key stored under name, or an error wrapping ErrNoKey
	// when there is none.
	Get(name string) ([]byte, error)
	Set(name string, key []byte) error
	// Delete removes the key; deleting a missing key is no error.
	Delete(name string) error
}

// Encryption configures encryption at rest (Options.Encryption).
type Encryption struct {
	// Keyring keeps the key that wraps the file key; nil: no keyring,
	// a passphrase is needed.
	Keyring Keyring
	// Passphrase opens a file locked with one, or locks a new or plain
	// file when there is no keyring (ErrChoosePassphrase).
	Passphrase []byte
	// Progress is called while an existing plain file is encrypted (done
	// and total values). May be nil.
	Progress func(done, total int)
	// KeyStore, when set, keeps the dossiers' wrapped data keys in this
	// separate bbolt file instead of the data file (a sync server: a
	// restored older copy of the data file cannot bring back a dossier
	// erased since).
	KeyStore string
	// SealedBuckets names the caller's x_ buckets whose values are sealed
	// with Tx.Seal, so that encrypting a plain file re-seals them.
	SealedBuckets []string
	// DossierBuckets names the caller's x_ buckets whose keys begin with a
	// dossier's 16-byte id and whose values are sealed with Tx.SealFor
	// for that dossier, so that encrypting a plain file re-seals them.
	DossierBuckets []string
	// Argon2 overrides the Argon2id parameters of a new passphrase; nil
	// means DefaultArgon2.
	Argon2 *Argon2Params
}

// Argon2Params are the Argon2id parameters a passphrase is stretched
// with. They are stored beside the wrapped key, so a file made with other
// parameters still opens.
type Argon2Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 is RFC 9106's second recommended option (t=3, 64 MiB,
// 4 lanes): a few hundred milliseconds on a laptop, and 64 MiB of memory
// per guess for whoever tries passphrases on a stolen file.
var DefaultArgon2 = Argon2Params{Time: 3, Memory: 64 * 1024, Threads: 4}

// Meta keys of the key records. They hold wrapped keys only.
var (
	kCryptCheck     = []byte("crypt_check")      // a constant sealed with the file key
	kCryptKeyring   = []byte("crypt_keyring")    // file key wrapped by the keyring's key (record)
	kCryptKeyringID = []byte("crypt_keyring_id") // the keyring entry's name
	kCryptPass      = []byte("crypt_pass")       // file key wrapped by the passphrase's key (record)
	bKeys           = []byte("keys")             // dossier id -> data key wrapped by the file key
)

const (
	sealVersion  = 1
	nonceSize    = 12
	keySize      = 32
	sealOverhead = 1 + nonceSize + 16
	checkText    = "brug file key"
	keyringSvc   = "brug"
)

// markerKey starts every wrapped data key, so that scrub finds the copies
// of one left in free pages of the file quickly.
var markerKey = []byte("bk1:")

// wrappedKeyLen is the length of a wrapped data key.
const wrappedKeyLen = 4 + nonceSize + keySize + 16

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func randomKey() []byte {
	k := make([]byte, keySize)
	if _, err := io.ReadFull(rand.Reader, k); err != nil {
		panic("brug: no randomness: " + err.Error())
	}
	return k
}

// scopeAD is the additional data of a value of the dossier dkey (nil: of
// the file).
func scopeAD(dkey []byte) []byte {
	if dkey == nil {
		return []byte("brug/f")
	}
	return append([]byte("brug/d"), dkey...)
}

func sealWith(a cipher.AEAD, ad, plain []byte) []byte {
	out := make([]byte, 1+nonceSize, sealOverhead+len(plain))
	out[0] = sealVersion
	if _, err := io.ReadFull(rand.Reader, out[1:]); err != nil {
		panic("brug: no randomness: " + err.Error())
	}
	return a.Seal(out, out[1:1+nonceSize], plain, ad)
}

func openWith(a cipher.AEAD, ad, sealed []byte) ([]byte, error) {
	if len(sealed) < sealOverhead || sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: a sealed value is malformed", ErrDamaged)
	}
	plain, err := a.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], ad)
	if err != nil {
		// An attacker who changes a value, or copies one from another
		// dossier, gets this error, never the plain text.
		return nil, fmt.Errorf("%w: a sealed value does not open (changed, or moved from another dossier)", ErrDamaged)
	}
	return plain, nil
}

// crypt holds the keys of an open encrypted file.
type crypt struct {
	file cipher.AEAD
	raw  []byte // the file key, for rewrapping

	mu       sync.Mutex
	keys     map[string]cipher.AEAD // AEADs of recently used keys, at most maxKeyCache
	rawKeys  map[string][]byte      // unwrapped keys, as used
	wrapped  map[string][]byte      // every committed wrapped key
	pending  map[string][]byte      // wrapped keys made here, not yet committed
	shred    [][]byte               // wrapped keys deleted, to scrub from the files after commit
	scrubNow func()                 // scrubs what shred holds now (startCrypt)
	// dossiersLoaded: wrapped holds the dossiers' keys (loadDossierKeys).
	dossiersLoaded bool

	ks *bolt.DB // a separate key store, or nil: the keys bucket of the data file
	db *bolt.DB // the data file
}

func newCrypt(fileKey []byte) (*crypt, error) {
	a, err := newAEAD(fileKey)
	if err != nil {
		return nil, err
	}
	return &crypt{file: a, raw: fileKey, keys: map[string]cipher.AEAD{}, rawKeys: map[string][]byte{}, wrapped: map[string][]byte{}, pending: map[string][]byte{}}, nil
}

func (c *crypt) wrapKey(id string, key []byte) []byte {
	w := sealWith(c.file, append([]byte("brug/k"), id...), key)
	return append(append([]byte(nil), markerKey...), w[1:]...) // the marker in place of the version byte
}

func (c *crypt) unwrapKey(id string, w []byte) ([]byte, error) {
	if len(w) != wrappedKeyLen || !bytes.HasPrefix(w, markerKey) {
		return nil, fmt.Errorf("%w: a dossier key is malformed", ErrDamaged)
	}
	key, err := openWith(c.file, append([]byte("brug/k"), id...), append([]byte{sealVersion}, w[len(markerKey):]...))
	if err != nil {
		return nil, fmt.Errorf("%w: a dossier key does not open", ErrDamaged)
	}
	return key, nil
}

// maxKeyCache bounds the AEADs kept ready: an AES-GCM AEAD holds about a
// kilobyte of key schedule and tables, so opening the list of 10,000
// dossiers would otherwise keep 10 MB of them; a key's 32 bytes are kept
// for every dossier used, and its AEAD made again when needed (well under
// a microsecond).
const maxKeyCache = 256

// cacheAEAD keeps a for id, making room first; c.mu is held.
func (c *crypt) cacheAEAD(id string, a cipher.AEAD) {
	if len(c.keys) >= maxKeyCache {
		for k := range c.keys {
			delete(c.keys, k)
			break
		}
	}
	c.keys[id] = a
}

// dossierKey is the AEAD of the dossier dkey (see scopeKey).
func (c *crypt) dossierKey(dkey []byte, create bool) (cipher.AEAD, error) {
	if len(dkey) != 16 {
		return nil, fmt.Errorf("%w: a dossier scope of %d bytes", ErrInvalid, len(dkey))
	}
	return c.scopeKey(string(dkey), create)
}

// scopeKey is the AEAD of the key id (a dossier's 16-byte id). With create, an id without a key gets a
// new one, written to the file with the next commit (beforeCommit), so
// never after a value sealed with it. The lock is held throughout, so
// that a key forgotten by a commit is not brought back into the cache by
// a read that began before it.
func (c *crypt) scopeKey(id string, create bool) (cipher.AEAD, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.keys[id]; ok {
		return a, nil
	}
	if key, ok := c.rawKeys[id]; ok {
		a, err := newAEAD(key)
		if err != nil {
			return nil, err
		}
		c.cacheAEAD(id, a)
		return a, nil
	}
	if len(id) == 16 {
		if err := c.loadDossierKeys(); err != nil {
			return nil, err
		}
	}
	if w, ok := c.wrapped[id]; ok {
		key, err := c.unwrapKey(id, w)
		if err != nil {
			return nil, err
		}
		a, err := newAEAD(key)
		if err != nil {
			return nil, err
		}
		c.rawKeys[id] = key
		c.cacheAEAD(id, a)
		return a, nil
	}
	if !create {
		return nil, ErrDossierKey
	}
	key := randomKey()
	a, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	c.rawKeys[id] = key
	c.cacheAEAD(id, a)
	c.pending[id] = c.wrapKey(id, key)
	return a, nil
}

// loadWrapped reads the wrapped keys of db that want takes into memory:
// the file is brug's alone while open, so the map stays true; keys are
// unwrapped when first used. The dossiers' keys (one per dossier) are
// read when the first is needed.
func (c *crypt) loadWrapped(db *bolt.DB, want func(k []byte) bool) error {
	return db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bKeys)
		if b == nil {
			return nil
		}
		// The wrapped keys are copied into blocks of 64 KiB, not one
		// allocation each (10,000 of them open the list).
		var block []byte
		return b.ForEach(func(k, v []byte) error {
			if want(k) {
				if _, ok := c.wrapped[string(k)]; !ok {
					if cap(block)-len(block) < len(v) {
						block = make([]byte, 0, max(64<<10, len(v)))
					}
					block = append(block, v...)
					c.wrapped[string(k)] = block[len(block)-len(v) : len(block) : len(block)]
				}
			}
			return nil
		})
	})
}

func isDossierKeyID(k []byte) bool { return len(k) == 16 }

// loadDossierKeys reads the dossiers' wrapped keys once; c.mu is held.
func (c *crypt) loadDossierKeys() error {
	if c.dossiersLoaded {
		return nil
	}
	if err := c.loadWrapped(c.keyDB(), isDossierKeyID); err != nil {
		return err
	}
	c.dossiersLoaded = true
	return nil
}

func (c *crypt) seal(dkey, plain []byte) ([]byte, error) {
	if dkey == nil {
		return sealWith(c.file, scopeAD(nil), plain), nil
	}
	a, err := c.dossierKey(dkey, true)
	if err != nil {
		return nil, err
	}
	return sealWith(a, scopeAD(dkey), plain), nil
}

// sealInPlace seals values of the dossier dkey in one pass, each in the
// memory it lies in: vals[i] is sealRoomHead bytes of room, the plain
// text, and sealRoomTail bytes of room, and becomes what seal makes of the
// plain text. The dossier's key is looked up once and the nonces come from
// the random source in one read (each still 12 random bytes of its own).
func (c *crypt) sealInPlace(dkey []byte, vals [][]byte) error {
	a, err := c.dossierKey(dkey, true)
	if err != nil {
		return err
	}
	for _, v := range vals {
		if len(v) < sealOverhead {
			return fmt.Errorf("%w: no room to seal a value in place", ErrInvalid)
		}
	}
	ad := scopeAD(dkey)
	nonces := make([]byte, nonceSize*len(vals))
	if _, err := io.ReadFull(rand.Reader, nonces); err != nil {
		panic("brug: no randomness: " + err.Error())
	}
	for i, v := range vals {
		v[0] = sealVersion
		nonce := v[1:sealRoomHead]
		copy(nonce, nonces[i*nonceSize:(i+1)*nonceSize])
		plain := v[sealRoomHead : len(v)-sealRoomTail]
		// The cipher text takes the plain text's place (dst and plain
		// overlap exactly, as cipher.AEAD allows) and the tag the room
		// after it.
		a.Seal(plain[:0], nonce, plain, ad)
	}
	return nil
}

// The room sealInPlace needs around a value: the version byte and the
// nonce before it, the tag after it.
const (
	sealRoomHead = 1 + nonceSize
	sealRoomTail = sealOverhead - sealRoomHead
)

func (c *crypt) open(dkey, sealed []byte) ([]byte, error) {
	if dkey == nil {
		return openWith(c.file, scopeAD(nil), sealed)
	}
	a, err := c.dossierKey(dkey, false)
	if err != nil {
		return nil, fmt.Errorf("dossier %x: %w", dkey, err)
	}
	return openWith(a, scopeAD(dkey), sealed)
}

// beforeCommit writes the keys made since the last commit into the
// transaction (or, with a separate key store, commits them there first:
// a key without values is harmless, values without their key are lost).
func (c *crypt) beforeCommit(tx *bolt.Tx) error {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return nil
	}
	batch := make(map[string][]byte, len(c.pending))
	for k, v := range c.pending {
		batch[k] = v
	}
	c.mu.Unlock()
	put := func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bKeys)
		if err != nil {
			return err
		}
		for k, v := range batch {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	}
	done := func() {
		c.mu.Lock()
		for k, v := range batch {
			if bytes.Equal(c.pending[k], v) {
				delete(c.pending, k)
				c.wrapped[k] = v
			}
		}
		c.mu.Unlock()
	}
	if c.ks != nil {
		if err := c.ks.Update(put); err != nil {
			return fmt.Errorf("key store: %w", err)
		}
		done()
		return nil
	}
	if err := put(tx); err != nil {
		return err
	}
	tx.OnCommit(done)
	return nil
}

// forget deletes the data key of the dossier dkey: from the transaction's
// keys bucket (or, with a key store, from the key store once tx commits),
// from memory once tx commits, and then (scrub) from the free pages of the
// files. A key made but not committed yet goes at once: the values sealed
// with it go with this transaction.
func (c *crypt) forget(tx *bolt.Tx, dkey []byte) error {
	dk := string(dkey)
	c.mu.Lock()
	if err := c.loadDossierKeys(); err != nil {
		c.mu.Unlock()
		return err
	}
	delete(c.pending, dk)
	delete(c.keys, dk)
	clearKey(c.rawKeys, dk)
	w := c.wrapped[dk]
	c.mu.Unlock()
	if w == nil {
		return nil
	}
	tx.OnCommit(func() {
		c.mu.Lock()
		delete(c.keys, dk)
		clearKey(c.rawKeys, dk)
		delete(c.wrapped, dk)
		c.mu.Unlock()
		if c.ks != nil {
			err := c.ks.Update(func(ktx *bolt.Tx) error {
				if b := ktx.Bucket(bKeys); b != nil {
					return b.Delete([]byte(dk))
				}
				return nil
			})
			if err != nil {
				return // the next open deletes it (startCrypt)
			}
		}
		c.mu.Lock()
		c.shred = append(c.shred, w)
		c.mu.Unlock()
	})
	if c.ks != nil {
		return nil
	}
	if b := tx.Bucket(bKeys); b != nil {
		return b.Delete([]byte(dk))
	}
	return nil
}

// takeShred returns and clears the wrapped keys waiting to be scrubbed.
func (c *crypt) takeShred() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.shred
	c.shred = nil
	return s
}

// scrub overwrites with zeros every copy of the given blobs (wrapped keys,
// key records) left in the file at path: bbolt frees the page a deleted
// value was on without clearing it, and older copies of the page may
// linger too. Each blob is random bytes after a 4-byte marker, so a match
// is that blob. It must run while no transaction writes the file (under
// bbolt's writer lock), and after the deletion committed.
func scrub(path string, gone [][]byte) error {
	if len(gone) == 0 {
		return nil
	}
	type group struct {
		lens map[int]bool
		set  map[string]bool
	}
	groups := map[string]*group{}
	longest := 0
	for _, g := range gone {
		if len(g) < 8 {
			continue
		}
		m := string(g[:4])
		gr := groups[m]
		if gr == nil {
			gr = &group{lens: map[int]bool{}, set: map[string]bool{}}
			groups[m] = gr
		}
		gr.lens[len(g)] = true
		gr.set[string(g)] = true
		longest = max(longest, len(g))
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	const chunk = 4 << 20
	buf := make([]byte, chunk+longest)
	wrote := false
	for off := int64(0); ; off += chunk {
		n, err := f.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return err
		}
		b := buf[:n]
		for m, gr := range groups {
			for i := 0; ; {
				j := bytes.Index(b[i:], []byte(m))
				if j < 0 || i+j >= chunk {
					break
				}
				at := i + j
				for l := range gr.lens {
					if at+l <= len(b) && gr.set[string(b[at:at+l])] {
						if _, err := f.WriteAt(make([]byte, l), off+int64(at)); err != nil {
							return err
						}
						wrote = true
					}
				}
				i = at + 1
			}
		}
		if n < len(buf) {
			break
		}
	}
	if wrote {
		return f.Sync()
	}
	return nil
}

// Key records in the meta bucket: a marker, the parameters, the wrapped
// file key, and a SHA-256 of all that before it. A record whose checksum
// holds but whose key does not open means a wrong key or passphrase; one
// whose checksum fails is damaged.

func sumRecord(body []byte) []byte {
	h := sha256.Sum256(body)
	return append(body, h[:]...)
}

func checkRecord(rec []byte, marker string) ([]byte, error) {
	if len(rec) < len(marker)+32 || !bytes.HasPrefix(rec, []byte(marker)) {
		return nil, fmt.Errorf("%w: a key record is malformed", ErrDamaged)
	}
	body := rec[:len(rec)-32]
	h := sha256.Sum256(body)
	if !bytes.Equal(h[:], rec[len(rec)-32:]) {
		return nil, fmt.Errorf("%w: a key record does not match its checksum", ErrDamaged)
	}
	return body[len(marker):], nil
}

var fileKeyAD = []byte("brug/file-key")

// keyringRecord wraps fileKey with kek: "bf1:" nonce+ct sum.
func keyringRecord(kek, fileKey []byte) ([]byte, error) {
	a, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	return sumRecord(append([]byte("bf1:"), sealWith(a, fileKeyAD, fileKey)[1:]...)), nil
}

func openKeyringRecord(rec, kek []byte) ([]byte, error) {
	body, err := checkRecord(rec, "bf1:")
	if err != nil {
		return nil, err
	}
	a, err := newAEAD(kek)
	if err != nil {
		return nil, fmt.Errorf("%w: the keyring's key is malformed", ErrNoKey)
	}
	k, err := a.Open(nil, body[:min(nonceSize, len(body))], body[min(nonceSize, len(body)):], fileKeyAD)
	if err != nil {
		return nil, fmt.Errorf("%w: the keyring's key does not open the file", ErrNoKey)
	}
	return k, nil
}

// passRecord wraps fileKey with a key from pass: "bp1:" salt(16) t m p
// nonce+ct sum.
func passRecord(pass, fileKey []byte, p Argon2Params) ([]byte, error) {
	salt := randomKey()[:16]
	kek := argon2.IDKey(pass, salt, p.Time, p.Memory, p.Threads, keySize)
	a, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	body := append([]byte("bp1:"), salt...)
	body = binary.BigEndian.AppendUint32(body, p.Time)
	body = binary.BigEndian.AppendUint32(body, p.Memory)
	body = append(body, p.Threads)
	body = append(body, sealWith(a, fileKeyAD, fileKey)[1:]...)
	return sumRecord(body), nil
}

func openPassRecord(rec, pass []byte) ([]byte, error) {
	body, err := checkRecord(rec, "bp1:")
	if err != nil {
		return nil, err
	}
	if len(body) != 16+4+4+1+nonceSize+keySize+16 {
		return nil, fmt.Errorf("%w: a passphrase record is malformed", ErrDamaged)
	}
	salt := body[:16]
	p := Argon2Params{Time: binary.BigEndian.Uint32(body[16:]), Memory: binary.BigEndian.Uint32(body[20:]), Threads: body[24]}
	// Bound what a damaged or hostile record can make us spend.
	if p.Time == 0 || p.Time > 64 || p.Memory < 8 || p.Memory > 4<<20 || p.Threads == 0 {
		return nil, fmt.Errorf("%w: a passphrase record has unusable parameters", ErrDamaged)
	}
	kek := argon2.IDKey(pass, salt, p.Time, p.Memory, p.Threads, keySize)
	a, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	ct := body[25:]
	k, err := a.Open(nil, ct[:nonceSize], ct[nonceSize:], fileKeyAD)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return k, nil
}

// keyDB is the bbolt file the dossiers' keys are kept in.
func (c *crypt) keyDB() *bolt.DB {
	if c.ks != nil {
		return c.ks
	}
	return c.db
}

// clearKey zeroes and forgets the key id of m.
func clearKey(m map[string][]byte, id string) {
	if k, ok := m[id]; ok {
		clear(k)
		delete(m, id)
	}
}
