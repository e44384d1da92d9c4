package pgstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
)

// The op log and merge state (storage.OpLog) and the sequence
// (storage.Sequence).
//
// oplog holds each op's JSON (what json.Marshal makes of it, as the
// server sends it) sealed with its dossier's key; replaced every op id a
// prev of an op of that dossier names. A field's heads are derived, as in
// the store: the dossier's ops not replaced, merged by the store's kernel
// (store.MergeField) with the ops of that field. Field names are inside
// the sealed JSON only, so a dossier's ops are opened to find a field's.

// ---- op log

// ApplyJSON stores op (checked by the caller with store.ValidateOp) and
// adds what its prev names to the replaced set; false when it is known.
func (tx *Tx) ApplyJSON(op store.Op, raw []byte) (bool, error) {
	if !tx.write {
		return false, fmt.Errorf("apply op %s: read-only transaction", op.ID)
	}
	dk, err := idKey(op.Dossier)
	if err != nil {
		return false, err
	}
	k, err := idKey(op.ID)
	if err != nil {
		return false, err
	}
	if tx.exists("SELECT EXISTS (SELECT 1 FROM erased WHERE dossier = $1)", dk) {
		return false, store.ErrErased
	}
	if tx.exists("SELECT EXISTS (SELECT 1 FROM oplog WHERE dossier = $1 AND op_id = $2)", dk, k) {
		return false, nil
	}
	before, err := tx.fieldHeads(dk, op.Field)
	if err != nil {
		return false, fmt.Errorf("merge op %s: %w", op.ID, err)
	}
	_, named := store.MergeField(before, []store.Op{op}, func(id string) bool {
		rk, err := idKey(id)
		return err == nil && tx.exists("SELECT EXISTS (SELECT 1 FROM replaced WHERE dossier = $1 AND op_id = $2)", dk, rk)
	})
	if raw == nil {
		if raw, err = json.Marshal(op); err != nil {
			return false, err
		}
	}
	sealed, err := tx.sealFor(dk, append(slices.Clone(dk), k...), raw)
	if err != nil {
		return false, fmt.Errorf("seal op %s: %w", op.ID, err)
	}
	if err := tx.exec("INSERT INTO oplog (dossier, op_id, op) VALUES ($1, $2, $3)", dk, k, sealed); err != nil {
		return false, fmt.Errorf("append op %s: %w", op.ID, err)
	}
	if len(named) > 0 {
		ids := make([][]byte, 0, len(named))
		for _, p := range named {
			pk, err := idKey(p)
			if err != nil {
				return false, err
			}
			ids = append(ids, pk)
		}
		if err := tx.exec("INSERT INTO replaced (dossier, op_id) SELECT $1, unnest($2::bytea[]) ON CONFLICT DO NOTHING", dk, ids); err != nil {
			return false, fmt.Errorf("merge op %s: %w", op.ID, err)
		}
	}
	return true, nil
}

