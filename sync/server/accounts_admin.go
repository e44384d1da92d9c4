package server

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The account commands for a region's lifetime: enable, remove, rename and
// re-role users; rename and remove teams (docs/sync.md, "Accounts").

// EnableUser lifts DisableUser: the user's devices that were not revoked
// sync again, and new codes can be made for them.
func (a *Admin) EnableUser(name string) error {
	return a.s.db.Update(func(tx Tx) error {
		u, err := getUser(tx, name)
		if err != nil {
			return err
		}
		u.Disabled = false
		if err := putUser(tx, u); err != nil {
			return err
		}
		return a.record(tx, "user enable", "", "user "+name)
	})
}

// activeAdmins counts the enabled admins other than skip.
func activeAdmins(tx Tx, skip string) (int, error) {
	us, err := listUsers(tx)
	n := 0
	for _, u := range us {
		if u.Name != skip && u.Role == protocol.RoleAdmin && !u.Disabled {
			n++
		}
	}
	return n, err
}

// lastAdmin refuses a change that leaves no enabled admin: nobody could
// then manage the accounts over SSH.
func lastAdmin(tx Tx, u User) error {
	if u.Role != protocol.RoleAdmin || u.Disabled {
		return nil
	}
	n, err := activeAdmins(tx, u.Name)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s is the last enabled admin; make another user admin first", ErrInvalid, u.Name)
	}
	return nil
}

// SetRole changes a user's role. Their devices sync with the new role
// from their next request on. The last enabled admin keeps the role.
func (a *Admin) SetRole(name, role string) error {
	if !validRole(role) {
		return fmt.Errorf("%w role %q: use coach, wijkteam, coordinator or admin", ErrInvalid, role)
	}
	return a.s.db.Update(func(tx Tx) error {
		u, err := getUser(tx, name)
		if err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if err := lastAdmin(tx, u); err != nil {
			return err
		}
		old := u.Role
		u.Role = role
		if err := putUser(tx, u); err != nil {
			return err
		}
		a.s.views.bump() // what a user sees depends on the role (mayRead)
		return a.record(tx, "user role", "", fmt.Sprintf("user %s role %s -> %s", name, old, role))
	})
}

// RemoveUser deletes an account: its devices are revoked (they are told
// so on their next request), its SSH keys, team memberships and unused
// enrolment codes are deleted. Its ops stay, authored by its name; the
// devices stay listed, revoked, as a record. The last enabled admin
// cannot be removed.
func (a *Admin) RemoveUser(name string) error {
	return a.s.db.Update(func(tx Tx) error {
		u, err := getUser(tx, name)
		if err != nil {
			return err
		}
		if err := lastAdmin(tx, u); err != nil {
			return err
		}
		revoked, err := a.revokeAll(tx, name)
		if err != nil {
			return err
		}
		keys, err := a.moveKeys(tx, name, "")
		if err != nil {
			return err
		}
		// A code made for this name must not enrol a later user who
		// happens to be given the same name.
		if _, err := moveCodes(tx, name, ""); err != nil {
			return err
		}
		for _, t := range u.Teams {
			if err := tx.RemoveMember(t, name); err != nil {
				return err
			}
		}
		if err := tx.DeleteUser(name); err != nil {
			return err
		}
		a.s.views.bump()
		return a.record(tx, "user remove", "", fmt.Sprintf("user %s role %s teams %s; %d devices revoked, %d keys removed",
			name, u.Role, strings.Join(u.Teams, ", "), revoked, keys))
	})
}

