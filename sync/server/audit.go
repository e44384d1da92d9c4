package server

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
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
	ActionDeliver = "deliver" // a dossier's ops were sent to a device
	ActionChange  = "change"  // ops for a dossier were accepted
	ActionDrop    = "drop"    // a device was told to remove a dossier that left its view
	ActionEnroll  = "enroll"  // a device enrolled
)

// AuditEntry is one line of the append-only audit log: who did what to
// which dossier, when, through which channel. It never holds dossier
// content: Detail names fields (ids only) or accounts.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Channel string    `json:"channel"`
	User    string    `json:"user"`             // who: the account (or the OS user for cli)
	Device  string    `json:"device,omitempty"` // the device id for sync
	Action  string    `json:"action"`           // deliver, change, drop, enroll, or an admin command ("user add", ...)
	Dossier string    `json:"dossier,omitempty"`
	Detail  string    `json:"detail,omitempty"`
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
	Since   time.Time
}

// readAudit returns the matching entries, oldest first.
func readAudit(tx *store.Tx, f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	b := bucket(tx, bAudit)
	err := b.ForEach(func(k, _ []byte) error {
		var e AuditEntry
		if _, err := getJSON(tx, b, k, &e); err != nil {
			return err
		}
		if (f.Dossier == "" || e.Dossier == f.Dossier) && (f.User == "" || e.User == f.User) && !e.Time.Before(f.Since) {
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
