package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// writer carries one write transaction's work: the ops applied so far and
// the dossiers whose materialised state must be derived again at the end.
type writer struct {
	s       *Store
	tx      *bolt.Tx
	touched map[string]bool
	hlc     HLC
}

func (s *Store) newWriter(tx *bolt.Tx) *writer {
	return &writer{s: s, tx: tx, touched: map[string]bool{}}
}

// apply adds one op to the log and updates the heads of its field. It
// reports false when the op was known already (applying is idempotent).
// Materialised state follows in finish.
func (w *writer) apply(op Op, local bool) (bool, error) {
	key, err := idKey(op.ID)
	if err != nil {
		return false, err
	}
	dkey, err := idKey(op.Dossier)
	if err != nil {
		return false, err
	}
	ops := w.tx.Bucket(bOps)
	if ops.Get(key) != nil {
		return false, nil
	}
	enc, err := w.s.encode(op)
	if err != nil {
		return false, fmt.Errorf("encode op %s: %w", op.ID, err)
	}
	if err := ops.Put(key, enc); err != nil {
		return false, fmt.Errorf("append op %s: %w", op.ID, err)
	}
	if err := w.tx.Bucket(bDossierOps).Put(cat(dkey, key), present); err != nil {
		return false, fmt.Errorf("index op %s: %w", op.ID, err)
	}
	lg := w.tx.Bucket(bLog)
	seq, _ := lg.NextSequence()
	if err := lg.Put(u64(seq), key); err != nil {
		return false, fmt.Errorf("log op %s: %w", op.ID, err)
	}
	if local {
		ob := w.tx.Bucket(bOutbox)
		seq, _ := ob.NextSequence()
		if err := ob.Put(u64(seq), key); err != nil {
			return false, fmt.Errorf("queue op %s: %w", op.ID, err)
		}
	}
	if err := w.mergeHeads(op, key, dkey); err != nil {
		return false, fmt.Errorf("merge op %s: %w", op.ID, err)
	}
	if op.HLC > w.hlc {
		w.hlc = op.HLC
	}
	w.touched[op.Dossier] = true
	return true, nil
}

// mergeHeads is the merge rule (docs/merge.md): every id op names in Prev is
// replaced and stops being a head wherever it is one; op becomes a head of
// its field unless a known op already replaced it.
func (w *writer) mergeHeads(op Op, key, dkey []byte) error {
	replaced := w.tx.Bucket(bReplaced)
	hkey := append(append([]byte(nil), dkey...), op.Field...)
	heads, err := w.heads(hkey)
	if err != nil {
		return err
	}
	for _, p := range op.Prev {
		pkey, err := idKey(p)
		if err != nil {
			return err
		}
		if err := replaced.Put(pkey, present); err != nil {
			return err
		}
		if i := headIndex(heads, p); i >= 0 {
			heads = append(heads[:i], heads[i+1:]...)
			continue
		}
		// Prev names an op of another field (never made by brug itself,
		// but a remote op may): drop it from that field's heads too.
		if err := w.dropHead(pkey, p, op.Field); err != nil {
			return err
		}
	}
	if replaced.Get(key) == nil {
		heads = append(heads, headOf(op))
	}
	return w.putHeads(hkey, heads)
}

func (w *writer) dropHead(pkey []byte, id, field string) error {
	raw := w.tx.Bucket(bOps).Get(pkey)
	if raw == nil {
		return nil
	}
	var prev Op
	if err := w.s.decode(raw, &prev); err != nil {
		return fmt.Errorf("read op %s: %w", id, err)
	}
	if prev.Field == field {
		return nil
	}
	dkey, _ := idKey(prev.Dossier)
	hkey := append(append([]byte(nil), dkey...), prev.Field...)
	heads, err := w.heads(hkey)
	if err != nil {
		return err
	}
	if i := headIndex(heads, id); i >= 0 {
		heads = append(heads[:i], heads[i+1:]...)
		w.touched[prev.Dossier] = true
		return w.putHeads(hkey, heads)
	}
	return nil
}

