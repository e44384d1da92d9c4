package server

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/brug-nl/brug/sync/protocol"
)

// TestImportUsersAllOrNothing: one bad row refuses the whole import, with
// every problem by line; a good import writes users, teams, memberships
// and codes in one go with one audit record.
func TestImportUsersAllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	_, err := e.admin.AddUser("root", protocol.RoleAdmin, nil)
	e.must(err)
	users := func() []User { us, err := e.admin.Users(); e.must(err); return us }
	before := users()

	bad := []ImportRow{
		{Line: 2, Name: "anna", Role: "coach", Teams: []string{"Noord"}},
		{Line: 3, Name: "bad name", Role: "coach"},
		{Line: 4, Name: "bert", Role: "baas", Teams: []string{"Zuid"}},
		{Line: 5, Name: "anna", Role: "coach"},
		{Line: 6, Name: "root", Role: "coach"},
	}
	res, err := e.admin.ImportUsers(bad, ImportOptions{Invite: true})
	if !errors.Is(err, ErrImport) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad import: %v", err)
	}
	want := []ImportProblem{
		{Line: 3, Kind: ProblemName, Value: "bad name"},
		{Line: 4, Kind: ProblemRole, Value: "baas"},
		{Line: 4, Kind: ProblemTeam, Value: "Zuid"},
		{Line: 5, Kind: ProblemDuplicate, Value: "2"},
		{Line: 6, Kind: ProblemExists, Value: "root"},
	}
	if !reflect.DeepEqual(res.Problems, want) {
		t.Errorf("problems:\n got %v\nwant %v", res.Problems, want)
	}
	if len(res.Added)+len(res.Invites) != 0 {
		t.Errorf("a refused import reports work done: %+v", res)
	}
	if got := users(); !reflect.DeepEqual(got, before) {
		t.Errorf("a refused import changed the users: %+v", got)
	}
	if e.auditHas("user import", "") {
		t.Error("a refused import was audited as done")
	}

	good := []ImportRow{
		{Line: 2, Name: "anna", Role: "coach", Teams: []string{"Noord", "Zuid"}},
		{Line: 3, Name: "bert", Role: "coordinator", Teams: []string{"Zuid"}},
	}
	dry, err := e.admin.ImportUsers(good, ImportOptions{CreateTeams: true, Invite: true, DryRun: true})
	e.must(err)
	if !dry.DryRun || !slices.Equal(dry.Added, []string{"anna", "bert"}) || !slices.Equal(dry.NewTeams, []string{"Zuid"}) || dry.Memberships != 3 || len(dry.Invites) != 0 {
		t.Errorf("dry run plan: %+v", dry)
	}
	if got := users(); !reflect.DeepEqual(got, before) {
		t.Error("a dry run wrote")
	}

	res, err = e.admin.ImportUsers(good, ImportOptions{CreateTeams: true, Invite: true})
	e.must(err)
	if len(res.Invites) != 2 || res.Memberships != 3 {
		t.Fatalf("import: %+v", res)
	}
	teams, err := e.admin.Teams()
	e.must(err)
	if len(teams) != 2 || !slices.Equal(teams[1].Members, []string{"anna", "bert"}) {
		t.Errorf("teams after import: %+v", teams)
	}
	if !e.auditHas("user import", "2 users added, 0 updated, 1 teams created, 3 memberships added, 2 invites") {
		t.Errorf("no audit record with the counts: %+v", e.auditAll())
	}
	// The codes enrol.
	e.enrolCode(res.Invites[1].Code)

	// --update: role and teams become the row's; the last admin stays.
	upd := []ImportRow{{Line: 2, Name: "anna", Role: "wijkteam", Teams: []string{"Zuid"}}, {Line: 3, Name: "root", Role: "coach"}}
	res, err = e.admin.ImportUsers(upd, ImportOptions{Update: true})
	if !errors.Is(err, ErrImport) || !reflect.DeepEqual(res.Problems, []ImportProblem{{Line: 3, Kind: ProblemLastAdmin, Value: "root"}}) {
		t.Fatalf("demoting the last admin: %v %+v", err, res.Problems)
	}
	res, err = e.admin.ImportUsers(upd[:1], ImportOptions{Update: true})
	e.must(err)
	if !slices.Equal(res.Updated, []string{"anna"}) || res.Memberships != 0 {
		t.Errorf("update: %+v", res)
	}
	for _, u := range users() {
		if u.Name == "anna" && (u.Role != "wijkteam" || !slices.Equal(u.Teams, []string{"Zuid"})) {
			t.Errorf("anna after update: %+v", u)
		}
	}
}

