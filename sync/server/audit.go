package server

import (
	"encoding/binary"
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
	return putJSON(tx, b, be64(seq), e)
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
