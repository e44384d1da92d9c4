package pgstore

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The server's own records: accounts, devices, codes, SSH keys, the
// dossier-team index, views, audit, refusals, drafts, receipts, settings
// and epochs. Values are the JSON of their storage types (a field added
// to a type needs no migration); text is ordered COLLATE "C", byte order
// as bbolt's keys. Every Each* reads its rows first and then calls fn: a
// connection runs one query at a time, and fn may query.

// getRec reads the JSON value of table's row whose col is key.
func getRec[T any](tx *Tx, table, col string, key any) (T, bool, error) {
	var v T
	var raw []byte
	err := tx.tx.QueryRow(tx.ctx, "SELECT rec FROM "+table+" WHERE "+col+" = $1", key).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	return v, true, json.Unmarshal(raw, &v)
}

// putRec writes the JSON value of table's row whose col is key.
func putRec(tx *Tx, table, col string, key, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.exec("INSERT INTO "+table+" ("+col+", rec) VALUES ($1, $2) ON CONFLICT ("+col+") DO UPDATE SET rec = EXCLUDED.rec", key, raw)
}

// scanRows runs a query and scans each row of its answer into a T.
func scanRows[T any](tx *Tx, scan func(r pgx.CollectableRow, x *T) error, sql string, args ...any) ([]T, error) {
	rows, err := tx.tx.Query(tx.ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		var x T
		err := scan(r, &x)
		return x, err
	})
}

// eachRec reads every row of a query of (key, rec) and calls fn with each.
func eachRec[K, T any](tx *Tx, sql string, args []any, fn func(k K, v T) error) error {
	type row struct {
		k   K
		raw []byte
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.k, &x.raw) }, sql, args...)
	if err != nil {
		return err
	}
	for _, r := range rs {
		var v T
		if err := json.Unmarshal(r.raw, &v); err != nil {
			return fmt.Errorf("%w: %v", store.ErrDamaged, err)
		}
		if err := fn(r.k, v); err != nil {
			return err
		}
	}
	return nil
}

