package pgstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// storage.Export: what a copy of a region from another backend reads and
// writes (brug admin migrate, sync/server/migrate). Ops come in per
// dossier and are sealed with the dossier's key here (made by this key
// store, wrapped by its master key): nothing of another backend's keys is
// carried over.

func (tx *Tx) EachOpDossier(fn func(dossier string) error) error {
	return tx.eachKey(func(d []byte) error { return fn(string(d)) }, "SELECT DISTINCT dossier FROM oplog ORDER BY dossier")
}

func (tx *Tx) EachErased(fn func(dossier string) error) error {
	return tx.eachKey(func(d []byte) error { return fn(string(d)) }, "SELECT dossier FROM erased ORDER BY dossier")
}

func (tx *Tx) EachMember(fn func(team, user string) error) error {
	type row struct{ team, user string }
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.team, &x.user) },
		`SELECT team, user_name FROM members ORDER BY team COLLATE "C", user_name COLLATE "C"`)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := fn(r.team, r.user); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) EachToken(fn func(hash []byte, device string) error) error {
	type row struct {
		hash   []byte
		device string
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.hash, &x.device) },
		"SELECT hash, device FROM tokens ORDER BY hash")
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := fn(r.hash, r.device); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) EachShare(fn func(dossier string, teams []string) error) error {
	type row struct {
		d     []byte
		teams []string
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.d, &x.teams) },
		`SELECT dossier, array_agg(team ORDER BY team COLLATE "C") FROM dossier_shares GROUP BY dossier ORDER BY dossier`)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := fn(string(r.d), r.teams); err != nil {
			return err
		}
	}
	return nil
}

// EachView reads the views in pages of one device's worth or less.
func (tx *Tx) EachView(fn func(device, dossier string, e storage.ViewEntry) error) error {
	const page = 8192
	type row struct {
		device string
		d      []byte
		state  int16
		seq    int64
	}
	afterDev, afterD := "", []byte{}
	for {
		rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.device, &x.d, &x.state, &x.seq) },
			`SELECT device, dossier, state, seq FROM views WHERE (device COLLATE "C", dossier) > ($1 COLLATE "C", $2)
			ORDER BY device COLLATE "C", dossier LIMIT $3`, afterDev, afterD, page)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := fn(r.device, string(r.d), storage.ViewEntry{State: byte(r.state), Seq: uint64(r.seq)}); err != nil {
				return err
			}
			afterDev, afterD = r.device, r.d
		}
		if len(rs) < page {
			return nil
		}
	}
}

func (tx *Tx) EachRefusalOp(fn func(dossier, op string, at time.Time, code string) error) error {
	type row struct {
		d, op []byte
		at    time.Time
		code  string
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.d, &x.op, &x.at, &x.code) },
		"SELECT dossier, op_id, at, code FROM refusals ORDER BY dossier, op_id")
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := fn(string(r.d), string(r.op), time.Unix(r.at.Unix(), 0), r.code); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) EachDraft(fn func(dossier string, step int, user, text string) error) error {
	type row struct {
		d      []byte
		step   int32
		user   string
		sealed []byte
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.d, &x.step, &x.user, &x.sealed) },
		`SELECT dossier, step, user_name, sealed FROM drafts ORDER BY dossier, step, user_name COLLATE "C"`)
	if err != nil {
		return err
	}
	for _, r := range rs {
		plain, err := tx.openFor(r.d, draftAD(r.d, int(r.step), r.user), r.sealed)
		if errors.Is(err, store.ErrDossierKey) {
			continue // erased: unreadable, as it should be
		}
		if err != nil {
			return fmt.Errorf("draft of %s: %w", idText(r.d), err)
		}
		if err := fn(idText(r.d), int(r.step), r.user, string(plain)); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) EachReceipt(fn func(dossier, device string, r storage.Receipt) error) error {
	type row struct {
		d      []byte
		device string
		raw    []byte
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.d, &x.device, &x.raw) },
		`SELECT dossier, device, rec FROM receipts ORDER BY dossier, device COLLATE "C"`)
	if err != nil {
		return err
	}
	for _, r := range rs {
		var rc storage.Receipt
		if err := json.Unmarshal(r.raw, &rc); err != nil {
			return fmt.Errorf("%w: %v", store.ErrDamaged, err)
		}
		if err := fn(string(r.d), r.device, rc); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) EachSetting(fn func(name string, value []byte) error) error {
	type row struct {
		name string
		v    []byte
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.name, &x.v) },
		`SELECT name, value FROM settings ORDER BY name COLLATE "C"`)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if slices.Contains(reserved, r.name) {
			continue
		}
		if err := fn(r.name, r.v); err != nil {
			return err
		}
	}
	return nil
}

