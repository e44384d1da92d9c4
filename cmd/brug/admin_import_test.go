package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const importGood = "\ufeffname,role,teams\r\n" +
	"anna,coach,Team Noord\r\n" +
	"\r\n" +
	"bert,wijkteam,\"Team Noord;Team Zuid\"\r\n" +
	"cor,coordinator,Team Zuid\r\n"

const importBad = "name,role,teams\n" +
	"anna,coach,Team Noord\n" +
	"bad name,coach,\n" +
	"bert,baas,Team Oost\n" +
	"anna,coach,\n" +
	"root,coach,\n" +
	"dirk,coach\n"

// TestAdminUserImport imports users from a CSV file on the file and
// through the admin socket of a running brug serve: every bad line is
// reported and nothing imported, the dry run writes nothing, the import
// writes all, the codes come as login lines or CSV.
func TestAdminUserImport(t *testing.T) {
	for _, mode := range []string{"file", "socket"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t)
			dir := t.TempDir()
			db := filepath.Join(dir, "region.db")
			a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
			expect(t, "team add", a("team", "add", "Team Noord"), exitOK)
			expect(t, "user add", a("user", "add", "root", "--role", "admin"), exitOK)
			var s *serving
			if mode == "socket" {
				s = startServe(t, h, db, "--public-url", "https://brug.example.nl")
			}
			bad := filepath.Join(dir, "bad.csv")
			good := filepath.Join(dir, "good.csv")
			if err := os.WriteFile(bad, []byte(importBad), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(good, []byte(importGood), 0o600); err != nil {
				t.Fatal(err)
			}
			users := a("user", "list").stdout

			// The CSV's own errors come first, by line.
			expect(t, "bad file", a("user", "import", bad), exitUsage, "regel 7: 2 velden", "1 fout(en) gevonden; er is niets geïmporteerd.")
			// Then the server's checks, every one of them.
			bad2 := filepath.Join(dir, "bad2.csv")
			if err := os.WriteFile(bad2, []byte(strings.TrimSuffix(importBad, "dirk,coach\n")), 0o600); err != nil {
				t.Fatal(err)
			}
			r := a("user", "import", bad2, "--invite")
			expect(t, "bad rows", r, exitUsage,
				`regel 3: ongeldige gebruikersnaam "bad name"`,
				`regel 4: onbekende rol "baas"`,
				`regel 4: team "Team Oost" bestaat niet`,
				"regel 5: deze naam staat al op regel 2",
				"regel 6: gebruiker root bestaat al; gebruik --update",
				"5 fout(en) gevonden; er is niets geïmporteerd.")
			r = h.runTok(nil, "--lang", "en", "--db", db, "admin", "user", "import", bad2)
			expect(t, "bad rows in English", r, exitUsage, `line 4: unknown role "baas"`, "5 error(s) found; nothing was imported.")
			if got := a("user", "list").stdout; got != users {
				t.Fatalf("a refused import changed the users:\n%s", got)
			}

			// Unknown teams are refused without --create-teams.
			expect(t, "unknown team", a("user", "import", good), exitUsage, `regel 4: team "Team Zuid" bestaat niet`)

			r = a("user", "import", good, "--create-teams", "--dry-run", "--invite")
			expect(t, "dry run", r, exitOK, "Proefdraai: er is niets geschreven", "nieuw team:  Team Zuid",
				"nieuw:       bert (wijkteam), teams: Team Noord, Team Zuid",
				"3 gebruiker(s) nieuw, 0 bijgewerkt, 1 team(s) nieuw, 4 lidmaatschap(pen) erbij", "krijgen 3 gebruiker(s) een eenmalige code")
			if got := a("user", "list").stdout; got != users {
				t.Fatalf("a dry run changed the users:\n%s", got)
			}

			r = a("user", "import", good, "--create-teams", "--invite")
			expect(t, "import", r, exitOK, "Geïmporteerd: 3 gebruiker(s) nieuw", "Eenmalige codes, geldig tot")
			code := `[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`
			line := "^anna: " + code + "$"
			if mode == "socket" {
				line = "^anna: brug login https://brug.example.nl " + code + "$"
			}
			if !regexp.MustCompile("(?m)" + line).MatchString(r.stdout) {
				t.Errorf("no invite line %s:\n%v", line, r)
			}
			if !regexp.MustCompile(`Team Zuid\s+bert, cor`).MatchString(a("team", "list").stdout) {
				t.Errorf("teams after import:\n%v", a("team", "list"))
			}
			expect(t, "audit", a("audit", "--action", "user import"), exitOK, "3 users added, 0 updated, 1 teams created, 4 memberships added, 3 invites")

			// --update with the codes as CSV on standard output.
			upd := filepath.Join(dir, "upd.csv")
			if err := os.WriteFile(upd, []byte("name,role,teams\nanna,coordinator,Team Zuid\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			expect(t, "existing user", a("user", "import", upd), exitUsage, "regel 2: gebruiker anna bestaat al")
			r = a("user", "import", upd, "--update", "--invite", "--invite-format", "csv")
			expect(t, "update", r, exitOK)
			recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
			if err != nil || len(recs) != 2 || strings.Join(recs[0], ",") != "name,code,expires,login" || recs[1][0] != "anna" ||
				!regexp.MustCompile("^"+code+"$").MatchString(recs[1][1]) {
				t.Fatalf("invite CSV: %v\n%v", err, r)
			}
			if mode == "socket" && recs[1][3] != "brug login https://brug.example.nl "+recs[1][1] {
				t.Errorf("login column %q", recs[1][3])
			}
			if !strings.Contains(r.stderr, "1 bijgewerkt") {
				t.Errorf("the summary is not on standard error:\n%v", r)
			}
			if !regexp.MustCompile(`anna\s+coordinator\s+actief\s+Team Zuid\n`).MatchString(a("user", "list").stdout) {
				t.Errorf("anna after update:\n%v", a("user", "list"))
			}
			expect(t, "bad format", a("user", "import", upd, "--invite-format", "xml"), exitUsage, `Onbekend formaat "xml"`)
			expect(t, "missing file", a("user", "import", filepath.Join(dir, "nope.csv")), exitError, "Kan ")

			if s != nil {
				if !strings.Contains(s.stderr.String(), `cmd="user import"`) {
					t.Errorf("the import did not go through the server:\n%s", s.stderr)
				}
				if strings.Contains(s.stderr.String(), "bert") {
					t.Errorf("imported names are in the server's log:\n%s", s.stderr)
				}
				if code := s.stop(); code != exitOK {
					t.Fatalf("serve exit %d:\n%s", code, s.stderr)
				}
			}
		})
	}
}

