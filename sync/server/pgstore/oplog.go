package pgstore

import (
	"bytes"
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
	opened   bool              // heads' ops are opened
}

// headOp is an op not replaced: sealed as read, op once opened.
type headOp struct {
	id     [16]byte
	sealed []byte
	op     store.Op
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

// stateQuery reads the state of the dossier $1 (dossier).
const stateQuery = `SELECT 0, dossier, NULL::bytea FROM erased WHERE dossier = $1
		UNION ALL SELECT 1, op_id, NULL FROM replaced WHERE dossier = $1
		UNION ALL SELECT 2, o.op_id, CASE WHEN r.op_id IS NULL THEN o.op END
			FROM oplog o LEFT JOIN replaced r ON r.dossier = $1 AND r.op_id = o.op_id WHERE o.dossier = $1
		UNION ALL SELECT 3, NULL, convert_to(team, 'UTF8') FROM dossier_team WHERE dossier = $1`

// statesQuery is dossier's query for many dossiers at once ($1, their
// keys), each row led by its dossier's key (PrefetchedUpdate).
const statesQuery = `SELECT k.d, x.kind, x.id, x.b FROM unnest($1::bytea[]) AS k(d), LATERAL (
		SELECT 0 AS kind, dossier AS id, NULL::bytea AS b FROM erased WHERE dossier = k.d
		UNION ALL SELECT 1, op_id, NULL FROM replaced WHERE dossier = k.d
		UNION ALL SELECT 2, o.op_id, CASE WHEN r.op_id IS NULL THEN o.op END
			FROM oplog o LEFT JOIN replaced r ON r.dossier = k.d AND r.op_id = o.op_id WHERE o.dossier = k.d
		UNION ALL SELECT 3, NULL, convert_to(team, 'UTF8') FROM dossier_team WHERE dossier = k.d) x`

// stateRow is a row of dossier's query: kind 0 the tombstone, 1 an op
// replaced, 2 an op (with its sealed body when not replaced), 3 the
// dossier's team (its name in sealed).
type stateRow struct {
	kind       int32
	id, sealed []byte
}

// keepState makes the state of dossier dk from the rows of its query
// and keeps it for the transaction.
func (tx *Tx) keepState(dk []byte, rs []stateRow) (*dossierState, error) {
	st := &dossierState{known: map[[16]byte]bool{}, replaced: map[[16]byte]bool{}}
	// The dossier's team comes along, for DossierTeam (a push asks it
	// next): kept as that would keep it (recordMemo).
	team := ""
	for _, r := range rs {
		if r.kind == 3 {
			team = string(r.sealed)
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
		}
	}
	slices.SortFunc(st.heads, func(a, b headOp) int { return bytes.Compare(a.id[:], b.id[:]) })
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

// forget drops what the transaction knows of dossier dk (after writing
// its ops other than through ApplyJSON).
func (tx *Tx) forget(dk []byte) {
	if len(dk) == 16 {
		delete(tx.dos, [16]byte(dk))
		delete(tx.hist, [16]byte(dk))
	}
}

// headOps opens (once) and gives the dossier's ops not replaced.
func (tx *Tx) headOps(dk []byte, st *dossierState) ([]store.Op, error) {
	if !st.opened {
		for i := range st.heads {
			h := &st.heads[i]
			plain, err := tx.openFor(dk, append(slices.Clone(dk), h.id[:]...), h.sealed)
			if err != nil {
				return nil, fmt.Errorf("op %x: %w", h.id, err)
			}
			if err := json.Unmarshal(plain, &h.op); err != nil {
				return nil, fmt.Errorf("op %x: %w: %v", h.id, store.ErrDamaged, err)
			}
			h.sealed = nil
		}
		st.opened = true
	}
	ops := make([]store.Op, len(st.heads))
	for i, h := range st.heads {
		ops[i] = h.op
	}
	return ops, nil
}

// fieldHeads derives a field's heads.
func (tx *Tx) fieldHeads(dk []byte, st *dossierState, field string) ([]store.Head, error) {
	ops, err := tx.headOps(dk, st)
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

// replacedIn is st's replaced set as the kernel asks it.
func replacedIn(st *dossierState) func(id string) bool {
	return func(id string) bool {
		rk, err := idKey(id)
		return err == nil && st.replaced[[16]byte(rk)]
	}
}

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
	st, err := tx.dossier(dk)
	if err != nil {
		return false, fmt.Errorf("apply op %s: %w", op.ID, err)
	}
	if st.erased {
		return false, store.ErrErased
	}
	if st.known[[16]byte(k)] {
		return false, nil
	}
	before, err := tx.fieldHeads(dk, st, op.Field)
	if err != nil {
		return false, fmt.Errorf("merge op %s: %w", op.ID, err)
	}
	_, named := store.MergeField(before, []store.Op{op}, replacedIn(st))
	if raw == nil {
		if raw, err = json.Marshal(op); err != nil {
			return false, err
		}
	}
	// The head kept is the op as the database will give it back.
	var stored store.Op
	if err := json.Unmarshal(raw, &stored); err != nil {
		return false, fmt.Errorf("op %s: %w: %v", op.ID, store.ErrInvalid, err)
	}
	sealed, err := tx.sealFor(dk, append(slices.Clone(dk), k...), raw)
	if err != nil {
		return false, fmt.Errorf("seal op %s: %w", op.ID, err)
	}
	ids := make([][]byte, 0, len(named))
	for _, p := range named {
		pk, err := idKey(p)
		if err != nil {
			return false, err
		}
		ids = append(ids, pk)
	}
	// One statement: the op and the ids its prev replaces, queued to go
	// with the transaction's next statement (txconn.go).
	if len(ids) == 0 {
		tx.tx.queue("INSERT INTO oplog (dossier, op_id, op) VALUES ($1, $2, $3)", 0, dk, k, sealed)
	} else {
		tx.tx.queue(`WITH o AS (INSERT INTO oplog (dossier, op_id, op) VALUES ($1, $2, $3))
			INSERT INTO replaced (dossier, op_id) SELECT $1, unnest($4::bytea[]) ON CONFLICT DO NOTHING`, 0, dk, k, sealed, ids)
	}
	delete(tx.hist, [16]byte(dk))
	st.known[[16]byte(k)] = true
	for _, id := range ids {
		st.replaced[[16]byte(id)] = true
	}
	st.heads = slices.DeleteFunc(st.heads, func(h headOp) bool { return st.replaced[h.id] })
	if !st.replaced[[16]byte(k)] {
		h := headOp{id: [16]byte(k), sealed: sealed, op: stored}
		if st.opened {
			h.sealed = nil
		} else {
			h.op = store.Op{}
		}
		i, _ := slices.BinarySearchFunc(st.heads, h.id, func(a headOp, id [16]byte) int { return bytes.Compare(a.id[:], id[:]) })
		st.heads = slices.Insert(st.heads, i, h)
	}
	return true, nil
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
			`SELECT o.dossier, o.op_id, o.op
			FROM oplog o LEFT JOIN replaced r ON r.dossier = ANY($1) AND r.dossier = o.dossier AND r.op_id = o.op_id
			WHERE o.dossier = ANY($1) AND r.op_id IS NULL ORDER BY o.dossier, o.op_id`, dks[:n])
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
	return err == nil && st.known[[16]byte(k)]
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
			if st.opened {
				op = h.op
				op.Prev = slices.Clone(op.Prev)
				return op, nil
			}
			raw, err := tx.openFor(dk, append(slices.Clone(dk), k...), h.sealed)
			if err != nil {
				return op, fmt.Errorf("op %s: %w", id, err)
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return op, fmt.Errorf("op %s: %w: %v", id, store.ErrDamaged, err)
			}
			return op, nil
		}
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
	sealed, ok, err := tx.pageBody(key)
	if err != nil {
		return nil, err
	}
	if ok && sealed == nil {
		return nil, fmt.Errorf("op %x: %w", key, store.ErrNotFound)
	}
	if ok {
		return tx.openFor(key[:16], key, sealed)
	}
	err = tx.tx.QueryRow(tx.ctx, "SELECT op FROM oplog WHERE dossier = $1 AND op_id = $2", key[:16], key[16:]).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("op %x: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return tx.openFor(key[:16], key, sealed)
}

// histEntry is a dossier's part of the log as PrefetchHistories read it:
// every op id, whether it is a head, and the sealed body (nil for an op
// not a head when only the heads' bodies were read).
type histEntry struct {
	ids    [][]byte
	head   []bool
	sealed [][]byte
}

// PrefetchHistories reads the ops of dossiers (16-byte keys) with one
// query, for the HeadKeys and DossierJSON that follow
// (storage.PullBatcher); with snapshot only the heads' bodies come.
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
	type row struct {
		dossier, id, sealed []byte
		head                bool
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.dossier, &x.id, &x.head, &x.sealed) },
		`SELECT o.dossier, o.op_id, r.op_id IS NULL, CASE WHEN r.op_id IS NULL OR NOT $2 THEN o.op END
			FROM oplog o LEFT JOIN replaced r ON r.dossier = ANY($1) AND r.dossier = o.dossier AND r.op_id = o.op_id
			WHERE o.dossier = ANY($1) ORDER BY o.dossier, o.op_id`, keys, snapshot)
	if err != nil {
		return err
	}
	tx.hist = make(map[[16]byte]*histEntry, len(dossiers))
	for _, k := range keys {
		tx.hist[[16]byte(k)] = &histEntry{}
	}
	for _, r := range rs {
		e := tx.hist[[16]byte(r.dossier)]
		if e == nil || len(r.id) != 16 {
			return fmt.Errorf("dossier %x: %w: an op key of %d bytes", r.dossier, store.ErrDamaged, len(r.id))
		}
		e.ids, e.head, e.sealed = append(e.ids, r.id), append(e.head, r.head), append(e.sealed, r.sealed)
	}
	return nil
}

