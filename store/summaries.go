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
	plain, err := s.openChunk(ck[0], raw)
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
	sealed, err := s.sealChunk(ck[0], w.b)
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
		return sm, true, decodeSummary(entries[i].enc, &sm)
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
	switch {
	case sm == nil && !found:
		return nil
	case sm == nil:
		entries = append(entries[:i], entries[i+1:]...)
	case found:
		entries[i].enc = encodeSummary(sm)
	default:
		entries = append(entries, chunkEntry{})
		copy(entries[i+1:], entries[i:])
		entries[i] = chunkEntry{key: append([]byte(nil), dkey...), enc: encodeSummary(sm)}
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
			if err := decodeSummary(e.enc, &sm); err != nil {
				return err
			}
			if err := fn(sm); err != nil {
				return err
			}
		}
		return nil
	})
}

// A chunk is sealed with its own key when the file is encrypted (crypt.go,
// "Summary chunks"), else through the codec for the file.

func (s *Store) sealChunk(ck byte, plain []byte) ([]byte, error) {
	if s.crypt == nil {
		return s.sealFor(nil, plain)
	}
	return s.crypt.sealChunk(ck, plain)
}

func (s *Store) openChunk(ck byte, sealed []byte) ([]byte, error) {
	if s.crypt == nil {
		return s.openFor(nil, sealed)
	}
	return s.crypt.openChunk(ck, sealed)
}

// rotateChunk gives the summary chunk of the dossier dkey a new key and
// writes it again with it: the old key, and with it every older copy of
// the chunk, is destroyed once tx commits (crypto-erasure of the names of
// erased and dropped dossiers).
func (s *Store) rotateChunk(tx *bolt.Tx, dkey []byte) error {
	if s.crypt == nil {
		return nil
	}
	ck := chunkKey(dkey)
	b := tx.Bucket(bSummaries)
	entries, err := s.readChunk(b, ck)
	if err != nil {
		return err
	}
	if err := s.crypt.rotate(tx, ck[0]); err != nil {
		return err
	}
	return s.writeChunk(b, ck, entries)
}
