package store

import (
	"bytes"
	"fmt"
	"slices"
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

	// changes holds, per touched dossier, each field's heads before its
	// first op of the transaction and after its last, so that finish can
	// bring a summary up to date without reading the whole dossier when
	// only fields the summary does not show changed (summarise.go); full
	// marks the dossiers that need the whole derivation.
	changes map[string]map[string]*fieldChange
	full    map[string]bool
}

func (s *Store) newWriter(tx *bolt.Tx) *writer {
	return &writer{s: s, tx: tx, touched: map[string]bool{}, changes: map[string]map[string]*fieldChange{}, full: map[string]bool{}}
}

// touchAll marks a dossier for the whole derivation of its state.
func (w *writer) touchAll(dossier string) {
	w.touched[dossier] = true
	w.full[dossier] = true
}

// apply adds one op to the log and updates the heads of its field. It
// reports false when the op was known already (applying is idempotent).
// Materialised state follows in finish.
func (w *writer) apply(op Op, local bool) (bool, error) { return w.applyJSON(op, local, nil) }

// applyJSON is apply with the op's JSON (json.Marshal of op) at hand, or
// nil to make it here.
func (w *writer) applyJSON(op Op, local bool, raw []byte) (bool, error) {
	key, err := idKey(op.ID)
	if err != nil {
		return false, err
	}
	dkey, err := idKey(op.Dossier)
	if err != nil {
		return false, err
	}
	lkey := logKey(dkey, key)
	ops := w.bucket(bOps)
	if ops.Get(lkey) != nil {
		return false, nil
	}
	var enc []byte
	if raw != nil {
		enc, err = w.s.sealFor(dkey, raw)
	} else {
		enc, err = w.s.encode(dkey, op)
	}
	if err != nil {
		return false, fmt.Errorf("encode op %s: %w", op.ID, err)
	}
	if err := ops.Put(lkey, enc); err != nil {
		return false, fmt.Errorf("append op %s: %w", op.ID, err)
	}
	// The bucket's sequence counts its ops, so Stats need not walk the log.
	if err := ops.SetSequence(ops.Sequence() + 1); err != nil {
		return false, err
	}
	if local {
		ob := w.bucket(bOutbox)
		seq, _ := ob.NextSequence()
		if err := ob.Put(u64(seq), lkey); err != nil {
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

// mergeHeads is the merge rule (docs/merge.md): every op of its dossier op
// names in Prev is replaced and stops being a head wherever it is one; op
// becomes a head of its field unless a known op already replaced it. The
// replaced bucket holds the ops named in some prev that the log does not
// hold yet.
func (w *writer) mergeHeads(op Op, key, dkey []byte) error {
	replaced := w.tx.Bucket(bReplaced)
	hkey := append(append([]byte(nil), dkey...), op.Field...)
	heads, err := w.heads(hkey)
	if err != nil {
		return err
	}
	before := heads
	ops := w.tx.Bucket(bOps)
	for _, p := range op.Prev {
		pkey, err := idKey(p)
		if err != nil {
			return err
		}
		if p == op.ID {
			continue
		}
		// Remember a named op only while the log lacks it: a known op is
		// never applied again, so only one yet to come needs telling that
		// it is replaced already. (A known op was never a head then, or is
		// dropped from the heads by fieldHeadsAfter.)
		plkey := logKey(dkey, pkey)
		if ops.Get(plkey) == nil {
			if err := replaced.Put(plkey, present); err != nil {
				return err
			}
		}
		if headIndex(before, p) >= 0 {
			continue
		}
		// Prev names an op of another field (never made by brug itself,
		// but a remote op may): drop it from that field's heads too.
		if err := w.dropHead(plkey, p, op.Dossier, op.Field); err != nil {
			return err
		}
	}
	lkey := logKey(dkey, key)
	was := replaced.Get(lkey) != nil
	if was {
		// Replaced before it came; now that the log holds it, the
		// reminder has done its work.
		if err := replaced.Delete(lkey); err != nil {
			return err
		}
	}
	heads = fieldHeadsAfter(before, op, was)
	w.noteChange(op.Dossier, op.Field, before, heads)
	return w.putHeads(hkey, heads)
}

// fieldHeadsAfter is the merge rule for the field of op: of the field's
// heads, those op names in prev stop being heads; op becomes one unless it
// names itself or a known op replaced it before it came (replaced). It
// returns a new slice; heads is not changed.
func fieldHeadsAfter(heads []Head, op Op, replaced bool) []Head {
	out := make([]Head, 0, len(heads)+1)
	for _, h := range heads {
		if !slices.Contains(op.Prev, h.ID) {
			out = append(out, h)
		}
	}
	if !replaced && !slices.Contains(op.Prev, op.ID) {
		out = append(out, headOf(op))
	}
	return out
}

// noteChange records a field's heads before and after an op (see
// writer.changes).
func (w *writer) noteChange(dossier, field string, before, after []Head) {
	m := w.changes[dossier]
	if m == nil {
		m = map[string]*fieldChange{}
		w.changes[dossier] = m
	}
	if c, ok := m[field]; ok {
		c.after = slices.Clone(after)
		return
	}
	m[field] = &fieldChange{before: before, after: slices.Clone(after)}
}

// dropHead drops op id (log key plkey, in dossier) from the heads of its
// field, when that is not field.
func (w *writer) dropHead(plkey []byte, id, dossier, field string) error {
	raw := w.tx.Bucket(bOps).Get(plkey)
	if raw == nil {
		return nil
	}
	var prev Op
	if err := w.s.decode(plkey[:16], raw, &prev); err != nil {
		return fmt.Errorf("read op %s: %w", id, err)
	}
	if prev.Field == field && prev.Dossier == dossier {
		return nil // same field: it was not a head there, nothing to drop
	}
	dkey, _ := idKey(prev.Dossier)
	hkey := append(append([]byte(nil), dkey...), prev.Field...)
	heads, err := w.heads(hkey)
	if err != nil {
		return err
	}
	if i := headIndex(heads, id); i >= 0 {
		heads = append(heads[:i], heads[i+1:]...)
		w.touchAll(prev.Dossier)
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

// bucket returns a bucket of the write transaction. Keys of every bucket
// grow mostly at the end (UUIDv7 ids are time-ordered, dossier keys are
// written together), so pages are filled further than bbolt's default half
// before they split: the file is smaller and a commit writes fewer pages.
func (w *writer) bucket(name []byte) *bolt.Bucket {
	b := w.tx.Bucket(name)
	b.FillPercent = 0.9
	return b
}

func (w *writer) heads(hkey []byte) ([]Head, error) {
	return w.s.readHeads(w.tx, hkey)
}

func (s *Store) readHeads(tx *bolt.Tx, hkey []byte) ([]Head, error) {
	raw := tx.Bucket(bHeads).Get(hkey)
	if raw == nil {
		return nil, nil
	}
	return s.openHeads(hkey[:16], raw)
}

func (s *Store) openHeads(dkey, raw []byte) ([]Head, error) {
	plain, err := s.openFor(dkey, raw)
	if err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	return decodeHeads(plain)
}

func (w *writer) putHeads(hkey []byte, hs []Head) error {
	b := w.bucket(bHeads)
	if len(hs) == 0 {
		return b.Delete(hkey)
	}
	sealed, err := w.s.sealFor(hkey[:16], encodeHeads(sortedHeads(hs)))
	if err != nil {
		return err
	}
	return b.Put(hkey, sealed)
}

// finish derives the materialised state of every touched dossier from its
// heads, and moves the stored clock forward.
func (w *writer) finish() error {
	sb := w.s.newSummaryBatch(w.tx)
	for id := range w.touched {
		if !w.full[id] {
			ok, err := w.s.summariseChanges(sb, id, w.changes[id])
			if err != nil {
				return fmt.Errorf("summarise %s: %w", id, err)
			}
			if ok {
				continue
			}
		}
		if err := w.s.materialise(w.tx, sb, id); err != nil {
			return fmt.Errorf("materialise %s: %w", id, err)
		}
	}
	if err := sb.flush(); err != nil {
		return err
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
		hs, err := s.openHeads(dkey, v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k[16:], err)
		}
		all = append(all, fieldHeads{Field: string(k[16:]), Heads: hs})
	}
	return all, nil
}

// materialise derives the list summary and the due index of one dossier
// from its heads. The client document itself is projected from the heads
// when it is read (Store.Client), so a commit writes only what changed.
func (s *Store) materialise(tx *bolt.Tx, sb *summaryBatch, id string) error {
	dkey, err := idKey(id)
	if err != nil {
		return err
	}
	all, err := s.dossierHeads(tx, dkey)
	if err != nil {
		return err
	}
	due := tx.Bucket(bDue)
	prev, ok, err := sb.get(dkey)
	if err != nil {
		return err
	}
	if ok {
		for _, k := range dueKeys(dkey, &prev) {
			if err := due.Delete(k); err != nil {
				return err
			}
		}
	}
	if len(all) == 0 {
		return sb.put(dkey, nil)
	}
	sm := summarise(project(id, len(s.checklist), all), s.checklist)
	for _, k := range dueKeys(dkey, &sm) {
		if err := due.Put(k, present); err != nil {
			return err
		}
	}
	return sb.put(dkey, &sm)
}

// dueKeys are the due-index keys of a client's open agreements: the due day
// as days since 1970 (4 bytes), then dossier and agreement ids.
func dueKeys(dkey []byte, sm *Summary) [][]byte {
	var keys [][]byte
	for i, day := range sm.OpenDues {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil || i >= len(sm.dueIDs) || t.Unix() < 0 {
			continue
		}
		akey, err := idKey(sm.dueIDs[i])
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