// ImportOps seals the ops' bodies (oplog.go) with the dossier's key and
// inserts them and the ids their prevs name in two statements.
func (tx *Tx) ImportOps(dossier string, raws [][]byte) (int, error) {
	if !tx.write {
		return 0, errors.New("import ops: read-only transaction")
	}
	dk := []byte(dossier)
	if len(dk) != 16 {
		return 0, fmt.Errorf("%w: dossier key of %d bytes", store.ErrInvalid, len(dk))
	}
	if err := tx.forget(dk); err != nil { // written here, not through ApplyJSON
		return 0, err
	}
	if tx.exists("SELECT EXISTS (SELECT 1 FROM erased WHERE dossier = $1)", dk) {
		return 0, store.ErrErased
	}
	ids := make([][]byte, 0, len(raws))
	sealed := make([][]byte, 0, len(raws))
	tags := make([]int64, 0, len(raws))
	var named [][]byte
	for _, raw := range raws {
		var op store.Op
		if err := json.Unmarshal(raw, &op); err != nil {
			return 0, fmt.Errorf("%w: an op of %s: %v", store.ErrInvalid, idText(dk), err)
		}
		k, err := idKey(op.ID)
		if err != nil {
			return 0, err
		}
		if odk, err := idKey(op.Dossier); err != nil || string(odk) != dossier {
			return 0, fmt.Errorf("%w: op %s is of dossier %s, not %s", store.ErrInvalid, op.ID, op.Dossier, idText(dk))
		}
		s, err := tx.sealOp(append(slices.Clone(dk), k...), &op)
		if err != nil {
			return 0, fmt.Errorf("seal op %s: %w", op.ID, err)
		}
		tag, err := tx.fieldTag(dk, op.Field)
		if err != nil {
			return 0, fmt.Errorf("tag op %s: %w", op.ID, err)
		}
		ids, sealed, tags = append(ids, k), append(sealed, s), append(tags, tag)
		for _, p := range op.Prev {
			pk, err := idKey(p)
			if err != nil {
				return 0, err
			}
			named = append(named, pk)
		}
	}
	tag, err := tx.tx.Exec(tx.ctx, `INSERT INTO oplog (dossier, op_id, op, field) SELECT $1, unnest($2::bytea[]), unnest($3::bytea[]), unnest($4::bigint[])
		ON CONFLICT DO NOTHING`, dk, ids, sealed, tags)
	if err != nil {
		return 0, fmt.Errorf("import ops of %s: %w", idText(dk), err)
	}
	if len(named) > 0 {
		if err := tx.exec("INSERT INTO replaced (dossier, op_id) SELECT $1, unnest($2::bytea[]) ON CONFLICT DO NOTHING", dk, named); err != nil {
			return 0, fmt.Errorf("import ops of %s: %w", idText(dk), err)
		}
	}
	return int(tag.RowsAffected()), nil
}

func (tx *Tx) ImportSeq(entries []storage.SeqEntry) error {
	if len(entries) == 0 {
		return nil
	}
	seqs := make([]int64, len(entries))
	ops := make([][]byte, len(entries))
	ds := make([][]byte, len(entries))
	var top uint64
	for i, e := range entries {
		if len(e.Op) != 16 || len(e.Dossier) != 16 || e.Seq == 0 {
			return fmt.Errorf("%w: numbered op %d: not keys", store.ErrInvalid, e.Seq)
		}
		seqs[i], ops[i], ds[i] = int64(e.Seq), []byte(e.Op), []byte(e.Dossier)
		top = max(top, e.Seq)
	}
	tx.opDossier = nil // what it read of ops may be out of date now (NumberOp)
	if err := tx.exec(`INSERT INTO ops (seq, op_id, dossier) SELECT unnest($1::bigint[]), unnest($2::bytea[]), unnest($3::bytea[])
		ON CONFLICT DO NOTHING`, seqs, ops, ds); err != nil {
		return fmt.Errorf("import numbers: %w", err)
	}
	return tx.RaiseSeq(top)
}

