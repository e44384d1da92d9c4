package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/brug-nl/brug/sync/client"
)

// adminCmd runs `brug --db db admin args...`.
func adminCmd(h *harness, db string, args ...string) result {
	h.t.Helper()
	return h.runTok(nil, append([]string{"--db", db, "admin"}, args...)...)
}

// expect fails the test unless r exited with code and its output holds
// every want.
func expect(t *testing.T, what string, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("%s: exit %d, want %d:\n%v", what, r.code, code, r)
		return
	}
	for _, w := range want {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Errorf("%s: output lacks %q:\n%v", what, w, r)
		}
	}
}

var codeRE = regexp.MustCompile(`^([0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4})+)\n`)

// TestAdmin runs the same admin session on a file directly and through
// the admin socket of a brug serve holding the file.
func TestAdmin(t *testing.T) {
	for _, mode := range []string{"file", "socket"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t)
			db := filepath.Join(t.TempDir(), "region.db")
			var s *serving
			if mode == "socket" {
				s = startServe(t, h, db)
			}
			adminScenario(t, h, db)
			if s != nil {
				// The commands went through the running server.
				if !strings.Contains(s.stderr.String(), `msg="admin command" cmd="user add" actor=tester channel=cli`) {
					t.Errorf("no admin command in the server's log:\n%s", s.stderr)
				}
				if code := s.stop(); code != exitOK {
					t.Fatalf("serve exit %d:\n%s", code, s.stderr)
				}
			}
		})
	}
}

func adminScenario(t *testing.T, h *harness, db string) {
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }

	expect(t, "team add", a("team", "add", "Team Noord"), exitOK, `Team "Team Noord" toegevoegd.`)
	expect(t, "team add", a("team", "add", "Wijkteam Oost"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Team Noord"), exitOK,
		"Gebruiker anna toegevoegd, rol coach, teams: Team Noord.")
	expect(t, "user add", a("user", "add", "bert", "--role", "wijkteam"), exitOK, "teams: geen.")
	r := a("user", "list")
	expect(t, "user list", r, exitOK, "NAAM", "ROL")
	if !regexp.MustCompile(`anna\s+coach\s+actief\s+Team Noord`).MatchString(r.stdout) ||
		!regexp.MustCompile(`bert\s+wijkteam\s+actief\s+geen`).MatchString(r.stdout) {
		t.Errorf("user list:\n%s", r.stdout)
	}
	expect(t, "member add", a("team", "member", "add", "Wijkteam Oost", "bert"), exitOK, `bert zit nu in team "Wijkteam Oost"`)
	r = a("team", "list")
	if !regexp.MustCompile(`Wijkteam Oost\s+bert`).MatchString(r.stdout) || !regexp.MustCompile(`Team Noord\s+anna`).MatchString(r.stdout) {
		t.Errorf("team list:\n%v", r)
	}
	expect(t, "member remove", a("team", "member", "remove", "Wijkteam Oost", "bert"), exitOK, `bert is uit team "Wijkteam Oost" gehaald`)
	if r := a("team", "list"); !regexp.MustCompile(`Wijkteam Oost\s+geen`).MatchString(r.stdout) {
		t.Errorf("team list after remove:\n%v", r)
	}

	r = a("invite", "anna")
	expect(t, "invite", r, exitOK, "(voor anna; werkt één keer", "brug login URL")
	if !codeRE.MatchString(r.stdout) {
		t.Errorf("invite does not print the code on its own first line:\n%v", r)
	}

	expect(t, "user disable", a("user", "disable", "bert"), exitOK, "Gebruiker bert uitgeschakeld")
	if r := a("user", "list"); !regexp.MustCompile(`bert\s+wijkteam\s+uitgeschakeld`).MatchString(r.stdout) {
		t.Errorf("user list after disable:\n%v", r)
	}
	expect(t, "device list", a("device", "list"), exitOK, "GEBRUIKER")

	audit := a("audit")
	expect(t, "audit", audit, exitOK, "team add", "user add", "team member remove", "invite", "user disable", "tester", "cli")
	expect(t, "audit --user", a("audit", "--user", "tester"), exitOK, "user disable")
	if r := a("audit", "--since", "2025-03-15"); r.code != exitOK || strings.Contains(r.stdout, "user add") {
		t.Errorf("audit --since after every entry:\n%v", r)
	}
	expect(t, "audit --since", a("audit", "--since", "2025-03-14"), exitOK, "user add")

	// Bad input: a clear message, the right exit code, nothing changed.
	users, teams := a("user", "list").stdout, a("team", "list").stdout
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user", "add", "carl", "--role", "baas"}, exitUsage, `Onbekende rol "baas". Kies een van: coach, wijkteam, coordinator, admin.`},
		{[]string{"user", "add", "carl"}, exitUsage, "Geef de rol van de gebruiker met --role"},
		{[]string{"user", "add", "carl", "--role", "coach", "--team", "Nope"}, exitError, `Team "Nope" bestaat niet; maak het met brug admin team add "Nope"`},
		{[]string{"user", "add", "anna", "--role", "coach"}, exitError, "Gebruiker anna bestaat al; zie brug admin user list."},
		{[]string{"user", "add", "carl jansen", "--role", "coach"}, exitError, `"carl jansen" kan geen gebruikersnaam zijn`},
		{[]string{"user", "disable", "nobody"}, exitError, "Gebruiker nobody bestaat niet; zie brug admin user list."},
		{[]string{"team", "add", "Team Noord"}, exitError, `Team "Team Noord" bestaat al`},
		{[]string{"team", "add", " spaties "}, exitError, "kan geen teamnaam zijn"},
		{[]string{"team", "member", "add", "Team Noord", "nobody"}, exitError, "Gebruiker nobody bestaat niet"},
		{[]string{"team", "member", "add", "Nope", "anna"}, exitError, `Team "Nope" bestaat niet`},
		{[]string{"team", "member", "remove", "Team Noord", "bert"}, exitError, `bert zit niet in team "Team Noord"`},
		{[]string{"invite", "nobody"}, exitError, "Gebruiker nobody bestaat niet; zie brug admin user list."},
		{[]string{"invite", "bert"}, exitError, "Gebruiker bert is uitgeschakeld"},
		{[]string{"device", "revoke", "nosuchdevice"}, exitError, "Apparaat nosuchdevice bestaat niet; zie brug admin device list."},
		{[]string{"device", "list", "--user", "nobody"}, exitError, "Gebruiker nobody bestaat niet"},
		{[]string{"erase", "Noor"}, exitError, `Geen dossier gevonden voor "Noor" op de server.`},
		{[]string{"erase", "Noor", "--yes"}, exitError, `Geen dossier gevonden voor "Noor" op de server.`},
		{[]string{"audit", "--client", "Noor"}, exitError, `Geen dossier gevonden voor "Noor"`},
		{[]string{"audit", "--user", "nobody"}, exitError, "Gebruiker nobody bestaat niet"},
		{[]string{"audit", "--since", "gisteren"}, exitUsage, "geef een datum als JJJJ-MM-DD"},
		{[]string{"user", "frobnicate"}, exitUsage, "--help"},
	} {
		r := a(tc.args...)
		expect(t, strings.Join(tc.args, " "), r, tc.code, tc.want)
		if r.stdout != "" && tc.code != exitUsage {
			t.Errorf("%v: a refused command printed to stdout:\n%v", tc.args, r)
		}
	}
	r = h.runTok(nil, "--lang", "en", "--db", db, "admin", "user", "disable", "nobody")
	expect(t, "english", r, exitError, "User nobody does not exist; see brug admin user list.")
	if u, tm := a("user", "list").stdout, a("team", "list").stdout; u != users || tm != teams {
		t.Errorf("bad input changed accounts:\nusers before:\n%s\nafter:\n%s\nteams before:\n%s\nafter:\n%s", users, u, teams, tm)
	}
	if r := a("audit"); r.stdout != audit.stdout {
		t.Errorf("bad input reached the audit log:\nbefore:\n%s\nafter:\n%s", audit.stdout, r.stdout)
	}
}

