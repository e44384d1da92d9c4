package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
)

// TestAdminAccounts runs the account commands on a file and through the
// admin socket of a running brug serve.
func TestAdminAccounts(t *testing.T) {
	for _, mode := range []string{"file", "socket"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t)
			db := filepath.Join(t.TempDir(), "region.db")
			var s *serving
			if mode == "socket" {
				s = startServe(t, h, db)
			}
			accountsScenario(t, h, db)
			if s != nil {
				if !strings.Contains(s.stderr.String(), `msg="admin command" cmd="team rename"`) {
					t.Errorf("the commands did not go through the server:\n%s", s.stderr)
				}
				if code := s.stop(); code != exitOK {
					t.Fatalf("serve exit %d:\n%s", code, s.stderr)
				}
			}
		})
	}
}

func accountsScenario(t *testing.T, h *harness, db string) {
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	for _, tm := range []string{"Team Noord", "Zuid", "Leeg"} {
		expect(t, "team add", a("team", "add", tm), exitOK)
	}
	expect(t, "user add", a("user", "add", "root", "--role", "admin"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Team Noord"), exitOK)
	expect(t, "user add", a("user", "add", "bert", "--role", "coach", "--team", "Team Noord"), exitOK)

	expect(t, "user disable", a("user", "disable", "bert"), exitOK)
	expect(t, "user enable", a("user", "enable", "bert"), exitOK, "Gebruiker bert ingeschakeld")
	expect(t, "user role", a("user", "role", "bert", "wijkteam"), exitOK, "Gebruiker bert heeft nu rol wijkteam.")
	if r := a("user", "list"); !regexp.MustCompile(`bert\s+wijkteam\s+actief\s+Team Noord`).MatchString(r.stdout) {
		t.Errorf("user list after enable and role:\n%v", r)
	}
	expect(t, "user rename", a("user", "rename", "bert", "bert.smit"), exitOK, "Gebruiker bert heet nu bert.smit", "brug admin invite bert.smit")
	if r := a("team", "list"); !regexp.MustCompile(`Team Noord\s+anna, bert\.smit`).MatchString(r.stdout) {
		t.Errorf("team list after rename:\n%v", r)
	}
	expect(t, "team remove", a("team", "remove", "Leeg"), exitOK, `Team "Leeg" verwijderd.`)
	expect(t, "team rename", a("team", "rename", "Team Noord", "Team Noord-West"), exitOK, `Team "Team Noord" heet nu "Team Noord-West"; 0 dossiers`)
	expect(t, "user remove", a("user", "remove", "bert.smit"), exitOK, "Gebruiker bert.smit verwijderd")

	audit := a("audit")
	expect(t, "audit", audit, exitOK, "user enable", "user role", "user rename", "team remove", "team rename", "user remove")

	// Refusals: a message saying what to do, nothing changed.
	users, teams := a("user", "list").stdout, a("team", "list").stdout
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user", "enable", "nobody"}, exitError, "Gebruiker nobody bestaat niet"},
		{[]string{"user", "remove", "root"}, exitError, "root is de laatste actieve beheerder"},
		{[]string{"user", "role", "root", "coach"}, exitError, "root is de laatste actieve beheerder"},
		{[]string{"user", "role", "anna", "baas"}, exitUsage, `Onbekende rol "baas"`},
		{[]string{"user", "rename", "anna", "root"}, exitError, "Gebruiker root bestaat al"},
		{[]string{"user", "rename", "nobody", "x"}, exitError, "Gebruiker nobody bestaat niet"},
		{[]string{"user", "rename", "anna"}, exitUsage, "--help"},
		{[]string{"team", "remove", "Team Noord-West"}, exitError, `Team "Team Noord-West" heeft nog leden (anna)`},
		{[]string{"team", "remove", "Nope"}, exitError, `Team "Nope" bestaat niet`},
		{[]string{"team", "rename", "Zuid", "Team Noord-West"}, exitError, `Team "Team Noord-West" bestaat al`},
		{[]string{"team", "rename", "Nope", "X"}, exitError, `Team "Nope" bestaat niet`},
	} {
		r := a(tc.args...)
		expect(t, strings.Join(tc.args, " "), r, tc.code, tc.want)
		if r.stdout != "" && tc.code != exitUsage {
			t.Errorf("%v: a refused command printed to stdout:\n%v", tc.args, r)
		}
	}
	r := h.runTok(nil, "--lang", "en", "--db", db, "admin", "user", "remove", "root")
	expect(t, "english", r, exitError, "root is the last active admin")
	if u, tm := a("user", "list").stdout, a("team", "list").stdout; u != users || tm != teams {
		t.Errorf("refused commands changed accounts:\n%s\n%s\n%s\n%s", users, u, teams, tm)
	}
}

// laptopWithClients makes a laptop file holding clients (name, birth
// year) of team.
func laptopWithClients(t *testing.T, team string, clients ...[2]string) (path, replica string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "laptop.db")
	s, err := openTestStore(path, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		if _, err := s.CreateClient(store.NewClient{Name: c[0], BirthYear: c[1], Team: team}); err != nil {
			t.Fatal(err)
		}
	}
	replica = s.Device()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, replica
}

