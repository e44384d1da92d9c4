package pgstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
)

// The op log and merge state (storage.OpLog) and the sequence
// (storage.Sequence).
//
// oplog holds each op's body (store.AppendOpBody: the binary form of the
// store's log, with the device and author written out, as no actor table
// is shared by the processes on a database) sealed with its dossier's
// key, the op's log key (dossier id + op id) bound as associated data, so
// that a body moved to another row does not open; replaced every op id a
// prev of an op of that dossier names. A field's heads are derived, as in
// the store: the dossier's ops not replaced, merged by the store's kernel
// (store.MergeField) with the ops of that field. Field names are inside
// the sealed body only, so a dossier's ops are opened to find a field's.
// A pull reads the bodies as ops (DossierOps) or builds the ops' JSON
// from them (OpJSON, DossierJSON), byte for byte what json.Marshal makes
// of the op, as the store does. Before migration 00005 a body was the
// op's JSON; such a body still reads (store.DecodeOpBody), and the
// conversion at start (convert.go) rewrites them.

// sealOp seals the body of op, whose log key is lkey.
func (tx *Tx) sealOp(lkey []byte, op *store.Op) ([]byte, error) {
	return tx.sealFor(lkey[:16], lkey, store.AppendOpBody(make([]byte, 0, store.OpBodySize(op)), lkey, op))
}

// openOp opens and decodes the sealed body of the op at lkey.
func (tx *Tx) openOp(lkey, sealed []byte) (store.Op, error) {
	plain, err := tx.openFor(lkey[:16], lkey, sealed)
	if err != nil {
		return store.Op{}, fmt.Errorf("op %x: %w", lkey, err)
	}
	op, err := store.DecodeOpBody(lkey, plain)
	if err != nil {
		return op, fmt.Errorf("op %x: %w: %v", lkey, store.ErrDamaged, err)
	}
	return op, nil
}

// openOpJSON opens the sealed body of the op at lkey and appends its JSON
// to dst.
func (tx *Tx) openOpJSON(dst, lkey, sealed []byte) ([]byte, error) {
	plain, err := tx.openFor(lkey[:16], lkey, sealed)
	if err != nil {
		return dst, fmt.Errorf("op %x: %w", lkey, err)
	}
	out, err := store.AppendOpBodyJSON(dst, lkey, plain)
	if err != nil {
		return dst, fmt.Errorf("op %x: %w: %v", lkey, store.ErrDamaged, err)
	}
	return out, nil
}

// ---- op log

// A push judges and applies its ops one at a time, and each asks about
// its dossier: erased? the op known? the field's heads? what does a prev
// replace? Asked of the database, that was several round trips per op
// (and every head op of the dossier read and opened each time). A
// transaction now reads what it needs of a dossier once (dossierState:
// one query), answers from it, and keeps it current with the ops it
// applies; a push then costs one statement per op (its insert, with its
// replaced ids) plus its number. Nothing else writes a dossier's ops,
// replaced set or tombstone inside a transaction but ApplyJSON, which
// keeps the state, and ImportOps and MarkErased, which drop it; write
// transactions run one at a time (the write lock) and a View reads one
// snapshot, so the state stays what the database holds.

// dossierState is what a transaction knows of a dossier's op log.
type dossierState struct {
	erased   bool
	known    map[[16]byte]bool // every op of the dossier
	replaced map[[16]byte]bool // every id a prev names
	heads    []headOp          // the ops not replaced, by op id
	opened   bool              // every head's op is open
	// scope, when not nil, is what of the dossier was read: the state
	// was read for a push (partialStatesQuery). Asked about anything
	// else, the transaction reads the state whole (whole).
	scope *stateScope
}

// stateScope is what a state read for a push holds: the heads of fields
// (and every head whose row has no field tag), and of the ops, whether
// ids are known; any, whether the dossier has an op. replaced is whole.
type stateScope struct {
	fields map[string]bool
	ids    map[[16]byte]bool
	any    bool
}

// headOp is an op not replaced: sealed as read (nil when only its id
// was read), op once open (opened, or from the process's cache of head
// ops, headcache.go).
type headOp struct {
	id     [16]byte
	sealed []byte
	op     store.Op
	open   bool
}

// maxDossierStates bounds the states a transaction keeps (a transaction
// that walks many dossiers starts over when it reaches it).
const maxDossierStates = 512

// dossier gives the state of dossier dk, read with one query the first
// time the transaction asks. (The replaced ids are joined, each side
// restricted to the dossier: a correlated EXISTS let the planner hash the
// whole replaced table, 400 ms on the 10,000-client region without
// statistics against 3 ms.)
func (tx *Tx) dossier(dk []byte) (*dossierState, error) {
	key := [16]byte(dk)
	if st, ok := tx.dos[key]; ok {
		return st, nil
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *stateRow) error { return r.Scan(&x.kind, &x.id, &x.sealed) }, stateQuery, dk)
	if err != nil {
		return nil, err
	}
	return tx.keepState(dk, rs)
}

// stateQuery reads the state of the dossier $1 (dossier). A head's
// body comes with it (a row of kind 2 with a body); statesQuery sends
// its id only (kind 4).
const stateQuery = `SELECT 0, dossier, NULL::bytea FROM erased WHERE dossier = $1
		UNION ALL SELECT 1, op_id, NULL FROM replaced WHERE dossier = $1
		UNION ALL SELECT 2, o.op_id, CASE WHEN r.op_id IS NULL THEN o.op END
			FROM oplog o LEFT JOIN replaced r ON r.dossier = $1 AND r.op_id = o.op_id WHERE o.dossier = $1
		UNION ALL SELECT 3, NULL, convert_to(team, 'UTF8') FROM dossier_team WHERE dossier = $1`

