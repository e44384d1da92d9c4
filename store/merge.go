package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// mergeField is the merge rule for one field, and the only place it is
// coded (docs/merge.md, "The merge kernel"). Every path that changes or
// reads heads calls it: the per-op writer, a bulk apply, an import, a
// rebuild and every read of heads (which are derived from the log and the
// replaced set, not stored).
//
//   - heads: the field's heads now: ops on it no known op names in prev.
//   - in: ops on the field that arrive, in any order; repeats, and ops
//     among heads, are allowed.
//   - replaced: reports whether an op already known (not in in) names id
//     in its prev: the replaced set as it stands.
//
// It returns the field's heads after in (sorted, newest first) and the
// ids in's prevs name, each once: the ids the replaced set must hold
// afterwards (invariant: the replaced set holds every id a prev of a
// known op of the dossier names, whether the log holds that op or not).
// It is pure: it reads and writes nothing else, and leaves its arguments
// as they are.
func mergeField(heads []Head, in []Op, replaced func(id string) bool) ([]Head, []string) {
	// Fields mostly hold a few ops: lists, not maps (a dossier's every
	// field is merged whenever it is read); sets for a long history.
	var named []string
	var namedSet, outSet map[string]bool
	big := len(heads)+len(in) > 32
	if big {
		namedSet, outSet = map[string]bool{}, map[string]bool{}
	}
	isNamed := func(id string) bool {
		if big {
			return namedSet[id]
		}
		return slices.Contains(named, id)
	}
	for i := range in {
		for _, p := range in[i].Prev {
			if !isNamed(p) {
				named = append(named, p)
				if big {
					namedSet[p] = true
				}
			}
		}
	}
	out := make([]Head, 0, len(heads)+len(in))
	has := func(id string) bool {
		if big {
			return outSet[id]
		}
		for i := range out {
			if out[i].ID == id {
				return true
			}
		}
		return false
	}
	add := func(h Head) {
		out = append(out, h)
		if big {
			outSet[h.ID] = true
		}
	}
	for _, h := range heads {
		if !isNamed(h.ID) && !has(h.ID) {
			add(h)
		}
	}
	for i := range in {
		op := &in[i]
		if isNamed(op.ID) || has(op.ID) || replaced != nil && replaced(op.ID) {
			continue
		}
		add(headOf(*op))
	}
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b Head) int {
			if newer(a, b) {
				return -1
			}
			if newer(b, a) {
				return 1
			}
			return 0
		})
	}
	return out, named
}

// noneReplaced is a replaced set that holds nothing.
func noneReplaced(string) bool { return false }

// dossierReplaced reads the replaced set of one dossier: the op ids (16
// bytes) its ops name in prev.
func dossierReplaced(tx *bolt.Tx, dkey []byte) map[[16]byte]bool {
	out := map[[16]byte]bool{}
	c := tx.Bucket(bReplaced).Cursor()
	for k, _ := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, _ = c.Next() {
		if len(k) == 32 {
			out[[16]byte(k[16:])] = true
		}
	}
	return out
}

// replacedIn is the replaced set of a dossier as mergeField asks it.
func replacedIn(set map[[16]byte]bool) func(string) bool {
	return func(id string) bool {
		k, err := idKey(id)
		return err == nil && set[[16]byte(k)]
	}
}

// headsWhere derives the heads of the fields of one dossier that keep
// accepts (nil: every field), in field order: one walk over the
// dossier's range of the log, each field's ops merged by mergeField.
func (s *Store) headsWhere(tx *bolt.Tx, dkey []byte, keep func(field string) bool) ([]fieldHeads, error) {
	rep := dossierReplaced(tx, dkey)
	byField := map[string][]Op{}
	c := tx.Bucket(bOps).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		if len(k) != 32 || rep[[16]byte(k[16:])] {
			continue
		}
		plain, err := s.openFor(dkey, v)
		if err != nil {
			return nil, fmt.Errorf("op %x: %w", k[16:], err)
		}
		if keep != nil && len(plain) > 0 && plain[0] == fmtOp {
			// Look at the field before decoding the rest.
			if view, err := viewOp(k, plain); err == nil && !keep(fieldString(view.field)) {
				continue
			}
		}
		op, err := decodeOp(k, plain, s.actors)
		if err != nil {
			return nil, fmt.Errorf("op %x: %w", k[16:], err)
		}
		if keep != nil && !keep(op.Field) {
			continue
		}
		byField[op.Field] = append(byField[op.Field], op)
	}
	fields := make([]string, 0, len(byField))
	for f := range byField {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	all := make([]fieldHeads, 0, len(fields))
	for _, f := range fields {
		hs, _ := mergeField(nil, byField[f], replacedIn(rep))
		all = append(all, fieldHeads{Field: f, Heads: hs})
	}
	return all, nil
}

// dossierHeads derives every field's heads of one dossier.
func (s *Store) dossierHeads(tx *bolt.Tx, dkey []byte) ([]fieldHeads, error) {
	return s.headsWhere(tx, dkey, nil)
}

// fieldHeadsOf derives the heads of one field: the dossier's ops are
// looked at by their encoded field, and only that field's are decoded.
func (s *Store) fieldHeadsOf(tx *bolt.Tx, dkey []byte, field string) ([]Head, error) {
	want := encodedField(field)
	rb := tx.Bucket(bReplaced)
	var ops []Op
	// Values stored as they are (no encryption, the plain codec) show
	// their field without being opened: the ops of other fields are
	// passed over in bbolt's memory, not copied first.
	_, plainCodec := s.codec.(PlainCodec)
	asIs := s.crypt == nil && plainCodec
	c := tx.Bucket(bOps).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		if len(k) != 32 {
			continue
		}
		if asIs && len(v) > 0 && v[0] != '{' && !opFieldIs(v, want) {
			continue
		}
		plain, err := s.openFor(dkey, v)
		if err != nil {
			return nil, fmt.Errorf("op %x: %w", k[16:], err)
		}
		if len(plain) > 0 && plain[0] != '{' && !opFieldIs(plain, want) {
			continue
		}
		op, err := decodeOp(k, plain, s.actors)
		if err != nil {
			return nil, fmt.Errorf("op %x: %w", k[16:], err)
		}
		if op.Field != field || rb.Get(k) != nil {
			continue
		}
		ops = append(ops, op)
	}
	hs, _ := mergeField(nil, ops, noneReplaced)
	if len(hs) == 0 {
		return nil, nil
	}
	return hs, nil
}

// headIDs is the set of the ids of heads.
func headIDSet(hs []Head) map[string]bool {
	m := make(map[string]bool, len(hs))
	for _, h := range hs {
		m[h.ID] = true
	}
	return m
}

// readHeads derives the heads of the field of hkey (dossier id + field).
func (s *Store) readHeads(tx *bolt.Tx, hkey []byte) ([]Head, error) {
	return s.fieldHeadsOf(tx, hkey[:16], string(hkey[16:]))
}

func (w *writer) heads(hkey []byte) ([]Head, error) {
	return w.fieldHeads(hkey[:16], string(hkey[16:]))
}
