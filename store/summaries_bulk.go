package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"runtime"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// The list of an encrypted file opens every dossier's summary with that
// dossier's own key. Done one by one through scopeKey, that meant reading
// all wrapped keys into a map first, then for each dossier a lock, an
// unwrap, a cached AEAD and two map updates: about half of the time to
// the list's first frame on a region of 10,000 dossiers. openSummaries is
// the same work without the detours: the entries (sorted by id) are
// matched with the keys bucket by one cursor walk in the same read
// transaction, and each entry's key is unwrapped and used at once, on
// all cores, leaving the key caches alone. It gives the same summaries
// and the same errors as readSummary entry by entry
// (TestOpenSummariesSameAsOneByOne).

// openSummaries decodes es (sorted by id) into all, which has their
// length.
func (s *Store) openSummaries(tx *bolt.Tx, es []summaryEntry, all []Summary) error {
	keys := tx.Bucket(bKeys)
	c := s.crypt
	if c == nil || c.ks != nil || keys == nil || s.oldSummaries || len(es) < 64 {
		return s.openSummariesOneByOne(es, all, nil)
	}
	wrapped := make([][]byte, len(es)) // nil: take the slow path
	cur := keys.Cursor()
	k, v := cur.Seek(es[0].id)
	for i, e := range es {
		for k != nil && bytes.Compare(k, e.id) < 0 {
			k, v = cur.Next()
		}
		if k != nil && bytes.Equal(k, e.id) {
			wrapped[i] = v
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	if workers < 2 {
		return s.openSummariesOneByOne(es, all, wrapped)
	}
	errs := make([]error, workers)
	per := (len(es) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(es))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = s.openSummariesOneByOne(es[lo:hi], all[lo:hi], wrapped[lo:hi])
		}()
	}
	wg.Wait()
	for _, err := range errs { // the first in id order, as one by one
		if err != nil {
			return err
		}
	}
	return nil
}

// openSummariesOneByOne decodes es into all; an entry with its wrapped
// key in wrapped is opened with it directly, the others through
// readSummary.
func (s *Store) openSummariesOneByOne(es []summaryEntry, all []Summary, wrapped [][]byte) error {
	var buf summaryOpener
	defer func() { clear(buf.key[:cap(buf.key)]) }() // no data key left behind in the heap
	for i, e := range es {
		if wrapped == nil || wrapped[i] == nil {
			if err := s.readSummary(e.id, e.sealed, &all[i]); err != nil {
				return err
			}
			continue
		}
		plain, err := buf.open(s.crypt, e.id, wrapped[i], e.sealed)
		if err != nil {
			return fmt.Errorf("read summary: dossier %x: %w", e.id, err)
		}
		if err := decodeSummary(plain, &all[i]); err != nil {
			return err
		}
	}
	return nil
}

// summaryOpener keeps the buffers one goroutine reuses to open entries.
type summaryOpener struct {
	ad    []byte
	key   []byte
	plain []byte
}

// open unwraps the dossier key w of dkey with the file key and opens
// sealed with it, as unwrapKey and openWith do; the result is valid until
// the next call.
func (o *summaryOpener) open(c *crypt, dkey, w, sealed []byte) ([]byte, error) {
	if len(w) != wrappedKeyLen || !bytes.HasPrefix(w, markerKey) {
		return nil, fmt.Errorf("%w: a dossier key is malformed", ErrDamaged)
	}
	o.ad = append(append(o.ad[:0], "brug/k"...), dkey...)
	wn := w[len(markerKey) : len(markerKey)+nonceSize]
	key, err := c.file.Open(o.key[:0], wn, w[len(markerKey)+nonceSize:], o.ad)
	if err != nil {
		return nil, fmt.Errorf("%w: a dossier key does not open", ErrDamaged)
	}
	o.key = key
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	if len(sealed) < sealOverhead || sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: a sealed value is malformed", ErrDamaged)
	}
	o.ad = append(append(o.ad[:0], "brug/d"...), dkey...) // scopeAD(dkey)
	plain, err := a.Open(o.plain[:0], sealed[1:1+nonceSize], sealed[1+nonceSize:], o.ad)
	if err != nil {
		return nil, fmt.Errorf("%w: a sealed value does not open (changed, or moved from another dossier)", ErrDamaged)
	}
	o.plain = plain
	return plain, nil
}
