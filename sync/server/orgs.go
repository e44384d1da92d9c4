package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The region's register (issue 11): organisations, their teams and their
// business contacts. Admins keep it (brug admin org ...); every device
// of the region receives it (GET /v1/register). It holds no client data.

// Org is an organisation as stored (storage.Org).
type Org = storage.Org

// OrgInfo is an organisation with its teams, for listing and showing.
type OrgInfo struct {
	Org
}

// registerCache keeps the register devices receive, built once after each
// change: a region of a thousand employers is read from storage at most
// once per admin change, not once per sync.
type registerCache struct {
	mu sync.Mutex
	r  *store.Register
	n  uint64 // the storage's count of changes r was read at (processes.go)
}

// drop forgets the register; called after a change committed, so that
// no reader can keep what it read before.
func (c *registerCache) drop() {
	c.mu.Lock()
	c.r = nil
	c.mu.Unlock()
}

// Register is the region's register as devices receive it.
func (s *Server) Register() (store.Register, error) {
	if s.processes.shared.Load() {
		var r store.Register
		err := s.db.View(func(tx Tx) error {
			var err error
			r, err = s.sharedRegister(tx)
			return err
		})
		return r, err
	}
	s.register.mu.Lock()
	defer s.register.mu.Unlock()
	if s.register.r != nil {
		return *s.register.r, nil
	}
	var r store.Register
	err := s.db.View(func(tx Tx) error {
		var err error
		r, err = buildRegister(tx)
		return err
	})
	if err != nil {
		return r, err
	}
	s.register.r = &r
	return r, nil
}

// sharedRegister is the register in tx, on a storage several processes
// share, where another one may have changed it: the count of changes
// says whether it may have, in the snapshot the register is read from
// (on PostgreSQL read with the token that authenticated the request: no
// round trip of its own). The cache keeps a register with the count it
// was read at, and is not locked while tx reads: a register read from an
// older snapshot that lands after a newer one is read again by the next
// request, whose count is not the one it was kept with.
func (s *Server) sharedRegister(tx Tx) (store.Register, error) {
	n, _ := tx.Changes()
	s.register.mu.Lock()
	r, kept := s.register.r, s.register.n
	s.register.mu.Unlock()
	if r != nil && kept == n {
		return *r, nil
	}
	built, err := buildRegister(tx)
	if err != nil {
		return built, err
	}
	s.register.mu.Lock()
	s.register.r, s.register.n = &built, n
	s.register.mu.Unlock()
	return built, nil
}

// buildRegister reads every organisation with its teams.
func buildRegister(tx Tx) (store.Register, error) {
	orgs, err := listOrgs(tx)
	if err != nil {
		return store.Register{}, err
	}
	out := make([]store.Org, len(orgs))
	for i, o := range orgs {
		out[i] = o.Org.Org
	}
	return store.NewRegister(out), nil
}

// listOrgs reads every organisation, by name, with its teams.
func listOrgs(tx Tx) ([]OrgInfo, error) {
	var out []OrgInfo
	byName := map[string]int{}
	err := tx.EachOrg(func(o Org) error {
		byName[o.Name] = len(out)
		out = append(out, OrgInfo{Org: o})
		return nil
	})
	if err != nil {
		return nil, err
	}
	teams, err := tx.Teams()
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if i, ok := byName[t.Org]; ok && t.RenamedFrom == "" {
			out[i].Teams = append(out[i].Teams, t.Name)
		}
	}
	for i := range out {
		slices.Sort(out[i].Teams)
	}
	return out, nil
}

// sameOrg finds an organisation whose folded name or KvK number is those
// of o (other than the one named skip): two entries for one organisation
// split its placements.
func sameOrg(tx Tx, o store.Org, skip string) (string, error) {
	var found string
	fold := store.FoldName(o.Name)
	err := tx.EachOrg(func(x Org) error {
		if x.Name == skip || found != "" {
			return nil
		}
		if store.FoldName(x.Name) == fold {
			found = fmt.Sprintf("organisation %q has that name", x.Name)
		} else if o.KvK != "" && x.KvK == o.KvK {
			found = fmt.Sprintf("organisation %q has KvK number %s", x.Name, o.KvK)
		}
		return nil
	})
	return found, err
}

func invalid(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %v", ErrInvalid, err)
}