func (tx *Tx) DossierJSON(dkey []byte, keep func(key []byte) bool, dst [][]byte) ([][]byte, error) {
	if len(dkey) == 16 {
		if e := tx.hist[[16]byte(dkey)]; e != nil {
			delete(tx.hist, [16]byte(dkey)) // read once: a pull sends a dossier once
			out := dst
			complete := true
			for i, id := range e.ids {
				k := append(slices.Clone(dkey), id...)
				if !keep(k) {
					continue
				}
				if e.sealed[i] == nil {
					complete = false // a body not read: ask the database
					break
				}
				b, err := tx.openFor(dkey, k, e.sealed[i])
				if err != nil {
					return dst, fmt.Errorf("op %x: %w", k, err)
				}
				out = append(out, b)
			}
			if complete {
				return out, nil
			}
		}
	}
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
	if len(dkey) == 16 {
		if e := tx.hist[[16]byte(dkey)]; e != nil {
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
	if err != nil || st.known[[16]byte(k)] {
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
		return len(st.known) > 0
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
func (tx *Tx) ErasedAmong(dossiers []string) (map[string]bool, error) {
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
	tx.tx.queue(`WITH c AS (UPDATE seq_counter SET last = last + 1 RETURNING last),
		i AS (INSERT INTO ops (seq, op_id, dossier) SELECT c.last, $1, $2 FROM c
			ON CONFLICT (op_id) DO UPDATE SET seq = EXCLUDED.seq, dossier = EXCLUDED.dossier)
		SELECT CASE WHEN last = $3 THEN last ELSE ('the sequence moved under the write lock: ' || last || ', not ' || $3)::bigint END FROM c`,
		int64(seq), k, dk, int64(seq))
	tx.tx.last, tx.tx.lastOK = seq, true
	if tx.opDossier != nil {
		tx.opDossier[string(k)] = string(dk)
	}
	return seq, nil
}

func (tx *Tx) NextSeq() (uint64, error) {
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
		type row struct{ dossier, op, sealed []byte }
		rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.dossier, &x.op, &x.sealed) },
			`SELECT o.dossier, o.op_id, l.op FROM ops o LEFT JOIN oplog l ON l.dossier = o.dossier AND l.op_id = o.op_id
			WHERE o.seq >= $1 AND o.seq <= $2`, int64(p.at), int64(p.last))
		if err != nil {
			return nil, false, err
		}
		p.bodies = make(map[[32]byte][]byte, len(rs))
		for _, r := range rs {
			if len(r.op) == 16 && len(r.dossier) == 16 {
				p.bodies[[32]byte(append(slices.Clone(r.dossier), r.op...))] = r.sealed
			}
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