// headOps reads and opens the dossier's ops the replaced set lacks.
func (tx *Tx) headOps(dk []byte) ([]store.Op, error) {
	type row struct{ id, sealed []byte }
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.id, &x.sealed) },
		`SELECT op_id, op FROM oplog o WHERE dossier = $1
		AND NOT EXISTS (SELECT 1 FROM replaced r WHERE r.dossier = o.dossier AND r.op_id = o.op_id) ORDER BY op_id`, dk)
	if err != nil {
		return nil, err
	}
	ops := make([]store.Op, 0, len(rs))
	for _, r := range rs {
		plain, err := tx.openFor(dk, append(slices.Clone(dk), r.id...), r.sealed)
		if err != nil {
			return nil, fmt.Errorf("op %x: %w", r.id, err)
		}
		var op store.Op
		if err := json.Unmarshal(plain, &op); err != nil {
			return nil, fmt.Errorf("op %x: %w: %v", r.id, store.ErrDamaged, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// HeadOpsJSON calls fn with each dossier of dks (keys) that has ops, in
// key order, and the JSON of its head ops (those the replaced set lacks):
// many dossiers' heads in a few queries, for the folds of a list
// (sync/server/opview.go, which uses it where a backend has it).
func (tx *Tx) HeadOpsJSON(dks [][]byte, fn func(dk []byte, ops [][]byte) error) error {
	const chunk = 500
	type row struct{ dk, id, sealed []byte }
	for len(dks) > 0 {
		n := min(chunk, len(dks))
		rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.dk, &x.id, &x.sealed) },
			`SELECT dossier, op_id, op FROM oplog o WHERE dossier = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM replaced r WHERE r.dossier = o.dossier AND r.op_id = o.op_id) ORDER BY dossier, op_id`, dks[:n])
		if err != nil {
			return err
		}
		dks = dks[n:]
		for i := 0; i < len(rs); {
			dk := rs[i].dk
			var ops [][]byte
			for ; i < len(rs) && string(rs[i].dk) == string(dk); i++ {
				plain, err := tx.openFor(dk, append(slices.Clone(dk), rs[i].id...), rs[i].sealed)
				if err != nil {
					return fmt.Errorf("op %x: %w", rs[i].id, err)
				}
				ops = append(ops, plain)
			}
			if err := fn(dk, ops); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldHeads derives a field's heads.
func (tx *Tx) fieldHeads(dk []byte, field string) ([]store.Head, error) {
	ops, err := tx.headOps(dk)
	if err != nil {
		return nil, err
	}
	ops = slices.DeleteFunc(ops, func(op store.Op) bool { return op.Field != field })
	if len(ops) == 0 {
		return nil, nil
	}
	hs, _ := store.MergeField(nil, ops, nil)
	return hs, nil
}

func (tx *Tx) Known(dossier, id string) bool {
	dk, err := idKey(dossier)
	if err != nil {
		return false
	}
	k, err := idKey(id)
	return err == nil && tx.exists("SELECT EXISTS (SELECT 1 FROM oplog WHERE dossier = $1 AND op_id = $2)", dk, k)
}

func (tx *Tx) Op(dossier, id string) (store.Op, error) {
	var op store.Op
	dk, err := idKey(dossier)
	if err != nil {
		return op, err
	}
	k, err := idKey(id)
	if err != nil {
		return op, err
	}
	raw, err := tx.OpJSON(append(dk, k...))
	if err != nil {
		return op, err
	}
	if err := json.Unmarshal(raw, &op); err != nil {
		return op, fmt.Errorf("op %s: %w: %v", id, store.ErrDamaged, err)
	}
	return op, nil
}

func (tx *Tx) OpJSON(key []byte) ([]byte, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: op key of %d bytes", store.ErrInvalid, len(key))
	}
	if sealed, ok := tx.page[[32]byte(key)]; ok {
		return tx.openFor(key[:16], key, sealed)
	}
	var sealed []byte
	err := tx.tx.QueryRow(tx.ctx, "SELECT op FROM oplog WHERE dossier = $1 AND op_id = $2", key[:16], key[16:]).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("op %x: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return tx.openFor(key[:16], key, sealed)
}

func (tx *Tx) DossierJSON(dkey []byte, keep func(key []byte) bool, dst [][]byte) ([][]byte, error) {
	type row struct{ id, sealed []byte }
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.id, &x.sealed) },
		"SELECT op_id, op FROM oplog WHERE dossier = $1 ORDER BY op_id", dkey)
	if err != nil {
		return dst, err
	}
	for _, r := range rs {
		k := append(slices.Clone(dkey), r.id...)
		if !keep(k) {
			continue
		}
		b, err := tx.openFor(dkey, k, r.sealed)
		if err != nil {
			return dst, fmt.Errorf("op %x: %w", k, err)
		}
		dst = append(dst, b)
	}
	return dst, nil
}

func (tx *Tx) HeadKeys(dkey []byte, dst [][]byte) ([][]byte, error) {
	ids, err := collect(tx.ctx, tx.tx, `SELECT op_id FROM oplog o WHERE dossier = $1
		AND NOT EXISTS (SELECT 1 FROM replaced r WHERE r.dossier = o.dossier AND r.op_id = o.op_id) ORDER BY op_id`, dkey)
	if err != nil {
		return dst, err
	}
	for _, id := range ids {
		dst = append(dst, append(slices.Clone(dkey), id...))
	}
	return dst, nil
}

func (tx *Tx) Heads(dossier, field string) ([]store.Head, error) {
	dk, err := idKey(dossier)
	if err != nil {
		return nil, err
	}
	return tx.fieldHeads(dk, field)
}

// HeadsAfter gives the heads op's field would have if op were applied
// now, by the kernel, without applying it; for a known op, the heads as
// they are.
func (tx *Tx) HeadsAfter(op store.Op) ([]store.Head, error) {
	dk, err := idKey(op.Dossier)
	if err != nil {
		return nil, err
	}
	k, err := idKey(op.ID)
	if err != nil {
		return nil, err
	}
	heads, err := tx.fieldHeads(dk, op.Field)
	if err != nil || tx.exists("SELECT EXISTS (SELECT 1 FROM oplog WHERE dossier = $1 AND op_id = $2)", dk, k) {
		return heads, err
	}
	after, _ := store.MergeField(heads, []store.Op{op}, func(id string) bool {
		rk, err := idKey(id)
		return err == nil && tx.exists("SELECT EXISTS (SELECT 1 FROM replaced WHERE dossier = $1 AND op_id = $2)", dk, rk)
	})
	return after, nil
}