// AddOrg adds an organisation to the register: name, kind (store.OrgKinds)
// and an optional KvK number. A name that folds to another's, or a KvK
// number another has, is refused.
func (a *Admin) AddOrg(o store.Org) (Org, error) {
	defer a.s.register.drop() // after the commit
	o.Teams = nil
	if err := store.CheckOrg(o); err != nil {
		return Org{}, invalid(err)
	}
	rec := Org{Org: o, Created: a.s.now().UTC()}
	err := a.s.db.Update(func(tx Tx) error {
		if dup, err := sameOrg(tx, o, ""); err != nil || dup != "" {
			if err == nil {
				err = fmt.Errorf("%w: %s", ErrExists, dup)
			}
			return err
		}
		if err := tx.PutOrg(rec); err != nil {
			return err
		}
		return a.record(tx, "org add", "", fmt.Sprintf("org %s kind %s", o.Name, o.Kind))
	})
	return rec, err
}

// Orgs lists the register: every organisation with its teams.
func (a *Admin) Orgs() ([]OrgInfo, error) {
	var out []OrgInfo
	err := a.s.db.View(func(tx Tx) error {
		var err error
		out, err = listOrgs(tx)
		return err
	})
	return out, err
}

// getOrg reads an organisation or says it is not there.
func getOrg(tx Tx, name string) (Org, error) {
	o, ok, err := tx.Org(name)
	if err != nil {
		return o, err
	}
	if !ok {
		return o, fmt.Errorf("organisation %q: %w", name, ErrNotFound)
	}
	return o, nil
}

// RenameOrg renames an organisation; its teams follow (Team.Org).
func (a *Admin) RenameOrg(old, name string) error {
	defer a.s.register.drop() // after the commit
	if err := store.CheckOrgName(name); err != nil {
		return invalid(err)
	}
	return a.s.db.Update(func(tx Tx) error {
		o, err := getOrg(tx, old)
		if err != nil {
			return err
		}
		if _, ok, _ := tx.Org(name); ok && name != old {
			return fmt.Errorf("organisation %q: %w", name, ErrExists)
		}
		renamed := o.Org
		renamed.Name = name
		if dup, err := sameOrg(tx, renamed, old); err != nil || dup != "" {
			if err == nil {
				err = fmt.Errorf("%w: %s", ErrExists, dup)
			}
			return err
		}
		o.Name = name
		if err := tx.DeleteOrg(old); err != nil {
			return err
		}
		if err := tx.PutOrg(o); err != nil {
			return err
		}
		teams, err := tx.Teams()
		if err != nil {
			return err
		}
		for _, t := range teams {
			if t.Org == old {
				t.Org = name
				if err := tx.PutTeam(t); err != nil {
					return err
				}
			}
		}
		return a.record(tx, "org rename", "", fmt.Sprintf("org %s -> %s", old, name))
	})
}

// RemoveOrg removes an organisation no team belongs to. Moves that name
// it as their employer keep the name they recorded.
func (a *Admin) RemoveOrg(name string) error {
	defer a.s.register.drop() // after the commit
	return a.s.db.Update(func(tx Tx) error {
		if _, err := getOrg(tx, name); err != nil {
			return err
		}
		teams, err := tx.Teams()
		if err != nil {
			return err
		}
		var of []string
		for _, t := range teams {
			if t.Org == name {
				of = append(of, t.Name)
			}
		}
		if len(of) > 0 {
			return fmt.Errorf("%w: organisation %s still has team(s) %s; give them another organisation first (brug admin team org)", ErrInvalid, name, strings.Join(of, ", "))
		}
		if err := tx.DeleteOrg(name); err != nil {
			return err
		}
		return a.record(tx, "org remove", "", "org "+name)
	})
}

// AddContact adds a business contact to an organisation, or replaces the
// one of the same name.
func (a *Admin) AddContact(org string, c store.OrgContact) error {
	defer a.s.register.drop() // after the commit
	if err := store.CheckContact(c); err != nil {
		return invalid(err)
	}
	return a.s.db.Update(func(tx Tx) error {
		o, err := getOrg(tx, org)
		if err != nil {
			return err
		}
		o.Contacts = slices.DeleteFunc(o.Contacts, func(x store.OrgContact) bool { return x.Name == c.Name })
		o.Contacts = append(o.Contacts, c)
		slices.SortFunc(o.Contacts, func(x, y store.OrgContact) int { return strings.Compare(x.Name, y.Name) })
		if err := tx.PutOrg(o); err != nil {
			return err
		}
		// The contact's name only: phone and e-mail stay out of the log.
		return a.record(tx, "org contact add", "", fmt.Sprintf("org %s contact %s", org, c.Name))
	})
}

