package server

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/sync/protocol"
)

// Admin runs the account commands of `brug admin` (and, in issue 4, of an
// admin's SSH session) on a server, recording each in the audit log as done
// by Actor through Channel. It checks nothing about who the actor is: the
// caller has already decided that (a local OS user, an SSH admin).
type Admin struct {
	s       *Server
	Actor   string
	Channel string
}

// Admin returns the admin commands, audited as actor through channel
// (ChannelCLI, ChannelSSH).
func (s *Server) Admin(actor, channel string) *Admin {
	return &Admin{s: s, Actor: actor, Channel: channel}
}

// record appends an admin action to the audit log.
func (a *Admin) record(tx Tx, action, dossier, detail string) error {
	return audit(tx, AuditEntry{Time: a.s.now().UTC(), Channel: a.Channel, User: a.Actor, Action: action, Dossier: dossier, Detail: detail})
}

// AddUser creates an account with a role and, optionally, team
// memberships (the teams must exist).
func (a *Admin) AddUser(name, role string, teams []string) (User, error) {
	if err := checkUserName(name); err != nil {
		return User{}, err
	}
	if !validRole(role) {
		return User{}, fmt.Errorf("%w role %q: use coach, wijkteam, coordinator or admin", ErrInvalid, role)
	}
	var u User
	err := a.s.db.Update(func(tx Tx) error {
		if tx.HasUser(name) {
			return fmt.Errorf("user %q: %w", name, ErrExists)
		}
		for _, t := range teams {
			if !teamExists(tx, t) {
				return fmt.Errorf("team %q: %w; add it first with `brug admin team add`", t, ErrNotFound)
			}
		}
		u = User{Name: name, Role: role, Created: a.s.now().UTC()}
		if err := putUser(tx, u); err != nil {
			return err
		}
		for _, t := range teams {
			if err := tx.AddMember(t, name); err != nil {
				return err
			}
		}
		u.Teams = userTeams(tx, name)
		return a.record(tx, "user add", "", fmt.Sprintf("user %s role %s teams %s", name, role, strings.Join(u.Teams, ", ")))
	})
	return u, err
}

// Users lists every account with its teams.
func (a *Admin) Users() ([]User, error) {
	var out []User
	err := a.s.db.View(func(tx Tx) error {
		var err error
		out, err = listUsers(tx)
		return err
	})
	return out, err
}

// DisableUser blocks an account: its devices are refused from their next
// request on, and it cannot enrol new ones. Its ops stay.
func (a *Admin) DisableUser(name string) error {
	return a.s.db.Update(func(tx Tx) error {
		u, err := getUser(tx, name)
		if err != nil {
			return err
		}
		u.Disabled = true
		if err := putUser(tx, u); err != nil {
			return err
		}
		return a.record(tx, "user disable", "", "user "+name)
	})
}

// AddTeam creates a team. Dossiers name it in their team field.
func (a *Admin) AddTeam(name string) (Team, error) { return a.AddTeamOf(name, "") }

// AddTeamOf creates a team of an organisation of the register ("" for
// none yet).
func (a *Admin) AddTeamOf(name, org string) (Team, error) {
	defer a.s.register.drop() // after the commit
	if err := checkTeamName(name); err != nil {
		return Team{}, err
	}
	t := Team{Name: name, Created: a.s.now().UTC(), Org: org}
	err := a.s.db.Update(func(tx Tx) error {
		if teamExists(tx, name) {
			return fmt.Errorf("team %q: %w", name, ErrExists)
		}
		if org != "" {
			if _, err := getOrg(tx, org); err != nil {
				return err
			}
		}
		if err := tx.PutTeam(renamingTeam{Team: t}); err != nil {
			return err
		}
		return a.record(tx, "team add", "", "team "+name)
	})
	return t, err
}

// TeamInfo is a team with its members, for listing.
type TeamInfo struct {
	Team
	Members []string `json:"members,omitempty"`
}

// Teams lists every team with its members.
func (a *Admin) Teams() ([]TeamInfo, error) {
	var out []TeamInfo
	err := a.s.db.View(func(tx Tx) error {
		ts, err := listTeams(tx)
		for _, t := range ts {
			out = append(out, TeamInfo{Team: t, Members: teamMembers(tx, t.Name)})
		}
		return err
	})
	return out, err
}

// AddMember puts a user in a team. The user's devices receive the team's
// dossiers, whole, on their next sync.
func (a *Admin) AddMember(team, user string) error {
	return a.s.db.Update(func(tx Tx) error {
		if !teamExists(tx, team) {
			return fmt.Errorf("team %q: %w", team, ErrNotFound)
		}
		if _, err := getUser(tx, user); err != nil {
			return err
		}
		if err := tx.AddMember(team, user); err != nil {
			return err
		}
		return a.record(tx, "team member add", "", fmt.Sprintf("team %s user %s", team, user))
	})
}