func (tx *Tx) Exists(dossier string) bool {
	dk, err := idKey(dossier)
	return err == nil && tx.exists("SELECT EXISTS (SELECT 1 FROM oplog WHERE dossier = $1)", dk)
}

func (tx *Tx) Dossiers(fn func(dkey []byte) error) error {
	dks, err := collect(tx.ctx, tx.tx, "SELECT DISTINCT dossier FROM oplog ORDER BY dossier")
	if err != nil {
		return err
	}
	for _, dk := range dks {
		if err := fn(dk); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) Erased(dossier string) bool {
	dk, err := idKey(dossier)
	return err == nil && tx.exists("SELECT EXISTS (SELECT 1 FROM erased WHERE dossier = $1)", dk)
}

// ---- sequence: numbers in commit order (seq.go); with Update's write
// lock the counter's row lock is taken under it, so numbers follow the
// order in which write transactions commit.

func (tx *Tx) LastSeq() uint64 {
	last, err := Last(tx.ctx, tx.tx)
	if err != nil {
		return 0
	}
	return last
}

func (tx *Tx) NumberOp(op, dossier string) (uint64, error) {
	k, err := idKey(op)
	if err != nil {
		return 0, err
	}
	dk, err := idKey(dossier)
	if err != nil {
		return 0, err
	}
	var seq int64
	err = tx.tx.QueryRow(tx.ctx, `WITH c AS (UPDATE seq_counter SET last = last + 1 RETURNING last),
		i AS (INSERT INTO ops (seq, op_id, dossier) SELECT c.last, $1, $2 FROM c
			ON CONFLICT (op_id) DO UPDATE SET seq = EXCLUDED.seq, dossier = EXCLUDED.dossier)
		SELECT last FROM c`, k, dk).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("number op %s: %w", op, err)
	}
	return uint64(seq), nil
}

func (tx *Tx) NextSeq() (uint64, error) {
	var seq int64
	if err := tx.tx.QueryRow(tx.ctx, "UPDATE seq_counter SET last = last + 1 RETURNING last").Scan(&seq); err != nil {
		return 0, err
	}
	return uint64(seq), nil
}

// OpsAfter reads the numbers in pages (a connection runs one query at a
// time, and fn reads ops) and calls fn for each. Each page brings the
// sealed bodies of its ops along (one query, not one per op): OpJSON of
// an op of the page, what a pull asks next, reads none (tx.page).
func (tx *Tx) OpsAfter(seq uint64, fn func(seq uint64, op, dossier []byte) (bool, error)) error {
	const page = 4096
	type row struct {
		seq             int64
		op, dossier, by []byte
	}
	defer func() { tx.page = nil }()
	for {
		rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.seq, &x.op, &x.dossier, &x.by) },
			`SELECT o.seq, o.op_id, o.dossier, l.op FROM ops o LEFT JOIN oplog l ON l.dossier = o.dossier AND l.op_id = o.op_id
			WHERE o.seq > $1 ORDER BY o.seq LIMIT $2`, int64(seq), page)
		if err != nil {
			return err
		}
		tx.page = make(map[[32]byte][]byte, len(rs))
		for _, r := range rs {
			if len(r.op) == 16 && len(r.dossier) == 16 && r.by != nil {
				tx.page[[32]byte(append(slices.Clone(r.dossier), r.op...))] = r.by
			}
		}
		for _, r := range rs {
			more, err := fn(uint64(r.seq), r.op, r.dossier)
			if err != nil || !more {
				return err
			}
			seq = uint64(r.seq)
		}
		if len(rs) < page {
			return nil
		}
	}
}

func (tx *Tx) OpDossier(op string) (string, bool) {
	var d []byte
	if err := tx.tx.QueryRow(tx.ctx, "SELECT dossier FROM ops WHERE op_id = $1", []byte(op)).Scan(&d); err != nil {
		return "", false
	}
	return string(d), true
}

func (tx *Tx) DropDossierOps(dossier string) error {
	return tx.exec("DELETE FROM ops WHERE dossier = $1", []byte(dossier))
}
