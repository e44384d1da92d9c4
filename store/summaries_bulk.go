package store

import (
	"bytes"
	"cmp"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// The list of an encrypted file opens every dossier's summary with that
// dossier's own key. Done one by one through scopeKey, that meant reading
// all wrapped keys into a map first, then for each dossier a lock, an
// unwrap, a cached AEAD and two map updates: about half of the time to
// the list's first frame on a region of 10,000 dossiers. openSummaries is
// the same work without the detours: the keys bucket is read with pread
// (bucketPairs, pageread.go: its leaves lie scattered over the file, and
// a page fault on each costs more than the rest of the list), or else
// walked with a cursor; the entries (sorted by id) are split over the
// cores, each part matched with the keys, and each entry's key is
// unwrapped and used at once, leaving the key caches alone. It gives the
// same summaries and the same errors as readSummary entry by entry
// (TestOpenSummariesSameAsOneByOne).

// summaryKeys are the dossiers' wrapped keys as openSummaries takes
// them: direct, when each entry's key is to be unwrapped and used at once
// (an encrypted file with the keys in it), with the keys bucket's pairs
// read with pread (ok) or else left to a cursor walk; err when reading
// them failed.
type summaryKeys struct {
	direct bool
	pairs  []kvPair
	ok     bool
	err    error
}

// startSummaryKeys starts reading the wrapped keys of tx with pread
// (bucketPairs, pageread.go: its leaves lie scattered over the file, and
// a page fault on each costs more than the rest of the list) while the
// caller reads the summary chunks; the function returned waits for them.
func (s *Store) startSummaryKeys(tx *bolt.Tx) func() summaryKeys {
	keys := tx.Bucket(bKeys)
	c := s.crypt
	if c == nil || c.ks != nil || keys == nil || s.oldSummaries {
		return func() summaryKeys { return summaryKeys{} }
	}
	done := make(chan summaryKeys, 1)
	f := s.db.pageFile()
	go func() {
		var sk summaryKeys
		sk.err = s.guarded(func() (err error) {
			sk.pairs, sk.ok, err = bucketPairs(f, tx, keys)
			return err
		})
		sk.direct = true
		done <- sk
	}()
	return func() summaryKeys { return <-done }
}

// sortEntries sorts es by id (16 bytes each, as chunks hold them),
// comparing ids as two numbers rather than byte by byte.
func sortEntries(es []summaryEntry) {
	type idAt struct {
		hi, lo uint64
		at     int32
	}
	ids := make([]idAt, len(es))
	for i, e := range es {
		if len(e.id) != 16 {
			slices.SortFunc(es, func(x, y summaryEntry) int { return bytes.Compare(x.id, y.id) })
			return
		}
		ids[i] = idAt{binary.BigEndian.Uint64(e.id), binary.BigEndian.Uint64(e.id[8:]), int32(i)}
	}
	slices.SortFunc(ids, func(x, y idAt) int {
		if c := cmp.Compare(x.hi, y.hi); c != 0 {
			return c
		}
		return cmp.Compare(x.lo, y.lo)
	})
	sorted := make([]summaryEntry, len(es))
	for i, id := range ids {
		sorted[i] = es[id.at]
	}
	copy(es, sorted)
}

// openSummaries decodes es (sorted by id) into all, which has their
// length, with the wrapped keys sk (startSummaryKeys).
func (s *Store) openSummaries(tx *bolt.Tx, es []summaryEntry, all []Summary, sk summaryKeys) error {
	if len(es) == 0 {
		return nil
	}
	if sk.err != nil {
		return sk.err
	}
	direct, pairs, ok := sk.direct, sk.pairs, sk.ok
	keys := tx.Bucket(bKeys)
	workers := max(1, min(runtime.GOMAXPROCS(0), 8, len(es)/32))
	errs := make([]error, workers)
	per := (len(es) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(es))
		if lo >= hi {
			continue
		}
		// A cursor of its own, made here: the read transaction only
		// hands out pages of the read-only map to the workers.
		var cur *bolt.Cursor
		if direct && !ok {
			cur = keys.Cursor()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = s.guarded(func() error {
				var wrapped [][]byte
				switch {
				case ok:
					wrapped = matchPairs(pairs, es[lo:hi])
				case cur != nil:
					wrapped = matchCursor(cur, es[lo:hi])
				}
				return s.openSummariesOneByOne(es[lo:hi], all[lo:hi], wrapped)
			})
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

// matchCursor finds each entry's wrapped key (es sorted by id) with cur,
// which walks the keys bucket alongside; nil where there is none.
func matchCursor(cur *bolt.Cursor, es []summaryEntry) [][]byte {
	wrapped := make([][]byte, len(es)) // nil: take the slow path
	k, v := cur.Seek(es[0].id)
	for i, e := range es {
		for k != nil && bytes.Compare(k, e.id) < 0 {
			k, v = cur.Next()
		}
		if k != nil && bytes.Equal(k, e.id) {
			wrapped[i] = v
		}
	}
	return wrapped
}

// matchPairs is matchCursor over the keys bucket's pairs (in key order).
func matchPairs(pairs []kvPair, es []summaryEntry) [][]byte {
	wrapped := make([][]byte, len(es))
	j, _ := slices.BinarySearchFunc(pairs, es[0].id, func(p kvPair, id []byte) int { return bytes.Compare(p.k, id) })
	for i, e := range es {
		for j < len(pairs) && bytes.Compare(pairs[j].k, e.id) < 0 {
			j++
		}
		if j < len(pairs) && bytes.Equal(pairs[j].k, e.id) {
			wrapped[i] = pairs[j].v
		}
	}
	return wrapped
}

// openSummariesOneByOne decodes es into all; an entry with its wrapped
// key in wrapped is opened with it directly, the others through openFor.
// The plain texts are gathered first, so that the summaries' strings are
// cut from one string and their slices from one pool (decodeSummaryIn);
// the error is the one of the first entry in order that fails, to open
// or to decode, as readSummary entry by entry gives.
func (s *Store) openSummariesOneByOne(es []summaryEntry, all []Summary, wrapped [][]byte) error {
	var buf summaryOpener
	defer func() { clear(buf.key[:cap(buf.key)]) }() // no data key left behind in the heap
	size := 0
	for _, e := range es {
		size += len(e.sealed)
	}
	arena := make([]byte, 0, size)
	ends := make([]int, len(es))
	var openErr error
	opened := len(es)
	for i, e := range es {
		if wrapped == nil || wrapped[i] == nil {
			plain, err := s.openFor(e.id, e.sealed)
			if err != nil {
				openErr, opened = fmt.Errorf("read summary: %w", err), i
				break
			}
			arena = append(arena, plain...)
		} else {
			var err error
			if arena, err = buf.open(s.crypt, e.id, wrapped[i], e.sealed, arena); err != nil {
				openErr, opened = fmt.Errorf("read summary: dossier %x: %w", e.id, err), i
				break
			}
		}
		ends[i] = len(arena)
	}
	src := string(arena)
	var pool decPool
	start := 0
	for i := range opened {
		if err := decodeSummaryIn(arena[start:ends[i]], src[start:ends[i]], &pool, &all[i]); err != nil {
			return err
		}
		start = ends[i]
	}
	return openErr
}

// summaryOpener keeps the buffers one goroutine reuses to open entries.
type summaryOpener struct {
	ad  []byte
	key []byte
}

// open unwraps the dossier key w of dkey with the file key and opens
// sealed with it, as unwrapKey and openWith do, appending the plain text
// to dst.
func (o *summaryOpener) open(c *crypt, dkey, w, sealed, dst []byte) ([]byte, error) {
	if len(w) != wrappedKeyLen || !bytes.HasPrefix(w, markerKey) {
		return dst, fmt.Errorf("%w: a dossier key is malformed", ErrDamaged)
	}
	o.ad = append(append(o.ad[:0], "brug/k"...), dkey...)
	wn := w[len(markerKey) : len(markerKey)+nonceSize]
	key, err := c.file.Open(o.key[:0], wn, w[len(markerKey)+nonceSize:], o.ad)
	if err != nil {
		return dst, fmt.Errorf("%w: a dossier key does not open", ErrDamaged)
	}
	o.key = key
	b, err := aes.NewCipher(key)
	if err != nil {
		return dst, err
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return dst, err
	}
	if len(sealed) < sealOverhead || sealed[0] != sealVersion {
		return dst, fmt.Errorf("%w: a sealed value is malformed", ErrDamaged)
	}
	o.ad = append(append(o.ad[:0], "brug/d"...), dkey...) // scopeAD(dkey)
	out, err := a.Open(dst, sealed[1:1+nonceSize], sealed[1+nonceSize:], o.ad)
	if err != nil {
		return dst, fmt.Errorf("%w: a sealed value does not open (changed, or moved from another dossier)", ErrDamaged)
	}
	return out, nil
}

// chunkEntries opens every summary chunk, split over the cores, and
// returns their entries (in chunk order; they point into the opened
// chunks).
func (s *Store) chunkEntries(tx *bolt.Tx) ([]summaryEntry, error) {
	// (Through the map: the chunks' pages lie near one another, so the
	// kernel maps many at each fault, and pread would only copy them.)
	var raws [][]byte
	if err := tx.Bucket(bSummaries).ForEach(func(_, v []byte) error {
		raws = append(raws, v)
		return nil
	}); err != nil {
		return nil, err
	}
	parts := make([][]summaryEntry, len(raws))
	workers := min(runtime.GOMAXPROCS(0), 8, max(len(raws)/16, 1))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = s.guarded(func() error {
				for i := w; i < len(raws); i += workers {
					var err error
					if parts[i], err = s.readChunk(raws[i]); err != nil {
						return err
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	es := make([]summaryEntry, 0, n)
	for _, p := range parts {
		es = append(es, p...)
	}
	return es, nil
}

// guarded runs fn with a memory fault in reading the mapped file (a
// damaged or cut-off file) turned into ErrDamaged, as the store's
// transactions do on their own goroutine: the workers above read the
// map on goroutines of their own.
func (s *Store) guarded(fn func() error) (err error) {
	defer guardDamage(s.db.path, &err, debug.SetPanicOnFault(true))
	return fn()
}