// strings reads a query of one text column.
func (tx *Tx) strings(sql string, args ...any) ([]string, error) {
	rows, err := tx.tx.Query(tx.ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ---- accounts

func (tx *Tx) User(name string) (storage.User, bool, error) {
	m := tx.tx.memo
	if r, ok := m.users[name]; ok {
		r.u.Teams = slices.Clone(r.u.Teams)
		return r.u, r.ok, nil
	}
	u, ok, err := getRec[storage.User](tx, "users", "name", name)
	if err == nil {
		if m.users == nil {
			m.users = map[string]userRead{}
		}
		m.users[name] = userRead{u, ok}
	}
	return u, ok, err
}

func (tx *Tx) HasUser(name string) bool {
	return tx.exists("SELECT EXISTS (SELECT 1 FROM users WHERE name = $1)", name)
}

func (tx *Tx) PutUser(u storage.User) error {
	u.Teams = nil // kept in members
	return putRec(tx, "users", "name", u.Name, u)
}

func (tx *Tx) DeleteUser(name string) error {
	return tx.exec("DELETE FROM users WHERE name = $1", name)
}

func (tx *Tx) UserNames() ([]string, error) {
	return tx.strings(`SELECT name FROM users ORDER BY name COLLATE "C"`)
}

func (tx *Tx) Team(name string) (storage.TeamRecord, bool, error) {
	if t, ok := tx.tx.memo.teams[name]; ok {
		return t, true, nil
	}
	return getRec[storage.TeamRecord](tx, "teams", "name", name)
}

func (tx *Tx) HasTeam(name string) bool {
	return tx.exists("SELECT EXISTS (SELECT 1 FROM teams WHERE name = $1)", name)
}

func (tx *Tx) PutTeam(t storage.TeamRecord) error { return putRec(tx, "teams", "name", t.Name, t) }

func (tx *Tx) DeleteTeam(name string) error {
	return tx.exec("DELETE FROM teams WHERE name = $1", name)
}

func (tx *Tx) Teams() ([]storage.TeamRecord, error) {
	var out []storage.TeamRecord
	err := eachRec(tx, `SELECT name, rec FROM teams ORDER BY name COLLATE "C"`, nil, func(_ string, t storage.TeamRecord) error {
		out = append(out, t)
		return nil
	})
	return out, err
}

func (tx *Tx) AddMember(team, user string) error {
	return tx.exec("INSERT INTO members (team, user_name) VALUES ($1, $2) ON CONFLICT DO NOTHING", team, user)
}

func (tx *Tx) RemoveMember(team, user string) error {
	return tx.exec("DELETE FROM members WHERE team = $1 AND user_name = $2", team, user)
}

func (tx *Tx) IsMember(team, user string) bool {
	return tx.exists("SELECT EXISTS (SELECT 1 FROM members WHERE team = $1 AND user_name = $2)", team, user)
}

func (tx *Tx) UserTeams(user string) []string {
	m := tx.tx.memo
	if out, ok := m.userTeams[user]; ok {
		return slices.Clone(out)
	}
	out, err := tx.strings(`SELECT team FROM members WHERE user_name = $1 ORDER BY team COLLATE "C"`, user)
	if err == nil {
		if m.userTeams == nil {
			m.userTeams = map[string][]string{}
		}
		m.userTeams[user] = slices.Clone(out)
	}
	return out
}

func (tx *Tx) TeamMembers(team string) []string {
	out, _ := tx.strings(`SELECT user_name FROM members WHERE team = $1 ORDER BY user_name COLLATE "C"`, team)
	return out
}

// ---- devices, tokens, codes, keys

func (tx *Tx) Device(id string) (storage.Device, bool, error) {
	if r, ok := tx.tx.memo.devices[id]; ok {
		return r.d, r.ok, nil
	}
	return getRec[storage.Device](tx, "devices", "id", id)
}

func (tx *Tx) PutDevice(d storage.Device) error { return putRec(tx, "devices", "id", d.ID, d) }

func (tx *Tx) EachDevice(fn func(storage.Device) error) error {
	return eachRec(tx, `SELECT id, rec FROM devices ORDER BY id COLLATE "C"`, nil, func(_ string, d storage.Device) error { return fn(d) })
}

func (tx *Tx) PutToken(hash []byte, device string) error {
	return tx.exec("INSERT INTO tokens (hash, device) VALUES ($1, $2) ON CONFLICT (hash) DO UPDATE SET device = EXCLUDED.device", hash, device)
}

// TokenDevice reads the token's device, and with it what authenticating
// asks next, for Device, User and UserTeams to answer (txconn.go): the
// device's record, its user's record and the user's teams; and the count
// of changes, for Changes to answer when the transaction does not know
// it (GET /v1/register asks it next, in the same View).
func (tx *Tx) TokenDevice(hash []byte) (string, bool) {
	if id, ok := tx.tx.memo.tokens[string(hash)]; ok {
		return id, id != "" // read with the group's others (PrefetchedUpdate)
	}
	var id string
	var dev, user []byte
	var name *string
	var teams []string
	var recs [][]byte // the teams' records, nil for a team without one
	var n int64
	err := tx.tx.QueryRow(tx.ctx, `SELECT t.device, `+tokenColumns+`, (SELECT n FROM changes) FROM tokens t `+tokenJoins+`
		WHERE t.hash = $1`, hash).Scan(&id, &dev, &name, &user, &teams, &recs, &n)
	if err != nil {
		return "", false
	}
	tx.keepChanges(n)
	tx.keepToken(id, dev, name, user, teams, recs)
	return id, true
}

// tokenColumns are what TokenDevice reads beside the token's device, from
// the tables tokenJoins joins to tokens t: the device's record, its
// user's name and record, the user's teams and their records (nil for a
// team without one).
const tokenColumns = `d.rec, d.rec->>'user', u.rec, COALESCE(ms.teams, '{}'), COALESCE(ms.recs, '{}')`

// tokenJoins joins a token's device, user and memberships to tokens t. The
// user's teams and their records come from one scan of the user's
// memberships (two lists as sub-plans scanned them twice), and the
// user's name is taken out of the device's record once, as a sub-select:
// in the condition itself it was taken out again for every row of
// members the scan looked at (a scan when the table is small, as on a
// region of a few hundred coaches: 14 of the 15 ms of the read-ahead of a
// group of 199 tokens, EXPLAIN ANALYZE).
const tokenJoins = `LEFT JOIN devices d ON d.id = t.device LEFT JOIN users u ON u.name = d.rec->>'user'
			LEFT JOIN LATERAL (SELECT array_agg(m.team ORDER BY m.team COLLATE "C") AS teams,
				array_agg(convert_to(r.rec::text, 'UTF8') ORDER BY m.team COLLATE "C") AS recs
				FROM members m LEFT JOIN teams r ON r.name = m.team WHERE m.user_name = (SELECT d.rec->>'user')) ms ON true`

// keepToken keeps what TokenDevice read of device id for the questions
// that follow (recordMemo).
func (tx *Tx) keepToken(id string, dev []byte, name *string, user []byte, teams []string, recs [][]byte) {
	m := tx.tx.memo
	var d storage.Device
	if dev != nil && json.Unmarshal(dev, &d) != nil {
		return // Device reads it again and tells the error
	}
	if m.devices == nil {
		m.devices = map[string]deviceRead{}
	}
	m.devices[id] = deviceRead{d, dev != nil}
	if name == nil {
		return
	}
	var u storage.User
	if user != nil && json.Unmarshal(user, &u) != nil {
		return
	}
	if m.users == nil {
		m.users = map[string]userRead{}
	}
	m.users[*name] = userRead{u, user != nil}
	if m.userTeams == nil {
		m.userTeams = map[string][]string{}
	}
	if teams == nil {
		teams = []string{}
	}
	m.userTeams[*name] = teams
	if len(recs) != len(teams) {
		return
	}
	for i, raw := range recs {
		var t storage.TeamRecord
		if raw == nil || json.Unmarshal(raw, &t) != nil {
			continue // Team reads it again (and tells an error)
		}
		if m.teams == nil {
			m.teams = map[string]storage.TeamRecord{}
		}
		m.teams[teams[i]] = t
	}
}

func (tx *Tx) Code(hash []byte) (storage.EnrolCode, bool, error) {
	return getRec[storage.EnrolCode](tx, "codes", "hash", hash)
}

func (tx *Tx) PutCode(hash []byte, c storage.EnrolCode) error {
	return putRec(tx, "codes", "hash", hash, c)
}

func (tx *Tx) DeleteCode(hash []byte) error {
	return tx.exec("DELETE FROM codes WHERE hash = $1", hash)
}

func (tx *Tx) EachCode(fn func(hash []byte, c storage.EnrolCode) error) error {
	return eachRec(tx, "SELECT hash, rec FROM codes ORDER BY hash", nil, fn)
}

func (tx *Tx) Key(fingerprint string) (storage.Key, bool, error) {
	return getRec[storage.Key](tx, "ssh_keys", "fingerprint", fingerprint)
}

func (tx *Tx) PutKey(k storage.Key) error {
	return putRec(tx, "ssh_keys", "fingerprint", k.Fingerprint, k)
}

func (tx *Tx) DeleteKey(fingerprint string) error {
	return tx.exec("DELETE FROM ssh_keys WHERE fingerprint = $1", fingerprint)
}

func (tx *Tx) EachKey(fn func(storage.Key) error) error {
	return eachRec(tx, `SELECT fingerprint, rec FROM ssh_keys ORDER BY fingerprint COLLATE "C"`, nil, func(_ string, k storage.Key) error { return fn(k) })
}

// ---- dossier teams

func (tx *Tx) DossierTeam(dossier string) string {
	m := tx.tx.memo
	if team, ok := m.dossierTeam[dossier]; ok {
		return team
	}
	var team string
	err := tx.tx.QueryRow(tx.ctx, "SELECT team FROM dossier_team WHERE dossier = $1", []byte(dossier)).Scan(&team)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "" // not kept: the error aborts the transaction
	}
	if m.dossierTeam == nil {
		m.dossierTeam = map[string]string{}
	}
	m.dossierTeam[dossier] = team
	return team
}

func (tx *Tx) SetDossierTeam(dossier, team string) error {
	if len(dossier) != 16 {
		return fmt.Errorf("%w: dossier key of %d bytes", store.ErrInvalid, len(dossier))
	}
	if team == "" {
		return tx.exec("DELETE FROM dossier_team WHERE dossier = $1", []byte(dossier))
	}
	return tx.exec("INSERT INTO dossier_team (dossier, team) VALUES ($1, $2) ON CONFLICT (dossier) DO UPDATE SET team = EXCLUDED.team", []byte(dossier), team)
}

func (tx *Tx) TeamDossiers(team string, fn func(dossier string) error) error {
	return tx.eachKey(func(d []byte) error { return fn(string(d)) }, "SELECT dossier FROM dossier_team WHERE team = $1 ORDER BY dossier", team)
}

func (tx *Tx) EachDossierTeam(fn func(dossier, team string) error) error {
	type row struct {
		d []byte
		t string
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.d, &x.t) },
		"SELECT dossier, team FROM dossier_team ORDER BY dossier")
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := fn(string(r.d), r.t); err != nil {
			return err
		}
	}
	return nil
}

