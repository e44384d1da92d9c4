package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
)

// reportDB makes a brug file with a known caseload for the flow report.
// Every dossier is made on 1 October 2024; with the harness's clock on
// 14 March 2025 the default period is 1 January to 14 March 2025, in which
// Anna moves on to a work-experience place, Cor to a banenafspraak job,
// and Bram steps back from his training.
func reportDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.db")
	made := time.Date(2024, 10, 1, 9, 0, 0, 0, time.UTC)
	s, err := openTestStore(path, store.Options{Author: "test", NoSync: true, Now: func() time.Time { return made }})
	if err != nil {
		t.Fatal(err)
	}
	client := func(name, team string, places ...store.Place) string {
		id, err := s.CreateClient(store.NewClient{Name: name, Team: team, Places: places})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	move := func(id, date string, to ...store.Place) {
		if _, err := s.RecordMove(id, to, date, ""); err != nil {
			t.Fatal(err)
		}
	}
	anna := client("Anna", "Noord", store.PlaceDagbesteding)
	move(anna, "2025-02-03", store.PlaceDagbesteding, store.PlaceWerkervaring)
	bram := client("Bram", "Noord", store.PlaceDagbesteding)
	move(bram, "2024-11-04", store.PlaceOpleiding)
	move(bram, "2025-01-20", store.PlaceDagbesteding)
	cor := client("Cor", "Zuid", store.PlaceBeschut)
	move(cor, "2025-03-01", store.PlaceBanenafspraak)
	client("Dirk", "Zuid", store.PlaceDagbesteding)
	eva := client("Eva", "Zuid", store.PlaceDagbesteding)
	move(eva, "2025-02-01", store.PlaceRegulier)
	if _, err := s.Commit(eva, store.Set("exists", "0")); err != nil {
		t.Fatal(err)
	}
	client("Fleur", "", store.PlaceVrijwillig)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// fence is a Markdown code fence, which a raw string cannot hold.
const fence = "```"

func TestReportMarkdown(t *testing.T) {
	path := reportDB(t)
	h := newHarness(t)
	r := h.run("--db", path, "report")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("report:\n%v", r)
	}
	want := strings.ReplaceAll(`# Doorstroom 2025-01-01 – 2025-03-14

Alle teams.

**2 van 5 doorgestroomd**, 1 zette een stapje terug.

## Per plek

| Plek | Plek aan het begin | Doorgestroomd naar | Stapje terug vanaf | Plek aan het eind |
|---|---:|---:|---:|---:|
| dagbesteding | 2 | – | 0 | 2 |
| vrijwilligerswerk | 1 | 0 | 0 | 1 |
| opleiding | 1 | 0 | 1 | 0 |
| werkervaringsplaats | 0 | 1 | 0 | 1 |
| beschut werk | 1 | 0 | 0 | 0 |
| banenafspraak | 0 | 1 | 0 | 1 |
| regulier werk | 0 | 0 | 0 | 0 |
| Totaal | 5 | 2 | 1 | 5 |

## Per team

| Team | Mensen | Doorgestroomd | Stapje terug |
|---|---:|---:|---:|
| (geen team) | 1 | 0 | 0 |
| Noord | 2 | 1 | 1 |
| Zuid | 2 | 1 | 0 |

## Grafiek

FENCE
Plek aan het begin
  dagbesteding         ████████████████████████████████████████ 2
  vrijwilligerswerk    ████████████████████ 1
  opleiding            ████████████████████ 1
  werkervaringsplaats  0
  beschut werk         ████████████████████ 1
  banenafspraak        0
  regulier werk        0

Doorgestroomd naar
  vrijwilligerswerk    0
  opleiding            0
  werkervaringsplaats  ████████████████████████████████████████ 1
  beschut werk         0
  banenafspraak        ████████████████████████████████████████ 1
  regulier werk        0

Stapje terug vanaf
  dagbesteding         0
  vrijwilligerswerk    0
  opleiding            ████████████████████████████████████████ 1
  werkervaringsplaats  0
  beschut werk         0
  banenafspraak        0
  regulier werk        0

Plek aan het eind
  dagbesteding         ████████████████████████████████████████ 2
  vrijwilligerswerk    ████████████████████ 1
  opleiding            0
  werkervaringsplaats  ████████████████████ 1
  beschut werk         0
  banenafspraak        ████████████████████ 1
  regulier werk        0
FENCE
`, "FENCE", fence)
	if r.stdout != want {
		t.Errorf("report:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestReportMarkdownEnglishOneTeam(t *testing.T) {
	path := reportDB(t)
	h := newHarness(t)
	r := h.run("--db", path, "--lang", "en", "report", "--team", "Noord", "--from", "2024-10-01", "--to", "2025-03-31")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("report:\n%v", r)
	}
	want := strings.ReplaceAll(`# Flow 2024-10-01 – 2025-03-31

Teams: Noord.

**2 of 2 moved on**, 1 stepped back.

## Per place

| Place | Place at the start | Moved on to | Stepped back from | Place at the end |
|---|---:|---:|---:|---:|
| day activities | 2 | – | 0 | 1 |
| volunteering | 0 | 0 | 0 | 0 |
| training | 0 | 1 | 1 | 0 |
| work-experience place | 0 | 1 | 0 | 1 |
| sheltered work | 0 | 0 | 0 | 0 |
| jobs agreement | 0 | 0 | 0 | 0 |
| regular work | 0 | 0 | 0 | 0 |
| Total | 2 | 2 | 1 | 2 |

## Chart

FENCE
Place at the start
  day activities         ████████████████████████████████████████ 2
  volunteering           0
  training               0
  work-experience place  0
  sheltered work         0
  jobs agreement         0
  regular work           0

Moved on to
  volunteering           0
  training               ████████████████████████████████████████ 1
  work-experience place  ████████████████████████████████████████ 1
  sheltered work         0
  jobs agreement         0
  regular work           0

Stepped back from
  day activities         0
  volunteering           0
  training               ████████████████████████████████████████ 1
  work-experience place  0
  sheltered work         0
  jobs agreement         0
  regular work           0

Place at the end
  day activities         ████████████████████████████████████████ 1
  volunteering           0
  training               0
  work-experience place  ████████████████████████████████████████ 1
  sheltered work         0
  jobs agreement         0
  regular work           0
FENCE
`, "FENCE", fence)
	if r.stdout != want {
		t.Errorf("report:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestReportCSV(t *testing.T) {
	path := reportDB(t)
	h := newHarness(t)
	want := `section,place,count
people,,5
moved_on,,2
stepped_back,,1
at_start,dagbesteding,2
at_start,vrijwilligerswerk,1
at_start,opleiding,1
at_start,werkervaringsplaats,0
at_start,beschut-werk,1
at_start,banenafspraak,0
at_start,regulier-werk,0
at_start,unknown,0
moved_to,vrijwilligerswerk,0
moved_to,opleiding,0
moved_to,werkervaringsplaats,1
moved_to,beschut-werk,0
moved_to,banenafspraak,1
moved_to,regulier-werk,0
stepped_back_from,dagbesteding,0
stepped_back_from,vrijwilligerswerk,0
stepped_back_from,opleiding,1
stepped_back_from,werkervaringsplaats,0
stepped_back_from,beschut-werk,0
stepped_back_from,banenafspraak,0
stepped_back_from,regulier-werk,0
at_end,dagbesteding,2
at_end,vrijwilligerswerk,1
at_end,opleiding,0
at_end,werkervaringsplaats,1
at_end,beschut-werk,0
at_end,banenafspraak,1
at_end,regulier-werk,0
at_end,unknown,0
`
	for _, lang := range []string{"nl", "en"} {
		r := h.run("--db", path, "--lang", lang, "report", "--format", "csv")
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("report:\n%v", r)
		}
		if r.stdout != want {
			t.Errorf("%s: csv:\n%s\nwant:\n%s", lang, r.stdout, want)
		}
	}
	// The same dates given explicitly give the same rows.
	if r := h.run("--db", path, "report", "--format", "csv", "--from", "2025-01-01", "--to", "2025-03-14"); r.stdout != want {
		t.Errorf("explicit dates:\n%v", r)
	}
}

func TestReportDefaultPeriod(t *testing.T) {
	path := reportDB(t)
	h := newHarness(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "# Doorstroom 2025-01-01 – 2025-03-14\n"},
		{[]string{"--to", "2024-11-30"}, "# Doorstroom 2024-10-01 – 2024-11-30\n"},
		{[]string{"--from", "2024-06-01"}, "# Doorstroom 2024-06-01 – 2025-03-14\n"},
		{[]string{"--from", "2025-03-14"}, "# Doorstroom 2025-03-14 – 2025-03-14\n"},
	} {
		r := h.run(append([]string{"--db", path, "report"}, c.args...)...)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, c.want) {
			t.Errorf("%v: want %q first:\n%v", c.args, c.want, r)
		}
	}
}

