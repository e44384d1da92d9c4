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
	plain, err := s.codec.Open(raw)
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
	sealed, err := s.codec.Seal(w.b)
	if err != nil {
		return err
	}
	return b.Put(ck, sealed)
}

// getSummary reads one dossier's summary; ok is false when it has none.
func (s *Store) getSummary(tx *bolt.Tx, dkey []byte) (sm Summary, ok bool, err error) {
	entries, err := s.readChunk(tx.Bucket(bSummaries), chunkKey(dkey))
	if err != nil {
		return sm, false, err
	}
	for _, e := range entries {
		if bytes.Equal(e.key, dkey) {
			return sm, true, decodeSummary(e.enc, &sm)
		}
	}
	return sm, false, nil
}

// putSummary stores (or, with sm nil, deletes) one dossier's summary.
func (s *Store) putSummary(tx *bolt.Tx, dkey []byte, sm *Summary) error {
	b := tx.Bucket(bSummaries)
	ck := chunkKey(dkey)
	entries, err := s.readChunk(b, ck)
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
		entries = append(entries, chunkEntry{key: append([]byte(nil), dkey...), enc: encodeSummary(sm)})
	}
	return s.writeChunk(b, ck, entries)
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
