package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
)

// TestAdminOrgs runs the register's commands on a file and through the
// admin socket of a brug serve holding it: organisations, their kinds,
// KvK numbers and contacts, teams of an organisation, and the refusals
// in Dutch.
func TestAdminOrgs(t *testing.T) {
	for _, mode := range []string{"file", "socket"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t)
			db := filepath.Join(t.TempDir(), "region.db")
			var s *serving
			if mode == "socket" {
				s = startServe(t, h, db)
			}
			a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
			expect(t, "org add", a("org", "add", "Zorggroep Noord", "--kind", "zorgaanbieder"), exitOK,
				`Organisatie "Zorggroep Noord" (zorgaanbieder) toegevoegd aan het register.`)
			expect(t, "org add employer", a("org", "add", "Bakkerij Zoë", "--kind", "employer", "--kvk", "12345678"), exitOK, "(werkgever)")
			expect(t, "bad kvk", a("org", "add", "X", "--kind", "werkgever", "--kvk", "1234"), exitUsage, `KvK-nummer "1234" klopt niet`)
			expect(t, "bad kind", a("org", "add", "X", "--kind", "bakker"), exitUsage, `onbekende soort "bakker"`)
			expect(t, "same name folded", a("org", "add", "BAKKERIJ ZOE", "--kind", "werkgever"), exitError,
				`"BAKKERIJ ZOE" staat al in het register als "Bakkerij Zoë"`)
			expect(t, "same kvk", a("org", "add", "Andere Bakker", "--kind", "werkgever", "--kvk", "12345678"), exitError, `als "Bakkerij Zoë"`)
			expect(t, "team add --org", a("team", "add", "Team Noord", "--org", "Zorggroep Noord"), exitOK)
			expect(t, "team add unknown org", a("team", "add", "Team Zuid", "--org", "Zorggroep Zuid"), exitError,
				`organisatie "Zorggroep Zuid" staat niet in het register`)
			expect(t, "team add", a("team", "add", "Team Oost"), exitOK, `Team "Team Oost" toegevoegd. Het hoort bij de standaardorganisatie van de regio`)
			expect(t, "team org", a("team", "org", "Team Oost", "Zorggroep Noord"), exitOK, `Team "Team Oost" hoort nu bij organisatie "Zorggroep Noord".`)
			expect(t, "team org none", a("team", "org", "Team Oost", ""), exitOK, `Team "Team Oost" hoort nu bij de standaardorganisatie van de regio.`)
			expect(t, "team org again", a("team", "org", "Team Oost", "Zorggroep Noord"), exitOK)
			expect(t, "contact add", a("org", "contact", "add", "Bakkerij Zoë", "Ria Jansen", "--role", "bedrijfsleider", "--phone", "024 123 45 67", "--email", "ria@zoe.nl"), exitOK,
				`Contactpersoon "Ria Jansen" toegevoegd aan "Bakkerij Zoë".`)
			expect(t, "bad contact", a("org", "contact", "add", "Bakkerij Zoë", "Piet", "--email", "piet"), exitUsage, "het contact klopt niet")
			expect(t, "contact of unknown org", a("org", "contact", "add", "Nergens", "Piet"), exitError, `organisatie "Nergens" staat niet in het register`)
			r := a("org", "list")
			expect(t, "org list", r, exitOK, "ORGANISATIE", "SOORT")
			if !regexp.MustCompile(`Zorggroep Noord\s+zorgaanbieder\s+-\s+Team Noord, Team Oost\s+0`).MatchString(r.stdout) ||
				!regexp.MustCompile(`Bakkerij Zoë\s+werkgever\s+12345678\s+geen\s+1`).MatchString(r.stdout) {
				t.Errorf("org list:\n%s", r.stdout)
			}
			r = a("org", "list", "--kind", "werkgever")
			if strings.Contains(r.stdout, "Zorggroep") || !strings.Contains(r.stdout, "Bakkerij Zoë") {
				t.Errorf("org list --kind werkgever:\n%s", r.stdout)
			}
			expect(t, "org show", a("org", "show", "Bakkerij Zoë"), exitOK, "Soort: werkgever", "KvK-nummer: 12345678", "Ria Jansen", "bedrijfsleider", "024 123 45 67", "ria@zoe.nl")
			expect(t, "remove with teams", a("org", "remove", "Zorggroep Noord"), exitError, `organisatie "Zorggroep Noord" heeft nog teams (Team Noord, Team Oost)`)
			expect(t, "rename", a("org", "rename", "Zorggroep Noord", "Zorggroep Noord-Oost"), exitOK)
			expect(t, "teams follow", a("org", "show", "Zorggroep Noord-Oost"), exitOK, "Teams: Team Noord, Team Oost")
			// A team rename keeps its organisation.
			expect(t, "team rename", a("team", "rename", "Team Oost", "Team Oost 2"), exitOK)
			expect(t, "team keeps org", a("org", "show", "Zorggroep Noord-Oost"), exitOK, "Teams: Team Noord, Team Oost 2")
			expect(t, "contact remove", a("org", "contact", "remove", "Bakkerij Zoë", "Ria Jansen"), exitOK)
			expect(t, "contact remove again", a("org", "contact", "remove", "Bakkerij Zoë", "Ria Jansen"), exitError, `"Ria Jansen" is geen contactpersoon van "Bakkerij Zoë"`)
			expect(t, "remove", a("org", "remove", "Bakkerij Zoë"), exitOK)
			expect(t, "gone", a("org", "show", "Bakkerij Zoë"), exitError, "staat niet in het register")
			expect(t, "english", h.runTok(nil, "--lang", "en", "--db", db, "admin", "org", "show", "Zorggroep Noord-Oost"), exitOK, "Kind: care provider")
			r = a("audit", "--action", "org")
			expect(t, "audited", r, exitOK, "org add", "org rename", "org remove")
			if s != nil {
				if code := s.stop(); code != exitOK {
					t.Fatalf("serve exit %d:\n%s", code, s.stderr)
				}
			}
		})
	}
}

