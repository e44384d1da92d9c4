package server

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/brug-nl/brug/sync/server/storage"
)

// Audit channels: how an access or change reached the server.
const (
	ChannelSync = "sync" // a device's sync
	ChannelCLI  = "cli"  // `brug admin` on the server machine
	ChannelSSH  = "ssh"  // an SSH session (issue 4)
	ChannelApp  = "app"  // the laptop app (a read from a device's read log)
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
	ActionReadsRefused = "reads refused" // read-log entries a device sent that were not kept (one record per request, see AuditEntry.Refused)
)

// AuditEntry is one record of the audit log (storage.AuditEntry).
type AuditEntry = storage.AuditEntry

// audit appends an entry in the caller's write transaction, so the record
// commits or rolls back with what it records. It completes NEN 7513's
// "who": the user's role and organisation, as the server knows them now.
func audit(tx Tx, e AuditEntry) error {
	if e.Role == "" && e.Org == "" && e.User != "" {
		e.Role, e.Org = whoIs(tx, e.User)
	}
	return tx.AppendAudit(e)
}

// whoIs returns the role of the user called name and the organisations
// of the user's teams (sorted, without repeats, joined by "; "); empty
// for a name that is no user (an OS user on the cli channel, a refused
// login).
func whoIs(tx Tx, name string) (role, org string) {
	u, ok, err := tx.User(name)
	if err != nil || !ok {
		return "", ""
	}
	var orgs []string
	for _, t := range tx.UserTeams(name) {
		if tr, ok, err := tx.Team(t); err == nil && ok && tr.Org != "" && !slices.Contains(orgs, tr.Org) {
			orgs = append(orgs, tr.Org)
		}
	}
	slices.Sort(orgs)
	return u.Role, strings.Join(orgs, "; ")
}

// appendAuditJSON appends e as encoding/json writes it (storage.AppendAuditJSON).
func appendAuditJSON(b []byte, e *AuditEntry) []byte { return storage.AppendAuditJSON(b, e) }

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
func readAudit(tx Tx, f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	err := tx.EachAudit(f.Dossier, func(e AuditEntry) error {
		if e.Action == storage.ActionChainStart && (f.Action == "" || !matchAction(e.Action, f.Action)) {
			return nil // the chain's anchor, not an access: shown when asked for (--action chain) and by verify
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

// AuditReport is what verifying the audit chain found (storage.AuditReport).
type AuditReport = storage.AuditReport

// VerifyAudit checks the audit log's hash chain in one read transaction
// (docs/sync.md, "The audit chain").
func (a *Admin) VerifyAudit() (AuditReport, error) {
	var r AuditReport
	err := a.s.db.View(func(tx Tx) error {
		var err error
		r, err = storage.VerifyAudit(tx)
		return err
	})
	return r, err
}