// enrolCode enrols a device with a code.
func (e *env) enrolCode(code string) {
	e.t.Helper()
	var resp protocol.EnrollResponse
	if status, perr := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: "laptop"}, &resp); status != 200 {
		e.t.Fatalf("enrol with an imported code: %d %v", status, perr)
	}
}

func TestParseImportCSV(t *testing.T) {
	in := "\ufeffName, Role ,teams\r\n" +
		"anna,coach,Team Noord;Team Zuid\r\n" +
		"\r\n" +
		`"bert",coordinator,"Team ""Oost"";Team Noord"` + "\n" +
		"cor,coach\n" +
		"dirk,coach,\"open\n" +
		"x,y,z\n"
	rows, probs, err := ParseImportCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	wantRows := []ImportRow{
		{Line: 2, Name: "anna", Role: "coach", Teams: []string{"Team Noord", "Team Zuid"}},
		{Line: 4, Name: "bert", Role: "coordinator", Teams: []string{`Team "Oost"`, "Team Noord"}},
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, wantRows)
	}
	if len(probs) != 2 || probs[0] != (ImportProblem{Line: 5, Kind: ProblemFields, Value: "2"}) || probs[1].Line != 6 || probs[1].Kind != ProblemCSV {
		t.Errorf("problems: %+v", probs)
	}
	for _, tc := range []struct{ in, kind string }{
		{"", ProblemHeader},
		{"naam,rol\n", ProblemHeader},
		{"name,role\n", ProblemEmpty},
		{"name,name,role\n", ProblemHeader},
	} {
		_, probs, err := ParseImportCSV(strings.NewReader(tc.in))
		if err != nil || len(probs) == 0 || probs[0].Kind != tc.kind {
			t.Errorf("%q: %v %+v, want %s", tc.in, err, probs, tc.kind)
		}
	}
}

// FuzzParseImportCSV: any input parses without panic into rows and
// problems with line numbers inside the file, and rows the server would
// check (never a name with the separator or a blank team).
func FuzzParseImportCSV(f *testing.F) {
	f.Add([]byte("name,role,teams\nanna,coach,Team Noord;Team Zuid\n"))
	f.Add([]byte("\ufeffname,role\r\n\"a\"\"b\",coach\r\n"))
	f.Add([]byte("name,role,teams\nanna,coach\n\"open"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, probs, err := ParseImportCSV(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("a byte slice cannot fail to read: %v", err)
		}
		lines := strings.Count(string(data), "\n") + 1
		if len(rows) == 0 && len(probs) == 0 {
			t.Fatal("neither rows nor problems")
		}
		if len(rows) > MaxImportRows || len(probs) > maxImportProblems {
			t.Fatalf("%d rows, %d problems", len(rows), len(probs))
		}
		for _, p := range probs {
			if p.Line < 0 || p.Line > lines {
				t.Fatalf("problem on line %d of %d", p.Line, lines)
			}
		}
		for _, r := range rows {
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("row on line %d of %d", r.Line, lines)
			}
			for _, tm := range r.Teams {
				if tm == "" || strings.Contains(tm, ";") || strings.TrimSpace(tm) != tm {
					t.Fatalf("team %q", tm)
				}
			}
			if utf8.ValidString(string(data)) && !utf8.ValidString(r.Name) {
				t.Fatalf("name %q", r.Name)
			}
		}
	})
}