func headIndex(hs []Head, id string) int {
	for i, h := range hs {
		if h.ID == id {
			return i
		}
	}
	return -1
}

func (w *writer) heads(hkey []byte) ([]Head, error) {
	raw := w.tx.Bucket(bHeads).Get(hkey)
	if raw == nil {
		return nil, nil
	}
	var hs []Head
	if err := w.s.decode(raw, &hs); err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	return hs, nil
}

func (w *writer) putHeads(hkey []byte, hs []Head) error {
	b := w.tx.Bucket(bHeads)
	if len(hs) == 0 {
		return b.Delete(hkey)
	}
	hs = sortedHeads(hs)
	enc, err := w.s.encode(hs)
	if err != nil {
		return err
	}
	return b.Put(hkey, enc)
}

// finish derives the materialised state of every touched dossier from its
// heads, and moves the stored clock forward.
func (w *writer) finish() error {
	for id := range w.touched {
		if err := w.s.materialise(w.tx, id); err != nil {
			return fmt.Errorf("materialise %s: %w", id, err)
		}
	}
	if w.hlc > 0 {
		meta := w.tx.Bucket(bMeta)
		if cur := meta.Get(kHLC); len(cur) != 8 || HLC(beUint64(cur)) < w.hlc {
			return meta.Put(kHLC, u64(uint64(w.hlc)))
		}
	}
	return nil
}

// dossierHeads reads every field's heads of one dossier.
func (s *Store) dossierHeads(tx *bolt.Tx, dkey []byte) ([]fieldHeads, error) {
	var all []fieldHeads
	c := tx.Bucket(bHeads).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		var hs []Head
		if err := s.decode(v, &hs); err != nil {
			return nil, fmt.Errorf("read heads of %s: %w", k[16:], err)
		}
		all = append(all, fieldHeads{Field: string(k[16:]), Heads: hs})
	}
	return all, nil
}

// materialise writes the client document, the list summary and the due
// index of one dossier, derived from its heads.
func (s *Store) materialise(tx *bolt.Tx, id string) error {
	dkey, err := idKey(id)
	if err != nil {
		return err
	}
	all, err := s.dossierHeads(tx, dkey)
	if err != nil {
		return err
	}
	due := tx.Bucket(bDue)
	if old := tx.Bucket(bClients).Get(dkey); old != nil {
		var prev Client
		if err := s.decode(old, &prev); err != nil {
			return fmt.Errorf("read client: %w", err)
		}
		for _, k := range dueKeys(dkey, &prev) {
			if err := due.Delete(k); err != nil {
				return err
			}
		}
	}
	if len(all) == 0 {
		if err := tx.Bucket(bClients).Delete(dkey); err != nil {
			return err
		}
		return tx.Bucket(bSummaries).Delete(dkey)
	}
	c := project(id, len(s.checklist), all)
	for _, k := range dueKeys(dkey, c) {
		if err := due.Put(k, present); err != nil {
			return err
		}
	}
	enc, err := s.encode(c)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bClients).Put(dkey, enc); err != nil {
		return err
	}
	if enc, err = s.encode(summarise(c, s.checklist)); err != nil {
		return err
	}
	return tx.Bucket(bSummaries).Put(dkey, enc)
}

// dueKeys are the due-index keys of a client's open agreements: the due day
// as days since 1970 (4 bytes), then dossier and agreement ids.
func dueKeys(dkey []byte, c *Client) [][]byte {
	var keys [][]byte
	if !c.Exists {
		return nil
	}
	for _, a := range c.Agreements {
		if a.Removed || a.Done.Value == "1" || a.Due.Value == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, a.Due.Value)
		if err != nil {
			continue
		}
		akey, err := idKey(a.ID)
		if err != nil {
			continue
		}
		keys = append(keys, cat(u32(uint32(t.Unix()/86400)), dkey, akey))
	}
	return keys
}

func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}
