package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// ApplyRemoteBulk applies many ops made elsewhere in one transaction, with
// exactly the result of ApplyRemote on the same ops (the merge rule is
// defined on the set of ops, docs/merge.md) but with far less work per op:
// it is the path for a sync page of thousands of ops, above all the
// initial pull of a fresh device.
//
// Where ApplyRemote reads and writes a field's heads once per op and
// writes every key where it falls, ApplyRemoteBulk groups the ops by field,
// reads each field's heads once, writes each heads key once, materialises
// each dossier once, and writes every bucket in key order, which keeps
// bbolt's pages full and the pages a commit writes few. Like ApplyRemote it
// checks ops for shape only, skips ops already known, returns how many were
// new and fails as a whole (ErrErased) when an op is for an erased dossier.
func (s *Store) ApplyRemoteBulk(ops []Op) (int, error) {
	for _, op := range ops {
		if err := ValidateOp(op, nil); err != nil {
			return 0, fmt.Errorf("remote op %s: %w", op.ID, err)
		}
	}
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = s.applyBulk(tx, ops)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, op := range ops {
		s.clock.Observe(op.HLC)
	}
	return n, nil
}

// bulkOp is an op of a bulk apply with its keys.
type bulkOp struct {
	op   *Op
	key  []byte // op id (16)
	dkey []byte // dossier id (16)
	lkey []byte // dossier id + op id: the log key
	hkey string // dossier id + field: the heads key
}

// applyBulk is ApplyRemoteBulk inside tx, for validated ops.
func (s *Store) applyBulk(tx *bolt.Tx, ops []Op) (int, error) {
	w := s.newWriter(tx)
	erased := tx.Bucket(bErased)
	all := make([]bulkOp, 0, len(ops))
	for i := range ops {
		op := &ops[i]
		key, _ := idKey(op.ID)
		dkey, _ := idKey(op.Dossier)
		if erased != nil && erased.Get(dkey) != nil {
			return 0, fmt.Errorf("remote op %s: %w", op.ID, ErrErased)
		}
		all = append(all, bulkOp{op: op, key: key, dkey: dkey, lkey: logKey(dkey, key)})
	}
	// Keep the first of each op, as applying one by one would, then drop
	// the ops the log holds already. Reading in key order keeps the page
	// cache warm.
	slices.SortStableFunc(all, func(a, b bulkOp) int { return bytes.Compare(a.lkey, b.lkey) })
	opsB := w.bucket(bOps)
	fresh := all[:0]
	for i, b := range all {
		if i > 0 && bytes.Equal(b.lkey, all[i-1].lkey) {
			continue
		}
		if opsB.Get(b.lkey) != nil {
			continue
		}
		fresh = append(fresh, b)
	}
	if len(fresh) == 0 {
		return 0, w.finish()
	}

	// The log, in key order.
	for i := range fresh {
		b := &fresh[i]
		enc, err := s.encode(b.lkey[:16], *b.op)
		if err != nil {
			return 0, fmt.Errorf("encode op %s: %w", b.op.ID, err)
		}
		if err := opsB.Put(b.lkey, enc); err != nil {
			return 0, fmt.Errorf("append op %s: %w", b.op.ID, err)
		}
		b.hkey = string(b.dkey) + b.op.Field
		if b.op.HLC > w.hlc {
			w.hlc = b.op.HLC
		}
		w.touchAll(b.op.Dossier)
	}
	// The ops bucket's sequence counts the ops of the log, as apply keeps it.
	if err := opsB.SetSequence(opsB.Sequence() + uint64(len(fresh))); err != nil {
		return 0, err
	}

	// The ops the new ops name in prev, as log keys (a prev names an op of
	// its own dossier).
	named := map[string]bool{}
	var prevKeys [][]byte
	for _, b := range fresh {
		for _, p := range b.op.Prev {
			pk, _ := idKey(p)
			plk := logKey(b.dkey, pk)
			if named[string(plk)] {
				continue
			}
			named[string(plk)] = true
			prevKeys = append(prevKeys, plk)
		}
	}
	slices.SortFunc(prevKeys, bytes.Compare)
	replaced := w.bucket(bReplaced)
	// Every named id goes in, without looking whether the log holds it
	// (that look would read the whole log of a large pull): an entry for
	// an op the log holds is harmless, as it is never applied again (see
	// mergeHeads).
	for _, pk := range prevKeys {
		if err := replaced.Put(pk, present); err != nil {
			return 0, err
		}
	}

	// Heads: per field, the old heads no new op names, plus the new ops
	// nobody names (docs/merge.md: heads are the ops no known op names in
	// its prev). A named op of a field no new op touches (a prev across
	// fields, which brug never makes but a remote op may) is found through
	// the log, as dropHead does.
	byField := map[string][]*bulkOp{}
	var fields []string
	for i := range fresh {
		b := &fresh[i]
		if _, ok := byField[b.hkey]; !ok {
			fields = append(fields, b.hkey)
		}
		byField[b.hkey] = append(byField[b.hkey], b)
	}
	newKeys := make(map[string]bool, len(fresh))
	for _, b := range fresh {
		newKeys[string(b.lkey)] = true
	}
	heads := make(map[string][]Head, len(fields))
	seenHead := map[string]bool{} // named log keys found among the heads read
	for _, hk := range fields {
		hs, err := w.heads([]byte(hk))
		if err != nil {
			return 0, err
		}
		dk := []byte(hk[:16])
		kept := hs[:0]
		for _, h := range hs {
			hid, _ := idKey(h.ID)
			if hlk := string(logKey(dk, hid)); named[hlk] {
				seenHead[hlk] = true
				continue
			}
			kept = append(kept, h)
		}
		for _, b := range byField[hk] {
			if !named[string(b.lkey)] && replaced.Get(b.lkey) == nil {
				kept = append(kept, headOf(*b.op))
			}
		}
		heads[hk] = kept
	}
	for _, pk := range prevKeys {
		if seenHead[string(pk)] || newKeys[string(pk)] {
			continue
		}
		p := idString(pk[16:])
		raw := opsB.Get(pk)
		if raw == nil {
			continue
		}
		var prev Op
		if err := s.decode(pk[:16], raw, &prev); err != nil {
			return 0, fmt.Errorf("read op %s: %w", p, err)
		}
		pdk, _ := idKey(prev.Dossier)
		hk := string(pdk) + prev.Field
		hs, ok := heads[hk]
		if !ok {
			var err error
			if hs, err = w.heads([]byte(hk)); err != nil {
				return 0, err
			}
			fields = append(fields, hk)
		}
		if i := headIndex(hs, p); i >= 0 {
			hs = append(hs[:i:i], hs[i+1:]...)
			w.touchAll(prev.Dossier)
		}
		heads[hk] = hs
	}
	slices.Sort(fields)
	for _, hk := range fields {
		if err := w.putHeads([]byte(hk), heads[hk]); err != nil {
			return 0, fmt.Errorf("write heads: %w", err)
		}
	}
	return len(fresh), w.finish()
}