// RemoveContact removes a business contact by name.
func (a *Admin) RemoveContact(org, name string) error {
	defer a.s.register.drop() // after the commit
	return a.s.db.Update(func(tx Tx) error {
		o, err := getOrg(tx, org)
		if err != nil {
			return err
		}
		n := len(o.Contacts)
		o.Contacts = slices.DeleteFunc(o.Contacts, func(x store.OrgContact) bool { return x.Name == name })
		if len(o.Contacts) == n {
			return fmt.Errorf("contact %q of organisation %q: %w", name, org, ErrNotFound)
		}
		if err := tx.PutOrg(o); err != nil {
			return err
		}
		return a.record(tx, "org contact remove", "", fmt.Sprintf("org %s contact %s", org, name))
	})
}

// SetTeamOrg gives a team its organisation ("" for none).
func (a *Admin) SetTeamOrg(team, org string) error {
	defer a.s.register.drop() // after the commit
	return a.s.db.Update(func(tx Tx) error {
		t, ok, err := tx.Team(team)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("team %q: %w", team, ErrNotFound)
		}
		if org != "" {
			if _, err := getOrg(tx, org); err != nil {
				return err
			}
		}
		t.Org = org
		if err := tx.PutTeam(t); err != nil {
			return err
		}
		return a.record(tx, "team org", "", fmt.Sprintf("team %s org %s", team, org))
	})
}

// handleRegister answers GET /v1/register: the register for any enrolled
// device, with its version as ETag; a device that sends the version it
// holds (If-None-Match) gets 304 and no body.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="brug"`)
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "no device token; send Authorization: Bearer TOKEN (enrol with `brug login`)")
		return
	}
	// On a shared storage the register is checked in the View that
	// authenticates (one round trip on PostgreSQL, not two).
	var reg store.Register
	var err error
	read := false
	if !s.authenticateView(w, r, token, func(tx Tx, _ Device, _ User) error {
		if s.processes.shared.Load() {
			read = true
			reg, err = s.sharedRegister(tx)
		}
		return nil
	}) {
		return
	}
	if !read {
		reg, err = s.Register()
	}
	if err != nil {
		s.log.Error("register", "err", err)
		writeError(w, http.StatusInternalServerError, CodeInternal, "the register could not be read; try again later")
		return
	}
	etag := `"` + reg.Version + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeJSON(w, r, reg)
}

// OrgRow is one organisation of an import file (brug admin org import),
// from line Line.
type OrgRow struct {
	Line int       `json:"line"`
	Org  store.Org `json:"org"`
}

// OrgProblem is what is wrong with a row of an import: on line Line, in
// column Column ("naam", "kvk"), Code (exists: the register has it;
// twice: an earlier line has it; invalid), about Value (the other line's
// number or organisation's name).
type OrgProblem struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Code   string `json:"code"`
	Value  string `json:"value,omitempty"`
}

// OrgImportResult is what an import added, or would add, or its problems.
type OrgImportResult struct {
	Added    []string     `json:"added,omitempty"`
	Problems []OrgProblem `json:"problems,omitempty"`
	Written  bool         `json:"written,omitempty"`
}

// ImportOrgs adds the organisations of an import file in one transaction,
// or none: every row is checked against the register and the rows before
// it (folded name, KvK number), and with any problem nothing is written.
// Without write it only says what it would do.
func (a *Admin) ImportOrgs(rows []OrgRow, write bool) (OrgImportResult, error) {
	defer a.s.register.drop() // after the commit
	var res OrgImportResult
	err := a.s.db.Update(func(tx Tx) error {
		names, kvks := map[string]string{}, map[string]string{}
		if err := tx.EachOrg(func(o Org) error {
			names[store.FoldName(o.Name)] = o.Name
			if o.KvK != "" {
				kvks[o.KvK] = o.Name
			}
			return nil
		}); err != nil {
			return err
		}
		lineNames, lineKvK := map[string]int{}, map[string]int{}
		for _, r := range rows {
			o := r.Org
			o.Teams = nil
			if err := store.CheckOrg(o); err != nil {
				res.Problems = append(res.Problems, OrgProblem{Line: r.Line, Code: "invalid", Value: err.Error()})
				continue
			}
			f := store.FoldName(o.Name)
			switch {
			case names[f] != "":
				res.Problems = append(res.Problems, OrgProblem{Line: r.Line, Column: "naam", Code: "exists", Value: names[f]})
			case lineNames[f] != 0:
				res.Problems = append(res.Problems, OrgProblem{Line: r.Line, Column: "naam", Code: "twice", Value: fmt.Sprint(lineNames[f])})
			}
			if o.KvK != "" {
				switch {
				case kvks[o.KvK] != "":
					res.Problems = append(res.Problems, OrgProblem{Line: r.Line, Column: "kvk", Code: "exists", Value: kvks[o.KvK]})
				case lineKvK[o.KvK] != 0:
					res.Problems = append(res.Problems, OrgProblem{Line: r.Line, Column: "kvk", Code: "twice", Value: fmt.Sprint(lineKvK[o.KvK])})
				}
				if lineKvK[o.KvK] == 0 {
					lineKvK[o.KvK] = r.Line
				}
			}
			if lineNames[f] == 0 {
				lineNames[f] = r.Line
			}
			res.Added = append(res.Added, o.Name)
		}
		if len(res.Problems) > 0 {
			res.Added = nil
			return fmt.Errorf("%w: %d problem(s) in the import; nothing was imported", ErrInvalid, len(res.Problems))
		}
		if !write {
			return nil
		}
		now := a.s.now().UTC()
		for _, r := range rows {
			o := r.Org
			o.Teams = nil
			if err := tx.PutOrg(Org{Org: o, Created: now}); err != nil {
				return err
			}
		}
		res.Written = true
		return a.record(tx, "org import", "", fmt.Sprintf("%d organisation(s)", len(rows)))
	})
	return res, err
}