// statesQuery is dossier's query for many dossiers at once ($1, their
// keys), each row led by its dossier's key (PrefetchedUpdate). For a
// dossier whose flag in $2 is set (the process's cache of head ops holds
// its heads as some transaction left them) the heads come as ids only
// (kind 4): their ops come from the cache, and the bodies of those it
// lacks (written by another process since) with one more query
// (headBodiesQuery); for the others, with their bodies, as stateQuery's.
const statesQuery = `SELECT k.d, x.kind, x.id, x.b FROM unnest($1::bytea[], $2::bool[]) AS k(d, c), LATERAL (
		SELECT 0 AS kind, dossier AS id, NULL::bytea AS b FROM erased WHERE dossier = k.d
		UNION ALL SELECT 1, op_id, NULL FROM replaced WHERE dossier = k.d
		UNION ALL SELECT CASE WHEN r.op_id IS NOT NULL THEN 2 WHEN k.c THEN 4 ELSE 2 END, o.op_id,
				CASE WHEN r.op_id IS NULL AND NOT k.c THEN o.op END
			FROM oplog o LEFT JOIN replaced r ON r.dossier = k.d AND r.op_id = o.op_id WHERE o.dossier = k.d
		UNION ALL SELECT 3, NULL, convert_to(team, 'UTF8') FROM dossier_team WHERE dossier = k.d) x`

// headBodiesQuery reads the sealed bodies of the ops ($1 their
// dossiers' keys, $2 their ids, pairwise).
const headBodiesQuery = `SELECT o.dossier, o.op_id, o.op FROM unnest($1::bytea[], $2::bytea[]) AS k(d, i)
		JOIN oplog o ON o.dossier = k.d AND o.op_id = k.i`

// partialStatesQuery is statesQuery for dossiers a push writes to ($1
// their keys; $2, $3 pairwise a dossier's key and the tag of a field it
// writes, fieldtag.go): the replaced ids as there, but only the heads of
// the fields tagged, and of rows without a tag, with their bodies (kind
// 2), and whether the dossier has any op (kind 6). Which of the pushed
// ops are stored comes from the ops' dossiers read with it (pushedKnown);
// partialStatesProbeQuery also probes the log for those ops ($4, $5).
const partialStatesQuery = `SELECT k.d, x.kind, x.id, x.b FROM unnest($1::bytea[]) AS k(d), LATERAL (
		SELECT 0 AS kind, dossier AS id, NULL::bytea AS b FROM erased WHERE dossier = k.d
		UNION ALL SELECT 1, op_id, NULL FROM replaced WHERE dossier = k.d
		UNION ALL SELECT 6, NULL, NULL WHERE EXISTS (SELECT 1 FROM oplog WHERE dossier = k.d)
		UNION ALL SELECT 2, o.op_id, o.op FROM oplog o LEFT JOIN replaced r ON r.dossier = k.d AND r.op_id = o.op_id
			WHERE o.dossier = k.d AND o.field IS NULL AND r.op_id IS NULL
		UNION ALL SELECT 3, NULL, convert_to(team, 'UTF8') FROM dossier_team WHERE dossier = k.d) x
	UNION ALL SELECT f.d, 2, o.op_id, o.op FROM unnest($2::bytea[], $3::bigint[]) AS f(d, t)
		JOIN oplog o ON o.dossier = f.d AND o.field = f.t
		LEFT JOIN replaced r ON r.dossier = f.d AND r.op_id = o.op_id
		WHERE r.op_id IS NULL`

// partialStatesProbeQuery is partialStatesQuery with the pushed ops ($4,
// $5: pairwise a dossier's key and an op it pushes) probed in the log:
// those stored come as kind 5. It is sent for pushed ops whose dossier
// was not read from ops (none, as the server asks: every pushed op is
// among SyncPrefetch.Ops), and for all of them in tests (probePushed).
const partialStatesProbeQuery = partialStatesQuery + `
	UNION ALL SELECT o.dossier, 5, o.op_id, NULL FROM unnest($4::bytea[], $5::bytea[]) AS i(d, i)
		JOIN oplog o ON o.dossier = i.d AND o.op_id = i.i`

// stateRow is a row of dossier's query: kind 0 the tombstone, 1 an op
// replaced, 2 an op (with its sealed body when not replaced), 3 the
// dossier's team (its name in sealed), 4 an op not replaced (its id
// alone), 5 an op (its id alone), 6 the dossier has ops.
type stateRow struct {
	kind       int32
	id, sealed []byte
}

// keepState makes the state of dossier dk from the rows of its query
// and keeps it for the transaction.
func (tx *Tx) keepState(dk []byte, rs []stateRow) (*dossierState, error) {
	return tx.keepStateOf(dk, rs, nil)
}

// keepStateOf is keepState for a state whose heads were read for fields
// alone (nil: all).
func (tx *Tx) keepStateOf(dk []byte, rs []stateRow, scope *stateScope) (*dossierState, error) {
	st := &dossierState{known: map[[16]byte]bool{}, replaced: map[[16]byte]bool{}, scope: scope}
	// The dossier's team comes along, for DossierTeam (a push asks it
	// next): kept as that would keep it (recordMemo).
	team := ""
	for _, r := range rs {
		if r.kind == 3 {
			team = string(r.sealed)
			continue
		}
		if r.kind == 6 {
			if scope != nil {
				scope.any = true
			}
			continue
		}
		if len(r.id) != 16 {
			return nil, fmt.Errorf("dossier %x: %w: op key of %d bytes", dk, store.ErrDamaged, len(r.id))
		}
		id := [16]byte(r.id)
		switch r.kind {
		case 0:
			st.erased = true
		case 1:
			st.replaced[id] = true
		case 2:
			st.known[id] = true
			if r.sealed != nil {
				st.heads = append(st.heads, headOp{id: id, sealed: r.sealed})
			}
		case 4:
			st.known[id] = true
			st.heads = append(st.heads, headOp{id: id})
		case 5:
			st.known[id] = true
		}
	}
	slices.SortFunc(st.heads, func(a, b headOp) int { return bytes.Compare(a.id[:], b.id[:]) })
	if scope != nil {
		st.heads = slices.CompactFunc(st.heads, func(a, b headOp) bool { return a.id == b.id })
	}
	if !st.erased && len(st.heads) > 0 && scope == nil {
		tx.s.heads.supply([16]byte(dk), st.heads)
	}
	m := tx.tx.memo
	if m.dossierTeam == nil {
		m.dossierTeam = map[string]string{}
	}
	m.dossierTeam[string(dk)] = team
	if tx.dos == nil || len(tx.dos) >= maxDossierStates {
		tx.dos = map[[16]byte]*dossierState{}
	}
	tx.dos[[16]byte(dk)] = st
	return st, nil
}