// clientTeams returns the team of every client of a laptop file, by name.
func clientTeams(t *testing.T, path string) map[string]string {
	t.Helper()
	s, err := openTestStore(path, store.Options{Author: "tester", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, sm := range sums {
		out[sm.Name] = sm.Team
	}
	return out
}

// TestAdminAccountsWithDevices: a team rename reaches the team's laptops
// without losing a dossier; erase shows what it matched and asks; the
// device list shows the id ops carry and revoke takes it; a revoked laptop
// and a disabled user's laptop are told apart.
func TestAdminAccountsWithDevices(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	s := startServe(t, h, db)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	expect(t, "team add", a("team", "add", "Team Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Team Noord"), exitOK)
	expect(t, "user add", a("user", "add", "bert", "--role", "coach", "--team", "Team Noord"), exitOK)

	laptop, replica := laptopWithClients(t, "Team Noord", [2]string{"Noor Hazelhoef", "1984"}, [2]string{"Noor Jansen", "1990"}, [2]string{"Piet Bakker", "1975"})
	tokens := &client.MemoryStore{}
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	expect(t, "login", dev("login", s.url, inviteCode(t, h, db, "anna"), "--name", "laptop anna", "--adopt"), exitOK)
	expect(t, "sync", dev("sync"), exitOK)

	bertLaptop := filepath.Join(t.TempDir(), "bert.db")
	bertTokens := &client.FileStore{Dir: t.TempDir()}
	bert := func(args ...string) result {
		t.Helper()
		return h.runTok(bertTokens, append([]string{"--db", bertLaptop}, args...)...)
	}
	expect(t, "login bert", bert("login", s.url, inviteCode(t, h, db, "bert"), "--name", "laptop bert"), exitOK)
	expect(t, "sync bert", bert("sync"), exitOK, "ontvangen")

	// Team rename: both laptops keep the dossiers, in the new team.
	expect(t, "team rename", a("team", "rename", "Team Noord", "Team Noord-West"), exitOK, "3 dossiers")
	expect(t, "sync bert after rename", bert("sync"), exitOK, "ontvangen")
	expect(t, "sync anna after rename", dev("sync"), exitOK)
	for who, path := range map[string]string{"anna": laptop, "bert": bertLaptop} {
		got := clientTeams(t, path)
		if len(got) != 3 || got["Noor Hazelhoef"] != "Team Noord-West" || got["Piet Bakker"] != "Team Noord-West" {
			t.Errorf("%s's laptop after the team rename: %v", who, got)
		}
	}

	// The device list shows the id the laptop's ops carry; revoke takes it.
	r := a("device", "list", "--user", "anna")
	expect(t, "device list", r, exitOK, "APPARAAT-ID", "INSCHRIJVING")
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(replica) + `\s+anna\s+laptop anna\s+.*actief\s+\S+$`).MatchString(r.stdout) {
		t.Errorf("device list does not show the replica id %s:\n%v", replica, r)
	}

	// Erase: candidates for a vague name, the dossier before asking.
	r = a("erase", "Noor")
	expect(t, "erase ambiguous", r, exitUsage, `Meer dan één dossier past bij "Noor"`, "NAAM", "GEBOORTEJAAR", "Noor Hazelhoef", "1984", "Noor Jansen", "1990", "Team Noord-West", "brug admin erase ID")
	r = a("erase", "Hazelhoef")
	expect(t, "erase without a terminal", r, exitUsage, "Gevonden: Noor Hazelhoef, team Team Noord-West, geboortejaar 1984 (id ", "Voeg --yes toe")
	h.tty, h.stdin = true, "nee\n"
	expect(t, "erase answered no", a("erase", "Hazelhoef"), exitError, "Gevonden: Noor Hazelhoef", "Typ ja om te wissen", "Niet gewist.")
	h.stdin = "ja\n"
	r = a("erase", "Hazelhoef")
	expect(t, "erase answered yes", r, exitOK, "Noor Hazelhoef (team Team Noord-West, geboortejaar 1984, id ")
	h.tty, h.stdin = false, ""
	r = h.runTok(nil, "--lang", "en", "--db", db, "admin", "erase", "Noor Jansen", "--yes")
	expect(t, "erase --yes", r, exitOK, "Found: Noor Jansen, team Team Noord-West, born 1990", "Erased Noor Jansen (team Team Noord-West, born 1990, id ")
	if strings.Contains(s.stderr.String(), "Noor") {
		t.Errorf("a client's name is in the server's log:\n%s", s.stderr)
	}
	expect(t, "sync after erase", dev("sync"), exitOK, "2 dossiers gewist")

	// A disabled user is not told to ask for a new code.
	expect(t, "disable bert", a("user", "disable", "bert"), exitOK)
	r = bert("sync")
	expect(t, "sync of a disabled user", r, exitError, "Je account op "+s.url+" is uitgeschakeld", "Een nieuwe code helpt niet")
	// A revoked laptop is told so, and what to do.
	expect(t, "revoke by replica id", a("device", "revoke", replica), exitOK)
	r = dev("sync")
	expect(t, "sync of a revoked laptop", r, exitError, "Je beheerder heeft dit apparaat ingetrokken", "brug login "+s.url+" CODE")
	r = dev("--lang", "en", "sync")
	expect(t, "revoked, English", r, exitError, "Your admin revoked this device")

	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, s.stderr)
	}
	expect(t, "device list on the file", a("device", "list"), exitOK, replica, "ingetrokken")
}

