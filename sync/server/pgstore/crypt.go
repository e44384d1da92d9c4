package pgstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
)

// Privacy at rest. Every op and draft is sealed (AES-256-GCM, a random
// nonce, the row's key as additional data) with its dossier's data key,
// as store/crypt.go does in a bbolt file. The data keys live in the key
// store (dossier_keys, migrations/keys), a database of its own where the
// operator gives one, wrapped by the master key. Erasing a dossier deletes
// its key after the erasure commits: the sealed bytes left in the data
// database's dead tuples, WAL and backups can no longer be opened. Each
// process caches the keys it unwrapped (keycache.go); an erasure by
// another process drops the key from this one's cache when its next
// write transaction begins.

const keySize = 32

// masterKey reads the master key from kr, making it on a new region.
func masterKey(kr store.Keyring) ([]byte, error) {
	k, err := kr.Get(MasterKeyName)
	if errors.Is(err, store.ErrNoKey) {
		k = make([]byte, keySize)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		if err := kr.Set(MasterKeyName, k); err != nil {
			return nil, fmt.Errorf("pgstore: keep the new master key: %w", err)
		}
		return kr.Get(MasterKeyName) // the key kept (a key file kept by another process first wins)
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: master key: %w", err)
	}
	if len(k) != keySize {
		return nil, fmt.Errorf("pgstore: master key: %d bytes, want %d", len(k), keySize)
	}
	return k, nil
}

// checkMaster records on a new region whether its keys are wrapped (and
// by which master key: a value sealed with it), and refuses a master key
// that is not the region's, or a missing one where the region has one:
// a server started with the wrong key would otherwise seal new dossiers
// with it and fail on the old ones.
func (s *Storage) checkMaster(ctx context.Context) error {
	const name, plain = "master_check", "brug region master key"
	var got []byte
	err := s.db.Data.QueryRow(ctx, "SELECT value FROM settings WHERE name = $1", name).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		v := []byte("none")
		if s.master != nil {
			if v, err = seal(s.master, []byte(name), []byte(plain)); err != nil {
				return err
			}
		}
		if _, err := s.db.Data.Exec(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", name, v); err != nil {
			return err
		}
		return s.checkMaster(ctx) // what is kept (another process may have been first)
	}
	if err != nil {
		return err
	}
	switch {
	case string(got) == "none" && s.master == nil:
		return nil
	case string(got) == "none":
		return errors.New("pgstore: the region keeps its dossiers' keys without a master key; start it without one")
	case s.master == nil:
		return errors.New("pgstore: the region's dossiers' keys are wrapped by a master key; give it (--master-key)")
	}
	if p, err := open(s.master, []byte(name), got); err != nil || string(p) != plain {
		return errors.New("pgstore: the master key given is not this region's")
	}
	return nil
}

// seal seals plain with key (AES-256-GCM), binding ad.
func seal(key, ad, plain []byte) ([]byte, error) {
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	return sealWith(aead, ad, plain)
}

// sealWith seals plain with aead and a random nonce, binding ad.
func sealWith(aead cipher.AEAD, ad, plain []byte) ([]byte, error) {
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, plain, ad), nil
}

// open opens what seal sealed.
func open(key, ad, sealed []byte) ([]byte, error) {
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	return openWith(nil, aead, ad, sealed)
}

// openWith opens what sealWith sealed, appending the plain text to dst.
func openWith(dst []byte, aead cipher.AEAD, ad, sealed []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return dst, fmt.Errorf("%w: a sealed value of %d bytes", store.ErrDamaged, len(sealed))
	}
	n := aead.NonceSize()
	p, err := aead.Open(dst, sealed[:n], sealed[n:], ad)
	if err != nil {
		return dst, fmt.Errorf("%w: a sealed value does not open", store.ErrDamaged)
	}
	return p, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// dossierKey is the data key of dossier key dk; with make, one is made