// TestAdminOrgImport: a dry run by default, every bad row by line and
// column, duplicates by folded name or KvK number (with the register and
// within the file), nothing half-imported, --yes writes.
func TestAdminOrgImport(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "region.db")
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	expect(t, "org add", a("org", "add", "Kringloop Oost", "--kind", "werkgever", "--kvk", "87654321"), exitOK)
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := file("bad.csv", "\ufeffnaam;soort;kvk;contactpersoon;telefoon;e-mail\n"+
		"Bakkerij De Zon;werkgever;12345678;Ria Jansen;024 123 45 67;ria@dezon.nl\n"+
		"Garage Çelik;bakker;123;;;\n"+
		";werkgever;;;;\n"+
		"Tuincentrum;;;;06-12;\n")
	r := a("org", "import", bad)
	expect(t, "bad rows", r, exitUsage,
		`regel 3, kolom soort: onbekende soort "bakker"`,
		`regel 3, kolom kvk: KvK-nummer "123" klopt niet`,
		`regel 4, kolom naam: de naam ontbreekt`,
		`regel 5, kolom contactpersoon: de contactpersoon ontbreekt`,
		"4 fouten gevonden; er is niets geïmporteerd.")
	dups := file("dups.csv", "naam,kvk\nBakkerij De Zon,12345678\nKRINGLOOP OOST,\nbakkerij de zon,\nAnder Bedrijf,12345678\nNog Een,87654321\n")
	r = a("org", "import", dups, "--yes")
	expect(t, "duplicates", r, exitUsage,
		`regel 3, kolom naam: staat al in het register als "Kringloop Oost"`,
		`regel 4, kolom naam: staat al op regel 2`,
		`regel 5, kolom kvk: staat al op regel 2`,
		`regel 6, kolom kvk: staat al in het register als "Kringloop Oost"`)
	if r := a("org", "list"); strings.Contains(r.stdout, "Bakkerij De Zon") {
		t.Fatalf("a refused import wrote:\n%s", r.stdout)
	}
	good := file("good.csv", "naam;soort;kvk;contactpersoon;functie;telefoon;e-mail\n"+
		"Bakkerij De Zon;werkgever;1234 5678;Ria Jansen;bedrijfsleider;024 123 45 67;ria@dezon.nl\n"+
		"Garage Çelik;;;;;;\n"+
		"ROC Nijmegen;school;;;;;\n")
	r = a("org", "import", good)
	expect(t, "dry run", r, exitOK, "3 organisaties zouden worden toegevoegd; er is niets geschreven")
	if r := a("org", "list"); strings.Contains(r.stdout, "Bakkerij De Zon") {
		t.Fatalf("a dry run wrote:\n%s", r.stdout)
	}
	expect(t, "import", a("org", "import", good, "--yes"), exitOK, "3 organisaties toegevoegd aan het register.")
	expect(t, "imported", a("org", "show", "Bakkerij De Zon"), exitOK, "KvK-nummer: 12345678", "Ria Jansen", "bedrijfsleider")
	expect(t, "kind", a("org", "show", "ROC Nijmegen"), exitOK, "Soort: school")
	expect(t, "again", a("org", "import", good, "--yes"), exitUsage, `regel 3, kolom naam: staat al in het register als "Garage Çelik"`)
}