// whole reads the state st of dossier dk again, whole, when it was read
// for a push (scope); in place, so that whoever holds st sees every
// head. What the transaction wrote since is queued and goes before the
// query (txconn.go), so the state read is the one st was kept as.
func (tx *Tx) whole(dk []byte, st *dossierState) error {
	if st.scope == nil || FieldStateFault(tx.s.fieldStatesFault.Load()) == FaultFieldsNeverWhole {
		return nil
	}
	tx.s.wholes.Add(1)
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *stateRow) error { return r.Scan(&x.kind, &x.id, &x.sealed) }, stateQuery, dk)
	if err != nil {
		return err
	}
	full, err := tx.keepState(dk, rs)
	if err != nil {
		return err
	}
	*st = *full
	tx.dos[[16]byte(dk)] = st
	return nil
}

// forget drops what the transaction knows of dossier dk (after writing
// its ops other than through ApplyJSON).
func (tx *Tx) forget(dk []byte) error {
	if len(dk) == 16 {
		delete(tx.dos, [16]byte(dk))
		tx.s.heads.drop([16]byte(dk), &tx.headGen)
	}
	return tx.dropHist(dk)
}

// openHeads opens (once) the dossier's ops not replaced: those the
// process's cache of head ops held are open already; the bodies of heads
// whose id alone was read are read first (one query).
func (tx *Tx) openHeads(dk []byte, st *dossierState) error {
	if !st.opened {
		if err := tx.readHeadBodies(map[[16]byte]*dossierState{[16]byte(dk): st}); err != nil {
			return err
		}
		for i := range st.heads {
			h := &st.heads[i]
			if h.open {
				continue
			}
			if h.sealed == nil {
				return fmt.Errorf("op %x%x: %w: no body", dk, h.id, store.ErrDamaged)
			}
			op, err := tx.openOp(append(slices.Clone(dk), h.id[:]...), h.sealed)
			if err != nil {
				return err
			}
			h.op, h.sealed, h.open = op, nil, true
		}
		st.opened = true
	}
	return nil
}

