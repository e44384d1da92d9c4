package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"

	berrors "go.etcd.io/bbolt/errors"

	bolt "go.etcd.io/bbolt"
)

// List summaries are kept in summaryChunks chunks (the summaries bucket,
// keyed by one byte: chunkOf the dossier id). A chunk's value is its
// dossiers' entries in id order, each the dossier id and its summary
// sealed with that dossier's own key, and the chunk as a whole is sealed
// with the file key (every value in the file is sealed). So:
//   - the list reads summaryChunks values, a few contiguous pages each,
//     rather than one record per dossier scattered over the file's pages
//     by months of commits;
//   - a toggle rewrites one chunk (about 40 dossiers, some 10 KB), and an
//     entry that did not change keeps its sealed bytes;
//   - erasing a dossier deletes its data key, so its entry (also in old
//     copies of the chunk left in free pages) no longer opens, and takes
//     the entry out of its chunk.
//
// Before this layout each dossier's summary was a record of its own in the
// bucket "summaries" (schema 5 as first released; bSummariesOld). The summaries
// are derived, so the layout is not a schema change: the bucket's name
// says which layout a file has, and a file opened for writing with the
// old one has its summaries derived again from the log on open
// (convertSummaries); a read-only open reads the old records as they are.

// summaryChunks is the number of chunks; chunkOf spreads dossiers over
// them evenly whatever their ids look like.
const summaryChunks = 256

// chunkOf is the chunk key of dossier dkey.
func chunkOf(dkey []byte) []byte {
	h := fnv.New32a()
	h.Write(dkey)
	return []byte{byte(h.Sum32())}
}

// summaryEntry is one dossier's entry of a chunk: its id and its summary
// sealed for it.
type summaryEntry struct {
	id     []byte
	sealed []byte
}

// encodeChunk lays entries (sorted by id) out as a chunk's plain value.
func encodeChunk(entries []summaryEntry) []byte {
	n := 0
	for _, e := range entries {
		n += 16 + binary.MaxVarintLen32 + len(e.sealed)
	}
	out := make([]byte, 0, n)
	for _, e := range entries {
		out = append(out, e.id...)
		out = binary.AppendUvarint(out, uint64(len(e.sealed)))
		out = append(out, e.sealed...)
	}
	return out
}

// decodeChunk splits a chunk's plain value into its entries, which point
// into b.
func decodeChunk(b []byte) ([]summaryEntry, error) {
	var out []summaryEntry
	for len(b) > 0 {
		if len(b) < 17 {
			return nil, fmt.Errorf("%w: a summary chunk is cut short", ErrDamaged)
		}
		id := b[:16]
		n, w := binary.Uvarint(b[16:])
		if w <= 0 || n > uint64(len(b)-16-w) {
			return nil, fmt.Errorf("%w: a summary chunk is cut short", ErrDamaged)
		}
		start := 16 + w
		out = append(out, summaryEntry{id: id, sealed: b[start : start+int(n)]})
		b = b[start+int(n):]
	}
	return out, nil
}

// readChunk opens the chunk value raw (bbolt memory allowed) into its
// entries.
func (s *Store) readChunk(raw []byte) ([]summaryEntry, error) {
	plain, err := s.openFor(nil, raw)
	if err != nil {
		return nil, fmt.Errorf("read summary chunk: %w", err)
	}
	return decodeChunk(plain)
}

// writeChunk stores entries (sorted by id) as chunk ck of b, or deletes
// the chunk when there are none.
func (s *Store) writeChunk(put func(k, v []byte) error, del func(k []byte) error, ck []byte, entries []summaryEntry) error {
	if len(entries) == 0 {
		return del(ck)
	}
	sealed, err := s.sealFor(nil, encodeChunk(entries))
	if err != nil {
		return err
	}
	return put(ck, sealed)
}

// chunkEntry is one dossier's encoded summary, as an import collects it.
type chunkEntry struct {
	key []byte // dossier id, 16 bytes
	enc []byte // encodeSummary
}