func TestAdminNeedsAFile(t *testing.T) {
	h := newHarness(t)
	r := h.runTok(nil, "admin", "user", "list")
	expect(t, "no --db", r, exitUsage, "Geef het bestand van de server met --db BESTAND (of BRUG_DB)", "brug admin user list --help")

	// Looking at a file that does not exist does not make it.
	missing := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{{"user", "list"}, {"invite", "anna"}, {"audit"}, {"device", "list"}} {
		expect(t, strings.Join(args, " "), adminCmd(h, missing, args...), exitError, "Er is nog geen serverbestand op "+missing)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("admin made %s: %v", missing, err)
	}
	// Adding a team is how a region starts.
	expect(t, "team add", adminCmd(h, missing, "team", "add", "Team Noord"), exitOK)
}

// TestAdminDevices enrols a device and lists and revokes it, through the
// socket and on the file.
func TestAdminDevices(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	s := startServe(t, h, db)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	code := inviteCode(t, h, db, "anna")

	tokens := &client.MemoryStore{}
	laptop := filepath.Join(t.TempDir(), "laptop.db")
	expect(t, "login", h.runTok(tokens, "--db", laptop, "login", s.url, code, "--name", "laptop anna"), exitOK)

	r := a("device", "list", "--user", "anna")
	// Before its first push the device id its ops carry is unknown ("-");
	// the enrolment id (last column) names it.
	m := regexp.MustCompile(`(?m)^-\s+anna\s+laptop anna\s+.*actief\s+(\S+)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("device list:\n%v", r)
	}
	expect(t, "revoke", a("device", "revoke", m[1]), exitOK, "Apparaat "+m[1]+" ingetrokken")
	expect(t, "device list", a("device", "list"), exitOK, "ingetrokken 2025-03-")

	// The revoked laptop is refused and told what to do.
	r = h.runTok(tokens, "--db", laptop, "sync")
	expect(t, "sync after revoke", r, exitError, "Je beheerder heeft dit apparaat ingetrokken", "brug login "+s.url+" CODE")

	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	// The same on the file itself.
	expect(t, "device list on the file", a("device", "list"), exitOK, "laptop anna", "ingetrokken")
	expect(t, "audit on the file", a("audit", "--user", "anna"), exitOK, "enroll")
}

// inviteCode makes an enrolment code for user and returns it.
func inviteCode(t *testing.T, h *harness, db, user string) string {
	t.Helper()
	r := adminCmd(h, db, "invite", user)
	m := codeRE.FindStringSubmatch(r.stdout)
	if r.code != exitOK || m == nil {
		t.Fatalf("invite %s:\n%v", user, r)
	}
	return m[1]
}

func TestSyncCommandsHelp(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"serve", "--help"}, {"login", "--help"}, {"sync", "--help"}, {"admin", "--help"},
		{"admin", "user", "add", "--help"}, {"admin", "team", "member", "add", "--help"},
		{"admin", "invite", "--help"}, {"admin", "device", "revoke", "--help"},
		{"admin", "erase", "--help"}, {"admin", "audit", "--help"}, {"admin", "export", "--help"},
	} {
		r := h.runTok(nil, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Gebruik:") || !strings.Contains(r.stdout, "Voorbeelden:") {
			t.Errorf("%v: no usage with examples:\n%v", args, r)
		}
	}
}