// readHeadBodies reads, with one query, the sealed bodies of the heads
// of the dossiers in dos whose id alone was read and whose op the
// process's cache of head ops lacked.
func (tx *Tx) readHeadBodies(dos map[[16]byte]*dossierState) error {
	var dks, ids [][]byte
	for dk, st := range dos {
		for i := range st.heads {
			if h := &st.heads[i]; !h.open && h.sealed == nil {
				dks, ids = append(dks, dk[:]), append(ids, h.id[:])
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	tx.s.heads.misses.Add(int64(len(ids)))
	var block, dk, id, sealed []byte
	return tx.eachRow([]any{&dk, &id, blockBytes{&block, &sealed}}, func() error {
		if len(dk) != 16 || len(id) != 16 {
			return fmt.Errorf("%w: op key of %d and %d bytes", store.ErrDamaged, len(dk), len(id))
		}
		st := dos[[16]byte(dk)]
		if st == nil {
			return nil
		}
		if i, ok := slices.BinarySearchFunc(st.heads, [16]byte(id), func(a headOp, id [16]byte) int { return bytes.Compare(a.id[:], id[:]) }); ok && !st.heads[i].open {
			st.heads[i].sealed = sealed
		}
		return nil
	}, headBodiesQuery, dks, ids)
}

// fieldHeads derives a field's heads.
func (tx *Tx) fieldHeads(dk []byte, st *dossierState, field string) ([]store.Head, error) {
	if st.scope != nil && !st.scope.fields[field] {
		if err := tx.whole(dk, st); err != nil {
			return nil, err
		}
	}
	if err := tx.openHeads(dk, st); err != nil {
		return nil, err
	}
	var ops []store.Op
	for i := range st.heads {
		if st.heads[i].op.Field == field {
			ops = append(ops, st.heads[i].op)
		}
	}
	if len(ops) == 0 {
		return nil, nil
	}
	hs, _ := store.MergeField(nil, ops, nil)
	return hs, nil
}

// replacedIn is st's replaced set as the kernel asks it.
func replacedIn(st *dossierState) func(id string) bool {
	return func(id string) bool {
		rk, err := idKey(id)
		return err == nil && st.replaced[[16]byte(rk)]
	}
}

// ApplyJSON stores op (checked by the caller with store.ValidateOp) and
// adds what its prev names to the replaced set; false when it is known.
// The op is stored as its body (raw, its JSON, is not kept: the JSON given
// back is json.Marshal's, as the store gives it).
func (tx *Tx) ApplyJSON(op store.Op, _ []byte) (bool, error) {
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
	st, err := tx.dossier(dk)
	if err != nil {
		return false, fmt.Errorf("apply op %s: %w", op.ID, err)
	}
	if st.erased {
		return false, store.ErrErased
	}
	if known, err := tx.knows(dk, st, k); err != nil || known {
		return false, err
	}
	before, err := tx.fieldHeads(dk, st, op.Field)
	if err != nil {
		return false, fmt.Errorf("merge op %s: %w", op.ID, err)
	}
	_, named := store.MergeField(before, []store.Op{op}, replacedIn(st))
	lkey := append(slices.Clone(dk), k...)
	body := store.AppendOpBody(make([]byte, 0, store.OpBodySize(&op)), lkey, &op)
	sealed, err := tx.sealFor(dk, lkey, body)
	if err != nil {
		return false, fmt.Errorf("seal op %s: %w", op.ID, err)
	}
	// The ids named that the dossier's replaced set lacks: those already
	// in it stay as they are (the state holds the whole set, as the
	// database does), so the insert is a plain one (fold.go).
	ids := make([][]byte, 0, len(named))
	for _, p := range named {
		pk, err := idKey(p)
		if err != nil {
			return false, err
		}
		if !st.replaced[[16]byte(pk)] {
			ids = append(ids, pk)
		}
	}
	// One statement: the op and the ids its prev replaces, queued to go
	// with the transaction's next statement (txconn.go).
	tag, err := tx.fieldTag(dk, op.Field)
	if err != nil {
		return false, fmt.Errorf("tag op %s: %w", op.ID, err)
	}
	if len(ids) == 0 {
		tx.tx.queue(sqlInsertOp, 0, dk, k, sealed, tx.tx.boxed(tag))
	} else {
		tx.tx.queue(sqlInsertOpReplaced, 0, dk, k, sealed, tx.tx.boxed(tag), ids)
	}
	if err := tx.dropHist(dk); err != nil {
		return false, err
	}
	st.known[[16]byte(k)] = true
	if st.scope != nil {
		st.scope.ids[[16]byte(k)] = true
	}
	for _, id := range ids {
		st.replaced[[16]byte(id)] = true
	}
	st.heads = slices.DeleteFunc(st.heads, func(h headOp) bool { return st.replaced[h.id] })
	if !st.replaced[[16]byte(k)] {
		// The head kept is the op as the database will give it back
		// (its strings its own, not the request's), open: the process's
		// cache of head ops takes it if the transaction commits.
		h := headOp{id: [16]byte(k), open: true}
		if h.op, err = store.DecodeOpBody(lkey, body); err != nil {
			return false, fmt.Errorf("op %s: %w: %v", op.ID, store.ErrInvalid, err)
		}
		i, _ := slices.BinarySearchFunc(st.heads, h.id, func(a headOp, id [16]byte) int { return bytes.Compare(a.id[:], id[:]) })
		st.heads = slices.Insert(st.heads, i, h)
	}
	return true, nil
}

// HeadOps calls fn with each dossier of dks (keys) that has ops, in key
// order, and its head ops (those the replaced set lacks): many dossiers'
// heads in a few queries, for the folds of a list (sync/server/opview.go,
// which uses it where a backend has it).
func (tx *Tx) HeadOps(dks [][]byte, fn func(dk []byte, ops []store.Op) error) error {
	const chunk = 500
	type row struct{ dk, id, sealed []byte }
	for len(dks) > 0 {
		n := min(chunk, len(dks))
		rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.dk, &x.id, &x.sealed) },
			`SELECT o.dossier, o.op_id, o.op
			FROM oplog o LEFT JOIN replaced r ON r.dossier = ANY($1) AND r.dossier = o.dossier AND r.op_id = o.op_id
			WHERE o.dossier = ANY($1) AND r.op_id IS NULL ORDER BY o.dossier, o.op_id`, dks[:n])
		if err != nil {
			return err
		}
		dks = dks[n:]
		for i := 0; i < len(rs); {
			dk := rs[i].dk
			var ops []store.Op
			for ; i < len(rs) && string(rs[i].dk) == string(dk); i++ {
				op, err := tx.openOp(append(slices.Clone(dk), rs[i].id...), rs[i].sealed)
				if err != nil {
					return err
				}
				ops = append(ops, op)
			}
			if err := fn(dk, ops); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *Tx) Known(dossier, id string) bool {
	dk, err := idKey(dossier)
	if err != nil {
		return false
	}
	k, err := idKey(id)
	if err != nil {
		return false
	}
	st, err := tx.dossier(dk)
	if err != nil {
		return false
	}
	known, err := tx.knows(dk, st, k)
	return err == nil && known
}

// knows reports whether op k is of dossier dk, of state st.
func (tx *Tx) knows(dk []byte, st *dossierState, k []byte) (bool, error) {
	if st.scope != nil && !st.scope.ids[[16]byte(k)] {
		if err := tx.whole(dk, st); err != nil {
			return false, err
		}
	}
	return st.known[[16]byte(k)], nil
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
	if st, ok := tx.dos[[16]byte(dk)]; ok {
		// A head of a dossier the transaction read: no query (the share
		// index's rebuild reads every head of every dossier so).
		if i, ok := slices.BinarySearchFunc(st.heads, [16]byte(k), func(a headOp, id [16]byte) int { return bytes.Compare(a.id[:], id[:]) }); ok {
			h := st.heads[i]
			if h.open {
				op = h.op
				op.Prev = slices.Clone(op.Prev)
				return op, nil
			}
			if h.sealed != nil {
				return tx.openOp(append(slices.Clone(dk), k...), h.sealed)
			}
		}
	}
	lkey := append(dk, k...)
	sealed, err := tx.sealedOp(lkey)
	if err != nil {
		return op, err
	}
	return tx.openOp(lkey, sealed)
}

func (tx *Tx) OpJSON(key []byte) ([]byte, error) {
	sealed, err := tx.sealedOp(key)
	if err != nil {
		return nil, err
	}
	return tx.openOpJSON(nil, key, sealed)
}

// sealedOp reads the sealed body of the op at key: from the page OpsAfter
// is at, or alone.
func (tx *Tx) sealedOp(key []byte) ([]byte, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: op key of %d bytes", store.ErrInvalid, len(key))
	}
	sealed, ok, err := tx.pageBody(key)
	if err != nil {
		return nil, err
	}
	if ok && sealed == nil {
		return nil, fmt.Errorf("op %x: %w", key, store.ErrNotFound)
	}
	if ok {
		return sealed, nil
	}
	err = tx.tx.QueryRow(tx.ctx, "SELECT op FROM oplog WHERE dossier = $1 AND op_id = $2", key[:16], key[16:]).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("op %x: %w", key, store.ErrNotFound)
	}
	return sealed, err
}

// blockBytes scans a bytea value into *dst, a slice of a block shared
// with the other values scanned with the same block (pgtype.BytesScanner:
// pgx hands over its own buffer), made 64 KiB at a time: a page of a pull
// reads some 10,000 op ids and bodies, one allocation each as []byte. A
// NULL scans as nil. Slices given out are never written again.
type blockBytes struct{ block, dst *[]byte }

func (b blockBytes) ScanBytes(v []byte) error {
	if v == nil {
		*b.dst = nil
		return nil
	}
	blk := *b.block
	if cap(blk)-len(blk) < len(v) {
		blk = make([]byte, 0, max(64<<10, len(v)))
	}
	start := len(blk)
	blk = append(blk, v...)
	*b.block, *b.dst = blk, blk[start:len(blk):len(blk)]
	return nil
}

// histEntry is a dossier's part of the log as PrefetchHistories read it:
// every op id, whether it is a head, and the sealed body (nil for an op
// not a head when only the heads' bodies were read).
type histEntry struct {
	ids    [][]byte
	head   []bool
	sealed [][]byte
	// buf, when not nil, holds the bytes ids and sealed are slices of
	// (histBufs); release gives it back once the dossier was read.
	buf *[]byte
}

