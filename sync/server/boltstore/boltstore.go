// Package boltstore is the sync server's embedded backend: the server's
// records in buckets next to the op log, in the one bbolt file the
// laptop's store (store.Store) keeps, so a transaction of the store is a
// transaction of everything. It implements storage.Storage. The buckets,
// keys and encodings are those the server wrote before it had a storage
// interface: files written then open unchanged.
package boltstore

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// Bucket names, all in one place. Keys hold ids, user and team names and
// sequence numbers; never dossier content.
const (
	bUsers        = "x_users"         // user name -> JSON User (sealed)
	bTeams        = "x_teams"         // team name -> JSON TeamRecord (sealed)
	bMembers      = "x_members"       // team name + 0x00 + user name -> 1
	bDevices      = "x_devices"       // device id -> JSON Device (sealed)
	bTokens       = "x_tokens"        // SHA-256 of a device token -> device id
	bCodes        = "x_codes"         // SHA-256 of an enrolment code -> JSON EnrolCode (sealed)
	bSeq          = "x_seq"           // seq (8 BE) -> op id (16) + dossier id (16); the counter is the bucket's sequence
	bDossierTeam  = "x_dossier_team"  // dossier id (16) -> team name (the head of its team field)
	bTeamDossiers = "x_team_dossiers" // team name + 0x00 + dossier id (16) -> 1
	bDossierShare = "x_dossier_share" // dossier id (16) -> team names it has shares with, each ended by 0x00
	bTeamShared   = "x_team_shared"   // team name + 0x00 + dossier id (16) -> 1
	bView         = "x_view"          // device id + 0x00 + dossier id (16) -> state (1) + seq (8 BE)
	bAudit        = "x_audit"         // seq (8 BE) -> JSON AuditEntry (sealed)
	bOpDossier    = "x_op_dossier"    // op id (16) -> dossier id (16), of every numbered op; sequence 1 once filled
	bKeys         = "x_keys"          // fingerprint -> JSON Key (sealed)
	bRefused      = "x_refused"       // dossier id (16) + op id (16) -> unix time (8 BE) + refusal code
	bEpochs       = "x_epochs"        // seq (8 BE) -> JSON Epoch (plain: a backup copy without keys is marked broken)
	bServer       = "x_server"        // setting name -> value (plain), and receipt_key (sealed)
	bDrafts       = "x_drafts"        // dossier id (16) + step (4 BE) + user name -> text sealed with the dossier's key
	bErasures     = "x_erasures"      // dossier id (16) -> JSON ErasureRecord (sealed)
	bReceipts     = "x_receipts"      // dossier id (16) + device id -> JSON Receipt (sealed)
	bAuditReads   = "x_audit_reads"   // a laptop read entry's id (text) -> seq (8 BE) of the audit entry keeping it
	bOrgs         = "x_orgs"          // organisation name -> JSON Org (sealed)
)

// kAuditHead is the audit chain's head in bServer: seq (8 BE) + SHA-256 (32).
const kAuditHead = "audit_head"

// all are every bucket, made at Open so read transactions find them.
var all = []string{bUsers, bTeams, bMembers, bDevices, bTokens, bCodes, bSeq, bDossierTeam, bTeamDossiers, bDossierShare, bTeamShared, bView, bAudit, bKeys, bRefused, bEpochs, bServer, bDrafts, bErasures, bReceipts, bOpDossier, bAuditReads, bOrgs}

// SealedBuckets are the buckets whose values are sealed with the file key
// (store.Tx.Seal): a plain file's are re-sealed when it is encrypted.
var SealedBuckets = []string{bUsers, bTeams, bDevices, bCodes, bAudit, bKeys, bOrgs}

// DossierBuckets are the buckets whose values are sealed with their
// dossier's key (store.Tx.SealFor; keys begin with the dossier's id): the
// drafts, so that an erased dossier's drafts left in free pages or in old
// copies of the file cannot be read either.
var DossierBuckets = []string{bDrafts}