// TestAdminAccountsOverSSH: the account commands work in an admin's SSH
// session and are audited with channel ssh.
func TestAdminAccountsOverSSH(t *testing.T) {
	h := newHarness(t)
	x := startSSHServe(t, h)
	s, db, addr, host, root, rootPub := x.srv, x.db, x.addr, x.host, x.root, x.rootPub
	for _, args := range [][]string{
		{"team", "add", "Noord"}, {"team", "add", "Leeg"},
		{"user", "add", "root", "--role", "admin"},
		{"user", "add", "anna", "--role", "coach", "--team", "Noord"},
		{"key", "add", "root", rootPub},
	} {
		expect(t, strings.Join(args, " "), adminCmd(h, db, args...), exitOK)
	}
	for _, tc := range []struct {
		cmd  string
		code int
		want string
	}{
		{"admin user role anna coordinator", exitOK, "Gebruiker anna heeft nu rol coordinator."},
		{"admin user disable anna", exitOK, "uitgeschakeld"},
		{"admin user enable anna", exitOK, "Gebruiker anna ingeschakeld"},
		{"admin user rename anna anna.devries", exitOK, "Gebruiker anna heet nu anna.devries"},
		{"admin team rename Noord Noord-West", exitOK, `Team "Noord" heet nu "Noord-West"; 0 dossiers`},
		{"admin team remove Leeg", exitOK, `Team "Leeg" verwijderd.`},
		{"admin user remove root", exitError, "root is de laatste actieve beheerder"},
		{"admin user remove anna.devries", exitOK, "Gebruiker anna.devries verwijderd"},
		{"admin erase Nobody", exitError, `Geen dossier gevonden voor "Nobody"`},
	} {
		out, code := sshRun(t, addr, root, host.PublicKey(), "", tc.cmd)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%s over ssh: exit %d, want %d and %q:\n%s", tc.cmd, code, tc.code, tc.want, out)
		}
	}
	r := adminCmd(h, db, "audit", "--user", "root")
	for _, action := range []string{"user role", "user enable", "user rename", "team rename", "team remove", "user remove"} {
		if !regexp.MustCompile(`ssh\s+root\s+` + action).MatchString(r.stdout) {
			t.Errorf("%s over ssh is not audited with channel ssh:\n%v", action, r)
		}
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, s.stderr)
	}
}
