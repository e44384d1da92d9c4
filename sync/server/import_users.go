package server

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/brug-nl/brug/sync/protocol"
)

// A bulk import of users, teams and memberships (brug admin user import):
// the CSV is parsed by the caller (ParseImportCSV), the rows travel in one
// AdminRequest, and ImportUsers checks every row and then writes them all
// in one transaction, or nothing.

// ImportRow is one user of an import, from line Line of the file.
type ImportRow struct {
	Line  int      `json:"line"`
	Name  string   `json:"name"`
	Role  string   `json:"role"`
	Teams []string `json:"teams,omitempty"`
}

// The kinds of ImportProblem.
const (
	ProblemCSV        = "csv"          // the line is not valid CSV (Value: the reason)
	ProblemHeader     = "header"       // the header is not name,role,teams (Value: the bad column)
	ProblemFields     = "fields"       // wrong number of fields (Value: how many)
	ProblemName       = "bad name"     // the user name is not valid (Value: the name)
	ProblemRole       = "bad role"     // unknown role (Value: the role)
	ProblemTeam       = "unknown team" // the team does not exist and --create-teams was not given
	ProblemTeamName   = "bad team"     // a team to create has a name that is not valid
	ProblemDuplicate  = "duplicate"    // the name is on an earlier line too (Value: that line)
	ProblemExists     = "exists"       // the user exists and --update was not given
	ProblemDisabled   = "disabled"     // an invite for a disabled user
	ProblemLastAdmin  = "last admin"   // the import would leave no enabled admin
	ProblemEmpty      = "empty"        // the file has no users
	ProblemTooMany    = "too many"     // more than MaxImportRows users
	maxImportProblems = 1000
)

// MaxImportRows is the most users one import takes.
const MaxImportRows = 5000

// ImportProblem is one thing wrong with an import, on line Line (0 for the
// whole file).
type ImportProblem struct {
	Line  int    `json:"line"`
	Kind  string `json:"kind"`
	Value string `json:"value,omitempty"`
}

func (p ImportProblem) String() string {
	if p.Value == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Kind)
	}
	return fmt.Sprintf("line %d: %s %q", p.Line, p.Kind, p.Value)
}

// ImportOptions say how to treat what already exists.
type ImportOptions struct {
	CreateTeams bool `json:"create_teams,omitempty"` // create unknown teams instead of refusing them
	Update      bool `json:"update,omitempty"`       // set an existing user's role and teams to the row's
	Invite      bool `json:"invite,omitempty"`       // make a one-time code for every imported user
	DryRun      bool `json:"dry_run,omitempty"`      // check and plan only, write nothing
}

