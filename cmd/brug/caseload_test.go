package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func clientNames(t *testing.T, laptop string) []string {
	t.Helper()
	s, err := openTestStore(laptop, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sm := range sums {
		if !sm.Removed {
			out = append(out, sm.Name)
		}
	}
	return out
}

// TestImportCaseload: brug import shows a dry run (a table with line,
// name, birth year and team) and writes nothing; flags likely duplicates
// (in the file already, folded, and within the file) and skips them with
// --yes; every bad row is reported by line and column and then nothing
// is written; ';' files from Excel with a byte order mark and GGM column
// names are read; --lang en speaks English.
func TestImportCaseload(t *testing.T) {
	h := newHarness(t)
	laptop := laptopWithClient(t, "Zoë Çelik", "Noord")
	if _, err := os.Stat(laptop); err != nil {
		t.Fatal(err)
	}
	// The existing client has no birth year: the file's Zoe Celik without
	// one is the same person.
	csv := "\ufeffVoornaam;Achternaam;Geboortejaar;Team;Uitkering;Doel;Coach\r\n" +
		"Noor;Hazelhoef;1988;Noord;Wajong;regulier werk;anna\r\n" +
		"zoe;celik;;Noord;;;\r\n" +
		"Piet;de Vries;1975;Zuid;participatiewet;;\r\n" +
		"\r\n" +
		"noor;HAZELHOEF;1988;Noord;;;\r\n"
	file := writeFile(t, "caseload.csv", csv)
	r := h.run("--db", laptop, "import", file)
	expect(t, "dry run", r, exitOK, "REGEL", "GEBOORTEJAAR", "Noor Hazelhoef", "1988", "Piet de Vries", "Zuid",
		"dubbel? staat al in je bestand: Zoë Çelik (Noord)", "dubbel? staat ook op regel 2",
		"Proefdraai: er is niets geschreven (2 cliënten nieuw, 2 dubbel overgeslagen)")
	if got := clientNames(t, laptop); len(got) != 1 {
		t.Fatalf("a dry run wrote: %v", got)
	}
	r = h.run("--db", laptop, "import", file, "--yes")
	expect(t, "--yes", r, exitOK, "Geïmporteerd: 2 cliënten nieuw, 2 dubbel overgeslagen.")
	got := clientNames(t, laptop)
	if len(got) != 3 || !strings.Contains(strings.Join(got, "|"), "Piet de Vries") {
		t.Fatalf("after the import: %v", got)
	}
	s, err := openTestStore(laptop, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.FindClient("Noor Hazelhoef")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Client(id)
	s.Close()
	if c.BirthYear.Value != "1988" || c.Benefit.Value != "wajong" || c.RouteTarget.Value != "regulier-werk" || c.Coaches.Value != "anna" || c.Team.Value != "Noord" {
		t.Errorf("imported record: %+v", c)
	}
	// Importing the same file again: everything is a duplicate now.
	expect(t, "again", h.run("--db", laptop, "import", file, "--yes"), exitOK, "0 cliënten nieuw, 4 dubbel overgeslagen")
	expect(t, "allow duplicates dry run", h.run("--db", laptop, "import", file, "--allow-duplicates"), exitOK, "wordt toch aangemaakt", "4 cliënten nieuw")

	// Every mistake, by line and column; nothing written.
	bad := "naam,geboortejaar,team,uitkering,doel,kleur\n"
	r = h.run("--db", laptop, "import", writeFile(t, "bad1.csv", bad))
	expect(t, "unknown column", r, exitUsage, `regel 1, kolom kleur: onbekende kolom "kleur"`, "1 fout gevonden")
	bad = "naam,geboortejaar,team,uitkering,doel\n" +
		"Ans,19x0,Noord,,\n" +
		",1980,Noord,,\n" +
		"Bas,2999,,bijstand,maan\n" +
		"Cor,1980,Noord\n" +
		"Dirk,1980,Noord,wia,\n"
	r = h.run("--db", laptop, "import", writeFile(t, "bad2.csv", bad))
	expect(t, "bad rows", r, exitUsage,
		`regel 2, kolom geboortejaar: "19x0" is geen geboortejaar`,
		"regel 3, kolom naam: de naam ontbreekt",
		"regel 4, kolom geboortejaar: geboortejaar 2999 ligt in de toekomst",
		"regel 4, kolom team: dit veld is leeg",
		`regel 4, kolom uitkering: onbekende uitkering "bijstand"`,
		`regel 4, kolom doel: onbekende plek "maan"`,
		"regel 5: 3 velden, de kopregel heeft er 5",
		"7 fouten gevonden; er is niets geïmporteerd.")
	if len(clientNames(t, laptop)) != 3 {
		t.Fatal("a refused file wrote clients")
	}
	r = h.run("--db", laptop, "--lang", "en", "import", writeFile(t, "bad3.csv", "naam\nAns\n"))
	expect(t, "english", r, exitUsage, "the header names no column team", "1 error found; nothing was imported.")
	expect(t, "--team", h.run("--db", laptop, "--lang", "en", "import", writeFile(t, "ok.csv", "naam\nAns\n"), "--team", "Noord"), exitOK, "Dry run: nothing was written (1 client new)")
	expect(t, "not utf-8", h.run("--db", laptop, "import", writeFile(t, "latin1.csv", "naam,team\nZo\xeb,Noord\n")), exitUsage, "regel 2: dit is geen UTF-8")
}

// TestDuplicatesAndMerge: brug duplicates lists a pair entered twice and
// brug duplicates merge moves one into the other; then none is listed.
func TestDuplicatesAndMerge(t *testing.T) {
	h := newHarness(t)
	laptop := laptopWithClient(t, "Zoë Çelik", "Noord")
	expect(t, "none", h.run("--db", laptop, "duplicates"), exitOK, "Geen dubbele cliënten gevonden.")
	s, err := openTestStore(laptop, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	keep, _ := s.FindClient("Zoë Çelik")
	gone, err := s.CreateClient(store.NewClient{Name: "ZOE CELIK", Team: "Zuid"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEntity(gone, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-03-01", "text": "kennismaking op laptop B"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	expect(t, "pair", h.run("--db", laptop, "duplicates"), exitOK, keep, gone, "Zoë Çelik", "ZOE CELIK", "Zuid", "1 paar dat waarschijnlijk dezelfde persoon is")
	expect(t, "merge", h.run("--db", laptop, "duplicates", "merge", keep, gone), exitOK,
		fmt.Sprintf("ZOE CELIK (%s) is samengevoegd in Zoë Çelik (%s)", gone, keep), "2 gegevens verschilden")
	expect(t, "none after", h.run("--db", laptop, "duplicates"), exitOK, "Geen dubbele cliënten gevonden.")
	expect(t, "merge again", h.run("--db", laptop, "duplicates", "merge", keep, gone), exitError, "is al samengevoegd")
	s, err = openTestStore(laptop, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := s.Client(keep)
	if len(c.Journal) != 1 || c.Journal[0].Text.Value != "kennismaking op laptop B" || !strings.Contains(c.MergedFrom.Value, "team=Zuid") {
		t.Errorf("kept dossier: journal %+v, merged_from %q", c.Journal, c.MergedFrom.Value)
	}
}

// TestParseCaseloadGGM: the GGM's column names build the name from its
// parts and the birth year from a birth date; a header alone holds no
// clients.
func TestParseCaseloadGGM(t *testing.T) {
	rows, probs := parseCaseload([]byte("Voornamen,Voorvoegsel geslachtsnaam,Geslachtsnaam,Geboortedatum,Team,Soort uitkering,Plek\nPiet,de,Vries,14-3-1975,Zuid,WW,\"dagbesteding, vrijwilligerswerk\"\n"), "", 2026)
	if len(probs) != 0 || len(rows) != 1 {
		t.Fatalf("rows %+v, problems %+v", rows, probs)
	}
	n := rows[0].Client
	if n.Name != "Piet de Vries" || n.BirthYear != "1975" || n.Team != "Zuid" || n.Benefit != "ww" || len(n.Places) != 2 || rows[0].Line != 2 {
		t.Errorf("row = %+v", rows[0])
	}
	if _, probs := parseCaseload([]byte("naam;team\r\n"), "", 2026); len(probs) != 1 || probs[0].Key != "empty.file" {
		t.Errorf("header only: %+v", probs)
	}
}

// BenchmarkImportCaseload: brug import --yes of 1,000 clients into an
// encrypted laptop file (the issue asks well under 10 s).
func BenchmarkImportCaseload(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("voornaam;achternaam;geboortejaar;team;uitkering;doel\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "Cliënt%d;Achternaam %d;%d;Noord;wajong;regulier werk\n", i, i, 1960+i%40)
	}
	dir := b.TempDir()
	file := filepath.Join(dir, "caseload.csv")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	t := &testing.T{}
	h := &harness{t: t, env: map[string]string{"BRUG_USER": "tester"}, home: b.TempDir(), tempDir: b.TempDir()}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		laptop := filepath.Join(dir, fmt.Sprintf("laptop%d.db", i))
		s, err := openTestStore(laptop, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CreateClient(store.NewClient{Name: "Er al", Team: "Noord"}); err != nil {
			b.Fatal(err)
		}
		s.Close()
		b.StartTimer()
		if r := h.run("--db", laptop, "import", file, "--yes"); r.code != exitOK || !strings.Contains(r.stdout, "1000 cliënten nieuw") {
			b.Fatalf("import: %v", r)
		}
	}
}

// TestDuplicatesAfterSyncMerged: two laptops enter the same person
// offline; after both sync, the first lists them as a likely duplicate,
// merges them and syncs; the server takes the merge's ops, and the second
// laptop then has one dossier holding both laptops' work.
func TestDuplicatesAfterSyncMerged(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	srv := startServe(t, h, region)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "bert", "--role", "coach", "--team", "Noord"), exitOK)
	laptop := func(name, who string) func(args ...string) result {
		path := laptopWithClient(t, name, "Noord")
		s, err := openTestStore(path, store.Options{Author: "tester", NoSync: true, Now: func() time.Time { return cliNow }})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := s.FindClient(name)
		if _, err := s.AddEntity(id, store.EntityJournal, map[string]string{"kind": "bezoek", "date": "2025-03-01", "text": "bezoek door " + who}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		tokens := &client.MemoryStore{}
		dev := func(args ...string) result {
			t.Helper()
			return h.runTok(tokens, append([]string{"--db", path}, args...)...)
		}
		expect(t, "login "+who, dev("login", srv.url, inviteCode(t, h, region, who), "--adopt"), exitOK)
		return dev
	}
	anna := laptop("Noor Hazelhoef", "anna")
	bert := laptop("noor hazelhoef", "bert")
	expect(t, "sync anna", anna("sync"), exitOK)
	expect(t, "sync bert", bert("sync"), exitOK)
	expect(t, "sync anna again", anna("sync"), exitOK)
	r := anna("duplicates")
	expect(t, "listed", r, exitOK, "Noor Hazelhoef", "noor hazelhoef", "1 paar")
	ids := regexp.MustCompile(`(?m)^([0-9a-f-]{36})  `).FindAllStringSubmatch(r.stdout, -1)
	if len(ids) != 2 {
		t.Fatalf("ids in the list: %v\n%v", ids, r)
	}
	keep, gone := ids[0][1], ids[1][1]
	expect(t, "merge", anna("duplicates", "merge", keep, gone), exitOK, "is samengevoegd in")
	r = anna("sync")
	expect(t, "sync the merge", r, exitOK)
	if strings.Contains(r.stdout+r.stderr, "geweigerd") {
		t.Fatalf("the server refused the merge:\n%v", r)
	}
	expect(t, "bert syncs", bert("sync"), exitOK)
	expect(t, "bert: no duplicates left", bert("duplicates"), exitOK, "Geen dubbele cliënten gevonden.")
	out := bert("export", keep)
	expect(t, "bert: one dossier with both visits", out, exitOK, "bezoek door anna", "bezoek door bert")
}