// (and committed to the key store before anything is sealed with it)
// when the dossier has none. Without, a missing key is store.ErrDossierKey.
func (s *Storage) dossierKey(ctx context.Context, dk []byte, make_ bool) ([]byte, error) {
	if k, ok := s.keys.load(dk); ok {
		return k, nil
	}
	var wrapped []byte
	err := s.db.Keys.QueryRow(ctx, "SELECT key FROM dossier_keys WHERE dossier = $1", dk).Scan(&wrapped)
	if errors.Is(err, pgx.ErrNoRows) {
		if !make_ {
			return nil, fmt.Errorf("dossier %s: %w", idText(dk), store.ErrDossierKey)
		}
		k := make([]byte, keySize)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		w := k
		if s.master != nil {
			if w, err = seal(s.master, append([]byte("dossier key "), dk...), k); err != nil {
				return nil, err
			}
		}
		if _, err := s.db.Keys.Exec(ctx, "INSERT INTO dossier_keys (dossier, key) VALUES ($1, $2) ON CONFLICT (dossier) DO NOTHING", dk, w); err != nil {
			return nil, fmt.Errorf("key store: %w", err)
		}
		return s.dossierKey(ctx, dk, false) // the key kept (another process may have been first)
	}
	if err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	return s.keepKey(dk, wrapped)
}

// keepKey unwraps the key of dossier dk as the key store keeps it and
// caches it; the next write transaction's BEGIN checks it against the
// tombstones (keycache.go).
func (s *Storage) keepKey(dk, wrapped []byte) ([]byte, error) {
	k := wrapped
	if s.master != nil {
		var err error
		if k, err = open(s.master, append([]byte("dossier key "), dk...), wrapped); err != nil {
			return nil, fmt.Errorf("key store: dossier %s: %w", idText(dk), err)
		}
	}
	if len(k) != keySize {
		return nil, fmt.Errorf("key store: dossier %s: %w: a key of %d bytes", idText(dk), store.ErrDamaged, len(k))
	}
	s.keys.keep(dk, k)
	return k, nil
}

// prefetchKeys reads the keys of dossiers dks (16-byte keys) that are not
// cached with one query: a pull's page opens the ops of a thousand
// dossiers or more, and each key was a round trip to the key store. A
// dossier without a key is left to dossierKey.
func (s *Storage) prefetchKeys(ctx context.Context, dks [][]byte) error {
	var want [][]byte
	for _, dk := range dks {
		if _, ok := s.keys.load(dk); !ok {
			want = append(want, dk)
		}
	}
	if len(want) == 0 {
		return nil
	}
	rows, err := s.db.Keys.Query(ctx, "SELECT dossier, key FROM dossier_keys WHERE dossier = ANY($1)", want)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	type row struct{ dk, wrapped []byte }
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.dk, &x.wrapped)
		return x, err
	})
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	for _, r := range rs {
		if len(r.dk) != 16 {
			continue
		}
		if _, err := s.keepKey(r.dk, r.wrapped); err != nil {
			return err
		}
	}
	return nil
}

// sealFor seals plain with dossier dk's key (made if need be), binding ad.
func (tx *Tx) sealFor(dk, ad, plain []byte) ([]byte, error) {
	aead, err := tx.cipherFor(dk, true)
	if err != nil {
		return nil, err
	}
	return sealWith(aead, ad, plain)
}

// openFor opens what sealFor sealed; once the dossier is erased the
// error wraps store.ErrDossierKey.
func (tx *Tx) openFor(dk, ad, sealed []byte) ([]byte, error) {
	return tx.openForInto(nil, dk, ad, sealed)
}

// openForInto is openFor appending the plain text to dst.
func (tx *Tx) openForInto(dst, dk, ad, sealed []byte) ([]byte, error) {
	aead, err := tx.cipherFor(dk, false)
	if err != nil {
		return dst, err
	}
	return openWith(dst, aead, ad, sealed)
}

// maxCiphers bounds the dossiers' ciphers a transaction keeps.
const maxCiphers = 1024

