package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/brug-nl/brug/store"
)

// The admin socket lets `brug admin` work while `brug serve` holds the
// file (bbolt allows one opener): the server listens on a unix socket next
// to its file, FILE.admin.sock, mode 0600, and runs admin commands for
// local callers of the same OS user. One connection carries one
// AdminRequest and its AdminResponse, as JSON.

// Admin commands, the Cmd of an AdminRequest.
const (
	CmdUserAdd      = "user add"
	CmdUserList     = "user list"
	CmdUserDisable  = "user disable"
	CmdTeamAdd      = "team add"
	CmdTeamList     = "team list"
	CmdMemberAdd    = "team member add"
	CmdMemberRemove = "team member remove"
	CmdInvite       = "invite"
	CmdDeviceList   = "device list"
	CmdDeviceRevoke = "device revoke"
	CmdErase        = "erase"
	CmdAudit        = "audit"
	CmdKeyAdd       = "key add"
	CmdKeyList      = "key list"
	CmdKeyRemove    = "key remove"
	CmdBackup       = "backup"
	CmdExport       = "export"
	CmdUserEnable   = "user enable"
	CmdUserRemove   = "user remove"
	CmdUserRename   = "user rename"
	CmdUserRole     = "user role"
	CmdTeamRename   = "team rename"
	CmdTeamRemove   = "team remove"
	CmdCandidates   = "candidates" // the dossiers an erase or export of Client would match
	CmdUserImport   = "user import"
	CmdErasures     = "erasures" // erased dossiers with their holders' receipts (Client: one id, or all)
	CmdRetention    = "retention"
	CmdAuditVerify  = "audit verify" // check the audit log's hash chain (storage.VerifyAudit)
	CmdTeamOrg      = "team org"     // Team's organisation becomes Org
	CmdOrgAdd       = "org add"
	CmdOrgList      = "org list"
	CmdOrgRename    = "org rename"
	CmdOrgRemove    = "org remove"
	CmdContactAdd   = "org contact add"
	CmdContactRm    = "org contact remove"
	CmdOrgImport    = "org import"
)

// AdminRequest is one admin command with its arguments.
type AdminRequest struct {
	Cmd    string    `json:"cmd"`
	Actor  string    `json:"actor"` // who runs it, for the audit log
	Name   string    `json:"name,omitempty"`
	Role   string    `json:"role,omitempty"`
	Teams  []string  `json:"teams,omitempty"`
	Team   string    `json:"team,omitempty"`
	User   string    `json:"user,omitempty"`
	ID     string    `json:"id,omitempty"`
	Client string    `json:"client,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`   // audit: entries before this time
	Action string    `json:"action,omitempty"` // audit: an action, or a word of one (AuditFilter.Action)
	Key    string    `json:"key,omitempty"`    // public keys in authorized_keys form (key add)
	Path   string    `json:"path,omitempty"`   // an absolute path on the server machine (backup)
	To     string    `json:"to,omitempty"`     // the new name (user rename, team rename)
	Wipe   bool      `json:"wipe,omitempty"`   // device revoke: order the device wiped too
	// retention: erase (else list only) the due dossiers named here
	Erase    bool     `json:"erase,omitempty"`
	Dossiers []string `json:"dossiers,omitempty"`
	// user import: the parsed rows of the file and how to import them
	Rows   []ImportRow    `json:"rows,omitempty"`
	Import *ImportOptions `json:"import,omitempty"`
	// organisations (orgs.go): Name, Kind and KvK for org add; Org for
	// team add and team org; Contact for org contact add; OrgRows and
	// Write for org import
	Kind    string            `json:"kind,omitempty"`
	KvK     string            `json:"kvk,omitempty"`
	Org     string            `json:"org,omitempty"`
	Contact *store.OrgContact `json:"contact,omitempty"`
	OrgRows []OrgRow          `json:"org_rows,omitempty"`
	Write   bool              `json:"write,omitempty"`
}