// histBufs pools the buffers the prefetched dossiers' ops are read into:
// a pull reads some 90 MB of them, each dossier's opened and decoded at
// once and then no longer needed, where pgx would make a new slice of
// each row's value. Buffers over histBufMax are left to the collector.
var histBufs = sync.Pool{New: func() any { return new([]byte) }}

const histBufMax = 1 << 20

// release gives e's buffer back to histBufs; e's ids and bodies must no
// longer be read.
func (e *histEntry) release() {
	if e.buf == nil {
		return
	}
	if cap(*e.buf) <= histBufMax {
		*e.buf = (*e.buf)[:0]
		histBufs.Put(e.buf)
	}
	e.buf, e.ids, e.sealed = nil, nil, nil
}

// intoBytes scans a bytea value into *buf, overwriting what it held, and
// sets *dst to it (nil for NULL); pgx's own buffer is handed over
// (pgtype.BytesScanner) and good only during the call.
type intoBytes struct{ buf, dst *[]byte }

func (b intoBytes) ScanBytes(v []byte) error {
	if v == nil {
		*b.dst = nil
		return nil
	}
	*b.buf = append((*b.buf)[:0], v...)
	*b.dst = *b.buf
	return nil
}

// A dossier's ops come from PrefetchHistories as one value: the ops'
// (op id, length of the sealed body as 4 bytes big-endian, sealed body)
// one after the other, and its replaced ids as another. PostgreSQL's values
// stop at 1 GB, so each is read up to a bound (prefetchOps ops of at most
// protocol.MaxValueBytes and some, prefetchReplaced ids): a dossier that
// reaches one is read by the queries of HeadKeys and DossierOps instead,
// as when it was not prefetched. Variables so that tests can make them
// small.
var (
	prefetchOps      = 2048
	prefetchReplaced = 65536
)

// prefetchQuery reads, for each dossier of $1 (its number in $1 from 1),
// its replaced ids and its ops, up to $2 ops and $3 replaced ids, each a
// value of its own: one row per dossier rather than one per op (pgx reads
// a row at some cost, and PostgreSQL sends one as well). Each side is read
// by an index scan of its own per dossier.
const prefetchQuery = `SELECT d.n,
	(SELECT string_agg(x.op_id, ''::bytea) FROM (SELECT r.op_id FROM replaced r WHERE r.dossier = d.k LIMIT $3) x),
	(SELECT string_agg(x.op_id || int4send(length(x.op)) || x.op, ''::bytea)
		FROM (SELECT o.op_id, o.op FROM oplog o WHERE o.dossier = d.k ORDER BY o.op_id LIMIT $2) x)
	FROM unnest($1::bytea[]) WITH ORDINALITY d(k, n)`

// PrefetchHistories reads the ops of dossiers (16-byte keys) with one
// query, for the HeadKeys and DossierJSON that follow
// (storage.PullBatcher); with snapshot only the heads' bodies are kept.
//
// The rows are read as they are asked for (histFor), not all before it
// returns: PostgreSQL reads and sends the next dossiers while the pull
// opens, decodes and encodes the ops of the first ones. Until they are
// all read the connection can take no other statement, so the
// transaction's connection reads the rest first whenever it is about to
// send one, and before its COMMIT or ROLLBACK (txConn.finish).
func (tx *Tx) PrefetchHistories(dossiers []string, snapshot bool) error {
	if len(dossiers) == 0 {
		return nil
	}
	keys := make([][]byte, len(dossiers))
	for i, d := range dossiers {
		if len(d) != 16 {
			return fmt.Errorf("%w: dossier key of %d bytes", store.ErrInvalid, len(d))
		}
		keys[i] = []byte(d)
	}
	rows, err := tx.tx.Query(tx.ctx, prefetchQuery, keys, prefetchOps, prefetchReplaced)
	if err != nil {
		return err
	}
	// The keys come from the key store's own connection while PostgreSQL
	// reads the ops (a dossier whose key is not read here has it read
	// when its first op is opened).
	if err := tx.s.prefetchKeys(tx.ctx, keys); err != nil {
		rows.Close()
		return err
	}
	h := &histRows{rows: rows, keys: keys, snapshot: snapshot, left: make(map[[16]byte]bool, len(keys)), rep: map[[16]byte]bool{}}
	for _, k := range keys {
		h.left[[16]byte(k)] = true
	}
	tx.hist = make(map[[16]byte]*histEntry, len(dossiers))
	tx.coming = h
	tx.tx.pending = func() error { return tx.readHist(nil) }
	return nil
}

// histRows are the rows of PrefetchHistories' query still being read.
type histRows struct {
	rows     pgx.Rows
	keys     [][]byte
	snapshot bool
	left     map[[16]byte]bool // the dossiers whose row has not come
	rep      map[[16]byte]bool // histFrom's
	replaced []byte            // the row's replaced ids, read again for each row
}

// readHist reads the rows of PrefetchHistories' query into tx.hist until
// the row of dossier dk has come (nil: all of them), and closes them
// after the last.
func (tx *Tx) readHist(dk *[16]byte) error {
	h := tx.coming
	if h == nil {
		return nil
	}
	done := func(err error) error {
		h.rows.Close()
		if err == nil {
			err = h.rows.Err()
		}
		tx.coming, tx.tx.pending = nil, nil
		if err != nil {
			tx.hist = nil
		}
		return err
	}
	var n int64
	var replaced, ops []byte
	for (dk == nil || h.left[*dk]) && h.rows.Next() {
		// The replaced ids are read into the map of histFrom; the ops
		// stay, in a buffer of their own, until their dossier is read.
		buf := histBufs.Get().(*[]byte)
		if err := h.rows.Scan(&n, intoBytes{&h.replaced, &replaced}, intoBytes{buf, &ops}); err != nil {
			return done(err)
		}
		if n < 1 || n > int64(len(h.keys)) {
			return done(fmt.Errorf("%w: dossier %d of %d", store.ErrDamaged, n, len(h.keys)))
		}
		k := h.keys[n-1]
		delete(h.left, [16]byte(k))
		if len(replaced)%16 != 0 {
			return done(fmt.Errorf("dossier %x: %w: replaced ids of %d bytes", k, store.ErrDamaged, len(replaced)))
		}
		e, err := histFrom(k, ops, replaced, h.snapshot, h.rep)
		if err != nil {
			return done(err)
		}
		if e != nil { // nil: over a bound, read when asked
			e.buf = buf
			tx.hist[[16]byte(k)] = e
		} else {
			histBufs.Put(buf)
		}
	}
	if len(h.left) == 0 || dk == nil {
		// Past the last row (Next false), or none left to come: reading
		// on ends the statement.
		for h.rows.Next() {
		}
		return done(nil)
	}
	if !h.left[*dk] {
		return nil
	}
	return done(nil) // the rows ended without it
}

