package store

import (
	"bytes"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// List summaries are kept in summaryChunks values rather than one key per
// dossier. A value larger than a page lives in contiguous overflow pages,
// so loading the list reads a few compact runs of the file instead of
// hundreds of leaf pages scattered over it by copy-on-write commits; on a
// large region that keeps the memory the list maps small (the kernel maps
// neighbouring cached pages around every page fault). A commit rewrites one
// chunk: about 1/64 of the list.
const summaryChunks = 64

const fmtChunk byte = 1

type chunkEntry struct {
	key []byte // dossier id, 16 bytes
	enc []byte // encodeSummary
}

// chunkKey picks a dossier's chunk from the random tail of its UUIDv7.
func chunkKey(dkey []byte) []byte { return []byte{dkey[15] % summaryChunks} }

func (s *Store) readChunk(b *bolt.Bucket, ck []byte) ([]chunkEntry, error) {
	raw := b.Get(ck)
	if raw == nil {
		return nil, nil
	}
	plain, err := s.openFor(nil, raw)
	if err != nil {
		return nil, fmt.Errorf("read summaries: %w", err)
	}
	d := dec{b: plain}
	if d.byte() != fmtChunk {
		d.fail()
	}
	n := d.uint()
	if n > uint64(len(plain)) {
		d.fail()
	}
	var out []chunkEntry
	for i := uint64(0); i < n && d.err == nil; i++ {
		out = append(out, chunkEntry{key: d.raw(16), enc: d.raw(d.uint())})
	}
	return out, d.done("summaries")
}

func (s *Store) writeChunk(b *bolt.Bucket, ck []byte, entries []chunkEntry) error {
	if len(entries) == 0 {
		return b.Delete(ck)
	}
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].key, entries[j].key) < 0 })
	n := 0
	for _, e := range entries {
		n += 16 + 5 + len(e.enc)
	}
	w := enc{b: make([]byte, 0, n+8)}
	w.byte(fmtChunk)
	w.uint(uint64(len(entries)))
	for _, e := range entries {
		w.b = append(w.b, e.key...)
		w.bytes(e.enc)
	}
	sealed, err := s.sealFor(nil, w.b)
	if err != nil {
		return err
	}
	return b.Put(ck, sealed)
}

// summaryBatch keeps the summary chunks a transaction touches decoded in
// memory, so materialising many dossiers (a sync, a rebuild) reads and
// writes each chunk once instead of once per dossier.
type summaryBatch struct {
	s      *Store
	b      *bolt.Bucket
	chunks map[byte][]chunkEntry
	dirty  map[byte]bool
}

func (s *Store) newSummaryBatch(tx *bolt.Tx) *summaryBatch {
	return &summaryBatch{s: s, b: tx.Bucket(bSummaries), chunks: map[byte][]chunkEntry{}, dirty: map[byte]bool{}}
}

func (sb *summaryBatch) load(ck byte) ([]chunkEntry, error) {
	if e, ok := sb.chunks[ck]; ok {
		return e, nil
	}
	e, err := sb.s.readChunk(sb.b, []byte{ck})
	if err != nil {
		return nil, err
	}
	sb.chunks[ck] = e
	return e, nil
}

// get reads one dossier's summary; ok is false when it has none.
func (sb *summaryBatch) get(dkey []byte) (sm Summary, ok bool, err error) {
	entries, err := sb.load(chunkKey(dkey)[0])
	if err != nil {
		return sm, false, err
	}
	i := sort.Search(len(entries), func(i int) bool { return bytes.Compare(entries[i].key, dkey) >= 0 })
	if i < len(entries) && bytes.Equal(entries[i].key, dkey) {
		plain, err := sb.s.openSummary(dkey, entries[i].enc)
		if err != nil {
			return sm, false, err
		}
		return sm, true, decodeSummary(plain, &sm)
	}
	return sm, false, nil
}

// put stores (or, with sm nil, deletes) one dossier's summary in memory;
// flush writes the chunks that changed.
func (sb *summaryBatch) put(dkey []byte, sm *Summary) error {
	ck := chunkKey(dkey)[0]
	entries, err := sb.load(ck)
	if err != nil {
		return err
	}
	i := sort.Search(len(entries), func(i int) bool { return bytes.Compare(entries[i].key, dkey) >= 0 })
	found := i < len(entries) && bytes.Equal(entries[i].key, dkey)
	var sealed []byte
	if sm != nil {
		if sealed, err = sb.s.sealSummary(dkey, encodeSummary(sm)); err != nil {
			return err
		}
	}
	switch {
	case sm == nil && !found:
		return nil
	case sm == nil:
		entries = append(entries[:i], entries[i+1:]...)
	case found:
		entries[i].enc = sealed
	default:
		entries = append(entries, chunkEntry{})
		copy(entries[i+1:], entries[i:])
		entries[i] = chunkEntry{key: append([]byte(nil), dkey...), enc: sealed}
	}
	sb.chunks[ck], sb.dirty[ck] = entries, true
	return nil
}

// flush writes every chunk that changed.
func (sb *summaryBatch) flush() error {
	for ck := range sb.dirty {
		if err := sb.s.writeChunk(sb.b, []byte{ck}, sb.chunks[ck]); err != nil {
			return err
		}
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

// eachSummary calls fn for every summary.
func (s *Store) eachSummary(tx *bolt.Tx, fn func(Summary) error) error {
	return tx.Bucket(bSummaries).ForEach(func(k, _ []byte) error {
		entries, err := s.readChunk(tx.Bucket(bSummaries), k)
		if err != nil {
			return err
		}
		for _, e := range entries {
			var sm Summary
			plain, err := s.openSummary(e.key, e.enc)
			if err != nil {
				return err
			}
			if err := decodeSummary(plain, &sm); err != nil {
				return err
			}
			if err := fn(sm); err != nil {
				return err
			}
		}
		return nil
	})
}

// With encryption, each dossier's entry of a chunk is sealed with the
// dossier's own key (and the chunk with the file's): erasing the dossier
// makes its name unreadable in older copies of the chunk too. Plain
// entries are stored as they are.

func (s *Store) sealSummary(dkey, enc []byte) ([]byte, error) {
	if s.crypt == nil {
		return enc, nil
	}
	return s.crypt.seal(dkey, enc)
}

func (s *Store) openSummary(dkey, sealed []byte) ([]byte, error) {
	if s.crypt == nil {
		return sealed, nil
	}
	return s.crypt.open(dkey, sealed)
}