// cipherFor is the cipher of dossier dk's key (dossierKey), made once
// per transaction: making one (the key's AES schedule and GCM's tables)
// cost more than opening an op with it, and a pull opens some 75 ops of
// each dossier.
func (tx *Tx) cipherFor(dk []byte, make_ bool) (cipher.AEAD, error) {
	if len(dk) != 16 {
		return nil, fmt.Errorf("%w: dossier key of %d bytes", store.ErrInvalid, len(dk))
	}
	if c, ok := tx.ciphers[[16]byte(dk)]; ok {
		return c, nil
	}
	k, err := tx.s.dossierKey(tx.ctx, dk, make_)
	if err != nil {
		return nil, err
	}
	c, err := gcm(k)
	if err != nil {
		return nil, err
	}
	if tx.ciphers == nil || len(tx.ciphers) >= maxCiphers {
		tx.ciphers = make(map[[16]byte]cipher.AEAD)
	}
	tx.ciphers[[16]byte(dk)] = c
	return c, nil
}

// EraseDossier erases a dossier (text id) as store.Store.Erase does: its
// ops, replaced set and summary go, a tombstone stays, and then its key
// is deleted from the key store. Cut off between the two, running it
// again finishes it; until then the tombstone refuses its ops.
func (s *Storage) EraseDossier(id string) error {
	dk, err := idKey(id)
	if err != nil {
		return err
	}
	ctx := context.Background()
	err = pgx.BeginTxFunc(ctx, s.db.Data, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(t pgx.Tx) error {
		if _, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", writeLockID); err != nil {
			return err
		}
		for _, q := range []string{
			"INSERT INTO erased (dossier) VALUES ($1) ON CONFLICT DO NOTHING",
			"DELETE FROM oplog WHERE dossier = $1",
			"DELETE FROM replaced WHERE dossier = $1",
			"DELETE FROM summaries WHERE dossier = $1",
		} {
			if _, err := t.Exec(ctx, q, dk); err != nil {
				return fmt.Errorf("erase %s: %w", id, err)
			}
		}
		return nil
	})
	// The process's cache of head ops drops the dossier's ops whatever
	// the outcome (an erasure by another process empties it through
	// the count of changes).
	s.heads.drop([16]byte(dk), nil)
	if err != nil {
		return err
	}
	s.keys.drop(dk)
	if _, err := s.db.Keys.Exec(ctx, "DELETE FROM dossier_keys WHERE dossier = $1", dk); err != nil {
		return fmt.Errorf("erase %s: delete its key: %w", id, err)
	}
	s.keys.drop(dk)
	return nil
}

// Keyless lists the dossiers whose ops the data database holds but whose
// key the key store lacks: erased after this copy of the data was made
// (a restore), to be erased here too.
func (s *Storage) Keyless() ([]string, error) {
	ctx := context.Background()
	var out []string
	dossiers, err := collect(ctx, s.db.Data, "SELECT DISTINCT dossier FROM oplog ORDER BY dossier")
	if err != nil {
		return nil, err
	}
	for _, dk := range dossiers {
		var has bool
		if err := s.db.Keys.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM dossier_keys WHERE dossier = $1)", dk).Scan(&has); err != nil {
			return nil, err
		}
		if !has {
			out = append(out, idText(dk))
		}
	}
	return out, nil
}

// collect runs a query of one bytea column and returns its rows.
func collect(ctx context.Context, q Querier, sql string, args ...any) ([][]byte, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}

// eachKey calls fn with each value of the one bytea column sql selects,
// in the order it gives, after reading them all (fn may query).
func (tx *Tx) eachKey(fn func(key []byte) error, sql string, args ...any) error {
	keys, err := collect(tx.ctx, tx.tx, sql, args...)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// Counts counts the ops of the log and the dossiers that have any (as the
// store's Stats does: erased dossiers have none).
func (s *Storage) Counts() (ops, dossiers int, err error) {
	err = s.db.Data.QueryRow(context.Background(), "SELECT count(*), count(DISTINCT dossier) FROM oplog").Scan(&ops, &dossiers)
	return ops, dossiers, err
}