// EpochBucket is the bucket of epochs, which a backup copy's epoch is
// marked broken in without the keys (MarkBroken).
const EpochBucket = bEpochs

// DB is an open server file.
type DB struct {
	st *store.Store
	b  *store.Buckets
}

// Open opens (or creates) the server file at path with opt (the caller
// sets Kind, Author, Encryption with SealedBuckets and DossierBuckets),
// makes every bucket, and brings the layout of older files up to date.
func Open(path string, opt store.Options) (*DB, error) {
	st, b, err := store.OpenWithBuckets(path, opt)
	if err != nil {
		return nil, err
	}
	db := &DB{st: st, b: b}
	err = st.Update(func(tx *store.Tx) error {
		for _, name := range all {
			if _, err := b.Bucket(tx, name); err != nil {
				return err
			}
		}
		// Indexes of earlier versions that nothing reads any more: op id
		// to seq, and dossier + seq (a dossier's ops come from the store's
		// own index now). Each cost a page write per dossier per sync.
		for _, name := range []string{"x_opseq", "x_dossier_seq"} {
			if err := b.DropBucket(tx, name); err != nil {
				return err
			}
		}
		return db.wrap(tx).fillOpDossier()
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	return db, nil
}

// Store is the op-log store over the file.
func (db *DB) Store() *store.Store { return db.st }

// Close closes the file.
func (db *DB) Close() error { return db.st.Close() }

// View runs fn in a read transaction.
func (db *DB) View(fn func(storage.Tx) error) error {
	return db.st.View(func(tx *store.Tx) error { return fn(db.wrap(tx)) })
}

// Update runs fn in a write transaction.
func (db *DB) Update(fn func(storage.Tx) error) error {
	return db.st.Update(func(tx *store.Tx) error { return fn(db.wrap(tx)) })
}

// Wrap gives the Tx over a transaction of the store.
func (db *DB) Wrap(tx *store.Tx) storage.Tx { return db.wrap(tx) }

func (db *DB) wrap(tx *store.Tx) *Tx { return &Tx{Tx: tx, db: db} }

// Tx is a transaction of the server file.
type Tx struct {
	*store.Tx
	db *DB
}

var _ storage.Tx = (*Tx)(nil)
var _ storage.Storage = (*DB)(nil)
var _ storage.OpsReader = (*Tx)(nil) // store.Tx's DossierOps: compact pages without JSON

// bucket returns one of the buckets; Open made them all.
func (tx *Tx) bucket(name string) *bolt.Bucket {
	b, err := tx.db.b.Bucket(tx.Tx, name)
	if err != nil || b == nil {
		// Open created every bucket; a missing one is a broken file.
		panic(fmt.Sprintf("server bucket %s missing: %v", name, err))
	}
	return b
}

// getJSON reads and unseals a JSON value; false when the key is absent.
func (tx *Tx) getJSON(name string, key []byte, v any) (bool, error) {
	raw := tx.bucket(name).Get(key)
	if raw == nil {
		return false, nil
	}
	plain, err := tx.Open(raw)
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(plain, v)
}

// putJSON seals and writes a JSON value.
func (tx *Tx) putJSON(name string, key []byte, v any) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sealed, err := tx.Seal(plain)
	if err != nil {
		return err
	}
	return tx.bucket(name).Put(key, sealed)
}

// eachJSON reads every value of a bucket whose key has prefix.
func eachJSON[T any](tx *Tx, name string, prefix []byte, fn func(k []byte, v T) error) error {
	c := tx.bucket(name).Cursor()
	for k, raw := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = c.Next() {
		plain, err := tx.Open(raw)
		if err != nil {
			return err
		}
		var v T
		if err := json.Unmarshal(plain, &v); err != nil {
			return err
		}
		if err := fn(bytes.Clone(k), v); err != nil {
			return err
		}
	}
	return nil
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v) }

// key is the 16-byte form of a text id; nil when it is not one.
func key(id string) []byte {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return nil
	}
	return u[:]
}

// ---- sequence

func (tx *Tx) LastSeq() uint64 { return tx.bucket(bSeq).Sequence() }

