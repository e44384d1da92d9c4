package client

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// Names of the sync settings in the database's meta bucket. The token is
// never among them.
const (
	MetaURL     = "x_sync_url"     // the server's base URL
	MetaDevice  = "x_sync_device"  // the device id the server gave at enrolment
	MetaUser    = "x_sync_user"    // the account the device is enrolled for
	MetaRole    = "x_sync_role"    // the account's role at enrolment
	MetaTeams   = "x_sync_teams"   // the account's teams at enrolment, JSON list
	MetaCursor  = "x_sync_cursor"  // the last server sequence number applied, decimal
	MetaLast    = "x_sync_last"    // when the last sync completed, RFC 3339
	MetaRefused = "x_refused"      // JSON list of RefusedOp
	MetaSkew    = "x_sync_skew"    // this device's clock minus the server's, in milliseconds, decimal
	MetaEpoch   = "x_sync_epoch"   // the server epoch of the last answer applied (protocol.SyncResponse.Epoch)
	MetaErasure = "x_sync_erased"  // JSON map of erased dossier id -> the server's receipt
	MetaReport  = "x_sync_report"  // "1" while erasure receipts wait to be reported after a restore
	MetaConfirm = "x_sync_confirm" // JSON Confirmations: erasures and drops applied, not yet confirmed to the server
)

// Confirmations are the erasures and drops this device applied and has
// not yet confirmed to the server (SyncRequest.ConfirmErased,
// ConfirmDropped). They are kept in the file, so a sync killed before the
// server answered confirms them next time.
type Confirmations struct {
	Erased  []string `json:"erased,omitempty"`
	Dropped []string `json:"dropped,omitempty"`
}

// Len is the number of confirmations.
func (c Confirmations) Len() int { return len(c.Erased) + len(c.Dropped) }

// PendingConfirmations returns the confirmations this device has not
// sent yet (or not had answered).
func PendingConfirmations(st Store) (Confirmations, error) {
	var c Confirmations
	raw, err := st.Meta(MetaConfirm)
	if err != nil || len(raw) == 0 {
		return c, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Confirmations{}, nil // a damaged list must not stop sync; the server repeats what it told
	}
	return c, nil
}

// addConfirmations adds applied erasures and drops to the pending list,
// once each.
func addConfirmations(st Store, erased, dropped []string) error {
	if len(erased)+len(dropped) == 0 {
		return nil
	}
	c, err := PendingConfirmations(st)
	if err != nil {
		return err
	}
	c.Erased, c.Dropped = union(c.Erased, erased), union(c.Dropped, dropped)
	return setConfirmations(st, c)
}

// confirmed removes from the pending list the confirmations a request
// carried that the server answered.
func confirmed(st Store, sent Confirmations) error {
	if sent.Len() == 0 {
		return nil
	}
	c, err := PendingConfirmations(st)
	if err != nil {
		return err
	}
	c.Erased, c.Dropped = minus(c.Erased, sent.Erased), minus(c.Dropped, sent.Dropped)
	return setConfirmations(st, c)
}

// union appends to list the ids of add it lacks.
func union(list, add []string) []string {
	seen := make(map[string]bool, len(list))
	for _, id := range list {
		seen[id] = true
	}
	for _, id := range add {
		if !seen[id] {
			seen[id] = true
			list = append(list, id)
		}
	}
	return list
}

// minus removes from list the ids of sub.
func minus(list, sub []string) []string {
	gone := make(map[string]bool, len(sub))
	for _, id := range sub {
		gone[id] = true
	}
	return slices.DeleteFunc(list, func(id string) bool { return gone[id] })
}