// RemoveMember takes a user out of a team. The user's devices remove the
// team's dossiers on their next sync.
func (a *Admin) RemoveMember(team, user string) error {
	return a.s.db.Update(func(tx Tx) error {
		if !tx.IsMember(team, user) {
			return fmt.Errorf("user %q in team %q: %w", user, team, ErrNotFound)
		}
		if err := tx.RemoveMember(team, user); err != nil {
			return err
		}
		return a.record(tx, "team member remove", "", fmt.Sprintf("team %s user %s", team, user))
	})
}

// Invite makes a one-time enrolment code for a user, valid for
// CodeLifetime. Only its hash is stored: show the code once.
func (a *Admin) Invite(user string) (code string, expires time.Time, err error) {
	err = a.s.db.Update(func(tx Tx) error {
		u, err := getUser(tx, user)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("%w: user %s is disabled", ErrInvalid, user)
		}
		code, expires, err = createCode(tx, user, a.s.now().UTC())
		if err != nil {
			return err
		}
		return a.record(tx, "invite", "", "user "+user)
	})
	return code, expires, err
}

// Devices lists enrolled devices, all or one user's ("" for all).
func (a *Admin) Devices(user string) ([]Device, error) {
	var out []Device
	err := a.s.db.View(func(tx Tx) error {
		var err error
		out, err = listDevices(tx, user)
		return err
	})
	return out, err
}

// RevokeDevice refuses a device from its next request on (a lost laptop).
// id is its enrolment id or the replica id its ops carry.
func (a *Admin) RevokeDevice(id string) error { return a.revokeDevice(id, false) }

// WipeDevice revokes a device and orders it wiped: the next time it
// reaches the server, before it sends anything, it is told to destroy its
// keys and data (docs/sync.md, "Remote wipe"). id is as for RevokeDevice;
// an already revoked device can be ordered wiped too.
func (a *Admin) WipeDevice(id string) error { return a.revokeDevice(id, true) }

func (a *Admin) revokeDevice(id string, wipe bool) error {
	return a.s.db.Update(func(tx Tx) error {
		d, ok, err := tx.Device(id)
		if err != nil {
			return err
		}
		if !ok {
			// The id the device's ops carry (Device.Replica) names it too.
			if ids, err := a.revokeReplica(tx, id, wipe); err != nil || len(ids) > 0 {
				return err
			}
			return fmt.Errorf("device %q: %w; see `brug admin device list`", id, ErrNotFound)
		}
		a.markRevoked(&d, wipe)
		if err := tx.PutDevice(d); err != nil {
			return err
		}
		return a.record(tx, revokeAction(wipe), "", fmt.Sprintf("device %s of %s", id, d.User))
	})
}

// markRevoked revokes d now (unless it was already) and, with wipe,
// orders it wiped (unless it was already).
func (a *Admin) markRevoked(d *Device, wipe bool) {
	now := a.s.now().UTC()
	if d.Revoked.IsZero() {
		d.Revoked = now
	}
	if wipe && d.Wipe.IsZero() {
		d.Wipe = now
	}
}

// revokeAction is the audit action of a revoke, with or without a wipe.
func revokeAction(wipe bool) string {
	if wipe {
		return ActionWipeOrdered
	}
	return "device revoke"
}

// Erase erases a dossier (an id, or an unambiguous name) under the AVG: its
// ops go from the server, devices erase it on their next sync, and later
// ops for it are refused. It returns the dossier id.
func (a *Admin) Erase(client string) (string, error) {
	id := client
	if !store.ValidID(client) {
		var err error
		if id, err = a.s.findClient(client); err != nil {
			return "", err
		}
	}
	return id, a.s.erase(id, AuditEntry{Channel: a.Channel, User: a.Actor, Action: "erase", Dossier: id})
}

// erase erases a dossier and writes entry (its time set here) to the
// audit log: the one erase path of `brug admin erase` and of erasures
// re-applied after a restore (epoch.go).
func (s *Server) erase(id string, entry AuditEntry) error {
	s.recent.invalidate() // it may hold the dossier's ops (recent.go)
	ds, err := s.dossiers()
	if err == nil {
		err = ds.Erase(id)
	}
	s.views.bump() // devices that hold it are to be told (viewcache.go)
	s.recent.invalidate()
	if err != nil {
		return err
	}
	// The store's erase removed the ops; now their numbers, which hold ids
	// only. Should this step be cut off, running the erase again completes
	// it; pulls skip ops the log no longer holds in the meantime.
	return s.db.Update(func(tx Tx) error {
		if err := tx.DropDossierOps(string(dkey(id))); err != nil {
			return err
		}
		if err := s.setDossierTeam(tx, id, ""); err != nil {
			return err
		}
		if err := tx.SetSharedTeams(string(dkey(id)), nil); err != nil {
			return err
		}
		if err := eraseDrafts(tx, id); err != nil {
			return err
		}
		entry.Time = s.now().UTC()
		if err := recordErasure(tx, id, entry.Time, entry.User); err != nil {
			return err
		}
		return audit(tx, entry)
	})
}