func (tx *Tx) NumberOp(op, dossier string) (uint64, error) {
	ok, dk := key(op), key(dossier)
	if ok == nil || dk == nil {
		return 0, fmt.Errorf("%w: number op %s of %s: not ids", store.ErrInvalid, op, dossier)
	}
	seqs := tx.bucket(bSeq)
	seq, err := seqs.NextSequence()
	if err != nil {
		return 0, err
	}
	if err := tx.bucket(bOpDossier).Put(ok, dk); err != nil {
		return 0, err
	}
	return seq, seqs.Put(be64(seq), append(ok, dk...))
}

func (tx *Tx) NextSeq() (uint64, error) { return tx.bucket(bSeq).NextSequence() }

func (tx *Tx) OpsAfter(seq uint64, fn func(seq uint64, op, dossier []byte) (bool, error)) error {
	c := tx.bucket(bSeq).Cursor()
	for k, v := c.Seek(be64(seq + 1)); k != nil; k, v = c.Next() {
		if len(v) != 32 || len(k) != 8 {
			continue
		}
		more, err := fn(binary.BigEndian.Uint64(k), v[:16], v[16:])
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (tx *Tx) OpDossier(op string) (string, bool) {
	d := tx.bucket(bOpDossier).Get([]byte(op))
	return string(d), d != nil
}

func (tx *Tx) DropDossierOps(dossier string) error {
	dk := []byte(dossier)
	seqs := tx.bucket(bSeq)
	var gone, ids [][]byte
	c := seqs.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) == 32 && bytes.Equal(v[16:], dk) {
			gone = append(gone, bytes.Clone(k))
			ids = append(ids, bytes.Clone(v[:16]))
		}
	}
	for _, k := range gone {
		if err := seqs.Delete(k); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if err := tx.bucket(bOpDossier).Delete(id); err != nil {
			return err
		}
	}
	return nil
}

// fillOpDossier fills bOpDossier from x_seq once, for a file written
// before it existed: one walk of the numbers at the first open, marked
// done by the bucket's sequence.
func (tx *Tx) fillOpDossier() error {
	b := tx.bucket(bOpDossier)
	if b.Sequence() != 0 {
		return nil
	}
	c := tx.bucket(bSeq).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) == 32 {
			if err := b.Put(bytes.Clone(v[:16]), bytes.Clone(v[16:])); err != nil {
				return err
			}
		}
	}
	return b.SetSequence(1)
}

// ---- accounts

func (tx *Tx) User(name string) (storage.User, bool, error) {
	var u storage.User
	ok, err := tx.getJSON(bUsers, []byte(name), &u)
	return u, ok, err
}

func (tx *Tx) HasUser(name string) bool { return tx.bucket(bUsers).Get([]byte(name)) != nil }

func (tx *Tx) PutUser(u storage.User) error {
	u.Teams = nil // kept in bMembers
	return tx.putJSON(bUsers, []byte(u.Name), u)
}

func (tx *Tx) DeleteUser(name string) error { return tx.bucket(bUsers).Delete([]byte(name)) }