func setConfirmations(st Store, c Confirmations) error {
	if c.Len() == 0 {
		return st.SetMeta(MetaConfirm, nil)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := st.SetMeta(MetaConfirm, b); err != nil {
		return fmt.Errorf("keep the receipts of erasures and drops: %w", err)
	}
	return nil
}

// confirmBatch is the part of c one request carries
// (protocol.MaxConfirmations at most).
func confirmBatch(c Confirmations) Confirmations {
	if c.Len() <= protocol.MaxConfirmations {
		return c
	}
	out := Confirmations{Erased: c.Erased[:min(len(c.Erased), protocol.MaxConfirmations)]}
	out.Dropped = c.Dropped[:min(len(c.Dropped), protocol.MaxConfirmations-len(out.Erased))]
	return out
}

// maxRefused bounds the refused list kept on the device; the oldest go
// first. The ops themselves stay in the local log.
const maxRefused = 1000

// Store is what sync needs from the local database. *store.Store
// satisfies it.
type Store interface {
	Outbox(limit int) ([]store.Op, []uint64, error)
	Ack(opIDs []string) error
	ApplyRemote(ops []store.Op) (int, error)
	Drop(dossier string) error
	Erase(dossier string) error
	Erased(dossier string) bool
	Meta(name string) ([]byte, error)
	SetMeta(name string, value []byte) error
	OutboxLen() (int, error)
	Stats() (store.Stats, error)
	AdoptOutbox(author string) (int, error)
	Requeue(author string) (int, error)
}

// RefusedOp is an op the server refused, kept on the device so the user
// can see what did not reach the others and why. The op itself stays in
// the local log; it is no longer in the outbox, so it never blocks the ops
// behind it.
type RefusedOp struct {
	ID      string    `json:"id"`
	Dossier string    `json:"dossier,omitempty"`
	Field   string    `json:"field,omitempty"`
	Code    string    `json:"code"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// Refused returns the refused ops recorded on this device, oldest first.
func Refused(st Store) ([]RefusedOp, error) {
	raw, err := st.Meta(MetaRefused)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	var out []RefusedOp
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("read refused ops: %w", err)
	}
	return out, nil
}

// Role returns the user's role recorded at enrolment; "" when the device
// is not enrolled (or was enrolled by an older brug).
func Role(st Store) string {
	raw, err := st.Meta(MetaRole)
	if err != nil {
		return ""
	}
	return string(raw)
}

// Teams returns the user's teams recorded at enrolment; nil when the
// device is not enrolled (or the list is unreadable: it only helps forms).
func Teams(st Store) []string {
	raw, err := st.Meta(MetaTeams)
	if err != nil || len(raw) == 0 {
		return nil
	}
	var out []string
	if json.Unmarshal(raw, &out) != nil {
		return nil
	}
	return out
}

// setTeams records the user's teams as the server last sent them, writing
// only when they changed.
func setTeams(st Store, teams []string) error {
	if slices.Equal(Teams(st), teams) {
		return nil
	}
	b, err := json.Marshal(teams)
	if err != nil {
		return err
	}
	return st.SetMeta(MetaTeams, b)
}

// ClearRefused forgets the refused list (after the user has seen it).
func ClearRefused(st Store) error { return st.SetMeta(MetaRefused, nil) }

// addRefused appends refusals to the list, once per op id.
func addRefused(st Store, add []RefusedOp) error {
	if len(add) == 0 {
		return nil
	}
	list, err := Refused(st)
	if err != nil {
		list = nil // a damaged list must not stop sync; start a new one
	}
	seen := make(map[string]int, len(list))
	for i, r := range list {
		seen[r.ID] = i
	}
	for _, r := range add {
		if i, ok := seen[r.ID]; ok {
			list[i] = r
			continue
		}
		seen[r.ID] = len(list)
		list = append(list, r)
	}
	if len(list) > maxRefused {
		list = list[len(list)-maxRefused:]
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if err := st.SetMeta(MetaRefused, b); err != nil {
		return fmt.Errorf("record refused ops: %w", err)
	}
	return nil
}

// Status is the local side of sync, read from the database without the
// network: what the footer of the app shows.
type Status struct {
	URL      string    // the server; "" when this device is not enrolled
	Waiting  int       // ops in the outbox
	Refused  int       // ops in the refused list
	LastSync time.Time // zero before the first completed sync
	Cursor   uint64
	// Skew is this device's clock minus the server's as the last sync
	// measured it (0 before the first): positive when the device's clock
	// is ahead.
	Skew time.Duration
}

// LocalStatus reads Status from st.
func LocalStatus(st Store) (Status, error) {
	var s Status
	u, err := st.Meta(MetaURL)
	if err != nil {
		return s, err
	}
	s.URL = string(u)
	if s.Waiting, err = st.OutboxLen(); err != nil {
		return s, err
	}
	ref, err := Refused(st)
	if err != nil {
		return s, err
	}
	s.Refused = len(ref)
	if s.Cursor, err = cursor(st); err != nil {
		return s, err
	}
	if b, err := st.Meta(MetaLast); err == nil && len(b) > 0 {
		s.LastSync, _ = time.Parse(time.RFC3339Nano, string(b))
	}
	s.Skew = skew(st)
	return s, nil
}

// skew reads the stored clock skew; 0 when none (or unreadable: it only
// feeds a warning).
func skew(st Store) time.Duration {
	b, err := st.Meta(MetaSkew)
	if err != nil || len(b) == 0 {
		return 0
	}
	ms, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

// cursor reads the persisted cursor; 0 when none.
func cursor(st Store) (uint64, error) {
	b, err := st.Meta(MetaCursor)
	if err != nil || len(b) == 0 {
		return 0, err
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read sync cursor %q: %w", b, err)
	}
	return n, nil
}

func setCursor(st Store, c uint64) error {
	if err := st.SetMeta(MetaCursor, []byte(strconv.FormatUint(c, 10))); err != nil {
		return fmt.Errorf("store sync cursor: %w", err)
	}
	return nil
}

// receipts returns the erasure receipts this device keeps, at most
// protocol.MaxErasureReports of them (a device holding more reports the
// rest after its next restore; erasures are rare).
func receipts(st Store) (map[string]string, error) {
	raw, err := st.Meta(MetaErasure)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	var all map[string]string
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("read erasure receipts: %w", err)
	}
	if len(all) <= protocol.MaxErasureReports {
		return all, nil
	}
	out := make(map[string]string, protocol.MaxErasureReports)
	for _, id := range slices.Sorted(maps.Keys(all))[:protocol.MaxErasureReports] {
		out[id] = all[id]
	}
	return out, nil
}

// addReceipts keeps the server's receipts of the erasures of ids, to
// report them should the server's file be restored from an older backup.
func addReceipts(st Store, ids []string, got map[string]string) error {
	if len(got) == 0 || len(ids) == 0 {
		return nil
	}
	raw, err := st.Meta(MetaErasure)
	if err != nil {
		return err
	}
	all := map[string]string{}
	if len(raw) > 0 && json.Unmarshal(raw, &all) != nil {
		all = map[string]string{} // a damaged list must not stop sync; start a new one
	}
	n := len(all)
	for _, id := range ids {
		if r, ok := got[id]; ok && r != "" && all[id] != r {
			all[id] = r
			n = -1
		}
	}
	if n >= 0 {
		return nil
	}
	b, err := json.Marshal(all)
	if err != nil {
		return err
	}
	if err := st.SetMeta(MetaErasure, b); err != nil {
		return fmt.Errorf("keep erasure receipts: %w", err)
	}
	return nil
}
