package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
)

// Audit channels: how an access or change reached the server.
const (
	ChannelSync = "sync" // a device's sync
	ChannelCLI  = "cli"  // `brug admin` on the server machine
	ChannelSSH  = "ssh"  // an SSH session (issue 4)
)

// Audit actions.
const (
	ActionDeliver = "deliver" // dossiers' ops were sent to a device (one record per sync, see AuditEntry.Delivered)
	ActionChange  = "change"  // ops for a dossier were accepted
	ActionDrop    = "drop"    // a device was told to remove a dossier that left its view
	ActionEnroll  = "enroll"  // a device enrolled

	// Refusals (docs/sync.md, "Security"). Each names who was refused,
	// as far as the server knows, and never holds dossier content.
	ActionPushRefused  = "push refused"  // ops of a sync refused (one record per sync, see AuditEntry.Refused)
	ActionTokenRefused = "token refused" // /v1/sync with a revoked, unknown or disabled device's token
	ActionKeyRefused   = "key refused"   // an SSH key no active user has, offered at login
	ActionAdminRefused = "admin refused" // an admin command by a user who is not an admin
)

// AuditEntry is one line of the append-only audit log: who did what to
// which dossier, when, through which channel. It never holds dossier
// content: Detail names fields (ids only) or accounts.
//
// A sync writes one delivery record for everything it sent: Delivered
// lists the dossiers with the number of ops of each, and Dossier is empty.
// A busy sync delivers hundreds of dossiers, and a record per dossier was
// most of what a burst of syncs wrote (docs/sync.md, "One sync"). Read
// with a dossier filter, such a record comes back as that dossier's part
// of it (Dossier set, Delivered holding only it), so each delivery of a
// dossier stays traceable. Older logs hold one record per dossier, with
// Dossier set; both read the same way.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Channel string    `json:"channel"`
	User    string    `json:"user"`             // who: the account (or the OS user for cli)
	Device  string    `json:"device,omitempty"` // the device id for sync
	Action  string    `json:"action"`           // deliver, change, drop, enroll, or an admin command ("user add", ...)
	Dossier string    `json:"dossier,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	// Delivered maps each dossier a sync sent to the number of its ops
	// sent; only on delivery records.
	Delivered map[string]int `json:"delivered,omitempty"`
	// Refused counts a sync's refused ops per refusal code, and
	// RefusedDossiers lists the dossiers those ops named (ids only);
	// only on "push refused" records.
	Refused         map[string]int `json:"refused,omitempty"`
	RefusedDossiers []string       `json:"refused_dossiers,omitempty"`
	// Remote is the network address a refused request came from (SSH key
	// and token refusals).
	Remote string `json:"remote,omitempty"`
	// Unrecorded counts refusals like this one that were not recorded
	// since the last record of the same kind, by the rate limit
	// (refusal.go).
	Unrecorded int `json:"unrecorded,omitempty"`
}

// audit appends an entry in the caller's write transaction, so the record
// commits or rolls back with what it records.
func audit(tx *store.Tx, e AuditEntry) error {
	b := bucket(tx, bAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = seq
	sealed, err := tx.Seal(appendAuditJSON(make([]byte, 0, 256), &e))
	if err != nil {
		return err
	}
	return b.Put(be64(seq), sealed)
}

// appendAuditJSON appends e as encoding/json writes it. A busy sync
// writes hundreds of delivery records, and reflection was most of their
// cost.
func appendAuditJSON(b []byte, e *AuditEntry) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"time":`...)
	t, err := e.Time.MarshalJSON()
	if err != nil {
		t, _ = json.Marshal(e.Time.String()) // out of MarshalJSON's range: keep the record
	}
	b = append(b, t...)
	str := func(name, v string, omitEmpty bool) {
		if omitEmpty && v == "" {
			return
		}
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendJSONString(b, v)
	}
	str("channel", e.Channel, false)
	str("user", e.User, false)
	str("device", e.Device, true)
	str("action", e.Action, false)
	str("dossier", e.Dossier, true)
	str("detail", e.Detail, true)
	if len(e.Delivered) > 0 {
		b = append(b, `,"delivered":{`...)
		for i, id := range slices.Sorted(maps.Keys(e.Delivered)) { // sorted, as encoding/json writes maps
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, id)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Delivered[id]), 10)
		}
		b = append(b, '}')
	}
	if len(e.Refused) > 0 {
		b = append(b, `,"refused":{`...)
		for i, code := range slices.Sorted(maps.Keys(e.Refused)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, code)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Refused[code]), 10)
		}
		b = append(b, '}')
	}
	if len(e.RefusedDossiers) > 0 {
		b = append(b, `,"refused_dossiers":[`...)
		for i, id := range e.RefusedDossiers {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, id)
		}
		b = append(b, ']')
	}
	str("remote", e.Remote, true)
	if e.Unrecorded != 0 {
		b = append(b, `,"unrecorded":`...)
		b = strconv.AppendInt(b, int64(e.Unrecorded), 10)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// does (it takes over for anything but plain ASCII).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Dossier string
	User    string
	Since   time.Time // entries at or after Since
	Until   time.Time // entries before Until
	// Action matches an entry's action, or one of its words: "refused"
	// finds every refusal, "user" every user command.
	Action string
}

// matchAction reports whether action is want or has it as a word.
func matchAction(action, want string) bool {
	return want == "" || action == want || slices.Contains(strings.Fields(action), want)
}

// readAudit returns the matching entries, oldest first. With a dossier
// filter, a delivery record of many dossiers that holds it is returned as
// its part about that dossier (see AuditEntry).
func readAudit(tx *store.Tx, f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	b := bucket(tx, bAudit)
	err := b.ForEach(func(_, v []byte) error {
		plain, err := tx.Open(v)
		if err != nil {
			return err
		}
		if f.Dossier != "" && !bytes.Contains(plain, []byte(f.Dossier)) {
			return nil // spares decoding the large delivery records of other dossiers
		}
		var e AuditEntry
		if err := json.Unmarshal(plain, &e); err != nil {
			return err
		}
		if f.Dossier != "" && e.Dossier != f.Dossier && slices.Contains(e.RefusedDossiers, f.Dossier) {
			// A refused push that named the dossier, shown as about it;
			// Refused still counts the whole sync's refused ops.
			e.Dossier, e.RefusedDossiers = f.Dossier, []string{f.Dossier}
		}
		if f.Dossier != "" && e.Dossier != f.Dossier {
			n, ok := e.Delivered[f.Dossier]
			if !ok {
				return nil
			}
			e.Dossier, e.Detail, e.Delivered = f.Dossier, fmt.Sprintf("%d ops", n), map[string]int{f.Dossier: n}
		}
		if (f.User == "" || e.User == f.User) && !e.Time.Before(f.Since) && (f.Until.IsZero() || e.Time.Before(f.Until)) && matchAction(e.Action, f.Action) {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

func be64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