func (tx *Tx) UserNames() ([]string, error) {
	var out []string
	err := tx.bucket(bUsers).ForEach(func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out, err
}

func (tx *Tx) Team(name string) (storage.TeamRecord, bool, error) {
	var t storage.TeamRecord
	ok, err := tx.getJSON(bTeams, []byte(name), &t)
	return t, ok, err
}

func (tx *Tx) HasTeam(name string) bool { return tx.bucket(bTeams).Get([]byte(name)) != nil }

func (tx *Tx) PutTeam(t storage.TeamRecord) error { return tx.putJSON(bTeams, []byte(t.Name), t) }

func (tx *Tx) DeleteTeam(name string) error { return tx.bucket(bTeams).Delete([]byte(name)) }

func (tx *Tx) Teams() ([]storage.TeamRecord, error) {
	var out []storage.TeamRecord
	err := eachJSON(tx, bTeams, nil, func(_ []byte, t storage.TeamRecord) error {
		out = append(out, t)
		return nil
	})
	return out, err
}

func memberKey(team, user string) []byte { return []byte(team + "\x00" + user) }

func (tx *Tx) AddMember(team, user string) error {
	return tx.bucket(bMembers).Put(memberKey(team, user), []byte{1})
}

func (tx *Tx) RemoveMember(team, user string) error {
	return tx.bucket(bMembers).Delete(memberKey(team, user))
}

func (tx *Tx) IsMember(team, user string) bool {
	return tx.bucket(bMembers).Get(memberKey(team, user)) != nil
}

// UserTeams scans the memberships, which are keyed by team; a region has
// few enough teams and users to scan.
func (tx *Tx) UserTeams(user string) []string {
	var out []string
	suffix := []byte("\x00" + user)
	c := tx.bucket(bMembers).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if bytes.HasSuffix(k, suffix) {
			out = append(out, string(k[:len(k)-len(suffix)]))
		}
	}
	sort.Strings(out)
	return out
}