// idString is the text form of a 16-byte id key.
func idString(k []byte) string {
	var b [36]byte
	const hex = "0123456789abcdef"
	j := 0
	for i, x := range k {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hex[x>>4], hex[x&15]
		j += 2
	}
	return string(b[:])
}

// OpJSON returns the JSON of the op whose log key is key (dossier id +
// op id, 16 bytes each), as the log holds it: the bytes json.Marshal made
// of the Op when it was stored, opened by the codec (a copy, safe after
// the transaction). A server sends these bytes as they are instead of
// decoding and encoding every op of a pull. It returns ErrNotFound when
// the log lacks the op.
func (tx *Tx) OpJSON(key []byte) ([]byte, error) {
	raw := tx.tx.Bucket(bOps).Get(key)
	if raw == nil {
		return nil, fmt.Errorf("op %x: %w", key, ErrNotFound)
	}
	return tx.s.openFor(key[:16], raw)
}

// DossierJSON appends to dst the JSON of the ops of a dossier (dkey is its
// 16-byte id) whose log key keep accepts, as OpJSON gives it, in key
// order: one walk of the dossier's range of the log.
func (tx *Tx) DossierJSON(dkey []byte, keep func(key []byte) bool, dst [][]byte) ([][]byte, error) {
	c := tx.tx.Bucket(bOps).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		if len(k) != 32 || !keep(k) {
			continue
		}
		raw, err := tx.s.openFor(dkey, v)
		if err != nil {
			return dst, fmt.Errorf("op %x: %w", k, err)
		}
		dst = append(dst, raw)
	}
	return dst, nil
}

// HeadKeys appends to dst the log keys (dossier id + op id) of every head
// of every field of a dossier (dkey is the dossier's 16-byte id): the ops a
// snapshot of the dossier consists of (docs/sync.md, "Snapshots").
func (tx *Tx) HeadKeys(dkey []byte, dst [][]byte) ([][]byte, error) {
	c := tx.tx.Bucket(bHeads).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		plain, err := tx.s.openFor(dkey, v)
		if err != nil {
			return nil, fmt.Errorf("read heads: %w", err)
		}
		hs, err := decodeHeads(plain)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			key, err := idKey(h.ID)
			if err != nil {
				return nil, err
			}
			dst = append(dst, logKey(dkey, key))
		}
	}
	return dst, nil
}