// summaryChunksOf seals entries (any order; no dossier twice) for their
// dossiers and groups them into chunks, for a bucket that has none of
// them: put is called for each chunk in key order.
func (s *Store) summaryChunksOf(entries []chunkEntry, put func(k, v []byte) error) error {
	slices.SortFunc(entries, func(x, y chunkEntry) int { return bytes.Compare(x.key, y.key) })
	var chunks [summaryChunks][]summaryEntry
	for _, e := range entries {
		sealed, err := s.sealFor(e.key, e.enc)
		if err != nil {
			return err
		}
		ck := chunkOf(e.key)[0]
		chunks[ck] = append(chunks[ck], summaryEntry{id: e.key, sealed: sealed})
	}
	for i := range chunks {
		if len(chunks[i]) == 0 {
			continue
		}
		if err := s.writeChunk(put, nil, []byte{byte(i)}, chunks[i]); err != nil {
			return err
		}
	}
	return nil
}

// putSummaries writes entries (any order) into b, an empty summaries
// bucket.
func (s *Store) putSummaries(b *bolt.Bucket, entries []chunkEntry) error {
	b.FillPercent = 1
	return s.summaryChunksOf(entries, b.Put)
}

// readSummary opens and decodes one summary entry of dossier dkey.
func (s *Store) readSummary(dkey, raw []byte, sm *Summary) error {
	plain, err := s.openFor(dkey, raw)
	if err != nil {
		return fmt.Errorf("read summary: %w", err)
	}
	return decodeSummary(plain, sm)
}

// summaryBatch keeps the summaries a transaction reads and writes decoded
// in memory, so materialising a dossier many times in one transaction (a
// sync, a rebuild) writes its chunk once.
type summaryBatch struct {
	s      *Store
	b      *bolt.Bucket
	old    bool                    // the bucket has the old layout (read-only)
	chunks map[byte][]summaryEntry // chunks read, entries copied out of bbolt
	cache  map[string]*Summary     // nil: deleted
	dirty  map[string]bool
}

func (s *Store) newSummaryBatch(tx *bolt.Tx) *summaryBatch {
	if s.oldSummaries {
		return &summaryBatch{s: s, b: tx.Bucket(bSummariesOld), old: true, cache: map[string]*Summary{}, dirty: map[string]bool{}}
	}
	return &summaryBatch{s: s, b: tx.Bucket(bSummaries), chunks: map[byte][]summaryEntry{}, cache: map[string]*Summary{}, dirty: map[string]bool{}}
}

// chunk reads chunk ck once per batch.
func (sb *summaryBatch) chunk(ck byte) ([]summaryEntry, error) {
	if es, ok := sb.chunks[ck]; ok {
		return es, nil
	}
	var es []summaryEntry
	if raw := sb.b.Get([]byte{ck}); raw != nil {
		var err error
		if es, err = sb.s.readChunk(raw); err != nil {
			return nil, err
		}
	}
	sb.chunks[ck] = es
	return es, nil
}

// get reads one dossier's summary; ok is false when it has none.
func (sb *summaryBatch) get(dkey []byte) (sm Summary, ok bool, err error) {
	if c, hit := sb.cache[string(dkey)]; hit {
		if c == nil {
			return sm, false, nil
		}
		return *c, true, nil
	}
	if sb.old {
		raw := sb.b.Get(dkey)
		if raw == nil {
			return sm, false, nil
		}
		return sm, true, sb.s.readSummary(dkey, raw, &sm)
	}
	es, err := sb.chunk(chunkOf(dkey)[0])
	if err != nil {
		return sm, false, err
	}
	i, found := slices.BinarySearchFunc(es, dkey, func(e summaryEntry, k []byte) int { return bytes.Compare(e.id, k) })
	if !found {
		return sm, false, nil
	}
	return sm, true, sb.s.readSummary(dkey, es[i].sealed, &sm)
}

// put stores (or, with sm nil, deletes) one dossier's summary in memory;
// flush writes the chunks that changed.
func (sb *summaryBatch) put(dkey []byte, sm *Summary) error {
	if sb.old {
		return fmt.Errorf("%w: the summaries have the old layout; open the file for writing", ErrInvalid)
	}
	if sm != nil {
		c := *sm
		sm = &c
	}
	sb.cache[string(dkey)] = sm
	sb.dirty[string(dkey)] = true
	return nil
}