func (tx *Tx) TeamMembers(team string) []string {
	var out []string
	prefix := []byte(team + "\x00")
	c := tx.bucket(bMembers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}

// ---- devices, tokens, codes, keys

func (tx *Tx) Device(id string) (storage.Device, bool, error) {
	var d storage.Device
	ok, err := tx.getJSON(bDevices, []byte(id), &d)
	return d, ok, err
}

func (tx *Tx) PutDevice(d storage.Device) error { return tx.putJSON(bDevices, []byte(d.ID), d) }

func (tx *Tx) EachDevice(fn func(storage.Device) error) error {
	return eachJSON(tx, bDevices, nil, func(_ []byte, d storage.Device) error { return fn(d) })
}

func (tx *Tx) PutToken(hash []byte, device string) error {
	return tx.bucket(bTokens).Put(hash, []byte(device))
}

func (tx *Tx) TokenDevice(hash []byte) (string, bool) {
	id := tx.bucket(bTokens).Get(hash)
	return string(id), id != nil
}

func (tx *Tx) Code(hash []byte) (storage.EnrolCode, bool, error) {
	var c storage.EnrolCode
	ok, err := tx.getJSON(bCodes, hash, &c)
	return c, ok, err
}

func (tx *Tx) PutCode(hash []byte, c storage.EnrolCode) error { return tx.putJSON(bCodes, hash, c) }

func (tx *Tx) DeleteCode(hash []byte) error { return tx.bucket(bCodes).Delete(hash) }

func (tx *Tx) EachCode(fn func(hash []byte, c storage.EnrolCode) error) error {
	return eachJSON(tx, bCodes, nil, fn)
}

func (tx *Tx) Key(fingerprint string) (storage.Key, bool, error) {
	var k storage.Key
	ok, err := tx.getJSON(bKeys, []byte(fingerprint), &k)
	return k, ok, err
}

func (tx *Tx) PutKey(k storage.Key) error { return tx.putJSON(bKeys, []byte(k.Fingerprint), k) }

func (tx *Tx) DeleteKey(fingerprint string) error {
	return tx.bucket(bKeys).Delete([]byte(fingerprint))
}

func (tx *Tx) EachKey(fn func(storage.Key) error) error {
	return eachJSON(tx, bKeys, nil, func(_ []byte, k storage.Key) error { return fn(k) })
}

// ---- dossier teams

func teamDossierKey(team string, dk []byte) []byte {
	return append([]byte(team+"\x00"), dk...)
}

func (tx *Tx) DossierTeam(dossier string) string {
	return string(tx.bucket(bDossierTeam).Get([]byte(dossier)))
}

func (tx *Tx) SetDossierTeam(dossier, team string) error {
	dk := []byte(dossier)
	dt, td := tx.bucket(bDossierTeam), tx.bucket(bTeamDossiers)
	old := dt.Get(dk)
	if old != nil {
		if err := td.Delete(teamDossierKey(string(old), dk)); err != nil {
			return err
		}
	}
	if team == "" {
		return dt.Delete(dk)
	}
	if err := dt.Put(dk, []byte(team)); err != nil {
		return err
	}
	return td.Put(teamDossierKey(team, dk), []byte{1})
}

func (tx *Tx) TeamDossiers(team string, fn func(dossier string) error) error {
	prefix := []byte(team + "\x00")
	c := tx.bucket(bTeamDossiers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := fn(string(k[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) EachDossierTeam(fn func(dossier, team string) error) error {
	return tx.bucket(bDossierTeam).ForEach(func(k, v []byte) error { return fn(string(k), string(v)) })
}

// ---- shares

func (tx *Tx) SharedTeams(dossier string) []string {
	v := tx.bucket(bDossierShare).Get([]byte(dossier))
	if len(v) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(v), "\x00"), "\x00")
}

func (tx *Tx) SetSharedTeams(dossier string, teams []string) error {
	dk := []byte(dossier)
	ds, ts := tx.bucket(bDossierShare), tx.bucket(bTeamShared)
	for _, old := range tx.SharedTeams(dossier) {
		if err := ts.Delete(teamDossierKey(old, dk)); err != nil {
			return err
		}
	}
	teams = slices.Compact(slices.Sorted(slices.Values(teams)))
	teams = slices.DeleteFunc(teams, func(t string) bool { return t == "" || strings.Contains(t, "\x00") })
	if len(teams) == 0 {
		return ds.Delete(dk)
	}
	var v []byte
	for _, t := range teams {
		v = append(append(v, t...), 0)
		if err := ts.Put(teamDossierKey(t, dk), []byte{1}); err != nil {
			return err
		}
	}
	return ds.Put(dk, v)
}

func (tx *Tx) TeamShared(team string, fn func(dossier string) error) error {
	prefix := []byte(team + "\x00")
	c := tx.bucket(bTeamShared).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := fn(string(k[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}

// ---- views

func viewKey(device, dossier string) []byte {
	return append([]byte(device+"\x00"), dossier...)
}

func (tx *Tx) View(device, dossier string) (storage.ViewEntry, bool) {
	v := tx.bucket(bView).Get(viewKey(device, dossier))
	if len(v) != 9 {
		return storage.ViewEntry{}, false
	}
	return storage.ViewEntry{State: v[0], Seq: binary.BigEndian.Uint64(v[1:])}, true
}

func (tx *Tx) PutView(device, dossier string, e storage.ViewEntry) error {
	return tx.bucket(bView).Put(viewKey(device, dossier), append([]byte{e.State}, be64(e.Seq)...))
}

func (tx *Tx) DeleteView(device, dossier string) error {
	return tx.bucket(bView).Delete(viewKey(device, dossier))
}

func (tx *Tx) DeviceViews(device string, fn func(dossier string, e storage.ViewEntry) error) error {
	prefix := []byte(device + "\x00")
	c := tx.bucket(bView).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) != 9 {
			continue
		}
		if err := fn(string(k[len(prefix):]), storage.ViewEntry{State: v[0], Seq: binary.BigEndian.Uint64(v[1:])}); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) DossierHolders(dossier string, states ...byte) ([]string, error) {
	dk := []byte(dossier)
	var out []string
	c := tx.bucket(bView).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) > 17 && k[len(k)-17] == 0 && bytes.Equal(k[len(k)-16:], dk) && len(v) == 9 && bytes.IndexByte(states, v[0]) >= 0 {
			out = append(out, string(k[:len(k)-17]))
		}
	}
	return out, nil
}

// ---- audit

func (tx *Tx) AppendAudit(e storage.AuditEntry) error {
	head, ok, err := tx.AuditHead()
	if err != nil {
		return err
	}
	if !ok {
		if head, err = tx.startChain(e.Time); err != nil {
			return err
		}
	}
	_, err = tx.appendChained(head.Hash, e)
	return err
}

// appendChained numbers e, chains it to prev, stores it and moves the head.
func (tx *Tx) appendChained(prev string, e storage.AuditEntry) (storage.AuditHead, error) {
	b := tx.bucket(bAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return storage.AuditHead{}, err
	}
	e.Seq = seq
	plain, err := storage.ChainAudit(make([]byte, 0, 320), prev, &e)
	if err != nil {
		return storage.AuditHead{}, err
	}
	sealed, err := tx.Seal(plain)
	if err != nil {
		return storage.AuditHead{}, err
	}
	if err := b.Put(be64(seq), sealed); err != nil {
		return storage.AuditHead{}, err
	}
	if e.Read != "" {
		if err := tx.bucket(bAuditReads).Put([]byte(e.Read), be64(seq)); err != nil {
			return storage.AuditHead{}, err
		}
	}
	h, _ := hex.DecodeString(e.Hash)
	if err := tx.bucket(bServer).Put([]byte(kAuditHead), append(be64(seq), h...)); err != nil {
		return storage.AuditHead{}, err
	}
	return storage.AuditHead{Seq: seq, Hash: e.Hash}, nil
}

// startChain appends the genesis entry (storage.StartChain).
func (tx *Tx) startChain(at time.Time) (storage.AuditHead, error) {
	prev, genesis, err := storage.StartChain(tx, at)
	if err != nil {
		return storage.AuditHead{}, err
	}
	return tx.appendChained(prev, genesis)
}

func (tx *Tx) AuditHead() (storage.AuditHead, bool, error) {
	v := tx.bucket(bServer).Get([]byte(kAuditHead))
	if v == nil {
		return storage.AuditHead{}, false, nil
	}
	if len(v) != 8+32 {
		return storage.AuditHead{}, false, fmt.Errorf("audit chain head: %d bytes, want 40", len(v))
	}
	return storage.AuditHead{Seq: binary.BigEndian.Uint64(v), Hash: hex.EncodeToString(v[8:])}, true, nil
}

func (tx *Tx) HasAuditRead(id string) (bool, error) {
	return tx.bucket(bAuditReads).Get([]byte(id)) != nil, nil
}

func (tx *Tx) ScanAudit(fn func(key uint64, e storage.AuditEntry, err error) error) error {
	return tx.bucket(bAudit).ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fn(0, storage.AuditEntry{}, fmt.Errorf("a key of %d bytes", len(k)))
		}
		key := binary.BigEndian.Uint64(k)
		plain, err := tx.Open(v)
		if err != nil {
			return fn(key, storage.AuditEntry{}, err)
		}
		e, err := storage.DecodeAudit(plain)
		return fn(key, e, err)
	})
}