// TestAdminUserImportOverSSH: over SSH the file comes on standard input;
// a path is refused (it would name a file on the server).
func TestAdminUserImportOverSSH(t *testing.T) {
	h := newHarness(t)
	x := startSSHServe(t, h)
	s, db, addr, host, root, rootPub := x.srv, x.db, x.addr, x.host, x.root, x.rootPub
	expect(t, "user add", adminCmd(h, db, "user", "add", "root", "--role", "admin"), exitOK)
	expect(t, "key add", adminCmd(h, db, "key", "add", "root", rootPub), exitOK)

	out, code := sshRun(t, addr, root, host.PublicKey(), "", "admin user import /etc/passwd")
	if code != exitUsage || !strings.Contains(out, "Over SSH kan brug geen bestand") {
		t.Errorf("import of a server path: exit %d:\n%s", code, out)
	}
	out, code = sshRun(t, addr, root, host.PublicKey(), importBad, "admin user import -")
	if code != exitUsage || !strings.Contains(out, "regel 7: 2 velden") {
		t.Errorf("bad file over ssh: exit %d:\n%s", code, out)
	}
	out, code = sshRun(t, addr, root, host.PublicKey(), importGood, "admin user import - --create-teams --invite")
	if code != exitOK || !strings.Contains(out, "Geïmporteerd: 3 gebruiker(s) nieuw") || !regexp.MustCompile(`(?m)^cor: \S+`).MatchString(out) {
		t.Errorf("import over ssh: exit %d:\n%s", code, out)
	}
	if r := adminCmd(h, db, "audit", "--action", "user import"); !regexp.MustCompile(`ssh\s+root\s+user import`).MatchString(r.stdout) {
		t.Errorf("the import over ssh is not audited with channel ssh:\n%v", r)
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, s.stderr)
	}
}