func TestReportErrors(t *testing.T) {
	path := reportDB(t)
	h := newHarness(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--from", "2025-13-01"}, exitUsage, `--from moet een datum zijn als 2025-03-31 (JJJJ-MM-DD), niet "2025-13-01".`},
		{[]string{"--to", "14-03-2025"}, exitUsage, `--to moet een datum zijn als 2025-03-31 (JJJJ-MM-DD), niet "14-03-2025".`},
		{[]string{"--from", "2025-03-15"}, exitUsage, "De periode begint (2025-03-15) na het einde (2025-03-14). Zet --from op of voor --to."},
		{[]string{"--from", "2025-02-01", "--to", "2025-01-31"}, exitUsage, "De periode begint (2025-02-01) na het einde (2025-01-31)."},
		{[]string{"--format", "pdf"}, exitUsage, `--format moet md of csv zijn, niet "pdf".`},
		{[]string{"--team", " "}, exitUsage, "--team mag niet leeg zijn."},
		{[]string{"extra"}, exitUsage, "onbekend commando"},
		{[]string{"--team", "Noord", "--team", "West"}, exitError, `Geen cliënten in team "West". Teams in dit bestand: Noord, Zuid.`},
	} {
		r := h.run(append([]string{"--db", path, "report"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%v: want exit %d and %q:\n%v", c.args, c.code, c.want, r)
		}
		if c.code == exitUsage && !strings.Contains(r.stderr, "brug report --help") {
			t.Errorf("%v: no pointer to --help:\n%v", c.args, r)
		}
	}
	if r := h.run("--db", path, "--lang", "en", "report", "--team", "west"); r.code != exitError ||
		!strings.Contains(r.stderr, `No clients in team "west". Teams in this file: Noord, Zuid.`) {
		t.Errorf("unknown team in English:\n%v", r)
	}
	// A file without any team says so instead of listing none.
	empty := filepath.Join(t.TempDir(), "empty.db")
	s, err := openTestStore(empty, store.Options{Author: "test", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateClient(store.NewClient{Name: "Anna"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if r := h.run("--db", empty, "report", "--team", "Noord"); r.code != exitError || !strings.Contains(r.stderr, "nog geen cliënten met een team") {
		t.Errorf("no teams:\n%v", r)
	}
	// No file to read is an error that says so; nothing is made.
	missing := filepath.Join(t.TempDir(), "none.db")
	if r := h.run("--db", missing, "report"); r.code != exitError || !strings.Contains(r.stderr, "Er is nog geen brug-bestand") {
		t.Errorf("missing file:\n%v", r)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("report created a file")
	}
}

func TestReportHelp(t *testing.T) {
	h := newHarness(t)
	r := h.run("report", "--help")
	for _, want := range []string{"Gebruik:", "Voorbeelden:", "--from", "--to", "--team", "--format", "eerste dag van het kwartaal", "docs/report.md"} {
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%v", want, r)
		}
	}
	r = h.run("report", "--help", "--lang", "en")
	for _, want := range []string{"Usage:", "Examples:", "--from", "--to", "--team", "--format", "first day of the calendar", "docs/report.md"} {
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%v", want, r)
		}
	}
}