// ImportInvite is the code made for one imported user.
type ImportInvite struct {
	Name    string    `json:"name"`
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// ImportResult is what an import did (or, in a dry run, would do).
type ImportResult struct {
	Added       []string        `json:"added,omitempty"`
	Updated     []string        `json:"updated,omitempty"`
	NewTeams    []string        `json:"new_teams,omitempty"`
	Memberships int             `json:"memberships,omitempty"` // memberships added
	Invites     []ImportInvite  `json:"invites,omitempty"`
	Problems    []ImportProblem `json:"problems,omitempty"`
	DryRun      bool            `json:"dry_run,omitempty"`
}

// ErrImport is returned by ImportUsers when a row is wrong; the result's
// Problems say which and why. Nothing was written.
var ErrImport = fmt.Errorf("%w: the import has errors, nothing was imported", ErrInvalid)

// ParseImportCSV reads an import file: UTF-8 CSV (RFC 4180) with a header
// row naming the columns name, role and teams (teams may be left out; any
// order), teams separated by ';' within their field. A byte order mark is
// skipped, blank lines are ignored, spaces around values are trimmed. It
// reports every bad line; a file that cannot be read at all is an error.
func ParseImportCSV(r io.Reader) ([]ImportRow, []ImportProblem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var rows []ImportRow
	var probs []ImportProblem
	add := func(p ImportProblem) { probs = append(probs, p) }
	col := map[string]int{}
	header := true
	for len(probs) < maxImportProblems {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, err
			}
			add(ImportProblem{Line: pe.StartLine, Kind: ProblemCSV, Value: pe.Err.Error()})
			if header {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if header {
			header = false
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			}
			for i, f := range rec {
				f = strings.ToLower(strings.TrimSpace(f))
				_, dup := col[f]
				if dup || !slices.Contains([]string{"name", "role", "teams"}, f) {
					add(ImportProblem{Line: line, Kind: ProblemHeader, Value: f})
					continue
				}
				col[f] = i
			}
			for _, f := range []string{"name", "role"} {
				if _, ok := col[f]; !ok && len(probs) == 0 {
					add(ImportProblem{Line: line, Kind: ProblemHeader, Value: f})
				}
			}
			if len(probs) > 0 {
				break
			}
			continue
		}
		if len(rec) != len(col) {
			add(ImportProblem{Line: line, Kind: ProblemFields, Value: fmt.Sprint(len(rec))})
			continue
		}
		if len(rows) == MaxImportRows {
			add(ImportProblem{Line: line, Kind: ProblemTooMany, Value: fmt.Sprint(MaxImportRows)})
			break
		}
		row := ImportRow{Line: line, Name: strings.TrimSpace(rec[col["name"]]), Role: strings.TrimSpace(rec[col["role"]])}
		if i, ok := col["teams"]; ok {
			for _, t := range strings.Split(rec[i], ";") {
				if t = strings.TrimSpace(t); t != "" && !slices.Contains(row.Teams, t) {
					row.Teams = append(row.Teams, t)
				}
			}
		}
		rows = append(rows, row)
	}
	if header && len(probs) == 0 {
		add(ImportProblem{Line: 1, Kind: ProblemHeader})
	} else if len(rows) == 0 && len(probs) == 0 {
		add(ImportProblem{Line: 0, Kind: ProblemEmpty})
	}
	return rows, probs, nil
}

// ImportUsers adds (or with Update, updates) the users of rows, creates
// their teams if CreateTeams, adds their memberships and makes codes if
// Invite: all of it in one transaction, after every row was checked. With
// any problem it writes nothing and returns ErrImport with the problems in
// the result; a DryRun returns the plan and writes nothing either. An
// updated user's role and teams become exactly the row's; a disabled user
// stays disabled. One audit record "user import" holds the counts.
func (a *Admin) ImportUsers(rows []ImportRow, opt ImportOptions) (ImportResult, error) {
	res := ImportResult{DryRun: opt.DryRun}
	if len(rows) > MaxImportRows {
		res.Problems = []ImportProblem{{Kind: ProblemTooMany, Value: fmt.Sprint(MaxImportRows)}}
		return res, ErrImport
	}
	if len(rows) == 0 {
		res.Problems = []ImportProblem{{Kind: ProblemEmpty}}
		return res, ErrImport
	}
	run := a.s.db.Update
	if opt.DryRun {
		run = a.s.db.View
	}
	err := run(func(tx Tx) error {
		plan, err := a.planImport(tx, rows, opt, &res)
		if err != nil || len(res.Problems) > 0 || opt.DryRun {
			return err
		}
		return a.applyImport(tx, plan, opt, &res)
	})
	if err == nil && len(res.Problems) > 0 {
		err = ErrImport
	}
	if err != nil {
		// Nothing was written: say nothing was done.
		res = ImportResult{Problems: res.Problems, DryRun: opt.DryRun}
	}
	return res, err
}

// importPlan is a checked import: each row with the user as it is now
// (exists false for a new one).
type importPlan struct {
	rows   []ImportRow
	before []User
	exists []bool
}