// ActionExport is the audit action of a dossier exported by an admin for
// the person's right to see everything kept about them (AVG).
const ActionExport = "export"

// DossierExport is everything the server keeps about one dossier: the
// dossier as it is now and every op ever made to it. The CLI renders it
// with the laptop export's code (tui.ExportJSON, tui.ExportMarkdown).
type DossierExport struct {
	Client *store.Client `json:"client"`
	Ops    []store.Op    `json:"ops"`
	// At is when the export was recorded in the audit log.
	At time.Time `json:"at"`
	// MethodID and MethodVersion name the method the server read the
	// dossier with.
	MethodID      string `json:"method_id"`
	MethodVersion int    `json:"method_version"`
	// Method is that method, for callers in the same process; it does
	// not cross the admin socket.
	Method *method.Method `json:"-"`
}

// Export reads a dossier (an id, or an unambiguous name) for the person's
// right to see everything kept about them. The export is written to the
// audit log (who, which dossier, when, through which channel; no content)
// before the dossier is read, so no export leaves without its record. An
// erased dossier is refused with store.ErrErased: nothing of it is kept.
func (a *Admin) Export(client string) (DossierExport, error) {
	id := client
	if !store.ValidID(client) {
		var err error
		id, err = a.s.findClient(client)
		if err != nil {
			return DossierExport{}, err
		}
	}
	erased := false
	if err := a.s.db.View(func(tx Tx) error { erased = tx.Erased(id); return nil }); err != nil {
		return DossierExport{}, err
	}
	if erased {
		return DossierExport{}, fmt.Errorf("dossier %s: %w; nothing of it is kept", id, store.ErrErased)
	}
	if _, err := a.s.client(id); err != nil {
		return DossierExport{}, err
	}
	at := a.s.now().UTC()
	err := a.s.db.Update(func(tx Tx) error {
		return audit(tx, AuditEntry{Time: at, Channel: a.Channel, User: a.Actor, Action: ActionExport, Dossier: id})
	})
	if err != nil {
		return DossierExport{}, fmt.Errorf("audit export of %s: %w", id, err)
	}
	cl, err := a.s.client(id)
	if err != nil {
		return DossierExport{}, err
	}
	ops, err := a.s.dossierOps(id)
	if err != nil {
		return DossierExport{}, err
	}
	x := DossierExport{Client: cl, Ops: ops, At: at}
	if m := a.s.method; m != nil {
		x.Method, x.MethodID, x.MethodVersion = m, m.ID, m.Version
	}
	return x, nil
}

// Backup writes a consistent copy of the server's file to path (see
// Server.Backup) and records it in the audit log. Only the server
// machine's own user may: over SSH it is refused, as it writes a file on
// the server.
func (a *Admin) Backup(path string) (int64, error) {
	if a.Channel != ChannelCLI {
		return 0, fmt.Errorf("%w: a backup is made on the server machine itself (brug admin backup FILE there)", ErrForbidden)
	}
	n, err := a.s.Backup(path)
	if err != nil {
		if errors.Is(err, ErrBackupTarget) {
			err = fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		return 0, err
	}
	// The copy does not hold this record: it says a copy was made, and
	// when, in the file that goes on.
	err = a.s.db.Update(func(tx Tx) error {
		what := fmt.Sprintf("%d bytes to %s", n, path)
		if a.s.st != nil && a.s.st.KeyStore() != "" {
			what += ", key store to " + KeyStoreBackup(path)
		}
		return a.record(tx, "backup", "", what)
	})
	return n, err
}

// Audit returns audit entries, oldest first. Dossier may be an id or an
// unambiguous name of a dossier the server still holds.
func (a *Admin) Audit(f AuditFilter) ([]AuditEntry, error) {
	if f.Dossier != "" && !store.ValidID(f.Dossier) {
		id, err := a.s.findClient(f.Dossier)
		if err != nil {
			return nil, err
		}
		f.Dossier = id
	}
	var out []AuditEntry
	err := a.s.db.View(func(tx Tx) error {
		var err error
		out, err = readAudit(tx, f)
		return err
	})
	return out, err
}

// Roles lists the valid roles, for help texts and completion.
func Roles() []string {
	return []string{protocol.RoleCoach, protocol.RoleWijkteam, protocol.RoleCoordinator, protocol.RoleAdmin}
}

// isUserError reports whether err is the caller's mistake (a message to
// show) rather than a failure of the server.
func isUserError(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) || errors.Is(err, ErrInvalid) ||
		errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrAmbiguous)
}