// RenameUser renames an account; role, teams, SSH keys and unused codes
// go with it. A user's ops carry the name they were made under, and a
// device pushes only ops authored by its user's name: a device enrolled
// under the old name may still hold unsent ops authored by it, which the
// new name could not push (nor may the new name write as the old). So the
// rename is refused while the user has a device that is not revoked: let
// them sync, revoke their devices, rename, and invite them again. Ops
// made before stay authored by the old name.
func (a *Admin) RenameUser(old, name string) error {
	if err := checkUserName(name); err != nil {
		return err
	}
	return a.s.db.Update(func(tx Tx) error {
		u, err := getUser(tx, old)
		if err != nil {
			return err
		}
		if tx.HasUser(name) {
			return fmt.Errorf("user %q: %w", name, ErrExists)
		}
		ds, err := listDevices(tx, old)
		if err != nil {
			return err
		}
		if n := countActive(ds); n > 0 {
			return fmt.Errorf("%w: %s has %d device(s) not revoked, which may hold unsent changes under the name %s; let them sync, revoke them (brug admin device revoke), then rename and invite again", ErrInvalid, old, n, old)
		}
		if _, err := a.moveKeys(tx, old, name); err != nil {
			return err
		}
		if _, err := moveCodes(tx, old, name); err != nil {
			return err
		}
		for _, t := range u.Teams {
			if err := tx.RemoveMember(t, old); err != nil {
				return err
			}
			if err := tx.AddMember(t, name); err != nil {
				return err
			}
		}
		if err := tx.DeleteUser(old); err != nil {
			return err
		}
		u.Name = name
		if err := putUser(tx, u); err != nil {
			return err
		}
		a.s.views.bump()
		return a.record(tx, "user rename", "", fmt.Sprintf("user %s -> %s", old, name))
	})
}

func countActive(ds []Device) int {
	n := 0
	for _, d := range ds {
		if d.Revoked.IsZero() {
			n++
		}
	}
	return n
}