func (a *Admin) planImport(tx Tx, rows []ImportRow, opt ImportOptions, res *ImportResult) (importPlan, error) {
	var p importPlan
	prob := func(line int, kind, value string) {
		res.Problems = append(res.Problems, ImportProblem{Line: line, Kind: kind, Value: value})
	}
	seen := map[string]int{}
	newTeams := map[string]bool{}
	for _, r := range rows {
		bad := false
		if err := checkUserName(r.Name); err != nil {
			prob(r.Line, ProblemName, r.Name)
			bad = true
		} else if first, ok := seen[r.Name]; ok {
			prob(r.Line, ProblemDuplicate, fmt.Sprint(first))
			bad = true
		} else {
			seen[r.Name] = r.Line
		}
		if !validRole(r.Role) {
			prob(r.Line, ProblemRole, r.Role)
		}
		for _, t := range r.Teams {
			switch {
			case teamExists(tx, t) || newTeams[t]:
			case !opt.CreateTeams:
				prob(r.Line, ProblemTeam, t)
			case checkTeamName(t) != nil:
				prob(r.Line, ProblemTeamName, t)
			default:
				newTeams[t] = true
				res.NewTeams = append(res.NewTeams, t)
			}
		}
		var u User
		exists := false
		if !bad && tx.HasUser(r.Name) {
			var err error
			if u, err = getUser(tx, r.Name); err != nil {
				return p, err
			}
			exists = true
			switch {
			case !opt.Update:
				prob(r.Line, ProblemExists, r.Name)
			case opt.Invite && u.Disabled:
				prob(r.Line, ProblemDisabled, r.Name)
			}
		}
		if !bad {
			n := 0
			for _, t := range r.Teams {
				if !exists || !slices.Contains(u.Teams, t) {
					n++
				}
			}
			res.Memberships += n
			if exists {
				res.Updated = append(res.Updated, r.Name)
			} else {
				res.Added = append(res.Added, r.Name)
			}
		}
		p.rows, p.before, p.exists = append(p.rows, r), append(p.before, u), append(p.exists, exists)
		if len(res.Problems) >= maxImportProblems {
			break
		}
	}
	// No import may leave the region without an enabled admin where it
	// had one: nobody could manage the accounts over SSH then. Only
	// --update changes an existing user.
	if !opt.Update {
		return p, nil
	}
	admins, err := activeAdmins(tx, "")
	if err != nil || admins == 0 {
		return p, err
	}
	lost := 0
	for i, r := range p.rows {
		if u := p.before[i]; p.exists[i] && u.Role == protocol.RoleAdmin && !u.Disabled {
			if r.Role != protocol.RoleAdmin {
				lost++
			}
		} else if r.Role == protocol.RoleAdmin && !(p.exists[i] && u.Disabled) {
			return p, nil // the import adds an admin
		}
	}
	if lost == admins {
		for i, r := range p.rows {
			if p.exists[i] && p.before[i].Role == protocol.RoleAdmin && r.Role != protocol.RoleAdmin {
				prob(r.Line, ProblemLastAdmin, r.Name)
			}
		}
	}
	return p, nil
}

func (a *Admin) applyImport(tx Tx, p importPlan, opt ImportOptions, res *ImportResult) error {
	now := a.s.now().UTC()
	for _, t := range res.NewTeams {
		if err := tx.PutTeam(renamingTeam{Team: Team{Name: t, Created: now}}); err != nil {
			return err
		}
	}
	for i, r := range p.rows {
		u := p.before[i]
		if p.exists[i] {
			u.Role = r.Role
			for _, t := range u.Teams {
				if !slices.Contains(r.Teams, t) {
					if err := tx.RemoveMember(t, r.Name); err != nil {
						return err
					}
				}
			}
		} else {
			u = User{Name: r.Name, Role: r.Role, Created: now}
		}
		if err := putUser(tx, u); err != nil {
			return err
		}
		for _, t := range r.Teams {
			if p.exists[i] && slices.Contains(u.Teams, t) {
				continue
			}
			if err := tx.AddMember(t, r.Name); err != nil {
				return err
			}
		}
		if opt.Invite {
			code, exp, err := createCode(tx, r.Name, now)
			if err != nil {
				return err
			}
			res.Invites = append(res.Invites, ImportInvite{Name: r.Name, Code: code, Expires: exp})
		}
	}
	if len(res.Updated) > 0 {
		a.s.views.bump() // what a user sees depends on role and teams
	}
	return a.record(tx, "user import", "", fmt.Sprintf("%d users added, %d updated, %d teams created, %d memberships added, %d invites",
		len(res.Added), len(res.Updated), len(res.NewTeams), res.Memberships, len(res.Invites)))
}
