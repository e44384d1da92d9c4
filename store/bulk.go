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
		enc, err := s.sealOp(b.lkey, b.op)
		if err != nil {
			return 0, fmt.Errorf("encode op %s: %w", b.op.ID, err)
		}
		if err := opsB.Put(b.lkey, enc); err != nil {
			return 0, fmt.Errorf("append op %s: %w", b.op.ID, err)
		}
		if b.op.HLC > w.hlc {
			w.hlc = b.op.HLC
		}
		w.forget(b.dkey)
		w.touchAll(b.op.Dossier)
	}
	// The ops bucket's sequence counts the ops of the log, as apply keeps it.
	if err := opsB.SetSequence(opsB.Sequence() + uint64(len(fresh))); err != nil {
		return 0, err
	}

	// The replaced set gains what the new ops name, per field as
	// mergeField tells it (a prev names an op of its own dossier). The
	// heads follow from the log and the replaced set: each touched
	// dossier's summary is derived again from them in finish.
	byField := map[string][]Op{}
	dkeyOf := map[string][]byte{}
	var fields []string
	for _, b := range fresh {
		hk := string(b.dkey) + b.op.Field
		if _, ok := byField[hk]; !ok {
			fields = append(fields, hk)
			dkeyOf[hk] = b.dkey
		}
		byField[hk] = append(byField[hk], *b.op)
	}
	var prevKeys [][]byte
	for _, hk := range fields {
		_, named := mergeField(nil, byField[hk], noneReplaced)
		for _, p := range named {
			pk, _ := idKey(p)
			prevKeys = append(prevKeys, logKey(dkeyOf[hk], pk))
		}
	}
	slices.SortFunc(prevKeys, bytes.Compare)
	prevKeys = slices.CompactFunc(prevKeys, bytes.Equal)
	replaced := w.bucket(bReplaced)
	for _, pk := range prevKeys {
		if replaced.Get(pk) != nil {
			continue
		}
		if err := replaced.Put(pk, present); err != nil {
			return 0, err
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
// op id, 16 bytes each): byte for byte what json.Marshal makes of the Op,
// built from the log's own encoding (opbin.go), a fresh slice safe after
// the transaction. A server sends these bytes as they are instead of
// decoding and encoding every op of a pull. It returns ErrNotFound when
// the log lacks the op.
func (tx *Tx) OpJSON(key []byte) ([]byte, error) {
	raw := tx.tx.Bucket(bOps).Get(key)
	if raw == nil {
		return nil, fmt.Errorf("op %x: %w", key, ErrNotFound)
	}
	return tx.s.opJSON(key, raw)
}

// opJSON opens a log value and gives the op's JSON.
func (s *Store) opJSON(key, raw []byte) ([]byte, error) {
	plain, err := s.openFor(key[:16], raw)
	if err != nil {
		return nil, fmt.Errorf("op %x: %w", key, err)
	}
	if len(plain) > 0 && plain[0] == '{' {
		return plain, nil // kept as JSON (schema 4)
	}
	out, err := appendOpJSON(make([]byte, 0, 3*len(plain)+256), key, plain, s.actors) // ids as text: about 200 bytes more
	if err != nil {
		return nil, fmt.Errorf("op %x: %w", key, err)
	}
	return out, nil
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
		b, err := tx.s.opJSON(k, v)
		if err != nil {
			return dst, err
		}
		dst = append(dst, b)
	}
	return dst, nil
}

// HeadKeys appends to dst the log keys (dossier id + op id) of every head
// of every field of a dossier (dkey is the dossier's 16-byte id): the ops a
// snapshot of the dossier consists of (docs/sync.md, "Snapshots"). The
// heads are the dossier's ops the replaced set lacks (merge.go).
func (tx *Tx) HeadKeys(dkey []byte, dst [][]byte) ([][]byte, error) {
	rep := dossierReplaced(tx.tx, dkey)
	c := tx.tx.Bucket(bOps).Cursor()
	for k, _ := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, _ = c.Next() {
		if len(k) == 32 && !rep[[16]byte(k[16:])] {
			dst = append(dst, bytes.Clone(k))
		}
	}
	return dst, nil
}