// revokeAll revokes every device of a user; it returns how many it
// revoked now.
func (a *Admin) revokeAll(tx Tx, user string) (int, error) {
	ds, err := listDevices(tx, user)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if !d.Revoked.IsZero() {
			continue
		}
		d.Revoked = a.s.now().UTC()
		if err := tx.PutDevice(d); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// moveKeys gives a user's SSH keys to another name, or deletes them when
// to is "". It returns how many it moved.
func (a *Admin) moveKeys(tx Tx, from, to string) (int, error) {
	var ks []Key
	err := tx.EachKey(func(k Key) error {
		if k.User == from {
			ks = append(ks, k)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i, k := range ks {
		if to == "" {
			err = tx.DeleteKey(k.Fingerprint)
		} else {
			k.User = to
			err = tx.PutKey(k)
		}
		if err != nil {
			return i, err
		}
	}
	return len(ks), nil
}

// moveCodes gives a user's unused enrolment codes to another name, or
// deletes them when to is "".
func moveCodes(tx Tx, from, to string) (int, error) {
	var keys [][]byte
	var cs []enrolCode
	err := tx.EachCode(func(k []byte, c enrolCode) error {
		if c.User == from && c.Used.IsZero() {
			keys, cs = append(keys, bytes.Clone(k)), append(cs, c)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i, k := range keys {
		if to == "" {
			err = tx.DeleteCode(k)
		} else {
			cs[i].User = to
			err = tx.PutCode(k, cs[i])
		}
		if err != nil {
			return i, err
		}
	}
	return len(keys), nil
}

// teamDossiers returns the ids of the dossiers that belong to a team.
func teamDossiers(tx Tx, team string) []string {
	var out []string
	_ = tx.TeamDossiers(team, func(dk string) error {
		out = append(out, idString([]byte(dk)))
		return nil
	})
	return out
}

// RemoveTeam deletes a team that has no members and no dossiers.
func (a *Admin) RemoveTeam(name string) error {
	return a.s.db.Update(func(tx Tx) error {
		if !teamExists(tx, name) {
			return fmt.Errorf("team %q: %w", name, ErrNotFound)
		}
		if m := teamMembers(tx, name); len(m) > 0 {
			return fmt.Errorf("%w: team %s still has %d member(s) (%s); remove them first", ErrInvalid, name, len(m), strings.Join(m, ", "))
		}
		if ds := teamDossiers(tx, name); len(ds) > 0 {
			return fmt.Errorf("%w: team %s still has %d dossier(s); move them to another team first", ErrInvalid, name, len(ds))
		}
		if err := tx.DeleteTeam(name); err != nil {
			return err
		}
		return a.record(tx, "team remove", "", "team "+name)
	})
}

// renamingTeam is a team as stored, with the mark of a rename under way
// (storage.TeamRecord).
type renamingTeam = storage.TeamRecord

// maxRenameRounds bounds how often RenameTeam moves dossiers that devices
// created in the old team while it was moving the others.
const maxRenameRounds = 5

// RenameTeam renames a team. Dossiers name their team in their `team`
// field, so the rename is a change of that field in every dossier of the
// team, made by the server (author "server") through the same write path
// as an SSH session's changes: numbered, indexed and audited, and sent to
// the team's devices on their next sync like any change. In steps:
//  1. the new team is made, with the old team's members (both teams have
//     them now, so no device loses a dossier in between);
//  2. every dossier of the old team gets team = NEW;
//  3. the old team, empty now, is deleted with its memberships.
//
// Cut off between steps, running the same rename again finishes it.
// A dossier a device creates in the old team after step 3 is refused (the
// team no longer exists); its coach chooses the new team.
func (a *Admin) RenameTeam(old, name string) (moved int, err error) {
	if err := checkTeamName(name); err != nil {
		return 0, err
	}
	err = a.s.db.Update(func(tx Tx) error {
		if !teamExists(tx, old) {
			return fmt.Errorf("team %q: %w", old, ErrNotFound)
		}
		if teamExists(tx, name) {
			t, _, err := tx.Team(name)
			if err != nil {
				return err
			}
			if t.RenamedFrom != old {
				return fmt.Errorf("team %q: %w", name, ErrExists)
			}
			// A rename cut off earlier: go on with it.
		} else {
			t, _, err := tx.Team(old)
			if err != nil {
				return err
			}
			if err := tx.PutTeam(renamingTeam{Team: Team{Name: name, Created: t.Created, Org: t.Org}, RenamedFrom: old}); err != nil {
				return err
			}
		}
		for _, m := range teamMembers(tx, old) {
			if err := tx.AddMember(name, m); err != nil {
				return err
			}
		}
		return a.record(tx, "team rename start", "", fmt.Sprintf("team %s -> %s", old, name))
	})
	if err != nil {
		return 0, err
	}
	// The dossiers move by ops: the op-log store's, or the storage's
	// (opview.go), with the same hook.
	commit := func(id string, changes ...store.Change) ([]store.Op, error) {
		return a.s.commit(ServerAuthor, a.teamHook, id, changes...)
	}
	if st, err := a.s.opStore(); err == nil {
		commit = st.WithCommitHook(a.s.commitHook(a.teamHook)).Commit
	}
	for range maxRenameRounds {
		var ids []string
		if err := a.s.db.View(func(tx Tx) error { ids = teamDossiers(tx, old); return nil }); err != nil {
			return moved, err
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			ops, err := commit(id, store.Set("team", name))
			if err != nil {
				return moved, fmt.Errorf("move dossier %s to team %s: %w", id, name, err)
			}
			if len(ops) > 0 {
				moved++
			}
		}
	}
	// Shares name their team too: every share with the old team follows
	// it, or its members would lose the dossiers shared with them.
	var shared []string
	if err := a.s.db.View(func(tx Tx) error {
		return tx.TeamShared(old, func(dk string) error { shared = append(shared, idString([]byte(dk))); return nil })
	}); err != nil {
		return moved, err
	}
	for _, id := range shared {
		var changes []store.Change
		if err := a.s.db.View(func(tx Tx) error {
			shares, err := shareTerms(tx, id)
			for _, sh := range shares {
				if sh.Team == old {
					changes = append(changes, store.Set(store.ShareField(sh.ID, "team"), name))
				}
			}
			return err
		}); err != nil {
			return moved, err
		}
		if len(changes) == 0 {
			continue
		}
		if _, err := commit(id, changes...); err != nil {
			return moved, fmt.Errorf("share of dossier %s with team %s: %w", id, name, err)
		}
	}
	err = a.s.db.Update(func(tx Tx) error {
		if left := teamDossiers(tx, old); len(left) > 0 {
			return fmt.Errorf("%w: team %s still has %d dossier(s) after moving; run the rename again", ErrInvalid, old, len(left))
		}
		for _, m := range teamMembers(tx, old) {
			if err := tx.RemoveMember(old, m); err != nil {
				return err
			}
		}
		if err := tx.DeleteTeam(old); err != nil {
			return err
		}
		t, _, err := tx.Team(name)
		if err != nil {
			return err
		}
		if err := tx.PutTeam(renamingTeam{Team: t.Team}); err != nil {
			return err
		}
		a.s.views.bump()
		return a.record(tx, "team rename", "", fmt.Sprintf("team %s -> %s; %d dossiers moved", old, name, moved))
	})
	return moved, err
}

// teamHook numbers, indexes and audits the server's own team ops of a
// team rename, as Session.hook does for an SSH session's changes.
func (a *Admin) teamHook(tx Tx, ops []store.Op) error {
	a.s.recent.invalidate() // these numbers bypass the index of recent ops (recent.go)
	for _, op := range ops {
		share := isShareField(op.Field) && strings.HasSuffix(op.Field, "/team")
		if op.Field != "team" && !share {
			return fmt.Errorf("%w: a team rename writes only team fields", ErrInvalid)
		}
		if _, err := assignSeq(tx, op); err != nil {
			return err
		}
		reindex := a.s.reindexTeam
		if share {
			reindex = a.s.reindexShares
		}
		if err := reindex(tx, op.Dossier); err != nil {
			return err
		}
	}
	var order []string
	for _, op := range ops {
		if !slices.Contains(order, op.Dossier) {
			order = append(order, op.Dossier)
		}
	}
	for _, d := range order {
		if err := audit(tx, AuditEntry{Time: a.s.now().UTC(), Channel: a.Channel, User: a.Actor,
			Action: ActionChange, Dossier: d, Detail: "team or share team (team rename)"}); err != nil {
			return err
		}
	}
	return nil
}

// DossierInfo is what `brug admin erase` shows of a dossier before it
// erases it: enough for the admin to see it is the right person.
type DossierInfo struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Team      string `json:"team,omitempty"`
	BirthYear string `json:"birth_year,omitempty"`
}

// maxCandidates bounds the dossiers Candidates lists for a vague name.
const maxCandidates = 20

// Candidates returns the dossiers client (an id, or a name or part of
// one, as Erase and Export take it) matches: the exact matches of the
// name if there are any, else the partial ones, at most maxCandidates.
// One result is the dossier Erase would erase. It reads no more than the
// list of dossiers does; it is not written to the audit log.
func (a *Admin) Candidates(client string) ([]DossierInfo, error) {
	var ids []string
	if store.ValidID(client) {
		ids = []string{client}
	} else {
		all, err := a.s.summaries()
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(client) != "" {
			matches, _ := store.MatchClients(all, client)
			for _, sm := range matches {
				ids = append(ids, sm.ID)
			}
		}
	}
	var out []DossierInfo
	for _, id := range ids {
		if len(out) == maxCandidates {
			break
		}
		c, err := a.s.client(id)
		if err != nil {
			if len(ids) == 1 {
				return nil, err
			}
			continue
		}
		out = append(out, DossierInfo{ID: id, Name: c.Name.Value, Team: c.Team.Value, BirthYear: c.BirthYear.Value})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("client %q: %w", client, store.ErrNotFound)
	}
	return out, nil
}

// revokeReplica revokes the devices whose ops carry replica id (a laptop
// enrolled twice has two); it returns their enrolment ids.
func (a *Admin) revokeReplica(tx Tx, replica string, wipe bool) ([]string, error) {
	ds, err := listDevices(tx, "")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range ds {
		if d.Replica != replica {
			continue
		}
		ids = append(ids, d.ID)
		a.markRevoked(&d, wipe)
		if err := tx.PutDevice(d); err != nil {
			return nil, err
		}
		if err := a.record(tx, revokeAction(wipe), "", fmt.Sprintf("device %s (replica %s) of %s", d.ID, replica, d.User)); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// doAccounts runs the account commands of this file for Do.
func (a *Admin) doAccounts(req AdminRequest) (AdminResponse, error) {
	var resp AdminResponse
	var err error
	switch req.Cmd {
	case CmdUserEnable:
		err = a.EnableUser(req.Name)
	case CmdUserRemove:
		err = a.RemoveUser(req.Name)
	case CmdUserRename:
		err = a.RenameUser(req.Name, req.To)
	case CmdUserRole:
		err = a.SetRole(req.Name, req.Role)
	case CmdTeamRename:
		resp.Moved, err = a.RenameTeam(req.Name, req.To)
	case CmdTeamRemove:
		err = a.RemoveTeam(req.Name)
	case CmdCandidates:
		resp.Dossiers, err = a.Candidates(req.Client)
	}
	return resp, err
}