func (tx *Tx) RaiseSeq(last uint64) error {
	return tx.exec("UPDATE seq_counter SET last = GREATEST(last, $1)", int64(last))
}

func (tx *Tx) ImportAudit(e storage.AuditEntry) error {
	if e.Seq == 0 {
		return fmt.Errorf("%w: an audit entry without a number", store.ErrInvalid)
	}
	storage.NormalizeAudit(&e)
	raw := storage.AppendAuditJSON(make([]byte, 0, 320), &e)
	var dk []byte
	if k, err := idKey(e.Dossier); err == nil {
		dk = k
	}
	if err := tx.exec(`INSERT INTO audit (seq, at, action, dossier, entry) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (seq) DO UPDATE SET at = EXCLUDED.at, action = EXCLUDED.action, dossier = EXCLUDED.dossier, entry = EXCLUDED.entry`,
		int64(e.Seq), e.Time, e.Action, dk, raw); err != nil {
		return fmt.Errorf("import audit entry %d: %w", e.Seq, err)
	}
	// The identity column's sequence: the next AppendAudit numbers after
	// every imported entry.
	if err := tx.exec("SELECT setval(pg_get_serial_sequence('audit', 'seq'), (SELECT max(seq) FROM audit))"); err != nil {
		return fmt.Errorf("import audit entry %d: %w", e.Seq, err)
	}
	if e.Read != "" {
		if err := tx.exec("INSERT INTO audit_reads (id, seq) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq", e.Read, int64(e.Seq)); err != nil {
			return err
		}
	}
	if e.Hash == "" {
		return nil
	}
	head, ok, err := tx.AuditHead()
	if err != nil || ok && head.Seq > e.Seq {
		return err
	}
	h, err := hex.DecodeString(e.Hash)
	if err != nil || len(h) != 32 {
		return fmt.Errorf("%w: audit entry %d: hash %q", store.ErrInvalid, e.Seq, e.Hash)
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 40), e.Seq)
	return tx.exec("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
		kAuditHead, append(v, h...))
}

// MarkErased leaves the tombstone and deletes what the dossier has here;
// its key goes from the key store after (EraseDossier's order).
func (tx *Tx) MarkErased(dossier string) error {
	dk := []byte(dossier)
	if len(dk) != 16 {
		return fmt.Errorf("%w: dossier key of %d bytes", store.ErrInvalid, len(dk))
	}
	if err := tx.forget(dk); err != nil {
		return err
	}
	for _, q := range []string{
		"INSERT INTO erased (dossier) VALUES ($1) ON CONFLICT DO NOTHING",
		"DELETE FROM oplog WHERE dossier = $1",
		"DELETE FROM replaced WHERE dossier = $1",
		"DELETE FROM summaries WHERE dossier = $1",
		"DELETE FROM drafts WHERE dossier = $1",
	} {
		if err := tx.exec(q, dk); err != nil {
			return fmt.Errorf("erase %s: %w", idText(dk), err)
		}
	}
	tx.s.keys.drop(dk)
	delete(tx.ciphers, [16]byte(dk))
	delete(tx.taggers, [16]byte(dk))
	delete(tx.tags, [16]byte(dk))
	if _, err := tx.s.db.Keys.Exec(context.Background(), "DELETE FROM dossier_keys WHERE dossier = $1", dk); err != nil {
		return fmt.Errorf("erase %s: delete its key: %w", idText(dk), err)
	}
	return nil
}

func (tx *Tx) SetReceiptKey(k []byte) error {
	if len(k) != 32 {
		return fmt.Errorf("%w: a receipt key of %d bytes", store.ErrInvalid, len(k))
	}
	v := k
	if tx.s.master != nil {
		var err error
		if v, err = seal(tx.s.master, []byte(kReceiptKey), k); err != nil {
			return err
		}
	}
	return tx.exec("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value", kReceiptKey, v)
}

// Foreign lists the tables of the database at url when it is not a
// brug database (it has tables but not brug's version table): a copy
// must not pour a region into a database of something else. Nil for an
// empty or a brug database.
func Foreign(url string) ([]string, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || slices.Contains(names, "brug_schema_version") || slices.Contains(names, "brug_keys_schema_version") {
		return nil, err
	}
	return names, nil
}