func (tx *Tx) EachAudit(dossier string, fn func(storage.AuditEntry) error) error {
	return tx.bucket(bAudit).ForEach(func(_, v []byte) error {
		plain, err := tx.Open(v)
		if err != nil {
			return err
		}
		if dossier != "" && !bytes.Contains(plain, []byte(dossier)) {
			return nil // spares decoding the large delivery records of other dossiers
		}
		var e storage.AuditEntry
		if err := json.Unmarshal(plain, &e); err != nil {
			return err
		}
		return fn(e)
	})
}

// ---- refusals

func (tx *Tx) PutRefusal(dossier, op string, at time.Time, code string) error {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(code)), uint64(at.Unix()))
	return tx.bucket(bRefused).Put([]byte(dossier+op), append(v, code...))
}

func (tx *Tx) EachRefusal(fn func(dossier string, at time.Time, code string) error) error {
	return tx.bucket(bRefused).ForEach(func(k, v []byte) error {
		if len(k) != 32 || len(v) < 8 {
			return nil
		}
		return fn(string(k[:16]), time.Unix(int64(binary.BigEndian.Uint64(v)), 0), string(v[8:]))
	})
}

// ---- drafts

func draftKey(dk []byte, step int, user string) []byte {
	k := append(bytes.Clone(dk), 0, 0, 0, 0)
	binary.BigEndian.PutUint32(k[16:], uint32(step))
	return append(k, user...)
}