// TestAdminOrgsOverSSH: an admin keeps the register over SSH; the import
// file comes on standard input; each command is audited with channel ssh.
func TestAdminOrgsOverSSH(t *testing.T) {
	h := newHarness(t)
	x := startSSHServe(t, h)
	s, db, addr, host, root, rootPub := x.srv, x.db, x.addr, x.host, x.root, x.rootPub
	expect(t, "user add", adminCmd(h, db, "user", "add", "root", "--role", "admin"), exitOK)
	expect(t, "key add", adminCmd(h, db, "key", "add", "root", rootPub), exitOK)
	out, code := sshRun(t, addr, root, host.PublicKey(), "", `admin org add "Zorggroep Noord" --kind gemeente`)
	if code != exitOK || !strings.Contains(out, `Organisatie "Zorggroep Noord" (gemeente) toegevoegd`) {
		t.Errorf("org add over ssh: exit %d:\n%s", code, out)
	}
	out, code = sshRun(t, addr, root, host.PublicKey(), "naam;kvk\nBakkerij De Zon;12345678\n", "admin org import - --yes")
	if code != exitOK || !strings.Contains(out, "1 organisatie toegevoegd aan het register.") {
		t.Errorf("org import over ssh: exit %d:\n%s", code, out)
	}
	out, code = sshRun(t, addr, root, host.PublicKey(), "", "admin org list")
	if code != exitOK || !regexp.MustCompile(`Bakkerij De Zon\s+werkgever\s+12345678`).MatchString(out) {
		t.Errorf("org list over ssh: exit %d:\n%s", code, out)
	}
	if r := adminCmd(h, db, "audit", "--action", "org"); !regexp.MustCompile(`ssh\s+root\s+org import`).MatchString(r.stdout) {
		t.Errorf("the import over ssh is not audited with channel ssh:\n%v", r)
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, s.stderr)
	}
}

// TestReportByEmployer: brug report breaks down by the employers the
// moves named, in Markdown and in CSV (the employer in the place column).
func TestReportByEmployer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.db")
	made := time.Date(2024, 10, 1, 9, 0, 0, 0, time.UTC)
	s, err := openTestStore(path, store.Options{Author: "test", NoSync: true, Now: func() time.Time { return made }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, date, employer string }{
		{"Anna", "2025-02-03", "Garage Çelik"}, {"Bram", "2024-12-01", "Garage Çelik"}, {"Cor", "2025-03-01", "Bakkerij De Zon"},
	} {
		id, err := s.CreateClient(store.NewClient{Name: c.name, Team: "Noord", Places: []store.Place{store.PlaceDagbesteding}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordMoveEmployer(id, []store.Place{store.PlaceWerkervaring}, c.date, "", c.employer); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	r := h.run("--db", path, "report", "--from", "2025-01-01", "--to", "2025-03-14")
	expect(t, "markdown", r, exitOK, "## Per werkgever", "| Werkgever | Doorgestroomd | Geplaatst aan het eind |",
		"| Bakkerij De Zon | 1 | 1 |", "| Garage Çelik | 1 | 2 |")
	r = h.run("--db", path, "report", "--format", "csv", "--from", "2025-01-01", "--to", "2025-03-14")
	expect(t, "csv", r, exitOK, "employer_moved_on,Bakkerij De Zon,1\nemployer_at_end,Bakkerij De Zon,1\nemployer_moved_on,Garage Çelik,1\nemployer_at_end,Garage Çelik,2\n")
}
