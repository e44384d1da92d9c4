package store

import (
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

	// memo holds, per dossier, the heads the transaction read or wrote
	// (headsmemo.go).
	memo map[[16]byte]*dossierMemo
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

// applyJSON is apply for an op whose JSON the caller had at hand (raw,
// or nil). The log keeps its own encoding (opbin.go), so raw is not
// stored; the parameter stays for the callers that pass it.
func (w *writer) applyJSON(op Op, local bool, raw []byte) (bool, error) {
	_ = raw
	return w.applyBounded(op, local, 0)
}

// applyBounded is apply with a bound on the heads the op may leave its
// field with (Tx.ApplyJSONBounded); 0 is none.
func (w *writer) applyBounded(op Op, local bool, bound int) (bool, error) {
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
	before, err := w.fieldHeads(dkey, op.Field)
	if err != nil {
		return false, fmt.Errorf("merge op %s: %w", op.ID, err)
	}
	if bound > 0 && len(before) >= bound {
		// As HeadsAfter: the merge rule, nothing written.
		rb := w.tx.Bucket(bReplaced)
		after, _ := mergeField(before, []Op{op}, func(id string) bool { return holdsLogKey(rb, dkey, id) })
		if len(after) > bound && len(after) > len(before) {
			return false, &HeadsBoundError{Before: len(before), After: len(after)}
		}
	}
	enc, err := w.s.sealOp(lkey, &op)
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
	if err := w.mergeHeads(op, dkey, before); err != nil {
		return false, fmt.Errorf("merge op %s: %w", op.ID, err)
	}
	if op.HLC > w.hlc {
		w.hlc = op.HLC
	}
	w.touched[op.Dossier] = true
	return true, nil
}

// holdsLogKey reports whether b holds the log key (logKey) of op id in
// the dossier whose key is dkey; an id that is not one is not held. The
// key is built on the stack: the merge asks this of every head an
// applied op meets.
func holdsLogKey(b *bolt.Bucket, dkey []byte, id string) bool {
	k, ok := idArray(id)
	if !ok || len(dkey) != 16 {
		return ok && b.Get(logKey(dkey, k[:])) != nil
	}
	var key [32]byte
	copy(key[:16], dkey)
	copy(key[16:], k[:])
	return b.Get(key[:]) != nil
}

// mergeHeads is the plumbing of the per-op writer around mergeField
// (merge.go): heads are derived from the log and the replaced set, so
// applying an op adds to the replaced set what its prev names and notes
// the field's heads before and after for the summary. before are the
// field's heads before op.
func (w *writer) mergeHeads(op Op, dkey []byte, before []Head) error {
	replaced := w.bucket(bReplaced)
	isReplaced := func(id string) bool { return holdsLogKey(replaced, dkey, id) }
	after, named := mergeField(before, []Op{op}, isReplaced)
	was := headIDSet(before)
	ops := w.tx.Bucket(bOps)
	var gained []string // what the replaced set gains
	for _, p := range named {
		pkey, err := idKey(p)
		if err != nil {
			return err
		}
		plkey := logKey(dkey, pkey)
		if replaced.Get(plkey) != nil {
			continue
		}
		// A known op not replaced yet is a head: of this field (then
		// before has it), or of another (never made by brug itself, but
		// a remote op may name one): that field changes too.
		if p != op.ID && !was[p] && ops.Get(plkey) != nil {
			w.touchAll(op.Dossier)
		}
		if err := replaced.Put(plkey, present); err != nil {
			return err
		}
		gained = append(gained, p)
	}
	w.applied(dkey, op.Field, after, gained)
	w.noteChange(op.Dossier, op.Field, before, after)
	return nil
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

// finish derives the materialised state of every touched dossier from its
// heads, and moves the stored clock forward.
func (w *writer) finish() error {
	if err := w.s.saveActors(w.tx); err != nil {
		return err
	}
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