// flush writes every chunk with a summary that changed, in key order.
func (sb *summaryBatch) flush() error {
	if len(sb.dirty) == 0 {
		return nil
	}
	byChunk := map[byte][]string{}
	for k := range sb.dirty {
		ck := chunkOf([]byte(k))[0]
		byChunk[ck] = append(byChunk[ck], k)
	}
	cks := make([]byte, 0, len(byChunk))
	for ck := range byChunk {
		cks = append(cks, ck)
	}
	slices.Sort(cks)
	for _, ck := range cks {
		es, err := sb.chunk(ck)
		if err != nil {
			return err
		}
		es = slices.Clone(es)
		for _, k := range byChunk[ck] {
			dkey := []byte(k)
			i, found := slices.BinarySearchFunc(es, dkey, func(e summaryEntry, k []byte) int { return bytes.Compare(e.id, k) })
			sm := sb.cache[k]
			if sm == nil {
				if found {
					es = slices.Delete(es, i, i+1)
				}
				continue
			}
			sealed, err := sb.s.sealFor(dkey, encodeSummary(sm))
			if err != nil {
				return err
			}
			if found {
				es[i].sealed = sealed
			} else {
				es = slices.Insert(es, i, summaryEntry{id: dkey, sealed: sealed})
			}
		}
		if err := sb.s.writeChunk(sb.b.Put, sb.b.Delete, []byte{ck}, es); err != nil {
			return err
		}
		sb.chunks[ck] = es
	}
	clear(sb.dirty)
	return nil
}

// getSummary reads one dossier's summary; ok is false when it has none.
func (s *Store) getSummary(tx *bolt.Tx, dkey []byte) (Summary, bool, error) {
	return s.newSummaryBatch(tx).get(dkey)
}

// putSummary stores (or, with sm nil, deletes) one dossier's summary.
func (s *Store) putSummary(tx *bolt.Tx, dkey []byte, sm *Summary) error {
	sb := s.newSummaryBatch(tx)
	if err := sb.put(dkey, sm); err != nil {
		return err
	}
	return sb.flush()
}

// eachSummaryEntry calls fn with every dossier's id and sealed summary,
// chunk by chunk (raw may be bbolt memory).
func (s *Store) eachSummaryEntry(tx *bolt.Tx, fn func(dkey, raw []byte) error) error {
	if s.oldSummaries {
		return tx.Bucket(bSummariesOld).ForEach(fn)
	}
	return tx.Bucket(bSummaries).ForEach(func(_, v []byte) error {
		es, err := s.readChunk(v)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := fn(e.id, e.sealed); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachSummary calls fn for every summary, in dossier id order.
func (s *Store) eachSummary(tx *bolt.Tx, fn func(Summary) error) error {
	all, err := s.allSummaries(tx)
	if err != nil {
		return err
	}
	for _, sm := range all {
		if err := fn(sm); err != nil {
			return err
		}
	}
	return nil
}

// allSummaries reads every summary, in dossier id order: the entries are
// gathered and sorted first, so the summaries are decoded once into a
// slice of the right size. On an encrypted file the dossiers' wrapped
// keys are read meanwhile (summaryKeys).
func (s *Store) allSummaries(tx *bolt.Tx) ([]Summary, error) {
	keys := s.startSummaryKeys(tx)
	var es []summaryEntry
	var err error
	if s.oldSummaries {
		err = s.eachSummaryEntry(tx, func(k, v []byte) error {
			es = append(es, summaryEntry{id: k, sealed: v})
			return nil
		})
	} else {
		es, err = s.chunkEntries(tx)
	}
	if err == nil && !s.oldSummaries {
		sortEntries(es)
	}
	kp := keys()
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, nil
	}
	all := make([]Summary, len(es))
	if err := s.openSummaries(tx, es, all, kp); err != nil {
		return nil, err
	}
	return all, nil
}

// countSummaries is the number of dossiers with a summary.
func (s *Store) countSummaries(tx *bolt.Tx) (int, error) {
	n := 0
	err := s.eachSummaryEntry(tx, func(_, _ []byte) error { n++; return nil })
	return n, err
}

// convertSummaries derives the summaries of a file with the old layout
// (one record per dossier, bucket bSummariesOld, without the birth year)
// again from the log, into chunks, in one transaction (as Rebuild does);
// a read-only open reads the old layout instead.
func (s *Store) convertSummaries(readOnly bool) error {
	var old bool
	if err := s.db.View(func(tx *bolt.Tx) error { old = tx.Bucket(bSummariesOld) != nil; return nil }); err != nil {
		return err
	}
	if !old {
		return nil
	}
	if readOnly {
		s.oldSummaries = true
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bSummariesOld); err != nil {
			return err
		}
		for _, name := range stateBuckets {
			if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
				return fmt.Errorf("clear %s: %w", name, err)
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return fmt.Errorf("create %s: %w", name, err)
			}
		}
		return s.rebuild(tx)
	})
}
