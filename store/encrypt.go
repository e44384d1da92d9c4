package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// encryptHook, when set by a test, is called after every batch of the
// rewrite; an error stops it there, as a crash would.
var encryptHook func(done int) error

// encryptFile rewrites the plain file s is open on as an encrypted one:
// every value goes through the codec of a new set of keys, into a new file
// beside it, which is fsynced and renamed over the old one, and the folder
// fsynced. A crash leaves the old file (and a stray new one, removed on
// the next try) or the new one, never half of either. s stays open on the
// old file's inode; the caller closes it and opens the path again.
//
// Values are sealed for their scope as the store seals them (scopeOf);
// the values of the caller's x_ buckets are sealed for the file when
// enc.SealedBuckets names them, for the dossier their key begins with when
// enc.DossierBuckets does, and copied as they are otherwise.
func (s *Store) encryptFile(enc *Encryption, noSync bool) (err error) {
	tmp := s.path + ".encrypting"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	r, c, err := newKeyRecords(enc)
	if err != nil {
		return err
	}
	ndb, err := bolt.Open(tmp, 0o600, &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType, InitialMmapSize: initialMmapSize()})
	if err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	defer func() {
		if ndb != nil {
			ndb.Close()
		}
		if err != nil {
			os.Remove(tmp)
		}
	}()
	sealed := map[string]byte{}
	for _, b := range enc.SealedBuckets {
		sealed[b] = sealFile
	}
	for _, b := range enc.DossierBuckets {
		sealed[b] = sealDossier
	}
	// The new file's data keys go with the batch that first uses them.
	ns := &Store{db: &boltDB{DB: ndb, path: tmp}, path: tmp, crypt: c, method: s.method}
	c.db = ndb
	if enc.KeyStore != "" {
		ks, err := bolt.Open(enc.KeyStore, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			return fmt.Errorf("encrypt: key store %s: %w", enc.KeyStore, err)
		}
		defer ks.Close()
		c.ks = ks
	}
	ns.db.before = c.beforeCommit

	total := 0
	s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			total += b.Stats().KeyN
			return nil
		})
	})
	done := 0
	err = s.db.View(func(otx *bolt.Tx) error {
		var names [][]byte
		otx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, bytes.Clone(name))
			return nil
		})
		for _, name := range names {
			if bytes.Equal(name, bImport) { // an unfinished import: dropped, as on any open
				continue
			}
			if err := s.resealBucket(ns, otx.Bucket(name), name, sealed, &done, total, enc.Progress); err != nil {
				return fmt.Errorf("encrypt bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	if err := ns.db.Update(func(tx *bolt.Tx) error {
		m, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		return r.put(m)
	}); err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	if !noSync {
		if err := ndb.Sync(); err != nil {
			return fmt.Errorf("encrypt: %w", err)
		}
	}
	cerr := ndb.Close()
	ndb = nil
	if cerr != nil {
		return fmt.Errorf("encrypt: %w", cerr)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	return s.Close()
}

// resealBucket copies the bucket ob of the old file into ns, in batches,
// sealing each value for its scope.
func (s *Store) resealBucket(ns *Store, ob *bolt.Bucket, name []byte, sealed map[string]byte, done *int, total int, progress func(int, int)) error {
	type kv struct{ k, v []byte }
	var batch []kv
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := ns.db.Update(func(tx *bolt.Tx) error {
			nb, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			// Keys come in order: every put is an append, so full pages
			// (as the import fills the log), not 90% ones.
			nb.FillPercent = 1
			for _, e := range batch {
				if err := nb.Put(e.k, e.v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		*done += len(batch)
		batch, size = batch[:0], 0
		if progress != nil {
			progress(min(*done, total), total)
		}
		if encryptHook != nil {
			return encryptHook(*done)
		}
		return nil
	}
	// The bucket and its sequence, even when empty.
	if err := ns.db.Update(func(tx *bolt.Tx) error {
		nb, err := tx.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		return nb.SetSequence(ob.Sequence())
	}); err != nil {
		return err
	}
	c := ob.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil { // a nested bucket: no brug bucket has one but the import's
			continue
		}
		out := bytes.Clone(v)
		if bytes.Equal(name, bSummaries) {
			var err error
			if out, err = s.resealChunk(ns, v); err != nil {
				return err
			}
		} else if scope, ok := scopeOf(name, k, sealed); ok {
			plain, err := s.codec.Open(v)
			if err != nil {
				return err
			}
			if out, err = ns.sealFor(scope, plain); err != nil {
				return err
			}
		}
		batch = append(batch, kv{bytes.Clone(k), out})
		size += len(k) + len(out)
		if size > 4<<20 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// How the values of a caller's x_ bucket are sealed (scopeOf).
const (
	sealFile    = 'f' // Encryption.SealedBuckets: with the file key (Tx.Seal)
	sealDossier = 'd' // Encryption.DossierBuckets: with the key's dossier's (Tx.SealFor)
)

// scopeOf tells whether the value under key of the bucket is sealed, and
// for which scope, in this schema.
func scopeOf(bucket, key []byte, sealed map[string]byte) ([]byte, bool) {
	switch {
	case bytes.Equal(bucket, bOps):
		return dossierOf(key), true
	case bytes.Equal(bucket, bSummaries): // a chunk; its entries are sealed for their dossiers (resealChunk)
		return nil, true
	case bytes.Equal(bucket, bActors), bytes.Equal(bucket, bReads):
		return nil, true
	case bytes.Equal(bucket, bMeta):
		return nil, strings.HasPrefix(string(key), "x_")
	case strings.HasPrefix(string(bucket), "x_"):
		switch sealed[string(bucket)] {
		case sealFile:
			return nil, true
		case sealDossier:
			return dossierOf(key), len(key) >= 16
		}
	}
	return nil, false
}

// resealChunk opens a summary chunk of s (plain) and seals it again for ns:
// each entry for its dossier, the chunk with the file key.
func (s *Store) resealChunk(ns *Store, v []byte) ([]byte, error) {
	es, err := s.readChunk(v)
	if err != nil {
		return nil, err
	}
	for i, e := range es {
		plain, err := s.openFor(e.id, e.sealed)
		if err != nil {
			return nil, err
		}
		if es[i].sealed, err = ns.sealFor(e.id, plain); err != nil {
			return nil, err
		}
	}
	return ns.sealFor(nil, encodeChunk(es))
}