// AdminResponse is the result of an AdminRequest: Error, or the fields its
// command fills.
type AdminResponse struct {
	Error     string         `json:"error,omitempty"`
	UserError bool           `json:"user_error,omitempty"` // Error is the caller's mistake, not a failure
	User      *User          `json:"user,omitempty"`
	Users     []User         `json:"users,omitempty"`
	Team      *Team          `json:"team,omitempty"`
	Teams     []TeamInfo     `json:"teams,omitempty"`
	Devices   []Device       `json:"devices,omitempty"`
	Audit     []AuditEntry   `json:"audit,omitempty"`
	Verify    *AuditReport   `json:"verify,omitempty"` // audit verify
	Code      string         `json:"code,omitempty"`
	URL       string         `json:"url,omitempty"` // the server's public URL, if brug serve was given one (invite)
	Expires   time.Time      `json:"expires,omitzero"`
	Dossier   string         `json:"dossier,omitempty"`
	Keys      []Key          `json:"keys,omitempty"`
	Size      int64          `json:"size,omitempty"`      // bytes written (backup)
	KeyStore  string         `json:"key_store,omitempty"` // where the key store's copy went (backup of an encrypted file)
	Export    *DossierExport `json:"export,omitempty"`
	Dossiers  []DossierInfo  `json:"dossiers,omitempty"` // candidates
	Moved     int            `json:"moved,omitempty"`    // dossiers moved (team rename)
	Import    *ImportResult  `json:"import,omitempty"`   // user import: what it did or would do, or its problems

	// organisations (orgs.go)
	Orgs      []OrgInfo        `json:"orgs,omitempty"` // org list
	OrgImport *OrgImportResult `json:"org_import,omitempty"`

	// erasures, retention (receipts.go, retention.go)
	Erasures  []Erasure        `json:"erasures,omitempty"`
	Retention *RetentionReport `json:"retention,omitempty"`
}

// ErrAdmin wraps an error an admin command reported over the socket.
var ErrAdmin = errors.New("admin command failed")

// Do runs one admin command.
func (a *Admin) Do(req AdminRequest) AdminResponse {
	var resp AdminResponse
	var err error
	switch req.Cmd {
	case CmdUserAdd:
		var u User
		u, err = a.AddUser(req.Name, req.Role, req.Teams)
		resp.User = &u
	case CmdUserList:
		resp.Users, err = a.Users()
	case CmdUserDisable:
		err = a.DisableUser(req.Name)
	case CmdTeamAdd:
		var t Team
		t, err = a.AddTeamOf(req.Name, req.Org)
		resp.Team = &t
	case CmdTeamList:
		resp.Teams, err = a.Teams()
	case CmdMemberAdd:
		err = a.AddMember(req.Team, req.User)
	case CmdMemberRemove:
		err = a.RemoveMember(req.Team, req.User)
	case CmdInvite:
		resp.Code, resp.Expires, err = a.Invite(req.User)
		if err == nil {
			resp.URL, err = a.s.PublicURL()
		}
	case CmdDeviceList:
		resp.Devices, err = a.Devices(req.User)
	case CmdDeviceRevoke:
		if req.Wipe {
			err = a.WipeDevice(req.ID)
		} else {
			err = a.RevokeDevice(req.ID)
		}
	case CmdErase:
		resp.Dossier, err = a.Erase(req.Client)
	case CmdAudit:
		resp.Audit, err = a.Audit(AuditFilter{Dossier: req.Client, User: req.User, Since: req.Since, Until: req.Until, Action: req.Action})
	case CmdAuditVerify:
		var r AuditReport
		r, err = a.VerifyAudit()
		resp.Verify = &r
	case CmdKeyAdd:
		resp.Keys, err = a.AddKeys(req.User, []byte(req.Key))
	case CmdKeyList:
		resp.Keys, err = a.Keys(req.User)
	case CmdKeyRemove:
		err = a.RemoveKey(req.ID)
	case CmdBackup:
		resp.Size, err = a.Backup(req.Path)
		if err == nil && a.s.st.KeyStore() != "" {
			resp.KeyStore = KeyStoreBackup(req.Path)
		}
	case CmdExport:
		var x DossierExport
		x, err = a.Export(req.Client)
		resp.Export = &x
	case CmdUserEnable, CmdUserRemove, CmdUserRename, CmdUserRole, CmdTeamRename, CmdTeamRemove, CmdCandidates:
		resp, err = a.doAccounts(req)
	case CmdErasures:
		resp.Erasures, err = a.Erasures(req.Client)
	case CmdRetention:
		var rep RetentionReport
		rep, err = a.Retention(req.Erase, req.Dossiers)
		resp.Retention = &rep
	case CmdUserImport:
		var opt ImportOptions
		if req.Import != nil {
			opt = *req.Import
		}
		if opt.Invite {
			// Read before the import, which must not fail after it wrote.
			if resp.URL, err = a.s.PublicURL(); err != nil {
				break
			}
		}
		var res ImportResult
		if res, err = a.ImportUsers(req.Rows, opt); err != nil {
			// The problems by line go back with the refusal.
			return AdminResponse{Error: err.Error(), UserError: isUserError(err), Import: &res}
		}
		resp.Import = &res
	case CmdTeamOrg, CmdOrgAdd, CmdOrgList, CmdOrgRename, CmdOrgRemove, CmdContactAdd, CmdContactRm, CmdOrgImport:
		resp, err = a.doOrgs(req)
		if err != nil && resp.OrgImport != nil {
			return AdminResponse{Error: err.Error(), UserError: isUserError(err), OrgImport: resp.OrgImport}
		}
	default:
		err = fmt.Errorf("%w admin command %q", ErrInvalid, req.Cmd)
	}
	// Any command may change the register (a team renamed or removed);
	// the next device to ask reads it again.
	a.s.register.drop()
	if err != nil {
		return AdminResponse{Error: err.Error(), UserError: isUserError(err)}
	}
	return resp
}