// ---- views

func (tx *Tx) View(device, dossier string) (storage.ViewEntry, bool) {
	if v, ok := tx.tx.memo.views[device+"\x00"+dossier]; ok {
		return v.e, v.ok // read with the group's others (PrefetchedUpdate)
	}
	var state int16
	var seq int64
	if err := tx.tx.QueryRow(tx.ctx, "SELECT state, seq FROM views WHERE device = $1 AND dossier = $2", device, []byte(dossier)).Scan(&state, &seq); err != nil {
		return storage.ViewEntry{}, false
	}
	return storage.ViewEntry{State: byte(state), Seq: uint64(seq)}, true
}

func (tx *Tx) PutView(device, dossier string, e storage.ViewEntry) error {
	return tx.exec(`INSERT INTO views (device, dossier, state, seq) VALUES ($1, $2, $3, $4)
		ON CONFLICT (device, dossier) DO UPDATE SET state = EXCLUDED.state, seq = EXCLUDED.seq`,
		device, []byte(dossier), int16(e.State), int64(e.Seq))
}

// PutViews is PutView for each dossier, in one statement
// (storage.PullBatcher).
func (tx *Tx) PutViews(device string, dossiers []string, e storage.ViewEntry) error {
	if len(dossiers) == 0 {
		return nil
	}
	keys := make([][]byte, len(dossiers))
	for i, d := range dossiers {
		keys[i] = []byte(d)
	}
	return tx.later(`INSERT INTO views (device, dossier, state, seq) SELECT $1, unnest($2::bytea[]), $3, $4
		ON CONFLICT (device, dossier) DO UPDATE SET state = EXCLUDED.state, seq = EXCLUDED.seq`,
		device, keys, int16(e.State), int64(e.Seq))
}