// histFor gives what PrefetchHistories read of dossier dk, reading the
// query's rows on until its row has come; nil when it was not asked for
// (or was over a bound, or taken).
func (tx *Tx) histFor(dk []byte) (*histEntry, error) {
	if len(dk) != 16 {
		return nil, nil
	}
	k := [16]byte(dk)
	if h := tx.coming; h != nil && h.left[k] {
		if err := tx.readHist(&k); err != nil {
			return nil, err
		}
	}
	return tx.hist[k], nil
}

// dropHist forgets what PrefetchHistories read of dossier dk (its log
// written meanwhile), the rows still to come read first.
func (tx *Tx) dropHist(dk []byte) error {
	if err := tx.tx.finish(); err != nil {
		return err
	}
	if len(dk) == 16 {
		delete(tx.hist, [16]byte(dk))
	}
	return nil
}

// histFrom makes a dossier's entry from the values prefetchQuery read of
// it (slices of ops are kept: each row's values are new), nil when it
// reached a bound of the query. rep is a map to use, emptied first.
func histFrom(dk, ops, replaced []byte, snapshot bool, rep map[[16]byte]bool) (*histEntry, error) {
	if len(replaced)/16 >= prefetchReplaced {
		return nil, nil
	}
	count := 0
	for i := 0; i < len(ops); count++ {
		if len(ops)-i < 20 {
			return nil, fmt.Errorf("dossier %x: %w: an op of %d bytes", dk, store.ErrDamaged, len(ops)-i)
		}
		size := int(binary.BigEndian.Uint32(ops[i+16:]))
		if size > len(ops)-i-20 {
			return nil, fmt.Errorf("dossier %x: %w: an op body of %d bytes past the end", dk, store.ErrDamaged, size)
		}
		i += 20 + size
	}
	if count >= prefetchOps {
		return nil, nil
	}
	clear(rep)
	for i := 0; i < len(replaced); i += 16 {
		rep[[16]byte(replaced[i:])] = true
	}
	e := &histEntry{ids: make([][]byte, count), head: make([]bool, count), sealed: make([][]byte, count)}
	for j, i := 0, 0; j < count; j++ {
		size := int(binary.BigEndian.Uint32(ops[i+16:]))
		id := ops[i : i+16 : i+16]
		e.ids[j], e.head[j] = id, !rep[[16]byte(id)]
		if e.head[j] || !snapshot { // a snapshot sends heads only
			e.sealed[j] = ops[i+20 : i+20+size : i+20+size]
		}
		i += 20 + size
	}
	e.sort()
	return e, nil
}

// sort puts the entry's ops in key order.
func (e *histEntry) sort() {
	if slices.IsSortedFunc(e.ids, bytes.Compare) {
		return
	}
	idx := make([]int, len(e.ids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return bytes.Compare(e.ids[a], e.ids[b]) })
	ids, head, sealed := make([][]byte, len(idx)), make([]bool, len(idx)), make([][]byte, len(idx))
	for i, j := range idx {
		ids[i], head[i], sealed[i] = e.ids[j], e.head[j], e.sealed[j]
	}
	e.ids, e.head, e.sealed = ids, head, sealed
}

// eachRow runs a query and calls fn after scanning each row into dest,
// the same variables for every row (no allocation per row but what they
// make). fn must not send a statement: the connection is reading rows.
func (tx *Tx) eachRow(dest []any, fn func() error, sql string, args ...any) error {
	rows, err := tx.tx.Query(tx.ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	rows.Close()
	return rows.Err()
}

func (tx *Tx) DossierJSON(dkey []byte, keep func(key []byte) bool, dst [][]byte) ([][]byte, error) {
	err := tx.dossierBodies(dkey, keep, func(k, sealed []byte) error {
		b, err := tx.openOpJSON(nil, k, sealed)
		dst = append(dst, b)
		return err
	})
	return dst, err
}

// DossierOps gives the ops DossierJSON gives, decoded from their bodies
// (storage.OpsReader): a compact page needs the ops, not their JSON. The
// ops' strings come from the transaction's store.OpBodyDecoder and stay
// good after it.
func (tx *Tx) DossierOps(dkey []byte, keep func(key []byte) bool, dst []store.Op) ([]store.Op, error) {
	if len(dkey) != 16 {
		return dst, fmt.Errorf("%w: dossier key of %d bytes", store.ErrInvalid, len(dkey))
	}
	if tx.dec == nil {
		tx.dec = &store.OpBodyDecoder{}
	}
	dossier := idText(dkey)
	err := tx.dossierBodies(dkey, keep, func(k, sealed []byte) error {
		var err error
		tx.plain, err = tx.openForInto(tx.plain[:0], dkey, k, sealed)
		if err != nil {
			return fmt.Errorf("op %x: %w", k, err)
		}
		op, err := tx.dec.Decode(k, tx.plain, dossier)
		if err != nil {
			return fmt.Errorf("op %x: %w: %v", k, store.ErrDamaged, err)
		}
		dst = append(dst, op)
		return nil
	})
	return dst, err
}

// dossierBodies calls fn with the log key and sealed body of each op of
// dossier dkey that keep accepts, in key order: from what
// PrefetchHistories read when it read them all, else with a query. The
// key is good during the call only.
func (tx *Tx) dossierBodies(dkey []byte, keep func(key []byte) bool, fn func(k, sealed []byte) error) error {
	k := make([]byte, 32)
	copy(k, dkey)
	if len(dkey) == 16 {
		e, err := tx.histFor(dkey)
		if err != nil {
			return err
		}
		if e != nil {
			delete(tx.hist, [16]byte(dkey)) // read once: a pull sends a dossier once
			kept := make([]int, 0, len(e.ids))
			complete := true
			for i, id := range e.ids {
				copy(k[16:], id)
				if !keep(k) {
					continue
				}
				if e.sealed[i] == nil {
					complete = false // a body not read: ask the database
					break
				}
				kept = append(kept, i)
			}
			if complete {
				for _, i := range kept {
					copy(k[16:], e.ids[i])
					if err := fn(k, e.sealed[i]); err != nil {
						return err
					}
				}
			}
			e.release() // fn keeps nothing of the key or the body
			if complete {
				return nil
			}
		}
	}
	type row struct{ id, sealed []byte }
	var block []byte
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error {
		return r.Scan(blockBytes{&block, &x.id}, blockBytes{&block, &x.sealed})
	},
		"SELECT op_id, op FROM oplog WHERE dossier = $1 ORDER BY op_id", dkey)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if len(r.id) != 16 {
			return fmt.Errorf("dossier %x: %w: an op key of %d bytes", dkey, store.ErrDamaged, len(r.id))
		}
		copy(k[16:], r.id)
		if !keep(k) {
			continue
		}
		if err := fn(k, r.sealed); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) HeadKeys(dkey []byte, dst [][]byte) ([][]byte, error) {
	if len(dkey) == 16 {
		e, err := tx.histFor(dkey)
		if err != nil {
			return dst, err
		}
		if e != nil {
			for i, id := range e.ids {
				if e.head[i] {
					dst = append(dst, append(slices.Clone(dkey), id...))
				}
			}
			return dst, nil
		}
	}
	if len(dkey) != 16 {
		return dst, nil // no such dossier
	}
	// The dossier's state (one query, its heads' bodies with it), for
	// the Op of each head that follows (shareTerms).
	st, err := tx.dossier(dkey)
	if err == nil {
		err = tx.whole(dkey, st)
	}
	if err != nil {
		return dst, err
	}
	for _, h := range st.heads {
		dst = append(dst, append(slices.Clone(dkey), h.id[:]...))
	}
	return dst, nil
}