// AdminSocketPath is where the server listens for admin commands when its
// file is dbPath.
func AdminSocketPath(dbPath string) string { return dbPath + ".admin.sock" }

// ServeAdmin listens on the admin socket of the server's file and runs
// admin commands until ctx ends; then it removes the socket. Callers must
// be the server's own OS user (mode 0600, and on Linux the peer's uid is
// checked too). Commands are audited with ChannelCLI and the caller's
// Actor.
func (s *Server) ServeAdmin(ctx context.Context) error {
	if _, err := s.opStore(); err != nil {
		return err
	}
	path := AdminSocketPath(s.st.Path())
	// The server holds the file's lock, so a socket left here is stale.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("admin socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("admin socket %s: %w", path, err)
	}
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer func() {
		stop()
		ln.Close()
		wg.Wait()
		_ = os.Remove(path)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("admin socket %s: %w", path, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveAdminConn(conn)
		}()
	}
}

func (s *Server) serveAdminConn(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Minute))
	if err := checkPeer(conn); err != nil {
		s.log.Warn("admin socket: caller refused", "err", err)
		_ = json.NewEncoder(conn).Encode(AdminResponse{Error: err.Error()})
		return
	}
	var req AdminRequest
	dec := json.NewDecoder(io.LimitReader(conn, 16<<20)) // a user import carries its rows
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		_ = json.NewEncoder(conn).Encode(AdminResponse{Error: "bad admin request: " + err.Error(), UserError: true})
		return
	}
	if req.Actor == "" {
		req.Actor = "unknown"
	}
	s.log.Info("admin command", "cmd", req.Cmd, "actor", req.Actor, "channel", ChannelCLI)
	_ = json.NewEncoder(conn).Encode(s.Admin(req.Actor, ChannelCLI).Do(req))
}

// DialAdmin sends one admin command to the server running on dbPath. A
// command that failed on the server comes back as an error wrapping
// ErrAdmin (and ErrInvalid for the caller's mistakes).
func DialAdmin(ctx context.Context, dbPath string, req AdminRequest) (AdminResponse, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", AdminSocketPath(dbPath))
	if err != nil {
		return AdminResponse{}, fmt.Errorf("reach the running server through %s: %w", AdminSocketPath(dbPath), err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return AdminResponse{}, fmt.Errorf("send admin command: %w", err)
	}
	var resp AdminResponse
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return AdminResponse{}, fmt.Errorf("read admin answer: %w", err)
	}
	if resp.Error != "" {
		if resp.UserError {
			return resp, fmt.Errorf("%w: %w: %s", ErrAdmin, ErrInvalid, resp.Error)
		}
		return resp, fmt.Errorf("%w: %s", ErrAdmin, resp.Error)
	}
	return resp, nil
}