// doOrgs runs the organisation commands of Do.
func (a *Admin) doOrgs(req AdminRequest) (AdminResponse, error) {
	var resp AdminResponse
	var err error
	switch req.Cmd {
	case CmdTeamOrg:
		err = a.SetTeamOrg(req.Team, req.Org)
	case CmdOrgAdd:
		_, err = a.AddOrg(store.Org{Name: req.Name, Kind: req.Kind, KvK: req.KvK})
	case CmdOrgList:
		resp.Orgs, err = a.Orgs()
	case CmdOrgRename:
		err = a.RenameOrg(req.Name, req.To)
	case CmdOrgRemove:
		err = a.RemoveOrg(req.Name)
	case CmdContactAdd:
		if req.Contact == nil {
			return resp, fmt.Errorf("%w: no contact", ErrInvalid)
		}
		err = a.AddContact(req.Org, *req.Contact)
	case CmdContactRm:
		err = a.RemoveContact(req.Org, req.Name)
	case CmdOrgImport:
		var res OrgImportResult
		res, err = a.ImportOrgs(req.OrgRows, req.Write)
		resp.OrgImport = &res
	}
	return resp, err
}

// Register is the region's register for an SSH session's app: the same
// every device receives (it holds no client data).
func (s *Session) Register() (store.Register, error) { return s.s.Register() }

// RecordMoveEmployer records a move naming its employer from an SSH
// session's app, with the session's checks (as RecordMove).
func (ss *Session) RecordMoveEmployer(dossier string, to []store.Place, date, reason, employer string) (string, error) {
	if err := ss.checkRead(dossier); err != nil { // the move reads the dossier first
		return "", err
	}
	if ss.st == nil {
		id, err := ss.recordMove(dossier, to, date, reason, employer)
		return id, ss.failed(err)
	}
	id, err := ss.st.RecordMoveEmployer(dossier, to, date, reason, employer)
	return id, ss.failed(err)
}

// Placements is the employer view of an SSH session's app: per employer
// the people of the user's teams placed there now and before. The
// session's checks: only readers, only their own teams, audited as a
// read. Attack: without the intersection a coordinator's app (or a
// crafted session) could ask for another team and read the names of
// people placed with an employer.
func (ss *Session) Placements(teams []string) ([]store.EmployerPlacements, error) {
	u, err := ss.User()
	if err != nil {
		return nil, err
	}
	if u.Disabled || !mayRead(u.Role) {
		return nil, &NotYoursError{User: u.Name, NoDossiers: true}
	}
	mine := u.Teams
	if len(teams) > 0 {
		mine = slices.DeleteFunc(slices.Clone(teams), func(t string) bool { return !inTeams(u, t) })
	}
	if len(mine) == 0 {
		return nil, &NotYoursError{User: u.Name, Yours: slices.Clone(u.Teams)}
	}
	var list []store.EmployerPlacements
	if st, serr := ss.s.opStore(); serr == nil {
		list, err = st.Placements(mine)
	} else {
		err = ss.s.db.View(func(tx Tx) (err error) {
			list, err = store.PlacementsOf(mine, ss.s.teamSource(tx, mine))
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	err = ss.s.db.Update(func(tx Tx) error {
		return audit(tx, AuditEntry{Time: ss.s.now().UTC(), Channel: ss.channel, User: u.Name, Action: "employer view",
			Detail: fmt.Sprintf("teams %s; session %s", strings.Join(mine, ", "), ss.id)})
	})
	return list, err
}