func (tx *Tx) Heads(dossier, field string) ([]store.Head, error) {
	dk, err := idKey(dossier)
	if err != nil {
		return nil, err
	}
	st, err := tx.dossier(dk)
	if err != nil {
		return nil, err
	}
	return tx.fieldHeads(dk, st, field)
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
	st, err := tx.dossier(dk)
	if err != nil {
		return nil, err
	}
	heads, err := tx.fieldHeads(dk, st, op.Field)
	if err != nil {
		return nil, err
	}
	if known, err := tx.knows(dk, st, k); err != nil || known {
		return heads, err
	}
	after, _ := store.MergeField(heads, []store.Op{op}, replacedIn(st))
	return after, nil
}

// Exists and Erased answer from the dossier's state when the transaction
// has read it, and with a query of their own otherwise (a pull asks them
// of dossiers whose ops it never reads).

func (tx *Tx) Exists(dossier string) bool {
	dk, err := idKey(dossier)
	if err != nil {
		return false
	}
	if st, ok := tx.dos[[16]byte(dk)]; ok {
		return len(st.known) > 0 || (st.scope != nil && st.scope.any)
	}
	return tx.exists("SELECT EXISTS (SELECT 1 FROM oplog WHERE dossier = $1)", dk)
}

func (tx *Tx) Dossiers(fn func(dkey []byte) error) error {
	return tx.eachKey(fn, "SELECT DISTINCT dossier FROM oplog ORDER BY dossier")
}

func (tx *Tx) Erased(dossier string) bool {
	dk, err := idKey(dossier)
	if err != nil {
		return false
	}
	if st, ok := tx.dos[[16]byte(dk)]; ok {
		return st.erased
	}
	return tx.exists("SELECT EXISTS (SELECT 1 FROM erased WHERE dossier = $1)", dk)
}

// ErasedAmong gives which of dossiers (16-byte keys) are erased, with one
// query (storage.PullBatcher).
//
// A pull asks it at every page for every dossier the device holds, so an
// initial pull sends some thousands of keys a page (400,000 a pull of the
// 10,000-client region), each made a value by pgx and parsed by
// PostgreSQL. The tombstones are few: past erasedAllBelow dossiers asked
// the query reads them all, up to that bound, and picks the dossiers asked
// here; at the bound it asks again with the keys.
func (tx *Tx) ErasedAmong(dossiers []string) (map[string]bool, error) {
	if len(dossiers) > erasedAllBelow {
		ids, err := collect(tx.ctx, tx.tx, "SELECT dossier FROM erased LIMIT $1", erasedAllBelow)
		if err != nil {
			return nil, err
		}
		if len(ids) < erasedAllBelow {
			out := map[string]bool{}
			if len(ids) == 0 {
				return out, nil
			}
			gone := make(map[string]bool, len(ids))
			for _, id := range ids {
				gone[string(id)] = true
			}
			for _, d := range dossiers {
				if gone[d] {
					out[d] = true
				}
			}
			return out, nil
		}
	}
	keys := make([][]byte, len(dossiers))
	for i, d := range dossiers {
		keys[i] = []byte(d)
	}
	ids, err := collect(tx.ctx, tx.tx, "SELECT dossier FROM erased WHERE dossier = ANY($1)", keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[string(id)] = true
	}
	return out, nil
}

// erasedAllBelow is how many dossiers ErasedAmong asks by key at most,
// and how many tombstones it reads whole below that (a variable so that
// tests can make it small).
var erasedAllBelow = 512

// ---- sequence: numbers in commit order (seq.go); with Update's write
// lock the counter's row lock is taken under it, so numbers follow the
// order in which write transactions commit.