func (tx *Tx) DeleteView(device, dossier string) error {
	return tx.exec("DELETE FROM views WHERE device = $1 AND dossier = $2", device, []byte(dossier))
}

// DeviceViews reads the device's views as one value (PostgreSQL makes it
// of the rows in dossier order; each entry the dossier key's length as 4
// bytes big-endian, the key, the state as 2 bytes and the number as 8):
// an initial pull reads a device's growing view at every page, so some
// thousands of rows a page, and pgx reads a row at some cost. 30 bytes an
// entry: PostgreSQL's 1 GB a value holds 35 million. An aggregate's input
// order is PostgreSQL's to choose without an ORDER BY of its own (which
// would sort again what the index gives sorted), so the order is checked
// here, and the entries sorted should it ever differ.
func (tx *Tx) DeviceViews(device string, fn func(dossier string, e storage.ViewEntry) error) error {
	var all []byte
	err := tx.tx.QueryRow(tx.ctx, `SELECT string_agg(int4send(length(v.dossier)) || v.dossier || int2send(v.state) || int8send(v.seq), ''::bytea)
		FROM (SELECT dossier, state, seq FROM views WHERE device = $1 ORDER BY dossier) v`, device).Scan(&all)
	if err != nil {
		return err
	}
	type view struct {
		d []byte
		e storage.ViewEntry
	}
	each := func(fn func(d []byte, e storage.ViewEntry) error) error {
		for rest := all; len(rest) > 0; {
			if len(rest) < 4 {
				return fmt.Errorf("views of %s: %w: an entry of %d bytes", device, store.ErrDamaged, len(rest))
			}
			n := int(binary.BigEndian.Uint32(rest))
			if n > len(rest)-14 {
				return fmt.Errorf("views of %s: %w: a dossier key of %d bytes past the end", device, store.ErrDamaged, n)
			}
			d, v := rest[4:4+n], rest[4+n:]
			if err := fn(d, storage.ViewEntry{State: byte(binary.BigEndian.Uint16(v)), Seq: binary.BigEndian.Uint64(v[2:])}); err != nil {
				return err
			}
			rest = v[10:]
		}
		return nil
	}
	var prev []byte
	sorted := true
	if err := each(func(d []byte, _ storage.ViewEntry) error {
		sorted = sorted && (prev == nil || bytes.Compare(prev, d) < 0)
		prev = d
		return nil
	}); err != nil {
		return err
	}
	if sorted {
		return each(func(d []byte, e storage.ViewEntry) error { return fn(string(d), e) })
	}
	var vs []view
	each(func(d []byte, e storage.ViewEntry) error { vs = append(vs, view{d, e}); return nil })
	slices.SortFunc(vs, func(a, b view) int { return bytes.Compare(a.d, b.d) })
	for _, v := range vs {
		if err := fn(string(v.d), v.e); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) DossierHolders(dossier string, states ...byte) ([]string, error) {
	st := make([]int16, len(states))
	for i, s := range states {
		st[i] = int16(s)
	}
	return tx.strings(`SELECT device FROM views WHERE dossier = $1 AND state = ANY($2) ORDER BY device COLLATE "C"`, []byte(dossier), st)
}

// ---- audit

// kAuditHead is the setting that holds the audit chain's head: seq (8
// BE) + SHA-256 (32), as the bbolt backend keeps it.
const kAuditHead = "audit_head"

// AppendAudit numbers e by the audit table's identity column (under
// Update's write lock, in commit order too), chains it to the head
// (storage.ChainAudit; the genesis entry first on a log without a
// chain), and moves the head in the same transaction.
func (tx *Tx) AppendAudit(e storage.AuditEntry) error {
	if q := tx.tx; q.auditOK && q.auditHead != nil {
		// The head is known (read at the Update's start, under the
		// write lock, or written by this transaction since): the entry
		// takes the number after it, and is written with the
		// transaction's next statement or its COMMIT.
		head, err := auditHead(q.auditHead)
		if err != nil {
			return err
		}
		_, err = tx.appendChained(head.Hash, e, int64(head.Seq)+1, true)
		return err
	}
	// The head and the entry's number with one query, where the chain
	// has a head (a number taken and not used, on an error, leaves a gap
	// as a rolled-back transaction does).
	var v []byte
	var seq int64
	err := tx.tx.QueryRow(tx.ctx, "SELECT value, nextval(pg_get_serial_sequence('audit', 'seq')) FROM settings WHERE name = $1", kAuditHead).Scan(&v, &seq)
	if err == nil {
		head, err := auditHead(v)
		if err != nil {
			return err
		}
		_, err = tx.appendChained(head.Hash, e, seq, false)
		return err
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	prev, genesis, err := storage.StartChain(tx, e.Time)
	if err != nil {
		return err
	}
	head, err := tx.appendChained(prev, genesis, 0, false)
	if err != nil {
		return err
	}
	_, err = tx.appendChained(head.Hash, e, 0, false)
	return err
}

// appendChained numbers e (with seq, or the next number of the audit's
// sequence when 0), chains it to prev, and stores it and moves the head
// with one statement; queued, that statement goes with the next one or
// the COMMIT (txConn.queue), and keeps the audit's sequence at least at
// seq, for a writer that numbers by it (the genesis, an older brug).
func (tx *Tx) appendChained(prev string, e storage.AuditEntry, seq int64, queued bool) (storage.AuditHead, error) {
	if seq == 0 {
		if err := tx.tx.QueryRow(tx.ctx, "SELECT nextval(pg_get_serial_sequence('audit', 'seq'))").Scan(&seq); err != nil {
			return storage.AuditHead{}, err
		}
	}
	e.Seq = uint64(seq)
	raw, err := storage.ChainAudit(make([]byte, 0, 320), prev, &e)
	if err != nil {
		return storage.AuditHead{}, err
	}
	var dk []byte
	if k, err := idKey(e.Dossier); err == nil {
		dk = k
	}
	h, _ := hex.DecodeString(e.Hash)
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 40), uint64(seq))
	v = append(v, h...)
	if queued {
		tx.tx.queue(sqlAppendAudit, 0, seq, e.Time, e.Action, dk, raw, e.Read, kAuditHead, v)
	} else if err := tx.exec(`WITH a AS (INSERT INTO audit (seq, at, action, dossier, entry) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5)),
			r AS (INSERT INTO audit_reads (id, seq) SELECT $6::text, $1 WHERE $6::text <> '')
		INSERT INTO settings (name, value) VALUES ($7, $8) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
		seq, e.Time, e.Action, dk, raw, e.Read, kAuditHead, v); err != nil {
		return storage.AuditHead{}, err
	}
	// The statement wrote the head (txConn.note dropped what was known
	// of it): this is it now.
	tx.tx.auditHead, tx.tx.auditOK = v, true
	return storage.AuditHead{Seq: uint64(seq), Hash: e.Hash}, nil
}

func (tx *Tx) AuditHead() (storage.AuditHead, bool, error) {
	v, err := []byte(nil), error(nil)
	if tx.tx.auditOK {
		v = tx.tx.auditHead
	} else {
		v, err = tx.Setting(kAuditHead)
	}
	if err != nil || v == nil {
		return storage.AuditHead{}, false, err
	}
	h, err := auditHead(v)
	return h, err == nil, err
}

// auditHead decodes the head of the audit chain as the settings keep it.
func auditHead(v []byte) (storage.AuditHead, error) {
	if len(v) != 8+32 {
		return storage.AuditHead{}, fmt.Errorf("audit chain head: %d bytes, want 40", len(v))
	}
	return storage.AuditHead{Seq: binary.BigEndian.Uint64(v), Hash: hex.EncodeToString(v[8:])}, nil
}

func (tx *Tx) HasAuditRead(id string) (bool, error) {
	return tx.exists("SELECT EXISTS (SELECT 1 FROM audit_reads WHERE id = $1)", id), nil
}

// ScanAudit gives every stored entry in seq order, pages of them, with
// the error of one that does not decode.
func (tx *Tx) ScanAudit(fn func(key uint64, e storage.AuditEntry, err error) error) error {
	return tx.eachAuditRow(func(seq int64, raw []byte) error {
		e, err := storage.DecodeAudit(raw)
		return fn(uint64(seq), e, err)
	})
}

// eachAuditRow calls fn for every audit row in seq order, in pages.
func (tx *Tx) eachAuditRow(fn func(seq int64, raw []byte) error) error {
	const page = 4096
	var after int64
	for {
		type row struct {
			seq int64
			raw []byte
		}
		rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.seq, &x.raw) },
			"SELECT seq, entry FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2", after, page)
		if err != nil {
			return err
		}
		for _, r := range rs {
			after = r.seq
			if err := fn(r.seq, r.raw); err != nil {
				return err
			}
		}
		if len(rs) < page {
			return nil
		}
	}
}

// EachAudit gives every entry in order; entries are filtered by the
// caller, and dossier only narrows what is decoded.
func (tx *Tx) EachAudit(dossier string, fn func(storage.AuditEntry) error) error {
	return tx.eachAuditRow(func(seq int64, raw []byte) error {
		if dossier != "" && !bytes.Contains(raw, []byte(dossier)) {
			return nil // spares decoding the large delivery records of other dossiers
		}
		var e storage.AuditEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("audit %d: %w: %v", seq, store.ErrDamaged, err)
		}
		e.Seq = uint64(seq)
		return fn(e)
	})
}

// ---- share index

// SharedTeams are the teams dossier (its 16-byte key) has a share with,
// sorted bytewise as bbolt keeps them.
func (tx *Tx) SharedTeams(dossier string) []string {
	out, err := tx.strings(`SELECT team FROM dossier_shares WHERE dossier = $1 ORDER BY team COLLATE "C"`, []byte(dossier))
	if err != nil {
		return nil
	}
	return out
}

func (tx *Tx) SetSharedTeams(dossier string, teams []string) error {
	if err := tx.exec("DELETE FROM dossier_shares WHERE dossier = $1", []byte(dossier)); err != nil {
		return err
	}
	teams = slices.Compact(slices.Sorted(slices.Values(teams)))
	teams = slices.DeleteFunc(teams, func(t string) bool { return t == "" || strings.Contains(t, "\x00") })
	for _, t := range teams {
		if err := tx.exec("INSERT INTO dossier_shares (dossier, team) VALUES ($1, $2)", []byte(dossier), t); err != nil {
			return err
		}
	}
	return nil
}

// TeamShared calls fn with the key of every dossier shared with team, in
// key order.
func (tx *Tx) TeamShared(team string, fn func(dossier string) error) error {
	return tx.eachKey(func(d []byte) error { return fn(string(d)) }, "SELECT dossier FROM dossier_shares WHERE team = $1 ORDER BY dossier", team)
}

// ---- orgs

func (tx *Tx) Org(name string) (storage.Org, bool, error) {
	return getRec[storage.Org](tx, "orgs", "name", name)
}

func (tx *Tx) PutOrg(o storage.Org) error { return putRec(tx, "orgs", "name", o.Name, o) }

func (tx *Tx) DeleteOrg(name string) error {
	return tx.exec("DELETE FROM orgs WHERE name = $1", name)
}

// EachOrg gives the organisations in name order (bytewise, as bbolt).
func (tx *Tx) EachOrg(fn func(storage.Org) error) error {
	return eachRec(tx, `SELECT name, rec FROM orgs ORDER BY name COLLATE "C"`, nil, func(_ string, o storage.Org) error { return fn(o) })
}

// ---- refusals

func (tx *Tx) PutRefusal(dossier, op string, at time.Time, code string) error {
	return tx.exec(`INSERT INTO refusals (dossier, op_id, at, code) VALUES ($1, $2, $3, $4)
		ON CONFLICT (dossier, op_id) DO UPDATE SET at = EXCLUDED.at, code = EXCLUDED.code`,
		[]byte(dossier), []byte(op), time.Unix(at.Unix(), 0), code)
}

func (tx *Tx) EachRefusal(fn func(dossier string, at time.Time, code string) error) error {
	type row struct {
		d    []byte
		at   time.Time
		code string
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error { return r.Scan(&x.d, &x.at, &x.code) },
		"SELECT dossier, at, code FROM refusals ORDER BY dossier, op_id")
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := fn(string(r.d), time.Unix(r.at.Unix(), 0), r.code); err != nil {
			return err
		}
	}
	return nil
}

// ---- drafts, sealed with their dossier's key

func draftAD(dk []byte, step int, user string) []byte {
	ad := binary.BigEndian.AppendUint32(append([]byte("draft "), dk...), uint32(step))
	return append(ad, user...)
}

func (tx *Tx) Draft(dossier string, step int, user string) (string, bool, error) {
	dk, err := idKey(dossier)
	if err != nil {
		return "", false, err
	}
	var sealed []byte
	err = tx.tx.QueryRow(tx.ctx, "SELECT sealed FROM drafts WHERE dossier = $1 AND step = $2 AND user_name = $3", dk, step, user).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	plain, err := tx.openFor(dk, draftAD(dk, step, user), sealed)
	if err != nil {
		return "", false, err
	}
	return string(plain), true, nil
}

// PutDraft seals the text with the dossier's key: erasing the dossier
// deletes the key, so the draft's bytes left anywhere cannot be read.
func (tx *Tx) PutDraft(dossier string, step int, user, text string) error {
	dk, err := idKey(dossier)
	if err != nil {
		return err
	}
	if tx.exists("SELECT EXISTS (SELECT 1 FROM erased WHERE dossier = $1)", dk) {
		return fmt.Errorf("client %s: %w", dossier, store.ErrErased)
	}
	sealed, err := tx.sealFor(dk, draftAD(dk, step, user), []byte(text))
	if err != nil {
		return err
	}
	return tx.exec(`INSERT INTO drafts (dossier, step, user_name, sealed) VALUES ($1, $2, $3, $4)
		ON CONFLICT (dossier, step, user_name) DO UPDATE SET sealed = EXCLUDED.sealed`, dk, step, user, sealed)
}

func (tx *Tx) DeleteDraft(dossier string, step int, user string) error {
	dk, err := idKey(dossier)
	if err != nil {
		return err
	}
	return tx.exec("DELETE FROM drafts WHERE dossier = $1 AND step = $2 AND user_name = $3", dk, step, user)
}

func (tx *Tx) DeleteDossierDrafts(dossier string) error {
	dk, err := idKey(dossier)
	if err != nil {
		return err
	}
	return tx.exec("DELETE FROM drafts WHERE dossier = $1", dk)
}

// ---- erasures and receipts

func (tx *Tx) Erasure(dossier string) (storage.ErasureRecord, bool, error) {
	return getRec[storage.ErasureRecord](tx, "erasures", "dossier", []byte(dossier))
}

func (tx *Tx) PutErasure(dossier string, r storage.ErasureRecord) error {
	return putRec(tx, "erasures", "dossier", []byte(dossier), r)
}

func (tx *Tx) EachErasure(fn func(dossier string, r storage.ErasureRecord) error) error {
	return eachRec(tx, "SELECT dossier, rec FROM erasures ORDER BY dossier", nil, func(k []byte, r storage.ErasureRecord) error {
		return fn(string(k), r)
	})
}

func (tx *Tx) Receipt(dossier, device string) (storage.Receipt, bool, error) {
	var r storage.Receipt
	var raw []byte
	err := tx.tx.QueryRow(tx.ctx, "SELECT rec FROM receipts WHERE dossier = $1 AND device = $2", []byte(dossier), device).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	return r, true, json.Unmarshal(raw, &r)
}

func (tx *Tx) PutReceipt(dossier, device string, r storage.Receipt) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.exec(`INSERT INTO receipts (dossier, device, rec) VALUES ($1, $2, $3)
		ON CONFLICT (dossier, device) DO UPDATE SET rec = EXCLUDED.rec`, []byte(dossier), device, raw)
}

func (tx *Tx) DeleteReceipt(dossier, device string) error {
	return tx.exec("DELETE FROM receipts WHERE dossier = $1 AND device = $2", []byte(dossier), device)
}

// DeleteReceipts is DeleteReceipt of device for each dossier, in one
// statement (storage.PullBatcher).
func (tx *Tx) DeleteReceipts(device string, dossiers []string) error {
	if len(dossiers) == 0 {
		return nil
	}
	keys := make([][]byte, len(dossiers))
	for i, d := range dossiers {
		keys[i] = []byte(d)
	}
	return tx.later("DELETE FROM receipts WHERE device = $1 AND dossier = ANY($2)", device, keys)
}

func (tx *Tx) DossierReceipts(dossier string, fn func(device string, r storage.Receipt) error) error {
	return eachRec(tx, `SELECT device, rec FROM receipts WHERE dossier = $1 ORDER BY device COLLATE "C"`, []any{[]byte(dossier)}, fn)
}

// ---- settings and epochs

const kReceiptKey = "receipt_key"

// reserved are the settings kept by this package, not SetSetting.
var reserved = []string{kReceiptKey, "master_check", kAuditHead, kConvertBodies, kTagFields}

func (tx *Tx) Setting(name string) ([]byte, error) {
	var v []byte
	err := tx.tx.QueryRow(tx.ctx, "SELECT value FROM settings WHERE name = $1", name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func (tx *Tx) SetSetting(name string, value []byte) error {
	if slices.Contains(reserved, name) {
		return fmt.Errorf("%w: setting %s is kept by the storage", store.ErrInvalid, name)
	}
	if value == nil {
		value = []byte{}
	}
	return tx.exec("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value", name, value)
}

// ReceiptKey reads the receipt key, or makes it on a new region. It is
// sealed with the master key: whoever held the data database alone could
// otherwise mint receipts for any dossier.
func (tx *Tx) ReceiptKey() ([]byte, error) {
	raw, err := tx.Setting(kReceiptKey)
	if err != nil {
		return nil, err
	}
	ad := []byte(kReceiptKey)
	if raw != nil {
		k := raw
		if tx.s.master != nil {
			if k, err = open(tx.s.master, ad, raw); err != nil {
				return nil, fmt.Errorf("receipt key: %w", err)
			}
		}
		if len(k) != 32 {
			return nil, fmt.Errorf("receipt key: %w: %d bytes", store.ErrDamaged, len(k))
		}
		return k, nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	v := k
	if tx.s.master != nil {
		if v, err = seal(tx.s.master, ad, k); err != nil {
			return nil, err
		}
	}
	return k, tx.exec("INSERT INTO settings (name, value) VALUES ($1, $2)", kReceiptKey, v)
}

func (tx *Tx) EachEpoch(fn func(storage.Epoch) error) error {
	type row struct {
		e      storage.Epoch
		st, hi int64
	}
	rs, err := scanRows(tx, func(r pgx.CollectableRow, x *row) error {
		err := r.Scan(&x.e.ID, &x.st, &x.e.Started, &x.e.Broken, &x.hi)
		x.e.Start, x.e.Started, x.e.High = uint64(x.st), x.e.Started.UTC(), uint64(x.hi)
		return err
	}, "SELECT id, start, started, broken, coalesce(high, 0) FROM epochs ORDER BY n")
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := fn(r.e); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) AppendEpoch(e storage.Epoch) error {
	return tx.exec("INSERT INTO epochs (id, start, started, broken, high) VALUES ($1, $2, $3, $4, nullif($5, 0))", e.ID, int64(e.Start), e.Started, e.Broken, int64(e.High))
}

// Changes reads the count the triggers of migration 00004 raise: once in
// every write transaction that changes a table a server caches from, in
// that transaction (migrations/data/00004_processes.sql). Read in an
// Update, under the write lock, it counts every such transaction
// committed before this one; read in a View, those its snapshot holds.
// An error (which aborts the transaction) counts as a change: the caller
// then drops its caches, which only costs time.
func (tx *Tx) Changes() (uint64, bool) {
	if tx.tx.changesOK {
		return tx.tx.changes, true // read at the Update's start, or since; nothing sent since could raise it
	}
	var n int64
	if err := tx.tx.QueryRow(tx.ctx, "SELECT n FROM changes").Scan(&n); err != nil {
		return ^uint64(0), true
	}
	tx.keepChanges(n)
	return uint64(n), true
}

// keepChanges keeps n, the count of changes a statement of the
// transaction just read, when the transaction did not know it: under the
// write lock only the transaction's own statements move it, and those
// that may drop it again (txconn.go); a View reads one snapshot.
func (tx *Tx) keepChanges(n int64) {
	if !tx.tx.changesOK {
		tx.tx.changes, tx.tx.changesOK = uint64(n), true
	}
}

// RaiseEpoch raises the epoch's high-water mark to seq (never lowers it)
// and reads the count of changes, in one statement: the count as this
// transaction's earlier statements left it.
func (tx *Tx) RaiseEpoch(id string, seq uint64) (uint64, error) {
	if tx.tx.changesOK {
		// The count is known (no statement since it was read could
		// raise it, and this one cannot): the mark goes with the next
		// statement or the COMMIT.
		tx.tx.queue("UPDATE epochs SET high = $2 WHERE id = $1 AND (high IS NULL OR high < $2)", 0, id, int64(seq))
		return tx.tx.changes, nil
	}
	var n int64
	err := tx.tx.QueryRow(tx.ctx, `WITH r AS (UPDATE epochs SET high = $2 WHERE id = $1 AND (high IS NULL OR high < $2))
		SELECT n FROM changes`, id, int64(seq)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("raise epoch %s: %w", id, err)
	}
	tx.tx.changes, tx.tx.changesOK = uint64(n), true
	return uint64(n), nil
}