func (tx *Tx) Draft(dossier string, step int, user string) (string, bool, error) {
	dk := key(dossier)
	if dk == nil {
		return "", false, fmt.Errorf("%w: draft of %q", store.ErrInvalid, dossier)
	}
	sealed := tx.bucket(bDrafts).Get(draftKey(dk, step, user))
	if sealed == nil {
		return "", false, nil
	}
	plain, err := tx.OpenFor(dossier, sealed)
	if err != nil {
		return "", false, err
	}
	return string(plain), true, nil
}

// PutDraft seals the text with the dossier's key, not the file's:
// erasing the dossier deletes that key, so the bytes of its drafts left
// in free pages or in old copies of the file cannot be read any more.
func (tx *Tx) PutDraft(dossier string, step int, user, text string) error {
	dk := key(dossier)
	if dk == nil {
		return fmt.Errorf("%w: draft of %q", store.ErrInvalid, dossier)
	}
	sealed, err := tx.SealFor(dossier, []byte(text))
	if err != nil {
		return err
	}
	return tx.bucket(bDrafts).Put(draftKey(dk, step, user), sealed)
}

func (tx *Tx) DeleteDraft(dossier string, step int, user string) error {
	dk := key(dossier)
	if dk == nil {
		return fmt.Errorf("%w: draft of %q", store.ErrInvalid, dossier)
	}
	return tx.bucket(bDrafts).Delete(draftKey(dk, step, user))
}