func (tx *Tx) LastSeq() uint64 {
	if tx.tx.lastOK {
		return tx.tx.last
	}
	last, err := Last(tx.ctx, tx.tx)
	if err != nil {
		return 0
	}
	tx.tx.last, tx.tx.lastOK = last, true
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
	if !tx.write {
		return 0, fmt.Errorf("number op %s: read-only transaction", op)
	}
	// The number is the last one plus one (under the write lock nobody
	// else gives one); the statement is queued (txconn.go), and a number
	// other than the one counted on fails it in the database itself (an
	// invalid cast), so that a COMMIT sent with it cannot commit.
	last := tx.LastSeq()
	if !tx.tx.lastOK {
		return 0, fmt.Errorf("number op %s: the last number could not be read", op)
	}
	seq := last + 1
	sql := sqlNumberOp
	if d, ok := tx.opDossier[string(k)]; ok && d == "" {
		// Read in this transaction, under the write lock, to have no
		// number, and not numbered since: a plain insert (fold.go).
		sql = sqlNumberNewOp
	}
	tx.tx.queue(sql, int64(seq), k, dk, tx.tx.boxed(int64(seq)))
	tx.tx.last, tx.tx.lastOK = seq, true
	if tx.opDossier != nil {
		tx.opDossier[string(k)] = string(dk)
	}
	return seq, nil
}

// NextSeq takes the next number for an answer's view changes. In a write
// transaction whose last number is known it is that plus one, and the
// statement is queued (txconn.go), as NumberOp's: a pull's page sends it
// with what follows, not as a round trip of its own.
func (tx *Tx) NextSeq() (uint64, error) {
	if tx.write && tx.tx.lastOK {
		seq := tx.tx.last + 1
		tx.tx.queue(sqlNextSeq, int64(seq), int64(seq))
		tx.tx.last, tx.tx.lastOK = seq, true
		return seq, nil
	}
	var seq int64
	if err := tx.tx.QueryRow(tx.ctx, "UPDATE seq_counter SET last = last + 1 RETURNING last").Scan(&seq); err != nil {
		return 0, err
	}
	tx.tx.last, tx.tx.lastOK = uint64(seq), true
	return uint64(seq), nil
}

// OpsAfter reads the numbers in pages (a connection runs one query at a
// time, and fn reads ops) and calls fn for each. A page's sealed bodies
// are read only when OpJSON first asks for one of its ops, with one query
// for the rest of the page (tx.page): a catch-up that takes no op of a
// page (a device holding none of its dossiers, such as a fresh one's
// first request from cursor 0) reads no body, and one that takes some
// reads them with one query per page, not one per op.
func (tx *Tx) OpsAfter(seq uint64, fn func(seq uint64, op, dossier []byte) (bool, error)) error {
	page := opsPage
	type row struct {
		seq         int64
		op, dossier []byte
	}
	defer func() { tx.page = nil }()
	for {
		rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.seq, &x.op, &x.dossier) },
			"SELECT seq, op_id, dossier FROM ops WHERE seq > $1 ORDER BY seq LIMIT $2", int64(seq), page)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return nil
		}
		tx.page = &opPage{last: uint64(rs[len(rs)-1].seq)}
		for _, r := range rs {
			tx.page.at = uint64(r.seq)
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

// opsPage is how many numbers OpsAfter reads at once (a variable for
// tests).
var opsPage = 4096

// opPage is the page of numbers OpsAfter is calling back for: the number
// of the op it is at and of the page's last, and the sealed bodies of the
// ops from at to last once OpJSON asked for one (by op key; nil before;
// a nil body for an op numbered whose body is gone: its dossier erased).
type opPage struct {
	at, last uint64
	bodies   map[[32]byte][]byte
}

// pageBody is the sealed body of the op at key when it is numbered in
// the rest of the page OpsAfter is at, reading the rest's bodies with one
// query the first time; ok is false for an op not there (ask for it
// alone).
func (tx *Tx) pageBody(key []byte) (sealed []byte, ok bool, err error) {
	p := tx.page
	if p == nil {
		return nil, false, nil
	}
	if p.bodies == nil {
		p.bodies = make(map[[32]byte][]byte, p.last-p.at+1)
		var block, dossier, op, sealed []byte
		err := tx.eachRow([]any{blockBytes{&block, &dossier}, blockBytes{&block, &op}, blockBytes{&block, &sealed}}, func() error {
			if len(op) == 16 && len(dossier) == 16 {
				var k [32]byte
				copy(k[:], dossier)
				copy(k[16:], op)
				p.bodies[k] = sealed
			}
			return nil
		}, `SELECT o.dossier, o.op_id, l.op FROM ops o LEFT JOIN oplog l ON l.dossier = o.dossier AND l.op_id = o.op_id
			WHERE o.seq >= $1 AND o.seq <= $2`, int64(p.at), int64(p.last))
		if err != nil {
			p.bodies = nil
			return nil, false, err
		}
	}
	sealed, ok = p.bodies[[32]byte(key)]
	return sealed, ok, nil
}

// PrefetchOpDossiers reads the dossiers of ops (op keys) with one query
// and keeps them for OpDossier (storage.OpDossierPrefetcher).
func (tx *Tx) PrefetchOpDossiers(ops []string) error {
	ops = slices.DeleteFunc(slices.Clone(ops), func(op string) bool {
		_, ok := tx.opDossier[op] // read with the group's others (PrefetchedUpdate), or since
		return ok
	})
	if len(ops) == 0 {
		return nil
	}
	keys := make([][]byte, len(ops))
	for i, op := range ops {
		keys[i] = []byte(op)
	}
	type row struct{ op, dossier []byte }
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.op, &x.dossier) },
		"SELECT op_id, dossier FROM ops WHERE op_id = ANY($1)", keys)
	if err != nil {
		return err
	}
	if tx.opDossier == nil {
		tx.opDossier = map[string]string{}
	}
	for _, op := range ops {
		tx.opDossier[op] = ""
	}
	for _, r := range rs {
		tx.opDossier[string(r.op)] = string(r.dossier)
	}
	return nil
}

func (tx *Tx) OpDossier(op string) (string, bool) {
	if d, ok := tx.opDossier[op]; ok {
		return d, d != ""
	}
	var d []byte
	if err := tx.tx.QueryRow(tx.ctx, "SELECT dossier FROM ops WHERE op_id = $1", []byte(op)).Scan(&d); err != nil {
		return "", false
	}
	return string(d), true
}

func (tx *Tx) DropDossierOps(dossier string) error {
	tx.opDossier = nil
	return tx.exec("DELETE FROM ops WHERE dossier = $1", []byte(dossier))
}