func (tx *Tx) DeleteDossierDrafts(dossier string) error {
	dk := key(dossier)
	if dk == nil {
		return fmt.Errorf("%w: drafts of %q", store.ErrInvalid, dossier)
	}
	b := tx.bucket(bDrafts)
	var gone [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(dk); k != nil && bytes.HasPrefix(k, dk); k, _ = c.Next() {
		gone = append(gone, bytes.Clone(k))
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// ---- erasures and receipts

func (tx *Tx) Erasure(dossier string) (storage.ErasureRecord, bool, error) {
	var r storage.ErasureRecord
	ok, err := tx.getJSON(bErasures, []byte(dossier), &r)
	return r, ok, err
}

func (tx *Tx) PutErasure(dossier string, r storage.ErasureRecord) error {
	return tx.putJSON(bErasures, []byte(dossier), r)
}

func (tx *Tx) EachErasure(fn func(dossier string, r storage.ErasureRecord) error) error {
	return eachJSON(tx, bErasures, nil, func(k []byte, r storage.ErasureRecord) error { return fn(string(k), r) })
}

func receiptKey(dossier, device string) []byte { return []byte(dossier + device) }

func (tx *Tx) Receipt(dossier, device string) (storage.Receipt, bool, error) {
	var r storage.Receipt
	ok, err := tx.getJSON(bReceipts, receiptKey(dossier, device), &r)
	return r, ok, err
}

func (tx *Tx) PutReceipt(dossier, device string, r storage.Receipt) error {
	return tx.putJSON(bReceipts, receiptKey(dossier, device), r)
}

func (tx *Tx) DeleteReceipt(dossier, device string) error {
	b, k := tx.bucket(bReceipts), receiptKey(dossier, device)
	if b.Get(k) == nil {
		return nil
	}
	return b.Delete(k)
}

func (tx *Tx) DossierReceipts(dossier string, fn func(device string, r storage.Receipt) error) error {
	return eachJSON(tx, bReceipts, []byte(dossier), func(k []byte, r storage.Receipt) error {
		return fn(string(k[len(dossier):]), r)
	})
}

// ---- settings and epochs

func (tx *Tx) Setting(name string) ([]byte, error) {
	return bytes.Clone(tx.bucket(bServer).Get([]byte(name))), nil
}

func (tx *Tx) SetSetting(name string, value []byte) error {
	if name == kReceiptKey {
		return fmt.Errorf("%w: setting %s is kept by ReceiptKey", store.ErrInvalid, name)
	}
	return tx.bucket(bServer).Put([]byte(name), value)
}

func (tx *Tx) EachEpoch(fn func(storage.Epoch) error) error {
	return tx.bucket(bEpochs).ForEach(func(k, v []byte) error {
		var e storage.Epoch
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("read epoch %x: %w", k, err)
		}
		return fn(e)
	})
}

// Changes: one process holds the file (its lock), so its server's own
// writes are all there are, and it tells its caches of them itself.
func (tx *Tx) Changes() (uint64, bool) { return 0, false }

// RaiseEpoch does nothing: on a file an epoch ends where the next begins.
func (tx *Tx) RaiseEpoch(string, uint64) (uint64, error) { return 0, nil }

// AppendEpoch stores the epoch as plain JSON: it is read by MarkBroken on
// a backup copy that has no keys; ids, sequence numbers and times only.
func (tx *Tx) AppendEpoch(e storage.Epoch) error {
	list := tx.bucket(bEpochs)
	n, err := list.NextSequence()
	if err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return list.Put(be64(n), b)
}

const kReceiptKey = "receipt_key" // 32 random bytes: the key of erasure receipts

// ReceiptKey reads the receipt key, or makes it on a new file. It is
// sealed with the file key (Tx.Seal): whoever held a copy of the data file
// alone could otherwise mint receipts for any dossier and have a device's
// sync erase it after a restore. A key stored as it is (a file made
// before it was sealed, or a plain file just encrypted, which copies
// x_server as it is) is 32 bytes, never a sealed value's length; it is
// sealed now (in a write transaction).
func (tx *Tx) ReceiptKey() ([]byte, error) {
	meta := tx.bucket(bServer)
	raw := meta.Get([]byte(kReceiptKey))
	var key []byte
	switch {
	case len(raw) == 32:
		key = bytes.Clone(raw)
	case raw != nil:
		k, err := tx.Open(raw)
		if err != nil {
			return nil, fmt.Errorf("receipt key: %w", err)
		}
		if len(k) != 32 {
			return nil, fmt.Errorf("receipt key: %w: %d bytes", store.ErrDamaged, len(k))
		}
		return k, nil
	default:
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	sealed, err := tx.Seal(key)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(sealed, raw) { // a plain file: kept as it is
		return key, nil
	}
	return key, meta.Put([]byte(kReceiptKey), sealed)
}

// MarkBroken marks epoch as broken in the copy of a server file at path
// (a backup), which it opens by itself: the copy has no keys, and epochs
// are stored plain.
func MarkBroken(path, epoch string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		list := tx.Bucket([]byte(bEpochs))
		if list == nil {
			return errors.New("the copy has no epochs")
		}
		c := list.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var e storage.Epoch
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if e.ID != epoch {
				continue
			}
			e.Broken = true
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			return list.Put(append([]byte(nil), k...), b)
		}
		return fmt.Errorf("the copy lacks epoch %s", epoch)
	})
	return errors.Join(err, db.Close())
}

// RawBucket is one of the file's buckets as it is, created if need be,
// for tests that check the bytes at rest (what is sealed, what an erasure
// deleted) or make a file of an older layout; nothing else uses it.
func (tx *Tx) RawBucket(name string) (*bolt.Bucket, error) { return tx.db.b.Bucket(tx.Tx, name) }

// DropRawBucket deletes one of the file's buckets, for tests that make a
// file of an older layout.
func (tx *Tx) DropRawBucket(name string) error { return tx.db.b.DropBucket(tx.Tx, name) }

// Orgs: the region's register.

func (tx *Tx) Org(name string) (storage.Org, bool, error) {
	var o storage.Org
	ok, err := tx.getJSON(bOrgs, []byte(name), &o)
	return o, ok, err
}

func (tx *Tx) PutOrg(o storage.Org) error {
	o.Teams = nil // the teams name their organisation
	return tx.putJSON(bOrgs, []byte(o.Name), o)
}

func (tx *Tx) DeleteOrg(name string) error { return tx.bucket(bOrgs).Delete([]byte(name)) }

func (tx *Tx) EachOrg(fn func(storage.Org) error) error {
	return eachJSON(tx, bOrgs, nil, func(_ []byte, o storage.Org) error { return fn(o) })
}
